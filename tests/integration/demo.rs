//! `filka demo`: plays the seed's example by running the commands it prints. The tests check
//! what happened (counts of records read, processed, lost and repeated; partitions), and
//! that the printed lines are the ones that ran, by running them again.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::harness::{FILKA, TestCluster, json_lines, stderr_lines, stdout_text};

/// Runs `line` with `sh -c` in `dir`, with the folder of the filka under test first in
/// PATH, as a user pastes a line the demo printed.
fn sh(dir: &Path, line: &str) -> Output {
    let bin = Path::new(FILKA).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    std::process::Command::new("sh")
        .arg("-c")
        .arg(line)
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("FILKA_CLUSTER")
        .output()
        .unwrap()
}

/// `filka demo tour --output json`: the step objects by number, and the closing summary.
fn play_json(t: &TestCluster) -> (BTreeMap<u64, Value>, Value) {
    let out = t
        .bare_cmd()
        .args(["demo", "tour", "--output", "json"])
        .assert()
        .success();
    let mut lines = json_lines(&out);
    let summary = lines.pop().unwrap();
    let steps = lines
        .into_iter()
        .map(|s| (s["step"].as_u64().unwrap(), s))
        .collect();
    (steps, summary)
}

fn outcome(steps: &BTreeMap<u64, Value>, step: u64, key: &str) -> Value {
    steps[&step]["outcome"][key].clone()
}

