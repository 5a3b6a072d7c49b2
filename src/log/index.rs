//! The two sparse indexes of a segment (kafka-format.md §4): `.index` (8-byte entries:
//! relative offset i32, position i32) and `.timeindex` (12-byte entries: timestamp i64,
//! relative offset i32). Files are always written at their exact size (never preallocated),
//! one entry appended at a time, so a file of N bytes holds N / entry-size entries.
//!
//! Which batches get entries is decided by [`super::segment`]; this module only stores,
//! loads, searches and truncates them.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use super::io;

/// Bytes per offset-index entry.
pub const OFFSET_ENTRY_LEN: usize = 8;
/// Bytes per time-index entry.
pub const TIME_ENTRY_LEN: usize = 12;

/// One `.index` entry with its offset made absolute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetEntry {
    /// Absolute offset (base + relative). Kafka points a batch's last offset here.
    pub offset: i64,
    /// Byte position of the batch start in the `.log`.
    pub position: u32,
}

/// One `.timeindex` entry with its offset made absolute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeEntry {
    /// Largest timestamp seen in the segment up to this entry.
    pub timestamp: i64,
    /// Absolute offset of the record (batch) that had it.
    pub offset: i64,
}

/// What parsing an index file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<T> {
    /// Entries, up to zero padding (a later entry at the base offset) if any.
    pub entries: Vec<T>,
    /// Bytes at the end that do not form a whole entry.
    pub trailing: usize,
    /// Bytes of zero padding after the entries (a preallocated Kafka index).
    pub padding: usize,
}

/// Parses `.index` bytes of a segment based at `base`. Like kafka-dump-log, stops at a later
/// entry whose offset equals the base offset (the zero padding of a preallocated file).
pub fn parse_offset_index(bytes: &[u8], base: i64) -> Parsed<OffsetEntry> {
    let mut entries = Vec::with_capacity(bytes.len() / OFFSET_ENTRY_LEN);
    let whole = bytes.len() / OFFSET_ENTRY_LEN * OFFSET_ENTRY_LEN;
    for (i, e) in bytes[..whole].chunks_exact(OFFSET_ENTRY_LEN).enumerate() {
        let rel = i32::from_be_bytes([e[0], e[1], e[2], e[3]]);
        let position = u32::from_be_bytes([e[4], e[5], e[6], e[7]]);
        if i > 0 && rel == 0 {
            return Parsed {
                entries,
                trailing: bytes.len() - whole,
                padding: whole - i * OFFSET_ENTRY_LEN,
            };
        }
        entries.push(OffsetEntry {
            offset: base.wrapping_add(i64::from(rel)),
            position,
        });
    }
    Parsed {
        entries,
        trailing: bytes.len() - whole,
        padding: 0,
    }
}

/// Parses `.timeindex` bytes of a segment based at `base`, stopping at zero padding.
pub fn parse_time_index(bytes: &[u8], base: i64) -> Parsed<TimeEntry> {
    let mut entries = Vec::with_capacity(bytes.len() / TIME_ENTRY_LEN);
    let whole = bytes.len() / TIME_ENTRY_LEN * TIME_ENTRY_LEN;
    for (i, e) in bytes[..whole].chunks_exact(TIME_ENTRY_LEN).enumerate() {
        let mut ts = [0u8; 8];
        ts.copy_from_slice(&e[..8]);
        let timestamp = i64::from_be_bytes(ts);
        let rel = i32::from_be_bytes([e[8], e[9], e[10], e[11]]);
        if i > 0 && rel == 0 && timestamp == 0 {
            return Parsed {
                entries,
                trailing: bytes.len() - whole,
                padding: whole - i * TIME_ENTRY_LEN,
            };
        }
        entries.push(TimeEntry {
            timestamp,
            offset: base.wrapping_add(i64::from(rel)),
        });
    }
    Parsed {
        entries,
        trailing: bytes.len() - whole,
        padding: 0,
    }
}

