//! Topics: Kafka's naming rule, the topic configs filka understands (Kafka's names,
//! defaults and validation), and Kafka's replica assignment (rotating leaders).

use std::collections::BTreeMap;

use crate::log::LogConfig;
use crate::record::batch::MAX_BATCH_BYTES;
use crate::record::{Compression, TimestampType};

/// Longest legal topic name (Kafka's `Topic.MAX_NAME_LENGTH`).
pub const MAX_NAME_LEN: usize = 249;

/// Why a topic name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Empty.
    #[error("topic name is empty")]
    Empty,
    /// `.` or `..`.
    #[error("topic name cannot be '.' or '..'")]
    Dots,
    /// Too long.
    #[error("topic name is {0} characters long; the limit is 249")]
    TooLong(usize),
    /// A character outside `[a-zA-Z0-9._-]`.
    #[error(
        "topic name {name:?} contains {ch:?}; only ASCII letters, digits, '.', '_' and '-' are allowed"
    )]
    BadChar {
        /// The name.
        name: String,
        /// The first bad character.
        ch: char,
    },
}

/// Checks Kafka's rule: 1-249 characters of `[a-zA-Z0-9._-]`, not `.` or `..`.
pub fn validate_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name == "." || name == ".." {
        return Err(NameError::Dots);
    }
    if let Some(ch) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(NameError::BadChar {
            name: name.to_string(),
            ch,
        });
    }
    if name.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong(name.len()));
    }
    Ok(())
}

/// Kafka folds `.` into `_` to find names that would collide in metric names.
pub fn collision_key(name: &str) -> String {
    name.replace('.', "_")
}

/// Internal topics (`__consumer_offsets`, `__transaction_state`, ...) start with `__`.
pub fn is_internal(name: &str) -> bool {
    name.starts_with("__")
}

/// `cleanup.policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CleanupPolicy {
    /// Delete old segments by retention.
    Delete,
    /// Keep the latest record per key (the log cleaner, [`crate::log::cleaner`]).
    Compact,
    /// Both.
    CompactDelete,
}

/// `compression.type` of a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicCompression {
    /// Keep whatever the producer used.
    Producer,
    /// Store with this codec.
    Codec(Compression),
}

/// The resolved configuration of a topic: Kafka's defaults overlaid with its overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicConfig {
    /// `retention.ms`.
    pub retention_ms: i64,
    /// `retention.bytes`.
    pub retention_bytes: i64,
    /// `segment.bytes`.
    pub segment_bytes: u64,
    /// `segment.ms`.
    pub segment_ms: i64,
    /// `min.insync.replicas`.
    pub min_insync_replicas: u32,
    /// `compression.type`.
    pub compression: TopicCompression,
    /// `cleanup.policy`.
    pub cleanup_policy: CleanupPolicy,
    /// `unclean.leader.election.enable`.
    pub unclean_leader_election: bool,
    /// `message.timestamp.type`.
    pub timestamp_type: TimestampType,
    /// `max.message.bytes`.
    pub max_message_bytes: usize,
    /// `index.interval.bytes`.
    pub index_interval_bytes: u64,
    /// `flush.messages` (`None`: no fsync per write, Kafka's default).
    pub flush_messages: Option<u64>,
    /// `replica.lag.time.max.ms` (a broker setting in Kafka; here a cluster-wide default
    /// that a topic may override).
    pub replica_lag_time_max_ms: i64,
    /// `min.cleanable.dirty.ratio` (0.5).
    pub min_cleanable_dirty_ratio: Ratio,
    /// `min.compaction.lag.ms` (0).
    pub min_compaction_lag_ms: i64,
    /// `max.compaction.lag.ms` (Long.MAX_VALUE).
    pub max_compaction_lag_ms: i64,
    /// `delete.retention.ms` (1 day).
    pub delete_retention_ms: i64,
}

/// A ratio in [0, 1] (`min.cleanable.dirty.ratio`): an `f64` that is never NaN, so it
/// compares as a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio(pub f64);

impl Eq for Ratio {}

impl Ratio {
    /// As Java's `Double.toString` writes it (`0.5`, `1.0`), as Kafka describes it.
    pub fn java_text(self) -> String {
        if self.0.fract() == 0.0 {
            format!("{:.1}", self.0)
        } else {
            self.0.to_string()
        }
    }
}

