//! The partition log with idempotent and transactional producers: leader appends checked
//! and deduplicated, aborts in the `.txnindex` of the marker's segment, snapshots at each
//! roll and close, truncation, recovery, prior state reused, lock-free readers — and a
//! fixed-seed property test that random appends applied incrementally equal a fresh load.

use std::path::Path;

use super::io::{self, Fault, FaultPlan, Op};
use super::names;
use super::producer_state::snapshot::{self, decode_snapshot, list_snapshots, snapshot_path};
use super::producer_state::{ProducerStateError, Verdict};
use super::txn_index::{self, AbortedTxn};
use super::*;
use crate::record::control::end_txn_batch;
use crate::record::{BatchBuilder, BatchOptions};

const TS: i64 = 1_700_000_000_000;

fn data(pid: i64, epoch: i16, seq: i32, n: usize, txn: bool) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions {
        producer_id: pid,
        producer_epoch: epoch,
        base_sequence: seq,
        transactional: txn,
        ..BatchOptions::default()
    });
    for i in 0..n {
        b.append(
            TS + i as i64,
            None,
            Some(format!("v{seq}-{i}").as_bytes()),
            &[],
        );
    }
    b.build(0, 0).unwrap()
}

fn end(pid: i64, epoch: i16, commit: bool, coordinator_epoch: i32) -> Vec<u8> {
    end_txn_batch(commit, pid, epoch, coordinator_epoch, TS)
        .build(0, 0)
        .unwrap()
}

/// A clean reopen (the last writer finished its append), as a writer's lock tells it.
fn hints() -> OpenHints {
    OpenHints {
        trusted_tail: true,
        ..OpenHints::default()
    }
}

fn recovering() -> OpenHints {
    OpenHints {
        recovery_point: 0,
        trusted_tail: false,
        may_cut_tail: true,
        ..OpenHints::default()
    }
}

fn small_segments() -> LogConfig {
    LogConfig {
        segment_bytes: 600,
        index_interval_bytes: 128,
        ..LogConfig::default()
    }
}

fn open_log(dir: &Path, cfg: LogConfig) -> PartitionLog {
    PartitionLog::open(dir, cfg, hints()).unwrap().0
}

/// Everything of a state that a load from the log must reproduce.
fn comparable(s: &ProducerState) -> impl PartialEq + std::fmt::Debug + use<> {
    (
        s.end_offset(),
        s.entries().cloned().collect::<Vec<_>>(),
        s.ongoing().collect::<Vec<_>>(),
        s.first_unstable_offset(),
        s.mark().copied(),
    )
}

/// What a load that starts from a snapshot must reproduce (snapshots keep one batch).
fn snapshot_visible(s: &ProducerState) -> impl PartialEq + std::fmt::Debug + use<> {
    (
        s.end_offset(),
        s.snapshot_entries(),
        s.ongoing().collect::<Vec<_>>(),
    )
}

fn remove_snapshots(dir: &Path) {
    for s in list_snapshots(dir).unwrap() {
        std::fs::remove_file(snapshot_path(dir, s)).unwrap();
    }
}

