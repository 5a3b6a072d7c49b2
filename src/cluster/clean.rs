//! The log cleaner's work, as a Kafka broker's background threads do it, for `filka clean`
//! and (retention part) for every writer's checkpoint.
//!
//! Per replica, under the partition lock the writer takes ([`super::writer`]): retention at
//! the last retention check ([`super::retention`] explains the schedule), removal of the
//! `.deleted` files older than `log.segment.delete.delay.ms`, and compaction when the
//! topic's `cleanup.policy` includes `compact`. Each replica is handled in its own broker
//! folder, as each Kafka broker runs its own cleaner; a replica on a broker that is down is
//! skipped, as a stopped broker does nothing.

use std::collections::BTreeMap;

use crate::log::cleaner;
use crate::log::partition::{RemovedFiles, remove_deleted_files};
use crate::log::retention::RetentionLimits;
use crate::log::{LogError, PartitionLog, RetentionReport};

use super::settings::ClusterSettings;
use super::topic::{CleanupPolicy, TopicConfig};
use super::writer::{PartitionWriter, write_checkpoints};
use super::{Cluster, ClusterError, retention};

/// What the cleaner did to one replica.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaCleaned {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: u32,
    /// The broker whose folder holds the replica.
    pub broker: i32,
    /// Base offsets of the segments retention deleted now (renamed to `.deleted`).
    pub deleted_segments: Vec<i64>,
    /// Bytes of those segments.
    pub deleted_segment_bytes: u64,
    /// `.deleted` files removed (their delay had passed).
    pub files_removed: u64,
    /// Bytes those files held: disk space given back.
    pub bytes_freed: u64,
    /// The log start offset after.
    pub log_start_offset: i64,
    /// Compaction: `None` when the topic's cleanup.policy has no `compact`.
    pub compaction: Option<Compaction>,
}

/// What compaction found and did on one replica.
#[derive(Debug, Clone, PartialEq)]
pub struct Compaction {
    /// The dirty ratio before (Kafka's `cleanableRatio`: bytes from the first dirty offset
    /// to the first uncleanable one, over the log's bytes below that).
    pub dirty_ratio: f64,
    /// The clean, `None` when the log was not due (ratio at most
    /// `min.cleanable.dirty.ratio`, no segment past `max.compaction.lag.ms`).
    pub report: Option<cleaner::CleanReport>,
}

/// A partition the cleaner worked on, and the replicas it left alone.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionCleaned {
    /// The replicas cleaned.
    pub replicas: Vec<ReplicaCleaned>,
    /// (broker, why) of each replica skipped.
    pub skipped: Vec<(i32, String)>,
}

/// Retention at the last retention check before `now`, never past `high_watermark`, then
/// the removal of `.deleted` files past `log.segment.delete.delay.ms`. What every writer's
/// checkpoint does; `filka clean` does it through [`clean_replica`].
pub fn retention_pass(
    log: &mut PartitionLog,
    settings: &ClusterSettings,
    high_watermark: i64,
    now: i64,
) -> Result<(RetentionReport, RemovedFiles), LogError> {
    let report = log.apply_retention(settings.last_retention_check(now), high_watermark)?;
    let removed = remove_deleted_files(log.dir(), now, settings.segment_delete_delay_ms)?;
    Ok((report, removed))
}

/// The cleaner's whole work on one replica's log (open under the partition lock): the
/// retention pass, then compaction when the topic asks for it.
pub fn clean_replica(
    log: &mut PartitionLog,
    cfg: &TopicConfig,
    settings: &ClusterSettings,
    (topic, partition, broker): (&str, u32, i32),
    high_watermark: i64,
    now: i64,
) -> Result<ReplicaCleaned, LogError> {
    let (report, removed) = retention_pass(log, settings, high_watermark, now)?;
    let compacted = match cfg.cleanup_policy {
        CleanupPolicy::Delete => None,
        CleanupPolicy::Compact | CleanupPolicy::CompactDelete => {
            Some(compact(log, cfg, settings, high_watermark, now)?)
        }
    };
    Ok(ReplicaCleaned {
        topic: topic.to_string(),
        partition,
        broker,
        deleted_segments: report.deleted_segments,
        deleted_segment_bytes: report.bytes,
        files_removed: removed.files,
        bytes_freed: removed.bytes,
        log_start_offset: log.log_start_offset(),
        compaction: compacted,
    })
}

/// Kafka's LogCleaner on one replica's log: cleaned when its dirty ratio passes
/// `min.cleanable.dirty.ratio` or a segment is past `max.compaction.lag.ms`
/// ([`cleaner::cleanable`]'s `due`), in as many rounds as the offset map needs. Returns
/// what it did, `None` when the log was not due.
fn compact(
    log: &mut PartitionLog,
    cfg: &TopicConfig,
    settings: &ClusterSettings,
    high_watermark: i64,
    now: i64,
) -> Result<Compaction, LogError> {
    let clean_cfg = cleaner::CleanConfig {
        dedupe_buffer_bytes: usize::try_from(settings.cleaner_dedupe_buffer_size)
            .unwrap_or(usize::MAX),
        load_factor: settings.cleaner_io_buffer_load_factor,
        ..cfg.clean_config()
    };
    let before = cleaner::cleanable(log, &clean_cfg, high_watermark, now)?;
    let report = if before.due {
        Some(cleaner::clean(log, &clean_cfg, high_watermark, now)?)
    } else {
        None
    };
    Ok(Compaction {
        dirty_ratio: before.dirty_ratio,
        report,
    })
}

