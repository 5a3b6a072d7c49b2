//! Kafka's StickyAssignor, as `AbstractStickyAssignor` of Kafka 4.4 computes it without racks,
//! ported step by step so that filka gives Kafka's exact answer, not only an answer as
//! balanced and as sticky as Kafka's (the differential test in tests/apache_kafka compares
//! them on hundreds of groups).
//!
//! Kafka takes one of two paths. When every member subscribed to the same topics, the
//! constrained one: each member keeps up to its quota of what it owned (members visited in the
//! order of the leader's `HashMap` of member ids), then the unowned partitions are dealt round
//! robin to the members below their quota, in member-id order. Otherwise the general one: each
//! member keeps what it owned and still subscribes to, the unowned partitions go one by one
//! (topics with the fewest subscribers first) to the least loaded subscriber, then partitions
//! move from the most to the least loaded until the assignment is balanced, reverted if that
//! did not improve the balance score.
//!
//! Where Kafka's answer depends on the iteration order of a Java `HashMap` or `HashSet` (which
//! member keeps its larger share; which of several moved partitions moves back), this module
//! computes that order as Java does ([`JavaTable`]), and Java's `String.compareTo` (UTF-16
//! code units) wherever Kafka sorts ids.
//!
//! Kafka's leader fills that `HashMap` in join order, and filka's coordinator keeps its
//! members by id: it calls [`super::assign`], for which members join in id order.
//!
//! filka's previous assignment is the group's last one, so every previous owner is of the
//! same generation: Kafka's handling of owners from older generations (`prevAssignment`) never
//! applies, and partitions claimed by two members are taken from both, as Kafka does for two
//! claims of one generation.
//!
//! Must not: know about the coordinator or the cluster; pure function of its inputs.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::record::hash::java_string_hash;

use super::{Assignment, Tp, java_cmp};

/// The iteration order of a Java `HashMap`/`HashSet` built by inserting (and removing) keys:
/// by bucket (the spread hash modulo the table's capacity), then by insertion within a bucket.
/// The capacity grows as Java's does: 16 at the first insertion, doubled when the size passes
/// 3/4 of it, and doubled when a bucket of a table smaller than 64 reaches 9 entries (Java's
/// `treeifyBin`). Not emulated: the order inside a bucket that Java turned into a tree (9 or
/// more keys in one bucket of a table of 64 or more).
#[derive(Debug, Clone)]
struct JavaTable<K> {
    capacity: u32,
    next_seq: u64,
    /// (key, spread hash, insertion sequence).
    entries: Vec<(K, u32, u64)>,
}

impl<K: PartialEq + Clone> JavaTable<K> {
    fn new() -> Self {
        JavaTable {
            capacity: 0,
            next_seq: 0,
            entries: Vec::new(),
        }
    }

    /// `HashMap.hash`: the hash code with its high half folded into the low half.
    fn spread(hash: i32) -> u32 {
        let h = hash as u32;
        h ^ (h >> 16)
    }

    fn insert(&mut self, key: K, hash: i32) {
        if self.entries.iter().any(|e| e.0 == key) {
            return;
        }
        if self.capacity == 0 {
            self.capacity = 16;
        }
        let h = Self::spread(hash);
        let mask = self.capacity - 1;
        let before = self
            .entries
            .iter()
            .filter(|e| e.1 & mask == h & mask)
            .count();
        self.entries.push((key, h, self.next_seq));
        self.next_seq += 1;
        if before >= 8 && self.capacity < 64 {
            self.capacity *= 2;
        }
        if self.entries.len() as u64 > u64::from(self.capacity) * 3 / 4 {
            self.capacity *= 2;
        }
    }

