//! Runs tests/apache-kafka/kafka.sh from the repository root: Kafka's tools and drivers by
//! name, and real brokers in throwaway folders (stopped on drop). Every failure panics with
//! the command and its stderr.

#![allow(dead_code)] // Helpers are shared by the modules of this target.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

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
    // A writer thread: the child may fill its stdout before it has read all of its stdin.
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
        Broker::start_with(nodes, &[])
    }

    /// [`Broker::start`] with `kafka.sh` settings from the environment (e.g.
    /// `KAFKA_RELEASE_VERSION`).
    pub fn start_with(nodes: u32, env: &[(&str, &str)]) -> Broker {
        let runs = root().join("target/apache-kafka/runs");
        std::fs::create_dir_all(&runs).expect("create target/apache-kafka/runs");
        let dir = tempfile::Builder::new()
            .prefix("rust-")
            .tempdir_in(&runs)
            .expect("create a run folder");
        let mut cmd = Command::new(kafka_sh());
        cmd.current_dir(root())
            .args(["start", "--nodes", &nodes.to_string()])
            .arg(dir.path())
            .envs(env.iter().copied());
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

    /// The folder the nodes run in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Node `id`'s log dir (also its metadata log dir).
    pub fn log_dir(&self, id: u32) -> PathBuf {
        self.dir.path().join(format!("broker-{id}"))
    }

    /// `kafka.sh tool NAME --bootstrap-server BOOTSTRAP ARGS...`.
    pub fn admin(&self, name: &str, args: &[&str]) -> String {
        self.admin_stdin(name, args, "")
    }

    /// [`Broker::admin`] with `stdin`.
    pub fn admin_stdin(&self, name: &str, args: &[&str], stdin: &str) -> String {
        let mut all = vec!["--bootstrap-server", self.bootstrap.as_str()];
        all.extend_from_slice(args);
        tool(name, &all, stdin)
    }

    /// Stops the nodes cleanly (TERM, then KILL after kafka.sh's bounded wait); their files
    /// stay until drop.
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
