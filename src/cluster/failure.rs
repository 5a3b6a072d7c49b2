//! Damage, on purpose: what `simulate-failure` does to a replica's files so that every loss
//! scenario of Kafka can be reproduced. Power loss (every byte after the last flush is gone,
//! plus a torn tail), flipped bytes, and a write cut mid-batch. The caller holds the
//! partition's lock; recovery and replication then repair what can be repaired.

use std::path::Path;

use crate::log::checkpoint;
use crate::log::names::{self, LOG_SUFFIX};
use crate::log::partition::{delete_segment_files, list_segments};
use crate::log::stream::BatchStream;
use crate::log::{self, LogReader};
use crate::record::batch::MAX_BATCH_BYTES;

use super::{ClusterError, Layout, io_err};

/// What a simulated failure did to one replica.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Damage {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: u32,
    /// Broker.
    pub broker: i32,
    /// Log end offset before.
    pub log_end_before: i64,
    /// First offset no longer (fully) on disk, if any was lost.
    pub lost_from: Option<i64>,
    /// Bytes removed.
    pub bytes_removed: u64,
    /// Torn bytes left at the end (an incomplete batch).
    pub torn_bytes: u64,
    /// Positions of flipped bytes, with the segment's base offset.
    pub flipped: Vec<(i64, u64)>,
}

impl Damage {
    fn new(topic: &str, partition: u32, broker: i32) -> Damage {
        Damage {
            topic: topic.into(),
            partition,
            broker,
            ..Default::default()
        }
    }
}

/// Byte position of the first batch whose base offset is `offset` or more in `segment`,
/// and that batch's size (0 when none).
fn position_of(segment: &Path, offset: i64) -> Result<(u64, u64), ClusterError> {
    let file = log::io::open_read(segment).map_err(io_err(segment))?;
    let len = log::io::len(&file).map_err(io_err(segment))?;
    let mut stream = BatchStream::new(&file, 0, len, MAX_BATCH_BYTES);
    loop {
        match stream.next() {
            Ok(Some(b)) if b.header().base_offset >= offset => {
                return Ok((b.position(), b.bytes().len() as u64));
            }
            Ok(Some(_)) => {}
            _ => return Ok((stream.position(), 0)),
        }
    }
}

/// The replica folder of `topic`-`partition` on `broker`, refusing a broker that holds no
/// replica of it (there is nothing of the partition there to damage).
pub fn replica_dir(
    cluster: &super::Cluster,
    topic: &str,
    partition: u32,
    broker: i32,
) -> Result<std::path::PathBuf, ClusterError> {
    let p = cluster.partition(topic, partition)?;
    if !p.replicas.contains(&broker) {
        return Err(ClusterError::NoReplica {
            broker,
            topic: topic.to_string(),
            partition,
            replicas: p.replicas.clone(),
        });
    }
    Ok(cluster.layout().replica_dir(broker, topic, partition))
}

/// One framed batch of a segment, with the offsets its header can be trusted for.
#[derive(Debug, Clone, Copy)]
struct Framed {
    position: u64,
    size: u64,
    /// The header's base offset when it is plausible, else where the batch must start
    /// (the previous batch's end): a flipped byte in the offset field, which no CRC
    /// covers, must not be reported as an offset.
    base_offset: i64,
    /// The offset after it, when its CRC checks out (so its offset delta can be trusted).
    next_offset: Option<i64>,
}

/// The framed batches of the segment with base offset `base` in `dir`, up to the first
/// one whose framing is broken.
fn framed_batches(dir: &Path, base: i64) -> Result<Vec<Framed>, ClusterError> {
    let seg = names::segment_path(dir, base, LOG_SUFFIX);
    let file = log::io::open_read(&seg).map_err(io_err(&seg))?;
    let len = log::io::len(&file).map_err(io_err(&seg))?;
    let mut stream = BatchStream::new(&file, 0, len, MAX_BATCH_BYTES);
    let mut out = Vec::new();
    let mut expected = base;
    while let Ok(Some(b)) = stream.next() {
        let h = *b.header();
        // The CRC covers the record count and offset delta, not the base offset.
        let crc_ok = b.verify_crc().is_ok() && h.last_offset_delta >= 0;
        let base_ok = h.base_offset >= expected
            && h.last_offset().saturating_sub(base) <= i64::from(i32::MAX);
        let base_offset = if crc_ok && base_ok {
            h.base_offset
        } else {
            expected
        };
        let next_offset = crc_ok.then(|| base_offset + i64::from(h.last_offset_delta) + 1);
        expected = next_offset.unwrap_or(expected);
        out.push(Framed {
            position: b.position(),
            size: b.bytes().len() as u64,
            base_offset,
            next_offset,
        });
    }
    Ok(out)
}

/// Where a replica's log ends as far as its last segment's trusted headers tell.
fn trusted_log_end(dir: &Path, bases: &[i64]) -> Result<i64, ClusterError> {
    let Some(&last) = bases.last() else {
        return Ok(0);
    };
    Ok(framed_batches(dir, last)?
        .last()
        .map_or(last, |b| b.next_offset.unwrap_or(b.base_offset)))
}

