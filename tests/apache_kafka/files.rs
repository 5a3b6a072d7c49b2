//! Apache Kafka reads every file filka writes, and filka reads every file Kafka writes, and
//! both say the same, field by field.
//!
//! One way: a filka cluster made by the real commands (every codec, keys, null keys,
//! headers, tombstones, idempotent and non-idempotent producers, LogAppendTime, committed and
//! aborted transactions, a pipe, group commits, rolled segments, retention) is read by Kafka's
//! own `kafka-dump-log` (DumpLogSegments): `.log` files with `--deep-iteration
//! --print-data-log`, `__consumer_offsets` with `--offsets-decoder`, `__transaction_state`
//! with `--transaction-log-decoder`, `.index`/`.timeindex` with `--index-sanity-check` and
//! `--verify-index-only` and plainly, `.snapshot` and `.txnindex`; checkpoint files,
//! `partition.metadata` and `meta.properties` by Kafka's own classes (the FileChecks
//! driver). Every entry is compared with `filka dump`'s text and with its JSON; decoded
//! coordinator records with filka's own decoders and with what `filka group describe` and
//! `filka transactions list` report.
//!
//! The other way: a real Kafka node writes (console producer for every codec with keys,
//! headers, null keys and tombstones; the producer perf test for volume and rolled segments;
//! a transactional producer with a committed and an aborted transaction; a consumer group),
//! stops cleanly, and `filka dump --verify` reads every segment, index, snapshot and
//! transaction index it wrote, exit 0, equal to Kafka's dump by the same comparison.
//!
//! Kafka is the judge: a disagreement fails the test with the file, the entry, the field and
//! both values.

mod checks;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use checks::{
    Files, Out, Verdict, check_offsets_decoded, check_txn_decoded, collect, filka, filka_dumps,
    judge, lines_json, paths, sort_offset_entries, sorted_entries,
};

use crate::dump_text::{self, Entry, FileDump, Rules};
use crate::kafka::{self, Kafka};

const CODECS: [&str; 5] = ["none", "gzip", "snappy", "lz4", "zstd"];

/// One filka cluster directory.
struct Cluster {
    dir: PathBuf,
}

impl Cluster {
    fn run(&self, args: &[&str], stdin: &[u8]) -> Out {
        let dir = self.dir.to_str().expect("UTF-8 temp path");
        let mut all = vec!["--cluster", dir];
        all.extend_from_slice(args);
        filka(&all, stdin)
    }

    /// Runs a command that must succeed; its stdout.
    fn ok(&self, args: &[&str], stdin: &[u8]) -> String {
        let out = self.run(args, stdin);
        assert_eq!(
            out.code,
            Some(0),
            "filka {args:?}: exit {:?}\n{}",
            out.code,
            out.stderr
        );
        out.stdout
    }

    fn produce(&self, topic: &str, flags: &[&str], input: &str) {
        let mut args = vec!["produce", "-t", topic];
        args.extend_from_slice(flags);
        self.ok(&args, input.as_bytes());
    }
}

