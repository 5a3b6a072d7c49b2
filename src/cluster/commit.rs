//! A metadata change, all or nothing. Its records are appended to the metadata log and
//! fsynced (the commit point), then `cluster.json` is replaced. When any step fails, the
//! append is taken back (the log is cut to where it ended before), so the change is
//! reported failed and is not applied later by whoever replays the log. Only when taking it
//! back fails too and the log holds the whole change does it stand: the error says so
//! ([`ClusterError::CommittedNotShown`]), and the next open applies it, writes the snapshot
//! and names the change ([`CaughtUp`]).
//!
//! Catching up ([`Cluster::catch_up`]) is that replay: the changes the log holds past the
//! snapshot's offset, whole ones applied, an unfinished multi-batch one aborted.
//!
//! Must not: take locks (callers hold the controller lock), or print.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use super::layout::Layout;
use super::metadata::{self, ClusterState, MetadataRecord, Replay};
use super::{Cluster, ClusterError, io_err, now_ms, snapshot};
use crate::log::producer_state::snapshot as producer_snapshot;
use crate::log::{self, LogConfig, LogError, LogReader, OpenHints, PartitionLog, names};
use crate::record::{BatchBuilder, BatchOptions};

/// What catching up with the metadata log did: changes a command committed to the log
/// without getting them into `cluster.json` (its snapshot write failed, and so did taking
/// the change back), now applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaughtUp {
    /// The changes applied, oldest first, each named by [`metadata::change_name`].
    pub changes: Vec<String>,
    /// The metadata-log offsets replayed, from (inclusive) to (exclusive).
    pub offsets: (i64, i64),
    /// Why `cluster.json` could not be brought up to date, when it could not: what the log
    /// holds past it is then applied in memory only, and again at the next open.
    pub unsaved: Option<String>,
}

/// One metadata-log batch read back: (offset, timestamp, record) of each record.
pub(super) type ReadBatch = Vec<(i64, i64, MetadataRecord)>;

/// Where the metadata log ended before an append: what taking the append back restores.
struct LogMark {
    dir: PathBuf,
    /// The log end offset.
    end: i64,
    /// The active segment's base offset.
    active: i64,
    /// The active segment's `.index`, `.timeindex` and `.log` with their lengths, in the
    /// order they are cut back (index entries before the data they point at, as
    /// `Segment::truncate_to` does, so a reader that takes no lock never finds an entry past
    /// the end of the data).
    lens: Vec<(PathBuf, u64)>,
}

impl LogMark {
    fn take(log: &PartitionLog) -> Result<LogMark, ClusterError> {
        let dir = log.dir().to_path_buf();
        let active = log.segment_bases().last().copied().unwrap_or(0);
        let mut lens = Vec::with_capacity(3);
        for suffix in [
            names::INDEX_SUFFIX,
            names::TIME_INDEX_SUFFIX,
            names::LOG_SUFFIX,
        ] {
            let p = names::segment_path(&dir, active, suffix);
            let len = std::fs::metadata(&p).map_err(io_err(&p))?.len();
            lens.push((p, len));
        }
        Ok(LogMark {
            dir,
            end: log.log_end_offset(),
            active,
            lens,
        })
    }

    /// Cuts the log back to the mark, from the files themselves rather than from what the
    /// failed append believes it wrote (a write that failed may have landed in part):
    /// segments a roll started meanwhile go, with producer snapshots above the mark, then
    /// the active segment's files are cut to their old lengths and the `.log` is fsynced.
    /// Only removes and shrinks, so it works on a full disk. A failed fsync of the cut is
    /// not reported: what readers find is the log as it was, and only a power loss before
    /// the cut reaches the disk could bring the change back (the next open would then apply
    /// it and name it).
    fn restore(&self) -> Result<(), ClusterError> {
        for base in log::partition::list_segments(&self.dir, false)? {
            if base > self.active {
                log::partition::delete_segment_files(&self.dir, base)?;
            }
        }
        for s in producer_snapshot::list_snapshots(&self.dir)? {
            if s > self.end {
                producer_snapshot::remove_snapshot(&self.dir, s)?;
            }
        }
        let mut data = None;
        for (path, len) in &self.lens {
            let f = log::io::open(path, OpenOptions::new().write(true)).map_err(io_err(path))?;
            log::io::set_len(&f, *len).map_err(io_err(path))?;
            data = Some(f);
        }
        if let Some(f) = data {
            let _ = log::io::sync(&f);
        }
        Ok(())
    }
}

