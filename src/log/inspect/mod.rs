//! A read-only look inside the files of a Kafka log directory, for `filka dump` (Kafka's
//! `kafka-dump-log`): segments (`.log`), offset indexes (`.index`), time indexes
//! (`.timeindex`), producer-state snapshots (`.snapshot`), aborted-transaction indexes
//! (`.txnindex`), the offset checkpoints (`*-checkpoint`), `leader-epoch-checkpoint`,
//! `partition.metadata` and `meta.properties`, and KRaft's metadata log: the segments of
//! `__cluster_metadata-0`, whose records are decoded as Kafka's metadata records, and its
//! snapshots (`<end offset>-<epoch>.checkpoint`, record batches framed by a SnapshotHeader
//! and a SnapshotFooter control record).
//!
//! [`inspect`] walks one file and hands typed [`Event`]s to a [`Visitor`]: the file's kind,
//! every batch (all header fields, position, size, CRC validity), every record, every index
//! or checkpoint entry, and every problem (corrupt framing, bad CRC, undecodable records,
//! invalid trailing bytes, index entries that disagree with the log). It returns a
//! [`Summary`] that says whether anything was wrong.
//!
//! Memory does not grow with the file: `.log` files are read through [`BatchStream`] (one
//! bounded buffer, at most one batch of [`MAX_BATCH_BYTES`]), index and checkpoint files in
//! small chunks and lines. Length fields are checked before anything is allocated for them.
//!
//! Must not: write, repair or lock anything, or know how events are printed.

mod checkpoints;
mod indexes;
mod kraft;
mod segment;
mod txn;

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::record::control::EndTxnMarker;
use crate::record::kraft::control::{ControlRecord, ControlRecordType};
use crate::record::kraft::records::ApiMessageAndVersion;
use crate::record::{BatchHeader, Compression, RecordRef, TimestampType};

use super::checkpoint::Uuid;
use super::index::{OffsetEntry, TimeEntry};
use super::producer_state::SnapshotEntry;
use super::txn_index::AbortedTxn;
use super::{LogError, io, io_err, names};

/// Read-ahead for index files and for the log walk that verifies them.
const CHUNK: usize = 64 << 10;
/// The longest checkpoint line accepted (a topic name is at most 249 bytes).
const MAX_CHECKPOINT_LINE: usize = 64 << 10;
/// `partition.metadata` is two short lines; anything larger is not one.
const MAX_PARTITION_METADATA: u64 = 4096;
/// `meta.properties` is a handful of short lines; anything larger is not one.
const MAX_META_PROPERTIES: u64 = 64 << 10;
/// Transient suffixes Kafka appends to segment files (kafka-format.md §1).
const TRANSIENT_SUFFIXES: [&str; 3] = [names::DELETED_SUFFIX, ".cleaned", ".swap"];

/// What a file is, decided by its name as Kafka names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `<base>.log`: record batches.
    Log {
        /// The segment's base offset, from the file name.
        base_offset: i64,
        /// A segment of KRaft's metadata log (its folder is `__cluster_metadata-0`, or
        /// `dump --cluster-metadata-decoder` says so): its records are read as Kafka's
        /// metadata records.
        cluster_metadata: bool,
    },
    /// `<base>.index`: the offset index.
    OffsetIndex {
        /// The segment's base offset, from the file name.
        base_offset: i64,
    },
    /// `<base>.timeindex`: the time index.
    TimeIndex {
        /// The segment's base offset, from the file name.
        base_offset: i64,
    },
    /// `<end offset>-<epoch>.checkpoint`: a snapshot of KRaft's metadata log, record
    /// batches of metadata records from offset 0, a SnapshotHeader control record first and
    /// a SnapshotFooter last (not an offset checkpoint, whose names end in `-checkpoint`).
    KraftSnapshot {
        /// The offset of the first log record the snapshot does not contain, from the name.
        end_offset: i64,
        /// The leader epoch of the last record it contains, from the name.
        epoch: i32,
    },
    /// `<offset>.snapshot`: a producer-state snapshot.
    ProducerSnapshot {
        /// The offset the state is valid up to, from the file name.
        offset: i64,
    },
    /// `<base>.txnindex`: the aborted-transaction index.
    TxnIndex {
        /// The segment's base offset, from the file name.
        base_offset: i64,
    },
    /// `leader-epoch-checkpoint`: epoch and start offset per line.
    LeaderEpochCheckpoint,
    /// `recovery-point-offset-checkpoint`, `replication-offset-checkpoint`,
    /// `log-start-offset-checkpoint`, `cleaner-offset-checkpoint` (any `*-checkpoint`):
    /// topic, partition and offset per line.
    OffsetCheckpoint,
    /// `partition.metadata`: the topic id.
    PartitionMetadata,
    /// `meta.properties`: the log dir's version, node id, cluster id and directory id.
    MetaProperties,
}

