//! The controller quorum, Raft as KRaft runs it, with filka's processes taking turns as the
//! active controller under the controller lock.
//!
//! - The voters are listed in every voter's `quorum-state` (a static quorum, kraft.version
//!   0). The leader and its epoch are the ones of the newest `quorum-state`.
//! - A voter counts while its node and its controller run (`simulation.json`). With fewer
//!   than a majority counting, nothing is committed: every metadata change, elections of
//!   partition leaders included, is refused ([`ClusterError::NoQuorum`]), Kafka's rule.
//! - When the leader does not run, the running voter with the longest log (last epoch, then
//!   end offset; the lowest id on a tie) becomes leader with the next epoch: its
//!   `quorum-state` is written on every running voter and a LeaderChangeMessage opens its
//!   epoch in the log.
//! - Before appending, the leader brings every running follower's copy in line with its own
//!   (divergent tails cut, missing batches copied). A change is appended to the leader's
//!   copy, then each running follower's, each fsynced; it is committed once a majority of
//!   the voters have it. Short of that, every copy written is cut back and the change fails.
//! - The high watermark, what readers may read, is the end offset a majority of the copies
//!   reach: the majority-th largest end. Entries written on fewer copies (by a controller
//!   that died mid-change) are not read until the next controller replicates them.
//!
//! Must not: take locks (callers hold the controller lock to write), or print.

use std::path::{Path, PathBuf};

use super::copy::{self, CopyState, Mark};
use super::{METADATA_PARTITION_DIR, Planned, control_batch, data_batch};
use crate::cluster::layout::Layout;
use crate::cluster::metadata::ClusterState;
use crate::cluster::quorum::{self, QUORUM_STATE_FILE, QuorumState, SnapshotId};
use crate::cluster::settings::{ClusterSettings, MetadataLogSettings};
use crate::cluster::{ClusterError, locate};
use crate::log::LogReader;
use crate::record::kraft::control::{ControlRecord, LeaderChangeMessage, Voter};

/// A voter's copy folder.
pub fn copy_dir(layout: &Layout, voter: i32) -> PathBuf {
    layout.metadata_copy(voter)
}

/// The quorum as the files say, read without a lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumView {
    /// The voters, by id.
    pub voters: Vec<i32>,
    /// The leader (-1: none yet).
    pub leader: i32,
    /// Its epoch.
    pub epoch: i32,
    /// Each voter's copy, in the order of `voters`.
    pub copies: Vec<CopyState>,
    /// The end offset a majority of the copies reach: what is committed.
    pub high_watermark: i64,
}

/// The voters, from the `quorum-state` of the first node folder that has one; `None`
/// when no node folder holds a copy of the metadata log.
pub fn voters(root: &Path) -> Result<Option<Vec<i32>>, ClusterError> {
    for (_, dir) in locate::node_folders(root) {
        let copy = dir.join(METADATA_PARTITION_DIR);
        if copy.join(QUORUM_STATE_FILE).is_file()
            && let Some(q) = QuorumState::read(&copy)?
            && !q.voters.is_empty()
        {
            return Ok(Some(q.voters));
        }
    }
    Ok(None)
}

impl QuorumView {
    /// Reads the quorum of the cluster at `layout`; `None` when it has no KRaft metadata.
    pub fn read(layout: &Layout) -> Result<Option<QuorumView>, ClusterError> {
        if let Some(node) = layout.kafka_node() {
            return Ok(Some(QuorumView::of_log_dir(layout, node)?));
        }
        let Some(voters) = voters(layout.root())? else {
            return Ok(None);
        };
        let mut copies = Vec::with_capacity(voters.len());
        for &v in &voters {
            copies.push(CopyState::read(v, &copy_dir(layout, v))?);
        }
        let (leader, epoch) = copies
            .iter()
            .filter_map(|c| c.quorum.as_ref())
            .map(|q| (q.leader_epoch, q.leader_id))
            .max()
            .map_or((-1, 0), |(e, l)| (l, e));
        let high_watermark = majority_end(&copies, majority(voters.len()));
        Ok(Some(QuorumView {
            voters,
            leader,
            epoch,
            copies,
            high_watermark,
        }))
    }

    /// The quorum as one Kafka node's log dir sees it: its copy alone (the others' are on
    /// other disks), committed to its end; voters and leader from its `quorum-state` when
    /// filka can read it.
    fn of_log_dir(layout: &Layout, node: i32) -> Result<QuorumView, ClusterError> {
        let dir = layout.metadata_copy(node);
        let quorum = QuorumState::read(&dir).ok().flatten();
        let mut copy = CopyState::read(node, &dir)?;
        let (voters, leader, epoch) = match &quorum {
            Some(q) if !q.voters.is_empty() => (q.voters.clone(), q.leader_id, q.leader_epoch),
            _ => (vec![node], -1, copy.last_epoch()),
        };
        copy.quorum = quorum;
        Ok(QuorumView {
            voters,
            leader,
            epoch,
            high_watermark: copy.log_end,
            copies: vec![copy],
        })
    }

