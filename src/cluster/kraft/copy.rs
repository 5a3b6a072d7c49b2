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
use crate::cluster::quorum::QuorumState;
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

/// The log config of a metadata copy: Kafka's `metadata.log.segment.bytes` (1 GiB) and
/// KRaft's largest batch (8 MiB).
fn config() -> LogConfig {
    LogConfig {
        segment_bytes: 1 << 30,
        max_message_bytes: 8 << 20,
        retention_ms: -1,
        ..LogConfig::default()
    }
}

/// Opens a copy for writing (controller lock held): a torn tail a dead controller left is
/// cut (it was never counted: a batch counts once fsynced).
pub fn open(state: &CopyState) -> Result<PartitionLog, ClusterError> {
    let (log, _) = PartitionLog::open(
        &state.dir,
        config(),
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
pub fn catch_up(leader: &CopyState, follower: &CopyState) -> Result<i64, ClusterError> {
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
    let mut log = open(follower)?;
    let mut end = log.truncate_to(cut)?;
    if end < leader.log_start {
        // The leader no longer has what follows: start over from its log start (a snapshot
        // there covers what lies below).
        end = log.truncate_fully_and_start_at(leader.log_start)?;
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
