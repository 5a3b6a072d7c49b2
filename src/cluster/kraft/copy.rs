//! One voter's copy of the metadata log, `broker-N/__cluster_metadata-0/`: a Kafka partition
//! folder (segments, `leader-epoch-checkpoint`, `partition.metadata`) with `quorum-state` and
//! snapshots beside the segments.
//!
//! Reading a copy's end takes no lock; everything that writes runs under the controller
//! lock, by [`super::raft`]. An append is fsynced before it counts, and can be taken back
//! whole ([`Mark`]) when the change does not reach a majority.
//!
//! Must not: take locks, or print.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use super::METADATA_TOPIC_ID;
use crate::cluster::quorum::{self, QuorumState, SnapshotId};
use crate::cluster::settings::MetadataLogSettings;
use crate::cluster::{ClusterError, epochs, io_err};
use crate::log::checkpoint::{self, EpochEntry};
use crate::log::producer_state::snapshot as producer_snapshot;
use crate::log::{self, LogConfig, LogReader, OpenHints, PartitionLog, names};

/// What a copy holds, read without a lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyState {
    /// The voter.
    pub voter: i32,
    /// Its folder.
    pub dir: PathBuf,
    /// The offset after its last complete batch (0 when the folder is missing).
    pub log_end: i64,
    /// The offset of its first batch.
    pub log_start: i64,
    /// Its leader-epoch history.
    pub epochs: Vec<EpochEntry>,
    /// Its `quorum-state`, when it has one.
    pub quorum: Option<QuorumState>,
}

impl CopyState {
    /// Reads the copy in `dir` of `voter`.
    pub fn read(voter: i32, dir: &Path) -> Result<CopyState, ClusterError> {
        let quorum = QuorumState::read(dir)?;
        let (log_end, log_start) = if dir.is_dir() {
            let r = LogReader::open(dir)?;
            (r.log_end_offset()?, r.first_offset())
        } else {
            (0, 0)
        };
        let epochs = checkpoint::read_epochs(&dir.join(names::LEADER_EPOCH_CHECKPOINT))?;
        Ok(CopyState {
            voter,
            dir: dir.to_path_buf(),
            log_end,
            log_start,
            epochs,
            quorum,
        })
    }

    /// The epoch of its last batch (0 for an empty copy).
    pub fn last_epoch(&self) -> i32 {
        self.epochs.last().map_or(0, |e| e.epoch)
    }
}

/// Creates an empty copy in `dir`: the folder, `partition.metadata`, `quorum-state`.
pub fn create(dir: &Path, quorum: &QuorumState) -> Result<(), ClusterError> {
    log::io::create_dir_all(dir).map_err(io_err(dir))?;
    checkpoint::write_partition_metadata(&dir.join(names::PARTITION_METADATA), METADATA_TOPIC_ID)?;
    quorum.write(dir)
}

/// The log config of a metadata copy: its segments roll at `metadata.log.segment.bytes`
/// or `metadata.log.segment.ms`; batches up to KRaft's largest (8 MiB); no retention of its
/// own (KafkaMetadataLog refuses any): what goes goes by [`clean`].
fn config(settings: &MetadataLogSettings) -> LogConfig {
    LogConfig {
        segment_bytes: settings.segment_bytes.max(1) as u64,
        segment_ms: settings.segment_ms,
        max_message_bytes: 8 << 20,
        retention_ms: -1,
        retention_bytes: -1,
        ..LogConfig::default()
    }
}

/// Opens a copy for writing (controller lock held): a torn tail a dead controller left is
/// cut (it was never counted: a batch counts once fsynced).
pub fn open(
    state: &CopyState,
    settings: &MetadataLogSettings,
) -> Result<PartitionLog, ClusterError> {
    let (log, _) = PartitionLog::open(
        &state.dir,
        config(settings),
        OpenHints {
            recovery_point: state.log_end,
            log_start_offset: state.log_start,
            trusted_tail: false,
            truncate_flushed: false,
            may_cut_tail: true,
        },
    )?;
    Ok(log)
}