impl FileKind {
    /// A short name for scripts: `log`, `offset_index`, `time_index`, `kraft_snapshot`,
    /// `producer_snapshot`, `txn_index`, `leader_epoch_checkpoint`, `offset_checkpoint`,
    /// `partition_metadata`, `meta_properties`.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Log { .. } => "log",
            FileKind::KraftSnapshot { .. } => "kraft_snapshot",
            FileKind::OffsetIndex { .. } => "offset_index",
            FileKind::TimeIndex { .. } => "time_index",
            FileKind::ProducerSnapshot { .. } => "producer_snapshot",
            FileKind::TxnIndex { .. } => "txn_index",
            FileKind::LeaderEpochCheckpoint => "leader_epoch_checkpoint",
            FileKind::OffsetCheckpoint => "offset_checkpoint",
            FileKind::PartitionMetadata => "partition_metadata",
            FileKind::MetaProperties => "meta_properties",
        }
    }

    /// The offset in the file name: the segment's base offset for `.log`, `.index`,
    /// `.timeindex` and `.txnindex` files, the state's offset for a `.snapshot`.
    pub fn base_offset(self) -> Option<i64> {
        match self {
            FileKind::Log { base_offset, .. }
            | FileKind::OffsetIndex { base_offset }
            | FileKind::TimeIndex { base_offset }
            | FileKind::TxnIndex { base_offset }
            | FileKind::ProducerSnapshot {
                offset: base_offset,
            } => Some(base_offset),
            _ => None,
        }
    }

    /// Whether the records are Kafka's metadata records: a segment of the metadata log or a
    /// KRaft snapshot.
    pub fn cluster_metadata(self) -> bool {
        matches!(
            self,
            FileKind::Log {
                cluster_metadata: true,
                ..
            } | FileKind::KraftSnapshot { .. }
        )
    }

    /// The kind with a `.log` read as a segment of the metadata log whatever its folder
    /// (kafka-dump-log's `--cluster-metadata-decoder`); other kinds are unchanged.
    pub fn with_cluster_metadata(self) -> FileKind {
        match self {
            FileKind::Log { base_offset, .. } => FileKind::Log {
                base_offset,
                cluster_metadata: true,
            },
            other => other,
        }
    }
}

/// A file [`file_kind`] cannot dump, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct UnsupportedFile {
    /// The file.
    pub path: PathBuf,
    /// Why, and what would work.
    pub reason: String,
}

