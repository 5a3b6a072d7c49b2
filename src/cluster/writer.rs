//! Writing a partition: appending to the leader, replicating to the followers, keeping the
//! ISR, and repairing a replica that comes back — Kafka's replication, done by whichever
//! process touches the partition, under the partition lock.
//!
//! ## The partition lock and its record
//!
//! Appends to a partition (all its replicas) are serialized by an exclusive flock on
//! `locks/<topic>-<p>.lock`. The lock file also holds a small record: a counter bumped by
//! every writer, a "clean" flag, and when each follower last caught up with the leader.
//! A writer sets `clean = 0` before touching any replica and `clean = 1` after. So the next
//! holder knows:
//! - the counter is what it last wrote: nobody else wrote, its open logs are current;
//! - the counter changed and `clean = 1`: reopen the logs, trusting their tails;
//! - `clean = 0`: the last writer died mid-append (SIGKILL): reopen with full recovery
//!   from the recovery point, which cuts whatever it left half-written.
//!
//! ## Replication (DESIGN.md, replication model)
//!
//! Under the lock, every follower on an online, unpaused broker first agrees with the
//! leader (KIP-101/279 truncation by leader epoch, see [`super::epochs`]), then copies the
//! batches it lacks. A follower that has the leader's whole log is "caught up" now; one in
//! the ISR that has not caught up for `replica.lag.time.max.ms` leaves the ISR, and one
//! outside that reaches the high watermark rejoins. ISR changes go through the controller
//! and the metadata log. The high watermark is the smallest log end offset in the ISR; each
//! pass records it with its leader epoch in the lock file, and readers never see it lower
//! within that epoch ([`recorded_high_watermark`]).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::log::checkpoint::{self, EpochEntry};
use crate::log::{
    self, AppendInfo, LogError, LogReader, OpenHints, PartitionLog, ProducerState, Verdict, names,
};

use super::kraft::load::Stamp;
use super::metadata::PartitionState;
use super::replica::ensure_replica_dir;
use super::topic::TopicConfig;
use super::{Cluster, ClusterError, Layout, epochs, io_err, now_ms};

/// How many replicas must have a batch before it is acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acks {
    /// Do not wait; report no offsets.
    None,
    /// The leader's append.
    Leader,
    /// Every in-sync replica (refused when the ISR is below `min.insync.replicas`).
    All,
}

/// Bytes one replication pass copies at most to a replica a reassignment adds, unless its
/// writer says otherwise ([`PartitionWriter::set_copy_budget`]): Kafka's default
/// `replica.fetch.max.bytes`.
pub const ADDING_FETCH_MAX_BYTES: u64 = 1024 * 1024;

/// An ISR expansion a writer decided but left for its caller to commit
/// ([`PartitionWriter::defer_isr_expansion`]): the caller commits many in one metadata
/// change (`topic reassign`, whose expansions complete moves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsrExpansion {
    /// The partition's state the expansion was decided on: commit it only if the
    /// partition is still exactly so.
    pub expect: PartitionState,
    /// The new ISR.
    pub isr: Vec<i32>,
    /// Why (the caught-up replicas).
    pub reason: String,
}

/// The record kept in a partition's lock file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct LockRecord {
    counter: u64,
    clean: bool,
    /// Follower broker -> when it last had the leader's whole log (ms).
    caught_up: BTreeMap<i32, i64>,
    /// The high watermark the last writer reached, and the leader epoch it was reached in:
    /// a leader of that epoch that ends below it lost acknowledged records.
    high_watermark: Option<(i64, i32)>,
}

/// Where the high watermark sits in the lock file, past the room the caught-up entries can
/// take (10 + 40 * 12 bytes), behind a tag so that a file written before it existed, or
/// stale bytes, are never read as one.
const HW_AT: u64 = 496;
const HW_TAG: &[u8; 4] = b"fHW1";

impl LockRecord {
    /// Reads the record. A failed read is an error: taken for a new lock file, it would let
    /// the next writer trust the tails a crashed one left half-written.
    fn read(f: &File, path: &Path) -> Result<LockRecord, ClusterError> {
        let mut b = [0u8; 512];
        let n = log::io::read_at(f, &mut b, 0).map_err(io_err(path))?;
        if n == 0 {
            // A new lock file: nobody ever wrote, so nothing can be half-written.
            return Ok(LockRecord {
                clean: true,
                ..Default::default()
            });
        }
        if n < 9 {
            // A record cut short (it is written whole, so this is damage): trust nothing,
            // recover the replicas fully.
            return Ok(LockRecord {
                clean: false,
                ..Default::default()
            });
        }
        let mut counter = [0u8; 8];
        counter.copy_from_slice(&b[..8]);
        let mut r = LockRecord {
            counter: u64::from_le_bytes(counter),
            clean: b[8] == 1,
            caught_up: BTreeMap::new(),
            high_watermark: None,
        };
        let count = if n >= 10 { usize::from(b[9]) } else { 0 };
        for i in 0..count {
            let at = 10 + i * 12;
            if at + 12 > n {
                break;
            }
            let mut id = [0u8; 4];
            id.copy_from_slice(&b[at..at + 4]);
            let mut ms = [0u8; 8];
            ms.copy_from_slice(&b[at + 4..at + 12]);
            r.caught_up
                .insert(i32::from_le_bytes(id), i64::from_le_bytes(ms));
        }
        r.high_watermark = b.get(HW_AT as usize..n).and_then(parse_high_watermark);
        Ok(r)
    }

    fn write(&self, f: &File, path: &Path) -> Result<(), ClusterError> {
        let mut b = Vec::with_capacity(10 + 12 * self.caught_up.len());
        b.extend_from_slice(&self.counter.to_le_bytes());
        b.push(u8::from(self.clean));
        let entries: Vec<_> = self.caught_up.iter().take(40).collect();
        b.push(entries.len() as u8);
        for (id, ms) in entries {
            b.extend_from_slice(&id.to_le_bytes());
            b.extend_from_slice(&ms.to_le_bytes());
        }
        log::io::write_at(f, &b, 0).map_err(io_err(path))?;
        if let Some((hw, epoch)) = self.high_watermark {
            let mut t = Vec::with_capacity(16);
            t.extend_from_slice(HW_TAG);
            t.extend_from_slice(&hw.to_le_bytes());
            t.extend_from_slice(&epoch.to_le_bytes());
            log::io::write_at(f, &t, HW_AT).map_err(io_err(path))?;
        }
        Ok(())
    }
}

/// The high watermark the partition's last writer reached, and the leader epoch it was
/// reached in, read from its lock record without taking the lock. `None` when no writer
/// recorded one (or the file is gone, with its topic).
///
/// Kafka's leader never moves its high watermark back within its epoch; filka computes it
/// anew at each read from the in-sync replicas' logs, and a reader whose metadata predates
/// an ISR shrink (a follower that stopped copying, a follower whose unflushed tail a
/// fault cut) would compute it lower: it would read a state record, a committed offset,
/// a transaction's end as not there yet. [`super::replica::PartitionView`] takes this as
/// its floor. Read twice and kept only when both agree, as a writer may be rewriting it; a
/// file that cannot be read (none yet, a read-only copy) gives no floor.
pub fn recorded_high_watermark(layout: &Layout, topic: &str, partition: u32) -> Option<(i64, i32)> {
    let f = File::open(layout.partition_lock(topic, partition)).ok()?;
    let read = || -> Option<(i64, i32)> {
        let mut b = [0u8; 16];
        let n = log::io::read_at(&f, &mut b, HW_AT).ok()?;
        parse_high_watermark(&b[..n])
    };
    let first = read();
    if read() == first { first } else { None }
}

/// The tagged (high watermark, leader epoch) at the start of `b` (the lock file from
/// [`HW_AT`]), if it is there whole.
fn parse_high_watermark(b: &[u8]) -> Option<(i64, i32)> {
    let b = b.get(..16)?;
    if &b[..4] != HW_TAG {
        return None;
    }
    let (mut hw, mut epoch) = ([0u8; 8], [0u8; 4]);
    hw.copy_from_slice(&b[4..12]);
    epoch.copy_from_slice(&b[12..16]);
    Some((i64::from_le_bytes(hw), i32::from_le_bytes(epoch)))
}

