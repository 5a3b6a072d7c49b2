//! End-to-end tests of the cluster layer with its clients: a default cluster, topics,
//! producing with the partitioner and reading back up to the high watermark.

use std::collections::BTreeMap;

use super::*;
use crate::client::consumer::{Consumer, Poll, StartOffset};
use crate::client::producer::{Producer, ProducerConfig, ProducerRecord};
use crate::log::{LogConfig, LogReader};
use crate::record::{BatchBuilder, BatchOptions};

fn consume_all(c: &Cluster, topic: &str, start: StartOffset) -> Vec<(u32, i64, Vec<u8>)> {
    let mut consumer = Consumer::new(c.clone(), topic, None, start, false).unwrap();
    let mut out = Vec::new();
    loop {
        match consumer
            .poll(&mut |f| {
                out.push((
                    f.partition,
                    f.record.offset,
                    f.record.value.unwrap_or_default().to_vec(),
                ));
                Ok(())
            })
            .unwrap()
        {
            Poll::End => break,
            Poll::Records(_) | Poll::Idle => {}
        }
    }
    out
}

#[test]
fn default_cluster_topics_produce_consume() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    let mut created = false;
    let mut c = Cluster::open_or_create(&root, |_| created = true).unwrap();
    assert!(created);
    assert_eq!(c.state().broker_ids(), vec![101, 102, 103]);
    assert!(matches!(
        Cluster::init(&root, 3, 101),
        Err(ClusterError::AlreadyExists { .. })
    ));
    // A broker folder works as a bootstrap path.
    assert_eq!(
        Cluster::open(&root.join("broker-102"))
            .unwrap()
            .layout()
            .root(),
        root.as_path()
    );
    c.create_topic("trucks_gps", 10, 3, BTreeMap::new(), false)
        .unwrap();
    assert!(matches!(
        c.create_topic("trucks.gps", 1, 1, BTreeMap::new(), false),
        Err(ClusterError::TopicCollision { .. })
    ));
    assert!(matches!(
        c.create_topic("__x", 1, 1, BTreeMap::new(), false),
        Err(ClusterError::InternalTopic(_))
    ));
    let mut p = Producer::new(c.clone(), "trucks_gps", ProducerConfig::default()).unwrap();
    for i in 0..1000 {
        let key = format!("truckID{}", i % 20);
        let value = format!("position {i}");
        p.send(&ProducerRecord {
            key: Some(key.as_bytes()),
            value: Some(value.as_bytes()),
            ..Default::default()
        })
        .unwrap();
    }
    p.close().unwrap();
    let got = consume_all(&c, "trucks_gps", StartOffset::Beginning);
    assert_eq!(got.len(), 1000);
    // truckID123 → partition 3 of 10 (kafka-format.md §8); keys land in fixed partitions.
    assert_eq!(crate::record::hash::partition_for_key(b"truckID123", 10), 3);
    for (part, _, v) in &got {
        let i: usize = String::from_utf8_lossy(v)[9..].parse().unwrap();
        let key = format!("truckID{}", i % 20);
        assert_eq!(
            *part,
            crate::record::hash::partition_for_key(key.as_bytes(), 10)
        );
    }
    // Every replica holds the same bytes.
    let view = replica::PartitionView::read(&c, "trucks_gps", 0).unwrap();
    let ends: Vec<i64> = view.replicas.iter().map(|r| r.log_end_offset).collect();
    assert!(ends.iter().all(|&e| e == view.high_watermark), "{ends:?}");
    assert_eq!(
        consume_all(&c, "trucks_gps", StartOffset::Last(1)).len(),
        10
    );
    assert!(consume_all(&c, "trucks_gps", StartOffset::End).is_empty());
    c.delete_topic("trucks_gps").unwrap();
    assert!(c.topic("trucks_gps").is_err());
    assert!(!c.layout().replica_dir(101, "trucks_gps", 0).exists());
    let kinds: Vec<String> = c.history().unwrap().into_iter().map(|e| e.kind).collect();
    // After the bootstrap records and the registrations: the topic, its partitions, the
    // (idempotent) producer's id block, the deletion.
    let from = kinds.iter().position(|k| k == "TopicRecord").unwrap();
    assert_eq!(
        kinds[from..],
        [
            "TopicRecord",
            "PartitionRecord",
            "ProducerIdsRecord",
            "RemoveTopicRecord"
        ]
    );
}

