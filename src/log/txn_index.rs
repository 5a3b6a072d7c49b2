//! The aborted-transaction index (`<base>.txnindex`, kafka-format.md §1): one 34-byte entry
//! per aborted transaction whose ABORT marker lies in the segment — version i16 (0),
//! producerId i64, firstOffset i64, lastOffset i64 (the marker's offset), lastStableOffset
//! i64 (the LSO when the marker was appended). Read-committed readers use it to skip the
//! records of aborted transactions.
//!
//! Owns: the entry codec, the writer's handle on one segment's index (created lazily at the
//! first entry, as Kafka's `TransactionIndex` does; truncated with the log; fsynced at each
//! change, since an abort is rare and a lost entry would show aborted records), and the
//! lock-free lookup across segments (Kafka's `LocalLog.collectAbortedTransactions`).
//!
//! Must not: decide which transactions are aborted (that is [`super::producer_state`]), or
//! trust the file: a partial trailing entry is ignored, lengths come from the file size.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use super::names::{self, TXN_INDEX_SUFFIX};
use super::{LogError, io, io_err};

/// Bytes per entry (Kafka's `AbortedTxn.TOTAL_SIZE`).
pub const TXN_ENTRY_LEN: usize = 34;
/// The only entry version Kafka writes (`AbortedTxn.CURRENT_VERSION`).
pub const TXN_ENTRY_VERSION: i16 = 0;
/// Entries read per chunk in lookups and truncation (the file is never read whole).
const ENTRIES_PER_READ: usize = 1024;

/// One aborted transaction (Kafka's `AbortedTxn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AbortedTxn {
    /// Entry version (0).
    pub version: i16,
    /// The producer that aborted.
    pub producer_id: i64,
    /// Offset of the transaction's first record.
    pub first_offset: i64,
    /// Offset of its ABORT marker.
    pub last_offset: i64,
    /// The last stable offset when the marker was written.
    pub last_stable_offset: i64,
}

impl AbortedTxn {
    /// The entry's 34 bytes, big-endian as Kafka's `AbortedTxn.toByteBuffer`.
    pub fn encode(&self) -> [u8; TXN_ENTRY_LEN] {
        let mut b = [0u8; TXN_ENTRY_LEN];
        b[0..2].copy_from_slice(&self.version.to_be_bytes());
        b[2..10].copy_from_slice(&self.producer_id.to_be_bytes());
        b[10..18].copy_from_slice(&self.first_offset.to_be_bytes());
        b[18..26].copy_from_slice(&self.last_offset.to_be_bytes());
        b[26..34].copy_from_slice(&self.last_stable_offset.to_be_bytes());
        b
    }

    /// Reads one entry; `None` when fewer than 34 bytes are given.
    pub fn decode(b: &[u8]) -> Option<AbortedTxn> {
        let b: &[u8; TXN_ENTRY_LEN] = b.get(..TXN_ENTRY_LEN)?.try_into().ok()?;
        let long = |at: usize| {
            let mut x = [0u8; 8];
            x.copy_from_slice(&b[at..at + 8]);
            i64::from_be_bytes(x)
        };
        Some(AbortedTxn {
            version: i16::from_be_bytes([b[0], b[1]]),
            producer_id: long(2),
            first_offset: long(10),
            last_offset: long(18),
            last_stable_offset: long(26),
        })
    }
}

/// The `.txnindex` path of the segment based at `base`.
pub fn txn_index_path(dir: &Path, base: i64) -> PathBuf {
    names::segment_path(dir, base, TXN_INDEX_SUFFIX)
}

