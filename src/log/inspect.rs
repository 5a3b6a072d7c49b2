//! A read-only look inside the files of a Kafka log directory, for `filka dump` (Kafka's
//! `kafka-dump-log`): segments (`.log`), offset indexes (`.index`), time indexes
//! (`.timeindex`), the offset checkpoints (`*-checkpoint`), `leader-epoch-checkpoint` and
//! `partition.metadata`.
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

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::record::batch::MAX_BATCH_BYTES;
use crate::record::control::{self, ControlType, EndTxnMarker};
use crate::record::{BatchHeader, BatchRef, Compression, RecordRef, TimestampType};

use super::checkpoint::{self, Uuid};
use super::index::{OFFSET_ENTRY_LEN, OffsetEntry, TIME_ENTRY_LEN, TimeEntry};
use super::names;
use super::stream::{BatchStream, ScanStop};
use super::{LogError, io, io_err};

/// Read-ahead for index files and for the log walk that verifies them.
const CHUNK: usize = 64 << 10;
/// The longest checkpoint line accepted (a topic name is at most 249 bytes).
const MAX_CHECKPOINT_LINE: usize = 64 << 10;
/// `partition.metadata` is two short lines; anything larger is not one.
const MAX_PARTITION_METADATA: u64 = 4096;
/// Transient suffixes Kafka appends to segment files (kafka-format.md §1).
const TRANSIENT_SUFFIXES: [&str; 3] = [names::DELETED_SUFFIX, ".cleaned", ".swap"];

/// What a file is, decided by its name as Kafka names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `<base>.log`: record batches.
    Log {
        /// The segment's base offset, from the file name.
        base_offset: i64,
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
    /// `leader-epoch-checkpoint`: epoch and start offset per line.
    LeaderEpochCheckpoint,
    /// `recovery-point-offset-checkpoint`, `replication-offset-checkpoint`,
    /// `log-start-offset-checkpoint`, `cleaner-offset-checkpoint` (any `*-checkpoint`):
    /// topic, partition and offset per line.
    OffsetCheckpoint,
    /// `partition.metadata`: the topic id.
    PartitionMetadata,
}

impl FileKind {
    /// A short name for scripts: `log`, `offset_index`, `time_index`,
    /// `leader_epoch_checkpoint`, `offset_checkpoint`, `partition_metadata`.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Log { .. } => "log",
            FileKind::OffsetIndex { .. } => "offset_index",
            FileKind::TimeIndex { .. } => "time_index",
            FileKind::LeaderEpochCheckpoint => "leader_epoch_checkpoint",
            FileKind::OffsetCheckpoint => "offset_checkpoint",
            FileKind::PartitionMetadata => "partition_metadata",
        }
    }

    /// The segment's base offset for `.log`, `.index` and `.timeindex` files.
    pub fn base_offset(self) -> Option<i64> {
        match self {
            FileKind::Log { base_offset }
            | FileKind::OffsetIndex { base_offset }
            | FileKind::TimeIndex { base_offset } => Some(base_offset),
            _ => None,
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
/// `.timeindex` (the digits are the base offset, normally 20 of them),
/// `leader-epoch-checkpoint`, `*-checkpoint`, `partition.metadata`. A transient suffix
/// (`.deleted`, `.cleaned`, `.swap`) is ignored. `.snapshot` and `.txnindex` files are
/// refused as not supported yet; any other name as unknown.
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
        n if n.ends_with("-checkpoint") => return Ok(FileKind::OffsetCheckpoint),
        _ => {}
    }
    let unknown = || {
        fail(format!(
            "unknown kind of file: filka dumps <base offset>{}, {}, {}, {}, *-checkpoint and {}",
            names::LOG_SUFFIX,
            names::INDEX_SUFFIX,
            names::TIME_INDEX_SUFFIX,
            names::LEADER_EPOCH_CHECKPOINT,
            names::PARTITION_METADATA
        ))
    };
    let (stem, suffix) = name.split_at(name.find('.').ok_or_else(unknown)?);
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
        names::LOG_SUFFIX => Ok(FileKind::Log { base_offset }),
        names::INDEX_SUFFIX => Ok(FileKind::OffsetIndex { base_offset }),
        names::TIME_INDEX_SUFFIX => Ok(FileKind::TimeIndex { base_offset }),
        names::SNAPSHOT_SUFFIX => Err(fail(
            "producer-state snapshots (.snapshot) are not supported yet".into(),
        )),
        _ => Err(fail(
            "aborted-transaction indexes (.txnindex) are not supported yet".into(),
        )),
    }
}

/// What to do besides listing batches and entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Emit an [`Event::Record`] per record (records are decoded and checked either way).
    pub records: bool,
    /// Check index entries against the sibling `.log`, and record offsets for gaps.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// A COMMIT or ABORT transaction marker.
    EndTxn(EndTxnMarker),
    /// Another control type (KRaft's 2-6, or unknown): its type id.
    Other(i16),
    /// The key (or a marker's value) is too short to read.
    Malformed,
}

/// Kafka's name of a control record type (`ControlRecordType`).
pub fn control_type_name(type_id: i16) -> &'static str {
    match type_id {
        0 => "ABORT",
        1 => "COMMIT",
        2 => "LEADER_CHANGE",
        3 => "SNAPSHOT_HEADER",
        4 => "SNAPSHOT_FOOTER",
        5 => "KRAFT_VERSION",
        6 => "KRAFT_VOTERS",
        _ => "UNKNOWN",
    }
}

