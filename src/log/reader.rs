//! Reading a replica's log without any lock, as consumers and `describe` do: find the
//! segment and position for an offset (offset index, then scan), iterate batches across
//! segments, find an offset by timestamp (time index), and work out the log end offset
//! from the tail. A batch still being written by another process is not yet "there": it
//! shows up as an incomplete tail, which readers treat as the end.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::record::{BatchRef, batch::MAX_BATCH_BYTES};

use super::index::{self, OffsetEntry};
use super::names::{self, INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX};
use super::partition::list_segments;
use super::producer_state::ProducerState;
use super::stream::{BatchOrder, BatchStream, ScanStop};
use super::txn_index::{self, AbortedTxn};
use super::{LogError, io, io_err};

/// Read-only view of one replica's log folder.
#[derive(Debug, Clone)]
pub struct LogReader {
    dir: PathBuf,
    bases: Vec<i64>,
}

fn corrupt(path: &Path, stop: &ScanStop) -> LogError {
    LogError::Corrupt {
        path: path.to_path_buf(),
        detail: stop.to_string(),
    }
}

/// Offset-index entries of a segment (empty when the file is missing or unreadable: the
/// index only speeds lookups up).
fn load_offsets(dir: &Path, base: i64) -> Vec<OffsetEntry> {
    io::read_file(&names::segment_path(dir, base, INDEX_SUFFIX))
        .map(|b| index::parse_offset_index(&b, base).entries)
        .unwrap_or_default()
}

/// The last offset-index entry of a segment, read without loading the whole index (entry
/// files are exact-size, so it is the final 8 bytes). `None` when missing or empty.
fn last_offset_entry(dir: &Path, base: i64) -> Option<OffsetEntry> {
    let path = names::segment_path(dir, base, INDEX_SUFFIX);
    let file = io::open_read(&path).ok()?;
    let len = io::len(&file).ok()?;
    if len < index::OFFSET_ENTRY_LEN as u64 || len % index::OFFSET_ENTRY_LEN as u64 != 0 {
        return None;
    }
    let mut b = [0u8; index::OFFSET_ENTRY_LEN];
    io::read_exact_at(&file, &mut b, len - index::OFFSET_ENTRY_LEN as u64).ok()?;
    index::parse_offset_index(&b, base).entries.first().copied()
}

/// True when offset-index entry `e` really indexes a batch of this `.log` (of `len` bytes):
/// its position lies inside the file and a whole, CRC-valid batch starts there whose
/// offsets include the entry's. The index is only a hint to a reader that takes no lock: a
/// truncation may have cut the `.log` and not yet the index, and a damaged index may point
/// anywhere, past the end (hiding data) or into a batch (blaming the `.log` for it).
fn entry_holds(file: &File, len: u64, e: OffsetEntry) -> bool {
    let pos = u64::from(e.position);
    if pos >= len {
        return false;
    }
    let mut at = BatchStream::new(file, pos, len, MAX_BATCH_BYTES).with_chunk(4096);
    match at.next() {
        Ok(Some(b)) => {
            let h = b.header();
            h.base_offset <= e.offset && e.offset <= h.last_offset() && b.verify_crc().is_ok()
        }
        _ => false,
    }
}

/// Where to start scanning segment `base` (its `.log` open as `file`, `len` bytes) for
/// `target`, or for its last batch when `target` is `None`: the position of the latest
/// offset-index entry at or below the target that checks out against the `.log`
/// ([`entry_holds`]), else 0 (a scan of the whole segment is slow but never wrong).
pub(super) fn indexed_start(
    dir: &Path,
    base: i64,
    file: &File,
    len: u64,
    target: Option<i64>,
) -> u64 {
    // The log end is asked for on every poll: try the last entry alone first (8 bytes
    // read) before loading the whole index.
    if target.is_none()
        && let Some(e) = last_offset_entry(dir, base)
        && entry_holds(file, len, e)
    {
        return u64::from(e.position);
    }
    let entries = load_offsets(dir, base);
    let upto = target.map_or(entries.len(), |t| {
        entries.partition_point(|e| e.offset <= t)
    });
    // Entries past the end of the file are those a truncation has not cut yet: skip them.
    // If the next two still do not check out, the index is damaged: scan instead.
    entries[..upto]
        .iter()
        .rev()
        .filter(|e| u64::from(e.position) < len)
        .take(2)
        .find(|e| entry_holds(file, len, **e))
        .map_or(0, |e| u64::from(e.position))
}

