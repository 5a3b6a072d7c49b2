//! Tests of the inspect walk: events for sound and damaged segments, indexes written by
//! the log itself, and checkpoint files.

use super::*;
use crate::log::{LogConfig, OpenHints, PartitionLog};
use crate::record::control::end_txn_batch;
use crate::record::kraft::control::ControlRecord;
use crate::record::{BatchBuilder, BatchOptions};

const TS0: i64 = 1_700_000_000_000;

/// kafka-format.md §9.2.
fn example_batch() -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions::default());
    b.append(TS0, Some(b"k1"), Some(b"v1"), &[(b"hk", Some(b"hv"))]);
    b.append(TS0 + 5, None, Some(b"hello"), &[]);
    b.build(0, 0).unwrap()
}

fn fix_crc(b: &mut [u8]) {
    let crc = crc32c::crc32c(&b[21..]);
    b[17..21].copy_from_slice(&crc.to_be_bytes());
}

/// Every event of a walk as one compact line, and the summary.
fn walk(path: &Path, opts: Options) -> (Vec<String>, Summary) {
    let kind = file_kind(path).unwrap();
    let mut lines = Vec::new();
    let mut v = |e: &Event<'_>| {
        lines.push(match e {
            Event::Start { kind } => format!("start {}", kind.name()),
            Event::Batch(b) => format!(
                "batch {}..{} @{} valid={}",
                b.header.base_offset,
                b.header.last_offset(),
                b.position,
                b.crc_valid()
            ),
            Event::Record(r) => match &r.metadata {
                None => format!("record {} {:?}", r.record.offset, r.control),
                Some(MetadataValue::Record(m)) => format!(
                    "record {} {}",
                    r.record.offset,
                    m.record.type_name().unwrap_or("?")
                ),
                Some(MetadataValue::Invalid(_)) => format!("record {} invalid", r.record.offset),
            },
            Event::IndexEntry(e) => format!("index {} {}", e.offset, e.position),
            Event::TimeIndexEntry(e) => format!("time {} {}", e.timestamp, e.offset),
            Event::IndexEmpty => "empty".into(),
            Event::CheckpointEntry(c) => format!("entry {c:?}"),
            Event::SnapshotEntry { position, entry } => {
                format!("producer {} @{position}", entry.producer_id)
            }
            Event::TxnIndexEntry { position, txn } => {
                format!(
                    "aborted {} {}..={} @{position}",
                    txn.producer_id, txn.first_offset, txn.last_offset
                )
            }
            Event::InvalidBytes { position, count } => format!("invalid {position} {count}"),
            Event::Mismatch(m) => format!("mismatch {m:?}"),
            Event::Problem(p) => format!("problem {:?} {}", p.kind, p.message),
        });
        Ok(())
    };
    let s = inspect(path, kind, &opts, &mut v).unwrap();
    (lines, s)
}

fn deep() -> Options {
    Options {
        records: true,
        verify: true,
        max_bytes: None,
    }
}

#[test]
fn kinds_come_from_names() {
    let k = |n: &str| file_kind(Path::new(n));
    assert_eq!(
        k("demo-0/00000000000000000042.log"),
        Ok(FileKind::Log {
            base_offset: 42,
            cluster_metadata: false
        })
    );
    assert_eq!(
        k("00000000000000000042.index.deleted"),
        Ok(FileKind::OffsetIndex { base_offset: 42 })
    );
    assert_eq!(k("7.timeindex"), Ok(FileKind::TimeIndex { base_offset: 7 }));
    assert_eq!(
        k("leader-epoch-checkpoint"),
        Ok(FileKind::LeaderEpochCheckpoint)
    );
    assert_eq!(
        k("recovery-point-offset-checkpoint"),
        Ok(FileKind::OffsetCheckpoint)
    );
    assert_eq!(
        k("cleaner-offset-checkpoint"),
        Ok(FileKind::OffsetCheckpoint)
    );
    assert_eq!(k("partition.metadata"), Ok(FileKind::PartitionMetadata));
    assert_eq!(k("meta.properties"), Ok(FileKind::MetaProperties));
    assert_eq!(
        k("00000000000000000042.snapshot"),
        Ok(FileKind::ProducerSnapshot { offset: 42 })
    );
    assert_eq!(
        k("00000000000000000042.txnindex.deleted"),
        Ok(FileKind::TxnIndex { base_offset: 42 })
    );
    assert!(k("x.txnindex").is_err());
    assert!(k("segment.log").unwrap_err().reason.contains("base offset"));
    assert!(k("99999999999999999999.log").is_err(), "overflows i64");
    assert!(k("notes.txt").unwrap_err().reason.contains("unknown"));
    assert!(k("README").is_err());
}

