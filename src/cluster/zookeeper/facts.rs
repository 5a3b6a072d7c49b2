//! What the metadata log says beyond the image, for the znode tree ([`LogFacts`]): when
//! each broker last came up, when each controller epoch began, the epoch of the controller
//! that last wrote each partition's leader and ISR and the partition's leader recovery
//! state, and the broker the last producer-id block went to. ZooKeeper-mode Kafka kept all of
//! these in its znodes; the image (`ClusterState`) keeps none of them.
//!
//! Records of a change that was aborted, or is still open, count for nothing, as in the
//! image. A fact older than the log's first record (the log then starts above 0, and a
//! snapshot covers what lies below) is missing: the tree stands in for it and says so.
//!
//! Must not: take locks, or print.

use std::collections::BTreeMap;
use std::path::Path;

use crate::cluster::ClusterError;
use crate::cluster::kraft::image::NO_LEADER_CHANGE;
use crate::log::{LogError, LogReader};
use crate::record::kraft::control::ControlRecord;
use crate::record::kraft::records::{ApiMessageAndVersion, MetadataRecord};

/// The first record of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstRecord {
    /// Its offset.
    pub offset: i64,
    /// Its time (its batch's timestamp), ms since the Unix epoch.
    pub timestamp: i64,
    /// The controller epoch it was written in (its batch's partition leader epoch).
    pub epoch: i32,
}

/// A controller epoch's beginning: its `LeaderChangeMessage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Election {
    /// The controller elected.
    pub leader: i32,
    /// When, ms since the Unix epoch.
    pub timestamp: i64,
}

/// What the log last said of one partition's leader and ISR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionFacts {
    /// The controller epoch of the record that last set its leader, ISR or leader recovery
    /// state (a PartitionRecord, or a PartitionChangeRecord that changed one of them).
    pub epoch: i32,
    /// Its leader recovery state: 0 recovered, 1 recovering (KIP-704).
    pub leader_recovery_state: i8,
}

/// The facts, as of the committed end of the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFacts {
    /// The log's first record; `None` when it has none.
    pub first: Option<FirstRecord>,
    /// When each broker last came up: the time of the last record that registered it or
    /// unfenced it (kept when it is fenced later: a stopped Kafka broker's log ends fenced).
    pub broker_up_ms: BTreeMap<i32, i64>,
    /// Each controller epoch the log saw begin.
    pub elections: BTreeMap<i32, Election>,
    /// Each partition, by topic id (base64) and partition number.
    pub partitions: BTreeMap<(String, u32), PartitionFacts>,
    /// The broker named by the last ProducerIdsRecord, when it names one (-1 does not).
    pub producer_ids_broker: Option<i32>,
}

/// One record with where it stands in the log.
struct Placed {
    timestamp: i64,
    epoch: i32,
    record: MetadataRecord,
}

/// Folds records in as the image does: a change spanning batches counts once it ends.
#[derive(Default)]
pub struct Folder {
    facts: LogFacts,
    pending: Option<Vec<Placed>>,
    /// Each registered broker: fenced or not, as the records so far leave it.
    fenced: BTreeMap<i32, bool>,
}

impl Folder {
    /// Folds in the metadata record written at `timestamp` in controller epoch `epoch`.
    pub fn feed(&mut self, timestamp: i64, epoch: i32, record: MetadataRecord) {
        match record {
            MetadataRecord::BeginTransaction(_) => self.pending = Some(Vec::new()),
            MetadataRecord::EndTransaction(_) => {
                for p in self.pending.take().unwrap_or_default() {
                    self.apply(p.timestamp, p.epoch, &p.record);
                }
            }
            MetadataRecord::AbortTransaction(_) => self.pending = None,
            record => match &mut self.pending {
                Some(p) => p.push(Placed {
                    timestamp,
                    epoch,
                    record,
                }),
                None => self.apply(timestamp, epoch, &record),
            },
        }
    }

