//! Retention as readers see it, without a writer.
//!
//! The rule, and why it is Kafka's: a Kafka broker's LogManager runs `cleanupLogs` every
//! `log.retention.check.interval.ms` (default 300000); each run deletes, from the oldest,
//! the segments whose largest timestamp is older than `retention.ms` at that moment, those
//! `retention.bytes` forces out, and those wholly below the log start offset, and moves the
//! log start offset past them. Between two runs nothing is deleted, however old it gets. So
//! what a Kafka consumer can read at time `now` is the log as the last run at or before
//! `now` left it.
//!
//! filka has no broker process to run that schedule. Its checks happen at the multiples of
//! `log.retention.check.interval.ms` since the Unix epoch
//! ([`super::settings::ClusterSettings::last_retention_check`]): a reader works out where the
//! last check moved the log start ([`crate::log::retention::start_after_retention`]) and
//! serves from there, taking no lock and deleting nothing; the next writer of the partition,
//! or `filka clean`, deletes the files under the partition lock, at the same check time, so
//! both agree at every moment. (The segments' sizes are the current ones: a check does not
//! know what was written after it, so `retention.bytes` counts those too.)

use crate::log::LogReader;
use crate::log::retention::{RetentionLimits, retained};

use super::topic::TopicConfig;
use super::{ClusterError, now_ms, settings::ClusterSettings};

/// The retention limits of a topic (none under `cleanup.policy=compact`).
pub fn limits(cfg: &TopicConfig) -> RetentionLimits {
    let log = cfg.log_config();
    RetentionLimits {
        ms: log.retention_ms,
        bytes: log.retention_bytes,
    }
}

/// The log start offset a reader of this replica sees now, and the bytes it holds from
/// there: the recorded log start (checkpoint or first segment) moved past what the last
/// retention check deleted, and the size without those segments.
pub fn visible_log_start(
    reader: &LogReader,
    cfg: &TopicConfig,
    settings: &ClusterSettings,
    (log_start, log_end, size): (i64, i64, u64),
    high_watermark: i64,
) -> Result<(i64, u64), ClusterError> {
    let check = settings.last_retention_check(now_ms());
    let r = retained(
        reader,
        limits(cfg),
        check,
        log_start,
        log_end,
        high_watermark,
    )?;
    Ok((
        r.log_start.min(log_end),
        size.saturating_sub(r.deleted_bytes),
    ))
}