/// Regression: a writer killed after the leader's append but before the followers' left
/// them short, and every later append failed with "replicated batch starts at offset N but
/// the log ends at M". The next writer now copies the missing batches first.
#[test]
fn followers_left_behind_by_a_killed_writer_catch_up() {
    use crate::log::{OpenHints, PartitionLog};
    let dir = tempfile::tempdir().unwrap();
    let mut c = Cluster::open_or_create(&dir.path().join("data"), |_| {}).unwrap();
    c.create_topic("t", 1, 3, BTreeMap::new(), false).unwrap();
    let batch = |v: &[u8]| {
        let mut b = BatchBuilder::new(BatchOptions::default());
        b.append(now_ms(), None, Some(v), &[]);
        b.append(now_ms(), None, Some(v), &[]);
        b.build(0, -1).unwrap()
    };
    let mut w = writer::PartitionWriter::new(&c, "t", 0).unwrap();
    w.append(&mut batch(b"a"), writer::Acks::All).unwrap();
    let updates = w.finish().unwrap();
    writer::write_checkpoints(c.layout(), &updates).unwrap();
    // What the killed writer got done: the leader's append only.
    let leader = c.partition("t", 0).unwrap().leader;
    let (mut log, _) = PartitionLog::open(
        &c.layout().replica_dir(leader, "t", 0),
        LogConfig::default(),
        OpenHints::default(),
    )
    .unwrap();
    log.append(&mut batch(b"b"), 0, now_ms()).unwrap();
    drop(log);
    let mut w = writer::PartitionWriter::new(&c, "t", 0).unwrap();
    let info = w.append(&mut batch(b"c"), writer::Acks::All).unwrap();
    let updates = w.finish().unwrap();
    writer::write_checkpoints(c.layout(), &updates).unwrap();
    assert_eq!(info.base_offset, 4);
    let view = replica::PartitionView::read(&c, "t", 0).unwrap();
    let ends: Vec<i64> = view.replicas.iter().map(|r| r.log_end_offset).collect();
    assert_eq!(ends, vec![6, 6, 6]);
    let values: Vec<Vec<u8>> = consume_all(&c, "t", StartOffset::Beginning)
        .into_iter()
        .map(|(_, _, v)| v)
        .collect();
    assert_eq!(
        values,
        [b"a", b"a", b"b", b"b", b"c", b"c"].map(|v| v.to_vec())
    );
}

/// Processes that find no cluster at the same moment all end up in the one created by the
/// first: the others wait for its init (which now refuses any part of a cluster, so they
/// must not mistake the half-made one for debris).
#[test]
fn racing_first_uses_share_one_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    let opened: Vec<Opened> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| s.spawn(|| Cluster::open_or_create_reporting(&root).unwrap().1))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(opened.iter().filter(|o| **o == Opened::Created).count(), 1);
    assert!(
        opened
            .iter()
            .all(|o| matches!(o, Opened::Created | Opened::Existing))
    );
    let c = Cluster::open(&root).unwrap();
    let registered = c
        .history()
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "RegisterBrokerRecord")
        .count();
    assert_eq!(registered, 3, "brokers registered once");
}

