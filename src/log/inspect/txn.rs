//! The `.snapshot` and `.txnindex` walks (kafka-dump-log's `dumpProducerIdSnapshot` and
//! `dumpTxnIndex`), and the check of a segment's `.txnindex` against the ABORT markers in
//! its `.log` (for `verify` of either file).
//!
//! Both files are read in bounded chunks: a snapshot through the streaming check of
//! [`snapshot::scan_snapshot`] (every length, the count, the CRC), a `.txnindex` entry by
//! entry. Nothing is repaired.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::record::control::ControlType;

use super::super::producer_state::replay::{HeaderWalk, WalkStop};
use super::super::producer_state::snapshot;
use super::super::txn_index::{self, AbortedTxn, TXN_ENTRY_VERSION};
use super::indexes::sibling_log;
use super::{
    Emitter, Event, InspectError, Mismatch, Options, Problem, ProblemKind, io, io_err, open,
};
use crate::record::BatchHeader;
use crate::record::control::EndTxnMarker;

/// The `.snapshot` walk: every entry, then what is wrong (the CRC is known only at the end).
pub(super) fn dump_snapshot(path: &Path, em: &mut Emitter<'_>) -> Result<(), InspectError> {
    let (file, len) = open(path)?;
    let mut failed = None;
    let check = snapshot::scan_snapshot(
        len,
        |buf, pos| io::read_at(&file, buf, pos),
        |position, entry| {
            if failed.is_none()
                && let Err(e) = em.emit(&Event::SnapshotEntry { position, entry })
            {
                failed = Some(e);
            }
        },
    )
    .map_err(io_err(path, "read"))?;
    if let Some(e) = failed {
        return Err(e);
    }
    for p in &check.problems {
        em.corrupt(Some(p.position), p.to_string())?;
    }
    if let Some((position, count)) = check.trailing {
        em.emit(&Event::InvalidBytes { position, count })?;
    }
    Ok(())
}

