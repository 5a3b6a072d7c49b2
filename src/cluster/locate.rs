//! Where a path given as the cluster (`--cluster`) stands: the one rule for what a cluster
//! root is ([`is_root`]), and [`locate`], which says whether a path is a cluster's root,
//! one of its broker folders (used like a bootstrap broker), somewhere else inside a
//! cluster (refused: a new cluster is never made inside another), or outside any.
//!
//! Must not: create, lock or print anything (a refusal must leave the disk as it was).

use std::path::{Component, Path, PathBuf};

use super::layout;
use super::quorum::QUORUM_STATE_FILE;

/// Where a path stands relative to the clusters on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The path is a cluster's root.
    Root(PathBuf),
    /// The path is the folder of broker `id` of the cluster at `root`.
    Broker {
        /// The cluster's root.
        root: PathBuf,
        /// The broker's id.
        id: i32,
    },
    /// The path is inside the cluster at `root` (at any depth) but is neither its root nor
    /// one of its broker folders: a broker folder that does not exist, a partition folder,
    /// `locks/`, `groups/`...
    Inside {
        /// The cluster's root.
        root: PathBuf,
    },
    /// The path is one Kafka node's log dir (a `meta.properties` with its `node.id`, and a
    /// `__cluster_metadata-0/` holding a log), outside any filka cluster: a broker's disk
    /// copied from a real Kafka, opened read-only as a one-broker view.
    KafkaLogDir {
        /// The log dir.
        dir: PathBuf,
        /// Its `node.id`.
        node: i32,
    },
    /// No cluster at the path or above it.
    Outside,
}

/// True when `dir` is a cluster's root. This is the rule, in one place: a node folder of it
/// (`broker-<id>` or `controller-<id>` with a `meta.properties`) holds a copy of the
/// metadata log with its `quorum-state` (`__cluster_metadata-0/quorum-state`), as `init`
/// writes them; or it holds
/// filka's earlier JSON metadata (`metadata/__cluster_metadata-0/`, or `cluster.json` beside
/// a broker folder), which the first open converts. A `cluster.json` alone is not enough:
/// the name is too common to take a directory that has one (a parent of the path, say) for a
/// cluster.
pub fn is_root(dir: &Path) -> bool {
    node_folders(dir).iter().any(|(_, b)| {
        b.join(layout::METADATA_LOG)
            .join(QUORUM_STATE_FILE)
            .is_file()
    }) || super::kraft::convert::is_old(dir)
}

/// The node folders of the cluster at `root` that may hold a copy of the metadata log:
/// its broker folders, then its controller-only ones (`controller-<id>` with a
/// `meta.properties`).
pub fn node_folders(root: &Path) -> Vec<(i32, PathBuf)> {
    let mut out = broker_folders(root);
    out.extend(controller_folders(root));
    out
}

/// The controller-only node folders of the cluster at `root`, by id.
pub fn controller_folders(root: &Path) -> Vec<(i32, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut out: Vec<(i32, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let id = layout::parse_controller_dir(e.file_name().to_str()?)?;
            Some((id, e.path()))
        })
        .filter(|(_, p)| p.join(layout::META_PROPERTIES).is_file())
        .collect();
    out.sort();
    out
}

/// The broker folders of the cluster at `root` (`broker-<id>` folders holding a
/// `meta.properties`), by id.
pub fn broker_folders(root: &Path) -> Vec<(i32, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut out: Vec<(i32, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let id = layout::parse_broker_dir(e.file_name().to_str()?)?;
            Some((id, e.path()))
        })
        .filter(|(_, p)| p.join(layout::META_PROPERTIES).is_file())
        .collect();
    out.sort();
    out
}

/// Where `path` stands: checked at the path itself, then at each of its parents, first as
/// the path spells them (so a root found is named as the user named it), then the real
/// ones above (a relative path's `.` has parents too, and `..` or a symbolic link leads
/// elsewhere than the spelling).
pub fn locate(path: &Path) -> Location {
    if is_root(path) {
        return Location::Root(path.to_path_buf());
    }
    let (parent, candidates) = enclosing(path);
    if let Some(parent) = parent
        && is_root(&parent)
        && let Some(id) = broker_id(path)
    {
        return Location::Broker { root: parent, id };
    }
    match candidates.into_iter().find(|p| is_root(p)) {
        Some(root) => Location::Inside { root },
        None => match kafka_log_dir(path) {
            Some(node) => Location::KafkaLogDir {
                dir: path.to_path_buf(),
                node,
            },
            None => Location::Outside,
        },
    }
}

