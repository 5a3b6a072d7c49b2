//! `filka dump`: kafka-dump-log's output on segments built byte for byte (kafka-format.md
//! §9-10), damage reported with exit code 3, JSON lines, and hostile length fields that must
//! fail fast in little memory. Runs the real binary in a temp dir with relative paths, so the
//! output is deterministic; golden files live in tests/golden/dump/ (`UPDATE_GOLDEN=1`
//! rewrites them).

use std::path::Path;
use std::time::Duration;

use assert_cmd::assert::Assert;
use filka::log::{LogConfig, OpenHints, PartitionLog};
use filka::record::batch::set_base_offset;
use filka::record::control::end_txn_batch;
use filka::record::{BatchBuilder, BatchOptions};

use crate::harness::{TestCluster, json_lines, run_measured, stderr_lines, stdout_text};

const TS0: i64 = 1_700_000_000_000;
const LOG: &str = "demo-0/00000000000000000000.log";
const INDEX: &str = "demo-0/00000000000000000000.index";
const TIME_INDEX: &str = "demo-0/00000000000000000000.timeindex";

/// kafka-format.md §10, "Expected dump of the §9.2 segment", verbatim.
const SECTION_10: &str = "\
Dumping demo-0/00000000000000000000.log
Log starting offset: 0
baseOffset: 0 lastOffset: 1 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700000000005 size: 90 magic: 2 compresscodec: none crc: 3002899994 isvalid: true
| offset: 0 CreateTime: 1700000000000 keySize: 2 valueSize: 2 sequence: -1 headerKeys: [hk] key: k1 payload: v1
| offset: 1 CreateTime: 1700000000005 keySize: -1 valueSize: 5 sequence: -1 headerKeys: [] payload: hello
Dumping demo-0/00000000000000000000.index
demo-0/00000000000000000000.index is empty.
Dumping demo-0/00000000000000000000.timeindex
timestamp: 1700000000005 offset: 1
";

/// The §9.2 two-record batch at `base_offset`.
fn example_batch(base_offset: i64) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions::default());
    b.append(TS0, Some(b"k1"), Some(b"v1"), &[(b"hk", Some(b"hv"))]);
    b.append(TS0 + 5, None, Some(b"hello"), &[]);
    b.build(base_offset, 0).unwrap()
}

fn fix_crc(batch: &mut [u8]) {
    let crc = crc32c::crc32c(&batch[21..]);
    batch[17..21].copy_from_slice(&crc.to_be_bytes());
}

/// Writes `demo-0/00000000000000000000.{log,index,timeindex}` under the temp dir.
fn write_segment(t: &TestCluster, log: &[u8], index: &[u8], time_index: &[u8]) {
    std::fs::create_dir_all(t.path().join("demo-0")).unwrap();
    std::fs::write(t.path().join(LOG), log).unwrap();
    std::fs::write(t.path().join(INDEX), index).unwrap();
    std::fs::write(t.path().join(TIME_INDEX), time_index).unwrap();
}

/// The §9.2 segment with its indexes, as Kafka writes them.
fn write_example_segment(t: &TestCluster) {
    let mut time_index = TS0.checked_add(5).unwrap().to_be_bytes().to_vec();
    time_index.extend_from_slice(&1i32.to_be_bytes());
    write_segment(t, &example_batch(0), &[], &time_index);
}

/// `filka dump ARGS...` in the temp dir.
fn dump(t: &TestCluster, args: &[&str]) -> Assert {
    t.bare_cmd().arg("dump").args(args).assert()
}

fn stdout(a: &Assert) -> String {
    String::from_utf8(a.get_output().stdout.clone()).unwrap()
}

/// Compares `actual` with tests/golden/dump/`name`; `UPDATE_GOLDEN=1` rewrites the file.
fn assert_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/dump")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `UPDATE_GOLDEN=1 cargo nextest run dump` to create it",
            path.display()
        )
    });
    assert!(
        want == actual,
        "output differs from {} (UPDATE_GOLDEN=1 rewrites it)\n--- want\n{want}\n--- got\n{actual}",
        path.display()
    );
}

#[test]
fn the_section_9_2_segment_dumps_exactly_like_kafka() {
    let t = TestCluster::new();
    write_example_segment(&t);
    let a = dump(&t, &["--print-data", LOG, INDEX, TIME_INDEX]).success();
    assert_eq!(stdout(&a), SECTION_10);
    assert_golden("section-10.txt", &stdout(&a));
    assert!(a.get_output().stderr.is_empty());
    // --verify changes nothing on a sound segment.
    let a = dump(&t, &["--print-data", "--verify", LOG, INDEX, TIME_INDEX]).success();
    assert_eq!(stdout(&a), SECTION_10);
}

/// Binary and multi-line keys, values and header keys, a tombstone, and a COMMIT marker.
fn write_binary_segment(t: &TestCluster) {
    let mut b = BatchBuilder::new(BatchOptions {
        producer_id: 1000,
        producer_epoch: 0,
        base_sequence: 7,
        transactional: true,
        ..BatchOptions::default()
    });
    b.append(
        TS0,
        Some(&[0x00, 0x01, 0xff]),
        Some(b"line1\nline2"),
        &[(b"bin", Some(&[0xff])), (b"tab\tkey", None)],
    );
    b.append(TS0 + 1, Some(b"k\\2"), Some(&[0xc3, 0x28, b'\\']), &[]);
    b.append(TS0 + 2, Some("grüße".as_bytes()), None, &[]);
    let mut log = b.build(0, 3).unwrap();
    end_txn_batch(true, 1000, 0, 4, TS0 + 3)
        .build_into(&mut log, 3, 3)
        .unwrap();
    write_segment(t, &log, &[], &[]);
}

