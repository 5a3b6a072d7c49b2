//! `filka consume`: write a topic's records to stdout, like `kcat -C`.
//!
//! `-t TOPIC` (required), `-p LIST` partitions (all by default), `-o SPEC` start
//! (format::offset_spec: beginning, end, N, -N, @TIME, @-DURATION), `-c N` at most N records
//! in all, `-f` keep waiting for new records, `--format TEMPLATE` kcat-style template
//! (format::template, default `%v\n`) or the global `--output json` for one JSON envelope
//! per line (format::envelope). Without `-f` it stops at the high watermarks that existed
//! when it started. Records of one partition come in offset order; only committed records
//! (below the high watermark) are read, never a batch still being written.
//!
//! `-g GROUP` makes the process a consumer-group member (the loop is in consume_group.rs):
//! `-t` repeatable, `--commit auto|before|none`, `--assignor`, `--session-timeout-ms`,
//! `--auto-commit-interval-ms`; `--offset` is then auto.offset.reset (default latest,
//! as in Kafka; the help says so in the words pipe's does).
//!
//! `--key-format`/`--value-format` and the schema flags (cli/formats.rs) decode keys and
//! values (format/serializer.rs); with them, and with `--output csv` or `--output avro`,
//! records are written by format/record_out.rs. Avro and Protobuf values without a schema
//! file are read in Confluent's framing, with the schema their id names in the local
//! registry; `--reader-schema` resolves Avro values to an evolved schema.
//!
//! `--timeout-ms MS` waits as `-f` does but ends once no record arrived for MS: what was read
//! is written out, then exit 8.
//!
//! Exit codes: 0 done (also when stdout's reader goes away, `| head`), 2 bad flags, 4 unknown
//! topic or partition, 7 a partition has no leader, 3 corrupt data, 5 a key or value that
//! does not decode in its format, 8 nothing arrived within `--timeout-ms`.
//!
//! Owns: the read loop, output buffering and flushing, the summary on a terminal. Must not:
//! parse record bytes (the library hands out zero-copy records) or create topics.

use std::collections::HashSet;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};

use super::formats::FormatArgs;
use super::{GlobalArgs, OutputFormat, open_cluster};
use crate::client::consumer::{BatchRead, Consumer, Fetched, Isolation, Poll, StartOffset};
use crate::cluster::ClusterError;
use crate::error::{ExitCode, ResultExt, coded};
use crate::format::envelope::{EnvelopeOut, write_envelope};
use crate::format::offset_spec::OffsetSpec;
use crate::format::record_out::{Mode, OutRecord, RecordWriter, WriteError};
use crate::format::template::{Template, TemplateRecord};
use crate::output::escape_control;

const EXAMPLES: &str = "\
Examples:
  Print every value of a topic, one per line, and exit:
    filka consume -t demo

  The last 10 records of each partition, then keep waiting for new ones:
    filka consume -t demo -o -10 -f --format '%p:%o %k=%v\\n'

  Partitions 0 and 2, from offset 100, at most 5 records:
    filka consume -t demo -p 0,2 -o 100 -c 5

  Wait for the next record, but give up after 5 s without one (exit 8):
    filka consume -t demo -o end -c 1 --timeout-ms 5000

  What arrived in the last hour, or since a point in time (UTC without an offset):
    filka consume -t demo -o @-1h
    filka consume -t demo -o @2024-05-01T12:00:00Z

  One JSON object per record (binary keys and values as base64), for jq or produce:
    filka consume -t demo --output json | jq -r .value

  As a member of consumer group g1 (run it in several shells to share the partitions);
  the next run resumes where the group committed:
    filka consume -t demo -g g1 --offset earliest -f

  Timestamps, headers and sizes:
    filka consume -t demo --format '%d %t[%p]@%o key=%k (%K bytes) headers=%h\\n'

  Avro or Protobuf values as JSON (schema from the registry, by the id in each value):
    filka consume -t trucks_gps --value-format avro --output json

  As a spreadsheet, or as an Avro container file for Avro tools:
    filka consume -t trucks_gps --value-format avro --output csv > trucks.csv
    filka consume -t trucks_gps --value-format avro --output avro > trucks.avro

  Read old records with an evolved schema (Avro schema resolution):
    filka consume -t trucks_gps --value-schema v1.avsc --reader-schema v2.avsc --output json";

