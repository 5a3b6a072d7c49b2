//! The cleaner over real segment files written through [`PartitionLog`]: each key's latest
//! record kept at its offset, the active segment untouched, tombstones kept until their
//! delete horizon then removed, aborted transactions removed and their markers after, the
//! last batch of each producer kept, several rounds when the map is small, groups, the
//! cleanable view, and a crash at every I/O step of a clean.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;
use crate::log::io::{self, Fault, FaultPlan};
use crate::log::{LogConfig, LogReader, OpenHints};
use crate::record::control::end_txn_batch;
use crate::record::{BatchBuilder, BatchOptions, BatchRef};

const TS: i64 = 1_700_000_000_000;
const DAY: i64 = 86_400_000;

type Rec = (i64, Option<Vec<u8>>, Option<Vec<u8>>);

fn part_dir(root: &Path) -> PathBuf {
    root.join("broker-0").join("t-0")
}

fn hints() -> OpenHints {
    OpenHints {
        trusted_tail: true,
        ..OpenHints::default()
    }
}

fn cfg(segment_bytes: u64) -> LogConfig {
    LogConfig {
        segment_bytes,
        index_interval_bytes: 256,
        ..LogConfig::default()
    }
}

fn opts(pid: i64, epoch: i16, seq: i32, txn: bool) -> BatchOptions {
    BatchOptions {
        producer_id: pid,
        producer_epoch: epoch,
        base_sequence: seq,
        transactional: txn,
        ..BatchOptions::default()
    }
}

/// A batch of keyed records (`None` value = tombstone).
fn keyed(o: BatchOptions, recs: &[(&str, Option<&str>)]) -> Vec<u8> {
    let mut b = BatchBuilder::new(o);
    for (i, (k, v)) in recs.iter().enumerate() {
        b.append(TS + i as i64, Some(k.as_bytes()), v.map(str::as_bytes), &[]);
    }
    b.build(0, 0).unwrap()
}

fn plain(recs: &[(&str, Option<&str>)]) -> Vec<u8> {
    keyed(BatchOptions::default(), recs)
}

fn marker(pid: i64, epoch: i16, commit: bool) -> Vec<u8> {
    end_txn_batch(commit, pid, epoch, 0, TS)
        .build(0, 0)
        .unwrap()
}

/// Every data record of the log (offset, key, value), read through [`LogReader`].
fn read_all(dir: &Path) -> Vec<Rec> {
    let r = LogReader::open(dir).unwrap();
    let end = r.log_end_offset().unwrap();
    let mut c = r.cursor(r.first_offset()).unwrap();
    let mut out = Vec::new();
    while let Some(b) = c.next_batch(end).unwrap() {
        if b.header().attributes.is_control() {
            continue;
        }
        for r in b.to_records().unwrap() {
            out.push((r.offset, r.key, r.value));
        }
    }
    out
}

/// Every batch header of the log, control batches included.
fn headers(dir: &Path) -> Vec<crate::record::BatchHeader> {
    let r = LogReader::open(dir).unwrap();
    let end = r.log_end_offset().unwrap();
    let mut c = r.cursor(r.first_offset()).unwrap();
    let mut out = Vec::new();
    while let Some(b) = c.next_batch(end).unwrap() {
        out.push(*b.header());
    }
    out
}

/// The latest record of each key among `recs` below `upto`, plus every record at or above.
fn model(recs: &[Rec], upto: i64) -> Vec<Rec> {
    let mut latest: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
    for (o, k, _) in recs {
        if *o < upto
            && let Some(k) = k
        {
            latest.insert(k.clone(), *o);
        }
    }
    recs.iter()
        .filter(|(o, k, _)| *o >= upto || k.as_ref().is_some_and(|k| latest.get(k) == Some(o)))
        .cloned()
        .collect()
}

/// A log of `n` single-record batches over `keys` keys, value = offset, small segments.
fn keyed_log(dir: &Path, n: usize, keys: usize, segment_bytes: u64) -> PartitionLog {
    let (mut log, _) = PartitionLog::open(dir, cfg(segment_bytes), hints()).unwrap();
    for i in 0..n {
        let k = format!("key-{}", (i * 7) % keys);
        let v = format!("value-{i}");
        log.append(&mut plain(&[(&k, Some(&v))]), 0, TS).unwrap();
    }
    log
}

