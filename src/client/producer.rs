//! The producer: Kafka's default partitioner (murmur2 for keyed records, sticky partitions
//! for null keys), one batch per partition filled up to `batch.size`, compression, and
//! acks. Batches are appended through [`PartitionWriter`], which replicates them.
//!
//! A record is acknowledged only after its batch is in every replica the acks setting
//! waits for; [`Ack`]s report that, and nothing is reported before it. acks=0 waits for
//! nothing: no offsets are reported (-1), a partition without a leader is not waited for,
//! and a batch the leader could not take is dropped, counted in [`Producer::dropped`], not
//! an error (the caller learns of it only there, as a Kafka producer with acks=0 never
//! hears from the broker).
//!
//! Sizes are the producer's business: a batch holds up to `batch.size` bytes and never more
//! than the topic's `max.message.bytes`, and a record too large for that on its own is
//! refused ([`ClusterError::RecordTooLarge`]) before it joins a batch.
//!
//! Idempotence (on by default, as in Kafka 3+): the producer takes a producer id from the
//! controller and numbers its batches per partition (base sequence), so a batch retried
//! after its acknowledgement was lost is recognised by the partition and answered with its
//! original offsets instead of being written twice. Writes that fail with an I/O error are
//! retried that way.
//!
//! Transactions ([`Producer::init_transactions`]): a transactional id (txn/coordinator.rs)
//! gives the producer id and epoch; every partition is added to the transaction before its
//! first batch, batches carry the transactional flag, and
//! [`Producer::commit_transaction`]/[`Producer::abort_transaction`] end it with markers in
//! every partition. Offsets sent with the transaction ([`Producer::send_offsets`]) are
//! committed by it.

use std::time::Duration;

use crate::cluster::topic::{CleanupPolicy, TopicCompression};
use crate::cluster::writer::{self, PartitionWriter};
use crate::cluster::{Cluster, ClusterError, now_ms, producer_ids};
use crate::group::offsets;
use crate::log::{AppendInfo, LogError};
use crate::record::batch::{BATCH_HEADER_LEN, MAX_BATCH_BYTES};
use crate::record::{BatchBuilder, BatchOptions, Compression, HeaderRef, hash};
use crate::txn::coordinator::{self, Completed, Transactional, TxnError};

/// Kafka's default `batch.size`.
pub const DEFAULT_BATCH_SIZE: usize = 16_384;

pub use crate::cluster::writer::Acks;

/// Producer settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerConfig {
    /// Bytes (uncompressed) per batch before it is sent (Kafka's `batch.size`); batches
    /// never exceed the topic's `max.message.bytes` whatever this says.
    pub batch_size: usize,
    /// Codec; `None` takes the topic's `compression.type` (none for `producer`).
    pub compression: Option<Compression>,
    /// Acknowledgement level.
    pub acks: Acks,
    /// How long a batch waits for its partition to have a leader again (Kafka's
    /// `delivery.timeout.ms`); then the send fails as offline.
    pub delivery_timeout_ms: u64,
    /// Number batches with a producer id and sequences, so retries are never written
    /// twice (Kafka's `enable.idempotence`, default true).
    pub idempotent: bool,
}

/// Kafka's default `delivery.timeout.ms`: two minutes.
pub const DEFAULT_DELIVERY_TIMEOUT_MS: u64 = 120_000;

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            batch_size: DEFAULT_BATCH_SIZE,
            compression: None,
            acks: Acks::All,
            delivery_timeout_ms: DEFAULT_DELIVERY_TIMEOUT_MS,
            idempotent: true,
        }
    }
}

/// A record to send. Fields borrow from the caller's buffers.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProducerRecord<'a> {
    /// Key (`None`: null key, sticky partitioning).
    pub key: Option<&'a [u8]>,
    /// Value (`None`: a tombstone).
    pub value: Option<&'a [u8]>,
    /// Headers in order.
    pub headers: &'a [HeaderRef<'a>],
    /// CreateTime; `None` uses the current time.
    pub timestamp: Option<i64>,
    /// Explicit partition; `None` lets the partitioner choose.
    pub partition: Option<u32>,
}

