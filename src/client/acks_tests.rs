//! acks=0 through the I/O seam: whatever write of a send fails, the send never fails, and
//! what it reports is true. A batch the leader could not take is counted as dropped and is
//! not in the log; one the leader took is not counted, even when a follower's copy failed
//! (followers are not acks=0's business: the next touch catches them up).

use crate::client::consumer::{Consumer, Poll, StartOffset};
use crate::client::producer::{Acks, Producer, ProducerConfig, ProducerRecord};
use crate::cluster::Cluster;
use crate::log::io::{self, Fault, FaultPlan, Op};

fn values(c: &Cluster) -> Vec<String> {
    let mut c = c.clone();
    c.reload().unwrap();
    let mut consumer = Consumer::new(c, "t", None, StartOffset::Beginning, false).unwrap();
    let mut out = Vec::new();
    while consumer
        .poll(&mut |f| {
            out.push(String::from_utf8_lossy(f.record.value.unwrap_or_default()).into_owned());
            Ok(())
        })
        .unwrap()
        != Poll::End
    {}
    out
}

#[test]
fn acks_0_never_fails_and_counts_only_what_the_leader_did_not_take() {
    let (mut dropped_seen, mut kept_despite_fault) = (0, 0);
    for at in 0..16 {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Cluster::init(&dir.path().join("c"), 3, 101).unwrap();
        c.create_topic("t", 1, 3, Default::default(), false)
            .unwrap();
        let cfg = ProducerConfig {
            acks: Acks::None,
            idempotent: false,
            ..ProducerConfig::default()
        };
        let mut p = Producer::new(c.clone(), "t", cfg).unwrap();
        let send = |p: &mut Producer, v: &'static [u8]| {
            p.send(&ProducerRecord {
                value: Some(v),
                ..Default::default()
            })
            .unwrap();
        };
        send(&mut p, b"first");
        p.flush().unwrap();
        send(&mut p, b"second");
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
        let acks = acks.unwrap_or_else(|e| panic!("write {at}: acks=0 failed: {e}"));
        assert_eq!(acks.len(), 1, "write {at}");
        assert_eq!(
            acks[0].base_offset, -1,
            "write {at}: acks=0 knows no offset"
        );
        let dropped = acks[0].dropped;
        assert_eq!(p.dropped().records, u64::from(dropped), "write {at}");
        if dropped {
            dropped_seen += 1;
            assert!(
                p.dropped().to_string().contains("injected fault"),
                "write {at}: {}",
                p.dropped()
            );
        } else {
            kept_despite_fault += 1;
        }
        p.close().unwrap();
        let want: &[&str] = if dropped {
            &["first"]
        } else {
            &["first", "second"]
        };
        assert_eq!(values(&c), want, "write {at}");
    }
    assert!(dropped_seen >= 1, "no write failure dropped the batch");
    assert!(
        kept_despite_fault >= 2,
        "a follower's failed copy must not drop what the leader took ({kept_despite_fault})"
    );
}
