//! One segment of a replica's log: the `.log` file and its two indexes, with the index
//! rule Kafka's `LogSegment` follows (kafka-format.md §4.3): after writing a batch at
//! position `pos`, when `pos - lastIndexedPos > index.interval.bytes`, index the batch's
//! last offset at `pos` and the largest timestamp so far. Recovery rebuilds exactly the
//! same entries, so our index files are byte-identical to what Kafka would rebuild.
//!
//! The `.log` is written before its index entries, so an index never points past the data.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::record::{BatchHeader, batch::MAX_BATCH_BYTES};

use super::index::{self, IndexFile, OffsetEntry, TimeEntry};
use super::names::{self, INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX};
use super::stream::{BatchOrder, BatchStream, ScanStop};
use super::{LogError, io, io_err};

/// Kafka's `segment.index.bytes` default (10 MiB) as entry counts: a segment rolls when
/// either index would be full.
const MAX_OFFSET_ENTRIES: usize = 10_485_760 / index::OFFSET_ENTRY_LEN;
const MAX_TIME_ENTRIES: usize = 10_485_760 / index::TIME_ENTRY_LEN - 1;

/// The running state of the index rule for one segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexState {
    /// Position of the last indexed batch (0 when none).
    pub last_indexed_pos: u64,
    /// Largest timestamp seen.
    pub max_ts: i64,
    /// Offset of the batch that had it.
    pub max_ts_offset: i64,
    /// Timestamp of the last time-index entry (-1 when none).
    pub last_time_entry_ts: i64,
}

impl IndexState {
    /// The state of an empty segment.
    pub const EMPTY: IndexState = IndexState {
        last_indexed_pos: 0,
        max_ts: -1,
        max_ts_offset: -1,
        last_time_entry_ts: -1,
    };

    /// Applies the rule for one batch at `pos`; returns the entries to append.
    pub fn observe(
        &mut self,
        h: &BatchHeader,
        pos: u64,
        interval: u64,
    ) -> (Option<OffsetEntry>, Option<TimeEntry>) {
        if h.max_timestamp > self.max_ts {
            self.max_ts = h.max_timestamp;
            self.max_ts_offset = h.last_offset();
        }
        if pos - self.last_indexed_pos <= interval {
            return (None, None);
        }
        self.last_indexed_pos = pos;
        let off = Some(OffsetEntry {
            offset: h.last_offset(),
            position: pos as u32,
        });
        let time = self.time_entry();
        (off, time)
    }

    /// The time entry a roll or close adds, if the largest timestamp is not indexed yet.
    pub fn time_entry(&mut self) -> Option<TimeEntry> {
        if self.max_ts > self.last_time_entry_ts {
            self.last_time_entry_ts = self.max_ts;
            Some(TimeEntry {
                timestamp: self.max_ts,
                offset: self.max_ts_offset,
            })
        } else {
            None
        }
    }
}

/// What a scan of a segment found.
#[derive(Debug)]
pub struct Scan {
    /// Byte position after the last valid batch.
    pub valid_end: u64,
    /// Offset after the last valid batch (the segment's base when none).
    pub next_offset: i64,
    /// Index state after the last valid batch.
    pub state: IndexState,
    /// Offset entries the rule produced (for a rebuild).
    pub offsets: Vec<OffsetEntry>,
    /// Time entries the rule produced.
    pub times: Vec<TimeEntry>,
    /// Max timestamp of the segment's first batch (the basis for time-based rolling).
    pub first_batch_max_ts: Option<i64>,
    /// Number of valid batches scanned.
    pub batches: u64,
    /// Why the scan stopped before the end of the file, if it did.
    pub stop: Option<ScanStop>,
}

