//! A metadata change, all or nothing: filka's change written as Kafka's records
//! ([`kraft::translate`]) and committed through the controller quorum ([`kraft::raft`]):
//! appended to the leader's copy of the metadata log and every running follower's, each
//! fsynced, committed on a majority, else cut back everywhere and reported failed. Then the
//! image moves on, the partition changes' reasons go to the notes file, and a snapshot is
//! taken when the log has grown enough since the last one. A change that spans batches is
//! one transaction (Begin/EndTransactionRecord); one a dead controller left open is aborted
//! by the next change (AbortTransactionRecord), as KRaft's controller does.
//!
//! Also the first records of a new cluster (its bootstrap), and the conversion of a cluster
//! of filka's earlier JSON metadata.
//!
//! Must not: take locks (callers hold the controller lock), or print.

use super::kraft::{self, Translated, copy, image::Image, notes, raft::Active};
use super::layout::Layout;
use super::lock::FileLock;
use super::metadata::{self, ClusterState, MetadataRecord};
use super::quorum::{QuorumState, SnapshotId};
use super::simulation::Simulation;
use super::{Cluster, ClusterError, now_ms, random_uuid};
use crate::record::kraft::records::{
    AbortTransactionRecord, FeatureLevelRecord, METADATA_VERSION_LEVEL, MetadataRecord as Kafka,
};
use crate::record::uuid::Uuid;

/// What a translation needs from the cluster's files.
struct Files<'a> {
    layout: &'a Layout,
    controller: i32,
}

impl kraft::translate::Outside for Files<'_> {
    fn log_dir(&self, id: i32) -> Uuid {
        kraft::load::broker_property(self.layout, id, "directory.id")
            .ok()
            .flatten()
            .and_then(|s| Uuid::from_base64(&s))
            .unwrap_or_default()
    }

    fn random_id(&self) -> Uuid {
        random_uuid()
    }

    fn controller(&self) -> i32 {
        self.controller
    }
}

/// The records of a new cluster's bootstrap (Kafka's "Bootstrap records", from its
/// bootstrap snapshot): `metadata.version`.
pub fn bootstrap_records() -> Vec<Translated> {
    vec![Translated::from(Kafka::from(FeatureLevelRecord {
        name: "metadata.version".into(),
        feature_level: METADATA_VERSION_LEVEL,
        ..Default::default()
    }))]
}

/// Creates each voter's copy of the metadata log as `kafka-storage format` leaves it, with
/// the bootstrap snapshot (`00000000000000000000-0000000000.checkpoint`: the feature
/// levels) and a `quorum-state` naming the voters and no leader yet.
pub fn bootstrap(layout: &Layout, voters: &[i32]) -> Result<(), ClusterError> {
    let q = QuorumState::new(voters.to_vec());
    let mut features = ClusterState::new(String::new());
    features
        .features
        .insert("metadata.version".into(), METADATA_VERSION_LEVEL);
    let now = now_ms();
    for &v in voters {
        let dir = kraft::raft::copy_dir(layout, v);
        copy::create(&dir, &q)?;
        kraft::checkpoint::write(
            &dir,
            SnapshotId {
                end_offset: 0,
                epoch: 0,
            },
            &features,
            now,
            now,
        )?;
    }
    Ok(())
}

/// Converts a cluster of filka's earlier JSON metadata (controller lock held): the voters'
/// copies, then the whole state as the first records of the log, in one transaction, the
/// simulated state (brokers down stay down), and the old files moved aside.
pub fn convert(layout: &Layout) -> Result<kraft::convert::Converted, ClusterError> {
    let (old, old_records) = kraft::convert::read_old(layout.root())?;
    let ids: Vec<i32> = old.brokers.keys().copied().collect();
    let voters: Vec<i32> = ids
        .iter()
        .copied()
        .take(super::default_controllers(ids.len() as u32) as usize)
        .collect();
    // A conversion left half-done by a crash starts over.
    for &v in &ids {
        let dir = kraft::raft::copy_dir(layout, v);
        if dir.exists() {
            crate::log::io::remove_dir_all(&dir).map_err(super::io_err(&dir))?;
        }
    }
    bootstrap(layout, &voters)?;
    let mut records = bootstrap_records();
    // The state, as a snapshot would hold it, brokers registered afresh.
    let files = Files {
        layout,
        controller: voters[0],
    };
    let mut image_state = old.clone();
    image_state.features.clear();
    for b in image_state.brokers.values_mut() {
        use kraft::translate::Outside;
        b.registration.incarnation_id = files.random_id();
        b.registration.log_dir = files.log_dir(b.id);
    }
    let ports: Vec<(i32, u16)> = ids
        .iter()
        .enumerate()
        .map(|(i, &id)| {
            (
                id,
                kraft::translate::FIRST_BROKER_PORT.saturating_add(i as u16),
            )
        })
        .collect();
    for (id, port) in ports {
        if let Some(b) = image_state.brokers.get_mut(&id) {
            b.registration.endpoints = vec![crate::record::kraft::records::Endpoint {
                name: "PLAINTEXT".into(),
                host: "localhost".into(),
                port,
                security_protocol: 0,
                ..Default::default()
            }];
        }
    }
    kraft::checkpoint::image_records(&image_state, &mut |r| {
        records.push(Translated::from(r));
        Ok(())
    })?;
    let loaded = kraft::load::load(layout)?
        .ok_or_else(|| ClusterError::Invalid("the new metadata copies cannot be read".into()))?;
    let mut c = Cluster {
        layout: layout.clone(),
        state: std::sync::Arc::new(loaded.state),
        loaded_stamp: Some(loaded.stamp),
        open_transaction: false,
        snapshot_bytes: None,
    };
    let name = format!(
        "converted from filka's JSON metadata ({} brokers, {} topics)",
        old.brokers.len(),
        old.topics.len()
    );
    c.commit_translated(records, &name, true)?;
    Simulation::of(&old).write(layout.root())?;
    let kept_in = kraft::convert::keep_old(layout)?;
    Ok(kraft::convert::Converted {
        brokers: old.brokers.len(),
        topics: old.topics.len(),
        old_records,
        kept_in,
    })
}