#[test]
fn print_data_escapes_binary_keys_and_shows_markers() {
    let t = TestCluster::new();
    write_binary_segment(&t);
    let a = dump(&t, &["--print-data", LOG]).success();
    let out = stdout(&a);
    assert!(
        out.contains("key: \\x00\\x01\\xff payload: line1\\nline2"),
        "{out}"
    );
    assert!(out.contains("headerKeys: [bin,tab\\tkey]"), "{out}");
    assert!(out.contains("key: k\\2 payload: \\xc3(\\\\"), "{out}");
    assert!(
        out.contains("keySize: 7 valueSize: -1 sequence: 9 headerKeys: [] key: grüße\n"),
        "{out}"
    );
    assert!(
        out.contains(" endTxnMarker: COMMIT coordinatorEpoch: 4\n"),
        "{out}"
    );
    assert_golden("binary-keys.txt", &out);
}

#[test]
fn a_torn_tail_is_invalid_bytes_and_exit_3() {
    let t = TestCluster::new();
    let mut log = example_batch(0);
    log.extend_from_slice(&example_batch(2)[..40]);
    write_segment(&t, &log, &[], &[]);
    let a = dump(&t, &[LOG]).code(3);
    let out = stdout(&a);
    assert!(out.contains("isvalid: true"), "{out}");
    assert!(
        out.ends_with(
            "Found 40 invalid bytes at the end of 00000000000000000000.log, starting at \
             position 90\n"
        ),
        "{out}"
    );
    let err = stderr_lines(&a);
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(
        err[0].starts_with("filka: dump: problems found in 1 of 1 files"),
        "{err:?}"
    );
}

#[test]
fn a_flipped_crc_byte_is_invalid_and_exit_3() {
    let t = TestCluster::new();
    let mut log = example_batch(0);
    log[70] ^= 0x20;
    write_segment(&t, &log, &[], &[]);
    let a = dump(&t, &["--print-data", LOG]).code(3);
    let out = stdout(&a);
    assert!(out.contains("crc: 3002899994 isvalid: false\n"), "{out}");
    // The records still decode (the flip hit a key byte), and are shown.
    assert!(out.contains("| offset: 0 "), "{out}");
}

/// A segment written by filka's own log with a small index interval, so both indexes have
/// entries; fixed timestamps keep the output stable.
fn write_indexed_segment(t: &TestCluster) {
    let cfg = LogConfig {
        index_interval_bytes: 256,
        ..LogConfig::default()
    };
    let (mut log, _) =
        PartitionLog::open(&t.path().join("demo-0"), cfg, OpenHints::default()).unwrap();
    for i in 0..12i64 {
        let mut b = BatchBuilder::new(BatchOptions::default());
        for j in 0..2 {
            let v = format!("value-{i}-{j}-{}", "x".repeat(40));
            b.append(TS0 + i * 1000 + j, Some(b"key"), Some(v.as_bytes()), &[]);
        }
        log.append(&mut b.build(0, 0).unwrap(), 0, TS0).unwrap();
    }
    log.flush().unwrap();
}

#[test]
fn verify_passes_on_a_segment_with_indexes() {
    let t = TestCluster::new();
    write_indexed_segment(&t);
    let a = dump(&t, &["--verify", LOG, INDEX, TIME_INDEX]).success();
    let out = stdout(&a);
    assert!(out.contains("\noffset: "), "the index has entries: {out}");
    assert!(out.contains("\ntimestamp: "), "{out}");
    assert_golden("verify-good.txt", &out);
}

#[test]
fn verify_lists_every_mismatch_of_a_damaged_index() {
    let t = TestCluster::new();
    write_indexed_segment(&t);
    let mut index = std::fs::read(t.path().join(INDEX)).unwrap();
    assert!(index.len() >= 24, "needs three entries");
    index[3] += 1; // entry 0 names the wrong offset
    index[15] += 1; // entry 1 points inside a batch
    std::fs::write(t.path().join(INDEX), &index).unwrap();
    let mut times = std::fs::read(t.path().join(TIME_INDEX)).unwrap();
    times[7] += 1; // entry 0's timestamp is not its batch's
    std::fs::write(t.path().join(TIME_INDEX), &times).unwrap();

    let a = dump(&t, &["--verify", INDEX, TIME_INDEX]).code(3);
    let out = stdout(&a);
    assert!(
        out.contains(&format!("Mismatches in :{INDEX}\n  Index offset: ")),
        "{out}"
    );
    assert!(
        out.contains("log offset: -1 (no batch starts at byte"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "Found timestamp mismatch in :{TIME_INDEX}\n  Index timestamp: "
        )),
        "{out}"
    );
    assert_golden("verify-damaged.txt", &out);
    // Without --verify the entries are only listed.
    dump(&t, &[INDEX, TIME_INDEX]).success();
}

#[test]
fn verify_without_the_log_exits_4() {
    let t = TestCluster::new();
    write_indexed_segment(&t);
    std::fs::remove_file(t.path().join(LOG)).unwrap();
    let a = dump(&t, &["--verify", INDEX]).code(4);
    assert!(
        stdout(&a).contains("Error: cannot verify"),
        "{}",
        stdout(&a)
    );
    assert_eq!(stderr_lines(&a).len(), 1);
}

