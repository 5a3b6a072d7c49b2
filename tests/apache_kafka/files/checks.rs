//! The checks of files.rs: the files of log dirs sorted by kind, each kind read by Kafka
//! (`kafka-dump-log` with the flags that kind wants, the FileChecks driver) and by `filka
//! dump` (text and JSON), and the comparison of the two, field by field, into a [`Verdict`].

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

use crate::dump_text::{self, Comparison, Entry, FileDump, KeyValue, Payloads, Rules};
use crate::kafka;

const FILKA: &str = env!("CARGO_BIN_EXE_filka");

/// What a filka run printed.
pub(super) struct Out {
    pub(super) code: Option<i32>,
    pub(super) stdout: String,
    pub(super) stderr: String,
}

/// Runs `filka ARGS...` with `stdin` as input.
pub(super) fn filka(args: &[&str], stdin: &[u8]) -> Out {
    let mut child = Command::new(FILKA)
        .args(args)
        .env_remove("FILKA_CLUSTER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run filka");
    let mut pipe = child.stdin.take().expect("piped");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // A command that fails before reading all its input closes the pipe: not an error.
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for filka");
    let _ = writer.join();
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The files of log dirs, by what Kafka reads them with.
#[derive(Debug, Default)]
pub(super) struct Files {
    /// `.log` of every topic but the coordinators'.
    pub(super) data_logs: Vec<PathBuf>,
    /// `__consumer_offsets-*/*.log`.
    pub(super) offsets_logs: Vec<PathBuf>,
    /// `__transaction_state-*/*.log`.
    pub(super) txn_logs: Vec<PathBuf>,
    /// `__cluster_metadata-0/*.log` and KRaft snapshots (`<offset>-<epoch>.checkpoint`).
    pub(super) metadata_logs: Vec<PathBuf>,
    /// `.index` and `.timeindex`.
    pub(super) indexes: Vec<PathBuf>,
    /// `.snapshot` and `.txnindex`.
    pub(super) producer_files: Vec<PathBuf>,
    /// Checkpoints, `partition.metadata`, `meta.properties`.
    pub(super) small: Vec<PathBuf>,
}

impl Files {
    /// Every file of the log dirs filka's dump reads.
    pub(super) fn all(&self) -> Vec<PathBuf> {
        [
            &self.data_logs,
            &self.offsets_logs,
            &self.txn_logs,
            &self.metadata_logs,
            &self.indexes,
            &self.producer_files,
            &self.small,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect()
    }
}

pub(super) fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    v.sort();
    v
}

/// Sorts the files of `log_dirs` (and of their partition folders) by kind.
pub(super) fn collect(log_dirs: &[PathBuf]) -> Files {
    let mut f = Files::default();
    for dir in log_dirs {
        for path in sorted_entries(dir) {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                for file in sorted_entries(&path) {
                    let fname = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    let to = if fname.ends_with(".checkpoint") {
                        &mut f.metadata_logs
                    } else if fname.ends_with(".log") {
                        if name == "__cluster_metadata-0" {
                            &mut f.metadata_logs
                        } else if name.starts_with("__consumer_offsets-") {
                            &mut f.offsets_logs
                        } else if name.starts_with("__transaction_state-") {
                            &mut f.txn_logs
                        } else {
                            &mut f.data_logs
                        }
                    } else if fname.ends_with(".index") || fname.ends_with(".timeindex") {
                        &mut f.indexes
                    } else if fname.ends_with(".snapshot") || fname.ends_with(".txnindex") {
                        &mut f.producer_files
                    } else if fname == "leader-epoch-checkpoint" || fname == "partition.metadata" {
                        &mut f.small
                    } else {
                        // quorum-state of __cluster_metadata-0: not a file filka dumps.
                        continue;
                    };
                    to.push(file);
                }
            } else if name.ends_with("-checkpoint") || name == "meta.properties" {
                f.small.push(path);
            }
        }
    }
    f
}

/// A run of the checks: what was compared, and every disagreement.
#[derive(Default)]
pub(super) struct Verdict {
    pub(super) summary: Vec<String>,
    pub(super) disagreements: Vec<String>,
}