/// Builds the cluster every file type of filka comes from, with the real commands.
fn build_filka_cluster(c: &Cluster) {
    c.ok(&["init", "--brokers", "3", "--first-id", "101"], b"");
    let create = |topic: &str, p: &str, r: &str, configs: &[&str]| {
        let mut args = vec!["topic", "create", topic, "-p", p, "-r", r];
        for kv in configs {
            args.extend(["-c", kv]);
        }
        c.ok(&args, b"");
    };
    // Every codec; small segments (rolled) with offset-index entries in them; keys, headers,
    // tombstones (keyed and not), null keys, and a producer without idempotence.
    for codec in CODECS {
        let t = format!("c-{codec}");
        create(
            &t,
            "2",
            "2",
            &["segment.bytes=700", "index.interval.bytes=150"],
        );
        for round in 1..=3 {
            let input: String = (1..=30)
                .map(|i| format!("k{i}\tv-{codec}-{round}-{i}\n"))
                .collect();
            c.produce(
                &t,
                &["-K", "\\t", "-z", codec, "-H", "h1=v1", "-H", "h2=x y"],
                &input,
            );
        }
        c.produce(
            &t,
            &["-z", codec, "-p", "0", "--null-value", "NULL"],
            "x\nNULL\ny\n",
        );
        c.produce(
            &t,
            &["-z", codec, "-p", "1", "-K", "\\t", "--null-value", "NULL"],
            "tk\tNULL\n",
        );
        c.produce(
            &t,
            &["-z", codec, "-p", "1", "--no-idempotence"],
            "nokey-1\nnokey-2\n",
        );
    }
    // Volume in many batches: segments with the default index interval (4096 bytes).
    create("bulk", "1", "3", &["segment.bytes=30000"]);
    let bulk: String = (0..3000)
        .map(|i| format!("line-{i:05}-payload\n"))
        .collect();
    c.produce("bulk", &["--batch-size", "2000"], &bulk);
    // Timestamps set by the broker.
    create("lat", "1", "2", &["message.timestamp.type=LogAppendTime"]);
    c.produce("lat", &["-K", ":", "-z", "gzip"], "a:1\nb:2\nc:3\n");
    // Transactions: commits, then an abort of records already written (more than a produce
    // request holds, so they are flushed before the malformed line aborts), whose ABORT
    // marker lands in a later segment than its first record; then a commit again.
    create("tx", "1", "3", &["segment.bytes=500000"]);
    c.produce(
        "tx",
        &["--transactional-id", "t1", "--transaction-records", "2"],
        "a\nb\nc\nd\n",
    );
    let big = format!("\"{}\"\n", "x".repeat(400_000));
    let abort = format!("{big}{big}{big}{{bad\n");
    let out = c.run(
        &[
            "produce",
            "-t",
            "tx",
            "--transactional-id",
            "t2",
            "--value-format",
            "json",
        ],
        abort.as_bytes(),
    );
    assert_eq!(
        out.code,
        Some(5),
        "the malformed line aborts: {}",
        out.stderr
    );
    assert!(
        out.stderr.contains("the open transaction was aborted"),
        "{}",
        out.stderr
    );
    c.produce("tx", &["--transactional-id", "t1"], "e\nf\n");
    // A pipe: transactional output and offsets in one transaction each batch.
    create("words", "2", "2", &[]);
    let words: String = (1..=200).map(|i| format!("word-{i}\n")).collect();
    c.produce("words", &[], &words);
    c.ok(
        &[
            "pipe", "--from", "words", "--to", "shout", "--group", "shouter", "--batch", "50",
            "--", "tr", "a-z", "A-Z",
        ],
        b"",
    );
    // Group commits.
    c.ok(
        &["consume", "-t", "c-none", "-g", "g1", "-o", "beginning"],
        b"",
    );
    c.ok(
        &[
            "consume",
            "-t",
            "c-gzip",
            "-g",
            "g2",
            "-o",
            "beginning",
            "-c",
            "5",
        ],
        b"",
    );
    // Commits deleted again: tombstones in __consumer_offsets.
    c.ok(
        &["consume", "-t", "c-lz4", "-g", "g3", "-o", "beginning"],
        b"",
    );
    c.ok(&["group", "delete-offsets", "g3", "-t", "c-lz4"], b"");
    // Retention by size: the oldest segment goes, the log start moves.
    create(
        "ret",
        "1",
        "1",
        &["segment.bytes=1000", "retention.bytes=1000"],
    );
    for round in 1..=8 {
        let input: String = (1..=20).map(|i| format!("r{round}-{i}\n")).collect();
        c.produce("ret", &[], &input);
    }
    let ret = c.dir.join("broker-101/ret-0");
    assert!(
        !ret.join("00000000000000000000.log").exists(),
        "retention deleted the first segment of ret-0"
    );
}

