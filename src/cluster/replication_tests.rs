//! Replication as Kafka does it, proven on real directories: acks and min.insync.replicas,
//! elections, unclean elections and the two KIP-101 scenarios.

use std::collections::BTreeMap;

use super::failover::{self, Report};
use super::replica::PartitionView;
use super::writer::{Acks, PartitionWriter, ReplicaEvent, write_checkpoints};
use super::*;
use crate::client::consumer::{Consumer, Poll, StartOffset};
use crate::log::LogReader;
use crate::record::{BatchBuilder, BatchOptions};

fn cluster(dir: &Path) -> Cluster {
    Cluster::init_isolated(&dir.join("data"), 3, 101, 1).unwrap()
}

fn topic(c: &mut Cluster, name: &str, rf: u32, configs: &[(&str, &str)]) {
    let configs: BTreeMap<String, String> = configs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    c.create_topic(name, 1, rf, configs, false).unwrap();
}

fn batch(values: &[&str]) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions::default());
    for v in values {
        b.append(now_ms(), None, Some(v.as_bytes()), &[]);
    }
    b.build(0, -1).unwrap()
}

fn produce(c: &Cluster, t: &str, values: &[&str], acks: Acks) -> Result<i64, ClusterError> {
    let mut w = PartitionWriter::new(c, t, 0)?;
    let info = w.append(&mut batch(values), acks)?;
    write_checkpoints(c.layout(), &w.finish()?)?;
    Ok(info.base_offset)
}

fn values(c: &Cluster, t: &str) -> Vec<(i64, String)> {
    let mut c = c.clone();
    c.reload().unwrap();
    let mut consumer = Consumer::new(c, t, None, StartOffset::Beginning, false).unwrap();
    let mut out = Vec::new();
    while consumer
        .poll(&mut |f| {
            out.push((
                f.record.offset,
                String::from_utf8_lossy(f.record.value.unwrap_or_default()).into_owned(),
            ));
            Ok(())
        })
        .unwrap()
        != Poll::End
    {}
    out
}

fn leader(c: &mut Cluster, t: &str) -> PartitionState {
    c.reload().unwrap();
    c.partition(t, 0).unwrap().clone()
}

fn truncations(r: &Report) -> Vec<(i32, i64, i64)> {
    r.events
        .iter()
        .filter_map(|(_, _, e)| match e {
            ReplicaEvent::Truncated { broker, from, to } => Some((*broker, *from, *to)),
            _ => None,
        })
        .collect()
}

/// Every replica's batches as (base offset, CRC).
fn batches(c: &Cluster, t: &str, broker: i32) -> Vec<(i64, u32)> {
    let r = LogReader::open(&c.layout().replica_dir(broker, t, 0)).unwrap();
    let end = r.log_end_offset().unwrap();
    let mut cur = r.cursor(0).unwrap();
    let mut out = Vec::new();
    while let Some(b) = cur.next_batch(end).unwrap() {
        out.push((b.header().base_offset, b.header().crc));
    }
    out
}

#[test]
fn acks_all_with_min_isr_2_loses_nothing_across_failovers() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(&mut c, "t", 3, &[("min.insync.replicas", "2")]);
    let mut acked = Vec::new();
    let mut n = 0;
    for round in 0..6 {
        for _ in 0..5 {
            let v = format!("r{n}");
            n += 1;
            match produce(&c, "t", &[&v], Acks::All) {
                Ok(off) => acked.push((off, v)),
                Err(ClusterError::NotEnoughReplicas { .. }) => {}
                Err(e) => panic!("{e}"),
            }
        }
        let victim = leader(&mut c, "t").leader;
        failover::broker_down(&mut c, victim, round % 2 == 0).unwrap();
        for _ in 0..3 {
            let v = format!("r{n}");
            n += 1;
            if let Ok(off) = produce(&c, "t", &[&v], Acks::All) {
                acked.push((off, v));
            }
        }
        failover::broker_up(&mut c, victim).unwrap();
    }
    failover::touch(&mut c, None).unwrap();
    let got: BTreeMap<i64, String> = values(&c, "t").into_iter().collect();
    for (off, v) in &acked {
        assert_eq!(got.get(off), Some(v), "acknowledged offset {off} lost");
    }
    let first = batches(&c, "t", 101);
    assert!(!first.is_empty());
    for b in [102, 103] {
        assert_eq!(batches(&c, "t", b), first, "broker {b} differs from 101");
    }
}

