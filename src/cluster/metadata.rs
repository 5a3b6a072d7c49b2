//! The cluster's metadata image ([`ClusterState`]: brokers, topics, partitions, configs) and
//! filka's change language ([`MetadataRecord`]: what a command decides, in filka's words),
//! which [`super::kraft::translate`] turns into Kafka's metadata records and
//! [`super::kraft::image`] folds back. Changes are made only under the controller lock, by
//! [`super::Cluster::update`]; readers load the image from the KRaft metadata log.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::record::kraft::records::Endpoint;
use crate::record::uuid::Uuid;

/// The snapshot format filka writes and understands.
pub const FORMAT_VERSION: u32 = 1;

/// Whether a broker is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BrokerStatus {
    /// Up and serving its replicas.
    Online,
    /// Stopped (fenced): its replicas are not read or written.
    Down,
}

/// One broker: its registration in the metadata (fenced or not) and, simulated, whether
/// its process runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerState {
    /// Node id.
    pub id: i32,
    /// Unfenced (online) or fenced (down), as the metadata log says.
    pub status: BrokerStatus,
    /// Replication paused: its follower replicas stop copying from leaders (simulated
    /// state, kept in `simulation.json`, not in the metadata log).
    #[serde(default)]
    pub paused: bool,
    /// Its registration (RegisterBrokerRecord): epoch, incarnation, log dir, endpoints.
    #[serde(skip)]
    pub registration: Registration,
    /// The broker's process runs (simulated, `simulation.json`). A broker taken down is
    /// fenced too, unless the controller quorum had no majority to record it: then the
    /// metadata still says unfenced, and the broker serves nothing all the same.
    #[serde(skip, default = "running")]
    pub running: bool,
    /// Its controller runs (simulated): a voter of the controller quorum counts towards a
    /// majority only while its broker's process and its controller both run.
    #[serde(skip, default = "running")]
    pub controller_running: bool,
}

fn running() -> bool {
    true
}

/// What a broker registered with (Kafka's RegisterBrokerRecord).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registration {
    /// The broker epoch: the metadata offset of its registration.
    pub epoch: i64,
    /// Its incarnation id, new at each registration.
    pub incarnation_id: Uuid,
    /// Its log dir's `directory.id` (Kafka's `Uuid.ZERO_UUID` when unknown).
    pub log_dir: Uuid,
    /// Its listeners.
    pub endpoints: Vec<Endpoint>,
    /// Its rack.
    pub rack: Option<String>,
}

impl BrokerState {
    /// A broker just registered, unfenced and running.
    pub fn new(id: i32) -> BrokerState {
        BrokerState {
            id,
            status: BrokerStatus::Online,
            paused: false,
            registration: Registration::default(),
            running: true,
            controller_running: true,
        }
    }

    /// Unfenced and running: it serves its replicas.
    pub fn is_online(&self) -> bool {
        self.status == BrokerStatus::Online && self.running
    }

    /// A voter of the controller quorum counts while this is true.
    pub fn controller_alive(&self) -> bool {
        self.running && self.controller_running
    }
}

/// One partition's replicas, leader, ISR and epochs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionState {
    /// Partition number.
    pub partition: u32,
    /// Replica brokers; the first is the preferred leader.
    pub replicas: Vec<i32>,
    /// In-sync replicas.
    pub isr: Vec<i32>,
    /// Leader broker, -1 when the partition is offline.
    pub leader: i32,
    /// Leader epoch: bumped at every leader change, stamped into every batch.
    pub leader_epoch: i32,
    /// Bumped at every change of this partition's state.
    pub partition_epoch: i32,
    /// Replicas whose files were found damaged, missing or unwritable: offline until their
    /// broker restarts (Kafka's offline replicas, on a failed log dir; KRaft keeps them as
    /// replicas whose directory is lost). They are in no ISR and lead nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offline_replicas: Vec<i32>,
    /// While a reassignment moves the partition (KIP-455): the replicas being added. They
    /// are in `replicas` too, and copy from the leader until they join the ISR.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adding_replicas: Vec<i32>,
    /// While a reassignment moves the partition: the replicas to drop once every adding
    /// replica is in the ISR. They are in `replicas` too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removing_replicas: Vec<i32>,
}