impl Default for TopicConfig {
    fn default() -> Self {
        let log = LogConfig::default();
        TopicConfig {
            retention_ms: log.retention_ms,
            retention_bytes: log.retention_bytes,
            segment_bytes: log.segment_bytes,
            segment_ms: log.segment_ms,
            min_insync_replicas: 1,
            compression: TopicCompression::Producer,
            cleanup_policy: CleanupPolicy::Delete,
            unclean_leader_election: false,
            timestamp_type: TimestampType::CreateTime,
            max_message_bytes: log.max_message_bytes,
            index_interval_bytes: log.index_interval_bytes,
            flush_messages: None,
            replica_lag_time_max_ms: 30_000,
            min_cleanable_dirty_ratio: Ratio(0.5),
            min_compaction_lag_ms: 0,
            max_compaction_lag_ms: i64::MAX,
            delete_retention_ms: 86_400_000,
        }
    }
}

/// The config keys filka understands, with a one-line description each.
pub const CONFIG_KEYS: &[(&str, &str)] = &[
    ("cleanup.policy", "delete, compact or compact,delete"),
    (
        "compression.type",
        "producer, uncompressed, gzip, snappy, lz4 or zstd",
    ),
    (
        "delete.retention.ms",
        "how long compaction keeps tombstones and markers after reaching them (default 1 day)",
    ),
    (
        "flush.messages",
        "fsync after this many records (default: never per write)",
    ),
    (
        "index.interval.bytes",
        "bytes between offset-index entries (default 4096)",
    ),
    (
        "max.compaction.lag.ms",
        "longest a record may stay uncompacted (default: no limit)",
    ),
    (
        "max.message.bytes",
        "largest batch accepted (default 1048588, at most 16777216 = 16 MiB)",
    ),
    ("message.timestamp.type", "CreateTime or LogAppendTime"),
    (
        "min.cleanable.dirty.ratio",
        "dirty share of the log before compaction runs (default 0.5)",
    ),
    (
        "min.compaction.lag.ms",
        "shortest time a record stays uncompacted (default 0)",
    ),
    (
        "min.insync.replicas",
        "replicas that must have a record for acks=all",
    ),
    (
        "replica.lag.time.max.ms",
        "how long a follower may lag before leaving the ISR",
    ),
    (
        "retention.bytes",
        "bytes kept per partition (-1 = unlimited)",
    ),
    (
        "retention.ms",
        "milliseconds records are kept (-1 = forever)",
    ),
    (
        "segment.bytes",
        "segment size before rolling (default 1 GiB)",
    ),
    ("segment.ms", "segment age before rolling (default 7 days)"),
    (
        "unclean.leader.election.enable",
        "elect an out-of-sync replica when no ISR member is left",
    ),
];

/// What `max.message.bytes` accepts: up to [`MAX_BATCH_BYTES`], the largest batch filka
/// reads at all (a larger one would be written and then refused as corrupt by every
/// reader). Kafka itself allows up to 2^31 - 1.
const MAX_MESSAGE_BYTES_EXPECTED: &str =
    "an integer from 0 to 16777216 (16 MiB, the largest batch filka reads)";

/// A config key or value refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Not a key filka knows.
    #[error("unknown topic config {0:?}; known keys: {keys}", keys = CONFIG_KEYS.iter().map(|k| k.0).collect::<Vec<_>>().join(", "))]
    UnknownKey(String),
    /// A value that does not parse or is out of range.
    #[error("invalid value {value:?} for {key}: expected {expected}")]
    BadValue {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// Not `KEY=VALUE`.
    #[error("expected KEY=VALUE, got {0:?}")]
    Syntax(String),
    /// Not a cluster-wide setting (the message says which name is, if any): see
    /// [`super::settings`].
    #[error("{0}; cluster-wide settings: {keys}", keys = super::settings::SETTINGS.iter().map(|s| s.name).collect::<Vec<_>>().join(", "))]
    NotClusterWide(String),
}

/// Splits `KEY=VALUE`.
pub fn parse_assignment(s: &str) -> Result<(String, String), ConfigError> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| ConfigError::Syntax(s.to_string()))?;
    Ok((k.trim().to_string(), v.trim().to_string()))
}

fn num<T: std::str::FromStr + PartialOrd>(
    key: &str,
    value: &str,
    min: T,
    expected: &'static str,
) -> Result<T, ConfigError> {
    match value.parse::<T>() {
        Ok(v) if v >= min => Ok(v),
        _ => Err(ConfigError::BadValue {
            key: key.to_string(),
            value: value.to_string(),
            expected,
        }),
    }
}

