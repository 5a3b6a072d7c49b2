//! Metadata changes are all or nothing, whatever step fails: fault sweeps of `topic create`,
//! `topic delete`, `topic alter` and an election (a broker going down), each failing in turn
//! at every file operation the change makes, with ENOSPC once, with a disk that stays full,
//! with a crash and with a torn write. After each, what the call said must be what a fresh
//! open finds: applied when it returned Ok (or [`ClusterError::AfterCommit`]), not applied
//! when it failed; after a crash (the process died: nobody was told) either. Every copy of
//! the metadata log holds only whole batches, takes the next change, and a refused change
//! never comes back with it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;
use crate::log::io::{self, Fault, FaultPlan, Op};
use crate::log::{LogConfig, LogReader, OpenHints, PartitionLog, verify};

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

/// The metadata with what differs between runs of the same change blanked: the metadata
/// offset (an aborted change leaves a record) and topic ids (random).
fn norm(s: &ClusterState) -> ClusterState {
    let mut s = s.clone();
    s.metadata_offset = 0;
    for t in s.topics.values_mut() {
        t.topic_id.clear();
    }
    // The simulated state of the processes (simulation.json) is not metadata: a broker
    // stops whether or not its fence can be written.
    for b in s.brokers.values_mut() {
        b.running = true;
        b.controller_running = true;
        b.paused = false;
    }
    s
}

/// One metadata change to sweep.
struct Change {
    name: &'static str,
    run: fn(&mut Cluster) -> Result<(), ClusterError>,
}

const CHANGES: [Change; 4] = [
    Change {
        name: "topic create",
        run: |c| c.create_topic("fresh", 1, 3, BTreeMap::new(), false),
    },
    Change {
        name: "topic delete",
        run: |c| c.delete_topic("keep"),
    },
    Change {
        name: "topic alter",
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
        run: |c| failover::broker_down(c, 101, false).map(|_| ()),
    },
];

/// What the caller of a change was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Told {
    /// Ok, or done with a failure after ([`ClusterError::AfterCommit`]).
    Applied,
    /// Any other error.
    Failed,
    /// Nothing: the process died (a crash or a torn write), so either outcome may stand.
    Died,
}

fn told(r: &Result<(), ClusterError>, live: bool) -> Told {
    match r {
        _ if !live => Told::Died,
        Ok(()) | Err(ClusterError::AfterCommit { .. }) => Told::Applied,
        Err(_) => Told::Failed,
    }
}

/// Every `.log` segment of every voter's copy of the metadata log holds whole batches only.
fn assert_copies_whole(c: &Cluster, what: &str) {
    for copy in c.quorum().unwrap().copies {
        if !copy.dir.is_dir() {
            continue;
        }
        for base in LogReader::open(&copy.dir).unwrap().segment_bases() {
            let path = log::names::segment_path(&copy.dir, *base, log::names::LOG_SUFFIX);
            let v = verify::verify_log(&path, verify::Expect::default()).unwrap();
            assert_eq!(v.problems, Vec::new(), "{what}: {}", path.display());
        }
    }
}

/// The state without the cluster-wide configs (which the check's next change sets).
fn without_configs(s: &ClusterState) -> ClusterState {
    let mut s = norm(s);
    s.configs.clear();
    s
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
    let told = told(&result, live);
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
    assert_eq!(how, Opened::Existing, "{what}");
    let state = norm(opened.state());
    assert!(
        state == *before || state == *after,
        "{what}: half a change: {state:#?} (after {result:?})"
    );
    let applied = state == *after;
    match told {
        Told::Applied => assert!(applied, "{what}: reported done, not applied: {result:?}"),
        Told::Failed => assert!(!applied, "{what}: reported failed, applied: {result:?}"),
        Told::Died => {}
    }
    assert_eq!(
        opened.state().metadata_offset,
        opened.quorum().unwrap().high_watermark,
        "{what}: the image is the committed log"
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
        if dir.ends_with(layout::METADATA_LOG) {
            // A copy of the metadata log: the next change's controller opens it.
            continue;
        }
        PartitionLog::open(dir, LogConfig::default(), OpenHints::default()).unwrap();
        assert!(!tmp.exists(), "{what}: {} left", tmp.display());
    }

    // Every copy is readable, takes the next change (whose controller cuts a torn tail,
    // as Kafka's recovery does), then holds only whole batches; the next change brings
    // back nothing that was refused.
    let mut next = opened;
    next.history()
        .unwrap_or_else(|e| panic!("{what}: unreadable: {e}"));
    next.set_cluster_configs(BTreeMap::from([(
        "replica.lag.time.max.ms".to_string(),
        "20000".to_string(),
    )]))
    .unwrap_or_else(|e| panic!("{what}: the next change failed: {e}"));
    assert_eq!(
        without_configs(next.state()),
        without_configs(&state),
        "{what}: the next change brought back more than itself"
    );
    assert_copies_whole(&next, &what);
    let quorum = next.quorum().unwrap();
    for v in kraft::raft::live_voters(&quorum, next.state()) {
        let copy = quorum.copy(v).unwrap();
        assert_eq!(copy.log_end, quorum.high_watermark, "{what}: copy of {v}");
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

/// A multi-batch change whose append fails midway is cut back out of every copy: nothing
/// of it is replayed, and no AbortTransactionRecord is even needed.
#[test]
fn a_multi_batch_change_failing_midway_leaves_the_log_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let root = template(dir.path());
    let mut c = Cluster::open(&root).unwrap();
    let ends = |c: &Cluster| -> Vec<i64> {
        c.quorum()
            .unwrap()
            .copies
            .iter()
            .map(|c| c.log_end)
            .collect()
    };
    let before = ends(&c);
    let history = c.history().unwrap();
    // Some 12,000 PartitionRecords: several batches of 512 KiB.
    let record = MetadataRecord::CreateTopic {
        name: "half".into(),
        topic_id: random_uuid().to_base64(),
        configs: BTreeMap::new(),
        partitions: (0..12_000)
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
    let r = c.commit(vec![record]);
    io::clear();
    drop(lock);
    assert!(matches!(r, Err(ClusterError::Log(_))), "{r:?}");
    assert_eq!(ends(&c), before);
    assert_eq!(c.history().unwrap(), history);
    assert!(c.topic("half").is_err());
    let (c, opened) = Cluster::open_reporting(&root).unwrap();
    assert_eq!(opened, Opened::Existing);
    assert!(c.topic("half").is_err());
}

/// Temp files a killed writer left (a broker checkpoint's, the schema registry's) are
/// removed by the next open, and only filka's own names.
#[test]
fn the_next_open_removes_temp_files_left_by_a_killed_writer() {
    let dir = tempfile::tempdir().unwrap();
    let root = template(dir.path());
    let left = [
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
