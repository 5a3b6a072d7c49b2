//! `filka topic reassign`: move partitions between brokers, with the JSON files, modes and
//! output of Kafka's `kafka-reassign-partitions.sh` (KIP-455), so a user's files work.
//!
//! Spec:
//! - `--generate --topics-to-move-json-file F --broker-list L`: prints `Current partition
//!   replica assignment` and `Proposed partition reassignment configuration`, each followed
//!   by its JSON (`{"version":1,"partitions":[{"topic":..,"partition":..,"replicas":[..],
//!   "log_dirs":["any",..]}]}`); changes nothing. The proposal is Kafka's rack-unaware
//!   assignment over L ([`crate::cluster::topic::assign_replicas`]).
//! - `--execute --reassignment-json-file F [--throttle B] [--additional] [--no-wait]`:
//!   prints the current assignment (to save for a rollback); refused while any move runs
//!   unless --additional (Kafka's rule); starts the moves, with --throttle's configs
//!   (Kafka's, [`crate::cluster::quota`]), in one metadata change, prints `The inter-broker
//!   throttle limit was set to B B/s` and `Successfully started partition reassignments for
//!   t-0,...`, then (unless --no-wait) carries them on until complete, with progress on
//!   stderr when it is a terminal, then the lines of --verify and the preferred leader
//!   elections.
//! - `--verify --reassignment-json-file F`: carries the moves on (a process killed during a
//!   move is resumed here), then prints Kafka's `Status of partition reassignment:` lines;
//!   when none of them runs, removes every throttle (Kafka's `Clearing broker-level
//!   throttles on brokers ...` / `Clearing topic-level throttles on topic ...`).
//! - `--cancel --reassignment-json-file F`: reverts the moves still running to their
//!   original replicas: `Successfully cancelled partition reassignments for: ...` or `None
//!   of the specified partition reassignments are active.`
//!
//! Exit codes: bad JSON or flags 2; unknown topic 4; a move that cannot complete now (an
//! adding replica's broker is down or paused, no leader) 15, the move staying started.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::ArgGroup;
use serde::{Deserialize, Serialize};

use super::GlobalArgs;
use crate::cluster::reassign::{self, Outcome, Target};
use crate::cluster::{Cluster, MetadataRecord};
use crate::error::{ExitCode, coded};
use crate::output::Printer;

/// Move partitions to other brokers, as kafka-reassign-partitions.sh does (KIP-455).
///
/// Same JSON files and modes as Kafka's tool: --generate proposes a plan spreading topics
/// over a broker list, --execute starts it, --verify reports it, --cancel reverts it. A move
/// adds the new replicas (Adding Replicas in `describe topic`), copies the partition to
/// them from the leader, lets them join the ISR once caught up, moves leadership if the
/// leader is leaving, then drops the removed replicas (Removing Replicas) and deletes their
/// folders. Each state is in the metadata log, so a move survives anything: the process
/// doing it may be killed at any step, and the next `--execute` or `--verify` (or any
/// process writing the partition) carries it on. Producers and consumers keep working
/// meanwhile.
///
/// Unlike Kafka's tool, --execute waits until the moves are complete (printing progress on
/// a terminal), deletes the removed replicas' folders and then elects preferred leaders;
/// --no-wait returns once they are started. Whichever process completes a move (a
/// producer's write too) deletes the removed replicas' folders. --verify also carries the
/// moves on before it reports (and deletes folders a process killed mid-move left). Both
/// exit 15 when a move cannot complete now (an adding replica's broker is
/// down or paused, the partition has no leader): it stays started.
#[derive(Debug, clap::Args)]
#[command(
    group(ArgGroup::new("mode").required(true).args(["generate", "execute", "verify", "cancel"])),
    after_long_help = "\
Examples:
  Propose spreading topic demo over five brokers:
    echo '{\"topics\":[{\"topic\":\"demo\"}],\"version\":1}' > topics.json
    filka topic reassign --generate --topics-to-move-json-file topics.json \\
        --broker-list 101,102,103,104,105

  Run the proposal (the last line of --generate's output), at most 10 MB/s of copying
  (every process copying shares the rate; the throttle goes when the moves are done):
    filka topic reassign --generate --topics-to-move-json-file topics.json \\
        --broker-list 101,102,103,104,105 | tail -1 > plan.json
    filka topic reassign --execute --reassignment-json-file plan.json --throttle 10000000

  Check it (and carry it on after a kill), or cancel it:
    filka topic reassign --verify --reassignment-json-file plan.json
    filka topic reassign --cancel --reassignment-json-file plan.json"
)]
pub struct Args {
    /// Propose a plan for the topics of --topics-to-move-json-file over --broker-list.
    #[arg(long, requires_all = ["topics_to_move_json_file", "broker_list"])]
    pub generate: bool,

