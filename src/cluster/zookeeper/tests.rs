//! The model's tests: each payload against what Kafka's own encoder returned, and the tree
//! of a small cluster.

use super::*;
use crate::cluster::metadata::{MetadataRecord, NewPartition};

// Every expected payload below is what Kafka 3.9.0's own encoder returned for the same
// input (kafka_2.13-3.9.0.jar called from Java 17), the Scala function named above it.

fn info(host: &str, port: i32, rack: Option<&str>, timestamp_ms: i64) -> BrokerInfo {
    BrokerInfo {
        host: host.into(),
        port,
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
        partition_state_json(5, 102, 3, &[102, 103], false),
        "{\"controller_epoch\":5,\"leader\":102,\"version\":1,\"leader_epoch\":3,\
         \"isr\":[102,103]}"
    );
    assert_eq!(
        partition_state_json(5, 102, 3, &[102], true),
        "{\"controller_epoch\":5,\"leader\":102,\"version\":1,\"leader_recovery_state\":1,\
         \"leader_epoch\":3,\"isr\":[102]}"
    );
    assert_eq!(
        partition_state_json(1, -1, 4, &[], false),
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

/// Brokers 101-103, topic `demo` (2 partitions on all three, retention.ms=1000 and
/// replica.lag.time.max.ms=5000), broker 103 down (out of both ISRs, and no longer
/// leading partition 1), one producer-id block handed out, flush.messages and
/// replica.lag.time.max.ms set cluster-wide.
fn state() -> ClusterState {
    let mut s = ClusterState::new("q1Sh-9_ISia_zwGINzRvyQ".into());
    let records = [
        MetadataRecord::RegisterBroker { id: 101 },
        MetadataRecord::RegisterBroker { id: 102 },
        MetadataRecord::RegisterBroker { id: 103 },
        MetadataRecord::CreateTopic {
            name: "demo".into(),
            topic_id: "MKXx1fIkQy2J9jXHhK8m1w".into(),
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
    s
}

fn local(id: i32) -> BrokerInfo {
    info("localhost", 9092 + id - 101, None, 1700000000000)
}

fn paths(t: &ZkTree) -> Vec<(String, bool, bool)> {
    t.root
        .walk()
        .into_iter()
        .map(|z| (z.path.clone(), z.ephemeral, z.data.is_some()))
        .collect()
}

#[test]
fn the_tree_of_a_cluster_with_a_broker_down() {
    let inputs = Inputs {
        controller: Some(Controller {
            id: 102,
            epoch: 4,
            elected_ms: 1700000000500,
        }),
        broker: &local,
        producer_id_block_broker: Some(101),
        leader_recovering: &|t, p| t == "demo" && p == 1,
    };
    let t = tree(&state(), &inputs);
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

    let data = |p: &str| t.root.find(p).and_then(|z| z.data.clone()).unwrap();
    assert_eq!(data("/brokers/ids/102"), broker_json(&local(102)));
    assert!(data("/brokers/ids/102").contains("\"port\":9093"));
    assert_eq!(
        data("/brokers/topics/demo/partitions/1/state"),
        "{\"controller_epoch\":4,\"leader\":101,\"version\":1,\"leader_recovery_state\":1,\
         \"leader_epoch\":1,\"isr\":[101,102]}"
    );
    assert_eq!(
        data("/brokers/topics/demo"),
        "{\"partitions\":{\"0\":[101,102,103],\"1\":[103,101,102]},\
         \"topic_id\":\"MKXx1fIkQy2J9jXHhK8m1w\",\"adding_replicas\":{},\
         \"removing_replicas\":{},\"version\":3}"
    );
    // replica.lag.time.max.ms is no topic config in Kafka: left out, and said.
    assert_eq!(
        data("/config/topics/demo"),
        "{\"version\":1,\"config\":{\"retention.ms\":\"1000\"}}"
    );
    assert_eq!(
        data("/config/brokers/<default>"),
        "{\"version\":1,\"config\":{\"log.flush.interval.messages\":\"10\"}}"
    );
    assert_eq!(data("/controller"), controller_json(102, 1700000000500));
    assert_eq!(data("/controller_epoch"), "4");
    assert_eq!(
        data("/cluster/id"),
        cluster_id_json("q1Sh-9_ISia_zwGINzRvyQ")
    );
    assert_eq!(
        data("/latest_producer_id_block"),
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
fn an_unknown_controller_is_left_out_and_said() {
    let inputs = Inputs {
        controller: None,
        broker: &local,
        producer_id_block_broker: None,
        leader_recovering: &|_, _| false,
    };
    let t = tree(&state(), &inputs);
    for p in ["/controller", "/controller_epoch"] {
        assert!(t.root.find(p).is_none(), "{p}");
        assert!(t.absent(p).is_some(), "{p}");
    }
    let state = t
        .root
        .find("/brokers/topics/demo/partitions/0/state")
        .and_then(|z| z.data.clone())
        .unwrap();
    assert!(state.starts_with("{\"controller_epoch\":-1,"), "{state}");
    // The producer-id block's broker is unknown: no data, and a note.
    let block = t.root.find("/latest_producer_id_block").unwrap();
    assert_eq!(block.data, None);
    let about_block = t.notes_for("/latest_producer_id_block");
    assert_eq!(about_block.len(), 1);
    assert!(about_block[0].text.contains("producer ids 1000 to 1999"));
    // The controller note concerns the partition states too, not /cluster.
    assert_eq!(t.notes_for("/brokers/topics/demo/partitions/0").len(), 1);
    assert_eq!(t.notes_for("/cluster").len(), 0);
    assert_eq!(t.notes_for("/controller").len(), 1);
}

#[test]
fn a_new_cluster_has_no_producer_id_block_data() {
    let mut s = ClusterState::new("q1Sh-9_ISia_zwGINzRvyQ".into());
    s.apply(&MetadataRecord::RegisterBroker { id: 1 });
    let inputs = Inputs {
        controller: None,
        broker: &local,
        producer_id_block_broker: None,
        leader_recovering: &|_, _| false,
    };
    let t = tree(&s, &inputs);
    assert_eq!(t.root.find("/latest_producer_id_block").unwrap().data, None);
    assert!(t.notes_for("/latest_producer_id_block").is_empty());
    assert!(t.root.find("/config/brokers").unwrap().children.is_empty());
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
