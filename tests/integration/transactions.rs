//! Exactly-once: transactional produce, read_committed consumers, `filka transactions`,
//! and `filka pipe` killed at random moments (its output under read_committed holds each
//! input record's result exactly once, in per-partition order).

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{FILKA, TestCluster, json_lines, stderr_lines, stdout_text};

/// Values of `topic` per partition, in offset order, at `isolation`.
fn by_partition(tc: &TestCluster, topic: &str, isolation: &str) -> BTreeMap<u32, Vec<String>> {
    let out = tc
        .consume(["-t", topic, "--isolation", isolation, "--output", "json"])
        .success();
    let mut m: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for v in json_lines(&out) {
        m.entry(v["partition"].as_u64().unwrap() as u32)
            .or_default()
            .push(v["value"].as_str().unwrap().to_string());
    }
    m
}

fn spawn(tc: &TestCluster, args: &[&str]) -> Child {
    Command::new(FILKA)
        .arg("--cluster")
        .arg(tc.data())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// A small deterministic generator (no rand dependency in the tests).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn aborted_records_are_seen_by_read_uncommitted_only() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "t", "-p", "1"]).success();
    tc.produce("t", "a\nb\n", &["--transactional-id", "tx"])
        .success();
    // More than a produce request holds (1 MiB), so some batches are written before a
    // malformed line aborts the transaction.
    let mut input: String = (0..300_000).map(|i| format!("{i}\n")).collect();
    input.push_str("not-a-number\n");
    let a = tc
        .produce(
            "t",
            input,
            &["--transactional-id", "tx", "--value-format", "int"],
        )
        .code(5);
    let err = stderr_lines(&a).join("\n");
    assert!(err.contains("the open transaction was aborted"), "{err}");
    let uncommitted = tc.consume(["-t", "t", "--format", "%V\\n"]).success();
    let sizes = stdout_text(&uncommitted);
    assert!(
        sizes.lines().filter(|l| *l == "4").count() > 10_000,
        "the aborted ints were written"
    );
    assert_eq!(by_partition(&tc, "t", "read_committed")[&0], ["a", "b"]);
    // The abort is in the partition's .txnindex, and dump shows it and the markers.
    let dir = tc.data().join("broker-101/t-0");
    let dump = stdout_text(
        &tc.run([
            "dump",
            dir.join("00000000000000000000.txnindex").to_str().unwrap(),
        ])
        .success(),
    );
    assert!(dump.contains("version: 0 producerId:"), "{dump}");
    let log = stdout_text(
        &tc.run([
            "dump",
            dir.join("00000000000000000000.log").to_str().unwrap(),
            "--print-data",
        ])
        .success(),
    );
    assert!(
        log.contains("endTxnMarker: COMMIT") && log.contains("endTxnMarker: ABORT"),
        "{log}"
    );
}