/// The `.txnindex` walk: every whole entry, problems Kafka's reader or `sanityCheck` would
/// raise (a version it does not know, a marker below the segment, offsets that go back),
/// the bytes of a partial entry, and with `verify` the entries checked against the log.
pub(super) fn dump_txn_index(
    path: &Path,
    base: i64,
    opts: &Options,
    em: &mut Emitter<'_>,
) -> Result<(), InspectError> {
    let (_, len) = open(path)?;
    let mut entries = Vec::new();
    let mut failed = None;
    let mut previous: Option<i64> = None;
    let whole = txn_index::for_each_entry(path, |position, txn| {
        let result = (|| {
            em.emit(&Event::TxnIndexEntry { position, txn })?;
            if let Some(reason) = entry_problem(&txn, base, previous) {
                em.corrupt(
                    Some(position),
                    format!("entry at byte {position}: {reason}"),
                )?;
            }
            Ok::<(), InspectError>(())
        })();
        previous = Some(txn.last_offset);
        entries.push((position, txn));
        match result {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    if len > whole {
        em.emit(&Event::InvalidBytes {
            position: whole,
            count: len - whole,
        })?;
    }
    if opts.verify {
        let log = sibling_log(path);
        if !log.exists() {
            return em.emit(&Event::Problem(&Problem {
                kind: ProblemKind::MissingLog,
                position: None,
                message: format!(
                    "cannot verify {}: its segment {} does not exist",
                    path.display(),
                    log.display()
                ),
            }));
        }
        let mut checker = TxnChecker::new(base);
        let mut walk = HeaderWalk::open(&log, 0)?;
        loop {
            match walk.next() {
                Ok(Some(b)) => checker.feed(&b.header, b.marker.as_ref()),
                Ok(None)
                | Err(WalkStop::Torn { .. })
                | Err(WalkStop::Corrupt(_))
                | Err(WalkStop::Disorder(_)) => break,
                Err(WalkStop::Io(e)) => return Err(io_err(&log, "read")(e).into()),
            }
        }
        for m in checker.finish(&entries) {
            em.mismatch(m)?;
        }
    }
    Ok(())
}

/// Why one entry cannot be right on its own, if it cannot.
fn entry_problem(txn: &AbortedTxn, base: i64, previous: Option<i64>) -> Option<String> {
    if txn.version != TXN_ENTRY_VERSION {
        return Some(format!(
            "version {} is not supported (Kafka reads version {TXN_ENTRY_VERSION})",
            txn.version
        ));
    }
    if txn.last_offset < base {
        return Some(format!(
            "the marker offset {} is below the segment's base offset {base}",
            txn.last_offset
        ));
    }
    if txn.first_offset > txn.last_offset {
        return Some(format!(
            "the first offset {} is above the marker offset {}",
            txn.first_offset, txn.last_offset
        ));
    }
    if let Some(p) = previous
        && txn.last_offset <= p
    {
        return Some(format!(
            "the marker offset {} does not follow the previous entry's {p}",
            txn.last_offset
        ));
    }
    None
}

/// An ABORT marker found in the log.
#[derive(Debug, Clone, Copy)]
struct Abort {
    producer_id: i64,
    offset: i64,
    /// First transactional batch of this producer since its previous marker in this
    /// segment, when there was one.
    data_from: Option<i64>,
    /// The transaction began in this segment for sure (an earlier marker of the producer
    /// is in this segment), so `data_from` is its first offset, or it had no data.
    began_here: bool,
}

/// Collects the ABORT markers of a segment's batches, to check its `.txnindex` against.
pub(super) struct TxnChecker {
    base: i64,
    /// Producer -> (first transactional offset since its last marker, began here).
    open: HashMap<i64, (i64, bool)>,
    marked: HashSet<i64>,
    aborts: Vec<Abort>,
    /// Offset ranges `[from, to)` the segment lacks between its batches (from its base):
    /// the log cleaner's gaps, where records of an aborted transaction may have been.
    gaps: Vec<(i64, i64)>,
    next: i64,
}

impl TxnChecker {
    /// A checker for the segment based at `base`.
    pub(super) fn new(base: i64) -> TxnChecker {
        TxnChecker {
            base,
            open: HashMap::new(),
            marked: HashSet::new(),
            aborts: Vec::new(),
            gaps: Vec::new(),
            next: base,
        }
    }

    /// Whether `offset` lies in a gap of the segment (compaction removed what was there).
    fn removed(&self, offset: i64) -> bool {
        self.gaps
            .iter()
            .any(|&(from, to)| from <= offset && offset < to)
    }

    /// Takes in one batch of the segment, in order.
    pub(super) fn feed(&mut self, h: &BatchHeader, marker: Option<&EndTxnMarker>) {
        if h.base_offset > self.next {
            self.gaps.push((self.next, h.base_offset));
        }
        self.next = self.next.max(h.next_offset());
        let pid = h.producer_id;
        if pid < 0 {
            return;
        }
        if h.attributes.is_control() {
            let Some(m) = marker else { return };
            let began = self.open.remove(&pid);
            if m.kind == ControlType::Abort {
                self.aborts.push(Abort {
                    producer_id: pid,
                    offset: h.base_offset,
                    data_from: began.map(|b| b.0),
                    began_here: began.map_or(self.marked.contains(&pid), |b| b.1),
                });
            }
            self.marked.insert(pid);
        } else if h.attributes.is_transactional() {
            let here = self.marked.contains(&pid);
            self.open.entry(pid).or_insert((h.base_offset, here));
        }
    }

    /// The mismatches between the markers seen and the index entries.
    pub(super) fn finish(&self, entries: &[(u64, AbortedTxn)]) -> Vec<Mismatch> {
        let mut out = Vec::new();
        let mut matched = HashSet::new();
        for &(_, t) in entries {
            let found = self
                .aborts
                .iter()
                .position(|a| a.offset == t.last_offset && a.producer_id == t.producer_id);
            let mismatch = |reason: String| Mismatch::TxnIndexEntry {
                producer_id: t.producer_id,
                first_offset: t.first_offset,
                last_offset: t.last_offset,
                reason,
            };
            let Some(i) = found else {
                out.push(mismatch(format!(
                    "the log has no ABORT marker of producer {} at offset {}",
                    t.producer_id, t.last_offset
                )));
                continue;
            };
            matched.insert(i);
            let a = self.aborts[i];
            // The log cleaner removes an aborted transaction's records and keeps its
            // marker and entry until a later clean: an entry whose first offset is gone
            // from the log (in a gap) was a transaction with records (Kafka's cleaned logs
            // hold such entries).
            let cleaned = self.removed(t.first_offset);
            let wrong = match (a.data_from, a.began_here) {
                (Some(first), true) if t.first_offset < first && cleaned => None,
                (None, _) if cleaned => None,
                (Some(first), true) if t.first_offset != first => Some(format!(
                    "the transaction's first batch is at offset {first}"
                )),
                (Some(first), false) if t.first_offset > first => Some(format!(
                    "the producer's transactional batch at offset {first} comes before it"
                )),
                (None, true) => Some(
                    "the transaction has no records, and Kafka indexes only aborts of \
                     transactions with records"
                        .to_string(),
                ),
                (None, false) if t.first_offset >= self.base => Some(format!(
                    "no transactional batch of the producer precedes the marker in this \
                     segment, so the transaction began before its base offset {}",
                    self.base
                )),
                _ => None,
            };
            if let Some(reason) = wrong {
                out.push(mismatch(reason));
            }
        }
        for (i, a) in self.aborts.iter().enumerate() {
            if let (Some(first), false) = (a.data_from, matched.contains(&i)) {
                out.push(Mismatch::TxnIndexMissing {
                    producer_id: a.producer_id,
                    first_offset: first,
                    last_offset: a.offset,
                });
            }
        }
        out
    }
}

/// With `verify`, the `.log` walk's check of the `.txnindex` beside it: entries read after
/// the log's batches were fed to `checker`. A missing `.txnindex` has no entries.
pub(super) fn verify_log_txn_index(
    log: &Path,
    checker: &TxnChecker,
    em: &mut Emitter<'_>,
) -> Result<(), InspectError> {
    let name = log.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.split('.').next().unwrap_or(name);
    let index = log.with_file_name(format!("{stem}{}", super::super::names::TXN_INDEX_SUFFIX));
    let mut entries = Vec::new();
    txn_index::for_each_entry(&index, |p, t| {
        entries.push((p, t));
        true
    })?;
    for m in checker.finish(&entries) {
        em.mismatch(m)?;
    }
    Ok(())
}
