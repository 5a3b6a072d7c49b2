//! A replica's whole log, open for writing: the older segments and the active one, the log
//! start offset and the recovery point. Appends assign dense offsets; the log rolls by
//! size, time and index capacity; it truncates (for followers) and deletes old segments by
//! retention. Opening runs Kafka's recovery when the log was not closed at its recovery
//! point (kafka-format.md §6).
//!
//! It also owns the partition's producer state (idempotent and transactional producers,
//! [`super::producer_state`]) and drives the `.snapshot` and `.txnindex` files with it, as
//! Kafka's `UnifiedLog` drives its `ProducerStateManager`: see the `impl` block after
//! retention.
//!
//! The caller must be the only writer (it holds the partition's lock).

use std::path::{Path, PathBuf};

use crate::record::{BatchHeader, BatchRef, TimestampType, batch};

use crate::record::control::EndTxnMarker;

use super::names::{self, LOG_SUFFIX};
use super::producer_state::{
    CompletedTxn, LoadReport, ProducerState, ProducerStateError, Verdict, replay, snapshot,
};
use super::segment::Segment;
use super::stream::ScanStop;
use super::txn_index::{AbortedTxn, TXN_ENTRY_VERSION, TxnIndex};
use super::{LogConfig, LogError, io, io_err};

/// What the caller knows from the broker's checkpoint files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpenHints {
    /// Offset up to which the log is known flushed (0 when unknown).
    pub recovery_point: i64,
    /// Log start offset from `log-start-offset-checkpoint` (0 when none).
    pub log_start_offset: i64,
    /// The last writer released the log after a complete append (the caller knows this
    /// from its lock protocol): a consistent tail needs no recovery even above the
    /// recovery point.
    pub trusted_tail: bool,
    /// Corruption below the recovery point may be cut too: only for a follower that will
    /// fetch the same offsets again from its leader (the caller reports it).
    pub truncate_flushed: bool,
    /// Recovery may cut a torn or corrupt tail above the recovery point: the log's last
    /// writer died in the middle of an append, or its broker lost power (an unclean stop,
    /// as Kafka's recovery at startup assumes). Otherwise such a tail is damage, reported as
    /// [`LogError::DamagedTail`] with nothing changed.
    pub may_cut_tail: bool,
}

/// What opening the log had to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// True when batches were validated (the log was not closed at its recovery point).
    pub recovered: bool,
    /// Base offsets of the segments that were validated and re-indexed.
    pub rebuilt_segments: Vec<i64>,
    /// Bytes cut from the end (a torn or corrupt tail above the recovery point).
    pub truncated_bytes: u64,
    /// Why bytes were cut, with where.
    pub truncation_reason: Option<String>,
    /// Later segments deleted because an earlier one was cut.
    pub deleted_segments: Vec<i64>,
}

/// Where an append landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendInfo {
    /// Offset of the first record.
    pub base_offset: i64,
    /// Offset of the last record.
    pub last_offset: i64,
    /// Byte position of the batch in its segment.
    pub position: u64,
    /// The batch's max timestamp (the append time under LogAppendTime).
    pub max_timestamp: i64,
    /// Records in the batch.
    pub records: i32,
}

/// What retention removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Base offsets of deleted segments.
    pub deleted_segments: Vec<i64>,
    /// Bytes freed.
    pub bytes: u64,
    /// The new log start offset.
    pub log_start_offset: i64,
}

/// A replica's log open for writing.
#[derive(Debug)]
pub struct PartitionLog {
    dir: PathBuf,
    txn: Transactions,
    cfg: LogConfig,
    older: Vec<i64>,
    active: Segment,
    log_start_offset: i64,
    recovery_point: i64,
}

/// Base offsets of the `.log` files in `dir`, sorted. Removes leftovers Kafka would remove
/// at startup: index files whose `.log` is gone (`.deleted` files stay for
/// `log.segment.delete.delay.ms`, see [`remove_deleted_files`]). Every reader and
/// writer of a log lists it first, so this is where a replica that holds a symbolic link
/// (the folder, its broker folder, or any entry in it) is refused with
/// [`LogError::Symlink`].
pub fn list_segments(dir: &Path, clean: bool) -> Result<Vec<i64>, LogError> {
    let mut logs = Vec::new();
    let mut others = Vec::new();
    super::check_folder(dir)?;
    let rd = std::fs::read_dir(dir).map_err(io_err(dir, "list"))?;
    for entry in rd {
        let entry = entry.map_err(io_err(dir, "list"))?;
        // The entry's own type (lstat): a link is never followed to learn what it names.
        if entry.file_type().is_ok_and(|t| t.is_symlink()) {
            return Err(LogError::Symlink { path: entry.path() });
        }
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some((base, suffix)) = names::parse_segment_name(name) else {
            continue;
        };
        match suffix {
            LOG_SUFFIX => logs.push(base),
            s if s.ends_with(names::DELETED_SUFFIX) => others.push((entry.path(), true)),
            names::INDEX_SUFFIX | names::TIME_INDEX_SUFFIX | names::TXN_INDEX_SUFFIX => {
                others.push((entry.path(), false));
                let _ = base;
            }
            _ => {}
        }
    }
    logs.sort_unstable();
    if clean {
        for (path, deleted) in others {
            let orphan = !deleted
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(names::parse_segment_name)
                    .is_some_and(|(b, _)| logs.binary_search(&b).is_err());
            if !deleted && orphan {
                io::remove_file(&path).map_err(io_err(&path, "remove"))?;
            }
        }
    }
    Ok(logs)
}

