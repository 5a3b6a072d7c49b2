//! The cluster's metadata as Kafka 4 keeps it: a replicated `__cluster_metadata` partition
//! of Kafka's own metadata records, kept by a quorum of controllers (KRaft).
//!
//! Where it lives: each voter of the controller quorum (a broker, combined mode) holds a
//! copy in its folder, `broker-N/__cluster_metadata-0/`: log segments, `leader-epoch-
//! checkpoint`, `partition.metadata`, `quorum-state` (the leader and its epoch, the voters),
//! and snapshots (`<end offset>-<epoch>.checkpoint`). What Kafka has no record for lies at
//! the cluster's root: `metadata-notes.jsonl` (the reason of each partition change) and
//! `simulation.json` (which brokers and controllers run, which followers are paused).
//!
//! - [`image`]: Kafka's records folded into a [`ClusterState`] (MetadataImage/Delta);
//! - [`translate`]: filka's changes in Kafka's records;
//! - [`copy`]: one voter's copy of the log: appends, truncation, catching up;
//! - [`checkpoint`]: snapshot files;
//! - [`raft`]: the quorum: who leads, what is committed, a change committed on a majority;
//! - [`load`]: the image every process reads (latest snapshot + log up to the high
//!   watermark);
//! - [`notes`]: the notes file;
//! - [`convert`]: a cluster of the JSON metadata of earlier filka versions, converted.

pub mod checkpoint;
pub mod convert;
pub mod copy;
pub mod history;
pub mod image;
pub mod load;
pub mod notes;
pub mod raft;
pub mod translate;

use crate::cluster::ClusterError;
use crate::record::kraft::records::{
    ApiMessageAndVersion, BeginTransactionRecord, EndTransactionRecord, MetadataRecord,
};
use crate::record::uuid::Uuid;
use crate::record::{BatchBuilder, BatchOptions};

pub use translate::Translated;

/// `Uuid.METADATA_TOPIC_ID`: the topic id of `__cluster_metadata` (its `partition.metadata`).
pub const METADATA_TOPIC_ID: Uuid = Uuid([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
/// The metadata partition's folder name.
pub const METADATA_PARTITION_DIR: &str = crate::cluster::layout::METADATA_LOG;
/// The topic name of the metadata log (never a user topic: `__` names are internal).
pub const METADATA_TOPIC: &str = "__cluster_metadata";

/// Bytes of record values per metadata-log batch: a change of more is framed by
/// Begin/EndTransactionRecords (KIP-868), so it applies whole or not at all.
pub const BATCH_BYTES: usize = 512 * 1024;

/// A record's value in the metadata log (Kafka's `MetadataRecordSerde`).
pub fn encode(record: MetadataRecord) -> Result<Vec<u8>, ClusterError> {
    let what = record.type_name().unwrap_or("unknown record");
    ApiMessageAndVersion::filka(record)
        .encode()
        .map_err(|e| ClusterError::Invalid(format!("cannot encode a {what}: {e}")))
}

/// The records of one change ready to append: the values in batches, and the records
/// themselves (with their transaction markers) in order.
#[derive(Debug, Clone, Default)]
pub struct Planned {
    /// Each batch's record values.
    pub batches: Vec<Vec<Vec<u8>>>,
    /// The records, in the order of the values, markers included.
    pub records: Vec<MetadataRecord>,
    /// Notes of records, by index into `records`.
    pub notes: Vec<(usize, String)>,
}

impl Planned {
    /// How many records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when there is nothing to append.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// Plans a change of `translated` records starting at `first_offset` in batches of at most
/// `batch_bytes` of values: framed by a Begin/EndTransactionRecord pair when it needs more
/// than one batch, or `transaction` says so (`name` names the transaction), broker epochs
/// placed ([`translate::place`]). Errors when one record alone is larger than a batch may
/// be.
pub fn plan(
    translated: Vec<Translated>,
    first_offset: i64,
    batch_bytes: usize,
    name: &str,
    transaction: bool,
) -> Result<Planned, ClusterError> {
    // A record's framing in its batch adds a few bytes to its value.
    const RECORD_OVERHEAD: usize = 16;
    let mut records = Vec::with_capacity(translated.len() + 2);
    let mut notes = Vec::new();
    for (i, t) in translated.into_iter().enumerate() {
        if let Some(n) = t.note {
            notes.push((i, n));
        }
        records.push(t.record);
    }
    let mut sizes = Vec::with_capacity(records.len());
    for r in &records {
        sizes.push(encode(r.clone())?.len() + RECORD_OVERHEAD);
    }
    if let Some((i, size)) = sizes.iter().enumerate().find(|(_, s)| **s > batch_bytes) {
        return Err(ClusterError::Invalid(format!(
            "a {} of {size} bytes is larger than a metadata batch may be ({batch_bytes} bytes)",
            records[i].type_name().unwrap_or("metadata record")
        )));
    }
    if transaction || sizes.iter().sum::<usize>() > batch_bytes {
        records.insert(
            0,
            BeginTransactionRecord {
                name: Some(name.to_string()),
                ..Default::default()
            }
            .into(),
        );
        records.push(EndTransactionRecord::default().into());
        for n in &mut notes {
            n.0 += 1;
        }
    }
    translate::place(&mut records, first_offset);
    let mut batches: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut used = 0;
    for r in &records {
        let v = encode(r.clone())?;
        let n = v.len() + RECORD_OVERHEAD;
        match batches.last_mut() {
            Some(b) if used + n <= batch_bytes => b.push(v),
            _ => {
                batches.push(vec![v]);
                used = 0;
            }
        }
        used += n;
    }
    Ok(Planned {
        batches,
        records,
        notes,
    })
}

/// One batch of metadata record values (keys null), with base offset 0 (the append gives
/// it its offsets) or `base` for a snapshot.
pub fn data_batch(
    values: &[Vec<u8>],
    base: i64,
    epoch: i32,
    now: i64,
) -> Result<Vec<u8>, ClusterError> {
    let mut b = BatchBuilder::new(BatchOptions::default());
    for v in values {
        b.append(now, None, Some(v), &[]);
    }
    Ok(b.build(base, epoch)?)
}

/// One control batch of one control record.
pub fn control_batch(
    record: &crate::record::kraft::control::ControlRecord,
    base: i64,
    epoch: i32,
    now: i64,
) -> Result<Vec<u8>, ClusterError> {
    let value = record
        .value()
        .map_err(|e| ClusterError::Invalid(format!("cannot encode a control record: {e}")))?;
    let mut b = BatchBuilder::new(BatchOptions {
        control: true,
        ..BatchOptions::default()
    });
    b.append(now, Some(&record.key()), Some(&value), &[]);
    Ok(b.build(base, epoch)?)
}
