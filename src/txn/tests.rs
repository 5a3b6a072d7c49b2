//! Transactions end to end through the library: producers, markers, read_committed
//! consumers, offsets sent with a transaction, fencing, and the coordinator's recovery of
//! what a dead holder left.

use super::coordinator::{self, TXN_TOPIC};
use super::schema::TxnStatus;
use crate::client::consumer::{Consumer, Isolation, Poll, StartOffset};
use crate::client::producer::{Producer, ProducerConfig, ProducerRecord};
use crate::cluster::{Cluster, ClusterError};
use crate::group::offsets;
use crate::log::io::{self, Fault, FaultPlan, Op};

fn cluster(dir: &std::path::Path) -> Cluster {
    let mut c = Cluster::init_isolated(&dir.join("c"), 3, 101, 1).unwrap();
    c.create_topic("t", 2, 3, Default::default(), false)
        .unwrap();
    c
}

fn send(p: &mut Producer, partition: u32, value: &str) {
    p.send(&ProducerRecord {
        value: Some(value.as_bytes()),
        partition: Some(partition),
        ..Default::default()
    })
    .unwrap();
}

/// Every value of `t` in (partition, offset) order at `isolation`.
fn values(c: &Cluster, isolation: Isolation) -> Vec<String> {
    let starts = [(0, StartOffset::Beginning), (1, StartOffset::Beginning)];
    let mut consumer = Consumer::with_isolation(c.clone(), "t", &starts, false, isolation).unwrap();
    let mut out = Vec::new();
    loop {
        let polled = consumer
            .poll(&mut |f| {
                out.push((
                    f.partition,
                    f.record.offset,
                    String::from_utf8_lossy(f.record.value.unwrap_or_default()).into_owned(),
                ));
                Ok(())
            })
            .unwrap();
        if polled == Poll::End {
            break;
        }
    }
    out.sort();
    out.into_iter().map(|(_, _, v)| v).collect()
}

fn transactional(c: &Cluster, id: &str) -> Producer {
    let mut p = Producer::new(c.clone(), "t", ProducerConfig::default()).unwrap();
    p.init_transactions(id, 60_000).unwrap();
    p
}

#[test]
fn read_committed_sees_committed_transactions_only() {
    let dir = tempfile::tempdir().unwrap();
    let c = cluster(dir.path());
    let mut p = transactional(&c, "tx");
    send(&mut p, 0, "a1");
    send(&mut p, 1, "a2");
    p.commit_transaction().unwrap();
    send(&mut p, 0, "b1");
    send(&mut p, 1, "b2");
    p.flush().unwrap();
    p.abort_transaction().unwrap();
    send(&mut p, 0, "c1");
    p.flush().unwrap();
    // c1 is in an open transaction: it holds the last stable offset of partition 0.
    assert_eq!(
        values(&c, Isolation::ReadUncommitted),
        ["a1", "b1", "c1", "a2", "b2"]
    );
    assert_eq!(values(&c, Isolation::ReadCommitted), ["a1", "a2"]);
    p.commit_transaction().unwrap();
    assert_eq!(values(&c, Isolation::ReadCommitted), ["a1", "c1", "a2"]);
    let mut c = c;
    c.reload().unwrap();
    let state = coordinator::read(&c, "tx").unwrap().unwrap();
    assert_eq!(state.status, TxnStatus::CompleteCommit);
    p.close().unwrap();
}

#[test]
fn offsets_sent_with_a_transaction_count_only_once_it_commits() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    let tp = ("in".to_string(), 0);
    let mut p = transactional(&c, "pipe");
    send(&mut p, 0, "x");
    p.send_offsets("g", &[(tp.clone(), 10)]).unwrap();
    c.reload().unwrap();
    assert!(offsets::read(&c, "g").unwrap().is_empty(), "open: not yet");
    p.commit_transaction().unwrap();
    assert_eq!(offsets::read(&c, "g").unwrap()[&tp].offset, 10);
    send(&mut p, 0, "y");
    p.send_offsets("g", &[(tp.clone(), 20)]).unwrap();
    p.abort_transaction().unwrap();
    assert_eq!(
        offsets::read(&c, "g").unwrap()[&tp].offset,
        10,
        "aborted: never"
    );
    p.close().unwrap();
}

