//! Brokers going down and coming back, paused followers and preferred leaders: the
//! operations behind `simulate-failure` and `topic elect-leaders`. Each returns what
//! changed (leaders, ISRs, truncations, damage) so the command can show it.

use super::controller::{self, ReplicaLog};
use super::failure::{self, Damage};
use super::lock::FileLock;
use super::metadata::{BrokerStatus, MetadataRecord};
use super::writer::{PartitionWriter, ReplicaEvent};
use super::{Cluster, ClusterError};
use crate::log::{LogReader, checkpoint, names};

/// What a failover operation did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    /// Metadata records appended (broker fenced/unfenced, leaders, ISRs), in order.
    pub changes: Vec<MetadataRecord>,
    /// Damage done to replicas (power loss, corruption).
    pub damage: Vec<Damage>,
    /// What replication did, per partition: (topic, partition, event).
    pub events: Vec<(String, u32, ReplicaEvent)>,
    /// Partitions that stay offline, with why.
    pub offline: Vec<(String, u32)>,
}

/// One replication pass on a partition (with full recovery of `recover`'s replica first),
/// adding what it did to `report`. An offline partition is noted, not an error.
fn sync_into(
    cluster: &Cluster,
    topic: &str,
    partition: u32,
    recover: Option<i32>,
    report: &mut Report,
) -> Result<(), ClusterError> {
    let mut w = PartitionWriter::new(cluster, topic, partition)?;
    if let Some(b) = recover {
        w.recover_replica(b);
    }
    match w.checkpoint() {
        Ok(updates) => super::writer::write_checkpoints(cluster.layout(), &updates)?,
        Err(ClusterError::Offline { .. }) => report.offline.push((topic.to_string(), partition)),
        Err(e) => return Err(e),
    }
    report.events.extend(
        w.take_events()
            .into_iter()
            .map(|e| (topic.to_string(), partition, e)),
    );
    Ok(())
}

/// After damage was done to `broker`'s replica (`simulate-failure corrupt`, `torn-write`):
/// one replication pass that checks that replica (whole from its recovery point, for
/// corruption; with recovery, for a torn write), so what Kafka would do shows now: a
/// damaged leader goes offline and an in-sync follower leads; a damaged follower is
/// repaired from the leader.
pub fn after_damage(
    cluster: &mut Cluster,
    topic: &str,
    partition: u32,
    broker: i32,
    torn: bool,
) -> Result<Report, ClusterError> {
    cluster.reload()?;
    let mut report = Report::default();
    let mut w = PartitionWriter::new(cluster, topic, partition)?;
    if !torn {
        w.verify_replica(broker);
    }
    let result = w.sync().and_then(|_| w.checkpoint());
    match result {
        Ok(updates) => super::writer::write_checkpoints(cluster.layout(), &updates)?,
        Err(ClusterError::Offline { .. }) => report.offline.push((topic.to_string(), partition)),
        Err(e) => return Err(e),
    }
    report.events.extend(
        w.take_events()
            .into_iter()
            .map(|e| (topic.to_string(), partition, e)),
    );
    cluster.reload()?;
    Ok(report)
}

/// Partitions with a replica on `broker`, sorted (the order locks are taken in).
fn partitions_on(cluster: &Cluster, broker: i32) -> Vec<(String, u32)> {
    let mut v: Vec<(String, u32)> = cluster
        .state()
        .topics
        .iter()
        .flat_map(|(name, t)| {
            t.partitions
                .iter()
                .filter(|p| p.replicas.contains(&broker))
                .map(|p| (name.clone(), p.partition))
        })
        .collect();
    v.sort();
    v
}

fn broker_status(cluster: &Cluster, id: i32) -> Result<BrokerStatus, ClusterError> {
    cluster
        .state()
        .brokers
        .get(&id)
        .map(|b| b.status)
        .ok_or_else(|| {
            ClusterError::Invalid(format!(
                "no broker {id} in this cluster (brokers: {:?})",
                cluster.state().broker_ids()
            ))
        })
}

