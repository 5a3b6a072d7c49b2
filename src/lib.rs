//! filka: a whole Kafka-like cluster in a local directory.
pub mod log;
pub mod record;
