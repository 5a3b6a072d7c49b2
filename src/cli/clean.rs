//! `filka clean`: the log cleaner's work for the whole cluster, as each Kafka broker's
//! background threads do it: retention (segments past retention.ms or beyond
//! retention.bytes, as of the last retention check), removal of the `.deleted` files past
//! log.segment.delete.delay.ms, and compaction (Kafka's LogCleaner) of the partitions of
//! topics whose cleanup.policy has `compact` once their dirty ratio passes
//! min.cleanable.dirty.ratio.
//!
//! Spec: `filka clean [--topic T]... [--follow]`. Once: one pass over every partition (or
//! those of the topics named), then exit 0. With --follow: a pass, then one at every
//! retention check (log.retention.check.interval.ms) or after log.cleaner.backoff.ms,
//! whichever comes first, until SIGINT/SIGTERM, which end it after the partition being
//! cleaned (exit 0). Each replica is cleaned in its own broker folder under the partition
//! lock producers take; replicas on brokers that are down are skipped, and stderr says so.
//! Text: one line per replica where something was done; `--output json`: one object per
//! replica looked at (skipped ones with a `skipped` reason). A progress line on stderr
//! when it is a terminal.
//!
//! Owns flags and rendering; the work is `cluster::clean`.

use std::collections::BTreeMap;
use std::io::{self, IsTerminal};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

use super::global::{TEXT_JSON, VERBOSE};
use super::{GlobalArgs, OutputFormat, shutdown};
use crate::cluster::clean::{PartitionCleaned, clean_partition};
use crate::cluster::{Cluster, now_ms};
use crate::error::ExitCode;
use crate::output::{Printer, escape_control};

const EXAMPLES: &str = "\
Examples:
  Delete what retention no longer serves, compact the compacted topics that are due and
  remove old .deleted files, once:
    filka clean

  Only some topics, with what was done as JSON:
    filka clean --topic demo --topic trucks_gps --output json

  Keep cleaning on Kafka's schedule until Ctrl-C, as a broker's cleaner threads would:
    filka clean --follow

  Retention every second, files removed at once (cluster-wide settings):
    filka config set log.retention.check.interval.ms=1000 log.segment.delete.delay.ms=0";

/// Run the log cleaner: retention, removal of .deleted files, compaction.
///
/// Readers already stop serving what the last retention check (every
/// log.retention.check.interval.ms, Kafka's default 300000) deleted, even when nobody writes;
/// the files go at the next write of the partition, or here. A deleted segment's files are
/// renamed to .deleted and removed log.segment.delete.delay.ms later (Kafka's default
/// 60000), by a later run. Each replica is cleaned in its own broker folder under the lock
/// producers take, so cleaning never races a producer; replicas on a broker that is down
/// are skipped (a stopped broker does nothing).
///
/// Topics whose cleanup.policy includes compact are compacted as Kafka's log cleaner does:
/// a replica whose dirty ratio (the share of its log written since the last clean, below
/// the active segment) is above min.cleanable.dirty.ratio, or that holds a record older
/// than max.compaction.lag.ms, is rewritten keeping the latest record of each key at its
/// offset; tombstones and transaction markers stay delete.retention.ms after the clean
/// that reached them; records of aborted transactions go. Where each replica stands is in
/// its broker's cleaner-offset-checkpoint.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Only this topic's partitions (repeat for more). Default: every topic, internal ones
    /// included.
    #[arg(short, long, value_name = "TOPIC")]
    pub topic: Vec<String>,

    /// Keep cleaning, at every retention check or after log.cleaner.backoff.ms, until
    /// SIGINT or SIGTERM (which end it after the current partition, exit 0).
    #[arg(short, long)]
    pub follow: bool,
}

