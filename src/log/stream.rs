//! Reading a `.log` file batch by batch with a bounded buffer: the one scanner used by
//! recovery, reads and `dump`. Memory stays at the buffer size (plus one batch when a
//! batch is larger), whatever the file size.

use std::borrow::Borrow;
use std::fs::File;

use crate::record::{BatchHeader, BatchPrefix, BatchRef, CorruptBatch, batch::BATCH_PREFIX_LEN};

use super::io;

/// Default read-ahead for sequential scans.
pub const DEFAULT_CHUNK: usize = 1 << 20;

/// Why a scan stopped before the end it was given.
#[derive(Debug, thiserror::Error)]
pub enum ScanStop {
    /// The bytes end inside a batch (a torn tail): `have` of `need` bytes present.
    #[error("incomplete batch at byte {position}: {have} of {need} bytes present")]
    Torn {
        /// Where the incomplete batch starts.
        position: u64,
        /// Bytes present from there to the end.
        have: u64,
        /// Bytes the batch needs (17 when even its length field is incomplete).
        need: u64,
    },
    /// A batch does not start at the offset where the previous one ended.
    #[error("batch at byte {position} starts at offset {found}, expected {expected}")]
    OffsetGap {
        /// Where the batch starts.
        position: u64,
        /// The offset that should come next.
        expected: i64,
        /// The base offset found.
        found: i64,
    },
    /// A batch is malformed.
    #[error(transparent)]
    Corrupt(#[from] CorruptBatch),
    /// A batch's header does not follow the batches before it ([`BatchOrder`]).
    #[error(transparent)]
    Disorder(#[from] Disorder),
    /// Reading failed.
    #[error("read failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Why a batch cannot stand where it is in a log: a header field the CRC does not cover
/// (the base offset, the partition leader epoch) is damaged, or the file is not what its
/// name says. Each message gives the byte position and the base offset as read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Disorder {
    /// A batch starts below the segment's base offset.
    #[error(
        "batch at byte {position} has base offset {base_offset}, below the segment's base \
         offset {segment_base} (from the file name)"
    )]
    BelowSegmentBase {
        /// Where the batch starts.
        position: u64,
        /// Its base offset.
        base_offset: i64,
        /// The segment's base offset.
        segment_base: i64,
    },
    /// A batch starts at or below the last offset of a batch before it: offsets go back
    /// or overlap (they may leap forward: compaction leaves gaps).
    #[error(
        "batch at byte {position} has base offset {base_offset}, not above the previous \
         batch's last offset {previous_last}"
    )]
    NotAbovePrevious {
        /// Where the batch starts.
        position: u64,
        /// Its base offset.
        base_offset: i64,
        /// The largest offset of the batches before it.
        previous_last: i64,
    },
    /// A batch's last offset lies more than 2^31 - 1 past the segment's base offset, which
    /// Kafka never writes (index entries hold offsets relative to the base in 32 bits).
    #[error(
        "batch at byte {position} has base offset {base_offset} and last offset delta \
         {last_offset_delta}: past the offsets segment {segment_base} can hold (its base \
         + 2147483647)"
    )]
    PastSegmentRange {
        /// Where the batch starts.
        position: u64,
        /// Its base offset.
        base_offset: i64,
        /// Its last offset delta.
        last_offset_delta: i32,
        /// The segment's base offset.
        segment_base: i64,
    },
    /// A batch starts past an end offset below which the log holds every offset (the high
    /// watermark, or the log end), right after a batch that ends short of it: its base
    /// offset was raised by damage, and the records between would be skipped unseen.
    #[error(
        "batch at byte {position} has base offset {base_offset} after a batch ending at \
         offset {previous_last}, but the log holds every offset below {end}: offsets {}..{} \
         are missing",
        previous_last + 1,
        end - 1
    )]
    PastEnd {
        /// Where the batch starts.
        position: u64,
        /// Its base offset.
        base_offset: i64,
        /// The last offset of the batch before it.
        previous_last: i64,
        /// The offset below which every offset is in the log.
        end: i64,
    },
    /// A batch's partition leader epoch is below one before it.
    #[error(
        "batch at byte {position} (base offset {base_offset}) has partition leader epoch \
         {epoch}, below the previous batch's {previous}"
    )]
    EpochDecreased {
        /// Where the batch starts.
        position: u64,
        /// Its base offset.
        base_offset: i64,
        /// Its partition leader epoch.
        epoch: i32,
        /// The largest epoch of the batches before it.
        previous: i32,
    },
}