/// The metadata log's end: the offset after its last whole batch (a torn tail is not
/// counted: every opener cuts it). `None` when there is no log or it cannot be read.
pub(super) fn log_end(layout: &Layout) -> Option<i64> {
    let dir = layout.metadata_log();
    if !dir.is_dir() {
        return None;
    }
    LogReader::open(&dir).ok()?.log_end_offset().ok()
}

/// The metadata log's batches from `from` up to `end`, each with its records from `from`
/// on (the first batch may begin below it).
pub(super) fn read_batches(
    dir: &Path,
    from: i64,
    end: i64,
) -> Result<Vec<ReadBatch>, ClusterError> {
    let reader = LogReader::open(dir)?;
    let mut cursor = reader.cursor(from)?;
    let mut out = Vec::new();
    while let Some(batch) = cursor.next_batch(end)? {
        let records = batch.to_records().map_err(|e| LogError::Corrupt {
            path: dir.to_path_buf(),
            detail: e.to_string(),
        })?;
        let mut read = Vec::with_capacity(records.len());
        for r in records {
            if r.offset < from {
                continue;
            }
            let rec: MetadataRecord = serde_json::from_slice(r.value.as_deref().unwrap_or(b""))
                .map_err(|e| LogError::Corrupt {
                    path: dir.to_path_buf(),
                    detail: format!("metadata record at offset {}: {e}", r.offset),
                })?;
            read.push((r.offset, r.timestamp, rec));
        }
        if !read.is_empty() {
            out.push(read);
        }
    }
    Ok(out)
}

impl Cluster {
    /// Appends records to the metadata log (controller lock held) in as many batches as
    /// they need ([`metadata::plan_batches`]), with one fsync, applies them and writes the
    /// snapshot: all of it, or (on any failure) none of it, as the module says.
    pub(super) fn commit(&mut self, records: Vec<MetadataRecord>) -> Result<(), ClusterError> {
        self.commit_in_batches(records, metadata::BATCH_BYTES)
    }

    /// [`Cluster::commit`] with a batch size of `batch_bytes` (tests use small ones).
    pub(super) fn commit_in_batches(
        &mut self,
        records: Vec<MetadataRecord>,
        batch_bytes: usize,
    ) -> Result<(), ClusterError> {
        let change = metadata::change_name(&records);
        let batches =
            metadata::plan_batches(records, batch_bytes).map_err(ClusterError::Invalid)?;
        let dir = self.layout.metadata_log();
        // Opening cuts a torn tail a failed append left (it lies above the snapshot's
        // offset, the recovery point): nothing of it is ever replayed.
        let (mut mlog, _) = PartitionLog::open(
            &dir,
            LogConfig::default(),
            OpenHints {
                recovery_point: self.state.metadata_offset,
                log_start_offset: 0,
                trusted_tail: false,
                truncate_flushed: false,
                // A controller that died mid-append leaves a torn tail to cut.
                may_cut_tail: true,
            },
        )?;
        let mark = LogMark::take(&mlog)?;
        let now = now_ms();
        let written = (|| {
            for batch in &batches {
                let mut b = BatchBuilder::new(BatchOptions::default());
                for (r, v) in batch {
                    b.append(now, Some(r.kind().as_bytes()), Some(v), &[]);
                }
                let mut bytes = b.build(0, 0)?;
                mlog.append(&mut bytes, 0, now)?;
            }
            // One fsync for the whole change: until it returns, a crash leaves complete
            // batches (replayed, or aborted when the change is incomplete) or a torn tail
            // (cut by recovery), and a failure is taken back below.
            Ok::<_, ClusterError>(mlog.flush()?)
        })();
        let mut next = self.state.clone();
        for (r, _) in batches.iter().flatten() {
            next.apply(r);
        }
        next.metadata_offset = mlog.log_end_offset();
        drop(mlog);
        let failure = match written {
            Ok(_) => match snapshot::write(&self.layout, &next) {
                Ok(()) => {
                    self.state = next;
                    return Ok(());
                }
                Err(e) => e,
            },
            Err(e) => e,
        };
        self.take_back(&mark, change, failure, next)
    }

    /// After a failed commit: cuts the metadata log back to `mark` and returns `failure`
    /// (the change is not made). When the cut fails too, what the log kept decides: a whole
    /// change stands ([`ClusterError::CommittedNotShown`], with `next` as this process's
    /// state); anything less (a torn batch, a multi-batch change without its end) is never
    /// applied, and `failure` is true as it is.
    fn take_back(
        &mut self,
        mark: &LogMark,
        change: String,
        failure: ClusterError,
        next: ClusterState,
    ) -> Result<(), ClusterError> {
        let Err(undo) = mark.restore() else {
            return Err(failure);
        };
        match self.applies_past(mark.end) {
            Ok(true) => {
                self.state = next;
                Err(ClusterError::CommittedNotShown {
                    change,
                    source: Box::new(failure),
                    undo: Box::new(undo),
                })
            }
            // When the log cannot even be read back, the next open's replay decides, and
            // names the change if it applies it.
            Ok(false) | Err(_) => Err(failure),
        }
    }