/// Runs `filka clean`.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    global.accept("clean", TEXT_JSON, VERBOSE)?;
    if args.follow {
        shutdown::install()?;
    }
    let mut cluster = super::open_cluster(global)?;
    for t in &args.topic {
        cluster
            .topic(t)
            .with_context(|| format!("cannot clean topic {t:?}"))?;
    }
    let mut out = Printer::stdout();
    let progress = !global.quiet && io::stderr().is_terminal();
    loop {
        let started = now_ms();
        let totals = pass(&cluster, args, global, &mut out, progress)?;
        out.flush().context("writing to stdout")?;
        if !args.follow {
            if global.output == OutputFormat::Text && !global.quiet {
                eprintln!("filka: clean: {}", totals.summary());
            }
            break;
        }
        global.detail(1, format!("clean: pass done: {}", totals.summary()));
        if !wait_for_next_pass(&cluster, started) {
            break;
        }
        cluster.reload().context("reading the cluster's metadata")?;
    }
    out.finish().context("writing to stdout")?;
    Ok(ExitCode::Success)
}

/// Sleeps until the next retention check or log.cleaner.backoff.ms after `started`,
/// whichever is first. False when a stop was asked for.
fn wait_for_next_pass(cluster: &Cluster, started: i64) -> bool {
    let s = cluster.settings();
    let next_check = s.last_retention_check(started) + s.retention_check_interval_ms;
    let next = next_check.min(started.saturating_add(s.cleaner_backoff_ms.max(1)));
    let deadline = Instant::now() + Duration::from_millis((next - now_ms()).max(0) as u64);
    while Instant::now() < deadline {
        if shutdown::requested() {
            return false;
        }
        std::thread::sleep(
            Duration::from_millis(50).min(deadline.saturating_duration_since(Instant::now())),
        );
    }
    !shutdown::requested()
}

/// What a pass did, for the summary line.
#[derive(Debug, Default)]
struct Totals {
    replicas: u64,
    partitions: u64,
    segments: u64,
    segment_bytes: u64,
    files: u64,
    freed: u64,
    /// Replicas compaction rewrote.
    compacted: u64,
}

impl Totals {
    fn summary(&self) -> String {
        format!(
            "{} of {} cleaned: {} deleted by retention ({}), {} compacted, {} .deleted \
             files removed ({} freed)",
            plural(self.replicas, "replica"),
            plural(self.partitions, "partition"),
            plural(self.segments, "segment"),
            bytes(self.segment_bytes),
            plural(self.compacted, "replica"),
            self.files,
            bytes(self.freed)
        )
    }
}