impl PartitionState {
    /// True while a reassignment moves this partition.
    pub fn is_reassigning(&self) -> bool {
        !self.adding_replicas.is_empty() || !self.removing_replicas.is_empty()
    }

    /// The replicas the partition will have when its reassignment completes (its replicas
    /// when none runs).
    pub fn target_replicas(&self) -> Vec<i32> {
        self.replicas
            .iter()
            .copied()
            .filter(|r| !self.removing_replicas.contains(r))
            .collect()
    }

    /// The replicas it had before its reassignment started (its replicas when none runs).
    pub fn original_replicas(&self) -> Vec<i32> {
        self.replicas
            .iter()
            .copied()
            .filter(|r| !self.adding_replicas.contains(r))
            .collect()
    }

    /// Whether broker `b`'s replica of this partition can serve: its broker is up and the
    /// replica is not on a failed log dir.
    pub fn replica_up(&self, state: &ClusterState, b: i32) -> bool {
        state.is_online(b) && !self.offline_replicas.contains(&b)
    }
}

/// One topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicState {
    /// Topic id (Kafka's 22-character base64 UUID).
    pub topic_id: String,
    /// Config overrides (`--config KEY=VALUE`).
    pub configs: BTreeMap<String, String>,
    /// Partitions in order.
    pub partitions: Vec<PartitionState>,
}

/// The whole cluster state: the metadata image, plus the simulated state of the nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterState {
    /// Snapshot format.
    pub format_version: u32,
    /// Cluster id (Kafka's 22-character base64 UUID).
    pub cluster_id: String,
    /// The metadata log offset this snapshot covers up to (exclusive).
    pub metadata_offset: i64,
    /// Brokers by id.
    pub brokers: BTreeMap<i32, BrokerState>,
    /// Topics by name.
    pub topics: BTreeMap<String, TopicState>,
    /// Cluster-wide defaults of topic configs (`init --config`), which a topic's own
    /// overrides beat (Kafka's dynamic cluster-wide broker configs).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub configs: BTreeMap<String, String>,
    /// Per-broker dynamic configs (Kafka's BROKER ConfigRecords named by the broker id),
    /// such as the replication throttle rates `topic reassign --throttle` sets.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub broker_configs: BTreeMap<i32, BTreeMap<String, String>>,
    /// The first producer id not yet handed out in a block (KRaft's ProducerIdsRecord):
    /// idempotent and transactional producers take their ids from blocks below it.
    #[serde(default)]
    pub next_producer_id: i64,
    /// Finalized feature levels (FeatureLevelRecord): `metadata.version` and the others.
    #[serde(skip)]
    pub features: BTreeMap<String, i16>,
    /// Controller-only nodes whose controller is stopped (simulated: `simulation.json`).
    #[serde(skip)]
    pub stopped_controllers: std::collections::BTreeSet<i32>,
    /// Kafka's records of what filka keeps no image of, so its snapshots keep them.
    #[serde(skip)]
    pub kept: KeptRecords,
}

/// The records of a metadata log that filka's image does not fold (controller
/// registrations, configs of resources other than topics and brokers, ACLs, client quotas,
/// SCRAM credentials, delegation tokens, record types newer than filka), kept as their
/// latest effect so that a snapshot filka writes holds them: Kafka's nodes booting on it
/// lose nothing, and neither does a log whose segments below a snapshot went
/// (`metadata.max.retention.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptRecords {
    /// Records whose identity filka knows, the latest of each.
    pub by_key: BTreeMap<KeptKey, crate::record::kraft::records::MetadataRecord>,
    /// Records filka cannot read the identity of, in log order: replayed in order, they
    /// leave Kafka's image as the log did.
    pub in_order: Vec<crate::record::kraft::records::MetadataRecord>,
}

/// The identity of a kept record: a later record of the same identity replaces it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeptKey {
    /// A controller's RegisterControllerRecord, by controller id.
    Controller(i32),
    /// A ConfigRecord of a resource filka keeps no configs of (client metrics, groups):
    /// resource type, resource name, config name.
    Config(i8, String, String),
    /// An AccessControlEntryRecord, by its id (its first field, for every version).
    Acl([u8; 16]),
}

