//! `filka consume`: offsets, partitions, -c, templates, JSON envelopes, follow mode, broken
//! pipes, errors, and reading while a producer appends. Data is written through the library
//! (harness `produce_lib`), so these tests depend on no other command.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use filka::cluster::MetadataRecord;
use filka::format::envelope::{Field, parse_envelope};
use serde_json::{Value, json};

use crate::harness::{FILKA, Rec, TestCluster, stderr_lines};

/// 2024-05-01T12:00:00Z in ms.
const MAY_1_NOON: i64 = 1_714_564_800_000;

fn lines(out: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(out)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A topic `t` of one partition holding v0..v9, one second apart from MAY_1_NOON.
fn ten_records() -> TestCluster {
    let tc = TestCluster::new();
    tc.create_kept_topic("t", 1);
    let recs: Vec<Rec> = (0..10)
        .map(|i| Rec {
            timestamp: Some(MAY_1_NOON + i * 1000),
            ..Rec::value(0, format!("v{i}"))
        })
        .collect();
    tc.produce_lib("t", &recs);
    tc
}

fn values(from: usize, to: usize) -> Vec<String> {
    (from..to).map(|i| format!("v{i}")).collect()
}

#[test]
fn offset_specs() {
    let tc = ten_records();
    let got = |spec: &str| lines(&tc.consume_ok(["-t", "t", "-o", spec]));
    assert_eq!(lines(&tc.consume_ok(["-t", "t"])), values(0, 10), "default");
    assert_eq!(got("beginning"), values(0, 10));
    assert_eq!(got("earliest"), values(0, 10));
    assert_eq!(got("end"), values(0, 0));
    assert_eq!(got("latest"), values(0, 0));
    assert_eq!(got("0"), values(0, 10));
    assert_eq!(got("3"), values(3, 10));
    assert_eq!(got("9"), values(9, 10));
    assert_eq!(got("100"), values(0, 0), "past the end: nothing");
    assert_eq!(got("-3"), values(7, 10));
    assert_eq!(got("-1"), values(9, 10));
    assert_eq!(got("-100"), values(0, 10));
    assert_eq!(got("@2024-05-01T12:00:05Z"), values(5, 10));
    assert_eq!(got("@2024-05-01T12:00:04.500Z"), values(5, 10));
    assert_eq!(got("@2024-05-01T14:00:05+02:00"), values(5, 10));
    assert_eq!(got("@2024-05-01T12:00:05"), values(5, 10), "no offset: UTC");
    assert_eq!(got("@1714564805000"), values(5, 10));
    assert_eq!(got("@2024-05-01"), values(0, 10));
    assert_eq!(got("@2030-01-01T00:00:00Z"), values(0, 0));
    // `-o=-3` and `-o-3` spellings.
    assert_eq!(lines(&tc.consume_ok(["-t", "t", "-o=-3"])), values(7, 10));
    assert_eq!(lines(&tc.consume_ok(["-t", "t", "-o-3"])), values(7, 10));
    assert_eq!(
        lines(&tc.consume_ok(["-t", "t", "--offset", "-2"])),
        values(8, 10)
    );
}

#[test]
fn relative_time_offsets() {
    let tc = TestCluster::new();
    tc.create_kept_topic("t", 1);
    let now = filka::cluster::now_ms();
    let ago = [3 * 3_600_000, 90 * 60_000, 10 * 60_000, 0];
    let recs: Vec<Rec> = ago
        .iter()
        .enumerate()
        .map(|(i, a)| Rec {
            timestamp: Some(now - a),
            ..Rec::value(0, format!("v{i}"))
        })
        .collect();
    tc.produce_lib("t", &recs);
    let got = |spec: &str| lines(&tc.consume_ok(["-t", "t", "-o", spec]));
    assert_eq!(got("@-2d"), values(0, 4));
    assert_eq!(got("@-4h"), values(0, 4));
    assert_eq!(got("@-2h"), values(1, 4));
    assert_eq!(got("@-PT2H"), values(1, 4));
    assert_eq!(got("@-100m"), values(1, 4));
    assert_eq!(got("@-1h"), values(2, 4));
    assert_eq!(got("@-PT1H30M"), values(2, 4));
    assert_eq!(got("@-30m"), values(2, 4));
    assert_eq!(got("@-300s"), values(3, 4));
    assert_eq!(got("@-90s"), values(3, 4));
}

#[test]
fn bad_offset_specs_are_usage_errors() {
    let tc = ten_records();
    for spec in ["soon", "-x", "1.5", "@tomorrow", "@-forever", "@1h", ""] {
        let a = tc.consume(["-t", "t", "-o", spec]).code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(err.contains("invalid offset"), "{spec:?}: {err}");
        assert!(a.get_output().stdout.is_empty());
    }
}

/// A topic `p3` of 3 partitions; partition i holds p{i}-0 .. p{i}-3.
fn three_partitions() -> TestCluster {
    let tc = TestCluster::new();
    tc.create_kept_topic("p3", 3);
    let mut recs = Vec::new();
    for j in 0..4 {
        for i in 0..3 {
            recs.push(Rec::value(i, format!("p{i}-{j}")));
        }
    }
    tc.produce_lib("p3", &recs);
    tc
}

/// Lines `P O V` grouped by partition, checking offsets are dense from `first`.
fn by_partition(out: &[u8]) -> BTreeMap<u32, Vec<String>> {
    let mut m: BTreeMap<u32, Vec<(i64, String)>> = BTreeMap::new();
    for l in lines(out) {
        let mut it = l.splitn(3, ' ');
        let p: u32 = it.next().unwrap().parse().unwrap();
        let o: i64 = it.next().unwrap().parse().unwrap();
        m.entry(p)
            .or_default()
            .push((o, it.next().unwrap().to_string()));
    }
    m.into_iter()
        .map(|(p, recs)| {
            for w in recs.windows(2) {
                assert_eq!(w[1].0, w[0].0 + 1, "partition {p}: offsets not dense");
            }
            (p, recs.into_iter().map(|(_, v)| v).collect())
        })
        .collect()
}

fn part(i: u32, from: usize, to: usize) -> Vec<String> {
    (from..to).map(|j| format!("p{i}-{j}")).collect()
}

#[test]
fn partition_lists() {
    let tc = three_partitions();
    let fmt = ["--format", "%p %o %v\\n"];
    let run = |extra: &[&str]| {
        let mut args = vec!["-t", "p3"];
        args.extend_from_slice(&fmt);
        args.extend_from_slice(extra);
        by_partition(&tc.consume_ok(args))
    };
    let all = run(&[]);
    assert_eq!(all.len(), 3);
    for i in 0..3 {
        assert_eq!(all[&i], part(i, 0, 4), "per-partition order");
    }
    let one = run(&["-p", "1"]);
    assert_eq!(one.keys().copied().collect::<Vec<_>>(), vec![1]);
    for args in [
        &["-p", "0,2"][..],
        &["-p", "0", "-p", "2"],
        &["--partition=2,0"],
    ] {
        let got = run(args);
        assert_eq!(
            got.keys().copied().collect::<Vec<_>>(),
            vec![0, 2],
            "{args:?}"
        );
        assert_eq!(got[&0], part(0, 0, 4));
        assert_eq!(got[&2], part(2, 0, 4));
    }
    assert_eq!(
        run(&["-p", "2,2"])[&2],
        part(2, 0, 4),
        "duplicates read once"
    );
    assert_eq!(run(&["-p", "1", "-o", "-2"])[&1], part(1, 2, 4));

    let a = tc.consume(["-t", "p3", "-p", "0,3"]).code(4);
    let err = stderr_lines(&a);
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(err[0].contains("no partition 3"), "{err:?}");
    assert!(a.get_output().stdout.is_empty());
    tc.consume(["-t", "p3", "-p", "0,x"]).code(2);
}

#[test]
fn max_messages_counts_across_partitions() {
    let tc = three_partitions();
    assert_eq!(lines(&tc.consume_ok(["-t", "p3", "-c", "5"])).len(), 5);
    assert_eq!(lines(&tc.consume_ok(["-t", "p3", "-c", "100"])).len(), 12);
    assert!(tc.consume_ok(["-t", "p3", "-c", "0"]).is_empty());
    assert_eq!(
        lines(&tc.consume_ok(["-t", "p3", "-p", "1", "--max-messages", "2"])),
        part(1, 0, 2)
    );
    // A non-empty topic read with -c: what it printed is a prefix of each partition.
    let got = by_partition(&tc.consume_ok(["-t", "p3", "-c", "7", "--format", "%p %o %v\\n"]));
    assert_eq!(got.values().map(Vec::len).sum::<usize>(), 7);
    for (p, vs) in got {
        assert_eq!(vs, part(p, 0, vs.len()));
    }
}

/// A topic `tpl` with a text record with headers, a tombstone with a null key, and a binary
/// record.
fn template_records() -> (TestCluster, Vec<u8>) {
    let tc = TestCluster::new();
    tc.create_kept_topic("tpl", 1);
    let bin: Vec<u8> = (0..=255).collect();
    tc.produce_lib(
        "tpl",
        &[
            Rec {
                key: Some(b"k".to_vec()),
                headers: vec![
                    (b"a".to_vec(), Some(b"1".to_vec())),
                    (b"b".to_vec(), None),
                    (b"a".to_vec(), Some(vec![0xff])),
                ],
                timestamp: Some(MAY_1_NOON + 123),
                ..Rec::value(0, "hello")
            },
            Rec {
                partition: Some(0),
                timestamp: Some(MAY_1_NOON + 124),
                ..Rec::default()
            },
            Rec {
                key: Some(vec![0, 0xff, b'\n']),
                timestamp: Some(MAY_1_NOON + 125),
                ..Rec::value(0, &bin)
            },
        ],
    );
    (tc, bin)
}

#[test]
fn templates() {
    let (tc, bin) = template_records();
    let out = tc.consume_ok([
        "-t",
        "tpl",
        "--format",
        "%t|%p|%o|%k|%v|%h|%T|%d|%K|%V|%%\\n",
    ]);
    let mut want = Vec::new();
    want.extend_from_slice(
        b"tpl|0|0|k|hello|a=1,b=,a=\xff|1714564800123|2024-05-01T12:00:00.123Z|1|5|%\n",
    );
    want.extend_from_slice(b"tpl|0|1||||1714564800124|2024-05-01T12:00:00.124Z|-1|-1|%\n");
    want.extend_from_slice(b"tpl|0|2|\0\xff\n|");
    want.extend_from_slice(&bin);
    want.extend_from_slice(b"||1714564800125|2024-05-01T12:00:00.125Z|3|256|%\n");
    assert_eq!(out, want);

    // Default: value and newline, binary as is, a null value as an empty line.
    let mut want = b"hello\n\n".to_vec();
    want.extend_from_slice(&bin);
    want.push(b'\n');
    assert_eq!(tc.consume_ok(["-t", "tpl"]), want);

    // Escapes and kcat's %s / %S.
    let out = tc.consume_ok([
        "-t",
        "tpl",
        "-c",
        "1",
        "--format",
        "%o\\t%s\\r\\0\\x1f\\\\%S",
    ]);
    assert_eq!(out, b"0\thello\r\0\x1f\\5");

    for (bad, msg) in [
        ("%z", "unknown token %z"),
        ("%", "lone %"),
        ("\\q", "unknown escape"),
    ] {
        let a = tc.consume(["-t", "tpl", "--format", bad]).code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(err.contains(msg), "{bad:?}: {err}");
    }
}

#[test]
fn json_envelopes_round_trip() {
    let (tc, bin) = template_records();
    let out = tc.consume_ok(["-t", "tpl", "--output", "json"]);
    let ls = lines(&out);
    assert_eq!(ls.len(), 3);
    let objs: Vec<Value> = ls
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (i, o) in objs.iter().enumerate() {
        assert_eq!(o["topic"], "tpl");
        assert_eq!(o["partition"], 0);
        assert_eq!(o["offset"], i as i64);
        assert_eq!(o["timestamp"], MAY_1_NOON + 123 + i as i64);
    }
    assert_eq!(objs[0]["key"], "k");
    assert_eq!(objs[0]["value"], "hello");
    assert_eq!(objs[1]["key"], Value::Null);
    assert_eq!(objs[1]["value"], Value::Null);
    assert_eq!(objs[2]["key_encoding"], "base64");
    assert_eq!(objs[2]["value_encoding"], "base64");
    assert_eq!(objs[0]["headers"][2]["value_encoding"], "base64");

    let back: Vec<_> = ls
        .iter()
        .map(|l| parse_envelope(l.as_bytes()).unwrap())
        .collect();
    assert_eq!(back[0].key, Some(Field::Json(json!("k"))));
    assert_eq!(back[0].value, Some(Field::Json(json!("hello"))));
    assert_eq!(
        back[0].headers,
        vec![
            (b"a".to_vec(), Some(b"1".to_vec())),
            (b"b".to_vec(), None),
            (b"a".to_vec(), Some(vec![0xff])),
        ]
    );
    assert_eq!(back[1].key, None);
    assert_eq!(back[1].value, None);
    assert_eq!(back[2].key, Some(Field::Bytes(vec![0, 0xff, b'\n'])));
    assert_eq!(back[2].value, Some(Field::Bytes(bin)));
    assert_eq!(back[2].timestamp, Some(MAY_1_NOON + 125));
    assert_eq!(back[2].partition, Some(0));
}

#[test]
fn output_format_conflicts_are_usage_errors() {
    let (tc, _) = template_records();
    for (args, msg) in [
        (
            &["--output", "json", "--format", "%v"][..],
            "cannot be combined",
        ),
        (
            &["--output", "csv", "--format", "%v"][..],
            "cannot be combined",
        ),
        (&["--output", "avro"], "--output avro writes Avro values"),
    ] {
        let mut all = vec!["-t", "tpl"];
        all.extend_from_slice(args);
        let a = tc.consume(all).code(2);
        let err = stderr_lines(&a);
        assert_eq!(err.len(), 1, "{err:?}");
        assert!(err[0].contains(msg), "{err:?}");
    }
}

#[test]
fn unknown_topic_exits_4_with_one_line() {
    let tc = TestCluster::new();
    tc.cluster_or_default();
    let a = tc.consume(["-t", "nope"]).code(4);
    let err = stderr_lines(&a);
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(err[0].starts_with("filka: "), "{err:?}");
    assert!(err[0].contains("\"nope\" does not exist"), "{err:?}");
    assert!(a.get_output().stdout.is_empty());
    // Consume never creates topics.
    assert!(tc.cluster_or_default().topic("nope").is_err());
}

#[test]
fn quiet_silences_the_new_cluster_note() {
    let tc = TestCluster::new();
    let loud = stderr_lines(&tc.consume(["-t", "nope"]).code(4));
    assert_eq!(loud.len(), 2, "{loud:?}");
    assert!(loud[0].contains("created one"), "{loud:?}");
    let tc = TestCluster::new();
    let quiet = stderr_lines(&tc.consume(["-q", "-t", "nope"]).code(4));
    assert_eq!(quiet.len(), 1, "{quiet:?}");
    assert!(quiet[0].contains("does not exist"), "{quiet:?}");
}

#[test]
fn no_summary_when_stderr_is_not_a_terminal() {
    let tc = ten_records();
    let a = tc.consume(["-t", "t"]).success();
    assert!(a.get_output().stderr.is_empty());
}

/// Runs `filka --cluster <tmp>/data consume ARGS` on a pseudo-terminal (util-linux
/// `script`): what the terminal showed, or `None` when `script` is missing.
fn on_a_terminal(tc: &TestCluster, args: &str) -> Option<String> {
    let cmd = format!(
        "'{FILKA}' --cluster '{}' consume {args}",
        tc.data().display()
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    assert!(out.status.success(), "{out:?}");
    Some(String::from_utf8_lossy(&out.stdout).replace('\r', ""))
}

#[test]
fn summary_on_a_terminal_unless_quiet() {
    let tc = ten_records();
    let Some(shown) = on_a_terminal(&tc, "-t t -o -4") else {
        eprintln!("skipped: no script(1) for a pseudo-terminal");
        return;
    };
    assert_eq!(
        shown,
        "v6\nv7\nv8\nv9\nfilka: 4 records from 1 of 1 partition of t\n"
    );
    let shown = on_a_terminal(&tc, "-q -t t -o -1").unwrap();
    assert_eq!(shown, "v9\n");
    let shown = on_a_terminal(&tc, "-v -t t -o -1").unwrap();
    let leader = tc.open_cluster().partition("t", 0).unwrap().leader;
    let lines: Vec<&str> = shown.lines().collect();
    assert!(lines[0].starts_with("filka: cluster "), "{shown}");
    assert_eq!(
        lines[1..],
        [
            format!(
                "filka: consume: reading t-0 from its leader, broker {leader}, at offset 9 (-o \
                 -1: the high watermark minus 1)"
            )
            .as_str(),
            "v9",
            "filka: 1 record from 1 of 1 partition of t"
        ]
    );
}

#[test]
fn offline_partition_exits_7() {
    let tc = TestCluster::new();
    tc.create_kept_topic("off", 2);
    tc.produce_lib("off", &[Rec::value(0, "x"), Rec::value(1, "y")]);
    let mut c = tc.cluster_or_default();
    c.update(|_| {
        let r = MetadataRecord::PartitionChange {
            topic: "off".into(),
            partition: 1,
            leader: -1,
            leader_epoch: 1,
            isr: vec![],
            reason: "test: every replica down".into(),
            offline_replicas: None,
        };
        Ok((vec![r], ()))
    })
    .unwrap();
    let a = tc.consume(["-t", "off"]).code(7);
    let err = stderr_lines(&a);
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(err[0].contains("off-1 is offline"), "{err:?}");
    // The partition that has a leader still reads.
    assert_eq!(lines(&tc.consume_ok(["-t", "off", "-p", "0"])), ["x"]);
}

/// A running `filka consume` whose stdout lines arrive on a channel.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    errors: mpsc::Receiver<String>,
}

/// Sends the lines of `r` down a channel, from a thread.
fn lines_of(r: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next `n` lines from `rx`, failing after 20 s.
fn take_lines(rx: &mpsc::Receiver<String>, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut got = Vec::new();
    while got.len() < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => got.push(l),
            Err(e) => panic!("got {} of {n} lines ({e}): {got:?}", got.len()),
        }
    }
    got
}

