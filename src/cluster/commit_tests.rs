//! Metadata changes are all or nothing, whatever step fails: fault sweeps of `topic create`,
//! `topic delete`, `topic alter` and an election (a broker going down), each failing in turn
//! at every file operation the change makes, with ENOSPC once, with a disk that stays full,
//! with a crash and with a torn write. After each, what the call said must be what a fresh
//! open finds: applied when it returned Ok (or [`ClusterError::AfterCommit`]), not applied
//! when it failed, or applied and named by that open when it said the change stands
//! ([`ClusterError::CommittedNotShown`]). No temp file may be left, and the metadata log
//! stays readable and takes the next change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;
use crate::log::io::{self, Fault, FaultPlan, Op};
use crate::log::{LogConfig, OpenHints, PartitionLog, verify};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Every file under `dir` whose name ends in `.tmp`.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(temp_files(&e.path()));
        } else if e.file_name().to_string_lossy().ends_with(".tmp") {
            out.push(e.path());
        }
    }
    out
}

/// A cluster of 3 brokers with topic `keep` (3 partitions, 3 replicas).
fn template(dir: &Path) -> PathBuf {
    let root = dir.join("template");
    let mut c = Cluster::init(&root, 3, 101).unwrap();
    c.create_topic("keep", 3, 3, BTreeMap::new(), false)
        .unwrap();
    root
}

/// The state with what differs between runs of the same change blanked: the metadata
/// offset (an aborted change leaves a record) and topic ids (random).
fn norm(s: &ClusterState) -> ClusterState {
    let mut s = s.clone();
    s.metadata_offset = 0;
    for t in s.topics.values_mut() {
        t.topic_id.clear();
    }
    s
}

/// One metadata change to sweep.
struct Change {
    name: &'static str,
    /// What the change is named when a later open completes it.
    named: &'static str,
    run: fn(&mut Cluster) -> Result<(), ClusterError>,
}

const CHANGES: [Change; 4] = [
    Change {
        name: "topic create",
        named: "CreateTopic fresh",
        run: |c| c.create_topic("fresh", 1, 3, BTreeMap::new(), false),
    },
    Change {
        name: "topic delete",
        named: "DeleteTopic keep",
        run: |c| c.delete_topic("keep"),
    },
    Change {
        name: "topic alter",
        named: "CreatePartitions keep, AlterConfigs keep",
        run: |c| {
            c.alter_topic(
                "keep",
                Some(4),
                BTreeMap::from([("retention.ms".to_string(), "1000".to_string())]),
            )
        },
    },
    Change {
        name: "election (broker 101 down)",
        named: "FenceBroker 101, PartitionChange keep-",
        run: |c| failover::broker_down(c, 101, false).map(|_| ()),
    },
];

/// What the caller of a change was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Told {
    /// Ok, or done with a failure after ([`ClusterError::AfterCommit`]).
    Applied,
    /// [`ClusterError::CommittedNotShown`].
    Stands,
    /// Any other error.
    Failed,
}

fn told(r: &Result<(), ClusterError>) -> Told {
    match r {
        Ok(()) | Err(ClusterError::AfterCommit { .. }) => Told::Applied,
        Err(ClusterError::CommittedNotShown { .. }) => Told::Stands,
        Err(_) => Told::Failed,
    }
}

