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
