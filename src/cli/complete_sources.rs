//! What shell completion reads from a cluster: topics, partitions, brokers, controller
//! voters, group ids, transactional ids, schema subjects and znodes, each with a short
//! description.
//!
//! Read-only by construction: the cluster is found with [`locate::find_root`] and its
//! metadata replayed with [`kraft::load::load`] (lock-free, writes nothing), not with
//! `Cluster::open`, which may convert an old cluster under the controller lock and tidies
//! leftovers. `__consumer_offsets` and `__transaction_state` are read straight from their
//! leaders' log files with [`LogReader`], not through the consumer, which elects a new leader
//! when it meets a damaged one.
//!
//! Must not: create, lock, write or print anything. Every failure is "no candidates".

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::cluster::kraft;
use crate::cluster::layout::Layout;
use crate::cluster::locate::{self, Location};
use crate::cluster::metadata::{BrokerStatus, ClusterState};
use crate::log::reader::LogReader;

/// A cluster's metadata as completion sees it.
#[derive(Debug)]
pub struct Snapshot {
    layout: Layout,
    state: ClusterState,
}

/// One candidate: the value, and what the shell may show beside it.
pub type Described = (String, Option<String>);

impl Snapshot {
    /// The cluster at `path` (its root, one of its broker folders, or a Kafka node's log
    /// dir, read as `--cluster` reads it), or `None` when there is none, it is of an older
    /// format (opening would convert it), or it cannot be read.
    pub fn read(path: &Path) -> Option<Snapshot> {
        let layout = match locate::locate(path) {
            Location::Root(root) | Location::Broker { root, .. } => Layout::new(root),
            Location::KafkaLogDir { dir, node } => Layout::kafka_log_dir(dir, node),
            Location::Inside { .. } | Location::Outside => return None,
        };
        let state = kraft::load::load(&layout).ok()??.state;
        Some(Snapshot { layout, state })
    }

    /// Topic names with their partition counts, internal ones (`__...`) included.
    pub fn topics(&self) -> Vec<Described> {
        self.state
            .topics
            .iter()
            .map(|(name, t)| {
                let n = t.partitions.len();
                let s = if n == 1 { "" } else { "s" };
                (name.clone(), Some(format!("{n} partition{s}")))
            })
            .collect()
    }

    /// The partitions of `topic` with their leader and ISR.
    pub fn partitions(&self, topic: &str) -> Vec<Described> {
        let Some(t) = self.state.topics.get(topic) else {
            return Vec::new();
        };
        t.partitions
            .iter()
            .map(|p| {
                let isr: Vec<String> = p.isr.iter().map(i32::to_string).collect();
                let leader = if p.leader < 0 {
                    "no leader".to_string()
                } else {
                    format!("leader {}", p.leader)
                };
                (
                    p.partition.to_string(),
                    Some(format!("{leader}, isr [{}]", isr.join(","))),
                )
            })
            .collect()
    }

    /// Broker ids with their state: `up`, `down`, or `up, replication paused`.
    pub fn brokers(&self) -> Vec<Described> {
        self.state
            .brokers
            .values()
            .map(|b| {
                let state = if !b.running || b.status == BrokerStatus::Down {
                    "down"
                } else if b.paused {
                    "up, replication paused"
                } else {
                    "up"
                };
                (b.id.to_string(), Some(state.to_string()))
            })
            .collect()
    }

    /// The controller quorum's voters with their controller's state.
    pub fn voters(&self) -> Vec<Described> {
        let Ok(Some(view)) = kraft::raft::QuorumView::read(&self.layout) else {
            return Vec::new();
        };
        view.voters
            .iter()
            .map(|&v| {
                let stopped = self.state.stopped_controllers.contains(&v)
                    || self
                        .state
                        .brokers
                        .get(&v)
                        .is_some_and(|b| !b.running || !b.controller_running);
                let mut what = if stopped {
                    "voter, controller stopped".to_string()
                } else {
                    "voter, controller running".to_string()
                };
                if view.leader == v {
                    what.push_str(", leader");
                }
                (v.to_string(), Some(what))
            })
            .collect()
    }

