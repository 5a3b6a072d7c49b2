//! The fault matrix of issue 18 ("a damaged replica never costs the healthy ones"): every
//! disk fault, on the leader and on a follower, with one replica and with three, producing
//! with acks=all and with acks=1, then consuming, then restarting the damaged replica's
//! broker. After every step four things are checked:
//!
//! (a) every record acknowledged while a healthy in-sync replica held it is read back at
//!     its offset (with one replica that is damaged, what is lost must be said: a
//!     documented exit code and a line naming the damage, or the restart's line naming
//!     what recovery cut; never a silent gap, never another record at an acknowledged
//!     offset);
//! (b) no healthy replica's log end offset went down (`describe partition --output json`,
//!     replica_details, before the fault and after each step);
//! (c) every exit is 0 or a documented code the step may give, and stderr holds only
//!     `filka: ...` lines (notes, then at most one error line), never a panic;
//! (d) nothing beside the cluster changed: the temporary directory outside `data/` (a
//!     canary file, and the targets of the symbolic links) is byte-for-byte the same.
//!
//! Each case gets its own cluster; run with `--nocapture` to see the outcome table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::harness::{TestCluster, tree};
use filka::error::ExitCode;
use filka::record::batch::{BatchIter, MAX_BATCH_BYTES};

/// The faults, each made with real file operations on one replica's folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// A bit flipped in the active segment's last batch (covered by the CRC).
    FlipActive,
    /// A bit flipped in a batch of the oldest segment, below the recovery point
    /// (flush.messages=1).
    FlipOld,
    /// The base offset (outside the CRC) of the middle batch of the log changed.
    BaseOffset,
    /// The partition folder removed (`rm -rf`).
    MissingFolder,
    /// A non-active segment's `.log` removed: a hole in the middle of the log.
    MissingSegment,
    /// The `.index` of the segment holding the middle batch cut in the middle of an entry.
    TruncatedIndex,
    /// The active `.log` replaced by a symbolic link to a copy outside the cluster.
    SymlinkFile,
    /// The partition folder replaced by a symbolic link to a copy outside the cluster.
    SymlinkFolder,
    /// The active `.log` cannot be opened for writing. Tests run as root, and permission
    /// bits do not stop root, so a read-only file cannot be made with chmod: the file is
    /// replaced by a folder of the same name, which no process can open for writing.
    Unwritable,
    /// The partition folder cannot take new files, renames or removals: `chattr +i` (the
    /// immutable flag stops root too, where chmod does not). Skipped, saying so, where the
    /// file system has no such flag.
    ReadOnlyFolder,
}

/// Which replica the fault is made on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Leader,
    Follower,
}

/// One cell of the matrix.
#[derive(Debug, Clone, Copy)]
struct Case {
    fault: Fault,
    place: Place,
    rf: u32,
    acks: &'static str,
}

impl Case {
    fn name(&self) -> String {
        format!(
            "{:?} on the {:?}, RF {}, acks={}",
            self.fault, self.place, self.rf, self.acks
        )
    }

    /// Why this cell makes no sense, if it does not.
    fn skip(&self) -> Option<&'static str> {
        (self.place == Place::Follower && self.rf == 1).then_some("RF 1 has no follower")
    }

    /// The damaged replica was the only one: nothing healthy holds its records.
    fn sole(&self) -> bool {
        self.rf == 1
    }
}

/// The whole matrix for one fault: {leader, follower} x {RF 1, RF 3} x {acks all, acks 1}.
fn cases(fault: Fault) -> Vec<Case> {
    let mut out = Vec::new();
    for place in [Place::Leader, Place::Follower] {
        for rf in [1, 3] {
            for acks in ["all", "1"] {
                out.push(Case {
                    fault,
                    place,
                    rf,
                    acks,
                });
            }
        }
    }
    out
}

/// What one command did.
struct Ran {
    what: String,
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn text(&self) -> String {
        format!(
            "`{}` exit {}\n--- stdout\n{}--- stderr\n{}",
            self.what, self.code, self.stdout, self.stderr
        )
    }
}

