//! A cluster of filka's earlier JSON metadata (`cluster.json` and
//! `metadata/__cluster_metadata-0`) is converted to the KRaft metadata log on its first open,
//! with nothing lost: checked on fixtures/old-filka-cluster, a cluster made by the filka of
//! commit 12c855a (its make.sh), against what that filka printed about it (expected.json).

use std::path::Path;

use serde_json::{Value, json};

use crate::harness::{TestCluster, copy_dir, json_lines, stderr_lines, stdout_text};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/old-filka-cluster");

/// A copy of the fixture cluster at the test cluster's place.
fn old_cluster() -> TestCluster {
    let t = TestCluster::new();
    copy_dir(&Path::new(FIXTURE).join("cluster"), &t.data());
    t
}

fn expected() -> Value {
    let text = std::fs::read_to_string(Path::new(FIXTURE).join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// `ARGS... --output json`, every line parsed, as one array.
fn json_of(t: &TestCluster, args: &[&str]) -> Value {
    let mut all = vec!["--output", "json"];
    all.extend_from_slice(args);
    Value::Array(json_lines(&t.run(all).success()))
}

/// Topic JSON objects without the configs filka learnt after the fixture was made (the log
/// cleaner's, issue 15), which the old filka could not print: every other config, with its
/// value and source, must be as it printed them.
fn without_newer_configs(mut topics: Value) -> Value {
    const NEWER: [&str; 4] = [
        "delete.retention.ms",
        "max.compaction.lag.ms",
        "min.cleanable.dirty.ratio",
        "min.compaction.lag.ms",
    ];
    for t in topics.as_array_mut().unwrap() {
        let configs = t["configs"].as_object_mut().unwrap();
        for k in NEWER {
            assert!(configs.remove(k).is_some(), "{k} missing");
        }
    }
    topics
}

/// The lines a command printed on stderr that speak of the conversion.
fn conversion_lines(assert: &assert_cmd::assert::Assert) -> Vec<String> {
    stderr_lines(assert)
        .into_iter()
        .filter(|l| l.contains("convert"))
        .collect()
}

/// The image the new filka holds, as the old `cluster.json` spelled it (brokers with
/// their state and paused flag, topics with ids, configs, replicas, ISRs, leaders, leader
/// and partition epochs, cluster-wide configs, the next producer id), without the metadata
/// offset (the new log numbers its records afresh).
fn image_as_old_json(t: &TestCluster) -> Value {
    let mut v = serde_json::to_value(t.cluster().state()).unwrap();
    v.as_object_mut().unwrap().remove("metadata_offset");
    v
}

fn old_json_without_offset(expected: &Value) -> Value {
    let mut v = expected["cluster_json"].clone();
    v.as_object_mut().unwrap().remove("metadata_offset");
    v
}

#[test]
fn old_json_metadata_is_converted_on_first_open_with_nothing_lost() {
    let t = old_cluster();
    let e = expected();
    let data = t.data();

    // The first open converts, and says so once.
    let first = t.run(["--output", "json", "describe", "brokers"]).success();
    let said = conversion_lines(&first);
    let kept = data.join("converted-json-metadata");
    assert_eq!(
        said,
        vec![format!(
            "filka: converted the cluster's metadata (3 brokers, 6 topics) from filka's earlier \
             JSON metadata (cluster.json) to a KRaft metadata log in the controllers' folders \
             (broker-N/__cluster_metadata-0); the old files are kept in {}",
            kept.display()
        )],
        "{:?}",
        stderr_lines(&first)
    );
    // Each broker's `bytes` (its replicas' size, which `describe brokers` shows since the
    // scale-out work) is not in the fixture's expectations, made before.
    let brokers: Vec<Value> = json_lines(&first)
        .into_iter()
        .map(|mut b| {
            assert!(b["bytes"].as_u64().is_some(), "{b}");
            b.as_object_mut().unwrap().remove("bytes");
            b
        })
        .collect();
    assert_eq!(Value::Array(brokers), e["brokers"]);
    assert!(kept.join("cluster.json").is_file());
    assert!(
        kept.join("metadata/__cluster_metadata-0/00000000000000000000.log")
            .is_file()
    );
    assert!(!data.join("cluster.json").exists());
    assert!(!data.join("metadata").exists());

    // The second open says nothing.
    let second = t.run(["--output", "json", "describe", "topics"]).success();
    assert!(
        stderr_lines(&second).is_empty(),
        "{:?}",
        stderr_lines(&second)
    );
    // Topics: ids, configs and their sources, partitions, leaders, leader epochs, replicas,
    // ISRs, offsets and sizes.
    assert_eq!(
        without_newer_configs(Value::Array(json_lines(&second))),
        e["topics"]
    );
    // The whole image, internal topics and partition epochs included.
    assert_eq!(image_as_old_json(&t), old_json_without_offset(&e));

    // Records at their offsets, keys, timestamps and headers; both isolation levels.
    for topic in ["orders", "grow"] {
        let got = json_of(&t, &["consume", "-t", topic, "-o", "beginning"]);
        assert_eq!(got, e["values"][topic], "{topic}");
    }
    let got = json_of(
        &t,
        &["consume", "-t", "single", "-p", "1", "-o", "beginning"],
    );
    assert_eq!(got, e["values"]["single"]);
    for isolation in ["read_committed", "read_uncommitted"] {
        let got = json_of(
            &t,
            &[
                "consume",
                "-t",
                "txn",
                "-o",
                "beginning",
                "--isolation",
                isolation,
            ],
        );
        assert_eq!(got, e["txn"][isolation], "{isolation}");
    }
    // The group's committed offsets, and the transactions.
    assert_eq!(
        json_of(&t, &["group", "describe", "readers"]),
        e["group"],
        "group"
    );
    assert_eq!(
        json_of(&t, &["transactions", "list", "--no-abort"]),
        e["transactions"]
    );

    // The history names the conversion, one transaction, and every topic it created.
    let history = json_of(&t, &["describe", "history"]);
    let entries = history.as_array().unwrap();
    let details = |kind: &str| -> Vec<String> {
        entries
            .iter()
            .filter(|h| h["type"] == kind)
            .map(|h| h["details"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        details("BeginTransactionRecord"),
        vec![
            "a change spanning several batches begins: converted from filka's JSON metadata \
             (3 brokers, 6 topics)"
        ]
    );
    assert_eq!(details("EndTransactionRecord").len(), 1);
    let partitions = details("PartitionRecord");
    for (topic, n) in [
        ("__consumer_offsets", 50),
        ("__transaction_state", 50),
        ("grow", 3),
        ("orders", 3),
        ("single", 2),
        ("txn", 1),
    ] {
        let head = format!(
            "topic {topic}: {n} partition{}, ",
            if n == 1 { "" } else { "s" }
        );
        assert!(
            partitions.iter().any(|d| d.starts_with(&head)),
            "{head}: {partitions:?}"
        );
    }
    assert!(!details("TopicRecord").iter().any(|d| d.contains("gone")));

    // The controller quorum: every broker a voter, 103 stopped as it was.
    let quorum = json_of(&t, &["describe", "quorum"]);
    assert_eq!(quorum[0]["current_voters"], json!([101, 102, 103]));
    assert_eq!(quorum[0]["running_voters"], json!([101, 102]));

    // Each voter's copy of the metadata log, and its snapshot, pass dump --verify.
    for b in [101, 102, 103] {
        let copy = data.join(format!("broker-{b}/__cluster_metadata-0"));
        let mut files: Vec<_> = std::fs::read_dir(&copy)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|x| x == "log" || x == "checkpoint")
            })
            .collect();
        files.sort();
        assert_eq!(files.len(), 2, "{files:?}");
        let mut cmd = t.cmd();
        cmd.args(["dump", "--verify"])
            .args(&files)
            .assert()
            .success();
    }

    // Metadata changes go on from there: a topic, and the down broker back up.
    t.run(["topic", "create", "after", "-p", "2", "-r", "2"])
        .success();
    // A transactional id of the old cluster goes on with the next epoch of its producer id.
    t.cmd()
        .args(["produce", "-t", "txn", "--transactional-id", "tx-a"])
        .write_stdin("t5\n")
        .assert()
        .success();
    let tx = json_of(&t, &["transactions", "describe", "tx-a"]);
    assert_eq!(tx[0]["producer_id"], e["transactions"][0]["producer_id"]);
    assert_eq!(tx[0]["producer_epoch"], json!(1));
    assert_eq!(tx[0]["state"], json!("CompleteCommit"));
    // (Before any broker comes or goes: the replication pass that follows applies retention,
    // and filka's also deletes by time in compacted topics, __transaction_state's and
    // __consumer_offsets' records older than 7 days among them.)
    let up = t.run(["simulate-failure", "broker-up", "103"]).success();
    let up = stdout_text(&up);
    assert!(up.starts_with("broker 103 is up\n"), "{up}");
    assert!(up.contains("single-0: leader 103"), "{up}");
    let brokers = json_of(&t, &["describe", "brokers"]);
    let states: Vec<_> = brokers
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["id"].clone(), b["state"].clone(), b["paused"].clone()))
        .collect();
    assert_eq!(
        states,
        vec![
            (json!(101), json!("online"), json!(true)),
            (json!(102), json!("online"), json!(false)),
            (json!(103), json!("online"), json!(false)),
        ]
    );
    // What single-0 held on 103 before it went down is there again.
    assert_eq!(
        json_of(&t, &["consume", "-t", "single", "-o", "beginning"]),
        e["single_before_down"]
    );
    t.run(["topic", "create", "after3", "-p", "1", "-r", "3"])
        .success();
    let names: Vec<_> = json_of(&t, &["describe", "topics"])
        .as_array()
        .unwrap()
        .iter()
        .map(|topic| topic["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        ["after", "after3", "grow", "orders", "single", "txn"]
    );
}

