//! `filka describe`: golden tables of a fixed cluster (healthy, then with a broker down),
//! JSON objects for scripts, and the errors (missing cluster, topic, partition).

use filka::error::ExitCode;

use crate::harness::{TestCluster, assert_golden, json_lines, stderr_lines, stdout_text};

const NOT_FOUND: i32 = ExitCode::NotFound as i32;

/// The fixed cluster of the golden files: brokers 101-103; `demo` (3 partitions, RF 3),
/// `trucks_gps` (4 partitions, RF 2, retention.ms=86400000) and `solo` (2 partitions, RF 1);
/// a few records with fixed timestamps.
fn fixed_cluster() -> TestCluster {
    let t = TestCluster::new();
    t.run(["init", "-q"]).success();
    t.run(["topic", "create", "demo"]).success();
    t.run([
        "topic",
        "create",
        "trucks_gps",
        "-p",
        "4",
        "-r",
        "2",
        "-c",
        "retention.ms=86400000",
    ])
    .success();
    t.run(["topic", "create", "solo", "-p", "2", "-r", "1"])
        .success();
    t.put_records("demo", 0, &["one", "two", "three", "four", "five"]);
    t.put_records("demo", 1, &["six", "seven"]);
    t.put_records(
        "trucks_gps",
        3,
        &["{\"lat\":1}", "{\"lat\":2}", "{\"lat\":3}"],
    );
    t
}

/// Runs `filka describe ARGS` (text) and returns its redacted stdout.
fn describe(t: &TestCluster, args: &[&str]) -> String {
    let assert = t.cmd().arg("describe").args(args).assert().success();
    t.redact(&stdout_text(&assert))
}

#[test]
fn golden_healthy_cluster() {
    let t = fixed_cluster();
    for (file, args) in [
        ("cluster.txt", &["cluster"][..]),
        ("brokers.txt", &["brokers"]),
        ("topics.txt", &["topics"]),
        ("topic-demo.txt", &["topic", "demo"]),
        ("partition-demo-0.txt", &["partition", "demo", "0"]),
        ("history.txt", &["history"]),
    ] {
        assert_golden(&format!("describe/{file}"), &describe(&t, args));
    }
}

#[test]
fn golden_broker_down() {
    let t = fixed_cluster();
    t.fence_broker(103);
    // Written while 103 is down: its replica of demo-0 falls behind.
    t.put_records("demo", 0, &["six", "seven"]);
    for (file, args) in [
        ("down-cluster.txt", &["cluster"][..]),
        ("down-brokers.txt", &["brokers"]),
        ("down-topics.txt", &["topics"]),
        ("down-partition-demo-0.txt", &["partition", "demo", "0"]),
        (
            "down-partition-solo-offline.txt",
            &["partition", "solo", "1"],
        ),
        ("down-history-demo.txt", &["history", "--topic", "demo"]),
    ] {
        assert_golden(&format!("describe/{file}"), &describe(&t, args));
    }
}

#[test]
fn describe_partition_shows_lag_behind_the_leader() {
    let t = fixed_cluster();
    t.fence_broker(103);
    t.put_records("demo", 0, &["six", "seven"]);
    let v = &json_lines(
        &t.run(["describe", "partition", "demo", "0", "--output", "json"])
            .success(),
    )[0];
    assert_eq!(v["high_watermark"], 7);
    assert_eq!(v["log_end_offset"], 7);
    assert_eq!(v["replicas"], serde_json::json!([102, 103, 101]));
    let replicas = v["replica_details"].as_array().unwrap();
    assert_eq!(replicas.len(), 3);
    for r in replicas {
        let down = r["broker"] == 103;
        assert_eq!(r["state"], if down { "down" } else { "online" });
        assert_eq!(r["in_sync"], !down);
        assert_eq!(r["lag"], if down { 2 } else { 0 });
        assert_eq!(r["log_end_offset"], if down { 5 } else { 7 });
        assert!(
            r["dir"]
                .as_str()
                .unwrap()
                .ends_with(&format!("broker-{}/demo-0", r["broker"])),
            "{r}"
        );
    }
    assert_eq!(replicas.iter().filter(|r| r["role"] == "leader").count(), 1);
}

