//! The exit-code table, proved: every code `filka --help` documents is produced by a real
//! command, once each, with one line on stderr saying what happened (`filka: ...`).
//! A code no path produces leaves the table; a new code gets its row here.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use filka::error::ExitCode;

use crate::harness::{FILKA, TestCluster};

/// One row: how the code is produced and a piece of the line stderr must say.
struct Case {
    code: ExitCode,
    says: &'static str,
    /// stderr of the command that produced it.
    stderr: String,
}

/// Runs `filka --cluster <data> ARGS` with `input` on stdin; returns (code, stderr).
fn run(t: &TestCluster, args: &[&str], input: &str) -> (i32, String) {
    let out = t
        .cmd()
        .args(args)
        .write_stdin(input.as_bytes().to_vec())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn expect(t: &TestCluster, args: &[&str], input: &str, code: ExitCode, says: &'static str) -> Case {
    let (got, stderr) = run(t, args, input);
    assert_eq!(got, code.code(), "{args:?} should exit {code}:\n{stderr}");
    Case { code, says, stderr }
}

/// A producer holding transactional id `tx` is fenced by a newer holder: its next write
/// is refused, exit 9.
fn fenced(t: &TestCluster) -> Case {
    t.run(["topic", "create", "fence", "-p", "1", "-r", "1"])
        .success();
    let mut first = Command::new(FILKA)
        .arg("--cluster")
        .arg(t.data())
        .args([
            "produce",
            "-t",
            "fence",
            "--transactional-id",
            "tx",
            "--transaction-records",
            "1",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = first.stdin.take().unwrap();
    stdin.write_all(b"a\n").unwrap();
    stdin.flush().unwrap();
    // Once its first record is in the log, it holds the id.
    let start = Instant::now();
    while t.values("fence").is_empty() {
        assert!(start.elapsed() < Duration::from_secs(60), "never committed");
        std::thread::sleep(Duration::from_millis(20));
    }
    // A new holder of the id fences it.
    t.produce("fence", "b\n", &["--transactional-id", "tx"])
        .success();
    stdin.write_all(b"c\n").unwrap();
    drop(stdin);
    let out = first.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(ExitCode::Fenced.code()),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Case {
        code: ExitCode::Fenced,
        says: "fenced",
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn every_documented_exit_code_is_produced_by_a_real_path() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    let mut cases = vec![
        expect(&t, &["topic", "list"], "", ExitCode::Success, ""),
        expect(
            &t,
            &["consume", "-t", "a", "-t", "b"],
            "",
            ExitCode::Usage,
            "only with --group",
        ),
        expect(
            &t,
            &["consume", "-t", "nope"],
            "",
            ExitCode::NotFound,
            "does not exist",
        ),
        expect(
            &t,
            &["produce", "-t", "in", "--input-format", "envelope"],
            "{not json\n",
            ExitCode::InvalidInput,
            "line 1",
        ),
    ];

    // 15: a move to a broker that is down cannot complete; it stays started.
    let moving = TestCluster::new();
    moving.run(["init"]).success();
    moving
        .run(["topic", "create", "m", "-p", "1", "-r", "1"])
        .success();
    moving.run(["broker", "add"]).success();
    moving
        .run(["simulate-failure", "broker-down", "104"])
        .success();
    let plan = moving.path().join("plan.json");
    std::fs::write(
        &plan,
        r#"{"version":1,"partitions":[{"topic":"m","partition":0,"replicas":[104]}]}"#,
    )
    .unwrap();
    cases.push(expect(
        &moving,
        &[
            "topic",
            "reassign",
            "--execute",
            "--reassignment-json-file",
            plan.to_str().unwrap(),
        ],
        "",
        ExitCode::InProgress,
        "adding replica 104's broker is down",
    ));

    // 3: a segment that is not one.
    std::fs::write(t.path().join("00000000000000000000.log"), [0xffu8; 80]).unwrap();
    cases.push(expect(
        &t,
        &["dump", "--verify", "00000000000000000000.log"],
        "",
        ExitCode::Corrupt,
        "problems found in 1 of 1 files",
    ));

    // 8: nothing arrives within --timeout-ms.
    t.run(["topic", "create", "quiet", "-p", "1"]).success();
    cases.push(expect(
        &t,
        &["consume", "-t", "quiet", "--timeout-ms", "300"],
        "",
        ExitCode::Timeout,
        "no record arrived within 300 ms",
    ));

    // 10: pipe's command fails.
    t.produce("in", "x\n", &[]).success();
    cases.push(expect(
        &t,
        &[
            "pipe", "--from", "in", "--to", "out", "--group", "g", "--", "false",
        ],
        "",
        ExitCode::CommandFailed,
        "false",
    ));

    // 12: a schema that breaks its subject's BACKWARD mode.
    let v1 = t.path().join("v1.avsc");
    let v2 = t.path().join("v2.avsc");
    std::fs::write(
        &v1,
        r#"{"type":"record","name":"T","fields":[{"name":"a","type":"int"}]}"#,
    )
    .unwrap();
    std::fs::write(
        &v2,
        r#"{"type":"record","name":"T","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}"#,
    )
    .unwrap();
    t.run(["schema", "register", "s", "--file", v1.to_str().unwrap()])
        .success();
    cases.push(expect(
        &t,
        &["schema", "register", "s", "--file", v2.to_str().unwrap()],
        "",
        ExitCode::Incompatible,
        "not BACKWARD compatible",
    ));

    cases.push(fenced(&t));

    // 13 then 6: followers paused, then out of the ISR after the leader's append; the next
    // write is refused before its append.
    t.run([
        "topic",
        "create",
        "isr",
        "-p",
        "1",
        "-r",
        "3",
        "-c",
        "min.insync.replicas=2",
        "-c",
        "replica.lag.time.max.ms=300",
    ])
    .success();
    t.produce("isr", "before\n", &[]).success();
    let leader = t.open_cluster().partition("isr", 0).unwrap().leader;
    for b in [101, 102, 103].into_iter().filter(|&b| b != leader) {
        t.run(["simulate-failure", "pause-replication", &b.to_string()])
            .success();
    }
    cases.push(expect(
        &t,
        &["produce", "-t", "isr"],
        "after\n",
        ExitCode::NotAcknowledged,
        "not acknowledged",
    ));
    cases.push(expect(
        &t,
        &["produce", "-t", "isr"],
        "refused\n",
        ExitCode::NotEnoughReplicas,
        "not enough in-sync replicas",
    ));

    // 7, then 1: the only replica's broker goes down; taking it down again is refused.
    t.run(["topic", "create", "solo", "-p", "1", "-r", "1"])
        .success();
    let only = t
        .open_cluster()
        .partition("solo", 0)
        .unwrap()
        .leader
        .to_string();
    t.run(["simulate-failure", "broker-down", &only]).success();
    cases.push(expect(
        &t,
        &["consume", "-t", "solo"],
        "",
        ExitCode::Offline,
        "no leader",
    ));
    cases.push(expect(
        &t,
        &["simulate-failure", "broker-down", &only],
        "",
        ExitCode::Failure,
        "already down",
    ));

    // 14: a second of the three controllers (combined mode: every broker is one) goes down;
    // no majority of the voters runs, so not even its fence can be committed.
    let another = [101, 102, 103]
        .into_iter()
        .map(|b| b.to_string())
        .find(|b| *b != only)
        .unwrap();
    cases.push(expect(
        &t,
        &["simulate-failure", "broker-down", &another],
        "",
        ExitCode::NoQuorum,
        "no controller quorum",
    ));

    // 11: a Kafka cluster that is not there (the mirror exists with the `kafka` feature;
    // without it the command says how to build it, exit 2, tested in cli_basics).
    #[cfg(feature = "kafka")]
    cases.push(expect(
        &t,
        &[
            "mirror",
            "--to-kafka",
            "127.0.0.1:1",
            "-t",
            "in",
            "--timeout-ms",
            "1000",
        ],
        "",
        ExitCode::Remote,
        "127.0.0.1:1",
    ));

    let mut seen: BTreeMap<i32, &Case> = BTreeMap::new();
    for case in &cases {
        seen.insert(case.code.code(), case);
        if case.code == ExitCode::Success {
            continue;
        }
        let lines: Vec<&str> = case.stderr.lines().collect();
        let last = lines.last().copied().unwrap_or("");
        assert!(
            last.starts_with("filka: ") && last.contains(case.says),
            "exit {}: stderr's last line should be `filka: ...{}...`:\n{}",
            case.code,
            case.says,
            case.stderr
        );
    }
    for code in ExitCode::ALL {
        if cfg!(not(feature = "kafka")) && *code == ExitCode::Remote {
            continue;
        }
        assert!(
            seen.contains_key(&code.code()),
            "exit code {code} is documented but no case produces it"
        );
    }
}

/// `consume --timeout-ms` waits as -f does, writes what arrived, and exits 8 once nothing
/// more came for that long; with -c reached first it exits 0.
#[test]
fn consume_timeout_writes_what_was_read_then_exits_8() {
    let t = TestCluster::new();
    t.run(["topic", "create", "t", "-p", "2"]).success();
    t.produce("t", "a\nb\n", &[]).success();
    let started = Instant::now();
    let (code, stderr) = run(&t, &["consume", "-t", "t", "--timeout-ms", "400"], "");
    assert_eq!(code, ExitCode::Timeout.code(), "{stderr}");
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert!(
        stderr.contains("no record arrived within 400 ms (--timeout-ms), after 2 records"),
        "{stderr}"
    );
    let out = t
        .run(["consume", "-t", "t", "--timeout-ms", "400", "-c", "2"])
        .success();
    let mut values: Vec<String> = crate::harness::stdout_text(&out)
        .lines()
        .map(str::to_owned)
        .collect();
    values.sort();
    assert_eq!(values, ["a", "b"]);
    // The records written before the timeout reach stdout.
    let out = t
        .cmd()
        .args(["consume", "-t", "t", "--timeout-ms", "300"])
        .assert()
        .code(ExitCode::Timeout.code());
    assert_eq!(crate::harness::stdout_text(&out).lines().count(), 2);

    // As a group member: it reads, commits at exit, then exits 8.
    let (code, stderr) = run(
        &t,
        &[
            "consume",
            "-t",
            "t",
            "-g",
            "g",
            "-o",
            "beginning",
            "--timeout-ms",
            "400",
        ],
        "",
    );
    assert_eq!(code, ExitCode::Timeout.code(), "{stderr}");
    assert!(stderr.contains("after 2 records"), "{stderr}");
    let out = t
        .run(["--output", "json", "group", "describe", "g"])
        .success();
    let lag: u64 = crate::harness::json_lines(&out)
        .iter()
        .map(|v| v["lag"].as_u64().unwrap())
        .sum();
    assert_eq!(lag, 0, "the member committed what it read before exiting 8");
}