impl Running {
    fn spawn(tc: &TestCluster, args: &[&str]) -> Running {
        let mut child = Command::new(FILKA)
            .arg("--cluster")
            .arg(tc.data())
            .arg("consume")
            .args(args)
            .current_dir(tc.path())
            .env_remove("FILKA_CLUSTER")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = lines_of(child.stdout.take().unwrap());
        let errors = lines_of(child.stderr.take().unwrap());
        Running {
            child,
            lines,
            errors,
        }
    }

    /// The next `n` lines of stdout, failing after 20 s.
    fn take(&mut self, n: usize) -> Vec<String> {
        take_lines(&self.lines, n)
    }

    /// Waits for the process to exit by itself (20 s at most); its status code.
    fn wait(&mut self) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "consume did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn follow_picks_up_records_produced_after_start() {
    let tc = TestCluster::new();
    tc.create_kept_topic("f", 2);
    tc.produce_lib(
        "f",
        &[
            Rec::value(0, "a0"),
            Rec::value(1, "b0"),
            Rec::value(0, "a1"),
        ],
    );
    let mut run = Running::spawn(&tc, &["-t", "f", "-f", "--format", "%p %o %v\\n"]);
    let mut first = run.take(3);
    first.sort();
    assert_eq!(first, ["0 0 a0", "0 1 a1", "1 0 b0"]);
    // Nothing more yet, and still running.
    assert!(run.lines.recv_timeout(Duration::from_millis(300)).is_err());
    assert!(run.child.try_wait().unwrap().is_none());

