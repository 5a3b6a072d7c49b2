//! Shell completion that knows the cluster: a real shell sources the committed script from
//! completions/ and asks for candidates, which the real binary (on PATH as `filka`) reads
//! from a cluster with topics, groups, a transactional id, a schema subject and a down
//! broker. bash is always there; fish and zsh are tested when installed, and skipped with a
//! message when not, unless FILKA_REQUIRE_SHELLS names them (.ci/run installs both with
//! tests/shells/install.sh and sets it, so CI never skips them).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::harness::{FILKA, TestCluster, copy_dir, tree};

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(name)
}

/// PATH with the binary under test first, as `filka`.
fn path_with_filka() -> std::ffi::OsString {
    let dir = Path::new(FILKA).parent().unwrap().to_path_buf();
    let mut dirs = vec![dir];
    if let Some(p) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(dirs).unwrap()
}

/// One cluster for every test here (built once): topics orders (3 partitions) and payments
/// (2), group g1 (a consumer ran: a folder and offsets) and g2 (offsets committed by `group
/// commit`: no folder), transactional id tx1, subject orders-value, broker 102 down.
fn cluster() -> &'static TestCluster {
    static CLUSTER: OnceLock<TestCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let tc = TestCluster::new();
        tc.run(["topic", "create", "orders"]).success();
        tc.run(["topic", "create", "payments", "-p", "2"]).success();
        tc.produce("orders", "a\nb\n", &[]).success();
        tc.run([
            "consume",
            "-t",
            "orders",
            "-g",
            "g1",
            "-o",
            "beginning",
            "-c",
            "1",
        ])
        .success();
        tc.run([
            "group", "commit", "g2", "-t", "payments", "-p", "0", "-o", "0",
        ])
        .success();
        tc.produce("payments", "x\n", &["--transactional-id", "tx1"])
            .success();
        let schema =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schemas/truck_position.avsc");
        tc.cmd()
            .args(["schema", "register", "orders-value", "--file"])
            .arg(&schema)
            .assert()
            .success();
        tc.run(["simulate-failure", "broker-down", "102"]).success();
        // Files for `dump` and the schema flags, beside the cluster.
        let files = tc.path().join("files");
        std::fs::create_dir_all(files.join("sub")).unwrap();
        for name in [
            "00000000000000000000.log",
            "00000000000000000000.index",
            "00000000000000000000.timeindex",
            "00000000000000000000.snapshot",
            "00000000000000000000.txnindex",
            "leader-epoch-checkpoint",
            "notes.txt",
            "a.avsc",
            "b.proto",
        ] {
            std::fs::write(files.join(name), b"").unwrap();
        }
        tc
    })
}

/// The candidates bash's completion function gives for `words` (the last one is completed),
/// run in the cluster's folder with FILKA_CLUSTER naming it.
fn bash(words: &[&str]) -> Vec<String> {
    let tc = cluster();
    bash_in(tc.path(), Some(&tc.data()), words)
}

/// [`bash`] run in `cwd`, with FILKA_CLUSTER set to `cluster` or unset.
fn bash_in(cwd: &Path, cluster: Option<&Path>, words: &[&str]) -> Vec<String> {
    let mut command = Command::new("bash");
    match cluster {
        Some(c) => command.env("FILKA_CLUSTER", c),
        None => command.env_remove("FILKA_CLUSTER"),
    };
    let out = command
        .args(["--norc", "--noprofile", "-c"])
        .arg(
            r#"source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
_clap_complete_filka filka "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}""#,
        )
        .arg("bash")
        .arg(script("filka.bash"))
        .args(words)
        .current_dir(cwd)
        .env("PATH", path_with_filka())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The candidates that are not flags (a positional's empty word offers flags too).
fn values(candidates: Vec<String>) -> Vec<String> {
    candidates
        .into_iter()
        .filter(|c| !c.starts_with("--"))
        .collect()
}

#[test]
fn bash_completes_topics_without_internal_ones_until_underscores_are_typed() {
    for words in [
        &["filka", "consume", "-t", ""][..],
        &["filka", "produce", "--topic", ""],
        &["filka", "pipe", "--from", ""],
        &["filka", "pipe", "--to", ""],
        &["filka", "mirror", "-t", ""],
        &["filka", "topic", "describe", ""],
        &["filka", "topic", "alter", ""],
        &["filka", "topic", "delete", ""],
        &["filka", "describe", "topic", ""],
    ] {
        assert_eq!(values(bash(words)), ["orders", "payments"], "{words:?}");
    }
    assert_eq!(bash(&["filka", "consume", "-t", "p"]), ["payments"]);
    assert_eq!(
        bash(&["filka", "consume", "-t", "__"]),
        ["__consumer_offsets", "__transaction_state"]
    );
}

/// Broke: `--cluster` naming a Kafka node's log dir (which every read command opens,
/// read-only) completed nothing, since completion looked for a filka cluster root only.
#[test]
fn bash_completes_from_a_kafka_log_dir_named_by_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("kafka-logs");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apache-kafka/broker-101"),
        &logs,
    );
    let before = tree(&logs);
    let ask = |words: &[&str]| bash_in(dir.path(), None, words);
    assert_eq!(
        ask(&["filka", "--cluster", "kafka-logs", "consume", "-t", ""]),
        ["txn"]
    );
    assert_eq!(
        ask(&[
            "filka",
            "--cluster",
            "kafka-logs",
            "consume",
            "-t",
            "txn",
            "-p",
            ""
        ]),
        ["0"]
    );
    assert_eq!(tree(&logs), before, "completion wrote into Kafka's log dir");
}