    /// Group ids: groups with a folder (members now or before) and groups with committed
    /// offsets in `__consumer_offsets` (`group commit` makes no folder).
    pub fn groups(&self) -> Vec<Described> {
        let mut out: BTreeSet<String> = crate::group::coordinator::group_dirs(&self.layout)
            .into_iter()
            .collect();
        let mut live: BTreeMap<(String, String, i32), bool> = BTreeMap::new();
        self.scan_keys(
            crate::group::offsets::OFFSETS_TOPIC,
            &mut |key, has_value| {
                if let Ok(Some(k)) = crate::group::schema::decode_key(key) {
                    live.insert((k.group, k.topic, k.partition), has_value);
                }
            },
        );
        out.extend(
            live.into_iter()
                .filter(|(_, alive)| *alive)
                .map(|((g, _, _), _)| g),
        );
        out.into_iter().map(|g| (g, None)).collect()
    }

    /// Transactional ids with a state in `__transaction_state` (a tombstone removes one).
    pub fn transactional_ids(&self) -> Vec<Described> {
        let mut ids: BTreeSet<String> = BTreeSet::new();
        self.scan_keys(crate::txn::coordinator::TXN_TOPIC, &mut |key, has_value| {
            if let Ok(id) = crate::txn::schema::decode_key(key) {
                if has_value {
                    ids.insert(id);
                } else {
                    ids.remove(&id);
                }
            }
        });
        ids.into_iter().map(|id| (id, None)).collect()
    }

    /// Subjects of the cluster's schema registry with their latest version.
    pub fn subjects(&self) -> Vec<Described> {
        let Ok(registry) = super::schema_store::open_registry(&self.layout) else {
            return Vec::new();
        };
        registry
            .subjects()
            .map(|(name, _)| (name.to_string(), None))
            .collect()
    }

    /// The znodes of the tree `describe zookeeper` shows, described as ephemeral or
    /// persistent.
    pub fn znodes(&self) -> Vec<Described> {
        let Ok(tree) = crate::cluster::zookeeper::read(&self.layout, &self.state) else {
            return Vec::new();
        };
        tree.root
            .walk()
            .into_iter()
            .map(|z| {
                let kind = if z.ephemeral {
                    "ephemeral"
                } else {
                    "persistent"
                };
                (z.path.clone(), Some(kind.to_string()))
            })
            .collect()
    }

    /// Calls `f` with the key of every record (and whether it has a value) of every
    /// partition of the internal `topic`, read from the leader's replica to its log end, in
    /// offset order. Control batches are skipped; a damaged batch ends that partition.
    fn scan_keys(&self, topic: &str, f: &mut dyn FnMut(&[u8], bool)) {
        let Some(t) = self.state.topics.get(topic) else {
            return;
        };
        for p in &t.partitions {
            let broker = if p.leader >= 0 {
                p.leader
            } else {
                match p.replicas.first() {
                    Some(&b) => b,
                    None => continue,
                }
            };
            let dir = self.layout.replica_dir(broker, topic, p.partition);
            let Ok(reader) = LogReader::open(&dir) else {
                continue;
            };
            let Ok(end) = reader.log_end_offset() else {
                continue;
            };
            let Ok(mut cursor) = reader.cursor(reader.first_offset()) else {
                continue;
            };
            while let Ok(Some(batch)) = cursor.next_batch(end) {
                if batch.header().attributes.is_control() {
                    continue;
                }
                let Ok(data) = batch.records_data() else {
                    break;
                };
                let Ok(records) = batch.records(&data) else {
                    break;
                };
                for r in records {
                    let Ok(r) = r else {
                        break;
                    };
                    if let Some(key) = r.key {
                        f(key, r.value.is_some());
                    }
                }
            }
        }
    }
}