/// Marks a partition as changed behind its writers' backs (a torn write done by
/// `simulate-failure`): every writer reopens its logs, with full recovery, next time.
/// The caller holds the partition lock `lock`.
pub fn mark_unclean(lock: &super::lock::FileLock) -> Result<(), ClusterError> {
    let mut r = LockRecord::read(lock.file(), lock.path())?;
    r.counter = r.counter.wrapping_add(1);
    r.clean = false;
    r.write(lock.file(), lock.path())
}

/// One replica's open log and its leader-epoch history.
#[derive(Debug)]
struct Replica {
    broker: i32,
    log: PartitionLog,
    epochs: Vec<EpochEntry>,
    epochs_path: PathBuf,
}

impl Replica {
    /// Records that `epoch` starts at `start` if the history does not have it yet (Kafka's
    /// leader epoch cache). A leader notes its epoch before its first batch of it; a
    /// follower only once that batch is in its log, so a refused copy never leaves it
    /// claiming an epoch it does not hold (the next truncation would then trust it).
    fn note_epoch(&mut self, epoch: i32, start: i64) -> Result<(), ClusterError> {
        if epoch < 0 || self.epochs.last().is_some_and(|e| e.epoch >= epoch) {
            return Ok(());
        }
        self.epochs.push(EpochEntry {
            epoch,
            start_offset: start,
        });
        checkpoint::write_epochs(&self.epochs_path, &self.epochs)?;
        Ok(())
    }

    /// Cuts this replica's log at `offset` (at a batch boundary at or below it) and its
    /// epoch history with it. Returns the event, if anything was cut.
    fn truncate(&mut self, offset: i64) -> Result<Option<ReplicaEvent>, ClusterError> {
        let before = self.leo();
        if offset >= before {
            return Ok(None);
        }
        let after = self.log.truncate_to(offset)?;
        self.epochs = epochs::truncate_history(&self.epochs, after);
        checkpoint::write_epochs(&self.epochs_path, &self.epochs)?;
        Ok(Some(ReplicaEvent::Truncated {
            broker: self.broker,
            from: after,
            to: before,
        }))
    }

    /// Copies what this follower lacks from the leader's log (`fresh`: the batches just
    /// appended, when they are exactly what it lacks). Returns what happened; a failure
    /// says whose files it was in.
    fn fetch_from(
        &mut self,
        leader_dir: &Path,
        leader_leo: i64,
        fresh: Option<&[u8]>,
        reader: &mut Option<LogReader>,
        budget: Option<u64>,
        copied_out: &mut u64,
    ) -> Result<Vec<ReplicaEvent>, FetchError> {
        use FetchError::{Follower, Leader};
        let from = self.leo();
        let mut copied: u64 = 0;
        // Fast path: the follower lacks exactly the batch just appended.
        let fresh_fits = fresh.and_then(|b| {
            crate::record::BatchPrefix::read(b)
                .filter(|p| p.base_offset == from)
                .map(|p| (b, p))
        });
        if let Some((bytes, p)) = fresh_fits {
            // The leader's append checked these bytes' CRCs just now.
            self.log
                .append_as_follower_prevalidated(bytes)
                .map_err(|e| Follower(e.into()))?;
            self.note_epoch(p.partition_leader_epoch, from)
                .map_err(Follower)?;
            *copied_out += bytes.len() as u64;
            return Ok(Vec::new());
        }
        let r = match reader {
            Some(r) => r,
            None => reader.insert(LogReader::open(leader_dir).map_err(|e| Leader(e.into()))?),
        };
        let mut events = Vec::new();
        // A follower whose log ends below the leader's first offset (a new replica of a
        // reassignment, or one down while retention deleted what it lacks) cannot fetch
        // from where it ends: as a Kafka follower told OFFSET_OUT_OF_RANGE, it empties its
        // log and starts it at the leader's log start.
        let start = r.first_offset();
        if self.leo() < start {
            let (old_start, old_end) = (self.log.log_start_offset(), self.leo());
            self.log
                .truncate_fully_and_start_at(start)
                .map_err(|e| Follower(e.into()))?;
            self.epochs.clear();
            checkpoint::write_epochs(&self.epochs_path, &self.epochs)
                .map_err(|e| Follower(e.into()))?;
            if old_end > old_start {
                events.push(ReplicaEvent::Truncated {
                    broker: self.broker,
                    from: old_start,
                    to: old_end,
                });
            }
        }
        'fetch: loop {
            let mut cursor = r.cursor(self.leo()).map_err(|e| Leader(e.into()))?;
            while let Some(batch) = cursor
                .next_batch(leader_leo)
                .map_err(|e| Leader(e.into()))?
            {
                let h = *batch.header();
                if h.next_offset() <= self.leo() {
                    continue;
                }
                if h.base_offset < self.leo() {
                    // The follower's log ends inside one of the leader's batches: its last
                    // batches are not the leader's. Cut back to a boundary the leader has
                    // and fetch from there.
                    events.extend(self.truncate(h.base_offset).map_err(Follower)?);
                    continue 'fetch;
                }
                // The follower checks what it fetches (CRC, framing), as a Kafka follower
                // does: a batch that fails is damage in the leader's log.
                match self.log.append_as_follower(batch.bytes()) {
                    Ok(_) => {}
                    Err(e) if e.is_corruption() => return Err(Leader(e.into())),
                    Err(e) => return Err(Follower(e.into())),
                }
                self.note_epoch(h.partition_leader_epoch, h.base_offset)
                    .map_err(Follower)?;
                // A reassignment's throttle: this pass copies no more than its budget.
                copied += batch.bytes().len() as u64;
                *copied_out += batch.bytes().len() as u64;
                if budget.is_some_and(|b| copied >= b) {
                    break 'fetch;
                }
            }
            break;
        }
        events.push(ReplicaEvent::CaughtUp {
            broker: self.broker,
            from,
            to: self.leo(),
        });
        Ok(events)
    }

    fn leo(&self) -> i64 {
        self.log.log_end_offset()
    }
}

/// Whose files a failed fetch was in.
enum FetchError {
    /// Reading the leader's log.
    Leader(ClusterError),
    /// Writing the follower's.
    Follower(ClusterError),
}

/// Something the replication pass did that a person should hear about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ReplicaEvent {
    /// Recovery after an unclean stop cut bytes from a replica.
    Recovered {
        /// Broker.
        broker: i32,
        /// Bytes cut.
        bytes: u64,
        /// Why, with where.
        reason: String,
    },
    /// A replica dropped records to agree with its leader (KIP-101/279).
    Truncated {
        /// Broker.
        broker: i32,
        /// First offset dropped.
        from: i64,
        /// Log end offset before.
        to: i64,
    },
    /// Damage below a follower's recovery point, cut and fetched again from the leader.
    Repaired {
        /// Broker.
        broker: i32,
        /// What was found.
        detail: String,
    },
    /// A replica was found damaged, missing or unwritable and taken offline (until its
    /// broker restarts); when it led, `leader` is who leads now (-1: nobody, offline).
    Failed {
        /// Broker.
        broker: i32,
        /// What was found.
        reason: String,
        /// The partition's leader after the change.
        leader: i32,
        /// Its leader epoch after the change.
        leader_epoch: i32,
    },
    /// A follower copied batches from the leader.
    CaughtUp {
        /// Broker.
        broker: i32,
        /// Its log end offset before.
        from: i64,
        /// After.
        to: i64,
    },
    /// The ISR changed.
    Isr {
        /// Before.
        before: Vec<i32>,
        /// After.
        after: Vec<i32>,
        /// Why.
        reason: String,
    },
}

/// Where one replica's checkpoints stand after a writer is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointUpdate {
    /// Broker.
    pub broker: i32,
    /// Topic and partition.
    pub tp: (String, u32),
    /// Recovery point (flushed up to).
    pub recovery_point: i64,
    /// High watermark.
    pub high_watermark: i64,
    /// Log start offset, when above the first segment's base.
    pub log_start_offset: Option<i64>,
}

/// A failure in `broker`'s replica files (reading or writing its log, its epoch history,
/// its snapshots) as that replica's damage, so that it goes offline (see
/// [`PartitionWriter::locked`]); other failures as they are.
fn damage_of(topic: &str, partition: u32, broker: i32, e: impl Into<ClusterError>) -> ClusterError {
    let e = e.into();
    if e.is_damage() && !matches!(e, ClusterError::ReplicaDamaged { .. }) {
        ClusterError::ReplicaDamaged {
            topic: topic.to_string(),
            partition,
            broker,
            reason: e.to_string(),
        }
    } else {
        e
    }
}