#[test]
fn json_output_is_one_object_per_line() {
    let t = TestCluster::new();
    write_binary_segment(&t);
    let mut log = std::fs::read(t.path().join(LOG)).unwrap();
    log.extend_from_slice(&[0; 20]);
    std::fs::write(t.path().join("demo-0/00000000000000000000.log"), &log).unwrap();
    std::fs::write(
        t.path().join("demo-0/leader-epoch-checkpoint"),
        "0\n1\n3 0\n",
    )
    .unwrap();
    let a = t
        .bare_cmd()
        .args(["--output", "json", "dump", "--print-data", "--verify"])
        .args([LOG, INDEX, "demo-0/leader-epoch-checkpoint"])
        .assert()
        .code(3);
    let mut types = Vec::new();
    let mut records = Vec::new();
    for line in stdout(&a).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let ty = v["type"].as_str().unwrap().to_string();
        assert!(
            [
                "file",
                "batch",
                "record",
                "index_entry",
                "time_index_entry",
                "checkpoint_entry",
                "invalid_bytes",
                "mismatch",
                "error"
            ]
            .contains(&ty.as_str()),
            "{line}"
        );
        assert!(v["file"].as_str().unwrap().starts_with("demo-0/"), "{line}");
        if ty == "record" {
            records.push(v.clone());
        }
        types.push(ty);
    }
    assert_eq!(
        types,
        [
            "file",
            "batch",
            "record",
            "record",
            "record",
            "batch",
            "record",
            "error",
            "invalid_bytes",
            "file",
            "file",
            "checkpoint_entry"
        ]
    );
    assert_eq!(records[0]["key"], "AAH/");
    assert_eq!(records[0]["key_encoding"], "base64");
    assert_eq!(records[0]["value"], "line1\nline2");
    assert!(records[0].get("value_encoding").is_none());
    assert_eq!(records[0]["headers"][0]["value"], "/w==");
    assert_eq!(records[0]["headers"][0]["value_encoding"], "base64");
    assert_eq!(records[2]["value"], serde_json::Value::Null);
    assert_eq!(records[3]["control_type"], "COMMIT");
    assert_eq!(records[3]["coordinator_epoch"], 4);
}

#[test]
fn max_bytes_stops_at_whole_batches() {
    let t = TestCluster::new();
    let log = [example_batch(0), example_batch(2)].concat();
    write_segment(&t, &log, &[], &[]);
    let a = dump(&t, &["--max-bytes", "100", LOG]).success();
    let out = stdout(&a);
    assert_eq!(out.matches("baseOffset:").count(), 1, "{out}");
    assert!(!out.contains("invalid bytes"), "{out}");
    let a = dump(&t, &["--max-bytes", "180", LOG]).success();
    assert_eq!(stdout(&a).matches("baseOffset:").count(), 2);
}

#[test]
fn checkpoint_files_list_their_entries() {
    let t = TestCluster::new();
    std::fs::create_dir_all(t.path().join("demo-0")).unwrap();
    let files = [
        (
            "recovery-point-offset-checkpoint",
            "0\n2\ndemo 0 2\n__consumer_offsets 12 1\n",
        ),
        ("demo-0/leader-epoch-checkpoint", "0\n2\n0 0\n3 150\n"),
        (
            "demo-0/partition.metadata",
            "version: 0\ntopic_id: ASNFZ4mrze8P7cuph2VDIQ",
        ),
    ];
    for (name, text) in files {
        std::fs::write(t.path().join(name), text).unwrap();
    }
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    let a = dump(&t, &names).success();
    assert_golden("checkpoints.txt", &stdout(&a));

    std::fs::write(t.path().join(names[1]), "0\n2\n0 0\n").unwrap();
    let a = dump(&t, &[names[1]]).code(3);
    assert!(
        stdout(&a).contains("Error: line 2 declares 2 entries but 1 lines follow"),
        "{}",
        stdout(&a)
    );
}

#[test]
fn a_missing_file_is_one_line_and_exit_4() {
    let t = TestCluster::new();
    write_example_segment(&t);
    let a = dump(&t, &[LOG, "demo-0/00000000000000000099.log"]).code(4);
    assert!(a.get_output().stdout.is_empty(), "nothing is dumped");
    let err = stderr_lines(&a);
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(
        err[0].starts_with("filka: dump demo-0/00000000000000000099.log: "),
        "{err:?}"
    );
}

#[test]
fn unknown_files_are_usage_errors() {
    let t = TestCluster::new();
    std::fs::write(t.path().join("notes.txt"), "hi").unwrap();
    std::fs::write(t.path().join("x.snapshot"), "hi").unwrap();
    let a = dump(&t, &["x.snapshot"]).code(2);
    assert!(
        stderr_lines(&a)[0].contains("base offset"),
        "{:?}",
        stderr_lines(&a)
    );
    let a = dump(&t, &["notes.txt"]).code(2);
    assert!(stderr_lines(&a)[0].contains("unknown kind of file"));
    t.bare_cmd()
        .args(["--output", "csv", "dump", "notes.txt"])
        .assert()
        .code(2);
}

// Hostile input: a length field or count that a naive reader would allocate.

/// A batch holding exactly `records` as its records section, with `count` declared.
fn batch_with_records(records: &[u8], count: i32) -> Vec<u8> {
    let mut b = example_batch(0);
    b.truncate(61);
    b.extend_from_slice(records);
    let length = (b.len() - 12) as i32;
    b[8..12].copy_from_slice(&length.to_be_bytes());
    b[23..27].copy_from_slice(&(count - 1).max(0).to_be_bytes());
    b[57..61].copy_from_slice(&count.to_be_bytes());
    fix_crc(&mut b);
    b
}

