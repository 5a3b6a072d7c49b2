//! Producer-state snapshot files, `<offset %020d>.snapshot`, in Kafka's exact format
//! (kafka-format.md §1; `storage/src/main/resources/message/ProducerSnapshot.json` and
//! `ProducerStateManager.writeSnapshot`/`readSnapshot`): version i16 = 1, CRC-32C u32 of
//! every byte from 6 to the end, entry count i32, then 46 bytes per producer — producerId
//! i64, epoch i16, lastSequence i32, lastOffset i64, offsetDelta i32, timestamp i64,
//! coordinatorEpoch i32, currentTxnFirstOffset i64. The name is the offset the state is
//! valid up to.
//!
//! Owns: encoding, a bounded streaming check of a file (every length, the count and the
//! CRC; what `dump` shows), atomic writes through the I/O seam, listing and deleting.
//!
//! Must not: decide when to snapshot or which snapshots to keep (the partition log does),
//! or trust a file: a bad snapshot is reported with where and why, never half-loaded.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::super::names::{self, SNAPSHOT_SUFFIX};
use super::super::{LogError, io, io_err};

/// The only snapshot version (`ProducerSnapshot.HIGHEST_SUPPORTED_VERSION`).
pub const SNAPSHOT_VERSION: i16 = 1;
/// Version, CRC and entry count.
pub const SNAPSHOT_HEADER_LEN: usize = 10;
/// Bytes per producer entry.
pub const SNAPSHOT_ENTRY_LEN: usize = 46;
/// The CRC covers the file from here (Kafka's `PRODUCER_ENTRIES_OFFSET`).
const CRC_FROM: usize = 6;
/// The largest snapshot loaded into memory (about 1.4 million producers); a larger file
/// is refused as corrupt before anything is allocated for it.
pub const MAX_SNAPSHOT_BYTES: u64 = 64 << 20;
/// Read-ahead of the streaming check.
const CHUNK: usize = SNAPSHOT_ENTRY_LEN * 1424;

/// One producer as a snapshot stores it (`ProducerSnapshot.ProducerEntry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotEntry {
    /// The producer id.
    pub producer_id: i64,
    /// Its current epoch.
    pub epoch: i16,
    /// Last sequence of its last batch (-1 when it has none).
    pub last_sequence: i32,
    /// Last offset of its last batch (-1 when it has none).
    pub last_offset: i64,
    /// lastOffsetDelta of its last batch (0 when none).
    pub offset_delta: i32,
    /// Its last timestamp (of its last batch or marker).
    pub timestamp: i64,
    /// Coordinator epoch of its last marker (-1 when none).
    pub coordinator_epoch: i32,
    /// First offset of its open transaction, -1 when none.
    pub current_txn_first_offset: i64,
}

impl SnapshotEntry {
    /// The entry's 46 bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.producer_id.to_be_bytes());
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(&self.last_sequence.to_be_bytes());
        out.extend_from_slice(&self.last_offset.to_be_bytes());
        out.extend_from_slice(&self.offset_delta.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.coordinator_epoch.to_be_bytes());
        out.extend_from_slice(&self.current_txn_first_offset.to_be_bytes());
    }

    /// Reads one entry from exactly 46 bytes.
    pub fn decode(b: &[u8; SNAPSHOT_ENTRY_LEN]) -> SnapshotEntry {
        let long = |at: usize| {
            let mut x = [0u8; 8];
            x.copy_from_slice(&b[at..at + 8]);
            i64::from_be_bytes(x)
        };
        let int = |at: usize| i32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        SnapshotEntry {
            producer_id: long(0),
            epoch: i16::from_be_bytes([b[8], b[9]]),
            last_sequence: int(10),
            last_offset: long(14),
            offset_delta: int(22),
            timestamp: long(26),
            coordinator_epoch: int(34),
            current_txn_first_offset: long(38),
        }
    }

    /// The first sequence of the last batch, as kafka-dump-log prints it
    /// (`BatchMetadata.firstSeq`); `None` when the entry has no batch.
    pub fn first_sequence(&self) -> Option<i32> {
        (self.last_offset >= 0)
            .then(|| super::decrement_sequence(self.last_sequence, self.offset_delta))
    }
}

