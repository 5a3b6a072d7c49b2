//! Partition assignors, as Kafka's consumer ships them, giving Kafka's exact assignments:
//! `range` (the default: per topic, consecutive partitions, the first members get one more),
//! `roundrobin` (all partitions dealt in turn) and `sticky` (Kafka's StickyAssignor: balanced,
//! keeping as many previous owners as possible; [`sticky`]). Members are ordered as Kafka
//! orders them, by Java's `String.compareTo` (UTF-16 code units, which is not UTF-8 byte
//! order outside the Basic Multilingual Plane).
//!
//! Pure functions: members with their subscriptions and the partitions in, an assignment
//! out; every partition of a subscribed topic goes to exactly one member subscribed to it.
//! tests/apache_kafka/differential.rs compares them with Kafka's own assignor classes.

use std::cmp::Ordering;
use std::collections::BTreeMap;

mod sticky;

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
/// assignment (used by sticky). Each member's partitions come sorted. The members count as
/// joined in member-id order (see [`assign_joined`]).
pub fn assign(
    assignor: Assignor,
    subscriptions: &Subscriptions,
    partitions: &BTreeMap<String, u32>,
    previous: &Assignment,
) -> Assignment {
    let joined: Vec<(String, Vec<String>)> = subscriptions
        .iter()
        .map(|(m, t)| (m.clone(), t.clone()))
        .collect();
    assign_joined(assignor, &joined, partitions, previous)
}

