//! The producer: Kafka's default partitioner (murmur2 for keyed records, sticky partitions
//! for null keys), one batch per partition filled up to `batch.size`, compression, and
//! acks. Batches are appended through [`PartitionWriter`], which replicates them.
//!
//! A record is acknowledged only after its batch is in every replica the acks setting
//! waits for; [`Ack`]s report that, and nothing is reported before it.

use std::time::Duration;

use crate::cluster::topic::TopicCompression;
use crate::cluster::writer::{self, PartitionWriter};
use crate::cluster::{Cluster, ClusterError, now_ms};
use crate::record::{BatchBuilder, BatchOptions, Compression, HeaderRef, hash};

/// Kafka's default `batch.size`.
pub const DEFAULT_BATCH_SIZE: usize = 16_384;

pub use crate::cluster::writer::Acks;

/// Producer settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerConfig {
    /// Bytes (uncompressed) per batch before it is sent.
    pub batch_size: usize,
    /// Codec; `None` takes the topic's `compression.type` (none for `producer`).
    pub compression: Option<Compression>,
    /// Acknowledgement level.
    pub acks: Acks,
    /// How long a batch waits for its partition to have a leader again (Kafka's
    /// `delivery.timeout.ms`); then the send fails as offline.
    pub delivery_timeout_ms: u64,
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

/// A batch that reached its replicas: records `base_offset..base_offset + count` of
/// `partition`, in the order they were sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack {
    /// Partition.
    pub partition: u32,
    /// Offset of the batch's first record (-1 with acks=0).
    pub base_offset: i64,
    /// Records in the batch.
    pub count: usize,
}

/// Kafka's default `max.request.size`: finished batches of a partition are appended
/// together (one lock, one write) up to this many bytes.
pub const MAX_REQUEST_SIZE: usize = 1 << 20;
/// All partitions' pending requests together stay under this (bounded memory).
const PENDING_MEMORY: usize = 16 << 20;

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
    sticky: Option<u32>,
    rng: u64,
    /// Called when a send starts waiting for a partition to have a leader.
    on_offline: Option<fn(&ClusterError)>,
}

impl Producer {
    /// A producer for an existing topic.
    pub fn new(
        cluster: Cluster,
        topic: &str,
        cfg: ProducerConfig,
    ) -> Result<Producer, ClusterError> {
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
        Ok(Producer {
            topic: topic.to_string(),
            partitions,
            cfg,
            codec,
            writers: (0..partitions).map(|_| None).collect(),
            builders: (0..partitions).map(|_| BatchBuilder::new(opts)).collect(),
            pending: (0..partitions).map(|_| Pending::default()).collect(),
            max_request: (PENDING_MEMORY / partitions.max(1) as usize)
                .clamp(cfg.batch_size, MAX_REQUEST_SIZE.max(cfg.batch_size)),
            sticky: None,
            rng: (now_ms() as u64) ^ (u64::from(std::process::id()) << 32) | 1,
            on_offline: None,
            cluster,
        })
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
    /// queue is sent. Returns the acknowledgements of the batches sent by this call.
    pub fn send(&mut self, r: &ProducerRecord<'_>) -> Result<Vec<Ack>, ClusterError> {
        Ok(self.send_partitioned(r)?.1)
    }

    /// [`Producer::send`], also saying which partition the record went to (the acks
    /// returned are for earlier records: this one is in its partition's open batch).
    pub fn send_partitioned(
        &mut self,
        r: &ProducerRecord<'_>,
    ) -> Result<(u32, Vec<Ack>), ClusterError> {
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
        let limit = self.cfg.batch_size;
        if self.builders[p as usize].try_append(ts, r.key, r.value, r.headers, limit) {
            return Ok((p, Vec::new()));
        }
        self.seal(p);
        let acks = if self.builders[p as usize].sealed().len() >= self.max_request {
            self.send_request(p)?
        } else {
            Vec::new()
        };
        self.builders[p as usize].append(ts, r.key, r.value, r.headers);
        Ok((p, acks))
    }

    /// Finishes a partition's open batch and queues it.
    fn seal(&mut self, p: u32) {
        let b = &mut self.builders[p as usize];
        if b.is_empty() {
            return;
        }
        self.pending[p as usize].counts.push(b.len());
        b.seal(0, -1);
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
    }

    /// Appends a partition's queued batches in one go.
    fn send_request(&mut self, p: u32) -> Result<Vec<Ack>, ClusterError> {
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
        if b.sealed().is_empty() {
            return Ok(Vec::new());
        }
        let result = writer.append(b.sealed(), self.cfg.acks);
        b.clear_sealed();
        let counts = std::mem::take(&mut self.pending[p as usize].counts);
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
                }
            })
            .collect())
    }

    /// Sends every open batch and queued request.
    pub fn flush(&mut self) -> Result<Vec<Ack>, ClusterError> {
        let mut acks = Vec::new();
        for p in 0..self.partitions {
            self.seal(p);
            acks.extend(self.send_request(p)?);
        }
        Ok(acks)
    }

    /// Sends what is pending, applies retention, and records each replica's recovery
    /// point, high watermark and log start offset in its broker's checkpoint files.
    pub fn close(&mut self) -> Result<Vec<Ack>, ClusterError> {
        let acks = self.flush()?;
        let mut updates = Vec::new();
        for w in self.writers.iter_mut().flatten() {
            match w.finish() {
                Ok(u) => updates.extend(u),
                // A partition that went offline after its last append: its checkpoints
                // wait for the next writer (readers compute the high watermark from the
                // logs themselves); the others are still written.
                Err(ClusterError::Offline { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        writer::write_checkpoints(self.cluster.layout(), &updates)?;
        Ok(acks)
    }
}
