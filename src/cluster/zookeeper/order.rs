//! The orders Kafka's JSON maps came out in: the iteration orders of a Scala 2.13
//! `mutable.HashMap`, of a Scala 2.13 immutable `Map` and of a `java.util.Properties` (Java 9
//! and later), computed from Java's `String.hashCode` as those maps place keys. Jackson
//! writes a map in its iteration order, so these decide the key order of TopicZNode's
//! `"partitions"`, of BrokerIdZNode's `"listener_security_protocol_map"` and of
//! ConfigEntityZNode's `"config"`.
//!
//! Must not: know what the keys mean.

/// Java's `String.hashCode`: over UTF-16 code units, `h = 31 * h + c`.
fn java_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// The order a Scala 2.13 `mutable.HashMap`, empty at first and filled with `keys`, iterates
/// in: by bucket (the key's `hashCode` with its high half XORed into its low half, masked by
/// the table size), and in a bucket by that hash, as a signed int. The table starts at 16
/// buckets and doubles before an insert would reach 3/4 of it.
pub(super) fn scala_hash_map_order(keys: &[String]) -> Vec<&String> {
    let mut len: usize = 16;
    for count in 0..keys.len() {
        if count + 1 >= len * 3 / 4 {
            len *= 2;
        }
    }
    let improved = |k: &String| {
        let h = java_hash(k);
        h ^ ((h as u32) >> 16) as i32
    };
    let mut out: Vec<&String> = keys.iter().collect();
    out.sort_by_key(|k| {
        let h = improved(k);
        ((h as u32 as usize) & (len - 1), h)
    });
    out
}

/// Scala's `Hashing.improve`, which an immutable `HashMap` applies to a key's `hashCode`.
fn scala_improve(h: i32) -> u32 {
    let mut h = h.wrapping_add(!h.wrapping_shl(9));
    h ^= ((h as u32) >> 14) as i32;
    h = h.wrapping_add(h.wrapping_shl(4));
    (h ^ ((h as u32) >> 10) as i32) as u32
}

/// The order a Scala 2.13 immutable `Map` built from `keys` (`.toMap`, `Map(...)`) iterates
/// in: up to 4 distinct keys (`Map1`..`Map4`) in the order first put; from 5 on a CHAMP
/// trie (`HashMap`), whose shape the improved hashes alone decide, walked depth first: at
/// each level (5 bits of the hash, lowest first) the keys alone in their slot by slot
/// number, then the slots of several keys, each a level down. Keys whose 32 bits are all
/// equal share a collision node, in the order put.
pub(super) fn scala_immutable_map_order(keys: &[String]) -> Vec<&String> {
    let mut distinct: Vec<&String> = Vec::new();
    for k in keys {
        if !distinct.contains(&k) {
            distinct.push(k);
        }
    }
    if distinct.len() <= 4 {
        return distinct;
    }
    let hashed: Vec<(u32, &String)> = distinct
        .into_iter()
        .map(|k| (scala_improve(java_hash(k)), k))
        .collect();
    let mut out = Vec::with_capacity(hashed.len());
    champ_walk(&hashed, 0, &mut out);
    out
}

fn champ_walk<'a>(keys: &[(u32, &'a String)], shift: u32, out: &mut Vec<&'a String>) {
    if shift >= 32 {
        out.extend(keys.iter().map(|(_, k)| *k));
        return;
    }
    let mut slots: std::collections::BTreeMap<u32, Vec<(u32, &'a String)>> = Default::default();
    for &(h, k) in keys {
        slots.entry((h >> shift) & 0x1f).or_default().push((h, k));
    }
    for slot in slots.values().filter(|s| s.len() == 1) {
        out.push(slot[0].1);
    }
    for slot in slots.values().filter(|s| s.len() > 1) {
        champ_walk(slot, shift + 5, out);
    }
}

