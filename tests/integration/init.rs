//! `filka init`: broker folders, the controllers' copies of the KRaft metadata log; never
//! over an existing cluster.

use filka::error::ExitCode;
use predicates::prelude::*;

use crate::harness::{TestCluster, json_lines, stderr_lines, stdout_text, tree};

#[test]
fn init_creates_brokers_metadata_log_and_snapshot() {
    let t = TestCluster::new();
    let out = stdout_text(&t.run(["init"]).success());
    let data = t.data();
    let id = t.cluster().state().cluster_id.clone();
    assert!(
        out.starts_with(&format!("Created cluster {id} in ")),
        "{out}"
    );
    for b in [101, 102, 103] {
        let props = data.join(format!("broker-{b}/meta.properties"));
        let text = std::fs::read_to_string(&props).unwrap();
        assert!(text.contains(&format!("node.id={b}\n")), "{text}");
        assert!(text.contains(&format!("cluster.id={id}\n")), "{text}");
        assert!(out.contains(&props.display().to_string()), "{out}");
        for cp in [
            "recovery-point-offset-checkpoint",
            "replication-offset-checkpoint",
            "log-start-offset-checkpoint",
        ] {
            assert!(data.join(format!("broker-{b}/{cp}")).is_file(), "{cp}");
        }
    }
    assert!(!data.join("broker-104").exists());
    assert!(!data.join("cluster.json").exists());
    // Combined mode: every broker of three is a voter, with its copy of the metadata log.
    for b in [101, 102, 103] {
        let copy = data.join(format!("broker-{b}/__cluster_metadata-0"));
        assert!(copy.join("00000000000000000000.log").is_file());
        assert!(copy.join("quorum-state").is_file());
        assert!(out.contains(&copy.display().to_string()), "{out}");
    }
    assert!(
        out.contains(
            "Controller quorum: voters 101, 102, 103 (a change is committed on 2 of them)"
        ),
        "{out}"
    );
    let registered = t
        .cluster()
        .history()
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "RegisterBrokerRecord")
        .count();
    assert_eq!(registered, 3);
}

#[test]
fn init_chooses_the_controllers() {
    let t = TestCluster::new();
    t.run(["init", "--brokers", "5", "--controllers", "3"])
        .success();
    assert_eq!(t.cluster().quorum().unwrap().voters, [101, 102, 103]);
    assert!(!t.data().join("broker-104/__cluster_metadata-0").exists());
    // Isolated: nodes of their own, ids 1 to 3 (below the brokers').
    let i = TestCluster::new();
    let out = stdout_text(&i.run(["init", "--isolated"]).success());
    assert_eq!(i.cluster().quorum().unwrap().voters, [1, 2, 3]);
    for c in [1, 2, 3] {
        let dir = i.data().join(format!("controller-{c}"));
        assert!(dir.join("meta.properties").is_file());
        assert!(dir.join("__cluster_metadata-0/quorum-state").is_file());
        assert!(
            out.contains(&format!("controller {c} (a node of its own)")),
            "{out}"
        );
    }
    assert!(!i.data().join("broker-101/__cluster_metadata-0").exists());
    // More controllers than brokers is only possible with nodes of their own.
    let u = TestCluster::new();
    u.run(["init", "--brokers", "2", "--controllers", "3"])
        .code(ExitCode::Usage.code());
    assert!(!u.data().exists());
}

#[test]
fn init_takes_a_broker_count_and_first_id() {
    let t = TestCluster::new();
    t.run(["init", "--brokers", "5", "--first-id", "1"])
        .success();
    assert_eq!(t.cluster().state().broker_ids(), vec![1, 2, 3, 4, 5]);
    assert!(t.data().join("broker-5/meta.properties").is_file());
    let ids: Vec<i64> = json_lines(&t.run(["describe", "brokers", "--output", "json"]).success())
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
}

#[test]
fn init_refuses_an_existing_cluster_and_changes_nothing() {
    let t = TestCluster::new();
    t.run(["init", "--brokers", "2"]).success();
    let before = tree(&t.data());
    for target in [t.data(), t.data().join("broker-101")] {
        let assert = t
            .bare_cmd()
            .arg("--cluster")
            .arg(&target)
            .arg("init")
            .assert()
            .code(ExitCode::Failure.code())
            .stdout("");
        let lines = stderr_lines(&assert);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].contains("already holds a filka cluster; nothing changed"),
            "{lines:?}"
        );
    }
    assert_eq!(tree(&t.data()), before, "a refused init changed files");
}

