//! Apache Kafka as the judge: the same input into a real Kafka (its broker, tools and client
//! classes, from tests/apache-kafka/) and into filka, results compared exactly. Every test
//! needs Java 17 and Maven and is ignored by a plain `cargo test`:
//!
//! ```sh
//! cargo test --test apache_kafka -- --ignored --test-threads=1
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod differential;
mod kafka;