    /// Voters needed for a majority.
    pub fn majority(&self) -> usize {
        majority(self.voters.len())
    }

    /// The copy to read from: the longest (every copy is a prefix of it up to the high
    /// watermark), the leader's on a tie.
    pub fn source(&self) -> &CopyState {
        let mut best = &self.copies[0];
        for c in &self.copies[1..] {
            if c.log_end > best.log_end || (c.log_end == best.log_end && c.voter == self.leader) {
                best = c;
            }
        }
        best
    }

    /// The copy of `voter`.
    pub fn copy(&self, voter: i32) -> Option<&CopyState> {
        self.copies.iter().find(|c| c.voter == voter)
    }
}

fn majority(voters: usize) -> usize {
    voters / 2 + 1
}

/// The end offset at least `majority` copies reach.
fn majority_end(copies: &[CopyState], majority: usize) -> i64 {
    let mut ends: Vec<i64> = copies.iter().map(|c| c.log_end).collect();
    ends.sort_unstable_by(|a, b| b.cmp(a));
    ends.get(majority.saturating_sub(1)).copied().unwrap_or(0)
}

/// The voters that count now: their node and controller run (a controller-only node, or a
/// node not registered as a broker yet in a cluster being created, runs unless stopped).
pub fn live_voters(view: &QuorumView, state: &ClusterState) -> Vec<i32> {
    view.voters
        .iter()
        .copied()
        .filter(|v| {
            state.brokers.get(v).map_or_else(
                || !state.stopped_controllers.contains(v),
                |b| b.controller_alive(),
            )
        })
        .collect()
}

/// Refuses when fewer than a majority of the voters run.
pub fn check_quorum(view: &QuorumView, state: &ClusterState) -> Result<Vec<i32>, ClusterError> {
    let live = live_voters(view, state);
    if live.len() < view.majority() {
        return Err(ClusterError::NoQuorum {
            live,
            voters: view.voters.clone(),
        });
    }
    Ok(live)
}

/// What an election did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Elected {
    /// The leader before (-1: none).
    pub previous: i32,
    /// The new leader.
    pub leader: i32,
    /// Its epoch.
    pub epoch: i32,
}

/// The active controller, ready to append (controller lock held): a quorum of voters runs,
/// a running leader is chosen (elected when the last one does not run), every running
/// follower's copy is in line with the leader's.
#[derive(Debug)]
pub struct Active {
    view: QuorumView,
    live: Vec<i32>,
    /// The leader's election, when this controller held one: its LeaderChangeMessage opens
    /// the next append.
    pub elected: Option<Elected>,
    /// The metadata log's settings, from the image it started on.
    settings: MetadataLogSettings,
}

impl Active {
    /// Takes over as the active controller: see the type.
    pub fn start(layout: &Layout, state: &ClusterState) -> Result<Active, ClusterError> {
        let view = QuorumView::read(layout)?.ok_or_else(|| {
            ClusterError::Invalid(format!(
                "{} holds no copy of the metadata log (broker-N/{METADATA_PARTITION_DIR})",
                layout.root().display()
            ))
        })?;
        let live = check_quorum(&view, state)?;
        let mut active = Active {
            view,
            live,
            elected: None,
            settings: ClusterSettings::resolve(&state.configs).metadata,
        };
        if !active.live.contains(&active.view.leader) {
            active.elect()?;
        }
        active.align_followers()?;
        Ok(active)
    }

    /// The quorum as this controller sees it.
    pub fn view(&self) -> &QuorumView {
        &self.view
    }

    /// The leader's copy.
    fn leader_copy(&self) -> Result<&CopyState, ClusterError> {
        self.view.copy(self.view.leader).ok_or_else(|| {
            ClusterError::Invalid(format!("the leader {} is not a voter", self.view.leader))
        })
    }

    /// Elects the running voter with the longest log.
    fn elect(&mut self) -> Result<(), ClusterError> {
        let best = self
            .view
            .copies
            .iter()
            .filter(|c| self.live.contains(&c.voter))
            .max_by(|a, b| {
                (a.last_epoch(), a.log_end, -a.voter).cmp(&(b.last_epoch(), b.log_end, -b.voter))
            })
            .map(|c| c.voter)
            .ok_or_else(|| ClusterError::NoQuorum {
                live: Vec::new(),
                voters: self.view.voters.clone(),
            })?;
        self.elect_voter(best)
    }