/// Decides what `path` holds from its file name, as Kafka does: `<digits>.log`, `.index`,
/// `.timeindex`, `.snapshot`, `.txnindex` (the digits are the base offset, normally 20 of
/// them), `<digits>-<digits>.checkpoint` (a KRaft snapshot: end offset and epoch),
/// `leader-epoch-checkpoint`, `*-checkpoint`, `partition.metadata`, `meta.properties`. A
/// transient suffix (`.deleted`, `.cleaned`, `.swap`) is ignored; any other name is unknown.
/// A `.log` in a folder named `__cluster_metadata-0` is a segment of the metadata log.
pub fn file_kind(path: &Path) -> Result<FileKind, UnsupportedFile> {
    let fail = |reason: String| UnsupportedFile {
        path: path.to_path_buf(),
        reason,
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| fail("not a file name filka knows".into()))?;
    let name = TRANSIENT_SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name);
    match name {
        names::LEADER_EPOCH_CHECKPOINT => return Ok(FileKind::LeaderEpochCheckpoint),
        names::PARTITION_METADATA => return Ok(FileKind::PartitionMetadata),
        names::META_PROPERTIES => return Ok(FileKind::MetaProperties),
        n if n.ends_with("-checkpoint") => return Ok(FileKind::OffsetCheckpoint),
        _ => {}
    }
    let unknown = || {
        fail(format!(
            "unknown kind of file: filka dumps <base offset>{}, {}, {}, {}, {}, <end \
             offset>-<epoch>{}, {}, *-checkpoint, {} and {}",
            names::LOG_SUFFIX,
            names::INDEX_SUFFIX,
            names::TIME_INDEX_SUFFIX,
            names::SNAPSHOT_SUFFIX,
            names::TXN_INDEX_SUFFIX,
            names::KRAFT_SNAPSHOT_SUFFIX,
            names::LEADER_EPOCH_CHECKPOINT,
            names::PARTITION_METADATA,
            names::META_PROPERTIES
        ))
    };
    let (stem, suffix) = name.split_at(name.find('.').ok_or_else(unknown)?);
    if suffix == names::KRAFT_SNAPSHOT_SUFFIX {
        return kraft::snapshot_kind(stem).ok_or_else(|| {
            fail(format!(
                "a KRaft snapshot is named <end offset>-<epoch>{} (Kafka names them like \
                 00000000000000000000-0000000000{})",
                names::KRAFT_SNAPSHOT_SUFFIX,
                names::KRAFT_SNAPSHOT_SUFFIX
            ))
        });
    }
    let segment_file = [
        names::LOG_SUFFIX,
        names::INDEX_SUFFIX,
        names::TIME_INDEX_SUFFIX,
        names::SNAPSHOT_SUFFIX,
        names::TXN_INDEX_SUFFIX,
    ]
    .contains(&suffix);
    if !segment_file {
        return Err(unknown());
    }
    let base_offset = (!stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()))
        .then(|| stem.parse::<i64>().ok())
        .flatten()
        .ok_or_else(|| {
            fail(format!(
                "the name does not start with the segment's base offset (Kafka names \
                 segment files like 00000000000000000000{suffix})"
            ))
        })?;
    match suffix {
        names::LOG_SUFFIX => Ok(FileKind::Log {
            base_offset,
            cluster_metadata: kraft::in_metadata_log_dir(path),
        }),
        names::INDEX_SUFFIX => Ok(FileKind::OffsetIndex { base_offset }),
        names::TIME_INDEX_SUFFIX => Ok(FileKind::TimeIndex { base_offset }),
        names::SNAPSHOT_SUFFIX => Ok(FileKind::ProducerSnapshot {
            offset: base_offset,
        }),
        _ => Ok(FileKind::TxnIndex { base_offset }),
    }
}

/// What to do besides listing batches and entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Emit an [`Event::Record`] per record (records are decoded and checked either way).
    pub records: bool,
    /// Check index entries (`.index`, `.timeindex`, `.txnindex`) against the sibling
    /// `.log`; in a `.log`, look for gaps between record offsets and for leader epochs that
    /// decrease, and check the `.txnindex` beside it against its ABORT markers; in a KRaft
    /// snapshot, check its framing (a SnapshotHeader first, a SnapshotFooter last).
    pub verify: bool,
    /// Read at most this many bytes of a `.log` (whole batches only, like kafka-dump-log's
    /// `--max-bytes`; a batch cut by the limit is not reported).
    pub max_bytes: Option<u64>,
}

/// A batch as found in a `.log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchInfo {
    /// Byte position of the batch in the file.
    pub position: u64,
    /// Every header field, as stored.
    pub header: BatchHeader,
    /// The CRC-32C of the batch's bytes, to compare with `header.crc`.
    pub computed_crc: u32,
}

impl BatchInfo {
    /// Whether the stored CRC matches the bytes (kafka-dump-log's `isvalid`).
    pub fn crc_valid(&self) -> bool {
        self.computed_crc == self.header.crc
    }
    /// The codec; `None` cannot happen for a batch that was parsed (ids 5-7 are refused).
    pub fn compression(&self) -> Option<Compression> {
        self.header.attributes.compression()
    }
    /// The log cleaner's delete horizon, when attributes bit 6 says `baseTimestamp` holds it.
    pub fn delete_horizon_ms(&self) -> Option<i64> {
        self.header
            .attributes
            .has_delete_horizon()
            .then_some(self.header.base_timestamp)
    }
    /// Whole batch size in bytes.
    pub fn size(&self) -> usize {
        self.header.size()
    }
}

