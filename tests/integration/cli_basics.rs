//! What every command shares: help with the exit-code table, version, completions without a
//! cluster, usage errors (exit 2), the one-line error format and broken pipes.

use std::process::Stdio;

use filka::error::ExitCode;
use predicates::prelude::*;

use crate::harness::{FILKA, TestCluster, stderr_lines};

#[test]
fn help_lists_the_exit_code_table() {
    let t = TestCluster::new();
    let out = t.run(["--help"]).success().get_output().stdout.clone();
    let help = String::from_utf8(out).unwrap();
    assert!(help.contains("Exit codes:"), "{help}");
    for code in ExitCode::ALL {
        let line = format!(
            "{:>2}  {:<17}  {}",
            code.code(),
            code.name(),
            code.description()
        );
        assert!(help.contains(&line), "missing `{line}` in:\n{help}");
    }
    for command in ["dump", "completions"] {
        assert!(help.contains(command), "{help}");
    }
}

#[test]
fn version_prints_name_and_version() {
    TestCluster::new()
        .run(["--version"])
        .success()
        .stdout(format!("filka {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn command_help_has_examples() {
    let t = TestCluster::new();
    for command in ["dump", "completions"] {
        t.run([command, "--help"])
            .success()
            .stdout(predicate::str::contains("Examples:\n"));
    }
}

#[test]
fn completions_work_without_a_cluster() {
    let t = TestCluster::new();
    for (shell, marker) in [
        ("bash", "_clap_complete_filka()"),
        ("zsh", "#compdef filka"),
        ("fish", "complete --keep-order --exclusive --command filka"),
        ("elvish", "edit:completion:arg-completer[filka]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        t.bare_cmd()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains(marker))
            .stderr("");
    }
    assert!(
        !t.data().exists(),
        "completions must not create the cluster"
    );
    assert!(
        !t.path().join("filka-data").exists(),
        "nor the default cluster"
    );
}

#[test]
fn usage_errors_exit_2() {
    let t = TestCluster::new();
    let usage = ExitCode::Usage.code();
    t.run(["no-such-command"]).code(usage);
    t.run(["--no-such-flag", "completions", "bash"]).code(usage);
    t.run(["completions", "tcsh"]).code(usage);
    t.run(["--output", "xml", "completions", "bash"])
        .code(usage);
    t.run(["dump"]).code(usage); // FILE is required
    t.run(["help"]).code(usage); // clap's help subcommand is disabled
    t.run(Vec::<&str>::new()).code(usage);
}

#[test]
fn an_error_is_one_line_with_its_exit_code() {
    let t = TestCluster::new();
    let assert = t.run(["dump", "/nonexistent/00000000000000000000.log"]);
    let assert = assert.code(ExitCode::NotFound.code()).stdout("");
    let lines = stderr_lines(&assert);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("filka: "), "{lines:?}");
    assert!(
        lines[0].contains("/nonexistent/00000000000000000000.log"),
        "{lines:?}"
    );
}

#[test]
fn control_characters_in_errors_are_escaped() {
    let t = TestCluster::new();
    let assert = t.run(["dump", "/nonexistent/evil\nname\u{1b}[2J.log"]);
    let assert = assert.code(ExitCode::NotFound.code());
    let lines = stderr_lines(&assert);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("evil\\nname\\x1b[2J.log"), "{lines:?}");
}

#[test]
fn a_closed_stdout_exits_0_silently() {
    // The reader goes away before filka writes: its write gets EPIPE (Rust ignores SIGPIPE).
    let mut child = std::process::Command::new(FILKA)
        .args(["completions", "bash"])
        .env_remove("FILKA_CLUSTER")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
