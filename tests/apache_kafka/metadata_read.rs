//! Kafka reads filka's KRaft metadata: a cluster made by the `filka` binary (3 brokers, a
//! cluster-wide config, topics of replication factor 1 and 3 with configs, a topic deleted,
//! an idempotent producer, a replica whose log dir failed, a broker down and up, the quorum
//! leader's controller down so that a new epoch begins, partitions added and configs changed
//! in it, two snapshots) is read by Kafka 4.4's `kafka-dump-log --cluster-metadata-decoder`
//! (every voter's segment and every snapshot) and by Kafka's metadata shell (`tree /image`
//! of every voter's segment and of every snapshot), and what Kafka understood is compared,
//! field by field, with what filka says (`filka describe ... --output json`, and the
//! cluster's `meta.properties` for directory ids).
//!
//! No CLI command makes a snapshot before 20 MiB of metadata log (commit.rs's
//! SNAPSHOT_BYTES, Kafka's default): the test takes one through the library, with the very
//! call the controller makes at that point ([`Active::snapshot`] under the controller lock).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use filka::cluster::Cluster;
use filka::cluster::kraft::raft::Active;
use filka::cluster::lock::FileLock;
use filka::cluster::quorum::SnapshotId;
use serde_json::Value;

use crate::dump_text::{self, FileDump};
use crate::kafka::{self, Filka};

/// `DirectoryId.LOST`, as Kafka prints it: the replica's log dir failed.
const DIRECTORY_LOST: &str = "AAAAAAAAAAAAAAAAAAAAAg";
/// Kafka's name of the `metadata.version` filka writes (feature level 21).
const METADATA_VERSION: &str = "3.9-IV0";
/// The shell logs these for every snapshot, Kafka's own included: they say nothing.
const SHELL_QUIRKS: [&str; 2] = [
    "ERROR Ignoring control record with type SNAPSHOT_HEADER at offset ",
    "ERROR Ignoring control record with type SNAPSHOT_FOOTER at offset ",
];

/// What Kafka or filka says about the metadata, one `what -> value` per field (`broker 101
/// epoch`, `topic t partition 0 isr`, `config TOPIC:t retention.ms`), so that two views
/// compare field by field.
pub(crate) type Fields = BTreeMap<String, String>;

pub(crate) fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn ints(v: &Value) -> String {
    let items: Vec<String> = v
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|x| x.to_string())
        .collect();
    format!("[{}]", items.join(", "))
}

