//! The metadata image: Kafka's metadata records folded into a [`ClusterState`], as Kafka's
//! `MetadataDelta` folds them into its `MetadataImage`. Every process builds it the same way:
//! from the latest snapshot, then the records of the log after it, up to the high watermark.
//!
//! The rules are Kafka's (`PartitionRegistration.merge`, `ClusterDelta`, `TopicsDelta`,
//! `ConfigurationsDelta`): a PartitionChangeRecord that names a leader (even the same one)
//! bumps the leader epoch, and every one bumps the partition epoch; a replica whose
//! directory is `DirectoryId.LOST` is offline; a RegisterBrokerRecord replaces the broker's
//! registration; a broker in controlled shutdown is down, as it is fenced (Kafka's
//! `BrokerRegistration.isActive`: it leads nothing, and only a new registration, a
//! restart, ends the shutdown); records between a BeginTransactionRecord and its EndTransactionRecord
//! apply together, and not at all when an AbortTransactionRecord (or a second begin, or the
//! end of the log) comes first.
//!
//! Pure: no files.

use std::collections::HashMap;

use crate::cluster::metadata::{
    BrokerState, BrokerStatus, ClusterState, PartitionState, Registration, TopicState,
};
use crate::record::kraft::records::{
    BrokerRegistrationChangeRecord, ConfigRecord, MetadataRecord, PartitionChangeRecord,
    PartitionRecord, RegisterBrokerRecord,
};
use crate::record::uuid::Uuid;

