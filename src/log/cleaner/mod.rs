//! Kafka's log compaction (`cleanup.policy=compact`): the `LogCleaner`'s rounds over one
//! partition's log. Each round maps the latest offset of every key in the dirty part of the
//! log (from the first dirty offset, kept in the broker folder's
//! `cleaner-offset-checkpoint`, to the first uncleanable offset) into a fixed-size
//! [`offset_map::OffsetMap`], then rewrites every segment up to what the map covers,
//! grouped by size, keeping only each key's latest record ([`filter`]), and swaps the
//! rewritten segments in ([`swap`]). When the map fills before the dirty part ends, the
//! round cleans up to the last offset mapped and the next round goes on from there: more
//! keys mean more rounds, never more memory.
//!
//! What is never cleaned: the active segment, anything at or above the last stable offset,
//! segments newer than `min.compaction.lag.ms`. Offsets keep their gaps; tombstones and
//! transaction markers stay `delete.retention.ms` past the clean that first reached them
//! (the delete horizon, written into the batch header as Kafka 3.x+ does) and go at a
//! later clean; records of aborted transactions go; the last batch of each active producer
//! stays (possibly empty) so its sequence and epoch survive.
//!
//! The caller holds the partition's lock and passes its open [`PartitionLog`]. Memory:
//! the offset map ([`CleanConfig::dedupe_buffer_bytes`]) plus read and write buffers of
//! about [`CleanConfig::io_buffer_bytes`] (one batch more when a batch is larger).

pub mod filter;
pub mod offset_map;
pub mod swap;
pub mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::record::BatchRef;
use crate::record::batch::MAX_BATCH_BYTES;

use super::checkpoint;
use super::names::{self, INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX};
use super::stream::{BatchOrder, BatchStream, ScanStop};
use super::txn_index;
use super::{LogError, LogReader, PartitionLog, io, io_err};
use filter::{Filter, LastRecord, TxnMetadata};
use offset_map::OffsetMap;

pub use swap::{SwapRecovery, recover as recover_swaps};

/// Kafka's `log.cleaner.dedupe.buffer.size` default (128 MiB, shared by a broker's cleaner
/// threads).
pub const KAFKA_DEDUPE_BUFFER_BYTES: usize = 128 << 20;
/// filka's default offset map buffer: 48 MiB, whose largest table (2^20 slots, 24 MiB,
/// with the table before it while it grows) maps 943,718 keys a round at the 0.9 load
/// factor. A clean is a short-lived command beside others on the machine, not a broker's
/// long-lived thread, so it takes less than Kafka's buffer; more keys mean more rounds.
pub const DEFAULT_DEDUPE_BUFFER_BYTES: usize = 48 << 20;
/// Kafka's `log.cleaner.io.buffer.load.factor` default.
pub const DEFAULT_LOAD_FACTOR: f64 = 0.9;
/// Kafka's `log.cleaner.io.buffer.size` default (512 KiB, for reads and writes).
pub const DEFAULT_IO_BUFFER_BYTES: usize = 512 << 10;
/// Kafka's `segment.index.bytes` default: the largest index a cleaned group may have.
pub const DEFAULT_MAX_INDEX_BYTES: u64 = 10 << 20;

/// The settings of a clean (Kafka's topic and cleaner configs, Kafka's defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CleanConfig {
    /// `cleanup.policy` includes `compact`.
    pub compact: bool,
    /// `cleanup.policy` includes `delete` (retention still applies; the caller runs it).
    pub delete: bool,
    /// `min.cleanable.dirty.ratio` (0.5).
    pub min_cleanable_dirty_ratio: f64,
    /// `min.compaction.lag.ms` (0).
    pub min_compaction_lag_ms: i64,
    /// `max.compaction.lag.ms` (i64::MAX).
    pub max_compaction_lag_ms: i64,
    /// `delete.retention.ms` (1 day).
    pub delete_retention_ms: i64,
    /// `log.cleaner.dedupe.buffer.size`: bytes of the offset map.
    pub dedupe_buffer_bytes: usize,
    /// `log.cleaner.io.buffer.load.factor`.
    pub load_factor: f64,
    /// `log.cleaner.io.buffer.size`: read-ahead and write buffer.
    pub io_buffer_bytes: usize,
    /// `segment.index.bytes`: a group's indexes stay below it.
    pub max_index_bytes: u64,
}

