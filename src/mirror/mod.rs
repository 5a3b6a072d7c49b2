//! Mirroring topics between the directory cluster and a real Kafka cluster, both ways, with
//! keys, values (bytes as they are), headers and timestamps intact. Built only with the
//! `kafka` cargo feature: the Kafka side is librdkafka, through the `rdkafka` crate.
//!
//! - [`to_kafka`]: local topics into Kafka. The source is read with the client layer's
//!   [`Consumer`](crate::client::consumer::Consumer); where each partition got to is a
//!   consumer group in the local `__consumer_offsets` ([`crate::group::offsets`]).
//! - [`from_kafka`]: Kafka topics into the local cluster, written with the client layer's
//!   [`Producer`](crate::client::producer::Producer); where each partition got to is a
//!   Kafka consumer group on the source cluster.
//!
//! Both directions work in batches: records are sent, the target acknowledges all of them,
//! and only then is the source's group offset committed. A mirror killed at any point
//! resumes from the last commit: nothing is lost, and at most the one unacknowledged batch
//! is sent twice (at-least-once).
//!
//! A record keeps its partition when the target topic has at least as many partitions as
//! the source; otherwise a keyed record goes by Kafka's murmur2 rule over the target's count
//! and a null-keyed one to `partition % count` ([`route`]). A missing target topic is created
//! with the source's partition count and topic configs when the target allows it.
//!
//! Owns: the mirror loops, topic planning, the mapping of Kafka errors to one line that
//! names the broker and the setting to check. Must not: let a librdkafka type out of this
//! module (its API speaks in the crate's own types), print, or know about clap.

mod framing;
mod from_kafka;
mod kafka;
mod route;
mod to_kafka;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use crate::cluster::lock::{FileLock, LockError};
use crate::cluster::{Cluster, ClusterError};
use crate::format::registry::RegistryError;

/// The consumer group that holds a mirror's progress when `--group` does not name one.
pub const DEFAULT_GROUP: &str = "filka-mirror";
/// Records sent between two commits when the caller does not say.
pub const DEFAULT_BATCH: usize = 10_000;
/// How long a metadata or admin request to the Kafka cluster may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often progress is reported while records flow.
pub const REPORT_EVERY: Duration = Duration::from_secs(2);

/// Where the Kafka cluster is and how to talk to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// `bootstrap.servers`: `host:port[,host:port...]`.
    pub bootstrap: String,
    /// librdkafka settings (`-X key=value`), applied in order after filka's own.
    pub settings: Vec<(String, String)>,
    /// Deadline of one metadata, admin or commit request.
    pub timeout: Duration,
    /// Write librdkafka's log lines to stderr (for `-X debug=...`).
    pub log: bool,
}

/// Which topics to mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Topics {
    /// These topics.
    Named(Vec<String>),
    /// Every topic of the source that is not internal (`__`-prefixed).
    All,
}

/// What to mirror and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The Kafka side.
    pub remote: Remote,
    /// The source topics.
    pub topics: Topics,
    /// Source topic -> target topic, for topics that get another name on the target.
    pub renames: BTreeMap<String, String>,
    /// The consumer group on the source side that holds where each partition got to.
    pub group: String,
    /// Keep mirroring new records until stopped, instead of stopping at the end.
    pub follow: bool,
    /// Records sent between two commits (the most a killed mirror sends twice).
    pub batch: usize,
    /// Asked between steps: true stops the mirror as if every partition had ended (what was
    /// sent is flushed and committed, and the summary returned). The CLI's Ctrl-C.
    pub stop: fn() -> bool,
    /// The local schema registry, to name the schemas framed values carry (`None`: ids are
    /// reported without subjects).
    pub registry: Option<crate::format::registry::Registry>,
}

impl Options {
    /// The target name of source topic `topic`.
    pub fn target_of<'a>(&'a self, topic: &'a str) -> &'a str {
        self.renames.get(topic).map_or(topic, String::as_str)
    }
}

/// Where one source partition is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionProgress {
    /// Source topic.
    pub topic: String,
    /// Source partition.
    pub partition: u32,
    /// Target topic.
    pub target: String,
    /// Records mirrored (acknowledged by the target) by this run.
    pub records: u64,
    /// The committed position: the next source offset to mirror.
    pub position: i64,
    /// Records between the position and the source's end (high watermark), when known.
    pub lag: Option<i64>,
}

/// A schema whose id framed keys or values of a mirrored topic, as the local registry knows
/// it (for the user to register on the target's Schema Registry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FramedSchema {
    /// The topic whose records carry the id.
    pub topic: String,
    /// `key` or `value`.
    pub part: &'static str,
    /// The schema id in the framing.
    pub id: u32,
    /// Subject and version holding the id locally; empty when the registry lacks it.
    pub subjects: Vec<(String, u32)>,
    /// `AVRO` or `PROTOBUF`, when the registry has the id.
    pub schema_type: Option<String>,
}

