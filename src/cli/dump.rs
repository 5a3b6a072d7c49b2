//! `filka dump`: print what is inside Kafka's segment, index, time index, producer-snapshot,
//! transaction-index and checkpoint files, and KRaft's metadata log and snapshots, like
//! Kafka's `kafka-dump-log.sh`.
//!
//! Reads the files read-only and never repairs them. Needs no cluster: the files may come from
//! a real Kafka broker.
//!
//! Text output is kafka-dump-log's, line for line, wherever Kafka has a format
//! (kafka-format.md §10): `Dumping <path>`, `Log starting offset: N`, the batch line, the
//! `| offset: ...` record lines (`--print-data`), `offset: N position: P`,
//! `timestamp: T offset: O`, the `.snapshot` line (`producerId: … producerEpoch: …
//! coordinatorEpoch: … currentTxnFirstOffset: OptionalLong[…] lastTimestamp: … firstSequence:
//! … lastSequence: … lastOffset: … offsetDelta: … timestamp: …`, the batch fields only for a
//! producer with a batch, as Kafka prints them), the `.txnindex` line (`version: 0
//! producerId: … firstOffset: … lastOffset: … lastStableOffset: …`), `<path> is empty.` and
//! `Found N invalid bytes at the end of <name>`, which filka ends with
//! `, starting at position P`. KRaft's control records print as Kafka prints them
//! (`LeaderChange: {...}`, `SnapshotHeader {...}`, ...). The records of the metadata log (a
//! `.log` in a folder named `__cluster_metadata-0`, or any `.log` with
//! `--cluster-metadata-decoder`) and of KRaft snapshots (`<end offset>-<epoch>.checkpoint`,
//! which start with `Snapshot end offset: N, epoch: E`) print as kafka-dump-log
//! `--cluster-metadata-decoder` prints them: `payload: {"type":"TOPIC_RECORD","version":0,
//! "data":{...}}` (no key), or `payload: Error at N, skipping. <why>` for a value that is not
//! one. Differences, all on damaged files or for what Kafka does not print:
//! - keys, payloads and header keys that are valid UTF-8 are printed as text with control
//!   characters escaped (`\n`, `\x1b`), so one record stays one line; other bytes are printed
//!   with printable ASCII as is, `\` as `\\` and every other byte as `\xNN`;
//! - problems Kafka has no line for are `Error: <what, where>` lines in file order;
//! - mismatches (`--verify`) are printed on stdout after the file's entries, in Kafka's words
//!   (`Mismatches in :<path>` / `  Index offset: X, log offset: Y`, `Found timestamp mismatch
//!   in :<path>`, `Non-consecutive offsets in <path>`, ...) rather than on stderr at the end;
//!   `.txnindex` entries checked against the ABORT markers of the log (filka's own check)
//!   are listed under `Transaction index mismatches in :<path>`;
//! - a damaged `.snapshot` (Kafka prints only the exception) still lists its entries, then
//!   says what is wrong and where (CRC, count, lengths, trailing bytes);
//! - a metadata record that is not one is also an `Error:` line (and exit 3), and with
//!   `--verify` a KRaft snapshot's framing is checked (a SnapshotHeader first, a
//!   SnapshotFooter last), which Kafka's tool does not do;
//! - checkpoint files, which Kafka's tool does not read, print `topic: T partition: P
//!   offset: O`, `epoch: E startOffset: O` or `version: 0 topicId: ID` per entry, and
//!   `meta.properties` one line, `version: V nodeId: N clusterId: C directoryId: D` (`-` for
//!   one it lacks), as Kafka's own classes read them (tests/apache_kafka/files.rs compares).
//!
//! `--output json` prints one object per line, each with `"type"` (`file`, `batch`, `record`,
//! `index_entry`, `time_index_entry`, `snapshot_entry`, `txn_index_entry`,
//! `checkpoint_entry`, `invalid_bytes`, `mismatch`, `error`) and `"file"`; keys and values
//! are strings when valid UTF-8, else base64 with
//! `"key_encoding"`/`"value_encoding": "base64"`. A KRaft control record has `"control"`, a
//! metadata record `"metadata"`: the object Kafka prints (dump_json.rs).
//!
//! Exit codes: 0 when every file is sound; 3 when any file has a bad CRC, invalid trailing
//! bytes, undecodable records, a malformed entry or (with `--verify`) a mismatch, after
//! printing everything; 4 when a file (or, with `--verify`, an index's `.log`) does not exist;
//! 2 for a file name filka cannot dump.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, anyhow};