impl TopicConfig {
    /// Applies one override, validating it as Kafka does.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let bad = |expected| ConfigError::BadValue {
            key: key.to_string(),
            value: value.to_string(),
            expected,
        };
        match key {
            "retention.ms" => self.retention_ms = num(key, value, -1, "an integer >= -1")?,
            "retention.bytes" => self.retention_bytes = num(key, value, -1, "an integer >= -1")?,
            "segment.bytes" => self.segment_bytes = num(key, value, 14, "an integer >= 14")?,
            "segment.ms" => self.segment_ms = num(key, value, 1, "an integer >= 1")?,
            "min.insync.replicas" => {
                self.min_insync_replicas = num(key, value, 1, "an integer >= 1")?
            }
            "max.message.bytes" => {
                let n: usize = num(key, value, 0, MAX_MESSAGE_BYTES_EXPECTED)?;
                if n > MAX_BATCH_BYTES {
                    return Err(bad(MAX_MESSAGE_BYTES_EXPECTED));
                }
                self.max_message_bytes = n;
            }
            "index.interval.bytes" => {
                self.index_interval_bytes = num(key, value, 0, "an integer >= 0")?
            }
            "flush.messages" => {
                let n: u64 = num(key, value, 1, "an integer >= 1")?;
                self.flush_messages = if n == i64::MAX as u64 { None } else { Some(n) };
            }
            "replica.lag.time.max.ms" => {
                self.replica_lag_time_max_ms = num(key, value, 0, "an integer >= 0")?
            }
            "min.cleanable.dirty.ratio" => {
                let r: f64 = num(key, value, 0.0, "a number from 0 to 1")?;
                if r > 1.0 {
                    return Err(bad("a number from 0 to 1"));
                }
                self.min_cleanable_dirty_ratio = Ratio(r);
            }
            "min.compaction.lag.ms" => {
                self.min_compaction_lag_ms = num(key, value, 0, "an integer >= 0")?
            }
            "max.compaction.lag.ms" => {
                self.max_compaction_lag_ms = num(key, value, 1, "an integer >= 1")?
            }
            "delete.retention.ms" => {
                self.delete_retention_ms = num(key, value, 0, "an integer >= 0")?
            }
            "compression.type" => {
                self.compression = match value {
                    "producer" => TopicCompression::Producer,
                    "uncompressed" | "none" => TopicCompression::Codec(Compression::None),
                    v => {
                        TopicCompression::Codec(Compression::from_name(v).ok_or_else(|| {
                            bad("producer, uncompressed, gzip, snappy, lz4 or zstd")
                        })?)
                    }
                }
            }
            "cleanup.policy" => {
                self.cleanup_policy = match value.replace(' ', "").as_str() {
                    "delete" => CleanupPolicy::Delete,
                    "compact" => CleanupPolicy::Compact,
                    "compact,delete" | "delete,compact" => CleanupPolicy::CompactDelete,
                    _ => return Err(bad("delete, compact or compact,delete")),
                }
            }
            "unclean.leader.election.enable" => {
                self.unclean_leader_election = match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(bad("true or false")),
                }
            }
            "message.timestamp.type" => {
                self.timestamp_type = match value {
                    "CreateTime" => TimestampType::CreateTime,
                    "LogAppendTime" => TimestampType::LogAppendTime,
                    _ => return Err(bad("CreateTime or LogAppendTime")),
                }
            }
            // The reassignment throttle's replica lists (`topic reassign --throttle`): kept
            // in the topic's overrides, read by the replication pass from there.
            super::quota::LEADER_THROTTLED_REPLICAS | super::quota::FOLLOWER_THROTTLED_REPLICAS => {
                super::quota::ThrottledReplicas::parse(value)
                    .map_err(|_| bad("a list of partition:broker entries (0:101,1:102) or *"))?;
            }
            _ => return Err(ConfigError::UnknownKey(key.to_string())),
        }
        Ok(())
    }

    /// The effective value of `key` as Kafka writes it (`kafka-configs --describe --all`),
    /// or `None` for a key filka does not know. `set(key, value(key))` changes nothing.
    pub fn value(&self, key: &str) -> Option<String> {
        Some(match key {
            "retention.ms" => self.retention_ms.to_string(),
            "retention.bytes" => self.retention_bytes.to_string(),
            "segment.bytes" => self.segment_bytes.to_string(),
            "segment.ms" => self.segment_ms.to_string(),
            "min.insync.replicas" => self.min_insync_replicas.to_string(),
            "max.message.bytes" => self.max_message_bytes.to_string(),
            "index.interval.bytes" => self.index_interval_bytes.to_string(),
            // Kafka's default is Long.MAX_VALUE: never fsync per write.
            "flush.messages" => self.flush_messages.unwrap_or(i64::MAX as u64).to_string(),
            "replica.lag.time.max.ms" => self.replica_lag_time_max_ms.to_string(),
            "min.cleanable.dirty.ratio" => self.min_cleanable_dirty_ratio.java_text(),
            "min.compaction.lag.ms" => self.min_compaction_lag_ms.to_string(),
            "max.compaction.lag.ms" => self.max_compaction_lag_ms.to_string(),
            "delete.retention.ms" => self.delete_retention_ms.to_string(),
            "compression.type" => match self.compression {
                TopicCompression::Producer => "producer".to_string(),
                TopicCompression::Codec(Compression::None) => "uncompressed".to_string(),
                TopicCompression::Codec(c) => c.name().to_string(),
            },
            "cleanup.policy" => match self.cleanup_policy {
                CleanupPolicy::Delete => "delete",
                CleanupPolicy::Compact => "compact",
                CleanupPolicy::CompactDelete => "compact,delete",
            }
            .to_string(),
            "unclean.leader.election.enable" => self.unclean_leader_election.to_string(),
            "message.timestamp.type" => self.timestamp_type.name().to_string(),
            _ => return None,
        })
    }

    /// Defaults overlaid with `overrides`.
    pub fn resolve(overrides: &BTreeMap<String, String>) -> Result<TopicConfig, ConfigError> {
        Self::resolve_with(&BTreeMap::new(), overrides)
    }

    /// Defaults, overlaid with the topic defaults among the cluster-wide settings
    /// `cluster` ([`super::settings`], e.g. `log.retention.ms` for `retention.ms`),
    /// overlaid with the topic's `overrides`.
    pub fn resolve_with(
        cluster: &BTreeMap<String, String>,
        overrides: &BTreeMap<String, String>,
    ) -> Result<TopicConfig, ConfigError> {
        let mut c = TopicConfig::default();
        for (k, v) in super::settings::topic_defaults(cluster)
            .iter()
            .chain(overrides)
        {
            c.set(k, v)?;
        }
        Ok(c)
    }

    /// Checks cluster-wide settings: names of [`super::settings::SETTINGS`], with valid
    /// values.
    pub fn validate_cluster(configs: &BTreeMap<String, String>) -> Result<(), ConfigError> {
        super::settings::validate_all(configs)
    }

    /// The settings the log layer needs.
    pub fn log_config(&self) -> LogConfig {
        // Kafka deletes by retention.ms and retention.bytes only under a policy with
        // `delete` (UnifiedLog.deleteOldSegments): a compact-only topic, such as
        // __consumer_offsets and __transaction_state, keeps its records however old.
        let delete = self.cleanup_policy != CleanupPolicy::Compact;
        LogConfig {
            segment_bytes: self.segment_bytes,
            segment_ms: self.segment_ms,
            index_interval_bytes: self.index_interval_bytes,
            retention_ms: if delete { self.retention_ms } else { -1 },
            retention_bytes: if delete { self.retention_bytes } else { -1 },
            max_message_bytes: self.max_message_bytes,
            timestamp_type: self.timestamp_type,
            flush_messages: self.flush_messages,
        }
    }
}