/// Power loss on one replica: everything written after the broker's recovery point (its
/// last flush) is gone, and the batch that was being written is left torn in half.
pub fn power_loss(
    layout: &Layout,
    topic: &str,
    partition: u32,
    broker: i32,
) -> Result<Damage, ClusterError> {
    let dir = layout.replica_dir(broker, topic, partition);
    let mut d = Damage::new(topic, partition, broker);
    if !dir.exists() {
        return Ok(d);
    }
    d.log_end_before = LogReader::open(&dir)?.log_end_offset()?;
    let rp = checkpoint::read_offsets(
        &layout.broker_checkpoint(broker, names::RECOVERY_POINT_CHECKPOINT),
    )?
    .get(&(topic.to_string(), partition))
    .copied()
    .unwrap_or(0);
    if rp >= d.log_end_before {
        return Ok(d);
    }
    d.lost_from = Some(rp);
    let bases = list_segments(&dir, false)?;
    let keep = bases.partition_point(|&b| b <= rp).max(1);
    for &base in &bases[keep..] {
        d.bytes_removed +=
            std::fs::metadata(names::segment_path(&dir, base, LOG_SUFFIX)).map_or(0, |m| m.len());
        delete_segment_files(&dir, base)?;
    }
    let seg = names::segment_path(&dir, bases[keep - 1], LOG_SUFFIX);
    let (pos, next_size) = position_of(&seg, rp)?;
    let len = std::fs::metadata(&seg).map_err(io_err(&seg))?.len();
    let torn = next_size / 2;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&seg)
        .map_err(io_err(&seg))?;
    log::io::set_len(&file, (pos + torn).min(len)).map_err(io_err(&seg))?;
    d.bytes_removed += len.saturating_sub(pos + torn);
    d.torn_bytes = torn.min(len.saturating_sub(pos));
    Ok(d)
}

/// Flips `count` bytes of a replica's segment data, chosen by `seed` (reproducible).
pub fn corrupt(
    layout: &Layout,
    topic: &str,
    partition: u32,
    broker: i32,
    count: u32,
    seed: u64,
) -> Result<Damage, ClusterError> {
    let dir = layout.replica_dir(broker, topic, partition);
    let mut d = Damage::new(topic, partition, broker);
    let bases = list_segments(&dir, false)?;
    let sizes: Vec<u64> = bases
        .iter()
        .map(|&b| {
            std::fs::metadata(names::segment_path(&dir, b, LOG_SUFFIX)).map_or(0, |m| m.len())
        })
        .collect();
    let total: u64 = sizes.iter().sum();
    if total == 0 {
        return Err(ClusterError::NothingToDamage {
            topic: topic.to_string(),
            partition,
            broker,
            what: "holds no data to corrupt",
        });
    }
    // Read from trusted headers only: this replica may be damaged already.
    d.log_end_before = trusted_log_end(&dir, &bases)?;
    let mut rng = seed | 1;
    for _ in 0..count {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut at = rng % total;
        let mut i = 0;
        while at >= sizes[i] {
            at -= sizes[i];
            i += 1;
        }
        let path = names::segment_path(&dir, bases[i], LOG_SUFFIX);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io_err(&path))?;
        let mut b = [0u8; 1];
        log::io::read_exact_at(&file, &mut b, at).map_err(io_err(&path))?;
        // Never a no-op: xor with a non-zero byte.
        b[0] ^= ((rng >> 32) as u8) | 1;
        log::io::write_at(&file, &b, at).map_err(io_err(&path))?;
        d.flipped.push((bases[i], at));
    }
    Ok(d)
}

/// Cuts the active segment in the middle of its last batch, as a write interrupted by a
/// crash leaves it.
pub fn torn_write(
    layout: &Layout,
    topic: &str,
    partition: u32,
    broker: i32,
) -> Result<Damage, ClusterError> {
    let dir = layout.replica_dir(broker, topic, partition);
    let mut d = Damage::new(topic, partition, broker);
    let bases = list_segments(&dir, false)?;
    let Some(&base) = bases.last() else {
        return Err(ClusterError::NothingToDamage {
            topic: topic.to_string(),
            partition,
            broker,
            what: "has no segment",
        });
    };
    let seg = names::segment_path(&dir, base, LOG_SUFFIX);
    let len = std::fs::metadata(&seg).map_err(io_err(&seg))?.len();
    let Some(last) = framed_batches(&dir, base)?.pop() else {
        return Err(ClusterError::NothingToDamage {
            topic: topic.to_string(),
            partition,
            broker,
            what: "holds no batch in its active segment",
        });
    };
    let (pos, size, offset) = (last.position, last.size, last.base_offset);
    d.log_end_before = last.next_offset.unwrap_or(offset);
    let cut = pos + size / 2;
    let w = std::fs::OpenOptions::new()
        .write(true)
        .open(&seg)
        .map_err(io_err(&seg))?;
    log::io::set_len(&w, cut).map_err(io_err(&seg))?;
    d.lost_from = Some(offset);
    d.bytes_removed = len - cut;
    d.torn_bytes = size / 2;
    Ok(d)
}
