//! `filka dump --output json`: one JSON object per event of the walk (see dump.rs for the
//! fields). Keys and values are strings when valid UTF-8, else base64 with
//! `"<field>_encoding": "base64"`; KRaft control records and metadata records are objects in
//! Kafka's own JSON rendering (the one kafka-dump-log prints), so scripts need no second
//! decoder.
//!
//! Must not: read files or decide what is damage (the walk in log/inspect does).

use base64::Engine;
use serde_json::{Map, Value, json};

use super::dump::show;
use crate::log::inspect::{
    CheckpointEntry, Control, Event, FileKind, MetadataValue, Mismatch, ProblemKind, RecordInfo,
    control_type_name,
};

/// Bytes as a JSON string: UTF-8 text, or base64 with `<field>_encoding` set.
fn put_bytes(obj: &mut Map<String, Value>, field: &str, bytes: Option<&[u8]>) {
    let value = match bytes {
        None => Value::Null,
        Some(b) => match std::str::from_utf8(b) {
            Ok(s) => Value::from(s),
            Err(_) => {
                obj.insert(format!("{field}_encoding"), Value::from("base64"));
                Value::from(base64::engine::general_purpose::STANDARD.encode(b))
            }
        },
    };
    obj.insert(field.to_string(), value);
}

/// Kafka's JSON rendering of a message (made by filka's codec, so always JSON; kept as a
/// string should it ever not be).
fn kafka_json(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

/// One event as one JSON object; `None` for events with nothing to say in JSON.
pub(super) fn json_event(event: &Event<'_>, file: &str) -> Option<Value> {
    let mut v = match event {
        Event::Start { kind } => {
            let mut v = json!({
                "type": "file", "kind": kind.name(), "base_offset": kind.base_offset(),
            });
            match *kind {
                FileKind::Log {
                    cluster_metadata, ..
                } => v["cluster_metadata"] = cluster_metadata.into(),
                FileKind::KraftSnapshot { end_offset, epoch } => {
                    v["end_offset"] = end_offset.into();
                    v["epoch"] = epoch.into();
                }
                _ => {}
            }
            v
        }
        Event::Batch(b) => {
            let h = &b.header;
            json!({
                "type": "batch", "position": b.position, "base_offset": h.base_offset,
                "last_offset": h.last_offset(), "count": h.records_count,
                "base_sequence": h.base_sequence, "last_sequence": h.last_sequence(),
                "producer_id": h.producer_id, "producer_epoch": h.producer_epoch,
                "partition_leader_epoch": h.partition_leader_epoch,
                "is_transactional": h.attributes.is_transactional(),
                "is_control": h.attributes.is_control(),
                "delete_horizon_ms": b.delete_horizon_ms(),
                "timestamp_type": h.attributes.timestamp_type().name(),
                "base_timestamp": h.base_timestamp, "max_timestamp": h.max_timestamp,
                "size": b.size(), "length": h.length, "magic": h.magic,
                "attributes": h.attributes.0,
                "compression": b.compression().map(|c| c.name()),
                "last_offset_delta": h.last_offset_delta, "crc": h.crc,
                "computed_crc": b.computed_crc, "crc_valid": b.crc_valid(),
            })
        }
        Event::Record(r) => json_record(r),
        Event::IndexEntry(e) => json!({
            "type": "index_entry", "offset": e.offset, "position": e.position,
        }),
        Event::TimeIndexEntry(e) => json!({
            "type": "time_index_entry", "timestamp": e.timestamp, "offset": e.offset,
        }),
        Event::IndexEmpty => return None,
        Event::SnapshotEntry { position, entry: e } => {
            let batch = e.first_sequence().is_some();
            json!({
                "type": "snapshot_entry", "position": position, "producer_id": e.producer_id,
                "producer_epoch": e.epoch, "coordinator_epoch": e.coordinator_epoch,
                "current_txn_first_offset":
                    (e.current_txn_first_offset >= 0).then_some(e.current_txn_first_offset),
                "last_timestamp": e.timestamp,
                "first_sequence": e.first_sequence(),
                "last_sequence": batch.then_some(e.last_sequence),
                "last_offset": batch.then_some(e.last_offset),
                "offset_delta": batch.then_some(e.offset_delta),
                "timestamp": batch.then_some(e.timestamp),
            })
        }
        Event::TxnIndexEntry { position, txn: t } => json!({
            "type": "txn_index_entry", "position": position, "version": t.version,
            "producer_id": t.producer_id, "first_offset": t.first_offset,
            "last_offset": t.last_offset, "last_stable_offset": t.last_stable_offset,
        }),
        Event::CheckpointEntry(CheckpointEntry::Offset {
            topic,
            partition,
            offset,
        }) => json!({
            "type": "checkpoint_entry", "topic": topic, "partition": partition,
            "offset": offset,
        }),
        Event::CheckpointEntry(CheckpointEntry::Epoch {
            epoch,
            start_offset,
        }) => json!({
            "type": "checkpoint_entry", "epoch": epoch, "start_offset": start_offset,
        }),
        Event::CheckpointEntry(CheckpointEntry::TopicId { version, topic_id }) => json!({
            "type": "checkpoint_entry", "version": version, "topic_id": topic_id.to_base64(),
        }),
        Event::CheckpointEntry(CheckpointEntry::MetaProperties {
            version,
            node_id,
            cluster_id,
            directory_id,
        }) => json!({
            "type": "checkpoint_entry", "version": version, "node_id": node_id,
            "cluster_id": cluster_id, "directory_id": directory_id.map(|d| d.to_base64()),
        }),
        Event::InvalidBytes { position, count } => json!({
            "type": "invalid_bytes", "position": position, "count": count,
        }),
        Event::Mismatch(m) => json_mismatch(m),
        Event::Problem(p) => json!({
            "type": "error",
            "kind": match p.kind {
                ProblemKind::Corrupt => "corrupt",
                ProblemKind::MissingLog => "missing_log",
            },
            "position": p.position, "message": p.message,
        }),
    };
    if let Value::Object(obj) = &mut v {
        // "type" first, then "file", then the event's fields.
        let mut ordered = Map::new();
        ordered.insert(
            "type".into(),
            obj.shift_remove("type").unwrap_or(Value::Null),
        );
        ordered.insert("file".into(), Value::from(file));
        ordered.append(obj);
        return Some(Value::Object(ordered));
    }
    Some(v)
}

fn json_record(r: &RecordInfo<'_>) -> Value {
    let rec = &r.record;
    let mut obj = Map::new();
    obj.insert("type".into(), "record".into());
    obj.insert("offset".into(), rec.offset.into());
    obj.insert("timestamp_type".into(), r.timestamp_type.name().into());
    obj.insert("timestamp".into(), rec.timestamp.into());
    obj.insert(
        "key_size".into(),
        rec.key.map_or(-1, |k| k.len() as i64).into(),
    );
    obj.insert(
        "value_size".into(),
        rec.value.map_or(-1, |v| v.len() as i64).into(),
    );
    obj.insert("sequence".into(), rec.sequence.into());
    let keys: Vec<Value> = rec.headers().map(|(k, _)| show(k).into()).collect();
    obj.insert("header_keys".into(), keys.into());
    match &r.control {
        Some(Control::EndTxn(m)) => {
            obj.insert("control_type".into(), m.kind.name().into());
            obj.insert("coordinator_epoch".into(), m.coordinator_epoch.into());
        }
        Some(Control::Kraft(k)) => {
            let t = k.control_type();
            obj.insert("control_type".into(), t.name().into());
            obj.insert("control_type_id".into(), t.id().into());
            obj.insert("control".into(), kafka_json(k.to_json()));
        }
        Some(Control::Other(t)) => {
            obj.insert("control_type".into(), control_type_name(*t).into());
            obj.insert("control_type_id".into(), (*t).into());
        }
        Some(Control::Malformed) => {
            obj.insert("control_type".into(), "UNKNOWN".into());
        }
        None => {
            put_bytes(&mut obj, "key", rec.key);
            match &r.metadata {
                // The decoded record replaces the value's bytes, as kafka-dump-log's
                // --cluster-metadata-decoder replaces the payload.
                Some(MetadataValue::Record(m)) if m.to_json().is_some() => {
                    let json = m.to_json().map_or(Value::Null, kafka_json);
                    obj.insert("metadata".into(), json);
                }
                Some(MetadataValue::Record(m)) => {
                    obj.insert("metadata".into(), Value::Null);
                    let why = m.undecoded_reason().unwrap_or_default();
                    obj.insert("metadata_error".into(), why.into());
                    put_bytes(&mut obj, "value", rec.value);
                }
                Some(MetadataValue::Invalid(why)) => {
                    obj.insert("metadata".into(), Value::Null);
                    obj.insert("metadata_error".into(), why.as_str().into());
                    put_bytes(&mut obj, "value", rec.value);
                }
                None => put_bytes(&mut obj, "value", rec.value),
            }
            let headers: Vec<Value> = rec
                .headers()
                .map(|(k, v)| {
                    let mut h = Map::new();
                    h.insert("key".into(), show(k).into());
                    put_bytes(&mut h, "value", v);
                    Value::Object(h)
                })
                .collect();
            obj.insert("headers".into(), headers.into());
        }
    }
    Value::Object(obj)
}

fn json_mismatch(m: &Mismatch) -> Value {
    match m {
        Mismatch::NonConsecutive { previous, next } => json!({
            "type": "mismatch", "kind": "non_consecutive_offsets",
            "previous": previous, "next": next,
        }),
        Mismatch::IndexOffset {
            index_offset,
            position,
            log_offset,
        } => json!({
            "type": "mismatch", "kind": "index_offset", "index_offset": index_offset,
            "position": position, "log_offset": log_offset,
        }),
        Mismatch::IndexPosition {
            index_offset,
            position,
            reason,
        } => json!({
            "type": "mismatch", "kind": "index_position", "index_offset": index_offset,
            "position": position, "log_offset": -1, "message": reason,
        }),
        Mismatch::IndexOutOfOrder {
            index_offset,
            position,
            previous_offset,
            previous_position,
        } => json!({
            "type": "mismatch", "kind": "index_out_of_order", "index_offset": index_offset,
            "position": position, "previous_offset": previous_offset,
            "previous_position": previous_position,
        }),
        Mismatch::TimeIndexTimestamp {
            offset,
            index_timestamp,
            log_timestamp,
        } => json!({
            "type": "mismatch", "kind": "time_index_timestamp", "offset": offset,
            "index_timestamp": index_timestamp, "log_timestamp": log_timestamp,
        }),
        Mismatch::TimeIndexOffset {
            index_offset,
            log_offset,
        } => json!({
            "type": "mismatch", "kind": "time_index_offset", "index_offset": index_offset,
            "log_offset": log_offset,
        }),
        Mismatch::TimeIndexOutOfOrder {
            timestamp,
            offset,
            previous_timestamp,
            previous_offset,
        } => json!({
            "type": "mismatch", "kind": "time_index_out_of_order", "timestamp": timestamp,
            "offset": offset, "previous_timestamp": previous_timestamp,
            "previous_offset": previous_offset,
        }),
        Mismatch::TxnIndexEntry {
            producer_id,
            first_offset,
            last_offset,
            reason,
        } => json!({
            "type": "mismatch", "kind": "txn_index_entry", "producer_id": producer_id,
            "first_offset": first_offset, "last_offset": last_offset, "message": reason,
        }),
        Mismatch::TxnIndexMissing {
            producer_id,
            first_offset,
            last_offset,
        } => json!({
            "type": "mismatch", "kind": "txn_index_missing", "producer_id": producer_id,
            "first_offset": first_offset, "last_offset": last_offset,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bytes_are_text_or_base64() {
        let mut obj = Map::new();
        put_bytes(&mut obj, "key", Some(b"k1"));
        put_bytes(&mut obj, "value", Some(&[0xff, 0x00]));
        assert_eq!(
            Value::Object(obj),
            json!({"key": "k1", "value_encoding": "base64", "value": "/wA="})
        );
        let mut obj = Map::new();
        put_bytes(&mut obj, "key", None);
        assert_eq!(Value::Object(obj), json!({"key": null}));
    }
}