/// The `node.id` of `dir` when it is a Kafka node's log dir: a `meta.properties` naming the
/// node, and a `__cluster_metadata-0/` folder holding a `.log` segment.
pub fn kafka_log_dir(dir: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(dir.join(layout::META_PROPERTIES)).ok()?;
    let node = text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "node.id").then(|| v.trim().parse::<i32>().ok())?
    })?;
    let has_log = std::fs::read_dir(dir.join(layout::METADATA_LOG))
        .ok()?
        .flatten()
        .any(|e| e.file_name().to_string_lossy().ends_with(".log"));
    has_log.then_some(node)
}

/// The root `path` leads to: the cluster's root itself, or one of its broker folders.
pub fn find_root(path: &Path) -> Option<PathBuf> {
    match locate(path) {
        Location::Root(root) | Location::Broker { root, .. } => Some(root),
        Location::Inside { .. } | Location::KafkaLogDir { .. } | Location::Outside => None,
    }
}

/// The broker id when `path` is a broker folder by name and by content.
fn broker_id(path: &Path) -> Option<i32> {
    let id = layout::parse_broker_dir(path.file_name()?.to_str()?)?;
    path.join(layout::META_PROPERTIES).is_file().then_some(id)
}

/// The direct parent of `path`, and every directory that may enclose it, nearest first: its
/// parents as spelled (when the spelling has no `..`), then the real ones up to `/`. When
/// the spelling has `..`, the real path itself comes first (`data/missing/..` is `data`,
/// through a folder that does not exist).
fn enclosing(path: &Path) -> (Option<PathBuf>, Vec<PathBuf>) {
    let mut out = Vec::new();
    let spelled = !path.components().any(|c| c == Component::ParentDir);
    if spelled {
        for a in path.ancestors().skip(1) {
            if a.as_os_str().is_empty() {
                out.push(PathBuf::from("."));
                break;
            }
            out.push(a.to_path_buf());
        }
    }
    let real = real_path(path);
    let parent = if spelled {
        out.first().cloned()
    } else {
        real.as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
    };
    if let Some(real) = real {
        for a in real.ancestors().skip(usize::from(spelled)) {
            if !out.iter().any(|p| p == a) {
                out.push(a.to_path_buf());
            }
        }
    }
    (parent, out)
}

/// `path` made absolute with symbolic links and `..` resolved, as far as it exists (the
/// rest, which does not exist yet, is appended with `.` and `..` folded).
fn real_path(path: &Path) -> Option<PathBuf> {
    let mut existing = path;
    let mut rest: Vec<Component> = Vec::new();
    let base = loop {
        let probe = if existing.as_os_str().is_empty() {
            Path::new(".")
        } else {
            existing
        };
        if let Ok(real) = probe.canonicalize() {
            break real;
        }
        let mut comps = existing.components();
        rest.push(comps.next_back()?);
        existing = comps.as_path();
    };
    let mut out = base;
    for c in rest.into_iter().rev() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(dir: &Path) -> PathBuf {
        let root = dir.join("data");
        crate::cluster::Cluster::init(&root, 2, 101).unwrap();
        root
    }

    #[test]
    fn the_root_and_its_broker_folders_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let root = cluster(dir.path());
        assert_eq!(locate(&root), Location::Root(root.clone()));
        assert_eq!(
            locate(&root.join("broker-102")),
            Location::Broker {
                root: root.clone(),
                id: 102
            }
        );
        // Spelled with a trailing `.`, or through `..`: the same places.
        assert_eq!(find_root(&root.join("broker-101/.")), Some(root.clone()));
        assert!(matches!(
            locate(&root.join("broker-101/../broker-102")),
            Location::Broker { id: 102, .. }
        ));
        assert_eq!(locate(&dir.path().join("elsewhere")), Location::Outside);
        assert_eq!(locate(dir.path()), Location::Outside);
    }

    #[test]
    fn anything_else_inside_a_cluster_is_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = cluster(dir.path());
        std::fs::create_dir_all(root.join("broker-101/demo-0")).unwrap();
        for p in [
            "broker-104",
            "broker-101/demo-0",
            "broker-101/demo-0/new",
            "locks",
            "groups/g",
            "metadata",
            "not/yet/made",
        ] {
            assert_eq!(
                locate(&root.join(p)),
                Location::Inside { root: root.clone() },
                "{p}"
            );
        }
        // `..` leads back out of it.
        assert_eq!(
            locate(&root.join("broker-104/../..").join("other")),
            Location::Outside
        );
        // The root, through a folder that does not exist: not a path to open or create.
        assert!(matches!(
            locate(&root.join("broker-104/..")),
            Location::Inside { .. }
        ));
    }

    #[test]
    fn a_cluster_json_alone_is_not_a_cluster() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cluster.json"), "{}").unwrap();
        std::fs::create_dir(dir.path().join("metadata")).unwrap();
        assert!(!is_root(dir.path()));
        assert_eq!(locate(&dir.path().join("data")), Location::Outside);
    }
}