#[test]
fn keeps_the_latest_record_per_key_at_its_offset_and_never_touches_the_active_segment() {
    let root = tempfile::tempdir().unwrap();
    let dir = part_dir(root.path());
    let mut log = keyed_log(&dir, 300, 10, 2000);
    let before = read_all(&dir);
    let bases = log.segment_bases();
    assert!(bases.len() > 5, "{bases:?}");
    let active = *bases.last().unwrap();
    let active_path = names::segment_path(&dir, active, LOG_SUFFIX);
    let active_bytes = std::fs::read(&active_path).unwrap();
    let leo = log.log_end_offset();
    let report = clean(&mut log, &CleanConfig::default(), leo, TS).unwrap();
    assert_eq!(report.rounds, 1);
    assert_eq!(report.end_offset, active);
    assert_eq!(read_all(&dir), model(&before, active));
    assert_eq!(std::fs::read(&active_path).unwrap(), active_bytes);
    assert_eq!(*log.segment_bases().last().unwrap(), active);
    assert_eq!(log.log_end_offset(), leo);
    // Kafka's checkpoint format, in the broker folder.
    let ck = std::fs::read_to_string(root.path().join("broker-0/cleaner-offset-checkpoint"));
    assert_eq!(ck.unwrap(), format!("0\n1\nt 0 {active}\n"));
    // Cleaning again with nothing dirty changes nothing.
    let again = clean(&mut log, &CleanConfig::default(), leo, TS).unwrap();
    assert_eq!(again.rounds, 0);
    // The log opens again with full recovery (gaps are not damage) and reads the same.
    drop(log);
    let (log, _) = PartitionLog::open(
        &dir,
        cfg(2000),
        OpenHints {
            may_cut_tail: true,
            ..OpenHints::default()
        },
    )
    .unwrap();
    assert_eq!(log.log_end_offset(), leo);
    assert_eq!(read_all(&dir), model(&before, active));
    // Full segments were cleaned one by one; now small, the next clean merges them.
    let mut log = log;
    for i in 0..100 {
        log.append(&mut plain(&[("new", Some(&format!("{i}")))]), 0, TS)
            .unwrap();
    }
    let leo = log.log_end_offset();
    let n = log.segment_bases().len();
    let r = clean(&mut log, &CleanConfig::default(), leo, TS).unwrap();
    assert!(r.segments_replaced as usize > r.groups as usize, "{r:?}");
    assert!(log.segment_bases().len() < n);
}

#[test]
fn tombstones_stay_until_their_delete_horizon_then_go() {
    let root = tempfile::tempdir().unwrap();
    let dir = part_dir(root.path());
    let (mut log, _) = PartitionLog::open(&dir, cfg(300), hints()).unwrap();
    log.append(&mut plain(&[("a", Some("1")), ("b", Some("2"))]), 0, TS)
        .unwrap();
    log.append(&mut plain(&[("a", None)]), 0, TS).unwrap();
    for i in 0..10 {
        log.append(&mut plain(&[("c", Some(&format!("{i}")))]), 0, TS)
            .unwrap();
    }
    let c = CleanConfig {
        delete_retention_ms: DAY,
        ..CleanConfig::default()
    };
    let now = TS + 1000;
    let leo = log.log_end_offset();
    clean(&mut log, &c, leo, now).unwrap();
    let recs = read_all(&dir);
    assert!(recs.contains(&(2, Some(b"a".to_vec()), None)), "{recs:?}");
    assert!(recs.contains(&(1, Some(b"b".to_vec()), Some(b"2".to_vec()))));
    assert!(!recs.iter().any(|r| r.0 == 0));
    // The tombstone's batch carries the delete horizon: attribute bit 6, base timestamp.
    let h = headers(&dir)
        .into_iter()
        .find(|h| h.base_offset == 2)
        .unwrap();
    assert!(h.attributes.has_delete_horizon());
    assert_eq!(h.base_timestamp, now + DAY);
    // A later clean before the horizon keeps it; one after removes it.
    for i in 0..10 {
        log.append(&mut plain(&[("d", Some(&format!("{i}")))]), 0, TS)
            .unwrap();
    }
    let leo = log.log_end_offset();
    clean_from(&mut log, &c, Some(0), leo, now + DAY - 1).unwrap();
    assert!(read_all(&dir).iter().any(|r| r.0 == 2));
    clean_from(&mut log, &c, Some(0), leo, now + DAY).unwrap();
    let recs = read_all(&dir);
    assert!(!recs.iter().any(|r| r.0 == 2), "{recs:?}");
    assert!(recs.contains(&(1, Some(b"b".to_vec()), Some(b"2".to_vec()))));
}

