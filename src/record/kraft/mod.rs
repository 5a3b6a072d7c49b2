//! The codec of KRaft's metadata log, `__cluster_metadata-0`: Kafka's own metadata records,
//! byte for byte as Kafka's generated message classes write them.
//!
//! What the log holds: record batches in the ordinary v2 format (see [`crate::record`]), in
//! a partition folder of the metadata log dir with `quorum-state` and snapshots
//! (`<end offset>-<epoch>.checkpoint`) beside it. Data batches carry metadata records with
//! no key and a value framed by Kafka's `MetadataRecordSerde` ([`records::ApiMessageAndVersion`]):
//! a FeatureLevelRecord for `metadata.version` first, then brokers (RegisterBrokerRecord,
//! BrokerRegistrationChangeRecord...), topics (TopicRecord, PartitionRecord,
//! PartitionChangeRecord, RemoveTopicRecord), configs, producer id blocks, and
//! Begin/EndTransactionRecord around changes that must apply together. Control batches carry
//! the quorum's own records ([`control`]): a LeaderChangeMessage at the start of each leader
//! epoch, and in a snapshot a SnapshotHeaderRecord first and a SnapshotFooterRecord last.
//!
//! - [`message`]: the wire primitives (varints, compact strings and arrays, tagged fields, a
//!   bounds-checked reader) and Kafka's JSON rendering of messages;
//! - [`records`]: the metadata records, [`records::MetadataRecord`], the value framing;
//! - [`control`]: the control records' keys and values.
//!
//! Pure functions on bytes: no files, no metadata image (those use this module).

pub mod control;
pub mod message;
pub mod records;