/// What a mirror tells its caller while it runs.
#[derive(Debug)]
pub enum Event<'a> {
    /// A line worth saying once (a topic created, a config not copied, ...).
    Note(String),
    /// Where every partition is, after a commit (at most every [`REPORT_EVERY`], and at
    /// the end).
    Progress(&'a [PartitionProgress]),
    /// Schema ids seen for the first time in Confluent-framed keys or values.
    Schemas(&'a [FramedSchema]),
    /// What the mirror does, in Kafka's words, for `-v` (where each partition starts and
    /// why, the brokers the Kafka side has).
    Detail(String),
}

/// What a finished (or stopped) mirror did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Every source partition, in topic and partition order.
    pub partitions: Vec<PartitionProgress>,
    /// Schema ids found in Confluent-framed keys or values, per topic.
    pub schemas: Vec<FramedSchema>,
}

/// Why a mirror stopped.
#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    /// The Kafka cluster failed or refused: unreachable, unknown topic, not authorised, ...
    #[error("Kafka at {broker}: {what}; check {check}")]
    Remote {
        /// The bootstrap servers (or the broker librdkafka named).
        broker: String,
        /// What happened, librdkafka's words included.
        what: String,
        /// The setting (or ACL) to look at.
        check: String,
    },
    /// A flag or `-X` setting librdkafka refuses, or one the mirror must own.
    #[error("{key}: {reason}")]
    Setting {
        /// The flag (`--rename`), or `-X` and the setting's key.
        key: String,
        /// Why.
        reason: String,
    },
    /// A source record Kafka cannot carry (e.g. a header key that is not UTF-8).
    #[error("{topic}-{partition} offset {offset}: {reason}")]
    Unsendable {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// Offset.
        offset: i64,
        /// Why.
        reason: String,
    },
    /// Another mirror is running with the same group on this cluster.
    #[error(
        "another mirror holds group {group:?} ({path}); wait for it to stop or pick another --group"
    )]
    Busy {
        /// The group.
        group: String,
        /// Its lock file.
        path: PathBuf,
    },
    /// A lock failed.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The local cluster failed.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// The local schema registry failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// Finishing a local transaction whose holder died (read_committed needs the last
    /// stable offset to move) failed.
    #[error(transparent)]
    Txn(#[from] crate::txn::coordinator::TxnError),
}

impl MirrorError {
    /// Whether the Kafka side caused it (scripts branch on that).
    pub fn is_remote(&self) -> bool {
        matches!(self, MirrorError::Remote { .. })
    }

    /// Whether a `-X` setting caused it (a usage error).
    pub fn is_setting(&self) -> bool {
        matches!(self, MirrorError::Setting { .. })
    }
}