/// A failure on one follower, named: which partition, which broker.
fn replica_error(topic: &str, partition: u32, broker: i32, e: ClusterError) -> ClusterError {
    ClusterError::Replica {
        topic: topic.to_string(),
        partition,
        broker,
        source: Box::new(e),
    }
}

/// Which batch of a leader's log is one this writer appended: offsets and epoch are
/// stamped by the leader, the CRC covers everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BatchId {
    base_offset: i64,
    epoch: i32,
    crc: u32,
}

/// One append of the caller's batches to a leader (acks=all may need several when the
/// leader changes before the ISR has them).
#[derive(Debug, Clone)]
struct Attempt {
    info: AppendInfo,
    batches: Vec<BatchId>,
}

/// The ids of the stamped batches in `chunk`, back to back.
fn batch_ids(chunk: &[u8]) -> Vec<BatchId> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Ok(b) =
        crate::record::BatchRef::parse(&chunk[pos..], 0, crate::record::batch::MAX_BATCH_BYTES)
    {
        let h = b.header();
        out.push(BatchId {
            base_offset: h.base_offset,
            epoch: h.partition_leader_epoch,
            crc: h.crc,
        });
        pos += h.size();
        if pos >= chunk.len() {
            break;
        }
    }
    out
}

/// Appends to one partition and replicates it, following metadata changes by itself.
#[derive(Debug)]
pub struct PartitionWriter {
    cluster: Cluster,
    /// The metadata's stamp when `cluster` was read (`None`: unknown, read at the next lock).
    stamp: Option<Stamp>,
    topic: String,
    partition: u32,
    cfg: TopicConfig,
    lock_file: Option<File>,
    replicas: Vec<Replica>,
    /// (leader, leader epoch, brokers) the open replicas were opened for.
    opened_for: Option<(i32, i32, Vec<i32>)>,
    seen: Option<u64>,
    appended: bool,
    /// Replicas to open with full recovery (a broker coming back).
    recover: Vec<i32>,
    /// Replicas to check whole at the next open, cutting nothing (damage was just done to
    /// them: `simulate-failure corrupt`).
    verify: Vec<i32>,
    events: Vec<ReplicaEvent>,
    /// How long an append waits for an offline partition to get a leader again.
    delivery_timeout: Duration,
    /// Called once each time an append starts waiting for a leader.
    on_offline: Option<fn(&ClusterError)>,
    /// Bytes a replication pass copies at most to each replica a reassignment adds (its
    /// throttle, see [`super::reassign`]); `None`: [`ADDING_FETCH_MAX_BYTES`].
    copy_budget: Option<u64>,
    /// A replica was left uncopied in the last pass because its replication quota was
    /// spent ([`super::quota`]).
    throttled: bool,
    /// Replicas a reassignment this writer completed dropped: their files are deleted
    /// before the partition's lock is released.
    dropped: Vec<i32>,
    /// Leave ISR expansions to the caller ([`Self::defer_isr_expansion`]).
    defer_expansion: bool,
    /// The expansion the last pass left to the caller.
    deferred: Option<IsrExpansion>,
}

impl PartitionWriter {
    /// A writer for `topic`-`partition`.
    pub fn new(cluster: &Cluster, topic: &str, partition: u32) -> Result<Self, ClusterError> {
        cluster.writable()?;
        cluster.partition(topic, partition)?;
        let cfg = cluster.topic_config(topic)?;
        Ok(PartitionWriter {
            // The stamp of the files `cluster` was read from, taken before it was read: the
            // first lock reads the metadata again only when it changed since (`cluster` may
            // have been read long before: a group member's). Never today's stamp, which
            // would hide every change since `cluster` was read.
            stamp: cluster.loaded_stamp().cloned(),
            cluster: cluster.clone(),
            topic: topic.to_string(),
            partition,
            cfg,
            lock_file: None,
            replicas: Vec::new(),
            opened_for: None,
            seen: None,
            appended: false,
            recover: Vec::new(),
            verify: Vec::new(),
            events: Vec::new(),
            delivery_timeout: Duration::ZERO,
            on_offline: None,
            copy_budget: None,
            throttled: false,
            dropped: Vec::new(),
            defer_expansion: false,
            deferred: None,
        })
    }

    /// Limits what each replication pass copies to the replicas a reassignment adds
    /// (`topic reassign --throttle`); `None`: [`ADDING_FETCH_MAX_BYTES`].
    pub fn set_copy_budget(&mut self, bytes: Option<u64>) {
        self.copy_budget = bytes;
    }

    /// Leaves the ISR expansions this writer's passes decide (only growths: shrinks are
    /// committed at once) to the caller, who takes them with
    /// [`Self::take_isr_expansion`] and commits many in one metadata change.
    pub fn defer_isr_expansion(&mut self, defer: bool) {
        self.defer_expansion = defer;
    }

    /// The ISR expansion the last pass left to the caller, if any.
    pub fn take_isr_expansion(&mut self) -> Option<IsrExpansion> {
        self.deferred.take()
    }

    /// Whether the last replication pass left a replica behind because a replication quota
    /// was spent ([`super::quota`]): a later pass copies it.
    pub fn throttled(&self) -> bool {
        self.throttled
    }

    /// How long [`PartitionWriter::append`] waits for a leader when the partition is
    /// offline, as a Kafka producer retries for `delivery.timeout.ms` (zero, the default
    /// here: fail at once). `notice` is called each time it starts waiting.
    pub fn set_delivery_timeout(&mut self, timeout: Duration, notice: Option<fn(&ClusterError)>) {
        self.delivery_timeout = timeout;
        self.on_offline = notice;
    }

    /// Waits until the metadata changes (an election may have given the partition a
    /// leader) or `deadline` passes.
    fn wait_for_metadata(&self, deadline: Instant) {
        let before = self.cluster.metadata_stamp();
        while Instant::now() < deadline && self.cluster.metadata_stamp() == before {
            std::thread::sleep(
                Duration::from_millis(20).min(deadline.saturating_duration_since(Instant::now())),
            );
        }
    }

    /// The partition number.
    pub fn partition(&self) -> u32 {
        self.partition
    }

    /// The topic's resolved config.
    pub fn config(&self) -> &TopicConfig {
        &self.cfg
    }

    /// The partition's state as this writer last read it.
    pub fn state(&self) -> Result<&PartitionState, ClusterError> {
        self.cluster.partition(&self.topic, self.partition)
    }

    /// Takes the events recorded so far (truncations, catch-ups, ISR changes).
    pub fn take_events(&mut self) -> Vec<ReplicaEvent> {
        std::mem::take(&mut self.events)
    }

    /// Opens `broker`'s replica with full recovery at the next lock (a broker that was
    /// down or lost power).
    pub fn recover_replica(&mut self, broker: i32) {
        self.recover.push(broker);
        self.opened_for = None;
    }

    /// Checks `broker`'s replica from its recovery point at the next lock, cutting nothing:
    /// damage found there makes it a failed replica (a leader) or is repaired from the
    /// leader (a follower), as when any writer meets it.
    pub fn verify_replica(&mut self, broker: i32) {
        self.verify.push(broker);
        self.opened_for = None;
    }

    /// Re-reads the metadata when it changed (leader elected, ISR changed, broker down or
    /// paused), as a Kafka client refreshes metadata.
    fn refresh_metadata(&mut self) -> Result<(), ClusterError> {
        let stamp = Some(self.cluster.metadata_stamp());
        if stamp != self.stamp {
            self.cluster.reload()?;
            self.cfg = self.cluster.topic_config(&self.topic)?;
            self.stamp = stamp;
        }
        Ok(())
    }

    /// The brokers whose replicas are written: the leader, then every other replica on an
    /// online broker.
    fn brokers(&self) -> Result<(i32, i32, Vec<i32>), ClusterError> {
        let p = self.state()?;
        let state = self.cluster.state();
        if p.leader < 0 || !p.replica_up(state, p.leader) {
            return Err(ClusterError::Offline {
                topic: self.topic.clone(),
                partition: self.partition,
            });
        }
        let mut v = vec![p.leader];
        v.extend(
            p.replicas
                .iter()
                .copied()
                .filter(|&b| b != p.leader && p.replica_up(state, b)),
        );
        Ok((p.leader, p.leader_epoch, v))
    }