#[test]
fn bash_completes_partitions_of_the_topic_given() {
    assert_eq!(
        bash(&["filka", "consume", "-t", "orders", "-p", ""]),
        ["0", "1", "2"]
    );
    assert_eq!(
        bash(&["filka", "consume", "--topic", "payments", "--partition", ""]),
        ["0", "1"]
    );
    assert_eq!(
        values(bash(&["filka", "describe", "partition", "payments", ""])),
        ["0", "1"]
    );
    // No topic given: nothing to say.
    assert!(bash(&["filka", "consume", "-p", ""]).is_empty());
}

/// Znode paths of `describe zookeeper`, one level at a time; a broker that is down has no
/// znode (its ephemeral registration went with its session).
#[test]
fn bash_completes_znode_paths_one_level_at_a_time() {
    assert_eq!(
        bash(&["filka", "describe", "zookeeper", "/brokers/"]),
        ["/brokers/ids", "/brokers/seqid", "/brokers/topics"]
    );
    assert_eq!(
        bash(&["filka", "describe", "zookeeper", "/brokers/ids/"]),
        ["/brokers/ids/101", "/brokers/ids/103"]
    );
    assert_eq!(
        bash(&["filka", "describe", "zookeeper", "/brokers/topics/o"]),
        ["/brokers/topics/orders"]
    );
    assert!(values(bash(&["filka", "describe", "zookeeper", ""])).contains(&"/controller".into()));
}

#[test]
fn bash_completes_brokers_voters_groups_transactional_ids_and_subjects() {
    for cmd in [
        "broker-down",
        "broker-up",
        "pause-replication",
        "resume-replication",
    ] {
        assert_eq!(
            values(bash(&["filka", "simulate-failure", cmd, ""])),
            ["101", "102", "103"],
            "{cmd}"
        );
    }
    // The default cluster's voters: its three combined nodes.
    assert_eq!(
        values(bash(&["filka", "simulate-failure", "controller-up", ""])),
        ["101", "102", "103"]
    );
    for words in [
        &["filka", "group", "describe", ""][..],
        &["filka", "group", "delete", ""],
        &["filka", "group", "reset-offsets", ""],
        &["filka", "group", "commit", ""],
        &["filka", "describe", "group", ""],
        &["filka", "consume", "-t", "orders", "-g", ""],
    ] {
        assert_eq!(values(bash(words)), ["g1", "g2"], "{words:?}");
    }
    assert_eq!(
        values(bash(&["filka", "transactions", "describe", ""])),
        ["tx1"]
    );
    assert_eq!(
        bash(&["filka", "transactions", "abort", "--transactional-id", ""]),
        ["tx1"]
    );
    assert_eq!(
        values(bash(&["filka", "schema", "show", ""])),
        ["orders-value"]
    );
}

#[test]
fn bash_completes_config_keys_offsets_and_files() {
    assert_eq!(
        bash(&["filka", "topic", "create", "t", "-c", "retention."]),
        ["retention.bytes=", "retention.ms="]
    );
    assert_eq!(
        bash(&["filka", "topic", "alter", "orders", "--config", "segment"]),
        ["segment.bytes=", "segment.ms="]
    );
    let offsets = bash(&["filka", "consume", "-t", "orders", "-o", ""]);
    assert_eq!(offsets[..3], ["beginning", "end", "-10"], "{offsets:?}");
    assert!(
        offsets[3..].iter().all(|o| o.starts_with('@')),
        "{offsets:?}"
    );
    assert_eq!(bash(&["filka", "consume", "-o", "b"]), ["beginning"]);
    assert_eq!(
        values(bash(&["filka", "dump", "files/"])),
        [
            "files/00000000000000000000.index",
            "files/00000000000000000000.log",
            "files/00000000000000000000.snapshot",
            "files/00000000000000000000.timeindex",
            "files/00000000000000000000.txnindex",
            "files/leader-epoch-checkpoint",
            "files/sub/",
        ]
    );
    assert_eq!(
        bash(&["filka", "produce", "-t", "x", "--value-schema", "files/"]),
        ["files/a.avsc", "files/sub/"]
    );
    assert_eq!(
        bash(&["filka", "produce", "-t", "x", "--proto", "files/"]),
        ["files/b.proto", "files/sub/"]
    );
}

