//! The directory cluster: finding and creating it, its metadata (brokers, topics, leaders,
//! ISRs) changed only under the controller lock, topics, and the replicas of each
//! partition (see [`replica`]). Knows nothing of CLI flags or output formats.

pub mod clean;
mod commit;
pub mod controller;
pub mod epochs;
pub mod failover;
pub mod failure;
pub mod kraft;
pub mod layout;
mod leftovers;
pub mod locate;
pub mod lock;
pub mod membership;
pub mod metadata;
pub mod producer_ids;
pub mod quorum;
pub mod quota;
pub mod reassign;
pub mod replica;
pub mod retention;
pub mod schema_file;
pub mod settings;
pub mod simulation;
pub mod snapshot;
pub mod topic;
pub mod writer;
pub mod zookeeper;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::log::{self, LogError, checkpoint};

pub use layout::Layout;
pub use locate::{Location, find_root, locate};
use lock::{FileLock, LockError};
pub use metadata::{ClusterState, MetadataRecord, PartitionState, TopicState};
pub use snapshot::Opened;
use topic::{ConfigError, NameError, TopicConfig};

/// Brokers in the default cluster.
pub const DEFAULT_BROKERS: u32 = 3;
/// First broker id of the default cluster (the seed's 101, 102, 103).
pub const DEFAULT_FIRST_BROKER_ID: i32 = 101;
/// The most brokers `init` creates: each is a folder of files written with fsyncs, and a
/// local cluster of more is a typo (`--brokers 100000`) rather than a plan.
pub const MAX_BROKERS: u32 = 1000;
/// Partitions of an auto-created topic.
pub const AUTO_CREATE_PARTITIONS: u32 = 3;

