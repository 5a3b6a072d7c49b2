//! Kafka's transaction coordinator, done by whichever process needs it (the SQLite model):
//! each transactional id's state is the latest record for it in its `__transaction_state`
//! partition, changed under that partition's coordinator lock.
//!
//! - [`init`] (InitProducerId): a transaction the id's previous holder left open is
//!   finished first (a decided commit is completed, anything else aborted), then the epoch
//!   is bumped, which fences the previous holder: its later writes and commits are refused.
//! - [`add_partitions`] (AddPartitionsToTxn) before the first write to a partition in a
//!   transaction; [`end`] (EndTxn): PrepareCommit/PrepareAbort, COMMIT/ABORT markers in every
//!   partition of the transaction, then CompleteCommit/CompleteAbort. The Prepare record is
//!   the decision: a process that dies after it is completed by the next one, never undone.
//! - A live holder keeps an exclusive lock on `locks/transactions/holders/<id>/<epoch>.lock`
//!   for as long as it runs. A transaction whose holder's lock is free (the holder died) is
//!   aborted at once by the next process that needs it ([`abort_stale`]), and so is one
//!   open longer than its `transaction.timeout.ms`.
//!
//! Must not: build data batches (the producer does) or read data partitions.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::schema::{self, TxnPartitions, TxnStatus, TxnValue};
use crate::client::consumer::{Consumer, Poll, StartOffset};
use crate::cluster::lock::{FileLock, LockError};
use crate::cluster::writer::{self, Acks, PartitionWriter};
use crate::cluster::{Cluster, ClusterError, now_ms, producer_ids};
use crate::record::batch::{BatchBuilder, BatchOptions};
use crate::record::control::end_txn_batch;
use crate::record::hash::coordinator_partition;

/// The internal topic holding transaction states.
pub const TXN_TOPIC: &str = "__transaction_state";
/// Its partition count (`transaction.state.log.num.partitions`).
pub const TXN_PARTITIONS: u32 = 50;
/// Kafka's default `transaction.timeout.ms`.
pub const DEFAULT_TIMEOUT_MS: i32 = 60_000;
/// Kafka's `transaction.max.timeout.ms`.
pub const MAX_TIMEOUT_MS: i32 = 900_000;
/// The largest producer epoch; past it the id gets a new producer id (Kafka's rule).
const MAX_EPOCH: i16 = i16::MAX - 1;

/// Why a transaction step was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum TxnError {
    /// Reading or writing the cluster failed.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// A lock could not be taken.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// Another process started with this transactional id since: this one is a zombie
    /// (Kafka's ProducerFenced).
    #[error(
        "transactional id {id:?}: producer fenced: epoch {epoch} was superseded by epoch \
         {current} (another process took over the id, or the transaction timed out)"
    )]
    Fenced {
        /// The transactional id.
        id: String,
        /// This process's epoch.
        epoch: i16,
        /// The id's epoch now.
        current: i16,
    },
    /// A bad argument.
    #[error("{0}")]
    Invalid(String),
    /// Refused in the id's state now (Kafka's CONCURRENT_TRANSACTIONS): an end decided and
    /// not completed yet.
    #[error("{0}")]
    Concurrent(String),
}

/// The `__transaction_state` partition of `id`.
pub fn partition_for(id: &str) -> u32 {
    coordinator_partition(id, TXN_PARTITIONS)
}

/// Creates `__transaction_state` when missing (50 partitions, replication min(3, brokers),
/// compacted, min.insync.replicas 2 when it has 3 replicas, as Kafka's defaults).
pub fn ensure_topic(cluster: &mut Cluster) -> Result<(), ClusterError> {
    if cluster.topic(TXN_TOPIC).is_ok() {
        return Ok(());
    }
    let mut configs = BTreeMap::new();
    configs.insert("cleanup.policy".to_string(), "compact".to_string());
    let (_, rf) = cluster.topic_defaults(None, None, &mut configs);
    match cluster.create_topic(TXN_TOPIC, TXN_PARTITIONS, rf, configs, true) {
        Ok(()) | Err(ClusterError::TopicExists(_)) => {}
        Err(e) => return Err(e),
    }
    cluster.reload()
}

/// The latest state of every transactional id in one `__transaction_state` partition.
pub fn read_partition(
    cluster: &Cluster,
    partition: u32,
) -> Result<BTreeMap<String, TxnValue>, ClusterError> {
    let mut out = BTreeMap::new();
    scan_partition(cluster, partition, None, &mut |id, v| match v {
        None => {
            out.remove(&id);
        }
        Some(v) => {
            out.insert(id, v);
        }
    })?;
    Ok(out)
}

