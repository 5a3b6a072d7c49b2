//! The `.log` walk (also of KRaft snapshots, which are record batches too): every batch, its
//! records decoded and checked (metadata records in the metadata log), offsets that must
//! increase, and the invalid bytes where the walk had to stop.

use std::path::Path;

use crate::record::batch::MAX_BATCH_BYTES;
use crate::record::control::{self, ControlType, EndTxnMarker};
use crate::record::kraft::control::ControlRecord;
use crate::record::{BatchRef, RecordRef};

use super::super::stream::{BatchOrder, BatchStream, ScanStop};
use super::kraft::{SnapshotFraming, metadata_value};
use super::txn::{TxnChecker, verify_log_txn_index};
use super::{
    BatchInfo, Control, Emitter, Event, InspectError, MetadataValue, Mismatch, Options, RecordInfo,
    io_err, open,
};

/// What a walk of record batches reads.
#[derive(Debug, Clone, Copy)]
pub(super) struct Walk {
    /// The offset no batch may start before (the segment's base; 0 in a snapshot).
    pub(super) base_offset: i64,
    /// Data records are Kafka's metadata records.
    pub(super) cluster_metadata: bool,
    /// A KRaft snapshot: its framing is checked with `verify`, and it has no `.txnindex`.
    pub(super) snapshot: bool,
}

/// What the walk keeps from record to record.
#[derive(Default)]
struct RecordState {
    /// The offset of the previous record of the file.
    previous: Option<i64>,
    /// A snapshot's framing, checked with `verify`.
    framing: Option<SnapshotFraming>,
}

/// The `.log` walk: every batch, its records decoded and checked, offsets that must
/// increase, and the invalid bytes where the walk had to stop.
pub(super) fn dump_log(
    path: &Path,
    walk: Walk,
    opts: &Options,
    em: &mut Emitter<'_>,
) -> Result<(), InspectError> {
    let segment_base = walk.base_offset;
    let (file, len) = open(path)?;
    let end = opts.max_bytes.map_or(len, |m| m.min(len));
    // Only without a --max-bytes cut is an incomplete last batch damage, as in Kafka.
    let whole_file = end == len;
    let mut stream = BatchStream::new(&file, 0, end, MAX_BATCH_BYTES);
    // The log's rules (the ones every reader holds batches to), each break reported and the
    // walk going on; the epoch rule only with --verify.
    let mut order = BatchOrder::new(segment_base);
    let mut state = RecordState {
        previous: None,
        framing: (walk.snapshot && opts.verify).then(SnapshotFraming::default),
    };
    // With `verify`, the ABORT markers are checked against the `.txnindex` beside the log.
    let mut txns = TxnChecker::new(segment_base);
    loop {
        let batch = match stream.next() {
            Ok(Some(batch)) => batch,
            Ok(None) => break,
            Err(ScanStop::Io(e)) => return Err(io_err(path, "read")(e).into()),
            Err(ScanStop::Torn { position, .. }) => {
                if whole_file {
                    em.emit(&Event::InvalidBytes {
                        position,
                        count: len - position,
                    })?;
                }
                break;
            }
            Err(ScanStop::Corrupt(e)) => {
                em.corrupt(Some(e.position), e.to_string())?;
                if whole_file {
                    em.emit(&Event::InvalidBytes {
                        position: e.position,
                        count: len - e.position,
                    })?;
                }
                break;
            }
            Err(e @ (ScanStop::OffsetGap { .. } | ScanStop::Disorder(_))) => {
                // This stream is not held to the rules (they are checked below); kept for
                // completeness.
                em.corrupt(Some(stream.position()), e.to_string())?;
                break;
            }
        };
        let info = BatchInfo {
            position: batch.position(),
            header: *batch.header(),
            computed_crc: batch.computed_crc(),
        };
        em.emit(&Event::Batch(&info))?;
        let h = info.header;
        if let Err(e) = order.check_offsets(&h, info.position) {
            em.corrupt(Some(info.position), e.to_string())?;
        }
        if opts.verify
            && let Err(e) = order.check_epoch(&h, info.position)
        {
            em.corrupt(Some(info.position), e.to_string())?;
        }
        order.advance(&h);
        let marker = walk_records(&batch, walk, opts, em, &mut state)?;
        txns.feed(&h, marker.as_ref());
    }
    if let Some(problem) = state.framing.as_ref().and_then(SnapshotFraming::finish) {
        em.corrupt(None, problem)?;
    }
    if opts.verify && !walk.snapshot {
        verify_log_txn_index(path, &txns, em)?;
    }
    Ok(())
}