fn run(t: &TestCluster, args: &[&str], stdin: &str) -> Ran {
    let out = t
        .cmd()
        .args(args)
        .write_stdin(stdin.as_bytes().to_vec())
        .output()
        .unwrap();
    Ran {
        what: args.join(" "),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// (c): exit 0 or one of `allowed` (each a documented code); stderr only `filka: ` lines,
/// no panic, and a failure ends with its one error line.
fn check_exit(case: &str, r: &Ran, allowed: &[ExitCode]) {
    let documented = ExitCode::ALL.iter().any(|c| c.code() == r.code);
    assert!(
        r.code == 0 || (documented && allowed.iter().any(|c| c.code() == r.code)),
        "{case}: exit {} is not one this step may give ({allowed:?})\n{}",
        r.code,
        r.text()
    );
    assert!(
        !r.stderr.contains("panicked") && !r.stderr.contains("RUST_BACKTRACE"),
        "{case}: a panic\n{}",
        r.text()
    );
    for line in r.stderr.lines() {
        assert!(
            line.starts_with("filka: "),
            "{case}: a stderr line that is not `filka: ...`: {line:?}\n{}",
            r.text()
        );
    }
    if r.code != 0 {
        assert!(
            r.stderr.ends_with('\n') && !r.stderr.trim().is_empty(),
            "{case}: a failure without its line\n{}",
            r.text()
        );
    }
}

/// `partition<TAB>offset` lines of `--print-offsets`.
fn printed_offsets(stdout: &str) -> Vec<i64> {
    stdout
        .lines()
        .map(|l| {
            let (p, o) = l.split_once('\t').expect("partition<TAB>offset");
            assert_eq!(p, "0");
            o.parse().unwrap()
        })
        .collect()
}

/// Produces `values` and returns what was acknowledged, offset -> value.
fn produce(t: &TestCluster, acks: &str, values: &[String]) -> (Ran, BTreeMap<i64, String>) {
    let input: String = values.iter().map(|v| format!("{v}\n")).collect();
    let r = run(
        t,
        &[
            "produce",
            "-t",
            "m",
            "--acks",
            acks,
            "--batch-size",
            "100",
            "--print-offsets",
            "--delivery-timeout-ms",
            "300",
        ],
        &input,
    );
    let offsets = printed_offsets(&r.stdout);
    // --print-offsets prints in input order: the first N records were acknowledged.
    let acked = offsets.into_iter().zip(values.iter().cloned()).collect();
    (r, acked)
}

/// `consume -o FROM` as (offset, value) pairs.
fn consume(t: &TestCluster, from: &str) -> (Ran, Vec<(i64, String)>) {
    let r = run(
        t,
        &["consume", "-t", "m", "-o", from, "--format", "%o %v\\n"],
        "",
    );
    let records = r
        .stdout
        .lines()
        .map(|l| {
            let (o, v) = l.split_once(' ').expect("offset value");
            (o.parse().unwrap(), v.to_string())
        })
        .collect();
    (r, records)
}

/// The partition as `describe partition --output json` shows it.
struct Described {
    leader: i32,
    isr: Vec<i32>,
    offline: Vec<i32>,
    /// Broker -> log end offset (-1: unknown, its files are damaged).
    leo: BTreeMap<i32, i64>,
}

fn describe(t: &TestCluster) -> (Ran, Option<Described>) {
    let r = run(
        t,
        &["--output", "json", "describe", "partition", "m", "0"],
        "",
    );
    if r.code != 0 {
        return (r, None);
    }
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let ids = |k: &str| -> Vec<i32> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_i64().unwrap() as i32)
            .collect()
    };
    let leo = v["replica_details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["broker"].as_i64().unwrap() as i32,
                r["log_end_offset"].as_i64().unwrap(),
            )
        })
        .collect();
    let d = Described {
        leader: v["leader"].as_i64().unwrap() as i32,
        isr: ids("isr"),
        offline: ids("offline_replicas"),
        leo,
    };
    (r, Some(d))
}

/// Everything in the temporary directory but the cluster.
fn outside(t: &TestCluster) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    tree(t.path())
        .into_iter()
        .filter(|(p, _)| !p.starts_with("data"))
        .collect()
}

