//! `filka topic`: create (defaults, Kafka's naming rule, configs), list, describe, alter,
//! delete; a refused create leaves the directory untouched.

use filka::error::ExitCode;
use predicates::prelude::*;

use crate::harness::{TestCluster, json_lines, stderr_lines, stdout_text, tree};

const USAGE: i32 = ExitCode::Usage as i32;
const NOT_FOUND: i32 = ExitCode::NotFound as i32;

/// The describe-topic JSON object of `name`.
fn topic_json(t: &TestCluster, name: &str) -> serde_json::Value {
    json_lines(
        &t.run(["describe", "topic", name, "--output", "json"])
            .success(),
    )
    .remove(0)
}

#[test]
fn create_defaults_to_3_partitions_replicated_3_times_with_min_isr_2() {
    let t = TestCluster::new();
    let assert = t.run(["topic", "create", "demo"]).success();
    // The default cluster is created on first use, and says so.
    assert!(
        stderr_lines(&assert)
            .iter()
            .any(|l| l.contains("created one with brokers 101, 102, 103")),
        "{:?}",
        stderr_lines(&assert)
    );
    let out = stdout_text(&assert);
    assert!(
        out.starts_with("Created topic demo with 3 partitions, replication factor 3"),
        "{out}"
    );
    assert!(
        out.contains("Partition  Leader  Replicas     Isr\n"),
        "{out}"
    );
    let v = topic_json(&t, "demo");
    assert_eq!(v["partition_count"], 3);
    assert_eq!(v["replication_factor"], 3);
    assert_eq!(v["configs"]["min.insync.replicas"]["value"], "2");
    assert_eq!(v["configs"]["min.insync.replicas"]["source"], "override");
    // Kafka's assignment: one leader per broker, every partition on all three.
    let mut leaders: Vec<i64> = v["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["leader"].as_i64().unwrap())
        .collect();
    leaders.sort_unstable();
    assert_eq!(leaders, [101, 102, 103]);
    for p in 0..3 {
        for b in [101, 102, 103] {
            let dir = t.data().join(format!("broker-{b}/demo-{p}"));
            assert!(dir.join("partition.metadata").is_file(), "{dir:?}");
        }
    }
}

#[test]
fn create_takes_partitions_replication_and_configs() {
    let t = TestCluster::new();
    t.run([
        "topic",
        "create",
        "trucks_gps",
        "-p",
        "10",
        "--replication-factor",
        "2",
        "--config",
        "retention.ms=3600000",
        "-c",
        "cleanup.policy=compact",
    ])
    .success();
    let v = topic_json(&t, "trucks_gps");
    assert_eq!(v["partition_count"], 10);
    assert_eq!(v["replication_factor"], 2);
    assert_eq!(v["configs"]["retention.ms"]["value"], "3600000");
    assert_eq!(v["configs"]["cleanup.policy"]["value"], "compact");
    // RF 2: Kafka's default min.insync.replicas (1) stays.
    assert_eq!(v["configs"]["min.insync.replicas"]["source"], "default");
    assert_eq!(v["configs"]["min.insync.replicas"]["value"], "1");
    for p in v["partitions"].as_array().unwrap() {
        let r = p["replicas"].as_array().unwrap();
        assert_eq!(r.len(), 2);
        assert_ne!(r[0], r[1]);
    }
}

#[test]
fn replication_defaults_to_the_online_brokers_when_fewer_than_3() {
    let t = TestCluster::new();
    t.run(["init", "--brokers", "1"]).success();
    t.run(["topic", "create", "solo"]).success();
    let v = topic_json(&t, "solo");
    assert_eq!(v["replication_factor"], 1);
    assert_eq!(v["configs"]["min.insync.replicas"]["source"], "default");
    let assert = t
        .run(["topic", "create", "wide", "-r", "2"])
        .code(USAGE)
        .stdout("");
    let lines = stderr_lines(&assert);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("replication factor 2"), "{lines:?}");
}

#[test]
fn names_follow_kafkas_rule() {
    let t = TestCluster::new();
    let long = "x".repeat(249);
    for ok in ["A.b-c_9", long.as_str(), "user-interactions"] {
        t.run(["topic", "create", ok, "-p", "1", "-r", "1"])
            .success();
    }
    let names = stdout_text(&t.run(["topic", "list"]).success());
    assert_eq!(names, format!("A.b-c_9\nuser-interactions\n{long}\n"));
}

