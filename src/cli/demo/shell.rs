//! The demo's command lines: what is printed is what runs, by construction.
//!
//! A [`Line`] is either one `filka` command, kept as its argv (printed shell-quoted, run as a
//! child process of this very binary with that argv), or a shell line (pipes, `&&`, heredocs,
//! `kill`), printed as is and run as `sh -c LINE` with the folder of this binary first in
//! PATH, so `filka` in it is this binary too. The [`Runner`] runs them and captures what they
//! print, line by line, stdout and stderr in the order they arrived.
//!
//! Must not: decide what a step says (steps/), or print anything itself (report.rs).

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};

/// The name a printed line gives this binary (the folder of [`std::env::current_exe`] comes
/// first in the PATH of shell lines, so the name resolves to it).
const FILKA: &str = "filka";

/// `s` as one shell word: as is when it holds only characters no shell treats specially,
/// else single-quoted (a `'` inside becomes `'\''`).
pub(super) fn quote(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// One command line of a step.
#[derive(Debug, Clone)]
pub(super) enum Line {
    /// `filka ARGS...`: run as this binary with ARGS.
    Filka(Vec<String>),
    /// A shell line, run with `sh -c`.
    Shell(String),
}

impl Line {
    /// The line as printed (and, for a shell line, as run).
    pub(super) fn text(&self) -> String {
        match self {
            Line::Filka(args) => std::iter::once(FILKA.to_string())
                .chain(args.iter().map(|a| quote(a)))
                .collect::<Vec<_>>()
                .join(" "),
            Line::Shell(text) => text.clone(),
        }
    }
}

/// What a finished (or killed) command printed, and how it ended.
#[derive(Debug)]
pub(super) struct Ran {
    /// Its stdout, line by line (without the newlines). For a command killed by the demo,
    /// only the lines read before the kill.
    pub(super) stdout: Vec<String>,
    /// Its stderr, line by line (since [`Running::drain`], if it was called).
    pub(super) stderr: Vec<String>,
    /// Both, in the order they arrived, as a terminal would have shown them (since
    /// [`Running::drain`], if it was called).
    pub(super) shown: Vec<String>,
    /// How it ended.
    pub(super) status: ExitStatus,
}

impl Ran {
    /// Its exit code, None when a signal ended it.
    pub(super) fn code(&self) -> Option<i32> {
        self.status.code()
    }
}

/// Runs [`Line`]s on the demo's cluster folder.
pub(super) struct Runner {
    exe: PathBuf,
    /// PATH for shell lines: the folder of `exe` first.
    path: OsString,
    /// The cluster folder as given (relative to the working directory, as the lines are).
    dir: String,
    /// `-v` given to the demo: every filka line runs (and is printed) with it.
    verbose: bool,
}

impl Runner {
    /// A runner of lines on the cluster folder `dir` (which must be valid UTF-8, since the
    /// lines that name it are text).
    pub(super) fn new(dir: &Path, verbose: bool) -> anyhow::Result<Runner> {
        let exe = std::env::current_exe().context("finding the filka binary that runs the demo")?;
        let folder = exe
            .parent()
            .ok_or_else(|| anyhow!("{} has no parent folder", exe.display()))?;
        let mut paths = vec![folder.to_path_buf()];
        if let Some(old) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&old));
        }
        let path = std::env::join_paths(paths).context("building PATH for the demo's lines")?;
        let dir = dir
            .to_str()
            .ok_or_else(|| anyhow!("the folder name {} is not UTF-8", dir.display()))?
            .to_string();
        Ok(Runner {
            exe,
            path,
            dir,
            verbose,
        })
    }

    /// The binary every line runs.
    pub(super) fn exe(&self) -> &Path {
        &self.exe
    }

    /// The cluster folder, as the lines name it.
    pub(super) fn dir(&self) -> &str {
        &self.dir
    }

    /// `filka --cluster DIR ARGS...`.
    pub(super) fn filka(&self, args: &[&str]) -> Line {
        let mut all = vec!["--cluster".to_string(), self.dir.clone()];
        if self.verbose {
            all.push("-v".to_string());
        }
        all.extend(args.iter().map(|a| a.to_string()));
        Line::Filka(all)
    }

    /// `filka --cluster DIR ARGS...` as shell text, to build shell lines from.
    pub(super) fn filka_text(&self, args: &[&str]) -> String {
        self.filka(args).text()
    }

    /// A shell line.
    pub(super) fn shell(&self, text: impl Into<String>) -> Line {
        Line::Shell(text.into())
    }

    fn command(&self, line: &Line) -> Command {
        match line {
            Line::Filka(args) => {
                let mut c = Command::new(&self.exe);
                c.args(args);
                c
            }
            Line::Shell(text) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(text).env("PATH", &self.path);
                c
            }
        }
    }

    /// Starts `line` with its stdout and stderr captured.
    pub(super) fn start(&self, line: &Line) -> anyhow::Result<Running> {
        let mut child = self
            .command(line)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot run `{}`", line.text()))?;
        let (tx, rx) = mpsc::channel();
        let out = child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        let err = child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        for (stream, is_err) in [(out, false), (err, true)] {
            let Some(stream) = stream else { continue };
            let tx = tx.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut buf = Vec::new();
                loop {
                    buf.clear();
                    match reader.read_until(b'\n', &mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            if buf.last() == Some(&b'\n') {
                                buf.pop();
                            }
                            let text = String::from_utf8_lossy(&buf).into_owned();
                            if tx.send(Event::Line { is_err, text }).is_err() {
                                break;
                            }
                        }
                    }
                }
                let _ = tx.send(Event::Closed);
            });
        }
        Ok(Running {
            child: Some(child),
            rx,
            open: 2,
            stdout: Vec::new(),
            stderr: Vec::new(),
            shown: Vec::new(),
        })
    }

    /// Runs `line` to its end.
    pub(super) fn run(&self, line: &Line) -> anyhow::Result<Ran> {
        self.start(line)?.wait(true)
    }
}

