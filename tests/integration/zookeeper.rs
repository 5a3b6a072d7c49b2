//! `filka describe zookeeper`: the znode tree of a fixed cluster (golden), as JSON, a broker's
//! ephemeral znode gone while it is down, PATH subtrees, and the errors (unknown and bad
//! PATH). The payloads themselves are checked against Kafka's encoders in the unit tests of
//! `cluster::zookeeper`.

use filka::error::ExitCode;
use serde_json::Value;

use crate::harness::{TestCluster, assert_golden, json_lines, stderr_lines, stdout_text};

const NOT_FOUND: i32 = ExitCode::NotFound as i32;
const USAGE: i32 = ExitCode::Usage as i32;

/// Brokers 101-103; `demo` (3 partitions, RF 3) and `trucks_gps` (2 partitions, RF 2,
/// retention.ms=86400000).
fn cluster() -> TestCluster {
    let t = TestCluster::new();
    t.run(["init", "-q"]).success();
    t.run(["topic", "create", "demo", "-q"]).success();
    t.run([
        "topic",
        "create",
        "trucks_gps",
        "-p",
        "2",
        "-r",
        "2",
        "-c",
        "retention.ms=86400000",
        "-q",
    ])
    .success();
    t
}

/// `describe zookeeper ARGS` (text), stdout redacted: cluster and topic ids, and the brokers'
/// registration times (the time of the command).
fn zk(t: &TestCluster, args: &[&str]) -> String {
    let assert = t
        .cmd()
        .args(["describe", "zookeeper"])
        .args(args)
        .assert()
        .success();
    redact_timestamps(&t.redact(&stdout_text(&assert)))
}