#[test]
fn aborted_transactions_go_and_their_markers_after_them() {
    let root = tempfile::tempdir().unwrap();
    let dir = part_dir(root.path());
    let (mut log, _) = PartitionLog::open(&dir, cfg(400), hints()).unwrap();
    // pid 7 aborts, pid 8 commits, then a plain producer writes the same keys before them.
    log.append(
        &mut keyed(opts(7, 0, 0, true), &[("x", Some("aborted"))]),
        0,
        TS,
    )
    .unwrap();
    log.append(
        &mut keyed(opts(8, 0, 0, true), &[("y", Some("committed"))]),
        0,
        TS,
    )
    .unwrap();
    log.append(&mut marker(7, 0, false), 0, TS).unwrap();
    log.append(&mut marker(8, 0, true), 0, TS).unwrap();
    for i in 0..12 {
        log.append(&mut plain(&[("z", Some(&format!("{i}")))]), 0, TS)
            .unwrap();
    }
    let c = CleanConfig {
        delete_retention_ms: 1000,
        ..CleanConfig::default()
    };
    let leo = log.log_end_offset();
    clean(&mut log, &c, leo, TS).unwrap();
    let recs = read_all(&dir);
    assert!(
        !recs.iter().any(|r| r.2.as_deref() == Some(b"aborted")),
        "{recs:?}"
    );
    assert!(recs.contains(&(1, Some(b"y".to_vec()), Some(b"committed".to_vec()))));
    let hs = headers(&dir);
    // The aborted batch is pid 7's last data batch: kept empty, with its offsets.
    let h7 = hs.iter().find(|h| h.base_offset == 0).unwrap();
    assert_eq!(
        (h7.producer_id, h7.records_count, h7.last_offset_delta),
        (7, 0, 0)
    );
    // Both markers stay this time (the abort's data was just removed).
    assert!(
        hs.iter()
            .any(|h| h.base_offset == 2 && h.attributes.is_control())
    );
    assert!(
        hs.iter()
            .any(|h| h.base_offset == 3 && h.attributes.is_control())
    );
    // pid 7's empty batch is a batch of its aborted transaction: while it stays (pid 7 is
    // active), so does the abort marker and its `.txnindex` entry, as in Kafka.
    for now in [TS + 10, TS + 2000] {
        clean_from(&mut log, &c, Some(0), leo, now).unwrap();
    }
    let hs = headers(&dir);
    assert!(hs.iter().any(|h| h.base_offset == 0));
    assert!(hs.iter().any(|h| h.base_offset == 2));
    let r = LogReader::open(&dir).unwrap();
    assert_eq!(r.aborted_transactions(0, leo).unwrap().len(), 1);
    // Once the producers expire, the empty batch goes (its marker stays at that clean,
    // which still read a batch of the transaction); the next clean gives the marker its
    // delete horizon, and the first clean past it removes it. The commit marker stays: its
    // transaction's record is the latest of its key.
    assert_eq!(log.remove_expired_producers(TS + DAY, 1), 2);
    clean_from(&mut log, &c, Some(0), leo, TS + 3000).unwrap();
    let hs = headers(&dir);
    assert!(!hs.iter().any(|h| h.base_offset == 0), "{hs:?}");
    let m = hs.iter().find(|h| h.base_offset == 2).unwrap();
    assert!(!m.attributes.has_delete_horizon());
    clean_from(&mut log, &c, Some(0), leo, TS + 4000).unwrap();
    let hs = headers(&dir);
    let m = hs.iter().find(|h| h.base_offset == 2).unwrap();
    assert!(m.attributes.has_delete_horizon());
    assert_eq!(m.base_timestamp, TS + 5000);
    clean_from(&mut log, &c, Some(0), leo, TS + 4999).unwrap();
    assert!(headers(&dir).iter().any(|h| h.base_offset == 2));
    clean_from(&mut log, &c, Some(0), leo, TS + 5000).unwrap();
    let hs = headers(&dir);
    assert!(!hs.iter().any(|h| h.base_offset == 2), "{hs:?}");
    assert!(
        hs.iter()
            .any(|h| h.base_offset == 3 && h.attributes.is_control())
    );
    let recs = read_all(&dir);
    assert!(recs.contains(&(1, Some(b"y".to_vec()), Some(b"committed".to_vec()))));
    let r = LogReader::open(&dir).unwrap();
    assert!(r.aborted_transactions(0, leo).unwrap().is_empty());
}

#[test]
fn the_last_batch_of_a_producer_stays_so_its_sequence_survives() {
    let root = tempfile::tempdir().unwrap();
    let dir = part_dir(root.path());
    let (mut log, _) = PartitionLog::open(&dir, cfg(400), hints()).unwrap();
    log.append(
        &mut keyed(
            opts(5, 3, 0, false),
            &[("k", Some("v1")), ("k", Some("v2"))],
        ),
        0,
        TS,
    )
    .unwrap();
    for i in 0..12 {
        log.append(&mut plain(&[("k", Some(&format!("later-{i}")))]), 0, TS)
            .unwrap();
    }
    let leo = log.log_end_offset();
    clean(&mut log, &CleanConfig::default(), leo, TS).unwrap();
    let hs = headers(&dir);
    let h = hs[0];
    assert_eq!(
        (
            h.base_offset,
            h.last_offset_delta,
            h.records_count,
            h.producer_id,
            h.producer_epoch,
            h.base_sequence
        ),
        (0, 1, 0, 5, 3, 0)
    );
    // The producer state loaded from the cleaned log alone still knows pid 5's sequence.
    drop(log);
    for s in crate::log::producer_state::snapshot::list_snapshots(&dir).unwrap() {
        crate::log::producer_state::snapshot::remove_snapshot(&dir, s).unwrap();
    }
    let (log, _) = PartitionLog::open(&dir, cfg(400), hints()).unwrap();
    let e = log.producer_state().entry(5).unwrap();
    assert_eq!(
        (e.epoch(), e.last_sequence(), e.last_data_offset()),
        (3, 1, 1)
    );
}

