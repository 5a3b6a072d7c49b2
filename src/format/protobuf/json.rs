//! The proto3 JSON mapping (<https://protobuf.dev/programming-guides/json/>) between
//! `serde_json::Value` and protobuf binary, for one message type.
//!
//! Owns: the per-field rules of both directions and the field path in error messages.
//! Must not: look anything up by name beyond the field lookups a JSON key needs, or touch I/O.
//!
//! Why not prost-reflect's serde support alone: its errors do not say which field is wrong
//! (`invalid type: string "fast", expected a 32-bit floating point value`), it prints map
//! entries in `HashMap` order (a different order each run), f32 values through f64
//! (`62.3` comes back as `62.29999923706055`) and cannot print default values for some fields
//! only. Its well-known-type forms (Timestamp as RFC 3339, Duration as `"1.5s"`, Struct, Any,
//! wrappers, FieldMask) are right, so those are delegated to it, in both directions.

use base64::Engine;
use prost_reflect::{
    DynamicMessage, EnumDescriptor, FieldDescriptor, Kind, MapKey, MessageDescriptor, Syntax, Value,
};
use serde_json::{Map, Number, Value as Json};

use super::{JsonOptions, ProtoError};

/// Messages nested deeper than this are refused on encode: prost refuses to decode them (its
/// recursion limit is 100), so writing them would produce records no one can read.
const MAX_DEPTH: u32 = 100;

/// Input accepts both base64 alphabets, padded or not, as the mapping requires.
const B64_IN: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);
const B64_URL_IN: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);
/// Output is standard base64 with padding, as the mapping prints it.
const B64_OUT: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// One step of a field path, innermost first while an error travels up.
enum Step {
    Field(String),
    Index(usize),
    Key(String),
}

/// An error on its way up: the reason, and the path collected so far (innermost first), so a
/// path costs nothing unless something is wrong.
struct Fail {
    steps: Vec<Step>,
    reason: String,
}

impl Fail {
    fn new(reason: impl Into<String>) -> Fail {
        Fail {
            steps: Vec::new(),
            reason: reason.into(),
        }
    }

    fn at(mut self, step: Step) -> Fail {
        self.steps.push(step);
        self
    }

    fn into_error(self) -> ProtoError {
        let mut path = String::new();
        for step in self.steps.iter().rev() {
            match step {
                Step::Field(name) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(name);
                }
                Step::Index(i) => path.push_str(&format!("[{i}]")),
                Step::Key(k) => path.push_str(&format!("[{}]", Json::String(k.clone()))),
            }
        }
        ProtoError::Json {
            path,
            reason: self.reason,
        }
    }
}

