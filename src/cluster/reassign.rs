//! Partition reassignment, as Kafka's controller does it (KIP-455): a partition moves to a
//! target replica set through states kept in the metadata log, so any process may carry a
//! move on from where the last one stopped.
//!
//! 1. Started: replicas = target + the replicas leaving (Kafka's order), `adding` = target
//!    not yet replicas, `removing` = replicas not in target. The adding replicas are
//!    replicas like the others, so every process that replicates the partition (a
//!    producer, a consumer touching it, `topic reassign`) copies the leader's log to them
//!    ([`super::writer`]); once caught up they join the ISR.
//! 2. Completed, in the same metadata change as the ISR expansion that puts the last adding
//!    replica in the ISR ([`isr_change`]), or by the next `topic reassign` that sees it
//!    ready; `topic reassign` commits the expansions and completions of each of its passes
//!    over the partitions in one metadata change ([`drive`]): replicas = target, ISR = ISR
//!    ∩ target, adding and removing
//!    empty; a leader that leaves hands over to the first target replica in the ISR
//!    (Kafka's election order), with a new leader epoch.
//! 3. The removed replicas' folders and checkpoint entries are deleted, under the
//!    partition lock ([`remove_replica_files`]), by the process whose write completed the
//!    move (a producer's as well as `topic reassign`'s, as Kafka's controller sends
//!    StopReplica(delete=true)); one killed before that leaves folders that the next
//!    `topic reassign` removes ([`remove_strays`]).
//!
//! A cancelled move goes back to the original replicas (replicas - adding).
//!
//! Pure decisions ([`start_record`], [`completion`], [`revert_record`]) are separate from
//! the I/O ([`start`], [`drive`], [`cancel`]) so they are tested against Kafka's rules.
//!
//! Must not: print (progress goes to a callback), or know CLI flags.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::lock::FileLock;
use super::metadata::{ClusterState, MetadataRecord, PartitionState};
use super::replica::replica_info;
use super::topic::assign_replicas;
use super::writer::{IsrExpansion, PartitionWriter};
use super::{Cluster, ClusterError, io_err};
use crate::log::{self, checkpoint};

/// One partition's target replicas (an entry of Kafka's reassignment JSON).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: u32,
    /// Target replicas, preferred leader first.
    pub replicas: Vec<i32>,
}

/// `--generate`: the current assignment of `topics`' partitions, and Kafka's proposal to
/// spread them over `brokers` (each topic keeps its partition count and replication factor;
/// [`assign_replicas`], Kafka's rack-unaware assignment). Errors on an unknown topic or
/// broker, or fewer brokers than the replication factor.
pub fn generate(
    state: &ClusterState,
    topics: &[String],
    brokers: &[i32],
) -> Result<(Vec<Target>, Vec<Target>), ClusterError> {
    for b in brokers {
        if !state.brokers.contains_key(b) {
            return Err(ClusterError::Invalid(format!(
                "broker {b} of the broker list is not a broker of the cluster (brokers: {})",
                join(&state.broker_ids())
            )));
        }
    }
    let mut sorted = brokers.to_vec();
    sorted.sort_unstable();
    let mut current = Vec::new();
    let mut proposed = Vec::new();
    let mut names: Vec<&String> = topics.iter().collect();
    names.sort();
    names.dedup();
    for name in names {
        let t = state
            .topics
            .get(name)
            .ok_or_else(|| ClusterError::UnknownTopic(name.clone()))?;
        let rf = t
            .partitions
            .first()
            .map_or(0, |p| p.original_replicas().len());
        if rf > sorted.len() {
            return Err(ClusterError::Invalid(format!(
                "topic {name:?} has replication factor {rf}, more than the {} brokers of the \
                 broker list",
                sorted.len()
            )));
        }
        let plan = assign_replicas(name, &sorted, t.partitions.len() as u32, rf as u32, 0);
        for (p, replicas) in t.partitions.iter().zip(plan) {
            current.push(Target {
                topic: name.clone(),
                partition: p.partition,
                replicas: p.replicas.clone(),
            });
            proposed.push(Target {
                topic: name.clone(),
                partition: p.partition,
                replicas,
            });
        }
    }
    Ok((current, proposed))
}