#[test]
fn bash_completes_commands_and_flags_from_the_clap_definition() {
    assert_eq!(bash(&["filka", "gr"]), ["group"]);
    assert_eq!(
        bash(&["filka", "simulate-failure", "broker-d"]),
        ["broker-down"]
    );
    assert_eq!(bash(&["filka", "consume", "--timeo"]), ["--timeout-ms"]);
}

/// The cluster named with --cluster wins over FILKA_CLUSTER.
#[test]
fn the_cluster_on_the_command_line_is_the_one_read() {
    let other = TestCluster::new();
    other.run(["topic", "create", "elsewhere"]).success();
    let dir = other.data();
    let dir = dir.to_str().unwrap();
    assert_eq!(
        bash(&["filka", "--cluster", dir, "consume", "-t", ""]),
        ["elsewhere"]
    );
}

/// Descriptions, as the shells that show them (fish, zsh, PowerShell) receive them.
#[test]
fn candidates_carry_descriptions() {
    let tc = cluster();
    let ask = |words: &[&str]| {
        let out = Command::new(FILKA)
            .env("FILKA_COMPLETE", "fish")
            .env("FILKA_CLUSTER", tc.data())
            .current_dir(tc.path())
            .arg("--")
            .args(words)
            .output()
            .unwrap();
        assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let brokers = ask(&["filka", "simulate-failure", "broker-up", "1"]);
    assert_eq!(brokers, "101\tup\n102\tdown\n103\tup\n");
    let parts = ask(&["filka", "consume", "-t", "payments", "-p", ""]);
    assert!(parts.starts_with("0\tleader "), "{parts}");
    let topics = ask(&["filka", "consume", "-t", "o"]);
    assert_eq!(topics, "orders\t3 partitions\n");
    let keys = ask(&["filka", "topic", "create", "t", "-c", "retention.ms"]);
    assert_eq!(
        keys,
        "retention.ms=\tmilliseconds records are kept (-1 = forever); default 604800000\n"
    );
    let offsets = ask(&["filka", "consume", "-o", "beg"]);
    assert_eq!(offsets, "beginning\tthe log start offset\n");
}

/// Completion reads only: no cluster is created where there is none, nothing in a cluster
/// changes, and it does not wait for the controller lock a writer holds.
#[test]
fn completion_creates_nothing_writes_nothing_and_takes_no_lock() {
    let tc = cluster();
    // Waits at most 10 s: a completion blocked on a lock fails the test instead of hanging.
    let ask = |cluster: &Path| {
        let mut child = Command::new(FILKA)
            .env("FILKA_COMPLETE", "bash")
            .env("_CLAP_COMPLETE_INDEX", "3")
            .env("FILKA_CLUSTER", cluster)
            .current_dir(tc.path())
            .args(["--", "filka", "consume", "-t", ""])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > std::time::Duration::from_secs(10) {
                child.kill().unwrap();
                panic!("completion waited for a lock");
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        child.wait_with_output().unwrap()
    };
    let missing = tc.path().join("no-cluster-here");
    let out = ask(&missing);
    assert!(out.status.success() && out.stdout.is_empty() && out.stderr.is_empty());
    assert!(
        !missing.exists(),
        "completion created {}",
        missing.display()
    );

    let lock_path = filka::cluster::layout::Layout::new(tc.data()).controller_lock();
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .unwrap();
    fs2::FileExt::lock_exclusive(&lock).unwrap();
    let before = tree(&tc.data());
    let out = ask(&tc.data());
    fs2::FileExt::unlock(&lock).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "orders\npayments");
    for g in ["group", "transactions", "schema"] {
        let words: &[&str] = match g {
            "group" => &["--", "filka", "group", "describe", ""],
            "transactions" => &["--", "filka", "transactions", "describe", ""],
            _ => &["--", "filka", "schema", "show", ""],
        };
        let out = Command::new(FILKA)
            .env("FILKA_COMPLETE", "fish")
            .env("FILKA_CLUSTER", tc.data())
            .args(words)
            .output()
            .unwrap();
        assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
    }
    assert_eq!(tree(&tc.data()), before, "completion changed the cluster");
}

/// A broken cluster completes nothing and says nothing.
#[test]
fn a_broken_cluster_completes_nothing_silently() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "orders"]).success();
    for b in [101, 102, 103] {
        let qs = tc
            .data()
            .join(format!("broker-{b}/__cluster_metadata-0/quorum-state"));
        std::fs::write(&qs, b"{ not json").unwrap();
    }
    let out = Command::new(FILKA)
        .env("FILKA_COMPLETE", "fish")
        .env("FILKA_CLUSTER", tc.data())
        .args(["--", "filka", "consume", "-t", ""])
        .output()
        .unwrap();
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
}