/// Walks `log` from `from` to `end`, checking each batch's framing and CRC, feeding the index
/// rule. Stops at the first invalid batch (reported in [`Scan::stop`]). Offsets must increase
/// from batch to batch ([`BatchOrder`]), but may leap forward anywhere, the active segment
/// included: compaction leaves gaps, and a follower copies its leader's compacted batches
/// into its active segment (Kafka's `LogSegment.recover` validates batches, not offset
/// density).
pub fn scan(
    log: &File,
    from: u64,
    end: u64,
    base_offset: i64,
    mut state: IndexState,
    interval: u64,
    verify_crc: bool,
) -> Scan {
    let mut out = Scan {
        valid_end: from,
        next_offset: base_offset,
        state,
        offsets: Vec::new(),
        times: Vec::new(),
        first_batch_max_ts: None,
        batches: 0,
        stop: None,
    };
    // The log's ordering rules: epochs that never decrease, offsets within the segment's
    // range and above the batches before (a damaged base offset, which the CRC does not
    // cover, shows there).
    let mut stream =
        BatchStream::new(log, from, end, MAX_BATCH_BYTES).ordered(BatchOrder::new(base_offset));
    loop {
        let batch = match stream.next() {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(e) => {
                out.stop = Some(e);
                break;
            }
        };
        if verify_crc && let Err(e) = batch.verify_crc() {
            out.stop = Some(ScanStop::Corrupt(e));
            break;
        }
        let h = *batch.header();
        let pos = batch.position();
        if from == 0 && out.batches == 0 {
            out.first_batch_max_ts = Some(h.max_timestamp);
        }
        let (o, t) = state.observe(&h, pos, interval);
        out.offsets.extend(o);
        out.times.extend(t);
        out.batches += 1;
        out.valid_end = pos + h.size() as u64;
        out.next_offset = h.next_offset();
    }
    out.state = state;
    out
}

/// A segment open for appending.
#[derive(Debug)]
pub struct Segment {
    base_offset: i64,
    log_path: PathBuf,
    log: File,
    size: u64,
    index: IndexFile<OffsetEntry>,
    time_index: IndexFile<TimeEntry>,
    state: IndexState,
    next_offset: i64,
    first_batch_max_ts: Option<i64>,
    interval: u64,
}

/// Creates the files of an empty segment based at `base_offset` in `dir` (`.log`, `.index`,
/// `.timeindex`, all empty), as Kafka creates a new replica's active segment, so the folder
/// of a partition nobody wrote to yet looks like Kafka's (and `dump` finds its files).
/// Files that exist already are left as they are: this never truncates data.
pub fn create_empty(dir: &Path, base_offset: i64) -> Result<(), LogError> {
    for suffix in [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX] {
        let path = names::segment_path(dir, base_offset, suffix);
        match io::open(&path, OpenOptions::new().write(true).create_new(true)) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io_err(&path, "create")(e)),
        }
    }
    Ok(())
}

impl Segment {
    /// Creates an empty segment based at `base_offset` in `dir`.
    pub fn create(dir: &Path, base_offset: i64, interval: u64) -> Result<Segment, LogError> {
        let log_path = names::segment_path(dir, base_offset, LOG_SUFFIX);
        let log = io::open(
            &log_path,
            OpenOptions::new().read(true).append(true).create(true),
        )
        .map_err(io_err(&log_path, "create"))?;
        io::set_len(&log, 0).map_err(io_err(&log_path, "truncate"))?;
        Self::with_scan(
            dir,
            base_offset,
            log_path,
            log,
            Scan {
                valid_end: 0,
                next_offset: base_offset,
                state: IndexState::EMPTY,
                offsets: Vec::new(),
                times: Vec::new(),
                first_batch_max_ts: None,
                batches: 0,
                stop: None,
            },
            interval,
            true,
        )
    }

    fn with_scan(
        dir: &Path,
        base_offset: i64,
        log_path: PathBuf,
        log: File,
        scan: Scan,
        interval: u64,
        rewrite_indexes: bool,
    ) -> Result<Segment, LogError> {
        let ipath = names::segment_path(dir, base_offset, INDEX_SUFFIX);
        let tpath = names::segment_path(dir, base_offset, TIME_INDEX_SUFFIX);
        let index = IndexFile::open(&ipath, base_offset, scan.offsets, rewrite_indexes)
            .map_err(io_err(&ipath, "write"))?;
        let time_index = IndexFile::open(&tpath, base_offset, scan.times, rewrite_indexes)
            .map_err(io_err(&tpath, "write"))?;
        Ok(Segment {
            base_offset,
            log_path,
            log,
            size: scan.valid_end,
            index,
            time_index,
            state: scan.state,
            next_offset: scan.next_offset,
            first_batch_max_ts: scan.first_batch_max_ts,
            interval,
        })
    }