#[test]
fn a_new_holder_fences_the_old_one_and_aborts_what_it_left_open() {
    let dir = tempfile::tempdir().unwrap();
    let c = cluster(dir.path());
    let mut zombie = transactional(&c, "id");
    send(&mut zombie, 0, "zombie-1");
    zombie.flush().unwrap();
    let mut next = Producer::new(c.clone(), "t", ProducerConfig::default()).unwrap();
    let finished = next.init_transactions("id", 60_000).unwrap().unwrap();
    assert!(!finished.committed);
    // The zombie can neither write nor commit.
    send(&mut zombie, 0, "zombie-2");
    let e = zombie.flush().unwrap_err();
    assert!(
        matches!(&e, ClusterError::Log(_) | ClusterError::ProducerFenced(_)),
        "{e}"
    );
    let e = zombie.commit_transaction().unwrap_err();
    assert!(e.to_string().contains("fenced"), "{e}");
    send(&mut next, 1, "next");
    next.commit_transaction().unwrap();
    assert_eq!(values(&c, Isolation::ReadCommitted), ["next"]);
    next.close().unwrap();
}

#[test]
fn a_dead_holders_transaction_is_aborted_by_the_next_process_that_needs_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    {
        let mut p = transactional(&c, "dies");
        send(&mut p, 0, "lost");
        p.flush().unwrap();
        // Dropped without commit or abort: its holder lock is free, as after a SIGKILL.
    }
    assert!(values(&c, Isolation::ReadCommitted).is_empty());
    let finished = coordinator::abort_stale(&mut c).unwrap();
    assert_eq!(finished.len(), 1);
    assert_eq!(finished[0].reason, "its holder died");
    // The last stable offset moved past the aborted records.
    let mut p = Producer::new(c.clone(), "t", ProducerConfig::default()).unwrap();
    send(&mut p, 0, "after");
    p.close().unwrap();
    assert_eq!(values(&c, Isolation::ReadCommitted), ["after"]);
    assert!(c.topic(TXN_TOPIC).is_ok());
}

/// Its broker restarts (down, then up), as after an I/O error on one of its replicas: that
/// replica went offline (Kafka's failed log dir) and a restart tries it again, recovered.
fn restart(c: &Cluster) {
    let mut c = c.clone();
    c.reload().unwrap();
    crate::cluster::failover::broker_down(&mut c, 101, false).unwrap();
    crate::cluster::failover::broker_up(&mut c, 101).unwrap();
}

/// The state of `id` as a process starting now would find it.
fn durable_status(c: &Cluster, id: &str) -> Option<TxnStatus> {
    let mut c = c.clone();
    c.reload().unwrap();
    coordinator::read(&c, id).unwrap().map(|s| s.status)
}

/// The fault sweeps' start: a one-broker cluster (a sweep makes a fresh one per step, and
/// three brokers cost 2 s each; replication factor 1 puts the high watermark at the leader's
/// log end) with topic `t` of `partitions` partitions, and producer "tx" in an open
/// transaction that sent "a" to partition 0 and "b" to 1.
fn open_transaction(dir: &std::path::Path, partitions: u32) -> (Cluster, Producer) {
    let mut c = Cluster::init_isolated(&dir.join("c"), 1, 101, 1).unwrap();
    c.create_topic("t", partitions, 1, Default::default(), false)
        .unwrap();
    let mut p = transactional(&c, "tx");
    send(&mut p, 0, "a");
    send(&mut p, 1, "b");
    p.flush().unwrap();
    (c, p)
}

