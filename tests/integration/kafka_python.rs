//! Segment files written with filka's `BatchBuilder` decode, record for record, the same in
//! kafka-python (an independent implementation, see `oracle`): CRCs valid, every byte part
//! of a complete batch, every field as intended.

use std::path::{Path, PathBuf};

use filka::record::batch::{MAX_BATCH_BYTES, set_log_append_time};
use filka::record::control::end_txn_batch;
use filka::record::{BatchBuilder, BatchOptions, BatchRef, Compression, TimestampType};
use serde_json::{Value, json};

use crate::oracle::decode_with_kafka_python;

const TS0: i64 = 1_700_000_000_000;
const LEADER_EPOCH: i32 = 0;

/// A record to write. Header keys are strings: Kafka's are UTF-8 and kafka-python decodes
/// them as such.
struct Rec {
    ts: i64,
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    headers: Vec<(&'static str, Option<Vec<u8>>)>,
}

fn rec(ts: i64, key: Option<&[u8]>, value: Option<&[u8]>) -> Rec {
    Rec {
        ts,
        key: key.map(<[u8]>::to_vec),
        value: value.map(<[u8]>::to_vec),
        headers: Vec::new(),
    }
}

fn hex(b: Option<&[u8]>) -> Value {
    b.map_or(Value::Null, |b| {
        Value::String(b.iter().map(|x| format!("{x:02x}")).collect())
    })
}

/// One segment file being written, and the JSON kafka-python should print for it.
struct Segment {
    path: PathBuf,
    bytes: Vec<u8>,
    next_offset: i64,
    expected: Vec<Value>,
}

impl Segment {
    fn new(dir: &Path, base_offset: i64) -> Segment {
        Segment {
            path: dir.join(format!("{base_offset:020}.log")),
            bytes: Vec::new(),
            next_offset: base_offset,
            expected: Vec::new(),
        }
    }

    /// Appends a batch of `records` written with `opts`; `log_append_time` stamps it the
    /// way a broker does for LogAppendTime topics.
    fn push(&mut self, opts: BatchOptions, records: &[Rec], log_append_time: Option<i64>) {
        let mut builder = BatchBuilder::new(opts);
        for r in records {
            let headers: Vec<(&[u8], Option<&[u8]>)> = r
                .headers
                .iter()
                .map(|(k, v)| (k.as_bytes(), v.as_deref()))
                .collect();
            builder.append(r.ts, r.key.as_deref(), r.value.as_deref(), &headers);
        }
        let control = opts.control.then(|| records[0].key.clone());
        self.push_built(&builder, records, log_append_time, control);
    }

    fn push_built(
        &mut self,
        builder: &BatchBuilder,
        records: &[Rec],
        log_append_time: Option<i64>,
        control: Option<Option<Vec<u8>>>,
    ) {
        let opts = *builder.options();
        let base = self.next_offset;
        let mut batch = builder.build(base, LEADER_EPOCH).unwrap();
        if let Some(now) = log_append_time {
            set_log_append_time(&mut batch, now);
        }
        let crc = BatchRef::parse(&batch, 0, MAX_BATCH_BYTES)
            .unwrap()
            .header()
            .crc;
        let n = records.len() as i64;
        let max_ts = records.iter().map(|r| r.ts).max().unwrap();
        let lat = log_append_time.is_some() || opts.timestamp_type == TimestampType::LogAppendTime;
        for (i, r) in records.iter().enumerate() {
            let mut obj = json!({
                "file": self.path.to_str().unwrap(),
                "position": self.bytes.len(),
                "size": batch.len(),
                "base_offset": base,
                "last_offset": base + n - 1,
                "leader_epoch": LEADER_EPOCH,
                "batch_crc": crc,
                "compression": opts.compression.name(),
                "timestamp_type": if lat { "LogAppendTime" } else { "CreateTime" },
                "is_transactional": opts.transactional,
                "is_control": opts.control,
                "producer_id": opts.producer_id,
                "producer_epoch": opts.producer_epoch,
                "base_sequence": opts.base_sequence,
                "first_timestamp": records[0].ts,
                "max_timestamp": log_append_time.unwrap_or(max_ts),
                "records_count": n,
                "offset": base + i as i64,
                "timestamp": if lat { log_append_time.unwrap_or(max_ts) } else { r.ts },
                "key_hex": hex(r.key.as_deref()),
                "value_hex": hex(r.value.as_deref()),
                "headers": r.headers.iter().map(|(k, v)| json!([k, hex(v.as_deref())]))
                    .collect::<Vec<_>>(),
            });
            if let Some(Some(key)) = &control {
                obj["control_type"] = json!(i16::from_be_bytes([key[2], key[3]]));
            }
            self.expected.push(obj);
        }
        self.bytes.extend_from_slice(&batch);
        self.next_offset += n;
    }

