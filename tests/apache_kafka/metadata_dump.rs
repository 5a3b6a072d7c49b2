//! `filka dump` of KRaft's metadata log and snapshots against Kafka's own `kafka-dump-log
//! --cluster-metadata-decoder`, field by field and line by line.
//!
//! A real Kafka 4.4 node, started with a small `metadata.log.max.record.bytes.between.snapshots`
//! so that it writes snapshots as it goes, gets topics (with configs that clear eligible
//! leader replicas), config changes of a topic and of the brokers' defaults, partitions
//! added, an idempotent producer (a producer id block), a topic deletion, and a clean stop
//! (the controlled shutdown's records). Then every `.log` of its `__cluster_metadata-0` and
//! every `<end offset>-<epoch>.checkpoint` (the bootstrap snapshot and later ones) is dumped
//! by Kafka and by filka (text, and `--output json` turned back into Kafka's fields), and
//! `filka dump --verify` must find nothing wrong in them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::dump_text::{self, Comparison, FileDump, Rules};
use crate::kafka::{self, Broker};

/// Bytes of metadata records after which the node writes a snapshot: a few topic creations
/// (or some seconds of NoOpRecords, 72 bytes each half second) are enough.
const SNAPSHOT_EVERY: &str = "metadata.log.max.record.bytes.between.snapshots=2048";

/// `filka ARGS...`: its exit code and stdout (stderr on failure in the panic).
fn filka(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_filka"))
        .args(args)
        .env_remove("FILKA_CLUSTER")
        .output()
        .expect("run filka");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `filka [--output json] dump FLAGS FILES`, which must exit 0: its stdout.
fn filka_dump(json: bool, flags: &[&str], files: &[PathBuf]) -> String {
    let mut args = if json {
        vec!["--output", "json", "dump"]
    } else {
        vec!["dump"]
    };
    args.extend_from_slice(flags);
    args.extend(files.iter().map(|p| p.to_str().expect("UTF-8 temp paths")));
    let (code, stdout, stderr) = filka(&args);
    assert_eq!(code, Some(0), "filka {args:?}: {stderr}");
    stdout
}

/// The KRaft snapshots of `dir` (`<end offset>-<epoch>.checkpoint`).
fn snapshots(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "checkpoint"))
        .collect();
    v.sort();
    v
}

fn check(what: &str, c: &Comparison, disagreements: &mut Vec<String>) {
    println!("  {what}: {}", c.summary());
    disagreements.extend(c.disagreements.iter().map(|d| format!("{what}: {d}")));
}

