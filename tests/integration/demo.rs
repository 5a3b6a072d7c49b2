//! `filka demo`: plays the seed's example on a fresh cluster.

use crate::harness::TestCluster;

#[test]
fn demo_plays_the_example_and_leaves_a_cluster_to_explore() {
    let t = TestCluster::new();
    let out = t.bare_cmd().args(["demo", "tour"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for want in [
        "user-interactions",
        "analytics",
        "database",
        "trucks_gps",
        "truckID123  3",
        "10 records for each consumer",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    assert!(t.path().join("tour/cluster.json").is_file());
    assert!(t.path().join("tour/broker-101/meta.properties").is_file());
    // Running it again into the same folder refuses to overwrite the cluster.
    t.bare_cmd().args(["demo", "tour"]).assert().failure();
    // Without a folder it picks a new one.
    t.bare_cmd().arg("demo").assert().success();
    assert!(t.path().join("filka-demo/cluster.json").is_file());
}

/// Regression: step 9 announced `describe topics` but printed a hand-built table with other
/// columns (no LogStartOffset, LogEndOffset or Size), and step 7 said "4 partitions changed
/// leader" while listing 3 (a cap dropped one). The demo now prints the real command's table
/// and every change it counts.
#[test]
fn demo_shows_what_the_commands_show() {
    let t = TestCluster::new();
    let out = t.bare_cmd().args(["demo", "tour"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let step = |n: u32| -> Vec<String> {
        let start = format!("== Step {n}:");
        text.lines()
            .skip_while(|l| !l.starts_with(&start))
            .skip(2) // the title and the command
            .take_while(|l| !l.is_empty())
            .map(|l| l.strip_prefix("   ").unwrap_or(l).to_string())
            .collect()
    };
    let seven = step(7);
    let (summary, listed) = seven.split_last().unwrap();
    let count: usize = summary
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(summary.contains("changed leader"), "{summary}");
    assert_eq!(listed.len(), count, "{seven:?}");
    assert!(
        listed.iter().all(|l| l.contains(": new leader ")),
        "{seven:?}"
    );

    let described = String::from_utf8(
        t.bare_cmd()
            .args(["--cluster", "tour", "describe", "topics"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    let described: Vec<String> = described
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect();
    let last: Vec<String> = step(12).iter().map(|l| l.trim_end().to_string()).collect();
    assert_eq!(last, described);
    // The delivery semantics, in numbers.
    assert!(step(9)[0].contains("resumes at 10"), "{:?}", step(9));
    assert!(step(10)[0].contains("resumes at 0"), "{:?}", step(10));
    let eleven = step(11);
    assert!(
        eleven[0].contains("aborted that transaction and resumes at offset 0"),
        "{eleven:?}"
    );
    assert!(
        eleven[1].contains("holds 13 records") && eleven[1].contains("read_committed sees 10"),
        "{eleven:?}"
    );
}
