//! Scale out (issue 16): `broker add/remove`, `describe brokers`, and `topic reassign` as
//! Kafka's kafka-reassign-partitions.sh (KIP-455): the JSON files and lines, the data moved,
//! the states in the metadata log, moves that survive kills while producers and a group
//! keep working.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{FILKA, TestCluster, json_lines, stdout_text};

/// The bytes of a replica's segment files, in order.
fn log_bytes(dir: &Path) -> Vec<u8> {
    let mut logs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    logs.sort();
    logs.iter()
        .flat_map(|p| std::fs::read(p).unwrap())
        .collect()
}

/// Every partition of `topic`: its replicas from `describe topic --output json`.
fn replicas(t: &TestCluster, topic: &str) -> Vec<(u32, Vec<i32>, serde_json::Value)> {
    let v = &json_lines(
        &t.run(["describe", "topic", topic, "--output", "json"])
            .success(),
    )[0];
    v["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let r: Vec<i32> = p["replicas"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_i64().unwrap() as i32)
                .collect();
            (p["partition"].as_u64().unwrap() as u32, r, p.clone())
        })
        .collect()
}

/// Every replica of every partition of `topic` holds the same bytes, and no broker that is
/// not a replica has a folder of it.
fn assert_replicas_identical(t: &TestCluster, topic: &str) {
    let data = t.data();
    for (p, brokers, _) in replicas(t, topic) {
        let first = log_bytes(&data.join(format!("broker-{}/{topic}-{p}", brokers[0])));
        for b in &brokers[1..] {
            let other = log_bytes(&data.join(format!("broker-{b}/{topic}-{p}")));
            assert!(
                other == first,
                "{topic}-{p}: broker {b}'s replica differs from broker {}'s ({} vs {} bytes)",
                brokers[0],
                other.len(),
                first.len()
            );
        }
        for e in std::fs::read_dir(&data).unwrap() {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if let Some(id) = name.strip_prefix("broker-") {
                let id: i32 = id.parse().unwrap();
                if !brokers.contains(&id) {
                    assert!(
                        !path.join(format!("{topic}-{p}")).exists(),
                        "{topic}-{p} left on broker {id}, not one of its replicas {brokers:?}"
                    );
                }
            }
        }
    }
}

