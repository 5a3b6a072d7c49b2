//! One partition's producer state, as Kafka's `ProducerStateManager` keeps it: per producer
//! id its epoch, the metadata of its last 5 batches, the coordinator epoch of the last
//! transaction marker, its last timestamp and the first offset of its open transaction;
//! and, for the partition, the open transactions by first offset (the input of the last
//! stable offset) and the completed ones whose markers may not be replicated yet.
//!
//! The rules are Kafka's, read from `storage/.../internals/log/ProducerAppendInfo.java`
//! (`checkProducerEpoch`, `checkSequence`, `inSequence`, `appendDataBatch`,
//! `appendEndTxnMarker`, `checkCoordinatorEpoch`), `ProducerStateEntry.java` (5 batches
//! retained, `findDuplicateBatch`, `maybeUpdateProducerEpoch` clearing the batches on an
//! epoch change), `BatchMetadata.java` (last sequence, last offset, offset delta and
//! timestamp; the first sequence derived with `DefaultRecordBatch.decrementSequence`),
//! `ProducerStateManager.java` (`firstUnstableOffset`, `lastStableOffset(CompletedTxn)`,
//! `completeTxn`, `onHighWatermarkUpdated`, expiration) and core's
//! `UnifiedLog.analyzeAndValidateProducerState` (duplicates are looked for before any
//! validation, and only for client batches).
//!
//! Owns: [`ProducerState::check`] (would a leader accept this batch?) and
//! [`ProducerState::apply`] (a batch is now in the log). Submodules own the `.snapshot`
//! file format ([`snapshot`]) and loading from a log folder ([`replay`]).
//!
//! Must not: do I/O (except through [`snapshot`] and [`replay`]), know about clusters or
//! coordinators, or decode records other than a control batch's single marker.

pub mod replay;
pub mod snapshot;

use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::record::BatchHeader;
use crate::record::control::{ControlType, EndTxnMarker};

pub use replay::{LoadReport, ReplayStats};
pub use snapshot::{SnapshotEntry, SnapshotError};

/// Batches remembered per producer for duplicate detection (Kafka's
/// `ProducerStateEntry.NUM_BATCHES_TO_RETAIN`, matching the client's
/// `max.in.flight.requests.per.connection` limit of 5 for idempotence).
pub const NUM_BATCHES_TO_RETAIN: usize = 5;
/// `RecordBatch.NO_PRODUCER_ID`.
pub const NO_PRODUCER_ID: i64 = -1;
/// `RecordBatch.NO_PRODUCER_EPOCH`.
pub const NO_PRODUCER_EPOCH: i16 = -1;
/// `RecordBatch.NO_SEQUENCE`.
pub const NO_SEQUENCE: i32 = -1;
/// Kafka's default `producer.id.expiration.ms` (1 day), for [`ProducerState::remove_expired`].
pub const DEFAULT_PRODUCER_ID_EXPIRATION_MS: i64 = 86_400_000;

/// `DefaultRecordBatch.decrementSequence`: `seq - dec`, wrapping below 0 to `i32::MAX`.
pub fn decrement_sequence(seq: i32, dec: i32) -> i32 {
    let (s, d) = (i64::from(seq), i64::from(dec));
    if s < d {
        (i64::from(i32::MAX) - (d - s) + 1) as i32
    } else {
        (s - d) as i32
    }
}

/// `ProducerAppendInfo.inSequence`: `next` follows `last`, including the wrap from
/// `i32::MAX` to 0.
pub fn in_sequence(last: i32, next: i32) -> bool {
    i64::from(next) == i64::from(last) + 1 || (next == 0 && last == i32::MAX)
}

/// What Kafka remembers of one appended batch (`BatchMetadata`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchMetadata {
    /// Sequence of the batch's last record.
    pub last_seq: i32,
    /// Offset of the batch's last record.
    pub last_offset: i64,
    /// `last_offset - first_offset` (the batch's lastOffsetDelta).
    pub offset_delta: i32,
    /// The batch's max timestamp.
    pub timestamp: i64,
}

impl BatchMetadata {
    /// Sequence of the batch's first record.
    pub fn first_seq(&self) -> i32 {
        decrement_sequence(self.last_seq, self.offset_delta)
    }
    /// Offset of the batch's first record.
    pub fn first_offset(&self) -> i64 {
        self.last_offset - i64::from(self.offset_delta)
    }
}