/// The segments of a replica folder, by base offset.
fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    v.sort();
    v
}

/// (segment, byte position, size, base offset) of every batch of a replica, in order.
fn batches(dir: &Path) -> Vec<(PathBuf, usize, usize, i64)> {
    let mut out = Vec::new();
    for seg in segments(dir) {
        let bytes = std::fs::read(&seg).unwrap();
        for b in BatchIter::new(&bytes, 0, MAX_BATCH_BYTES) {
            let b = b.unwrap();
            out.push((
                seg.clone(),
                b.position() as usize,
                b.header().size(),
                b.header().base_offset,
            ));
        }
    }
    out
}

fn flip(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[at] ^= 0x10;
    std::fs::write(path, bytes).unwrap();
}

/// Moves `path` (a file or folder) to `outside/` and leaves a symbolic link to it.
fn link_outside(path: &Path, outside: &Path) {
    let target = outside.join(path.file_name().unwrap());
    std::fs::rename(path, &target).unwrap();
    std::os::unix::fs::symlink(&target, path).unwrap();
}

/// Clears the immutable flag of a folder when the case ends, so the temporary directory can
/// be removed (also when the case fails).
struct Immutable(PathBuf);

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

/// Makes the fault on the replica in `dir`; `Err` when the file system cannot (a skip).
fn inject(fault: Fault, dir: &Path, outside: &Path) -> Result<Option<Immutable>, String> {
    let all = batches(dir);
    let segs = segments(dir);
    assert!(segs.len() >= 3 && all.len() >= 5, "{segs:?}");
    let middle = &all[all.len() / 2];
    match fault {
        Fault::FlipActive => {
            let (seg, pos, size, _) = all.last().unwrap();
            flip(seg, pos + size - 1);
        }
        Fault::FlipOld => {
            let (seg, pos, size, _) = &all[1];
            assert_eq!(seg, &segs[0]);
            flip(seg, pos + size / 2);
        }
        Fault::BaseOffset => {
            let (seg, pos, _, base) = middle;
            let mut bytes = std::fs::read(seg).unwrap();
            bytes[*pos..pos + 8].copy_from_slice(&(base + 1).to_be_bytes());
            std::fs::write(seg, bytes).unwrap();
        }
        Fault::MissingFolder => std::fs::remove_dir_all(dir).unwrap(),
        Fault::MissingSegment => std::fs::remove_file(&segs[1]).unwrap(),
        Fault::TruncatedIndex => {
            let index = middle.0.with_extension("index");
            let len = std::fs::metadata(&index).unwrap().len();
            assert!(len >= 8, "{} has no entry", index.display());
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(&index)
                .unwrap();
            f.set_len(len - 3).unwrap();
        }
        Fault::SymlinkFile => link_outside(segs.last().unwrap(), outside),
        Fault::SymlinkFolder => link_outside(dir, outside),
        Fault::Unwritable => {
            let active = segs.last().unwrap();
            std::fs::remove_file(active).unwrap();
            std::fs::create_dir(active).unwrap();
        }
        Fault::ReadOnlyFolder => {
            return immutable(dir)
                .map(Some)
                .ok_or_else(|| "no immutable flag that stops root here".to_string());
        }
    }
    Ok(None)
}

/// Checks (a) on what a consume read from offset `from`: nothing but its own record sits at
/// an acknowledged offset, offsets ascend, no record is there twice, and, when `complete`,
/// every acknowledged record is there. Returns how many acknowledged records were read.
fn check_records(
    case: &str,
    step: &Ran,
    acked: &BTreeMap<i64, String>,
    read: &[(i64, String)],
    from: i64,
    complete: bool,
) -> usize {
    assert!(
        read.windows(2).all(|w| w[0].0 < w[1].0),
        "{case}: offsets out of order or twice\n{}",
        step.text()
    );
    let got: BTreeMap<i64, &String> = read.iter().map(|(o, v)| (*o, v)).collect();
    let mut found = 0;
    for (o, v) in acked.range(from..) {
        match got.get(o) {
            Some(g) if *g == v => found += 1,
            Some(g) => panic!(
                "{case}: offset {o} was acknowledged for {v:?} but holds {g:?}\n{}",
                step.text()
            ),
            None if complete => panic!(
                "{case}: acknowledged record {v:?} at offset {o} is missing\n{}",
                step.text()
            ),
            None => {}
        }
    }
    // No value appears twice (a retried batch written again).
    let mut values: Vec<&String> = read.iter().map(|(_, v)| v).collect();
    values.sort();
    values.dedup();
    assert_eq!(
        values.len(),
        read.len(),
        "{case}: a record was written twice\n{}",
        step.text()
    );
    found
}