/// The rules that tie each batch of a log to the ones before it, which the CRC cannot
/// enforce because the base offset and the partition leader epoch lie outside it. A
/// damaged base offset would otherwise make a reader skip records (or deliver them twice)
/// without a word. The one definition of these rules: every read path holds its batches to
/// it ([`BatchStream::ordered`]) and `dump` reports what breaks it.
///
/// - a batch starts at or above its segment's base offset (from the file name), and ends
///   within 2^31 - 1 of it;
/// - a batch starts above the last offset of every batch before it (gaps are fine:
///   compaction leaves them, as may a log copied from Kafka);
/// - the partition leader epoch never decreases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchOrder {
    segment_base: i64,
    previous_last: Option<i64>,
    previous_epoch: Option<i32>,
}

impl BatchOrder {
    /// The rules for the batches of segment `segment_base`, read from its first batch, or
    /// from a batch whose predecessors are unknown.
    pub fn new(segment_base: i64) -> BatchOrder {
        BatchOrder {
            segment_base,
            previous_last: None,
            previous_epoch: None,
        }
    }

    /// The same rules carried into the next segment: its first batch must still come after
    /// the last one read here.
    pub fn next_segment(self, segment_base: i64) -> BatchOrder {
        BatchOrder {
            segment_base,
            ..self
        }
    }

    /// Starts after a batch known to end at `last_offset` (e.g. from an index entry before
    /// the position a read starts at).
    pub fn after(mut self, last_offset: i64) -> BatchOrder {
        self.previous_last = Some(
            self.previous_last
                .map_or(last_offset, |p| p.max(last_offset)),
        );
        self
    }

    /// The largest offset of the batches read so far, if any.
    pub fn previous_last(&self) -> Option<i64> {
        self.previous_last
    }

    /// The rules for a batch's base offset alone (known from its first 17 bytes): at or
    /// above the segment's base, and above the batches before it.
    pub fn check_base(&self, base_offset: i64, position: u64) -> Result<(), Disorder> {
        if base_offset < self.segment_base {
            return Err(Disorder::BelowSegmentBase {
                position,
                base_offset,
                segment_base: self.segment_base,
            });
        }
        match self.previous_last {
            Some(previous_last) if base_offset <= previous_last => {
                Err(Disorder::NotAbovePrevious {
                    position,
                    base_offset,
                    previous_last,
                })
            }
            _ => Ok(()),
        }
    }

    /// For a batch at byte `position` starting at `base_offset`, at or past `end` (a high
    /// watermark or log end: every offset below it is in the log, compaction gaps end
    /// below it): it must not leave offsets below `end` missing after the batches read.
    pub fn check_past_end(
        &self,
        base_offset: i64,
        position: u64,
        end: i64,
    ) -> Result<(), Disorder> {
        match self.previous_last {
            Some(previous_last) if previous_last.saturating_add(1) < end && base_offset > end => {
                Err(Disorder::PastEnd {
                    position,
                    base_offset,
                    previous_last,
                    end,
                })
            }
            _ => Ok(()),
        }
    }

    /// The offset rules for batch `h` at byte `position` (without the epoch rule).
    pub fn check_offsets(&self, h: &BatchHeader, position: u64) -> Result<(), Disorder> {
        self.check_base(h.base_offset, position)?;
        let span = i128::from(h.base_offset) + i128::from(h.last_offset_delta)
            - i128::from(self.segment_base);
        if span > i128::from(i32::MAX) {
            return Err(Disorder::PastSegmentRange {
                position,
                base_offset: h.base_offset,
                last_offset_delta: h.last_offset_delta,
                segment_base: self.segment_base,
            });
        }
        Ok(())
    }

