//! End-to-end tests of the cluster layer with its clients: a default cluster, topics,
//! producing with the partitioner and reading back up to the high watermark.

use std::collections::BTreeMap;

use super::*;
use crate::client::consumer::{Consumer, Poll, StartOffset};
use crate::client::producer::{Producer, ProducerConfig, ProducerRecord};
use crate::log::{LogConfig, OpenHints, PartitionLog};
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
    let kinds: Vec<&str> = c
        .history()
        .unwrap()
        .iter()
        .map(|(_, _, r)| r.kind())
        .collect();
    assert_eq!(
        kinds,
        [
            "RegisterBroker",
            "RegisterBroker",
            "RegisterBroker",
            "CreateTopic",
            // The (idempotent) producer's id block.
            "ProducerIds",
            "DeleteTopic"
        ]
    );
}

/// Regression: a writer killed after the leader's append but before the followers' left
/// them short, and every later append failed with "replicated batch starts at offset N but
/// the log ends at M". The next writer now copies the missing batches first.
#[test]
fn followers_left_behind_by_a_killed_writer_catch_up() {
    use crate::log::{OpenHints, PartitionLog};
    use crate::record::{BatchBuilder, BatchOptions};
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
    assert_eq!(c.history().unwrap().len(), 3, "brokers registered once");
}

/// The snapshot rebuilt from the metadata log is the one that was lost.
#[test]
fn a_missing_snapshot_is_rebuilt_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    let mut c = Cluster::init(&root, 3, 101).unwrap();
    c.create_topic("a", 2, 3, BTreeMap::new(), false).unwrap();
    c.alter_topic("a", Some(4), BTreeMap::new()).unwrap();
    c.create_topic("b", 1, 1, BTreeMap::new(), false).unwrap();
    c.delete_topic("b").unwrap();
    failover::broker_down(&mut c, 102, false).unwrap();
    let before = Cluster::open(&root).unwrap().state().clone();
    std::fs::remove_file(c.layout().snapshot()).unwrap();
    // Reading it back from a broker folder works too.
    let (c, opened) = Cluster::open_reporting(&root.join("broker-103")).unwrap();
    let Opened::Rebuilt(r) = opened else {
        panic!("{opened:?}")
    };
    assert_eq!((r.brokers, r.topics), (3, 1));
    assert_eq!(c.state(), &before);
    assert!(c.layout().snapshot().is_file(), "written back");
    assert_eq!(Cluster::open_reporting(&root).unwrap().1, Opened::Existing);
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
    let reader = LogReader::open(&c.layout().metadata_log()).unwrap();
    let end = reader.log_end_offset().unwrap();
    let mut cursor = reader.cursor(0).unwrap();
    let mut batches = 0;
    while cursor.next_batch(end).unwrap().is_some() {
        batches += 1;
    }
    assert!(batches > 3, "{batches} metadata batches");
    let kinds: Vec<&str> = c
        .history()
        .unwrap()
        .iter()
        .map(|(_, _, r)| r.kind())
        .collect();
    assert_eq!(kinds[3], "BeginTransaction");
    assert_eq!(*kinds.last().unwrap(), "EndTransaction");
    for opened in [Cluster::open(&root).unwrap(), c.clone()] {
        assert_eq!(opened.topic("big").unwrap().partitions.len(), 40_000);
        assert_eq!(opened.state().metadata_offset, end);
    }
    // The snapshot rebuilt from the log has every partition too.
    let before = Cluster::open(&root).unwrap().state().clone();
    std::fs::remove_file(c.layout().snapshot()).unwrap();
    assert_eq!(Cluster::open(&root).unwrap().state(), &before);
}

/// A controller that dies between the batches of one change leaves part of it in the log:
/// none of it applies, the next change records an AbortTransaction, and the snapshot and a
/// rebuild agree.
#[test]
fn a_change_cut_short_by_a_crash_applies_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    let mut c = Cluster::init(&root, 3, 101).unwrap();
    let before = c.state().clone();
    let small = 16 * 1024;
    let record = MetadataRecord::CreateTopic {
        name: "half".into(),
        topic_id: random_uuid().to_base64(),
        configs: BTreeMap::new(),
        partitions: new_partitions(2_000),
    };
    let batches = metadata::plan_batches(vec![record], small).unwrap();
    assert!(batches.len() > 2);
    // What the dying controller got done: the first two batches, no snapshot.
    let (mut mlog, _) = PartitionLog::open(
        &c.layout().metadata_log(),
        LogConfig::default(),
        OpenHints::default(),
    )
    .unwrap();
    for batch in &batches[..2] {
        let mut b = BatchBuilder::new(BatchOptions::default());
        for (r, v) in batch {
            b.append(now_ms(), Some(r.kind().as_bytes()), Some(v), &[]);
        }
        mlog.append(&mut b.build(0, 0).unwrap(), 0, now_ms())
            .unwrap();
    }
    mlog.flush().unwrap();
    drop(mlog);

    // A rebuild from the log alone does not see the half topic.
    std::fs::remove_file(c.layout().snapshot()).unwrap();
    let rebuilt = Cluster::open(&root).unwrap();
    assert!(rebuilt.topic("half").is_err());
    assert_eq!(rebuilt.state().brokers, before.brokers);

    // The next change aborts it and then applies.
    c.create_topic("after", 1, 1, BTreeMap::new(), false)
        .unwrap();
    assert!(c.topic("half").is_err());
    assert!(c.topic("after").is_ok());
    let kinds: Vec<&str> = c
        .history()
        .unwrap()
        .iter()
        .map(|(_, _, r)| r.kind())
        .collect();
    let abort = kinds.iter().position(|k| *k == "AbortTransaction").unwrap();
    assert_eq!(kinds[abort + 1], "CreateTopic");
    let now = Cluster::open(&root).unwrap().state().clone();
    std::fs::remove_file(c.layout().snapshot()).unwrap();
    assert_eq!(Cluster::open(&root).unwrap().state(), &now);

    // And the same change committed whole, in the same small batches, applies.
    let lock = FileLock::exclusive(&c.layout().controller_lock()).unwrap();
    let record = MetadataRecord::CreateTopic {
        name: "whole".into(),
        topic_id: random_uuid().to_base64(),
        configs: BTreeMap::new(),
        partitions: new_partitions(2_000),
    };
    c.commit_in_batches(vec![record], small).unwrap();
    drop(lock);
    assert_eq!(c.topic("whole").unwrap().partitions.len(), 2_000);
    let reopened = Cluster::open(&root).unwrap();
    assert_eq!(reopened.topic("whole").unwrap().partitions.len(), 2_000);
    std::fs::remove_file(c.layout().snapshot()).unwrap();
    assert_eq!(Cluster::open(&root).unwrap().state(), reopened.state());
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