impl Verdict {
    pub(super) fn add(&mut self, what: &str, c: Comparison) {
        self.summary.push(format!(
            "{what}: {}{}",
            c.summary(),
            if c.binary_equal > 0 {
                format!(
                    ", {} keys/payloads of bytes that are not text (escaped by filka's text, \
                     equal once decoded as Kafka does)",
                    c.binary_equal
                )
            } else {
                String::new()
            }
        ));
        self.disagreements
            .extend(c.disagreements.into_iter().map(|d| format!("{what}: {d}")));
    }

    pub(super) fn fail(&mut self, what: &str, why: String) {
        self.disagreements.push(format!("{what}: {why}"));
    }

    /// Prints the summary and panics with every disagreement.
    pub(super) fn finish(self, what: &str, t0: Instant) {
        println!("{what} ({:.1}s):", t0.elapsed().as_secs_f64());
        for s in &self.summary {
            println!("  {s}");
        }
        assert!(
            self.disagreements.is_empty(),
            "{what}: Kafka and filka disagree ({} differences):\n{}",
            self.disagreements.len(),
            self.disagreements.join("\n")
        );
    }
}

pub(super) fn paths(files: &[PathBuf]) -> Vec<&str> {
    files
        .iter()
        .map(|p| p.to_str().expect("UTF-8 temp paths"))
        .collect()
}

/// `filka dump FLAGS FILES` (text) and `filka --output json dump FLAGS FILES`, which must
/// exit 0: both parsed, and the records' exact bytes.
pub(super) fn filka_dumps(
    flags: &[&str],
    files: &[PathBuf],
) -> (Vec<FileDump>, Vec<FileDump>, Payloads) {
    let mut args = vec!["dump"];
    args.extend_from_slice(flags);
    args.extend(paths(files));
    let text = filka(&args, b"");
    assert_eq!(
        text.code,
        Some(0),
        "filka dump {flags:?}: {}\n{}",
        text.stderr,
        text.stdout
    );
    let mut json_args = vec!["--output", "json"];
    json_args.extend(args);
    let json = filka(&json_args, b"");
    assert_eq!(
        json.code,
        Some(0),
        "filka dump --output json: {}",
        json.stderr
    );
    let (json_files, payloads) = dump_text::parse_filka_json(&json.stdout);
    (dump_text::parse_text(&text.stdout), json_files, payloads)
}

/// Kafka's dump of `files` with `kafka_flags` against filka's text and JSON dumps.
pub(super) fn compare_logs(
    v: &mut Verdict,
    what: &str,
    files: &[PathBuf],
    kafka_flags: &[&str],
    skip_fields: &[&str],
) -> (Vec<FileDump>, Payloads) {
    if files.is_empty() {
        v.summary.push(format!("{what}: no files"));
        return (Vec::new(), Payloads::new());
    }
    let k = kafka::dump_log(kafka_flags, files);
    for line in dump_text::unexpected_stderr(&k.stderr) {
        v.fail(what, format!("kafka-dump-log on stderr: {line}"));
    }
    let kafka = dump_text::parse_text(&k.stdout);
    let (text, json, payloads) = filka_dumps(&["--print-data"], files);
    v.add(
        &format!("{what}, filka dump text"),
        dump_text::compare(
            &kafka,
            &text,
            &Rules {
                payloads: Some(&payloads),
                skip_fields,
                exact_lines: skip_fields.is_empty(),
                ..Rules::default()
            },
        ),
    );
    v.add(
        &format!("{what}, filka dump --output json"),
        dump_text::compare(
            &kafka,
            &json,
            &Rules {
                skip_fields,
                ..Rules::default()
            },
        ),
    );
    (kafka, payloads)
}

/// The records of Kafka's decoder output with a key: (file, offset, key JSON, payload).
pub(super) fn decoded_records(kafka: &[FileDump]) -> Vec<(&str, i64, &str, &str)> {
    let mut out = Vec::new();
    for f in kafka {
        for e in &f.entries {
            if let (Some(offset), Some(key)) = (e.get("| offset"), e.get("key")) {
                let offset = offset.parse().expect("record offsets are numbers");
                out.push((f.path.as_str(), offset, key, e.get("payload").unwrap_or("")));
            }
        }
    }
    out
}

pub(super) fn json_of(what: &str, s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{what} is not JSON ({e}): {s}"))
}

