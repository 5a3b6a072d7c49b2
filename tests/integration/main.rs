//! Integration tests: the real `filka` binary in throwaway directories, one module per
//! command, plus checks of our bytes against an independent Kafka implementation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_basics;
mod consume;
mod generated_docs;
mod harness;
mod kafka_python;
mod oracle;