/// A partition's initial assignment, in a topic creation record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPartition {
    /// Partition number.
    pub partition: u32,
    /// Replica brokers, preferred leader first.
    pub replicas: Vec<i32>,
}

/// One metadata change. The variant name is the record key in the metadata log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum MetadataRecord {
    /// A broker joined the cluster.
    RegisterBroker {
        /// Node id.
        id: i32,
    },
    /// A broker left the cluster (`broker remove`): Kafka's UnregisterBrokerRecord.
    UnregisterBroker {
        /// Node id.
        id: i32,
    },
    /// A broker went down (fenced).
    FenceBroker {
        /// Node id.
        id: i32,
    },
    /// A broker came back (unfenced).
    UnfenceBroker {
        /// Node id.
        id: i32,
    },
    /// A broker's followers stopped or resumed copying.
    SetReplicationPaused {
        /// Node id.
        id: i32,
        /// Paused or not.
        paused: bool,
    },
    /// A topic was created.
    CreateTopic {
        /// Name.
        name: String,
        /// Topic id.
        topic_id: String,
        /// Config overrides.
        configs: BTreeMap<String, String>,
        /// Partitions and replicas.
        partitions: Vec<NewPartition>,
    },
    /// A topic was deleted.
    DeleteTopic {
        /// Name.
        name: String,
    },
    /// Partitions were added to a topic.
    CreatePartitions {
        /// Topic.
        topic: String,
        /// The new partitions.
        partitions: Vec<NewPartition>,
    },
    /// A topic's config overrides were replaced.
    AlterConfigs {
        /// Topic.
        topic: String,
        /// The full set of overrides after the change.
        configs: BTreeMap<String, String>,
    },
    /// The cluster-wide config defaults were replaced.
    AlterClusterConfigs {
        /// The full set of defaults after the change.
        configs: BTreeMap<String, String>,
    },
    /// One broker's own dynamic configs were replaced.
    AlterBrokerConfigs {
        /// Broker.
        broker: i32,
        /// The full set after the change.
        configs: BTreeMap<String, String>,
    },
    /// A partition's leader, epoch or ISR changed.
    PartitionChange {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// New leader (-1: offline).
        leader: i32,
        /// New leader epoch.
        leader_epoch: i32,
        /// New ISR.
        isr: Vec<i32>,
        /// Why, in words (shown by `describe history`).
        reason: String,
        /// The partition's offline replicas after the change, when it changes them (a
        /// replica failed, or its broker restarted).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offline_replicas: Option<Vec<i32>>,
    },
    /// A partition's replica set changed by a reassignment (KIP-455): started (replicas
    /// are the target and the replicas leaving, with the adding and removing ones named),
    /// completed (replicas are the target, adding and removing empty) or cancelled (back to
    /// the original). Kafka's PartitionChangeRecord with replicas, adding and removing
    /// replicas, and the ISR and leader when they change with them.
    ReassignPartition {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// The replicas after the change.
        replicas: Vec<i32>,
        /// Replicas being added (empty: none).
        adding: Vec<i32>,
        /// Replicas being removed (empty: none).
        removing: Vec<i32>,
        /// The ISR after the change.
        isr: Vec<i32>,
        /// The leader after the change (-1: offline).
        leader: i32,
        /// Its leader epoch (bumped when the leader changes).
        leader_epoch: i32,
        /// Why, in words (shown by `describe history`).
        reason: String,
    },
    /// A block of producer ids was handed out: ids below `next_producer_id` are taken
    /// (KRaft's ProducerIdsRecord; Kafka's controller hands out blocks of 1000).
    ProducerIds {
        /// The first id of the next block.
        next_producer_id: i64,
    },
    /// The records up to the matching [`MetadataRecord::EndTransaction`] are one change
    /// that spans several batches (KRaft's BeginTransactionRecord, KIP-868): they apply
    /// together, or not at all.
    BeginTransaction {
        /// What the change is.
        name: String,
    },
    /// The change begun by the last [`MetadataRecord::BeginTransaction`] is complete.
    EndTransaction {},
    /// The change begun by the last [`MetadataRecord::BeginTransaction`] never completed
    /// (its controller died): none of it applies.
    AbortTransaction {
        /// Why.
        reason: String,
    },
}