/// Compares Kafka's decoding of every field filka decodes; Kafka's fields filka does not
/// decode are listed in `undecoded`.
pub(super) fn compare_decoded(
    v: &mut Verdict,
    at: &str,
    kafka: &Value,
    filka: &Value,
    undecoded: &mut BTreeSet<String>,
) -> bool {
    let mut equal = true;
    if kafka.get("type") != filka.get("type") || kafka.get("version") != filka.get("version") {
        v.fail(at, format!("Kafka {kafka}, filka {filka}"));
        return false;
    }
    let (Some(kd), Some(fd)) = (kafka["data"].as_object(), filka["data"].as_object()) else {
        v.fail(at, format!("no data: Kafka {kafka}, filka {filka}"));
        return false;
    };
    for (name, value) in kd {
        match fd.get(name) {
            Some(f) if f == value => {}
            Some(f) => {
                equal = false;
                v.fail(at, format!("{name}: Kafka {value}, filka {f}"));
            }
            None => {
                undecoded.insert(name.clone());
            }
        }
    }
    for name in fd.keys().filter(|n| !kd.contains_key(*n)) {
        equal = false;
        v.fail(
            at,
            format!("filka decodes {name}, which Kafka does not have"),
        );
    }
    equal
}

pub(super) fn record_bytes<'a>(
    payloads: &'a Payloads,
    file: &str,
    offset: i64,
) -> Option<&'a KeyValue> {
    payloads.get(&(file.to_string(), offset))
}

pub(super) fn version_of(bytes: &[u8]) -> String {
    bytes
        .get(..2)
        .map_or(-1, |b| i16::from_be_bytes([b[0], b[1]]))
        .to_string()
}

