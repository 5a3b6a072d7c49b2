//! The test harness: a throwaway cluster directory and the real `filka` binary pointed at it.
//!
//! Grows with the commands (`.produce(topic, input)`, `.consume(topic, args)`, ...); keep each
//! helper a thin wrapper over [`TestCluster::cmd`] so a failing test shows the exact command.

#![allow(dead_code)] // Helpers are used by command modules as they arrive.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use assert_cmd::assert::Assert;
use tempfile::TempDir;

/// Path of the `filka` binary under test, built by cargo for this test run.
pub const FILKA: &str = env!("CARGO_BIN_EXE_filka");

/// A temporary directory holding one cluster at `<tmp>/data`, removed on drop.
pub struct TestCluster {
    dir: TempDir,
}

impl TestCluster {
    /// A fresh, empty temporary directory (the cluster is created by the first command that
    /// writes, as for users).
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("filka-test-")
            .tempdir()
            .expect("create temp dir");
        TestCluster { dir }
    }

    /// The temporary directory (the cluster's parent; the working directory of commands).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The cluster directory, `<tmp>/data`.
    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `filka --cluster <tmp>/data`, run in `<tmp>`, with no FILKA_CLUSTER from the caller's
    /// environment. Add arguments and run it.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = self.bare_cmd();
        cmd.arg("--cluster").arg(self.data());
        cmd
    }

    /// `filka` with no `--cluster`, run in `<tmp>` without FILKA_CLUSTER: for tests of the
    /// default directory and of the environment variable.
    pub fn bare_cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(FILKA);
        cmd.current_dir(self.path()).env_remove("FILKA_CLUSTER");
        cmd
    }

    /// Runs `filka --cluster <tmp>/data ARGS...` and returns the assertion handle.
    pub fn run<I, S>(&self, args: I) -> Assert
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd().args(args).assert()
    }
}

