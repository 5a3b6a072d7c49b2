//! Damage on disk seen by the real binary (issue 18): symbolic links inside the cluster are
//! never followed (nothing is written outside, and the link is named), header fields the CRC
//! does not cover are checked on every read, the message-size cap is stated, and lossy text
//! decoding is counted.

use std::path::{Path, PathBuf};

use crate::harness::{TestCluster, stderr_lines, stdout_text};
use filka::record::batch::{BatchIter, MAX_BATCH_BYTES};

/// Every file below `dir`, with its bytes, for a byte-for-byte comparison.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn setup(t: &TestCluster, topic: &str, rf: &str, configs: &[&str]) {
    t.run(["init"]).success();
    let mut args = vec!["topic", "create", topic, "-p", "1", "-r", rf];
    for c in configs {
        args.extend(["-c", c]);
    }
    t.run(args).success();
}

fn replicas(t: &TestCluster, topic: &str) -> (i32, Vec<i32>) {
    let c = t.open_cluster();
    let p = c.partition(topic, 0).unwrap();
    let followers = p
        .replicas
        .iter()
        .copied()
        .filter(|&b| b != p.leader)
        .collect();
    (p.leader, followers)
}

fn replica_dir(t: &TestCluster, broker: i32, topic: &str) -> PathBuf {
    t.data()
        .join(format!("broker-{broker}"))
        .join(format!("{topic}-0"))
}

/// Replaces `path` (a file or folder) by a symbolic link to a copy of it outside the cluster,
/// in `outside`; returns the copy's path.
fn link_outside(path: &Path, outside: &Path) -> PathBuf {
    std::fs::create_dir_all(outside).unwrap();
    let target = outside.join(path.file_name().unwrap());
    std::fs::rename(path, &target).unwrap();
    std::os::unix::fs::symlink(&target, path).unwrap();
    target
}

/// Which file or folder of a replica (given its folder) becomes a link.
type Pick = fn(&Path) -> PathBuf;

// Regression (issue 18, repro 4): with a partition's `.log` replaced by a symlink to a file
// outside the cluster, produce exited 0 and wrote a Kafka batch into that file; a symlinked
// `.index` or partition folder was written through too.
#[test]
fn no_write_lands_outside_the_cluster_through_a_symlink() {
    let cases: &[(&str, Pick)] = &[
        (".log", |d| d.join("00000000000000000000.log")),
        (".index", |d| d.join("00000000000000000000.index")),
        (".timeindex", |d| d.join("00000000000000000000.timeindex")),
        (".snapshot", |d| {
            std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.extension().is_some_and(|e| e == "snapshot"))
                .expect("a producer snapshot")
        }),
        ("leader-epoch-checkpoint", |d| {
            d.join("leader-epoch-checkpoint")
        }),
        ("partition folder", |d| d.to_path_buf()),
        ("broker folder", |d| d.parent().unwrap().to_path_buf()),
    ];
    for on_leader in [false, true] {
        for (what, pick) in cases {
            let t = TestCluster::new();
            setup(&t, "t", "3", &["replica.lag.time.max.ms=600000"]);
            // Two producers, so the replicas hold a producer snapshot.
            t.produce("t", "a\nb\n", &[]).success();
            t.produce("t", "c\n", &[]).success();
            let (leader, followers) = replicas(&t, "t");
            let broker = if on_leader { leader } else { followers[0] };
            let link = pick(&replica_dir(&t, broker, "t"));
            let outside = t.path().join("outside");
            link_outside(&link, &outside);
            let before = snapshot(&outside);
            let out = t.produce("t", "d\ne\n", &[]);
            let out = out.get_output();
            let stderr = String::from_utf8_lossy(&out.stderr);
            let case = format!(
                "{what} on the {} ({broker})",
                if on_leader { "leader" } else { "a follower" }
            );
            assert_eq!(
                snapshot(&outside),
                before,
                "{case}: a write landed outside the cluster; stderr: {stderr}"
            );
            if !out.status.success() {
                // Refused: one line, naming the link.
                assert!(
                    stderr.contains(&format!("{} is a symbolic link", link.display())),
                    "{case}: {stderr}"
                );
                assert_eq!(stderr.lines().count(), 1, "{case}: {stderr}");
            }
            // Reading the replica (consume reads the leader) never reads through it either.
            let c = t.consume(["-t", "t", "-o", "beginning"]);
            let c = c.get_output();
            let stderr = String::from_utf8_lossy(&c.stderr);
            if !c.status.success() {
                assert_eq!(c.status.code(), Some(3), "{case}: {stderr}");
                assert!(stderr.contains("is a symbolic link"), "{case}: {stderr}");
            }
            assert_eq!(snapshot(&outside), before, "{case}: changed by consume");
        }
    }
}

