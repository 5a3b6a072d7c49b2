//! Growing and shrinking the cluster: a broker added (`broker add`: an empty broker folder,
//! registered in the metadata as a Kafka broker registers) or removed (`broker remove`:
//! unregistered, Kafka's UnregisterBrokerRecord, and its folder deleted), refused while it
//! holds replicas or is a voter of the controller quorum.
//!
//! Must not: print, or move replicas (that is [`super::reassign`]).

use std::collections::BTreeMap;

use super::lock::FileLock;
use super::metadata::{ClusterState, MetadataRecord};
use super::{Cluster, ClusterError, MAX_BROKERS, io_err, layout, meta_properties, simulation};
use crate::log::{self, checkpoint};

/// The partitions with a replica on `broker` (`topic-partition`), in order.
pub fn replicas_on(state: &ClusterState, broker: i32) -> Vec<String> {
    state
        .topics
        .iter()
        .flat_map(|(name, t)| {
            t.partitions
                .iter()
                .filter(move |p| p.replicas.contains(&broker))
                .map(move |p| format!("{name}-{}", p.partition))
        })
        .collect()
}

/// The id a new broker gets when none is asked for: one more than every node id in use.
fn next_id(state: &ClusterState, voters: &[i32]) -> i32 {
    state
        .brokers
        .keys()
        .chain(voters)
        .copied()
        .max()
        .map_or(101, |m| m.saturating_add(1))
}

/// Adds a broker with `id` (or the next free id): its folder with `meta.properties` and
/// empty checkpoint files, then its registration (RegisterBrokerRecord, unfenced). Returns
/// its id. It holds no replica until a topic is created or a reassignment moves some to it.
pub fn add_broker(cluster: &mut Cluster, id: Option<i32>) -> Result<i32, ClusterError> {
    cluster.writable()?;
    let voters = cluster.quorum()?.voters;
    cluster.reload()?;
    let state = cluster.state();
    if state.brokers.len() as u32 >= MAX_BROKERS {
        return Err(ClusterError::Invalid(format!(
            "a cluster has at most {MAX_BROKERS} brokers"
        )));
    }
    let id = id.unwrap_or_else(|| next_id(state, &voters));
    if id < 0 {
        return Err(ClusterError::Invalid(format!(
            "{id} is not a valid Kafka node id (0 to {})",
            i32::MAX
        )));
    }
    if state.brokers.contains_key(&id) {
        return Err(ClusterError::Invalid(format!("broker {id} already exists")));
    }
    if voters.contains(&id) {
        return Err(ClusterError::Invalid(format!(
            "node id {id} is taken by a controller of the quorum"
        )));
    }
    let layout = cluster.layout().clone();
    let dir = layout.broker_dir(id);
    // A folder an `add` killed before its registration left (only the files it writes) is
    // made again; any other is someone's data.
    if dir.exists() && !half_made(&dir) {
        return Err(ClusterError::Invalid(format!(
            "{} already exists: remove it, or choose another id with --id",
            dir.display()
        )));
    }
    let cluster_id = state.cluster_id.clone();
    let made = (|| {
        log::io::create_dir_all(&dir).map_err(io_err(&dir))?;
        let props = dir.join(layout::META_PROPERTIES);
        log::io::write_atomic(&props, meta_properties(&cluster_id, id).as_bytes())
            .map_err(io_err(&props))?;
        for name in [
            log::names::RECOVERY_POINT_CHECKPOINT,
            log::names::REPLICATION_OFFSET_CHECKPOINT,
            log::names::LOG_START_OFFSET_CHECKPOINT,
        ] {
            checkpoint::write_offsets(&dir.join(name), &BTreeMap::new())?;
        }
        cluster.update(|s| {
            if s.brokers.contains_key(&id) {
                return Err(ClusterError::Invalid(format!("broker {id} already exists")));
            }
            Ok((vec![MetadataRecord::RegisterBroker { id }], ()))
        })
    })();
    if let Err(e) = made {
        let _ = log::io::remove_dir_all(&dir);
        return Err(e);
    }
    Ok(id)
}