fn write(t: &TestCluster, name: &str, text: &str) -> String {
    let path = t.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// `--generate`'s proposal (its last line), saved to `name`.
fn generate(t: &TestCluster, topic: &str, brokers: &str, name: &str) -> String {
    let topics = write(
        t,
        "topics.json",
        &format!(r#"{{"topics":[{{"topic":"{topic}"}}],"version":1}}"#),
    );
    let out = stdout_text(
        &t.run([
            "topic",
            "reassign",
            "--generate",
            "--topics-to-move-json-file",
            &topics,
            "--broker-list",
            brokers,
        ])
        .success(),
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Current partition replica assignment");
    assert_eq!(lines[2], "");
    assert_eq!(lines[3], "Proposed partition reassignment configuration");
    write(t, name, lines[4])
}

fn values(t: &TestCluster, topic: &str) -> Vec<String> {
    t.values(topic)
}

#[test]
fn a_cluster_grows_spreads_a_topic_then_drains_and_removes_a_broker() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    t.run(["topic", "create", "demo", "-p", "6"]).success();
    let input: String = (0..600).map(|i| format!("k{}:v{i}\n", i % 17)).collect();
    t.produce("demo", input, &["-K", ":"]).success();

    let added = stdout_text(&t.run(["broker", "add"]).success());
    assert!(added.starts_with("Added broker 104 ("), "{added}");
    t.run(["broker", "add", "--id", "110"]).success();
    assert!(t.data().join("broker-110/meta.properties").is_file());
    // An id in use, and the controllers, are refused.
    let e = t.run(["broker", "add", "--id", "104"]).code(2);
    assert!(stdout_text(&e).is_empty());
    let err = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(err.contains("broker 104 already exists"), "{err}");
    let e = t.run(["broker", "remove", "101"]).code(2);
    let err = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(err.contains("voter of the controller quorum"), "{err}");

    let brokers = json_lines(&t.run(["describe", "brokers", "--output", "json"]).success());
    let ids: Vec<i64> = brokers.iter().map(|b| b["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![101, 102, 103, 104, 110]);
    assert_eq!(brokers[3]["bytes"], 0);
    assert!(brokers[0]["bytes"].as_u64().unwrap() > 0);

    // Spread over all five.
    let plan = generate(&t, "demo", "101,102,103,104,110", "spread.json");
    let out = stdout_text(
        &t.run([
            "topic",
            "reassign",
            "--execute",
            "--reassignment-json-file",
            &plan,
        ])
        .success(),
    );
    assert!(
        out.starts_with("Current partition replica assignment\n\n{\"version\":1,"),
        "{out}"
    );
    assert!(
        out.contains("Save this to use as the --reassignment-json-file option during rollback\n")
    );
    assert!(out.contains(
        "Successfully started partition reassignments for demo-0,demo-1,demo-2,demo-3,demo-4,demo-5\n"
    ));
    assert!(out.contains("Status of partition reassignment:\n"));
    assert!(
        out.contains("Reassignment of partition demo-5 is completed.\n"),
        "{out}"
    );
    let spread: Vec<i32> = replicas(&t, "demo")
        .into_iter()
        .flat_map(|(_, r, _)| r)
        .collect();
    for b in [101, 102, 103, 104, 110] {
        assert!(spread.contains(&b), "broker {b} holds nothing: {spread:?}");
    }
    assert_replicas_identical(&t, "demo");

    // 104 holds replicas: refused, naming them.
    let e = t.run(["broker", "remove", "104"]).code(2);
    let err = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(
        err.contains("broker 104 holds replicas of") && err.contains("demo-"),
        "{err}"
    );

    // Drain it: a plan without it empties it, then it goes.
    let plan = generate(&t, "demo", "101,102,103,110", "drain.json");
    t.run([
        "topic",
        "reassign",
        "--execute",
        "--reassignment-json-file",
        &plan,
    ])
    .success();
    let out = stdout_text(&t.run(["broker", "remove", "104"]).success());
    assert_eq!(
        out,
        "Removed broker 104: unregistered, and its folder deleted.\n"
    );
    assert!(!t.data().join("broker-104").exists());
    let ids: Vec<i64> = json_lines(&t.run(["describe", "brokers", "--output", "json"]).success())
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![101, 102, 103, 110]);
    assert_replicas_identical(&t, "demo");
    let history = stdout_text(&t.run(["describe", "history"]).success());
    assert!(history.contains("UnregisterBrokerRecord"), "{history}");
    assert!(history.contains("reassignment of demo-"), "{history}");
    // Nothing lost, nothing twice.
    let mut got = values(&t, "demo");
    got.sort();
    let mut want: Vec<String> = (0..600).map(|i| format!("v{i}")).collect();
    want.sort();
    assert_eq!(got, want);
    // The cluster reopens from its metadata log with the same image (a snapshot-free replay).
    t.run(["describe", "cluster"]).success();
}

#[test]
fn a_started_move_shows_its_states_waits_for_a_down_broker_and_can_be_cancelled() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    t.run(["topic", "create", "m", "-p", "2"]).success();
    t.produce("m", "a\nb\nc\nd\n", &[]).success();
    t.run(["broker", "add"]).success();
    t.run(["simulate-failure", "broker-down", "104"]).success();
    let plan = write(
        &t,
        "plan.json",
        r#"{"version":1,"partitions":[{"topic":"m","partition":0,"replicas":[104,102,103],"log_dirs":["any","any","any"]}]}"#,
    );
    let out = stdout_text(
        &t.run([
            "topic",
            "reassign",
            "--execute",
            "--reassignment-json-file",
            &plan,
            "--no-wait",
        ])
        .success(),
    );
    assert!(
        out.ends_with("Successfully started partition reassignment for m-0\n"),
        "{out}"
    );
    let parts = replicas(&t, "m");
    let p0 = &parts[0].2;
    assert_eq!(p0["adding_replicas"], serde_json::json!([104]));
    assert_eq!(p0["removing_replicas"], serde_json::json!([101]));
    assert_eq!(parts[0].1, vec![104, 102, 103, 101]);
    let text = stdout_text(&t.run(["describe", "topic", "m"]).success());
    assert!(
        text.contains("Adding Replicas  Removing Replicas  Progress"),
        "{text}"
    );
    assert!(text.contains("ReplicationFactor: 3"), "{text}");
    let part = stdout_text(&t.run(["describe", "partition", "m", "0"]).success());
    assert!(
        part.lines()
            .next()
            .unwrap()
            .ends_with("Adding Replicas: 104  Removing Replicas: 101"),
        "{part}"
    );
    assert!(
        part.lines()
            .any(|l| l.starts_with("104 ") && l.contains(" adding ")),
        "{part}"
    );
    assert!(
        part.lines()
            .any(|l| l.starts_with("101 ") && l.contains(" removing ")),
        "{part}"
    );
    // --verify cannot finish it while 104 is down: exit 15, the move stays.
    let v = t
        .run([
            "topic",
            "reassign",
            "--verify",
            "--reassignment-json-file",
            &plan,
        ])
        .code(15);
    assert_eq!(
        stdout_text(&v),
        "Status of partition reassignment:\nReassignment of partition m-0 is still in progress.\n"
    );
    // Cancelled: back to the original replicas, the adding replica's folder gone.
    let c = stdout_text(
        &t.run([
            "topic",
            "reassign",
            "--cancel",
            "--reassignment-json-file",
            &plan,
        ])
        .success(),
    );
    assert_eq!(
        c,
        "Successfully cancelled partition reassignment for: m-0\n"
    );
    let parts = replicas(&t, "m");
    assert_eq!(parts[0].1.len(), 3);
    assert!(!parts[0].1.contains(&104));
    assert!(parts[0].2.get("adding_replicas").is_none());
    let c = stdout_text(
        &t.run([
            "topic",
            "reassign",
            "--cancel",
            "--reassignment-json-file",
            &plan,
        ])
        .success(),
    );
    assert_eq!(
        c,
        "None of the specified partition reassignments are active.\n"
    );
    // With 104 back the same plan runs through.
    t.run(["simulate-failure", "broker-up", "104"]).success();
    let out = stdout_text(
        &t.run([
            "topic",
            "reassign",
            "--execute",
            "--reassignment-json-file",
            &plan,
        ])
        .success(),
    );
    assert!(
        out.contains("Reassignment of partition m-0 is completed.\n"),
        "{out}"
    );
    // 104, first in the target, leads after the preferred leader election.
    assert!(
        out.contains("Preferred leader election: m-0 is led by 104"),
        "{out}"
    );
    assert_eq!(replicas(&t, "m")[0].2["leader"], 104);
    assert_replicas_identical(&t, "m");
}

#[test]
fn bad_plans_are_refused_with_one_line() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    t.run(["topic", "create", "m", "-p", "1"]).success();
    for (json, says, code) in [
        ("{nope", "not Kafka's reassignment JSON", 2),
        (
            r#"{"version":1,"partitions":[{"topic":"m","partition":0,"replicas":[101,101]}]}"#,
            "duplicate entries",
            2,
        ),
        (
            r#"{"version":1,"partitions":[{"topic":"m","partition":0,"replicas":[109]}]}"#,
            "unknown broker id 109",
            2,
        ),
        (
            r#"{"version":1,"partitions":[{"topic":"m","partition":0,"replicas":[101],"log_dirs":["/x"]}]}"#,
            "only \"any\"",
            2,
        ),
        (
            r#"{"version":1,"partitions":[{"topic":"nope","partition":0,"replicas":[101]}]}"#,
            "does not exist",
            4,
        ),
    ] {
        let plan = write(&t, "bad.json", json);
        let a = t
            .run([
                "topic",
                "reassign",
                "--execute",
                "--reassignment-json-file",
                &plan,
            ])
            .code(code);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(err.contains(says), "{json}: {err}");
        assert_eq!(
            err.lines().filter(|l| l.starts_with("filka:")).count(),
            1,
            "{err}"
        );
    }
    // Nothing moved.
    assert_eq!(replicas(&t, "m")[0].1.len(), 3);
}

/// A producer of `n` lines `w{id}-{i}` at a steady pace, acks=all with idempotence.
fn producer(t: &TestCluster, id: usize, n: usize) -> (Child, std::thread::JoinHandle<()>) {
    let mut child = Command::new(FILKA)
        .arg("--cluster")
        .arg(t.data())
        .args([
            "produce",
            "-t",
            "moving",
            "--acks",
            "all",
            "--batch-size",
            "1",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(t.path().join(format!("p{id}.err"))).unwrap())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for i in 0..n {
            writeln!(stdin, "w{id}-{i}").unwrap();
            stdin.flush().unwrap();
            if i % 20 == 0 {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    });
    (child, feeder)
}

/// Issue 16's proof: every partition of a topic moves while two acks=all producers and a
/// consumer group run, and the process moving it is killed again and again (SIGKILL) at
/// whatever step it is in; the next `--verify` carries the move on from the metadata log.
/// At the end: every acknowledged record is there exactly once, the group read them all,
/// and every replica is byte-identical.
#[test]
fn a_move_killed_again_and_again_loses_nothing_while_clients_run() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    t.run(["topic", "create", "moving", "-p", "4"]).success();
    // Enough data that a throttled copy takes a while (2.5 MB a partition).
    let pre = 140_000;
    let preload: String = (0..pre)
        .map(|i| format!("pre-{i}-{}\n", "x".repeat(60)))
        .collect();
    t.produce("moving", preload, &[]).success();
    t.run(["broker", "add"]).success();
    t.run(["broker", "add"]).success();
    let plan = generate(&t, "moving", "102,103,104,105", "plan.json");

    let group_out = t.path().join("group.out");
    let mut member = Command::new(FILKA)
        .arg("--cluster")
        .arg(t.data())
        .args([
            "consume",
            "-t",
            "moving",
            "-g",
            "g",
            "-f",
            "--offset",
            "beginning",
            "--auto-commit-interval-ms",
            "100",
        ])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&group_out).unwrap())
        .stderr(std::fs::File::create(group_out.with_extension("err")).unwrap())
        .spawn()
        .unwrap();
    let per = 1500;
    let producers: Vec<_> = (0..2).map(|id| producer(&t, id, per)).collect();

    // The move starts (its state is in the metadata log from here on), throttled: every
    // process copying shares the rate...
    t.run([
        "topic",
        "reassign",
        "--execute",
        "--reassignment-json-file",
        &plan,
        "--no-wait",
        "--throttle",
        "2000000",
    ])
    .success();
    let moving_now = |t: &TestCluster| {
        replicas(t, "moving")
            .iter()
            .any(|(_, _, p)| p.get("adding_replicas").is_some())
    };
    // ...and the process carrying it on is killed (SIGKILL) at whatever step it is in, again
    // and again; each next one carries on from the metadata log.
    let mut kills_mid_move = 0;
    for wait in [60, 150, 250, 400, 90, 700, 1000] {
        if !moving_now(&t) {
            break;
        }
        let mut c = Command::new(FILKA)
            .arg("--cluster")
            .arg(t.data())
            .args([
                "topic",
                "reassign",
                "--verify",
                "--reassignment-json-file",
                &plan,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(wait));
        if c.try_wait().unwrap().is_none() {
            c.kill().unwrap();
            kills_mid_move += 1;
        }
        c.wait().unwrap();
    }
    assert!(
        kills_mid_move >= 2,
        "only {kills_mid_move} kills during the move"
    );
    let v = stdout_text(
        &t.run([
            "topic",
            "reassign",
            "--verify",
            "--reassignment-json-file",
            &plan,
        ])
        .success(),
    );
    assert_eq!(v.matches("is completed.").count(), 4, "{v}");

    for (mut child, feeder) in producers {
        feeder.join().unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "a producer failed during the move");
    }
    // Every acknowledged record is there once.
    let got = values(&t, "moving");
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &got {
        *counts.entry(v.as_str()).or_default() += 1;
    }
    let dups: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        dups.is_empty(),
        "duplicates: {:?}",
        &dups[..dups.len().min(5)]
    );
    for id in 0..2 {
        for i in 0..per {
            let v = format!("w{id}-{i}");
            assert!(counts.contains_key(v.as_str()), "acknowledged {v} lost");
        }
    }
    assert_eq!(got.len(), pre + 2 * per);
    // The group read everything (at least once).
    let start = Instant::now();
    loop {
        let read: BTreeSet<String> = std::fs::read_to_string(&group_out)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        if read.len() == got.len() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the group read {} of {} records",
            read.len(),
            got.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    member.kill().unwrap();
    member.wait().unwrap();
    for (_, r, p) in replicas(&t, "moving") {
        assert!(!r.contains(&101), "{r:?}");
        assert!(p.get("adding_replicas").is_none());
    }
    assert_replicas_identical(&t, "moving");
}