/// A JSON value as an error message shows it: compact, cut short when long.
fn show(v: &Json) -> String {
    let text = v.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// The well-known types whose JSON form is not an object of their fields.
fn is_well_known(full_name: &str) -> bool {
    matches!(
        full_name,
        "google.protobuf.Any"
            | "google.protobuf.Timestamp"
            | "google.protobuf.Duration"
            | "google.protobuf.Struct"
            | "google.protobuf.Value"
            | "google.protobuf.ListValue"
            | "google.protobuf.FieldMask"
            | "google.protobuf.Empty"
            | "google.protobuf.DoubleValue"
            | "google.protobuf.FloatValue"
            | "google.protobuf.Int64Value"
            | "google.protobuf.UInt64Value"
            | "google.protobuf.Int32Value"
            | "google.protobuf.UInt32Value"
            | "google.protobuf.BoolValue"
            | "google.protobuf.StringValue"
            | "google.protobuf.BytesValue"
    )
}

// ----- JSON -> binary -----

pub(super) fn encode(
    desc: &MessageDescriptor,
    value: &Json,
    out: &mut Vec<u8>,
) -> Result<(), ProtoError> {
    let msg = message_from_json(desc, value, 0).map_err(Fail::into_error)?;
    super::wire::write_message(&msg, out);
    Ok(())
}

fn message_from_json(
    desc: &MessageDescriptor,
    json: &Json,
    depth: u32,
) -> Result<DynamicMessage, Fail> {
    if depth > MAX_DEPTH {
        return Err(Fail::new(format!(
            "messages nested more than {MAX_DEPTH} deep"
        )));
    }
    if is_well_known(desc.full_name()) {
        return well_known_from_json(desc, json);
    }
    let Json::Object(object) = json else {
        return Err(Fail::new(format!(
            "expected an object (message {}), found {}",
            desc.full_name(),
            show(json)
        )));
    };
    let mut msg = DynamicMessage::new(desc.clone());
    for (key, v) in object {
        let field = match desc.get_field_by_json_name(key) {
            Some(f) => f,
            None => match desc.get_field_by_name(key) {
                // Both spellings of one field in one object: which one wins would be a guess.
                Some(f) if f.json_name() != key.as_str() && object.contains_key(f.json_name()) => {
                    return Err(Fail::new(format!(
                        "given twice, as {key:?} and {:?}",
                        f.json_name()
                    ))
                    .at(Step::Field(key.clone())));
                }
                Some(f) => f,
                None => return Err(unknown_field(desc, key)),
            },
        };
        let value =
            field_from_json(&field, v, depth).map_err(|e| e.at(Step::Field(key.clone())))?;
        let Some(value) = value else { continue };
        if let Some(oneof) = field.containing_oneof().filter(|o| !o.is_synthetic())
            && let Some(other) = oneof
                .fields()
                .find(|o| o.number() != field.number() && msg.has_field(o))
        {
            return Err(Fail::new(format!(
                "oneof {} already has {} set; give at most one of its fields",
                oneof.name(),
                other.json_name()
            ))
            .at(Step::Field(key.clone())));
        }
        msg.set_field(&field, value);
    }
    if desc.parent_file().syntax() == Syntax::Proto2 {
        // proto2 `required`: Java's parser refuses the message at build(); so do we.
        if let Some(missing) = desc.fields().find(|f| f.is_required() && !msg.has_field(f)) {
            return Err(Fail::new("required field is missing")
                .at(Step::Field(missing.json_name().to_owned())));
        }
    }
    Ok(msg)
}

fn unknown_field(desc: &MessageDescriptor, key: &str) -> Fail {
    let names: Vec<String> = desc.fields().map(|f| f.json_name().to_owned()).collect();
    let known = if names.is_empty() {
        "it has no fields".to_owned()
    } else {
        format!("its fields are {}", names.join(", "))
    };
    Fail::new(format!("unknown field of {} ({known})", desc.full_name()))
        .at(Step::Field(key.to_owned()))
}

/// `google.protobuf.Value` and `NullValue` are the types whose JSON `null` is a value.
fn null_is_a_value(kind: &Kind) -> bool {
    match kind {
        Kind::Message(m) => m.full_name() == "google.protobuf.Value",
        Kind::Enum(e) => e.full_name() == "google.protobuf.NullValue",
        _ => false,
    }
}

/// The value of one field, or None when the JSON leaves it unset (`null`).
fn field_from_json(field: &FieldDescriptor, v: &Json, depth: u32) -> Result<Option<Value>, Fail> {
    let kind = field.kind();
    if v.is_null() && !(null_is_a_value(&kind) && !field.is_list() && !field.is_map()) {
        return Ok(None);
    }
    if field.is_map() {
        let Json::Object(object) = v else {
            return Err(Fail::new(format!(
                "expected an object (a map), found {}",
                show(v)
            )));
        };
        let Kind::Message(entry) = &kind else {
            return Err(Fail::new("map field without an entry type"));
        };
        let key_kind = entry.map_entry_key_field().kind();
        let value_kind = entry.map_entry_value_field().kind();
        let mut map = std::collections::HashMap::with_capacity(object.len());
        for (k, item) in object {
            let key = map_key(&key_kind, k).map_err(|e| e.at(Step::Key(k.clone())))?;
            if item.is_null() && !null_is_a_value(&value_kind) {
                return Err(Fail::new("map values cannot be null").at(Step::Key(k.clone())));
            }
            let item = single_from_json(&value_kind, item, depth)
                .map_err(|e| e.at(Step::Key(k.clone())))?;
            map.insert(key, item);
        }
        return Ok(Some(Value::Map(map)));
    }
    if field.is_list() {
        let Json::Array(items) = v else {
            return Err(Fail::new(format!(
                "expected an array (a repeated field), found {}",
                show(v)
            )));
        };
        let mut list = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if item.is_null() && !null_is_a_value(&kind) {
                return Err(
                    Fail::new("elements of a repeated field cannot be null").at(Step::Index(i))
                );
            }
            list.push(single_from_json(&kind, item, depth).map_err(|e| e.at(Step::Index(i)))?);
        }
        return Ok(Some(Value::List(list)));
    }
    single_from_json(&kind, v, depth).map(Some)
}

