//! The checker: judges the history against the final logs, one line per property.

use std::collections::{BTreeMap, BTreeSet};

use crate::cluster::Rec;
use crate::history::{Op, Outcome, show};

/// The final state read after healing.
pub struct Finals {
    /// Per topic: every record, read_uncommitted, and read_committed.
    pub ru: BTreeMap<String, Vec<Rec>>,
    pub rc: BTreeMap<String, Vec<Rec>>,
    /// (topic, partition, identical, what differed).
    pub replicas: Vec<(String, u32, bool, String)>,
    /// Per group: committed offset per (topic, partition).
    pub committed: BTreeMap<String, BTreeMap<(String, u32), i64>>,
}

/// What the checker needs to know of the run's topics.
pub struct Topics {
    /// acks=all topics where nothing acknowledged may be lost (the pipe's output is judged by
    /// the pipe's own line: its aborted batches are in its read_uncommitted log).
    pub strict: Vec<String>,
    /// acks=1 topic (losses counted).
    pub acks1: String,
    /// unclean.leader.election.enable=true topic (losses counted).
    pub unclean: String,
    /// The transactional topic.
    pub txn: String,
    /// Pipe: from, to.
    pub pipe: (String, String),
    /// Groups: at-least-once (commit auto) and at-most-once (commit before).
    pub group_auto: String,
    pub group_before: String,
}

/// One checked property.
pub struct Line {
    pub verdict: &'static str,
    pub name: String,
    pub count: usize,
    pub of: String,
    /// The index in the history of the first violating operation.
    pub first: Option<usize>,
}

fn line(verdict: &'static str, name: &str, count: usize, of: String, first: Option<usize>) -> Line {
    Line {
        verdict,
        name: name.to_string(),
        count,
        of,
        first,
    }
}

fn strict(name: &str, count: usize, of: String, first: Option<usize>) -> Line {
    line(
        if count == 0 { "PASS" } else { "FAIL" },
        name,
        count,
        of,
        first,
    )
}

type Log = BTreeMap<(u32, i64), String>;

fn as_log(recs: Option<&Vec<Rec>>) -> Log {
    recs.map(|r| {
        r.iter()
            .map(|r| ((r.partition, r.offset), r.value.clone()))
            .collect()
    })
    .unwrap_or_default()
}

