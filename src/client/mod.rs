//! Clients of the directory cluster: the [`producer`] (partitioner, batching, acks) and the
//! [`consumer`] (start offsets, fetching up to the high watermark, following a growing
//! log). They know the cluster layer, not the CLI.

pub mod consumer;
pub mod producer;

#[cfg(test)]
mod acks_tests;
#[cfg(test)]
mod idempotence_tests;
