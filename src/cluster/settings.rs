//! Cluster-wide settings: the Kafka broker settings filka honours, under Kafka's names, set
//! at `init -c` or later with `filka config set` / `unset`, as `kafka-configs --entity-type
//! brokers --entity-default --alter --add-config K=V` / `--delete-config K` sets a
//! cluster-wide dynamic default. They live in the metadata image's cluster configs and are
//! written to the metadata log as Kafka writes them: a ConfigRecord of resource type BROKER
//! with an empty resource name (the cluster default), one per key, a null value on removal
//! (see `kraft::translate`).
//!
//! Two kinds:
//! - topic defaults (`log.retention.ms` is the default of every topic's `retention.ms`): a
//!   topic's own override beats them, they beat Kafka's default;
//!   The compaction settings are among them: `log.cleaner.min.cleanable.ratio`,
//!   `log.cleaner.delete.retention.ms` and `log.cleaner.min|max.compaction.lag.ms` are the
//!   defaults of the topic configs `min.cleanable.dirty.ratio`, `delete.retention.ms` and
//!   `min|max.compaction.lag.ms`, as in Kafka;
//! - broker-only settings (`log.retention.check.interval.ms`, `log.cleaner.backoff.ms`,
//!   `log.cleaner.dedupe.buffer.size`, `log.cleaner.io.buffer.load.factor`,
//!   `log.segment.delete.delay.ms`), read through [`ClusterSettings`].
//!
//! `flush.messages` and `replica.lag.time.max.ms` were filka's first cluster-wide keys
//! (under the topic names); clusters hold them, so they stay.
//!
//! This module owns names, defaults and validation only; it does no I/O.

use std::collections::BTreeMap;

use super::topic::{ConfigError, TopicConfig};

/// What values a broker-only setting takes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A 64-bit integer at least this.
    Long(i64),
    /// A 32-bit integer at least this (Kafka's INT configs).
    Int(i64),
    /// A decimal in `(low, 1]` (`low` excluded) or `[low, 1]`.
    Ratio { low: f64, low_included: bool },
}

/// One cluster-wide setting.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// Kafka's broker name.
    pub name: &'static str,
    /// The topic config it is the default of, if any.
    pub topic_key: Option<&'static str>,
    /// Kafka's default, as `kafka-configs --describe --all` writes it.
    pub default: &'static str,
    /// One line for `config list` and completion.
    pub doc: &'static str,
    kind: Option<Kind>,
}

const fn topic(
    name: &'static str,
    key: &'static str,
    default: &'static str,
    doc: &'static str,
) -> Setting {
    Setting {
        name,
        topic_key: Some(key),
        default,
        doc,
        kind: None,
    }
}

const fn broker(
    name: &'static str,
    default: &'static str,
    kind: Kind,
    doc: &'static str,
) -> Setting {
    Setting {
        name,
        topic_key: None,
        default,
        doc,
        kind: Some(kind),
    }
}

/// `log.retention.check.interval.ms`.
pub const RETENTION_CHECK_INTERVAL: &str = "log.retention.check.interval.ms";
/// `log.segment.delete.delay.ms` (the cluster default of Kafka's topic config
/// `file.delete.delay.ms`).
pub const SEGMENT_DELETE_DELAY: &str = "log.segment.delete.delay.ms";

/// `metadata.log.max.record.bytes.between.snapshots`.
pub const METADATA_SNAPSHOT_BYTES: &str = "metadata.log.max.record.bytes.between.snapshots";
/// `metadata.log.max.snapshot.interval.ms`.
pub const METADATA_SNAPSHOT_INTERVAL: &str = "metadata.log.max.snapshot.interval.ms";
/// `metadata.log.segment.bytes`.
pub const METADATA_SEGMENT_BYTES: &str = "metadata.log.segment.bytes";
/// `metadata.log.segment.ms`.
pub const METADATA_SEGMENT_MS: &str = "metadata.log.segment.ms";
/// `metadata.max.retention.bytes`.
pub const METADATA_RETENTION_BYTES: &str = "metadata.max.retention.bytes";
/// `metadata.max.retention.ms`.
pub const METADATA_RETENTION_MS: &str = "metadata.max.retention.ms";