    tc.produce_lib("f", &[Rec::value(1, "b1"), Rec::value(0, "a2")]);
    let mut more = run.take(2);
    more.sort();
    assert_eq!(more, ["0 2 a2", "1 1 b1"]);
    tc.produce_lib("f", &[Rec::value(1, "b2")]);
    assert_eq!(run.take(1), ["1 2 b2"]);
}

#[test]
fn follow_from_end_with_max_messages_exits_0() {
    let tc = TestCluster::new();
    tc.create_kept_topic("f", 1);
    tc.produce_lib("f", &[Rec::value(0, "old")]);
    let mut run = Running::spawn(&tc, &["-v", "-t", "f", "-o", "end", "-f", "-c", "2"]);
    // -v says where it starts: produce only once "end" is fixed.
    let said = take_lines(&run.errors, 2);
    assert!(said[0].starts_with("filka: cluster "), "{said:?}");
    let leader = tc.open_cluster().partition("f", 0).unwrap().leader;
    assert_eq!(
        said[1],
        format!(
            "filka: consume: reading f-0 from its leader, broker {leader}, at offset 1 (-o end: \
             the high watermark, only records produced from now on)"
        )
    );
    tc.produce_lib("f", &[Rec::value(0, "new1")]);
    assert_eq!(run.take(1), ["new1"]);
    tc.produce_lib("f", &[Rec::value(0, "new2"), Rec::value(0, "new3")]);
    assert_eq!(run.take(1), ["new2"]);
    assert_eq!(run.wait(), 0);
    assert!(run.lines.recv_timeout(Duration::from_secs(5)).is_err());
}