#[test]
fn acks_1_records_after_a_pause_are_lost_with_the_leader_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    // Followers stay in the ISR while paused (lag limit far away), as within 30 s in Kafka.
    topic(&mut c, "t", 3, &[("replica.lag.time.max.ms", "600000")]);
    for v in ["a", "b", "c"] {
        produce(&c, "t", &[v], Acks::All).unwrap();
    }
    let p = leader(&mut c, "t");
    let followers: Vec<i32> = p
        .replicas
        .iter()
        .copied()
        .filter(|&b| b != p.leader)
        .collect();
    for &f in &followers {
        failover::set_paused(&mut c, f, true).unwrap();
    }
    let lost: Vec<i64> = ["d", "e"]
        .iter()
        .map(|v| produce(&c, "t", &[v], Acks::Leader).unwrap())
        .collect();
    assert_eq!(lost, vec![3, 4]);
    assert_eq!(
        values(&c, "t").len(),
        3,
        "consumers stop at the high watermark"
    );
    failover::broker_down(&mut c, p.leader, false).unwrap();
    for &f in &followers {
        failover::set_paused(&mut c, f, false).unwrap();
    }
    let newer = produce(&c, "t", &["f"], Acks::All).unwrap();
    assert_eq!(
        newer, 3,
        "the new leader continues from the old high watermark"
    );
    let up = failover::broker_up(&mut c, p.leader).unwrap();
    assert_eq!(
        truncations(&up),
        vec![(p.leader, 3, 5)],
        "exactly offsets 3..4 dropped"
    );
    let got: Vec<String> = values(&c, "t").into_iter().map(|(_, v)| v).collect();
    assert_eq!(got, ["a", "b", "c", "f"]);
}

#[test]
fn min_insync_replicas_refuses_before_appending() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(&mut c, "t", 3, &[("min.insync.replicas", "2")]);
    produce(&c, "t", &["a"], Acks::All).unwrap();
    let p = leader(&mut c, "t");
    for &b in p.replicas.iter().filter(|&&b| b != p.leader) {
        failover::broker_down(&mut c, b, false).unwrap();
    }
    let err = produce(&c, "t", &["b"], Acks::All).unwrap_err();
    assert!(
        matches!(err, ClusterError::NotEnoughReplicas { isr: 1, min: 2, .. }),
        "{err}"
    );
    assert_eq!(values(&c, "t").len(), 1, "nothing visible");
    assert_eq!(batches(&c, "t", p.leader).len(), 1, "nothing appended");
    // acks=1 is still accepted with one replica.
    produce(&c, "t", &["c"], Acks::Leader).unwrap();
}

#[test]
fn unclean_election_loses_offsets_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(
        &mut c,
        "t",
        2,
        &[("unclean.leader.election.enable", "true")],
    );
    let p = leader(&mut c, "t");
    let follower = p.replicas[1];
    produce(&c, "t", &["a"], Acks::All).unwrap();
    failover::broker_down(&mut c, follower, false).unwrap();
    produce(&c, "t", &["b"], Acks::All).unwrap();
    produce(&c, "t", &["c"], Acks::All).unwrap();
    failover::broker_down(&mut c, p.leader, false).unwrap();
    assert_eq!(
        leader(&mut c, "t").leader,
        -1,
        "offline: no live in-sync replica"
    );
    let up = failover::broker_up(&mut c, follower).unwrap();
    let reason = up
        .changes
        .iter()
        .find_map(|r| match r {
            MetadataRecord::PartitionChange { reason, leader, .. } if *leader == follower => {
                Some(reason.clone())
            }
            _ => None,
        })
        .expect("unclean election");
    assert!(
        reason.contains("UNCLEAN") && reason.contains("offsets 1..2 lost"),
        "{reason}"
    );
    assert_eq!(values(&c, "t").len(), 1);
    // The old leader comes back and drops what the new leader never had.
    let back = failover::broker_up(&mut c, p.leader).unwrap();
    assert_eq!(truncations(&back), vec![(p.leader, 1, 3)]);
}