/// Every cluster-wide setting, sorted by name.
pub const SETTINGS: &[Setting] = &[
    topic(
        "flush.messages",
        "flush.messages",
        "9223372036854775807",
        "default flush.messages of topics: fsync after this many records",
    ),
    broker(
        "log.cleaner.backoff.ms",
        "15000",
        Kind::Long(0),
        "how long the cleaner sleeps when no log needs cleaning",
    ),
    broker(
        "log.cleaner.dedupe.buffer.size",
        // 48 MiB, where Kafka's default is 128 MiB (shared by a broker's cleaner threads):
        // a clean is a command beside others on the machine, bounded to 64 MiB in all; more
        // keys than fit take more rounds, never more memory.
        "50331648",
        // At least one table of the offset map's first size (4,096 slots of 24 bytes):
        // below it no key fits and every clean would fail (Kafka fails it at runtime).
        Kind::Long(1 << 20),
        "memory the compaction's offset map may use (filka: 48 MiB; Kafka: 128 MiB)",
    ),
    topic(
        "log.cleaner.delete.retention.ms",
        "delete.retention.ms",
        "86400000",
        "default delete.retention.ms of topics: how long compaction keeps delete markers (tombstones)",
    ),
    broker(
        "log.cleaner.io.buffer.load.factor",
        "0.9",
        Kind::Ratio {
            low: 0.0,
            low_included: false,
        },
        "how full the compaction's offset map may get (0 to 1)",
    ),
    topic(
        "log.cleaner.max.compaction.lag.ms",
        "max.compaction.lag.ms",
        "9223372036854775807",
        "default max.compaction.lag.ms of topics: longest a record may stay uncompacted",
    ),
    topic(
        "log.cleaner.min.cleanable.ratio",
        "min.cleanable.dirty.ratio",
        "0.5",
        "default min.cleanable.dirty.ratio of topics: dirty share of a log before it is compacted (0 to 1)",
    ),
    topic(
        "log.cleaner.min.compaction.lag.ms",
        "min.compaction.lag.ms",
        "0",
        "default min.compaction.lag.ms of topics: shortest time a record stays uncompacted",
    ),
    topic(
        "log.cleanup.policy",
        "cleanup.policy",
        "delete",
        "default cleanup.policy of topics: delete, compact or compact,delete",
    ),
    topic(
        "log.retention.bytes",
        "retention.bytes",
        "-1",
        "default retention.bytes of topics (-1 = unlimited)",
    ),
    broker(
        RETENTION_CHECK_INTERVAL,
        "300000",
        Kind::Long(1),
        "how often retention runs: what readers see changes at multiples of it",
    ),
    topic(
        "log.retention.ms",
        "retention.ms",
        "604800000",
        "default retention.ms of topics (-1 = forever)",
    ),
    topic(
        "log.roll.ms",
        "segment.ms",
        "604800000",
        "default segment.ms of topics",
    ),
    topic(
        "log.segment.bytes",
        "segment.bytes",
        "1073741824",
        "default segment.bytes of topics",
    ),
    broker(
        SEGMENT_DELETE_DELAY,
        "60000",
        Kind::Long(0),
        "how long a deleted segment's files stay as .deleted before they go",
    ),
    broker(
        METADATA_SNAPSHOT_BYTES,
        "20971520",
        Kind::Long(1),
        "bytes of metadata log after which the active controller writes a snapshot",
    ),
    broker(
        METADATA_SNAPSHOT_INTERVAL,
        "3600000",
        Kind::Long(0),
        "longest time before new metadata records get a snapshot (0 = only by bytes)",
    ),
    broker(
        METADATA_SEGMENT_BYTES,
        "1073741824",
        // Kafka's metadata.log.segment.min.bytes (internal, for tests only): 8 MiB; an INT.
        Kind::Int(8 << 20),
        "size at which the metadata log rolls a new segment",
    ),
    broker(
        METADATA_SEGMENT_MS,
        "604800000",
        Kind::Long(1),
        "age at which the metadata log rolls a new segment",
    ),
    broker(
        METADATA_RETENTION_BYTES,
        "104857600",
        Kind::Long(-1),
        "metadata log plus snapshots beyond which old snapshots and segments go (-1 = no limit)",
    ),
    broker(
        METADATA_RETENTION_MS,
        "604800000",
        Kind::Long(-1),
        "age of a snapshot after which it and the log below the next go (-1 = forever)",
    ),
    topic(
        "replica.lag.time.max.ms",
        "replica.lag.time.max.ms",
        "30000",
        "default replica.lag.time.max.ms of topics",
    ),
];