/// The image is the same read by the controller that made the changes, by a fresh open,
/// through a broker folder, from a snapshot plus the log after it, and with a copy of the
/// log lost (the next change copies it back from the leader, as a Kafka follower fetches).
#[test]
fn every_way_of_reading_the_metadata_gives_the_same_image() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    let mut c = Cluster::init(&root, 3, 101).unwrap();
    c.create_topic("a", 2, 3, BTreeMap::new(), false).unwrap();
    c.alter_topic("a", Some(4), BTreeMap::new()).unwrap();
    c.create_topic("b", 1, 1, BTreeMap::new(), false).unwrap();
    c.delete_topic("b").unwrap();
    failover::broker_down(&mut c, 102, false).unwrap();
    let before = c.state().clone();
    assert_eq!(Cluster::open(&root).unwrap().state(), &before);
    assert_eq!(
        Cluster::open(&root.join("broker-103")).unwrap().state(),
        &before
    );

    // A snapshot, then more log after it.
    c.set_snapshot_bytes(Some(1));
    c.alter_topic(
        "a",
        None,
        BTreeMap::from([("retention.ms".into(), "1000".into())]),
    )
    .unwrap();
    let leader = c.quorum().unwrap().leader;
    let snapshots = quorum::snapshots(&c.layout().metadata_copy(leader)).unwrap();
    assert_eq!(
        snapshots.last().unwrap().end_offset,
        c.state().metadata_offset
    );
    c.set_snapshot_bytes(None);
    c.create_topic("c", 1, 2, BTreeMap::new(), false).unwrap();
    let now = c.state().clone();
    assert_eq!(Cluster::open(&root).unwrap().state(), &now);

    // A voter's copy lost (every voter running): read from the others, copied back at the
    // next change.
    failover::broker_up(&mut c, 102).unwrap();
    let now = c.state().clone();
    let leader = c.quorum().unwrap().leader;
    let lost = [101, 102, 103].into_iter().find(|&v| v != leader).unwrap();
    std::fs::remove_dir_all(c.layout().metadata_copy(lost)).unwrap();
    assert_eq!(Cluster::open(&root).unwrap().state(), &now);
    c.create_topic("d", 1, 2, BTreeMap::new(), false).unwrap();
    let q = c.quorum().unwrap();
    assert_eq!(q.copy(lost).unwrap().log_end, q.high_watermark);
    assert_eq!(Cluster::open(&root).unwrap().state(), c.state());
}

/// A change needs a majority of the voters: with two of three controllers down none is
/// made, not even an election; bringing one back makes them again, and fences the broker
/// that stopped meanwhile.
#[test]
fn no_change_is_made_without_a_controller_quorum() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    let mut c = Cluster::init(&root, 3, 101).unwrap();
    c.create_topic("a", 1, 3, BTreeMap::new(), false).unwrap();
    failover::broker_down(&mut c, 101, false).unwrap();
    let before = c.state().metadata_offset;
    let err = failover::broker_down(&mut c, 102, false).unwrap_err();
    assert!(err.to_string().contains("no controller quorum"), "{err}");
    let c2 = Cluster::open(&root).unwrap();
    assert_eq!(c2.state().metadata_offset, before);
    // Down, but not fenced: the metadata cannot say so yet.
    let b = &c2.state().brokers[&102];
    assert!(!b.running && b.status == metadata::BrokerStatus::Online);
    let mut c = c2;
    assert!(matches!(
        c.create_topic("b", 1, 1, BTreeMap::new(), false),
        Err(ClusterError::NoQuorum { .. })
    ));
    failover::broker_up(&mut c, 101).unwrap();
    assert_eq!(c.state().brokers[&102].status, metadata::BrokerStatus::Down);
    assert_ne!(c.partition("a", 0).unwrap().leader, 102);
    c.create_topic("b", 1, 1, BTreeMap::new(), false).unwrap();
}

/// The controller that leads the quorum stops: the next change elects another voter, in a
/// higher epoch, and its LeaderChangeMessage opens the records it writes.
#[test]
fn a_stopped_quorum_leader_is_replaced_by_an_election() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    let mut c = Cluster::init(&root, 3, 101).unwrap();
    let q = c.quorum().unwrap();
    let (leader, epoch) = (q.leader, q.epoch);
    failover::broker_down(&mut c, leader, false).unwrap();
    let q = c.quorum().unwrap();
    assert_ne!(q.leader, leader);
    assert!(q.epoch > epoch, "{} after {epoch}", q.epoch);
    let entries = c.history().unwrap();
    let change = entries
        .iter()
        .rposition(|e| e.kind == "LeaderChangeMessage")
        .unwrap();
    assert_eq!(entries[change + 1].kind, "BrokerRegistrationChangeRecord");
    // Every running voter's quorum-state names the new leader.
    for v in [101, 102, 103].into_iter().filter(|&v| v != leader) {
        let s = quorum::QuorumState::read(&c.layout().metadata_copy(v))
            .unwrap()
            .unwrap();
        assert_eq!(
            (s.leader_id, s.leader_epoch),
            (q.leader, q.epoch),
            "voter {v}"
        );
    }
}

