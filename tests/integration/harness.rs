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
    pub fn cluster(&self) -> filka::cluster::Cluster {
        filka::cluster::Cluster::open_or_create(&self.data(), |_| {}).expect("open cluster")
    }

    /// Creates `topic` with `partitions` partitions (replication factor 3) via the library,
    /// with `retention.ms=-1` so records with fixed timestamps in the past are kept.
    pub fn create_topic_lib(&self, topic: &str, partitions: u32) {
        let configs = [("retention.ms".to_string(), "-1".to_string())].into();
        self.cluster()
            .create_topic(topic, partitions, 3, configs, false)
            .expect("create topic");
    }

    /// Produces `records` to `topic` via the library, acks=all, in order.
    pub fn produce_lib(&self, topic: &str, records: &[Rec]) {
        use filka::client::producer::{Producer, ProducerConfig, ProducerRecord};
        let mut p =
            Producer::new(self.cluster(), topic, ProducerConfig::default()).expect("producer");
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
