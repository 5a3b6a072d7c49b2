//! Committed offsets in the internal topic `__consumer_offsets`, as Kafka stores them: one
//! record per (group, topic, partition), key and value in Kafka's binary schema
//! ([`super::schema`]), in partition `abs(javaStringHashCode(group)) % 50`. The latest
//! record for a key wins; a null value (tombstone) deletes the offset.
//!
//! A commit is one record batch appended with acks=all under the partition lock, so it is
//! either wholly there or (when the writer is killed mid-append) cut by recovery: never
//! half-written. Readers read up to the high watermark only.
//!
//! Must not: decide who may commit (the coordinator fences stale members before calling).

use std::collections::{BTreeMap, BTreeSet};

use super::schema::{self, OffsetKey, OffsetValue};
use crate::client::consumer::{Consumer, Poll, StartOffset};
use crate::cluster::writer::{self, Acks, PartitionWriter};
use crate::cluster::{Cluster, ClusterError, now_ms};
use crate::record::batch::{BatchBuilder, BatchOptions};
use crate::record::control::ControlType;
use crate::record::hash::coordinator_partition;

/// The internal topic holding committed offsets.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";
/// Its partition count (`offsets.topic.num.partitions`).
pub const OFFSETS_PARTITIONS: u32 = 50;

/// Committed offsets of one group: (topic, partition) -> value.
pub type GroupOffsets = BTreeMap<(String, u32), OffsetValue>;

/// The `__consumer_offsets` partition holding `group`'s offsets.
pub fn partition_for(group: &str) -> u32 {
    coordinator_partition(group, OFFSETS_PARTITIONS)
}

/// Creates `__consumer_offsets` when it does not exist yet (50 partitions, replication
/// factor min(3, brokers), cleanup.policy=compact). Losing a creation race is fine.
pub fn ensure_topic(cluster: &mut Cluster) -> Result<(), ClusterError> {
    if cluster.topic(OFFSETS_TOPIC).is_ok() {
        return Ok(());
    }
    let mut configs = BTreeMap::new();
    configs.insert("cleanup.policy".to_string(), "compact".to_string());
    let (_, rf) = cluster.topic_defaults(None, None, &mut configs);
    match cluster.create_topic(OFFSETS_TOPIC, OFFSETS_PARTITIONS, rf, configs, true) {
        Ok(()) | Err(ClusterError::TopicExists(_)) => {}
        Err(e) => return Err(e),
    }
    cluster.reload()
}

/// Appends one batch of commits (value `Some`) and deletions (`None`) for `group`, acks=all,
/// and updates the checkpoints. Returns once the batch is below the high watermark.
pub fn write(
    cluster: &mut Cluster,
    group: &str,
    entries: &[((String, u32), Option<OffsetValue>)],
) -> Result<(), ClusterError> {
    if entries.is_empty() {
        return Ok(());
    }
    ensure_topic(cluster)?;
    let mut b = BatchBuilder::new(BatchOptions::default());
    append_records(&mut b, group, entries, now_ms());
    let mut w = writer_on_current_metadata(cluster, partition_for(group))?;
    w.append(b.finish(0, 0)?, Acks::All)?;
    let updates = w.finish()?;
    writer::write_checkpoints(cluster.layout(), &updates)
}

/// A writer for `__consumer_offsets-<partition>` holding the current metadata.
///
/// Callers (a group member) load the metadata once and keep it for hours, while
/// `PartitionWriter::new` pairs the state it is given with the metadata's stamp of *now*:
/// a writer built on old metadata never sees a failover, and would append with the old
/// leader and epoch to a broker that is down. So re-read the metadata first, and again if
/// it changed while the writer was being built (its stamp must describe what we read).
fn writer_on_current_metadata(
    cluster: &mut Cluster,
    partition: u32,
) -> Result<PartitionWriter, ClusterError> {
    let mut tries = 0;
    loop {
        let before = cluster.metadata_stamp();
        cluster.reload()?;
        let w = PartitionWriter::new(cluster, OFFSETS_TOPIC, partition)?;
        tries += 1;
        // After a few changes in a row (elections in progress) the writer's own refresh
        // before its append takes over.
        if cluster.metadata_stamp() == before || tries >= 5 {
            return Ok(w);
        }
    }
}

