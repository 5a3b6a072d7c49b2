//! JSON to Avro binary, straight into the caller's buffer, driven by the compiled nodes.
//!
//! Accepts plain JSON (bare union values, matched by JSON kind) and Avro's JSON encoding
//! (unions wrapped as `{"branch": value}`); bytes and fixed are strings of code points
//! 0-255. Must not: allocate per value beyond what a failed union branch needs to roll back,
//! or look anything up in the schema by name except record fields.

use serde_json::Value;

use super::MAX_DEPTH;
use super::compile::{Compiled, Kind, Node, NodeId, UnionNode};
use super::error::{AtPath, Fail, json_fail, shown};

/// Appends `n` as a zigzag varint (Avro's int and long).
#[inline]
pub(super) fn write_long(out: &mut Vec<u8>, n: i64) {
    let mut z = ((n << 1) ^ (n >> 63)) as u64;
    while z >= 0x80 {
        out.push((z as u8) | 0x80);
        z >>= 7;
    }
    out.push(z as u8);
}

/// Appends a length-prefixed byte string.
#[inline]
pub(super) fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    write_long(out, b.len() as i64);
    out.extend_from_slice(b);
}

fn expected(what: &str, v: &Value) -> Fail {
    json_fail(format!("expected {what}, found {}", shown(v)))
}

/// Encodes `v` as node `id`. On error `out` may hold a partial value; callers that retry
/// (unions) or report (the public API) truncate it.
pub(super) fn encode(
    c: &Compiled,
    id: NodeId,
    v: &Value,
    out: &mut Vec<u8>,
    depth: usize,
) -> Result<(), Fail> {
    match &c.nodes[id] {
        Node::Null => match v {
            Value::Null => Ok(()),
            _ => Err(expected("null", v)),
        },
        Node::Boolean => match v {
            Value::Bool(b) => {
                out.push(u8::from(*b));
                Ok(())
            }
            _ => Err(expected("a boolean", v)),
        },
        Node::Int => {
            let n = integer(v, "an int")?;
            let n = i32::try_from(n).map_err(|_| out_of_range(v, "an int"))?;
            write_long(out, i64::from(n));
            Ok(())
        }
        Node::Long => {
            let n = integer(v, "a long")?;
            write_long(out, n);
            Ok(())
        }
        Node::Float => {
            let x = floating(v, "a float")?;
            // Rounding to the nearest float overflows to infinity only when out of range.
            let narrow = x as f32;
            if x.is_finite() && !narrow.is_finite() {
                return Err(json_fail(format!("{x} is out of range for a float")));
            }
            out.extend_from_slice(&narrow.to_le_bytes());
            Ok(())
        }
        Node::Double => {
            let x = floating(v, "a double")?;
            out.extend_from_slice(&x.to_le_bytes());
            Ok(())
        }
        Node::String => match v {
            Value::String(s) => {
                write_bytes(out, s.as_bytes());
                Ok(())
            }
            _ => Err(expected("a string", v)),
        },
        Node::Bytes => match v {
            Value::String(s) => {
                let n = code_points(s)?;
                write_long(out, n as i64);
                push_code_points(s, out);
                Ok(())
            }
            _ => Err(expected("bytes (a string of code points 0-255)", v)),
        },
        Node::Fixed(name, size) => match v {
            Value::String(s) => {
                let n = code_points(s)?;
                if n != *size {
                    return Err(json_fail(format!(
                        "fixed {} takes {size} bytes, found {n}",
                        name.full
                    )));
                }
                push_code_points(s, out);
                Ok(())
            }
            _ => Err(expected(
                &format!("fixed {} (a string of {size} code points 0-255)", name.full),
                v,
            )),
        },
        Node::Enum(e) => match v {
            Value::String(s) => match e.lookup.get(s.as_str()) {
                Some(i) => {
                    write_long(out, i64::from(*i));
                    Ok(())
                }
                None => Err(json_fail(format!(
                    "{} is not a symbol of enum {} ({})",
                    shown(v),
                    e.name.full,
                    e.symbols.join(", ")
                ))),
            },
            _ => Err(expected(&format!("a symbol of enum {}", e.name.full), v)),
        },
        Node::Array(items) => match v {
            Value::Array(a) => {
                let depth = deeper(depth)?;
                if !a.is_empty() {
                    write_long(out, a.len() as i64);
                    for (i, item) in a.iter().enumerate() {
                        encode(c, *items, item, out, depth).at_index(i)?;
                    }
                }
                out.push(0);
                Ok(())
            }
            _ => Err(expected("an array", v)),
        },
        Node::Map(values) => match v {
            Value::Object(m) => {
                let depth = deeper(depth)?;
                if !m.is_empty() {
                    write_long(out, m.len() as i64);
                    for (k, item) in m {
                        write_bytes(out, k.as_bytes());
                        encode(c, *values, item, out, depth).at_key(k)?;
                    }
                }
                out.push(0);
                Ok(())
            }
            _ => Err(expected("a map (a JSON object)", v)),
        },
        Node::Record(r) => {
            let Value::Object(m) = v else {
                return Err(expected(
                    &format!("a record {} (a JSON object)", r.name.full),
                    v,
                ));
            };
            let depth = deeper(depth)?;
            let mut seen = 0;
            // JSON objects usually list the fields in schema order: take them in step with
            // the object's own order, and look a field up by name only when that fails.
            let mut entries = m.iter();
            let mut next = entries.next();
            for f in &r.fields {
                let found = match next {
                    Some((k, fv)) if *k == f.name => {
                        next = entries.next();
                        Some(fv)
                    }
                    _ => m.get(&f.name),
                };
                match found {
                    Some(fv) => {
                        seen += 1;
                        encode(c, f.node, fv, out, depth).at_key(&f.name)?;
                    }
                    None => match &f.default {
                        Some(d) => out.extend_from_slice(&d.bin),
                        None => {
                            return Err(json_fail("missing, and the schema gives no default"))
                                .at_key(&f.name);
                        }
                    },
                }
            }
            if seen < m.len()
                && let Some(k) = m.keys().find(|k| !r.lookup.contains_key(k.as_str()))
            {
                return Err(json_fail(format!("not a field of record {}", r.name.full))).at_key(k);
            }
            Ok(())
        }
        Node::Union(u) => encode_union(c, u, v, out, depth).map(|_| ()),
    }
}

