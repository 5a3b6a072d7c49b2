//! Tests of the log layer against a simple model: what was acknowledged must be read back,
//! recovery keeps exactly the complete batches, and no damage goes unnoticed.

use std::path::Path;

use super::checkpoint::EpochEntry;
use super::io::{self, Fault, FaultPlan, Op};
use super::names::{self, INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX};
use super::verify::{Expect, verify_log};
use super::*;
use crate::record::{BatchBuilder, BatchOptions, Compression};

const TS0: i64 = 1_700_000_000_000;

fn batch(n: usize, start: usize, ts: i64) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions::default());
    for i in start..start + n {
        let v = format!("value-{i:06}-{}", "x".repeat(40));
        b.append(
            ts,
            Some(format!("k{i}").as_bytes()),
            Some(v.as_bytes()),
            &[],
        );
    }
    b.build(0, 0).unwrap()
}

fn open(dir: &Path, cfg: LogConfig, rp: i64) -> (PartitionLog, RecoveryReport) {
    PartitionLog::open(
        dir,
        cfg,
        OpenHints {
            recovery_point: rp,
            log_start_offset: 0,
            trusted_tail: false,
            truncate_flushed: false,
            may_cut_tail: true,
        },
    )
    .unwrap()
}

/// Every record's offset and value, read through the reader from `from`.
fn read_all(dir: &Path, from: i64) -> Vec<(i64, Vec<u8>)> {
    let r = LogReader::open(dir).unwrap();
    let end = r.log_end_offset().unwrap();
    let mut c = r.cursor(from).unwrap();
    let mut out = Vec::new();
    while let Some(b) = c.next_batch(end).unwrap() {
        b.verify_crc().unwrap();
        for rec in b.to_records().unwrap() {
            if rec.offset >= from {
                out.push((rec.offset, rec.value.unwrap()));
            }
        }
    }
    out
}

#[test]
fn appends_get_dense_offsets_and_read_back_across_rolls() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = LogConfig {
        segment_bytes: 4 * 1024,
        ..LogConfig::default()
    };
    let (mut log, _) = open(dir.path(), cfg, 0);
    let mut next = 0;
    for i in 0..100 {
        let mut b = batch(1 + i % 7, next as usize, TS0 + i as i64);
        let info = log.append(&mut b, 0, TS0).unwrap();
        assert_eq!(info.base_offset, next);
        next = info.last_offset + 1;
    }
    assert_eq!(log.log_end_offset(), next);
    assert!(
        log.segment_bases().len() > 5,
        "small segment.bytes must roll"
    );
    let all = read_all(dir.path(), 0);
    assert_eq!(all.len() as i64, next);
    assert!(all.iter().enumerate().all(|(i, (o, _))| *o == i as i64));
    // From the middle of a batch in a later segment.
    let from = next - 17;
    assert_eq!(read_all(dir.path(), from).first().unwrap().0, from);
    drop(log);
    // Reopened cleanly at its recovery point: nothing to recover.
    let (log, report) = open(dir.path(), cfg, next);
    assert!(!report.recovered);
    assert_eq!(log.log_end_offset(), next);
}

/// kafka-format.md §9.5: eight one-record batches of 1400 bytes make exactly Kafka's index
/// files, and recovery rebuilds them byte for byte (with the closing time entry).
#[test]
fn index_files_match_kafkas_example() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = open(dir.path(), LogConfig::default(), 0);
    let value = vec![b'x'; 1400];
    for i in 0..8 {
        let mut b = BatchBuilder::new(BatchOptions::default());
        b.append(TS0 + i * 1000, None, Some(&value), &[]);
        let mut bytes = b.build(0, 0).unwrap();
        assert_eq!(bytes.len(), 1470);
        log.append(&mut bytes, 0, TS0).unwrap();
    }
    drop(log);
    let index = std::fs::read(names::segment_path(dir.path(), 0, INDEX_SUFFIX)).unwrap();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    assert_eq!(hex(&index), "000000030000113a0000000600002274");
    let tpath = names::segment_path(dir.path(), 0, TIME_INDEX_SUFFIX);
    assert_eq!(
        hex(&std::fs::read(&tpath).unwrap()),
        "0000018bcfe573b8000000030000018bcfe57f7000000006"
    );
    // Recovery from offset 0 (as after an unclean stop) adds the closing entry.
    let (_log, report) = open(dir.path(), LogConfig::default(), 0);
    assert!(report.recovered);
    assert_eq!(
        hex(&std::fs::read(&tpath).unwrap()),
        "0000018bcfe573b8000000030000018bcfe57f70000000060000018bcfe5835800000007"
    );
    assert_eq!(
        std::fs::read(names::segment_path(dir.path(), 0, INDEX_SUFFIX)).unwrap(),
        index
    );
}