/// `__consumer_offsets`: Kafka's `--offsets-decoder` JSON against filka's decoders
/// (group/schema.rs) on the same bytes. Returns the last commit of each group, topic and
/// partition (record offset, committed offset; -1 once a tombstone deleted it).
pub(super) fn check_offsets_decoded(
    v: &mut Verdict,
    kafka: &[FileDump],
    payloads: &Payloads,
) -> BTreeMap<(String, String, i32), (i64, i64)> {
    use filka::group::schema;
    let what = "__consumer_offsets decoded";
    let mut last = BTreeMap::new();
    let (mut equal, mut skipped) = (0, BTreeMap::<String, usize>::new());
    let mut undecoded = BTreeSet::new();
    for (file, offset, kkey, kpayload) in decoded_records(kafka) {
        let at = format!("{what}: {file} offset {offset}");
        let Some((Some(key), value)) = record_bytes(payloads, file, offset) else {
            v.fail(&at, "filka's dump has no such record with a key".into());
            continue;
        };
        let kkey = json_of("Kafka's key", kkey);
        let fkey = match schema::decode_key(key) {
            Ok(Some(k)) => json!({"type": version_of(key), "data": {
                "group": k.group, "topic": k.topic, "partition": k.partition}}),
            Ok(None) => {
                *skipped.entry(version_of(key)).or_default() += 1;
                continue;
            }
            Err(e) => {
                v.fail(&at, format!("filka cannot decode the key {kkey}: {e}"));
                continue;
            }
        };
        let mut ok = compare_decoded(v, &format!("{at} key"), &kkey, &fkey, &mut undecoded);
        let gtp = (
            fkey["data"]["group"].as_str().unwrap_or("").to_string(),
            fkey["data"]["topic"].as_str().unwrap_or("").to_string(),
            fkey["data"]["partition"].as_i64().unwrap_or(-1) as i32,
        );
        match value {
            None => {
                if kpayload != "<DELETE>" {
                    ok = false;
                    v.fail(&at, format!("a tombstone to filka, {kpayload} to Kafka"));
                }
                // -1: deleted (a committed offset is never negative).
                if offset > last.get(&gtp).map_or(-1, |(o, _)| *o) {
                    last.insert(gtp, (offset, -1));
                }
            }
            Some(value) => match schema::decode_value(value) {
                Ok(d) => {
                    let mut data = json!({"offset": d.offset, "metadata": d.metadata,
                        "commitTimestamp": d.commit_timestamp});
                    // Versions 0-2 have no leader epoch (filka reads it as -1).
                    if version_of(value).parse::<i16>().is_ok_and(|v| v >= 3) {
                        data["leaderEpoch"] = json!(d.leader_epoch);
                    }
                    let fvalue = json!({"version": version_of(value), "data": data});
                    ok &= compare_decoded(
                        v,
                        &format!("{at} value"),
                        &json_of("Kafka's payload", kpayload),
                        &fvalue,
                        &mut undecoded,
                    );
                    let prev = last.get(&gtp).map_or(-1, |(o, _)| *o);
                    if offset > prev {
                        last.insert(gtp, (offset, d.offset));
                    }
                }
                Err(e) => {
                    ok = false;
                    v.fail(&at, format!("filka cannot decode {kpayload}: {e}"));
                }
            },
        }
        equal += usize::from(ok);
    }
    v.summary.push(format!(
        "{what}: {equal} offset commits equal (key and value) to Kafka's decoding{}{}",
        if skipped.is_empty() {
            String::new()
        } else {
            format!(
                "; records of other types, which filka skips by design: {}",
                skipped
                    .iter()
                    .map(|(t, n)| format!("{n} of type {t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        if undecoded.is_empty() {
            String::new()
        } else {
            format!("; Kafka's fields filka does not decode: {undecoded:?}")
        }
    ));
    last
}

/// The last state of each transactional id: (record offset, producer id, epoch, state).
pub(super) type TxnStates = BTreeMap<String, (i64, i64, i64, String)>;

/// `__transaction_state`: Kafka's `--transaction-log-decoder` JSON against filka's decoders
/// (txn/schema.rs) on the same bytes.
pub(super) fn check_txn_decoded(
    v: &mut Verdict,
    kafka: &[FileDump],
    payloads: &Payloads,
) -> TxnStates {
    use filka::txn::schema;
    let what = "__transaction_state decoded";
    let mut last = TxnStates::new();
    let mut equal = 0;
    let mut undecoded = BTreeSet::new();
    for (file, offset, kkey, kpayload) in decoded_records(kafka) {
        let at = format!("{what}: {file} offset {offset}");
        let Some((Some(key), value)) = record_bytes(payloads, file, offset) else {
            v.fail(&at, "filka's dump has no such record with a key".into());
            continue;
        };
        let id = match schema::decode_key(key) {
            Ok(id) => id,
            Err(e) => {
                v.fail(&at, format!("filka cannot decode the key {kkey}: {e}"));
                continue;
            }
        };
        let fkey = json!({"type": version_of(key), "data": {"transactionalId": id}});
        let mut ok = compare_decoded(
            v,
            &format!("{at} key"),
            &json_of("Kafka's key", kkey),
            &fkey,
            &mut undecoded,
        );
        let Some(value) = value else {
            ok &= kpayload == "<DELETE>";
            equal += usize::from(ok);
            continue;
        };
        match schema::decode_value(value) {
            Ok(d) => {
                let kvalue = json_of("Kafka's payload", kpayload);
                // Version 0 writes a null partition list for Empty; filka reads it as none.
                let parts = if kvalue["data"]["transactionPartitions"].is_null()
                    && d.partitions.is_empty()
                {
                    Value::Null
                } else {
                    d.partitions
                        .iter()
                        .map(|p| json!({"topic": p.topic, "partitionIds": p.partitions}))
                        .collect()
                };
                let fvalue = json!({"version": version_of(value), "data": {
                    "producerId": d.producer_id, "producerEpoch": d.producer_epoch,
                    "transactionTimeoutMs": d.timeout_ms,
                    "transactionStatus": d.status.name(),
                    "transactionPartitions": parts,
                    "transactionLastUpdateTimestampMs": d.last_update_ms,
                    "transactionStartTimestampMs": d.start_ms}});
                ok &= compare_decoded(v, &format!("{at} value"), &kvalue, &fvalue, &mut undecoded);
                let prev = last.get(&id).map_or(-1, |s| s.0);
                if offset > prev {
                    last.insert(
                        id,
                        (
                            offset,
                            d.producer_id,
                            i64::from(d.producer_epoch),
                            d.status.name().to_string(),
                        ),
                    );
                }
            }
            Err(e) => {
                ok = false;
                v.fail(&at, format!("filka cannot decode {kpayload}: {e}"));
            }
        }
        equal += usize::from(ok);
    }
    v.summary.push(format!(
        "{what}: {equal} records equal (key and value) to Kafka's decoding{}",
        if undecoded.is_empty() {
            String::new()
        } else {
            format!("; Kafka's fields filka does not decode: {undecoded:?}")
        }
    ));
    last
}

/// `.index` and `.timeindex`: Kafka's sanity check and verification find nothing, and its
/// plain dump equals filka's.
pub(super) fn check_indexes(v: &mut Verdict, files: &[PathBuf]) {
    let what = "indexes";
    // Kafka leaves the active segment of its metadata log (__cluster_metadata-0) with its
    // preallocated 10 MB time index on a clean stop, which its own sanity check refuses
    // ("has non-zero size but the last timestamp is 0"); it rebuilds it at the next start.
    let (quirk, checked): (Vec<PathBuf>, Vec<PathBuf>) = files
        .iter()
        .cloned()
        .partition(|p| p.to_string_lossy().contains("/__cluster_metadata-0/"));
    let sanity = kafka::dump_log(&["--index-sanity-check"], &checked);
    let (mut passed, mut empty) = (0, 0);
    for f in dump_text::parse_text(&sanity.stdout) {
        match f.entries.first().map(Entry::kind) {
            Some("passed sanity check") => passed += 1,
            Some("is empty") => empty += 1,
            _ => v.fail(
                what,
                format!("--index-sanity-check of {}: {:?}", f.path, f.entries),
            ),
        }
    }
    for line in dump_text::unexpected_stderr(&sanity.stderr) {
        v.fail(what, format!("--index-sanity-check on stderr: {line}"));
    }
    let verify = kafka::dump_log(&["--verify-index-only"], files);
    for f in dump_text::parse_text(&verify.stdout) {
        for e in f.entries.iter().filter(|e| e.kind() != "is empty") {
            v.fail(
                what,
                format!("--verify-index-only of {}: {}", f.path, e.raw),
            );
        }
    }
    for line in dump_text::unexpected_stderr(&verify.stderr) {
        v.fail(what, format!("--verify-index-only on stderr: {line}"));
    }
    v.summary.push(format!(
        "{what}: kafka-dump-log --index-sanity-check: {passed} passed, {empty} empty (of {}{}); \
         --verify-index-only: no mismatch",
        checked.len(),
        if quirk.is_empty() {
            String::new()
        } else {
            format!(
                "; {} of Kafka's metadata log not checked, as Kafka fails its own",
                quirk.len()
            )
        }
    ));
    let plain = kafka::dump_log(&[], files);
    for line in dump_text::unexpected_stderr(&plain.stderr) {
        v.fail(what, format!("kafka-dump-log on stderr: {line}"));
    }
    let kafka = dump_text::parse_text(&plain.stdout);
    let (text, json, _) = filka_dumps(&[], files);
    v.add(
        "indexes, filka dump text",
        dump_text::compare(
            &kafka,
            &text,
            &Rules {
                exact_lines: true,
                ..Rules::default()
            },
        ),
    );
    v.add(
        "indexes, filka dump --output json",
        dump_text::compare(
            &kafka,
            &json,
            &Rules {
                skip_kinds: &["is empty"],
                ..Rules::default()
            },
        ),
    );
}

/// `.snapshot` and `.txnindex`: Kafka's dump equals filka's.
pub(super) fn check_producer_files(v: &mut Verdict, files: &[PathBuf]) {
    let what = ".snapshot and .txnindex";
    if files.is_empty() {
        v.summary.push(format!("{what}: no files"));
        return;
    }
    let k = kafka::dump_log(&[], files);
    for line in dump_text::unexpected_stderr(&k.stderr) {
        v.fail(what, format!("kafka-dump-log on stderr: {line}"));
    }
    let kafka = dump_text::parse_text(&k.stdout);
    let (text, json, _) = filka_dumps(&[], files);
    v.add(
        &format!("{what}, filka dump text"),
        dump_text::compare(
            &kafka,
            &text,
            &Rules {
                exact_lines: true,
                ..Rules::default()
            },
        ),
    );
    v.add(
        &format!("{what}, filka dump --output json"),
        dump_text::compare(&kafka, &json, &Rules::default()),
    );
}

/// Offset checkpoints: Kafka reads them into a map, so order is not compared.
pub(super) fn sort_offset_entries(files: &mut [FileDump]) {
    for f in files {
        if f.entries.iter().all(|e| e.kind() == "topic") {
            f.entries.sort_by(|a, b| {
                (
                    a.get("topic"),
                    a.get("partition").and_then(|p| p.parse::<i32>().ok()),
                )
                    .cmp(&(
                        b.get("topic"),
                        b.get("partition").and_then(|p| p.parse::<i32>().ok()),
                    ))
            });
        }
    }
}

/// Checkpoints, `partition.metadata`, `meta.properties`: Kafka's classes (the FileChecks
/// driver) against filka's dump.
pub(super) fn check_small_files(v: &mut Verdict, files: &[PathBuf]) {
    let what = "checkpoints, partition.metadata, meta.properties";
    let run = kafka::tool_run("file-checks", &paths(files), None);
    if run.code != Some(0) {
        v.fail(
            what,
            format!(
                "Kafka's classes refused files (exit {:?}): {}\n{}",
                run.code,
                run.stderr,
                run.stdout
                    .lines()
                    .filter(|l| l.starts_with("Error: "))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        );
    }
    let kafka = dump_text::parse_text(&run.stdout);
    let (mut text, mut json, _) = filka_dumps(&[], files);
    sort_offset_entries(&mut text);
    sort_offset_entries(&mut json);
    let by_kind: BTreeMap<&str, usize> = files.iter().fold(BTreeMap::new(), |mut m, p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        *m.entry(name).or_default() += 1;
        m
    });
    v.summary.push(format!("{what}: files {by_kind:?}"));
    v.add(
        &format!("{what}, filka dump text"),
        dump_text::compare(
            &kafka,
            &text,
            &Rules {
                exact_lines: true,
                ..Rules::default()
            },
        ),
    );
    v.add(
        &format!("{what}, filka dump --output json"),
        dump_text::compare(&kafka, &json, &Rules::default()),
    );
}

/// `filka dump --verify` over every file: exit 0, no problem or mismatch reported.
pub(super) fn check_filka_verify(v: &mut Verdict, files: &[PathBuf]) {
    let mut args = vec!["dump", "--verify"];
    args.extend(paths(files));
    let out = filka(&args, b"");
    if out.code != Some(0) {
        v.fail(
            "filka dump --verify",
            format!("exit {:?}: {}", out.code, out.stderr.trim()),
        );
    }
    let reported: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| {
            l.starts_with("Error: ")
                || l.starts_with("Found ")
                || l.starts_with("Mismatches in")
                || l.starts_with("Non-consecutive")
                || l.starts_with("Transaction index mismatches")
                || l.starts_with("  ")
        })
        .collect();
    for l in &reported {
        v.fail("filka dump --verify", (*l).to_string());
    }
    v.summary.push(format!(
        "filka dump --verify: {} files, exit {:?}",
        files.len(),
        out.code
    ));
}

/// Kafka's dumps of the logs, and filka's bytes of their records.
pub(super) struct Logs {
    pub(super) data: Vec<FileDump>,
    pub(super) offsets: (Vec<FileDump>, Payloads),
    pub(super) txns: (Vec<FileDump>, Payloads),
}

/// Every check of [`Files`].
pub(super) fn judge(v: &mut Verdict, files: &Files) -> Logs {
    let (mut data, _) = compare_logs(
        v,
        ".log (--deep-iteration --print-data-log)",
        &files.data_logs,
        &["--deep-iteration", "--print-data-log"],
        &[],
    );
    // Decoder runs print JSON keys and payloads: the record and batch fields are compared
    // here, the JSON with filka's decoders by the caller.
    let (offsets, offsets_bytes) = compare_logs(
        v,
        "__consumer_offsets .log (--offsets-decoder)",
        &files.offsets_logs,
        &["--offsets-decoder"],
        &["key", "payload"],
    );
    let (txns, txn_bytes) = compare_logs(
        v,
        "__transaction_state .log (--transaction-log-decoder)",
        &files.txn_logs,
        &["--transaction-log-decoder"],
        &["key", "payload"],
    );
    // The metadata log and its snapshots: filka decodes them by their names, Kafka with
    // --cluster-metadata-decoder (tests/apache_kafka/metadata_dump.rs has more).
    let (metadata, _) = compare_logs(
        v,
        "__cluster_metadata-0 (--cluster-metadata-decoder)",
        &files.metadata_logs,
        &["--cluster-metadata-decoder"],
        &[],
    );
    // The metadata log's segments count among the logs of the coverage checks (its batches
    // are the ones without a producer id of a broker written by idempotent producers).
    data.extend(metadata.into_iter().filter(|f| f.path.ends_with(".log")));
    check_indexes(v, &files.indexes);
    check_producer_files(v, &files.producer_files);
    check_small_files(v, &files.small);
    check_filka_verify(v, &files.all());
    Logs {
        data,
        offsets: (offsets, offsets_bytes),
        txns: (txns, txn_bytes),
    }
}

pub(super) fn lines_json(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| json_of("filka's JSON output", l))
        .collect()
}