#[test]
fn a_replica_holding_a_symlink_is_corruption_naming_it() {
    let t = TestCluster::new();
    setup(&t, "t", "1", &[]);
    t.produce("t", "a\nb\n", &[]).success();
    let (leader, _) = replicas(&t, "t");
    let log = replica_dir(&t, leader, "t").join("00000000000000000000.log");
    link_outside(&log, &t.path().join("outside"));
    let out = t.consume(["-t", "t", "-o", "beginning"]).code(3);
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains(&format!(
            "{} is a symbolic link: filka never follows links inside a cluster; replace it \
             with the real file or folder",
            log.display()
        )),
        "{lines:?}"
    );
    assert!(stdout_text(&out).is_empty());
}

#[test]
fn dump_follows_a_link_the_user_typed() {
    let t = TestCluster::new();
    setup(&t, "t", "1", &[]);
    t.produce("t", "a\nb\n", &[]).success();
    let (leader, _) = replicas(&t, "t");
    let log = replica_dir(&t, leader, "t").join("00000000000000000000.log");
    let link = t.path().join("00000000000000000000.log");
    std::os::unix::fs::symlink(&log, &link).unwrap();
    let out = t
        .run(["dump".as_ref(), link.as_os_str(), "--verify".as_ref()])
        .success();
    assert!(
        stdout_text(&out).contains("baseOffset: 0 lastOffset: 1 count: 2"),
        "{}",
        stdout_text(&out)
    );
}

/// The byte position and base offset of every batch of a `.log`.
fn batches(path: &Path) -> Vec<(usize, i64, i64)> {
    let bytes = std::fs::read(path).unwrap();
    BatchIter::new(&bytes, 0, MAX_BATCH_BYTES)
        .map(|b| {
            let b = b.unwrap();
            (
                b.position() as usize,
                b.header().base_offset,
                b.header().last_offset(),
            )
        })
        .collect()
}

fn set_base_offset(path: &Path, position: usize, base: i64) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[position..position + 8].copy_from_slice(&base.to_be_bytes());
    std::fs::write(path, bytes).unwrap();
}

