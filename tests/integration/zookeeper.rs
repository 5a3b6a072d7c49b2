//! `filka describe zookeeper`: the znode tree of a fixed cluster (golden), as JSON, where
//! each value comes from (the controller quorum, the metadata log's times and epochs), a
//! broker's and a controller's ephemeral znode gone while it is down, PATH subtrees, and the
//! errors (unknown and bad PATH). The payloads themselves are checked against Kafka's
//! encoders in the unit tests of `cluster::zookeeper`.

use filka::error::ExitCode;
use serde_json::Value;

use crate::harness::{TestCluster, assert_golden, copy_dir, json_lines, stderr_lines, stdout_text};

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

/// `describe zookeeper ARGS` (text), stdout redacted: cluster and topic ids, and the
/// registration and election times.
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
fn golden_tree_after_a_failover() {
    // A producer-id block from controller 101; 102 elected in epoch 2 (101 back as a
    // follower); broker 103 down in epoch 2: its znode gone, the partition states it was in
    // rewritten with controller_epoch 2 (solo-1 offline: leader -1, ISR [103] kept, as
    // Kafka keeps the last replica), solo-0 and solo-2 kept at 1.
    let t = cluster();
    t.run(["topic", "create", "solo", "-p", "3", "-r", "1", "-q"])
        .success();
    t.produce("demo", "a\n", &["-q"]).success();
    t.run(["simulate-failure", "controller-down", "101", "-q"])
        .success();
    t.run(["simulate-failure", "controller-up", "101", "-q"])
        .success();
    t.run(["simulate-failure", "broker-down", "103", "-q"])
        .success();
    let a = t.run(["describe", "zookeeper"]).success();
    assert!(stderr_lines(&a).is_empty(), "{:?}", stderr_lines(&a));
    assert_golden("describe/zookeeper-failover.txt", &zk(&t, &[]));
}

/// The data of the znode at `path` (text output), stdout not redacted.
fn data(t: &TestCluster, path: &str) -> String {
    let a = t.run(["describe", "zookeeper", path]).success();
    let out = stdout_text(&a);
    let first = out.lines().next().unwrap_or_default().to_string();
    first
        .splitn(3, "  ")
        .nth(2)
        .unwrap_or_else(|| panic!("{path} has no data: {out}"))
        .to_string()
}

/// The metadata log's entries of `kind` (e.g. `LeaderChangeMessage`), as `describe history`
/// has them: (timestamp, record data).
fn history(t: &TestCluster, kind: &str) -> Vec<(i64, Value)> {
    t.cluster()
        .history()
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| (e.timestamp, e.data))
        .collect()
}

#[test]
fn a_healthy_cluster_says_nothing_on_stderr() {
    let t = cluster();
    let a = t.run(["describe", "zookeeper"]).success();
    assert!(stderr_lines(&a).is_empty(), "{:?}", stderr_lines(&a));
}

#[test]
fn the_controller_is_the_quorum_leader_elected_at_its_leader_change() {
    let t = cluster();
    let elections = history(&t, "LeaderChangeMessage");
    assert_eq!(elections.len(), 1);
    assert_eq!(
        data(&t, "/controller"),
        format!(
            "{{\"version\":2,\"brokerid\":101,\"timestamp\":\"{}\",\"kraftControllerEpoch\":-1}}",
            elections[0].0
        )
    );
    assert_eq!(data(&t, "/controller_epoch"), "1");
    let a = t
        .run(["--output", "json", "describe", "zookeeper", "/controller"])
        .success();
    assert_eq!(json_lines(&a)[0]["ephemeral"], true);

    // Controller 101 stops: 102 is elected in epoch 2, at the time of its LeaderChangeMessage.
    t.run(["simulate-failure", "controller-down", "101", "-q"])
        .success();
    let elections = history(&t, "LeaderChangeMessage");
    assert_eq!(elections.len(), 2);
    assert_eq!(
        data(&t, "/controller"),
        format!(
            "{{\"version\":2,\"brokerid\":102,\"timestamp\":\"{}\",\"kraftControllerEpoch\":-1}}",
            elections[1].0
        )
    );
    assert_eq!(data(&t, "/controller_epoch"), "2");
}

#[test]
fn a_partition_state_has_the_epoch_of_the_controller_that_last_wrote_it() {
    let t = cluster();
    let epoch_of = |t: &TestCluster, p: u32| -> String {
        let state = data(t, &format!("/brokers/topics/demo/partitions/{p}/state"));
        state
            .strip_prefix("{\"controller_epoch\":")
            .and_then(|r| r.split(',').next())
            .unwrap_or_else(|| panic!("{state}"))
            .to_string()
    };
    assert_eq!(
        [epoch_of(&t, 0), epoch_of(&t, 1), epoch_of(&t, 2)],
        ["1", "1", "1"]
    );
    // Controller 102 takes over in epoch 2 (101 comes back as a follower): nothing is
    // written for that alone. A topic created then is written in epoch 2 from the start;
    // when broker 103 goes down, the partitions whose ISR held it (all of demo's) are
    // written again, in epoch 2.
    t.run(["simulate-failure", "controller-down", "101", "-q"])
        .success();
    t.run(["simulate-failure", "controller-up", "101", "-q"])
        .success();
    assert_eq!(data(&t, "/controller_epoch"), "2");
    t.run(["topic", "create", "later", "-p", "1", "-r", "1", "-q"])
        .success();
    assert_eq!(epoch_of(&t, 0), "1");
    let later = data(&t, "/brokers/topics/later/partitions/0/state");
    assert!(later.starts_with("{\"controller_epoch\":2,"), "{later}");
    t.run(["simulate-failure", "broker-down", "103", "-q"])
        .success();
    assert_eq!(
        [epoch_of(&t, 0), epoch_of(&t, 1), epoch_of(&t, 2)],
        ["2", "2", "2"]
    );
}

