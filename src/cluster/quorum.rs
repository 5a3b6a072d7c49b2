//! The controller quorum's files, as Kafka's KRaft keeps them in each voter's copy of the
//! metadata log (`broker-N/__cluster_metadata-0/`): `quorum-state`, the voter's view of the
//! election (who leads, in which epoch, whom it voted for, the voter set of a static
//! quorum), and the snapshots, `<end offset>-<epoch>.checkpoint`.
//!
//! `quorum-state` is written as Kafka 4.4 writes it for a static quorum
//! (`controller.quorum.voters`, kraft.version 0): QuorumStateData version 0 as JSON, e.g.
//! `{"clusterId":"","leaderId":101,"leaderEpoch":1,"votedId":-1,"appliedOffset":0,
//! "currentVoters":[{"voterId":101}],"data_version":0}`.
//!
//! Must not: decide elections (the controller does) or read the log.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{ClusterError, io_err};

/// The file in each voter's metadata log folder.
pub const QUORUM_STATE_FILE: &str = "quorum-state";
/// A snapshot's suffix, and the one of a snapshot still being written.
pub const SNAPSHOT_SUFFIX: &str = crate::log::names::KRAFT_SNAPSHOT_SUFFIX;
/// What a snapshot being written is called until it is whole (Kafka's `.checkpoint.part`).
pub const PARTIAL_SNAPSHOT_SUFFIX: &str = ".checkpoint.part";

/// One voter's view of the quorum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumState {
    /// The leader this voter knows of (-1: none).
    pub leader_id: i32,
    /// The epoch of that leadership (or of the election under way).
    pub leader_epoch: i32,
    /// Whom this voter voted for in `leader_epoch` (-1: nobody).
    pub voted_id: i32,
    /// The voter set (a static quorum's `controller.quorum.voters`).
    pub voters: Vec<i32>,
}

/// QuorumStateData version 0, field for field in Kafka's order.
#[derive(Debug, Serialize, Deserialize)]
struct Data {
    #[serde(rename = "clusterId", default)]
    cluster_id: String,
    #[serde(rename = "leaderId")]
    leader_id: i32,
    #[serde(rename = "leaderEpoch")]
    leader_epoch: i32,
    #[serde(rename = "votedId")]
    voted_id: i32,
    #[serde(rename = "appliedOffset", default)]
    applied_offset: i64,
    #[serde(rename = "currentVoters", default)]
    current_voters: Option<Vec<Voter>>,
    data_version: i16,
}

#[derive(Debug, Serialize, Deserialize)]
struct Voter {
    #[serde(rename = "voterId")]
    voter_id: i32,
}

impl QuorumState {
    /// The state of a new quorum: nobody leads yet, epoch 0.
    pub fn new(voters: Vec<i32>) -> QuorumState {
        QuorumState {
            leader_id: -1,
            leader_epoch: 0,
            voted_id: -1,
            voters,
        }
    }

    /// Reads the `quorum-state` of the metadata log folder `dir`; `None` when there is none.
    pub fn read(dir: &Path) -> Result<Option<QuorumState>, ClusterError> {
        let path = dir.join(QUORUM_STATE_FILE);
        let bytes = match crate::log::io::read_file(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&path)(e)),
        };
        let bad = |reason: String| ClusterError::BadSnapshot {
            path: path.clone(),
            reason,
        };
        let d: Data = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
        if d.data_version != 0 {
            return Err(bad(format!(
                "quorum-state data_version {} (a dynamic quorum, kraft.version 1): filka keeps \
                 static quorums, data_version 0",
                d.data_version
            )));
        }
        Ok(Some(QuorumState {
            leader_id: d.leader_id,
            leader_epoch: d.leader_epoch,
            voted_id: d.voted_id,
            voters: d
                .current_voters
                .unwrap_or_default()
                .into_iter()
                .map(|v| v.voter_id)
                .collect(),
        }))
    }

    /// Writes it as Kafka does, replacing the file atomically.
    pub fn write(&self, dir: &Path) -> Result<(), ClusterError> {
        let data = Data {
            cluster_id: String::new(),
            leader_id: self.leader_id,
            leader_epoch: self.leader_epoch,
            voted_id: self.voted_id,
            applied_offset: 0,
            current_voters: Some(self.voters.iter().map(|&v| Voter { voter_id: v }).collect()),
            data_version: 0,
        };
        let path = dir.join(QUORUM_STATE_FILE);
        let json = serde_json::to_vec(&data).map_err(|e| ClusterError::Invalid(e.to_string()))?;
        crate::log::io::write_atomic(&path, &json).map_err(io_err(&path))
    }

    /// Votes a majority of the voter set needs.
    pub fn majority(&self) -> usize {
        self.voters.len() / 2 + 1
    }
}