    /// Opens the replicas to write (the leader first). `trusted`: the last writer finished
    /// cleanly (the lock record says so), so a damaged tail is damage, not a torn write.
    /// `high_watermark`: the one the lock record holds, with the leader epoch it was reached
    /// in. A replica found damaged, missing or unreadable is [`ClusterError::ReplicaDamaged`]
    /// (the caller takes it offline and opens again), except a follower whose data is
    /// damaged while the leader is sound: that one is cut and fetched again (repaired).
    fn open_replicas(
        &mut self,
        trusted: bool,
        high_watermark: Option<(i64, i32)>,
    ) -> Result<(), ClusterError> {
        // The producer state each replica had goes on: reopening replays only what other
        // processes appended since, not everything after the last snapshot.
        let mut prior: BTreeMap<i32, ProducerState> = std::mem::take(&mut self.replicas)
            .into_iter()
            .map(|r| (r.broker, r.log.into_producer_state()))
            .collect();
        self.opened_for = None;
        let (leader, epoch, brokers) = self.brokers()?;
        let topic_id = self.cluster.topic(&self.topic)?.topic_id.clone();
        let layout = self.cluster.layout().clone();
        for &broker in &brokers {
            let full = self.recover.contains(&broker);
            let check = self.verify.contains(&broker);
            let rp = read_checkpoint(
                &layout,
                broker,
                names::RECOVERY_POINT_CHECKPOINT,
                (&self.topic, self.partition),
            )?;
            let lso = read_checkpoint(
                &layout,
                broker,
                names::LOG_START_OFFSET_CHECKPOINT,
                (&self.topic, self.partition),
            )?;
            let dir = layout.replica_dir(broker, &self.topic, self.partition);
            let damaged = |reason: String| ClusterError::ReplicaDamaged {
                topic: self.topic.clone(),
                partition: self.partition,
                broker,
                reason,
            };
            match std::fs::symlink_metadata(&dir) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(damaged(format!(
                        "{} is a symbolic link: filka never follows links inside a cluster",
                        dir.display()
                    )));
                }
                Ok(_) => {}
                // The broker's checkpoints name the partition: the folder existed, and is
                // gone (a disk replaced, a folder removed). A follower is made again and
                // fetches everything from the leader; a leader's data is gone: it must not
                // lead, or its followers would cut theirs to match.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && rp.is_some() => {
                    if broker == leader {
                        return Err(damaged(format!("its folder {} is missing", dir.display())));
                    }
                    self.events.push(ReplicaEvent::Repaired {
                        broker,
                        detail: format!(
                            "its folder {} was missing: made again, to be fetched from leader \
                             {leader} from its log start",
                            dir.display()
                        ),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(damaged(format!("{}: {e}", dir.display()))),
            }
            let dir = ensure_replica_dir(&layout, &self.topic, &topic_id, self.partition, broker)
                .map_err(|e| damaged(e.to_string()))?;
            let hints = OpenHints {
                recovery_point: rp.unwrap_or(0),
                log_start_offset: lso.unwrap_or(0),
                trusted_tail: trusted && !full && !check,
                truncate_flushed: false,
                // Cutting a bad tail is recovery after an unclean stop only: a writer that
                // died mid-append, or a broker back after a power loss or a torn write.
                may_cut_tail: (!trusted || full) && !check,
            };
            let opened = PartitionLog::open_with_producer_state(
                &dir,
                self.cfg.log_config(),
                hints,
                prior.remove(&broker),
            );
            let log = match opened {
                Ok((log, report)) => {
                    if report.truncated_bytes > 0 {
                        self.events.push(ReplicaEvent::Recovered {
                            broker,
                            bytes: report.truncated_bytes,
                            reason: report.truncation_reason.unwrap_or_default(),
                        });
                    }
                    log
                }
                // A follower's data is damaged (flushed, or in a tail no writer was
                // writing): its leader has the same offsets, so cut the damage (saying so)
                // and fetch them again.
                Err(
                    e @ (LogError::CorruptBelowRecoveryPoint { .. } | LogError::DamagedTail { .. }),
                ) if broker != leader => {
                    // Said without the error's "filka will not cut it away": on a follower
                    // it is cut, the leader has the same offsets.
                    let detail = match e {
                        LogError::CorruptBelowRecoveryPoint {
                            path,
                            position,
                            offset,
                            recovery_point,
                            detail,
                        } => format!(
                            "{}: corruption below the recovery point {recovery_point} at byte \
                             {position} (offset {offset}): {detail}",
                            path.display()
                        ),
                        LogError::DamagedTail {
                            path,
                            position,
                            offset,
                            detail,
                        } => format!(
                            "{}: damage at byte {position} (offset {offset}), no writer died \
                             writing it: {detail}",
                            path.display()
                        ),
                        other => other.to_string(),
                    };
                    let (log, report) = PartitionLog::open(
                        &dir,
                        self.cfg.log_config(),
                        OpenHints {
                            truncate_flushed: true,
                            may_cut_tail: true,
                            ..hints
                        },
                    )
                    .map_err(|e| damaged(e.to_string()))?;
                    self.events.push(ReplicaEvent::Repaired {
                        broker,
                        detail: format!(
                            "{detail}; cut {} bytes, to be fetched again from leader {leader}",
                            report.truncated_bytes
                        ),
                    });
                    log
                }
                Err(e) if e.is_damage() => return Err(damaged(e.to_string())),
                Err(e) => return Err(e.into()),
            };
            // A leader that ends below the high watermark its in-sync replicas reached in
            // this leader epoch lost acknowledged records: it must not lead (its followers
            // would cut theirs to match). After a restart (`full`) what recovery cut is
            // Kafka's loss of an unclean stop, reported as such.
            if broker == leader
                && !full
                && let Some((hw, hw_epoch)) = high_watermark
                && hw_epoch == epoch
                && log.log_end_offset() < hw
            {
                return Err(damaged(format!(
                    "its log ends at offset {}, below the high watermark {hw} its in-sync \
                     replicas reached: records it acknowledged are gone",
                    log.log_end_offset()
                )));
            }
            let epochs_path = dir.join(names::LEADER_EPOCH_CHECKPOINT);
            let mut epochs = checkpoint::read_epochs(&epochs_path).map_err(|e| {
                if e.is_damage() {
                    damaged(e.to_string())
                } else {
                    e.into()
                }
            })?;
            // Entries past the log end (recovery cut those offsets) are dropped, as Kafka's
            // leader epoch cache does after recovery.
            let leo = log.log_end_offset();
            if epochs.iter().any(|e| e.start_offset > leo) {
                epochs.retain(|e| e.start_offset <= leo);
                checkpoint::write_epochs(&epochs_path, &epochs).map_err(|e| {
                    if e.is_damage() {
                        damaged(e.to_string())
                    } else {
                        e.into()
                    }
                })?;
            }
            self.replicas.push(Replica {
                broker,
                log,
                epochs,
                epochs_path,
            });
        }
        self.recover.retain(|b| !brokers.contains(b));
        self.verify.retain(|b| !brokers.contains(b));
        self.opened_for = Some((leader, epoch, brokers));
        self.reconcile_followers()?;
        Ok(())
    }

    /// KIP-101/279: each follower cuts its log where its leader-epoch history stops
    /// agreeing with the leader's.
    fn reconcile_followers(&mut self) -> Result<(), ClusterError> {
        let Some((leader, rest)) = self.replicas.split_first_mut() else {
            return Ok(());
        };
        for f in rest {
            let at = epochs::truncation_offset(
                &f.epochs,
                f.leo(),
                &leader.epochs,
                leader.leo(),
                leader.log.log_start_offset(),
            );
            // A follower whose files cannot be cut (or its epoch history written) has
            // failed: the caller takes it offline and opens the others again.
            let cut = f.truncate(at).map_err(|e| {
                if e.is_damage() {
                    damage_of(&self.topic, self.partition, f.broker, e)
                } else {
                    replica_error(&self.topic, self.partition, f.broker, e)
                }
            })?;
            self.events.extend(cut);
        }
        Ok(())
    }