/// A record, with what the batch around it says about it.
#[derive(Debug, Clone, Copy)]
pub struct RecordInfo<'a> {
    /// The record (offset, timestamp, key, value, sequence, headers).
    pub record: RecordRef<'a>,
    /// How its batch's timestamps were set.
    pub timestamp_type: TimestampType,
    /// Set for records of control batches.
    pub control: Option<Control>,
}

/// One entry of an offset checkpoint, `leader-epoch-checkpoint` or `partition.metadata`.
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
            Event::IndexEntry(_) | Event::TimeIndexEntry(_) | Event::CheckpointEntry(_) => {
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
        FileKind::Log { base_offset } => dump_log(path, base_offset, opts, &mut em)?,
        FileKind::OffsetIndex { base_offset } => {
            dump_offset_index(path, base_offset, opts, &mut em)?;
        }
        FileKind::TimeIndex { base_offset } => dump_time_index(path, base_offset, opts, &mut em)?,
        FileKind::LeaderEpochCheckpoint | FileKind::OffsetCheckpoint => {
            dump_checkpoint(path, kind, &mut em)?;
        }
        FileKind::PartitionMetadata => dump_partition_metadata(path, &mut em)?,
    }
    Ok(em.summary)
}

fn open(path: &Path) -> Result<(File, u64), LogError> {
    let file = io::open_read(path).map_err(io_err(path, "open"))?;
    let len = io::len(&file).map_err(io_err(path, "stat"))?;
    Ok((file, len))
}

/// The `.log` walk: every batch, its records decoded and checked, offsets that must
/// increase, and the invalid bytes where the walk had to stop.
fn dump_log(
    path: &Path,
    segment_base: i64,
    opts: &Options,
    em: &mut Emitter<'_>,
) -> Result<(), InspectError> {
    let (file, len) = open(path)?;
    let end = opts.max_bytes.map_or(len, |m| m.min(len));
    // Only without a --max-bytes cut is an incomplete last batch damage, as in Kafka.
    let whole_file = end == len;
    let mut stream = BatchStream::new(&file, 0, end, MAX_BATCH_BYTES);
    let mut previous_batch_last: Option<i64> = None;
    let mut previous_record: Option<i64> = None;
    loop {
        let batch = match stream.next() {
            Ok(Some(batch)) => batch,
            Ok(None) => break,
            Err(ScanStop::Io(e)) => return Err(io_err(path, "read")(e).into()),
            Err(ScanStop::Torn { position, .. }) => {
                if whole_file {
                    em.emit(&Event::InvalidBytes {
                        position,
                        count: len - position,
                    })?;
                }
                break;
            }
            Err(ScanStop::Corrupt(e)) => {
                em.corrupt(Some(e.position), e.to_string())?;
                if whole_file {
                    em.emit(&Event::InvalidBytes {
                        position: e.position,
                        count: len - e.position,
                    })?;
                }
                break;
            }
            Err(e @ ScanStop::OffsetGap { .. }) => {
                // BatchStream does not check offsets; kept for completeness.
                em.corrupt(Some(stream.position()), e.to_string())?;
                break;
            }
        };
        let info = BatchInfo {
            position: batch.position(),
            header: *batch.header(),
            computed_crc: batch.computed_crc(),
        };
        em.emit(&Event::Batch(&info))?;
        let h = info.header;
        if h.base_offset < segment_base {
            em.corrupt(
                Some(info.position),
                format!(
                    "batch at byte {} has base offset {}, below the segment's base offset \
                     {segment_base} (from the file name)",
                    info.position, h.base_offset
                ),
            )?;
        } else if let Some(prev) = previous_batch_last
            && h.base_offset <= prev
        {
            em.corrupt(
                Some(info.position),
                format!(
                    "batch at byte {} has base offset {}, not above the previous batch's \
                     last offset {prev}",
                    info.position, h.base_offset
                ),
            )?;
        }
        previous_batch_last =
            Some(previous_batch_last.map_or(h.last_offset(), |p| p.max(h.last_offset())));
        walk_records(&batch, opts, em, &mut previous_record)?;
    }
    Ok(())
}

/// Decodes and checks the records of one batch, emitting them when asked.
fn walk_records(
    batch: &BatchRef<'_>,
    opts: &Options,
    em: &mut Emitter<'_>,
    previous_record: &mut Option<i64>,
) -> Result<(), InspectError> {
    let h = *batch.header();
    let position = batch.position();
    let data = match batch.records_data() {
        Ok(d) => d,
        Err(e) => return em.corrupt(Some(position), e.to_string()),
    };
    let iter = match batch.records(&data) {
        Ok(it) => it,
        Err(e) => return em.corrupt(Some(position), e.to_string()),
    };
    let mut previous_in_batch: Option<i64> = None;
    for record in iter {
        let record = match record {
            Ok(r) => r,
            Err(e) => return em.corrupt(Some(position), e.to_string()),
        };
        em.summary.records += 1;
        if previous_in_batch.is_some_and(|p| record.offset <= p) || record.offset > h.last_offset()
        {
            em.corrupt(
                Some(position),
                format!(
                    "record at offset {} in the batch at byte {position} is out of order or \
                     past the batch's last offset {}",
                    record.offset,
                    h.last_offset()
                ),
            )?;
        }
        previous_in_batch = Some(record.offset);
        if opts.verify
            && let Some(previous) = *previous_record
            && record.offset > previous.saturating_add(1)
        {
            // Offsets going back are errors of their own (reported above or per batch);
            // only gaps are listed here.
            em.mismatch(Mismatch::NonConsecutive {
                previous,
                next: record.offset,
            })?;
        }
        *previous_record = Some(record.offset);
        let control = h.attributes.is_control().then(|| control_of(&record));
        if opts.records {
            em.emit(&Event::Record(&RecordInfo {
                record,
                timestamp_type: h.attributes.timestamp_type(),
                control,
            }))?;
        }
        if control == Some(Control::Malformed) {
            em.corrupt(
                Some(position),
                format!(
                    "control record at offset {} in the batch at byte {position} has a \
                     malformed key or value",
                    record.offset
                ),
            )?;
        }
    }
    Ok(())
}