/// Encodes one offset entry relative to `base`.
pub fn encode_offset_entry(base: i64, e: OffsetEntry) -> [u8; OFFSET_ENTRY_LEN] {
    let mut out = [0u8; OFFSET_ENTRY_LEN];
    out[..4].copy_from_slice(&((e.offset - base) as i32).to_be_bytes());
    out[4..].copy_from_slice(&e.position.to_be_bytes());
    out
}

/// Encodes one time entry relative to `base`.
pub fn encode_time_entry(base: i64, e: TimeEntry) -> [u8; TIME_ENTRY_LEN] {
    let mut out = [0u8; TIME_ENTRY_LEN];
    out[..8].copy_from_slice(&e.timestamp.to_be_bytes());
    out[8..].copy_from_slice(&((e.offset - base) as i32).to_be_bytes());
    out
}

/// Largest offset entry at or below `target`; `None` when every entry is above it.
pub fn lookup_offset(entries: &[OffsetEntry], target: i64) -> Option<OffsetEntry> {
    let n = entries.partition_point(|e| e.offset <= target);
    n.checked_sub(1).map(|i| entries[i])
}

/// Largest time entry with timestamp at or below `ts`; `None` when every entry is above it.
pub fn lookup_time(entries: &[TimeEntry], ts: i64) -> Option<TimeEntry> {
    let n = entries.partition_point(|e| e.timestamp <= ts);
    n.checked_sub(1).map(|i| entries[i])
}

/// True when entries strictly increase in both fields, as Kafka requires.
pub fn offsets_increase(entries: &[OffsetEntry]) -> bool {
    entries
        .windows(2)
        .all(|w| w[0].offset < w[1].offset && w[0].position < w[1].position)
}

/// True when timestamps and offsets never decrease.
pub fn times_increase(entries: &[TimeEntry]) -> bool {
    entries
        .windows(2)
        .all(|w| w[0].timestamp <= w[1].timestamp && w[0].offset <= w[1].offset)
}

/// An index file being written: its entries in memory and the file they are appended to.
#[derive(Debug)]
pub struct IndexFile<T> {
    path: PathBuf,
    file: File,
    base: i64,
    entries: Vec<T>,
}

/// The entry types an [`IndexFile`] can hold.
pub trait Entry: Copy {
    /// Bytes per entry.
    const LEN: usize;
    /// Encodes relative to `base`.
    fn encode(self, base: i64, out: &mut Vec<u8>);
    /// The entry's absolute offset.
    fn offset(&self) -> i64;
}

impl Entry for OffsetEntry {
    const LEN: usize = OFFSET_ENTRY_LEN;
    fn encode(self, base: i64, out: &mut Vec<u8>) {
        out.extend_from_slice(&encode_offset_entry(base, self));
    }
    fn offset(&self) -> i64 {
        self.offset
    }
}

impl Entry for TimeEntry {
    const LEN: usize = TIME_ENTRY_LEN;
    fn encode(self, base: i64, out: &mut Vec<u8>) {
        out.extend_from_slice(&encode_time_entry(base, self));
    }
    fn offset(&self) -> i64 {
        self.offset
    }
}

impl<T: Entry> IndexFile<T> {
    /// Opens `path` for appending with `entries` already in it (as loaded or rebuilt).
    /// When `rewrite` is set the file is replaced by exactly these entries.
    pub fn open(path: &Path, base: i64, entries: Vec<T>, rewrite: bool) -> std::io::Result<Self> {
        let mut file = io::open(path, OpenOptions::new().read(true).write(true).create(true))?;
        let want = (entries.len() * T::LEN) as u64;
        if rewrite || io::len(&file)? != want {
            let mut buf = Vec::with_capacity(want as usize);
            for e in &entries {
                e.encode(base, &mut buf);
            }
            io::set_len(&file, 0)?;
            io::write_at(&file, &buf, 0)?;
        }
        io::seek_end(&mut file)?;
        Ok(IndexFile {
            path: path.to_path_buf(),
            file,
            base,
            entries,
        })
    }

