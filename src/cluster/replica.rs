//! A partition's replicas on disk as readers see them, without locks: per replica log
//! start, log end and size, and the partition's high watermark (the smallest log end
//! offset in the ISR) that consumers and `describe` use. Writing is in [`super::writer`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::log::checkpoint;
use crate::log::{self, LogReader, names};

use super::{Cluster, ClusterError, Layout, io_err};

/// Creates a replica's folder with `partition.metadata`, an empty
/// `leader-epoch-checkpoint` and an empty active segment at offset 0 if it does not exist
/// yet. Returns the folder.
pub fn ensure_replica_dir(
    layout: &Layout,
    topic: &str,
    topic_id: &str,
    partition: u32,
    broker: i32,
) -> Result<PathBuf, ClusterError> {
    ensure_replica_dir_at(layout, topic, topic_id, partition, broker, None)
}

/// [`ensure_replica_dir`] for a brand-new partition whose first batch will be written in
/// `epoch` at offset 0: the leader-epoch history starts with that entry now, while the disk
/// is quiet, instead of with an fsync in the middle of the first append.
pub fn ensure_replica_dir_at(
    layout: &Layout,
    topic: &str,
    topic_id: &str,
    partition: u32,
    broker: i32,
    epoch: Option<i32>,
) -> Result<PathBuf, ClusterError> {
    let dir = layout.replica_dir(broker, topic, partition);
    let meta = dir.join(names::PARTITION_METADATA);
    // partition.metadata is written last: a readable one means the folder is complete. (Its
    // files are written without fsync, so after a power loss it may be empty: then the
    // folder is completed again.)
    if matches!(checkpoint::read_partition_metadata(&meta), Ok(Some(_))) {
        return Ok(dir);
    }
    log::io::create_dir_all(&dir).map_err(io_err(&dir))?;
    // Kafka creates the empty active segment with the replica. Only in a folder with no
    // segment yet: one copied in without partition.metadata keeps its own.
    if LogReader::open(&dir)?.segment_bases().is_empty() {
        log::segment::create_empty(&dir, 0)?;
    }
    let epochs = dir.join(names::LEADER_EPOCH_CHECKPOINT);
    if checkpoint::read_epochs(&epochs).is_err() || !epochs.exists() {
        let first: Vec<checkpoint::EpochEntry> = epoch
            .map(|epoch| checkpoint::EpochEntry {
                epoch,
                start_offset: 0,
            })
            .into_iter()
            .collect();
        checkpoint::write_new_replica_file(&epochs, &checkpoint::format_epochs(&first))?;
    }
    if let Some(id) = checkpoint::Uuid::from_base64(topic_id) {
        checkpoint::write_new_replica_file(&meta, &checkpoint::format_partition_metadata(id))?;
    }
    Ok(dir)
}

/// Reads one entry of a broker checkpoint file.
fn checkpoint_entry(
    layout: &Layout,
    broker: i32,
    file: &str,
    topic: &str,
    partition: u32,
) -> Result<Option<i64>, ClusterError> {
    Ok(checkpoint::read_offset(
        &layout.broker_checkpoint(broker, file),
        topic,
        partition,
    )?)
}

/// What one replica holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReplicaInfo {
    /// Broker id.
    pub broker: i32,
    /// First readable offset.
    pub log_start_offset: i64,
    /// Offset the next record would get.
    pub log_end_offset: i64,
    /// Bytes of segment data.
    pub size: u64,
}

/// Reads what a replica's folder holds, without locks. A replica whose folder does not
/// exist yet is empty.
pub fn replica_info(
    layout: &Layout,
    topic: &str,
    partition: u32,
    broker: i32,
) -> Result<ReplicaInfo, ClusterError> {
    replica_info_and_reader(layout, topic, partition, broker).map(|(info, _)| info)
}

/// [`replica_info`] with the reader it used (`None` for a folder not made yet).
fn replica_info_and_reader(
    layout: &Layout,
    topic: &str,
    partition: u32,
    broker: i32,
) -> Result<(ReplicaInfo, Option<LogReader>), ClusterError> {
    let dir = layout.replica_dir(broker, topic, partition);
    if !dir.exists() {
        if folder_lost(layout, topic, partition, broker)? {
            return Err(ClusterError::ReplicaDamaged {
                topic: topic.to_string(),
                partition,
                broker,
                reason: format!("its folder {} is missing", dir.display()),
            });
        }
        return Ok((
            ReplicaInfo {
                broker,
                log_start_offset: 0,
                log_end_offset: 0,
                size: 0,
            },
            None,
        ));
    }
    let reader = LogReader::open(&dir)?;
    let lso = checkpoint_entry(
        layout,
        broker,
        names::LOG_START_OFFSET_CHECKPOINT,
        topic,
        partition,
    )?
    .unwrap_or(0)
    .max(reader.first_offset());
    let leo = reader.log_end_offset()?;
    let size = reader.size_bytes();
    Ok((
        ReplicaInfo {
            broker,
            log_start_offset: lso.min(leo),
            log_end_offset: leo,
            size,
        },
        Some(reader),
    ))
}

/// A partition as consumers see it: the leader's log up to the high watermark.
#[derive(Debug, Clone)]
pub struct PartitionView {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: u32,
    /// Leader broker.
    pub leader: i32,
    /// Leader epoch.
    pub leader_epoch: i32,
    /// First readable offset (the leader's).
    pub log_start_offset: i64,
    /// The smallest log end offset among the in-sync replicas, never below what a writer of
    /// this leader epoch reached (Kafka's leader keeps it from moving back), never past the
    /// leader's log end: what consumers may read.
    pub high_watermark: i64,
    /// The leader's log end offset.
    pub log_end_offset: i64,
    /// Per replica, in replica order.
    pub replicas: Vec<ReplicaInfo>,
}