/// Reads the entries of an index file in chunks and hands each (with its byte position) to
/// `f`, which returns false to stop. A missing file has no entries; a partial trailing
/// entry is skipped (a writer may be appending it right now). Returns the number of bytes
/// that form whole entries.
pub fn for_each_entry(
    path: &Path,
    mut f: impl FnMut(u64, AbortedTxn) -> bool,
) -> Result<u64, LogError> {
    let file = match io::open_read(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(io_err(path, "open")(e)),
    };
    let len = io::len(&file).map_err(io_err(path, "stat"))?;
    let whole = len - len % TXN_ENTRY_LEN as u64;
    let mut buf = vec![0u8; TXN_ENTRY_LEN * ENTRIES_PER_READ];
    let mut pos = 0u64;
    while pos < whole {
        let want = ((whole - pos) as usize).min(buf.len());
        let n = io::read_at(&file, &mut buf[..want], pos).map_err(io_err(path, "read"))?;
        let n = n - n % TXN_ENTRY_LEN;
        if n == 0 {
            // The file shrank under us (truncated by the writer): what was read is all.
            return Ok(pos);
        }
        for (i, chunk) in buf[..n].chunks_exact(TXN_ENTRY_LEN).enumerate() {
            let Some(txn) = AbortedTxn::decode(chunk) else {
                continue;
            };
            if !f(pos + (i * TXN_ENTRY_LEN) as u64, txn) {
                return Ok(whole);
            }
        }
        pos += n as u64;
    }
    Ok(whole)
}

/// Every entry of an index file (a missing file has none).
pub fn read_entries(path: &Path) -> Result<Vec<AbortedTxn>, LogError> {
    let mut out = Vec::new();
    for_each_entry(path, |_, t| {
        out.push(t);
        true
    })?;
    Ok(out)
}

/// The aborted transactions that overlap `[from, to)` (a read-committed fetch's range),
/// looked up without a lock: from the segment holding `from` onward, entries with
/// `last_offset >= from && first_offset < to`, stopping after a segment that holds an entry
/// whose last stable offset reaches `to` (no later entry can start below `to`), as Kafka's
/// `TransactionIndex.collectAbortedTxns` and `LocalLog.collectAbortedTransactions` do.
/// Segments at or above `to` may still have to be read: a transaction that began below
/// `to` can be aborted by a marker far above it. `bases` are the segment base offsets,
/// oldest first.
pub fn collect_aborted(
    dir: &Path,
    bases: &[i64],
    from: i64,
    to: i64,
) -> Result<Vec<AbortedTxn>, LogError> {
    let mut out = Vec::new();
    if from >= to {
        return Ok(out);
    }
    let start = bases.partition_point(|&b| b <= from).saturating_sub(1);
    for &base in bases.iter().skip(start) {
        let mut complete = false;
        for_each_entry(&txn_index_path(dir, base), |_, t| {
            if t.last_offset >= from && t.first_offset < to {
                out.push(t);
            }
            if t.last_stable_offset >= to {
                complete = true;
                return false;
            }
            true
        })?;
        if complete {
            break;
        }
    }
    Ok(out)
}

/// The writer's handle on one segment's `.txnindex`. The file is created at the first
/// entry: a segment with no abort has none, as in Kafka.
#[derive(Debug)]
pub struct TxnIndex {
    base_offset: i64,
    path: PathBuf,
    file: Option<File>,
    /// Bytes of whole entries in the file.
    len: u64,
    /// Marker offset of the last entry (entries must increase, as Kafka requires).
    last_offset: Option<i64>,
}

impl TxnIndex {
    /// Opens the index of the segment based at `base` in `dir` (nothing is created). A
    /// partial trailing entry (a torn append) is cut.
    pub fn open(dir: &Path, base: i64) -> Result<TxnIndex, LogError> {
        let path = txn_index_path(dir, base);
        let mut index = TxnIndex {
            base_offset: base,
            path,
            file: None,
            len: 0,
            last_offset: None,
        };
        if !index.path.exists() {
            return Ok(index);
        }
        let file = index.open_file()?;
        let len = io::len(&file).map_err(io_err(&index.path, "stat"))?;
        let whole = len - len % TXN_ENTRY_LEN as u64;
        if whole != len {
            io::set_len(&file, whole).map_err(io_err(&index.path, "truncate"))?;
        }
        if whole > 0 {
            let mut b = [0u8; TXN_ENTRY_LEN];
            io::read_exact_at(&file, &mut b, whole - TXN_ENTRY_LEN as u64)
                .map_err(io_err(&index.path, "read"))?;
            index.last_offset = AbortedTxn::decode(&b).map(|t| t.last_offset);
        }
        index.len = whole;
        index.file = Some(file);
        Ok(index)
    }

