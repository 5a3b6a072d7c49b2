//! The consumer: where to start in each partition (beginning, end, an offset, the last N,
//! a time), then batches from each partition's leader up to its high watermark, records in
//! offset order per partition. Without `follow` it stops at the high watermarks that
//! existed when it started; with `follow` it keeps polling for more.
//!
//! Isolation, as Kafka's `isolation.level`: read_uncommitted (the default) reads up to the
//! high watermark; read_committed reads up to the last stable offset (the first offset of
//! the oldest transaction still open, from the leader's producer state, kept up to date
//! incrementally) and skips the batches of aborted transactions (the `.txnindex`).
//! Control batches (transaction markers) are never delivered, unless asked for with
//! [`Consumer::with_markers`] (for readers of internal topics).

use crate::cluster::replica::PartitionView;
use crate::cluster::topic::CleanupPolicy;
use crate::cluster::{Cluster, ClusterError, now_ms};
use crate::log::producer_state::CompletedTxn;
use crate::log::txn_index::AbortedTxn;
use crate::log::{LogCursor, LogError, LogReader, ProducerState};
use crate::record::control::{EndTxnMarker, end_txn_marker};
use crate::record::{RecordRef, TimestampType};

/// Which records a consumer may see (Kafka's `isolation.level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Isolation {
    /// Up to the high watermark, aborted and open transactions included.
    #[default]
    ReadUncommitted,
    /// Up to the last stable offset; aborted transactions skipped.
    ReadCommitted,
}

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
    /// Its batch's producer id (-1 when not idempotent).
    pub producer_id: i64,
    /// Its batch is part of a transaction.
    pub transactional: bool,
    /// A transaction marker (only with [`Consumer::with_markers`]); `record` is then the
    /// marker's control record.
    pub marker: Option<EndTxnMarker>,
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
    /// read_committed: what the last stable offset is made of.
    committed: Option<Committed>,
}

impl PartitionFetch {
    /// Reads on from the partition's new leader (`view`, its log `reader`) at the same
    /// position. An unclean election can leave the new leader shorter: then it carries on
    /// from its end, as a consumer reset by OFFSET_OUT_OF_RANGE would. Only then: a new
    /// leader whose high watermark is still behind the position (its followers catching up)
    /// is read from the position once it gets there; going back to it re-read records, and
    /// a pipe processed them twice (found by the nemesis run).
    fn follow_leader(
        &mut self,
        cluster: &Cluster,
        view: &PartitionView,
        reader: &LogReader,
    ) -> Result<(), ClusterError> {
        self.position = self.position.min(view.log_end_offset);
        self.cursor = reader.cursor(self.position)?;
        self.leader = view.leader;
        self.limit = view.high_watermark;
        if self.committed.is_some() {
            let mut c = Committed::open(view.leader_reader(cluster)?, view.high_watermark)?;
            self.limit = c.last_stable_offset(view.high_watermark)?;
            self.committed = Some(c);
        }
        Ok(())
    }
}

/// A read_committed partition: the leader's producer state up to the high watermark, and
/// the aborted transactions of the range being read.
struct Committed {
    reader: LogReader,
    state: ProducerState,
    /// Aborted transactions overlapping `[position, aborted_to)`.
    aborted: Vec<AbortedTxn>,
    aborted_to: i64,
    /// Aborted transactions whose markers the producer state's replay met: their
    /// `.txnindex` entries are written after the markers, so a reader may find the marker
    /// below the high watermark (it counts for the last stable offset) before the entry,
    /// or without it until a writer recovers the log after its writer died in between.
    replayed: Vec<AbortedTxn>,
}

/// Keeps the aborted ones of the transactions a replay completed.
fn collect_aborts(into: &mut Vec<AbortedTxn>) -> impl FnMut(&CompletedTxn) + '_ {
    |done| {
        if done.is_aborted {
            into.push(AbortedTxn {
                version: 0,
                producer_id: done.producer_id,
                first_offset: done.first_offset,
                last_offset: done.last_offset,
                last_stable_offset: done.last_stable_offset,
            });
        }
    }
}

