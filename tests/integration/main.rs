//! Integration tests: one test binary, one module per command, all running the real `filka`
//! binary in throwaway directories through [`harness::TestCluster`].
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_basics;
mod dump;
mod generated_docs;
mod harness;
