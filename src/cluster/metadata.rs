//! The cluster's metadata, KRaft style: every change is a record appended to the metadata
//! log (`metadata/__cluster_metadata-0`, a Kafka-format log whose record keys name the
//! change and whose values are JSON), and `cluster.json` is the state those records fold
//! into (the snapshot). Changes are made only under the controller lock, by
//! [`super::Cluster::update`]; readers read the snapshot, which is replaced atomically.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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

/// One broker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerState {
    /// Node id.
    pub id: i32,
    /// Online or down.
    pub status: BrokerStatus,
    /// Replication paused: its follower replicas stop copying from leaders.
    #[serde(default)]
    pub paused: bool,
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

/// The whole cluster state: what `cluster.json` holds.
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
    /// The first producer id not yet handed out in a block (KRaft's ProducerIdsRecord):
    /// idempotent and transactional producers take their ids from blocks below it.
    #[serde(default)]
    pub next_producer_id: i64,
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
    },
    /// A block of producer ids was handed out: ids below `next_producer_id` are taken
    /// (KRaft's ProducerIdsRecord; Kafka's controller hands out blocks of 1000).
    ProducerIds {
        /// The first id of the next block.
        next_producer_id: i64,
    },
}

impl MetadataRecord {
    /// The record key: the variant's name.
    pub fn kind(&self) -> &'static str {
        match self {
            MetadataRecord::RegisterBroker { .. } => "RegisterBroker",
            MetadataRecord::FenceBroker { .. } => "FenceBroker",
            MetadataRecord::UnfenceBroker { .. } => "UnfenceBroker",
            MetadataRecord::SetReplicationPaused { .. } => "SetReplicationPaused",
            MetadataRecord::CreateTopic { .. } => "CreateTopic",
            MetadataRecord::DeleteTopic { .. } => "DeleteTopic",
            MetadataRecord::CreatePartitions { .. } => "CreatePartitions",
            MetadataRecord::AlterConfigs { .. } => "AlterConfigs",
            MetadataRecord::AlterClusterConfigs { .. } => "AlterClusterConfigs",
            MetadataRecord::PartitionChange { .. } => "PartitionChange",
            MetadataRecord::ProducerIds { .. } => "ProducerIds",
        }
    }
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
            next_producer_id: 0,
        }
    }

    /// Broker ids in order.
    pub fn broker_ids(&self) -> Vec<i32> {
        self.brokers.keys().copied().collect()
    }

    /// True when the broker exists and is online.
    pub fn is_online(&self, id: i32) -> bool {
        self.brokers
            .get(&id)
            .is_some_and(|b| b.status == BrokerStatus::Online)
    }

    /// Folds one record into the state.
    pub fn apply(&mut self, r: &MetadataRecord) {
        match r {
            MetadataRecord::ProducerIds { next_producer_id } => {
                self.next_producer_id = self.next_producer_id.max(*next_producer_id);
            }
            MetadataRecord::RegisterBroker { id } => {
                self.brokers.insert(
                    *id,
                    BrokerState {
                        id: *id,
                        status: BrokerStatus::Online,
                        paused: false,
                    },
                );
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
            MetadataRecord::PartitionChange {
                topic,
                partition,
                leader,
                leader_epoch,
                isr,
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
                    p.partition_epoch += 1;
                }
            }
        }
    }
}

fn new_partition_state(p: &NewPartition) -> PartitionState {
    PartitionState {
        partition: p.partition,
        replicas: p.replicas.clone(),
        isr: p.replicas.clone(),
        leader: p.replicas.first().copied().unwrap_or(-1),
        leader_epoch: 0,
        partition_epoch: 0,
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
}
