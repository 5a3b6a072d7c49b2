//! Segment files written by an implementation independent of ours decode identically here.
//!
//! fixtures/kafka-python/<codec>-0/00000000000000000000.log was written with kafka-python's
//! `DefaultRecordBatchBuilder` and expected.jsonl next to it is what kafka-python decodes
//! from it (both made by fixtures/gen/make_fixtures.py; the JSON fields are documented in
//! tests/oracle/decode_log.py). This test reads the .log files with [`BatchIter`] and
//! [`BatchRef`], CRC checked, and compares every record field by field. No Python is needed.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::Compression;
use super::batch::{BatchIter, MAX_BATCH_BYTES};
use super::control::{self, ControlType};

/// One directory per codec; the test fails if any is missing.
const FIXTURES: [(&str, Compression); 5] = [
    ("none-0", Compression::None),
    ("gzip-0", Compression::Gzip),
    ("snappy-0", Compression::Snappy),
    ("lz4-0", Compression::Lz4),
    ("zstd-0", Compression::Zstd),
];
const SEGMENT: &str = "00000000000000000000.log";

fn hex(b: Option<&[u8]>) -> Value {
    match b {
        None => Value::Null,
        Some(b) => Value::String(b.iter().map(|x| format!("{x:02x}")).collect()),
    }
}

/// Our decoding of `bytes`, as decode_log.py's JSON objects. `file` is the path as the
/// fixture generator passed it (relative to the repository root).
fn decode_ours(file: &str, bytes: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut iter = BatchIter::new(bytes, 0, MAX_BATCH_BYTES);
    for batch in iter.by_ref() {
        let batch = batch.unwrap_or_else(|e| panic!("{file}: {e}"));
        batch.verify_crc().unwrap_or_else(|e| panic!("{file}: {e}"));
        let h = batch.header();
        let common = json!({
            "file": file,
            "position": batch.position(),
            "size": h.size(),
            "base_offset": h.base_offset,
            "last_offset": h.last_offset(),
            "leader_epoch": h.partition_leader_epoch,
            "batch_crc": h.crc,
            "compression": batch.compression().name(),
            "timestamp_type": h.attributes.timestamp_type().name(),
            "is_transactional": h.attributes.is_transactional(),
            "is_control": h.attributes.is_control(),
            "producer_id": h.producer_id,
            "producer_epoch": h.producer_epoch,
            "base_sequence": h.base_sequence,
            "first_timestamp": h.base_timestamp,
            "max_timestamp": h.max_timestamp,
            "records_count": h.records_count,
        });
        let data = batch
            .records_data()
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let records = batch
            .records(&data)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        for r in records {
            let r = r.unwrap_or_else(|e| panic!("{file}: {e}"));
            let mut obj: Map<String, Value> = common.as_object().cloned().unwrap_or_default();
            obj.insert("offset".into(), json!(r.offset));
            obj.insert("timestamp".into(), json!(r.timestamp));
            obj.insert("key_hex".into(), hex(r.key));
            obj.insert("value_hex".into(), hex(r.value));
            let headers: Vec<Value> = r
                .headers()
                .map(|(k, v)| json!([String::from_utf8_lossy(k), hex(v)]))
                .collect();
            obj.insert("headers".into(), Value::Array(headers));
            if h.attributes.is_control() {
                let t = match control::control_type(r.key) {
                    Some(ControlType::Abort) => json!(0),
                    Some(ControlType::Commit) => json!(1),
                    Some(ControlType::Other(t)) => json!(t),
                    None => Value::Null,
                };
                obj.insert("control_type".into(), t);
            }
            out.push(Value::Object(obj));
        }
    }
    assert_eq!(
        iter.consumed(),
        bytes.len(),
        "{file}: bytes after the last batch"
    );
    out
}

#[test]
fn kafka_python_segments_decode_identically() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (dir, codec) in FIXTURES {
        let file = format!("fixtures/kafka-python/{dir}/{SEGMENT}");
        let bytes = std::fs::read(root.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let expected_path = root.join(format!("fixtures/kafka-python/{dir}/expected.jsonl"));
        let expected: Vec<Value> = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()))
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let ours = decode_ours(&file, &bytes);
        assert!(
            expected.len() >= 20,
            "{file}: only {} records",
            expected.len()
        );
        assert_eq!(ours.len(), expected.len(), "{file}: record count");
        for (i, (got, want)) in ours.iter().zip(&expected).enumerate() {
            let (got, want) = (got.as_object().unwrap(), want.as_object().unwrap());
            for (field, w) in want {
                assert_eq!(got.get(field), Some(w), "{file}: record {i}, field {field}");
            }
            let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
            assert!(
                extra.is_empty(),
                "{file}: record {i}: fields {extra:?} not expected"
            );
            // The fixture really uses its codec (kafka-python falls back to none when
            // compression does not pay; the generator refuses that, this double-checks).
            if want["is_control"] == json!(false) {
                assert_eq!(
                    want["compression"],
                    json!(codec.name()),
                    "{file}: record {i}"
                );
            }
        }
    }
}
