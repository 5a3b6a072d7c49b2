//! A partition's replicas on disk: appending to the leader and copying to the followers
//! under the partition lock, flushing and checkpointing, and the read-side view consumers
//! and `describe` use (log start, high watermark, log end, per replica).
//!
//! ## The partition lock protocol
//!
//! Appends to a partition (all its replicas) are serialized by an exclusive flock on
//! `locks/<topic>-<p>.lock`. The lock file also holds a 9-byte record: a counter bumped by
//! every writer and a "clean" flag. A writer sets `clean = 0` before touching any replica
//! and `clean = 1` after its append is complete. So the next holder knows:
//! - the counter is what it last wrote: nobody else appended, its open logs are current;
//! - the counter changed and `clean = 1`: reopen the logs, trusting their tails;
//! - `clean = 0`: the last writer died mid-append (SIGKILL): reopen with full recovery
//!   from the recovery point, which cuts whatever it left half-written.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::PathBuf;

use crate::log::checkpoint::{self, EpochEntry};
use crate::log::{self, AppendInfo, LogReader, OpenHints, PartitionLog, names};

use super::lock::FileLock;
use super::metadata::{PartitionState, TopicState};
use super::topic::TopicConfig;
use super::{Cluster, ClusterError, Layout, now_ms};

/// How many replicas must have a batch before it is acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acks {
    /// Do not wait; report no offsets.
    None,
    /// The leader's append.
    Leader,
    /// Every in-sync replica (refused when the ISR is below `min.insync.replicas`).
    All,
}

/// The record kept in a partition's lock file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Token {
    counter: u64,
    clean: bool,
}

fn read_token(f: &File) -> Token {
    let mut b = [0u8; 9];
    match log::io::read_at(f, &mut b, 0) {
        Ok(9) => Token {
            counter: u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            clean: b[8] == 1,
        },
        // A new lock file: nobody ever wrote, so nothing can be half-written.
        _ => Token {
            counter: 0,
            clean: true,
        },
    }
}

fn write_token(lock: &FileLock, t: Token) -> Result<(), ClusterError> {
    let mut b = [0u8; 9];
    b[..8].copy_from_slice(&t.counter.to_le_bytes());
    b[8] = u8::from(t.clean);
    log::io::write_at(lock.file(), &b, 0).map_err(|source| ClusterError::Io {
        path: lock.path().to_path_buf(),
        source,
    })
}

/// One replica's open log and its leader-epoch history.
#[derive(Debug)]
struct Replica {
    broker: i32,
    log: PartitionLog,
    epochs: Vec<EpochEntry>,
    epochs_path: PathBuf,
}

impl Replica {
    /// Records the start of `epoch` at the log end if the history does not have it yet
    /// (Kafka's leader epoch cache), before the first batch of that epoch is written.
    fn note_epoch(&mut self, epoch: i32) -> Result<(), ClusterError> {
        if self.epochs.last().is_some_and(|e| e.epoch >= epoch) {
            return Ok(());
        }
        self.epochs.push(EpochEntry {
            epoch,
            start_offset: self.log.log_end_offset(),
        });
        checkpoint::write_epochs(&self.epochs_path, &self.epochs)?;
        Ok(())
    }
}

