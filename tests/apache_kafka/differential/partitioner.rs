//! Where records go: keyed records through Kafka's producer and filka's (murmur2), and what
//! of the sticky partitioner for records without a key is deterministic.

use std::collections::BTreeSet;

use super::{Rng, hex};
use crate::kafka::{self, Broker, Filka};

/// 10,000 keys: the empty key, ASCII words, UTF-8 text of 2-, 3- and 4-byte characters,
/// and random bytes (every length from 1 to 64, so every murmur2 tail).
fn keys() -> Vec<Vec<u8>> {
    let mut rng = Rng(0x6b65_7973);
    let mut out = vec![Vec::new()];
    let words = [
        "user", "truckID", "order", "k", "session", "a", "EU-west", "sensor_", "Z", "key",
    ];
    for i in 0..3000 {
        let w = words[rng.below(words.len() as u64) as usize];
        out.push(format!("{w}{i}").into_bytes());
    }
    let pieces = [
        "é", "ß", "日本", "語", "😀", "Ω", "ü", "中文", "🚚", "a", "Ж", "€",
    ];
    for i in 0..3000 {
        let n = 1 + rng.below(8);
        let mut s: String = (0..n)
            .map(|_| pieces[rng.below(pieces.len() as u64) as usize])
            .collect();
        if i % 2 == 0 {
            s.push_str(&i.to_string());
        }
        out.push(s.into_bytes());
    }
    while out.len() < 10_000 {
        let len = 1 + (out.len() % 64);
        out.push((0..len).map(|_| rng.below(256) as u8).collect());
    }
    out
}

/// Keyed records through Kafka's producer (KafkaProducer, its default partitioner, keys as
/// bytes) and through `filka produce -K --key-format hex`, for topics of 1, 3, 7 and 50
/// partitions: every key lands in the same partition. filka's library function and
/// `topic partition-for` are checked against the same answers.
#[test]
#[ignore = "needs Java 17 and Maven: .ci/run's apache-kafka step runs it"]
fn keyed_records_go_where_kafkas_producer_puts_them() {
    let keys = keys();
    let broker = Broker::start(1);
    let filka = Filka::new();
    let input_kafka: String = keys.iter().map(|k| format!("{}\n", hex(k))).collect();
    let input_filka: String = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{}\t{i}\n", hex(k)))
        .collect();
    for n in [1u32, 3, 7, 50] {
        let topic = format!("keys-{n}");
        broker.create_topic(&topic, n, &[]);
        let kafka: Vec<u32> =
            kafka::tool_stdin("produce", &[&broker.bootstrap, &topic], &input_kafka)
                .lines()
                .map(|l| l.split(' ').next().unwrap().parse().unwrap())
                .collect();
        assert_eq!(kafka.len(), keys.len());

        filka.run(
            &["topic", "create", &topic, "-p", &n.to_string(), "-r", "1"],
            "",
        );
        let printed = filka.run(
            &[
                "produce",
                "-t",
                &topic,
                "-K",
                "\\t",
                "--key-format",
                "hex",
                "--print-offsets",
            ],
            &input_filka,
        );
        let produced: Vec<u32> = printed
            .lines()
            .map(|l| l.split('\t').next().unwrap().parse().unwrap())
            .collect();
        // Read back: each record's value (its key's index), partition and key.
        let consumed = filka.run(
            &[
                "consume",
                "-t",
                &topic,
                "--key-format",
                "hex",
                "--format",
                "%v %p %K %k\\n",
            ],
            "",
        );
        let mut seen = vec![None; keys.len()];
        for line in consumed.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            let i: usize = f[0].parse().unwrap();
            assert_eq!(f[2], keys[i].len().to_string(), "key {i}'s size read back");
            assert_eq!(
                f.get(3).copied().unwrap_or(""),
                hex(&keys[i]),
                "key {i} read back"
            );
            seen[i] = Some(f[1].parse::<u32>().unwrap());
        }
        let mut bad = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let lib = filka::record::hash::partition_for_key(k, n);
            if produced[i] != kafka[i] || seen[i] != Some(kafka[i]) || lib != kafka[i] {
                bad.push(format!(
                    "key {} ({i}): Kafka {}, filka produce {}, read back {:?}, partition_for_key {lib}",
                    hex(k),
                    kafka[i],
                    produced[i],
                    seen[i]
                ));
            }
        }
        assert!(
            bad.is_empty(),
            "{n} partitions: {} of {} keys differ:\n{}",
            bad.len(),
            keys.len(),
            bad[..bad.len().min(20)].join("\n")
        );
        // `topic partition-for` on one key of each kind.
        for i in [0, 1, 3001, 6002, 9999] {
            let out = filka.run(
                &[
                    "topic",
                    "partition-for",
                    &topic,
                    &hex(&keys[i]),
                    "--key-format",
                    "hex",
                ],
                "",
            );
            let want = format!(": partition {}, leader", kafka[i]);
            assert!(
                out.contains(&want),
                "partition-for key {i} ({}): Kafka says {want}: {out}",
                hex(&keys[i])
            );
        }
    }
}