/// Runs `f` with `fault` at the `at`-th file operation of the kinds `ops` (`usize::MAX`:
/// none); returns what `f` returned and how many such operations it did.
fn with_fault<R>(at: usize, fault: Fault, ops: &[Op], f: impl FnOnce() -> R) -> (R, usize) {
    io::install(FaultPlan {
        at,
        fault,
        ops: ops.to_vec(),
    });
    let r = f();
    (r, io::clear())
}

/// A commit cut by a crash at every file operation in turn (the process dies there), then
/// a new holder of the id: the transaction is all or nothing across its data partitions and
/// the group's offsets, and once the commit decision (PrepareCommit) is durable it is
/// rolled forward, never aborted, as Kafka's coordinator does.
#[test]
fn a_commit_cut_at_any_step_is_finished_whole_by_the_next_holder() {
    let tp = ("in".to_string(), 0);
    let setup = |dir: &std::path::Path| {
        let (c, mut p) = open_transaction(dir, 2);
        p.send_offsets("g", &[(tp.clone(), 5)]).unwrap();
        (c, p)
    };
    let ops = [Op::Write, Op::SetLen, Op::Rename];
    // How many file operations a whole commit takes.
    let steps = {
        let dir = tempfile::tempdir().unwrap();
        let (_c, mut p) = setup(dir.path());
        let (done, steps) = with_fault(usize::MAX, Fault::Crash, &ops, || p.commit_transaction());
        done.unwrap();
        steps
    };
    assert!(steps > 10, "{steps}");
    for at in 0..steps {
        let dir = tempfile::tempdir().unwrap();
        let (c, mut p) = setup(dir.path());
        let committed = with_fault(at, Fault::Crash, &ops, || p.commit_transaction())
            .0
            .is_ok();
        // The process died: its holder lock goes with it.
        drop(p);
        let decided = durable_status(&c, "tx");
        let mut next = Producer::new(c.clone(), "t", ProducerConfig::default()).unwrap();
        next.init_transactions("tx", 60_000).unwrap();
        let mut c2 = c.clone();
        c2.reload().unwrap();
        let data = values(&c2, Isolation::ReadCommitted);
        let offset = offsets::read(&c2, "g").unwrap().get(&tp).map(|v| v.offset);
        let whole = matches!((&data[..], offset), ([], None) | ([_, _], Some(5)));
        assert!(
            whole,
            "crash at step {at}: data {data:?}, offset {offset:?}"
        );
        if committed
            || matches!(
                decided,
                Some(TxnStatus::PrepareCommit | TxnStatus::CompleteCommit)
            )
        {
            assert_eq!(
                data,
                ["a", "b"],
                "crash at step {at}: the commit was decided ({decided:?}) but not completed"
            );
        }
        // And nothing is left open: the next transaction commits and is read.
        send(&mut next, 0, "c");
        next.commit_transaction().unwrap();
        assert!(
            values(&c2, Isolation::ReadCommitted).contains(&"c".to_string()),
            "crash at step {at}"
        );
        next.close().unwrap();
    }
}

/// Regression: an id longer than the key's i16 string length was cut when its state was
/// written, so the producer then found no state under its own id and reported itself
/// fenced (exit 9), and two long ids sharing their first 32767 bytes shared one state.
#[test]
fn a_transactional_id_too_long_for_the_key_is_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let c = cluster(dir.path());
    let long = "x".repeat(coordinator::MAX_ID_BYTES + 1);
    let mut p = Producer::new(c.clone(), "t", ProducerConfig::default()).unwrap();
    let e = p.init_transactions(&long, 60_000).unwrap_err();
    assert!(matches!(e, ClusterError::Invalid(_)), "{e}");
    assert!(e.to_string().contains("at most 32767 bytes"), "{e}");
    assert!(
        coordinator::list(&c).unwrap().is_empty(),
        "no state was written"
    );
    // The longest allowed id works end to end.
    let max = "y".repeat(coordinator::MAX_ID_BYTES);
    p.init_transactions(&max, 60_000).unwrap();
    send(&mut p, 0, "v");
    p.commit_transaction().unwrap();
    assert_eq!(values(&c, Isolation::ReadCommitted), ["v"]);
}