    /// Opens an existing segment by validating every batch and rebuilding both indexes
    /// (with the closing time entry, as Kafka's `LogSegment.recover` writes). Cuts the `.log`
    /// after its last valid batch and reports why the scan stopped, unless that batch lies
    /// below `recovery_point`: flushed data is never cut, and that is an error instead.
    pub fn recover(
        dir: &Path,
        base_offset: i64,
        interval: u64,
        recovery_point: i64,
        may_cut: bool,
    ) -> Result<(Segment, Option<ScanStop>), LogError> {
        let log_path = names::segment_path(dir, base_offset, LOG_SUFFIX);
        let log = io::open(&log_path, OpenOptions::new().read(true).append(true))
            .map_err(io_err(&log_path, "open"))?;
        let len = io::len(&log).map_err(io_err(&log_path, "stat"))?;
        let mut scan = scan(&log, 0, len, base_offset, IndexState::EMPTY, interval, true);
        let stop = scan.stop.take();
        if let Some(stop) = &stop
            && scan.next_offset < recovery_point
        {
            return Err(LogError::CorruptBelowRecoveryPoint {
                path: log_path,
                position: scan.valid_end,
                offset: scan.next_offset,
                recovery_point,
                detail: stop.to_string(),
            });
        }
        if let Some(stop) = &stop
            && !may_cut
        {
            return Err(LogError::DamagedTail {
                path: log_path,
                position: scan.valid_end,
                offset: scan.next_offset,
                detail: stop.to_string(),
            });
        }
        if let Some(t) = scan.state.time_entry() {
            scan.times.push(t);
        }
        let valid_end = scan.valid_end;
        // The rebuilt indexes go first and the `.log` is cut after: a reader that takes no
        // lock never finds an index entry pointing past the end of the data.
        let seg = Self::with_scan(dir, base_offset, log_path, log, scan, interval, true)?;
        if valid_end < len {
            io::set_len(&seg.log, valid_end).map_err(io_err(&seg.log_path, "truncate"))?;
        }
        Ok((seg, stop))
    }

    /// Opens the active segment quickly: loads its indexes, checks them, and scans only from
    /// the last indexed batch to the end. `Ok(None)` when anything is off (a torn or corrupt
    /// tail, an index that is missing, malformed or points past the data): the caller then
    /// runs [`Segment::recover`].
    pub fn open_tail(
        dir: &Path,
        base_offset: i64,
        interval: u64,
    ) -> Result<Option<Segment>, LogError> {
        let log_path = names::segment_path(dir, base_offset, LOG_SUFFIX);
        let ipath = names::segment_path(dir, base_offset, INDEX_SUFFIX);
        let tpath = names::segment_path(dir, base_offset, TIME_INDEX_SUFFIX);
        let (Ok(ibytes), Ok(tbytes)) = (io::read_file(&ipath), io::read_file(&tpath)) else {
            return Ok(None);
        };
        let offsets = index::parse_offset_index(&ibytes, base_offset);
        let times = index::parse_time_index(&tbytes, base_offset);
        if offsets.trailing != 0
            || offsets.padding != 0
            || times.trailing != 0
            || times.padding != 0
            || !index::offsets_increase(&offsets.entries)
            || !index::times_increase(&times.entries)
        {
            return Ok(None);
        }
        let log = io::open(&log_path, OpenOptions::new().read(true).append(true))
            .map_err(io_err(&log_path, "open"))?;
        let len = io::len(&log).map_err(io_err(&log_path, "stat"))?;
        let last_pos = offsets.entries.last().map_or(0, |e| u64::from(e.position));
        if last_pos >= len && last_pos != 0 {
            return Ok(None);
        }
        let state = IndexState {
            last_indexed_pos: last_pos,
            max_ts: times.entries.last().map_or(-1, |e| e.timestamp),
            max_ts_offset: times.entries.last().map_or(-1, |e| e.offset),
            last_time_entry_ts: times.entries.last().map_or(-1, |e| e.timestamp),
        };
        let mut tail = scan(&log, last_pos, len, base_offset, state, interval, true);
        if tail.stop.is_some() || tail.valid_end != len {
            return Ok(None);
        }
        // The last offset entry must point at the start of the batch ending at its offset.
        if let Some(e) = offsets.entries.last() {
            let mut at = BatchStream::new(&log, last_pos, len, MAX_BATCH_BYTES).with_chunk(4096);
            match at.next() {
                Ok(Some(b)) if b.header().last_offset() == e.offset => {}
                _ => return Ok(None),
            }
        }
        if let Some(t) = times.entries.last()
            && t.offset >= tail.next_offset
            && len > 0
        {
            return Ok(None);
        }
        if !tail.offsets.is_empty() || !tail.times.is_empty() {
            // The tail holds batches that should have index entries: an index append was
            // lost. Rebuild through recovery rather than patching.
            return Ok(None);
        }
        tail.offsets = offsets.entries;
        tail.times = times.entries;
        if len == 0 {
            tail.next_offset = base_offset;
        }
        // The rolling basis is the first batch's max timestamp: read just that header.
        tail.first_batch_max_ts = first_batch_max_ts(&log, len);
        Ok(Some(Self::with_scan(
            dir,
            base_offset,
            log_path,
            log,
            tail,
            interval,
            false,
        )?))
    }