impl Committed {
    fn open(reader: LogReader, high_watermark: i64) -> Result<Committed, ClusterError> {
        let mut replayed = Vec::new();
        let state = ProducerState::load_for_reader_with(
            reader.dir(),
            high_watermark,
            &mut collect_aborts(&mut replayed),
        )?;
        Ok(Committed {
            reader,
            state,
            aborted: Vec::new(),
            aborted_to: i64::MIN,
            replayed,
        })
    }

    /// The last stable offset now, the producer state advanced to `high_watermark`.
    fn last_stable_offset(&mut self, high_watermark: i64) -> Result<i64, ClusterError> {
        if high_watermark > self.state.end_offset() {
            self.state.advance_with(
                self.reader.dir(),
                high_watermark,
                &mut collect_aborts(&mut self.replayed),
            )?;
        }
        Ok(self
            .state
            .last_stable_offset(high_watermark)
            .max(self.reader.first_offset()))
    }

    /// Whether the batch starting at `base` from `producer_id` belongs to an aborted
    /// transaction, knowing the aborted ones up to `limit`.
    fn aborted(
        &mut self,
        producer_id: i64,
        base: i64,
        position: i64,
        limit: i64,
    ) -> Result<bool, ClusterError> {
        if self.aborted_to < limit {
            self.aborted = self.reader.aborted_transactions(position, limit)?;
            self.aborted_to = limit;
            self.replayed.retain(|a| a.last_offset >= position);
        }
        Ok(self.aborted.iter().chain(&self.replayed).any(|a| {
            a.producer_id == producer_id && a.first_offset <= base && base <= a.last_offset
        }))
    }
}

/// Reads one topic's partitions.
pub struct Consumer {
    cluster: Cluster,
    topic: String,
    parts: Vec<PartitionFetch>,
    follow: bool,
    next: usize,
    isolation: Isolation,
    markers: bool,
    /// Told of every batch a poll reads ([`Consumer::on_batch`]).
    on_batch: Option<BatchObserver>,
    /// Told when a partition's leader failed and reading moved to another replica.
    on_notice: Option<NoticeSink>,
    /// Such notices from before `on_notice` was set (while the consumer was made).
    notices: Vec<String>,
    /// The topic's logs hold every offset from their start to their end: its
    /// cleanup.policy is delete (nothing compacts it), so a batch that starts past the
    /// position is offsets lost (a segment removed, a base offset damaged), not a gap
    /// compaction left.
    dense: bool,
    /// The retention check (ms) as of which every position was last held at or above its
    /// partition's log start ([`Consumer::follow_log_start`]).
    log_start_checked: Option<i64>,
    /// The cluster's `log.retention.check.interval.ms` (read again at each refresh).
    retention_check_ms: i64,
}

/// What [`Consumer::on_notice`] calls with a line to say.
pub type NoticeSink = Box<dyn FnMut(&str)>;

/// What [`Consumer::on_batch`] calls.
pub type BatchObserver = Box<dyn FnMut(&BatchRead)>;