/// KIP-101 scenario 1: a follower whose high watermark checkpoint is behind its log must
/// not truncate to it, or a leader failure right after loses acknowledged records.
#[test]
fn kip101_scenario_1_no_truncation_to_a_stale_high_watermark() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(&mut c, "t", 2, &[]);
    let p = leader(&mut c, "t");
    let follower = p.replicas[1];
    produce(&c, "t", &["m1"], Acks::All).unwrap();
    produce(&c, "t", &["m2"], Acks::All).unwrap();
    // The follower restarts with a stale high watermark (0) in its checkpoint.
    let hw_file = c
        .layout()
        .broker_checkpoint(follower, log::names::REPLICATION_OFFSET_CHECKPOINT);
    checkpoint::write_offsets(&hw_file, &BTreeMap::new()).unwrap();
    failover::broker_down(&mut c, follower, false).unwrap();
    let up = failover::broker_up(&mut c, follower).unwrap();
    assert!(truncations(&up).is_empty(), "{:?}", up.events);
    // Then the leader dies: the follower leads with m1 and m2.
    failover::broker_down(&mut c, p.leader, false).unwrap();
    assert_eq!(leader(&mut c, "t").leader, follower);
    let got: Vec<String> = values(&c, "t").into_iter().map(|(_, v)| v).collect();
    assert_eq!(got, ["m1", "m2"]);
}

/// KIP-101 scenario 2: after both replicas restart, the one that led in the old epoch has
/// a record at offset 1 the new leader never had, while the new leader wrote a different
/// record at offset 1. Truncating by leader epoch makes the logs agree.
#[test]
fn kip101_scenario_2_replicas_do_not_diverge() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(&mut c, "t", 2, &[("replica.lag.time.max.ms", "600000")]);
    let p = leader(&mut c, "t");
    let b = p.replicas[1];
    produce(&c, "t", &["m1"], Acks::All).unwrap();
    // B stops fetching; A takes m2 (acks=1) that B never gets.
    failover::set_paused(&mut c, b, true).unwrap();
    produce(&c, "t", &["m2"], Acks::Leader).unwrap();
    // Both go down, A first (B, still in the ISR, is elected, then goes too); B comes
    // back first and leads in a new epoch. Their logs survive (flushed, or the OS kept
    // them), so A still holds m2.
    failover::broker_down(&mut c, p.leader, false).unwrap();
    failover::broker_down(&mut c, b, false).unwrap();
    failover::set_paused(&mut c, b, false).unwrap();
    failover::broker_up(&mut c, b).unwrap();
    let now = leader(&mut c, "t");
    assert_eq!(now.leader, b);
    produce(&c, "t", &["m3"], Acks::Leader).unwrap();
    // A comes back: its m2 at offset 1 (epoch 0) diverges from B's m3 (epoch 2+).
    let up = failover::broker_up(&mut c, p.leader).unwrap();
    assert!(
        truncations(&up)
            .iter()
            .any(|&(broker, from, _)| broker == p.leader && from == 1),
        "{:?}",
        up.events
    );
    failover::touch(&mut c, None).unwrap();
    assert_eq!(batches(&c, "t", p.leader), batches(&c, "t", b));
    let got: Vec<String> = values(&c, "t").into_iter().map(|(_, v)| v).collect();
    assert_eq!(got, ["m1", "m3"]);
}

#[test]
fn lagging_follower_leaves_the_isr_and_rejoins_when_caught_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(&mut c, "t", 3, &[("replica.lag.time.max.ms", "50")]);
    let p = leader(&mut c, "t");
    let f = p.replicas[2];
    failover::set_paused(&mut c, f, true).unwrap();
    produce(&c, "t", &["a"], Acks::Leader).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(120));
    produce(&c, "t", &["b"], Acks::Leader).unwrap();
    assert!(
        !leader(&mut c, "t").isr.contains(&f),
        "paused follower left the ISR"
    );
    // acks=all now only waits for the remaining ISR.
    produce(&c, "t", &["c"], Acks::All).unwrap();
    let r = failover::set_paused(&mut c, f, false).unwrap();
    assert!(
        r.events
            .iter()
            .any(|(_, _, e)| matches!(e, ReplicaEvent::Isr { after, .. } if after.contains(&f))),
        "{:?}",
        r.events
    );
    assert!(leader(&mut c, "t").isr.contains(&f));
}