/// Broker `id`'s `directory.id`, from its `meta.properties`.
fn directory_id(data: &Path, id: i64) -> String {
    let path = data.join(format!("broker-{id}/meta.properties"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .find_map(|l| l.strip_prefix("directory.id="))
        .unwrap_or_else(|| panic!("no directory.id in {path:?}"))
        .to_string()
}

/// filka's view of the metadata: `describe brokers`, `describe topics`, `describe partition`
/// and `describe cluster` in JSON, the registrations and producer ids from the image the
/// library loads, directory ids from `meta.properties`.
pub(crate) fn filka_view(f: &Filka) -> Fields {
    let data = f.data();
    let mut out = Fields::new();
    let cluster = Cluster::open(&data).expect("filka opens its cluster");
    let state = cluster.state();
    for b in json_lines(&f.run(&["--output", "json", "describe", "brokers"], "")) {
        let id = b["id"].as_i64().expect("broker id");
        let key = |field: &str| format!("broker {id} {field}");
        // Active in Kafka's words (`BrokerRegistration`: neither fenced nor in controlled
        // shutdown): `online`, or `down (unfenced)` (stopped while the quorum was lost); not
        // `down` nor `fenced`.
        let state_name = b["state"].as_str().expect("broker state");
        let active = state_name == "online" || state_name == "down (unfenced)";
        out.insert(key("active"), active.to_string());
        out.insert(key("directories"), format!("[{}]", directory_id(&data, id)));
        let r = &state.brokers[&(id as i32)].registration;
        out.insert(key("epoch"), r.epoch.to_string());
        out.insert(key("incarnationId"), r.incarnation_id.to_base64());
        let listeners: Vec<String> = r
            .endpoints
            .iter()
            .map(|e| format!("{}://{}:{}", e.name, e.host, e.port))
            .collect();
        out.insert(key("listeners"), listeners.join(","));
    }
    for t in json_lines(&f.run(&["--output", "json", "describe", "topics"], "")) {
        let name = t["name"].as_str().expect("topic name").to_string();
        out.insert(
            format!("topic {name} id"),
            t["topic_id"].as_str().expect("topic id").into(),
        );
        for (k, v) in t["configs"].as_object().expect("configs") {
            if v["source"] == "override" {
                out.insert(
                    format!("config TOPIC:{name} {k}"),
                    v["value"].as_str().expect("a value").into(),
                );
            }
        }
        for p in t["partitions"].as_array().expect("partitions") {
            let n = p["partition"].as_i64().expect("partition").to_string();
            let d = json_lines(&f.run(
                &["--output", "json", "describe", "partition", &name, &n],
                "",
            ))
            .remove(0);
            let key = |field: &str| format!("topic {name} partition {n} {field}");
            out.insert(key("replicas"), ints(&d["replicas"]));
            out.insert(key("isr"), ints(&d["isr"]));
            out.insert(key("leader"), d["leader"].to_string());
            out.insert(key("leaderEpoch"), d["leader_epoch"].to_string());
            out.insert(key("partitionEpoch"), d["partition_epoch"].to_string());
            out.insert(key("leaderRecoveryState"), "RECOVERED".into());
            let offline: Vec<i64> = d["offline_replicas"]
                .as_array()
                .expect("offline_replicas")
                .iter()
                .map(|r| r.as_i64().expect("broker id"))
                .collect();
            let dirs: Vec<String> = d["replicas"]
                .as_array()
                .expect("replicas")
                .iter()
                .map(|r| {
                    let r = r.as_i64().expect("broker id");
                    if offline.contains(&r) {
                        DIRECTORY_LOST.to_string()
                    } else {
                        directory_id(&data, r)
                    }
                })
                .collect();
            out.insert(key("directories"), format!("[{}]", dirs.join(", ")));
            // describe topics and describe partition agree with each other.
            assert_eq!(p["leader"], d["leader"], "{name}-{n}");
            assert_eq!(p["leader_epoch"], d["leader_epoch"], "{name}-{n}");
            assert_eq!(p["isr"], d["isr"], "{name}-{n}");
        }
    }
    let c = json_lines(&f.run(&["--output", "json", "describe", "cluster"], "")).remove(0);
    for (k, v) in c["configs"].as_object().expect("cluster configs") {
        out.insert(
            format!("config BROKER: {k}"),
            v.as_str().expect("a value").into(),
        );
    }
    // Kafka's image says -1 before any block of producer ids was handed out.
    let next = if state.next_producer_id > 0 {
        state.next_producer_id
    } else {
        -1
    };
    out.insert("nextProducerId".into(), next.to_string());
    assert_eq!(state.features.get("metadata.version"), Some(&21));
    out.insert(
        "metadataVersion".into(),
        format!("Optional[{METADATA_VERSION}]"),
    );
    out
}

/// The metadata shell's `tree /image` as `path -> content` (a node's name line ends with
/// `:`, its content is the line below it, two spaces deeper).
fn parse_tree(text: &str) -> BTreeMap<String, String> {
    let mut stack: Vec<String> = Vec::new();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let body = line.trim_start_matches(' ');
        let depth = (line.len() - body.len()) / 2;
        if let Some(name) = body.strip_suffix(':') {
            stack.truncate(depth);
            stack.push(name.to_string());
        } else if depth > 0 && !body.is_empty() {
            stack.truncate(depth);
            out.insert(stack.join("/"), body.to_string());
        }
    }
    out
}

/// Kafka's `toString` fields: the value of `key` in `Name(a=1, b=[x, y], c=Endpoint(...))`.
fn field<'a>(text: &'a str, key: &str) -> &'a str {
    let start = [format!("({key}="), format!(", {key}=")]
        .iter()
        .find_map(|p| text.find(p.as_str()).map(|i| i + p.len()))
        .unwrap_or_else(|| panic!("no {key} in {text}"));
    let rest = &text[start..];
    let mut depth = 0i32;
    for (i, c) in rest.char_indices() {
        match c {
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' if depth == 0 => return &rest[..i],
            ']' | ')' | '}' => depth -= 1,
            ',' if depth == 0 => return &rest[..i],
            _ => {}
        }
    }
    rest
}

