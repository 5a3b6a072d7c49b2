//! kafka-dump-log's output (and `filka dump`'s, text or JSON) as entries of named fields, and
//! their comparison field by field.
//!
//! Kafka's text is parsed line by line: `Dumping FILE` starts a file; every other line is an
//! [`Entry`] whose fields are its `name: value` pairs (`baseOffset: 0 lastOffset: 4 ...`,
//! `| offset: 3 CreateTime: ... headerKeys: [a,b] key: K payload: P`, `producerId: ...`,
//! `offset: 0 position: 0`, ...). A record's key and payload are kept whole (they may hold
//! spaces; a payload with a newline continues on the next lines, which are joined back).
//! `filka dump --output json` events are turned into the same entries, under Kafka's field
//! names and in Kafka's formatting, so one comparison serves both.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use serde_json::Value;

/// One line of a dump: the name of its first field says what it is (`baseOffset` a batch,
/// `| offset` a record, `offset` an index entry, `producerId` a snapshot entry, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The `name: value` pairs in line order.
    pub fields: Vec<(String, String)>,
    /// The line as printed (continuation lines joined with `\n`).
    pub raw: String,
}

impl Entry {
    /// The first field's name: the entry's kind.
    pub fn kind(&self) -> &str {
        self.fields.first().map_or("", |(k, _)| k.as_str())
    }

    /// A field's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Where the entry is, for messages: `batch at position 0`, `record offset 3`, ...
    pub fn locate(&self) -> String {
        match self.kind() {
            "baseOffset" => format!(
                "batch {}..{} at position {}",
                self.get("baseOffset").unwrap_or("?"),
                self.get("lastOffset").unwrap_or("?"),
                self.get("position").unwrap_or("?")
            ),
            "| offset" => format!("record offset {}", self.get("| offset").unwrap_or("?")),
            _ => format!("line {:?}", cut(&self.raw, 120)),
        }
    }
}

fn cut(s: &str, n: usize) -> &str {
    let mut end = s.len().min(n);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The entries of one dumped file.
#[derive(Debug, Clone, Default)]
pub struct FileDump {
    /// The path as given to the tool.
    pub path: String,
    /// Its lines after `Dumping PATH`.
    pub entries: Vec<Entry>,
}

/// Line starts of entries (anything else after a record continues its payload).
const STARTS: [&str; 15] = [
    "Dumping ",
    "Log starting offset: ",
    "baseOffset: ",
    "| offset: ",
    "offset: ",
    "timestamp: ",
    "producerId: ",
    "version: ",
    "topic: ",
    "epoch: ",
    "brokerEpoch: ",
    "Found ",
    "Error: ",
    "Snapshot end offset: ",
    "Mismatches in ",
];

fn is_entry_start(line: &str) -> bool {
    STARTS.iter().any(|s| line.starts_with(s))
        || line.ends_with(" is empty.")
        || line.ends_with(" passed sanity check.")
}

/// Parses kafka-dump-log's (or filka dump's) stdout into files.
pub fn parse_text(out: &str) -> Vec<FileDump> {
    let mut files: Vec<FileDump> = Vec::new();
    for line in out.lines() {
        if let Some(path) = line.strip_prefix("Dumping ") {
            files.push(FileDump {
                path: path.to_string(),
                entries: Vec::new(),
            });
            continue;
        }
        let Some(file) = files.last_mut() else {
            panic!("dump output before any `Dumping` line: {line:?}");
        };
        let continues =
            !is_entry_start(line) && file.entries.last().is_some_and(|e| e.kind() == "| offset");
        if continues {
            let last = file.entries.last_mut().expect("checked");
            last.raw.push('\n');
            last.raw.push_str(line);
            if let Some((_, v)) = last.fields.last_mut() {
                v.push('\n');
                v.push_str(line);
            }
            continue;
        }
        file.entries.push(parse_line(line));
    }
    files
}

/// One line as fields.
pub fn parse_line(line: &str) -> Entry {
    let raw = line.to_string();
    if let Some(rest) = line.strip_prefix("Log starting offset: ") {
        return Entry {
            fields: vec![("Log starting offset".into(), rest.into())],
            raw,
        };
    }
    // A KRaft snapshot's first line: `Snapshot end offset: N, epoch: E`.
    if let Some((offset, epoch)) = line
        .strip_prefix("Snapshot end offset: ")
        .and_then(|rest| rest.split_once(", epoch: "))
    {
        return Entry {
            fields: snapshot_fields(offset.into(), epoch.into()),
            raw,
        };
    }
    for end in [" is empty.", " passed sanity check."] {
        if let Some(path) = line.strip_suffix(end) {
            return Entry {
                fields: vec![(end.trim().trim_end_matches('.').into(), path.into())],
                raw,
            };
        }
    }
    if let Some(rest) = line.strip_prefix("| ") {
        let mut e = parse_record(rest);
        e.raw = raw;
        return e;
    }
    Entry {
        fields: pairs(line),
        raw,
    }
}

fn snapshot_fields(offset: String, epoch: String) -> Vec<(String, String)> {
    vec![
        ("Snapshot end offset".into(), offset),
        ("epoch".into(), epoch),
    ]
}

/// `name: value name: value ...`, values of one or more words.
fn pairs(text: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for word in text.split(' ') {
        match word.strip_suffix(':') {
            Some(name) if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()) => {
                fields.push((name.to_string(), String::new()));
            }
            _ => match fields.last_mut() {
                Some((_, v)) if v.is_empty() => v.push_str(word),
                Some((_, v)) => {
                    v.push(' ');
                    v.push_str(word);
                }
                None => fields.push((String::new(), word.to_string())),
            },
        }
    }
    fields
}