/// The bytes of a snapshot holding `entries`, in the given order.
pub fn encode_snapshot(entries: &[SnapshotEntry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(SNAPSHOT_HEADER_LEN + entries.len() * SNAPSHOT_ENTRY_LEN);
    out.extend_from_slice(&SNAPSHOT_VERSION.to_be_bytes());
    out.extend_from_slice(&[0; 4]);
    // A count beyond i32 cannot be read back by Kafka; MAX_SNAPSHOT_BYTES keeps us far
    // below it, so saturating only guards against misuse.
    let count = i32::try_from(entries.len()).unwrap_or(i32::MAX);
    out.extend_from_slice(&count.to_be_bytes());
    for e in entries {
        e.encode(&mut out);
    }
    let crc = crc32c::crc32c(&out[CRC_FROM..]);
    out[2..6].copy_from_slice(&crc.to_be_bytes());
    out
}

/// Something wrong with a snapshot, with the byte it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("byte {position}: {reason}")]
pub struct SnapshotError {
    /// Byte position in the file.
    pub position: u64,
    /// What is wrong.
    pub reason: String,
}

/// What a check of a whole snapshot found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotCheck {
    /// The version field, when the file has one.
    pub version: Option<i16>,
    /// The stored CRC, when present.
    pub stored_crc: Option<u32>,
    /// The CRC of bytes 6.. (meaningful when `stored_crc` is set).
    pub computed_crc: u32,
    /// The entry-count field, when present.
    pub declared_entries: Option<i32>,
    /// Whole entries read.
    pub entries: u64,
    /// Problems, in file order except the CRC's, which is known only at the end.
    pub problems: Vec<SnapshotError>,
    /// Bytes after the last whole entry read: (position, count).
    pub trailing: Option<(u64, u64)>,
}

impl SnapshotCheck {
    /// The first reason the snapshot cannot be loaded, if any.
    pub fn first_problem(&self) -> Option<SnapshotError> {
        if let Some(p) = self.problems.first() {
            return Some(p.clone());
        }
        self.trailing.map(|(position, count)| SnapshotError {
            position,
            reason: format!("{count} bytes follow the last entry"),
        })
    }
}

/// Checks a snapshot of `len` bytes read through `read_at(buf, pos)` (which returns how
/// many bytes it read), handing each whole entry and its position to `visit`. Memory stays
/// at one chunk whatever `len` says.
pub fn scan_snapshot(
    len: u64,
    mut read_at: impl FnMut(&mut [u8], u64) -> std::io::Result<usize>,
    mut visit: impl FnMut(u64, SnapshotEntry),
) -> std::io::Result<SnapshotCheck> {
    let mut check = SnapshotCheck::default();
    let problem = |check: &mut SnapshotCheck, position: u64, reason: String| {
        check.problems.push(SnapshotError { position, reason });
    };
    let mut head = [0u8; SNAPSHOT_HEADER_LEN];
    let got = read_at(&mut head, 0)?;
    if len < SNAPSHOT_HEADER_LEN as u64 || got < SNAPSHOT_HEADER_LEN {
        problem(
            &mut check,
            0,
            format!(
                "the file is {len} bytes; a snapshot starts with {SNAPSHOT_HEADER_LEN} \
                 (version i16, CRC u32, entry count i32)"
            ),
        );
        if len > 0 {
            check.trailing = Some((0, len));
        }
        return Ok(check);
    }
    let version = i16::from_be_bytes([head[0], head[1]]);
    let stored = u32::from_be_bytes([head[2], head[3], head[4], head[5]]);
    let count = i32::from_be_bytes([head[6], head[7], head[8], head[9]]);
    check.version = Some(version);
    check.stored_crc = Some(stored);
    check.declared_entries = Some(count);
    if version != SNAPSHOT_VERSION {
        problem(
            &mut check,
            0,
            format!(
                "snapshot version {version} is not supported (Kafka writes version \
                 {SNAPSHOT_VERSION})"
            ),
        );
        return Ok(check);
    }
    let body = len - SNAPSHOT_HEADER_LEN as u64;
    let whole = body / SNAPSHOT_ENTRY_LEN as u64;
    if count < 0 {
        problem(
            &mut check,
            6,
            format!("the entry count {count} is negative"),
        );
    } else if whole < count as u64 {
        problem(
            &mut check,
            6,
            format!(
                "the file declares {count} entries ({} bytes) but {body} bytes follow the \
                 header",
                count as u64 * SNAPSHOT_ENTRY_LEN as u64
            ),
        );
    }
    if len > MAX_SNAPSHOT_BYTES {
        problem(
            &mut check,
            0,
            format!("the file is {len} bytes, more than the {MAX_SNAPSHOT_BYTES} filka reads"),
        );
        return Ok(check);
    }
    // Entries to read: the declared ones that are present (none for a negative count).
    let readable = whole.min(u64::try_from(count).unwrap_or(0));
    let mut crc = crc32c::crc32c(&head[CRC_FROM..]);
    let mut buf = vec![0u8; CHUNK];
    let mut pos = SNAPSHOT_HEADER_LEN as u64;
    let entries_end = pos + readable * SNAPSHOT_ENTRY_LEN as u64;
    while pos < len {
        let want = ((len - pos) as usize).min(CHUNK);
        let n = read_at(&mut buf[..want], pos)?;
        if n == 0 {
            // Shorter than its length said (changed under us): what was read is all.
            problem(
                &mut check,
                pos,
                format!("the file ends at byte {pos}, before its length {len}"),
            );
            return Ok(check);
        }
        crc = crc32c::crc32c_append(crc, &buf[..n]);
        let mut at = 0usize;
        while pos + (at + SNAPSHOT_ENTRY_LEN) as u64 <= entries_end.min(pos + n as u64) {
            let mut e = [0u8; SNAPSHOT_ENTRY_LEN];
            e.copy_from_slice(&buf[at..at + SNAPSHOT_ENTRY_LEN]);
            visit(pos + at as u64, SnapshotEntry::decode(&e));
            check.entries += 1;
            at += SNAPSHOT_ENTRY_LEN;
        }
        // Entries never straddle chunks: CHUNK is a multiple of the entry size and the
        // entries start right after the 10-byte header, which the first read skips.
        pos += n as u64;
    }
    if len > entries_end {
        check.trailing = Some((entries_end, len - entries_end));
    }
    check.computed_crc = crc;
    if crc != stored {
        problem(
            &mut check,
            2,
            format!(
                "CRC mismatch: stored {stored:#010x}, computed {crc:#010x} over bytes 6..{len}"
            ),
        );
    }
    Ok(check)
}