#[test]
fn kraft_files_are_known_by_name_and_folder() {
    let k = |n: &str| file_kind(Path::new(n));
    let metadata_log = k("kafka/__cluster_metadata-0/00000000000000000000.log").unwrap();
    assert_eq!(
        metadata_log,
        FileKind::Log {
            base_offset: 0,
            cluster_metadata: true
        }
    );
    assert!(metadata_log.cluster_metadata());
    let plain = k("kafka/demo-0/00000000000000000000.log").unwrap();
    assert!(!plain.cluster_metadata());
    assert_eq!(plain.with_cluster_metadata(), metadata_log);
    let snapshot = k("00000000000000000032-0000000001.checkpoint").unwrap();
    assert_eq!(
        snapshot,
        FileKind::KraftSnapshot {
            end_offset: 32,
            epoch: 1
        }
    );
    assert_eq!(snapshot.name(), "kraft_snapshot");
    assert!(snapshot.cluster_metadata());
    assert_eq!(snapshot.with_cluster_metadata(), snapshot);
    assert_eq!(
        k("00000000000000000000.index")
            .unwrap()
            .with_cluster_metadata(),
        FileKind::OffsetIndex { base_offset: 0 }
    );
    // Offset checkpoints end in -checkpoint, snapshots in .checkpoint.
    assert_eq!(
        k("replication-offset-checkpoint"),
        Ok(FileKind::OffsetCheckpoint)
    );
    assert!(
        k("latest.checkpoint")
            .unwrap_err()
            .reason
            .contains("<end offset>-<epoch>.checkpoint")
    );
}

/// A batch of KRaft control records (SnapshotHeader, SnapshotFooter, LeaderChange...).
fn kraft_control_batch(base_offset: i64, records: &[ControlRecord]) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions {
        control: true,
        ..BatchOptions::default()
    });
    for r in records {
        b.append(TS0, Some(&r.key()), Some(&r.value().unwrap()), &[]);
    }
    b.build(base_offset, 1).unwrap()
}

/// A batch of metadata records with these values.
fn metadata_batch(base_offset: i64, values: &[&[u8]]) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions::default());
    for v in values {
        b.append(TS0, None, Some(v), &[]);
    }
    b.build(base_offset, 1).unwrap()
}

fn snapshot_header() -> ControlRecord {
    ControlRecord::SnapshotHeader(crate::record::kraft::control::SnapshotHeaderRecord {
        version: 0,
        last_contained_log_timestamp: TS0,
        unknown_tags: Vec::new(),
    })
}

fn snapshot_footer() -> ControlRecord {
    ControlRecord::SnapshotFooter(crate::record::kraft::control::SnapshotFooterRecord {
        version: 0,
        unknown_tags: Vec::new(),
    })
}

/// A NoOpRecord and an EndTransactionRecord as Kafka frames them.
const NO_OP: &[u8] = &[1, 20, 0, 0];
const END_TXN: &[u8] = &[1, 24, 0, 0];

