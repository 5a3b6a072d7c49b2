//! The idempotent producer through the I/O seam: a write that lands on disk but whose
//! acknowledgement is lost (a later step of the same append fails) is retried, and the
//! partition answers the retry with the original offsets instead of writing it twice.

use crate::client::consumer::{Consumer, Poll, StartOffset};
use crate::client::producer::{Producer, ProducerConfig, ProducerRecord};
use crate::cluster::Cluster;
use crate::log::io::{self, Fault, FaultPlan, Op};

fn values(c: &Cluster) -> Vec<(i64, String)> {
    // Fresh metadata: the failed write may have moved the leadership.
    let mut c = c.clone();
    c.reload().unwrap();
    let mut consumer = Consumer::new(c, "t", None, StartOffset::Beginning, false).unwrap();
    let mut out = Vec::new();
    loop {
        let polled = consumer
            .poll(&mut |f| {
                out.push((
                    f.record.offset,
                    String::from_utf8_lossy(f.record.value.unwrap_or_default()).into_owned(),
                ));
                Ok(())
            })
            .unwrap();
        if polled == Poll::End {
            return out;
        }
    }
}

/// Fails the k-th write of a send, for every k the send makes: whatever write failed,
/// the records are in the log once each, at the offsets acknowledged.
#[test]
fn a_retried_write_whose_acknowledgement_was_lost_is_not_written_twice() {
    let mut retried = 0;
    for at in 0..12 {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Cluster::init(&dir.path().join("c"), 3, 101).unwrap();
        c.create_topic("t", 1, 3, Default::default(), false)
            .unwrap();
        let mut p = Producer::new(c.clone(), "t", ProducerConfig::default()).unwrap();
        p.send(&ProducerRecord {
            value: Some(b"first"),
            ..Default::default()
        })
        .unwrap();
        p.flush().unwrap();
        p.send(&ProducerRecord {
            value: Some(b"second"),
            ..Default::default()
        })
        .unwrap();
        io::install(FaultPlan {
            at,
            fault: Fault::Error,
            ops: vec![Op::Write],
        });
        let acks = p.flush();
        let seen = io::clear();
        if seen <= at {
            // This send made fewer writes: every position has been tried.
            break;
        }
        let acks = acks.unwrap_or_else(|e| panic!("write {at} failed for good: {e}"));
        retried += 1;
        assert_eq!(acks.len(), 1);
        assert_eq!(acks[0].base_offset, 1, "write {at}: the original offset");
        p.close().unwrap();
        assert_eq!(
            values(&c),
            [(0, "first".to_string()), (1, "second".to_string())],
            "write {at}"
        );
    }
    assert!(retried >= 3, "only {retried} write positions were tried");
}

/// Followers rebuild producer state from the batches they copy: after a failover the new
/// leader answers a retried batch with its original offsets, and refuses a stale epoch, as
/// the old leader would have.
#[test]
fn a_new_leader_dedups_and_fences_as_the_old_one_did() {
    use crate::cluster::failover;
    use crate::cluster::writer::{Acks, PartitionWriter};
    use crate::record::{BatchBuilder, BatchOptions};

    let dir = tempfile::tempdir().unwrap();
    let mut c = Cluster::init(&dir.path().join("c"), 3, 101).unwrap();
    c.create_topic("t", 1, 3, Default::default(), false)
        .unwrap();
    let batch = |seq: i32, epoch: i16| {
        let mut b = BatchBuilder::new(BatchOptions {
            producer_id: 77,
            producer_epoch: epoch,
            base_sequence: seq,
            ..BatchOptions::default()
        });
        let now = crate::cluster::now_ms();
        b.append(now, None, Some(b"v"), &[]);
        b.append(now, None, Some(b"w"), &[]);
        b.finish(0, -1).unwrap().to_vec()
    };
    let mut w = PartitionWriter::new(&c, "t", 0).unwrap();
    let first = w.append(&mut batch(0, 3), Acks::All).unwrap();
    w.finish().unwrap();
    let leader = c.partition("t", 0).unwrap().leader;
    failover::broker_down(&mut c, leader, false).unwrap();
    c.reload().unwrap();
    assert_ne!(c.partition("t", 0).unwrap().leader, leader);
    let mut w = PartitionWriter::new(&c, "t", 0).unwrap();
    let again = w.append(&mut batch(0, 3), Acks::All).unwrap();
    assert_eq!(
        (again.base_offset, again.last_offset),
        (first.base_offset, first.last_offset),
        "the retry is answered with the original offsets"
    );
    let e = w.append(&mut batch(2, 2), Acks::All).unwrap_err();
    assert!(e.to_string().contains("epoch"), "{e}");
    let next = w.append(&mut batch(2, 3), Acks::All).unwrap();
    assert_eq!(next.base_offset, 2);
    w.finish().unwrap();
    assert_eq!(values(&c).len(), 4);
}