/// A record line after `| `: the fields up to `headerKeys: [...]`, then a control marker,
/// `key: K` and `payload: P` kept whole.
fn parse_record(rest: &str) -> Entry {
    let (head, tail) = match rest.find("headerKeys: [") {
        Some(i) => {
            let close = rest[i..].find(']').map_or(rest.len(), |j| i + j + 1);
            (&rest[..close], &rest[close..])
        }
        None => (rest, ""),
    };
    let mut fields = pairs(head);
    if let Some((name, _)) = fields.first_mut() {
        *name = format!("| {name}");
    }
    if let Some(kv) = tail.strip_prefix(" key: ") {
        match kv.find(" payload: ") {
            Some(i) => {
                fields.push(("key".into(), kv[..i].into()));
                fields.push(("payload".into(), kv[i + " payload: ".len()..].into()));
            }
            None => fields.push(("key".into(), kv.into())),
        }
    } else if let Some(p) = tail.strip_prefix(" payload: ") {
        fields.push(("payload".into(), p.into()));
    } else if let Some((label, json)) = kraft_control(tail) {
        fields.push((label.into(), json.into()));
    } else if !tail.is_empty() {
        fields.extend(pairs(tail.trim_start()));
    }
    Entry {
        fields,
        raw: String::new(),
    }
}

/// A KRaft control record's ` LeaderChange: {...}`, ` SnapshotHeader {...}`, ...: its label
/// and JSON.
fn kraft_control(tail: &str) -> Option<(&str, &str)> {
    let brace = tail.find('{')?;
    let label = tail[..brace].trim().trim_end_matches(':');
    (!label.is_empty() && label.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| (label, &tail[brace..]))
}