/// Words a line naming damage to a replica uses.
fn names_damage(text: &str) -> bool {
    [
        "corrupt",
        "CRC",
        "damage",
        "missing",
        "symbolic link",
        "failed",
        "offline",
        "base offset",
        "Is a directory",
        "Operation not permitted",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// Exit 0, nothing but `filka: ` lines on stderr.
fn ok(name: &str, r: &Ran) {
    check_exit(name, r, &[]);
    assert_eq!(r.code, 0, "{name}\n{}", r.text());
}

/// A cluster whose topic `m` (one partition, `rf` replicas, segments of 250 bytes: 4
/// segments, 7 batches) holds `s1`..`s24` at offsets 0..23, produced with `acks`; returns
/// what was acknowledged and the partition before any fault.
fn setup(
    name: &str,
    rf: u32,
    acks: &str,
    configs: &[&str],
) -> (TestCluster, BTreeMap<i64, String>, Described) {
    let t = TestCluster::new();
    ok(name, &run(&t, &["init"], ""));
    let rf = rf.to_string();
    let mut create = vec!["topic", "create", "m", "-p", "1", "-r", &rf];
    for c in ["segment.bytes=250", "index.interval.bytes=50"]
        .iter()
        .chain(configs)
    {
        create.extend(["-c", c]);
    }
    ok(name, &run(&t, &create, ""));
    let first: Vec<String> = (1..=24).map(|i| format!("s{i}")).collect();
    let (r, acked) = produce(&t, acks, &first);
    ok(name, &r);
    assert_eq!(acked.len(), 24, "{name}\n{}", r.text());
    let (r, before) = describe(&t);
    ok(name, &r);
    (t, acked, before.unwrap())
}

/// Runs one case; returns its outcome for the table.
fn run_case(case: Case) -> String {
    let name = case.name();
    let name = name.as_str();
    let ok = |r: &Ran| ok(name, r);
    let flush: &[&str] = if case.fault == Fault::FlipOld {
        &["flush.messages=1"]
    } else {
        &[]
    };
    let (t, mut acked, before) = setup(name, case.rf, case.acks, flush);
    let target = match case.place {
        Place::Leader => before.leader,
        Place::Follower => *before.leo.keys().find(|&&b| b != before.leader).unwrap(),
    };
    let dir = t.data().join(format!("broker-{target}/m-0"));
    let out_dir = t.path().join("outside");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("canary"), b"not filka's").unwrap();
    let probe = {
        let all = batches(&dir);
        all[all.len() / 2].3 + 1
    };
    let _guard = match inject(case.fault, &dir, &out_dir) {
        Ok(g) => g,
        Err(why) => return format!("{name}: skipped ({why})"),
    };
    let untouched = outside(&t);
    // Damage on the only replica: the partition is offline or reads fail, with a line.
    let lossy: &[ExitCode] = if case.sole() && case.place == Place::Leader {
        &[ExitCode::Corrupt, ExitCode::Offline]
    } else {
        &[]
    };

    // Produce after the fault.
    let second: Vec<String> = (1..=6).map(|i| format!("p{i}")).collect();
    let (p, more) = produce(&t, case.acks, &second);
    check_exit(name, &p, lossy);
    if p.code != 0 {
        assert!(
            names_damage(&p.stderr),
            "{name}: the line says why\n{}",
            p.text()
        );
    }
    let produced = more.len();
    acked.extend(more);
    let mut outcome = format!(
        "produce {} ({produced}/6 acked){}",
        p.code,
        if p.stderr.contains("failed") {
            ", replica failed"
        } else {
            ""
        }
    );

    // Consume from the middle of the log (positioned by the offset index), then
    // everything.
    for from in [probe.to_string(), "beginning".to_string()] {
        let (c, read) = consume(&t, &from);
        check_exit(name, &c, lossy);
        if c.code != 0 {
            assert!(
                names_damage(&c.stderr),
                "{name}: the line says why\n{}",
                c.text()
            );
        }
        let start = if from == "beginning" { 0 } else { probe };
        // Complete unless the sole replica is damaged and the command said so.
        let found = check_records(name, &c, &acked, &read, start, c.code == 0);
        if from == "beginning" {
            outcome += &format!(", consume {} ({found}/{} acked read)", c.code, acked.len());
        } else if c.code != 0 {
            outcome += &format!(", consume -o {probe} {}", c.code);
        }
    }

    // (b) after the writes and reads.
    let healthy = |d: &Described, step: &str| {
        for (&b, &leo) in &before.leo {
            if b == target {
                continue;
            }
            let now = d.leo.get(&b).copied().unwrap_or(-1);
            assert!(
                now >= leo,
                "{name}: healthy broker {b}'s log end went from {leo} to {now} ({step})"
            );
        }
    };
    let (r, after) = describe(&t);
    check_exit(name, &r, lossy);
    match &after {
        Some(d) => {
            healthy(d, "after produce and consume");
            if d.offline.contains(&target) {
                outcome += &format!(", offline (leader {})", d.leader);
            }
        }
        None => outcome += &format!(", describe {}", r.code),
    }

    // The damaged replica's broker restarts.
    let b = target.to_string();
    ok(&run(&t, &["simulate-failure", "broker-down", &b], ""));
    let up = run(&t, &["simulate-failure", "broker-up", &b], "");
    ok(&up);
    let (c, read) = consume(&t, "beginning");
    check_exit(name, &c, lossy);
    let said = format!("{}{}", up.stdout, up.stderr);
    let found = check_records(name, &c, &acked, &read, 0, !case.sole());
    if case.sole() && found < acked.len() && c.code == 0 {
        // What recovery cut with the only replica is Kafka's loss of an unclean stop: the
        // restart must have said so, and only records after the cut may be gone.
        assert!(
            said.contains("cut") || said.contains("made again"),
            "{name}: {} acknowledged records gone, and the restart did not say so\n{}\n{}",
            acked.len() - found,
            up.text(),
            c.text()
        );
        if let Some(at) = said.split("cut after offset ").nth(1) {
            let cut: i64 = at
                .split(|ch: char| !ch.is_ascii_digit())
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let got: Vec<i64> = read.iter().map(|r| r.0).collect();
            for o in acked.keys().filter(|o| !got.contains(o)) {
                assert!(*o > cut, "{name}: offset {o} is gone, below the cut {cut}");
            }
        }
    }
    outcome += &format!(
        ", restart: consume {} ({found}/{} read)",
        c.code,
        acked.len()
    );
    let (r, last) = describe(&t);
    check_exit(name, &r, lossy);
    if let Some(d) = &last {
        healthy(d, "after the restart");
        let back = !d.offline.contains(&target) && d.isr.contains(&target);
        let leo = d.leo.get(&target).copied().unwrap_or(-1);
        let lead = d.leo.get(&d.leader).copied().unwrap_or(-1);
        outcome += &if back && leo == lead {
            format!(", {target} back in sync at {leo}")
        } else if d.offline.contains(&target) {
            format!(", {target} still offline")
        } else {
            format!(", {target} at {leo}, leader at {lead}, isr {:?}", d.isr)
        };
    }
    assert_eq!(
        outside(&t),
        untouched,
        "{name}: something outside the cluster changed"
    );
    format!("{name}: {outcome}")
}

/// Runs every case of `fault`'s row (all of them, so one failure does not hide the
/// others), printing each outcome; fails naming the cases that failed.
fn matrix(fault: Fault) {
    let mut failed = Vec::new();
    for case in cases(fault) {
        if let Some(why) = case.skip() {
            eprintln!("{}: skipped ({why})", case.name());
            continue;
        }
        match std::panic::catch_unwind(|| run_case(case)) {
            Ok(line) => eprintln!("{line}"),
            Err(_) => failed.push(case.name()),
        }
    }
    assert!(failed.is_empty(), "failed: {failed:#?}");
}

#[test]
fn matrix_bit_flip_in_the_active_segment() {
    matrix(Fault::FlipActive);
}

#[test]
fn matrix_bit_flip_in_an_old_segment_below_the_recovery_point() {
    matrix(Fault::FlipOld);
}

#[test]
fn matrix_base_offset_of_a_middle_batch() {
    matrix(Fault::BaseOffset);
}

#[test]
fn matrix_missing_partition_folder() {
    matrix(Fault::MissingFolder);
}

#[test]
fn matrix_missing_segment() {
    matrix(Fault::MissingSegment);
}

#[test]
fn matrix_truncated_index() {
    matrix(Fault::TruncatedIndex);
}

#[test]
fn matrix_symlinked_file() {
    matrix(Fault::SymlinkFile);
}

#[test]
fn matrix_symlinked_folder() {
    matrix(Fault::SymlinkFolder);
}

#[test]
fn matrix_active_segment_cannot_be_written() {
    matrix(Fault::Unwritable);
}

#[test]
fn matrix_read_only_folder() {
    matrix(Fault::ReadOnlyFolder);
}

/// The replica folder of `m` on `broker`.
fn replica(t: &TestCluster, broker: i32) -> PathBuf {
    t.data().join(format!("broker-{broker}/m-0"))
}

/// The first follower of `m` (lowest broker id that does not lead).
fn follower(d: &Described) -> i32 {
    *d.leo.keys().find(|&&b| b != d.leader).unwrap()
}

/// `chattr +i` on `dir`, undone when the guard drops; `None` where the file system has no
/// immutable flag, or it does not stop this process.
fn immutable(dir: &Path) -> Option<Immutable> {
    let ok = std::process::Command::new("chattr")
        .arg("+i")
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success());
    let guard = ok.then(|| Immutable(dir.to_path_buf()))?;
    if std::fs::write(dir.join("probe"), b"x").is_ok() {
        let _ = std::fs::remove_file(dir.join("probe"));
        return None;
    }
    Some(guard)
}