/// Checks a reassignment plan against the cluster: known partitions, each once, replicas
/// non-empty, distinct, on registered brokers.
pub fn validate(state: &ClusterState, targets: &[Target]) -> Result<(), ClusterError> {
    let mut seen = BTreeSet::new();
    for t in targets {
        let tp = format!("{}-{}", t.topic, t.partition);
        if !seen.insert((t.topic.clone(), t.partition)) {
            return Err(ClusterError::Invalid(format!(
                "the reassignment names partition {tp} more than once"
            )));
        }
        let topic = state
            .topics
            .get(&t.topic)
            .ok_or_else(|| ClusterError::UnknownTopic(t.topic.clone()))?;
        if t.partition as usize >= topic.partitions.len() {
            return Err(ClusterError::UnknownPartition {
                topic: t.topic.clone(),
                partition: t.partition,
                count: topic.partitions.len() as u32,
            });
        }
        if t.replicas.is_empty() {
            return Err(ClusterError::Invalid(format!(
                "partition {tp}: an empty replica list"
            )));
        }
        let distinct: BTreeSet<i32> = t.replicas.iter().copied().collect();
        if distinct.len() != t.replicas.len() {
            return Err(ClusterError::Invalid(format!(
                "partition {tp}: replica list {} has duplicate entries",
                join(&t.replicas)
            )));
        }
        if let Some(b) = t.replicas.iter().find(|b| !state.brokers.contains_key(b)) {
            return Err(ClusterError::Invalid(format!(
                "partition {tp}: unknown broker id {b} (brokers: {})",
                join(&state.broker_ids())
            )));
        }
    }
    Ok(())
}

