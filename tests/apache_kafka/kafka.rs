//! Runs tests/apache-kafka/kafka.sh from the repository root: Kafka's tools and drivers by
//! name, and real brokers in throwaway folders (stopped on drop), plus the filka binary on a
//! throwaway cluster. Every failure panics with the command and its stderr.

#![allow(dead_code)] // Helpers are shared by the modules of this target.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// Path of the `filka` binary under test, built by cargo for this test run.
pub const FILKA: &str = env!("CARGO_BIN_EXE_filka");

/// The repository root (kafka.sh runs from there).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn kafka_sh() -> PathBuf {
    root().join("tests/apache-kafka/kafka.sh")
}

/// Runs `cmd` with `stdin`, panics unless it exits 0, returns its output.
fn run(mut cmd: Command, stdin: &[u8]) -> Output {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    // A writer thread: the child may fill its stdout before reading all of its stdin.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let _ = writer.join();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `kafka.sh tool NAME ARGS...` with `stdin`; its stdout as text.
pub fn tool(name: &str, args: &[&str], stdin: &str) -> String {
    let mut cmd = Command::new(kafka_sh());
    cmd.current_dir(root()).arg("tool").arg(name).args(args);
    String::from_utf8_lossy(&run(cmd, stdin.as_bytes()).stdout).into_owned()
}

/// A real Kafka cluster of 1 or 3 combined broker+controller nodes (ids 101..), started by
/// `kafka.sh start` in a throwaway folder under target/apache-kafka/runs and stopped on drop.
pub struct Broker {
    dir: TempDir,
    /// `host:port,...` of the nodes.
    pub bootstrap: String,
    stopped: bool,
}

impl Broker {
    /// Starts `nodes` nodes (waits, bounded, until they serve).
    pub fn start(nodes: u32) -> Broker {
        let runs = root().join("target/apache-kafka/runs");
        std::fs::create_dir_all(&runs).expect("create target/apache-kafka/runs");
        let dir = tempfile::Builder::new()
            .prefix("rust-")
            .tempdir_in(&runs)
            .expect("create a run folder");
        let mut cmd = Command::new(kafka_sh());
        cmd.current_dir(root())
            .args(["start", "--nodes", &nodes.to_string()])
            .arg(dir.path());
        let out = run(cmd, b"");
        let text = String::from_utf8_lossy(&out.stdout);
        let bootstrap = text
            .lines()
            .find_map(|l| l.strip_prefix("bootstrap="))
            .unwrap_or_else(|| panic!("kafka.sh start printed no bootstrap=: {text}"))
            .to_string();
        Broker {
            dir,
            bootstrap,
            stopped: false,
        }
    }

    /// The folder the nodes run in (`broker-<id>/` their log dirs, `run/<id>/` their logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Node `id`'s log dir.
    pub fn log_dir(&self, id: u32) -> PathBuf {
        self.dir.path().join(format!("broker-{id}"))
    }

    /// `kafka.sh tool NAME --bootstrap-server BOOTSTRAP ARGS...`.
    pub fn admin(&self, name: &str, args: &[&str]) -> String {
        let mut all = vec!["--bootstrap-server", self.bootstrap.as_str()];
        all.extend_from_slice(args);
        tool(name, &all, "")
    }

    /// Creates `topic` with `partitions` partitions (replication factor 1) and `configs`.
    pub fn create_topic(&self, topic: &str, partitions: u32, configs: &[&str]) {
        let p = partitions.to_string();
        let mut args = vec![
            "--create",
            "--topic",
            topic,
            "--partitions",
            &p,
            "--replication-factor",
            "1",
        ];
        for c in configs {
            args.extend(["--config", c]);
        }
        self.admin("topics", &args);
    }

    /// Stops the nodes (cleanly: TERM, then KILL after kafka.sh's bounded wait); their
    /// files stay until drop.
    pub fn stop(&mut self) {
        if !self.stopped {
            self.stopped = true;
            let mut cmd = Command::new(kafka_sh());
            cmd.current_dir(root()).arg("stop").arg(self.dir.path());
            run(cmd, b"");
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if !self.stopped {
            self.stopped = true;
            let _ = Command::new(kafka_sh())
                .current_dir(root())
                .arg("stop")
                .arg(self.dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// A throwaway filka cluster directory (created by the first command that needs one).
pub struct Filka {
    dir: TempDir,
}

impl Filka {
    /// An empty temporary directory; the cluster is `<tmp>/data`.
    pub fn new() -> Filka {
        Filka {
            dir: tempfile::Builder::new()
                .prefix("filka-judge-")
                .tempdir()
                .expect("create temp dir"),
        }
    }

    /// The cluster directory.
    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `filka --cluster DATA ARGS...` with `stdin`; panics unless it exits 0.
    pub fn run_bytes(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut cmd = Command::new(FILKA);
        cmd.current_dir(self.dir.path())
            .env_remove("FILKA_CLUSTER")
            .arg("--cluster")
            .arg(self.data())
            .args(args);
        run(cmd, stdin)
    }

    /// `filka --cluster DATA ARGS...` with `stdin`, whatever its exit code.
    pub fn output(&self, args: &[&str], stdin: &str) -> Output {
        let mut cmd = Command::new(FILKA);
        cmd.current_dir(self.dir.path())
            .env_remove("FILKA_CLUSTER")
            .arg("--cluster")
            .arg(self.data())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn filka");
        let mut input = child.stdin.take().expect("stdin");
        let data = stdin.as_bytes().to_vec();
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
        let out = child.wait_with_output().expect("wait for filka");
        let _ = writer.join();
        out
    }

    /// [`Filka::run_bytes`], stdout as text.
    pub fn run(&self, args: &[&str], stdin: &str) -> String {
        String::from_utf8_lossy(&self.run_bytes(args, stdin.as_bytes()).stdout).into_owned()
    }
}
