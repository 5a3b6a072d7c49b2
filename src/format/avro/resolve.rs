//! Avro schema resolution: how data written with one schema is read with another.
//!
//! A [`Plan`] pairs every writer node with the reader node it is read as, once per
//! (writer, reader) pair of schemas: fields matched by name or reader alias, defaults for
//! reader fields the writer lacks, removed fields skipped, promotions (int to long, float,
//! double; long to float, double; float to double; string and bytes both ways), enum symbols
//! mapped (or to the reader's default), union branches matched. The plan then decodes to
//! JSON shaped by the reader, or re-encodes in the reader's schema, with no per-record
//! schema work. The same plan answers [`Plan::check`], the registry's compatibility question.
//!
//! Must not: fail when building a plan. An incompatibility becomes a [`Step::Fail`] that
//! only errors when data reaches it (a writer union branch never used does no harm when
//! reading), and that `check` reports.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::compile::{Compiled, Node, NodeId, RecordNode, UnionNode};
use super::decode::{Cursor, code_point_string, double_json, float_json, wrap_if_shadowed};
use super::encode::{write_bytes, write_long};
use super::error::{AtPath, Fail, FailKind, datum_fail};

type StepId = usize;

/// How a writer value becomes a reader value.
pub(super) struct Plan {
    pub w: Arc<Compiled>,
    pub r: Arc<Compiled>,
    steps: Vec<Step>,
    root: StepId,
}

#[derive(Debug, Clone, Copy)]
enum Promotion {
    IntLong,
    IntFloat,
    IntDouble,
    LongFloat,
    LongDouble,
    FloatDouble,
    StringBytes,
    BytesString,
}

enum Step {
    /// Same type on both sides: read as the writer's node.
    Same(NodeId),
    Promote(Promotion),
    Record {
        /// The reader's record node.
        r: NodeId,
        /// Writer fields in writer order.
        fields: Vec<WriterField>,
        /// When the matched fields come in the reader's order, the re-encoding is a stream
        /// of writer fields and reader defaults; else fields are buffered and reordered.
        stream: Option<Vec<Emit>>,
    },
    Enum {
        w: NodeId,
        r: NodeId,
        /// Writer symbol index to reader symbol index (None: the reader lacks it and has no
        /// default).
        map: Vec<Option<u32>>,
    },
    Array {
        w_items: NodeId,
        items: StepId,
    },
    Map(StepId),
    /// The writer wrote a union: each branch is resolved against the whole reader type.
    WriterUnion(Vec<StepId>),
    /// The writer's type is one branch of the reader's union.
    ReaderUnion {
        r: NodeId,
        branch: usize,
        step: StepId,
    },
    /// The reader cannot take this writer type. `field` names a reader field when it is
    /// that field that fails (no default for it).
    Fail {
        field: Option<String>,
        message: String,
    },
}

struct WriterField {
    name: String,
    node: NodeId,
    /// Reader field index and how to read it; None: the reader dropped the field.
    target: Option<(usize, StepId)>,
}

#[derive(Clone, Copy)]
enum Emit {
    /// Re-encode writer field `i` (or skip it when the reader dropped it).
    Writer(usize),
    /// Copy reader field `i`'s encoded default.
    Default(usize),
}

impl Plan {
    /// Pairs every reachable writer node with its reader node.
    pub fn new(w: Arc<Compiled>, r: Arc<Compiled>) -> Plan {
        let mut b = Builder {
            w: &w,
            r: &r,
            steps: Vec::new(),
            memo: HashMap::new(),
        };
        let root = b.step(w.root, r.root);
        let steps = b.steps;
        Plan { w, r, steps, root }
    }

    /// Decodes a writer datum as JSON shaped by the reader schema.
    pub fn value(&self, cur: &mut Cursor) -> Result<Value, Fail> {
        self.value_at(cur, self.root, 0)
    }

    /// Re-encodes a writer datum in the reader schema.
    pub fn write(&self, cur: &mut Cursor, out: &mut Vec<u8>) -> Result<(), Fail> {
        self.write_at(cur, self.root, out, 0)
    }

    fn reader_record(&self, r: NodeId) -> Result<&RecordNode, Fail> {
        match &self.r.nodes[r] {
            Node::Record(rec) => Ok(rec),
            _ => Err(datum_fail(
                FailKind::Resolution,
                0,
                "internal: not a record",
            )),
        }
    }

    fn fail_at(cur: &Cursor, field: &Option<String>, message: &str) -> Result<Value, Fail> {
        let e = Err(datum_fail(FailKind::Resolution, cur.pos(), message));
        match field {
            Some(f) => e.at_key(f),
            None => e,
        }
    }