// Regression (issue 18, repro 5): a damaged baseOffset (outside the CRC) of a batch in the
// middle of a segment made consume skip its records silently (offsets 324-332 missing, exit
// 0) while `dump --verify` reported it.
#[test]
fn a_damaged_base_offset_is_corruption_on_every_read_not_a_silent_skip() {
    let t = TestCluster::new();
    // Small index interval: reads positioned by the offset index go through the damage too.
    setup(&t, "t", "1", &["index.interval.bytes=200"]);
    for i in 0..60 {
        let lines: String = (0..9).map(|j| format!("{}\n", i * 9 + j)).collect();
        t.produce("t", lines, &[]).success();
    }
    let (leader, _) = replicas(&t, "t");
    let log = replica_dir(&t, leader, "t").join("00000000000000000000.log");
    let all = batches(&log);
    let good = std::fs::read(&log).unwrap();
    let (pos, base, last) = *all.iter().find(|b| b.1 == 324).expect("batch 324..332");
    assert_eq!(last, 332);
    for damaged in [0, 320, 330, 5324, i64::MAX - 3, -7] {
        std::fs::write(&log, &good).unwrap();
        set_base_offset(&log, pos, damaged);
        // A read positioned (by the offset index) after the damage is whole: it succeeds.
        let out = t.consume_ok(["-t", "t", "-o", "400"]);
        let want: String = (400..540).map(|v| format!("{v}\n")).collect();
        assert_eq!(String::from_utf8_lossy(&out), want, "damaged to {damaged}");
        for from in ["beginning", "300", "325"] {
            let out = t.consume(["-t", "t", "-o", from]);
            let out = out.get_output();
            let stderr = String::from_utf8_lossy(&out.stderr);
            let case = format!("base {base} damaged to {damaged}, consume -o {from}");
            assert_eq!(out.status.code(), Some(3), "{case}: {stderr}");
            let lines: Vec<&str> = stderr.lines().collect();
            assert_eq!(lines.len(), 1, "{case}: {stderr}");
            assert!(
                lines[0].contains(&log.display().to_string())
                    && lines[0].contains("batch at byte")
                    && lines[0].contains("base offset"),
                "{case}: {stderr}"
            );
            // Whatever was printed before the error, no record came out of order or twice.
            let values: Vec<u64> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| l.parse().unwrap())
                .collect();
            assert!(
                values.windows(2).all(|w| w[1] == w[0] + 1),
                "{case}: {values:?}"
            );
        }
        // dump --verify agrees.
        t.run(["dump".as_ref(), log.as_os_str(), "--verify".as_ref()])
            .code(3);
    }
    std::fs::write(&log, &good).unwrap();
    let out = t.consume_ok(["-t", "t", "-o", "beginning"]);
    assert_eq!(String::from_utf8_lossy(&out).lines().count(), 540);
}

// Regression (issue 18, repro 7): a 16 MiB cap silently overrode a larger max.message.bytes,
// and the config accepted 999999999999.
#[test]
fn max_message_bytes_above_the_cap_is_refused_naming_it() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    let out = t
        .run([
            "topic",
            "create",
            "t",
            "-c",
            "max.message.bytes=999999999999",
        ])
        .code(2);
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("max.message.bytes") && lines[0].contains("16777216"),
        "{lines:?}"
    );
    t.run(["topic", "create", "t", "-c", "max.message.bytes=16777216"])
        .success();
    let out = t
        .run(["topic", "alter", "t", "-c", "max.message.bytes=16777217"])
        .code(2);
    assert!(stderr_lines(&out)[0].contains("16 MiB"));
}

// Regression (issue 18, repro 7): consume --value-format string turned invalid UTF-8 into
// U+FFFD without a word.
#[test]
fn lossy_string_decoding_is_counted_once_on_stderr() {
    let t = TestCluster::new();
    setup(&t, "u", "1", &[]);
    t.produce("u", b"ok\n\xff\xfebad\nx\xc3\n".to_vec(), &[])
        .success();
    let out = t.consume(["-t", "u", "--value-format", "string"]).success();
    assert_eq!(stdout_text(&out), "ok\n\u{fffd}\u{fffd}bad\nx\u{fffd}\n");
    assert_eq!(
        stderr_lines(&out),
        [
            "filka: consume: 2 values were not valid UTF-8: each invalid sequence was printed \
          as U+FFFD (use --value-format bytes to keep the bytes as stored)"
        ]
    );
    let out = t
        .consume(["-t", "u", "--value-format", "string", "--output", "json"])
        .success();
    assert_eq!(stderr_lines(&out).len(), 1);
    // -q: no note; the default format (bytes) prints the bytes as stored, with no note.
    let out = t
        .consume(["-q", "-t", "u", "--value-format", "string"])
        .success();
    assert!(stderr_lines(&out).is_empty());
    let out = t.consume(["-t", "u"]).success();
    assert_eq!(out.get_output().stdout, b"ok\n\xff\xfebad\nx\xc3\n");
    assert!(stderr_lines(&out).is_empty());
}
