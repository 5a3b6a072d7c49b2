//! apache-avro's parsed [`Schema`] flattened into an arena of [`Node`]s, the form the codecs
//! walk per record: references resolved to indexes (so recursive types are plain cycles),
//! logical types reduced to the type that carries them on the wire, field defaults encoded
//! once, and for each union the branch order in which a bare JSON value is matched.
//!
//! Must not: read or write data (the codecs do that); every decision that can be made from
//! the schema alone is made here, once.

use std::collections::HashMap;

use apache_avro::schema::{InnerDecimalSchema, Schema, UuidSchema};
use serde_json::Value;

use super::decode::Cursor;
use super::encode;
use super::error::pointer;

/// Index of a node in [`Compiled::nodes`].
pub(super) type NodeId = usize;

/// A schema ready for the codecs.
pub(super) struct Compiled {
    pub nodes: Vec<Node>,
    pub root: NodeId,
    /// `zero[id]`: a value of this node may encode to zero bytes (null, fixed of size 0, a
    /// record of such fields). Arrays of these cannot be bounded by the bytes remaining, so
    /// they draw on a per-datum item budget instead.
    pub zero: Vec<bool>,
}

/// One type, as the wire sees it.
pub(super) enum Node {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Fixed(Named, usize),
    Enum(EnumNode),
    Array(NodeId),
    Map(NodeId),
    Union(UnionNode),
    Record(RecordNode),
}

/// The name of a named type.
pub(super) struct Named {
    /// Full name (`io.filka.trucks.TruckPosition`).
    pub full: String,
    /// Full names of its aliases.
    pub aliases: Vec<String>,
}

impl Named {
    /// The name without namespace.
    pub fn short(&self) -> &str {
        unqualified(&self.full)
    }

    /// Whether a reader type named `self` reads a writer type named `writer`: same
    /// unqualified name (as Java's SchemaCompatibility compares them), or one of the
    /// reader's aliases names the writer.
    pub fn reads(&self, writer: &Named) -> bool {
        self.short() == writer.short()
            || self
                .aliases
                .iter()
                .any(|a| a == &writer.full || unqualified(a) == writer.short())
    }
}

fn unqualified(full: &str) -> &str {
    full.rsplit_once('.').map_or(full, |(_, n)| n)
}

/// An enum type.
pub(super) struct EnumNode {
    pub name: Named,
    pub symbols: Vec<String>,
    pub lookup: HashMap<String, u32>,
    /// Index of the symbol used for writer symbols the reader lacks.
    pub default: Option<u32>,
}

/// A record type.
pub(super) struct RecordNode {
    pub name: Named,
    pub fields: Vec<Field>,
    pub lookup: HashMap<String, usize>,
}

/// One field of a record.
pub(super) struct Field {
    pub name: String,
    pub aliases: Vec<String>,
    pub node: NodeId,
    pub default: Option<FieldDefault>,
}

/// A field default, in both forms the codecs need.
pub(super) struct FieldDefault {
    /// The default encoded in the field's type (copied when a JSON value omits the field).
    pub bin: Vec<u8>,
    /// The default as decoded JSON (used when a writer lacks the field).
    pub json: Value,
}

/// The JSON kinds a bare union value is matched by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Null = 0,
    Bool,
    /// A JSON number that is an integer (serde_json holds it as i64/u64).
    Int,
    /// Any other JSON number.
    Frac,
    Str,
    Arr,
    Obj,
}

impl Kind {
    pub fn of(v: &Value) -> Kind {
        match v {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Number(n) if n.is_f64() => Kind::Frac,
            Value::Number(_) => Kind::Int,
            Value::String(_) => Kind::Str,
            Value::Array(_) => Kind::Arr,
            Value::Object(_) => Kind::Obj,
        }
    }
}

/// A union type.
pub(super) struct UnionNode {
    pub branches: Vec<NodeId>,
    /// Branch names as Avro's JSON encoding wraps them: the type name, or the full name of a
    /// named type.
    pub names: Vec<String>,
    /// For each [`Kind`], the branches a bare value of that kind may go to, best first.
    pub candidates: [Vec<usize>; 7],
    /// `shadowed[b]`: bit `k` is set when a bare JSON value of [`Kind`] `k` has a candidate
    /// before branch `b`, so that a value of `b` written bare might encode into another
    /// branch; the decoder then checks and, if so, writes it wrapped.
    pub shadowed: Vec<u8>,
}

impl UnionNode {
    /// The branch a wrapped value's key names: a full name, or a unique unqualified name.
    pub fn branch_named(&self, key: &str) -> Option<usize> {
        if let Some(b) = self.names.iter().position(|n| n == key) {
            return Some(b);
        }
        let mut found = None;
        for (b, n) in self.names.iter().enumerate() {
            if n.contains('.') && unqualified(n) == key {
                if found.is_some() {
                    return None;
                }
                found = Some(b);
            }
        }
        found
    }

