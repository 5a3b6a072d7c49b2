//! A single Kafka log dir copied from a real broker opens in filka as a one-broker cluster,
//! read-only (issue 14): every read works on Kafka's own files, every write is refused, and
//! nothing is written into the folder. The fixture is fixtures/apache-kafka/broker-101, the
//! log dir of a Kafka 4.4 node (its README says how it was made).

use std::path::Path;

use crate::harness::{TestCluster, copy_dir, stderr_lines, stdout_text, tree};

#[test]
fn a_kafka_log_dir_opens_read_only_as_a_one_broker_cluster() {
    let t = TestCluster::new();
    let dir = t.path().join("kafka-logs");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apache-kafka/broker-101"),
        &dir,
    );
    let before = tree(&dir);
    let run = |args: &[&str]| t.bare_cmd().arg("--cluster").arg(&dir).args(args).assert();

    let brokers = run(&["describe", "brokers"]).success();
    let text = stdout_text(&brokers);
    assert!(text.contains("101  online"), "{text}");
    let note = stderr_lines(&brokers);
    assert!(
        note[0].contains("is the log dir of Kafka node 101: opened read-only"),
        "{note:?}"
    );
    let topics = stdout_text(&run(&["-q", "describe", "topics"]).success());
    assert!(topics.contains("txn    0          101     101"), "{topics}");
    // Kafka's transaction: 5 records committed, 3 aborted, then one plain record.
    let all = run(&[
        "-q",
        "consume",
        "-t",
        "txn",
        "-o",
        "beginning",
        "--timeout-ms",
        "500",
    ]);
    let all = stdout_text(&all.code(8));
    assert_eq!(all.lines().count(), 9, "{all}");
    let committed = run(&[
        "-q",
        "consume",
        "-t",
        "txn",
        "-o",
        "beginning",
        "--timeout-ms",
        "500",
        "--isolation",
        "read_committed",
    ]);
    assert_eq!(
        stdout_text(&committed.code(8)),
        "c-value-0\nc-value-1\nc-value-2\nc-value-3\nc-value-4\nafter\n"
    );
    let history = stdout_text(&run(&["-q", "describe", "history"]).success());
    assert!(
        history.contains("TopicRecord") && history.contains("topic txn created"),
        "{history}"
    );

    // Writes are refused, each with one line.
    for args in [
        &["topic", "create", "new"][..],
        &["simulate-failure", "broker-down", "101"],
    ] {
        let refused = run(args).code(1);
        let lines = stderr_lines(&refused);
        assert!(
            lines
                .last()
                .unwrap()
                .contains("which filka opens read-only"),
            "{args:?}: {lines:?}"
        );
    }
    let refused = t
        .bare_cmd()
        .arg("--cluster")
        .arg(&dir)
        .args(["produce", "-t", "txn"])
        .write_stdin("x\n")
        .assert()
        .code(1);
    assert!(
        stderr_lines(&refused)
            .last()
            .unwrap()
            .contains("which filka opens read-only")
    );
    assert_eq!(tree(&dir), before, "nothing was written into the log dir");
}