fn control_of(record: &RecordRef<'_>) -> Control {
    match control::control_type(record.key) {
        None => Control::Malformed,
        Some(ControlType::Other(t)) => Control::Other(t),
        Some(_) => control::end_txn_marker(record.key, record.value)
            .map_or(Control::Malformed, Control::EndTxn),
    }
}

/// Reads fixed-size entries from an index file in small chunks.
struct EntryReader {
    file: File,
    len: u64,
    pos: u64,
    entry_len: usize,
    buf: Vec<u8>,
    at: usize,
}

impl EntryReader {
    fn new(file: File, len: u64, entry_len: usize) -> Self {
        EntryReader {
            file,
            len,
            pos: 0,
            entry_len,
            buf: Vec::new(),
            at: 0,
        }
    }

    /// Bytes at the end that do not form a whole entry.
    fn trailing(&self) -> u64 {
        self.len % self.entry_len as u64
    }

    /// Byte position of the next entry.
    fn position(&self) -> u64 {
        self.pos - (self.buf.len() - self.at) as u64
    }

    /// The next whole entry, `None` at the end.
    fn next(&mut self) -> std::io::Result<Option<&[u8]>> {
        if self.at + self.entry_len > self.buf.len() {
            let whole_end = self.len - self.trailing();
            let left = whole_end.saturating_sub(self.pos);
            if left == 0 {
                return Ok(None);
            }
            let want = (CHUNK / self.entry_len * self.entry_len).min(left as usize);
            self.buf.resize(want, 0);
            let n = io::read_at(&self.file, &mut self.buf, self.pos)?;
            // A file that shrank under us: keep whole entries only.
            self.buf.truncate(n / self.entry_len * self.entry_len);
            self.pos += self.buf.len() as u64;
            self.at = 0;
            if self.buf.is_empty() {
                return Ok(None);
            }
        }
        let e = &self.buf[self.at..self.at + self.entry_len];
        self.at += self.entry_len;
        Ok(Some(e))
    }

