//! Apache Kafka for the tests: runs `tests/apache-kafka/kafka.sh` (with the repository root
//! as the working directory) to run Kafka's tools and the drivers, and to start and stop a
//! real KRaft node in a temporary folder (stopped on drop, so a failing test leaves no JVM).
//! A tool that fails panics with its stderr.

#![allow(dead_code)] // Helpers are used by the topic modules as they arrive.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root (kafka.sh's cache, target/apache-kafka/, is under it).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn kafka_sh() -> PathBuf {
    root().join("tests/apache-kafka/kafka.sh")
}

/// What a tool run printed, and how it ended.
#[derive(Debug, Default)]
pub struct Run {
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Its stdout, as text (lossy).
    pub stdout: String,
    /// Its stderr, as text (lossy).
    pub stderr: String,
}

impl Run {
    /// Panics with the command and its output unless it exited 0.
    pub fn success(self, what: &str) -> Run {
        assert!(
            self.code == Some(0),
            "{what}: exit {:?}\n--- stderr\n{}\n--- stdout (last 4000 bytes)\n{}",
            self.code,
            self.stderr,
            tail(&self.stdout, 4000)
        );
        self
    }
}

fn tail(s: &str, n: usize) -> &str {
    let mut start = s.len().saturating_sub(n);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// `kafka.sh ARGS...`, with `stdin` as its input (none: /dev/null).
pub fn kafka_sh_run<S: AsRef<OsStr>>(args: &[S], stdin: Option<&[u8]>) -> Run {
    kafka_sh_run_env(args, stdin, &[])
}

/// [`kafka_sh_run`] with more environment variables (e.g. `KAFKA_TOOL_TIMEOUT`).
pub fn kafka_sh_run_env<S: AsRef<OsStr>>(
    args: &[S],
    stdin: Option<&[u8]>,
    env: &[(&str, &str)],
) -> Run {
    let mut cmd = Command::new(kafka_sh());
    cmd.args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", kafka_sh().display()));
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // Written from a thread: a tool that prints while it reads must not block on a full
        // stdout pipe that nobody drains yet.
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    let out = child.wait_with_output().expect("wait for kafka.sh");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `kafka.sh tool NAME ARGS...`: one Kafka tool or driver run.
pub fn tool_run<S: AsRef<OsStr>>(name: &str, args: &[S], stdin: Option<&[u8]>) -> Run {
    let mut all: Vec<&OsStr> = vec![OsStr::new("tool"), OsStr::new(name)];
    all.extend(args.iter().map(AsRef::as_ref));
    kafka_sh_run(&all, stdin)
}

/// [`tool_run`] with more environment variables (e.g. `KAFKA_TOOL_TIMEOUT`), no stdin.
pub fn tool_run_env<S: AsRef<OsStr>>(name: &str, args: &[S], env: &[(&str, &str)]) -> Run {
    let mut all: Vec<&OsStr> = vec![OsStr::new("tool"), OsStr::new(name)];
    all.extend(args.iter().map(AsRef::as_ref));
    kafka_sh_run_env(&all, None, env)
}

/// `kafka.sh tool NAME ARGS...` that must exit 0: its stdout.
pub fn tool<S: AsRef<OsStr>>(name: &str, args: &[S]) -> String {
    tool_run(name, args, None)
        .success(&format!("kafka.sh tool {name}"))
        .stdout
}

/// The longest `--files` list given to one kafka-dump-log run: one argument of the command
/// line may not exceed 128 KiB on Linux.
const MAX_FILES_ARG: usize = 64 << 10;

/// Kafka's kafka-dump-log (DumpLogSegments) over `files` with `flags`: as few JVMs as the
/// command line allows (`--files a,b,c`), their stdout and stderr concatenated in order.
/// Panics when a run fails.
pub fn dump_log(flags: &[&str], files: &[PathBuf]) -> Run {
    let mut all = Run {
        code: Some(0),
        ..Run::default()
    };
    let mut chunk: Vec<String> = Vec::new();
    let mut len = 0;
    let flush = |chunk: &mut Vec<String>, all: &mut Run| {
        if chunk.is_empty() {
            return;
        }
        let list = chunk.join(",");
        let mut args: Vec<&str> = flags.to_vec();
        args.extend(["--files", &list]);
        let run = tool_run("dump-log", &args, None).success("kafka-dump-log");
        all.stdout.push_str(&run.stdout);
        all.stderr.push_str(&run.stderr);
        chunk.clear();
    };
    for f in files {
        let s = f.to_str().expect("test paths are UTF-8").to_string();
        assert!(
            !s.contains(','),
            "a path with a comma cannot be in --files: {s}"
        );
        if len + s.len() + 1 > MAX_FILES_ARG {
            flush(&mut chunk, &mut all);
            len = 0;
        }
        len += s.len() + 1;
        chunk.push(s);
    }
    flush(&mut chunk, &mut all);
    all
}

/// A real Kafka node (one combined broker and controller, id 101) started by `kafka.sh
/// start` in a folder of its own; stopped when dropped.
pub struct Kafka {
    dir: PathBuf,
    /// `host:port` of its PLAINTEXT listener.
    pub bootstrap: String,
    running: bool,
}

impl Kafka {
    /// Formats `dir` (empty or new) and starts one node in it; panics when it does not start.
    pub fn start(dir: &Path) -> Kafka {
        let run =
            kafka_sh_run(&[OsStr::new("start"), dir.as_os_str()], None).success("kafka.sh start");
        let bootstrap = run
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("bootstrap="))
            .unwrap_or_else(|| panic!("kafka.sh start printed no bootstrap=: {}", run.stdout))
            .to_string();
        Kafka {
            dir: dir.to_path_buf(),
            bootstrap,
            running: true,
        }
    }

    /// Starts Kafka on the log dirs `dir/broker-<id>` as they are, without formatting them
    /// (`kafka.sh boot`, with `env`: e.g. `KAFKA_FIRST_PORT`); panics when a node does not
    /// start. Stopped when dropped.
    pub fn boot(dir: &Path, env: &[(&str, &str)]) -> Kafka {
        let run = kafka_sh_run_env(&[OsStr::new("boot"), dir.as_os_str()], None, env)
            .success("kafka.sh boot");
        let bootstrap = run
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("bootstrap="))
            .unwrap_or_else(|| panic!("kafka.sh boot printed no bootstrap=: {}", run.stdout))
            .to_string();
        Kafka {
            dir: dir.to_path_buf(),
            bootstrap,
            running: true,
        }
    }

    /// [`Kafka::boot`] on a filka cluster's folder (brokers 101-103): on the ports filka
    /// registered when they are free, else on free ones.
    pub fn boot_filka(dir: &Path) -> Kafka {
        let first = filka::cluster::kraft::translate::FIRST_BROKER_PORT;
        let first_port = first.to_string();
        let mut env = vec![("KAFKA_START_TIMEOUT", "180")];
        if (0..3).all(|i| std::net::TcpListener::bind(("127.0.0.1", first + i)).is_ok()) {
            env.push(("KAFKA_FIRST_PORT", first_port.as_str()));
        }
        Kafka::boot(dir, &env)
    }

    /// The node's log dir (`DIR/broker-101`).
    pub fn log_dir(&self) -> PathBuf {
        self.dir.join("broker-101")
    }

    /// Stops the node (TERM: a clean shutdown, which closes every segment).
    pub fn stop(&mut self) {
        if self.running {
            self.running = false;
            kafka_sh_run(&[OsStr::new("stop"), self.dir.as_os_str()], None)
                .success("kafka.sh stop");
        }
    }
}

