//! One replica's log on disk, in Kafka's layout: segments (`.log`, `.index`, `.timeindex`)
//! named by base offset, checkpoint files, recovery after an unclean stop, rolling,
//! truncation and retention.
//!
//! This layer knows nothing of clusters, replication or the CLI: the caller holds whatever
//! lock makes it the only writer, passes the recovery point it read from the broker's
//! checkpoint, and persists what [`PartitionLog`] reports back. Every file operation goes
//! through [`io`], the seam tests use to inject crashes, torn writes and I/O errors.
//!
//! Idempotent and transactional producers: [`producer_state`] keeps Kafka's per-producer
//! state (sequences, epochs, open transactions) and its `.snapshot` files, [`txn_index`]
//! the `.txnindex` of aborted transactions; [`PartitionLog`] drives both on every append,
//! roll and truncation.
//!
//! Compaction (`cleanup.policy=compact`): [`cleaner`], Kafka's log cleaner over an open
//! [`PartitionLog`].

pub mod checkpoint;
pub mod cleaner;
pub mod index;
pub mod inspect;
pub mod io;
pub mod names;
pub mod partition;
pub mod producer_state;
pub mod reader;
pub mod retention;
pub mod segment;
pub mod stream;
pub mod txn_index;
pub mod verify;

use std::path::PathBuf;

pub use partition::{AppendInfo, OpenHints, PartitionLog, RecoveryReport, RetentionReport};
pub use producer_state::{CompletedTxn, ProducerState, ProducerStateError, Verdict};
pub use reader::{LogCursor, LogReader};
pub use txn_index::AbortedTxn;

use crate::record::TimestampType;

/// The per-topic settings that shape a log (Kafka's names and defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogConfig {
    /// `segment.bytes`: roll when the next batch would pass this size.
    pub segment_bytes: u64,
    /// `segment.ms`: roll when the incoming batch is this much newer than the first.
    pub segment_ms: i64,
    /// `index.interval.bytes`: bytes between offset-index entries.
    pub index_interval_bytes: u64,
    /// `retention.ms` (-1 = forever).
    pub retention_ms: i64,
    /// `retention.bytes` (-1 = unlimited).
    pub retention_bytes: i64,
    /// `max.message.bytes`: the largest batch accepted.
    pub max_message_bytes: usize,
    /// `message.timestamp.type`.
    pub timestamp_type: TimestampType,
    /// `flush.messages`: fsync after this many records (`None` = never per write, Kafka's
    /// default; the log is flushed on roll and on [`PartitionLog::flush`]).
    pub flush_messages: Option<u64>,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1 << 30,
            segment_ms: 604_800_000,
            index_interval_bytes: 4096,
            retention_ms: 604_800_000,
            retention_bytes: -1,
            max_message_bytes: crate::record::batch::DEFAULT_MAX_BATCH_BYTES,
            timestamp_type: TimestampType::CreateTime,
            flush_messages: None,
        }
    }
}