#[test]
fn a_refused_create_leaves_the_directory_untouched() {
    let t = TestCluster::new();
    let too_long = "x".repeat(250);
    let refused: Vec<Vec<&str>> = vec![
        vec![""],
        vec!["."],
        vec![".."],
        vec!["a b"],
        vec!["a/b"],
        vec!["../escape"],
        vec!["ünïcode"],
        vec!["evil\nname"],
        vec![too_long.as_str()],
        vec!["__consumer_offsets"],
        vec!["ok", "--config", "no.such.key=1"],
        vec!["ok", "--config", "retention.ms=-2"],
        vec!["ok", "--config", "compression.type=brotli"],
        vec!["ok", "--config", "retention.ms"],
    ];
    // With no cluster yet, nothing is created either.
    for args in &refused {
        t.cmd()
            .args(["topic", "create"])
            .args(args)
            .assert()
            .code(USAGE);
        assert!(!t.data().exists(), "{args:?} created the cluster");
    }
    t.run(["topic", "create", "trucks_gps", "-p", "2"])
        .success();
    let before = tree(&t.data());
    let mut with_collisions = refused.clone();
    with_collisions.push(vec!["trucks.gps"]);
    with_collisions.push(vec!["ok", "-r", "4"]);
    for args in &with_collisions {
        let assert = t
            .cmd()
            .args(["topic", "create"])
            .args(args)
            .assert()
            .code(USAGE)
            .stdout("");
        let lines = stderr_lines(&assert);
        assert_eq!(lines.len(), 1, "{args:?}: {lines:?}");
        assert!(
            lines[0].starts_with("filka: cannot create topic"),
            "{lines:?}"
        );
        assert_eq!(tree(&t.data()), before, "{args:?} changed the directory");
    }
    // The unknown key lists the known ones.
    t.run(["topic", "create", "ok", "-c", "no.such.key=1"])
        .code(USAGE)
        .stderr(predicate::str::contains(
            "known keys: cleanup.policy, compression.type",
        ));
    t.run(["topic", "create", "trucks.gps"])
        .code(USAGE)
        .stderr(predicate::str::contains(
            "collides with existing topic \"trucks_gps\"",
        ));
}

#[test]
fn creating_an_existing_topic_fails_unless_if_not_exists() {
    let t = TestCluster::new();
    t.run(["topic", "create", "demo", "-q"]).success();
    let assert = t
        .run(["topic", "create", "demo"])
        .code(ExitCode::Failure.code());
    assert!(stderr_lines(&assert)[0].contains("already exists"));
    t.run(["topic", "create", "demo", "--if-not-exists", "-p", "7"])
        .success()
        .stdout("");
    assert_eq!(topic_json(&t, "demo")["partition_count"], 3);
}

#[test]
fn list_prints_names_and_hides_internal_topics_unless_asked() {
    let t = TestCluster::new();
    for name in ["zeta", "alpha"] {
        t.run(["topic", "create", name, "-q"]).success();
    }
    t.cluster()
        .create_topic("__consumer_offsets", 1, 1, Default::default(), true)
        .unwrap();
    t.run(["topic", "list"]).success().stdout("alpha\nzeta\n");
    t.run(["topic", "list", "--internal"])
        .success()
        .stdout("__consumer_offsets\nalpha\nzeta\n");
    let rows = json_lines(&t.run(["topic", "list", "-i", "--output", "json"]).success());
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["name"], "__consumer_offsets");
    assert_eq!(rows[0]["internal"], true);
    assert_eq!(rows[1]["name"], "alpha");
    assert_eq!(rows[1]["partition_count"], 3);
    assert_eq!(rows[1]["replication_factor"], 3);
    assert_eq!(rows[1]["topic_id"].as_str().unwrap().len(), 22);
    // Internal topics cannot be deleted.
    t.run(["topic", "delete", "__consumer_offsets"]).code(USAGE);
}

