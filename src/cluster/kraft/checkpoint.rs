//! KRaft snapshots, `<end offset:020>-<epoch:010>.checkpoint` in a copy's folder: the
//! metadata image at an offset of the log, written as record batches (offsets from 0) that
//! Kafka's snapshot reader accepts: a control batch with a SnapshotHeaderRecord, data
//! batches with the image's records in Kafka's order (`MetadataImage.write`: features,
//! brokers, topics with their partitions, configs, producer ids), a control batch with a
//! SnapshotFooterRecord. A snapshot is written as `.checkpoint.part`, fsynced, renamed, and
//! left read-only, as Kafka's `FileRawSnapshotWriter` leaves it.
//!
//! Must not: take locks, or print.

use std::io::Write;
use std::path::Path;

use super::image::{CONFIG_BROKER, CONFIG_TOPIC, DIRECTORY_LOST, Image};
use super::{BATCH_BYTES, control_batch, data_batch, encode};
use crate::cluster::metadata::{BrokerStatus, ClusterState};
use crate::cluster::quorum::{PARTIAL_SNAPSHOT_SUFFIX, SnapshotId};
use crate::cluster::{ClusterError, io_err};
use crate::log::LogError;
use crate::log::stream::{BatchStream, ScanStop};
use crate::record::batch::MAX_BATCH_BYTES;
use crate::record::kraft::control::{ControlRecord, SnapshotFooterRecord, SnapshotHeaderRecord};
use crate::record::kraft::records::{
    ConfigRecord, FeatureLevelRecord, MetadataRecord, PartitionRecord, ProducerIdsRecord,
    RegisterBrokerRecord, TopicRecord,
};
use crate::record::uuid::Uuid;

/// The image's records, in Kafka's snapshot order, handed to `sink` one at a time (a large
/// image is never held as records all at once).
pub fn image_records(
    state: &ClusterState,
    sink: &mut dyn FnMut(MetadataRecord) -> Result<(), ClusterError>,
) -> Result<(), ClusterError> {
    // metadata.version first: a reader needs it to read the rest.
    let mut features: Vec<(&String, &i16)> = state.features.iter().collect();
    features.sort_by_key(|(name, _)| (name.as_str() != "metadata.version", name.as_str()));
    for (name, level) in features {
        sink(
            FeatureLevelRecord {
                name: name.clone(),
                feature_level: *level,
                ..Default::default()
            }
            .into(),
        )?;
    }
    for b in state.brokers.values() {
        let r = &b.registration;
        sink(
            RegisterBrokerRecord {
                broker_id: b.id,
                incarnation_id: r.incarnation_id,
                broker_epoch: r.epoch,
                end_points: r.endpoints.clone(),
                features: super::translate::supported_features(),
                rack: r.rack.clone(),
                fenced: b.status == BrokerStatus::Down,
                log_dirs: if r.log_dir == Uuid::default() {
                    Vec::new()
                } else {
                    vec![r.log_dir]
                },
                ..Default::default()
            }
            .into(),
        )?;
    }
    for (name, t) in &state.topics {
        let id = Uuid::from_base64(&t.topic_id).unwrap_or_default();
        sink(
            TopicRecord {
                name: name.clone(),
                topic_id: id,
                ..Default::default()
            }
            .into(),
        )?;
        for p in &t.partitions {
            let directories = p
                .replicas
                .iter()
                .map(|r| {
                    if p.offline_replicas.contains(r) {
                        DIRECTORY_LOST
                    } else {
                        state
                            .brokers
                            .get(r)
                            .map(|b| b.registration.log_dir)
                            .unwrap_or_default()
                    }
                })
                .collect();
            sink(
                PartitionRecord {
                    partition_id: p.partition as i32,
                    topic_id: id,
                    replicas: p.replicas.clone(),
                    isr: p.isr.clone(),
                    leader: p.leader,
                    leader_recovery_state: 0,
                    leader_epoch: p.leader_epoch,
                    partition_epoch: p.partition_epoch,
                    directories,
                    adding_replicas: p.adding_replicas.clone(),
                    removing_replicas: p.removing_replicas.clone(),
                    ..Default::default()
                }
                .into(),
            )?;
        }
    }
    let config = |resource_type, resource_name: &str, name: &str, value: &str| {
        MetadataRecord::from(ConfigRecord {
            resource_type,
            resource_name: resource_name.to_string(),
            name: name.to_string(),
            value: Some(value.to_string()),
            ..Default::default()
        })
    };
    for (name, t) in &state.topics {
        for (k, v) in &t.configs {
            sink(config(CONFIG_TOPIC, name, k, v))?;
        }
    }
    for (k, v) in &state.configs {
        sink(config(CONFIG_BROKER, "", k, v))?;
    }
    for (id, configs) in &state.broker_configs {
        for (k, v) in configs {
            sink(config(CONFIG_BROKER, &id.to_string(), k, v))?;
        }
    }
    if state.next_producer_id > 0 {
        sink(
            ProducerIdsRecord {
                broker_id: -1,
                broker_epoch: -1,
                next_producer_id: state.next_producer_id,
                ..Default::default()
            }
            .into(),
        )?;
    }
    // What filka keeps no image of, as Kafka wrote it.
    for r in state.kept.by_key.values().chain(&state.kept.in_order) {
        sink(r.clone())?;
    }
    Ok(())
}

