//! The model's tests: each payload against what Kafka's own encoder returned, and the tree
//! of a small cluster.

use super::facts::{Election, FirstRecord, PartitionFacts};
use super::*;
use crate::cluster::metadata::{MetadataRecord, NewPartition};

// Every expected payload below is what Kafka 3.9.0's own encoder returned for the same
// input (kafka_2.13-3.9.0.jar called from Java 17), the Scala function named above it.

/// A listener: name, security protocol id, host, port.
fn endpoint(name: &str, protocol: i16, host: &str, port: u16) -> Endpoint {
    Endpoint {
        name: name.into(),
        host: host.into(),
        port,
        security_protocol: protocol,
        ..Default::default()
    }
}

fn info(host: &str, port: u16, rack: Option<&str>, timestamp_ms: i64) -> BrokerInfo {
    BrokerInfo {
        endpoints: vec![endpoint("PLAINTEXT", 0, host, port)],
        rack: rack.map(String::from),
        timestamp_ms,
    }
}

fn partition(p: u32, replicas: &[i32]) -> PartitionState {
    PartitionState {
        partition: p,
        replicas: replicas.to_vec(),
        isr: replicas.to_vec(),
        leader: replicas[0],
        leader_epoch: 0,
        partition_epoch: 0,
        offline_replicas: Vec::new(),
        adding_replicas: Vec::new(),
        removing_replicas: Vec::new(),
    }
}

#[test]
fn broker_znode_is_kafkas_v5_registration() {
    // BrokerIdZNode.encode(BrokerInfo(Broker(101, [PLAINTEXT://localhost:9092], None,
    // empty features), 5, -1)).
    assert_eq!(
        broker_json(&info("localhost", 9092, None, 1796524321484)),
        "{\"features\":{},\"listener_security_protocol_map\":{\"PLAINTEXT\":\"PLAINTEXT\"},\
         \"endpoints\":[\"PLAINTEXT://localhost:9092\"],\"jmx_port\":-1,\"port\":9092,\
         \"host\":\"localhost\",\"version\":5,\"timestamp\":\"1796524321484\"}"
    );
    // The same with a rack, an IPv6 host and a quote to escape.
    assert_eq!(
        broker_json(&info("::1", 9093, Some("r\"1"), 1796524546815)),
        "{\"features\":{},\"listener_security_protocol_map\":{\"PLAINTEXT\":\"PLAINTEXT\"},\
         \"endpoints\":[\"PLAINTEXT://[::1]:9093\"],\"rack\":\"r\\\"1\",\"jmx_port\":-1,\
         \"port\":9093,\"host\":\"::1\",\"version\":5,\"timestamp\":\"1796524546815\"}"
    );
    // No PLAINTEXT listener: "host" null and "port" -1; SSL://h:2 and B (PLAINTEXT) ->
    // host and port of B, the first PLAINTEXT one.
    let ssl = BrokerInfo {
        endpoints: vec![endpoint("SSL", 1, "h", 2)],
        rack: None,
        timestamp_ms: 7,
    };
    assert_eq!(
        broker_json(&ssl),
        "{\"features\":{},\"listener_security_protocol_map\":{\"SSL\":\"SSL\"},\
         \"endpoints\":[\"SSL://h:2\"],\"jmx_port\":-1,\"port\":-1,\"host\":null,\
         \"version\":5,\"timestamp\":\"7\"}"
    );
    let two = BrokerInfo {
        endpoints: vec![endpoint("SSL", 1, "h", 2), endpoint("B", 0, "h2", 3)],
        rack: None,
        timestamp_ms: 7,
    };
    assert_eq!(
        broker_json(&two),
        "{\"features\":{},\"listener_security_protocol_map\":{\"SSL\":\"SSL\",\
         \"B\":\"PLAINTEXT\"},\"endpoints\":[\"SSL://h:2\",\"B://h2:3\"],\"jmx_port\":-1,\
         \"port\":3,\"host\":\"h2\",\"version\":5,\"timestamp\":\"7\"}"
    );
    // Five listeners: the listener map is a CHAMP trie, in its order.
    let five = BrokerInfo {
        endpoints: vec![
            endpoint("PLAINTEXT", 0, "h", 1),
            endpoint("SSL", 1, "h", 2),
            endpoint("INTERNAL", 0, "h", 3),
            endpoint("EXTERNAL", 3, "h", 4),
            endpoint("REPLICATION", 2, "h", 5),
        ],
        rack: None,
        timestamp_ms: 7,
    };
    assert_eq!(
        broker_json(&five),
        "{\"features\":{},\"listener_security_protocol_map\":{\"INTERNAL\":\"PLAINTEXT\",\
         \"EXTERNAL\":\"SASL_SSL\",\"PLAINTEXT\":\"PLAINTEXT\",\"REPLICATION\":\"SASL_PLAINTEXT\",\
         \"SSL\":\"SSL\"},\"endpoints\":[\"PLAINTEXT://h:1\",\"SSL://h:2\",\"INTERNAL://h:3\",\
         \"EXTERNAL://h:4\",\"REPLICATION://h:5\"],\"jmx_port\":-1,\"port\":1,\"host\":\"h\",\
         \"version\":5,\"timestamp\":\"7\"}"
    );
}

