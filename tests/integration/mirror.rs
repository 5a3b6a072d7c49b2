//! `filka mirror` against librdkafka's mock cluster (`rdkafka::mocking::MockCluster`, 3
//! brokers, running inside this test process and reached by the filka child process over
//! TCP on 127.0.0.1), read back with an rdkafka consumer. Only in builds with the `kafka`
//! feature; without it, one test checks that `mirror` says how to get it.

use super::harness::TestCluster;

#[cfg(not(feature = "kafka"))]
#[test]
fn without_the_kafka_feature_mirror_says_how_to_build_it() {
    let c = TestCluster::new();
    let a = c
        .run(["mirror", "--to-kafka", "localhost:9092", "-t", "demo"])
        .failure()
        .code(2);
    let err = super::harness::stderr_lines(&a);
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(
        err[0].contains("cargo build --release --features kafka"),
        "{err:?}"
    );
}

#[cfg(feature = "kafka")]
mod with_kafka {
    use std::collections::BTreeMap;
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use base64::Engine;
    use filka::client::consumer::{Consumer, Poll, StartOffset};
    use filka::group::offsets;
    use filka::record::hash::partition_for_key;
    use rdkafka::config::ClientConfig;
    use rdkafka::consumer::{BaseConsumer, Consumer as _};
    use rdkafka::error::KafkaError;
    use rdkafka::message::{Headers, Message};
    use rdkafka::mocking::MockCluster;
    use rdkafka::producer::DefaultProducerContext;
    use rdkafka::{Offset, TopicPartitionList};
    use serde_json::{Value, json};

    use super::TestCluster;
    use crate::harness::{FILKA, FIXED_TIMESTAMP, stderr_lines, stdout_text};

    const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

