//! `produce`'s input: lines (with `-K`/`-k`/`--null-value`), JSON envelopes, JSON values
//! (`--key-field`) and CSV rows, each turned into a record by the key and value encoders
//! (format/serializer.rs) and handed to the [`Sink`]. A malformed item stops the run or,
//! with `--skip-invalid`, is reported and skipped (the sink decides).
//!
//! Must not: know about acknowledgements, transactions or stdout.

use std::fmt::Display;
use std::io::Read;

use anyhow::Context;

use super::produce::{Args, InputFormat, usage};
use super::produce_sink::Sink;
use crate::client::producer::ProducerRecord;
use crate::cluster::now_ms;
use crate::error::{ExitCode, coded};
use crate::format::csv_input::{CsvRows, Row};
use crate::format::envelope::{Field, parse_envelope};
use crate::format::input::{self, Item, LineReader};
use crate::format::serializer::{self, Encoder, Format};
use crate::record::HeaderRef;

/// The key and value encoders, with buffers reused from record to record.
pub(super) struct Codecs {
    pub(super) key: Encoder,
    pub(super) value: Encoder,
    pub(super) kbuf: Vec<u8>,
    pub(super) vbuf: Vec<u8>,
}

/// `key: why` or `value: why`, for a line's error.
fn side_error(side: &str, e: impl Display) -> String {
    format!("{side}: {e}")
}

/// The record's key or value from a line's text: the text itself for `bytes`, else its
/// encoding in `buf`.
fn encode_text<'a>(
    enc: &Encoder,
    text: &'a [u8],
    buf: &'a mut Vec<u8>,
) -> Result<&'a [u8], crate::format::serializer::FormatError> {
    if enc.is_identity() {
        return Ok(text);
    }
    buf.clear();
    enc.encode_text(text, buf)?;
    Ok(buf)
}

/// The record's key or value from an envelope field or a JSON value, encoded in `buf`.
fn encode_field<'a>(
    enc: &Encoder,
    field: &'a Field,
    buf: &'a mut Vec<u8>,
) -> Result<&'a [u8], crate::format::serializer::FormatError> {
    match field {
        Field::Bytes(b) => Ok(b),
        Field::Json(v) => {
            buf.clear();
            enc.encode_json(v, buf)?;
            Ok(buf)
        }
    }
}

/// Where `--key-field` points in a JSON value: a JSON pointer (`/truck/id`) or a top-level
/// field name.
fn key_field<'v>(v: &'v serde_json::Value, path: &str) -> Option<&'v serde_json::Value> {
    if path.starts_with('/') {
        v.pointer(path)
    } else {
        v.get(path)
    }
}

