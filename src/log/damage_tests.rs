//! Damage the CRC cannot see, at the log layer: symbolic links where a replica's files or
//! folders belong, and header fields outside the CRC (the base offset, the leader epoch).
//! Every reader and writer of a log must refuse them as damage, never follow or skip.

use std::path::{Path, PathBuf};

use super::io;
use super::names::{self, LOG_SUFFIX};
use super::stream::{BatchOrder, Disorder};
use super::verify::{Expect, verify_log};
use super::*;
use crate::record::{BatchBuilder, BatchHeader, BatchIter, BatchOptions, batch::MAX_BATCH_BYTES};

const TS0: i64 = 1_700_000_000_000;

fn batch(n: usize, start: usize) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions::default());
    for i in start..start + n {
        b.append(TS0, None, Some(format!("value-{i:06}").as_bytes()), &[]);
    }
    b.build(0, 0).unwrap()
}

fn hints(recovery_point: i64) -> OpenHints {
    OpenHints {
        recovery_point,
        log_start_offset: 0,
        trusted_tail: false,
        truncate_flushed: false,
        may_cut_tail: true,
    }
}

/// A log of 20 batches of 3 records (offsets 0..60) with an index entry every few batches.
fn twenty_batches(dir: &Path) {
    let cfg = LogConfig {
        index_interval_bytes: 200,
        ..LogConfig::default()
    };
    let (mut log, _) = PartitionLog::open(dir, cfg, hints(0)).unwrap();
    for i in 0..20 {
        log.append(&mut batch(3, i * 3), 0, TS0).unwrap();
    }
    log.flush().unwrap();
}

/// Every record offset a cursor from `from` delivers, or the first error.
fn read_from(dir: &Path, from: i64) -> Result<Vec<i64>, LogError> {
    let r = LogReader::open(dir)?;
    let end = r.log_end_offset()?;
    let mut c = r.cursor(from)?;
    let mut out = Vec::new();
    while let Some(b) = c.next_batch(end)? {
        out.extend(b.to_records().unwrap().iter().map(|r| r.offset));
    }
    Ok(out)
}

fn positions(path: &Path) -> Vec<(usize, BatchHeader)> {
    let bytes = std::fs::read(path).unwrap();
    BatchIter::new(&bytes, 0, MAX_BATCH_BYTES)
        .map(|b| {
            let b = b.unwrap();
            (b.position() as usize, *b.header())
        })
        .collect()
}

#[test]
fn batch_order_rules() {
    let h = |base: i64, delta: i32, epoch: i32| BatchHeader {
        base_offset: base,
        length: 49,
        partition_leader_epoch: epoch,
        magic: 2,
        crc: 0,
        attributes: Default::default(),
        last_offset_delta: delta,
        base_timestamp: 0,
        max_timestamp: 0,
        producer_id: -1,
        producer_epoch: -1,
        base_sequence: -1,
        records_count: 1,
    };
    let mut o = BatchOrder::new(10);
    assert!(matches!(
        o.check(&h(9, 0, 0), 0),
        Err(Disorder::BelowSegmentBase { .. })
    ));
    o.check(&h(10, 2, 1), 0).unwrap();
    // Gaps are fine (compaction); overlaps and going back are not.
    o.check(&h(20, 0, 1), 61).unwrap();
    assert!(matches!(
        o.check(&h(-1, 0, 1), 122),
        Err(Disorder::BelowSegmentBase { .. })
    ));
    for base in [20, 15] {
        let e = o.check(&h(base, 0, 1), 122).unwrap_err();
        assert!(
            e.to_string()
                .contains("not above the previous batch's last offset 20"),
            "{e}"
        );
    }
    let e = o.check(&h(21, 0, 0), 122).unwrap_err();
    assert_eq!(
        e.to_string(),
        "batch at byte 122 (base offset 21) has partition leader epoch 0, below the previous \
         batch's 1"
    );
    // A refused batch is not recorded as read.
    o.check(&h(21, 0, 1), 122).unwrap();
    assert!(matches!(
        o.check(&h(30, i32::MAX - 5, 1), 183),
        Err(Disorder::PastSegmentRange { .. })
    ));
    assert!(matches!(
        o.check(&h(i64::MAX - 1, 3, 1), 183),
        Err(Disorder::PastSegmentRange { .. })
    ));
    // Carried into the next segment: its first batch still comes after this one.
    let next = o.next_segment(22);
    assert!(next.check_base(21, 0).is_err());
    assert!(next.check_base(22, 0).is_ok());
}