/// Broke: a new replica (log end 0) of a partition whose leader's log starts later
/// (retention deleted its first segments) was refused every batch ("replicated batch starts
/// at offset 24956 but the log ends at 0"), so the move never completed. It now starts its
/// log at the leader's log start, as a Kafka follower told OFFSET_OUT_OF_RANGE does.
#[test]
fn a_new_replica_starts_at_the_leaders_log_start_after_retention() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    t.run([
        "topic",
        "create",
        "r",
        "-p",
        "1",
        "-c",
        "segment.bytes=20000",
        "-c",
        "retention.bytes=50000",
    ])
    .success();
    let input: String = (0..30_000).map(|i| format!("{i}\n")).collect();
    t.produce("r", input, &[]).success();
    let start = replicas(&t, "r")[0].2["log_start_offset"].as_i64().unwrap();
    assert!(start > 0, "retention deleted nothing");
    t.run(["broker", "add"]).success();
    let plan = write(
        &t,
        "plan.json",
        r#"{"version":1,"partitions":[{"topic":"r","partition":0,"replicas":[104,102,103]}]}"#,
    );
    t.run([
        "topic",
        "reassign",
        "--execute",
        "--reassignment-json-file",
        &plan,
    ])
    .success();
    let p = &replicas(&t, "r")[0];
    assert_eq!(p.1, vec![104, 102, 103]);
    assert_eq!(p.2["leader"], 104);
    assert_eq!(p.2["log_start_offset"], start);
    assert_replicas_identical(&t, "r");
    let got = t.values("r");
    assert_eq!(
        got.first().map(String::as_str),
        Some(start.to_string().as_str())
    );
    assert_eq!(got.len() as i64, 30_000 - start);
}