/// Checks snapshot bytes held in memory.
pub fn scan_snapshot_bytes(bytes: &[u8], visit: impl FnMut(u64, SnapshotEntry)) -> SnapshotCheck {
    let read = |buf: &mut [u8], pos: u64| {
        let from = usize::try_from(pos).unwrap_or(usize::MAX).min(bytes.len());
        let n = buf.len().min(bytes.len() - from);
        buf[..n].copy_from_slice(&bytes[from..from + n]);
        Ok(n)
    };
    // Reading from memory cannot fail.
    scan_snapshot(bytes.len() as u64, read, visit).unwrap_or_default()
}

/// Decodes snapshot bytes strictly: every length, the count and the CRC must be right and
/// nothing may follow the entries (Kafka ignores trailing bytes; nothing Kafka or filka
/// writes has any).
pub fn decode_snapshot(bytes: &[u8]) -> Result<Vec<SnapshotEntry>, SnapshotError> {
    let mut out = Vec::new();
    let check = scan_snapshot_bytes(bytes, |_, e| out.push(e));
    match check.first_problem() {
        Some(p) => Err(p),
        None => Ok(out),
    }
}

/// The path of the snapshot at `offset`.
pub fn snapshot_path(dir: &Path, offset: i64) -> PathBuf {
    names::segment_path(dir, offset, SNAPSHOT_SUFFIX)
}