/// The order a `java.util.Properties` (Java 9 and later: a `ConcurrentHashMap` of initial
/// capacity 8, so a table of 16 bins) iterates in after `keys` were put in that order: by
/// bin, in a bin by insertion, except where a resize (when the count reaches 3/4 of the
/// table) split a bin: `ConcurrentHashMap.transfer` keeps the bin's last run of nodes bound
/// for the same half in order and puts the nodes before it, reversed, in front.
///
/// A bin of 8 or more is made a tree in Java; no set of filka's config keys comes near that
/// (tested), so it is not modelled.
pub(super) fn properties_order(keys: &[String]) -> Vec<&String> {
    let spread = |k: &String| {
        let h = java_hash(k) as u32;
        (h ^ (h >> 16)) & 0x7fff_ffff
    };
    let mut table: Vec<Vec<(u32, &String)>> = vec![Vec::new(); 16];
    let mut count = 0;
    for k in keys {
        let h = spread(k);
        let n = table.len();
        let bin = &mut table[(h as usize) & (n - 1)];
        if bin.iter().any(|(_, e)| *e == k) {
            continue;
        }
        bin.push((h, k));
        count += 1;
        while count >= table.len() - table.len() / 4 {
            table = chm_transfer(table);
        }
    }
    table
        .into_iter()
        .flat_map(|bin| bin.into_iter().map(|(_, k)| k))
        .collect()
}