    fn value_at(&self, cur: &mut Cursor, s: StepId, depth: usize) -> Result<Value, Fail> {
        Ok(match &self.steps[s] {
            Step::Same(w) => cur.value(&self.w, *w, depth)?,
            Step::Promote(p) => match p {
                Promotion::IntLong => Value::from(cur.int()?),
                Promotion::IntFloat => float_json(cur.int()? as f32),
                Promotion::IntDouble => double_json(f64::from(cur.int()?)),
                Promotion::LongFloat => float_json(cur.long()? as f32),
                Promotion::LongDouble => double_json(cur.long()? as f64),
                Promotion::FloatDouble => double_json(f64::from(cur.float()?)),
                Promotion::StringBytes => code_point_string(cur.bytes()?),
                Promotion::BytesString => Value::String(cur.str()?.to_string()),
            },
            Step::Record { r, fields, .. } => {
                let rec = self.reader_record(*r)?;
                let depth = cur.deeper(depth)?;
                let mut slots: Vec<Option<Value>> = vec![None; rec.fields.len()];
                for wf in fields {
                    match wf.target {
                        Some((i, step)) => {
                            let name = &rec.fields[i].name;
                            slots[i] = Some(self.value_at(cur, step, depth).at_key(name)?);
                        }
                        None => cur.skip(&self.w, wf.node, depth).at_key(&wf.name)?,
                    }
                }
                let mut out = Map::with_capacity(rec.fields.len());
                for (f, slot) in rec.fields.iter().zip(slots) {
                    // A reader field without writer field or default made this step a Fail
                    // when the plan was built, so the default is there.
                    let v = match slot {
                        Some(v) => v,
                        None => f.default.as_ref().map_or(Value::Null, |d| d.json.clone()),
                    };
                    out.insert(f.name.clone(), v);
                }
                Value::Object(out)
            }
            Step::Enum { w, r, map } => {
                let i = cur.index(map.len(), "enum symbol")?;
                match (map[i], &self.r.nodes[*r]) {
                    (Some(j), Node::Enum(e)) => Value::String(e.symbols[j as usize].clone()),
                    _ => return self.enum_fail(cur, *w, *r, i),
                }
            }
            Step::Array { w_items, items } => {
                let depth = cur.deeper(depth)?;
                let zero = self.w.zero[*w_items];
                let mut out = Vec::new();
                loop {
                    let (n, _) = cur.block(zero)?;
                    if n == 0 {
                        break;
                    }
                    out.reserve(n.min(4096));
                    for _ in 0..n {
                        let i = out.len();
                        out.push(self.value_at(cur, *items, depth).at_index(i)?);
                    }
                }
                Value::Array(out)
            }
            Step::Map(values) => {
                let depth = cur.deeper(depth)?;
                let mut out = Map::new();
                loop {
                    let (n, _) = cur.block(false)?;
                    if n == 0 {
                        break;
                    }
                    for _ in 0..n {
                        let k = cur.str()?;
                        let v = self.value_at(cur, *values, depth).at_key(k)?;
                        out.insert(k.to_string(), v);
                    }
                }
                Value::Object(out)
            }
            Step::WriterUnion(branches) => {
                let b = cur.index(branches.len(), "union branch")?;
                self.value_at(cur, branches[b], depth)?
            }
            Step::ReaderUnion { r, branch, step } => {
                let v = self.value_at(cur, *step, depth)?;
                wrap_if_shadowed(&self.r, *r, *branch, v)
            }
            Step::Fail { field, message } => return Self::fail_at(cur, field, message),
        })
    }

    fn enum_fail<T>(&self, cur: &Cursor, w: NodeId, r: NodeId, i: usize) -> Result<T, Fail> {
        Err(datum_fail(
            FailKind::Resolution,
            cur.pos(),
            format!(
                "the writer's symbol {} is not in the reader's enum {}, which has no default",
                self.writer_symbol(w, i),
                self.r.type_name(r)
            ),
        ))
    }

