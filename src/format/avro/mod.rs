//! Avro for filka's serializers: schemas, JSON to Avro binary and back, schema resolution
//! and compatibility, and the object container file.
//!
//! Owns: [`AvroSchema`] (parsed once, then flattened so that per-record work is a walk over
//! an arena of nodes: no name lookups, no schema cloning), the JSON mapping of every Avro
//! type (below), Avro's resolution rules ([`AvroSchema::decode_json`] with a reader schema,
//! [`AvroSchema::resolve_datum`], [`can_read`]) and [`ContainerWriter`]. apache-avro parses
//! schema text; the codecs here are our own, because apache-avro neither reads Avro's JSON
//! encoding with wrapped unions nor bounds allocations by the bytes present.
//!
//! Must not: know about Kafka, topics, the Confluent wire format (magic byte and schema id
//! are framed by the caller), registries or files other than a schema file; panic or
//! allocate beyond the input's size on hostile bytes.
//!
//! # JSON mapping
//!
//! | Avro | JSON |
//! |---|---|
//! | null, boolean, string | the same |
//! | int, long | an integer (a number with a fraction or exponent is refused) |
//! | float, double | a number; `"NaN"`, `"Infinity"`, `"-Infinity"` as strings |
//! | bytes, fixed | a string, one code point 0-255 per byte (`"\u00ff\u0001"`) |
//! | enum | the symbol as a string |
//! | array, map, record | an array, an object, an object |
//! | union | the bare value, or Avro's wrapped `{"type or full name": value}` |
//! | logical types | their underlying type (timestamp-millis a long, decimal bytes, ...) |
//!
//! A bare union value goes to the first branch, in this order, that takes it: null; boolean;
//! for an integer int (if in range), long, double, float; for another number double, float;
//! for a string string, enum (if a symbol), fixed (if the size fits), bytes, then double or
//! float (for `"NaN"` etc.); an array; for an object each record in union order, then map.
//! A one-key object whose key names a branch is read as wrapped first.
//!
//! Decoding writes unions bare, except when the bare value would encode into another
//! branch (a long in `["int","long"]`, bytes in `["string","bytes"]`, a map whose one key
//! names a branch): then it is written wrapped, so decoded JSON encodes back to the same
//! value in the same branch. (To the same bytes too, for datums as Avro writers write them;
//! not for a map repeating a key, where JSON keeps the last, an overlong varint, a block
//! with a byte size, or a NaN with a payload.) A float decodes as the shortest decimal that
//! reads back as the same float (`0.1`, not `0.10000000149011612`).
//!
//! # Resolution
//!
//! As the Avro spec and Java's resolver: named types match by unqualified name or a
//! reader alias (so a renamed record needs an alias); record fields by name or reader
//! field alias; a reader field the writer lacks takes the reader's default; a writer field
//! the reader lacks is skipped; promotions int to long/float/double, long to float/double,
//! float to double, string to and from bytes; an enum symbol the reader lacks becomes the
//! reader's enum default; a writer union branch is resolved against the reader type, a
//! writer type against the first reader union branch of the same type, then of a promoted
//! one. An incompatibility errors only when a datum reaches it; [`can_read`] reports it
//! upfront. The plan pairing the two schemas is built on first use and cached in the
//! writer (for [`CACHED_PLANS`] reader schemas), keyed by the reader instance: keep one
//! [`AvroSchema`] per reader schema and pass it (or clones of it) each time.

mod compile;
mod container;
mod decode;
mod encode;
mod error;
mod resolve;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::format::columns::{CellType, Column};
use compile::{Compiled, Node, NodeId};
use decode::Cursor;
use resolve::Plan;

pub use container::{ContainerWriter, MAGIC};
pub use error::AvroError;

/// Deepest nesting of records, arrays and maps a value may have, in JSON and in binary.
/// It bounds recursion on hostile input; 128 is also serde_json's own parsing limit, so
/// what decodes here parses back.
pub const MAX_DEPTH: usize = 128;

/// Most array items of a type that encodes to zero bytes (null, an empty record) that one
/// datum may hold: their count cannot be bounded by the bytes remaining.
pub const ZERO_SIZE_ITEMS: usize = 1 << 20;

