//! The history: every client operation and every fault, in the order they happened, as
//! Jepsen records them: an `invoke` when an operation starts, then `ok` (it happened),
//! `fail` (it certainly did not) or `info` (unknown: the process was killed, or failed in a
//! way that may have left part of it done). Written as JSON lines to `history.jsonl` in the
//! run's directory and kept in memory for the checker.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;

/// What is known of an operation's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Started.
    Invoke,
    /// Happened, with the offsets printed when known.
    Ok,
    /// Certainly did not happen (a documented refusal).
    Fail,
    /// Unknown: killed, or an error after part of it may have been done.
    Info,
}

/// One line of the history.
#[derive(Clone, Debug, Serialize)]
pub struct Op {
    /// Milliseconds since the run started (monotonic clock).
    pub t_ms: u64,
    /// The client (`p0`, `reader-rc`, ...) or `nemesis`.
    pub process: String,
    /// The invocation of that client (each spawned child process is one).
    pub inv: u64,
    /// What kind of client: `produce-all`, `produce-1`, `txn`, `read`, `group`, `pipe`,
    /// `admin`, `fault`.
    pub kind: String,
    /// The operation: `produce`, `commit`, `abort`, `read`, a fault's name...
    pub op: String,
    pub outcome: Outcome,
    /// The topic the operation is about, if one.
    pub topic: String,
    /// Values written or read.
    pub values: Vec<String>,
    /// (partition, offset) of each value, when known.
    pub offsets: Vec<(u32, i64)>,
    /// An exit code, a command's output line: whatever helps a reader of the history.
    pub detail: String,
}

/// The history of one run.
pub struct History {
    start: Instant,
    inner: Mutex<(Vec<Op>, BufWriter<File>)>,
}

impl History {
    /// A history written to `path`.
    pub fn create(path: &Path) -> History {
        let file = File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        History {
            start: Instant::now(),
            inner: Mutex::new((Vec::new(), BufWriter::new(file))),
        }
    }

    /// Milliseconds since the run started.
    pub fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// Appends `op` (its time set now).
    pub fn record(&self, mut op: Op) {
        op.t_ms = self.now_ms();
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let line = serde_json::to_string(&op).unwrap_or_default();
        let _ = writeln!(g.1, "{line}");
        g.0.push(op);
    }

    /// Every operation so far, and the file flushed.
    pub fn ops(&self) -> Vec<Op> {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let _ = g.1.flush();
        g.0.clone()
    }
}

/// An operation with no time yet (set by [`History::record`]).
pub fn op(process: &str, inv: u64, kind: &str, op: &str, outcome: Outcome) -> Op {
    Op {
        t_ms: 0,
        process: process.to_string(),
        inv,
        kind: kind.to_string(),
        op: op.to_string(),
        outcome,
        topic: String::new(),
        values: Vec::new(),
        offsets: Vec::new(),
        detail: String::new(),
    }
}

/// A line of the history as the checker prints it around a violation.
pub fn show(op: &Op) -> String {
    let mut s = format!(
        "{:>8}ms {:<12} #{:<4} {:<11} {:<8} {:<6} {}",
        op.t_ms,
        op.process,
        op.inv,
        op.kind,
        op.op,
        format!("{:?}", op.outcome).to_lowercase(),
        op.topic
    );
    if !op.values.is_empty() {
        let vals: Vec<String> = op
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| match op.offsets.get(i) {
                Some((p, o)) => format!("{v}@{p}:{o}"),
                None => v.clone(),
            })
            .collect();
        s.push_str(&format!(" [{}]", vals.join(" ")));
    }
    if !op.detail.is_empty() {
        s.push_str(&format!(" ({})", op.detail));
    }
    s
}