impl Default for CleanConfig {
    fn default() -> Self {
        CleanConfig {
            compact: true,
            delete: false,
            min_cleanable_dirty_ratio: 0.5,
            min_compaction_lag_ms: 0,
            max_compaction_lag_ms: i64::MAX,
            delete_retention_ms: 86_400_000,
            dedupe_buffer_bytes: DEFAULT_DEDUPE_BUFFER_BYTES,
            load_factor: DEFAULT_LOAD_FACTOR,
            io_buffer_bytes: DEFAULT_IO_BUFFER_BYTES,
            max_index_bytes: DEFAULT_MAX_INDEX_BYTES,
        }
    }
}

/// Kafka's view of how much of a partition's log is due for cleaning (`LogToClean` and
/// `LogCleanerManager.cleanableOffsets`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cleanable {
    /// Where the dirty part starts: the checkpoint, or the log start offset when there is
    /// none or it lies outside the log.
    pub first_dirty_offset: i64,
    /// The base offset of the first segment that may not be cleaned (the active one, the
    /// one holding the last stable offset, or the first within `min.compaction.lag.ms`).
    pub first_uncleanable_offset: i64,
    /// Bytes of the segments below the first dirty offset.
    pub clean_bytes: u64,
    /// Bytes of the segments from the first dirty offset to the first uncleanable one.
    pub cleanable_bytes: u64,
    /// `clean_bytes + cleanable_bytes`.
    pub total_bytes: u64,
    /// `cleanable_bytes / total_bytes` (0 when there are none).
    pub dirty_ratio: f64,
    /// How long past `max.compaction.lag.ms` the oldest dirty segment is (0 when not).
    pub max_compaction_delay_ms: i64,
    /// The checkpoint was outside the log and must be rewritten.
    pub reset_checkpoint: bool,
    /// Kafka would clean it now: compacted, something cleanable, and a dirty ratio above
    /// `min.cleanable.dirty.ratio` or a segment past `max.compaction.lag.ms`.
    pub due: bool,
}

/// What a clean did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CleanReport {
    /// Rounds run (one per offset map filled).
    pub rounds: u32,
    /// The first dirty offset before.
    pub first_dirty_offset: i64,
    /// The checkpoint written: everything below it is clean.
    pub end_offset: i64,
    /// Groups of segments rewritten.
    pub groups: u32,
    /// Segments replaced.
    pub segments_replaced: u32,
    /// Records read while rewriting.
    pub records_read: u64,
    /// Records kept.
    pub records_kept: u64,
    /// Bytes read while rewriting.
    pub bytes_read: u64,
    /// Bytes written.
    pub bytes_written: u64,
    /// Largest fraction of the offset map used by a round.
    pub map_utilization: f64,
    /// Records the last round kept: what the cleaned part of the log (below `end_offset`)
    /// now holds; each round rewrites it from its start, so `records_kept` counts them once
    /// per round. 0 when no round ran.
    pub records_after: u64,
    /// Bytes the last round wrote.
    pub bytes_after: u64,
}

/// `<broker folder>/cleaner-offset-checkpoint` and this partition's key in it.
fn checkpoint_place(dir: &Path) -> Result<(PathBuf, (String, u32)), LogError> {
    let bad = || LogError::Corrupt {
        path: dir.to_path_buf(),
        detail: "not a partition folder (topic-partition)".into(),
    };
    let name = dir.file_name().and_then(|n| n.to_str()).ok_or_else(bad)?;
    let (topic, partition) = names::parse_partition_dir(name).ok_or_else(bad)?;
    let broker = dir.parent().ok_or_else(bad)?;
    Ok((
        broker.join(names::CLEANER_OFFSET_CHECKPOINT),
        (topic.to_string(), partition),
    ))
}

/// The partition's first dirty offset from its broker's `cleaner-offset-checkpoint`
/// (`None` when it has no entry).
pub fn read_checkpoint(dir: &Path) -> Result<Option<i64>, LogError> {
    let (path, (topic, partition)) = checkpoint_place(dir)?;
    checkpoint::read_offset(&path, &topic, partition)
}

/// Sets the partition's entry in its broker's `cleaner-offset-checkpoint` (Kafka's text
/// checkpoint format: version 0, count, `topic partition offset` lines), atomically.
pub fn write_checkpoint(dir: &Path, offset: i64) -> Result<(), LogError> {
    let (path, key) = checkpoint_place(dir)?;
    if let Some(update) = checkpoint::update_offsets(&path, &[(&key, Some(offset))])? {
        checkpoint::write_offsets_text(&path, &update.text, true)?;
    }
    Ok(())
}