/// The setting named `name`.
pub fn setting(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// The cluster-wide names of topic config `key` (usually one).
pub fn names_for_topic_key(key: &str) -> impl Iterator<Item = &'static str> + '_ {
    SETTINGS
        .iter()
        .filter(move |s| s.topic_key == Some(key))
        .map(|s| s.name)
}

/// Checks one setting: a known name and a valid value.
pub fn validate(name: &str, value: &str) -> Result<(), ConfigError> {
    let Some(s) = setting(name) else {
        return Err(unknown(name));
    };
    match (s.topic_key, s.kind) {
        (Some(key), _) => TopicConfig::default().set(key, value).map_err(|e| match e {
            // Said under the name the user typed.
            ConfigError::BadValue {
                value, expected, ..
            } => ConfigError::BadValue {
                key: name.to_string(),
                value,
                expected,
            },
            e => e,
        }),
        (None, Some(kind)) => parse(name, value, kind).map(|_| ()),
        (None, None) => Ok(()),
    }
}

/// Why `name` is not a cluster-wide setting: a topic config's cluster-wide name is given.
fn unknown(name: &str) -> ConfigError {
    let hint = match names_for_topic_key(name).next() {
        Some(broker) => format!("; Kafka's cluster-wide default for it is {broker}"),
        None if name == "file.delete.delay.ms" => {
            format!("; Kafka's cluster-wide default for it is {SEGMENT_DELETE_DELAY}")
        }
        None => String::new(),
    };
    if TopicConfig::default().value(name).is_some() || name == "file.delete.delay.ms" {
        ConfigError::NotClusterWide(format!(
            "{name:?} has no cluster-wide default under that name{hint}"
        ))
    } else {
        ConfigError::NotClusterWide(format!("unknown cluster-wide setting {name:?}{hint}"))
    }
}

fn parse(name: &str, value: &str, kind: Kind) -> Result<f64, ConfigError> {
    let bad = |expected| ConfigError::BadValue {
        key: name.to_string(),
        value: value.to_string(),
        expected,
    };
    match kind {
        Kind::Long(min) => match value.parse::<i64>() {
            Ok(v) if v >= min => Ok(v as f64),
            _ if min == 0 => Err(bad("an integer >= 0")),
            _ if min == 1 => Err(bad("an integer >= 1")),
            _ if min == -1 => Err(bad("an integer >= -1 (-1: no limit)")),
            _ if min == 8 << 20 => Err(bad("an integer >= 8388608 (8 MiB)")),
            _ => Err(bad("an integer >= 1048576 (1 MiB)")),
        },
        Kind::Int(min) => match value.parse::<i32>() {
            Ok(v) if i64::from(v) >= min => Ok(f64::from(v)),
            _ => Err(bad("an integer from 8388608 (8 MiB) to 2147483647")),
        },
        Kind::Ratio { low, low_included } => match value.parse::<f64>() {
            Ok(v) if v.is_finite() && v <= 1.0 && (v > low || (low_included && v == low)) => Ok(v),
            _ if low_included => Err(bad("a decimal from 0 to 1")),
            _ => Err(bad("a decimal above 0, at most 1")),
        },
    }
}

/// Checks a whole set of cluster-wide settings.
pub fn validate_all(configs: &BTreeMap<String, String>) -> Result<(), ConfigError> {
    for (k, v) in configs {
        validate(k, v)?;
    }
    Ok(())
}

/// The topic-config defaults among `configs` (cluster-wide settings), under topic keys, for
/// [`TopicConfig::resolve_with`].
pub fn topic_defaults(configs: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    configs
        .iter()
        .filter_map(|(k, v)| {
            let key = setting(k)?.topic_key?;
            Some((key.to_string(), v.clone()))
        })
        .collect()
}

/// The broker-only settings the cleaner uses (compaction's among them), resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterSettings {
    /// `log.retention.check.interval.ms`: retention runs at multiples of it.
    pub retention_check_interval_ms: i64,
    /// `log.segment.delete.delay.ms`: `.deleted` files are removed this long after.
    pub segment_delete_delay_ms: i64,
    /// `log.cleaner.backoff.ms`.
    pub cleaner_backoff_ms: i64,
    /// `log.cleaner.dedupe.buffer.size`.
    pub cleaner_dedupe_buffer_size: i64,
    /// `log.cleaner.io.buffer.load.factor`.
    pub cleaner_io_buffer_load_factor: f64,
    /// The metadata log's: what the controller does with it ([`MetadataLogSettings`]).
    pub metadata: MetadataLogSettings,
}

/// The settings of the metadata log (Kafka's KRaftConfigs, there static broker configs;
/// here cluster-wide like the rest): when the active controller writes a snapshot, when the
/// log rolls, and when old snapshots and the log below them go (KafkaMetadataLog's
/// `maybeClean`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetadataLogSettings {
    /// `metadata.log.max.record.bytes.between.snapshots`.
    pub snapshot_bytes: i64,
    /// `metadata.log.max.snapshot.interval.ms` (0: by bytes only).
    pub snapshot_interval_ms: i64,
    /// `metadata.log.segment.bytes`.
    pub segment_bytes: i64,
    /// `metadata.log.segment.ms`.
    pub segment_ms: i64,
    /// `metadata.max.retention.bytes` (negative: no limit).
    pub retention_bytes: i64,
    /// `metadata.max.retention.ms` (negative: forever).
    pub retention_ms: i64,
}