fn txn_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txnindex"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn leader_appends_are_deduplicated_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open_log(dir.path(), LogConfig::default());
    let first = log.append(&mut data(7, 0, 0, 3, false), 0, TS).unwrap();
    assert_eq!((first.base_offset, first.last_offset), (0, 2));
    let retry = data(7, 0, 0, 3, false);
    let h = *crate::record::BatchRef::parse(&retry, 0, 1 << 20)
        .unwrap()
        .header();
    assert_eq!(
        log.check_producer(&h),
        Ok(Verdict::Duplicate {
            base_offset: 0,
            last_offset: 2,
            timestamp: TS + 2
        })
    );
    assert!(matches!(
        log.check_producer_batches(&retry),
        Ok(Verdict::Duplicate { base_offset: 0, .. })
    ));
    let err = log.append_built(&mut retry.clone(), 0, TS).unwrap_err();
    assert!(
        matches!(
            err,
            LogError::DuplicateBatch {
                producer_id: 7,
                base_offset: 0,
                last_offset: 2
            }
        ),
        "{err}"
    );
    assert_eq!(log.log_end_offset(), 3, "a duplicate is not appended");
    let err = log.append(&mut data(7, 0, 9, 1, false), 0, TS).unwrap_err();
    assert!(
        matches!(
            err,
            LogError::Producer(ProducerStateError::OutOfOrderSequence { expected: 3, .. })
        ),
        "{err}"
    );
    // Two batches in one append are checked in order; the second follows the first.
    let mut chunk = [data(7, 0, 3, 1, false), data(7, 0, 4, 2, false)].concat();
    log.append(&mut chunk, 0, TS).unwrap();
    assert_eq!(log.producer_state().entry(7).unwrap().last_sequence(), 5);
    // A follower copies without checks.
    let fdir = tempfile::tempdir().unwrap();
    let mut f = open_log(fdir.path(), LogConfig::default());
    let mut zombie = data(7, 0, 100, 1, false);
    crate::record::batch::set_base_offset(&mut zombie, 0);
    f.append_as_follower(&zombie).unwrap();
    assert_eq!(f.producer_state().entry(7).unwrap().last_sequence(), 100);
}

/// The duplicate case, at the log layer: the append reaches the disk but the
/// process fails before acknowledging it (here the fsync of flush.messages=1 fails); the
/// producer retries against the reopened log and gets the original offsets back.
#[test]
fn an_append_whose_acknowledgement_was_lost_is_a_duplicate_when_retried() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = LogConfig {
        flush_messages: Some(1),
        ..LogConfig::default()
    };
    let mut log = open_log(dir.path(), cfg);
    log.append(&mut data(9, 0, 0, 2, false), 0, TS).unwrap();
    io::install(FaultPlan {
        at: 0,
        fault: Fault::Crash,
        ops: vec![Op::Sync],
    });
    let lost = log.append(&mut data(9, 0, 2, 2, false), 0, TS);
    io::clear();
    assert!(lost.is_err(), "the producer saw no acknowledgement");
    drop(log);
    let (mut log, report) = PartitionLog::open(dir.path(), cfg, recovering()).unwrap();
    assert_eq!(report.truncated_bytes, 0, "the batch landed whole");
    assert_eq!(log.log_end_offset(), 4);
    let err = log.append(&mut data(9, 0, 2, 2, false), 0, TS).unwrap_err();
    assert!(
        matches!(
            err,
            LogError::DuplicateBatch {
                base_offset: 2,
                last_offset: 3,
                ..
            }
        ),
        "{err}"
    );
    log.append(&mut data(9, 0, 4, 1, false), 0, TS).unwrap();
}