/// Calls `f` with each state record (id, value; `None` for a tombstone) of one
/// `__transaction_state` partition in order, from offset `from` (the log start for `None`),
/// and returns the offset after the last one read. `None` when the log does not hold
/// `from` now (it ends below it, or its start moved past it): the caller reads from the
/// start. A log cut below `from` that grew past it again is not seen here: [`Seen`] keeps
/// the leader epoch for that.
fn scan_partition(
    cluster: &Cluster,
    partition: u32,
    from: Option<i64>,
    f: &mut dyn FnMut(String, Option<TxnValue>),
) -> Result<Option<i64>, ClusterError> {
    if cluster.topic(TXN_TOPIC).is_err() {
        return Ok(Some(from.unwrap_or(0)));
    }
    let start = from.map_or(StartOffset::Beginning, StartOffset::Offset);
    let mut c = Consumer::with_starts(cluster.clone(), TXN_TOPIC, &[(partition, start)], false)?;
    let at = c.positions().first().map_or(0, |&(_, o)| o);
    if from.is_some_and(|f| f != at) {
        return Ok(None);
    }
    loop {
        let polled = c.poll(&mut |r| {
            // Other record types (none today) and damaged records are not ours to judge.
            let Some(Ok(id)) = r.record.key.map(schema::decode_key) else {
                return Ok(());
            };
            match r.record.value.map(schema::decode_value) {
                None => f(id, None),
                Some(Ok(v)) => f(id, Some(v)),
                Some(Err(_)) => {}
            }
            Ok(())
        })?;
        if polled == Poll::End {
            return Ok(Some(c.positions().first().map_or(at, |&(_, o)| o)));
        }
    }
}

/// [`scan_partition`] for one id: `state` becomes its latest state from `from` on (left as
/// it was when no record of the id follows).
fn latest_since(
    cluster: &Cluster,
    partition: u32,
    id: &str,
    from: Option<i64>,
    state: &mut Option<TxnValue>,
) -> Result<Option<i64>, ClusterError> {
    scan_partition(cluster, partition, from, &mut |k, v| {
        if k == id {
            *state = v;
        }
    })
}

/// The state of `id`, if it has one.
pub fn read(cluster: &Cluster, id: &str) -> Result<Option<TxnValue>, ClusterError> {
    Ok(read_partition(cluster, partition_for(id))?.remove(id))
}

/// Every transactional id and its state.
pub fn list(cluster: &Cluster) -> Result<BTreeMap<String, TxnValue>, ClusterError> {
    let mut out = BTreeMap::new();
    let parts = cluster
        .topic(TXN_TOPIC)
        .map(|t| t.partitions.len() as u32)
        .unwrap_or(0);
    for p in 0..parts {
        out.extend(read_partition(cluster, p)?);
    }
    Ok(out)
}

fn coordinator_lock(cluster: &Cluster, partition: u32) -> Result<FileLock, LockError> {
    FileLock::exclusive(
        &cluster
            .layout()
            .locks()
            .join("transactions")
            .join(format!("{partition}.lock")),
    )
}

/// The lock a live holder of `id` at `epoch` keeps.
fn holder_lock_path(cluster: &Cluster, id: &str, epoch: i16) -> PathBuf {
    cluster
        .layout()
        .locks()
        .join("transactions")
        .join("holders")
        .join(crate::group::names::file_name_for(id))
        .join(format!("{epoch}.lock"))
}

/// Whether the holder of `id` at `epoch` is alive (holds its lock).
pub fn holder_alive(cluster: &Cluster, id: &str, epoch: i16) -> Result<bool, LockError> {
    Ok(!crate::cluster::lock::is_free(&holder_lock_path(
        cluster, id, epoch,
    ))?)
}

/// Appends the new state of `id` (acks=all) and updates the checkpoints.
fn write_state(cluster: &mut Cluster, id: &str, value: &TxnValue) -> Result<(), ClusterError> {
    let mut b = BatchBuilder::new(BatchOptions::default());
    b.append(
        now_ms(),
        Some(&schema::encode_key(id)),
        Some(&schema::encode_value(value)),
        &[],
    );
    append_to(cluster, TXN_TOPIC, partition_for(id), b.finish(0, 0)?)
}

