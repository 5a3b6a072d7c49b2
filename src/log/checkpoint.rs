//! Kafka's small text files, byte for byte (kafka-format.md §1): the per-log-dir offset
//! checkpoints (`recovery-point-offset-checkpoint`, `replication-offset-checkpoint`,
//! `log-start-offset-checkpoint`), the per-partition `leader-epoch-checkpoint`, and
//! `partition.metadata`. All are written atomically (temp file, fsync, rename, fsync dir).

use std::collections::BTreeMap;
use std::path::Path;

use super::{LogError, io};

/// Checkpoint entries keyed by (topic, partition).
pub type OffsetMap = BTreeMap<(String, u32), i64>;

fn invalid(path: &Path, line: usize, reason: &str) -> LogError {
    LogError::BadCheckpoint {
        path: path.to_path_buf(),
        line,
        reason: reason.to_string(),
    }
}

/// Splits `0\n<count>\n<lines>` into its entry lines, checking version and count.
fn entry_lines<'a>(path: &Path, text: &'a str) -> Result<Vec<&'a str>, LogError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let mut lines = text.lines();
    match lines.next().map(str::trim) {
        Some("0") => {}
        _ => return Err(invalid(path, 1, "version is not 0")),
    }
    let count: usize = lines
        .next()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| invalid(path, 2, "entry count is not a number"))?;
    let entries: Vec<&str> = lines.collect();
    if entries.len() != count {
        return Err(invalid(
            path,
            2,
            "entry count does not match the lines that follow",
        ));
    }
    Ok(entries)
}

/// Refuses a checkpoint that is a symbolic link, or lies in a folder (a broker's or a
/// replica's) that is one: reading it would read elsewhere, and writing it (a rename over
/// it) would put the file elsewhere or silently replace the link.
fn guard(path: &Path) -> Result<(), LogError> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        io::check_not_symlink(dir).map_err(|e| LogError::io(dir, "check", e))?;
    }
    io::check_not_symlink(path).map_err(|e| LogError::io(path, "check", e))
}

fn read_text(path: &Path) -> Result<Option<String>, LogError> {
    guard(path)?;
    match io::read_file(path) {
        Ok(b) => String::from_utf8(b)
            .map(Some)
            .map_err(|_| invalid(path, 0, "not UTF-8")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(LogError::io(path, "read", source)),
    }
}

fn write_text(path: &Path, text: &str) -> Result<(), LogError> {
    guard(path)?;
    io::write_atomic(path, text.as_bytes()).map_err(|source| LogError::io(path, "write", source))
}

/// Reads an offset checkpoint; a missing or empty file is an empty map.
pub fn read_offsets(path: &Path) -> Result<OffsetMap, LogError> {
    let Some(text) = read_text(path)? else {
        return Ok(OffsetMap::new());
    };
    let mut out = OffsetMap::new();
    for (i, line) in entry_lines(path, &text)?.into_iter().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [topic, p, off] = f[..] else {
            return Err(invalid(path, i + 3, "expected: topic partition offset"));
        };
        let p = p
            .parse()
            .map_err(|_| invalid(path, i + 3, "bad partition"))?;
        let off = off
            .parse()
            .map_err(|_| invalid(path, i + 3, "bad offset"))?;
        out.insert((topic.to_string(), p), off);
    }
    Ok(out)
}

/// The text of an offset checkpoint.
pub fn format_offsets(map: &OffsetMap) -> String {
    let mut s = format!("0\n{}\n", map.len());
    for ((t, p), o) in map {
        s.push_str(&format!("{t} {p} {o}\n"));
    }
    s
}

/// Writes an offset checkpoint atomically.
pub fn write_offsets(path: &Path, map: &OffsetMap) -> Result<(), LogError> {
    write_text(path, &format_offsets(map))
}

/// [`write_offsets`] without the fsyncs: replaced atomically for every reader, but a power
/// loss may leave the old file or an empty one (read as no entries, as Kafka reads it). For
/// a checkpoint that only lags what the logs hold (the high watermark one).
pub fn write_offsets_unsynced(path: &Path, map: &OffsetMap) -> Result<(), LogError> {
    write_new_replica_file(path, &format_offsets(map))
}

/// One leader epoch and the first offset written in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochEntry {
    /// The leader epoch.
    pub epoch: i32,
    /// First offset of that epoch.
    pub start_offset: i64,
}

/// Reads a `leader-epoch-checkpoint`; missing means no history.
pub fn read_epochs(path: &Path) -> Result<Vec<EpochEntry>, LogError> {
    let Some(text) = read_text(path)? else {
        return Ok(Vec::new());
    };
    let mut out: Vec<EpochEntry> = Vec::new();
    for (i, line) in entry_lines(path, &text)?.into_iter().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [e, o] = f[..] else {
            return Err(invalid(path, i + 3, "expected: epoch startOffset"));
        };
        let entry = EpochEntry {
            epoch: e.parse().map_err(|_| invalid(path, i + 3, "bad epoch"))?,
            start_offset: o.parse().map_err(|_| invalid(path, i + 3, "bad offset"))?,
        };
        if out
            .last()
            .is_some_and(|l| l.epoch >= entry.epoch || l.start_offset > entry.start_offset)
        {
            return Err(invalid(path, i + 3, "epochs and offsets must increase"));
        }
        out.push(entry);
    }
    Ok(out)
}

