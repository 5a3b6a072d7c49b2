//! The range, roundrobin and sticky assignors: filka's (the library its coordinator calls)
//! against Kafka's own classes on the same members, subscriptions and partitions; and Kafka's
//! cooperative-sticky protocol against filka's sticky target.

use std::collections::BTreeMap;

use filka::group::assignor::{self, Assignment, Assignor, Tp};

use super::Rng;
use crate::kafka;

/// One group rebalance: the topics, and the members in join order with what they owned.
#[derive(Clone, Debug)]
struct Case {
    name: String,
    assignor: Assignor,
    topics: BTreeMap<String, u32>,
    members: Vec<Member>,
}

#[derive(Clone, Debug)]
struct Member {
    id: String,
    topics: Vec<String>,
    /// The generation and partitions of its previous assignment (None: a new member).
    previous: Option<(i32, Vec<Tp>)>,
}

fn kafka_name(a: Assignor, cooperative: bool) -> &'static str {
    match (a, cooperative) {
        (Assignor::Range, _) => "range",
        (Assignor::Roundrobin, _) => "roundrobin",
        (Assignor::Sticky, false) => "sticky",
        (Assignor::Sticky, true) => "cooperative-sticky",
    }
}

/// The cases in the Assign driver's input format.
fn render(cases: &[(Case, bool)]) -> String {
    let mut s = String::new();
    for (c, cooperative) in cases {
        s += &format!("case {}\n", kafka_name(c.assignor, *cooperative));
        for (t, n) in &c.topics {
            s += &format!("topic {t} {n}\n");
        }
        for m in &c.members {
            s += &format!("member {} {}", m.id, m.topics.join(","));
            if let Some((generation, owned)) = &m.previous {
                let list: Vec<String> = owned.iter().map(|(t, p)| format!("{t}:{p}")).collect();
                let list = if list.is_empty() {
                    "-".to_string()
                } else {
                    list.join(",")
                };
                s += &format!(" {generation} {list}");
            }
            s += "\n";
        }
        s += "end\n";
    }
    s
}

fn parse_tps(s: &str) -> Vec<Tp> {
    if s == "-" {
        return Vec::new();
    }
    s.split(',')
        .map(|tp| {
            let (t, p) = tp.rsplit_once(':').expect("T:P");
            (t.to_string(), p.parse().expect("partition"))
        })
        .collect()
}

/// Kafka's assignments of `cases` (each member's partitions sorted), in one JVM.
fn kafka_assign(cases: &[(Case, bool)]) -> Vec<Assignment> {
    let out = kafka::tool_stdin("assign", &[], &render(cases));
    let mut all = Vec::new();
    let mut cur: Option<Assignment> = None;
    for line in out.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        match f[0] {
            "case" => cur = Some(Assignment::new()),
            "member" => {
                let mut tps = parse_tps(f[2]);
                tps.sort();
                cur.as_mut().expect("case").insert(f[1].to_string(), tps);
            }
            "end" => all.push(cur.take().expect("case")),
            _ => panic!("Assign printed {line}"),
        }
    }
    assert_eq!(all.len(), cases.len(), "{out}");
    all
}

/// filka's assignment of `c` (its library), the members in the same join order.
fn filka_assign(c: &Case) -> Assignment {
    let joined: Vec<(String, Vec<String>)> = c
        .members
        .iter()
        .map(|m| (m.id.clone(), m.topics.clone()))
        .collect();
    // The coordinator hands over the group's last assignment: every previous owner's share.
    let previous: Assignment = c
        .members
        .iter()
        .filter_map(|m| {
            m.previous
                .as_ref()
                .map(|(_, tps)| (m.id.clone(), tps.clone()))
        })
        .collect();
    assignor::assign_joined(c.assignor, &joined, &c.topics, &previous)
}