/// Cutting the last two batches at every byte position recovers exactly the complete
/// batches before the cut, and the log takes appends again.
#[test]
fn torn_tail_at_every_byte_recovers_complete_batches() {
    let src = tempfile::tempdir().unwrap();
    let (mut log, _) = open(src.path(), LogConfig::default(), 0);
    let mut ends = vec![];
    for i in 0..6 {
        let mut b = batch(3, i * 3, TS0 + i as i64);
        log.append(&mut b, 0, TS0).unwrap();
        ends.push((log.size_bytes(), log.log_end_offset()));
    }
    drop(log);
    let full = std::fs::read(names::segment_path(src.path(), 0, LOG_SUFFIX)).unwrap();
    let start = ends[3].0 as usize;
    for cut in start..full.len() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(names::segment_path(dir.path(), 0, LOG_SUFFIX), &full[..cut]).unwrap();
        let (mut log, report) = open(dir.path(), LogConfig::default(), 0);
        let (want_bytes, want_leo) = *ends.iter().rev().find(|(b, _)| *b as usize <= cut).unwrap();
        assert_eq!(log.log_end_offset(), want_leo, "cut at {cut}");
        assert_eq!(log.size_bytes(), want_bytes, "cut at {cut}");
        assert_eq!(report.truncated_bytes, cut as u64 - want_bytes);
        let mut b = batch(1, 0, TS0);
        assert_eq!(log.append(&mut b, 0, TS0).unwrap().base_offset, want_leo);
        assert_eq!(read_all(dir.path(), 0).len() as i64, want_leo + 1);
    }
}

/// 1,000 random single-bit flips in a segment: every one is detected by a CRC or
/// structural check, and nothing panics (neither verification nor recovery).
#[test]
fn every_single_bit_flip_is_detected() {
    let src = tempfile::tempdir().unwrap();
    let (mut log, _) = open(src.path(), LogConfig::default(), 0);
    for i in 0..20 {
        let mut b = batch(1 + i % 4, 0, TS0 + i as i64);
        log.append(&mut b, 0, TS0).unwrap();
    }
    let leo = log.log_end_offset();
    drop(log);
    let path = names::segment_path(src.path(), 0, LOG_SUFFIX);
    let good = std::fs::read(&path).unwrap();
    let epochs = [EpochEntry {
        epoch: 0,
        start_offset: 0,
    }];
    let expect = Expect {
        base_offset: Some(0),
        contiguous: true,
        epochs: Some(&epochs),
    };
    let clean = verify_log(&path, expect).unwrap();
    assert!(clean.problems.is_empty(), "{:?}", clean.problems);
    // Where each batch's base offset (outside the CRC) lies.
    let mut base_fields = Vec::new();
    let mut at = 0;
    while at < good.len() {
        base_fields.push(at..at + 8);
        at += 12 + i32::from_be_bytes(good[at + 8..at + 12].try_into().unwrap()) as usize;
    }
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let dir = tempfile::tempdir().unwrap();
    let bad_path = names::segment_path(dir.path(), 0, LOG_SUFFIX);
    for _ in 0..1000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let bit = (seed % (good.len() as u64 * 8)) as usize;
        let mut bad = good.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        std::fs::write(&bad_path, &bad).unwrap();
        let v = verify_log(&bad_path, expect).unwrap();
        let whole = v.problems.is_empty() && v.valid_bytes == bad.len() as u64;
        assert!(!whole, "flip of bit {bit} went unnoticed");
        // Recovery from 0 cuts at the damage (above the recovery point) without panicking;
        // with the recovery point at the end, it refuses to cut flushed data.
        let _ = std::fs::remove_file(names::segment_path(dir.path(), 0, INDEX_SUFFIX));
        let r = PartitionLog::open(
            dir.path(),
            LogConfig::default(),
            OpenHints {
                recovery_point: leo,
                log_start_offset: 0,
                trusted_tail: false,
                truncate_flushed: false,
                may_cut_tail: true,
            },
        );
        if let Ok((log, _)) = r {
            // Recovery checks CRCs and that offsets increase, not epochs nor that offsets
            // are dense (as Kafka's): a base offset raised past the next batch's reads as a
            // compaction gap there.
            let in_base = base_fields.iter().any(|f| f.contains(&(bit / 8)));
            assert!(in_base || log.log_end_offset() <= leo, "bit {bit}");
        }
    }
}