/// Judges; the lines in order.
pub fn check(ops: &[Op], f: &Finals, t: &Topics) -> Vec<Line> {
    let mut out = Vec::new();
    let ru: BTreeMap<&str, Log> =
        f.ru.iter()
            .map(|(k, v)| (k.as_str(), as_log(Some(v))))
            .collect();
    let rc: BTreeMap<&str, Log> =
        f.rc.iter()
            .map(|(k, v)| (k.as_str(), as_log(Some(v))))
            .collect();
    let empty = Log::new();
    let ru_of = |topic: &str| ru.get(topic).unwrap_or(&empty);
    let rc_of = |topic: &str| rc.get(topic).unwrap_or(&empty);

    // Acknowledged writes: each at its printed offset, with its value.
    let mut lost = BTreeMap::<&str, (usize, usize, Option<usize>)>::new();
    for (i, o) in ops.iter().enumerate() {
        if !(o.outcome == Outcome::Ok
            && (o.op == "produce" || (o.kind == "txn" && o.op == "commit")))
        {
            continue;
        }
        let log = if o.kind == "txn" {
            rc_of(&o.topic)
        } else {
            ru_of(&o.topic)
        };
        let e = lost.entry(o.topic.as_str()).or_default();
        for (v, at) in o.values.iter().zip(&o.offsets) {
            e.1 += 1;
            if log.get(at) != Some(v) {
                e.0 += 1;
                e.2.get_or_insert(i);
            }
        }
    }
    let get = |topic: &str| lost.get(topic).copied().unwrap_or_default();
    let (n, of, first) = t.strict.iter().fold((0, 0, None), |acc, topic| {
        let (n, of, first) = get(topic);
        (acc.0 + n, acc.1 + of, acc.2.or(first))
    });
    out.push(strict(
        "acknowledged acks=all writes lost",
        n,
        format!("of {of} acknowledged"),
        first,
    ));
    let (n, of, first) = get(&t.txn);
    out.push(strict(
        "committed transactional writes lost",
        n,
        format!("of {of} committed"),
        first,
    ));

    // Duplicates: a value in a topic's final log more than once.
    let mut dups = 0;
    let mut dup_first = None;
    let mut total = 0;
    for topic in t.strict.iter().chain([&t.acks1, &t.unclean]) {
        let mut seen = BTreeSet::new();
        for v in ru_of(topic).values() {
            total += 1;
            if !v.starts_with("settle-") && !seen.insert(v.as_str()) {
                dups += 1;
                dup_first = dup_first.or_else(|| {
                    ops.iter()
                        .position(|o| o.outcome == Outcome::Invoke && o.values.contains(v))
                });
            }
        }
    }
    let mut seen = BTreeSet::new();
    for v in rc_of(&t.txn).values() {
        total += 1;
        if !v.starts_with("settle-") && !seen.insert(v.as_str()) {
            dups += 1;
            dup_first = dup_first.or_else(|| {
                ops.iter()
                    .position(|o| o.outcome == Outcome::Invoke && o.values.contains(v))
            });
        }
    }
    out.push(strict(
        "duplicates from idempotent or transactional producers",
        dups,
        format!("in {total} records"),
        dup_first,
    ));

    // Records never written (no invoke of that value).
    let written: BTreeSet<&str> = ops
        .iter()
        .filter(|o| o.outcome == Outcome::Invoke && o.kind != "fault")
        .flat_map(|o| o.values.iter().map(String::as_str))
        .collect();
    let mut phantom = 0;
    for topic in t.strict.iter().chain([&t.acks1, &t.unclean, &t.txn]) {
        phantom += ru_of(topic)
            .values()
            .filter(|v| !v.starts_with("settle-") && !written.contains(v.as_str()))
            .count();
    }
    out.push(strict(
        "records no producer wrote",
        phantom,
        String::new(),
        None,
    ));

    // Aborted transactions: their values in the committed log, or read by read_committed readers.
    let aborted: BTreeSet<&str> = ops
        .iter()
        .filter(|o| o.kind == "txn" && o.op == "abort" && o.outcome == Outcome::Ok)
        .flat_map(|o| o.values.iter().map(String::as_str))
        .collect();
    let committed_vals: BTreeSet<&str> = rc_of(&t.txn).values().map(String::as_str).collect();
    let mut seen_aborted = aborted
        .iter()
        .filter(|v| committed_vals.contains(**v))
        .count();
    let mut ab_first = None;
    let mut rc_reads = 0;
    for (i, o) in ops.iter().enumerate() {
        if o.kind == "read-rc" && o.op == "read" {
            rc_reads += 1;
            let v = o.values.first().map(String::as_str).unwrap_or("");
            let at = o.offsets.first().copied().unwrap_or_default();
            if aborted.contains(v)
                || (ru_of(&o.topic).contains_key(&at) && !rc_of(&o.topic).contains_key(&at))
            {
                seen_aborted += 1;
                ab_first.get_or_insert(i);
            }
        }
    }
    out.push(strict(
        "aborted-transaction records seen by read_committed",
        seen_aborted,
        format!(
            "{} aborted values, {rc_reads} read_committed reads",
            aborted.len()
        ),
        ab_first,
    ));

    // Each reader's offsets per partition: increasing, with no visible record skipped, and
    // the value the final log holds there.
    let mut last: BTreeMap<(&str, u64, u32), i64> = BTreeMap::new();
    let (mut bad, mut disagree, mut reads) = (0, 0, 0);
    let (mut bad_first, mut dis_first) = (None, None);
    for (i, o) in ops.iter().enumerate() {
        if !(o.op == "read" && (o.kind == "read-rc" || o.kind == "read-ru")) {
            continue;
        }
        reads += 1;
        let Some(&(p, off)) = o.offsets.first() else {
            continue;
        };
        let log = if o.kind == "read-rc" {
            rc_of(&o.topic)
        } else {
            ru_of(&o.topic)
        };
        let prev = last
            .insert((o.process.as_str(), o.inv, p), off)
            .unwrap_or(-1);
        // Backwards (or the same offset again), or a visible record skipped.
        if off <= prev || log.range((p, prev + 1)..(p, off)).next().is_some() {
            bad += 1;
            bad_first.get_or_insert(i);
        }
        if t.strict.contains(&o.topic) || o.topic == t.txn {
            let final_v = ru_of(&o.topic).get(&(p, off));
            if final_v != o.values.first() {
                disagree += 1;
                dis_first.get_or_insert(i);
            }
        }
    }
    out.push(strict(
        "reader offsets not dense and monotonic",
        bad,
        format!("in {reads} reads"),
        bad_first,
    ));
    out.push(strict(
        "reads that differ from the final log",
        disagree,
        format!("in {reads} reads"),
        dis_first,
    ));

    // Replicas.
    let differ: Vec<_> = f.replicas.iter().filter(|r| !r.2).collect();
    let mut l = strict(
        "partitions whose replicas differ after healing",
        differ.len(),
        format!("of {} partitions", f.replicas.len()),
        None,
    );
    if let Some(d) = differ.first() {
        l.of.push_str(&format!("; first: {}-{}: {}", d.0, d.1, d.3));
    }
    out.push(l);

    // Groups: every record below a committed offset was processed by the group.
    let group_reads = |kind: &str| -> BTreeSet<(String, u32, i64)> {
        ops.iter()
            .filter(|o| o.kind == kind && o.op == "read")
            .filter_map(|o| {
                o.offsets
                    .first()
                    .map(|(p, off)| (o.topic.clone(), *p, *off))
            })
            .collect()
    };
    for (group, kind, at_least_once) in [
        (&t.group_auto, "group-auto", true),
        (&t.group_before, "group-before", false),
    ] {
        let read = group_reads(kind);
        let mut missing = 0;
        let mut below = 0;
        for ((topic, p), c) in f.committed.get(group).into_iter().flatten() {
            for ((lp, lo), _) in ru_of(topic).range((*p, 0)..(*p, (*c).max(0))) {
                debug_assert!(*lp == *p);
                below += 1;
                if !read.contains(&(topic.clone(), *p, *lo)) {
                    missing += 1;
                }
            }
        }
        let of = format!(
            "of {below} records below group {group}'s committed offsets, {} read",
            read.len()
        );
        if at_least_once {
            out.push(strict(
                "committed group offsets ahead of what the group processed (commit auto)",
                missing,
                of,
                None,
            ));
        } else {
            out.push(line(
                "INFO",
                "records skipped by the at-most-once group (commit before)",
                missing,
                of,
                None,
            ));
        }
    }

    // Pipe: each input's output once.
    let mut input: BTreeMap<&str, i64> = BTreeMap::new();
    for v in ru_of(&t.pipe.0)
        .values()
        .filter(|v| !v.starts_with("settle-"))
    {
        *input.entry(v).or_default() += 1;
    }
    let mut output: BTreeMap<&str, i64> = BTreeMap::new();
    for v in rc_of(&t.pipe.1)
        .values()
        .filter(|v| !v.starts_with("settle-"))
    {
        *output.entry(v).or_default() += 1;
    }
    let mut wrong = 0usize;
    for (v, n) in &input {
        wrong += (output.get(v).copied().unwrap_or(0) - n).unsigned_abs() as usize;
    }
    wrong += output
        .iter()
        .filter(|(v, _)| !input.contains_key(*v))
        .map(|(_, n)| *n as usize)
        .sum::<usize>();
    out.push(strict(
        "pipe outputs not exactly once per input",
        wrong,
        format!(
            "{} inputs, {} outputs",
            input.values().sum::<i64>(),
            output.values().sum::<i64>()
        ),
        None,
    ));

    // Counted, not failed.
    let (n, of, _) = get(&t.acks1);
    out.push(line(
        "INFO",
        "acks=1 acknowledged writes lost",
        n,
        format!("of {of} acknowledged"),
        None,
    ));
    let (n, of, _) = get(&t.unclean);
    out.push(line(
        "INFO",
        "unclean-election losses (acknowledged, acks=all, min.insync=1)",
        n,
        format!("of {of} acknowledged"),
        None,
    ));
    out
}