#[test]
fn json_is_one_object_per_thing_described() {
    let t = fixed_cluster();
    let json = |args: &[&str]| {
        json_lines(
            &t.cmd()
                .arg("describe")
                .args(args)
                .args(["--output", "json"])
                .assert()
                .success(),
        )
    };
    let c = &json(&["cluster"])[0];
    assert_eq!(c["cluster_id"], t.cluster().state().cluster_id.as_str());
    assert_eq!(c["broker_count"], 3);
    assert_eq!(c["topic_count"], 3);
    assert_eq!(c["partition_count"], 9);
    assert_eq!(c["under_replicated"], 0);
    assert_eq!(c["brokers"].as_array().unwrap().len(), 3);

    let brokers = json(&["brokers"]);
    assert_eq!(brokers.len(), 3);
    let leads: usize = brokers
        .iter()
        .map(|b| b["leads"].as_array().unwrap().len())
        .sum();
    assert_eq!(leads, 9, "every partition has one leader");
    assert_eq!(brokers[0]["state"], "online");
    assert_eq!(brokers[0]["paused"], false);

    let topics = json(&["topics"]);
    let names: Vec<&str> = topics.iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["demo", "solo", "trucks_gps"]);
    assert_eq!(topics[0], json(&["topic", "demo"])[0]);
    let p0 = &topics[0]["partitions"][0];
    for field in [
        "partition",
        "leader",
        "leader_epoch",
        "replicas",
        "isr",
        "log_start_offset",
        "high_watermark",
        "log_end_offset",
        "size",
    ] {
        assert!(p0.get(field).is_some(), "{field} missing in {p0}");
    }
    assert_eq!(p0["high_watermark"], 5);
    assert!(p0["size"].as_u64().unwrap() > 0);
    assert_eq!(topics[2]["configs"]["retention.ms"]["value"], "86400000");

    let history = json(&["history"]);
    // Kafka's records: the quorum's first leader, the bootstrap records, the brokers'
    // registrations, then the topics, with the ProducerIds block the (idempotent)
    // producer took.
    assert_eq!(history[0]["offset"], 0);
    assert_eq!(history[0]["type"], "LeaderChangeMessage");
    let kinds: Vec<&str> = history
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    let registered = history
        .iter()
        .find(|e| e["type"] == "RegisterBrokerRecord")
        .unwrap();
    assert_eq!(registered["record"]["data"]["brokerId"], 101);
    let created = history.iter().find(|e| e["type"] == "TopicRecord").unwrap();
    assert_eq!(created["topic"], "demo");
    assert_eq!(created["record"]["data"]["name"], "demo");
    assert!(created["time"].as_str().unwrap().ends_with('Z'));
    assert!(created["timestamp"].as_i64().unwrap() > 0);
    assert!(kinds.contains(&"ProducerIdsRecord"), "{kinds:?}");
    let demo = json(&["history", "--topic", "trucks_gps"]);
    let kinds: Vec<&str> = demo.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["TopicRecord", "ConfigRecord", "PartitionRecord"]);
}

#[test]
fn history_keeps_deleted_topics() {
    let t = fixed_cluster();
    t.run(["topic", "delete", "solo"]).success();
    let out = describe(&t, &["history", "--topic", "solo"]);
    let types: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(2).unwrap())
        .collect();
    assert_eq!(
        types,
        ["TopicRecord", "PartitionRecord", "RemoveTopicRecord"],
        "{out}"
    );
    let assert = t
        .run(["describe", "history", "--topic", "never"])
        .code(NOT_FOUND);
    assert!(stderr_lines(&assert)[0].contains("\"never\" does not exist"));
}

#[test]
fn internal_topics_only_with_internal() {
    let t = fixed_cluster();
    t.cluster()
        .create_topic("__consumer_offsets", 1, 1, Default::default(), true)
        .unwrap();
    let plain = stdout_text(&t.run(["describe", "topics"]).success());
    assert!(!plain.contains("__consumer_offsets"), "{plain}");
    let all = stdout_text(&t.run(["describe", "topics", "--internal"]).success());
    assert!(all.contains("\n__consumer_offsets  0 "), "{all}");
    // describe cluster lists them only with --internal (or --include-internal).
    let cluster = stdout_text(&t.run(["describe", "cluster"]).success());
    assert!(!cluster.contains("__consumer_offsets-0"), "{cluster}");
    for flag in ["--internal", "--include-internal"] {
        let all = stdout_text(&t.run(["describe", "cluster", flag]).success());
        assert!(all.contains("__consumer_offsets-0"), "{all}");
    }
}