#[test]
fn the_metadata_log_decodes_its_records_and_names_the_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("__cluster_metadata-0");
    std::fs::create_dir(&folder).unwrap();
    let p = folder.join("00000000000000000000.log");
    let leader = ControlRecord::LeaderChange(crate::record::kraft::control::LeaderChangeMessage {
        version: 0,
        leader_id: 101,
        voters: vec![crate::record::kraft::control::Voter::new(101)],
        granting_voters: vec![crate::record::kraft::control::Voter::new(101)],
        unknown_tags: Vec::new(),
    });
    let bytes = [
        kraft_control_batch(0, &[leader]),
        metadata_batch(1, &[NO_OP, b"not a record", END_TXN]),
    ]
    .concat();
    std::fs::write(&p, &bytes).unwrap();
    let (lines, s) = walk(&p, deep());
    assert!(
        lines[2].starts_with(
            "record 0 Some(Kraft(LeaderChange(LeaderChangeMessage { version: 0, leader_id: 101"
        ),
        "{lines:?}"
    );
    assert_eq!(
        &lines[3..],
        [
            "batch 1..3 @91 valid=true",
            "record 1 NO_OP_RECORD",
            "record 2 invalid",
            "problem Corrupt record at offset 2 in the batch at byte 91 is not a metadata \
             record: metadata record frame version 110 is not supported (frame version 1, \
             type and version at most 32767)",
            "record 3 END_TRANSACTION_RECORD",
        ]
    );
    assert!(s.is_corrupt());
    assert_eq!(s.errors, 1);

    // The same bytes elsewhere are plain records, unless the kind says otherwise.
    let plain = dir.path().join("00000000000000000000.log");
    std::fs::write(&plain, &bytes).unwrap();
    let (lines, s) = walk(&plain, deep());
    assert_eq!(lines[4], "record 1 None");
    assert!(!s.is_corrupt());
    let forced = file_kind(&plain).unwrap().with_cluster_metadata();
    let s = inspect(&plain, forced, &deep(), &mut |_: &Event<'_>| Ok(())).unwrap();
    assert_eq!(s.errors, 1);
}

#[test]
fn a_kraft_snapshot_is_checked_for_its_header_and_footer_with_verify() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir
        .path()
        .join("00000000000000000004-0000000001.checkpoint");
    let header = kraft_control_batch(0, &[snapshot_header()]);
    let footer = |at| kraft_control_batch(at, &[snapshot_footer()]);
    std::fs::write(
        &p,
        [
            header.clone(),
            metadata_batch(1, &[NO_OP, NO_OP]),
            footer(3),
        ]
        .concat(),
    )
    .unwrap();
    let (lines, s) = walk(&p, deep());
    assert_eq!(lines[0], "start kraft_snapshot");
    assert_eq!(lines[4], "record 1 NO_OP_RECORD");
    assert!(!s.is_corrupt(), "{lines:?}");
    assert_eq!((s.batches, s.records), (3, 4));

    // Without its footer: incomplete, said with --verify only.
    std::fs::write(&p, [header.clone(), metadata_batch(1, &[NO_OP])].concat()).unwrap();
    assert!(!walk(&p, Options::default()).1.is_corrupt());
    let (lines, s) = walk(&p, deep());
    assert_eq!(
        lines.last().unwrap(),
        "problem Corrupt the snapshot does not end with a SnapshotFooter control record: it \
         is incomplete"
    );
    assert_eq!(s.errors, 1);

    // Records before the header and after the footer.
    std::fs::write(
        &p,
        [
            metadata_batch(0, &[NO_OP]),
            kraft_control_batch(1, &[snapshot_header()]),
            footer(2),
            metadata_batch(3, &[NO_OP]),
        ]
        .concat(),
    )
    .unwrap();
    let (lines, s) = walk(&p, deep());
    let problems: Vec<&String> = lines.iter().filter(|l| l.starts_with("problem")).collect();
    assert_eq!(
        problems,
        [
            "problem Corrupt the snapshot does not start with a SnapshotHeader control record: \
             its first record (offset 0) is a data record",
            "problem Corrupt a second SnapshotHeader at offset 1: only the snapshot's first \
             record is one",
            "problem Corrupt the record at offset 3 follows the snapshot's SnapshotFooter \
             (offset 2), which must be its last record",
        ]
    );
    assert_eq!(s.errors, 3);

    // An empty snapshot has no header.
    std::fs::write(&p, b"").unwrap();
    assert!(walk(&p, deep()).1.is_corrupt());
}