/// One producer's state (`ProducerStateEntry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerEntry {
    producer_id: i64,
    epoch: i16,
    batches: VecDeque<BatchMetadata>,
    coordinator_epoch: i32,
    last_timestamp: i64,
    current_txn_first_offset: Option<i64>,
}

impl ProducerEntry {
    /// A producer never seen (`ProducerStateEntry.empty`).
    pub fn empty(producer_id: i64) -> ProducerEntry {
        ProducerEntry {
            producer_id,
            epoch: NO_PRODUCER_EPOCH,
            batches: VecDeque::new(),
            coordinator_epoch: -1,
            last_timestamp: -1,
            current_txn_first_offset: None,
        }
    }
    /// The producer id.
    pub fn producer_id(&self) -> i64 {
        self.producer_id
    }
    /// The current epoch.
    pub fn epoch(&self) -> i16 {
        self.epoch
    }
    /// The retained batches, oldest first (at most [`NUM_BATCHES_TO_RETAIN`]).
    pub fn batches(&self) -> impl ExactSizeIterator<Item = &BatchMetadata> {
        self.batches.iter()
    }
    /// Sequence of the last record appended in this epoch (-1 when none).
    pub fn last_sequence(&self) -> i32 {
        self.batches.back().map_or(NO_SEQUENCE, |b| b.last_seq)
    }
    /// Sequence of the first retained batch's first record (-1 when none).
    pub fn first_sequence(&self) -> i32 {
        self.batches.front().map_or(NO_SEQUENCE, |b| b.first_seq())
    }
    /// Offset of the last record appended in this epoch (-1 when none).
    pub fn last_data_offset(&self) -> i64 {
        self.batches.back().map_or(-1, |b| b.last_offset)
    }
    /// Epoch of the coordinator that wrote the last marker (-1 when none).
    pub fn coordinator_epoch(&self) -> i32 {
        self.coordinator_epoch
    }
    /// Max timestamp of the last batch or marker.
    pub fn last_timestamp(&self) -> i64 {
        self.last_timestamp
    }
    /// First offset of the open transaction.
    pub fn current_txn_first_offset(&self) -> Option<i64> {
        self.current_txn_first_offset
    }

    /// `maybeUpdateProducerEpoch`: a new epoch forgets the old epoch's batches.
    fn set_epoch(&mut self, epoch: i16) {
        if self.epoch != epoch {
            self.batches.clear();
            self.epoch = epoch;
        }
    }

    /// Applies a batch now in the log, without validation (a follower's copy and a replay
    /// are validated already). Returns the first offset of the transaction a marker ended,
    /// and whether a data batch began one.
    fn apply(&mut self, h: &BatchHeader, marker: Option<&EndTxnMarker>) -> (Option<i64>, bool) {
        if h.attributes.is_control() {
            let Some(m) = marker.filter(|m| !matches!(m.kind, ControlType::Other(_))) else {
                // An empty control batch (its transaction was cleaned) or a KRaft-only
                // type: nothing to do, as in Kafka's `ProducerAppendInfo.append`.
                return (None, false);
            };
            let ended = self.current_txn_first_offset.take();
            self.set_epoch(h.producer_epoch);
            self.coordinator_epoch = m.coordinator_epoch;
            self.last_timestamp = h.max_timestamp;
            return (ended, false);
        }
        self.set_epoch(h.producer_epoch);
        if self.batches.len() == NUM_BATCHES_TO_RETAIN {
            self.batches.pop_front();
        }
        self.batches.push_back(BatchMetadata {
            last_seq: h.last_sequence(),
            last_offset: h.last_offset(),
            offset_delta: h.last_offset_delta,
            timestamp: h.max_timestamp,
        });
        self.last_timestamp = h.max_timestamp;
        let begins = self.current_txn_first_offset.is_none() && h.attributes.is_transactional();
        if begins {
            self.current_txn_first_offset = Some(h.base_offset);
        }
        (None, begins)
    }

    /// `findDuplicateBatch`: a retained batch of the same epoch with the same sequences.
    fn duplicate_of(&self, h: &BatchHeader) -> Option<&BatchMetadata> {
        if h.producer_epoch != self.epoch || h.base_sequence < 0 {
            return None;
        }
        let (first, last) = (h.base_sequence, h.last_sequence());
        self.batches
            .iter()
            .find(|b| b.first_seq() == first && b.last_seq == last)
    }
}

