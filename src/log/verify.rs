//! A deep, read-only check of a `.log` file: every batch's framing and CRC, every record,
//! offsets that continue from batch to batch, and leader epochs that never decrease and
//! agree with the partition's leader-epoch history. Used by `dump --verify` and by tests;
//! it never repairs anything.

use std::path::Path;

use crate::record::batch::MAX_BATCH_BYTES;

use super::checkpoint::EpochEntry;
use super::stream::{BatchOrder, BatchStream, ScanStop};
use super::{LogError, io, io_err};

/// One problem found, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Byte position of the batch.
    pub position: u64,
    /// The batch's base offset as read.
    pub offset: i64,
    /// What is wrong.
    pub detail: String,
}

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verified {
    /// Valid batches read before the first problem that stops the walk.
    pub batches: u64,
    /// Records in them.
    pub records: u64,
    /// Bytes covered by valid batches from the start.
    pub valid_bytes: u64,
    /// Everything wrong (the walk stops at framing errors; others are collected).
    pub problems: Vec<Problem>,
}

/// What a segment is expected to hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expect<'a> {
    /// The segment's base offset (from its file name): the first batch must start there.
    pub base_offset: Option<i64>,
    /// Offsets must be dense from batch to batch (false for compacted topics).
    pub contiguous: bool,
    /// The partition's leader-epoch history.
    pub epochs: Option<&'a [EpochEntry]>,
}

/// The epoch a batch at `offset` must carry according to the history.
fn epoch_at(epochs: &[EpochEntry], offset: i64) -> Option<i32> {
    let i = epochs.partition_point(|e| e.start_offset <= offset);
    i.checked_sub(1).map(|i| epochs[i].epoch)
}

/// Verifies the `.log` at `path`.
pub fn verify_log(path: &Path, expect: Expect<'_>) -> Result<Verified, LogError> {
    let file = io::open_read(path).map_err(io_err(path, "open"))?;
    let len = io::len(&file).map_err(io_err(path, "stat"))?;
    let mut out = Verified::default();
    let mut stream = BatchStream::new(&file, 0, len, MAX_BATCH_BYTES);
    let mut expected_next = expect.base_offset;
    // The log's rules, as every reader holds batches to them; without a known segment base
    // the first batch's offset stands for it.
    let mut order = expect.base_offset.map(BatchOrder::new);
    loop {
        let batch = match stream.next() {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(ScanStop::Io(e)) => return Err(io_err(path, "read")(e)),
            Err(ScanStop::Torn {
                position,
                have,
                need,
            }) => {
                out.problems.push(Problem {
                    position,
                    offset: -1,
                    detail: format!("incomplete batch: {have} of {need} bytes present"),
                });
                break;
            }
            Err(e @ (ScanStop::OffsetGap { .. } | ScanStop::Disorder(_))) => {
                out.problems.push(Problem {
                    position: stream.position(),
                    offset: -1,
                    detail: e.to_string(),
                });
                break;
            }
            Err(ScanStop::Corrupt(e)) => {
                out.problems.push(Problem {
                    position: e.position,
                    offset: e.base_offset,
                    detail: e.kind.to_string(),
                });
                break;
            }
        };
        let h = *batch.header();
        let problem = |detail: String| Problem {
            position: batch.position(),
            offset: h.base_offset,
            detail,
        };
        if let Err(e) = batch.verify_crc() {
            out.problems.push(problem(e.kind.to_string()));
            break;
        }
        let mut records = 0u64;
        let mut last_record_offset = h.base_offset - 1;
        match batch.records_data() {
            Ok(data) => match batch.records(&data) {
                Ok(iter) => {
                    for r in iter {
                        match r {
                            Ok(r) => {
                                if r.offset <= last_record_offset || r.offset > h.last_offset() {
                                    out.problems.push(problem(format!(
                                        "record offset {} out of order or past the last \
                                         offset {}",
                                        r.offset,
                                        h.last_offset()
                                    )));
                                }
                                last_record_offset = r.offset;
                                records += 1;
                            }
                            Err(e) => out.problems.push(problem(e.kind.to_string())),
                        }
                    }
                }
                Err(e) => out.problems.push(problem(e.kind.to_string())),
            },
            Err(e) => out.problems.push(problem(e.kind.to_string())),
        }
        let order = order.get_or_insert_with(|| BatchOrder::new(h.base_offset));
        if let Err(e) = order.check_offsets(&h, batch.position()) {
            out.problems.push(problem(e.to_string()));
        } else if let Some(want) = expected_next
            && expect.contiguous
            && h.base_offset != want
        {
            out.problems.push(problem(format!(
                "base offset {} does not follow the previous batch (expected {want})",
                h.base_offset
            )));
        }
        if let Err(e) = order.check_epoch(&h, batch.position()) {
            out.problems.push(problem(e.to_string()));
        }
        order.advance(&h);
        if let Some(epochs) = expect.epochs
            && epoch_at(epochs, h.base_offset) != Some(h.partition_leader_epoch)
        {
            out.problems.push(problem(format!(
                "leader epoch {} does not match the leader-epoch-checkpoint ({})",
                h.partition_leader_epoch,
                epoch_at(epochs, h.base_offset).map_or("none".into(), |e| e.to_string())
            )));
        }
        expected_next = Some(h.next_offset());
        out.batches += 1;
        out.records += records;
        out.valid_bytes = batch.position() + h.size() as u64;
    }
    Ok(out)
}
