//! A consumer group's shared state (generation, assignor, members, assignment), kept in
//! versioned files and changed without any lock:
//!
//! ```text
//! groups/<group>/state/<version>.json   the newest version is the state; a few older ones
//!                                       stay for readers that listed them a moment ago
//! groups/<group>/state/floor-<version>  versions below the highest floor may be deleted
//! ```
//!
//! A change reads the newest version N, writes N+1 whole to a temporary file, then links it
//! to N+1's name. link(2) fails when that name exists, so of two members changing the state
//! from the same version exactly one wins, and the other reads again and redoes its change
//! (compare-and-swap). Readers never see a half-written file. No process ever waits for
//! another: a member stopped anywhere (SIGSTOP) cannot hold up the others' heartbeats, which
//! is how a stopped member gets expelled at all.
//!
//! Old versions are deleted, so a writer stopped between its read and its link could link
//! into the name of a deleted version and believe it won. Before deleting, a pruner creates
//! `floor-F` (the highest floor is never deleted), and a writer that finds, after linking
//! N+1, a floor above N+1 counts its change as lost and redoes it: whatever deleted N+1's
//! name had announced it first.
//!
//! Must not: decide membership (the coordinator does, through [`update`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::assignor::{Assignment, Assignor, Tp};
use super::coordinator::GroupError;
use crate::cluster::random_uuid;

/// The folder of the versions, inside the group's folder.
const STATE_DIR: &str = "state";
/// Versions kept behind the newest (a reader that listed the folder just before a few
/// changes still finds its file).
const KEEP_VERSIONS: u64 = 16;
/// A temporary file older than this was left by a process that died mid-change.
const STALE_TMP: Duration = Duration::from_secs(60);
/// Changes tried before giving up (each lost race means another member made progress).
const MAX_TRIES: u32 = 10_000;

/// What a member says about itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MemberInfo {
    /// Client id.
    pub client_id: String,
    /// Host (Kafka shows `/address`).
    pub host: String,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Its session timeout (ms).
    pub session_timeout_ms: u64,
    /// The assignor it asked for (files written before it was recorded: none).
    #[serde(default)]
    pub assignor: Option<Assignor>,
}

/// The group's shared state.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GroupState {
    /// Current generation (0 before anyone joined).
    pub generation: i32,
    /// The assignor in use.
    pub protocol: Assignor,
    /// Members of this generation.
    pub members: BTreeMap<String, MemberInfo>,
    /// Their partitions.
    pub assignment: Assignment,
    /// When this generation started (ms).
    pub timestamp_ms: i64,
    /// Who reads what now: member -> the partitions it took (each partition under one
    /// member at most). A member takes an assigned partition once nobody holds it, and
    /// gives it back after committing; a member that leaves the generation (dead or
    /// expelled) loses its partitions in the same change, so ownership never waits for a
    /// process that cannot act.
    #[serde(default)]
    pub owned: BTreeMap<String, Vec<Tp>>,
    /// Members removed for missing their session timeout whose process may still run (a
    /// stopped one): never taken back in, even if they look alive again when resumed.
    #[serde(default)]
    pub expelled: BTreeSet<String>,
}

impl GroupState {
    /// The member that holds `tp`, if any.
    pub fn owner_of(&self, tp: &Tp) -> Option<&String> {
        self.owned
            .iter()
            .find(|(_, tps)| tps.contains(tp))
            .map(|(m, _)| m)
    }
}

impl Default for GroupState {
    fn default() -> Self {
        GroupState {
            generation: 0,
            protocol: Assignor::Range,
            members: BTreeMap::new(),
            assignment: Assignment::new(),
            timestamp_ms: 0,
            owned: BTreeMap::new(),
            expelled: BTreeSet::new(),
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> GroupError + '_ {
    move |source| GroupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn version_path(sdir: &Path, version: u64) -> PathBuf {
    sdir.join(format!("{version:020}.json"))
}

/// What the state folder holds: versions (oldest first) and the highest floor.
struct Listing {
    versions: Vec<u64>,
    floor: u64,
}

fn list(sdir: &Path) -> Result<Listing, GroupError> {
    let entries = match std::fs::read_dir(sdir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Listing {
                versions: Vec::new(),
                floor: 0,
            });
        }
        Err(e) => return Err(io(sdir)(e)),
    };
    let mut versions = Vec::new();
    let mut floor = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(v) = name.strip_suffix(".json").and_then(|v| v.parse().ok()) {
            versions.push(v);
        } else if let Some(f) = name.strip_prefix("floor-").and_then(|f| f.parse().ok()) {
            floor = floor.max(f);
        }
    }
    versions.sort_unstable();
    Ok(Listing { versions, floor })
}

/// Reads the newest state of the group in `dir` and its version (0 and the default state
/// when nobody ever joined).
pub fn read(dir: &Path) -> Result<(u64, GroupState), GroupError> {
    let sdir = dir.join(STATE_DIR);
    for _ in 0..MAX_TRIES {
        let Some(&version) = list(&sdir)?.versions.last() else {
            return Ok((0, GroupState::default()));
        };
        let path = version_path(&sdir, version);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let st = serde_json::from_slice(&bytes).map_err(|e| GroupError::BadState {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
                return Ok((version, st));
            }
            // Pruned between the listing and the read: many changes went by; list again.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&path)(e)),
        }
    }
    Err(GroupError::Contended { path: sdir })
}

