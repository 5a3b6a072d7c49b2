//! A filka metadata change in Kafka's records: the controller decides changes in filka's
//! words ([`crate::cluster::MetadataRecord`]: "broker 101 goes down", "partition demo-0
//! gets leader 102 and ISR [102, 103]") and this module writes each as the records Kafka's
//! own controller writes for it (`ReplicationControlManager`, `ClusterControlManager`,
//! `ConfigurationControlManager`, `ProducerIdControlManager`).
//!
//! What Kafka has no record for does not become a made-up record: the reason of a partition
//! change is returned beside its record (the caller keeps it in the notes file), and a
//! broker's paused replication is simulated state (`simulation.json`).
//!
//! Pure: the caller gives what lies outside the metadata (the brokers' log dir ids, fresh
//! incarnation ids).

use std::collections::BTreeMap;

use super::image::{CONFIG_BROKER, CONFIG_TOPIC, DIRECTORY_LOST, Image, NO_LEADER_CHANGE};
use crate::cluster::metadata::{
    ClusterState, MetadataRecord as Change, NewPartition, PartitionState,
};
use crate::record::kraft::records::{
    AbortTransactionRecord, BeginTransactionRecord, BrokerRegistrationChangeRecord, ConfigRecord,
    EndTransactionRecord, Endpoint, Feature, MetadataRecord, PartitionChangeRecord,
    PartitionRecord, ProducerIdsRecord, RegisterBrokerRecord, RemoveTopicRecord, TopicRecord,
    UnregisterBrokerRecord,
};
use crate::record::uuid::Uuid;

/// The port of the first broker's PLAINTEXT listener in its registration; the next brokers
/// take the next ports, as the listeners of a local Kafka of that many nodes would be.
/// filka's brokers listen nowhere: these say what a Kafka started on the folders would use.
pub const FIRST_BROKER_PORT: u16 = 9092;

/// What a translation needs from outside the metadata.
pub trait Outside {
    /// The `directory.id` of broker `id`'s log dir (its `meta.properties`).
    fn log_dir(&self, id: i32) -> Uuid;
    /// A new random id (a broker's incarnation).
    fn random_id(&self) -> Uuid;
    /// The id of the active controller (the quorum leader): ProducerIdsRecord names it.
    fn controller(&self) -> i32;
}

/// One Kafka record of a change, with what filka knows of it that Kafka does not record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    /// The record.
    pub record: MetadataRecord,
    /// Why (a partition change's reason), kept in the notes file.
    pub note: Option<String>,
}

impl From<MetadataRecord> for Translated {
    fn from(record: MetadataRecord) -> Translated {
        Translated { record, note: None }
    }
}

/// The Kafka records of a change, in order, from `before` (the image the change was decided
/// on). Records that need the offset they will have (a RegisterBrokerRecord's broker epoch
/// is its offset) are completed by [`place`].
pub fn translate(
    before: &ClusterState,
    changes: &[Change],
    outside: &dyn Outside,
) -> Vec<Translated> {
    let mut image = Image::new(before.clone());
    let mut out = Vec::new();
    for change in changes {
        let start = out.len();
        one(image.state(), change, outside, &mut out);
        for t in &out[start..] {
            image.apply(&t.record);
        }
    }
    out
}

/// Stamps each RegisterBrokerRecord with its broker epoch, Kafka's rule: the offset of the
/// record, given the offset of the first record.
pub fn place(records: &mut [MetadataRecord], first_offset: i64) {
    let mut epochs = BTreeMap::new();
    for (i, r) in records.iter_mut().enumerate() {
        let offset = first_offset + i as i64;
        match r {
            MetadataRecord::RegisterBroker(b) => {
                b.broker_epoch = offset;
                epochs.insert(b.broker_id, offset);
            }
            // A registration change in the same change names the new epoch.
            MetadataRecord::BrokerRegistrationChange(c) => {
                if let Some(&e) = epochs.get(&c.broker_id) {
                    c.broker_epoch = e;
                }
            }
            _ => {}
        }
    }
}

/// The features a filka broker registers as supported: `metadata.version` from 3.3-IV3 (the
/// oldest Kafka 4 reads) to the one filka writes, and `kraft.version` 0 (a static quorum).
pub fn supported_features() -> Vec<Feature> {
    vec![
        Feature {
            name: "metadata.version".into(),
            min_supported_version: 7,
            max_supported_version: crate::record::kraft::records::METADATA_VERSION_LEVEL,
            ..Default::default()
        },
        Feature {
            name: "kraft.version".into(),
            min_supported_version: 0,
            max_supported_version: 0,
            ..Default::default()
        },
    ]
}