// Regression (fault matrix): with a middle segment's `.log` removed from the leader, consume
// exited 0 and skipped offsets 8..14 without a word (RF 3: the followers held them; RF 1:
// nothing said they were gone). A cleanup.policy=delete log has no gaps, so a gap is
// damage: the reader moves to an in-sync replica, or exits 3 naming the offsets.
#[test]
fn a_missing_middle_segment_is_damage_not_a_silent_gap() {
    for rf in [3, 1] {
        let name = format!("RF {rf}");
        let (t, acked, before) = setup(&name, rf, "all", &[]);
        std::fs::remove_file(replica(&t, before.leader).join("00000000000000000008.log")).unwrap();
        let (c, read) = consume(&t, "beginning");
        let said = "offsets 8..14 are missing: the next batch starts at offset 15";
        if rf == 3 {
            ok(&name, &c);
            assert_eq!(read.len(), 24, "{}", c.text());
            assert!(
                c.stderr.contains(said) && c.stderr.contains("reading on from the new leader"),
                "{}",
                c.text()
            );
        } else {
            check_exit(&name, &c, &[ExitCode::Corrupt]);
            assert_eq!(c.code, 3, "{}", c.text());
            assert_eq!(c.stderr.lines().count(), 1, "{}", c.text());
            assert!(c.stderr.contains(said), "{}", c.text());
            let want: Vec<(i64, String)> = acked.range(..8).map(|(o, v)| (*o, v.clone())).collect();
            assert_eq!(read, want);
        }
    }
}

