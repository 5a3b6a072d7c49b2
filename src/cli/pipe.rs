//! `filka pipe --from IN --to OUT --group G [--transactional-id ID] [--batch N] -- CMD
//! [ARGS...]`: a transform in any language between two topics, exactly once.
//!
//! Spec:
//! - Reads IN as a member of group G, read_committed, from the group's committed offsets
//!   (`--offset` when it has none, default earliest). Batches are up to N records (default
//!   1000) of one partition; CMD runs once per batch with the records on its stdin in
//!   consume's formats (`--format`, default `%v\n`, or `--output json`), and its stdout is
//!   produce's input (lines, `-K SEP`, or `--input-format envelope`). Each output record
//!   goes to the input batch's partition when OUT has that many partitions (per-partition
//!   order is kept), else by key as the producer's partitioner does.
//! - Each batch's output and the group's offset after it are one transaction under the
//!   transactional id (default `filka-pipe-<G>`): both become visible together at commit,
//!   or neither does. Starting a pipe with the id fences the previous holder (a killed or
//!   stopped pipe) and aborts its open transaction, so OUT read with read_committed holds
//!   each input record's output exactly once, whatever is killed and when. Before a
//!   commit the member's ownership of the partition in the group's current generation is
//!   checked (KIP-447), so a member that lost the partition in a rebalance cannot commit;
//!   and a member that takes a partition waits while another transaction holds an offset
//!   commit for it (KIP-447's stable offsets), so a batch is never done twice.
//! - CMD exits non-zero: the batch's transaction is aborted (nothing of it visible to
//!   read_committed, the offset stays), and the pipe stops with exit 10; CMD's stderr is
//!   the pipe's.
//! - Without `--follow` it stops at the end IN had when it started. A progress line on
//!   stderr when it is a terminal. Ctrl-C stops after the batch in hand.
//!
//! Exit codes: 10 CMD failed, 9 fenced by another holder of the id, 4 unknown topic.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};

use super::consume::{Output, write_record};
use super::consume_group::group_error;
use super::{GlobalArgs, OutputFormat, open_cluster};
use crate::client::consumer::{Consumer, Isolation, Poll, StartOffset};
use crate::client::producer::{Producer, ProducerConfig, ProducerRecord};
use crate::cluster::replica::PartitionView;
use crate::cluster::{Cluster, ClusterError};
use crate::error::{ExitCode, coded};
use crate::format::envelope::{Field, parse_envelope};
use crate::format::input::{self, Item, LineReader};
use crate::format::offset_spec::OffsetSpec;
use crate::format::template::Template;
use crate::group::assignor::Assignor;
use crate::group::coordinator::{self, Member};
use crate::group::offsets;
use crate::record::HeaderRef;

const EXAMPLES: &str = "\
Examples:
  Upper-case every value of topic words into topic shout, exactly once:
    filka pipe --from words --to shout --group shouter -- tr a-z A-Z

  A jq transform of JSON envelopes (keys, headers and timestamps kept), as they arrive:
    filka pipe --from events --to enriched --group enrich --output json \\
      --input-format envelope --follow -- jq -c '.value.seen = true'

  Read what the pipe committed (never a record twice, however often it was killed):
    filka consume -t shout --isolation read_committed";

/// How often the member proves it is alive while it works.
const HEARTBEAT: Duration = Duration::from_millis(100);
/// The longest wait for the group's commit lock before a batch's transaction is aborted.
const COMMIT_WAIT: Duration = Duration::from_secs(10);