/// Where a copy ended before an append: what taking the append back restores.
#[derive(Debug)]
pub struct Mark {
    dir: PathBuf,
    end: i64,
    active: i64,
    /// The active segment's `.index`, `.timeindex` and `.log` with their lengths, in the
    /// order they are cut back (index entries before the data they point at, as
    /// `Segment::truncate_to` does, so a reader that takes no lock never finds an entry
    /// past the end of the data).
    lens: Vec<(PathBuf, u64)>,
    epochs: Vec<EpochEntry>,
}

impl Mark {
    /// Marks where `log` ends, with its epoch history.
    pub fn take(log: &PartitionLog, epochs: &[EpochEntry]) -> Result<Mark, ClusterError> {
        let dir = log.dir().to_path_buf();
        let active = log.segment_bases().last().copied().unwrap_or(0);
        let mut lens = Vec::with_capacity(3);
        for suffix in [
            names::INDEX_SUFFIX,
            names::TIME_INDEX_SUFFIX,
            names::LOG_SUFFIX,
        ] {
            let p = names::segment_path(&dir, active, suffix);
            let len = std::fs::metadata(&p).map_err(io_err(&p))?.len();
            lens.push((p, len));
        }
        Ok(Mark {
            dir,
            end: log.log_end_offset(),
            active,
            lens,
            epochs: epochs.to_vec(),
        })
    }

    /// The log end at the mark.
    pub fn end(&self) -> i64 {
        self.end
    }

    /// Cuts the copy back to the mark, from the files themselves rather than from what the
    /// failed append believes it wrote (a write that failed may have landed in part):
    /// segments a roll started meanwhile go, with producer snapshots above the mark, then
    /// the active segment's files are cut to their old lengths and the `.log` is fsynced,
    /// and the epoch history is put back. Only removes and shrinks, so it works on a full
    /// disk.
    pub fn restore(&self) -> Result<(), ClusterError> {
        for base in log::partition::list_segments(&self.dir, false)? {
            if base > self.active {
                log::partition::delete_segment_files(&self.dir, base)?;
            }
        }
        for s in producer_snapshot::list_snapshots(&self.dir)? {
            if s > self.end {
                producer_snapshot::remove_snapshot(&self.dir, s)?;
            }
        }
        let mut data = None;
        for (path, len) in &self.lens {
            let f = log::io::open(path, OpenOptions::new().write(true)).map_err(io_err(path))?;
            log::io::set_len(&f, *len).map_err(io_err(path))?;
            data = Some(f);
        }
        if let Some(f) = data {
            let _ = log::io::sync(&f);
        }
        write_epochs(&self.dir, &self.epochs)
    }
}

/// Writes a copy's epoch history.
pub fn write_epochs(dir: &Path, epochs: &[EpochEntry]) -> Result<(), ClusterError> {
    Ok(checkpoint::write_epochs(
        &dir.join(names::LEADER_EPOCH_CHECKPOINT),
        epochs,
    )?)
}

/// The history `epochs` with `epoch` starting at `offset` when it is new.
pub fn with_epoch(epochs: &[EpochEntry], epoch: i32, offset: i64) -> Vec<EpochEntry> {
    let mut out = epochs.to_vec();
    if out.last().is_none_or(|e| e.epoch < epoch) {
        out.push(EpochEntry {
            epoch,
            start_offset: offset,
        });
    }
    out
}