/// Kafka's StringDecoder: the bytes as UTF-8, malformed sequences replaced by U+FFFD.
pub fn kafka_string(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A key or value of `filka dump --output json`: its exact bytes.
pub fn json_bytes(obj: &Value, field: &str) -> Option<Vec<u8>> {
    let v = obj.get(field)?;
    let s = v.as_str()?;
    if obj.get(format!("{field}_encoding")).and_then(Value::as_str) == Some("base64") {
        Some(
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .expect("filka's base64 decodes"),
        )
    } else {
        Some(s.as_bytes().to_vec())
    }
}

/// Every record's exact key and value bytes in `filka dump --output json` output, by file and
/// offset (control records have none).
pub type Payloads = BTreeMap<(String, i64), KeyValue>;

/// A record's key and value bytes (`None`: null).
pub type KeyValue = (Option<Vec<u8>>, Option<Vec<u8>>);

/// `filka --output json dump` lines as files of entries in Kafka's names and formatting, and
/// the exact key and value bytes of each record.
pub fn parse_filka_json(out: &str) -> (Vec<FileDump>, Payloads) {
    let mut files: Vec<FileDump> = Vec::new();
    let mut payloads = Payloads::new();
    for line in out.lines() {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("filka dump JSON line {line:?}: {e}"));
        let file = v["file"]
            .as_str()
            .expect("every event names its file")
            .to_string();
        let ty = v["type"].as_str().expect("every event has a type");
        if ty == "file" {
            files.push(FileDump {
                path: file,
                entries: Vec::new(),
            });
            let base = v["base_offset"].as_i64();
            let fields = match v["kind"].as_str() {
                Some("log") => Some(vec![(
                    "Log starting offset".into(),
                    base.expect("a log has a base").to_string(),
                )]),
                Some("kraft_snapshot") => Some(snapshot_fields(
                    json_scalar(&v["end_offset"]),
                    json_scalar(&v["epoch"]),
                )),
                _ => None,
            };
            if let Some(fields) = fields {
                files.last_mut().expect("just pushed").entries.push(Entry {
                    fields,
                    raw: String::new(),
                });
            }
            continue;
        }
        let current = files.last_mut().expect("events follow their file event");
        assert_eq!(current.path, file, "events of a file follow its file event");
        let s = |k: &str| json_scalar(&v[k]);
        let fields: Vec<(String, String)> = match ty {
            "batch" => {
                let horizon = match v["delete_horizon_ms"].as_i64() {
                    Some(t) => format!("OptionalLong[{t}]"),
                    None => "OptionalLong.empty".into(),
                };
                vec![
                    ("baseOffset".into(), s("base_offset")),
                    ("lastOffset".into(), s("last_offset")),
                    ("count".into(), s("count")),
                    ("baseSequence".into(), s("base_sequence")),
                    ("lastSequence".into(), s("last_sequence")),
                    ("producerId".into(), s("producer_id")),
                    ("producerEpoch".into(), s("producer_epoch")),
                    ("partitionLeaderEpoch".into(), s("partition_leader_epoch")),
                    ("isTransactional".into(), s("is_transactional")),
                    ("isControl".into(), s("is_control")),
                    ("deleteHorizonMs".into(), horizon),
                    ("position".into(), s("position")),
                    (s("timestamp_type"), s("max_timestamp")),
                    ("size".into(), s("size")),
                    ("magic".into(), s("magic")),
                    ("compresscodec".into(), s("compression")),
                    ("crc".into(), s("crc")),
                    ("isvalid".into(), s("crc_valid")),
                ]
            }
            "record" => {
                let headers: Vec<String> = v["header_keys"]
                    .as_array()
                    .expect("header_keys")
                    .iter()
                    .map(json_scalar)
                    .collect();
                let mut f = vec![
                    ("| offset".into(), s("offset")),
                    (s("timestamp_type"), s("timestamp")),
                    ("keySize".into(), s("key_size")),
                    ("valueSize".into(), s("value_size")),
                    ("sequence".into(), s("sequence")),
                    ("headerKeys".into(), format!("[{}]", headers.join(","))),
                ];
                let offset = v["offset"].as_i64().expect("offset");
                match v["control_type"].as_str() {
                    Some(t @ ("COMMIT" | "ABORT")) => {
                        f.push(("endTxnMarker".into(), t.into()));
                        f.push(("coordinatorEpoch".into(), s("coordinator_epoch")));
                    }
                    Some(t) if v.get("control").is_some() => {
                        let label = match t {
                            "LEADER_CHANGE" => "LeaderChange",
                            "SNAPSHOT_HEADER" => "SnapshotHeader",
                            "SNAPSHOT_FOOTER" => "SnapshotFooter",
                            "KRAFT_VERSION" => "KRaftVersion",
                            "KRAFT_VOTERS" => "KRaftVoters",
                            other => other,
                        };
                        f.push((label.into(), v["control"].to_string()));
                    }
                    Some(t) => {
                        let id = v["control_type_id"].as_i64().unwrap_or(-1);
                        f.push(("controlType".into(), format!("{t}({id})")));
                    }
                    // A metadata record: Kafka's --cluster-metadata-decoder prints no key, and
                    // the record (or why not) for the payload.
                    None if v.get("metadata").is_some() => {
                        let payload = match &v["metadata"] {
                            Value::Null => format!(
                                "Error at {offset}, skipping. {}",
                                json_scalar(&v["metadata_error"])
                            ),
                            m => m.to_string(),
                        };
                        f.push(("payload".into(), payload));
                    }
                    None => {
                        let key = json_bytes(&v, "key");
                        let value = json_bytes(&v, "value");
                        if let Some(k) = &key {
                            f.push(("key".into(), kafka_string(k)));
                        }
                        if let Some(p) = &value {
                            f.push(("payload".into(), kafka_string(p)));
                        }
                        payloads.insert((file.clone(), offset), (key, value));
                    }
                }
                f
            }
            "index_entry" => vec![
                ("offset".into(), s("offset")),
                ("position".into(), s("position")),
            ],
            "time_index_entry" => vec![
                ("timestamp".into(), s("timestamp")),
                ("offset".into(), s("offset")),
            ],
            "snapshot_entry" => {
                let txn = match v["current_txn_first_offset"].as_i64() {
                    Some(o) => format!("OptionalLong[{o}]"),
                    None => "OptionalLong.empty".into(),
                };
                let mut f = vec![
                    ("producerId".into(), s("producer_id")),
                    ("producerEpoch".into(), s("producer_epoch")),
                    ("coordinatorEpoch".into(), s("coordinator_epoch")),
                    ("currentTxnFirstOffset".into(), txn),
                    ("lastTimestamp".into(), s("last_timestamp")),
                ];
                if !v["first_sequence"].is_null() {
                    f.extend([
                        ("firstSequence".into(), s("first_sequence")),
                        ("lastSequence".into(), s("last_sequence")),
                        ("lastOffset".into(), s("last_offset")),
                        ("offsetDelta".into(), s("offset_delta")),
                        ("timestamp".into(), s("timestamp")),
                    ]);
                }
                f
            }
            "txn_index_entry" => vec![
                ("version".into(), s("version")),
                ("producerId".into(), s("producer_id")),
                ("firstOffset".into(), s("first_offset")),
                ("lastOffset".into(), s("last_offset")),
                ("lastStableOffset".into(), s("last_stable_offset")),
            ],
            "checkpoint_entry" if !v["topic"].is_null() => vec![
                ("topic".into(), s("topic")),
                ("partition".into(), s("partition")),
                ("offset".into(), s("offset")),
            ],
            "checkpoint_entry" if !v["epoch"].is_null() => vec![
                ("epoch".into(), s("epoch")),
                ("startOffset".into(), s("start_offset")),
            ],
            "checkpoint_entry" if !v["topic_id"].is_null() => vec![
                ("version".into(), s("version")),
                ("topicId".into(), s("topic_id")),
            ],
            "checkpoint_entry" if !v["node_id"].is_null() => vec![
                ("version".into(), s("version")),
                ("nodeId".into(), s("node_id")),
                ("clusterId".into(), s("cluster_id")),
                ("directoryId".into(), s("directory_id")),
            ],
            other => vec![(format!("filka {other}"), v.to_string())],
        };
        current.entries.push(Entry {
            fields,
            raw: String::new(),
        });
    }
    (files, payloads)
}