    fn remove(&mut self, key: &K) {
        self.entries.retain(|e| e.0 != *key);
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn order_key(&self, e: &(K, u32, u64)) -> (u32, u64) {
        (e.1 & self.capacity.saturating_sub(1), e.2)
    }

    /// The keys in iteration order.
    fn ordered(&self) -> Vec<K> {
        let mut v: Vec<&(K, u32, u64)> = self.entries.iter().collect();
        v.sort_by_key(|e| self.order_key(e));
        v.into_iter().map(|e| e.0.clone()).collect()
    }

    /// The first key an iterator returns.
    fn first(&self) -> Option<K> {
        self.entries
            .iter()
            .min_by_key(|e| self.order_key(e))
            .map(|e| e.0.clone())
    }
}

/// `TopicPartition.hashCode`.
fn tp_hash(tp: &Tp) -> i32 {
    31i32
        .wrapping_add(tp.1 as i32)
        .wrapping_mul(31)
        .wrapping_add(java_string_hash(&tp.0))
}

/// Kafka's sticky assignment. `joined`: the members in join order, each with its topics (no
/// duplicates, no member twice); `partitions`: topic -> partition count of the topics that
/// exist; `previous`: what each member owned.
pub(super) fn assign(
    joined: &[(String, Vec<String>)],
    partitions: &BTreeMap<String, u32>,
    previous: &Assignment,
) -> Assignment {
    if joined.is_empty() {
        return Assignment::new();
    }
    let subscriptions: &BTreeMap<String, Vec<String>> = &joined.iter().cloned().collect();
    // partitionsPerTopic: the subscribed topics that exist.
    let per_topic: BTreeMap<String, u32> = subscriptions
        .values()
        .flatten()
        .filter_map(|t| {
            partitions
                .get(t)
                .filter(|n| **n > 0)
                .map(|n| (t.clone(), *n))
        })
        .collect();
    // The leader's HashMap of subscriptions, filled in join order.
    let mut table = JavaTable::new();
    for (id, _) in joined {
        table.insert(id.clone(), java_string_hash(id));
    }
    let members = table.ordered();

    // allSubscriptionsEqual, and what each member owned of the topics still assigned.
    let mut equal = true;
    let mut subscribed: BTreeSet<&String> = BTreeSet::new();
    let mut owned: BTreeMap<String, Vec<Tp>> = BTreeMap::new();
    let mut owner_of: HashMap<Tp, String> = HashMap::new();
    let mut claimed_twice: HashSet<Tp> = HashSet::new();
    for m in &members {
        let topics = &subscriptions[m];
        if subscribed.is_empty() {
            subscribed.extend(topics);
        } else if equal
            && !(topics.len() == subscribed.len() && topics.iter().all(|t| subscribed.contains(t)))
        {
            equal = false;
        }
        owned.insert(m.clone(), Vec::new());
        for tp in previous.get(m).into_iter().flatten() {
            // A partition beyond the topic's count (a topic deleted and created again with
            // fewer) is not owned: Kafka, whose topics never shrink, would hand it out.
            if per_topic.get(&tp.0).is_none_or(|n| tp.1 >= *n) {
                continue;
            }
            match owner_of.get(tp).cloned() {
                None => {
                    if let Some(v) = owned.get_mut(m) {
                        v.push(tp.clone());
                    }
                    owner_of.insert(tp.clone(), m.clone());
                }
                Some(other) => {
                    // Two claims of one generation: neither keeps it.
                    claimed_twice.insert(tp.clone());
                    if let Some(v) = owned.get_mut(&other) {
                        v.retain(|x| x != tp);
                    }
                    owner_of.insert(tp.clone(), m.clone());
                }
            }
        }
    }
    if equal {
        constrained(&per_topic, &members, &owned, &claimed_twice)
    } else {
        General::new(&per_topic, subscriptions, &members, owned).build()
    }
}

/// Kafka's ConstrainedAssignmentBuilder (every member subscribed to the same topics).
fn constrained(
    per_topic: &BTreeMap<String, u32>,
    members: &[String],
    owned: &BTreeMap<String, Vec<Tp>>,
    claimed_twice: &HashSet<Tp>,
) -> Assignment {
    let total: usize = per_topic.values().map(|n| *n as usize).sum();
    let n = members.len();
    let min_quota = total / n;
    let max_quota = total.div_ceil(n);
    let expected_over_min = total % n;
    let mut over_min = 0;
    let mut assignment: Assignment = members.iter().map(|m| (m.clone(), Vec::new())).collect();
    let mut assigned: HashSet<Tp> = HashSet::new();
    let mut under_min: Vec<String> = Vec::new();
    let mut exactly_min: Vec<String> = Vec::new();

    // Owned partitions back to their owners, up to the quotas, in the HashMap's order.
    for m in members {
        let mut own: Vec<Tp> = owned.get(m).cloned().unwrap_or_default();
        own.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| java_cmp(&a.0, &b.0)));
        own.retain(|tp| !claimed_twice.contains(tp));
        let keep = if own.len() < min_quota {
            under_min.push(m.clone());
            own.len()
        } else if own.len() >= max_quota && over_min < expected_over_min {
            over_min += 1;
            if over_min == expected_over_min {
                exactly_min.clear();
            }
            max_quota
        } else {
            if over_min < expected_over_min {
                exactly_min.push(m.clone());
            }
            min_quota
        };
        if let Some(v) = assignment.get_mut(m) {
            v.extend(own[..keep].iter().cloned());
        }
        assigned.extend(own[..keep].iter().cloned());
    }

    let mut topics: Vec<&String> = per_topic.keys().collect();
    topics.sort_by(|a, b| java_cmp(a, b));
    let unassigned: Vec<Tp> = topics
        .iter()
        .flat_map(|t| (0..per_topic[*t]).map(|p| ((*t).clone(), p)))
        .filter(|tp| !assigned.contains(tp))
        .collect();
    under_min.sort_by(|a, b| java_cmp(a, b));
    exactly_min.sort_by(|a, b| java_cmp(a, b));

    // Round robin over the members under their quota (an iterator over the list that drops
    // a member once it reaches the minimum), then over those that may take one more.
    let mut next = 0usize;
    for tp in unassigned {
        let (consumer, from_under) = if next < under_min.len() {
            next += 1;
            (under_min[next - 1].clone(), true)
        } else if under_min.is_empty() && exactly_min.is_empty() {
            // Kafka throws here ("No more unfilled consumers"); the quotas make it unreachable.
            break;
        } else if under_min.is_empty() {
            (exactly_min.remove(0), false)
        } else {
            next = 1;
            (under_min[0].clone(), true)
        };
        let count = match assignment.get_mut(&consumer) {
            Some(v) => {
                v.push(tp);
                v.len()
            }
            None => continue,
        };
        if count == min_quota {
            if from_under {
                next -= 1;
                under_min.remove(next);
            }
            exactly_min.push(consumer);
        }
        // (Kafka also counts the members reaching the maximum here, to verify the result.)
    }
    assignment
}