    /// Makes `voter` the leader in a new epoch, in every running voter's `quorum-state`.
    fn elect_voter(&mut self, best: i32) -> Result<(), ClusterError> {
        let epoch = self.view.epoch + 1;
        let q = QuorumState {
            leader_id: best,
            leader_epoch: epoch,
            voted_id: -1,
            voters: self.view.voters.clone(),
        };
        for c in self
            .view
            .copies
            .iter_mut()
            .filter(|c| self.live.contains(&c.voter))
        {
            q.write(&c.dir)?;
            c.quorum = Some(q.clone());
        }
        self.elected = Some(Elected {
            previous: self.view.leader,
            leader: best,
            epoch,
        });
        self.view.leader = best;
        self.view.epoch = epoch;
        Ok(())
    }

    /// [`Active::start`] after a controller stopped in the middle of an append, leaving
    /// records past the commit point in some copies: a running voter whose log ends at the
    /// high watermark is elected in a new epoch (Raft allows it: the voters without the
    /// tail outvote the one that has it), and the others are cut back to it by the usual
    /// truncation by epoch. So a change that never reached a majority is gone for good,
    /// never to come back with a later one.
    pub fn start_cutting_tail(
        layout: &Layout,
        state: &ClusterState,
    ) -> Result<Active, ClusterError> {
        let view = QuorumView::read(layout)?
            .ok_or_else(|| ClusterError::NotFound(layout.root().to_path_buf()))?;
        let live = check_quorum(&view, state)?;
        let hw = view.high_watermark;
        let leader_has_tail = view.copy(view.leader).is_some_and(|c| c.log_end > hw);
        let candidate = view
            .copies
            .iter()
            .filter(|c| live.contains(&c.voter) && c.log_end == hw)
            .max_by_key(|c| (c.last_epoch(), -c.voter))
            .map(|c| c.voter);
        let mut active = Active {
            view,
            live,
            elected: None,
            settings: ClusterSettings::resolve(&state.configs).metadata,
        };
        match candidate {
            Some(v) if leader_has_tail || !active.live.contains(&active.view.leader) => {
                active.elect_voter(v)?;
            }
            _ if !active.live.contains(&active.view.leader) => active.elect()?,
            _ => {}
        }
        active.align_followers()?;
        Ok(active)
    }

    /// Brings every running follower in line with the leader, and its `quorum-state` up to
    /// date.
    fn align_followers(&mut self) -> Result<(), ClusterError> {
        let leader = self.leader_copy()?.clone();
        let q = QuorumState {
            leader_id: self.view.leader,
            leader_epoch: self.view.epoch,
            voted_id: -1,
            voters: self.view.voters.clone(),
        };
        for c in self.view.copies.iter_mut() {
            if !self.live.contains(&c.voter) {
                continue;
            }
            if c.quorum.as_ref() != Some(&q) {
                if !c.dir.is_dir() {
                    copy::create(&c.dir, &q)?;
                } else {
                    q.write(&c.dir)?;
                }
                c.quorum = Some(q.clone());
            }
            if c.voter == leader.voter {
                continue;
            }
            // A follower that cannot be brought in line lags; the change still needs a
            // majority of copies that take it.
            if let Ok(end) = copy::catch_up(&leader, c, &self.settings) {
                *c = CopyState::read(c.voter, &c.dir)?;
                debug_assert_eq!(c.log_end, end);
            }
        }
        Ok(())
    }

    /// Appends `planned` (which may be empty: then only an election's LeaderChangeMessage,
    /// if any) to the leader's copy and every running follower's, each fsynced; committed
    /// once a majority of voters have it, else every copy written is cut back. Returns the
    /// new end offset.
    pub fn append(&mut self, planned: &Planned, now: i64) -> Result<i64, ClusterError> {
        let mut chunks: Vec<Vec<u8>> = Vec::new();
        let epoch = self.view.epoch;
        if let Some(e) = &self.elected {
            let change = ControlRecord::LeaderChange(LeaderChangeMessage {
                version: 0,
                leader_id: e.leader,
                voters: self.view.voters.iter().map(|&v| Voter::new(v)).collect(),
                granting_voters: self.live.iter().map(|&v| Voter::new(v)).collect(),
                ..Default::default()
            });
            chunks.push(control_batch(&change, 0, epoch, now)?);
        }
        for values in &planned.batches {
            chunks.push(data_batch(values, 0, epoch, now)?);
        }
        let leader = self.leader_copy()?.clone();
        if chunks.is_empty() {
            return Ok(leader.log_end);
        }
        let start = leader.log_end;
        let mut written: Vec<Mark> = Vec::new();
        let mut failure = None;
        let order = std::iter::once(leader.voter)
            .chain(self.live.iter().copied().filter(|&v| v != leader.voter));
        for voter in order {
            let Some(c) = self.view.copy(voter).cloned() else {
                continue;
            };
            // A follower that could not be brought in line takes no part.
            if c.log_end != start {
                continue;
            }
            match append_to(&c, &chunks, epoch, now, &self.settings) {
                Ok(mark) => written.push(mark),
                Err(failed) => {
                    let (mark, e) = *failed;
                    if let Some(m) = mark {
                        let _ = m.restore();
                    }
                    if voter == leader.voter {
                        return Err(e);
                    }
                    failure.get_or_insert(e);
                }
            }
        }
        if written.len() < self.view.majority() {
            for m in &written {
                let _ = m.restore();
            }
            return Err(failure.unwrap_or(ClusterError::NoQuorum {
                live: self.live.clone(),
                voters: self.view.voters.clone(),
            }));
        }
        self.elected = None;
        // Read back what the copies now hold.
        for c in self.view.copies.iter_mut() {
            if self.live.contains(&c.voter) {
                *c = CopyState::read(c.voter, &c.dir)?;
            }
        }
        self.view.high_watermark = majority_end(&self.view.copies, self.view.majority());
        Ok(self.leader_copy()?.log_end)
    }