    fn write_at(
        &self,
        cur: &mut Cursor,
        s: StepId,
        out: &mut Vec<u8>,
        depth: usize,
    ) -> Result<(), Fail> {
        match &self.steps[s] {
            Step::Same(w) => {
                let start = cur.pos();
                cur.skip(&self.w, *w, depth)?;
                out.extend_from_slice(cur.since(start));
            }
            Step::Promote(p) => match p {
                Promotion::IntLong => write_long(out, i64::from(cur.int()?)),
                Promotion::IntFloat => out.extend_from_slice(&(cur.int()? as f32).to_le_bytes()),
                Promotion::IntDouble => {
                    out.extend_from_slice(&f64::from(cur.int()?).to_le_bytes());
                }
                Promotion::LongFloat => {
                    out.extend_from_slice(&(cur.long()? as f32).to_le_bytes());
                }
                Promotion::LongDouble => {
                    out.extend_from_slice(&(cur.long()? as f64).to_le_bytes());
                }
                Promotion::FloatDouble => {
                    out.extend_from_slice(&f64::from(cur.float()?).to_le_bytes());
                }
                Promotion::StringBytes => write_bytes(out, cur.bytes()?),
                Promotion::BytesString => write_bytes(out, cur.str()?.as_bytes()),
            },
            Step::Record { r, fields, stream } => {
                let rec = self.reader_record(*r)?;
                let depth = cur.deeper(depth)?;
                match stream {
                    Some(emits) => {
                        for e in emits {
                            match *e {
                                Emit::Default(i) => {
                                    if let Some(d) = &rec.fields[i].default {
                                        out.extend_from_slice(&d.bin);
                                    }
                                }
                                Emit::Writer(i) => {
                                    self.write_field(cur, rec, &fields[i], out, depth)?;
                                }
                            }
                        }
                    }
                    None => {
                        // Fields in another order than the reader's: encode each into a
                        // scratch buffer, then emit them in the reader's order.
                        let mut tmp = Vec::new();
                        let mut ranges = vec![None; rec.fields.len()];
                        for wf in fields {
                            let start = tmp.len();
                            self.write_field(cur, rec, wf, &mut tmp, depth)?;
                            if let Some((i, _)) = wf.target {
                                ranges[i] = Some(start..tmp.len());
                            }
                        }
                        for (f, range) in rec.fields.iter().zip(ranges) {
                            match range {
                                Some(range) => out.extend_from_slice(&tmp[range]),
                                None => {
                                    if let Some(d) = &f.default {
                                        out.extend_from_slice(&d.bin);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Step::Enum { w, r, map } => {
                let i = cur.index(map.len(), "enum symbol")?;
                match map[i] {
                    Some(j) => write_long(out, i64::from(j)),
                    None => return self.enum_fail(cur, *w, *r, i),
                }
            }
            Step::Array { w_items, items } => {
                let depth = cur.deeper(depth)?;
                let zero = self.w.zero[*w_items];
                let mut i = 0;
                loop {
                    let (n, _) = cur.block(zero)?;
                    if n == 0 {
                        break;
                    }
                    write_long(out, n as i64);
                    for _ in 0..n {
                        self.write_at(cur, *items, out, depth).at_index(i)?;
                        i += 1;
                    }
                }
                out.push(0);
            }
            Step::Map(values) => {
                let depth = cur.deeper(depth)?;
                loop {
                    let (n, _) = cur.block(false)?;
                    if n == 0 {
                        break;
                    }
                    write_long(out, n as i64);
                    for _ in 0..n {
                        let k = cur.str()?;
                        write_bytes(out, k.as_bytes());
                        self.write_at(cur, *values, out, depth).at_key(k)?;
                    }
                }
                out.push(0);
            }
            Step::WriterUnion(branches) => {
                let b = cur.index(branches.len(), "union branch")?;
                self.write_at(cur, branches[b], out, depth)?;
            }
            Step::ReaderUnion { branch, step, .. } => {
                write_long(out, *branch as i64);
                self.write_at(cur, *step, out, depth)?;
            }
            Step::Fail { field, message } => {
                Self::fail_at(cur, field, message)?;
            }
        }
        Ok(())
    }

    fn write_field(
        &self,
        cur: &mut Cursor,
        rec: &RecordNode,
        wf: &WriterField,
        out: &mut Vec<u8>,
        depth: usize,
    ) -> Result<(), Fail> {
        match wf.target {
            Some((i, step)) => self
                .write_at(cur, step, out, depth)
                .at_key(&rec.fields[i].name),
            None => cur.skip(&self.w, wf.node, depth).at_key(&wf.name),
        }
    }

    /// The first reason some writer value cannot be read, naming its field path.
    pub fn check(&self) -> Result<(), String> {
        let mut seen = vec![false; self.steps.len()];
        self.check_at(self.root, &mut Vec::new(), &mut seen)
    }

    fn check_at(&self, s: StepId, path: &mut Vec<String>, seen: &mut [bool]) -> Result<(), String> {
        if seen[s] {
            return Ok(());
        }
        seen[s] = true;
        let at = |path: &[String], extra: Option<&String>| {
            let mut p: Vec<&str> = path.iter().map(String::as_str).collect();
            if let Some(e) = extra {
                p.push(e);
            }
            if p.is_empty() {
                String::new()
            } else {
                format!("field /{}: ", p.join("/"))
            }
        };
        match &self.steps[s] {
            Step::Same(_) | Step::Promote(_) => Ok(()),
            Step::Fail { field, message } => Err(format!("{}{message}", at(path, field.as_ref()))),
            Step::Enum { w, r, map } => {
                let Some(i) = map.iter().position(Option::is_none) else {
                    return Ok(());
                };
                let symbol = self.writer_symbol(*w, i);
                Err(format!(
                    "{}the writer's symbol {symbol} is not in the reader's enum {}, which has \
                     no default",
                    at(path, None),
                    self.r.type_name(*r)
                ))
            }
            Step::Record { r, fields, .. } => {
                let rec = match &self.r.nodes[*r] {
                    Node::Record(rec) => rec,
                    _ => return Ok(()),
                };
                for wf in fields {
                    if let Some((i, step)) = wf.target {
                        path.push(rec.fields[i].name.clone());
                        let res = self.check_at(step, path, seen);
                        path.pop();
                        res?;
                    }
                }
                Ok(())
            }
            Step::Array { items: inner, .. } | Step::Map(inner) => {
                path.push("*".into());
                let res = self.check_at(*inner, path, seen);
                path.pop();
                res
            }
            Step::WriterUnion(branches) => {
                for b in branches {
                    self.check_at(*b, path, seen)?;
                }
                Ok(())
            }
            Step::ReaderUnion { step, .. } => self.check_at(*step, path, seen),
        }
    }

    /// The writer's spelling of symbol `i` of its enum `w` (for messages).
    fn writer_symbol(&self, w: NodeId, i: usize) -> String {
        match &self.w.nodes[w] {
            Node::Enum(e) => e
                .symbols
                .get(i)
                .map_or(format!("#{i}"), |s| format!("{s:?}")),
            _ => format!("#{i}"),
        }
    }
}

struct Builder<'a> {
    w: &'a Compiled,
    r: &'a Compiled,
    steps: Vec<Step>,
    memo: HashMap<(NodeId, NodeId), StepId>,
}

impl Builder<'_> {
    fn step(&mut self, w: NodeId, r: NodeId) -> StepId {
        if let Some(s) = self.memo.get(&(w, r)) {
            return *s;
        }
        let id = self.steps.len();
        // Reserved before the children are built, so a recursive type refers back to it.
        self.steps.push(Step::Same(w));
        self.memo.insert((w, r), id);
        let s = self.make(w, r);
        self.steps[id] = s;
        id
    }

    fn fail(&self, w: NodeId, r: NodeId) -> Step {
        Step::Fail {
            field: None,
            message: format!(
                "the writer's {} cannot be read as {}",
                self.w.type_name(w),
                self.r.type_name(r)
            ),
        }
    }

    fn make(&mut self, w: NodeId, r: NodeId) -> Step {
        let (wn, rn) = (&self.w.nodes[w], &self.r.nodes[r]);
        match (wn, rn) {
            (Node::Union(wu), _) => {
                let branches = wu.branches.clone();
                Step::WriterUnion(branches.into_iter().map(|b| self.step(b, r)).collect())
            }
            (_, Node::Union(ru)) => match self.reader_branch(w, ru) {
                Some(branch) => {
                    let target = ru.branches[branch];
                    Step::ReaderUnion {
                        r,
                        branch,
                        step: self.step(w, target),
                    }
                }
                None => Step::Fail {
                    field: None,
                    message: format!(
                        "the writer's {} is none of the reader's union branches ({})",
                        self.w.type_name(w),
                        ru.describe()
                    ),
                },
            },
            (Node::Null, Node::Null)
            | (Node::Boolean, Node::Boolean)
            | (Node::Int, Node::Int)
            | (Node::Long, Node::Long)
            | (Node::Float, Node::Float)
            | (Node::Double, Node::Double)
            | (Node::Bytes, Node::Bytes)
            | (Node::String, Node::String) => Step::Same(w),
            (Node::Fixed(wname, wsize), Node::Fixed(rname, rsize)) => {
                if !rname.reads(wname) {
                    self.fail(w, r)
                } else if wsize != rsize {
                    Step::Fail {
                        field: None,
                        message: format!(
                            "fixed {}: the writer's size {wsize} is not the reader's {rsize}",
                            rname.full
                        ),
                    }
                } else {
                    Step::Same(w)
                }
            }
            (Node::Enum(we), Node::Enum(re)) => {
                if !re.name.reads(&we.name) {
                    self.fail(w, r)
                } else if we.symbols == re.symbols {
                    Step::Same(w)
                } else {
                    let map = we
                        .symbols
                        .iter()
                        .map(|s| re.lookup.get(s).copied().or(re.default))
                        .collect();
                    Step::Enum { w, r, map }
                }
            }
            (Node::Array(wi), Node::Array(ri)) => {
                let (wi, ri) = (*wi, *ri);
                Step::Array {
                    w_items: wi,
                    items: self.step(wi, ri),
                }
            }
            (Node::Map(wv), Node::Map(rv)) => {
                let (wv, rv) = (*wv, *rv);
                Step::Map(self.step(wv, rv))
            }
            (Node::Record(wr), Node::Record(rr)) => {
                if !rr.name.reads(&wr.name) {
                    return self.fail(w, r);
                }
                self.record(wr, rr, r)
            }
            _ => match promotion(wn, rn) {
                Some(p) => Step::Promote(p),
                None => self.fail(w, r),
            },
        }
    }

    fn record(&mut self, wr: &RecordNode, rr: &RecordNode, r: NodeId) -> Step {
        let mut taken = vec![false; rr.fields.len()];
        let mut fields = Vec::with_capacity(wr.fields.len());
        for wf in &wr.fields {
            let reader_field = rr.lookup.get(&wf.name).copied().or_else(|| {
                rr.fields
                    .iter()
                    .position(|rf| rf.aliases.iter().any(|a| a == &wf.name))
            });
            let target = match reader_field {
                Some(i) if !taken[i] => {
                    taken[i] = true;
                    Some((i, self.step(wf.node, rr.fields[i].node)))
                }
                _ => None,
            };
            fields.push(WriterField {
                name: wf.name.clone(),
                node: wf.node,
                target,
            });
        }
        for (i, rf) in rr.fields.iter().enumerate() {
            if !taken[i] && rf.default.is_none() {
                return Step::Fail {
                    field: Some(rf.name.clone()),
                    message: format!(
                        "not in the writer's record {}, and the reader gives no default",
                        wr.name.full
                    ),
                };
            }
        }
        let mut stream = Some(Vec::with_capacity(rr.fields.len().max(fields.len())));
        let mut next = 0;
        for (wi, f) in fields.iter().enumerate() {
            if let Some((ri, _)) = f.target {
                if ri < next {
                    stream = None;
                    break;
                }
                if let Some(s) = &mut stream {
                    s.extend((next..ri).map(Emit::Default));
                }
                next = ri + 1;
            }
            if let Some(s) = &mut stream {
                s.push(Emit::Writer(wi));
            }
        }
        if let Some(s) = &mut stream {
            s.extend((next..rr.fields.len()).map(Emit::Default));
        }
        Step::Record { r, fields, stream }
    }

    /// The reader branch a writer type goes to: the same type (and name, for named types)
    /// first, then a lossless promotion, then int or long to float (Java's order).
    fn reader_branch(&self, w: NodeId, ru: &UnionNode) -> Option<usize> {
        let wn = &self.w.nodes[w];
        let same = |rn: &Node| match (wn, rn) {
            (Node::Record(a), Node::Record(b)) => b.name.reads(&a.name),
            (Node::Enum(a), Node::Enum(b)) => b.name.reads(&a.name),
            (Node::Fixed(a, _), Node::Fixed(b, _)) => b.reads(a),
            _ => std::mem::discriminant(wn) == std::mem::discriminant(rn),
        };
        let branches = || ru.branches.iter().map(|b| &self.r.nodes[*b]);
        branches()
            .position(same)
            .or_else(|| {
                branches().position(|rn| {
                    promotion(wn, rn)
                        .is_some_and(|p| !matches!(p, Promotion::IntFloat | Promotion::LongFloat))
                })
            })
            .or_else(|| branches().position(|rn| promotion(wn, rn).is_some()))
    }
}

fn promotion(w: &Node, r: &Node) -> Option<Promotion> {
    Some(match (w, r) {
        (Node::Int, Node::Long) => Promotion::IntLong,
        (Node::Int, Node::Float) => Promotion::IntFloat,
        (Node::Int, Node::Double) => Promotion::IntDouble,
        (Node::Long, Node::Float) => Promotion::LongFloat,
        (Node::Long, Node::Double) => Promotion::LongDouble,
        (Node::Float, Node::Double) => Promotion::FloatDouble,
        (Node::String, Node::Bytes) => Promotion::StringBytes,
        (Node::Bytes, Node::String) => Promotion::BytesString,
        _ => return None,
    })
}