/// Changes the state of the group in `dir`: `f` edits a copy of the newest state; when the
/// copy differs it becomes the next version, unless another process made a version first,
/// in which case `f` runs again on that one. So `f` must only compute, and must describe
/// the state it wants rather than count (in a rare race it runs again on a state that
/// already has its change). Returns `f`'s value and the state as it now is.
pub fn update<T>(
    dir: &Path,
    mut f: impl FnMut(&mut GroupState) -> Result<T, GroupError>,
) -> Result<(T, GroupState), GroupError> {
    let sdir = dir.join(STATE_DIR);
    std::fs::create_dir_all(&sdir).map_err(io(&sdir))?;
    for _ in 0..MAX_TRIES {
        let (version, current) = read(dir)?;
        let mut next = current.clone();
        let out = f(&mut next)?;
        if next == current || install(&sdir, version, &next)? {
            return Ok((out, next));
        }
    }
    Err(GroupError::Contended { path: sdir })
}

/// Makes `next` version `base + 1`: false when another process made that version first (or
/// may have: see the floor in the module docs).
fn install(sdir: &Path, base: u64, next: &GroupState) -> Result<bool, GroupError> {
    let bytes = serde_json::to_vec_pretty(next).map_err(|e| GroupError::BadState {
        path: sdir.to_path_buf(),
        reason: e.to_string(),
    })?;
    let tmp = sdir.join(format!(".tmp-{}-{}", std::process::id(), random_uuid()));
    std::fs::write(&tmp, &bytes).map_err(io(&tmp))?;
    let version = base + 1;
    let target = version_path(sdir, version);
    let linked = std::fs::hard_link(&tmp, &target);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(io(&target)(e)),
    }
    let listing = list(sdir)?;
    if listing.floor > version {
        // The name may have been free only because its version was deleted: this file is
        // not the newest, whatever it holds. Another pruner removes it.
        return Ok(false);
    }
    prune(sdir, version, &listing);
    Ok(true)
}

/// Deletes versions far behind `newest` (announcing it with a floor first), and temporary
/// files whose writer died. Best effort: whatever is left is removed by a later change.
fn prune(sdir: &Path, newest: u64, listing: &Listing) {
    if !newest.is_multiple_of(8) || newest <= KEEP_VERSIONS {
        return;
    }
    let floor = newest - KEEP_VERSIONS;
    let marker = sdir.join(format!("floor-{floor:020}"));
    if std::fs::write(&marker, b"").is_err() {
        return;
    }
    for &v in listing.versions.iter().filter(|&&v| v < floor) {
        let _ = std::fs::remove_file(version_path(sdir, v));
    }
    let Ok(entries) = std::fs::read_dir(sdir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        // Lower floors are covered by ours, which stays.
        let lower_floor = name
            .strip_prefix("floor-")
            .and_then(|f| f.parse::<u64>().ok())
            .is_some_and(|f| f < floor);
        let stale_tmp = name.starts_with(".tmp-")
            && e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > STALE_TMP);
        if lower_floor || stale_tmp {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_changes_are_never_lost() {
        let dir = tempfile::tempdir().unwrap();
        let threads: Vec<_> = (0..4)
            .map(|i| {
                let d = dir.path().to_path_buf();
                std::thread::spawn(move || {
                    for n in 0..50 {
                        update(&d, |st| {
                            st.expelled.insert(format!("t{i}-{n}"));
                            Ok(())
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let (version, st) = read(dir.path()).unwrap();
        assert_eq!(st.expelled.len(), 200, "every change kept");
        assert_eq!(version, 200);
        let left = list(&dir.path().join(STATE_DIR)).unwrap().versions;
        assert!(left.len() <= 2 * KEEP_VERSIONS as usize, "{left:?}");
    }

    #[test]
    fn a_writer_stopped_between_read_and_link_cannot_reuse_a_deleted_version() {
        let dir = tempfile::tempdir().unwrap();
        let sdir = dir.path().join(STATE_DIR);
        let set = |n: i32| {
            update(dir.path(), |st| {
                st.generation = n;
                Ok(())
            })
            .unwrap()
        };
        set(1);
        // The stopped writer read version 1 ...
        let (base, mut stale) = read(dir.path()).unwrap();
        // ... while others went on far enough for version 2 to be deleted.
        for n in 2..=60 {
            set(n);
        }
        assert!(!sdir.join(format!("{:020}.json", base + 1)).exists());
        stale.generation = 999;
        assert!(!install(&sdir, base, &stale).unwrap(), "lost race reported");
        assert_eq!(read(dir.path()).unwrap().1.generation, 60);
    }

    #[test]
    fn an_unchanged_state_writes_no_version() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap().0, 0);
        update(dir.path(), |_| Ok(())).unwrap();
        assert_eq!(read(dir.path()).unwrap().0, 0);
        update(dir.path(), |st| {
            st.generation = 1;
            Ok(())
        })
        .unwrap();
        update(dir.path(), |st| {
            st.generation = 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(read(dir.path()).unwrap().0, 1);
    }
}