/// Resolution plans kept per writer schema, most recent first.
pub const CACHED_PLANS: usize = 8;

/// A parsed Avro schema. Cheap to clone (shared); safe to use from several threads.
#[derive(Clone)]
pub struct AvroSchema {
    inner: Arc<Inner>,
}

struct Inner {
    text: String,
    canonical: String,
    schema: apache_avro::Schema,
    compiled: Arc<Compiled>,
    /// Plans for reading data of this schema with other reader schemas, so that a consumer
    /// with a reader schema builds its plan once, not per record.
    plans: Mutex<Vec<Arc<Plan>>>,
}

impl fmt::Debug for AvroSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AvroSchema")
            .field("name", &self.name())
            .field("canonical", &self.inner.canonical)
            .finish_non_exhaustive()
    }
}

impl AvroSchema {
    /// Parses schema JSON (`"string"`, `{"type":"record",...}`, `["null","int"]`).
    pub fn parse(text: &str) -> Result<AvroSchema, AvroError> {
        // JSON first, so that a syntax error says where (apache-avro's says only that the
        // JSON did not parse).
        let json: Value =
            serde_json::from_str(text).map_err(|e| AvroError::Schema(format!("not JSON: {e}")))?;
        let schema =
            apache_avro::Schema::parse(&json).map_err(|e| AvroError::Schema(e.to_string()))?;
        let compiled = Compiled::new(&schema).map_err(AvroError::Schema)?;
        Ok(AvroSchema {
            inner: Arc::new(Inner {
                text: text.to_string(),
                canonical: compiled.canonical(),
                schema,
                compiled: Arc::new(compiled),
                plans: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Reads and parses a schema file (`.avsc`); errors name the path.
    pub fn from_file(path: &Path) -> Result<AvroSchema, AvroError> {
        let text = std::fs::read_to_string(path).map_err(|source| AvroError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        AvroSchema::parse(&text).map_err(|e| AvroError::File {
            path: path.to_path_buf(),
            source: Box::new(e),
        })
    }

    /// The schema's JSON exactly as given (what a registry stores and an OCF header holds).
    pub fn text(&self) -> &str {
        &self.inner.text
    }

    /// Avro's Parsing Canonical Form: two schemas with the same form encode data alike.
    pub fn canonical(&self) -> String {
        self.inner.canonical.clone()
    }

    /// The full name of a named type (`io.filka.trucks.TruckPosition`), else the type name
    /// (`string`, `array`, `union`; a logical type gives its underlying type, `long`).
    pub fn name(&self) -> String {
        let c = &self.inner.compiled;
        c.type_name(c.root).to_string()
    }

    /// apache-avro's parsed form, for callers that need it.
    pub fn schema(&self) -> &apache_avro::Schema {
        &self.inner.schema
    }

    /// Encodes JSON (plain, or Avro's JSON encoding with wrapped unions; see the module
    /// docs) as an Avro binary datum appended to `out`. Missing fields take their schema
    /// default. On error `out` is left as it was, and the error names the field path as a
    /// JSON pointer (`/position/lat`, `/tags/3`).
    pub fn encode_json(&self, value: &Value, out: &mut Vec<u8>) -> Result<(), AvroError> {
        let start = out.len();
        let c = &self.inner.compiled;
        encode::encode(c, c.root, value, out, 0).map_err(|e| {
            out.truncate(start);
            AvroError::from(e)
        })
    }

    /// Decodes a datum written with this schema into plain JSON (the form
    /// [`encode_json`](Self::encode_json) takes back). With `reader`, Avro's schema
    /// resolution applies and the JSON is shaped by the reader schema. The whole of `datum`
    /// must be one value: trailing or missing bytes are errors.
    pub fn decode_json(
        &self,
        datum: &[u8],
        reader: Option<&AvroSchema>,
    ) -> Result<Value, AvroError> {
        let mut cur = Cursor::new(datum);
        let value = match reader {
            Some(r) if !self.same_as(r) => self.plan(r).value(&mut cur),
            _ => {
                let c = &self.inner.compiled;
                cur.value(c, c.root, 0)
            }
        }?;
        cur.finish()?;
        Ok(value)
    }

    /// Re-encodes a datum written with this schema in `reader`'s schema (resolution as in
    /// [`decode_json`](Self::decode_json)), appended to `out`; on error `out` is left as it
    /// was.
    pub fn resolve_datum(
        &self,
        datum: &[u8],
        reader: &AvroSchema,
        out: &mut Vec<u8>,
    ) -> Result<(), AvroError> {
        let start = out.len();
        let mut cur = Cursor::new(datum);
        let res = if self.same_as(reader) {
            // Same encoding: check the datum is well formed, then copy it.
            let c = &self.inner.compiled;
            cur.skip(c, c.root, 0)
                .map(|()| out.extend_from_slice(datum))
        } else {
            self.plan(reader).write(&mut cur, out)
        };
        res.and_then(|()| cur.finish()).map_err(|e| {
            out.truncate(start);
            AvroError::from(e)
        })
    }

    /// A record schema's top-level fields as CSV columns; None for other schemas.
    pub fn columns(&self) -> Option<Vec<Column>> {
        let c = &self.inner.compiled;
        let Node::Record(r) = &c.nodes[c.root] else {
            return None;
        };
        Some(
            r.fields
                .iter()
                .map(|f| {
                    let (ty, nullable) = cell_type(c, f.node);
                    Column {
                        name: f.name.clone(),
                        ty,
                        nullable,
                    }
                })
                .collect(),
        )
    }

    /// Whether data of both schemas is encoded alike (then no resolution is needed).
    fn same_as(&self, other: &AvroSchema) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.inner.canonical == other.inner.canonical
    }

    /// The plan for reading this schema's data with `reader`, built on first use.
    fn plan(&self, reader: &AvroSchema) -> Arc<Plan> {
        let rc = &reader.inner.compiled;
        // A poisoned lock only means another thread panicked while holding it; the cache
        // holds complete plans or none, so it is still good.
        let mut plans = self
            .inner
            .plans
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(i) = plans.iter().position(|p| Arc::ptr_eq(&p.r, rc)) {
            let p = plans.remove(i);
            plans.insert(0, Arc::clone(&p));
            return p;
        }
        let p = Arc::new(Plan::new(Arc::clone(&self.inner.compiled), Arc::clone(rc)));
        plans.insert(0, Arc::clone(&p));
        plans.truncate(CACHED_PLANS);
        p
    }
}

/// Can data written with `writer` be read with `reader` (Avro's resolution rules)? `Err`
/// says why, naming the field path and types (`field /speed: the writer's string cannot be
/// read as double`). The registry's BACKWARD check is `can_read(new, old)`, FORWARD
/// `can_read(old, new)`, FULL both.
pub fn can_read(reader: &AvroSchema, writer: &AvroSchema) -> Result<(), String> {
    if writer.same_as(reader) {
        return Ok(());
    }
    Plan::new(
        Arc::clone(&writer.inner.compiled),
        Arc::clone(&reader.inner.compiled),
    )
    .check()
}

/// How CSV types a field of node `id`, and whether an empty cell is null.
fn cell_type(c: &Compiled, id: NodeId) -> (CellType, bool) {
    match &c.nodes[id] {
        Node::Null => (CellType::Json, true),
        Node::Boolean => (CellType::Boolean, false),
        Node::Int | Node::Long => (CellType::Integer, false),
        Node::Float | Node::Double => (CellType::Float, false),
        Node::String | Node::Bytes | Node::Enum(_) | Node::Fixed(..) => (CellType::Text, false),
        Node::Array(_) | Node::Map(_) | Node::Record(_) => (CellType::Json, false),
        Node::Union(u) => {
            let has_null = u.branches.iter().any(|b| matches!(c.nodes[*b], Node::Null));
            let others: Vec<NodeId> = u
                .branches
                .iter()
                .copied()
                .filter(|b| !matches!(c.nodes[*b], Node::Null))
                .collect();
            match others.as_slice() {
                [one] => (cell_type(c, *one).0, has_null),
                _ => (CellType::Json, has_null),
            }
        }
    }
}