/// Reads lines and sends records until the input ends or a line stops the run.
pub(super) fn pump<R: Read>(
    reader: &mut LineReader<R>,
    sink: &mut Sink,
    codecs: &mut Codecs,
    args: &Args,
) -> anyhow::Result<()> {
    let fixed_headers: Vec<HeaderRef<'_>> = args
        .headers
        .iter()
        .map(|(k, v)| (k.as_bytes(), Some(v.as_bytes())))
        .collect();
    let separator = args
        .key_separator
        .as_ref()
        .map(|s| memchr::memmem::Finder::new(&s.0));
    // The -k key is encoded once.
    let fixed_key = match &args.key {
        None => None,
        Some(k) => {
            let mut buf = Vec::new();
            encode_text(&codecs.key, k.as_bytes(), &mut buf)
                .map_err(|e| usage(format!("-k/--key {k:?}: {e}")))?;
            Some(if codecs.key.is_identity() {
                k.as_bytes().to_vec()
            } else {
                buf
            })
        }
    };
    let null_value = args.null_value.as_deref().map(str::as_bytes);
    let partitions = sink.producer.partitions();
    let Codecs {
        key: kenc,
        value: venc,
        kbuf,
        vbuf,
    } = codecs;
    // A JSON line is stored as it came for the formats that keep text as it is.
    let json_as_is = matches!(venc.format(), Format::Bytes | Format::String | Format::Json);
    loop {
        let fill = reader.fill().context("reading the input")?;
        // One timestamp per read: the records in it arrived together.
        let now = now_ms();
        while let Some((n, item)) = reader.next_line() {
            let line = match item {
                Item::Line(line) => line,
                Item::TooLong(len) => {
                    let max = sink.producer.max_record_size();
                    sink.bad_line(
                        n,
                        format_args!(
                            "line of {len} bytes is larger than max.message.bytes ({max})"
                        ),
                    )?;
                    continue;
                }
            };
            match args.input_format {
                InputFormat::Lines => {
                    let (key, value) =
                        match separator.as_ref().and_then(|s| input::split_key(line, s)) {
                            Some((k, v)) => match encode_text(kenc, k, kbuf) {
                                Ok(k) => (Some(k), v),
                                Err(e) => {
                                    sink.bad_line(n, side_error("key", e))?;
                                    continue;
                                }
                            },
                            None => (fixed_key.as_deref(), line),
                        };
                    let value = if null_value == Some(value) {
                        None
                    } else {
                        match encode_text(venc, value, vbuf) {
                            Ok(v) => Some(v),
                            Err(e) => {
                                sink.bad_line(n, side_error("value", e))?;
                                continue;
                            }
                        }
                    };
                    let record = ProducerRecord {
                        key,
                        value,
                        headers: &fixed_headers,
                        timestamp: Some(now),
                        partition: args.partition,
                    };
                    sink.send(n, &record)?;
                }
                InputFormat::Json => {
                    if line.trim_ascii().is_empty() {
                        continue;
                    }
                    if json_as_is && args.key_field.is_none() {
                        // Stored as given: checking it is JSON needs no tree of values.
                        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(line) {
                            sink.bad_line(n, format_args!("invalid JSON: {e}"))?;
                            continue;
                        }
                        let record = ProducerRecord {
                            key: None,
                            value: Some(line.trim_ascii()),
                            headers: &fixed_headers,
                            timestamp: Some(now),
                            partition: args.partition,
                        };
                        sink.send(n, &record)?;
                        continue;
                    }
                    let v: serde_json::Value = match serde_json::from_slice(line) {
                        Ok(v) => v,
                        Err(e) => {
                            sink.bad_line(n, format_args!("invalid JSON: {e}"))?;
                            continue;
                        }
                    };
                    let key = match args.key_field.as_deref() {
                        None => None,
                        Some(path) => match key_field(&v, path) {
                            None => {
                                sink.bad_line(
                                    n,
                                    format_args!(
                                        "no field {path:?} (--key-field) in {}",
                                        serializer::short(&v)
                                    ),
                                )?;
                                continue;
                            }
                            Some(serde_json::Value::Null) => None,
                            Some(k) => {
                                kbuf.clear();
                                if let Err(e) = kenc.encode_json(k, kbuf) {
                                    sink.bad_line(n, side_error("key", e))?;
                                    continue;
                                }
                                Some(&kbuf[..])
                            }
                        },
                    };
                    let value = if json_as_is {
                        line.trim_ascii()
                    } else {
                        vbuf.clear();
                        if let Err(e) = venc.encode_json(&v, vbuf) {
                            sink.bad_line(n, side_error("value", e))?;
                            continue;
                        }
                        &vbuf[..]
                    };
                    let record = ProducerRecord {
                        key,
                        value: Some(value),
                        headers: &fixed_headers,
                        timestamp: Some(now),
                        partition: args.partition,
                    };
                    sink.send(n, &record)?;
                }
                InputFormat::Envelope => {
                    if line.trim_ascii().is_empty() {
                        continue;
                    }
                    let env = match parse_envelope(line) {
                        Ok(env) => env,
                        Err(e) => {
                            sink.bad_line(n, e)?;
                            continue;
                        }
                    };
                    let partition = env.partition.or(args.partition);
                    if let Some(p) = partition
                        && p >= partitions
                    {
                        let t = &args.topic;
                        sink.bad_line(
                            n,
                            format_args!(
                                "partition {p} does not exist (topic {t} has {partitions}); \
                                 an envelope keeps its partition, so give the target as many \
                                 partitions as the source: create it first with `filka topic \
                                 create {t} -p N`, or add some with `filka topic alter {t} \
                                 --partitions N`"
                            ),
                        )?;
                        continue;
                    }
                    if let Some(ts) = env.timestamp
                        && ts < 0
                    {
                        sink.bad_line(n, format_args!("timestamp {ts} is negative"))?;
                        continue;
                    }
                    let key = match env.key.as_ref().map(|f| encode_field(kenc, f, kbuf)) {
                        None => None,
                        Some(Ok(k)) => Some(k),
                        Some(Err(e)) => {
                            sink.bad_line(n, side_error("key", e))?;
                            continue;
                        }
                    };
                    let value = match env.value.as_ref().map(|f| encode_field(venc, f, vbuf)) {
                        None => None,
                        Some(Ok(v)) => Some(v),
                        Some(Err(e)) => {
                            sink.bad_line(n, side_error("value", e))?;
                            continue;
                        }
                    };
                    let mut headers: Vec<HeaderRef<'_>> = env
                        .headers
                        .iter()
                        .map(|(k, v)| (&k[..], v.as_deref()))
                        .collect();
                    headers.extend_from_slice(&fixed_headers);
                    let record = ProducerRecord {
                        key,
                        value,
                        headers: &headers,
                        timestamp: Some(env.timestamp.unwrap_or(now)),
                        partition,
                    };
                    sink.send(n, &record)?;
                }
                // pump_csv reads CSV input.
                InputFormat::Csv => {}
            }
        }
        if fill.eof {
            return Ok(());
        }
        if fill.short {
            // Nothing more is waiting: send what we hold rather than wait for a full batch.
            sink.flush()?;
        }
    }
}