impl TopicConfig {
    /// The settings of the log cleaner ([`crate::log::cleaner`]) for this topic, with
    /// filka's cleaner defaults for what Kafka sets per broker (buffers, load factor).
    pub fn clean_config(&self) -> crate::log::cleaner::CleanConfig {
        crate::log::cleaner::CleanConfig {
            compact: self.cleanup_policy != CleanupPolicy::Delete,
            delete: self.cleanup_policy != CleanupPolicy::Compact,
            min_cleanable_dirty_ratio: self.min_cleanable_dirty_ratio.0,
            min_compaction_lag_ms: self.min_compaction_lag_ms,
            max_compaction_lag_ms: self.max_compaction_lag_ms,
            delete_retention_ms: self.delete_retention_ms,
            ..crate::log::cleaner::CleanConfig::default()
        }
    }
}

/// Kafka's replica assignment without racks (`AdminUtils.assignReplicasToBrokers`): the
/// first replica of partition p is broker `(p + start) % n`, and the followers are shifted
/// by an amount that grows every n partitions, so leaders and followers spread evenly.
/// `start` and `shift` are random in Kafka; filka derives them from the topic name so a
/// topic's layout is reproducible.
pub fn assign_replicas(
    topic: &str,
    brokers: &[i32],
    partitions: u32,
    replication_factor: u32,
    first_partition: u32,
) -> Vec<Vec<i32>> {
    let n = brokers.len();
    if n == 0 {
        return Vec::new();
    }
    let seed =
        crate::record::hash::to_positive(crate::record::hash::murmur2(topic.as_bytes())) as usize;
    let start = seed % n;
    let mut shift = (seed / n) % n;
    let mut out = Vec::with_capacity(partitions as usize);
    for p in first_partition as usize..(first_partition + partitions) as usize {
        if p > 0 && p % n == 0 {
            shift += 1;
        }
        let first = (p + start) % n;
        let mut replicas = vec![brokers[first]];
        for j in 0..replication_factor.saturating_sub(1) as usize {
            let s = 1 + (shift + j) % (n - 1).max(1);
            replicas.push(brokers[(first + s) % n]);
        }
        out.push(replicas);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_kafkas_rule() {
        for ok in [
            "a",
            "user-interactions",
            "trucks_gps",
            "A.b-c_9",
            &"x".repeat(249),
        ] {
            assert_eq!(validate_name(ok), Ok(()), "{ok}");
        }
        assert_eq!(validate_name(""), Err(NameError::Empty));
        assert_eq!(validate_name("."), Err(NameError::Dots));
        assert_eq!(validate_name(".."), Err(NameError::Dots));
        assert_eq!(
            validate_name(&"x".repeat(250)),
            Err(NameError::TooLong(250))
        );
        for bad in ["a b", "a/b", "ü", "a\n", "../x", "a:b"] {
            assert!(
                matches!(validate_name(bad), Err(NameError::BadChar { .. })),
                "{bad:?}"
            );
        }
        assert_eq!(collision_key("a.b"), collision_key("a_b"));
        assert!(is_internal("__consumer_offsets"));
    }

    #[test]
    fn configs_validate_like_kafka() {
        let mut c = TopicConfig::default();
        c.set("retention.ms", "-1").unwrap();
        c.set("compression.type", "zstd").unwrap();
        c.set("message.timestamp.type", "LogAppendTime").unwrap();
        assert_eq!(c.compression, TopicCompression::Codec(Compression::Zstd));
        assert!(c.set("retention.ms", "-2").is_err());
        assert!(c.set("segment.bytes", "abc").is_err());
        assert!(matches!(
            c.set("nope", "1"),
            Err(ConfigError::UnknownKey(_))
        ));
        assert!(c.set("cleanup.policy", "compact, delete").is_ok());
        // The log cleaner's keys, with Kafka's bounds and Kafka's text.
        assert_eq!(c.value("min.cleanable.dirty.ratio").unwrap(), "0.5");
        assert_eq!(
            c.value("max.compaction.lag.ms").unwrap(),
            i64::MAX.to_string()
        );
        c.set("min.cleanable.dirty.ratio", "0.01").unwrap();
        c.set("min.compaction.lag.ms", "1000").unwrap();
        c.set("delete.retention.ms", "0").unwrap();
        assert_eq!(c.value("min.cleanable.dirty.ratio").unwrap(), "0.01");
        c.set("min.cleanable.dirty.ratio", "1").unwrap();
        assert_eq!(c.value("min.cleanable.dirty.ratio").unwrap(), "1.0");
        assert!(c.set("min.cleanable.dirty.ratio", "1.5").is_err());
        assert!(c.set("min.cleanable.dirty.ratio", "NaN").is_err());
        assert!(c.set("max.compaction.lag.ms", "0").is_err());
        assert!(c.set("delete.retention.ms", "-1").is_err());
        let cc = c.clean_config();
        assert!(cc.compact && cc.delete);
        assert_eq!(
            (cc.min_compaction_lag_ms, cc.delete_retention_ms),
            (1000, 0)
        );
    }

    // Regression: max.message.bytes=999999999999 was accepted while every batch above 16 MiB
    // is refused as corrupt by readers; the cap was silent.
    #[test]
    fn max_message_bytes_above_the_read_cap_is_refused_naming_it() {
        let mut c = TopicConfig::default();
        c.set("max.message.bytes", &MAX_BATCH_BYTES.to_string())
            .unwrap();
        assert_eq!(c.max_message_bytes, MAX_BATCH_BYTES);
        for v in ["16777217", "999999999999", "-1"] {
            let e = c.set("max.message.bytes", v).unwrap_err().to_string();
            assert!(
                e.contains(&MAX_BATCH_BYTES.to_string()) && e.contains("16 MiB"),
                "{v}: {e}"
            );
        }
        assert_eq!(
            c.max_message_bytes, MAX_BATCH_BYTES,
            "unchanged when refused"
        );
    }

    #[test]
    fn every_known_key_has_a_value_that_round_trips() {
        let mut c = TopicConfig::default();
        c.set("compression.type", "zstd").unwrap();
        c.set("cleanup.policy", "delete,compact").unwrap();
        c.set("flush.messages", "10").unwrap();
        for base in [TopicConfig::default(), c] {
            for (key, _) in CONFIG_KEYS {
                let v = base
                    .value(key)
                    .unwrap_or_else(|| panic!("no value for {key}"));
                let mut again = base;
                again.set(key, &v).unwrap();
                assert_eq!(again, base, "{key}={v}");
            }
        }
        assert_eq!(c.value("cleanup.policy").unwrap(), "compact,delete");
        assert_eq!(
            TopicConfig::default().value("compression.type").unwrap(),
            "producer"
        );
        assert_eq!(TopicConfig::default().value("nope"), None);
    }

    /// Regression: retention.ms deleted the records of compact-only topics, so committed
    /// group offsets and transaction state older than 7 days vanished from
    /// __consumer_offsets and __transaction_state; Kafka never deletes by time or size
    /// there.
    #[test]
    fn a_compact_only_topic_is_never_cut_by_retention() {
        let mut c = TopicConfig::default();
        c.set("retention.ms", "1000").unwrap();
        c.set("retention.bytes", "10").unwrap();
        for (policy, kept) in [
            ("compact", true),
            ("delete", false),
            ("compact,delete", false),
        ] {
            c.set("cleanup.policy", policy).unwrap();
            let log = c.log_config();
            assert_eq!(
                (log.retention_ms == -1, log.retention_bytes == -1),
                (kept, kept),
                "{policy}"
            );
        }
    }

    #[test]
    fn topic_overrides_beat_cluster_defaults_which_beat_kafkas() {
        let map = |kv: &[(&str, &str)]| -> BTreeMap<String, String> {
            kv.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let cluster = map(&[("replica.lag.time.max.ms", "500"), ("flush.messages", "10")]);
        let c = TopicConfig::resolve_with(&cluster, &map(&[("flush.messages", "1")])).unwrap();
        assert_eq!(
            (c.replica_lag_time_max_ms, c.flush_messages),
            (500, Some(1))
        );
        let c = TopicConfig::resolve_with(&BTreeMap::new(), &BTreeMap::new()).unwrap();
        assert_eq!(
            (c.replica_lag_time_max_ms, c.flush_messages),
            (30_000, None)
        );
        assert_eq!(TopicConfig::validate_cluster(&cluster), Ok(()));
        assert!(matches!(
            TopicConfig::validate_cluster(&map(&[("retention.ms", "1")])),
            Err(ConfigError::NotClusterWide(_))
        ));
        assert!(matches!(
            TopicConfig::validate_cluster(&map(&[("nope", "1")])),
            Err(ConfigError::NotClusterWide(_))
        ));
        let c = TopicConfig::resolve_with(&map(&[("log.retention.ms", "5")]), &BTreeMap::new())
            .unwrap();
        assert_eq!(c.retention_ms, 5);
        assert!(matches!(
            TopicConfig::validate_cluster(&map(&[("flush.messages", "0")])),
            Err(ConfigError::BadValue { .. })
        ));
    }

    #[test]
    fn assignment_spreads_leaders_and_replicas() {
        let brokers = [101, 102, 103];
        let a = assign_replicas("t", &brokers, 6, 3, 0);
        assert_eq!(a.len(), 6);
        for r in &a {
            let mut s = r.clone();
            s.sort_unstable();
            s.dedup();
            assert_eq!(s.len(), 3, "distinct brokers: {r:?}");
        }
        let mut leaders: Vec<i32> = a.iter().map(|r| r[0]).collect();
        leaders.sort_unstable();
        assert_eq!(leaders, vec![101, 101, 102, 102, 103, 103]);
        assert_eq!(assign_replicas("t", &brokers, 6, 3, 0), a, "deterministic");
        let one = assign_replicas("t", &brokers, 3, 1, 0);
        assert!(one.iter().all(|r| r.len() == 1));
    }
}
