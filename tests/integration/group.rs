//! `filka group` and `filka consume --group`: offsets in `__consumer_offsets`, resuming,
//! commit modes, reset/delete, and members in separate processes (SIGKILL, SIGSTOP).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{FILKA, TestCluster, json_lines, stdout_text};

fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::to_string)
        .collect()
}

/// A topic with `per` records ("p-i") in each of `parts` partitions.
fn setup(tc: &TestCluster, topic: &str, parts: u32, per: u32) {
    tc.run(["topic", "create", topic, "-p", &parts.to_string()])
        .success();
    for p in 0..parts {
        let input: String = (0..per).map(|i| format!("{p}-{i}\n")).collect();
        tc.produce(topic, input, &["-p", &p.to_string()]).success();
    }
}

fn committed(tc: &TestCluster, group: &str) -> BTreeMap<(String, u32), i64> {
    filka::group::offsets::read(&tc.open_cluster(), group)
        .unwrap()
        .into_iter()
        .map(|(k, v)| (k, v.offset))
        .collect()
}

fn spawn(tc: &TestCluster, args: &[&str], out: &Path) -> Child {
    Command::new(FILKA)
        .arg("--cluster")
        .arg(tc.data())
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(out).unwrap())
        // A file, not a pipe nobody reads: a chatty member must never block on stderr.
        .stderr(std::fs::File::create(out.with_extension("err")).unwrap())
        .spawn()
        .unwrap()
}

fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn commit_lands_in_consumer_offsets_in_kafkas_schema() {
    let tc = TestCluster::new();
    setup(&tc, "demo", 1, 50);
    tc.run([
        "group", "commit", "my-group", "-t", "demo", "-p", "0", "-o", "42",
    ])
    .success();
    tc.run([
        "group", "commit", "my-group", "-t", "demo", "-p", "0", "-o", "43",
    ])
    .success();
    // kafka-format.md §9.4: "my-group" lives in partition 12; the latest commit wins.
    let c = tc.open_cluster();
    let t = c.topic("__consumer_offsets").unwrap();
    assert_eq!(t.partitions.len(), 50);
    let view = filka::cluster::replica::PartitionView::read(&c, "__consumer_offsets", 12).unwrap();
    assert_eq!(view.high_watermark, 2);
    assert_eq!(committed(&tc, "my-group")[&("demo".into(), 0)], 43);
    let rows = json_lines(
        &tc.run(["group", "describe", "my-group", "--output", "json"])
            .success(),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["current_offset"], 43);
    assert_eq!(rows[0]["log_end_offset"], 50);
    assert_eq!(rows[0]["lag"], 7);
    let text = stdout_text(&tc.run(["describe", "group", "my-group"]).success());
    let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "GROUP",
            "TOPIC",
            "PARTITION",
            "CURRENT-OFFSET",
            "LOG-END-OFFSET",
            "LAG",
            "CONSUMER-ID",
            "HOST",
            "CLIENT-ID",
            "LOG-START-OFFSET"
        ]
    );
    let list = stdout_text(&tc.run(["group", "list"]).success());
    assert!(
        list.lines()
            .any(|l| l.split_whitespace().take(2).eq(["my-group", "Empty"])),
        "{list}"
    );
    tc.run(["group", "describe", "nobody"]).code(4);
}

#[test]
fn consume_group_resumes_where_it_committed() {
    let tc = TestCluster::new();
    setup(&tc, "t", 2, 10);
    // A new group starts at latest by default: nothing to read.
    let out = tc.run(["consume", "-t", "t", "-g", "late"]).success();
    assert!(out.get_output().stdout.is_empty());
    let first = lines(
        &tc.run([
            "consume",
            "-t",
            "t",
            "-g",
            "g",
            "--offset",
            "beginning",
            "-c",
            "5",
        ])
        .success()
        .get_output()
        .stdout,
    );
    assert_eq!(first.len(), 5);
    let rest = lines(
        &tc.run(["consume", "-t", "t", "-g", "g"])
            .success()
            .get_output()
            .stdout,
    );
    assert_eq!(rest.len(), 15);
    let all: BTreeSet<String> = first.iter().chain(&rest).cloned().collect();
    assert_eq!(
        all.len(),
        20,
        "every record exactly once across the two runs"
    );
    assert!(
        tc.run(["consume", "-t", "t", "-g", "g"])
            .success()
            .get_output()
            .stdout
            .is_empty()
    );
    let c = committed(&tc, "g");
    assert_eq!(c.values().copied().collect::<Vec<_>>(), [10, 10]);
    // --commit none reads but never commits.
    let n = tc
        .run([
            "consume",
            "-t",
            "t",
            "-g",
            "n",
            "--offset",
            "beginning",
            "--commit",
            "none",
        ])
        .success();
    assert_eq!(lines(&n.get_output().stdout).len(), 20);
    assert!(committed(&tc, "n").is_empty());
    // --commit before (at-most-once) commits what it is about to print.
    tc.run([
        "consume",
        "-t",
        "t",
        "-g",
        "b",
        "--offset",
        "beginning",
        "--commit",
        "before",
        "-c",
        "3",
    ])
    .success();
    assert_eq!(committed(&tc, "b").values().sum::<i64>(), 3);
    tc.run(["consume", "-t", "t", "-g", "g", "-p", "0"]).code(2);
    // Several topics per group; without --group only one topic is allowed.
    setup(&tc, "u", 3, 4);
    let both = tc
        .run([
            "consume",
            "-t",
            "t",
            "-t",
            "u",
            "-g",
            "m",
            "--offset",
            "beginning",
        ])
        .success();
    assert_eq!(lines(&both.get_output().stdout).len(), 20 + 12);
    assert_eq!(committed(&tc, "m").len(), 5);
    tc.run(["consume", "-t", "t", "-t", "u"]).code(2);
}