/// A snapshot's id: the log end offset it covers and the epoch of its last record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SnapshotId {
    /// The offset after its last record.
    pub end_offset: i64,
    /// The epoch of its last record.
    pub epoch: i32,
}

impl SnapshotId {
    /// `00000000000000000300-0000000002.checkpoint`, as Kafka names it.
    pub fn file_name(self) -> String {
        format!(
            "{:020}-{:010}{SNAPSHOT_SUFFIX}",
            self.end_offset, self.epoch
        )
    }

    /// The snapshot file in the metadata log folder `dir`.
    pub fn path(self, dir: &Path) -> PathBuf {
        dir.join(self.file_name())
    }

    /// Parses a whole snapshot's file name (not a `.part` or `.deleted` one).
    pub fn parse(name: &str) -> Option<SnapshotId> {
        let stem = name.strip_suffix(SNAPSHOT_SUFFIX)?;
        let (offset, epoch) = stem.split_once('-')?;
        if offset.len() != 20 || epoch.len() != 10 {
            return None;
        }
        Some(SnapshotId {
            end_offset: offset.parse().ok()?,
            epoch: epoch.parse().ok()?,
        })
    }
}

/// The whole snapshots in the metadata log folder `dir`, oldest first.
pub fn snapshots(dir: &Path) -> Result<Vec<SnapshotId>, ClusterError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(dir)(e)),
    };
    let mut out: Vec<SnapshotId> = entries
        .flatten()
        .filter_map(|e| SnapshotId::parse(e.file_name().to_str()?))
        .collect();
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Kafka 4.4 wrote for a one-node static quorum (a real node's file).
    const KAFKA_WROTE: &str = r#"{"clusterId":"","leaderId":101,"leaderEpoch":1,"votedId":-1,"appliedOffset":0,"currentVoters":[{"voterId":101}],"data_version":0}"#;

    #[test]
    fn quorum_state_is_kafkas_file_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(QUORUM_STATE_FILE), KAFKA_WROTE).unwrap();
        let q = QuorumState::read(dir.path()).unwrap().unwrap();
        assert_eq!(
            q,
            QuorumState {
                leader_id: 101,
                leader_epoch: 1,
                voted_id: -1,
                voters: vec![101],
            }
        );
        q.write(dir.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join(QUORUM_STATE_FILE)).unwrap(),
            KAFKA_WROTE
        );
        assert_eq!(QuorumState::new(vec![101, 102, 103]).majority(), 2);
        assert!(
            QuorumState::read(&dir.path().join("none"))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn snapshot_names_are_kafkas() {
        let id = SnapshotId {
            end_offset: 300,
            epoch: 2,
        };
        assert_eq!(id.file_name(), "00000000000000000300-0000000002.checkpoint");
        assert_eq!(SnapshotId::parse(&id.file_name()), Some(id));
        assert_eq!(
            SnapshotId::parse("00000000000000000300-0000000002.checkpoint.part"),
            None
        );
        assert_eq!(SnapshotId::parse("300-2.checkpoint"), None);
    }
}