fn single_from_json(kind: &Kind, v: &Json, depth: u32) -> Result<Value, Fail> {
    Ok(match kind {
        Kind::Double => Value::F64(float(v)?),
        Kind::Float => {
            let x = float(v)?;
            let narrow = x as f32;
            if x.is_finite() && narrow.is_infinite() {
                return Err(Fail::new(format!("{} is out of range for float", show(v))));
            }
            Value::F32(narrow)
        }
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            Value::I32(integer(v, "int32", i32::MIN.into(), i32::MAX.into())? as i32)
        }
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
            Value::I64(integer(v, "int64", i64::MIN.into(), i64::MAX.into())? as i64)
        }
        Kind::Uint32 | Kind::Fixed32 => {
            Value::U32(integer(v, "uint32", 0, u32::MAX.into())? as u32)
        }
        Kind::Uint64 | Kind::Fixed64 => {
            Value::U64(integer(v, "uint64", 0, u64::MAX.into())? as u64)
        }
        Kind::Bool => match v {
            Json::Bool(b) => Value::Bool(*b),
            // protobuf-java's parser takes the strings too (it reads the primitive as text).
            Json::String(s) if s == "true" => Value::Bool(true),
            Json::String(s) if s == "false" => Value::Bool(false),
            _ => {
                return Err(Fail::new(format!(
                    "expected true or false, found {}",
                    show(v)
                )));
            }
        },
        Kind::String => match v {
            Json::String(s) => Value::String(s.clone()),
            _ => return Err(Fail::new(format!("expected a string, found {}", show(v)))),
        },
        Kind::Bytes => match v {
            Json::String(s) => Value::Bytes(
                B64_IN
                    .decode(s)
                    .or_else(|_| B64_URL_IN.decode(s))
                    .map_err(|e| Fail::new(format!("{} is not base64: {e}", show(v))))?
                    .into(),
            ),
            _ => {
                return Err(Fail::new(format!(
                    "expected a base64 string, found {}",
                    show(v)
                )));
            }
        },
        Kind::Enum(e) => Value::EnumNumber(enum_number(e, v)?),
        Kind::Message(m) => Value::Message(message_from_json(m, v, depth + 1)?),
    })
}

/// A double from a JSON number, a numeric string, or "NaN" / "Infinity" / "-Infinity".
fn float(v: &Json) -> Result<f64, Fail> {
    let bad = || Fail::new(format!("expected a number, found {}", show(v)));
    match v {
        Json::Number(n) => n.as_f64().ok_or_else(bad),
        Json::String(s) => match s.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            // Rust also reads "inf" and "nan"; the mapping spells them only as above.
            _ => s
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(bad),
        },
        _ => Err(bad()),
    }
}

/// A whole number in `lo..=hi` from a JSON number or a decimal string; `1e3` and `5.0` are
/// whole numbers too (protobuf-java reads them as such).
fn integer(v: &Json, ty: &str, lo: i128, hi: i128) -> Result<i128, Fail> {
    let bad = || Fail::new(format!("expected an integer ({ty}), found {}", show(v)));
    let n: i128 = match v {
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.into(),
            (_, Some(u), _) => u.into(),
            (_, _, Some(f)) => whole(f).ok_or_else(bad)?,
            _ => return Err(bad()),
        },
        Json::String(s) => match s.parse::<i128>() {
            Ok(i) => i,
            Err(_) => s.parse::<f64>().ok().and_then(whole).ok_or_else(bad)?,
        },
        _ => return Err(bad()),
    };
    if n < lo || n > hi {
        return Err(Fail::new(format!("{} is out of range for {ty}", show(v))));
    }
    Ok(n)
}

/// `f` as a whole number, if it is one (range is checked by the caller).
fn whole(f: f64) -> Option<i128> {
    // 2^127 is beyond every protobuf integer type; the `as` below saturates anyway.
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 1.7e38).then_some(f as i128)
}

