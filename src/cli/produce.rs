//! `filka produce`: records from stdin (or `--input FILE`) to a topic, one per line.
//!
//! - Lines (default): each line is a value (`\n` or `\r\n` stripped; an empty line is an
//!   empty value; bytes need not be UTF-8). `-K SEP` splits key and value at the first SEP
//!   (escapes `\t`, `\n`, `\r`, `\\`); a line without SEP has a null key, or the `-k` key
//!   when given (as kcat does). `-k` alone keys every record; `-H K=V` adds headers;
//!   `-p` picks the partition; `--null-value M` turns a value equal to M into a tombstone.
//! - `--input-format envelope`: one JSON object per line, as `consume --output json`
//!   writes (format/envelope.rs); blank lines are ignored.
//! - `--input-format json`: one JSON value per line is the value; `--key-field PATH` takes
//!   the key from a field (`truck_id`, or a JSON pointer such as `/truck/id`).
//! - `--input-format csv`: a header row names the fields, each later row is a record
//!   (format/csv_input.rs), typed by the value's Avro/Protobuf schema; `--key-field COLUMN`.
//! - `--key-format`/`--value-format` and the schema flags (cli/formats.rs) encode keys and
//!   values (format/serializer.rs); `--registry` registers the schema and frames values in
//!   Confluent's wire format.
//! - A missing topic is created (3 partitions, RF min(3, online brokers),
//!   min.insync.replicas=2 when RF >= 3) unless `--no-create` (exit 4).
//! - A malformed line stops the run: everything before it is written and flushed, nothing
//!   after it; one error line names the line number; exit 5. `--skip-invalid` reports each
//!   such line and goes on.
//! - A partition without a leader holds its records back until one is elected (whatever the
//!   acks, as a Kafka producer), for up to `--delivery-timeout-ms` (Kafka's
//!   delivery.timeout.ms, default 120000); then produce stops with exit 7, everything
//!   acknowledged before them written.
//! - `--acks 0` waits for nothing once the leader has a batch: records the leader could not
//!   take (an I/O error) are dropped, counted once on stderr at the end
//!   (`N records dropped (acks=0: why)`, not with -q), and the exit code is still 0.
//! - `--print-offsets` prints `partition<TAB>offset` per record, in input order, once its
//!   batch is acknowledged (never before); with `--acks 0` the offset is -1 (not known, as
//!   Kafka's callback reports it), and a dropped record prints nothing. Otherwise the command
//!   is quiet, but for a one-line summary on stderr when stderr is a terminal.
//! - Input is read in chunks into one buffer (memory does not grow with input); after a
//!   read that came back short (a terminal, a slow pipe), pending batches are sent, so
//!   typed lines reach `consume -f` at once.
//! - Idempotent by default with --acks all; `--transactional-id ID` produces in
//!   transactions (`--transaction-records N`, or the whole input as one), aborted on error.
//!
//! This file holds the flags and the run; cli/produce_input.rs reads the input into
//! records, cli/produce_sink.rs sends them (acknowledgements, transactions, offsets).

use std::collections::BTreeMap;
use std::fmt::Display;
use std::io::{self, IsTerminal, Read};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, anyhow};
use clap::ValueEnum;

use super::formats::FormatArgs;
use super::produce_input::{Codecs, pump, pump_csv};
use super::produce_report::{Unprinted, Written};
use super::produce_sink::{Sink, TxnBatches};
use super::{GlobalArgs, OutputFormat, open_cluster};
use crate::client::producer::{
    Acks, DEFAULT_BATCH_SIZE, DEFAULT_DELIVERY_TIMEOUT_MS, Producer, ProducerConfig,
};
use crate::cluster::{Cluster, ClusterError};
use crate::error::{ExitCode, coded};
use crate::format::input::{self, LineReader};
use crate::output::Printer;
use crate::record::Compression;

