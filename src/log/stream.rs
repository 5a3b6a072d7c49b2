//! Reading a `.log` file batch by batch with a bounded buffer: the one scanner used by
//! recovery, reads and `dump`. Memory stays at the buffer size (plus one batch when a
//! batch is larger), whatever the file size.

use std::borrow::Borrow;
use std::fs::File;

use crate::record::{BatchPrefix, BatchRef, CorruptBatch, batch::BATCH_PREFIX_LEN};

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
    /// Reading failed.
    #[error("read failed: {0}")]
    Io(#[from] std::io::Error),
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
        }
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
        self.pos += size as u64;
        Ok(Some(batch))
    }
}
