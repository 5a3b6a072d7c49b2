//! The metadata log as a story (`describe history`): every record of the leader's copy, in
//! words, with names resolved (a PartitionChangeRecord names a topic id and "no leader
//! change"; the story says `demo-0 leader 102 epoch 3`), the reasons of the notes file, and
//! the quorum's LeaderChangeMessages. A run of PartitionRecords of one topic is one entry.
//!
//! Must not: take locks, or print.

use serde_json::{Value, json};

use super::image::{CONFIG_BROKER, CONFIG_TOPIC, Image};
use super::{checkpoint, notes};
use crate::cluster::ClusterError;
use crate::cluster::layout::Layout;
use crate::cluster::metadata::ClusterState;
use crate::cluster::quorum;
use crate::log::{LogError, LogReader};
use crate::record::kraft::control::ControlRecord;
use crate::record::kraft::records::{ApiMessageAndVersion, MetadataRecord};

/// One entry of the story.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The offset of its (first) record.
    pub offset: i64,
    /// The offset of its last record (a run of PartitionRecords spans several).
    pub last_offset: i64,
    /// The record's timestamp (its batch's).
    pub timestamp: i64,
    /// The record type, as Kafka names the class (`PartitionChangeRecord`,
    /// `LeaderChangeMessage`).
    pub kind: String,
    /// The topic it is about, if any.
    pub topic: Option<String>,
    /// The record in words.
    pub details: String,
    /// The record as `kafka-dump-log --cluster-metadata-decoder` prints it (for a run, the
    /// first), plus the topic's name and the reason where filka knows them.
    pub data: Value,
}

