//! Clusters made by filka before the KRaft metadata log: `cluster.json` (the state) and
//! `metadata/__cluster_metadata-0/` (a log of JSON change records), read once and converted
//! on the first open (controller lock held). Nothing is lost: the state, whole changes the
//! old log holds past `cluster.json` included, becomes the first records of the new log (in
//! one transaction), brokers that were down stay down, paused ones stay paused, and the old
//! files are kept in `converted-json-metadata/`.
//!
//! Must not: take locks, or print.

use std::path::{Path, PathBuf};

use super::load::property;
use crate::cluster::layout::{self, Layout};
use crate::cluster::metadata::{BrokerStatus, ClusterState, MetadataRecord, Replay};
use crate::cluster::{ClusterError, io_err, locate};
use crate::log::{self, LogError, LogReader};

/// The old snapshot file.
pub const OLD_SNAPSHOT: &str = "cluster.json";
/// The old metadata log's folder.
pub const OLD_METADATA_DIR: &str = "metadata";
/// Where the old files go once converted.
pub const CONVERTED_DIR: &str = "converted-json-metadata";
/// The old snapshot format this reads.
const OLD_FORMAT_VERSION: u32 = 1;

/// What a conversion did, for the command to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    /// Brokers converted.
    pub brokers: usize,
    /// Topics converted.
    pub topics: usize,
    /// Records of the old log read (0 when there was none).
    pub old_records: usize,
    /// Where the old files are now.
    pub kept_in: PathBuf,
}

/// True when `root` holds the old JSON metadata.
pub fn is_old(root: &Path) -> bool {
    root.join(OLD_METADATA_DIR)
        .join(layout::METADATA_LOG)
        .is_dir()
        || (root.join(OLD_SNAPSHOT).is_file() && !locate::broker_folders(root).is_empty())
}

fn old_log(root: &Path) -> PathBuf {
    root.join(OLD_METADATA_DIR).join(layout::METADATA_LOG)
}

/// Every record of the old log: (offset, record).
fn old_records(root: &Path) -> Result<Vec<(i64, MetadataRecord)>, ClusterError> {
    let dir = old_log(root);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let reader = LogReader::open(&dir)?;
    let end = reader.log_end_offset()?;
    let mut cursor = reader.cursor(0)?;
    let mut out = Vec::new();
    while let Some(batch) = cursor.next_batch(end)? {
        let records = batch.to_records().map_err(|e| LogError::Corrupt {
            path: dir.clone(),
            detail: e.to_string(),
        })?;
        for r in records {
            let rec: MetadataRecord = serde_json::from_slice(r.value.as_deref().unwrap_or(b""))
                .map_err(|e| LogError::Corrupt {
                    path: dir.clone(),
                    detail: format!("metadata record at offset {}: {e}", r.offset),
                })?;
            out.push((r.offset, rec));
        }
    }
    Ok(out)
}

/// The old state: `cluster.json` with the whole changes the old log holds past it, or the
/// old log alone when `cluster.json` is missing (the cluster id from the brokers'
/// `meta.properties`).
pub fn read_old(root: &Path) -> Result<(ClusterState, usize), ClusterError> {
    let snapshot = root.join(OLD_SNAPSHOT);
    let records = old_records(root)?;
    let count = records.len();
    let mut state = match log::io::read_file(&snapshot) {
        Ok(bytes) => {
            let s: ClusterState =
                serde_json::from_slice(&bytes).map_err(|e| ClusterError::BadSnapshot {
                    path: snapshot.clone(),
                    reason: e.to_string(),
                })?;
            if s.format_version != OLD_FORMAT_VERSION {
                return Err(ClusterError::BadSnapshot {
                    path: snapshot,
                    reason: format!(
                        "format version {} is not one this filka converts ({OLD_FORMAT_VERSION})",
                        s.format_version
                    ),
                });
            }
            s
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let id = locate::broker_folders(root)
                .into_iter()
                .find_map(|(_, dir)| {
                    let text = std::fs::read_to_string(dir.join(layout::META_PROPERTIES)).ok()?;
                    property(&text, "cluster.id").map(str::to_string)
                })
                .ok_or_else(|| ClusterError::BadSnapshot {
                    path: snapshot.clone(),
                    reason: "missing, and no broker's meta.properties holds the cluster id".into(),
                })?;
            ClusterState::new(id)
        }
        Err(e) => return Err(io_err(&snapshot)(e)),
    };
    let mut replay = Replay::new(state.metadata_offset);
    for (offset, r) in records {
        if offset >= state.metadata_offset {
            replay.feed(&mut state, offset, r);
        }
    }
    state.metadata_offset = replay.applied_to();
    if state.brokers.is_empty() {
        return Err(ClusterError::BadSnapshot {
            path: snapshot,
            reason: "the old metadata registers no broker: the cluster was never completely \
                     created"
                .into(),
        });
    }
    // What was down in the old model was a stopped process.
    for b in state.brokers.values_mut() {
        b.running = b.status == BrokerStatus::Online;
    }
    Ok((state, count))
}

/// Moves the old files into [`CONVERTED_DIR`] (after the new log is written).
pub fn keep_old(layout: &Layout) -> Result<PathBuf, ClusterError> {
    let root = layout.root();
    let kept = root.join(CONVERTED_DIR);
    log::io::create_dir_all(&kept).map_err(io_err(&kept))?;
    for name in [OLD_SNAPSHOT, OLD_METADATA_DIR] {
        let from = root.join(name);
        if from.exists() {
            let to = kept.join(name);
            log::io::rename(&from, &to).map_err(io_err(&from))?;
        }
    }
    let tmp = root.join(format!("{OLD_SNAPSHOT}.tmp"));
    let _ = std::fs::remove_file(tmp);
    let _ = log::io::sync_dir(root);
    Ok(kept)
}