#[test]
#[ignore = "needs Java 17 and Maven: .ci/run's apache-kafka step runs it"]
fn kafka_reads_every_file_filka_writes_as_filka_dump_does() {
    let t0 = Instant::now();
    let tmp = tempfile::Builder::new()
        .prefix("filka-judge-files-")
        .tempdir()
        .expect("temp dir");
    let cluster = Cluster {
        dir: tmp.path().join("data"),
    };
    build_filka_cluster(&cluster);
    let built = t0.elapsed();
    let log_dirs: Vec<PathBuf> = sorted_entries(&cluster.dir)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("broker-"))
        })
        .collect();
    let files = collect(&log_dirs);
    let mut v = Verdict::default();
    v.summary.push(format!(
        "cluster built by filka in {:.1}s: {} log dirs, {} files",
        built.as_secs_f64(),
        log_dirs.len(),
        files.all().len()
    ));
    let logs = judge(&mut v, &files);

    // What filka reports of the coordinators' records is what Kafka decodes.
    let commits = check_offsets_decoded(&mut v, &logs.offsets.0, &logs.offsets.1);
    let mut described = 0;
    for g in lines_json(&cluster.ok(&["--output", "json", "group", "list"], b"")) {
        let group = g["group"].as_str().expect("group name");
        for row in lines_json(&cluster.ok(&["--output", "json", "group", "describe", group], b"")) {
            let key = (
                group.to_string(),
                row["topic"].as_str().unwrap_or("").to_string(),
                row["partition"].as_i64().unwrap_or(-1) as i32,
            );
            let kafka_offset = commits.get(&key).map(|(_, o)| *o);
            if kafka_offset != row["current_offset"].as_i64() {
                v.fail(
                    "filka group describe",
                    format!("{key:?}: Kafka decodes {kafka_offset:?}, filka reports {row}"),
                );
            }
            described += 1;
        }
    }
    let live = commits.values().filter(|(_, o)| *o >= 0).count();
    if described != live {
        v.fail(
            "filka group describe",
            format!("{described} committed partitions described, Kafka decodes {live}"),
        );
    }
    v.summary.push(format!(
        "filka group describe: {described} committed offsets equal to the last commit Kafka decodes"
    ));
    let states = check_txn_decoded(&mut v, &logs.txns.0, &logs.txns.1);
    let listed = lines_json(&cluster.ok(&["--output", "json", "transactions", "list"], b""));
    for t in &listed {
        let id = t["transactional_id"].as_str().unwrap_or("");
        let filka_state = (
            t["producer_id"].as_i64().unwrap_or(-2),
            t["producer_epoch"].as_i64().unwrap_or(-2),
            t["state"].as_str().unwrap_or("").to_string(),
        );
        let kafka_state = states.get(id).map(|s| (s.1, s.2, s.3.clone()));
        if kafka_state.as_ref() != Some(&filka_state) {
            v.fail(
                "filka transactions list",
                format!("{id}: Kafka decodes {kafka_state:?}, filka reports {filka_state:?}"),
            );
        }
    }
    if listed.len() != states.len() || states.len() < 3 {
        v.fail(
            "filka transactions list",
            format!(
                "{} ids listed, Kafka decodes {}",
                listed.len(),
                states.len()
            ),
        );
    }
    v.summary.push(format!(
        "filka transactions list: {} transactional ids, state equal to Kafka's last record",
        listed.len()
    ));

    // The scenario covered what it claims (a scenario change must not silently drop a case).
    assert_covers(&logs.data, &files);
    v.finish("filka's files read by Apache Kafka 4.4", t0);
}

/// Kafka saw every case of the scenario: each codec, keys and null keys, headers,
/// tombstones, both timestamp types, idempotent and plain producers, transactional batches,
/// COMMIT and ABORT markers, rolled segments, and non-empty indexes, snapshots and
/// transaction indexes.
fn assert_covers(data: &[FileDump], files: &Files) {
    let batches: Vec<&Entry> = data
        .iter()
        .flat_map(|f| &f.entries)
        .filter(|e| e.kind() == "baseOffset")
        .collect();
    let records: Vec<&Entry> = data
        .iter()
        .flat_map(|f| &f.entries)
        .filter(|e| e.kind() == "| offset")
        .collect();
    for codec in CODECS {
        assert!(
            batches
                .iter()
                .any(|b| b.get("compresscodec") == Some(codec)),
            "no {codec} batch"
        );
    }
    let has = |what: &str, f: &dyn Fn(&Entry) -> bool| {
        assert!(records.iter().any(|r| f(r)), "no record with {what}");
    };
    has("a key", &|r| r.get("key").is_some());
    has("no key", &|r| {
        r.get("keySize") == Some("-1") && r.get("payload").is_some()
    });
    has("headers", &|r| r.get("headerKeys") == Some("[h1,h2]"));
    has("a null value", &|r| {
        r.get("valueSize") == Some("-1") && r.get("endTxnMarker").is_none()
    });
    has("LogAppendTime", &|r| r.get("LogAppendTime").is_some());
    has("a COMMIT marker", &|r| {
        r.get("endTxnMarker") == Some("COMMIT")
    });
    has("an ABORT marker", &|r| {
        r.get("endTxnMarker") == Some("ABORT")
    });
    let batch = |what: &str, f: &dyn Fn(&Entry) -> bool| {
        assert!(batches.iter().any(|b| f(b)), "no batch {what}");
    };
    batch("of an idempotent producer", &|b| {
        b.get("producerId") != Some("-1")
    });
    batch("without a producer id", &|b| {
        b.get("producerId") == Some("-1")
    });
    batch("in a transaction", &|b| {
        b.get("isTransactional") == Some("true") && b.get("isControl") == Some("false")
    });
    assert!(
        data.iter()
            .any(|f| f.entries.first().and_then(|e| e.get("Log starting offset")) != Some("0")),
        "no rolled segment"
    );
    for kind in [".txnindex", ".snapshot", ".index", ".timeindex"] {
        assert!(
            files
                .all()
                .iter()
                .any(|p| p.to_string_lossy().ends_with(kind)
                    && std::fs::metadata(p).is_ok_and(|m| m.len() > 0)),
            "no non-empty {kind} file"
        );
    }
}