#[test]
fn reset_offsets_plans_executes_exports_and_clamps() {
    let tc = TestCluster::new();
    setup(&tc, "t", 2, 10);
    tc.run(["consume", "-t", "t", "-g", "g", "--offset", "beginning"])
        .success();
    let dry = tc
        .run(["group", "reset-offsets", "g", "--to-earliest"])
        .success();
    assert!(stdout_text(&dry).contains("NEW-OFFSET"));
    assert_eq!(
        committed(&tc, "g").values().sum::<i64>(),
        20,
        "dry run changed nothing"
    );
    let plan = stdout_text(
        &tc.run([
            "group",
            "reset-offsets",
            "g",
            "-t",
            "t",
            "--shift-by",
            "-3",
            "--export",
        ])
        .success(),
    );
    assert_eq!(plan, "t,0,7\nt,1,7\n");
    let clamped = tc
        .run([
            "group",
            "reset-offsets",
            "g",
            "--to-offset",
            "99",
            "--execute",
        ])
        .success();
    assert!(String::from_utf8_lossy(&clamped.get_output().stderr).contains("using 10"));
    let file = tc.path().join("plan.csv");
    std::fs::write(&file, "t,0,2\nt,1,4\n").unwrap();
    tc.cmd()
        .args(["group", "reset-offsets", "g", "--from-file"])
        .arg(&file)
        .arg("--execute")
        .assert()
        .success();
    let c = committed(&tc, "g");
    assert_eq!(c.values().copied().collect::<Vec<_>>(), [2, 4]);
    let again = tc.run(["consume", "-t", "t", "-g", "g"]).success();
    assert_eq!(lines(&again.get_output().stdout).len(), 8 + 6);
    tc.run([
        "group",
        "reset-offsets",
        "g",
        "--to-latest",
        "--to-earliest",
    ])
    .code(2);
    tc.run(["group", "delete-offsets", "g", "-t", "t"])
        .success();
    assert!(committed(&tc, "g").is_empty());
    tc.run(["group", "commit", "g", "-t", "t", "-p", "0", "-o", "1"])
        .success();
    tc.run(["group", "delete", "g"]).success();
    tc.run(["group", "describe", "g"]).code(4);
}

/// (partition, offset) pairs of a member's `%p %o` output. A last line without its newline
/// (torn by a kill) is left out: "2 1" may be what is left of "2 1234".
fn read_offsets(out: &Path) -> Vec<(u32, i64)> {
    let text = String::from_utf8_lossy(&std::fs::read(out).unwrap_or_default()).into_owned();
    let whole = text.rfind('\n').map_or("", |end| &text[..end]);
    whole
        .lines()
        .filter_map(|l| {
            let mut it = l.split(' ');
            Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
        })
        .collect()
}