/// Output buffer: large, so a million small records cost a few hundred write calls.
pub(crate) const OUT_BUFFER: usize = 256 * 1024;
/// Follow mode: first and longest sleep while waiting for records.
const IDLE_MIN: Duration = Duration::from_millis(1);
const IDLE_MAX: Duration = Duration::from_millis(100);
/// Follow mode: records reach stdout at most this late while records keep arriving.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// Write a topic's records to stdout, like `kcat -C`.
///
/// By default every partition is read from its beginning up to the end it had when the
/// command started, each value on its own line. Records of one partition come in offset
/// order; partitions are interleaved. Only committed records (below the high watermark) are
/// read, never a batch another process is still writing. Bytes are written as they are
/// (binary included); a null key or value prints as nothing. `consume | head` ends quietly.
///
/// On a terminal, a one-line summary goes to stderr at the end (not with -q); with -v, each
/// partition's start offset goes to stderr first.
///
/// Ctrl-C or SIGTERM stops it: what was read is written out (a group member then commits it
/// and leaves the group) and it exits 0. A second Ctrl-C ends it at once.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The topic to read (it must exist: consume never creates topics).
    ///
    /// Repeatable with --group: the members share the partitions of every topic given.
    #[arg(short, long, value_name = "TOPIC", required = true, action = clap::ArgAction::Append)]
    pub topic: Vec<String>,

    /// Partitions to read, comma-separated and/or repeated (-p 0,2 -p 5); all by default.
    #[arg(
        short,
        long = "partition",
        value_name = "LIST",
        value_delimiter = ',',
        action = clap::ArgAction::Append
    )]
    pub partitions: Vec<u32>,

    /// Where to start in each partition.
    ///
    /// beginning (or earliest): the first record still stored. end (or latest): only records
    /// produced from now on. N: offset N. -N: the last N records. @TIME: the first record at
    /// or after TIME, in RFC 3339 (@2024-05-01T12:00:00Z; without an offset it is UTC), a
    /// date (@2024-05-01) or epoch milliseconds (@1714564800000). @-DURATION: that long ago
    /// (@-90s, @-30m, @-1h, @-2d, @-1h30m, ISO 8601 @-PT1H30M).
    ///
    /// Default: beginning. With --group, each partition starts where the group committed.
    /// Where a partition has no committed offset: SPEC (Kafka's auto.offset.reset; default
    /// latest, so a new group skips what is already there and stderr says how many records:
    /// -o beginning reads them).
    #[arg(short, long, value_name = "SPEC", allow_hyphen_values = true)]
    pub offset: Option<OffsetSpec>,

    /// Stop after N records in all (across partitions), then exit 0.
    #[arg(short = 'c', long, value_name = "N")]
    pub max_messages: Option<u64>,

    /// Keep waiting for new records after reaching the end, until killed (or -c is reached).
    #[arg(short, long)]
    pub follow: bool,

    /// Wait for records as -f does, but give up once none arrived for MS milliseconds:
    /// what was read is written out, then exit 8 (Timeout), as Kafka's console consumer's
    /// --timeout-ms ends it.
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout_ms: Option<u64>,

    /// How to print each record (kcat's -f).
    ///
    /// Tokens: %t topic, %p partition, %o offset, %k key, %v value, %h headers (k1=v1,k2=v2),
    /// %T timestamp (ms), %d timestamp (RFC 3339, UTC, ms), %K key size, %V value size (-1
    /// for null), %% a literal %. kcat's %s and %S mean %v and %V. Escapes: \n \t \r \0 \\
    /// \xHH. The default, %v\n, prints each value on its own line. Not with --output json.
    #[arg(long, value_name = "TEMPLATE")]
    pub format: Option<Template>,

    /// Consume as a member of consumer group GROUP (see `filka group`).
    ///
    /// Members in other processes share the topic's partitions and rebalance at once when
    /// one starts or exits; reading resumes from the group's committed offsets (see --offset
    /// for partitions without one). A partition is read by one member at a time: a member
    /// beyond the partition count gets none and waits (with -f) until one frees.
    #[arg(short, long, value_name = "GROUP", help_heading = "Consumer group")]
    pub group: Option<String>,

    /// When offsets are committed (with --group).
    ///
    /// auto: offsets of records already written and flushed to stdout, every
    /// --auto-commit-interval-ms and at exit (at-least-once). before: committed before the
    /// records are written (at-most-once). none: never.
    #[arg(long, value_enum, default_value_t = CommitMode::Auto, requires = "group", help_heading = "Consumer group")]
    pub commit: CommitMode,

    /// How partitions are shared among the members (with --group).
    #[arg(long, value_enum, default_value_t = crate::group::assignor::Assignor::Range, requires = "group", help_heading = "Consumer group")]
    pub assignor: crate::group::assignor::Assignor,

    /// A member silent (e.g. stopped) this long is removed from the group (with --group).
    #[arg(long, value_name = "MS", default_value_t = crate::group::coordinator::DEFAULT_SESSION_TIMEOUT_MS, requires = "group", help_heading = "Consumer group")]
    pub session_timeout_ms: u64,

    /// How often --commit auto commits (with --group).
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 5000,
        requires = "group",
        help_heading = "Consumer group"
    )]
    pub auto_commit_interval_ms: u64,

    /// Key and value formats.
    #[command(flatten)]
    pub formats: FormatArgs,

    /// Read Avro values with this schema (Avro schema resolution: defaults for new
    /// fields, removed fields dropped, promotions), e.g. a newer version than the writer's.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath, help_heading = "Key and value formats")]
    pub reader_schema: Option<std::path::PathBuf>,

    /// Which records to read (Kafka's isolation.level).
    ///
    /// read_uncommitted: everything up to the high watermark, records of open and aborted
    /// transactions included. read_committed: up to the last stable offset, skipping
    /// aborted transactions; a transaction a dead producer left open (or one past its
    /// transaction.timeout.ms) is aborted first, so reading never stays blocked by it.
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = IsolationArg::ReadUncommitted)]
    pub isolation: IsolationArg,
}