#[test]
fn a_small_offset_map_cleans_in_several_rounds_with_the_same_result() {
    let root = tempfile::tempdir().unwrap();
    let dir = part_dir(root.path());
    let mut log = keyed_log(&dir, 600, 100, 3000);
    let before = read_all(&dir);
    let active = *log.segment_bases().last().unwrap();
    let c = CleanConfig {
        dedupe_buffer_bytes: offset_map::SLOT_BYTES * 40,
        ..CleanConfig::default()
    };
    let leo = log.log_end_offset();
    let report = clean(&mut log, &c, leo, TS).unwrap();
    assert!(report.rounds > 3, "{report:?}");
    assert_eq!(report.end_offset, active);
    assert_eq!(read_all(&dir), model(&before, active));
    // What is left is the last round's output; the totals count every round's reading.
    let left = read_all(&dir).iter().filter(|r| r.0 < active).count() as u64;
    assert_eq!(report.records_after, left, "{report:?}");
    assert!(report.records_read > active as u64, "{report:?}");
}

#[test]
fn segments_are_grouped_by_log_and_index_size() {
    let s = |base, size| Seg {
        base,
        size,
        index_bytes: 8,
        time_index_bytes: 12,
    };
    let segs = [s(0, 400), s(10, 400), s(20, 400), s(30, 100), s(40, 0)];
    let bases = |g: &[Vec<Seg>]| -> Vec<Vec<i64>> {
        g.iter()
            .map(|g| g.iter().map(|s| s.base).collect())
            .collect()
    };
    assert_eq!(
        bases(&group_by_size(&segs, 1000, 1 << 20, 50)),
        vec![vec![0, 10], vec![20, 30, 40]]
    );
    assert_eq!(
        bases(&group_by_size(&segs, 1000, 30, 50)),
        vec![vec![0, 10], vec![20, 30], vec![40]]
    );
    // No group spans more than 2^31 - 1 offsets.
    let far = [s(0, 1), s(i64::from(i32::MAX), 1)];
    assert_eq!(
        bases(&group_by_size(&far, 1000, 1 << 20, i64::from(i32::MAX) + 5)),
        vec![vec![0], vec![i64::from(i32::MAX)]]
    );
}