fn enum_number(e: &EnumDescriptor, v: &Json) -> Result<i32, Fail> {
    let number = match v {
        // `null` is the one value of google.protobuf.NullValue (Struct's null).
        Json::Null if e.full_name() == "google.protobuf.NullValue" => return Ok(0),
        Json::String(s) => match e.get_value_by_name(s) {
            Some(value) => return Ok(value.number()),
            // protobuf-java also takes a number written as a string.
            None => s.parse::<i32>().ok(),
        },
        Json::Number(_) => integer(v, "enum", i32::MIN.into(), i32::MAX.into())
            .ok()
            .map(|n| n as i32),
        _ => None,
    };
    // proto3 enums are open (any number is kept); proto2 enums are closed.
    let closed = e.parent_file().syntax() == Syntax::Proto2;
    match number {
        Some(n) if !closed || e.get_value(n).is_some() => Ok(n),
        _ => {
            let names: Vec<String> = e.values().map(|v| v.name().to_owned()).take(20).collect();
            Err(Fail::new(format!(
                "expected a value of enum {} ({}) or its number, found {}",
                e.full_name(),
                names.join(", "),
                show(v)
            )))
        }
    }
}

fn map_key(kind: &Kind, k: &str) -> Result<MapKey, Fail> {
    let bad = |ty: &str| Fail::new(format!("map key {k:?} is not a valid {ty}"));
    Ok(match kind {
        Kind::String => MapKey::String(k.to_owned()),
        Kind::Bool => match k {
            "true" => MapKey::Bool(true),
            "false" => MapKey::Bool(false),
            _ => return Err(bad("bool")),
        },
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            MapKey::I32(k.parse().map_err(|_| bad("int32"))?)
        }
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
            MapKey::I64(k.parse().map_err(|_| bad("int64"))?)
        }
        Kind::Uint32 | Kind::Fixed32 => MapKey::U32(k.parse().map_err(|_| bad("uint32"))?),
        Kind::Uint64 | Kind::Fixed64 => MapKey::U64(k.parse().map_err(|_| bad("uint64"))?),
        // protoc refuses other key types, so a compiled schema never has them.
        _ => return Err(bad("map key type")),
    })
}

fn well_known_from_json(desc: &MessageDescriptor, json: &Json) -> Result<DynamicMessage, Fail> {
    DynamicMessage::deserialize(desc.clone(), json).map_err(|e| {
        Fail::new(format!(
            "not a valid {} ({}): {e}",
            desc.full_name(),
            well_known_form(desc.full_name())
        ))
    })
}

/// What a well-known type's JSON looks like, for error messages.
fn well_known_form(full_name: &str) -> &'static str {
    match full_name {
        "google.protobuf.Timestamp" => "an RFC 3339 string such as \"2023-11-14T22:13:20Z\"",
        "google.protobuf.Duration" => "a string of seconds such as \"1.5s\"",
        "google.protobuf.FieldMask" => "a string of comma-separated paths",
        "google.protobuf.Any" => "an object with \"@type\"",
        "google.protobuf.Struct" | "google.protobuf.Empty" => "an object",
        "google.protobuf.ListValue" => "an array",
        "google.protobuf.Value" => "any JSON value",
        "google.protobuf.BoolValue" => "true or false",
        "google.protobuf.StringValue" => "a string",
        "google.protobuf.BytesValue" => "a base64 string",
        _ => "a number",
    }
}

// ----- binary -> JSON -----

pub(super) fn decode(
    desc: &MessageDescriptor,
    bytes: &[u8],
    options: JsonOptions,
) -> Result<Json, ProtoError> {
    let fail = |cause: String| ProtoError::Decode {
        message: desc.full_name().to_owned(),
        cause,
    };
    // prost checks every length against the bytes left and limits nesting to 100 levels.
    let msg = DynamicMessage::decode(desc.clone(), bytes).map_err(|e| fail(e.to_string()))?;
    message_to_json(desc, &msg, options).map_err(fail)
}

fn message_to_json(
    desc: &MessageDescriptor,
    msg: &DynamicMessage,
    options: JsonOptions,
) -> Result<Json, String> {
    if is_well_known(desc.full_name()) {
        return well_known_to_json(desc, msg);
    }
    let mut object = Map::new();
    for field in desc.fields() {
        let name = if options.proto_field_names {
            field.name()
        } else {
            field.json_name()
        };
        let value = if msg.has_field(&field) {
            field_to_json(&field, &msg.get_field(&field), options)?
        } else if options.emit_defaults && !field.supports_presence() {
            if field.is_list() {
                Json::Array(Vec::new())
            } else if field.is_map() {
                Json::Object(Map::new())
            } else {
                single_to_json(&field.kind(), &field.default_value(), options)?
            }
        } else {
            continue;
        };
        object.insert(name.to_owned(), value);
    }
    Ok(Json::Object(object))
}