#[test]
fn a_segment_yields_its_batch_and_records() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("00000000000000000000.log");
    let mut bytes = example_batch();
    bytes.extend(
        end_txn_batch(true, 1000, 0, 5, TS0 + 10)
            .build(2, 0)
            .unwrap(),
    );
    std::fs::write(&p, &bytes).unwrap();
    let (lines, s) = walk(&p, deep());
    assert_eq!(
        lines,
        [
            "start log",
            "batch 0..1 @0 valid=true",
            "record 0 None",
            "record 1 None",
            "batch 2..2 @90 valid=true",
            "record 2 Some(EndTxn(EndTxnMarker { kind: Commit, coordinator_epoch: 5 }))",
        ]
    );
    assert!(!s.is_corrupt());
    assert_eq!((s.batches, s.records), (2, 3));

    // Without `records` the records are still decoded, but not emitted.
    let (lines, s) = walk(&p, Options::default());
    assert_eq!(lines.len(), 3);
    assert_eq!(s.records, 3);
}

#[test]
fn a_torn_tail_is_invalid_bytes_unless_max_bytes_cut_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("00000000000000000000.log");
    let mut bytes = example_batch();
    let mut second = example_batch();
    crate::record::batch::set_base_offset(&mut second, 2);
    bytes.extend_from_slice(&second[..40]);
    std::fs::write(&p, &bytes).unwrap();
    let (lines, s) = walk(&p, Options::default());
    assert_eq!(lines.last().unwrap(), "invalid 90 40");
    assert!(s.is_corrupt());
    assert_eq!(s.invalid_bytes, 40);

    let cut = Options {
        max_bytes: Some(100),
        ..Options::default()
    };
    let (lines, s) = walk(&p, cut);
    assert_eq!(lines, ["start log", "batch 0..1 @0 valid=true"]);
    assert!(!s.is_corrupt());

    // Fewer than 17 bytes (not even a length field) are invalid bytes too.
    std::fs::write(&p, [example_batch(), vec![0; 10]].concat()).unwrap();
    assert_eq!(
        walk(&p, Options::default()).0.last().unwrap(),
        "invalid 90 10"
    );
}

#[test]
fn a_bad_crc_is_reported_and_the_walk_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("00000000000000000000.log");
    let mut first = example_batch();
    first[80] ^= 0x01;
    let mut second = example_batch();
    crate::record::batch::set_base_offset(&mut second, 2);
    std::fs::write(&p, [first, second].concat()).unwrap();
    let (lines, s) = walk(&p, Options::default());
    assert_eq!(lines[1], "batch 0..1 @0 valid=false");
    assert_eq!(lines[2], "batch 2..3 @90 valid=true");
    assert_eq!(s.bad_crcs, 1);
    assert!(s.is_corrupt());
}

/// Regression guard for hostile length fields: each is refused from its 17-byte prefix
/// (the cap is checked before anything is read or allocated for the batch).
#[test]
fn hostile_lengths_and_counts_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("00000000000000000000.log");
    for length in [i32::MAX, -1, 0, i32::MIN] {
        let mut b = example_batch();
        b[8..12].copy_from_slice(&length.to_be_bytes());
        std::fs::write(&p, &b).unwrap();
        let (lines, s) = walk(&p, deep());
        assert!(lines[1].starts_with("problem Corrupt"), "{lines:?}");
        assert!(lines[1].contains("length field"), "{lines:?}");
        assert_eq!(lines[2], "invalid 0 90");
        assert!(s.is_corrupt());
    }
    let mut b = example_batch();
    b[57..61].copy_from_slice(&i32::MAX.to_be_bytes());
    fix_crc(&mut b);
    std::fs::write(&p, &b).unwrap();
    let (lines, s) = walk(&p, deep());
    assert!(lines[1].starts_with("problem Corrupt"), "{lines:?}");
    assert!(
        lines[1].contains("record count 2147483647 is more than the 2 offsets"),
        "{lines:?}"
    );
    assert_eq!(lines[2], "invalid 0 90");
    assert_eq!(s.errors, 1);
}

