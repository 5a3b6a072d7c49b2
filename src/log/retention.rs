//! Where retention leaves a log's start, worked out by a reader from the files alone,
//! without the writer's lock and without deleting anything: the same rule as
//! [`super::PartitionLog::apply_retention`] (Kafka's `UnifiedLog.deleteOldSegments`), applied
//! at a given retention check time. The cluster layer decides the check time
//! (`cluster::settings::ClusterSettings::last_retention_check`) and the retention settings.

use super::index::{self, TIME_ENTRY_LEN};
use super::names::{self, LOG_SUFFIX, TIME_INDEX_SUFFIX};
use super::reader::{LogReader, indexed_start};
use super::stream::BatchStream;
use super::{LogError, io, io_err};
use crate::record::batch::MAX_BATCH_BYTES;

/// What retention deletes by: `retention.ms` and `retention.bytes` (-1 = no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionLimits {
    /// `retention.ms`.
    pub ms: i64,
    /// `retention.bytes`.
    pub bytes: i64,
}

/// The log start offset a retention pass at `check_ms` leaves: past every segment that
/// pass deletes (Kafka's rule, kafka-format.md §5), from the oldest, stopping at the first
/// segment it keeps: one whose largest timestamp is within `retention.ms` of the check,
/// that `retention.bytes` does not force out, and that is not wholly below `log_start`;
/// never a segment holding offsets at or past `high_watermark`, nor an empty active one.
/// When every segment goes, the log starts at its end (Kafka rolls a new empty segment).
/// Never below `log_start`.
pub fn start_after_retention(
    reader: &LogReader,
    limits: RetentionLimits,
    check_ms: i64,
    log_start: i64,
    log_end: i64,
    high_watermark: i64,
) -> Result<i64, LogError> {
    retained(reader, limits, check_ms, log_start, log_end, high_watermark).map(|r| r.log_start)
}

/// What a retention pass leaves, as [`start_after_retention`] works it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retained {
    /// The log start offset.
    pub log_start: i64,
    /// Bytes of the segments the pass deletes.
    pub deleted_bytes: u64,
}

/// [`start_after_retention`], with the bytes of the segments the pass deletes.
pub fn retained(
    reader: &LogReader,
    limits: RetentionLimits,
    check_ms: i64,
    log_start: i64,
    log_end: i64,
    high_watermark: i64,
) -> Result<Retained, LogError> {
    let bases = reader.segment_bases();
    if bases.is_empty() || (limits.ms < 0 && limits.bytes < 0 && log_start <= bases[0]) {
        return Ok(Retained {
            log_start,
            deleted_bytes: 0,
        });
    }
    let dir = reader.dir();
    // Every segment's size only under retention.bytes (a stat each); otherwise only the
    // segments the pass reaches.
    let mut sizes: Vec<Option<u64>> = bases
        .iter()
        .map(|&b| (limits.bytes >= 0).then(|| segment_len(dir, b)))
        .collect();
    let mut diff = if limits.bytes >= 0 {
        sizes.iter().flatten().sum::<u64>() as i64 - limits.bytes
    } else {
        i64::MIN
    };
    let mut delete = 0;
    for (i, &base) in bases.iter().enumerate() {
        let is_active = i + 1 == bases.len();
        let next = bases.get(i + 1).copied().unwrap_or(log_end);
        if next > high_watermark {
            break;
        }
        let size = *sizes[i].get_or_insert_with(|| segment_len(dir, base));
        if is_active && size == 0 {
            break;
        }
        let below_start = next <= log_start;
        let by_size = diff != i64::MIN && diff - size as i64 >= 0;
        let by_time = !below_start
            && !by_size
            && limits.ms >= 0
            && segment_max_timestamp(dir, base, is_active)?
                .is_some_and(|ts| check_ms - ts > limits.ms);
        if !(below_start || by_time || by_size) {
            break;
        }
        if by_size {
            diff -= size as i64;
        }
        delete = i + 1;
    }
    let start = match bases.get(delete) {
        _ if delete == 0 => bases[0],
        Some(&b) => b,
        None => log_end,
    };
    Ok(Retained {
        log_start: start.max(log_start),
        deleted_bytes: sizes[..delete].iter().flatten().sum(),
    })
}

fn segment_len(dir: &std::path::Path, base: i64) -> u64 {
    std::fs::metadata(names::segment_path(dir, base, LOG_SUFFIX)).map_or(0, |m| m.len())
}

/// A segment's largest timestamp, as the writer knows it: the time index's last entry
/// (a rolled segment's index ends with its largest timestamp), and for the active segment
/// also the batches past the last offset-index entry (the writer keeps those in memory);
/// else the `.log` file's modification time, as Kafka falls back to. `None` when the
/// segment is gone (deleted since it was listed).
fn segment_max_timestamp(
    dir: &std::path::Path,
    base: i64,
    active: bool,
) -> Result<Option<i64>, LogError> {
    let mut max = last_time_entry(dir, base);
    if active {
        let path = names::segment_path(dir, base, LOG_SUFFIX);
        let file = match io::open_read(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&path, "open")(e)),
        };
        let len = io::len(&file).map_err(io_err(&path, "stat"))?;
        let start = indexed_start(dir, base, &file, len, None);
        let mut stream = BatchStream::new(&file, start, len, MAX_BATCH_BYTES).with_chunk(64 << 10);
        // A torn or damaged tail ends the scan: readers treat it as the end.
        while let Ok(Some(b)) = stream.next() {
            max = Some(max.map_or(b.header().max_timestamp, |m: i64| {
                m.max(b.header().max_timestamp)
            }));
        }
    }
    if max.is_some() {
        return Ok(max);
    }
    let lpath = names::segment_path(dir, base, LOG_SUFFIX);
    match std::fs::metadata(&lpath).and_then(|m| m.modified()) {
        Ok(t) => Ok(Some(
            t.duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(&lpath, "stat")(e)),
    }
}

/// The timestamp of the time index's last entry, reading only its last 12 bytes (the whole
/// file when those are zero padding). `None` when missing or empty.
fn last_time_entry(dir: &std::path::Path, base: i64) -> Option<i64> {
    let path = names::segment_path(dir, base, TIME_INDEX_SUFFIX);
    let file = io::open_read(&path).ok()?;
    let len = io::len(&file).ok()?;
    let entry = TIME_ENTRY_LEN as u64;
    if len >= entry && len % entry == 0 {
        let mut b = [0u8; TIME_ENTRY_LEN];
        io::read_exact_at(&file, &mut b, len - entry).ok()?;
        if b != [0u8; TIME_ENTRY_LEN] || len == entry {
            return index::parse_time_index(&b, base)
                .entries
                .first()
                .map(|e| e.timestamp);
        }
    }
    let bytes = io::read_file(&path).ok()?;
    index::parse_time_index(&bytes, base)
        .entries
        .last()
        .map(|e| e.timestamp)
}