#[test]
fn aborts_are_indexed_in_the_marker_segment_with_the_lso() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open_log(dir.path(), LogConfig::default());
    log.append(&mut data(1, 0, 0, 2, true), 0, TS).unwrap(); // 0..=1
    log.append(&mut data(2, 0, 0, 1, true), 0, TS).unwrap(); // 2
    assert_eq!(log.last_stable_offset(3), 0);
    log.append(&mut end(1, 0, false, 0), 0, TS).unwrap(); // 3: abort of 1
    assert!(log.producer_state().ongoing().all(|t| t.producer_id == 2));
    log.append(&mut end(2, 0, true, 0), 0, TS).unwrap(); // 4: commit of 2
    log.append(&mut end(2, 0, true, 0), 0, TS).unwrap(); // 5: ends nothing
    assert_eq!(
        log.last_stable_offset(4),
        2,
        "2's marker is not below the HW yet"
    );
    assert_eq!(log.last_stable_offset(6), 6);
    let entries = txn_index::read_entries(&txn_index::txn_index_path(dir.path(), 0)).unwrap();
    let want = AbortedTxn {
        version: 0,
        producer_id: 1,
        first_offset: 0,
        last_offset: 3,
        last_stable_offset: 2,
    };
    assert_eq!(entries, [want]);
    let reader = LogReader::open(dir.path()).unwrap();
    assert_eq!(reader.aborted_transactions(0, 6).unwrap(), [want]);
    assert_eq!(reader.aborted_transactions(4, 6).unwrap(), []);
    // At a high watermark of 3 the abort at 3 is not settled: 1's transaction holds it.
    assert_eq!(reader.last_stable_offset(3).unwrap(), 0);
    assert_eq!(reader.last_stable_offset(4).unwrap(), 2);
    assert_eq!(reader.last_stable_offset(6).unwrap(), 6);
    // A commit never makes an entry; no abort, no file.
    let other = tempfile::tempdir().unwrap();
    let mut log = open_log(other.path(), LogConfig::default());
    log.append(&mut data(1, 0, 0, 1, true), 0, TS).unwrap();
    log.append(&mut end(1, 0, true, 0), 0, TS).unwrap();
    assert!(txn_files(other.path()).is_empty());
}

#[test]
fn a_roll_writes_a_snapshot_named_after_the_new_segment() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open_log(dir.path(), small_segments());
    let mut seq = 0;
    while log.segment_bases().len() < 2 {
        log.append(&mut data(5, 0, seq, 2, true), 0, TS).unwrap();
        seq += 2;
    }
    let base = log.segment_bases()[1];
    assert_eq!(list_snapshots(dir.path()).unwrap(), [base]);
    let entries =
        decode_snapshot(&std::fs::read(snapshot_path(dir.path(), base)).unwrap()).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].producer_id, 5);
    assert_eq!(entries[0].last_offset, base - 1);
    assert_eq!(entries[0].current_txn_first_offset, 0);
    // A multi-batch append that rolls between its batches snapshots at the new base too.
    let mut chunk = Vec::new();
    for _ in 0..8 {
        chunk.extend(data(5, 0, seq, 2, true));
        seq += 2;
    }
    log.append(&mut chunk, 0, TS).unwrap();
    let bases = log.segment_bases();
    assert!(bases.len() > 2);
    for &b in &bases[bases.len() - 2..] {
        let e = decode_snapshot(&std::fs::read(snapshot_path(dir.path(), b)).unwrap()).unwrap();
        assert_eq!(
            e[0].last_offset,
            b - 1,
            "snapshot {b} holds the state up to {b}"
        );
    }
}

#[test]
fn close_snapshots_the_log_end_and_the_next_open_replays_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open_log(dir.path(), LogConfig::default());
    log.append(&mut data(3, 0, 0, 4, false), 0, TS).unwrap();
    log.append(&mut data(4, 1, 0, 1, true), 0, TS).unwrap();
    let state = log.producer_state().clone();
    log.close().unwrap();
    assert_eq!(list_snapshots(dir.path()).unwrap(), [5]);
    let log = open_log(dir.path(), LogConfig::default());
    let r = log.producer_load_report();
    assert_eq!(r.snapshot, Some(5));
    assert_eq!(r.replay.batches, 0);
    assert_eq!(
        snapshot_visible(log.producer_state()),
        snapshot_visible(&state)
    );
    assert_eq!(
        log.producer_state().mark(),
        state.mark(),
        "placed at the same batch"
    );
    let mut log = log;
    assert_eq!(log.snapshot().unwrap(), None, "nothing new to snapshot");
}