    /// The branch types for messages: `null or float`.
    pub fn describe(&self) -> String {
        match self.names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            Some((last, _)) => last.clone(),
            None => "nothing (an empty union)".into(),
        }
    }
}

impl Compiled {
    /// Flattens a parsed schema.
    pub fn new(schema: &Schema) -> Result<Compiled, String> {
        let mut b = Builder::default();
        let root = b.build(schema)?;
        let zero = zero_sized(&b.nodes);
        let mut c = Compiled {
            nodes: b.nodes,
            root,
            zero,
        };
        c.compute_unions();
        c.compute_defaults(b.defaults)?;
        Ok(c)
    }

    /// The type name a message or a wrapped union uses for a node.
    pub fn type_name(&self, id: NodeId) -> &str {
        match &self.nodes[id] {
            Node::Null => "null",
            Node::Boolean => "boolean",
            Node::Int => "int",
            Node::Long => "long",
            Node::Float => "float",
            Node::Double => "double",
            Node::Bytes => "bytes",
            Node::String => "string",
            Node::Array(_) => "array",
            Node::Map(_) => "map",
            Node::Union(_) => "union",
            Node::Fixed(n, _) => &n.full,
            Node::Enum(e) => &e.name.full,
            Node::Record(r) => &r.name.full,
        }
    }

