//! Apache Kafka boots on a filka folder, and filka reads what Kafka wrote there.
//!
//! A cluster written by the `filka` binary (brokers 101-103, all three voters of the
//! controller quorum; topics of replication factor 1 and 3; keyed records; a transactional
//! producer with one committed and one aborted transaction; a consumer group's commits; a
//! snapshot of the metadata, which Kafka's nodes load, and a change after it) is started as
//! it is by three real Kafka 4.4 nodes (`kafka.sh boot`: node.id 101-103,
//! process.roles=broker,controller, log.dirs and metadata.log.dir their `broker-N` folder,
//! static voters, PLAINTEXT listeners on the ports filka registered, 9092-9094, when they
//! are free). Kafka's console consumer (read_committed) must see every record at its offset,
//! `kafka-consumer-groups` the group's offsets, `kafka-transactions` the transactions, and
//! an idempotent Kafka producer appends after filka's records with a producer id of its own.
//!
//! Kafka then writes more (records, a new topic, a transactional producer's commit and
//! abort, a console consumer group's commits, a leader change by reassignment and preferred
//! election) and stops cleanly. filka opens the folder: its image of Kafka's metadata log
//! must be Kafka's own (the metadata shell's, field by field); the brokers Kafka's clean
//! stop fenced are started again (`simulate-failure broker-up`, what a Kafka restart does),
//! and `consume`, `describe topics`, `group describe` and `transactions list` must show what
//! Kafka's own clients showed before the stop. Last, what filka then wrote to the metadata
//! log, and a snapshot of it, must read in Kafka's shell as filka describes them.

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::Path;
use std::time::Instant;

use filka::cluster::Cluster;
use filka::cluster::kraft::raft::QuorumView;
// The PLAINTEXT port of filka's first broker in its registration; the next brokers have
// the next ports.
use filka::cluster::kraft::translate::FIRST_BROKER_PORT;

use crate::dump_text;
use crate::kafka::{self, Filka, Kafka};
use crate::metadata_read::{
    Fields, differences, filka_view, json_lines, kafka_view, last_records, shell_tree, snapshot,
};

/// A record as both sides print it: partition, offset, timestamp, value in hex.
type Record = (i32, i64, i64, String);

fn parse_records(text: &str) -> Vec<Record> {
    let mut out: Vec<Record> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert!(f.len() == 4, "a record line: {l:?}");
            (
                f[0].parse().expect("partition"),
                f[1].parse().expect("offset"),
                f[2].parse().expect("timestamp"),
                f[3].to_lowercase(),
            )
        })
        .collect();
    out.sort();
    out
}

/// What filka's consumer reads of `topic` (read_committed).
fn filka_records(f: &Filka, topic: &str) -> Vec<Record> {
    parse_records(&f.run(
        &[
            "consume",
            "--topic",
            topic,
            "-o",
            "beginning",
            "--isolation",
            "read_committed",
            "--value-format",
            "hex",
            "--format",
            "%p %o %T %v\\n",
        ],
        "",
    ))
}

/// What Kafka's consumer reads of `topic` (read_committed, up to the end offsets).
fn kafka_records(bootstrap: &str, topic: &str) -> Vec<Record> {
    parse_records(&kafka::tool(
        "consume",
        &[bootstrap, topic, "read", "read_committed"],
    ))
}

/// `(topic, partition) -> committed offset` of `group`, as filka says.
fn filka_group(f: &Filka, group: &str) -> BTreeMap<(String, i32), i64> {
    json_lines(&f.run(&["--output", "json", "group", "describe", group], ""))
        .iter()
        .filter_map(|r| {
            Some((
                (
                    r["topic"].as_str()?.to_string(),
                    r["partition"].as_i64()? as i32,
                ),
                r["current_offset"].as_i64()?,
            ))
        })
        .collect()
}

/// `(topic, partition) -> committed offset` of `group`, from `kafka-consumer-groups
/// --describe`.
fn kafka_group(bootstrap: &str, group: &str) -> BTreeMap<(String, i32), i64> {
    let out = kafka::tool(
        "consumer-groups",
        &[
            "--bootstrap-server",
            bootstrap,
            "--describe",
            "--group",
            group,
        ],
    );
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|f| f.len() >= 4 && f[0] == group)
        .filter_map(|f| Some(((f[1].to_string(), f[2].parse().ok()?), f[3].parse().ok()?)))
        .collect()
}