/// `--throttle` limits the rate the mover copies at (Kafka's inter-broker throttle): about
/// 3 MB at 1 MB/s takes some 3 seconds, where the same move unthrottled takes a fraction.
#[test]
fn the_throttle_limits_the_copy_rate() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    t.run(["topic", "create", "big", "-p", "1", "-r", "1"])
        .success();
    let input: String = (0..30_000)
        .map(|i| format!("{i}-{}\n", "y".repeat(90)))
        .collect();
    t.produce("big", input, &[]).success();
    let size = replicas(&t, "big")[0].2["size"].as_u64().unwrap();
    assert!(size > 2_500_000, "{size} bytes");
    let plan = write(
        &t,
        "plan.json",
        r#"{"version":1,"partitions":[{"topic":"big","partition":0,"replicas":[102]}]}"#,
    );
    let start = Instant::now();
    let out = stdout_text(
        &t.run([
            "topic",
            "reassign",
            "--execute",
            "--reassignment-json-file",
            &plan,
            "--throttle",
            "1000000",
        ])
        .success(),
    );
    let took = start.elapsed();
    assert!(
        out.contains("The inter-broker throttle limit was set to 1000000 B/s"),
        "{out}"
    );
    assert!(
        out.contains("Reassignment of partition big-0 is completed."),
        "{out}"
    );
    assert!(
        took >= Duration::from_millis(size * 1000 / 1_000_000 - 1200),
        "{size} bytes at 1 MB/s in {took:?}"
    );
    assert_eq!(replicas(&t, "big")[0].1, vec![102]);
    assert_eq!(t.values("big").len(), 30_000);
}