/// Why a leader refuses a batch; each names the producer and the numbers involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProducerStateError {
    /// The batch's first sequence does not follow the producer's last one (Kafka's
    /// `OutOfOrderSequenceException`).
    #[error(
        "out of order sequence number for producer {producer_id} (epoch {epoch}): batch \
         sequences {first_sequence}..={last_sequence}, but the last appended sequence is \
         {current_last_sequence}, so {expected} was expected"
    )]
    OutOfOrderSequence {
        /// The producer.
        producer_id: i64,
        /// Its epoch (the batch's and the partition's).
        epoch: i16,
        /// The batch's first sequence.
        first_sequence: i32,
        /// The batch's last sequence.
        last_sequence: i32,
        /// The last sequence in the partition's state.
        current_last_sequence: i32,
        /// The sequence that would have been accepted.
        expected: i32,
    },
    /// A known producer's first batch in a new epoch does not start at sequence 0 (Kafka's
    /// `OutOfOrderSequenceException`, "Invalid sequence number for new epoch").
    #[error(
        "invalid sequence number for the new epoch {epoch} of producer {producer_id}: the \
         batch starts at sequence {first_sequence}, a new epoch must start at 0 (current \
         epoch {current_epoch})"
    )]
    InvalidNewEpochSequence {
        /// The producer.
        producer_id: i64,
        /// The batch's epoch.
        epoch: i16,
        /// The epoch in the partition's state.
        current_epoch: i16,
        /// The batch's first sequence.
        first_sequence: i32,
    },
    /// A non-transactional batch's epoch is below the producer's current epoch (Kafka's
    /// `InvalidProducerEpochException`): a newer instance of the producer took over.
    #[error(
        "producer {producer_id} sent epoch {epoch}, below its current epoch \
         {current_epoch} (invalid producer epoch)"
    )]
    InvalidProducerEpoch {
        /// The producer.
        producer_id: i64,
        /// The batch's epoch.
        epoch: i16,
        /// The epoch in the partition's state.
        current_epoch: i16,
    },
    /// A transactional data batch from an epoch that a marker or a newer instance has
    /// fenced (Kafka's `InvalidProducerEpochException`, which its producer turns into
    /// `ProducerFencedException`).
    #[error(
        "producer {producer_id} is fenced: its transactional batch has epoch {epoch}, but \
         epoch {current_epoch} has taken over (a transaction marker or a newer instance \
         bumped it)"
    )]
    ProducerFenced {
        /// The producer.
        producer_id: i64,
        /// The batch's epoch.
        epoch: i16,
        /// The epoch in the partition's state.
        current_epoch: i16,
    },
    /// A transaction marker whose producer epoch is below the producer's current one.
    #[error(
        "transaction marker for producer {producer_id} has epoch {epoch}, below the \
         producer's current epoch {current_epoch}"
    )]
    StaleMarkerEpoch {
        /// The producer.
        producer_id: i64,
        /// The marker batch's epoch.
        epoch: i16,
        /// The epoch in the partition's state.
        current_epoch: i16,
    },
    /// A transaction marker from an older coordinator (Kafka's
    /// `TransactionCoordinatorFencedException`).
    #[error(
        "transaction marker for producer {producer_id} has coordinator epoch \
         {coordinator_epoch}, below the last one seen, {current_coordinator_epoch} (a \
         zombie coordinator)"
    )]
    CoordinatorFenced {
        /// The producer.
        producer_id: i64,
        /// The marker's coordinator epoch.
        coordinator_epoch: i32,
        /// The coordinator epoch in the partition's state.
        current_coordinator_epoch: i32,
    },
    /// A non-transactional batch from a producer with an open transaction (Kafka's
    /// `InvalidTxnStateException`).
    #[error(
        "producer {producer_id} sent a non-transactional batch while its transaction that \
         began at offset {txn_first_offset} is open"
    )]
    NotTransactional {
        /// The producer.
        producer_id: i64,
        /// First offset of the open transaction.
        txn_first_offset: i64,
    },
}

/// What a leader should do with a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Append it.
    Append,
    /// It is already in the log (a retry whose acknowledgement was lost): do not append,
    /// answer with the original offsets, as Kafka does.
    Duplicate {
        /// Offset of its first record in the log.
        base_offset: i64,
        /// Offset of its last record.
        last_offset: i64,
        /// Its max timestamp as stored (the append time under LogAppendTime).
        timestamp: i64,
    },
}