/// The text of a `leader-epoch-checkpoint`.
pub fn format_epochs(entries: &[EpochEntry]) -> String {
    let mut s = format!("0\n{}\n", entries.len());
    for e in entries {
        s.push_str(&format!("{} {}\n", e.epoch, e.start_offset));
    }
    s
}

/// Writes a `leader-epoch-checkpoint` atomically.
pub fn write_epochs(path: &Path, entries: &[EpochEntry]) -> Result<(), LogError> {
    write_text(path, &format_epochs(entries))
}

pub use crate::record::uuid::Uuid;

/// The exact bytes of `partition.metadata` (no trailing newline).
pub fn format_partition_metadata(topic_id: Uuid) -> String {
    format!("version: 0\ntopic_id: {topic_id}")
}

/// Writes `partition.metadata` atomically.
pub fn write_partition_metadata(path: &Path, topic_id: Uuid) -> Result<(), LogError> {
    write_text(path, &format_partition_metadata(topic_id))
}

/// Writes a new replica's `partition.metadata` or empty `leader-epoch-checkpoint` without
/// fsync (io::write_atomic_unsynced): both can be made again from the cluster's metadata
/// if a power loss takes them, and a topic of 50 partitions × 3 replicas would otherwise
/// cost hundreds of fsyncs to create.
pub fn write_new_replica_file(path: &Path, text: &str) -> Result<(), LogError> {
    guard(path)?;
    io::write_atomic_unsynced(path, text.as_bytes())
        .map_err(|source| LogError::io(path, "write", source))
}

/// Reads the topic id from `partition.metadata`; `None` when the file is missing.
pub fn read_partition_metadata(path: &Path) -> Result<Option<Uuid>, LogError> {
    let Some(text) = read_text(path)? else {
        return Ok(None);
    };
    let mut lines = text.lines();
    if lines.next() != Some("version: 0") {
        return Err(invalid(path, 1, "expected `version: 0`"));
    }
    let id = lines
        .next()
        .and_then(|l| l.strip_prefix("topic_id: "))
        .and_then(Uuid::from_base64)
        .filter(|u| u.0 != [0; 16])
        .ok_or_else(|| invalid(path, 2, "expected `topic_id: <22-char id>`"))?;
    Ok(Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_checkpoint_is_kafkas_text() {
        let mut m = OffsetMap::new();
        m.insert(("demo".into(), 0), 2);
        m.insert(("__consumer_offsets".into(), 12), 1);
        let text = format_offsets(&m);
        assert_eq!(text, "0\n2\n__consumer_offsets 12 1\ndemo 0 2\n");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("replication-offset-checkpoint");
        write_offsets(&p, &m).unwrap();
        assert_eq!(read_offsets(&p).unwrap(), m);
        assert_eq!(format_offsets(&OffsetMap::new()), "0\n0\n");
        std::fs::write(&p, "").unwrap();
        assert!(read_offsets(&p).unwrap().is_empty());
        std::fs::write(&p, "1\n0\n").unwrap();
        assert!(read_offsets(&p).is_err());
        std::fs::write(&p, "0\n2\ndemo 0 1\n").unwrap();
        assert!(read_offsets(&p).is_err());
    }

    #[test]
    fn epochs_checkpoint() {
        let e = [
            EpochEntry {
                epoch: 0,
                start_offset: 0,
            },
            EpochEntry {
                epoch: 3,
                start_offset: 150,
            },
        ];
        assert_eq!(format_epochs(&e), "0\n2\n0 0\n3 150\n");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("leader-epoch-checkpoint");
        write_epochs(&p, &e).unwrap();
        assert_eq!(read_epochs(&p).unwrap(), e);
    }

    /// kafka-format.md §1: msb 0x0123456789abcdef, lsb 0x0fedcba987654321.
    #[test]
    fn partition_metadata_matches_kafka() {
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&0x0123_4567_89ab_cdefu64.to_be_bytes());
        id[8..].copy_from_slice(&0x0fed_cba9_8765_4321u64.to_be_bytes());
        assert_eq!(
            format_partition_metadata(Uuid(id)),
            "version: 0\ntopic_id: ASNFZ4mrze8P7cuph2VDIQ"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("partition.metadata");
        write_partition_metadata(&p, Uuid(id)).unwrap();
        assert_eq!(read_partition_metadata(&p).unwrap(), Some(Uuid(id)));
    }
}