/// A `broker add` killed after it made the folder but before it registered the broker, and
/// a `broker remove` killed after it unregistered the broker but before it deleted the
/// folder, leave a folder the next `broker add` / `broker remove` finishes with; a folder of
/// someone else's data is never taken or deleted.
#[test]
fn a_killed_add_or_remove_is_finished_by_the_next_one() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    let data = t.data();
    let meta = std::fs::read_to_string(data.join("broker-103/meta.properties")).unwrap();
    // What a killed add leaves: meta.properties and empty checkpoints, no registration.
    std::fs::create_dir(data.join("broker-104")).unwrap();
    std::fs::write(
        data.join("broker-104/meta.properties"),
        meta.replace("node.id=103", "node.id=104"),
    )
    .unwrap();
    std::fs::write(
        data.join("broker-104/recovery-point-offset-checkpoint"),
        "0\n0\n",
    )
    .unwrap();
    let out = stdout_text(&t.run(["broker", "add"]).success());
    assert!(out.starts_with("Added broker 104 ("), "{out}");
    // What a killed remove leaves: the folder of a broker no longer registered.
    let kept = std::fs::read_to_string(data.join("broker-104/meta.properties")).unwrap();
    t.run(["broker", "remove", "104"]).success();
    std::fs::create_dir(data.join("broker-104")).unwrap();
    std::fs::write(data.join("broker-104/meta.properties"), kept).unwrap();
    t.run(["broker", "remove", "104"]).success();
    assert!(!data.join("broker-104").exists());
    // Someone else's folder: refused both ways, kept.
    std::fs::create_dir_all(data.join("broker-105/mine")).unwrap();
    t.run(["broker", "add", "--id", "105"]).code(2);
    t.run(["broker", "remove", "105"]).code(2);
    assert!(data.join("broker-105/mine").exists());
}