    fn open_file(&self) -> Result<File, LogError> {
        io::open(
            &self.path,
            OpenOptions::new().read(true).write(true).create(true),
        )
        .map_err(io_err(&self.path, "open"))
    }

    /// The segment's base offset.
    pub fn base_offset(&self) -> i64 {
        self.base_offset
    }
    /// The file's path (which may not exist yet).
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        (self.len / TXN_ENTRY_LEN as u64) as usize
    }
    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends one entry (creating the file if needed) and fsyncs it: an entry lost to a
    /// power cut would let a read-committed reader see aborted records when the marker's
    /// segment is below the recovery point and so never rebuilt. Marker offsets must
    /// increase (Kafka's `TransactionIndex.append` refuses otherwise).
    pub fn append(&mut self, txn: &AbortedTxn) -> Result<(), LogError> {
        if let Some(last) = self.last_offset
            && last >= txn.last_offset
        {
            return Err(LogError::Corrupt {
                path: self.path.clone(),
                detail: format!(
                    "aborted transaction with marker offset {} does not follow the index's \
                     last marker offset {last}",
                    txn.last_offset
                ),
            });
        }
        if self.file.is_none() {
            self.file = Some(self.open_file()?);
        }
        let Some(file) = self.file.as_ref() else {
            return Ok(());
        };
        let result = io::write_at(file, &txn.encode(), self.len)
            .and_then(|()| io::sync(file))
            .map_err(io_err(&self.path, "write"));
        if let Err(e) = result {
            // Best effort: drop a partial entry so the file stays whole entries.
            let _ = io::set_len(file, self.len);
            return Err(e);
        }
        self.len += TXN_ENTRY_LEN as u64;
        self.last_offset = Some(txn.last_offset);
        Ok(())
    }

    /// Removes every entry whose marker offset is `offset` or more (the log was cut
    /// there), as Kafka's `TransactionIndex.truncateTo`.
    pub fn truncate_to(&mut self, offset: i64) -> Result<(), LogError> {
        if self.last_offset.is_none_or(|l| l < offset) {
            return Ok(());
        }
        let mut cut = None;
        let mut last_kept = None;
        for_each_entry(&self.path, |pos, t| {
            if t.last_offset >= offset {
                cut = Some(pos);
                return false;
            }
            last_kept = Some(t.last_offset);
            true
        })?;
        let Some(cut) = cut else {
            return Ok(());
        };
        self.set_len(cut)?;
        self.last_offset = last_kept;
        Ok(())
    }

    /// Removes every entry (the segment is being rebuilt by recovery).
    pub fn reset(&mut self) -> Result<(), LogError> {
        if self.len > 0 || self.file.is_some() {
            self.set_len(0)?;
        }
        self.last_offset = None;
        Ok(())
    }

    fn set_len(&mut self, len: u64) -> Result<(), LogError> {
        if self.file.is_none() {
            if !self.path.exists() {
                return Ok(());
            }
            self.file = Some(self.open_file()?);
        }
        if let Some(file) = self.file.as_ref() {
            io::set_len(file, len).map_err(io_err(&self.path, "truncate"))?;
            // A cut entry that came back after a power loss could mark new records at the
            // same offsets as aborted.
            io::sync(file).map_err(io_err(&self.path, "fsync"))?;
        }
        self.len = len;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn txn(pid: i64, first: i64, last: i64, lso: i64) -> AbortedTxn {
        AbortedTxn {
            version: 0,
            producer_id: pid,
            first_offset: first,
            last_offset: last,
            last_stable_offset: lso,
        }
    }

    /// kafka-format.md §1: version i16, producerId, firstOffset, lastOffset,
    /// lastStableOffset, big-endian, 34 bytes; written here by hand.
    #[test]
    fn entry_bytes_are_kafkas() {
        let t = txn(1000, 5, 9, 10);
        let hex: String = t.encode().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "0000\
             00000000000003e8\
             0000000000000005\
             0000000000000009\
             000000000000000a"
        );
        assert_eq!(AbortedTxn::decode(&t.encode()), Some(t));
        assert_eq!(AbortedTxn::decode(&[0; 33]), None);
    }

    #[test]
    fn created_lazily_appended_and_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let mut idx = TxnIndex::open(dir.path(), 0).unwrap();
        assert!(!idx.path().exists(), "no file before the first abort");
        idx.truncate_to(0).unwrap();
        idx.reset().unwrap();
        assert!(!idx.path().exists());
        for (i, t) in [txn(1, 0, 3, 4), txn(2, 2, 6, 7), txn(1, 8, 9, 10)]
            .iter()
            .enumerate()
        {
            idx.append(t).unwrap();
            assert_eq!(idx.len(), i + 1);
        }
        assert_eq!(std::fs::metadata(idx.path()).unwrap().len(), 3 * 34);
        // Marker offsets must increase.
        assert!(idx.append(&txn(3, 0, 9, 10)).is_err());
        idx.truncate_to(7).unwrap();
        assert_eq!(
            read_entries(idx.path()).unwrap(),
            [txn(1, 0, 3, 4), txn(2, 2, 6, 7)]
        );
        idx.truncate_to(6).unwrap();
        assert_eq!(read_entries(idx.path()).unwrap(), [txn(1, 0, 3, 4)]);
        idx.append(&txn(4, 5, 6, 7)).unwrap();
        // Reopening finds the last marker offset and cuts a torn entry.
        let mut raw = std::fs::read(idx.path()).unwrap();
        raw.extend_from_slice(&[0xff; 10]);
        std::fs::write(idx.path(), &raw).unwrap();
        let mut again = TxnIndex::open(dir.path(), 0).unwrap();
        assert_eq!(again.len(), 2);
        assert!(again.append(&txn(5, 0, 6, 7)).is_err());
        again.append(&txn(5, 0, 7, 8)).unwrap();
        assert_eq!(read_entries(again.path()).unwrap().len(), 3);
    }

    #[test]
    fn lookup_spans_segments_until_the_lso_covers_the_range() {
        let dir = tempfile::tempdir().unwrap();
        // Segment 0: a txn 0..=3 aborted; segment 10: txn 5..=12 (began in segment 0),
        // txn 13..=15; segment 20: txn 21..=22.
        let mut a = TxnIndex::open(dir.path(), 0).unwrap();
        a.append(&txn(1, 0, 3, 4)).unwrap();
        let mut b = TxnIndex::open(dir.path(), 10).unwrap();
        b.append(&txn(2, 5, 12, 13)).unwrap();
        b.append(&txn(3, 13, 15, 16)).unwrap();
        let mut c = TxnIndex::open(dir.path(), 20).unwrap();
        c.append(&txn(4, 21, 22, 23)).unwrap();
        let bases = [0, 10, 20];
        let find = |from, to| {
            collect_aborted(dir.path(), &bases, from, to)
                .unwrap()
                .iter()
                .map(|t| t.producer_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(find(0, 4), [1]);
        // Offsets 6..9 lie in segment 0, but their transaction's marker is in segment 10.
        assert_eq!(find(6, 9), [2]);
        assert_eq!(find(0, 30), [1, 2, 3, 4]);
        assert_eq!(find(4, 5), Vec::<i64>::new());
        assert_eq!(find(14, 22), [3, 4]);
        assert_eq!(find(16, 21), Vec::<i64>::new());
        assert_eq!(find(5, 5), Vec::<i64>::new());
        // Segment 20 is not read for a range ending at 13: the LSO 13 entry completes it.
        std::fs::write(txn_index_path(dir.path(), 20), [0xff; 34]).unwrap();
        assert_eq!(find(0, 13), [1, 2]);
    }

    #[test]
    fn hostile_files_do_not_panic() {
        let dir = tempfile::tempdir().unwrap();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..200usize {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            std::fs::write(txn_index_path(dir.path(), 0), &bytes).unwrap();
            let n = read_entries(&txn_index_path(dir.path(), 0)).unwrap().len();
            assert_eq!(n, len / 34);
            let _ = collect_aborted(dir.path(), &[0], i64::MIN, i64::MAX).unwrap();
            let mut idx = TxnIndex::open(dir.path(), 0).unwrap();
            let _ = idx.truncate_to(seed as i64);
        }
    }
}