#[test]
fn bad_counts_are_usage_errors() {
    let t = TestCluster::new();
    for args in [
        &["init", "--brokers", "0"][..],
        &["init", "--brokers", "many"],
        &["init", "--first-id", "-5"],
        &["init", "--brokers", "2", "--first-id", "2147483647"],
        // Regression: 100,000 brokers failed only after creating 100,000 folders, and the
        // metadata batch was refused ("larger than max.message.bytes").
        &["init", "--brokers", "100000"],
    ] {
        t.run(args).code(ExitCode::Usage.code());
    }
    assert!(!t.data().exists(), "a refused init created files");
    let err = String::from_utf8(
        t.run(["init", "--brokers", "100000"])
            .get_output()
            .stderr
            .clone(),
    )
    .unwrap();
    assert!(err.contains("100000 is not in 1..=1000"), "{err}");
}

#[test]
fn init_json_reports_what_it_created() {
    let t = TestCluster::new();
    let v = &json_lines(
        &t.run(["init", "--brokers", "1", "--output", "json"])
            .success(),
    )[0];
    assert_eq!(v["cluster_id"], t.cluster().state().cluster_id.as_str());
    assert_eq!(v["brokers"][0]["id"], 101);
    assert_eq!(v["brokers"][0]["controller"], true);
    assert!(
        v["brokers"][0]["metadata_log"]
            .as_str()
            .unwrap()
            .ends_with("broker-101/__cluster_metadata-0")
    );
    assert_eq!(v["controllers"], serde_json::json!([101]));
    assert!(v["metadata_entries"].as_u64().unwrap() > 1);
}

#[test]
fn init_uses_the_default_directory_and_the_environment() {
    let t = TestCluster::new();
    t.bare_cmd()
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("./filka-data"));
    assert!(
        t.path()
            .join("filka-data/broker-101/__cluster_metadata-0/quorum-state")
            .is_file()
    );
    t.bare_cmd()
        .env("FILKA_CLUSTER", "elsewhere")
        .args(["init", "-q"])
        .assert()
        .success()
        .stderr("");
    assert!(t.path().join("elsewhere/broker-103").is_dir());
}

/// The issue asks for `replica.lag.time.max.ms` and `flush.messages` as cluster settings
/// too (they were per topic only): `init -c` sets cluster-wide defaults that topics
/// without their own override follow, and `describe topic` says where a value comes from.
#[test]
fn init_config_sets_cluster_wide_defaults_that_topics_override() {
    let t = TestCluster::new();
    let out = t
        .run([
            "init",
            "-c",
            "replica.lag.time.max.ms=200",
            "-c",
            "flush.messages=1",
        ])
        .success();
    assert!(
        stdout_text(&out)
            .contains("Cluster-wide configs: flush.messages=1, replica.lag.time.max.ms=200"),
        "{}",
        stdout_text(&out)
    );
    t.run(["topic", "create", "fast", "-p", "1", "-r", "3"])
        .success();
    t.run([
        "topic",
        "create",
        "slow",
        "-p",
        "1",
        "-r",
        "3",
        "-c",
        "replica.lag.time.max.ms=600000",
    ])
    .success();
    let configs = |topic: &str| {
        let out = t
            .run(["--output", "json", "describe", "topic", topic])
            .success();
        json_lines(&out)[0]["configs"].clone()
    };
    let fast = configs("fast");
    assert_eq!(fast["replica.lag.time.max.ms"]["value"], "200");
    assert_eq!(fast["replica.lag.time.max.ms"]["source"], "cluster");
    assert_eq!(fast["flush.messages"]["value"], "1");
    assert_eq!(fast["retention.ms"]["source"], "default");
    let slow = configs("slow");
    assert_eq!(slow["replica.lag.time.max.ms"]["value"], "600000");
    assert_eq!(slow["replica.lag.time.max.ms"]["source"], "override");

    // What the defaults do: a paused follower leaves "fast"'s ISR after 200 ms (acks=all
    // waits for that, not for the 30 s default) but stays in "slow"'s.
    let c = t.cluster();
    let leader = c.partition("fast", 0).unwrap().leader;
    let follower = c.partition("fast", 0).unwrap().replicas[1];
    assert_ne!(leader, follower);
    t.run([
        "simulate-failure",
        "pause-replication",
        &follower.to_string(),
    ])
    .success();
    for topic in ["fast", "slow"] {
        t.produce(topic, "a\n", &["--acks", "1"]).success();
    }
    t.produce("fast", "b\n", &["--acks", "all"]).success();
    t.produce("slow", "b\n", &["--acks", "1"]).success();
    let c = t.cluster();
    assert!(!c.partition("fast", 0).unwrap().isr.contains(&follower));
    assert!(c.partition("slow", 0).unwrap().isr.contains(&follower));
    // flush.messages=1 from the cluster: power loss takes nothing.
    let l = c.partition("slow", 0).unwrap().leader;
    let out = t
        .run([
            "simulate-failure",
            "broker-down",
            &l.to_string(),
            "--power-loss",
        ])
        .success();
    assert!(
        !stdout_text(&out).contains("no longer whole"),
        "{}",
        stdout_text(&out)
    );
}

