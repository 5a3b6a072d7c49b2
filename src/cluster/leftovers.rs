//! Temporary files a failed or killed write left in the cluster directory, removed when the
//! cluster is opened, each under the lock its writers hold (so no write in progress loses
//! its file): a broker's checkpoint temp files (the broker's lock), `simulation.json`'s
//! (the controller lock) and the schema registry's (its lock). A copy of the metadata
//! log's (`quorum-state.tmp`, a snapshot's `.checkpoint.part`) go when the next active
//! controller opens it. A replica folder's own
//! (`<offset>.snapshot.tmp`, `leader-epoch-checkpoint.tmp`, `partition.metadata.tmp`) go
//! when its log is opened, by its writer ([`crate::log::producer_state::snapshot::remove_temp_files`]).
//!
//! Only filka's own temp names ([`crate::log::io::temp_path`] of the files it writes), only
//! inside the cluster. Best effort: a cluster that cannot be cleaned (read-only, or failing)
//! is still opened, and the next open tries again.
//!
//! Must not: print.

use std::path::PathBuf;

use super::layout::Layout;
use super::lock::FileLock;
use super::metadata::ClusterState;
use super::schema_file::SchemaFile;
use crate::log::{self, names};

/// The broker checkpoint files filka writes (under the broker's lock).
const BROKER_CHECKPOINTS: [&str; 3] = [
    names::RECOVERY_POINT_CHECKPOINT,
    names::REPLICATION_OFFSET_CHECKPOINT,
    names::LOG_START_OFFSET_CHECKPOINT,
];

/// Removes the brokers' checkpoint temp files and the schema registry's, each under its
/// lock, taken only when there is something to remove. Returns what it removed.
pub(super) fn remove_others(layout: &Layout, state: &ClusterState) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    for broker in state.brokers.keys().copied() {
        let found: Vec<PathBuf> = BROKER_CHECKPOINTS
            .iter()
            .map(|f| layout.broker_checkpoint(broker, f))
            .filter(|p| log::io::temp_path(p).exists())
            .collect();
        if found.is_empty() {
            continue;
        }
        let Ok(_lock) = FileLock::exclusive(&layout.broker_lock(broker)) else {
            continue;
        };
        for p in found {
            if let Ok(true) = log::io::remove_temp(&p) {
                removed.push(log::io::temp_path(&p));
            }
        }
    }
    // simulation.json's, under the controller lock its writers hold.
    let simulation = layout.root().join(super::simulation::SIMULATION_FILE);
    if log::io::temp_path(&simulation).exists()
        && let Ok(_lock) = FileLock::exclusive(&layout.controller_lock())
        && let Ok(true) = log::io::remove_temp(&simulation)
    {
        removed.push(log::io::temp_path(&simulation));
    }
    let schemas = SchemaFile::new(layout);
    if let Ok(true) = schemas.remove_leftover() {
        removed.push(log::io::temp_path(schemas.path()));
    }
    removed
}
