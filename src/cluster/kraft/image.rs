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
    BrokerState, BrokerStatus, ClusterState, KeptKey, PartitionState, Registration, TopicState,
};
use crate::record::kraft::message::MessageError;
use crate::record::kraft::records::{
    ApiMessageAndVersion, BrokerRegistrationChangeRecord, ConfigRecord, FRAME_VERSION,
    MetadataRecord, PartitionChangeRecord, PartitionRecord, RegisterBrokerRecord,
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

/// `MetadataRecordType.PARTITION_RECORD`: the api key of a PartitionRecord.
const PARTITION_RECORD: usize = 3;

/// A record of an open transaction, kept until its end.
#[derive(Debug, Clone)]
enum Pending {
    /// Boxed: a record is several times the size of a partition, and a transaction is
    /// mostly partitions.
    Record(Box<MetadataRecord>),
    /// A PartitionRecord, already in the image's form: its topic id and the partition.
    Partition(Uuid, PartitionState),
}

/// Hashes a topic id by its own bits: it is random already, and SipHash (the default) was a
/// visible part of reading an image of many partitions, each looking its topic up by id.
#[derive(Debug, Clone, Copy, Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
}

/// Topic names by id.
type Names = HashMap<Uuid, String, std::hash::BuildHasherDefault<IdHasher>>;

/// A [`ClusterState`] being built from records, with what applying them needs (topics by
/// id, the transaction open).
#[derive(Debug, Clone)]
pub struct Image {
    state: ClusterState,
    names: Names,
    pending: Option<Vec<Pending>>,
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
                Pending::Record(r) => match r.as_ref() {
                    MetadataRecord::Topic(t) if t.topic_id == *id => Some(t.name.as_str()),
                    _ => None,
                },
                Pending::Partition(..) => None,
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
                    match r {
                        Pending::Record(r) => self.apply(&r),
                        Pending::Partition(id, p) => self.add_partition(&id, p),
                    }
                }
                self.applied_to = offset + 1;
            }
            MetadataRecord::AbortTransaction(_) => {
                self.pending = None;
                self.applied_to = offset + 1;
            }
            r => match &mut self.pending {
                Some(p) => p.push(Pending::Record(Box::new(r))),
                None => {
                    self.apply(&r);
                    self.applied_to = offset + 1;
                }
            },
        }
    }

    /// Feeds the record at `offset` whose value (a framed record, as `MetadataRecordSerde`
    /// writes it) is `value`: as [`Image::feed`] of its decoding, with the same errors, but a
    /// PartitionRecord (nearly all of a large image) goes into the image without being
    /// decoded into a record first.
    pub fn feed_value(&mut self, offset: i64, value: &[u8]) -> Result<(), MessageError> {
        match partition_of(value) {
            Some((id, p)) => match &mut self.pending {
                Some(pending) => pending.push(Pending::Partition(id, p)),
                None => {
                    self.add_partition(&id, p);
                    self.applied_to = offset + 1;
                }
            },
            None => self.feed(offset, ApiMessageAndVersion::decode(value)?.record),
        }
        Ok(())
    }

    /// Folds in the record whose value is `value` at once (a snapshot's): as
    /// [`Image::apply`] of its decoding, with the same errors (see [`Image::feed_value`]).
    pub fn apply_value(&mut self, value: &[u8]) -> Result<(), MessageError> {
        match partition_of(value) {
            Some((id, p)) => self.add_partition(&id, p),
            None => self.apply(&ApiMessageAndVersion::decode(value)?.record),
        }
        Ok(())
    }

    /// Adds partition `p` to the topic with id `id` (nothing when there is none).
    fn add_partition(&mut self, id: &Uuid, p: PartitionState) {
        if let Some(t) = self
            .names
            .get(id)
            .and_then(|n| self.state.topics.get_mut(n))
        {
            place(t, p);
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
                if let Some(state) = partition_state(p) {
                    self.add_partition(&p.topic_id, state);
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
            // Kept as they are, for snapshots: controllers' registrations, and records
            // filka reads no identity of (ACLs, quotas, credentials, tokens, newer types).
            MetadataRecord::RegisterController(c) => {
                s.kept
                    .by_key
                    .insert(KeptKey::Controller(c.controller_id), r.clone());
            }
            MetadataRecord::Unknown { api_key, bytes, .. } => keep_unknown(s, *api_key, bytes, r),
            // No effect on any image (ELRs are not kept: filka elects no ELR member).
            MetadataRecord::ClearElr(_)
            | MetadataRecord::NoOp(_)
            | MetadataRecord::BeginTransaction(_)
            | MetadataRecord::EndTransaction(_)
            | MetadataRecord::AbortTransaction(_) => {}
        }
    }
}