    /// True when every byte from the next entry to the end of whole entries is zero.
    fn rest_is_zero(&mut self) -> std::io::Result<bool> {
        while let Some(e) = self.next()? {
            if e.iter().any(|&b| b != 0) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn read_offset_entry(e: &[u8], base: i64) -> (i32, OffsetEntry) {
    let rel = i32::from_be_bytes([e[0], e[1], e[2], e[3]]);
    let position = u32::from_be_bytes([e[4], e[5], e[6], e[7]]);
    (
        rel,
        OffsetEntry {
            offset: base + i64::from(rel),
            position,
        },
    )
}

fn read_time_entry(e: &[u8], base: i64) -> (i32, TimeEntry) {
    let mut ts = [0u8; 8];
    ts.copy_from_slice(&e[..8]);
    let rel = i32::from_be_bytes([e[8], e[9], e[10], e[11]]);
    (
        rel,
        TimeEntry {
            timestamp: i64::from_be_bytes(ts),
            offset: base + i64::from(rel),
        },
    )
}

/// What the verifying walk knows of one batch.
#[derive(Debug, Clone, Copy)]
struct Seen {
    position: u64,
    last_offset: i64,
    max_timestamp: i64,
}

/// Walks the sibling `.log` forward, batch by batch, for index verification.
struct LogWalker {
    stream: BatchStream<File>,
    len: u64,
    current: Option<Seen>,
    /// Why the walk cannot go further than `current`, once it cannot.
    ended: Option<String>,
}

impl LogWalker {
    /// `None` when the log does not exist.
    fn open(log: &Path) -> Result<Option<LogWalker>, LogError> {
        let file = match io::open_read(log) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(log, "open")(e)),
        };
        let len = io::len(&file).map_err(io_err(log, "stat"))?;
        Ok(Some(LogWalker {
            stream: BatchStream::new(file, 0, len, MAX_BATCH_BYTES).with_chunk(CHUNK),
            len,
            current: None,
            ended: None,
        }))
    }

    /// Moves to the next batch; false (and `ended` set) when there is none.
    fn advance(&mut self, log: &Path) -> Result<bool, LogError> {
        if self.ended.is_some() {
            return Ok(false);
        }
        match self.stream.next() {
            Ok(Some(b)) => {
                let h = b.header();
                self.current = Some(Seen {
                    position: b.position(),
                    last_offset: h.last_offset(),
                    max_timestamp: h.max_timestamp,
                });
                Ok(true)
            }
            Ok(None) => {
                self.ended = Some(format!("the log ends at byte {}", self.len));
                Ok(false)
            }
            Err(ScanStop::Io(e)) => Err(io_err(log, "read")(e)),
            Err(e) => {
                self.ended = Some(format!("the log is unreadable from there on: {e}"));
                Ok(false)
            }
        }
    }

    /// Advances until the current batch satisfies `done`, or the log ends.
    fn seek(&mut self, log: &Path, done: impl Fn(&Seen) -> bool) -> Result<Option<Seen>, LogError> {
        loop {
            if let Some(c) = self.current
                && done(&c)
            {
                return Ok(Some(c));
            }
            if !self.advance(log)? {
                return Ok(None);
            }
        }
    }
}

/// The `.log` beside an index file: same folder, same base-offset stem.
fn sibling_log(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.split('.').next().unwrap_or(name);
    path.with_file_name(format!("{stem}{}", names::LOG_SUFFIX))
}

/// Opens the sibling log for `verify`, reporting when it is missing.
fn walker_for(
    path: &Path,
    opts: &Options,
    em: &mut Emitter<'_>,
) -> Result<Option<(PathBuf, LogWalker)>, InspectError> {
    if !opts.verify {
        return Ok(None);
    }
    let log = sibling_log(path);
    match LogWalker::open(&log)? {
        Some(w) => Ok(Some((log, w))),
        None => {
            em.emit(&Event::Problem(&Problem {
                kind: ProblemKind::MissingLog,
                position: None,
                message: format!(
                    "cannot verify {}: its segment {} does not exist",
                    path.display(),
                    log.display()
                ),
            }))?;
            Ok(None)
        }
    }
}

/// After the entries: trailing bytes of a partial entry, and (with `verify`) data hidden
/// behind what looked like zero padding.
fn finish_index(
    path: &Path,
    reader: &mut EntryReader,
    stopped_at_padding: Option<u64>,
    opts: &Options,
    em: &mut Emitter<'_>,
) -> Result<(), InspectError> {
    if let Some(at) = stopped_at_padding
        && opts.verify
        && !reader.rest_is_zero().map_err(io_err(path, "read"))?
    {
        em.corrupt(
            Some(at),
            format!(
                "the entries end at byte {at} (an entry at the base offset, read as zero \
                 padding), but non-zero bytes follow"
            ),
        )?;
    }
    let trailing = reader.trailing();
    if trailing > 0 {
        em.emit(&Event::InvalidBytes {
            position: reader.len - trailing,
            count: trailing,
        })?;
    }
    Ok(())
}

/// The `.index` walk: entries up to zero padding, checked against the log with `verify`
/// (Kafka's rule: an entry's position is the start of a batch whose last offset is the
/// entry's offset; entries strictly increase in both fields).
fn dump_offset_index(
    path: &Path,
    base: i64,
    opts: &Options,
    em: &mut Emitter<'_>,
) -> Result<(), InspectError> {
    let (file, len) = open(path)?;
    let mut reader = EntryReader::new(file, len, OFFSET_ENTRY_LEN);
    if len < OFFSET_ENTRY_LEN as u64 {
        em.emit(&Event::IndexEmpty)?;
        return finish_index(path, &mut reader, None, opts, em);
    }
    let mut walker = walker_for(path, opts, em)?;
    let mut previous: Option<OffsetEntry> = None;
    let mut stopped_at_padding = None;
    let mut i = 0u64;
    loop {
        let at = reader.position();
        let Some(bytes) = reader.next().map_err(io_err(path, "read"))? else {
            break;
        };
        let (rel, entry) = read_offset_entry(bytes, base);
        // Like kafka-dump-log: a later entry at the base offset is zero padding.
        if i > 0 && rel == 0 {
            stopped_at_padding = Some(at);
            break;
        }
        i += 1;
        em.emit(&Event::IndexEntry(entry))?;
        if let Some((log, w)) = walker.as_mut() {
            check_offset_entry(log, w, previous, entry, em)?;
        }
        previous = Some(entry);
    }
    finish_index(path, &mut reader, stopped_at_padding, opts, em)
}

fn check_offset_entry(
    log: &Path,
    walker: &mut LogWalker,
    previous: Option<OffsetEntry>,
    entry: OffsetEntry,
    em: &mut Emitter<'_>,
) -> Result<(), InspectError> {
    if let Some(p) = previous
        && (entry.offset <= p.offset || entry.position <= p.position)
    {
        return em.mismatch(Mismatch::IndexOutOfOrder {
            index_offset: entry.offset,
            position: entry.position,
            previous_offset: p.offset,
            previous_position: p.position,
        });
    }
    let target = u64::from(entry.position);
    let found = walker.seek(log, |s| s.position >= target)?;
    match found {
        Some(s) if s.position == target => {
            if s.last_offset != entry.offset {
                em.mismatch(Mismatch::IndexOffset {
                    index_offset: entry.offset,
                    position: entry.position,
                    log_offset: s.last_offset,
                })?;
            }
            Ok(())
        }
        Some(s) => em.mismatch(Mismatch::IndexPosition {
            index_offset: entry.offset,
            position: entry.position,
            reason: format!(
                "no batch starts at byte {target}; the next one starts at byte {}",
                s.position
            ),
        }),
        None => em.mismatch(Mismatch::IndexPosition {
            index_offset: entry.offset,
            position: entry.position,
            reason: format!(
                "no batch starts at byte {target}: {}",
                walker.ended.as_deref().unwrap_or("the log ends")
            ),
        }),
    }
}

/// The `.timeindex` walk: entries up to zero padding, checked against the log with
/// `verify` (Kafka's rule: an entry's offset is the last offset of a batch whose max
/// timestamp is the entry's timestamp; timestamps strictly increase, offsets never
/// decrease).
fn dump_time_index(
    path: &Path,
    base: i64,
    opts: &Options,
    em: &mut Emitter<'_>,
) -> Result<(), InspectError> {
    let (file, len) = open(path)?;
    let mut reader = EntryReader::new(file, len, TIME_ENTRY_LEN);
    let mut walker = if len >= TIME_ENTRY_LEN as u64 {
        walker_for(path, opts, em)?
    } else {
        None
    };
    let mut previous: Option<TimeEntry> = None;
    let mut stopped_at_padding = None;
    let mut i = 0u64;
    loop {
        let at = reader.position();
        let Some(bytes) = reader.next().map_err(io_err(path, "read"))? else {
            break;
        };
        let (rel, entry) = read_time_entry(bytes, base);
        if i > 0 && rel == 0 {
            stopped_at_padding = Some(at);
            break;
        }
        i += 1;
        em.emit(&Event::TimeIndexEntry(entry))?;
        if let Some((log, w)) = walker.as_mut() {
            check_time_entry(log, w, previous, entry, em)?;
        }
        previous = Some(entry);
    }
    finish_index(path, &mut reader, stopped_at_padding, opts, em)
}

fn check_time_entry(
    log: &Path,
    walker: &mut LogWalker,
    previous: Option<TimeEntry>,
    entry: TimeEntry,
    em: &mut Emitter<'_>,
) -> Result<(), InspectError> {
    if let Some(p) = previous
        && (entry.timestamp <= p.timestamp || entry.offset < p.offset)
    {
        em.mismatch(Mismatch::TimeIndexOutOfOrder {
            timestamp: entry.timestamp,
            offset: entry.offset,
            previous_timestamp: p.timestamp,
            previous_offset: p.offset,
        })?;
        if entry.offset < p.offset {
            // The forward walk cannot go back; the entry is wrong either way.
            return Ok(());
        }
    }
    match walker.seek(log, |s| s.last_offset >= entry.offset)? {
        Some(s) if s.last_offset != entry.offset => em.mismatch(Mismatch::TimeIndexOffset {
            index_offset: entry.offset,
            log_offset: s.last_offset,
        }),
        Some(s) if s.max_timestamp != entry.timestamp => {
            em.mismatch(Mismatch::TimeIndexTimestamp {
                offset: entry.offset,
                index_timestamp: entry.timestamp,
                log_timestamp: s.max_timestamp,
            })
        }
        Some(_) => Ok(()),
        None => em.mismatch(Mismatch::TimeIndexOffset {
            index_offset: entry.offset,
            log_offset: -1,
        }),
    }
}

/// Kafka's checkpoint framing (kafka-format.md §1), read line by line: version 0, the
/// entry count, then every remaining line is an entry. Each bad line is reported; the
/// count is checked at the end.
fn dump_checkpoint(path: &Path, kind: FileKind, em: &mut Emitter<'_>) -> Result<(), InspectError> {
    let (file, _) = open(path)?;
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut line_no = 0usize;
    let mut byte = 0u64;
    let mut declared: Option<u64> = None;
    let mut found = 0u64;
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_CHECKPOINT_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(io_err(path, "read"))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let at = byte;
        byte += n as u64;
        if n > MAX_CHECKPOINT_LINE && line.last() != Some(&b'\n') {
            return em.corrupt(
                Some(at),
                format!("line {line_no} is longer than {MAX_CHECKPOINT_LINE} bytes"),
            );
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            em.corrupt(Some(at), format!("line {line_no} is not UTF-8"))?;
            continue;
        };
        let text = text.trim_end_matches(['\n', '\r']);
        match line_no {
            1 if text.trim() != "0" => {
                return em.corrupt(
                    Some(at),
                    format!("line 1: version {text:?} is not 0, the only one Kafka writes"),
                );
            }
            1 => {}
            2 => match text.trim().parse::<u64>() {
                Ok(c) => declared = Some(c),
                Err(_) => {
                    return em.corrupt(
                        Some(at),
                        format!("line 2: entry count {text:?} is not a number"),
                    );
                }
            },
            _ => {
                found += 1;
                match parse_checkpoint_line(kind, text) {
                    Ok(entry) => em.emit(&Event::CheckpointEntry(entry))?,
                    Err(why) => em.corrupt(Some(at), format!("line {line_no}: {why}"))?,
                }
            }
        }
    }
    if let Some(declared) = declared
        && declared != found
    {
        em.corrupt(
            None,
            format!("line 2 declares {declared} entries but {found} lines follow"),
        )?;
    } else if line_no == 1 {
        em.corrupt(None, "the entry count (line 2) is missing".into())?;
    }
    Ok(())
}