#[test]
fn old_json_metadata_without_cluster_json_is_converted_from_the_old_log() {
    let t = old_cluster();
    let e = expected();
    std::fs::remove_file(t.data().join("cluster.json")).unwrap();
    let first = t.run(["describe", "brokers"]).success();
    assert_eq!(conversion_lines(&first).len(), 1);
    assert_eq!(image_as_old_json(&t), old_json_without_offset(&e));
    assert_eq!(
        without_newer_configs(json_of(&t, &["describe", "topics"])),
        e["topics"]
    );
}

/// Puts the old files back where a conversion killed before its last step (moving them
/// aside) leaves them.
fn unfinish(t: &TestCluster) {
    let kept = t.data().join("converted-json-metadata");
    for name in ["cluster.json", "metadata"] {
        std::fs::rename(kept.join(name), t.data().join(name)).unwrap();
    }
    std::fs::remove_dir(kept).unwrap();
}

/// Regression: a conversion killed after it had created the voters' copies of the new log
/// left a cluster that opened as an empty one (no broker, no topic), the old metadata never
/// converted; one killed just before moving the old files aside left them at the root for
/// good.
#[test]
fn a_conversion_killed_before_its_end_is_done_again_on_the_next_open() {
    let e = expected();
    // Killed after the copies' bootstrap, before the first records: their logs empty.
    let t = old_cluster();
    t.run(["describe", "brokers"]).success();
    unfinish(&t);
    std::fs::remove_file(t.data().join("simulation.json")).unwrap();
    for b in [101, 102, 103] {
        let log = t.data().join(format!(
            "broker-{b}/__cluster_metadata-0/00000000000000000000.log"
        ));
        std::fs::write(log, b"").unwrap();
    }
    let again = t.run(["describe", "brokers"]).success();
    assert_eq!(
        conversion_lines(&again).len(),
        1,
        "{:?}",
        stderr_lines(&again)
    );
    assert_eq!(image_as_old_json(&t), old_json_without_offset(&e));

    // Killed after the new log and the simulated state were written.
    let t = old_cluster();
    t.run(["describe", "brokers"]).success();
    unfinish(&t);
    let again = t.run(["describe", "brokers"]).success();
    assert_eq!(
        conversion_lines(&again).len(),
        1,
        "{:?}",
        stderr_lines(&again)
    );
    assert_eq!(image_as_old_json(&t), old_json_without_offset(&e));
    assert!(
        t.data()
            .join("converted-json-metadata/cluster.json")
            .is_file()
    );
    assert!(!t.data().join("cluster.json").exists());
    // And the next open is an ordinary one.
    let next = t.run(["describe", "brokers"]).success();
    assert!(stderr_lines(&next).is_empty(), "{:?}", stderr_lines(&next));
}