    /// The epoch rule for batch `h` at byte `position`.
    pub fn check_epoch(&self, h: &BatchHeader, position: u64) -> Result<(), Disorder> {
        match self.previous_epoch {
            Some(previous) if h.partition_leader_epoch < previous => {
                Err(Disorder::EpochDecreased {
                    position,
                    base_offset: h.base_offset,
                    epoch: h.partition_leader_epoch,
                    previous,
                })
            }
            _ => Ok(()),
        }
    }

    /// Records batch `h` as read (whether or not it broke a rule, so that one damaged
    /// batch is reported once, not again for each batch after it).
    pub fn advance(&mut self, h: &BatchHeader) {
        let last = h.last_offset();
        self.previous_last = Some(self.previous_last.map_or(last, |p| p.max(last)));
        let e = h.partition_leader_epoch;
        self.previous_epoch = Some(self.previous_epoch.map_or(e, |p| p.max(e)));
    }

    /// Every rule for batch `h` at byte `position`; on success `h` is recorded as read.
    pub fn check(&mut self, h: &BatchHeader, position: u64) -> Result<(), Disorder> {
        self.check_offsets(h, position)?;
        self.check_epoch(h, position)?;
        self.advance(h);
        Ok(())
    }
}

/// A lending iterator over the batches of one file region `[pos, end)`. Holds the file by
/// reference or by value (`F` is `&File` or `File`).
pub struct BatchStream<F: Borrow<File>> {
    file: F,
    pos: u64,
    end: u64,
    cap: usize,
    /// Read buffer. Only `buf[..filled]` holds file bytes (from `buf_start`); the rest is
    /// room kept between reads, so the buffer is zeroed once, not before every read.
    buf: Vec<u8>,
    filled: usize,
    buf_start: u64,
    chunk: usize,
    /// The rules each batch is held to, when the stream reads a log in order.
    order: Option<BatchOrder>,
    /// The position of the last batch returned and the rules' state before it, so a
    /// rewind to that batch can read it again.
    order_mark: Option<(u64, BatchOrder)>,
}

impl<F: Borrow<File>> BatchStream<F> {
    /// Scans `file` from byte `pos` to byte `end`, refusing batches larger than `cap`.
    pub fn new(file: F, pos: u64, end: u64, cap: usize) -> Self {
        BatchStream {
            file,
            pos,
            end,
            cap,
            buf: Vec::new(),
            filled: 0,
            buf_start: pos,
            chunk: DEFAULT_CHUNK,
            order: None,
            order_mark: None,
        }
    }

    /// Holds every batch to `order` (the log's rules, [`BatchOrder`]): a batch that breaks
    /// one stops the scan with [`ScanStop::Disorder`]. Every reader of a replica's log
    /// scans this way; only `dump`, which reports each problem and goes on, does not.
    pub fn ordered(mut self, order: BatchOrder) -> Self {
        self.order = Some(order);
        self
    }

    /// The rules' state after the batches read so far (to carry into the next segment).
    pub fn order(&self) -> Option<BatchOrder> {
        self.order
    }

    /// Uses a smaller read-ahead (e.g. when only a few headers are needed).
    pub fn with_chunk(mut self, chunk: usize) -> Self {
        self.chunk = chunk.max(BATCH_PREFIX_LEN);
        self
    }

    /// Position of the next batch.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Where the scan ends.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// Moves the end (a file that grew), keeping the position.
    pub fn set_end(&mut self, end: u64) {
        self.end = end;
        // Bytes buffered past the old end may be stale (they were short): drop them.
        self.filled = 0;
        self.buf_start = self.pos;
    }