fn join(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

/// The leader after a change to `replicas`/`isr`: the current one if it stays a live
/// member of both, else the first replica (in `replicas` order) that is live and in the
/// ISR (Kafka's election), else -1. With the leader epoch: bumped when the leader changes
/// or `bump` (Kafka bumps it when replicas are removed, fencing the removed ones).
fn elect(
    state: &ClusterState,
    p: &PartitionState,
    replicas: &[i32],
    isr: &[i32],
    bump: bool,
) -> (i32, i32) {
    let live = |b: i32| state.is_online(b) && !p.offline_replicas.contains(&b);
    if p.leader >= 0 && replicas.contains(&p.leader) && isr.contains(&p.leader) && live(p.leader) {
        return (p.leader, p.leader_epoch + i32::from(bump));
    }
    let leader = replicas
        .iter()
        .copied()
        .find(|&b| isr.contains(&b) && live(b))
        .unwrap_or(-1);
    (leader, p.leader_epoch + 1)
}

/// A ReassignPartition record for `p` with these replicas, completing the move at once when
/// every adding replica is already in the ISR ([`completion`]).
#[allow(clippy::too_many_arguments)]
fn record(
    state: &ClusterState,
    topic: &str,
    p: &PartitionState,
    replicas: Vec<i32>,
    adding: Vec<i32>,
    removing: Vec<i32>,
    isr: Vec<i32>,
    reason: String,
) -> MetadataRecord {
    let mut next = p.clone();
    next.replicas = replicas;
    next.adding_replicas = adding;
    next.removing_replicas = removing;
    next.isr = isr;
    // Only removals (no adding replica), or adding replicas already in the ISR: the move
    // completes in the same record, as Kafka's PartitionChangeBuilder completes it.
    if let Some(done) = completion(state, topic, &next, &reason) {
        return done;
    }
    let (leader, leader_epoch) = elect(state, p, &next.replicas, &next.isr, false);
    MetadataRecord::ReassignPartition {
        topic: topic.to_string(),
        partition: p.partition,
        replicas: next.replicas,
        adding: next.adding_replicas,
        removing: next.removing_replicas,
        isr: next.isr,
        leader,
        leader_epoch,
        reason,
    }
}

/// The record that starts moving `p` to `target` (Kafka's `PartitionReassignmentReplicas`):
/// a move already running is reverted first, as Kafka's controller does. `None` when the
/// partition already has exactly these replicas and no move runs.
pub fn start_record(
    state: &ClusterState,
    topic: &str,
    p: &PartitionState,
    target: &[i32],
) -> Option<MetadataRecord> {
    let original = p.original_replicas();
    if !p.is_reassigning() && original == target {
        return None;
    }
    if p.is_reassigning() && p.target_replicas() == target {
        return None;
    }
    let isr: Vec<i32> = p
        .isr
        .iter()
        .copied()
        .filter(|r| original.contains(r))
        .collect();
    let mut replicas = target.to_vec();
    replicas.extend(original.iter().copied().filter(|r| !target.contains(r)));
    let adding: Vec<i32> = target
        .iter()
        .copied()
        .filter(|r| !original.contains(r))
        .collect();
    let removing: Vec<i32> = original
        .iter()
        .copied()
        .filter(|r| !target.contains(r))
        .collect();
    Some(record(
        state,
        topic,
        p,
        replicas,
        adding,
        removing,
        isr,
        format!(
            "reassignment of {topic}-{} to [{}] started",
            p.partition,
            join(target)
        ),
    ))
}

/// The record that completes `p`'s move when every target replica is in the ISR (Kafka's
/// `PartitionChangeBuilder.completeReassignmentIfNeeded`): replicas = target, ISR = ISR ∩
/// target, and a new leader from the target when the leader leaves. `None` when it is not
/// moving or not ready.
pub fn completion(
    state: &ClusterState,
    topic: &str,
    p: &PartitionState,
    why: &str,
) -> Option<MetadataRecord> {
    if !p.is_reassigning() {
        return None;
    }
    // Kafka's `PartitionReassignmentReplicas.maybeCompleteReassignment`: every target
    // replica (not only the adding ones) is in the ISR.
    let target = p.target_replicas();
    if target.is_empty() || !target.iter().all(|r| p.isr.contains(r)) {
        return None;
    }
    let isr: Vec<i32> = p
        .isr
        .iter()
        .copied()
        .filter(|r| target.contains(r))
        .collect();
    if isr.is_empty() {
        return None;
    }
    let bump = !p.removing_replicas.is_empty();
    let (leader, leader_epoch) = elect(state, p, &target, &isr, bump);
    let mut reason = format!(
        "reassignment of {topic}-{} to [{}] completed",
        p.partition,
        join(&target)
    );
    if !p.removing_replicas.is_empty() {
        reason.push_str(&format!(
            ", {} removed",
            p.removing_replicas
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(" and ")
        ));
    }
    if leader != p.leader {
        reason.push_str(&format!(", {leader} leads"));
    }
    if !why.is_empty() && !why.starts_with("reassignment") {
        reason.push_str(&format!(" ({why})"));
    }
    Some(MetadataRecord::ReassignPartition {
        topic: topic.to_string(),
        partition: p.partition,
        replicas: target,
        adding: Vec::new(),
        removing: Vec::new(),
        isr,
        leader,
        leader_epoch,
        reason,
    })
}

/// The ISR change the replication pass decided, as one record: on a moving partition whose
/// new ISR holds every adding replica, the move's completion ([`completion`]); else the
/// plain ISR change.
pub fn isr_change(
    state: &ClusterState,
    topic: &str,
    p: &PartitionState,
    isr: Vec<i32>,
    reason: String,
) -> MetadataRecord {
    if p.is_reassigning() {
        let mut next = p.clone();
        next.isr = isr.clone();
        if let Some(done) = completion(state, topic, &next, &reason) {
            return done;
        }
    }
    super::controller::isr_change(topic, p, isr, reason)
}

/// The record that cancels `p`'s move (Kafka's `PartitionReassignmentRevert`): replicas
/// and ISR without the adding ones, a leader from them. `None` when it is not moving.
pub fn revert_record(
    state: &ClusterState,
    topic: &str,
    p: &PartitionState,
) -> Option<MetadataRecord> {
    if !p.is_reassigning() {
        return None;
    }
    let replicas = p.original_replicas();
    let mut isr: Vec<i32> = p
        .isr
        .iter()
        .copied()
        .filter(|r| replicas.contains(r))
        .collect();
    if isr.is_empty() {
        // Kafka keeps the ISR non-empty: the leader stays.
        isr = vec![p.leader].into_iter().filter(|&l| l >= 0).collect();
    }
    let bump = !p.adding_replicas.is_empty();
    let (leader, leader_epoch) = elect(state, p, &replicas, &isr, bump);
    Some(MetadataRecord::ReassignPartition {
        topic: topic.to_string(),
        partition: p.partition,
        replicas: replicas.clone(),
        adding: Vec::new(),
        removing: Vec::new(),
        isr,
        leader,
        leader_epoch,
        reason: format!(
            "reassignment of {topic}-{} cancelled: back to [{}]",
            p.partition,
            join(&replicas)
        ),
    })
}

/// What [`start`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Started {
    /// The partitions whose move this started (or changed).
    pub started: Vec<(String, u32)>,
    /// The partitions that already had these replicas, or were already moving to them.
    pub unchanged: Vec<(String, u32)>,
}

/// One partition's move as Kafka's tool sees it (`PartitionMove`): the brokers it is
/// copied from and to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Move {
    /// Replicas it is copied from (the replicas before the move).
    pub sources: BTreeSet<i32>,
    /// Replicas it is copied to (target replicas not among the sources).
    pub destinations: BTreeSet<i32>,
}