impl Drop for Kafka {
    fn drop(&mut self) {
        if self.running {
            self.running = false;
            let _ = kafka_sh_run(&[OsStr::new("stop"), self.dir.as_os_str()], None);
        }
    }
}

/// `kafka.sh tool NAME ARGS...` with `stdin`, which must exit 0: its stdout.
pub fn tool_stdin(name: &str, args: &[&str], stdin: &str) -> String {
    tool_run(name, args, Some(stdin.as_bytes()))
        .success(&format!("kafka.sh tool {name}"))
        .stdout
}

/// A real Kafka cluster of 1 or 3 combined broker+controller nodes (ids 101..), started by
/// `kafka.sh start` in a throwaway folder under target/apache-kafka/runs (with settings
/// from the environment, e.g. `KAFKA_RELEASE_VERSION`) and stopped when dropped.
pub struct Broker {
    dir: tempfile::TempDir,
    /// `host:port,...` of the nodes.
    pub bootstrap: String,
    stopped: bool,
}

impl Broker {
    /// Starts `nodes` nodes (waits, bounded, until they serve).
    pub fn start(nodes: u32) -> Broker {
        Broker::start_with(nodes, &[])
    }

    /// Starts `nodes` nodes with `env` (waits, bounded, until they serve).
    pub fn start_with(nodes: u32, env: &[(&str, &str)]) -> Broker {
        let runs = root().join("target/apache-kafka/runs");
        std::fs::create_dir_all(&runs).expect("create target/apache-kafka/runs");
        let dir = tempfile::Builder::new()
            .prefix("rust-")
            .tempdir_in(&runs)
            .expect("create a run folder");
        let out = Command::new(kafka_sh())
            .current_dir(root())
            .args(["start", "--nodes", &nodes.to_string()])
            .arg(dir.path())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("run kafka.sh start");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "kafka.sh start: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
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
        tool_stdin(name, &all, stdin)
    }