/// The id of `topic` and its partition `partition` before a change, `None` when either is
/// not in `state` (nothing to translate).
fn changed_partition<'a>(
    state: &'a ClusterState,
    topic: &str,
    partition: u32,
) -> Option<(Uuid, &'a PartitionState)> {
    let id = topic_id(state, topic)?;
    let p = state
        .topics
        .get(topic)?
        .partitions
        .get(partition as usize)?;
    Some((id, p))
}

/// A PartitionChangeRecord's `leader`: the new leader when the leader or its epoch changes
/// (Kafka bumps the leader epoch whenever the record names a leader), else "no change".
fn leader_field(p: &PartitionState, leader: i32, leader_epoch: i32) -> i32 {
    if leader_epoch != p.leader_epoch || leader != p.leader {
        leader
    } else {
        NO_LEADER_CHANGE
    }
}

fn topic_id(state: &ClusterState, name: &str) -> Option<Uuid> {
    Uuid::from_base64(&state.topics.get(name)?.topic_id)
}

fn directories(
    state: &ClusterState,
    replicas: &[i32],
    offline: &[i32],
    outside: &dyn Outside,
) -> Vec<Uuid> {
    replicas
        .iter()
        .map(|&r| {
            if offline.contains(&r) {
                DIRECTORY_LOST
            } else {
                match state.brokers.get(&r).map(|b| b.registration.log_dir) {
                    Some(d) if d != Uuid::default() => d,
                    _ => outside.log_dir(r),
                }
            }
        })
        .collect()
}

fn partition_records(
    state: &ClusterState,
    id: Uuid,
    partitions: &[NewPartition],
    outside: &dyn Outside,
    out: &mut Vec<Translated>,
) {
    for p in partitions {
        out.push(
            MetadataRecord::from(PartitionRecord {
                partition_id: p.partition as i32,
                topic_id: id,
                replicas: p.replicas.clone(),
                isr: p.replicas.clone(),
                leader: p.replicas.first().copied().unwrap_or(-1),
                leader_recovery_state: 0,
                leader_epoch: 0,
                partition_epoch: 0,
                directories: directories(state, &p.replicas, &[], outside),
                ..Default::default()
            })
            .into(),
        );
    }
}

/// ConfigRecords taking `old` to `new` for one resource: a value for each key set or
/// changed, a null value for each key removed.
fn config_records(
    resource_type: i8,
    resource_name: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    out: &mut Vec<Translated>,
) {
    let record = |name: &str, value: Option<&String>| {
        Translated::from(MetadataRecord::from(ConfigRecord {
            resource_type,
            resource_name: resource_name.to_string(),
            name: name.to_string(),
            value: value.cloned(),
            ..Default::default()
        }))
    };
    for (k, v) in new {
        if old.get(k) != Some(v) {
            out.push(record(k, Some(v)));
        }
    }
    for k in old.keys() {
        if !new.contains_key(k) {
            out.push(record(k, None));
        }
    }
}

/// The PLAINTEXT listener of the broker registered `index`-th: localhost, the next port.
fn default_endpoints(index: u16) -> Vec<Endpoint> {
    vec![Endpoint {
        name: "PLAINTEXT".into(),
        host: "localhost".into(),
        port: FIRST_BROKER_PORT.saturating_add(index),
        security_protocol: 0,
        ..Default::default()
    }]
}

/// A broker's registration and its unfencing: Kafka registers a broker fenced and unfences
/// it once it caught up with the metadata; a filka broker has nothing to catch up with.
/// The broker epochs are placed by [`place`].
fn register(
    id: i32,
    end_points: Vec<Endpoint>,
    rack: Option<String>,
    outside: &dyn Outside,
    out: &mut Vec<Translated>,
) {
    out.push(
        MetadataRecord::from(RegisterBrokerRecord {
            broker_id: id,
            incarnation_id: outside.random_id(),
            broker_epoch: -1,
            end_points,
            features: supported_features(),
            rack,
            fenced: true,
            in_controlled_shutdown: false,
            log_dirs: vec![outside.log_dir(id)],
            ..Default::default()
        })
        .into(),
    );
    out.push(
        MetadataRecord::from(BrokerRegistrationChangeRecord {
            broker_id: id,
            broker_epoch: -1,
            fenced: -1,
            ..Default::default()
        })
        .into(),
    );
}