impl PartitionLog {
    /// Opens the segments of the log in `dir` (creating it if needed), with recovery from
    /// the segment holding the recovery point when the log does not end cleanly at it. The
    /// producer state is loaded after, by [`PartitionLog::open_with_producer_state`].
    fn open_segments(
        dir: &Path,
        cfg: LogConfig,
        hints: OpenHints,
    ) -> Result<(PartitionLog, RecoveryReport), LogError> {
        // Checked before the folder is made: a linked broker folder would take it elsewhere.
        super::check_folder(dir)?;
        io::create_dir_all(dir).map_err(io_err(dir, "create"))?;
        // A clean interrupted by a crash: finish its swap or roll it back (Kafka's
        // LogLoader), before the segments are listed.
        super::cleaner::recover_swaps(dir)?;
        let mut bases = list_segments(dir, true)?;
        let mut report = RecoveryReport::default();
        let interval = cfg.index_interval_bytes;
        if bases.is_empty() {
            let base = hints.log_start_offset.max(0);
            let active = Segment::create(dir, base, interval)?;
            let log = PartitionLog {
                dir: dir.to_path_buf(),
                txn: Transactions::default(),
                cfg,
                older: Vec::new(),
                active,
                log_start_offset: base,
                recovery_point: base,
            };
            return Ok((log, report));
        }
        let last = bases.pop().unwrap_or_default();
        let rp = hints.recovery_point;
        let fast = Segment::open_tail(dir, last, interval)?;
        let clean = fast
            .as_ref()
            .is_some_and(|s| hints.trusted_tail || s.next_offset() <= rp || s.size() == 0);
        let active = match fast {
            Some(seg) if clean => seg,
            _ => {
                // Validate from the segment holding the recovery point to the end.
                bases.push(last);
                let first = bases.partition_point(|&b| b <= rp).saturating_sub(1);
                let mut active = None;
                let mut i = first;
                while i < bases.len() {
                    let base = bases[i];
                    let before = std::fs::metadata(names::segment_path(dir, base, LOG_SUFFIX))
                        .map(|m| m.len())
                        .unwrap_or(0);
                    let keep = if hints.truncate_flushed { i64::MIN } else { rp };
                    let (seg, stop) =
                        Segment::recover(dir, base, interval, keep, hints.may_cut_tail)?;
                    report.rebuilt_segments.push(base);
                    report.recovered = true;
                    if let Some(stop) = stop {
                        report.truncated_bytes += before - seg.size();
                        report.truncation_reason = Some(describe_stop(&seg, &stop));
                        for &later in &bases[i + 1..] {
                            delete_segment_files(dir, later)?;
                            report.deleted_segments.push(later);
                            report.truncated_bytes += 0;
                        }
                        bases.truncate(i + 1);
                        active = Some(seg);
                        break;
                    }
                    if i + 1 == bases.len() {
                        active = Some(seg);
                    }
                    i += 1;
                }
                bases.pop();
                match active {
                    Some(a) => a,
                    None => Segment::recover(dir, last, interval, rp, hints.may_cut_tail)?.0,
                }
            }
        };
        let first_base = bases.first().copied().unwrap_or(active.base_offset());
        let leo = active.next_offset();
        let log = PartitionLog {
            dir: dir.to_path_buf(),
            txn: Transactions::default(),
            cfg,
            older: bases,
            log_start_offset: hints.log_start_offset.max(first_base).min(leo),
            recovery_point: rp.min(leo),
            active,
        };
        Ok((log, report))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    /// The settings in force.
    pub fn config(&self) -> &LogConfig {
        &self.cfg
    }
    /// Changes the settings (e.g. after `topic alter`).
    pub fn set_config(&mut self, cfg: LogConfig) {
        self.cfg = cfg;
    }
    /// Log end offset: the offset the next record gets.
    pub fn log_end_offset(&self) -> i64 {
        self.active.next_offset()
    }
    /// First readable offset.
    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }
    /// Offset up to which the log is known flushed.
    pub fn recovery_point(&self) -> i64 {
        self.recovery_point
    }
    /// Base offsets of every segment, oldest first.
    pub fn segment_bases(&self) -> Vec<i64> {
        let mut v = self.older.clone();
        v.push(self.active.base_offset());
        v
    }
    /// Lists the older segments again from the folder, after the log cleaner replaced
    /// some of them ([`super::cleaner`]); the active segment is never among them.
    pub(crate) fn reload_older_segments(&mut self) -> Result<(), LogError> {
        let active = self.active.base_offset();
        let mut bases = list_segments(&self.dir, false)?;
        bases.retain(|&b| b < active);
        self.older = bases;
        Ok(())
    }

    /// Total bytes of all `.log` files.
    pub fn size_bytes(&self) -> u64 {
        self.older
            .iter()
            .map(|&b| segment_len(&self.dir, b))
            .sum::<u64>()
            + self.active.size()
    }

    /// Appends batches built by a producer (one, or several back to back as in a produce
    /// request): assigns offsets from the log end, stamps the leader epoch, applies
    /// LogAppendTime if configured, validates framing, size and CRC of each. `chunk` is
    /// modified in place. Either every batch is appended or (on a refused batch) none.
    pub fn append(
        &mut self,
        chunk: &mut [u8],
        leader_epoch: i32,
        now_ms: i64,
    ) -> Result<AppendInfo, LogError> {
        self.append_stamped(chunk, leader_epoch, now_ms, true)
    }

    /// [`PartitionLog::append`] for batches this process has just built with
    /// [`crate::record::BatchBuilder`] (whose CRC it computed a moment ago): framing and
    /// size are checked, the CRC pass is skipped.
    pub fn append_built(
        &mut self,
        chunk: &mut [u8],
        leader_epoch: i32,
        now_ms: i64,
    ) -> Result<AppendInfo, LogError> {
        self.append_stamped(chunk, leader_epoch, now_ms, false)
    }