/// Runs the cleaner on every replica of one partition that is on a live broker, under the
/// partition lock (so it never races a producer), and writes the brokers' checkpoints.
/// Replicas on brokers that are down or offline are listed as skipped; a partition with no
/// live leader is skipped whole (its high watermark, below which retention stays, is
/// unknown).
pub fn clean_partition(
    cluster: &Cluster,
    topic: &str,
    partition: u32,
    now: i64,
) -> Result<PartitionCleaned, ClusterError> {
    let p = cluster.partition(topic, partition)?;
    let state = cluster.state();
    let mut skipped: Vec<(i32, String)> = p
        .replicas
        .iter()
        .filter(|&&b| !p.replica_up(state, b))
        .map(|&b| {
            let why = if state.is_online(b) {
                "its replica is offline"
            } else {
                "the broker is down (a stopped broker cleans nothing)"
            };
            (b, why.to_string())
        })
        .collect();
    if p.leader < 0 || !p.replica_up(state, p.leader) {
        skipped = p
            .replicas
            .iter()
            .map(|&b| {
                let why = skipped
                    .iter()
                    .find(|s| s.0 == b)
                    .map_or("the partition has no live leader", |s| s.1.as_str());
                (b, why.to_string())
            })
            .collect();
        return Ok(PartitionCleaned {
            replicas: Vec::new(),
            skipped,
        });
    }
    let mut w = PartitionWriter::new(cluster, topic, partition)?;
    let (replicas, updates) = w.clean(now)?;
    write_checkpoints(cluster.layout(), &updates)?;
    Ok(PartitionCleaned { replicas, skipped })
}

/// Whether retention by `new` keeps longer (or more) than by `old`: what readers stopped
/// seeing under `old` could be served again.
pub fn keeps_longer(old: RetentionLimits, new: RetentionLimits) -> bool {
    let unlimited = |v: i64| if v < 0 { i64::MAX } else { v };
    unlimited(new.ms) > unlimited(old.ms) || unlimited(new.bytes) > unlimited(old.bytes)
}

/// The topics whose retention a change of the cluster-wide settings from `before` to
/// `after` lengthens (every topic with retention when the check interval changes: the last
/// check may then be earlier than before).
pub fn lengthened_by(
    cluster: &Cluster,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<String> {
    let interval =
        |m: &BTreeMap<String, String>| ClusterSettings::resolve(m).retention_check_interval_ms;
    let moved = interval(before) != interval(after);
    cluster
        .state()
        .topics
        .iter()
        .filter(|(_, t)| {
            let limits =
                |m| TopicConfig::resolve_with(m, &t.configs).map(|c| retention::limits(&c));
            match (limits(before), limits(after)) {
                (Ok(old), Ok(new)) => {
                    keeps_longer(old, new) || (moved && (old.ms >= 0 || old.bytes >= 0))
                }
                _ => false,
            }
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Deletes, in every partition of `topics`, what readers already no longer see (a writer's
/// retention pass, under each partition lock). Run before a change that makes retention
/// keep longer ([`keeps_longer`], [`lengthened_by`]): in Kafka what a retention check
/// deleted stays deleted whatever the settings become, while here the segments a reader
/// skips may still be on disk, and would be served again. Partitions with no live leader
/// are left alone (their readers see nothing either).
pub fn settle_retention(cluster: &Cluster, topics: &[String]) -> Result<(), ClusterError> {
    for name in topics {
        let Ok(t) = cluster.topic(name) else { continue };
        for p in 0..t.partitions.len() as u32 {
            let updates = PartitionWriter::new(cluster, name, p).and_then(|mut w| w.checkpoint());
            match updates {
                Ok(u) => write_checkpoints(cluster.layout(), &u)?,
                Err(ClusterError::Offline { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Where compaction stands on a partition's leader replica, for `describe topic`: read
/// without a lock, writing nothing.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct CompactionState {
    /// The leader's `cleaner-offset-checkpoint` entry: the offset its last clean reached
    /// (everything below is compacted), `None` before the first clean.
    pub cleaned_to: Option<i64>,
    /// Kafka's dirty ratio: bytes from the first dirty offset to the first uncleanable one
    /// (the active segment, the last stable offset, min.compaction.lag.ms), over the bytes
    /// below that. The cleaner compacts when it passes min.cleanable.dirty.ratio.
    pub dirty_ratio: f64,
    /// The cleaner would compact it now (the ratio, or a record past max.compaction.lag.ms).
    pub due: bool,
}

/// [`CompactionState`] of `view`'s leader replica, `None` when the topic is not compacted
/// or the partition has no leader.
pub fn compaction_state(
    cluster: &Cluster,
    view: &super::replica::PartitionView,
    cfg: &TopicConfig,
    now: i64,
) -> Result<Option<CompactionState>, ClusterError> {
    if cfg.cleanup_policy == CleanupPolicy::Delete || view.leader < 0 {
        return Ok(None);
    }
    let dir = cluster
        .layout()
        .replica_dir(view.leader, &view.topic, view.partition);
    let reader = crate::log::LogReader::open(&dir)?;
    let clean_cfg = cfg.clean_config();
    let c = cleaner::cleanable_read_only(
        &reader,
        Some(view.log_start_offset),
        &clean_cfg,
        view.high_watermark,
        now,
    )?;
    Ok(Some(CompactionState {
        cleaned_to: cleaner::read_checkpoint(&dir)?,
        dirty_ratio: c.dirty_ratio,
        due: c.due,
    }))
}