fn append_to(
    cluster: &mut Cluster,
    topic: &str,
    partition: u32,
    batch: &mut [u8],
) -> Result<(), ClusterError> {
    let mut w = PartitionWriter::new(cluster, topic, partition)?;
    w.append(batch, Acks::All)?;
    let updates = w.finish()?;
    writer::write_checkpoints(cluster.layout(), &updates)
}

/// The coordinator epoch markers carry: the leader epoch of the id's state partition.
fn coordinator_epoch(cluster: &Cluster, id: &str) -> i32 {
    cluster
        .partition(TXN_TOPIC, partition_for(id))
        .map_or(0, |p| p.leader_epoch)
}

/// Writes a COMMIT or ABORT marker with `producer_id`/`epoch` to every partition of
/// `parts`. A partition whose topic is gone meanwhile needs no marker.
fn write_markers(
    cluster: &mut Cluster,
    id: &str,
    producer_id: i64,
    epoch: i16,
    commit: bool,
    parts: &[TxnPartitions],
) -> Result<(), ClusterError> {
    let coordinator_epoch = coordinator_epoch(cluster, id);
    cluster.reload()?;
    for t in parts {
        for &p in &t.partitions {
            let Ok(p) = u32::try_from(p) else { continue };
            if cluster.partition(&t.topic, p).is_err() {
                continue;
            }
            let mut b = end_txn_batch(commit, producer_id, epoch, coordinator_epoch, now_ms());
            append_to(cluster, &t.topic, p, b.finish(0, 0)?)?;
        }
    }
    Ok(())
}

/// What finishing a transaction left open did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Completed {
    /// The transactional id.
    pub transactional_id: String,
    /// Committed (a decided commit completed) or aborted.
    pub committed: bool,
    /// Its partitions.
    pub partitions: Vec<TxnPartitions>,
    /// Why it was finished here.
    pub reason: &'static str,
}

/// Finishes `state`'s open transaction (coordinator lock held): completes a decided commit,
/// aborts anything else with the epoch bumped (which fences its producer in every partition
/// it wrote). Returns the new state.
fn finish_open(
    cluster: &mut Cluster,
    id: &str,
    state: &TxnValue,
    reason: &'static str,
) -> Result<(TxnValue, Completed), ClusterError> {
    let now = now_ms();
    let commit = state.status == TxnStatus::PrepareCommit;
    let epoch = if commit {
        state.producer_epoch
    } else {
        // Kafka bumps the epoch to abort on behalf of a producer it fences
        // (PrepareEpochFence), so the fenced producer's later writes are refused.
        state.producer_epoch.saturating_add(1).min(MAX_EPOCH)
    };
    let prepared = TxnValue {
        producer_epoch: epoch,
        status: if commit {
            TxnStatus::PrepareCommit
        } else {
            TxnStatus::PrepareAbort
        },
        last_update_ms: now,
        ..state.clone()
    };
    if prepared != *state {
        write_state(cluster, id, &prepared)?;
    }
    write_markers(
        cluster,
        id,
        state.producer_id,
        epoch,
        commit,
        &state.partitions,
    )?;
    let done = TxnValue {
        status: if commit {
            TxnStatus::CompleteCommit
        } else {
            TxnStatus::CompleteAbort
        },
        partitions: Vec::new(),
        last_update_ms: now_ms(),
        start_ms: -1,
        ..prepared
    };
    write_state(cluster, id, &done)?;
    Ok((
        done,
        Completed {
            transactional_id: id.to_string(),
            committed: commit,
            partitions: state.partitions.clone(),
            reason,
        },
    ))
}

/// A process's hold on a transactional id: its producer id and epoch, and the partitions
/// of its open transaction. Dropping it releases the holder lock (as dying does).
#[derive(Debug)]
pub struct Transactional {
    /// The transactional id.
    pub id: String,
    /// Its producer id.
    pub producer_id: i64,
    /// This holder's epoch.
    pub epoch: i16,
    /// transaction.timeout.ms.
    pub timeout_ms: i32,
    /// Partitions registered in the open transaction.
    partitions: BTreeSet<(String, u32)>,
    /// How far this holder read its id's state partition, and the id's state there.
    seen: Seen,
    _holder: FileLock,
}

