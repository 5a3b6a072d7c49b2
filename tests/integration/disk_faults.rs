//! Damaged replicas never cost the healthy ones (issue 18): a replica whose files are
//! damaged, missing or cannot be written goes offline, as a Kafka broker's failed log dir
//! does for the partitions on it; leadership moves to a healthy in-sync replica and nothing
//! it holds is cut. Each reproduction of the issue is a test here.

use crate::harness::{TestCluster, stderr_lines, stdout_text};

/// A cluster with topic `c3` of one partition on three replicas (min.insync.replicas 2)
/// holding `n` records; returns the leader.
fn three_replicas(t: &TestCluster, n: usize, configs: &[&str]) -> i32 {
    t.run(["init"]).success();
    let mut args = vec!["topic", "create", "c3", "-p", "1", "-r", "3"];
    for c in configs {
        args.extend(["-c", c]);
    }
    t.run(args).success();
    let input: String = (1..=n).map(|i| format!("{i}\n")).collect();
    // Small batches: a flipped byte damages one batch among many.
    t.produce("c3", input, &["-p", "0", "--batch-size", "200"])
        .success();
    t.open_cluster().partition("c3", 0).unwrap().leader
}

fn partition(t: &TestCluster) -> filka::cluster::metadata::PartitionState {
    t.open_cluster().partition("c3", 0).unwrap().clone()
}