/// What `--isolation` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum IsolationArg {
    /// Everything up to the high watermark (Kafka's default).
    #[value(name = "read_uncommitted")]
    ReadUncommitted,
    /// Committed transactions only, up to the last stable offset.
    #[value(name = "read_committed")]
    ReadCommitted,
}

impl From<IsolationArg> for Isolation {
    fn from(i: IsolationArg) -> Isolation {
        match i {
            IsolationArg::ReadUncommitted => Isolation::ReadUncommitted,
            IsolationArg::ReadCommitted => Isolation::ReadCommitted,
        }
    }
}

/// What the transaction janitor says on stderr: each transaction it finishes (-v), and a
/// failure it reads on after (unless -q).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Say {
    pub(crate) verbose: bool,
    pub(crate) quiet: bool,
}

impl Say {
    pub(crate) fn from(global: &GlobalArgs) -> Say {
        Say {
            verbose: global.verbose > 0 && !global.quiet,
            quiet: global.quiet,
        }
    }
}

/// How often a read_committed consumer held back by an open transaction runs the
/// coordinator's check for transactions whose holder died or timed out.
pub(crate) const JANITOR_EVERY: Duration = Duration::from_secs(1);

/// Under read_committed: aborts transactions whose holder died or whose timeout passed (the
/// coordinator's check, run by whoever needs the last stable offset to move), saying so
/// with -v.
///
/// A failure that may pass by itself is a warning (unless `quiet`), not the reader's end: a
/// Kafka consumer does not fail when the coordinator cannot finish a transaction now (too
/// few in-sync replicas for its markers, say); it waits at the last stable offset, and this
/// check runs again a second later. The same failure is said once.
pub(crate) fn abort_stale_transactions(
    cluster: &mut crate::cluster::Cluster,
    say: Say,
) -> anyhow::Result<()> {
    let Say { verbose, quiet } = say;
    static SAID: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let finished = match crate::txn::coordinator::abort_stale(cluster) {
        Ok(finished) => finished,
        Err(e) if !crate::txn::coordinator::is_transient(&e) => {
            return Err(anyhow::Error::new(e).context("aborting transactions left open"));
        }
        Err(_) if quiet => return Ok(()),
        Err(e) => {
            let line = format!(
                "filka: warning: finishing transactions left open failed: {e}; reading on \
                 (the last stable offset stays until they are finished)"
            );
            let mut said = SAID.lock().unwrap_or_else(|p| p.into_inner());
            if said.as_deref() != Some(line.as_str()) {
                eprintln!("{}", escape_control(&line));
                *said = Some(line);
            }
            return Ok(());
        }
    };
    for done in finished {
        if verbose {
            eprintln!(
                "filka: {} transaction {:?}: {}",
                if done.committed {
                    "completed"
                } else {
                    "aborted"
                },
                escape_control(&done.transactional_id),
                done.reason
            );
        }
    }
    Ok(())
}