/// An unrelated value of FILKA_COMPLETE does not turn a command into a completion.
#[test]
fn a_value_that_is_no_shell_runs_filka_as_usual() {
    let out = Command::new(FILKA)
        .env("FILKA_COMPLETE", "1")
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("filka "));
}

/// `filka completions SHELL` prints the committed script.
#[test]
fn completions_prints_the_committed_scripts() {
    for (shell, file) in [
        ("bash", "filka.bash"),
        ("zsh", "_filka"),
        ("fish", "filka.fish"),
        ("elvish", "filka.elv"),
        ("powershell", "_filka.ps1"),
    ] {
        let out = Command::new(FILKA)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(out.stdout, std::fs::read(script(file)).unwrap(), "{shell}");
    }
}

/// Whether `shell` runs here. A shell FILKA_REQUIRE_SHELLS names (comma-separated) must:
/// its test fails instead of skipping.
fn installed(shell: &str) -> bool {
    let runs = Command::new(shell)
        .arg("-c")
        .arg("exit 0")
        .output()
        .is_ok_and(|o| o.status.success());
    let required = std::env::var("FILKA_REQUIRE_SHELLS")
        .is_ok_and(|v| v.split(',').any(|s| s.trim() == shell));
    assert!(
        runs || !required,
        "{shell} is required (FILKA_REQUIRE_SHELLS) but does not run: tests/shells/install.sh installs it"
    );
    runs
}

#[test]
fn fish_completes_names_with_descriptions() {
    if !installed("fish") {
        eprintln!("SKIPPED fish_completes_names_with_descriptions: fish is not installed");
        return;
    }
    let tc = cluster();
    let ask = |line: &str| {
        let out = Command::new("fish")
            .args(["--no-config", "-c"])
            .arg(format!(
                "source {}; complete -C '{line}'",
                script("filka.fish").display()
            ))
            .current_dir(tc.path())
            .env("PATH", path_with_filka())
            .env("FILKA_CLUSTER", tc.data())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        ask("filka consume -t "),
        "orders\t3 partitions\npayments\t2 partitions\n"
    );
    assert_eq!(
        ask("filka simulate-failure broker-up 1"),
        "101\tup\n102\tdown\n103\tup\n"
    );
    assert_eq!(ask("filka group describe g"), "g1\ng2\n");
    assert_eq!(ask("filka transactions describe t"), "tx1\n");
}

/// zsh, as compsys runs the committed `_filka`: the completion function called with the
/// words typed and CURRENT at the last one, `_describe` (which would hand the candidates
/// to the line editor) replaced by one that prints them, `value:description` per line.
#[test]
fn zsh_completes_names_with_descriptions() {
    if !installed("zsh") {
        eprintln!("SKIPPED zsh_completes_names_with_descriptions: zsh is not installed");
        return;
    }
    let tc = cluster();
    let ask = |words: &[&str]| {
        let out = Command::new("zsh")
            .args(["-f", "-c"])
            .arg(
                r#"compdef() { :; }
_describe() { shift 2; print -l -- "${(@P)1}"; }
source "$1"; shift
words=("$@"); CURRENT=$#
_clap_dynamic_completer_filka"#,
            )
            .arg("zsh")
            .arg(script("_filka"))
            .args(words)
            .current_dir(tc.path())
            .env("PATH", path_with_filka())
            .env("FILKA_CLUSTER", tc.data())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert!(out.stderr.is_empty(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        ask(&["filka", "consume", "-t", ""]),
        "orders:3 partitions\npayments:2 partitions\n"
    );
    assert_eq!(
        ask(&["filka", "simulate-failure", "broker-up", "1"]),
        "101:up\n102:down\n103:up\n"
    );
    assert_eq!(ask(&["filka", "group", "describe", "g"]), "g1\ng2\n");
    assert_eq!(ask(&["filka", "transactions", "describe", "t"]), "tx1\n");
    assert_eq!(ask(&["filka", "schema", "show", "o"]), "orders-value\n");
    // Folders keep their slash through `-S /`; files of the kinds dump reads.
    assert_eq!(
        ask(&["filka", "dump", "files/0"]),
        "files/00000000000000000000.index\nfiles/00000000000000000000.log\n\
         files/00000000000000000000.snapshot\nfiles/00000000000000000000.timeindex\n\
         files/00000000000000000000.txnindex\n"
    );
}
