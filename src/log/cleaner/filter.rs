//! What the cleaner keeps of each batch: Kafka's `LogCleaner.cleanInto` filter and
//! `MemoryRecords.filterTo`, batch by batch. Records superseded by a later record of the
//! same key go, tombstones and transaction markers go once their delete horizon has
//! passed, records of aborted transactions go; a batch keeps its base and last offsets
//! (so the last sequence of its producer survives) and is written as it was when nothing
//! in it changed, else rebuilt with the same header fields (Kafka's
//! `buildRetainedRecordsInto`).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use crate::record::batch::{ATTR_CONTROL, ATTR_LOG_APPEND_TIME, ATTR_TRANSACTIONAL};
use crate::record::builder::{bytes_size, write_bytes};
use crate::record::compression::{self, Compression};
use crate::record::control::{ControlType, control_type};
use crate::record::{BatchHeader, BatchRef, CorruptBatch, RecordRef, TimestampType, varint};

use super::offset_map::{HASH_BYTES, OffsetMap};
use super::walk;
use crate::log::txn_index::AbortedTxn;

/// Bit 6 of a batch's attributes: its base timestamp is the delete horizon.
const ATTR_DELETE_HORIZON: i16 = 0x40;
/// Kafka's `RecordBatch.NO_TIMESTAMP`.
const NO_TIMESTAMP: i64 = -1;

/// Kafka's `CleanedTransactionMetadata`: which transactional batches belong to aborted
/// transactions, and which markers may go.
#[derive(Debug, Default)]
pub struct TxnMetadata {
    ongoing_committed: HashSet<i64>,
    /// Producer id -> (its aborted transaction, last offset of a batch of it seen).
    ongoing_aborted: HashMap<i64, (AbortedTxn, Option<i64>)>,
    /// Aborted transactions not reached yet, by first offset.
    pending: BinaryHeap<Reverse<(i64, i64, i64, i64)>>,
    /// Aborts whose marker is kept: the cleaned segment's `.txnindex` entries.
    pub kept_aborts: Vec<AbortedTxn>,
}

impl TxnMetadata {
    /// Adds aborted transactions (from the `.txnindex` files of the range read).
    pub fn add_aborted(&mut self, txns: impl IntoIterator<Item = AbortedTxn>) {
        for t in txns {
            self.pending.push(Reverse((
                t.first_offset,
                t.producer_id,
                t.last_offset,
                t.last_stable_offset,
            )));
        }
    }

    fn consume_up_to(&mut self, offset: i64) {
        while let Some(Reverse((first, pid, last, lso))) = self.pending.peek().copied() {
            if first > offset {
                break;
            }
            self.pending.pop();
            self.ongoing_aborted.entry(pid).or_insert((
                AbortedTxn {
                    version: crate::log::txn_index::TXN_ENTRY_VERSION,
                    producer_id: pid,
                    first_offset: first,
                    last_offset: last,
                    last_stable_offset: lso,
                },
                None,
            ));
        }
    }

    /// A control batch was read (its first record's key given): may its marker go?
    /// (Kafka's `onControlBatchRead`.)
    pub fn on_control_batch(&mut self, h: &BatchHeader, first_key: Option<Option<&[u8]>>) -> bool {
        self.consume_up_to(h.last_offset());
        let Some(key) = first_key else {
            // An empty control batch was cleaned already: it may go.
            return true;
        };
        match control_type(key) {
            Some(ControlType::Abort) => match self.ongoing_aborted.remove(&h.producer_id) {
                // Kept until every batch of the transaction is gone.
                Some((txn, Some(_))) => {
                    self.kept_aborts.push(txn);
                    false
                }
                _ => true,
            },
            Some(ControlType::Commit) => !self.ongoing_committed.remove(&h.producer_id),
            _ => false,
        }
    }

    /// A data batch was read: is it part of an aborted transaction? (Kafka's
    /// `onBatchRead`.)
    pub fn on_data_batch(&mut self, h: &BatchHeader) -> bool {
        self.consume_up_to(h.last_offset());
        if !h.attributes.is_transactional() {
            return false;
        }
        match self.ongoing_aborted.get_mut(&h.producer_id) {
            Some((_, seen)) => {
                *seen = Some(h.last_offset());
                true
            }
            None => {
                self.ongoing_committed.insert(h.producer_id);
                false
            }
        }
    }
}

