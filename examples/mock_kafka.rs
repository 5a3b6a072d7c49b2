//! A Kafka cluster to try `filka mirror` against without Kafka: librdkafka's mock cluster
//! (in-memory brokers that speak the Kafka protocol on 127.0.0.1), kept running until this
//! process is stopped. Built only with the `kafka` feature.
//!
//! ```text
//! cargo run --release --features kafka --example mock_kafka -- [--brokers N] [--topic NAME:PARTITIONS]...
//! ```
//!
//! Prints `bootstrap.servers` as the first line on stdout, then serves until killed
//! (Ctrl-C). The mock cluster does not take CreateTopics: a topic it does not have is
//! auto-created with 4 partitions on first use, so `--topic` creates those that need
//! another count.

use std::io::Write;
use std::time::Duration;

use rdkafka::mocking::MockCluster;

fn main() {
    if let Err(e) = run() {
        eprintln!("mock_kafka: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut brokers = 3;
    let mut topics = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--brokers" => brokers = value()?.parse().map_err(|e| format!("--brokers: {e}"))?,
            "--topic" => {
                let v = value()?;
                let (name, parts) = v
                    .split_once(':')
                    .ok_or_else(|| format!("--topic {v}: expected NAME:PARTITIONS"))?;
                let parts: i32 = parts.parse().map_err(|e| format!("--topic {v}: {e}"))?;
                topics.push((name.to_string(), parts));
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let mock = MockCluster::new(brokers).map_err(|e| e.to_string())?;
    for (name, parts) in &topics {
        mock.create_topic(name, *parts, brokers.min(3))
            .map_err(|e| format!("creating {name}: {e}"))?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", mock.bootstrap_servers()).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