impl MetadataRecord {
    /// The record key: the variant's name.
    pub fn kind(&self) -> &'static str {
        match self {
            MetadataRecord::RegisterBroker { .. } => "RegisterBroker",
            MetadataRecord::UnregisterBroker { .. } => "UnregisterBroker",
            MetadataRecord::FenceBroker { .. } => "FenceBroker",
            MetadataRecord::UnfenceBroker { .. } => "UnfenceBroker",
            MetadataRecord::SetReplicationPaused { .. } => "SetReplicationPaused",
            MetadataRecord::CreateTopic { .. } => "CreateTopic",
            MetadataRecord::DeleteTopic { .. } => "DeleteTopic",
            MetadataRecord::CreatePartitions { .. } => "CreatePartitions",
            MetadataRecord::AlterConfigs { .. } => "AlterConfigs",
            MetadataRecord::AlterClusterConfigs { .. } => "AlterClusterConfigs",
            MetadataRecord::AlterBrokerConfigs { .. } => "AlterBrokerConfigs",
            MetadataRecord::PartitionChange { .. } => "PartitionChange",
            MetadataRecord::ReassignPartition { .. } => "ReassignPartition",
            MetadataRecord::ProducerIds { .. } => "ProducerIds",
            MetadataRecord::BeginTransaction { .. } => "BeginTransaction",
            MetadataRecord::EndTransaction {} => "EndTransaction",
            MetadataRecord::AbortTransaction { .. } => "AbortTransaction",
        }
    }

    /// The record's kind and what it is about, in a few words (`DeleteTopic keep`,
    /// `PartitionChange demo-2`, `FenceBroker 101`): how a change is named to the user.
    pub fn subject(&self) -> String {
        let kind = self.kind();
        match self {
            MetadataRecord::RegisterBroker { id }
            | MetadataRecord::UnregisterBroker { id }
            | MetadataRecord::FenceBroker { id }
            | MetadataRecord::UnfenceBroker { id }
            | MetadataRecord::SetReplicationPaused { id, .. }
            | MetadataRecord::AlterBrokerConfigs { broker: id, .. } => format!("{kind} {id}"),
            MetadataRecord::CreateTopic { name, .. } | MetadataRecord::DeleteTopic { name } => {
                format!("{kind} {name}")
            }
            MetadataRecord::CreatePartitions { topic, .. }
            | MetadataRecord::AlterConfigs { topic, .. } => format!("{kind} {topic}"),
            MetadataRecord::PartitionChange {
                topic, partition, ..
            }
            | MetadataRecord::ReassignPartition {
                topic, partition, ..
            } => format!("{kind} {topic}-{partition}"),
            MetadataRecord::ProducerIds { next_producer_id } => {
                format!("{kind} below {next_producer_id}")
            }
            MetadataRecord::BeginTransaction { name } => format!("{kind} {name}"),
            MetadataRecord::AlterClusterConfigs { .. }
            | MetadataRecord::EndTransaction {}
            | MetadataRecord::AbortTransaction { .. } => kind.to_string(),
        }
    }
}

/// Names one change (the records of one commit) for the user: its first records'
/// [`MetadataRecord::subject`]s and how many more there are, transaction markers left out
/// (`DeleteTopic keep`; `FenceBroker 101, PartitionChange demo-0, PartitionChange demo-1
/// and 4 more records`).
pub fn change_name(records: &[MetadataRecord]) -> String {
    const SHOWN: usize = 3;
    let subjects: Vec<String> = records
        .iter()
        .filter(|r| !is_marker(r))
        .map(MetadataRecord::subject)
        .collect();
    let mut name = subjects
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    match subjects.len().saturating_sub(SHOWN) {
        0 => {}
        1 => name.push_str(" and 1 more record"),
        n => name.push_str(&format!(" and {n} more records")),
    }
    name
}

/// True for the records that frame a change rather than make one.
pub fn is_marker(r: &MetadataRecord) -> bool {
    matches!(
        r,
        MetadataRecord::BeginTransaction { .. }
            | MetadataRecord::EndTransaction {}
            | MetadataRecord::AbortTransaction { .. }
    )
}