fn topics(list: &[(&str, u32)]) -> BTreeMap<String, u32> {
    list.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

fn new_member(id: &str, topics: &[&str]) -> Member {
    Member {
        id: id.to_string(),
        topics: topics.iter().map(|t| t.to_string()).collect(),
        previous: None,
    }
}

fn case(name: &str, a: Assignor, t: &[(&str, u32)], members: Vec<Member>) -> Case {
    Case {
        name: name.to_string(),
        assignor: a,
        topics: topics(t),
        members,
    }
}

/// The next rebalance of `c` after `result` was assigned in generation `generation`:
/// `leave` members go, `join` members come (at the end of the join order).
fn next_round(
    c: &Case,
    result: &Assignment,
    generation: i32,
    leave: &[&str],
    join: Vec<Member>,
) -> Case {
    let mut n = c.clone();
    n.name = format!("{} / then -{leave:?} +{}", c.name, join.len());
    n.members.retain(|m| !leave.contains(&m.id.as_str()));
    for m in &mut n.members {
        m.previous = Some((generation, result.get(&m.id).cloned().unwrap_or_default()));
    }
    n.members.extend(join);
    n
}

/// Member ids as filka makes them (console-consumer-PID-base64), as Kafka's clients make
/// them (client id, a dash, a UUID), and short ones whose byte order is not their numeric
/// order: listed out of order on purpose (join order is not id order).
const IDS: &[&str] = &[
    "m9",
    "console-consumer-4650-aiUymjUGSmWQBi7lbLXwKw",
    "m10",
    "consumer-g-1-7f0e8bb2-3a9b-4e1c-9d55-0c4b1a2e6f3d",
    "console-consumer-4602-PsQY56nfR1C-sB0ISEC0xA",
    "B",
    "a",
    "m1",
    "console-consumer-4604-r7MSl4LWTw-LL2XfJ2iVOw",
    "consumer-g-2-01c3f0aa-5b6e-4f7d-8a90-1b2c3d4e5f60",
    "Z-last-by-bytes-first-by-nothing",
    "m100",
];

/// The hand-made cases, for one assignor.
fn fixed_cases(a: Assignor) -> Vec<Case> {
    let ids = |n: usize| -> Vec<&str> { IDS[..n].to_vec() };
    let mut out = Vec::new();
    // Equal members and partitions, and every ratio around it.
    for (m, p) in [
        (1, 1),
        (1, 5),
        (2, 2),
        (3, 3),
        (3, 7),
        (4, 8),
        (4, 10),
        (5, 12),
        (6, 6),
        (2, 9),
    ] {
        let members = ids(m).iter().map(|id| new_member(id, &["t"])).collect();
        out.push(case(
            &format!("{m} members, {p} partitions"),
            a,
            &[("t", p)],
            members,
        ));
    }
    // More members than partitions.
    for (m, p) in [(3, 1), (5, 2), (7, 3), (12, 5)] {
        let members = ids(m).iter().map(|id| new_member(id, &["t"])).collect();
        out.push(case(
            &format!("{m} members, {p} partitions (idle members)"),
            a,
            &[("t", p)],
            members,
        ));
    }
    // Several topics, the same subscription.
    out.push(case(
        "3 members, topics of 3, 5 and 1 partitions",
        a,
        &[("alpha", 3), ("beta", 5), ("gamma", 1)],
        ids(3)
            .iter()
            .map(|id| new_member(id, &["gamma", "alpha", "beta"]))
            .collect(),
    ));
    // Several topics, different subscriptions (and a topic that does not exist).
    out.push(case(
        "different subscriptions",
        a,
        &[("t1", 2), ("t2", 3), ("t3", 4), ("nobody", 2)],
        vec![
            new_member("c", &["t1", "t2", "t3"]),
            new_member("a", &["t2"]),
            new_member("b", &["t3", "t1"]),
            new_member("d", &["t3", "missing"]),
        ],
    ));
    out.push(case(
        "one member alone on a topic",
        a,
        &[("shared", 6), ("own", 4)],
        vec![
            new_member("m2", &["shared", "own"]),
            new_member("m1", &["shared"]),
            new_member("m3", &["shared"]),
        ],
    ));
    out.push(case(
        "Kafka's RangeAssignorTest two topics, different subscriptions",
        a,
        &[("t1", 2), ("t2", 3)],
        vec![new_member("b", &["t2"]), new_member("a", &["t1", "t2"])],
    ));
    // Member ids whose Java (UTF-16) order is not their UTF-8 byte order: U+FFFD sorts
    // after U+1F600 in UTF-16 (0xFFFD > 0xD83D), before it in UTF-8 (0xEF < 0xF0).
    out.push(case(
        "member ids outside the BMP",
        a,
        &[("t", 5)],
        vec![
            new_member("\u{fffd}x", &["t"]),
            new_member("\u{1f600}y", &["t"]),
            new_member("ascii", &["t"]),
        ],
    ));
    out
}

/// `count` random cases: 1 to `topics` topics of 1 to `partitions` partitions, 1 to
/// `members` members (at most 12) with random subscriptions, in random join order.
fn random_cases(
    a: Assignor,
    rng: &mut Rng,
    count: usize,
    (topics, partitions, members): (u64, u64, u64),
) -> Vec<Case> {
    let mut out = Vec::new();
    for i in 0..count {
        let ntopics = 1 + rng.below(topics) as usize;
        let t: Vec<(String, u32)> = (0..ntopics)
            .map(|k| (format!("topic-{k}"), 1 + rng.below(partitions) as u32))
            .collect();
        let nmembers = 1 + rng.below(members.min(IDS.len() as u64)) as usize;
        let same = rng.below(2) == 0;
        let mut members = Vec::new();
        let mut pool: Vec<&str> = IDS.to_vec();
        for _ in 0..nmembers {
            let id = pool.remove(rng.below(pool.len() as u64) as usize);
            let subs: Vec<String> = if same {
                t.iter().map(|(n, _)| n.clone()).collect()
            } else {
                let mut s: Vec<String> = t
                    .iter()
                    .filter(|_| rng.below(2) == 0)
                    .map(|(n, _)| n.clone())
                    .collect();
                if s.is_empty() {
                    s.push(t[rng.below(t.len() as u64) as usize].0.clone());
                }
                s
            };
            members.push(Member {
                id: id.to_string(),
                topics: subs,
                previous: None,
            });
        }
        out.push(Case {
            name: format!("random {i} ({})", if same { "same" } else { "mixed" }),
            assignor: a,
            topics: t.into_iter().collect(),
            members,
        });
    }
    out
}

/// `c` with a random previous assignment: each partition owned by a random member or by
/// nobody (members may own partitions of topics they no longer subscribe to, and more than
/// their share); every member that owns one was in generation 7.
fn with_random_previous(c: &Case, rng: &mut Rng) -> Case {
    let mut n = c.clone();
    n.name = format!("{} / random previous", c.name);
    let count = n.members.len() as u64;
    let mut owned: Vec<Vec<Tp>> = vec![Vec::new(); n.members.len()];
    for (t, parts) in &n.topics {
        for p in 0..*parts {
            let who = rng.below(count + 1);
            if who < count {
                owned[who as usize].push((t.clone(), p));
            }
        }
    }
    for (m, o) in n.members.iter_mut().zip(owned) {
        if !o.is_empty() || rng.below(2) == 0 {
            m.previous = Some((7, o));
        }
    }
    n
}

fn show(a: &Assignment) -> String {
    a.iter()
        .map(|(m, tps)| {
            let l: Vec<String> = tps.iter().map(|(t, p)| format!("{t}-{p}")).collect();
            format!("  {m}: {}", l.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Compares filka with Kafka on `cases`; returns the disagreements, described.
fn disagreements(cases: &[Case], kafka: &[Assignment]) -> Vec<String> {
    let mut bad = Vec::new();
    for (c, k) in cases.iter().zip(kafka) {
        let f = filka_assign(c);
        if &f != k {
            bad.push(format!(
                "{:?} {}:\n{}\n kafka:\n{}\n filka:\n{}",
                c.assignor,
                c.name,
                render(&[(c.clone(), false)]),
                show(k),
                show(&f)
            ));
        }
    }
    bad
}

/// Range, roundrobin and sticky: filka's assignor (`assign_joined`, members in join order)
/// and Kafka's classes on the same members, subscriptions and partitions, then a second and
/// a third rebalance of each (a member leaves, one joins; the previous assignment given),
/// then sticky from random previous owners; and `assign`, what filka's coordinator calls
/// (members by id), against Kafka with the members joining in id order.
#[test]
#[ignore = "needs Java 17 and Maven: .ci/run's apache-kafka step runs it"]
fn assignors_agree_with_kafka() {
    let mut rng = Rng(0x5eed_a551);
    let mut first = Vec::new();
    for a in [Assignor::Range, Assignor::Roundrobin, Assignor::Sticky] {
        first.extend(fixed_cases(a));
        first.extend(random_cases(a, &mut rng, 60, (4, 12, 7)));
        first.extend(random_cases(a, &mut rng, 20, (6, 40, 12)));
    }
    let with_proto: Vec<(Case, bool)> = first.iter().map(|c| (c.clone(), false)).collect();
    let kafka1 = kafka_assign(&with_proto);
    let mut bad = disagreements(&first, &kafka1);

    // Rebalances from Kafka's own previous assignment: the first member to join leaves;
    // then a new member joins.
    let mut second = Vec::new();
    for (c, k) in first.iter().zip(&kafka1) {
        let gone = c.members[0].id.clone();
        let n = next_round(c, k, 5, &[gone.as_str()], Vec::new());
        if !n.members.is_empty() {
            second.push(n);
        }
    }
    let kafka2 = kafka_assign(
        &second
            .iter()
            .map(|c| (c.clone(), false))
            .collect::<Vec<_>>(),
    );
    bad.extend(disagreements(&second, &kafka2));
    let third: Vec<Case> = second
        .iter()
        .zip(&kafka2)
        .map(|(c, k)| {
            let topics: Vec<&str> = c.members[0].topics.iter().map(String::as_str).collect();
            next_round(c, k, 6, &[], vec![new_member("late-joiner", &topics)])
        })
        .collect();
    let kafka3 = kafka_assign(&third.iter().map(|c| (c.clone(), false)).collect::<Vec<_>>());
    bad.extend(disagreements(&third, &kafka3));

    // Previous assignments that are not Kafka's: random owners, over quota, of topics no
    // longer subscribed to.
    let sticky_first: Vec<&Case> = first
        .iter()
        .filter(|c| c.assignor == Assignor::Sticky)
        .collect();
    let fourth: Vec<Case> = sticky_first
        .iter()
        .map(|c| with_random_previous(c, &mut rng))
        .collect();
    let kafka4 = kafka_assign(
        &fourth
            .iter()
            .map(|c| (c.clone(), false))
            .collect::<Vec<_>>(),
    );
    bad.extend(disagreements(&fourth, &kafka4));

    // What the coordinator calls: members by id, as if they joined in that order.
    let by_id: Vec<Case> = fourth
        .iter()
        .chain(&third)
        .map(|c| {
            let mut n = c.clone();
            n.name = format!("{} / joined in id order", c.name);
            n.members.sort_by(|a, b| a.id.cmp(&b.id));
            n
        })
        .collect();
    let kafka5 = kafka_assign(&by_id.iter().map(|c| (c.clone(), false)).collect::<Vec<_>>());
    for (c, k) in by_id.iter().zip(&kafka5) {
        let subs: assignor::Subscriptions = c
            .members
            .iter()
            .map(|m| (m.id.clone(), m.topics.clone()))
            .collect();
        let previous: Assignment = c
            .members
            .iter()
            .filter_map(|m| {
                m.previous
                    .as_ref()
                    .map(|(_, tps)| (m.id.clone(), tps.clone()))
            })
            .collect();
        let f = assignor::assign(c.assignor, &subs, &c.topics, &previous);
        if &f != k {
            bad.push(format!(
                "{:?} {} (assign):\n kafka:\n{}\n filka:\n{}",
                c.assignor,
                c.name,
                show(k),
                show(&f)
            ));
        }
    }

    let total = first.len() + second.len() + third.len() + fourth.len() + by_id.len();
    eprintln!("assignors: {total} assignments compared with Kafka's");
    assert!(
        bad.is_empty(),
        "{} of {total} assignments differ from Kafka's:\n{}",
        bad.len(),
        bad.join("\n\n")
    );
}

/// Kafka's cooperative-sticky protocol against filka's sticky one. filka's coordinator
/// computes the sticky target once and lets each partition move when its owner releases it;
/// Kafka's CooperativeStickyAssignor first assigns the target minus the partitions another
/// member still owns (they are revoked first), then, in the rebalance that follows the
/// revocation, the rest. Checked exactly: the first round is filka's target minus what
/// changes owner. Counted, not failed: Kafka's second round, computed from the partitions
/// each member kept, places the revoked ones otherwise in some groups (as balanced, a
/// different choice among equals: 21 of 283 here, 19 of them after random previous owners).
/// filka has no cooperative-sticky assignor: its sticky target is computed once, as
/// Kafka's eager StickyAssignor computes it, and that part is compared exactly above.
#[test]
#[ignore = "needs Java 17 and Maven: .ci/run's apache-kafka step runs it"]
fn cooperative_sticky_ends_where_filkas_sticky_does() {
    let mut rng = Rng(0xc0_0be7);
    let mut cases = fixed_cases(Assignor::Sticky);
    cases.extend(random_cases(Assignor::Sticky, &mut rng, 60, (4, 12, 7)));
    cases.extend(random_cases(Assignor::Sticky, &mut rng, 20, (6, 40, 12)));
    // A first generation from scratch (no member owns anything), then three rebalances: a
    // member leaves, one joins, random previous owners.
    let fresh = kafka_assign(&cases.iter().map(|c| (c.clone(), true)).collect::<Vec<_>>());
    let mut rounds: Vec<Case> = Vec::new();
    for (c, k) in cases.iter().zip(&fresh) {
        let gone = c.members[0].id.clone();
        let left = next_round(c, k, 3, &[gone.as_str()], Vec::new());
        if !left.members.is_empty() {
            rounds.push(left);
        }
        let topics: Vec<&str> = c.members[0].topics.iter().map(String::as_str).collect();
        rounds.push(next_round(
            c,
            k,
            3,
            &[],
            vec![new_member("late-joiner", &topics)],
        ));
        rounds.push(with_random_previous(c, &mut rng));
    }
    let from_random = |c: &Case| c.name.ends_with("random previous");
    let mut bad = Vec::new();
    let (mut differ_after_random, mut differ_after_sticky) = (0, 0);
    for (c, k) in cases.iter().zip(&fresh) {
        if &filka_assign(c) != k {
            bad.push(format!(
                "first generation of {}: kafka\n{}\nfilka\n{}",
                c.name,
                show(k),
                show(&filka_assign(c))
            ));
        }
    }
    let first = kafka_assign(&rounds.iter().map(|c| (c.clone(), true)).collect::<Vec<_>>());
    // The second round: every member owns what the first gave it, one generation later.
    let second_cases: Vec<Case> = rounds
        .iter()
        .zip(&first)
        .map(|(c, k)| {
            let mut n = next_round(c, k, 8, &[], Vec::new());
            n.name = format!("{} / after revocation", c.name);
            n
        })
        .collect();
    let second = kafka_assign(
        &second_cases
            .iter()
            .map(|c| (c.clone(), true))
            .collect::<Vec<_>>(),
    );
    for ((c, k1), k2) in rounds.iter().zip(&first).zip(&second) {
        let target = filka_assign(c);
        // What another member still owns is not assigned until it was revoked.
        let mut expect_first = target.clone();
        for (m, tps) in expect_first.iter_mut() {
            tps.retain(|tp| {
                !c.members.iter().any(|o| {
                    o.id != *m
                        && o.previous
                            .as_ref()
                            .is_some_and(|(_, owned)| owned.contains(tp))
                })
            });
        }
        if &expect_first != k1 {
            bad.push(format!(
                "{} (first round):\n{}\n kafka:\n{}\n filka's target minus the partitions changing owner:\n{}",
                c.name,
                render(&[(c.clone(), true)]),
                show(k1),
                show(&expect_first)
            ));
        }
        if &target != k2 {
            if from_random(c) {
                differ_after_random += 1;
            } else {
                differ_after_sticky += 1;
            }
        }
    }
    let total = cases.len() + 2 * rounds.len();
    let random = rounds.iter().filter(|c| from_random(c)).count();
    eprintln!(
        "cooperative-sticky: {total} assignments compared with Kafka's; after revocation, \
         Kafka's second round is not filka's target in {differ_after_sticky} of {} groups \
         after a leave or a join and {differ_after_random} of {random} after random owners",
        rounds.len() - random
    );
    assert!(
        bad.is_empty(),
        "{} of {total} differ:\n{}",
        bad.len(),
        bad.join("\n\n")
    );
}