/// Errors of the cluster layer.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// `controller-down` of a stopped controller, or `controller-up` of a running one.
    #[error("controller {id} is already {state}")]
    ControllerState {
        /// The voter.
        id: i32,
        /// "down" or "up".
        state: &'static str,
    },
    /// A write to a Kafka node's log dir, which filka opens read-only.
    #[error(
        "{} is a Kafka node's log dir (node {node}), which filka opens read-only: it reads \
         (consume, describe, group describe, dump) but never writes there",
        .path.display()
    )]
    ReadOnly {
        /// The log dir.
        path: PathBuf,
        /// Its node id.
        node: i32,
    },
    /// No cluster at the path.
    #[error("no filka cluster at {0} (run `filka init` or let a command create the default one)")]
    NotFound(PathBuf),
    /// `init` on a directory that already holds a cluster, or part of one.
    #[error("{path} already holds a filka cluster ({found} exists); refusing to overwrite it")]
    AlreadyExists {
        /// The directory.
        path: PathBuf,
        /// What belongs to a cluster there.
        found: PathBuf,
    },
    /// Part of a cluster (broker folders) without a copy of its metadata log.
    #[error(
        "{path} holds part of a filka cluster ({found}) but no copy of its metadata log \
         (broker-N/__cluster_metadata-0); refusing to create a new cluster over it (move it aside, or remove it \
         if it holds nothing you need)"
    )]
    Incomplete {
        /// The directory.
        path: PathBuf,
        /// What belongs to a cluster there.
        found: PathBuf,
    },
    /// A path inside a cluster that is neither its root nor one of its broker folders (a
    /// broker folder that does not exist, a partition folder, `locks/`...): opening it as a
    /// cluster would create a second cluster inside the first.
    #[error(
        "{path} is inside the filka cluster at {root} but is neither its directory nor one of \
         its broker folders ({brokers}); a cluster is never made inside another: use {root}"
    )]
    InsideCluster {
        /// The path given.
        path: PathBuf,
        /// The root of the cluster it is in.
        root: PathBuf,
        /// The cluster's broker folders, in words.
        brokers: String,
    },
    /// A metadata file (a snapshot, `simulation.json`, filka's earlier `cluster.json`)
    /// cannot be read.
    #[error("{path}: {reason}")]
    BadSnapshot {
        /// The snapshot file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A topic name is refused.
    #[error(transparent)]
    BadName(#[from] NameError),
    /// A topic config is refused.
    #[error(transparent)]
    BadConfig(#[from] ConfigError),
    /// The topic does not exist.
    #[error("topic {0:?} does not exist")]
    UnknownTopic(String),
    /// The partition does not exist.
    #[error("topic {topic:?} has no partition {partition} (it has {count})")]
    UnknownPartition {
        /// Topic.
        topic: String,
        /// Partition asked for.
        partition: u32,
        /// How many it has.
        count: u32,
    },
    /// The topic already exists.
    #[error("topic {0:?} already exists")]
    TopicExists(String),
    /// The name collides with an existing topic after `.`/`_` folding.
    #[error(
        "topic {name:?} collides with existing topic {existing:?} ('.' and '_' are the same in Kafka's metric names)"
    )]
    TopicCollision {
        /// The new name.
        name: String,
        /// The existing one.
        existing: String,
    },
    /// `__`-prefixed names are Kafka's internal topics.
    #[error("topic {0:?} is internal (names starting with '__' are reserved)")]
    InternalTopic(String),
    /// A request that cannot be satisfied (bad counts).
    #[error("{0}")]
    Invalid(String),
    /// The partition has no leader.
    #[error("{topic}-{partition} is offline: no leader")]
    Offline {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
    },
    /// acks=all refused before appending.
    #[error(
        "{topic}-{partition}: not enough in-sync replicas ({isr} in sync, min.insync.replicas={min})"
    )]
    NotEnoughReplicas {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// ISR size.
        isr: usize,
        /// Required.
        min: u32,
    },
    /// A replica's files are damaged, missing or cannot be written: Kafka's failed log dir,
    /// for this partition. A writer takes the replica offline (a new leader is elected if it
    /// led) and carries on; this error reaches a caller only when that was not possible.
    #[error("{topic}-{partition}: the replica on broker {broker} failed: {reason}")]
    ReplicaDamaged {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// The broker of the damaged replica.
        broker: i32,
        /// What is wrong, and where.
        reason: String,
    },
    /// A replica failed in the middle of a write and was taken offline: the write is tried
    /// again with the replicas left (an append finds its batch on the new leader, or
    /// appends it again). Reaches a caller only when it cannot try again.
    #[error(
        "{topic}-{partition}: the replica on broker {broker} failed ({reason}) and was taken offline"
    )]
    ReplicaFailedRetry {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// The broker of the failed replica.
        broker: i32,
        /// What was found.
        reason: String,
    },
    /// Replicating to (or repairing) one follower failed.
    #[error("{topic}-{partition}: replica on broker {broker}: {source}")]
    Replica {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// The follower's broker.
        broker: i32,
        /// What failed.
        #[source]
        source: Box<ClusterError>,
    },
    /// acks=all after the append: the leader has the batch, but the ISR fell below
    /// `min.insync.replicas` before acknowledging it (Kafka's
    /// NOT_ENOUGH_REPLICAS_AFTER_APPEND).
    #[error(
        "{topic}-{partition}: written to the leader but not acknowledged by min.insync.replicas ({isr} in sync, min.insync.replicas={min}); it may be visible, retrying may duplicate it"
    )]
    NotEnoughReplicasAfterAppend {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// ISR size.
        isr: usize,
        /// Required.
        min: u32,
    },
    /// acks=all after the append: the in-sync replicas did not all get the batch in time
    /// (Kafka's REQUEST_TIMED_OUT for a produce waiting on its replicas).
    #[error(
        "{topic}-{partition}: written to the leader, but the in-sync replicas did not all have it within {waited_ms} ms; it may be visible, retrying may duplicate it"
    )]
    AckTimeout {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// How long the writer waited.
        waited_ms: u64,
    },
    /// A transactional producer was fenced: another process took over its transactional
    /// id, or the coordinator aborted its transaction (Kafka's ProducerFenced).
    #[error("{0}")]
    ProducerFenced(String),
    /// A transaction step refused in the id's state now (Kafka's CONCURRENT_TRANSACTIONS:
    /// an end decided and not completed yet): a runtime state, not a bad argument.
    #[error("{0}")]
    TransactionState(String),
    /// A broker state change asked of a broker already in that state.
    #[error("broker {broker} is already {state}")]
    BrokerState {
        /// Broker.
        broker: i32,
        /// "up" or "down".
        state: &'static str,
    },
    /// The broker holds no replica of the partition.
    #[error("broker {broker} holds no replica of {topic}-{partition} (its replicas: {replicas:?})")]
    NoReplica {
        /// Broker.
        broker: i32,
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// The brokers that do.
        replicas: Vec<i32>,
    },
    /// A replica holds nothing a simulated failure could damage.
    #[error("{topic}-{partition} on broker {broker} {what}")]
    NothingToDamage {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// Broker.
        broker: i32,
        /// What is missing, in words.
        what: &'static str,
    },
    /// A record larger than the topic's `max.message.bytes` in a batch of its own, refused
    /// by the producer before it is added to a batch (Kafka's RecordTooLargeException).
    #[error("record of {size} bytes is larger than max.message.bytes ({max})")]
    RecordTooLarge {
        /// The record's size in a batch of its own.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// A record without a key for a compacted topic, refused by the producer before it joins
    /// a batch (Kafka's broker refuses it: InvalidRecordException, "Compacted topic cannot
    /// accept message without key").
    #[error(
        "a record without a key cannot go to topic {0}: its cleanup.policy has compact, \
         which keeps the latest record of each key (give each record a key, e.g. -K or -k)"
    )]
    KeylessOnCompacted(String),
    /// Compressing a batch failed: nothing of it was written.
    #[error(transparent)]
    Codec(#[from] crate::record::compression::CodecError),
    /// A lock failed.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The log layer failed.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The controller quorum has no majority: fewer than half of the voters run (their
    /// node or their controller is down), so no metadata change can be committed, elections
    /// of partition leaders included (Kafka's rule).
    #[error(
        "no controller quorum: {} of the {} voters run ({}); a metadata change needs a \
         majority ({}) (bring a controller back: filka simulate-failure broker-up or \
         controller-up)",
        .live.len(),
        .voters.len(),
        ids(.live),
        .voters.len() / 2 + 1
    )]
    NoQuorum {
        /// The voters that run.
        live: Vec<i32>,
        /// Every voter.
        voters: Vec<i32>,
    },
    /// A metadata change was made, but the work that follows it failed (a deleted topic's
    /// folders could not all be removed, a new topic's folders not all be made).
    #[error("{done}, but {source}")]
    AfterCommit {
        /// What was done, in words.
        done: String,
        /// What failed after.
        #[source]
        source: Box<ClusterError>,
    },
    /// Other I/O.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl ClusterError {
    /// True when the in-sync replicas fell short of `min.insync.replicas` before or after
    /// the append, or did not acknowledge in time: conditions that pass once replicas are
    /// back (Kafka's coordinators answer them with a retriable COORDINATOR_NOT_AVAILABLE).
    pub fn is_replica_shortfall(&self) -> bool {
        matches!(
            self,
            ClusterError::NotEnoughReplicas { .. }
                | ClusterError::NotEnoughReplicasAfterAppend { .. }
                | ClusterError::AckTimeout { .. }
        )
    }

    /// True when a replica's files are damaged or cannot be read or written (Kafka's
    /// KafkaStorageException), as opposed to a refusal or a metadata condition.
    pub fn is_damage(&self) -> bool {
        match self {
            ClusterError::Log(e) => e.is_damage(),
            ClusterError::Io { .. } | ClusterError::ReplicaDamaged { .. } => true,
            ClusterError::Replica { source, .. } => source.is_damage(),
            _ => false,
        }
    }
}