/// Errors of the log layer; each names the file and, for corruption, where.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// A file operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        op: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Data that should be valid is not.
    #[error("{path}: {detail}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What and where.
        detail: String,
    },
    /// Corruption below the recovery point: data that was flushed is damaged. Never cut.
    #[error(
        "{path}: corruption below the recovery point {recovery_point} at byte {position} \
         (offset {offset}): {detail}; the data there was flushed, so filka will not cut it away"
    )]
    CorruptBelowRecoveryPoint {
        /// The segment.
        path: PathBuf,
        /// Byte position of the first bad batch.
        position: u64,
        /// First offset that cannot be read.
        offset: i64,
        /// The recovery point.
        recovery_point: i64,
        /// What is wrong.
        detail: String,
    },
    /// Damage above the recovery point of a log whose last writer finished cleanly: not a
    /// torn write (nobody died writing), so not recovery's to cut.
    #[error(
        "{path}: damage at byte {position} (offset {offset}): {detail}; the last writer \
         finished cleanly, so this is not a torn write: filka will not cut it away"
    )]
    DamagedTail {
        /// The segment.
        path: PathBuf,
        /// Byte position of the first bad batch.
        position: u64,
        /// First offset that cannot be read.
        offset: i64,
        /// What is wrong.
        detail: String,
    },
    /// A checkpoint file is malformed.
    #[error("{path}:{line}: malformed checkpoint: {reason}")]
    BadCheckpoint {
        /// The file.
        path: PathBuf,
        /// Line number (0 when the whole file is bad).
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A batch offered for append is invalid or too large.
    #[error("batch refused: {0}")]
    BadBatch(String),
    /// A leader append refused by the producer state (sequence, epoch or transaction
    /// rules); nothing was appended.
    #[error("batch refused: {0}")]
    Producer(#[from] ProducerStateError),
    /// A leader append of a batch already in the log (a producer's retry whose
    /// acknowledgement was lost); nothing was appended. Callers normally find this first
    /// with [`PartitionLog::check_producer`] and answer with these offsets.
    #[error(
        "duplicate batch from producer {producer_id}: already in the log at offsets \
         {base_offset}..={last_offset}"
    )]
    DuplicateBatch {
        /// The producer.
        producer_id: i64,
        /// Where the original batch starts.
        base_offset: i64,
        /// Where it ends.
        last_offset: i64,
    },
    /// A file or folder of a replica is a symbolic link. filka never follows one inside a
    /// cluster (a write through it would land outside), so the replica is damaged.
    #[error(
        "{path} is a symbolic link: filka never follows links inside a cluster; replace it \
         with the real file or folder"
    )]
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// An offset outside `[log start, log end]` was asked for.
    #[error("offset {offset} is out of range [{start}, {end}]")]
    OffsetOutOfRange {
        /// The offset asked for.
        offset: i64,
        /// Log start offset.
        start: i64,
        /// Log end offset.
        end: i64,
    },
}

impl LogError {
    /// True for the variants that mean a replica's files are damaged (exit code 3):
    /// corrupt bytes, a malformed checkpoint, or a symbolic link where a file or folder
    /// belongs.
    pub fn is_corruption(&self) -> bool {
        matches!(
            self,
            LogError::Corrupt { .. }
                | LogError::CorruptBelowRecoveryPoint { .. }
                | LogError::DamagedTail { .. }
                | LogError::BadCheckpoint { .. }
                | LogError::Symlink { .. }
        )
    }

    /// True when the replica's files are damaged or cannot be read or written: corruption
    /// or an I/O error (Kafka's KafkaStorageException: its log dir has failed). A refused
    /// batch or an offset out of range is not.
    pub fn is_damage(&self) -> bool {
        self.is_corruption() || matches!(self, LogError::Io { .. })
    }

    /// The error for an I/O failure on `path` during `op`: [`LogError::Symlink`] when
    /// `path` is a symbolic link (an open with O_NOFOLLOW, or [`io::check_not_symlink`],
    /// said so), else [`LogError::Io`].
    pub fn io(path: &std::path::Path, op: &'static str, source: std::io::Error) -> LogError {
        if io::is_symlink_error(&source) {
            LogError::Symlink {
                path: path.to_path_buf(),
            }
        } else {
            LogError::Io {
                path: path.to_path_buf(),
                op,
                source,
            }
        }
    }
}

/// Maps an I/O error on `path` during `op` into a [`LogError`] (for `map_err`).
pub(crate) fn io_err<'a>(
    path: &'a std::path::Path,
    op: &'static str,
) -> impl FnOnce(std::io::Error) -> LogError + 'a {
    move |source| LogError::io(path, op, source)
}

/// Refuses a replica folder `dir` that is a symbolic link, or whose parent (the broker's
/// folder) is one: every file opened in it would be elsewhere, outside the cluster. Files
/// are guarded by O_NOFOLLOW in [`io`]; a folder needs this check.
pub fn check_folder(dir: &std::path::Path) -> Result<(), LogError> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        io::check_not_symlink(parent).map_err(io_err(parent, "check"))?;
    }
    io::check_not_symlink(dir).map_err(io_err(dir, "check"))
}

#[cfg(test)]
mod damage_tests;
#[cfg(test)]
mod tests;

#[cfg(test)]
mod txn_tests;