/// Runs `change` on a copy of `template` with `plan` installed, then checks the outcome
/// against a fresh open. Returns what the caller was told.
fn run_case(
    template: &Path,
    root: &Path,
    change: &Change,
    plan: FaultPlan,
    before: &ClusterState,
    after: &ClusterState,
) -> Told {
    let what = format!("{} with {:?} at op {}", change.name, plan.fault, plan.at);
    copy_dir(template, root);
    let mut c = Cluster::open(root).unwrap();
    let live = !matches!(plan.fault, Fault::Crash | Fault::Torn(_));
    io::install(plan);
    let result = (change.run)(&mut c);
    io::clear();
    let told = told(&result);
    if live {
        // A process that lives on cleans up after a failed write itself.
        assert_eq!(
            temp_files(root),
            Vec::<PathBuf>::new(),
            "{what}: {result:?}"
        );
    }

    let (opened, how) = Cluster::open_reporting(root)
        .unwrap_or_else(|e| panic!("{what}: the next open failed: {e} (after {result:?})"));
    let state = norm(opened.state());
    assert!(
        state == *before || state == *after,
        "{what}: half a change: {state:#?} (after {result:?})"
    );
    let applied = state == *after;
    match told {
        Told::Applied => {
            assert!(applied, "{what}: reported done, not applied: {result:?}");
            assert_eq!(how, Opened::Existing, "{what}");
        }
        Told::Failed => {
            assert!(!applied, "{what}: reported failed, applied: {result:?}");
            assert_eq!(how, Opened::Existing, "{what}: {result:?}");
        }
        Told::Stands => {
            assert!(applied, "{what}: said to stand, not applied: {result:?}");
            let Opened::CaughtUp(caught) = &how else {
                panic!("{what}: the open after did not say it completed the change: {how:?}");
            };
            assert_eq!(caught.unsaved, None, "{what}");
            assert_eq!(caught.changes.len(), 1, "{what}: {caught:?}");
            assert!(
                caught.changes[0].starts_with(change.named),
                "{what}: {caught:?}"
            );
            // Written back: the open after that has nothing to complete.
            assert_eq!(Cluster::open_reporting(root).unwrap().1, Opened::Existing);
        }
    }
    assert_eq!(
        opened.state().metadata_offset,
        commit::log_end(opened.layout()).unwrap(),
        "{what}: the snapshot covers the log after an open"
    );

    // A replica folder's temp files go when its writer opens its log; the cluster's own
    // are gone after the open.
    for tmp in temp_files(root) {
        let dir = tmp.parent().unwrap();
        assert!(
            locate::broker_folders(root)
                .iter()
                .any(|(_, b)| dir.parent() == Some(b.as_path())),
            "{what}: {} left after the open",
            tmp.display()
        );
        PartitionLog::open(dir, LogConfig::default(), OpenHints::default()).unwrap();
        assert!(!tmp.exists(), "{what}: {} left", tmp.display());
    }

    // The metadata log is readable, takes the next change, and holds only whole batches.
    let mut next = opened;
    next.history()
        .unwrap_or_else(|e| panic!("{what}: unreadable: {e}"));
    next.set_cluster_configs(BTreeMap::from([(
        "replica.lag.time.max.ms".to_string(),
        "20000".to_string(),
    )]))
    .unwrap_or_else(|e| panic!("{what}: the next change failed: {e}"));
    let mlog = next.layout().metadata_log();
    for base in LogReader::open(&mlog).unwrap().segment_bases() {
        let path = log::names::segment_path(&mlog, *base, log::names::LOG_SUFFIX);
        let v = verify::verify_log(&path, verify::Expect::default()).unwrap();
        assert_eq!(v.problems, Vec::new(), "{what}");
    }
    assert_eq!(Cluster::open(root).unwrap().state(), next.state(), "{what}");
    std::fs::remove_dir_all(root).unwrap();
    told
}

/// Counts the file operations `change` makes on a copy of `template` (those of kind `ops`,
/// all when empty) and returns the state it leads to.
fn clean_run(template: &Path, root: &Path, change: &Change, ops: Vec<Op>) -> (usize, ClusterState) {
    copy_dir(template, root);
    let mut c = Cluster::open(root).unwrap();
    io::install(FaultPlan {
        at: usize::MAX,
        fault: Fault::Error,
        ops,
    });
    (change.run)(&mut c).unwrap();
    let n = io::clear();
    let state = norm(Cluster::open(root).unwrap().state());
    std::fs::remove_dir_all(root).unwrap();
    (n, state)
}