/// Kafka's `calculateProposedMoveMap`: the moves running now (sources: replicas not
/// adding; destinations: adding), then each target's (sources: those of its running move,
/// else its replicas now; destinations: target - sources), by topic and partition.
pub fn move_map(state: &ClusterState, targets: &[Target]) -> BTreeMap<String, BTreeMap<u32, Move>> {
    let mut map: BTreeMap<String, BTreeMap<u32, Move>> = BTreeMap::new();
    for (name, t) in &state.topics {
        for p in t.partitions.iter().filter(|p| p.is_reassigning()) {
            map.entry(name.clone()).or_default().insert(
                p.partition,
                Move {
                    sources: p
                        .replicas
                        .iter()
                        .copied()
                        .filter(|r| !p.adding_replicas.contains(r))
                        .collect(),
                    destinations: p.adding_replicas.iter().copied().collect(),
                },
            );
        }
    }
    for t in targets {
        let current = state
            .topics
            .get(&t.topic)
            .and_then(|x| x.partitions.get(t.partition as usize))
            .map(|p| p.replicas.clone())
            .unwrap_or_default();
        let moves = map.entry(t.topic.clone()).or_default();
        let sources = match moves.get(&t.partition) {
            Some(m) => m.sources.clone(),
            None => current.into_iter().collect(),
        };
        let destinations = t
            .replicas
            .iter()
            .copied()
            .filter(|r| !sources.contains(r))
            .collect();
        moves.insert(
            t.partition,
            Move {
                sources,
                destinations,
            },
        );
    }
    map
}

/// The records that set the replication throttle of a reassignment of `targets` at `rate`
/// bytes/s, as Kafka's tool sets it (`modifyReassignmentThrottle`): per topic of the move
/// map ([`move_map`]) `leader.replication.throttled.replicas` (`partition:source`) and
/// `follower.replication.throttled.replicas` (`partition:destination`), per broker involved
/// (sources and destinations) both throttled rates. Only what changes.
pub fn throttle_records(
    state: &ClusterState,
    targets: &[Target],
    rate: u64,
) -> Vec<MetadataRecord> {
    use super::quota::{
        FOLLOWER_THROTTLED_RATE, FOLLOWER_THROTTLED_REPLICAS, LEADER_THROTTLED_RATE,
        LEADER_THROTTLED_REPLICAS, format_replicas,
    };
    let map = move_map(state, targets);
    let mut records = Vec::new();
    let mut brokers = BTreeSet::new();
    for (topic, moves) in &map {
        let Some(t) = state.topics.get(topic) else {
            continue;
        };
        let leader = format_replicas(
            moves
                .iter()
                .flat_map(|(p, m)| m.sources.iter().map(move |b| (*p, *b))),
        );
        let follower = format_replicas(
            moves
                .iter()
                .flat_map(|(p, m)| m.destinations.iter().map(move |b| (*p, *b))),
        );
        for m in moves.values() {
            brokers.extend(m.sources.iter().chain(&m.destinations).copied());
        }
        let mut configs = t.configs.clone();
        configs.insert(LEADER_THROTTLED_REPLICAS.into(), leader);
        configs.insert(FOLLOWER_THROTTLED_REPLICAS.into(), follower);
        if configs != t.configs {
            records.push(MetadataRecord::AlterConfigs {
                topic: topic.clone(),
                configs,
            });
        }
    }
    for b in brokers {
        let before = state.broker_configs.get(&b).cloned().unwrap_or_default();
        let mut configs = before.clone();
        configs.insert(LEADER_THROTTLED_RATE.into(), rate.to_string());
        configs.insert(FOLLOWER_THROTTLED_RATE.into(), rate.to_string());
        if configs != before {
            records.push(MetadataRecord::AlterBrokerConfigs { broker: b, configs });
        }
    }
    records
}

/// What [`clear_throttles`] cleared (Kafka names them whether or not they were set).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleared {
    /// Brokers whose throttle rates were cleared: every broker, and the targets' replicas.
    pub brokers: Vec<i32>,
    /// Topics whose throttled replica lists were cleared: the targets'.
    pub topics: Vec<String>,
}

