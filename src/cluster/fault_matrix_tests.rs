//! The fault matrix of issue 18 at the I/O seam: an I/O error (EIO), ENOSPC once, and a disk
//! that stays full, at each file operation of a produce (producer id, appends,
//! replication, close), with acks=all and acks=1, on one replica and on three. After each:
//!
//! - the producer's error, if any, is a documented kind ([`check_error`]): the damage (3),
//!   no leader left (7), too few in-sync replicas before (6) or after the append (13), or
//!   an I/O failure outside every replica's data (1: the metadata log, a lock file, a
//!   broker checkpoint); a failure in a replica's own files is that replica's, never the
//!   command's; and a write refused wrote nothing;
//! - every record acknowledged while a healthy in-sync replica held it is read back at its
//!   offset (with one replica that went offline, after its broker restarted);
//! - no healthy replica's log end offset went down;
//! - a replica the fault took offline comes back when its broker restarts
//!   ([`failover::broker_down`] + [`failover::broker_up`]), catches up with the leader and
//!   rejoins the ISR.
//!
//! The integration matrix (tests/integration/disk_fault_matrix.rs) makes the faults a
//! person meets on disk (bit flips, missing files, links); this one the faults only the
//! seam can make, at every step.

use std::collections::BTreeMap;
use std::path::Path;

use super::replica::replica_info;
use super::writer::PartitionWriter;
use super::*;
use crate::client::consumer::{Consumer, Poll, StartOffset};
use crate::client::producer::{Ack, Acks, Producer, ProducerConfig, ProducerRecord};
use crate::error::{ExitCode, classify};
use crate::log::io::{self, Fault, FaultPlan};

/// Every record of `t` the consumer reads, offset -> value; `Err` when it cannot read.
fn read(c: &Cluster) -> Result<BTreeMap<i64, String>, ClusterError> {
    let mut c = c.clone();
    c.reload()?;
    let mut consumer = Consumer::new(c, "t", None, StartOffset::Beginning, false)?;
    let mut out = BTreeMap::new();
    while consumer.poll(&mut |f| {
        let v = String::from_utf8_lossy(f.record.value.unwrap_or_default()).into_owned();
        assert!(out.insert(f.record.offset, v).is_none(), "read twice");
        Ok(())
    })? != Poll::End
    {}
    Ok(out)
}

/// Sends `values` (one small batch each, all in one request), then closes the producer,
/// as `produce` does: the acknowledgements of a flush first, then the close. Returns what
/// was acknowledged (offset -> value) and the error that ended it, if any.
fn produce(
    c: &Cluster,
    acks: Acks,
    values: &[String],
) -> (BTreeMap<i64, String>, Option<ClusterError>) {
    let cfg = ProducerConfig {
        acks,
        idempotent: acks == Acks::All,
        // An offline partition fails the send at once: nothing else can elect a leader
        // while this thread waits.
        delivery_timeout_ms: 0,
        // One record per batch: a request of several batches, and a segment roll in it.
        batch_size: 40,
        ..ProducerConfig::default()
    };
    let mut acked = BTreeMap::new();
    let mut sent = 0;
    let mut take = |acks: Vec<Ack>| {
        for a in acks {
            for i in 0..a.count {
                acked.insert(a.base_offset + i as i64, values[sent].clone());
                sent += 1;
            }
        }
    };
    let result = (|| {
        let mut p = Producer::new(c.clone(), "t", cfg)?;
        for v in values {
            take(p.send(&ProducerRecord {
                value: Some(v.as_bytes()),
                partition: Some(0),
                ..Default::default()
            })?);
        }
        take(p.flush()?);
        take(p.close()?);
        Ok(())
    })();
    (acked, result.err())
}

/// The exit code `main` would give `e` (exit_code_for's walk of the chain, borrowed).
fn exit_code(e: &ClusterError) -> ExitCode {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(x) = cur {
        if let Some(c) = classify(x) {
            return c;
        }
        cur = x.source();
    }
    ExitCode::Failure
}