/// A transaction a COMMIT or ABORT marker ended (Kafka's `CompletedTxn`), with the last
/// stable offset to store in the `.txnindex` entry of an abort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompletedTxn {
    /// The producer.
    pub producer_id: i64,
    /// Offset of the transaction's first record.
    pub first_offset: i64,
    /// Offset of the marker.
    pub last_offset: i64,
    /// True for ABORT.
    pub is_aborted: bool,
    /// `ProducerStateManager.lastStableOffset(completedTxn)`: the first offset of the
    /// earliest transaction of another producer still open, else the marker offset + 1.
    pub last_stable_offset: i64,
}

/// An open transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OngoingTxn {
    /// The producer.
    pub producer_id: i64,
    /// Offset of its first record.
    pub first_offset: i64,
}

/// Where the batch that ends the state's range lies in the log, so a later reopen can tell
/// whether the log still holds exactly that batch (and so everything the state was built
/// from): the log was not truncated below it and rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchMark {
    /// Base offset of its segment.
    pub segment_base: i64,
    /// Its byte position in the segment.
    pub position: u64,
    /// Its size in bytes.
    pub size: u64,
    /// Its header fields that identify it.
    pub base_offset: i64,
    /// Its last offset delta.
    pub last_offset_delta: i32,
    /// Its stored CRC (covers the producer fields and records).
    pub crc: u32,
    /// Its partition leader epoch (outside the CRC).
    pub partition_leader_epoch: i32,
}

impl BatchMark {
    /// The mark of batch `h` at `position` in segment `segment_base`.
    pub fn of(h: &BatchHeader, segment_base: i64, position: u64) -> BatchMark {
        BatchMark {
            segment_base,
            position,
            size: h.size() as u64,
            base_offset: h.base_offset,
            last_offset_delta: h.last_offset_delta,
            crc: h.crc,
            partition_leader_epoch: h.partition_leader_epoch,
        }
    }

    /// True when `h` is the marked batch.
    pub fn matches(&self, h: &BatchHeader) -> bool {
        h.base_offset == self.base_offset
            && h.last_offset_delta == self.last_offset_delta
            && h.crc == self.crc
            && h.partition_leader_epoch == self.partition_leader_epoch
            && h.size() as u64 == self.size
    }

    /// Offset after the marked batch.
    pub fn next_offset(&self) -> i64 {
        self.base_offset
            .saturating_add(i64::from(self.last_offset_delta))
            .saturating_add(1)
    }
}

/// One partition's producer state, valid for the log up to [`ProducerState::end_offset`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerState {
    producers: BTreeMap<i64, ProducerEntry>,
    /// Open transactions: first offset -> producer id (Kafka's `ongoingTxns`).
    ongoing: BTreeMap<i64, i64>,
    /// Completed transactions whose markers may be above the high watermark: first offset
    /// -> (producer id, marker offset) (Kafka's `unreplicatedTxns`).
    unreplicated: BTreeMap<i64, (i64, i64)>,
    end_offset: i64,
    mark: Option<BatchMark>,
    snapshot_offset: Option<i64>,
}

impl Default for ProducerState {
    fn default() -> Self {
        ProducerState::empty(0)
    }
}

impl ProducerState {
    /// No producer, valid up to `offset` (an empty log starting there).
    pub fn empty(offset: i64) -> ProducerState {
        ProducerState {
            producers: BTreeMap::new(),
            ongoing: BTreeMap::new(),
            unreplicated: BTreeMap::new(),
            end_offset: offset,
            mark: None,
            snapshot_offset: None,
        }
    }

