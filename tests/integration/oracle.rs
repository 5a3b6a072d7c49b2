//! The oracles: kafka-python, an implementation of Kafka's record format independent of
//! ours, run as a subprocess to decode the segment files we write (kafka-format.md §11);
//! fastavro and protoc (from grpcio-tools) for Avro and Protobuf values.
//!
//! The first call creates a virtualenv with pinned kafka-python and codec packages
//! (tests/oracle/setup.sh, which needs `python3` and, the first time, access to PyPI; it
//! locks and is idempotent, so parallel tests and test binaries share one venv under
//! target/). Set FILKA_ORACLE_VENV to put the venv elsewhere.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The oracle venv's python, creating the venv on first use.
pub fn oracle_python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let script = repo().join("tests/oracle/setup.sh");
            let out = Command::new("bash")
                .arg(&script)
                .current_dir(repo())
                .output()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{} failed ({}):\n{}{}",
                script.display(),
                out.status,
                stdout,
                String::from_utf8_lossy(&out.stderr)
            );
            let python = stdout
                .lines()
                .map(str::trim)
                .rfind(|l| !l.is_empty())
                .unwrap_or_else(|| panic!("{} printed no python path", script.display()));
            PathBuf::from(python)
        })
        .clone()
}

/// Decodes `logs` with kafka-python (tests/oracle/decode_log.py): one JSON object per
/// record, CRCs checked, every file fully made of complete batches. Panics with the
/// script's stderr if kafka-python rejects anything.
pub fn decode_with_kafka_python(logs: &[&Path]) -> Vec<serde_json::Value> {
    let script = repo().join("tests/oracle/decode_log.py");
    let out = Command::new(oracle_python())
        .arg(&script)
        .args(logs)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "kafka-python rejected {logs:?} ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("decode_log.py prints UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// Runs tests/oracle/decode_values.py with `args` and `stdin` (fastavro and protoc, the
/// independent decoders of Avro and Protobuf values) and returns its stdout. Panics with
/// the script's stderr if the decoder rejects anything.
pub fn decode_values(args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    let script = repo().join("tests/oracle/decode_values.py");
    let mut child = Command::new(oracle_python())
        .arg(&script)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "decode_values.py {args:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("decode_values.py prints UTF-8")
}

/// Regression: the README said the tests need only Rust, and where python3 or its venv
/// module was missing (Debian without python3-venv) setup.sh died with bash's and Python's
/// own messages. It now says what is missing, in one line.
#[test]
fn oracle_setup_says_in_one_line_what_is_missing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    // An interpreter without the venv module: every import check fails.
    let no_venv = dir.path().join("python-without-venv");
    std::fs::write(&no_venv, "#!/bin/sh\nexit 1\n").unwrap();
    std::fs::set_permissions(&no_venv, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = repo().join("tests/oracle/setup.sh");
    for (python, needle) in [
        (dir.path().join("no-such-python3"), "not found"),
        (no_venv, "has no venv module"),
    ] {
        let out = Command::new("bash")
            .arg(&script)
            .env("PYTHON", &python)
            .env("FILKA_ORACLE_VENV", dir.path().join("venv"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{python:?}: {stderr}");
        assert!(
            out.stdout.is_empty(),
            "{python:?}: no python path on failure"
        );
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{python:?}: {stderr}");
        assert!(
            lines[0].starts_with("setup.sh: ") && lines[0].contains(needle),
            "{python:?}: {stderr}"
        );
    }
}

/// Reads `.snapshot` and `.txnindex` files with tests/oracle/decode_pstate.py (Kafka's
/// readers rewritten in Python from kafka-format.md, CRC-32C from kafka-python): one JSON
/// object per file. Panics with the script's stderr if it refuses a file.
pub fn decode_producer_files(files: &[&Path]) -> Vec<serde_json::Value> {
    let script = repo().join("tests/oracle/decode_pstate.py");
    let out = Command::new(oracle_python())
        .arg(&script)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "the independent reader refused {files:?} ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