    fn append_stamped(
        &mut self,
        chunk: &mut [u8],
        leader_epoch: i32,
        now_ms: i64,
        verify_crc: bool,
    ) -> Result<AppendInfo, LogError> {
        let mut headers = Vec::new();
        let mut pos = 0;
        let mut next = self.log_end_offset();
        while pos < chunk.len() {
            let mut h = self.check_batch_with(&chunk[pos..], verify_crc)?;
            let size = h.size();
            let batch = &mut chunk[pos..pos + size];
            batch::set_base_offset(batch, next);
            batch::set_partition_leader_epoch(batch, leader_epoch);
            h.base_offset = next;
            h.partition_leader_epoch = leader_epoch;
            if self.cfg.timestamp_type == TimestampType::LogAppendTime {
                batch::set_log_append_time(batch, now_ms);
                // The stamp changed the attributes and max timestamp (and the CRC): read
                // the header again rather than repeat its rules here.
                h = *BatchRef::parse(batch, 0, batch::MAX_BATCH_BYTES)
                    .map_err(|e| LogError::BadBatch(e.to_string()))?
                    .header();
            }
            next = h.next_offset();
            headers.push(h);
            pos += size;
        }
        let markers = control_markers(chunk, &headers);
        self.check_producers(&headers, &markers)?;
        let info = self.write(chunk, &headers)?;
        self.apply_producers(&headers, &markers)?;
        Ok(info)
    }

    /// Appends batches copied from the leader as they are (one or several back to back).
    /// The first must start at the log end and each where the previous ended.
    pub fn append_as_follower(&mut self, chunk: &[u8]) -> Result<AppendInfo, LogError> {
        self.append_copied(chunk, true)
    }

    /// [`PartitionLog::append_as_follower`] for bytes this process validated a moment ago
    /// (the leader's append of the same chunk checked every CRC): skips the CRC pass.
    pub fn append_as_follower_prevalidated(
        &mut self,
        chunk: &[u8],
    ) -> Result<AppendInfo, LogError> {
        self.append_copied(chunk, false)
    }

    fn append_copied(&mut self, chunk: &[u8], verify_crc: bool) -> Result<AppendInfo, LogError> {
        let mut headers = Vec::new();
        let mut pos = 0;
        let mut next = self.log_end_offset();
        while pos < chunk.len() {
            let h = self.check_batch_with(&chunk[pos..], verify_crc)?;
            // A leader's compacted log has gaps between batches (the records compaction
            // removed): a follower copies them as they are, as Kafka's follower append
            // refuses only a batch below its log end (UnexpectedAppendOffsetException).
            if h.base_offset < next {
                return Err(LogError::BadBatch(format!(
                    "replicated batch starts at offset {} but the log ends at {next}",
                    h.base_offset,
                )));
            }
            next = h.next_offset();
            pos += h.size();
            headers.push(h);
        }
        // A follower copies what its leader validated (Kafka's AppendOrigin.REPLICATION):
        // producer state is updated, never checked.
        let markers = control_markers(chunk, &headers);
        let info = self.write(chunk, &headers)?;
        self.apply_producers(&headers, &markers)?;
        Ok(info)
    }

    /// Checks the batch at the start of `bytes`: framing, size limit, and (when asked) CRC.
    fn check_batch_with(&self, bytes: &[u8], verify_crc: bool) -> Result<BatchHeader, LogError> {
        let cap = self.cfg.max_message_bytes.max(batch::BATCH_HEADER_LEN);
        let b = BatchRef::parse(bytes, 0, batch::MAX_BATCH_BYTES)
            .map_err(|e| LogError::BadBatch(e.to_string()))?;
        if b.bytes().len() > cap {
            return Err(LogError::BadBatch(format!(
                "batch of {} bytes is larger than max.message.bytes={}",
                b.bytes().len(),
                self.cfg.max_message_bytes
            )));
        }
        if verify_crc {
            b.verify_crc()
                .map_err(|e| LogError::BadBatch(e.to_string()))?;
        }
        Ok(*b.header())
    }

    /// Writes validated batches, rolling between them where Kafka would.
    fn write(&mut self, chunk: &[u8], headers: &[BatchHeader]) -> Result<AppendInfo, LogError> {
        let (Some(first), Some(last)) = (headers.first(), headers.last()) else {
            return Err(LogError::BadBatch("nothing to append".into()));
        };
        let mut info = AppendInfo {
            base_offset: first.base_offset,
            last_offset: last.last_offset(),
            position: 0,
            max_timestamp: headers.iter().map(|h| h.max_timestamp).max().unwrap_or(-1),
            records: headers.iter().map(|h| h.records_count).sum(),
        };
        let (mut run_start, mut run_bytes, mut at) = (0usize, 0usize, 0usize);
        for (i, h) in headers.iter().enumerate() {
            let run_first_ts = headers[run_start].max_timestamp;
            if self.needs_roll(run_bytes, run_first_ts, h) {
                if i > run_start {
                    let pos = self
                        .active
                        .append_run(&chunk[at - run_bytes..at], &headers[run_start..i])?;
                    if run_start == 0 {
                        info.position = pos;
                    }
                }
                self.roll(h.base_offset.max(self.log_end_offset()))?;
                run_start = i;
                run_bytes = 0;
            }
            run_bytes += h.size();
            at += h.size();
        }
        let pos = self
            .active
            .append_run(&chunk[at - run_bytes..at], &headers[run_start..])?;
        if run_start == 0 {
            info.position = pos;
        }
        // Kafka counts unflushed messages as log end - recovery point, not per process:
        // records written by earlier short-lived writers count towards flush.messages.
        if let Some(n) = self.cfg.flush_messages
            && self.unflushed_messages() >= n
        {
            self.flush()?;
        }
        Ok(info)
    }

