//! How `consume` writes records whose key or value has a format other than `bytes`:
//! templates with decoded `%k`/`%v`, JSON envelopes with embedded values, CSV rows, and an
//! Avro object container file of the values.
//!
//! - Template: `%k` and `%v` show the decoded text (structured values as compact JSON);
//!   `%K`/`%V` stay the stored sizes.
//! - JSON: `format::envelope::write_envelope_decoded`.
//! - CSV: a header row, then `partition,offset,timestamp,key,<the value's fields>` per record
//!   (RFC 4180 quoting by the csv crate). The value's fields are its schema's top-level
//!   fields, or the first JSON object's keys; other formats have one `value` column.
//!   Nested values are cells of compact JSON. A text cell a spreadsheet would evaluate as a
//!   formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading
//!   `'`, unless it is a plain number.
//! - Avro: one container file on stdout whose schema is the reader schema, the local schema,
//!   or the first value's registered schema; other values are resolved to it.
//!
//! Owns: those renderings. Must not: read the log, or print anything but the output.

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

use serde_json::Value;

use super::avro::{AvroSchema, ContainerWriter};
use super::columns::Column;
use super::envelope::{EnvelopeOut, write_envelope_decoded};
use super::serializer::{Decoded, Decoder, Format, FormatError};
use super::template::{Template, TemplateRecord};

/// Which rendering.
#[derive(Debug, Clone)]
pub enum Mode {
    /// A `--format` template.
    Template(Template),
    /// JSON envelopes.
    Json,
    /// CSV with a header row.
    Csv,
    /// An Avro object container file of the values.
    Avro,
}

/// One record to write.
#[derive(Debug, Clone, Copy)]
pub struct OutRecord<'a, H> {
    /// Topic.
    pub topic: &'a str,
    /// Partition.
    pub partition: u32,
    /// Offset.
    pub offset: i64,
    /// Timestamp, ms.
    pub timestamp: i64,
    /// Key bytes.
    pub key: Option<&'a [u8]>,
    /// Value bytes.
    pub value: Option<&'a [u8]>,
    /// Headers.
    pub headers: H,
}

/// Why a record could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output failed (a broken pipe among others: callers look at the kind).
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The key or value does not decode in its format.
    #[error("{topic}-{partition} offset {offset}: {what}: {cause}")]
    Decode {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// Offset.
        offset: i64,
        /// `key` or `value`.
        what: &'static str,
        /// Why.
        cause: FormatError,
    },
    /// The rendering cannot go on (e.g. no schema for `--output avro`).
    #[error("{0}")]
    Setup(String),
}

/// A byte buffer shared between a writer that owns its sink (csv, the OCF writer) and us,
/// so whatever they wrote can be moved to the real output after each record.
#[derive(Debug, Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Shared {
    /// Moves what was written to `out`.
    fn drain_to(&self, out: &mut impl Write) -> io::Result<()> {
        let mut b = self.0.borrow_mut();
        if !b.is_empty() {
            out.write_all(&b)?;
            b.clear();
        }
        Ok(())
    }
}

/// CSV state, set up at the first record.
struct Csv {
    writer: csv::Writer<Shared>,
    buf: Shared,
    /// The value's columns; `None`: one `value` column.
    columns: Option<Vec<Column>>,
    row: Vec<String>,
}

/// Writes decoded records in one [`Mode`].
pub struct RecordWriter {
    mode: Mode,
    key: Decoder,
    value: Decoder,
    kbuf: Vec<u8>,
    vbuf: Vec<u8>,
    csv: Option<Csv>,
    avro: Option<(ContainerWriter<Shared>, Shared, AvroSchema)>,
    /// Fields seen in values that the CSV header has no column for.
    dropped_fields: Vec<String>,
}

impl RecordWriter {
    /// A writer in `mode` with the key's and value's decoders.
    pub fn new(mode: Mode, key: Decoder, value: Decoder) -> Result<RecordWriter, WriteError> {
        if matches!(mode, Mode::Avro) && value.format() != Format::Avro {
            return Err(WriteError::Setup(format!(
                "--output avro writes Avro values; the value format is {} (use --value-format avro)",
                value.format()
            )));
        }
        Ok(RecordWriter {
            mode,
            key,
            value,
            kbuf: Vec::new(),
            vbuf: Vec::new(),
            csv: None,
            avro: None,
            dropped_fields: Vec::new(),
        })
    }

    /// How many keys and values so far were `string` but not valid UTF-8 (shown with
    /// U+FFFD in place of their invalid bytes).
    pub fn lossy_counts(&self) -> (u64, u64) {
        (self.key.lossy_count(), self.value.lossy_count())
    }

    /// Fields the CSV header had no column for (found in later JSON values), once each.
    pub fn take_dropped_fields(&mut self) -> Vec<String> {
        std::mem::take(&mut self.dropped_fields)
    }