#[test]
#[ignore = "needs Java 17 and Maven: .ci/run's apache-kafka step runs it"]
fn filka_dumps_the_metadata_log_and_snapshots_as_kafkas_decoder() {
    let t0 = Instant::now();
    let mut broker = Broker::start_with(1, &[("KAFKA_SERVER_PROPERTIES", SNAPSHOT_EVERY)]);
    let dir = broker.log_dir(101).join("__cluster_metadata-0");
    let create = |topic: &str, partitions: &str, configs: &[&str]| {
        let mut args = vec![
            "--create",
            "--topic",
            topic,
            "--partitions",
            partitions,
            "--replication-factor",
            "1",
        ];
        for c in configs {
            args.extend(["--config", c]);
        }
        broker.admin("topics", &args);
    };
    create(
        "md-a",
        "3",
        &["min.insync.replicas=1", "cleanup.policy=compact"],
    );
    create("md-b", "1", &[]);
    broker.admin(
        "configs",
        &[
            "--alter",
            "--entity-type",
            "topics",
            "--entity-name",
            "md-b",
            "--add-config",
            "retention.ms=86400000,max.message.bytes=65536",
        ],
    );
    broker.admin(
        "configs",
        &[
            "--alter",
            "--entity-type",
            "brokers",
            "--entity-default",
            "--add-config",
            "log.cleaner.threads=2",
        ],
    );
    broker.admin(
        "topics",
        &["--alter", "--topic", "md-b", "--partitions", "2"],
    );
    // An idempotent producer: the broker asks the controller for a block of producer ids.
    broker.admin_stdin("console-producer", &["--topic", "md-b"], "one\ntwo\n");
    broker.admin("topics", &["--delete", "--topic", "md-a"]);
    // The node snapshots once enough records follow the bootstrap snapshot; bounded wait.
    let deadline = Instant::now() + Duration::from_secs(60);
    while snapshots(&dir).len() < 2 {
        assert!(
            Instant::now() < deadline,
            "no KRaft snapshot after the bootstrap one within 60s: {:?}",
            snapshots(&dir)
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    broker.stop();

    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the metadata log dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    files.sort();
    let snaps = snapshots(&dir);
    assert!(
        snaps
            .first()
            .and_then(|p| p.file_name())
            .is_some_and(|n| n == "00000000000000000000-0000000000.checkpoint"),
        "the bootstrap snapshot: {snaps:?}"
    );
    files.extend(snaps.iter().cloned());

    let k = kafka::dump_log(&["--cluster-metadata-decoder"], &files);
    let stderr = dump_text::unexpected_stderr(&k.stderr);
    assert!(stderr.is_empty(), "kafka-dump-log on stderr: {stderr:?}");
    let kafka_files = dump_text::parse_text(&k.stdout);
    let text = dump_text::parse_text(&filka_dump(false, &["--print-data"], &files));
    let (json, _) = dump_text::parse_filka_json(&filka_dump(true, &["--print-data"], &files));

    println!(
        "Kafka's metadata log and {} snapshots ({:.1}s):",
        snaps.len(),
        t0.elapsed().as_secs_f64()
    );
    let mut disagreements = Vec::new();
    check(
        "filka dump text",
        &dump_text::compare(
            &kafka_files,
            &text,
            &Rules {
                exact_lines: true,
                ..Rules::default()
            },
        ),
        &mut disagreements,
    );
    check(
        "filka dump --output json",
        &dump_text::compare(&kafka_files, &json, &Rules::default()),
        &mut disagreements,
    );
    assert!(
        disagreements.is_empty(),
        "Kafka and filka disagree ({}):\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );

    // The run covered what it claims: every snapshot's first line, and these records.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for f in &kafka_files {
        for e in &f.entries {
            let name = if let Some(p) = e.get("payload") {
                serde_json::from_str::<serde_json::Value>(p)
                    .ok()
                    .and_then(|v| v["type"].as_str().map(str::to_string))
                    .unwrap_or_else(|| format!("undecoded: {p}"))
            } else if let Some((label, _)) = e.fields.get(6).filter(|_| e.kind() == "| offset") {
                label.clone()
            } else {
                e.kind().to_string()
            };
            *seen.entry(name).or_default() += 1;
        }
    }
    println!("  seen: {seen:?}");
    assert_eq!(seen.get("Snapshot end offset"), Some(&snaps.len()));
    for t in [
        "LeaderChange",
        "SnapshotHeader",
        "SnapshotFooter",
        "FEATURE_LEVEL_RECORD",
        "BEGIN_TRANSACTION_RECORD",
        "END_TRANSACTION_RECORD",
        "REGISTER_CONTROLLER_RECORD",
        "REGISTER_BROKER_RECORD",
        "BROKER_REGISTRATION_CHANGE_RECORD",
        "TOPIC_RECORD",
        "PARTITION_RECORD",
        "PARTITION_CHANGE_RECORD",
        "CONFIG_RECORD",
        "CLEAR_ELR_RECORD",
        "PRODUCER_IDS_RECORD",
        "REMOVE_TOPIC_RECORD",
        "NO_OP_RECORD",
    ] {
        assert!(seen.contains_key(t), "no {t} in Kafka's dump: {seen:?}");
    }
    assert!(
        !seen.keys().any(|k| k.starts_with("undecoded")),
        "Kafka's decoder failed on a record: {seen:?}"
    );

    // filka's own check of the files: sound batches, snapshots framed by their header and
    // footer, every record a metadata record.
    let mut args = vec!["dump", "--verify"];
    args.extend(files.iter().map(|p| p.to_str().expect("UTF-8 temp paths")));
    let (code, stdout, stderr) = filka(&args);
    assert_eq!(code, Some(0), "filka dump --verify: {stderr}");
    assert!(
        !stdout.lines().any(|l| l.starts_with("Error: ")),
        "{stdout}"
    );
    println!("  filka dump --verify: {} files, exit 0", files.len());

    // A copied segment is decoded with --cluster-metadata-decoder as in its folder.
    let copy_dir = tempfile::tempdir().expect("temp dir");
    let copy = copy_dir.path().join("00000000000000000000.log");
    std::fs::copy(&files[0], &copy).expect("copy the first segment");
    let copied = filka_dump(
        false,
        &["--print-data", "--cluster-metadata-decoder"],
        &[copy],
    );
    let in_folder: Vec<FileDump> = text.iter().take(1).cloned().collect();
    let mut copied = dump_text::parse_text(&copied);
    copied[0].path.clone_from(&in_folder[0].path);
    let c = dump_text::compare(
        &in_folder,
        &copied,
        &Rules {
            exact_lines: true,
            ..Rules::default()
        },
    );
    assert!(c.disagreements.is_empty(), "{:?}", c.disagreements);
}
