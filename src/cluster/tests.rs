//! End-to-end tests of the cluster layer with its clients: a default cluster, topics,
//! producing with the partitioner and reading back up to the high watermark.

use std::collections::BTreeMap;

use super::*;
use crate::client::consumer::{Consumer, Poll, StartOffset};
use crate::client::producer::{Producer, ProducerConfig, ProducerRecord};

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
        b.build(0, -1)
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