/// Nemesis seed 980733251: a read_committed consumer's janitor read `__transaction_state`
/// with metadata loaded before a paused follower left the ISR, computed the high watermark
/// from that follower's log, found an old state there and wrote its old epoch back. The
/// high watermark never moves back within a leader epoch (Kafka's leader keeps it), so a
/// reader with old metadata still sees what was acknowledged.
#[test]
fn a_reader_whose_metadata_predates_an_isr_shrink_keeps_the_high_watermark() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(&mut c, "t", 3, &[("replica.lag.time.max.ms", "50")]);
    let p = leader(&mut c, "t");
    let f = p.replicas[2];
    produce(&c, "t", &["a"], Acks::All).unwrap();
    failover::set_paused(&mut c, f, true).unwrap();
    // A reader's metadata, from before the shrink: the paused follower is in its ISR.
    let mut stale = c.clone();
    stale.reload().unwrap();
    assert!(stale.partition("t", 0).unwrap().isr.contains(&f));
    std::thread::sleep(std::time::Duration::from_millis(120));
    produce(&c, "t", &["b", "c"], Acks::All).unwrap();
    assert!(!leader(&mut c, "t").isr.contains(&f), "the follower left");
    let view = PartitionView::read(&stale, "t", 0).unwrap();
    assert_eq!(view.high_watermark, 3, "acknowledged b and c are below it");
    let mut consumer = Consumer::new(stale, "t", None, StartOffset::Beginning, false).unwrap();
    let mut got = Vec::new();
    while consumer
        .poll(&mut |r| {
            got.push(r.record.offset);
            Ok(())
        })
        .unwrap()
        != Poll::End
    {}
    assert_eq!(got, [0, 1, 2]);
}

/// Kafka serves a fetch at any offset up to the leader's log end; one above the high
/// watermark waits there. Clamped down to the high watermark, a pipe's reader made at the
/// offset after its batch went back over that batch whenever its metadata computed the high
/// watermark low, and processed it again (nemesis seed 980733251, `--pipes 2`).
#[test]
fn a_consumer_started_above_the_high_watermark_waits_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(&mut c, "t", 3, &[("replica.lag.time.max.ms", "600000")]);
    let f = leader(&mut c, "t").replicas[2];
    produce(&c, "t", &["a", "b", "c"], Acks::All).unwrap();
    failover::set_paused(&mut c, f, true).unwrap();
    produce(&c, "t", &["d", "e"], Acks::Leader).unwrap();
    let view = PartitionView::read(&c, "t", 0).unwrap();
    assert_eq!((view.high_watermark, view.log_end_offset), (3, 5));
    let mut consumer = Consumer::new(c.clone(), "t", None, StartOffset::Offset(5), true).unwrap();
    assert_eq!(consumer.positions(), [(0, 5)]);
    let mut got = Vec::new();
    consumer
        .poll(&mut |r| {
            got.push(r.record.offset);
            Ok(())
        })
        .unwrap();
    assert!(got.is_empty(), "nothing below the start: {got:?}");
    failover::set_paused(&mut c, f, false).unwrap();
    produce(&c, "t", &["f"], Acks::All).unwrap();
    consumer.refresh().unwrap();
    while consumer
        .poll(&mut |r| {
            got.push(r.record.offset);
            Ok(())
        })
        .unwrap()
        == Poll::Records(1)
    {}
    assert_eq!(got, [5]);
}

/// Kafka's leader never moves its high watermark back within its epoch. An in-sync follower
/// that lost its unflushed tail (a torn write) and has not copied it again holds the
/// minimum of the ISR's log ends down; the high watermark stays where it was.
#[test]
fn a_torn_in_sync_follower_does_not_move_the_high_watermark_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(&mut c, "t", 3, &[("replica.lag.time.max.ms", "600000")]);
    let f = leader(&mut c, "t").replicas[2];
    produce(&c, "t", &["a"], Acks::All).unwrap();
    produce(&c, "t", &["b"], Acks::All).unwrap();
    failover::set_paused(&mut c, f, true).unwrap();
    super::failure::torn_write(c.layout(), "t", 0, f).unwrap();
    {
        let lock = super::lock::FileLock::exclusive(&c.layout().partition_lock("t", 0)).unwrap();
        super::writer::mark_unclean(&lock).unwrap();
    }
    // The next writer recovers the follower (its log ends at 1 now) and, paused, it copies
    // nothing; it stays in the ISR (replica.lag.time.max.ms has not passed).
    produce(&c, "t", &["c"], Acks::Leader).unwrap();
    let p = leader(&mut c, "t");
    assert!(p.isr.contains(&f));
    let view = PartitionView::read(&c, "t", 0).unwrap();
    let follower = view.replicas.iter().find(|r| r.broker == f).unwrap();
    assert_eq!(follower.log_end_offset, 1, "the torn batch was cut");
    assert_eq!(view.high_watermark, 2, "a and b stay visible");
}