#[test]
fn topic_znode_names_a_moving_partitions_adding_and_removing_replicas() {
    // TopicZNode.encode with partition 1 being moved from [101,102,103] to [104,102,103]:
    // ReplicaAssignment(replicas = [104,102,103,101], adding = [104], removing = [101]).
    let mut parts: Vec<PartitionState> = (0..3).map(|p| partition(p, &[101, 102, 103])).collect();
    parts[1].replicas = vec![104, 102, 103, 101];
    parts[1].adding_replicas = vec![104];
    parts[1].removing_replicas = vec![101];
    let r = "[101,102,103]";
    assert_eq!(
        topic_json("MKXx1fIkQy2J9jXHhK8m1w", &parts),
        format!(
            "{{\"partitions\":{{\"0\":{r},\"1\":[104,102,103,101],\"2\":{r}}},\
             \"topic_id\":\"MKXx1fIkQy2J9jXHhK8m1w\",\"adding_replicas\":{{\"1\":[104]}},\
             \"removing_replicas\":{{\"1\":[101]}},\"version\":3}}"
        )
    );
}

#[test]
fn topic_znode_is_kafkas_v3_assignment_in_hash_order() {
    // TopicZNode.encode(Some(id), 3 and 13 partitions on 101,102,103).
    let parts = |n: u32| -> Vec<PartitionState> {
        (0..n).map(|p| partition(p, &[101, 102, 103])).collect()
    };
    let r = "[101,102,103]";
    assert_eq!(
        topic_json("MKXx1fIkQy2J9jXHhK8m1w", &parts(3)),
        format!(
            "{{\"partitions\":{{\"0\":{r},\"1\":{r},\"2\":{r}}},\
             \"topic_id\":\"MKXx1fIkQy2J9jXHhK8m1w\",\"adding_replicas\":{{}},\
             \"removing_replicas\":{{}},\"version\":3}}"
        )
    );
    // 13 partitions: the table has grown to 32 buckets, and "11", "12" come first.
    let order: Vec<String> = [11, 12, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        .iter()
        .map(|p| format!("\"{p}\":{r}"))
        .collect();
    assert_eq!(
        topic_json("MKXx1fIkQy2J9jXHhK8m1w", &parts(13)),
        format!(
            "{{\"partitions\":{{{}}},\"topic_id\":\"MKXx1fIkQy2J9jXHhK8m1w\",\
             \"adding_replicas\":{{}},\"removing_replicas\":{{}},\"version\":3}}",
            order.join(",")
        )
    );
}

#[test]
fn partition_state_znode_is_kafkas_leader_and_isr() {
    // TopicPartitionStateZNode.encode(LeaderIsrAndControllerEpoch(LeaderAndIsr(102, 3,
    // [102,103], RECOVERED, 7), 5)), then RECOVERING with ISR [102], then no leader.
    assert_eq!(
        partition_state_json(5, 102, 3, &[102, 103], 0),
        "{\"controller_epoch\":5,\"leader\":102,\"version\":1,\"leader_epoch\":3,\
         \"isr\":[102,103]}"
    );
    assert_eq!(
        partition_state_json(5, 102, 3, &[102], 1),
        "{\"controller_epoch\":5,\"leader\":102,\"version\":1,\"leader_recovery_state\":1,\
         \"leader_epoch\":3,\"isr\":[102]}"
    );
    assert_eq!(
        partition_state_json(1, -1, 4, &[], 0),
        "{\"controller_epoch\":1,\"leader\":-1,\"version\":1,\"leader_epoch\":4,\"isr\":[]}"
    );
}

#[test]
fn config_znode_is_kafkas_properties_in_hash_order() {
    let configs = |kv: &[(&str, &str)]| -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    };
    // ConfigEntityZNode.encode(new Properties()).
    assert_eq!(
        config_json(&BTreeMap::new()),
        "{\"version\":1,\"config\":{}}"
    );
    // ConfigEntityZNode.encode of the three put in key order.
    assert_eq!(
        config_json(&configs(&[
            ("cleanup.policy", "compact"),
            ("min.insync.replicas", "2"),
            ("retention.ms", "1000")
        ])),
        "{\"version\":1,\"config\":{\"cleanup.policy\":\"compact\",\
         \"min.insync.replicas\":\"2\",\"retention.ms\":\"1000\"}}"
    );
    // Jackson's escapes: control characters, quote, backslash; '/', non-ASCII and DEL
    // as they are.
    assert_eq!(
        config_json(&configs(&[("k", "a\u{1}b\n\t\"\\/é\u{1f}\u{7f}")])),
        "{\"version\":1,\"config\":{\"k\":\"a\\u0001b\\n\\t\\\"\\\\/é\\u001F\u{7f}\"}}"
    );
}