/// A JSON scalar as Kafka prints it (strings bare, null as `-`).
fn json_scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// What a comparison counted and where the two sides disagree.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Files compared.
    pub files: usize,
    /// Entries compared, by kind (first field name).
    pub entries: BTreeMap<String, usize>,
    /// Keys and payloads that are not UTF-8 text, equal once filka's exact bytes are
    /// decoded as Kafka decodes them (filka's text shows them as escapes).
    pub binary_equal: usize,
    /// Every difference, one line each.
    pub disagreements: Vec<String>,
}

impl Comparison {
    /// `N files: K1 n1, K2 n2, ...`.
    pub fn summary(&self) -> String {
        let kinds: Vec<String> = self
            .entries
            .iter()
            .map(|(k, n)| format!("{n} {}", k.trim_start_matches("| ")))
            .collect();
        format!("{} files, entries: {}", self.files, kinds.join(", "))
    }
}

/// How to compare.
#[derive(Debug, Default, Clone, Copy)]
pub struct Rules<'a> {
    /// The exact key and value bytes of filka's records: a key or payload that differs only
    /// because filka's text escapes bytes Kafka decodes lossily is equal when those bytes,
    /// decoded as Kafka does, give Kafka's text.
    pub payloads: Option<&'a Payloads>,
    /// Entry kinds one side does not have (e.g. `is empty` lines in JSON): skipped on both.
    pub skip_kinds: &'a [&'a str],
    /// Fields not compared (e.g. `key` and `payload` of a decoder run).
    pub skip_fields: &'a [&'a str],
    /// Compare the printed lines too, not only their fields (for text against text).
    pub exact_lines: bool,
}