/// The lines of a command's stderr.
pub fn stderr_lines(assert: &Assert) -> Vec<String> {
    String::from_utf8_lossy(&assert.get_output().stderr)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A command's stdout as text.
pub fn stdout_text(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// Every JSON line of a command's stdout, parsed.
pub fn json_lines(assert: &Assert) -> Vec<serde_json::Value> {
    stdout_text(assert)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The timestamp records get from [`TestCluster::put_records`]: fixed, so segment sizes are
/// the same on every run, and in the future (2100-01-01), so the default retention.ms (7
/// days) does not delete them as soon as they are written, as Kafka would.
pub const FIXED_TIMESTAMP: i64 = 4_102_444_800_000;

impl TestCluster {
    /// The cluster at `<tmp>/data`, opened through the library.
    pub fn cluster(&self) -> filka::cluster::Cluster {
        filka::cluster::Cluster::open(&self.data()).expect("open the test cluster")
    }

    /// Appends `values` (key `k<i>`) to one partition through the library's producer
    /// (acks=all, timestamps [`FIXED_TIMESTAMP`]), for tests of commands that read topics.
    pub fn put_records(&self, topic: &str, partition: u32, values: &[&str]) {
        use filka::client::producer::{Producer, ProducerConfig, ProducerRecord};
        let mut p = Producer::new(self.cluster(), topic, ProducerConfig::default())
            .expect("producer for the test topic");
        for (i, v) in values.iter().enumerate() {
            let key = format!("k{i}");
            p.send(&ProducerRecord {
                key: Some(key.as_bytes()),
                value: Some(v.as_bytes()),
                timestamp: Some(FIXED_TIMESTAMP),
                partition: Some(partition),
                ..Default::default()
            })
            .expect("send");
        }
        p.close().expect("close the producer");
    }

    /// Takes a broker down the way the controller would (until `simulate-failure` exists):
    /// fences it, drops it from every ISR and moves its leaderships to the next in-sync
    /// replica on an online broker (none left: the partition goes offline, leader -1).
    pub fn fence_broker(&self, broker: i32) {
        use filka::cluster::MetadataRecord;
        let mut c = self.cluster();
        c.set_node(broker, |n| n.running = false)
            .expect("stop the broker");
        c.update(|state| {
            let mut records = vec![MetadataRecord::FenceBroker { id: broker }];
            for (topic, t) in &state.topics {
                for p in &t.partitions {
                    if !p.replicas.contains(&broker) {
                        continue;
                    }
                    let isr: Vec<i32> = p.isr.iter().copied().filter(|&b| b != broker).collect();
                    let (leader, epoch) = if p.leader == broker {
                        let next = isr
                            .iter()
                            .copied()
                            .find(|&b| state.is_online(b) && b != broker)
                            .unwrap_or(-1);
                        (next, p.leader_epoch + 1)
                    } else {
                        (p.leader, p.leader_epoch)
                    };
                    records.push(MetadataRecord::PartitionChange {
                        topic: topic.clone(),
                        partition: p.partition,
                        leader,
                        leader_epoch: epoch,
                        isr,
                        reason: format!("broker {broker} went down"),
                        offline_replicas: None,
                    });
                }
            }
            Ok((records, ()))
        })
        .expect("fence the broker");
    }

    /// `text` with what changes from run to run replaced by placeholders: the cluster
    /// directory (`<cluster>`), the cluster id (`<cluster-id>`), topic ids (`<topic-id>`) and
    /// RFC 3339 times (`YYYY-MM-DDThh:mm:ss.sssZ`, the same width, so columns stay aligned).
    pub fn redact(&self, text: &str) -> String {
        let c = self.cluster();
        let mut out = text.replace(&self.data().display().to_string(), "<cluster>");
        out = out.replace(&c.state().cluster_id, "<cluster-id>");
        for e in c.history().expect("metadata history") {
            if e.kind == "TopicRecord"
                && let Some(id) = e.data.pointer("/data/topicId").and_then(|v| v.as_str())
            {
                out = out.replace(id, "<topic-id>");
            }
        }
        redact_times(&out)
    }
}

/// Replaces every `YYYY-MM-DDThh:mm:ss.sssZ` time with that very pattern.
pub fn redact_times(text: &str) -> String {
    const PATTERN: &str = "YYYY-MM-DDThh:mm:ss.sssZ";
    let shape = |w: &[u8]| {
        w.len() == PATTERN.len()
            && w.iter().zip(PATTERN.bytes()).all(|(&c, p)| match p {
                b'Y' | b'M' | b'D' | b'h' | b'm' | b's' => c.is_ascii_digit(),
                _ => c == p,
            })
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes.len() - i >= PATTERN.len() && shape(&bytes[i..i + PATTERN.len()]) {
            out.push_str(PATTERN);
            i += PATTERN.len();
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Compares `actual` with `tests/golden/<name>`; `UPDATE_GOLDEN=1` rewrites the file instead.
pub fn assert_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `UPDATE_GOLDEN=1 cargo nextest run golden` to create it",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs (UPDATE_GOLDEN=1 rewrites it)\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

/// Every file and folder under `root` with each file's bytes, to prove a command changed
/// nothing.
pub fn tree(root: &Path) -> std::collections::BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if path.is_dir() {
                out.insert(rel, None);
                stack.push(path);
            } else {
                out.insert(rel, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

/// One record read back through the library (the consumer, from the beginning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRecord {
    /// Partition.
    pub partition: u32,
    /// Offset.
    pub offset: i64,
    /// Timestamp (ms).
    pub timestamp: i64,
    /// Key.
    pub key: Option<Vec<u8>>,
    /// Value.
    pub value: Option<Vec<u8>>,
    /// Headers in order.
    pub headers: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

impl TestCluster {
    /// Runs `filka --cluster <tmp>/data produce -t TOPIC ARGS...` with `input` on stdin.
    pub fn produce(&self, topic: &str, input: impl Into<Vec<u8>>, args: &[&str]) -> Assert {
        self.cmd()
            .args(["produce", "-t", topic])
            .args(args)
            .write_stdin(input.into())
            .assert()
    }

    /// Creates the cluster through the library with `brokers` brokers (ids from 101), for
    /// tests that need another shape than the default one.
    pub fn init_cluster(&self, brokers: u32) -> filka::cluster::Cluster {
        filka::cluster::Cluster::init(&self.data(), brokers, 101).expect("init cluster")
    }

    /// Opens the cluster through the library.
    pub fn open_cluster(&self) -> filka::cluster::Cluster {
        filka::cluster::Cluster::open(&self.data()).expect("open cluster")
    }

    /// Creates a topic through the library (creating the default cluster first if needed).
    pub fn create_topic_lib(
        &self,
        topic: &str,
        partitions: u32,
        rf: u32,
        configs: &[(&str, &str)],
    ) {
        let mut c = filka::cluster::Cluster::open_or_create(&self.data(), |_| {})
            .expect("open or create cluster");
        let configs = configs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        c.create_topic(topic, partitions, rf, configs, false)
            .expect("create topic");
    }

    /// Every record of `topic` up to the high watermarks, read through the library's
    /// consumer, sorted by (partition, offset).
    pub fn read_topic(&self, topic: &str) -> Vec<ReadRecord> {
        use filka::client::consumer::{Consumer, Poll, StartOffset};
        let mut consumer = Consumer::new(
            self.open_cluster(),
            topic,
            None,
            StartOffset::Beginning,
            false,
        )
        .expect("consumer");
        let mut out = Vec::new();
        loop {
            let poll = consumer
                .poll(&mut |f| {
                    let r = &f.record;
                    out.push(ReadRecord {
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
            if poll == Poll::End {
                break;
            }
        }
        out.sort_by_key(|r| (r.partition, r.offset));
        out
    }

    /// The values of `topic`, in (partition, offset) order, as strings.
    pub fn values(&self, topic: &str) -> Vec<String> {
        self.read_topic(topic)
            .into_iter()
            .map(|r| String::from_utf8_lossy(&r.value.unwrap_or_default()).into_owned())
            .collect()
    }

    /// The codec of every batch in `topic`-`partition`'s leader log, in order.
    pub fn batch_codecs(&self, topic: &str, partition: u32) -> Vec<filka::record::Compression> {
        let cluster = self.open_cluster();
        let view = filka::cluster::replica::PartitionView::read(&cluster, topic, partition)
            .expect("partition view");
        let reader = view.leader_reader(&cluster).expect("leader reader");
        let mut cursor = reader.cursor(0).expect("cursor");
        let mut out = Vec::new();
        while let Some(b) = cursor.next_batch(view.high_watermark).expect("batch") {
            out.push(b.compression());
        }
        out
    }
}

/// A record written through the library by [`TestCluster::produce_lib`].
#[derive(Debug, Clone, Default)]
pub struct Rec {
    /// Partition (`None`: the partitioner chooses).
    pub partition: Option<u32>,
    /// Key (`None`: null).
    pub key: Option<Vec<u8>>,
    /// Value (`None`: null).
    pub value: Option<Vec<u8>>,
    /// Headers in order.
    pub headers: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// CreateTime (`None`: now).
    pub timestamp: Option<i64>,
}

impl Rec {
    /// A record with this value in this partition.
    pub fn value(partition: u32, value: impl AsRef<[u8]>) -> Rec {
        Rec {
            partition: Some(partition),
            value: Some(value.as_ref().to_vec()),
            ..Rec::default()
        }
    }
}

/// Library-side helpers: set up data without going through other commands, so each
/// command's tests depend only on that command.
impl TestCluster {
    /// The cluster at `<tmp>/data`, created (default brokers) when missing.
    pub fn cluster_or_default(&self) -> filka::cluster::Cluster {
        filka::cluster::Cluster::open_or_create(&self.data(), |_| {}).expect("open cluster")
    }

    /// Creates `topic` with `partitions` partitions (replication factor 3) via the library,
    /// with `retention.ms=-1` so records with fixed timestamps in the past are kept.
    pub fn create_kept_topic(&self, topic: &str, partitions: u32) {
        let configs = [("retention.ms".to_string(), "-1".to_string())].into();
        self.cluster_or_default()
            .create_topic(topic, partitions, 3, configs, false)
            .expect("create topic");
    }

    /// Produces `records` to `topic` via the library, acks=all, in order.
    pub fn produce_lib(&self, topic: &str, records: &[Rec]) {
        use filka::client::producer::{Producer, ProducerConfig, ProducerRecord};
        let mut p = Producer::new(self.cluster_or_default(), topic, ProducerConfig::default())
            .expect("producer");
        for r in records {
            let headers: Vec<(&[u8], Option<&[u8]>)> = r
                .headers
                .iter()
                .map(|(k, v)| (k.as_slice(), v.as_deref()))
                .collect();
            p.send(&ProducerRecord {
                key: r.key.as_deref(),
                value: r.value.as_deref(),
                headers: &headers,
                timestamp: r.timestamp,
                partition: r.partition,
            })
            .expect("send");
        }
        p.close().expect("close producer");
    }

    /// `filka --cluster <tmp>/data consume ARGS...`, run; the assertion handle.
    pub fn consume<I, S>(&self, args: I) -> Assert
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd().arg("consume").args(args).assert()
    }

    /// [`TestCluster::consume`] that must succeed: its stdout.
    pub fn consume_ok<I, S>(&self, args: I) -> Vec<u8>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.consume(args).success().get_output().stdout.clone()
    }
}

/// What a finished child reported about itself.
pub struct Measured {
    /// Exit code.
    pub code: i32,
    /// Wall time, including the measuring parent's start.
    pub elapsed: std::time::Duration,
    /// Peak RSS in KiB, as the kernel counted it for the child.
    pub max_rss_kib: i64,
    /// What it printed.
    pub stdout: String,
}

/// Runs `filka ARGS...` in `dir` (stdin from `stdin`, else empty) through a small Python
/// parent and reads the child's own peak RSS from it. (wait4 from this test process would
/// count this process's memory too: a spawned child shares it until it execs, and Linux
/// folds that into the child's ru_maxrss. The parent's own ~14 MiB is thus the floor of a
/// reading, which a 64 MiB bound can live with.)
pub fn run_measured(dir: &Path, args: &[&str], stdin: Option<&Path>) -> Measured {
    const PARENT: &str = "import resource, subprocess, sys\n\
r = subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL)\n\
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n\
sys.exit(r.returncode)";
    let start = std::time::Instant::now();
    let input = match stdin {
        Some(path) => std::process::Stdio::from(std::fs::File::open(path).expect("open stdin")),
        None => std::process::Stdio::null(),
    };
    let out = std::process::Command::new("python3")
        .current_dir(dir)
        .arg("-c")
        .arg(PARENT)
        .arg(FILKA)
        .args(args)
        .stdin(input)
        .output()
        .expect("python3 runs the measured command");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let max_rss_kib = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS from the measuring parent: {stderr}"));
    Measured {
        code: out.status.code().expect("filka exited normally"),
        elapsed: start.elapsed(),
        max_rss_kib,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

/// Copies the folder `from` into `to`, recursively (a fixture into a test's folder).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
