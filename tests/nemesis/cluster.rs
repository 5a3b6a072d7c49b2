//! The cluster under test and the processes run against it: `filka` commands in a temporary
//! directory, every child process registered so the nemesis can kill or stop it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::history::History;

/// Path of the `filka` binary under test.
pub const FILKA: &str = env!("CARGO_BIN_EXE_filka");

/// Everything the clients, the nemesis and the checker share.
pub struct Ctx {
    /// The run's directory (cluster at `data/`, the history, each client's stderr).
    pub dir: PathBuf,
    pub history: History,
    /// Client processes running now: name -> pid.
    pub procs: Mutex<BTreeMap<String, u32>>,
    /// Set when the clients are to stop starting operations.
    pub stop: AtomicBool,
}

impl Ctx {
    pub fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// `filka --cluster DATA ARGS`, run in the run's directory.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(FILKA);
        c.current_dir(&self.dir)
            .env_remove("FILKA_CLUSTER")
            .arg("--cluster")
            .arg(self.data())
            .args(args);
        c
    }

    /// Runs a command to its end: (exit code or -signal, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        match self.cmd(args).stdin(Stdio::null()).output() {
            Ok(out) => (
                exit_code(out.status),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ),
            Err(e) => (-1, String::new(), format!("spawn: {e}")),
        }
    }

    /// Runs a command that must succeed; its stdout.
    pub fn run_ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert!(code == 0, "filka {}: exit {code}: {err}", args.join(" "));
        out
    }

    /// `describe topic T --output json`.
    pub fn describe_topic(&self, topic: &str) -> serde_json::Value {
        serde_json::from_str(
            self.run_ok(&["describe", "topic", topic, "--output", "json"])
                .trim(),
        )
        .unwrap_or(serde_json::Value::Null)
    }

    /// Each partition of `topic`: its replicas.
    pub fn replicas(&self, topic: &str) -> Vec<(u32, Vec<i32>)> {
        let v = self.describe_topic(topic);
        v["partitions"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .map(|p| {
                        let r = p["replicas"]
                            .as_array()
                            .map(|r| {
                                r.iter()
                                    .filter_map(|x| x.as_i64())
                                    .map(|x| x as i32)
                                    .collect()
                            })
                            .unwrap_or_default();
                        (p["partition"].as_u64().unwrap_or(0) as u32, r)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether a partition of `topic` is being moved (adding or removing replicas).
    pub fn moving(&self, topic: &str) -> bool {
        let v = self.describe_topic(topic);
        v["partitions"].as_array().is_some_and(|ps| {
            ps.iter()
                .any(|p| p.get("adding_replicas").is_some() || p.get("removing_replicas").is_some())
        })
    }

    /// Runs one invocation of a client: spawns it (registered under `name` while it runs),
    /// feeds it `input`, calls `on_line` with each line of its stdout. Its exit code, or
    /// minus the signal that ended it.
    pub fn invoke(
        &self,
        name: &str,
        args: &[String],
        input: Input,
        on_line: &mut dyn FnMut(&str),
    ) -> i32 {
        let err_path = self.dir.join("clients").join(format!("{name}.err"));
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&err_path)
            .map(Stdio::from)
            .unwrap_or_else(|_| Stdio::null());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = match self
            .cmd(&args)
            .stdin(if matches!(input, Input::None) {
                Stdio::null()
            } else {
                Stdio::piped()
            })
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
        {
            Ok(c) => c,
            Err(_) => return -1,
        };
        self.procs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string(), child.id());
        let feeder = match (input, child.stdin.take()) {
            (Input::Lines { lines, pause, tail }, Some(mut stdin)) => {
                Some(std::thread::spawn(move || {
                    for l in lines {
                        let _ = writeln!(stdin, "{l}");
                    }
                    let _ = stdin.flush();
                    if let Some(tail) = tail {
                        std::thread::sleep(pause);
                        let _ = writeln!(stdin, "{tail}");
                    }
                }))
            }
            _ => None,
        };
        if let Some(out) = child.stdout.take() {
            for line in BufReader::new(out).lines() {
                match line {
                    Ok(l) => on_line(&l),
                    Err(_) => break,
                }
            }
        }
        let status = child.wait();
        self.procs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
        if let Some(f) = feeder {
            let _ = f.join();
        }
        match status {
            Ok(s) => exit_code(s),
            Err(_) => -1,
        }
    }

    /// Sends `signal` (`-KILL`, `-STOP`, `-CONT`, `-TERM`) to the client `name` if it runs now
    /// (with kill(1), as the integration tests do: no unsafe code); whether it did.
    pub fn signal(&self, name: &str, signal: &str) -> bool {
        let procs = self.procs.lock().unwrap_or_else(|e| e.into_inner());
        match procs.get(name) {
            Some(pid) => Command::new("kill")
                .args([signal, &pid.to_string()])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success()),
            None => false,
        }
    }

    /// Names of the clients running now.
    pub fn running(&self) -> Vec<String> {
        self.procs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }
}

/// What a client's stdin gets.
pub enum Input {
    /// /dev/null.
    None,
    /// These lines, then, after `pause`, the `tail` line if one (an invalid line that makes a
    /// transactional producer abort what it already wrote).
    Lines {
        lines: Vec<String>,
        pause: Duration,
        tail: Option<String>,
    },
}

fn exit_code(s: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    s.code().unwrap_or_else(|| -s.signal().unwrap_or(0))
}

/// A record of a final read of a topic.
#[derive(Clone, Debug)]
pub struct Rec {
    pub partition: u32,
    pub offset: i64,
    pub value: String,
}

/// A value as written: transactional producers write JSON strings (so an invalid JSON line can
/// abort), the others plain text.
pub fn plain(v: &str) -> String {
    v.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v)
        .to_string()
}

/// Parses a `%p %o %v` line.
pub fn parse_pov(line: &str) -> Option<Rec> {
    let mut it = line.splitn(3, ' ');
    let partition = it.next()?.parse().ok()?;
    let offset = it.next()?.parse().ok()?;
    let value = plain(it.next()?);
    Some(Rec {
        partition,
        offset,
        value,
    })
}

/// The bytes of a replica's segment files, in order (empty when it has no folder).
pub fn log_bytes(dir: &Path) -> Vec<u8> {
    let mut logs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "log"))
                .collect()
        })
        .unwrap_or_default();
    logs.sort();
    logs.iter()
        .flat_map(|p| std::fs::read(p).unwrap_or_default())
        .collect()
}

/// Sleeps unless the run is stopping (in small steps, so a stop is noticed soon).
pub fn nap(ctx: &Ctx, d: Duration) {
    let end = std::time::Instant::now() + d;
    while std::time::Instant::now() < end && !ctx.stopping() {
        std::thread::sleep(Duration::from_millis(20).min(end - std::time::Instant::now()));
    }
}
