//! Consumer groups: membership across processes ([`coordinator`]), partition assignors
//! ([`assignor`]), and committed offsets stored in `__consumer_offsets` in Kafka's own
//! binary schema ([`offsets`], [`schema`]).
//!
//! Must not: know about CLI flags or print.

pub mod assignor;
pub mod coordinator;
pub mod offsets;
pub mod schema;