/// The last batch of a producer that is still active: its last data offset (-1 when its
/// last entry is a marker) and epoch (Kafka's `LastRecord`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastRecord {
    /// Offset of the producer's last data record, -1 when none.
    pub last_data_offset: i64,
    /// The producer's epoch.
    pub producer_epoch: i16,
}

/// Everything a clean of one round decides with.
#[derive(Debug)]
pub struct Filter<'a> {
    /// The keys' latest offsets.
    pub map: &'a OffsetMap,
    /// Now, in ms.
    pub now_ms: i64,
    /// `delete.retention.ms`.
    pub delete_retention_ms: i64,
    /// Last records of active producers, kept so their state survives.
    pub last_records: &'a HashMap<i64, LastRecord>,
    /// The first offset this round does not clean: the batch ending there is kept.
    pub upper_bound: i64,
}

/// What filtering one batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Records read.
    pub read: u64,
    /// Records kept.
    pub kept: u64,
    /// Bytes written.
    pub written: u64,
}

/// Kafka's `shouldRetainRecord` for a data record at `offset` (`hash`: its key's, when it
/// has one).
#[inline]
fn keep_record(
    f: &Filter<'_>,
    h: &BatchHeader,
    offset: i64,
    tombstone: bool,
    hash: Option<&[u8; HASH_BYTES]>,
) -> bool {
    if offset > f.map.latest_offset() {
        return true;
    }
    let Some(hash) = hash else {
        return false;
    };
    let latest = offset >= f.map.get_hashed(hash);
    let keep_deletes = !h.attributes.has_delete_horizon() || f.now_ms < h.base_timestamp;
    latest && (!tombstone || keep_deletes)
}

/// Whether batch `h` stays even when it keeps no record: the last batch of a producer that
/// is still active (so its sequence and epoch survive), or the batch ending at the round's
/// upper bound.
pub fn retains_empty(f: &Filter<'_>, h: &BatchHeader) -> bool {
    let last_of_producer = h.producer_id >= 0
        && f.last_records.get(&h.producer_id).is_some_and(|l| {
            if l.last_data_offset >= 0 {
                h.last_offset() == l.last_data_offset
            } else {
                h.attributes.is_control() && h.producer_epoch == l.producer_epoch
            }
        });
    last_of_producer || h.next_offset() == f.upper_bound
}

/// What [`filter_batch`] reuses from batch to batch, so that filtering allocates nothing
/// per batch or record (but for the batches it rebuilds).
#[derive(Debug, Default)]
pub struct Scratch {
    /// Rebuilt records before compression.
    records: Vec<u8>,
    /// Each record's key hash (zero when it has no key).
    hashes: Vec<[u8; HASH_BYTES]>,
    /// Each record's offset, whether it has a key, whether it is a tombstone.
    recs: Vec<(i64, bool, bool)>,
    /// Whether each record is kept.
    keep: Vec<bool>,
}