/// Offsets of the snapshots in `dir`, ascending. Only `<20 digits>.snapshot` counts (a
/// `.snapshot.tmp` left by a crash is not a snapshot).
pub fn list_snapshots(dir: &Path) -> Result<Vec<i64>, LogError> {
    let mut out = Vec::new();
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io_err(dir, "list")(e)),
    };
    for entry in rd {
        let entry = entry.map_err(io_err(dir, "list"))?;
        let name = entry.file_name();
        if let Some((offset, SNAPSHOT_SUFFIX)) = name.to_str().and_then(names::parse_segment_name) {
            out.push(offset);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// Writes the snapshot at `offset` atomically (temp file, rename) through the I/O seam,
/// without fsync: a snapshot is a cache of what the log holds. One a power loss damaged
/// fails its CRC and is deleted at the next open, one above the recovered log end is
/// deleted too, and the state is rebuilt from the log either way; while two fsyncs per
/// snapshot were a fifth of a short produce run's time.
pub fn write_snapshot(
    dir: &Path,
    offset: i64,
    entries: &[SnapshotEntry],
) -> Result<PathBuf, LogError> {
    let path = snapshot_path(dir, offset);
    io::write_atomic_unsynced(&path, &encode_snapshot(entries)).map_err(io_err(&path, "write"))?;
    Ok(path)
}

/// Why a snapshot file could not be used.
#[derive(Debug)]
pub enum ReadSnapshotError {
    /// It is gone (deleted since it was listed).
    Missing,
    /// It is damaged.
    Bad(SnapshotError),
    /// Reading failed.
    Log(LogError),
}

/// Reads and strictly decodes the snapshot at `path`.
pub fn read_snapshot(path: &Path) -> Result<Vec<SnapshotEntry>, ReadSnapshotError> {
    let file: File = match io::open_read(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ReadSnapshotError::Missing);
        }
        Err(e) => return Err(ReadSnapshotError::Log(io_err(path, "open")(e))),
    };
    let len = io::len(&file).map_err(|e| ReadSnapshotError::Log(io_err(path, "stat")(e)))?;
    let mut out = Vec::new();
    let check = scan_snapshot(len, |b, p| io::read_at(&file, b, p), |_, e| out.push(e))
        .map_err(|e| ReadSnapshotError::Log(io_err(path, "read")(e)))?;
    match check.first_problem() {
        Some(p) => Err(ReadSnapshotError::Bad(p)),
        None => Ok(out),
    }
}

/// Deletes the snapshot at `offset` (a missing one is fine).
pub fn remove_snapshot(dir: &Path, offset: i64) -> Result<(), LogError> {
    let path = snapshot_path(dir, offset);
    io::remove_file(&path).map_err(io_err(&path, "remove"))
}

/// Deletes the temporary files a failed or killed writer left in a replica's folder:
/// `<offset>.snapshot.tmp` and the temp files of its `leader-epoch-checkpoint` and
/// `partition.metadata` ([`io::temp_path`]). Only filka's own temp names; the caller is the
/// folder's writer (it holds the partition's lock), so no write of them is in progress.
pub fn remove_temp_files(dir: &Path) -> Result<(), LogError> {
    let tmp_suffix = format!("{SNAPSHOT_SUFFIX}.tmp");
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(dir, "list")(e)),
    };
    for entry in rd {
        let entry = entry.map_err(io_err(dir, "list"))?;
        let name = entry.file_name();
        if name
            .to_str()
            .and_then(names::parse_segment_name)
            .is_some_and(|(_, s)| s == tmp_suffix)
        {
            let p = entry.path();
            io::remove_file(&p).map_err(io_err(&p, "remove"))?;
        }
    }
    for file in [names::LEADER_EPOCH_CHECKPOINT, names::PARTITION_METADATA] {
        let p = dir.join(file);
        io::remove_temp(&p).map_err(io_err(&io::temp_path(&p), "remove"))?;
    }
    Ok(())
}

/// Which snapshots to keep: the latest two, and for each of the last two segments the
/// newest at or below its base (so a truncation within them replays at most from that
/// segment's start). The rest, and any below the first segment or above the log end, go.
pub fn snapshots_to_delete(snapshots: &[i64], bases: &[i64], log_end: i64) -> Vec<i64> {
    let first = bases.first().copied().unwrap_or(i64::MIN);
    let valid: Vec<i64> = snapshots
        .iter()
        .copied()
        .filter(|&s| s >= first && s <= log_end)
        .collect();
    let mut keep: Vec<i64> = valid.iter().rev().take(2).copied().collect();
    for &base in bases.iter().rev().take(2) {
        if let Some(&s) = valid.iter().rev().find(|&&s| s <= base) {
            keep.push(s);
        }
    }
    snapshots
        .iter()
        .copied()
        .filter(|s| !keep.contains(s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_folders_own_temp_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ours = [
            "00000000000000000007.snapshot.tmp",
            "leader-epoch-checkpoint.tmp",
            "partition.metadata.tmp",
        ];
        let kept = [
            "leader-epoch-checkpoint",
            "00000000000000000007.snapshot",
            "notes.tmp",
            "00000000000000000000.log",
        ];
        for f in ours.iter().chain(&kept) {
            std::fs::write(d.join(f), b"x").unwrap();
        }
        remove_temp_files(d).unwrap();
        for f in ours {
            assert!(!d.join(f).exists(), "{f} left");
        }
        for f in kept {
            assert!(d.join(f).exists(), "{f} removed");
        }
    }
}