#[test]
fn a_corrupt_snapshot_is_ignored_and_the_state_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open_log(dir.path(), LogConfig::default());
    log.append(&mut data(3, 0, 0, 4, false), 0, TS).unwrap();
    log.append(&mut data(4, 1, 0, 1, true), 0, TS).unwrap();
    let want = comparable(log.producer_state());
    log.close().unwrap();
    let path = snapshot_path(dir.path(), 5);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[12] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    let log = open_log(dir.path(), LogConfig::default());
    let r = log.producer_load_report();
    assert_eq!(r.snapshot, None);
    assert_eq!(r.ignored_snapshots.len(), 1);
    assert!(r.ignored_snapshots[0].1.contains("CRC mismatch"), "{r:?}");
    assert_eq!(r.replay.batches, 2);
    assert_eq!(comparable(log.producer_state()), want);
    assert!(
        !path.exists(),
        "the writer deletes a bad snapshot, as Kafka does"
    );
}

#[test]
fn truncation_cuts_the_txnindex_snapshots_and_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open_log(dir.path(), LogConfig::default());
    log.append(&mut data(1, 0, 0, 2, true), 0, TS).unwrap(); // 0..=1
    let before_abort = comparable(log.producer_state());
    log.append(&mut end(1, 0, false, 0), 0, TS).unwrap(); // 2
    log.append(&mut data(1, 0, 2, 1, true), 0, TS).unwrap(); // 3
    log.snapshot().unwrap();
    assert_eq!(list_snapshots(dir.path()).unwrap(), [4]);
    assert_eq!(txn_files(dir.path()).len(), 1);
    assert_eq!(log.truncate_to(2).unwrap(), 2);
    assert!(list_snapshots(dir.path()).unwrap().is_empty());
    assert_eq!(
        txn_files(dir.path())[0].1,
        Vec::<u8>::new(),
        "the abort entry is cut"
    );
    assert_eq!(comparable(log.producer_state()), before_abort);
    assert_eq!(log.producer_state().first_undecided_offset(), Some(0));
    // The producer's retry of its abort goes in again.
    log.append(&mut end(1, 0, false, 0), 0, TS).unwrap();
    let e = txn_index::read_entries(&txn_index::txn_index_path(dir.path(), 0)).unwrap();
    assert_eq!(e.len(), 1);
    let n = log.truncate_fully_and_start_at(10).unwrap();
    assert_eq!(n, 10);
    assert!(log.producer_state().is_empty());
    assert!(txn_files(dir.path()).is_empty());
}

#[test]
fn a_prior_state_is_continued_only_while_the_log_holds_its_last_batch() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_segments();
    let mut a = open_log(dir.path(), cfg);
    for s in 0..3 {
        a.append(&mut data(1, 0, s * 2, 2, false), 0, TS).unwrap();
    }
    let prior = a.into_producer_state();
    // Another process appends four batches (rolling at least once).
    let mut b = open_log(dir.path(), cfg);
    for s in 3..7 {
        b.append(&mut data(1, 0, s * 2, 2, true), 0, TS).unwrap();
        if s == 4 {
            b.append(&mut end(1, 0, false, 0), 0, TS).unwrap();
        }
    }
    let expect = comparable(b.producer_state());
    drop(b);
    let (c, _) =
        PartitionLog::open_with_producer_state(dir.path(), cfg, hints(), Some(prior.clone()))
            .unwrap();
    let r = c.producer_load_report();
    assert!(r.reused_prior, "{r:?}");
    assert_eq!(r.replay.batches, 5, "only the new batches");
    assert_eq!(comparable(c.producer_state()), expect);
    // All five batches retained were kept, which a load from a snapshot cannot do.
    assert_eq!(c.producer_state().entry(1).unwrap().batches().len(), 5);
    drop(c);
    // Someone truncates below the prior state's last batch and writes other batches.
    let mut d = open_log(dir.path(), cfg);
    d.truncate_to(2).unwrap();
    for s in 0..4 {
        d.append(&mut data(2, 0, s, 1, false), 0, TS).unwrap();
    }
    let expect = comparable(d.producer_state());
    drop(d);
    let (e, _) =
        PartitionLog::open_with_producer_state(dir.path(), cfg, hints(), Some(prior)).unwrap();
    let r = e.producer_load_report();
    assert!(!r.reused_prior);
    assert!(
        r.prior_rejected
            .as_deref()
            .unwrap_or("")
            .contains("truncated"),
        "{r:?}"
    );
    assert_eq!(comparable(e.producer_state()), expect);
    assert!(
        e.producer_state()
            .entry(1)
            .is_some_and(|x| x.last_sequence() == 1)
    );
}