#[test]
fn a_transactional_produce_killed_midway_leaves_nothing_visible() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "t", "-p", "2"]).success();
    // The input is a pipe this test keeps open: the producer cannot reach the end of its
    // input (and commit) before it is killed, however fast it is.
    let mut child = Command::new(FILKA)
        .arg("--cluster")
        .arg(tc.data())
        .args([
            "produce",
            "-t",
            "t",
            "--transactional-id",
            "big",
            "--batch-size",
            "1000",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let lines: String = (0..100_000).map(|i| format!("v-{i}\n")).collect();
    stdin.write_all(lines.as_bytes()).unwrap();
    stdin.flush().unwrap();
    // Kill it once it has written (the partitions grow) but before it is done.
    let start = Instant::now();
    loop {
        let grown = tc
            .run(["describe", "topic", "t", "--output", "json"])
            .get_output()
            .stdout
            .clone();
        if String::from_utf8_lossy(&grown).contains("\"log_end_offset\":") {
            let v = json_lines(
                &tc.run(["describe", "topic", "t", "--output", "json"])
                    .success(),
            );
            let ends: i64 = v[0]["partitions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["log_end_offset"].as_i64().unwrap_or(0))
                .sum();
            if ends > 1000 {
                break;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "nothing was written"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    let uncommitted: usize = by_partition(&tc, "t", "read_uncommitted")
        .values()
        .map(Vec::len)
        .sum();
    assert!(
        uncommitted > 1000 && uncommitted <= 100_000,
        "{uncommitted}"
    );
    // read_committed aborts what the dead producer left open, then sees nothing of it.
    assert!(by_partition(&tc, "t", "read_committed").is_empty());
    let list = json_lines(
        &tc.run(["transactions", "list", "--output", "json"])
            .success(),
    );
    assert_eq!(list[0]["transactional_id"], "big");
    assert_eq!(list[0]["state"], "CompleteAbort");
}

#[test]
fn transactions_describe_shows_state_producers_and_abort_fences() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "t", "-p", "1"]).success();
    tc.produce("t", "x\n", &["--transactional-id", "t1"])
        .success();
    let d = json_lines(
        &tc.run(["transactions", "describe", "t1", "--output", "json"])
            .success(),
    );
    assert_eq!(d[0]["state"], "CompleteCommit");
    assert_eq!(d[0]["producer_epoch"], 0);
    let producers = json_lines(
        &tc.run([
            "transactions",
            "describe-producers",
            "-t",
            "t",
            "-p",
            "0",
            "--output",
            "json",
        ])
        .success(),
    );
    assert_eq!(producers.len(), 1);
    assert_eq!(producers[0]["producer_id"], d[0]["producer_id"]);
    assert_eq!(producers[0]["last_sequence"], 0);
    assert_eq!(
        producers[0]["current_transaction_start_offset"],
        serde_json::Value::Null
    );
    // Nothing open: abort says so.
    tc.run(["transactions", "abort", "--transactional-id", "t1"])
        .code(4);
    tc.run(["transactions", "describe", "nope"]).code(4);
    // A second producer with the id bumps the epoch.
    tc.produce("t", "y\n", &["--transactional-id", "t1"])
        .success();
    let d = json_lines(
        &tc.run(["transactions", "describe", "t1", "--output", "json"])
            .success(),
    );
    assert_eq!(d[0]["producer_epoch"], 1);
    let text = stdout_text(&tc.run(["describe", "partition", "t", "0"]).success());
    assert!(text.contains("LastStableOffset: 4"), "{text}");
}

#[test]
fn a_failing_command_aborts_its_batch_and_stops_with_exit_10() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "in", "-p", "1"]).success();
    tc.produce("in", "a\nb\nc\n", &[]).success();
    let a = tc
        .run([
            "pipe",
            "--from",
            "in",
            "--to",
            "out",
            "--group",
            "g",
            "--",
            "sh",
            "-c",
            "cat; echo 'broken transform' >&2; exit 3",
        ])
        .code(10);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        err.contains("broken transform"),
        "the command's stderr is the pipe's: {err}"
    );
    assert!(err.contains("failed"), "{err}");
    assert!(by_partition(&tc, "out", "read_committed").is_empty());
    // The group's offsets stayed: a fixed command redoes the batch.
    tc.run([
        "pipe", "--from", "in", "--to", "out", "--group", "g", "--", "tr", "a-z", "A-Z",
    ])
    .success();
    assert_eq!(
        by_partition(&tc, "out", "read_committed")[&0],
        ["A", "B", "C"]
    );
}