/// A batch a poll read, as a Kafka fetch response carries it: for callers that show what
/// was fetched (`consume -vv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchRead {
    /// Partition.
    pub partition: u32,
    /// The broker whose replica it was read from (the leader).
    pub leader: i32,
    /// First and last offset of the batch.
    pub base_offset: i64,
    /// Last offset of the batch.
    pub last_offset: i64,
    /// Records it holds.
    pub records: i32,
    /// Its size on disk.
    pub bytes: usize,
    /// Its codec.
    pub compression: crate::record::Compression,
    /// The leader epoch it was written in.
    pub leader_epoch: i32,
    /// A control batch (a transaction marker): never delivered as records.
    pub control: bool,
    /// Skipped whole: a read_committed reader's aborted transaction.
    pub aborted: bool,
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
        Consumer::new_isolated(
            cluster,
            topic,
            partitions,
            start,
            follow,
            Isolation::ReadUncommitted,
        )
    }

    /// [`Consumer::new`] at an isolation level.
    pub fn new_isolated(
        cluster: Cluster,
        topic: &str,
        partitions: Option<&[u32]>,
        start: StartOffset,
        follow: bool,
        isolation: Isolation,
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
        Consumer::with_isolation(cluster, topic, &starts, follow, isolation)
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
        Consumer::with_isolation(cluster, topic, starts, follow, Isolation::ReadUncommitted)
    }

    /// [`Consumer::with_starts`] at an isolation level. Under read_committed, `End` and
    /// `Last(n)` count from the last stable offset, and without `follow` reading stops at
    /// the last stable offset that existed at the start (Kafka's end offsets then).
    pub fn with_isolation(
        cluster: Cluster,
        topic: &str,
        starts: &[(u32, StartOffset)],
        follow: bool,
        isolation: Isolation,
    ) -> Result<Consumer, ClusterError> {
        let mut cluster = cluster;
        let mut parts = Vec::with_capacity(starts.len());
        let mut notices = Vec::new();
        for &(p, start) in starts {
            let mut failed = 0;
            let fetch = loop {
                match open_fetch(&cluster, topic, p, start, follow, isolation) {
                    // The leader's files are damaged or gone: it goes offline, another
                    // in-sync replica leads, and reading starts there.
                    Err(ClusterError::ReplicaDamaged { broker, reason, .. })
                        if failed < cluster.partition(topic, p)?.replicas.len() =>
                    {
                        failed += 1;
                        if crate::cluster::failover::replica_failed(
                            &mut cluster,
                            topic,
                            p,
                            broker,
                            &reason,
                        )?
                        .is_none()
                        {
                            // No in-sync replica to read instead: the damage is the error.
                            return Err(ClusterError::ReplicaDamaged {
                                topic: topic.to_string(),
                                partition: p,
                                broker,
                                reason,
                            });
                        }
                        cluster.reload()?;
                        let now = cluster.partition(topic, p)?.leader;
                        notices.push(format!(
                            "{topic}-{p}: the replica on broker {broker} failed ({reason}) and is \
                             offline until its broker restarts; reading from the new leader, \
                             broker {now}"
                        ));
                    }
                    r => break r?,
                }
            };
            parts.push(fetch);
        }
        let dense = cluster.topic_config(topic)?.cleanup_policy == CleanupPolicy::Delete;
        Ok(Consumer {
            on_batch: None,
            on_notice: None,
            notices,
            dense,
            log_start_checked: None,
            retention_check_ms: cluster.settings().retention_check_interval_ms,
            cluster,
            topic: topic.to_string(),
            parts,
            follow,
            next: 0,
            isolation,
            markers: false,
        })
    }

    /// Adds partitions of the topic (partitions it gained while a `follow` consumer ran),
    /// each with its own start; partitions already read are left as they are.
    pub fn add_partitions(&mut self, starts: &[(u32, StartOffset)]) -> Result<(), ClusterError> {
        let fresh: Vec<(u32, StartOffset)> = starts
            .iter()
            .filter(|(p, _)| self.parts.iter().all(|q| q.partition != *p))
            .copied()
            .collect();
        let more = Consumer::with_isolation(
            self.cluster.clone(),
            &self.topic,
            &fresh,
            self.follow,
            self.isolation,
        )?;
        self.parts.extend(more.parts);
        Ok(())
    }

    /// Delivers transaction markers too (as [`Fetched`] with `marker` set), for readers
    /// that apply transactions themselves (`__consumer_offsets`).
    pub fn with_markers(mut self) -> Consumer {
        self.markers = true;
        self
    }

    /// The isolation level.
    pub fn isolation(&self) -> Isolation {
        self.isolation
    }

    /// Under read_committed: whether some partition's last stable offset is held below its
    /// high watermark by an open transaction (one a dead producer left open is aborted by
    /// whoever runs the transaction coordinator's checks, see txn::coordinator).
    pub fn blocked_by_open_transactions(&self) -> Result<bool, ClusterError> {
        for p in &self.parts {
            if p.committed.is_some() {
                let view = PartitionView::read(&self.cluster, &self.topic, p.partition)?;
                if p.limit < view.high_watermark {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Each partition's position, as [`Consumer::positions`], with the broker it is read
    /// from (its leader when the consumer was made or last refreshed).
    pub fn positions_and_leaders(&self) -> Vec<(u32, i64, i32)> {
        self.parts
            .iter()
            .map(|p| (p.partition, p.position, p.leader))
            .collect()
    }

    /// Calls `f` for every batch a poll reads (control and skipped ones included).
    pub fn on_batch(&mut self, f: BatchObserver) {
        self.on_batch = Some(f);
    }

    /// Calls `f` with a line to say when a partition's leader was found damaged and
    /// reading moved to the new leader.
    pub fn on_notice(&mut self, mut f: NoticeSink) {
        for n in self.notices.drain(..) {
            f(&n);
        }
        self.on_notice = Some(f);
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
        let mut damaged = Vec::new();
        for (idx, p) in self.parts.iter_mut().enumerate() {
            let view = PartitionView::read(&self.cluster, &self.topic, p.partition)?;
            if view.leader != p.leader {
                match view.leader_reader(&self.cluster) {
                    Ok(reader) => p.follow_leader(&self.cluster, &view, &reader)?,
                    Err(ClusterError::Offline { .. }) => continue,
                    // The new leader's files are damaged too: it fails as well.
                    Err(e) if e.is_damage() => {
                        p.leader = view.leader;
                        damaged.push((idx, e));
                    }
                    Err(e) => return Err(e),
                }
            } else {
                let end = match &mut p.committed {
                    Some(c) => c.last_stable_offset(view.high_watermark)?,
                    None => view.high_watermark,
                };
                p.limit = p.limit.max(end);
                if let Some(line) = skip_to_log_start(p, &view, &self.cluster, &self.topic)? {
                    self.notices.push(line);
                }
            }
        }
        let settings = self.cluster.settings();
        self.retention_check_ms = settings.retention_check_interval_ms;
        self.log_start_checked = Some(settings.last_retention_check(now_ms()));
        self.tell_notices();
        for (idx, e) in damaged {
            self.fail_over(idx, e)?;
        }
        Ok(())
    }

    /// Hands the notices gathered so far to the sink, when there is one.
    fn tell_notices(&mut self) {
        if let Some(sink) = &mut self.on_notice {
            for n in self.notices.drain(..) {
                sink(&n);
            }
        }
    }

    /// At each new retention check, moves every position below its leader's log start up
    /// to it, as a fresh reader would start there: retention at that check hid the
    /// segments below, even where their files are still on disk (or open in this
    /// consumer's cursor). Kafka's broker answers a fetch below the log start with
    /// OFFSET_OUT_OF_RANGE, and the consumer resets its position; a following consumer
    /// (which reads a partition for as long as it runs) would otherwise read on through
    /// records a fresh one no longer sees. Between checks the log start only moves by
    /// writers' deletions at the same check, so once per check is exact.
    fn follow_log_start(&mut self) -> Result<(), ClusterError> {
        let now = now_ms();
        let check = now - now.rem_euclid(self.retention_check_ms.max(1));
        if self.log_start_checked == Some(check) {
            return Ok(());
        }
        for p in &mut self.parts {
            let view = match PartitionView::read(&self.cluster, &self.topic, p.partition) {
                Ok(v) => v,
                // Leadership and damage are refresh's and the poll's to handle.
                Err(e) if e.is_damage() => continue,
                Err(ClusterError::Offline { .. }) => continue,
                Err(e) => return Err(e),
            };
            if view.leader != p.leader {
                continue;
            }
            if let Some(line) = skip_to_log_start(p, &view, &self.cluster, &self.topic)? {
                self.notices.push(line);
            }
        }
        self.log_start_checked = Some(check);
        self.tell_notices();
        Ok(())
    }

    /// One partition's turn in [`Consumer::poll`]: at most one batch.
    fn poll_partition<F>(
        &mut self,
        idx: usize,
        f: &mut F,
        delivered: &mut usize,
        done: &mut usize,
    ) -> Result<(), ClusterError>
    where
        F: FnMut(&Fetched<'_>) -> Result<(), ClusterError> + ?Sized,
    {
        let topic = &self.topic;
        let p = &mut self.parts[idx];
        let limit = p.stop.map_or(p.limit, |s| s.min(p.limit));
        if p.position >= limit {
            if p.stop.is_some() {
                *done += 1;
            }
            return Ok(());
        }
        let Some(batch) = p.cursor.next_batch_to(limit, p.limit)? else {
            if p.stop.is_some() {
                // Below the high watermark but not readable (deleted by retention
                // meanwhile): nothing more will come without follow.
                p.stop = Some(p.position);
            }
            return Ok(());
        };
        batch
            .verify_crc()
            .map_err(|e| corrupt(e, topic, p.partition))?;
        let h = *batch.header();
        if self.dense && h.base_offset > p.position {
            // Offsets position..base are not in the log: retention deleted them meanwhile
            // (the log starts past the position now), or the log lost them, which would
            // otherwise skip those records without a word.
            let dir = self
                .cluster
                .layout()
                .replica_dir(p.leader, topic, p.partition);
            if LogReader::open(&dir)?.first_offset() <= p.position {
                return Err(ClusterError::Log(LogError::Corrupt {
                    path: dir,
                    detail: format!(
                        "offsets {}..{} are missing: the next batch starts at offset {} \
                         (cleanup.policy=delete leaves no gaps: a segment is missing or a base \
                         offset is damaged)",
                        p.position,
                        h.base_offset - 1,
                        h.base_offset
                    ),
                }));
            }
        }
        let control = h.attributes.is_control();
        // read_committed: an aborted transaction's batches are skipped whole.
        let skip = match &mut p.committed {
            Some(c) if h.attributes.is_transactional() && !control => {
                c.aborted(h.producer_id, h.base_offset, p.position, limit)?
            }
            _ => false,
        };
        if let Some(observe) = &mut self.on_batch {
            observe(&BatchRead {
                partition: p.partition,
                leader: p.leader,
                base_offset: h.base_offset,
                last_offset: h.last_offset(),
                records: h.records_count,
                bytes: h.size(),
                compression: batch.compression(),
                leader_epoch: h.partition_leader_epoch,
                control,
                aborted: skip,
            });
        }
        if !skip && (!control || self.markers) {
            let data = batch
                .records_data()
                .map_err(|e| corrupt(e, topic, p.partition))?;
            for r in batch
                .records(&data)
                .map_err(|e| corrupt(e, topic, p.partition))?
            {
                let r = r.map_err(|e| corrupt(e, topic, p.partition))?;
                if r.offset < p.position || r.offset >= limit {
                    continue;
                }
                let marker = if control {
                    let Some(m) = end_txn_marker(r.key, r.value) else {
                        continue;
                    };
                    Some(m)
                } else {
                    None
                };
                f(&Fetched {
                    partition: p.partition,
                    record: r,
                    timestamp_type: h.attributes.timestamp_type(),
                    leader_epoch: h.partition_leader_epoch,
                    producer_id: h.producer_id,
                    transactional: h.attributes.is_transactional(),
                    marker,
                })?;
                if !control {
                    *delivered += 1;
                }
                // Each record delivered moves the position, so that reading again after a
                // failover in the middle of a batch delivers no record twice.
                p.position = p.position.max(r.offset + 1);
            }
        }
        // Control batches (transaction markers) are never returned to the application.
        p.position = p.position.max(h.next_offset().min(limit));
        Ok(())
    }

    /// The leader of partition `parts[idx]` met damage (`why`): takes its replica offline
    /// (a new leader is elected from the ISR, see cluster::failover) and reads on from the
    /// new leader at the same position. With no in-sync replica left, `why` is the error.
    fn fail_over(&mut self, idx: usize, why: ClusterError) -> Result<(), ClusterError> {
        let (partition, broker) = (self.parts[idx].partition, self.parts[idx].leader);
        let reason = why.to_string();
        if crate::cluster::failover::replica_failed(
            &mut self.cluster,
            &self.topic,
            partition,
            broker,
            &reason,
        )?
        .is_none()
        {
            // No in-sync replica to read instead: the damage is the error.
            return Err(why);
        }
        self.cluster.reload()?;
        let view = PartitionView::read(&self.cluster, &self.topic, partition)?;
        let reader = match view.leader_reader(&self.cluster) {
            Ok(r) => r,
            Err(ClusterError::Offline { .. }) => return Err(why),
            Err(e) => return Err(e),
        };
        self.parts[idx].follow_leader(&self.cluster, &view, &reader)?;
        if let Some(notice) = &mut self.on_notice {
            notice(&format!(
                "{}-{partition}: the replica on broker {broker} failed ({reason}) and is \
                 offline until its broker restarts; reading on from the new leader, broker {}",
                self.topic, view.leader
            ));
        }
        Ok(())
    }

    /// Delivers the records of at most one batch per partition, round-robin, each through
    /// `f`, reading on past batches that deliver nothing (for at most
    /// [`SKIP_BUDGET`]). Control records are skipped.
    ///
    /// Generic over `f` (a `&mut dyn FnMut` works too) so a caller's per-record code is
    /// compiled into the loop: `consume` spends well under a microsecond per record.
    pub fn poll<F>(&mut self, f: &mut F) -> Result<Poll, ClusterError>
    where
        F: FnMut(&Fetched<'_>) -> Result<(), ClusterError> + ?Sized,
    {
        let n = self.parts.len();
        let mut delivered = 0;
        let mut done;
        // Batches that deliver nothing (compaction's empty batches, transaction markers,
        // aborted batches under read_committed) still move the position: read on past them
        // in this poll, as a Kafka fetch does, rather than report an idle poll (which makes
        // the caller wait) per such batch.
        let started = std::time::Instant::now();
        self.follow_log_start()?;
        loop {
            let before: i64 = self.parts.iter().map(|p| p.position).sum();
            done = 0;
            for i in 0..n {
                let idx = (self.next + i) % n;
                match self.poll_partition(idx, f, &mut delivered, &mut done) {
                    // The leader's log is damaged: as a Kafka broker whose log dir failed,
                    // the replica goes offline and another in-sync replica leads; reading
                    // goes on from there at the same offset.
                    Err(e) if e.is_damage() => self.fail_over(idx, e)?,
                    r => r?,
                }
            }
            let after: i64 = self.parts.iter().map(|p| p.position).sum();
            // Bounded, so that a long run of such batches still returns to the caller's
            // timeout, heartbeat and shutdown checks.
            if delivered > 0 || after <= before || started.elapsed() >= SKIP_BUDGET {
                break;
            }
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

/// How long one [`Consumer::poll`] reads on past batches that deliver nothing before it
/// returns to its caller.
pub const SKIP_BUDGET: std::time::Duration = std::time::Duration::from_millis(100);

/// Moves `p`'s position up to `view`'s log start when it is below (the leader is the
/// same), with a line saying what was skipped; `None` when it is not below.
fn skip_to_log_start(
    p: &mut PartitionFetch,
    view: &PartitionView,
    cluster: &Cluster,
    topic: &str,
) -> Result<Option<String>, ClusterError> {
    let start = view.log_start_offset;
    if p.position >= start {
        return Ok(None);
    }
    let reader = view.leader_reader(cluster)?;
    let line = format!(
        "{topic}-{}: offsets {}..{} were deleted (retention) before they were read; reading \
         on from the log start offset {start}, as a new reader starts",
        p.partition,
        p.position,
        start - 1
    );
    p.position = start;
    p.cursor = reader.cursor(start)?;
    Ok(Some(line))
}

/// Opens partition `p` of `topic` for reading from its leader at `start`.
fn open_fetch(
    cluster: &Cluster,
    topic: &str,
    p: u32,
    start: StartOffset,
    follow: bool,
    isolation: Isolation,
) -> Result<PartitionFetch, ClusterError> {
    let view = PartitionView::read(cluster, topic, p)?;
    let reader = view.leader_reader(cluster)?;
    let mut committed = match isolation {
        Isolation::ReadUncommitted => None,
        Isolation::ReadCommitted => Some(Committed::open(
            view.leader_reader(cluster)?,
            view.high_watermark,
        )?),
    };
    let hw = match &mut committed {
        Some(c) => c.last_stable_offset(view.high_watermark)?,
        None => view.high_watermark,
    };
    let lso = view.log_start_offset;
    let position = match start {
        StartOffset::Beginning => lso,
        StartOffset::End => hw,
        // Kafka serves any fetch offset up to the leader's log end: one above the high
        // watermark (or the last stable offset) waits there for it. Clamped down to it, a
        // reader whose metadata computed it low went back over records its owner had
        // already processed and committed (the nemesis run's pipe duplicates).
        StartOffset::Offset(o) => o.clamp(lso, hw.max(view.log_end_offset)),
        StartOffset::Last(n) => (hw - n.min(i64::MAX as u64) as i64).max(lso),
        StartOffset::Timestamp(ts) => reader.offset_for_timestamp(ts)?.unwrap_or(hw).max(lso),
    };
    let cursor = reader.cursor(position)?;
    Ok(PartitionFetch {
        partition: p,
        leader: view.leader,
        cursor,
        position,
        limit: hw,
        stop: (!follow).then_some(hw),
        committed,
    })
}
