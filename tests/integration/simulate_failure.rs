//! `filka simulate-failure` and replication seen from the command line: the README's
//! walk-through, with real exit codes.

use crate::harness::{TestCluster, stdout_text};

fn setup(t: &TestCluster, configs: &[&str]) {
    t.run(["init"]).success();
    let mut args = vec!["topic", "create", "demo", "-p", "1", "-r", "3"];
    for c in configs {
        args.extend(["-c", c]);
    }
    t.run(args).success();
}

fn leader(t: &TestCluster) -> i32 {
    let c = t.open_cluster();
    c.partition("demo", 0).unwrap().leader
}

#[test]
fn acks_1_loss_is_reported_by_broker_up() {
    let t = TestCluster::new();
    setup(&t, &["replica.lag.time.max.ms=600000"]);
    t.produce("demo", "a\nb\nc\n", &[]).success();
    let l = leader(&t);
    let replicas = t
        .open_cluster()
        .partition("demo", 0)
        .unwrap()
        .replicas
        .clone();
    for f in replicas.iter().filter(|&&b| b != l) {
        let out = t
            .run(["simulate-failure", "pause-replication", &f.to_string()])
            .success();
        assert!(stdout_text(&out).contains("replication paused"));
    }
    t.produce("demo", "d\ne\n", &["--acks", "1"]).success();
    assert_eq!(
        t.values("demo"),
        ["a", "b", "c"],
        "above the high watermark: invisible"
    );
    let down = t
        .run(["simulate-failure", "broker-down", &l.to_string()])
        .success();
    let text = stdout_text(&down);
    assert!(text.contains(&format!("broker {l} is down")), "{text}");
    assert!(
        text.contains("elected from the ISR") && text.contains("epoch 1"),
        "{text}"
    );
    for f in replicas.iter().filter(|&&b| b != l) {
        t.run(["simulate-failure", "resume-replication", &f.to_string()])
            .success();
    }
    t.produce("demo", "f\n", &[]).success();
    let up = t
        .run(["simulate-failure", "broker-up", &l.to_string()])
        .success();
    let text = stdout_text(&up);
    assert!(
        text.contains(&format!("broker {l} truncated offsets 3..4"))
            && text.contains("dropped 2 records"),
        "{text}"
    );
    assert_eq!(t.values("demo"), ["a", "b", "c", "f"]);
    let json = t
        .run(["--output", "json", "describe", "history", "--topic", "demo"])
        .success();
    assert!(stdout_text(&json).contains("went down"));
}

#[test]
fn exit_codes_for_not_enough_replicas_and_offline() {
    let t = TestCluster::new();
    setup(&t, &[]);
    t.produce("demo", "a\n", &[]).success();
    let l = leader(&t);
    let others: Vec<i32> = [101, 102, 103].into_iter().filter(|&b| b != l).collect();
    t.run(["simulate-failure", "broker-down", &others[0].to_string()])
        .success();
    t.run(["simulate-failure", "broker-down", &others[1].to_string()])
        .success();
    // min.insync.replicas=2 (the default for RF 3), one replica left: refused, exit 6.
    let out = t.produce("demo", "b\n", &[]).code(6);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("not enough in-sync replicas"), "{err}");
    t.produce("demo", "c\n", &["--acks", "1"]).success();
    t.run(["simulate-failure", "broker-down", &l.to_string()])
        .success();
    t.produce("demo", "d\n", &["--acks", "1"]).code(7);
    t.cmd().args(["consume", "-t", "demo"]).assert().code(7);
    // The last in-sync replica comes back and leads again.
    let up = t
        .run(["simulate-failure", "broker-up", &l.to_string()])
        .success();
    assert!(stdout_text(&up).contains(&format!("leader {l}")));
    assert_eq!(t.values("demo"), ["a", "c"]);
}

#[test]
fn power_loss_takes_what_was_not_flushed() {
    let t = TestCluster::new();
    setup(&t, &["flush.messages=1"]);
    t.produce("demo", "a\nb\n", &[]).success();
    let l = leader(&t);
    let out = t
        .run([
            "simulate-failure",
            "broker-down",
            &l.to_string(),
            "--power-loss",
        ])
        .success();
    // flush.messages=1: everything was flushed, nothing lost.
    assert!(
        !stdout_text(&out).contains("no longer whole"),
        "{}",
        stdout_text(&out)
    );
    t.run(["simulate-failure", "broker-up", &l.to_string()])
        .success();

    let t = TestCluster::new();
    setup(&t, &[]);
    t.produce("demo", "a\nb\n", &[]).success();
    let l = leader(&t);
    let out = t
        .run([
            "simulate-failure",
            "broker-down",
            &l.to_string(),
            "--power-loss",
        ])
        .success();
    // Kafka's default: no fsync per write, so the broker loses what it had.
    assert!(
        stdout_text(&out).contains("offsets 0..1 no longer whole"),
        "{}",
        stdout_text(&out)
    );
    let up = t
        .run(["simulate-failure", "broker-up", &l.to_string()])
        .success();
    let text = stdout_text(&up);
    assert!(
        text.contains("recovered") && text.contains("caught up"),
        "{text}"
    );
    // The other replicas had it: nothing acknowledged is lost.
    assert_eq!(t.values("demo"), ["a", "b"]);
}