/// A produce that met a disk fault ends with the damage itself (3), no leader left (7),
/// too few in-sync replicas before (6) or after (13) the append, or an I/O failure outside
/// every replica's data (1). Returns whether it said nothing was written.
fn check_error(what: &str, e: &ClusterError) -> bool {
    let code = exit_code(e);
    assert!(
        matches!(
            code,
            ExitCode::Corrupt
                | ExitCode::Offline
                | ExitCode::NotEnoughReplicas
                | ExitCode::NotAcknowledged
                | ExitCode::Failure
        ),
        "{what}: {code} for {e}"
    );
    if code == ExitCode::Failure {
        // A replica's own files failing is that replica's failure (it goes offline), not
        // the command's.
        assert!(
            !e.to_string().contains("/t-0/"),
            "{what}: a replica's failure: {e}"
        );
    }
    // Refusals: nothing of the batch was written.
    matches!(
        e,
        ClusterError::NotEnoughReplicas { .. } | ClusterError::Log(log::LogError::Producer(_))
    )
}

/// A temporary folder in memory where there is one (/dev/shm): a case is mostly fsyncs,
/// which cost nothing there, and the seam's faults do not depend on the file system.
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(d) = tempfile::tempdir_in(shm)
    {
        return d;
    }
    tempfile::tempdir().unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A cluster of 3 brokers whose topic `t` (one partition, `rf` replicas, small segments)
/// holds 6 records acknowledged by every replica; copied for each case (making it costs
/// ten times what a case does).
struct Template {
    dir: tempfile::TempDir,
    rf: u32,
    acked: BTreeMap<i64, String>,
}

fn template(rf: u32) -> Template {
    let dir = scratch();
    let mut c = Cluster::init(&dir.path().join("c"), 3, 101).unwrap();
    let configs = [("segment.bytes".to_string(), "300".to_string())].into();
    c.create_topic("t", 1, rf, configs, false).unwrap();
    let first: Vec<String> = (0..6).map(|i| format!("a{i}")).collect();
    let (acked, e) = produce(&c, Acks::All, &first);
    assert!(e.is_none() && acked.len() == 6, "setup: {e:?}");
    Template { dir, rf, acked }
}

/// One case: the template's cluster, then a produce of 6 more records with `fault` at
/// file operation `at`, then the checks. Returns `None` when the produce made fewer
/// operations (the sweep is done), else a line saying what happened.
fn case(template: &Template, acks: Acks, fault: Fault, at: usize) -> Option<String> {
    let rf = template.rf;
    let what = format!("RF {rf}, {acks:?}, {fault:?} at op {at}");
    let dir = scratch();
    copy_dir(&template.dir.path().join("c"), &dir.path().join("c"));
    let mut c = Cluster::open(&dir.path().join("c")).unwrap();
    let mut acked = template.acked.clone();
    let replicas = c.partition("t", 0).unwrap().replicas.clone();
    let leo = |c: &Cluster, b: i32| {
        replica_info(c.layout(), "t", 0, b)
            .map(|r| r.log_end_offset)
            .unwrap_or(-1)
    };
    let before: BTreeMap<i32, i64> = replicas.iter().map(|&b| (b, leo(&c, b))).collect();

    let second: Vec<String> = (0..6).map(|i| format!("b{i}")).collect();
    io::install(FaultPlan {
        at,
        fault,
        ops: Vec::new(),
    });
    let (more, err) = produce(&c, acks, &second);
    if io::clear() <= at {
        return None;
    }
    let refused = err.as_ref().is_some_and(|e| check_error(&what, e));
    let new = more.len();
    acked.extend(more);
    c.reload().unwrap();
    let p = c.partition("t", 0).unwrap().clone();
    let what = format!("{what} ({err:?}, then {p:?})");
    for &b in &replicas {
        if !p.offline_replicas.contains(&b) {
            let now = leo(&c, b);
            assert!(
                now >= before[&b],
                "{what}: healthy {b}: {} -> {now}",
                before[&b]
            );
        }
    }
    let check_read = |got: &BTreeMap<i64, String>, when: &str| {
        for (o, v) in &acked {
            assert_eq!(got.get(o), Some(v), "{what}: {when}: offset {o}");
        }
        if refused {
            assert!(
                got.values()
                    .all(|v| acked.values().any(|a| a == v) || !v.starts_with('b')),
                "{what}: {when}: refused, yet written: {got:?}"
            );
        }
    };
    match read(&c) {
        Ok(got) => check_read(&got, "after the fault"),
        // Only the sole replica, offline, may leave nothing to read.
        Err(e) => assert!(
            rf == 1 && !p.offline_replicas.is_empty(),
            "{what}: cannot read: {e}"
        ),
    }
    // Its broker restarts: the replica comes back, catches up and rejoins the ISR. Then
    // the next process to touch the partition catches up the followers a failed write
    // left behind (as after a writer that was killed).
    let offline = p.offline_replicas.clone();
    for &b in &offline {
        failover::broker_down(&mut c, b, false).unwrap();
        failover::broker_up(&mut c, b).unwrap_or_else(|e| panic!("{what}: {b} up: {e}"));
    }
    failover::touch(&mut c, Some("t")).unwrap_or_else(|e| panic!("{what}: touch: {e}"));
    c.reload().unwrap();
    let p = c.partition("t", 0).unwrap().clone();
    assert!(
        p.offline_replicas.is_empty(),
        "{what}: still offline: {p:?}"
    );
    assert_eq!(p.isr.len(), rf as usize, "{what}: {p:?}");
    let lead = leo(&c, p.leader);
    for &b in &replicas {
        assert_eq!(leo(&c, b), lead, "{what}: {b} did not catch up");
    }
    let got = read(&c).unwrap_or_else(|e| panic!("{what}: after the restart: {e}"));
    check_read(&got, "after the restart");
    Some(format!("{what}: {new} acknowledged, offline {offline:?}"))
}