/// Issue 12: `describe cluster` listed every internal partition on every broker (50 of
/// __consumer_offsets after the first group, 50 of __transaction_state after the first
/// transaction), and counted internal topics that `topic list` does not list. Internal
/// topics are now one summary line each, the brokers' lists say how many of theirs were
/// left out, and Topics counts what `topic list` lists, in text and JSON alike.
#[test]
fn describe_cluster_summarises_internal_topics_and_counts_as_topic_list() {
    let t = fixed_cluster();
    {
        let mut c = t.cluster();
        c.create_topic("__consumer_offsets", 50, 3, Default::default(), true)
            .unwrap();
        c.create_topic("__transaction_state", 4, 2, Default::default(), true)
            .unwrap();
    }
    let listed = stdout_text(&t.run(["topic", "list"]).success())
        .lines()
        .count();
    assert_eq!(listed, 3);
    let text = describe(&t, &["cluster"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[2], "Brokers: 3 (3 online)  Topics: 3  Partitions: 9 (0 under-replicated, 0 offline)",
        "{text}"
    );
    assert_eq!(
        lines[3..6],
        [
            "Internal topics: 2 (their partitions are listed with --internal)",
            "  __consumer_offsets   50 partitions, replication factor 3, 0 under-replicated, 0 offline",
            "  __transaction_state  4 partitions, replication factor 2, 0 under-replicated, 0 offline",
        ],
        "{text}"
    );
    assert!(!text.contains("__consumer_offsets-"), "{text}");
    // Each broker says how many internal partitions it leads and follows; they add up.
    let count = |role: &str| -> usize {
        text.lines()
            .filter(|l| l.trim_start().starts_with(role))
            .filter_map(|l| l.split(" and ").nth(1).or(l.split(": ").nth(1)))
            .filter_map(|rest| rest.trim().split(' ').next()?.parse::<usize>().ok())
            .sum()
    };
    assert_eq!(count("leads:"), 54, "{text}");
    assert_eq!(count("follows:"), 50 * 2 + 4, "{text}");

    let json = |flag: Option<&str>| {
        let mut cmd = t.cmd();
        cmd.args(["describe", "cluster", "--output", "json"]);
        cmd.args(flag);
        json_lines(&cmd.assert().success()).remove(0)
    };
    let v = json(None);
    assert_eq!(v["topic_count"], listed);
    assert_eq!(v["partition_count"], 9);
    assert_eq!(v["internal_topics"][0]["name"], "__consumer_offsets");
    assert_eq!(v["internal_topics"][0]["partition_count"], 50);
    assert_eq!(v["internal_topics"][1]["replication_factor"], 2);
    let leads = |v: &serde_json::Value, internal: bool| -> usize {
        v["brokers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                let listed = b["leads"].as_array().unwrap();
                assert!(
                    internal
                        || listed
                            .iter()
                            .all(|p| !p.as_str().unwrap().starts_with("__")),
                    "{b}"
                );
                listed.len()
                    + b["internal"]["leads"].as_u64().unwrap() as usize * usize::from(!internal)
            })
            .sum()
    };
    assert_eq!(leads(&v, false), 9 + 54);
    let all = json(Some("--internal"));
    assert_eq!(all["topic_count"], listed, "still what topic list lists");
    assert_eq!(leads(&all, true), 9 + 54);
}

#[test]
fn errors_name_what_is_missing() {
    let t = TestCluster::new();
    t.run(["topic", "create", "demo", "-q"]).success();
    for (args, needle) in [
        (
            &["describe", "topic", "nope"][..],
            "topic \"nope\" does not exist",
        ),
        (
            &["describe", "partition", "nope", "0"],
            "topic \"nope\" does not exist",
        ),
        (
            &["describe", "partition", "demo", "3"],
            "topic \"demo\" has no partition 3 (it has 3)",
        ),
    ] {
        let assert = t.run(args).code(NOT_FOUND).stdout("");
        let lines = stderr_lines(&assert);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains(needle), "{lines:?}");
    }
    t.run(["describe", "partition", "demo", "-1"])
        .code(ExitCode::Usage.code());
    t.run(["describe", "cluster", "--output", "csv"])
        .code(ExitCode::Usage.code());
    t.run(["describe"]).code(ExitCode::Usage.code());
}