/// Kafka's PartitionMovements: which partitions moved between which members during this
/// assignment, so that a move back undoes an earlier move rather than making a new one.
#[derive(Debug, Default)]
struct Movements {
    /// partition -> (source, destination).
    by_partition: HashMap<Tp, (String, String)>,
    /// topic -> (source, destination) -> the partitions (a Java HashSet, whose first element
    /// is the one moved back).
    by_topic: HashMap<String, HashMap<(String, String), JavaTable<Tp>>>,
}

impl Movements {
    fn remove_record(&mut self, tp: &Tp) -> Option<(String, String)> {
        let pair = self.by_partition.remove(tp)?;
        if let Some(topic) = self.by_topic.get_mut(&tp.0) {
            if let Some(set) = topic.get_mut(&pair) {
                set.remove(tp);
                if set.is_empty() {
                    topic.remove(&pair);
                }
            }
            if topic.is_empty() {
                self.by_topic.remove(&tp.0);
            }
        }
        Some(pair)
    }

    fn add_record(&mut self, tp: &Tp, pair: (String, String)) {
        self.by_partition.insert(tp.clone(), pair.clone());
        self.by_topic
            .entry(tp.0.clone())
            .or_default()
            .entry(pair)
            .or_insert_with(JavaTable::new)
            .insert(tp.clone(), tp_hash(tp));
    }

    fn move_partition(&mut self, tp: &Tp, old: &str, new: &str) {
        match self.remove_record(tp) {
            Some((src, _)) => {
                if src != new {
                    self.add_record(tp, (src, new.to_string()));
                }
            }
            None => self.add_record(tp, (old.to_string(), new.to_string())),
        }
    }

    /// getTheActualPartitionToBeMoved: a partition of the same topic that moved from `new`
    /// to the original owner of `tp`, if any (moving it back), else `tp`.
    fn actual_partition_to_move(&self, tp: &Tp, old: &str, new: &str) -> Tp {
        let Some(topic) = self.by_topic.get(&tp.0) else {
            return tp.clone();
        };
        let old = self
            .by_partition
            .get(tp)
            .map_or(old, |(src, _)| src.as_str());
        topic
            .get(&(new.to_string(), old.to_string()))
            .and_then(JavaTable::first)
            .unwrap_or_else(|| tp.clone())
    }
}

