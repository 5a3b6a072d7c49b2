//! The checkpoint walks: Kafka's offset and leader-epoch checkpoints read line by line,
//! `partition.metadata` and `meta.properties`.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::super::checkpoint::{self, Uuid};
use super::{
    CheckpointEntry, Emitter, Event, FileKind, InspectError, LogError, MAX_CHECKPOINT_LINE,
    MAX_META_PROPERTIES, MAX_PARTITION_METADATA, io_err, open,
};

/// Kafka's checkpoint framing (kafka-format.md §1), read line by line: version 0, the
/// entry count, then every remaining line is an entry. Each bad line is reported; the
/// count is checked at the end.
pub(super) fn dump_checkpoint(
    path: &Path,
    kind: FileKind,
    em: &mut Emitter<'_>,
) -> Result<(), InspectError> {
    let (file, _) = open(path)?;
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut line_no = 0usize;
    let mut byte = 0u64;
    let mut declared: Option<u64> = None;
    let mut found = 0u64;
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_CHECKPOINT_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(io_err(path, "read"))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let at = byte;
        byte += n as u64;
        if n > MAX_CHECKPOINT_LINE && line.last() != Some(&b'\n') {
            return em.corrupt(
                Some(at),
                format!("line {line_no} is longer than {MAX_CHECKPOINT_LINE} bytes"),
            );
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            em.corrupt(Some(at), format!("line {line_no} is not UTF-8"))?;
            continue;
        };
        let text = text.trim_end_matches(['\n', '\r']);
        match line_no {
            1 if text.trim() != "0" => {
                return em.corrupt(
                    Some(at),
                    format!("line 1: version {text:?} is not 0, the only one Kafka writes"),
                );
            }
            1 => {}
            2 => match text.trim().parse::<u64>() {
                Ok(c) => declared = Some(c),
                Err(_) => {
                    return em.corrupt(
                        Some(at),
                        format!("line 2: entry count {text:?} is not a number"),
                    );
                }
            },
            _ => {
                found += 1;
                match parse_checkpoint_line(kind, text) {
                    Ok(entry) => em.emit(&Event::CheckpointEntry(entry))?,
                    Err(why) => em.corrupt(Some(at), format!("line {line_no}: {why}"))?,
                }
            }
        }
    }
    if let Some(declared) = declared
        && declared != found
    {
        em.corrupt(
            None,
            format!("line 2 declares {declared} entries but {found} lines follow"),
        )?;
    } else if line_no == 1 {
        em.corrupt(None, "the entry count (line 2) is missing".into())?;
    }
    Ok(())
}

fn parse_checkpoint_line(kind: FileKind, text: &str) -> Result<CheckpointEntry<'_>, String> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    if kind == FileKind::LeaderEpochCheckpoint {
        let [epoch, start] = fields[..] else {
            return Err(format!("expected `epoch startOffset`, found {text:?}"));
        };
        return Ok(CheckpointEntry::Epoch {
            epoch: epoch
                .parse()
                .map_err(|_| format!("epoch {epoch:?} is not a number"))?,
            start_offset: start
                .parse()
                .map_err(|_| format!("start offset {start:?} is not a number"))?,
        });
    }
    let [topic, partition, offset] = fields[..] else {
        return Err(format!("expected `topic partition offset`, found {text:?}"));
    };
    Ok(CheckpointEntry::Offset {
        topic,
        partition: partition
            .parse()
            .map_err(|_| format!("partition {partition:?} is not a number"))?,
        offset: offset
            .parse()
            .map_err(|_| format!("offset {offset:?} is not a number"))?,
    })
}

pub(super) fn dump_partition_metadata(
    path: &Path,
    em: &mut Emitter<'_>,
) -> Result<(), InspectError> {
    let (_, len) = open(path)?;
    if len > MAX_PARTITION_METADATA {
        return em.corrupt(
            None,
            format!("{len} bytes is too large for a partition.metadata file"),
        );
    }
    match checkpoint::read_partition_metadata(path) {
        Ok(Some(topic_id)) => em.emit(&Event::CheckpointEntry(CheckpointEntry::TopicId {
            version: 0,
            topic_id,
        })),
        Ok(None) => Err(LogError::Io {
            path: path.to_path_buf(),
            op: "read",
            source: std::io::ErrorKind::NotFound.into(),
        }
        .into()),
        Err(LogError::BadCheckpoint { line, reason, .. }) => {
            em.corrupt(None, format!("line {line}: {reason}"))
        }
        Err(e) => Err(e.into()),
    }
}

/// `meta.properties` as Kafka's `MetaProperties.Builder(Properties)` reads it: `version`
/// (default 0); version 0 takes `broker.id` when present, version 1 needs `node.id` and
/// `cluster.id`; `directory.id` must be a Uuid when present. Lines are Java properties
/// (`key=value` or `key: value`, `#` and `!` comments); escapes are not decoded, as Kafka's
/// own files have none.
pub(super) fn dump_meta_properties(path: &Path, em: &mut Emitter<'_>) -> Result<(), InspectError> {
    let (file, len) = open(path)?;
    if len > MAX_META_PROPERTIES {
        return em.corrupt(
            None,
            format!("{len} bytes is too large for a meta.properties file"),
        );
    }
    let mut bytes = Vec::new();
    file.take(MAX_META_PROPERTIES)
        .read_to_end(&mut bytes)
        .map_err(io_err(path, "read"))?;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return em.corrupt(None, "the file is not UTF-8".into());
    };
    let props = java_properties(text);
    let get = |key: &str| props.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let version = match get("version").unwrap_or("0") {
        "0" => 0,
        "1" => 1,
        v => return em.corrupt(None, format!("version {v:?} is not 0 or 1")),
    };
    let id_key = if version == 0 { "broker.id" } else { "node.id" };
    let node_id = match get(id_key).map(str::parse::<i32>) {
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            return em.corrupt(
                None,
                format!("{id_key} {:?} is not a number", get(id_key).unwrap_or("")),
            );
        }
        None if version == 1 => return em.corrupt(None, "node.id was not found".into()),
        None => None,
    };
    let cluster_id = get("cluster.id");
    if version == 1 && cluster_id.is_none() {
        return em.corrupt(None, "cluster.id was not found".into());
    }
    let directory_id = match get("directory.id") {
        Some(d) => match Uuid::from_base64(d) {
            Some(u) => Some(u),
            None => {
                return em.corrupt(None, format!("directory.id {d:?} is not a Uuid"));
            }
        },
        None => None,
    };
    em.emit(&Event::CheckpointEntry(CheckpointEntry::MetaProperties {
        version,
        node_id,
        cluster_id,
        directory_id,
    }))
}

/// The `key=value` pairs of a Java properties file, in file order.
fn java_properties(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .map(|l| l.trim_start_matches([' ', '\t', '\u{c}']))
        .filter(|l| !l.is_empty() && !l.starts_with(['#', '!']))
        .map(|l| {
            let end = l.find(['=', ':', ' ', '\t', '\u{c}']).unwrap_or(l.len());
            let rest = l[end..].trim_start_matches([' ', '\t', '\u{c}']);
            let rest = rest
                .strip_prefix(['=', ':'])
                .unwrap_or(rest)
                .trim_start_matches([' ', '\t', '\u{c}']);
            (&l[..end], rest)
        })
        .collect()
}
