//! The directory cluster: finding and creating it, its metadata (brokers, topics, leaders,
//! ISRs) changed only under the controller lock, topics, and the replicas of each
//! partition (see [`replica`]). Knows nothing of CLI flags or output formats.

mod commit;
pub mod controller;
pub mod epochs;
pub mod failover;
pub mod failure;
pub mod layout;
mod leftovers;
pub mod locate;
pub mod lock;
pub mod metadata;
pub mod producer_ids;
pub mod quorum;
pub mod replica;
pub mod schema_file;
pub mod snapshot;
pub mod topic;
pub mod writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::log::{self, LogError, LogReader, checkpoint};

pub use commit::CaughtUp;
pub use layout::Layout;
pub use locate::{Location, find_root, locate};
use lock::{FileLock, LockError};
pub use metadata::{ClusterState, MetadataRecord, PartitionState, TopicState};
pub use snapshot::{Opened, Rebuilt};
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
    /// Part of a cluster (broker folders) without its snapshot or metadata log.
    #[error(
        "{path} holds part of a filka cluster ({found}) but neither cluster.json nor the \
         metadata log; refusing to create a new cluster over it (move it aside, or remove it \
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
    /// `cluster.json` cannot be read.
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
    /// Compressing a batch failed: nothing of it was written.
    #[error(transparent)]
    Codec(#[from] crate::record::compression::CodecError),
    /// A lock failed.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The log layer failed.
    #[error(transparent)]
    Log(#[from] LogError),
    /// A metadata change stands although its command failed: it is in the metadata log
    /// (written whole), but `cluster.json` could not be written, and cutting the change
    /// back out of the log failed too. The next open applies it to `cluster.json` and
    /// names it.
    #[error(
        "{change} is in the metadata log, but cluster.json was not written ({source}) and \
         taking the change back failed ({undo}): it stands, and shows once cluster.json can \
         be written (the next filka command that opens the cluster writes it and says so)"
    )]
    CommittedNotShown {
        /// The change, named ([`metadata::change_name`]).
        change: String,
        /// Why it could not be shown.
        #[source]
        source: Box<ClusterError>,
        /// Why it could not be taken back.
        undo: Box<ClusterError>,
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
        .filter(|b| b.status == metadata::BrokerStatus::Online)
        .map(|b| b.id)
        .collect()
}

/// A cluster directory and the metadata snapshot read from it.
#[derive(Debug, Clone)]
pub struct Cluster {
    layout: Layout,
    state: ClusterState,
}

fn meta_properties(cluster_id: &str, node_id: i32) -> String {
    // Java's Properties.store: a comment line, a date line, then key=value lines.
    let date = jiff::Timestamp::now().strftime("%a %b %d %H:%M:%S UTC %Y");
    format!(
        "#\n#{date}\nnode.id={node_id}\ndirectory.id={}\nversion=1\ncluster.id={cluster_id}\n",
        random_uuid()
    )
}

impl Cluster {
    /// Opens the cluster at `path`, or the one `path` is a broker folder of.
    pub fn open(path: &Path) -> Result<Cluster, ClusterError> {
        Ok(Cluster::open_reporting(path)?.0)
    }