    /// Appends a COMMIT or ABORT marker for `producer_id`.
    fn push_marker(&mut self, commit: bool, producer_id: i64, epoch: i16, ts: i64) {
        let builder = end_txn_batch(commit, producer_id, epoch, 7, ts);
        let key = vec![0, 0, 0, u8::from(commit)];
        let value = vec![0, 0, 0, 0, 0, 7];
        let marker = [rec(ts, Some(&key), Some(&value))];
        self.push_built(&builder, &marker, None, Some(Some(key)));
    }

    fn write(&self) {
        std::fs::write(&self.path, &self.bytes).unwrap();
    }
}

/// Records with a bit of everything: text, binary, empty and null keys and values, headers
/// with null values and duplicate keys, a timestamp before the batch's first.
fn assorted(ts: i64, tag: &str) -> Vec<Rec> {
    let text = format!("{tag}: the quick brown fox jumps over the lazy dog");
    vec![
        Rec {
            headers: vec![
                ("dup", Some(b"one".to_vec())),
                ("dup", None),
                ("ключ", Some(vec![0, 0xff, 0x80])),
                ("", Some(Vec::new())),
            ],
            ..rec(ts, Some(b"user-1"), Some(text.as_bytes()))
        },
        rec(ts + 5, None, Some(text.as_bytes())),
        rec(ts - 3, Some(b"tombstone"), None),
        rec(ts + 9, Some(b""), Some(b"")),
        rec(ts + 10, None, None),
        Rec {
            headers: vec![("bin", Some((0..=255).collect()))],
            ..rec(
                ts + 11,
                Some(&[0, 1, 0xfe, 0xff]),
                Some(&(0..=255u8).rev().collect::<Vec<_>>()),
            )
        },
    ]
}

/// Enough records (~150 KiB) to need several snappy (32 KiB) and lz4 (64 KiB) blocks.
fn many(ts: i64, n: usize) -> Vec<Rec> {
    (0..n)
        .map(|i| Rec {
            headers: if i % 7 == 0 {
                vec![("i", Some(i.to_string().into_bytes()))]
            } else {
                Vec::new()
            },
            ..rec(
                ts + (i as i64 % 50),
                Some(format!("key-{}", i % 97).as_bytes()),
                Some(format!("value {i} {}", "x".repeat(i % 90)).as_bytes()),
            )
        })
        .collect()
}

#[test]
fn kafka_python_reads_what_we_write() {
    let dir = tempfile::tempdir().unwrap();
    let plain = |compression| BatchOptions {
        compression,
        ..BatchOptions::default()
    };

    // Segment 0: per codec an assorted batch and a large one, then a committed transaction.
    let mut s0 = Segment::new(dir.path(), 0);
    for (i, codec) in Compression::ALL.into_iter().enumerate() {
        let ts = TS0 + 10_000 * i as i64;
        s0.push(plain(codec), &assorted(ts, codec.name()), None);
        s0.push(plain(codec), &many(ts + 100, 1500), None);
    }
    let txn = BatchOptions {
        producer_id: 1000,
        producer_epoch: 0,
        base_sequence: 0,
        transactional: true,
        ..plain(Compression::Lz4)
    };
    s0.push(txn, &assorted(TS0 + 60_000, "txn"), None);
    s0.push_marker(true, 1000, 0, TS0 + 60_100);
    s0.write();

    // Segment 1 (dense offsets after segment 0): per codec an idempotent batch whose
    // sequence wraps, a LogAppendTime batch stamped by "the broker", one built as
    // LogAppendTime; then an aborted transaction.
    let mut s1 = Segment::new(dir.path(), s0.next_offset);
    for (i, codec) in Compression::ALL.into_iter().enumerate() {
        let ts = TS0 + 100_000 + 10_000 * i as i64;
        let idempotent = BatchOptions {
            producer_id: 4242,
            producer_epoch: 3,
            base_sequence: i32::MAX - 2,
            ..plain(codec)
        };
        s1.push(idempotent, &assorted(ts, "idempotent"), None);
        s1.push(
            plain(codec),
            &assorted(ts + 100, "stamped"),
            Some(ts + 5_000),
        );
        let lat = BatchOptions {
            timestamp_type: TimestampType::LogAppendTime,
            ..plain(codec)
        };
        s1.push(lat, &assorted(ts + 200, "built as LogAppendTime"), None);
    }
    let txn = BatchOptions {
        producer_id: 2000,
        producer_epoch: 5,
        base_sequence: 10,
        transactional: true,
        ..plain(Compression::Zstd)
    };
    s1.push(txn, &assorted(TS0 + 200_000, "aborted"), None);
    s1.push_marker(false, 2000, 5, TS0 + 200_100);
    s1.write();

    let got = decode_with_kafka_python(&[&s0.path, &s1.path]);
    let want: Vec<&Value> = s0.expected.iter().chain(&s1.expected).collect();
    assert_eq!(got.len(), want.len(), "record count");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let (g, w) = (g.as_object().unwrap(), w.as_object().unwrap());
        for (field, value) in w {
            assert_eq!(
                g.get(field),
                Some(value),
                "record {i} ({}), field {field}",
                w["offset"]
            );
        }
        let extra: Vec<&String> = g.keys().filter(|k| !w.contains_key(*k)).collect();
        assert!(extra.is_empty(), "record {i}: unexpected fields {extra:?}");
    }
}