#[test]
fn the_small_znodes_are_kafkas() {
    // ControllerZNode.encode(101, 1700000000123L, -1)
    assert_eq!(
        controller_json(101, 1700000000123),
        "{\"version\":2,\"brokerid\":101,\"timestamp\":\"1700000000123\",\
         \"kraftControllerEpoch\":-1}"
    );
    // ClusterIdZNode.toJson("q1Sh-9_ISia_zwGINzRvyQ")
    assert_eq!(
        cluster_id_json("q1Sh-9_ISia_zwGINzRvyQ"),
        "{\"version\":\"1\",\"id\":\"q1Sh-9_ISia_zwGINzRvyQ\"}"
    );
    // ProducerIdBlockZNode.generateProducerIdBlockJson(ProducerIdsBlock(102, 2000, 1000))
    assert_eq!(
        producer_id_block_json(102, 2000, 2999),
        "{\"version\":1,\"broker\":102,\"block_start\":\"2000\",\"block_end\":\"2999\"}"
    );
    // FeatureZNode.encode(FeatureZNode(2, Enabled, Map.empty))
    assert_eq!(FEATURE_JSON, "{\"features\":{},\"version\":2,\"status\":1}");
}

/// Brokers 101-103 on localhost:9092-9094, topic `demo` (2 partitions on all three,
/// retention.ms=1000 and replica.lag.time.max.ms=5000), broker 103 down (out of both ISRs,
/// and no longer leading partition 1), one producer-id block handed out, flush.messages and
/// replica.lag.time.max.ms set cluster-wide.
fn state() -> ClusterState {
    let mut s = ClusterState::new("q1Sh-9_ISia_zwGINzRvyQ".into());
    let records = [
        MetadataRecord::RegisterBroker { id: 101 },
        MetadataRecord::RegisterBroker { id: 102 },
        MetadataRecord::RegisterBroker { id: 103 },
        MetadataRecord::CreateTopic {
            name: "demo".into(),
            topic_id: TOPIC_ID.into(),
            configs: [
                ("retention.ms".to_string(), "1000".to_string()),
                ("replica.lag.time.max.ms".to_string(), "5000".to_string()),
            ]
            .into(),
            partitions: vec![
                NewPartition {
                    partition: 0,
                    replicas: vec![101, 102, 103],
                },
                NewPartition {
                    partition: 1,
                    replicas: vec![103, 101, 102],
                },
            ],
        },
        MetadataRecord::FenceBroker { id: 103 },
        MetadataRecord::PartitionChange {
            topic: "demo".into(),
            partition: 0,
            leader: 101,
            leader_epoch: 0,
            isr: vec![101, 102],
            reason: "103 down".into(),
            offline_replicas: None,
        },
        MetadataRecord::PartitionChange {
            topic: "demo".into(),
            partition: 1,
            leader: 101,
            leader_epoch: 1,
            isr: vec![101, 102],
            reason: "103 down".into(),
            offline_replicas: None,
        },
        MetadataRecord::ProducerIds {
            next_producer_id: 2000,
        },
        MetadataRecord::AlterClusterConfigs {
            configs: [
                ("flush.messages".to_string(), "10".to_string()),
                ("replica.lag.time.max.ms".to_string(), "5000".to_string()),
            ]
            .into(),
        },
    ];
    for r in &records {
        s.apply(r);
    }
    for (id, b) in s.brokers.iter_mut() {
        let port = 9092 + u16::try_from(id - 101).unwrap();
        b.registration.endpoints = vec![endpoint("PLAINTEXT", 0, "localhost", port)];
    }
    s
}