/// What a control record says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// A COMMIT or ABORT transaction marker.
    EndTxn(EndTxnMarker),
    /// One of KRaft's (types 2-6: LeaderChange, SnapshotHeader, SnapshotFooter,
    /// KRaftVersion, KRaftVoters), decoded by [`crate::record::kraft::control`].
    Kraft(ControlRecord),
    /// An unknown control type: its type id.
    Other(i16),
    /// The key (or the value of a marker or a KRaft control record) cannot be read.
    Malformed,
}

/// Kafka's name of a control record type (`ControlRecordType`).
pub fn control_type_name(type_id: i16) -> &'static str {
    ControlRecordType::from_id(type_id).name()
}

/// A data record of the metadata log or of a KRaft snapshot, its value read as Kafka's
/// `MetadataRecordSerde` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataValue {
    /// A metadata record (possibly of a type or version filka does not decode:
    /// [`ApiMessageAndVersion::to_json`] is `None` then).
    Record(Box<ApiMessageAndVersion>),
    /// The value is not a metadata record: why (kafka-dump-log prints `Error at OFFSET,
    /// skipping. <why>`).
    Invalid(String),
}

/// A record, with what the batch around it says about it.
#[derive(Debug, Clone)]
pub struct RecordInfo<'a> {
    /// The record (offset, timestamp, key, value, sequence, headers).
    pub record: RecordRef<'a>,
    /// How its batch's timestamps were set.
    pub timestamp_type: TimestampType,
    /// Set for records of control batches.
    pub control: Option<Control>,
    /// Set for the data records of the metadata log and of KRaft snapshots.
    pub metadata: Option<MetadataValue>,
}

/// One entry of an offset checkpoint, `leader-epoch-checkpoint`, `partition.metadata` or
/// `meta.properties`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointEntry<'a> {
    /// `topic partition offset` of a `*-checkpoint` file.
    Offset {
        /// Topic name.
        topic: &'a str,
        /// Partition number.
        partition: u32,
        /// The offset recorded for it.
        offset: i64,
    },
    /// `epoch startOffset` of a `leader-epoch-checkpoint`.
    Epoch {
        /// Leader epoch.
        epoch: i32,
        /// First offset written in that epoch.
        start_offset: i64,
    },
    /// The topic id of `partition.metadata`.
    TopicId {
        /// The file's version (0).
        version: i32,
        /// The topic id.
        topic_id: Uuid,
    },
    /// What `meta.properties` says, as Kafka's `MetaProperties` reads it.
    MetaProperties {
        /// `version`: 0 (ZooKeeper era, `broker.id`) or 1 (KRaft, `node.id`).
        version: i32,
        /// `node.id` (version 1) or `broker.id` (version 0), when present.
        node_id: Option<i32>,
        /// `cluster.id`, when present.
        cluster_id: Option<&'a str>,
        /// `directory.id`, when present.
        directory_id: Option<Uuid>,
    },
}

/// An index entry (or record offset) that disagrees with the log. Only looked for with
/// [`Options::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// A record offset is above the previous one plus 1 (kafka-dump-log's "Non-consecutive
    /// offsets"). Expected in segments of compacted topics.
    NonConsecutive {
        /// The previous record's offset.
        previous: i64,
        /// The offset that followed it.
        next: i64,
    },
    /// An offset-index entry points at a batch whose last offset is not the entry's offset.
    IndexOffset {
        /// The entry's offset.
        index_offset: i64,
        /// The entry's position.
        position: u32,
        /// The last offset of the batch at that position.
        log_offset: i64,
    },
    /// No batch starts at an offset-index entry's position.
    IndexPosition {
        /// The entry's offset.
        index_offset: i64,
        /// The entry's position.
        position: u32,
        /// What is there instead.
        reason: String,
    },
    /// An offset-index entry does not increase over the previous one in both fields.
    IndexOutOfOrder {
        /// The entry's offset.
        index_offset: i64,
        /// The entry's position.
        position: u32,
        /// The previous entry's offset.
        previous_offset: i64,
        /// The previous entry's position.
        previous_position: u32,
    },
    /// A time-index entry's timestamp is not the max timestamp of the batch it points at.
    TimeIndexTimestamp {
        /// The entry's offset.
        offset: i64,
        /// The entry's timestamp.
        index_timestamp: i64,
        /// The batch's max timestamp.
        log_timestamp: i64,
    },
    /// A time-index entry's offset is not the last offset of any batch.
    TimeIndexOffset {
        /// The entry's offset.
        index_offset: i64,
        /// The last offset of the first batch reaching it, -1 when none does.
        log_offset: i64,
    },
    /// A `.txnindex` entry without the ABORT marker it names, or whose first offset does
    /// not agree with the producer's batches in the segment.
    TxnIndexEntry {
        /// The entry's producer.
        producer_id: i64,
        /// The entry's first offset.
        first_offset: i64,
        /// The entry's marker offset.
        last_offset: i64,
        /// What the log says instead.
        reason: String,
    },
    /// An ABORT marker of a transaction with records in the segment that has no
    /// `.txnindex` entry: read-committed readers would see its records.
    TxnIndexMissing {
        /// The producer.
        producer_id: i64,
        /// First transactional batch of the producer before the marker in this segment.
        first_offset: i64,
        /// The marker's offset.
        last_offset: i64,
    },
    /// A time-index entry's timestamp does not increase, or its offset decreases.
    TimeIndexOutOfOrder {
        /// The entry's timestamp.
        timestamp: i64,
        /// The entry's offset.
        offset: i64,
        /// The previous entry's timestamp.
        previous_timestamp: i64,
        /// The previous entry's offset.
        previous_offset: i64,
    },
}

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file's content is damaged or not in Kafka's format.
    Corrupt,
    /// `verify` could not check an index: the sibling `.log` does not exist.
    MissingLog,
}