/// Compares Kafka's files with filka's, file by file (by path), entry by entry, field by
/// field. Both must list the same files in the same order.
pub fn compare(kafka: &[FileDump], filka: &[FileDump], rules: &Rules<'_>) -> Comparison {
    let mut c = Comparison::default();
    let kpaths: Vec<&str> = kafka.iter().map(|f| f.path.as_str()).collect();
    let fpaths: Vec<&str> = filka.iter().map(|f| f.path.as_str()).collect();
    if kpaths != fpaths {
        c.disagreements.push(format!(
            "the files differ: Kafka dumped {} ({kpaths:?}), filka {} ({fpaths:?})",
            kpaths.len(),
            fpaths.len()
        ));
        return c;
    }
    for (k, f) in kafka.iter().zip(filka) {
        c.files += 1;
        let keep = |e: &&Entry| !rules.skip_kinds.contains(&e.kind());
        let ke: Vec<&Entry> = k.entries.iter().filter(keep).collect();
        let fe: Vec<&Entry> = f.entries.iter().filter(keep).collect();
        if ke.len() != fe.len() {
            c.disagreements.push(format!(
                "{}: Kafka has {} entries, filka {}; first difference: Kafka {:?}, filka {:?}",
                k.path,
                ke.len(),
                fe.len(),
                ke.iter()
                    .zip(&fe)
                    .find(|(a, b)| a.fields != b.fields)
                    .map(|(a, _)| a.raw.clone()),
                ke.iter()
                    .zip(&fe)
                    .find(|(a, b)| a.fields != b.fields)
                    .map(|(_, b)| b.raw.clone()),
            ));
            continue;
        }
        for (a, b) in ke.iter().zip(&fe) {
            *c.entries.entry(a.kind().to_string()).or_default() += 1;
            compare_entry(&k.path, a, b, rules, &mut c);
        }
    }
    c
}

fn compare_entry(path: &str, k: &Entry, f: &Entry, rules: &Rules<'_>, c: &mut Comparison) {
    let names = |e: &Entry| -> Vec<String> {
        e.fields
            .iter()
            .map(|(n, _)| n.clone())
            .filter(|n| !rules.skip_fields.contains(&n.as_str()))
            .collect()
    };
    if names(k) != names(f) {
        c.disagreements.push(format!(
            "{path}: {}: fields differ: Kafka {:?}, filka {:?}\n  Kafka: {}\n  filka: {}",
            k.locate(),
            names(k),
            names(f),
            k.raw,
            f.raw
        ));
        return;
    }
    let mut all_equal = true;
    for ((name, kv), (_, fv)) in k.fields.iter().zip(&f.fields) {
        if rules.skip_fields.contains(&name.as_str()) || kv == fv {
            continue;
        }
        if matches!(name.as_str(), "key" | "payload")
            && let Some(payloads) = rules.payloads
            && let Some(offset) = k.get("| offset").and_then(|o| o.parse::<i64>().ok())
            && let Some((key, value)) = payloads.get(&(path.to_string(), offset))
        {
            let bytes = if name == "key" { key } else { value };
            if bytes.as_deref().map(kafka_string).as_deref() == Some(kv.as_str()) {
                c.binary_equal += 1;
                all_equal = false; // the lines differ, as expected for escaped bytes
                continue;
            }
        }
        all_equal = false;
        c.disagreements.push(format!(
            "{path}: {}: {name}: Kafka {:?}, filka {:?}",
            k.locate(),
            cut(kv, 300),
            cut(fv, 300)
        ));
    }
    if rules.exact_lines && all_equal && k.raw != f.raw {
        c.disagreements.push(format!(
            "{path}: {}: same fields, different text:\n  Kafka: {:?}\n  filka: {:?}",
            k.locate(),
            k.raw,
            f.raw
        ));
    }
}