/// What became of a sent batch: it reached the replicas its acks wait for (records
/// `base_offset..base_offset + count` of `partition`, in the order they were sent), or with
/// acks=0 it was handed to the leader (offset unknown) or dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack {
    /// Partition.
    pub partition: u32,
    /// Offset of the batch's first record (-1 with acks=0).
    pub base_offset: i64,
    /// Records in the batch.
    pub count: usize,
    /// acks=0 only: the leader could not take the batch, and its records are lost
    /// ([`Producer::dropped`] says why).
    pub dropped: bool,
}

/// The records acks=0 dropped because the leader could not take them, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Records dropped.
    pub records: u64,
    /// The distinct reasons, in the order they came (at most [`Dropped::REASONS`]).
    pub reasons: Vec<String>,
    /// More distinct reasons than those kept.
    pub more: bool,
}

impl Dropped {
    /// Distinct reasons kept.
    pub const REASONS: usize = 3;

    fn note(&mut self, records: usize, reason: String) {
        self.records += records as u64;
        if self.reasons.contains(&reason) {
            return;
        }
        if self.reasons.len() < Self::REASONS {
            self.reasons.push(reason);
        } else {
            self.more = true;
        }
    }
}

impl std::fmt::Display for Dropped {
    /// The reasons, `; `-separated (`...` when there were more).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reasons.join("; "))?;
        if self.more {
            f.write_str("; ...")?;
        }
        Ok(())
    }
}

/// Kafka's default `max.request.size`: finished batches of a partition are appended
/// together (one lock, one write) up to this many bytes.
pub const MAX_REQUEST_SIZE: usize = 1 << 20;
/// All partitions' pending requests together stay under this (bounded memory).
const PENDING_MEMORY: usize = 16 << 20;

/// Times a write failing with an I/O error is tried again (with the same sequence numbers,
/// so a write that did land is recognised, not repeated).
const RETRIES: u32 = 3;

/// The sequence `count` records before `seq`: the inverse of [`next_sequence`].
fn previous_sequence(seq: i32, count: usize) -> i32 {
    let modulus = i64::from(i32::MAX) + 1;
    let count = i64::try_from(count).unwrap_or(i64::MAX) % modulus;
    (i64::from(seq) - count).rem_euclid(modulus) as i32
}

/// Kafka's sequence arithmetic: sequences wrap from Int32.MAX to 0.
fn next_sequence(seq: i32, count: usize) -> i32 {
    let count = i32::try_from(count).unwrap_or(i32::MAX);
    if seq > i32::MAX - count {
        count - (i32::MAX - seq) - 1
    } else {
        seq + count
    }
}

/// A producer id and epoch (idempotent or transactional).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    /// Producer id.
    pub producer_id: i64,
    /// Epoch.
    pub epoch: i16,
}

impl From<TxnError> for ClusterError {
    fn from(e: TxnError) -> ClusterError {
        match e {
            TxnError::Cluster(c) => c,
            TxnError::Lock(l) => ClusterError::Lock(l),
            f @ TxnError::Fenced { .. } => ClusterError::ProducerFenced(f.to_string()),
            TxnError::Invalid(s) => ClusterError::Invalid(s),
            TxnError::Concurrent(s) => ClusterError::TransactionState(s),
        }
    }
}

/// Appends `batch`, again up to `retries` times while the error is [`retriable`] (the
/// partition's producer state answers a retry of a batch that did land with its offsets).
/// Returns the last result and whether it came from a retry.
fn append_retrying(
    writer: &mut PartitionWriter,
    batch: &mut [u8],
    acks: Acks,
    retries: u32,
) -> (Result<AppendInfo, ClusterError>, bool) {
    let mut result = writer.append(batch, acks);
    let mut retried = false;
    for _ in 0..retries {
        match &result {
            Err(e) if retriable(e) => {
                retried = true;
                result = writer.append(batch, acks);
            }
            _ => break,
        }
    }
    (result, retried)
}

/// Whether a failed append certainly wrote nothing: refused before the append, with no
/// earlier attempt (a retry follows an error after which the batch may have landed).
fn refused_before_append<T>(result: &Result<T, ClusterError>, retried: bool) -> bool {
    !retried
        && matches!(
            result,
            Err(ClusterError::NotEnoughReplicas { .. } | ClusterError::Offline { .. })
        )
}