/// Every replica's log end offset, by broker.
fn log_ends(t: &TestCluster) -> Vec<(i32, i64)> {
    let out = t
        .run(["--output", "json", "describe", "partition", "c3", "0"])
        .success();
    let v: serde_json::Value = serde_json::from_str(stdout_text(&out).trim()).unwrap();
    v["replica_details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["broker"].as_i64().unwrap() as i32,
                r["log_end_offset"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Flips the last byte of the leader's active segment (inside its last batch).
fn flip_last_byte(t: &TestCluster, broker: i32) {
    let seg = t
        .data()
        .join(format!("broker-{broker}/c3-0/00000000000000000000.log"));
    let mut bytes = std::fs::read(&seg).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    std::fs::write(&seg, bytes).unwrap();
}

/// Issue 18, reproduction 1: one corrupt batch in the leader's active segment made the next
/// produce cut every replica (100 records became 55, offsets 53 and 54 were handed out
/// again). Now the damaged leader goes offline, a healthy follower leads, the new records
/// get offsets 100 and 101, and no healthy replica lost anything.
#[test]
fn a_corrupt_leader_goes_offline_and_its_followers_keep_everything() {
    let t = TestCluster::new();
    let leader = three_replicas(&t, 100, &[]);
    flip_last_byte(&t, leader);
    let out = t
        .produce("c3", "NEW1\nNEW2\n", &["-p", "0", "--print-offsets"])
        .success();
    assert_eq!(stdout_text(&out), "0\t100\n0\t101\n");
    let said = stderr_lines(&out).join("\n");
    assert!(
        said.contains(&format!("the replica on broker {leader} failed"))
            && said.contains("CRC mismatch"),
        "{said}"
    );
    let p = partition(&t);
    assert_ne!(p.leader, leader);
    assert_eq!(p.offline_replicas, [leader]);
    assert!(!p.isr.contains(&leader) && p.isr.len() == 2, "{:?}", p.isr);
    for (broker, end) in log_ends(&t) {
        if broker != leader {
            assert_eq!(end, 102, "healthy broker {broker} keeps every record");
        }
    }
    assert_eq!(t.values("c3").len(), 102);
    // describe says which replica is offline.
    let text = stdout_text(&t.run(["describe", "partition", "c3", "0"]).success());
    assert!(text.contains(&format!("Offline: {leader}")), "{text}");
    assert!(text.contains("failed"), "{text}");
    // Its broker restarts: the damaged replica is rebuilt from the leader and rejoins.
    t.run(["simulate-failure", "broker-down", &leader.to_string()])
        .success();
    t.run(["simulate-failure", "broker-up", &leader.to_string()])
        .success();
    let p = partition(&t);
    assert!(p.offline_replicas.is_empty() && p.isr.len() == 3, "{p:?}");
    assert!(log_ends(&t).iter().all(|&(_, end)| end == 102));
}

/// The same damage on a partition with one replica: no healthy replica can take over, so
/// the partition is offline (the write waits for a leader, then exit 7, naming the damage),
/// and nothing is cut; a restart of the broker recovers it as Kafka recovers after an
/// unclean stop, saying what it cut.
#[test]
fn a_corrupt_only_replica_takes_its_partition_offline_rather_than_cut_silently() {
    let t = TestCluster::new();
    t.run(["init"]).success();
    t.run(["topic", "create", "c3", "-p", "1", "-r", "1"])
        .success();
    let input: String = (1..=100).map(|i| format!("{i}\n")).collect();
    t.produce("c3", input, &["--batch-size", "200"]).success();
    let only = partition(&t).leader;
    flip_last_byte(&t, only);
    let out = t
        .produce("c3", "x\n", &["--delivery-timeout-ms", "300"])
        .code(7);
    let said = stderr_lines(&out).join("\n");
    assert!(
        said.contains("failed") && said.contains("offline"),
        "{said}"
    );
    assert_eq!(partition(&t).leader, -1);
    t.run(["simulate-failure", "broker-down", &only.to_string()])
        .success();
    let up = t
        .run(["simulate-failure", "broker-up", &only.to_string()])
        .success();
    let text = stdout_text(&up);
    assert!(text.contains("recovered, cut"), "{text}");
    let values = t.values("c3");
    assert!(
        (90..100).contains(&values.len()),
        "only the damaged last batch is lost: {}",
        values.len()
    );
}

/// Issue 18, reproduction 2: with the leader's partition folder removed, consume printed
/// nothing (exit 0) and the next produce recreated it empty, wrote at offsets 0 and 1, and
/// every follower cut its records to match. Now readers and writers see the replica is
/// gone: it goes offline, a follower leads, reading and writing go on from there.
#[test]
fn a_missing_leader_folder_is_a_failed_replica_not_a_new_empty_log() {
    let t = TestCluster::new();
    let leader = three_replicas(&t, 10, &[]);
    std::fs::remove_dir_all(t.data().join(format!("broker-{leader}/c3-0"))).unwrap();
    let out = t.run(["consume", "-t", "c3"]).success();
    assert_eq!(stdout_text(&out).lines().count(), 10);
    assert!(
        stderr_lines(&out).join("\n").contains(&format!(
            "the replica on broker {leader} failed (its folder"
        )),
        "{:?}",
        stderr_lines(&out)
    );
    let out = t
        .produce("c3", "NEW1\nNEW2\n", &["-p", "0", "--print-offsets"])
        .success();
    assert_eq!(stdout_text(&out), "0\t10\n0\t11\n");
    assert_eq!(partition(&t).offline_replicas, [leader]);
    // A restart makes the folder again and fetches everything from the leader.
    t.run(["simulate-failure", "broker-down", &leader.to_string()])
        .success();
    let up = t
        .run(["simulate-failure", "broker-up", &leader.to_string()])
        .success();
    assert!(stdout_text(&up).contains("was missing: made again"));
    assert!(
        log_ends(&t).iter().all(|&(_, end)| end == 12),
        "{:?}",
        log_ends(&t)
    );
}

/// Issue 18, reproduction 6: acks=all with a follower that could not be written exited 1
/// with nothing printed, and the next produce committed the "failed" records. Now the
/// follower that cannot be written leaves the ISR (it is offline) and the write goes on
/// with the replicas left; when too few are left for min.insync.replicas the write is
/// refused before it is made (exit 6), never half made in silence.
#[test]
fn a_follower_that_cannot_be_written_leaves_the_isr_and_the_write_goes_on() {
    let t = TestCluster::new();
    let leader = three_replicas(&t, 3, &[]);
    let follower = partition(&t)
        .replicas
        .into_iter()
        .find(|&b| b != leader)
        .unwrap();
    // Its active segment is a folder now: opening it for writing fails.
    let seg = t
        .data()
        .join(format!("broker-{follower}/c3-0/00000000000000000000.log"));
    std::fs::remove_file(&seg).unwrap();
    std::fs::create_dir(&seg).unwrap();
    let out = t
        .produce("c3", "x\n", &["-p", "0", "--print-offsets"])
        .success();
    assert_eq!(stdout_text(&out), "0\t3\n");
    assert!(
        stderr_lines(&out)
            .join("\n")
            .contains(&format!("the replica on broker {follower} failed")),
        "{:?}",
        stderr_lines(&out)
    );
    let p = partition(&t);
    assert_eq!(p.offline_replicas, [follower]);
    assert!(!p.isr.contains(&follower));
    // Exactly once: the next produce does not write it again.
    t.produce("c3", "y\n", &["-p", "0"]).success();
    assert_eq!(t.values("c3"), ["1", "2", "3", "x", "y"]);
    // With min.insync.replicas 3, the two left are too few: refused, nothing written.
    t.run(["topic", "alter", "c3", "-c", "min.insync.replicas=3"])
        .success();
    t.produce("c3", "z\n", &["-p", "0"]).code(6);
    assert_eq!(t.values("c3"), ["1", "2", "3", "x", "y"]);
}