/// Appends one `__consumer_offsets` record per entry (a commit, or a tombstone for `None`)
/// to `b`: what a commit batch holds, transactional or not.
pub fn append_records(
    b: &mut BatchBuilder,
    group: &str,
    entries: &[((String, u32), Option<OffsetValue>)],
    now: i64,
) {
    for ((topic, partition), value) in entries {
        let key = schema::encode_key(&OffsetKey {
            group: group.to_string(),
            topic: topic.clone(),
            partition: i32::try_from(*partition).unwrap_or(i32::MAX),
        });
        let value = value.as_ref().map(schema::encode_value);
        b.append(now, Some(&key), value.as_deref(), &[]);
    }
}

/// The entries of a commit of `offsets` ((topic, partition) -> next offset to read).
pub fn commit_entries(
    offsets: &[((String, u32), i64)],
    now: i64,
) -> Vec<((String, u32), Option<OffsetValue>)> {
    offsets
        .iter()
        .map(|(tp, o)| {
            (
                tp.clone(),
                Some(OffsetValue {
                    offset: *o,
                    leader_epoch: -1,
                    metadata: String::new(),
                    commit_timestamp: now,
                }),
            )
        })
        .collect()
}

/// Commits `offsets` ((topic, partition) -> next offset to read) for `group`.
pub fn commit(
    cluster: &mut Cluster,
    group: &str,
    offsets: &[((String, u32), i64)],
) -> Result<(), ClusterError> {
    write(cluster, group, &commit_entries(offsets, now_ms()))
}

/// Reads one `__consumer_offsets` partition to its high watermark, calling `f` for every
/// offset-commit record (value `None` for a tombstone).
///
/// Records that do not decode as offset commits are skipped, on purpose: the topic also
/// holds Kafka's other record types (group metadata, KIP-848 and share-group records), and
/// segments copied from a real broker may carry versions filka does not know; failing on
/// them would lock every group of the partition out of its offsets. The price is that
/// garbage would pass unseen here, so the tests that kill members mid-commit decode every
/// record strictly themselves (tests/integration/group.rs, `strict_commits`).
///
/// Returns the keys of offset commits still pending: sent with a transaction that has no
/// marker yet.
fn scan(
    cluster: &Cluster,
    partition: u32,
    f: &mut dyn FnMut(OffsetKey, Option<OffsetValue>),
) -> Result<Vec<OffsetKey>, ClusterError> {
    if cluster.topic(OFFSETS_TOPIC).is_err() {
        return Ok(Vec::new());
    }
    let mut c = Consumer::new(
        cluster.clone(),
        OFFSETS_TOPIC,
        Some(&[partition]),
        StartOffset::Beginning,
        false,
    )?
    .with_markers();
    // Offsets sent with a transaction wait for its marker: applied at COMMIT, dropped at
    // ABORT, unseen while it is open (Kafka's pending transactional offsets). Each keeps
    // its record offset: a later plain commit of the same key wins over it, as in Kafka.
    type Entry = (i64, OffsetKey, Option<OffsetValue>);
    let mut pending: BTreeMap<i64, Vec<Entry>> = BTreeMap::new();
    let mut latest: BTreeMap<OffsetKey, i64> = BTreeMap::new();
    let mut emit = |offset: i64, key: OffsetKey, value: Option<OffsetValue>| {
        if latest.get(&key).is_some_and(|&o| o > offset) {
            return;
        }
        latest.insert(key.clone(), offset);
        f(key, value);
    };
    loop {
        let polled = c.poll(&mut |r| {
            if let Some(m) = r.marker {
                let entries = pending.remove(&r.producer_id).unwrap_or_default();
                if m.kind == ControlType::Commit {
                    for (offset, key, value) in entries {
                        emit(offset, key, value);
                    }
                }
                return Ok(());
            }
            let Some(Ok(Some(key))) = r.record.key.map(schema::decode_key) else {
                return Ok(());
            };
            let value = match r.record.value {
                None => None,
                Some(v) => match schema::decode_value(v) {
                    Ok(v) => Some(v),
                    Err(_) => return Ok(()),
                },
            };
            if r.transactional {
                pending
                    .entry(r.producer_id)
                    .or_default()
                    .push((r.record.offset, key, value));
            } else {
                emit(r.record.offset, key, value);
            }
            Ok(())
        })?;
        if polled == Poll::End {
            return Ok(pending
                .into_values()
                .flatten()
                .map(|(_, key, _)| key)
                .collect());
        }
    }
}

