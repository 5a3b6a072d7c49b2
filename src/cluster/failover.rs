//! Brokers going down and coming back, paused followers and preferred leaders: the
//! operations behind `simulate-failure` and `topic elect-leaders`. Each returns what
//! changed (leaders, ISRs, truncations, damage) so the command can show it.

use super::controller::{self, ReplicaLog};
use super::failure::{self, Damage};
use super::lock::FileLock;
use super::metadata::{BrokerState, BrokerStatus, MetadataRecord};
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
    /// Elections of the controller quorum's leader it caused.
    pub elections: Vec<QuorumElection>,
}

/// An election of the controller quorum's leader, and why it was held.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QuorumElection {
    /// The leader before (-1: none).
    pub previous: i32,
    /// The new leader.
    pub leader: i32,
    /// Its epoch.
    pub epoch: i32,
    /// The previous leader's controller had stopped (else it was replaced because its log
    /// held records that no majority had: a controller killed mid-change).
    pub previous_stopped: bool,
}

/// The quorum's leader and epoch now (none when it cannot be read).
fn quorum_leader(cluster: &Cluster) -> Option<(i32, i32)> {
    cluster.quorum().ok().map(|q| (q.leader, q.epoch))
}

/// Adds to `report` the election held since the quorum had `before` as leader and epoch.
fn note_election(cluster: &Cluster, before: Option<(i32, i32)>, report: &mut Report) {
    if let (Some((previous, old_epoch)), Some((leader, epoch))) = (before, quorum_leader(cluster))
        && epoch != old_epoch
    {
        report.elections.push(QuorumElection {
            previous,
            leader,
            epoch,
            previous_stopped: previous < 0 || !controller_runs(cluster, previous),
        });
    }
}

/// `e`, said to come after `done` when it is the quorum's refusal.
fn after_no_quorum(e: ClusterError, done: impl FnOnce() -> String) -> ClusterError {
    match e {
        ClusterError::NoQuorum { .. } => ClusterError::AfterCommit {
            done: done(),
            source: Box::new(e),
        },
        e => e,
    }
}

/// Stops the controller of voter `id` (alone: a combined node's broker keeps running);
/// when it led the quorum, the others elect a leader at once, as Kafka's voters do when
/// they miss their leader. Without a majority left, nothing more can be committed:
/// [`ClusterError::NoQuorum`].
pub fn controller_down(cluster: &mut Cluster, id: i32) -> Result<Report, ClusterError> {
    cluster.reload()?;
    let before = quorum_leader(cluster);
    check_voter(cluster, id)?;
    if !controller_runs(cluster, id) {
        return Err(ClusterError::ControllerState { id, state: "down" });
    }
    cluster.set_node(id, |n| n.controller_running = false)?;
    cluster.elect_controller().map_err(|e| {
        after_no_quorum(e, || {
            format!("controller {id} is down (no metadata change can be made until a majority of the voters runs)")
        })
    })?;
    let mut report = Report::default();
    note_election(cluster, before, &mut report);
    Ok(report)
}

/// Starts the controller of voter `id` again; when that gives the quorum a majority, the
/// brokers that stopped meanwhile are fenced and a leader is elected.
pub fn controller_up(cluster: &mut Cluster, id: i32) -> Result<Report, ClusterError> {
    cluster.reload()?;
    let before = quorum_leader(cluster);
    check_voter(cluster, id)?;
    if controller_runs(cluster, id) {
        return Err(ClusterError::ControllerState { id, state: "up" });
    }
    cluster.set_node(id, |n| n.controller_running = true)?;
    let mut report = Report::default();
    cluster.elect_controller().map_err(|e| {
        after_no_quorum(e, || {
            format!("controller {id} is up (its copy catches up once a majority runs)")
        })
    })?;
    report.changes = fence_stopped(cluster)?;
    note_election(cluster, before, &mut report);
    Ok(report)
}

/// Refuses a node that is not a voter of the controller quorum.
fn check_voter(cluster: &Cluster, id: i32) -> Result<(), ClusterError> {
    let voters = cluster.quorum()?.voters;
    if voters.contains(&id) {
        return Ok(());
    }
    let list: Vec<String> = voters.iter().map(i32::to_string).collect();
    Err(ClusterError::Invalid(format!(
        "node {id} is not a controller (the voters are {})",
        list.join(", ")
    )))
}

