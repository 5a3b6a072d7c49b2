//! Protobuf binary for a `DynamicMessage`, written deterministically: fields in number order,
//! map entries sorted by key (protobuf's "deterministic serialization"), each entry with both
//! its key and its value (as protobuf-java, which Confluent's serializers use, writes them).
//!
//! Owns: the encoder (<https://protobuf.dev/programming-guides/encoding/>).
//! Must not: decode (prost-reflect's decoder does, with its length checks and recursion limit).
//!
//! Why not `prost::Message::encode` on the `DynamicMessage`: prost-reflect keeps map fields in
//! a `HashMap` and writes them in its iteration order, which changes from run to run, so one
//! JSON line would give different record bytes each time.

use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, MapKey, Value};

const VARINT: u32 = 0;
const FIXED64: u32 = 1;
const LEN: u32 = 2;
const START_GROUP: u32 = 3;
const END_GROUP: u32 = 4;
const FIXED32: u32 = 5;

/// Appends the message's fields (not a length prefix) to `out`.
pub(super) fn write_message(msg: &DynamicMessage, out: &mut Vec<u8>) {
    // `fields()` yields the fields that are set, in number order; a proto3 field without
    // presence holding its default is not "set", so it is not written, as the spec requires.
    for (field, value) in msg.fields() {
        write_field(&field, value, out);
    }
}

fn write_field(field: &FieldDescriptor, value: &Value, out: &mut Vec<u8>) {
    let number = field.number();
    let kind = field.kind();
    match value {
        Value::List(items) if field.is_packed() => {
            if items.is_empty() {
                return;
            }
            key(number, LEN, out);
            let start = out.len();
            for item in items {
                bare(&kind, item, out);
            }
            close_len(out, start);
        }
        Value::List(items) => {
            for item in items {
                single(number, &kind, field.is_group(), item, out);
            }
        }
        Value::Map(map) => {
            let Kind::Message(entry) = &kind else {
                return;
            };
            let key_kind = entry.map_entry_key_field().kind();
            let value_kind = entry.map_entry_value_field().kind();
            let mut entries: Vec<(&MapKey, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (k, v) in entries {
                key(number, LEN, out);
                let start = out.len();
                single(1, &key_kind, false, &map_key_value(k), out);
                single(2, &value_kind, false, v, out);
                close_len(out, start);
            }
        }
        one => single(number, &kind, field.is_group(), one, out),
    }
}

fn map_key_value(k: &MapKey) -> Value {
    match k {
        MapKey::Bool(b) => Value::Bool(*b),
        MapKey::I32(n) => Value::I32(*n),
        MapKey::I64(n) => Value::I64(*n),
        MapKey::U32(n) => Value::U32(*n),
        MapKey::U64(n) => Value::U64(*n),
        MapKey::String(s) => Value::String(s.clone()),
    }
}

/// One value with its key.
fn single(number: u32, kind: &Kind, group: bool, value: &Value, out: &mut Vec<u8>) {
    match (kind, value) {
        (Kind::Message(_), Value::Message(m)) if group => {
            key(number, START_GROUP, out);
            write_message(m, out);
            key(number, END_GROUP, out);
        }
        (Kind::Message(_), Value::Message(m)) => {
            key(number, LEN, out);
            let start = out.len();
            write_message(m, out);
            close_len(out, start);
        }
        _ => {
            key(number, wire_type(kind), out);
            bare(kind, value, out);
        }
    }
}

fn wire_type(kind: &Kind) -> u32 {
    match kind {
        Kind::Double | Kind::Fixed64 | Kind::Sfixed64 => FIXED64,
        Kind::Float | Kind::Fixed32 | Kind::Sfixed32 => FIXED32,
        Kind::String | Kind::Bytes | Kind::Message(_) => LEN,
        _ => VARINT,
    }
}

/// A value without its key: how it sits in a packed list, or after its key.
fn bare(kind: &Kind, value: &Value, out: &mut Vec<u8>) {
    match (kind, value) {
        (_, Value::Bool(b)) => varint(u64::from(*b), out),
        (Kind::Sint32, Value::I32(n)) => varint(u64::from(((n << 1) ^ (n >> 31)) as u32), out),
        (Kind::Sfixed32, Value::I32(n)) => out.extend_from_slice(&n.to_le_bytes()),
        // int32 and enums: negative values are sign-extended to 10 bytes, as the spec says.
        (_, Value::I32(n) | Value::EnumNumber(n)) => varint(i64::from(*n) as u64, out),
        (Kind::Sint64, Value::I64(n)) => varint(((n << 1) ^ (n >> 63)) as u64, out),
        (Kind::Sfixed64, Value::I64(n)) => out.extend_from_slice(&n.to_le_bytes()),
        (_, Value::I64(n)) => varint(*n as u64, out),
        (Kind::Fixed32, Value::U32(n)) => out.extend_from_slice(&n.to_le_bytes()),
        (_, Value::U32(n)) => varint(u64::from(*n), out),
        (Kind::Fixed64, Value::U64(n)) => out.extend_from_slice(&n.to_le_bytes()),
        (_, Value::U64(n)) => varint(*n, out),
        (_, Value::F32(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (_, Value::F64(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (_, Value::String(s)) => {
            varint(s.len() as u64, out);
            out.extend_from_slice(s.as_bytes());
        }
        (_, Value::Bytes(b)) => {
            varint(b.len() as u64, out);
            out.extend_from_slice(b);
        }
        (_, Value::Message(m)) => {
            let start = out.len();
            write_message(m, out);
            close_len(out, start);
        }
        // A list or map inside a list: a DynamicMessage that passed set_field never holds one.
        (_, Value::List(_) | Value::Map(_)) => {
            debug_assert!(false, "nested list or map value");
        }
    }
}

fn key(number: u32, wire_type: u32, out: &mut Vec<u8>) {
    varint((u64::from(number) << 3) | u64::from(wire_type), out);
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Puts the length of `out[start..]` in front of it. Writing first and inserting the length
/// after saves computing every nested message's size in advance; the memmove is cheap.
fn close_len(out: &mut Vec<u8>, start: usize) {
    let mut v = out.len().saturating_sub(start) as u64;
    let mut prefix = [0u8; 10];
    let mut n = 0;
    while v >= 0x80 {
        prefix[n] = (v as u8 & 0x7f) | 0x80;
        v >>= 7;
        n += 1;
    }
    prefix[n] = v as u8;
    out.splice(start..start, prefix[..=n].iter().copied());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_match_the_spec_examples() {
        // protobuf.dev/programming-guides/encoding: 150 is 96 01; 1 is 01.
        let mut out = Vec::new();
        varint(150, &mut out);
        varint(1, &mut out);
        assert_eq!(out, [0x96, 0x01, 0x01]);
        out.clear();
        varint(u64::MAX, &mut out);
        assert_eq!(out.len(), 10);
        assert_eq!(out.last(), Some(&0x01));
    }

    #[test]
    fn lengths_are_inserted_in_front() {
        let mut out = vec![0xaa];
        let start = out.len();
        out.extend(std::iter::repeat_n(7u8, 300));
        close_len(&mut out, start);
        // 300 = 0b10_0101100 -> ac 02
        assert_eq!(&out[..3], &[0xaa, 0xac, 0x02]);
        assert_eq!(out.len(), 303);
    }
}