/// Creates a replica's folder with `partition.metadata` and an empty
/// `leader-epoch-checkpoint` if it does not exist yet. Returns the folder.
pub fn ensure_replica_dir(
    layout: &Layout,
    topic: &str,
    topic_id: &str,
    partition: u32,
    broker: i32,
) -> Result<PathBuf, ClusterError> {
    let dir = layout.replica_dir(broker, topic, partition);
    let meta = dir.join(names::PARTITION_METADATA);
    if meta.exists() {
        return Ok(dir);
    }
    log::io::create_dir_all(&dir).map_err(|source| ClusterError::Io {
        path: dir.clone(),
        source,
    })?;
    let epochs = dir.join(names::LEADER_EPOCH_CHECKPOINT);
    if !epochs.exists() {
        checkpoint::write_epochs(&epochs, &[])?;
    }
    if let Some(id) = checkpoint::Uuid::from_base64(topic_id) {
        checkpoint::write_partition_metadata(&meta, id)?;
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
    let map = checkpoint::read_offsets(&layout.broker_checkpoint(broker, file))?;
    Ok(map.get(&(topic.to_string(), partition)).copied())
}

/// Appends to one partition: the leader, then every in-sync follower on an online broker.
#[derive(Debug)]
pub struct PartitionWriter {
    layout: Layout,
    topic: String,
    topic_state: TopicState,
    state: PartitionState,
    online: Vec<i32>,
    cfg: TopicConfig,
    replicas: Vec<Replica>,
    seen: Option<u64>,
    appended: bool,
}

impl PartitionWriter {
    /// A writer for `topic`-`partition` as the cluster's metadata describes it now.
    pub fn new(cluster: &Cluster, topic: &str, partition: u32) -> Result<Self, ClusterError> {
        let t = cluster.topic(topic)?.clone();
        let state = cluster.partition(topic, partition)?.clone();
        let cfg = TopicConfig::resolve(&t.configs)?;
        let online = state
            .replicas
            .iter()
            .copied()
            .filter(|&b| cluster.state().is_online(b))
            .collect();
        Ok(PartitionWriter {
            layout: cluster.layout().clone(),
            topic: topic.to_string(),
            topic_state: t,
            state,
            online,
            cfg,
            replicas: Vec::new(),
            seen: None,
            appended: false,
        })
    }

    /// The partition number.
    pub fn partition(&self) -> u32 {
        self.state.partition
    }

    /// The topic's resolved config.
    pub fn config(&self) -> &TopicConfig {
        &self.cfg
    }

    /// The replicas written: the leader first, then in-sync followers on online brokers.
    fn targets(&self) -> Vec<i32> {
        let mut v = vec![self.state.leader];
        v.extend(self.state.replicas.iter().copied().filter(|&b| {
            b != self.state.leader && self.online.contains(&b) && self.state.isr.contains(&b)
        }));
        v
    }

    fn open_replicas(&mut self, trusted: bool) -> Result<(), ClusterError> {
        self.replicas.clear();
        for broker in self.targets() {
            let dir = ensure_replica_dir(
                &self.layout,
                &self.topic,
                &self.topic_state.topic_id,
                self.state.partition,
                broker,
            )?;
            let rp = checkpoint_entry(
                &self.layout,
                broker,
                names::RECOVERY_POINT_CHECKPOINT,
                &self.topic,
                self.state.partition,
            )?;
            let lso = checkpoint_entry(
                &self.layout,
                broker,
                names::LOG_START_OFFSET_CHECKPOINT,
                &self.topic,
                self.state.partition,
            )?;
            let (log, _report) = PartitionLog::open(
                &dir,
                self.cfg.log_config(),
                OpenHints {
                    recovery_point: rp.unwrap_or(0),
                    log_start_offset: lso.unwrap_or(0),
                    trusted_tail: trusted,
                },
            )?;
            let epochs_path = dir.join(names::LEADER_EPOCH_CHECKPOINT);
            let epochs = checkpoint::read_epochs(&epochs_path)?;
            self.replicas.push(Replica {
                broker,
                log,
                epochs,
                epochs_path,
            });
        }
        Ok(())
    }

    /// Takes the partition lock and makes sure the open logs are current.
    fn lock(&mut self) -> Result<(FileLock, Token), ClusterError> {
        if self.state.leader < 0 || !self.online.contains(&self.state.leader) {
            return Err(ClusterError::Offline {
                topic: self.topic.clone(),
                partition: self.state.partition,
            });
        }
        let lock = FileLock::exclusive(
            &self
                .layout
                .partition_lock(&self.topic, self.state.partition),
        )?;
        let token = read_token(lock.file());
        if self.seen != Some(token.counter) || self.replicas.is_empty() {
            self.open_replicas(token.clean)?;
        }
        Ok((lock, token))
    }

    /// Appends one batch (built with base offset 0) to the leader, stamping offsets and the
    /// leader epoch, then copies the stamped batch to every in-sync follower. Returns the
    /// offsets once every replica written has it.
    pub fn append(&mut self, batch: &mut [u8], acks: Acks) -> Result<AppendInfo, ClusterError> {
        let isr = self.targets().len();
        if acks == Acks::All && isr < self.cfg.min_insync_replicas as usize {
            return Err(ClusterError::NotEnoughReplicas {
                topic: self.topic.clone(),
                partition: self.state.partition,
                isr,
                min: self.cfg.min_insync_replicas,
            });
        }
        let (lock, token) = self.lock()?;
        let next = Token {
            counter: token.counter.wrapping_add(1),
            clean: false,
        };
        write_token(&lock, next)?;
        // Cheap when nothing is missing: it compares log end offsets held in memory.
        self.catch_up_followers()?;
        let epoch = self.state.leader_epoch;
        let now = now_ms();
        let (leader, followers) = self
            .replicas
            .split_first_mut()
            .ok_or_else(|| ClusterError::Invalid("partition has no replicas".into()))?;
        leader.note_epoch(epoch)?;
        let info = leader.log.append(batch, epoch, now)?;
        for f in followers {
            f.note_epoch(epoch)?;
            f.log.append_as_follower(batch)?;
        }
        write_token(
            &lock,
            Token {
                counter: next.counter,
                clean: true,
            },
        )?;
        self.seen = Some(next.counter);
        self.appended = true;
        Ok(info)
    }

    /// Copies to each in-sync follower the batches the leader has and it lacks, as Kafka's
    /// followers fetch them. A writer killed between the leader's append and the followers'
    /// leaves them behind; without this the next append would find the follower's log end
    /// short of the batch's base offset.
    fn catch_up_followers(&mut self) -> Result<(), ClusterError> {
        let (leader, followers) = self
            .replicas
            .split_first_mut()
            .ok_or_else(|| ClusterError::Invalid("partition has no replicas".into()))?;
        let leo = leader.log.log_end_offset();
        if followers.iter().all(|f| f.log.log_end_offset() >= leo) {
            return Ok(());
        }
        let reader = LogReader::open(leader.log.dir())?;
        for f in followers {
            let from = f.log.log_end_offset();
            if from >= leo {
                continue;
            }
            let mut cursor = reader.cursor(from)?;
            while let Some(batch) = cursor.next_batch(leo)? {
                let h = *batch.header();
                if h.next_offset() <= from {
                    continue;
                }
                f.note_epoch(h.partition_leader_epoch)?;
                f.log.append_as_follower(batch.bytes())?;
            }
        }
        Ok(())
    }

    /// Flushes every replica written (fsync), applies retention, and records recovery
    /// points, high watermark and log start offsets in the brokers' checkpoint files.
    /// Does nothing when this writer appended nothing.
    pub fn close(&mut self) -> Result<(), ClusterError> {
        if !self.appended {
            return Ok(());
        }
        let (lock, token) = self.lock()?;
        let hw = self
            .replicas
            .iter()
            .map(|r| r.log.log_end_offset())
            .min()
            .unwrap_or(0);
        let now = now_ms();
        let tp = (self.topic.clone(), self.state.partition);
        for r in &mut self.replicas {
            let rp = r.log.flush()?;
            r.log.apply_retention(now, hw)?;
            let lso = r.log.log_start_offset();
            let first = r.log.segment_bases()[0];
            let _broker = FileLock::exclusive(&self.layout.broker_lock(r.broker))?;
            update_checkpoint(
                &self.layout,
                r.broker,
                names::RECOVERY_POINT_CHECKPOINT,
                &tp,
                Some(rp),
            )?;
            update_checkpoint(
                &self.layout,
                r.broker,
                names::REPLICATION_OFFSET_CHECKPOINT,
                &tp,
                Some(hw),
            )?;
            update_checkpoint(
                &self.layout,
                r.broker,
                names::LOG_START_OFFSET_CHECKPOINT,
                &tp,
                (lso > first).then_some(lso),
            )?;
        }
        self.seen = Some(token.counter);
        drop(lock);
        self.appended = false;
        Ok(())
    }
}

/// Sets (or removes, with `None`) one entry of a broker checkpoint file.
fn update_checkpoint(
    layout: &Layout,
    broker: i32,
    file: &str,
    tp: &(String, u32),
    value: Option<i64>,
) -> Result<(), ClusterError> {
    let path = layout.broker_checkpoint(broker, file);
    let mut map = checkpoint::read_offsets(&path)?;
    let old = map.get(tp).copied();
    if old == value {
        return Ok(());
    }
    match value {
        Some(v) => map.insert(tp.clone(), v),
        None => map.remove(tp),
    };
    checkpoint::write_offsets(&path, &map)?;
    Ok(())
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
    let dir = layout.replica_dir(broker, topic, partition);
    if !dir.exists() {
        return Ok(ReplicaInfo {
            broker,
            log_start_offset: 0,
            log_end_offset: 0,
            size: 0,
        });
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
    Ok(ReplicaInfo {
        broker,
        log_start_offset: lso.min(leo),
        log_end_offset: leo,
        size: reader.size_bytes(),
    })
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
    /// The smallest log end offset among the in-sync replicas: what consumers may read.
    pub high_watermark: i64,
    /// The leader's log end offset.
    pub log_end_offset: i64,
    /// Per replica, in replica order.
    pub replicas: Vec<ReplicaInfo>,
}

impl PartitionView {
    /// Reads the partition's replicas now.
    pub fn read(cluster: &Cluster, topic: &str, partition: u32) -> Result<Self, ClusterError> {
        let p = cluster.partition(topic, partition)?;
        let layout = cluster.layout();
        let mut replicas = Vec::with_capacity(p.replicas.len());
        for &b in &p.replicas {
            replicas.push(replica_info(layout, topic, partition, b)?);
        }
        let leader = replicas.iter().find(|r| r.broker == p.leader).cloned();
        let (lso, leo) = leader
            .as_ref()
            .map_or((0, 0), |l| (l.log_start_offset, l.log_end_offset));
        let hw = replicas
            .iter()
            .filter(|r| p.isr.contains(&r.broker) && cluster.state().is_online(r.broker))
            .map(|r| r.log_end_offset)
            .min()
            .unwrap_or(leo)
            .min(leo);
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
        if self.leader < 0 || !cluster.state().is_online(self.leader) {
            return Err(ClusterError::Offline {
                topic: self.topic.clone(),
                partition: self.partition,
            });
        }
        let dir = cluster
            .layout()
            .replica_dir(self.leader, &self.topic, self.partition);
        if !dir.exists() {
            log::io::create_dir_all(&dir).map_err(|source| ClusterError::Io {
                path: dir.clone(),
                source,
            })?;
        }
        Ok(LogReader::open(&dir)?)
    }
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