#[test]
fn cleanable_reports_the_dirty_ratio_and_the_compaction_lags() {
    let root = tempfile::tempdir().unwrap();
    let dir = part_dir(root.path());
    let mut log = keyed_log(&dir, 100, 10, 1000);
    let leo = log.log_end_offset();
    let c = CleanConfig::default();
    let v = cleanable(&mut log, &c, leo, TS).unwrap();
    // A reader's view, without the log open for writing, is the same.
    let r = LogReader::open(&dir).unwrap();
    assert_eq!(cleanable_read_only(&r, None, &c, leo, TS).unwrap(), v);
    let active = *log.segment_bases().last().unwrap();
    assert_eq!(v.first_dirty_offset, 0);
    assert_eq!(v.first_uncleanable_offset, active);
    assert_eq!(v.clean_bytes, 0);
    assert!((v.dirty_ratio - 1.0).abs() < 1e-9);
    assert!(v.due);
    // Within min.compaction.lag.ms nothing is cleanable.
    let lag = CleanConfig {
        min_compaction_lag_ms: 1000,
        ..c
    };
    let v = cleanable(&mut log, &lag, leo, TS + 10).unwrap();
    assert_eq!((v.cleanable_bytes, v.due), (0, false));
    // After a clean the ratio is 0 until new segments roll; max.compaction.lag.ms makes a
    // log due whatever its ratio.
    clean(&mut log, &c, leo, TS).unwrap();
    for i in 0..20 {
        log.append(&mut plain(&[("n", Some(&format!("{i}")))]), 0, TS)
            .unwrap();
    }
    let leo = log.log_end_offset();
    let v = cleanable(&mut log, &c, leo, TS).unwrap();
    assert_eq!(v.first_dirty_offset, active);
    assert!(v.clean_bytes > 0);
    let strict = CleanConfig {
        min_cleanable_dirty_ratio: 0.99,
        max_compaction_lag_ms: 1000,
        ..c
    };
    let v = cleanable(&mut log, &strict, leo, TS + 500).unwrap();
    assert_eq!((v.max_compaction_delay_ms, v.due), (0, false));
    let v = cleanable(&mut log, &strict, leo, TS + 5000).unwrap();
    assert!(v.max_compaction_delay_ms > 0 && v.due, "{v:?}");
    // Nothing below the last stable offset of an open transaction is cleaned.
    log.append(
        &mut keyed(opts(9, 0, 0, true), &[("t", Some("open"))]),
        0,
        TS,
    )
    .unwrap();
    let open_at = log.log_end_offset() - 1;
    for i in 0..20 {
        log.append(&mut plain(&[("m", Some(&format!("{i}")))]), 0, TS)
            .unwrap();
    }
    let leo = log.log_end_offset();
    let v = cleanable(&mut log, &c, leo, TS).unwrap();
    assert!(v.first_uncleanable_offset <= open_at, "{v:?} {open_at}");
    let r = LogReader::open(&dir).unwrap();
    assert_eq!(cleanable_read_only(&r, Some(0), &c, leo, TS).unwrap(), v);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

/// A crash (or torn write) at every I/O step of a clean in turn: the log opens after it,
/// reads without error, every record it holds is the original at that offset, and every
/// key's latest record is there.
#[test]
fn a_crash_at_any_step_of_a_clean_loses_nothing() {
    let template = tempfile::tempdir().unwrap();
    let tdir = part_dir(template.path());
    let log = keyed_log(&tdir, 60, 8, 900);
    let leo = log.log_end_offset();
    let active = *log.segment_bases().last().unwrap();
    drop(log);
    let original = read_all(&tdir);
    let latest = model(&original, active);
    let mut steps = 0;
    // A crash and an error at every step; a torn write at every write.
    for (fault, ops) in [
        (Fault::Crash, vec![]),
        (Fault::Torn(7), vec![io::Op::Write]),
        (Fault::Error, vec![]),
    ] {
        for at in 0.. {
            let root = tempfile::tempdir().unwrap();
            copy_dir(template.path(), root.path());
            let dir = part_dir(root.path());
            let (mut log, _) = PartitionLog::open(&dir, cfg(900), hints()).unwrap();
            io::install(FaultPlan {
                at,
                fault,
                ops: ops.clone(),
            });
            let r = clean(&mut log, &CleanConfig::default(), leo, TS);
            let seen = io::clear();
            drop(log);
            let (log, _) = PartitionLog::open(
                &dir,
                cfg(900),
                OpenHints {
                    may_cut_tail: true,
                    ..OpenHints::default()
                },
            )
            .unwrap_or_else(|e| panic!("{fault:?} at {at}: reopen: {e}"));
            assert_eq!(log.log_end_offset(), leo, "{fault:?} at {at}");
            let now = read_all(&dir);
            for rec in &now {
                assert!(
                    original.contains(rec),
                    "{fault:?} at {at}: {rec:?} not original"
                );
            }
            for rec in &latest {
                assert!(now.contains(rec), "{fault:?} at {at}: lost {rec:?}");
            }
            let leftovers: Vec<String> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                // `.deleted` files wait for log.segment.delete.delay.ms; readers skip them.
                .filter(|n| n.ends_with(".swap") || n.ends_with(".cleaned"))
                .collect();
            assert!(leftovers.is_empty(), "{fault:?} at {at}: {leftovers:?}");
            if seen <= at {
                assert!(
                    r.is_ok(),
                    "{fault:?}: the clean without a fault failed: {r:?}"
                );
                // A clean after the crash finishes the job.
                let mut log = log;
                clean(&mut log, &CleanConfig::default(), leo, TS).unwrap();
                assert_eq!(read_all(&dir), latest);
                break;
            }
            steps += 1;
        }
    }
    assert!(steps > 100, "only {steps} steps");
}

#[test]
fn recovery_completes_a_swap_or_rolls_it_back() {
    let root = tempfile::tempdir().unwrap();
    let dir = part_dir(root.path());
    let log = keyed_log(&dir, 60, 3, 600);
    let bases = log.segment_bases();
    drop(log);
    let p = |b: i64, s: &str| names::segment_path(&dir, b, s);
    // A `.cleaned` group: rolled back (removed); a `.swap` above it goes too.
    std::fs::copy(p(bases[0], ".log"), p(bases[0], ".log.cleaned")).unwrap();
    std::fs::copy(p(bases[1], ".log"), p(bases[1], ".log.swap")).unwrap();
    let r = recover_swaps(&dir).unwrap();
    assert_eq!((r.cleaned, r.invalid_swaps, r.completed), (1, 1, 0));
    // A `.swap` of the first two segments' records replaces every segment it covers.
    let mut both = std::fs::read(p(bases[0], ".log")).unwrap();
    both.extend(std::fs::read(p(bases[1], ".log")).unwrap());
    std::fs::write(p(bases[0], ".log.swap"), &both).unwrap();
    std::fs::rename(p(bases[1], ".log"), p(bases[1], ".log.deleted")).unwrap();
    let r = recover_swaps(&dir).unwrap();
    assert_eq!(r.completed, 1);
    // Left to the delayed removal of `.deleted` files.
    assert!(p(bases[1], ".log.deleted").exists());
    // The second segment's indexes (its `.log` was renamed `.deleted` already) go too.
    assert_eq!(r.replaced, vec![bases[0], bases[1]]);
    assert!(!p(bases[1], ".index").exists());
    let (log, _) = PartitionLog::open(
        &dir,
        cfg(600),
        OpenHints {
            may_cut_tail: true,
            ..OpenHints::default()
        },
    )
    .unwrap();
    assert_eq!(log.segment_bases()[0], bases[0]);
    assert_ne!(log.segment_bases()[1], bases[1]);
    assert_eq!(read_all(&dir).len(), 60);
}

/// A batch that loses some records is rebuilt with its codec, timestamp type, headers and
/// offsets; one that keeps all of them is copied byte for byte.
#[test]
fn rebuilt_batches_keep_codec_timestamps_headers_and_offsets() {
    use crate::record::{Compression, TimestampType};
    let root = tempfile::tempdir().unwrap();
    let dir = part_dir(root.path());
    let (mut log, _) = PartitionLog::open(&dir, cfg(600), hints()).unwrap();
    let codecs = [
        Compression::Gzip,
        Compression::Snappy,
        Compression::Lz4,
        Compression::Zstd,
        Compression::None,
    ];
    for (i, codec) in codecs.iter().enumerate() {
        let mut b = BatchBuilder::new(BatchOptions {
            compression: *codec,
            ..BatchOptions::default()
        });
        let h: &[(&[u8], Option<&[u8]>)] = &[(b"h", Some(b"hv")), (b"n", None)];
        b.append(TS + 5, Some(b"dup"), Some(format!("old-{i}").as_bytes()), h);
        b.append(TS + 7, Some(format!("own-{i}").as_bytes()), Some(b"x"), h);
        log.append(&mut b.build(0, 0).unwrap(), 0, TS).unwrap();
    }
    // A LogAppendTime batch: its records' timestamps are the append time.
    let mut lat = LogConfig { ..cfg(600) };
    lat.timestamp_type = TimestampType::LogAppendTime;
    log.set_config(lat);
    log.append(
        &mut plain(&[("dup", Some("la")), ("la-own", Some("y"))]),
        0,
        TS + 99,
    )
    .unwrap();
    log.set_config(cfg(600));
    log.append(&mut plain(&[("dup", Some("newest"))]), 0, TS)
        .unwrap();
    let before_batches: Vec<Vec<u8>> = {
        let r = LogReader::open(&dir).unwrap();
        let end = r.log_end_offset().unwrap();
        let mut c = r.cursor(0).unwrap();
        let mut v = Vec::new();
        while let Some(b) = c.next_batch(end).unwrap() {
            v.push(b.bytes().to_vec());
        }
        v
    };
    let leo = log.log_end_offset();
    log.roll(leo).unwrap();
    let before = read_all(&dir);
    clean(&mut log, &CleanConfig::default(), leo + 1, TS).unwrap();
    assert_eq!(read_all(&dir), model(&before, leo));
    let r = LogReader::open(&dir).unwrap();
    let end = r.log_end_offset().unwrap();
    let mut c = r.cursor(0).unwrap();
    let mut n = 0;
    while let Some(b) = c.next_batch(end).unwrap() {
        b.verify_crc().unwrap();
        let h = b.header();
        let original = BatchRef::parse(&before_batches[n], 0, 1 << 20).unwrap();
        let oh = original.header();
        assert_eq!(
            (
                h.base_offset,
                h.last_offset_delta,
                h.attributes.compression()
            ),
            (
                oh.base_offset,
                oh.last_offset_delta,
                oh.attributes.compression()
            ),
            "batch {n}"
        );
        let recs = b.to_records().unwrap();
        if h.base_offset < 10 {
            // The first record (key "dup") went; the second stays with its headers and
            // its own timestamp (the batch's base timestamp is now its).
            assert_eq!(recs.len(), 1, "batch {n}");
            assert_eq!(recs[0].offset, h.base_offset + 1);
            assert_eq!(recs[0].timestamp, TS + 7);
            assert_eq!(h.base_timestamp, TS + 7);
            assert_eq!(recs[0].headers.len(), 2);
            assert_eq!(recs[0].headers[1].value, None);
        } else if h.attributes.timestamp_type() == TimestampType::LogAppendTime {
            assert_eq!((recs.len(), h.max_timestamp), (1, TS + 99));
            assert_eq!(recs[0].timestamp, TS + 99);
        } else {
            // Untouched: the same bytes.
            assert_eq!(b.bytes(), original.bytes());
        }
        n += 1;
    }
    assert_eq!(n, before_batches.len());
}

/// A crash while opening after a crashed clean (the swap's completion or rollback itself
/// interrupted) still leaves a log that opens and holds every key's latest record.
#[test]
fn a_crash_while_recovering_an_interrupted_clean_loses_nothing() {
    let template = tempfile::tempdir().unwrap();
    let tdir = part_dir(template.path());
    let log = keyed_log(&tdir, 60, 8, 900);
    let leo = log.log_end_offset();
    let active = *log.segment_bases().last().unwrap();
    drop(log);
    let original = read_all(&tdir);
    let latest = model(&original, active);
    let recovering = OpenHints {
        may_cut_tail: true,
        ..OpenHints::default()
    };
    let mut checked = 0;
    // Every 9th step of the clean, then every step of the open after it.
    for at in (0..).step_by(9) {
        let crashed = tempfile::tempdir().unwrap();
        copy_dir(template.path(), crashed.path());
        let dir = part_dir(crashed.path());
        let (mut log, _) = PartitionLog::open(&dir, cfg(900), hints()).unwrap();
        io::install(FaultPlan {
            at,
            fault: Fault::Crash,
            ops: vec![],
        });
        let _ = clean(&mut log, &CleanConfig::default(), leo, TS);
        let seen = io::clear();
        drop(log);
        if seen <= at {
            break;
        }
        for step in 0.. {
            let root = tempfile::tempdir().unwrap();
            copy_dir(crashed.path(), root.path());
            let dir = part_dir(root.path());
            io::install(FaultPlan {
                at: step,
                fault: Fault::Crash,
                ops: vec![],
            });
            let opened = PartitionLog::open(&dir, cfg(900), recovering).map(drop);
            let seen = io::clear();
            let (log, _) = PartitionLog::open(&dir, cfg(900), recovering)
                .unwrap_or_else(|e| panic!("clean step {at}, open step {step}: {e}"));
            assert_eq!(log.log_end_offset(), leo);
            let now = read_all(&dir);
            for rec in &latest {
                assert!(
                    now.contains(rec),
                    "clean step {at}, open step {step}: lost {rec:?}"
                );
            }
            for rec in &now {
                assert!(
                    original.contains(rec),
                    "clean step {at}, open step {step}: {rec:?}"
                );
            }
            checked += 1;
            if seen <= step {
                assert!(opened.is_ok());
                break;
            }
        }
    }
    assert!(checked > 50, "only {checked} checked");
}

/// Regression: `dump --verify` called the `.txnindex` entry of an aborted transaction whose
/// records the cleaner removed (its marker kept, as Kafka keeps it) a mismatch ("the
/// transaction has no records"), on filka's cleaned logs and on Kafka's.
#[test]
fn dump_verify_accepts_the_index_entry_of_a_cleaned_abort() {
    use crate::log::inspect::{Event, Options, file_kind, inspect};
    let root = tempfile::tempdir().unwrap();
    let dir = part_dir(root.path());
    let (mut log, _) = PartitionLog::open(&dir, cfg(4000), hints()).unwrap();
    log.append(
        &mut keyed(opts(7, 0, 0, true), &[("x", Some("aborted"))]),
        0,
        TS,
    )
    .unwrap();
    log.append(&mut marker(7, 0, false), 0, TS).unwrap();
    // pid 7's last data batch is a later, committed one: the aborted batch is not kept.
    log.append(&mut keyed(opts(7, 0, 1, true), &[("y", Some("c"))]), 0, TS)
        .unwrap();
    log.append(&mut marker(7, 0, true), 0, TS).unwrap();
    let leo = log.log_end_offset();
    log.roll(leo).unwrap();
    clean(&mut log, &CleanConfig::default(), leo, TS).unwrap();
    assert!(!headers(&dir).iter().any(|h| h.base_offset == 0));
    assert!(headers(&dir).iter().any(|h| h.base_offset == 1));
    let r = LogReader::open(&dir).unwrap();
    assert_eq!(r.aborted_transactions(0, leo).unwrap().len(), 1);
    let path = names::segment_path(&dir, 0, LOG_SUFFIX);
    let mut mismatches = Vec::new();
    let mut v = |e: &Event<'_>| {
        if let Event::Mismatch(m) = e {
            mismatches.push(format!("{m:?}"));
        }
        Ok(())
    };
    let opts = Options {
        records: true,
        verify: true,
        max_bytes: None,
    };
    inspect(&path, file_kind(&path).unwrap(), &opts, &mut v).unwrap();
    // Compaction's gap is reported (NonConsecutive, as kafka-dump-log lists it); the
    // `.txnindex` entry is not a mismatch.
    assert!(
        mismatches.iter().all(|m| m.starts_with("NonConsecutive")),
        "{mismatches:?}"
    );
}