/// As Kafka's tool: a plan while a move runs is refused unless --additional, the same plan
/// again too (with --additional it carries its move on, or changes its throttle).
#[test]
fn another_plan_while_a_move_runs_needs_additional() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    t.run(["topic", "create", "a", "-p", "2"]).success();
    t.run(["broker", "add"]).success();
    t.run(["simulate-failure", "broker-down", "104"]).success();
    let first = write(
        &t,
        "first.json",
        r#"{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[104,102,103]}]}"#,
    );
    let second = write(
        &t,
        "second.json",
        r#"{"version":1,"partitions":[{"topic":"a","partition":1,"replicas":[101,102]}]}"#,
    );
    let run = |plan: &str, extra: &[&str]| {
        let mut args = vec![
            "topic",
            "reassign",
            "--execute",
            "--reassignment-json-file",
            plan,
        ];
        args.extend_from_slice(extra);
        t.run(args)
    };
    run(&first, &["--no-wait"]).success();
    let e = run(&second, &[]).code(2);
    let err = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(
        err.contains("Cannot execute because there is an existing partition assignment."),
        "{err}"
    );
    // The same plan again: refused too, as Kafka's tool refuses it...
    let e = run(&first, &[]).code(2);
    let err = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(
        err.contains("can also be used to change the throttle by resubmitting"),
        "{err}"
    );
    // ...and goes on with --additional (104 is still down: exit 15, still started).
    run(&first, &["--additional"]).code(15);
    let out = stdout_text(&run(&second, &["--additional"]).success());
    assert!(
        out.contains("Reassignment of partition a-1 is completed."),
        "{out}"
    );
    assert_eq!(replicas(&t, "a")[1].1, vec![101, 102]);
    assert_eq!(
        replicas(&t, "a")[0].2["adding_replicas"],
        serde_json::json!([104])
    );
}

/// The lines of `describe history` about configs.
fn config_history(t: &TestCluster) -> Vec<String> {
    stdout_text(&t.run(["describe", "history"]).success())
        .lines()
        .filter(|l| l.contains(" config "))
        .map(str::to_string)
        .collect()
}

