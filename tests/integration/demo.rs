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