/// Sweeps one change: every fault at every step in turn ([`run_case`]). Prints the tally
/// (run with `--nocapture` to see it).
fn sweep(change: &Change) {
    let dir = tempfile::tempdir().unwrap();
    let template = template(dir.path());
    let before = norm(Cluster::open(&template).unwrap().state());
    let scratch = dir.path().join("case");
    let (all, after) = clean_run(&template, &scratch, change, Vec::new());
    let (writes, _) = clean_run(&template, &scratch, change, vec![Op::Write]);
    assert_ne!(before, after, "{}", change.name);
    let mut report = Vec::new();
    for (fault, ops, n) in [
        (Fault::NoSpace, Vec::new(), all),
        (Fault::Full, Vec::new(), all),
        (Fault::Crash, Vec::new(), all),
        (Fault::Torn(10), vec![Op::Write], writes),
    ] {
        let mut tally: BTreeMap<Told, usize> = BTreeMap::new();
        for at in 0..n {
            let plan = FaultPlan {
                at,
                fault,
                ops: ops.clone(),
            };
            let t = run_case(&template, &scratch, change, plan, &before, &after);
            *tally.entry(t).or_default() += 1;
        }
        // A process that lives on takes back every change it cannot complete.
        if matches!(fault, Fault::NoSpace | Fault::Full) {
            assert_eq!(tally.get(&Told::Stands), None, "{}", change.name);
        }
        report.push(format!(
            "{} / {fault:?}: {n} fault points, {tally:?}",
            change.name
        ));
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
fn every_failing_step_of_topic_create_is_all_or_nothing() {
    sweep(&CHANGES[0]);
}

#[test]
fn every_failing_step_of_topic_delete_is_all_or_nothing() {
    sweep(&CHANGES[1]);
}

#[test]
fn every_failing_step_of_topic_alter_is_all_or_nothing() {
    sweep(&CHANGES[2]);
}

#[test]
fn every_failing_step_of_an_election_is_all_or_nothing() {
    sweep(&CHANGES[3]);
}

/// Fails `change` with ENOSPC at each write in turn until one fails writing `cluster.json`
/// (after the metadata log append), and returns that error.
fn fail_at_snapshot_write(root: &Path, change: &Change) -> ClusterError {
    for at in 0.. {
        let mut c = Cluster::open(root).unwrap();
        io::install(FaultPlan {
            at,
            fault: Fault::NoSpace,
            ops: vec![Op::Write],
        });
        let r = (change.run)(&mut c);
        let seen = io::clear();
        assert!(
            seen > at,
            "{}: no write of cluster.json failed",
            change.name
        );
        match r {
            Err(e) if e.to_string().contains("cluster.json") => return e,
            // An earlier write (the metadata log's): taken back, so try the next one.
            Err(_) => {}
            Ok(()) => panic!("{}: write {at} did not fail it", change.name),
        }
    }
    unreachable!("a write before cluster.json's failed the change")
}

/// Regression: on a full disk `topic delete keep` exited 1 (`cluster.json: No space left on
/// device`) and `topic list` still showed the topic, but the next successful metadata
/// command replayed the log and the topic was gone.
#[test]
fn a_delete_refused_at_the_snapshot_write_is_not_applied_later() {
    let dir = tempfile::tempdir().unwrap();
    let root = template(dir.path());
    let e = fail_at_snapshot_write(&root, &CHANGES[1]);
    assert!(e.to_string().contains("No space left on device"), "{e}");
    assert!(Cluster::open(&root).unwrap().topic("keep").is_ok());
    let mut c = Cluster::open(&root).unwrap();
    c.create_topic("other", 1, 1, BTreeMap::new(), false)
        .unwrap();
    for c in [c, Cluster::open(&root).unwrap()] {
        assert!(c.topic("keep").is_ok(), "the refused delete came back");
        assert!(c.topic("other").is_ok());
    }
    assert_eq!(temp_files(&root), Vec::<PathBuf>::new());
    // Its replicas are all there.
    for b in [101, 102, 103] {
        assert!(root.join(format!("broker-{b}/keep-0")).is_dir());
    }
}

/// Regression: a `topic create` refused for a full disk at the snapshot write appeared
/// later, when the next metadata command replayed the log.
#[test]
fn a_create_refused_at_the_snapshot_write_is_not_applied_later() {
    let dir = tempfile::tempdir().unwrap();
    let root = template(dir.path());
    fail_at_snapshot_write(&root, &CHANGES[0]);
    let mut c = Cluster::open(&root).unwrap();
    assert!(c.topic("fresh").is_err());
    c.alter_topic("keep", Some(4), BTreeMap::new()).unwrap();
    assert!(c.topic("fresh").is_err(), "the refused create came back");
    assert!(Cluster::open(&root).unwrap().topic("fresh").is_err());
    // And the same create works now.
    c.create_topic("fresh", 2, 3, BTreeMap::new(), false)
        .unwrap();
    assert_eq!(c.topic("fresh").unwrap().partitions.len(), 2);
}

/// A multi-batch change whose append fails midway is cut back out of the log: nothing of it
/// is replayed, and no AbortTransaction is even needed.
#[test]
fn a_multi_batch_change_failing_midway_leaves_the_log_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let root = template(dir.path());
    let mut c = Cluster::open(&root).unwrap();
    let end = commit::log_end(c.layout()).unwrap();
    let history = c.history().unwrap();
    let record = MetadataRecord::CreateTopic {
        name: "half".into(),
        topic_id: random_uuid().to_base64(),
        configs: BTreeMap::new(),
        partitions: (0..2_000)
            .map(|p| metadata::NewPartition {
                partition: p,
                replicas: vec![101, 102, 103],
            })
            .collect(),
    };
    let lock = FileLock::exclusive(&c.layout().controller_lock()).unwrap();
    io::install(FaultPlan {
        at: 2,
        fault: Fault::NoSpace,
        ops: vec![Op::Write],
    });
    let r = c.commit_in_batches(vec![record], 16 * 1024);
    io::clear();
    drop(lock);
    assert!(matches!(r, Err(ClusterError::Log(_))), "{r:?}");
    assert_eq!(commit::log_end(c.layout()), Some(end));
    assert_eq!(c.history().unwrap(), history);
    assert!(c.topic("half").is_err());
    assert_eq!(Cluster::open_reporting(&root).unwrap().1, Opened::Existing);
}

/// Temp files a killed writer left (`cluster.json.tmp`, a broker checkpoint's, the schema
/// registry's) are removed by the next open, and only filka's own names.
#[test]
fn the_next_open_removes_temp_files_left_by_a_killed_writer() {
    let dir = tempfile::tempdir().unwrap();
    let root = template(dir.path());
    let left = [
        root.join("cluster.json.tmp"),
        root.join("broker-102/recovery-point-offset-checkpoint.tmp"),
        root.join("broker-103/replication-offset-checkpoint.tmp"),
        root.join("schemas/registry.json.tmp"),
    ];
    let foreign = [root.join("notes.tmp"), root.join("broker-101/mine.tmp")];
    for p in left.iter().chain(&foreign) {
        std::fs::write(p, b"half").unwrap();
    }
    let (c, opened) = Cluster::open_reporting(&root).unwrap();
    assert_eq!(opened, Opened::Existing);
    assert!(c.topic("keep").is_ok());
    for p in &left {
        assert!(!p.exists(), "{} left", p.display());
    }
    for p in &foreign {
        assert!(p.exists(), "{} is not filka's", p.display());
    }
}