use super::dump_json::json_event;
use super::{GlobalArgs, OutputFormat};
use crate::error::{ExitCode, ResultExt, coded};
use crate::log::inspect::{
    self, BatchInfo, CheckpointEntry, Control, Event, FileKind, InspectError, MetadataValue,
    Mismatch, Options, RecordInfo, Summary, Visitor, control_type_name,
};
use crate::log::producer_state::SnapshotEntry;
use crate::output::{Printer, escape_control, write_json_line};
use crate::record::kraft::records::dump_error;

const EXAMPLES: &str = "\
Examples:
  Print the batches of a segment, then each record's key, value and headers:
    filka dump filka-data/broker-101/demo-0/00000000000000000000.log
    filka dump filka-data/broker-101/demo-0/00000000000000000000.log --print-data

  Check an offset index against its segment:
    filka dump --verify filka-data/broker-101/demo-0/00000000000000000000.index

  Show producer state and aborted transactions of a partition:
    filka dump filka-data/broker-101/demo-0/*.snapshot
    filka dump --verify filka-data/broker-101/demo-0/00000000000000000000.txnindex

  Read at most the first MiB of a large segment copied from a Kafka broker:
    filka dump --max-bytes 1048576 /tmp/copied/00000000000000368769.log

  Decode the metadata log of a Kafka node and its snapshots, then check a snapshot's framing:
    filka dump --print-data kafka-logs/__cluster_metadata-0/*.log
    filka dump --print-data kafka-logs/__cluster_metadata-0/*.checkpoint
    filka dump --verify kafka-logs/__cluster_metadata-0/00000000000000000000-0000000000.checkpoint

  Decode a segment of the metadata log copied out of its folder:
    filka dump --print-data --cluster-metadata-decoder /tmp/copied/00000000000000000000.log";

/// Print the contents of Kafka segment, index, snapshot and checkpoint files.
///
/// The kind of each file comes from its name: .log (record batches), .index (offset index),
/// .timeindex (time index), .snapshot (producer state: ids, epochs, sequences, open
/// transactions), .txnindex (aborted transactions), <end offset>-<epoch>.checkpoint (a KRaft
/// snapshot of the metadata log), leader-epoch-checkpoint, the broker's *-checkpoint files,
/// partition.metadata and meta.properties. The records of a .log in a folder named
/// __cluster_metadata-0 (KRaft's metadata log) and of KRaft snapshots are decoded as Kafka's
/// metadata records. Output mirrors Kafka's kafka-dump-log. Files are opened read-only and
/// never repaired; corruption is reported with its byte position and makes filka exit with 3
/// after printing everything it could read.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Files to dump, in order.
    #[arg(required = true, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub files: Vec<std::path::PathBuf>,

    /// Also print each record's offset, timestamp, key, value and headers, not just the batch
    /// headers (kafka-dump-log's --print-data-log).
    ///
    /// Keys and values that are valid UTF-8 are printed as text (control characters
    /// escaped); other bytes as \xNN escapes. Records of the metadata log and of KRaft
    /// snapshots are printed as the metadata record each holds, in Kafka's JSON.
    #[arg(long)]
    pub print_data: bool,

    /// Check every batch's CRC and every index entry against the segment beside it, and
    /// report each mismatch.
    ///
    /// In .log files also report leader epochs that decrease, list gaps between record
    /// offsets, and check the segment's .txnindex against its ABORT markers (as for a
    /// .txnindex given itself); gaps are expected on compacted topics but, like every
    /// mismatch, make filka exit with 3. In a KRaft snapshot (.checkpoint) also check that
    /// a SnapshotHeader control record comes first and a SnapshotFooter last.
    #[arg(long)]
    pub verify: bool,

    /// Read at most the first N bytes of each .log file and KRaft snapshot (whole batches
    /// only; a batch the limit cuts is not reported).
    #[arg(long, value_name = "N")]
    pub max_bytes: Option<u64>,

    /// Read every .log as a segment of KRaft's metadata log: print each record as the
    /// metadata record it holds (kafka-dump-log's --cluster-metadata-decoder).
    ///
    /// Needed only for a segment copied out of its __cluster_metadata-0 folder: in that
    /// folder, and in KRaft snapshots, records are decoded without it.
    #[arg(long)]
    pub cluster_metadata_decoder: bool,
}

/// Most mismatches listed per file in text output; the rest are counted.
const MAX_LISTED_MISMATCHES: usize = 10_000;

/// Dumps the files.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    global.accept("dump", super::global::TEXT_JSON, super::global::VERBOSE)?;
    let json = global.output == OutputFormat::Json;
    // Every file is checked before anything is printed: one clear line for a typo.
    let mut kinds = Vec::with_capacity(args.files.len());
    for file in &args.files {
        let meta = std::fs::metadata(file).with_context(|| format!("dump {}", file.display()))?;
        if meta.is_dir() {
            return Err(coded(
                ExitCode::Usage,
                anyhow!(
                    "dump {}: is a directory; name the files in it (e.g. {}/*.log)",
                    file.display(),
                    file.display()
                ),
            ));
        }
        let named = inspect::file_kind(file).exit_code(ExitCode::Usage)?;
        let kind = if args.cluster_metadata_decoder {
            named.with_cluster_metadata()
        } else {
            named
        };
        kinds.push((kind, kind != named));
    }
    let opts = Options {
        records: args.print_data,
        verify: args.verify,
        max_bytes: args.max_bytes,
    };
    let mut out = Printer::stdout();
    let mut corrupt = Vec::new();
    let mut unverified = Vec::new();
    for (file, &(kind, by_flag)) in args.files.iter().zip(&kinds) {
        let summary = if json {
            let name = file.display().to_string();
            let mut v = |e: &Event<'_>| match json_event(e, &name) {
                Some(value) => write_json_line(&mut out, &value),
                None => Ok(()),
            };
            inspect::inspect(file, kind, &opts, &mut v)
        } else {
            let mut text = TextOut::new(&mut out, file);
            let summary = inspect::inspect(file, kind, &opts, &mut text);
            text.finish().map_err(anyhow::Error::new)?;
            summary
        };
        let summary: Summary = match summary {
            Ok(s) => s,
            Err(InspectError::Visitor(e)) => return Err(e.into()),
            Err(InspectError::Log(e)) => {
                out.finish()?;
                return Err(anyhow::Error::new(e).context(format!("dump {}", file.display())));
            }
        };
        if global.verbose_at(1) {
            // stdout first, so the line follows the file's dump on a terminal.
            out.flush()?;
            global.detail(1, verbose_summary(file, kind, by_flag, &summary));
        }
        if summary.is_corrupt() {
            corrupt.push(file.display().to_string());
        }
        if summary.missing_log {
            unverified.push(file.display().to_string());
        }
    }
    out.finish()?;
    let n = args.files.len();
    if !corrupt.is_empty() {
        return Err(coded(
            ExitCode::Corrupt,
            anyhow!(
                "dump: problems found in {} of {n} files (listed in the output): {}",
                corrupt.len(),
                list(&corrupt)
            ),
        ));
    }
    if !unverified.is_empty() {
        return Err(coded(
            ExitCode::NotFound,
            anyhow!(
                "dump: cannot verify {}: the segment (.log) beside it does not exist",
                list(&unverified)
            ),
        ));
    }
    Ok(ExitCode::Success)
}

/// What `-v` says of a dumped file: how its kind was known (`by_flag`: a `.log` read as the
/// metadata log because of `--cluster-metadata-decoder`), and what was read.
fn verbose_summary(file: &Path, kind: FileKind, by_flag: bool, s: &Summary) -> String {
    let what = match kind {
        FileKind::Log {
            base_offset,
            cluster_metadata: false,
        } => format!(
            "a log segment of base offset {base_offset}: {} batches, {} records",
            s.batches, s.records
        ),
        FileKind::Log {
            base_offset,
            cluster_metadata: true,
        } => format!(
            "a segment of the metadata log of base offset {base_offset}, read as metadata \
             records: {} batches, {} records",
            s.batches, s.records
        ),
        FileKind::KraftSnapshot { end_offset, epoch } => format!(
            "a KRaft snapshot of the metadata log up to offset {end_offset} (epoch {epoch}): \
             {} batches, {} records",
            s.batches, s.records
        ),
        FileKind::OffsetIndex { base_offset } => format!(
            "the offset index of segment {base_offset}: {} entries",
            s.entries
        ),
        FileKind::TimeIndex { base_offset } => format!(
            "the time index of segment {base_offset}: {} entries",
            s.entries
        ),
        FileKind::ProducerSnapshot { offset } => format!(
            "a producer-state snapshot at offset {offset}: {} producers",
            s.entries
        ),
        FileKind::TxnIndex { base_offset } => format!(
            "the aborted-transaction index of segment {base_offset}: {} entries",
            s.entries
        ),
        FileKind::LeaderEpochCheckpoint => {
            format!("a leader-epoch checkpoint: {} entries", s.entries)
        }
        FileKind::OffsetCheckpoint => format!("an offset checkpoint: {} entries", s.entries),
        FileKind::PartitionMetadata => "a partition.metadata file".to_string(),
        FileKind::MetaProperties => "a meta.properties file".to_string(),
    };
    let problems = s.bad_crcs + s.invalid_bytes + s.errors + s.mismatches;
    format!(
        "dump {}: {what} (kind from its name{}), {}",
        escape_control(&file.display().to_string()),
        if by_flag {
            ", metadata records by --cluster-metadata-decoder"
        } else {
            ""
        },
        if problems == 0 {
            "no problem found".to_string()
        } else {
            format!(
                "{} bad CRCs, {} invalid bytes, {} errors, {} mismatches",
                s.bad_crcs, s.invalid_bytes, s.errors, s.mismatches
            )
        }
    )
}

/// `a, b, c and 4 more`.
fn list(files: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut s = files
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if files.len() > SHOWN {
        let _ = write!(s, " and {} more", files.len() - SHOWN);
    }
    s
}

/// Bytes from disk as one line of text: valid UTF-8 with control characters escaped, or
/// printable ASCII with `\` and every other byte escaped.
pub(super) fn show(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => match escape_control(s) {
            e if e == s => Cow::Borrowed(s),
            e => Cow::Owned(e),
        },
        Err(_) => {
            let mut s = String::with_capacity(bytes.len() * 2);
            for &b in bytes {
                match b {
                    b'\\' => s.push_str("\\\\"),
                    0x20..=0x7e => s.push(b as char),
                    _ => {
                        let _ = write!(s, "\\x{b:02x}");
                    }
                }
            }
            Cow::Owned(s)
        }
    }
}

/// kafka-dump-log's text, one file at a time; mismatches are kept until the file ends.
struct TextOut<'a> {
    out: &'a mut Printer,
    path: String,
    name: String,
    mismatches: Vec<Mismatch>,
    unlisted: u64,
}

impl<'a> TextOut<'a> {
    fn new(out: &'a mut Printer, path: &Path) -> Self {
        TextOut {
            out,
            path: escape_control(&path.display().to_string()),
            name: escape_control(&path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into(),
            )),
            mismatches: Vec::new(),
            unlisted: 0,
        }
    }

    fn batch(&mut self, b: &BatchInfo) -> std::io::Result<()> {
        let h = &b.header;
        let horizon = b.delete_horizon_ms().map_or_else(
            || "OptionalLong.empty".to_string(),
            |t| format!("OptionalLong[{t}]"),
        );
        writeln!(
            self.out,
            "baseOffset: {} lastOffset: {} count: {} baseSequence: {} lastSequence: {} \
             producerId: {} producerEpoch: {} partitionLeaderEpoch: {} isTransactional: {} \
             isControl: {} deleteHorizonMs: {horizon} position: {} {}: {} size: {} magic: {} \
             compresscodec: {} crc: {} isvalid: {}",
            h.base_offset,
            h.last_offset(),
            h.records_count,
            h.base_sequence,
            h.last_sequence(),
            h.producer_id,
            h.producer_epoch,
            h.partition_leader_epoch,
            h.attributes.is_transactional(),
            h.attributes.is_control(),
            b.position,
            h.attributes.timestamp_type().name(),
            h.max_timestamp,
            b.size(),
            h.magic,
            b.compression().map_or("unknown", |c| c.name()),
            h.crc,
            b.crc_valid(),
        )
    }

    fn record(&mut self, r: &RecordInfo<'_>) -> std::io::Result<()> {
        let rec = &r.record;
        let keys: Vec<Cow<'_, str>> = rec.headers().map(|(k, _)| show(k)).collect();
        let mut line = format!(
            "| offset: {} {}: {} keySize: {} valueSize: {} sequence: {} headerKeys: [{}]",
            rec.offset,
            r.timestamp_type.name(),
            rec.timestamp,
            rec.key.map_or(-1, |k| k.len() as i64),
            rec.value.map_or(-1, |v| v.len() as i64),
            rec.sequence,
            keys.join(","),
        );
        match &r.control {
            Some(Control::EndTxn(m)) => {
                let _ = write!(
                    line,
                    " endTxnMarker: {} coordinatorEpoch: {}",
                    m.kind.name(),
                    m.coordinator_epoch
                );
            }
            Some(Control::Kraft(k)) => {
                let _ = write!(line, " {}", k.to_dump());
            }
            Some(Control::Other(t)) => {
                let _ = write!(line, " controlType: {}({t})", control_type_name(*t));
            }
            Some(Control::Malformed) => line.push_str(" controlType: UNKNOWN(-1)"),
            None => match &r.metadata {
                // Kafka's metadata decoder prints no key, and the record for the payload.
                Some(m) => {
                    let payload = match m {
                        MetadataValue::Record(m) => m.to_dump(rec.offset),
                        MetadataValue::Invalid(why) => dump_error(rec.offset, why),
                    };
                    let _ = write!(line, " payload: {}", escape_control(&payload));
                }
                None => {
                    if let Some(k) = rec.key {
                        let _ = write!(line, " key: {}", show(k));
                    }
                    if let Some(v) = rec.value {
                        let _ = write!(line, " payload: {}", show(v));
                    }
                }
            },
        }
        self.out.line(&line)
    }

    /// Prints the mismatches of the file, grouped under Kafka's headings.
    fn finish(mut self) -> std::io::Result<()> {
        let lines: Vec<(usize, String)> = self.mismatches.iter().map(kafka_line).collect();
        for (group, heading) in HEADINGS.iter().enumerate() {
            let mut in_group = lines.iter().filter(|(g, _)| *g == group).peekable();
            if in_group.peek().is_none() {
                continue;
            }
            match heading {
                Heading::WithPath(h) => writeln!(self.out, "{h}{}", self.path)?,
                Heading::Plain(h) => self.out.line(h)?,
            }
            for (_, l) in in_group {
                self.out.line(l)?;
            }
        }
        if self.unlisted > 0 {
            writeln!(
                self.out,
                "... and {} more mismatches in {}",
                self.unlisted, self.path
            )?;
        }
        self.mismatches.clear();
        Ok(())
    }
}

/// A heading of kafka-dump-log's mismatch report.
enum Heading {
    /// Followed by the file's path.
    WithPath(&'static str),
    /// On its own.
    Plain(&'static str),
}

/// kafka-dump-log's headings, in the order it prints them; [`kafka_line`] picks one.
const HEADINGS: [Heading; 6] = [
    Heading::WithPath("Non-consecutive offsets in "),
    Heading::WithPath("Mismatches in :"),
    Heading::WithPath("Found timestamp mismatch in :"),
    Heading::WithPath("Found out of order timestamp in :"),
    Heading::Plain("The following indexed offsets are not found in the log."),
    // filka's own: Kafka does not check .txnindex files.
    Heading::WithPath("Transaction index mismatches in :"),
];

/// A mismatch as kafka-dump-log words it, with the index of its heading in [`HEADINGS`].
fn kafka_line(m: &Mismatch) -> (usize, String) {
    match m {
        Mismatch::NonConsecutive { previous, next } => {
            (0, format!("  {previous} is followed by {next}"))
        }
        Mismatch::IndexOffset {
            index_offset,
            log_offset,
            ..
        } => (
            1,
            format!("  Index offset: {index_offset}, log offset: {log_offset}"),
        ),
        Mismatch::IndexPosition {
            index_offset,
            reason,
            ..
        } => (
            1,
            format!("  Index offset: {index_offset}, log offset: -1 ({reason})"),
        ),
        Mismatch::IndexOutOfOrder {
            index_offset,
            position,
            previous_offset,
            previous_position,
        } => (
            1,
            format!(
                "  Index offset: {index_offset}, position: {position} does not follow \
                 offset: {previous_offset}, position: {previous_position}"
            ),
        ),
        Mismatch::TimeIndexTimestamp {
            index_timestamp,
            log_timestamp,
            ..
        } => (
            2,
            format!("  Index timestamp: {index_timestamp}, log timestamp: {log_timestamp}"),
        ),
        Mismatch::TimeIndexOutOfOrder {
            offset,
            previous_offset,
            ..
        } if offset < previous_offset => (
            3,
            format!("  Index offset: {offset}, Previously indexed offset: {previous_offset}"),
        ),
        Mismatch::TimeIndexOutOfOrder {
            timestamp,
            previous_timestamp,
            ..
        } => (
            3,
            format!(
                "  Index timestamp: {timestamp}, Previously indexed timestamp: \
                 {previous_timestamp}"
            ),
        ),
        Mismatch::TimeIndexOffset {
            index_offset,
            log_offset,
        } => (
            4,
            format!("Indexed offset: {index_offset}, found log offset: {log_offset}"),
        ),
        Mismatch::TxnIndexEntry {
            producer_id,
            first_offset,
            last_offset,
            reason,
        } => (
            5,
            format!(
                "  Entry producerId: {producer_id} firstOffset: {first_offset} lastOffset: \
                 {last_offset}: {reason}"
            ),
        ),
        Mismatch::TxnIndexMissing {
            producer_id,
            first_offset,
            last_offset,
        } => (
            5,
            format!(
                "  ABORT marker of producerId: {producer_id} at offset {last_offset} has no \
                 entry (its transaction has records from offset {first_offset} on)"
            ),
        ),
    }
}

impl Visitor for TextOut<'_> {
    fn visit(&mut self, event: &Event<'_>) -> std::io::Result<()> {
        match event {
            Event::Start { kind } => {
                writeln!(self.out, "Dumping {}", self.path)?;
                match *kind {
                    FileKind::Log { base_offset, .. } => {
                        writeln!(self.out, "Log starting offset: {base_offset}")?;
                    }
                    FileKind::KraftSnapshot { end_offset, epoch } => writeln!(
                        self.out,
                        "Snapshot end offset: {end_offset}, epoch: {epoch}"
                    )?,
                    _ => {}
                }
                Ok(())
            }
            Event::Batch(b) => self.batch(b),
            Event::Record(r) => self.record(r),
            Event::IndexEntry(e) => {
                writeln!(self.out, "offset: {} position: {}", e.offset, e.position)
            }
            Event::TimeIndexEntry(e) => {
                writeln!(self.out, "timestamp: {} offset: {}", e.timestamp, e.offset)
            }
            Event::IndexEmpty => writeln!(self.out, "{} is empty.", self.path),
            Event::SnapshotEntry { entry: e, .. } => self.out.line(&snapshot_line(e)),
            Event::TxnIndexEntry { txn: t, .. } => writeln!(
                self.out,
                "version: {} producerId: {} firstOffset: {} lastOffset: {} lastStableOffset: {}",
                t.version, t.producer_id, t.first_offset, t.last_offset, t.last_stable_offset
            ),
            Event::CheckpointEntry(CheckpointEntry::Offset {
                topic,
                partition,
                offset,
            }) => writeln!(
                self.out,
                "topic: {} partition: {partition} offset: {offset}",
                escape_control(topic)
            ),
            Event::CheckpointEntry(CheckpointEntry::Epoch {
                epoch,
                start_offset,
            }) => writeln!(self.out, "epoch: {epoch} startOffset: {start_offset}"),
            Event::CheckpointEntry(CheckpointEntry::TopicId { version, topic_id }) => {
                writeln!(self.out, "version: {version} topicId: {topic_id}")
            }
            Event::CheckpointEntry(CheckpointEntry::MetaProperties {
                version,
                node_id,
                cluster_id,
                directory_id,
            }) => writeln!(
                self.out,
                "version: {version} nodeId: {} clusterId: {} directoryId: {}",
                node_id.map_or_else(|| "-".to_string(), |n| n.to_string()),
                cluster_id.map_or_else(|| "-".into(), escape_control),
                directory_id.map_or_else(|| "-".to_string(), |d| d.to_string()),
            ),
            Event::InvalidBytes { position, count } => writeln!(
                self.out,
                "Found {count} invalid bytes at the end of {}, starting at position {position}",
                self.name
            ),
            Event::Mismatch(m) => {
                if self.mismatches.len() < MAX_LISTED_MISMATCHES {
                    self.mismatches.push((*m).clone());
                } else {
                    self.unlisted += 1;
                }
                Ok(())
            }
            Event::Problem(p) => writeln!(self.out, "Error: {}", escape_control(&p.message)),
        }
    }
}

/// kafka-dump-log's line for a producer of a `.snapshot`: an OptionalLong for the open
/// transaction, and the batch fields only when the producer has a batch. Kafka 4.4 ends the
/// line after `lastTimestamp` for a producer without one (Kafka's older Scala tool left a
/// space there).
fn snapshot_line(e: &SnapshotEntry) -> String {
    let txn = if e.current_txn_first_offset >= 0 {
        format!("OptionalLong[{}]", e.current_txn_first_offset)
    } else {
        "OptionalLong.empty".to_string()
    };
    let mut line = format!(
        "producerId: {} producerEpoch: {} coordinatorEpoch: {} currentTxnFirstOffset: {txn} \
         lastTimestamp: {}",
        e.producer_id, e.epoch, e.coordinator_epoch, e.timestamp
    );
    if let Some(first) = e.first_sequence() {
        let _ = write!(
            line,
            " firstSequence: {first} lastSequence: {} lastOffset: {} offsetDelta: {} \
             timestamp: {}",
            e.last_sequence, e.last_offset, e.offset_delta, e.timestamp
        );
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_show_as_text_or_escapes() {
        assert_eq!(show(b"k1"), "k1");
        assert_eq!(show("grüße".as_bytes()), "grüße");
        assert_eq!(show(b"a\nb\x1b"), "a\\nb\\x1b");
        assert_eq!(show(b"\x00\x01ok\xff\\"), "\\x00\\x01ok\\xff\\\\");
        assert_eq!(show(b""), "");
    }

    /// Regression: a producer without a batch (only a marker, or an epoch bump) ended its
    /// line with a space, as Kafka's old Scala tool did; Kafka 4.4 (the judge) prints none
    /// (fixtures/apache-kafka/txn-0/, written by a real broker).
    #[test]
    fn snapshot_lines_end_as_kafka_4_ends_them() {
        let mut e = SnapshotEntry {
            producer_id: 7,
            epoch: 2,
            last_sequence: -1,
            last_offset: -1,
            offset_delta: 0,
            timestamp: 1_700_000_000_012,
            coordinator_epoch: 0,
            current_txn_first_offset: -1,
        };
        assert_eq!(
            snapshot_line(&e),
            "producerId: 7 producerEpoch: 2 coordinatorEpoch: 0 currentTxnFirstOffset: \
             OptionalLong.empty lastTimestamp: 1700000000012"
        );
        (e.last_sequence, e.last_offset, e.current_txn_first_offset) = (4, 9, 5);
        assert_eq!(
            snapshot_line(&e),
            "producerId: 7 producerEpoch: 2 coordinatorEpoch: 0 currentTxnFirstOffset: \
             OptionalLong[5] lastTimestamp: 1700000000012 firstSequence: 4 lastSequence: 4 \
             lastOffset: 9 offsetDelta: 0 timestamp: 1700000000012"
        );
    }

    #[test]
    fn file_lists_are_short() {
        let files: Vec<String> = (0..5).map(|i| format!("f{i}")).collect();
        assert_eq!(list(&files[..2]), "f0, f1");
        assert_eq!(list(&files), "f0, f1, f2 and 2 more");
    }
}