/// `"timestamp":"<digits>"` -> `"timestamp":"<ms>"`.
fn redact_timestamps(text: &str) -> String {
    let key = "\"timestamp\":\"";
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(key) {
        out.push_str(&rest[..i + key.len()]);
        rest = &rest[i + key.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str("<ms>");
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

fn paths(text: &str) -> Vec<&str> {
    text.lines()
        .map(|l| l.split("  ").next().unwrap_or(""))
        .collect()
}

#[test]
fn golden_tree_of_a_healthy_cluster() {
    let t = cluster();
    assert_golden("describe/zookeeper.txt", &zk(&t, &[]));
}

#[test]
fn the_controller_left_out_is_said_once_and_q_silences_it() {
    let t = cluster();
    let a = t.run(["describe", "zookeeper"]).success();
    let err = stderr_lines(&a);
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(
        err[0].starts_with(
            "filka: describe zookeeper: /controller and /controller_epoch are not shown"
        ),
        "{err:?}"
    );
    let out = stdout_text(&a);
    assert!(!out.contains("/controller"), "{out}");
    assert!(out.contains("\"controller_epoch\":-1,"), "{out}");
    // A subtree the note is not about: no note.
    let a = t.run(["describe", "zookeeper", "/cluster"]).success();
    assert!(stderr_lines(&a).is_empty());
    let a = t.run(["-q", "describe", "zookeeper"]).success();
    assert!(stderr_lines(&a).is_empty());
    // /controller itself: not found, and why.
    let a = t
        .run(["describe", "zookeeper", "/controller"])
        .code(NOT_FOUND);
    assert_eq!(
        stderr_lines(&a),
        ["filka: no znode /controller: the controller's id and epoch are not known to filka yet"]
    );
}

#[test]
fn a_broker_that_goes_down_loses_its_ephemeral_znode() {
    let t = cluster();
    let before = zk(&t, &["/brokers/ids"]);
    assert_eq!(
        paths(&before),
        [
            "/brokers/ids",
            "/brokers/ids/101",
            "/brokers/ids/102",
            "/brokers/ids/103"
        ]
    );
    assert!(before.contains("/brokers/ids/102  (ephemeral)  {\"features\":{},"));
    assert!(before.contains("\"endpoints\":[\"PLAINTEXT://localhost:9093\"]"));

    t.run(["simulate-failure", "broker-down", "102", "-q"])
        .success();
    let after = zk(&t, &["/brokers/ids"]);
    assert_eq!(
        paths(&after),
        ["/brokers/ids", "/brokers/ids/101", "/brokers/ids/103"]
    );
    let a = t
        .run(["describe", "zookeeper", "/brokers/ids/102"])
        .code(NOT_FOUND);
    assert_eq!(
        stderr_lines(&a),
        [
            "filka: no znode /brokers/ids/102: broker 102 is down: its ZooKeeper session \
             ended, and its ephemeral znode with it"
        ]
    );
    // The partition states no longer list 102 in any ISR; the assignment still does.
    let demo = zk(&t, &["/brokers/topics/demo"]);
    for line in demo.lines().filter(|l| l.contains("/state ")) {
        assert!(!line.contains("102"), "{line}");
    }
    assert!(demo.lines().next().unwrap().contains("102"), "{demo}");

    t.run(["simulate-failure", "broker-up", "102", "-q"])
        .success();
    assert_eq!(paths(&zk(&t, &["/brokers/ids"])), paths(&before));
}

#[test]
fn path_shows_that_subtree_only() {
    let t = cluster();
    let out = zk(&t, &["/brokers/topics/trucks_gps"]);
    assert_eq!(
        paths(&out),
        [
            "/brokers/topics/trucks_gps",
            "/brokers/topics/trucks_gps/partitions",
            "/brokers/topics/trucks_gps/partitions/0",
            "/brokers/topics/trucks_gps/partitions/0/state",
            "/brokers/topics/trucks_gps/partitions/1",
            "/brokers/topics/trucks_gps/partitions/1/state",
        ]
    );
    let config = zk(&t, &["/config/topics/trucks_gps"]);
    assert_eq!(
        config,
        "/config/topics/trucks_gps  (persistent)  \
         {\"version\":1,\"config\":{\"retention.ms\":\"86400000\"}}\n"
    );
}

#[test]
fn unknown_and_bad_paths_are_one_line_errors() {
    let t = cluster();
    for path in ["/brokers/topics/nope", "/nope", "/brokers/ids/999"] {
        let a = t.run(["describe", "zookeeper", path]).code(NOT_FOUND);
        assert_eq!(
            stderr_lines(&a),
            [format!(
                "filka: no znode {path}: this cluster's tree has no such znode"
            )]
        );
        assert!(stdout_text(&a).is_empty());
    }
    for path in ["brokers", "/brokers/", "/brokers//ids"] {
        t.run(["describe", "zookeeper", path]).code(USAGE);
    }
}

/// Every znode of a JSON tree, parents first.
fn walk(v: &Value) -> Vec<&Value> {
    let mut out = vec![v];
    for c in v["children"].as_array().unwrap() {
        out.extend(walk(c));
    }
    out
}

#[test]
fn json_is_the_tree_with_data_parsed_in_kafkas_key_order() {
    let t = cluster();
    let a = t
        .run(["--output", "json", "describe", "zookeeper"])
        .success();
    let lines = json_lines(&a);
    assert_eq!(lines.len(), 1);
    let root = &lines[0];
    assert_eq!(root["path"], "/");
    let nodes = walk(root);
    let ephemeral: Vec<&str> = nodes
        .iter()
        .filter(|z| z["ephemeral"] == true)
        .map(|z| z["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        ephemeral,
        ["/brokers/ids/101", "/brokers/ids/102", "/brokers/ids/103"]
    );
    let node = |p: &str| *nodes.iter().find(|z| z["path"] == p).unwrap();
    assert_eq!(node("/brokers/seqid")["data"], Value::Null);
    let broker = &node("/brokers/ids/103")["data"];
    assert_eq!(broker["port"], 9094);
    // The data keeps Kafka's key order, as the text shows it.
    let keys: Vec<&String> = broker.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "features",
            "listener_security_protocol_map",
            "endpoints",
            "jmx_port",
            "port",
            "host",
            "version",
            "timestamp"
        ]
    );
    let state = &node("/brokers/topics/demo/partitions/0/state")["data"];
    assert_eq!(
        state.to_string(),
        zk(&t, &["/brokers/topics/demo/partitions/0/state"])
            .trim_end()
            .rsplit("  ")
            .next()
            .unwrap()
    );

    // PATH: the subtree's object.
    let a = t
        .run(["--output", "json", "describe", "zookeeper", "/cluster/id"])
        .success();
    let id = &json_lines(&a)[0];
    assert_eq!(id["path"], "/cluster/id");
    assert_eq!(id["data"]["version"], "1");
    assert_eq!(id["data"]["id"], t.cluster().state().cluster_id.as_str());
    assert_eq!(id["children"], serde_json::json!([]));
}

#[test]
fn a_producer_id_block_handed_out_is_said() {
    let t = cluster();
    t.produce("demo", "a\n", &["-q"]).success();
    let a = t
        .run(["describe", "zookeeper", "/latest_producer_id_block"])
        .success();
    assert_eq!(stdout_text(&a), "/latest_producer_id_block  (persistent)\n");
    assert_eq!(
        stderr_lines(&a),
        [
            "filka: describe zookeeper: /latest_producer_id_block is shown without its data: \
             the last block (producer ids 0 to 999) went to a broker filka does not record"
        ]
    );
}

#[test]
fn configs_kafka_keeps_elsewhere_are_left_out_and_said() {
    let t = TestCluster::new();
    t.run([
        "init",
        "-q",
        "-c",
        "flush.messages=10",
        "-c",
        "replica.lag.time.max.ms=5000",
    ])
    .success();
    t.run([
        "topic",
        "create",
        "lagged",
        "-q",
        "-c",
        "replica.lag.time.max.ms=7000",
        "-c",
        "segment.ms=60000",
    ])
    .success();
    let a = t.run(["describe", "zookeeper", "/config"]).success();
    let out = stdout_text(&a);
    // flush.messages is Kafka's dynamic cluster-wide log.flush.interval.messages.
    assert!(
        out.contains(
            "/config/brokers/<default>  (persistent)  \
             {\"version\":1,\"config\":{\"log.flush.interval.messages\":\"10\"}}\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("/config/topics/lagged  (persistent)  {\"version\":1,\"config\":{"),
        "{out}"
    );
    assert!(!out.contains("replica.lag.time.max.ms"), "{out}");
    assert_eq!(
        stderr_lines(&a),
        [
            "filka: describe zookeeper: replica.lag.time.max.ms left out of \
             /config/topics/lagged: a broker setting in Kafka (server.properties), not a topic \
             config",
            "filka: describe zookeeper: the cluster-wide replica.lag.time.max.ms=5000 is not in \
             ZooKeeper: Kafka reads it from each broker's server.properties (it is not a \
             dynamic broker config)",
        ]
    );
}