/// Api keys of records filka keeps by an identity read from their first field.
const ACCESS_CONTROL_ENTRY: i16 = 18;
const REMOVE_ACCESS_CONTROL_ENTRY: i16 = 19;
const UNREGISTER_CONTROLLER: i16 = 29;

/// Keeps a record filka does not decode: an ACL by its id (an AccessControlEntryRecord and
/// its RemoveAccessControlEntryRecord both start with it), a controller's unregistration
/// (its controller id first) by dropping the registration, records of other types filka
/// does not know in log order.
fn keep_unknown(s: &mut ClusterState, api_key: i16, bytes: &[u8], r: &MetadataRecord) {
    let uuid = bytes.get(..16).and_then(|b| <[u8; 16]>::try_from(b).ok());
    let id = bytes
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(i32::from_be_bytes);
    match (api_key, uuid, id) {
        (ACCESS_CONTROL_ENTRY, Some(u), _) => {
            s.kept.by_key.insert(KeptKey::Acl(u), r.clone());
        }
        (REMOVE_ACCESS_CONTROL_ENTRY, Some(u), _) => {
            s.kept.by_key.remove(&KeptKey::Acl(u));
        }
        (UNREGISTER_CONTROLLER, _, Some(id)) => {
            s.kept.by_key.remove(&KeptKey::Controller(id));
        }
        // A newer version of a type the image folds: kept, it would be replayed after the
        // image and undo later changes; its effect is not in filka's image either.
        _ if MetadataRecord::max_version(api_key).is_some() => {}
        _ => s.kept.in_order.push(r.clone()),
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

/// The partition a PartitionRecord creates (`None` for a negative partition id, which no
/// topic has).
fn partition_state(p: &PartitionRecord) -> Option<PartitionState> {
    let index = u32::try_from(p.partition_id).ok()?;
    Some(PartitionState {
        partition: index,
        replicas: p.replicas.clone(),
        isr: p.isr.clone(),
        leader: p.leader,
        leader_epoch: p.leader_epoch,
        partition_epoch: p.partition_epoch,
        offline_replicas: offline(&p.replicas, &p.directories),
        adding_replicas: p.adding_replicas.clone(),
        removing_replicas: p.removing_replicas.clone(),
    })
}

/// What [`partition_state`] makes of the PartitionRecord whose framed value is `value`, and
/// its topic id, read straight from the bytes: `None` when `value` is anything else, or
/// anything but a well-formed PartitionRecord (version 0 to 2) without tagged fields, of a
/// non-negative partition id, whose varints (frame, type, version, array lengths) are one
/// byte each, as every record of a partition with fewer than 127 replicas has them: the
/// caller then decodes it as any other record, which gives the same image, or the
/// decoding's error.
fn partition_of(value: &[u8]) -> Option<(Uuid, PartitionState)> {
    /// A cursor over the value's bytes.
    struct Bytes<'a>(&'a [u8]);
    impl Bytes<'_> {
        fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
            let (head, tail) = self.0.split_first_chunk::<N>()?;
            self.0 = tail;
            Some(*head)
        }
        /// An unsigned varint of one byte.
        fn small(&mut self) -> Option<usize> {
            let [b] = self.take::<1>()?;
            (b < 0x80).then_some(usize::from(b))
        }
        fn i32(&mut self) -> Option<i32> {
            self.take::<4>().map(i32::from_be_bytes)
        }
        /// A compact array's length (varint of length + 1; 0, null, is not allowed).
        fn len(&mut self, element: usize) -> Option<usize> {
            let n = self.small()?.checked_sub(1)?;
            (n * element <= self.0.len()).then_some(n)
        }
        fn ints(&mut self) -> Option<Vec<i32>> {
            let n = self.len(4)?;
            let (bytes, tail) = self.0.split_at(n * 4);
            self.0 = tail;
            Some(
                bytes
                    .chunks_exact(4)
                    .map(|c| i32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
            )
        }
    }
    let mut r = Bytes(value);
    if r.small()? != FRAME_VERSION as usize || r.small()? != PARTITION_RECORD {
        return None;
    }
    let version = r.small()?;
    if version > 2 {
        return None;
    }
    let partition = u32::try_from(r.i32()?).ok()?;
    let topic_id = Uuid(r.take::<16>()?);
    let replicas = r.ints()?;
    let isr = r.ints()?;
    let removing_replicas = r.ints()?;
    let adding_replicas = r.ints()?;
    let leader = r.i32()?;
    let leader_epoch = r.i32()?;
    let partition_epoch = r.i32()?;
    let mut offline_replicas = Vec::new();
    if version >= 1 {
        for i in 0..r.len(16)? {
            if r.take::<16>()? == DIRECTORY_LOST.0
                && let Some(&b) = replicas.get(i)
            {
                offline_replicas.push(b);
            }
        }
    }
    // No tagged fields, and nothing after them.
    if r.small()? != 0 || !r.0.is_empty() {
        return None;
    }
    Some((
        topic_id,
        PartitionState {
            partition,
            replicas,
            isr,
            leader,
            leader_epoch,
            partition_epoch,
            offline_replicas,
            adding_replicas,
            removing_replicas,
        },
    ))
}

