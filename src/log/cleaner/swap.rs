//! Writing a cleaned segment and swapping it in as Kafka does, so that a crash at any step
//! leaves a log that opens with nothing lost: the new files are written as `.cleaned` and
//! fsynced, renamed `.swap`, the replaced segments' files renamed `.deleted`, the `.swap`
//! files renamed to their final names (`UnifiedLog.replaceSegments`); the `.deleted` files
//! go after `log.segment.delete.delay.ms`, as Kafka's scheduled deletion. [`recover`] is Kafka's `LogLoader` first passes: run
//! before a log is opened, it finishes an interrupted swap or rolls it back.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::log::index::{self, OffsetEntry, TimeEntry};
use crate::log::names::{
    self, CLEANED_SUFFIX, DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, SWAP_SUFFIX, TIME_INDEX_SUFFIX,
    TXN_INDEX_SUFFIX,
};
use crate::log::segment::IndexState;
use crate::log::stream::BatchStream;
use crate::log::txn_index::AbortedTxn;
use crate::log::{LogError, io, io_err};
use crate::record::BatchRef;
use crate::record::batch::MAX_BATCH_BYTES;

/// The files of a segment, in the order Kafka renames them (`LogSegment.changeFileSuffixes`).
pub const SEGMENT_SUFFIXES: [&str; 4] = [
    LOG_SUFFIX,
    INDEX_SUFFIX,
    TIME_INDEX_SUFFIX,
    TXN_INDEX_SUFFIX,
];

fn with_suffix(dir: &Path, base: i64, suffix: &str, extra: &str) -> PathBuf {
    names::segment_path(dir, base, &format!("{suffix}{extra}"))
}

/// Buffered appends to one new file.
struct Out {
    path: PathBuf,
    file: File,
    buf: Vec<u8>,
    flush_at: usize,
}

impl Out {
    fn create(path: PathBuf, flush_at: usize) -> Result<Out, LogError> {
        let file = io::open(
            &path,
            OpenOptions::new().write(true).create(true).truncate(true),
        )
        .map_err(io_err(&path, "create"))?;
        Ok(Out {
            path,
            file,
            buf: Vec::new(),
            flush_at,
        })
    }