#[test]
fn preferred_leader_election_moves_leadership_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(&mut c, "t", 3, &[]);
    let p = leader(&mut c, "t");
    produce(&c, "t", &["a"], Acks::All).unwrap();
    failover::broker_down(&mut c, p.leader, false).unwrap();
    produce(&c, "t", &["b"], Acks::All).unwrap();
    failover::broker_up(&mut c, p.leader).unwrap();
    assert_ne!(leader(&mut c, "t").leader, p.leader);
    let r = failover::elect_leaders(&mut c, Some("t")).unwrap();
    assert_eq!(r.changes.len(), 1);
    assert_eq!(leader(&mut c, "t").leader, p.leader);
    produce(&c, "t", &["c"], Acks::All).unwrap();
    let got: Vec<String> = values(&c, "t").into_iter().map(|(_, v)| v).collect();
    assert_eq!(got, ["a", "b", "c"]);
}

/// Runs `produce` of one record with acks=all on another thread; returns a receiver for
/// its result.
fn produce_in_background(
    c: &Cluster,
    value: &'static str,
) -> std::sync::mpsc::Receiver<Result<i64, ClusterError>> {
    let c = c.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(produce(&c, "t", &[value], Acks::All));
    });
    rx
}

/// Waits until `broker`'s replica of t-0 ends at `leo` or beyond.
fn wait_for_leo(c: &Cluster, broker: i32, leo: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let dir = c.layout().replica_dir(broker, "t", 0);
    while LogReader::open(&dir)
        .and_then(|r| r.log_end_offset())
        .unwrap_or(0)
        < leo
    {
        assert!(
            std::time::Instant::now() < deadline,
            "{broker} never got to {leo}"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Regression: acks=all waiting for a paused follower when the leader died kept waiting
/// on the new leader's high watermark, which says nothing about its batch: the new leader
/// never had it. The writer must find that out and append again to the new leader.
#[test]
fn acks_all_appends_again_when_the_new_leader_lacks_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(
        &mut c,
        "t",
        3,
        &[
            ("min.insync.replicas", "2"),
            ("replica.lag.time.max.ms", "600000"),
        ],
    );
    let p = leader(&mut c, "t");
    let (f1, f2) = (p.replicas[1], p.replicas[2]);
    failover::set_paused(&mut c, f1, true).unwrap();
    failover::set_paused(&mut c, f2, true).unwrap();
    let result = produce_in_background(&c, "a");
    // The batch is on the leader only; the writer waits for the paused ISR members.
    wait_for_leo(&c, p.leader, 1);
    failover::broker_down(&mut c, p.leader, false).unwrap();
    assert_eq!(leader(&mut c, "t").leader, f1);
    failover::set_paused(&mut c, f2, false).unwrap();
    let offset = result
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("acks=all never returned")
        .unwrap();
    failover::set_paused(&mut c, f1, false).unwrap();
    failover::broker_up(&mut c, p.leader).unwrap();
    assert_eq!(values(&c, "t"), [(offset, "a".to_string())]);
    assert_eq!(batches(&c, "t", p.leader), batches(&c, "t", f1));
}

/// The other side: the new leader has the batch (it was copied before the old leader
/// died), so the writer waits for that copy and acknowledges it once, at its offset.
#[test]
fn acks_all_acknowledges_the_copy_the_new_leader_holds() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(
        &mut c,
        "t",
        3,
        &[
            ("min.insync.replicas", "2"),
            ("replica.lag.time.max.ms", "600000"),
        ],
    );
    produce(&c, "t", &["a"], Acks::All).unwrap();
    let p = leader(&mut c, "t");
    let (f1, f2) = (p.replicas[1], p.replicas[2]);
    failover::set_paused(&mut c, f2, true).unwrap();
    let result = produce_in_background(&c, "b");
    wait_for_leo(&c, f1, 2);
    failover::broker_down(&mut c, p.leader, false).unwrap();
    assert_eq!(leader(&mut c, "t").leader, f1);
    failover::set_paused(&mut c, f2, false).unwrap();
    let offset = result
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("acks=all never returned")
        .unwrap();
    assert_eq!(offset, 1);
    failover::broker_up(&mut c, p.leader).unwrap();
    assert_eq!(
        values(&c, "t"),
        [(0, "a".to_string()), (1, "b".to_string())]
    );
}

fn epochs_of(c: &Cluster, t: &str, broker: i32) -> Vec<(i32, i64)> {
    let path = c
        .layout()
        .replica_dir(broker, t, 0)
        .join(log::names::LEADER_EPOCH_CHECKPOINT);
    checkpoint::read_epochs(&path)
        .unwrap()
        .into_iter()
        .map(|e| (e.epoch, e.start_offset))
        .collect()
}

/// Regression (repro_kip279.sh): after two unclean elections the returning replica's
/// latest epoch is one its leader never had, and the leader's answer names an epoch the
/// replica never had either. One round of truncation stopped at 5, the copy was refused
/// ("replicated batch starts at offset 3 but the log ends at 5") and every later write to
/// the partition failed the same way.
/// Two unclean elections on a 2-replica topic (repro_kip279.sh), up to the point where the
/// first leader `a` is about to come back: `a` holds m0..m4 (epoch 0) and p5..p7, `b`
/// leads with m0..m2, n3..n6 and q7..q9. Returns (a, b, what each unclean election said).
fn two_unclean_elections(c: &mut Cluster) -> (i32, i32, Vec<String>) {
    topic(
        c,
        "t",
        2,
        &[
            ("unclean.leader.election.enable", "true"),
            ("replica.lag.time.max.ms", "600000"),
        ],
    );
    let p = leader(c, "t");
    let (a, b) = (p.leader, p.replicas[1]);
    produce(c, "t", &["m0", "m1", "m2"], Acks::All).unwrap();
    failover::set_paused(c, b, true).unwrap();
    produce(c, "t", &["m3", "m4"], Acks::Leader).unwrap();
    failover::broker_down(c, a, false).unwrap();
    failover::set_paused(c, b, false).unwrap();
    produce(c, "t", &["n3", "n4", "n5", "n6"], Acks::Leader).unwrap();
    failover::broker_down(c, b, false).unwrap();
    let first = failover::broker_up(c, a).unwrap();
    produce(c, "t", &["p5", "p6", "p7"], Acks::Leader).unwrap();
    failover::broker_down(c, a, false).unwrap();
    let second = failover::broker_up(c, b).unwrap();
    produce(c, "t", &["q7", "q8", "q9"], Acks::Leader).unwrap();
    let unclean = [first, second]
        .iter()
        .flat_map(|r| &r.changes)
        .filter_map(|r| match r {
            MetadataRecord::PartitionChange { reason, .. } if reason.contains("UNCLEAN") => {
                Some(reason.clone())
            }
            _ => None,
        })
        .collect();
    (a, b, unclean)
}

/// After [`two_unclean_elections`] and `a`'s return: both replicas agree with `b`.
fn assert_agree_with_b(c: &Cluster, a: i32, b: i32) {
    produce(c, "t", &["r"], Acks::All).unwrap();
    let got: Vec<String> = values(c, "t").into_iter().map(|(_, v)| v).collect();
    assert_eq!(
        got,
        [
            "m0", "m1", "m2", "n3", "n4", "n5", "n6", "q7", "q8", "q9", "r"
        ]
    );
    assert_eq!(batches(c, "t", a), batches(c, "t", b));
    assert_eq!(epochs_of(c, "t", a), epochs_of(c, "t", b));
}

/// Regression (repro_kip279.sh): after two unclean elections the returning replica's
/// latest epoch is one its leader never had, and the leader's answer names an epoch the
/// replica never had either. One round of truncation stopped at 5, the copy was refused
/// ("replicated batch starts at offset 3 but the log ends at 5") and every later write to
/// the partition failed the same way.
#[test]
fn kip279_two_unclean_elections_truncate_to_the_real_divergence() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    let (a, b, _) = two_unclean_elections(&mut c);
    let up = failover::broker_up(&mut c, a).unwrap();
    assert_eq!(truncations(&up), vec![(a, 3, 8)], "{:?}", up.events);
    assert_agree_with_b(&c, a, b);
}