/// An abort cut by a crash at every file operation in turn: a read_committed reader
/// never sees the aborted records, right after the crash (before any writer has opened
/// the partition again) and after the next holder finished the transaction.
#[test]
fn an_abort_cut_at_any_step_never_shows_its_records_to_read_committed() {
    let ops = [Op::Write, Op::SetLen, Op::Rename, Op::Sync];
    let steps = {
        let dir = tempfile::tempdir().unwrap();
        let (_c, mut p) = open_transaction(dir.path(), 2);
        let (done, steps) = with_fault(usize::MAX, Fault::Crash, &ops, || p.abort_transaction());
        done.unwrap();
        steps
    };
    for at in 0..steps {
        let dir = tempfile::tempdir().unwrap();
        let (c, mut p) = open_transaction(dir.path(), 2);
        let _ = with_fault(at, Fault::Crash, &ops, || p.abort_transaction());
        drop(p);
        let seen = values(&c, Isolation::ReadCommitted);
        assert!(seen.is_empty(), "crash at step {at}/{steps}: {seen:?}");
        let mut next = transactional(&c, "tx");
        send(&mut next, 0, "c");
        next.commit_transaction().unwrap();
        assert_eq!(
            values(&c, Isolation::ReadCommitted),
            ["c"],
            "crash at step {at}/{steps}, after recovery"
        );
        next.close().unwrap();
    }
}

/// Batches sealed but not yet sent when a transaction aborts are dropped with their
/// sequence numbers: the next transaction goes on from the last batch written, not from a
/// gap the partition would refuse as out of order.
#[test]
fn a_producer_goes_on_after_an_abort_that_dropped_unsent_batches() {
    let dir = tempfile::tempdir().unwrap();
    let c = cluster(dir.path());
    let mut p = Producer::new(
        c.clone(),
        "t",
        ProducerConfig {
            batch_size: 1,
            ..ProducerConfig::default()
        },
    )
    .unwrap();
    p.init_transactions("tx", 60_000).unwrap();
    send(&mut p, 0, "x");
    p.flush().unwrap();
    p.commit_transaction().unwrap();
    for v in ["a", "b", "c"] {
        send(&mut p, 0, v);
    }
    p.abort_transaction().unwrap();
    send(&mut p, 0, "d");
    p.flush().unwrap();
    p.commit_transaction().unwrap();
    p.close().unwrap();
    assert_eq!(values(&c, Isolation::ReadCommitted), ["x", "d"]);
}

/// A commit that fails at one file operation (an I/O error; the process lives on; the
/// replica it hit goes offline until its broker restarts, which it then does), then an
/// abort by the same producer, as `produce` does after an error: once the commit decision
/// was written the abort completes the commit instead and says so, and the transaction is
/// whole either way.
#[test]
fn an_abort_after_a_failed_commit_completes_a_decided_commit() {
    let ops = [Op::Write, Op::Rename];
    let steps = {
        let dir = tempfile::tempdir().unwrap();
        let (_c, mut p) = open_transaction(dir.path(), 2);
        let (done, steps) = with_fault(usize::MAX, Fault::Error, &ops, || p.commit_transaction());
        done.unwrap();
        steps
    };
    let mut saw_decided = false;
    for at in 0..steps {
        let dir = tempfile::tempdir().unwrap();
        let (c, mut p) = open_transaction(dir.path(), 2);
        let failed = with_fault(at, Fault::Error, &ops, || p.commit_transaction())
            .0
            .is_err();
        if !failed {
            continue;
        }
        restart(&c);
        let decided = matches!(
            durable_status(&c, "tx"),
            Some(TxnStatus::PrepareCommit | TxnStatus::CompleteCommit)
        );
        saw_decided |= decided;
        let committed = p.abort_transaction().unwrap();
        assert_eq!(committed, decided, "error at step {at}");
        let expected: &[&str] = if decided { &["a", "b"] } else { &[] };
        assert_eq!(
            values(&c, Isolation::ReadCommitted),
            expected,
            "error at step {at}"
        );
        assert_eq!(
            durable_status(&c, "tx"),
            Some(if decided {
                TxnStatus::CompleteCommit
            } else {
                TxnStatus::CompleteAbort
            }),
            "error at step {at}"
        );
        p.close().unwrap();
    }
    assert!(saw_decided, "no step failed after the decision was written");
}