    /// Stops the nodes cleanly (TERM, then KILL after kafka.sh's bounded wait); their files
    /// stay until drop.
    pub fn stop(&mut self) {
        if !self.stopped {
            self.stopped = true;
            kafka_sh_run(&[OsStr::new("stop"), self.dir.path().as_os_str()], None)
                .success("kafka.sh stop");
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if !self.stopped {
            self.stopped = true;
            let _ = kafka_sh_run(&[OsStr::new("stop"), self.dir.path().as_os_str()], None);
        }
    }
}

/// Path of the `filka` binary under test, built by cargo for this test run.
pub const FILKA: &str = env!("CARGO_BIN_EXE_filka");

/// Runs `cmd` with `stdin`, whatever its exit code.
fn output_of(mut cmd: Command, stdin: &[u8]) -> std::process::Output {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut input = child.stdin.take().expect("stdin is piped");
    let data = stdin.to_vec();
    // A writer thread: the child may fill its stdout before reading all of its stdin.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let _ = writer.join();
    out
}

/// A throwaway filka cluster directory (created by the first command that needs one).
pub struct Filka {
    dir: tempfile::TempDir,
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

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(FILKA);
        cmd.current_dir(self.dir.path())
            .env_remove("FILKA_CLUSTER")
            .arg("--cluster")
            .arg(self.data())
            .args(args);
        cmd
    }

    /// `filka --cluster DATA ARGS...` with `stdin`; panics unless it exits 0.
    pub fn run_bytes(&self, args: &[&str], stdin: &[u8]) -> std::process::Output {
        let out = output_of(self.command(args), stdin);
        assert!(
            out.status.success(),
            "filka {args:?} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// `filka --cluster DATA ARGS...` with `stdin`, whatever its exit code.
    pub fn output(&self, args: &[&str], stdin: &str) -> std::process::Output {
        output_of(self.command(args), stdin.as_bytes())
    }

    /// [`Filka::run_bytes`], stdout as text.
    pub fn run(&self, args: &[&str], stdin: &str) -> String {
        String::from_utf8_lossy(&self.run_bytes(args, stdin.as_bytes()).stdout).into_owned()
    }
}