#[test]
fn corruption_below_the_recovery_point_is_reported_not_cut() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = open(dir.path(), LogConfig::default(), 0);
    for i in 0..5 {
        log.append(&mut batch(2, 0, TS0 + i), 0, TS0).unwrap();
    }
    let leo = log.flush().unwrap();
    drop(log);
    let path = names::segment_path(dir.path(), 0, LOG_SUFFIX);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[100] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    // A missing index forces a full recovery.
    std::fs::remove_file(names::segment_path(dir.path(), 0, INDEX_SUFFIX)).unwrap();
    let err = PartitionLog::open(
        dir.path(),
        LogConfig::default(),
        OpenHints {
            recovery_point: leo,
            log_start_offset: 0,
            trusted_tail: false,
            truncate_flushed: false,
            may_cut_tail: true,
        },
    )
    .unwrap_err();
    assert!(err.is_corruption());
    let msg = err.to_string();
    assert!(msg.contains("below the recovery point"), "{msg}");
    assert!(msg.contains("byte 0") && msg.contains("offset 0"), "{msg}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "nothing was cut");
}

/// An fsync or write error is never reported as success, and a failed append leaves no
/// partial batch behind.
#[test]
fn io_errors_are_never_success() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = open(dir.path(), LogConfig::default(), 0);
    log.append(&mut batch(2, 0, TS0), 0, TS0).unwrap();
    let size = log.size_bytes();
    for fault in [Fault::Error, Fault::Torn(10)] {
        io::install(FaultPlan {
            at: 0,
            fault,
            ops: vec![Op::Write],
        });
        assert!(log.append(&mut batch(2, 2, TS0), 0, TS0).is_err());
        io::clear();
        assert_eq!(log.size_bytes(), size, "{fault:?} left bytes behind");
        assert_eq!(log.log_end_offset(), 2);
    }
    io::install(FaultPlan {
        at: 0,
        fault: Fault::Error,
        ops: vec![Op::Sync],
    });
    assert!(log.flush().is_err());
    io::clear();
    assert_eq!(
        log.recovery_point(),
        0,
        "a failed flush must not move the recovery point"
    );
    let info = log.append(&mut batch(1, 0, TS0), 0, TS0).unwrap();
    assert_eq!(info.base_offset, 2);
}

/// A crash at any file operation during a run of appends: the reopened log holds every
/// acknowledged batch, nothing else but possibly the one in flight, and appends again.
#[test]
fn crash_at_any_step_keeps_every_acknowledged_batch() {
    let cfg = LogConfig {
        segment_bytes: 2048,
        index_interval_bytes: 300,
        ..LogConfig::default()
    };
    for at in 0..120 {
        let dir = tempfile::tempdir().unwrap();
        let (mut log, _) = open(dir.path(), cfg, 0);
        io::install(FaultPlan {
            at,
            fault: if at % 2 == 0 {
                Fault::Crash
            } else {
                Fault::Torn(at % 37)
            },
            ops: vec![],
        });
        let mut acked = 0;
        for i in 0..40 {
            match log.append(&mut batch(2, i * 2, TS0 + i as i64), 0, TS0) {
                Ok(info) => acked = info.last_offset + 1,
                Err(_) => break,
            }
        }
        io::clear();
        drop(log);
        let (mut log, _) = open(dir.path(), cfg, 0);
        let leo = log.log_end_offset();
        assert!(
            leo == acked || leo == acked + 2,
            "step {at}: acked {acked}, leo {leo}"
        );
        let all = read_all(dir.path(), 0);
        assert_eq!(all.len() as i64, leo, "step {at}");
        log.append(&mut batch(1, 0, TS0), 0, TS0).unwrap();
    }
}