impl Cluster {
    /// Commits filka's change `records` (controller lock held, image current): see the
    /// module.
    pub(super) fn commit(&mut self, records: Vec<MetadataRecord>) -> Result<(), ClusterError> {
        self.commit_from(None, records)
    }

    /// [`Cluster::commit`] through `active` when the caller started it already.
    pub(super) fn commit_from(
        &mut self,
        active: Option<Active>,
        records: Vec<MetadataRecord>,
    ) -> Result<(), ClusterError> {
        let name = metadata::change_name(&records);
        let active = match active {
            Some(a) => a,
            None => Active::start(&self.layout, &self.state)?,
        };
        let files = Files {
            layout: &self.layout,
            controller: active.view().leader,
        };
        let translated = kraft::translate::translate(&self.state, &records, &files);
        self.commit_with(active, translated, &name, false)
    }

    /// Commits Kafka's records (controller lock held, image current); `transaction` frames
    /// them in a transaction named `name` even when they fit one batch.
    pub(super) fn commit_translated(
        &mut self,
        translated: Vec<Translated>,
        name: &str,
        transaction: bool,
    ) -> Result<(), ClusterError> {
        let active = Active::start(&self.layout, &self.state)?;
        self.commit_with(active, translated, name, transaction)
    }

    fn commit_with(
        &mut self,
        mut active: Active,
        translated: Vec<Translated>,
        name: &str,
        transaction: bool,
    ) -> Result<(), ClusterError> {
        let now = now_ms();
        if self.open_transaction {
            let abort = vec![Translated::from(Kafka::from(AbortTransactionRecord {
                reason: Some("its controller stopped before the change was complete".into()),
                ..Default::default()
            }))];
            self.append(&mut active, abort, "abort", false, now)?;
            self.open_transaction = false;
        }
        if translated.is_empty() && active.elected.is_none() {
            return Ok(());
        }
        self.append(&mut active, translated, name, transaction, now)?;
        // Best effort, both: the log holds everything; the next change tries again.
        if active
            .snapshot_due(self.snapshot_bytes, now)
            .unwrap_or(false)
        {
            let _ = active.snapshot(&self.state, now);
        }
        let _ = active.clean(now);
        Ok(())
    }

    /// Appends one change through `active` and moves the image on.
    fn append(
        &mut self,
        active: &mut Active,
        translated: Vec<Translated>,
        name: &str,
        transaction: bool,
        now: i64,
    ) -> Result<(), ClusterError> {
        let leader = active.view().leader;
        let leader_end = active.view().copy(leader).map_or(0, |c| c.log_end);
        let first = leader_end + i64::from(active.elected.is_some());
        let planned = kraft::plan(translated, first, kraft::BATCH_BYTES, name, transaction)?;
        let end = active.append(&planned, now)?;
        let mut image = Image::new(ClusterState::clone(&self.state));
        for (i, r) in planned.records.iter().enumerate() {
            image.feed(first + i as i64, r.clone());
        }
        image.skip_to(end);
        self.state = std::sync::Arc::new(image.into_state());
        self.loaded_stamp = None;
        let notes: Vec<notes::Note> = planned
            .notes
            .into_iter()
            .filter(|(_, text)| !text.is_empty())
            .map(|(i, text)| notes::Note {
                offset: first + i as i64,
                text,
            })
            .collect();
        // Best effort: a note lost leaves a record without its reason, nothing more.
        let _ = notes::append(self.layout.root(), &notes);
        Ok(())
    }

    /// Holds an election now when the quorum's leader does not run (Kafka's voters elect
    /// as soon as they miss their leader's fetches), writing its LeaderChangeMessage; does
    /// nothing while the leader runs. Takes the controller lock.
    pub fn elect_controller(&mut self) -> Result<(), ClusterError> {
        let _controller = FileLock::exclusive(&self.layout.controller_lock())?;
        self.reload_image()?;
        let active = Active::start(&self.layout, &self.state)?;
        if active.elected.is_some() {
            self.commit_with(active, Vec::new(), "election", false)?;
        }
        Ok(())
    }

    /// Sets the bytes of log between snapshots (tests take them small).
    #[cfg(test)]
    pub(super) fn set_snapshot_bytes(&mut self, bytes: Option<u64>) {
        self.snapshot_bytes = bytes;
    }
}
