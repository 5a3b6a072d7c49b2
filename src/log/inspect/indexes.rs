//! The `.index` and `.timeindex` walks: entries read in small chunks up to zero padding,
//! and with `verify` checked against the sibling `.log` in one forward walk.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::record::batch::MAX_BATCH_BYTES;

use super::super::index::{OFFSET_ENTRY_LEN, OffsetEntry, TIME_ENTRY_LEN, TimeEntry};
use super::super::stream::{BatchStream, ScanStop};
use super::{
    CHUNK, Emitter, Event, InspectError, LogError, Mismatch, Options, Problem, ProblemKind, io,
    io_err, names, open,
};

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
            // Java's long arithmetic wraps; a hostile base offset must not panic here.
            offset: base.wrapping_add(i64::from(rel)),
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
            offset: base.wrapping_add(i64::from(rel)),
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
        let file = match io::open_user_read(log) {
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
pub(super) fn sibling_log(path: &Path) -> PathBuf {
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

/// Where the entries stopped at what Kafka reads as zero padding (a later entry at the base
/// offset), and whether that entry's own bytes were all zero.
#[derive(Debug, Clone, Copy)]
struct Padding {
    position: u64,
    zero: bool,
}

/// After the entries: trailing bytes of a partial entry, and (with `verify`) data hidden
/// behind what looked like zero padding.
fn finish_index(
    path: &Path,
    reader: &mut EntryReader,
    padding: Option<Padding>,
    opts: &Options,
    em: &mut Emitter<'_>,
) -> Result<(), InspectError> {
    if let Some(p) = padding
        && opts.verify
        && !(p.zero && reader.rest_is_zero().map_err(io_err(path, "read"))?)
    {
        em.corrupt(
            Some(p.position),
            format!(
                "the entries end at byte {} (an entry at the base offset, read as zero \
                 padding), but non-zero bytes follow",
                p.position
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
pub(super) fn dump_offset_index(
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
    let mut padding = None;
    let mut i = 0u64;
    loop {
        let at = reader.position();
        let Some(bytes) = reader.next().map_err(io_err(path, "read"))? else {
            break;
        };
        let (rel, entry) = read_offset_entry(bytes, base);
        // Like kafka-dump-log: a later entry at the base offset is zero padding.
        if i > 0 && rel == 0 {
            padding = Some(Padding {
                position: at,
                zero: bytes.iter().all(|&b| b == 0),
            });
            break;
        }
        i += 1;
        em.emit(&Event::IndexEntry(entry))?;
        if let Some((log, w)) = walker.as_mut() {
            check_offset_entry(log, w, previous, entry, em)?;
        }
        previous = Some(entry);
    }
    finish_index(path, &mut reader, padding, opts, em)
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
pub(super) fn dump_time_index(
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
    let mut padding = None;
    let mut i = 0u64;
    loop {
        let at = reader.position();
        let Some(bytes) = reader.next().map_err(io_err(path, "read"))? else {
            break;
        };
        let (rel, entry) = read_time_entry(bytes, base);
        if i > 0 && rel == 0 {
            padding = Some(Padding {
                position: at,
                zero: bytes.iter().all(|&b| b == 0),
            });
            break;
        }
        i += 1;
        em.emit(&Event::TimeIndexEntry(entry))?;
        if let Some((log, w)) = walker.as_mut() {
            check_time_entry(log, w, previous, entry, em)?;
        }
        previous = Some(entry);
    }
    finish_index(path, &mut reader, padding, opts, em)
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