/// Brings a follower's copy in line with the leader's (controller lock held): cuts what
/// diverges (KIP-279, by the two epoch histories) or lies past the leader's end, then
/// copies the batches it lacks. Returns the follower's new end.
pub fn catch_up(
    leader: &CopyState,
    follower: &CopyState,
    settings: &MetadataLogSettings,
) -> Result<i64, ClusterError> {
    let cut = epochs::truncation_offset(
        &follower.epochs,
        follower.log_end,
        &leader.epochs,
        leader.log_end,
        leader.log_start,
    )
    .min(leader.log_end);
    if cut == follower.log_end && cut == leader.log_end {
        return Ok(cut);
    }
    let mut log = open(follower, settings)?;
    let mut end = log.truncate_to(cut)?;
    if end < leader.log_start {
        // The leader no longer has what follows (its old segments went with old
        // snapshots): as a Kafka follower told to fetch a snapshot, take the leader's
        // latest snapshot and start the log over at its end.
        let id = fetch_snapshot(leader, follower)?.ok_or_else(|| {
            ClusterError::Invalid(format!(
                "{}: the metadata log starts at offset {} and no snapshot covers what lies \
                 below it",
                leader.dir.display(),
                leader.log_start
            ))
        })?;
        end = log.truncate_fully_and_start_at(id.end_offset)?;
        // Its older snapshots are below its new log start: of no use (Kafka's
        // forgetSnapshotsBefore).
        for old in quorum::snapshots(&follower.dir)? {
            if old < id {
                mark_snapshot_deleted(&follower.dir, old)?;
            }
        }
    }
    let reader = LogReader::open(&leader.dir)?;
    let mut cursor = reader.cursor(end)?;
    while let Some(batch) = cursor.next_batch(leader.log_end)? {
        let bytes = batch.bytes().to_vec();
        log.append_as_follower(&bytes)?;
    }
    log.flush()?;
    let end = log.log_end_offset();
    drop(log);
    write_epochs(
        &follower.dir,
        &epochs::truncate_history(&leader.epochs, end),
    )?;
    Ok(end)
}

/// Copies the leader's latest snapshot into the follower's folder (`.part`, fsync,
/// rename), as KRaft's FetchSnapshot does; `None` when the leader has none at or above its
/// log start.
fn fetch_snapshot(
    leader: &CopyState,
    follower: &CopyState,
) -> Result<Option<SnapshotId>, ClusterError> {
    let Some(id) = quorum::snapshots(&leader.dir)?
        .into_iter()
        .rfind(|s| s.end_offset >= leader.log_start && s.end_offset <= leader.log_end)
    else {
        return Ok(None);
    };
    let to = id.path(&follower.dir);
    if !to.exists() {
        let from = id.path(&leader.dir);
        let part = follower.dir.join(format!(
            "{:020}-{:010}{}",
            id.end_offset,
            id.epoch,
            quorum::PARTIAL_SNAPSHOT_SUFFIX
        ));
        let bytes = log::io::read_file(&from).map_err(io_err(&from))?;
        let result = (|| {
            let f = log::io::open(
                &part,
                OpenOptions::new().write(true).create(true).truncate(true),
            )
            .map_err(io_err(&part))?;
            std::io::Write::write_all(&mut &f, &bytes).map_err(io_err(&part))?;
            log::io::sync(&f).map_err(io_err(&part))?;
            log::io::rename(&part, &to).map_err(io_err(&to))?;
            let _ = log::io::sync_dir(&follower.dir);
            Ok::<_, ClusterError>(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&part);
        }
        result?;
    }
    Ok(Some(id))
}

/// What [`clean`] did to one copy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// The snapshots marked deleted (`.checkpoint.deleted`).
    pub snapshots: Vec<SnapshotId>,
    /// The segments marked deleted, by base offset.
    pub segments: Vec<i64>,
    /// Files removed whose delay had passed.
    pub files_removed: u64,
}

/// How long a deleted snapshot or segment of the metadata log stays as `.deleted`: Kafka's
/// KafkaMetadataLog takes `log.segment.delete.delay.ms`'s default, not the broker's value.
pub const FILE_DELETE_DELAY_MS: i64 = 60_000;