    /// Kafka's roll rules for the active segment before batch `h`, with `pending` bytes of
    /// earlier batches (whose first had max timestamp `pending_first_ts`) about to be
    /// written ahead of it.
    fn needs_roll(&self, pending: usize, pending_first_ts: i64, h: &BatchHeader) -> bool {
        let seg = &self.active;
        if seg.size() == 0 && pending == 0 {
            return false;
        }
        let too_big = seg.size() + (pending + h.size()) as u64 > self.cfg.segment_bytes;
        let basis = if seg.size() == 0 {
            Some(pending_first_ts)
        } else {
            seg.first_batch_max_ts()
        };
        let too_old = basis
            .filter(|&t| t >= 0)
            .is_some_and(|t| h.max_timestamp.saturating_sub(t) > self.cfg.segment_ms);
        let offsets_overflow = h.last_offset() - seg.base_offset() > i64::from(i32::MAX);
        too_big || too_old || offsets_overflow || seg.indexes_full()
    }

    /// Seals the active segment (closing time entry, fsync) and starts a new one.
    fn roll_segment(&mut self, new_base: i64) -> Result<(), LogError> {
        self.active.seal()?;
        self.active.sync()?;
        let next = Segment::create(&self.dir, new_base, self.cfg.index_interval_bytes)?;
        let old = std::mem::replace(&mut self.active, next);
        self.older.push(old.base_offset());
        self.recovery_point = self.recovery_point.max(old.next_offset());
        io::sync_dir(&self.dir).map_err(io_err(&self.dir, "fsync"))?;
        Ok(())
    }

    /// Offsets written since the last flush (Kafka's `unflushedMessages`).
    pub fn unflushed_messages(&self) -> u64 {
        (self.log_end_offset() - self.recovery_point).max(0) as u64
    }

    /// fsync of the active segment; the recovery point becomes the log end offset.
    pub fn flush(&mut self) -> Result<i64, LogError> {
        self.active.sync()?;
        self.recovery_point = self.log_end_offset();
        Ok(self.recovery_point)
    }

    /// Cuts the segments: every batch whose last offset is `offset` or more goes.
    fn truncate_segments(&mut self, offset: i64) -> Result<i64, LogError> {
        if offset >= self.log_end_offset() {
            return Ok(self.log_end_offset());
        }
        let interval = self.cfg.index_interval_bytes;
        if offset <= self.segment_bases()[0] {
            return self.truncate_segments_fully(offset.max(0));
        }
        while self.active.base_offset() >= offset {
            let Some(prev) = self.older.pop() else { break };
            let gone = self.active.base_offset();
            delete_segment_files(&self.dir, gone)?;
            self.active = match Segment::open_tail(&self.dir, prev, interval)? {
                Some(s) => s,
                None => Segment::recover(&self.dir, prev, interval, i64::MIN, true)?.0,
            };
        }
        let leo = self.active.truncate_to(&self.dir, offset)?;
        self.recovery_point = self.recovery_point.min(leo);
        Ok(leo)
    }

    /// Deletes every segment and starts an empty one at `offset`.
    fn truncate_segments_fully(&mut self, offset: i64) -> Result<i64, LogError> {
        for base in self.segment_bases() {
            delete_segment_files(&self.dir, base)?;
        }
        self.older.clear();
        self.active = Segment::create(&self.dir, offset, self.cfg.index_interval_bytes)?;
        self.log_start_offset = offset;
        self.recovery_point = offset;
        Ok(offset)
    }

    /// Kafka's retention (kafka-format.md §5): deletes the oldest segments by
    /// `retention.ms` (measured at `now_ms`, the retention check's time) and
    /// `retention.bytes`, and those wholly below the log start offset, never past the high
    /// watermark; advances the log start offset. As Kafka does, a deleted segment's files
    /// are renamed to `<name>.deleted` (readers no longer list them; one that has the file
    /// open reads on), and removed by [`remove_deleted_files`] after
    /// `log.segment.delete.delay.ms`. [`super::retention::start_after_retention`] is the
    /// same rule for readers: keep them in step.
    pub fn apply_retention(
        &mut self,
        now_ms: i64,
        high_watermark: i64,
    ) -> Result<RetentionReport, LogError> {
        let mut report = RetentionReport {
            log_start_offset: self.log_start_offset,
            ..Default::default()
        };
        let bases = self.segment_bases();
        let sizes: Vec<u64> = bases
            .iter()
            .map(|&b| {
                if b == self.active.base_offset() {
                    self.active.size()
                } else {
                    segment_len(&self.dir, b)
                }
            })
            .collect();
        let mut diff = if self.cfg.retention_bytes >= 0 {
            sizes.iter().sum::<u64>() as i64 - self.cfg.retention_bytes
        } else {
            i64::MIN
        };
        let mut delete = 0;
        for (i, &base) in bases.iter().enumerate() {
            let next = bases.get(i + 1).copied().unwrap_or(self.log_end_offset());
            let is_active = i + 1 == bases.len();
            if next > high_watermark || (is_active && sizes[i] == 0) {
                break;
            }
            let below_start = next <= self.log_start_offset;
            let by_time = self.cfg.retention_ms >= 0
                && now_ms - self.segment_max_timestamp(base)? > self.cfg.retention_ms;
            let by_size = diff != i64::MIN && diff - sizes[i] as i64 >= 0;
            if !(below_start || by_time || by_size) {
                break;
            }
            if by_size {
                diff -= sizes[i] as i64;
            }
            delete = i + 1;
        }
        if delete == 0 {
            return Ok(report);
        }
        if delete == bases.len() {
            // Every segment goes: roll a new empty one first, as Kafka does.
            self.roll(self.log_end_offset())?;
        }
        for (i, &base) in bases.iter().enumerate().take(delete) {
            mark_segment_deleted(&self.dir, base)?;
            mark_snapshot_deleted(&self.dir, base)?;
            report.deleted_segments.push(base);
            report.bytes += sizes[i];
        }
        self.older.retain(|b| !report.deleted_segments.contains(b));
        let first = self.segment_bases()[0];
        self.log_start_offset = self.log_start_offset.max(first);
        report.log_start_offset = self.log_start_offset;
        Ok(report)
    }