/// Run a command on each batch of a topic's records, writing its output to another topic
/// exactly once (consume-transform-produce in one transaction per batch).
///
/// CMD reads the batch's records on stdin (as consume would print them) and writes the
/// output records to stdout (as produce would read them). The batch's output and the
/// group's offset after it are committed in one transaction: a consumer of OUT with
/// --isolation read_committed sees each input record's output exactly once, however often
/// the pipe is killed and started again.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The topic to read.
    #[arg(long, value_name = "TOPIC")]
    pub from: String,

    /// The topic to write (created with IN's partition count when missing).
    #[arg(long, value_name = "TOPIC")]
    pub to: String,

    /// The consumer group whose offsets say where the pipe is.
    #[arg(short, long, value_name = "GROUP")]
    pub group: String,

    /// The transactional id [default: filka-pipe-<GROUP>]; one per running pipe.
    #[arg(long, value_name = "ID")]
    pub transactional_id: Option<String>,

    /// Records per batch (one CMD run, one transaction).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch: u64,

    /// Keep waiting for new records instead of stopping at the end IN had at the start.
    #[arg(short, long)]
    pub follow: bool,

    /// Where a partition has no committed offset: SPEC, as consume's -o (Kafka's
    /// auto.offset.reset; default earliest, so a new group transforms what is already
    /// there).
    #[arg(short, long, value_name = "SPEC", allow_hyphen_values = true)]
    pub offset: Option<OffsetSpec>,

    /// How each record is written to CMD's stdin (consume's --format) [default: %v\n].
    #[arg(long, value_name = "TEMPLATE", help_heading = "CMD's input and output")]
    pub format: Option<Template>,

    /// How CMD's stdout is read: one value per line, or JSON envelopes.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = PipeInput::Lines, help_heading = "CMD's input and output")]
    pub input_format: PipeInput,

    /// Split each output line into key and value at the first SEP (escapes \t \n \\).
    #[arg(
        short = 'K',
        long,
        value_name = "SEP",
        help_heading = "CMD's input and output"
    )]
    pub key_separator: Option<String>,

    /// A member silent this long (e.g. a stopped pipe) is removed from the group.
    #[arg(long, value_name = "MS", default_value_t = coordinator::DEFAULT_SESSION_TIMEOUT_MS)]
    pub session_timeout_ms: u64,

    /// A transaction open longer than this is aborted (transaction.timeout.ms).
    #[arg(long, value_name = "MS", default_value_t = crate::txn::coordinator::DEFAULT_TIMEOUT_MS)]
    pub transaction_timeout_ms: i32,

    /// The command and its arguments (after --).
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

/// What `--input-format` accepts for CMD's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PipeInput {
    /// One record value per line (with -K, key SEP value).
    Lines,
    /// One JSON envelope per line, as `consume --output json` writes.
    Envelope,
}

/// A topic-partition.
type Tp = (String, u32);