/// Where a holder's reading of its id's `__transaction_state` partition got to, and the
/// id's state at that point. Each step reads only what was appended since: the partition
/// grows with every step of every id hashed to it (filka has no log cleaner), and reading
/// it whole at each step made a long pipe slower with every batch.
///
/// A log cut below `next` (a power loss, an unclean election, a new leader whose log
/// diverged) may have grown past it again by the next step, with records this holder never
/// read, a fence among them. Each of those changes the partition's leader epoch, so a
/// different epoch means reading the partition whole again, as Kafka's coordinator reloads
/// its cache when it becomes leader at a new epoch.
#[derive(Debug, Clone)]
struct Seen {
    next: i64,
    leader_epoch: i32,
    state: Option<TxnValue>,
}

/// Brings `cluster`'s metadata up to date and returns the leader epoch it gives
/// `__transaction_state` partition `partition`: the partition is then read through that
/// same metadata (its leader at that epoch, not one a failover replaced), and a change
/// during the read shows at the next step.
fn state_leader_epoch(cluster: &mut Cluster, partition: u32) -> Result<i32, ClusterError> {
    cluster.reload()?;
    Ok(cluster
        .partition(TXN_TOPIC, partition)
        .map_or(-1, |p| p.leader_epoch))
}

impl Transactional {
    /// True when a transaction is open (a partition was added since the last end).
    pub fn is_open(&self) -> bool {
        !self.partitions.is_empty()
    }

    /// Whether `topic`-`partition` is in the open transaction.
    pub fn contains(&self, topic: &str, partition: u32) -> bool {
        self.partitions.contains(&(topic.to_string(), partition))
    }
}

/// The longest transactional id in bytes: the key's string has an i16 length, as every
/// string of Kafka's protocol.
pub const MAX_ID_BYTES: usize = i16::MAX as usize;

/// Checks a transactional id as Kafka does: non-empty, and short enough for the i16 length
/// of `__transaction_state`'s key (a longer one would be cut there, and its state found
/// under another id).
fn check_id(id: &str) -> Result<(), TxnError> {
    if id.is_empty() {
        return Err(TxnError::Invalid(
            "a transactional id must not be empty".into(),
        ));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(TxnError::Invalid(format!(
            "a transactional id is at most {MAX_ID_BYTES} bytes (this one has {})",
            id.len()
        )));
    }
    Ok(())
}

/// InitProducerId for `id`: finishes what a previous holder left open, bumps the epoch
/// (fencing that holder) and takes the id. Returns the hold and what was finished.
pub fn init(
    cluster: &mut Cluster,
    id: &str,
    timeout_ms: i32,
) -> Result<(Transactional, Option<Completed>), TxnError> {
    check_id(id)?;
    if !(1..=MAX_TIMEOUT_MS).contains(&timeout_ms) {
        return Err(TxnError::Invalid(format!(
            "transaction.timeout.ms {timeout_ms} is outside 1..={MAX_TIMEOUT_MS} \
             (transaction.max.timeout.ms)"
        )));
    }
    ensure_topic(cluster)?;
    let _lock = coordinator_lock(cluster, partition_for(id))?;
    let mut completed = None;
    let mut state = None;
    let leader_epoch = state_leader_epoch(cluster, partition_for(id))?;
    let seen_to = latest_since(cluster, partition_for(id), id, None, &mut state)?.unwrap_or(0);
    if let Some(s) = state.clone().filter(|s| s.status.is_open()) {
        let (done, c) = finish_open(cluster, id, &s, "fenced by a new holder of the id")?;
        state = Some(done);
        completed = Some(c);
    }
    let (producer_id, epoch) = match &state {
        Some(s) if s.producer_epoch < MAX_EPOCH => (s.producer_id, s.producer_epoch + 1),
        _ => (producer_ids::allocate(cluster)?, 0),
    };
    // The holder lock first: from the Empty record on, a free lock means a dead holder.
    let holder = FileLock::exclusive(&holder_lock_path(cluster, id, epoch))?;
    write_state(
        cluster,
        id,
        &TxnValue {
            producer_id,
            producer_epoch: epoch,
            timeout_ms,
            status: TxnStatus::Empty,
            partitions: Vec::new(),
            last_update_ms: now_ms(),
            start_ms: -1,
        },
    )?;
    Ok((
        Transactional {
            id: id.to_string(),
            producer_id,
            epoch,
            timeout_ms,
            partitions: BTreeSet::new(),
            // The records written since (the finish above, the Empty record) are read at
            // the next step, with anything another process appended.
            seen: Seen {
                next: seen_to,
                leader_epoch,
                state: state.clone(),
            },
            _holder: holder,
        },
        completed,
    ))
}

