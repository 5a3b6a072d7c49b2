use proptest::prelude::*;

use super::super::message::hex;
use super::*;

fn id(b: u8) -> Uuid {
    Uuid([b; 16])
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn endpoint(name: &str, port: u16) -> Endpoint {
    Endpoint {
        name: name.into(),
        host: "127.0.0.1".into(),
        port,
        security_protocol: 0,
        unknown_tags: Vec::new(),
    }
}

fn feature(name: &str, min: i16, max: i16) -> Feature {
    Feature {
        name: name.into(),
        min_supported_version: min,
        max_supported_version: max,
        unknown_tags: Vec::new(),
    }
}

fn register_broker(v: i16) -> RegisterBrokerRecord {
    RegisterBrokerRecord {
        broker_id: 101,
        is_migrating_zk_broker: v >= 2,
        incarnation_id: id(1),
        broker_epoch: 11,
        end_points: vec![endpoint("PLAINTEXT", 9092), endpoint("SSL", 65535)],
        features: vec![feature("metadata.version", 7, 21)],
        rack: if v % 2 == 0 {
            None
        } else {
            Some("rack-a".into())
        },
        fenced: v != 1,
        in_controlled_shutdown: v >= 1,
        log_dirs: if v >= 3 {
            vec![id(3), id(4)]
        } else {
            Vec::new()
        },
        cordoned_log_dirs: (v >= 4).then(|| vec![id(4)]),
        unknown_tags: Vec::new(),
    }
}

fn partition(v: i16) -> PartitionRecord {
    PartitionRecord {
        partition_id: 2,
        topic_id: id(7),
        replicas: vec![101, 102, 103],
        isr: vec![101, 102],
        removing_replicas: vec![103],
        adding_replicas: Vec::new(),
        leader: 101,
        leader_recovery_state: 1,
        leader_epoch: 5,
        partition_epoch: 9,
        directories: if v >= 1 {
            vec![id(3), id(5), id(6)]
        } else {
            Vec::new()
        },
        eligible_leader_replicas: (v >= 2).then(|| vec![102]),
        last_known_elr: (v >= 2).then(Vec::new),
        unknown_tags: Vec::new(),
    }
}

fn partition_change(v: i16) -> PartitionChangeRecord {
    PartitionChangeRecord {
        partition_id: 0,
        topic_id: id(7),
        isr: Some(vec![101]),
        leader: 102,
        replicas: None,
        removing_replicas: Some(Vec::new()),
        adding_replicas: None,
        leader_recovery_state: 0,
        directories: (v >= 1).then(|| vec![id(3)]),
        eligible_leader_replicas: (v >= 2).then(|| vec![101]),
        last_known_elr: None,
        unknown_tags: Vec::new(),
    }
}

fn registration_change(v: i16) -> BrokerRegistrationChangeRecord {
    BrokerRegistrationChangeRecord {
        broker_id: 101,
        broker_epoch: 11,
        fenced: if v % 2 == 0 { -1 } else { 1 },
        in_controlled_shutdown: i8::from(v >= 1),
        log_dirs: if v >= 2 { vec![id(3)] } else { Vec::new() },
        cordoned_log_dirs: (v >= 3).then(Vec::new),
        unknown_tags: Vec::new(),
    }
}

/// Every record type at every version with its fields set (non-default where the version
/// has the field), plus each type with its spec defaults.
fn samples() -> Vec<ApiMessageAndVersion> {
    let mut s = Vec::new();
    for v in 0..=4 {
        s.push(ApiMessageAndVersion::new(register_broker(v), v));
        s.push(ApiMessageAndVersion::new(
            RegisterBrokerRecord::default(),
            v,
        ));
    }
    for v in 0..=2 {
        s.push(ApiMessageAndVersion::new(partition(v), v));
        s.push(ApiMessageAndVersion::new(PartitionRecord::default(), v));
        s.push(ApiMessageAndVersion::new(partition_change(v), v));
        s.push(ApiMessageAndVersion::new(
            PartitionChangeRecord::default(),
            v,
        ));
    }
    for v in 0..=3 {
        s.push(ApiMessageAndVersion::new(registration_change(v), v));
        s.push(ApiMessageAndVersion::new(
            BrokerRegistrationChangeRecord::default(),
            v,
        ));
    }
    let v0: Vec<MetadataRecord> = vec![
        UnregisterBrokerRecord {
            broker_id: 102,
            broker_epoch: 5,
            unknown_tags: Vec::new(),
        }
        .into(),
        TopicRecord {
            name: "t".into(),
            topic_id: id(7),
            unknown_tags: Vec::new(),
        }
        .into(),
        ConfigRecord {
            resource_type: 2,
            resource_name: "t".into(),
            name: "cleanup.policy".into(),
            value: Some("compact".into()),
            unknown_tags: Vec::new(),
        }
        .into(),
        ConfigRecord {
            resource_type: 4,
            resource_name: String::new(),
            name: "x".into(),
            value: None,
            unknown_tags: Vec::new(),
        }
        .into(),
        ConfigRecord {
            resource_type: 2,
            resource_name: "t".into(),
            name: "note".into(),
            value: Some("é\u{1}\"\\\n\t😀/".into()),
            unknown_tags: Vec::new(),
        }
        .into(),
        FenceBrokerRecord {
            id: 101,
            epoch: 11,
            unknown_tags: Vec::new(),
        }
        .into(),
        UnfenceBrokerRecord {
            id: 101,
            epoch: 11,
            unknown_tags: Vec::new(),
        }
        .into(),
        RemoveTopicRecord {
            topic_id: id(7),
            unknown_tags: Vec::new(),
        }
        .into(),
        FeatureLevelRecord {
            name: "metadata.version".into(),
            feature_level: METADATA_VERSION_LEVEL,
            unknown_tags: Vec::new(),
        }
        .into(),
        ProducerIdsRecord {
            broker_id: 101,
            broker_epoch: 11,
            next_producer_id: 1000,
            unknown_tags: Vec::new(),
        }
        .into(),
        NoOpRecord::default().into(),
        BeginTransactionRecord {
            name: Some("Bootstrap records".into()),
            unknown_tags: Vec::new(),
        }
        .into(),
        EndTransactionRecord::default().into(),
        AbortTransactionRecord {
            reason: Some("gave up".into()),
            unknown_tags: Vec::new(),
        }
        .into(),
        RegisterControllerRecord {
            controller_id: 101,
            incarnation_id: id(2),
            zk_migration_ready: false,
            end_points: vec![endpoint("CONTROLLER", 9093)],
            features: vec![
                feature("kraft.version", 0, 1),
                feature("metadata.version", 7, 21),
            ],
            unknown_tags: Vec::new(),
        }
        .into(),
    ];
    for r in v0 {
        s.push(ApiMessageAndVersion::new(r, 0));
    }
    for key in [1, 2, 4, 7, 8, 9, 12, 15, 20, 23, 24, 25, 27, 28] {
        s.push(ApiMessageAndVersion::new(default_of(key), 0));
    }
    s
}

fn default_of(key: i16) -> MetadataRecord {
    match key {
        1 => UnregisterBrokerRecord::default().into(),
        2 => TopicRecord::default().into(),
        4 => ConfigRecord::default().into(),
        7 => FenceBrokerRecord::default().into(),
        8 => UnfenceBrokerRecord::default().into(),
        9 => RemoveTopicRecord::default().into(),
        12 => FeatureLevelRecord::default().into(),
        15 => ProducerIdsRecord::default().into(),
        20 => NoOpRecord::default().into(),
        23 => BeginTransactionRecord::default().into(),
        24 => EndTransactionRecord::default().into(),
        25 => AbortTransactionRecord::default().into(),
        27 => RegisterControllerRecord::default().into(),
        28 => ClearElrRecord::default().into(),
        _ => unreachable!("key {key}"),
    }
}

#[test]
fn every_type_and_version_round_trips() {
    let all = samples();
    let mut seen = std::collections::BTreeSet::new();
    for m in &all {
        let bytes = m.encode().unwrap();
        let back = ApiMessageAndVersion::decode(&bytes)
            .unwrap_or_else(|e| panic!("{m:?}: {e} in {}", hex(&bytes)));
        assert_eq!(&back, m);
        assert_eq!(back.encode().unwrap(), bytes, "{m:?}");
        assert!(m.to_json().is_some());
        seen.insert((m.record.api_key(), m.version));
    }
    // Every type and version of the module is in the table.
    for key in 0..=28 {
        if let Some(max) = MetadataRecord::max_version(key) {
            for v in 0..=max {
                assert!(seen.contains(&(key, v)), "no sample of {key} v{v}");
            }
        }
    }
}

/// Values a real Kafka 4.4 wrote into its metadata log (one node, id 101, topic t of 2
/// partitions, then a clean stop), with what its kafka-dump-log printed for them.
#[test]
fn kafkas_own_records_decode_print_and_encode_the_same() {
    let cases = [
        (
            "01170001001212426f6f747374726170207265636f726473",
            r#"{"type":"BEGIN_TRANSACTION_RECORD","version":0,"data":{"name":"Bootstrap records"}}"#,
        ),
        (
            "010c00116d657461646174612e76657273696f6e002100",
            r#"{"type":"FEATURE_LEVEL_RECORD","version":0,"data":{"name":"metadata.version","featureLevel":33}}"#,
        ),
        (
            "0104000401146d696e2e696e73796e632e7265706c69636173023100",
            r#"{"type":"CONFIG_RECORD","version":0,"data":{"resourceType":4,"resourceName":"","name":"min.insync.replicas","value":"1"}}"#,
        ),
        (
            "01180000",
            r#"{"type":"END_TRANSACTION_RECORD","version":0,"data":{}}"#,
        ),
        // Written when __transaction_state was created with its min.insync.replicas
        // (fixtures/apache-kafka/broker-101/__cluster_metadata-0, offset 24).
        (
            "011c00145f5f7472616e73616374696f6e5f737461746500",
            r#"{"type":"CLEAR_ELR_RECORD","version":0,"data":{"topicName":"__transaction_state"}}"#,
        ),
        (
            "01110300000065000000000000000b01030101",
            r#"{"type":"BROKER_REGISTRATION_CHANGE_RECORD","version":3,"data":{"brokerId":101,"brokerEpoch":11,"cordonedLogDirs":[]}}"#,
        ),
        (
            "01110000000065000000000000000b010001ff",
            r#"{"type":"BROKER_REGISTRATION_CHANGE_RECORD","version":0,"data":{"brokerId":101,"brokerEpoch":11,"fenced":-1}}"#,
        ),
        (
            "010200027416ad8476a64a46639eb948c015d27a5e00",
            r#"{"type":"TOPIC_RECORD","version":0,"data":{"name":"t","topicId":"Fq2EdqZKRmOeuUjAFdJ6Xg"}}"#,
        ),
        (
            "0103020000000016ad8476a64a46639eb948c015d27a5e0200000065020000006501010000006500000000000000000295d3e5dfa6c44790a7c7c621ab3d4eed00",
            r#"{"type":"PARTITION_RECORD","version":2,"data":{"partitionId":0,"topicId":"Fq2EdqZKRmOeuUjAFdJ6Xg","replicas":[101],"isr":[101],"removingReplicas":[],"addingReplicas":[],"leader":101,"leaderEpoch":0,"partitionEpoch":0,"directories":["ldPl36bER5Cnx8Yhqz1O7Q"]}}"#,
        ),
        (
            "0105020000000016ad8476a64a46639eb948c015d27a5e040001010104ffffffff0605020000006507050200000065",
            r#"{"type":"PARTITION_CHANGE_RECORD","version":2,"data":{"partitionId":0,"topicId":"Fq2EdqZKRmOeuUjAFdJ6Xg","isr":[],"leader":-1,"eligibleLeaderReplicas":[101],"lastKnownElr":[101]}}"#,
        ),
        (
            "0100040000006500933525e68bad46a08944d2099b32da9b000000000000000b020a504c41494e544558540a3132372e302e302e3168bb0000000821656c696769626c652e6c65616465722e7265706c696361732e76657273696f6e0000000100147472616e73616374696f6e2e76657273696f6e00000002001073747265616d732e76657273696f6e00000001000e67726f75702e76657273696f6e00000001000e6b726166742e76657273696f6e00000001000e73686172652e76657273696f6e0000000200116d657461646174612e76657273696f6e00070021000001000100110295d3e5dfa6c44790a7c7c621ab3d4eed",
            r#"{"type":"REGISTER_BROKER_RECORD","version":4,"data":{"brokerId":101,"isMigratingZkBroker":false,"incarnationId":"kzUl5outRqCJRNIJmzLamw","brokerEpoch":11,"endPoints":[{"name":"PLAINTEXT","host":"127.0.0.1","port":26811,"securityProtocol":0}],"features":[{"name":"eligible.leader.replicas.version","minSupportedVersion":0,"maxSupportedVersion":1},{"name":"transaction.version","minSupportedVersion":0,"maxSupportedVersion":2},{"name":"streams.version","minSupportedVersion":0,"maxSupportedVersion":1},{"name":"group.version","minSupportedVersion":0,"maxSupportedVersion":1},{"name":"kraft.version","minSupportedVersion":0,"maxSupportedVersion":1},{"name":"share.version","minSupportedVersion":0,"maxSupportedVersion":2},{"name":"metadata.version","minSupportedVersion":7,"maxSupportedVersion":33}],"rack":null,"fenced":true,"inControlledShutdown":false,"logDirs":["ldPl36bER5Cnx8Yhqz1O7Q"]}}"#,
        ),
    ];
    for (value, json) in cases {
        let bytes = unhex(value);
        let m = ApiMessageAndVersion::decode(&bytes).unwrap();
        assert_eq!(m.to_json().unwrap(), json);
        assert_eq!(dump_payload(5, &bytes), json);
        assert_eq!(hex(&m.encode().unwrap()), value);
    }
}

/// Kafka writes tagged fields in tag order, not the spec's field order: PartitionChangeRecord
/// declares Directories (tag 8) before the ELR fields (tags 6 and 7), and its JSON keeps the
/// field order.
#[test]
fn tagged_fields_go_in_tag_order_json_in_field_order() {
    let m = PartitionChangeRecord {
        partition_id: 1,
        topic_id: id(0),
        directories: Some(vec![id(1)]),
        eligible_leader_replicas: Some(vec![5]),
        last_known_elr: Some(vec![]),
        ..PartitionChangeRecord::default()
    };
    let b = m.encode(2).unwrap();
    let tags = &b[20..];
    assert_eq!(
        hex(tags),
        "03".to_string() + "060502" + "00000005" + "070101" + "081102" + &"01".repeat(16)
    );
    assert_eq!(
        m.to_json(2),
        r#"{"partitionId":1,"topicId":"AAAAAAAAAAAAAAAAAAAAAA","directories":["AQEBAQEBAQEBAQEBAQEBAQ"],"eligibleLeaderReplicas":[5],"lastKnownElr":[]}"#
    );
}

#[test]
fn defaults_are_left_out_of_tags_and_json() {
    // Default: no tagged field at all.
    let b = PartitionChangeRecord::default().encode(2).unwrap();
    assert_eq!(hex(&b), "ffffffff".to_string() + &"00".repeat(16) + "00");
    assert_eq!(
        PartitionChangeRecord::default().to_json(2),
        r#"{"partitionId":-1,"topicId":"AAAAAAAAAAAAAAAAAAAAAA"}"#
    );
    // A nullable tagged list that is empty (not null) is written and printed.
    let m = PartitionChangeRecord {
        isr: Some(Vec::new()),
        ..PartitionChangeRecord::default()
    };
    assert_eq!(hex(&m.encode(0).unwrap()[20..]), "01000101");
    // RegisterBrokerRecord: fenced defaults to true, rack to "" (not null).
    let d = RegisterBrokerRecord::default();
    assert!(d.fenced);
    assert_eq!(d.rack.as_deref(), Some(""));
    assert_eq!(
        d.to_json(4),
        r#"{"brokerId":0,"isMigratingZkBroker":false,"incarnationId":"AAAAAAAAAAAAAAAAAAAAAA","brokerEpoch":0,"endPoints":[],"features":[],"rack":"","fenced":true,"inControlledShutdown":false}"#
    );
}

#[test]
fn fields_a_version_lacks_must_hold_their_defaults() {
    let cases: Vec<(ApiMessageAndVersion, &str)> = vec![
        (
            ApiMessageAndVersion::new(register_broker(4), 3),
            "cordonedLogDirs",
        ),
        (ApiMessageAndVersion::new(register_broker(3), 2), "logDirs"),
        (
            ApiMessageAndVersion::new(register_broker(2), 1),
            "isMigratingZkBroker",
        ),
        (
            ApiMessageAndVersion::new(register_broker(1), 0),
            "inControlledShutdown",
        ),
        (ApiMessageAndVersion::new(partition(1), 0), "directories"),
        (
            ApiMessageAndVersion::new(partition(2), 1),
            "eligibleLeaderReplicas",
        ),
        (
            ApiMessageAndVersion::new(partition_change(1), 0),
            "directories",
        ),
        (
            ApiMessageAndVersion::new(partition_change(2), 1),
            "eligibleLeaderReplicas",
        ),
        (
            ApiMessageAndVersion::new(registration_change(3), 2),
            "cordonedLogDirs",
        ),
        (
            ApiMessageAndVersion::new(registration_change(1), 0),
            "inControlledShutdown",
        ),
    ];
    for (m, field) in cases {
        assert_eq!(
            m.encode(),
            Err(MessageError::NonDefault {
                field,
                version: m.version
            }),
            "{m:?}"
        );
    }
    assert!(matches!(
        ApiMessageAndVersion::new(partition(2), 3).encode(),
        Err(MessageError::UnsupportedVersion {
            version: 3,
            max: 2,
            ..
        })
    ));
}

#[test]
fn unknown_tags_are_kept_in_place() {
    // PartitionRecord v1 (tag 0 known) with unknown tags 3 and 40, and tag 0 between them
    // in the bytes' order: 0, 3, 40.
    let mut m = partition(1);
    m.unknown_tags = vec![
        RawTaggedField {
            tag: 3,
            data: vec![1, 2, 3],
        },
        RawTaggedField {
            tag: 40,
            data: vec![],
        },
    ];
    let bytes = ApiMessageAndVersion::new(m.clone(), 1).encode().unwrap();
    let tail = &bytes[bytes.len() - 11..];
    assert_eq!(
        hex(tail),
        "03".to_string() + "000101" + "0303010203" + "2800"
    );
    let back = ApiMessageAndVersion::decode(&bytes).unwrap();
    assert_eq!(back.record, MetadataRecord::Partition(m));
    assert_eq!(back.encode().unwrap(), bytes);
    // An unknown tag in a sub-struct (a broker's endpoint) is kept too.
    let mut b = register_broker(3);
    b.end_points[0].unknown_tags = vec![RawTaggedField {
        tag: 0,
        data: vec![9],
    }];
    let bytes = ApiMessageAndVersion::new(b.clone(), 3).encode().unwrap();
    let back = ApiMessageAndVersion::decode(&bytes).unwrap();
    assert_eq!(back.record, MetadataRecord::RegisterBroker(b));
    assert_eq!(back.encode().unwrap(), bytes);
}

#[test]
fn a_tag_of_a_newer_version_is_refused_as_kafka_does() {
    // BrokerRegistrationChangeRecord v0 carrying tag 1 (InControlledShutdown, v1+).
    let bytes = unhex("01110000000065000000000000000b01010101");
    assert!(matches!(
        ApiMessageAndVersion::decode(&bytes),
        Err(MessageError::TagNotValid {
            tag: 1,
            version: 0,
            pos: 16
        })
    ));
}

#[test]
fn unknown_types_and_versions_are_kept_as_bytes() {
    // CLIENT_QUOTA_RECORD (14) is Kafka's but not decoded by filka; 99 is nobody's; a
    // PartitionRecord v3 is newer than filka.
    for (key, version) in [(14i16, 0i16), (99, 0), (3, 3)] {
        let mut value = vec![1, key as u8, version as u8];
        value.extend_from_slice(&[0xde, 0xad]);
        let m = ApiMessageAndVersion::decode(&value).unwrap();
        assert_eq!(
            m.record,
            MetadataRecord::Unknown {
                api_key: key,
                version,
                bytes: vec![0xde, 0xad]
            }
        );
        assert_eq!(m.encode().unwrap(), value);
        assert_eq!(m.to_json(), None);
    }
    assert_eq!(
        dump_payload(7, &[1, 99, 0]),
        "Error at 7, skipping. org.apache.kafka.common.errors.UnsupportedVersionException: \
         Unknown metadata id 99"
    );
    assert_eq!(
        dump_payload(7, &[1, 14, 0, 0]),
        "Error at 7, skipping. filka does not decode CLIENT_QUOTA_RECORD version 0 (1 bytes)"
    );
}

#[test]
fn bad_frames_are_refused() {
    for value in [
        &[0u8, 2, 0, 0][..],
        &[2, 2, 0, 0],
        &[1, 0x80, 0x80, 0x02, 0],
    ] {
        assert!(matches!(
            ApiMessageAndVersion::decode(value),
            Err(MessageError::BadFrame { .. })
        ));
    }
    // Garbage after a whole record, with the position in the value.
    assert_eq!(
        ApiMessageAndVersion::decode(&[1, 20, 0, 0, 7]),
        Err(MessageError::Trailing {
            what: "NoOpRecord",
            pos: 4,
            left: 1
        })
    );
    assert!(dump_payload(3, &[1, 20, 0, 0, 7]).starts_with("Error at 3, skipping. 1 byte(s)"));
}

#[test]
fn every_truncation_is_an_error_not_a_panic() {
    for m in samples() {
        let bytes = m.encode().unwrap();
        for cut in 0..bytes.len() {
            assert!(
                ApiMessageAndVersion::decode(&bytes[..cut]).is_err(),
                "{m:?} cut at {cut}"
            );
        }
    }
}

#[test]
fn huge_lengths_are_errors() {
    // PartitionRecord v0 whose replicas claim 2^32-2 elements.
    let mut value = unhex("010300");
    value.extend_from_slice(&[0, 0, 0, 0]);
    value.extend_from_slice(&[0; 16]);
    value.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    assert!(matches!(
        ApiMessageAndVersion::decode(&value),
        Err(MessageError::ArrayTooLong {
            field: "replicas",
            pos: 23,
            ..
        })
    ));
    // A TopicRecord whose name claims 32768 bytes.
    assert!(matches!(
        ApiMessageAndVersion::decode(&unhex("010200818002")),
        Err(MessageError::StringTooLong { len: 32768, .. })
    ));
    // A record with 10001 tagged fields and the bytes for them.
    let mut value = unhex("011400");
    value.extend_from_slice(&[0x91, 0x4e]);
    value.extend(std::iter::repeat_n(0u8, 20002));
    assert!(matches!(
        ApiMessageAndVersion::decode(&value),
        Err(MessageError::TooManyTaggedFields { count: 10001, .. })
    ));
}

#[test]
fn filka_writes_the_versions_of_3_9() {
    assert_eq!(ApiMessageAndVersion::filka(partition(1)).version, 1);
    assert_eq!(ApiMessageAndVersion::filka(partition_change(1)).version, 1);
    assert_eq!(ApiMessageAndVersion::filka(register_broker(3)).version, 3);
    assert_eq!(
        ApiMessageAndVersion::filka(registration_change(2)).version,
        2
    );
    // Kafka 3.9's controller: 0 to fence or unfence, 1 for a controlled shutdown.
    assert_eq!(
        ApiMessageAndVersion::filka(registration_change(0)).version,
        0
    );
    let shutdown = BrokerRegistrationChangeRecord {
        in_controlled_shutdown: 1,
        ..BrokerRegistrationChangeRecord::default()
    };
    assert_eq!(ApiMessageAndVersion::filka(shutdown).version, 1);
    assert_eq!(
        ApiMessageAndVersion::filka(NoOpRecord::default()).version,
        0
    );
    assert_eq!(
        MetadataRecord::from(TopicRecord::default()).type_name(),
        Some("TOPIC_RECORD")
    );
}

fn ids() -> impl Strategy<Value = Vec<i32>> {
    prop::collection::vec(any::<i32>(), 0..6)
}

fn uuids() -> impl Strategy<Value = Vec<Uuid>> {
    prop::collection::vec(any::<[u8; 16]>().prop_map(Uuid), 0..4)
}

fn partition_records() -> impl Strategy<Value = (PartitionRecord, i16)> {
    (
        0i16..=2,
        (any::<i32>(), any::<[u8; 16]>(), ids(), ids(), ids(), ids()),
        (any::<i32>(), any::<i8>(), any::<i32>(), any::<i32>()),
        (uuids(), prop::option::of(ids()), prop::option::of(ids())),
    )
        .prop_map(
            |(v, (p, t, r, i, rm, add), (l, lrs, le, pe), (d, elr, lke))| {
                let m = PartitionRecord {
                    partition_id: p,
                    topic_id: Uuid(t),
                    replicas: r,
                    isr: i,
                    removing_replicas: rm,
                    adding_replicas: add,
                    leader: l,
                    leader_recovery_state: lrs,
                    leader_epoch: le,
                    partition_epoch: pe,
                    directories: if v >= 1 { d } else { Vec::new() },
                    eligible_leader_replicas: if v >= 2 { elr } else { None },
                    last_known_elr: if v >= 2 { lke } else { None },
                    unknown_tags: Vec::new(),
                };
                (m, v)
            },
        )
}

fn partition_change_records() -> impl Strategy<Value = (PartitionChangeRecord, i16)> {
    let opt = || prop::option::of(ids());
    (
        0i16..=2,
        (
            any::<i32>(),
            any::<[u8; 16]>(),
            opt(),
            any::<i32>(),
            opt(),
            opt(),
        ),
        (opt(), any::<i8>(), prop::option::of(uuids()), opt(), opt()),
    )
        .prop_map(|(v, (p, t, isr, l, r, rm), (add, lrs, d, elr, lke))| {
            let m = PartitionChangeRecord {
                partition_id: p,
                topic_id: Uuid(t),
                isr,
                leader: l,
                replicas: r,
                removing_replicas: rm,
                adding_replicas: add,
                leader_recovery_state: lrs,
                directories: if v >= 1 { d } else { None },
                eligible_leader_replicas: if v >= 2 { elr } else { None },
                last_known_elr: if v >= 2 { lke } else { None },
                unknown_tags: Vec::new(),
            };
            (m, v)
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x6b72_6166_7431),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn partition_records_round_trip((m, v) in partition_records()) {
        let bytes = ApiMessageAndVersion::new(m.clone(), v).encode().unwrap();
        let back = ApiMessageAndVersion::decode(&bytes).unwrap();
        prop_assert_eq!(&back.record, &MetadataRecord::Partition(m));
        prop_assert_eq!(back.encode().unwrap(), bytes);
    }

    #[test]
    fn partition_change_records_round_trip((m, v) in partition_change_records()) {
        let bytes = ApiMessageAndVersion::new(m.clone(), v).encode().unwrap();
        let back = ApiMessageAndVersion::decode(&bytes).unwrap();
        prop_assert_eq!(&back.record, &MetadataRecord::PartitionChange(m));
        prop_assert_eq!(back.encode().unwrap(), bytes);
    }

    /// Random bytes after a valid frame header never panic the decoder.
    #[test]
    fn random_bytes_never_panic(key in 0i16..30, version in 0i16..5, body in prop::collection::vec(any::<u8>(), 0..64)) {
        let mut value = vec![1, key as u8, version as u8];
        value.extend_from_slice(&body);
        if let Ok(m) = ApiMessageAndVersion::decode(&value) {
            let _ = m.to_json();
            let _ = m.encode();
        }
        let _ = dump_payload(0, &value);
    }
}