#[test]
fn head_closing_the_pipe_exits_0_quietly() {
    let tc = TestCluster::new();
    tc.create_kept_topic("h", 1);
    let value = "x".repeat(100);
    // ~2 MB: far more than a pipe buffer, so consume is still writing when head exits.
    let recs: Vec<Rec> = (0..20_000).map(|_| Rec::value(0, &value)).collect();
    tc.produce_lib("h", &recs);
    for _ in 0..3 {
        let mut consume = Command::new(FILKA)
            .arg("--cluster")
            .arg(tc.data())
            .args(["consume", "-t", "h"])
            .env_remove("FILKA_CLUSTER")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let head = Command::new("head")
            .arg("-1")
            .stdin(Stdio::from(consume.stdout.take().unwrap()))
            .output()
            .unwrap();
        assert!(head.status.success());
        assert_eq!(String::from_utf8_lossy(&head.stdout), format!("{value}\n"));
        let status = consume.wait().unwrap();
        let mut err = String::new();
        consume
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(status.code(), Some(0), "stderr: {err}");
        assert!(err.is_empty(), "{err}");
    }
    // The same through a shell pipeline, as users write it.
    let sh = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "set -e; '{}' --cluster '{}' consume -t h --output json | head -1 >/dev/null; \
             '{}' --cluster '{}' consume -t h | head -c 10 >/dev/null",
            FILKA,
            tc.data().display(),
            FILKA,
            tc.data().display()
        ))
        .output()
        .unwrap();
    assert!(sh.status.success(), "{sh:?}");
    assert!(
        sh.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&sh.stderr)
    );
}

