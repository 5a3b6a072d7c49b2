//! `filka dump`: print what is inside Kafka's segment, index, time index, producer-snapshot,
//! transaction-index and checkpoint files, like Kafka's `kafka-dump-log.sh`.
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
//! `, starting at position P`. Differences, all on damaged files or for what Kafka does not
//! print:
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
//! - checkpoint files, which Kafka's tool does not read, print `topic: T partition: P
//!   offset: O`, `epoch: E startOffset: O` or `version: 0 topicId: ID` per entry, and
//!   `meta.properties` one line, `version: V nodeId: N clusterId: C directoryId: D` (`-` for
//!   one it lacks), as Kafka's own classes read them (tests/apache_kafka/files.rs compares).
//!
//! `--output json` prints one object per line, each with `"type"` (`file`, `batch`, `record`,
//! `index_entry`, `time_index_entry`, `snapshot_entry`, `txn_index_entry`,
//! `checkpoint_entry`, `invalid_bytes`, `mismatch`, `error`) and `"file"`; keys and values
//! are strings when valid UTF-8, else base64 with
//! `"key_encoding"`/`"value_encoding": "base64"`.
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
use base64::Engine;
use serde_json::{Map, Value, json};

use super::{GlobalArgs, OutputFormat};
use crate::error::{ExitCode, ResultExt, coded};
use crate::log::checkpoint::Uuid;
use crate::log::inspect::{
    self, BatchInfo, CheckpointEntry, Control, Event, FileKind, InspectError, Mismatch, Options,
    ProblemKind, RecordInfo, Summary, Visitor, control_type_name,
};
use crate::log::producer_state::SnapshotEntry;
use crate::output::{Printer, escape_control, write_json_line};
use crate::record::kraft_control::KraftControl;

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
    filka dump --max-bytes 1048576 /tmp/copied/00000000000000368769.log";