fn one(state: &ClusterState, change: &Change, outside: &dyn Outside, out: &mut Vec<Translated>) {
    let epoch_of = |id: i32| state.brokers.get(&id).map_or(-1, |b| b.registration.epoch);
    match change {
        Change::RegisterBroker { id } => {
            let index = state.brokers.len() as u16;
            register(*id, default_endpoints(index), None, outside, out);
        }
        // A broker comes back by restarting, and a restarted Kafka broker registers again (a
        // new incarnation; its broker epoch is the new record's offset) before it is
        // unfenced. Only that ends a controlled shutdown Kafka's clean stop left it in
        // (no registration change can clear `inControlledShutdown`): a lone unfence would
        // leave a broker Kafka's image holds unfit to lead.
        Change::UnfenceBroker { id } if state.brokers.contains_key(id) => {
            let Some((index, b)) = state
                .brokers
                .values()
                .enumerate()
                .find(|(_, b)| b.id == *id)
            else {
                return;
            };
            let endpoints = if b.registration.endpoints.is_empty() {
                default_endpoints(index as u16)
            } else {
                b.registration.endpoints.clone()
            };
            register(*id, endpoints, b.registration.rack.clone(), outside, out);
        }
        Change::UnregisterBroker { id } => out.push(
            MetadataRecord::from(UnregisterBrokerRecord {
                broker_id: *id,
                broker_epoch: epoch_of(*id),
                ..Default::default()
            })
            .into(),
        ),
        Change::FenceBroker { id } | Change::UnfenceBroker { id } => {
            let fence = matches!(change, Change::FenceBroker { .. });
            out.push(
                MetadataRecord::from(BrokerRegistrationChangeRecord {
                    broker_id: *id,
                    broker_epoch: epoch_of(*id),
                    fenced: if fence { 1 } else { -1 },
                    ..Default::default()
                })
                .into(),
            );
        }
        // Simulated state: `simulation.json`, no record.
        Change::SetReplicationPaused { .. } => {}
        Change::CreateTopic {
            name,
            topic_id,
            configs,
            partitions,
        } => {
            let id = Uuid::from_base64(topic_id).unwrap_or_else(|| outside.random_id());
            out.push(
                MetadataRecord::from(TopicRecord {
                    name: name.clone(),
                    topic_id: id,
                    ..Default::default()
                })
                .into(),
            );
            // Kafka's order: the topic, its configs, its partitions.
            config_records(CONFIG_TOPIC, name, &BTreeMap::new(), configs, out);
            partition_records(state, id, partitions, outside, out);
        }
        Change::DeleteTopic { name } => {
            if let Some(id) = topic_id(state, name) {
                out.push(
                    MetadataRecord::from(RemoveTopicRecord {
                        topic_id: id,
                        ..Default::default()
                    })
                    .into(),
                );
            }
        }
        Change::CreatePartitions { topic, partitions } => {
            if let Some(id) = topic_id(state, topic) {
                partition_records(state, id, partitions, outside, out);
            }
        }
        Change::AlterConfigs { topic, configs } => {
            if let Some(t) = state.topics.get(topic) {
                config_records(CONFIG_TOPIC, topic, &t.configs, configs, out);
            }
        }
        Change::AlterClusterConfigs { configs } => {
            config_records(CONFIG_BROKER, "", &state.configs, configs, out);
        }
        Change::AlterBrokerConfigs { broker, configs } => {
            let empty = BTreeMap::new();
            let before = state.broker_configs.get(broker).unwrap_or(&empty);
            config_records(CONFIG_BROKER, &broker.to_string(), before, configs, out);
        }
        Change::PartitionChange {
            topic,
            partition,
            leader,
            leader_epoch,
            isr,
            reason,
            offline_replicas,
        } => {
            let Some((id, p)) = changed_partition(state, topic, *partition) else {
                return;
            };
            let leader = leader_field(p, *leader, *leader_epoch);
            let directories = offline_replicas
                .as_ref()
                .filter(|o| **o != p.offline_replicas)
                .map(|o| directories(state, &p.replicas, o, outside));
            out.push(Translated {
                record: PartitionChangeRecord {
                    partition_id: *partition as i32,
                    topic_id: id,
                    isr: (*isr != p.isr).then(|| isr.clone()),
                    leader,
                    leader_recovery_state: -1,
                    directories,
                    ..Default::default()
                }
                .into(),
                note: Some(reason.clone()),
            });
        }
        // Kafka's PartitionChangeBuilder: a change of replicas names the new replicas, the
        // adding and removing replicas, and the directories of the new replicas.
        Change::ReassignPartition {
            topic,
            partition,
            replicas,
            adding,
            removing,
            isr,
            leader,
            leader_epoch,
            reason,
        } => {
            let Some((id, p)) = changed_partition(state, topic, *partition) else {
                return;
            };
            let leader = leader_field(p, *leader, *leader_epoch);
            let offline: Vec<i32> = p
                .offline_replicas
                .iter()
                .copied()
                .filter(|r| replicas.contains(r))
                .collect();
            out.push(Translated {
                record: PartitionChangeRecord {
                    partition_id: *partition as i32,
                    topic_id: id,
                    isr: (*isr != p.isr).then(|| isr.clone()),
                    leader,
                    replicas: Some(replicas.clone()),
                    adding_replicas: Some(adding.clone()),
                    removing_replicas: Some(removing.clone()),
                    leader_recovery_state: -1,
                    directories: Some(directories(state, replicas, &offline, outside)),
                    ..Default::default()
                }
                .into(),
                note: Some(reason.clone()),
            });
        }
        Change::ProducerIds { next_producer_id } => {
            let controller = outside.controller();
            out.push(
                MetadataRecord::from(ProducerIdsRecord {
                    broker_id: controller,
                    broker_epoch: epoch_of(controller),
                    next_producer_id: *next_producer_id,
                    ..Default::default()
                })
                .into(),
            );
        }
        Change::BeginTransaction { name } => out.push(
            MetadataRecord::from(BeginTransactionRecord {
                name: Some(name.clone()),
                ..Default::default()
            })
            .into(),
        ),
        Change::EndTransaction {} => {
            out.push(MetadataRecord::from(EndTransactionRecord::default()).into())
        }
        Change::AbortTransaction { reason } => out.push(
            MetadataRecord::from(AbortTransactionRecord {
                reason: Some(reason.clone()),
                ..Default::default()
            })
            .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::metadata::MetadataRecord as Change;

    struct Fixed;

    impl Outside for Fixed {
        fn log_dir(&self, id: i32) -> Uuid {
            Uuid([id as u8; 16])
        }
        fn random_id(&self) -> Uuid {
            Uuid([9; 16])
        }
        fn controller(&self) -> i32 {
            101
        }
    }

    /// Applies filka's changes both ways: by filka's own fold, and as Kafka's records through
    /// the image. The two must agree on everything the metadata holds.
    fn both_ways(changes: &[Change]) -> (ClusterState, ClusterState) {
        let mut filka = ClusterState::new("c".into());
        let mut kafka = ClusterState::new("c".into());
        for c in changes {
            let mut records: Vec<MetadataRecord> =
                translate(&kafka, std::slice::from_ref(c), &Fixed)
                    .into_iter()
                    .map(|t| t.record)
                    .collect();
            place(&mut records, 0);
            let mut image = Image::new(kafka);
            for r in &records {
                image.apply(r);
            }
            kafka = image.into_state();
            filka.apply(c);
        }
        // What only the Kafka side knows.
        for b in kafka.brokers.values_mut() {
            b.registration = Default::default();
        }
        kafka.metadata_offset = filka.metadata_offset;
        (filka, kafka)
    }

    #[test]
    fn every_change_means_the_same_as_kafka_records() {
        let changes = vec![
            Change::RegisterBroker { id: 101 },
            Change::RegisterBroker { id: 102 },
            Change::RegisterBroker { id: 103 },
            Change::CreateTopic {
                name: "t".into(),
                topic_id: Uuid([5; 16]).to_base64(),
                configs: BTreeMap::from([("retention.ms".into(), "1000".into())]),
                partitions: vec![
                    NewPartition {
                        partition: 0,
                        replicas: vec![101, 102, 103],
                    },
                    NewPartition {
                        partition: 1,
                        replicas: vec![102, 103, 101],
                    },
                ],
            },
            Change::FenceBroker { id: 101 },
            Change::PartitionChange {
                topic: "t".into(),
                partition: 0,
                leader: 102,
                leader_epoch: 1,
                isr: vec![102, 103],
                reason: "leader 101 went down".into(),
                offline_replicas: None,
            },
            Change::PartitionChange {
                topic: "t".into(),
                partition: 1,
                leader: 102,
                leader_epoch: 0,
                isr: vec![102, 103],
                reason: "101 left the ISR".into(),
                offline_replicas: Some(vec![101]),
            },
            Change::UnfenceBroker { id: 101 },
            Change::CreatePartitions {
                topic: "t".into(),
                partitions: vec![NewPartition {
                    partition: 2,
                    replicas: vec![103, 101, 102],
                }],
            },
            Change::AlterConfigs {
                topic: "t".into(),
                configs: BTreeMap::from([("cleanup.policy".into(), "compact".into())]),
            },
            Change::AlterClusterConfigs {
                configs: BTreeMap::from([("min.insync.replicas".into(), "2".into())]),
            },
            Change::ProducerIds {
                next_producer_id: 1000,
            },
            Change::CreateTopic {
                name: "gone".into(),
                topic_id: Uuid([6; 16]).to_base64(),
                configs: BTreeMap::new(),
                partitions: vec![NewPartition {
                    partition: 0,
                    replicas: vec![101],
                }],
            },
            Change::DeleteTopic {
                name: "gone".into(),
            },
        ];
        let (filka, kafka) = both_ways(&changes);
        assert_eq!(kafka, filka);
        let p1 = &kafka.topics["t"].partitions[1];
        assert_eq!(p1.offline_replicas, vec![101]);
        assert_eq!(p1.partition_epoch, 1);
    }

    /// Broke: a broker brought back was only unfenced (BrokerRegistrationChangeRecord), so
    /// on a folder a real Kafka had stopped cleanly, Kafka's image kept it
    /// `inControlledShutdown` (no registration change clears that), unfit to lead, while
    /// filka made it a leader. A Kafka broker that restarts registers again.
    #[test]
    fn a_broker_that_comes_back_registers_again_as_a_restarted_kafka_broker_does() {
        let mut state = ClusterState::new("c".into());
        for c in [
            Change::RegisterBroker { id: 101 },
            Change::RegisterBroker { id: 102 },
        ] {
            state.apply(&c);
        }
        let b = state.brokers.get_mut(&102).unwrap();
        b.registration.epoch = 6;
        b.registration.rack = Some("r1".into());
        b.registration.endpoints = vec![Endpoint {
            name: "PLAINTEXT".into(),
            host: "localhost".into(),
            port: 29093,
            security_protocol: 0,
            ..Default::default()
        }];
        state.apply(&Change::FenceBroker { id: 102 });
        let mut records: Vec<MetadataRecord> =
            translate(&state, &[Change::UnfenceBroker { id: 102 }], &Fixed)
                .into_iter()
                .map(|t| t.record)
                .collect();
        place(&mut records, 50);
        let [
            MetadataRecord::RegisterBroker(r),
            MetadataRecord::BrokerRegistrationChange(c),
        ] = records.as_slice()
        else {
            panic!("{records:?}")
        };
        assert_eq!((r.broker_id, r.broker_epoch, r.fenced), (102, 50, true));
        assert!(!r.in_controlled_shutdown);
        assert_eq!(r.incarnation_id, Uuid([9; 16]));
        assert_eq!(r.end_points[0].port, 29093, "its listeners stay");
        assert_eq!(r.rack.as_deref(), Some("r1"));
        assert_eq!(r.log_dirs, vec![Uuid([102; 16])]);
        assert_eq!((c.broker_id, c.broker_epoch, c.fenced), (102, 50, -1));
        let mut image = Image::new(state);
        for r in &records {
            image.apply(r);
        }
        let b = &image.state().brokers[&102];
        assert!(b.is_online());
        assert_eq!(b.registration.epoch, 50);
    }

    #[test]
    fn a_registration_carries_its_offset_as_broker_epoch() {
        let mut records: Vec<MetadataRecord> = translate(
            &ClusterState::new("c".into()),
            &[
                Change::RegisterBroker { id: 101 },
                Change::RegisterBroker { id: 102 },
            ],
            &Fixed,
        )
        .into_iter()
        .map(|t| t.record)
        .collect();
        place(&mut records, 40);
        let epochs: Vec<(i32, i64)> = records
            .iter()
            .map(|r| match r {
                MetadataRecord::RegisterBroker(b) => (b.broker_id, b.broker_epoch),
                MetadataRecord::BrokerRegistrationChange(c) => (c.broker_id, c.broker_epoch),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(epochs, vec![(101, 40), (101, 40), (102, 42), (102, 42)]);
        let MetadataRecord::RegisterBroker(b) = &records[2] else {
            unreachable!()
        };
        assert_eq!(b.end_points[0].port, 9093);
        assert_eq!(b.log_dirs, vec![Uuid([102; 16])]);
    }
}