/// Issue 3: "a command that needs a cluster and finds none creates the default one ... and
/// says so on stderr, as SQLite creates its file". Readers (topic list, describe, consume,
/// group list) used to exit 4 instead; dump and completions need no cluster and never
/// create one.
#[test]
fn every_command_that_needs_a_cluster_creates_the_default_one() {
    for args in [
        &["topic", "list"][..],
        &["describe", "cluster"],
        &["describe", "topics"],
        &["describe", "history"],
        &["consume", "-t", "nothing"],
        &["group", "list"],
    ] {
        let t = TestCluster::new();
        let assert = t.run(args);
        let lines = stderr_lines(&assert);
        assert!(
            lines[0].contains("no cluster at")
                && lines[0].contains("created one with brokers 101, 102, 103"),
            "{args:?}: {lines:?}"
        );
        assert!(filka::cluster::locate::is_root(&t.data()), "{args:?}");
        assert_eq!(
            t.cluster().state().broker_ids(),
            [101, 102, 103],
            "{args:?}"
        );
        // Quiet with -q, and only the first time.
        let t = TestCluster::new();
        t.cmd()
            .arg("-q")
            .args(args)
            .assert()
            .stderr(predicate::str::contains("created one").not());
        assert!(filka::cluster::locate::is_root(&t.data()), "{args:?} -q");
        let again = stderr_lines(&t.run(args));
        assert!(
            again.iter().all(|l| !l.contains("created one")),
            "{args:?}: {again:?}"
        );
    }
    let t = TestCluster::new();
    t.run(["completions", "bash"]).success();
    t.run(["dump", "nowhere.log"]).code(NOT_FOUND);
    assert!(!t.data().exists(), "dump and completions need no cluster");
}

#[test]
fn a_broker_folder_works_as_the_cluster() {
    let t = TestCluster::new();
    t.run(["topic", "create", "demo", "-q"]).success();
    t.bare_cmd()
        .args(["--cluster", "data/broker-102", "topic", "list"])
        .assert()
        .success()
        .stdout("demo\n");
    t.bare_cmd()
        .env("FILKA_CLUSTER", "data/broker-101")
        .args(["topic", "list"])
        .assert()
        .success()
        .stdout("demo\n");
    // Writes go to the cluster too, not into the broker folder.
    t.bare_cmd()
        .args(["--cluster", "data/broker-103", "topic", "create", "more"])
        .assert()
        .success();
    t.run(["topic", "list"]).success().stdout("demo\nmore\n");
    assert!(!t.data().join("broker-103/broker-101").exists());
    assert!(!t.data().join("broker-103/locks").exists());
}

#[test]
fn delete_removes_metadata_and_every_replica_folder() {
    let t = TestCluster::new();
    for name in ["demo", "keep"] {
        t.run(["topic", "create", name, "-q"]).success();
    }
    t.put_records("demo", 0, &["a", "b"]);
    t.run(["topic", "delete", "demo"])
        .success()
        .stdout("Deleted topic demo.\n");
    t.run(["topic", "list"]).success().stdout("keep\n");
    for b in [101, 102, 103] {
        for p in 0..3 {
            assert!(!t.data().join(format!("broker-{b}/demo-{p}")).exists());
        }
    }
    t.run(["describe", "topic", "demo"]).code(NOT_FOUND);
    // The name is free again.
    t.run(["topic", "create", "demo", "-q"]).success();
}

#[test]
fn delete_checks_every_name_first() {
    let t = TestCluster::new();
    t.run(["topic", "create", "demo", "-q"]).success();
    let assert = t.run(["topic", "delete", "demo", "nope"]).code(NOT_FOUND);
    let lines = stderr_lines(&assert);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("\"nope\" does not exist"), "{lines:?}");
    t.run(["topic", "list"]).success().stdout("demo\n");
    let rows = json_lines(
        &t.run([
            "topic",
            "delete",
            "nope",
            "demo",
            "--if-exists",
            "--output",
            "json",
        ])
        .success(),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], "demo");
    assert_eq!(rows[0]["deleted"], true);
    t.run(["topic", "list"]).success().stdout("");
}