/// Decodes and checks the records of one batch, emitting them when asked. Returns the
/// COMMIT/ABORT marker of a control batch.
fn walk_records(
    batch: &BatchRef<'_>,
    walk: Walk,
    opts: &Options,
    em: &mut Emitter<'_>,
    state: &mut RecordState,
) -> Result<Option<EndTxnMarker>, InspectError> {
    let h = *batch.header();
    let position = batch.position();
    let data = match batch.records_data() {
        Ok(d) => d,
        Err(e) => return em.corrupt(Some(position), e.to_string()).map(|()| None),
    };
    let iter = match batch.records(&data) {
        Ok(it) => it,
        Err(e) => return em.corrupt(Some(position), e.to_string()).map(|()| None),
    };
    let mut previous_in_batch: Option<i64> = None;
    let mut marker = None;
    for record in iter {
        let record = match record {
            Ok(r) => r,
            Err(e) => return em.corrupt(Some(position), e.to_string()).map(|()| marker),
        };
        em.summary.records += 1;
        if previous_in_batch.is_some_and(|p| record.offset <= p) || record.offset > h.last_offset()
        {
            em.corrupt(
                Some(position),
                format!(
                    "record at offset {} in the batch at byte {position} is out of order or \
                     past the batch's last offset {}",
                    record.offset,
                    h.last_offset()
                ),
            )?;
        }
        previous_in_batch = Some(record.offset);
        if opts.verify
            && let Some(previous) = state.previous
            && record.offset > previous.saturating_add(1)
        {
            // Offsets going back are errors of their own (reported above or per batch);
            // only gaps are listed here.
            em.mismatch(Mismatch::NonConsecutive {
                previous,
                next: record.offset,
            })?;
        }
        state.previous = Some(record.offset);
        let control = h.attributes.is_control().then(|| control_of(&record));
        if let Some(Control::EndTxn(m)) = &control
            && marker.is_none()
        {
            marker = Some(*m);
        }
        let framing = state
            .framing
            .as_mut()
            .and_then(|f| f.feed(record.offset, control.as_ref()));
        let malformed = control == Some(Control::Malformed);
        let metadata =
            (walk.cluster_metadata && control.is_none()).then(|| metadata_value(record.value));
        let invalid = match &metadata {
            Some(MetadataValue::Invalid(why)) => Some(why.clone()),
            _ => None,
        };
        let offset = record.offset;
        if opts.records {
            em.emit(&Event::Record(&RecordInfo {
                record,
                timestamp_type: h.attributes.timestamp_type(),
                control,
                metadata,
            }))?;
        }
        if malformed {
            em.corrupt(
                Some(position),
                format!(
                    "control record at offset {offset} in the batch at byte {position} has a \
                     malformed key or value"
                ),
            )?;
        }
        if let Some(why) = invalid {
            em.corrupt(
                Some(position),
                format!(
                    "record at offset {offset} in the batch at byte {position} is not a \
                     metadata record: {why}"
                ),
            )?;
        }
        if let Some(problem) = framing {
            em.corrupt(Some(position), problem)?;
        }
    }
    Ok(marker)
}

fn control_of(record: &RecordRef<'_>) -> Control {
    match control::control_type(record.key) {
        None => Control::Malformed,
        Some(ControlType::Other(t)) => match record
            .key
            .map(|key| ControlRecord::decode(key, record.value.unwrap_or_default()))
        {
            Some(Ok(Some(k))) => Control::Kraft(k),
            Some(Ok(None)) => Control::Other(t),
            Some(Err(_)) | None => Control::Malformed,
        },
        Some(_) => control::end_txn_marker(record.key, record.value)
            .map_or(Control::Malformed, Control::EndTxn),
    }
}