#[test]
fn offsets_must_increase_and_gaps_are_mismatches_when_verifying() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("00000000000000000010.log");
    let mut a = example_batch();
    crate::record::batch::set_base_offset(&mut a, 10);
    let mut b = example_batch();
    crate::record::batch::set_base_offset(&mut b, 15);
    let mut c = example_batch();
    crate::record::batch::set_base_offset(&mut c, 16);
    std::fs::write(&p, [a, b, c].concat()).unwrap();
    let (lines, s) = walk(&p, deep());
    assert!(
        lines.contains(&"mismatch NonConsecutive { previous: 11, next: 15 }".to_string()),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("not above the previous batch's last offset 16"))
    );
    assert_eq!((s.mismatches, s.errors), (1, 1), "{lines:?}");
    // Without verify the gap is not looked for; going backwards still is an error.
    let (_, s) = walk(&p, Options::default());
    assert_eq!((s.mismatches, s.errors), (0, 1));

    let mut low = example_batch();
    crate::record::batch::set_base_offset(&mut low, 3);
    std::fs::write(&p, low).unwrap();
    let (lines, _) = walk(&p, Options::default());
    assert!(
        lines[2].contains("below the segment's base offset 10"),
        "{lines:?}"
    );
}

/// A segment written by PartitionLog with a small index interval, so both indexes have
/// entries.
fn indexed_segment(dir: &Path) -> PathBuf {
    let cfg = LogConfig {
        index_interval_bytes: 200,
        ..LogConfig::default()
    };
    let (mut log, _) = PartitionLog::open(dir, cfg, OpenHints::default()).unwrap();
    for i in 0..20i64 {
        let mut b = BatchBuilder::new(BatchOptions::default());
        for j in 0..3 {
            let v = format!("value-{i}-{j}-{}", "x".repeat(30));
            b.append(TS0 + i * 1000 + j, None, Some(v.as_bytes()), &[]);
        }
        let mut bytes = b.build(0, 0).unwrap();
        log.append(&mut bytes, 0, TS0).unwrap();
    }
    log.flush().unwrap();
    dir.join("00000000000000000000.log")
}

#[test]
fn indexes_written_by_the_log_verify_clean() {
    let dir = tempfile::tempdir().unwrap();
    let log = indexed_segment(dir.path());
    let (lines, s) = walk(&log.with_extension("index"), deep());
    assert!(s.entries >= 3, "{lines:?}");
    assert_eq!(
        s,
        Summary {
            entries: s.entries,
            ..Summary::default()
        },
        "{lines:?}"
    );
    let (lines, s) = walk(&log.with_extension("timeindex"), deep());
    assert!(s.entries >= 3, "{lines:?}");
    assert!(!s.is_corrupt(), "{lines:?}");
    assert!(!walk(&log, deep()).1.is_corrupt());
}

#[test]
fn damaged_indexes_list_every_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let log = indexed_segment(dir.path());
    let idx = log.with_extension("index");
    let mut bytes = std::fs::read(&idx).unwrap();
    // Entry 0: wrong offset. Entry 1: position inside a batch.
    bytes[3] = bytes[3].wrapping_add(1);
    bytes[15] = bytes[15].wrapping_add(1);
    bytes.extend_from_slice(&[1, 2, 3]);
    std::fs::write(&idx, &bytes).unwrap();
    let (lines, s) = walk(&idx, deep());
    let mismatches: Vec<_> = lines.iter().filter(|l| l.starts_with("mismatch")).collect();
    assert_eq!(mismatches.len(), 2, "{lines:?}");
    assert!(mismatches[0].contains("IndexOffset"), "{lines:?}");
    assert!(
        mismatches[1].contains("no batch starts at byte"),
        "{lines:?}"
    );
    assert_eq!(
        lines.last().unwrap(),
        &format!("invalid {} 3", bytes.len() - 3)
    );
    assert!(s.is_corrupt());
    // Without verify only the partial entry is a problem.
    let (_, s) = walk(&idx, Options::default());
    assert_eq!((s.mismatches, s.invalid_bytes), (0, 3));

    let tidx = log.with_extension("timeindex");
    let mut bytes = std::fs::read(&tidx).unwrap();
    bytes[7] = bytes[7].wrapping_add(1); // timestamp of entry 0
    bytes[12 + 11] = bytes[12 + 11].wrapping_add(1); // offset of entry 1
    std::fs::write(&tidx, &bytes).unwrap();
    let (lines, _) = walk(&tidx, deep());
    let mismatches: Vec<_> = lines.iter().filter(|l| l.starts_with("mismatch")).collect();
    assert!(mismatches[0].contains("TimeIndexTimestamp"), "{lines:?}");
    assert!(mismatches[1].contains("TimeIndexOffset"), "{lines:?}");
}

