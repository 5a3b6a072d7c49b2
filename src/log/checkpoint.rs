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

/// `text.lines()`, finding the line ends with `memchr` (a broker of many partitions has as
/// many lines).
#[derive(Debug, Clone)]
struct Lines<'a>(&'a str);

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.0.is_empty() {
            return None;
        }
        match memchr::memchr(b'\n', self.0.as_bytes()) {
            Some(i) => {
                let line = &self.0[..i];
                self.0 = &self.0[i + 1..];
                Some(line.strip_suffix('\r').unwrap_or(line))
            }
            // The last line, without a line end: kept whole, as `str::lines` keeps it.
            None => Some(std::mem::take(&mut self.0)),
        }
    }
}

/// Splits `0\n<count>\n<lines>` into its entry lines, checking version and count.
fn entry_lines<'a>(path: &Path, text: &'a str) -> Result<Lines<'a>, LogError> {
    let mut lines = Lines(text);
    if text.is_empty() {
        return Ok(lines);
    }
    match lines.next().map(str::trim) {
        Some("0") => {}
        _ => return Err(invalid(path, 1, "version is not 0")),
    }
    let count: usize = lines
        .next()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| invalid(path, 2, "entry count is not a number"))?;
    if lines.clone().count() != count {
        return Err(invalid(
            path,
            2,
            "entry count does not match the lines that follow",
        ));
    }
    Ok(lines)
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

/// An offset checkpoint's entries, borrowed from its text, in the order of an [`OffsetMap`]
/// (by topic, then partition), the last line of a key kept when it has several, as
/// inserting them into the map in turn would.
type Entries<'a> = Vec<((&'a str, u32), i64)>;

/// One entry line of an offset checkpoint, read.
struct Entry<'a> {
    key: (&'a str, u32),
    offset: i64,
    /// The line is exactly what [`format_offsets`] writes for the entry.
    canonical: bool,
}

/// The entry of line `i` (from 0) of an offset checkpoint's entries.
fn entry<'a>(path: &Path, i: usize, line: &'a str) -> Result<Entry<'a>, LogError> {
    if let Some(e) = plain_entry(line) {
        return Ok(e);
    }
    let Some((topic, p, off)) = three_fields(line) else {
        return Err(invalid(path, i + 3, "expected: topic partition offset"));
    };
    let p = p
        .parse()
        .map_err(|_| invalid(path, i + 3, "bad partition"))?;
    let off = off
        .parse()
        .map_err(|_| invalid(path, i + 3, "bad offset"))?;
    Ok(Entry {
        key: (topic, p),
        offset: off,
        canonical: false,
    })
}

/// The entries of the offset checkpoint text `text` of `path` (see [`Entries`]).
fn parse_offsets<'a>(path: &Path, text: &'a str) -> Result<Entries<'a>, LogError> {
    let mut out: Entries<'a> = Vec::new();
    for (i, line) in entry_lines(path, text)?.enumerate() {
        let e = entry(path, i, line)?;
        out.push((e.key, e.offset));
    }
    // filka writes them in order; Kafka in any.
    if !out.is_sorted_by(|a, b| a.0 < b.0) {
        // Stable: the lines of one key stay in file order, and the last is kept.
        out.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Entries<'a> = Vec::with_capacity(out.len());
        for e in out {
            match kept.last_mut() {
                Some(last) if last.0 == e.0 => *last = e,
                _ => kept.push(e),
            }
        }
        out = kept;
    }
    Ok(out)
}

/// The three fields of `line` split at whitespace (`str::split_whitespace`), `None` unless
/// there are exactly three.
fn three_fields(line: &str) -> Option<(&str, &str, &str)> {
    let mut f = line.split_whitespace();
    match (f.next(), f.next(), f.next(), f.next()) {
        (Some(a), Some(b), Some(c), None) => Some((a, b, c)),
        _ => None,
    }
}