const TOPIC_ID: &str = "MKXx1fIkQy2J9jXHhK8m1w";

/// What the log says of [`state`]: brokers up at 1700000000101 and ...102, controller 102
/// elected in epoch 4 at ...500, partition 0 last written in epoch 3, partition 1 in epoch
/// 4 and recovering, the block handed to 101.
fn facts() -> LogFacts {
    LogFacts {
        first: Some(FirstRecord {
            offset: 0,
            timestamp: 1700000000000,
            epoch: 1,
        }),
        broker_up_ms: [(101, 1700000000101), (102, 1700000000102)].into(),
        elections: [(
            4,
            Election {
                leader: 102,
                timestamp: 1700000000500,
            },
        )]
        .into(),
        partitions: [
            (
                (TOPIC_ID.to_string(), 0),
                PartitionFacts {
                    epoch: 3,
                    leader_recovery_state: 0,
                },
            ),
            (
                (TOPIC_ID.to_string(), 1),
                PartitionFacts {
                    epoch: 4,
                    leader_recovery_state: 1,
                },
            ),
        ]
        .into(),
        producer_ids_broker: Some(101),
    }
}

const LEADING: Quorum = Quorum {
    leader: 102,
    epoch: 4,
    leader_running: true,
};

fn paths(t: &ZkTree) -> Vec<(String, bool, bool)> {
    t.root
        .walk()
        .into_iter()
        .map(|z| (z.path.clone(), z.ephemeral, z.data.is_some()))
        .collect()
}

fn data(t: &ZkTree, path: &str) -> String {
    t.root.find(path).and_then(|z| z.data.clone()).unwrap()
}

