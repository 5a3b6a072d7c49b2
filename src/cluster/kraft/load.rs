//! The metadata image every process reads, as a Kafka node loads it at start: the latest
//! snapshot at or below the high watermark, then the log's records after it up to the high
//! watermark, from the longest copy (every copy is a prefix of it that far). No lock: a
//! controller appending meanwhile only adds past the high watermark this read computed.
//!
//! Must not: take locks, or print.

use std::path::Path;

use super::checkpoint;
use super::image::Image;
use super::raft::QuorumView;
use crate::cluster::layout::{self, Layout};
use crate::cluster::metadata::ClusterState;
use crate::cluster::quorum::{self, SnapshotId};
use crate::cluster::simulation::Simulation;
use crate::cluster::{ClusterError, io_err};
use crate::log::{LogError, LogReader};

/// The image and the quorum it was read from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The image, simulated state included.
    pub state: ClusterState,
    /// The quorum.
    pub view: QuorumView,
    /// The snapshot it started from, if any.
    pub snapshot: Option<SnapshotId>,
    /// True when the log ends inside a change that spans batches (its controller stopped
    /// before its end): the next controller aborts it.
    pub open_transaction: bool,
    /// The metadata's [`stamp`] taken before it was read: while [`stamp`] still says the
    /// same, the image is current.
    pub stamp: Stamp,
}

/// The value of `key` in Java properties text (`key=value` lines, `#` comments).
pub fn property<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.starts_with('!'))
        .find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim())
        })
}

/// A node folder's `meta.properties` value of `key` (a controller-only node's, or a
/// broker's).
pub fn broker_property(
    layout: &Layout,
    node: i32,
    key: &str,
) -> Result<Option<String>, ClusterError> {
    let dir = if layout.controller_dir(node).is_dir() {
        layout.controller_dir(node)
    } else {
        layout.broker_dir(node)
    };
    let path = dir.join(layout::META_PROPERTIES);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(&path)(e)),
    };
    Ok(property(&text, key).map(str::to_string))
}

/// How many times [`load`] starts over when the metadata log's retention removed what it
/// was reading (a controller cleaning meanwhile): each time, a newer snapshot covers it.
const ATTEMPTS: usize = 5;

/// Loads the image of the cluster at `layout`; `None` when it holds no KRaft metadata.
pub fn load(layout: &Layout) -> Result<Option<Loaded>, ClusterError> {
    let mut attempt = 1;
    loop {
        match load_once(layout) {
            Err(Attempt::Trimmed(_)) if attempt < ATTEMPTS => attempt += 1,
            Err(Attempt::Trimmed(e) | Attempt::Failed(e)) => return Err(e),
            Ok(loaded) => return Ok(loaded),
        }
    }
}

/// Why one reading of the image failed.
enum Attempt {
    /// A snapshot or segment it chose went meanwhile (renamed `.deleted` by the metadata
    /// log's retention, which takes no notice of readers): reading again finds the newer
    /// snapshot that covers it.
    Trimmed(ClusterError),
    /// Anything else.
    Failed(ClusterError),
}

/// True when `e` says a file is not there (any more).
fn is_gone(e: &ClusterError) -> bool {
    match e {
        ClusterError::Log(LogError::Io { source, .. }) | ClusterError::Io { source, .. } => {
            source.kind() == std::io::ErrorKind::NotFound
        }
        _ => false,
    }
}

impl From<ClusterError> for Attempt {
    fn from(e: ClusterError) -> Attempt {
        if is_gone(&e) {
            Attempt::Trimmed(e)
        } else {
            Attempt::Failed(e)
        }
    }
}

fn load_once(layout: &Layout) -> Result<Option<Loaded>, Attempt> {
    // Before anything is read: a change made while this reads may or may not be in the
    // image, and must change the stamp against what comes next.
    let before = match stamped_voters(layout)? {
        Some(voters) => stamp_of(layout, voters),
        None => return Ok(None),
    };
    let Some(view) = QuorumView::read(layout)? else {
        return Ok(None);
    };
    let source = view.source().clone();
    let cluster_id = broker_property(layout, source.voter, "cluster.id")?.unwrap_or_default();
    let hw = view.high_watermark;
    let mut image = Image::new(ClusterState::new(cluster_id.clone()));
    let mut from = 0;
    let mut used = None;
    // The newest whole snapshot at or below the high watermark, of any copy (a voter that
    // was down when one was taken lacks it).
    let mut candidates: Vec<(SnapshotId, std::path::PathBuf)> = Vec::new();
    for c in &view.copies {
        for id in quorum::snapshots(&c.dir)? {
            if id.end_offset <= hw {
                candidates.push((id, id.path(&c.dir)));
            }
        }
    }
    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    let mut last_error = None;
    for (id, path) in candidates {
        // The bootstrap snapshot (end offset 0) is read as any other.
        let mut img = Image::new(ClusterState::new(cluster_id.clone()));
        match checkpoint::read(&path, &mut img) {
            Ok(()) => {
                img.skip_to(id.end_offset);
                image = img;
                from = id.end_offset;
                used = Some(id);
                break;
            }
            Err(e) => last_error = Some(e),
        }
    }
    if from < source.log_start {
        return Err(Attempt::Failed(last_error.unwrap_or_else(|| {
            ClusterError::Log(LogError::Corrupt {
                path: source.dir.clone(),
                detail: format!(
                    "the metadata log starts at offset {} and no snapshot covers what lies \
                     below it",
                    source.log_start
                ),
            })
        })));
    }
    let reader = LogReader::open(&source.dir).map_err(ClusterError::from)?;
    if reader.first_offset() > from && from < hw {
        // Its segments below went after the view was read: a newer snapshot covers them.
        return Err(Attempt::Trimmed(ClusterError::Log(LogError::Corrupt {
            path: source.dir.clone(),
            detail: format!(
                "the metadata log now starts at offset {}, above the snapshot read ({from}), \
                 while it was read",
                reader.first_offset()
            ),
        })));
    }
    drop(reader);
    replay(&source.dir, from, hw, &mut image)?;
    let open_transaction = image.in_transaction();
    let mut state = image.into_state();
    match layout.kafka_node() {
        Some(node) => one_broker_view(layout, node, &mut state),
        None => Simulation::read(layout.root())?.apply_to(&mut state),
    }
    Ok(Some(Loaded {
        state,
        view,
        snapshot: used,
        open_transaction,
        stamp: before,
    }))
}

