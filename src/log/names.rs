//! File and folder names of a Kafka log directory, in one place (kafka-format.md §1):
//! segments are the base offset as 20 zero-padded digits plus a suffix, partition folders
//! are `topic-partition` split at the last `-`.

use std::path::{Path, PathBuf};

/// Segment data.
pub const LOG_SUFFIX: &str = ".log";
/// Offset index.
pub const INDEX_SUFFIX: &str = ".index";
/// Time index.
pub const TIME_INDEX_SUFFIX: &str = ".timeindex";
/// Aborted-transaction index.
pub const TXN_INDEX_SUFFIX: &str = ".txnindex";
/// Producer-state snapshot.
pub const SNAPSHOT_SUFFIX: &str = ".snapshot";
/// A segment scheduled for deletion.
pub const DELETED_SUFFIX: &str = ".deleted";
/// A segment file the log cleaner is writing (`00000000000000000000.log.cleaned`).
pub const CLEANED_SUFFIX: &str = ".cleaned";
/// A cleaned segment file being swapped in (`00000000000000000000.log.swap`).
pub const SWAP_SUFFIX: &str = ".swap";
/// Per-log-dir first dirty offsets of compacted partitions (the log cleaner's checkpoint).
pub const CLEANER_OFFSET_CHECKPOINT: &str = "cleaner-offset-checkpoint";
/// Per-partition leader epoch history.
pub const LEADER_EPOCH_CHECKPOINT: &str = "leader-epoch-checkpoint";
/// Per-partition topic id.
pub const PARTITION_METADATA: &str = "partition.metadata";
/// Per-log-dir recovery points.
pub const RECOVERY_POINT_CHECKPOINT: &str = "recovery-point-offset-checkpoint";
/// Per-log-dir high watermarks.
pub const REPLICATION_OFFSET_CHECKPOINT: &str = "replication-offset-checkpoint";
/// Per-log-dir log start offsets.
pub const LOG_START_OFFSET_CHECKPOINT: &str = "log-start-offset-checkpoint";
/// Per-log-dir identity: node id, cluster id, directory id.
pub const META_PROPERTIES: &str = "meta.properties";
/// The folder of KRaft's metadata log (topic `__cluster_metadata`, partition 0).
pub const METADATA_LOG_DIR: &str = "__cluster_metadata-0";
/// A KRaft snapshot of the metadata log: `<end offset, 20 digits>-<epoch, 10 digits>.checkpoint`.
pub const KRAFT_SNAPSHOT_SUFFIX: &str = ".checkpoint";

/// `00000000000000000042` for 42.
pub fn offset_name(offset: i64) -> String {
    format!("{offset:020}")
}

/// The path of a segment file: `dir/<20-digit base><suffix>`.
pub fn segment_path(dir: &Path, base_offset: i64, suffix: &str) -> PathBuf {
    dir.join(format!("{}{suffix}", offset_name(base_offset)))
}

/// Parses `00000000000000000042.log` into (42, ".log"). `None` for any other name.
pub fn parse_segment_name(name: &str) -> Option<(i64, &str)> {
    let dot = name.find('.')?;
    let (digits, suffix) = name.split_at(dot);
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, suffix))
}

/// `topic-3` for topic "topic", partition 3.
pub fn partition_dir_name(topic: &str, partition: u32) -> String {
    format!("{topic}-{partition}")
}

/// Splits `my-topic-3` at the last `-` into ("my-topic", 3).
pub fn parse_partition_dir(name: &str) -> Option<(&str, u32)> {
    let dash = name.rfind('-')?;
    let (topic, p) = (&name[..dash], &name[dash + 1..]);
    if topic.is_empty() || p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((topic, p.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(offset_name(42), "00000000000000000042");
        assert_eq!(
            parse_segment_name("00000000000000000042.timeindex"),
            Some((42, ".timeindex"))
        );
        assert_eq!(
            parse_segment_name("00000000000000000042.log.deleted"),
            Some((42, ".log.deleted"))
        );
        assert_eq!(parse_segment_name("0042.log"), None);
        assert_eq!(parse_segment_name("leader-epoch-checkpoint"), None);
        assert_eq!(parse_partition_dir("my-topic-3"), Some(("my-topic", 3)));
        assert_eq!(parse_partition_dir("trucks_gps-0"), Some(("trucks_gps", 0)));
        assert_eq!(parse_partition_dir("nodash"), None);
        assert_eq!(parse_partition_dir("t-x"), None);
    }
}