    /// Avro's Parsing Canonical Form, written from the nodes (logical types, defaults, docs
    /// and aliases are not part of it; a named type is spelled out once, then by name).
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        let mut seen = vec![false; self.nodes.len()];
        self.pcf(self.root, &mut seen, &mut out);
        out
    }

    fn pcf(&self, id: NodeId, seen: &mut [bool], out: &mut String) {
        let quoted = |s: &str| serde_json::Value::from(s).to_string();
        let named = matches!(
            self.nodes[id],
            Node::Fixed(..) | Node::Enum(_) | Node::Record(_)
        );
        if named {
            if seen[id] {
                out.push_str(&quoted(self.type_name(id)));
                return;
            }
            seen[id] = true;
        }
        match &self.nodes[id] {
            Node::Fixed(n, size) => {
                out.push_str(&format!(
                    r#"{{"name":{},"type":"fixed","size":{size}}}"#,
                    quoted(&n.full)
                ));
            }
            Node::Enum(e) => {
                let symbols: Vec<String> = e.symbols.iter().map(|s| quoted(s)).collect();
                out.push_str(&format!(
                    r#"{{"name":{},"type":"enum","symbols":[{}]}}"#,
                    quoted(&e.name.full),
                    symbols.join(",")
                ));
            }
            Node::Record(r) => {
                out.push_str(&format!(
                    r#"{{"name":{},"type":"record","fields":["#,
                    quoted(&r.name.full)
                ));
                for (i, f) in r.fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&format!(r#"{{"name":{},"type":"#, quoted(&f.name)));
                    self.pcf(f.node, seen, out);
                    out.push('}');
                }
                out.push_str("]}");
            }
            Node::Array(items) => {
                out.push_str(r#"{"type":"array","items":"#);
                self.pcf(*items, seen, out);
                out.push('}');
            }
            Node::Map(values) => {
                out.push_str(r#"{"type":"map","values":"#);
                self.pcf(*values, seen, out);
                out.push('}');
            }
            Node::Union(u) => {
                out.push('[');
                for (i, b) in u.branches.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.pcf(*b, seen, out);
                }
                out.push(']');
            }
            _ => out.push_str(&quoted(self.type_name(id))),
        }
    }

    /// Branch names, bare-value candidates and shadowing for every union.
    fn compute_unions(&mut self) {
        for id in 0..self.nodes.len() {
            let Node::Union(u) = &self.nodes[id] else {
                continue;
            };
            let branches = u.branches.clone();
            let names: Vec<String> = branches
                .iter()
                .map(|b| self.type_name(*b).to_string())
                .collect();
            let pick = |want: &dyn Fn(&Node) -> bool| -> Vec<usize> {
                (0..branches.len())
                    .filter(|i| want(&self.nodes[branches[*i]]))
                    .collect()
            };
            let of = |f: fn(&Node) -> bool| pick(&f);
            // Preference within a kind: the exact type before a wider or more general one
            // (int before long before double before float; a string before an enum, a fixed
            // or bytes, whose JSON is also a string).
            let mut int = of(|n| matches!(n, Node::Int));
            int.extend(of(|n| matches!(n, Node::Long)));
            int.extend(of(|n| matches!(n, Node::Double)));
            int.extend(of(|n| matches!(n, Node::Float)));
            let mut frac = of(|n| matches!(n, Node::Double));
            frac.extend(of(|n| matches!(n, Node::Float)));
            let mut str_ = of(|n| matches!(n, Node::String));
            str_.extend(of(|n| matches!(n, Node::Enum(_))));
            str_.extend(of(|n| matches!(n, Node::Fixed(..))));
            str_.extend(of(|n| matches!(n, Node::Bytes)));
            // NaN and the infinities are strings in JSON.
            str_.extend(of(|n| matches!(n, Node::Double)));
            str_.extend(of(|n| matches!(n, Node::Float)));
            let mut obj = of(|n| matches!(n, Node::Record(_)));
            obj.extend(of(|n| matches!(n, Node::Map(_))));
            let candidates = [
                of(|n| matches!(n, Node::Null)),
                of(|n| matches!(n, Node::Boolean)),
                int,
                frac,
                str_,
                of(|n| matches!(n, Node::Array(_))),
                obj,
            ];
            let shadowed = (0..branches.len())
                .map(|b| {
                    let mut mask = 0u8;
                    for (k, list) in candidates.iter().enumerate() {
                        if list.iter().position(|x| *x == b).is_some_and(|p| p > 0) {
                            mask |= 1 << k;
                        }
                    }
                    mask
                })
                .collect();
            if let Node::Union(u) = &mut self.nodes[id] {
                u.names = names;
                u.candidates = candidates;
                u.shadowed = shadowed;
            }
        }
    }

    /// Encodes every field default. A default may name a record whose own fields take
    /// their defaults, so this goes in rounds until no default is left or none progresses.
    fn compute_defaults(&mut self, mut pending: Vec<RawDefault>) -> Result<(), String> {
        while !pending.is_empty() {
            let mut done = Vec::new();
            let mut left = Vec::new();
            let mut last_error = String::new();
            for raw in pending {
                match self.encode_default(&raw) {
                    Ok(d) => done.push((raw.record, raw.field, d)),
                    Err(e) => {
                        last_error = e;
                        left.push(raw);
                    }
                }
            }
            if done.is_empty() {
                return Err(last_error);
            }
            for (record, field, d) in done {
                if let Node::Record(r) = &mut self.nodes[record]
                    && let Some(f) = r.fields.get_mut(field)
                {
                    f.default = Some(d);
                }
            }
            pending = left;
        }
        Ok(())
    }

    fn encode_default(&self, raw: &RawDefault) -> Result<FieldDefault, String> {
        let Node::Record(r) = &self.nodes[raw.record] else {
            return Err("internal: default outside a record".into());
        };
        let Some(f) = r.fields.get(raw.field) else {
            return Err("internal: default of a missing field".into());
        };
        let mut bin = Vec::new();
        // The spec ties a union's default to its first branch; values fitting another
        // branch are accepted too, as recent Avro releases do.
        let first = match &self.nodes[f.node] {
            Node::Union(u) => u.branches.first().copied(),
            _ => None,
        };
        let first_ok = first.is_some_and(|b| {
            encode::write_long(&mut bin, 0);
            encode::encode(self, b, &raw.json, &mut bin, 0).is_ok()
        });
        if !first_ok {
            bin.clear();
            encode::encode(self, f.node, &raw.json, &mut bin, 0).map_err(|e| {
                let inner = pointer(&e.path);
                format!(
                    "field {} of record {}: default {}{}: {}",
                    f.name,
                    r.name.full,
                    raw.json,
                    if inner.is_empty() {
                        String::new()
                    } else {
                        format!(" (at {inner})")
                    },
                    e.message
                )
            })?;
        }
        let mut cur = Cursor::new(&bin);
        let json = cur.value(self, f.node, 0).map_err(|e| {
            format!(
                "internal: default of field {} re-read: {}",
                f.name, e.message
            )
        })?;
        Ok(FieldDefault { bin, json })
    }
}

/// A default as the schema text gives it, before encoding.
struct RawDefault {
    record: NodeId,
    field: usize,
    json: Value,
}

#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    names: HashMap<String, NodeId>,
    defaults: Vec<RawDefault>,
}