/// `transactional id -> (producer id, state)`, as filka says.
fn filka_transactions(f: &Filka) -> BTreeMap<String, (i64, String)> {
    json_lines(&f.run(&["--output", "json", "transactions", "list"], ""))
        .iter()
        .map(|t| {
            (
                t["transactional_id"].as_str().expect("id").to_string(),
                (
                    t["producer_id"].as_i64().expect("producer id"),
                    t["state"].as_str().expect("state").to_string(),
                ),
            )
        })
        .collect()
}

/// `transactional id -> (producer id, state)`, from `kafka-transactions list`.
fn kafka_transactions(bootstrap: &str) -> BTreeMap<String, (i64, String)> {
    let out = kafka::tool("transactions", &["--bootstrap-server", bootstrap, "list"]);
    out.lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|f| f.len() == 4)
        .map(|f| {
            (
                f[0].to_string(),
                (f[2].parse().expect("pid"), f[3].to_string()),
            )
        })
        .collect()
}

/// The producer ids a partition's leader knows (`kafka-transactions describe-producers`).
fn kafka_producers(bootstrap: &str, topic: &str, partition: i32) -> BTreeSet<i64> {
    let p = partition.to_string();
    kafka::tool(
        "transactions",
        &[
            "--bootstrap-server",
            bootstrap,
            "describe-producers",
            "--topic",
            topic,
            "--partition",
            &p,
        ],
    )
    .lines()
    .skip(1)
    .filter_map(|l| l.split_whitespace().next()?.parse().ok())
    .collect()
}

/// `partition -> (leader, replicas)` of `topic`, from `kafka-topics --describe`.
fn kafka_partitions(bootstrap: &str, topic: &str) -> BTreeMap<i32, (i32, Vec<i32>)> {
    let out = kafka::tool(
        "topics",
        &[
            "--bootstrap-server",
            bootstrap,
            "--describe",
            "--topic",
            topic,
        ],
    );
    let value = |fields: &[&str], key: &str| -> Option<String> {
        fields
            .iter()
            .position(|f| *f == key)
            .and_then(|i| fields.get(i + 1))
            .map(|v| v.to_string())
    };
    out.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let p = value(&f, "Partition:")?.parse().ok()?;
            let leader = value(&f, "Leader:")?.parse().ok()?;
            let replicas = value(&f, "Replicas:")?
                .split(',')
                .map(|r| r.parse().expect("replica id"))
                .collect();
            Some((p, (leader, replicas)))
        })
        .collect()
}

/// `partition -> end offset` of `topic` (`kafka-get-offsets`, latest).
fn kafka_end_offsets(bootstrap: &str, topic: &str) -> BTreeMap<i32, i64> {
    kafka::tool(
        "get-offsets",
        &["--bootstrap-server", bootstrap, "--topic", topic],
    )
    .lines()
    .filter_map(|l| {
        let mut f = l.rsplitn(3, ':');
        let offset = f.next()?.parse().ok()?;
        let partition = f.next()?.parse().ok()?;
        Some((partition, offset))
    })
    .collect()
}

/// `partition -> (replicas, log end offset)` of `topic`, as `filka describe topic` says.
fn filka_partitions(f: &Filka, topic: &str) -> BTreeMap<i32, (Vec<i32>, i64)> {
    let t = json_lines(&f.run(&["--output", "json", "describe", "topic", topic], "")).remove(0);
    t["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .map(|p| {
            (
                p["partition"].as_i64().expect("partition") as i32,
                (
                    p["replicas"]
                        .as_array()
                        .expect("replicas")
                        .iter()
                        .map(|r| r.as_i64().expect("replica") as i32)
                        .collect(),
                    p["log_end_offset"].as_i64().unwrap_or(-1),
                ),
            )
        })
        .collect()
}

/// Kafka's image of the committed metadata log (the metadata shell on the copy of a voter
/// whose log ends at the high watermark), without the internal topics (`filka describe
/// topics` lists them only with --internal).
fn kafka_image_of_log(data: &Path) -> (Fields, String) {
    let cluster = Cluster::open(data).expect("filka opens the folder");
    let view = QuorumView::read(cluster.layout())
        .expect("the quorum")
        .expect("a KRaft quorum");
    let copy = view
        .copies
        .iter()
        .find(|c| c.log_end == view.high_watermark)
        .unwrap_or_else(|| panic!("no voter's log ends at the high watermark: {view:?}"));
    let logs = crate::metadata_read::files_of(&copy.dir, "log");
    assert_eq!(logs.len(), 1, "one segment: {logs:?}");
    let k = kafka::dump_log(&["--cluster-metadata-decoder"], &logs);
    let stderr = dump_text::unexpected_stderr(&k.stderr);
    assert!(stderr.is_empty(), "kafka-dump-log on stderr: {stderr:?}");
    let last = last_records(&dump_text::parse_text(&k.stdout))[&logs[0]];
    let tree = shell_tree(&logs[0], last);
    let what = format!(
        "voter {}'s log, {}",
        copy.voter,
        tree.get("provenance").cloned().unwrap_or_default()
    );
    (without_internal(kafka_view(&tree)), what)
}