#[test]
#[ignore = "needs Java 17 and Maven: .ci/run's apache-kafka step runs it"]
fn filka_reads_every_file_a_kafka_broker_writes_as_kafka_does() {
    let t0 = Instant::now();
    let tmp = tempfile::Builder::new()
        .prefix("filka-judge-broker-")
        .tempdir()
        .expect("temp dir");
    let mut node = Kafka::start(&tmp.path().join("kafka"));
    let b = node.bootstrap.clone();
    let started = t0.elapsed();
    kafka::tool(
        "topics",
        &[
            "--bootstrap-server",
            &b,
            "--create",
            "--topic",
            "k-seg",
            "--partitions",
            "1",
            "--replication-factor",
            "1",
            "--config",
            "segment.bytes=1048576",
        ],
    );
    kafka::tool(
        "topics",
        &[
            "--bootstrap-server",
            &b,
            "--create",
            "--topic",
            "k-lat",
            "--partitions",
            "1",
            "--replication-factor",
            "1",
            "--config",
            "message.timestamp.type=LogAppendTime",
        ],
    );
    // Every codec through Kafka's console producer: keys, headers, a null key, a tombstone.
    for codec in CODECS.iter().chain(&["lat"]) {
        let (topic, codec) = if *codec == "lat" {
            ("k-lat".to_string(), "gzip")
        } else {
            (format!("k-{codec}"), *codec)
        };
        let mut input: String = (1..=20)
            .map(|i| format!("h1:v1,h2:x y\tk{i}\tv-{codec}-{i}\n"))
            .collect();
        input.push_str("h1:v1\tNULL\tno key\nh1:v1\ttomb\tNULL\n");
        kafka::tool_run(
            "console-producer",
            &[
                "--bootstrap-server",
                &b,
                "--topic",
                &topic,
                "--compression-codec",
                codec,
                "--reader-property",
                "parse.key=true",
                "--reader-property",
                "parse.headers=true",
                "--reader-property",
                "null.marker=NULL",
                "--command-property",
                "linger.ms=20",
            ],
            Some(input.as_bytes()),
        )
        .success("console-producer");
    }
    // Volume: three rolled segments with index entries, keyed.
    kafka::tool(
        "producer-perf-test",
        &[
            "--bootstrap-server",
            &b,
            "--topic",
            "k-seg",
            "--num-records",
            "30000",
            "--record-size",
            "100",
            "--throughput",
            "-1",
            "--record-key-range",
            "100",
            "--key-distribution",
            "random",
            "--random-seed",
            "7",
            "--command-property",
            "compression.type=lz4",
        ],
    );
    // Transactions: one committed, one aborted (COMMIT and ABORT markers, a .txnindex).
    let txn = kafka::tool("txn-producer", &[&b, "k-txn", "judge-tx", "40", "25"]);
    assert_eq!(txn.trim(), "committed 40 aborted 25");
    // A consumer group's commits (and its group metadata records).
    kafka::tool(
        "console-consumer",
        &[
            "--bootstrap-server",
            &b,
            "--topic",
            "k-none",
            "--group",
            "kg1",
            "--from-beginning",
            "--max-messages",
            "22",
            "--timeout-ms",
            "30000",
        ],
    );
    let log_dir = node.log_dir();
    node.stop();
    let written = t0.elapsed();

    let files = collect(std::slice::from_ref(&log_dir));
    let mut v = Verdict::default();
    v.summary.push(format!(
        "Kafka node started in {:.1}s, written and stopped at {:.1}s: {} files",
        started.as_secs_f64(),
        written.as_secs_f64(),
        files.all().len()
    ));
    assert!(
        log_dir.join(".kafka_cleanshutdown").exists(),
        "Kafka stopped cleanly"
    );
    let logs = judge(&mut v, &files);
    check_offsets_decoded(&mut v, &logs.offsets.0, &logs.offsets.1);
    check_txn_decoded(&mut v, &logs.txns.0, &logs.txns.1);
    assert_covers(&logs.data, &files);
    let seg = sorted_entries(&log_dir.join("k-seg-0"));
    assert!(
        seg.iter()
            .filter(|p| p.extension().is_some_and(|e| e == "log"))
            .count()
            >= 3,
        "k-seg-0 rolled: {seg:?}"
    );
    v.finish("a Kafka 4.4 broker's files read by filka dump", t0);
}

