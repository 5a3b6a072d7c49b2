//! Retention without a writer (readers see what the last retention check left), `filka
//! clean` (the cleaner's work: retention, `.deleted` files after their delay) and `filka
//! config` (cluster-wide settings).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use filka::error::ExitCode;

use crate::harness::{FILKA, TestCluster, json_lines, stderr_lines, stdout_text};

/// A day: with this check interval the last retention check is at 00:00 UTC, so records
/// written now stay visible however small their topic's retention.ms (a test running across
/// midnight UTC would see them go: the rule at work).
const DAY_MS: &str = "86400000";

/// One record per segment (segment.bytes=100), `n` records, in topic `t` (1 partition, RF 2,
/// retention.ms=200), on a cluster that checks retention once a day.
fn setup(t: &TestCluster, n: usize) {
    t.run([
        "init",
        "-q",
        "-c",
        &format!("log.retention.check.interval.ms={DAY_MS}"),
    ])
    .success();
    t.run([
        "topic",
        "create",
        "t",
        "-p",
        "1",
        "-r",
        "2",
        "-c",
        "retention.ms=200",
        "-c",
        "segment.bytes=100",
        "-q",
    ])
    .success();
    for i in 0..n {
        t.produce(
            "t",
            format!("record-{i}-with-some-padding-to-fill\n"),
            &["-q"],
        )
        .success();
    }
}

fn log_start(t: &TestCluster) -> i64 {
    let out = t
        .run(["--output", "json", "describe", "topic", "t"])
        .success();
    json_lines(&out)[0]["partitions"][0]["log_start_offset"]
        .as_i64()
        .unwrap()
}

/// The partition's folders (leader and follower).
fn replica_dirs(t: &TestCluster) -> Vec<PathBuf> {
    let p = t.cluster().partition("t", 0).unwrap().clone();
    p.replicas
        .iter()
        .map(|b| t.data().join(format!("broker-{b}")).join("t-0"))
        .collect()
}

fn files_ending(dir: &Path, suffix: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(suffix)
        })
        .count()
}

/// Regression (issue 15): retention ran only when a partition was next written, so a topic
/// nobody wrote to served records past retention.ms forever. Readers now serve from where
/// the last retention check left the log, and a changed check interval changes that.
#[test]
fn records_past_retention_go_at_the_next_check_without_any_writer() {
    let t = TestCluster::new();
    setup(&t, 3);
    std::thread::sleep(Duration::from_millis(400));
    // Older than retention.ms, but no check since they were written (checks once a day).
    assert_eq!(t.values("t").len(), 3);
    assert_eq!(log_start(&t), 0);
    t.run(["config", "set", "log.retention.check.interval.ms=100"])
        .success();
    std::thread::sleep(Duration::from_millis(150));
    // A check has passed: nothing is served, the log start is the log end, and no file was
    // deleted (readers delete nothing).
    assert!(t.values("t").is_empty());
    assert!(
        t.consume_ok(["-t", "t", "-o", "beginning"]).is_empty(),
        "consume -o beginning"
    );
    assert_eq!(log_start(&t), 3);
    let out = t
        .run(["--output", "json", "describe", "topic", "t"])
        .success();
    assert_eq!(
        json_lines(&out)[0]["partitions"][0]["size"],
        0,
        "the size leaves out what retention deleted"
    );
    for dir in replica_dirs(&t) {
        assert_eq!(files_ending(&dir, ".log"), 3, "{}", dir.display());
        assert_eq!(files_ending(&dir, ".deleted"), 0);
    }
    // The next write deletes them (the rule is the same), and its record is served (its
    // timestamp is far in the future: retention.ms does not take it).
    t.produce("t", FUTURE_RECORD, &["-q", "--input-format", "envelope"])
        .success();
    assert_eq!(t.values("t"), ["fresh"]);
    for dir in replica_dirs(&t) {
        assert_eq!(files_ending(&dir, ".log.deleted"), 3, "{}", dir.display());
    }
}

/// A record whose timestamp (2100-01-01) no retention.ms in these tests reaches.
const FUTURE_RECORD: &str = "{\"value\":\"fresh\",\"timestamp\":4102444800000}\n";