fn hostile_files() -> Vec<(&'static str, Vec<u8>)> {
    let good = example_batch(0);
    let with_length = |length: i32| {
        let mut b = example_batch(2);
        b[8..12].copy_from_slice(&length.to_be_bytes());
        [good.clone(), b].concat()
    };
    let mut huge_count = example_batch(2);
    huge_count[57..61].copy_from_slice(&i32::MAX.to_be_bytes());
    fix_crc(&mut huge_count);
    // One record: attributes, timestamp and offset deltas 0, null key and value, then a
    // header count of i32::MAX (zigzag varint fe ff ff ff 0f); body length 10.
    let huge_headers = batch_with_records(
        &[0x14, 0, 0, 0, 0x01, 0x01, 0xfe, 0xff, 0xff, 0xff, 0x0f],
        1,
    );
    vec![
        ("length 0x7fffffff", with_length(i32::MAX)),
        ("length -1", with_length(-1)),
        ("record count i32::MAX", [good.clone(), huge_count].concat()),
        ("header count i32::MAX", huge_headers),
    ]
}

#[test]
fn hostile_length_fields_fail_fast_in_little_memory() {
    let t = TestCluster::new();
    std::fs::create_dir_all(t.path().join("demo-0")).unwrap();
    for (what, bytes) in hostile_files() {
        std::fs::write(t.path().join(LOG), &bytes).unwrap();
        for flags in [&[][..], &["--print-data", "--verify"][..]] {
            let args: Vec<&str> = ["dump"]
                .iter()
                .chain(flags)
                .chain(&[LOG])
                .copied()
                .collect();
            let m = run_measured(t.path(), &args, None);
            assert_eq!(m.code, 3, "{what} {flags:?}: {}", m.stdout);
            assert!(
                m.elapsed < Duration::from_secs(10),
                "{what}: took {:?}",
                m.elapsed
            );
            assert!(
                m.max_rss_kib < 64 * 1024,
                "{what} {flags:?}: peak RSS {} KiB",
                m.max_rss_kib
            );
            assert!(m.stdout.contains("Error: "), "{what}: {}", m.stdout);
        }
    }
}

/// The same walk over a large file stays in bounded memory: 40 MiB of valid batches.
#[test]
fn memory_does_not_grow_with_the_file() {
    let t = TestCluster::new();
    std::fs::create_dir_all(t.path().join("demo-0")).unwrap();
    let mut b = BatchBuilder::new(BatchOptions::default());
    b.append(TS0, None, Some(&vec![b'x'; 1 << 20]), &[]);
    let one = b.build(0, 0).unwrap();
    let mut file = std::fs::File::create(t.path().join(LOG)).unwrap();
    for i in 0..40 {
        let mut batch = one.clone();
        set_base_offset(&mut batch, i);
        std::io::Write::write_all(&mut file, &batch).unwrap();
    }
    drop(file);
    let m = run_measured(t.path(), &["dump", "--verify", LOG], None);
    assert_eq!(m.code, 0, "{}", m.stdout);
    assert_eq!(m.stdout.matches("isvalid: true").count(), 40);
    assert!(
        m.max_rss_kib < 64 * 1024,
        "peak RSS {} KiB for a 40 MiB file",
        m.max_rss_kib
    );
}

/// Segments written by an independent Kafka implementation (kafka-python's record builder,
/// fixtures/kafka-python/), one per codec: their dumps are golden files, so a change in how
/// we read real Kafka data shows up as a diff.
#[test]
fn kafka_python_fixtures_dump_as_golden() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"] {
        let rel = format!("fixtures/kafka-python/{codec}-0/00000000000000000000.log");
        let a = assert_cmd::Command::new(crate::harness::FILKA)
            .current_dir(root)
            .args(["dump", "--print-data", "--verify", &rel])
            .assert()
            .success();
        assert_golden(&format!("kafka-python-{codec}.txt"), &stdout(&a));
    }
}

/// The folders of fixtures/apache-kafka/ that hold an `expected.txt`: files a real Kafka 4.4
/// broker wrote, and what `filka dump --print-data --verify` prints of them (checked against
/// Kafka's own kafka-dump-log and classes by tests/apache_kafka/files.rs).
fn apache_kafka_fixture_dirs() -> Vec<(String, Vec<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = Vec::new();
    let mut todo = vec![root.join("fixtures/apache-kafka")];
    while let Some(dir) = todo.pop() {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            if path.is_dir() {
                todo.push(path);
            } else if name != "expected.txt" && name != "README.md" {
                files.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .to_string(),
                );
            }
        }
        if dir.join("expected.txt").exists() {
            files.sort();
            dirs.push((
                dir.strip_prefix(root)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string(),
                files,
            ));
        }
    }
    dirs.sort();
    dirs
}

