//! Apache Kafka as the judge of filka (tests/apache-kafka/README.md): Kafka's own tools, its
//! classes and a real broker, run through tests/apache-kafka/kafka.sh. They need Java 17 and
//! Maven, so every test that runs Kafka is `#[ignore]`d and the README's `cargo test` stays
//! free of Java; .ci/run runs them with
//! `cargo test --test apache_kafka -- --ignored --test-threads=1`, and the mirror tests with
//! `cargo test --features kafka --test apache_kafka -- --ignored --test-threads=1 mirror`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod boot;
mod compaction;
mod differential;
mod dump_text;
mod files;
mod kafka;
mod kraft_codec;
mod metadata_dump;
mod metadata_read;
mod metadata_retention;
mod reassign;
// `filka mirror` exists only in builds with the `kafka` feature.
#[cfg(feature = "kafka")]
mod mirror;