/// Whether a failed write may be tried again as it is: an I/O error (the bytes may or may
/// not have landed; sequences tell the partition which).
fn retriable(e: &ClusterError) -> bool {
    match e {
        ClusterError::Log(LogError::Io { .. }) | ClusterError::Io { .. } => true,
        ClusterError::Replica { source, .. } => retriable(source),
        _ => false,
    }
}

/// The writer to `__consumer_offsets` of a transactional producer's offset commits.
struct OffsetsWriter {
    partition: u32,
    writer: PartitionWriter,
    sequence: i32,
}

/// Record counts of a partition's sealed batches (the batches live in its builder).
#[derive(Debug, Default)]
struct Pending {
    counts: Vec<usize>,
}

/// Produces to one topic.
pub struct Producer {
    cluster: Cluster,
    topic: String,
    partitions: u32,
    cfg: ProducerConfig,
    codec: Compression,
    writers: Vec<Option<PartitionWriter>>,
    builders: Vec<BatchBuilder>,
    /// Finished batches per partition waiting to go out together, as in a produce request.
    pending: Vec<Pending>,
    max_request: usize,
    /// A record larger than this (in a batch of its own) is refused by the producer.
    refuse_above: usize,
    /// The topic's cleanup.policy has compact: a record without a key is refused, as
    /// Kafka's broker refuses it.
    compacted: bool,
    /// Bytes per batch: batch.size, capped by the topic's max.message.bytes.
    batch_limit: usize,
    /// What acks=0 dropped so far.
    dropped: Dropped,
    sticky: Option<u32>,
    rng: u64,
    /// Producer id and epoch, when idempotent or transactional.
    identity: Option<Identity>,
    /// Next base sequence per partition.
    sequences: Vec<i32>,
    /// The transactional id held, when transactional.
    txn: Option<Transactional>,
    /// An EndTxn failed: the transaction may be decided already (PrepareCommit or
    /// PrepareAbort written), so nothing more is sent until commit_transaction or
    /// abort_transaction is called again and succeeds (Kafka's COMMITTING_TRANSACTION /
    /// ABORTING_TRANSACTION states).
    ending: bool,
    /// Offset commits sent with the transaction.
    offsets: Option<OffsetsWriter>,
    /// Called when a send starts waiting for a partition to have a leader.
    on_offline: Option<fn(&ClusterError)>,
    /// Told what replication did that a person should hear about ([`Producer::on_replica_event`]).
    on_event: Option<EventSink>,
}

impl Producer {
    /// A producer for an existing topic.
    pub fn new(
        mut cluster: Cluster,
        topic: &str,
        cfg: ProducerConfig,
    ) -> Result<Producer, ClusterError> {
        // Kafka's producer gets its id at start (InitProducerId), not at its first send.
        let identity = if cfg.idempotent {
            Some(Identity {
                producer_id: producer_ids::allocate(&mut cluster)?,
                epoch: 0,
            })
        } else {
            None
        };
        let t = cluster.topic(topic)?;
        let partitions = t.partitions.len() as u32;
        let topic_cfg = cluster.topic_config(topic)?;
        let codec = cfg.compression.unwrap_or(match topic_cfg.compression {
            TopicCompression::Producer => Compression::None,
            TopicCompression::Codec(c) => c,
        });
        let opts = BatchOptions {
            compression: codec,
            ..BatchOptions::default()
        };
        // A batch must fit the topic's max.message.bytes (within what a batch can be).
        let max_record = topic_cfg
            .max_message_bytes
            .clamp(BATCH_HEADER_LEN, MAX_BATCH_BYTES);
        let batch_limit = cfg.batch_size.min(max_record);
        // What the producer itself refuses: with acks=0 only what no request could carry
        // (Kafka's client checks max.request.size, not the topic's max.message.bytes: the
        // broker refuses a larger batch, and with acks=0 nobody hears of it); otherwise the
        // topic's limit, the error the leader would give, before the record joins a batch.
        let refuse_above = if cfg.acks == Acks::None {
            MAX_REQUEST_SIZE.min(MAX_BATCH_BYTES).max(max_record)
        } else {
            max_record
        };
        Ok(Producer {
            topic: topic.to_string(),
            partitions,
            cfg,
            codec,
            writers: (0..partitions).map(|_| None).collect(),
            builders: (0..partitions).map(|_| BatchBuilder::new(opts)).collect(),
            pending: (0..partitions).map(|_| Pending::default()).collect(),
            max_request: (PENDING_MEMORY / partitions.max(1) as usize)
                .clamp(batch_limit, MAX_REQUEST_SIZE.max(batch_limit)),
            refuse_above,
            compacted: topic_cfg.cleanup_policy != CleanupPolicy::Delete,
            batch_limit,
            dropped: Dropped::default(),
            sticky: None,
            rng: (now_ms() as u64) ^ (u64::from(std::process::id()) << 32) | 1,
            identity,
            sequences: vec![0; partitions as usize],
            txn: None,
            ending: false,
            offsets: None,
            on_offline: None,
            on_event: None,
            cluster,
        })
    }