/// Broker ids in words: `101, 103`, or `none`.
fn ids(v: &[i32]) -> String {
    if v.is_empty() {
        return "none".to_string();
    }
    v.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
}

/// Maps an I/O error on `path` into a [`ClusterError`] (for `map_err`).
pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ClusterError + '_ {
    move |source| ClusterError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The refusal of `path`, which is inside the cluster at `root` but is neither its root nor
/// one of its broker folders.
fn inside(path: &Path, root: PathBuf) -> ClusterError {
    let names: Vec<String> = locate::broker_folders(&root)
        .iter()
        .filter_map(|(_, p)| Some(p.file_name()?.to_string_lossy().into_owned()))
        .collect();
    let brokers = match names.as_slice() {
        [] => "none".to_string(),
        [first, _, _, _, _, .., last] => format!("{first}, ..., {last} ({} brokers)", names.len()),
        _ => names.join(", "),
    };
    ClusterError::InsideCluster {
        path: path.to_path_buf(),
        root,
        brokers,
    }
}

/// 16 random bytes from the OS (cluster, topic and directory ids).
pub fn random_uuid() -> checkpoint::Uuid {
    use std::io::Read;
    let mut b = [0u8; 16];
    let filled = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .is_ok();
    if !filled {
        // Fall back to time and pid: unique enough for ids, never for secrets.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        b.copy_from_slice(&(t ^ (u128::from(std::process::id()) << 64)).to_be_bytes());
    }
    // RFC 4122 version 4 bits, as Java's UUID.randomUUID sets them.
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    checkpoint::Uuid(b)
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Ids of the brokers that are up.
fn online_ids(state: &ClusterState) -> Vec<i32> {
    state
        .brokers
        .values()
        .filter(|b| b.is_online())
        .map(|b| b.id)
        .collect()
}

/// A cluster directory and the metadata image read from it.
#[derive(Debug, Clone)]
pub struct Cluster {
    layout: Layout,
    /// Shared by the clones (a writer's, a consumer's): an image of a large cluster is tens
    /// of megabytes. Replaced whole, never changed in place.
    state: Arc<ClusterState>,
    /// The metadata's stamp taken before `state` was read from it (`None` once `state` was
    /// changed by a commit): while the files still say the same, `state` is current.
    loaded_stamp: Option<kraft::load::Stamp>,
    /// The metadata log ended inside a change that spans batches when it was read: the next
    /// change aborts it first.
    open_transaction: bool,
    /// Bytes of metadata log after which the controller takes a snapshot, when a test sets
    /// them; else `metadata.log.max.record.bytes.between.snapshots`.
    snapshot_bytes: Option<u64>,
}

fn meta_properties(cluster_id: &str, node_id: i32) -> String {
    // Java's Properties.store: a comment line, a date line, then key=value lines.
    let date = jiff::Timestamp::now().strftime("%a %b %d %H:%M:%S UTC %Y");
    format!(
        "#\n#{date}\nnode.id={node_id}\ndirectory.id={}\nversion=1\ncluster.id={cluster_id}\n",
        random_uuid()
    )
}

/// The voters of a new cluster's controller quorum when `init` is not told: the largest odd
/// number of brokers up to 5, the first ones (Kafka advises 3 or 5 controllers; an even
/// number tolerates no more failures than the odd number below it).
pub fn default_controllers(brokers: u32) -> u32 {
    let n = brokers.clamp(1, 5);
    if n.is_multiple_of(2) { n - 1 } else { n }
}

/// The ids of `n` controller-only nodes beside brokers `first_id..first_id + brokers`:
/// 1 to n, as in Kafka's example configs, when the brokers' ids start above them; else the
/// ids after the last broker's.
pub fn isolated_controller_ids(brokers: u32, first_id: i32, n: u32) -> Vec<i32> {
    let start = if i64::from(first_id) > i64::from(n) {
        1
    } else {
        first_id.saturating_add(brokers as i32)
    };
    (0..n).map(|i| start.saturating_add(i as i32)).collect()
}

impl Cluster {
    fn with(layout: Layout, loaded: kraft::load::Loaded) -> Cluster {
        Cluster {
            layout,
            state: Arc::new(loaded.state),
            loaded_stamp: Some(loaded.stamp),
            open_transaction: loaded.open_transaction,
            snapshot_bytes: None,
        }
    }

    /// Opens the cluster at `path`, or the one `path` is a broker folder of.
    pub fn open(path: &Path) -> Result<Cluster, ClusterError> {
        Ok(Cluster::open_reporting(path)?.0)
    }

    /// [`Cluster::open`], saying what opening did: a cluster of filka's earlier JSON
    /// metadata is converted to the KRaft metadata log, under the controller lock. A
    /// directory holding only part of a cluster is refused.
    pub fn open_reporting(path: &Path) -> Result<(Cluster, Opened), ClusterError> {
        let mut location = locate(path);
        // Looked at once: an init running meanwhile writes its first broker folder at any
        // moment, and a second look that saw it (after a first that saw nothing, so did not
        // wait for that init) would call a cluster being created incomplete.
        let part = if location == Location::Outside {
            snapshot::cluster_part(path)
        } else {
            None
        };
        if part.is_some() {
            // Broker folders without a metadata log: most likely an init still running (it
            // holds the controller lock from before its first folder to its first commit).
            // Wait for it before judging.
            let locks = Layout::new(path).locks();
            if locks.is_dir() {
                drop(FileLock::exclusive(&Layout::new(path).controller_lock())?);
                location = locate(path);
            }
        }
        let root = match location {
            Location::Root(root) | Location::Broker { root, .. } => root,
            Location::KafkaLogDir { dir, node } => {
                let layout = Layout::kafka_log_dir(dir, node);
                let loaded = kraft::load::load(&layout)?
                    .ok_or_else(|| ClusterError::NotFound(path.to_path_buf()))?;
                return Ok((Cluster::with(layout, loaded), Opened::Existing));
            }
            Location::Inside { root } => return Err(inside(path, root)),
            Location::Outside => {
                return Err(match part {
                    Some(found) => ClusterError::Incomplete {
                        path: path.to_path_buf(),
                        found,
                    },
                    None => ClusterError::NotFound(path.to_path_buf()),
                });
            }
        };
        let layout = Layout::new(root);
        // The old JSON metadata still in its place: a conversion not done, or not finished
        // (moving the old files aside is its last step), whatever copies of the new log a
        // killed one left.
        let (c, opened) = if kraft::convert::is_old(layout.root()) {
            Cluster::open_converting(layout)?
        } else {
            match kraft::load::load(&layout)? {
                Some(loaded) => (Cluster::with(layout, loaded), Opened::Existing),
                None => Cluster::open_converting(layout)?,
            }
        };
        leftovers::remove_others(&c.layout, &c.state);
        Ok((c, opened))
    }

    /// [`Cluster::open_reporting`] of a cluster with filka's earlier JSON metadata: converts
    /// it under the controller lock (another process may have done it meanwhile).
    fn open_converting(layout: Layout) -> Result<(Cluster, Opened), ClusterError> {
        let _controller = FileLock::exclusive(&layout.controller_lock())?;
        if !kraft::convert::is_old(layout.root()) {
            return match kraft::load::load(&layout)? {
                Some(loaded) => Ok((Cluster::with(layout, loaded), Opened::Existing)),
                None => Err(ClusterError::Incomplete {
                    path: layout.root().to_path_buf(),
                    found: layout.root().to_path_buf(),
                }),
            };
        }
        let converted = commit::convert(&layout)?;
        let loaded = kraft::load::load(&layout)?.ok_or_else(|| {
            ClusterError::Invalid(format!(
                "{}: the converted metadata log cannot be read back",
                layout.root().display()
            ))
        })?;
        Ok((Cluster::with(layout, loaded), Opened::Converted(converted)))
    }

    /// Opens the cluster at `path`, creating the default one (3 brokers, 101-103) when
    /// there is none; `created` is called with the path when that happens. See
    /// [`Cluster::open_or_create_reporting`].
    pub fn open_or_create(
        path: &Path,
        created: impl FnOnce(&Path),
    ) -> Result<Cluster, ClusterError> {
        let (c, opened) = Cluster::open_or_create_reporting(path)?;
        if opened == Opened::Created {
            created(path);
        }
        Ok(c)
    }

    /// Opens the cluster at `path`, creating the default one (3 brokers, 101-103) when
    /// there is none, and says which happened. Never creates one over part of a cluster:
    /// broker folders without the metadata log are refused.
    pub fn open_or_create_reporting(path: &Path) -> Result<(Cluster, Opened), ClusterError> {
        match Cluster::open_reporting(path) {
            Err(ClusterError::NotFound(_)) => {
                match Cluster::init(path, DEFAULT_BROKERS, DEFAULT_FIRST_BROKER_ID) {
                    Ok(c) => Ok((c, Opened::Created)),
                    // Another process is creating it: `init` holds the controller lock from
                    // before its first broker folder to its first commit, so wait for that.
                    Err(ClusterError::AlreadyExists { .. }) => {
                        let layout = Layout::new(path);
                        if layout.locks().is_dir() {
                            drop(FileLock::exclusive(&layout.controller_lock())?);
                        }
                        Cluster::open_reporting(path)
                    }
                    Err(e) => Err(e),
                }
            }
            r => r,
        }
    }

    /// Creates a cluster of `brokers` brokers with ids from `first_id`, the first
    /// [`default_controllers`] of them controllers. See [`Cluster::init_with_controllers`].
    pub fn init(path: &Path, brokers: u32, first_id: i32) -> Result<Cluster, ClusterError> {
        Cluster::init_with_controllers(path, brokers, first_id, default_controllers(brokers), false)
    }

    /// Creates a cluster of `brokers` brokers with ids from `first_id` and `controllers`
    /// controller-only nodes (isolated mode): brokers then go down without touching the
    /// quorum.
    pub fn init_isolated(
        path: &Path,
        brokers: u32,
        first_id: i32,
        controllers: u32,
    ) -> Result<Cluster, ClusterError> {
        Cluster::init_with_controllers(path, brokers, first_id, controllers, true)
    }

    /// Creates a cluster of `brokers` brokers with ids from `first_id` and a controller
    /// quorum of `controllers` voters: the first brokers (combined mode), or with
    /// `isolated` nodes of their own ([`isolated_controller_ids`]). Refuses to overwrite an
    /// existing cluster, or any part of one (a node's `meta.properties`, its metadata log),
    /// so a cluster is never made over another.
    pub fn init_with_controllers(
        path: &Path,
        brokers: u32,
        first_id: i32,
        controllers: u32,
        isolated: bool,
    ) -> Result<Cluster, ClusterError> {
        // Every argument is checked before the first folder is made.
        if brokers == 0 || brokers > MAX_BROKERS {
            return Err(ClusterError::Invalid(format!(
                "a cluster has 1 to {MAX_BROKERS} brokers, not {brokers}"
            )));
        }
        if controllers == 0 || (!isolated && controllers > brokers) || controllers > MAX_BROKERS {
            let most = if isolated { MAX_BROKERS } else { brokers };
            return Err(ClusterError::Invalid(format!(
                "a cluster of {brokers} brokers has 1 to {most} controllers{}, not {controllers}",
                if isolated { "" } else { " among them" }
            )));
        }
        let last_id = i64::from(first_id) + i64::from(brokers) - 1;
        if first_id < 0 || last_id > i64::from(i32::MAX) {
            return Err(ClusterError::Invalid(format!(
                "broker ids {first_id} to {last_id} are not all valid Kafka node ids (0 to {})",
                i32::MAX
            )));
        }
        let exists = |found| ClusterError::AlreadyExists {
            path: path.to_path_buf(),
            found,
        };
        // Checked before `locks/` is created, so a refused init changes nothing...
        if let Some(found) = snapshot::cluster_part(path) {
            return Err(exists(found));
        }
        // ...and never inside another cluster (a typo in a broker folder's name, a partition
        // folder): only a path whose parents hold no cluster may become one.
        if let Location::Inside { root } | Location::Broker { root, .. } = locate(path) {
            return Err(inside(path, root));
        }
        let layout = Layout::new(path);
        log::io::create_dir_all(&layout.locks()).map_err(io_err(&layout.locks()))?;
        let _controller = FileLock::exclusive(&layout.controller_lock())?;
        // ...and again under the lock, against another init that was faster.
        if let Some(found) = snapshot::cluster_part(path) {
            return Err(exists(found));
        }
        let state = ClusterState::new(random_uuid().to_base64());
        let mut c = Cluster {
            layout,
            state: Arc::new(state),
            loaded_stamp: None,
            open_transaction: false,
            snapshot_bytes: None,
        };
        let mut created = Vec::new();
        let isolated = isolated.then(|| isolated_controller_ids(brokers, first_id, controllers));
        let result = c.create_brokers(brokers, first_id, controllers, isolated, &mut created);
        if result.is_err() {
            // Leave nothing half-made behind (a later init would refuse it as part of a
            // cluster): only what this init created, newest first.
            for p in created.iter().rev() {
                let _ = log::io::remove_dir_all(p);
            }
        }
        result?;
        Ok(c)
    }

    /// `init`'s work under the controller lock: broker folders, the groups and schemas
    /// folders, the voters' copies of the metadata log, then its first records (the
    /// bootstrap records, the brokers' registrations). Records in `created` each folder it
    /// made, for the caller to remove on failure.
    fn create_brokers(
        &mut self,
        brokers: u32,
        first_id: i32,
        controllers: u32,
        isolated: Option<Vec<i32>>,
        created: &mut Vec<PathBuf>,
    ) -> Result<(), ClusterError> {
        let mut make_dir = |dir: PathBuf| {
            if !dir.exists() {
                created.push(dir.clone());
            }
            log::io::create_dir_all(&dir).map_err(io_err(&dir))
        };
        let mut records = Vec::new();
        let mut voters = Vec::new();
        for i in 0..brokers {
            // In range: init checked first_id + brokers - 1 <= i32::MAX.
            let id = first_id.saturating_add(i as i32);
            let dir = self.layout.broker_dir(id);
            make_dir(dir.clone())?;
            let props = dir.join(layout::META_PROPERTIES);
            log::io::write_atomic(
                &props,
                meta_properties(&self.state.cluster_id, id).as_bytes(),
            )
            .map_err(io_err(&props))?;
            for name in [
                log::names::RECOVERY_POINT_CHECKPOINT,
                log::names::REPLICATION_OFFSET_CHECKPOINT,
                log::names::LOG_START_OFFSET_CHECKPOINT,
            ] {
                checkpoint::write_offsets(&dir.join(name), &BTreeMap::new())?;
            }
            records.push(MetadataRecord::RegisterBroker { id });
            if isolated.is_none() && i < controllers {
                voters.push(id);
            }
        }
        for &id in isolated.iter().flatten() {
            let dir = self.layout.controller_dir(id);
            make_dir(dir.clone())?;
            let props = dir.join(layout::META_PROPERTIES);
            log::io::write_atomic(
                &props,
                meta_properties(&self.state.cluster_id, id).as_bytes(),
            )
            .map_err(io_err(&props))?;
            voters.push(id);
        }
        for d in [self.layout.groups(), self.layout.schemas()] {
            make_dir(d)?;
        }
        commit::bootstrap(&self.layout, &voters)?;
        let loaded = kraft::load::load(&self.layout)?.ok_or_else(|| {
            ClusterError::Invalid("the new metadata log cannot be read back".into())
        })?;
        self.state = Arc::new(loaded.state);
        self.loaded_stamp = Some(loaded.stamp);
        self.commit_translated(commit::bootstrap_records(), "Bootstrap records", true)?;
        self.commit(records)
    }

    /// Refuses when this is a read-only view of a Kafka node's log dir.
    pub fn writable(&self) -> Result<(), ClusterError> {
        match self.layout.kafka_node() {
            Some(node) => Err(ClusterError::ReadOnly {
                path: self.layout.root().to_path_buf(),
                node,
            }),
            None => Ok(()),
        }
    }

    /// The paths.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Changes node `id`'s simulated state (`simulation.json`: its process or its
    /// controller stopped or started, its followers paused) under the controller lock, and
    /// re-reads the image. No metadata record: a Kafka cluster has none of these; the
    /// controller learns of them as Kafka's does (a fence, an election) when asked to.
    pub fn set_node(
        &mut self,
        id: i32,
        f: impl FnOnce(&mut simulation::Node),
    ) -> Result<(), ClusterError> {
        self.writable()?;
        let _controller = FileLock::exclusive(&self.layout.controller_lock())?;
        let mut sim = simulation::Simulation::read(self.layout.root())?;
        let node = sim.nodes.entry(id).or_default();
        f(node);
        if *node == simulation::Node::default() {
            sim.nodes.remove(&id);
        }
        sim.write(self.layout.root())?;
        self.reload_image()
    }

    /// The metadata as last read.
    pub fn state(&self) -> &ClusterState {
        &self.state
    }

    /// Re-reads the metadata image (after another process may have changed it).
    pub fn reload(&mut self) -> Result<(), ClusterError> {
        self.reload_image()
    }

    fn reload_image(&mut self) -> Result<(), ClusterError> {
        let loaded = kraft::load::load(&self.layout)?
            .ok_or_else(|| ClusterError::NotFound(self.layout.root().to_path_buf()))?;
        self.state = Arc::new(loaded.state);
        self.loaded_stamp = Some(loaded.stamp);
        self.open_transaction = loaded.open_transaction;
        Ok(())
    }

    /// Re-reads the metadata image when it may have changed since it was read ([`Cluster::
    /// metadata_stamp`] differs), as a Kafka client refreshes its metadata: cheap when
    /// nothing changed.
    pub fn refresh(&mut self) -> Result<(), ClusterError> {
        if self.loaded_stamp.is_some() && self.loaded_stamp == Some(self.metadata_stamp()) {
            return Ok(());
        }
        self.reload_image()
    }

    /// The metadata's stamp taken before this image was read from it (`None` when the image
    /// was changed since, by a commit): see [`Cluster::metadata_stamp`].
    pub fn loaded_stamp(&self) -> Option<&kraft::load::Stamp> {
        self.loaded_stamp.as_ref()
    }

    /// A token that changes whenever the metadata may have: the voters' copies of the
    /// metadata log grew or were cut, or the simulated state changed. Cheap (a few `stat`s),
    /// for writers that follow metadata changes as a Kafka client refreshes its metadata.
    pub fn metadata_stamp(&self) -> kraft::load::Stamp {
        kraft::load::stamp(&self.layout, &self.state)
    }

    /// Makes a metadata change: under the controller lock, reads the current image, lets
    /// `f` decide the records, and commits them through the controller quorum (Kafka's
    /// records in every running voter's copy of the metadata log, committed on a majority).
    /// Returns `f`'s value. All or nothing: an error means the change is not made.
    pub fn update<T>(
        &mut self,
        f: impl FnOnce(&ClusterState) -> Result<(Vec<MetadataRecord>, T), ClusterError>,
    ) -> Result<T, ClusterError> {
        self.writable()?;
        let _controller = FileLock::exclusive(&self.layout.controller_lock())?;
        self.reload_image()?;
        let mut active = None;
        if self.uncommitted_tail()? {
            // A controller stopped during a change, leaving records past the commit point
            // in a copy: they are cut before anything is decided.
            active = Some(kraft::raft::Active::start_cutting_tail(
                &self.layout,
                &self.state,
            )?);
            self.reload_image()?;
        }
        let (records, out) = f(&self.state)?;
        if !records.is_empty() || active.as_ref().is_some_and(|a| a.elected.is_some()) {
            self.commit_from(active, records)?;
        }
        Ok(out)
    }

    /// A running voter's copy holds records past the commit point.
    fn uncommitted_tail(&self) -> Result<bool, ClusterError> {
        let view = self.quorum()?;
        let live = kraft::raft::live_voters(&view, &self.state);
        Ok(view
            .copies
            .iter()
            .any(|c| live.contains(&c.voter) && c.log_end > view.high_watermark))
    }

    /// The metadata log as a story: every record in words, the partition changes' reasons
    /// from the notes file, the quorum's leader changes.
    pub fn history(&self) -> Result<Vec<kraft::history::Entry>, ClusterError> {
        let view = kraft::raft::QuorumView::read(&self.layout)?
            .ok_or_else(|| ClusterError::NotFound(self.layout.root().to_path_buf()))?;
        let source = view.source();
        kraft::history::history(
            &self.layout,
            &source.dir,
            view.high_watermark,
            &self.state.cluster_id,
        )
    }

    /// The controller quorum as its files say.
    pub fn quorum(&self) -> Result<kraft::raft::QuorumView, ClusterError> {
        kraft::raft::QuorumView::read(&self.layout)?
            .ok_or_else(|| ClusterError::NotFound(self.layout.root().to_path_buf()))
    }

    /// The znode tree this cluster would have had in ZooKeeper (`describe zookeeper`): from
    /// the image, the controller quorum, and what the metadata log says beyond the image.
    pub fn zookeeper(&self) -> Result<zookeeper::ZkTree, ClusterError> {
        zookeeper::read(&self.layout, &self.state)
    }

    /// A topic's state.
    pub fn topic(&self, name: &str) -> Result<&TopicState, ClusterError> {
        self.state
            .topics
            .get(name)
            .ok_or_else(|| ClusterError::UnknownTopic(name.to_string()))
    }

    /// A topic's resolved config: defaults, then the cluster-wide defaults, then its own
    /// overrides.
    pub fn topic_config(&self, name: &str) -> Result<TopicConfig, ClusterError> {
        let topic = &self.topic(name)?.configs;
        Ok(TopicConfig::resolve_with(&self.state.configs, topic)?)
    }

    /// Sets cluster-wide settings ([`settings::SETTINGS`]), keeping the others already
    /// set: one AlterClusterConfigs change (ConfigRecords of the cluster-default broker
    /// resource in the metadata log), none when nothing changes.
    pub fn set_cluster_configs(
        &mut self,
        set: BTreeMap<String, String>,
    ) -> Result<(), ClusterError> {
        TopicConfig::validate_cluster(&set)?;
        self.alter_cluster_configs(|configs| configs.extend(set))
    }

    /// Removes cluster-wide settings (they go back to Kafka's defaults), as
    /// `kafka-configs --entity-default --delete-config`. Names that are not set are ignored;
    /// unknown names are refused.
    pub fn unset_cluster_configs(&mut self, names: &[String]) -> Result<(), ClusterError> {
        for n in names {
            if settings::setting(n).is_none() {
                // The same refusal (and hint) as setting it.
                settings::validate(n, "")?;
            }
        }
        self.alter_cluster_configs(|configs| {
            for n in names {
                configs.remove(n);
            }
        })
    }

    fn alter_cluster_configs(
        &mut self,
        change: impl FnOnce(&mut BTreeMap<String, String>),
    ) -> Result<(), ClusterError> {
        let mut after = self.state.configs.clone();
        change(&mut after);
        let before = &self.state.configs;
        let diff: Vec<(String, Option<String>)> = after
            .keys()
            .chain(before.keys())
            .filter(|k| after.get(*k) != before.get(*k))
            .map(|k| (k.clone(), after.get(k).cloned()))
            .collect();
        // What readers no longer see stays deleted whatever the new settings (outside the
        // controller lock: writers may take it for ISR changes).
        let longer = clean::lengthened_by(self, &self.state.configs, &after);
        clean::settle_retention(self, &longer)?;
        self.update(|state| {
            // Applied to the configs as they are now (another process may have changed
            // others since they were read).
            let mut configs = state.configs.clone();
            for (k, v) in diff {
                match v {
                    Some(v) => configs.insert(k, v),
                    None => configs.remove(&k),
                };
            }
            if configs == state.configs {
                return Ok((Vec::new(), ()));
            }
            Ok((vec![MetadataRecord::AlterClusterConfigs { configs }], ()))
        })
    }

    /// The broker-only cluster-wide settings (retention check interval, cleaner settings).
    pub fn settings(&self) -> settings::ClusterSettings {
        settings::ClusterSettings::resolve(&self.state.configs)
    }

    /// A partition's state.
    pub fn partition(&self, topic: &str, partition: u32) -> Result<&PartitionState, ClusterError> {
        let t = self.topic(topic)?;
        t.partitions
            .get(partition as usize)
            .ok_or_else(|| ClusterError::UnknownPartition {
                topic: topic.to_string(),
                partition,
                count: t.partitions.len() as u32,
            })
    }

    /// Brokers that are up.
    pub fn online_brokers(&self) -> Vec<i32> {
        online_ids(&self.state)
    }

    /// filka's defaults for a new topic, the same for `topic create` and auto-creation:
    /// 3 partitions, replication factor min(3, online brokers), and `min.insync.replicas=2`
    /// when the replication factor is 3 or more (unless `configs` sets it). Returns the
    /// partitions and replication factor to use.
    pub fn topic_defaults(
        &self,
        partitions: Option<u32>,
        replication_factor: Option<u32>,
        configs: &mut BTreeMap<String, String>,
    ) -> (u32, u32) {
        let online = self.online_brokers().len() as u32;
        let rf = replication_factor.unwrap_or(online.clamp(1, 3));
        if rf >= 3 {
            configs
                .entry("min.insync.replicas".to_string())
                .or_insert_with(|| "2".to_string());
        }
        (partitions.unwrap_or(AUTO_CREATE_PARTITIONS), rf)
    }

    /// Creates a topic (Kafka's rules for names, configs and replica assignment) and its
    /// replica folders. `internal` allows `__`-prefixed names (filka's own topics).
    pub fn create_topic(
        &mut self,
        name: &str,
        partitions: u32,
        replication_factor: u32,
        configs: BTreeMap<String, String>,
        internal: bool,
    ) -> Result<(), ClusterError> {
        topic::validate_name(name)?;
        if topic::is_internal(name) && !internal {
            return Err(ClusterError::InternalTopic(name.to_string()));
        }
        if partitions == 0 {
            return Err(ClusterError::Invalid(
                "a topic needs at least 1 partition".into(),
            ));
        }
        TopicConfig::resolve(&configs)?;
        let topic_id = random_uuid().to_base64();
        let name_owned = name.to_string();
        self.update(|state| {
            if state.topics.contains_key(name) {
                return Err(ClusterError::TopicExists(name.to_string()));
            }
            let key = topic::collision_key(name);
            if let Some(existing) = state.topics.keys().find(|t| topic::collision_key(t) == key) {
                return Err(ClusterError::TopicCollision {
                    name: name.to_string(),
                    existing: existing.clone(),
                });
            }
            let online = online_ids(state);
            if replication_factor == 0 || replication_factor as usize > online.len() {
                return Err(ClusterError::Invalid(format!(
                    "replication factor {replication_factor} is not between 1 and the {} online brokers",
                    online.len()
                )));
            }
            let assignment =
                topic::assign_replicas(name, &online, partitions, replication_factor, 0);
            let record = MetadataRecord::CreateTopic {
                name: name_owned,
                topic_id,
                configs,
                partitions: assignment
                    .into_iter()
                    .enumerate()
                    .map(|(p, replicas)| metadata::NewPartition {
                        partition: p as u32,
                        replicas,
                    })
                    .collect(),
            };
            Ok((vec![record], ()))
        })?;
        self.ensure_replica_dirs(name)
            .map_err(|e| ClusterError::AfterCommit {
                done: format!(
                    "topic {name:?} is created (the replica folders missing are made at its \
                     first write)"
                ),
                source: Box::new(e),
            })
    }

    /// Creates the replica folders of a topic's partitions that do not exist yet, each under
    /// its partition lock: a producer that found the topic the moment it was committed
    /// creates them too, and two processes writing the same checkpoint file at once would
    /// trip over each other's temporary file.
    ///
    /// A new replica starts with its leader-epoch history and broker checkpoint entries
    /// written (epoch at offset 0, recovery point and high watermark 0), so the first
    /// append does not pay their fsyncs while its data is dirty.
    fn ensure_replica_dirs(&self, name: &str) -> Result<(), ClusterError> {
        let t = self.topic(name)?;
        let mut fresh = Vec::new();
        for p in &t.partitions {
            let _lock = FileLock::exclusive(&self.layout.partition_lock(name, p.partition))?;
            for &b in &p.replicas {
                let dir = self.layout.replica_dir(b, name, p.partition);
                let new = !dir.join(log::names::PARTITION_METADATA).exists();
                let epoch = (new && p.leader_epoch == 0).then_some(0);
                replica::ensure_replica_dir_at(
                    &self.layout,
                    name,
                    &t.topic_id,
                    p.partition,
                    b,
                    epoch,
                )?;
                if new {
                    fresh.push(writer::CheckpointUpdate {
                        broker: b,
                        tp: (name.to_string(), p.partition),
                        recovery_point: 0,
                        high_watermark: 0,
                        log_start_offset: None,
                    });
                }
            }
        }
        writer::write_checkpoints(&self.layout, &fresh)
    }

    /// Deletes a topic: the metadata record first (so nobody finds it any more), then each
    /// replica's folder and the partition's lock file (which holds the partition's lock
    /// record) under its partition lock, the topic's entries in every broker's checkpoint
    /// files under that broker's lock, and the topic's lock folder. A topic created again
    /// under the name inherits nothing: no recovery point, high watermark or log start
    /// offset of the old one.
    pub fn delete_topic(&mut self, name: &str) -> Result<(), ClusterError> {
        let mut doomed = None;
        let deleted = self.update(|state| {
            let t = state
                .topics
                .get(name)
                .cloned()
                .ok_or_else(|| ClusterError::UnknownTopic(name.to_string()))?;
            doomed = Some(t);
            Ok((
                vec![MetadataRecord::DeleteTopic {
                    name: name.to_string(),
                }],
                (),
            ))
        });
        deleted?;
        let Some(t) = doomed else {
            return Ok(());
        };
        self.remove_topic_files(name, &t)
            .map_err(|e| ClusterError::AfterCommit {
                done: format!("topic {name:?} is deleted from the metadata"),
                source: Box::new(e),
            })
    }

    /// A deleted topic's files: each replica's folder and the partition's lock file (which
    /// holds the partition's lock record) under its partition lock, the topic's entries in
    /// every broker's checkpoint files under that broker's lock, and the topic's lock
    /// folder.
    fn remove_topic_files(&self, name: &str, t: &TopicState) -> Result<(), ClusterError> {
        for p in &t.partitions {
            let lock = FileLock::exclusive(&self.layout.partition_lock(name, p.partition))?;
            for &b in &p.replicas {
                let dir = self.layout.replica_dir(b, name, p.partition);
                log::io::remove_dir_all(&dir).map_err(io_err(&dir))?;
            }
            // Removed while held: a writer waiting for it starts over on a new file.
            lock.remove()?;
        }
        for broker in self.state.broker_ids() {
            self.forget_checkpoints(broker, name)?;
        }
        // Empty now, unless a late writer of the old topic made a new lock meanwhile: that
        // one stays (it is a lock file like any other).
        let locks = self.layout.partition_locks(name);
        match std::fs::remove_dir(&locks) {
            Ok(()) => Ok(()),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::DirectoryNotEmpty
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(io_err(&locks)(e)),
        }
    }

    /// Drops a deleted topic's entries from one broker's checkpoint files, under the broker's
    /// checkpoint lock (the lock every rewrite of them takes).
    fn forget_checkpoints(&self, broker: i32, topic: &str) -> Result<(), ClusterError> {
        let _lock = FileLock::exclusive(&self.layout.broker_lock(broker))?;
        for file in [
            log::names::RECOVERY_POINT_CHECKPOINT,
            log::names::REPLICATION_OFFSET_CHECKPOINT,
            log::names::LOG_START_OFFSET_CHECKPOINT,
        ] {
            let path = self.layout.broker_checkpoint(broker, file);
            if !path.exists() {
                continue;
            }
            let mut map = checkpoint::read_offsets(&path)?;
            let before = map.len();
            map.retain(|(t, _), _| t != topic);
            if map.len() != before {
                checkpoint::write_offsets(&path, &map)?;
            }
        }
        Ok(())
    }

    /// Adds partitions (never removes, as Kafka) and/or replaces config overrides.
    pub fn alter_topic(
        &mut self,
        name: &str,
        partitions: Option<u32>,
        set_configs: BTreeMap<String, String>,
    ) -> Result<(), ClusterError> {
        // What readers no longer see stays deleted whatever the new retention (see
        // clean::settle_retention).
        if let Ok(t) = self.topic(name) {
            let mut overrides = t.configs.clone();
            overrides.extend(set_configs.clone());
            let limits = |o| {
                TopicConfig::resolve_with(&self.state.configs, o).map(|c| retention::limits(&c))
            };
            if let (Ok(old), Ok(new)) = (limits(&t.configs), limits(&overrides))
                && clean::keeps_longer(old, new)
            {
                clean::settle_retention(self, &[name.to_string()])?;
            }
        }
        self.update(|state| {
            let t = state
                .topics
                .get(name)
                .ok_or_else(|| ClusterError::UnknownTopic(name.to_string()))?;
            let mut records = Vec::new();
            if let Some(n) = partitions {
                let have = t.partitions.len() as u32;
                if n < have {
                    return Err(ClusterError::Invalid(format!(
                        "topic {name:?} has {have} partitions; Kafka can only add partitions, not remove them"
                    )));
                }
                if n > have {
                    let online = online_ids(state);
                    let rf = t.partitions.first().map_or(1, |p| p.replicas.len()) as u32;
                    if rf as usize > online.len() {
                        return Err(ClusterError::Invalid(format!(
                            "replication factor {rf} needs {rf} online brokers, {} are online",
                            online.len()
                        )));
                    }
                    let assignment = topic::assign_replicas(name, &online, n - have, rf, have);
                    records.push(MetadataRecord::CreatePartitions {
                        topic: name.to_string(),
                        partitions: assignment
                            .into_iter()
                            .enumerate()
                            .map(|(i, replicas)| metadata::NewPartition {
                                partition: have + i as u32,
                                replicas,
                            })
                            .collect(),
                    });
                }
            }
            if !set_configs.is_empty() {
                let mut configs = t.configs.clone();
                configs.extend(set_configs);
                TopicConfig::resolve(&configs)?;
                records.push(MetadataRecord::AlterConfigs {
                    topic: name.to_string(),
                    configs,
                });
            }
            Ok((records, ()))
        })?;
        self.ensure_replica_dirs(name)
            .map_err(|e| ClusterError::AfterCommit {
                done: format!(
                    "topic {name:?} is altered (the replica folders missing are made at its \
                     first write)"
                ),
                source: Box::new(e),
            })
    }
}

#[cfg(test)]
mod commit_tests;
#[cfg(test)]
mod fault_matrix_tests;
#[cfg(test)]
mod tests;

#[cfg(test)]
mod replication_tests;