    /// Moves the log start offset forward (Kafka's DeleteRecords); segments wholly below it
    /// go at the next retention pass.
    pub fn set_log_start_offset(&mut self, offset: i64) {
        self.log_start_offset = offset.clamp(self.log_start_offset, self.log_end_offset());
    }

    /// Largest timestamp of a segment: the time index's last entry, else the newest batch
    /// timestamp found by scanning, else the file's modification time.
    fn segment_max_timestamp(&self, base: i64) -> Result<i64, LogError> {
        if base == self.active.base_offset() && self.active.max_timestamp() >= 0 {
            return Ok(self.active.max_timestamp());
        }
        let tpath = names::segment_path(&self.dir, base, names::TIME_INDEX_SUFFIX);
        if let Ok(bytes) = io::read_file(&tpath)
            && let Some(last) = super::index::parse_time_index(&bytes, base).entries.last()
        {
            return Ok(last.timestamp);
        }
        let lpath = names::segment_path(&self.dir, base, LOG_SUFFIX);
        let mtime = std::fs::metadata(&lpath)
            .and_then(|m| m.modified())
            .map_err(io_err(&lpath, "stat"))?;
        Ok(mtime
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64))
    }
}

/// Replay past this many bytes, or this many batches, at open writes a snapshot at the log
/// end, so the next open of the log starts there. The batch count matters for the logs
/// coordinators write (`__transaction_state`, `__consumer_offsets`, markers): one small
/// batch per step, each step opening the log again, and no clean close to snapshot at, so
/// without it every step replayed up to 4 MiB of tiny batches and a pipe slowed down as
/// its partitions grew.
const SNAPSHOT_AFTER_REPLAY_BYTES: u64 = 4 << 20;
const SNAPSHOT_AFTER_REPLAY_BATCHES: u64 = 256;

/// The partition's producer state and the active segment's `.txnindex` handle.
#[derive(Debug, Default)]
struct Transactions {
    producers: ProducerState,
    index: Option<TxnIndex>,
    report: LoadReport,
}

/// The COMMIT/ABORT marker of each control batch among `headers` (back to back in
/// `chunk`); `None` for data batches.
fn control_markers(chunk: &[u8], headers: &[BatchHeader]) -> Vec<Option<EndTxnMarker>> {
    let mut at = 0usize;
    headers
        .iter()
        .map(|h| {
            let bytes = chunk.get(at..at + h.size()).unwrap_or_default();
            at += h.size();
            if h.attributes.is_control() {
                replay::marker_of(bytes, 0)
            } else {
                None
            }
        })
        .collect()
}

/// Producer state, `.txnindex` and `.snapshot` files: Kafka's `ProducerStateManager` as
/// `UnifiedLog` drives it. Loaded at open; updated after every append (leader appends are
/// checked first); a snapshot named after the new segment's base at each roll and one at
/// the log end on [`PartitionLog::snapshot`]/[`PartitionLog::close`]; cut and reloaded by
/// truncation.
impl PartitionLog {
    /// Opens the log like [`PartitionLog::open`], continuing `prior` — the producer state
    /// of this log as the caller last had it (e.g. from [`PartitionLog::into_producer_state`]
    /// before another process appended) — when the log still holds the batch it ended with:
    /// then only the batches after it are replayed. Otherwise (truncated below it,
    /// rewritten, recovered) the state is loaded from the newest valid snapshot, as with no
    /// prior state; [`PartitionLog::producer_load_report`] says which happened.
    pub fn open_with_producer_state(
        dir: &Path,
        cfg: LogConfig,
        hints: OpenHints,
        prior: Option<ProducerState>,
    ) -> Result<(PartitionLog, RecoveryReport), LogError> {
        let (mut log, report) = Self::open_segments(dir, cfg, hints)?;
        log.load_producers(prior, &report)?;
        Ok((log, report))
    }

    /// Opens (creating if needed) the log in `dir`. Runs recovery from the segment holding
    /// the recovery point when the log does not end cleanly at it, then loads the producer
    /// state: the newest valid snapshot at or below the log end, then the batch headers
    /// after it (see [`PartitionLog::open_with_producer_state`]).
    ///
    /// Cost: one snapshot read, then 61 bytes per batch after it (read ahead in 64 KiB
    /// windows; records are never decoded). After recovery the replay starts at a snapshot
    /// at or below the first re-validated segment and rewrites those segments' `.txnindex`.
    /// A replay of more than 4 MiB of log, or of 256 batches, writes a snapshot at the log
    /// end, so the next open starts there; a snapshot that fails its checks is deleted.
    pub fn open(
        dir: &Path,
        cfg: LogConfig,
        hints: OpenHints,
    ) -> Result<(PartitionLog, RecoveryReport), LogError> {
        Self::open_with_producer_state(dir, cfg, hints, None)
    }