/// Kafka's `clearAllThrottles`, done by `--verify` once the moves are complete: removes the
/// broker-level throttles of every broker and the topic-level ones of the targets' topics,
/// in one metadata change (none when nothing was set).
pub fn clear_throttles(cluster: &mut Cluster, targets: &[Target]) -> Result<Cleared, ClusterError> {
    use super::quota::{BROKER_LEVEL_THROTTLES, TOPIC_LEVEL_THROTTLES};
    cluster.update(|state| {
        let mut brokers: BTreeSet<i32> = state.brokers.keys().copied().collect();
        brokers.extend(targets.iter().flat_map(|t| t.replicas.iter().copied()));
        let topics: BTreeSet<String> = targets.iter().map(|t| t.topic.clone()).collect();
        let mut records = Vec::new();
        for b in &brokers {
            if let Some(before) = state.broker_configs.get(b) {
                let mut configs = before.clone();
                configs.retain(|k, _| !BROKER_LEVEL_THROTTLES.contains(&k.as_str()));
                if configs != *before {
                    records.push(MetadataRecord::AlterBrokerConfigs {
                        broker: *b,
                        configs,
                    });
                }
            }
        }
        for name in &topics {
            if let Some(t) = state.topics.get(name) {
                let mut configs = t.configs.clone();
                configs.retain(|k, _| !TOPIC_LEVEL_THROTTLES.contains(&k.as_str()));
                if configs != t.configs {
                    records.push(MetadataRecord::AlterConfigs {
                        topic: name.clone(),
                        configs,
                    });
                }
            }
        }
        let out = Cleared {
            brokers: brokers.into_iter().collect(),
            topics: topics.into_iter().collect(),
        };
        Ok((records, out))
    })
}

/// Kafka's refusal of a new plan while a move runs, without `--additional`.
pub const EXISTING_REASSIGNMENT: &str = "Cannot execute because there is an existing partition \
     assignment.  Use --additional to override this and create a new partition assignment \
     in addition to the existing one. The --additional flag can also be used to change the \
     throttle by resubmitting the current reassignment.";

/// Starts moving each partition to its target, in one metadata change, with the
/// replication throttle's configs when `throttle` is given ([`throttle_records`]). Refused
/// while any move runs unless `additional` (Kafka's `--additional`); a move running to the
/// same target goes on unchanged (resubmitting it changes only the throttle).
pub fn start(
    cluster: &mut Cluster,
    targets: &[Target],
    additional: bool,
    throttle: Option<u64>,
) -> Result<Started, ClusterError> {
    validate(cluster.state(), targets)?;
    let parts: Vec<(String, u32)> = targets
        .iter()
        .map(|t| (t.topic.clone(), t.partition))
        .collect();
    // A start may change a leader (a leader removed by a move that only removes): made
    // holding the partitions' locks, as every leader change is, so no writer appends for a
    // leader that is gone.
    let locks = lock_all(cluster, &parts)?;
    let started = cluster.update(|state| {
        validate(state, targets)?;
        let mut out = Started::default();
        let mut records = Vec::new();
        // Kafka's tool: any move running refuses a plan without --additional.
        let any_moving = state
            .topics
            .values()
            .any(|t| t.partitions.iter().any(PartitionState::is_reassigning));
        if any_moving && !additional {
            return Err(ClusterError::Invalid(EXISTING_REASSIGNMENT.into()));
        }
        // The throttle's configs first, as Kafka's tool sets them before the moves.
        if let Some(rate) = throttle {
            records.extend(throttle_records(state, targets, rate));
        }
        for t in targets {
            let Some(p) = state
                .topics
                .get(&t.topic)
                .and_then(|x| x.partitions.get(t.partition as usize))
            else {
                continue;
            };
            match start_record(state, &t.topic, p, &t.replicas) {
                Some(r) => {
                    records.push(r);
                    out.started.push((t.topic.clone(), t.partition));
                }
                None => out.unchanged.push((t.topic.clone(), t.partition)),
            }
        }
        Ok((records, out))
    })?;
    drop(locks);
    // A move that only removes replicas completes as it starts: its removed replicas go
    // now, as any completed move's.
    remove_strays(cluster, &parts)?;
    Ok(started)
}

/// Cancels the moves of these partitions. Returns the ones that were moving.
pub fn cancel(
    cluster: &mut Cluster,
    parts: &[(String, u32)],
) -> Result<Vec<(String, u32)>, ClusterError> {
    let locks = lock_all(cluster, parts)?;
    let done = cluster.update(|state| {
        let mut records = Vec::new();
        let mut cancelled = Vec::new();
        for (topic, partition) in parts {
            if let Some(r) = state
                .topics
                .get(topic)
                .and_then(|t| t.partitions.get(*partition as usize))
                .and_then(|p| revert_record(state, topic, p))
            {
                records.push(r);
                cancelled.push((topic.clone(), *partition));
            }
        }
        Ok((records, cancelled))
    })?;
    drop(locks);
    remove_strays(cluster, parts)?;
    Ok(done)
}