/// Something wrong with a file, found while walking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// How bad.
    pub kind: ProblemKind,
    /// Byte position it concerns, when it has one.
    pub position: Option<u64>,
    /// What is wrong and where, as one sentence (includes the position).
    pub message: String,
}

/// One thing found in a file, in file order.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// First event of every file.
    Start {
        /// What the file is.
        kind: FileKind,
    },
    /// A record batch of a `.log`.
    Batch(&'a BatchInfo),
    /// A record of the batch before it (only with [`Options::records`]).
    Record(&'a RecordInfo<'a>),
    /// An `.index` entry, offset made absolute.
    IndexEntry(OffsetEntry),
    /// A `.timeindex` entry, offset made absolute.
    TimeIndexEntry(TimeEntry),
    /// The `.index` file has no entries (kafka-dump-log: `<path> is empty.`).
    IndexEmpty,
    /// An entry of a checkpoint or `partition.metadata` file.
    CheckpointEntry(CheckpointEntry<'a>),
    /// A producer of a `.snapshot` file.
    SnapshotEntry {
        /// Byte position of the entry.
        position: u64,
        /// The entry as stored.
        entry: SnapshotEntry,
    },
    /// An aborted transaction of a `.txnindex` file.
    TxnIndexEntry {
        /// Byte position of the entry.
        position: u64,
        /// The entry as stored.
        txn: AbortedTxn,
    },
    /// Bytes at the end that are not a whole batch or entry (a torn tail, or garbage).
    InvalidBytes {
        /// Where they start.
        position: u64,
        /// How many there are, up to the end of the file.
        count: u64,
    },
    /// An entry that disagrees with the log (with [`Options::verify`]).
    Mismatch(&'a Mismatch),
    /// Something damaged.
    Problem(&'a Problem),
}

/// Receives the events of a file. Its errors (e.g. a closed stdout) stop the walk and are
/// returned unchanged in [`InspectError::Visitor`].
pub trait Visitor {
    /// Called once per event, in file order.
    fn visit(&mut self, event: &Event<'_>) -> std::io::Result<()>;
}

impl<F: FnMut(&Event<'_>) -> std::io::Result<()>> Visitor for F {
    fn visit(&mut self, event: &Event<'_>) -> std::io::Result<()> {
        self(event)
    }
}

/// What a walk over one file found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Batches read (CRC-valid or not).
    pub batches: u64,
    /// Records decoded.
    pub records: u64,
    /// Index or checkpoint entries read.
    pub entries: u64,
    /// Batches whose CRC does not match.
    pub bad_crcs: u64,
    /// Invalid bytes at the end of the file.
    pub invalid_bytes: u64,
    /// Corruption problems reported (framing, records, offsets, checkpoint lines).
    pub errors: u64,
    /// Mismatches reported (only with [`Options::verify`]).
    pub mismatches: u64,
    /// `verify` could not check an index because its `.log` is missing.
    pub missing_log: bool,
}

impl Summary {
    /// True when the file has corrupt data or (with `verify`) mismatches: exit code 3.
    pub fn is_corrupt(&self) -> bool {
        self.bad_crcs + self.invalid_bytes + self.errors + self.mismatches > 0
    }
}

/// Why a walk stopped before the end of the file.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// Opening or reading the file failed.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The visitor failed (e.g. writing to a closed pipe).
    #[error(transparent)]
    Visitor(std::io::Error),
}

/// Hands events to the visitor and keeps the summary in step with them.
struct Emitter<'v> {
    visitor: &'v mut dyn Visitor,
    summary: Summary,
}

impl Emitter<'_> {
    fn emit(&mut self, event: &Event<'_>) -> Result<(), InspectError> {
        match event {
            Event::Batch(b) => {
                self.summary.batches += 1;
                self.summary.bad_crcs += u64::from(!b.crc_valid());
            }
            Event::IndexEntry(_)
            | Event::TimeIndexEntry(_)
            | Event::CheckpointEntry(_)
            | Event::SnapshotEntry { .. }
            | Event::TxnIndexEntry { .. } => {
                self.summary.entries += 1;
            }
            Event::InvalidBytes { count, .. } => self.summary.invalid_bytes += count,
            Event::Mismatch(_) => self.summary.mismatches += 1,
            Event::Problem(p) => match p.kind {
                ProblemKind::Corrupt => self.summary.errors += 1,
                ProblemKind::MissingLog => self.summary.missing_log = true,
            },
            Event::Start { .. } | Event::Record(_) | Event::IndexEmpty => {}
        }
        self.visitor.visit(event).map_err(InspectError::Visitor)
    }

    fn corrupt(&mut self, position: Option<u64>, message: String) -> Result<(), InspectError> {
        self.emit(&Event::Problem(&Problem {
            kind: ProblemKind::Corrupt,
            position,
            message,
        }))
    }

    fn mismatch(&mut self, m: Mismatch) -> Result<(), InspectError> {
        self.emit(&Event::Mismatch(&m))
    }
}

