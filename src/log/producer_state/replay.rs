//! Building producer state from a log folder: the latest valid snapshot at or below an
//! offset, then the batches after it, as Kafka's `UnifiedLog.rebuildProducerState` and
//! `ProducerStateManager.loadFromSnapshot` do (a snapshot that fails its checks is skipped
//! with a reason and the next older one tried; with none, the whole log is replayed).
//!
//! Replay reads batch headers only: 61 bytes per batch from a read-ahead window that skips
//! over record data, no CRC, no decompression. Only control batches, which are tiny, are
//! read whole, to take the COMMIT/ABORT marker from their one record's key and value.
//!
//! Owns: the header walk, placing a state in the log (its [`BatchMark`], checked against
//! the bytes before a state is trusted again), and the lock-free loads used by
//! read-committed readers ([`ProducerState::load_for_reader`], [`ProducerState::advance`]).
//!
//! Must not: write, delete or lock anything (the partition log decides that), or trust
//! the bytes: every length is checked, a torn tail ends the walk.

use std::fs::File;
use std::path::Path;

use crate::record::batch::{self, BATCH_HEADER_LEN, BATCH_PREFIX_LEN, MAX_BATCH_BYTES};
use crate::record::control::{self, EndTxnMarker};
use crate::record::{BatchHeader, BatchPrefix, BatchRef, CorruptBatch};

use super::super::index::OFFSET_ENTRY_LEN;
use super::super::names::{self, INDEX_SUFFIX, LOG_SUFFIX};
use super::super::partition::list_segments;
use super::super::stream::{BatchOrder, Disorder};
use super::super::{LogError, io, io_err};
use super::snapshot::{self, ReadSnapshotError};
use super::{BatchMark, CompletedTxn, ProducerState};

/// Read-ahead of the header walk: several small batches per read, and at most this much
/// read for each large batch skipped.
const WINDOW: usize = 64 << 10;
/// A control batch larger than this is not a transaction marker (those are 78 bytes).
const MAX_CONTROL_BATCH: usize = 64 << 10;

/// What a replay covered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplayStats {
    /// Batches applied.
    pub batches: u64,
    /// Bytes of log those batches take.
    pub bytes: u64,
}

/// How a state was loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// The state passed in was still valid and was continued.
    pub reused_prior: bool,
    /// Why a state passed in could not be reused.
    pub prior_rejected: Option<String>,
    /// The snapshot the state started from.
    pub snapshot: Option<i64>,
    /// Snapshots skipped, newest first, with why.
    pub ignored_snapshots: Vec<(i64, String)>,
    /// The batches replayed after the snapshot (or the prior state).
    pub replay: ReplayStats,
}

/// One batch found by the header walk.
#[derive(Debug, Clone, Copy)]
pub struct WalkedBatch {
    /// Its byte position.
    pub position: u64,
    /// Its header.
    pub header: BatchHeader,
    /// The COMMIT/ABORT marker of a control batch.
    pub marker: Option<EndTxnMarker>,
}

/// Why the header walk ended before the end of the file.
#[derive(Debug)]
pub enum WalkStop {
    /// The bytes end inside a batch (a batch being written, or a torn tail).
    Torn {
        /// Where the incomplete batch starts.
        position: u64,
    },
    /// A batch is malformed.
    Corrupt(CorruptBatch),
    /// A batch's header does not follow the batches before it ([`BatchOrder`]).
    Disorder(Disorder),
    /// Reading failed.
    Io(std::io::Error),
}

/// Walks the batch headers of one `.log` file from a byte position.
pub struct HeaderWalk {
    file: File,
    len: u64,
    pos: u64,
    buf: Vec<u8>,
    buf_start: u64,
    filled: usize,
    order: Option<BatchOrder>,
}

impl HeaderWalk {
    /// Opens `path` for a walk from byte `pos`.
    pub fn open(path: &Path, pos: u64) -> Result<HeaderWalk, LogError> {
        let file = io::open_read(path).map_err(io_err(path, "open"))?;
        let len = io::len(&file).map_err(io_err(path, "stat"))?;
        Ok(HeaderWalk {
            file,
            len,
            pos,
            buf: Vec::new(),
            buf_start: pos,
            filled: 0,
            order: None,
        })
    }