/// Runs the command.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    // --output is the format of CMD's input: text (--format) or JSON envelopes.
    global.accept(
        "pipe",
        super::global::TEXT_JSON,
        super::global::VERBOSE_BATCHES,
    )?;
    super::shutdown::install()?;
    let output = match global.output {
        OutputFormat::Text => Output::Template(args.format.clone().unwrap_or_default()),
        OutputFormat::Json if args.format.is_none() => Output::Json,
        _ => {
            return Err(coded(
                ExitCode::Usage,
                anyhow!("pipe writes CMD's input as text (--format) or --output json"),
            ));
        }
    };
    let separator = args
        .key_separator
        .as_deref()
        .map(input::unescape_separator)
        .transpose()
        .map_err(|e| coded(ExitCode::Usage, anyhow!("-K: {e}")))?;
    let reset = args
        .offset
        .unwrap_or(OffsetSpec::Beginning)
        .resolve(jiff::Timestamp::now())
        .map_err(|e| coded(ExitCode::Usage, anyhow!("{e}")))?;
    let mut cluster = open_cluster(global)?;
    let partitions = match cluster.topic(&args.from) {
        Ok(t) => t.partitions.len() as u32,
        Err(ClusterError::UnknownTopic(t)) => {
            return Err(coded(
                ExitCode::NotFound,
                anyhow!("topic {t:?} does not exist (pipe reads an existing topic)"),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if cluster.topic(&args.to).is_err() {
        let mut configs = BTreeMap::new();
        let (_, rf) = cluster.topic_defaults(None, None, &mut configs);
        match cluster.create_topic(&args.to, partitions, rf, configs, false) {
            Ok(()) | Err(ClusterError::TopicExists(_)) => cluster.reload()?,
            Err(e) => return Err(e.into()),
        }
    }
    offsets::ensure_topic(&mut cluster)?;
    super::group::say_coordinator(global, &cluster, &args.group);
    let txn_id = args
        .transactional_id
        .clone()
        .unwrap_or_else(|| format!("filka-pipe-{}", args.group));
    let mut producer = Producer::new(
        cluster.clone(),
        &args.to,
        ProducerConfig {
            idempotent: false,
            ..ProducerConfig::default()
        },
    )?;
    producer.on_replica_event(global.replica_event_sink("pipe"));
    // First the id (fencing a previous pipe, finishing its transaction), then the group's
    // offsets: they include whatever that transaction committed.
    if let Some(done) = producer
        .init_transactions(&txn_id, args.transaction_timeout_ms)
        .with_context(|| format!("taking transactional id {txn_id:?}"))?
        && !global.quiet
    {
        eprintln!(
            "filka: pipe: {} the transaction a previous pipe left open",
            if done.committed {
                "completed"
            } else {
                "aborted"
            }
        );
    }
    let member = Member::join(
        &cluster,
        &args.group,
        std::slice::from_ref(&args.from),
        Assignor::Range,
        args.session_timeout_ms,
    )
    .map_err(group_error)
    .with_context(|| format!("joining group {}", args.group))?;
    // Without --follow: the end of each partition at the start.
    let stops = stop_offsets(&cluster, &args.from, partitions)?;
    let mut pipe = Pipe {
        cluster,
        producer,
        member,
        args,
        output,
        separator,
        reset,
        stops,
        readers: BTreeMap::new(),
        last_heartbeat: Instant::now(),
        records: 0,
        batches: 0,
        progress: !global.quiet && io::stderr().is_terminal(),
        global,
    };
    let result = pipe.run();
    let Pipe {
        member, producer, ..
    } = pipe;
    member.leave();
    let mut producer = producer;
    let closed = producer.close();
    result?;
    closed?;
    Ok(ExitCode::Success)
}

/// The last stable offset of every partition of `topic` now.
fn stop_offsets(
    cluster: &Cluster,
    topic: &str,
    partitions: u32,
) -> Result<BTreeMap<u32, i64>, ClusterError> {
    let mut out = BTreeMap::new();
    for p in 0..partitions {
        let view = PartitionView::read(cluster, topic, p)?;
        let lso = view
            .leader_reader(cluster)?
            .last_stable_offset(view.high_watermark)?;
        out.insert(p, lso);
    }
    Ok(out)
}

/// One record of a batch, owned (the consumer's buffers are reused).
struct Rec {
    offset: i64,
    stdin: Vec<u8>,
}

struct Pipe<'a> {
    cluster: Cluster,
    producer: Producer,
    member: Member,
    args: &'a Args,
    output: Output,
    separator: Option<Vec<u8>>,
    reset: StartOffset,
    stops: BTreeMap<u32, i64>,
    /// A read_committed consumer per owned partition.
    readers: BTreeMap<u32, Consumer>,
    last_heartbeat: Instant,
    records: u64,
    batches: u64,
    progress: bool,
    /// For -v (where each partition starts) and -vv (each transaction).
    global: &'a GlobalArgs,
}

impl Pipe<'_> {
    fn run(&mut self) -> anyhow::Result<()> {
        let topic = self.args.from.clone();
        let mut idle = Duration::from_millis(1);
        loop {
            if super::shutdown::requested() {
                return Ok(());
            }
            self.sync_group()?;
            let mut worked = false;
            let owned: Vec<u32> = self.readers.keys().copied().collect();
            for p in owned {
                let Some((records, next)) = self.next_batch(p)? else {
                    continue;
                };
                worked = true;
                self.process(&topic, p, &records, next)?;
                self.sync_group()?;
            }
            if worked {
                idle = Duration::from_millis(1);
                continue;
            }
            if !self.args.follow && self.all_done() {
                if self.progress {
                    eprintln!();
                }
                return Ok(());
            }
            std::thread::sleep(idle);
            idle = (idle * 2).min(Duration::from_millis(100));
            for c in self.readers.values_mut() {
                c.refresh()?;
            }
        }
    }

    /// Every partition is done: the group committed up to its stop offset (whichever member
    /// did), or this member reads past it.
    fn all_done(&self) -> bool {
        let committed = offsets::read(&self.cluster, &self.args.group).unwrap_or_default();
        self.stops.iter().all(|(&p, &stop)| {
            let at = committed
                .get(&(self.args.from.clone(), p))
                .map_or(0, |v| v.offset);
            at >= stop
                || self
                    .readers
                    .get(&p)
                    .is_some_and(|c| c.positions().iter().all(|&(_, o)| o >= stop))
        })
    }

    /// Heartbeats and follows the group's assignment: gives back revoked partitions (a
    /// batch is committed before the next is read, so there is nothing to commit first),
    /// and opens readers of newly owned ones at the group's committed offsets.
    fn sync_group(&mut self) -> anyhow::Result<()> {
        if self.last_heartbeat.elapsed() >= HEARTBEAT {
            self.last_heartbeat = Instant::now();
            // Fresh metadata (cheap when unchanged): the heartbeat rebalances the group when
            // the input topic grew.
            self.cluster.refresh()?;
            self.member.heartbeat(&self.cluster).map_err(group_error)?;
        }
        let target: Vec<Tp> = self.member.target().to_vec();
        let revoked: Vec<Tp> = self
            .member
            .owned()
            .into_iter()
            .filter(|tp| !target.contains(tp))
            .collect();
        if !revoked.is_empty() {
            self.member.release(&revoked).map_err(group_error)?;
        }
        let owned = self.member.owned();
        self.readers
            .retain(|p, _| owned.contains(&(self.args.from.clone(), *p)));
        let new: Vec<u32> = owned
            .iter()
            .filter(|(t, p)| *t == self.args.from && !self.readers.contains_key(p))
            .map(|(_, p)| *p)
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        self.wait_for_stable_offsets(&new)?;
        self.cluster.reload()?;
        let committed = offsets::read(&self.cluster, &self.args.group)?;
        for p in new {
            let at = committed.get(&(self.args.from.clone(), p));
            let start = at.map_or(self.reset, |v| StartOffset::Offset(v.offset));
            if self.global.verbose_at(1) {
                let leader = self
                    .cluster
                    .partition(&self.args.from, p)
                    .map_or(-1, |x| x.leader);
                self.global.detail(
                    1,
                    format!(
                        "pipe: reading {}-{p} read_committed from its leader, broker {leader}, \
                         {}",
                        self.args.from,
                        match at {
                            Some(v) => format!("at the group's committed offset {}", v.offset),
                            None => format!(
                                "with no committed offset: auto.offset.reset ({})",
                                super::consume::start_reason(self.reset)
                            ),
                        }
                    ),
                );
            }
            let mut c = Consumer::with_isolation(
                self.cluster.clone(),
                &self.args.from,
                &[(p, start)],
                true,
                Isolation::ReadCommitted,
            )?;
            c.on_notice(self.global.notice_sink("pipe"));
            self.readers.insert(p, c);
        }
        Ok(())
    }

    /// Waits until no transaction holds an offset commit of the group for any of
    /// `partitions` (KIP-447's stable offsets): the previous owner may have been stopped in
    /// the middle of its commit, after its ownership check; reading from the offset
    /// committed before it would process its batch a second time once it resumes and
    /// commits. A dead holder's transaction is finished at once, a stopped one's after its
    /// transaction.timeout.ms (the coordinator's checks, run here while waiting).
    fn wait_for_stable_offsets(&mut self, partitions: &[u32]) -> anyhow::Result<()> {
        let mut idle = Duration::from_millis(1);
        let start = Instant::now();
        let mut last_janitor: Option<Instant> = None;
        let mut said = false;
        loop {
            self.cluster.reload()?;
            let pending = offsets::pending(&self.cluster, &self.args.group)?;
            let waiting: Vec<u32> = partitions
                .iter()
                .copied()
                .filter(|&p| pending.contains(&(self.args.from.clone(), p)))
                .collect();
            if waiting.is_empty() || super::shutdown::requested() {
                return Ok(());
            }
            // The coordinator's check reads every __transaction_state partition: once a
            // second is enough.
            if last_janitor.is_none_or(|t| t.elapsed() >= super::consume::JANITOR_EVERY) {
                last_janitor = Some(Instant::now());
                let say = super::consume::Say {
                    verbose: false,
                    quiet: self.global.quiet,
                };
                super::consume::abort_stale_transactions(&mut self.cluster, say)?;
                // A commit waiting for the in-sync replicas: move them on, as a broker's
                // replication would. Best effort: what fails here stays pending, and this
                // loop checks again.
                let _ = offsets::replicate(&self.cluster, &self.args.group);
            }
            if !said && !self.global.quiet && start.elapsed() >= Duration::from_secs(2) {
                said = true;
                let list: Vec<String> = waiting
                    .iter()
                    .map(|p| format!("{}-{p}", self.args.from))
                    .collect();
                eprintln!(
                    "filka: pipe: waiting for the group's offset commit on {} to be stable: \
                     another transaction's to end (a stopped pipe? it is aborted after its \
                     transaction.timeout.ms), or one to reach the in-sync replicas",
                    list.join(", ")
                );
            }
            if self.last_heartbeat.elapsed() >= HEARTBEAT {
                self.last_heartbeat = Instant::now();
                self.member.heartbeat(&self.cluster).map_err(group_error)?;
            }
            std::thread::sleep(idle);
            idle = (idle * 2).min(Duration::from_millis(100));
        }
    }

    /// Up to `--batch` records of partition `p` (below its stop offset without --follow),
    /// each as CMD's input line, and the offset after them.
    fn next_batch(&mut self, p: u32) -> anyhow::Result<Option<(Vec<Rec>, i64)>> {
        let max = usize::try_from(self.args.batch).unwrap_or(usize::MAX);
        let stop = (!self.args.follow).then(|| self.stops.get(&p).copied().unwrap_or(0));
        let Some(c) = self.readers.get_mut(&p) else {
            return Ok(None);
        };
        let mut records: Vec<Rec> = Vec::new();
        let topic = self.args.from.clone();
        let output = &mut self.output;
        loop {
            let mut failed = None;
            let polled = c.poll(&mut |f| {
                if records.len() >= max || stop.is_some_and(|s| f.record.offset >= s) {
                    return Ok(());
                }
                let mut stdin = Vec::new();
                if let Err(e) = write_record(&mut stdin, output, &topic, f) {
                    failed = Some(e);
                    return Err(ClusterError::Invalid("formatting failed".into()));
                }
                records.push(Rec {
                    offset: f.record.offset,
                    stdin,
                });
                Ok(())
            });
            if let Some(e) = failed {
                return Err(super::consume::write_error(e));
            }
            let full = records.len() >= max
                || records
                    .last()
                    .is_some_and(|r| stop.is_some_and(|s| r.offset + 1 >= s));
            match polled? {
                Poll::Records(_) if !full => continue,
                _ => break,
            }
        }
        // The consumer read ahead in the batch it delivered: start the next batch exactly
        // after what this one holds.
        let Some(last) = records.last().map(|r| r.offset) else {
            return Ok(None);
        };
        let next = last + 1;
        // The reader's own metadata followed leadership as it read; this process's may be
        // older (a leader or ISR since replaced), and the next batch is read through it.
        // Cheap when nothing changed.
        self.cluster.refresh()?;
        let mut reader = Consumer::with_isolation(
            self.cluster.clone(),
            &self.args.from,
            &[(p, StartOffset::Offset(next))],
            true,
            Isolation::ReadCommitted,
        )?;
        reader.on_notice(self.global.notice_sink("pipe"));
        self.readers.insert(p, reader);
        Ok(Some((records, next)))
    }

    /// Runs CMD on one batch and commits its output with the group's new offset.
    fn process(&mut self, topic: &str, p: u32, records: &[Rec], next: i64) -> anyhow::Result<()> {
        let (cmd, cmd_args) = self
            .args
            .command
            .split_first()
            .ok_or_else(|| coded(ExitCode::Usage, anyhow!("no command after --")))?;
        let mut child = Command::new(cmd)
            .args(cmd_args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                coded(
                    ExitCode::CommandFailed,
                    anyhow!("cannot run {}: {e}", cmd.to_string_lossy()),
                )
            })?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| anyhow!("no stdin for the command"))?;
        let input: Vec<u8> = records
            .iter()
            .flat_map(|r| r.stdin.iter().copied())
            .collect();
        // Written by a thread while this one reads the output: a command that writes
        // before it has read everything must not block on a full pipe.
        let feeder = std::thread::spawn(move || -> io::Result<()> {
            match stdin.write_all(&input) {
                // A command may stop reading early (head): what it wrote still counts.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                r => r,
            }
        });
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("no stdout from the command"))?;
        let produced = self.produce_output(stdout, p);
        let status = child.wait().context("waiting for the command")?;
        let fed = feeder.join().unwrap_or(Ok(()));
        let failure = if !status.success() {
            Some(anyhow!(
                "{} failed ({status}) on the batch of {topic}-{p} at offsets {}..{}",
                cmd.to_string_lossy(),
                records.first().map_or(0, |r| r.offset),
                next - 1
            ))
        } else if let Err(e) = produced {
            Some(e)
        } else if let Err(e) = fed {
            Some(anyhow::Error::new(e).context("writing to the command"))
        } else {
            None
        };
        if let Some(e) = failure {
            // Nothing of this batch becomes visible, and the group's offset stays.
            self.producer
                .abort_transaction()
                .context("aborting the batch's transaction")?;
            return Err(coded(ExitCode::CommandFailed, e));
        }
        self.commit(topic, p, next)?;
        self.records += records.len() as u64;
        self.batches += 1;
        if self.progress {
            eprint!(
                "\rfilka: pipe: {} records in {} batches from {} to {}   ",
                self.records, self.batches, self.args.from, self.args.to
            );
        }
        Ok(())
    }

    /// Sends CMD's output records to OUT in the open transaction.
    fn produce_output(&mut self, stdout: impl Read, p: u32) -> anyhow::Result<()> {
        let partition = (p < self.producer.partitions()).then_some(p);
        // Sizes are the producer's: a line may hold a record up to the topic's
        // max.message.bytes, with room for JSON escapes (an envelope).
        let max = self.producer.max_record_size();
        let mut reader = LineReader::new(stdout, max.saturating_mul(6).saturating_add(64 * 1024));
        let too_large = |n: u64, e: ClusterError| match e {
            e @ (ClusterError::RecordTooLarge { .. } | ClusterError::KeylessOnCompacted(_)) => {
                anyhow!("output line {n} of the command: {e}")
            }
            e => e.into(),
        };
        let finder = self.separator.as_ref().map(memchr::memmem::Finder::new);
        let none: [HeaderRef<'_>; 0] = [];
        loop {
            let fill = reader.fill().context("reading the command's output")?;
            while let Some((n, item)) = reader.next_line() {
                let Item::Line(line) = item else {
                    return Err(anyhow!("output line {n} of the command is too long"));
                };
                match self.args.input_format {
                    PipeInput::Lines => {
                        let (key, value) =
                            match finder.as_ref().and_then(|f| input::split_key(line, f)) {
                                Some((k, v)) => (Some(k), v),
                                None => (None, line),
                            };
                        self.producer
                            .send(&ProducerRecord {
                                key,
                                value: Some(value),
                                headers: &none,
                                timestamp: None,
                                partition: if key.is_some() { None } else { partition },
                            })
                            .map_err(|e| too_large(n, e))?;
                    }
                    PipeInput::Envelope => {
                        if line.trim_ascii().is_empty() {
                            continue;
                        }
                        let env = parse_envelope(line)
                            .map_err(|e| anyhow!("output line {n} of the command: {e}"))?;
                        let bytes = |f: &Option<Field>| -> Option<Vec<u8>> {
                            f.as_ref().map(|f| match f {
                                Field::Bytes(b) => b.clone(),
                                Field::Json(serde_json::Value::String(s)) => s.clone().into_bytes(),
                                Field::Json(v) => v.to_string().into_bytes(),
                            })
                        };
                        let (key, value) = (bytes(&env.key), bytes(&env.value));
                        let headers: Vec<HeaderRef<'_>> = env
                            .headers
                            .iter()
                            .map(|(k, v)| (&k[..], v.as_deref()))
                            .collect();
                        let target = env
                            .partition
                            .filter(|&q| q < self.producer.partitions())
                            .or(if key.is_some() { None } else { partition });
                        self.producer
                            .send(&ProducerRecord {
                                key: key.as_deref(),
                                value: value.as_deref(),
                                headers: &headers,
                                timestamp: env.timestamp,
                                partition: target,
                            })
                            .map_err(|e| too_large(n, e))?;
                    }
                }
            }
            if fill.eof {
                return Ok(());
            }
        }
    }

    /// Sends the group's offset with the transaction and commits it, if this member still
    /// owns the partition in the group's current generation.
    ///
    /// The offset goes into the transaction before ownership is checked: once the check
    /// passes, a member that takes the partition later (this one stopped and expelled)
    /// finds the offset commit pending and waits for it ([`Pipe::wait_for_stable_offsets`])
    /// instead of reading the batch again. Checked first and written after, a stop between
    /// the two let both commit the batch.
    fn commit(&mut self, topic: &str, p: u32, next: i64) -> anyhow::Result<()> {
        let tp: Tp = (topic.to_string(), p);
        if let Err(e) = self
            .producer
            .send_offsets(&self.args.group, &[(tp.clone(), next)])
        {
            let _ = self.producer.abort_transaction();
            return Err(group_error(e.into()));
        }
        let start = Instant::now();
        loop {
            let producer = &mut self.producer;
            let group = &self.args.group;
            let done = self
                .member
                .fenced(std::slice::from_ref(&tp), || producer.commit_transaction());
            match done {
                Ok(Some(_)) => {
                    self.global.detail(
                        2,
                        format!(
                            "pipe: committed a transaction of id {:?}: the output of {topic}-{p} \
                             up to offset {next}, with the group's offset {next}",
                            self.producer.transactional_id().unwrap_or_default()
                        ),
                    );
                    return Ok(());
                }
                Ok(None) if start.elapsed() < COMMIT_WAIT => {
                    std::thread::sleep(Duration::from_millis(5));
                    self.member.heartbeat(&self.cluster).map_err(group_error)?;
                }
                Ok(None) => {
                    self.producer.abort_transaction()?;
                    return Err(anyhow!(
                        "group {group}: the commit lock stayed busy for {COMMIT_WAIT:?}; the \
                         batch was aborted and will be read again"
                    ));
                }
                Err(e) => {
                    // Fenced, no longer the owner, or the commit failed: abort, and the
                    // new owner redoes the batch (an abort after a commit that failed past
                    // its decision completes the commit instead: nothing is redone).
                    let _ = self.producer.abort_transaction();
                    return Err(group_error(e));
                }
            }
        }
    }
}