/// Kafka's GeneralAssignmentBuilder (members subscribed to different topics).
struct General<'a> {
    per_topic: &'a BTreeMap<String, u32>,
    subscriptions: &'a BTreeMap<String, Vec<String>>,
    total: usize,
    /// topic2AllPotentialConsumers.
    potential_consumers: BTreeMap<String, Vec<String>>,
    /// consumer2AllPotentialTopics.
    potential_topics: BTreeMap<String, Vec<String>>,
    /// currentAssignment.
    current: Assignment,
    /// currentPartitionConsumer.
    owner: HashMap<Tp, String>,
    sorted_all_partitions: Vec<Tp>,
    /// The members of sortedCurrentSubscriptions (a TreeSet by load, then id: its order is
    /// computed when needed, from the loads of the moment).
    in_sorted: BTreeSet<String>,
    /// Each member's place in Java's order of the member ids.
    rank: HashMap<String, usize>,
    movements: Movements,
}

impl<'a> General<'a> {
    fn new(
        per_topic: &'a BTreeMap<String, u32>,
        subscriptions: &'a BTreeMap<String, Vec<String>>,
        members: &[String],
        owned: BTreeMap<String, Vec<Tp>>,
    ) -> Self {
        let mut potential_consumers: BTreeMap<String, Vec<String>> =
            per_topic.keys().map(|t| (t.clone(), Vec::new())).collect();
        let mut potential_topics = BTreeMap::new();
        for m in members {
            let mine: Vec<String> = subscriptions[m]
                .iter()
                .filter(|t| per_topic.contains_key(*t))
                .cloned()
                .collect();
            for t in &mine {
                if let Some(v) = potential_consumers.get_mut(t) {
                    v.push(m.clone());
                }
            }
            potential_topics.insert(m.clone(), mine);
        }
        let mut current = owned;
        for m in members {
            current.entry(m.clone()).or_default();
        }
        let owner = current
            .iter()
            .flat_map(|(m, tps)| tps.iter().map(move |tp| (tp.clone(), m.clone())))
            .collect();
        let mut topics: Vec<&String> = per_topic.keys().collect();
        topics.sort_by(|a, b| {
            potential_consumers[*a]
                .len()
                .cmp(&potential_consumers[*b].len())
                .then_with(|| java_cmp(a, b))
        });
        let sorted_all_partitions = topics
            .iter()
            .flat_map(|t| (0..per_topic[*t]).map(|p| ((*t).clone(), p)))
            .collect();
        let mut by_id: Vec<&String> = members.iter().collect();
        by_id.sort_by(|a, b| java_cmp(a, b));
        let rank = by_id
            .into_iter()
            .enumerate()
            .map(|(i, m)| (m.clone(), i))
            .collect();
        General {
            rank,
            per_topic,
            subscriptions,
            total: per_topic.values().map(|n| *n as usize).sum(),
            potential_consumers,
            potential_topics,
            current,
            owner,
            sorted_all_partitions,
            in_sorted: BTreeSet::new(),
            movements: Movements::default(),
        }
    }

    fn load(&self, m: &str) -> usize {
        self.current.get(m).map_or(0, Vec::len)
    }

    /// The first member of sortedCurrentSubscriptions (ordered by load, then member id)
    /// subscribed to `topic`.
    fn first_subscriber(&self, topic: &str) -> Option<String> {
        self.in_sorted
            .iter()
            .filter(|m| self.subscribes(m, topic))
            .min_by_key(|m| {
                (
                    self.load(m),
                    self.rank.get(*m).copied().unwrap_or(usize::MAX),
                )
            })
            .cloned()
    }

    fn subscribes(&self, m: &str, topic: &str) -> bool {
        self.potential_topics
            .get(m)
            .is_some_and(|ts| ts.iter().any(|t| t == topic))
    }