/// A non-active segment: base offset and file sizes.
#[derive(Debug, Clone, Copy)]
struct Seg {
    base: i64,
    size: u64,
    index_bytes: u64,
    time_index_bytes: u64,
}

fn file_len(path: &Path) -> u64 {
    std::fs::symlink_metadata(path).map_or(0, |m| m.len())
}

/// What the cleanable view reads of a log: its folder, offsets and segments.
struct Shape<'a> {
    dir: &'a Path,
    log_start: i64,
    leo: i64,
    /// Every segment's base offset, the active one last.
    bases: Vec<i64>,
}

impl<'a> Shape<'a> {
    fn of(log: &'a PartitionLog) -> Shape<'a> {
        Shape {
            dir: log.dir(),
            log_start: log.log_start_offset(),
            leo: log.log_end_offset(),
            bases: log.segment_bases(),
        }
    }
}

fn older_segments(log: &PartitionLog) -> Vec<Seg> {
    older_segments_in(log.dir(), &log.segment_bases())
}

/// The segments of `bases` but the last (the active one).
fn older_segments_in(dir: &Path, bases: &[i64]) -> Vec<Seg> {
    bases[..bases.len().saturating_sub(1)]
        .iter()
        .map(|&base| Seg {
            base,
            size: file_len(&names::segment_path(dir, base, LOG_SUFFIX)),
            index_bytes: file_len(&names::segment_path(dir, base, INDEX_SUFFIX)),
            time_index_bytes: file_len(&names::segment_path(dir, base, TIME_INDEX_SUFFIX)),
        })
        .collect()
}

fn scan_err(path: &Path, e: ScanStop) -> LogError {
    match e {
        ScanStop::Io(e) => io_err(path, "read")(e),
        e => LogError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
    }
}

/// Largest timestamp of a segment: its time index's last entry, else its batches'.
fn largest_timestamp(dir: &Path, base: i64) -> Result<i64, LogError> {
    let tpath = names::segment_path(dir, base, TIME_INDEX_SUFFIX);
    if let Ok(f) = io::open_read(&tpath) {
        let len = io::len(&f).map_err(io_err(&tpath, "stat"))?;
        let entry = super::index::TIME_ENTRY_LEN as u64;
        if len >= entry {
            let mut buf = [0u8; 12];
            let at = len - len % entry - entry;
            io::read_exact_at(&f, &mut buf, at).map_err(io_err(&tpath, "read"))?;
            if let Some(e) = super::index::parse_time_index(&buf, base).entries.last() {
                return Ok(e.timestamp);
            }
        }
    }
    let lpath = names::segment_path(dir, base, LOG_SUFFIX);
    let f = io::open_read(&lpath).map_err(io_err(&lpath, "open"))?;
    let len = io::len(&f).map_err(io_err(&lpath, "stat"))?;
    let mut stream = BatchStream::new(&f, 0, len, MAX_BATCH_BYTES).with_chunk(1 << 16);
    let mut max = -1;
    while let Some(b) = stream.next().map_err(|e| scan_err(&lpath, e))? {
        max = max.max(b.header().max_timestamp);
    }
    Ok(max)
}

/// Max timestamp of a segment's first batch (Kafka's `getFirstBatchTimestamp`), if any.
fn first_batch_timestamp(dir: &Path, base: i64) -> Result<Option<i64>, LogError> {
    let lpath = names::segment_path(dir, base, LOG_SUFFIX);
    let f = io::open_read(&lpath).map_err(io_err(&lpath, "open"))?;
    let len = io::len(&f).map_err(io_err(&lpath, "stat"))?;
    let mut stream = BatchStream::new(&f, 0, len, MAX_BATCH_BYTES).with_chunk(4096);
    Ok(stream
        .next()
        .map_err(|e| scan_err(&lpath, e))?
        .map(|b| b.header().max_timestamp))
}

/// Index of the segment holding `offset` (the last with base <= offset; 0 when below all).
fn floor(segs: &[Seg], offset: i64) -> usize {
    segs.partition_point(|s| s.base <= offset).saturating_sub(1)
}

/// Kafka's `cleanableOffsets`, `calculateCleanableBytes` and `maxCompactionDelay` for the
/// log, with `checkpoint` as the last clean offset and `last_stable_offset` as the bound
/// transactions set.
fn view(
    shape: &Shape<'_>,
    cfg: &CleanConfig,
    checkpoint: Option<i64>,
    last_stable_offset: i64,
    now_ms: i64,
) -> Result<Cleanable, LogError> {
    let dir = shape.dir;
    let (start, leo) = (shape.log_start, shape.leo);
    let active = shape.bases.last().copied().unwrap_or(leo);
    let segs = older_segments_in(dir, &shape.bases);
    let wanted = checkpoint.unwrap_or(start);
    let (first_dirty, reset) = if wanted < start || wanted > leo {
        (start, true)
    } else {
        (wanted, false)
    };
    // Dirty segments that are not the active one: from the one holding the first dirty
    // offset.
    let dirty_from = if segs.is_empty() || first_dirty >= active {
        segs.len()
    } else {
        floor(&segs, first_dirty)
    };
    let mut uncleanable = last_stable_offset.min(active);
    if cfg.min_compaction_lag_ms > 0 {
        for s in &segs[dirty_from..] {
            if largest_timestamp(dir, s.base)? > now_ms.saturating_sub(cfg.min_compaction_lag_ms) {
                uncleanable = uncleanable.min(s.base);
                break;
            }
        }
    }
    let uncleanable = uncleanable.max(first_dirty);
    // The first uncleanable segment: the one holding that offset, unless it is the active.
    let first_uncleanable = if uncleanable >= active || segs.is_empty() {
        active
    } else {
        segs[floor(&segs, uncleanable)].base
    };
    let next_base = |i: usize| segs.get(i + 1).map_or(active, |s| s.base);
    // Segments overlapping [from, to), as Kafka's `logSegments(from, to)`.
    let bytes_in = |from: i64, to: i64| -> u64 {
        segs.iter()
            .enumerate()
            .filter(|&(i, s)| s.base < to && next_base(i) > from)
            .map(|(_, s)| s.size)
            .sum()
    };
    let clean_bytes = bytes_in(i64::MIN, first_dirty);
    let cleanable_bytes = bytes_in(first_dirty.min(first_uncleanable), first_uncleanable);
    let total_bytes = clean_bytes + cleanable_bytes;
    let dirty_ratio = if total_bytes == 0 {
        0.0
    } else {
        cleanable_bytes as f64 / total_bytes as f64
    };
    let mut earliest = i64::MAX;
    for s in &segs[dirty_from..] {
        if let Some(t) = first_batch_timestamp(dir, s.base)?.filter(|&t| t > 0) {
            earliest = earliest.min(t);
        }
    }
    let clean_until = now_ms.saturating_sub(cfg.max_compaction_lag_ms.max(0));
    let max_compaction_delay_ms = if earliest < clean_until {
        clean_until - earliest
    } else {
        0
    };
    let due = cfg.compact
        && cleanable_bytes > 0
        && (max_compaction_delay_ms > 0 || dirty_ratio > cfg.min_cleanable_dirty_ratio);
    Ok(Cleanable {
        first_dirty_offset: first_dirty,
        first_uncleanable_offset: first_uncleanable.max(first_dirty),
        clean_bytes,
        cleanable_bytes,
        total_bytes,
        dirty_ratio,
        max_compaction_delay_ms,
        reset_checkpoint: reset,
        due,
    })
}

/// The partition's cleanable view now: first dirty offset (from the checkpoint), dirty
/// ratio, whether `min.compaction.lag.ms`/`max.compaction.lag.ms` make it due. Reads
/// segment sizes, the checkpoint, and one header or time-index entry per dirty segment.
pub fn cleanable(
    log: &mut PartitionLog,
    cfg: &CleanConfig,
    high_watermark: i64,
    now_ms: i64,
) -> Result<Cleanable, LogError> {
    let checkpoint = read_checkpoint(log.dir())?;
    let lso = log.last_stable_offset(high_watermark);
    view(&Shape::of(log), cfg, checkpoint, lso, now_ms)
}

/// [`cleanable`] for a reader that holds no lock (`describe topic`): the log as `reader`
/// listed it, `log_start_offset` from the broker's `log-start-offset-checkpoint` (the
/// first segment's base when `None`), the last stable offset from the producer state the
/// reader loads. Writes nothing.
pub fn cleanable_read_only(
    reader: &LogReader,
    log_start_offset: Option<i64>,
    cfg: &CleanConfig,
    high_watermark: i64,
    now_ms: i64,
) -> Result<Cleanable, LogError> {
    let checkpoint = read_checkpoint(reader.dir())?;
    let leo = reader.log_end_offset()?;
    let first = reader.first_offset();
    let shape = Shape {
        dir: reader.dir(),
        log_start: log_start_offset.map_or(first, |o| o.max(first)).min(leo),
        leo,
        bases: reader.segment_bases().to_vec(),
    };
    let lso = reader.last_stable_offset(high_watermark.min(leo))?;
    view(&shape, cfg, checkpoint, lso, now_ms)
}

/// Cleans the log from the checkpoint's first dirty offset, whatever its dirty ratio (ask
/// [`cleanable`] first whether Kafka would), in as many rounds as the offset map needs,
/// updating the checkpoint after each. A log whose policy is not `compact` is left alone.
pub fn clean(
    log: &mut PartitionLog,
    cfg: &CleanConfig,
    high_watermark: i64,
    now_ms: i64,
) -> Result<CleanReport, LogError> {
    let checkpoint = read_checkpoint(log.dir())?;
    clean_from(log, cfg, checkpoint, high_watermark, now_ms)
}

/// [`clean`] from `first_dirty_offset` (the log start when `None`) instead of the
/// checkpoint's.
pub fn clean_from(
    log: &mut PartitionLog,
    cfg: &CleanConfig,
    first_dirty_offset: Option<i64>,
    high_watermark: i64,
    now_ms: i64,
) -> Result<CleanReport, LogError> {
    let mut report = CleanReport::default();
    if !cfg.compact {
        return Ok(report);
    }
    let mut map = OffsetMap::new(cfg.dedupe_buffer_bytes);
    if (map.max_slots() as f64 * cfg.load_factor) < 1.0 {
        return Err(LogError::BadBatch(format!(
            "the cleaner's offset map of {} bytes holds no key: raise the dedupe buffer",
            cfg.dedupe_buffer_bytes
        )));
    }
    let mut checkpoint = first_dirty_offset;
    let mut first = true;
    loop {
        let lso = log.last_stable_offset(high_watermark);
        let v = view(&Shape::of(log), cfg, checkpoint, lso, now_ms)?;
        if first {
            report.first_dirty_offset = v.first_dirty_offset;
            report.end_offset = v.first_dirty_offset;
            first = false;
        }
        if v.first_dirty_offset >= v.first_uncleanable_offset {
            if v.reset_checkpoint || checkpoint.is_none() {
                write_checkpoint(log.dir(), v.first_dirty_offset)?;
            }
            break;
        }
        let (kept_before, written_before) = (report.records_kept, report.bytes_written);
        let end = round(
            log,
            cfg,
            &mut map,
            v.first_dirty_offset,
            v.first_uncleanable_offset,
            now_ms,
            &mut report,
        )?;
        log.reload_older_segments()?;
        write_checkpoint(log.dir(), end)?;
        report.rounds += 1;
        // Each round rewrites the log from its start: the last one's output is what is left.
        report.records_after = report.records_kept - kept_before;
        report.bytes_after = report.bytes_written - written_before;
        report.end_offset = end;
        checkpoint = Some(end);
    }
    Ok(report)
}

/// One round (Kafka's `doClean`): maps `[first_dirty, upper)`, then rewrites the segments
/// below what the map covers. Returns the offset the map covered up to (the new first dirty
/// offset).
fn round(
    log: &PartitionLog,
    cfg: &CleanConfig,
    map: &mut OffsetMap,
    first_dirty: i64,
    upper: i64,
    now_ms: i64,
    report: &mut CleanReport,
) -> Result<i64, LogError> {
    let dir = log.dir().to_path_buf();
    let bases = log.segment_bases();
    let segs = older_segments(log);
    let mut mapped = Vec::new();
    build_map(
        &dir,
        &bases,
        &segs,
        first_dirty,
        upper,
        map,
        cfg,
        &mut mapped,
    )?;
    count_latest(map, &mut mapped);
    report.map_utilization = report.map_utilization.max(map.utilization());
    let end = map.latest_offset() + 1;
    let to_clean: Vec<Seg> = segs.iter().copied().filter(|s| s.base < end).collect();
    let groups = group_by_size(
        &to_clean,
        log.config().segment_bytes,
        cfg.max_index_bytes,
        upper,
    );
    let last_records: HashMap<i64, LastRecord> = log
        .producer_state()
        .entries()
        .map(|e| {
            (
                e.producer_id(),
                LastRecord {
                    last_data_offset: e.last_data_offset(),
                    producer_epoch: e.epoch(),
                },
            )
        })
        .collect();
    let filter = Filter {
        map,
        now_ms,
        delete_retention_ms: cfg.delete_retention_ms,
        last_records: &last_records,
        upper_bound: upper,
    };
    let mut txns = TxnMetadata::default();
    for group in groups {
        clean_group(
            &dir,
            &bases,
            &group,
            &filter,
            &mapped,
            &mut txns,
            cfg,
            log.config().index_interval_bytes,
            report,
        )?;
    }
    Ok(end)
}

/// A plain batch (neither control nor transactional) the map pass read whole in the
/// dirty part, so every key in it is in the map: when none of its records is its key's
/// latest (and it is not a batch kept even empty, see [`filter::retains_empty`]), filtering
/// would drop every record, so the filter pass skips it without reading it. Kafka's
/// cleaner reads such batches again; the result is the same, record for record.
#[derive(Debug, Clone, Copy)]
struct Mapped {
    /// The base offset of its segment.
    segment: i64,
    /// Its byte position in the segment.
    position: u64,
    /// Its header.
    header: crate::record::BatchHeader,
    /// How many of its records are their key's latest.
    latest: u32,
}

/// At most this many [`Mapped`] batches a round (a few MiB): past it, batches are read
/// again, as Kafka does, so memory stays bounded.
const MAPPED_MAX: usize = 1 << 15;

/// A run of skippable batches shorter than this is read anyway: restarting the read-ahead
/// after a skip costs more than reading a little.
const MIN_SKIP_BYTES: u64 = 256 << 10;

#[cfg(test)]
thread_local! {
    /// Batches the filter pass skipped on this thread (tests check that it does).
    static SKIPPED_BATCHES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts, for each mapped batch, the records the map holds as their key's latest.
fn count_latest(map: &OffsetMap, mapped: &mut [Mapped]) {
    for o in map.offsets() {
        let i = mapped.partition_point(|m| m.header.last_offset() < o);
        if let Some(m) = mapped.get_mut(i)
            && m.header.base_offset <= o
        {
            m.latest += 1;
        }
    }
}

/// The byte ranges of segment `segment` the filter pass skips: runs of adjacent mapped
/// batches none of whose records is kept, at least [`MIN_SKIP_BYTES`] long; with each run's
/// batches, to account for them.
fn skips<'m>(f: &Filter<'_>, mapped: &'m [Mapped], segment: i64) -> Vec<(u64, u64, &'m [Mapped])> {
    let lo = mapped.partition_point(|m| m.segment < segment);
    let hi = mapped.partition_point(|m| m.segment <= segment);
    let ours = &mapped[lo..hi];
    let dropped = |m: &Mapped| m.latest == 0 && !filter::retains_empty(f, &m.header);
    let mut out = Vec::new();
    let mut i = 0;
    while i < ours.len() {
        if !dropped(&ours[i]) {
            i += 1;
            continue;
        }
        let start = ours[i].position;
        let mut end = start + ours[i].header.size() as u64;
        let mut j = i + 1;
        while j < ours.len() && dropped(&ours[j]) && ours[j].position == end {
            end += ours[j].header.size() as u64;
            j += 1;
        }
        if end - start >= MIN_SKIP_BYTES {
            out.push((start, end, &ours[i..j]));
        }
        i = j;
    }
    out
}

/// Kafka's `buildOffsetMap`: each key's latest offset in `[start, end)`, segment by
/// segment, until the map reaches its load factor. Records of aborted transactions are
/// not mapped.
#[allow(clippy::too_many_arguments)]
fn build_map(
    dir: &Path,
    bases: &[i64],
    segs: &[Seg],
    start: i64,
    end: i64,
    map: &mut OffsetMap,
    cfg: &CleanConfig,
    mapped: &mut Vec<Mapped>,
) -> Result<(), LogError> {
    map.clear();
    let mut txns = TxnMetadata::default();
    txns.add_aborted(txn_index::collect_aborted(dir, bases, start, end)?);
    let max_keys = (map.max_slots() as f64 * cfg.load_factor) as usize;
    let mut hashes = Vec::new();
    let dirty: Vec<usize> = (0..segs.len())
        .filter(|&i| segs[i].base < end && segs.get(i + 1).map_or(end, |s| s.base) > start)
        .collect();
    for (n, &i) in dirty.iter().enumerate() {
        let next_start = dirty.get(n + 1).map_or(end, |&j| segs[j].base);
        let path = names::segment_path(dir, segs[i].base, LOG_SUFFIX);
        let file = io::open_read(&path).map_err(io_err(&path, "open"))?;
        let len = io::len(&file).map_err(io_err(&path, "stat"))?;
        let mut stream = BatchStream::new(&file, 0, len, MAX_BATCH_BYTES)
            .with_chunk(cfg.io_buffer_bytes)
            .ordered(BatchOrder::new(segs[i].base));
        while let Some(b) = stream.next().map_err(|e| scan_err(&path, e))? {
            if map_batch(&b, &mut txns, map, start, max_keys, &mut hashes).map_err(|e| {
                LogError::Corrupt {
                    path: path.clone(),
                    detail: e.to_string(),
                }
            })? {
                return Ok(());
            }
            // Mapped whole: the filter pass may skip it unread (see `Mapped`).
            let h = *b.header();
            if !h.attributes.is_control()
                && !h.attributes.is_transactional()
                && h.base_offset >= start
                && mapped.len() < MAPPED_MAX
            {
                mapped.push(Mapped {
                    segment: segs[i].base,
                    position: b.position(),
                    header: h,
                    latest: 0,
                });
            }
        }
        map.update_latest_offset(next_start - 1);
    }
    Ok(())
}

/// Maps one batch's keys; true when the map is full (it then covers up to the last key
/// put). Walks keys and offsets only ([`walk`]): values are skipped by their length, keys
/// borrowed from the batch's bytes.
fn map_batch(
    b: &BatchRef<'_>,
    txns: &mut TxnMetadata,
    map: &mut OffsetMap,
    start: i64,
    max_keys: usize,
    hashes: &mut Vec<([u8; offset_map::HASH_BYTES], i64)>,
) -> Result<bool, crate::record::CorruptBatch> {
    let h = *b.header();
    let data = b.records_data()?;
    if h.attributes.is_control() {
        let first_key = walk::keys(&h, b.position(), &data)
            .next()
            .transpose()?
            .map(|r| r.key);
        txns.on_control_batch(&h, first_key);
    } else if !txns.on_data_batch(&h) && h.last_offset() >= start {
        hashes.clear();
        for r in walk::keys(&h, b.position(), &data) {
            let r = r?;
            if let Some(key) = r.key
                && r.offset >= start
            {
                hashes.push((map.hash(key), r.offset));
            }
        }
        map.warm_pairs(hashes);
        for (hash, offset) in hashes.iter() {
            if map.len() >= max_keys {
                return Ok(true);
            }
            map.put_hashed(hash, *offset);
        }
    }
    if h.last_offset() >= start {
        map.update_latest_offset(h.last_offset());
    }
    Ok(false)
}

/// Kafka's `groupSegmentsBySize`: consecutive segments whose logs fit `max_size` and whose
/// indexes fit `max_index`, spanning at most 2^31 - 1 offsets, rewritten as one.
fn group_by_size(
    segs: &[Seg],
    max_size: u64,
    max_index: u64,
    first_uncleanable: i64,
) -> Vec<Vec<Seg>> {
    let mut groups = Vec::new();
    let mut i = 0;
    while i < segs.len() {
        let mut group = vec![segs[i]];
        let (mut log, mut index, mut time) =
            (segs[i].size, segs[i].index_bytes, segs[i].time_index_bytes);
        i += 1;
        while i < segs.len() {
            let s = segs[i];
            let last_offset = segs
                .get(i + 1)
                .map_or(first_uncleanable - 1, |n| n.base - 1);
            let group_last_base = group.last().map_or(s.base, |g: &Seg| g.base);
            if log + s.size <= max_size
                && index + s.index_bytes <= max_index
                && time + s.time_index_bytes <= max_index
                && (s.size == 0 || last_offset - group_last_base <= i64::from(i32::MAX))
            {
                group.push(s);
                log += s.size;
                index += s.index_bytes;
                time += s.time_index_bytes;
                i += 1;
            } else {
                break;
            }
        }
        groups.push(group);
    }
    groups
}

/// Kafka's `cleanSegments`: rewrites `group` into one cleaned segment named after its first
/// and swaps it in.
#[allow(clippy::too_many_arguments)]
fn clean_group(
    dir: &Path,
    bases: &[i64],
    group: &[Seg],
    filter: &Filter<'_>,
    mapped: &[Mapped],
    txns: &mut TxnMetadata,
    cfg: &CleanConfig,
    interval: u64,
    report: &mut CleanReport,
) -> Result<(), LogError> {
    let Some(first) = group.first() else {
        return Ok(());
    };
    let written = (|| {
        let mut out = swap::CleanedSegment::create(dir, first.base, interval, cfg.io_buffer_bytes)?;
        let mut buf = Vec::with_capacity(cfg.io_buffer_bytes.min(1 << 20));
        let mut scratch = filter::Scratch::default();
        for seg in group {
            let i = bases.partition_point(|&b| b <= seg.base);
            let upper = bases.get(i).copied().unwrap_or(i64::MAX);
            txns.add_aborted(txn_index::collect_aborted(dir, bases, seg.base, upper)?);
            let path = names::segment_path(dir, seg.base, LOG_SUFFIX);
            let file = io::open_read(&path).map_err(io_err(&path, "open"))?;
            let len = io::len(&file).map_err(io_err(&path, "stat"))?;
            let corrupt = |e: crate::record::CorruptBatch| LogError::Corrupt {
                path: path.clone(),
                detail: e.to_string(),
            };
            // The segment is read between the runs of batches it drops whole unread.
            let mut order = BatchOrder::new(seg.base);
            let mut pos = 0;
            for run in skips(filter, mapped, seg.base)
                .into_iter()
                .map(Some)
                .chain([None])
            {
                let stop = run.map_or(len, |(from, _, _)| from);
                let mut stream = BatchStream::new(&file, pos, stop, MAX_BATCH_BYTES)
                    .with_chunk(cfg.io_buffer_bytes)
                    .ordered(order);
                while let Some(b) = stream.next().map_err(|e| scan_err(&path, e))? {
                    let o = filter::filter_batch(filter, txns, &b, &mut buf, &mut scratch)
                        .map_err(corrupt)?;
                    report.records_read += o.read;
                    report.records_kept += o.kept;
                    report.bytes_read += b.header().size() as u64;
                    if buf.len() >= cfg.io_buffer_bytes {
                        out.append(&buf)?;
                        report.bytes_written += buf.len() as u64;
                        buf.clear();
                    }
                }
                order = stream.order().unwrap_or(order);
                let Some((_, to, skipped)) = run else { break };
                #[cfg(test)]
                SKIPPED_BATCHES.with(|n| n.set(n.get() + skipped.len()));
                for m in skipped {
                    // What filtering it would have done: no record kept, no state but the
                    // transactions' position.
                    txns.on_data_batch(&m.header);
                    report.records_read += m.header.records_count.max(0) as u64;
                    report.bytes_read += m.header.size() as u64;
                }
                pos = to;
            }
            if !buf.is_empty() {
                out.append(&buf)?;
                report.bytes_written += buf.len() as u64;
                buf.clear();
            }
        }
        let aborts = std::mem::take(&mut txns.kept_aborts);
        out.finish(&aborts)
    })();
    if let Err(e) = written {
        swap::abandon(dir, first.base);
        return Err(e);
    }
    // The cleaned segment keeps the replaced ones' modification time (Kafka's
    // `setLastModified`): retention by time falls back on it.
    if let Some(last) = group.last()
        && let Ok(m) = std::fs::metadata(names::segment_path(dir, last.base, LOG_SUFFIX))
        && let Ok(t) = m.modified()
        && let Ok(f) = io::open(
            &names::segment_path(
                dir,
                first.base,
                &format!("{LOG_SUFFIX}{}", names::CLEANED_SUFFIX),
            ),
            std::fs::OpenOptions::new().write(true),
        )
    {
        let _ = f.set_modified(t);
    }
    let old: Vec<i64> = group.iter().map(|s| s.base).collect();
    swap::replace(dir, first.base, &old)?;
    report.groups += 1;
    report.segments_replaced += group.len() as u32;
    Ok(())
}

#[cfg(test)]
mod tests;
