//! Partition assignors, as Kafka's consumer ships them: `range` (the default: per topic,
//! consecutive partitions, the first members get one more), `roundrobin` (all partitions
//! dealt in turn) and `sticky` (balanced, keeping as many previous owners as possible).
//!
//! Pure functions: members with their subscriptions and the partitions in, an assignment
//! out; every partition of a subscribed topic goes to exactly one member subscribed to it.

use std::collections::BTreeMap;

/// A topic-partition.
pub type Tp = (String, u32);
/// Member id -> the partitions it owns.
pub type Assignment = BTreeMap<String, Vec<Tp>>;

/// Which assignor a group uses.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Assignor {
    /// Per topic, consecutive ranges (Kafka's RangeAssignor).
    Range,
    /// All partitions dealt one by one (RoundRobinAssignor).
    Roundrobin,
    /// Balanced, moving as few partitions as possible (StickyAssignor).
    Sticky,
}

impl Assignor {
    /// The protocol name Kafka uses.
    pub fn name(self) -> &'static str {
        match self {
            Assignor::Range => "range",
            Assignor::Roundrobin => "roundrobin",
            Assignor::Sticky => "sticky",
        }
    }
}

/// Member id -> the topics it subscribed to.
pub type Subscriptions = BTreeMap<String, Vec<String>>;