    /// Notes the first record of the log (the first call wins).
    pub fn first(&mut self, offset: i64, timestamp: i64, epoch: i32) {
        self.facts.first.get_or_insert(FirstRecord {
            offset,
            timestamp,
            epoch,
        });
    }

    /// Folds in a `LeaderChangeMessage`: `leader` leads from `epoch` on. Elections are not
    /// part of any change, so they count at once.
    pub fn election(&mut self, epoch: i32, leader: i32, timestamp: i64) {
        self.facts
            .elections
            .insert(epoch, Election { leader, timestamp });
    }

    /// The facts.
    pub fn finish(self) -> LogFacts {
        self.facts
    }

    fn apply(&mut self, timestamp: i64, epoch: i32, r: &MetadataRecord) {
        let f = &mut self.facts;
        let fenced = &mut self.fenced;
        let mut unfence = |id: i32| {
            // Unfencing a broker that is up already starts nothing.
            if fenced.insert(id, false) != Some(false) {
                f.broker_up_ms.insert(id, timestamp);
            }
        };
        match r {
            MetadataRecord::RegisterBroker(b) => {
                // A registration is a new process (a new ZooKeeper session), fenced or not.
                fenced.insert(b.broker_id, b.fenced);
                f.broker_up_ms.insert(b.broker_id, timestamp);
            }
            MetadataRecord::UnregisterBroker(b) => {
                fenced.remove(&b.broker_id);
                f.broker_up_ms.remove(&b.broker_id);
            }
            MetadataRecord::FenceBroker(b) => {
                fenced.insert(b.id, true);
            }
            MetadataRecord::UnfenceBroker(b) => unfence(b.id),
            // BrokerRegistrationFencingChange: 1 fence, -1 unfence, 0 none.
            MetadataRecord::BrokerRegistrationChange(c) if c.fenced == 1 => {
                fenced.insert(c.broker_id, true);
            }
            MetadataRecord::BrokerRegistrationChange(c) if c.fenced == -1 => unfence(c.broker_id),
            MetadataRecord::Partition(p) => {
                if let Ok(partition) = u32::try_from(p.partition_id) {
                    f.partitions.insert(
                        (p.topic_id.to_base64(), partition),
                        PartitionFacts {
                            epoch,
                            leader_recovery_state: p.leader_recovery_state,
                        },
                    );
                }
            }
            MetadataRecord::PartitionChange(c) => {
                // -1: the leader recovery state does not change.
                let recovery = (c.leader_recovery_state != -1).then_some(c.leader_recovery_state);
                let changed = c.isr.is_some() || c.leader != NO_LEADER_CHANGE || recovery.is_some();
                if let (true, Ok(partition)) = (changed, u32::try_from(c.partition_id)) {
                    let old = f
                        .partitions
                        .get(&(c.topic_id.to_base64(), partition))
                        .map_or(0, |p| p.leader_recovery_state);
                    f.partitions.insert(
                        (c.topic_id.to_base64(), partition),
                        PartitionFacts {
                            epoch,
                            leader_recovery_state: recovery.unwrap_or(old),
                        },
                    );
                }
            }
            MetadataRecord::RemoveTopic(t) => {
                let id = t.topic_id.to_base64();
                f.partitions.retain(|(topic, _), _| *topic != id);
            }
            MetadataRecord::ProducerIds(p) => {
                f.producer_ids_broker = (p.broker_id >= 0).then_some(p.broker_id);
            }
            _ => {}
        }
    }
}

