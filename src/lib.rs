//! filka: a whole Kafka-like cluster in a local directory.
//!
//! There is no server: every command is a short-lived process that opens the cluster
//! directory, takes file locks for what it changes, does its work and exits (the SQLite model,
//! applied to Kafka's log). Partitions are stored in Apache Kafka's own on-disk format, so
//! Kafka's tooling can read what filka writes, and filka can inspect segment files copied from
//! a real broker. The library is usable without the binary.
//!
//! # The cluster directory
//!
//! ```text
//! <cluster>/                 --cluster DIR, or FILKA_CLUSTER, default ./filka-data
//!   simulation.json          processes simulate-failure stopped, paused followers
//!   metadata-notes.jsonl     the reasons of partition changes (the log has no field)
//!   locks/                   lock files only (never deleted while the cluster exists)
//!   schemas/                 local schema registry (subjects, versions, ids)
//!   groups/                  consumer-group membership (member files locked by live processes)
//!   broker-101/              one folder per broker = a Kafka log.dir
//!     meta.properties
//!     recovery-point-offset-checkpoint, replication-offset-checkpoint,
//!     log-start-offset-checkpoint
//!     __cluster_metadata-0/  a voter's copy of the KRaft metadata log, with quorum-state
//!                            and <offset>-<epoch>.checkpoint snapshots
//!     <topic>-<partition>/
//!       00000000000000000000.log / .index / .timeindex
//!       leader-epoch-checkpoint, partition.metadata
//!   broker-102/ ...
//!   controller-1/            a controller of its own (init --isolated), with its copy
//! ```
//!
//! # Layers
//!
//! Data flows one way, top to bottom: [`cli`] (clap definitions, one file per command) over
//! the client, group and cluster layers, over the log layer (one replica's segments, indexes
//! and checkpoints), over [`record`] (Kafka's RecordBatch v2 codec: pure functions on bytes).
//! [`output`] renders what commands print; [`error`] holds the one exit-code table. With the
//! `kafka` cargo feature, `mirror` copies topics to and from a real Kafka cluster on top of the
//! client layer (librdkafka stays inside it).

pub mod cli;
pub mod client;
pub mod cluster;
pub mod error;
pub mod format;
pub mod group;
pub mod log;
#[cfg(feature = "kafka")]
pub mod mirror;
pub mod output;
pub mod record;
pub mod txn;

/// DESIGN.md's layers, checked on the source: a module never imports from a layer above it.
#[cfg(test)]
mod layers {
    use std::path::Path;

    /// Every `crate::<module>` a layer's non-test source names.
    fn imports(layer: &str) -> Vec<(String, String)> {
        fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if path.is_dir() {
                    if name != "tests" && name != "proptests" {
                        walk(&path, out);
                    }
                    continue;
                }
                if !name.ends_with(".rs") || name.ends_with("tests.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // What follows `#[cfg(test)]` is the file's unit tests.
                let code = text.split("#[cfg(test)]").next().unwrap_or("");
                for (i, _) in code.match_indices("crate::") {
                    let module: String = code[i + 7..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    out.push((path.display().to_string(), module));
                }
            }
        }
        let mut out = Vec::new();
        walk(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src")
                .join(layer),
            &mut out,
        );
        out
    }

    fn assert_only(layer: &str, allowed: &[&str]) {
        for (file, module) in imports(layer) {
            assert!(
                allowed.contains(&module.as_str()),
                "{file} imports crate::{module}: {layer}/ may only use {allowed:?}"
            );
        }
    }

    #[test]
    fn lower_layers_never_import_upper_ones() {
        assert_only("record", &["record"]);
        assert_only("log", &["log", "record"]);
        assert_only("cluster", &["cluster", "log", "record"]);
        // Serializers are pure: no storage, no cluster (the registry is handed a store).
        assert_only("format", &["format", "client", "record"]);
    }
}