impl ClusterState {
    /// An empty cluster with this id.
    pub fn new(cluster_id: String) -> ClusterState {
        ClusterState {
            format_version: FORMAT_VERSION,
            cluster_id,
            metadata_offset: 0,
            brokers: BTreeMap::new(),
            topics: BTreeMap::new(),
            configs: BTreeMap::new(),
            broker_configs: BTreeMap::new(),
            next_producer_id: 0,
            features: BTreeMap::new(),
            stopped_controllers: std::collections::BTreeSet::new(),
            kept: KeptRecords::default(),
        }
    }

    /// Broker ids in order.
    pub fn broker_ids(&self) -> Vec<i32> {
        self.brokers.keys().copied().collect()
    }

    /// True when the broker exists, is unfenced and runs.
    pub fn is_online(&self, id: i32) -> bool {
        self.brokers.get(&id).is_some_and(BrokerState::is_online)
    }

    /// Folds one record into the state.
    pub fn apply(&mut self, r: &MetadataRecord) {
        match r {
            MetadataRecord::ProducerIds { next_producer_id } => {
                self.next_producer_id = self.next_producer_id.max(*next_producer_id);
            }
            MetadataRecord::RegisterBroker { id } => {
                self.brokers.insert(*id, BrokerState::new(*id));
            }
            MetadataRecord::UnregisterBroker { id } => {
                self.brokers.remove(id);
            }
            MetadataRecord::FenceBroker { id } => {
                if let Some(b) = self.brokers.get_mut(id) {
                    b.status = BrokerStatus::Down;
                }
            }
            MetadataRecord::UnfenceBroker { id } => {
                if let Some(b) = self.brokers.get_mut(id) {
                    b.status = BrokerStatus::Online;
                }
            }
            MetadataRecord::SetReplicationPaused { id, paused } => {
                if let Some(b) = self.brokers.get_mut(id) {
                    b.paused = *paused;
                }
            }
            MetadataRecord::CreateTopic {
                name,
                topic_id,
                configs,
                partitions,
            } => {
                self.topics.insert(
                    name.clone(),
                    TopicState {
                        topic_id: topic_id.clone(),
                        configs: configs.clone(),
                        partitions: partitions.iter().map(new_partition_state).collect(),
                    },
                );
            }
            MetadataRecord::DeleteTopic { name } => {
                self.topics.remove(name);
            }
            MetadataRecord::CreatePartitions { topic, partitions } => {
                if let Some(t) = self.topics.get_mut(topic) {
                    t.partitions
                        .extend(partitions.iter().map(new_partition_state));
                }
            }
            MetadataRecord::AlterConfigs { topic, configs } => {
                if let Some(t) = self.topics.get_mut(topic) {
                    t.configs = configs.clone();
                }
            }
            MetadataRecord::AlterClusterConfigs { configs } => {
                self.configs = configs.clone();
            }
            MetadataRecord::AlterBrokerConfigs { broker, configs } => {
                if configs.is_empty() {
                    self.broker_configs.remove(broker);
                } else {
                    self.broker_configs.insert(*broker, configs.clone());
                }
            }
            MetadataRecord::PartitionChange {
                topic,
                partition,
                leader,
                leader_epoch,
                isr,
                offline_replicas,
                ..
            } => {
                if let Some(p) = self
                    .topics
                    .get_mut(topic)
                    .and_then(|t| t.partitions.get_mut(*partition as usize))
                {
                    p.leader = *leader;
                    p.leader_epoch = *leader_epoch;
                    p.isr = isr.clone();
                    if let Some(offline) = offline_replicas {
                        p.offline_replicas = offline.clone();
                    }
                    p.partition_epoch += 1;
                }
            }
            MetadataRecord::ReassignPartition {
                topic,
                partition,
                replicas,
                adding,
                removing,
                isr,
                leader,
                leader_epoch,
                ..
            } => {
                if let Some(p) = self
                    .topics
                    .get_mut(topic)
                    .and_then(|t| t.partitions.get_mut(*partition as usize))
                {
                    p.replicas = replicas.clone();
                    p.adding_replicas = adding.clone();
                    p.removing_replicas = removing.clone();
                    p.isr = isr.clone();
                    p.leader = *leader;
                    p.leader_epoch = *leader_epoch;
                    p.offline_replicas.retain(|r| replicas.contains(r));
                    p.partition_epoch += 1;
                }
            }
            // Markers: [`Replay`] decides what the records between them mean.
            MetadataRecord::BeginTransaction { .. }
            | MetadataRecord::EndTransaction {}
            | MetadataRecord::AbortTransaction { .. } => {}
        }
    }
}