fn parse_checkpoint_line(kind: FileKind, text: &str) -> Result<CheckpointEntry<'_>, String> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    if kind == FileKind::LeaderEpochCheckpoint {
        let [epoch, start] = fields[..] else {
            return Err(format!("expected `epoch startOffset`, found {text:?}"));
        };
        return Ok(CheckpointEntry::Epoch {
            epoch: epoch
                .parse()
                .map_err(|_| format!("epoch {epoch:?} is not a number"))?,
            start_offset: start
                .parse()
                .map_err(|_| format!("start offset {start:?} is not a number"))?,
        });
    }
    let [topic, partition, offset] = fields[..] else {
        return Err(format!("expected `topic partition offset`, found {text:?}"));
    };
    Ok(CheckpointEntry::Offset {
        topic,
        partition: partition
            .parse()
            .map_err(|_| format!("partition {partition:?} is not a number"))?,
        offset: offset
            .parse()
            .map_err(|_| format!("offset {offset:?} is not a number"))?,
    })
}

fn dump_partition_metadata(path: &Path, em: &mut Emitter<'_>) -> Result<(), InspectError> {
    let (_, len) = open(path)?;
    if len > MAX_PARTITION_METADATA {
        return em.corrupt(
            None,
            format!("{len} bytes is too large for a partition.metadata file"),
        );
    }
    match checkpoint::read_partition_metadata(path) {
        Ok(Some(topic_id)) => em.emit(&Event::CheckpointEntry(CheckpointEntry::TopicId {
            version: 0,
            topic_id,
        })),
        Ok(None) => Err(LogError::Io {
            path: path.to_path_buf(),
            op: "read",
            source: std::io::ErrorKind::NotFound.into(),
        }
        .into()),
        Err(LogError::BadCheckpoint { line, reason, .. }) => {
            em.corrupt(None, format!("line {line}: {reason}"))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{LogConfig, OpenHints, PartitionLog};
    use crate::record::control::end_txn_batch;
    use crate::record::{BatchBuilder, BatchOptions};

    const TS0: i64 = 1_700_000_000_000;

    /// kafka-format.md §9.2.
    fn example_batch() -> Vec<u8> {
        let mut b = BatchBuilder::new(BatchOptions::default());
        b.append(TS0, Some(b"k1"), Some(b"v1"), &[(b"hk", Some(b"hv"))]);
        b.append(TS0 + 5, None, Some(b"hello"), &[]);
        b.build(0, 0)
    }

    fn fix_crc(b: &mut [u8]) {
        let crc = crc32c::crc32c(&b[21..]);
        b[17..21].copy_from_slice(&crc.to_be_bytes());
    }

    /// Every event of a walk as one compact line, and the summary.
    fn walk(path: &Path, opts: Options) -> (Vec<String>, Summary) {
        let kind = file_kind(path).unwrap();
        let mut lines = Vec::new();
        let mut v = |e: &Event<'_>| {
            lines.push(match e {
                Event::Start { kind } => format!("start {}", kind.name()),
                Event::Batch(b) => format!(
                    "batch {}..{} @{} valid={}",
                    b.header.base_offset,
                    b.header.last_offset(),
                    b.position,
                    b.crc_valid()
                ),
                Event::Record(r) => format!("record {} {:?}", r.record.offset, r.control),
                Event::IndexEntry(e) => format!("index {} {}", e.offset, e.position),
                Event::TimeIndexEntry(e) => format!("time {} {}", e.timestamp, e.offset),
                Event::IndexEmpty => "empty".into(),
                Event::CheckpointEntry(c) => format!("entry {c:?}"),
                Event::InvalidBytes { position, count } => format!("invalid {position} {count}"),
                Event::Mismatch(m) => format!("mismatch {m:?}"),
                Event::Problem(p) => format!("problem {:?} {}", p.kind, p.message),
            });
            Ok(())
        };
        let s = inspect(path, kind, &opts, &mut v).unwrap();
        (lines, s)
    }

    fn deep() -> Options {
        Options {
            records: true,
            verify: true,
            max_bytes: None,
        }
    }

    #[test]
    fn kinds_come_from_names() {
        let k = |n: &str| file_kind(Path::new(n));
        assert_eq!(
            k("demo-0/00000000000000000042.log"),
            Ok(FileKind::Log { base_offset: 42 })
        );
        assert_eq!(
            k("00000000000000000042.index.deleted"),
            Ok(FileKind::OffsetIndex { base_offset: 42 })
        );
        assert_eq!(k("7.timeindex"), Ok(FileKind::TimeIndex { base_offset: 7 }));
        assert_eq!(
            k("leader-epoch-checkpoint"),
            Ok(FileKind::LeaderEpochCheckpoint)
        );
        assert_eq!(
            k("recovery-point-offset-checkpoint"),
            Ok(FileKind::OffsetCheckpoint)
        );
        assert_eq!(
            k("cleaner-offset-checkpoint"),
            Ok(FileKind::OffsetCheckpoint)
        );
        assert_eq!(k("partition.metadata"), Ok(FileKind::PartitionMetadata));
        let e = k("00000000000000000042.snapshot").unwrap_err();
        assert!(e.reason.contains("not supported yet"), "{e}");
        assert!(k("00000000000000000042.txnindex").is_err());
        assert!(k("segment.log").unwrap_err().reason.contains("base offset"));
        assert!(k("99999999999999999999.log").is_err(), "overflows i64");
        assert!(k("notes.txt").unwrap_err().reason.contains("unknown"));
        assert!(k("README").is_err());
    }

    #[test]
    fn a_segment_yields_its_batch_and_records() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("00000000000000000000.log");
        let mut bytes = example_batch();
        bytes.extend(end_txn_batch(true, 1000, 0, 5, TS0 + 10).build(2, 0));
        std::fs::write(&p, &bytes).unwrap();
        let (lines, s) = walk(&p, deep());
        assert_eq!(
            lines,
            [
                "start log",
                "batch 0..1 @0 valid=true",
                "record 0 None",
                "record 1 None",
                "batch 2..2 @90 valid=true",
                "record 2 Some(EndTxn(EndTxnMarker { kind: Commit, coordinator_epoch: 5 }))",
            ]
        );
        assert!(!s.is_corrupt());
        assert_eq!((s.batches, s.records), (2, 3));

        // Without `records` the records are still decoded, but not emitted.
        let (lines, s) = walk(&p, Options::default());
        assert_eq!(lines.len(), 3);
        assert_eq!(s.records, 3);
    }

    #[test]
    fn a_torn_tail_is_invalid_bytes_unless_max_bytes_cut_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("00000000000000000000.log");
        let mut bytes = example_batch();
        let mut second = example_batch();
        crate::record::batch::set_base_offset(&mut second, 2);
        bytes.extend_from_slice(&second[..40]);
        std::fs::write(&p, &bytes).unwrap();
        let (lines, s) = walk(&p, Options::default());
        assert_eq!(lines.last().unwrap(), "invalid 90 40");
        assert!(s.is_corrupt());
        assert_eq!(s.invalid_bytes, 40);

        let cut = Options {
            max_bytes: Some(100),
            ..Options::default()
        };
        let (lines, s) = walk(&p, cut);
        assert_eq!(lines, ["start log", "batch 0..1 @0 valid=true"]);
        assert!(!s.is_corrupt());

        // Fewer than 17 bytes (not even a length field) are invalid bytes too.
        std::fs::write(&p, [example_batch(), vec![0; 10]].concat()).unwrap();
        assert_eq!(
            walk(&p, Options::default()).0.last().unwrap(),
            "invalid 90 10"
        );
    }

    #[test]
    fn a_bad_crc_is_reported_and_the_walk_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("00000000000000000000.log");
        let mut first = example_batch();
        first[80] ^= 0x01;
        let mut second = example_batch();
        crate::record::batch::set_base_offset(&mut second, 2);
        std::fs::write(&p, [first, second].concat()).unwrap();
        let (lines, s) = walk(&p, Options::default());
        assert_eq!(lines[1], "batch 0..1 @0 valid=false");
        assert_eq!(lines[2], "batch 2..3 @90 valid=true");
        assert_eq!(s.bad_crcs, 1);
        assert!(s.is_corrupt());
    }

    /// Regression guard for hostile length fields: each is refused from its 17-byte prefix
    /// (the cap is checked before anything is read or allocated for the batch).
    #[test]
    fn hostile_lengths_and_counts_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("00000000000000000000.log");
        for length in [i32::MAX, -1, 0, i32::MIN] {
            let mut b = example_batch();
            b[8..12].copy_from_slice(&length.to_be_bytes());
            std::fs::write(&p, &b).unwrap();
            let (lines, s) = walk(&p, deep());
            assert!(lines[1].starts_with("problem Corrupt"), "{lines:?}");
            assert!(lines[1].contains("length field"), "{lines:?}");
            assert_eq!(lines[2], "invalid 0 90");
            assert!(s.is_corrupt());
        }
        let mut b = example_batch();
        b[57..61].copy_from_slice(&i32::MAX.to_be_bytes());
        fix_crc(&mut b);
        std::fs::write(&p, &b).unwrap();
        let (lines, s) = walk(&p, deep());
        assert_eq!(lines[1], "batch 0..1 @0 valid=true");
        assert!(lines[2].contains("record count 2147483647"), "{lines:?}");
        assert_eq!(s.errors, 1);
    }

    #[test]
    fn offsets_must_increase_and_gaps_are_mismatches_when_verifying() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("00000000000000000010.log");
        let mut a = example_batch();
        crate::record::batch::set_base_offset(&mut a, 10);
        let mut b = example_batch();
        crate::record::batch::set_base_offset(&mut b, 15);
        let mut c = example_batch();
        crate::record::batch::set_base_offset(&mut c, 16);
        std::fs::write(&p, [a, b, c].concat()).unwrap();
        let (lines, s) = walk(&p, deep());
        assert!(
            lines.contains(&"mismatch NonConsecutive { previous: 11, next: 15 }".to_string()),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("not above the previous batch's last offset 16"))
        );
        assert_eq!((s.mismatches, s.errors), (1, 1), "{lines:?}");
        // Without verify the gap is not looked for; going backwards still is an error.
        let (_, s) = walk(&p, Options::default());
        assert_eq!((s.mismatches, s.errors), (0, 1));

        let mut low = example_batch();
        crate::record::batch::set_base_offset(&mut low, 3);
        std::fs::write(&p, low).unwrap();
        let (lines, _) = walk(&p, Options::default());
        assert!(
            lines[2].contains("below the segment's base offset 10"),
            "{lines:?}"
        );
    }

    /// A segment written by PartitionLog with a small index interval, so both indexes have
    /// entries.
    fn indexed_segment(dir: &Path) -> PathBuf {
        let cfg = LogConfig {
            index_interval_bytes: 200,
            ..LogConfig::default()
        };
        let (mut log, _) = PartitionLog::open(dir, cfg, OpenHints::default()).unwrap();
        for i in 0..20i64 {
            let mut b = BatchBuilder::new(BatchOptions::default());
            for j in 0..3 {
                let v = format!("value-{i}-{j}-{}", "x".repeat(30));
                b.append(TS0 + i * 1000 + j, None, Some(v.as_bytes()), &[]);
            }
            let mut bytes = b.build(0, 0);
            log.append(&mut bytes, 0, TS0).unwrap();
        }
        log.flush().unwrap();
        dir.join("00000000000000000000.log")
    }

    #[test]
    fn indexes_written_by_the_log_verify_clean() {
        let dir = tempfile::tempdir().unwrap();
        let log = indexed_segment(dir.path());
        let (lines, s) = walk(&log.with_extension("index"), deep());
        assert!(s.entries >= 3, "{lines:?}");
        assert_eq!(
            s,
            Summary {
                entries: s.entries,
                ..Summary::default()
            },
            "{lines:?}"
        );
        let (lines, s) = walk(&log.with_extension("timeindex"), deep());
        assert!(s.entries >= 3, "{lines:?}");
        assert!(!s.is_corrupt(), "{lines:?}");
        assert!(!walk(&log, deep()).1.is_corrupt());
    }

    #[test]
    fn damaged_indexes_list_every_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let log = indexed_segment(dir.path());
        let idx = log.with_extension("index");
        let mut bytes = std::fs::read(&idx).unwrap();
        // Entry 0: wrong offset. Entry 1: position inside a batch.
        bytes[3] = bytes[3].wrapping_add(1);
        bytes[15] = bytes[15].wrapping_add(1);
        bytes.extend_from_slice(&[1, 2, 3]);
        std::fs::write(&idx, &bytes).unwrap();
        let (lines, s) = walk(&idx, deep());
        let mismatches: Vec<_> = lines.iter().filter(|l| l.starts_with("mismatch")).collect();
        assert_eq!(mismatches.len(), 2, "{lines:?}");
        assert!(mismatches[0].contains("IndexOffset"), "{lines:?}");
        assert!(
            mismatches[1].contains("no batch starts at byte"),
            "{lines:?}"
        );
        assert_eq!(
            lines.last().unwrap(),
            &format!("invalid {} 3", bytes.len() - 3)
        );
        assert!(s.is_corrupt());
        // Without verify only the partial entry is a problem.
        let (_, s) = walk(&idx, Options::default());
        assert_eq!((s.mismatches, s.invalid_bytes), (0, 3));

        let tidx = log.with_extension("timeindex");
        let mut bytes = std::fs::read(&tidx).unwrap();
        bytes[7] = bytes[7].wrapping_add(1); // timestamp of entry 0
        bytes[12 + 11] = bytes[12 + 11].wrapping_add(1); // offset of entry 1
        std::fs::write(&tidx, &bytes).unwrap();
        let (lines, _) = walk(&tidx, deep());
        let mismatches: Vec<_> = lines.iter().filter(|l| l.starts_with("mismatch")).collect();
        assert!(mismatches[0].contains("TimeIndexTimestamp"), "{lines:?}");
        assert!(mismatches[1].contains("TimeIndexOffset"), "{lines:?}");
    }

    #[test]
    fn index_padding_and_missing_logs() {
        let dir = tempfile::tempdir().unwrap();
        let idx = dir.path().join("00000000000000000100.index");
        let mut bytes = vec![0, 0, 0, 3, 0, 0, 0x11, 0x3a];
        bytes.extend_from_slice(&[0; 24]);
        std::fs::write(&idx, &bytes).unwrap();
        let (lines, s) = walk(&idx, Options::default());
        assert_eq!(lines, ["start offset_index", "index 103 4410"]);
        assert!(!s.is_corrupt());
        // With verify: no .log beside it.
        let (lines, s) = walk(&idx, deep());
        assert!(lines[1].contains("MissingLog"), "{lines:?}");
        assert!(s.missing_log && !s.is_corrupt());
        // Data hidden after what looks like padding.
        bytes.extend_from_slice(&[0, 0, 0, 9, 0, 0, 0x22, 0x74]);
        std::fs::write(&idx, &bytes).unwrap();
        let (lines, _) = walk(&idx, deep());
        assert!(
            lines.iter().any(|l| l.contains("non-zero bytes follow")),
            "{lines:?}"
        );

        std::fs::write(&idx, []).unwrap();
        assert_eq!(walk(&idx, deep()).0, ["start offset_index", "empty"]);
        std::fs::write(&idx, [1, 2, 3]).unwrap();
        assert_eq!(
            walk(&idx, deep()).0,
            ["start offset_index", "empty", "invalid 0 3"]
        );
    }

    #[test]
    fn checkpoints_are_read_line_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("replication-offset-checkpoint");
        std::fs::write(&p, "0\n2\ndemo 0 2\n__consumer_offsets 12 1\n").unwrap();
        let (lines, s) = walk(&p, Options::default());
        assert_eq!(
            lines[1],
            "entry Offset { topic: \"demo\", partition: 0, offset: 2 }"
        );
        assert_eq!((s.entries, s.is_corrupt()), (2, false));

        std::fs::write(&p, "0\n3\ndemo 0\ndemo x 1\ndemo 1 5\n").unwrap();
        let (lines, s) = walk(&p, Options::default());
        assert!(
            lines[1].contains("line 3: expected `topic partition offset`"),
            "{lines:?}"
        );
        assert!(lines[2].contains("line 4: partition \"x\""), "{lines:?}");
        assert_eq!((s.entries, s.errors), (1, 2));

        std::fs::write(&p, "0\n5\ndemo 0 1\n").unwrap();
        assert!(walk(&p, Options::default()).0[2].contains("declares 5 entries but 1"));
        std::fs::write(&p, "1\n0\n").unwrap();
        assert!(walk(&p, Options::default()).0[1].contains("version \"1\" is not 0"));
        std::fs::write(&p, "").unwrap();
        assert_eq!(walk(&p, Options::default()).0, ["start offset_checkpoint"]);
        std::fs::write(&p, vec![b'a'; MAX_CHECKPOINT_LINE + 10]).unwrap();
        assert!(walk(&p, Options::default()).0[1].contains("longer than"));

        let p = dir.path().join("leader-epoch-checkpoint");
        std::fs::write(&p, "0\n2\n0 0\n3 150\n").unwrap();
        let (lines, _) = walk(&p, Options::default());
        assert_eq!(lines[2], "entry Epoch { epoch: 3, start_offset: 150 }");
    }

    #[test]
    fn partition_metadata_shows_the_topic_id() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("partition.metadata");
        std::fs::write(&p, "version: 0\ntopic_id: ASNFZ4mrze8P7cuph2VDIQ").unwrap();
        let (lines, _) = walk(&p, Options::default());
        assert!(lines[1].contains("TopicId"), "{lines:?}");
        std::fs::write(&p, "version: 1\n").unwrap();
        let (lines, s) = walk(&p, Options::default());
        assert!(lines[1].contains("line 1"), "{lines:?}");
        assert!(s.is_corrupt());
        std::fs::write(&p, vec![b'x'; 5000]).unwrap();
        assert!(walk(&p, Options::default()).1.is_corrupt());
    }
}