/// Files written by a real Kafka 4.4 broker (fixtures/apache-kafka/): segments with COMMIT and
/// ABORT markers, a .txnindex, a producer snapshot with a producer that has no batch, two
/// metadata logs (their LeaderChange records and metadata records decoded), KRaft snapshots
/// (the bootstrap one of a dynamic quorum, with every other KRaft control record, and a later
/// one), checkpoints and meta.properties. Each dumps exactly as its expected.txt says, which
/// is what Kafka's kafka-dump-log prints (with `--cluster-metadata-decoder` for the metadata
/// log and the snapshots), so a change in how filka reads Kafka's files shows up as a diff.
#[test]
fn apache_kafka_fixtures_dump_as_kafka_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = apache_kafka_fixture_dirs();
    assert!(dirs.len() >= 5, "{dirs:?}");
    for (dir, files) in dirs {
        let a = assert_cmd::Command::new(crate::harness::FILKA)
            .current_dir(root)
            .args(["dump", "--print-data", "--verify"])
            .args(&files)
            .assert()
            .success();
        let want = std::fs::read_to_string(root.join(&dir).join("expected.txt")).unwrap();
        assert!(
            stdout(&a) == want,
            "{dir}: filka dump differs from expected.txt\n--- want\n{want}\n--- got\n{}",
            stdout(&a)
        );
    }
}

/// Regression: a partition nobody had written to had no segment files (Kafka creates the
/// empty active segment with the replica), so the README's
/// `filka dump filka-data/broker-101/demo-0/00000000000000000000.log --print-data --verify`
/// failed with "No such file or directory", exit 4.
#[test]
fn a_partition_nobody_wrote_to_has_an_empty_active_segment() {
    let t = TestCluster::new();
    t.run(["topic", "create", "demo", "-p", "2", "-r", "3", "-q"])
        .success();
    for b in [101, 102, 103] {
        for p in 0..2 {
            let dir = t.data().join(format!("broker-{b}/demo-{p}"));
            for suffix in ["log", "index", "timeindex"] {
                let f = dir.join(format!("00000000000000000000.{suffix}"));
                assert_eq!(
                    std::fs::metadata(&f).map(|m| m.len()).ok(),
                    Some(0),
                    "{f:?}"
                );
            }
        }
    }
    let seg = t.data().join("broker-101/demo-0/00000000000000000000");
    let log = format!("{}.log", seg.display());
    let out = stdout_text(&t.run(["dump", &log, "--print-data", "--verify"]).success());
    assert!(out.contains("Log starting offset: 0"), "{out}");
    for suffix in ["index", "timeindex"] {
        t.run(["dump", &format!("{}.{suffix}", seg.display()), "--verify"])
            .success();
    }
    t.run(["dump", &log, "--output", "json"]).success();
    // Readers and writers take the empty files as an empty log.
    let v = &json_lines(
        &t.run(["describe", "topic", "demo", "--output", "json"])
            .success(),
    )[0];
    for p in v["partitions"].as_array().unwrap() {
        assert_eq!(
            (p["size"].as_u64(), p["log_end_offset"].as_i64()),
            (Some(0), Some(0))
        );
    }
    t.consume_ok(["-t", "demo"]);
    t.run(["simulate-failure", "broker-down", "101", "-q"])
        .success();
    t.run(["simulate-failure", "broker-up", "101", "-q"])
        .success();
    t.produce("demo", "a\nb\n", &["-q", "-p", "0"]).success();
    assert_eq!(t.values("demo"), ["a", "b"]);
    let out = stdout_text(&t.run(["dump", &log, "--print-data", "--verify"]).success());
    assert!(out.contains("payload: a"), "{out}");
}

// Producer state: .snapshot and .txnindex files (kafka-format.md §1, §10).

const SNAPSHOT: &str = "demo-0/00000000000000000011.snapshot";
const TXN_INDEX: &str = "demo-0/00000000000000000000.txnindex";

fn producer_batch(pid: i64, epoch: i16, seq: i32, n: i64, txn: bool) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions {
        producer_id: pid,
        producer_epoch: epoch,
        base_sequence: seq,
        transactional: txn,
        ..BatchOptions::default()
    });
    for i in 0..n {
        b.append(TS0 + i, None, Some(format!("v{seq}-{i}").as_bytes()), &[]);
    }
    b.build(0, 0).unwrap()
}

/// A partition written through filka's log: an idempotent producer (1000), a transaction
/// of 2000 aborted while 3000's is open, 3000's commit, 4000's open transaction, and 5000
/// known only from a marker (no batch: its snapshot line ends after lastTimestamp); closed
/// cleanly at offset 11, so `00000000000000000011.snapshot` holds the state.
fn write_transactional_partition(t: &TestCluster) {
    let dir = t.path().join("demo-0");
    let (mut log, _) =
        PartitionLog::open(&dir, LogConfig::default(), OpenHints::default()).unwrap();
    let end = |pid, epoch, commit, ts| {
        end_txn_batch(commit, pid, epoch, 5, TS0 + ts)
            .build(0, 0)
            .unwrap()
    };
    for mut b in [
        producer_batch(1000, 0, 0, 2, false), // 0..=1
        producer_batch(2000, 0, 0, 2, true),  // 2..=3
        producer_batch(3000, 2, 0, 1, true),  // 4
        end(2000, 0, false, 10),              // 5: abort, LSO 4
        producer_batch(1000, 0, 2, 1, false), // 6
        end(3000, 2, true, 11),               // 7
        producer_batch(4000, 0, 7, 1, true),  // 8
        producer_batch(4000, 0, 8, 1, true),  // 9
        end(5000, 1, false, 12),              // 10: ends nothing, indexes nothing
    ] {
        log.append(&mut b, 0, TS0).unwrap();
    }
    assert_eq!(log.log_end_offset(), 11);
    log.close().unwrap();
}