/// The filter pass walks keys and offsets only: a batch that keeps every record is copied
/// as it was, CRC and compressed bytes included (Kafka's `writeOriginalBatch`), and only a
/// batch that loses records is decoded and rebuilt, in its own codec, at its own offsets,
/// with a CRC that checks.
#[test]
fn batches_kept_whole_are_copied_byte_for_byte_and_partial_ones_re_encoded() {
    use crate::record::Compression;
    let root = tempfile::tempdir().unwrap();
    let dir = part_dir(root.path());
    let (mut log, _) = PartitionLog::open(&dir, cfg(1 << 20), hints()).unwrap();
    let batch = |codec, recs: &[(&str, &str)]| {
        let mut b = BatchBuilder::new(BatchOptions {
            compression: codec,
            ..BatchOptions::default()
        });
        for (i, (k, v)) in recs.iter().enumerate() {
            b.append(
                TS + i as i64,
                Some(k.as_bytes()),
                Some(v.repeat(20).as_bytes()),
                &[],
            );
        }
        b.build(0, 0).unwrap()
    };
    // 0-2: every key unique (kept whole); 3-5: "x" goes (rebuilt); 6-7: "x" newest (whole).
    let whole = [("a1", "p"), ("a2", "q"), ("a3", "r")];
    log.append(&mut batch(Compression::Zstd, &whole), 0, TS)
        .unwrap();
    let partial = [("b1", "s"), ("x", "old"), ("b2", "t")];
    log.append(&mut batch(Compression::Lz4, &partial), 0, TS)
        .unwrap();
    let last = [("x", "new"), ("c1", "u")];
    log.append(&mut batch(Compression::Gzip, &last), 0, TS)
        .unwrap();
    let batches = |dir: &Path| -> Vec<Vec<u8>> {
        let r = LogReader::open(dir).unwrap();
        let end = r.log_end_offset().unwrap();
        let mut c = r.cursor(0).unwrap();
        let mut v = Vec::new();
        while let Some(b) = c.next_batch(end).unwrap() {
            v.push(b.bytes().to_vec());
        }
        v
    };
    let before = batches(&dir);
    let leo = log.log_end_offset();
    log.roll(leo).unwrap();
    let report = clean(&mut log, &CleanConfig::default(), leo, TS).unwrap();
    assert_eq!((report.records_read, report.records_kept), (8, 7));
    let after = batches(&dir);
    assert_eq!(after.len(), 3);
    assert_eq!(after[0], before[0], "kept whole: the same bytes");
    assert_eq!(after[2], before[2], "kept whole: the same bytes");
    let b = BatchRef::parse(&after[1], 0, 1 << 20).unwrap();
    b.verify_crc().unwrap();
    let h = b.header();
    assert_eq!(h.attributes.compression(), Some(Compression::Lz4));
    assert_eq!(
        (h.base_offset, h.last_offset_delta, h.records_count),
        (3, 2, 2)
    );
    let recs: Vec<(i64, Vec<u8>, Vec<u8>)> = b
        .to_records()
        .unwrap()
        .into_iter()
        .map(|r| (r.offset, r.key.unwrap(), r.value.unwrap()))
        .collect();
    assert_eq!(
        recs,
        [
            (3, b"b1".to_vec(), "s".repeat(20).into_bytes()),
            (5, b"b2".to_vec(), "t".repeat(20).into_bytes()),
        ]
    );
    assert_ne!(after[1], before[1]);
}