impl PartitionView {
    /// Reads the partition's replicas now. Each replica's log start is where the last
    /// retention check left it ([`super::retention`]), deleted or not yet.
    pub fn read(cluster: &Cluster, topic: &str, partition: u32) -> Result<Self, ClusterError> {
        let p = cluster.partition(topic, partition)?;
        let layout = cluster.layout();
        let mut replicas = Vec::with_capacity(p.replicas.len());
        let mut readers = Vec::with_capacity(p.replicas.len());
        for &b in &p.replicas {
            match replica_info_and_reader(layout, topic, partition, b) {
                Ok((info, reader)) => {
                    replicas.push(info);
                    readers.push(reader);
                }
                // Only the leader's log must be readable: a damaged follower shows as
                // unknown (-1) and counts for nothing until it is repaired.
                Err(_) if b != p.leader => {
                    replicas.push(ReplicaInfo {
                        broker: b,
                        log_start_offset: -1,
                        log_end_offset: -1,
                        size: 0,
                    });
                    readers.push(None);
                }
                Err(e) => return Err(e),
            }
        }
        let leo = replicas
            .iter()
            .find(|r| r.broker == p.leader)
            .map_or(0, |l| l.log_end_offset);
        let hw = replicas
            .iter()
            .filter(|r| {
                p.isr.contains(&r.broker)
                    && p.replica_up(cluster.state(), r.broker)
                    && r.log_end_offset >= 0
            })
            .map(|r| r.log_end_offset)
            .min()
            .unwrap_or(leo);
        // Never below what a writer of this leader epoch reached (metadata read before an
        // ISR shrink would count a follower that no longer holds it back), never past the
        // leader's log.
        let floor = super::writer::recorded_high_watermark(layout, topic, partition)
            .filter(|&(_, epoch)| epoch == p.leader_epoch)
            .map_or(hw, |(at, _)| at);
        let hw = hw.max(floor).min(leo);
        let cfg = cluster.topic_config(topic)?;
        let settings = cluster.settings();
        for (r, reader) in replicas.iter_mut().zip(&readers) {
            if let Some(reader) = reader
                && r.log_end_offset >= 0
            {
                (r.log_start_offset, r.size) = super::retention::visible_log_start(
                    reader,
                    &cfg,
                    &settings,
                    (r.log_start_offset, r.log_end_offset, r.size),
                    hw,
                )?;
            }
        }
        let lso = replicas
            .iter()
            .find(|r| r.broker == p.leader)
            .map_or(0, |l| l.log_start_offset);
        Ok(PartitionView {
            topic: topic.to_string(),
            partition,
            leader: p.leader,
            leader_epoch: p.leader_epoch,
            log_start_offset: lso,
            high_watermark: hw.max(lso),
            log_end_offset: leo,
            replicas,
        })
    }

    /// The leader's log, for reading. Errors when the partition has no live leader.
    pub fn leader_reader(&self, cluster: &Cluster) -> Result<LogReader, ClusterError> {
        let up = cluster
            .partition(&self.topic, self.partition)
            .is_ok_and(|p| p.replica_up(cluster.state(), self.leader));
        if self.leader < 0 || !up {
            return Err(ClusterError::Offline {
                topic: self.topic.clone(),
                partition: self.partition,
            });
        }
        let layout = cluster.layout();
        let dir = layout.replica_dir(self.leader, &self.topic, self.partition);
        if !dir.exists() {
            // A folder that existed and is gone is the leader's damage; one not made yet (a
            // topic created a moment ago) is made, empty, as its creator would.
            if folder_lost(layout, &self.topic, self.partition, self.leader)? {
                return Err(ClusterError::ReplicaDamaged {
                    topic: self.topic.clone(),
                    partition: self.partition,
                    broker: self.leader,
                    reason: format!("its folder {} is missing", dir.display()),
                });
            }
            log::io::create_dir_all(&dir).map_err(io_err(&dir))?;
        }
        LogReader::open(&dir).map_err(|e| {
            if e.is_damage() {
                ClusterError::ReplicaDamaged {
                    topic: self.topic.clone(),
                    partition: self.partition,
                    broker: self.leader,
                    reason: e.to_string(),
                }
            } else {
                e.into()
            }
        })
    }
}

/// Whether `broker`'s replica folder of the partition is gone although it existed: the
/// broker's recovery-point checkpoint names the partition (it is written when the replica
/// is made), so a missing folder was removed (a disk replaced, a folder deleted), rather
/// than not made yet.
pub fn folder_lost(
    layout: &Layout,
    topic: &str,
    partition: u32,
    broker: i32,
) -> Result<bool, ClusterError> {
    if layout.replica_dir(broker, topic, partition).exists() {
        return Ok(false);
    }
    Ok(checkpoint_entry(
        layout,
        broker,
        names::RECOVERY_POINT_CHECKPOINT,
        topic,
        partition,
    )?
    .is_some())
}

/// High watermarks of every partition of a topic, by partition.
pub fn high_watermarks(cluster: &Cluster, topic: &str) -> Result<BTreeMap<u32, i64>, ClusterError> {
    let t = cluster.topic(topic)?;
    let mut out = BTreeMap::new();
    for p in &t.partitions {
        out.insert(
            p.partition,
            PartitionView::read(cluster, topic, p.partition)?.high_watermark,
        );
    }
    Ok(out)
}