#[test]
fn a_stopped_controller_loses_its_znode_when_none_can_be_elected() {
    let t = cluster();
    t.run(["simulate-failure", "controller-down", "101", "-q"])
        .success();
    // 102 leads; with 102 stopped too, 103 alone is no majority: nobody is elected.
    t.run(["simulate-failure", "controller-down", "102", "-q"])
        .failure();
    let a = t
        .run(["describe", "zookeeper", "/controller"])
        .code(NOT_FOUND);
    assert_eq!(
        stderr_lines(&a),
        [
            "filka: no znode /controller: controller 102, the last one elected (epoch 2), is \
             stopped and no other has been elected: its ephemeral znode went with its session"
        ]
    );
    assert_eq!(data(&t, "/controller_epoch"), "2");
    // Back up: 101 is elected in epoch 3, and /controller is back.
    t.run(["simulate-failure", "controller-up", "101", "-q"])
        .success();
    assert!(data(&t, "/controller").contains("\"brokerid\":"));
    assert_eq!(data(&t, "/controller_epoch"), "3");
}

#[test]
fn a_broker_registered_when_the_log_unfenced_it() {
    let t = cluster();
    let unfenced = |t: &TestCluster, id: i64| -> Vec<i64> {
        history(t, "BrokerRegistrationChangeRecord")
            .into_iter()
            .filter(|(_, d)| d.pointer("/data/brokerId") == Some(&Value::from(id)))
            .filter(|(_, d)| d.pointer("/data/fenced") == Some(&Value::from(-1)))
            .map(|(ts, _)| ts)
            .collect()
    };
    let timestamp = |t: &TestCluster, id: i64| -> i64 {
        let d: Value = serde_json::from_str(&data(t, &format!("/brokers/ids/{id}"))).unwrap();
        d["timestamp"].as_str().unwrap().parse().unwrap()
    };
    let first = unfenced(&t, 102);
    assert_eq!(first.len(), 1);
    assert_eq!(timestamp(&t, 102), first[0]);
    // Down and up again: a new session, registered when the log unfenced it again.
    t.run(["simulate-failure", "broker-down", "102", "-q"])
        .success();
    std::thread::sleep(std::time::Duration::from_millis(5));
    t.run(["simulate-failure", "broker-up", "102", "-q"])
        .success();
    let again = unfenced(&t, 102);
    assert_eq!(again.len(), 2);
    assert!(again[1] > first[0]);
    assert_eq!(timestamp(&t, 102), again[1]);
    // 101 stayed up: its time stands.
    assert_eq!(timestamp(&t, 101), unfenced(&t, 101)[0]);
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
        [
            "/brokers/ids/101",
            "/brokers/ids/102",
            "/brokers/ids/103",
            "/controller"
        ]
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
fn the_last_producer_id_block_names_the_broker_of_its_record() {
    let t = cluster();
    let a = t
        .run(["describe", "zookeeper", "/latest_producer_id_block"])
        .success();
    assert_eq!(stdout_text(&a), "/latest_producer_id_block  (persistent)\n");
    // An idempotent producer takes the first block, from controller 101.
    t.produce("demo", "a\n", &["-q"]).success();
    assert_eq!(
        history(&t, "ProducerIdsRecord")[0].1["data"]["brokerId"],
        Value::from(101)
    );
    assert_eq!(
        data(&t, "/latest_producer_id_block"),
        "{\"version\":1,\"broker\":101,\"block_start\":\"0\",\"block_end\":\"999\"}"
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

#[test]
fn golden_tree_of_a_real_kafka_log_dir() {
    // fixtures/apache-kafka/broker-101, the log dir of a stopped Kafka 4.4 node (seen alone:
    // its broker up, partitions without a replica here offline). Its metadata log has no
    // quorum-state beside it: the controller is the one its LeaderChangeMessage names, at
    // that record's time (offset 0); the broker came up when the log unfenced it (offset
    // 14), though a clean stop left it fenced; the producer-id block is the broker's own.
    let t = TestCluster::new();
    let dir = t.path().join("kafka-logs");
    copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apache-kafka/broker-101"),
        &dir,
    );
    let a = t
        .bare_cmd()
        .arg("--cluster")
        .arg(&dir)
        .args(["describe", "zookeeper"])
        .assert()
        .success();
    let err = stderr_lines(&a);
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(err[0].contains("opened read-only"), "{err:?}");
    let out = stdout_text(&a);
    assert!(out.contains(
        "/controller  (ephemeral)  {\"version\":2,\"brokerid\":101,\"timestamp\":\"1796521754798\",\"kraftControllerEpoch\":-1}\n"
    ));
    assert!(out.contains(
        "\"port\":23326,\"host\":\"127.0.0.1\",\"version\":5,\"timestamp\":\"1796521755733\"}\n"
    ));
    assert_golden("describe/zookeeper-kafka-log-dir.txt", &out);
}