    /// Writes one record.
    pub fn write<'h, W, H>(&mut self, out: &mut W, r: &OutRecord<'_, H>) -> Result<(), WriteError>
    where
        W: Write,
        H: Iterator<Item = (&'h [u8], Option<&'h [u8]>)> + Clone,
    {
        let fail = |what: &'static str| {
            move |cause: FormatError| WriteError::Decode {
                topic: r.topic.to_string(),
                partition: r.partition,
                offset: r.offset,
                what,
                cause,
            }
        };
        match &self.mode {
            Mode::Template(t) => {
                self.kbuf.clear();
                self.vbuf.clear();
                if let Some(k) = r.key {
                    self.key.to_text(k, &mut self.kbuf).map_err(fail("key"))?;
                }
                if let Some(v) = r.value {
                    self.value
                        .to_text(v, &mut self.vbuf)
                        .map_err(fail("value"))?;
                }
                let size = |b: Option<&[u8]>| b.map_or(-1, |b| b.len() as i64);
                t.render(
                    out,
                    &TemplateRecord {
                        topic: r.topic,
                        partition: r.partition,
                        offset: r.offset,
                        timestamp: r.timestamp,
                        key: r.key.map(|_| &self.kbuf[..]),
                        value: r.value.map(|_| &self.vbuf[..]),
                        headers: r.headers.clone(),
                        sizes: Some((size(r.key), size(r.value))),
                    },
                )?;
            }
            Mode::Json => {
                let (key, value) = self.decode_json(r, fail)?;
                write_envelope_decoded(
                    out,
                    &EnvelopeOut {
                        topic: r.topic,
                        partition: r.partition,
                        offset: r.offset,
                        timestamp: r.timestamp,
                        key: None,
                        value: None,
                    },
                    key.as_ref(),
                    value.as_ref(),
                    r.headers.clone(),
                )?;
            }
            Mode::Csv => self.write_csv(out, r, fail)?,
            Mode::Avro => {
                let Some(v) = r.value else {
                    // A tombstone has no datum; an OCF cannot hold "no value".
                    return Ok(());
                };
                if self.avro.is_none() {
                    let schema = self.value.avro_schema(Some(v)).map_err(fail("value"))?;
                    let buf = Shared::default();
                    let w = ContainerWriter::new(buf.clone(), &schema)?;
                    self.avro = Some((w, buf, schema));
                }
                if let Some((w, buf, schema)) = &mut self.avro {
                    self.vbuf.clear();
                    self.value
                        .avro_datum(v, schema, &mut self.vbuf)
                        .map_err(fail("value"))?;
                    w.append(&self.vbuf)?;
                    buf.drain_to(out)?;
                }
            }
        }
        Ok(())
    }

    /// The record's key and value decoded to JSON.
    fn decode_json<H, F>(
        &mut self,
        r: &OutRecord<'_, H>,
        fail: impl Fn(&'static str) -> F,
    ) -> Result<(Option<Decoded>, Option<Decoded>), WriteError>
    where
        F: FnOnce(FormatError) -> WriteError,
    {
        let key = r.key.map(|k| self.key.to_json(k)).transpose();
        let key = key.map_err(fail("key"))?;
        let value = r.value.map(|v| self.value.to_json(v)).transpose();
        Ok((key, value.map_err(fail("value"))?))
    }

    fn write_csv<W, H, F>(
        &mut self,
        out: &mut W,
        r: &OutRecord<'_, H>,
        fail: impl Fn(&'static str) -> F,
    ) -> Result<(), WriteError>
    where
        W: Write,
        F: FnOnce(FormatError) -> WriteError,
    {
        if self.csv.is_none() {
            let columns = self.value.columns(r.value);
            let buf = Shared::default();
            let mut writer = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(buf.clone());
            let mut header = vec!["partition", "offset", "timestamp", "key"];
            match &columns {
                Some(cols) => header.extend(cols.iter().map(|c| c.name.as_str())),
                None => header.push("value"),
            }
            writer.write_record(&header).map_err(csv_io)?;
            self.csv = Some(Csv {
                writer,
                buf,
                columns,
                row: Vec::new(),
            });
        }
        let (key, value) = self.decode_json(r, fail)?;
        let Some(csv) = &mut self.csv else {
            return Ok(());
        };
        csv.row.clear();
        csv.row.push(r.partition.to_string());
        csv.row.push(r.offset.to_string());
        csv.row.push(r.timestamp.to_string());
        csv.row
            .push(key.as_ref().map_or_else(String::new, |d| cell(&d.json)));
        match (&csv.columns, value) {
            (None, v) => csv
                .row
                .push(v.as_ref().map_or_else(String::new, |d| cell(&d.json))),
            (
                Some(cols),
                Some(Decoded {
                    json: Value::Object(obj),
                    ..
                }),
            ) => {
                for c in cols {
                    csv.row
                        .push(obj.get(&c.name).map_or_else(String::new, cell));
                }
                for name in obj.keys() {
                    if !cols.iter().any(|c| &c.name == name) && !self.dropped_fields.contains(name)
                    {
                        self.dropped_fields.push(name.clone());
                    }
                }
            }
            (Some(cols), None) => csv.row.extend(cols.iter().map(|_| String::new())),
            (Some(cols), Some(d)) => {
                // Not an object (a value of another shape in a JSON topic): it goes in the
                // first value column so nothing is hidden.
                csv.row.push(cell(&d.json));
                csv.row.extend(cols.iter().skip(1).map(|_| String::new()));
            }
        }
        csv.writer.write_record(&csv.row).map_err(csv_io)?;
        csv.writer.flush()?;
        csv.buf.drain_to(out)?;
        Ok(())
    }

    /// Ends the output: the last Avro block (or an empty container when no value came and
    /// the schema is known without one), the CSV header of an empty topic with a schema.
    pub fn finish<W: Write>(mut self, out: &mut W) -> Result<(), WriteError> {
        match self.mode {
            Mode::Avro => {
                let (w, buf) = match self.avro.take() {
                    Some((w, buf, _)) => (w, buf),
                    None => {
                        let schema = self.value.avro_schema(None).map_err(|e| {
                            WriteError::Setup(format!(
                                "no value to take the Avro schema from ({e}); give \
                                 --reader-schema or --value-schema"
                            ))
                        })?;
                        let buf = Shared::default();
                        (ContainerWriter::new(buf.clone(), &schema)?, buf)
                    }
                };
                w.finish()?;
                buf.drain_to(out)?;
            }
            Mode::Csv if self.csv.is_none() => {
                if let Some(cols) = self.value.columns(None) {
                    let mut header = vec!["partition", "offset", "timestamp", "key"];
                    header.extend(cols.iter().map(|c| c.name.as_str()));
                    let mut w = csv::WriterBuilder::new()
                        .terminator(csv::Terminator::CRLF)
                        .from_writer(&mut *out);
                    w.write_record(&header).map_err(csv_io)?;
                    w.flush()?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A JSON value as one CSV cell: text as is (neutralised if a spreadsheet would run it),
/// numbers and booleans as written, null as empty, objects and arrays as compact JSON.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => neutralise(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => neutralise(&other.to_string()),
    }
}

/// `s` with a `'` in front when a spreadsheet would evaluate it as a formula (OWASP's CSV
/// injection rule): it starts with `=`, `+`, `-`, `@`, a tab or a carriage return and is
/// not simply a number (`-2.35` stays as it is).
fn neutralise(s: &str) -> String {
    let risky = matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if risky
        && s.parse::<f64>()
            .map_or(true, |f| !f.is_finite() || s.starts_with('+'))
    {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formula_cells_are_neutralised_numbers_are_not() {
        for (input, want) in [
            ("=1+2", "'=1+2"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("-2.35", "-2.35"),
            ("-inf", "'-inf"),
            ("plain", "plain"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(neutralise(input), want, "{input:?}");
        }
        assert_eq!(cell(&json!(-2.35)), "-2.35");
        assert_eq!(cell(&json!(null)), "");
        assert_eq!(cell(&json!({"a": [1, "x"]})), r#"{"a":[1,"x"]}"#);
    }

    fn csv_of(values: &[&str]) -> String {
        let key = Decoder::new(Format::String, None, None, None).unwrap();
        let value = Decoder::new(Format::Json, None, None, None).unwrap();
        let mut w = RecordWriter::new(Mode::Csv, key, value).unwrap();
        let mut out = Vec::new();
        for (i, v) in values.iter().enumerate() {
            w.write(
                &mut out,
                &OutRecord {
                    topic: "t",
                    partition: 0,
                    offset: i as i64,
                    timestamp: 5,
                    key: Some(b"k,1"),
                    value: Some(v.as_bytes()),
                    headers: std::iter::empty(),
                },
            )
            .unwrap();
        }
        w.finish(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_rows_quote_and_take_columns_from_the_first_object() {
        let out = csv_of(&[
            r#"{"name":"a \"quoted\", comma","n":-1,"note":"line1\nline2"}"#,
            r#"{"name":"=cmd()","n":2,"extra":true}"#,
        ]);
        assert_eq!(
            out,
            "partition,offset,timestamp,key,name,n,note\r\n\
             0,0,5,\"k,1\",\"a \"\"quoted\"\", comma\",-1,\"line1\nline2\"\r\n\
             0,1,5,\"k,1\",'=cmd(),2,\r\n"
        );
    }
}