/// The lengths of the runs of equal partitions in `parts`, in order.
fn runs(parts: &[u32]) -> Vec<(u32, usize)> {
    let mut out: Vec<(u32, usize)> = Vec::new();
    for &p in parts {
        match out.last_mut() {
            Some((q, n)) if *q == p => *n += 1,
            _ => out.push((p, 1)),
        }
    }
    out
}

/// Records without a key, through Kafka's producer and `filka produce`, what of the sticky
/// partitioner (KIP-480, KIP-794) is deterministic: with one partition every record goes to
/// partition 0; with several, the records spread over more than one partition, and Kafka's
/// producer stays on a partition until it has written a batch's worth to it (batch.size,
/// 16384 bytes, counted from the moment it chose the partition), so every run of records on
/// one partition but the last holds at least a batch's worth of them.
///
/// Not deterministic, so not compared: which partition each run goes to (Kafka draws it at
/// random, weighted by queue sizes with adaptive partitioning; it may draw the same partition
/// again, filka never does), and how far past a batch a run goes (Kafka keeps the partition
/// while its last batch is not full, up to two batches, which depends on when its sender
/// thread drains batches).
///
/// A known difference, reported and not failed here (src/client/producer.rs): filka leaves
/// the partition when that partition's open batch fills, and a partition it comes back to
/// may still hold a part-filled batch from its earlier turn, so some of its runs are much
/// shorter than a batch (about 55 records of 111 bytes where a batch holds 147).
#[test]
#[ignore = "needs Java 17 and Maven: .ci/run's apache-kafka step runs it"]
fn keyless_records_stick_to_a_partition_per_batch_as_in_kafka() {
    const RECORDS: usize = 2000;
    const VALUE: usize = 100;
    // A record of a 100-byte value and a null key takes at most 111 bytes in a batch (a
    // 2-byte length, attributes, timestamp and offset deltas of at most 2 bytes each, the
    // key's length, a 2-byte value length, the value, the header count); a batch holds
    // 16384 bytes, 61 of them its header.
    const MIN_RUN: usize = (16384 - 61) / 111;
    let broker = Broker::start(1);
    let filka = Filka::new();
    let value = "x".repeat(VALUE);
    let kafka_input: String = (0..RECORDS)
        .map(|_| format!("-\t{}\n", hex(value.as_bytes())))
        .collect();
    let filka_input: String = (0..RECORDS).map(|_| format!("{value}\n")).collect();
    for n in [1u32, 3] {
        let topic = format!("keyless-{n}");
        broker.create_topic(&topic, n, &[]);
        let kafka: Vec<u32> =
            kafka::tool_stdin("produce", &[&broker.bootstrap, &topic], &kafka_input)
                .lines()
                .map(|l| l.split(' ').next().unwrap().parse().unwrap())
                .collect();
        filka.run(
            &["topic", "create", &topic, "-p", &n.to_string(), "-r", "1"],
            "",
        );
        let filka_parts: Vec<u32> = filka
            .run(&["produce", "-t", &topic, "--print-offsets"], &filka_input)
            .lines()
            .map(|l| l.split('\t').next().unwrap().parse().unwrap())
            .collect();
        for (who, parts) in [("Kafka", &kafka), ("filka", &filka_parts)] {
            assert_eq!(parts.len(), RECORDS, "{who}");
            let r = runs(parts);
            if n == 1 {
                assert_eq!(r, [(0, RECORDS)], "{who}: one partition takes every record");
                continue;
            }
            let short: Vec<&(u32, usize)> = r[..r.len() - 1]
                .iter()
                .filter(|(_, len)| *len < MIN_RUN)
                .collect();
            if who == "Kafka" {
                assert!(
                    short.is_empty(),
                    "Kafka left a partition before a batch's worth ({MIN_RUN} records): \
                     {short:?} of runs {r:?}"
                );
            } else {
                assert!(
                    r.windows(2).all(|w| w[0].0 != w[1].0),
                    "filka chose the partition it left: {r:?}"
                );
                if !short.is_empty() {
                    eprintln!(
                        "known difference: filka left a partition before a batch's worth \
                         ({MIN_RUN} records): {short:?} of runs {r:?}"
                    );
                }
            }
            let used: BTreeSet<u32> = parts.iter().copied().collect();
            assert!(used.len() > 1, "{who} used one partition of {n}: {r:?}");
        }
    }
}