#[test]
fn recovery_rebuilds_a_lost_txnindex_entry() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_segments();
    let mut log = open_log(dir.path(), cfg);
    for s in 0..6 {
        log.append(&mut data(1, 0, s, 1, true), 0, TS).unwrap();
        log.append(&mut data(2, 0, s, 1, true), 0, TS).unwrap();
        log.append(&mut end(1, 0, s % 2 == 0, 0), 0, TS).unwrap();
    }
    log.append(&mut end(2, 0, false, 0), 0, TS).unwrap();
    let want = txn_files(dir.path());
    assert!(want.len() >= 2, "aborts in several segments: {want:?}");
    drop(log);
    // As if the writer died between writing the markers and their index entries.
    for (name, _) in &want {
        std::fs::remove_file(dir.path().join(name)).unwrap();
    }
    std::fs::write(dir.path().join(&want[0].0), [0xff; 34]).unwrap();
    let (log, report) = PartitionLog::open(dir.path(), cfg, recovering()).unwrap();
    assert!(report.recovered);
    assert_eq!(txn_files(dir.path()), want);
    let fresh = comparable(log.producer_state());
    drop(log);
    remove_snapshots(dir.path());
    let log = open_log(dir.path(), cfg);
    assert_eq!(comparable(log.producer_state()), fresh);
}

#[test]
fn readers_load_the_state_lock_free_and_advance() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open_log(dir.path(), small_segments());
    log.append(&mut data(1, 0, 0, 2, true), 0, TS).unwrap();
    let hw = log.log_end_offset();
    let mut r = ProducerState::load_for_reader(dir.path(), hw).unwrap();
    assert_eq!(r.last_stable_offset(hw), 0);
    let mut seq = 2;
    for _ in 0..10 {
        log.append(&mut data(2, 0, seq, 2, false), 0, TS).unwrap();
        seq += 2;
    }
    log.append(&mut end(1, 0, false, 0), 0, TS).unwrap();
    let hw = log.log_end_offset();
    r.advance(dir.path(), hw).unwrap();
    assert_eq!(r.last_stable_offset(hw), hw);
    assert_eq!(snapshot_visible(&r), snapshot_visible(log.producer_state()));
    // A reader of a log truncated under it reloads.
    log.truncate_to(hw - 1).unwrap();
    log.append(&mut end(1, 0, true, 0), 0, TS).unwrap();
    r.advance(dir.path(), hw + 1).unwrap();
    assert_eq!(snapshot_visible(&r), snapshot_visible(log.producer_state()));
    let fresh = ProducerState::load_for_reader(dir.path(), hw + 1).unwrap();
    assert_eq!(snapshot_visible(&fresh), snapshot_visible(&r));
}

#[test]
fn a_stray_snapshot_above_the_log_end_is_deleted_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open_log(dir.path(), LogConfig::default());
    log.append(&mut data(1, 0, 0, 2, false), 0, TS).unwrap();
    drop(log);
    snapshot::write_snapshot(dir.path(), 99, &[]).unwrap();
    std::fs::write(dir.path().join("00000000000000000001.snapshot.tmp"), b"x").unwrap();
    let log = open_log(dir.path(), LogConfig::default());
    assert!(list_snapshots(dir.path()).unwrap().is_empty());
    assert!(
        !dir.path()
            .join("00000000000000000001.snapshot.tmp")
            .exists()
    );
    assert_eq!(log.producer_state().entry(1).unwrap().last_sequence(), 1);
    let _ = names::SNAPSHOT_SUFFIX;
}