#[test]
fn index_padding_and_missing_logs() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("00000000000000000100.index");
    let mut bytes = vec![0, 0, 0, 3, 0, 0, 0x11, 0x3a];
    bytes.extend_from_slice(&[0; 24]);
    std::fs::write(&idx, &bytes).unwrap();
    let (lines, s) = walk(&idx, Options::default());
    assert_eq!(lines, ["start offset_index", "index 103 4410"]);
    assert!(!s.is_corrupt());
    // With verify: no .log beside it.
    let (lines, s) = walk(&idx, deep());
    assert!(lines[1].contains("MissingLog"), "{lines:?}");
    assert!(s.missing_log && !s.is_corrupt());
    // Data hidden after what looks like padding.
    bytes.extend_from_slice(&[0, 0, 0, 9, 0, 0, 0x22, 0x74]);
    std::fs::write(&idx, &bytes).unwrap();
    let (lines, _) = walk(&idx, deep());
    assert!(
        lines.iter().any(|l| l.contains("non-zero bytes follow")),
        "{lines:?}"
    );

    std::fs::write(&idx, []).unwrap();
    assert_eq!(walk(&idx, deep()).0, ["start offset_index", "empty"]);
    std::fs::write(&idx, [1, 2, 3]).unwrap();
    assert_eq!(
        walk(&idx, deep()).0,
        ["start offset_index", "empty", "invalid 0 3"]
    );
}

#[test]
fn checkpoints_are_read_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("replication-offset-checkpoint");
    std::fs::write(&p, "0\n2\ndemo 0 2\n__consumer_offsets 12 1\n").unwrap();
    let (lines, s) = walk(&p, Options::default());
    assert_eq!(
        lines[1],
        "entry Offset { topic: \"demo\", partition: 0, offset: 2 }"
    );
    assert_eq!((s.entries, s.is_corrupt()), (2, false));

    std::fs::write(&p, "0\n3\ndemo 0\ndemo x 1\ndemo 1 5\n").unwrap();
    let (lines, s) = walk(&p, Options::default());
    assert!(
        lines[1].contains("line 3: expected `topic partition offset`"),
        "{lines:?}"
    );
    assert!(lines[2].contains("line 4: partition \"x\""), "{lines:?}");
    assert_eq!((s.entries, s.errors), (1, 2));

    std::fs::write(&p, "0\n5\ndemo 0 1\n").unwrap();
    assert!(walk(&p, Options::default()).0[2].contains("declares 5 entries but 1"));
    std::fs::write(&p, "1\n0\n").unwrap();
    assert!(walk(&p, Options::default()).0[1].contains("version \"1\" is not 0"));
    std::fs::write(&p, "").unwrap();
    assert_eq!(walk(&p, Options::default()).0, ["start offset_checkpoint"]);
    std::fs::write(&p, vec![b'a'; MAX_CHECKPOINT_LINE + 10]).unwrap();
    assert!(walk(&p, Options::default()).0[1].contains("longer than"));

    let p = dir.path().join("leader-epoch-checkpoint");
    std::fs::write(&p, "0\n2\n0 0\n3 150\n").unwrap();
    let (lines, _) = walk(&p, Options::default());
    assert_eq!(lines[2], "entry Epoch { epoch: 3, start_offset: 150 }");
}

