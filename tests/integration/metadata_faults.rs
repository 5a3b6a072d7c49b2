//! A metadata change is all or nothing, as the user sees it: a change that stands although
//! its command failed (committed to the metadata log, cluster.json not written) is
//! completed and named by the next command, and temp files a failed write left are gone
//! after the next command opens the cluster. (The faults themselves are injected through
//! the I/O seam in the library's tests: src/cluster/commit_tests.rs.)

use crate::harness::{TestCluster, stderr_lines, stdout_text};

/// Puts back an earlier `cluster.json` so the metadata log holds a change the snapshot does
/// not show: what a `topic delete` leaves when writing cluster.json fails and so does
/// cutting the change back out of the log.
fn delete_behind_the_snapshot(t: &TestCluster) {
    t.run(["init", "-q"]).success();
    t.run(["topic", "create", "keep", "-q"]).success();
    t.run(["topic", "create", "other", "-q"]).success();
    let snapshot = t.data().join("cluster.json");
    let before = std::fs::read(&snapshot).unwrap();
    t.run(["topic", "delete", "keep", "-q"]).success();
    std::fs::write(&snapshot, before).unwrap();
}

#[test]
fn a_change_cluster_json_missed_is_completed_and_named_by_the_next_command() {
    let t = TestCluster::new();
    delete_behind_the_snapshot(&t);
    let list = t.run(["topic", "list"]).success();
    assert_eq!(stdout_text(&list), "other\n");
    let lines = stderr_lines(&list);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(
            "filka: completed an earlier metadata change that its command committed to the \
             metadata log but could not write to "
        ) && lines[0].ends_with("cluster.json: DeleteTopic keep"),
        "{lines:?}"
    );
    // Written back: the next command has nothing to say.
    let again = t.run(["topic", "list"]).success();
    assert_eq!(stdout_text(&again), "other\n");
    assert_eq!(stderr_lines(&again), Vec::<String>::new());

    // -q keeps it quiet; the change is completed all the same.
    let t = TestCluster::new();
    delete_behind_the_snapshot(&t);
    let quiet = t.run(["topic", "list", "-q"]).success();
    assert_eq!(stdout_text(&quiet), "other\n");
    assert_eq!(stderr_lines(&quiet), Vec::<String>::new());
}

/// Regression: `cluster.json.tmp` (and checkpoint temp files) stayed behind after a full
/// disk, and `dump --verify` flagged them.
#[test]
fn temp_files_a_failed_write_left_are_gone_after_the_next_command() {
    let t = TestCluster::new();
    t.run(["init", "-q"]).success();
    t.run(["topic", "create", "keep", "-q"]).success();
    let left = [
        t.data().join("cluster.json.tmp"),
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