#[test]
fn the_tree_of_a_cluster_with_a_broker_down() {
    let facts = facts();
    let t = tree(
        &state(),
        &Inputs {
            quorum: LEADING,
            facts: &facts,
        },
    );
    let want: Vec<(&str, bool, bool)> = vec![
        ("/", false, false),
        ("/admin", false, false),
        ("/admin/delete_topics", false, false),
        ("/brokers", false, false),
        ("/brokers/ids", false, false),
        ("/brokers/ids/101", true, true),
        ("/brokers/ids/102", true, true),
        ("/brokers/seqid", false, false),
        ("/brokers/topics", false, false),
        ("/brokers/topics/demo", false, true),
        ("/brokers/topics/demo/partitions", false, false),
        ("/brokers/topics/demo/partitions/0", false, false),
        ("/brokers/topics/demo/partitions/0/state", false, true),
        ("/brokers/topics/demo/partitions/1", false, false),
        ("/brokers/topics/demo/partitions/1/state", false, true),
        ("/cluster", false, false),
        ("/cluster/id", false, true),
        ("/config", false, false),
        ("/config/brokers", false, false),
        ("/config/brokers/<default>", false, true),
        ("/config/changes", false, false),
        ("/config/clients", false, false),
        ("/config/ips", false, false),
        ("/config/topics", false, false),
        ("/config/topics/demo", false, true),
        ("/config/users", false, false),
        ("/consumers", false, false),
        ("/controller", true, true),
        ("/controller_epoch", false, true),
        ("/feature", false, true),
        ("/isr_change_notification", false, false),
        ("/latest_producer_id_block", false, true),
        ("/log_dir_event_notification", false, false),
    ];
    let want: Vec<(String, bool, bool)> = want
        .into_iter()
        .map(|(p, e, d)| (p.to_string(), e, d))
        .collect();
    assert_eq!(paths(&t), want);

    // Each broker as it registered, at the time it came up.
    assert_eq!(
        data(&t, "/brokers/ids/102"),
        broker_json(&info("localhost", 9093, None, 1700000000102))
    );
    assert_eq!(
        data(&t, "/brokers/topics/demo/partitions/0/state"),
        "{\"controller_epoch\":3,\"leader\":101,\"version\":1,\"leader_epoch\":0,\
         \"isr\":[101,102]}"
    );
    assert_eq!(
        data(&t, "/brokers/topics/demo/partitions/1/state"),
        "{\"controller_epoch\":4,\"leader\":101,\"version\":1,\"leader_recovery_state\":1,\
         \"leader_epoch\":1,\"isr\":[101,102]}"
    );
    assert_eq!(
        data(&t, "/brokers/topics/demo"),
        "{\"partitions\":{\"0\":[101,102,103],\"1\":[103,101,102]},\
         \"topic_id\":\"MKXx1fIkQy2J9jXHhK8m1w\",\"adding_replicas\":{},\
         \"removing_replicas\":{},\"version\":3}"
    );
    // replica.lag.time.max.ms is no topic config in Kafka: left out, and said.
    assert_eq!(
        data(&t, "/config/topics/demo"),
        "{\"version\":1,\"config\":{\"retention.ms\":\"1000\"}}"
    );
    assert_eq!(
        data(&t, "/config/brokers/<default>"),
        "{\"version\":1,\"config\":{\"log.flush.interval.messages\":\"10\"}}"
    );
    assert_eq!(data(&t, "/controller"), controller_json(102, 1700000000500));
    assert_eq!(data(&t, "/controller_epoch"), "4");
    assert_eq!(
        data(&t, "/cluster/id"),
        cluster_id_json("q1Sh-9_ISia_zwGINzRvyQ")
    );
    assert_eq!(
        data(&t, "/latest_producer_id_block"),
        "{\"version\":1,\"broker\":101,\"block_start\":\"1000\",\"block_end\":\"1999\"}"
    );

    // The down broker's znode is gone, and why is known.
    assert!(t.root.find("/brokers/ids/103").is_none());
    let why = &t.absent("/brokers/ids/103").unwrap().why;
    assert!(why.contains("broker 103 is down"), "{why}");
    assert!(t.absent("/brokers/ids/101").is_none());
    let notes: Vec<&str> = t.notes.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].starts_with("replica.lag.time.max.ms left out of /config/topics/demo:"));
    assert!(notes[1].starts_with("the cluster-wide replica.lag.time.max.ms=5000"));
    assert_eq!(t.notes_for("/brokers").len(), 0);
    assert_eq!(t.notes_for("/config/topics/demo").len(), 1);
    assert_eq!(t.notes_for("/").len(), 2);
}

#[test]
fn a_stopped_controller_has_no_znode_and_its_epoch_stays() {
    let facts = facts();
    let stopped = Quorum {
        leader_running: false,
        ..LEADING
    };
    let t = tree(
        &state(),
        &Inputs {
            quorum: stopped,
            facts: &facts,
        },
    );
    assert!(t.root.find("/controller").is_none());
    let why = &t.absent("/controller").unwrap().why;
    assert!(
        why.starts_with("controller 102, the last one elected (epoch 4), is stopped"),
        "{why}"
    );
    assert_eq!(data(&t, "/controller_epoch"), "4");

    // No leader: an election under way; never one: no epoch either.
    let t = tree(
        &state(),
        &Inputs {
            quorum: Quorum {
                leader: -1,
                ..LEADING
            },
            facts: &facts,
        },
    );
    assert!(t.absent("/controller").unwrap().why.contains("under way"));
    assert_eq!(data(&t, "/controller_epoch"), "4");
    let t = tree(
        &state(),
        &Inputs {
            quorum: Quorum {
                leader: -1,
                epoch: 0,
                leader_running: false,
            },
            facts: &facts,
        },
    );
    for p in ["/controller", "/controller_epoch"] {
        assert!(t.root.find(p).is_none(), "{p}");
        assert_eq!(t.absent(p).unwrap().why, "no controller was ever elected");
    }
}