/// A replica left wedged by the old single-round truncation (its checkpoint claims b's
/// epoch from offset 5, where its log holds epoch-0 batches): its log ends inside one of
/// the leader's batches, so it cuts back to that batch and fetches it, instead of having
/// every copy refused.
/// Regression: an unclean election reported the old leader's log end minus the new
/// leader's ("offsets 5..6 lost", "offsets 7..7 lost"), not the records it loses: b's
/// n3..n6 (a has m3, m4 at 3 and 4), then a's m3..p7.
#[test]
fn unclean_elections_report_every_offset_they_lose() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    let (_, _, unclean) = two_unclean_elections(&mut c);
    assert_eq!(unclean.len(), 2, "{unclean:?}");
    assert!(unclean[0].ends_with("offsets 3..6 lost"), "{}", unclean[0]);
    assert!(unclean[1].ends_with("offsets 3..7 lost"), "{}", unclean[1]);
}

#[test]
fn a_follower_ending_inside_a_leader_batch_cuts_back_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    let (a, b, _) = two_unclean_elections(&mut c);
    let b_epoch = epochs_of(&c, "t", b)[1].0;
    let path = c
        .layout()
        .replica_dir(a, "t", 0)
        .join(log::names::LEADER_EPOCH_CHECKPOINT);
    let wedged = [(0, 0), (b_epoch, 5)].map(|(epoch, start_offset)| checkpoint::EpochEntry {
        epoch,
        start_offset,
    });
    checkpoint::write_epochs(&path, &wedged).unwrap();
    failover::broker_up(&mut c, a).unwrap();
    assert_agree_with_b(&c, a, b);
}