/// When a group member commits (`--commit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CommitMode {
    /// After the records were written out (at-least-once).
    Auto,
    /// Before the records are written out (at-most-once).
    Before,
    /// Never.
    None,
}

/// How records are written.
pub(crate) enum Output {
    /// A template over the bytes as they are (the fast path).
    Template(Template),
    /// JSON envelopes of the bytes as they are.
    Json,
    /// Keys or values decoded by their formats, or CSV, or Avro.
    Decoded(Box<RecordWriter>),
}

impl Output {
    /// Ends the output (the last Avro block, the header of an empty CSV) and warns about
    /// JSON fields the CSV header had no column for.
    pub(crate) fn finish<W: Write>(self, out: &mut W, quiet: bool) -> anyhow::Result<()> {
        if let Output::Decoded(w) = self {
            let mut w = *w;
            let dropped = w.take_dropped_fields();
            let (keys, values) = w.lossy_counts();
            w.finish(out).map_err(write_error)?;
            if !dropped.is_empty() && !quiet {
                eprintln!(
                    "filka: consume: fields not in the CSV header (taken from the first value) \
                     were left out: {}",
                    escape_control(&dropped.join(", "))
                );
            }
            for (n, what, flag) in [
                (keys, "key", "--key-format"),
                (values, "value", "--value-format"),
            ] {
                if n > 0 && !quiet {
                    eprintln!("filka: consume: {}", lossy_note(n, what, flag));
                }
            }
        }
        Ok(())
    }
}

/// The note for `n` keys or values of the `string` format that were not UTF-8.
fn lossy_note(n: u64, what: &str, flag: &str) -> String {
    let (count, verb) = if n == 1 {
        (format!("1 {what}"), "was")
    } else {
        (format!("{n} {what}s"), "were")
    };
    format!(
        "{count} {verb} not valid UTF-8: each invalid sequence was printed as U+FFFD (use \
         {flag} bytes to keep the bytes as stored)"
    )
}

/// What was read, for the summary.
struct Stats {
    records: u64,
    /// Records per partition id.
    by_partition: Vec<u64>,
    /// The loop ended because no record arrived within `--timeout-ms`.
    timed_out: bool,
}