#[test]
fn hostile_length_fields_are_refused() {
    for (field, value) in [
        (8usize, 0x7fff_ffffi32),
        (8, -1),
        (8, i32::MIN),
        (57, i32::MAX),
        (57, -5),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = batch(3, 0, TS0);
        bytes[field..field + 4].copy_from_slice(&value.to_be_bytes());
        if field == 57 {
            let crc = crc32c::crc32c(&bytes[21..]);
            bytes[17..21].copy_from_slice(&crc.to_be_bytes());
        }
        let path = names::segment_path(dir.path(), 0, LOG_SUFFIX);
        std::fs::write(&path, &bytes).unwrap();
        let v = verify_log(&path, Expect::default()).unwrap();
        assert!(!v.problems.is_empty(), "field {field} = {value}");
        // A count past the offsets the batch spans is as bad as a bad length: the header
        // does not hold together, and recovery (above the recovery point) cuts it away.
        let (log, _) = open(dir.path(), LogConfig::default(), 0);
        assert_eq!(log.log_end_offset(), 0, "field {field} = {value}: cut away");
    }
}

#[test]
fn truncate_to_cuts_at_batch_boundaries_across_segments() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = LogConfig {
        segment_bytes: 1024,
        ..LogConfig::default()
    };
    let (mut log, _) = open(dir.path(), cfg, 0);
    for i in 0..30 {
        log.append(&mut batch(3, 0, TS0 + i), 0, TS0).unwrap();
    }
    assert_eq!(
        log.truncate_to(50).unwrap(),
        48,
        "offset 50 is inside batch 48..50"
    );
    assert_eq!(log.log_end_offset(), 48);
    assert_eq!(read_all(dir.path(), 0).len(), 48);
    assert_eq!(
        log.append(&mut batch(1, 0, TS0), 0, TS0)
            .unwrap()
            .base_offset,
        48
    );
    assert_eq!(log.truncate_to(0).unwrap(), 0);
    assert_eq!(log.segment_bases(), vec![0]);
    assert!(read_all(dir.path(), 0).is_empty());
}

#[test]
fn retention_deletes_oldest_segments_and_moves_the_log_start() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = LogConfig {
        segment_bytes: 1024,
        retention_bytes: 3000,
        retention_ms: -1,
        ..LogConfig::default()
    };
    let (mut log, _) = open(dir.path(), cfg, 0);
    for i in 0..30 {
        log.append(&mut batch(3, 0, TS0 + i), 0, TS0).unwrap();
    }
    let before = log.segment_bases();
    let hw = log.log_end_offset();
    let r = log.apply_retention(TS0, hw).unwrap();
    assert!(!r.deleted_segments.is_empty());
    assert!(log.size_bytes() <= 3000 + 1024);
    assert_eq!(log.log_start_offset(), log.segment_bases()[0]);
    assert_eq!(before[r.deleted_segments.len()], log.segment_bases()[0]);
    // By time: everything older than a minute, but never past the high watermark.
    let mut cfg2 = cfg;
    cfg2.retention_bytes = -1;
    cfg2.retention_ms = 60_000;
    log.set_config(cfg2);
    let r = log.apply_retention(TS0 + 3_600_000, 0).unwrap();
    assert!(
        r.deleted_segments.is_empty(),
        "high watermark 0 protects everything"
    );
    let r = log.apply_retention(TS0 + 3_600_000, hw).unwrap();
    assert!(!r.deleted_segments.is_empty());
    assert_eq!(
        log.log_start_offset(),
        hw,
        "all data expired: the log starts at its end"
    );
    let mut b = batch(1, 0, TS0);
    assert_eq!(log.append(&mut b, 0, TS0).unwrap().base_offset, hw);
}

#[test]
fn offset_for_timestamp_uses_the_time_index() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = LogConfig {
        segment_bytes: 2048,
        index_interval_bytes: 256,
        ..LogConfig::default()
    };
    let (mut log, _) = open(dir.path(), cfg, 0);
    for i in 0..50 {
        log.append(&mut batch(2, 0, TS0 + i * 10), 0, TS0).unwrap();
    }
    let r = LogReader::open(dir.path()).unwrap();
    assert_eq!(r.offset_for_timestamp(0).unwrap(), Some(0));
    assert_eq!(r.offset_for_timestamp(TS0 + 105).unwrap(), Some(22));
    assert_eq!(r.offset_for_timestamp(TS0 + 490).unwrap(), Some(98));
    assert_eq!(r.offset_for_timestamp(TS0 + 491).unwrap(), None);
}

