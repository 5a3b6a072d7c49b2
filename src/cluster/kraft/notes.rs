//! `metadata-notes.jsonl` at the cluster's root: what filka knows of the metadata log's
//! records that Kafka has no field for (why a partition changed: "leader 101 went down"),
//! one JSON line per note, keyed by the record's offset. Written after the records are
//! committed, so a note never names a record that was taken back; a note lost to a crash
//! only leaves its record without a reason. Read by `describe history`.
//!
//! Must not: take locks (the controller lock is held to write), or print.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cluster::{ClusterError, io_err};

/// The notes file's name, at the cluster's root.
pub const NOTES_FILE: &str = "metadata-notes.jsonl";

/// One note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The offset of the record it is about.
    pub offset: i64,
    /// What it says.
    pub text: String,
}

/// Appends notes (one write, then fsync).
pub fn append(root: &Path, notes: &[Note]) -> Result<(), ClusterError> {
    if notes.is_empty() {
        return Ok(());
    }
    let path = root.join(NOTES_FILE);
    let mut f = crate::log::io::open(
        &path,
        std::fs::OpenOptions::new()
            .read(true)
            .create(true)
            .append(true),
    )
    .map_err(io_err(&path))?;
    let len = crate::log::io::len(&f).map_err(io_err(&path))?;
    let mut text = Vec::new();
    // A line a crash tore stays on its own, unparsed, rather than swallowing the next.
    let mut last = [b'\n'];
    if len > 0 {
        crate::log::io::read_exact_at(&f, &mut last, len - 1).map_err(io_err(&path))?;
    }
    if last[0] != b'\n' {
        text.push(b'\n');
    }
    for n in notes {
        // Strings and integers always serialize.
        serde_json::to_writer(&mut text, n).unwrap_or_default();
        text.push(b'\n');
    }
    f.write_all(&text).map_err(io_err(&path))?;
    crate::log::io::sync(&f).map_err(io_err(&path))
}

/// Every note by offset (a later note of an offset replaces an earlier one). A missing file
/// is no notes; a line that does not parse (torn by a crash) is skipped.
pub fn read(root: &Path) -> Result<BTreeMap<i64, String>, ClusterError> {
    let path = root.join(NOTES_FILE);
    let bytes = match crate::log::io::read_file(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(io_err(&path)(e)),
    };
    Ok(bytes
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice::<Note>(line).ok())
        .map(|n| (n.offset, n.text))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_append_and_read_back_skipping_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).unwrap().is_empty());
        append(
            dir.path(),
            &[
                Note {
                    offset: 4,
                    text: "leader 101 went down".into(),
                },
                Note {
                    offset: 9,
                    text: "x".into(),
                },
            ],
        )
        .unwrap();
        let path = dir.path().join(NOTES_FILE);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"offset\":12,\"te").unwrap();
        append(
            dir.path(),
            &[Note {
                offset: 13,
                text: "after the torn line".into(),
            }],
        )
        .unwrap();
        let notes = read(dir.path()).unwrap();
        assert_eq!(notes.len(), 3);
        assert_eq!(notes[&13], "after the torn line");
        assert_eq!(notes[&4], "leader 101 went down");
    }
}