/// Regression: a follower wrote the epoch of a batch into its leader-epoch-checkpoint
/// before appending it, so a refused copy left it claiming an epoch (and an offset where
/// it starts) that it does not hold, and later truncations trusted that. The failure
/// also named no partition and no broker.
#[test]
fn a_refused_copy_records_no_epoch_and_names_the_replica() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    // Every batch indexed: opening the leader's log then checks only its last batch, and
    // the damage below stays for the follower's copy to find.
    topic(&mut c, "t", 2, &[("index.interval.bytes", "1")]);
    let p = leader(&mut c, "t");
    let (a, b) = (p.leader, p.replicas[1]);
    produce(&c, "t", &["a"], Acks::All).unwrap();
    // b leaves; a leads alone, then goes down and comes back: a new epoch.
    failover::broker_down(&mut c, b, false).unwrap();
    failover::broker_down(&mut c, a, false).unwrap();
    failover::broker_up(&mut c, a).unwrap();
    let epoch = leader(&mut c, "t").leader_epoch;
    produce(&c, "t", &["b"], Acks::Leader).unwrap();
    produce(&c, "t", &["c"], Acks::Leader).unwrap();
    // The leader's copy of "b" (its second batch, not its tail) is damaged in its last
    // byte, so b's copy of it fails its CRC check.
    let seg = log::names::segment_path(
        &c.layout().replica_dir(a, "t", 0),
        0,
        log::names::LOG_SUFFIX,
    );
    let mut bytes = std::fs::read(&seg).unwrap();
    let size =
        |at: usize| 12 + i32::from_be_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
    let second = size(0);
    let end_of_second = second + size(second);
    bytes[end_of_second - 1] ^= 0x55;
    std::fs::write(&seg, &bytes).unwrap();
    let err = failover::broker_up(&mut c, b).unwrap_err().to_string();
    assert!(
        err.contains(&format!("t-0: replica on broker {b}")),
        "{err}"
    );
    assert_eq!(epochs_of(&c, "t", b), [(0, 0)], "no epoch {epoch} entry");
}