const EXAMPLES: &str = "\
Examples:
  One record per line, null keys (sticky partitioning):
    printf 'hello\\nworld\\n' | filka produce -t demo

  Key and value split at a tab (filka reads '\\t' as a tab):
    printf 'k1\\tv1\\nk2\\tv2\\n' | filka produce -t demo -K '\\t'

  One key, a header and a partition for every record; print where each landed:
    seq 3 | filka produce -t demo -k user-42 -H source=seq -p 0 --print-offsets

  Tombstones for a compacted topic (a value of NULL becomes a null value):
    printf 'user-42:NULL\\n' | filka produce -t users -K : --null-value NULL

  Copy a topic, binary keys and headers included (each envelope names its partition, so the
  copy needs as many partitions as the source; here demo has 8):
    filka topic create copy -p 8
    filka consume -t demo --output json | filka produce -t copy --input-format envelope

  JSON lines keyed by a field, stored as Avro (the schema checks every line):
    filka produce -t user-interactions --input-format json --key-field user_id \
      --value-schema user_interaction.avsc < fixtures/user-interactions.jsonl

  CSV rows as Protobuf messages in Confluent's wire format, schema in the registry:
    filka produce -t trucks_gps --input-format csv --key-field truck_id \
      --proto fixtures/schemas/truck_position.proto --registry < fixtures/trucks_gps.csv

  Integer keys, as Kafka's IntegerSerializer writes them:
    printf '1:one\n2:two\n' | filka produce -t numbers -K : --key-format int

  Type records by hand (each line is sent as you press Enter; Ctrl-D ends):
    filka produce -t demo";