    fn build(mut self) -> Assignment {
        // Keep what each member owned and still subscribes to.
        let mut revocation_required = false;
        let mut assigned: HashSet<Tp> = HashSet::new();
        for (m, tps) in self.current.iter_mut() {
            let subs = &self.subscriptions[m];
            tps.retain(|tp| {
                if !self.potential_consumers.contains_key(&tp.0) {
                    self.owner.remove(tp);
                    false
                } else if !subs.contains(&tp.0) {
                    revocation_required = true;
                    false
                } else {
                    assigned.insert(tp.clone());
                    true
                }
            });
        }
        let unassigned: Vec<Tp> = self
            .sorted_all_partitions
            .iter()
            .filter(|tp| !assigned.contains(*tp))
            .cloned()
            .collect();
        self.in_sorted = self.current.keys().cloned().collect();
        self.balance(unassigned, revocation_required);
        self.current
    }

    fn max_assignment_size(&self, topics: &[String]) -> usize {
        if topics.len() == self.per_topic.len() {
            self.total
        } else {
            topics
                .iter()
                .map(|t| self.per_topic.get(t).map_or(0, |n| *n as usize))
                .sum()
        }
    }

    fn topic_can_move(&self, topic: &str) -> bool {
        self.potential_consumers
            .get(topic)
            .is_some_and(|c| c.len() >= 2)
    }

    fn consumer_can_move(&self, m: &str) -> bool {
        let topics = self.potential_topics.get(m).cloned().unwrap_or_default();
        let mine = self.current.get(m).cloned().unwrap_or_default();
        mine.len() < self.max_assignment_size(&topics)
            || mine.iter().any(|tp| self.topic_can_move(&tp.0))
    }

    fn balance_score(a: &Assignment) -> usize {
        let loads: Vec<usize> = a.values().map(Vec::len).collect();
        let mut score = 0;
        for (i, x) in loads.iter().enumerate() {
            for y in &loads[i + 1..] {
                score += x.abs_diff(*y);
            }
        }
        score
    }

    fn balance(&mut self, mut unassigned: Vec<Tp>, revocation_required: bool) {
        // The last of sortedCurrentSubscriptions has the largest load.
        let initializing = self.in_sorted.iter().all(|m| self.load(m) == 0);
        // Each unassigned partition to the least loaded member subscribed to its topic.
        for tp in &unassigned {
            if let Some(m) = self.first_subscriber(&tp.0) {
                if let Some(v) = self.current.get_mut(&m) {
                    v.push(tp.clone());
                }
                self.owner.insert(tp.clone(), m);
            }
        }
        // Only partitions of topics with two or more subscribers, and only members that can
        // gain or lose one, take part in the balancing.
        let fixed_topics: HashSet<String> = self
            .potential_consumers
            .keys()
            .filter(|t| !self.topic_can_move(t))
            .cloned()
            .collect();
        self.sorted_all_partitions
            .retain(|tp| !fixed_topics.contains(&tp.0));
        unassigned.retain(|tp| !fixed_topics.contains(&tp.0));
        let mut fixed = Assignment::new();
        let members: Vec<String> = self.potential_topics.keys().cloned().collect();
        for m in members {
            if !self.consumer_can_move(&m) {
                self.in_sorted.remove(&m);
                if let Some(v) = self.current.remove(&m) {
                    fixed.insert(m, v);
                }
            }
        }
        let before = self.current.clone();
        let before_owner = self.owner.clone();
        if !revocation_required {
            self.perform_reassignments(&unassigned);
        }
        let all = self.sorted_all_partitions.clone();
        let performed = self.perform_reassignments(&all);
        if !initializing
            && performed
            && Self::balance_score(&self.current) >= Self::balance_score(&before)
        {
            self.current = before;
            self.owner = before_owner;
        }
        for (m, v) in fixed {
            self.in_sorted.insert(m.clone());
            self.current.insert(m, v);
        }
    }