#[test]
fn alter_adds_partitions_and_sets_configs() {
    let t = TestCluster::new();
    t.run(["topic", "create", "demo", "-q"]).success();
    let assert = t
        .run(["topic", "alter", "demo", "--partitions", "5"])
        .success()
        .stdout("Altered topic demo: partitions 3 -> 5.\n");
    assert!(
        stderr_lines(&assert)
            .iter()
            .any(|l| l.contains("keys now map to 5 partitions")),
        "{:?}",
        stderr_lines(&assert)
    );
    let v = topic_json(&t, "demo");
    assert_eq!(v["partition_count"], 5);
    for p in v["partitions"].as_array().unwrap() {
        assert_eq!(p["replicas"].as_array().unwrap().len(), 3);
        let dir = t
            .data()
            .join(format!("broker-{}/demo-{}", p["leader"], p["partition"]));
        assert!(dir.is_dir(), "{dir:?}");
    }
    t.run([
        "topic",
        "alter",
        "demo",
        "-c",
        "retention.ms=60000",
        "--config",
        "min.insync.replicas=3",
    ])
    .success()
    .stdout("Altered topic demo: min.insync.replicas 2 -> 3, retention.ms default -> 60000.\n");
    let v = topic_json(&t, "demo");
    assert_eq!(v["configs"]["retention.ms"]["value"], "60000");
    assert_eq!(v["configs"]["retention.ms"]["source"], "override");
    assert_eq!(v["configs"]["min.insync.replicas"]["value"], "3");
}

#[test]
fn alter_refusals() {
    let t = TestCluster::new();
    t.run(["topic", "create", "demo", "-q"]).success();
    let before = tree(&t.data());
    for (args, code) in [
        (&["topic", "alter", "demo"][..], USAGE),
        (&["topic", "alter", "demo", "--partitions", "2"], USAGE),
        (&["topic", "alter", "demo", "--partitions", "0"], USAGE),
        (&["topic", "alter", "demo", "-c", "segment.bytes=1"], USAGE),
        (&["topic", "alter", "demo", "-c", "bogus=1"], USAGE),
        (&["topic", "alter", "nope", "--partitions", "9"], NOT_FOUND),
    ] {
        t.run(args).code(code);
    }
    assert_eq!(tree(&t.data()), before);
    t.run(["topic", "alter", "demo", "--partitions", "2"])
        .stderr(predicate::str::contains("can only add partitions"));
}

#[test]
fn topic_describe_is_describe_topic() {
    let t = TestCluster::new();
    t.run(["topic", "create", "demo", "-q"]).success();
    let a = stdout_text(&t.run(["topic", "describe", "demo"]).success());
    let b = stdout_text(&t.run(["describe", "topic", "demo"]).success());
    assert_eq!(a, b);
    assert!(a.starts_with("Topic: demo  TopicId: "), "{a}");
    t.run(["topic", "describe", "nope"]).code(NOT_FOUND);
}

#[test]
fn json_create_and_unsupported_formats() {
    let t = TestCluster::new();
    let v = &json_lines(
        &t.run([
            "topic", "create", "demo", "-p", "2", "-q", "--output", "json",
        ])
        .success(),
    )[0];
    assert_eq!(v["name"], "demo");
    assert_eq!(v["partitions"].as_array().unwrap().len(), 2);
    t.run(["topic", "list", "--output", "csv"]).code(USAGE);
    t.run(["topic", "create", "x", "--output", "avro"])
        .code(USAGE);
    t.run(["topic", "list"]).success().stdout("demo\n");
}