    /// Start the plan of --reassignment-json-file and wait until it is complete.
    #[arg(long, requires = "reassignment_json_file")]
    pub execute: bool,

    /// Carry on the moves of --reassignment-json-file and print their status.
    #[arg(long, requires = "reassignment_json_file")]
    pub verify: bool,

    /// Cancel the moves of --reassignment-json-file still running (back to the original
    /// replicas).
    #[arg(long, requires = "reassignment_json_file")]
    pub cancel: bool,

    /// Kafka's topics JSON: {"topics":[{"topic":"demo"}],"version":1}.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub topics_to_move_json_file: Option<PathBuf>,

    /// The brokers to spread the topics over, comma-separated (101,102,104).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub broker_list: Vec<i32>,

    /// Kafka's reassignment JSON, as --generate prints it.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub reassignment_json_file: Option<PathBuf>,

    /// With --execute: the inter-broker throttle, in bytes per second, as Kafka's tool sets
    /// it: leader.replication.throttled.rate and follower.replication.throttled.rate on
    /// each broker a move copies from or to, and the topics'
    /// leader/follower.replication.throttled.replicas. Every process that copies to those
    /// replicas (this command, a producer's writes, a broker coming back) shares the rate.
    /// On a running reassignment (with --additional) it changes the rate. --verify (or a
    /// waiting --execute) removes the throttle once the moves are complete.
    #[arg(long, value_name = "BYTES/S", requires = "execute", value_parser = clap::value_parser!(u64).range(1..))]
    pub throttle: Option<u64>,

    /// With --execute: start these moves although others are running.
    #[arg(long, requires = "execute")]
    pub additional: bool,

    /// With --execute: return once the moves are started (--verify carries them on).
    #[arg(long, requires = "execute")]
    pub no_wait: bool,
}

/// Kafka's topics-to-move JSON.
#[derive(Debug, Deserialize)]
struct TopicsJson {
    topics: Vec<TopicEntry>,
    #[allow(dead_code)]
    #[serde(default)]
    version: Option<i32>,
}

#[derive(Debug, Deserialize)]
struct TopicEntry {
    topic: String,
}

/// Kafka's reassignment JSON.
#[derive(Debug, Serialize, Deserialize)]
struct PlanJson {
    version: i32,
    partitions: Vec<PlanEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct PlanEntry {
    topic: String,
    partition: u32,
    replicas: Vec<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    log_dirs: Option<Vec<String>>,
}

/// Kafka's `formatAsReassignmentJson`: compact, sorted by topic and partition, every log
/// dir `any`.
fn plan_json(targets: &[Target]) -> String {
    let mut sorted = targets.to_vec();
    sorted.sort();
    let plan = PlanJson {
        version: 1,
        partitions: sorted
            .into_iter()
            .map(|t| PlanEntry {
                log_dirs: Some(vec!["any".to_string(); t.replicas.len()]),
                topic: t.topic,
                partition: t.partition,
                replicas: t.replicas,
            })
            .collect(),
    };
    serde_json::to_string(&plan).unwrap_or_default()
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            ExitCode::NotFound
        } else {
            ExitCode::Failure
        };
        coded(code, anyhow::anyhow!("{}: {e}", path.display()))
    })
}