/// Regression: a writer made from a `Cluster` read before a failover (a consumer-group
/// member keeps one for its whole run) stamped the current cluster.json onto that stale
/// state, so it never re-read it and appended to the old, down leader with the old epoch.
#[test]
fn a_writer_from_stale_metadata_appends_to_the_current_leader() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(&mut c, "t", 3, &[]);
    produce(&c, "t", &["a"], Acks::All).unwrap();
    let stale = c.clone();
    let old = leader(&mut c, "t");
    failover::broker_down(&mut c, old.leader, false).unwrap();
    let now = leader(&mut c, "t");
    let off = produce(&stale, "t", &["b"], Acks::All).unwrap();
    assert_eq!(off, 1);
    let r = LogReader::open(&c.layout().replica_dir(now.leader, "t", 0)).unwrap();
    let mut cur = r.cursor(1).unwrap();
    let b = cur.next_batch(2).unwrap().expect("b on the new leader");
    assert_eq!(b.header().partition_leader_epoch, now.leader_epoch);
    assert_eq!(
        batches(&c, "t", old.leader).len(),
        1,
        "nothing for the down broker"
    );
}

/// Regression (found by the nemesis run): after a leader change, a following consumer went
/// back to the new leader's high watermark when that was below its position, and read the
/// records between again (a pipe processed its input twice). The high watermark fell
/// because an in-sync follower lost its unflushed tail. As a Kafka consumer, it now goes
/// back only when the new leader's log is shorter than its position.
#[test]
fn a_leader_change_does_not_take_a_consumer_back_below_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(&mut c, "t", 3, &[("min.insync.replicas", "2")]);
    for i in 0..10 {
        produce(&c, "t", &[&format!("v{i}")], Acks::All).unwrap();
    }
    let mut consumer = Consumer::new(c.clone(), "t", None, StartOffset::Beginning, true).unwrap();
    let mut read = Vec::new();
    while read.len() < 10 {
        consumer
            .poll(&mut |f| {
                read.push(f.record.offset);
                Ok(())
            })
            .unwrap();
    }
    // A follower still in the ISR loses its tail (an unflushed write lost): the high
    // watermark the replicas now give is below the consumer's position.
    let p = leader(&mut c, "t");
    // The last follower: the election takes the first in-sync one.
    let (old, short) = (
        p.leader,
        *p.replicas.iter().rfind(|&&r| r != p.leader).unwrap(),
    );
    {
        let (mut log, _) = crate::log::PartitionLog::open(
            &c.layout().replica_dir(short, "t", 0),
            crate::log::LogConfig::default(),
            crate::log::OpenHints::default(),
        )
        .unwrap();
        log.truncate_to(5).unwrap();
    }
    failover::broker_down(&mut c, old, false).unwrap();
    let now = leader(&mut c, "t");
    assert!(now.leader != old && now.leader != short, "{now:?}");
    assert!(now.isr.contains(&short), "{now:?}");
    consumer.refresh().unwrap();
    assert_eq!(consumer.positions(), [(0, 10)], "the consumer went back");
    let mut again = Vec::new();
    consumer
        .poll(&mut |f| {
            again.push(f.record.offset);
            Ok(())
        })
        .unwrap();
    assert!(again.is_empty(), "read again: {again:?}");
}

/// Regression (found by the nemesis run): a power-loss `broker-down` cut the broker's
/// unflushed data while it still counted as running, so a reader (no lock) computed the
/// high watermark from the shortened in-sync replica: below what consumers had read, and
/// for `__consumer_offsets` below the group's commits. The broker is now stopped first:
/// whatever step of the power loss fails, it is not running with shortened logs.
#[test]
fn a_power_loss_stops_the_broker_before_cutting_its_logs() {
    use crate::log::io::{self, Fault, FaultPlan, Op};
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    topic(&mut c, "t", 3, &[("min.insync.replicas", "2")]);
    for i in 0..5 {
        produce(&c, "t", &[&format!("v{i}")], Acks::All).unwrap();
    }
    let p = leader(&mut c, "t");
    let follower = *p.replicas.iter().rfind(|&&r| r != p.leader).unwrap();
    // The first file the power loss changes fails: nothing is fenced yet.
    io::install(FaultPlan {
        at: 0,
        fault: Fault::Crash,
        ops: vec![Op::SetLen, Op::Remove],
    });
    let r = failover::broker_down(&mut c, follower, true);
    let seen = io::clear();
    assert!(seen > 0 && r.is_err(), "the power loss cut nothing: {r:?}");
    let c = Cluster::open(c.layout().root()).unwrap();
    assert!(
        !c.state().brokers[&follower].running,
        "broker {follower} counts as running while its logs are cut"
    );
}