/// Folds metadata-log records into a state the way the log means them: a record outside a
/// transaction applies at once; the records of a transaction apply together at its
/// [`MetadataRecord::EndTransaction`], and not at all when it is aborted or never ends (a
/// controller that died in the middle of a change).
#[derive(Debug)]
pub struct Replay {
    pending: Option<Vec<MetadataRecord>>,
    applied_to: i64,
}

impl Replay {
    /// Starts replaying at offset `from` (a snapshot's offset: never inside a transaction).
    pub fn new(from: i64) -> Replay {
        Replay {
            pending: None,
            applied_to: from,
        }
    }

    /// Feeds the record at `offset`.
    pub fn feed(&mut self, state: &mut ClusterState, offset: i64, r: MetadataRecord) {
        match r {
            // A second begin means the first was never ended: it is dropped.
            MetadataRecord::BeginTransaction { .. } => self.pending = Some(Vec::new()),
            MetadataRecord::EndTransaction {} => {
                for r in self.pending.take().unwrap_or_default() {
                    state.apply(&r);
                }
                self.applied_to = offset + 1;
            }
            MetadataRecord::AbortTransaction { .. } => {
                self.pending = None;
                self.applied_to = offset + 1;
            }
            r => match &mut self.pending {
                Some(p) => p.push(r),
                None => {
                    state.apply(&r);
                    self.applied_to = offset + 1;
                }
            },
        }
    }

    /// True when the records fed end inside a transaction.
    pub fn in_transaction(&self) -> bool {
        self.pending.is_some()
    }

    /// The offset after the last record whose fate is decided: what a snapshot of the state
    /// covers (a transaction still open is not covered).
    pub fn applied_to(&self) -> i64 {
        self.applied_to
    }
}

/// Bytes of record values per metadata-log batch: half the log's max.message.bytes, so a
/// batch is never refused whatever the change (a 40,000-partition topic is ~2 MB of JSON).
pub const BATCH_BYTES: usize = 512 * 1024;

/// One metadata-log batch to append: each record with its encoded value.
pub type Batch = Vec<(MetadataRecord, Vec<u8>)>;

/// A record's value in the metadata log. These types always serialize (string keys, no
/// floats), so the empty fallback is never taken.
pub fn encode(r: &MetadataRecord) -> Vec<u8> {
    serde_json::to_vec(r).unwrap_or_default()
}

/// The records of one change as metadata-log batches of at most `batch_bytes` of values
/// each: a topic whose partitions would not fit one record is split into a CreateTopic and
/// CreatePartitions records (they fold into the same state), and a change that needs more
/// than one batch is framed by BeginTransaction and EndTransaction, so it applies whole or
/// not at all. Errors when one record cannot be split to fit (e.g. megabytes of configs).
pub fn plan_batches(
    records: Vec<MetadataRecord>,
    batch_bytes: usize,
) -> Result<Vec<Batch>, String> {
    // A record's key (its kind) and framing add a few dozen bytes to its value.
    const RECORD_OVERHEAD: usize = 64;
    let limit = batch_bytes.saturating_sub(RECORD_OVERHEAD).max(1);
    let mut encoded: Vec<(MetadataRecord, Vec<u8>)> = split(records, limit)
        .into_iter()
        .map(|r| {
            let v = encode(&r);
            (r, v)
        })
        .collect();
    if let Some((r, v)) = encoded.iter().find(|(_, v)| v.len() > limit) {
        return Err(format!(
            "a {} metadata record of {} bytes is larger than a metadata batch may be ({limit} bytes)",
            r.kind(),
            v.len()
        ));
    }
    let size = |v: &Vec<u8>| v.len() + RECORD_OVERHEAD;
    if encoded.iter().map(|(_, v)| size(v)).sum::<usize>() > batch_bytes {
        let name = encoded
            .first()
            .map_or_else(String::new, |(r, _)| r.kind().to_string());
        let begin = MetadataRecord::BeginTransaction {
            name: format!("{name} and {} more records", encoded.len() - 1),
        };
        let end = MetadataRecord::EndTransaction {};
        let (bv, ev) = (encode(&begin), encode(&end));
        encoded.insert(0, (begin, bv));
        encoded.push((end, ev));
    }
    let mut batches: Vec<Batch> = Vec::new();
    let mut used = 0;
    for (r, v) in encoded {
        let n = size(&v);
        match batches.last_mut() {
            Some(b) if used + n <= batch_bytes => b.push((r, v)),
            _ => {
                batches.push(vec![(r, v)]);
                used = 0;
            }
        }
        used += n;
    }
    Ok(batches)
}