// Regression (fault matrix): the base offset of a segment's last batch raised by one (12 ->
// 13, outside the CRC) made `consume -o 13` print `13 s13`, `14 s14`, `15 s15` (records at
// offsets they do not have) before the next segment's first batch gave the damage away.
// The batch is now held to the next segment's base offset before its records go out.
#[test]
fn a_raised_base_offset_in_a_segments_last_batch_is_caught_before_its_records_go_out() {
    let (t, _, before) = setup("RF 1", 1, "all", &[]);
    let seg = replica(&t, before.leader).join("00000000000000000008.log");
    let (_, pos, _, base) = batches(&replica(&t, before.leader))
        .into_iter()
        .find(|b| b.3 == 12)
        .unwrap();
    let mut bytes = std::fs::read(&seg).unwrap();
    bytes[pos..pos + 8].copy_from_slice(&(base + 1).to_be_bytes());
    std::fs::write(&seg, bytes).unwrap();
    for from in ["13", "14"] {
        let (c, read) = consume(&t, from);
        check_exit(from, &c, &[ExitCode::Corrupt]);
        assert_eq!(c.code, 3, "{}", c.text());
        assert!(read.is_empty(), "-o {from}: {read:?}");
        assert!(
            c.stderr
                .contains("not below the next segment's base offset 15"),
            "{}",
            c.text()
        );
    }
}

