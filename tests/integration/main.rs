//! Integration tests: the real `filka` binary in throwaway directories, one module per
//! command, plus checks of our bytes against an independent Kafka implementation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod clean;
mod cli_basics;
mod completion;
mod consume;
mod convert;
mod demo;
mod describe;
mod disk_fault_matrix;
mod disk_faults;
mod disk_faults_reads;
mod dump;
mod exit_codes;
mod generated_docs;
mod global_flags;
mod group;
mod harness;
mod init;
mod kafka_log_dir;
mod kafka_python;
mod metadata_faults;
mod mirror;
mod oracle;
mod produce;
mod reassign;
mod serializers;
mod simulate_failure;
mod topic;
mod transactions;
mod zookeeper;
