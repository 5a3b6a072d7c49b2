//! What belongs to a cluster on disk (where a path leads is super::locate), and its metadata
//! snapshot `cluster.json`: reading it, writing it, and rebuilding it from the metadata log
//! when it is missing, as a KRaft node rebuilds its metadata image by replaying the log. The log is the record of truth; the snapshot is
//! only its fold, so losing it must never lead to a second cluster created on top of the
//! first (new cluster id, brokers registered twice, old and new topics mixed).
//!
//! Must not: take locks (callers hold the controller lock when they write), or print.

use std::path::{Path, PathBuf};

use super::layout::{self, Layout};
use super::metadata::{self, ClusterState};
use super::{Cluster, ClusterError, io_err};
use crate::log;

/// What opening a cluster found and did, for the command to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// An existing cluster, as its snapshot says.
    Existing,
    /// There was none: the default cluster was created.
    Created,
    /// `cluster.json` was missing: it was rebuilt from the metadata log.
    Rebuilt(Rebuilt),
    /// `cluster.json` was behind the metadata log: the changes past it were applied
    /// (changes an earlier command committed but could not show), or could not be.
    CaughtUp(super::CaughtUp),
}

/// A snapshot rebuilt from the metadata log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    /// The snapshot file written.
    pub snapshot: PathBuf,
    /// Metadata records replayed.
    pub records: usize,
    /// Brokers in the rebuilt state.
    pub brokers: usize,
    /// Topics in the rebuilt state.
    pub topics: usize,
}

/// The first thing in `path` that belongs to a cluster (its snapshot, its metadata log, a
/// broker's `meta.properties`, or `path` itself being a broker folder), if any. A directory
/// holding any of them is never made into a new cluster.
pub fn cluster_part(path: &Path) -> Option<PathBuf> {
    for p in [
        path.join(layout::SNAPSHOT_FILE),
        path.join(layout::METADATA_DIR),
        path.join(layout::META_PROPERTIES),
    ] {
        if p.exists() {
            return Some(p);
        }
    }
    let mut props: Vec<PathBuf> = broker_dirs(path)
        .into_iter()
        .map(|(_, dir)| dir.join(layout::META_PROPERTIES))
        .filter(|p| p.is_file())
        .collect();
    props.sort();
    props.into_iter().next()
}

/// The `broker-<id>` folders in `root`, by id.
fn broker_dirs(root: &Path) -> Vec<(i32, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut out: Vec<(i32, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let id = layout::parse_broker_dir(e.file_name().to_str()?)?;
            Some((id, e.path()))
        })
        .filter(|(_, p)| p.is_dir())
        .collect();
    out.sort();
    out
}

/// Reads `cluster.json`; `Ok(None)` when it does not exist.
pub(super) fn read(layout: &Layout) -> Result<Option<ClusterState>, ClusterError> {
    let path = layout.snapshot();
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(&path)(e)),
    };
    let state: ClusterState =
        serde_json::from_slice(&bytes).map_err(|e| ClusterError::BadSnapshot {
            path: path.clone(),
            reason: e.to_string(),
        })?;
    if state.format_version != metadata::FORMAT_VERSION {
        return Err(ClusterError::BadSnapshot {
            path,
            reason: format!(
                "format version {} is not supported (this filka reads {})",
                state.format_version,
                metadata::FORMAT_VERSION
            ),
        });
    }
    Ok(Some(state))
}

/// Replaces `cluster.json` atomically (temp file, fsync, rename, fsync folder). An error
/// means readers still find the old snapshot and no `cluster.json.tmp` is left (unless even
/// removing it failed: the next open removes it). Once the rename is done, a failed fsync of
/// the folder is not an error: the new snapshot is what readers find, and should a power
/// loss bring the old one back, the metadata log (fsynced before) replays what it lacks.
pub(super) fn write(layout: &Layout, state: &ClusterState) -> Result<(), ClusterError> {
    let path = layout.snapshot();
    let json = serde_json::to_vec_pretty(state).map_err(|e| ClusterError::BadSnapshot {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    match log::io::write_atomic_reporting(&path, &json) {
        Err(e) if !e.replaced => Err(io_err(&path)(e.source)),
        _ => Ok(()),
    }
}

/// The snapshot, or when it is missing, the state rebuilt from the metadata log (with what
/// the rebuild found). Writes nothing.
pub(super) fn read_or_rebuild(
    layout: &Layout,
) -> Result<(ClusterState, Option<Rebuilt>), ClusterError> {
    if let Some(state) = read(layout)? {
        return Ok((state, None));
    }
    let (state, rebuilt) = rebuild(layout)?;
    Ok((state, Some(rebuilt)))
}

/// Folds the metadata log into a fresh state. The cluster id is not in the log: it is in
/// every broker's `meta.properties`, which must agree.
fn rebuild(layout: &Layout) -> Result<(ClusterState, Rebuilt), ClusterError> {
    let snapshot = layout.snapshot();
    let refuse = |reason: String| ClusterError::BadSnapshot {
        path: snapshot.clone(),
        reason: format!("missing, and {reason}"),
    };
    if !layout.metadata_log().is_dir() {
        return Err(refuse(format!(
            "there is no metadata log ({}) to rebuild it from",
            layout.metadata_log().display()
        )));
    }
    let cluster_id = cluster_id(layout).map_err(refuse)?;
    let mut state = ClusterState::new(cluster_id);
    let probe = Cluster {
        layout: layout.clone(),
        state: state.clone(),
    };
    let history = probe.history()?;
    let records = history.len();
    let mut replay = metadata::Replay::new(0);
    for (offset, _, r) in history {
        replay.feed(&mut state, offset, r);
    }
    // A change left unfinished is not covered: the next change replays and aborts it.
    state.metadata_offset = replay.applied_to();
    if state.brokers.is_empty() {
        return Err(refuse(format!(
            "the metadata log registers no broker: the cluster was never completely created \
             (move {} aside and run `filka init`)",
            layout.root().display()
        )));
    }
    let rebuilt = Rebuilt {
        snapshot,
        records,
        brokers: state.brokers.len(),
        topics: state.topics.len(),
    };
    Ok((state, rebuilt))
}

/// The `cluster.id` every broker's `meta.properties` holds.
fn cluster_id(layout: &Layout) -> Result<String, String> {
    let mut ids: Vec<(i32, String)> = Vec::new();
    for (broker, dir) in broker_dirs(layout.root()) {
        let Ok(text) = std::fs::read_to_string(dir.join(layout::META_PROPERTIES)) else {
            continue;
        };
        if let Some(id) = property(&text, "cluster.id") {
            ids.push((broker, id.to_string()));
        }
    }
    let Some((_, first)) = ids.first() else {
        return Err("no broker's meta.properties holds the cluster.id to rebuild it with".into());
    };
    if let Some((broker, other)) = ids.iter().find(|(_, id)| id != first) {
        return Err(format!(
            "the brokers' meta.properties disagree on the cluster id (broker-{}: {first}, \
             broker-{broker}: {other})",
            ids[0].0
        ));
    }
    Ok(first.clone())
}

/// The value of `key` in Java properties text (`key=value` lines, `#` comments).
fn property<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.starts_with('!'))
        .find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_are_read_like_java() {
        let text = "#\n#Mon Jan 01 00:00:00 UTC 2024\nnode.id=101\ncluster.id = abc\n";
        assert_eq!(property(text, "cluster.id"), Some("abc"));
        assert_eq!(property(text, "node.id"), Some("101"));
        assert_eq!(property(text, "version"), None);
    }
}