/// The state of `t`'s id (coordinator lock held), refused when another holder took over.
/// Reads only what was appended since `t`'s last look.
fn current(cluster: &mut Cluster, t: &mut Transactional) -> Result<TxnValue, TxnError> {
    let partition = partition_for(&t.id);
    let leader_epoch = state_leader_epoch(cluster, partition)?;
    let mut state = t.seen.state.clone();
    let since = if leader_epoch == t.seen.leader_epoch {
        latest_since(cluster, partition, &t.id, Some(t.seen.next), &mut state)?
    } else {
        None
    };
    let next = match since {
        Some(next) => next,
        // Another leader epoch, or the log no longer holds where this holder got to: read
        // it all again.
        None => {
            state = None;
            latest_since(cluster, partition, &t.id, None, &mut state)?.unwrap_or(0)
        }
    };
    t.seen = Seen {
        next,
        leader_epoch,
        state,
    };
    match &t.seen.state {
        Some(s) if s.producer_id == t.producer_id && s.producer_epoch == t.epoch => Ok(s.clone()),
        Some(s) => Err(TxnError::Fenced {
            id: t.id.clone(),
            epoch: t.epoch,
            current: s.producer_epoch,
        }),
        None => Err(TxnError::Fenced {
            id: t.id.clone(),
            epoch: t.epoch,
            current: -1,
        }),
    }
}

/// Groups (topic, partition) pairs the way the state record lists them.
fn grouped(parts: &BTreeSet<(String, u32)>) -> Vec<TxnPartitions> {
    let mut out: Vec<TxnPartitions> = Vec::new();
    for (topic, p) in parts {
        match out.last_mut() {
            Some(t) if &t.topic == topic => t.partitions.push(*p as i32),
            _ => out.push(TxnPartitions {
                topic: topic.clone(),
                partitions: vec![*p as i32],
            }),
        }
    }
    out
}

/// AddPartitionsToTxn: registers `parts` in `t`'s open transaction (starting one), before
/// anything is written to them.
pub fn add_partitions(
    cluster: &mut Cluster,
    t: &mut Transactional,
    parts: &[(String, u32)],
) -> Result<(), TxnError> {
    let new: Vec<&(String, u32)> = parts
        .iter()
        .filter(|p| !t.partitions.contains(*p))
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    let _lock = coordinator_lock(cluster, partition_for(&t.id))?;
    let state = current(cluster, t)?;
    if matches!(
        state.status,
        TxnStatus::PrepareCommit | TxnStatus::PrepareAbort
    ) {
        // Its end was decided (and failed after): Ongoing now would undo the decision.
        return Err(TxnError::Concurrent(format!(
            "transaction {:?} is {}: its end was decided and is not complete (too few in-sync \
             replicas for its markers?); ending it again completes it as decided, and so do the \
             next holder of the id, the coordinator's check after transaction.timeout.ms and \
             `filka transactions abort`",
            t.id,
            state.status.name()
        )));
    }
    let mut all = t.partitions.clone();
    all.extend(new.into_iter().cloned());
    let now = now_ms();
    write_state(
        cluster,
        &t.id,
        &TxnValue {
            status: TxnStatus::Ongoing,
            partitions: grouped(&all),
            last_update_ms: now,
            start_ms: if state.status == TxnStatus::Ongoing {
                state.start_ms
            } else {
                now
            },
            ..state
        },
    )?;
    t.partitions = all;
    Ok(())
}