// Regression (fault matrix, read-only folder on the leader): a leader taken offline because
// its folder took no new file came back at its broker's restart as a follower that had to
// cut the batch it wrote alone; writing its leader-epoch file failed, and `simulate-failure
// broker-up` exited 1 (`write .../leader-epoch-checkpoint: Operation not permitted`). Now
// the replica fails again (offline, said) and the restart succeeds.
#[test]
fn a_returning_replica_that_cannot_be_written_fails_again_and_the_restart_succeeds() {
    let name = "RF 3, read-only leader folder";
    let (t, acked, before) = setup(name, 3, "all", &[]);
    let Some(_guard) = immutable(&replica(&t, before.leader)) else {
        eprintln!("skipped: no immutable flag here");
        return;
    };
    let more: Vec<String> = (1..=6).map(|i| format!("p{i}")).collect();
    let (p, _) = produce(&t, "all", &more);
    ok(name, &p);
    let b = before.leader.to_string();
    ok(name, &run(&t, &["simulate-failure", "broker-down", &b], ""));
    let up = run(&t, &["simulate-failure", "broker-up", &b], "");
    ok(name, &up);
    assert!(
        up.stdout
            .contains(&format!("the replica on broker {b} failed"))
            && up.stdout.contains("Operation not permitted"),
        "{}",
        up.text()
    );
    let (_, d) = describe(&t);
    assert_eq!(d.unwrap().offline, [before.leader]);
    let (c, read) = consume(&t, "beginning");
    ok(name, &c);
    check_records(name, &c, &acked, &read, 0, true);
}

// Regression (fault matrix): a follower whose folder took no new file (no segment rolled,
// so the appends went in) failed the producer's close, writing its snapshot: `produce`
// printed every offset, then exited 1, and the follower stayed in the ISR. Now the
// follower fails (offline, said on stderr) and the produce exits 0.
#[test]
fn a_follower_that_cannot_take_its_snapshot_goes_offline_and_produce_succeeds() {
    let name = "RF 3, read-only follower folder";
    let (t, mut acked, before) = setup(name, 3, "all", &["segment.bytes=1048576"]);
    let f = follower(&before);
    let Some(_guard) = immutable(&replica(&t, f)) else {
        eprintln!("skipped: no immutable flag here");
        return;
    };
    let more: Vec<String> = (1..=3).map(|i| format!("p{i}")).collect();
    let (p, got) = produce(&t, "all", &more);
    ok(name, &p);
    assert_eq!(got.len(), 3, "{}", p.text());
    assert!(
        p.stderr
            .contains(&format!("the replica on broker {f} failed"))
            && p.stderr.contains(".snapshot"),
        "{}",
        p.text()
    );
    acked.extend(got);
    let (_, d) = describe(&t);
    let d = d.unwrap();
    assert_eq!(d.offline, [f]);
    assert!(!d.isr.contains(&f));
    let (c, read) = consume(&t, "beginning");
    ok(name, &c);
    check_records(name, &c, &acked, &read, 0, true);
}