fn new_partitions(n: u32) -> Vec<metadata::NewPartition> {
    (0..n)
        .map(|p| metadata::NewPartition {
            partition: p,
            replicas: vec![
                101 + (p % 3) as i32,
                101 + ((p + 1) % 3) as i32,
                101 + ((p + 2) % 3) as i32,
            ],
        })
        .collect()
}

/// Regression: every change was one metadata batch, so `topic create -p 40000 -r 3` (and
/// `init --brokers 100000`) failed with "batch refused: batch of N bytes is larger than
/// max.message.bytes". A change now spans as many batches as it needs.
#[test]
fn a_change_larger_than_a_batch_is_committed_in_several() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    let mut c = Cluster::init(&root, 3, 101).unwrap();
    c.update(|_| {
        Ok((
            vec![MetadataRecord::CreateTopic {
                name: "big".into(),
                topic_id: random_uuid().to_base64(),
                configs: BTreeMap::new(),
                partitions: new_partitions(40_000),
            }],
            (),
        ))
    })
    .unwrap();
    let copy = c.quorum().unwrap().source().dir.clone();
    let reader = LogReader::open(&copy).unwrap();
    let end = reader.log_end_offset().unwrap();
    let mut cursor = reader.cursor(0).unwrap();
    let mut batches = 0;
    while cursor.next_batch(end).unwrap().is_some() {
        batches += 1;
    }
    assert!(batches > 3, "{batches} metadata batches");
    let kinds: Vec<String> = c.history().unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds[kinds.len() - 4..],
        [
            "BeginTransactionRecord",
            "TopicRecord",
            "PartitionRecord",
            "EndTransactionRecord"
        ]
    );
    for opened in [Cluster::open(&root).unwrap(), c.clone()] {
        assert_eq!(opened.topic("big").unwrap().partitions.len(), 40_000);
        assert_eq!(opened.state().metadata_offset, end);
    }
}

