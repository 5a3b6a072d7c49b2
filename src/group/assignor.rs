//! Partition assignors, as Kafka's consumer ships them: `range` (the default: per topic,
//! consecutive partitions, the first members get one more), `roundrobin` (all partitions
//! dealt in turn) and `sticky` (balanced, keeping as many previous owners as possible).
//!
//! Pure functions: members and partitions in, an assignment out; every partition goes to
//! exactly one member.

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

/// Assigns `partitions` (topic -> count) to `members` (sorted ids); `previous` is the last
/// assignment (used by sticky).
pub fn assign(
    assignor: Assignor,
    members: &[String],
    partitions: &BTreeMap<String, u32>,
    previous: &Assignment,
) -> Assignment {
    let mut out: Assignment = members.iter().map(|m| (m.clone(), Vec::new())).collect();
    if members.is_empty() {
        return out;
    }
    let all: Vec<Tp> = partitions
        .iter()
        .flat_map(|(t, &n)| (0..n).map(move |p| (t.clone(), p)))
        .collect();
    match assignor {
        Assignor::Range => {
            let m = members.len() as u32;
            for (t, &n) in partitions {
                let (base, extra) = (n / m, n % m);
                let mut p = 0;
                for (i, member) in members.iter().enumerate() {
                    let count = base + u32::from((i as u32) < extra);
                    if let Some(v) = out.get_mut(member) {
                        v.extend((p..p + count).map(|q| (t.clone(), q)));
                    }
                    p += count;
                }
            }
        }
        Assignor::Roundrobin => {
            for (i, tp) in all.into_iter().enumerate() {
                if let Some(v) = out.get_mut(&members[i % members.len()]) {
                    v.push(tp);
                }
            }
        }
        Assignor::Sticky => {
            let n = all.len();
            let m = members.len();
            let (base, extra) = (n / m, n % m);
            let mut taken = std::collections::BTreeSet::new();
            // Keep previous partitions up to the quota, members with most first getting
            // the larger quotas.
            let mut order: Vec<&String> = members.iter().collect();
            order.sort_by_key(|id| std::cmp::Reverse(previous.get(*id).map_or(0, |v| v.len())));
            let mut quota: BTreeMap<&String, usize> = BTreeMap::new();
            for (i, id) in order.iter().enumerate() {
                quota.insert(id, base + usize::from(i < extra));
            }
            for id in &order {
                let q = quota.get(*id).copied().unwrap_or(0);
                if let (Some(prev), Some(v)) = (previous.get(*id), out.get_mut(*id)) {
                    for tp in prev {
                        if v.len() < q && all.contains(tp) && taken.insert(tp.clone()) {
                            v.push(tp.clone());
                        }
                    }
                }
            }
            for tp in all {
                if taken.contains(&tp) {
                    continue;
                }
                let target = order
                    .iter()
                    .find(|id| {
                        out.get(**id).map_or(0, |v| v.len()) < quota.get(**id).copied().unwrap_or(0)
                    })
                    .copied();
                if let Some(v) = target
                    .or(order.first().copied())
                    .and_then(|id| out.get_mut(id))
                {
                    v.push(tp);
                }
            }
            for v in out.values_mut() {
                v.sort();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("m{i}")).collect()
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
        let a = assign(Assignor::Range, &members(2), &parts, &Assignment::new());
        check_complete(&a, &parts);
        let m0: Vec<_> = a["m0"].iter().map(|(t, p)| format!("{t}-{p}")).collect();
        assert_eq!(m0, ["t0-0", "t0-1", "t1-0", "t1-1"]);
    }

    #[test]
    fn roundrobin_like_kafka() {
        let parts = topics(&[("t0", 3), ("t1", 3)]);
        let a = assign(
            Assignor::Roundrobin,
            &members(2),
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
        let first = assign(Assignor::Sticky, &members(4), &parts, &Assignment::new());
        check_complete(&first, &parts);
        let three: Vec<String> = vec!["m0".into(), "m1".into(), "m3".into()];
        let second = assign(Assignor::Sticky, &three, &parts, &first);
        check_complete(&second, &parts);
        for id in &three {
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
            let out = assign(a, &members(5), &parts, &Assignment::new());
            check_complete(&out, &parts);
            assert_eq!(out.len(), 5);
        }
    }
}