/// Produce records to a topic from stdin (or a file), one record per line.
///
/// Each line is a record's value, without its line ending (\n or \r\n); an empty line is
/// an empty value, and lines need not be UTF-8. With -K, a line is split into key and value
/// at the first separator; a line without it gets a null key (or the -k key), as with kcat.
/// Keyed records go to partition murmur2(key) % partitions, like Kafka's default
/// partitioner; null keys stick to one partition per batch.
///
/// Records are batched per partition (--batch-size), compressed, appended to the leader and
/// copied to the in-sync replicas (--acks). A topic that does not exist is created with 3
/// partitions and replication factor min(3, online brokers), unless --no-create.
///
/// With --acks 0 nothing is waited for but a leader: records the leader could not take (an
/// I/O error) are lost, stderr says how many and why at the end (not with -q), and the exit
/// code is still 0.
///
/// A malformed line (bad envelope JSON, a partition that does not exist, a record larger
/// than max.message.bytes) stops the command with exit code 5 and its line number; every
/// record before it is written and flushed, none after it. --skip-invalid reports such
/// lines and goes on.
///
/// Quiet by default; --print-offsets prints "partition<TAB>offset" for each record once it
/// is acknowledged, in input order (line N of the output is the Nth record produced; lines
/// skipped by --skip-invalid print nothing), for scripts. With --acks 0 the offset is -1 (not
/// known), and records dropped print nothing. Records whose timestamps (from an
/// envelope) are older than the topic's retention.ms are deleted by retention as soon as
/// they are written, as Kafka's next retention check would delete them; stderr says how
/// many (not with -q).
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The topic to write to.
    #[arg(short, long, value_name = "TOPIC")]
    pub topic: String,

    /// Read records from FILE instead of stdin ("-" is stdin).
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub input: Option<PathBuf>,

    /// How each input line is read.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = InputFormat::Lines)]
    pub input_format: InputFormat,

    /// Split each line into key and value at the first SEP.
    ///
    /// The escapes \t, \n, \r and \\ are understood, so -K '\t' splits at a tab. A line
    /// without SEP is all value, with a null key (or the -k key).
    #[arg(short = 'K', long, value_name = "SEP", value_parser = parse_separator)]
    pub key_separator: Option<Separator>,

    /// The key of every record (with -K: of the lines without a separator).
    #[arg(short = 'k', long, value_name = "KEY")]
    pub key: Option<String>,

    /// Add a header to every record (repeat for more).
    #[arg(
        short = 'H',
        long = "header",
        value_name = "KEY=VALUE",
        value_parser = input::parse_header
    )]
    pub headers: Vec<(String, String)>,

    /// Write every record to partition N instead of letting the partitioner choose.
    ///
    /// With --input-format envelope, only records that name no partition.
    #[arg(short, long, value_name = "N")]
    pub partition: Option<u32>,

    /// Produce a value equal to MARKER as a null value (a tombstone).
    #[arg(long, value_name = "MARKER")]
    pub null_value: Option<String>,

    /// Uncompressed bytes per partition batch before it is written (Kafka's batch.size).
    #[arg(
        long,
        value_name = "BYTES",
        default_value_t = DEFAULT_BATCH_SIZE as u64,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub batch_size: u64,

    /// Compression codec of the batches [default: the topic's compression.type].
    #[arg(short = 'z', long, value_enum, value_name = "CODEC")]
    pub compression: Option<Codec>,

    /// Wait for no replica (0), the leader (1) or every in-sync replica (all).
    #[arg(long, value_enum, value_name = "ACKS", default_value_t = AcksArg::All)]
    pub acks: AcksArg,

    /// How long records wait for an offline partition to get a leader again, as Kafka's
    /// delivery.timeout.ms; then produce stops with exit code 7, every record before
    /// them written (whatever the acks: with no leader there is no broker to send to).
    #[arg(long, value_name = "MS", default_value_t = DEFAULT_DELIVERY_TIMEOUT_MS)]
    pub delivery_timeout_ms: u64,

    /// Fail with exit code 4 when the topic does not exist, instead of creating it.
    #[arg(long)]
    pub no_create: bool,

    /// Print "partition<TAB>offset" for each record once it is acknowledged, in input order
    /// (offset -1 with --acks 0: not known).
    #[arg(long)]
    pub print_offsets: bool,

    /// Report malformed lines on stderr and go on, instead of stopping with exit code 5.
    #[arg(long)]
    pub skip_invalid: bool,

    /// Do not number batches with a producer id and sequences (Kafka's
    /// enable.idempotence=false). Idempotence is on by default with --acks all, so a retry
    /// whose acknowledgement was lost is never written twice.
    #[arg(long, help_heading = "Delivery")]
    pub no_idempotence: bool,

    /// Produce in transactions under this transactional id: read_committed consumers see
    /// the records only once their transaction commits.
    ///
    /// A previous holder of the id that is still running is fenced (its later writes and
    /// commits fail), and a transaction it left open is aborted first. Without
    /// --transaction-records the whole input is one transaction: produced entirely or not at
    /// all. A malformed line (without --skip-invalid) or an error aborts the open
    /// transaction; exit 9 when fenced.
    #[arg(long, value_name = "ID", help_heading = "Delivery")]
    pub transactional_id: Option<String>,

    /// With --transactional-id: commit every N records (and at the end of the input).
    #[arg(long, value_name = "N", requires = "transactional_id", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Delivery")]
    pub transaction_records: Option<u64>,

    /// With --transactional-id: a transaction open longer than this is aborted by the
    /// next process that needs it (Kafka's transaction.timeout.ms).
    #[arg(long, value_name = "MS", default_value_t = crate::txn::coordinator::DEFAULT_TIMEOUT_MS, requires = "transactional_id", help_heading = "Delivery")]
    pub transaction_timeout_ms: i32,

    /// Take each record's key from this field of the input (json, csv).
    ///
    /// For --input-format json, a field name (truck_id) or a JSON pointer (/truck/id); for
    /// csv, a column of the header. The field stays in the value (but for a CSV column the
    /// value's schema does not have).
    #[arg(long, value_name = "PATH")]
    pub key_field: Option<String>,

    /// Key and value formats.
    #[command(flatten)]
    pub formats: FormatArgs,
}

/// What `--input-format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// Each line is a value (or key SEP value with -K).
    Lines,
    /// Each line is a JSON record envelope, as `consume --output json` writes.
    Envelope,
    /// Each line is a JSON value: the record's value (--key-field picks the key).
    Json,
    /// CSV with a header row: each row a record whose fields the header names.
    Csv,
}

/// What `-z/--compression` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Codec {
    /// No compression.
    None,
    /// gzip.
    Gzip,
    /// snappy.
    Snappy,
    /// LZ4.
    Lz4,
    /// zstd.
    Zstd,
}

impl From<Codec> for Compression {
    fn from(c: Codec) -> Self {
        match c {
            Codec::None => Compression::None,
            Codec::Gzip => Compression::Gzip,
            Codec::Snappy => Compression::Snappy,
            Codec::Lz4 => Compression::Lz4,
            Codec::Zstd => Compression::Zstd,
        }
    }
}