/// Regression: `topic delete` removed only the replica folders. Every broker's
/// recovery-point, replication-offset and log-start-offset checkpoints kept the topic's
/// lines (rewritten by every later produce), its lock folder stayed with the partitions'
/// lock records, and a topic created again under the name inherited the old recovery points
/// and high watermarks.
#[test]
fn deleting_a_topic_forgets_its_checkpoints_and_locks() {
    let t = TestCluster::new();
    t.run(["topic", "create", "gone", "-p", "3", "-r", "3", "-q"])
        .success();
    t.run(["topic", "create", "kept", "-p", "1", "-q"])
        .success();
    let lines: String = (0..500).map(|i| format!("{i}\n")).collect();
    t.produce("gone", lines.clone(), &["-q", "-K", ":"])
        .success();
    t.produce("kept", "a\nb\n", &["-q"]).success();
    let checkpoint_text = |b: i32| -> String {
        [
            "recovery-point-offset-checkpoint",
            "replication-offset-checkpoint",
            "log-start-offset-checkpoint",
        ]
        .iter()
        .map(|f| std::fs::read_to_string(t.data().join(format!("broker-{b}/{f}"))).unwrap())
        .collect()
    };
    assert!(
        checkpoint_text(101).contains("gone "),
        "the test needs entries to remove"
    );
    assert!(t.data().join("locks/partitions/gone").is_dir());

    t.run(["topic", "delete", "gone", "-q"]).success();
    for b in [101, 102, 103] {
        let text = checkpoint_text(b);
        assert!(!text.contains("gone "), "broker {b}: {text}");
    }
    assert!(
        checkpoint_text(101).contains("kept 0 "),
        "other topics stay"
    );
    assert!(!t.data().join("locks/partitions/gone").exists());

    // Created again, it starts from nothing.
    t.run(["topic", "create", "gone", "-p", "3", "-r", "3", "-q"])
        .success();
    let v = &json_lines(
        &t.run(["describe", "topic", "gone", "--output", "json"])
            .success(),
    )[0];
    for p in v["partitions"].as_array().unwrap() {
        assert_eq!(p["high_watermark"], 0, "{p}");
        assert_eq!(p["log_start_offset"], 0, "{p}");
    }
    for b in [101, 102, 103] {
        for line in checkpoint_text(b)
            .lines()
            .filter(|l| l.starts_with("gone "))
        {
            assert!(line.ends_with(" 0"), "broker {b}: {line}");
        }
    }
    t.produce("gone", "new\n", &["-q"]).success();
    assert_eq!(t.values("gone"), ["new"]);
}

/// Issue 12: the partitioner was invisible without producing. `topic partition-for` shows
/// every number of Kafka's rule (murmur2, toPositive, % partitions), the partition and its
/// leader, and agrees with where produce puts the key.
#[test]
fn partition_for_shows_where_a_key_goes_as_produce_puts_it() {
    let t = TestCluster::new();
    t.run(["topic", "create", "trucks_gps", "-p", "10", "-q"])
        .success();
    let leader = |p: u32| t.cluster().partition("trucks_gps", p).unwrap().leader;
    // The README's truck, and a vector of Kafka's UtilsTest.testMurmur2 ("21").
    t.run(["topic", "partition-for", "trucks_gps", "truckID123"])
        .success()
        .stderr("")
        .stdout(format!(
            "key \"truckID123\" (10 bytes): murmur2 = -1321292915 (0xb13eab8d), toPositive = \
             826190733, 826190733 % 10 = 3: partition 3, leader {}\n",
            leader(3)
        ));
    let v = &json_lines(
        &t.run([
            "topic",
            "partition-for",
            "trucks_gps",
            "21",
            "--output",
            "json",
        ])
        .success(),
    )[0];
    assert_eq!(v["murmur2"], -973_932_308);
    assert_eq!(v["to_positive"], 1_173_551_340);
    assert_eq!(v["partition_count"], 10);
    assert_eq!(v["partition"], 1_173_551_340 % 10);
    assert_eq!(v["leader"], leader(0));
    assert_eq!(v["key_bytes_hex"], "3231");

    // Encoded as produce encodes keys: -k 42 --key-format long is 8 big-endian bytes.
    let v = &json_lines(
        &t.run([
            "topic",
            "partition-for",
            "trucks_gps",
            "42",
            "--key-format",
            "long",
            "--output",
            "json",
        ])
        .success(),
    )[0];
    assert_eq!(v["key_bytes_hex"], "000000000000002a");
    let out = stdout_text(
        &t.produce(
            "trucks_gps",
            "x\n",
            &["-k", "42", "--key-format", "long", "--print-offsets"],
        )
        .success(),
    );
    assert_eq!(
        out.split('\t').next(),
        Some(v["partition"].to_string().as_str())
    );

    // A missing topic is 4 (never created); a key its format refuses, or a schema format, 2.
    let assert = t
        .run(["topic", "partition-for", "nope", "k"])
        .code(ExitCode::NotFound.code());
    assert!(stderr_lines(&assert)[0].contains("topic \"nope\" does not exist"));
    assert!(t.cluster().topic("nope").is_err());
    for bad in [
        &["zz", "--key-format", "hex"][..],
        &["k", "--key-format", "avro"],
    ] {
        let assert = t
            .cmd()
            .args(["topic", "partition-for", "trucks_gps"])
            .args(bad)
            .assert()
            .code(ExitCode::Usage.code());
        assert_eq!(stderr_lines(&assert).len(), 1, "{bad:?}");
    }
}