#[test]
fn opens_never_follow_a_link_but_user_paths_do() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::write(&real, b"outside").unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let append = std::fs::OpenOptions::new().append(true).clone();
    for r in [
        io::open(&link, &append).map(drop),
        io::open_read(&link).map(drop),
        io::read_file(&link).map(drop),
        io::check_not_symlink(&link),
    ] {
        let e = r.unwrap_err();
        assert!(io::is_symlink_error(&e), "{e}");
        let e = LogError::io(&link, "open", e);
        assert!(
            matches!(&e, LogError::Symlink { path } if path == &link),
            "{e}"
        );
        assert!(e.is_corruption());
    }
    assert_eq!(std::fs::read(&real).unwrap(), b"outside");
    // What the user typed (dump FILE) is followed.
    io::open_user_read(&link).unwrap();
    io::check_not_symlink(&real).unwrap();
    io::check_not_symlink(&dir.path().join("missing")).unwrap();
}

/// Replaces `path` by a link to a copy outside `dir`; returns the copy.
fn link_away(path: &Path, outside: &Path) -> PathBuf {
    let target = outside.join(path.file_name().unwrap());
    std::fs::rename(path, &target).unwrap();
    std::os::unix::fs::symlink(&target, path).unwrap();
    target
}

#[test]
fn a_replica_holding_a_link_is_refused_by_readers_and_writers() {
    for what in ["log", "epochs", "folder", "broker folder"] {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let dir = root.path().join("broker-1").join("t-0");
        twenty_batches(&dir);
        checkpoint::write_epochs(
            &dir.join("leader-epoch-checkpoint"),
            &[checkpoint::EpochEntry {
                epoch: 0,
                start_offset: 0,
            }],
        )
        .unwrap();
        let link = match what {
            "log" => names::segment_path(&dir, 0, LOG_SUFFIX),
            "epochs" => dir.join("leader-epoch-checkpoint"),
            "folder" => dir.clone(),
            _ => root.path().join("broker-1"),
        };
        link_away(&link, outside.path());
        let before = std::fs::read_dir(outside.path()).unwrap().count();
        let named = |e: LogError| match e {
            LogError::Symlink { path } => assert_eq!(path, link, "{what}"),
            other => panic!("{what}: {other}"),
        };
        named(LogReader::open(&dir).unwrap_err());
        named(PartitionLog::open(&dir, LogConfig::default(), hints(60)).unwrap_err());
        named(ProducerState::load_for_reader(&dir, 60).unwrap_err());
        // A checkpoint checks its own folder (a broker's or a replica's), not the one above.
        if what == "epochs" || what == "folder" {
            named(checkpoint::read_epochs(&dir.join("leader-epoch-checkpoint")).unwrap_err());
            named(checkpoint::write_epochs(&dir.join("leader-epoch-checkpoint"), &[]).unwrap_err());
        }
        assert_eq!(
            std::fs::read_dir(outside.path()).unwrap().count(),
            before,
            "{what}: nothing new outside"
        );
    }
}

// Regression (issue 18): a damaged base offset (outside the CRC) made readers skip records
// without a word while `dump --verify` reported it.
#[test]
fn every_read_path_refuses_a_damaged_base_offset() {
    let dir = tempfile::tempdir().unwrap();
    twenty_batches(dir.path());
    let path = names::segment_path(dir.path(), 0, LOG_SUFFIX);
    let good = std::fs::read(&path).unwrap();
    let batches = positions(&path);
    let (pos, h) = batches[10];
    assert_eq!(h.base_offset, 30);
    assert_eq!(
        read_from(dir.path(), 0).unwrap(),
        (0..60).collect::<Vec<_>>()
    );
    // Lowered, raised into the next batch, raised past the log end, past the segment.
    for damaged in [0, 31, 5_000, 1 << 40] {
        let mut bytes = good.clone();
        bytes[pos..pos + 8].copy_from_slice(&i64::to_be_bytes(damaged));
        std::fs::write(&path, &bytes).unwrap();
        for from in [0, 20, 30, 31] {
            let e = read_from(dir.path(), from).unwrap_err();
            assert!(e.is_corruption(), "{damaged} from {from}: {e}");
            assert!(e.to_string().contains("batch at byte"), "{e}");
        }
        // Read past the damage (positioned by the index): whole, and no error.
        assert_eq!(
            read_from(dir.path(), 45).unwrap(),
            (45..60).collect::<Vec<_>>()
        );
        let e = ProducerState::load_for_reader(dir.path(), 60).unwrap_err();
        assert!(e.is_corruption(), "replay, {damaged}: {e}");
        let v = verify_log(&path, Expect::default()).unwrap();
        assert!(!v.problems.is_empty(), "verify, {damaged}");
    }
    std::fs::write(&path, &good).unwrap();
    // A decreasing leader epoch is damage too.
    let mut bytes = good.clone();
    for (p, _) in &batches[..10] {
        bytes[p + 12..p + 16].copy_from_slice(&5i32.to_be_bytes());
    }
    std::fs::write(&path, &bytes).unwrap();
    let e = read_from(dir.path(), 0).unwrap_err();
    assert!(
        e.to_string().contains("partition leader epoch 0, below"),
        "{e}"
    );
}