/// The proof: a pipe killed with SIGKILL at random moments (100 kills) and started
/// again, over 20,000 records; afterwards OUT under read_committed is the upper-cased input,
/// each record once, in per-partition order.
#[test]
fn pipe_killed_at_random_moments_outputs_each_record_exactly_once() {
    const RECORDS: usize = 20_000;
    const KILLS: usize = 100;
    let tc = TestCluster::new();
    tc.run(["topic", "create", "in", "-p", "3"]).success();
    let input: String = (0..RECORDS)
        .map(|i| format!("key-{}\trecord-{i}\n", i % 53))
        .collect();
    tc.produce("in", input, &["-K", "\\t"]).success();
    let expected: BTreeMap<u32, Vec<String>> = by_partition(&tc, "in", "read_uncommitted")
        .into_iter()
        .map(|(p, v)| (p, v.iter().map(|s| s.to_uppercase()).collect()))
        .collect();
    let args = [
        "pipe",
        "--from",
        "in",
        "--to",
        "out",
        "--group",
        "eo",
        "--batch",
        "100",
        "--session-timeout-ms",
        "2000",
        "--",
        "tr",
        "a-z",
        "A-Z",
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut kills = 0;
    let mut finished = false;
    let start = Instant::now();
    while kills < KILLS {
        let mut child = spawn(&tc, &args);
        std::thread::sleep(Duration::from_millis(20 + rng.below(200)));
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            assert!(status.success(), "the pipe failed: {err}");
            finished = true;
            break;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "too slow: {kills} kills"
        );
    }
    if !finished {
        // Started once more, it carries on to the end.
        let out = spawn(&tc, &args).wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(kills >= KILLS || finished, "{kills} kills");
    let got = by_partition(&tc, "out", "read_committed");
    assert_eq!(got.values().map(Vec::len).sum::<usize>(), RECORDS);
    assert_eq!(
        got, expected,
        "OUT (read_committed) is the input upper-cased, once each, in order"
    );
    // And its raw log holds the aborted attempts too: the kills did land mid-transaction.
    let raw: usize = by_partition(&tc, "out", "read_uncommitted")
        .values()
        .map(Vec::len)
        .sum();
    assert!(raw >= RECORDS, "{raw}");
}

#[test]
fn a_stopped_pipe_resumed_after_a_new_one_took_over_cannot_commit() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "in", "-p", "1"]).success();
    tc.produce("in", "a\nb\nc\n", &[]).success();
    let slow = [
        "pipe",
        "--from",
        "in",
        "--to",
        "out",
        "--group",
        "z",
        "--session-timeout-ms",
        "1000",
        "--",
        "sh",
        "-c",
        "sleep 2; tr a-z A-Z",
    ];
    let zombie = spawn(&tc, &slow);
    let pid = zombie.id().to_string();
    // Stop it while its command sleeps (the command is its child): it holds the batch,
    // uncommitted, and no lock.
    let start = Instant::now();
    while Command::new("pgrep")
        .args(["-P", &pid])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| !s.success())
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the command never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    Command::new("kill").args(["-STOP", &pid]).status().unwrap();
    tc.run([
        "pipe",
        "--from",
        "in",
        "--to",
        "out",
        "--group",
        "z",
        "--session-timeout-ms",
        "1000",
        "--",
        "tr",
        "a-z",
        "A-Z",
    ])
    .success();
    Command::new("kill").args(["-CONT", &pid]).status().unwrap();
    let out = zombie.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    // Fenced: by the group (it lost its partition while stopped) or by the new holder of the
    // transactional id, whichever it meets first.
    assert_eq!(out.status.code(), Some(9), "{err}");
    assert!(err.contains("refused") || err.contains("fenced"), "{err}");
    assert_eq!(
        by_partition(&tc, "out", "read_committed")[&0],
        ["A", "B", "C"]
    );
}

/// A pipe (`new-pipe`, group g) from `in` to `out` that uppercases.
const NEW_PIPE: &[&str] = &[
    "pipe",
    "--from",
    "in",
    "--to",
    "out",
    "--group",
    "g",
    "--transactional-id",
    "new-pipe",
    "--",
    "tr",
    "a-z",
    "A-Z",
];

/// Another pipe caught inside its commit: transactional id `id` has written `values` to
/// `out-0` and the group g's offset `next` of `in-0` in its open transaction.
fn pipe_inside_its_commit(
    tc: &TestCluster,
    id: &str,
    values: &[&str],
    next: i64,
) -> filka::client::producer::Producer {
    use filka::client::producer::{Producer, ProducerConfig, ProducerRecord};
    let mut p = Producer::new(tc.cluster_or_default(), "out", ProducerConfig::default()).unwrap();
    p.init_transactions(id, 60_000).unwrap();
    for v in values {
        p.send(&ProducerRecord {
            value: Some(v.as_bytes()),
            partition: Some(0),
            ..Default::default()
        })
        .unwrap();
    }
    p.flush().unwrap();
    p.send_offsets("g", &[(("in".to_string(), 0), next)])
        .unwrap();
    p
}

