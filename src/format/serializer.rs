//! Key and value formats: how `produce` turns what it reads into a record's key or value
//! bytes ([`Encoder`]), and how `consume` turns those bytes back into text or JSON
//! ([`Decoder`]), as Kafka's serializers and deserializers do.
//!
//! | format     | bytes in the record                  | text / JSON on the outside          |
//! |------------|--------------------------------------|-------------------------------------|
//! | `bytes`    | as given (the default)               | as is; JSON: UTF-8 text, else base64|
//! | `string`   | UTF-8 (produce refuses other bytes)  | text (invalid UTF-8 shows as U+FFFD)|
//! | `base64`   | the decoded bytes                    | base64 text                         |
//! | `hex`      | the decoded bytes                    | lower-case hex text                 |
//! | `int`      | 4 bytes, big-endian (IntegerSerializer) | a number                         |
//! | `long`     | 8 bytes, big-endian (LongSerializer) | a number                            |
//! | `double`   | 8 bytes, IEEE 754 big-endian         | a number (`NaN`, `Infinity` as text)|
//! | `json`     | JSON text, as given                  | embedded JSON                       |
//! | `avro`     | Avro binary (Confluent-framed with a registry) | JSON                      |
//! | `protobuf` | Protobuf binary (Confluent-framed with a registry) | proto3 JSON           |
//!
//! A `string` value that is not UTF-8 is counted ([`Decoder::lossy_count`]), so `consume`
//! can say that its text is not the stored bytes.
//!
//! Owns: the format table, encoding from text or JSON, decoding to text or JSON, and
//! Confluent framing on both sides (ids resolved through the local registry). Must not: read
//! input or write output (produce/consume and format::record_out do).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use base64::Engine;
use serde_json::Value;

