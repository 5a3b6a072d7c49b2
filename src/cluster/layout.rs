//! Every path of a cluster directory, built in one place (DESIGN.md "Cluster directory").

use std::path::{Path, PathBuf};

use crate::log::names;

/// The metadata log's partition folder, named as KRaft names it (in each voter's folder).
pub const METADATA_LOG: &str = crate::log::names::METADATA_LOG_DIR;
/// Lock files.
pub const LOCKS_DIR: &str = "locks";
/// Consumer-group membership.
pub const GROUPS_DIR: &str = "groups";
/// The local schema registry.
pub const SCHEMAS_DIR: &str = "schemas";
/// The schema registry's file inside [`SCHEMAS_DIR`].
pub const SCHEMA_REGISTRY_FILE: &str = "registry.json";
/// The lock writers of the schema registry hold, inside [`LOCKS_DIR`].
pub const SCHEMA_REGISTRY_LOCK: &str = "schemas.lock";
/// Broker identity file in each broker folder (a Kafka log dir's, named in log/names.rs).
pub const META_PROPERTIES: &str = crate::log::names::META_PROPERTIES;

/// Paths of one cluster directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The layout of the cluster at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Layout {
        Layout { root: root.into() }
    }
    /// The cluster directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// A voter's copy of the metadata log: `controller-<id>/__cluster_metadata-0` for a
    /// controller-only node, else `broker-<id>/__cluster_metadata-0` (combined mode).
    pub fn metadata_copy(&self, voter: i32) -> PathBuf {
        let controller = self.controller_dir(voter);
        if controller.is_dir() {
            controller.join(METADATA_LOG)
        } else {
            self.broker_dir(voter).join(METADATA_LOG)
        }
    }
    /// The folder of a controller-only node (Kafka's `process.roles=controller`): its
    /// `meta.properties` and its copy of the metadata log.
    pub fn controller_dir(&self, id: i32) -> PathBuf {
        self.root.join(format!("controller-{id}"))
    }
    /// The locks folder.
    pub fn locks(&self) -> PathBuf {
        self.root.join(LOCKS_DIR)
    }
    /// The controller lock: held by whoever changes metadata.
    pub fn controller_lock(&self) -> PathBuf {
        self.locks().join("controller.lock")
    }
    /// The lock serializing appends to one partition (all its replicas):
    /// `locks/partitions/<topic>/<p>.lock`. A folder per topic keeps the file name short
    /// (a 249-character topic plus `-0.lock` would pass the 255-byte name limit) and apart
    /// from the other locks (a topic may be called `controller.lock`).
    pub fn partition_lock(&self, topic: &str, partition: u32) -> PathBuf {
        self.partition_locks(topic)
            .join(format!("{partition}.lock"))
    }
    /// The folder of a topic's partition locks (removed with the topic).
    pub fn partition_locks(&self, topic: &str) -> PathBuf {
        self.locks().join("partitions").join(topic)
    }
    /// The lock serializing rewrites of one broker's checkpoint files.
    pub fn broker_lock(&self, broker: i32) -> PathBuf {
        self.locks().join(format!("broker-{broker}.lock"))
    }
    /// A broker's folder (its Kafka log.dir).
    pub fn broker_dir(&self, broker: i32) -> PathBuf {
        self.root.join(format!("broker-{broker}"))
    }
    /// A replica's folder inside its broker's folder.
    pub fn replica_dir(&self, broker: i32, topic: &str, partition: u32) -> PathBuf {
        self.broker_dir(broker)
            .join(names::partition_dir_name(topic, partition))
    }
    /// A broker checkpoint file (`names::RECOVERY_POINT_CHECKPOINT`, ...).
    pub fn broker_checkpoint(&self, broker: i32, name: &str) -> PathBuf {
        self.broker_dir(broker).join(name)
    }
    /// The consumer-groups folder.
    pub fn groups(&self) -> PathBuf {
        self.root.join(GROUPS_DIR)
    }
    /// The schema registry folder.
    pub fn schemas(&self) -> PathBuf {
        self.root.join(SCHEMAS_DIR)
    }
    /// The schema registry's file, `schemas/registry.json`.
    pub fn schema_registry(&self) -> PathBuf {
        self.schemas().join(SCHEMA_REGISTRY_FILE)
    }
    /// The lock writers of the schema registry hold.
    pub fn schema_registry_lock(&self) -> PathBuf {
        self.locks().join(SCHEMA_REGISTRY_LOCK)
    }
}

/// Parses `broker-101` into 101.
pub fn parse_broker_dir(name: &str) -> Option<i32> {
    name.strip_prefix("broker-")?.parse().ok()
}

/// Parses `controller-1` into 1.
pub fn parse_controller_dir(name: &str) -> Option<i32> {
    name.strip_prefix("controller-")?.parse().ok()
}