/// EndTxn: commits (or aborts) `t`'s open transaction: the decision record, the markers in
/// every partition, the completion record. A transaction with no partitions is a no-op.
/// Returns whether it committed: a decision this holder already wrote (an end that failed
/// after its PrepareCommit or PrepareAbort) is final, as in Kafka, so it is completed as
/// decided whatever `commit` asks now.
pub fn end(cluster: &mut Cluster, t: &mut Transactional, commit: bool) -> Result<bool, TxnError> {
    let _lock = coordinator_lock(cluster, partition_for(&t.id))?;
    let state = current(cluster, t)?;
    let (commit, prepared) = match state.status {
        TxnStatus::Ongoing => {
            let prepared = TxnValue {
                status: if commit {
                    TxnStatus::PrepareCommit
                } else {
                    TxnStatus::PrepareAbort
                },
                last_update_ms: now_ms(),
                ..state.clone()
            };
            write_state(cluster, &t.id, &prepared)?;
            (commit, prepared)
        }
        TxnStatus::PrepareCommit => (true, state.clone()),
        TxnStatus::PrepareAbort => (false, state.clone()),
        // Nothing open; or this holder's own end got as far as its completion record and
        // failed after it (a checkpoint write): that outcome stands.
        _ => {
            let had_open = !t.partitions.is_empty();
            t.partitions.clear();
            return Ok(if had_open {
                state.status == TxnStatus::CompleteCommit
            } else {
                commit
            });
        }
    };
    write_markers(
        cluster,
        &t.id,
        t.producer_id,
        t.epoch,
        commit,
        &prepared.partitions,
    )?;
    write_state(
        cluster,
        &t.id,
        &TxnValue {
            status: if commit {
                TxnStatus::CompleteCommit
            } else {
                TxnStatus::CompleteAbort
            },
            partitions: Vec::new(),
            last_update_ms: now_ms(),
            start_ms: -1,
            ..prepared
        },
    )?;
    t.partitions.clear();
    Ok(commit)
}

/// Whether `e` may pass by itself: too few in-sync replicas for a state record or a marker,
/// no leader, no controller quorum (Kafka's coordinator retries those).
pub fn is_transient(e: &TxnError) -> bool {
    match e {
        TxnError::Cluster(c) => {
            c.is_replica_shortfall()
                || matches!(
                    c,
                    ClusterError::Offline { .. } | ClusterError::NoQuorum { .. }
                )
        }
        _ => false,
    }
}

/// Finishes every open transaction whose holder is dead or whose timeout passed (the
/// coordinator's periodic abort of expired transactions, done by whoever needs the last
/// stable offset to move). Returns what it finished. One that cannot be finished now
/// ([`is_transient`]) does not keep the others waiting: the first such error is returned
/// only when nothing was finished (the next check tries it again).
pub fn abort_stale(cluster: &mut Cluster) -> Result<Vec<Completed>, TxnError> {
    let mut out = Vec::new();
    let mut transient = None;
    if cluster.writable().is_err() {
        // A read-only view of a Kafka log dir: its coordinator is elsewhere; the last stable
        // offset stays where Kafka left it.
        return Ok(out);
    }
    cluster.reload()?;
    if cluster.topic(TXN_TOPIC).is_err() {
        return Ok(out);
    }
    let now = now_ms();
    for (id, s) in list(cluster)? {
        if !s.status.is_open() {
            continue;
        }
        let dead = !holder_alive(cluster, &id, s.producer_epoch)?;
        let expired = s.start_ms >= 0 && s.start_ms.saturating_add(i64::from(s.timeout_ms)) < now;
        if !dead && !expired {
            continue;
        }
        let _lock = coordinator_lock(cluster, partition_for(&id))?;
        // Re-read under the lock, with metadata read under it too: its holder may have
        // finished it meanwhile, and may have moved the state partition's leader or ISR
        // doing so (a state read through a leader or ISR that are gone is an old state,
        // and finishing that would write its old epoch over the holder's newer one).
        cluster.reload()?;
        let Some(s) = read(cluster, &id)?.filter(|s| s.status.is_open()) else {
            continue;
        };
        let reason = if dead {
            "its holder died"
        } else {
            "transaction.timeout.ms passed"
        };
        match finish_open(cluster, &id, &s, reason).map_err(TxnError::from) {
            Ok((_, done)) => out.push(done),
            Err(e) if is_transient(&e) => {
                transient.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    match transient {
        Some(e) if out.is_empty() => Err(e),
        _ => Ok(out),
    }
}

/// Aborts `id`'s open transaction whatever its holder is doing (kafka-transactions.sh
/// abort): the epoch is bumped, so a live holder is fenced. `None` when nothing was open.
pub fn force_abort(cluster: &mut Cluster, id: &str) -> Result<Option<Completed>, TxnError> {
    check_id(id)?;
    cluster.reload()?;
    if cluster.topic(TXN_TOPIC).is_err() {
        return Ok(None);
    }
    let _lock = coordinator_lock(cluster, partition_for(id))?;
    cluster.reload()?;
    let Some(s) = read(cluster, id)?.filter(|s| s.status.is_open()) else {
        return Ok(None);
    };
    Ok(Some(finish_open(cluster, id, &s, "aborted by request")?.1))
}
