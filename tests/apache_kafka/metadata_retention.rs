//! The metadata log's retention (KafkaMetadataLog's `maybeClean`) judged by Kafka: a filka
//! cluster whose metadata log lost its old segments and snapshots to
//! `metadata.max.retention.bytes` is booted by three real Kafka 4.4 nodes, which must load
//! the image from the snapshot that covers the deleted part (Kafka refuses a log that
//! starts above its latest snapshot), replay the log after it, and serve every topic and
//! record.

use std::time::Duration;

use filka::cluster::quorum;

use crate::kafka::{self, Filka, Kafka};

#[test]
#[ignore = "needs Java 17 and Maven: .ci/run's apache-kafka step runs it"]
fn kafka_boots_on_a_metadata_log_its_retention_trimmed() {
    let f = Filka::new();
    let data = f.data();
    f.run(&["init"], "");
    // Every change its own segment and snapshot, and no room for more than the latest.
    f.run(
        &[
            "config",
            "set",
            "metadata.log.segment.ms=1",
            "metadata.log.max.record.bytes.between.snapshots=1",
            "metadata.max.retention.bytes=0",
        ],
        "",
    );
    for t in ["a", "b"] {
        std::thread::sleep(Duration::from_millis(5));
        f.run(&["topic", "create", t, "-p", "2", "-r", "3"], "");
    }
    let values: String = (0..20).map(|i| format!("v{i}\n")).collect();
    f.run(&["produce", "--topic", "a"], &values);
    std::thread::sleep(Duration::from_millis(5));
    // Back to Kafka's defaults (keys Kafka does not take dynamically), then one more change
    // in the log after the latest snapshot.
    f.run(
        &[
            "config",
            "unset",
            "metadata.log.segment.ms",
            "metadata.log.max.record.bytes.between.snapshots",
            "metadata.max.retention.bytes",
        ],
        "",
    );
    f.run(&["topic", "create", "c", "-p", "1", "-r", "3"], "");
    for id in 101..=103 {
        let copy = data.join(format!("broker-{id}/__cluster_metadata-0"));
        let logs: Vec<String> = std::fs::read_dir(&copy)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".log"))
            .collect();
        assert!(
            !logs.contains(&"00000000000000000000.log".to_string()),
            "broker {id}'s metadata log kept its first segment: {logs:?}"
        );
        assert_eq!(quorum::snapshots(&copy).unwrap().len(), 1, "broker {id}");
    }

    let mut kafka = Kafka::boot_filka(&data);
    let b = kafka.bootstrap.clone();
    let topics = kafka::tool("topics", &["--bootstrap-server", &b, "--list"]);
    let mut listed: Vec<&str> = topics.lines().map(str::trim).collect();
    listed.retain(|t| !t.is_empty() && !t.starts_with("__"));
    listed.sort_unstable();
    assert_eq!(listed, ["a", "b", "c"], "{topics}");
    let read = kafka::tool("consume", &[&b, "a", "read", "read_committed"]);
    assert_eq!(read.lines().filter(|l| !l.trim().is_empty()).count(), 20);
    kafka.stop();
}