impl Stats {
    fn new(consumer: &Consumer) -> Stats {
        let slots = consumer
            .positions()
            .iter()
            .map(|&(p, _)| p as usize + 1)
            .max();
        Stats {
            records: 0,
            by_partition: vec![0; slots.unwrap_or(0)],
            timed_out: false,
        }
    }

    /// How many partitions delivered records.
    fn partitions_with_records(&self) -> usize {
        self.by_partition.iter().filter(|&&n| n > 0).count()
    }
}

/// The output the flags ask for. Refuses combinations clap cannot see (`--output` is a
/// global flag).
pub(crate) fn output(
    args: &Args,
    global: &GlobalArgs,
    layout: &crate::cluster::layout::Layout,
) -> anyhow::Result<Output> {
    let mode = match global.output {
        OutputFormat::Text => Mode::Template(args.format.clone().unwrap_or_default()),
        other if args.format.is_some() => {
            return Err(coded(
                ExitCode::Usage,
                anyhow!(
                    "--format and --output {} cannot be combined: --format is for text output",
                    format!("{other:?}").to_ascii_lowercase()
                ),
            ));
        }
        OutputFormat::Json => Mode::Json,
        OutputFormat::Csv => Mode::Csv,
        OutputFormat::Avro => Mode::Avro,
    };
    let (key, value) = args
        .formats
        .decoders(args.reader_schema.as_deref(), layout)?;
    Ok(match mode {
        Mode::Template(t) if key.is_identity() && value.is_identity() => Output::Template(t),
        Mode::Json if key.is_identity() && value.is_identity() => Output::Json,
        mode => Output::Decoded(Box::new(
            RecordWriter::new(mode, key, value).map_err(|e| coded(ExitCode::Usage, e))?,
        )),
    })
}

/// A record writer's error: output errors keep their kind (a broken pipe ends quietly), a
/// record that does not decode is exit 5.
pub(crate) fn write_error(e: WriteError) -> anyhow::Error {
    match e {
        WriteError::Io(e) => anyhow::Error::new(e).context("writing to stdout"),
        e @ WriteError::Decode { .. } => coded(ExitCode::InvalidInput, e),
        e @ WriteError::Setup(_) => coded(ExitCode::Usage, e),
    }
}

/// stdout as a plain file, so our one big buffer is not split again at newlines by std's
/// line-buffered `Stdout`.
pub(crate) fn stdout_writer() -> Box<dyn Write> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(io::stdout())
}

/// Writes one record.
#[inline]
pub(crate) fn write_record<W: Write>(
    out: &mut W,
    output: &mut Output,
    topic: &str,
    f: &Fetched<'_>,
) -> Result<(), WriteError> {
    let r = &f.record;
    match output {
        Output::Template(t) => t.render(
            out,
            &TemplateRecord {
                topic,
                partition: f.partition,
                offset: r.offset,
                timestamp: r.timestamp,
                key: r.key,
                value: r.value,
                headers: r.headers(),
                sizes: None,
            },
        )?,
        Output::Json => write_envelope(
            out,
            &EnvelopeOut {
                topic,
                partition: f.partition,
                offset: r.offset,
                timestamp: r.timestamp,
                key: r.key,
                value: r.value,
            },
            r.headers(),
        )?,
        Output::Decoded(w) => w.write(
            out,
            &OutRecord {
                topic,
                partition: f.partition,
                offset: r.offset,
                timestamp: r.timestamp,
                key: r.key,
                value: r.value,
                headers: r.headers(),
            },
        )?,
    }
    Ok(())
}

/// When the read loop stops.
#[derive(Debug, Clone, Copy)]
struct Until {
    /// At most this many records.
    max: Option<u64>,
    /// Wait for new records at the end instead of stopping there.
    follow: bool,
    /// While following, stop once no record arrived for this long (`timed_out`).
    timeout: Option<Duration>,
}