    fn load_producers(
        &mut self,
        prior: Option<ProducerState>,
        recovery: &RecoveryReport,
    ) -> Result<(), LogError> {
        let dir = self.dir.clone();
        snapshot::remove_temp_files(&dir)?;
        let leo = self.log_end_offset();
        let bases = self.segment_bases();
        // Snapshots above the log end describe offsets recovery cut.
        for s in snapshot::list_snapshots(&dir)? {
            if s > leo {
                snapshot::remove_snapshot(&dir, s)?;
            }
        }
        let active = self.active.base_offset();
        let mut index = TxnIndex::open(&dir, active)?;
        // Entries of markers the log no longer has (a cut whose index cut was lost).
        index.truncate_to(leo)?;
        let Some(from) = recovery.rebuilt_segments.iter().min().copied() else {
            let (state, report) = replay::load(&dir, &bases, leo, prior, &mut |_, _| Ok(()))?;
            self.txn = Transactions {
                producers: state,
                index: Some(index),
                report,
            };
            return self.snapshot_after_long_replay();
        };
        // Recovery rebuilt these segments' indexes; their `.txnindex` is rebuilt the same
        // way (Kafka's LogSegment.recover): the state at the first one's base, then its
        // batches, each abort added again to the segment holding its marker.
        for &base in &recovery.rebuilt_segments {
            if base == active {
                index.reset()?;
            } else {
                TxnIndex::open(&dir, base)?.reset()?;
            }
        }
        let (mut state, mut report) = replay::load(&dir, &bases, from, prior, &mut |_, _| Ok(()))?;
        let start =
            replay::resume_point(&dir, &bases, &state).map_err(|why| LogError::Corrupt {
                path: dir.clone(),
                detail: format!("cannot replay producer state from offset {from}: {why}"),
            })?;
        let mut aborts = Vec::new();
        let more = replay::replay(&mut state, &dir, &bases, start, leo, &mut |base, done| {
            if done.is_aborted {
                aborts.push((base, aborted_entry(done)));
            }
            Ok(())
        })?;
        for (base, txn) in aborts {
            if base == active {
                index.append(&txn)?;
            } else {
                TxnIndex::open(&dir, base)?.append(&txn)?;
            }
        }
        report.replay.batches += more.batches;
        report.replay.bytes += more.bytes;
        self.txn = Transactions {
            producers: state,
            index: Some(index),
            report,
        };
        self.snapshot_after_long_replay()
    }

    fn snapshot_after_long_replay(&mut self) -> Result<(), LogError> {
        // A snapshot that failed its checks is deleted, as Kafka's loadFromSnapshot does,
        // rather than read and refused at every open.
        let ignored: Vec<i64> = self
            .txn
            .report
            .ignored_snapshots
            .iter()
            .map(|s| s.0)
            .collect();
        for s in ignored {
            snapshot::remove_snapshot(&self.dir, s)?;
        }
        let replay = &self.txn.report.replay;
        if replay.bytes >= SNAPSHOT_AFTER_REPLAY_BYTES
            || replay.batches >= SNAPSHOT_AFTER_REPLAY_BATCHES
        {
            self.snapshot()?;
        }
        Ok(())
    }

    fn producers_mut(&mut self) -> &mut ProducerState {
        &mut self.txn.producers
    }

    /// The producer state, valid up to the log end.
    pub fn producer_state(&self) -> &ProducerState {
        &self.txn.producers
    }

    /// Gives up the log, keeping its producer state to pass to
    /// [`PartitionLog::open_with_producer_state`] later.
    pub fn into_producer_state(mut self) -> ProducerState {
        std::mem::take(&mut self.txn.producers)
    }

    /// How the producer state was loaded at open (snapshot, replay, prior state reused).
    pub fn producer_load_report(&self) -> &LoadReport {
        &self.txn.report
    }

    /// Would a leader append a batch with this header (before offsets are assigned)? See
    /// [`ProducerState::check`]; appends run the same checks and refuse what fails them.
    pub fn check_producer(&self, h: &BatchHeader) -> Result<Verdict, ProducerStateError> {
        self.producer_state().check(h)
    }

    /// The checks of a leader append for batches back to back in `chunk` (markers decoded),
    /// each against the state the earlier ones leave.
    pub fn check_producer_batches(&self, chunk: &[u8]) -> Result<Verdict, LogError> {
        let mut headers = Vec::new();
        let mut pos = 0;
        while pos < chunk.len() {
            let h = *BatchRef::parse(&chunk[pos..], 0, batch::MAX_BATCH_BYTES)
                .map_err(|e| LogError::BadBatch(e.to_string()))?
                .header();
            pos += h.size();
            headers.push(h);
        }
        let markers = control_markers(chunk, &headers);
        let verdict = self
            .producer_state()
            .check_all(headers.iter().zip(markers.iter().map(Option::as_ref)))?;
        Ok(verdict)
    }

    fn check_producers(
        &self,
        headers: &[BatchHeader],
        markers: &[Option<EndTxnMarker>],
    ) -> Result<(), LogError> {
        let state = self.producer_state();
        match state.check_all(headers.iter().zip(markers.iter().map(Option::as_ref)))? {
            Verdict::Append => Ok(()),
            Verdict::Duplicate {
                base_offset,
                last_offset,
                ..
            } => Err(LogError::DuplicateBatch {
                producer_id: headers
                    .iter()
                    .map(|h| h.producer_id)
                    .find(|&p| p >= 0)
                    .unwrap_or(-1),
                base_offset,
                last_offset,
            }),
        }
    }