/// The entry of a line as filka and Kafka write it, `topic partition offset` (printable
/// ASCII, one space between, numbers of at most 9 and 18 digits), read without decoding
/// characters (a broker of many partitions has as many lines); `None` for any other line,
/// which the general rules then read, to the same entry or an error.
fn plain_entry(line: &str) -> Option<Entry<'_>> {
    /// The value of the digits `b`, and whether it is written as `{}` writes it.
    fn digits(b: &[u8], most: usize) -> Option<(i64, bool)> {
        if b.is_empty() || b.len() > most {
            return None;
        }
        let n = b.iter().try_fold(0i64, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })?;
        Some((n, b[0] != b'0' || b.len() == 1))
    }
    let b = line.as_bytes();
    let first = b.iter().position(|&c| c == b' ')?;
    let (topic, rest) = (&b[..first], &b[first + 1..]);
    if topic.is_empty() || !topic.iter().all(u8::is_ascii_graphic) {
        return None;
    }
    let second = rest.iter().position(|&c| c == b' ')?;
    let (partition, p_plain) = digits(&rest[..second], 9)?;
    let (offset, o_plain) = match &rest[second + 1..] {
        [b'-', d @ ..] => digits(d, 18).map(|(n, plain)| (-n, plain && n != 0))?,
        d => digits(d, 18)?,
    };
    Some(Entry {
        key: (&line[..first], u32::try_from(partition).ok()?),
        offset,
        canonical: p_plain && o_plain,
    })
}

/// Reads an offset checkpoint; a missing or empty file is an empty map.
pub fn read_offsets(path: &Path) -> Result<OffsetMap, LogError> {
    let Some(text) = read_text(path)? else {
        return Ok(OffsetMap::new());
    };
    Ok(parse_offsets(path, &text)?
        .into_iter()
        .map(|((t, p), o)| ((t.to_string(), p), o))
        .collect())
}

/// The entry of `topic`-`partition` in an offset checkpoint: [`read_offsets`]' (with its
/// errors) without a map of every entry, which a broker of many partitions makes large.
pub fn read_offset(path: &Path, topic: &str, partition: u32) -> Result<Option<i64>, LogError> {
    let Some(text) = read_text(path)? else {
        return Ok(None);
    };
    let mut found = None;
    for (i, line) in entry_lines(path, &text)?.enumerate() {
        let e = entry(path, i, line)?;
        // The last line of the key, as the map keeps it.
        if e.key == (topic, partition) {
            found = Some(e.offset);
        }
    }
    Ok(found)
}

/// An offset checkpoint changed by [`update_offsets`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetsUpdate {
    /// Its new text.
    pub text: String,
    /// Whether it holds the same (topic, partition) keys as before, only values changed.
    pub same_keys: bool,
}

/// What setting (`Some`) or removing (`None`) the entries of `updates`, in turn, makes of
/// the offset checkpoint at `path` (missing: empty): `None` when nothing changes. As
/// [`read_offsets`], changing the map and [`format_offsets`] would, with the same errors,
/// without a map of every entry, which a broker of many partitions makes large.
pub fn update_offsets(
    path: &Path,
    updates: &[(&(String, u32), Option<i64>)],
) -> Result<Option<OffsetsUpdate>, LogError> {
    let text = read_text(path)?.unwrap_or_default();
    // What each key ends as: its last update decides (a value set, or nothing).
    let last: BTreeMap<(&str, u32), Option<i64>> = updates
        .iter()
        .map(|&((topic, partition), value)| ((topic.as_str(), *partition), value))
        .collect();
    // A file in order with a line per key, as filka writes it: merged with the updates as
    // it is read, its lines copied.
    let mut merge = Merge::new(&last, text.len());
    let mut in_order = true;
    let mut previous: Option<(&str, u32)> = None;
    for (i, line) in entry_lines(path, &text)?.enumerate() {
        let e = entry(path, i, line)?;
        if previous.is_some_and(|p| p >= e.key) {
            in_order = false;
            break;
        }
        previous = Some(e.key);
        merge.entry(e.key, e.offset, e.canonical.then_some(line));
    }
    if in_order {
        return Ok(merge.finish());
    }
    // Kafka's order, or a key twice: through the entries in order.
    let entries = parse_offsets(path, &text)?;
    let mut merge = Merge::new(&last, text.len());
    for (key, offset) in entries {
        merge.entry(key, offset, None);
    }
    Ok(merge.finish())
}

/// An offset checkpoint's entries in order merged with updates in order, into the text of
/// the result.
struct Merge<'m, 'a> {
    updates:
        std::iter::Peekable<std::collections::btree_map::Iter<'m, (&'a str, u32), Option<i64>>>,
    body: String,
    len: usize,
    changed: bool,
    same_keys: bool,
}