/// `LeaderConstants.NO_LEADER_CHANGE`: a PartitionChangeRecord's leader when it keeps it.
pub const NO_LEADER_CHANGE: i32 = -2;
/// `DirectoryId.LOST`: the replica's directory failed (an offline replica).
pub const DIRECTORY_LOST: Uuid = Uuid([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
/// `DirectoryId.UNASSIGNED`: the replica's directory is not chosen yet.
pub const DIRECTORY_UNASSIGNED: Uuid = Uuid([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
/// `ConfigResource.Type.TOPIC`.
pub const CONFIG_TOPIC: i8 = 2;
/// `ConfigResource.Type.BROKER` (with an empty name: the cluster-wide defaults).
pub const CONFIG_BROKER: i8 = 4;

/// A [`ClusterState`] being built from records, with what applying them needs (topics by
/// id, the transaction open).
#[derive(Debug, Clone)]
pub struct Image {
    state: ClusterState,
    names: HashMap<Uuid, String>,
    pending: Option<Vec<MetadataRecord>>,
    applied_to: i64,
}

impl Image {
    /// Starts from `state` (empty, or a snapshot's), which covers the log below
    /// `state.metadata_offset`.
    pub fn new(state: ClusterState) -> Image {
        let names = state
            .topics
            .iter()
            .filter_map(|(name, t)| Some((Uuid::from_base64(&t.topic_id)?, name.clone())))
            .collect();
        let applied_to = state.metadata_offset;
        Image {
            state,
            names,
            pending: None,
            applied_to,
        }
    }

    /// The state as built so far (a transaction still open not applied).
    pub fn state(&self) -> &ClusterState {
        &self.state
    }

    /// The state, covering the log up to [`Image::applied_to`].
    pub fn into_state(mut self) -> ClusterState {
        self.state.metadata_offset = self.applied_to;
        self.state
    }

    /// The name of the topic with this id, also of one the open transaction creates (the
    /// history names the partitions of a topic created in a transaction, as a converted
    /// cluster's first records are).
    pub fn topic_name(&self, id: &Uuid) -> Option<&str> {
        self.names.get(id).map(String::as_str).or_else(|| {
            self.pending.iter().flatten().rev().find_map(|r| match r {
                MetadataRecord::Topic(t) if t.topic_id == *id => Some(t.name.as_str()),
                _ => None,
            })
        })
    }

    /// True when the records fed end inside a transaction.
    pub fn in_transaction(&self) -> bool {
        self.pending.is_some()
    }

    /// The offset after the last record whose fate is decided.
    pub fn applied_to(&self) -> i64 {
        self.applied_to
    }

    /// Feeds the record at `offset`.
    pub fn feed(&mut self, offset: i64, r: MetadataRecord) {
        match r {
            // A second begin means the first was never ended: it is dropped.
            MetadataRecord::BeginTransaction(_) => self.pending = Some(Vec::new()),
            MetadataRecord::EndTransaction(_) => {
                for r in self.pending.take().unwrap_or_default() {
                    self.apply(&r);
                }
                self.applied_to = offset + 1;
            }
            MetadataRecord::AbortTransaction(_) => {
                self.pending = None;
                self.applied_to = offset + 1;
            }
            r => match &mut self.pending {
                Some(p) => p.push(r),
                None => {
                    self.apply(&r);
                    self.applied_to = offset + 1;
                }
            },
        }
    }

    /// Marks `offset` as read when it holds no metadata record (a control record, a gap).
    pub fn skip_to(&mut self, next: i64) {
        if self.pending.is_none() && next > self.applied_to {
            self.applied_to = next;
        }
    }

    /// Folds one record in at once (outside any transaction logic).
    pub fn apply(&mut self, r: &MetadataRecord) {
        let s = &mut self.state;
        match r {
            MetadataRecord::FeatureLevel(f) => {
                if f.feature_level == 0 {
                    s.features.remove(&f.name);
                } else {
                    s.features.insert(f.name.clone(), f.feature_level);
                }
            }
            MetadataRecord::RegisterBroker(b) => register(s, b),
            MetadataRecord::UnregisterBroker(b) => {
                s.brokers.remove(&b.broker_id);
            }
            MetadataRecord::FenceBroker(b) => set_fenced(s, b.id, true),
            MetadataRecord::UnfenceBroker(b) => set_fenced(s, b.id, false),
            MetadataRecord::BrokerRegistrationChange(c) => registration_change(s, c),
            MetadataRecord::Topic(t) => {
                let name = t.name.clone();
                s.topics.insert(
                    name.clone(),
                    TopicState {
                        topic_id: t.topic_id.to_base64(),
                        configs: Default::default(),
                        partitions: Vec::new(),
                    },
                );
                self.names.insert(t.topic_id, name);
            }
            MetadataRecord::Partition(p) => {
                if let Some(t) = self
                    .names
                    .get(&p.topic_id)
                    .and_then(|n| s.topics.get_mut(n))
                {
                    add_partition(t, p);
                }
            }
            MetadataRecord::PartitionChange(c) => {
                if let Some(p) = self
                    .names
                    .get(&c.topic_id)
                    .and_then(|n| s.topics.get_mut(n))
                    .and_then(|t| {
                        usize::try_from(c.partition_id)
                            .ok()
                            .and_then(|i| t.partitions.get_mut(i))
                    })
                {
                    merge(p, c);
                }
            }
            MetadataRecord::RemoveTopic(t) => {
                if let Some(name) = self.names.remove(&t.topic_id) {
                    s.topics.remove(&name);
                }
            }
            MetadataRecord::Config(c) => config(s, c),
            MetadataRecord::ProducerIds(p) => {
                s.next_producer_id = s.next_producer_id.max(p.next_producer_id);
            }
            // Controllers' registrations, no-ops, and records filka keeps no image of
            // (ACLs, quotas, credentials...).
            MetadataRecord::RegisterController(_)
            | MetadataRecord::ClearElr(_)
            | MetadataRecord::NoOp(_)
            | MetadataRecord::BeginTransaction(_)
            | MetadataRecord::EndTransaction(_)
            | MetadataRecord::AbortTransaction(_)
            | MetadataRecord::Unknown { .. } => {}
        }
    }
}

fn register(s: &mut ClusterState, b: &RegisterBrokerRecord) {
    let old = s.brokers.remove(&b.broker_id);
    let mut broker = BrokerState::new(b.broker_id);
    if let Some(old) = old {
        // Simulated state is not the metadata's: it stays.
        broker.paused = old.paused;
        broker.running = old.running;
        broker.controller_running = old.controller_running;
    }
    broker.status = if b.fenced || b.in_controlled_shutdown {
        BrokerStatus::Down
    } else {
        BrokerStatus::Online
    };
    broker.registration = Registration {
        epoch: b.broker_epoch,
        incarnation_id: b.incarnation_id,
        log_dir: b.log_dirs.first().copied().unwrap_or_default(),
        endpoints: b.end_points.clone(),
        rack: b.rack.clone(),
    };
    s.brokers.insert(b.broker_id, broker);
}

fn set_fenced(s: &mut ClusterState, id: i32, fenced: bool) {
    if let Some(b) = s.brokers.get_mut(&id) {
        b.status = if fenced {
            BrokerStatus::Down
        } else {
            BrokerStatus::Online
        };
    }
}

fn registration_change(s: &mut ClusterState, c: &BrokerRegistrationChangeRecord) {
    // BrokerRegistrationFencingChange: 1 fence, -1 unfence, 0 none.
    match c.fenced {
        1 => set_fenced(s, c.broker_id, true),
        -1 => set_fenced(s, c.broker_id, false),
        _ => {}
    }
    // BrokerRegistrationInControlledShutdownChange: 1 the broker shuts down (it stays down
    // until it registers again), 0 none.
    if c.in_controlled_shutdown == 1 {
        set_fenced(s, c.broker_id, true);
    }
    if let Some(b) = s.brokers.get_mut(&c.broker_id)
        && let Some(&dir) = c.log_dirs.first()
    {
        b.registration.log_dir = dir;
    }
}

/// The replicas whose directory is lost.
fn offline(replicas: &[i32], directories: &[Uuid]) -> Vec<i32> {
    replicas
        .iter()
        .zip(directories)
        .filter(|(_, d)| **d == DIRECTORY_LOST)
        .map(|(&r, _)| r)
        .collect()
}

fn add_partition(t: &mut TopicState, p: &PartitionRecord) {
    let Ok(index) = usize::try_from(p.partition_id) else {
        return;
    };
    let state = PartitionState {
        partition: index as u32,
        replicas: p.replicas.clone(),
        isr: p.isr.clone(),
        leader: p.leader,
        leader_epoch: p.leader_epoch,
        partition_epoch: p.partition_epoch,
        offline_replicas: offline(&p.replicas, &p.directories),
    };
    match index.cmp(&t.partitions.len()) {
        std::cmp::Ordering::Less => t.partitions[index] = state,
        std::cmp::Ordering::Equal => t.partitions.push(state),
        // Kafka creates a topic's partitions in order; a gap is filled when its record
        // comes (the list stays in partition order).
        std::cmp::Ordering::Greater => {
            let at = t
                .partitions
                .partition_point(|q| (q.partition as usize) < index);
            if t.partitions
                .get(at)
                .is_some_and(|q| q.partition as usize == index)
            {
                t.partitions[at] = state;
            } else {
                t.partitions.insert(at, state);
            }
        }
    }
}

/// Kafka's `PartitionRegistration.merge`.
fn merge(p: &mut PartitionState, c: &PartitionChangeRecord) {
    if let Some(replicas) = &c.replicas {
        p.replicas = replicas.clone();
    }
    if let Some(isr) = &c.isr {
        p.isr = isr.clone();
    }
    if c.leader != NO_LEADER_CHANGE {
        p.leader = c.leader;
        p.leader_epoch += 1;
    }
    if let Some(dirs) = &c.directories {
        p.offline_replicas = offline(&p.replicas, dirs);
    } else if c.replicas.is_some() {
        p.offline_replicas.retain(|r| p.replicas.contains(r));
    }
    p.partition_epoch += 1;
}

fn config(s: &mut ClusterState, c: &ConfigRecord) {
    let map = match c.resource_type {
        CONFIG_TOPIC => match s.topics.get_mut(&c.resource_name) {
            Some(t) => &mut t.configs,
            None => return,
        },
        CONFIG_BROKER if c.resource_name.is_empty() => &mut s.configs,
        // Per-broker configs and other resources: no image in filka.
        _ => return,
    };
    match &c.value {
        Some(v) => {
            map.insert(c.name.clone(), v.clone());
        }
        None => {
            map.remove(&c.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::kraft::records::{
        BeginTransactionRecord, EndTransactionRecord, RemoveTopicRecord, TopicRecord,
    };

    fn id(n: u8) -> Uuid {
        Uuid([n; 16])
    }

    fn topic_with_partition(img: &mut Image) {
        img.feed(
            0,
            TopicRecord {
                name: "t".into(),
                topic_id: id(7),
                ..Default::default()
            }
            .into(),
        );
        img.feed(
            1,
            PartitionRecord {
                partition_id: 0,
                topic_id: id(7),
                replicas: vec![101, 102],
                isr: vec![101, 102],
                leader: 101,
                leader_epoch: 0,
                partition_epoch: 0,
                directories: vec![id(1), id(2)],
                ..Default::default()
            }
            .into(),
        );
    }

    #[test]
    fn a_change_naming_a_leader_bumps_its_epoch_and_a_lost_directory_is_offline() {
        let mut img = Image::new(ClusterState::new("c".into()));
        topic_with_partition(&mut img);
        // ISR only: the leader epoch stays.
        img.feed(
            2,
            PartitionChangeRecord {
                topic_id: id(7),
                partition_id: 0,
                isr: Some(vec![101]),
                leader: NO_LEADER_CHANGE,
                ..Default::default()
            }
            .into(),
        );
        let p = &img.state().topics["t"].partitions[0];
        assert_eq!((p.leader, p.leader_epoch, p.partition_epoch), (101, 0, 1));
        // The same leader named again: Kafka bumps the epoch all the same.
        img.feed(
            3,
            PartitionChangeRecord {
                topic_id: id(7),
                partition_id: 0,
                leader: 101,
                directories: Some(vec![id(1), DIRECTORY_LOST]),
                ..Default::default()
            }
            .into(),
        );
        let p = &img.state().topics["t"].partitions[0];
        assert_eq!((p.leader, p.leader_epoch, p.partition_epoch), (101, 1, 2));
        assert_eq!(p.offline_replicas, vec![102]);
        assert_eq!(img.applied_to(), 4);
    }

    #[test]
    fn a_transaction_applies_at_its_end_and_not_at_all_when_it_never_ends() {
        let mut img = Image::new(ClusterState::new("c".into()));
        img.feed(0, BeginTransactionRecord::default().into());
        topic_with_partition(&mut img);
        assert!(img.state().topics.is_empty());
        assert!(img.in_transaction());
        assert_eq!(img.applied_to(), 0);
        // Regression: `describe history` printed "topic : 50 partitions" for the topics of a
        // converted cluster, created in its first transaction: their names were not known.
        assert_eq!(img.topic_name(&id(7)), Some("t"));
        let unfinished = img.clone().into_state();
        assert!(unfinished.topics.is_empty());
        assert_eq!(unfinished.metadata_offset, 0);
        img.feed(3, EndTransactionRecord::default().into());
        assert_eq!(img.state().topics["t"].partitions.len(), 1);
        img.feed(
            4,
            RemoveTopicRecord {
                topic_id: id(7),
                ..Default::default()
            }
            .into(),
        );
        let s = img.into_state();
        assert!(s.topics.is_empty());
        assert_eq!(s.metadata_offset, 5);
    }

    /// Broke: a broker a real Kafka left in controlled shutdown (its clean stop, when the
    /// quorum went before the broker was fenced) was online to filka, which could neither
    /// read its partitions (Kafka had taken their leadership away) nor bring it back
    /// (`broker-up` refused a broker that is up).
    #[test]
    fn a_broker_in_controlled_shutdown_is_down_until_it_registers_again() {
        let mut img = Image::new(ClusterState::new("c".into()));
        let registration = |in_controlled_shutdown| RegisterBrokerRecord {
            broker_id: 101,
            broker_epoch: 4,
            fenced: false,
            in_controlled_shutdown,
            ..Default::default()
        };
        img.apply(&registration(false).into());
        assert_eq!(img.state().brokers[&101].status, BrokerStatus::Online);
        img.apply(
            &BrokerRegistrationChangeRecord {
                broker_id: 101,
                broker_epoch: 4,
                in_controlled_shutdown: 1,
                ..Default::default()
            }
            .into(),
        );
        assert_eq!(img.state().brokers[&101].status, BrokerStatus::Down);
        img.apply(&registration(true).into());
        assert_eq!(img.state().brokers[&101].status, BrokerStatus::Down);
        img.apply(&registration(false).into());
        assert_eq!(img.state().brokers[&101].status, BrokerStatus::Online);
    }

    #[test]
    fn configs_apply_to_topics_and_the_cluster_defaults() {
        let mut img = Image::new(ClusterState::new("c".into()));
        topic_with_partition(&mut img);
        let set = |resource_type, resource_name: &str, value: Option<&str>| ConfigRecord {
            resource_type,
            resource_name: resource_name.into(),
            name: "retention.ms".into(),
            value: value.map(Into::into),
            ..Default::default()
        };
        img.apply(&set(CONFIG_TOPIC, "t", Some("1000")).into());
        img.apply(&set(CONFIG_BROKER, "", Some("5")).into());
        img.apply(&set(CONFIG_BROKER, "101", Some("7")).into());
        assert_eq!(img.state().topics["t"].configs["retention.ms"], "1000");
        assert_eq!(img.state().configs["retention.ms"], "5");
        img.apply(&set(CONFIG_TOPIC, "t", None).into());
        assert!(img.state().topics["t"].configs.is_empty());
    }
}