/// `--execute --throttle` stores Kafka's throttle configs (the rates as per-broker dynamic
/// configs of every broker involved, the topic's throttled replica lists in Kafka's
/// `partition:broker` form), `--additional --throttle` on the running move changes the rate,
/// and `--verify` on the completed move removes them all with Kafka's lines.
#[test]
fn the_throttle_is_stored_as_kafka_stores_it_and_verify_removes_it() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    t.run(["topic", "create", "th", "-p", "2"]).success();
    t.produce("th", "a\nb\nc\n".to_string(), &[]).success();
    t.run(["broker", "add"]).success();
    // 104 down holds the move started.
    t.run(["simulate-failure", "broker-down", "104"]).success();
    let plan = write(
        &t,
        "plan.json",
        r#"{"version":1,"partitions":[{"topic":"th","partition":1,"replicas":[104,102,103]}]}"#,
    );
    let exec = |extra: &[&str]| {
        let mut args = vec![
            "topic",
            "reassign",
            "--execute",
            "--reassignment-json-file",
            &plan,
            "--no-wait",
        ];
        args.extend_from_slice(extra);
        stdout_text(&t.run(args).success())
    };
    let out = exec(&["--throttle", "5000"]);
    assert!(
        out.contains(
            "Warning: You must run --verify periodically, until the reassignment completes, to \
             ensure the throttle is removed.\nThe inter-broker throttle limit was set to 5000 B/s\n"
        ),
        "{out}"
    );
    let header = stdout_text(&t.run(["describe", "topic", "th"]).success());
    // Kafka's tool: leader throttles on the replicas copied from, follower throttles on
    // the ones copied to.
    assert!(
        header.contains(
            "Configs: follower.replication.throttled.replicas=1:104,\
             leader.replication.throttled.replicas=1:101,1:102,1:103"
        ),
        "{header}"
    );
    let h = config_history(&t);
    for b in [101, 102, 103, 104] {
        for k in ["leader", "follower"] {
            let line = format!("broker {b} config {k}.replication.throttled.rate=5000");
            assert!(h.iter().any(|l| l.ends_with(&line)), "{line}: {h:#?}");
        }
    }
    let brokers = stdout_text(&t.run(["describe", "brokers"]).success());
    assert!(
        brokers.contains(
            "Broker 104 configs: follower.replication.throttled.rate=5000,\
             leader.replication.throttled.rate=5000"
        ),
        "{brokers}"
    );
    // The rate changes on the running move (Kafka: with --additional).
    exec(&["--additional", "--throttle", "7000"]);
    let h = config_history(&t);
    assert!(
        h.iter()
            .any(|l| l.ends_with("broker 104 config follower.replication.throttled.rate=7000")),
        "{h:#?}"
    );
    // A --verify before the move completes keeps the throttle.
    let v = t
        .run([
            "topic",
            "reassign",
            "--verify",
            "--reassignment-json-file",
            &plan,
        ])
        .code(15);
    assert!(!stdout_text(&v).contains("Clearing"));
    t.run(["simulate-failure", "broker-up", "104"]).success();
    let v = stdout_text(
        &t.run([
            "topic",
            "reassign",
            "--verify",
            "--reassignment-json-file",
            &plan,
        ])
        .success(),
    );
    assert!(
        v.contains(
            "Reassignment of partition th-1 is completed.\n\
             Clearing broker-level throttles on brokers 101,102,103,104\n\
             Clearing topic-level throttles on topic th\n"
        ),
        "{v}"
    );
    let header = stdout_text(&t.run(["describe", "topic", "th"]).success());
    assert!(!header.contains("throttled"), "{header}");
    let brokers = stdout_text(&t.run(["describe", "brokers"]).success());
    assert!(!brokers.contains("configs"), "{brokers}");
    let h = config_history(&t);
    for b in [101, 102, 103, 104] {
        let line = format!("broker {b} config leader.replication.throttled.rate removed");
        assert!(h.iter().any(|l| l.ends_with(&line)), "{line}: {h:#?}");
    }
}

/// The bytes of `dir`'s segment files.
fn log_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |d| {
        d.map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "log"))
            .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
            .sum()
    })
}

/// The throttle holds across processes: with a move started throttled (--no-wait), producers
/// writing the moving partition copy to the new replica within the shared rate, where
/// before each write copied 1 MiB to it unthrottled. Bytes are measured on disk between two
/// moments the test takes, against the rate over that time plus a window's allowance and
/// batches' overshoot: a slow machine only copies less.
#[test]
fn the_throttle_holds_for_every_process_copying() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    t.run(["topic", "create", "big", "-p", "1", "-r", "1"])
        .success();
    let input: String = (0..40_000)
        .map(|i| format!("{i}-{}\n", "y".repeat(90)))
        .collect();
    t.produce("big", input, &[]).success();
    let leader_size = log_size(&t.data().join("broker-101/big-0"));
    assert!(leader_size > 3_500_000, "{leader_size} bytes");
    let plan = write(
        &t,
        "plan.json",
        r#"{"version":1,"partitions":[{"topic":"big","partition":0,"replicas":[102]}]}"#,
    );
    let rate: u64 = 100_000;
    t.run([
        "topic",
        "reassign",
        "--execute",
        "--reassignment-json-file",
        &plan,
        "--no-wait",
        "--throttle",
        &rate.to_string(),
    ])
    .success();
    let target = t.data().join("broker-102/big-0");
    let start = Instant::now();
    let before = log_size(&target);
    let mut writes = 0;
    while start.elapsed() < Duration::from_secs(3) {
        t.produce("big", format!("w{writes}\n"), &[]).success();
        writes += 1;
    }
    let after = log_size(&target);
    let secs = start.elapsed().as_secs_f64();
    let copied = after - before;
    // A window's allowance (1 s of the rate) may go at once, and a whole batch past a
    // grant; the preload's batches are at most 1 MiB... in practice 16 KiB (batch.size).
    let bound = (rate as f64 * (secs + 1.0)) as u64 + 2 * 65_536;
    assert!(writes >= 3, "{writes} writes");
    assert!(
        copied <= bound,
        "{copied} bytes copied in {secs:.1} s by {writes} writes at {rate} B/s (at most {bound})"
    );
    assert!(copied > 0, "nothing copied in {secs:.1} s");
    assert!(
        t.data().join("broker-102/replication-quota").is_file(),
        "the follower's quota record"
    );
    // The move is not done, and still moving.
    assert!(after < leader_size);
}