impl Builder {
    fn push(&mut self, n: Node) -> NodeId {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    /// Reserves a node for a named type before its children are built, so that they can
    /// refer back to it (recursive types).
    fn declare(&mut self, name: &apache_avro::schema::Name, aliases: &[String]) -> NodeId {
        let id = self.push(Node::Null);
        self.names.insert(name.fullname(None), id);
        for a in aliases {
            self.names.insert(a.clone(), id);
        }
        id
    }

    fn build(&mut self, s: &Schema) -> Result<NodeId, String> {
        Ok(match s {
            Schema::Null => self.push(Node::Null),
            Schema::Boolean => self.push(Node::Boolean),
            Schema::Int | Schema::Date | Schema::TimeMillis => self.push(Node::Int),
            Schema::Long
            | Schema::TimeMicros
            | Schema::TimestampMillis
            | Schema::TimestampMicros
            | Schema::TimestampNanos
            | Schema::LocalTimestampMillis
            | Schema::LocalTimestampMicros
            | Schema::LocalTimestampNanos => self.push(Node::Long),
            Schema::Float => self.push(Node::Float),
            Schema::Double => self.push(Node::Double),
            Schema::Bytes
            | Schema::BigDecimal
            | Schema::Uuid(UuidSchema::Bytes)
            | Schema::Decimal(apache_avro::schema::DecimalSchema {
                inner: InnerDecimalSchema::Bytes,
                ..
            }) => self.push(Node::Bytes),
            Schema::String | Schema::Uuid(UuidSchema::String) => self.push(Node::String),
            Schema::Fixed(f)
            | Schema::Uuid(UuidSchema::Fixed(f))
            | Schema::Duration(f)
            | Schema::Decimal(apache_avro::schema::DecimalSchema {
                inner: InnerDecimalSchema::Fixed(f),
                ..
            }) => {
                let named = named(&f.name, &f.aliases);
                let id = self.declare(&f.name, &named.aliases);
                self.nodes[id] = Node::Fixed(named, f.size);
                id
            }
            Schema::Enum(e) => {
                let named = named(&e.name, &e.aliases);
                let id = self.declare(&e.name, &named.aliases);
                let lookup = e
                    .symbols
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.clone(), i as u32))
                    .collect::<HashMap<_, _>>();
                let default = match &e.default {
                    Some(d) => Some(*lookup.get(d).ok_or_else(|| {
                        format!(
                            "enum {}: default {d:?} is not one of its symbols",
                            named.full
                        )
                    })?),
                    None => None,
                };
                self.nodes[id] = Node::Enum(EnumNode {
                    name: named,
                    symbols: e.symbols.clone(),
                    lookup,
                    default,
                });
                id
            }
            Schema::Array(a) => {
                let items = self.build(&a.items)?;
                self.push(Node::Array(items))
            }
            Schema::Map(m) => {
                let values = self.build(&m.types)?;
                self.push(Node::Map(values))
            }
            Schema::Union(u) => {
                let mut branches = Vec::with_capacity(u.variants().len());
                for v in u.variants() {
                    branches.push(self.build(v)?);
                }
                self.push(Node::Union(UnionNode {
                    shadowed: vec![0; branches.len()],
                    branches,
                    names: Vec::new(),
                    candidates: Default::default(),
                }))
            }
            Schema::Record(r) => {
                let named = named(&r.name, &r.aliases);
                let id = self.declare(&r.name, &named.aliases);
                let mut fields = Vec::with_capacity(r.fields.len());
                let mut lookup = HashMap::with_capacity(r.fields.len());
                for (i, f) in r.fields.iter().enumerate() {
                    let node = self.build(&f.schema)?;
                    if lookup.insert(f.name.clone(), i).is_some() {
                        return Err(format!(
                            "record {}: field {:?} is defined twice",
                            named.full, f.name
                        ));
                    }
                    if let Some(d) = &f.default {
                        self.defaults.push(RawDefault {
                            record: id,
                            field: i,
                            json: d.clone(),
                        });
                    }
                    fields.push(Field {
                        name: f.name.clone(),
                        aliases: f.aliases.clone(),
                        node,
                        default: None,
                    });
                }
                self.nodes[id] = Node::Record(RecordNode {
                    name: named,
                    fields,
                    lookup,
                });
                id
            }
            Schema::Ref { name } => {
                let full = name.fullname(None);
                *self
                    .names
                    .get(&full)
                    .ok_or_else(|| format!("unknown type {full:?}"))?
            }
        })
    }
}

fn named(name: &apache_avro::schema::Name, aliases: &apache_avro::schema::Aliases) -> Named {
    Named {
        full: name.fullname(None),
        aliases: aliases
            .iter()
            .flatten()
            .map(|a| a.fullname(name.namespace()))
            .collect(),
    }
}

/// Which nodes may encode to zero bytes: assume every record may (the safe answer for a
/// record that only contains itself), then clear records with a field that cannot, until
/// nothing changes.
fn zero_sized(nodes: &[Node]) -> Vec<bool> {
    let mut zero: Vec<bool> = nodes
        .iter()
        .map(|n| match n {
            Node::Null | Node::Record(_) => true,
            Node::Fixed(_, size) => *size == 0,
            _ => false,
        })
        .collect();
    loop {
        let mut changed = false;
        for (id, n) in nodes.iter().enumerate() {
            if let Node::Record(r) = n
                && zero[id]
                && r.fields.iter().any(|f| !zero[f.node])
            {
                zero[id] = false;
                changed = true;
            }
        }
        if !changed {
            return zero;
        }
    }
}