#[test]
fn log_append_time_and_compression() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = LogConfig {
        timestamp_type: crate::record::TimestampType::LogAppendTime,
        ..LogConfig::default()
    };
    let (mut log, _) = open(dir.path(), cfg, 0);
    for codec in Compression::ALL {
        let mut b = BatchBuilder::new(BatchOptions {
            compression: codec,
            ..BatchOptions::default()
        });
        b.append(5, Some(b"k"), Some(b"v"), &[]);
        let mut bytes = b.build(0, 0).unwrap();
        log.append(&mut bytes, 3, TS0 + 7).unwrap();
    }
    let r = LogReader::open(dir.path()).unwrap();
    let mut c = r.cursor(0).unwrap();
    let mut n = 0;
    while let Some(b) = c.next_batch(100).unwrap() {
        assert_eq!(b.header().partition_leader_epoch, 3);
        let recs = b.to_records().unwrap();
        assert_eq!(recs[0].timestamp, TS0 + 7);
        n += 1;
    }
    assert_eq!(n, 5);
}

/// Several batches appended in one call (a produce request) make exactly the files that
/// appending them one at a time makes, rolls and indexes included.
#[test]
fn multi_batch_appends_equal_single_appends() {
    let cfg = LogConfig {
        segment_bytes: 3000,
        index_interval_bytes: 500,
        ..LogConfig::default()
    };
    let one = tempfile::tempdir().unwrap();
    let many = tempfile::tempdir().unwrap();
    let (mut a, _) = open(one.path(), cfg, 0);
    let (mut b, _) = open(many.path(), cfg, 0);
    let mut chunk = Vec::new();
    for i in 0..40 {
        let mut x = batch(1 + i % 3, 0, TS0 + i as i64);
        chunk.extend_from_slice(&x);
        a.append(&mut x, 0, TS0).unwrap();
    }
    let info = b.append(&mut chunk, 0, TS0).unwrap();
    assert_eq!(
        (info.base_offset, info.last_offset + 1),
        (0, a.log_end_offset())
    );
    assert_eq!(a.segment_bases(), b.segment_bases());
    for base in a.segment_bases() {
        for suffix in [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX] {
            assert_eq!(
                std::fs::read(names::segment_path(one.path(), base, suffix)).unwrap(),
                std::fs::read(names::segment_path(many.path(), base, suffix)).unwrap(),
                "{base}{suffix}"
            );
        }
    }
}

/// Regression: `flush.messages` counted records per open log, from 0, so short-lived
/// writers (one `filka produce` per record) never reached it and nothing was ever
/// flushed. Kafka counts log end - recovery point: the records of earlier writers count.
#[test]
fn flush_messages_counts_what_earlier_writers_left_unflushed() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = LogConfig {
        flush_messages: Some(3),
        ..LogConfig::default()
    };
    let mut rp = 0;
    for i in 0..5 {
        let (mut log, _) = open(dir.path(), cfg, rp);
        log.append(&mut batch(1, i, TS0), 0, TS0).unwrap();
        rp = log.recovery_point();
    }
    // The third record made it 3 unflushed: flushed up to 3; 3 and 4 are not yet.
    assert_eq!(rp, 3);
}

/// The `.index` of segment 0 in `dir`, as (offset, position) pairs.
fn index_entries(dir: &Path) -> Vec<index::OffsetEntry> {
    let bytes = std::fs::read(names::segment_path(dir, 0, INDEX_SUFFIX)).unwrap_or_default();
    index::parse_offset_index(&bytes, 0).entries
}

/// Rewrites the position of the last `.index` entry of segment 0 in `dir`.
fn point_last_index_entry_at(dir: &Path, position: u32) {
    let path = names::segment_path(dir, 0, INDEX_SUFFIX);
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    assert!(n >= 8, "the test needs index entries");
    bytes[n - 4..].copy_from_slice(&position.to_be_bytes());
    std::fs::write(&path, bytes).unwrap();
}