/// The fixtures written by a real broker (fixtures/apache-kafka/): each folder's expected.txt,
/// which tests/integration/dump.rs holds `filka dump` to, is what Kafka's kafka-dump-log and
/// checkpoint classes read in those files, field by field.
#[test]
#[ignore = "needs Java 17 and Maven: .ci/run's apache-kafka step runs it"]
fn fixtures_dump_as_kafka_dumps_them() {
    let t0 = Instant::now();
    let root = kafka::root();
    let mut dirs = vec![root.join("fixtures/apache-kafka")];
    let mut v = Verdict::default();
    while let Some(dir) = dirs.pop() {
        let mut segment_files = Vec::new();
        let mut small = Vec::new();
        for path in sorted_entries(&dir) {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let rel = path
                .strip_prefix(root)
                .expect("under the root")
                .to_path_buf();
            if path.is_dir() {
                dirs.push(path);
            } else if name.ends_with("-checkpoint")
                || name == "meta.properties"
                || name == "partition.metadata"
            {
                small.push(rel);
            } else if name != "expected.txt" && name != "README.md" {
                segment_files.push(rel);
            }
        }
        let Ok(expected) = std::fs::read_to_string(dir.join("expected.txt")) else {
            continue;
        };
        let mut kafka_files: BTreeMap<String, FileDump> = BTreeMap::new();
        // filka decodes the metadata log (by its folder) and KRaft snapshots (by their
        // names) as Kafka does with --cluster-metadata-decoder.
        let metadata = dir.ends_with("__cluster_metadata-0")
            || segment_files
                .iter()
                .any(|p| p.extension().is_some_and(|e| e == "checkpoint"));
        if !segment_files.is_empty() {
            let mut flags = vec!["--deep-iteration", "--print-data-log"];
            if metadata {
                flags.push("--cluster-metadata-decoder");
            }
            let k = kafka::dump_log(&flags, &segment_files);
            for line in dump_text::unexpected_stderr(&k.stderr) {
                v.fail("fixtures", format!("kafka-dump-log on stderr: {line}"));
            }
            kafka_files.extend(
                dump_text::parse_text(&k.stdout)
                    .into_iter()
                    .map(|f| (f.path.clone(), f)),
            );
        }
        if !small.is_empty() {
            let run = kafka::tool_run("file-checks", &paths(&small), None);
            kafka_files.extend(
                dump_text::parse_text(&run.stdout)
                    .into_iter()
                    .map(|f| (f.path.clone(), f)),
            );
        }
        let mut filka_files = dump_text::parse_text(&expected);
        sort_offset_entries(&mut filka_files);
        let mut kafka: Vec<FileDump> = filka_files
            .iter()
            .map(|f| kafka_files.remove(&f.path).unwrap_or_default())
            .collect();
        sort_offset_entries(&mut kafka);
        let all: Vec<PathBuf> = segment_files.iter().chain(&small).cloned().collect();
        let (_, _, payloads) = filka_dumps(&["--print-data"], &all);
        let rel = dir
            .strip_prefix(root)
            .expect("under the root")
            .display()
            .to_string();
        v.add(
            &format!("{rel}/expected.txt"),
            dump_text::compare(
                &kafka,
                &filka_files,
                &Rules {
                    payloads: Some(&payloads),
                    exact_lines: true,
                    ..Rules::default()
                },
            ),
        );
    }
    v.finish("fixtures/apache-kafka read by Kafka", t0);
}
