//! The JSON record envelope: what `consume --output json` writes, one object per line, and
//! what `produce --input-format envelope` reads, so a topic copies losslessly through a
//! pipe, binary included:
//!
//! ```json
//! {"topic":"t","partition":0,"offset":42,"timestamp":1700000000000,"key":"k","value":"v","headers":[{"key":"h","value":"x"}]}
//! ```
//!
//! A null key, value or header value stays `null`. Bytes that are not UTF-8 are written as
//! base64 with `"key_encoding": "base64"` / `"value_encoding": "base64"` (per header too).
//! On input every field is optional; `headers` may also be an object of key to value.

use std::io::{self, Write};

use base64::Engine;
use serde_json::Value;

use super::serializer::Decoded;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Writes a JSON string (escaped) for `s`.
fn json_str(out: &mut impl Write, s: &str) -> io::Result<()> {
    // `io::Error::from` hands back the writer's own error (`io::Error::other` would hide a
    // broken pipe's kind, and `consume --output json | head` would fail loudly).
    serde_json::to_writer(out, s).map_err(io::Error::from)
}

/// Writes `"name":<text or base64 or null>` plus `,"name_encoding":"base64"` when needed.
fn bytes_field(out: &mut impl Write, name: &str, b: Option<&[u8]>) -> io::Result<()> {
    write!(out, "\"{name}\":")?;
    match b {
        None => out.write_all(b"null"),
        Some(b) => match std::str::from_utf8(b) {
            Ok(s) => json_str(out, s),
            Err(_) => {
                write!(out, "\"{}\",\"{name}_encoding\":\"base64\"", B64.encode(b))
            }
        },
    }
}

/// One record as the envelope shows it.
#[derive(Debug, Clone, Copy)]
pub struct EnvelopeOut<'a> {
    /// Topic.
    pub topic: &'a str,
    /// Partition.
    pub partition: u32,
    /// Offset.
    pub offset: i64,
    /// Timestamp in ms.
    pub timestamp: i64,
    /// Key.
    pub key: Option<&'a [u8]>,
    /// Value.
    pub value: Option<&'a [u8]>,
}

/// Writes one envelope line (with its trailing newline).
pub fn write_envelope<'h>(
    out: &mut impl Write,
    r: &EnvelopeOut<'_>,
    headers: impl Iterator<Item = (&'h [u8], Option<&'h [u8]>)>,
) -> io::Result<()> {
    write_head(out, r)?;
    bytes_field(out, "key", r.key)?;
    out.write_all(b",")?;
    bytes_field(out, "value", r.value)?;
    write_headers(out, headers)
}

/// Writes one envelope line whose key and value were decoded by their formats
/// (format::serializer): JSON, Avro and Protobuf values are embedded as JSON, numbers as
/// numbers, and a registry-framed value carries its `value_schema_id`. `r.key` and
/// `r.value` are not used.
pub fn write_envelope_decoded<'h>(
    out: &mut impl Write,
    r: &EnvelopeOut<'_>,
    key: Option<&Decoded>,
    value: Option<&Decoded>,
    headers: impl Iterator<Item = (&'h [u8], Option<&'h [u8]>)>,
) -> io::Result<()> {
    write_head(out, r)?;
    decoded_field(out, "key", key)?;
    out.write_all(b",")?;
    decoded_field(out, "value", value)?;
    write_headers(out, headers)
}

/// `{"topic":..,"partition":..,"offset":..,"timestamp":..,`
fn write_head(out: &mut impl Write, r: &EnvelopeOut<'_>) -> io::Result<()> {
    out.write_all(b"{\"topic\":")?;
    json_str(out, r.topic)?;
    write!(
        out,
        ",\"partition\":{},\"offset\":{},\"timestamp\":{},",
        r.partition, r.offset, r.timestamp
    )
}

/// `,"headers":[...]}` and the newline.
fn write_headers<'h>(
    out: &mut impl Write,
    headers: impl Iterator<Item = (&'h [u8], Option<&'h [u8]>)>,
) -> io::Result<()> {
    out.write_all(b",\"headers\":[")?;
    for (i, (k, v)) in headers.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"{\"key\":")?;
        json_str(out, &String::from_utf8_lossy(k))?;
        out.write_all(b",")?;
        bytes_field(out, "value", v)?;
        out.write_all(b"}")?;
    }
    out.write_all(b"]}\n")
}