impl LogReader {
    /// Lists the segments of the log in `dir`. A folder that is (or lies in) a symbolic
    /// link, or holds one, is refused with [`LogError::Symlink`].
    pub fn open(dir: &Path) -> Result<LogReader, LogError> {
        let bases = list_segments(dir, false)?;
        Ok(LogReader {
            dir: dir.to_path_buf(),
            bases,
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Segment base offsets, oldest first.
    pub fn segment_bases(&self) -> &[i64] {
        &self.bases
    }

    /// Base offset of the first segment (0 for an empty folder).
    pub fn first_offset(&self) -> i64 {
        self.bases.first().copied().unwrap_or(0)
    }

    /// Total bytes of the `.log` files.
    pub fn size_bytes(&self) -> u64 {
        self.bases
            .iter()
            .map(|&b| {
                std::fs::metadata(names::segment_path(&self.dir, b, LOG_SUFFIX))
                    .map_or(0, |m| m.len())
            })
            .sum()
    }

    /// Bytes of the `.log` files from about `offset` to the end: counted from the offset
    /// index's entry at or below it, so within `index.interval.bytes` of the exact figure.
    pub fn bytes_from(&self, offset: i64) -> Result<u64, LogError> {
        let first = self
            .bases
            .partition_point(|&b| b <= offset)
            .saturating_sub(1);
        let mut total = 0;
        for (k, &base) in self.bases.iter().enumerate().skip(first) {
            let path = names::segment_path(&self.dir, base, LOG_SUFFIX);
            let file = match io::open_read(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_err(&path, "open")(e)),
            };
            let len = io::len(&file).map_err(io_err(&path, "stat"))?;
            let start = if k == first && base < offset {
                indexed_start(&self.dir, base, &file, len, Some(offset))
            } else {
                0
            };
            total += len.saturating_sub(start);
        }
        Ok(total)
    }

    /// The offset after the last complete batch, from the last segment's tail. An
    /// incomplete batch at the end (being written) is ignored.
    pub fn log_end_offset(&self) -> Result<i64, LogError> {
        let Some(&(mut base)) = self.bases.last() else {
            return Ok(0);
        };
        // A truncation or retention may delete the last segment after it was listed (the
        // writer then reopens the one before it): list again rather than fail.
        for _ in 0..3 {
            match self.segment_end(base) {
                Err(LogError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    match list_segments(&self.dir, false)?.last() {
                        Some(&b) => base = b,
                        None => return Ok(0),
                    }
                }
                r => return r,
            }
        }
        self.segment_end(base)
    }

    /// The offset after the last complete batch of segment `base`.
    fn segment_end(&self, base: i64) -> Result<i64, LogError> {
        let path = names::segment_path(&self.dir, base, LOG_SUFFIX);
        let file = io::open_read(&path).map_err(io_err(&path, "open"))?;
        let len = io::len(&file).map_err(io_err(&path, "stat"))?;
        let start = indexed_start(&self.dir, base, &file, len, None);
        let mut stream = BatchStream::new(&file, start, len, MAX_BATCH_BYTES)
            .with_chunk(64 << 10)
            .ordered(BatchOrder::new(base));
        let mut next = base;
        loop {
            match stream.next() {
                Ok(Some(b)) => next = b.header().next_offset(),
                Ok(None) | Err(ScanStop::Torn { .. }) => return Ok(next),
                Err(ScanStop::Io(e)) => return Err(io_err(&path, "read")(e)),
                Err(e) => return Err(corrupt(&path, &e)),
            }
        }
    }

    /// The aborted transactions overlapping `[from, to)`, from the `.txnindex` files,
    /// what a read-committed fetch of that range must skip (Kafka's
    /// `collectAbortedTransactions`).
    pub fn aborted_transactions(&self, from: i64, to: i64) -> Result<Vec<AbortedTxn>, LogError> {
        txn_index::collect_aborted(&self.dir, &self.bases, from, to)
    }

    /// The producer state up to `up_to` (a high watermark), built without a lock; see
    /// [`ProducerState::load_for_reader`]. Keep it and call [`ProducerState::advance`] as
    /// the high watermark moves, rather than loading again.
    pub fn producer_state(&self, up_to: i64) -> Result<ProducerState, LogError> {
        ProducerState::load_for_reader(&self.dir, up_to)
    }

    /// The last stable offset below `high_watermark`: the first offset of the earliest
    /// transaction open there, else the high watermark (never below the first offset).
    pub fn last_stable_offset(&self, high_watermark: i64) -> Result<i64, LogError> {
        let state = self.producer_state(high_watermark)?;
        Ok(state
            .last_stable_offset(high_watermark)
            .max(self.first_offset()))
    }

    /// A cursor at the batch holding `offset` (or the first batch after it).
    pub fn cursor(&self, offset: i64) -> Result<LogCursor, LogError> {
        let idx = self
            .bases
            .partition_point(|&b| b <= offset)
            .saturating_sub(1);
        let mut c = LogCursor {
            dir: self.dir.clone(),
            bases: self.bases.clone(),
            idx,
            stream: None,
            next_offset: offset,
        };
        c.open_segment(Some(offset))?;
        Ok(c)
    }

    /// Kafka's ListOffsets by timestamp: the first offset whose record timestamp is `ts`
    /// or later, `None` when every record is older.
    pub fn offset_for_timestamp(&self, ts: i64) -> Result<Option<i64>, LogError> {
        for &base in &self.bases {
            let tbytes = io::read_file(&names::segment_path(&self.dir, base, TIME_INDEX_SUFFIX))
                .unwrap_or_default();
            let times = index::parse_time_index(&tbytes, base).entries;
            // A sealed segment's last time entry is its largest timestamp: skip it whole.
            let is_last = Some(&base) == self.bases.last();
            if !is_last && times.last().is_some_and(|t| t.timestamp < ts) {
                continue;
            }
            let start_offset = index::lookup_time(&times, ts).map_or(base, |t| t.offset);
            let path = names::segment_path(&self.dir, base, LOG_SUFFIX);
            let file = io::open_read(&path).map_err(io_err(&path, "open"))?;
            let len = io::len(&file).map_err(io_err(&path, "stat"))?;
            let start_pos = indexed_start(&self.dir, base, &file, len, Some(start_offset));
            let mut stream = BatchStream::new(&file, start_pos, len, MAX_BATCH_BYTES)
                .ordered(BatchOrder::new(base));
            loop {
                let batch = match stream.next() {
                    Ok(Some(b)) => b,
                    Ok(None) | Err(ScanStop::Torn { .. }) => break,
                    Err(ScanStop::Io(e)) => return Err(io_err(&path, "read")(e)),
                    Err(e) => return Err(corrupt(&path, &e)),
                };
                if batch.header().max_timestamp < ts {
                    continue;
                }
                let data = batch.records_data().map_err(|e| LogError::Corrupt {
                    path: path.clone(),
                    detail: e.to_string(),
                })?;
                let records = batch.records(&data).map_err(|e| LogError::Corrupt {
                    path: path.clone(),
                    detail: e.to_string(),
                })?;
                for r in records {
                    let r = r.map_err(|e| LogError::Corrupt {
                        path: path.clone(),
                        detail: e.to_string(),
                    })?;
                    if r.timestamp >= ts {
                        return Ok(Some(r.offset));
                    }
                }
            }
        }
        Ok(None)
    }
}

/// Iterates batches from an offset onward, across segments, following a log that grows.
pub struct LogCursor {
    dir: PathBuf,
    bases: Vec<i64>,
    idx: usize,
    stream: Option<BatchStream<File>>,
    next_offset: i64,
}

impl LogCursor {
    /// The offset the next record returned will have at least.
    pub fn next_offset(&self) -> i64 {
        self.next_offset
    }

    fn path(&self) -> PathBuf {
        names::segment_path(&self.dir, self.bases[self.idx], LOG_SUFFIX)
    }

    /// Opens segment `idx`, positioned by the offset index when `target` is given. Read
    /// from its start (no target), its first batch must follow the last one read from
    /// the segment before.
    fn open_segment(&mut self, target: Option<i64>) -> Result<(), LogError> {
        let carried = self.stream.take().and_then(|s| s.order());
        let Some(&base) = self.bases.get(self.idx) else {
            return Ok(());
        };
        let order = match (target, carried) {
            (None, Some(o)) => o.next_segment(base),
            _ => BatchOrder::new(base),
        };
        let path = self.path();
        let file = match io::open_read(&path) {
            Ok(f) => f,
            // Deleted by retention since we listed it: the caller sees the gap as the log
            // start moving; re-list to continue.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_err(&path, "open")(e)),
        };
        let len = io::len(&file).map_err(io_err(&path, "stat"))?;
        let start = target.map_or(0, |t| indexed_start(&self.dir, base, &file, len, Some(t)));
        self.stream = Some(BatchStream::new(file, start, len, MAX_BATCH_BYTES).ordered(order));
        Ok(())
    }

    /// Re-reads the file size and the segment list, so a growing log can be followed.
    /// Returns true when there may be more to read.
    fn refresh(&mut self) -> Result<bool, LogError> {
        if let Some(stream) = self.stream.as_mut() {
            let path = names::segment_path(&self.dir, self.bases[self.idx], LOG_SUFFIX);
            let len = io::len(stream.file()).map_err(io_err(&path, "stat"))?;
            if len > stream.end() {
                stream.set_end(len);
                return Ok(true);
            }
        }
        if self.idx + 1 < self.bases.len() {
            self.idx += 1;
            self.open_segment(None)?;
            if self.stream.is_none() {
                // Gone since it was listed: retention deleted it, or a clean swapped its
                // group into a segment of a lower base (compaction's records of this one
                // are there now). List again and read on from the next offset in
                // whichever segment holds it, skipping nothing compaction kept.
                let bases = list_segments(&self.dir, false)?;
                if bases.is_empty() {
                    return Ok(false);
                }
                self.bases = bases;
                self.idx = self
                    .bases
                    .partition_point(|&b| b <= self.next_offset)
                    .saturating_sub(1);
                self.open_segment(Some(self.next_offset))?;
            }
            return Ok(true);
        }
        let bases = list_segments(&self.dir, false)?;
        let current = self.bases.get(self.idx).copied();
        if bases.last().copied() != current && !bases.is_empty() {
            self.bases = bases;
            self.idx = match current {
                Some(c) => self.bases.partition_point(|&b| b <= c),
                None => 0,
            }
            .min(self.bases.len() - 1);
            self.open_segment(Some(self.next_offset))?;
            return Ok(true);
        }
        Ok(false)
    }

    /// The next batch holding an offset at or above [`LogCursor::next_offset`] and below
    /// `limit` (the high watermark, the last stable offset or the log end), or `None` when
    /// there is none yet. Batches are not CRC-checked here: call [`BatchRef::verify_crc`].
    pub fn next_batch(&mut self, limit: i64) -> Result<Option<BatchRef<'_>>, LogError> {
        self.next_batch_to(limit, limit)
    }

    /// [`LogCursor::next_batch`] stopping at `limit`, which may be below `committed` (a
    /// reader's own end offset below the high watermark or last stable offset). Every
    /// offset below `committed` is in the log (compaction gaps end below it), so a batch
    /// past it right after one that ends short of it has a damaged base offset: corruption,
    /// where the records between would otherwise be skipped without a word.
    pub fn next_batch_to(
        &mut self,
        limit: i64,
        committed: i64,
    ) -> Result<Option<BatchRef<'_>>, LogError> {
        // The segment's path is only needed for errors: built eagerly, its format! was ~8% of
        // the instructions `consume` spends per record.
        loop {
            if self.next_offset >= limit {
                return Ok(None);
            }
            let Some(stream) = self.stream.as_mut() else {
                if self.refresh()? {
                    continue;
                }
                return Ok(None);
            };
            let prefix = match stream.peek() {
                Ok(p) => p,
                Err(e) => return Err(io_err(&self.path_or_dir(), "read")(e)),
            };
            let Some(prefix) = prefix else {
                let partial = stream.end() > stream.position();
                if self.refresh()? {
                    continue;
                }
                // refresh() returned false: still the same segment.
                if partial && self.next_offset < limit && !self.at_last_segment() {
                    return Err(LogError::Corrupt {
                        path: self.path_or_dir(),
                        detail: "segment ends inside a batch".into(),
                    });
                }
                return Ok(None);
            };
            if prefix.base_offset >= limit {
                if let Some(order) = stream.order()
                    && let Err(e) =
                        order.check_past_end(prefix.base_offset, stream.position(), committed)
                {
                    return Err(corrupt(&self.path_or_dir(), &ScanStop::Disorder(e)));
                }
                return Ok(None);
            }
            let pos = stream.position();
            let header = match stream.next() {
                Ok(Some(b)) => *b.header(),
                Ok(None) => continue,
                Err(ScanStop::Torn { .. }) => {
                    stream.rewind(pos);
                    if self.refresh()? {
                        continue;
                    }
                    return Ok(None);
                }
                Err(ScanStop::Io(e)) => return Err(io_err(&self.path_or_dir(), "read")(e)),
                Err(e) => return Err(corrupt(&self.path_or_dir(), &e)),
            };
            if header.last_offset() < self.next_offset {
                continue;
            }
            // A base offset raised by damage passes the rules alone (compaction leaves
            // gaps); the batch after it then overlaps it. Look at that batch's prefix before
            // delivering this one, so its records never go out under offsets they lack.
            match stream.peek() {
                Ok(Some(after)) => {
                    if let Some(order) = stream.order()
                        && let Err(e) = order.check_base(after.base_offset, stream.position())
                    {
                        return Err(corrupt(&self.path_or_dir(), &ScanStop::Disorder(e)));
                    }
                }
                // The segment's last batch: the next segment (named by its base offset)
                // follows it, so it must end below that base.
                Ok(None) => {
                    if let Some(&next_base) = self.bases.get(self.idx + 1)
                        && header.last_offset() >= next_base
                    {
                        return Err(LogError::Corrupt {
                            path: self.path_or_dir(),
                            detail: format!(
                                "batch at byte {pos} has base offset {} and last offset {}, \
                                 not below the next segment's base offset {next_base}",
                                header.base_offset,
                                header.last_offset()
                            ),
                        });
                    }
                }
                Err(_) => {}
            }
            stream.rewind(pos);
            self.next_offset = header.next_offset();
            break;
        }
        match self.stream.as_mut().map(|s| s.next()) {
            Some(Ok(b)) => Ok(b),
            Some(Err(e)) => Err(corrupt(&path_at(&self.dir, &self.bases, self.idx), &e)),
            None => Ok(None),
        }
    }

    fn at_last_segment(&self) -> bool {
        self.idx + 1 >= self.bases.len()
    }

    fn path_or_dir(&self) -> PathBuf {
        path_at(&self.dir, &self.bases, self.idx)
    }
}

/// The `.log` file of segment `idx`, or the folder when there is no such segment.
fn path_at(dir: &Path, bases: &[i64], idx: usize) -> PathBuf {
    match bases.get(idx) {
        Some(&base) => names::segment_path(dir, base, LOG_SUFFIX),
        None => dir.to_path_buf(),
    }
}