impl<'m, 'a> Merge<'m, 'a> {
    fn new(updates: &'m BTreeMap<(&'a str, u32), Option<i64>>, size: usize) -> Self {
        Merge {
            updates: updates.iter().peekable(),
            body: String::with_capacity(size + 24 * updates.len()),
            len: 0,
            changed: false,
            same_keys: true,
        }
    }

    fn push(&mut self, (topic, partition): (&str, u32), offset: i64, line: Option<&str>) {
        match line {
            Some(l) => self.body.push_str(l),
            None => {
                self.body.push_str(topic);
                self.body.push(' ');
                push_decimal(&mut self.body, i64::from(partition));
                self.body.push(' ');
                push_decimal(&mut self.body, offset);
            }
        }
        self.body.push('\n');
        self.len += 1;
    }

    /// The updates of keys before `key`: new entries.
    fn added_before(&mut self, key: Option<(&str, u32)>) {
        while let Some((&k, &v)) = self.updates.next_if(|u| key.is_none_or(|key| *u.0 < key)) {
            if let Some(v) = v {
                self.push(k, v, None);
                (self.changed, self.same_keys) = (true, false);
            }
        }
    }

    /// The next entry of the file, in order; `line` when it may be copied as it is.
    fn entry(&mut self, key: (&str, u32), offset: i64, line: Option<&str>) {
        self.added_before(Some(key));
        match self.updates.next_if(|u| *u.0 == key) {
            None => self.push(key, offset, line),
            Some((_, None)) => (self.changed, self.same_keys) = (true, false),
            Some((_, &Some(v))) => {
                self.changed |= v != offset;
                self.push(key, v, line.filter(|_| v == offset));
            }
        }
    }

    fn finish(mut self) -> Option<OffsetsUpdate> {
        self.added_before(None);
        self.changed.then(|| {
            let mut text = format!("0\n{}\n", self.len);
            text.push_str(&self.body);
            OffsetsUpdate {
                text,
                same_keys: self.same_keys,
            }
        })
    }
}

/// The text of an offset checkpoint of `len` entries.
fn format_entries<'a>(entries: impl Iterator<Item = (&'a str, u32, i64)>, len: usize) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(16 + len * 24);
    // Writing into a String cannot fail.
    let _ = write!(s, "0\n{len}\n");
    for (t, p, o) in entries {
        s.push_str(t);
        s.push(' ');
        push_decimal(&mut s, i64::from(p));
        s.push(' ');
        push_decimal(&mut s, o);
        s.push('\n');
    }
    s
}

/// Appends `n` in decimal, as `{n}` formats it (without the formatting machinery: a
/// broker of many partitions has as many lines).
fn push_decimal(s: &mut String, n: i64) {
    if n < 0 {
        s.push('-');
    }
    let mut v = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        s.push(char::from(d));
    }
}

/// The text of an offset checkpoint.
pub fn format_offsets(map: &OffsetMap) -> String {
    format_entries(
        map.iter().map(|((t, p), o)| (t.as_str(), *p, *o)),
        map.len(),
    )
}

