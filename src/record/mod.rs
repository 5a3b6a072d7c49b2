//! Kafka's record format as pure functions on bytes: RecordBatch v2 and Record v2
//! ([`batch`]), zigzag varints ([`varint`]), the four compression codecs ([`compression`]),
//! transaction markers ([`control`]), the partitioning hashes ([`hash`]) and the protocol
//! primitives coordinator records are made of ([`protocol`]).
//!
//! This layer does no I/O and knows nothing of files, clusters or the CLI.

pub mod batch;
pub mod builder;
pub mod compression;
pub mod control;
pub mod hash;
pub mod kraft;
pub mod protocol;
pub mod uuid;
pub mod varint;

pub use batch::{
    Attributes, BatchHeader, BatchIter, BatchPrefix, BatchRef, CorruptBatch, Corruption, Header,
    Record, RecordRef, TimestampType,
};
pub use builder::{BatchBuilder, BatchOptions, HeaderRef};
pub use compression::Compression;

#[cfg(test)]
mod proptests;

#[cfg(test)]
mod fixture_tests;