/// The partitions of `group` with an offset commit sent with a transaction that is not
/// decided yet (Kafka's pending transactional offsets). A member that takes one of them
/// must wait before it reads the committed offset, as Kafka's consumers do with
/// `require_stable` (KIP-447): the transaction may still commit a later offset, and
/// reading from the old one would process its records a second time.
///
/// Offset commits written to the leader but not yet on the in-sync replicas (above the high
/// watermark, where readers do not see them) are pending too, transactional or not: Kafka's
/// coordinator counts them as pending until their append completes. Reading past them
/// would start a member at an older offset than a commit that then becomes visible: the
/// nemesis run caught a pipe processing its own committed batch again that way.
pub fn pending(cluster: &Cluster, group: &str) -> Result<BTreeSet<(String, u32)>, ClusterError> {
    let partition = partition_for(group);
    let mut keys = scan(cluster, partition, &mut |_, _| {})?;
    keys.extend(above_high_watermark(cluster, partition)?);
    Ok(keys
        .into_iter()
        .filter(|k| k.group == group)
        .filter_map(|k| Some((k.topic, u32::try_from(k.partition).ok()?)))
        .collect())
}

/// The offset-commit keys the leader of `__consumer_offsets` partition `partition` holds
/// above its high watermark.
fn above_high_watermark(cluster: &Cluster, partition: u32) -> Result<Vec<OffsetKey>, ClusterError> {
    if cluster.topic(OFFSETS_TOPIC).is_err() {
        return Ok(Vec::new());
    }
    let view = crate::cluster::replica::PartitionView::read(cluster, OFFSETS_TOPIC, partition)?;
    if view.log_end_offset <= view.high_watermark || view.leader < 0 {
        return Ok(Vec::new());
    }
    let dir = cluster
        .layout()
        .replica_dir(view.leader, OFFSETS_TOPIC, partition);
    let reader = crate::log::LogReader::open(&dir)?;
    let mut cursor = reader.cursor(view.high_watermark)?;
    let mut keys = Vec::new();
    while let Some(batch) = cursor.next_batch(view.log_end_offset)? {
        if batch.header().attributes.is_control() {
            continue;
        }
        // Damage here is the writer's to find: what cannot be read is not a commit.
        let Ok(records) = batch.to_records() else {
            continue;
        };
        for r in records {
            if r.offset >= view.high_watermark
                && let Some(Ok(Some(key))) = r.key.as_deref().map(schema::decode_key)
            {
                keys.push(key);
            }
        }
    }
    Ok(keys)
}

/// A replication pass over `group`'s `__consumer_offsets` partition, as the leader's
/// follower fetches and ISR checks would run in a broker: its high watermark moves on once
/// the in-sync replicas have the records or a lagging follower leaves the ISR
/// (`replica.lag.time.max.ms`). A member waiting for [`pending`] commits runs it, so that
/// nothing stays pending for want of a writer of the partition.
pub fn replicate(cluster: &Cluster, group: &str) -> Result<(), ClusterError> {
    if cluster.topic(OFFSETS_TOPIC).is_err() {
        return Ok(());
    }
    let mut w = PartitionWriter::new(cluster, OFFSETS_TOPIC, partition_for(group))?;
    // The checkpoint runs a replication pass first.
    let updates = w.checkpoint()?;
    writer::write_checkpoints(cluster.layout(), &updates)
}

/// The committed offsets of `group` (latest record per partition wins).
pub fn read(cluster: &Cluster, group: &str) -> Result<GroupOffsets, ClusterError> {
    let mut out = GroupOffsets::new();
    scan(cluster, partition_for(group), &mut |k, v| {
        if k.group != group {
            return;
        }
        let Ok(p) = u32::try_from(k.partition) else {
            return;
        };
        match v {
            Some(v) => {
                out.insert((k.topic, p), v);
            }
            None => {
                out.remove(&(k.topic, p));
            }
        }
    })?;
    Ok(out)
}