/// `group describe --members --output json`: client id -> (assigned, owned) partitions.
fn members_of(tc: &TestCluster, group: &str) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    // A group nobody joined yet does not exist (exit 4): no members.
    let out = tc
        .cmd()
        .args(["group", "describe", group, "--members", "--output", "json"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .collect::<Vec<_>>()
        .iter()
        .map(|m| {
            (
                m["client_id"].as_str().unwrap_or_default().to_string(),
                (strings(&m["partitions"]), strings(&m["owned"])),
            )
        })
        .collect()
}

fn wait_exit(child: &mut Child, what: &str) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("{what} did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Regression: an expelled SIGSTOPped member kept its partitions (its ownership flocks stayed
/// held), so the live member could not read them until the stopped process resumed.
#[test]
fn a_stopped_member_is_expelled_its_partitions_handed_over_and_its_commit_refused() {
    let tc = TestCluster::new();
    setup(&tc, "t", 4, 5);
    let (oa, ob) = (tc.path().join("a.out"), tc.path().join("b.out"));
    let args = |interval: &'static str| {
        [
            "consume",
            "-t",
            "t",
            "-g",
            "s",
            "-f",
            "--offset",
            "beginning",
            "--session-timeout-ms",
            "3000",
            "--auto-commit-interval-ms",
            interval,
            "--format",
            "%p %o\\n",
        ]
    };
    // A commits only when it hands partitions over (never on its own), so what it reads
    // later stays uncommitted: a commit for its zombie to be refused.
    let mut a = spawn(&tc, &args("3600000"), &oa);
    wait_until("a reads", Duration::from_secs(60), || {
        read_offsets(&oa).len() == 20
    });
    let mut b = spawn(&tc, &args("100"), &ob);
    let (a_id, b_id) = (
        format!("console-consumer-{}", a.id()),
        format!("console-consumer-{}", b.id()),
    );
    // Both hold their share: A committed and gave back what moved to B.
    let mut a_parts = Vec::new();
    wait_until("b takes its share", Duration::from_secs(60), || {
        let m = members_of(&tc, "s");
        let holds = |id: &str| m.get(id).map(|(_, owned)| owned.len()).unwrap_or(0);
        a_parts = m.get(&a_id).map(|(_, o)| o.clone()).unwrap_or_default();
        holds(&a_id) == 2 && holds(&b_id) == 2
    });
    tc.run(["group", "reset-offsets", "s", "--to-earliest", "--execute"])
        .code(1);
    tc.run(["group", "delete", "s"]).code(1);
    let a_parts: Vec<u32> = a_parts
        .iter()
        .map(|tp| tp.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    // Records 5..9 of every partition; A reads its own and does not commit them.
    for p in 0..4u32 {
        let input: String = (5..10).map(|i| format!("{p}-{i}\n")).collect();
        tc.produce("t", input, &["-p", &p.to_string()]).success();
    }
    wait_until("a reads the new records", Duration::from_secs(60), || {
        let got = read_offsets(&oa);
        a_parts
            .iter()
            .all(|p| got.iter().any(|&(q, o)| q == *p && o == 9))
    });
    let signal = |sig: &str| {
        Command::new("kill")
            .args([sig, &a.id().to_string()])
            .status()
            .unwrap()
    };
    // Stopped once, wherever it happens to be: nothing it holds keeps B from expelling it
    // and taking its partitions.
    signal("-STOP");
    for p in 0..4u32 {
        let input: String = (10..15).map(|i| format!("{p}-{i}\n")).collect();
        tc.produce("t", input, &["-p", &p.to_string()]).success();
    }
    wait_until(
        "b reads the stopped member's partitions",
        Duration::from_secs(60),
        || {
            let got = read_offsets(&ob);
            a_parts
                .iter()
                .all(|p| (5..15).all(|o| got.contains(&(*p, o))))
        },
    );
    let m = members_of(&tc, "s");
    assert_eq!(m.keys().collect::<Vec<_>>(), [&b_id], "only b is a member");
    assert_eq!(m[&b_id].1.len(), 4, "b holds every partition: {m:?}");
    wait_until("b commits everything", Duration::from_secs(60), || {
        let c = committed(&tc, "s");
        c.len() == 4 && c.values().all(|&o| o == 15)
    });
    signal("-CONT");
    let status = wait_exit(&mut a, "the resumed member");
    let err = std::fs::read_to_string(oa.with_extension("err")).unwrap();
    assert_eq!(status.code(), Some(9), "{err}");
    assert!(err.contains("commit was refused"), "{err}");
    // The zombie's commit (offset 10 on its partitions) never landed: the offsets are B's.
    let c = committed(&tc, "s");
    assert!(c.values().all(|&o| o == 15), "{c:?}");
    b.kill().unwrap();
    b.wait().unwrap();
}

/// Samples the group's state until `stop`, and returns how many samples were taken and
/// every moment a partition was held by two members at once.
fn watch_ownership(
    tc: &TestCluster,
    group: &str,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<(usize, Vec<String>)> {
    let dir = filka::group::coordinator::group_dir(tc.open_cluster().layout(), group);
    std::thread::spawn(move || {
        let (mut samples, mut bad) = (0, Vec::new());
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            if let Ok((version, st)) = filka::group::state::read(&dir) {
                samples += 1;
                let mut holder: BTreeMap<&(String, u32), &String> = BTreeMap::new();
                for (m, tps) in &st.owned {
                    if !st.members.contains_key(m) {
                        bad.push(format!("v{version}: {m} holds {tps:?} but is no member"));
                    }
                    for tp in tps {
                        if let Some(other) = holder.insert(tp, m) {
                            bad.push(format!("v{version}: {tp:?} held by {m} and {other}"));
                        }
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        (samples, bad)
    })
}

#[test]
fn four_members_one_killed_every_record_read_lag_zero() {
    let tc = TestCluster::new();
    let per = 12_500u32; // 100,000 records over 8 partitions
    setup(&tc, "big", 8, per);
    tc.run(["group", "commit", "four", "-t", "big", "-p", "0", "-o", "0"])
        .success();
    let outs: Vec<_> = (0..4)
        .map(|i| tc.path().join(format!("m{i}.out")))
        .collect();
    let args = [
        "consume",
        "-t",
        "big",
        "-g",
        "four",
        "-f",
        "--offset",
        "beginning",
        "--auto-commit-interval-ms",
        "50",
        "--format",
        "%p %o\\n",
    ];
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = watch_ownership(&tc, "four", stop.clone());
    // The member to be killed writes into a pipe read slowly (a slow downstream), so that it
    // is still busy, with records written out but not yet committed, when it dies.
    let victim = 0;
    let mut first = Command::new(FILKA)
        .arg("--cluster")
        .arg(tc.data())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(outs[victim].with_extension("err")).unwrap())
        .spawn()
        .unwrap();
    let mut pipe = first.stdout.take().unwrap();
    let sink_path = outs[victim].clone();
    let copier = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let mut file = std::fs::File::create(sink_path).unwrap();
        let mut buf = [0u8; 4096];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => file.write_all(&buf[..n]).unwrap(),
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    });
    wait_until("the first member reads", Duration::from_secs(90), || {
        !read_offsets(&outs[victim]).is_empty()
    });
    let mut kids: Vec<Child> = outs[1..].iter().map(|o| spawn(&tc, &args, o)).collect();
    kids.insert(0, first);
    // Kill it once it has committed part of what it holds and goes on reading: its window
    // of records written out but not committed is then a part, not all, of its output.
    let prefix = format!("console-consumer-{}-", kids[victim].id());
    let dir = filka::group::coordinator::group_dir(tc.open_cluster().layout(), "four");
    let mut before_kill = BTreeMap::new();
    wait_until(
        "the first member commits part of its share",
        Duration::from_secs(90),
        || {
            let Ok((_, st)) = filka::group::state::read(&dir) else {
                return false;
            };
            let held: Vec<(String, u32)> = st
                .owned
                .iter()
                .filter(|(m, _)| m.starts_with(&prefix))
                .flat_map(|(_, tps)| tps.clone())
                .collect();
            // Committed offsets only grow, so what the victim had committed when it died is at
            // least this: whatever it read below it must never be read again.
            before_kill = committed(&tc, "four");
            held.iter().any(|tp| {
                before_kill
                    .get(tp)
                    .is_some_and(|&o| o > 0 && o < i64::from(per))
            })
        },
    );
    kids[victim].kill().unwrap();
    kids[victim].wait().unwrap();
    copier.join().unwrap();
    let lag_zero = || {
        let c = committed(&tc, "four");
        c.len() == 8 && c.values().all(|&o| o == i64::from(per))
    };
    let mut waited = 0;
    while !lag_zero() {
        waited += 1;
        if waited > 3000 {
            let errs: Vec<String> = outs
                .iter()
                .map(|o| std::fs::read_to_string(o.with_extension("err")).unwrap_or_default())
                .collect();
            let states = format!(
                "{:?}",
                filka::group::coordinator::describe_state(&tc.open_cluster(), "four")
            );
            panic!(
                "lag never reached 0: committed {:?}\nstderr of members: {errs:?}\nstate: {states}",
                committed(&tc, "four")
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    for (i, k) in kids.iter_mut().enumerate() {
        if i != victim {
            k.kill().unwrap();
            k.wait().unwrap();
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (samples, overlaps) = watcher.join().unwrap();
    assert!(samples >= 10, "the group state was sampled {samples} times");
    assert!(overlaps.is_empty(), "partitions held twice: {overlaps:?}");

    // Who wrote each record (the killed member may have left a torn last line).
    let mut writers: BTreeMap<(u32, i64), Vec<usize>> = BTreeMap::new();
    for (i, o) in outs.iter().enumerate() {
        for rec in read_offsets(o) {
            writers.entry(rec).or_default().push(i);
        }
    }
    for p in 0..8u32 {
        let n = writers.range((p, 0)..(p + 1, 0)).count();
        assert_eq!(n, per as usize, "partition {p}: every record written out");
    }
    // No record was processed by two live members; a record written twice was written by
    // the killed member, at or past what it had committed (its uncommitted window), and
    // once more by the member that took its partition over.
    for (&(p, o), by) in &writers {
        if by.len() == 1 {
            continue;
        }
        let live: Vec<&usize> = by.iter().filter(|&&m| m != victim).collect();
        assert!(
            by.len() == 2 && live.len() == 1,
            "{p}-{o} written by members {by:?} (killed: {victim})"
        );
        let floor = before_kill
            .get(&("big".to_string(), p))
            .copied()
            .unwrap_or(0);
        assert!(
            o >= floor,
            "{p}-{o} read again although the killed member had committed {floor}"
        );
    }
    let rows = json_lines(
        &tc.run(["group", "describe", "four", "--output", "json"])
            .success(),
    );
    assert!(rows.iter().all(|r| r["lag"] == 0), "{rows:?}");
}

#[test]
fn killing_a_member_during_commits_never_leaves_garbage_or_an_offset_ahead() {
    let tc = TestCluster::new();
    setup(&tc, "k", 2, 2000);
    // One uninterrupted run first: it creates __consumer_offsets, which takes longer than
    // the kills below leave on a loaded machine.
    tc.run([
        "consume",
        "-t",
        "k",
        "-g",
        "kg",
        "--offset",
        "beginning",
        "-c",
        "10",
    ])
    .success();
    let mut written: BTreeMap<u32, i64> = committed(&tc, "kg")
        .into_iter()
        .map(|((_, p), o)| (p, o))
        .collect();
    for i in 0..100u64 {
        let out = tc.path().join("k.out");
        let mut child = spawn(
            &tc,
            &[
                "consume",
                "-t",
                "k",
                "-g",
                "kg",
                "-f",
                "--offset",
                "beginning",
                "--auto-commit-interval-ms",
                "1",
                "--format",
                "%p %o\\n",
                "-c",
                "37",
            ],
            &out,
        );
        std::thread::sleep(Duration::from_millis(10 + (i * 7) % 80));
        let _ = child.kill();
        child.wait().unwrap();
        for (p, o) in read_offsets(&out) {
            let e = written.entry(p).or_insert(0);
            *e = (*e).max(o + 1);
        }
        // Every record of __consumer_offsets decodes strictly (filka's own reader skips what
        // it cannot decode, so it could not see garbage), and the latest commit of each
        // partition is never ahead of what reached stdout.
        let latest = strict_commits(&tc, "kg").unwrap_or_else(|e| panic!("run {i}: {e}"));
        for (p, o) in &latest {
            assert!(
                *o <= written.get(p).copied().unwrap_or(0),
                "run {i}: p{p} committed {o}, written {written:?}"
            );
        }
        let c = committed(&tc, "kg");
        assert_eq!(c.len(), latest.len(), "run {i}: filka's reader agrees");
    }
    assert!(!written.is_empty());
    assert!(!committed(&tc, "kg").is_empty(), "no run ever committed");
}

/// A strict reader of Kafka's non-flexible encoding: every read checked, nothing left over.
struct Strict<'a>(&'a [u8]);

impl Strict<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        if self.0.len() < n {
            return Err(format!("{} bytes left, {n} needed", self.0.len()));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn i16(&mut self) -> Result<i16, String> {
        Ok(i16::from_be_bytes(self.take(2)?.try_into().unwrap()))
    }
    fn i32(&mut self) -> Result<i32, String> {
        Ok(i32::from_be_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn i64(&mut self) -> Result<i64, String> {
        Ok(i64::from_be_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn string(&mut self) -> Result<String, String> {
        let n = self.i16()?;
        let n = usize::try_from(n).map_err(|_| format!("string length {n}"))?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|e| e.to_string())
    }
    fn end(&self) -> Result<(), String> {
        match self.0.len() {
            0 => Ok(()),
            n => Err(format!("{n} bytes past the end")),
        }
    }
}

/// OffsetCommitKey (kafka-format.md §7): type 0 or 1, group, topic, partition.
fn strict_key(b: &[u8]) -> Result<(String, String, i32), String> {
    let mut r = Strict(b);
    match r.i16()? {
        0 | 1 => {}
        t => return Err(format!("record type {t} is not an offset commit")),
    }
    let key = (r.string()?, r.string()?, r.i32()?);
    r.end()?;
    Ok(key)
}

/// OffsetCommitValue v0-v3 (kafka-format.md §7); returns the offset.
fn strict_value(b: &[u8]) -> Result<i64, String> {
    let mut r = Strict(b);
    let version = r.i16()?;
    let offset = r.i64()?;
    match version {
        0 | 2 => {
            r.string()?;
            r.i64()?;
        }
        1 => {
            r.string()?;
            r.i64()?;
            r.i64()?;
        }
        3 => {
            r.i32()?;
            r.string()?;
            r.i64()?;
        }
        v => return Err(format!("value version {v}")),
    }
    r.end()?;
    if offset < 0 {
        return Err(format!("negative offset {offset}"));
    }
    Ok(offset)
}

/// Every record of `group`'s `__consumer_offsets` partition decoded strictly, independently
/// of filka's decoder; the latest offset per partition of the group, or the first record
/// that is not a well-formed commit of this group.
fn strict_commits(tc: &TestCluster, group: &str) -> Result<BTreeMap<u32, i64>, String> {
    use filka::client::consumer::{Consumer, Poll, StartOffset};
    let p = filka::group::offsets::partition_for(group);
    let mut c = Consumer::new(
        tc.open_cluster(),
        "__consumer_offsets",
        Some(&[p]),
        StartOffset::Beginning,
        false,
    )
    .map_err(|e| e.to_string())?;
    let mut latest = BTreeMap::new();
    let mut bad = None;
    loop {
        let polled = c
            .poll(&mut |f| {
                let offset = f.record.offset;
                let decoded = f
                    .record
                    .key
                    .ok_or_else(|| "null key".to_string())
                    .and_then(strict_key)
                    .and_then(|(g, t, part)| {
                        if g != group || t.is_empty() || part < 0 {
                            return Err(format!("key ({g:?}, {t:?}, {part})"));
                        }
                        let v = f.record.value.map(strict_value).transpose()?;
                        Ok((part as u32, v))
                    });
                match decoded {
                    Ok((part, Some(o))) => {
                        latest.insert(part, o);
                    }
                    Ok((part, None)) => {
                        latest.remove(&part);
                    }
                    Err(e) if bad.is_none() => {
                        bad = Some(format!("__consumer_offsets-{p} offset {offset}: {e}"));
                    }
                    Err(_) => {}
                }
                Ok(())
            })
            .map_err(|e| e.to_string())?;
        if polled == Poll::End {
            break;
        }
    }
    match bad {
        Some(e) => Err(e),
        None => Ok(latest),
    }
}

#[test]
fn the_strict_decoder_reads_kafkas_vector_and_refuses_garbage() {
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    // kafka-format.md §9.4.
    let key = hex("000100086d792d67726f7570000464656d6f00000000");
    let value = hex("0003000000000000002a0000000000000000018bcfe56800");
    assert_eq!(
        strict_key(&key).unwrap(),
        ("my-group".into(), "demo".into(), 0)
    );
    assert_eq!(strict_value(&value).unwrap(), 42);
    for cut in 0..value.len() {
        assert!(strict_value(&value[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = value.clone();
    longer.push(0);
    assert!(strict_value(&longer).is_err());
    assert!(strict_key(&key[..key.len() - 1]).is_err());
    assert!(
        strict_key(&hex("0002000167")).is_err(),
        "group metadata is not a commit"
    );
}

/// The log end offset of one broker's replica of `__consumer_offsets-<partition>`.
fn offsets_log_end(tc: &TestCluster, broker: i32, partition: u32) -> i64 {
    let c = tc.open_cluster();
    let dir = c
        .layout()
        .replica_dir(broker, "__consumer_offsets", partition);
    filka::log::LogReader::open(&dir)
        .unwrap()
        .log_end_offset()
        .unwrap()
}

/// Regression: a running member kept the metadata it started with, so after its
/// `__consumer_offsets` partition's leader went down it went on appending its commits to the
/// down broker's log, with the old leader epoch.
#[test]
fn a_running_member_commits_to_the_new_leader_after_a_failover() {
    let tc = TestCluster::new();
    setup(&tc, "t", 1, 5);
    // Creates __consumer_offsets (and gives the group an offset) before the member starts.
    tc.run(["group", "commit", "fo", "-t", "t", "-p", "0", "-o", "0"])
        .success();
    let out = tc.path().join("m.out");
    let mut m = spawn(
        &tc,
        &[
            "consume",
            "-t",
            "t",
            "-g",
            "fo",
            "-f",
            "--auto-commit-interval-ms",
            "50",
        ],
        &out,
    );
    let tp = ("t".to_string(), 0);
    wait_until("the first commit", Duration::from_secs(60), || {
        committed(&tc, "fo").get(&tp) == Some(&5)
    });
    let p = filka::group::offsets::partition_for("fo");
    let before = tc
        .open_cluster()
        .partition("__consumer_offsets", p)
        .unwrap()
        .clone();
    tc.run([
        "simulate-failure",
        "broker-down",
        &before.leader.to_string(),
    ])
    .success();
    let after = tc
        .open_cluster()
        .partition("__consumer_offsets", p)
        .unwrap()
        .clone();
    assert!(after.leader_epoch > before.leader_epoch);
    let down_leo = offsets_log_end(&tc, before.leader, p);
    tc.produce("t", "a\nb\nc\n", &[]).success();
    wait_until(
        "the commit after the failover",
        Duration::from_secs(60),
        || committed(&tc, "fo").get(&tp) == Some(&8),
    );
    m.kill().unwrap();
    m.wait().unwrap();
    assert_eq!(
        offsets_log_end(&tc, before.leader, p),
        down_leo,
        "a commit went to down broker {}",
        before.leader
    );
    // The last commit batch carries the new leader's epoch.
    let c = tc.open_cluster();
    let mut r = filka::client::consumer::Consumer::new(
        c,
        "__consumer_offsets",
        Some(&[p]),
        filka::client::consumer::StartOffset::Beginning,
        false,
    )
    .unwrap();
    let mut last_epoch = None;
    while r
        .poll(&mut |f| {
            last_epoch = Some(f.leader_epoch);
            Ok(())
        })
        .unwrap()
        != filka::client::consumer::Poll::End
    {}
    assert_eq!(last_epoch, Some(after.leader_epoch));
}

/// Regression: the assignor ignored each member's subscription: with a `-t t1` member and
/// a `-t t2` member in one group, t2 partitions went to the t1-only member and were never
/// read.
#[test]
fn members_with_different_topics_each_read_their_own() {
    let tc = TestCluster::new();
    setup(&tc, "t1", 3, 10);
    setup(&tc, "t2", 3, 10);
    tc.run(["group", "commit", "mix", "-t", "t1", "-p", "0", "-o", "0"])
        .success();
    let (oa, ob) = (tc.path().join("a.out"), tc.path().join("b.out"));
    let args = |t: &'static str| {
        [
            "consume",
            "-t",
            t,
            "-g",
            "mix",
            "-f",
            "--offset",
            "beginning",
            "--format",
            "%t %v\\n",
        ]
    };
    let mut a = spawn(&tc, &args("t1"), &oa);
    let mut b = spawn(&tc, &args("t2"), &ob);
    let read = |o: &Path| lines(&std::fs::read(o).unwrap_or_default());
    let done = || read(&oa).len() >= 30 && read(&ob).len() >= 30;
    let waited = Instant::now();
    while !done() && waited.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let members = stdout_text(&tc.run(["group", "describe", "mix", "--members"]).success());
    a.kill().unwrap();
    b.kill().unwrap();
    a.wait().unwrap();
    b.wait().unwrap();
    for (o, t) in [(&oa, "t1"), (&ob, "t2")] {
        let got: BTreeSet<String> = read(o).into_iter().collect();
        let want: BTreeSet<String> = (0..3)
            .flat_map(|p| (0..10).map(move |i| format!("{t} {p}-{i}")))
            .collect();
        assert_eq!(got, want, "{t}'s member\n{members}");
    }
}

/// Regression: one partition without a leader made every member exit 7 as soon as it was
/// assigned, while plain `consume -f` waits.
#[test]
fn an_offline_partition_does_not_stop_the_group() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "o", "-p", "3", "-r", "1"])
        .success();
    for p in 0..3u32 {
        let input: String = (0..5).map(|i| format!("{p}-{i}\n")).collect();
        tc.produce("o", input, &["-p", &p.to_string()]).success();
    }
    tc.run(["group", "commit", "x", "-t", "o", "-p", "0", "-o", "0"])
        .success();
    let c = tc.open_cluster();
    let down = c.partition("o", 2).unwrap().leader;
    let offline: Vec<u32> = (0..3)
        .filter(|&p| c.partition("o", p).unwrap().leader == down)
        .collect();
    let online: Vec<u32> = (0..3).filter(|p| !offline.contains(p)).collect();
    assert!(!online.is_empty());
    tc.run(["simulate-failure", "broker-down", &down.to_string()])
        .success();
    let expect = |parts: &[u32]| -> BTreeSet<(u32, i64)> {
        parts
            .iter()
            .flat_map(|&p| (0..5).map(move |o| (p, o)))
            .collect()
    };
    let fmt = ["--offset", "beginning", "--format", "%p %o\\n"];

    // Without -f: the online partitions are read and committed, then exit 7.
    let once = tc
        .cmd()
        .args(["consume", "-t", "o", "-g", "once"])
        .args(fmt)
        .assert()
        .code(7);
    let got: BTreeSet<(u32, i64)> = lines(&once.get_output().stdout)
        .iter()
        .map(|l| {
            let (p, o) = l.split_once(' ').unwrap();
            (p.parse().unwrap(), o.parse().unwrap())
        })
        .collect();
    assert_eq!(got, expect(&online));
    let err = String::from_utf8_lossy(&once.get_output().stderr).to_string();
    assert!(
        err.contains(&format!("o-{} is offline", offline[0])),
        "{err}"
    );
    let c = committed(&tc, "once");
    for p in &online {
        assert_eq!(c.get(&("o".to_string(), *p)), Some(&5), "{c:?}");
    }

    // With -f: two members go on reading what is online and wait for the rest.
    let outs = [tc.path().join("a.out"), tc.path().join("b.out")];
    let mut kids: Vec<Child> = outs
        .iter()
        .map(|o| {
            let mut args = vec!["consume", "-t", "o", "-g", "follow", "-f"];
            args.extend_from_slice(&fmt);
            spawn(&tc, &args, o)
        })
        .collect();
    let read_all =
        || -> BTreeSet<(u32, i64)> { outs.iter().flat_map(|o| read_offsets(o)).collect() };
    wait_until(
        "the online partitions read",
        Duration::from_secs(60),
        || read_all() == expect(&online),
    );
    wait_until("both members in the group", Duration::from_secs(60), || {
        members_of(&tc, "follow").len() == 2
    });
    for (k, o) in kids.iter_mut().zip(&outs) {
        let err = std::fs::read_to_string(o.with_extension("err")).unwrap_or_default();
        assert!(k.try_wait().unwrap().is_none(), "a member exited: {err}");
    }
    tc.run(["simulate-failure", "broker-up", &down.to_string()])
        .success();
    wait_until(
        "the partition back online read",
        Duration::from_secs(60),
        || read_all() == expect(&[0, 1, 2]),
    );
    for k in &mut kids {
        k.kill().unwrap();
        k.wait().unwrap();
    }
}

/// Regression: there was no signal handling, so Ctrl-C or SIGTERM killed a member before it
/// committed: the group had nothing committed and the records were delivered again.
#[test]
fn sigint_and_sigterm_commit_what_was_written_leave_and_exit_0() {
    let tc = TestCluster::new();
    setup(&tc, "t", 2, 10);
    tc.run(["group", "commit", "x", "-t", "t", "-p", "0", "-o", "0"])
        .success();
    for sig in ["-INT", "-TERM"] {
        let group = format!("sig{sig}");
        let out = tc.path().join(format!("{group}.out"));
        // No periodic commit: only the one at exit can save the position.
        let mut m = spawn(
            &tc,
            &[
                "consume",
                "-t",
                "t",
                "-g",
                &group,
                "-f",
                "--offset",
                "beginning",
                "--auto-commit-interval-ms",
                "3600000",
                "--format",
                "%p %o\\n",
            ],
            &out,
        );
        wait_until("the member reads", Duration::from_secs(60), || {
            read_offsets(&out).len() == 20
        });
        Command::new("kill")
            .args([sig, &m.id().to_string()])
            .status()
            .unwrap();
        let status = wait_exit(&mut m, "the signalled member");
        let err = std::fs::read_to_string(out.with_extension("err")).unwrap();
        assert_eq!(status.code(), Some(0), "{sig}: {err}");
        let c = committed(&tc, &group);
        assert_eq!(c.values().copied().collect::<Vec<_>>(), [10, 10], "{sig}");
        assert!(
            filka::group::coordinator::live_members(&tc.open_cluster(), &group)
                .unwrap()
                .is_empty(),
            "{sig}: it left the group"
        );
        // The next member starts where it stopped: nothing again.
        let again = tc.run(["consume", "-t", "t", "-g", &group]).success();
        assert!(again.get_output().stdout.is_empty(), "{sig}");
    }
}

/// Regression: `describe group G --members` and `--state` failed with "unexpected
/// argument" (exit 2): `describe group` did not take `group describe`'s flags.
#[test]
fn describe_group_takes_the_same_flags_as_group_describe() {
    let tc = TestCluster::new();
    setup(&tc, "t", 2, 3);
    tc.run(["group", "commit", "g", "-t", "t", "-p", "0", "-o", "1"])
        .success();
    for flags in [
        &[][..],
        &["--members"],
        &["--state"],
        &["--state", "--output", "json"],
    ] {
        let a = stdout_text(
            &tc.cmd()
                .args(["group", "describe", "g"])
                .args(flags)
                .assert()
                .success(),
        );
        let b = stdout_text(
            &tc.cmd()
                .args(["describe", "group", "g"])
                .args(flags)
                .assert()
                .success(),
        );
        assert_eq!(a, b, "{flags:?}");
    }
    let state = stdout_text(&tc.run(["describe", "group", "g", "--state"]).success());
    assert!(state.contains("ASSIGNMENT-STRATEGY"), "{state}");
    tc.run(["describe", "group", "g", "--members", "--state"])
        .code(2);
}

/// Regression: the refusals because the group has live members exit 1, but that was
/// written only in a source comment, not in the help the man pages are made from.
#[test]
fn live_member_refusals_document_their_exit_code_in_the_help() {
    let tc = TestCluster::new();
    for sub in ["commit", "reset-offsets", "delete", "delete-offsets"] {
        let help = stdout_text(&tc.run(["group", sub, "--help"]).success());
        assert!(
            help.contains("live members (exit 1)"),
            "group {sub}:\n{help}"
        );
    }
    let man = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man/filka-group-delete.1"),
    )
    .unwrap();
    assert!(man.contains("exit 1"), "{man}");
}

/// Regression: a group id too long for a file name failed with "File name too long", and
/// an empty one was accepted.
#[test]
fn long_group_ids_work_and_an_empty_one_is_refused() {
    let tc = TestCluster::new();
    setup(&tc, "t", 2, 3);
    let plain = "g".repeat(300);
    let odd = "grüppe/".repeat(25);
    for id in [&plain, &odd] {
        let out = tc
            .run(["consume", "-t", "t", "-g", id, "--offset", "beginning"])
            .success();
        assert_eq!(lines(&out.get_output().stdout).len(), 6);
        assert_eq!(committed(&tc, id).values().sum::<i64>(), 6);
        let rows = json_lines(
            &tc.run(["group", "describe", id, "--output", "json"])
                .success(),
        );
        assert_eq!(rows.len(), 2);
        let list = stdout_text(&tc.run(["group", "list"]).success());
        assert!(list.contains(id.as_str()), "{list}");
        tc.run(["group", "delete", id]).success();
        tc.run(["group", "describe", id]).code(4);
    }
    for args in [
        &["consume", "-t", "t", "-g", ""][..],
        &["group", "describe", ""],
        &["describe", "group", ""],
        &["group", "commit", "", "-t", "t", "-p", "0", "-o", "1"],
        &["group", "delete", ""],
    ] {
        let err = tc.run(args).code(2);
        let text = String::from_utf8_lossy(&err.get_output().stderr).to_string();
        assert!(text.contains("must not be empty"), "{args:?}: {text}");
    }
}

/// Regression: a member with another --assignor than the group's joined silently.
#[test]
fn a_member_with_another_assignor_is_refused_like_kafka() {
    let tc = TestCluster::new();
    setup(&tc, "t", 2, 3);
    let out = tc.path().join("a.out");
    let mut a = spawn(&tc, &["consume", "-t", "t", "-g", "p", "-f"], &out);
    wait_until("a member", Duration::from_secs(60), || {
        members_of(&tc, "p").len() == 1
    });
    let refused = tc
        .run(["consume", "-t", "t", "-g", "p", "--assignor", "roundrobin"])
        .code(2);
    let err = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(err.contains("INCONSISTENT_GROUP_PROTOCOL"), "{err}");
    assert_eq!(members_of(&tc, "p").len(), 1);
    a.kill().unwrap();
    a.wait().unwrap();
}

/// Issue 12: a new group starts at the end (auto.offset.reset=latest, as in Kafka), which
/// skipped the records already in the topic without a word. stderr says so once, with the
/// count and the flag that reads them, naming the partitions that fell back when others
/// had commits; not with -q, not when -o chose the start, not when nothing was skipped.
#[test]
fn a_new_group_starting_at_the_end_says_what_it_skips() {
    let tc = TestCluster::new();
    setup(&tc, "orders", 3, 4);
    let err = |args: &[&str]| {
        let a = tc
            .cmd()
            .arg("consume")
            .args(args)
            .assert()
            .success()
            .stdout("");
        String::from_utf8_lossy(&a.get_output().stderr).into_owned()
    };
    assert_eq!(
        err(&["-t", "orders", "-g", "g1"]),
        "filka: group g1 has no committed offset for any partition of orders: starting at the \
         end (auto.offset.reset=latest) skips 12 records; -o beginning reads them until this \
         member commits its position; then `filka group reset-offsets g1 --to-earliest \
         --execute` does\n"
    );
    // It committed the end: the next run starts there, and says nothing.
    assert_eq!(err(&["-t", "orders", "-g", "g1"]), "");
    // Some partitions with commits, others without: those that fall back are named.
    tc.run([
        "group", "commit", "g2", "-t", "orders", "-p", "1", "-o", "0",
    ])
    .success();
    let out = tc
        .run(["consume", "-t", "orders", "-g", "g2", "--commit", "none"])
        .success();
    assert_eq!(
        lines(&out.get_output().stdout),
        ["1-0", "1-1", "1-2", "1-3"]
    );
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stderr),
        "filka: group g2 has no committed offset for orders-0, orders-2: starting at the end \
         (auto.offset.reset=latest) skips 8 records; -o beginning reads them\n"
    );
    assert_eq!(err(&["-t", "orders", "-g", "g3", "-q"]), "");
    assert_eq!(err(&["-t", "orders", "-g", "g4", "-o", "end"]), "");
    tc.run(["topic", "create", "empty", "-q"]).success();
    assert_eq!(err(&["-t", "empty", "-g", "g5"]), "");
    // What the hint says works.
    let out = tc
        .run(["consume", "-t", "orders", "-g", "g6", "-o", "beginning"])
        .success();
    assert_eq!(lines(&out.get_output().stdout).len(), 12);
}

/// Issue 12: with more members than partitions, the extra member (Kafka's inactive
/// consumer) read nothing and nobody said why. `consume -g` says on stderr that it waits
/// for a partition and why, `group describe --members` marks it idle, and when the member
/// holding the partition leaves, the idle one takes it.
#[test]
fn a_member_beyond_the_partition_count_is_idle_and_says_why() {
    let tc = TestCluster::new();
    setup(&tc, "one", 1, 3);
    let follow = [
        "consume",
        "-t",
        "one",
        "-g",
        "idle",
        "-f",
        "-o",
        "beginning",
    ];
    let (oa, ob) = (tc.path().join("a.out"), tc.path().join("b.out"));
    let mut a = spawn(&tc, &follow, &oa);
    wait_until("a reads the partition", Duration::from_secs(60), || {
        lines(&std::fs::read(&oa).unwrap_or_default()).len() == 3
    });
    let mut b = spawn(&tc, &follow, &ob);
    let b_err = ob.with_extension("err");
    wait_until("b says it is idle", Duration::from_secs(60), || {
        std::fs::read_to_string(&b_err).is_ok_and(|e| e.contains("has no partition"))
    });
    let said = std::fs::read_to_string(&b_err).unwrap();
    let said: Vec<&str> = said.lines().collect();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with("filka: member console-consumer-")
            && said[0].ends_with(
                " of group idle has no partition: 2 members share 1 partition; it waits for \
                 one (a partition frees when a member leaves)"
            ),
        "{said:?}"
    );

    let described = tc.run(["group", "describe", "idle", "--members"]).success();
    let table = stdout_text(&described);
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{table}");
    assert_eq!(
        rows.iter()
            .filter(|r| r.ends_with("  0            - (idle)"))
            .count(),
        1,
        "{table}"
    );
    assert_eq!(
        String::from_utf8_lossy(&described.get_output().stderr),
        "filka: 1 member of group idle is idle: 2 members share 1 partition; a partition is \
         read by one member of a group at a time, so an idle member waits until one frees\n"
    );
    let json = json_lines(
        &tc.run([
            "group",
            "describe",
            "idle",
            "--members",
            "--output",
            "json",
            "-q",
        ])
        .success()
        .stderr(""),
    );
    let idle: Vec<bool> = json.iter().map(|m| m["idle"].as_bool().unwrap()).collect();
    assert_eq!(idle.iter().filter(|i| **i).count(), 1, "{json:?}");

    // Without -f, an idle member says so and exits 0.
    let c = tc
        .run(["consume", "-t", "one", "-g", "idle"])
        .success()
        .stdout("");
    let err = String::from_utf8_lossy(&c.get_output().stderr).into_owned();
    assert!(
        err.ends_with(
            "has no partition: 3 members share 1 partition; nothing to read, so it exits (with \
             -f it would wait for one)\n"
        ),
        "{err}"
    );

    // The busy member leaves: the idle one takes the partition and reads new records.
    a.kill().unwrap();
    a.wait().unwrap();
    tc.produce("one", "new\n", &["-q"]).success();
    wait_until("b reads after a left", Duration::from_secs(60), || {
        lines(&std::fs::read(&ob).unwrap_or_default()).contains(&"new".to_string())
    });
    b.kill().unwrap();
    b.wait().unwrap();
}

/// Issue 12: `pipe` (default earliest) and `consume -g` (default latest) state their
/// reset policy in the same words.
#[test]
fn pipe_and_consume_group_state_their_reset_default_alike() {
    let tc = TestCluster::new();
    for (cmd, default) in [("consume", "default latest"), ("pipe", "default earliest")] {
        let help = stdout_text(&tc.cmd().args([cmd, "--help"]).assert().success());
        let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("Where a partition has no committed offset: SPEC")
                && flat.contains(&format!("(Kafka's auto.offset.reset; {default}")),
            "{cmd}: {help}"
        );
    }
}

/// Nemesis finding: a member whose commit was refused because `__consumer_offsets` had too
/// few in-sync replicas exited 6. Kafka's coordinator answers COORDINATOR_NOT_AVAILABLE and
/// the consumer retries; so does filka, and commits once a replica is back.
#[test]
fn a_commit_refused_for_want_of_in_sync_replicas_is_retried() {
    let tc = TestCluster::new();
    tc.run(["init", "--isolated"]).success();
    tc.run(["topic", "create", "t", "-p", "1", "-r", "3"])
        .success();
    tc.produce("t", "a\nb\nc\n", &[]).success();
    tc.run(["group", "commit", "g", "-t", "t", "-p", "0", "-o", "0"])
        .success();
    let p = filka::group::offsets::partition_for("g");
    let offsets = tc
        .open_cluster()
        .partition("__consumer_offsets", p)
        .unwrap()
        .clone();
    let followers: Vec<i32> = offsets
        .replicas
        .iter()
        .copied()
        .filter(|&b| b != offsets.leader)
        .collect();
    for b in &followers {
        tc.run(["simulate-failure", "broker-down", &b.to_string()])
            .success();
    }
    let out = tc.path().join("m.out");
    let mut m = spawn(
        &tc,
        &["consume", "-t", "t", "-g", "g", "-o", "beginning"],
        &out,
    );
    wait_until("the records written out", Duration::from_secs(60), || {
        std::fs::read_to_string(&out).is_ok_and(|s| s == "a\nb\nc\n")
    });
    // Its commit at exit is refused now (one in-sync replica, min.insync.replicas=2): it
    // retries rather than exit.
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        m.try_wait().unwrap().is_none(),
        "the member ended: {}",
        std::fs::read_to_string(out.with_extension("err")).unwrap_or_default()
    );
    tc.run(["simulate-failure", "broker-up", &followers[0].to_string()])
        .success();
    let status = m.wait().unwrap();
    assert!(
        status.success(),
        "{status}: {}",
        std::fs::read_to_string(out.with_extension("err")).unwrap_or_default()
    );
    assert_eq!(committed(&tc, "g").get(&("t".to_string(), 0)), Some(&3));
}

/// Nemesis finding: a group rebalanced only when its membership changed, so a partition
/// added to a subscribed topic (`topic alter --partitions`) was never read by a running
/// member. Kafka's group leader sees the new partitions in its metadata and rebalances.
#[test]
fn a_running_member_reads_a_partition_its_topic_grew() {
    let tc = TestCluster::new();
    tc.run(["topic", "create", "g1", "-p", "1", "-r", "1"])
        .success();
    tc.produce("g1", "a\n", &[]).success();
    let out = tc.path().join("m.out");
    let mut m = spawn(
        &tc,
        &[
            "consume",
            "-t",
            "g1",
            "-g",
            "grow",
            "-f",
            "-o",
            "beginning",
            "--format",
            "%p %v\n",
        ],
        &out,
    );
    wait_until("the first record", Duration::from_secs(60), || {
        std::fs::read_to_string(&out).is_ok_and(|s| s.contains("0 a\n"))
    });
    tc.run(["topic", "alter", "g1", "--partitions", "2"])
        .success();
    tc.produce("g1", "b\n", &["-p", "1"]).success();
    wait_until(
        "the new partition's record",
        Duration::from_secs(60),
        || std::fs::read_to_string(&out).is_ok_and(|s| s.contains("1 b\n")),
    );
    m.kill().unwrap();
    m.wait().unwrap();
}