/// Per partition, every line is `P O P:O:<pad>`: offsets dense from 0 and each record whole.
fn check_live_output(out: &[u8], pad: &str) -> BTreeMap<u32, i64> {
    let mut next: BTreeMap<u32, i64> = BTreeMap::new();
    for l in lines(out) {
        let mut it = l.splitn(3, ' ');
        let p: u32 = it.next().unwrap().parse().unwrap();
        let o: i64 = it.next().unwrap().parse().unwrap();
        let v = it.next().unwrap();
        let n = next.entry(p).or_insert(0);
        assert_eq!(o, *n, "partition {p}: offsets not dense");
        assert_eq!(v, format!("{p}:{o}:{pad}"), "partition {p} offset {o}");
        *n += 1;
    }
    next
}

#[test]
fn consume_while_a_producer_appends() {
    use filka::client::producer::{Producer, ProducerConfig, ProducerRecord};
    use filka::record::Compression;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const PARTS: u32 = 3;
    /// The producer writes at least this many records, and goes on until the reader has
    /// finished READS reads, so reading and appending overlap however fast either side is.
    const MIN_RECORDS: u32 = 2000;
    const READS: usize = 5;
    /// ...but no more than this: each read goes back to offset 0, and a debug-build consume
    /// decodes several times slower than the in-process producer appends, so on a loaded
    /// machine every read saw a longer log than the last and the test never ended once new
    /// partitions came with their (empty) segment files and the first appends got faster.
    const MAX_RECORDS: u32 = 50_000;
    let tc = TestCluster::new();
    tc.create_kept_topic("live", PARTS);
    let pad = "z".repeat(150);
    let fmt = ["--format", "%p %o %v\\n"];

    let mut follow = Running::spawn(&tc, &["-t", "live", "-f", fmt[0], fmt[1]]);

    let cluster = tc.cluster_or_default();
    let pad2 = pad.clone();
    let reads = Arc::new(AtomicUsize::new(0));
    let reads2 = Arc::clone(&reads);
    let producer = std::thread::spawn(move || {
        let cfg = ProducerConfig {
            compression: Some(Compression::Lz4),
            ..ProducerConfig::default()
        };
        let mut p = Producer::new(cluster, "live", cfg).unwrap();
        let mut seq = [0i64; PARTS as usize];
        let mut i = 0u32;
        while i < MIN_RECORDS || (reads2.load(Ordering::SeqCst) < READS && i < MAX_RECORDS) {
            let part = i % PARTS;
            let v = format!("{part}:{}:{pad2}", seq[part as usize]);
            seq[part as usize] += 1;
            p.send(&ProducerRecord {
                value: Some(v.as_bytes()),
                partition: Some(part),
                ..Default::default()
            })
            .unwrap();
            // Many small batches: more chances to catch one half-written.
            if i.is_multiple_of(37) {
                p.flush().unwrap();
            }
            i += 1;
        }
        p.close().unwrap();
        i
    });

    // Non-follow reads while the producer runs: each ends by itself (at the end it saw when
    // it started) and prints whole records with dense offsets only.
    let mut grew = 0;
    let mut last_total = 0;
    while !producer.is_finished() {
        let out = tc.consume_ok(["-t", "live", fmt[0], fmt[1]]);
        let total: i64 = check_live_output(&out, &pad).values().sum();
        grew += usize::from(total > last_total);
        last_total = total;
        reads.fetch_add(1, Ordering::SeqCst);
    }
    let produced = producer.join().unwrap();
    assert!(grew >= 2, "the reads did not overlap the appends ({grew})");
    let out = tc.consume_ok(["-t", "live", fmt[0], fmt[1]]);
    let seen = check_live_output(&out, &pad);
    assert_eq!(seen.values().sum::<i64>(), i64::from(produced));

    // The follower saw everything, in order per partition.
    let got = follow.take(produced as usize);
    let seen = check_live_output(got.join("\n").as_bytes(), &pad);
    assert_eq!(seen.values().sum::<i64>(), i64::from(produced));
}