/// Splits topic records whose partition list makes them larger than `limit` bytes.
fn split(records: Vec<MetadataRecord>, limit: usize) -> Vec<MetadataRecord> {
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        if encode(&r).len() <= limit {
            out.push(r);
            continue;
        }
        match r {
            MetadataRecord::CreateTopic {
                name,
                topic_id,
                configs,
                partitions,
            } => {
                let head = MetadataRecord::CreateTopic {
                    name: name.clone(),
                    topic_id: topic_id.clone(),
                    configs: configs.clone(),
                    partitions: Vec::new(),
                };
                let budget = limit.saturating_sub(encode(&head).len());
                let mut chunks = chunk_partitions(partitions, budget).into_iter();
                out.push(MetadataRecord::CreateTopic {
                    name: name.clone(),
                    topic_id,
                    configs,
                    partitions: chunks.next().unwrap_or_default(),
                });
                out.extend(chunks.map(|partitions| MetadataRecord::CreatePartitions {
                    topic: name.clone(),
                    partitions,
                }));
            }
            MetadataRecord::CreatePartitions { topic, partitions } => {
                let head = MetadataRecord::CreatePartitions {
                    topic: topic.clone(),
                    partitions: Vec::new(),
                };
                let budget = limit.saturating_sub(encode(&head).len());
                out.extend(
                    chunk_partitions(partitions, budget)
                        .into_iter()
                        .map(|partitions| MetadataRecord::CreatePartitions {
                            topic: topic.clone(),
                            partitions,
                        }),
                );
            }
            other => out.push(other),
        }
    }
    out
}

/// Consecutive runs of `parts` whose JSON (with separators) fits `budget` bytes; a
/// partition too large on its own gets a run of its own (and is refused by the caller).
fn chunk_partitions(parts: Vec<NewPartition>, budget: usize) -> Vec<Vec<NewPartition>> {
    let mut chunks = Vec::new();
    let mut current = Vec::new();
    let mut used = 0;
    for p in parts {
        let n = serde_json::to_vec(&p).map_or(0, |v| v.len()) + 1;
        if !current.is_empty() && used + n > budget {
            chunks.push(std::mem::take(&mut current));
            used = 0;
        }
        used += n;
        current.push(p);
    }
    if !current.is_empty() || chunks.is_empty() {
        chunks.push(current);
    }
    chunks
}