/// Assigns `partitions` (topic -> count) to the members of `subscriptions` (member id ->
/// its topics), as Kafka's assignors do: a member only ever gets partitions of topics it
/// subscribed to, and a topic nobody subscribed to is not assigned. `previous` is the last
/// assignment (used by sticky).
pub fn assign(
    assignor: Assignor,
    subscriptions: &Subscriptions,
    partitions: &BTreeMap<String, u32>,
    previous: &Assignment,
) -> Assignment {
    let mut out: Assignment = subscriptions
        .keys()
        .map(|m| (m.clone(), Vec::new()))
        .collect();
    // Per topic, its subscribers in member-id order (Kafka sorts them the same way).
    let mut subscribers: BTreeMap<&String, Vec<&String>> = BTreeMap::new();
    for (member, topics) in subscriptions {
        for t in topics {
            if partitions.contains_key(t) {
                let list = subscribers.entry(t).or_default();
                if !list.contains(&member) {
                    list.push(member);
                }
            }
        }
    }
    match assignor {
        Assignor::Range => range(&mut out, &subscribers, partitions),
        Assignor::Roundrobin => roundrobin(&mut out, &subscribers, partitions),
        Assignor::Sticky => sticky(&mut out, &subscribers, partitions, previous),
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// Kafka's RangeAssignor: per topic, its subscribers get consecutive ranges, the first
/// ones one partition more.
fn range(
    out: &mut Assignment,
    subscribers: &BTreeMap<&String, Vec<&String>>,
    partitions: &BTreeMap<String, u32>,
) {
    for (t, members) in subscribers {
        let n = partitions.get(*t).copied().unwrap_or(0);
        let m = members.len() as u32;
        let (base, extra) = (n / m, n % m);
        let mut p = 0;
        for (i, member) in members.iter().enumerate() {
            let count = base + u32::from((i as u32) < extra);
            if let Some(v) = out.get_mut(*member) {
                v.extend((p..p + count).map(|q| ((*t).clone(), q)));
            }
            p += count;
        }
    }
}

/// Kafka's RoundRobinAssignor: every partition in (topic, partition) order goes to the
/// next member in a circle of all members, skipping those not subscribed to its topic.
fn roundrobin(
    out: &mut Assignment,
    subscribers: &BTreeMap<&String, Vec<&String>>,
    partitions: &BTreeMap<String, u32>,
) {
    let members: Vec<String> = out.keys().cloned().collect();
    let mut next = 0usize;
    for (t, subs) in subscribers {
        for p in 0..partitions.get(*t).copied().unwrap_or(0) {
            // Terminates: the topic has at least one subscriber.
            while !subs.contains(&&members[next % members.len()]) {
                next += 1;
            }
            if let Some(v) = out.get_mut(&members[next % members.len()]) {
                v.push(((*t).clone(), p));
            }
            next += 1;
        }
    }
}

/// Kafka's StickyAssignor in its two goals, balance first, then stickiness: previous owners
/// keep what they still subscribe to, unowned partitions go to the least loaded subscriber
/// (most constrained partitions first), then partitions move from a member to a subscriber
/// of their topic with at least two fewer until none can.
fn sticky(
    out: &mut Assignment,
    subscribers: &BTreeMap<&String, Vec<&String>>,
    partitions: &BTreeMap<String, u32>,
    previous: &Assignment,
) {
    let eligible = |tp: &Tp| -> Vec<&String> {
        subscribers
            .get(&tp.0)
            .filter(|_| tp.1 < partitions.get(&tp.0).copied().unwrap_or(0))
            .cloned()
            .unwrap_or_default()
    };
    let mut taken = std::collections::BTreeSet::new();
    for (member, prev) in previous {
        for tp in prev {
            if eligible(tp).contains(&member)
                && taken.insert(tp.clone())
                && let Some(v) = out.get_mut(member)
            {
                v.push(tp.clone());
            }
        }
    }
    let mut free: Vec<(usize, Tp)> = subscribers
        .iter()
        .flat_map(|(t, subs)| {
            (0..partitions.get(*t).copied().unwrap_or(0)).map(|p| (subs.len(), ((*t).clone(), p)))
        })
        .filter(|(_, tp)| !taken.contains(tp))
        .collect();
    free.sort();
    for (_, tp) in free {
        let target = eligible(&tp)
            .into_iter()
            .min_by_key(|m| (out.get(*m).map_or(0, Vec::len), *m));
        if let Some(v) = target.and_then(|m| out.get_mut(m)) {
            v.push(tp);
        }
    }
    // Each move lowers the sum of squared loads, so this ends.
    loop {
        let mut order: Vec<(usize, String)> =
            out.iter().map(|(m, v)| (v.len(), m.clone())).collect();
        order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut moved = None;
        'search: for (load, from) in &order {
            let Some(owned) = out.get(from) else { continue };
            for tp in owned.iter().rev() {
                let to = eligible(tp)
                    .into_iter()
                    .filter(|m| *m != from)
                    .map(|m| (out.get(m).map_or(0, Vec::len), m))
                    .min();
                if let Some((to_load, to)) = to
                    && to_load + 1 < *load
                {
                    moved = Some((from.clone(), to.clone(), tp.clone()));
                    break 'search;
                }
            }
        }
        let Some((from, to, tp)) = moved else { break };
        if let Some(v) = out.get_mut(&from) {
            v.retain(|x| *x != tp);
        }
        if let Some(v) = out.get_mut(&to) {
            v.push(tp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` members all subscribed to every topic of `parts`.
    fn members(n: usize, parts: &BTreeMap<String, u32>) -> Subscriptions {
        (0..n)
            .map(|i| (format!("m{i}"), parts.keys().cloned().collect()))
            .collect()
    }

    fn subs(list: &[(&str, &[&str])]) -> Subscriptions {
        list.iter()
            .map(|(m, ts)| (m.to_string(), ts.iter().map(|t| t.to_string()).collect()))
            .collect()
    }

    fn topics(list: &[(&str, u32)]) -> BTreeMap<String, u32> {
        list.iter().map(|(t, n)| (t.to_string(), *n)).collect()
    }

    fn check_complete(a: &Assignment, parts: &BTreeMap<String, u32>) {
        let mut seen: Vec<Tp> = a.values().flatten().cloned().collect();
        seen.sort();
        let before = seen.len();
        seen.dedup();
        assert_eq!(seen.len(), before, "a partition assigned twice: {a:?}");
        assert_eq!(seen.len() as u32, parts.values().sum::<u32>());
    }

    #[test]
    fn range_like_kafka() {
        let parts = topics(&[("t0", 3), ("t1", 3)]);
        let a = assign(
            Assignor::Range,
            &members(2, &parts),
            &parts,
            &Assignment::new(),
        );
        check_complete(&a, &parts);
        let m0: Vec<_> = a["m0"].iter().map(|(t, p)| format!("{t}-{p}")).collect();
        assert_eq!(m0, ["t0-0", "t0-1", "t1-0", "t1-1"]);
    }

    #[test]
    fn roundrobin_like_kafka() {
        let parts = topics(&[("t0", 3), ("t1", 3)]);
        let a = assign(
            Assignor::Roundrobin,
            &members(2, &parts),
            &parts,
            &Assignment::new(),
        );
        check_complete(&a, &parts);
        let m1: Vec<_> = a["m1"].iter().map(|(t, p)| format!("{t}-{p}")).collect();
        assert_eq!(m1, ["t0-1", "t1-0", "t1-2"]);
    }

    #[test]
    fn sticky_keeps_owners_and_balances() {
        let parts = topics(&[("t", 8)]);
        let first = assign(
            Assignor::Sticky,
            &members(4, &parts),
            &parts,
            &Assignment::new(),
        );
        check_complete(&first, &parts);
        let three = subs(&[("m0", &["t"]), ("m1", &["t"]), ("m3", &["t"])]);
        let second = assign(Assignor::Sticky, &three, &parts, &first);
        check_complete(&second, &parts);
        for id in three.keys() {
            for tp in &first[id] {
                assert!(second[id].contains(tp), "{id} lost {tp:?}");
            }
            assert!((2..=3).contains(&second[id].len()));
        }
    }

    #[test]
    fn more_members_than_partitions() {
        for a in [Assignor::Range, Assignor::Roundrobin, Assignor::Sticky] {
            let parts = topics(&[("t", 2)]);
            let out = assign(a, &members(5, &parts), &parts, &Assignment::new());
            check_complete(&out, &parts);
            assert_eq!(out.len(), 5);
        }
    }

    /// Regression: the assignor ignored what each member subscribed to, so with a `-t t1`
    /// member and a `-t t2` member in one group, t2 partitions went to the t1-only member
    /// and were never read.
    #[test]
    fn a_member_only_gets_partitions_of_topics_it_subscribed_to() {
        let parts = topics(&[("t1", 3), ("t2", 3), ("nobody", 2)]);
        let cases = [
            subs(&[("a", &["t1"]), ("b", &["t2"])]),
            subs(&[("a", &["t1"]), ("b", &["t1", "t2"]), ("c", &["t2"])]),
            subs(&[("a", &["t2", "t1"]), ("b", &["t2"]), ("c", &["t2"])]),
            subs(&[("a", &["t1", "missing"]), ("b", &["t1"])]),
        ];
        for a in [Assignor::Range, Assignor::Roundrobin, Assignor::Sticky] {
            for s in &cases {
                let out = assign(a, s, &parts, &Assignment::new());
                let mut seen: Vec<Tp> = out.values().flatten().cloned().collect();
                seen.sort();
                let n = seen.len();
                seen.dedup();
                assert_eq!(seen.len(), n, "{a:?} {s:?}: assigned twice: {out:?}");
                let wanted: Vec<&String> = s.values().flatten().collect();
                for (t, count) in &parts {
                    let assigned = seen.iter().filter(|(x, _)| x == t).count() as u32;
                    let expect = if wanted.contains(&t) { *count } else { 0 };
                    assert_eq!(assigned, expect, "{a:?} {s:?}: topic {t}: {out:?}");
                }
                for (m, tps) in &out {
                    for (t, p) in tps {
                        assert!(s[m].contains(t), "{a:?}: {m} got {t}-{p}: {out:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn range_and_roundrobin_with_different_subscriptions_like_kafka() {
        // Kafka's RangeAssignorTest/RoundRobinAssignorTest shape: t1 only for a, t2 for both.
        let parts = topics(&[("t1", 2), ("t2", 3)]);
        let s = subs(&[("a", &["t1", "t2"]), ("b", &["t2"])]);
        let names =
            |v: &[Tp]| -> Vec<String> { v.iter().map(|(t, p)| format!("{t}-{p}")).collect() };
        let r = assign(Assignor::Range, &s, &parts, &Assignment::new());
        assert_eq!(names(&r["a"]), ["t1-0", "t1-1", "t2-0", "t2-1"]);
        assert_eq!(names(&r["b"]), ["t2-2"]);
        let rr = assign(Assignor::Roundrobin, &s, &parts, &Assignment::new());
        // t1-0 a, t1-1 (b skipped) a, t2-0 b, t2-1 a, t2-2 b.
        assert_eq!(names(&rr["a"]), ["t1-0", "t1-1", "t2-1"]);
        assert_eq!(names(&rr["b"]), ["t2-0", "t2-2"]);
    }

    #[test]
    fn sticky_balances_within_subscriptions_and_keeps_owners() {
        let parts = topics(&[("t1", 4), ("t2", 4)]);
        let s = subs(&[("a", &["t1", "t2"]), ("b", &["t2"])]);
        let first = assign(Assignor::Sticky, &s, &parts, &Assignment::new());
        assert_eq!(first["a"].len(), 4);
        assert_eq!(first["b"].len(), 4);
        assert!(first["b"].iter().all(|(t, _)| t == "t2"));
        // c joins on t1 and t2: it takes from both, and everybody keeps the rest.
        let s3 = subs(&[("a", &["t1", "t2"]), ("b", &["t2"]), ("c", &["t1", "t2"])]);
        let second = assign(Assignor::Sticky, &s3, &parts, &first);
        check_complete(&second, &parts);
        let loads: Vec<usize> = second.values().map(Vec::len).collect();
        assert!(loads.iter().all(|&n| (2..=3).contains(&n)), "{second:?}");
        for m in ["a", "b"] {
            for tp in &second[m] {
                assert!(
                    first[m].contains(tp),
                    "{m} got {tp:?} that moved needlessly"
                );
            }
        }
    }
}