/// A partition's reassignment state, for `--verify` and progress lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: u32,
    /// Its replicas now.
    pub current: Vec<i32>,
    /// The target asked for.
    pub target: Vec<i32>,
    /// No move runs for it.
    pub done: bool,
    /// Per adding replica: (broker, bytes it holds, bytes the leader holds).
    pub copying: Vec<(i32, u64, u64)>,
}

/// The state of each target's partition now.
pub fn status(cluster: &Cluster, targets: &[Target]) -> Result<Vec<Status>, ClusterError> {
    let mut out = Vec::new();
    for t in targets {
        let p = cluster.partition(&t.topic, t.partition)?;
        out.push(Status {
            topic: t.topic.clone(),
            partition: t.partition,
            current: p.replicas.clone(),
            target: t.replicas.clone(),
            done: !p.is_reassigning(),
            copying: copying(cluster, &t.topic, p),
        });
    }
    Ok(out)
}

/// Bytes each adding replica holds, beside the leader's.
fn copying(cluster: &Cluster, topic: &str, p: &PartitionState) -> Vec<(i32, u64, u64)> {
    let layout = cluster.layout();
    let size = |b: i32| replica_info(layout, topic, p.partition, b).map_or(0, |i| i.size);
    let leader = if p.leader >= 0 { size(p.leader) } else { 0 };
    p.adding_replicas
        .iter()
        .map(|&b| (b, size(b), leader))
        .collect()
}

/// What [`drive`] calls after each pass: the cluster, and the partitions still moving.
pub type Progress<'a> = dyn FnMut(&Cluster, &[(String, u32)]) + 'a;

/// How [`drive`] stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every partition's move is complete.
    Done,
    /// Some cannot go on now (an adding replica's broker is down or paused, the partition
    /// is offline): they stay started, and the next `topic reassign` carries them on.
    Stuck(Vec<String>),
}

/// Bytes one pass of [`drive`] copies at most to each adding replica (the partition's
/// lock is held meanwhile: its producers wait that long). A throttled replica gets what its
/// quotas grant ([`super::quota`]), never more than this.
pub const DRIVE_COPY_BUDGET: u64 = 64 << 20;

/// Carries the moves of `parts` on until they are complete: each pass replicates every
/// moving partition once (copying to its adding replicas, within the replication
/// throttle's quotas that every copying process shares, [`super::quota`]), completes the
/// ready ones, and removes the replicas they dropped. `progress` hears the state after each
/// pass. Stops when every move is done, or when a pass could do nothing for the ones left
/// ([`Outcome::Stuck`]); a pass that copied nothing because the quotas were spent waits
/// for them (it is no write's wait) and is not counted as doing nothing.
pub fn drive(
    cluster: &mut Cluster,
    parts: &[(String, u32)],
    progress: &mut Progress<'_>,
) -> Result<Outcome, ClusterError> {
    let mut idle_passes = 0;
    loop {
        cluster.refresh()?;
        remove_strays(cluster, parts)?;
        let moving: Vec<(String, u32)> = parts
            .iter()
            .filter(|(t, p)| {
                cluster
                    .partition(t, *p)
                    .is_ok_and(PartitionState::is_reassigning)
            })
            .cloned()
            .collect();
        progress(cluster, &moving);
        if moving.is_empty() {
            return Ok(Outcome::Done);
        }
        let mut copied: u64 = 0;
        let mut changed = false;
        let mut throttled = false;
        let mut stuck = Vec::new();
        let mut ready: Vec<(String, IsrExpansion)> = Vec::new();
        for (topic, partition) in &moving {
            let before = cluster.partition(topic, *partition)?.clone();
            if let Some(why) = blocked(cluster.state(), &before) {
                stuck.push(format!("{topic}-{partition}: {why}"));
                continue;
            }
            let sizes =
                |c: &Cluster| -> u64 { copying(c, topic, &before).iter().map(|x| x.1).sum() };
            let had = sizes(cluster);
            // The writer's pass copies to the adding replicas; the ISR expansion it decides
            // (which completes the move, see `isr_change`) is committed with the pass's
            // others, in one metadata change.
            let mut w = PartitionWriter::new(cluster, topic, *partition)?;
            w.set_copy_budget(Some(DRIVE_COPY_BUDGET));
            w.defer_isr_expansion(true);
            let updates = w.checkpoint()?;
            throttled |= w.throttled();
            let expansion = w.take_isr_expansion();
            cluster.refresh()?;
            // The copies' checkpoints (recovery point, log start), as a `broker-up`'s pass
            // writes them; not for a replica the pass's completion dropped.
            let replicas = cluster.partition(topic, *partition)?.replicas.clone();
            let kept: Vec<_> = updates
                .into_iter()
                .filter(|u| replicas.contains(&u.broker))
                .collect();
            super::writer::write_checkpoints(cluster.layout(), &kept)?;
            let now = cluster.partition(topic, *partition)?.clone();
            match expansion {
                Some(e) => ready.push((topic.clone(), e)),
                // A move whose ISR already held the adding replicas completes too.
                None if completion(cluster.state(), topic, &now, "").is_some() => {
                    ready.push((
                        topic.clone(),
                        IsrExpansion {
                            isr: now.isr.clone(),
                            expect: now.clone(),
                            reason: String::new(),
                        },
                    ));
                }
                None => {}
            }
            copied += sizes(cluster).saturating_sub(had);
            changed |= now != before;
        }
        // The pass's ISR expansions and completions: one metadata change.
        if !ready.is_empty() {
            changed |= commit_ready(cluster, &ready)? > 0;
        }
        if copied > 0 || changed || throttled {
            idle_passes = 0;
        } else {
            idle_passes += 1;
        }
        if stuck.len() == moving.len() || idle_passes >= 3 {
            if stuck.is_empty() {
                stuck = moving
                    .iter()
                    .map(|(t, p)| format!("{t}-{p}: no progress"))
                    .collect();
            }
            return Ok(Outcome::Stuck(stuck));
        }
        // Nothing copied: the quotas are spent (they refill within a window) or the
        // replicas wait for something else; look again shortly.
        let pause = if !changed && copied == 0 {
            Duration::from_millis(if throttled { 100 } else { 50 })
        } else {
            Duration::ZERO
        };
        std::thread::sleep(pause);
    }
}