fn new_partition_state(p: &NewPartition) -> PartitionState {
    PartitionState {
        partition: p.partition,
        replicas: p.replicas.clone(),
        isr: p.replicas.clone(),
        leader: p.replicas.first().copied().unwrap_or(-1),
        leader_epoch: 0,
        partition_epoch: 0,
        offline_replicas: Vec::new(),
        adding_replicas: Vec::new(),
        removing_replicas: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_fold_into_state_and_round_trip_as_json() {
        let mut s = ClusterState::new("id".into());
        let records = vec![
            MetadataRecord::RegisterBroker { id: 101 },
            MetadataRecord::RegisterBroker { id: 102 },
            MetadataRecord::CreateTopic {
                name: "t".into(),
                topic_id: "x".into(),
                configs: BTreeMap::new(),
                partitions: vec![NewPartition {
                    partition: 0,
                    replicas: vec![102, 101],
                }],
            },
            MetadataRecord::FenceBroker { id: 102 },
            MetadataRecord::PartitionChange {
                topic: "t".into(),
                partition: 0,
                leader: 101,
                leader_epoch: 1,
                isr: vec![101],
                reason: "leader 102 went down".into(),
                offline_replicas: None,
            },
        ];
        for r in &records {
            let json = serde_json::to_string(r).unwrap();
            assert_eq!(&serde_json::from_str::<MetadataRecord>(&json).unwrap(), r);
            s.apply(r);
        }
        let p = &s.topics["t"].partitions[0];
        assert_eq!(
            (p.leader, p.leader_epoch, p.isr.clone()),
            (101, 1, vec![101])
        );
        assert!(!s.is_online(102));
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<ClusterState>(&json).unwrap(), s);
    }

    fn big_topic(partitions: u32) -> MetadataRecord {
        MetadataRecord::CreateTopic {
            name: "big".into(),
            topic_id: "id".into(),
            configs: BTreeMap::from([("retention.ms".to_string(), "1000".to_string())]),
            partitions: (0..partitions)
                .map(|p| NewPartition {
                    partition: p,
                    replicas: vec![101 + (p % 3) as i32, 102, 103],
                })
                .collect(),
        }
    }

    /// Regression: a change was one batch, so a 40,000-partition topic (~2 MB of JSON) was
    /// refused with "batch refused: ... larger than max.message.bytes".
    #[test]
    fn a_large_change_spans_batches_and_folds_into_the_same_state() {
        let records = vec![
            MetadataRecord::RegisterBroker { id: 101 },
            big_topic(40_000),
        ];
        let batches = plan_batches(records.clone(), BATCH_BYTES).unwrap();
        assert!(batches.len() > 2, "{} batches", batches.len());
        for b in &batches {
            let bytes: usize = b.iter().map(|(_, v)| v.len() + 64).sum();
            assert!(bytes <= BATCH_BYTES, "a batch of {bytes} bytes");
        }
        let flat: Vec<MetadataRecord> = batches.into_iter().flatten().map(|(r, _)| r).collect();
        assert_eq!(flat.first().unwrap().kind(), "BeginTransaction");
        assert_eq!(flat.last().unwrap().kind(), "EndTransaction");
        let mut expected = ClusterState::new("c".into());
        for r in &records {
            expected.apply(r);
        }
        let mut got = ClusterState::new("c".into());
        let mut replay = Replay::new(0);
        for (i, r) in flat.iter().enumerate() {
            replay.feed(&mut got, i as i64, r.clone());
        }
        assert!(!replay.in_transaction());
        assert_eq!(replay.applied_to(), flat.len() as i64);
        assert_eq!(got, expected);
        assert_eq!(got.topics["big"].partitions.len(), 40_000);

        // Small changes stay one batch, with no markers.
        let small = plan_batches(vec![big_topic(10)], BATCH_BYTES).unwrap();
        assert_eq!(small.len(), 1);
        assert_eq!(small[0].len(), 1);
    }

    #[test]
    fn an_unfinished_or_aborted_transaction_applies_nothing() {
        let flat: Vec<MetadataRecord> = plan_batches(vec![big_topic(40_000)], BATCH_BYTES)
            .unwrap()
            .into_iter()
            .flatten()
            .map(|(r, _)| r)
            .collect();
        let mut s = ClusterState::new("c".into());
        let mut replay = Replay::new(5);
        s.apply(&MetadataRecord::RegisterBroker { id: 101 });
        let before = s.clone();
        for (i, r) in flat[..flat.len() - 1].iter().enumerate() {
            replay.feed(&mut s, 5 + i as i64, r.clone());
        }
        assert!(replay.in_transaction());
        assert_eq!(replay.applied_to(), 5, "an open transaction is not covered");
        assert_eq!(s, before);
        let at = 5 + flat.len() as i64 - 1;
        replay.feed(
            &mut s,
            at,
            MetadataRecord::AbortTransaction {
                reason: "test".into(),
            },
        );
        assert!(!replay.in_transaction());
        assert_eq!(replay.applied_to(), at + 1);
        assert_eq!(s, before);
    }

    #[test]
    fn a_record_that_cannot_be_split_is_refused_clearly() {
        let r = MetadataRecord::AlterConfigs {
            topic: "t".into(),
            configs: BTreeMap::from([("k".to_string(), "v".repeat(2 << 20))]),
        };
        let e = plan_batches(vec![r], BATCH_BYTES).unwrap_err();
        assert!(e.contains("AlterConfigs metadata record of"), "{e}");
    }
}