/// Reads until the end (or, following, until stopped or `until.timeout` passes without a
/// record), at most `until.max` records. Write errors come back as the original
/// `io::Error` so a broken pipe is recognised.
fn read_loop<W: Write>(
    consumer: &mut Consumer,
    out: &mut W,
    output: &mut Output,
    until: Until,
    mut janitor: Option<(&mut crate::cluster::Cluster, Say)>,
) -> anyhow::Result<Stats> {
    let Until {
        max,
        follow,
        timeout,
    } = until;
    let topic = consumer.topic().to_string();
    let mut stats = Stats::new(consumer);
    let mut idle = IDLE_MIN;
    let mut last_flush = Instant::now();
    let mut last_janitor = Instant::now();
    let mut last_record = Instant::now();
    // Ctrl-C or SIGTERM: stop here; the caller flushes what was read and exits 0.
    while max.is_none_or(|m| stats.records < m) && !super::shutdown::requested() {
        let mut write_err: Option<WriteError> = None;
        let mut count = stats.records;
        let by_partition = &mut stats.by_partition;
        let polled = consumer.poll(&mut |f| {
            if max.is_some_and(|m| count >= m) {
                return Ok(());
            }
            if let Err(e) = write_record(out, output, &topic, f) {
                write_err = Some(e);
                // Any error stops the poll; the real one is in write_err.
                return Err(ClusterError::Invalid("output failed".into()));
            }
            count += 1;
            if let Some(n) = by_partition.get_mut(f.partition as usize) {
                *n += 1;
            }
            Ok(())
        });
        stats.records = count;
        if let Some(e) = write_err {
            return Err(write_error(e));
        }
        match polled.with_context(|| format!("reading {topic}"))? {
            Poll::End => break,
            Poll::Records(_) => {
                idle = IDLE_MIN;
                last_record = Instant::now();
                if follow && last_flush.elapsed() >= FLUSH_EVERY {
                    out.flush().context("writing to stdout")?;
                    last_flush = Instant::now();
                }
            }
            // Without follow the consumer still made progress (e.g. past a control batch).
            Poll::Idle if !follow => {}
            Poll::Idle => {
                // Caught up: show what we have, then wait for more.
                out.flush().context("writing to stdout")?;
                last_flush = Instant::now();
                if timeout.is_some_and(|t| last_record.elapsed() >= t) {
                    stats.timed_out = true;
                    break;
                }
                std::thread::sleep(idle);
                idle = (idle * 2).min(IDLE_MAX);
                if let Some((cluster, say)) = &mut janitor
                    && last_janitor.elapsed() >= JANITOR_EVERY
                {
                    last_janitor = Instant::now();
                    if consumer.blocked_by_open_transactions()? {
                        abort_stale_transactions(cluster, *say)?;
                    }
                }
                consumer
                    .refresh()
                    .with_context(|| format!("reading {topic}"))?;
            }
        }
    }
    Ok(stats)
}

/// Why a partition is read from where it is, for `-v` (Kafka's ListOffsets in words).
pub(crate) fn start_reason(start: StartOffset) -> String {
    match start {
        StartOffset::Beginning => "-o beginning: the log start offset".into(),
        StartOffset::End => "-o end: the high watermark, only records produced from now on".into(),
        StartOffset::Offset(o) => format!("-o {o}, kept within the log start and end"),
        StartOffset::Last(n) => format!("-o -{n}: the high watermark minus {n}"),
        StartOffset::Timestamp(t) => {
            format!("the first record with a timestamp at or after {t} ms, by the time index")
        }
    }
}