/// Reads CSV rows and sends one record per row until the input ends or a row stops the run.
pub(super) fn pump_csv<R: Read>(
    input: R,
    cap: u64,
    sink: &mut Sink,
    codecs: &mut Codecs,
    args: &Args,
) -> anyhow::Result<()> {
    let fixed_headers: Vec<HeaderRef<'_>> = args
        .headers
        .iter()
        .map(|(k, v)| (k.as_bytes(), Some(v.as_bytes())))
        .collect();
    let columns = codecs.value.columns();
    let type_name = codecs.value.schema().map(|s| s.name()).unwrap_or_default();
    let mut rows = CsvRows::new(
        input,
        columns.as_deref().map(|c| (c, type_name.as_str())),
        args.key_field.as_deref(),
        cap,
    )
    .map_err(|e| coded(ExitCode::InvalidInput, e))?;
    let Codecs {
        key: kenc,
        value: venc,
        kbuf,
        vbuf,
    } = codecs;
    while let Some(row) = rows
        .next_row()
        .map_err(|e| coded(ExitCode::InvalidInput, e))?
    {
        let (line, value, key) = match row {
            Row::Record { row, value, key } => (row, value, key),
            Row::Invalid { row, reason } => {
                sink.bad_line(row, reason)?;
                continue;
            }
        };
        let key = match key {
            None | Some(serde_json::Value::Null) => None,
            Some(k) => {
                kbuf.clear();
                if let Err(e) = kenc.encode_json(&k, kbuf) {
                    sink.bad_line(line, side_error("key", e))?;
                    continue;
                }
                Some(&kbuf[..])
            }
        };
        vbuf.clear();
        if let Err(e) = venc.encode_json(&serde_json::Value::Object(value), vbuf) {
            sink.bad_line(line, side_error("value", e))?;
            continue;
        }
        let record = ProducerRecord {
            key,
            value: Some(&vbuf[..]),
            headers: &fixed_headers,
            timestamp: Some(now_ms()),
            partition: args.partition,
        };
        sink.send(line, &record)?;
    }
    Ok(())
}