/// Writes the snapshot `id` of `state` into `dir` (`.part`, fsync, rename, fsync of the
/// folder), read-only. `last_timestamp` is the append time of the last record it covers.
pub fn write(
    dir: &Path,
    id: SnapshotId,
    state: &ClusterState,
    last_timestamp: i64,
    now: i64,
) -> Result<(), ClusterError> {
    let path = id.path(dir);
    let part = dir.join(format!(
        "{}{PARTIAL_SNAPSHOT_SUFFIX}",
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let result = (|| {
        let file = crate::log::io::open(
            &part,
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true),
        )
        .map_err(io_err(&part))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let mut next = 0i64;
        let mut put = |bytes: Vec<u8>, count: i64, out: &mut std::io::BufWriter<std::fs::File>| {
            next += count;
            out.write_all(&bytes).map_err(io_err(&part))
        };
        let header = ControlRecord::SnapshotHeader(SnapshotHeaderRecord {
            version: 0,
            last_contained_log_timestamp: last_timestamp,
            ..Default::default()
        });
        put(control_batch(&header, 0, id.epoch, now)?, 1, &mut out)?;
        let mut values: Vec<Vec<u8>> = Vec::new();
        let mut used = 0;
        let flush = |values: &mut Vec<Vec<u8>>,
                     out: &mut std::io::BufWriter<std::fs::File>,
                     next_base: &mut i64| {
            if values.is_empty() {
                return Ok(());
            }
            let batch = data_batch(values, *next_base, id.epoch, now)?;
            *next_base += values.len() as i64;
            values.clear();
            out.write_all(&batch).map_err(io_err(&part))
        };
        let mut base = 1i64;
        image_records(state, &mut |r| {
            let v = encode(r)?;
            if used + v.len() + 16 > BATCH_BYTES {
                flush(&mut values, &mut out, &mut base)?;
                used = 0;
            }
            used += v.len() + 16;
            values.push(v);
            Ok(())
        })?;
        flush(&mut values, &mut out, &mut base)?;
        let footer = ControlRecord::SnapshotFooter(SnapshotFooterRecord {
            version: 0,
            ..Default::default()
        });
        let batch = control_batch(&footer, base, id.epoch, now)?;
        out.write_all(&batch).map_err(io_err(&part))?;
        let file = out
            .into_inner()
            .map_err(|e| io_err(&part)(e.into_error()))?;
        crate::log::io::sync(&file).map_err(io_err(&part))?;
        let mut perms = file.metadata().map_err(io_err(&part))?.permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&part, perms).map_err(io_err(&part))?;
        crate::log::io::rename(&part, &path).map_err(io_err(&path))?;
        let _ = crate::log::io::sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    result
}

/// The `lastContainedLogTimestamp` of the snapshot at `path` (its SnapshotHeaderRecord,
/// Kafka's `Snapshots.lastContainedLogTimestamp`); `None` when its first batch holds no
/// header.
pub fn last_contained_timestamp(path: &Path) -> Result<Option<i64>, ClusterError> {
    let file = crate::log::io::open_read(path).map_err(io_err(path))?;
    let len = crate::log::io::len(&file).map_err(io_err(path))?;
    let mut stream = BatchStream::new(&file, 0, len, MAX_BATCH_BYTES);
    let batch = match stream.next() {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(None),
        Err(ScanStop::Io(e)) => return Err(io_err(path)(e)),
        Err(e) => return Err(bad(path, e.to_string())),
    };
    if !batch.header().attributes.is_control() {
        return Ok(None);
    }
    let data = batch.records_data().map_err(|e| bad(path, e.to_string()))?;
    for r in batch.records(&data).map_err(|e| bad(path, e.to_string()))? {
        let r = r.map_err(|e| bad(path, e.to_string()))?;
        if let Ok(Some(ControlRecord::SnapshotHeader(h))) =
            ControlRecord::decode(r.key.unwrap_or_default(), r.value.unwrap_or_default())
        {
            return Ok(Some(h.last_contained_log_timestamp));
        }
    }
    Ok(None)
}

/// Why a snapshot could not be read.
fn bad(path: &Path, detail: String) -> ClusterError {
    ClusterError::Log(LogError::Corrupt {
        path: path.to_path_buf(),
        detail,
    })
}

/// Reads the snapshot at `path` into `image` (which must start empty). Refuses a snapshot
/// without its header first and its footer last (an incomplete file), a bad CRC, or a
/// record filka cannot decode.
pub fn read(path: &Path, image: &mut Image) -> Result<(), ClusterError> {
    let file = crate::log::io::open_read(path).map_err(io_err(path))?;
    let len = crate::log::io::len(&file).map_err(io_err(path))?;
    let mut stream = BatchStream::new(&file, 0, len, MAX_BATCH_BYTES).with_chunk(1 << 20);
    let mut header = false;
    let mut footer = false;
    loop {
        let batch = match stream.next() {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(ScanStop::Io(e)) => return Err(io_err(path)(e)),
            Err(e) => return Err(bad(path, e.to_string())),
        };
        if footer {
            return Err(bad(path, "batches after the SnapshotFooterRecord".into()));
        }
        batch.verify_crc().map_err(|e| bad(path, e.to_string()))?;
        let data = batch.records_data().map_err(|e| bad(path, e.to_string()))?;
        let control = batch.header().attributes.is_control();
        for r in batch.records(&data).map_err(|e| bad(path, e.to_string()))? {
            let r = r.map_err(|e| bad(path, e.to_string()))?;
            let value = r.value.unwrap_or_default();
            if control {
                match ControlRecord::decode(r.key.unwrap_or_default(), value) {
                    Ok(Some(ControlRecord::SnapshotHeader(_))) if r.offset == 0 => header = true,
                    Ok(Some(ControlRecord::SnapshotFooter(_))) if header => footer = true,
                    Ok(_) => {}
                    Err(e) => {
                        return Err(bad(
                            path,
                            format!("control record at offset {}: {e}", r.offset),
                        ));
                    }
                }
                continue;
            }
            if !header {
                return Err(bad(path, "no SnapshotHeaderRecord first".into()));
            }
            image
                .apply_value(value)
                .map_err(|e| bad(path, format!("record at offset {}: {e}", r.offset)))?;
        }
    }
    if !footer {
        return Err(bad(
            path,
            "no SnapshotFooterRecord at the end (an incomplete snapshot)".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::cluster::metadata::{MetadataRecord as Change, NewPartition};

    #[test]
    fn a_snapshot_reads_back_as_the_image_it_was_written_from() {
        let mut s = ClusterState::new("c".into());
        for c in [
            Change::RegisterBroker { id: 101 },
            Change::RegisterBroker { id: 102 },
            Change::CreateTopic {
                name: "t".into(),
                topic_id: Uuid([3; 16]).to_base64(),
                configs: BTreeMap::from([("retention.ms".into(), "5".into())]),
                partitions: (0..3000)
                    .map(|p| NewPartition {
                        partition: p,
                        replicas: vec![101, 102],
                    })
                    .collect(),
            },
            Change::FenceBroker { id: 102 },
            Change::PartitionChange {
                topic: "t".into(),
                partition: 7,
                leader: 101,
                leader_epoch: 0,
                isr: vec![101],
                reason: String::new(),
                offline_replicas: Some(vec![102]),
            },
            // A partition being moved (KIP-455): its adding and removing replicas too.
            Change::RegisterBroker { id: 103 },
            Change::ReassignPartition {
                topic: "t".into(),
                partition: 9,
                replicas: vec![103, 102, 101],
                adding: vec![103],
                removing: vec![101],
                isr: vec![101, 102],
                leader: 101,
                leader_epoch: 0,
                reason: String::new(),
            },
            Change::ProducerIds {
                next_producer_id: 2000,
            },
            // A broker's own dynamic configs (the replication throttle's rate).
            Change::AlterBrokerConfigs {
                broker: 103,
                configs: BTreeMap::from([(
                    "leader.replication.throttled.rate".into(),
                    "5000".into(),
                )]),
            },
        ] {
            s.apply(&c);
        }
        s.features.insert("metadata.version".into(), 21);
        s.configs.insert("min.insync.replicas".into(), "2".into());
        let dir = tempfile::tempdir().unwrap();
        let id = SnapshotId {
            end_offset: 40,
            epoch: 3,
        };
        write(dir.path(), id, &s, 1234, 5678).unwrap();
        let mut image = Image::new(ClusterState::new("c".into()));
        read(&id.path(dir.path()), &mut image).unwrap();
        let mut got = image.into_state();
        got.metadata_offset = s.metadata_offset;
        assert_eq!(got, s);
        assert!(
            std::fs::metadata(id.path(dir.path()))
                .unwrap()
                .permissions()
                .readonly()
        );

        // Without its footer it is refused.
        let bytes = std::fs::read(id.path(dir.path())).unwrap();
        let cut = dir.path().join("cut.checkpoint");
        std::fs::write(&cut, &bytes[..bytes.len() - 20]).unwrap();
        let e = read(&cut, &mut Image::new(ClusterState::new("c".into()))).unwrap_err();
        assert!(e.to_string().contains("incomplete batch"), "{e}");
    }

    /// What filka keeps no image of survives its snapshots: a controller's registration
    /// (gone with its unregistration), configs of resources filka keeps none of, ACLs (a removed one gone),
    /// and records of types filka does not decode, in order.
    #[test]
    fn records_filka_keeps_no_image_of_survive_its_snapshots() {
        use crate::cluster::metadata::KeptKey;
        use crate::record::kraft::records::{ConfigRecord, RegisterControllerRecord};
        let mut img = Image::new(ClusterState::new("c".into()));
        let unknown = |api_key: i16, bytes: Vec<u8>| MetadataRecord::Unknown {
            api_key,
            version: 0,
            bytes,
        };
        // A CLIENT_METRICS resource's configs (resource type 16): no image in filka.
        let metrics_config = |name: &str, value: Option<&str>| {
            MetadataRecord::from(ConfigRecord {
                resource_type: 16,
                resource_name: "metrics".into(),
                name: name.into(),
                value: value.map(Into::into),
                ..Default::default()
            })
        };
        let acl = |n: u8| [vec![n; 16], vec![0; 8]].concat();
        let quota = unknown(14, vec![1, 2, 3]);
        for r in [
            RegisterControllerRecord {
                controller_id: 1,
                ..Default::default()
            }
            .into(),
            RegisterControllerRecord {
                controller_id: 2,
                ..Default::default()
            }
            .into(),
            unknown(29, 2i32.to_be_bytes().to_vec()),
            metrics_config("interval.ms", Some("1000")),
            metrics_config("metrics", Some("org.apache")),
            metrics_config("metrics", None),
            unknown(18, acl(7)),
            unknown(18, acl(8)),
            unknown(19, acl(7)),
            // A PartitionChangeRecord of a version filka does not know: not kept (replayed
            // after the image, it would undo later changes).
            unknown(5, vec![0; 8]),
            quota.clone(),
        ] {
            img.apply(&r);
        }
        let s = img.into_state();
        let keys: Vec<&KeptKey> = s.kept.by_key.keys().collect();
        assert_eq!(
            keys,
            [
                &KeptKey::Controller(1),
                &KeptKey::Config(16, "metrics".into(), "interval.ms".into()),
                &KeptKey::Acl([8; 16]),
            ]
        );
        assert_eq!(s.kept.in_order, [quota]);
        let dir = tempfile::tempdir().unwrap();
        let id = SnapshotId {
            end_offset: 10,
            epoch: 1,
        };
        write(dir.path(), id, &s, 1, 2).unwrap();
        let mut back = Image::new(ClusterState::new("c".into()));
        read(&id.path(dir.path()), &mut back).unwrap();
        assert_eq!(back.into_state().kept, s.kept);
    }

    /// A metadata log Kafka 4.4 wrote (fixtures/apache-kafka/broker-101): its controller's
    /// RegisterControllerRecord, which filka's image does not fold, is in the snapshot
    /// filka would write of it, as Kafka wrote it.
    #[test]
    fn a_snapshot_of_kafkas_log_keeps_its_controller_registration() {
        use crate::record::kraft::records::ApiMessageAndVersion;
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/apache-kafka/broker-101");
        let layout = crate::cluster::layout::Layout::kafka_log_dir(&fixture, 101);
        let loaded = crate::cluster::kraft::load::load(&layout).unwrap().unwrap();
        let mut written = Vec::new();
        image_records(&loaded.state, &mut |r| {
            written.push(r);
            Ok(())
        })
        .unwrap();
        let registration = written
            .iter()
            .find_map(|r| match r {
                MetadataRecord::RegisterController(c) => Some(c.clone()),
                _ => None,
            })
            .expect("a RegisterControllerRecord in the snapshot");
        // Kafka's own record, from its log.
        let reader = crate::log::LogReader::open(&layout.metadata_copy(101)).unwrap();
        let mut cursor = reader.cursor(0).unwrap();
        let mut kafkas = None;
        while let Some(batch) = cursor.next_batch(i64::MAX).unwrap() {
            if batch.header().attributes.is_control() {
                continue;
            }
            let data = batch.records_data().unwrap();
            for r in batch.records(&data).unwrap() {
                let m = ApiMessageAndVersion::decode(r.unwrap().value.unwrap()).unwrap();
                if let MetadataRecord::RegisterController(c) = m.record {
                    kafkas = Some(c);
                }
            }
        }
        assert_eq!(Some(registration), kafkas);
    }
}