/// Whether voter `id`'s controller runs (a combined node's stops with its broker too).
fn controller_runs(cluster: &Cluster, id: i32) -> bool {
    let state = cluster.state();
    state.brokers.get(&id).map_or_else(
        || !state.stopped_controllers.contains(&id),
        |b| b.controller_running,
    )
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

fn broker(cluster: &Cluster, id: i32) -> Result<BrokerState, ClusterError> {
    cluster.state().brokers.get(&id).cloned().ok_or_else(|| {
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

/// Stops a broker: its process stops at once (`simulation.json`); then the controller
/// fences it, takes it out of every ISR and elects new leaders for what it led. With
/// `power_loss`, its replicas also lose everything after their last flush, and the batch
/// being written is left torn. Without a controller quorum the broker still stops, but
/// nothing can be fenced: [`ClusterError::NoQuorum`], and the fence waits for a quorum
/// ([`fence_stopped`]).
pub fn broker_down(
    cluster: &mut Cluster,
    id: i32,
    power_loss: bool,
) -> Result<Report, ClusterError> {
    cluster.reload()?;
    if !broker(cluster, id)?.running {
        return Err(ClusterError::BrokerState {
            broker: id,
            state: "down",
        });
    }
    let mut report = Report::default();
    let parts = partitions_on(cluster, id);
    // Hold every affected partition's lock: no append is half done while its leader
    // changes, and none lands on the broker after it stops.
    let locks = lock_partitions(cluster, &parts)?;
    let before = quorum_leader(cluster);
    // Stopped first, then its unflushed data lost: readers take no lock, and while the
    // broker counted as running, its replicas cut short by the power loss pulled the high
    // watermark of their partitions back (found by the nemesis run: a pipe read its group's
    // offsets below the commits, as none, and processed its input again).
    cluster.set_node(id, |n| n.running = false)?;
    if power_loss {
        for (t, p) in &parts {
            match failure::power_loss(cluster.layout(), t, *p, id) {
                Ok(d) if d.lost_from.is_some() => report.damage.push(d),
                Ok(_) => {}
                Err(e) => {
                    // Stopped already: fenced too, so that the partitions it led get
                    // leaders, before the error is said.
                    let _ = fence_locked(cluster, id);
                    return Err(e);
                }
            }
        }
    }
    report.changes = fence_locked(cluster, id).map_err(|e| {
        after_no_quorum(e, || {
            format!(
                "broker {id} is down (its process stopped; it stays registered as online until \
                 a controller quorum fences it)"
            )
        })
    })?;
    drop(locks);
    note_election(cluster, before, &mut report);
    Ok(report)
}

/// The controller's side of a broker that stopped: fences it, shrinks ISRs, elects
/// leaders. The caller holds the locks of the broker's partitions.
fn fence_locked(cluster: &mut Cluster, id: i32) -> Result<Vec<MetadataRecord>, ClusterError> {
    let view = cluster.clone();
    let replica = move |t: &str, p: u32, b: i32| replica_on_disk(&view, t, p, b);
    cluster.update(|state| {
        if state
            .brokers
            .get(&id)
            .is_none_or(|b| b.status == BrokerStatus::Down)
        {
            return Ok((Vec::new(), Vec::new()));
        }
        let records = controller::broker_down(state, id, &replica);
        Ok((records.clone(), records))
    })
}

/// Fences every broker that stopped while the controller quorum was lost (still
/// registered as online): what an active controller does once a broker's session times
/// out. Returns the records written.
pub fn fence_stopped(cluster: &mut Cluster) -> Result<Vec<MetadataRecord>, ClusterError> {
    cluster.reload()?;
    let stopped: Vec<i32> = cluster
        .state()
        .brokers
        .values()
        .filter(|b| !b.running && b.status == BrokerStatus::Online)
        .map(|b| b.id)
        .collect();
    let mut out = Vec::new();
    for id in stopped {
        let locks = lock_partitions(cluster, &partitions_on(cluster, id))?;
        out.extend(fence_locked(cluster, id)?);
        drop(locks);
    }
    Ok(out)
}

/// Brings a broker back: its process starts (`simulation.json`); the controller unfences
/// it; it recovers its replicas (cutting torn tails), truncates each to where its
/// leader-epoch history agrees with the leader's (KIP-101/279), copies what it lacks, and
/// rejoins ISRs. Offline partitions it was the last in-sync replica of get it as leader.
/// When its controller completes a quorum, brokers that stopped meanwhile are fenced
/// first.
pub fn broker_up(cluster: &mut Cluster, id: i32) -> Result<Report, ClusterError> {
    cluster.reload()?;
    let b = broker(cluster, id)?;
    if b.running && b.status == BrokerStatus::Online {
        return Err(ClusterError::BrokerState {
            broker: id,
            state: "up",
        });
    }
    let mut report = Report::default();
    let before = quorum_leader(cluster);
    if !b.running {
        cluster.set_node(id, |n| n.running = true)?;
    }
    report.changes = fence_stopped(cluster)?;
    let view = cluster.clone();
    let replica = move |t: &str, p: u32, b: i32| replica_on_disk(&view, t, p, b);
    let locks = lock_partitions(cluster, &partitions_on(cluster, id))?;
    report.changes.extend(cluster.update(|state| {
        let records = controller::broker_up(state, id, &replica);
        Ok((records.clone(), records))
    })?);
    drop(locks);
    note_election(cluster, before, &mut report);
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
    let mut report = Report::default();
    if broker(cluster, id)?.paused == paused {
        return Ok(report);
    }
    cluster.set_node(id, |n| n.paused = paused)?;
    // Not a metadata record (Kafka has none): told as one, for the report.
    report
        .changes
        .push(MetadataRecord::SetReplicationPaused { id, paused });
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