/// A controller that dies between the batches of one change leaves part of it in a copy:
/// none of it applies, the next change records an AbortTransactionRecord first (KIP-868),
/// and every copy agrees. Swept over every write of the change.
#[test]
fn a_change_cut_short_by_a_crash_applies_not_at_all() {
    use crate::log::io::{self, Fault, FaultPlan, Op};
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template");
    Cluster::init(&template, 3, 101).unwrap();
    let big = || MetadataRecord::CreateTopic {
        name: "half".into(),
        topic_id: random_uuid().to_base64(),
        configs: BTreeMap::new(),
        partitions: new_partitions(12_000),
    };
    let (mut aborted, mut whole) = (0, 0);
    for at in 0.. {
        let root = dir.path().join(format!("case-{at}"));
        copy_tree(&template, &root);
        let mut c = Cluster::open(&root).unwrap();
        let lock = FileLock::exclusive(&c.layout().controller_lock()).unwrap();
        io::install(FaultPlan {
            at,
            fault: Fault::Crash,
            ops: vec![Op::Write],
        });
        let r = c.commit(vec![big()]);
        let seen = io::clear();
        drop(lock);
        if seen <= at {
            // No write left to crash at: the change went through.
            r.unwrap();
            break;
        }
        // Either it reached a majority of the copies before the crash (committed, whole),
        // or nothing of it is seen, then or after the next change.
        let mut c = Cluster::open(&root).unwrap();
        let committed = c.topic("half").is_ok();
        if committed {
            assert_eq!(c.topic("half").unwrap().partitions.len(), 12_000);
            whole += 1;
        }
        c.create_topic("after", 1, 1, BTreeMap::new(), false)
            .unwrap_or_else(|e| panic!("crash at write {at}: {e}"));
        assert_eq!(c.topic("half").is_ok(), committed, "crash at write {at}");
        let kinds: Vec<String> = c.history().unwrap().into_iter().map(|e| e.kind).collect();
        if let Some(i) = kinds.iter().position(|k| k == "AbortTransactionRecord") {
            assert!(!committed);
            aborted += 1;
            assert_eq!(
                kinds[i + 1],
                "TopicRecord",
                "crash at write {at}: {kinds:?}"
            );
        }
        let q = c.quorum().unwrap();
        for copy in &q.copies {
            assert_eq!(copy.log_end, q.high_watermark, "crash at write {at}");
        }
        assert_eq!(Cluster::open(&root).unwrap().state(), c.state());
        std::fs::remove_dir_all(&root).unwrap();
    }
    assert!(
        aborted > 0,
        "no crash left part of the change on a majority"
    );
    assert!(
        whole > 0,
        "no crash came after the change reached a majority"
    );
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Absurd init arguments are refused before anything is created (a refused
/// `init --brokers 100000` used to leave 100,000 broker folders).
#[test]
fn init_checks_its_arguments_before_creating_anything() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    for (brokers, first_id) in [
        (0, 101),
        (MAX_BROKERS + 1, 101),
        (100_000, 1),
        (2, i32::MAX),
        (1, -1),
    ] {
        assert!(
            matches!(
                Cluster::init(&root, brokers, first_id),
                Err(ClusterError::Invalid(_))
            ),
            "{brokers} brokers from {first_id}"
        );
        assert!(
            !root.exists(),
            "{brokers} brokers from {first_id} created files"
        );
    }
}

/// `refresh` reads the metadata again only when it changed since it was read: a cluster of
/// 200,000 partitions takes tens of milliseconds to read, and a produce read it three times.
#[test]
fn refresh_reads_the_metadata_again_only_when_it_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Cluster::init(dir.path(), 3, 101).unwrap();
    c.create_topic("t", 1, 3, BTreeMap::new(), false).unwrap();
    let mut reader = Cluster::open(dir.path()).unwrap();
    let stamp = reader.loaded_stamp().cloned();
    assert_eq!(stamp, Some(reader.metadata_stamp()));
    reader.refresh().unwrap();
    assert_eq!(
        reader.loaded_stamp().cloned(),
        stamp,
        "read again with nothing changed"
    );
    // Another process changes it: the next refresh sees the change.
    c.create_topic("u", 2, 1, BTreeMap::new(), false).unwrap();
    reader.refresh().unwrap();
    assert_eq!(reader.topic("u").unwrap().partitions.len(), 2);
    assert_ne!(reader.loaded_stamp().cloned(), stamp);
    // A commit changes the image in memory: not read from files, so no stamp.
    c.create_topic("v", 1, 1, BTreeMap::new(), false).unwrap();
    assert_eq!(c.loaded_stamp(), None);
    c.refresh().unwrap();
    assert_eq!(c.loaded_stamp().cloned(), Some(c.metadata_stamp()));
}

/// A writer made from metadata read before a failover must write to the new leader, with
/// its epoch: it starts from the stamp of the files its metadata was read from, not from
/// today's, so its first append sees the change.
#[test]
fn a_writer_on_metadata_read_before_a_failover_writes_to_the_new_leader() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Cluster::init(dir.path(), 3, 101).unwrap();
    c.create_topic("t", 1, 3, BTreeMap::new(), false).unwrap();
    let old = Cluster::open(dir.path()).unwrap();
    let before = old.partition("t", 0).unwrap().clone();
    failover::broker_down(&mut c, before.leader, false).unwrap();
    let after = c.partition("t", 0).unwrap().clone();
    assert_ne!(after.leader, before.leader);
    let mut b = BatchBuilder::new(BatchOptions::default());
    b.append(now_ms(), None, Some(b"x"), &[]);
    let mut w = writer::PartitionWriter::new(&old, "t", 0).unwrap();
    w.append(&mut b.build(0, -1).unwrap(), writer::Acks::Leader)
        .unwrap();
    let updates = w.finish().unwrap();
    writer::write_checkpoints(old.layout(), &updates).unwrap();
    let end = |broker| {
        LogReader::open(&c.layout().replica_dir(broker, "t", 0))
            .unwrap()
            .log_end_offset()
            .unwrap()
    };
    assert_eq!(end(before.leader), 0, "written to the broker that is down");
    assert_eq!(end(after.leader), 1);
}

