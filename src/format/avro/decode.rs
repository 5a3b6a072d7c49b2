//! Avro binary to plain JSON (and skipping values), driven by the compiled nodes.
//!
//! Owns: the [`Cursor`] over one datum, which checks every length against the bytes
//! remaining before using it, and the item budget for arrays of zero-byte values.
//! Must not: panic or allocate in proportion to a length field that the bytes remaining do
//! not back.

use serde_json::{Map, Number, Value};

use super::compile::{Compiled, Kind, Node, NodeId};
use super::encode::pick_branch;
use super::error::{AtPath, Fail, FailKind, datum_fail};
use super::{MAX_DEPTH, ZERO_SIZE_ITEMS};

/// A read position in one datum.
pub(super) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    /// How many more zero-byte array items this datum may hold (see [`ZERO_SIZE_ITEMS`]).
    budget: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(buf: &'a [u8]) -> Cursor<'a> {
        Cursor {
            buf,
            pos: 0,
            budget: ZERO_SIZE_ITEMS,
        }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// The bytes read since position `start`.
    pub fn since(&self, start: usize) -> &'a [u8] {
        self.buf.get(start..self.pos).unwrap_or_default()
    }

    pub fn fail(&self, message: impl Into<String>) -> Fail {
        datum_fail(FailKind::Datum, self.pos, message)
    }

    /// Errors unless the whole datum was read.
    pub fn finish(&self) -> Result<(), Fail> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(self.fail(format!("{n} trailing bytes after the datum"))),
        }
    }

    #[inline]
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Fail> {
        match self.buf.get(self.pos..self.pos.saturating_add(n)) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(self.fail(format!(
                "truncated: {n} bytes needed, {} left",
                self.remaining()
            ))),
        }
    }

    #[inline]
    pub fn byte(&mut self) -> Result<u8, Fail> {
        match self.buf.get(self.pos) {
            Some(b) => {
                self.pos += 1;
                Ok(*b)
            }
            None => Err(self.fail("truncated: the datum ends inside a value")),
        }
    }

    /// A zigzag varint of at most 10 bytes.
    #[inline]
    pub fn long(&mut self) -> Result<i64, Fail> {
        let start = self.pos;
        let mut z: u64 = 0;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            // The tenth byte may only carry the 64th bit.
            if shift == 63 && b > 1 {
                self.pos = start;
                return Err(self.fail("varint longer than 64 bits"));
            }
            z |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok((z >> 1) as i64 ^ -((z & 1) as i64));
            }
        }
        self.pos = start;
        Err(self.fail("varint longer than 10 bytes"))
    }

    #[inline]
    pub fn int(&mut self) -> Result<i32, Fail> {
        let start = self.pos;
        let n = self.long()?;
        i32::try_from(n).map_err(|_| {
            self.pos = start;
            self.fail(format!("{n} is out of range for an int"))
        })
    }

    /// A length-prefixed byte string.
    #[inline]
    pub fn bytes(&mut self) -> Result<&'a [u8], Fail> {
        let start = self.pos;
        let n = self.long()?;
        if n < 0 {
            self.pos = start;
            return Err(self.fail(format!("negative length {n}")));
        }
        let left = self.remaining();
        if n as u64 > left as u64 {
            self.pos = start;
            return Err(self.fail(format!("length {n} is beyond the {left} bytes left")));
        }
        self.take(n as usize)
    }

    #[inline]
    pub fn str(&mut self) -> Result<&'a str, Fail> {
        let start = self.pos;
        let b = self.bytes()?;
        std::str::from_utf8(b).map_err(|e| {
            self.pos = start;
            self.fail(format!("string is not UTF-8: {e}"))
        })
    }

    pub fn boolean(&mut self) -> Result<bool, Fail> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            b => {
                self.pos -= 1;
                Err(self.fail(format!("boolean byte {b:#04x} is neither 0 nor 1")))
            }
        }
    }

    pub fn float(&mut self) -> Result<f32, Fail> {
        let b = self.take(4)?;
        let a: [u8; 4] = b.try_into().map_err(|_| self.fail("truncated float"))?;
        Ok(f32::from_le_bytes(a))
    }

    pub fn double(&mut self) -> Result<f64, Fail> {
        let b = self.take(8)?;
        let a: [u8; 8] = b.try_into().map_err(|_| self.fail("truncated double"))?;
        Ok(f64::from_le_bytes(a))
    }

    /// An index below `n` (union branch or enum symbol).
    pub fn index(&mut self, n: usize, what: &str) -> Result<usize, Fail> {
        let start = self.pos;
        let i = self.long()?;
        match usize::try_from(i) {
            Ok(i) if i < n => Ok(i),
            _ => {
                self.pos = start;
                Err(self.fail(format!("{what} index {i} is not below {n}")))
            }
        }
    }

    /// The item count of the next array or map block (0 ends the value), with its byte size
    /// when the writer gave one (a negative count). Counts are bounded by the bytes left, or
    /// for zero-byte items by the datum's item budget, before anyone allocates for them.
    pub fn block(&mut self, zero_size_items: bool) -> Result<(usize, Option<usize>), Fail> {
        let start = self.pos;
        let n = self.long()?;
        let (count, size) = if n < 0 {
            let count = n
                .checked_neg()
                .ok_or_else(|| self.fail("block count overflows"))?;
            let size = self.long()?;
            let left = self.remaining();
            if size < 0 || size as u64 > left as u64 {
                self.pos = start;
                return Err(self.fail(format!(
                    "block size {size} is not within the {left} bytes left"
                )));
            }
            (count as u64, Some(size as usize))
        } else {
            (n as u64, None)
        };
        if zero_size_items {
            if count > self.budget as u64 {
                self.pos = start;
                return Err(self.fail(format!(
                    "block of {count} items is beyond the {ZERO_SIZE_ITEMS} zero-byte items a \
                     datum may hold"
                )));
            }
            self.budget -= count as usize;
        } else if count > self.remaining() as u64 {
            let left = self.remaining();
            self.pos = start;
            return Err(self.fail(format!(
                "block of {count} items is beyond the {left} bytes left"
            )));
        }
        Ok((count as usize, size))
    }

    /// Decodes one value of node `id` as plain JSON.
    pub fn value(&mut self, c: &Compiled, id: NodeId, depth: usize) -> Result<Value, Fail> {
        Ok(match &c.nodes[id] {
            Node::Null => Value::Null,
            Node::Boolean => Value::Bool(self.boolean()?),
            Node::Int => Value::from(self.int()?),
            Node::Long => Value::from(self.long()?),
            Node::Float => float_json(self.float()?),
            Node::Double => double_json(self.double()?),
            Node::Bytes => code_point_string(self.bytes()?),
            Node::String => Value::String(self.str()?.to_string()),
            Node::Fixed(_, size) => code_point_string(self.take(*size)?),
            Node::Enum(e) => {
                let i = self.index(e.symbols.len(), "enum symbol")?;
                Value::String(e.symbols[i].clone())
            }
            Node::Array(items) => {
                let depth = self.deeper(depth)?;
                let zero = c.zero[*items];
                let mut out = Vec::new();
                loop {
                    let (n, _) = self.block(zero)?;
                    if n == 0 {
                        break;
                    }
                    out.reserve(n.min(4096));
                    for _ in 0..n {
                        let i = out.len();
                        out.push(self.value(c, *items, depth).at_index(i)?);
                    }
                }
                Value::Array(out)
            }
            Node::Map(values) => {
                let depth = self.deeper(depth)?;
                let mut out = Map::new();
                loop {
                    let (n, _) = self.block(false)?;
                    if n == 0 {
                        break;
                    }
                    for _ in 0..n {
                        let k = self.str()?;
                        let v = self.value(c, *values, depth).at_key(k)?;
                        out.insert(k.to_string(), v);
                    }
                }
                Value::Object(out)
            }
            Node::Record(r) => {
                let depth = self.deeper(depth)?;
                let mut out = Map::with_capacity(r.fields.len());
                for f in &r.fields {
                    let v = self.value(c, f.node, depth).at_key(&f.name)?;
                    out.insert(f.name.clone(), v);
                }
                Value::Object(out)
            }
            Node::Union(u) => {
                let b = self.index(u.branches.len(), "union branch")?;
                let v = self.value(c, u.branches[b], depth)?;
                wrap_if_shadowed(c, id, b, v)
            }
        })
    }

    /// Skips one value of node `id`, checking its structure (a block with a byte size is
    /// jumped over whole).
    pub fn skip(&mut self, c: &Compiled, id: NodeId, depth: usize) -> Result<(), Fail> {
        match &c.nodes[id] {
            Node::Null => {}
            Node::Boolean => {
                self.boolean()?;
            }
            Node::Int => {
                self.int()?;
            }
            Node::Long => {
                self.long()?;
            }
            Node::Float => {
                self.take(4)?;
            }
            Node::Double => {
                self.take(8)?;
            }
            Node::Bytes => {
                self.bytes()?;
            }
            Node::String => {
                self.str()?;
            }
            Node::Fixed(_, size) => {
                self.take(*size)?;
            }
            Node::Enum(e) => {
                self.index(e.symbols.len(), "enum symbol")?;
            }
            Node::Array(items) => {
                let depth = self.deeper(depth)?;
                let zero = c.zero[*items];
                let mut i = 0;
                loop {
                    match self.block(zero)? {
                        (0, _) => break,
                        (_, Some(size)) => {
                            self.take(size)?;
                        }
                        (n, None) => {
                            for _ in 0..n {
                                self.skip(c, *items, depth).at_index(i)?;
                                i += 1;
                            }
                        }
                    }
                }
            }
            Node::Map(values) => {
                let depth = self.deeper(depth)?;
                loop {
                    match self.block(false)? {
                        (0, _) => break,
                        (_, Some(size)) => {
                            self.take(size)?;
                        }
                        (n, None) => {
                            for _ in 0..n {
                                let k = self.str()?;
                                self.skip(c, *values, depth).at_key(k)?;
                            }
                        }
                    }
                }
            }
            Node::Record(r) => {
                let depth = self.deeper(depth)?;
                for f in &r.fields {
                    self.skip(c, f.node, depth).at_key(&f.name)?;
                }
            }
            Node::Union(u) => {
                let b = self.index(u.branches.len(), "union branch")?;
                self.skip(c, u.branches[b], depth)?;
            }
        }
        Ok(())
    }

    pub fn deeper(&self, depth: usize) -> Result<usize, Fail> {
        if depth >= MAX_DEPTH {
            Err(self.fail(format!("nested deeper than {MAX_DEPTH} levels")))
        } else {
            Ok(depth + 1)
        }
    }
}