    /// The offset up to which this state describes the log (Kafka's `mapEndOffset`).
    pub fn end_offset(&self) -> i64 {
        self.end_offset
    }
    /// The batch that ends the state's range, when known.
    pub fn mark(&self) -> Option<&BatchMark> {
        self.mark.as_ref()
    }
    /// Offset of the snapshot this state was loaded from or last written to.
    pub fn snapshot_offset(&self) -> Option<i64> {
        self.snapshot_offset
    }
    /// True when no producer is known and no completed transaction awaits replication.
    pub fn is_empty(&self) -> bool {
        self.producers.is_empty() && self.unreplicated.is_empty()
    }
    /// Number of producers known.
    pub fn len(&self) -> usize {
        self.producers.len()
    }
    /// One producer's state.
    pub fn entry(&self, producer_id: i64) -> Option<&ProducerEntry> {
        self.producers.get(&producer_id)
    }
    /// Every producer, by producer id (what `transactions describe-producers` lists).
    pub fn entries(&self) -> impl Iterator<Item = &ProducerEntry> {
        self.producers.values()
    }
    /// Open transactions, oldest first.
    pub fn ongoing(&self) -> impl Iterator<Item = OngoingTxn> + '_ {
        self.ongoing
            .iter()
            .map(|(&first_offset, &producer_id)| OngoingTxn {
                producer_id,
                first_offset,
            })
    }

    /// Would a leader append `h` (a client batch, before offsets are assigned)? Control
    /// batches are checked for their producer epoch only; use
    /// [`ProducerState::check_marker`] to check the coordinator epoch too. Batches without
    /// a producer id are always appended.
    pub fn check(&self, h: &BatchHeader) -> Result<Verdict, ProducerStateError> {
        check_entry(self.producers.get(&h.producer_id), h, None)
    }

    /// [`ProducerState::check`] for a control batch with its decoded marker: also refuses a
    /// marker from an older coordinator.
    pub fn check_marker(
        &self,
        h: &BatchHeader,
        marker: &EndTxnMarker,
    ) -> Result<Verdict, ProducerStateError> {
        check_entry(self.producers.get(&h.producer_id), h, Some(marker))
    }

    /// Checks batches that will be appended together, each against the state the earlier
    /// ones leave (as Kafka's per-request `ProducerAppendInfo` does). Returns the first
    /// duplicate, if any: Kafka answers a request holding one with its offsets and appends
    /// nothing.
    pub fn check_all<'a>(
        &self,
        batches: impl IntoIterator<Item = (&'a BatchHeader, Option<&'a EndTxnMarker>)>,
    ) -> Result<Verdict, ProducerStateError> {
        let mut overlay: HashMap<i64, ProducerEntry> = HashMap::new();
        for (h, marker) in batches {
            if h.producer_id < 0 {
                continue;
            }
            let current = overlay
                .get(&h.producer_id)
                .or_else(|| self.producers.get(&h.producer_id));
            if let v @ Verdict::Duplicate { .. } = check_entry(current, h, marker)? {
                return Ok(v);
            }
            let mut next = current
                .cloned()
                .unwrap_or_else(|| ProducerEntry::empty(h.producer_id));
            next.apply(h, marker);
            overlay.insert(h.producer_id, next);
        }
        Ok(Verdict::Append)
    }

    /// Applies a batch that is now in the log (leader append, follower copy or replay),
    /// without validation. `marker` is the decoded COMMIT/ABORT of a control batch.
    /// Returns the transaction a marker completed, if it had data (a marker that ends
    /// nothing completes nothing, as in Kafka). The state's end moves past the batch.
    pub fn apply(
        &mut self,
        h: &BatchHeader,
        marker: Option<&EndTxnMarker>,
    ) -> Option<CompletedTxn> {
        self.mark = None;
        self.apply_inner(h, marker)
    }

    /// [`ProducerState::apply`] for a batch at a known place in the log, which becomes
    /// the state's [`BatchMark`].
    pub fn apply_at(
        &mut self,
        h: &BatchHeader,
        marker: Option<&EndTxnMarker>,
        segment_base: i64,
        position: u64,
    ) -> Option<CompletedTxn> {
        let done = self.apply_inner(h, marker);
        self.mark = Some(BatchMark::of(h, segment_base, position));
        done
    }

    fn apply_inner(
        &mut self,
        h: &BatchHeader,
        marker: Option<&EndTxnMarker>,
    ) -> Option<CompletedTxn> {
        self.end_offset = self.end_offset.max(h.next_offset());
        let pid = h.producer_id;
        if pid < 0 {
            return None;
        }
        let entry = self
            .producers
            .entry(pid)
            .or_insert_with(|| ProducerEntry::empty(pid));
        let (ended, began) = entry.apply(h, marker);
        if began {
            self.ongoing.insert(h.base_offset, pid);
        }
        let first_offset = ended?;
        // Kafka's lastStableOffset(completedTxn): computed before this transaction leaves
        // the open set, skipping the producer's own entry.
        let last_stable_offset = self
            .ongoing
            .iter()
            .find(|&(_, &p)| p != pid)
            .map_or(h.base_offset.saturating_add(1), |(&o, _)| o);
        self.ongoing.remove(&first_offset);
        self.unreplicated.insert(first_offset, (pid, h.base_offset));
        Some(CompletedTxn {
            producer_id: pid,
            first_offset,
            last_offset: h.base_offset,
            is_aborted: marker.is_some_and(|m| m.kind == ControlType::Abort),
            last_stable_offset,
        })
    }

    /// Moves the state's end to `offset` without a batch (a roll at an offset beyond the
    /// log end, Kafka's `updateMapEndOffset`).
    pub fn set_end_offset(&mut self, offset: i64) {
        if offset > self.end_offset {
            self.end_offset = offset;
            self.mark = None;
        }
    }

    /// The first offset of the earliest open transaction (Kafka's `firstUndecidedOffset`).
    pub fn first_undecided_offset(&self) -> Option<i64> {
        self.ongoing.keys().next().copied()
    }

    /// Kafka's `firstUnstableOffset`: the earliest first offset of a transaction that is
    /// open, or completed by a marker that may not be replicated yet.
    pub fn first_unstable_offset(&self) -> Option<i64> {
        let open = self.first_undecided_offset();
        let unreplicated = self.unreplicated.keys().next().copied();
        match (open, unreplicated) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The last stable offset for a high watermark (Kafka's `UnifiedLog.lastStableOffset`):
    /// the first offset of the earliest transaction that is open or whose marker is at or
    /// above `high_watermark`, capped at `high_watermark`.
    pub fn last_stable_offset(&self, high_watermark: i64) -> i64 {
        let mut lso = high_watermark;
        if let Some(first) = self.first_undecided_offset() {
            lso = lso.min(first);
        }
        // By first offset, so the first one still unreplicated is the smallest.
        if let Some((&first, _)) = self
            .unreplicated
            .iter()
            .find(|&(_, &(_, last))| last >= high_watermark)
        {
            lso = lso.min(first);
        }
        lso
    }

    /// Forgets completed transactions whose markers are below the high watermark (Kafka's
    /// `onHighWatermarkUpdated`); they no longer hold the last stable offset back.
    pub fn on_high_watermark(&mut self, high_watermark: i64) {
        self.unreplicated
            .retain(|_, &mut (_, last)| last >= high_watermark);
    }

    /// Removes producers idle for `expiration_ms` without an open transaction (Kafka's
    /// `removeExpiredProducers` with `producer.id.expiration.ms`). Their next batch is
    /// then accepted with any sequence, as from an unknown producer.
    pub fn remove_expired(&mut self, now_ms: i64, expiration_ms: i64) -> usize {
        let before = self.producers.len();
        self.producers.retain(|_, e| {
            e.current_txn_first_offset.is_some()
                || now_ms.saturating_sub(e.last_timestamp) < expiration_ms
        });
        before - self.producers.len()
    }

    /// The snapshot entries of this state, by producer id (Kafka's `writeSnapshot` keeps
    /// only each producer's last batch).
    pub fn snapshot_entries(&self) -> Vec<SnapshotEntry> {
        self.producers
            .values()
            .map(|e| {
                let last = e.batches.back();
                SnapshotEntry {
                    producer_id: e.producer_id,
                    epoch: e.epoch,
                    last_sequence: e.last_sequence(),
                    last_offset: e.last_data_offset(),
                    offset_delta: last.map_or(0, |b| b.offset_delta),
                    timestamp: e.last_timestamp,
                    coordinator_epoch: e.coordinator_epoch,
                    current_txn_first_offset: e.current_txn_first_offset.unwrap_or(-1),
                }
            })
            .collect()
    }

    /// The state a snapshot at `offset` describes (Kafka's `readSnapshot` and
    /// `loadProducerEntry`): each producer with its last batch when it had one.
    pub fn from_snapshot(offset: i64, entries: &[SnapshotEntry]) -> ProducerState {
        let mut s = ProducerState::empty(offset);
        for e in entries {
            let mut batches = VecDeque::new();
            if e.last_offset >= 0 {
                batches.push_back(BatchMetadata {
                    last_seq: e.last_sequence,
                    last_offset: e.last_offset,
                    offset_delta: e.offset_delta,
                    timestamp: e.timestamp,
                });
            }
            let txn = (e.current_txn_first_offset >= 0).then_some(e.current_txn_first_offset);
            if let Some(first) = txn {
                s.ongoing.insert(first, e.producer_id);
            }
            s.producers.insert(
                e.producer_id,
                ProducerEntry {
                    producer_id: e.producer_id,
                    epoch: e.epoch,
                    batches,
                    coordinator_epoch: e.coordinator_epoch,
                    last_timestamp: e.timestamp,
                    current_txn_first_offset: txn,
                },
            );
        }
        s.snapshot_offset = Some(offset);
        s
    }

    /// Records that a snapshot at `offset` holds this state.
    pub(crate) fn set_snapshot_offset(&mut self, offset: i64) {
        self.snapshot_offset = Some(offset);
    }

    /// Sets the mark (found by locating the batch that ends the state's range).
    pub(crate) fn set_mark(&mut self, mark: Option<BatchMark>) {
        self.mark = mark;
    }

    /// Only the parts a snapshot keeps: what a state loaded from a snapshot at its end
    /// offset would equal (each producer's last batch, no completed transactions).
    pub fn as_snapshot_would_load(&self) -> ProducerState {
        let mut s = ProducerState::from_snapshot(self.end_offset, &self.snapshot_entries());
        s.snapshot_offset = None;
        s
    }
}

/// The checks of one batch against one producer's state.
fn check_entry(
    entry: Option<&ProducerEntry>,
    h: &BatchHeader,
    marker: Option<&EndTxnMarker>,
) -> Result<Verdict, ProducerStateError> {
    let producer_id = h.producer_id;
    if producer_id < 0 {
        return Ok(Verdict::Append);
    }
    let (current_epoch, coordinator_epoch) =
        entry.map_or((NO_PRODUCER_EPOCH, -1), |e| (e.epoch, e.coordinator_epoch));
    let epoch = h.producer_epoch;
    if h.attributes.is_control() {
        if epoch < current_epoch {
            return Err(ProducerStateError::StaleMarkerEpoch {
                producer_id,
                epoch,
                current_epoch,
            });
        }
        if let Some(m) = marker
            && coordinator_epoch > m.coordinator_epoch
        {
            return Err(ProducerStateError::CoordinatorFenced {
                producer_id,
                coordinator_epoch: m.coordinator_epoch,
                current_coordinator_epoch: coordinator_epoch,
            });
        }
        return Ok(Verdict::Append);
    }
    // Duplicates first: a retry of a batch already in the log is answered, not refused.
    if let Some(b) = entry.and_then(|e| e.duplicate_of(h)) {
        return Ok(Verdict::Duplicate {
            base_offset: b.first_offset(),
            last_offset: b.last_offset,
            timestamp: b.timestamp,
        });
    }
    if epoch < current_epoch {
        return Err(if h.attributes.is_transactional() {
            ProducerStateError::ProducerFenced {
                producer_id,
                epoch,
                current_epoch,
            }
        } else {
            ProducerStateError::InvalidProducerEpoch {
                producer_id,
                epoch,
                current_epoch,
            }
        });
    }
    // Batches without sequences are the coordinator's (transactional offset commits):
    // Kafka checks their epoch only (AppendOrigin.COORDINATOR).
    if h.base_sequence >= 0 {
        let first_sequence = h.base_sequence;
        if epoch != current_epoch {
            if first_sequence != 0 && current_epoch != NO_PRODUCER_EPOCH {
                return Err(ProducerStateError::InvalidNewEpochSequence {
                    producer_id,
                    epoch,
                    current_epoch,
                    first_sequence,
                });
            }
        } else if let Some(e) = entry.filter(|_| current_epoch != NO_PRODUCER_EPOCH) {
            // The producer is known in this epoch (an unknown one may start anywhere).
            let last = e.last_sequence();
            if !in_sequence(last, first_sequence) {
                return Err(ProducerStateError::OutOfOrderSequence {
                    producer_id,
                    epoch,
                    first_sequence,
                    last_sequence: h.last_sequence(),
                    current_last_sequence: last,
                    expected: if last == i32::MAX { 0 } else { last + 1 },
                });
            }
        }
    }
    if let Some(first) = entry.and_then(|e| e.current_txn_first_offset)
        && !h.attributes.is_transactional()
    {
        return Err(ProducerStateError::NotTransactional {
            producer_id,
            txn_first_offset: first,
        });
    }
    Ok(Verdict::Append)
}

#[cfg(test)]
mod tests;