    /// Runs `f` under the partition lock with current metadata and open logs, bumping the
    /// lock record's counter and keeping its clean flag honest.
    fn locked<T>(
        &mut self,
        f: impl FnOnce(&mut Self, &mut LockRecord) -> Result<T, ClusterError>,
    ) -> Result<T, ClusterError> {
        let path = self
            .cluster
            .layout()
            .partition_lock(&self.topic, self.partition);
        // Reopens the path when `topic delete` removed the lock file since it was opened.
        let file = super::lock::lock_exclusive_file(&path, self.lock_file.take())?;
        let result = (|| {
            let mut record = LockRecord::read(&file, &path)?;
            // A replica found damaged is taken offline and the replicas opened again, with
            // whoever leads now; each pass takes one replica out, so this ends.
            loop {
                // Leader changes are committed by holders of this lock (failover), so
                // metadata read before waiting for it may name a leader, ISR and epoch that
                // are gone: read it again now that nobody can change them under us.
                self.refresh_metadata()?;
                let want = self.brokers()?;
                if self.seen == Some(record.counter)
                    && self.opened_for.as_ref() == Some(&want)
                    && !self.replicas.is_empty()
                {
                    break;
                }
                match self.open_replicas(record.clean, record.high_watermark) {
                    Ok(()) => break,
                    Err(ClusterError::ReplicaDamaged { broker, reason, .. }) => {
                        self.fail_replica(broker, reason)?;
                    }
                    Err(e) => return Err(e),
                }
            }
            record.counter = record.counter.wrapping_add(1);
            record.clean = false;
            record.write(&file, &path)?;
            let out = match f(self, &mut record) {
                Ok(out) => {
                    // A move this pass completed: its removed replicas go now, under the
                    // lock. Best effort: the move is committed, and a folder left is
                    // removed by the next `topic reassign` (its `remove_strays`).
                    if !self.dropped.is_empty() {
                        let _ = self.remove_dropped();
                    }
                    out
                }
                // Damage met while writing or replicating: the replica goes offline now;
                // the caller tries again (an append looks for its batch on the new
                // leader, and appends it again only if it is not there).
                Err(ClusterError::ReplicaDamaged { broker, reason, .. }) => {
                    self.fail_replica(broker, reason.clone())?;
                    record.clean = true;
                    // Best effort, as below: left unclean, the next writer recovers.
                    if record.write(&file, &path).is_ok() {
                        self.seen = Some(record.counter);
                    }
                    return Err(ClusterError::ReplicaFailedRetry {
                        topic: self.topic.clone(),
                        partition: self.partition,
                        broker,
                        reason,
                    });
                }
                Err(e) => return Err(e),
            };
            record.clean = true;
            // The work is done. A record that cannot be marked clean stays marked unclean
            // (it was written so before the work), and the next writer recovers the
            // replicas' tails instead of trusting them, which cuts nothing whole; failing
            // here would report a write that was made as failed, and its retry would be
            // refused as out of sequence or written twice.
            if record.write(&file, &path).is_ok() {
                self.seen = Some(record.counter);
            }
            Ok(out)
        })();
        self.dropped.clear();
        let _ = fs2::FileExt::unlock(&file);
        self.lock_file = Some(file);
        if result.is_err() {
            // Whatever failed, reopen from disk next time rather than trust memory.
            self.opened_for = None;
        }
        result
    }

    /// Deletes the replicas a move this writer completed dropped ([`Self::dropped`]): their
    /// open files are closed first, and the replicas are opened again for the new
    /// assignment at the next lock.
    fn remove_dropped(&mut self) -> Result<(), ClusterError> {
        let dropped = std::mem::take(&mut self.dropped);
        self.replicas.retain(|r| !dropped.contains(&r.broker));
        self.opened_for = None;
        let replicas = self.state()?.replicas.clone();
        let gone: Vec<i32> = dropped
            .into_iter()
            .filter(|b| !replicas.contains(b))
            .collect();
        super::reassign::remove_replica_files(&self.cluster, &self.topic, self.partition, &gone)
    }

    /// Takes `broker`'s replica offline (Kafka's failed log dir, for this partition) and
    /// elects a new leader if it led, through the controller; the caller holds the lock.
    fn fail_replica(&mut self, broker: i32, reason: String) -> Result<(), ClusterError> {
        let records = super::failover::replica_failed_locked(
            &mut self.cluster,
            &self.topic,
            self.partition,
            broker,
            &reason,
        )?;
        self.stamp = Some(self.cluster.metadata_stamp());
        self.opened_for = None;
        self.replicas.retain(|r| r.broker != broker);
        let now = self.state()?;
        let (leader, leader_epoch) = (now.leader, now.leader_epoch);
        if !records.is_empty() {
            self.events.push(ReplicaEvent::Failed {
                broker,
                reason,
                leader,
                leader_epoch,
            });
        }
        Ok(())
    }

    /// The replication pass: followers on online, unpaused brokers copy what they lack;
    /// lagging followers leave the ISR and caught-up ones rejoin. Returns the high
    /// watermark.
    fn replicate(
        &mut self,
        record: &mut LockRecord,
        fresh: Option<&[u8]>,
    ) -> Result<i64, ClusterError> {
        let now = now_ms();
        // The brokers only: the whole image of a large cluster is tens of megabytes.
        let brokers = self.cluster.state().brokers.clone();
        let adding = self.state()?.adding_replicas.clone();
        let isr = self.state()?.isr.clone();
        let budget = self.copy_budget;
        // The replication throttle ([`super::quota`]): the quotas each follower's copy is
        // subject to, from the topic's throttled replica lists and the brokers' rates.
        let topic_configs = self
            .cluster
            .topic(&self.topic)
            .map(|t| t.configs.clone())
            .unwrap_or_default();
        let layout = self.cluster.layout().clone();
        self.throttled = false;
        let mut throttled = false;
        // No open replica means no leader to copy from (open_replicas always opens it).
        let (topic, partition) = (&self.topic, self.partition);
        let (leader, followers) =
            self.replicas
                .split_first_mut()
                .ok_or_else(|| ClusterError::Offline {
                    topic: topic.clone(),
                    partition,
                })?;
        let leader_leo = leader.leo();
        let leader_broker = leader.broker;
        let leader_dir = leader.log.dir().to_path_buf();
        let mut reader: Option<LogReader> = None;
        // Followers whose files failed: taken offline after the pass.
        let mut failed: Vec<(i32, String)> = Vec::new();
        for f in followers.iter_mut() {
            let paused = brokers.get(&f.broker).is_some_and(|b| b.paused);
            if !paused && f.leo() < leader_leo {
                // A replica a reassignment adds may lack the whole log: one pass copies
                // a bounded part of it, as a Kafka follower fetches at most
                // replica.fetch.max.bytes at a time, so an append never waits for a
                // whole partition to be copied.
                let mut budget = adding
                    .contains(&f.broker)
                    .then(|| budget.unwrap_or(ADDING_FETCH_MAX_BYTES));
                // A follower out of the ISR whose replica is throttled copies what its
                // quotas grant now, and nothing when one is spent (Kafka leaves it out of
                // the fetch): no write waits for a quota.
                let quotas = if isr.contains(&f.broker) {
                    Vec::new()
                } else {
                    super::quota::quotas_for(
                        self.cluster.state(),
                        &topic_configs,
                        partition,
                        leader_broker,
                        f.broker,
                    )
                };
                let mut granted = 0;
                if !quotas.is_empty() {
                    let want = budget.unwrap_or(ADDING_FETCH_MAX_BYTES);
                    granted = super::quota::reserve(&layout, &quotas, want)?;
                    if granted == 0 {
                        throttled = true;
                        record.caught_up.entry(f.broker).or_insert(now);
                        continue;
                    }
                    budget = Some(granted);
                }
                let mut copied = 0;
                let fetched = f.fetch_from(
                    &leader_dir,
                    leader_leo,
                    fresh,
                    &mut reader,
                    budget,
                    &mut copied,
                );
                super::quota::settle(&layout, &quotas, granted, copied)?;
                match fetched {
                    Ok(events) => self.events.extend(events),
                    // The leader's log is damaged: the leader goes offline, not the
                    // follower that noticed.
                    Err(FetchError::Leader(e)) if e.is_damage() => {
                        return Err(ClusterError::ReplicaDamaged {
                            topic: topic.clone(),
                            partition,
                            broker: leader_broker,
                            reason: e.to_string(),
                        });
                    }
                    // A follower that cannot be written leaves the ISR; the write goes on.
                    Err(FetchError::Follower(e)) if e.is_damage() => {
                        failed.push((f.broker, e.to_string()));
                        continue;
                    }
                    Err(FetchError::Leader(e) | FetchError::Follower(e)) => {
                        return Err(replica_error(&self.topic, self.partition, f.broker, e));
                    }
                }
            }
            if f.leo() >= leader_leo {
                record.caught_up.insert(f.broker, now);
            } else {
                record.caught_up.entry(f.broker).or_insert(now);
            }
        }
        self.throttled = throttled;
        for (broker, reason) in failed {
            record.caught_up.remove(&broker);
            self.fail_replica(broker, reason)?;
        }
        let hw = self.update_isr(record, now)?;
        let epoch = self.state()?.leader_epoch;
        // Kafka's leader never moves its high watermark back within its epoch: an in-sync
        // follower that lost its unflushed tail (a torn write) holds the minimum down until
        // it has copied it again, and readers keep what they were shown. New records are
        // above the old high watermark, so none is acknowledged by this.
        let hw = match record.high_watermark {
            Some((before, e)) if e == epoch => hw.max(before.min(leader_leo)),
            _ => hw,
        };
        record.high_watermark = Some((hw, epoch));
        Ok(hw)
    }