    /// Holds every batch to `order` (the log's rules): one that breaks them ends the walk
    /// with [`WalkStop::Disorder`].
    pub fn ordered(mut self, order: BatchOrder) -> Self {
        self.order = Some(order);
        self
    }

    /// The rules' state after the batches walked so far.
    pub fn order(&self) -> Option<BatchOrder> {
        self.order
    }

    /// The file's length when opened.
    pub fn len(&self) -> u64 {
        self.len
    }
    /// True for an empty file.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Position of the next batch.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Up to `need` bytes at the current position (fewer only at the end of the file).
    fn window(&mut self, need: usize) -> std::io::Result<&[u8]> {
        let have_from = self.pos.checked_sub(self.buf_start).map(|d| d as usize);
        if let Some(off) = have_from
            && off <= self.filled
            && self.filled - off >= need
        {
            return Ok(&self.buf[off..off + need]);
        }
        let room = self.len.saturating_sub(self.pos) as usize;
        let want = need.max(WINDOW).min(room);
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
        let n = io::read_at(&self.file, &mut self.buf[..want], self.pos)?;
        self.buf_start = self.pos;
        self.filled = n;
        Ok(&self.buf[..n.min(need)])
    }

    /// The next batch, `Ok(None)` at the end of the file.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<WalkedBatch>, WalkStop> {
        if self.pos >= self.len {
            return Ok(None);
        }
        let position = self.pos;
        let left = self.len - position;
        let w = self.window(BATCH_HEADER_LEN).map_err(WalkStop::Io)?;
        if w.len() < BATCH_PREFIX_LEN {
            return Err(WalkStop::Torn { position });
        }
        let size = match BatchPrefix::read(w).map(|p| p.batch_size(MAX_BATCH_BYTES)) {
            Some(Ok(size)) => size,
            Some(Err(kind)) => {
                let base_offset = BatchPrefix::read(w).map_or(-1, |p| p.base_offset);
                return Err(WalkStop::Corrupt(CorruptBatch {
                    position,
                    base_offset,
                    kind,
                }));
            }
            None => return Err(WalkStop::Torn { position }),
        };
        if size as u64 > left || w.len() < BATCH_HEADER_LEN {
            return Err(WalkStop::Torn { position });
        }
        let header =
            batch::parse_header(w, position, MAX_BATCH_BYTES).map_err(WalkStop::Corrupt)?;
        if let Some(order) = self.order.as_mut() {
            order.check(&header, position).map_err(WalkStop::Disorder)?;
        }
        let marker = if header.attributes.is_control() && size <= MAX_CONTROL_BATCH {
            let bytes = self.window(size).map_err(WalkStop::Io)?;
            marker_of(bytes, position)
        } else {
            None
        };
        self.pos += size as u64;
        Ok(Some(WalkedBatch {
            position,
            header,
            marker,
        }))
    }
}

/// The COMMIT/ABORT marker of a control batch's first record; `None` for an empty,
/// malformed or non-marker control batch (which changes no producer state).
pub fn marker_of(bytes: &[u8], position: u64) -> Option<EndTxnMarker> {
    let b = BatchRef::parse(bytes, position, MAX_CONTROL_BATCH).ok()?;
    let data = b.records_data().ok()?;
    let r = b.records(&data).ok()?.next()?.ok()?;
    control::end_txn_marker(r.key, r.value)
}

fn walk_error(path: &Path, stop: WalkStop) -> LogError {
    match stop {
        WalkStop::Io(e) => io_err(path, "read")(e),
        WalkStop::Corrupt(e) => LogError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        WalkStop::Disorder(e) => LogError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        WalkStop::Torn { position } => LogError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("segment ends inside the batch at byte {position}"),
        },
    }
}

