//! The consumer: where to start in each partition (beginning, end, an offset, the last N,
//! a time), then batches from each partition's leader up to its high watermark, records in
//! offset order per partition. Without `follow` it stops at the high watermarks that
//! existed when it started; with `follow` it keeps polling for more.

use crate::cluster::replica::PartitionView;
use crate::cluster::{Cluster, ClusterError};
use crate::log::{LogCursor, LogError};
use crate::record::{RecordRef, TimestampType};

/// Where a partition's reading starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartOffset {
    /// The log start offset.
    Beginning,
    /// The high watermark (only new records).
    End,
    /// An absolute offset (clamped into the log).
    Offset(i64),
    /// The last N records of each partition.
    Last(u64),
    /// The first record at or after this timestamp (ms).
    Timestamp(i64),
}

/// One record handed to the caller.
#[derive(Debug, Clone, Copy)]
pub struct Fetched<'a> {
    /// Partition.
    pub partition: u32,
    /// The record.
    pub record: RecordRef<'a>,
    /// Its batch's timestamp type.
    pub timestamp_type: TimestampType,
    /// Its batch's leader epoch.
    pub leader_epoch: i32,
}

/// What a poll did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Poll {
    /// Delivered this many records (control records are never delivered).
    Records(usize),
    /// Nothing new right now (follow mode).
    Idle,
    /// Every partition reached the end it had when the consumer started.
    End,
}

struct PartitionFetch {
    partition: u32,
    /// The broker whose log the cursor reads.
    leader: i32,
    cursor: LogCursor,
    /// Offset of the next record to deliver.
    position: i64,
    /// Read up to here (exclusive): the high watermark.
    limit: i64,
    /// Without follow: stop here.
    stop: Option<i64>,
}

/// Reads one topic's partitions.
pub struct Consumer {
    cluster: Cluster,
    topic: String,
    parts: Vec<PartitionFetch>,
    follow: bool,
    next: usize,
}

fn corrupt(e: impl std::fmt::Display, topic: &str, p: u32) -> ClusterError {
    ClusterError::Log(LogError::Corrupt {
        path: format!("{topic}-{p}").into(),
        detail: e.to_string(),
    })
}

impl Consumer {
    /// A consumer of `partitions` (all when `None`) of `topic`, starting at `start`.
    pub fn new(
        cluster: Cluster,
        topic: &str,
        partitions: Option<&[u32]>,
        start: StartOffset,
        follow: bool,
    ) -> Result<Consumer, ClusterError> {
        let t = cluster.topic(topic)?;
        let all: Vec<u32> = t.partitions.iter().map(|p| p.partition).collect();
        let chosen: Vec<u32> = match partitions {
            None => all.clone(),
            Some(list) => {
                for &p in list {
                    if !all.contains(&p) {
                        return Err(ClusterError::UnknownPartition {
                            topic: topic.to_string(),
                            partition: p,
                            count: all.len() as u32,
                        });
                    }
                }
                list.to_vec()
            }
        };
        let starts: Vec<(u32, StartOffset)> = chosen.into_iter().map(|p| (p, start)).collect();
        Consumer::with_starts(cluster, topic, &starts, follow)
    }