#[test]
fn partition_metadata_shows_the_topic_id() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("partition.metadata");
    std::fs::write(&p, "version: 0\ntopic_id: ASNFZ4mrze8P7cuph2VDIQ").unwrap();
    let (lines, _) = walk(&p, Options::default());
    assert!(lines[1].contains("TopicId"), "{lines:?}");
    std::fs::write(&p, "version: 1\n").unwrap();
    let (lines, s) = walk(&p, Options::default());
    assert!(lines[1].contains("line 1"), "{lines:?}");
    assert!(s.is_corrupt());
    std::fs::write(&p, vec![b'x'; 5000]).unwrap();
    assert!(walk(&p, Options::default()).1.is_corrupt());
}

/// meta.properties as Kafka 4's MetaProperties reads it (tests/apache_kafka/files.rs holds
/// filka's and a real broker's files against Kafka's own classes).
#[test]
fn meta_properties_are_read_as_kafka_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("meta.properties");
    // As Kafka 4.4's StorageTool writes it (java.util.Properties.store).
    std::fs::write(
        &p,
        "#\n#Sun Dec 06 01:33:38 UTC 2026\nnode.id=101\ndirectory.id=14NVdy7sEsXqwQi4C6H5Vw\n\
         version=1\ncluster.id=_pIz9J2UiP4Xs7UFnYtw6A\n",
    )
    .unwrap();
    let (lines, s) = walk(&p, Options::default());
    assert_eq!(
        lines[1],
        format!(
            "entry MetaProperties {{ version: 1, node_id: Some(101), cluster_id: \
             Some(\"_pIz9J2UiP4Xs7UFnYtw6A\"), directory_id: Some({:?}) }}",
            Uuid::from_base64("14NVdy7sEsXqwQi4C6H5Vw").unwrap()
        )
    );
    assert_eq!((s.entries, s.is_corrupt()), (1, false));
    // Version 0 (ZooKeeper era): broker.id, everything optional; `key: value` and `key value`
    // are properties too.
    std::fs::write(&p, "broker.id: 7\ncluster.id abc\n").unwrap();
    let (lines, _) = walk(&p, Options::default());
    assert!(
        lines[1].contains("version: 0, node_id: Some(7), cluster_id: Some(\"abc\")"),
        "{lines:?}"
    );
    for (text, why) in [
        ("version=1\ncluster.id=c\n", "node.id was not found"),
        ("version=1\nnode.id=1\n", "cluster.id was not found"),
        ("version=2\n", "version \"2\" is not 0 or 1"),
        (
            "version=1\nnode.id=x\ncluster.id=c\n",
            "node.id \"x\" is not a number",
        ),
        (
            "version=1\nnode.id=1\ncluster.id=c\ndirectory.id=nope\n",
            "directory.id \"nope\" is not a Uuid",
        ),
    ] {
        std::fs::write(&p, text).unwrap();
        let (lines, s) = walk(&p, Options::default());
        assert!(lines[1].contains(why), "{text:?}: {lines:?}");
        assert!(s.is_corrupt());
    }
    std::fs::write(&p, [0xff, b'\n']).unwrap();
    assert!(walk(&p, Options::default()).1.is_corrupt());
}

/// Regression: a base offset near i64::MAX (a hostile file name) made the absolute offset of
/// an index entry overflow, which panicked in debug builds. Offsets now wrap as in Java.
#[test]
fn huge_base_offsets_do_not_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("09223372036854775807.index");
    std::fs::write(&idx, [0, 0, 0, 5, 0, 0, 0, 16]).unwrap();
    let (lines, _) = walk(&idx, Options::default());
    assert_eq!(lines[1], format!("index {} 16", i64::MAX.wrapping_add(5)));
    let tidx = dir.path().join("09223372036854775807.timeindex");
    std::fs::write(&tidx, [[0u8; 8].as_slice(), &[0, 0, 0, 1]].concat()).unwrap();
    let (lines, _) = walk(&tidx, Options::default());
    assert_eq!(lines[1], format!("time 0 {}", i64::MIN));
}