    /// Shrinks or expands the ISR as Kafka's leader does, through the controller.
    fn update_isr(&mut self, record: &LockRecord, now: i64) -> Result<i64, ClusterError> {
        let p = self.state()?.clone();
        let state = self.cluster.state();
        let leo: BTreeMap<i32, i64> = self.replicas.iter().map(|r| (r.broker, r.leo())).collect();
        let leader_leo = leo.get(&p.leader).copied().unwrap_or(0);
        let lag_max = self.cfg.replica_lag_time_max_ms;
        let mut isr = p.isr.clone();
        let mut reasons = Vec::new();
        isr.retain(|&b| {
            if b == p.leader {
                return true;
            }
            if !state.is_online(b) {
                reasons.push(format!("{b} is down"));
                return false;
            }
            if p.offline_replicas.contains(&b) {
                reasons.push(format!("{b}'s replica is offline"));
                return false;
            }
            let caught = record.caught_up.get(&b).copied().unwrap_or(now);
            let behind = leo.get(&b).copied().unwrap_or(0) < leader_leo;
            if behind && now - caught > lag_max {
                reasons.push(format!(
                    "{b} has not caught up for {} ms (replica.lag.time.max.ms={lag_max})",
                    now - caught
                ));
                return false;
            }
            true
        });
        let hw = isr
            .iter()
            .filter_map(|b| leo.get(b))
            .copied()
            .min()
            .unwrap_or(leader_leo);
        for &b in &p.replicas {
            let paused = state.brokers.get(&b).is_some_and(|x| x.paused);
            if !isr.contains(&b)
                && p.replica_up(state, b)
                && !paused
                && leo.get(&b).is_some_and(|&l| l >= hw && l >= leader_leo)
            {
                isr.push(b);
                reasons.push(format!("{b} caught up to the high watermark {hw}"));
            }
        }
        // Keep replica order, as Kafka shows it.
        isr.sort_by_key(|b| p.replicas.iter().position(|r| r == b));
        let growth = p.isr.iter().all(|b| isr.contains(b));
        if isr != p.isr && growth && self.defer_expansion {
            self.deferred = Some(IsrExpansion {
                expect: p.clone(),
                isr: isr.clone(),
                reason: format!("ISR expand: {}", reasons.join("; ")),
            });
        } else if isr != p.isr {
            let kind = match isr.len().cmp(&p.isr.len()) {
                std::cmp::Ordering::Less => "shrink",
                std::cmp::Ordering::Greater => "expand",
                std::cmp::Ordering::Equal => "change",
            };
            let reason = format!("ISR {kind}: {}", reasons.join("; "));
            let (topic, partition, expect) = (self.topic.clone(), self.partition, p.clone());
            let new_isr = isr.clone();
            let why = reason.clone();
            let applied = self.cluster.update(move |s| {
                let cur = s
                    .topics
                    .get(&topic)
                    .and_then(|t| t.partitions.get(partition as usize));
                // Someone else changed this partition meanwhile: leave it to the next pass.
                if cur.map(|c| (c.leader, c.leader_epoch, &c.isr))
                    != Some((expect.leader, expect.leader_epoch, &expect.isr))
                {
                    return Ok((Vec::new(), false));
                }
                // A reassignment completes with the ISR change that puts its last adding
                // replica in the ISR.
                Ok((
                    vec![super::reassign::isr_change(
                        s, &topic, &expect, new_isr, why,
                    )],
                    true,
                ))
            })?;
            self.stamp = Some(self.cluster.metadata_stamp());
            if applied {
                // The ISR committed: a reassignment that completed with it drops the
                // removed replicas from it too, and their files go before the lock is
                // released (see `locked`).
                if let Ok(now) = self.state()
                    && p.is_reassigning()
                    && !now.is_reassigning()
                {
                    let gone: Vec<i32> = p
                        .replicas
                        .iter()
                        .copied()
                        .filter(|b| !now.replicas.contains(b))
                        .collect();
                    self.dropped.extend(gone);
                }
                let after = self.state().map_or(isr.clone(), |s| s.isr.clone());
                self.events.push(ReplicaEvent::Isr {
                    before: p.isr.clone(),
                    after,
                    reason,
                });
            }
        }
        let isr_now = self.state()?.isr.clone();
        Ok(isr_now
            .iter()
            .filter_map(|b| leo.get(b))
            .copied()
            .min()
            .unwrap_or(leader_leo))
    }

