//! A metadata change is all or nothing, as the user sees it: a torn tail a dying controller
//! left in its copy of the metadata log is ignored by readers and cut by the next change,
//! and temp files a failed write left are gone after the next command opens the cluster.
//! (The faults themselves are injected through the I/O seam in the library's tests:
//! src/cluster/commit_tests.rs.)

use std::io::Write;

use crate::harness::{TestCluster, stderr_lines, stdout_text};

#[test]
fn a_torn_tail_in_a_copy_of_the_metadata_log_is_ignored_then_cut() {
    let t = TestCluster::new();
    t.run(["init", "-q"]).success();
    t.run(["topic", "create", "keep", "-q"]).success();
    let leader = t.cluster().quorum().unwrap().leader;
    let log = t.data().join(format!(
        "broker-{leader}/__cluster_metadata-0/00000000000000000000.log"
    ));
    let whole = std::fs::metadata(&log).unwrap().len();
    // Half a batch header: what a controller killed in the middle of a write leaves.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .unwrap()
        .write_all(&[0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 90, 0, 0])
        .unwrap();
    let list = t.run(["topic", "list"]).success();
    assert_eq!(stdout_text(&list), "keep\n");
    assert_eq!(stderr_lines(&list), Vec::<String>::new());
    t.run(["topic", "create", "other", "-q"]).success();
    assert_eq!(
        stdout_text(&t.run(["topic", "list"]).success()),
        "keep\nother\n"
    );
    assert!(std::fs::metadata(&log).unwrap().len() > whole);
    t.run(["dump", "--verify", log.to_str().unwrap()]).success();
}

/// Regression: temp files (and checkpoint temp files) stayed behind after a full disk, and
/// `dump --verify` flagged them.
#[test]
fn temp_files_a_failed_write_left_are_gone_after_the_next_command() {
    let t = TestCluster::new();
    t.run(["init", "-q"]).success();
    t.run(["topic", "create", "keep", "-q"]).success();
    let left = [
        t.data().join("simulation.json.tmp"),
        t.data()
            .join("broker-101/recovery-point-offset-checkpoint.tmp"),
        t.data().join("broker-102/log-start-offset-checkpoint.tmp"),
        t.data().join("schemas/registry.json.tmp"),
    ];
    for p in &left {
        std::fs::write(p, b"{\"half\": ").unwrap();
    }
    let list = t.run(["topic", "list"]).success();
    assert_eq!(stdout_text(&list), "keep\n");
    assert_eq!(stderr_lines(&list), Vec::<String>::new());
    for p in &left {
        assert!(!p.exists(), "{} left", p.display());
    }
}