/// A union value as plain JSON: bare, unless encoding the bare value would pick another
/// branch (`["int","long"]` holding a long, `["string","bytes"]` holding bytes); then Avro's
/// wrapped form `{"long": 5}`, so that the JSON always encodes back to the same bytes.
pub(super) fn wrap_if_shadowed(c: &Compiled, union: NodeId, branch: usize, v: Value) -> Value {
    let Node::Union(u) = &c.nodes[union] else {
        return v;
    };
    let mask = u.shadowed.get(branch).copied().unwrap_or(0);
    // A map or record with one key naming a branch reads as the wrapped form.
    let looks_wrapped = matches!(&v, Value::Object(m) if m.len() == 1
        && m.keys().next().is_some_and(|k| u.branch_named(k).is_some()));
    let suspect = mask & (1 << Kind::of(&v) as u8) != 0 || looks_wrapped;
    if !suspect || pick_branch(c, u, &v) == Some(branch) {
        return v;
    }
    let mut m = Map::with_capacity(1);
    m.insert(u.names[branch].clone(), v);
    Value::Object(m)
}

/// A float as JSON: the shortest decimal that reads back as the same float (62.5, 0.1, not
/// 0.10000000149011612), NaN and the infinities as strings.
pub(super) fn float_json(x: f32) -> Value {
    if !x.is_finite() {
        return non_finite(f64::from(x));
    }
    // serde_json writes a float as its shortest round-trip decimal (and several times
    // faster than std's `{:e}`); a stack buffer keeps it allocation-free.
    let mut buf = [0u8; 32];
    let mut w = &mut buf[..];
    let written = serde_json::to_writer(&mut w, &x).is_ok();
    let used = 32 - w.len();
    let text = buf.get(..used).and_then(|b| std::str::from_utf8(b).ok());
    // Checked, not assumed: the decimal read as a double and then narrowed must land on
    // the same float; if not, the float's exact double value does.
    let wide = text
        .filter(|_| written)
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|d| *d as f32 == x)
        .unwrap_or(f64::from(x));
    double_json(wide)
}

/// A double as JSON, NaN and the infinities as strings.
pub(super) fn double_json(x: f64) -> Value {
    match Number::from_f64(x) {
        Some(n) => Value::Number(n),
        None => non_finite(x),
    }
}

fn non_finite(x: f64) -> Value {
    Value::String(
        if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .into(),
    )
}

/// Bytes as Avro's JSON encoding writes them: one code point per byte.
pub(super) fn code_point_string(b: &[u8]) -> Value {
    Value::String(b.iter().map(|&x| char::from(x)).collect())
}