/// Regression: readers trusted the last `.index` entry. Pointing past the end of the `.log`,
/// it hid every record (log end = segment base, consume printed nothing with exit 0);
/// pointing into the middle of a batch, it made describe and consume fail with "corrupt
/// record batch at byte 7" about a `.log` that was fine.
#[test]
fn readers_check_index_entries_against_the_log() {
    let cfg = LogConfig {
        index_interval_bytes: 300,
        ..LogConfig::default()
    };
    for position in [1_048_576, 7, 0] {
        let dir = tempfile::tempdir().unwrap();
        let (mut log, _) = open(dir.path(), cfg, 0);
        for i in 0..20 {
            log.append(&mut batch(3, i * 3, TS0 + i as i64), 0, TS0)
                .unwrap();
        }
        drop(log);
        point_last_index_entry_at(dir.path(), position);
        let r = LogReader::open(dir.path()).unwrap();
        assert_eq!(r.log_end_offset().unwrap(), 60, "entry at byte {position}");
        let all = read_all(dir.path(), 0);
        assert_eq!(all.len(), 60, "entry at byte {position}");
        // An offset lookup past the bad entry finds the right records too.
        assert_eq!(
            read_all(dir.path(), 57).len(),
            3,
            "entry at byte {position}"
        );
        assert_eq!(r.offset_for_timestamp(TS0 + 19).unwrap(), Some(57));
    }
}

/// Regression: a truncation cut the `.log` before its index, so for a moment the last
/// index entries pointed past the end of the data, and a reader without a lock computed
/// the log end (and so the high watermark) as the segment's base offset. The index is now
/// cut first, and readers skip entries past the end anyway.
#[test]
fn a_reader_mid_truncation_never_sees_the_log_end_fall_to_the_base() {
    let cfg = LogConfig {
        index_interval_bytes: 300,
        ..LogConfig::default()
    };
    // The window itself, as a reader can find it: the `.log` cut, the index not yet.
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = open(dir.path(), cfg, 0);
    let mut positions = Vec::new();
    for i in 0..20 {
        positions.push(
            log.append(&mut batch(3, i * 3, TS0), 0, TS0)
                .unwrap()
                .position,
        );
    }
    drop(log);
    let log_path = names::segment_path(dir.path(), 0, LOG_SUFFIX);
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&log_path)
        .unwrap();
    f.set_len(positions[15]).unwrap();
    assert!(index_entries(dir.path()).last().unwrap().position as u64 >= positions[15]);
    assert_eq!(
        LogReader::open(dir.path())
            .unwrap()
            .log_end_offset()
            .unwrap(),
        45
    );

    // And truncate_to stopped at every step (a crash is a stop that stays): no index
    // entry on disk ever points past the end of the `.log`.
    for at in 0..6 {
        let dir = tempfile::tempdir().unwrap();
        let (mut log, _) = open(dir.path(), cfg, 0);
        for i in 0..20 {
            log.append(&mut batch(3, i * 3, TS0), 0, TS0).unwrap();
        }
        io::install(FaultPlan {
            at,
            fault: Fault::Crash,
            ops: vec![Op::SetLen, Op::Write, Op::Remove],
        });
        let _ = log.truncate_to(30);
        io::clear();
        drop(log);
        let len = std::fs::metadata(names::segment_path(dir.path(), 0, LOG_SUFFIX))
            .unwrap()
            .len();
        for e in index_entries(dir.path()) {
            assert!(
                u64::from(e.position) < len,
                "step {at}: index entry {e:?} past the .log's {len} bytes"
            );
        }
        let leo = LogReader::open(dir.path())
            .unwrap()
            .log_end_offset()
            .unwrap();
        assert!(leo == 30 || leo == 60, "step {at}: log end {leo}");
    }
}