/// Runs of batches none of whose records is kept are skipped unread by the filter pass
/// (their keys are all in the map): the result is the same as reading them, record for
/// record, with an idempotent producer's last batch kept (empty) among them.
#[test]
fn batches_dropped_whole_are_skipped_unread_with_the_same_result() {
    let root = tempfile::tempdir().unwrap();
    let dir = part_dir(root.path());
    let (mut log, _) = PartitionLog::open(&dir, cfg(1 << 20), hints()).unwrap();
    let value = "v".repeat(1000);
    for i in 0..3000 {
        let k = format!("key-{}", (i * 7) % 50);
        let mut b = if i == 1500 {
            // A producer whose only batch is here: its key comes again later, but the batch
            // stays (empty) so the producer's sequence survives.
            keyed(opts(7, 0, 0, false), &[(&k, Some(&value))])
        } else {
            plain(&[(&k, Some(&value))])
        };
        log.append(&mut b, 0, TS).unwrap();
    }
    let before = read_all(&dir);
    let bases = log.segment_bases();
    let active = *bases.last().unwrap();
    let leo = log.log_end_offset();
    super::SKIPPED_BATCHES.with(|n| n.set(0));
    let report = clean(&mut log, &CleanConfig::default(), leo, TS).unwrap();
    let skipped = super::SKIPPED_BATCHES.with(|n| n.get());
    assert!(skipped > 2000, "only {skipped} batches skipped");
    assert_eq!(report.records_read, active as u64);
    assert_eq!(read_all(&dir), model(&before, active));
    assert!(
        headers(&dir)
            .iter()
            .any(|h| h.producer_id == 7 && h.records_count == 0),
        "the producer's last batch stays, empty"
    );
}