/// What readers stopped seeing stays gone when retention becomes longer: in Kafka the check
/// deleted it. Raising the check interval or the topic's retention.ms first deletes, under
/// the partition locks, what readers no longer see.
#[test]
fn longer_retention_settings_do_not_bring_back_what_readers_stopped_seeing() {
    let t = TestCluster::new();
    setup(&t, 2);
    std::thread::sleep(Duration::from_millis(300));
    t.run(["config", "set", "log.retention.check.interval.ms=100"])
        .success();
    std::thread::sleep(Duration::from_millis(150));
    assert!(t.values("t").is_empty());
    t.run([
        "config",
        "set",
        &format!("log.retention.check.interval.ms={DAY_MS}"),
    ])
    .success();
    assert!(t.values("t").is_empty(), "a longer interval");
    assert_eq!(log_start(&t), 2);
    for dir in replica_dirs(&t) {
        assert_eq!(files_ending(&dir, ".log.deleted"), 2, "{}", dir.display());
    }
    t.run(["topic", "alter", "t", "-c", "retention.ms=-1", "-q"])
        .success();
    assert!(t.values("t").is_empty(), "retention.ms=-1");
    assert_eq!(log_start(&t), 2);
}

#[test]
fn clean_deletes_what_retention_no_longer_serves_and_reports_it() {
    let t = TestCluster::new();
    setup(&t, 2);
    // Nothing past a check yet: nothing to do.
    let out = t.run(["--output", "json", "clean"]).success();
    let rows = json_lines(&out);
    let ours: Vec<_> = rows.iter().filter(|r| r["topic"] == "t").collect();
    assert_eq!(ours.len(), 2, "one object per replica: {rows:?}");
    for r in &ours {
        assert_eq!(r["segments_deleted"], 0);
        assert_eq!(r["log_start_offset"], 0);
        assert_eq!(r["compacted"], serde_json::Value::Null);
    }
    std::thread::sleep(Duration::from_millis(300));
    t.run([
        "config",
        "set",
        "log.retention.check.interval.ms=100",
        "log.segment.delete.delay.ms=1500",
    ])
    .success();
    std::thread::sleep(Duration::from_millis(150));
    let out = t
        .run(["--output", "json", "clean", "--topic", "t"])
        .success();
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 2, "{rows:?}");
    for r in &rows {
        assert_eq!(r["topic"], "t");
        assert_eq!(r["segments_deleted"], 2, "{r}");
        assert_eq!(r["deleted_base_offsets"], serde_json::json!([0, 1]));
        assert!(r["deleted_segment_bytes"].as_u64().unwrap() > 0);
        assert_eq!(r["files_removed"], 0, "the delay has not passed: {r}");
        assert_eq!(r["log_start_offset"], 2);
    }
    for dir in replica_dirs(&t) {
        assert_eq!(files_ending(&dir, ".log.deleted"), 2, "{}", dir.display());
    }
    // Within log.segment.delete.delay.ms the .deleted files stay, even through a write.
    t.produce("t", FUTURE_RECORD, &["-q", "--input-format", "envelope"])
        .success();
    let out = t.run(["clean"]).success();
    assert_eq!(stdout_text(&out), "", "nothing done, nothing said");
    for dir in replica_dirs(&t) {
        assert_eq!(files_ending(&dir, ".log.deleted"), 2, "{}", dir.display());
    }
    std::thread::sleep(Duration::from_millis(1600));
    let out = t.run(["clean", "--topic", "t"]).success();
    let text = stdout_text(&out);
    assert!(
        text.contains("t-0 on broker ") && text.contains(".deleted files"),
        "{text}"
    );
    let summary = stderr_lines(&out).join("\n");
    assert!(
        summary.contains("filka: clean: 2 replicas of 1 partition cleaned"),
        "{summary}"
    );
    for dir in replica_dirs(&t) {
        for base in ["00000000000000000000", "00000000000000000001"] {
            assert!(
                !dir.join(format!("{base}.log.deleted")).exists(),
                "{} {base}",
                dir.display()
            );
        }
    }
}