/// Every fault at every operation of one produce; fails naming every case that failed.
fn sweep(rf: u32, acks: Acks) {
    let template = template(rf);
    let mut failed = Vec::new();
    let mut cases = 0;
    for fault in [Fault::Error, Fault::NoSpace, Fault::Full] {
        for at in 0.. {
            match std::panic::catch_unwind(|| case(&template, acks, fault, at)) {
                Ok(None) => break,
                Ok(Some(_)) => cases += 1,
                Err(_) => failed.push(format!("{fault:?} at {at}")),
            }
        }
    }
    assert!(failed.is_empty(), "RF {rf}, {acks:?}: {failed:?}");
    assert!(cases > 50, "only {cases} operations");
}

#[test]
fn disk_faults_at_every_operation_of_a_produce_rf3_acks_all() {
    sweep(3, Acks::All);
}

#[test]
fn disk_faults_at_every_operation_of_a_produce_rf3_acks_1() {
    sweep(3, Acks::Leader);
}

#[test]
fn disk_faults_at_every_operation_of_a_produce_rf1_acks_all() {
    sweep(1, Acks::All);
}

#[test]
fn disk_faults_at_every_operation_of_a_produce_rf1_acks_1() {
    sweep(1, Acks::Leader);
}

// Regression (fault matrix): a write whose last step (marking the partition's lock record
// clean) failed was reported failed although it was in the log and acknowledged by the
// ISR; the producer's retry of its 6 batches (more than the 5 a partition remembers per
// producer) was refused as out of sequence, so `produce` exited 1 saying "batch refused"
// for records every replica held.
#[test]
fn a_write_that_was_made_is_not_reported_refused_when_its_lock_record_cannot_be_marked() {
    let template = template(1);
    let mut hit = 0;
    for at in 0.. {
        // Only writes count: the lock record's last write is the last write of an append.
        let dir = scratch();
        copy_dir(&template.dir.path().join("c"), &dir.path().join("c"));
        let c = Cluster::open(&dir.path().join("c")).unwrap();
        let values: Vec<String> = (0..6).map(|i| format!("b{i}")).collect();
        io::install(FaultPlan {
            at,
            fault: Fault::Error,
            ops: vec![io::Op::Write],
        });
        let (acked, err) = produce(&c, Acks::All, &values);
        if io::clear() <= at {
            break;
        }
        assert!(
            !matches!(err, Some(ClusterError::Log(log::LogError::Producer(_)))),
            "write {at}: {err:?}"
        );
        if err.is_none() {
            assert_eq!(acked.len(), 6, "write {at}");
            // (Unreadable when the write that failed took the only replica offline.)
            if let Ok(got) = read(&c) {
                assert_eq!(got.values().filter(|v| v.starts_with('b')).count(), 6);
                hit += 1;
            }
        }
    }
    assert!(hit > 0);
}