    /// Base offset.
    pub fn base_offset(&self) -> i64 {
        self.base_offset
    }
    /// Bytes in the `.log`.
    pub fn size(&self) -> u64 {
        self.size
    }
    /// Offset after the last batch.
    pub fn next_offset(&self) -> i64 {
        self.next_offset
    }
    /// Largest timestamp in the segment (-1 when none).
    pub fn max_timestamp(&self) -> i64 {
        self.state.max_ts
    }
    /// Max timestamp of the first batch.
    pub fn first_batch_max_ts(&self) -> Option<i64> {
        self.first_batch_max_ts
    }
    /// The `.log` path.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }
    /// The open `.log` file (for reads by the owner).
    pub fn log_file(&self) -> &File {
        &self.log
    }
    /// Offset index entries.
    pub fn offset_entries(&self) -> &[OffsetEntry] {
        self.index.entries()
    }

    /// True when either index is full (Kafka rolls then).
    pub fn indexes_full(&self) -> bool {
        self.index.entries().len() >= MAX_OFFSET_ENTRIES
            || self.time_index.entries().len() >= MAX_TIME_ENTRIES
    }

    /// Appends one complete batch (offsets already assigned); see [`Segment::append_run`].
    pub fn append(&mut self, batch: &[u8], h: &BatchHeader) -> Result<u64, LogError> {
        self.append_run(batch, std::slice::from_ref(h))
    }

    /// Appends complete batches lying back to back in `chunk` (offsets already assigned,
    /// `headers` in order) with one write, and their index entries with one write per
    /// index, exactly as if they had been appended one at a time. On failure the segment
    /// is rolled back to its previous size, so a failed append leaves no partial batch.
    /// Returns the position of the first batch.
    pub fn append_run(&mut self, chunk: &[u8], headers: &[BatchHeader]) -> Result<u64, LogError> {
        let Some(first) = headers.first() else {
            return Ok(self.size);
        };
        let pos = self.size;
        let before = self.state;
        let mut offsets = Vec::new();
        let mut times = Vec::new();
        let mut at = pos;
        for h in headers {
            let (o, t) = self.state.observe(h, at, self.interval);
            offsets.extend(o);
            times.extend(t);
            at += h.size() as u64;
        }
        let result = (|| {
            io::append(&mut self.log, chunk).map_err(io_err(&self.log_path, "write"))?;
            let p = self.index.path().to_path_buf();
            self.index
                .append_many(&offsets)
                .map_err(io_err(&p, "write"))?;
            let p = self.time_index.path().to_path_buf();
            self.time_index
                .append_many(&times)
                .map_err(io_err(&p, "write"))?;
            Ok::<(), LogError>(())
        })();
        if let Err(e) = result {
            self.state = before;
            // Best effort: if the rollback also fails, the next opener's recovery cuts the
            // partial batch (it lies above the recovery point, which only advances on flush).
            let _ = io::set_len(&self.log, pos);
            let _ = self.index.truncate_from(first.base_offset);
            let _ = self.time_index.truncate_from(first.base_offset);
            return Err(e);
        }
        if self.size == 0 {
            self.first_batch_max_ts = Some(first.max_timestamp);
        }
        self.size = pos + chunk.len() as u64;
        if let Some(last) = headers.last() {
            self.next_offset = last.next_offset();
        }
        Ok(pos)
    }