/// Filters batch `b` into `out` (appended), with `txns` tracking transactions, as Kafka's
/// `MemoryRecords.filterTo`: the records' keys and offsets are walked without decoding
/// values ([`walk`]); a batch that keeps every record (and needs no delete horizon set) is
/// copied as it is, CRC and compression included (Kafka's `writeOriginalBatch`); only a
/// batch that loses records is decoded whole and rebuilt, after its CRC is checked (a
/// rebuilt batch gets a new CRC, which must not cover damage).
pub fn filter_batch(
    f: &Filter<'_>,
    txns: &mut TxnMetadata,
    b: &BatchRef<'_>,
    out: &mut Vec<u8>,
    scratch: &mut Scratch,
) -> Result<BatchOutcome, CorruptBatch> {
    let h = *b.header();
    let control = h.attributes.is_control();
    let data = b.records_data()?;
    let can_discard = if control {
        let first_key = walk::keys(&h, b.position(), &data)
            .next()
            .transpose()?
            .map(|r| r.key);
        txns.on_control_batch(&h, first_key)
    } else {
        txns.on_data_batch(&h)
    };
    let discard_records = if control {
        can_discard && h.attributes.has_delete_horizon() && h.base_timestamp <= f.now_ms
    } else {
        can_discard
    };
    let retain_empty = retains_empty(f, &h);
    if !retain_empty && discard_records {
        return Ok(BatchOutcome {
            read: h.records_count.max(0) as u64,
            ..BatchOutcome::default()
        });
    }
    let marker_for_empty_txn = can_discard && control;
    let mut outcome = BatchOutcome::default();
    let Scratch {
        records: rebuilt,
        hashes,
        recs,
        keep,
    } = scratch;
    recs.clear();
    hashes.clear();
    for r in walk::keys(&h, b.position(), &data) {
        let r = r?;
        recs.push((r.offset, r.key.is_some(), r.tombstone));
        // The keys' hashes first, and their slots read all at once (see `OffsetMap::warm`).
        if !discard_records && !control {
            hashes.push(r.key.map_or([0; HASH_BYTES], |k| f.map.hash(k)));
        }
    }
    if !hashes.is_empty() {
        f.map.warm(hashes);
    }
    keep.clear();
    let (mut kept, mut tombstones) = (0u64, false);
    for (i, &(offset, has_key, tombstone)) in recs.iter().enumerate() {
        let hash = if has_key { hashes.get(i) } else { None };
        let k = !discard_records && (control || keep_record(f, &h, offset, tombstone, hash));
        if k {
            kept += 1;
            tombstones |= tombstone;
        }
        keep.push(k);
    }
    outcome.read = recs.len() as u64;
    let start = out.len();
    if kept > 0 {
        let has_horizon = h.attributes.has_delete_horizon();
        let set_horizon = (tombstones || marker_for_empty_txn) && !has_horizon;
        if kept == outcome.read && !set_horizon {
            out.extend_from_slice(b.bytes());
        } else {
            b.verify_crc()?;
            let mut records = Vec::with_capacity(kept as usize);
            for (r, &k) in b.records(&data)?.zip(keep.iter()) {
                let r = r?;
                if k {
                    records.push(r);
                }
            }
            let horizon = if set_horizon {
                f.now_ms.saturating_add(f.delete_retention_ms)
            } else if has_horizon {
                h.base_timestamp
            } else {
                NO_TIMESTAMP
            };
            rebuild(&h, b.compression(), &records, horizon, out, rebuilt).map_err(|e| {
                CorruptBatch {
                    position: b.position(),
                    base_offset: h.base_offset,
                    kind: crate::record::Corruption::Codec(e.to_string()),
                }
            })?;
        }
        outcome.kept = kept;
    } else if retain_empty {
        empty_batch(&h, out);
    }
    outcome.written = (out.len() - start) as u64;
    Ok(outcome)
}