impl ClusterSettings {
    /// Kafka's defaults overlaid with `configs` (the cluster-wide settings; a value that
    /// does not validate, which `set` never stores, keeps the default).
    pub fn resolve(configs: &BTreeMap<String, String>) -> ClusterSettings {
        let get = |name: &str| -> f64 {
            let s = setting(name).and_then(|s| s.kind.map(|k| (s, k)));
            let Some((s, kind)) = s else { return 0.0 };
            configs
                .get(name)
                .and_then(|v| parse(name, v, kind).ok())
                .or_else(|| parse(name, s.default, kind).ok())
                .unwrap_or(0.0)
        };
        let long = |name: &str| -> i64 {
            // Integers are parsed as such: an f64 would round Long.MAX_VALUE.
            configs
                .get(name)
                .filter(|v| validate(name, v).is_ok())
                .map(String::as_str)
                .or_else(|| setting(name).map(|s| s.default))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        ClusterSettings {
            retention_check_interval_ms: long(RETENTION_CHECK_INTERVAL).max(1),
            segment_delete_delay_ms: long(SEGMENT_DELETE_DELAY),
            cleaner_backoff_ms: long("log.cleaner.backoff.ms"),
            cleaner_dedupe_buffer_size: long("log.cleaner.dedupe.buffer.size"),
            cleaner_io_buffer_load_factor: get("log.cleaner.io.buffer.load.factor"),
            metadata: MetadataLogSettings {
                snapshot_bytes: long(METADATA_SNAPSHOT_BYTES).max(1),
                snapshot_interval_ms: long(METADATA_SNAPSHOT_INTERVAL),
                segment_bytes: long(METADATA_SEGMENT_BYTES),
                segment_ms: long(METADATA_SEGMENT_MS).max(1),
                retention_bytes: long(METADATA_RETENTION_BYTES),
                retention_ms: long(METADATA_RETENTION_MS),
            },
        }
    }

    /// The time of the last retention check at or before `now_ms`.
    ///
    /// The rule: checks happen at the multiples of `log.retention.check.interval.ms` since
    /// the Unix epoch. Kafka's LogManager runs `cleanupLogs` every
    /// `log.retention.check.interval.ms` from each broker's start; filka has no broker
    /// process, so it fixes that phase once for every process and broker (the epoch), which
    /// needs nothing stored and makes what retention has done a function of the log, its
    /// configs and the clock alone: every reader, writer and `filka clean` at the same
    /// moment agrees on it, and nothing changes between two checks.
    pub fn last_retention_check(&self, now_ms: i64) -> i64 {
        now_ms - now_ms.rem_euclid(self.retention_check_interval_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn settings_are_sorted_and_their_defaults_validate() {
        let names: Vec<_> = SETTINGS.iter().map(|s| s.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        for s in SETTINGS {
            assert_eq!(validate(s.name, s.default), Ok(()), "{}", s.name);
        }
        let d = ClusterSettings::resolve(&BTreeMap::new());
        assert_eq!(d.retention_check_interval_ms, 300_000);
        assert_eq!(d.segment_delete_delay_ms, 60_000);
        assert_eq!(d.cleaner_io_buffer_load_factor, 0.9);
    }

    #[test]
    fn bad_names_and_values_are_refused_saying_why() {
        let e = validate("retention.ms", "1").unwrap_err().to_string();
        assert!(e.contains("log.retention.ms"), "{e}");
        let e = validate("file.delete.delay.ms", "1")
            .unwrap_err()
            .to_string();
        assert!(e.contains(SEGMENT_DELETE_DELAY), "{e}");
        assert!(validate("nope", "1").is_err());
        for (k, v) in [
            (RETENTION_CHECK_INTERVAL, "0"),
            (RETENTION_CHECK_INTERVAL, "x"),
            ("log.cleaner.min.cleanable.ratio", "1.5"),
            ("log.cleaner.io.buffer.load.factor", "0"),
            // Below the offset map's first table no key fits: every clean would fail.
            ("log.cleaner.dedupe.buffer.size", "1000"),
            ("log.retention.ms", "-2"),
            ("log.cleanup.policy", "keep"),
        ] {
            let e = validate(k, v).unwrap_err();
            assert!(
                matches!(&e, ConfigError::BadValue { key, .. } if key == k),
                "{k}={v}: {e}"
            );
        }
    }

    #[test]
    fn topic_defaults_and_broker_settings_resolve() {
        let c = map(&[
            ("log.retention.ms", "1000"),
            (RETENTION_CHECK_INTERVAL, "250"),
            ("flush.messages", "3"),
        ]);
        assert_eq!(
            topic_defaults(&c),
            map(&[("retention.ms", "1000"), ("flush.messages", "3")])
        );
        let s = ClusterSettings::resolve(&c);
        assert_eq!(s.retention_check_interval_ms, 250);
        assert_eq!(s.last_retention_check(1_000), 1_000);
        assert_eq!(s.last_retention_check(1_249), 1_000);
        assert_eq!(s.last_retention_check(1_250), 1_250);
    }
}