/// Regression (found in review): a holder that had read its state partition up to `next`
/// skipped the records that landed below `next` after the partition was cut by a power
/// loss and grew past `next` again. A new holder's fence was among them, so the old holder
/// wrote over the new one's state and the newer holder was the one fenced. The leader epoch
/// of the state partition, bumped by the recovery, now makes the old holder read it whole.
#[test]
fn a_holder_sees_a_fence_written_after_its_state_partition_was_cut_and_regrew() {
    use crate::cluster::failover;
    let dir = tempfile::tempdir().unwrap();
    let mut c = Cluster::init_isolated(&dir.path().join("c"), 1, 101, 1).unwrap();
    c.create_topic("t", 2, 1, Default::default(), false)
        .unwrap();
    coordinator::ensure_topic(&mut c).unwrap();
    let flush_every = |c: &mut Cluster, n: &str| {
        let configs = [("flush.messages".to_string(), n.to_string())].into();
        c.alter_topic(TXN_TOPIC, None, configs).unwrap();
        c.reload().unwrap();
    };
    let part = coordinator::partition_for("a");
    let other = (0..10_000)
        .map(|i| format!("o{i}"))
        .find(|id| coordinator::partition_for(id) == part)
        .unwrap();
    // A holds "a"; one transaction flushed, then more that a power loss takes.
    flush_every(&mut c, "1");
    let (mut a, _) = coordinator::init(&mut c, "a", 60_000).unwrap();
    coordinator::add_partitions(&mut c, &mut a, &[("t".into(), 0)]).unwrap();
    coordinator::end(&mut c, &mut a, true).unwrap();
    flush_every(&mut c, &i64::MAX.to_string());
    coordinator::add_partitions(&mut c, &mut a, &[("t".into(), 0)]).unwrap();
    coordinator::end(&mut c, &mut a, true).unwrap();
    coordinator::add_partitions(&mut c, &mut a, &[("t".into(), 0)]).unwrap();
    failover::broker_down(&mut c, 101, true).unwrap();
    failover::broker_up(&mut c, 101).unwrap();
    c.reload().unwrap();
    // B takes "a" (fencing A), then another id's records grow the partition past where A
    // had read.
    let mut c2 = c.clone();
    let (mut b, _) = coordinator::init(&mut c2, "a", 60_000).unwrap();
    for _ in 0..3 {
        coordinator::init(&mut c2, &other, 60_000).unwrap();
    }
    let a_step = coordinator::add_partitions(&mut c, &mut a, &[("t".into(), 1)]);
    assert!(
        matches!(a_step, Err(coordinator::TxnError::Fenced { .. })),
        "A was fenced by B but went on: {a_step:?}"
    );
    coordinator::add_partitions(&mut c2, &mut b, &[("t".into(), 0)]).unwrap();
    let state = coordinator::read(&c, "a").unwrap().unwrap();
    assert_eq!(state.producer_epoch, b.epoch);
}