/// Regression: recovery cut a torn `.log` before rewriting its index, leaving a moment
/// (or, after a crash, a state) where index entries pointed past the data.
#[test]
fn recovery_rewrites_the_index_before_cutting_the_log() {
    let cfg = LogConfig {
        index_interval_bytes: 300,
        ..LogConfig::default()
    };
    for at in 0..6 {
        let dir = tempfile::tempdir().unwrap();
        let (mut log, _) = open(dir.path(), cfg, 0);
        for i in 0..20 {
            log.append(&mut batch(3, i * 3, TS0), 0, TS0).unwrap();
        }
        drop(log);
        // Damage the middle: recovery cuts everything from there.
        let log_path = names::segment_path(dir.path(), 0, LOG_SUFFIX);
        let mut bytes = std::fs::read(&log_path).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(&log_path, &bytes).unwrap();
        io::install(FaultPlan {
            at,
            fault: Fault::Crash,
            ops: vec![Op::SetLen, Op::Write],
        });
        let _ = PartitionLog::open(dir.path(), cfg, OpenHints::default());
        io::clear();
        let len = std::fs::metadata(&log_path).unwrap().len();
        for e in index_entries(dir.path()) {
            assert!(
                u64::from(e.position) < len,
                "step {at}: index entry {e:?} past the .log's {len} bytes"
            );
        }
    }
}

/// Readers work out where retention leaves the log start (log::retention) by the same rule
/// the writer deletes by: at every check time, for time and size limits, the two agree.
#[test]
fn readers_retention_start_matches_what_the_writer_deletes() {
    use super::retention::{RetentionLimits, start_after_retention};
    for (ms, bytes) in [(60_000, -1), (-1, 3000), (60_000, 5000), (-1, -1)] {
        for (check, cut) in [0, 30_000, 70_000, 200_000, 3_600_000]
            .into_iter()
            .flat_map(|c| [(TS0 + c, 0), (TS0 + c, 3)])
        {
            let dir = tempfile::tempdir().unwrap();
            let cfg = LogConfig {
                segment_bytes: 1024,
                retention_bytes: bytes,
                retention_ms: ms,
                ..LogConfig::default()
            };
            let (mut log, _) = open(dir.path(), cfg, 0);
            for i in 0..30 {
                log.append(&mut batch(3, 0, TS0 + i * 5_000), 0, TS0)
                    .unwrap();
            }
            let hw = log.log_end_offset() - cut;
            let reader = LogReader::open(dir.path()).unwrap();
            let limits = RetentionLimits { ms, bytes };
            let seen =
                start_after_retention(&reader, limits, check, 0, log.log_end_offset(), hw).unwrap();
            log.apply_retention(check, hw).unwrap();
            assert_eq!(
                seen,
                log.log_start_offset(),
                "ms {ms} bytes {bytes} at {check}"
            );
            assert!(seen <= hw);
        }
    }
}

/// Regression (issue 15): recovery after a power loss cut a follower's active segment at
/// the first offset gap, where the follower had copied its leader's compacted batches
/// (a leap from one batch's end to the next one's base is compaction's, not damage; Kafka's
/// `LogSegment.recover` validates batches, not offset density), so the follower lost every
/// acknowledged record after it. Gaps stay; a torn batch at the end is still cut.
#[test]
fn recovery_keeps_a_followers_compaction_gaps_in_the_active_segment() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = open(dir.path(), LogConfig::default(), 0);
    let mut chunk = Vec::new();
    for (base, n) in [(0i64, 3usize), (10, 3), (20, 2)] {
        let mut b = batch(n, base as usize, TS0);
        crate::record::batch::set_base_offset(&mut b, base);
        chunk.extend_from_slice(&b);
    }
    log.append_as_follower(&chunk).unwrap();
    assert_eq!(log.log_end_offset(), 22);
    // No close: the broker lost power (recovery point 0, the tail must be validated).
    drop(log);
    let path = names::segment_path(dir.path(), 0, LOG_SUFFIX);
    std::fs::remove_file(names::segment_path(dir.path(), 0, INDEX_SUFFIX)).unwrap();
    let (log, report) = open(dir.path(), LogConfig::default(), 0);
    assert!(report.recovered);
    assert_eq!(report.truncated_bytes, 0, "{:?}", report.truncation_reason);
    assert_eq!(log.log_end_offset(), 22);
    drop(log);
    let offsets: Vec<i64> = read_all(dir.path(), 0).iter().map(|r| r.0).collect();
    assert_eq!(offsets, [0, 1, 2, 10, 11, 12, 20, 21]);
    // A torn last batch still goes, the gaps before it stay.
    let len = std::fs::metadata(&path).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(len - 5).unwrap();
    let (log, report) = open(dir.path(), LogConfig::default(), 0);
    assert!(report.truncated_bytes > 0);
    assert_eq!(log.log_end_offset(), 13);
}