    /// Calls `sink` with what replication did that a person should hear about (a replica
    /// that failed and who leads now, a torn tail recovery cut, a follower repaired), for
    /// the command to say; the library prints nothing.
    pub fn on_replica_event(&mut self, sink: EventSink) {
        self.on_event = Some(sink);
    }

    /// Hands the events the writers recorded (a replica failed and another leads, a torn
    /// tail cut, a follower repaired or truncated) to the sink.
    fn tell_events(&mut self) {
        let Some(sink) = &mut self.on_event else {
            return;
        };
        for (p, w) in self.writers.iter_mut().enumerate() {
            if let Some(w) = w {
                for e in w.take_events() {
                    sink(&self.topic, p as u32, &e);
                }
            }
        }
    }

    /// Calls `notice` each time a send starts waiting for an offline partition's leader
    /// (for the command to say so; the library prints nothing).
    pub fn on_offline(&mut self, notice: fn(&ClusterError)) {
        self.on_offline = Some(notice);
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The cluster it writes to.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Number of partitions.
    pub fn partitions(&self) -> u32 {
        self.partitions
    }

    /// The codec batches are written with.
    pub fn compression(&self) -> Compression {
        self.codec
    }

    /// The largest record (in a batch of its own) the producer sends: the topic's
    /// max.message.bytes, or with acks=0 the most a request carries (the leader then
    /// refuses what is over the topic's limit, and acks=0 hears nothing of it).
    pub fn max_record_size(&self) -> usize {
        self.refuse_above
    }

    /// What acks=0 dropped so far (nothing with other acks: there a failure is an error).
    pub fn dropped(&self) -> &Dropped {
        &self.dropped
    }

    /// Refuses a record that would not fit even in a batch of its own: max.message.bytes, or
    /// with acks=0 the most a request carries.
    fn check_size(&self, r: &ProducerRecord<'_>) -> Result<(), ClusterError> {
        let len = |b: Option<&[u8]>| b.map_or(0, <[u8]>::len);
        let payload = len(r.key)
            + len(r.value)
            + r.headers
                .iter()
                .map(|(k, v)| k.len() + len(*v))
                .sum::<usize>();
        // Varints add at most 5 bytes per length and 10 for the timestamp delta.
        if payload + BATCH_HEADER_LEN + 40 + 10 * r.headers.len() <= self.refuse_above {
            return Ok(());
        }
        let ts = r.timestamp.unwrap_or(0);
        let size = BATCH_HEADER_LEN
            + BatchBuilder::new(BatchOptions::default()).record_size(ts, r.key, r.value, r.headers);
        if size > self.refuse_above {
            return Err(ClusterError::RecordTooLarge {
                size,
                max: self.refuse_above,
            });
        }
        Ok(())
    }

    fn random(&mut self) -> u64 {
        // xorshift64: enough to spread sticky partitions; not for secrets.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    /// The partition a record goes to: its explicit partition, `murmur2(key) % n` for a
    /// key, else the sticky partition (kept until its batch is sent).
    pub fn partition_for(&mut self, key: Option<&[u8]>) -> u32 {
        if let Some(k) = key {
            return hash::partition_for_key(k, self.partitions);
        }
        match self.sticky {
            Some(p) => p,
            None => {
                let p = (self.random() % u64::from(self.partitions)) as u32;
                self.sticky = Some(p);
                p
            }
        }
    }

    /// Adds a record to its partition's batch. A full batch is finished and queued; a full
    /// queue is sent. Returns the acknowledgements of the batches sent by this call. A
    /// record larger than max.message.bytes on its own is refused
    /// ([`ClusterError::RecordTooLarge`]) and nothing changes.
    pub fn send(&mut self, r: &ProducerRecord<'_>) -> Result<Vec<Ack>, ClusterError> {
        Ok(self.send_partitioned(r)?.1)
    }

    /// [`Producer::send`], also saying which partition the record went to (the acks
    /// returned are for earlier records: this one is in its partition's open batch).
    pub fn send_partitioned(
        &mut self,
        r: &ProducerRecord<'_>,
    ) -> Result<(u32, Vec<Ack>), ClusterError> {
        self.check_size(r)?;
        if self.compacted && r.key.is_none() {
            return Err(ClusterError::KeylessOnCompacted(self.topic.clone()));
        }
        let p = match r.partition {
            Some(p) if p >= self.partitions => {
                return Err(ClusterError::UnknownPartition {
                    topic: self.topic.clone(),
                    partition: p,
                    count: self.partitions,
                });
            }
            Some(p) => p,
            None => self.partition_for(r.key),
        };
        let ts = r.timestamp.unwrap_or_else(now_ms);
        let limit = self.batch_limit;
        if self.builders[p as usize].try_append(ts, r.key, r.value, r.headers, limit) {
            return Ok((p, Vec::new()));
        }
        self.seal(p)?;
        let acks = if self.builders[p as usize].sealed().len() >= self.max_request {
            self.send_request(p)?
        } else {
            Vec::new()
        };
        self.builders[p as usize].append(ts, r.key, r.value, r.headers);
        Ok((p, acks))
    }

    /// Finishes a partition's open batch and queues it. When compressing it fails, the
    /// records stay in the open batch, unsent, and the error comes back.
    fn seal(&mut self, p: u32) -> Result<(), ClusterError> {
        let b = &mut self.builders[p as usize];
        if b.is_empty() {
            return Ok(());
        }
        let count = b.len();
        if let Some(id) = self.identity {
            let seq = self.sequences[p as usize];
            b.set_producer(id.producer_id, id.epoch, seq, self.txn.is_some());
        }
        b.seal(0, -1)?;
        self.pending[p as usize].counts.push(count);
        if self.identity.is_some() {
            let seq = &mut self.sequences[p as usize];
            *seq = next_sequence(*seq, count);
        }
        if self.sticky == Some(p) {
            // KIP-480: a new sticky partition once the current one's batch is complete.
            self.sticky = None;
            if self.partitions > 1 {
                let mut next = (self.random() % u64::from(self.partitions)) as u32;
                if next == p {
                    next = (next + 1) % self.partitions;
                }
                self.sticky = Some(next);
            }
        }
        Ok(())
    }

    /// Appends a partition's queued batches in one go.
    fn send_request(&mut self, p: u32) -> Result<Vec<Ack>, ClusterError> {
        if self.builders[p as usize].sealed().is_empty() {
            return Ok(Vec::new());
        }
        self.check_not_ending()?;
        // AddPartitionsToTxn before the partition's first write in the transaction.
        if let Some(t) = &mut self.txn
            && !t.contains(&self.topic, p)
        {
            coordinator::add_partitions(&mut self.cluster, t, &[(self.topic.clone(), p)])?;
        }
        let writer = match &mut self.writers[p as usize] {
            Some(w) => w,
            slot => {
                let mut w = PartitionWriter::new(&self.cluster, &self.topic, p)?;
                w.set_delivery_timeout(
                    Duration::from_millis(self.cfg.delivery_timeout_ms),
                    self.on_offline,
                );
                slot.insert(w)
            }
        };
        let b = &mut self.builders[p as usize];
        let retries = if self.identity.is_some() { RETRIES } else { 0 };
        let (result, retried) = append_retrying(writer, b.sealed(), self.cfg.acks, retries);
        self.tell_events();
        let b = &mut self.builders[p as usize];
        b.clear_sealed();
        let counts = std::mem::take(&mut self.pending[p as usize].counts);
        if refused_before_append(&result, retried)
            && let Some(seq) = self.sequences.get_mut(p as usize)
        {
            // The batches give their sequence numbers back, or the partition would refuse
            // the producer's next batch as out of order.
            *seq = previous_sequence(*seq, counts.iter().sum());
        }
        if self.cfg.acks == Acks::None
            && let Err(e) = &result
            && !matches!(e, ClusterError::Offline { .. })
        {
            // acks=0: the leader could not take the batch (an I/O error, a refusal): as for
            // a Kafka producer that never hears back, not an error, but its records are
            // lost; the caller learns how many from dropped(). (A partition that stayed
            // without a leader past the delivery timeout fails as for every acks: Kafka's
            // producer expires such a batch with a TimeoutException, it never sent it.)
            self.dropped.note(counts.iter().sum(), e.to_string());
            return Ok(counts
                .into_iter()
                .map(|count| Ack {
                    partition: p,
                    base_offset: -1,
                    count,
                    dropped: true,
                })
                .collect());
        }
        if let Err(ClusterError::Offline { .. }) = result {
            // Its delivery timeout passed: like Kafka's expired batches, the records the
            // partition holds after this one fail with it, and are not sent at close.
            b.clear();
        }
        let info = result?;
        let mut next = info.base_offset;
        Ok(counts
            .into_iter()
            .map(|count| {
                let base_offset = if self.cfg.acks == Acks::None {
                    -1
                } else {
                    next
                };
                next += count as i64;
                Ack {
                    partition: p,
                    base_offset,
                    count,
                    dropped: false,
                }
            })
            .collect())
    }

    /// Sends every open batch and queued request.
    pub fn flush(&mut self) -> Result<Vec<Ack>, ClusterError> {
        let mut acks = Vec::new();
        for p in 0..self.partitions {
            self.seal(p)?;
            acks.extend(self.send_request(p)?);
        }
        Ok(acks)
    }

    /// The producer id and epoch batches carry (`None` when not idempotent).
    pub fn identity(&self) -> Option<Identity> {
        self.identity
    }

    /// Takes the transactional id `id` (Kafka's initTransactions): a transaction a previous
    /// holder left open is finished first and that holder fenced; the producer's id and
    /// epoch become the id's. Returns what was finished.
    pub fn init_transactions(
        &mut self,
        id: &str,
        timeout_ms: i32,
    ) -> Result<Option<Completed>, ClusterError> {
        let (t, completed) = coordinator::init(&mut self.cluster, id, timeout_ms)?;
        self.identity = Some(Identity {
            producer_id: t.producer_id,
            epoch: t.epoch,
        });
        // A new epoch numbers its batches from 0 again.
        self.sequences.iter_mut().for_each(|s| *s = 0);
        self.offsets = None;
        self.txn = Some(t);
        Ok(completed)
    }

    /// The transactional id held, if any.
    pub fn transactional_id(&self) -> Option<&str> {
        self.txn.as_ref().map(|t| t.id.as_str())
    }

    /// Whether the producer holds a transactional id.
    pub fn is_transactional(&self) -> bool {
        self.txn.is_some()
    }

    /// Refuses to send while a failed EndTxn waits to be completed ([`Producer::ending`]).
    fn check_not_ending(&self) -> Result<(), ClusterError> {
        if self.ending {
            return Err(ClusterError::Invalid(
                "the transaction's commit or abort failed and may be decided already: call \
                 commit_transaction or abort_transaction again before sending more"
                    .into(),
            ));
        }
        Ok(())
    }

    fn transaction(&mut self) -> Result<&mut Transactional, ClusterError> {
        self.txn.as_mut().ok_or_else(|| {
            ClusterError::Invalid("the producer has no transactional id (init_transactions)".into())
        })
    }

    /// Commits `offsets` for `group` as part of the open transaction (Kafka's
    /// sendOffsetsToTransaction): they become the group's committed offsets when the
    /// transaction commits, and never if it aborts.
    pub fn send_offsets(
        &mut self,
        group: &str,
        committed: &[((String, u32), i64)],
    ) -> Result<(), ClusterError> {
        if committed.is_empty() {
            return Ok(());
        }
        self.check_not_ending()?;
        offsets::ensure_topic(&mut self.cluster)?;
        let partition = offsets::partition_for(group);
        let identity = self.identity;
        let t = self.txn.as_mut().ok_or_else(|| {
            ClusterError::Invalid("the producer has no transactional id (init_transactions)".into())
        })?;
        // AddOffsetsToTxn: the group's offsets partition joins the transaction.
        coordinator::add_partitions(
            &mut self.cluster,
            t,
            &[(offsets::OFFSETS_TOPIC.to_string(), partition)],
        )?;
        let target = match &mut self.offsets {
            Some(o) if o.partition == partition => o,
            slot => slot.insert(OffsetsWriter {
                partition,
                writer: PartitionWriter::new(&self.cluster, offsets::OFFSETS_TOPIC, partition)?,
                sequence: 0,
            }),
        };
        let mut b = BatchBuilder::new(BatchOptions::default());
        let entries = offsets::commit_entries(committed, now_ms());
        offsets::append_records(&mut b, group, &entries, now_ms());
        if let Some(id) = identity {
            b.set_producer(id.producer_id, id.epoch, target.sequence, true);
        }
        let bytes = b.finish(0, -1)?;
        target.sequence = next_sequence(target.sequence, entries.len());
        let (result, retried) = append_retrying(&mut target.writer, bytes, Acks::All, RETRIES);
        if refused_before_append(&result, retried) {
            target.sequence = previous_sequence(target.sequence, entries.len());
        }
        result?;
        Ok(())
    }

    /// Sends everything pending and commits the open transaction (every batch sent is
    /// acknowledged first). Returns the acknowledgements of what this call sent.
    pub fn commit_transaction(&mut self) -> Result<Vec<Ack>, ClusterError> {
        self.transaction()?;
        let acks = self.flush()?;
        let mut t = self
            .txn
            .take()
            .ok_or_else(|| ClusterError::Invalid("no transaction".into()))?;
        let ended = coordinator::end(&mut self.cluster, &mut t, true);
        self.txn = Some(t);
        self.ending = ended.is_err();
        if !ended? {
            return Err(ClusterError::Invalid(
                "the transaction had already been decided to abort (an abort that failed \
                 earlier); it is now aborted"
                    .into(),
            ));
        }
        Ok(acks)
    }

    /// Aborts the open transaction: records not sent yet are dropped, those sent are
    /// marked aborted (read_committed consumers never see them). Returns true when it was
    /// committed instead: a commit that failed after writing its decision (PrepareCommit)
    /// is final, and is completed here.
    pub fn abort_transaction(&mut self) -> Result<bool, ClusterError> {
        self.transaction()?;
        for (p, (b, pending)) in self.builders.iter_mut().zip(&mut self.pending).enumerate() {
            // Sealed batches took their sequence numbers; dropped unsent, they give them
            // back, or the partition would see a gap (OutOfOrderSequence) at the next batch.
            // (Kafka numbers batches as they are sent, so it has none to give back.)
            let dropped: usize = pending.counts.iter().sum();
            if let Some(seq) = self.sequences.get_mut(p) {
                *seq = previous_sequence(*seq, dropped);
            }
            b.clear();
            pending.counts.clear();
        }
        let mut t = self
            .txn
            .take()
            .ok_or_else(|| ClusterError::Invalid("no transaction".into()))?;
        let ended = coordinator::end(&mut self.cluster, &mut t, false);
        self.txn = Some(t);
        self.ending = ended.is_err();
        Ok(ended?)
    }

    /// Sends what is pending, applies retention, and records each replica's recovery
    /// point, high watermark and log start offset in its broker's checkpoint files.
    pub fn close(&mut self) -> Result<Vec<Ack>, ClusterError> {
        let acks = self.flush()?;
        let mut updates = Vec::new();
        if let Some(o) = &mut self.offsets {
            updates.extend(o.writer.finish()?);
        }
        for w in self.writers.iter_mut().flatten() {
            match w.close() {
                Ok(u) => updates.extend(u),
                // A partition that went offline after its last append: its checkpoints
                // wait for the next writer (readers compute the high watermark from the
                // logs themselves); the others are still written.
                Err(ClusterError::Offline { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        self.tell_events();
        writer::write_checkpoints(self.cluster.layout(), &updates)?;
        Ok(acks)
    }
}

/// What [`Producer::on_replica_event`] calls: topic, partition, event.
pub type EventSink = Box<dyn FnMut(&str, u32, &writer::ReplicaEvent)>;