/// One `-vv` line: a batch as a fetch returned it.
pub(crate) fn batch_line(topic: &str, b: &BatchRead) -> String {
    format!(
        "fetched {topic}-{} from broker {}: batch {}..{} ({} records, {} bytes, {}, leader \
         epoch {}){}",
        b.partition,
        b.leader,
        b.base_offset,
        b.last_offset,
        b.records,
        b.bytes,
        b.compression.name(),
        b.leader_epoch,
        if b.control {
            ", a control batch (transaction marker)"
        } else if b.aborted {
            ", skipped: an aborted transaction (read_committed)"
        } else {
            ""
        }
    )
}

/// Partitions in the order given, each once.
fn dedup(list: &[u32]) -> Vec<u32> {
    let mut seen = HashSet::new();
    list.iter().copied().filter(|p| seen.insert(*p)).collect()
}

/// Runs the command.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    global.accept_verbosity("consume", super::global::VERBOSE_BATCHES)?;
    super::shutdown::install()?;
    if args.group.is_some() {
        return super::consume_group::run(args, global);
    }
    let [topic] = args.topic.as_slice() else {
        return Err(coded(
            ExitCode::Usage,
            anyhow!("several topics (-t) can be read only with --group"),
        ));
    };
    let start = args
        .offset
        .unwrap_or(OffsetSpec::Beginning)
        .resolve(jiff::Timestamp::now())
        .exit_code(ExitCode::Usage)?;
    let partitions = (!args.partitions.is_empty()).then(|| dedup(&args.partitions));
    let cluster = open_cluster(global)?;
    let mut output = output(args, global, cluster.layout())?;
    let root = cluster.layout().root().display().to_string();
    let isolation = Isolation::from(args.isolation);
    let mut janitor = cluster.clone();
    if isolation == Isolation::ReadCommitted {
        abort_stale_transactions(&mut janitor, Say::from(global))?;
    }
    let follow = args.follow || args.timeout_ms.is_some();
    let opened = Consumer::new_isolated(
        cluster,
        topic,
        partitions.as_deref(),
        start,
        follow,
        isolation,
    );
    let mut consumer = match opened {
        Ok(c) => c,
        Err(ClusterError::UnknownTopic(t)) => {
            return Err(coded(
                ExitCode::NotFound,
                anyhow!("topic {t:?} does not exist in {root} (consume never creates topics)"),
            ));
        }
        Err(e) => return Err(anyhow::Error::new(e).context(format!("consume {}", topic))),
    };
    consumer.on_notice(global.notice_sink("consume"));
    if global.verbose_at(1) {
        let why = start_reason(start);
        for (p, offset, leader) in consumer.positions_and_leaders() {
            global.detail(
                1,
                format!(
                    "consume: reading {}-{p} from its leader, broker {leader}, at offset \
                     {offset} ({why})",
                    escape_control(topic)
                ),
            );
        }
    }
    if global.verbose_at(2) {
        let topic = escape_control(topic);
        consumer.on_batch(Box::new(move |b| {
            eprintln!("filka: {}", batch_line(&topic, b))
        }));
    }

    let mut out = BufWriter::with_capacity(OUT_BUFFER, stdout_writer());
    let stats = if args.max_messages == Some(0) {
        Stats::new(&consumer)
    } else {
        read_loop(
            &mut consumer,
            &mut out,
            &mut output,
            Until {
                max: args.max_messages,
                follow,
                timeout: args.timeout_ms.map(Duration::from_millis),
            },
            (isolation == Isolation::ReadCommitted).then_some((&mut janitor, Say::from(global))),
        )?
    };
    output.finish(&mut out, global.quiet)?;
    // into_inner flushes and reports the error a drop would lose (a broken pipe included).
    out.into_inner()
        .map_err(io::IntoInnerError::into_error)
        .context("writing to stdout")?;

    if !global.quiet && io::stderr().is_terminal() {
        let parts = consumer.positions().len();
        eprintln!(
            "filka: {} record{} from {} of {parts} partition{} of {}",
            stats.records,
            if stats.records == 1 { "" } else { "s" },
            stats.partitions_with_records(),
            if parts == 1 { "" } else { "s" },
            escape_control(topic)
        );
    }
    if stats.timed_out {
        return Err(timed_out(args.timeout_ms.unwrap_or(0), stats.records));
    }
    Ok(ExitCode::Success)
}

