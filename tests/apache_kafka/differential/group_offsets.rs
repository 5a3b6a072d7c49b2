//! Consumer group offsets in `__consumer_offsets`: filka's read by Kafka's decoder, Kafka's
//! read by filka.

use std::collections::BTreeMap;

use super::hex;
use crate::kafka::{self, Broker, Filka};

/// One offset commit record of `__consumer_offsets`: group, topic, partition, and the
/// committed offset, leader epoch, metadata and commit time (None: a tombstone).
type Commit = (String, String, i32, Option<(i64, i32, String, i64)>);

/// The offset commits of a `__consumer_offsets` segment as Kafka's `kafka-dump-log
/// --offsets-decoder` decodes them, in log order.
fn kafka_decoded_commits(file: &std::path::Path) -> Vec<Commit> {
    let out = kafka::tool_stdin(
        "dump-log",
        &["--offsets-decoder", "--files", file.to_str().unwrap()],
        "",
    );
    let mut commits = Vec::new();
    for line in out.lines().filter(|l| l.starts_with("| offset:")) {
        let key = line.split(" key: ").nth(1).expect("a key");
        let (key, payload) = match key.split_once(" payload: ") {
            Some((k, p)) => (k, Some(p)),
            None => (key, None),
        };
        let key: serde_json::Value =
            serde_json::from_str(key).unwrap_or_else(|e| panic!("{e}: {line}"));
        if !matches!(key["type"].as_str(), Some("0" | "1")) {
            continue;
        }
        let d = &key["data"];
        let value = payload.filter(|p| *p != "null").map(|p| {
            let v: serde_json::Value =
                serde_json::from_str(p).unwrap_or_else(|e| panic!("{e}: {line}"));
            let v = &v["data"];
            (
                v["offset"].as_i64().unwrap(),
                v["leaderEpoch"].as_i64().unwrap_or(-1) as i32,
                v["metadata"].as_str().unwrap_or("").to_string(),
                v["commitTimestamp"].as_i64().unwrap(),
            )
        });
        commits.push((
            d["group"].as_str().unwrap().to_string(),
            d["topic"].as_str().unwrap().to_string(),
            d["partition"].as_i64().unwrap() as i32,
            value,
        ));
    }
    commits
}

/// The bytes `filka dump` printed as text: `\xNN`, `\n`, `\r`, `\t`, `\\` and `\u{..}`
/// escapes, the rest as it is.
fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut b = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            continue;
        }
        match chars.next() {
            Some('x') => {
                let h: String = [chars.next().unwrap(), chars.next().unwrap()]
                    .iter()
                    .collect();
                out.push(u8::from_str_radix(&h, 16).unwrap());
            }
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('\\') => out.push(b'\\'),
            Some('u') => {
                let code: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                let c = char::from_u32(u32::from_str_radix(&code, 16).unwrap()).unwrap();
                let mut b = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
            other => panic!("filka dump printed an unknown escape \\{other:?} in {s}"),
        }
    }
    out
}

/// The offset commits of a `__consumer_offsets` segment as `filka dump --print-data` shows
/// its records (it prints keys and values as escaped bytes: it has no offsets decoder),
/// decoded by filka's own schema decoder (filka::group::schema), in log order.
fn filka_decoded_commits(filka: &Filka, file: &std::path::Path) -> Vec<Commit> {
    use filka::group::schema;
    let out = filka.run(&["dump", "--print-data", file.to_str().unwrap()], "");
    let mut commits = Vec::new();
    for line in out.lines().filter(|l| l.starts_with("| offset:")) {
        let Some(key) = line.split(" key: ").nth(1) else {
            continue;
        };
        let (key, payload) = match key.split_once(" payload: ") {
            Some((k, p)) => (k, Some(p)),
            None => (key, None),
        };
        let Some(k) = schema::decode_key(&unescape(key)).unwrap_or_else(|e| panic!("{e}: {line}"))
        else {
            continue;
        };
        let value = payload.map(|p| {
            let v = schema::decode_value(&unescape(p)).unwrap_or_else(|e| panic!("{e}: {line}"));
            (v.offset, v.leader_epoch, v.metadata, v.commit_timestamp)
        });
        commits.push((k.group, k.topic, k.partition, value));
    }
    commits
}

/// Group -> (topic, partition) -> the last committed offset, from `commits`.
fn latest(commits: &[Commit]) -> BTreeMap<String, BTreeMap<(String, i32), i64>> {
    let mut out: BTreeMap<String, BTreeMap<(String, i32), i64>> = BTreeMap::new();
    for (g, t, p, v) in commits {
        let group = out.entry(g.clone()).or_default();
        match v {
            Some((o, ..)) => group.insert((t.clone(), *p), *o),
            None => group.remove(&(t.clone(), *p)),
        };
    }
    out.retain(|_, m| !m.is_empty());
    out
}

fn offsets(list: &[(&str, &[(i32, i64)])]) -> BTreeMap<String, BTreeMap<(String, i32), i64>> {
    list.iter()
        .map(|(g, ps)| {
            let m = ps
                .iter()
                .map(|(p, o)| (("events".to_string(), *p), *o))
                .collect();
            (g.to_string(), m)
        })
        .collect()
}