fn read_topics(path: &Path) -> anyhow::Result<Vec<String>> {
    let bytes = read(path)?;
    let t: TopicsJson = serde_json::from_slice(&bytes).map_err(|e| {
        coded(
            ExitCode::Usage,
            anyhow::anyhow!(
                "{}: not Kafka's topics JSON ({{\"topics\":[{{\"topic\":\"NAME\"}}],\"version\":1}}): {e}",
                path.display()
            ),
        )
    })?;
    Ok(t.topics.into_iter().map(|t| t.topic).collect())
}

fn read_plan(path: &Path) -> anyhow::Result<Vec<Target>> {
    let bytes = read(path)?;
    let bad = |why: String| {
        coded(
            ExitCode::Usage,
            anyhow::anyhow!("{}: not Kafka's reassignment JSON: {why}", path.display()),
        )
    };
    let plan: PlanJson = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    if plan.version != 1 {
        return Err(bad(format!(
            "version {} (Kafka's tool reads version 1)",
            plan.version
        )));
    }
    let mut out = Vec::with_capacity(plan.partitions.len());
    for p in plan.partitions {
        if let Some(dirs) = &p.log_dirs {
            if dirs.len() != p.replicas.len() {
                return Err(bad(format!(
                    "{}-{}: {} log_dirs for {} replicas",
                    p.topic,
                    p.partition,
                    dirs.len(),
                    p.replicas.len()
                )));
            }
            if let Some(d) = dirs.iter().find(|d| *d != "any") {
                return Err(bad(format!(
                    "{}-{}: log dir {d:?}: a filka broker has one log dir, so only \"any\" is \
                     accepted",
                    p.topic, p.partition
                )));
            }
        }
        out.push(Target {
            topic: p.topic,
            partition: p.partition,
            replicas: p.replicas,
        });
    }
    Ok(out)
}

/// Runs the command.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    global.accept(
        "topic reassign",
        super::global::TEXT_ONLY,
        super::global::VERBOSE,
    )?;
    if args.generate {
        return generate(args, global);
    }
    let path = args.reassignment_json_file.as_deref().ok_or_else(|| {
        coded(
            ExitCode::Usage,
            anyhow::anyhow!("--reassignment-json-file is required"),
        )
    })?;
    let targets = read_plan(path)?;
    if args.execute {
        execute(args, global, &targets)
    } else if args.verify {
        verify(args, global, &targets)
    } else {
        cancel(global, &targets)
    }
}

fn tp((t, p): &(String, u32)) -> String {
    format!("{t}-{p}")
}

fn generate(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let path = args.topics_to_move_json_file.as_deref().ok_or_else(|| {
        coded(
            ExitCode::Usage,
            anyhow::anyhow!("--topics-to-move-json-file is required"),
        )
    })?;
    let topics = read_topics(path)?;
    let mut seen = std::collections::BTreeSet::new();
    if let Some(d) = args.broker_list.iter().find(|b| !seen.insert(**b)) {
        return Err(coded(
            ExitCode::Usage,
            anyhow::anyhow!("Broker list contains duplicate entries: {d}"),
        ));
    }
    let c = super::open_cluster(global)?;
    let (current, proposed) = reassign::generate(c.state(), &topics, &args.broker_list)
        .context("cannot generate a reassignment")?;
    let mut out = Printer::stdout();
    out.line("Current partition replica assignment")?;
    out.line(&plan_json(&current))?;
    out.line("")?;
    out.line("Proposed partition reassignment configuration")?;
    out.line(&plan_json(&proposed))?;
    out.finish().context("writing to stdout")?;
    Ok(ExitCode::Success)
}