/// Takes the locks of `parts` (sorted, so every process takes them in the same order).
/// Every leader change is made holding them: a writer, which reads the metadata again
/// once it holds its partition's lock, then never appends for a leader or epoch that is
/// gone.
fn lock_partitions(
    cluster: &Cluster,
    parts: &[(String, u32)],
) -> Result<Vec<FileLock>, ClusterError> {
    parts
        .iter()
        .map(|(t, p)| {
            Ok(FileLock::exclusive(
                &cluster.layout().partition_lock(t, *p),
            )?)
        })
        .collect()
}

/// A replica's log start, log end and epoch history from its files (empty when it has
/// none or they cannot be read).
fn replica_on_disk(cluster: &Cluster, topic: &str, partition: u32, broker: i32) -> ReplicaLog {
    let dir = cluster.layout().replica_dir(broker, topic, partition);
    let Ok((log_start, log_end)) =
        LogReader::open(&dir).and_then(|r| Ok((r.first_offset(), r.log_end_offset()?)))
    else {
        return ReplicaLog::default();
    };
    // Entries past the log end describe offsets it no longer has (as when it is opened).
    let epochs = checkpoint::read_epochs(&dir.join(names::LEADER_EPOCH_CHECKPOINT))
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.start_offset <= log_end)
        .collect();
    ReplicaLog {
        log_start,
        log_end,
        epochs,
    }
}

/// Stops a broker: fences it, takes it out of every ISR and elects new leaders for what it
/// led. With `power_loss`, its replicas also lose everything after their last flush, and
/// the batch being written is left torn.
pub fn broker_down(
    cluster: &mut Cluster,
    id: i32,
    power_loss: bool,
) -> Result<Report, ClusterError> {
    cluster.reload()?;
    if broker_status(cluster, id)? == BrokerStatus::Down {
        return Err(ClusterError::BrokerState {
            broker: id,
            state: "down",
        });
    }
    let mut report = Report::default();
    let parts = partitions_on(cluster, id);
    // Hold every affected partition's lock: no append is half done while its leader
    // changes, and none lands on the broker after it is fenced.
    let locks = lock_partitions(cluster, &parts)?;
    if power_loss {
        for (t, p) in &parts {
            let d = failure::power_loss(cluster.layout(), t, *p, id)?;
            if d.lost_from.is_some() {
                report.damage.push(d);
            }
        }
    }
    let view = cluster.clone();
    let replica = move |t: &str, p: u32, b: i32| replica_on_disk(&view, t, p, b);
    report.changes = cluster.update(|state| {
        let records = controller::broker_down(state, id, &replica);
        Ok((records.clone(), records))
    })?;
    drop(locks);
    Ok(report)
}

/// Brings a broker back: unfences it, recovers its replicas (cutting torn tails), truncates
/// each to where its leader-epoch history agrees with the leader's (KIP-101/279), copies
/// what it lacks, and lets it rejoin ISRs. Offline partitions it was the last in-sync
/// replica of get it as leader.
pub fn broker_up(cluster: &mut Cluster, id: i32) -> Result<Report, ClusterError> {
    cluster.reload()?;
    if broker_status(cluster, id)? == BrokerStatus::Online {
        return Err(ClusterError::BrokerState {
            broker: id,
            state: "up",
        });
    }
    let mut report = Report::default();
    let view = cluster.clone();
    let replica = move |t: &str, p: u32, b: i32| replica_on_disk(&view, t, p, b);
    let locks = lock_partitions(cluster, &partitions_on(cluster, id))?;
    report.changes = cluster.update(|state| {
        let records = controller::broker_up(state, id, &replica);
        Ok((records.clone(), records))
    })?;
    drop(locks);
    for (t, p) in partitions_on(cluster, id) {
        sync_into(cluster, &t, p, Some(id), &mut report)?;
    }
    cluster.reload()?;
    Ok(report)
}

/// A replica found damaged, missing or unwritable (Kafka's failed log dir, for this
/// partition): it goes offline and leaves the ISR, and when it led, a clean election moves
/// leadership to a live in-sync replica. The caller holds the partition's lock (every
/// leader change is made under it). Returns the metadata records written (none when the
/// replica was offline already).
pub fn replica_failed_locked(
    cluster: &mut Cluster,
    topic: &str,
    partition: u32,
    broker: i32,
    why: &str,
) -> Result<Vec<MetadataRecord>, ClusterError> {
    let view = cluster.clone();
    let replica = move |t: &str, p: u32, b: i32| replica_on_disk(&view, t, p, b);
    cluster.update(|state| {
        let records: Vec<MetadataRecord> =
            controller::replica_failed(state, topic, partition, broker, why, &replica)
                .into_iter()
                .collect();
        Ok((records.clone(), records))
    })
}