/// Why a move cannot go on now.
fn blocked(state: &ClusterState, p: &PartitionState) -> Option<String> {
    if p.leader < 0 || !p.replica_up(state, p.leader) {
        return Some("the partition has no leader".into());
    }
    // A move completes once every target replica is in the ISR: one that cannot catch up
    // now holds it.
    for b in p.target_replicas() {
        if p.isr.contains(&b) {
            continue;
        }
        let which = if p.adding_replicas.contains(&b) {
            "adding replica"
        } else {
            "replica"
        };
        if !state.is_online(b) {
            return Some(format!("{which} {b}'s broker is down"));
        }
        if state.brokers.get(&b).is_some_and(|x| x.paused) {
            return Some(format!("{which} {b}'s broker is paused"));
        }
        if p.offline_replicas.contains(&b) {
            return Some(format!("{which} {b} is offline"));
        }
    }
    None
}

/// Commits the ISR expansions (and with them the completions, [`isr_change`]) decided in
/// one pass of [`drive`] in one metadata change, under the partitions' locks (so no writer
/// is mid-append with the old replica set): each only if its partition is still exactly
/// as it was decided on, and its new members still up. Returns how many were committed.
fn commit_ready(
    cluster: &mut Cluster,
    ready: &[(String, IsrExpansion)],
) -> Result<usize, ClusterError> {
    let parts: Vec<(String, u32)> = ready
        .iter()
        .map(|(t, e)| (t.clone(), e.expect.partition))
        .collect();
    let _locks = lock_all(cluster, &parts)?;
    cluster.update(|s| {
        let mut records = Vec::new();
        for (topic, e) in ready {
            let cur = s
                .topics
                .get(topic)
                .and_then(|t| t.partitions.get(e.expect.partition as usize));
            if cur != Some(&e.expect) || !e.isr.iter().all(|&b| e.expect.replica_up(s, b)) {
                continue;
            }
            records.push(isr_change(
                s,
                topic,
                &e.expect,
                e.isr.clone(),
                e.reason.clone(),
            ));
        }
        let n = records.len();
        Ok((records, n))
    })
}

/// Removes the folders and checkpoint entries of replicas of `parts` on brokers that are
/// not their replicas (a move completed or cancelled), under each partition's lock.
/// Returns the (topic, partition, broker) removed.
pub fn remove_strays(
    cluster: &Cluster,
    parts: &[(String, u32)],
) -> Result<Vec<(String, u32, i32)>, ClusterError> {
    let mut removed = Vec::new();
    let layout = cluster.layout();
    for (topic, partition) in parts {
        let Ok(p) = cluster.partition(topic, *partition) else {
            continue;
        };
        let strays: Vec<i32> = cluster
            .state()
            .broker_ids()
            .into_iter()
            .filter(|b| !p.replicas.contains(b))
            // A folder is removed after its checkpoint entries are: one left means the
            // removal is not done.
            .filter(|&b| layout.replica_dir(b, topic, *partition).exists())
            .collect();
        if strays.is_empty() {
            continue;
        }
        let _lock = FileLock::exclusive(&layout.partition_lock(topic, *partition))?;
        let mut fresh = cluster.clone();
        fresh.refresh()?;
        let p = fresh.partition(topic, *partition)?;
        let gone: Vec<i32> = strays
            .into_iter()
            .filter(|b| !p.replicas.contains(b))
            .collect();
        remove_replica_files(cluster, topic, *partition, &gone)?;
        removed.extend(gone.into_iter().map(|b| (topic.clone(), *partition, b)));
    }
    Ok(removed)
}