/// The facts of the metadata log in the copy `dir`: its metadata records up to `committed`
/// (the high watermark, as the image), its elections up to `end`, its end (an election is a
/// fact once it happened, committed or not).
pub fn read(dir: &Path, committed: i64, end: i64) -> Result<LogFacts, ClusterError> {
    let reader = LogReader::open(dir)?;
    let corrupt = |detail: String| {
        ClusterError::Log(LogError::Corrupt {
            path: dir.to_path_buf(),
            detail,
        })
    };
    let mut folder = Folder::default();
    let mut cursor = reader.cursor(reader.first_offset())?;
    while let Some(batch) = cursor.next_batch(end)? {
        batch.verify_crc().map_err(|e| corrupt(e.to_string()))?;
        let control = batch.header().attributes.is_control();
        let epoch = batch.header().partition_leader_epoch;
        let data = batch.records_data().map_err(|e| corrupt(e.to_string()))?;
        for r in batch.records(&data).map_err(|e| corrupt(e.to_string()))? {
            let r = r.map_err(|e| corrupt(e.to_string()))?;
            folder.first(r.offset, r.timestamp, epoch);
            let value = r.value.unwrap_or_default();
            if control {
                if let Ok(Some(ControlRecord::LeaderChange(m))) =
                    ControlRecord::decode(r.key.unwrap_or_default(), value)
                {
                    folder.election(epoch, m.leader_id, r.timestamp);
                }
                continue;
            }
            if r.offset >= committed {
                continue;
            }
            let m = ApiMessageAndVersion::decode(value)
                .map_err(|e| corrupt(format!("metadata record at offset {}: {e}", r.offset)))?;
            folder.feed(r.timestamp, epoch, m.record);
        }
    }
    Ok(folder.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::kraft::records::{
        AbortTransactionRecord, BeginTransactionRecord, BrokerRegistrationChangeRecord,
        EndTransactionRecord, PartitionChangeRecord, PartitionRecord, ProducerIdsRecord,
        RegisterBrokerRecord,
    };
    use crate::record::uuid::Uuid;

    fn register(id: i32, fenced: bool) -> MetadataRecord {
        RegisterBrokerRecord {
            broker_id: id,
            fenced,
            ..Default::default()
        }
        .into()
    }

    fn fencing(id: i32, fenced: i8) -> MetadataRecord {
        BrokerRegistrationChangeRecord {
            broker_id: id,
            fenced,
            ..Default::default()
        }
        .into()
    }

    fn change(topic: Uuid, isr: Option<Vec<i32>>, leader: i32, lrs: i8) -> MetadataRecord {
        PartitionChangeRecord {
            topic_id: topic,
            partition_id: 0,
            isr,
            leader,
            leader_recovery_state: lrs,
            ..Default::default()
        }
        .into()
    }

    #[test]
    fn a_broker_came_up_when_last_registered_or_unfenced() {
        let mut f = Folder::default();
        // Kafka's and filka's way: registered fenced, then unfenced.
        f.feed(10, 1, register(101, true));
        f.feed(11, 1, fencing(101, -1));
        // Unfenced again while up, or a change of something else: nothing starts.
        f.feed(12, 1, fencing(101, -1));
        f.feed(13, 1, fencing(101, 0));
        // Registered unfenced at once (an older Kafka); registered and never unfenced.
        f.feed(20, 1, register(102, false));
        f.feed(21, 1, register(103, true));
        let facts = f.finish();
        assert_eq!(facts.broker_up_ms, [(101, 11), (102, 20), (103, 21)].into());

        let mut f = Folder::default();
        f.feed(10, 1, register(101, false));
        f.feed(11, 1, fencing(101, 1));
        f.feed(12, 1, register(102, false));
        // A new registration is a new session, even of a broker that was up.
        f.feed(15, 1, register(102, false));
        // Fenced, the time it came up stays; unfenced, it came up again.
        assert_eq!(f.facts.broker_up_ms[&101], 10);
        f.feed(16, 1, fencing(101, -1));
        assert_eq!(f.finish().broker_up_ms, [(101, 16), (102, 15)].into());
    }

    #[test]
    fn a_partition_keeps_the_epoch_of_its_last_leader_or_isr_change() {
        let t = Uuid::from_base64("MKXx1fIkQy2J9jXHhK8m1w").unwrap();
        let key = || ("MKXx1fIkQy2J9jXHhK8m1w".to_string(), 0);
        let mut f = Folder::default();
        f.feed(
            1,
            1,
            PartitionRecord {
                topic_id: t,
                partition_id: 0,
                leader_recovery_state: 0,
                ..Default::default()
            }
            .into(),
        );
        // An unclean election in epoch 2 leaves the leader recovering...
        f.feed(2, 2, change(t, Some(vec![103]), 103, 1));
        // ...a change of directories only (no leader, no ISR) writes no state in epoch 3...
        f.feed(3, 3, change(t, None, NO_LEADER_CHANGE, -1));
        let facts = f.finish();
        assert_eq!(
            facts.partitions[&key()],
            PartitionFacts {
                epoch: 2,
                leader_recovery_state: 1
            }
        );
        // ...an ISR change in epoch 4 keeps it recovering, until a record says recovered.
        let mut f = Folder {
            facts,
            ..Folder::default()
        };
        f.feed(4, 4, change(t, Some(vec![103, 101]), NO_LEADER_CHANGE, -1));
        assert_eq!(
            f.facts.partitions[&key()],
            PartitionFacts {
                epoch: 4,
                leader_recovery_state: 1
            }
        );
        f.feed(5, 5, change(t, None, NO_LEADER_CHANGE, 0));
        assert_eq!(
            f.facts.partitions[&key()],
            PartitionFacts {
                epoch: 5,
                leader_recovery_state: 0
            }
        );
    }

    #[test]
    fn an_aborted_change_counts_for_nothing_and_an_ended_one_counts() {
        let mut f = Folder::default();
        f.feed(1, 1, BeginTransactionRecord::default().into());
        f.feed(2, 1, register(101, false));
        f.feed(3, 1, AbortTransactionRecord::default().into());
        f.feed(4, 1, BeginTransactionRecord::default().into());
        f.feed(5, 1, register(102, false));
        f.feed(
            6,
            1,
            ProducerIdsRecord {
                broker_id: 102,
                ..Default::default()
            }
            .into(),
        );
        assert!(f.facts.broker_up_ms.is_empty(), "open: not yet");
        f.feed(7, 1, EndTransactionRecord::default().into());
        let facts = f.finish();
        // The records of the change keep their own times.
        assert_eq!(facts.broker_up_ms, [(102, 5)].into());
        assert_eq!(facts.producer_ids_broker, Some(102));
    }

    /// A real Kafka 4.4 node's metadata log (fixtures/apache-kafka/kraft-metadata/).
    const KAFKA_LOG: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/apache-kafka/kraft-metadata/__cluster_metadata-0"
    );

    #[test]
    fn the_facts_of_a_real_kafka_metadata_log() {
        let facts = read(Path::new(KAFKA_LOG), 61, 61).unwrap();
        assert_eq!(
            facts.first,
            Some(FirstRecord {
                offset: 0,
                timestamp: 1796523858931,
                epoch: 1
            })
        );
        assert_eq!(
            facts.elections,
            [(
                1,
                Election {
                    leader: 101,
                    timestamp: 1796523858931
                }
            )]
            .into()
        );
        // Registered at offset 12 and unfenced at 14; its controlled shutdown at 57 fences
        // nothing, and its fencing at 60 keeps that time.
        assert_eq!(facts.broker_up_ms, [(101, 1796523860026)].into());
        // fixture-a's two partitions (last changed at 58 and 59, in epoch 1); fixture-b
        // was deleted.
        let a = "fp6hAZ1yToyJaPL19qZT2w".to_string();
        let one = PartitionFacts {
            epoch: 1,
            leader_recovery_state: 0,
        };
        assert_eq!(
            facts.partitions,
            [((a.clone(), 0), one), ((a, 1), one)].into()
        );
        assert_eq!(facts.producer_ids_broker, None);

        // Committed up to offset 14 only: the unfencing does not count yet, the
        // registration does; the election (a control record) counts at any offset.
        let early = read(Path::new(KAFKA_LOG), 14, 61).unwrap();
        assert_eq!(early.broker_up_ms, [(101, 1796523859723)].into());
        assert!(early.partitions.is_empty());
        assert_eq!(early.elections, facts.elections);
    }
}