    /// Adds the closing time-index entry, as Kafka does when a segment rolls.
    pub fn seal(&mut self) -> Result<(), LogError> {
        if let Some(t) = self.state.time_entry() {
            let p = self.time_index.path().to_path_buf();
            self.time_index.append(t).map_err(io_err(&p, "write"))?;
        }
        Ok(())
    }

    /// fsync of the `.log` and both indexes.
    pub fn sync(&self) -> Result<(), LogError> {
        io::sync(&self.log).map_err(io_err(&self.log_path, "fsync"))?;
        self.index
            .sync()
            .map_err(io_err(self.index.path(), "fsync"))?;
        self.time_index
            .sync()
            .map_err(io_err(self.time_index.path(), "fsync"))
    }

    /// Cuts the segment before the first batch whose last offset is `offset` or more.
    /// Returns the segment's new next offset.
    pub fn truncate_to(&mut self, dir: &Path, offset: i64) -> Result<i64, LogError> {
        let start = index::lookup_offset(self.index.entries(), offset)
            .filter(|e| e.offset < offset)
            .map_or(0, |e| u64::from(e.position));
        let mut stream = BatchStream::new(&self.log, start, self.size, MAX_BATCH_BYTES)
            .ordered(BatchOrder::new(self.base_offset));
        let mut cut = self.size;
        let mut next = self.next_offset;
        loop {
            match stream.next() {
                Ok(Some(b)) if b.header().last_offset() >= offset => {
                    cut = b.position();
                    next = b.header().base_offset;
                    break;
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(ScanStop::Io(e)) => return Err(io_err(&self.log_path, "read")(e)),
                Err(e) => {
                    return Err(LogError::Corrupt {
                        path: self.log_path.clone(),
                        detail: e.to_string(),
                    });
                }
            }
        }
        if cut == self.size {
            return Ok(self.next_offset);
        }
        drop(stream);
        // Index entries go before the data they point at: cut at the first batch removed
        // (every entry from there on is at or past `cut`), so a reader that takes no lock
        // never finds an entry past the end of the `.log` and mistakes the end.
        let p = self.index.path().to_path_buf();
        self.index
            .truncate_from(next)
            .map_err(io_err(&p, "truncate"))?;
        let p = self.time_index.path().to_path_buf();
        self.time_index
            .truncate_from(next)
            .map_err(io_err(&p, "truncate"))?;
        io::set_len(&self.log, cut).map_err(io_err(&self.log_path, "truncate"))?;
        // Rebuild this segment's state from scratch: simplest way to keep it exact.
        let (seg, stop) = Segment::recover(dir, self.base_offset, self.interval, i64::MIN, true)?;
        if let Some(stop) = stop {
            return Err(LogError::Corrupt {
                path: self.log_path.clone(),
                detail: stop.to_string(),
            });
        }
        *self = seg;
        debug_assert!(next >= self.base_offset);
        Ok(self.next_offset)
    }
}

/// Max timestamp of the batch at position 0, if the file holds one.
fn first_batch_max_ts(log: &File, len: u64) -> Option<i64> {
    let mut stream = BatchStream::new(log, 0, len, MAX_BATCH_BYTES).with_chunk(4096);
    match stream.next() {
        Ok(Some(b)) => Some(b.header().max_timestamp),
        _ => None,
    }
}