/// Copies local topics into the Kafka cluster `opts.remote` names. Stops at the end the
/// source partitions had when it started, or with `follow`, never (until killed).
pub fn to_kafka(
    cluster: Cluster,
    opts: &Options,
    events: &mut dyn FnMut(Event<'_>),
) -> Result<Summary, MirrorError> {
    to_kafka::run(cluster, opts, events)
}

/// Copies topics of the Kafka cluster `opts.remote` names into the local cluster. Stops
/// when every partition reached its end, or with `follow`, never (until killed).
pub fn from_kafka(
    cluster: Cluster,
    opts: &Options,
    events: &mut dyn FnMut(Event<'_>),
) -> Result<Summary, MirrorError> {
    from_kafka::run(cluster, opts, events)
}

/// Holds `locks/mirror/<group>.lock` of the local cluster for the mirror's lifetime, so two
/// mirrors sharing a group (and so its offsets) never run at once on one cluster: both
/// would send the same records.
fn lock_group(cluster: &Cluster, group: &str) -> Result<FileLock, MirrorError> {
    let dir = cluster.layout().locks().join("mirror");
    std::fs::create_dir_all(&dir).map_err(|source| ClusterError::Io {
        path: dir.clone(),
        source,
    })?;
    let path = dir.join(format!("{}.lock", lock_name(group)));
    match FileLock::try_exclusive(&path)? {
        Some(lock) => Ok(lock),
        None => Err(MirrorError::Busy {
            group: group.to_string(),
            path,
        }),
    }
}

/// A file name for a group: itself when it is plain, else its bytes in hex (group names may
/// hold `/` or be longer than a file name may be).
fn lock_name(group: &str) -> String {
    let plain = !group.is_empty()
        && group.len() <= 200
        && !group.starts_with('.')
        && group
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if plain {
        group.to_string()
    } else {
        let hex: String = group
            .bytes()
            .take(100)
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("x-{hex}")
    }
}

/// Source partitions of one run, with counters, turned into [`PartitionProgress`] rows.
#[derive(Debug, Default)]
struct Tally {
    rows: Vec<PartitionProgress>,
    index: BTreeMap<(String, u32), usize>,
}

impl Tally {
    fn add(&mut self, topic: &str, partition: u32, target: &str, position: i64) {
        self.index
            .insert((topic.to_string(), partition), self.rows.len());
        self.rows.push(PartitionProgress {
            topic: topic.to_string(),
            partition,
            target: target.to_string(),
            records: 0,
            position,
            lag: None,
        });
    }

    fn get(&mut self, topic: &str, partition: u32) -> Option<&mut PartitionProgress> {
        let i = *self.index.get(&(topic.to_string(), partition))?;
        self.rows.get_mut(i)
    }

    fn sorted(&self) -> Vec<PartitionProgress> {
        let mut rows = self.rows.clone();
        rows.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
        rows
    }
}

/// Apache Kafka's topic-level configs (kafka.log.LogConfig): the overrides of a local topic
/// that a Kafka cluster takes when the mirror creates the topic there. filka's other
/// settings (e.g. `replica.lag.time.max.ms`, a broker config in Kafka) are not sent.
const KAFKA_TOPIC_CONFIGS: &[&str] = &[
    "cleanup.policy",
    "compression.type",
    "delete.retention.ms",
    "file.delete.delay.ms",
    "flush.messages",
    "flush.ms",
    "index.interval.bytes",
    "max.compaction.lag.ms",
    "max.message.bytes",
    "message.timestamp.after.max.ms",
    "message.timestamp.before.max.ms",
    "message.timestamp.difference.max.ms",
    "message.timestamp.type",
    "min.cleanable.dirty.ratio",
    "min.compaction.lag.ms",
    "min.insync.replicas",
    "preallocate",
    "retention.bytes",
    "retention.ms",
    "segment.bytes",
    "segment.index.bytes",
    "segment.jitter.ms",
    "segment.ms",
    "unclean.leader.election.enable",
];

/// `configs` with `min.insync.replicas` lowered to `replication` when it is higher: a
/// target with fewer brokers than the source has replicas would refuse every acks=all
/// write otherwise.
fn clamp_min_insync(configs: &mut BTreeMap<String, String>, replication: u32) {
    if let Some(v) = configs.get_mut("min.insync.replicas")
        && v.parse::<u32>().is_ok_and(|n| n > replication)
    {
        *v = replication.max(1).to_string();
    }
}

/// Topics named twice, or two sources renamed onto one target, would interleave two logs in
/// one: refused before anything is sent.
/// Every name is checked by Kafka's rules first (no name reaches librdkafka that it could
/// choke on).
fn check_targets(opts: &Options, topics: &[String]) -> Result<(), MirrorError> {
    let mut seen = BTreeSet::new();
    for t in topics {
        let target = opts.target_of(t);
        for (name, flag) in [(t.as_str(), "-t"), (target, "--rename")] {
            crate::cluster::topic::validate_name(name).map_err(|e| MirrorError::Setting {
                key: flag.into(),
                reason: e.to_string(),
            })?;
        }
        if !seen.insert(target) {
            return Err(MirrorError::Setting {
                key: "--rename".into(),
                reason: format!("two source topics would both be mirrored into {target:?}"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_names_are_file_names() {
        assert_eq!(lock_name("filka-mirror"), "filka-mirror");
        assert_eq!(lock_name("a/b"), "x-612f62");
        assert_eq!(lock_name(".."), "x-2e2e");
        assert_eq!(lock_name(""), "x-");
        assert!(lock_name(&"g".repeat(300)).len() < 255);
    }

    #[test]
    fn min_insync_follows_the_replication_factor() {
        let mut c: BTreeMap<String, String> =
            [("min.insync.replicas".to_string(), "2".to_string())]
                .into_iter()
                .collect();
        clamp_min_insync(&mut c, 3);
        assert_eq!(c["min.insync.replicas"], "2");
        clamp_min_insync(&mut c, 1);
        assert_eq!(c["min.insync.replicas"], "1");
    }

    #[test]
    fn two_topics_onto_one_target_are_refused() {
        let opts = Options {
            remote: Remote {
                bootstrap: "localhost:9092".into(),
                settings: vec![],
                timeout: DEFAULT_TIMEOUT,
                log: false,
            },
            topics: Topics::Named(vec!["a".into(), "b".into()]),
            renames: [("a".to_string(), "b".to_string())].into_iter().collect(),
            group: DEFAULT_GROUP.into(),
            follow: false,
            batch: DEFAULT_BATCH,
            stop: || false,
            registry: None,
        };
        assert_eq!(opts.target_of("a"), "b");
        assert_eq!(opts.target_of("c"), "c");
        let err = check_targets(&opts, &["a".into(), "b".into()]).unwrap_err();
        assert!(err.is_setting(), "{err}");
        assert!(check_targets(&opts, &["a".into()]).is_ok());
    }
}