/// [`replica_failed_locked`] for a reader that met the damage (it holds no lock): takes the
/// partition's lock first. A reader only hands the partition over: when no other in-sync
/// replica could lead, nothing changes (`Ok(None)`), and the reader reports the damage as
/// it is, as a Kafka consumer gets CORRUPT_MESSAGE; a writer, which cannot append after a
/// damaged tail, is what takes a sole replica offline.
pub fn replica_failed(
    cluster: &mut Cluster,
    topic: &str,
    partition: u32,
    broker: i32,
    why: &str,
) -> Result<Option<Vec<MetadataRecord>>, ClusterError> {
    // Bounded: a writer holding the lock for long (or, by mistake, this very process) must
    // not hang a reader; it then reports the damage as it is.
    let _lock = FileLock::exclusive_within(
        &cluster.layout().partition_lock(topic, partition),
        std::time::Duration::from_secs(10),
    )?;
    cluster.reload()?;
    let p = cluster.partition(topic, partition)?;
    let state = cluster.state();
    let another = p.isr.iter().any(|&b| b != broker && p.replica_up(state, b));
    if !another {
        return Ok(None);
    }
    replica_failed_locked(cluster, topic, partition, broker, why).map(Some)
}

/// Pauses or resumes a broker's followers. Resuming runs a replication pass at once, so
/// they catch up and rejoin the ISR.
pub fn set_paused(cluster: &mut Cluster, id: i32, paused: bool) -> Result<Report, ClusterError> {
    cluster.reload()?;
    broker_status(cluster, id)?;
    let mut report = Report {
        changes: cluster.update(|state| {
            if state.brokers.get(&id).is_some_and(|b| b.paused == paused) {
                return Ok((Vec::new(), Vec::new()));
            }
            let r = vec![MetadataRecord::SetReplicationPaused { id, paused }];
            Ok((r.clone(), r))
        })?,
        ..Report::default()
    };
    if !paused && cluster.state().is_online(id) {
        for (t, p) in partitions_on(cluster, id) {
            sync_into(cluster, &t, p, None, &mut report)?;
        }
        cluster.reload()?;
    }
    Ok(report)
}

/// Preferred leader election for one topic or all.
pub fn elect_leaders(cluster: &mut Cluster, topic: Option<&str>) -> Result<Report, ClusterError> {
    cluster.reload()?;
    if let Some(t) = topic {
        cluster.topic(t)?;
    }
    let mut parts: Vec<(String, u32)> = cluster
        .state()
        .topics
        .iter()
        .filter(|(name, _)| topic.is_none_or(|t| t == *name))
        .flat_map(|(name, t)| t.partitions.iter().map(|p| (name.clone(), p.partition)))
        .collect();
    parts.sort();
    let _locks = lock_partitions(cluster, &parts)?;
    Ok(Report {
        changes: cluster.update(|state| {
            let r = controller::elect_preferred(state, topic);
            Ok((r.clone(), r))
        })?,
        ..Report::default()
    })
}

/// One replication pass on every partition of `topic` (or all): followers catch up, ISRs
/// shrink or expand. What a process "touching" the partitions does.
pub fn touch(cluster: &mut Cluster, topic: Option<&str>) -> Result<Report, ClusterError> {
    cluster.reload()?;
    let mut report = Report::default();
    let parts: Vec<(String, u32)> = cluster
        .state()
        .topics
        .iter()
        .filter(|(name, _)| topic.is_none_or(|t| t == *name))
        .flat_map(|(name, t)| t.partitions.iter().map(|p| (name.clone(), p.partition)))
        .collect();
    for (t, p) in parts {
        sync_into(cluster, &t, p, None, &mut report)?;
    }
    cluster.reload()?;
    Ok(report)
}