    /// The `.txnindex` of segment `base`, reopened when the active segment changed.
    fn txn_index(&mut self, base: i64) -> Result<&mut TxnIndex, LogError> {
        if self.txn.index.as_ref().map(TxnIndex::base_offset) != Some(base) {
            self.txn.index = Some(TxnIndex::open(&self.dir, base)?);
        }
        self.txn.index.as_mut().ok_or_else(|| LogError::Corrupt {
            path: self.dir.clone(),
            detail: "transaction index not open".into(),
        })
    }

    /// Applies appended batches to the producer state: snapshots at the bases of segments
    /// the append rolled into, each abort to the `.txnindex` of the segment holding its
    /// marker with the last stable offset of that moment (Kafka's `updateTxnIndex`).
    fn apply_producers(
        &mut self,
        headers: &[BatchHeader],
        markers: &[Option<EndTxnMarker>],
    ) -> Result<(), LogError> {
        let bases = self.segment_bases();
        let active = self.active.base_offset();
        let last_position = self
            .active
            .size()
            .saturating_sub(headers.last().map_or(0, |h| h.size() as u64));
        for (i, (h, m)) in headers.iter().zip(markers).enumerate() {
            let base = bases[bases
                .partition_point(|&b| b <= h.base_offset)
                .saturating_sub(1)];
            // A roll inside this append came before this batch: the state up to the new
            // segment's base is what its snapshot must hold (Kafka snapshots at each roll).
            // (Dense offsets: a later batch starting a segment means a roll came between it
            // and the one before.)
            if i > 0 && base == h.base_offset {
                self.snapshot_at(base)?;
            }
            let done = if i + 1 == headers.len() {
                self.producers_mut()
                    .apply_at(h, m.as_ref(), active, last_position)
            } else {
                self.producers_mut().apply(h, m.as_ref())
            };
            if let Some(done) = done.filter(|d| d.is_aborted) {
                self.txn_index(base)?.append(&aborted_entry(&done))?;
            }
        }
        Ok(())
    }

    /// Writes the snapshot at `offset` with the current state (moved up to `offset` when it
    /// ends below it), then drops the snapshots no longer kept.
    fn snapshot_at(&mut self, offset: i64) -> Result<PathBuf, LogError> {
        let dir = self.dir.clone();
        let state = self.producers_mut();
        state.set_end_offset(offset);
        let path = snapshot::write_snapshot(&dir, offset, &state.snapshot_entries())?;
        state.set_snapshot_offset(offset);
        let bases = self.segment_bases();
        let leo = self.log_end_offset().max(offset);
        for s in snapshot::snapshots_to_delete(&snapshot::list_snapshots(&dir)?, &bases, leo) {
            snapshot::remove_snapshot(&dir, s)?;
        }
        Ok(path)
    }

    /// Writes a snapshot of the producer state at the log end, unless one already holds it
    /// (Kafka's `takeSnapshot`): what a writer does at a clean close so the next open
    /// replays nothing. Returns the file written.
    pub fn snapshot(&mut self) -> Result<Option<PathBuf>, LogError> {
        let leo = self.log_end_offset();
        if self.producer_state().snapshot_offset() == Some(leo) {
            return Ok(None);
        }
        self.snapshot_at(leo).map(Some)
    }

    /// A clean close: the producer-state snapshot at the log end ([`PartitionLog::snapshot`]).
    /// The log is not flushed (Kafka's `UnifiedLog.close` does not either).
    pub fn close(mut self) -> Result<(), LogError> {
        self.snapshot().map(|_| ())
    }

    /// The last stable offset below `high_watermark` (Kafka's `UnifiedLog.lastStableOffset`):
    /// the first offset of the earliest transaction still open or whose marker is not below
    /// the high watermark, never below the log start offset. Forgets transactions settled
    /// below the high watermark.
    pub fn last_stable_offset(&mut self, high_watermark: i64) -> i64 {
        let start = self.log_start_offset;
        let state = self.producers_mut();
        state.on_high_watermark(high_watermark);
        state.last_stable_offset(high_watermark).max(start)
    }

    /// Removes producers idle for `expiration_ms` with no open transaction (Kafka's
    /// `producer.id.expiration.ms`, [`crate::log::producer_state::DEFAULT_PRODUCER_ID_EXPIRATION_MS`]).
    pub fn remove_expired_producers(&mut self, now_ms: i64, expiration_ms: i64) -> usize {
        self.producers_mut().remove_expired(now_ms, expiration_ms)
    }

    /// Seals the active segment and starts a new one at `new_base`. A snapshot of the
    /// producer state is written first, named after the new base (Kafka's roll), when the
    /// state is current; an append that rolls between its batches writes it as it applies
    /// them.
    pub fn roll(&mut self, new_base: i64) -> Result<(), LogError> {
        if self.producer_state().end_offset() >= self.log_end_offset() {
            self.snapshot_at(new_base)?;
        }
        self.roll_segment(new_base)
    }

    /// Removes every batch whose last offset is `offset` or more (a follower's truncation).
    /// Cuts at batch boundaries, so the new log end may be below `offset` when `offset`
    /// falls inside a batch. Returns the new log end offset. Snapshots above the cut go
    /// first, then the segments, then the `.txnindex` entries of cut markers; the producer
    /// state is reloaded when it covered cut batches.
    pub fn truncate_to(&mut self, offset: i64) -> Result<i64, LogError> {
        if offset >= self.log_end_offset() {
            return Ok(self.log_end_offset());
        }
        self.remove_snapshots_above(offset)?;
        let leo = self.truncate_segments(offset)?;
        self.remove_snapshots_above(leo)?;
        let active = self.active.base_offset();
        self.txn_index(active)?.truncate_to(leo)?;
        if self.producer_state().end_offset() > leo {
            let bases = self.segment_bases();
            let (state, report) = replay::load(&self.dir, &bases, leo, None, &mut |_, _| Ok(()))?;
            self.txn.producers = state;
            self.txn.report = report;
        }
        Ok(leo)
    }