    /// [`Cluster::open`], saying whether the snapshot had to be rebuilt: when `cluster.json`
    /// is missing but the metadata log is there, the snapshot is rebuilt from the log (the
    /// cluster id from the brokers' `meta.properties`) and written back, under the
    /// controller lock. A directory holding only part of a cluster is refused.
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
            // holds the controller lock from before its first folder to its snapshot).
            // Wait for it before judging.
            let locks = Layout::new(path).locks();
            if locks.is_dir() {
                drop(FileLock::exclusive(&Layout::new(path).controller_lock())?);
                location = locate(path);
            }
        }
        let root = match location {
            Location::Root(root) | Location::Broker { root, .. } => root,
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
        let (c, opened) = match snapshot::read(&layout)? {
            // The common case costs a look at the metadata log's tail and one `stat`.
            Some(state)
                if commit::log_end(&layout).is_none_or(|end| end <= state.metadata_offset)
                    && !leftovers::snapshot_temp_exists(&layout) =>
            {
                (Cluster { layout, state }, Opened::Existing)
            }
            found => Cluster::open_as_controller(layout, found)?,
        };
        leftovers::remove_others(&c.layout, &c.state);
        Ok((c, opened))
    }

    /// [`Cluster::open_reporting`] when the snapshot needs the controller: it is missing
    /// (rebuilt from the metadata log and written back), or behind the metadata log (what
    /// the log holds past it is applied and written: [`Cluster::catch_up`]), or a
    /// `cluster.json.tmp` is left. A snapshot that cannot be brought up to date is used as
    /// it is, saying why; so is one whose controller lock cannot be taken (a read-only copy
    /// of a cluster).
    fn open_as_controller(
        layout: Layout,
        found: Option<ClusterState>,
    ) -> Result<(Cluster, Opened), ClusterError> {
        let _controller = match FileLock::exclusive(&layout.controller_lock()) {
            Ok(lock) => lock,
            Err(e) => {
                return match found {
                    Some(state) => Ok((Cluster { layout, state }, Opened::Existing)),
                    None => Err(e.into()),
                };
            }
        };
        // Another process may have written it (or finished creating the cluster, or caught
        // it up) meanwhile.
        let (state, rebuilt) = snapshot::read_or_rebuild(&layout)?;
        let mut c = Cluster { layout, state };
        let mut opened = Opened::Existing;
        if let Some(rebuilt) = rebuilt {
            snapshot::write(&c.layout, &c.state)?;
            opened = Opened::Rebuilt(rebuilt);
        }
        let caught = c.catch_up().unwrap_or_else(|e| CaughtUp {
            unsaved: Some(e.to_string()),
            ..CaughtUp::default()
        });
        if opened == Opened::Existing && (!caught.changes.is_empty() || caught.unsaved.is_some()) {
            opened = Opened::CaughtUp(caught);
        }
        leftovers::remove_snapshot_temp(&c.layout);
        Ok((c, opened))
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
    /// there is none, and says which happened. Never creates one over part of a cluster: a
    /// missing snapshot is rebuilt from the metadata log, and broker folders without either
    /// are refused.
    pub fn open_or_create_reporting(path: &Path) -> Result<(Cluster, Opened), ClusterError> {
        match Cluster::open_reporting(path) {
            Err(ClusterError::NotFound(_)) => {
                match Cluster::init(path, DEFAULT_BROKERS, DEFAULT_FIRST_BROKER_ID) {
                    Ok(c) => Ok((c, Opened::Created)),
                    // Another process is creating it: `init` holds the controller lock from
                    // before its first broker folder to its snapshot, so wait for that.
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

    /// Creates a cluster of `brokers` brokers with ids from `first_id`. Refuses to
    /// overwrite an existing cluster, or any part of one (a snapshot, a metadata log, a
    /// broker's `meta.properties`), so a lost `cluster.json` never leads to a second
    /// cluster over the first.
    pub fn init(path: &Path, brokers: u32, first_id: i32) -> Result<Cluster, ClusterError> {
        // Every argument is checked before the first folder is made.
        if brokers == 0 || brokers > MAX_BROKERS {
            return Err(ClusterError::Invalid(format!(
                "a cluster has 1 to {MAX_BROKERS} brokers, not {brokers}"
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
        let mut c = Cluster { layout, state };
        let mut created = Vec::new();
        let result = match c.create_brokers(brokers, first_id, &mut created) {
            // Whatever stands in the log goes with the folders below.
            Err(ClusterError::CommittedNotShown { source, .. }) => Err(*source),
            r => r,
        };
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
    /// folders, the metadata log and the snapshot. Records in `created` each folder it
    /// made, for the caller to remove on failure.
    fn create_brokers(
        &mut self,
        brokers: u32,
        first_id: i32,
        created: &mut Vec<PathBuf>,
    ) -> Result<(), ClusterError> {
        let mut make_dir = |dir: PathBuf| {
            if !dir.exists() {
                created.push(dir.clone());
            }
            log::io::create_dir_all(&dir).map_err(io_err(&dir))
        };
        let mut records = Vec::new();
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
        }
        for d in [
            self.layout.groups(),
            self.layout.schemas(),
            self.layout.root().join(layout::METADATA_DIR),
        ] {
            make_dir(d)?;
        }
        self.commit(records)
    }

    /// The paths.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The metadata as last read.
    pub fn state(&self) -> &ClusterState {
        &self.state
    }

    /// Re-reads the snapshot (after another process may have changed it).
    pub fn reload(&mut self) -> Result<(), ClusterError> {
        // A snapshot removed meanwhile is rebuilt in memory only: writing it needs the
        // controller lock, which the next change takes.
        self.state = snapshot::read_or_rebuild(&self.layout)?.0;
        Ok(())
    }

    /// Makes a metadata change: under the controller lock, reads the current state
    /// (applying what the metadata log holds past the snapshot: [`Cluster::catch_up`]),
    /// lets `f` decide the records, appends them to the metadata log, fsyncs, and replaces
    /// the snapshot. Returns `f`'s value. Records are applied in order to form the new
    /// state. All or nothing: an error means the change is not made (the log is cut back),
    /// except [`ClusterError::CommittedNotShown`], which says it stands.
    pub fn update<T>(
        &mut self,
        f: impl FnOnce(&ClusterState) -> Result<(Vec<MetadataRecord>, T), ClusterError>,
    ) -> Result<T, ClusterError> {
        let _controller = FileLock::exclusive(&self.layout.controller_lock())?;
        self.state = snapshot::read_or_rebuild(&self.layout)?.0;
        // A snapshot it could not write is written with the change below, or by the next
        // open.
        self.catch_up()?;
        let (records, out) = f(&self.state)?;
        if !records.is_empty() {
            self.commit(records)?;
        }
        Ok(out)
    }

    /// Every metadata record in order: (offset, timestamp, record).
    pub fn history(&self) -> Result<Vec<(i64, i64, MetadataRecord)>, ClusterError> {
        let dir = self.layout.metadata_log();
        let end = LogReader::open(&dir)?.log_end_offset()?;
        Ok(commit::read_batches(&dir, 0, end)?
            .into_iter()
            .flatten()
            .collect())
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

    /// Sets cluster-wide config defaults (only [`topic::CLUSTER_CONFIG_KEYS`]), keeping the
    /// others already set.
    pub fn set_cluster_configs(
        &mut self,
        set: BTreeMap<String, String>,
    ) -> Result<(), ClusterError> {
        TopicConfig::validate_cluster(&set)?;
        self.update(|state| {
            let mut configs = state.configs.clone();
            configs.extend(set);
            if configs == state.configs {
                return Ok((Vec::new(), ()));
            }
            Ok((vec![MetadataRecord::AlterClusterConfigs { configs }], ()))
        })
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
        // A deletion that stands although cluster.json does not show it yet loses its files
        // too: a topic created again under the name must not find them.
        let (Ok(()) | Err(ClusterError::CommittedNotShown { .. })) = &deleted else {
            return deleted;
        };
        let Some(t) = doomed else {
            return deleted;
        };
        let removed = self.remove_topic_files(name, &t);
        match (deleted, removed) {
            (Ok(()), Err(e)) => Err(ClusterError::AfterCommit {
                done: format!("topic {name:?} is deleted from the metadata"),
                source: Box::new(e),
            }),
            // What the user must hear first: the deletion stands.
            (deleted, _) => deleted,
        }
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