/// The error of a `--timeout-ms` that passed with no record (exit 8).
pub(crate) fn timed_out(ms: u64, records: u64) -> anyhow::Error {
    coded(
        ExitCode::Timeout,
        anyhow!(
            "consume: no record arrived within {ms} ms (--timeout-ms), after {records} record{}",
            if records == 1 { "" } else { "s" }
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn parse(args: &[&str]) -> Result<(Args, GlobalArgs), clap::Error> {
        let cli = Cli::try_parse_from(std::iter::once("filka").chain(args.iter().copied()))?;
        match cli.command {
            Command::Consume(a) => Ok((a, cli.global)),
            _ => unreachable!(),
        }
    }

    #[test]
    fn flags_parse() {
        let (a, _) = parse(&[
            "consume", "-t", "demo", "-p", "0,2", "-p", "5", "-o", "-10", "-c", "3", "-f",
        ])
        .unwrap();
        assert_eq!(a.topic, ["demo"]);
        assert_eq!(a.partitions, vec![0, 2, 5]);
        assert_eq!(a.offset, Some(OffsetSpec::Last(10)));
        assert_eq!(a.max_messages, Some(3));
        assert!(a.follow);
        assert_eq!(a.format, None);
        let (a, _) = parse(&["consume", "-t", "d", "-o-3", "--format", "%k"]).unwrap();
        assert_eq!(a.offset, Some(OffsetSpec::Last(3)));
        assert_eq!(a.format, Some(Template::parse("%k").unwrap()));
        let (a, _) = parse(&["consume", "--topic=d", "--offset=@0"]).unwrap();
        assert_eq!(a.offset, Some(OffsetSpec::Timestamp(0)));
    }

    #[test]
    fn bad_flags_are_usage_errors() {
        for args in [
            &["consume"][..],
            &["consume", "-t", "d", "-o", "soon"],
            &["consume", "-t", "d", "-o", "@-forever"],
            &["consume", "-t", "d", "-p", "x"],
            &["consume", "-t", "d", "-p", "-1"],
            &["consume", "-t", "d", "-c", "-1"],
            &["consume", "-t", "d", "--format", "%z"],
        ] {
            let e = parse(args).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{args:?}: {e}");
        }
    }

    #[test]
    fn output_modes() {
        let layout = crate::cluster::layout::Layout::new("/nonexistent");
        let mode = |extra: &[&str]| {
            let mut args = vec!["consume", "-t", "d"];
            args.extend_from_slice(extra);
            let (a, g) = parse(&args).unwrap();
            output(&a, &g, &layout)
        };
        assert!(matches!(mode(&["--output", "json"]).unwrap(), Output::Json));
        assert!(matches!(mode(&[]).unwrap(), Output::Template(_)));
        assert!(matches!(
            mode(&["--output", "csv"]).unwrap(),
            Output::Decoded(_)
        ));
        assert!(matches!(
            mode(&["--value-format", "int"]).unwrap(),
            Output::Decoded(_)
        ));
        for extra in [
            &["--output", "json", "--format", "%k"][..],
            &["--output", "json", "--format", "%v\\n"],
            &["--output", "csv", "--format", "%v"],
            &["--output", "avro"],
            &["--value-format", "int", "--value-schema", "x.avsc"],
            &["--reader-schema", "x.avsc"],
        ] {
            let Err(e) = mode(extra) else {
                panic!("{extra:?} accepted")
            };
            assert_eq!(crate::error::exit_code_for(&e), ExitCode::Usage, "{e}");
        }
    }

    #[test]
    fn partitions_dedup_in_order() {
        assert_eq!(dedup(&[2, 0, 2, 1, 0]), vec![2, 0, 1]);
    }
}