#[test]
fn init_config_refuses_keys_without_a_cluster_wide_default() {
    let t = TestCluster::new();
    let out = t
        .run(["init", "-c", "retention.ms=1000"])
        .code(ExitCode::Usage.code());
    let err = stderr_lines(&out).join("\n");
    assert!(
        err.contains("\"retention.ms\" has no cluster-wide default"),
        "{err}"
    );
    assert!(!t.data().exists(), "nothing created");
    t.run(["init", "-c", "flush.messages=0"])
        .code(ExitCode::Usage.code());
    t.run(["init", "-c", "nope=1"]).code(ExitCode::Usage.code());
    assert!(!t.data().exists(), "nothing created");
}

/// Regression (from the days of cluster.json): with the metadata gone, the next command
/// created a second cluster over the first. A voter's copy of the metadata log lost is now
/// read from the others and copied back at the next change, as a Kafka follower fetches
/// from its leader; nothing is created anew.
#[test]
fn a_lost_copy_of_the_metadata_log_is_copied_back_never_recreated() {
    let t = TestCluster::new();
    t.run(["init", "-q"]).success();
    t.produce("t1", "x\n", &["-q"]).success();
    let before = t.cluster().state().clone();
    let props = std::fs::read(t.data().join("broker-102/meta.properties")).unwrap();
    let copy = t.data().join("broker-102/__cluster_metadata-0");
    std::fs::remove_dir_all(&copy).unwrap();

    t.run(["topic", "list", "-q"])
        .success()
        .stdout("t1\n")
        .stderr("");
    assert_eq!(t.cluster().state(), &before);
    t.produce("t2", "y\n", &["-q"]).success();
    assert!(copy.join("quorum-state").is_file(), "copied back");
    let q = t.cluster().quorum().unwrap();
    assert_eq!(q.copy(102).unwrap().log_end, q.high_watermark);
    assert_eq!(
        std::fs::read(t.data().join("broker-102/meta.properties")).unwrap(),
        props
    );
    assert_eq!(t.cluster().state().cluster_id, before.cluster_id);
    assert_eq!(t.values("t1"), ["x"]);

    // init refuses the directory while any part of the cluster is there.
    let tree_before = tree(&t.data());
    let lines = stderr_lines(&t.run(["init"]).code(ExitCode::Failure.code()));
    assert!(
        lines[0].contains("already holds a filka cluster; nothing changed"),
        "{lines:?}"
    );
    assert_eq!(tree(&t.data()), tree_before);
}

/// Broker folders with no copy of the metadata log (an init that died early, or a cluster
/// copied without them) are neither opened nor covered by a new cluster.
#[test]
fn broker_folders_alone_are_refused_not_covered_by_a_new_cluster() {
    let t = TestCluster::new();
    t.run(["init", "-q"]).success();
    for b in [101, 102, 103] {
        std::fs::remove_dir_all(t.data().join(format!("broker-{b}/__cluster_metadata-0"))).unwrap();
    }
    let before = tree(&t.data());
    let lines = stderr_lines(&t.produce("t1", "x\n", &[]).code(ExitCode::Failure.code()));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("holds part of a filka cluster")
            && lines[0].contains("broker-101/meta.properties"),
        "{lines:?}"
    );
    let lines = stderr_lines(&t.run(["init"]).code(ExitCode::Failure.code()));
    assert!(
        lines[0].contains("broker-101/meta.properties exists"),
        "{lines:?}"
    );
    assert_eq!(tree(&t.data()), before, "a refused command changed files");
}