/// Producer-state snapshots and `.txnindex` files written by filka's log (rolls, a clean
/// close, aborts in several segments, an open transaction, an epoch bump, sequences across
/// Int32.MAX) read by an independent reader (tests/oracle/decode_pstate.py): every CRC and
/// length accepted, every entry what the log's producer state says.
#[test]
fn producer_snapshots_and_txn_indexes_read_by_an_independent_reader() {
    use filka::log::producer_state::snapshot::{decode_snapshot, list_snapshots, snapshot_path};
    use filka::log::txn_index::{read_entries, txn_index_path};
    use filka::log::{LogConfig, OpenHints, PartitionLog};

    let dir = tempfile::tempdir().unwrap();
    let cfg = LogConfig {
        segment_bytes: 700,
        ..LogConfig::default()
    };
    let (mut log, _) = PartitionLog::open(dir.path(), cfg, OpenHints::default()).unwrap();
    let batch = |pid: i64, epoch: i16, seq: i32, n: i64, txn: bool| {
        let mut b = BatchBuilder::new(BatchOptions {
            producer_id: pid,
            producer_epoch: epoch,
            base_sequence: seq,
            transactional: txn,
            ..BatchOptions::default()
        });
        for i in 0..n {
            b.append(TS0 + i, None, Some(b"value"), &[]);
        }
        b.build(0, 0).unwrap()
    };
    let mut seq = i32::MAX - 20;
    let mut aborts = Vec::new();
    for round in 0..12i32 {
        log.append(&mut batch(7, 0, seq, 3, false), 0, TS0).unwrap();
        seq = seq.wrapping_add(3) & i32::MAX;
        let first = log.log_end_offset();
        log.append(&mut batch(8, round as i16, 0, 2, true), 0, TS0)
            .unwrap();
        log.append(&mut batch(9, 0, round * 2, 2, true), 0, TS0)
            .unwrap();
        let abort = round % 3 != 0;
        let at = log.log_end_offset();
        let mut marker = end_txn_batch(!abort, 8, round as i16 + 1, 2, TS0 + 9)
            .build(0, 0)
            .unwrap();
        log.append(&mut marker, 0, TS0).unwrap();
        if abort {
            aborts.push((8i64, first, at));
        }
    }
    let state = log.producer_state().clone();
    log.close().unwrap();

    let snaps = list_snapshots(dir.path()).unwrap();
    assert!(snaps.len() >= 2, "{snaps:?}");
    let snap_paths: Vec<_> = snaps
        .iter()
        .map(|&s| snapshot_path(dir.path(), s))
        .collect();
    let mut bases: Vec<i64> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().into_string().unwrap();
            n.strip_suffix(".log").map(|d| d.parse().unwrap())
        })
        .collect();
    bases.sort_unstable();
    let txn_paths: Vec<_> = bases
        .iter()
        .map(|&b| txn_index_path(dir.path(), b))
        .filter(|p| p.exists())
        .collect();
    assert!(txn_paths.len() >= 2, "aborts in several segments");
    let files: Vec<&Path> = snap_paths
        .iter()
        .chain(&txn_paths)
        .map(|p| p.as_path())
        .collect();
    let decoded = crate::oracle::decode_producer_files(&files);

    // Snapshots: the independent reading equals filka's, field for field.
    for (path, v) in snap_paths.iter().zip(&decoded) {
        let ours = decode_snapshot(&std::fs::read(path).unwrap()).unwrap();
        let entries = v["entries"].as_array().unwrap();
        assert_eq!(entries.len(), ours.len());
        for (e, o) in entries.iter().zip(&ours) {
            assert_eq!(e["producer_id"], o.producer_id);
            assert_eq!(e["epoch"], o.epoch);
            assert_eq!(e["coordinator_epoch"], o.coordinator_epoch);
            assert_eq!(e["last_timestamp"], o.timestamp);
            let txn = (o.current_txn_first_offset >= 0).then_some(o.current_txn_first_offset);
            assert_eq!(e["current_txn_first_offset"], json!(txn));
            match o.first_sequence() {
                Some(first) => {
                    assert_eq!(e["batch"]["first_sequence"], first);
                    assert_eq!(e["batch"]["last_sequence"], o.last_sequence);
                    assert_eq!(e["batch"]["last_offset"], o.last_offset);
                }
                None => assert_eq!(e["batch"], Value::Null),
            }
        }
    }
    // The last snapshot (the clean close) is the log's state.
    let last = &decoded[snap_paths.len() - 1]["entries"];
    for p in state.entries() {
        let e = last
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["producer_id"] == p.producer_id())
            .unwrap();
        assert_eq!(e["epoch"], p.epoch());
        assert_eq!(
            e["current_txn_first_offset"],
            json!(p.current_txn_first_offset())
        );
        if p.last_data_offset() >= 0 {
            assert_eq!(e["batch"]["last_sequence"], p.last_sequence());
            assert_eq!(e["batch"]["last_offset"], p.last_data_offset());
        }
    }
    let p7 = last
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["producer_id"] == 7)
        .unwrap();
    assert!(
        p7["batch"]["last_sequence"].as_i64().unwrap() < 100,
        "sequences wrapped: {p7}"
    );
    // .txnindex: every abort, in the segment of its marker, read the same both ways.
    let mut read: Vec<(i64, i64, i64)> = Vec::new();
    for (path, v) in txn_paths.iter().zip(&decoded[snap_paths.len()..]) {
        let ours = read_entries(path).unwrap();
        let entries = v["entries"].as_array().unwrap();
        assert_eq!(entries.len(), ours.len());
        for (e, o) in entries.iter().zip(&ours) {
            assert_eq!(e["producer_id"], o.producer_id);
            assert_eq!(e["first_offset"], o.first_offset);
            assert_eq!(e["last_offset"], o.last_offset);
            assert_eq!(e["last_stable_offset"], o.last_stable_offset);
            // 9's transaction, open since the first round, holds the LSO of every abort.
            assert_eq!(
                Some(o.last_stable_offset),
                state.entry(9).unwrap().current_txn_first_offset(),
                "{o:?}"
            );
            read.push((o.producer_id, o.first_offset, o.last_offset));
        }
    }
    assert_eq!(read, aborts);
}