/// Deletes the replicas of `topic`-`partition` on `brokers`, which a move (completed or
/// cancelled) dropped, as Kafka's StopReplica(delete=true): their checkpoint entries (under
/// each broker's lock), then their folders (as `topic delete` removes a topic's). The
/// caller holds the partition's lock and has checked they are no longer replicas.
pub fn remove_replica_files(
    cluster: &Cluster,
    topic: &str,
    partition: u32,
    brokers: &[i32],
) -> Result<(), ClusterError> {
    let layout = cluster.layout();
    for &b in brokers {
        forget_partition(cluster, b, topic, partition)?;
        let dir = layout.replica_dir(b, topic, partition);
        if dir.exists() {
            log::io::remove_dir_all(&dir).map_err(io_err(&dir))?;
        }
    }
    Ok(())
}

const CHECKPOINTS: [&str; 3] = [
    log::names::RECOVERY_POINT_CHECKPOINT,
    log::names::REPLICATION_OFFSET_CHECKPOINT,
    log::names::LOG_START_OFFSET_CHECKPOINT,
];

/// Drops one partition's entries from a broker's checkpoint files, under the broker's lock.
fn forget_partition(
    cluster: &Cluster,
    broker: i32,
    topic: &str,
    partition: u32,
) -> Result<(), ClusterError> {
    let layout = cluster.layout();
    let _lock = FileLock::exclusive(&layout.broker_lock(broker))?;
    for file in CHECKPOINTS {
        let path = layout.broker_checkpoint(broker, file);
        if !path.exists() {
            continue;
        }
        let mut map = checkpoint::read_offsets(&path)?;
        let before = map.len();
        map.retain(|(t, p), _| !(t == topic && *p == partition));
        if map.len() != before {
            checkpoint::write_offsets(&path, &map)?;
        }
    }
    Ok(())
}

/// Preferred leader election for `parts` after their moves (as Kafka's
/// `auto.leader.rebalance.enable` would do soon after): each whose first replica is live,
/// in the ISR and not leading gets it as leader. Takes the partitions' locks (sorted), as
/// every leader change does. Returns the changes made.
pub fn elect_preferred(
    cluster: &mut Cluster,
    parts: &[(String, u32)],
) -> Result<Vec<MetadataRecord>, ClusterError> {
    let mut sorted = parts.to_vec();
    sorted.sort();
    sorted.dedup();
    let _locks = lock_all(cluster, &sorted)?;
    cluster.update(|state| {
        let r: Vec<MetadataRecord> = super::controller::elect_preferred(state, None)
            .into_iter()
            .filter(|r| match r {
                MetadataRecord::PartitionChange {
                    topic, partition, ..
                } => sorted.iter().any(|(t, p)| t == topic && p == partition),
                _ => false,
            })
            .collect();
        Ok((r.clone(), r))
    })
}

/// Takes the locks of `parts` that exist (sorted, so every process takes them in the same
/// order).
fn lock_all(cluster: &Cluster, parts: &[(String, u32)]) -> Result<Vec<FileLock>, ClusterError> {
    let mut sorted: Vec<&(String, u32)> = parts
        .iter()
        .filter(|(t, p)| cluster.partition(t, *p).is_ok())
        .collect();
    sorted.sort();
    sorted.dedup();
    let mut locks = Vec::with_capacity(sorted.len());
    for (t, p) in sorted {
        locks.push(FileLock::exclusive(
            &cluster.layout().partition_lock(t, *p),
        )?);
    }
    Ok(locks)
}

/// Every partition that is moving now.
pub fn moving(state: &ClusterState) -> Vec<(String, u32)> {
    state
        .topics
        .iter()
        .flat_map(|(name, t)| {
            t.partitions
                .iter()
                .filter(|p| p.is_reassigning())
                .map(move |p| (name.clone(), p.partition))
        })
        .collect()
}

#[cfg(test)]
mod tests;
