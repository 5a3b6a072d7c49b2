//! The global flags mean what the help says, for every command: `--output` formats a
//! command does not print are refused (exit 2, one line), `-q` leaves stderr empty on
//! success, `-v` says something on stderr, and a `-vv` a command has no level for is
//! refused rather than ignored.

use filka::error::ExitCode;

use crate::harness::{TestCluster, stderr_lines};

/// A command line (after `filka --cluster DIR`), the formats it prints, and how many `-v`
/// levels it has.
struct Row {
    args: &'static [&'static str],
    input: &'static str,
    formats: &'static [&'static str],
    levels: u8,
}

const TEXT_JSON: &[&str] = &["text", "json"];

fn rows() -> Vec<Row> {
    vec![
        Row {
            args: &["dump", "SEGMENT"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["completions", "bash"],
            input: "",
            formats: &["text"],
            levels: 1,
        },
        Row {
            // (Resume, not pause: a paused follower would hold back every acks=all write of
            // the rows after it for replica.lag.time.max.ms.)
            args: &["simulate-failure", "resume-replication", "102"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["schema", "list"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["transactions", "list"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["transactions", "describe-producers", "-t", "t", "-p", "0"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["produce", "-t", "t"],
            input: "x\n",
            formats: TEXT_JSON,
            levels: 2,
        },
        Row {
            args: &[
                "pipe", "--from", "t", "--to", "piped", "-g", "pg", "--", "cat",
            ],
            input: "",
            formats: TEXT_JSON,
            levels: 2,
        },
        Row {
            args: &["topic", "list"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["topic", "create", "made", "-p", "1", "--if-not-exists"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["topic", "alter", "t", "--config", "retention.ms=86400000"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["topic", "delete", "nothing", "--if-exists"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["topic", "elect-leaders"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["topic", "partition-for", "t", "user-42"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["group", "list"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["group", "describe", "pg"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["describe", "cluster"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["describe", "partition", "t", "0"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["describe", "history"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        Row {
            args: &["describe", "zookeeper"],
            input: "",
            formats: TEXT_JSON,
            levels: 1,
        },
        // (--output avro needs Avro values: tested with the serializers.)
        Row {
            args: &["consume", "-t", "t"],
            input: "",
            formats: &["text", "json", "csv"],
            levels: 2,
        },
    ]
}

/// A cluster with topic `t` (2 records in partition 0) and the path of its first segment.
fn setup() -> (TestCluster, String) {
    let t = TestCluster::new();
    t.run(["topic", "create", "t", "-p", "1", "-r", "3"])
        .success();
    t.produce("t", "a\nb\n", &[]).success();
    let leader = t.open_cluster().partition("t", 0).unwrap().leader;
    let segment = t
        .data()
        .join(format!("broker-{leader}/t-0/00000000000000000000.log"))
        .display()
        .to_string();
    (t, segment)
}

fn args(row: &Row, segment: &str) -> Vec<String> {
    row.args
        .iter()
        .map(|a| {
            if *a == "SEGMENT" {
                segment.to_string()
            } else {
                (*a).to_string()
            }
        })
        .collect()
}

/// Runs `filka --cluster DIR FLAGS ROW` and returns the assertion handle.
fn run(t: &TestCluster, flags: &[&str], row: &Row, segment: &str) -> assert_cmd::assert::Assert {
    t.cmd()
        .args(flags)
        .args(args(row, segment))
        .write_stdin(row.input)
        .assert()
}

/// For every command: the formats it does not print are refused with one line (exit 2),
/// the ones it prints work; -q leaves stderr empty; -v says something more than the plain
/// run, on lines of its own; a -v level the command does not have is refused, not ignored.
#[test]
fn global_flags_mean_what_the_help_says_for_every_command() {
    let (t, segment) = setup();
    for row in rows() {
        let name = row.args.join(" ");
        let normal = stderr_lines(&run(&t, &[], &row, &segment).success());
        for format in ["json", "csv", "avro"] {
            if row.args[0] == "consume" && format == "avro" {
                continue;
            }
            let out = run(&t, &["--output", format], &row, &segment);
            if row.formats.contains(&format) {
                out.success();
            } else {
                let err = stderr_lines(&out.code(ExitCode::Usage.code()));
                assert!(
                    err.len() == 1 && err[0].contains(&format!("not --output {format}")),
                    "{name} --output {format}: {err:?}"
                );
            }
        }
        let quiet = stderr_lines(&run(&t, &["-q"], &row, &segment).success());
        assert_eq!(quiet, Vec::<String>::new(), "{name} -q");
        for level in 1..=row.levels + 1 {
            let flag = format!("-{}", "v".repeat(level as usize));
            let out = run(&t, &[flag.as_str()], &row, &segment);
            if level <= row.levels {
                let lines = stderr_lines(&out.success());
                assert!(
                    lines.len() > normal.len() && lines.iter().all(|l| l.starts_with("filka: ")),
                    "{name} {flag} says nothing more: {lines:?}"
                );
            } else {
                let err = stderr_lines(&out.code(ExitCode::Usage.code()));
                assert!(
                    err.len() == 1 && err[0].contains(&format!("has no {flag} level")),
                    "{name} {flag}: {err:?}"
                );
            }
        }
    }
}