#[test]
fn snapshots_and_transaction_indexes_dump_like_kafka() {
    let t = TestCluster::new();
    write_transactional_partition(&t);
    let a = dump(&t, &[SNAPSHOT, TXN_INDEX]).success();
    let out = stdout(&a);
    assert!(
        out.contains(
            "producerId: 1000 producerEpoch: 0 coordinatorEpoch: -1 currentTxnFirstOffset: \
             OptionalLong.empty lastTimestamp: 1700000000000 firstSequence: 2 lastSequence: 2 \
             lastOffset: 6 offsetDelta: 0 timestamp: 1700000000000\n"
        ),
        "{out}"
    );
    // 4000's transaction is open from offset 8.
    assert!(
        out.contains("currentTxnFirstOffset: OptionalLong[8]"),
        "{out}"
    );
    // Regression: this line ended with a space, as Kafka's old Scala tool printed it; Kafka
    // 4.4's DumpLogSegments (the judge: tests/apache_kafka/files.rs) ends it after the
    // timestamp.
    assert!(
        out.contains(
            "producerId: 5000 producerEpoch: 1 coordinatorEpoch: 5 currentTxnFirstOffset: \
             OptionalLong.empty lastTimestamp: 1700000000012\n"
        ),
        "Kafka's line for a producer without a batch ends after lastTimestamp: {out}"
    );
    assert!(
        out.contains(
            "version: 0 producerId: 2000 firstOffset: 2 lastOffset: 5 lastStableOffset: 4\n"
        ),
        "{out}"
    );
    assert_golden("transactions.txt", &out);
    // The log's markers agree with its .txnindex.
    let a = dump(&t, &["--verify", LOG, TXN_INDEX]).success();
    assert!(stdout(&a).contains("endTxnMarker") || stdout(&a).contains("isControl: true"));
}

#[test]
fn the_empty_snapshot_has_no_entries() {
    let t = TestCluster::new();
    std::fs::create_dir_all(t.path().join("demo-0")).unwrap();
    std::fs::write(
        t.path().join(SNAPSHOT),
        [0, 1, 0x48, 0x67, 0x4b, 0xc7, 0, 0, 0, 0],
    )
    .unwrap();
    let a = dump(&t, &[SNAPSHOT]).success();
    assert_eq!(stdout(&a), format!("Dumping {SNAPSHOT}\n"));
}

#[test]
fn damaged_snapshots_and_transaction_indexes_exit_3_with_where() {
    let t = TestCluster::new();
    write_transactional_partition(&t);
    let path = t.path().join(SNAPSHOT);
    let good = std::fs::read(&path).unwrap();
    let mut bad = good.clone();
    bad[30] ^= 1;
    std::fs::write(&path, &bad).unwrap();
    let a = dump(&t, &[SNAPSHOT]).code(3);
    let out = stdout(&a);
    assert!(out.contains("Error: byte 2: CRC mismatch"), "{out}");
    assert_eq!(
        out.matches("producerId: ").count(),
        5,
        "entries still listed: {out}"
    );
    std::fs::write(&path, &good[..good.len() - 5]).unwrap();
    let a = dump(&t, &[SNAPSHOT]).code(3);
    let out = stdout(&a);
    assert!(
        out.contains("Error: byte 6: the file declares 5 entries"),
        "{out}"
    );
    assert!(
        out.contains("invalid bytes at the end of 00000000000000000011.snapshot"),
        "{out}"
    );

    let index = t.path().join(TXN_INDEX);
    let mut bytes = std::fs::read(&index).unwrap();
    bytes.extend_from_slice(&[0; 7]);
    std::fs::write(&index, &bytes).unwrap();
    let a = dump(&t, &[TXN_INDEX]).code(3);
    assert!(
        stdout(&a).ends_with(
            "Found 7 invalid bytes at the end of 00000000000000000000.txnindex, starting at \
             position 34\n"
        ),
        "{}",
        stdout(&a)
    );
    bytes[1] = 3; // version 3
    std::fs::write(&index, &bytes[..34]).unwrap();
    let a = dump(&t, &[TXN_INDEX]).code(3);
    assert!(stdout(&a).contains("Error: entry at byte 0: version 3 is not supported"));
}

#[test]
fn verify_checks_the_txnindex_against_the_abort_markers() {
    let t = TestCluster::new();
    write_transactional_partition(&t);
    let index = t.path().join(TXN_INDEX);
    let good = std::fs::read(&index).unwrap();
    // An entry for a marker that is not in the log, in place of the real one.
    let mut wrong = good.clone();
    wrong[25] = 6; // lastOffset 6
    std::fs::write(&index, &wrong).unwrap();
    let a = dump(&t, &["--verify", LOG, TXN_INDEX]).code(3);
    let out = stdout(&a);
    assert_golden("verify-txn-damaged.txt", &out);
    assert!(
        out.contains(&format!(
            "Transaction index mismatches in :{LOG}\n  Entry producerId: 2000 firstOffset: 2 \
             lastOffset: 6: the log has no ABORT marker of producer 2000 at offset 6\n  ABORT \
             marker of producerId: 2000 at offset 5 has no entry"
        )),
        "{out}"
    );
    // No index at all: the abort is missing from it.
    std::fs::remove_file(&index).unwrap();
    let a = dump(&t, &["--verify", LOG]).code(3);
    assert!(stdout(&a).contains("has no entry"), "{}", stdout(&a));
    // Without --verify the log alone is fine.
    dump(&t, &[LOG]).success();
    std::fs::write(&index, &good).unwrap();
    dump(&t, &["--verify", LOG, TXN_INDEX]).success();
}