/// Regression (KIP-447's stable offsets): a pipe that took a partition read the group's
/// committed offset while another pipe's transaction held an offset commit for it, still
/// pending (the other pipe stopped mid-commit after its ownership check, then expelled).
/// It processed the batch again from the old offset and committed; when the other one
/// resumed and committed too, OUT held the batch twice. A new owner must wait until the
/// partition's transactional offset commits are decided, as Kafka's consumer does with
/// require_stable offset fetches.
#[test]
fn a_pipe_waits_for_an_offset_commit_pending_in_another_transaction() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "in", "-p", "1"]).success();
    tc.run(["topic", "create", "out", "-p", "1"]).success();
    tc.produce("in", "a\nb\nc\n", &[]).success();
    // The other pipe, stopped inside its commit: its output and the group's offset after
    // it are in its transaction, not committed yet.
    let mut other = pipe_inside_its_commit(&tc, "other-pipe", &["A", "B", "C"], 3);
    let pipe = spawn(&tc, NEW_PIPE);
    std::thread::sleep(Duration::from_millis(1500));
    // The other pipe resumes and commits.
    other.commit_transaction().unwrap();
    other.close().unwrap();
    let out = pipe.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        by_partition(&tc, "out", "read_committed")[&0],
        ["A", "B", "C"],
        "each input record's output once"
    );
}

/// The same with the other pipe dead (SIGKILL mid-transaction): its transaction is
/// aborted at once, and the new owner processes the batch itself, once.
#[test]
fn a_pipe_aborts_a_dead_pipes_pending_offset_commit_and_carries_on() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "in", "-p", "1"]).success();
    tc.run(["topic", "create", "out", "-p", "1"]).success();
    tc.produce("in", "a\nb\n", &[]).success();
    // Dropped at once: its holder lock is free, as after a SIGKILL.
    drop(pipe_inside_its_commit(&tc, "dead-pipe", &["LOST"], 2));
    tc.run(NEW_PIPE).success();
    assert_eq!(by_partition(&tc, "out", "read_committed")[&0], ["A", "B"]);
}

/// A transactional id's state and a pipe's group offsets survive the compaction of
/// `__transaction_state` and `__consumer_offsets`: the cleaner keeps only the latest record
/// of each key, and a restarted pipe still gets the same producer id with the next epoch
/// (so its zombies stay fenced), resumes after what it committed, and outputs each input
/// exactly once.
#[test]
fn a_transactional_ids_state_survives_compaction_of_the_internal_topics() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "in", "-p", "1"]).success();
    let pipe = [
        "pipe",
        "--from",
        "in",
        "--to",
        "out",
        "--group",
        "g",
        "--transactional-id",
        "tp",
        "--",
        "tr",
        "a-z",
        "A-Z",
    ];
    let describe = |tc: &TestCluster| {
        json_lines(
            &tc.run(["transactions", "describe", "tp", "--output", "json"])
                .success(),
        )[0]
        .clone()
    };
    for i in 0..5 {
        tc.produce("in", format!("x{i}\n"), &[]).success();
        tc.run(pipe).success();
        if i == 0 {
            // The internal topics exist now: a segment per batch, so all but the last is
            // cleanable.
            for t in ["__transaction_state", "__consumer_offsets"] {
                tc.run(["topic", "alter", t, "-c", "segment.bytes=100"])
                    .success();
            }
        }
    }
    let before = describe(&tc);
    assert_eq!(before["state"], "CompleteCommit");
    let cleaned = json_lines(
        &tc.run([
            "clean",
            "--topic",
            "__transaction_state",
            "--topic",
            "__consumer_offsets",
            "--output",
            "json",
        ])
        .success(),
    );
    let partition_of_tp = before["coordinator_partition"].as_u64().unwrap();
    let compacted = |topic: &str, partition: Option<u64>| {
        cleaned.iter().any(|r| {
            r["topic"] == topic
                && partition.is_none_or(|p| r["partition"] == p)
                && r["compacted"] == true
                && r["compaction"]["records_kept"].as_u64()
                    < r["compaction"]["records_read"].as_u64()
        })
    };
    assert!(
        compacted("__transaction_state", Some(partition_of_tp)),
        "{cleaned:?}"
    );
    assert!(compacted("__consumer_offsets", None), "{cleaned:?}");
    // The same state, read from the compacted log.
    assert_eq!(describe(&tc), before);

    // A restarted pipe: the same producer id, the next epoch, and no input twice.
    tc.produce("in", "y\n", &[]).success();
    tc.run(pipe).success();
    let after = describe(&tc);
    assert_eq!(after["producer_id"], before["producer_id"]);
    assert_eq!(
        after["producer_epoch"].as_i64().unwrap(),
        before["producer_epoch"].as_i64().unwrap() + 1
    );
    assert_eq!(
        by_partition(&tc, "out", "read_committed")[&0],
        ["X0", "X1", "X2", "X3", "X4", "Y"]
    );
}