    /// Appends batches built by this process's [`crate::record::BatchBuilder`] (base offset
    /// 0, one or several back to back) to the leader, stamping offsets and the leader
    /// epoch, and replicates them. With `Acks::All` returns once every in-sync replica
    /// has it, waiting (as a Kafka leader does) for paused followers to catch up or leave
    /// the ISR; refused before the append ([`ClusterError::NotEnoughReplicas`], nothing
    /// written) when the ISR is below `min.insync.replicas`. When the ISR falls below it
    /// after the append, the batch is on the leader (and visible once below the high
    /// watermark) but not acknowledged: [`ClusterError::NotEnoughReplicasAfterAppend`].
    ///
    /// With `Acks::None` nothing is waited for once the leader has the batch: a failure on
    /// a follower does not fail the append. A partition without a leader is waited for as
    /// with every acks (a Kafka producer holds a batch for a partition with no leader for up
    /// to delivery.timeout.ms whatever its acks: it has no broker to send it to).
    ///
    /// A leader change while acks=all waits is what a Kafka producer sees as
    /// NOT_LEADER_OR_FOLLOWER and retries: here the writer looks for its batch in the new
    /// leader's log (same offsets, epoch and CRC) and waits for that copy, or appends again
    /// when the new leader never got it, so an acknowledged offset always holds the batch.
    pub fn append(&mut self, batch: &mut [u8], acks: Acks) -> Result<AppendInfo, ClusterError> {
        let mut attempts: Vec<Attempt> = Vec::new();
        let mut waiting_since: Option<Instant> = None;
        let deadline = Instant::now() + self.delivery_timeout;
        let mut waiting_for_leader = false;
        let mut failures = 0;
        loop {
            let tried = attempts.len();
            let step = self.locked(|w, record| {
                // Replicate what followers lack first: a writer killed before its followers
                // got its batch left them behind.
                let hw = w.replicate(record, None)?;
                let leader_id = w.replicas.first().map_or(-1, |r| r.broker);
                let (topic, partition) = (w.topic.clone(), w.partition);
                // A failure in the leader's own files is the leader's damage.
                let damage = |e: ClusterError| damage_of(&topic, partition, leader_id, e);
                if let Some(info) = w.surviving(&attempts).map_err(damage)? {
                    return Ok((info, hw, w.online_isr()?));
                }
                // The ISR may have shrunk just now. (A partition with no live leader was
                // refused by locked() already: Offline comes before NotEnoughReplicas,
                // whatever the acks, as in Kafka.) Once an earlier attempt was written,
                // a refusal is no longer "nothing written": that attempt may come back.
                w.check_isr(acks, !attempts.is_empty())?;
                let epoch = w.state()?.leader_epoch;
                let (topic, partition) = (&w.topic, w.partition);
                let leader = w
                    .replicas
                    .first_mut()
                    .ok_or_else(|| ClusterError::Offline {
                        topic: topic.clone(),
                        partition,
                    })?;
                let leo = leader.leo();
                // An idempotent producer's retry of a batch the log already holds (its
                // acknowledgement was lost) is answered with the original offsets, not
                // appended again; a stale epoch or a gap in sequences is refused.
                if let Verdict::Duplicate {
                    base_offset,
                    last_offset,
                    timestamp,
                } = leader
                    .log
                    .check_producer_batches(batch)
                    .map_err(|e| damage(e.into()))?
                {
                    let hw = w.replicate(record, None)?;
                    let info = AppendInfo {
                        base_offset,
                        last_offset,
                        position: 0,
                        max_timestamp: timestamp,
                        records: i32::try_from(last_offset - base_offset + 1).unwrap_or(i32::MAX),
                    };
                    return Ok((info, hw, w.online_isr()?));
                }
                leader.note_epoch(epoch, leo).map_err(damage)?;
                // Batches reach a writer only from this process's BatchBuilder: their CRCs
                // were computed a moment ago, so the leader checks framing, not CRCs again.
                let info = leader
                    .log
                    .append_built(batch, epoch, now_ms())
                    .map_err(|e| damage(e.into()))?;
                attempts.push(Attempt {
                    info,
                    batches: batch_ids(batch),
                });
                let hw = w.replicate(record, Some(batch))?;
                Ok((info, hw, w.online_isr()?))
            });
            // The batch this step appended to the leader, if it got that far.
            let appended_now = attempts.get(tried).map(|a| a.info);
            let (info, hw, online_isr) = match (step, appended_now) {
                // No leader: wait for one (delivery.timeout.ms), as a Kafka producer keeps
                // retrying LEADER_NOT_AVAILABLE whatever its acks, then carry on with
                // whoever leads.
                (Err(e @ ClusterError::Offline { .. }), _) if Instant::now() < deadline => {
                    if !waiting_for_leader && let Some(notice) = self.on_offline {
                        notice(&e);
                    }
                    waiting_for_leader = true;
                    self.wait_for_metadata(deadline);
                    continue;
                }
                // acks=0 never fails because of followers: once the leader has the batch, a
                // failure after that (a follower's copy, an ISR update) is the followers'
                // business, caught up at the next touch. The lock record stays unclean, so
                // that touch recovers them.
                (Err(_), Some(info)) if acks == Acks::None => {
                    self.appended = true;
                    return Ok(info);
                }
                // A replica failed and is offline now: try again with the ones left (the
                // batch is looked for on the new leader first). Each failure takes one
                // replica out, so this ends.
                (Err(ClusterError::ReplicaFailedRetry { .. }), _)
                    if failures
                        < self
                            .cluster
                            .partition(&self.topic, self.partition)?
                            .replicas
                            .len() =>
                {
                    failures += 1;
                    continue;
                }
                (step, _) => step?,
            };
            waiting_for_leader = false;
            self.appended = true;
            if acks != Acks::All {
                return Ok(info);
            }
            // acks=all: every ISR member must have the batch, and the ISR must still be at
            // least min.insync.replicas (Kafka's checkEnoughReplicasReachOffset).
            let min = self.cfg.min_insync_replicas as usize;
            if online_isr < min {
                return Err(ClusterError::NotEnoughReplicasAfterAppend {
                    topic: self.topic.clone(),
                    partition: self.partition,
                    isr: online_isr,
                    min: min as u32,
                });
            }
            if hw > info.last_offset {
                return Ok(info);
            }
            // Paused followers cannot fetch: wait for them to leave the ISR after
            // replica.lag.time.max.ms, as Kafka does.
            let lag_max = self.cfg.replica_lag_time_max_ms.max(0) as u64;
            let start = *waiting_since.get_or_insert_with(Instant::now);
            if start.elapsed() > Duration::from_millis(lag_max * 4 + 10_000) {
                return Err(ClusterError::AckTimeout {
                    topic: self.topic.clone(),
                    partition: self.partition,
                    waited_ms: start.elapsed().as_millis() as u64,
                });
            }
            std::thread::sleep(Duration::from_millis((lag_max / 20).clamp(5, 200)));
        }
    }

    /// In-sync replicas that can serve (broker up, replica not offline).
    fn online_isr(&self) -> Result<usize, ClusterError> {
        let state = self.cluster.state();
        let p = self.state()?;
        Ok(p.isr.iter().filter(|&&b| p.replica_up(state, b)).count())
    }

    /// acks=all is refused before appending when the ISR is below `min.insync.replicas`
    /// (`after_append`: an earlier attempt of the same batch was written).
    fn check_isr(&self, acks: Acks, after_append: bool) -> Result<(), ClusterError> {
        let min = self.cfg.min_insync_replicas as usize;
        let isr = self.online_isr()?;
        if acks != Acks::All || isr >= min {
            return Ok(());
        }
        let (topic, partition, min) = (self.topic.clone(), self.partition, min as u32);
        Err(if after_append {
            ClusterError::NotEnoughReplicasAfterAppend {
                topic,
                partition,
                isr,
                min,
            }
        } else {
            ClusterError::NotEnoughReplicas {
                topic,
                partition,
                isr,
                min,
            }
        })
    }

    /// The earlier append whose batches the current leader's log holds, if any. A leader
    /// never loses batches it wrote in its own epoch, so an attempt missing from the
    /// leader now is gone for good (the old leader truncates it when it returns).
    fn surviving(&self, attempts: &[Attempt]) -> Result<Option<AppendInfo>, ClusterError> {
        let Some(leader) = self.replicas.first() else {
            return Ok(None);
        };
        let leo = leader.leo();
        let mut reader: Option<LogReader> = None;
        // At most one attempt can survive: a replica holding an older one had to truncate
        // it to receive a newer one.
        for a in attempts.iter().rev() {
            if a.info.last_offset >= leo {
                continue;
            }
            let r = match &reader {
                Some(r) => r,
                None => reader.insert(LogReader::open(leader.log.dir())?),
            };
            let mut cursor = r.cursor(a.info.base_offset)?;
            // An attempt with no batch ids (never the case for a chunk the leader took)
            // proves nothing.
            let mut held = !a.batches.is_empty();
            for id in &a.batches {
                let found = cursor.next_batch(leo)?.map(|b| {
                    let h = b.header();
                    BatchId {
                        base_offset: h.base_offset,
                        epoch: h.partition_leader_epoch,
                        crc: h.crc,
                    }
                });
                if found.as_ref() != Some(id) {
                    held = false;
                    break;
                }
            }
            if held {
                return Ok(Some(a.info));
            }
        }
        Ok(None)
    }

    /// One replication pass without appending (a consumer or `broker-up` touching the
    /// partition). Returns the high watermark.
    pub fn sync(&mut self) -> Result<i64, ClusterError> {
        self.locked_retrying(|w, record| w.replicate(record, None))
    }

    /// [`PartitionWriter::locked`], again with the replicas left each time one failed
    /// (it is offline now; a leader's place is taken by a new one). Each failure takes one
    /// replica out, so this ends.
    fn locked_retrying<T>(
        &mut self,
        mut f: impl FnMut(&mut Self, &mut LockRecord) -> Result<T, ClusterError>,
    ) -> Result<T, ClusterError> {
        let mut failures = 0;
        loop {
            match self.locked(&mut f) {
                Err(ClusterError::ReplicaFailedRetry { .. })
                    if failures < self.state()?.replicas.len() =>
                {
                    failures += 1;
                }
                r => return r,
            }
        }
    }

    /// Applies retention and reports where each replica's checkpoints stand. Flushes only
    /// as the topic's `flush.messages` says (Kafka's default is never per write: the page
    /// cache and the other replicas are the durability). Does nothing when this writer
    /// appended nothing.
    pub fn finish(&mut self) -> Result<Vec<CheckpointUpdate>, ClusterError> {
        self.finish_with(false)
    }

    /// [`PartitionWriter::finish`] at a producer's clean close: also leaves a producer-state
    /// snapshot at each replica's log end (Kafka writes one at shutdown), so the next writer
    /// or reader replays nothing. Coordinators' short writes (offset commits, transaction
    /// states, markers) use `finish`: a snapshot per write would cost two fsyncs each.
    pub fn close(&mut self) -> Result<Vec<CheckpointUpdate>, ClusterError> {
        self.finish_with(true)
    }