/// `"name":<json>` plus `"name_encoding"` and `"name_schema_id"` when they apply.
fn decoded_field(out: &mut impl Write, name: &str, d: Option<&Decoded>) -> io::Result<()> {
    write!(out, "\"{name}\":")?;
    let Some(d) = d else {
        return out.write_all(b"null");
    };
    serde_json::to_writer(&mut *out, &d.json).map_err(io::Error::from)?;
    if let Some(enc) = d.encoding {
        write!(out, ",\"{name}_encoding\":\"{enc}\"")?;
    }
    if let Some(id) = d.schema_id {
        write!(out, ",\"{name}_schema_id\":{id}")?;
    }
    Ok(())
}

/// A key or value as an envelope line gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// Bytes spelled in an encoding (`"value_encoding": "base64"` or `"hex"`): the record's
    /// bytes exactly, whatever the key or value format.
    Bytes(Vec<u8>),
    /// A JSON value for the key or value format to encode (for the text formats, a string
    /// is its text and any other value its JSON text).
    Json(Value),
}

/// A record read from an envelope line. Absent fields are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvelopeIn {
    /// Key (`None`: null or absent).
    pub key: Option<Field>,
    /// Value (`None`: null or absent, a tombstone).
    pub value: Option<Field>,
    /// Headers in order.
    pub headers: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// Timestamp in ms.
    pub timestamp: Option<i64>,
    /// Partition.
    pub partition: Option<u32>,
}

/// Why an envelope line was refused: the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EnvelopeError(pub String);

/// Bytes in `encoding` (none, utf8, base64, hex).
fn decode_string(name: &str, s: &str, encoding: Option<&str>) -> Result<Vec<u8>, EnvelopeError> {
    match encoding {
        None | Some("utf8") | Some("utf-8") => Ok(s.as_bytes().to_vec()),
        Some("base64") => B64
            .decode(s)
            .map_err(|e| EnvelopeError(format!("field {name:?}: invalid base64: {e}"))),
        Some("hex") => {
            let mut out = Vec::new();
            super::serializer::decode_hex(s, &mut out)
                .map_err(|e| EnvelopeError(format!("field {name:?}: {e}")))?;
            Ok(out)
        }
        Some(other) => Err(EnvelopeError(format!(
            "field {name}_encoding: unknown encoding {other:?} (use base64 or hex)"
        ))),
    }
}

/// A header value: bytes, with JSON values that are not strings as their JSON text.
fn decode_bytes(
    obj: &serde_json::Map<String, Value>,
    name: &str,
) -> Result<Option<Vec<u8>>, EnvelopeError> {
    let encoding = obj.get(&format!("{name}_encoding")).and_then(Value::as_str);
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => decode_string(name, s, encoding).map(Some),
        Some(v) => Ok(Some(v.to_string().into_bytes())),
    }
}

/// A key or value: bytes when an encoding is named, else the JSON value itself.
fn take_field(
    obj: &mut serde_json::Map<String, Value>,
    name: &str,
) -> Result<Option<Field>, EnvelopeError> {
    let encoding = obj
        .get(&format!("{name}_encoding"))
        .and_then(Value::as_str)
        .filter(|e| !matches!(*e, "utf8" | "utf-8"))
        .map(str::to_string);
    match (obj.remove(name), encoding) {
        (None | Some(Value::Null), _) => Ok(None),
        (Some(Value::String(s)), Some(enc)) => {
            decode_string(name, &s, Some(&enc)).map(|b| Some(Field::Bytes(b)))
        }
        (Some(v), _) => Ok(Some(Field::Json(v))),
    }
}

