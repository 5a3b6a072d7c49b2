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
    /// Set when `root` is one Kafka node's log dir, opened read-only as a one-broker view
    /// ([`Layout::kafka_log_dir`]).
    kafka: Option<KafkaLogDir>,
}

/// What a read-only view of one Kafka log dir needs besides its path.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KafkaLogDir {
    /// The node whose log dir it is (`node.id` of its meta.properties).
    node: i32,
    /// Where locks, groups and schemas go, outside the log dir, which is never written.
    scratch: PathBuf,
}

impl Layout {
    /// The layout of the cluster at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Layout {
        Layout {
            root: root.into(),
            kafka: None,
        }
    }

    /// A read-only view of the log dir `dir` of Kafka node `node` (copied from a real
    /// broker): the node's folder is `dir` itself, the other brokers' folders are not there,
    /// and the locks, groups and schemas folders are in a scratch folder of the system's
    /// temporary directory, so that nothing is ever written into `dir`.
    pub fn kafka_log_dir(dir: impl Into<PathBuf>, node: i32) -> Layout {
        let root: PathBuf = dir.into();
        let key = crate::record::hash::murmur2(root.to_string_lossy().as_bytes()) as u32;
        let scratch = std::env::temp_dir().join(format!("filka-view-{key:08x}"));
        Layout {
            root,
            kafka: Some(KafkaLogDir { node, scratch }),
        }
    }

    /// The Kafka node whose log dir this read-only view is, if it is one.
    pub fn kafka_node(&self) -> Option<i32> {
        self.kafka.as_ref().map(|k| k.node)
    }

    /// Where the cluster's own folders (locks, groups, schemas) are: the root, or a
    /// Kafka log dir view's scratch folder.
    fn own(&self) -> &Path {
        self.kafka.as_ref().map_or(&self.root, |k| &k.scratch)
    }
    /// The cluster directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// A voter's copy of the metadata log: `controller-<id>/__cluster_metadata-0` for a
    /// controller-only node, else `broker-<id>/__cluster_metadata-0` (combined mode).
    pub fn metadata_copy(&self, voter: i32) -> PathBuf {
        if self.kafka.is_some() {
            return self.root.join(METADATA_LOG);
        }
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
        self.own().join(LOCKS_DIR)
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
        match &self.kafka {
            Some(k) if k.node == broker => self.root.clone(),
            // Its disk is not in this log dir: a path that names why, and does not exist.
            Some(_) => self
                .root
                .join(format!("broker-{broker} (not in this log dir)")),
            None => self.root.join(format!("broker-{broker}")),
        }
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
        self.own().join(GROUPS_DIR)
    }
    /// The schema registry folder.
    pub fn schemas(&self) -> PathBuf {
        self.own().join(SCHEMAS_DIR)
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