/// A producer of the property test's model.
struct Model {
    pid: i64,
    epoch: i16,
    seq: i32,
    in_txn: bool,
    transactional: bool,
}

/// Random appends through a leader and copies to a follower, with small segments (many
/// rolls and snapshots), epoch bumps, aborts, empty markers, multi-batch appends and
/// retries; fixed seeds, so every run tries the same cases. Afterwards:
/// - a fresh load with no snapshots equals the incremental state exactly;
/// - a fresh load from the snapshots equals it in what snapshots keep;
/// - the follower's state and `.txnindex` files equal the leader's;
/// - recovery from offset 0 rebuilds the same `.txnindex` files.
#[test]
fn random_appends_applied_incrementally_equal_a_fresh_load() {
    let (mut aborts, mut rolls) = (0, 0);
    for seed in 1..=8u64 {
        let mut rng = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let leader_dir = tempfile::tempdir().unwrap();
        let follower_dir = tempfile::tempdir().unwrap();
        let cfg = LogConfig {
            segment_bytes: 300 + 200 * (seed % 3),
            index_interval_bytes: 100,
            ..LogConfig::default()
        };
        let mut leader = open_log(leader_dir.path(), cfg);
        let mut follower = open_log(follower_dir.path(), cfg);
        let mut producers: Vec<Model> = (0..4)
            .map(|i| Model {
                pid: 100 + i,
                epoch: 0,
                seq: if i == 3 { i32::MAX - 6 } else { 0 },
                in_txn: false,
                transactional: i % 2 == 1,
            })
            .collect();
        let mut last: Option<Vec<u8>> = None;
        for _ in 0..150 {
            let p = &mut producers[next(4) as usize];
            let mut chunk = match next(10) {
                0 => data(-1, -1, -1, 1 + next(3) as usize, false),
                1 if p.transactional => {
                    // End the transaction (or nothing), sometimes with a bumped epoch as a
                    // new holder's coordinator does.
                    if next(3) == 0 {
                        p.epoch += 1;
                        p.seq = 0;
                    }
                    p.in_txn = false;
                    end(p.pid, p.epoch, next(2) == 0, 0)
                }
                2 if last.is_some() => {
                    // A retry of the last batch: refused as a duplicate.
                    let mut again = last.clone().unwrap_or_default();
                    let err = leader.append(&mut again, 0, TS);
                    assert!(
                        matches!(err, Err(LogError::DuplicateBatch { .. })),
                        "seed {seed}: {err:?}"
                    );
                    continue;
                }
                3 => {
                    // Two batches of one producer in one append.
                    let n = 1 + next(2) as usize;
                    let a = data(p.pid, p.epoch, p.seq, n, p.transactional);
                    let second = p.seq.wrapping_add(n as i32) & i32::MAX;
                    let b = data(p.pid, p.epoch, second, 1, p.transactional);
                    p.seq = second.wrapping_add(1) & i32::MAX;
                    p.in_txn |= p.transactional;
                    [a, b].concat()
                }
                _ => {
                    let n = 1 + next(4) as usize;
                    let b = data(p.pid, p.epoch, p.seq, n, p.transactional);
                    p.seq = p.seq.wrapping_add(n as i32) & i32::MAX;
                    p.in_txn |= p.transactional;
                    b
                }
            };
            // Only a single idempotent data batch is a retry the leader must refuse.
            let single = crate::record::BatchRef::parse(&chunk, 0, 1 << 20).is_ok_and(|b| {
                b.bytes().len() == chunk.len()
                    && b.header().producer_id >= 0
                    && !b.header().attributes.is_control()
            });
            leader
                .append(&mut chunk, 0, TS)
                .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            follower.append_as_follower(&chunk).unwrap();
            if single {
                let mut retry = chunk.clone();
                crate::record::batch::set_base_offset(&mut retry, 0);
                last = Some(retry);
            } else {
                last = None;
            }
        }
        let incremental = leader.producer_state().clone();
        assert_eq!(
            snapshot_visible(follower.producer_state()),
            snapshot_visible(&incremental),
            "seed {seed}"
        );
        assert_eq!(
            txn_files(leader_dir.path()),
            txn_files(follower_dir.path()),
            "seed {seed}"
        );
        let want_txn = txn_files(leader_dir.path());
        aborts += want_txn.iter().map(|(_, b)| b.len() / 34).sum::<usize>();
        rolls += leader.segment_bases().len() - 1;
        drop(leader);
        // From the snapshots.
        let from_snap = open_log(leader_dir.path(), cfg);
        assert!(
            from_snap.producer_load_report().snapshot.is_some(),
            "seed {seed}"
        );
        assert_eq!(
            snapshot_visible(from_snap.producer_state()),
            snapshot_visible(&incremental),
            "seed {seed}"
        );
        drop(from_snap);
        // From nothing, and with the .txnindex files rebuilt by recovery.
        remove_snapshots(leader_dir.path());
        for (name, _) in &want_txn {
            std::fs::remove_file(leader_dir.path().join(name)).unwrap();
        }
        let (full, _) = PartitionLog::open(leader_dir.path(), cfg, recovering()).unwrap();
        assert_eq!(
            comparable(full.producer_state()),
            comparable(&incremental),
            "seed {seed}"
        );
        assert_eq!(txn_files(leader_dir.path()), want_txn, "seed {seed}");
    }
    assert!(
        aborts > 20 && rolls > 100,
        "the cases matter: {aborts} aborts, {rolls} rolls"
    );
}