fn execute(args: &Args, global: &GlobalArgs, targets: &[Target]) -> anyhow::Result<ExitCode> {
    let mut c = super::open_cluster(global)?;
    let from = c.state().metadata_offset;
    reassign::validate(c.state(), targets).context("cannot execute the reassignment")?;
    let current: Vec<Target> = targets
        .iter()
        .map(|t| -> anyhow::Result<Target> {
            Ok(Target {
                replicas: c.partition(&t.topic, t.partition)?.original_replicas(),
                ..t.clone()
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let mut out = Printer::stdout();
    out.line("Current partition replica assignment")?;
    out.line("")?;
    out.line(&plan_json(&current))?;
    out.line("")?;
    out.line("Save this to use as the --reassignment-json-file option during rollback")?;
    if args.throttle.is_some() && args.no_wait {
        // Kafka's warning: with --no-wait only --verify removes the throttle.
        out.line(
            "Warning: You must run --verify periodically, until the reassignment completes, to \
             ensure the throttle is removed.",
        )?;
    }
    let started = reassign::start(&mut c, targets, args.additional, args.throttle)
        .context("cannot execute the reassignment")?;
    if let Some(rate) = args.throttle {
        out.line(&format!(
            "The inter-broker throttle limit was set to {rate} B/s"
        ))?;
    }
    let mut parts: Vec<(String, u32)> = targets
        .iter()
        .map(|t| (t.topic.clone(), t.partition))
        .collect();
    parts.sort();
    out.line(&format!(
        "Successfully started partition reassignment{} for {}",
        if parts.len() == 1 { "" } else { "s" },
        parts.iter().map(tp).collect::<Vec<_>>().join(",")
    ))?;
    out.flush()?;
    global.detail(
        1,
        format!(
            "{} partitions start moving, {} already had their target",
            started.started.len(),
            started.unchanged.len()
        ),
    );
    if args.no_wait {
        out.finish().context("writing to stdout")?;
        global.metadata_written("topic reassign", &c, from);
        return Ok(ExitCode::Success);
    }
    global.note("waiting until the moves are complete (--no-wait returns at once; --verify carries them on)");
    let code = carry_on(&mut c, global, &mut out, targets)?;
    out.finish().context("writing to stdout")?;
    global.metadata_written("topic reassign", &c, from);
    Ok(code)
}

fn verify(_args: &Args, global: &GlobalArgs, targets: &[Target]) -> anyhow::Result<ExitCode> {
    let mut c = super::open_cluster(global)?;
    let from = c.state().metadata_offset;
    for t in targets {
        c.partition(&t.topic, t.partition)?;
    }
    let mut out = Printer::stdout();
    let code = carry_on(&mut c, global, &mut out, targets)?;
    out.finish().context("writing to stdout")?;
    global.metadata_written("topic reassign", &c, from);
    Ok(code)
}

/// Drives the moves of `targets` until complete or stuck, printing progress on a terminal,
/// then Kafka's status lines and the preferred leader elections.
fn carry_on(
    c: &mut Cluster,
    global: &GlobalArgs,
    out: &mut Printer,
    targets: &[Target],
) -> anyhow::Result<ExitCode> {
    let mut parts: Vec<(String, u32)> = targets
        .iter()
        .map(|t| (t.topic.clone(), t.partition))
        .collect();
    parts.sort();
    let tty = std::io::stderr().is_terminal() && !global.quiet;
    let mut last = Instant::now() - Duration::from_secs(10);
    let mut progress = |c: &Cluster, moving: &[(String, u32)]| {
        if !tty || moving.is_empty() || last.elapsed() < Duration::from_secs(1) {
            return;
        }
        last = Instant::now();
        let moving_targets: Vec<Target> = targets
            .iter()
            .filter(|t| moving.contains(&(t.topic.clone(), t.partition)))
            .cloned()
            .collect();
        if let Ok(states) = reassign::status(c, &moving_targets) {
            let (have, want) = states
                .iter()
                .flat_map(|s| s.copying.iter())
                .fold((0u64, 0u64), |(h, w), (_, have, want)| (h + have, w + want));
            eprintln!(
                "filka: {} of {} partitions still moving; new replicas hold {} of {} bytes",
                moving.len(),
                targets.len(),
                have.min(want),
                want
            );
        }
    };
    let outcome =
        reassign::drive(c, &parts, &mut progress).context("carrying the reassignment on")?;
    c.reload()?;
    let states = reassign::status(c, targets)?;
    out.line("Status of partition reassignment:")?;
    let mut sorted = states.clone();
    sorted.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    for s in &sorted {
        let name = format!("{}-{}", s.topic, s.partition);
        if !s.done {
            out.line(&format!(
                "Reassignment of partition {name} is still in progress."
            ))?;
        } else if s.current == s.target {
            out.line(&format!("Reassignment of partition {name} is completed."))?;
        } else {
            let j = |v: &[i32]| v.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
            out.line(&format!(
                "There is no active reassignment of partition {name}, but replica set is {} rather than {}.",
                j(&s.current),
                j(&s.target)
            ))?;
        }
    }
    // Kafka's --verify: once no move of the plan runs, every throttle is removed.
    if sorted.iter().all(|s| s.done) {
        let cleared = reassign::clear_throttles(c, targets).context("removing the throttle")?;
        let j = |v: Vec<String>| v.join(",");
        out.line(&format!(
            "Clearing broker-level throttles on broker{} {}",
            if cleared.brokers.len() == 1 { "" } else { "s" },
            j(cleared.brokers.iter().map(i32::to_string).collect())
        ))?;
        out.line(&format!(
            "Clearing topic-level throttles on topic{} {}",
            if cleared.topics.len() == 1 { "" } else { "s" },
            j(cleared.topics.clone())
        ))?;
    }
    let done: Vec<(String, u32)> = sorted
        .iter()
        .filter(|s| s.done && s.current == s.target)
        .map(|s| (s.topic.clone(), s.partition))
        .collect();
    if !done.is_empty() {
        let elected = reassign::elect_preferred(c, &done).context("preferred leader election")?;
        for r in &elected {
            if let MetadataRecord::PartitionChange {
                topic,
                partition,
                leader,
                leader_epoch,
                ..
            } = r
            {
                out.line(&format!(
                    "Preferred leader election: {topic}-{partition} is led by {leader} (its preferred replica), epoch {leader_epoch}."
                ))?;
            }
        }
    }
    match outcome {
        Outcome::Done => Ok(ExitCode::Success),
        Outcome::Stuck(why) => {
            out.flush()?;
            Err(coded(
                ExitCode::InProgress,
                anyhow::anyhow!(
                    "the reassignment cannot complete now: {}; it stays started, and `filka \
                     topic reassign --verify` carries it on",
                    why.join("; ")
                ),
            ))
        }
    }
}

fn cancel(global: &GlobalArgs, targets: &[Target]) -> anyhow::Result<ExitCode> {
    let mut c = super::open_cluster(global)?;
    let from = c.state().metadata_offset;
    let parts: Vec<(String, u32)> = targets
        .iter()
        .map(|t| (t.topic.clone(), t.partition))
        .collect();
    let mut cancelled =
        reassign::cancel(&mut c, &parts).context("cannot cancel the reassignment")?;
    cancelled.sort();
    let mut out = Printer::stdout();
    if cancelled.is_empty() {
        out.line("None of the specified partition reassignments are active.")?;
    } else {
        out.line(&format!(
            "Successfully cancelled partition reassignment{} for: {}",
            if cancelled.len() == 1 { "" } else { "s" },
            cancelled.iter().map(tp).collect::<Vec<_>>().join(",")
        ))?;
    }
    out.finish().context("writing to stdout")?;
    global.metadata_written("topic reassign", &c, from);
    Ok(ExitCode::Success)
}