/// Regression: a move completed by a producer's write (no `topic reassign` run after
/// `--no-wait`) left the removed replicas' folders until the next `topic reassign`. The
/// write that completes it deletes them, as Kafka's StopReplica(delete=true).
#[test]
fn a_move_completed_by_a_producer_deletes_the_removed_replicas() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    t.run(["topic", "create", "pm", "-p", "1"]).success();
    t.produce("pm", "a\nb\nc\n".to_string(), &[]).success();
    t.run(["broker", "add"]).success();
    let before = &replicas(&t, "pm")[0].1;
    let leaving = *before.iter().find(|b| **b != 102 && **b != 103).unwrap();
    let plan = write(
        &t,
        "plan.json",
        r#"{"version":1,"partitions":[{"topic":"pm","partition":0,"replicas":[104,102,103]}]}"#,
    );
    t.run([
        "topic",
        "reassign",
        "--execute",
        "--reassignment-json-file",
        &plan,
        "--no-wait",
    ])
    .success();
    let old = t.data().join(format!("broker-{leaving}/pm-0"));
    assert!(old.is_dir(), "still a replica while the move runs");
    // Only writes from here: the first copies to 104, which catches up and completes the
    // move in its ISR change.
    for i in 0..3 {
        t.produce("pm", format!("w{i}\n"), &[]).success();
    }
    let (_, now, p) = &replicas(&t, "pm")[0];
    assert_eq!(now, &vec![104, 102, 103], "{p}");
    assert!(!old.exists(), "{} left behind", old.display());
    let cp = std::fs::read_to_string(
        t.data()
            .join(format!("broker-{leaving}/recovery-point-offset-checkpoint")),
    )
    .unwrap();
    assert!(!cp.contains("pm 0"), "{cp}");
    assert_replicas_identical(&t, "pm");
    assert_eq!(t.values("pm").len(), 6);
}

/// A move of many partitions commits the completions one pass finds in one metadata change
/// (one batch of the metadata log), where it took one commit per partition (300
/// partitions over 5 brokers took 35 s).
#[test]
fn the_completions_of_one_pass_are_one_metadata_commit() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    t.run(["topic", "create", "many", "-p", "12"]).success();
    t.produce("many", "a\nb\nc\nd\n".to_string(), &[]).success();
    t.run(["broker", "add"]).success();
    let plan = generate(&t, "many", "101,102,103,104", "plan.json");
    t.run([
        "topic",
        "reassign",
        "--execute",
        "--reassignment-json-file",
        &plan,
    ])
    .success();
    // The completions a pass's ISR expansions made.
    let history = json_lines(&t.run(["describe", "history", "--output", "json"]).success());
    let done: Vec<i64> = history
        .iter()
        .filter(|r| {
            let d = r["details"].as_str().unwrap_or("");
            d.contains("completed") && d.contains("ISR expand")
        })
        .map(|r| r["offset"].as_i64().unwrap())
        .collect();
    assert!(done.len() >= 6, "{done:?}");
    let (first, last) = (done[0], done[done.len() - 1]);
    // Kafka's own dump of the metadata log: one batch holds them all.
    let dump = stdout_text(
        &t.run([
            "dump",
            t.data()
                .join("broker-101/__cluster_metadata-0/00000000000000000000.log")
                .to_str()
                .unwrap(),
        ])
        .success(),
    );
    let batch = dump.lines().find_map(|l| {
        let num =
            |k: &str| -> Option<i64> { l.split(k).nth(1)?.split_whitespace().next()?.parse().ok() };
        let (b, e) = (num("baseOffset: ")?, num("lastOffset: ")?);
        (b <= first && first <= e).then_some((b, e))
    });
    let (b, e) = batch.expect("the batch of the first completion");
    assert!(
        b <= first && last <= e,
        "completions at {done:?}, batch {b}..{e}"
    );
}