/// Consumer group offsets written by filka (a group member's commit at exit, `group
/// commit`, `group reset-offsets --execute`) read by Kafka's own decoder (`kafka-dump-log
/// --offsets-decoder` over filka's `__consumer_offsets` segments); and the reverse: offsets
/// a Kafka broker committed (`kafka-consumer-groups --reset-offsets --execute`, a console
/// consumer in a group) read from its stopped node's segments with `filka dump
/// --print-data` and filka's decoder. Both decoders agree on every record, field by field,
/// and the last offsets are the ones committed.
#[test]
#[ignore = "needs Java 17 and Maven: .ci/run's apache-kafka step runs it"]
fn group_offsets_read_both_ways() {
    // filka writes, Kafka reads.
    let filka = Filka::new();
    filka.run(&["topic", "create", "events", "-p", "2", "-r", "1"], "");
    filka.run(
        &["produce", "-t", "events", "-p", "0"],
        "a\nb\nc\nd\ne\nf\n",
    );
    filka.run(&["produce", "-t", "events", "-p", "1"], "g\nh\ni\nj\n");
    filka.run(
        &["consume", "-t", "events", "-g", "fg1", "-o", "beginning"],
        "",
    );
    let segment = |g: &str| {
        filka.data().join(format!(
            "broker-101/__consumer_offsets-{}/00000000000000000000.log",
            filka::group::offsets::partition_for(g)
        ))
    };
    let both = |files: &[std::path::PathBuf]| {
        let mut k = Vec::new();
        let mut f = Vec::new();
        for file in files {
            k.extend(kafka_decoded_commits(file));
            f.extend(filka_decoded_commits(&filka, file));
        }
        assert_eq!(
            k, f,
            "Kafka's decoder (left) and filka's (right) on filka's records"
        );
        assert!(!k.is_empty(), "no offset commit found in {files:?}");
        latest(&k)
    };
    assert_eq!(
        both(&[segment("fg1")]),
        offsets(&[("fg1", &[(0, 6), (1, 4)])]),
        "a member's commit at exit"
    );
    filka.run(
        &[
            "group", "commit", "fg2", "-t", "events", "-p", "0", "-o", "3",
        ],
        "",
    );
    filka.run(
        &[
            "group", "commit", "fg2", "-t", "events", "-p", "1", "-o", "1",
        ],
        "",
    );
    filka.run(
        &[
            "group",
            "reset-offsets",
            "fg1",
            "-t",
            "events",
            "--to-offset",
            "2",
            "--execute",
        ],
        "",
    );
    let mut files = vec![segment("fg1"), segment("fg2")];
    files.dedup();
    assert_eq!(
        both(&files),
        offsets(&[("fg1", &[(0, 2), (1, 2)]), ("fg2", &[(0, 3), (1, 1)])]),
        "group commit and reset-offsets"
    );

    // Kafka writes, filka reads.
    let mut broker = Broker::start(1);
    broker.create_topic("events", 2, &[]);
    let input: String = (0..10)
        .map(|i| {
            format!(
                "-\t{}\t{}\t-\n",
                hex(format!("v{i}").as_bytes()),
                u32::from(i >= 6)
            )
        })
        .collect();
    kafka::tool_stdin("produce", &[&broker.bootstrap, "events", "--sync"], &input);
    broker.admin(
        "consumer-groups",
        &[
            "--group",
            "kg1",
            "--topic",
            "events",
            "--reset-offsets",
            "--to-offset",
            "3",
            "--execute",
        ],
    );
    broker.admin(
        "consumer-groups",
        &[
            "--group",
            "kg2",
            "--topic",
            "events:1",
            "--reset-offsets",
            "--to-earliest",
            "--execute",
        ],
    );
    broker.admin(
        "console-consumer",
        &[
            "--group",
            "kg3",
            "--topic",
            "events",
            "--from-beginning",
            "--max-messages",
            "10",
            "--timeout-ms",
            "30000",
        ],
    );
    broker.stop();
    let mut k = Vec::new();
    let mut f = Vec::new();
    let mut files: Vec<std::path::PathBuf> = ["kg1", "kg2", "kg3"]
        .iter()
        .map(|g| {
            // kafka.sh's nodes have 3 __consumer_offsets partitions.
            broker.log_dir(101).join(format!(
                "__consumer_offsets-{}/00000000000000000000.log",
                filka::record::hash::coordinator_partition(g, 3)
            ))
        })
        .collect();
    files.sort();
    files.dedup();
    for file in &files {
        k.extend(kafka_decoded_commits(file));
        f.extend(filka_decoded_commits(&filka, file));
    }
    eprintln!("Kafka's commits: {k:?}");
    assert_eq!(
        k, f,
        "Kafka's decoder (left) and filka's (right) on Kafka's records"
    );
    assert_eq!(
        latest(&f),
        offsets(&[
            ("kg1", &[(0, 3), (1, 3)]),
            ("kg2", &[(1, 0)]),
            ("kg3", &[(0, 6), (1, 4)]),
        ]),
        "the offsets Kafka committed, as filka reads them"
    );
}