/// [`assign`] with the members (id, topics) in the order they joined the group, the order
/// in which Kafka's group leader puts them in its `HashMap`: sticky's answer depends on it
/// when two member ids fall in the same bucket of that map and both own more than their
/// share. A member given twice counts once, as first given.
pub fn assign_joined(
    assignor: Assignor,
    members: &[(String, Vec<String>)],
    partitions: &BTreeMap<String, u32>,
    previous: &Assignment,
) -> Assignment {
    // A Kafka consumer subscribes to a set of topics: a topic given twice counts once.
    let mut joined: Vec<(String, Vec<String>)> = Vec::new();
    for (m, topics) in members {
        if joined.iter().any(|(id, _)| id == m) {
            continue;
        }
        let mut seen: Vec<String> = Vec::new();
        for t in topics {
            if !seen.contains(t) {
                seen.push(t.clone());
            }
        }
        joined.push((m.clone(), seen));
    }
    let subscriptions: Subscriptions = joined.iter().cloned().collect();
    let mut out = match assignor {
        Assignor::Range => range(&subscriptions, partitions),
        Assignor::Roundrobin => roundrobin(&subscriptions, partitions),
        Assignor::Sticky => sticky::assign(&joined, partitions, previous),
    };
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// Every member with no partitions yet.
fn empty(subscriptions: &Subscriptions) -> Assignment {
    subscriptions
        .keys()
        .map(|m| (m.clone(), Vec::new()))
        .collect()
}

/// Kafka's RangeAssignor: per topic, its subscribers in member-id order get consecutive
/// ranges, the first ones one partition more.
fn range(subscriptions: &Subscriptions, partitions: &BTreeMap<String, u32>) -> Assignment {
    let mut out = empty(subscriptions);
    let mut subscribers: BTreeMap<&String, Vec<&String>> = BTreeMap::new();
    for (member, topics) in subscriptions {
        for t in topics.iter().filter(|t| partitions.contains_key(*t)) {
            subscribers.entry(t).or_default().push(member);
        }
    }
    for (t, members) in &mut subscribers {
        members.sort_by(|a, b| java_cmp(a, b));
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
    out
}

/// Kafka's RoundRobinAssignor: every partition in (topic, partition) order goes to the
/// next member in a circle of all members (in member-id order), skipping those not
/// subscribed to its topic.
fn roundrobin(subscriptions: &Subscriptions, partitions: &BTreeMap<String, u32>) -> Assignment {
    let mut out = empty(subscriptions);
    let mut members: Vec<&String> = subscriptions.keys().collect();
    members.sort_by(|a, b| java_cmp(a, b));
    let mut topics: Vec<&String> = subscriptions
        .values()
        .flatten()
        .filter(|t| partitions.contains_key(*t))
        .collect();
    topics.sort_by(|a, b| java_cmp(a, b));
    topics.dedup();
    let mut next = 0usize;
    for t in topics {
        for p in 0..partitions.get(t).copied().unwrap_or(0) {
            // Terminates: the topic has at least one subscriber.
            while !subscriptions[members[next % members.len()]].contains(t) {
                next += 1;
            }
            if let Some(v) = out.get_mut(members[next % members.len()]) {
                v.push((t.clone(), p));
            }
            next += 1;
        }
    }
    out
}

/// Java's `String.compareTo`: by UTF-16 code units, the order Kafka sorts member ids in.
fn java_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
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

    fn names(v: &[Tp]) -> Vec<String> {
        v.iter().map(|(t, p)| format!("{t}-{p}")).collect()
    }

    fn owned(list: &[(&str, &[(&str, u32)])]) -> Assignment {
        list.iter()
            .map(|(m, tps)| {
                let v = tps.iter().map(|(t, p)| (t.to_string(), *p)).collect();
                (m.to_string(), v)
            })
            .collect()
    }

    fn joined(list: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        list.iter()
            .map(|(m, ts)| (m.to_string(), ts.iter().map(|t| t.to_string()).collect()))
            .collect()
    }

    /// Regression: the sticky assignor was filka's own (keep owners, then move partitions
    /// until balanced), not Kafka's, and gave other assignments than Kafka's StickyAssignor
    /// in 49 of the differential test's 637 groups. Here Kafka (4.4.0) moves t2-0 from b to
    /// a when c joins, where filka kept b's partitions.
    #[test]
    fn sticky_general_case_is_kafkas() {
        let parts = topics(&[("t1", 4), ("t2", 4)]);
        let s = subs(&[("a", &["t1", "t2"]), ("b", &["t2"])]);
        let first = assign(Assignor::Sticky, &s, &parts, &Assignment::new());
        assert_eq!(names(&first["a"]), ["t1-0", "t1-1", "t1-2", "t1-3"]);
        assert_eq!(names(&first["b"]), ["t2-0", "t2-1", "t2-2", "t2-3"]);
        let s3 = subs(&[("a", &["t1", "t2"]), ("b", &["t2"]), ("c", &["t1", "t2"])]);
        let second = assign(Assignor::Sticky, &s3, &parts, &first);
        assert_eq!(names(&second["a"]), ["t1-2", "t1-3", "t2-0"]);
        assert_eq!(names(&second["b"]), ["t2-1", "t2-2", "t2-3"]);
        assert_eq!(names(&second["c"]), ["t1-0", "t1-1"]);
    }

    /// Regression (as above), Kafka's general path after a member left: the joiner gets
    /// topic-0's first partitions, the remaining owner gives up two of its own and takes
    /// topic-0-3 from the member that also reads topic-2.
    #[test]
    fn sticky_general_rebalance_is_kafkas() {
        let parts = topics(&[("topic-0", 5), ("topic-1", 5), ("topic-2", 3)]);
        let s = subs(&[
            ("g2", &["topic-0"]),
            ("a", &["topic-0", "topic-2"]),
            ("late", &["topic-0"]),
        ]);
        let prev = owned(&[
            (
                "g2",
                &[
                    ("topic-0", 0),
                    ("topic-0", 1),
                    ("topic-0", 2),
                    ("topic-0", 4),
                ],
            ),
            (
                "a",
                &[
                    ("topic-0", 3),
                    ("topic-2", 0),
                    ("topic-2", 1),
                    ("topic-2", 2),
                ],
            ),
        ]);
        let out = assign(Assignor::Sticky, &s, &parts, &prev);
        assert_eq!(names(&out["a"]), ["topic-2-0", "topic-2-1", "topic-2-2"]);
        assert_eq!(names(&out["g2"]), ["topic-0-2", "topic-0-3", "topic-0-4"]);
        assert_eq!(names(&out["late"]), ["topic-0-0", "topic-0-1"]);
    }

    /// Regression (as above), Kafka's constrained path (every member on the same topics):
    /// owners keep their partitions up to the quota, the one with two keeps both, and the
    /// newcomer gets the partition left over by the member that left (t-5).
    #[test]
    fn sticky_constrained_rebalance_is_kafkas() {
        let parts = topics(&[("t", 8)]);
        let ids = ["B", "m100", "c4650", "m1", "c4602", "g1", "late"];
        let s: Subscriptions = ids
            .iter()
            .map(|m| (m.to_string(), vec!["t".to_string()]))
            .collect();
        let prev = owned(&[
            ("B", &[("t", 0), ("t", 7)]),
            ("m100", &[("t", 6)]),
            ("c4650", &[("t", 2)]),
            ("m1", &[("t", 4)]),
            ("c4602", &[("t", 1), ("t", 5)]),
            ("g1", &[("t", 3)]),
        ]);
        let out = assign(Assignor::Sticky, &s, &parts, &prev);
        let got: Vec<(String, Vec<String>)> =
            out.iter().map(|(m, v)| (m.clone(), names(v))).collect();
        // 8 partitions, 7 members: one member keeps two, in the order Kafka's HashMap
        // visits the members ("B" hashes to bucket 2, first of them).
        assert_eq!(
            got,
            [
                ("B".to_string(), vec!["t-0".to_string(), "t-7".to_string()]),
                ("c4602".to_string(), vec!["t-1".to_string()]),
                ("c4650".to_string(), vec!["t-2".to_string()]),
                ("g1".to_string(), vec!["t-3".to_string()]),
                ("late".to_string(), vec!["t-5".to_string()]),
                ("m1".to_string(), vec!["t-4".to_string()]),
                ("m100".to_string(), vec!["t-6".to_string()]),
            ]
        );
    }

    /// Kafka's constrained path visits members in its HashMap's order, and the first ones
    /// over the quota keep one more: with 7 partitions and 3 members, "a" (bucket 1) keeps
    /// its 3 and "b" (bucket 2) only 2 of its 4, whatever order they joined in.
    #[test]
    fn sticky_quota_goes_by_java_hashmap_order() {
        let parts = topics(&[("t", 7)]);
        let prev = owned(&[
            ("b", &[("t", 0), ("t", 1), ("t", 2), ("t", 3)]),
            ("a", &[("t", 4), ("t", 5), ("t", 6)]),
        ]);
        let out = assign_joined(
            Assignor::Sticky,
            &joined(&[("b", &["t"]), ("a", &["t"]), ("c", &["t"])]),
            &parts,
            &prev,
        );
        assert_eq!(names(&out["a"]), ["t-4", "t-5", "t-6"]);
        assert_eq!(names(&out["b"]), ["t-0", "t-1"]);
        assert_eq!(names(&out["c"]), ["t-2", "t-3"]);
    }

    /// Two member ids in one bucket of Kafka's HashMap (both hash to bucket 13 of 16) are
    /// visited in join order: the one that joined first keeps its third partition (the
    /// other over-quota place goes to "g1", bucket 10, before them; the other one is in bucket 15).
    #[test]
    fn sticky_same_bucket_goes_by_join_order() {
        let a = "m10";
        let b = "console-consumer-4602-PsQY56nfR1C-sB0ISEC0xA";
        let (x, y) = ("console-consumer-4650-aiUymjUGSmWQBi7lbLXwKw", "g1");
        let parts = topics(&[("t", 12)]);
        let prev = owned(&[
            (x, &[("t", 1), ("t", 6), ("t", 11)]),
            (a, &[("t", 3), ("t", 8), ("t", 9)]),
            (y, &[("t", 2), ("t", 4), ("t", 7)]),
            (b, &[("t", 0), ("t", 5), ("t", 10)]),
        ]);
        for (order, keeps_three) in [([a, b], a), ([b, a], b)] {
            let mut members = vec![(x, &["t"][..]), (y, &["t"][..])];
            members.extend(order.iter().map(|m| (*m, &["t"][..])));
            members.push(("late", &["t"][..]));
            let out = assign_joined(Assignor::Sticky, &joined(&members), &parts, &prev);
            assert_eq!(out[keeps_three].len(), 3, "{order:?}: {out:?}");
            let other = if keeps_three == a { b } else { a };
            assert_eq!(out[other].len(), 2, "{order:?}: {out:?}");
        }
    }

    /// Regression: members were ordered by UTF-8 bytes, Kafka orders them by UTF-16 code
    /// units (Java's String.compareTo), and the two differ outside the Basic Multilingual
    /// Plane: range and roundrobin gave U+FFFD's member the partitions of U+1F600's.
    #[test]
    fn members_are_ordered_as_java_strings() {
        let parts = topics(&[("t", 5)]);
        let s = subs(&[
            ("\u{fffd}x", &["t"]),
            ("\u{1f600}y", &["t"]),
            ("ascii", &["t"]),
        ]);
        let r = assign(Assignor::Range, &s, &parts, &Assignment::new());
        assert_eq!(names(&r["ascii"]), ["t-0", "t-1"]);
        assert_eq!(names(&r["\u{1f600}y"]), ["t-2", "t-3"]);
        assert_eq!(names(&r["\u{fffd}x"]), ["t-4"]);
        let rr = assign(Assignor::Roundrobin, &s, &parts, &Assignment::new());
        assert_eq!(names(&rr["ascii"]), ["t-0", "t-3"]);
        assert_eq!(names(&rr["\u{1f600}y"]), ["t-1", "t-4"]);
        assert_eq!(names(&rr["\u{fffd}x"]), ["t-2"]);
    }
}