/// The files `add_broker` writes before it registers the broker (and their temp files).
const ADDED_FILES: [&str; 4] = [
    layout::META_PROPERTIES,
    log::names::RECOVERY_POINT_CHECKPOINT,
    log::names::REPLICATION_OFFSET_CHECKPOINT,
    log::names::LOG_START_OFFSET_CHECKPOINT,
];

/// A broker folder holding nothing but what `add_broker` writes: one a killed `broker add`
/// or `broker remove` left.
fn half_made(dir: &std::path::Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().all(|e| {
        let name = e.file_name().to_string_lossy().to_string();
        e.file_type().is_ok_and(|t| t.is_file())
            && ADDED_FILES
                .iter()
                .any(|f| name == *f || name.starts_with(&format!("{f}.")))
    })
}

/// Whether `dir/meta.properties` names node `id` of the cluster `cluster_id`.
fn names_node(dir: &std::path::Path, cluster_id: &str, id: i32) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join(layout::META_PROPERTIES)) else {
        return false;
    };
    let value = |key: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
    };
    value("cluster.id").as_deref() == Some(cluster_id)
        && value("node.id").as_deref() == Some(id.to_string().as_str())
}

/// Removes broker `id`: refused while any partition has a replica on it (naming them) or
/// it is a voter of the controller quorum. Unregisters it, then deletes its folder.
pub fn remove_broker(cluster: &mut Cluster, id: i32) -> Result<(), ClusterError> {
    cluster.writable()?;
    let voters = cluster.quorum()?.voters;
    if voters.contains(&id) {
        return Err(ClusterError::Invalid(format!(
            "broker {id} is a voter of the controller quorum (voters: {}): filka does not \
             change the quorum's voters",
            voters
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let layout = cluster.layout().clone();
    let dir = layout.broker_dir(id);
    cluster.update(|s| {
        if !s.brokers.contains_key(&id)
            && replicas_on(s, id).is_empty()
            && names_node(&dir, &s.cluster_id, id)
        {
            // Unregistered by a `broker remove` killed before it deleted the folder (or
            // made by a `broker add` killed before it registered): this one finishes it.
            return Ok((Vec::new(), ()));
        }
        if !s.brokers.contains_key(&id) {
            return Err(ClusterError::Invalid(format!(
                "no broker {id} in this cluster (brokers: {:?})",
                s.broker_ids()
            )));
        }
        let held = replicas_on(s, id);
        if !held.is_empty() {
            const SHOWN: usize = 10;
            let mut names = held
                .iter()
                .take(SHOWN)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if held.len() > SHOWN {
                names.push_str(&format!(" and {} more", held.len() - SHOWN));
            }
            return Err(ClusterError::Invalid(format!(
                "broker {id} holds replicas of {} partition{}: {names}; move them away first \
                 (filka topic reassign --generate with a broker list without {id}, then \
                 --execute)",
                held.len(),
                if held.len() == 1 { "" } else { "s" }
            )));
        }
        Ok((vec![MetadataRecord::UnregisterBroker { id }], ()))
    })?;
    // Its simulated state goes with it.
    {
        let _controller = FileLock::exclusive(&layout.controller_lock())?;
        let mut sim = simulation::Simulation::read(layout.root())?;
        if sim.nodes.remove(&id).is_some() {
            sim.write(layout.root())?;
        }
    }
    let removed = {
        let _lock = FileLock::exclusive(&layout.broker_lock(id))?;
        log::io::remove_dir_all(&dir).map_err(io_err(&dir))
    };
    removed.map_err(|e| ClusterError::AfterCommit {
        done: format!("broker {id} is unregistered"),
        source: Box::new(e),
    })?;
    let _ = std::fs::remove_file(layout.broker_lock(id));
    cluster.reload()
}