#[test]
fn a_long_replay_at_open_leaves_a_snapshot_for_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open_log(dir.path(), LogConfig::default());
    for seq in 0..5 {
        let mut b = BatchBuilder::new(BatchOptions {
            producer_id: 7,
            producer_epoch: 0,
            base_sequence: seq,
            ..BatchOptions::default()
        });
        b.append(TS, None, Some(&vec![b'x'; 1_000_000]), &[]);
        log.append(&mut b.build(0, 0).unwrap(), 0, TS).unwrap();
    }
    drop(log);
    assert!(list_snapshots(dir.path()).unwrap().is_empty());
    let log = open_log(dir.path(), LogConfig::default());
    assert_eq!(log.producer_load_report().replay.batches, 5);
    assert_eq!(list_snapshots(dir.path()).unwrap(), [5]);
    drop(log);
    let log = open_log(dir.path(), LogConfig::default());
    assert_eq!(log.producer_load_report().snapshot, Some(5));
    assert_eq!(log.producer_load_report().replay.batches, 0);
}

/// A coordinator's log: many tiny batches, each written by a writer that never closes
/// cleanly. Past 256 batches of replay an open leaves a snapshot, so the next open replays
/// only what came after it, however small the batches.
#[test]
fn a_replay_of_many_small_batches_leaves_a_snapshot_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open_log(dir.path(), LogConfig::default());
    for _ in 0..300 {
        let mut b = BatchBuilder::new(BatchOptions::default());
        b.append(TS, Some(b"k"), Some(b"v"), &[]);
        log.append(&mut b.build(0, 0).unwrap(), 0, TS).unwrap();
    }
    drop(log);
    assert!(list_snapshots(dir.path()).unwrap().is_empty());
    let log = open_log(dir.path(), LogConfig::default());
    assert_eq!(log.producer_load_report().replay.batches, 300);
    assert_eq!(list_snapshots(dir.path()).unwrap(), [300]);
    drop(log);
    let log = open_log(dir.path(), LogConfig::default());
    assert_eq!(log.producer_load_report().snapshot, Some(300));
    assert_eq!(log.producer_load_report().replay.batches, 0);
}
