//! ListOffsets: earliest, latest and by timestamp, before and after retention moved the log
//! start, Kafka's consumer against `filka consume -o`.

use std::collections::BTreeMap;

use super::hex;
use crate::kafka::{self, Broker, Filka};

/// filka's answer to one ListOffsets query on one partition, as Kafka's consumer prints it
/// (`offset` for earliest and latest; `offset@timestamp` or `null` for a timestamp): the
/// offset `consume -v` says it starts at, and for a timestamp the first record it reads.
fn filka_offset(filka: &Filka, topic: &str, partition: u32, query: &str) -> String {
    let spec = match query {
        "earliest" => "beginning".to_string(),
        "latest" => "end".to_string(),
        ts => format!("@{ts}"),
    };
    let out = filka.run_bytes(
        &[
            "consume",
            "-t",
            topic,
            "-p",
            &partition.to_string(),
            "-o",
            &spec,
            "-c",
            "1",
            "-v",
            "--format",
            "%o@%T\\n",
        ],
        b"",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let start: i64 = stderr
        .lines()
        .find_map(|l| l.split(" at offset ").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("consume -v said no start offset: {stderr}"));
    let record = String::from_utf8_lossy(&out.stdout).trim().to_string();
    match query {
        "earliest" | "latest" => start.to_string(),
        _ if record.is_empty() => "null".to_string(),
        _ => {
            assert!(
                record.starts_with(&format!("{start}@")),
                "consume -o {spec} said it starts at {start} and read {record}"
            );
            record
        }
    }
}

/// Kafka's answers to `queries` on every partition of `topic` (KafkaConsumer's
/// beginningOffsets, endOffsets and offsetsForTimes): per query, partition -> answer.
fn kafka_offsets(broker: &Broker, topic: &str, queries: &[&str]) -> Vec<BTreeMap<u32, String>> {
    let input: String = queries.iter().map(|q| format!("{q}\n")).collect();
    kafka::tool_stdin("consume", &[&broker.bootstrap, topic, "offsets"], &input)
        .lines()
        .map(|line| {
            line.split(' ')
                .map(|pa| {
                    let (p, a) = pa.split_once(':').unwrap();
                    (p.parse().unwrap(), a.to_string())
                })
                .collect()
        })
        .collect()
}

/// Records with explicit timestamps (out of order in a partition, one timestamp twice), the
/// same in Kafka (its producer) and filka (`produce --input-format envelope`); then
/// ListOffsets: earliest, latest, and by timestamp before every record, on one exactly, on
/// one given twice, between two, on the largest and after every record (Kafka's consumer
/// against `filka consume -o @TIME`). Then retention: a topic whose first segment's records
/// are older than retention.ms, until Kafka's first retention pass (30 s after the node
/// starts) and filka's (when the records are written) delete it: the earliest offset, the
/// offset for a timestamp before it, and the latest.
#[test]
#[ignore = "needs Java 17 and Maven: .ci/run's apache-kafka step runs it"]
fn list_offsets_answer_as_kafka_does() {
    let broker = Broker::start(1);
    let filka = Filka::new();
    let started = std::time::Instant::now();

    // Retention first: Kafka's first pass comes 30 s after the node started.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let old = now - 2 * 86_400_000;
    let big = "r".repeat(100_000);
    // 100,000-byte records, one per batch (larger than batch.size): ten fill a 1 MiB
    // segment, so the eleventh starts the second; the first ten are two days old.
    let stamps: Vec<i64> = (0..15)
        .map(|i| if i < 10 { old + i } else { now + i })
        .collect();
    let ret_configs = ["segment.bytes=1048576", "retention.ms=86400000"];
    broker.create_topic("retained", 1, &ret_configs);
    let kafka_input: String = stamps
        .iter()
        .map(|ts| format!("-\t{}\t0\t{ts}\n", hex(big.as_bytes())))
        .collect();
    kafka::tool_stdin(
        "produce",
        &[&broker.bootstrap, "retained", "--sync"],
        &kafka_input,
    );
    let mut create = vec!["topic", "create", "retained", "-p", "1", "-r", "1"];
    for c in &ret_configs {
        create.extend(["-c", c]);
    }
    filka.run(&create, "");
    let filka_input: String = stamps
        .iter()
        .map(|ts| format!("{{\"partition\":0,\"timestamp\":{ts},\"value\":\"{big}\"}}\n"))
        .collect();
    filka.run(
        &["produce", "-t", "retained", "--input-format", "envelope"],
        &filka_input,
    );

    // ListOffsets on records kept forever.
    let base = 1_700_000_000_000i64;
    let records: [(u32, &[i64]); 2] = [
        (0, &[1_000, 2_000, 2_000, 3_000, 5_000]),
        (1, &[4_000, 1_000, 6_000, 2_000]),
    ];
    broker.create_topic("timed", 2, &["retention.ms=-1"]);
    filka.run(
        &[
            "topic",
            "create",
            "timed",
            "-p",
            "2",
            "-r",
            "1",
            "-c",
            "retention.ms=-1",
        ],
        "",
    );
    let mut kafka_input = String::new();
    let mut filka_input = String::new();
    for (p, stamps) in records {
        for (i, t) in stamps.iter().enumerate() {
            let v = format!("p{p}-{i}");
            kafka_input += &format!("-\t{}\t{p}\t{}\n", hex(v.as_bytes()), base + t);
            filka_input += &format!(
                "{{\"partition\":{p},\"timestamp\":{},\"value\":\"{v}\"}}\n",
                base + t
            );
        }
    }
    kafka::tool_stdin(
        "produce",
        &[&broker.bootstrap, "timed", "--sync"],
        &kafka_input,
    );
    filka.run(
        &["produce", "-t", "timed", "--input-format", "envelope"],
        &filka_input,
    );
    let stamps: Vec<String> = [-1_000, 1_000, 2_000, 2_500, 4_500, 6_000, 7_000]
        .iter()
        .map(|t| (base + t).to_string())
        .collect();
    let mut queries = vec!["earliest", "latest"];
    queries.extend(stamps.iter().map(String::as_str));
    let kafka = kafka_offsets(&broker, "timed", &queries);
    let mut bad = Vec::new();
    for (q, k) in queries.iter().zip(&kafka) {
        for p in 0..2 {
            let f = filka_offset(&filka, "timed", p, q);
            eprintln!("timed-{p} {q}: Kafka {}, filka {f}", k[&p]);
            if k[&p] != f {
                bad.push(format!("timed-{p} {q}: Kafka {}, filka {f}", k[&p]));
            }
        }
    }

    // Kafka's retention pass, then the retained topic on both.
    let deadline = std::time::Duration::from_secs(90);
    loop {
        let k = kafka_offsets(&broker, "retained", &["earliest"]);
        if k[0][&0] != "0" {
            break;
        }
        assert!(
            started.elapsed() < deadline,
            "Kafka's retention did not move the log start of retained-0 within {deadline:?}"
        );
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    let before = (old - 1_000).to_string();
    let queries = ["earliest", "latest", before.as_str()];
    let kafka = kafka_offsets(&broker, "retained", &queries);
    for (q, k) in queries.iter().zip(&kafka) {
        let f = filka_offset(&filka, "retained", 0, q);
        eprintln!("retained-0 {q}: Kafka {}, filka {f}", k[&0]);
        if k[&0] != f {
            bad.push(format!("retained-0 {q}: Kafka {}, filka {f}", k[&0]));
        }
    }
    assert_eq!(kafka[0][&0], "10", "Kafka deleted the first segment only");
    assert!(bad.is_empty(), "ListOffsets differ:\n{}", bad.join("\n"));
}