#[test]
fn snapshot_and_txnindex_entries_as_json() {
    let t = TestCluster::new();
    write_transactional_partition(&t);
    let a = t
        .bare_cmd()
        .args(["--output", "json", "dump", SNAPSHOT, TXN_INDEX])
        .assert()
        .success();
    let lines: Vec<serde_json::Value> = stdout(&a)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["kind"], "producer_snapshot");
    assert_eq!(lines[0]["base_offset"], 11);
    let p5000 = lines.iter().find(|v| v["producer_id"] == 5000).unwrap();
    assert_eq!(p5000["last_offset"], serde_json::Value::Null);
    let p4000 = lines.iter().find(|v| v["producer_id"] == 4000).unwrap();
    assert_eq!(p4000["type"], "snapshot_entry");
    assert_eq!(p4000["current_txn_first_offset"], 8);
    assert_eq!(p4000["first_sequence"], 8);
    assert_eq!(p4000["last_sequence"], 8);
    let txn = lines
        .iter()
        .find(|v| v["type"] == "txn_index_entry")
        .unwrap();
    assert_eq!(txn["file"], TXN_INDEX);
    assert_eq!(txn["producer_id"], 2000);
    assert_eq!(txn["last_stable_offset"], 4);
    assert_eq!(txn["position"], 0);
}

/// The metadata log and snapshots of a real Kafka 4.4 node
/// (fixtures/apache-kafka/kraft-metadata/__cluster_metadata-0/).
const KRAFT_LOG: &str =
    "fixtures/apache-kafka/kraft-metadata/__cluster_metadata-0/00000000000000000000.log";
const KRAFT_SNAPSHOT: &str = "fixtures/apache-kafka/kraft-metadata/__cluster_metadata-0/00000000000000000032-0000000001.checkpoint";

/// `filka ARGS...` from the repository root (the fixtures' paths are relative to it).
fn from_root(args: &[&str]) -> Assert {
    assert_cmd::Command::new(crate::harness::FILKA)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("FILKA_CLUSTER")
        .args(args)
        .assert()
}

/// The lines of kafka-dump-log --cluster-metadata-decoder that pin the rendering: a
/// metadata record of each kind of field (strings, uuids, arrays, a nullable config value)
/// and the snapshot's first line (tests/apache_kafka/metadata_dump.rs compares every line).
#[test]
fn the_metadata_log_prints_as_kafkas_cluster_metadata_decoder() {
    let a = from_root(&["dump", "--print-data", KRAFT_LOG]).success();
    let out = stdout(&a);
    for want in [
        "| offset: 0 CreateTime: 1796523858931 keySize: 4 valueSize: 19 sequence: -1 headerKeys: [] LeaderChange: {\"version\":0,\"leaderId\":101,\"voters\":[{\"voterId\":101}],\"grantingVoters\":[{\"voterId\":101}]}",
        "| offset: 23 CreateTime: 1796523863680 keySize: -1 valueSize: 30 sequence: -1 headerKeys: [] payload: {\"type\":\"TOPIC_RECORD\",\"version\":0,\"data\":{\"name\":\"fixture-a\",\"topicId\":\"fp6hAZ1yToyJaPL19qZT2w\"}}",
        "| offset: 24 CreateTime: 1796523863680 keySize: -1 valueSize: 38 sequence: -1 headerKeys: [] payload: {\"type\":\"CONFIG_RECORD\",\"version\":0,\"data\":{\"resourceType\":2,\"resourceName\":\"fixture-a\",\"name\":\"cleanup.policy\",\"value\":\"compact\"}}",
        "| offset: 25 CreateTime: 1796523863680 keySize: -1 valueSize: 65 sequence: -1 headerKeys: [] payload: {\"type\":\"PARTITION_RECORD\",\"version\":2,\"data\":{\"partitionId\":0,\"topicId\":\"fp6hAZ1yToyJaPL19qZT2w\",\"replicas\":[101],\"isr\":[101],\"removingReplicas\":[],\"addingReplicas\":[],\"leader\":101,\"leaderEpoch\":0,\"partitionEpoch\":0,\"directories\":[\"GIAWcKvndx0moQML4TkB_g\"]}}",
        "| offset: 34 CreateTime: 1796523866578 keySize: -1 valueSize: 20 sequence: -1 headerKeys: [] payload: {\"type\":\"REMOVE_TOPIC_RECORD\",\"version\":0,\"data\":{\"topicId\":\"1VA1CN4QQ0SPS3R9wRUxPQ\"}}",
    ] {
        assert!(out.lines().any(|l| l == want), "no line {want}\nin\n{out}");
    }
    // No record is left undecoded.
    assert!(!out.contains("Error at"), "{out}");
    let a = from_root(&["dump", KRAFT_SNAPSHOT]).success();
    assert!(
        stdout(&a).starts_with(&format!(
            "Dumping {KRAFT_SNAPSHOT}\nSnapshot end offset: 32, epoch: 1\nbaseOffset: 0 \
             lastOffset: 0 count: 1 "
        )),
        "{}",
        stdout(&a)
    );
}