    /// Goes back to an earlier batch start (one already read from this stream).
    pub fn rewind(&mut self, pos: u64) {
        if pos < self.buf_start {
            self.filled = 0;
            self.buf_start = pos;
        }
        if pos != self.pos
            && let Some(order) = self.order.as_mut()
        {
            match self.order_mark {
                // The batch just returned: it is read again under the same rules.
                Some((at, before)) if at == pos => *order = before,
                // Further back: what came before `pos` is no longer known.
                _ => *order = BatchOrder::new(order.segment_base),
            }
        }
        self.pos = pos;
    }

    /// The prefix (base offset, length, epoch, magic) of the next batch without consuming
    /// it; `Ok(None)` when fewer than 17 bytes remain before the end.
    pub fn peek(&mut self) -> std::io::Result<Option<BatchPrefix>> {
        if self.end.saturating_sub(self.pos) < BATCH_PREFIX_LEN as u64 {
            return Ok(None);
        }
        let have = self.fill(BATCH_PREFIX_LEN)?;
        if have < BATCH_PREFIX_LEN {
            return Ok(None);
        }
        let off = (self.pos - self.buf_start) as usize;
        Ok(BatchPrefix::read(&self.buf[off..self.filled]))
    }

    /// The file being scanned.
    pub fn file(&self) -> &File {
        self.file.borrow()
    }

    /// Makes `buf` hold at least `need` bytes starting at `self.pos`.
    fn fill(&mut self, need: usize) -> std::io::Result<usize> {
        let have_from = (self.pos - self.buf_start) as usize;
        if self.filled >= have_from + need {
            return Ok(self.filled - have_from);
        }
        // Move what is left to the front, then read more.
        let keep_from = have_from.min(self.filled);
        self.buf.copy_within(keep_from..self.filled, 0);
        self.filled -= keep_from;
        self.buf_start = self.pos;
        let want = need.max(self.chunk);
        let room = (self.end - self.pos) as usize;
        let target = want.min(room);
        let have = self.filled;
        if target > have {
            if self.buf.len() < target {
                self.buf.resize(target, 0);
            }
            let n = io::read_at(
                self.file.borrow(),
                &mut self.buf[have..target],
                self.pos + have as u64,
            )?;
            self.filled = have + n;
        }
        Ok(self.filled)
    }

    /// The next batch, `Ok(None)` at `end`, or why the scan stopped. After an error the
    /// position stays at the start of the offending batch.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<BatchRef<'_>>, ScanStop> {
        if self.pos >= self.end {
            return Ok(None);
        }
        let left = self.end - self.pos;
        let have = self.fill(BATCH_PREFIX_LEN)?;
        if have < BATCH_PREFIX_LEN {
            return Err(ScanStop::Torn {
                position: self.pos,
                have: left.min(have as u64),
                need: BATCH_PREFIX_LEN as u64,
            });
        }
        let off = (self.pos - self.buf_start) as usize;
        let Some(prefix) = BatchPrefix::read(&self.buf[off..self.filled]) else {
            return Err(ScanStop::Torn {
                position: self.pos,
                have: left,
                need: BATCH_PREFIX_LEN as u64,
            });
        };
        let size = match prefix.batch_size(self.cap) {
            Ok(s) => s,
            Err(kind) => {
                return Err(ScanStop::Corrupt(CorruptBatch {
                    position: self.pos,
                    base_offset: prefix.base_offset,
                    kind,
                }));
            }
        };
        if (size as u64) > left {
            return Err(ScanStop::Torn {
                position: self.pos,
                have: left,
                need: size as u64,
            });
        }
        let have = self.fill(size)?;
        if have < size {
            // The file is shorter than `end` said (it shrank): a torn tail as well.
            return Err(ScanStop::Torn {
                position: self.pos,
                have: have as u64,
                need: size as u64,
            });
        }
        let off = (self.pos - self.buf_start) as usize;
        let pos = self.pos;
        let batch = BatchRef::parse(&self.buf[off..off + size], pos, self.cap)?;
        if let Some(order) = self.order.as_mut() {
            let before = *order;
            order.check(batch.header(), pos)?;
            self.order_mark = Some((pos, before));
        }
        self.pos += size as u64;
        Ok(Some(batch))
    }
}