/// Writes the text of an offset checkpoint made by [`update_offsets`]: atomically, as
/// [`write_offsets`] (`synced`), or [`write_offsets_unsynced`].
pub fn write_offsets_text(path: &Path, text: &str, synced: bool) -> Result<(), LogError> {
    if synced {
        write_text(path, text)
    } else {
        write_new_replica_file(path, text)
    }
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
    for (i, line) in entry_lines(path, &text)?.enumerate() {
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

    /// The map-based reading these files had: what the faster one must read.
    fn model(path: &Path, text: &str) -> Result<OffsetMap, String> {
        let mut lines = text.lines();
        if text.is_empty() {
            return Ok(OffsetMap::new());
        }
        if lines.next().map(str::trim) != Some("0") {
            return Err(invalid(path, 1, "version is not 0").to_string());
        }
        let count: usize = lines
            .next()
            .and_then(|l| l.trim().parse().ok())
            .ok_or_else(|| invalid(path, 2, "entry count is not a number").to_string())?;
        let entries: Vec<&str> = lines.collect();
        if entries.len() != count {
            return Err(
                invalid(path, 2, "entry count does not match the lines that follow").to_string(),
            );
        }
        let mut out = OffsetMap::new();
        for (i, line) in entries.into_iter().enumerate() {
            let f: Vec<&str> = line.split_whitespace().collect();
            let [topic, p, off] = f[..] else {
                return Err(invalid(path, i + 3, "expected: topic partition offset").to_string());
            };
            let p = p
                .parse()
                .map_err(|_| invalid(path, i + 3, "bad partition").to_string())?;
            let off = off
                .parse()
                .map_err(|_| invalid(path, i + 3, "bad offset").to_string())?;
            out.insert((topic.to_string(), p), off);
        }
        Ok(out)
    }

    /// Offset checkpoints are read and updated without a map of their entries (a broker of
    /// 200,000 partitions has as many lines): every file must read, and every update
    /// write, what the map did.
    #[test]
    fn offsets_read_and_update_as_the_map_did() {
        let files = [
            "",
            "0\n0\n",
            "0\n2\na 0 5\nb 1 7\n",
            "0\n2\na 0 5\nb 1 7",
            "0\r\n2\r\na 0 5\r\nb 1 7\r\n",
            // Kafka writes in any order; a key twice: the last line wins.
            "0\n4\nz 3 1\na 0 5\nz 3 9\na 1 -2\n",
            // Spaces, tabs, leading zeros, signs, the largest numbers.
            "0\n5\n  a   00 007 \na\t1\t+5\na 2 -0\na 4294967295 9223372036854775807\na 3 -9223372036854775808\n",
            " 0 \n 1 \nx\u{a0}0\u{a0}1\n",
            "0\n1\nsp\u{e4}ter 0 1\n",
            // In order, but not as filka writes it: rewritten as it would be.
            "0\n4\na 00 5\na 1 -0\na 2 +7\nb\t0 -3\n",
            "0\n3\na 0 -5\nb 1 9223372036854775807\nb 2 -1\n",
            "0\n1\na 0 5 extra\n",
            "0\n1\na x 5\n",
            "0\n1\na 0 5x\n",
            "0\n1\na 4294967296 5\n",
            "0\n1\na 0 9223372036854775808\n",
            "0\n1\na 0 1e3\n",
            "0\n1\na -1 3\n",
            "0\n2\na 0 5\n",
            "0\n1\nbad line\nb 0 1\n",
            "0\n3\nbad line\nb 0 1\n",
            "1\n0\n",
            "0\nx\n",
            "0\n1\n\n",
            "0\n1\r\na 0 1\r",
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("replication-offset-checkpoint");
        let keys = [
            ("a", 0),
            ("a", 1),
            ("b", 1),
            ("z", 3),
            ("m", 0),
            ("a", 4294967295),
        ];
        type Update = ((String, u32), Option<i64>);
        let updates: Vec<Vec<Update>> = vec![
            vec![],
            vec![(("a".into(), 0), Some(5))],
            vec![(("a".into(), 0), Some(6))],
            vec![(("m".into(), 0), Some(1))],
            vec![(("a".into(), 0), None)],
            vec![(("q".into(), 0), None)],
            vec![(("m".into(), 0), Some(1)), (("m".into(), 0), None)],
            vec![(("a".into(), 0), Some(1)), (("a".into(), 0), Some(5))],
            vec![
                (("b".into(), 1), Some(0)),
                (("0".into(), 0), Some(0)),
                (("z".into(), 3), None),
            ],
        ];
        for text in files {
            std::fs::write(&path, text).unwrap();
            let want = model(&path, text);
            let got = read_offsets(&path).map_err(|e| e.to_string());
            assert_eq!(got, want, "{text:?}");
            for (t, p) in keys {
                let got = read_offset(&path, t, p).map_err(|e| e.to_string());
                let want = want
                    .as_ref()
                    .map(|m| m.get(&(t.to_string(), p)).copied())
                    .map_err(Clone::clone);
                assert_eq!(got, want, "{text:?} {t} {p}");
            }
            for ups in &updates {
                let refs: Vec<_> = ups.iter().map(|(k, v)| (k, *v)).collect();
                let got = update_offsets(&path, &refs).map_err(|e| e.to_string());
                let want = want.as_ref().map_err(Clone::clone).map(|before| {
                    let mut map = before.clone();
                    for (k, v) in ups {
                        match v {
                            Some(v) => map.insert(k.clone(), *v),
                            None => map.remove(k),
                        };
                    }
                    (map != *before).then(|| OffsetsUpdate {
                        text: format_offsets(&map),
                        same_keys: map.keys().eq(before.keys()),
                    })
                });
                assert_eq!(got, want, "{text:?} {ups:?}");
            }
        }
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