/// A segment of the metadata log copied out of its folder is read as plain records, and as
/// metadata records with --cluster-metadata-decoder, line for line as in its folder.
#[test]
fn cluster_metadata_decoder_decodes_a_copied_segment() {
    let t = TestCluster::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join(KRAFT_LOG),
        t.path().join("00000000000000000000.log"),
    )
    .unwrap();
    let plain = stdout(&dump(&t, &["--print-data", "00000000000000000000.log"]).success());
    assert!(
        plain.contains("payload: \\x01\\x14\\x00\\x00"),
        "a NoOpRecord as bytes: {plain}"
    );
    let a = dump(
        &t,
        &[
            "--print-data",
            "--cluster-metadata-decoder",
            "00000000000000000000.log",
        ],
    )
    .success();
    let in_folder = stdout(&from_root(&["dump", "--print-data", KRAFT_LOG]).success());
    assert_eq!(
        stdout(&a).lines().skip(1).collect::<Vec<_>>(),
        in_folder.lines().skip(1).collect::<Vec<_>>()
    );
    // -v says why the records were decoded.
    let a = t
        .bare_cmd()
        .args([
            "-v",
            "dump",
            "--cluster-metadata-decoder",
            "00000000000000000000.log",
        ])
        .assert()
        .success();
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("a segment of the metadata log of base offset 0, read as metadata records: 47 batches, 61 records (kind from its name, metadata records by --cluster-metadata-decoder), no problem found"),
        "{err}"
    );
}

/// `--output json`: the file event says what the file is, a KRaft control record carries
/// its message and a metadata record the object kafka-dump-log prints.
#[test]
fn kraft_files_as_json() {
    let a = from_root(&[
        "--output",
        "json",
        "dump",
        "--print-data",
        KRAFT_SNAPSHOT,
        KRAFT_LOG,
    ])
    .success();
    let lines = json_lines(&a);
    assert_eq!(
        lines[0],
        serde_json::json!({"type": "file", "file": KRAFT_SNAPSHOT, "kind": "kraft_snapshot",
            "base_offset": null, "end_offset": 32, "epoch": 1})
    );
    assert_eq!(lines[2]["control_type"], "SNAPSHOT_HEADER");
    assert_eq!(
        lines[2]["control"],
        serde_json::json!({"version": 0, "lastContainedLogTimestamp": 1_796_523_865_184_i64})
    );
    let topic = lines
        .iter()
        .find(|l| l["metadata"]["type"] == "TOPIC_RECORD")
        .unwrap();
    assert_eq!(
        topic["metadata"],
        serde_json::json!({"type": "TOPIC_RECORD", "version": 0,
            "data": {"name": "fixture-a", "topicId": "fp6hAZ1yToyJaPL19qZT2w"}})
    );
    assert!(topic.get("value").is_none(), "{topic}");
    let log = lines.iter().find(|l| l["file"] == KRAFT_LOG).unwrap();
    assert_eq!(log["kind"], "log");
    assert_eq!(log["cluster_metadata"], true);
    // Every data record of both files is decoded.
    assert!(
        lines
            .iter()
            .filter(|l| l["type"] == "record" && l["control_type"].is_null())
            .all(|l| l["metadata"].is_object()),
        "{lines:?}"
    );
}

/// The snapshot's batches without their last one (its SnapshotFooter), and with a record
/// that is not a metadata record.
fn damaged_kraft_files(t: &TestCluster) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let snapshot = std::fs::read(root.join(KRAFT_SNAPSHOT)).unwrap();
    // The footer batch is the last 75 bytes (its dump says size: 75 at position 1194).
    assert_eq!(snapshot.len(), 1194 + 75);
    let dir = t.path().join("__cluster_metadata-0");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("00000000000000000032-0000000001.checkpoint"),
        &snapshot[..1194],
    )
    .unwrap();
    let mut b = BatchBuilder::new(BatchOptions::default());
    b.append(TS0, None, Some(&[1, 20, 0, 0]), &[]);
    b.append(TS0, None, Some(b"hello"), &[]);
    std::fs::write(dir.join("00000000000000000000.log"), b.build(0, 0).unwrap()).unwrap();
}

#[test]
fn verify_checks_a_snapshots_header_and_footer() {
    let t = TestCluster::new();
    damaged_kraft_files(&t);
    let snapshot = "__cluster_metadata-0/00000000000000000032-0000000001.checkpoint";
    // Without --verify the snapshot's framing is not checked: every batch is sound.
    dump(&t, &[snapshot]).success();
    let a = dump(&t, &["--verify", snapshot]).code(3);
    assert!(
        stdout(&a).ends_with(
            "Error: the snapshot does not end with a SnapshotFooter control record: it is \
             incomplete\n"
        ),
        "{}",
        stdout(&a)
    );
    assert_eq!(
        stderr_lines(&a),
        [format!(
            "filka: dump: problems found in 1 of 1 files (listed in the output): {snapshot}"
        )]
    );
    // The whole snapshot passes.
    from_root(&["dump", "--verify", KRAFT_SNAPSHOT]).success();
}

#[test]
fn a_value_that_is_not_a_metadata_record_is_kafkas_error_line_and_exit_3() {
    let t = TestCluster::new();
    damaged_kraft_files(&t);
    let a = dump(
        &t,
        &[
            "--print-data",
            "__cluster_metadata-0/00000000000000000000.log",
        ],
    )
    .code(3);
    let out = stdout(&a);
    assert!(
        out.contains(
            "| offset: 0 CreateTime: 1700000000000 keySize: -1 valueSize: 4 sequence: -1 \
             headerKeys: [] payload: {\"type\":\"NO_OP_RECORD\",\"version\":0,\"data\":{}}\n\
             | offset: 1 CreateTime: 1700000000000 keySize: -1 valueSize: 5 sequence: -1 \
             headerKeys: [] payload: Error at 1, skipping. metadata record frame version 104 \
             is not supported (frame version 1, type and version at most 32767)\n\
             Error: record at offset 1 in the batch at byte 0 is not a metadata record: \
             metadata record frame version 104 is not supported (frame version 1, type and \
             version at most 32767)\n"
        ),
        "{out}"
    );
}