/// kafka-dump-log's stderr without its known quirk (tests/apache-kafka/README.md): Kafka
/// 4.4 reports `Non-consecutive offsets in FILE` / `  -1 is followed by N` for every segment
/// whose base offset N is not 0. Every other line is returned.
pub fn unexpected_stderr(stderr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = stderr.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(path) = line.strip_prefix("Non-consecutive offsets in ") {
            let base = Path::new(path)
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.parse::<i64>().ok());
            let quirk = base.map(|b| format!("  -1 is followed by {b}"));
            if quirk.is_some() && lines.peek().copied() == quirk.as_deref() {
                lines.next();
                // Any further pair of this file is a real gap.
                while let Some(next) = lines.peek() {
                    if next.starts_with("  ") {
                        out.push(format!("{line} / {next}"));
                        lines.next();
                    } else {
                        break;
                    }
                }
                continue;
            }
        }
        if !line.trim().is_empty() {
            out.push(line.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_lines_keep_keys_and_payloads_whole() {
        let e = parse_line(
            "| offset: 3 CreateTime: 17 keySize: 2 valueSize: 9 sequence: 3 headerKeys: [h1,h2] \
             key: k1 payload: a payload",
        );
        assert_eq!(e.kind(), "| offset");
        assert_eq!(e.get("headerKeys"), Some("[h1,h2]"));
        assert_eq!(e.get("key"), Some("k1"));
        assert_eq!(e.get("payload"), Some("a payload"));
        let l = parse_line(
            "| offset: 0 CreateTime: 17 keySize: 4 valueSize: 11 sequence: -1 headerKeys: [] \
             SnapshotHeader {\"version\":0,\"lastContainedLogTimestamp\":1}",
        );
        let s = parse_line("Snapshot end offset: 32, epoch: 1");
        assert_eq!(s.kind(), "Snapshot end offset");
        assert_eq!(s.get("Snapshot end offset"), Some("32"));
        assert_eq!(s.get("epoch"), Some("1"));
        assert_eq!(
            l.get("SnapshotHeader"),
            Some("{\"version\":0,\"lastContainedLogTimestamp\":1}")
        );
        let m = parse_line(
            "| offset: 5 CreateTime: 17 keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] \
             endTxnMarker: COMMIT coordinatorEpoch: 0",
        );
        assert_eq!(m.get("endTxnMarker"), Some("COMMIT"));
        assert_eq!(m.get("coordinatorEpoch"), Some("0"));
    }

    #[test]
    fn a_payload_with_a_newline_continues_on_the_next_line() {
        let files = parse_text(
            "Dumping a.log\nLog starting offset: 0\n| offset: 0 CreateTime: 1 keySize: -1 \
             valueSize: 3 sequence: -1 headerKeys: [] payload: a\nb\nbaseOffset: 1 count: 1\n",
        );
        assert_eq!(files[0].entries.len(), 3);
        assert_eq!(files[0].entries[1].get("payload"), Some("a\nb"));
    }

    #[test]
    fn only_the_known_quirk_is_dropped_from_stderr() {
        let err = "Non-consecutive offsets in /x/00000000000000000040.log\n  -1 is followed by \
                   40\nNon-consecutive offsets in /x/00000000000000000000.log\n  3 is followed \
                   by 5\n";
        assert_eq!(
            unexpected_stderr(err),
            [
                "Non-consecutive offsets in /x/00000000000000000000.log",
                "  3 is followed by 5"
            ]
        );
    }
}