    /// The entries.
    pub fn entries(&self) -> &[T] {
        &self.entries
    }

    /// The last entry.
    pub fn last(&self) -> Option<T> {
        self.entries.last().copied()
    }

    /// Appends one entry to the file and to memory.
    pub fn append(&mut self, e: T) -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(T::LEN);
        e.encode(self.base, &mut buf);
        io::append(&mut self.file, &buf)?;
        self.entries.push(e);
        Ok(())
    }

    /// Appends several entries with one write.
    pub fn append_many(&mut self, entries: &[T]) -> std::io::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::with_capacity(T::LEN * entries.len());
        for e in entries {
            e.encode(self.base, &mut buf);
        }
        io::append(&mut self.file, &buf)?;
        self.entries.extend_from_slice(entries);
        Ok(())
    }

    /// Drops entries whose offset is `offset` or more.
    pub fn truncate_from(&mut self, offset: i64) -> std::io::Result<()> {
        let keep = self.entries.partition_point(|e| e.offset() < offset);
        self.entries.truncate(keep);
        io::set_len(&self.file, (keep * T::LEN) as u64)?;
        io::seek_end(&mut self.file)?;
        Ok(())
    }

    /// fsync.
    pub fn sync(&self) -> std::io::Result<()> {
        io::sync(&self.file)
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_take_the_largest_entry_at_or_below() {
        let e = |offset, position| OffsetEntry { offset, position };
        let entries = [e(103, 4410), e(106, 8820)];
        assert_eq!(lookup_offset(&entries, 100), None);
        assert_eq!(lookup_offset(&entries, 103), Some(e(103, 4410)));
        assert_eq!(lookup_offset(&entries, 105), Some(e(103, 4410)));
        assert_eq!(lookup_offset(&entries, 999), Some(e(106, 8820)));
        let t = |timestamp, offset| TimeEntry { timestamp, offset };
        let times = [t(10, 3), t(20, 6), t(30, 7)];
        assert_eq!(lookup_time(&times, 5), None);
        assert_eq!(lookup_time(&times, 25), Some(t(20, 6)));
    }

    #[test]
    fn zero_padding_ends_the_entries() {
        let mut bytes = encode_offset_entry(
            100,
            OffsetEntry {
                offset: 103,
                position: 4410,
            },
        )
        .to_vec();
        bytes.extend_from_slice(&[0; 16]);
        let p = parse_offset_index(&bytes, 100);
        assert_eq!(p.entries.len(), 1);
        assert_eq!(p.padding, 16);
        bytes.push(1);
        assert_eq!(parse_offset_index(&bytes, 100).trailing, 1);
    }

    /// Regression: a segment named with a base offset near i64::MAX (e.g.
    /// 09223372036854775807.index) made `base + relative` overflow and panic in debug builds.
    #[test]
    fn huge_base_offsets_wrap_instead_of_panicking() {
        let p = parse_offset_index(&[0, 0, 0, 5, 0, 0, 0, 16], i64::MAX);
        assert_eq!(p.entries[0].offset, i64::MAX.wrapping_add(5));
        let t = parse_time_index(&[0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1], i64::MAX);
        assert_eq!(t.entries[0].offset, i64::MIN);
    }

    /// kafka-format.md §9.5: the .index and .timeindex bytes of the 8-batch example.
    #[test]
    fn example_entries_encode_like_kafka() {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let a = encode_offset_entry(
            0,
            OffsetEntry {
                offset: 3,
                position: 4410,
            },
        );
        assert_eq!(hex(&a), "000000030000113a");
        let t = encode_time_entry(
            0,
            TimeEntry {
                timestamp: 1_700_000_003_000,
                offset: 3,
            },
        );
        assert_eq!(hex(&t), "0000018bcfe573b800000003");
    }
}