    fn finish_with(&mut self, snapshot: bool) -> Result<Vec<CheckpointUpdate>, ClusterError> {
        if !self.appended {
            return Ok(Vec::new());
        }
        let out = self.locked_retrying(|w, record| {
            let out = w.checkpoint_locked(record)?;
            if snapshot {
                let (topic, partition) = (w.topic.clone(), w.partition);
                for r in &mut w.replicas {
                    // A replica that cannot take its snapshot has failed, as any write to
                    // its files: it goes offline, and the others are done without it.
                    r.log
                        .snapshot()
                        .map_err(|e| damage_of(&topic, partition, r.broker, e))?;
                }
            }
            Ok(out)
        })?;
        self.appended = false;
        Ok(out)
    }

    /// A replication pass, retention, and where each replica's checkpoints stand now
    /// (for [`write_checkpoints`]), whether or not this writer appended.
    pub fn checkpoint(&mut self) -> Result<Vec<CheckpointUpdate>, ClusterError> {
        self.locked_retrying(Self::checkpoint_locked)
    }

    /// The cleaner's work on every replica written (leader and online followers), under
    /// the partition lock, after a replication pass: retention, removal of `.deleted` files
    /// past their delay, and compaction where the policy asks (see
    /// [`super::clean::clean_replica`]); then where each replica's checkpoints stand.
    pub fn clean(
        &mut self,
        now: i64,
    ) -> Result<(Vec<super::clean::ReplicaCleaned>, Vec<CheckpointUpdate>), ClusterError> {
        let mut cleaned = Vec::new();
        let out = self.locked_retrying(|w, record| {
            cleaned.clear();
            w.checkpoint_pass(record, now, Some(&mut cleaned))
        })?;
        Ok((cleaned, out))
    }

    /// [`PartitionWriter::checkpoint`] with the lock held.
    fn checkpoint_locked(
        &mut self,
        record: &mut LockRecord,
    ) -> Result<Vec<CheckpointUpdate>, ClusterError> {
        self.checkpoint_pass(record, now_ms(), None)
    }

    /// A replication pass, then per replica: retention at the last retention check (what
    /// readers already see, [`super::retention`]) and removal of `.deleted` files past
    /// their delay; with `cleaned`, the whole of `filka clean`'s work, reported there.
    fn checkpoint_pass(
        &mut self,
        record: &mut LockRecord,
        now: i64,
        mut cleaned: Option<&mut Vec<super::clean::ReplicaCleaned>>,
    ) -> Result<Vec<CheckpointUpdate>, ClusterError> {
        let hw = self.replicate(record, None)?;
        let settings = self.cluster.settings();
        let mut out = Vec::new();
        let (topic, partition) = (self.topic.clone(), self.partition);
        for r in &mut self.replicas {
            // A replica the move just dropped: deleted at the end of the pass, no
            // checkpoints for it.
            if self.dropped.contains(&r.broker) {
                continue;
            }
            // Retention removes files: one that cannot be removed is the replica's failure.
            let step = match cleaned.as_deref_mut() {
                Some(list) => {
                    let c = super::clean::clean_replica(
                        &mut r.log,
                        &self.cfg,
                        &settings,
                        (&topic, partition, r.broker),
                        hw,
                        now,
                    );
                    c.map(|c| list.push(c))
                }
                None => super::clean::retention_pass(&mut r.log, &settings, hw, now).map(|_| ()),
            };
            step.map_err(|e| damage_of(&topic, partition, r.broker, e))?;
            // Every producing process has its own producer id: forget those silent for
            // producer.id.expiration.ms (a day), as Kafka does, or the state (and each
            // snapshot) grows with every run; and settle transactions below the HW.
            r.log.remove_expired_producers(
                now,
                log::producer_state::DEFAULT_PRODUCER_ID_EXPIRATION_MS,
            );
            r.log.last_stable_offset(hw);
            let first = r.log.segment_bases()[0];
            let lso = r.log.log_start_offset();
            out.push(CheckpointUpdate {
                broker: r.broker,
                tp: (self.topic.clone(), self.partition),
                recovery_point: r.log.recovery_point(),
                high_watermark: hw,
                log_start_offset: (lso > first).then_some(lso),
            });
        }
        Ok(out)
    }
}

/// The entry of `tp` in `broker`'s checkpoint `file`.
fn read_checkpoint(
    layout: &Layout,
    broker: i32,
    file: &str,
    (topic, partition): (&str, u32),
) -> Result<Option<i64>, ClusterError> {
    Ok(checkpoint::read_offset(
        &layout.broker_checkpoint(broker, file),
        topic,
        partition,
    )?)
}

/// Writes checkpoint updates, one rewrite per broker file, under each broker's lock. The
/// recovery point and log start offset files are rewritten whenever they change; the high
/// watermark file, like Kafka's, at most every 5 s when only its values moved (it lags the
/// live high watermark, which readers compute from the replicas' logs).
pub fn write_checkpoints(
    layout: &Layout,
    updates: &[CheckpointUpdate],
) -> Result<(), ClusterError> {
    let mut by_broker: BTreeMap<i32, Vec<&CheckpointUpdate>> = BTreeMap::new();
    for u in updates {
        by_broker.entry(u.broker).or_default().push(u);
    }
    for (broker, ups) in by_broker {
        let _lock = super::lock::FileLock::exclusive(&layout.broker_lock(broker))?;
        for (file, value) in [
            (
                names::RECOVERY_POINT_CHECKPOINT,
                &(|u: &CheckpointUpdate| Some(u.recovery_point))
                    as &dyn Fn(&CheckpointUpdate) -> Option<i64>,
            ),
            (
                names::REPLICATION_OFFSET_CHECKPOINT,
                &|u: &CheckpointUpdate| Some(u.high_watermark),
            ),
            (
                names::LOG_START_OFFSET_CHECKPOINT,
                &|u: &CheckpointUpdate| u.log_start_offset,
            ),
        ] {
            let path = layout.broker_checkpoint(broker, file);
            // Without a map of the file's entries: a broker of 200,000 partitions has as
            // many, and this runs at every append.
            let changes: Vec<_> = ups.iter().map(|u| (&u.tp, value(u))).collect();
            let Some(update) = checkpoint::update_offsets(&path, &changes)? else {
                continue;
            };
            let lazy = file == names::REPLICATION_OFFSET_CHECKPOINT
                && update.same_keys
                && recently_written(&path);
            // Within the checkpoint interval (`lazy`): written without its fsyncs (readers
            // get the new values now; a power loss may bring back older ones, which only
            // lag the logs), rather than left stale until a writer comes after the
            // interval, which may be never (Kafka read such a file as all zeros).
            checkpoint::write_offsets_text(&path, &update.text, !lazy)?;
        }
    }
    Ok(())
}

/// Kafka's `replica.high.watermark.checkpoint.interval.ms`: the high watermark checkpoint
/// is rewritten with its fsyncs at most this often when only values moved (without them in
/// between).
pub const HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS: u64 = 5_000;

/// True when `path` was written less than the checkpoint interval ago.
fn recently_written(path: &Path) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_millis() < u128::from(HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: a failed read of the lock record was taken for 0 bytes, a new lock file
    /// (clean), so the next writer trusted replica tails a crashed writer had left
    /// half-written and skipped recovery. An I/O error is an error.
    #[test]
    fn a_failed_lock_record_read_is_an_error_not_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.lock");
        // Opened for writing only: reading it fails with EBADF, a real I/O error.
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        match LockRecord::read(&f, &path) {
            Err(ClusterError::Io { path: p, .. }) => assert_eq!(p, path),
            other => panic!("{other:?}"),
        }
    }

    /// Only a truly empty lock file is new and clean; a record cut short is damage and
    /// means full recovery; a whole record reads back as written.
    #[test]
    fn lock_record_reads_empty_short_and_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.lock");
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        let r = LockRecord::read(&f, &path).unwrap();
        assert!(r.clean && r.counter == 0);
        let written = LockRecord {
            counter: 7,
            clean: true,
            caught_up: [(102, 5), (103, 9)].into_iter().collect(),
            high_watermark: Some((42, 3)),
        };
        written.write(&f, &path).unwrap();
        assert_eq!(LockRecord::read(&f, &path).unwrap(), written);
        f.set_len(4).unwrap();
        let r = LockRecord::read(&f, &path).unwrap();
        assert!(!r.clean, "a cut record must not be trusted");
    }
}