/// Each delivery semantics, crashed after the 3rd of 10 orders and restarted, in numbers
/// counted from what the billing commands printed.
#[test]
fn the_crashed_billing_process_loses_repeats_or_neither_as_its_semantics_say() {
    let t = TestCluster::new();
    let (steps, summary) = play_json(&t);
    assert_eq!(steps.len(), 12);
    assert_eq!(summary["as_expected"], true, "{summary}");
    for (step, (processed, lost, repeated)) in [(9, (3, 7, 0)), (10, (10, 0, 3)), (11, (10, 0, 0))]
    {
        let got = (
            outcome(&steps, step, "processed"),
            outcome(&steps, step, "lost"),
            outcome(&steps, step, "repeated"),
        );
        assert_eq!(
            got,
            (processed.into(), lost.into(), repeated.into()),
            "step {step}: {}",
            steps[&step]
        );
        assert_eq!(steps[&step]["as_expected"], true);
    }
    // At-most-once committed everything before the crash; at-least-once nothing.
    assert_eq!(outcome(&steps, 9, "committed_at_crash"), 10);
    assert_eq!(outcome(&steps, 10, "committed_at_crash"), Value::Null);
    // The crash is a real kill of the billing consumer, run between its two runs.
    for step in [9, 10] {
        let commands: Vec<&str> = steps[&step]["commands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let kill = commands
            .iter()
            .position(|c| c.starts_with("kill -9 "))
            .unwrap();
        assert!(commands[kill - 1].ends_with(" -f"), "{commands:?}");
        assert_eq!(
            commands[kill - 1].trim_end_matches(" -f"),
            *commands.last().unwrap()
        );
    }
    // What is left in the cluster agrees: the invoices read_committed, each once.
    let invoices = sh(
        t.path(),
        "filka --cluster tour consume -t invoices --isolation read_committed",
    );
    let mut lines: Vec<String> = String::from_utf8(invoices.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines.dedup();
    assert_eq!(lines.len(), 10);
}

/// The consumers read every record; keys stay in their partition, across the failover too.
#[test]
fn the_consumers_read_everything_and_keys_keep_their_partition() {
    let t = TestCluster::new();
    let (steps, _) = play_json(&t);
    assert_eq!(
        outcome(&steps, 1, "brokers"),
        serde_json::json!([101, 102, 103])
    );
    assert_eq!(outcome(&steps, 3, "records"), 10);
    assert_eq!(outcome(&steps, 4, "records_read"), 10);
    let actions: u64 = outcome(&steps, 4, "actions")
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(actions, 10);
    assert_eq!(outcome(&steps, 5, "records_read"), 10);
    assert_eq!(outcome(&steps, 5, "same_as_produced"), true);
    for (user, partitions) in outcome(&steps, 3, "partitions_of_user")
        .as_object()
        .unwrap()
    {
        assert_eq!(
            partitions.as_array().unwrap().len(),
            1,
            "{user}: {partitions}"
        );
    }
    // Trucks: each in one partition, and the cluster says the same when read again.
    assert_eq!(outcome(&steps, 6, "records_read"), 12);
    let trucks = outcome(&steps, 6, "partitions_of_truck");
    let trucks = trucks.as_object().unwrap();
    assert_eq!(trucks.len(), 6);
    let read = sh(
        t.path(),
        steps[&6]["commands"][1].as_str().unwrap(), // consume -t trucks_gps --format '%k %p %o\n'
    );
    assert!(read.status.success());
    let read = String::from_utf8(read.stdout).unwrap();
    assert_eq!(read.lines().count(), 12);
    for l in read.lines() {
        let (truck, rest) = l.split_once(' ').unwrap();
        let p: u64 = rest.split(' ').next().unwrap().parse().unwrap();
        assert_eq!(trucks[truck], serde_json::json!([p]), "{l}");
    }
    // Broker 101 led some partitions; they moved and came back, nothing was lost.
    let moved = outcome(&steps, 7, "leaders_moved").as_u64().unwrap();
    assert!(moved > 0);
    assert_eq!(outcome(&steps, 8, "leaders_back"), moved);
    assert_eq!(outcome(&steps, 7, "records_readable"), 12);
    // 101 led the controller quorum too (combined mode): another voter leads it, in a
    // later epoch.
    assert_ne!(outcome(&steps, 7, "quorum_leader"), 101);
    assert!(outcome(&steps, 7, "quorum_epoch").as_i64().unwrap() > 1);
    assert_eq!(
        outcome(&steps, 7, "isr_shrunk"),
        outcome(&steps, 8, "isr_rejoined")
    );
    assert_eq!(
        outcome(&steps, 12, "partitions"),
        outcome(&steps, 12, "in_sync")
    );
}

/// One command of the transcript: its line (heredoc included) and what it printed.
#[derive(Debug)]
struct Shown {
    line: String,
    output: Vec<String>,
}

/// The `$ LINE` commands of a text transcript, with the output printed under each.
fn transcript(text: &str) -> Vec<Shown> {
    let mut shown: Vec<Shown> = Vec::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if let Some(line) = l.strip_prefix("$ ") {
            let mut line = line.to_string();
            if line.ends_with("<<'EOF'") {
                for more in lines.by_ref() {
                    line.push('\n');
                    line.push_str(more);
                    if more == "EOF" {
                        break;
                    }
                }
            }
            shown.push(Shown {
                line,
                output: Vec::new(),
            });
        } else if let Some(out) = l.strip_prefix("  ")
            && let Some(last) = shown.last_mut()
        {
            last.output.push(out.to_string());
        }
    }
    shown
}

/// Regression: the demo printed `topic create -r 3` and created its topics with other
/// configs, narrated steps 9 and 10 without running them, and printed commands without
/// `--cluster` after `&&`. Every line it prints is now the one it runs: the same lines as
/// its JSON, each naming the cluster wherever filka runs, and running one again prints
/// what the demo showed.
#[test]
fn every_printed_line_is_what_ran_and_runs_again_as_printed() {
    let t = TestCluster::new();
    let out = t.bare_cmd().args(["demo", "tour"]).assert().success();
    let text = stdout_text(&out);
    let shown = transcript(&text);
    assert!(filka::cluster::locate::is_root(&t.path().join("tour")));
    assert!(t.path().join("tour/broker-101/meta.properties").is_file());

    // The same lines as the JSON of another run in a folder of the same name (the pids of
    // the kills aside), and the look-around commands after them.
    let other = TestCluster::new();
    let (steps, summary) = play_json(&other);
    let mut lines: Vec<String> = steps
        .values()
        .flat_map(|s| s["commands"].as_array().unwrap().clone())
        .chain(summary["look_around"].as_array().unwrap().clone())
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let pid = |l: &str| -> String {
        if l.starts_with("kill -9 ") {
            l.split(' ')
                .filter(|w| w.parse::<u32>().is_err())
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            l.to_string()
        }
    };
    let printed: Vec<String> = shown.iter().map(|s| pid(&s.line)).collect();
    lines = lines.iter().map(|l| pid(l)).collect();
    assert_eq!(printed, lines);

    // filka runs on every side of && and | with the cluster named.
    for s in &shown {
        let first = s.line.lines().next().unwrap();
        for part in first.split("&&").flat_map(|p| p.split(" | ")) {
            let part = part.trim();
            if part.starts_with("filka") {
                assert!(part.starts_with("filka --cluster tour "), "{first}");
            }
        }
    }

    // Read-only lines print again what the demo showed under them.
    let find = |start: &str| shown.iter().rfind(|s| s.line.starts_with(start)).unwrap();
    for start in [
        "filka --cluster tour describe topics",
        "filka --cluster tour consume -t user-interactions --format",
        "filka --cluster tour consume -t trucks_gps --format",
        "filka --cluster tour consume -t invoices --isolation read_committed",
    ] {
        let s = find(start);
        let again = sh(t.path(), &s.line);
        assert!(again.status.success(), "{}", s.line);
        let again: Vec<String> = String::from_utf8(again.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(again, s.output, "{}", s.line);
    }
    // The commands to look around with run as printed.
    let look = text.split("Look around next:").nth(1).unwrap();
    for s in transcript(look) {
        let ran = sh(t.path(), &s.line);
        assert!(
            ran.status.success() && !ran.stdout.is_empty(),
            "{}: {}",
            s.line,
            String::from_utf8_lossy(&ran.stderr)
        );
    }
}

/// -q: one line per step, its title and outcome; --cluster names the folder.
#[test]
fn quiet_tells_one_line_per_step_in_the_cluster_folder() {
    let t = TestCluster::new();
    let out = t
        .bare_cmd()
        .args(["--cluster", "tour", "demo", "-q"])
        .assert()
        .success();
    assert!(stderr_lines(&out).is_empty(), "{:?}", stderr_lines(&out));
    let text = stdout_text(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 12, "{text}");
    for (i, l) in lines.iter().enumerate() {
        assert!(l.starts_with(&format!("Step {}: ", i + 1)), "{l}");
    }
    assert!(lines[0].contains("cluster in tour"), "{}", lines[0]);
    assert!(
        lines[8].ends_with(": processed 3, lost 7, repeated 0"),
        "{}",
        lines[8]
    );
    assert!(
        lines[9].ends_with(": processed 10, lost 0, repeated 3"),
        "{}",
        lines[9]
    );
    assert!(
        lines[10].ends_with(": processed 10, lost 0, repeated 0"),
        "{}",
        lines[10]
    );
    assert!(filka::cluster::locate::is_root(&t.path().join("tour")));
}

#[test]
fn the_folder_is_dir_or_cluster_or_a_new_one_and_never_holds_a_cluster() {
    let t = TestCluster::new();
    // DIR and a different --cluster: refused before anything is made.
    let out = t
        .bare_cmd()
        .args(["demo", "x", "--cluster", "y"])
        .assert()
        .code(2);
    assert_eq!(stderr_lines(&out).len(), 1, "{:?}", stderr_lines(&out));
    assert!(!t.path().join("x").exists() && !t.path().join("y").exists());
    // The same folder twice is one folder.
    t.bare_cmd()
        .args(["init"])
        .arg("--cluster")
        .arg("taken")
        .assert()
        .success();
    for args in [
        vec!["demo", "taken", "--cluster", "./taken"],
        vec!["--cluster", "taken", "demo"],
    ] {
        let out = t.bare_cmd().args(&args).assert().code(1);
        let err = stderr_lines(&out);
        assert_eq!(err.len(), 1, "{args:?}: {err:?}");
        assert!(
            err[0].contains("taken already holds a filka cluster"),
            "{err:?}"
        );
    }
    // FILKA_CLUSTER names the folder too.
    let out = t
        .bare_cmd()
        .env("FILKA_CLUSTER", "taken")
        .arg("demo")
        .assert()
        .code(1);
    assert!(stderr_lines(&out)[0].contains("taken already holds"));
    // Neither: a new ./filka-demo, or the next free name.
    std::fs::create_dir(t.path().join("filka-demo")).unwrap();
    let out = t.bare_cmd().args(["demo", "-q"]).assert().success();
    assert!(stdout_text(&out).starts_with("Step 1: "));
    assert!(
        stdout_text(&out)
            .lines()
            .next()
            .unwrap()
            .contains("cluster in filka-demo-2")
    );
    assert!(filka::cluster::locate::is_root(
        &t.path().join("filka-demo-2")
    ));
}

#[test]
fn output_csv_and_avro_are_refused() {
    let t = TestCluster::new();
    for format in ["csv", "avro"] {
        let out = t
            .bare_cmd()
            .args(["demo", "tour", "--output", format])
            .assert()
            .code(2);
        let err = stderr_lines(&out);
        assert_eq!(err.len(), 1, "{err:?}");
        assert!(err[0].contains(&format!("--output {format}")), "{err:?}");
        assert!(!t.path().join("tour").exists());
    }
}

/// A step whose outcome is not what it should be is told as it happened, the demo goes on,
/// and it exits 1 naming the step. Here `uniq` counts wrong, so the analytics consumer's
/// count (step 4) is short.
#[test]
fn a_step_that_does_not_behave_is_told_as_it_happened_and_fails_the_demo() {
    let t = TestCluster::new();
    let fake = t.path().join("fake-bin");
    std::fs::create_dir(&fake).unwrap();
    let uniq = fake.join("uniq");
    std::fs::write(&uniq, "#!/bin/sh\ncat >/dev/null\necho '      4 viewed'\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&uniq, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::join_paths(std::iter::once(fake.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let out = t
        .bare_cmd()
        .env("PATH", path)
        .args(["demo", "tour", "--output", "json"])
        .assert()
        .code(1);
    let steps = json_lines(&out);
    assert_eq!(steps.len(), 13, "every step is still played and told");
    assert_eq!(steps[3]["outcome"]["records_read"], 4);
    assert_eq!(steps[3]["as_expected"], false);
    assert!(steps.iter().filter(|s| s["as_expected"] == false).count() == 2); // + the summary
    let err = stderr_lines(&out);
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(
        err[0].starts_with("filka: demo: step 4 (")
            && err[0].contains("did not behave as expected: analytics read 4 of 10 records"),
        "{err:?}"
    );
}

/// A command that fails stops the demo with a line naming the step and the command; with
/// -q its stderr is shown then.
#[test]
fn a_failing_command_stops_the_demo_and_says_which() {
    let t = TestCluster::new();
    let fake = t.path().join("fake-bin");
    std::fs::create_dir(&fake).unwrap();
    let uniq = fake.join("uniq");
    std::fs::write(
        &uniq,
        "#!/bin/sh\ncat >/dev/null\necho 'uniq: broken' >&2\nexit 3\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&uniq, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::join_paths(std::iter::once(fake.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let out = t
        .bare_cmd()
        .env("PATH", path)
        .args(["demo", "tour", "-q"])
        .assert()
        .code(1);
    assert_eq!(stdout_text(&out).lines().count(), 3, "steps 1 to 3 only");
    let err = stderr_lines(&out);
    assert_eq!(
        err.first().map(String::as_str),
        Some("  uniq: broken"),
        "{err:?}"
    );
    let last = err.last().unwrap();
    assert!(
        last.starts_with("filka: demo: step 4 (")
            && last.contains("| uniq -c` ended with exit status: 3"),
        "{err:?}"
    );
}