/// Regression (found in review): after a commit failed past its PrepareCommit, a library
/// user could go on sending. A record to a new partition turned the decided commit back into
/// Ongoing (then aborted), and one to a partition already in it was committed by the abort.
/// Now nothing is sent until the end is retried, and the decision stands.
#[test]
fn nothing_is_sent_while_a_failed_commit_waits_to_be_completed() {
    let ops = [Op::Write, Op::Rename];
    for new_partition in [false, true] {
        let mut seen = false;
        for at in 0..200 {
            let dir = tempfile::tempdir().unwrap();
            let (c2, mut p) = open_transaction(dir.path(), 3);
            let failed = with_fault(at, Fault::Error, &ops, || p.commit_transaction())
                .0
                .is_err();
            if failed {
                restart(&c2);
            }
            if !failed || durable_status(&c2, "tx") != Some(TxnStatus::PrepareCommit) {
                continue;
            }
            seen = true;
            send(&mut p, if new_partition { 2 } else { 0 }, "late");
            let e = p.flush().unwrap_err();
            assert!(e.to_string().contains("again before sending"), "{e}");
            assert_eq!(durable_status(&c2, "tx"), Some(TxnStatus::PrepareCommit));
            // The abort keeps the decision: the commit completes, without "late".
            assert!(p.abort_transaction().unwrap());
            assert_eq!(values(&c2, Isolation::ReadCommitted), ["a", "b"]);
            // And the producer goes on.
            send(&mut p, 1, "next");
            p.commit_transaction().unwrap();
            assert_eq!(values(&c2, Isolation::ReadCommitted), ["a", "b", "next"]);
            break;
        }
        assert!(seen, "no failure after PrepareCommit");
    }
}

/// Regression (found in review): batches refused before the append (NotEnoughReplicas)
/// kept their sequence numbers, so after the abort every later batch to that partition
/// was refused as out of order.
#[test]
fn a_producer_goes_on_after_not_enough_replicas_refused_a_batch() {
    use crate::cluster::failover;
    let dir = tempfile::tempdir().unwrap();
    let mut c = Cluster::init(&dir.path().join("c"), 3, 101).unwrap();
    let configs = [("min.insync.replicas".to_string(), "3".to_string())].into();
    c.create_topic("t", 2, 3, configs, false).unwrap();
    let mut p = transactional(&c, "tx");
    send(&mut p, 0, "x");
    p.commit_transaction().unwrap();
    failover::broker_down(&mut c, 102, false).unwrap();
    send(&mut p, 0, "refused");
    let e = p.flush().unwrap_err();
    assert!(matches!(e, ClusterError::NotEnoughReplicas { .. }), "{e}");
    // The ABORT marker needs the in-sync replicas too (as Kafka's WriteTxnMarkers, which
    // its coordinator retries): decided, then completed once the broker is back.
    let e = p.abort_transaction().unwrap_err();
    assert!(matches!(e, ClusterError::NotEnoughReplicas { .. }), "{e}");
    assert_eq!(durable_status(&c, "tx"), Some(TxnStatus::PrepareAbort));
    failover::broker_up(&mut c, 102).unwrap();
    assert!(!p.abort_transaction().unwrap());
    send(&mut p, 0, "y");
    p.commit_transaction().unwrap();
    p.close().unwrap();
    assert_eq!(values(&c, Isolation::ReadCommitted), ["x", "y"]);
}

/// Regression: the coordinator read the id's state through the producer's own metadata,
/// which still named the state partition's old leader after a failover. A transaction
/// registered with the new leader then looked empty there, so its commit wrote no markers
/// and reported success, and the records were aborted later as timed out.
#[test]
fn a_commit_after_the_state_partitions_leader_failed_commits() {
    use crate::cluster::failover;
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster(dir.path());
    coordinator::ensure_topic(&mut c).unwrap();
    let mut p = transactional(&c, "tx");
    send(&mut p, 0, "a");
    p.commit_transaction().unwrap();
    let leader = c
        .partition(TXN_TOPIC, coordinator::partition_for("tx"))
        .unwrap()
        .leader;
    failover::broker_down(&mut c, leader, false).unwrap();
    send(&mut p, 1, "b");
    p.commit_transaction().unwrap();
    p.close().unwrap();
    let mut fresh = c.clone();
    fresh.reload().unwrap();
    assert_eq!(values(&fresh, Isolation::ReadCommitted), ["a", "b"]);
}