/// Kafka's `KafkaMetadataLog.maybeClean` on one copy (controller lock held): while the log
/// and its snapshots together pass `metadata.max.retention.bytes`, or the oldest snapshot's
/// last record is older than `metadata.max.retention.ms`, the oldest snapshot goes, the log
/// start moves to the next snapshot, and the segments wholly below it go, never the active
/// one and never the latest snapshot (a copy keeps at least one). Deleted files are renamed
/// `.deleted` and removed [`FILE_DELETE_DELAY_MS`] later, by a later clean.
///
/// The log start offset is kept by the segments alone, as Kafka's metadata log keeps it:
/// inside a segment it moves only in memory, so here only whole segments count.
pub fn clean(
    dir: &Path,
    settings: &MetadataLogSettings,
    now: i64,
) -> Result<Cleaned, ClusterError> {
    let mut out = Cleaned {
        files_removed: remove_deleted_snapshots(dir, now)?
            + log::partition::remove_deleted_files(dir, now, FILE_DELETE_DELAY_MS)?.files,
        ..Cleaned::default()
    };
    let mut start = log::partition::list_segments(dir, true)?
        .first()
        .copied()
        .unwrap_or(0);
    // Snapshots below the log start cover nothing the log lacks: they go (as Kafka's
    // recoverSnapshots deletes them), a copy that fetched its leader's snapshot has them.
    let mut snapshots = Vec::new();
    let all = quorum::snapshots(dir)?;
    let covered = all.last().is_some_and(|l| l.end_offset >= start);
    for id in all {
        // Never the last ones standing: a copy whose log start no snapshot reaches is
        // damaged, and what it has may still help.
        if covered && id.end_offset < start {
            mark_snapshot_deleted(dir, id)?;
            out.snapshots.push(id);
        } else {
            snapshots.push(id);
        }
    }
    if snapshots.len() < 2 {
        return Ok(out);
    }
    let size_of = |id: SnapshotId| std::fs::metadata(id.path(dir)).map_or(0, |m| m.len());
    let mut snapshot_bytes: u64 = snapshots.iter().map(|&s| size_of(s)).sum();
    for pair in snapshots.windows(2) {
        let (oldest, next) = (pair[0], pair[1]);
        let log_bytes = segments_bytes(dir)?;
        let by_size = settings.retention_bytes >= 0
            && log_bytes + snapshot_bytes > settings.retention_bytes as u64;
        let by_time = !by_size
            && settings.retention_ms >= 0
            && super::checkpoint::last_contained_timestamp(&oldest.path(dir))?
                .is_some_and(|t| now.saturating_sub(t) > settings.retention_ms);
        // Kafka's deleteBeforeSnapshot: only while the log start can move up to it.
        if !(by_size || by_time) || next.end_offset <= start {
            break;
        }
        start = next.end_offset;
        snapshot_bytes = snapshot_bytes.saturating_sub(size_of(oldest));
        let bases = log::partition::list_segments(dir, true)?;
        for w in bases.windows(2) {
            // Wholly below the new log start: the next segment starts at or below it.
            if w[1] <= start {
                log::partition::mark_segment_deleted(dir, w[0])?;
                log::partition::mark_snapshot_deleted(dir, w[0])?;
                out.segments.push(w[0]);
            }
        }
        mark_snapshot_deleted(dir, oldest)?;
        out.snapshots.push(oldest);
    }
    Ok(out)
}

/// Bytes of a copy's segment data.
fn segments_bytes(dir: &Path) -> Result<u64, ClusterError> {
    Ok(log::partition::list_segments(dir, true)?
        .into_iter()
        .map(|b| {
            std::fs::metadata(names::segment_path(dir, b, names::LOG_SUFFIX)).map_or(0, |m| m.len())
        })
        .sum())
}

/// Renames a snapshot `<name>.checkpoint.deleted` (Kafka's `Snapshots.markForDelete`),
/// its modification time now: the delay counts from here.
fn mark_snapshot_deleted(dir: &Path, id: SnapshotId) -> Result<(), ClusterError> {
    let from = id.path(dir);
    log::partition::mark_deleted(&from).map_err(io_err(&from))?;
    Ok(())
}

/// Removes the `.checkpoint.deleted` snapshots marked at least [`FILE_DELETE_DELAY_MS`] ago.
fn remove_deleted_snapshots(dir: &Path, now: i64) -> Result<u64, ClusterError> {
    let mut removed = 0;
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    for entry in rd.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(stem) = name.strip_suffix(names::DELETED_SUFFIX) else {
            continue;
        };
        if SnapshotId::parse(stem).is_none() {
            continue;
        }
        let marked = entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_millis() as i64);
        if now.saturating_sub(marked) >= FILE_DELETE_DELAY_MS {
            let path = entry.path();
            log::io::remove_file(&path).map_err(io_err(&path))?;
            removed += 1;
        }
    }
    Ok(removed)
}