fn field_to_json(
    field: &FieldDescriptor,
    value: &Value,
    options: JsonOptions,
) -> Result<Json, String> {
    let kind = field.kind();
    match value {
        Value::List(items) => items
            .iter()
            .map(|item| single_to_json(&kind, item, options))
            .collect::<Result<Vec<_>, _>>()
            .map(Json::Array),
        Value::Map(map) => {
            let Kind::Message(entry) = &kind else {
                return Err(format!("field {} holds a map but is not one", field.name()));
            };
            let value_kind = entry.map_entry_value_field().kind();
            // Sorted by key (numerically for integer keys), so output is the same every run.
            let mut entries: Vec<(&MapKey, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let mut object = Map::with_capacity(entries.len());
            for (k, v) in entries {
                object.insert(key_text(k), single_to_json(&value_kind, v, options)?);
            }
            Ok(Json::Object(object))
        }
        single => single_to_json(&kind, single, options),
    }
}

fn key_text(k: &MapKey) -> String {
    match k {
        MapKey::Bool(b) => b.to_string(),
        MapKey::I32(n) => n.to_string(),
        MapKey::I64(n) => n.to_string(),
        MapKey::U32(n) => n.to_string(),
        MapKey::U64(n) => n.to_string(),
        MapKey::String(s) => s.clone(),
    }
}

fn single_to_json(kind: &Kind, value: &Value, options: JsonOptions) -> Result<Json, String> {
    Ok(match value {
        Value::Bool(b) => Json::Bool(*b),
        Value::I32(n) => Json::from(*n),
        Value::U32(n) => Json::from(*n),
        // 64-bit integers are strings in the mapping: JavaScript readers would round them.
        Value::I64(n) => Json::String(n.to_string()),
        Value::U64(n) => Json::String(n.to_string()),
        Value::F32(x) => float32_json(*x),
        Value::F64(x) => float64_json(*x),
        Value::String(s) => Json::String(s.clone()),
        Value::Bytes(b) => Json::String(B64_OUT.encode(b)),
        Value::EnumNumber(n) => match kind {
            Kind::Enum(e) if e.full_name() == "google.protobuf.NullValue" => Json::Null,
            Kind::Enum(e) => match e.get_value(*n) {
                Some(v) => Json::String(v.name().to_owned()),
                // A number this schema does not name (written with a newer one): kept.
                None => Json::from(*n),
            },
            _ => Json::from(*n),
        },
        Value::Message(m) => {
            let Kind::Message(desc) = kind else {
                return Err("a message value in a field that is not a message".to_owned());
            };
            message_to_json(desc, m, options)?
        }
        Value::List(_) | Value::Map(_) => {
            return Err("a list or map nested directly in a list or map".to_owned());
        }
    })
}

fn non_finite(x: f64) -> Json {
    Json::String(
        if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .to_owned(),
    )
}

fn float64_json(x: f64) -> Json {
    Number::from_f64(x).map_or_else(|| non_finite(x), Json::Number)
}

/// An f32 as the shortest decimal that reads back as the same f32 (`62.3`, not the f64
/// `62.29999923706055` the same bits make), as protobuf-java prints it.
fn float32_json(x: f32) -> Json {
    if !x.is_finite() {
        return non_finite(x.into());
    }
    let shortest: f64 = x.to_string().parse().unwrap_or(f64::from(x));
    float64_json(shortest)
}

fn well_known_to_json(desc: &MessageDescriptor, msg: &DynamicMessage) -> Result<Json, String> {
    if desc.full_name() == "google.protobuf.FloatValue" {
        // prost-reflect prints it through f64; print it like a float field.
        let x = msg
            .get_field_by_number(1)
            .and_then(|v| v.as_f32())
            .unwrap_or(0.0);
        return Ok(float32_json(x));
    }
    serde_json::to_value(msg).map_err(|e| format!("{}: {e}", desc.full_name()))
}