fn plural(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn bytes(n: u64) -> String {
    format!("{n} bytes")
}

/// One pass over the partitions.
fn pass(
    cluster: &Cluster,
    args: &Args,
    global: &GlobalArgs,
    out: &mut Printer<io::StdoutLock<'static>>,
    progress: bool,
) -> anyhow::Result<Totals> {
    let state = cluster.state();
    let parts: Vec<(String, u32)> = state
        .topics
        .iter()
        .filter(|(name, _)| args.topic.is_empty() || args.topic.contains(name))
        .flat_map(|(name, t)| (0..t.partitions.len() as u32).map(move |p| (name.clone(), p)))
        .collect();
    let now = now_ms();
    let mut totals = Totals::default();
    // broker -> replicas skipped, said once per pass.
    let mut skipped: BTreeMap<i32, (String, u64)> = BTreeMap::new();
    for (i, (topic, p)) in parts.iter().enumerate() {
        if shutdown::requested() {
            break;
        }
        if progress {
            eprint!(
                "\rfilka: clean: partition {}/{}: {}-{p}   \x1b[K",
                i + 1,
                parts.len(),
                escape_control(topic)
            );
        }
        let done: PartitionCleaned = clean_partition(cluster, topic, *p, now)
            .with_context(|| format!("cleaning {}-{p}", escape_control(topic)))?;
        totals.partitions += 1;
        for r in &done.replicas {
            totals.replicas += 1;
            totals.segments += r.deleted_segments.len() as u64;
            totals.segment_bytes += r.deleted_segment_bytes;
            totals.files += r.files_removed;
            totals.freed += r.bytes_freed;
            if r.compaction.as_ref().is_some_and(|c| c.report.is_some()) {
                totals.compacted += 1;
            }
            if global.output == OutputFormat::Json {
                out.json_line(&json!({
                    "topic": r.topic,
                    "partition": r.partition,
                    "broker": r.broker,
                    "segments_deleted": r.deleted_segments.len(),
                    "deleted_base_offsets": r.deleted_segments,
                    "deleted_segment_bytes": r.deleted_segment_bytes,
                    "files_removed": r.files_removed,
                    "bytes_freed": r.bytes_freed,
                    "log_start_offset": r.log_start_offset,
                    "compacted": r.compaction.as_ref().map(|c| c.report.is_some()),
                    "dirty_ratio": r.compaction.as_ref().map(|c| c.dirty_ratio),
                    "compaction": r.compaction.as_ref().and_then(|c| c.report.as_ref()).map(|c| json!({
                        "rounds": c.rounds,
                        "first_dirty_offset": c.first_dirty_offset,
                        "cleaned_to": c.end_offset,
                        "segments_rewritten": c.segments_replaced,
                        "records_read": c.records_read,
                        "records_kept": c.records_kept,
                        "bytes_read": c.bytes_read,
                        "bytes_written": c.bytes_written,
                        "records_after": c.records_after,
                        "bytes_after": c.bytes_after,
                    })),
                }))?;
            } else if !r.deleted_segments.is_empty()
                || r.files_removed > 0
                || r.compaction.as_ref().is_some_and(|c| c.report.is_some())
            {
                let mut what = Vec::new();
                if !r.deleted_segments.is_empty() {
                    what.push(format!(
                        "retention deleted {} ({}), log start offset now {}",
                        plural(r.deleted_segments.len() as u64, "segment"),
                        bytes(r.deleted_segment_bytes),
                        r.log_start_offset
                    ));
                }
                if let Some(c) = r.compaction.as_ref()
                    && let Some(report) = &c.report
                {
                    let head = format!(
                        "compacted below offset {} (dirty from {}, ratio {:.2})",
                        report.end_offset, report.first_dirty_offset, c.dirty_ratio,
                    );
                    what.push(if report.rounds > 1 {
                        // Each round reads the log from its start again.
                        format!(
                            "{head} in {} rounds: {} records ({}) left, {} records ({}) read in all",
                            report.rounds,
                            report.records_after,
                            bytes(report.bytes_after),
                            report.records_read,
                            bytes(report.bytes_read)
                        )
                    } else {
                        format!(
                            "{head}: kept {} of {} records, {} -> {}",
                            report.records_kept,
                            report.records_read,
                            bytes(report.bytes_read),
                            bytes(report.bytes_written)
                        )
                    });
                }
                if r.files_removed > 0 {
                    what.push(format!(
                        "removed {} .deleted files ({} freed)",
                        r.files_removed,
                        bytes(r.bytes_freed)
                    ));
                }
                if progress {
                    eprint!("\r\x1b[K");
                }
                out.line(&format!(
                    "{}-{} on broker {}: {}",
                    escape_control(&r.topic),
                    r.partition,
                    r.broker,
                    what.join("; ")
                ))?;
            }
        }
        for (b, why) in &done.skipped {
            if global.output == OutputFormat::Json {
                out.json_line(&json!({
                    "topic": topic,
                    "partition": p,
                    "broker": b,
                    "skipped": why,
                }))?;
            }
            let e = skipped.entry(*b).or_insert_with(|| (why.clone(), 0));
            e.1 += 1;
        }
    }
    if progress {
        eprint!("\r\x1b[K");
    }
    for (b, (why, n)) in skipped {
        global.note(format!(
            "clean: broker {b}: {} skipped: {why}",
            plural(n, "replica")
        ));
    }
    Ok(totals)
}