/// Every group with at least one committed offset.
pub fn groups_with_offsets(cluster: &Cluster) -> Result<BTreeSet<String>, ClusterError> {
    let mut live: BTreeMap<(String, String, i32), bool> = BTreeMap::new();
    let parts = cluster
        .topic(OFFSETS_TOPIC)
        .map(|t| t.partitions.len() as u32)
        .unwrap_or(0);
    for p in 0..parts {
        scan(cluster, p, &mut |k, v| {
            live.insert((k.group, k.topic, k.partition), v.is_some());
        })?;
    }
    Ok(live
        .into_iter()
        .filter(|(_, alive)| *alive)
        .map(|((g, _, _), _)| g)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::failover;
    use crate::log::LogReader;

    /// A 3-broker cluster where group "g" committed offset 1 of t-0: the cluster, the
    /// group's `__consumer_offsets` partition and t-0.
    fn committed_once(dir: &std::path::Path) -> (Cluster, u32, (String, u32)) {
        let mut c = Cluster::init(dir, 3, 101).unwrap();
        ensure_topic(&mut c).unwrap();
        let tp = ("t".to_string(), 0);
        commit(&mut c, "g", &[(tp.clone(), 1)]).unwrap();
        (c, partition_for("g"), tp)
    }

    fn log_end(cluster: &Cluster, broker: i32, partition: u32) -> i64 {
        let dir = cluster
            .layout()
            .replica_dir(broker, OFFSETS_TOPIC, partition);
        LogReader::open(&dir).unwrap().log_end_offset().unwrap()
    }

    /// Regression: a member loads the metadata once, and `PartitionWriter::new` paired that
    /// old state with the metadata's current stamp, so it never refreshed: after the leader
    /// of the group's `__consumer_offsets` partition went down, commits were still written
    /// to the down broker's log with the old leader epoch.
    #[test]
    fn a_commit_with_old_metadata_goes_to_the_current_leader_with_its_epoch() {
        let dir = tempfile::tempdir().unwrap();
        let (mut c, p, tp) = committed_once(dir.path());
        // What a running member holds: the metadata as it was before the failover.
        let mut member_view = c.clone();
        let before = c.partition(OFFSETS_TOPIC, p).unwrap().clone();
        failover::broker_down(&mut c, before.leader, false).unwrap();
        let after = c.partition(OFFSETS_TOPIC, p).unwrap().clone();
        assert_ne!(after.leader, before.leader);
        assert!(after.leader_epoch > before.leader_epoch);
        let down_leo = log_end(&c, before.leader, p);

        commit(&mut member_view, "g", &[(tp.clone(), 2)]).unwrap();

        assert_eq!(
            log_end(&c, before.leader, p),
            down_leo,
            "the commit was appended to the down broker {}",
            before.leader
        );
        c.reload().unwrap();
        assert_eq!(read(&c, "g").unwrap()[&tp].offset, 2);
        let mut epochs = Vec::new();
        let mut r = Consumer::new(
            c.clone(),
            OFFSETS_TOPIC,
            Some(&[p]),
            StartOffset::Beginning,
            false,
        )
        .unwrap();
        while r
            .poll(&mut |f| {
                epochs.push(f.leader_epoch);
                Ok(())
            })
            .unwrap()
            != Poll::End
        {}
        assert_eq!(epochs, [before.leader_epoch, after.leader_epoch]);
    }

    /// Regression (found by the nemesis run): a commit the leader has but the in-sync
    /// replicas not yet (above the high watermark) is pending. Readers see only the older
    /// offset below it, and a pipe member that took the partition started there and
    /// processed its own committed batch again. Once the follower copies it (a replication
    /// pass, which a waiting member runs), it is the committed offset.
    #[test]
    fn a_commit_above_the_high_watermark_is_pending_until_replicated() {
        let dir = tempfile::tempdir().unwrap();
        let (mut c, p, tp) = committed_once(dir.path());
        let part = c.partition(OFFSETS_TOPIC, p).unwrap().clone();
        let follower = *part.replicas.iter().find(|&&r| r != part.leader).unwrap();
        failover::set_paused(&mut c, follower, true).unwrap();
        // The leader takes a commit the paused follower (still in the ISR) cannot copy.
        let mut b = BatchBuilder::new(BatchOptions::default());
        let now = now_ms();
        append_records(&mut b, "g", &commit_entries(&[(tp.clone(), 2)], now), now);
        let mut w = PartitionWriter::new(&c, OFFSETS_TOPIC, p).unwrap();
        w.append(b.finish(0, 0).unwrap(), Acks::Leader).unwrap();
        let updates = w.finish().unwrap();
        writer::write_checkpoints(c.layout(), &updates).unwrap();
        c.reload().unwrap();
        assert_eq!(read(&c, "g").unwrap()[&tp].offset, 1);
        assert!(pending(&c, "g").unwrap().contains(&tp));

        failover::set_paused(&mut c, follower, false).unwrap();
        replicate(&c, "g").unwrap();
        c.reload().unwrap();
        assert!(pending(&c, "g").unwrap().is_empty());
        assert_eq!(read(&c, "g").unwrap()[&tp].offset, 2);
    }
}