/// Byte position in segment `base` from which to scan for `offset`: the largest offset
/// index entry below it (binary search with 8-byte reads, the index is never loaded
/// whole), else 0. A missing or odd index gives 0: the index only speeds this up.
fn index_floor_position(dir: &Path, base: i64, offset: i64) -> u64 {
    let path = names::segment_path(dir, base, INDEX_SUFFIX);
    let Ok(file) = io::open_read(&path) else {
        return 0;
    };
    let Ok(len) = io::len(&file) else { return 0 };
    let n = len / OFFSET_ENTRY_LEN as u64;
    let entry = |i: u64| -> Option<(i64, u64)> {
        let mut b = [0u8; OFFSET_ENTRY_LEN];
        io::read_exact_at(&file, &mut b, i * OFFSET_ENTRY_LEN as u64).ok()?;
        let rel = i32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        let pos = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
        Some((base.wrapping_add(i64::from(rel)), u64::from(pos)))
    };
    let (mut lo, mut hi) = (0u64, n);
    let mut best = 0u64;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let Some((o, p)) = entry(mid) else { return 0 };
        // The entry's offset is the last offset of the batch at `p`; strictly below
        // `offset` means that batch ends before it.
        if o < offset {
            best = p;
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    best
}

/// Finds the batch whose last offset is `offset` exactly: the [`BatchMark`] of a state
/// ending at `offset + 1`. `None` when no batch ends there (the offset is inside a batch
/// or outside the log).
pub fn mark_ending_at(
    dir: &Path,
    bases: &[i64],
    offset: i64,
) -> Result<Option<BatchMark>, LogError> {
    let i = bases.partition_point(|&b| b <= offset);
    let Some(&base) = i.checked_sub(1).and_then(|i| bases.get(i)) else {
        return Ok(None);
    };
    let path = names::segment_path(dir, base, LOG_SUFFIX);
    let mut walk = HeaderWalk::open(&path, index_floor_position(dir, base, offset))?
        .ordered(BatchOrder::new(base));
    loop {
        match walk.next() {
            Ok(Some(b)) => {
                let last = b.header.last_offset();
                if last == offset {
                    return Ok(Some(BatchMark::of(&b.header, base, b.position)));
                }
                if last > offset {
                    return Ok(None);
                }
            }
            Ok(None) | Err(WalkStop::Torn { .. }) => return Ok(None),
            Err(e) => return Err(walk_error(&path, e)),
        }
    }
}

/// True when the log still holds the marked batch, byte for byte in its header.
pub fn mark_holds(dir: &Path, mark: &BatchMark) -> bool {
    let path = names::segment_path(dir, mark.segment_base, LOG_SUFFIX);
    let Ok(file) = io::open_read(&path) else {
        return false;
    };
    let mut b = [0u8; BATCH_HEADER_LEN];
    if io::read_exact_at(&file, &mut b, mark.position).is_err() {
        return false;
    }
    let Ok(len) = io::len(&file) else {
        return false;
    };
    mark.position + mark.size <= len
        && batch::parse_header(&b, mark.position, MAX_BATCH_BYTES).is_ok_and(|h| mark.matches(&h))
}

/// Where replay of `state` continues: (segment index, byte position), or why it cannot.
pub fn resume_point(
    dir: &Path,
    bases: &[i64],
    state: &ProducerState,
) -> Result<(usize, u64), String> {
    let first = bases.first().copied().unwrap_or(0);
    if state.end_offset() <= first {
        // Nothing of the log is in the state yet (an empty log, or one that starts
        // later): replay it all.
        return Ok((0, 0));
    }
    let Some(mark) = state.mark() else {
        return Err(format!(
            "the state ends at offset {} without a known last batch",
            state.end_offset()
        ));
    };
    if mark.next_offset() != state.end_offset() {
        return Err(format!(
            "the state ends at offset {} but its last batch ends at {}",
            state.end_offset(),
            mark.next_offset()
        ));
    }
    let Some(i) = bases.iter().position(|&b| b == mark.segment_base) else {
        return Err(format!("segment {} is gone", mark.segment_base));
    };
    if !mark_holds(dir, mark) {
        return Err(format!(
            "the log no longer holds the batch at byte {} of segment {} (offsets {}..{}): it \
             was truncated or rewritten",
            mark.position,
            mark.segment_base,
            mark.base_offset,
            mark.next_offset()
        ));
    }
    Ok((i, mark.position + mark.size))
}

/// Applies the batches after `state`'s end, up to (not past) `up_to`, calling
/// `on_completed` with each completed transaction and the base of the segment holding its
/// marker. Stops at the first batch that would end past `up_to`, or at an incomplete
/// batch at the end of the last segment.
pub fn replay(
    state: &mut ProducerState,
    dir: &Path,
    bases: &[i64],
    start: (usize, u64),
    up_to: i64,
    on_completed: &mut dyn FnMut(i64, &CompletedTxn) -> Result<(), LogError>,
) -> Result<ReplayStats, LogError> {
    let mut stats = ReplayStats::default();
    let (first_index, mut pos) = start;
    // Carried from segment to segment: each batch must follow the one before it.
    let mut order: Option<BatchOrder> = None;
    for (i, &base) in bases.iter().enumerate().skip(first_index) {
        if state.end_offset() >= up_to {
            break;
        }
        let path = names::segment_path(dir, base, LOG_SUFFIX);
        let mut rules = order.map_or(BatchOrder::new(base), |o| o.next_segment(base));
        if pos > 0 {
            // Resumed after the state's last batch (its mark, checked to hold): the next
            // batch must come after it.
            rules = rules.after(state.end_offset().saturating_sub(1));
        }
        let mut walk = HeaderWalk::open(&path, pos)?.ordered(rules);
        pos = 0;
        loop {
            // The rules' state before this batch, for the check against `up_to`.
            let before = walk.order().unwrap_or(rules);
            let b = match walk.next() {
                Ok(Some(b)) => b,
                Ok(None) => break,
                Err(WalkStop::Torn { .. }) if i + 1 == bases.len() => return Ok(stats),
                Err(e) => return Err(walk_error(&path, e)),
            };
            let h = b.header;
            if h.next_offset() > up_to {
                // Past `up_to`: fine, unless it leaves offsets below it missing. Checked
                // in the last segment only: there `up_to` is a high watermark or the log
                // end, below which the log holds every offset (a compacted segment's gaps
                // end below them; `up_to` may also be the base of an older segment).
                if i + 1 == bases.len()
                    && let Err(e) = before.check_past_end(h.base_offset, b.position, up_to)
                {
                    return Err(walk_error(&path, WalkStop::Disorder(e)));
                }
                return Ok(stats);
            }
            if h.next_offset() <= state.end_offset() && h.base_offset < state.end_offset() {
                // Already in the state (a segment starting below a snapshot offset).
                continue;
            }
            if let Some(done) = state.apply_at(&h, b.marker.as_ref(), base, b.position) {
                on_completed(base, &done)?;
            }
            stats.batches += 1;
            stats.bytes += h.size() as u64;
        }
        order = walk.order();
    }
    Ok(stats)
}

/// The state of the log in `dir` (segments `bases`) up to `up_to`: `prior` continued when
/// it is still valid, else the newest valid snapshot at or below `up_to` (within the log)
/// and the batches after it, else the whole log. Never writes or deletes.
pub fn load(
    dir: &Path,
    bases: &[i64],
    up_to: i64,
    prior: Option<ProducerState>,
    on_completed: &mut dyn FnMut(i64, &CompletedTxn) -> Result<(), LogError>,
) -> Result<(ProducerState, LoadReport), LogError> {
    let mut report = LoadReport::default();
    let first = bases.first().copied().unwrap_or(0);
    if let Some(mut state) = prior {
        let placed = if state.end_offset() > up_to {
            Err(format!(
                "the state ends at offset {}, past the log end {up_to}",
                state.end_offset()
            ))
        } else {
            resume_point(dir, bases, &state)
        };
        match placed {
            Ok(start) => {
                report.reused_prior = true;
                report.replay = replay(&mut state, dir, bases, start, up_to, on_completed)?;
                return Ok((state, report));
            }
            Err(why) => report.prior_rejected = Some(why),
        }
    }
    let mut start = None;
    for s in snapshot::list_snapshots(dir)?.into_iter().rev() {
        if s > up_to {
            continue;
        }
        if s < first {
            report
                .ignored_snapshots
                .push((s, format!("below the log's first offset {first}")));
            continue;
        }
        let entries = match snapshot::read_snapshot(&snapshot::snapshot_path(dir, s)) {
            Ok(e) => e,
            Err(ReadSnapshotError::Missing) => continue,
            Err(ReadSnapshotError::Bad(e)) => {
                report.ignored_snapshots.push((s, e.to_string()));
                continue;
            }
            Err(ReadSnapshotError::Log(e)) => return Err(e),
        };
        let mut state = ProducerState::from_snapshot(s, &entries);
        let at = if s <= first {
            Some((0, 0))
        } else {
            match mark_ending_at(dir, bases, s - 1)? {
                Some(mark) => {
                    state.set_mark(Some(mark));
                    let i = bases.iter().position(|&b| b == mark.segment_base);
                    i.map(|i| (i, mark.position + mark.size))
                }
                None => None,
            }
        };
        match at {
            Some(at) => {
                report.snapshot = Some(s);
                start = Some((state, at));
                break;
            }
            None => report
                .ignored_snapshots
                .push((s, format!("no batch of the log ends at offset {}", s - 1))),
        }
    }
    let (mut state, at) = start.unwrap_or_else(|| (ProducerState::empty(first), (0, 0)));
    report.replay = replay(&mut state, dir, bases, at, up_to, on_completed)?;
    Ok((state, report))
}

/// How many times a lock-free reader starts over when files vanish under it.
const READER_RETRIES: u32 = 5;

fn is_not_found(e: &LogError) -> bool {
    matches!(e, LogError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
}

impl ProducerState {
    /// The producer state of the log in `dir` up to `up_to` (a high watermark), built
    /// without any lock, as a read-committed reader needs it for the last stable offset.
    /// Files deleted while it reads (retention, snapshot rotation) make it start over, up
    /// to [`READER_RETRIES`] times.
    pub fn load_for_reader(dir: &Path, up_to: i64) -> Result<ProducerState, LogError> {
        Self::load_for_reader_with(dir, up_to, &mut |_| {})
    }

    /// [`ProducerState::load_for_reader`], calling `on_completed` with each transaction a
    /// marker of the replayed batches completed (possibly twice, when it starts over).
    /// The `.txnindex` entry of an abort is written after its marker: a reader that sees
    /// the marker below the high watermark may not see the entry yet, or ever, when its
    /// writer died in between and no writer has recovered the log since.
    pub fn load_for_reader_with(
        dir: &Path,
        up_to: i64,
        on_completed: &mut dyn FnMut(&CompletedTxn),
    ) -> Result<ProducerState, LogError> {
        let mut tries = 0;
        loop {
            let bases = list_segments(dir, false)?;
            let mut each = |_: i64, done: &CompletedTxn| {
                on_completed(done);
                Ok(())
            };
            match load(dir, &bases, up_to, None, &mut each) {
                Ok((mut state, _)) => {
                    // Everything replayed is below the high watermark: settled.
                    state.on_high_watermark(up_to);
                    return Ok(state);
                }
                // A snapshot rotated or a segment deleted meanwhile: list again. Writers
                // rotate snapshots often (every 256 batches replayed at an open), so more
                // than once may be needed under a busy coordinator.
                Err(e) if is_not_found(&e) && tries < READER_RETRIES => tries += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// Moves a reader's state forward to `up_to`, replaying only the new batches; reloads
    /// when the log no longer holds the batch the state ended with (truncated, rewritten
    /// or deleted).
    pub fn advance(&mut self, dir: &Path, up_to: i64) -> Result<(), LogError> {
        self.advance_with(dir, up_to, &mut |_| {})
    }

    /// [`ProducerState::advance`], calling `on_completed` as
    /// [`ProducerState::load_for_reader_with`] does.
    pub fn advance_with(
        &mut self,
        dir: &Path,
        up_to: i64,
        on_completed: &mut dyn FnMut(&CompletedTxn),
    ) -> Result<(), LogError> {
        if up_to <= self.end_offset() {
            return Ok(());
        }
        let bases = list_segments(dir, false)?;
        let prior = std::mem::replace(self, ProducerState::empty(0));
        let mut each = |_: i64, done: &CompletedTxn| {
            on_completed(done);
            Ok(())
        };
        let loaded = load(dir, &bases, up_to, Some(prior), &mut each);
        *self = match loaded {
            Ok((s, _)) => s,
            Err(e) if is_not_found(&e) => {
                ProducerState::load_for_reader_with(dir, up_to, on_completed)?
            }
            Err(e) => return Err(e),
        };
        self.on_high_watermark(up_to);
        Ok(())
    }
}