/// Puts `state` in its place in `t`'s partitions.
fn place(t: &mut TopicState, state: PartitionState) {
    let index = state.partition as usize;
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
    if let Some(adding) = &c.adding_replicas {
        p.adding_replicas = adding.clone();
    }
    if let Some(removing) = &c.removing_replicas {
        p.removing_replicas = removing.clone();
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
    // One broker's own configs (the replication throttle's rates).
    if c.resource_type == CONFIG_BROKER
        && let Ok(id) = c.resource_name.parse::<i32>()
    {
        let map = s.broker_configs.entry(id).or_default();
        match &c.value {
            Some(v) => map.insert(c.name.clone(), v.clone()),
            None => map.remove(&c.name),
        };
        if map.is_empty() {
            s.broker_configs.remove(&id);
        }
        return;
    }
    let map = match c.resource_type {
        CONFIG_TOPIC => match s.topics.get_mut(&c.resource_name) {
            Some(t) => &mut t.configs,
            None => return,
        },
        CONFIG_BROKER if c.resource_name.is_empty() => &mut s.configs,
        // Other resources (client metrics, groups, a broker named otherwise): kept for
        // snapshots.
        _ => {
            let key = KeptKey::Config(c.resource_type, c.resource_name.clone(), c.name.clone());
            match c.value {
                Some(_) => {
                    s.kept.by_key.insert(key, MetadataRecord::Config(c.clone()));
                }
                None => {
                    s.kept.by_key.remove(&key);
                }
            }
            return;
        }
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
    use crate::record::kraft::message::RawTaggedField;
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

    /// `feed_value` reads a PartitionRecord from its bytes without decoding it into a
    /// record first: for every form of the record, the image and the errors must be those
    /// of decoding it and feeding the record.
    #[test]
    fn a_partition_read_from_its_bytes_makes_the_image_its_decoding_makes() {
        let record = |partition_id, replicas: Vec<i32>, directories: Vec<Uuid>| PartitionRecord {
            partition_id,
            topic_id: id(7),
            isr: replicas.clone(),
            leader: replicas.first().copied().unwrap_or(-1),
            replicas,
            leader_epoch: 3,
            partition_epoch: 5,
            directories,
            ..Default::default()
        };
        let many: Vec<i32> = (0..200).collect();
        let mut values: Vec<Vec<u8>> = Vec::new();
        for version in 0..=2 {
            let dirs = |n: usize| {
                if version == 0 {
                    Vec::new()
                } else {
                    (0..n)
                        .map(|i| if i == 1 { DIRECTORY_LOST } else { id(9) })
                        .collect()
                }
            };
            let mut forms = vec![
                record(0, vec![101, 102, 103], dirs(3)),
                // A gap, filled later; a partition already there, replaced.
                record(3, vec![102], dirs(1)),
                record(1, vec![103, 101], dirs(2)),
                record(1, vec![101, 103], dirs(2)),
                // No topic has a negative partition; an unknown topic has none.
                record(-1, vec![101], dirs(1)),
                PartitionRecord {
                    topic_id: id(8),
                    ..record(0, vec![101], dirs(1))
                },
                // Lengths of more than one byte.
                record(2, many.clone(), dirs(many.len())),
                // Reassignment fields (KIP-455), which the image keeps.
                PartitionRecord {
                    removing_replicas: vec![103],
                    adding_replicas: vec![104, 105],
                    ..record(4, vec![101, 103, 104, 105], dirs(4))
                },
                // Tagged fields.
                PartitionRecord {
                    leader_recovery_state: 1,
                    ..record(5, vec![101], dirs(1))
                },
                PartitionRecord {
                    unknown_tags: vec![RawTaggedField {
                        tag: 9,
                        data: vec![1, 2],
                    }],
                    ..record(6, vec![101], dirs(1))
                },
            ];
            if version == 2 {
                forms.push(PartitionRecord {
                    eligible_leader_replicas: Some(vec![102]),
                    last_known_elr: Some(vec![]),
                    ..record(7, vec![101, 102], dirs(2))
                });
            }
            for r in forms {
                values.push(ApiMessageAndVersion::new(r, version).encode().unwrap());
            }
        }
        // The plain form of each version is read from its bytes; the others are decoded.
        for first in [0, 10, 20] {
            assert!(partition_of(&values[first]).is_some());
            assert!(partition_of(&values[first + 6]).is_none());
            assert!(partition_of(&values[first + 8]).is_none());
        }
        // A version filka does not know (an unknown record, ignored), bytes cut short, a
        // byte too many, another frame version.
        let good = values[0].clone();
        let mut unknown_version = good.clone();
        unknown_version[2] = 9;
        let mut trailing = good.clone();
        trailing.push(0);
        let mut frame = good.clone();
        frame[0] = 0;
        values.extend([
            unknown_version,
            good[..good.len() - 3].to_vec(),
            trailing,
            frame,
        ]);

        let topic = TopicRecord {
            name: "t".into(),
            topic_id: id(7),
            ..Default::default()
        };
        for transaction in [false, true] {
            let mut fast = Image::new(ClusterState::new("c".into()));
            let mut slow = Image::new(ClusterState::new("c".into()));
            let mut offset = 0;
            let mut both = |value: Option<&[u8]>, record: Option<MetadataRecord>| {
                let fed = match value {
                    Some(v) => fast.feed_value(offset, v).map_err(|e| e.to_string()),
                    None => {
                        fast.feed(offset, record.clone().unwrap());
                        Ok(())
                    }
                };
                let decoded = match record {
                    Some(r) => Ok(r),
                    None => ApiMessageAndVersion::decode(value.unwrap())
                        .map(|m| m.record)
                        .map_err(|e| e.to_string()),
                };
                assert_eq!(fed, decoded.as_ref().map(|_| ()).map_err(Clone::clone));
                if let Ok(r) = decoded {
                    slow.feed(offset, r);
                }
                offset += 1;
            };
            if transaction {
                both(None, Some(BeginTransactionRecord::default().into()));
            }
            both(None, Some(topic.clone().into()));
            for v in &values {
                both(Some(v), None);
            }
            if transaction {
                both(None, Some(EndTransactionRecord::default().into()));
            }
            assert_eq!(fast.applied_to(), slow.applied_to());
            let (fast, slow) = (fast.into_state(), slow.into_state());
            assert_eq!(fast, slow);
            assert!(fast.topics["t"].partitions.len() >= 7, "{fast:?}");
        }

        // A snapshot's records, applied at once.
        let mut fast = Image::new(ClusterState::new("c".into()));
        let mut slow = Image::new(ClusterState::new("c".into()));
        fast.apply(&topic.clone().into());
        slow.apply(&topic.into());
        for v in &values {
            let fed = fast.apply_value(v).map_err(|e| e.to_string());
            match ApiMessageAndVersion::decode(v) {
                Ok(m) => {
                    assert_eq!(fed, Ok(()));
                    slow.apply(&m.record);
                }
                Err(e) => assert_eq!(fed, Err(e.to_string())),
            }
        }
        assert_eq!(fast.into_state(), slow.into_state());
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