fn deeper(depth: usize) -> Result<usize, Fail> {
    if depth >= MAX_DEPTH {
        Err(json_fail(format!("nested deeper than {MAX_DEPTH} levels")))
    } else {
        Ok(depth + 1)
    }
}

/// Encodes `v` into one branch of union `u` and returns the branch: a one-key object naming
/// a branch is Avro's wrapped form; anything else is a bare value, matched by its JSON kind
/// against the candidates in order (the first that takes it wins).
pub(super) fn encode_union(
    c: &Compiled,
    u: &UnionNode,
    v: &Value,
    out: &mut Vec<u8>,
    depth: usize,
) -> Result<usize, Fail> {
    let start = out.len();
    let mut wrapped_error = None;
    if let Value::Object(m) = v
        && m.len() == 1
        && let Some((key, inner)) = m.iter().next()
        && let Some(b) = u.branch_named(key)
    {
        write_long(out, b as i64);
        match encode(c, u.branches[b], inner, out, depth).at_key(key) {
            Ok(()) => return Ok(b),
            Err(e) => {
                out.truncate(start);
                // A map or record may have one key that happens to name a branch: try the
                // bare reading before giving up, but report the wrapped error.
                wrapped_error = Some(e);
            }
        }
    }
    let kind = Kind::of(v);
    let mut first_error = None;
    for &b in &u.candidates[kind as usize] {
        write_long(out, b as i64);
        match encode(c, u.branches[b], v, out, depth) {
            Ok(()) => return Ok(b),
            Err(e) => {
                out.truncate(start);
                // A string tried as float or double (for "NaN") says nothing useful when
                // it fails: the union's own "expected null or float" does.
                let fallback = kind == Kind::Str
                    && matches!(c.nodes[u.branches[b]], Node::Float | Node::Double);
                if !fallback {
                    first_error.get_or_insert(e);
                }
            }
        }
    }
    Err(match (wrapped_error, first_error) {
        (Some(e), _) => e,
        (None, Some(e)) => e,
        (None, None) => expected(&u.describe(), v),
    })
}

/// The branch a bare or wrapped JSON value would be encoded in, if any.
pub(super) fn pick_branch(c: &Compiled, u: &UnionNode, v: &Value) -> Option<usize> {
    let mut scratch = Vec::new();
    encode_union(c, u, v, &mut scratch, 0).ok()
}

fn integer(v: &Value, what: &str) -> Result<i64, Fail> {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(i)
            } else if n.is_u64() {
                Err(out_of_range(v, what))
            } else {
                // A float is refused even when it has no fraction: 1.0 or 1e3 in the input
                // usually means the wrong column or a lossy producer upstream.
                Err(expected(what, v))
            }
        }
        _ => Err(expected(what, v)),
    }
}

fn out_of_range(v: &Value, what: &str) -> Fail {
    json_fail(format!("{v} is out of range for {what}"))
}

fn floating(v: &Value, what: &str) -> Result<f64, Fail> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| expected(what, v)),
        Value::String(s) => match s.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => Err(expected(what, v)),
        },
        _ => Err(expected(what, v)),
    }
}

/// The number of bytes a code-point string stands for, or the first character above 255.
fn code_points(s: &str) -> Result<usize, Fail> {
    if s.is_ascii() {
        return Ok(s.len());
    }
    let mut n = 0;
    for (i, ch) in s.chars().enumerate() {
        if u32::from(ch) > 0xff {
            return Err(json_fail(format!(
                "character {i} ({ch:?}, U+{:04X}) is not a byte: bytes and fixed are strings \
                 of code points 0-255",
                u32::from(ch)
            )));
        }
        n += 1;
    }
    Ok(n)
}

/// Appends the bytes of a string already checked by [`code_points`].
fn push_code_points(s: &str, out: &mut Vec<u8>) {
    if s.is_ascii() {
        out.extend_from_slice(s.as_bytes());
    } else {
        out.extend(s.chars().map(|ch| u32::from(ch) as u8));
    }
}