    /// A consumer of the given partitions of `topic`, each with its own start (a consumer
    /// group member resuming from committed offsets). Partitions are not checked against
    /// the topic beyond what reading them needs.
    pub fn with_starts(
        cluster: Cluster,
        topic: &str,
        starts: &[(u32, StartOffset)],
        follow: bool,
    ) -> Result<Consumer, ClusterError> {
        let mut parts = Vec::with_capacity(starts.len());
        for &(p, start) in starts {
            let view = PartitionView::read(&cluster, topic, p)?;
            let reader = view.leader_reader(&cluster)?;
            let (lso, hw) = (view.log_start_offset, view.high_watermark);
            let position = match start {
                StartOffset::Beginning => lso,
                StartOffset::End => hw,
                StartOffset::Offset(o) => o.clamp(lso, hw),
                StartOffset::Last(n) => (hw - n.min(i64::MAX as u64) as i64).max(lso),
                StartOffset::Timestamp(ts) => {
                    reader.offset_for_timestamp(ts)?.unwrap_or(hw).max(lso)
                }
            };
            let cursor = reader.cursor(position)?;
            parts.push(PartitionFetch {
                partition: p,
                leader: view.leader,
                cursor,
                position,
                limit: hw,
                stop: (!follow).then_some(hw),
            });
        }
        Ok(Consumer {
            cluster,
            topic: topic.to_string(),
            parts,
            follow,
            next: 0,
        })
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Each partition's next offset.
    pub fn positions(&self) -> Vec<(u32, i64)> {
        self.parts
            .iter()
            .map(|p| (p.partition, p.position))
            .collect()
    }

    /// Each partition's high watermark as last read (when the consumer was made, or at the
    /// last [`Consumer::refresh`]): with [`Consumer::positions`], the lag.
    pub fn high_watermarks(&self) -> Vec<(u32, i64)> {
        self.parts.iter().map(|p| (p.partition, p.limit)).collect()
    }

    /// Re-reads high watermarks (follow mode).
    ///
    /// Follows leadership as a Kafka consumer does after a metadata refresh: when a
    /// partition's leader changed, reading continues from the new leader at the same
    /// position; while a partition has no leader, it waits.
    pub fn refresh(&mut self) -> Result<(), ClusterError> {
        self.cluster.reload()?;
        for p in &mut self.parts {
            let view = PartitionView::read(&self.cluster, &self.topic, p.partition)?;
            if view.leader != p.leader {
                match view.leader_reader(&self.cluster) {
                    Ok(reader) => {
                        // An unclean election can leave the new leader shorter: carry on
                        // from its end, as a consumer reset by OFFSET_OUT_OF_RANGE would.
                        p.position = p.position.min(view.high_watermark);
                        p.cursor = reader.cursor(p.position)?;
                        p.leader = view.leader;
                        p.limit = view.high_watermark;
                    }
                    Err(ClusterError::Offline { .. }) => continue,
                    Err(e) => return Err(e),
                }
            } else {
                p.limit = p.limit.max(view.high_watermark);
            }
        }
        Ok(())
    }

    /// Delivers the records of at most one batch per partition, round-robin, each through
    /// `f`. Control records are skipped.
    ///
    /// Generic over `f` (a `&mut dyn FnMut` works too) so a caller's per-record code is
    /// compiled into the loop: `consume` spends well under a microsecond per record.
    pub fn poll<F>(&mut self, f: &mut F) -> Result<Poll, ClusterError>
    where
        F: FnMut(&Fetched<'_>) -> Result<(), ClusterError> + ?Sized,
    {
        let n = self.parts.len();
        let mut delivered = 0;
        let mut done = 0;
        for i in 0..n {
            let idx = (self.next + i) % n;
            let topic = &self.topic;
            let p = &mut self.parts[idx];
            let limit = p.stop.map_or(p.limit, |s| s.min(p.limit));
            if p.position >= limit {
                if p.stop.is_some() {
                    done += 1;
                }
                continue;
            }
            let Some(batch) = p.cursor.next_batch(limit)? else {
                if p.stop.is_some() {
                    // Below the high watermark but not readable (deleted by retention
                    // meanwhile): nothing more will come without follow.
                    p.stop = Some(p.position);
                }
                continue;
            };
            batch
                .verify_crc()
                .map_err(|e| corrupt(e, topic, p.partition))?;
            let h = *batch.header();
            let data = batch
                .records_data()
                .map_err(|e| corrupt(e, topic, p.partition))?;
            if !h.attributes.is_control() {
                for r in batch
                    .records(&data)
                    .map_err(|e| corrupt(e, topic, p.partition))?
                {
                    let r = r.map_err(|e| corrupt(e, topic, p.partition))?;
                    if r.offset < p.position || r.offset >= limit {
                        continue;
                    }
                    f(&Fetched {
                        partition: p.partition,
                        record: r,
                        timestamp_type: h.attributes.timestamp_type(),
                        leader_epoch: h.partition_leader_epoch,
                    })?;
                    delivered += 1;
                }
            }
            // Control batches (transaction markers) are never returned to the application.
            p.position = p.position.max(h.next_offset().min(limit));
        }
        self.next = (self.next + 1) % n.max(1);
        if delivered > 0 {
            Ok(Poll::Records(delivered))
        } else if !self.follow
            && (done == n
                || self
                    .parts
                    .iter()
                    .all(|p| p.stop.is_some_and(|s| p.position >= s)))
        {
            Ok(Poll::End)
        } else {
            Ok(Poll::Idle)
        }
    }
}