// Regression (fault matrix): a replica whose producer snapshot could not be written at a
// producer's close (a full disk, a folder that takes no new file) failed the whole
// `produce` with exit 1 after every record was acknowledged, and stayed in the ISR; now it
// is that replica's failure: it goes offline, the close carries on without it.
#[test]
fn a_replica_that_cannot_take_its_snapshot_goes_offline_and_the_close_succeeds() {
    let template = template(3);
    let mut offline_seen = 0;
    for at in 0.. {
        let dir = scratch();
        copy_dir(&template.dir.path().join("c"), &dir.path().join("c"));
        let mut c = Cluster::open(&dir.path().join("c")).unwrap();
        let mut p = Producer::new(c.clone(), "t", ProducerConfig::default()).unwrap();
        p.send(&ProducerRecord {
            value: Some(b"x"),
            partition: Some(0),
            ..Default::default()
        })
        .unwrap();
        let acks = p.flush().unwrap();
        assert_eq!(acks.len(), 1);
        // Every operation of the close: snapshots, their cleanup, checkpoints.
        io::install(FaultPlan {
            at,
            fault: Fault::NoSpace,
            ops: Vec::new(),
        });
        let closed = p.close();
        if io::clear() <= at {
            break;
        }
        c.reload().unwrap();
        let state = c.partition("t", 0).unwrap();
        match closed {
            Ok(_) => offline_seen += usize::from(!state.offline_replicas.is_empty()),
            Err(e) => {
                // Only files outside every replica may fail the close.
                assert!(!e.to_string().contains("/t-0/"), "op {at}: {e}");
            }
        }
    }
    assert!(
        offline_seen >= 3,
        "{offline_seen} snapshot failures took a replica offline"
    );
}

// Regression (fault matrix, a missing middle segment): the consumer's new check that a
// cleanup.policy=delete log has no gap must not mistake retention, which deletes the
// segments a slow reader is still in, for damage.
#[test]
fn retention_under_a_reader_is_not_a_gap() {
    let dir = scratch();
    let mut c = Cluster::init(&dir.path().join("c"), 3, 101).unwrap();
    let configs = [("segment.bytes".to_string(), "150".to_string())].into();
    c.create_topic("t", 1, 3, configs, false).unwrap();
    let values: Vec<String> = (0..12).map(|i| format!("v{i}")).collect();
    let (acked, e) = produce(&c, Acks::All, &values);
    assert!(e.is_none() && acked.len() == 12);
    let mut consumer = Consumer::new(c.clone(), "t", None, StartOffset::Beginning, false).unwrap();
    let mut got = Vec::new();
    let mut take = |f: &crate::client::consumer::Fetched<'_>| -> Result<(), ClusterError> {
        got.push(f.record.offset);
        Ok(())
    };
    assert_ne!(consumer.poll(&mut take).unwrap(), Poll::End);
    // Retention deletes every segment but the active one under the reader.
    c.alter_topic(
        "t",
        None,
        [("retention.bytes".to_string(), "1".to_string())].into(),
    )
    .unwrap();
    let mut w = PartitionWriter::new(&c, "t", 0).unwrap();
    writer::write_checkpoints(c.layout(), &w.checkpoint().unwrap()).unwrap();
    let leader = c.partition("t", 0).unwrap().leader;
    let start = replica_info(c.layout(), "t", 0, leader)
        .unwrap()
        .log_start_offset;
    assert!(start > 1, "retention deleted nothing");
    while consumer.poll(&mut take).unwrap() != Poll::End {}
    assert_eq!(got.last(), Some(&11));
    assert!(got.windows(2).all(|w| w[0] < w[1]), "{got:?}");
}