/// The metadata log is cleaned as KafkaMetadataLog's `maybeClean` does once snapshots cover
/// it: past `metadata.max.retention.bytes`, old snapshots go (renamed `.deleted`) with the
/// segments wholly below the next one, always keeping the latest snapshot and the active
/// segment; the image read back is unchanged, and a voter that was down meanwhile, whose
/// log ends below the leader's log start, takes the leader's snapshot and goes on from it.
#[test]
fn the_metadata_log_is_cleaned_once_snapshots_cover_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    let mut c = Cluster::init(&root, 3, 101).unwrap();
    c.set_cluster_configs(BTreeMap::from([
        ("metadata.log.segment.ms".into(), "1".into()),
        (
            "metadata.log.max.record.bytes.between.snapshots".into(),
            "1".into(),
        ),
        ("metadata.max.retention.bytes".into(), "0".into()),
    ]))
    .unwrap();
    let leader = c.quorum().unwrap().leader;
    let follower = [101, 102, 103].into_iter().find(|&v| v != leader).unwrap();
    failover::broker_down(&mut c, follower, false).unwrap();
    for i in 0..5 {
        // segment.ms counts whole milliseconds between batch timestamps.
        std::thread::sleep(std::time::Duration::from_millis(3));
        c.create_topic(&format!("t{i}"), 1, 2, BTreeMap::new(), false)
            .unwrap();
    }
    let copy = c.layout().metadata_copy(leader);
    let snapshots = quorum::snapshots(&copy).unwrap();
    assert_eq!(
        snapshots.len(),
        1,
        "only the latest snapshot stays: {snapshots:?}"
    );
    assert_eq!(snapshots[0].end_offset, c.state().metadata_offset);
    let deleted = |d: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".deleted"))
            .collect();
        v.sort();
        v
    };
    let marked = deleted(&copy);
    assert!(
        marked.iter().any(|n| n.ends_with(".checkpoint.deleted"))
            && marked.iter().any(|n| n.ends_with(".log.deleted")),
        "{marked:?}"
    );
    let reader = LogReader::open(&copy).unwrap();
    assert!(reader.first_offset() > 0, "the segments below went");
    assert!(reader.first_offset() <= snapshots[0].end_offset);
    assert_eq!(Cluster::open(&root).unwrap().state(), c.state());
    // The story starts at the snapshot, without replaying what it holds twice.
    c.set_snapshot_bytes(Some(u64::MAX));
    c.create_topic("after", 1, 2, BTreeMap::new(), false)
        .unwrap();
    let story = c.history().unwrap();
    assert!(
        story.iter().any(|e| e.topic.as_deref() == Some("after"))
            && story[0].kind == "Snapshot"
            && story[0].last_offset + 1 == snapshots[0].end_offset
            && story[1..]
                .iter()
                .all(|e| e.offset >= snapshots[0].end_offset),
        "{story:?}"
    );
    c.set_snapshot_bytes(None);

    // The voter that was down catches up from the leader's snapshot (and no new snapshot
    // is written meanwhile to stand in for it).
    c.set_snapshot_bytes(Some(u64::MAX));
    failover::broker_up(&mut c, follower).unwrap();
    let q = c.quorum().unwrap();
    let back = q.copy(follower).unwrap();
    assert_eq!(back.log_end, q.high_watermark);
    let theirs = quorum::snapshots(&back.dir).unwrap();
    // It started over from the leader's snapshot, not from offset 0, and every snapshot it
    // keeps reaches its log start (Kafka refuses a log that starts above its snapshots).
    assert!(
        back.log_start > 0
            && !theirs.is_empty()
            && theirs.iter().all(|s| s.end_offset >= back.log_start),
        "{theirs:?}, start {}",
        back.log_start
    );
    assert_eq!(Cluster::open(&root).unwrap().state(), c.state());
}