/// `ConcurrentHashMap.transfer` of a table of list bins to one twice its size.
fn chm_transfer(table: Vec<Vec<(u32, &String)>>) -> Vec<Vec<(u32, &String)>> {
    let n = table.len();
    let mut next = vec![Vec::new(); n * 2];
    for (i, bin) in table.into_iter().enumerate() {
        let high = |h: u32| (h as usize) & n != 0;
        // The last run: the longest tail whose nodes all go to the same half.
        let Some(&(last_hash, _)) = bin.last() else {
            continue;
        };
        let run_bit = high(last_hash);
        let mut run_start = bin.len() - 1;
        while run_start > 0 && high(bin[run_start - 1].0) == run_bit {
            run_start -= 1;
        }
        let (mut lo, mut hi) = (Vec::new(), Vec::new());
        if run_bit {
            hi.extend_from_slice(&bin[run_start..]);
        } else {
            lo.extend_from_slice(&bin[run_start..]);
        }
        // The nodes before it, each put in front of its list.
        for &node in &bin[..run_start] {
            if high(node.0) {
                hi.insert(0, node);
            } else {
                lo.insert(0, node);
            }
        }
        next[i] = lo;
        next[i + n] = hi;
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::topic::CONFIG_KEYS;

    // The expected orders are what Kafka 3.9.0's encoders printed (kafka_2.13-3.9.0.jar
    // called from Java 17); both functions also matched it for every partition count from
    // 1 to 400 and 5,000 key sets of 1 to 60 keys.

    fn strings(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| (*k).to_string()).collect()
    }

    #[test]
    fn partition_order_is_scala_hash_map_order() {
        // The "partitions" keys TopicZNode.encode printed for 12, 20 and 100 partitions.
        let order = |n: usize| -> Vec<String> {
            let keys: Vec<String> = (0..n).map(|p| p.to_string()).collect();
            scala_hash_map_order(&keys).into_iter().cloned().collect()
        };
        assert_eq!(
            order(12),
            strings(&["11", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"])
        );
        let mut twenty = strings(&["11", "12", "13", "14", "15", "16", "17", "18", "19"]);
        twenty.extend((0..=10).map(|p| p.to_string()));
        assert_eq!(order(20), twenty);
        assert_eq!(
            order(100)[..14],
            strings(&[
                "88", "89", "90", "91", "92", "93", "94", "95", "96", "97", "10", "98", "11", "99"
            ])
        );
    }

    #[test]
    fn immutable_map_order_is_insertion_then_champ() {
        // Up to 4: as put, a key put again keeping its place.
        let keys = strings(&["b", "a", "b", "c"]);
        assert_eq!(
            scala_immutable_map_order(&keys),
            [&keys[0], &keys[1], &keys[3]]
        );
        // TopicPartitionStateZNode's 5 and 6 keys, in the order Kafka printed them.
        let order = |keys: &[&str]| -> Vec<String> {
            scala_immutable_map_order(&strings(keys))
                .into_iter()
                .cloned()
                .collect()
        };
        let state = [
            "version",
            "leader",
            "leader_epoch",
            "controller_epoch",
            "isr",
        ];
        assert_eq!(
            order(&state),
            [
                "controller_epoch",
                "leader",
                "version",
                "leader_epoch",
                "isr"
            ]
        );
        let mut recovering = state.to_vec();
        recovering.push("leader_recovery_state");
        assert_eq!(
            order(&recovering),
            [
                "controller_epoch",
                "leader",
                "version",
                "leader_recovery_state",
                "leader_epoch",
                "isr"
            ]
        );
        // Listener names as BrokerIdZNode's listener_security_protocol_map printed them.
        assert_eq!(
            order(&["PLAINTEXT", "SSL", "INTERNAL", "EXTERNAL", "REPLICATION"]),
            ["INTERNAL", "EXTERNAL", "PLAINTEXT", "REPLICATION", "SSL"]
        );
    }

    #[test]
    fn properties_order_follows_concurrent_hash_map_through_a_resize() {
        // Every filka topic config key and log.flush.interval.messages, put in key order:
        // 18 keys, so the table was resized from 16 to 32 bins on the 12th. The order is
        // Java 17's (java.util.Properties put in this order, keySet() iterated).
        let mut keys: Vec<String> = CONFIG_KEYS.iter().map(|(k, _)| (*k).to_string()).collect();
        keys.push("log.flush.interval.messages".into());
        keys.sort();
        let got: Vec<&String> = properties_order(&keys);
        assert_eq!(
            got,
            strings(&[
                "compression.type",
                "log.flush.interval.messages",
                "max.compaction.lag.ms",
                "max.message.bytes",
                "min.compaction.lag.ms",
                "message.timestamp.type",
                "min.insync.replicas",
                "index.interval.bytes",
                "min.cleanable.dirty.ratio",
                "unclean.leader.election.enable",
                "delete.retention.ms",
                "retention.bytes",
                "replica.lag.time.max.ms",
                "cleanup.policy",
                "retention.ms",
                "segment.bytes",
                "segment.ms",
                "flush.messages",
            ])
            .iter()
            .collect::<Vec<_>>()
        );
        // A bin split by the resize on the 12th key: k2537 and k1823 shared a bin of 16 and
        // stay in one of 32, now reversed (Kafka printed exactly this; putting the keys
        // straight into a table of 32 would keep k2537 first).
        let keys = strings(&[
            "k2537", "k2660", "k1823", "k2567", "k3681", "k2606", "k464", "k3246", "k500", "k3366",
            "k752", "k685",
        ]);
        let got: Vec<&str> = properties_order(&keys)
            .into_iter()
            .map(String::as_str)
            .collect();
        assert_eq!(
            got,
            [
                "k1823", "k2537", "k2606", "k3366", "k2660", "k2567", "k464", "k3246", "k752",
                "k685", "k500", "k3681"
            ]
        );
    }

    #[test]
    fn no_set_of_filka_config_keys_fills_a_java_tree_bin() {
        // A bin of 8 becomes a tree in Java, which properties_order does not model: every
        // key filka can write, hashed into every table size a Properties of them goes
        // through, leaves each bin far below 8.
        let mut keys: Vec<&str> = CONFIG_KEYS.iter().map(|(k, _)| *k).collect();
        keys.push("log.flush.interval.messages");
        for n in [16usize, 32] {
            let mut bins = vec![0; n];
            for k in &keys {
                let h = java_hash(k) as u32;
                bins[((h ^ (h >> 16)) as usize) & (n - 1)] += 1;
            }
            assert!(bins.iter().all(|&c| c < 8), "{n}: {bins:?}");
        }
    }
}