    /// True when replaying the metadata log from `from` applies something: what the next
    /// opener would do with what lies there.
    fn applies_past(&self, from: i64) -> Result<bool, ClusterError> {
        let dir = self.layout.metadata_log();
        let end = LogReader::open(&dir)?.log_end_offset()?;
        let mut scratch = self.state.clone();
        let mut replay = Replay::new(from);
        for batch in read_batches(&dir, from, end)? {
            for (offset, _, r) in batch {
                replay.feed(&mut scratch, offset, r);
            }
        }
        Ok(replay.applied_to() > from)
    }

    /// Applies what the metadata log holds past the snapshot's offset (controller lock
    /// held): changes committed by a command that could not write `cluster.json` nor take
    /// them back, or by a controller that died before writing it. A change that spans
    /// batches and never ended (its controller died in the middle of it) applies not at
    /// all, and an AbortTransaction record says so in the log, as KRaft's controller does,
    /// so no later change is taken for its end. The snapshot is written when anything was
    /// replayed; when that fails, the result says why and the state is caught up in memory
    /// only. Errors when the log cannot be read or the abort cannot be written.
    pub(super) fn catch_up(&mut self) -> Result<CaughtUp, ClusterError> {
        let from = self.state.metadata_offset;
        let Some(end) = log_end(&self.layout).filter(|&end| end > from) else {
            return Ok(CaughtUp::default());
        };
        let mut state = self.state.clone();
        let mut replay = Replay::new(from);
        let mut changes = Vec::new();
        let mut pending: Vec<MetadataRecord> = Vec::new();
        for batch in read_batches(&self.layout.metadata_log(), from, end)? {
            for (offset, _, r) in batch {
                match &r {
                    MetadataRecord::BeginTransaction { .. }
                    | MetadataRecord::AbortTransaction { .. } => pending.clear(),
                    MetadataRecord::EndTransaction {} => {}
                    other => pending.push(other.clone()),
                }
                replay.feed(&mut state, offset, r);
            }
            // A change is one batch, or the batches of one transaction.
            if !replay.in_transaction() && !pending.is_empty() {
                changes.push(metadata::change_name(&pending));
                pending.clear();
            }
        }
        state.metadata_offset = end;
        self.state = state;
        let mut caught = CaughtUp {
            changes,
            offsets: (from, end),
            unsaved: None,
        };
        if replay.in_transaction() {
            // Writes the snapshot too.
            self.commit(vec![MetadataRecord::AbortTransaction {
                reason: "its controller stopped before the change was complete".into(),
            }])?;
        } else if let Err(e) = snapshot::write(&self.layout, &self.state) {
            caught.unsaved = Some(e.to_string());
        }
        Ok(caught)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Every file of a folder with its bytes.
    fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
    }

    /// An append that rolled segments on its way is taken back whole: the new segments
    /// and the closing time entry of the old active one go, and the log opens as before.
    #[test]
    fn taking_an_append_back_undoes_its_rolls() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = LogConfig {
            segment_bytes: 300,
            ..LogConfig::default()
        };
        let append = |log: &mut PartitionLog, n: usize| {
            for i in 0..n {
                let mut b = BatchBuilder::new(BatchOptions::default());
                b.append(
                    now_ms(),
                    Some(b"k"),
                    Some(format!("value {i}").as_bytes()),
                    &[],
                );
                log.append(&mut b.build(0, 0).unwrap(), 0, now_ms())
                    .unwrap();
            }
            log.flush().unwrap();
        };
        let (mut log, _) = PartitionLog::open(dir.path(), cfg, OpenHints::default()).unwrap();
        append(&mut log, 2);
        let before = files(dir.path());
        let mark = LogMark::take(&log).unwrap();
        append(&mut log, 12);
        assert!(log.segment_bases().len() > 2, "{:?}", log.segment_bases());
        drop(log);
        mark.restore().unwrap();
        assert_eq!(files(dir.path()), before);
        let (log, report) = PartitionLog::open(
            dir.path(),
            cfg,
            OpenHints {
                recovery_point: mark.end,
                ..OpenHints::default()
            },
        )
        .unwrap();
        assert_eq!(log.log_end_offset(), mark.end);
        assert!(!report.recovered, "{report:?}");
    }
}
