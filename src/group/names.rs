//! Group ids and the folders they map to (`groups/<name>`), in one place.
//!
//! A group id is any non-empty string of at most 32,767 bytes (Kafka's protocol carries it
//! as a string with an int16 length), while a file name has at most 255 bytes and no `/`.
//! So:
//!
//! - a plain id (ASCII letters, digits, `.`, `_`, `-`, not starting with `.`, at most 200
//!   bytes) is its folder's name;
//! - another id of at most 127 bytes is `%` and the hex of its bytes;
//! - a longer one is `#` and the 128-bit FNV-1a hash of its bytes in hex, and the folder
//!   holds the id itself in `group.id`: a different id with the same hash is refused
//!   ([`GroupError::NameClash`]), never merged with it.
//!
//! Must not: touch a folder's contents beyond `group.id`.

use std::path::{Path, PathBuf};

use super::coordinator::GroupError;
use crate::cluster::Layout;

/// The longest group id, in bytes (a protocol string: int16 length).
pub const MAX_GROUP_ID_BYTES: usize = i16::MAX as usize;
/// Plain ids up to this length are their own folder name.
const PLAIN_MAX: usize = 200;
/// Ids up to this length are hex-escaped (1 + 2 × 127 = 255 bytes, NAME_MAX).
const HEX_MAX: usize = 127;
/// Where a hashed folder keeps its group id.
const ID_FILE: &str = "group.id";

/// Refuses an empty group id, or one longer than Kafka's protocol can carry.
pub fn check_group_id(group: &str) -> Result<(), GroupError> {
    let reason = if group.is_empty() {
        "a group id must not be empty".to_string()
    } else if group.len() > MAX_GROUP_ID_BYTES {
        format!(
            "a group id has at most {MAX_GROUP_ID_BYTES} bytes (Kafka's protocol string); this \
             one has {}",
            group.len()
        )
    } else {
        return Ok(());
    };
    Err(GroupError::InvalidGroupId { reason })
}

fn is_plain(group: &str) -> bool {
    !group.is_empty()
        && group.len() <= PLAIN_MAX
        && !group.starts_with('.')
        && group
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

/// FNV-1a, 128 bits: no crate needed, and a clash is caught by `group.id` anyway.
fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ u128::from(b)).wrapping_mul(PRIME))
}

/// The file name an id (a group id, a transactional id) is stored under: the id itself,
/// `%` and its hex, or `#` and its hash (see the module docs).
pub fn file_name_for(id: &str) -> String {
    if is_plain(id) {
        id.to_string()
    } else if id.len() <= HEX_MAX {
        let hex: String = id.bytes().map(|b| format!("{b:02x}")).collect();
        format!("%{hex}")
    } else {
        format!("#{:032x}", fnv1a_128(id.as_bytes()))
    }
}

/// The folder of `group` (see the module docs for how the name is made).
pub fn group_dir(layout: &Layout, group: &str) -> PathBuf {
    layout.groups().join(file_name_for(group))
}

fn hashed(dir: &Path) -> bool {
    dir.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('#'))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> GroupError + '_ {
    move |source| GroupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The folder of `group`, checked: refused when it belongs to another id with the same hash.
/// With `create`, the folder is made (and a hashed one given its `group.id`).
pub fn checked_group_dir(
    layout: &Layout,
    group: &str,
    create: bool,
) -> Result<PathBuf, GroupError> {
    check_group_id(group)?;
    let dir = group_dir(layout, group);
    if create {
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    }
    if !hashed(&dir) || !dir.is_dir() {
        return Ok(dir);
    }
    let id_path = dir.join(ID_FILE);
    let stored = match std::fs::read(&id_path) {
        Ok(b) => b,
        // A folder whose maker died before writing its id: it is ours now.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let tmp = dir.join(format!("{ID_FILE}.{}", std::process::id()));
            std::fs::write(&tmp, group.as_bytes()).map_err(io(&tmp))?;
            // Whoever links first names the folder; a loser reads the winner's id below.
            let _ = std::fs::hard_link(&tmp, &id_path);
            let _ = std::fs::remove_file(&tmp);
            std::fs::read(&id_path).map_err(io(&id_path))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(dir),
        Err(e) => return Err(io(&id_path)(e)),
    };
    if stored != group.as_bytes() {
        return Err(GroupError::NameClash {
            path: dir,
            other: String::from_utf8_lossy(&stored).chars().take(80).collect(),
        });
    }
    Ok(dir)
}

/// The groups that have a folder (members now or before), by id.
pub fn group_dirs(layout: &Layout) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(layout.groups()) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let decoded = if let Some(hex) = name.strip_prefix('%') {
                (0..hex.len() / 2)
                    .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
                    .collect::<Vec<u8>>()
            } else if name.starts_with('#') {
                match std::fs::read(e.path().join(ID_FILE)) {
                    Ok(id) => id,
                    Err(_) => continue,
                }
            } else {
                name.into_bytes()
            };
            if let Ok(s) = String::from_utf8(decoded) {
                out.push(s);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: ids longer than about 127 bytes (or 200 plain ones) gave folder names past
    /// NAME_MAX, so joining failed with "File name too long", and the hex was cut at 400
    /// characters, which could merge two long ids into one folder.
    #[test]
    fn every_valid_id_gets_a_folder_name_that_fits_and_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        let long_plain = "g".repeat(5000);
        let ids = [
            "my-group".to_string(),
            "a b/c".to_string(),
            "ünïcode".to_string(),
            "x".repeat(PLAIN_MAX),
            "y".repeat(PLAIN_MAX + 1),
            "é".repeat(HEX_MAX / 2),
            "z/".repeat(HEX_MAX),
            long_plain.clone(),
            format!("{long_plain}h"),
            ".hidden".to_string(),
            "%41".to_string(),
            "#abc".to_string(),
        ];
        let mut names = std::collections::BTreeSet::new();
        for id in &ids {
            let d = checked_group_dir(&layout, id, true).unwrap();
            let name = d.file_name().unwrap().to_str().unwrap().to_string();
            assert!(name.len() <= 255, "{} bytes for {id:?}", name.len());
            assert!(!name.contains('/') && !name.starts_with('.'), "{name}");
            assert!(names.insert(name), "{id:?} shares a folder");
            assert_eq!(checked_group_dir(&layout, id, false).unwrap(), d);
        }
        let mut listed = group_dirs(&layout);
        let mut want = ids.to_vec();
        listed.sort();
        want.sort();
        assert_eq!(listed, want);
    }

    #[test]
    fn a_hash_clash_is_refused_not_merged() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        let id = "q".repeat(300);
        let d = checked_group_dir(&layout, &id, true).unwrap();
        // Another id whose hash would name the same folder.
        std::fs::write(d.join(ID_FILE), "someone else").unwrap();
        let e = checked_group_dir(&layout, &id, false).unwrap_err();
        assert!(matches!(e, GroupError::NameClash { .. }), "{e}");
    }

    #[test]
    fn empty_and_oversized_ids_are_refused() {
        for id in [String::new(), "g".repeat(MAX_GROUP_ID_BYTES + 1)] {
            let e = check_group_id(&id).unwrap_err();
            assert!(matches!(e, GroupError::InvalidGroupId { .. }), "{e}");
        }
        assert!(check_group_id(&"g".repeat(MAX_GROUP_ID_BYTES)).is_ok());
    }
}