#[test]
fn an_entry_at_the_base_offset_that_is_not_zero_is_reported_when_verifying() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("00000000000000000000.index");
    std::fs::write(&idx, [0, 0, 0, 3, 0, 0, 0, 90, 0, 0, 0, 0, 0, 0, 0, 99]).unwrap();
    let (lines, _) = walk(&idx, Options::default());
    assert_eq!(lines, ["start offset_index", "index 3 90"]);
    let (lines, _) = walk(&idx, deep());
    assert!(
        lines.iter().any(|l| l.contains("entries end at byte 8")),
        "{lines:?}"
    );
}

#[test]
fn leader_epochs_must_not_decrease_when_verifying() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("00000000000000000000.log");
    let a = example_batch();
    let mut b = example_batch();
    crate::record::batch::set_base_offset(&mut b, 2);
    crate::record::batch::set_partition_leader_epoch(&mut b, 5);
    let mut c = example_batch();
    crate::record::batch::set_base_offset(&mut c, 4);
    crate::record::batch::set_partition_leader_epoch(&mut c, 4);
    std::fs::write(&p, [a, b, c].concat()).unwrap();
    let (lines, s) = walk(&p, deep());
    assert!(
        lines
            .iter()
            .any(|l| l.contains("partition leader epoch 4, below the previous batch's 5")),
        "{lines:?}"
    );
    assert_eq!(s.errors, 1);
    assert!(!walk(&p, Options::default()).1.is_corrupt());
}

/// A transaction that began in an earlier segment: its abort in this segment may be indexed
/// with a first offset below the base, and a missing entry cannot be told from an empty
/// transaction, so only what the segment proves is reported.
#[test]
fn txnindex_verification_knows_what_one_segment_can_prove() {
    use crate::log::txn_index::{AbortedTxn, TxnIndex};
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("00000000000000000010.log");
    let mut bytes = Vec::new();
    // 10: abort of 1000 (began before 10); 11: data of 2000; 12: abort of 2000.
    end_txn_batch(false, 1000, 0, 0, TS0)
        .build_into(&mut bytes, 10, 0)
        .unwrap();
    let mut b = crate::record::BatchBuilder::new(crate::record::BatchOptions {
        producer_id: 2000,
        producer_epoch: 0,
        base_sequence: 0,
        transactional: true,
        ..Default::default()
    });
    b.append(TS0, None, Some(b"v"), &[]);
    b.build_into(&mut bytes, 11, 0).unwrap();
    end_txn_batch(false, 2000, 0, 0, TS0)
        .build_into(&mut bytes, 12, 0)
        .unwrap();
    std::fs::write(&log, &bytes).unwrap();
    let txn = |pid, first, last| AbortedTxn {
        version: 0,
        producer_id: pid,
        first_offset: first,
        last_offset: last,
        last_stable_offset: last + 1,
    };
    let mut idx = TxnIndex::open(dir.path(), 10).unwrap();
    idx.append(&txn(1000, 3, 10)).unwrap();
    idx.append(&txn(2000, 11, 12)).unwrap();
    let (lines, summary) = walk(&log, deep());
    assert_eq!(summary.mismatches, 0, "{lines:?}");
    let (lines, _) = walk(&dir.path().join("00000000000000000010.txnindex"), deep());
    assert_eq!(lines[1], "aborted 1000 3..=10 @0");
    assert!(
        !lines.iter().any(|l| l.starts_with("mismatch")),
        "{lines:?}"
    );
    // 1000's entry claiming to start inside the segment, and 2000's entry gone.
    drop(idx);
    std::fs::remove_file(dir.path().join("00000000000000000010.txnindex")).unwrap();
    TxnIndex::open(dir.path(), 10)
        .unwrap()
        .append(&txn(1000, 10, 10))
        .unwrap();
    let (lines, summary) = walk(&log, deep());
    assert_eq!(summary.mismatches, 2, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("TxnIndexMissing") && l.contains("2000"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("began before its base offset 10"))
    );
}