/// Print the contents of Kafka segment, index, snapshot and checkpoint files.
///
/// The kind of each file comes from its name: .log (record batches), .index (offset index),
/// .timeindex (time index), .snapshot (producer state: ids, epochs, sequences, open
/// transactions), .txnindex (aborted transactions), leader-epoch-checkpoint, the broker's
/// *-checkpoint files, partition.metadata and meta.properties. Output mirrors Kafka's
/// kafka-dump-log. Files
/// are opened read-only and never repaired; corruption is reported with its byte position
/// and makes filka exit with 3 after printing everything it could read.
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
    /// escaped); other bytes as \xNN escapes.
    #[arg(long)]
    pub print_data: bool,

    /// Check every batch's CRC and every index entry against the segment beside it, and
    /// report each mismatch.
    ///
    /// In .log files also report leader epochs that decrease, list gaps between record
    /// offsets, and check the segment's .txnindex against its ABORT markers (as for a
    /// .txnindex given itself); gaps are expected on compacted topics but, like every
    /// mismatch, make filka exit with 3.
    #[arg(long)]
    pub verify: bool,

    /// Read at most the first N bytes of each .log file (whole batches only; a batch the
    /// limit cuts is not reported).
    #[arg(long, value_name = "N")]
    pub max_bytes: Option<u64>,
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
        kinds.push(inspect::file_kind(file).exit_code(ExitCode::Usage)?);
    }
    let opts = Options {
        records: args.print_data,
        verify: args.verify,
        max_bytes: args.max_bytes,
    };
    let mut out = Printer::stdout();
    let mut corrupt = Vec::new();
    let mut unverified = Vec::new();
    for (file, &kind) in args.files.iter().zip(&kinds) {
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
            global.detail(1, verbose_summary(file, kind, &summary));
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

/// What `-v` says of a dumped file: how its kind was known, and what was read.
fn verbose_summary(file: &Path, kind: FileKind, s: &Summary) -> String {
    let what = match kind {
        FileKind::Log { base_offset } => format!(
            "a log segment of base offset {base_offset}: {} batches, {} records",
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
        "dump {}: {what} (kind from its name), {}",
        escape_control(&file.display().to_string()),
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
fn show(bytes: &[u8]) -> Cow<'_, str> {
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
                let (label, json) = kraft_json(k);
                let _ = write!(line, " {label}{json}");
            }
            Some(Control::Other(t)) => {
                let _ = write!(line, " controlType: {}({t})", control_type_name(*t));
            }
            Some(Control::Malformed) => line.push_str(" controlType: UNKNOWN(-1)"),
            None => {
                if let Some(k) = rec.key {
                    let _ = write!(line, " key: {}", show(k));
                }
                if let Some(v) = rec.value {
                    let _ = write!(line, " payload: {}", show(v));
                }
            }
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
                if let FileKind::Log { base_offset } = kind {
                    writeln!(self.out, "Log starting offset: {base_offset}")?;
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

/// A KRaft control record as kafka-dump-log prints it: its label (`LeaderChange: `,
/// `SnapshotHeader `, `SnapshotFooter `, `KRaftVersion `, `KRaftVoters `) and the message
/// as Kafka's generated JSON converters write it (fields in schema order, camelCase, a
/// directory id as a Kafka Uuid).
fn kraft_json(k: &KraftControl) -> (&'static str, Value) {
    match k {
        KraftControl::LeaderChange {
            version,
            leader_id,
            voters,
            granting_voters,
        } => {
            let ids = |v: &[i32]| {
                v.iter()
                    .map(|id| json!({ "voterId": id }))
                    .collect::<Value>()
            };
            (
                "LeaderChange: ",
                json!({"version": version, "leaderId": leader_id, "voters": ids(voters),
                    "grantingVoters": ids(granting_voters)}),
            )
        }
        KraftControl::SnapshotHeader {
            version,
            last_contained_log_timestamp,
        } => (
            "SnapshotHeader ",
            json!({"version": version,
                "lastContainedLogTimestamp": last_contained_log_timestamp}),
        ),
        KraftControl::SnapshotFooter { version } => {
            ("SnapshotFooter ", json!({ "version": version }))
        }
        KraftControl::KraftVersion {
            version,
            kraft_version,
        } => (
            "KRaftVersion ",
            json!({"version": version, "kRaftVersion": kraft_version}),
        ),
        KraftControl::Voters { version, voters } => {
            let voters: Value = voters
                .iter()
                .map(|v| {
                    let endpoints: Value = v
                        .endpoints
                        .iter()
                        .map(|e| json!({"name": e.name, "host": e.host, "port": e.port}))
                        .collect();
                    json!({"voterId": v.voter_id,
                        "voterDirectoryId": Uuid(v.voter_directory_id).to_base64(),
                        "endpoints": endpoints,
                        "kRaftVersionFeature": {"minSupportedVersion": v.min_supported_version,
                            "maxSupportedVersion": v.max_supported_version}})
                })
                .collect();
            (
                "KRaftVoters ",
                json!({"version": version, "voters": voters}),
            )
        }
    }
}

/// Bytes as a JSON string: UTF-8 text, or base64 with `<field>_encoding` set.
fn put_bytes(obj: &mut Map<String, Value>, field: &str, bytes: Option<&[u8]>) {
    let value = match bytes {
        None => Value::Null,
        Some(b) => match std::str::from_utf8(b) {
            Ok(s) => Value::from(s),
            Err(_) => {
                obj.insert(format!("{field}_encoding"), Value::from("base64"));
                Value::from(base64::engine::general_purpose::STANDARD.encode(b))
            }
        },
    };
    obj.insert(field.to_string(), value);
}

/// One event as one JSON object; `None` for events with nothing to say in JSON.
fn json_event(event: &Event<'_>, file: &str) -> Option<Value> {
    let mut v = match event {
        Event::Start { kind } => json!({
            "type": "file", "kind": kind.name(), "base_offset": kind.base_offset(),
        }),
        Event::Batch(b) => {
            let h = &b.header;
            json!({
                "type": "batch", "position": b.position, "base_offset": h.base_offset,
                "last_offset": h.last_offset(), "count": h.records_count,
                "base_sequence": h.base_sequence, "last_sequence": h.last_sequence(),
                "producer_id": h.producer_id, "producer_epoch": h.producer_epoch,
                "partition_leader_epoch": h.partition_leader_epoch,
                "is_transactional": h.attributes.is_transactional(),
                "is_control": h.attributes.is_control(),
                "delete_horizon_ms": b.delete_horizon_ms(),
                "timestamp_type": h.attributes.timestamp_type().name(),
                "base_timestamp": h.base_timestamp, "max_timestamp": h.max_timestamp,
                "size": b.size(), "length": h.length, "magic": h.magic,
                "attributes": h.attributes.0,
                "compression": b.compression().map(|c| c.name()),
                "last_offset_delta": h.last_offset_delta, "crc": h.crc,
                "computed_crc": b.computed_crc, "crc_valid": b.crc_valid(),
            })
        }
        Event::Record(r) => json_record(r),
        Event::IndexEntry(e) => json!({
            "type": "index_entry", "offset": e.offset, "position": e.position,
        }),
        Event::TimeIndexEntry(e) => json!({
            "type": "time_index_entry", "timestamp": e.timestamp, "offset": e.offset,
        }),
        Event::IndexEmpty => return None,
        Event::SnapshotEntry { position, entry: e } => {
            let batch = e.first_sequence().is_some();
            json!({
                "type": "snapshot_entry", "position": position, "producer_id": e.producer_id,
                "producer_epoch": e.epoch, "coordinator_epoch": e.coordinator_epoch,
                "current_txn_first_offset":
                    (e.current_txn_first_offset >= 0).then_some(e.current_txn_first_offset),
                "last_timestamp": e.timestamp,
                "first_sequence": e.first_sequence(),
                "last_sequence": batch.then_some(e.last_sequence),
                "last_offset": batch.then_some(e.last_offset),
                "offset_delta": batch.then_some(e.offset_delta),
                "timestamp": batch.then_some(e.timestamp),
            })
        }
        Event::TxnIndexEntry { position, txn: t } => json!({
            "type": "txn_index_entry", "position": position, "version": t.version,
            "producer_id": t.producer_id, "first_offset": t.first_offset,
            "last_offset": t.last_offset, "last_stable_offset": t.last_stable_offset,
        }),
        Event::CheckpointEntry(CheckpointEntry::Offset {
            topic,
            partition,
            offset,
        }) => json!({
            "type": "checkpoint_entry", "topic": topic, "partition": partition,
            "offset": offset,
        }),
        Event::CheckpointEntry(CheckpointEntry::Epoch {
            epoch,
            start_offset,
        }) => json!({
            "type": "checkpoint_entry", "epoch": epoch, "start_offset": start_offset,
        }),
        Event::CheckpointEntry(CheckpointEntry::TopicId { version, topic_id }) => json!({
            "type": "checkpoint_entry", "version": version, "topic_id": topic_id.to_base64(),
        }),
        Event::CheckpointEntry(CheckpointEntry::MetaProperties {
            version,
            node_id,
            cluster_id,
            directory_id,
        }) => json!({
            "type": "checkpoint_entry", "version": version, "node_id": node_id,
            "cluster_id": cluster_id, "directory_id": directory_id.map(|d| d.to_base64()),
        }),
        Event::InvalidBytes { position, count } => json!({
            "type": "invalid_bytes", "position": position, "count": count,
        }),
        Event::Mismatch(m) => json_mismatch(m),
        Event::Problem(p) => json!({
            "type": "error",
            "kind": match p.kind {
                ProblemKind::Corrupt => "corrupt",
                ProblemKind::MissingLog => "missing_log",
            },
            "position": p.position, "message": p.message,
        }),
    };
    if let Value::Object(obj) = &mut v {
        // "type" first, then "file", then the event's fields.
        let mut ordered = Map::new();
        ordered.insert(
            "type".into(),
            obj.shift_remove("type").unwrap_or(Value::Null),
        );
        ordered.insert("file".into(), Value::from(file));
        ordered.append(obj);
        return Some(Value::Object(ordered));
    }
    Some(v)
}

fn json_record(r: &RecordInfo<'_>) -> Value {
    let rec = &r.record;
    let mut obj = Map::new();
    obj.insert("type".into(), "record".into());
    obj.insert("offset".into(), rec.offset.into());
    obj.insert("timestamp_type".into(), r.timestamp_type.name().into());
    obj.insert("timestamp".into(), rec.timestamp.into());
    obj.insert(
        "key_size".into(),
        rec.key.map_or(-1, |k| k.len() as i64).into(),
    );
    obj.insert(
        "value_size".into(),
        rec.value.map_or(-1, |v| v.len() as i64).into(),
    );
    obj.insert("sequence".into(), rec.sequence.into());
    let keys: Vec<Value> = rec.headers().map(|(k, _)| show(k).into()).collect();
    obj.insert("header_keys".into(), keys.into());
    match &r.control {
        Some(Control::EndTxn(m)) => {
            obj.insert("control_type".into(), m.kind.name().into());
            obj.insert("coordinator_epoch".into(), m.coordinator_epoch.into());
        }
        Some(Control::Kraft(k)) => {
            let t = k.type_id();
            obj.insert("control_type".into(), control_type_name(t).into());
            obj.insert("control_type_id".into(), t.into());
            obj.insert("control".into(), kraft_json(k).1);
        }
        Some(Control::Other(t)) => {
            obj.insert("control_type".into(), control_type_name(*t).into());
            obj.insert("control_type_id".into(), (*t).into());
        }
        Some(Control::Malformed) => {
            obj.insert("control_type".into(), "UNKNOWN".into());
        }
        None => {
            put_bytes(&mut obj, "key", rec.key);
            put_bytes(&mut obj, "value", rec.value);
            let headers: Vec<Value> = rec
                .headers()
                .map(|(k, v)| {
                    let mut h = Map::new();
                    h.insert("key".into(), show(k).into());
                    put_bytes(&mut h, "value", v);
                    Value::Object(h)
                })
                .collect();
            obj.insert("headers".into(), headers.into());
        }
    }
    Value::Object(obj)
}

fn json_mismatch(m: &Mismatch) -> Value {
    match m {
        Mismatch::NonConsecutive { previous, next } => json!({
            "type": "mismatch", "kind": "non_consecutive_offsets",
            "previous": previous, "next": next,
        }),
        Mismatch::IndexOffset {
            index_offset,
            position,
            log_offset,
        } => json!({
            "type": "mismatch", "kind": "index_offset", "index_offset": index_offset,
            "position": position, "log_offset": log_offset,
        }),
        Mismatch::IndexPosition {
            index_offset,
            position,
            reason,
        } => json!({
            "type": "mismatch", "kind": "index_position", "index_offset": index_offset,
            "position": position, "log_offset": -1, "message": reason,
        }),
        Mismatch::IndexOutOfOrder {
            index_offset,
            position,
            previous_offset,
            previous_position,
        } => json!({
            "type": "mismatch", "kind": "index_out_of_order", "index_offset": index_offset,
            "position": position, "previous_offset": previous_offset,
            "previous_position": previous_position,
        }),
        Mismatch::TimeIndexTimestamp {
            offset,
            index_timestamp,
            log_timestamp,
        } => json!({
            "type": "mismatch", "kind": "time_index_timestamp", "offset": offset,
            "index_timestamp": index_timestamp, "log_timestamp": log_timestamp,
        }),
        Mismatch::TimeIndexOffset {
            index_offset,
            log_offset,
        } => json!({
            "type": "mismatch", "kind": "time_index_offset", "index_offset": index_offset,
            "log_offset": log_offset,
        }),
        Mismatch::TimeIndexOutOfOrder {
            timestamp,
            offset,
            previous_timestamp,
            previous_offset,
        } => json!({
            "type": "mismatch", "kind": "time_index_out_of_order", "timestamp": timestamp,
            "offset": offset, "previous_timestamp": previous_timestamp,
            "previous_offset": previous_offset,
        }),
        Mismatch::TxnIndexEntry {
            producer_id,
            first_offset,
            last_offset,
            reason,
        } => json!({
            "type": "mismatch", "kind": "txn_index_entry", "producer_id": producer_id,
            "first_offset": first_offset, "last_offset": last_offset, "message": reason,
        }),
        Mismatch::TxnIndexMissing {
            producer_id,
            first_offset,
            last_offset,
        } => json!({
            "type": "mismatch", "kind": "txn_index_missing", "producer_id": producer_id,
            "first_offset": first_offset, "last_offset": last_offset,
        }),
    }
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

    #[test]
    fn json_bytes_are_text_or_base64() {
        let mut obj = Map::new();
        put_bytes(&mut obj, "key", Some(b"k1"));
        put_bytes(&mut obj, "value", Some(&[0xff, 0x00]));
        assert_eq!(
            Value::Object(obj),
            json!({"key": "k1", "value_encoding": "base64", "value": "/wA="})
        );
        let mut obj = Map::new();
        put_bytes(&mut obj, "key", None);
        assert_eq!(Value::Object(obj), json!({"key": null}));
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