use super::avro::AvroSchema;
use super::columns::{CellType, Column};
use super::confluent;
use super::protobuf::{self, ProtoSchema};
use super::registry::{Parsed, Registry};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A key or value format (`--key-format`, `--value-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Raw bytes, as given.
    #[default]
    Bytes,
    /// UTF-8 text.
    String,
    /// Bytes written as base64 text outside the record.
    Base64,
    /// Bytes written as hex text outside the record.
    Hex,
    /// A 32-bit big-endian integer.
    Int,
    /// A 64-bit big-endian integer.
    Long,
    /// A 64-bit IEEE 754 big-endian float.
    Double,
    /// JSON text.
    Json,
    /// Avro binary.
    Avro,
    /// Protobuf binary.
    Protobuf,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 10] = [
        Format::Bytes,
        Format::String,
        Format::Base64,
        Format::Hex,
        Format::Int,
        Format::Long,
        Format::Double,
        Format::Json,
        Format::Avro,
        Format::Protobuf,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Bytes => "bytes",
            Format::String => "string",
            Format::Base64 => "base64",
            Format::Hex => "hex",
            Format::Int => "int",
            Format::Long => "long",
            Format::Double => "double",
            Format::Json => "json",
            Format::Avro => "avro",
            Format::Protobuf => "protobuf",
        }
    }

    /// True for the formats whose values have a schema.
    pub fn has_schema(self) -> bool {
        matches!(self, Format::Avro | Format::Protobuf)
    }

    /// True for the formats whose outside form is structured JSON (objects, numbers).
    pub fn is_structured(self) -> bool {
        matches!(
            self,
            Format::Json
                | Format::Avro
                | Format::Protobuf
                | Format::Int
                | Format::Long
                | Format::Double
        )
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown format {s:?}"))
    }
}

/// A schema given on the command line or found in the registry.
#[derive(Debug, Clone)]
pub enum Schema {
    /// An Avro schema.
    Avro(AvroSchema),
    /// A Protobuf message type.
    Protobuf(ProtoSchema),
}

impl Schema {
    /// The format this schema's values have.
    pub fn format(&self) -> Format {
        match self {
            Schema::Avro(_) => Format::Avro,
            Schema::Protobuf(_) => Format::Protobuf,
        }
    }

    /// The schema's top-level fields as CSV columns (None when it is not a record).
    pub fn columns(&self) -> Option<Vec<Column>> {
        match self {
            Schema::Avro(a) => a.columns(),
            Schema::Protobuf(p) => Some(p.columns()),
        }
    }

    /// A name for messages: the record or message type.
    pub fn name(&self) -> String {
        match self {
            Schema::Avro(a) => a.name(),
            Schema::Protobuf(p) => p.full_name().to_string(),
        }
    }

    fn encode_json(&self, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        match self {
            Schema::Avro(a) => a.encode_json(v, out).map_err(|e| e.to_string()),
            Schema::Protobuf(p) => p.encode_json(v, out).map_err(|e| e.to_string()),
        }
    }
}

/// Why a key or value could not be encoded or decoded. The text says what and where (a
/// field path for schema errors); callers add the line or offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FormatError(pub String);

fn err(msg: impl Into<String>) -> FormatError {
    FormatError(msg.into())
}

/// Turns input (a line's text, or a JSON value) into key or value bytes.
#[derive(Debug, Clone)]
pub struct Encoder {
    format: Format,
    schema: Option<Schema>,
    /// Confluent's prefix (magic, schema id, Protobuf message indexes), when framing.
    prefix: Vec<u8>,
}

impl Encoder {
    /// An encoder of `format`; Avro and Protobuf need their `schema`, the others refuse one.
    pub fn new(format: Format, schema: Option<Schema>) -> Result<Encoder, FormatError> {
        check_schema(format, schema.as_ref())?;
        if format.has_schema() && schema.is_none() {
            return Err(err(format!(
                "the {format} format needs a schema (a file, or the registry's latest)"
            )));
        }
        Ok(Encoder {
            format,
            schema,
            prefix: Vec::new(),
        })
    }

    /// Frames every value in Confluent's wire format with schema `id`.
    pub fn framed(mut self, id: u32) -> Encoder {
        self.prefix = confluent::header(id).to_vec();
        if let Some(Schema::Protobuf(p)) = &self.schema {
            protobuf::write_message_indexes(&p.message_indexes(), &mut self.prefix);
        }
        self
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The schema, if the format has one.
    pub fn schema(&self) -> Option<&Schema> {
        self.schema.as_ref()
    }

    /// True when input bytes are the record's bytes unchanged (the fast path).
    pub fn is_identity(&self) -> bool {
        self.format == Format::Bytes
    }

    /// How CSV cells become JSON for this format's fields: the schema's columns, or `None`
    /// when there is no schema (cells are then typed by inference).
    pub fn columns(&self) -> Option<Vec<Column>> {
        self.schema.as_ref().and_then(Schema::columns)
    }

    /// Encodes a line's text (or the part of it `-K` split off), appending to `out`.
    pub fn encode_text(&self, text: &[u8], out: &mut Vec<u8>) -> Result<(), FormatError> {
        out.extend_from_slice(&self.prefix);
        let utf8 = || std::str::from_utf8(text).map_err(|e| err(format!("not UTF-8 text ({e})")));
        match self.format {
            Format::Bytes => out.extend_from_slice(text),
            Format::String => out.extend_from_slice(utf8()?.as_bytes()),
            Format::Base64 => decode_base64(utf8()?.trim(), out)?,
            Format::Hex => decode_hex(utf8()?.trim(), out)?,
            Format::Int => out.extend_from_slice(&parse_int::<i32>(utf8()?.trim())?.to_be_bytes()),
            Format::Long => out.extend_from_slice(&parse_int::<i64>(utf8()?.trim())?.to_be_bytes()),
            Format::Double => out.extend_from_slice(&parse_double(utf8()?.trim())?.to_be_bytes()),
            Format::Json => {
                // Checked, then stored as given: re-serialising could change numbers.
                serde_json::from_slice::<serde::de::IgnoredAny>(text)
                    .map_err(|e| err(format!("invalid JSON: {e}")))?;
                out.extend_from_slice(text);
            }
            Format::Avro | Format::Protobuf => {
                let v: Value =
                    serde_json::from_slice(text).map_err(|e| err(format!("invalid JSON: {e}")))?;
                self.encode_schema(&v, out)?;
            }
        }
        Ok(())
    }

    /// Encodes a JSON value (from a JSON line, a CSV row or an envelope), appending to `out`.
    ///
    /// For the text formats a JSON string is its text and any other value its JSON text.
    pub fn encode_json(&self, v: &Value, out: &mut Vec<u8>) -> Result<(), FormatError> {
        match (self.format, v) {
            (Format::Bytes | Format::String | Format::Base64 | Format::Hex | Format::Json, _)
            | (Format::Int | Format::Long | Format::Double, Value::String(_)) => {
                let text = match v {
                    Value::String(s) if self.format != Format::Json => s.clone(),
                    other => other.to_string(),
                };
                self.encode_text(text.as_bytes(), out)
            }
            (Format::Int | Format::Long | Format::Double, Value::Number(n)) => {
                self.encode_text(n.to_string().as_bytes(), out)
            }
            (Format::Int | Format::Long | Format::Double, other) => {
                Err(err(format!("expected a number, found {}", short(other))))
            }
            (Format::Avro | Format::Protobuf, v) => {
                out.extend_from_slice(&self.prefix);
                self.encode_schema(v, out)
            }
        }
    }

    fn encode_schema(&self, v: &Value, out: &mut Vec<u8>) -> Result<(), FormatError> {
        match &self.schema {
            Some(s) => s.encode_json(v, out).map_err(FormatError),
            None => Err(err(format!("{} needs a schema", self.format))),
        }
    }
}

/// The refusal of a schema the format cannot use, or of no schema where one is needed.
fn check_schema(format: Format, schema: Option<&Schema>) -> Result<(), FormatError> {
    match (format, schema) {
        (Format::Avro | Format::Protobuf, Some(s)) if s.format() != format => Err(err(format!(
            "a {} schema was given for the {format} format",
            s.format()
        ))),
        (Format::Avro | Format::Protobuf, _) => Ok(()),
        (_, Some(s)) => Err(err(format!(
            "a {} schema was given, but the format is {format}",
            s.format()
        ))),
        (_, None) => Ok(()),
    }
}

fn parse_int<T: FromStr>(s: &str) -> Result<T, FormatError>
where
    T::Err: fmt::Display,
{
    s.parse::<T>().map_err(|e| {
        let bits = std::mem::size_of::<T>() * 8;
        err(format!("{s:?} is not a {bits}-bit integer ({e})"))
    })
}

fn parse_double(s: &str) -> Result<f64, FormatError> {
    match s {
        "NaN" => Ok(f64::NAN),
        "Infinity" | "+Infinity" => Ok(f64::INFINITY),
        "-Infinity" => Ok(f64::NEG_INFINITY),
        _ => s
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| err(format!("{s:?} is not a number"))),
    }
}

fn decode_base64(s: &str, out: &mut Vec<u8>) -> Result<(), FormatError> {
    B64.decode_vec(s, out)
        .map_err(|e| err(format!("invalid base64: {e}")))
}

/// Appends the bytes hex text `s` spells (either case).
pub fn decode_hex(s: &str, out: &mut Vec<u8>) -> Result<(), FormatError> {
    let digits = s.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return Err(err(format!(
            "hex text has an odd number of digits ({})",
            digits.len()
        )));
    }
    let nibble = |c: u8, at: usize| -> Result<u8, FormatError> {
        (c as char)
            .to_digit(16)
            .map(|d| d as u8)
            .ok_or_else(|| err(format!("invalid hex digit {:?} at {at}", c as char)))
    };
    out.reserve(digits.len() / 2);
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        out.push(nibble(pair[0], 2 * i)? << 4 | nibble(pair[1], 2 * i + 1)?);
    }
    Ok(())
}

/// A JSON value shortened for an error message.
pub fn short(v: &Value) -> String {
    let mut s = v.to_string();
    if s.len() > 40 {
        let cut = (0..=37).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

/// A decoded key or value, as JSON output shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The value.
    pub json: Value,
    /// `base64` or `hex` when `json` is a string holding bytes in that encoding.
    pub encoding: Option<&'static str>,
    /// The registry's schema id, for a value in Confluent's framing.
    pub schema_id: Option<u32>,
}

/// Where a decoder finds the schema of Avro or Protobuf values.
#[derive(Debug, Clone)]
enum Source {
    /// No schema: the format needs none.
    None,
    /// The schema given on the command line; values are not framed.
    Local(Schema),
    /// Values are in Confluent's framing; schemas come from the local registry by id.
    Registry,
}

/// Turns key or value bytes back into text or JSON.
#[derive(Debug)]
pub struct Decoder {
    format: Format,
    source: Source,
    /// `--reader-schema`: Avro values are resolved to it.
    reader: Option<AvroSchema>,
    registry: Option<Registry>,
    /// Registry schemas parsed so far, by id and Protobuf message-index path.
    cache: HashMap<(u32, Vec<i32>), Schema>,
    /// Scratch for message indexes.
    indexes: Vec<i32>,
    /// Values of the `string` format that were not valid UTF-8 (shown with U+FFFD).
    lossy: u64,
}

impl Decoder {
    /// A decoder of `format`. Avro and Protobuf decode with `schema` when given (values are
    /// then expected unframed), else with the registered schema named by each value's
    /// Confluent framing, looked up in `registry`. `reader` is an Avro reader schema.
    pub fn new(
        format: Format,
        schema: Option<Schema>,
        reader: Option<AvroSchema>,
        registry: Option<Registry>,
    ) -> Result<Decoder, FormatError> {
        check_schema(format, schema.as_ref())?;
        if reader.is_some() && format != Format::Avro {
            return Err(err(format!(
                "a reader schema applies to the avro format, not {format}"
            )));
        }
        let source = match (format.has_schema(), schema) {
            (false, _) => Source::None,
            (true, Some(s)) => Source::Local(s),
            (true, None) if registry.is_some() => Source::Registry,
            (true, None) => {
                return Err(err(format!(
                    "the {format} format needs a schema, or values framed for the schema registry"
                )));
            }
        };
        Ok(Decoder {
            format,
            source,
            reader,
            registry,
            cache: HashMap::new(),
            indexes: Vec::new(),
            lossy: 0,
        })
    }

    /// How many values decoded so far as `string` were not valid UTF-8: each invalid
    /// sequence in them was shown as U+FFFD, so the text is not the stored bytes. The
    /// command says so once, at the end.
    pub fn lossy_count(&self) -> u64 {
        self.lossy
    }

    /// `bytes` as UTF-8 text, invalid sequences as U+FFFD (counted in [`Decoder::lossy_count`]).
    fn lossy_text<'b>(&mut self, bytes: &'b [u8]) -> std::borrow::Cow<'b, str> {
        let text = String::from_utf8_lossy(bytes);
        if matches!(text, std::borrow::Cow::Owned(_)) {
            self.lossy += 1;
        }
        text
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// True when bytes are shown as they are (the fast path: no decoding at all).
    pub fn is_identity(&self) -> bool {
        self.format == Format::Bytes
    }

    /// The fields of the values' schema as CSV columns: the local (or reader) schema's, or
    /// the registered schema of `sample` (a value seen first). `None` when unknown.
    pub fn columns(&mut self, sample: Option<&[u8]>) -> Option<Vec<Column>> {
        if let Some(r) = &self.reader {
            return r.columns();
        }
        match &self.source {
            Source::Local(s) => s.columns(),
            Source::Registry => {
                let (_, schema, _) = self.registered(sample?).ok()?;
                schema.columns()
            }
            Source::None => match self.format {
                Format::Json => {
                    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(sample?) else {
                        return None;
                    };
                    Some(obj.keys().map(Column::inferred).collect())
                }
                _ => None,
            },
        }
    }

    /// The schema a framed value names, parsed (and cached), with the payload after the
    /// framing.
    fn registered<'b>(&mut self, bytes: &'b [u8]) -> Result<(u32, &Schema, &'b [u8]), FormatError> {
        let (id, rest) = confluent::split(bytes).ok_or_else(|| {
            err(
                "not in Confluent's wire format (no magic byte 0 and schema id); give the schema \
                 with --value-schema/--key-schema or --proto for unframed values",
            )
        })?;
        let registry = self
            .registry
            .as_ref()
            .ok_or_else(|| err("framed value but no schema registry"))?;
        let parsed_kind = registry
            .schema(id)
            .map_err(|e| err(e.to_string()))?
            .schema_type;
        let (payload, indexes) = match parsed_kind {
            super::registry::SchemaType::Avro => (rest, Vec::new()),
            super::registry::SchemaType::Protobuf => {
                let (idx, used) =
                    protobuf::read_message_indexes(rest).map_err(|e| err(e.to_string()))?;
                (&rest[used..], idx)
            }
        };
        self.indexes.clone_from(&indexes);
        let key = (id, indexes);
        if !self.cache.contains_key(&key) {
            let schema = match registry.parse(id, None).map_err(|e| err(e.to_string()))? {
                Parsed::Avro(a) => Schema::Avro(a),
                Parsed::Protobuf(p) => {
                    Schema::Protobuf(p.at_indexes(&key.1).map_err(|e| err(e.to_string()))?)
                }
            };
            if schema.format() != self.format {
                return Err(err(format!(
                    "schema id {id} is {}, not {}",
                    schema.format(),
                    self.format
                )));
            }
            self.cache.insert(key.clone(), schema);
        }
        let schema = self
            .cache
            .get(&key)
            .ok_or_else(|| err(format!("schema id {id} vanished from the cache")))?;
        Ok((id, schema, payload))
    }

    /// Decodes to JSON (for `--output json` and `--output csv`).
    pub fn to_json(&mut self, bytes: &[u8]) -> Result<Decoded, FormatError> {
        let plain = |json: Value| Decoded {
            json,
            encoding: None,
            schema_id: None,
        };
        Ok(match self.format {
            Format::Bytes => match std::str::from_utf8(bytes) {
                Ok(s) => plain(Value::String(s.to_string())),
                Err(_) => Decoded {
                    json: Value::String(B64.encode(bytes)),
                    encoding: Some("base64"),
                    schema_id: None,
                },
            },
            Format::String => plain(Value::String(self.lossy_text(bytes).into_owned())),
            Format::Base64 => Decoded {
                json: Value::String(B64.encode(bytes)),
                encoding: Some("base64"),
                schema_id: None,
            },
            Format::Hex => Decoded {
                json: Value::String(hex(bytes)),
                encoding: Some("hex"),
                schema_id: None,
            },
            Format::Int => plain(Value::from(i32::from_be_bytes(fixed(bytes, "int")?))),
            Format::Long => plain(Value::from(i64::from_be_bytes(fixed(bytes, "long")?))),
            Format::Double => {
                let f = f64::from_be_bytes(fixed(bytes, "double")?);
                plain(
                    serde_json::Number::from_f64(f)
                        .map_or_else(|| Value::String(double_text(f)), Value::Number),
                )
            }
            Format::Json => {
                plain(serde_json::from_slice(bytes).map_err(|e| err(format!("not JSON: {e}")))?)
            }
            Format::Avro | Format::Protobuf => return self.decode_schema(bytes),
        })
    }

    fn decode_schema(&mut self, bytes: &[u8]) -> Result<Decoded, FormatError> {
        let reader = self.reader.clone();
        let (schema_id, schema, payload) = match &self.source {
            Source::Local(s) => (None, s.clone(), bytes),
            _ => {
                let (id, s, p) = self.registered(bytes)?;
                (Some(id), s.clone(), p)
            }
        };
        let json = match &schema {
            Schema::Avro(a) => a
                .decode_json(payload, reader.as_ref())
                .map_err(|e| err(format!("not Avro of {}: {e}", a.name())))?,
            Schema::Protobuf(p) => p
                .decode_json(payload)
                .map_err(|e| err(format!("not a {} message: {e}", p.full_name())))?,
        };
        Ok(Decoded {
            json,
            encoding: None,
            schema_id,
        })
    }

    /// Decodes to the text a template shows (`%k`, `%v`), appending to `out`: structured
    /// values as compact JSON.
    pub fn to_text(&mut self, bytes: &[u8], out: &mut Vec<u8>) -> Result<(), FormatError> {
        match self.format {
            Format::Bytes | Format::Json => out.extend_from_slice(bytes),
            Format::String => out.extend_from_slice(self.lossy_text(bytes).as_bytes()),
            Format::Base64 => out.extend_from_slice(B64.encode(bytes).as_bytes()),
            Format::Hex => out.extend_from_slice(hex(bytes).as_bytes()),
            _ => {
                let d = self.to_json(bytes)?;
                match d.json {
                    Value::String(s) => out.extend_from_slice(s.as_bytes()),
                    other => {
                        serde_json::to_writer(&mut *out, &other).map_err(|e| err(e.to_string()))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// An Avro value as a datum of `schema` (for `--output avro`): the payload itself when
    /// it was written with that schema, else resolved to it.
    pub fn avro_datum(
        &mut self,
        bytes: &[u8],
        schema: &AvroSchema,
        out: &mut Vec<u8>,
    ) -> Result<(), FormatError> {
        let (writer, payload) = match &self.source {
            Source::Local(Schema::Avro(a)) => (a.clone(), bytes),
            Source::Registry => match self.registered(bytes)? {
                (_, Schema::Avro(a), p) => (a.clone(), p),
                (id, _, _) => return Err(err(format!("schema id {id} is not Avro"))),
            },
            _ => return Err(err("--output avro needs avro values")),
        };
        if writer.canonical() == schema.canonical() {
            out.extend_from_slice(payload);
            return Ok(());
        }
        writer
            .resolve_datum(payload, schema, out)
            .map_err(|e| err(format!("not Avro of {}: {e}", writer.name())))
    }

    /// The Avro schema `--output avro` writes: the reader schema, the local schema, or the
    /// registered schema of the first value (`sample`).
    pub fn avro_schema(&mut self, sample: Option<&[u8]>) -> Result<AvroSchema, FormatError> {
        if let Some(r) = &self.reader {
            return Ok(r.clone());
        }
        match &self.source {
            Source::Local(Schema::Avro(a)) => Ok(a.clone()),
            Source::Registry => {
                let sample = sample.ok_or_else(|| err("no value to take the schema from"))?;
                match self.registered(sample)? {
                    (_, Schema::Avro(a), _) => Ok(a.clone()),
                    (id, _, _) => Err(err(format!("schema id {id} is not Avro"))),
                }
            }
            _ => Err(err(
                "--output avro needs --value-format avro (with a schema or registry framing)",
            )),
        }
    }
}

fn fixed<const N: usize>(bytes: &[u8], what: &str) -> Result<[u8; N], FormatError> {
    bytes.try_into().map_err(|_| {
        err(format!(
            "{} bytes cannot be a {what} (it takes {N})",
            bytes.len()
        ))
    })
}

fn double_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f > 0.0 {
        "Infinity".into()
    } else {
        "-Infinity".into()
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Loads the schema a command line names: an Avro `.avsc` file, or a `.proto` file
/// (with import dirs and a message name) or a descriptor set.
#[derive(Debug, Clone, Default)]
pub struct SchemaFiles {
    /// An Avro schema file.
    pub avro: Option<PathBuf>,
    /// A `.proto` file.
    pub proto: Option<PathBuf>,
    /// A FileDescriptorSet file.
    pub descriptor_set: Option<PathBuf>,
    /// Import dirs for `.proto` files.
    pub includes: Vec<PathBuf>,
    /// The Protobuf message type.
    pub message: Option<String>,
}

impl SchemaFiles {
    /// The schema, or `None` when no file was named.
    pub fn load(&self) -> Result<Option<Schema>, FormatError> {
        if let Some(p) = &self.avro {
            return AvroSchema::from_file(p)
                .map(|s| Some(Schema::Avro(s)))
                .map_err(|e| err(e.to_string()));
        }
        if let Some(p) = &self.proto {
            return ProtoSchema::compile(p, &self.includes, self.message.as_deref())
                .map(|s| Some(Schema::Protobuf(s)))
                .map_err(|e| err(e.to_string()));
        }
        if let Some(p) = &self.descriptor_set {
            return ProtoSchema::from_descriptor_set(p, self.message.as_deref())
                .map(|s| Some(Schema::Protobuf(s)))
                .map_err(|e| err(e.to_string()));
        }
        Ok(None)
    }

    /// The file named, for messages.
    pub fn path(&self) -> Option<&Path> {
        self.avro
            .as_deref()
            .or(self.proto.as_deref())
            .or(self.descriptor_set.as_deref())
    }
}

/// `CellType` for a format without a schema: numbers for the number formats.
pub fn cell_type(format: Format) -> CellType {
    match format {
        Format::Int | Format::Long => CellType::Integer,
        Format::Double => CellType::Float,
        _ => CellType::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn enc(format: Format, text: &str) -> Result<Vec<u8>, FormatError> {
        let mut out = Vec::new();
        Encoder::new(format, None)?.encode_text(text.as_bytes(), &mut out)?;
        Ok(out)
    }

    fn dec(format: Format, bytes: &[u8]) -> Decoded {
        Decoder::new(format, None, None, None)
            .unwrap()
            .to_json(bytes)
            .unwrap()
    }

    #[test]
    fn numbers_are_big_endian_as_kafkas_serializers_write_them() {
        assert_eq!(enc(Format::Int, "42").unwrap(), [0, 0, 0, 42]);
        assert_eq!(enc(Format::Int, "-1").unwrap(), [0xff; 4]);
        assert_eq!(enc(Format::Long, "258").unwrap(), [0, 0, 0, 0, 0, 0, 1, 2]);
        assert_eq!(
            enc(Format::Double, "1.5").unwrap(),
            1.5f64.to_be_bytes().to_vec()
        );
        assert!(enc(Format::Int, "2147483648").is_err());
        assert!(enc(Format::Int, "4.2").is_err());
        assert!(enc(Format::Double, "x").is_err());
        assert_eq!(dec(Format::Int, &[0xff, 0xff, 0xff, 0xfe]).json, json!(-2));
        assert_eq!(
            dec(Format::Long, &[0, 0, 0, 0, 0, 0, 1, 2]).json,
            json!(258)
        );
        assert_eq!(
            dec(Format::Double, &f64::NAN.to_be_bytes()).json,
            json!("NaN")
        );
        assert_eq!(
            enc(Format::Double, "NaN").unwrap(),
            f64::NAN.to_be_bytes().to_vec()
        );
        let e = Decoder::new(Format::Int, None, None, None)
            .unwrap()
            .to_json(b"abc")
            .unwrap_err();
        assert!(e.0.contains("3 bytes cannot be a int"), "{e}");
    }

    /// Regression: JSON numbers were parsed by serde_json's fast float parser, which is off by
    /// one unit in the last place for some inputs: 2.1189999999999998 came back as 2.119
    /// through Avro and --value-format json (found by the serializer benchmark's byte check).
    #[test]
    fn json_doubles_keep_every_bit() {
        for text in [
            "2.1189999999999998",
            "0.30000000000000004",
            "1e-320",
            "123456.789012345",
        ] {
            let want: f64 = text.parse().unwrap();
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(v.as_f64().unwrap().to_bits(), want.to_bits(), "{text}");
            assert_eq!(
                enc(Format::Double, text).unwrap(),
                want.to_be_bytes().to_vec(),
                "{text}"
            );
            let back = dec(Format::Json, text.as_bytes()).json;
            assert_eq!(back.as_f64().unwrap().to_bits(), want.to_bits(), "{text}");
        }
    }

    #[test]
    fn text_encodings_round_trip() {
        assert_eq!(enc(Format::Hex, "00ff10").unwrap(), [0, 0xff, 0x10]);
        assert!(enc(Format::Hex, "0g").is_err());
        assert!(enc(Format::Hex, "abc").is_err());
        assert_eq!(enc(Format::Base64, "AP8Q").unwrap(), [0, 0xff, 0x10]);
        assert!(enc(Format::Base64, "!!").is_err());
        let d = dec(Format::Hex, &[0, 0xff]);
        assert_eq!((d.json, d.encoding), (json!("00ff"), Some("hex")));
        let d = dec(Format::Base64, &[0, 0xff, 0x10]);
        assert_eq!((d.json, d.encoding), (json!("AP8Q"), Some("base64")));
        let mut text = Vec::new();
        Decoder::new(Format::Base64, None, None, None)
            .unwrap()
            .to_text(&[0, 0xff, 0x10], &mut text)
            .unwrap();
        assert_eq!(text, b"AP8Q");
    }

    #[test]
    fn strings_must_be_utf8_going_in_and_are_lossy_coming_out() {
        assert!(enc(Format::String, "héllo").is_ok());
        let mut out = Vec::new();
        let e = Encoder::new(Format::String, None)
            .unwrap()
            .encode_text(&[0xff], &mut out)
            .unwrap_err();
        assert!(e.0.contains("UTF-8"), "{e}");
        assert_eq!(dec(Format::String, &[b'a', 0xff]).json, json!("a\u{fffd}"));
        // Each lossy value is counted, once, by either rendering; valid text is not.
        let mut d = Decoder::new(Format::String, None, None, None).unwrap();
        d.to_json(&[0xff, 0xfe]).unwrap();
        d.to_text(&[b'a', 0xc3], &mut out).unwrap();
        d.to_text("héllo".as_bytes(), &mut out).unwrap();
        d.to_json(b"ok").unwrap();
        assert_eq!(d.lossy_count(), 2);
        let d = dec(Format::Bytes, &[0xff]);
        assert_eq!((d.json, d.encoding), (json!("/w=="), Some("base64")));
    }

    #[test]
    fn json_is_checked_and_kept_as_given() {
        assert_eq!(
            enc(Format::Json, "{\"a\": 1.50}").unwrap(),
            b"{\"a\": 1.50}"
        );
        assert!(enc(Format::Json, "{").is_err());
        assert_eq!(dec(Format::Json, b"{\"a\":[1]}").json, json!({"a":[1]}));
    }

    #[test]
    fn json_values_encode_per_format() {
        let e = |f: Format, v: Value| {
            let mut out = Vec::new();
            Encoder::new(f, None)
                .unwrap()
                .encode_json(&v, &mut out)
                .map(|()| out)
        };
        assert_eq!(e(Format::String, json!("truck-1")).unwrap(), b"truck-1");
        assert_eq!(e(Format::String, json!(7)).unwrap(), b"7");
        assert_eq!(e(Format::Json, json!("x")).unwrap(), b"\"x\"");
        assert_eq!(e(Format::Int, json!(7)).unwrap(), [0, 0, 0, 7]);
        assert_eq!(e(Format::Int, json!("7")).unwrap(), [0, 0, 0, 7]);
        assert!(e(Format::Int, json!(true)).is_err());
        assert!(e(Format::Long, json!(1.5)).is_err());
    }

    #[test]
    fn schemas_are_required_exactly_where_needed() {
        assert!(Encoder::new(Format::Avro, None).is_err());
        assert!(Decoder::new(Format::Avro, None, None, None).is_err());
        assert!(Decoder::new(Format::String, None, None, None).is_ok());
    }

    #[test]
    fn formats_parse_by_name() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        assert!("yaml".parse::<Format>().is_err());
    }
}