    /// One record as both sides can be compared on.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Rec {
        partition: u32,
        offset: i64,
        timestamp: i64,
        key: Option<Vec<u8>>,
        value: Option<Vec<u8>>,
        headers: Vec<Header>,
    }

    /// A header as both sides can be compared on: key bytes, value (null or bytes).
    type Header = (Vec<u8>, Option<Vec<u8>>);

    type Mock = MockCluster<'static, DefaultProducerContext>;

    /// A 3-broker mock cluster with `topics` (name, partitions) created.
    fn mock(topics: &[(&str, i32)]) -> Mock {
        let m = MockCluster::new(3).expect("start the mock cluster");
        for (t, n) in topics {
            m.create_topic(t, *n, 3).expect("create a mock topic");
        }
        m
    }

    /// Deterministic bytes with zeros and 0xff in them.
    fn binary(i: usize, len: usize) -> Vec<u8> {
        let mut x = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..len)
            .map(|j| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                match j % 9 {
                    0 => 0,
                    4 => 0xff,
                    _ => x as u8,
                }
            })
            .collect()
    }

    /// Record `i` of the 10,000-record data set, as a `produce --input-format envelope`
    /// line: keys text, binary or null; values text, empty, binary or null (tombstones);
    /// headers none, one, binary with a null-valued one, or a repeated key.
    fn envelope(i: usize) -> Value {
        let mut o = serde_json::Map::new();
        match i % 10 {
            0 => {}
            1 => {
                o.insert("key".into(), json!(B64.encode(binary(i, 4))));
                o.insert("key_encoding".into(), json!("base64"));
            }
            _ => {
                o.insert("key".into(), json!(format!("user-{}", i % 97)));
            }
        }
        if i.is_multiple_of(13) {
            // null value: a tombstone
        } else if i.is_multiple_of(3) {
            o.insert("value".into(), json!(B64.encode(binary(i, i % 64))));
            o.insert("value_encoding".into(), json!("base64"));
        } else if i.is_multiple_of(7) {
            o.insert("value".into(), json!(""));
        } else {
            o.insert("value".into(), json!(format!("value {i} ünïcode")));
        }
        o.insert(
            "timestamp".into(),
            json!(FIXED_TIMESTAMP - 1_000_000 + i as i64),
        );
        let headers = match i % 4 {
            0 => json!([]),
            1 => json!([{"key": "trace", "value": format!("t{i}")}]),
            2 => json!([
                {"key": "bin", "value": B64.encode(binary(i + 1, 9)), "value_encoding": "base64"},
                {"key": "null", "value": null}
            ]),
            _ => json!([{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]),
        };
        o.insert("headers".into(), headers);
        Value::Object(o)
    }

    /// Local topic `topic` (3 partitions) with the 10,000 records, a quarter produced with
    /// each codec.
    fn produce_dataset(c: &TestCluster, topic: &str) {
        c.run(["topic", "create", topic, "-p", "3"]).success();
        for (chunk, codec) in ["gzip", "snappy", "lz4", "zstd"].iter().enumerate() {
            let mut input = String::new();
            for i in chunk * 2500..(chunk + 1) * 2500 {
                input.push_str(&envelope(i).to_string());
                input.push('\n');
            }
            c.cmd()
                .args([
                    "produce",
                    "-t",
                    topic,
                    "--input-format",
                    "envelope",
                    "-z",
                    codec,
                ])
                .write_stdin(input)
                .assert()
                .success();
        }
    }

    /// `filka --cluster C ARGS...` running in the background (stderr kept for the test).
    fn spawn(c: &TestCluster, args: &[&str]) -> std::process::Child {
        Command::new(FILKA)
            .arg("--cluster")
            .arg(c.data())
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Every record of a local topic, in partition and offset order.
    fn local_records(c: &TestCluster, topic: &str) -> Vec<Rec> {
        let mut consumer = Consumer::new(c.cluster(), topic, None, StartOffset::Beginning, false)
            .expect("local consumer");
        let mut out = Vec::new();
        loop {
            let polled = consumer
                .poll(&mut |f| {
                    let r = &f.record;
                    out.push(Rec {
                        partition: f.partition,
                        offset: r.offset,
                        timestamp: r.timestamp,
                        key: r.key.map(<[u8]>::to_vec),
                        value: r.value.map(<[u8]>::to_vec),
                        headers: r
                            .headers()
                            .map(|(k, v)| (k.to_vec(), v.map(<[u8]>::to_vec)))
                            .collect(),
                    });
                    Ok(())
                })
                .expect("poll");
            if polled == Poll::End {
                break;
            }
        }
        out.sort_by_key(|r| (r.partition, r.offset));
        out
    }

    /// An rdkafka consumer; `group` only names whose commits to read (it never commits).
    fn kafka_consumer(bootstrap: &str, group: &str) -> BaseConsumer {
        ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .set("group.id", group)
            .set("enable.partition.eof", "true")
            .set("enable.auto.commit", "false")
            .create()
            .expect("rdkafka consumer")
    }

    fn partitions(consumer: &BaseConsumer, topic: &str) -> i32 {
        let md = consumer
            .fetch_metadata(Some(topic), Duration::from_secs(10))
            .expect("metadata");
        md.topics()[0].partitions().len() as i32
    }

    /// Every record of a Kafka topic, in partition and offset order, read with rdkafka.
    fn kafka_records(bootstrap: &str, topic: &str) -> Vec<Rec> {
        let consumer = kafka_consumer(bootstrap, "filka-test-reader");
        let n = partitions(&consumer, topic);
        let mut tpl = TopicPartitionList::new();
        for p in 0..n {
            tpl.add_partition_offset(topic, p, Offset::Beginning)
                .unwrap();
        }
        consumer.assign(&tpl).unwrap();
        let mut at_end = vec![false; n as usize];
        let mut out = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while !at_end.iter().all(|&e| e) {
            assert!(
                Instant::now() < deadline,
                "reading {topic} back took too long"
            );
            match consumer.poll(Duration::from_millis(100)) {
                None => {}
                Some(Err(KafkaError::PartitionEOF(p))) => at_end[p as usize] = true,
                Some(Err(e)) => panic!("reading {topic}: {e}"),
                Some(Ok(m)) => {
                    at_end[m.partition() as usize] = false;
                    out.push(Rec {
                        partition: m.partition() as u32,
                        offset: m.offset(),
                        timestamp: m.timestamp().to_millis().unwrap_or(-1),
                        key: m.key().map(<[u8]>::to_vec),
                        value: m.payload().map(<[u8]>::to_vec),
                        headers: m
                            .headers()
                            .map(|h| {
                                h.iter()
                                    .map(|x| {
                                        (x.key.as_bytes().to_vec(), x.value.map(<[u8]>::to_vec))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    });
                }
            }
        }
        out.sort_by_key(|r| (r.partition, r.offset));
        out
    }

    /// Kafka group `group`'s committed offsets for `topic`, by partition.
    fn kafka_committed(bootstrap: &str, group: &str, topic: &str) -> BTreeMap<i32, i64> {
        let consumer = kafka_consumer(bootstrap, group);
        let n = partitions(&consumer, topic);
        let mut tpl = TopicPartitionList::new();
        for p in 0..n {
            tpl.add_partition(topic, p);
        }
        let got = consumer
            .committed_offsets(tpl, Duration::from_secs(10))
            .expect("committed offsets");
        got.elements()
            .iter()
            .filter_map(|e| match e.offset() {
                Offset::Offset(o) => Some((e.partition(), o)),
                _ => None,
            })
            .collect()
    }

    /// The local group's committed offsets for `topic`, by partition.
    fn local_committed(c: &TestCluster, group: &str, topic: &str) -> BTreeMap<u32, i64> {
        offsets::read(&c.cluster(), group)
            .expect("read offsets")
            .into_iter()
            .filter(|((t, _), _)| t == topic)
            .map(|((_, p), v)| (p, v.offset))
            .collect()
    }

    fn assert_same(local: &[Rec], remote: &[Rec]) {
        assert_eq!(local.len(), remote.len(), "record counts differ");
        for (l, r) in local.iter().zip(remote) {
            assert_eq!(l, r, "record {}-{} differs", l.partition, l.offset);
        }
    }

    /// The data set in a local topic `src`, mirrored into a mock cluster that has `src`
    /// with 3 partitions; returns the local records.
    fn mirrored_dataset(c: &TestCluster, m: &Mock) -> Vec<Rec> {
        produce_dataset(c, "src");
        let a = c
            .run(["mirror", "--to-kafka", &m.bootstrap_servers(), "-t", "src"])
            .success();
        let err = stderr_lines(&a);
        for p in 0..3 {
            let line = err
                .iter()
                .rev()
                .find(|l| l.starts_with(&format!("filka mirror: src-{p} -> kafka src: ")))
                .unwrap_or_else(|| panic!("no progress line for src-{p}: {err:?}"));
            assert!(line.ends_with(", lag 0"), "{line}");
        }
        assert!(
            err.last()
                .unwrap()
                .contains("10000 records of 1 topic(s), 3 partition(s)"),
            "{err:?}"
        );
        let local = local_records(c, "src");
        assert_eq!(local.len(), 10_000);
        local
    }

    /// The data set with every codec goes to Kafka record by record: same partitions,
    /// offsets, timestamps, keys, values (null, empty, binary) and headers; the local group
    /// committed every partition's end.
    #[test]
    fn local_to_kafka_keeps_every_record_as_it_was() {
        let c = TestCluster::new();
        let m = mock(&[("src", 3)]);
        let local = mirrored_dataset(&c, &m);
        assert!(local.iter().any(|r| r.key.is_none()));
        assert!(local.iter().any(|r| r.value.is_none()));
        assert!(local.iter().any(|r| r.value.as_deref() == Some(b"")));
        assert!(
            local
                .iter()
                .any(|r| r.headers.iter().any(|(_, v)| v.is_none()))
        );
        let remote = kafka_records(&m.bootstrap_servers(), "src");
        assert_same(&local, &remote);

        let committed = local_committed(&c, "filka-mirror", "src");
        for p in 0..3u32 {
            let end = local.iter().filter(|r| r.partition == p).count() as i64;
            assert_eq!(committed.get(&p), Some(&end), "partition {p}");
        }

        // Run again: nothing new, nothing sent twice.
        c.run(["mirror", "--to-kafka", &m.bootstrap_servers(), "-t", "src"])
            .success();
        assert_eq!(kafka_records(&m.bootstrap_servers(), "src").len(), 10_000);
    }

    /// Mirrored to Kafka and back into a fresh cluster (which the mirror creates the topic
    /// in): `dump --verify` is clean on every segment and index, the records are the
    /// originals, and the Kafka group committed the ends. A second copy into a topic that
    /// exists with compression.type=zstd is equal too.
    #[test]
    fn kafka_to_local_round_trips_into_a_fresh_cluster() {
        let c = TestCluster::new();
        let m = mock(&[("src", 3)]);
        let boot = m.bootstrap_servers();
        let original = mirrored_dataset(&c, &m);

        let fresh = TestCluster::new();
        let a = fresh
            .run([
                "mirror",
                "--from-kafka",
                &boot,
                "-t",
                "src",
                "--group",
                "back",
            ])
            .success();
        let err = stderr_lines(&a);
        assert!(
            err.iter()
                .any(|l| l.contains("created local topic src: 3 partitions")),
            "{err:?}"
        );
        assert_same(&original, &local_records(&fresh, "src"));
        let committed = kafka_committed(&boot, "back", "src");
        for p in 0..3 {
            let end = original.iter().filter(|r| r.partition == p as u32).count() as i64;
            assert_eq!(
                committed.get(&p),
                Some(&end),
                "partition {p}: {committed:?}"
            );
        }

        fresh
            .run([
                "topic",
                "create",
                "src-zstd",
                "-p",
                "3",
                "--config",
                "compression.type=zstd",
            ])
            .success();
        fresh
            .run([
                "mirror",
                "--from-kafka",
                &boot,
                "-t",
                "src",
                "--rename",
                "src=src-zstd",
                "--group",
                "back-zstd",
                "-q",
            ])
            .success();
        let copy = local_records(&fresh, "src-zstd");
        assert_same(&original, &copy);

        let mut files = Vec::new();
        for entry in walk(&fresh.data()) {
            let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let parent = entry
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str());
            if parent.is_some_and(|d| d.starts_with("src-"))
                && [".log", ".index", ".timeindex"]
                    .iter()
                    .any(|x| name.ends_with(x))
            {
                files.push(entry);
            }
        }
        assert!(files.len() >= 2 * 3 * 3 * 3, "{files:?}");
        let mut cmd = fresh.cmd();
        cmd.arg("dump").arg("--verify").args(&files);
        let out = cmd.assert().success();
        assert!(
            !stdout_text(&out).contains("mismatch"),
            "{}",
            stdout_text(&out)
        );
    }

    fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    /// A mirror killed with SIGKILL halfway resumes from its last commit: every record gets
    /// to Kafka, each partition is the source's records with at most one --batch repeated.
    /// Produces one record with header keys `keys` (any bytes) and value `v` to partition 0.
    /// Through librdkafka's C API: rdkafka's Rust API takes header keys as `&str` only, while
    /// a non-Java client may write any bytes into a broker.
    #[allow(unsafe_code)]
    fn produce_raw_headers(bootstrap: &str, topic: &str, keys: &[&[u8]], v: &[u8]) {
        use rdkafka::bindings as rdsys;
        use rdkafka::producer::{BaseProducer, Producer as _};
        use std::ffi::{CString, c_void};
        let producer: BaseProducer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .create()
            .expect("an rdkafka producer");
        let topic = CString::new(topic).unwrap();
        let names: Vec<CString> = keys.iter().map(|k| CString::new(*k).unwrap()).collect();
        let vu = |vtype, u| rdsys::rd_kafka_vu_t { vtype, u };
        use rdsys::rd_kafka_vtype_t as T;
        use rdsys::rd_kafka_vu_s__bindgen_ty_1 as U;
        let mut vus = vec![
            vu(
                T::RD_KAFKA_VTYPE_TOPIC,
                U {
                    cstr: topic.as_ptr(),
                },
            ),
            vu(T::RD_KAFKA_VTYPE_PARTITION, U { i32_: 0 }),
            vu(
                T::RD_KAFKA_VTYPE_VALUE,
                U {
                    mem: rdsys::rd_kafka_vu_s__bindgen_ty_1__bindgen_ty_1 {
                        ptr: v.as_ptr() as *mut c_void,
                        size: v.len(),
                    },
                },
            ),
        ];
        for n in &names {
            vus.push(vu(
                T::RD_KAFKA_VTYPE_HEADER,
                U {
                    header: rdsys::rd_kafka_vu_s__bindgen_ty_1__bindgen_ty_2 {
                        name: n.as_ptr(),
                        val: b"h".as_ptr().cast(),
                        size: 1,
                    },
                },
            ));
        }
        // SAFETY: every pointer in `vus` points at data alive until the call returns;
        // librdkafka copies the topic name, value and headers (no RD_KAFKA_MSG_F_FREE).
        let err = unsafe {
            rdsys::rd_kafka_produceva(producer.client().native_ptr(), vus.as_ptr(), vus.len())
        };
        assert!(err.is_null(), "rd_kafka_produceva failed");
        producer.flush(Duration::from_secs(10)).expect("flush");
    }

    /// A header key that is not UTF-8 in Kafka is copied as its bytes: rdkafka's own header
    /// iterator would panic on it (the panic was caught, but its message reached stderr and
    /// the mirror stopped).
    #[test]
    fn header_keys_that_are_not_utf8_are_copied_as_bytes() {
        let c = TestCluster::new();
        let m = mock(&[("raw", 1)]);
        let boot = m.bootstrap_servers();
        produce_raw_headers(&boot, "raw", &[b"\xff\xfe-key", b"plain"], b"value-0");
        let a = c
            .run(["mirror", "--from-kafka", &boot, "-t", "raw", "-q"])
            .success();
        let err = stderr_lines(&a);
        assert!(!err.iter().any(|l| l.contains("panick")), "{err:?}");
        let got = local_records(&c, "raw");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].value.as_deref(), Some(&b"value-0"[..]));
        let h: Vec<(Vec<u8>, Option<Vec<u8>>)> = vec![
            (b"\xff\xfe-key".to_vec(), Some(b"h".to_vec())),
            (b"plain".to_vec(), Some(b"h".to_vec())),
        ];
        assert_eq!(got[0].headers, h);
    }

    #[test]
    fn a_killed_mirror_resumes_without_loss() {
        const BATCH: usize = 300;
        let c = TestCluster::new();
        c.run(["topic", "create", "kr", "-p", "3"]).success();
        let input: String = (0..10_000)
            .map(|i| format!("k{}\tv{i}\n", i % 101))
            .collect();
        c.cmd()
            .args(["produce", "-t", "kr", "-K", "\\t"])
            .write_stdin(input)
            .assert()
            .success();
        let m = mock(&[("kr", 3)]);
        // Slow brokers: each acknowledged batch takes a while, so the kill lands halfway.
        for b in 1..=3 {
            m.broker_round_trip_time(b, Duration::from_millis(100))
                .unwrap();
        }
        let boot = m.bootstrap_servers();
        let batch = BATCH.to_string();
        let args = [
            "mirror",
            "--to-kafka",
            &boot,
            "-t",
            "kr",
            "--batch",
            &batch,
            "-q",
        ];
        let mut child = spawn(&c, &args);
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let total: i64 = local_committed(&c, "filka-mirror", "kr").values().sum();
            if total >= 2_000 {
                break;
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "the mirror finished before it could be killed"
            );
            assert!(Instant::now() < deadline, "no commit within two minutes");
            std::thread::sleep(Duration::from_millis(20));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let at_kill = local_committed(&c, "filka-mirror", "kr");
        let total_at_kill: i64 = at_kill.values().sum();
        assert!(total_at_kill < 10_000, "killed too late: {at_kill:?}");

        c.run(args).success();
        let local = local_records(&c, "kr");
        let remote = kafka_records(&boot, "kr");
        let mut repeated = 0;
        for p in 0..3u32 {
            let l: Vec<&Rec> = local.iter().filter(|r| r.partition == p).collect();
            let r: Vec<&Rec> = remote.iter().filter(|r| r.partition == p).collect();
            let resumed_at = at_kill.get(&p).copied().unwrap_or(0) as usize;
            // Kafka holds l[..sent] (sent before the kill), then l[resumed_at..] again.
            let sent = r.len() - (l.len() - resumed_at);
            assert!(sent >= resumed_at, "partition {p}: records lost");
            let same = |a: &Rec, b: &Rec| (&a.key, &a.value) == (&b.key, &b.value);
            for (i, rec) in r.iter().enumerate() {
                let want = if i < sent {
                    l[i]
                } else {
                    l[resumed_at + i - sent]
                };
                assert!(
                    same(rec, want),
                    "partition {p} record {i}: {rec:?} != {want:?}"
                );
            }
            repeated += sent - resumed_at;
        }
        eprintln!("killed at {at_kill:?} committed; {repeated} records sent twice");
        assert!(repeated <= BATCH, "{repeated} records sent twice");
        assert_eq!(
            local_committed(&c, "filka-mirror", "kr")
                .values()
                .sum::<i64>(),
            10_000
        );
    }

    /// Fewer target partitions: keyed records go by murmur2 of the key, null-keyed ones to
    /// partition % count. A topic the mock does not have is auto-created (4 partitions:
    /// enough, so partitions are kept), and the mirror says so.
    #[test]
    fn fewer_partitions_go_by_key_and_missing_topics_are_created() {
        let c = TestCluster::new();
        c.run(["topic", "create", "wide", "-p", "3"]).success();
        let input: String = (0..600)
            .map(|i| {
                if i % 5 == 0 {
                    format!("v{i}\n")
                } else {
                    format!("k{i}\tv{i}\n")
                }
            })
            .collect();
        c.cmd()
            .args(["produce", "-t", "wide", "-K", "\\t"])
            .write_stdin(input)
            .assert()
            .success();
        let m = mock(&[("narrow", 2)]);
        let boot = m.bootstrap_servers();
        let a = c
            .run([
                "mirror",
                "--to-kafka",
                &boot,
                "-t",
                "wide",
                "--rename",
                "wide=narrow",
                "-X",
                "compression.type=lz4",
            ])
            .success();
        let err = stderr_lines(&a);
        assert!(
            err.iter()
                .any(|l| l.contains("narrow has 2 partitions on Kafka, wide has 3")),
            "{err:?}"
        );
        let local = local_records(&c, "wide");
        let remote = kafka_records(&boot, "narrow");
        assert_eq!(remote.len(), local.len());
        let mut by_value: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
        for r in &remote {
            by_value.insert(r.value.clone().unwrap(), r.partition);
        }
        for l in &local {
            let want = match &l.key {
                Some(k) => partition_for_key(k, 2),
                None => l.partition % 2,
            };
            assert_eq!(by_value[l.value.as_ref().unwrap()], want, "{l:?}");
        }

        let a = c
            .run(["mirror", "--to-kafka", &boot, "-t", "wide", "--group", "g2"])
            .success();
        let err = stderr_lines(&a);
        assert!(
            err.iter()
                .any(|l| l.contains("the broker auto-created it with 4 partitions")),
            "{err:?}"
        );
        assert_same(&local, &kafka_records(&boot, "wide"));
    }

    /// --follow keeps going: records produced while it runs reach Kafka.
    #[test]
    fn follow_mirrors_new_records() {
        let c = TestCluster::new();
        c.run(["topic", "create", "live", "-p", "3"]).success();
        c.cmd()
            .args(["produce", "-t", "live"])
            .write_stdin("first\n")
            .assert()
            .success();
        let m = mock(&[("live", 3)]);
        let boot = m.bootstrap_servers();
        let mut child = spawn(
            &c,
            &[
                "mirror",
                "--to-kafka",
                &boot,
                "-t",
                "live",
                "--follow",
                "-q",
            ],
        );
        let input: String = (0..50).map(|i| format!("later {i}\n")).collect();
        c.cmd()
            .args(["produce", "-t", "live"])
            .write_stdin(input)
            .assert()
            .success();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let n = kafka_records(&boot, "live").len();
            if n == 51 {
                break;
            }
            assert!(child.try_wait().unwrap().is_none(), "--follow exited");
            assert!(Instant::now() < deadline, "only {n} of 51 records arrived");
            std::thread::sleep(Duration::from_millis(100));
        }
        // Ctrl-C stops it cleanly: exit 0, and where it got to is committed.
        Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < deadline, "no exit after SIGINT");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(status.success(), "{status:?}");
        let committed: i64 = local_committed(&c, "filka-mirror", "live").values().sum();
        assert_eq!(committed, 51);
    }

    /// Confluent-framed values are mirrored byte for byte; their schema ids are printed
    /// with the local registry's subject and version.
    #[test]
    fn confluent_framed_values_stay_framed_and_their_subjects_are_printed() {
        let c = TestCluster::new();
        let schema =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schemas/truck_position.avsc");
        c.run(["topic", "create", "trucks", "-p", "1"]).success();
        c.cmd()
            .args(["schema", "register", "trucks-value", "--file"])
            .arg(&schema)
            .assert()
            .success();
        let framed = |payload: &[u8]| {
            let mut v = vec![0, 0, 0, 0, 1];
            v.extend_from_slice(payload);
            json!({"value": B64.encode(v), "value_encoding": "base64"}).to_string()
        };
        let input = format!("{}\n{}\n", framed(b"\x02ab"), framed(b"\x04cd"));
        c.cmd()
            .args(["produce", "-t", "trucks", "--input-format", "envelope"])
            .write_stdin(input)
            .assert()
            .success();
        let m = mock(&[("trucks", 1)]);
        let a = c
            .run([
                "mirror",
                "--to-kafka",
                &m.bootstrap_servers(),
                "-t",
                "trucks",
            ])
            .success();
        assert_eq!(
            stdout_text(&a),
            "trucks values: schema id 1 AVRO: trucks-value version 1\n"
        );
        assert!(
            stderr_lines(&a)
                .iter()
                .any(|l| l.contains("Confluent-framed") && l.contains("IMPORT mode")),
            "{:?}",
            stderr_lines(&a)
        );
        assert_same(
            &local_records(&c, "trucks"),
            &kafka_records(&m.bootstrap_servers(), "trucks"),
        );
    }

    /// Errors from the Kafka side: one line naming the broker and the setting to check,
    /// exit 11; a -X setting librdkafka does not know is a usage error naming it.
    #[test]
    fn remote_errors_are_one_line_naming_the_broker_and_the_setting() {
        let c = TestCluster::new();
        c.run(["topic", "create", "t", "-p", "1"]).success();
        c.cmd()
            .args(["produce", "-t", "t"])
            .write_stdin("x\n")
            .assert()
            .success();

        let one_line = |a: &assert_cmd::assert::Assert| {
            let err = stderr_lines(a);
            assert_eq!(err.len(), 1, "{err:?}");
            err[0].clone()
        };

        // Unreachable.
        let a = c
            .run([
                "mirror",
                "--to-kafka",
                "127.0.0.1:1",
                "-t",
                "t",
                "--timeout-ms",
                "1000",
            ])
            .failure()
            .code(11);
        let line = one_line(&a);
        assert!(line.starts_with("filka: Kafka at 127.0.0.1:1: "), "{line}");
        assert!(line.contains("check bootstrap.servers"), "{line}");

        let m = mock(&[("t", 1), ("denied", 1)]);
        let boot = m.bootstrap_servers();

        // Unknown topic on the Kafka side.
        let a = c
            .run(["mirror", "--from-kafka", &boot, "-t", "nosuch"])
            .failure()
            .code(11);
        let line = one_line(&a);
        assert!(line.contains(&format!("Kafka at {boot}")), "{line}");
        assert!(line.contains("check -t"), "{line}");

        // Not authorised.
        m.topic_error(
            "denied",
            rdkafka::types::RDKafkaRespErr::RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
        )
        .unwrap();
        let a = c
            .run([
                "mirror",
                "--to-kafka",
                &boot,
                "-t",
                "t",
                "--rename",
                "t=denied",
            ])
            .failure()
            .code(11);
        let line = one_line(&a);
        eprintln!("{line}");
        assert!(line.contains("authorization failed"), "{line}");
        assert!(line.contains("sasl.username"), "{line}");

        // A setting librdkafka does not have.
        let a = c
            .run([
                "mirror",
                "--to-kafka",
                &boot,
                "-t",
                "t",
                "-X",
                "no.such.setting=1",
            ])
            .failure()
            .code(2);
        assert!(one_line(&a).contains("-X no.such.setting"));
        // Nothing was committed by the failed runs.
        assert!(local_committed(&c, "filka-mirror", "t").is_empty());
    }

    /// Regression tests of the mirror audit (issue 9, review 9).
    mod audit {
        use filka::client::producer::{Producer, ProducerConfig, ProducerRecord};

        use super::*;

        fn send(p: &mut Producer, value: &str) {
            p.send(&ProducerRecord {
                value: Some(value.as_bytes()),
                partition: Some(0),
                ..ProducerRecord::default()
            })
            .expect("send");
        }

        /// Broke: the local source was read read_uncommitted, so records of an aborted
        /// transaction (and of one still open) were copied into Kafka, where every consumer
        /// sees them as ordinary records. MirrorMaker reads read_committed; so must we.
        #[test]
        fn aborted_transactions_in_the_local_source_are_not_mirrored() {
            let c = TestCluster::new();
            c.run(["topic", "create", "tx", "-p", "1"]).success();
            let mut p = Producer::new(c.cluster(), "tx", ProducerConfig::default()).unwrap();
            p.init_transactions("audit-tx", 60_000).unwrap();
            send(&mut p, "aborted-1");
            send(&mut p, "aborted-2");
            p.flush().unwrap();
            assert!(!p.abort_transaction().unwrap());
            send(&mut p, "committed");
            p.commit_transaction().unwrap();
            p.close().unwrap();

            let m = mock(&[("tx", 1)]);
            let boot = m.bootstrap_servers();
            c.run(["mirror", "--to-kafka", &boot, "-t", "tx", "-q"])
                .success();
            let values: Vec<Option<Vec<u8>>> = kafka_records(&boot, "tx")
                .into_iter()
                .map(|r| r.value)
                .collect();
            assert_eq!(values, vec![Some(b"committed".to_vec())]);
        }

        /// Empty keys and empty header values are not null ones, in both directions.
        #[test]
        fn empty_keys_and_header_values_stay_empty_both_ways() {
            let c = TestCluster::new();
            c.run(["topic", "create", "e", "-p", "1"]).success();
            let mut p = Producer::new(c.cluster(), "e", ProducerConfig::default()).unwrap();
            let headers: Vec<(&[u8], Option<&[u8]>)> = vec![
                (b"empty", Some(b"")),
                (b"null", None),
                (b"empty", Some(b"x")),
            ];
            p.send(&ProducerRecord {
                key: Some(b""),
                value: Some(b""),
                headers: &headers,
                partition: Some(0),
                ..ProducerRecord::default()
            })
            .unwrap();
            p.send(&ProducerRecord {
                partition: Some(0),
                ..ProducerRecord::default()
            })
            .unwrap();
            p.close().unwrap();
            let m = mock(&[("e", 1)]);
            let boot = m.bootstrap_servers();
            c.run(["mirror", "--to-kafka", &boot, "-t", "e", "-q"])
                .success();
            let got: Vec<_> = kafka_records(&boot, "e")
                .into_iter()
                .map(|r| (r.partition, r.key, r.value, r.headers))
                .collect();
            // Partition, key, value, headers: what the test sets (not offsets or times).
            type Fields = (u32, Option<Vec<u8>>, Option<Vec<u8>>, Vec<Header>);
            let want: Vec<Fields> = vec![
                (
                    0,
                    Some(vec![]),
                    Some(vec![]),
                    vec![
                        (b"empty".to_vec(), Some(vec![])),
                        (b"null".to_vec(), None),
                        (b"empty".to_vec(), Some(b"x".to_vec())),
                    ],
                ),
                (0, None, None, vec![]),
            ];
            assert_eq!(got, want);

            let back = TestCluster::new();
            back.run(["mirror", "--from-kafka", &boot, "-t", "e", "-q"])
                .success();
            let out = back.consume_ok(["-t", "e", "--output", "json"]);
            let lines: Vec<serde_json::Value> = String::from_utf8(out)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            assert_eq!(lines.len(), 2, "{lines:?}");
            assert_eq!(lines[0]["key"], "", "{lines:?}");
            assert_eq!(lines[0]["value"], "", "{lines:?}");
            assert!(lines[1]["key"].is_null(), "{lines:?}");
            assert!(lines[1]["value"].is_null(), "{lines:?}");
            let h = &lines[0]["headers"];
            assert_eq!(h[0]["value"], "", "{lines:?}");
            assert!(h[1]["value"].is_null(), "{lines:?}");
        }

        /// A delivery the target refuses stops the mirror with exit 11, naming the setting,
        /// and commits nothing past it.
        #[test]
        fn a_refused_delivery_stops_the_mirror_and_commits_nothing() {
            use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
            let c = TestCluster::new();
            c.run(["topic", "create", "d", "-p", "1"]).success();
            c.produce("d", "a\nb\nc\n", &[]).success();
            let m = mock(&[("d", 1)]);
            m.request_errors(
                RDKafkaApiKey::Produce,
                &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE; 50],
            );
            let boot = m.bootstrap_servers();
            let a = c
                .run(["mirror", "--to-kafka", &boot, "-t", "d", "--batch", "1"])
                .failure()
                .code(11);
            let err = stderr_lines(&a);
            let last = err.last().unwrap();
            assert!(last.contains("max.message.bytes"), "{err:?}");
            let committed = filka::group::offsets::read(&c.cluster(), "filka-mirror").unwrap();
            assert!(committed.is_empty(), "{committed:?}");
        }
    }

    mod audit_follow {
        use std::process::Child;

        use super::*;

        fn stop(mut child: Child) {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while child.try_wait().unwrap().is_none() {
                if Instant::now() > deadline {
                    let _ = child.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.wait();
        }

        /// Broke: --follow read the partitions the local topic had at the start only; records
        /// of a partition added while it ran were never mirrored (nor committed).
        #[test]
        fn follow_mirrors_partitions_added_while_it_runs() {
            let c = TestCluster::new();
            c.run(["topic", "create", "grow", "-p", "2"]).success();
            c.produce("grow", "first\n", &["-p", "0"]).success();
            let m = mock(&[("grow", 4)]);
            let boot = m.bootstrap_servers();
            let child = spawn(
                &c,
                &[
                    "mirror",
                    "--to-kafka",
                    &boot,
                    "-t",
                    "grow",
                    "--follow",
                    "-q",
                ],
            );
            let deadline = Instant::now() + Duration::from_secs(30);
            while kafka_records(&boot, "grow").is_empty() {
                assert!(Instant::now() < deadline, "the first record never arrived");
                std::thread::sleep(Duration::from_millis(100));
            }
            c.run(["topic", "alter", "grow", "--partitions", "3"])
                .success();
            c.produce("grow", "in-the-new-partition\n", &["-p", "2"])
                .success();
            let deadline = Instant::now() + Duration::from_secs(10);
            let got = loop {
                let got = kafka_records(&boot, "grow");
                if got.len() >= 2 || Instant::now() > deadline {
                    break got;
                }
                std::thread::sleep(Duration::from_millis(100));
            };
            stop(child);
            let mut placed: Vec<(u32, Option<Vec<u8>>)> =
                got.into_iter().map(|r| (r.partition, r.value)).collect();
            placed.sort();
            assert_eq!(
                placed,
                vec![
                    (0, Some(b"first".to_vec())),
                    (2, Some(b"in-the-new-partition".to_vec()))
                ]
            );
            let committed = filka::group::offsets::read(&c.cluster(), "filka-mirror").unwrap();
            assert_eq!(
                committed.get(&("grow".to_string(), 2)).map(|v| v.offset),
                Some(1),
                "{committed:?}"
            );
        }

        /// A source partition added while --follow runs, when the target has no room for it:
        /// the kept partitions would start going by key, so the mirror stops (exit 11) saying to
        /// add partitions on Kafka, with what it sent committed.
        #[test]
        fn follow_stops_when_the_source_outgrows_the_target() {
            let c = TestCluster::new();
            c.run(["topic", "create", "tight", "-p", "2"]).success();
            c.produce("tight", "first\n", &["-p", "0"]).success();
            let m = mock(&[("tight", 2)]);
            let boot = m.bootstrap_servers();
            let mut child = spawn(
                &c,
                &[
                    "mirror",
                    "--to-kafka",
                    &boot,
                    "-t",
                    "tight",
                    "--follow",
                    "-q",
                ],
            );
            let deadline = Instant::now() + Duration::from_secs(30);
            while kafka_records(&boot, "tight").is_empty() {
                assert!(Instant::now() < deadline, "the first record never arrived");
                std::thread::sleep(Duration::from_millis(100));
            }
            c.run(["topic", "alter", "tight", "--partitions", "3"])
                .success();
            let deadline = Instant::now() + Duration::from_secs(15);
            let status = loop {
                if let Some(s) = child.try_wait().unwrap() {
                    break s;
                }
                if Instant::now() > deadline {
                    stop(child);
                    panic!("--follow did not notice the new partition");
                }
                std::thread::sleep(Duration::from_millis(50));
            };
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            assert_eq!(status.code(), Some(11), "{err}");
            assert!(err.contains("--alter --partitions 3"), "{err}");
            assert!(
                !err.contains("   "),
                "a run of spaces in the message: {err}"
            );
            let committed = filka::group::offsets::read(&c.cluster(), "filka-mirror").unwrap();
            assert_eq!(
                committed.get(&("tight".to_string(), 0)).map(|v| v.offset),
                Some(1),
                "{committed:?}"
            );
        }

        /// Broke: with every broker of the target down, --to-kafka waited for its deliveries
        /// for librdkafka's message.timeout.ms (five minutes) in silence, where --from-kafka
        /// gives up after --timeout-ms; now both stop with exit 11 naming bootstrap.servers.
        #[test]
        fn to_kafka_gives_up_after_timeout_ms_when_every_broker_is_down() {
            let c = TestCluster::new();
            c.run(["topic", "create", "down", "-p", "1"]).success();
            c.produce("down", "first\n", &[]).success();
            let m = mock(&[("down", 1)]);
            let boot = m.bootstrap_servers();
            let mut child = spawn(
                &c,
                &[
                    "mirror",
                    "--to-kafka",
                    &boot,
                    "-t",
                    "down",
                    "--follow",
                    "-q",
                    "--timeout-ms",
                    "2000",
                ],
            );
            let deadline = Instant::now() + Duration::from_secs(30);
            while kafka_records(&boot, "down").is_empty() {
                assert!(Instant::now() < deadline, "the first record never arrived");
                std::thread::sleep(Duration::from_millis(100));
            }
            for b in 1..=3 {
                m.broker_down(b).unwrap();
            }
            c.produce("down", "second\n", &[]).success();
            let started = Instant::now();
            let status = loop {
                if let Some(s) = child.try_wait().unwrap() {
                    break Some(s);
                }
                if started.elapsed() > Duration::from_secs(20) {
                    break None;
                }
                std::thread::sleep(Duration::from_millis(50));
            };
            let Some(status) = status else {
                stop(child);
                panic!("still waiting 20 s after every broker went down (--timeout-ms 2000)");
            };
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            assert_eq!(status.code(), Some(11), "{err}");
            let lines: Vec<&str> = err.lines().collect();
            assert_eq!(lines.len(), 1, "{err}");
            eprintln!("{}", lines[0]);
            assert!(lines[0].contains("check bootstrap.servers"), "{err}");
            let committed = filka::group::offsets::read(&c.cluster(), "filka-mirror").unwrap();
            assert_eq!(
                committed.get(&("down".to_string(), 0)).map(|v| v.offset),
                Some(1),
                "{committed:?}"
            );
        }
    }
}