/// Kafka's `buildRetainedRecordsInto`: the kept records in a batch with the original's
/// base and last offsets, producer fields, epoch and codec; the base timestamp is the
/// delete horizon when there is one (bit 6 set), else the first kept record's timestamp.
fn rebuild(
    h: &BatchHeader,
    codec: Compression,
    kept: &[RecordRef<'_>],
    horizon: i64,
    out: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
) -> Result<(), compression::CodecError> {
    let log_append = h.attributes.timestamp_type() == TimestampType::LogAppendTime;
    let base_ts = if horizon >= 0 {
        horizon
    } else {
        kept.first().map_or(NO_TIMESTAMP, |r| r.timestamp)
    };
    let mut max_ts = NO_TIMESTAMP;
    scratch.clear();
    for r in kept {
        max_ts = max_ts.max(r.timestamp);
        let ts_delta = r.timestamp.wrapping_sub(base_ts);
        let offset_delta = (r.offset - h.base_offset) as i32;
        let headers: Vec<(&[u8], Option<&[u8]>)> = r.headers().collect();
        let body = 1
            + varint::varlong_size(ts_delta)
            + varint::varint_size(offset_delta)
            + bytes_size(r.key)
            + bytes_size(r.value)
            + varint::varint_size(headers.len() as i32)
            + headers
                .iter()
                .map(|(k, v)| bytes_size(Some(k)) + bytes_size(*v))
                .sum::<usize>();
        varint::write_varint(scratch, body as i32);
        scratch.push(0);
        varint::write_varlong(scratch, ts_delta);
        varint::write_varint(scratch, offset_delta);
        write_bytes(scratch, r.key);
        write_bytes(scratch, r.value);
        varint::write_varint(scratch, headers.len() as i32);
        for (k, v) in &headers {
            write_bytes(scratch, Some(k));
            write_bytes(scratch, *v);
        }
    }
    if log_append {
        max_ts = h.max_timestamp;
    }
    let start = out.len();
    out.resize(start + crate::record::batch::BATCH_HEADER_LEN, 0);
    match codec {
        Compression::None => out.extend_from_slice(scratch),
        c => out.extend_from_slice(&compression::compress(c, scratch)?),
    }
    let mut attrs = i16::from(codec.id());
    if log_append {
        attrs |= ATTR_LOG_APPEND_TIME;
    }
    if h.attributes.is_transactional() {
        attrs |= ATTR_TRANSACTIONAL;
    }
    if h.attributes.is_control() {
        attrs |= ATTR_CONTROL;
    }
    if horizon >= 0 {
        attrs |= ATTR_DELETE_HORIZON;
    }
    write_header(
        &mut out[start..],
        h,
        attrs,
        base_ts,
        max_ts,
        kept.len() as i32,
    );
    Ok(())
}

/// Kafka's `DefaultRecordBatch.writeEmptyHeader`: a batch of no records that keeps the
/// offsets, producer fields and max timestamp of `h` (the last batch of a producer).
fn empty_batch(h: &BatchHeader, out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + crate::record::batch::BATCH_HEADER_LEN, 0);
    let mut attrs = 0i16;
    if h.attributes.timestamp_type() == TimestampType::LogAppendTime {
        attrs |= ATTR_LOG_APPEND_TIME;
    }
    if h.attributes.is_transactional() {
        attrs |= ATTR_TRANSACTIONAL;
    }
    if h.attributes.is_control() {
        attrs |= ATTR_CONTROL;
    }
    write_header(
        &mut out[start..],
        h,
        attrs,
        NO_TIMESTAMP,
        h.max_timestamp,
        0,
    );
}

/// The 61-byte header of `batch` (records after it) with `h`'s offsets and producer
/// fields, then its CRC.
fn write_header(batch: &mut [u8], h: &BatchHeader, attrs: i16, base_ts: i64, max_ts: i64, n: i32) {
    use crate::record::batch::LOG_OVERHEAD;
    let length = (batch.len() - LOG_OVERHEAD) as i32;
    let mut w = Vec::with_capacity(61);
    w.extend_from_slice(&h.base_offset.to_be_bytes());
    w.extend_from_slice(&length.to_be_bytes());
    w.extend_from_slice(&h.partition_leader_epoch.to_be_bytes());
    w.push(crate::record::batch::MAGIC as u8);
    w.extend_from_slice(&[0; 4]); // CRC, below
    w.extend_from_slice(&attrs.to_be_bytes());
    w.extend_from_slice(&h.last_offset_delta.to_be_bytes());
    w.extend_from_slice(&base_ts.to_be_bytes());
    w.extend_from_slice(&max_ts.to_be_bytes());
    w.extend_from_slice(&h.producer_id.to_be_bytes());
    w.extend_from_slice(&h.producer_epoch.to_be_bytes());
    w.extend_from_slice(&h.base_sequence.to_be_bytes());
    w.extend_from_slice(&n.to_be_bytes());
    batch[..w.len()].copy_from_slice(&w);
    // CRC-32C from the attributes (byte 21) to the end.
    let crc = crc32c::crc32c(&batch[21..]);
    batch[17..21].copy_from_slice(&crc.to_be_bytes());
}