#[test]
fn clean_skips_the_replicas_of_a_broker_that_is_down_and_says_so() {
    let t = TestCluster::new();
    setup(&t, 1);
    let p = t.cluster().partition("t", 0).unwrap().clone();
    let follower = p.replicas[1];
    t.run(["simulate-failure", "broker-down", &follower.to_string()])
        .success();
    let out = t
        .run(["--output", "json", "clean", "--topic", "t"])
        .success();
    let rows = json_lines(&out);
    let skipped: Vec<_> = rows.iter().filter(|r| r["skipped"].is_string()).collect();
    assert_eq!(skipped.len(), 1, "{rows:?}");
    assert_eq!(skipped[0]["broker"], follower);
    let err = stderr_lines(&out).join("\n");
    assert!(
        err.contains(&format!(
            "broker {follower}: 1 replica skipped: the broker is down"
        )),
        "{err}"
    );
}

#[test]
fn clean_follow_stops_cleanly_on_sigterm() {
    let t = TestCluster::new();
    t.run(["init", "-q"]).success();
    t.run(["topic", "create", "a", "-p", "2", "-q"]).success();
    let mut child = Command::new(FILKA)
        .args(["--cluster"])
        .arg(t.data())
        .args(["clean", "--follow", "--output", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // The first pass ran (and printed whole lines) before the signal.
    assert!(text.lines().count() >= 6, "{text}");
    for l in text.lines() {
        serde_json::from_str::<serde_json::Value>(l).unwrap();
    }
}

#[test]
fn config_set_unset_and_list_use_kafkas_names_and_refuse_bad_input() {
    let t = TestCluster::new();
    t.run(["init", "-q"]).success();
    t.run(["topic", "create", "d", "-p", "1", "-q"]).success();
    for bad in [
        vec!["config", "set", "retention.ms=1000"],
        vec!["config", "set", "nope=1"],
        vec!["config", "set", "log.retention.check.interval.ms=0"],
        vec!["config", "set", "log.cleaner.min.cleanable.ratio=2"],
        vec!["config", "set", "log.retention.ms"],
        vec!["config", "set", "log.cleanup.policy=keep"],
        vec!["config", "unset", "nope"],
        vec!["init", "-c", "file.delete.delay.ms=1"],
    ] {
        let out = t.run(&bad).code(ExitCode::Usage.code());
        let err = stderr_lines(&out);
        assert_eq!(err.len(), 1, "{bad:?}: {err:?}");
        assert!(err[0].starts_with("filka: "), "{bad:?}: {err:?}");
    }
    let out = t.run(["config", "set", "retention.ms=1"]).failure();
    let err = stderr_lines(&out).join("\n");
    assert!(
        err.contains("log.retention.ms"),
        "the Kafka name is given: {err}"
    );
    // Nothing was recorded by the refusals.
    let list =
        |t: &TestCluster| json_lines(&t.run(["--output", "json", "config", "list"]).success());
    assert!(list(&t).iter().all(|r| r["source"] == "default"));

    let out = t
        .run([
            "config",
            "set",
            "log.retention.ms=3600000",
            "log.cleaner.backoff.ms=10",
        ])
        .success();
    assert_eq!(
        stdout_text(&out),
        "log.cleaner.backoff.ms: 15000 (default) -> 10 (cluster).\n\
         log.retention.ms: 604800000 (default) -> 3600000 (cluster).\n"
    );
    let rows = list(&t);
    let row = |name: &str| rows.iter().find(|r| r["name"] == name).unwrap().clone();
    assert_eq!(row("log.retention.ms")["value"], "3600000");
    assert_eq!(row("log.retention.ms")["source"], "cluster");
    assert_eq!(row("log.retention.ms")["topic_config"], "retention.ms");
    assert_eq!(row("log.retention.check.interval.ms")["value"], "300000");
    // describe topic: the effective value and its source.
    let configs = |t: &TestCluster| {
        json_lines(
            &t.run(["--output", "json", "describe", "topic", "d"])
                .success(),
        )[0]["configs"]
            .clone()
    };
    assert_eq!(configs(&t)["retention.ms"]["value"], "3600000");
    assert_eq!(configs(&t)["retention.ms"]["source"], "cluster");
    // Recorded in the metadata log as Kafka does: cluster-default broker ConfigRecords.
    let h = t.run(["describe", "history"]).success();
    assert!(
        stdout_text(&h).contains("cluster-wide config"),
        "{}",
        stdout_text(&h)
    );

    // init -c takes the same names.
    let t2 = TestCluster::new();
    t2.run(["init", "-q", "-c", "log.retention.bytes=1000000"])
        .success();
    t2.run(["topic", "create", "e", "-p", "1", "-q"]).success();
    let out = t2
        .run(["--output", "json", "describe", "topic", "e"])
        .success();
    let e = &json_lines(&out)[0]["configs"]["retention.bytes"];
    assert_eq!(
        (&e["value"], &e["source"]),
        (&"1000000".into(), &"cluster".into())
    );

    let out = t.run(["config", "unset", "log.retention.ms"]).success();
    assert_eq!(
        stdout_text(&out),
        "log.retention.ms: 3600000 (cluster) -> 604800000 (default).\n"
    );
    assert_eq!(configs(&t)["retention.ms"]["source"], "default");
    assert_eq!(configs(&t)["retention.ms"]["value"], "604800000");
}

/// __consumer_offsets and __transaction_state are compacted topics in Kafka (created with
/// cleanup.policy=compact, whatever log.cleanup.policy says): retention never deletes their
/// records, whatever the cluster-wide retention.
#[test]
fn internal_topics_are_created_compacted() {
    let t = TestCluster::new();
    t.run(["init", "-q", "-c", "log.cleanup.policy=delete"])
        .success();
    t.run(["topic", "create", "x", "-p", "1", "-q"]).success();
    t.produce("x", "a\n", &["-q", "--transactional-id", "tx"])
        .success();
    t.run(["consume", "-t", "x", "-g", "g"]).success();
    for topic in ["__consumer_offsets", "__transaction_state"] {
        let out = t
            .run(["--output", "json", "describe", "topic", topic])
            .success();
        let c = &json_lines(&out)[0]["configs"]["cleanup.policy"];
        assert_eq!(c["value"], "compact", "{topic}");
        assert_eq!(c["source"], "override", "{topic}");
    }
}

/// What `consume -o beginning ARGS` prints before its --timeout-ms passes with nothing
/// more (exit 8).
fn read_to_timeout(t: &TestCluster, args: &[&str]) -> String {
    let mut all = vec!["-q", "consume", "-o", "beginning"];
    all.extend_from_slice(args);
    stdout_text(&t.run(all).code(ExitCode::Timeout as i32))
}

/// `filka clean` compacts a `cleanup.policy=compact` topic as Kafka's cleaner does: below
/// the active segment, each key's latest record stays at its offset, the others go (the
/// offsets keep their gaps), on every replica, and the broker's cleaner-offset-checkpoint
/// says where the clean ended. A consumer reads the compacted log from the beginning at
/// once: the empty batches compaction leaves (each producer's last batch, kept for
/// idempotence) cost it no idle wait (broke: each one made `consume -c N --timeout-ms`
/// wait a poll interval, so a short timeout read nothing).
#[test]
fn clean_compacts_a_compacted_topic_keeping_each_keys_latest_record() {
    let t = TestCluster::new();
    t.run([
        "topic",
        "create",
        "kv",
        "-p",
        "1",
        "-r",
        "2",
        "-c",
        "cleanup.policy=compact",
        "-c",
        "segment.bytes=200",
        "-c",
        "min.cleanable.dirty.ratio=0.01",
        "-q",
    ])
    .success();
    // One produce per record: one batch each, two batches per segment.
    for i in 1..=20 {
        t.produce("kv", format!("k{}:v{i}\n", i % 5), &["-K", ":"])
            .success();
    }
    let read = || {
        read_to_timeout(
            &t,
            &[
                "-t",
                "kv",
                "-c",
                "100",
                "--timeout-ms",
                "1000",
                "--format",
                "%o %k %s\n",
            ],
        )
    };
    assert_eq!(read().lines().count(), 20);
    let json = json_lines(&t.run(["--output", "json", "clean"]).success());
    assert_eq!(json.len(), 2, "{json:?}");
    let mut cleaned_to = 0;
    for r in &json {
        assert_eq!(r["compacted"], true, "{r}");
        let c = &r["compaction"];
        cleaned_to = c["cleaned_to"].as_i64().unwrap();
        assert_eq!(c["first_dirty_offset"], 0);
        // Everything below the active segment, which holds the last batch or two.
        assert!((18..=19).contains(&cleaned_to), "{c}");
        assert!(c["records_kept"].as_u64().unwrap() < c["records_read"].as_u64().unwrap());
    }
    // Below the clean's end only each key's latest record there is left; above, all.
    let text = read();
    let mut latest = std::collections::BTreeMap::new();
    for i in 1..=cleaned_to {
        latest.insert(format!("k{}", i % 5), i - 1);
    }
    let mut expected: Vec<String> = latest
        .iter()
        .map(|(k, o)| (o, format!("{o} {k} v{}", o + 1)))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_values()
        .collect();
    for o in cleaned_to..20 {
        expected.push(format!("{o} k{} v{}", (o + 1) % 5, o + 1));
    }
    assert_eq!(text.lines().collect::<Vec<_>>(), expected);
    // Where the clean ended, in Kafka's checkpoint format, on each replica's broker.
    for b in ["broker-101", "broker-102", "broker-103"] {
        let path = t.data().join(b).join("cleaner-offset-checkpoint");
        if let Ok(text) = std::fs::read_to_string(&path) {
            assert_eq!(text, format!("0\n1\nkv 0 {cleaned_to}\n"), "{b}");
        }
    }
    // describe topic shows where the leader's cleaner stands.
    let described = stdout_text(&t.run(["describe", "topic", "kv"]).success());
    let row = described.lines().nth(3).unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells[8..],
        [cleaned_to.to_string().as_str(), "0.00"],
        "{described}"
    );
    // Nothing new to clean: the next run compacts nothing.
    let again = json_lines(&t.run(["--output", "json", "clean"]).success());
    assert!(again.iter().all(|r| r["compacted"] == false), "{again:?}");
}

/// Broke: a follower that was down while its leader compacted could not catch up: the
/// leader's log has gaps where compaction removed records, the follower refused every batch
/// that did not start at its log end, and every acks=all produce failed meanwhile (exit 1).
/// As in Kafka, a follower copies the gaps; it then leads with the same records.
#[test]
fn a_follower_catches_up_from_a_compacted_leader_and_leads_with_its_records() {
    let t = TestCluster::new();
    // Controllers of their own, so that two brokers may go down.
    t.run(["init", "-q", "--isolated"]).success();
    t.run([
        "topic",
        "create",
        "kv",
        "-p",
        "1",
        "-c",
        "cleanup.policy=compact",
        "-c",
        "segment.bytes=300",
        "-c",
        "min.cleanable.dirty.ratio=0.01",
        "-c",
        "min.insync.replicas=1",
        "-q",
    ])
    .success();
    t.run(["simulate-failure", "broker-down", "103"]).success();
    let input: String = (1..=40).map(|i| format!("k{}:v{i}\n", i % 5)).collect();
    t.produce("kv", input, &["-K", ":", "--batch-size", "20", "-q"])
        .success();
    t.run(["clean"]).success();
    t.run(["simulate-failure", "broker-up", "103"]).success();
    t.produce("kv", "k9:x\n", &["-K", ":", "-q"]).success();
    let read = || {
        read_to_timeout(
            &t,
            &["-t", "kv", "--timeout-ms", "500", "--format", "%o %k=%s\n"],
        )
    };
    let before = read();
    assert!(before.starts_with("31 k2=v32\n"), "compacted: {before}");
    assert!(before.ends_with("40 k9=x\n"), "{before}");
    // 103 is in sync, then leads (102 and 101 down) with the same records.
    let described = stdout_text(&t.run(["describe", "partition", "kv", "0"]).success());
    assert!(described.contains("Isr: 102,103,101"), "{described}");
    for b in ["102", "101"] {
        t.run(["simulate-failure", "broker-down", b]).success();
    }
    assert_eq!(read(), before);
}

/// A group's committed offsets survive compaction of `__consumer_offsets` (each
/// group-topic-partition key keeps its latest commit), and the group reads on from them.
#[test]
fn committed_offsets_survive_compaction_of_consumer_offsets() {
    let t = TestCluster::new();
    t.run(["topic", "create", "t", "-p", "1", "-q"]).success();
    let input: String = (1..=30).map(|i| format!("{i}\n")).collect();
    t.produce("t", input, &["-q"]).success();
    // The first group use creates __consumer_offsets; then small segments and a low ratio,
    // so the commits after leave something to clean.
    t.run([
        "-q",
        "consume",
        "-t",
        "t",
        "-g",
        "g1",
        "-c",
        "5",
        "-o",
        "beginning",
    ])
    .success();
    t.run([
        "topic",
        "alter",
        "__consumer_offsets",
        "-c",
        "segment.bytes=200",
        "-c",
        "min.cleanable.dirty.ratio=0.01",
    ])
    .success();
    for _ in 0..3 {
        t.run(["-q", "consume", "-t", "t", "-g", "g1", "-c", "5"])
            .success();
    }
    let describe = || stdout_text(&t.run(["group", "describe", "g1"]).success());
    let before = describe();
    assert!(before.contains("g1     t      0          20 "), "{before}");
    let cleaned = json_lines(
        &t.run(["--output", "json", "clean", "--topic", "__consumer_offsets"])
            .success(),
    );
    assert!(
        cleaned.iter().any(|r| r["compacted"] == true),
        "nothing compacted: {cleaned:?}"
    );
    assert_eq!(describe(), before);
    let next = t
        .run(["-q", "consume", "-t", "t", "-g", "g1", "-c", "2"])
        .success();
    assert_eq!(stdout_text(&next), "21\n22\n");
}

/// A compacted topic keeps the latest record of each key, so a record without one has no
/// place in it: refused before it is written, as Kafka's broker refuses it
/// (InvalidRecordException), with the lines before it written (exit 5).
#[test]
fn a_record_without_a_key_is_refused_by_a_compacted_topic() {
    let t = TestCluster::new();
    t.run([
        "topic",
        "create",
        "kv",
        "-p",
        "1",
        "-c",
        "cleanup.policy=compact,delete",
        "-q",
    ])
    .success();
    let out = t
        .produce("kv", "a:1\nno key\n", &["-K", ":"])
        .code(ExitCode::InvalidInput as i32);
    let err = stderr_lines(&out).join("\n");
    assert!(
        err.contains("line 2: a record without a key cannot go to topic kv"),
        "{err}"
    );
    assert_eq!(
        read_to_timeout(&t, &["-t", "kv", "--timeout-ms", "300"]),
        "1\n"
    );
}

/// Regression (issue 15): a consumer already following a partition read on, through the
/// segments it had open, records that a retention check had hidden from every new reader
/// (the log start had moved past them). As a Kafka consumer answered OFFSET_OUT_OF_RANGE,
/// it now goes on from the log start a new reader would start at, and says what it skipped.
#[test]
fn a_following_consumer_skips_what_a_retention_check_hid_meanwhile() {
    use std::io::{BufRead, BufReader, Read};
    const INTERVAL_MS: u64 = 4_000;
    const RECORDS: usize = 20_000;
    let now_ms = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
    };
    for attempt in 0.. {
        assert!(
            attempt < 3,
            "never got the consumer started between two checks"
        );
        let t = TestCluster::new();
        t.run([
            "init",
            "-q",
            "-c",
            &format!("log.retention.check.interval.ms={INTERVAL_MS}"),
        ])
        .success();
        t.run([
            "topic",
            "create",
            "t",
            "-p",
            "1",
            "-r",
            "1",
            "-c",
            "retention.ms=300",
            "-q",
        ])
        .success();
        // Start just after a retention check, so the consumer below is reading before the
        // next one.
        while now_ms() % INTERVAL_MS > 200 {
            std::thread::sleep(Duration::from_millis(20));
        }
        let next_check = now_ms() - now_ms() % INTERVAL_MS + INTERVAL_MS;
        let lines: String = (0..RECORDS)
            .map(|i| format!("record-{i:05}-{}\n", "x".repeat(90)))
            .collect();
        t.produce("t", lines, &["-q"]).success();
        // Following, from the beginning; its stdout is not read, so it stops in a write once
        // the pipe is full, holding a position far below the log end.
        let mut child = Command::new(FILKA)
            .arg("--cluster")
            .arg(t.data())
            .args([
                "consume",
                "-t",
                "t",
                "-o",
                "beginning",
                "-f",
                "--timeout-ms",
                "2000",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        assert!(first.starts_with("record-00000-"), "{first}");
        if now_ms() + 500 >= next_check {
            let _ = child.kill();
            let _ = child.wait();
            continue;
        }
        // Past the next check: retention.ms has hidden every record from new readers.
        std::thread::sleep(Duration::from_millis(next_check + 300 - now_ms()));
        assert!(t.consume_ok(["-t", "t", "-o", "beginning"]).is_empty());
        let mut rest = String::new();
        out.read_to_string(&mut rest).unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        child.wait().unwrap();
        let read = 1 + rest.lines().count();
        assert!(
            read < RECORDS / 2,
            "read {read} records past the check that hid them\n{err}"
        );
        assert!(
            err.contains(&format!(
                "filka: consume: t-0: offsets {read}..{} were deleted (retention) before they \
                 were read; reading on from the log start offset {RECORDS}, as a new reader \
                 starts",
                RECORDS - 1
            )),
            "{err}"
        );
        return;
    }
}

/// The producer-state snapshots (`<offset>.snapshot`) named after the segments retention
/// deletes go with them, as Kafka's `UnifiedLog.deleteSegments` removes them
/// (`removeAndMarkSnapshotForDeletion`): renamed `.snapshot.deleted` and removed after
/// log.segment.delete.delay.ms with the segments' files. The others stay.
#[test]
fn retention_deletes_the_producer_snapshots_of_the_segments_it_deletes() {
    let t = TestCluster::new();
    setup(&t, 3);
    let snapshots = |dir: &Path, suffix: &str| -> Vec<i64> {
        let mut v: Vec<i64> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                let base = name.strip_suffix(suffix)?;
                (base.len() == 20).then(|| base.parse().unwrap())
            })
            .collect();
        v.sort_unstable();
        v
    };
    let before: Vec<Vec<i64>> = replica_dirs(&t)
        .iter()
        .map(|d| snapshots(d, ".snapshot"))
        .collect();
    assert!(
        before.iter().any(|s| s.iter().any(|&o| o < 3)),
        "a snapshot at a segment base: {before:?}"
    );
    std::thread::sleep(Duration::from_millis(300));
    t.run(["config", "set", "log.retention.check.interval.ms=100"])
        .success();
    std::thread::sleep(Duration::from_millis(150));
    let out = t
        .run(["--output", "json", "clean", "--topic", "t"])
        .success();
    for r in json_lines(&out) {
        assert_eq!(
            r["deleted_base_offsets"],
            serde_json::json!([0, 1, 2]),
            "{r}"
        );
    }
    for (dir, before) in replica_dirs(&t).iter().zip(&before) {
        let gone: Vec<i64> = before.iter().copied().filter(|&o| o < 3).collect();
        assert_eq!(
            snapshots(dir, ".snapshot.deleted"),
            gone,
            "{}",
            dir.display()
        );
        let left = snapshots(dir, ".snapshot");
        assert!(left.iter().all(|&o| o >= 3), "{}: {left:?}", dir.display());
    }
    // Removed with the segments' files once the delay has passed.
    t.run(["config", "set", "log.segment.delete.delay.ms=0"])
        .success();
    t.run(["clean", "--topic", "t"]).success();
    for dir in replica_dirs(&t) {
        assert_eq!(files_ending(&dir, ".deleted"), 0, "{}", dir.display());
    }
}