/// A Kafka node's log dir seen alone: the other brokers' disks are not there, so they are
/// down, and each partition is led by this node where it holds a replica folder, else has
/// no leader (offline).
fn one_broker_view(layout: &Layout, node: i32, state: &mut ClusterState) {
    use crate::cluster::metadata::BrokerStatus;
    for b in state.brokers.values_mut() {
        // This node is the one being read: up, whatever its last registration said (a
        // cleanly stopped Kafka broker ends fenced).
        b.running = b.id == node;
        b.status = if b.id == node {
            BrokerStatus::Online
        } else {
            BrokerStatus::Down
        };
    }
    for (name, t) in state.topics.iter_mut() {
        for p in &mut t.partitions {
            let here = layout.replica_dir(node, name, p.partition).is_dir();
            if here {
                p.leader = node;
                p.isr = vec![node];
            } else {
                p.leader = -1;
                p.isr.clear();
            }
        }
    }
}

/// Feeds the records of the log in `dir` from `from` to `to` into `image`.
pub fn replay(dir: &Path, from: i64, to: i64, image: &mut Image) -> Result<(), ClusterError> {
    if from >= to {
        return Ok(());
    }
    let reader = LogReader::open(dir)?;
    let mut cursor = reader.cursor(from)?;
    let corrupt = |detail: String| {
        ClusterError::Log(LogError::Corrupt {
            path: dir.to_path_buf(),
            detail,
        })
    };
    while let Some(batch) = cursor.next_batch(to)? {
        batch.verify_crc().map_err(|e| corrupt(e.to_string()))?;
        let next = batch.header().next_offset();
        if batch.header().attributes.is_control() {
            image.skip_to(next.min(to));
            continue;
        }
        let data = batch.records_data().map_err(|e| corrupt(e.to_string()))?;
        for r in batch.records(&data).map_err(|e| corrupt(e.to_string()))? {
            let r = r.map_err(|e| corrupt(e.to_string()))?;
            if r.offset < from || r.offset >= to {
                continue;
            }
            image
                .feed_value(r.offset, r.value.unwrap_or_default())
                .map_err(|e| corrupt(format!("metadata record at offset {}: {e}", r.offset)))?;
        }
    }
    Ok(())
}

/// What [`stamp`] looks at, to tell whether the metadata may have changed.
pub type Stamp = Vec<Option<(u64, std::time::SystemTime, u64)>>;

fn file_stamp(path: &Path) -> Option<(u64, std::time::SystemTime, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?, m.ino()))
}

/// The size, time and inode of each voter's newest `.log` segment and `quorum-state`, and of
/// `simulation.json`: any change of the metadata changes one of them.
pub fn stamp(layout: &Layout, state: &ClusterState) -> Stamp {
    let voters = stamped_voters(layout)
        .ok()
        .flatten()
        .unwrap_or_else(|| state.brokers.keys().copied().collect());
    stamp_of(layout, voters)
}

/// The voters whose copies the stamp covers: those of the cluster's `quorum-state`, or the
/// node alone of a Kafka log dir (the other copies are on other disks; its `quorum-state`
/// may be missing or name voters filka does not have).
fn stamped_voters(layout: &Layout) -> Result<Option<Vec<i32>>, ClusterError> {
    match layout.kafka_node() {
        Some(node) => Ok(Some(vec![node])),
        None => super::raft::voters(layout.root()),
    }
}

/// [`stamp`] of the copies of `voters`.
fn stamp_of(layout: &Layout, voters: Vec<i32>) -> Stamp {
    let mut out = Vec::with_capacity(2 * voters.len() + 1);
    for v in voters {
        let dir = super::raft::copy_dir(layout, v);
        let newest = crate::log::partition::list_segments(&dir, false)
            .ok()
            .and_then(|b| b.last().copied());
        out.push(newest.and_then(|b| {
            file_stamp(&crate::log::names::segment_path(
                &dir,
                b,
                crate::log::names::LOG_SUFFIX,
            ))
        }));
        out.push(file_stamp(
            &dir.join(crate::cluster::quorum::QUORUM_STATE_FILE),
        ));
    }
    out.push(file_stamp(
        &layout
            .root()
            .join(crate::cluster::simulation::SIMULATION_FILE),
    ));
    out
}