/// Walks the file at `path`, of the given kind (see [`file_kind`]), and hands what it finds
/// to `visitor`. Damage is reported as events and counted in the [`Summary`]; an `Err`
/// means the file could not be read at all (or the visitor failed).
pub fn inspect(
    path: &Path,
    kind: FileKind,
    opts: &Options,
    visitor: &mut dyn Visitor,
) -> Result<Summary, InspectError> {
    let mut em = Emitter {
        visitor,
        summary: Summary::default(),
    };
    em.emit(&Event::Start { kind })?;
    match kind {
        FileKind::Log {
            base_offset,
            cluster_metadata,
        } => {
            let walk = segment::Walk {
                base_offset,
                cluster_metadata,
                snapshot: false,
            };
            segment::dump_log(path, walk, opts, &mut em)?;
        }
        FileKind::KraftSnapshot { .. } => {
            // A snapshot's records start at offset 0, whatever its end offset.
            let walk = segment::Walk {
                base_offset: 0,
                cluster_metadata: true,
                snapshot: true,
            };
            segment::dump_log(path, walk, opts, &mut em)?;
        }
        FileKind::OffsetIndex { base_offset } => {
            indexes::dump_offset_index(path, base_offset, opts, &mut em)?;
        }
        FileKind::TimeIndex { base_offset } => {
            indexes::dump_time_index(path, base_offset, opts, &mut em)?;
        }
        FileKind::ProducerSnapshot { .. } => txn::dump_snapshot(path, &mut em)?,
        FileKind::TxnIndex { base_offset } => {
            txn::dump_txn_index(path, base_offset, opts, &mut em)?;
        }
        FileKind::LeaderEpochCheckpoint | FileKind::OffsetCheckpoint => {
            checkpoints::dump_checkpoint(path, kind, &mut em)?;
        }
        FileKind::PartitionMetadata => checkpoints::dump_partition_metadata(path, &mut em)?,
        FileKind::MetaProperties => checkpoints::dump_meta_properties(path, &mut em)?,
    }
    Ok(em.summary)
}

fn open(path: &Path) -> Result<(File, u64), LogError> {
    // The user named these files (`dump FILE`): a link they typed is followed.
    let file = io::open_user_read(path).map_err(io_err(path, "open"))?;
    let len = io::len(&file).map_err(io_err(path, "stat"))?;
    Ok((file, len))
}

#[cfg(test)]
mod tests;