/// The operations around `i`: those that are not reads, a few before and after, and `i`.
pub fn around(ops: &[Op], i: usize) -> Vec<String> {
    let before: Vec<usize> = (0..i)
        .rev()
        .filter(|j| ops[*j].op != "read")
        .take(8)
        .collect();
    let after: Vec<usize> = (i + 1..ops.len())
        .filter(|j| ops[*j].op != "read")
        .take(4)
        .collect();
    let mut lines: Vec<String> = before
        .iter()
        .rev()
        .map(|j| format!("    {}", show(&ops[*j])))
        .collect();
    lines.push(format!(">>> {}", show(&ops[i])));
    lines.extend(after.iter().map(|j| format!("    {}", show(&ops[*j]))));
    lines
}

/// The checker's own check, run before every run (a checker that cannot fail proves
/// nothing): a made-up history and final logs with one violation of each strict property,
/// each of which must be caught. Returns the properties it failed to catch.
pub fn self_test() -> Vec<String> {
    use crate::history::op;
    let rec = |p: u32, o: i64, v: &str| Rec {
        partition: p,
        offset: o,
        value: v.to_string(),
    };
    let produce = |v: &[&str], at: &[(u32, i64)]| {
        let mut o = op("p0", 1, "produce-all", "produce", Outcome::Ok);
        o.topic = "safe".into();
        o.values = v.iter().map(|s| s.to_string()).collect();
        o.offsets = at.to_vec();
        o
    };
    let mut inv = produce(&["a", "b", "c", "d"], &[]);
    inv.outcome = Outcome::Invoke;
    let mut txn = op("t0", 1, "txn", "abort", Outcome::Ok);
    txn.topic = "txn".into();
    txn.values = vec!["x".into()];
    let read = |kind: &str, topic: &str, p: u32, o: i64, v: &str| {
        let mut r = op("r0", 1, kind, "read", Outcome::Ok);
        r.topic = topic.into();
        r.values = vec![v.into()];
        r.offsets = vec![(p, o)];
        r
    };
    let ops = vec![
        inv,
        // "b" acknowledged at 0:1, but the final log holds "c" there: lost.
        produce(&["a", "b"], &[(0, 0), (0, 1)]),
        txn.clone(),
        // An aborted value read by a read_committed reader.
        read("read-rc", "txn", 0, 0, "x"),
        // A reader that skips offset 1 and reads a value the final log does not hold.
        read("read-ru", "safe", 0, 0, "a"),
        read("read-ru", "safe", 0, 2, "zz"),
    ];
    let mut f = Finals {
        ru: BTreeMap::new(),
        rc: BTreeMap::new(),
        replicas: vec![("safe".into(), 0, false, "101: 1 bytes, 102: 2 bytes".into())],
        committed: BTreeMap::new(),
    };
    // "a" twice: a duplicate; "q" written by no one.
    let safe = vec![
        rec(0, 0, "a"),
        rec(0, 1, "c"),
        rec(0, 2, "a"),
        rec(0, 3, "q"),
    ];
    f.ru.insert("safe".into(), safe.clone());
    f.rc.insert("safe".into(), safe);
    f.ru.insert("txn".into(), vec![rec(0, 0, "x")]);
    f.rc.insert("txn".into(), vec![rec(0, 0, "x")]);
    // The group committed offset 4 but read nothing; the pipe's output lacks everything.
    f.committed.insert(
        "g-auto".into(),
        BTreeMap::from([(("safe".to_string(), 0), 4)]),
    );
    let t = Topics {
        strict: vec!["safe".into()],
        acks1: "fast".into(),
        unclean: "unclean".into(),
        txn: "txn".into(),
        pipe: ("safe".into(), "piped".into()),
        group_auto: "g-auto".into(),
        group_before: "g-before".into(),
    };
    check(&ops, &f, &t)
        .into_iter()
        .filter(|l| l.verdict == "PASS" && !l.name.starts_with("committed transactional"))
        .map(|l| l.name)
        .collect()
}