/// Parses one envelope line.
pub fn parse_envelope(line: &[u8]) -> Result<EnvelopeIn, EnvelopeError> {
    let v: Value =
        serde_json::from_slice(line).map_err(|e| EnvelopeError(format!("invalid JSON: {e}")))?;
    let Value::Object(mut obj) = v else {
        return Err(EnvelopeError("expected a JSON object".into()));
    };
    let mut out = EnvelopeIn {
        key: take_field(&mut obj, "key")?,
        value: take_field(&mut obj, "value")?,
        ..Default::default()
    };
    match obj.get("timestamp") {
        None | Some(Value::Null) => {}
        Some(t) => {
            out.timestamp = Some(t.as_i64().ok_or_else(|| {
                EnvelopeError(format!(
                    "field \"timestamp\": expected milliseconds, got {t}"
                ))
            })?)
        }
    }
    match obj.get("partition") {
        None | Some(Value::Null) => {}
        Some(p) => {
            out.partition = Some(p.as_u64().and_then(|p| u32::try_from(p).ok()).ok_or_else(
                || {
                    EnvelopeError(format!(
                        "field \"partition\": expected a partition number, got {p}"
                    ))
                },
            )?)
        }
    }
    match obj.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, h) in items.iter().enumerate() {
                let Value::Object(h) = h else {
                    return Err(EnvelopeError(format!(
                        "field \"headers\"[{i}]: expected {{\"key\": ..., \"value\": ...}}"
                    )));
                };
                let key = match h.get("key") {
                    Some(Value::String(k)) => k.as_bytes().to_vec(),
                    _ => {
                        return Err(EnvelopeError(format!(
                            "field \"headers\"[{i}].key: expected a string"
                        )));
                    }
                };
                let value = decode_bytes(h, "value")
                    .map_err(|e| EnvelopeError(format!("field \"headers\"[{i}]: {e}")))?;
                out.headers.push((key, value));
            }
        }
        Some(Value::Object(map)) => {
            for (k, v) in map {
                let value = match v {
                    Value::Null => None,
                    Value::String(s) => Some(s.as_bytes().to_vec()),
                    other => Some(other.to_string().into_bytes()),
                };
                out.headers.push((k.as_bytes().to_vec(), value));
            }
        }
        Some(_) => {
            return Err(EnvelopeError(
                "field \"headers\": expected an array of {\"key\", \"value\"} objects".into(),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_binary_and_nulls() {
        let mut buf = Vec::new();
        let headers: Vec<(&[u8], Option<&[u8]>)> = vec![
            (b"h1", Some(b"v")),
            (b"h1", None),
            (b"bin", Some(&[0xff, 0])),
        ];
        write_envelope(
            &mut buf,
            &EnvelopeOut {
                topic: "t",
                partition: 2,
                offset: 7,
                timestamp: 1_700_000_000_000,
                key: Some(&[0xff, 0xfe]),
                value: None,
            },
            headers.iter().copied(),
        )
        .unwrap();
        let line = String::from_utf8(buf.clone()).unwrap();
        assert!(line.ends_with("}\n"));
        assert!(
            line.contains("\"key\":\"//4=\",\"key_encoding\":\"base64\""),
            "{line}"
        );
        assert!(line.contains("\"value\":null"));
        let back = parse_envelope(buf.trim_ascii_end()).unwrap();
        assert_eq!(back.key, Some(Field::Bytes(vec![0xff, 0xfe])));
        assert_eq!(back.value, None);
        assert_eq!(back.partition, Some(2));
        assert_eq!(back.timestamp, Some(1_700_000_000_000));
        assert_eq!(
            back.headers,
            vec![
                (b"h1".to_vec(), Some(b"v".to_vec())),
                (b"h1".to_vec(), None),
                (b"bin".to_vec(), Some(vec![0xff, 0])),
            ]
        );
    }

    /// Regression: a write error inside a JSON string lost its kind (wrapped as `Other`), so
    /// `consume --output json | head -1` printed "Broken pipe" and exited 1.
    #[test]
    fn write_errors_keep_their_kind() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let r = EnvelopeOut {
            topic: "t",
            partition: 0,
            offset: 0,
            timestamp: 0,
            key: None,
            value: Some(b"v"),
        };
        let err = write_envelope(&mut Closed, &r, std::iter::empty()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        let err = json_str(&mut Closed, "x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn errors_name_the_field() {
        for (line, want) in [
            (&b"{"[..], "invalid JSON"),
            (b"[1]", "expected a JSON object"),
            (b"{\"timestamp\":\"x\"}", "timestamp"),
            (b"{\"partition\":-1}", "partition"),
            (b"{\"key\":\"!!\",\"key_encoding\":\"base64\"}", "key"),
            (b"{\"headers\":[1]}", "headers"),
        ] {
            let e = parse_envelope(line).unwrap_err().to_string();
            assert!(e.contains(want), "{e}");
        }
        let v = parse_envelope(b"{\"value\":{\"a\":1},\"headers\":{\"x\":\"y\"}}").unwrap();
        assert_eq!(v.value, Some(Field::Json(serde_json::json!({"a": 1}))));
        assert_eq!(v.headers, vec![(b"x".to_vec(), Some(b"y".to_vec()))]);
        let v = parse_envelope(b"{\"key\":\"k\",\"value\":\"00ff\",\"value_encoding\":\"hex\"}")
            .unwrap();
        assert_eq!(v.key, Some(Field::Json(Value::String("k".into()))));
        assert_eq!(v.value, Some(Field::Bytes(vec![0, 0xff])));
    }
}