fn without_internal(mut view: Fields) -> Fields {
    view.retain(|k, _| !k.starts_with("topic __") && !k.starts_with("config TOPIC:__"));
    view
}

fn port_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

#[test]
#[ignore = "needs Java 17 and Maven: .ci/run's apache-kafka step runs it"]
fn kafka_boots_on_a_filka_folder_and_filka_reads_what_kafka_wrote() {
    let t0 = Instant::now();
    let lap = |what: &str| println!("{what} ({:.0}s)", t0.elapsed().as_secs_f64());
    let f = Filka::new();
    let data = f.data();
    let run = |args: &[&str], stdin: &str| {
        f.run(args, stdin);
    };
    run(&["init"], "");
    run(&["topic", "create", "one", "-p", "2", "-r", "1"], "");
    run(&["topic", "create", "three", "-p", "3", "-r", "3"], "");
    let keyed = |prefix: &str| -> String {
        (1..=30)
            .map(|i| format!("k{i}:{prefix}-{i}\n"))
            .collect::<String>()
    };
    run(&["produce", "--topic", "one", "-K", ":"], &keyed("one"));
    run(&["produce", "--topic", "three", "-K", ":"], &keyed("three"));
    // A transaction that commits, then one aborted after its records were written (more
    // than one produce request holds, so they reach the log before the malformed line).
    run(
        &[
            "produce",
            "--topic",
            "three",
            "-p",
            "0",
            "--transactional-id",
            "tx1",
        ],
        "a\nb\n",
    );
    let big = format!("\"{}\"\n", "x".repeat(400_000));
    let out = f.output(
        &[
            "produce",
            "--topic",
            "three",
            "-p",
            "1",
            "--transactional-id",
            "tx2",
            "--value-format",
            "json",
        ],
        &format!("{big}{big}{big}{{bad\n"),
    );
    assert_eq!(
        out.status.code(),
        Some(5),
        "the malformed line aborts: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A consumer group's commits: all of three, part of one.
    run(
        &["consume", "--topic", "three", "-g", "g1", "-o", "beginning"],
        "",
    );
    run(
        &[
            "consume",
            "--topic",
            "one",
            "-g",
            "g1",
            "-o",
            "beginning",
            "-c",
            "10",
        ],
        "",
    );
    let filka_one = filka_records(&f, "one");
    let filka_three = filka_records(&f, "three");
    assert_eq!(filka_one.len(), 30);
    assert_eq!(
        filka_three.len(),
        32,
        "30 records and a committed transaction of 2"
    );
    let filka_g1 = filka_group(&f, "g1");
    let filka_txns = filka_transactions(&f);
    assert_eq!(filka_txns["tx1"].1, "CompleteCommit");
    assert_eq!(filka_txns["tx2"].1, "CompleteAbort");
    let filka_ends = filka_partitions(&f, "three");
    let (next_producer_id, used_ids) = {
        let c = Cluster::open(&data).expect("open");
        let mut used: BTreeSet<i64> = filka_txns.values().map(|t| t.0).collect();
        for p in 0..3 {
            let ps = json_lines(&f.run(
                &[
                    "--output",
                    "json",
                    "transactions",
                    "describe-producers",
                    "--topic",
                    "three",
                    "--partition",
                    &p.to_string(),
                ],
                "",
            ));
            used.extend(ps.iter().filter_map(|r| r["producer_id"].as_i64()));
        }
        (c.state().next_producer_id, used)
    };
    // A snapshot of it all (the controller's own call, as at SNAPSHOT_BYTES): Kafka's nodes
    // load their image from it, then replay the log after it.
    let first_snapshot = snapshot(&data);
    run(
        &["topic", "alter", "one", "-c", "retention.ms=86400000"],
        "",
    );
    lap(&format!(
        "filka wrote the cluster, snapshot {}",
        first_snapshot.file_name()
    ));

    // --- Kafka starts on the folder.
    let ports_free = (0..3).all(|i| port_free(FIRST_BROKER_PORT + i));
    let first_port = FIRST_BROKER_PORT.to_string();
    let mut env = vec![("KAFKA_START_TIMEOUT", "180")];
    if ports_free {
        env.push(("KAFKA_FIRST_PORT", first_port.as_str()));
    } else {
        println!(
            "ports {FIRST_BROKER_PORT}-{} are taken: Kafka listens on free ports, not on those \
             filka registered (it registers its own at start-up)",
            FIRST_BROKER_PORT + 2
        );
    }
    let mut kafka = Kafka::boot(&data, &env);
    let b = kafka.bootstrap.clone();
    lap(&format!("Kafka started on the filka folder: {b}"));
    // Each node took filka's snapshot for its own.
    let id = format!(
        "OffsetAndEpoch[offset={}, epoch={}]",
        first_snapshot.end_offset, first_snapshot.epoch
    );
    for n in [101, 102, 103] {
        let log = std::fs::read_to_string(data.join(format!("run/{n}/server.log")))
            .expect("a node's server.log");
        for l in log.lines().filter(|l| l.contains(&id)) {
            println!("  node {n}: {}", l.get(..300).unwrap_or(l));
        }
        assert!(
            log.lines()
                .any(|l| l.contains("Initialized snapshots with IDs") && l.contains(&id)),
            "node {n} did not take filka's snapshot {id}"
        );
    }

    // Kafka reads what filka wrote.
    assert_eq!(kafka_records(&b, "one"), filka_one, "one, read_committed");
    assert_eq!(
        kafka_records(&b, "three"),
        filka_three,
        "three, read_committed"
    );
    assert_eq!(kafka_group(&b, "g1"), filka_g1, "g1's committed offsets");
    assert_eq!(kafka_transactions(&b), filka_txns, "transactions");
    // An idempotent Kafka producer appends after filka's records, with an id of its own.
    let sent = kafka::tool_stdin(
        "produce",
        &[&b, "three"],
        "6b31\t6b61666b612d31\n6b32\t6b61666b612d32\n6b33\t6b61666b612d33\n",
    );
    let mut next: BTreeMap<i32, i64> = filka_ends.iter().map(|(p, v)| (*p, v.1)).collect();
    for l in sent.lines() {
        let (p, o) = l.split_once(' ').expect("partition offset");
        let p: i32 = p.parse().expect("partition");
        let expected = next.get_mut(&p).expect("a partition of three");
        assert_eq!(o.parse::<i64>().ok(), Some(*expected), "offset of {l:?}");
        *expected += 1;
    }
    let mut kafka_ids = BTreeSet::new();
    for p in 0..3 {
        kafka_ids.extend(kafka_producers(&b, "three", p));
    }
    let new_ids: Vec<i64> = kafka_ids.difference(&used_ids).copied().collect();
    assert_eq!(
        new_ids.len(),
        1,
        "Kafka's producer: {kafka_ids:?}, filka's: {used_ids:?}"
    );
    assert!(
        new_ids[0] >= next_producer_id,
        "Kafka's producer id {} is below filka's next producer id {next_producer_id}",
        new_ids[0]
    );
    lap(&format!(
        "Kafka read filka's records, offsets and transactions; its producer id {} follows \
         filka's ({next_producer_id})",
        new_ids[0]
    ));

    // --- Kafka writes more: a topic, records, a transaction committed and one aborted, a
    // consumer group's commits, a leader change.
    kafka::tool(
        "topics",
        &[
            "--bootstrap-server",
            &b,
            "--create",
            "--topic",
            "kfresh",
            "--partitions",
            "2",
            "--replication-factor",
            "3",
        ],
    );
    kafka::tool_stdin(
        "produce",
        &[&b, "kfresh"],
        "6b31\t6131\n6b32\t6132\n6b33\t6133\n6b34\t6134\n",
    );
    let txn = kafka::tool("txn-producer", &[&b, "kfresh", "ktx", "5", "3"]);
    assert_eq!(txn.trim(), "committed 5 aborted 3");
    kafka::tool(
        "console-consumer",
        &[
            "--bootstrap-server",
            &b,
            "--topic",
            "three",
            "--group",
            "g2",
            "--from-beginning",
            "--max-messages",
            "20",
            "--timeout-ms",
            "30000",
        ],
    );
    // three-0 led by another replica: its replicas reordered, then the preferred one elected.
    let (leader, replicas) = kafka_partitions(&b, "three")[&0].clone();
    let mut order: Vec<i32> = replicas.iter().copied().filter(|&r| r != leader).collect();
    order.push(leader);
    let plan = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(
        plan.path(),
        serde_json::json!({"version": 1, "partitions": [
            {"topic": "three", "partition": 0, "replicas": order}
        ]})
        .to_string(),
    )
    .expect("write the reassignment");
    let plan_path = plan.path().to_str().expect("UTF-8 temp path");
    kafka::tool(
        "reassign-partitions",
        &[
            "--bootstrap-server",
            &b,
            "--reassignment-json-file",
            plan_path,
            "--execute",
        ],
    );
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    loop {
        kafka::tool(
            "leader-election",
            &[
                "--bootstrap-server",
                &b,
                "--election-type",
                "preferred",
                "--topic",
                "three",
                "--partition",
                "0",
            ],
        );
        let now = kafka_partitions(&b, "three")[&0].clone();
        if now.0 == order[0] && now.1 == order {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "three-0 stays at {now:?}, wanted {order:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    // What Kafka's clients see now.
    let topics = ["one", "three", "kfresh"];
    let seen: BTreeMap<&str, Vec<Record>> =
        topics.iter().map(|t| (*t, kafka_records(&b, t))).collect();
    assert_eq!(
        seen["kfresh"].len(),
        9,
        "4 records and a committed transaction of 5"
    );
    let groups: BTreeMap<&str, _> = ["g1", "g2"]
        .iter()
        .map(|g| (*g, kafka_group(&b, g)))
        .collect();
    assert!(!groups["g2"].is_empty(), "g2 committed offsets");
    let txns = kafka_transactions(&b);
    assert_eq!(txns["ktx"].1, "CompleteAbort");
    let layout: BTreeMap<&str, BTreeMap<i32, (i32, Vec<i32>)>> = topics
        .iter()
        .map(|t| (*t, kafka_partitions(&b, t)))
        .collect();
    let ends: BTreeMap<&str, BTreeMap<i32, i64>> = topics
        .iter()
        .map(|t| (*t, kafka_end_offsets(&b, t)))
        .collect();
    lap("Kafka wrote a topic, records, transactions, a group's commits, a leader change");
    kafka.stop();
    lap("Kafka stopped");

    // --- filka reads what Kafka left: first the metadata, as Kafka's own shell reads it.
    let mut disagreements = Vec::new();
    let (kafka_final, what) = kafka_image_of_log(&data);
    disagreements.extend(differences(
        &format!("filka's image of Kafka's {what}"),
        &kafka_final,
        &filka_view(&f),
    ));
    // Kafka's clean stop leaves every broker in controlled shutdown, fenced once its
    // shutdown completed (if the quorum still ran): none is active, and no partition has a
    // leader. Starting them again is what a Kafka restart does.
    for b in json_lines(&f.run(&["--output", "json", "describe", "brokers"], "")) {
        println!("  after Kafka's stop, broker {}: {}", b["id"], b["state"]);
        if b["state"] != "online" {
            run(
                &[
                    "simulate-failure",
                    "broker-up",
                    &b["id"].as_i64().expect("id").to_string(),
                ],
                "",
            );
        }
    }
    lap("filka started the brokers Kafka's stop fenced");
    for t in topics {
        assert_eq!(
            filka_records(&f, t),
            seen[t],
            "{t}: filka reads what Kafka's consumer read"
        );
        let parts = filka_partitions(&f, t);
        for (p, (_, replicas)) in &layout[t] {
            assert_eq!(&parts[p].0, replicas, "{t}-{p}'s replicas");
            assert_eq!(parts[p].1, ends[t][p], "{t}-{p}'s log end offset");
        }
        assert_eq!(parts.len(), layout[t].len(), "{t}'s partitions");
    }
    for (g, offsets) in &groups {
        assert_eq!(
            &filka_group(&f, g),
            offsets,
            "group {g}'s committed offsets"
        );
    }
    let filka_txns = filka_transactions(&f);
    for (id, t) in &txns {
        assert_eq!(filka_txns.get(id), Some(t), "transaction {id}");
    }
    lap("filka reads every record, offset, group commit and transaction Kafka showed");

    // What filka wrote since, and a snapshot of it, as Kafka's shell reads them.
    let view = filka_view(&f);
    let (after, what) = kafka_image_of_log(&data);
    disagreements.extend(differences(&format!("Kafka's {what}"), &after, &view));
    let id = snapshot(&data);
    let cluster = Cluster::open(&data).expect("open");
    let leader = cluster.quorum().expect("quorum").leader;
    let path = id.path(&cluster.layout().metadata_copy(leader));
    let k = kafka::dump_log(&["--cluster-metadata-decoder"], std::slice::from_ref(&path));
    let last = last_records(&dump_text::parse_text(&k.stdout))[&path];
    let tree = shell_tree(&path, last);
    disagreements.extend(differences(
        &format!("Kafka's image of filka's snapshot {}", id.file_name()),
        &without_internal(kafka_view(&tree)),
        &view,
    ));
    lap("Kafka's shell read filka's metadata after Kafka's");
    assert!(
        disagreements.is_empty(),
        "Kafka and filka disagree ({}):\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