/// Not a test: writes the benchmark data set (1,000,000 records of 100-byte values in a
/// 3-partition topic `bench`) into the cluster at $FILKA_BENCH_DIR. Run with
/// `FILKA_BENCH_DIR=/tmp/bench cargo nextest run --release --run-ignored only bench_data`, then
/// compare `time filka --cluster /tmp/bench consume -t bench > out` with `time cat out > copy`.
#[test]
#[ignore = "creates the benchmark data set"]
fn bench_data() {
    use filka::client::producer::{Producer, ProducerConfig, ProducerRecord};
    let dir = std::path::PathBuf::from(std::env::var("FILKA_BENCH_DIR").unwrap());
    let mut c = filka::cluster::Cluster::open_or_create(&dir, |_| {}).unwrap();
    c.create_topic("bench", 3, 1, BTreeMap::new(), false)
        .unwrap();
    let mut p = Producer::new(c, "bench", ProducerConfig::default()).unwrap();
    let mut value = [b'x'; 100];
    for i in 0..1_000_000u32 {
        value[..10].copy_from_slice(format!("{i:010}").as_bytes());
        p.send(&ProducerRecord {
            value: Some(&value),
            ..Default::default()
        })
        .unwrap();
    }
    p.close().unwrap();
}

/// Regression: with no signal handling, Ctrl-C killed `consume` with its output buffer
/// unwritten and the signal's status instead of a clean exit.
#[test]
fn sigint_stops_consume_cleanly_with_its_output_flushed() {
    let tc = ten_records();
    let out = tc.path().join("c.out");
    let mut child = Command::new(FILKA)
        .arg("--cluster")
        .arg(tc.data())
        .args(["consume", "-t", "t", "-f"])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while lines(&std::fs::read(&out).unwrap()).len() < 10 {
        assert!(start.elapsed() < Duration::from_secs(60), "nothing read");
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no exit after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.ends_with('\n'), "{text:?}");
    assert_eq!(text.lines().count(), 10);
}