    /// Writes the snapshot of `state` (which covers the log up to the leader's end, in the
    /// current epoch) into every running voter's copy.
    pub fn snapshot(&self, state: &ClusterState, now: i64) -> Result<SnapshotId, ClusterError> {
        let id = SnapshotId {
            end_offset: state.metadata_offset,
            epoch: self.view.epoch,
        };
        for c in &self.view.copies {
            // Not into a follower that did not take the last append: a snapshot past its
            // log end would make its retention delete what it still needs.
            if self.live.contains(&c.voter)
                && c.log_end >= id.end_offset
                && !id.path(&c.dir).exists()
            {
                super::checkpoint::write(&c.dir, id, state, now, now)?;
            }
        }
        Ok(id)
    }

    /// Whether the leader's log has grown enough since its latest snapshot for a new one,
    /// as KRaft's SnapshotGenerator decides: `metadata.log.max.record.bytes.between.snapshots`
    /// bytes of new records (`bytes` overrides it), or any new record and
    /// `metadata.log.max.snapshot.interval.ms` since the latest snapshot's last record
    /// (filka has no controller process to keep a timer: the snapshot's header holds the
    /// time).
    pub fn snapshot_due(&self, bytes: Option<u64>, now: i64) -> Result<bool, ClusterError> {
        let leader = self.leader_copy()?;
        let latest = quorum::snapshots(&leader.dir)?.last().copied();
        let from = latest.map_or(0, |s| s.end_offset);
        let new = LogReader::open(&leader.dir)?.bytes_from(from)?;
        if new >= bytes.unwrap_or(self.settings.snapshot_bytes as u64) {
            return Ok(true);
        }
        if new == 0 || self.settings.snapshot_interval_ms <= 0 {
            return Ok(false);
        }
        // With no snapshot yet (a copy never bootstrapped with one), by bytes alone: Kafka
        // counts the interval from its controller's start, which filka has not.
        let Some(latest) = latest else {
            return Ok(false);
        };
        let at = super::checkpoint::last_contained_timestamp(&latest.path(&leader.dir))?;
        Ok(at.is_none_or(|t| now.saturating_sub(t) >= self.settings.snapshot_interval_ms))
    }

    /// Runs the metadata log's retention ([`copy::clean`]) on every running voter's copy.
    /// Every copy is tried; the first failure is returned.
    pub fn clean(&self, now: i64) -> Result<(), ClusterError> {
        let mut failure = None;
        for c in &self.view.copies {
            if self.live.contains(&c.voter)
                && let Err(e) = copy::clean(&c.dir, &self.settings, now)
            {
                failure.get_or_insert(e);
            }
        }
        failure.map_or(Ok(()), Err)
    }
}

/// Appends the chunks to one copy, fsynced, with its epoch history; on failure the mark to
/// take back (when the copy was opened) and the error.
fn append_to(
    c: &CopyState,
    chunks: &[Vec<u8>],
    epoch: i32,
    now: i64,
    settings: &MetadataLogSettings,
) -> Result<Mark, Box<(Option<Mark>, ClusterError)>> {
    let mut log = copy::open(c, settings).map_err(|e| Box::new((None, e)))?;
    let mark = Mark::take(&log, &c.epochs).map_err(|e| Box::new((None, e)))?;
    let result = (|| {
        for chunk in chunks {
            let mut bytes = chunk.clone();
            log.append_built(&mut bytes, epoch, now)?;
        }
        log.flush()?;
        copy::write_epochs(&c.dir, &copy::with_epoch(&c.epochs, epoch, mark.end()))?;
        Ok::<_, ClusterError>(())
    })();
    drop(log);
    match result {
        Ok(()) => Ok(mark),
        Err(e) => Err(Box::new((Some(mark), e))),
    }
}