enum Event {
    Line { is_err: bool, text: String },
    Closed,
}

/// A started line whose output is being read.
pub(super) struct Running {
    child: Option<Child>,
    rx: Receiver<Event>,
    /// Streams not closed yet.
    open: usize,
    stdout: Vec<String>,
    stderr: Vec<String>,
    shown: Vec<String>,
}

impl Running {
    /// Its process id.
    pub(super) fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    fn take(&mut self, event: Event, keep_stdout: bool) {
        match event {
            Event::Line { is_err: true, text } => {
                self.shown.push(text.clone());
                self.stderr.push(text);
            }
            Event::Line {
                is_err: false,
                text,
            } => {
                if keep_stdout {
                    self.shown.push(text.clone());
                    self.stdout.push(text);
                }
            }
            Event::Closed => self.open = self.open.saturating_sub(1),
        }
    }

    /// Reads until it has printed `n` lines on stdout, its stdout ended, or `limit` passed;
    /// returns how many it has printed.
    pub(super) fn read_stdout(&mut self, n: usize, limit: Duration) -> usize {
        let start = Instant::now();
        while self.stdout.len() < n && self.open > 0 {
            let left = limit.saturating_sub(start.elapsed());
            match self.rx.recv_timeout(left) {
                Ok(event) => self.take(event, true),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => self.open = 0,
            }
        }
        self.stdout.len()
    }

    /// The stdout lines read so far.
    pub(super) fn stdout(&self) -> &[String] {
        &self.stdout
    }

    /// What it printed since it started or since the last drain, as [`Ran::shown`] and
    /// [`Ran::stderr`] hold it.
    pub(super) fn drain(&mut self) -> (Vec<String>, Vec<String>) {
        (
            std::mem::take(&mut self.shown),
            std::mem::take(&mut self.stderr),
        )
    }

    /// Waits for its end and returns what it printed. With `keep_stdout` false, what it
    /// printed on stdout from now on is not read (nobody processes it: its reader crashed).
    pub(super) fn wait(mut self, keep_stdout: bool) -> anyhow::Result<Ran> {
        while self.open > 0 {
            match self.rx.recv() {
                Ok(event) => self.take(event, keep_stdout),
                Err(_) => self.open = 0,
            }
        }
        let mut child = self
            .child
            .take()
            .ok_or_else(|| anyhow!("the command was already waited for"))?;
        let status = child.wait().context("waiting for a demo command")?;
        Ok(Ran {
            stdout: std::mem::take(&mut self.stdout),
            stderr: std::mem::take(&mut self.stderr),
            shown: std::mem::take(&mut self.shown),
            status,
        })
    }
}

impl Drop for Running {
    /// A line left running (the demo stopped on an error) is ended with it.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_plain_words_and_quotes_the_rest() {
        assert_eq!(quote("trucks_gps"), "trucks_gps");
        assert_eq!(quote("/tmp/a-b.c"), "/tmp/a-b.c");
        assert_eq!(quote(":"), ":");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("%v\\n"), "'%v\\n'");
        assert_eq!(quote("my tour"), "'my tour'");
        assert_eq!(quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn a_filka_line_prints_its_argv_quoted() {
        let line = Line::Filka(vec![
            "--cluster".into(),
            "my tour".into(),
            "consume".into(),
            "--format".into(),
            "%k %v\\n".into(),
        ]);
        assert_eq!(
            line.text(),
            "filka --cluster 'my tour' consume --format '%k %v\\n'"
        );
    }

    /// What a shell reads back from a printed line is the argv that runs.
    #[test]
    fn a_shell_reads_the_printed_line_back_as_the_same_argv() {
        let args = ["a b", "it's", "%p:%o\\n", "$HOME", "`x`", "*", ""];
        let line = Line::Filka(args.iter().map(|s| s.to_string()).collect());
        let script = format!(
            "printf '%s\\n' {}",
            line.text().trim_start_matches("filka ")
        );
        let out = Command::new("sh").arg("-c").arg(script).output().unwrap();
        let got: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
        assert_eq!(got, args);
    }
}