#[test]
fn corruption_is_found_by_reads_and_repaired_by_broker_up() {
    let t = TestCluster::new();
    setup(&t, &[]);
    t.produce("demo", "hello\nworld\n", &[]).success();
    let l = leader(&t).to_string();
    t.run([
        "simulate-failure",
        "corrupt",
        "--broker",
        &l,
        "--topic",
        "demo",
        "--partition",
        "0",
        "--count",
        "3",
        "--seed",
        "7",
    ])
    .success();
    let out = t.cmd().args(["consume", "-t", "demo"]).assert().code(3);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("byte") || err.contains("CRC"), "{err}");
    t.run(["simulate-failure", "broker-down", &l]).success();
    assert_eq!(
        t.values("demo"),
        ["hello", "world"],
        "the new leader has good data"
    );
    let up = t.run(["simulate-failure", "broker-up", &l]).success();
    let text = stdout_text(&up);
    assert!(text.contains("caught up"), "{text}");
    t.run(["topic", "elect-leaders", "demo"]).success();
    assert_eq!(t.values("demo"), ["hello", "world"]);
}

#[test]
fn torn_write_is_cut_by_the_next_writer() {
    let t = TestCluster::new();
    setup(&t, &[]);
    t.produce("demo", "a\nb\n", &[]).success();
    t.produce("demo", "c\n", &[]).success();
    let l = leader(&t).to_string();
    let out = t
        .run([
            "simulate-failure",
            "torn-write",
            "--broker",
            &l,
            "--topic",
            "demo",
            "--partition",
            "0",
        ])
        .success();
    assert!(stdout_text(&out).contains("torn"), "{}", stdout_text(&out));
    t.produce("demo", "d\n", &[]).success();
    let values = t.values("demo");
    assert_eq!(
        values,
        ["a", "b", "d"],
        "the torn batch (c) is cut, d follows"
    );
}

#[test]
fn unknown_broker_is_a_usage_error() {
    let t = TestCluster::new();
    setup(&t, &[]);
    t.run(["simulate-failure", "broker-down", "999"]).code(2);
    t.run(["simulate-failure", "broker-up", "101"]).code(2);
}

/// A long-running `consume -f` and a producer carry on with the new leader after the old
/// one goes down, as Kafka clients recover from a broker failure.
#[test]
fn clients_follow_the_new_leader() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let t = TestCluster::new();
    setup(&t, &[]);
    t.produce("demo", "one\n", &[]).success();
    let mut consumer = Command::new(crate::harness::FILKA)
        .args(["--cluster"])
        .arg(t.data())
        .args(["consume", "-t", "demo", "-f"])
        .env_remove("FILKA_CLUSTER")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // A watchdog, so a consumer stuck on the old leader fails the test instead of hanging it.
    let pid = consumer.id().to_string();
    let (done, watch) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if watch
            .recv_timeout(std::time::Duration::from_secs(20))
            .is_err()
        {
            let _ = Command::new("kill").args(["-9", &pid]).status();
        }
    });
    let mut lines = BufReader::new(consumer.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "one");
    let l = leader(&t);
    t.run(["simulate-failure", "broker-down", &l.to_string()])
        .success();
    t.produce("demo", "two\nthree\n", &[]).success();
    assert_eq!(lines.next().unwrap().unwrap(), "two");
    assert_eq!(lines.next().unwrap().unwrap(), "three");
    let _ = done.send(());
    consumer.kill().unwrap();
    let _ = consumer.wait();
}

/// A long-running `produce` whose leader goes down carries on with the new one.
#[test]
fn a_running_producer_follows_the_new_leader() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let t = TestCluster::new();
    setup(&t, &[]);
    let mut producer = Command::new(crate::harness::FILKA)
        .arg("--cluster")
        .arg(t.data())
        .args(["produce", "-t", "demo", "--print-offsets"])
        .env_remove("FILKA_CLUSTER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = producer.stdin.take().unwrap();
    stdin.write_all(b"before\n").unwrap();
    stdin.flush().unwrap();
    // The interactive flush makes each line visible promptly.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while t.values("demo").is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "first record never arrived"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let l = leader(&t);
    t.run(["simulate-failure", "broker-down", &l.to_string()])
        .success();
    stdin.write_all(b"after\n").unwrap();
    drop(stdin);
    let out = producer.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(t.values("demo"), ["before", "after"]);
    assert_ne!(leader(&t), l);
}