/// Issue 12: a wrong `--cluster` inside a cluster (a broker folder that does not exist, a
/// partition folder, `locks/`...) built a second cluster there without a word beyond the
/// usual "created one". It is refused with one line naming the cluster's root, exit 2, and
/// nothing on disk changes; `init` refuses it the same way.
#[test]
fn a_path_inside_a_cluster_is_refused_never_made_a_cluster() {
    let t = TestCluster::new();
    t.run(["topic", "create", "demo", "-q"]).success();
    let data = t.data();
    let before = tree(&data);
    for inside in [
        "broker-104",
        "broker-101/demo-0",
        "broker-101/demo-0/deeper",
        "locks",
        "groups/g",
        "metadata/__cluster_metadata-0",
    ] {
        let path = data.join(inside);
        for args in [&["topic", "list"][..], &["init"]] {
            let assert = t
                .bare_cmd()
                .arg("--cluster")
                .arg(&path)
                .args(args)
                .assert()
                .code(ExitCode::Usage.code())
                .stdout("");
            let lines = stderr_lines(&assert);
            assert_eq!(lines.len(), 1, "{inside} {args:?}: {lines:?}");
            assert!(
                lines[0].contains(&format!(
                    "{} is inside the filka cluster at {} but is neither its directory nor one \
                     of its broker folders (broker-101, broker-102, broker-103)",
                    path.display(),
                    data.display()
                )) && lines[0].ends_with(&format!("use {}", data.display())),
                "{inside} {args:?}: {lines:?}"
            );
        }
    }
    // From inside a broker folder, the default ./filka-data is inside the cluster too.
    let assert = t
        .bare_cmd()
        .current_dir(data.join("broker-101"))
        .args(["topic", "list"])
        .assert()
        .code(ExitCode::Usage.code());
    let lines = stderr_lines(&assert);
    assert!(
        lines[0].starts_with("filka: ./filka-data is inside the filka cluster at "),
        "{lines:?}"
    );
    assert_eq!(tree(&data), before, "a refused path changed files");

    // The root and an existing broker folder still open it; a path beside it is a new
    // cluster, said on stderr as always.
    for ok in [
        data.clone(),
        data.join("broker-102"),
        data.join("broker-101/."),
    ] {
        t.bare_cmd()
            .arg("--cluster")
            .arg(&ok)
            .args(["topic", "list"])
            .assert()
            .success()
            .stdout("demo\n")
            .stderr("");
    }
    let lines = stderr_lines(
        &t.bare_cmd()
            .arg("--cluster")
            .arg(t.path().join("other"))
            .args(["topic", "list"])
            .assert()
            .success(),
    );
    assert!(
        lines[0].contains("other; created one with brokers 101, 102, 103"),
        "{lines:?}"
    );
}

/// Issue 12: bootstrapping through the folder of a broker that is down worked without a
/// word (a Kafka client would have failed over to another bootstrap broker); stderr says so.
#[test]
fn a_down_broker_folder_as_bootstrap_is_said() {
    let t = TestCluster::new();
    t.run(["topic", "create", "demo", "-q"]).success();
    t.run(["simulate-failure", "broker-down", "102", "-q"])
        .success();
    let via = |broker: &str, quiet: bool| {
        let mut cmd = t.bare_cmd();
        cmd.arg("--cluster")
            .arg(t.data().join(broker))
            .args(["topic", "list"]);
        if quiet {
            cmd.arg("-q");
        }
        stderr_lines(&cmd.assert().success().stdout("demo\n"))
    };
    let lines = via("broker-102", false);
    assert_eq!(
        lines,
        [format!(
            "filka: broker 102 (the bootstrap folder {}) is down; using the cluster's metadata \
             from {}, as a Kafka client would from another bootstrap broker",
            t.data().join("broker-102").display(),
            t.data().display()
        )]
    );
    assert!(via("broker-102", true).is_empty());
    assert!(via("broker-101", false).is_empty());
}