fn join(v: &[i32]) -> String {
    v.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

/// The story of the metadata log in the copy `dir` up to `end`, from its start (or from
/// the snapshot that covers what was deleted below it).
pub fn history(
    layout: &Layout,
    dir: &std::path::Path,
    end: i64,
    cluster_id: &str,
) -> Result<Vec<Entry>, ClusterError> {
    let reader = LogReader::open(dir)?;
    let mut start = reader.first_offset();
    let mut image = Image::new(ClusterState::new(cluster_id.to_string()));
    let mut out: Vec<Entry> = Vec::new();
    // Once old segments went (the metadata log's retention), the story starts at the end of
    // the oldest snapshot that covers the deleted part: the records below it, which the
    // first segment left may still hold, are in the snapshot already.
    if start > 0
        && let Some(id) = quorum::snapshots(dir)?
            .into_iter()
            .find(|s| s.end_offset >= start)
    {
        let path = id.path(dir);
        checkpoint::read(&path, &mut image)?;
        let state = image.state();
        let partitions: usize = state.topics.values().map(|t| t.partitions.len()).sum();
        let first = Entry {
            offset: 0,
            last_offset: id.end_offset - 1,
            timestamp: checkpoint::last_contained_timestamp(&path)?.unwrap_or(-1),
            kind: "Snapshot".into(),
            topic: None,
            details: format!(
                "the records below offset {} are in snapshot {} ({} topics, {} partitions, \
                 {} brokers); the log below offset {start} was deleted \
                 (metadata.max.retention.bytes/ms)",
                id.end_offset,
                id.file_name(),
                state.topics.len(),
                partitions,
                state.brokers.len()
            ),
            data: json!({ "snapshot": id.file_name(), "end_offset": id.end_offset }),
        };
        start = id.end_offset;
        out.push(first);
    }
    let notes = notes::read(layout.root())?;
    let mut cursor = reader.cursor(start)?;
    let corrupt = |detail: String| {
        ClusterError::Log(LogError::Corrupt {
            path: dir.to_path_buf(),
            detail,
        })
    };
    while let Some(batch) = cursor.next_batch(end)? {
        batch.verify_crc().map_err(|e| corrupt(e.to_string()))?;
        let control = batch.header().attributes.is_control();
        let epoch = batch.header().partition_leader_epoch;
        let data = batch.records_data().map_err(|e| corrupt(e.to_string()))?;
        for r in batch.records(&data).map_err(|e| corrupt(e.to_string()))? {
            let r = r.map_err(|e| corrupt(e.to_string()))?;
            if r.offset < start {
                continue;
            }
            let value = r.value.unwrap_or_default();
            if control {
                let Ok(Some(c)) = ControlRecord::decode(r.key.unwrap_or_default(), value) else {
                    continue;
                };
                let details = match &c {
                    ControlRecord::LeaderChange(m) => format!(
                        "controller {} leads the quorum in epoch {epoch} (voters [{}], voted by [{}])",
                        m.leader_id,
                        join(&m.voters.iter().map(|v| v.voter_id).collect::<Vec<_>>()),
                        join(
                            &m.granting_voters
                                .iter()
                                .map(|v| v.voter_id)
                                .collect::<Vec<_>>()
                        )
                    ),
                    other => other.to_dump(),
                };
                let kind = match &c {
                    ControlRecord::LeaderChange(_) => "LeaderChangeMessage",
                    ControlRecord::SnapshotHeader(_) => "SnapshotHeaderRecord",
                    ControlRecord::SnapshotFooter(_) => "SnapshotFooterRecord",
                    ControlRecord::KRaftVersion(_) => "KRaftVersionRecord",
                    ControlRecord::KRaftVoters(_) => "VotersRecord",
                };
                out.push(Entry {
                    offset: r.offset,
                    last_offset: r.offset,
                    timestamp: r.timestamp,
                    kind: kind.to_string(),
                    topic: None,
                    details,
                    data: json!({ "control": c.to_dump() }),
                });
                continue;
            }
            let m = ApiMessageAndVersion::decode(value)
                .map_err(|e| corrupt(format!("metadata record at offset {}: {e}", r.offset)))?;
            let reason = notes.get(&r.offset).cloned();
            let entry = describe(&image, &m, r.offset, r.timestamp, reason);
            image.feed(r.offset, m.record.clone());
            let entry = finish(&image, &m, entry);
            // A run of PartitionRecords of one topic is one entry.
            if let (MetadataRecord::Partition(_), Some(last)) = (&m.record, out.last_mut())
                && last.kind == "PartitionRecord"
                && last.topic == entry.topic
                && last.last_offset + 1 == r.offset
            {
                last.last_offset = r.offset;
                last.details.push(' ');
                last.details.push_str(&entry.details);
                continue;
            }
            out.push(entry);
        }
    }
    for e in &mut out {
        if e.kind == "PartitionRecord" {
            let n = e.last_offset - e.offset + 1;
            let topic = e.topic.clone().unwrap_or_default();
            e.details = format!(
                "topic {topic}: {n} partition{}, replicas {}",
                if n == 1 { "" } else { "s" },
                e.details
            );
        }
    }
    Ok(out)
}

/// The type name of a record as Kafka's class is called.
fn class_name(r: &MetadataRecord) -> String {
    match r {
        MetadataRecord::Unknown { api_key, .. } => format!("UnknownRecord{api_key}"),
        r => r
            .type_name()
            .map(|t| {
                // REGISTER_BROKER_RECORD -> RegisterBrokerRecord
                t.split('_')
                    .map(|w| {
                        let mut c = w.chars();
                        match c.next() {
                            Some(f) => f.to_string() + &c.as_str().to_lowercase(),
                            None => String::new(),
                        }
                    })
                    .collect::<String>()
            })
            .unwrap_or_default(),
    }
}

/// The entry of a record, in words, from the image before it.
fn describe(
    image: &Image,
    m: &ApiMessageAndVersion,
    offset: i64,
    timestamp: i64,
    reason: Option<String>,
) -> Entry {
    let mut topic = None;
    let details = match &m.record {
        MetadataRecord::FeatureLevel(f) if f.name == "metadata.version" => format!(
            "metadata.version {}{}",
            f.feature_level,
            if f.feature_level == crate::record::kraft::records::METADATA_VERSION_LEVEL {
                format!(
                    " ({})",
                    crate::record::kraft::records::METADATA_VERSION_NAME
                )
            } else {
                String::new()
            }
        ),
        MetadataRecord::FeatureLevel(f) => format!("{} {}", f.name, f.feature_level),
        MetadataRecord::RegisterBroker(b) => format!(
            "broker {} registered{} (broker epoch {}{})",
            b.broker_id,
            if b.fenced { ", fenced" } else { "" },
            b.broker_epoch,
            b.end_points
                .first()
                .map(|e| format!(", {} {}:{}", e.name, e.host, e.port))
                .unwrap_or_default()
        ),
        MetadataRecord::UnregisterBroker(b) => format!("broker {} unregistered", b.broker_id),
        MetadataRecord::FenceBroker(b) => format!("broker {} fenced (down)", b.id),
        MetadataRecord::UnfenceBroker(b) => format!("broker {} unfenced (online)", b.id),
        MetadataRecord::BrokerRegistrationChange(c) => match c.fenced {
            1 => format!("broker {} fenced (down)", c.broker_id),
            -1 => format!("broker {} unfenced (online)", c.broker_id),
            _ => format!("broker {} registration changed", c.broker_id),
        },
        MetadataRecord::Topic(t) => {
            topic = Some(t.name.clone());
            format!("topic {} created (id {})", t.name, t.topic_id)
        }
        MetadataRecord::Partition(p) => {
            topic = image.topic_name(&p.topic_id).map(str::to_string);
            format!("{}=[{}]", p.partition_id, join(&p.replicas))
        }
        MetadataRecord::PartitionChange(c) => {
            topic = image.topic_name(&c.topic_id).map(str::to_string);
            String::new()
        }
        MetadataRecord::RemoveTopic(t) => {
            let name = image.topic_name(&t.topic_id).unwrap_or("?").to_string();
            topic = Some(name.clone());
            format!("topic {name} deleted")
        }
        MetadataRecord::Config(c) => {
            let what = match c.resource_type {
                CONFIG_TOPIC => {
                    topic = Some(c.resource_name.clone());
                    format!("topic {} config", c.resource_name)
                }
                CONFIG_BROKER if c.resource_name.is_empty() => "cluster-wide config".to_string(),
                CONFIG_BROKER => format!("broker {} config", c.resource_name),
                t => format!("config of resource type {t} {}", c.resource_name),
            };
            match &c.value {
                Some(v) => format!("{what} {}={v}", c.name),
                None => format!("{what} {} removed", c.name),
            }
        }
        MetadataRecord::ProducerIds(p) => {
            format!("producer ids up to {} handed out", p.next_producer_id - 1)
        }
        MetadataRecord::BeginTransaction(t) => format!(
            "a change spanning several batches begins: {}",
            t.name.as_deref().unwrap_or("")
        ),
        MetadataRecord::EndTransaction(_) => "the change is complete".to_string(),
        MetadataRecord::AbortTransaction(t) => format!(
            "the unfinished change is void: {}",
            t.reason.as_deref().unwrap_or("")
        ),
        MetadataRecord::RegisterController(c) => {
            format!("controller {} registered", c.controller_id)
        }
        MetadataRecord::NoOp(_) => "no-op".to_string(),
        MetadataRecord::ClearElr(c) => format!(
            "eligible leader replicas cleared{}",
            if c.topic_name.is_empty() {
                String::new()
            } else {
                format!(" for topic {}", c.topic_name)
            }
        ),
        MetadataRecord::Unknown {
            api_key, version, ..
        } => {
            format!("a record of type {api_key} version {version}, not decoded by filka")
        }
    };
    let mut data: Value = m
        .to_json()
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or(Value::Null);
    if let Value::Object(o) = &mut data {
        if let Some(t) = &topic {
            o.insert("topic".into(), json!(t));
        }
        if let Some(r) = &reason {
            o.insert("reason".into(), json!(r));
        }
    }
    Entry {
        offset,
        last_offset: offset,
        timestamp,
        kind: class_name(&m.record),
        topic,
        details: match (&m.record, &reason) {
            (MetadataRecord::PartitionChange(_), _) => reason.unwrap_or_default(),
            (_, Some(r)) if !r.is_empty() => format!("{details}: {r}"),
            _ => details,
        },
        data,
    }
}

/// Completes an entry from the image after its record: a partition change says where the
/// partition stands now.
fn finish(image: &Image, m: &ApiMessageAndVersion, mut e: Entry) -> Entry {
    if let MetadataRecord::PartitionChange(c) = &m.record {
        let topic = e.topic.clone().unwrap_or_else(|| c.topic_id.to_base64());
        let p = e
            .topic
            .as_ref()
            .and_then(|t| image.state().topics.get(t))
            .and_then(|t| {
                usize::try_from(c.partition_id)
                    .ok()
                    .and_then(|i| t.partitions.get(i))
            });
        let reason = std::mem::take(&mut e.details);
        e.details = match p {
            Some(p) => format!(
                "{topic}-{} leader {} epoch {} isr [{}]{}{}{}",
                c.partition_id,
                if p.leader < 0 {
                    "none".to_string()
                } else {
                    p.leader.to_string()
                },
                p.leader_epoch,
                join(&p.isr),
                // A reassignment's change (KIP-455) names the replicas and who moves.
                if c.replicas.is_some() {
                    let mut s = format!(" replicas [{}]", join(&p.replicas));
                    if !p.adding_replicas.is_empty() {
                        s.push_str(&format!(" adding [{}]", join(&p.adding_replicas)));
                    }
                    if !p.removing_replicas.is_empty() {
                        s.push_str(&format!(" removing [{}]", join(&p.removing_replicas)));
                    }
                    s
                } else {
                    String::new()
                },
                if c.directories.is_some()
                    && (c.replicas.is_none() || !p.offline_replicas.is_empty())
                {
                    if p.offline_replicas.is_empty() {
                        " offline replicas none".to_string()
                    } else {
                        format!(" offline replicas [{}]", join(&p.offline_replicas))
                    }
                } else {
                    String::new()
                },
                if reason.is_empty() {
                    String::new()
                } else {
                    format!(": {reason}")
                }
            ),
            None => format!(
                "{topic}-{}: a change of a partition filka does not know",
                c.partition_id
            ),
        };
    }
    e
}