/// `Endpoint(listenerName='PLAINTEXT', securityProtocol=PLAINTEXT, host='localhost',
/// port=9092), ...` as `PLAINTEXT://localhost:9092,...`.
fn listeners(list: &str) -> String {
    let inner = list.trim_start_matches('[').trim_end_matches(']');
    inner
        .split("Endpoint(")
        .filter(|e| !e.trim().is_empty())
        .map(|e| {
            let e = format!("Endpoint({}", e.trim_end_matches(", "));
            format!(
                "{}://{}:{}",
                field(&e, "listenerName").trim_matches('\''),
                field(&e, "host").trim_matches('\''),
                field(&e, "port")
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Kafka's view, from the metadata shell's tree of one file.
pub(crate) fn kafka_view(tree: &BTreeMap<String, String>) -> Fields {
    let mut out = Fields::new();
    for (path, value) in tree {
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["cluster", "brokers", id] => {
                let key = |field: &str| format!("broker {id} {field}");
                for f in ["epoch", "incarnationId", "directories"] {
                    out.insert(key(f), field(value, f).to_string());
                }
                let active = field(value, "fenced") == "false"
                    && field(value, "inControlledShutdown") == "false";
                out.insert(key("active"), active.to_string());
                out.insert(key("listeners"), listeners(field(value, "listeners")));
            }
            ["topics", "byName", topic, "id"] => {
                out.insert(format!("topic {topic} id"), value.clone());
            }
            ["topics", "byName", topic, p] if p.parse::<u32>().is_ok() => {
                for f in [
                    "replicas",
                    "isr",
                    "leader",
                    "leaderEpoch",
                    "partitionEpoch",
                    "leaderRecoveryState",
                    "directories",
                ] {
                    out.insert(
                        format!("topic {topic} partition {p} {f}"),
                        field(value, f).to_string(),
                    );
                }
                // filka writes no reassignment and no eligible leader replicas.
                for f in ["removingReplicas", "addingReplicas", "elr", "lastKnownElr"] {
                    assert_eq!(field(value, f), "[]", "{path}: {value}");
                }
            }
            ["configs", resource, key] => {
                // The cluster-wide defaults are the BROKER resource of no name: `BROKER:`,
                // which loses its colon to the tree's `name:` lines.
                let resource = if *resource == "BROKER" {
                    "BROKER:"
                } else {
                    resource
                };
                out.insert(format!("config {resource} {key}"), value.clone());
            }
            ["producerIds", "nextProducerId"] => {
                out.insert("nextProducerId".into(), value.clone());
            }
            ["features", "metadataVersion"] => {
                out.insert("metadataVersion".into(), value.clone());
            }
            _ => {}
        }
    }
    out
}

/// Seconds one metadata shell run may take: it reads a small file in a few seconds, or
/// never finishes (see [`shell_tree`]).
const SHELL_TIMEOUT: &str = "60";

/// Runs the metadata shell's `tree /image` on `file`, checked free of errors, once its image
/// reaches `last_offset` (the file's last metadata record).
///
/// Kafka's shell runs the command once its loader applied anything at all
/// (`MetadataShell.waitUntilCaughtUp` waits for `lastAppliedOffset() > 0`), so a run may
/// print an image of part of the file, or none (`provenance: offset -1`), and on a small
/// file it now and then waits forever; either is Kafka's race, not the file's, and the run
/// is made again (at most 5 times).
pub(crate) fn shell_tree(file: &Path, last_offset: i64) -> BTreeMap<String, String> {
    let path = file.to_str().expect("UTF-8 temp paths");
    let mut seen = Vec::new();
    for _ in 0..5 {
        let run = kafka::tool_run_env(
            "metadata-shell",
            &["--snapshot", path, "tree", "/image"],
            &[("KAFKA_TOOL_TIMEOUT", SHELL_TIMEOUT)],
        );
        if run.code != Some(0) && run.stderr.contains("did not finish within") {
            seen.push("no end".to_string());
            continue;
        }
        let run = run.success(&format!("metadata-shell --snapshot {path}"));
        for line in run.stdout.lines().chain(run.stderr.lines()) {
            let lower = line.to_lowercase();
            if (lower.contains("error") || lower.contains("exception") || lower.contains("fault"))
                && !SHELL_QUIRKS.iter().any(|q| line.starts_with(q))
            {
                panic!(
                    "the metadata shell on {path}: {line}\n--- stderr\n{}",
                    run.stderr
                );
            }
        }
        let tree = parse_tree(&run.stdout);
        let provenance = tree.get("provenance").cloned().unwrap_or_default();
        let offset = provenance
            .strip_prefix("offset ")
            .and_then(|p| p.split(',').next())
            .and_then(|o| o.parse::<i64>().ok());
        if offset == Some(last_offset) {
            return tree;
        }
        seen.push(provenance);
    }
    panic!("the metadata shell never loaded {path} up to offset {last_offset}: {seen:?}");
}

/// The field-by-field differences of two views.
pub(crate) fn differences(what: &str, kafka: &Fields, filka: &Fields) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in kafka {
        match filka.get(k) {
            Some(f) if f == v => {}
            Some(f) => out.push(format!("{what}: {k}: Kafka {v}, filka {f}")),
            None => out.push(format!("{what}: {k}: Kafka {v}, filka has none")),
        }
    }
    for (k, f) in filka {
        if !kafka.contains_key(k) {
            out.push(format!("{what}: {k}: filka {f}, Kafka has none"));
        }
    }
    out
}

/// Takes a snapshot of the committed metadata now, as the controller does once
/// SNAPSHOT_BYTES of log follow the last one: under the controller lock, by the active
/// controller, into every running voter's copy.
pub(crate) fn snapshot(data: &Path) -> SnapshotId {
    let cluster = Cluster::open(data).expect("open the cluster");
    let _lock = FileLock::exclusive(&cluster.layout().controller_lock()).expect("controller lock");
    let cluster = Cluster::open(data).expect("open the cluster under the lock");
    let active = Active::start(cluster.layout(), cluster.state()).expect("the active controller");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    active
        .snapshot(cluster.state(), now)
        .expect("write a snapshot")
}

/// One metadata log entry as Kafka's decoder prints it: a record's payload (JSON), or a
/// control record's `Type: {json}`.
pub(crate) fn entry_text(e: &dump_text::Entry) -> Option<(i64, String)> {
    if e.kind() != "| offset" {
        return None;
    }
    let offset: i64 = e.get("| offset")?.parse().ok()?;
    if let Some(p) = e.get("payload") {
        return Some((offset, p.to_string()));
    }
    let (label, value) = e.fields.get(6)?;
    Some((offset, format!("{label}: {value}")))
}

pub(crate) fn files_of(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

/// The offset of the last metadata record (not a control record) of each dumped file: where
/// the metadata shell's image of it ends.
pub(crate) fn last_records(dumps: &[FileDump]) -> BTreeMap<PathBuf, i64> {
    dumps
        .iter()
        .filter_map(|d| {
            let last = d
                .entries
                .iter()
                .filter(|e| e.get("payload").is_some())
                .filter_map(entry_text)
                .map(|(o, _)| o)
                .max()?;
            Some((PathBuf::from(&d.path), last))
        })
        .collect()
}

#[test]
#[ignore = "needs Java 17 and Maven: .ci/run's apache-kafka step runs it"]
fn kafka_reads_filkas_metadata_log_and_snapshots() {
    let t0 = Instant::now();
    let f = Filka::new();
    let data = f.data();
    let run = |args: &[&str]| {
        f.run(args, "");
    };
    run(&["init", "--config", "replica.lag.time.max.ms=20000"]);
    run(&[
        "topic",
        "create",
        "one",
        "-p",
        "2",
        "-r",
        "1",
        "-c",
        "retention.ms=60000",
        "-c",
        "cleanup.policy=compact",
    ]);
    run(&[
        "topic",
        "create",
        "three",
        "-p",
        "3",
        "-r",
        "3",
        "-c",
        "min.insync.replicas=2",
        "-c",
        "segment.bytes=1048576",
    ]);
    run(&["topic", "create", "gone", "-p", "1", "-r", "2"]);
    run(&["topic", "delete", "gone"]);
    // An idempotent producer: a block of producer ids (ProducerIdsRecord).
    f.run(
        &["produce", "--topic", "three", "-K", ":", "-p", "0"],
        "a:1\nb:2\n",
    );
    // The leader of three-0 finds its segment damaged: its replica goes offline (its
    // directory LOST in the PartitionChangeRecord) and another leads.
    let leader = json_lines(&f.run(
        &["--output", "json", "describe", "partition", "three", "0"],
        "",
    ))
    .remove(0)["leader"]
        .to_string();
    run(&[
        "simulate-failure",
        "corrupt",
        "--broker",
        &leader,
        "--topic",
        "three",
        "--partition",
        "0",
    ]);
    let first = snapshot(&data);
    let at_first = filka_view(&f);
    assert!(
        at_first.values().any(|v| v.contains(DIRECTORY_LOST)),
        "an offline replica in the first snapshot's image: {at_first:?}"
    );
    // Its broker restarts (the replica is tried again), another goes down and up.
    run(&["simulate-failure", "broker-down", &leader]);
    run(&["simulate-failure", "broker-up", &leader]);
    run(&["simulate-failure", "broker-down", "103"]);
    run(&["simulate-failure", "broker-up", "103"]);
    // The quorum leader's controller stops: a new leader in a new epoch
    // (LeaderChangeMessage), which then commits changes in that epoch.
    let quorum =
        |f: &Filka| json_lines(&f.run(&["--output", "json", "describe", "quorum"], "")).remove(0);
    let q = quorum(&f);
    let old_leader = q["leader_id"].to_string();
    run(&["simulate-failure", "controller-down", &old_leader]);
    let q2 = quorum(&f);
    assert!(
        q2["leader_epoch"].as_i64() > q["leader_epoch"].as_i64(),
        "{q2}"
    );
    run(&[
        "topic",
        "alter",
        "one",
        "-p",
        "3",
        "-c",
        "retention.ms=120000",
    ]);
    run(&["topic", "create", "late", "-p", "2", "-r", "3"]);
    let second = snapshot(&data);
    assert_eq!(
        i64::from(second.epoch),
        q2["leader_epoch"].as_i64().unwrap()
    );
    let at_second = filka_view(&f);
    run(&["topic", "alter", "three", "-c", "retention.ms=3600000"]);
    run(&["simulate-failure", "controller-up", &old_leader]);
    // One more change, so that the voter that was down has everything.
    run(&["topic", "create", "last", "-p", "1", "-r", "1"]);
    let at_end = filka_view(&f);
    let end_offset = quorum(&f)["high_watermark"].as_i64().unwrap();
    println!(
        "filka cluster: {end_offset} metadata records, snapshots {first:?} and {second:?} ({:.1}s)",
        t0.elapsed().as_secs_f64()
    );

    // --- kafka-dump-log --cluster-metadata-decoder on every voter's segments and snapshots.
    let voters: Vec<i64> = q["current_voters"]
        .as_array()
        .expect("voters")
        .iter()
        .map(|v| v.as_i64().expect("voter id"))
        .collect();
    let copy = |v: i64| data.join(format!("broker-{v}/__cluster_metadata-0"));
    let mut files = Vec::new();
    for &v in &voters {
        files.extend(files_of(&copy(v), "log"));
        files.extend(files_of(&copy(v), "checkpoint"));
    }
    let k = kafka::dump_log(&["--cluster-metadata-decoder"], &files);
    let stderr = dump_text::unexpected_stderr(&k.stderr);
    assert!(stderr.is_empty(), "kafka-dump-log on stderr: {stderr:?}");
    let dumps = dump_text::parse_text(&k.stdout);
    assert_eq!(dumps.len(), files.len(), "a dump per file");
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut logs: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for d in &dumps {
        for e in &d.entries {
            let raw = e.raw.to_lowercase();
            assert!(
                !raw.contains("error") && !raw.contains("exception"),
                "{}: {}",
                d.path,
                e.raw
            );
            if e.kind() == "baseOffset" {
                assert_eq!(e.get("isvalid"), Some("true"), "{}: {}", d.path, e.raw);
            }
            let Some((offset, text)) = entry_text(e) else {
                continue;
            };
            let kind = match serde_json::from_str::<Value>(&text) {
                Ok(v) => v["type"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{}: no type: {text}", d.path))
                    .to_string(),
                Err(_) => text.split(':').next().unwrap_or("").to_string(),
            };
            assert!(
                !kind.is_empty() && !kind.contains("UNKNOWN"),
                "{}: offset {offset}: Kafka could not decode {text}",
                d.path
            );
            *seen.entry(kind).or_default() += 1;
            if d.path.ends_with(".log") {
                logs.entry(d.path.clone()).or_default().push((offset, text));
            }
        }
    }
    println!("kafka-dump-log: {} files, records {seen:?}", dumps.len());
    for t in [
        "LeaderChange",
        "SnapshotHeader",
        "SnapshotFooter",
        "FEATURE_LEVEL_RECORD",
        "BEGIN_TRANSACTION_RECORD",
        "END_TRANSACTION_RECORD",
        "REGISTER_BROKER_RECORD",
        "BROKER_REGISTRATION_CHANGE_RECORD",
        "TOPIC_RECORD",
        "PARTITION_RECORD",
        "PARTITION_CHANGE_RECORD",
        "CONFIG_RECORD",
        "PRODUCER_IDS_RECORD",
        "REMOVE_TOPIC_RECORD",
    ] {
        assert!(seen.contains_key(t), "no {t} in Kafka's dump: {seen:?}");
    }
    // Every snapshot names itself as its file does, header first and footer last.
    for d in dumps.iter().filter(|d| d.path.ends_with(".checkpoint")) {
        check_snapshot_dump(d);
    }
    // Every voter's log is the same, and Kafka decodes each record as filka does (its
    // `describe history --output json` holds filka's own decoding of every record).
    let mut by_voter: Vec<&Vec<(i64, String)>> = logs.values().collect();
    by_voter.sort_by_key(|l| std::cmp::Reverse(l.len()));
    let longest = by_voter[0];
    for l in &by_voter {
        assert_eq!(l.as_slice(), longest.as_slice(), "voters' logs differ");
    }
    assert_eq!(
        longest.last().map(|e| e.0 + 1),
        Some(end_offset),
        "Kafka's dump ends at filka's high watermark"
    );
    // filka's `describe history` tells the first record of a run of PartitionRecords.
    let history = json_lines(&f.run(&["--output", "json", "describe", "history"], ""));
    let mut covered = 0;
    let kafka_at: BTreeMap<i64, &String> = longest.iter().map(|(o, t)| (*o, t)).collect();
    for h in &history {
        let offset = h["offset"].as_i64().expect("offset");
        let kafka = kafka_at
            .get(&offset)
            .unwrap_or_else(|| panic!("Kafka has no record at offset {offset}: {h}"));
        let mut record = h["record"].clone();
        // filka adds the topic a record's id stands for and a partition change's reason
        // (from its notes file); Kafka's decoder has neither.
        if let Some(o) = record.as_object_mut() {
            o.remove("topic");
            o.remove("reason");
        }
        if let Some(control) = record["control"].as_str() {
            assert_eq!(control, kafka.as_str(), "control record at offset {offset}");
        } else {
            let k: Value = serde_json::from_str(kafka).expect("Kafka's payload is JSON");
            assert_eq!(record, k, "record at offset {offset}");
        }
        covered += h["last_offset"].as_i64().expect("last_offset") - offset + 1;
    }
    assert_eq!(
        covered,
        longest.len() as i64,
        "filka's history covers Kafka's dump"
    );
    // And `filka dump` of the same files, every field of every entry.
    let mut args = vec!["--output", "json", "dump", "--print-data"];
    args.extend(files.iter().map(|p| p.to_str().expect("UTF-8 temp paths")));
    let (json, _) = dump_text::parse_filka_json(&f.run(&args, ""));
    let c = dump_text::compare(&dumps, &json, &dump_text::Rules::default());
    assert!(
        c.disagreements.is_empty(),
        "kafka-dump-log and filka dump --output json disagree:\n{}",
        c.disagreements.join("\n")
    );
    let compared = longest.len();
    println!("  {compared} records decoded alike by Kafka and filka, on every voter");

    // --- Kafka's metadata shell: the image of every voter's log and of every snapshot.
    // The offset of each file's last metadata record (not a control record): where the
    // shell's image of it must end.
    let lasts = last_records(&dumps);
    let last_record = |file: &Path| -> i64 {
        *lasts
            .get(file)
            .unwrap_or_else(|| panic!("no metadata record in {file:?}"))
    };
    let mut disagreements = Vec::new();
    for &v in &voters {
        for log in files_of(&copy(v), "log") {
            let tree = shell_tree(&log, last_record(&log));
            let prov = tree.get("provenance").cloned().unwrap_or_default();
            disagreements.extend(differences(
                &format!("metadata shell of voter {v}'s log ({prov})"),
                &kafka_view(&tree),
                &at_end,
            ));
        }
    }
    let leader_copy = copy(q2["leader_id"].as_i64().unwrap());
    for (id, view) in [(first, &at_first), (second, &at_second)] {
        let path = id.path(&leader_copy);
        // The same bytes in every voter that has it.
        for &v in &voters {
            let other = id.path(&copy(v));
            if other.exists() {
                assert_eq!(
                    std::fs::read(&other).unwrap(),
                    std::fs::read(&path).unwrap(),
                    "{other:?}"
                );
            }
        }
        let tree = shell_tree(&path, last_record(&path));
        disagreements.extend(differences(
            &format!("metadata shell of {}", id.file_name()),
            &kafka_view(&tree),
            view,
        ));
    }
    // The bootstrap snapshot: metadata.version alone.
    let boot = SnapshotId {
        end_offset: 0,
        epoch: 0,
    }
    .path(&leader_copy);
    let boot = shell_tree(&boot, last_record(&boot));
    let boot = kafka_view(&boot);
    assert_eq!(
        boot.get("metadataVersion").map(String::as_str),
        Some("Optional[3.9-IV0]"),
        "{boot:?}"
    );
    assert_eq!(
        boot.len(),
        2,
        "only the features and producer ids: {boot:?}"
    );
    println!(
        "metadata shell: {} logs and 3 snapshots compared, {} fields at the end ({:.1}s)",
        voters.len(),
        at_end.len(),
        t0.elapsed().as_secs_f64()
    );
    assert!(
        disagreements.is_empty(),
        "Kafka and filka disagree ({}):\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// A snapshot's dump: `Snapshot end offset: N, epoch: E` as its name says, a header record
/// first and a footer record last, with record offsets from 0 in order.
fn check_snapshot_dump(d: &FileDump) {
    let name = Path::new(&d.path)
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a file name");
    let id = SnapshotId::parse(name).unwrap_or_else(|| panic!("not a snapshot name: {name}"));
    let first = d.entries.first().expect("a first line");
    assert_eq!(
        first.get("Snapshot end offset"),
        Some(id.end_offset.to_string().as_str()),
        "{}",
        d.path
    );
    assert_eq!(
        first.get("epoch"),
        Some(id.epoch.to_string().as_str()),
        "{}",
        d.path
    );
    let records: Vec<(i64, String)> = d.entries.iter().filter_map(entry_text).collect();
    assert!(
        records
            .first()
            .is_some_and(|r| r.1.starts_with("SnapshotHeader")),
        "{}: {records:?}",
        d.path
    );
    assert!(
        records
            .last()
            .is_some_and(|r| r.1.starts_with("SnapshotFooter")),
        "{}: {records:?}",
        d.path
    );
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.0, i as i64, "{}: offsets from 0 in order", d.path);
    }
}

#[test]
fn the_shell_tree_and_kafkas_to_string_parse() {
    let tree = parse_tree(
        "cluster:\n  brokers:\n    101:\n      BrokerRegistration(id=101, epoch=4, \
         listeners=[Endpoint(listenerName='PLAINTEXT', securityProtocol=PLAINTEXT, \
         host='localhost', port=9092)], fenced=false)\nconfigs:\n  TOPIC:one:\n    \
         retention.ms:\n      60000\n",
    );
    assert_eq!(
        tree.keys().collect::<Vec<_>>(),
        ["cluster/brokers/101", "configs/TOPIC:one/retention.ms"]
    );
    let b = &tree["cluster/brokers/101"];
    assert_eq!(field(b, "epoch"), "4");
    assert_eq!(field(b, "fenced"), "false");
    assert_eq!(
        listeners(field(b, "listeners")),
        "PLAINTEXT://localhost:9092"
    );
    let p = "PartitionRegistration(replicas=[102, 101], isr=[101], leader=101, leaderEpoch=1)";
    assert_eq!(field(p, "replicas"), "[102, 101]");
    assert_eq!(field(p, "leaderEpoch"), "1");
}