    /// Deletes every segment and starts an empty log at `offset` (a replica far behind),
    /// with no producer state and no snapshot.
    pub fn truncate_fully_and_start_at(&mut self, offset: i64) -> Result<i64, LogError> {
        self.remove_snapshots_above(i64::MIN)?;
        let leo = self.truncate_segments_fully(offset)?;
        self.txn.producers = ProducerState::empty(leo);
        self.txn.index = Some(TxnIndex::open(&self.dir, leo)?);
        Ok(leo)
    }

    fn remove_snapshots_above(&mut self, offset: i64) -> Result<(), LogError> {
        for s in snapshot::list_snapshots(&self.dir)? {
            if s > offset {
                snapshot::remove_snapshot(&self.dir, s)?;
            }
        }
        Ok(())
    }
}

/// The `.txnindex` entry of an aborted transaction.
fn aborted_entry(done: &CompletedTxn) -> AbortedTxn {
    AbortedTxn {
        version: TXN_ENTRY_VERSION,
        producer_id: done.producer_id,
        first_offset: done.first_offset,
        last_offset: done.last_offset,
        last_stable_offset: done.last_stable_offset,
    }
}

fn segment_len(dir: &Path, base: i64) -> u64 {
    std::fs::metadata(names::segment_path(dir, base, LOG_SUFFIX)).map_or(0, |m| m.len())
}

fn describe_stop(seg: &Segment, stop: &ScanStop) -> String {
    format!(
        "{}: {stop}; cut after offset {} (byte {})",
        seg.log_path().display(),
        seg.next_offset() - 1,
        seg.size()
    )
}

/// The files of a segment that retention marks deleted.
const SEGMENT_SUFFIXES: [&str; 4] = [
    LOG_SUFFIX,
    names::INDEX_SUFFIX,
    names::TIME_INDEX_SUFFIX,
    names::TXN_INDEX_SUFFIX,
];

/// Renames a segment's files to `<name>.deleted`, as Kafka's `deleteSegmentFiles` does
/// before its delayed removal, and sets their modification time to now: the delay counts
/// from here ([`remove_deleted_files`]).
pub fn mark_segment_deleted(dir: &Path, base: i64) -> Result<(), LogError> {
    for suffix in SEGMENT_SUFFIXES {
        let p = names::segment_path(dir, base, suffix);
        mark_deleted(&p).map_err(io_err(&p, "rename"))?;
    }
    Ok(())
}

/// Renames `path` to `<path>.deleted` and stamps it with the time now, from which
/// `file.delete.delay.ms` counts. `false` when there was no such file (already gone, as
/// Kafka's rename that finds none). Segments, producer snapshots and metadata snapshots
/// all go this way.
pub fn mark_deleted(path: &Path) -> std::io::Result<bool> {
    let mut to = path.to_path_buf().into_os_string();
    to.push(names::DELETED_SUFFIX);
    let to = PathBuf::from(to);
    match io::rename(path, &to) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    }
    // A read-only file's time can still be set by its owner. Best effort: a file whose
    // time cannot be set goes a little early, never late.
    if let Ok(f) = std::fs::File::open(&to) {
        let _ = f.set_modified(std::time::SystemTime::now());
    }
    Ok(true)
}

/// Renames the producer-state snapshot named after a segment retention deletes
/// (`<base>.snapshot`, when there is one) to `<base>.snapshot.deleted`, removed after
/// `file.delete.delay.ms` with the segment's files ([`remove_deleted_files`]): Kafka's
/// `UnifiedLog.deleteSegments` -> `deleteProducerSnapshots` ->
/// `ProducerStateManager.removeAndMarkSnapshotForDeletion` of each deleted segment's base
/// offset. Other snapshots stay.
pub fn mark_snapshot_deleted(dir: &Path, base: i64) -> Result<(), LogError> {
    let p = snapshot::snapshot_path(dir, base);
    mark_deleted(&p).map_err(io_err(&p, "rename"))?;
    Ok(())
}

/// What [`remove_deleted_files`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RemovedFiles {
    /// Files removed.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// Removes the `.deleted` files in `dir` marked at least `delay_ms` before `now_ms` (Kafka's
/// `log.segment.delete.delay.ms` / `file.delete.delay.ms`), the delayed half of a segment
/// deletion. Younger ones stay for a later pass.
pub fn remove_deleted_files(
    dir: &Path,
    now_ms: i64,
    delay_ms: i64,
) -> Result<RemovedFiles, LogError> {
    let mut out = RemovedFiles::default();
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io_err(dir, "list")(e)),
    };
    for entry in rd {
        let entry = entry.map_err(io_err(dir, "list"))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.ends_with(names::DELETED_SUFFIX) || names::parse_segment_name(name).is_none() {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let marked = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_millis() as i64);
        if now_ms.saturating_sub(marked) < delay_ms {
            continue;
        }
        let path = entry.path();
        io::remove_file(&path).map_err(io_err(&path, "remove"))?;
        out.files += 1;
        out.bytes += meta.len();
    }
    Ok(out)
}

/// Removes a segment's files (`.log`, indexes, `.txnindex`).
pub fn delete_segment_files(dir: &Path, base: i64) -> Result<(), LogError> {
    for suffix in [
        LOG_SUFFIX,
        names::INDEX_SUFFIX,
        names::TIME_INDEX_SUFFIX,
        names::TXN_INDEX_SUFFIX,
    ] {
        let p = names::segment_path(dir, base, suffix);
        io::remove_file(&p).map_err(io_err(&p, "remove"))?;
    }
    Ok(())
}