/// What `--acks` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AcksArg {
    /// Wait for nothing, not even a leader; no offsets are known, and records the leader
    /// cannot take are dropped (counted on stderr).
    #[value(name = "0")]
    Zero,
    /// The leader has the records.
    #[value(name = "1")]
    One,
    /// Every in-sync replica has them (-1 is the same).
    #[value(name = "all", alias = "-1")]
    All,
}

impl From<AcksArg> for Acks {
    fn from(a: AcksArg) -> Self {
        match a {
            AcksArg::Zero => Acks::None,
            AcksArg::One => Acks::Leader,
            AcksArg::All => Acks::All,
        }
    }
}

/// A `-K` separator, escapes resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Separator(pub Vec<u8>);

fn parse_separator(s: &str) -> Result<Separator, String> {
    input::unescape_separator(s).map(Separator)
}

pub(super) fn usage(msg: impl Display) -> anyhow::Error {
    coded(ExitCode::Usage, anyhow!("{msg}"))
}

/// Produces the input to the topic.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    produce(args, global).context("produce")
}

fn produce(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    // text: quiet, or `P<TAB>O` per record with --print-offsets; json: one summary object,
    // or `{"partition":P,"offset":O}` per record with --print-offsets.
    global.accept(
        "produce",
        super::global::TEXT_JSON,
        super::global::VERBOSE_BATCHES,
    )?;
    check_flags(args)?;
    let input: Box<dyn Read> = match &args.input {
        Some(path) if path.as_os_str() != "-" => Box::new(
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?,
        ),
        _ => Box::new(io::stdin().lock()),
    };
    // A refused topic name leaves the directory untouched: check it before the cluster is
    // opened (or created).
    crate::cluster::topic::validate_name(&args.topic)
        .map_err(crate::cluster::ClusterError::from)?;
    let started = Instant::now();
    let cluster = ensure_topic(open_cluster(global)?, args, global.quiet)?;
    let (key, value) =
        args.formats
            .encoders(&args.topic, cluster.layout(), |subject, id, version| {
                if !global.quiet {
                    eprintln!("filka: registered schema id {id} as version {version} of {subject}");
                }
            })?;
    let topic_cfg = cluster.topic_config(&args.topic)?;
    let cfg = ProducerConfig {
        batch_size: usize::try_from(args.batch_size).unwrap_or(usize::MAX),
        compression: args.compression.map(Compression::from),
        acks: args.acks.into(),
        delivery_timeout_ms: args.delivery_timeout_ms,
        // Kafka 3+: on unless turned off, or unless acks is not all (then it is off, as
        // when a Kafka producer's configs conflict with it and it was not asked for).
        idempotent: !args.no_idempotence
            && args.acks == AcksArg::All
            // A transactional id brings its own producer id (init_transactions).
            && args.transactional_id.is_none(),
    };
    let mut producer = Producer::new(cluster, &args.topic, cfg)?;
    if let Some(id) = &args.transactional_id {
        let finished = producer
            .init_transactions(id, args.transaction_timeout_ms)
            .with_context(|| format!("taking transactional id {id:?}"))?;
        if let Some(f) = finished
            && !global.quiet
        {
            eprintln!(
                "filka: produce: transactional id {id:?}: {} the transaction its previous holder left open",
                if f.committed {
                    "completed the commit of"
                } else {
                    "aborted"
                }
            );
        }
    }
    if !global.quiet {
        producer.on_offline(|e| eprintln!("filka: produce: {e}; waiting for a leader"));
    }
    producer.on_replica_event(global.replica_event_sink("produce"));
    if let Some(p) = args.partition
        && p >= producer.partitions()
    {
        return Err(ClusterError::UnknownPartition {
            topic: args.topic.clone(),
            partition: p,
            count: producer.partitions(),
        }
        .into());
    }
    // JSON escapes and base64 make a line longer than the record it carries.
    let max_record = producer.max_record_size();
    let max_line = match args.input_format {
        InputFormat::Lines => max_record,
        _ => max_record.saturating_mul(6).saturating_add(64 * 1024),
    };
    let producer_partitions = producer.partitions();
    let mut sink = Sink {
        used: vec![false; producer.partitions() as usize],
        producer,
        out: args.print_offsets.then(Printer::stdout),
        unprinted: Unprinted::new(producer_partitions, global.output == OutputFormat::Json),
        batches_said: global.verbose_at(2),
        acked: 0,
        skip_invalid: args.skip_invalid,
        skipped: 0,
        // CSV errors name rows as a spreadsheet numbers them; a row may span lines.
        unit: if args.input_format == InputFormat::Csv {
            "row"
        } else {
            "line"
        },
        written: Written::new(&topic_cfg, producer_partitions),
        txn: args.transactional_id.as_ref().map(|_| TxnBatches {
            every: args.transaction_records,
            open: 0,
            held: Vec::new(),
        }),
    };
    let mut codecs = Codecs {
        key,
        value,
        kbuf: Vec::new(),
        vbuf: Vec::new(),
    };
    let mut bytes_read = 0;
    let pumped = match args.input_format {
        InputFormat::Csv => pump_csv(input, max_line as u64, &mut sink, &mut codecs, args),
        _ => {
            let mut reader = LineReader::new(input, max_line);
            let r = pump(&mut reader, &mut sink, &mut codecs, args);
            bytes_read = reader.bytes_read();
            r
        }
    };
    if let Err(e) = pumped {
        // The input or an output write failed, or a line was malformed, or a partition
        // stayed offline past --delivery-timeout-ms: what came before it is still written
        // and made durable. Another producer failure is reported as is.
        let offline = e
            .chain()
            .any(|c| matches!(c.downcast_ref(), Some(ClusterError::Offline { .. })));
        if sink.txn.is_some() {
            // The open transaction goes with the error: nothing of it becomes visible to
            // read_committed consumers (transactions committed before it stay).
            let committed = sink.producer.is_transactional()
                && sink
                    .abort()
                    .context("aborting the open transaction after the error")?;
            return Err(e.context(if committed {
                "the open transaction's commit had been decided before the error, and it is \
                 now committed"
            } else {
                "the open transaction was aborted"
            }));
        }
        if offline || e.chain().all(|c| !c.is::<ClusterError>()) {
            sink.close()
                .context("writing the records before the error")?;
        }
        report_dropped(&sink, global.quiet);
        return Err(e);
    }
    sink.close()?;
    report_dropped(&sink, global.quiet);
    say_where(&sink, args, global)?;
    if global.output == OutputFormat::Json && !args.print_offsets {
        let mut out = Printer::stdout();
        out.json_line(&summary_json(&sink, args))?;
        out.finish().context("writing the summary")?;
    }
    // Fresh metadata: the writes may have moved a leadership (a replica that failed).
    let mut now = sink.producer.cluster().clone();
    now.refresh()?;
    if !global.quiet
        && let Some(note) = sink.written.retention_note(&now, &args.topic)?
    {
        eprintln!("filka: produce: {note}");
    }
    if !global.quiet && io::stderr().is_terminal() {
        let skipped = match sink.skipped {
            0 => String::new(),
            n => format!(", {}", count(n, "invalid line") + " skipped"),
        };
        let partitions = sink.used.iter().filter(|&&u| u).count() as u64;
        let read = if bytes_read > 0 {
            format!(" ({} read)", count(bytes_read, "byte"))
        } else {
            String::new()
        };
        eprintln!(
            "filka: produced {} to {} of {}{read} in {:.2} s{skipped}",
            count(sink.acked, "record"),
            count(partitions, "partition"),
            args.topic,
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(ExitCode::Success)
}

/// Refuses flag combinations clap cannot express.
fn check_flags(args: &Args) -> anyhow::Result<()> {
    if args.input_format != InputFormat::Lines {
        for (given, flag) in [
            (args.key_separator.is_some(), "-K/--key-separator"),
            (args.key.is_some(), "-k/--key"),
            (args.null_value.is_some(), "--null-value"),
        ] {
            if given {
                return Err(usage(format!(
                    "{flag} applies to --input-format lines only (the {} input carries its own \
                     key and value)",
                    args.input_format
                        .to_possible_value()
                        .map(|v| v.get_name().to_owned())
                        .unwrap_or_default()
                )));
            }
        }
    }
    if args.key_field.is_some()
        && !matches!(args.input_format, InputFormat::Json | InputFormat::Csv)
    {
        return Err(usage(
            "--key-field applies to --input-format json and csv (lines split keys with -K)",
        ));
    }
    if args.transactional_id.is_some() && (args.acks != AcksArg::All || args.no_idempotence) {
        return Err(usage(
            "--transactional-id needs --acks all and idempotence (as Kafka's transactional \
             producer does)",
        ));
    }
    Ok(())
}

/// `--output json` without --print-offsets: what was written, per partition.
fn summary_json(sink: &Sink, args: &Args) -> serde_json::Value {
    let partitions: Vec<serde_json::Value> = sink
        .written
        .ranges()
        .map(|(p, ranges)| {
            serde_json::json!({
                "partition": p,
                "records": ranges.iter().map(|(s, e)| e - s).sum::<i64>(),
                "first_offset": ranges.first().map_or(-1, |r| r.0),
                "last_offset": ranges.last().map_or(-1, |r| r.1 - 1),
            })
        })
        .collect();
    serde_json::json!({
        "topic": args.topic,
        "records": sink.acked,
        "dropped": sink.producer.dropped().records,
        "skipped": sink.skipped,
        "acks": match args.acks {
            AcksArg::Zero => "0",
            AcksArg::One => "1",
            AcksArg::All => "all",
        },
        "partitions": partitions,
    })
}

/// `-v`: where each partition's records went, in Kafka's words.
fn say_where(sink: &Sink, args: &Args, global: &GlobalArgs) -> anyhow::Result<()> {
    if !global.verbose_at(1) {
        return Ok(());
    }
    let mut cluster = sink.producer.cluster().clone();
    cluster.refresh()?;
    let acks = match args.acks {
        AcksArg::Zero => "acks=0: nothing waited for",
        AcksArg::One => "acks=1: acknowledged by the leader",
        AcksArg::All => "acks=all: acknowledged once every in-sync replica had it",
    };
    for (p, ranges) in sink.written.ranges() {
        let part = cluster.partition(&args.topic, p)?;
        let (first, last) = (
            ranges.first().map_or(0, |r| r.0),
            ranges.last().map_or(0, |r| r.1 - 1),
        );
        global.detail(
            1,
            format!(
                "produce: {}-{p}: offsets {first}..{last} written to its leader, broker {} \
                 (leader epoch {}), replicas {:?}, in sync {:?}; {acks}",
                args.topic, part.leader, part.leader_epoch, part.replicas, part.isr
            ),
        );
    }
    Ok(())
}

/// With acks 0, says how many records the leader could not take, and why (unless -q): they
/// are lost, yet the command succeeds, since acks=0 does not wait for the outcome.
fn report_dropped(sink: &Sink, quiet: bool) {
    let dropped = sink.producer.dropped();
    if dropped.records > 0 && !quiet {
        eprintln!(
            "filka: produce: {} dropped (acks=0: {dropped})",
            count(dropped.records, "record")
        );
    }
}

/// `1 record`, `2 records`.
fn count(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The cluster, with the topic created if it was missing (and allowed).
fn ensure_topic(mut cluster: Cluster, args: &Args, quiet: bool) -> anyhow::Result<Cluster> {
    match cluster.topic(&args.topic) {
        Ok(_) => return Ok(cluster),
        Err(ClusterError::UnknownTopic(_)) => {}
        Err(e) => return Err(e.into()),
    }
    if args.no_create {
        return Err(coded(
            ExitCode::NotFound,
            anyhow!(
                "topic {:?} does not exist (--no-create was given; create it with `filka topic create {}`)",
                args.topic,
                args.topic
            ),
        ));
    }
    let mut configs = BTreeMap::new();
    let (partitions, rf) = cluster.topic_defaults(None, None, &mut configs);
    match cluster.create_topic(&args.topic, partitions, rf, configs, false) {
        Ok(()) if !quiet => eprintln!(
            "filka: created topic {:?} ({partitions} partitions, replication factor {rf})",
            args.topic
        ),
        Ok(()) => {}
        // Another process created it first: just as good.
        Err(ClusterError::TopicExists(_)) => cluster.reload()?,
        Err(e) => return Err(e.into()),
    }
    Ok(cluster)
}