#[test]
fn what_is_older_than_the_log_is_stood_in_for_and_said() {
    // The log starts at offset 40 (epoch 2): nothing of the brokers, the election, the
    // partitions or the block's broker in it.
    let facts = LogFacts {
        first: Some(FirstRecord {
            offset: 40,
            timestamp: 1700000009999,
            epoch: 2,
        }),
        ..LogFacts::default()
    };
    let t = tree(
        &state(),
        &Inputs {
            quorum: LEADING,
            facts: &facts,
        },
    );
    assert!(data(&t, "/brokers/ids/101").contains("\"timestamp\":\"1700000009999\""));
    assert_eq!(data(&t, "/controller"), controller_json(102, 1700000009999));
    assert!(
        data(&t, "/brokers/topics/demo/partitions/1/state").starts_with(
            "{\"controller_epoch\":2,\"leader\":101,\"version\":1,\"leader_epoch\":1,"
        )
    );
    assert_eq!(t.root.find("/latest_producer_id_block").unwrap().data, None);
    let said =
        |path: &str| -> Vec<String> { t.notes_for(path).iter().map(|n| n.text.clone()).collect() };
    assert_eq!(
        said("/brokers/ids"),
        [
            "/brokers/ids/101, /brokers/ids/102: \"timestamp\" is the time of the metadata \
          log's first record (offset 40): the log holds no record of the broker registering \
             or being unfenced"
        ]
    );
    assert_eq!(
        said("/controller"),
        [
            "/controller: \"timestamp\" is the time of the metadata log's first record (offset \
          40): the log holds no LeaderChangeMessage of controller 102 in epoch 4"
        ]
    );
    assert_eq!(
        said("/brokers/topics/demo/partitions/0"),
        [
            "/brokers/topics/demo/partitions/0/state, /brokers/topics/demo/partitions/1/state: \
          the log holds no record that set the leader or ISR: \"controller_epoch\" is the \
             epoch of the metadata log's first record (offset 40), 2, and the leader taken as \
             recovered"
        ]
    );
    assert_eq!(
        said("/latest_producer_id_block"),
        [
            "/latest_producer_id_block is shown without its data: the metadata log names no \
          broker for the last block (producer ids 1000 to 1999)"
        ]
    );
    // A note about one subtree is not said for another.
    assert!(said("/cluster").is_empty());
}

#[test]
fn a_new_cluster_has_no_producer_id_block_data() {
    let mut s = ClusterState::new("q1Sh-9_ISia_zwGINzRvyQ".into());
    s.apply(&MetadataRecord::RegisterBroker { id: 1 });
    let facts = LogFacts {
        broker_up_ms: [(1, 5)].into(),
        ..LogFacts::default()
    };
    let t = tree(
        &s,
        &Inputs {
            quorum: LEADING,
            facts: &facts,
        },
    );
    assert_eq!(t.root.find("/latest_producer_id_block").unwrap().data, None);
    assert!(t.notes_for("/latest_producer_id_block").is_empty());
    assert!(t.root.find("/config/brokers").unwrap().children.is_empty());
    // No listener registered: no PLAINTEXT one to name.
    assert!(
        data(&t, "/brokers/ids/1")
            .contains("\"endpoints\":[],\"jmx_port\":-1,\"port\":-1,\"host\":null,")
    );
}

#[test]
fn cluster_wide_configs_go_by_their_broker_names() {
    assert_eq!(
        dynamic_broker_config("flush.messages"),
        Some("log.flush.interval.messages")
    );
    assert_eq!(dynamic_broker_config("segment.ms"), Some("log.roll.ms"));
    assert_eq!(
        dynamic_broker_config("min.insync.replicas"),
        Some("min.insync.replicas")
    );
    // A broker config's name already (a real Kafka's metadata log): as it is.
    assert_eq!(
        dynamic_broker_config("log.retention.ms"),
        Some("log.retention.ms")
    );
    assert_eq!(dynamic_broker_config("replica.lag.time.max.ms"), None);
}

#[test]
fn paths_are_within_by_whole_segments() {
    assert!(is_within("/brokers/ids", "/brokers"));
    assert!(is_within("/brokers", "/brokers"));
    assert!(is_within("/brokers", "/"));
    assert!(!is_within("/brokersx", "/brokers"));
    assert!(!is_within("/controller_epoch", "/controller"));
    assert!(!is_within("/", "/brokers"));
}