    fn is_balanced(&self) -> bool {
        // The first and last of sortedCurrentSubscriptions: the smallest and largest loads.
        let loads = self.in_sorted.iter().map(|m| self.load(m));
        let (Some(min), Some(max)) = (loads.clone().min(), loads.max()) else {
            return true;
        };
        if min + 1 >= max {
            return true;
        }
        let owners: HashMap<(&str, u32), &String> = self
            .current
            .iter()
            .flat_map(|(m, tps)| tps.iter().map(move |tp| ((tp.0.as_str(), tp.1), m)))
            .collect();
        let none = Vec::new();
        // In sortedCurrentSubscriptions' order, least loaded first, as Kafka: the answer does
        // not depend on it, but the least loaded members show an imbalance soonest.
        let mut sorted: Vec<(usize, usize, &String)> = self
            .in_sorted
            .iter()
            .map(|m| {
                (
                    self.load(m),
                    self.rank.get(m).copied().unwrap_or(usize::MAX),
                    m,
                )
            })
            .collect();
        sorted.sort_unstable();
        for (_, _, m) in sorted {
            let load = self.load(m);
            let topics = self.potential_topics.get(m).unwrap_or(&none);
            if load == self.max_assignment_size(topics) {
                continue;
            }
            let mine: HashSet<(&str, u32)> = self
                .current
                .get(m)
                .into_iter()
                .flatten()
                .map(|tp| (tp.0.as_str(), tp.1))
                .collect();
            for t in topics {
                for p in 0..self.per_topic.get(t).copied().unwrap_or(0) {
                    let tp = (t.as_str(), p);
                    if mine.contains(&tp) {
                        continue;
                    }
                    if let Some(other) = owners.get(&tp)
                        && load + 1 < self.load(other)
                    {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// Moves partitions of `list` to less loaded subscribers until balanced or no move
    /// helps; true if any moved.
    fn perform_reassignments(&mut self, list: &[Tp]) -> bool {
        let mut performed = false;
        loop {
            let mut modified = false;
            for tp in list {
                if self.is_balanced() {
                    break;
                }
                let Some(consumer) = self.owner.get(tp).cloned() else {
                    continue;
                };
                let load = self.load(&consumer);
                let better = self
                    .potential_consumers
                    .get(&tp.0)
                    .is_some_and(|others| others.iter().any(|o| load > self.load(o) + 1));
                if better {
                    self.reassign(tp);
                    performed = true;
                    modified = true;
                }
            }
            if !modified {
                return performed;
            }
        }
    }

    /// reassignPartition: to the least loaded subscriber of its topic, undoing an earlier
    /// move where there is one to undo.
    fn reassign(&mut self, tp: &Tp) {
        let Some(new) = self.first_subscriber(&tp.0) else {
            return;
        };
        let Some(consumer) = self.owner.get(tp).cloned() else {
            return;
        };
        let moved = self.movements.actual_partition_to_move(tp, &consumer, &new);
        let Some(old) = self.owner.get(&moved).cloned() else {
            return;
        };
        self.movements.move_partition(&moved, &old, &new);
        if let Some(v) = self.current.get_mut(&old)
            && let Some(i) = v.iter().position(|x| *x == moved)
        {
            v.remove(i);
        }
        if let Some(v) = self.current.get_mut(&new) {
            v.push(moved.clone());
        }
        self.owner.insert(moved, new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_hash_order_of_short_ids() {
        // "a", "b", "c" hash to 97, 98, 99: buckets 1, 2, 3 of 16, whatever the insertion
        // order; "Aa" and "BB" share a hash (2112), so insertion order decides.
        let mut t = JavaTable::new();
        for id in ["c", "Aa", "a", "BB", "b"] {
            t.insert(id.to_string(), java_string_hash(id));
        }
        assert_eq!(t.ordered(), ["Aa", "BB", "a", "b", "c"]);
    }

    #[test]
    fn java_table_grows_as_hashmap_does() {
        let mut t = JavaTable::new();
        for i in 0..13 {
            t.insert(i, i);
        }
        // 13 > 12 = 3/4 of 16: 32 buckets, so 16..31 keep their own.
        assert_eq!(t.capacity, 32);
        // Nine keys in one bucket of a small table: Java resizes instead of making a tree.
        let mut t = JavaTable::new();
        for i in 0..9 {
            t.insert(i, i * 256);
        }
        assert_eq!(t.capacity, 32);
    }

    #[test]
    fn topic_partition_hash_is_kafkas() {
        // new TopicPartition("t", 0).hashCode() == 31 * 31 + "t".hashCode() == 961 + 116.
        assert_eq!(tp_hash(&("t".to_string(), 0)), 1077);
        assert_eq!(tp_hash(&("t".to_string(), 2)), 1077 + 62);
    }
}
