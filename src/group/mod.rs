//! Consumer groups: membership across processes ([`coordinator`]) over a lock-free shared
//! state ([`state`]), partition assignors ([`assignor`]), and committed offsets stored in `__consumer_offsets` in Kafka's own
//! binary schema ([`offsets`], [`schema`]).
//!
//! Must not: know about CLI flags or print.

pub mod assignor;
pub mod coordinator;
pub mod names;
pub mod offsets;
pub mod schema;
pub mod state;