    fn push(&mut self, bytes: &[u8]) -> Result<(), LogError> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= self.flush_at {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), LogError> {
        if !self.buf.is_empty() {
            io::append(&mut self.file, &self.buf).map_err(io_err(&self.path, "write"))?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> Result<(), LogError> {
        self.flush()?;
        io::sync(&self.file).map_err(io_err(&self.path, "fsync"))
    }
}

/// A cleaned segment being written: `<base>.log.cleaned` and its indexes, built by the
/// same index rule as every segment ([`IndexState`]), so they are what Kafka would build.
pub struct CleanedSegment {
    dir: PathBuf,
    base: i64,
    log: Out,
    index: Out,
    time: Out,
    size: u64,
    state: IndexState,
    interval: u64,
}

impl CleanedSegment {
    /// Creates the `.cleaned` files of a segment based at `base` (any left by an earlier
    /// attempt are replaced).
    pub fn create(
        dir: &Path,
        base: i64,
        interval: u64,
        buffer: usize,
    ) -> Result<CleanedSegment, LogError> {
        let small = (buffer / 16).max(4096);
        Ok(CleanedSegment {
            dir: dir.to_path_buf(),
            base,
            log: Out::create(with_suffix(dir, base, LOG_SUFFIX, CLEANED_SUFFIX), buffer)?,
            index: Out::create(with_suffix(dir, base, INDEX_SUFFIX, CLEANED_SUFFIX), small)?,
            time: Out::create(
                with_suffix(dir, base, TIME_INDEX_SUFFIX, CLEANED_SUFFIX),
                small,
            )?,
            size: 0,
            state: IndexState::EMPTY,
            interval,
        })
    }

    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends complete batches (back to back in `bytes`), with their index entries.
    pub fn append(&mut self, bytes: &[u8]) -> Result<(), LogError> {
        let mut at = 0usize;
        while at < bytes.len() {
            let b = BatchRef::parse(&bytes[at..], self.size, MAX_BATCH_BYTES).map_err(|e| {
                LogError::Corrupt {
                    path: self.log.path.clone(),
                    detail: format!("cleaned batch: {e}"),
                }
            })?;
            let h = *b.header();
            let (o, t) = self.state.observe(&h, self.size, self.interval);
            if let Some(o) = o {
                self.push_offset(o)?;
            }
            if let Some(t) = t {
                self.push_time(t)?;
            }
            at += h.size();
            self.size += h.size() as u64;
        }
        self.log.push(bytes)
    }

    fn push_offset(&mut self, e: OffsetEntry) -> Result<(), LogError> {
        self.index.push(&index::encode_offset_entry(self.base, e))
    }

    fn push_time(&mut self, e: TimeEntry) -> Result<(), LogError> {
        self.time.push(&index::encode_time_entry(self.base, e))
    }

    /// Seals the segment (the closing time-index entry, as a roll adds), writes the
    /// `.txnindex` entries of the aborts it keeps, and fsyncs every file. Returns the
    /// segment's size.
    pub fn finish(mut self, aborts: &[AbortedTxn]) -> Result<u64, LogError> {
        if let Some(t) = self.state.time_entry() {
            self.push_time(t)?;
        }
        let size = self.size;
        let (dir, base) = (self.dir.clone(), self.base);
        self.log.finish()?;
        self.index.finish()?;
        self.time.finish()?;
        if !aborts.is_empty() {
            let mut txn = Out::create(
                with_suffix(&dir, base, TXN_INDEX_SUFFIX, CLEANED_SUFFIX),
                1 << 16,
            )?;
            for a in aborts {
                txn.push(&a.encode())?;
            }
            txn.finish()?;
        }
        Ok(size)
    }
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn rename(from: &Path, to: &Path) -> Result<(), LogError> {
    io::rename(from, to).map_err(io_err(from, "rename"))
}

/// Swaps the cleaned segment `new_base` in for the segments `old` (Kafka's
/// `replaceSegments`): `.cleaned` -> `.swap`, old files -> `.deleted`, `.swap` -> final
/// names. A file the swap replaces under the same name keeps its data under a `.deleted`
/// hard link while the `.swap` file is renamed over it (rename(2) replaces atomically: a
/// lock-free reader always finds a segment at that base, old or cleaned, never neither).
/// The `.deleted` files are left to [`crate::log::partition::remove_deleted_files`], after
/// `log.segment.delete.delay.ms` (Kafka's asynchronous `deleteSegmentFiles`): freeing a
/// large segment's blocks is slow, and no clean waits for it. Every step leaves a state
/// [`recover`] completes or rolls back.
pub fn replace(dir: &Path, new_base: i64, old: &[i64]) -> Result<(), LogError> {
    for suffix in SEGMENT_SUFFIXES {
        let from = with_suffix(dir, new_base, suffix, CLEANED_SUFFIX);
        if exists(&from) {
            rename(&from, &with_suffix(dir, new_base, suffix, SWAP_SUFFIX))?;
        }
    }
    io::sync_dir(dir).map_err(io_err(dir, "fsync"))?;
    let mut marked = Vec::new();
    for &base in old {
        for suffix in SEGMENT_SUFFIXES {
            let from = names::segment_path(dir, base, suffix);
            if !exists(&from) {
                continue;
            }
            let to = with_suffix(dir, base, suffix, DELETED_SUFFIX);
            if base == new_base && exists(&with_suffix(dir, base, suffix, SWAP_SUFFIX)) {
                // A `.deleted` file of an earlier clean under the same name goes first.
                io::remove_file(&to).map_err(io_err(&to, "remove"))?;
                io::hard_link(&from, &to).map_err(io_err(&from, "link"))?;
            } else {
                rename(&from, &to)?;
            }
            marked.push(to);
        }
    }
    for suffix in SEGMENT_SUFFIXES {
        let from = with_suffix(dir, new_base, suffix, SWAP_SUFFIX);
        if exists(&from) {
            rename(&from, &names::segment_path(dir, new_base, suffix))?;
        }
    }
    io::sync_dir(dir).map_err(io_err(dir, "fsync"))?;
    // The delay counts from now (best effort: a file whose time cannot be set goes a
    // little early, never late).
    let now = std::time::SystemTime::now();
    for p in marked {
        if let Ok(f) = OpenOptions::new().write(true).open(&p) {
            let _ = f.set_modified(now);
        }
    }
    Ok(())
}

/// Removes the `.cleaned` files of a clean that failed before its swap (best effort: what
/// stays is removed by the next [`recover`]).
pub fn abandon(dir: &Path, base: i64) {
    for suffix in SEGMENT_SUFFIXES {
        let _ = io::remove_file(&with_suffix(dir, base, suffix, CLEANED_SUFFIX));
    }
}

/// What [`recover`] found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SwapRecovery {
    /// `.cleaned` files removed (a clean that had not swapped: rolled back).
    pub cleaned: usize,
    /// `.swap` files removed because a `.cleaned` file at or below them was found.
    pub invalid_swaps: usize,
    /// Base offsets of the segments a swap replaced that were still present (removed).
    pub replaced: Vec<i64>,
    /// `.swap` files renamed to their final names (the swap completed).
    pub completed: usize,
}

/// Kafka's `LogLoader` for interrupted cleans, run before a log's segments are listed
/// (`.deleted` files are left to their delayed removal): `.cleaned` files go, with every `.swap` file at or above the lowest
/// of them; a remaining `.log.swap` replaces the segments whose base offsets lie in
/// `[its base, its next offset)`, and every `.swap` file is renamed to its final name.
pub fn recover(dir: &Path) -> Result<SwapRecovery, LogError> {
    let mut report = SwapRecovery::default();
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(report),
        Err(e) => return Err(io_err(dir, "list")(e)),
    };
    let mut cleaned = Vec::new();
    let mut swaps = Vec::new();
    let mut min_cleaned = i64::MAX;
    for entry in rd {
        let entry = entry.map_err(io_err(dir, "list"))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some((base, suffix)) = names::parse_segment_name(name) else {
            continue;
        };
        if !SEGMENT_SUFFIXES.iter().any(|s| suffix.starts_with(s)) {
            continue;
        }
        // `.deleted` files stay: Kafka's LogLoader removes them at a broker's start, but
        // filka opens a log in every command, and they go log.segment.delete.delay.ms
        // after they were marked (`remove_deleted_files`), as Kafka's scheduled deletion.
        if suffix.ends_with(DELETED_SUFFIX) {
            continue;
        } else if suffix.ends_with(CLEANED_SUFFIX) {
            min_cleaned = min_cleaned.min(base);
            cleaned.push(entry.path());
        } else if let Some(real) = suffix.strip_suffix(SWAP_SUFFIX) {
            swaps.push((base, real.to_string(), entry.path()));
        }
    }
    if cleaned.is_empty() && swaps.is_empty() {
        return Ok(report);
    }
    let mut valid = Vec::new();
    for (base, real, path) in swaps {
        if base >= min_cleaned {
            io::remove_file(&path).map_err(io_err(&path, "remove"))?;
            report.invalid_swaps += 1;
        } else {
            valid.push((base, real, path));
        }
    }
    for path in cleaned {
        io::remove_file(&path).map_err(io_err(&path, "remove"))?;
        report.cleaned += 1;
    }
    let (mut min, mut max) = (i64::MAX, i64::MIN);
    for (base, real, path) in &valid {
        if real == LOG_SUFFIX {
            min = min.min(*base);
            max = max.max(next_offset(path, *base)?);
        }
    }
    if min < max {
        let rd = std::fs::read_dir(dir).map_err(io_err(dir, "list"))?;
        let mut replaced = std::collections::BTreeSet::new();
        for entry in rd {
            let entry = entry.map_err(io_err(dir, "list"))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Some((base, suffix)) = names::parse_segment_name(name) else {
                continue;
            };
            if SEGMENT_SUFFIXES.contains(&suffix) && base >= min && base < max {
                io::remove_file(&entry.path()).map_err(io_err(&entry.path(), "remove"))?;
                replaced.insert(base);
            }
        }
        report.replaced = replaced.into_iter().collect();
    }
    for (base, real, path) in &valid {
        rename(path, &names::segment_path(dir, *base, real))?;
        report.completed += 1;
    }
    io::sync_dir(dir).map_err(io_err(dir, "fsync"))?;
    Ok(report)
}

/// The offset after the last batch of a `.log` file (its base when it has none); reads
/// headers only, stopping at the first batch that cannot be read.
fn next_offset(path: &Path, base: i64) -> Result<i64, LogError> {
    let file = io::open_read(path).map_err(io_err(path, "open"))?;
    let len = io::len(&file).map_err(io_err(path, "stat"))?;
    let mut stream = BatchStream::new(&file, 0, len, MAX_BATCH_BYTES).with_chunk(1 << 16);
    let mut next = base;
    while let Ok(Some(b)) = stream.next() {
        next = next.max(b.header().next_offset());
    }
    Ok(next)
}
