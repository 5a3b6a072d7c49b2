//! The checkpoint walks: Kafka's offset and leader-epoch checkpoints read line by line, and
//! `partition.metadata`.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::super::checkpoint;
use super::{
    CheckpointEntry, Emitter, Event, FileKind, InspectError, LogError, MAX_CHECKPOINT_LINE,
    MAX_PARTITION_METADATA, io_err, open,
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
