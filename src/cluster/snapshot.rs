//! What belongs to a cluster on disk (where a path leads is super::locate), and what opening
//! one found and did. A directory holding any part of a cluster is never made into a new
//! one (new cluster id, brokers registered twice, old and new topics mixed).
//!
//! Must not: take locks, or print.

use std::path::{Path, PathBuf};

use super::layout;

/// What opening a cluster found and did, for the command to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// An existing cluster, as its snapshot says.
    Existing,
    /// There was none: the default cluster was created.
    Created,
    /// A cluster of filka's earlier JSON metadata (`cluster.json`): converted to the KRaft
    /// metadata log.
    Converted(super::kraft::convert::Converted),
}

/// The first thing in `path` that belongs to a cluster (a broker's `meta.properties`,
/// `path` itself being a broker folder, or filka's earlier `cluster.json` and metadata log),
/// if any. A directory holding any of them is never made into a new cluster.
pub fn cluster_part(path: &Path) -> Option<PathBuf> {
    for p in [
        path.join(super::kraft::convert::OLD_SNAPSHOT),
        path.join(super::kraft::convert::OLD_METADATA_DIR),
        path.join(layout::META_PROPERTIES),
    ] {
        if p.exists() {
            return Some(p);
        }
    }
    let mut props: Vec<PathBuf> = broker_dirs(path)
        .into_iter()
        .chain(super::locate::controller_folders(path))
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
