//! `simulation.json` at the cluster's root: the simulated state of the nodes, which is not
//! metadata (a Kafka cluster has no record of it): which brokers' processes are stopped,
//! which controllers are stopped, which brokers' followers are paused. Only what differs
//! from "running, not paused" is written; a missing file means every node runs.
//!
//! Written under the controller lock (`simulate-failure`), atomically; read by every open.
//!
//! Must not: take locks, or print.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::metadata::ClusterState;
use super::{ClusterError, io_err};

/// The file's name, at the cluster's root.
pub const SIMULATION_FILE: &str = "simulation.json";

/// One node's simulated state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// Its broker's process runs.
    #[serde(default = "yes")]
    pub running: bool,
    /// Its controller runs (for a voter of the controller quorum).
    #[serde(default = "yes")]
    pub controller_running: bool,
    /// Its followers stopped copying from their leaders.
    #[serde(default)]
    pub paused: bool,
}

fn yes() -> bool {
    true
}

impl Default for Node {
    fn default() -> Self {
        Node {
            running: true,
            controller_running: true,
            paused: false,
        }
    }
}

/// The simulated state of every node.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Simulation {
    /// Nodes by id, those that differ from the default.
    #[serde(default)]
    pub nodes: BTreeMap<i32, Node>,
}

impl Simulation {
    /// Reads the file; missing means every node runs. A file that does not parse is an
    /// error naming it.
    pub fn read(root: &Path) -> Result<Simulation, ClusterError> {
        let path = root.join(SIMULATION_FILE);
        match crate::log::io::read_file(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ClusterError::BadSnapshot {
                path,
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Simulation::default()),
            Err(e) => Err(io_err(&path)(e)),
        }
    }

    /// The simulated state the brokers of `state` carry.
    pub fn of(state: &ClusterState) -> Simulation {
        let mut nodes: BTreeMap<i32, Node> = state
            .brokers
            .values()
            .map(|b| {
                (
                    b.id,
                    Node {
                        running: b.running,
                        controller_running: b.controller_running,
                        paused: b.paused,
                    },
                )
            })
            .filter(|(_, n)| *n != Node::default())
            .collect();
        for &id in &state.stopped_controllers {
            nodes.insert(
                id,
                Node {
                    controller_running: false,
                    ..Node::default()
                },
            );
        }
        Simulation { nodes }
    }

    /// Sets the brokers of `state`, and its controller-only nodes, to this simulated state.
    pub fn apply_to(&self, state: &mut ClusterState) {
        for b in state.brokers.values_mut() {
            let n = self.nodes.get(&b.id).copied().unwrap_or_default();
            b.running = n.running;
            b.controller_running = n.controller_running;
            b.paused = n.paused;
        }
        state.stopped_controllers = self
            .nodes
            .iter()
            .filter(|(id, n)| !state.brokers.contains_key(id) && !n.controller_running)
            .map(|(&id, _)| id)
            .collect();
    }

    /// Writes the file atomically (removes it when every node runs).
    pub fn write(&self, root: &Path) -> Result<(), ClusterError> {
        let path = root.join(SIMULATION_FILE);
        if self.nodes.is_empty() {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(&path)(e)),
                _ => Ok(()),
            };
        }
        // Integers and booleans always serialize.
        let json = serde_json::to_vec_pretty(self).unwrap_or_default();
        crate::log::io::write_atomic(&path, &json).map_err(io_err(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::metadata::MetadataRecord;

    #[test]
    fn only_what_differs_is_written_and_it_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = ClusterState::new("c".into());
        for id in [101, 102] {
            s.apply(&MetadataRecord::RegisterBroker { id });
        }
        assert_eq!(Simulation::read(dir.path()).unwrap(), Simulation::default());
        s.brokers.get_mut(&102).unwrap().running = false;
        let sim = Simulation::of(&s);
        assert_eq!(sim.nodes.len(), 1);
        sim.write(dir.path()).unwrap();
        let mut fresh = s.clone();
        fresh.brokers.get_mut(&102).unwrap().running = true;
        Simulation::read(dir.path()).unwrap().apply_to(&mut fresh);
        assert_eq!(fresh, s);
        Simulation::default().write(dir.path()).unwrap();
        assert!(!dir.path().join(SIMULATION_FILE).exists());
    }
}
