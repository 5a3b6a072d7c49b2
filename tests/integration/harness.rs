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
