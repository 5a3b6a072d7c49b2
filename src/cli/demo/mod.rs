//! `filka demo [DIR]`: plays the seed's example on a fresh cluster by running, one after the
//! other, the very command lines it prints, and tells what they did.
//!
//! Spec:
//! - The folder: DIR when given, else `--cluster` (or `FILKA_CLUSTER`) when given, else a
//!   new `./filka-demo` (`./filka-demo-2`, ... when taken). DIR and a different `--cluster`:
//!   usage error, exit 2. The folder must not hold a cluster yet: exit 1, nothing changed.
//! - Each step prints `$ LINE`, then runs exactly LINE: a lone `filka` command as a child
//!   process of this binary with the argv the line spells, anything with a pipe, `&&`, a
//!   heredoc or `kill` through `sh -c LINE` with this binary's folder first in PATH (so
//!   `filka` there is this binary too). Every `filka` in a line starts with
//!   `filka --cluster DIR`, so each line can be pasted into a shell in the same directory.
//!   What the command printed follows, stdout and stderr, indented.
//! - What a step concludes (`# ...` lines, `-q` lines, JSON outcomes) is computed from what
//!   its commands printed, never from the library on the side. When an outcome is not what
//!   Kafka's semantics say, the demo still tells what happened, goes on, and exits 1 with a
//!   line naming the step. A command that fails stops the demo (exit 1, naming the step and
//!   the command).
//! - The steps: 1 `init`; 2 topic `user-interactions`; 3 the website produces page views
//!   keyed by user (a heredoc, `--print-offsets`); 4 the analytics consumer counts actions;
//!   5 the database consumer reads everything with partitions and offsets; 6 trucks produce
//!   positions keyed by truck id into `trucks_gps`, read back per partition; 7 broker 101
//!   goes down (its controller too, combined mode: `describe quorum` shows the quorum's new
//!   leader), and consumers still read everything; 8 it comes back and
//!   `topic elect-leaders` gives it its partitions back; 9 to 11 the delivery semantics
//!   (below); 12 `describe topics`. Then the commands to look around with.
//! - 9 at-most-once and 10 at-least-once: 10 orders; billing is `consume -g G --commit
//!   before|auto -o beginning -f` whose output the demo reads; after the 3rd order it runs
//!   `kill -9 PID`, shows `describe group G`, and restarts billing without -f. 11
//!   exactly-once: `filka pipe` whose command dies after the 3rd order (pipe exits 10, its
//!   transaction aborted), the pipe again, then the invoices read with read_committed and
//!   read_uncommitted. Each tells processed (orders billed), lost (never billed) and
//!   repeated (billed twice).
//! - Output: a transcript; `-q` one line per step, `Step N: TITLE: SUMMARY` (the commands'
//!   stderr only for a step that failed); `--output json` one object per step,
//!   `{"step","title","commands","outcome","as_expected"}` where commands are the exact
//!   lines run, then `{"cluster","steps","as_expected","look_around"}`. Other `--output`
//!   formats: usage error, exit 2.
//!
//! Owns: the choice of folder and the order of the steps (steps.rs, semantics.rs), the
//! lines and how they run (shell.rs), how it is told (report.rs). Must not: learn what
//! happened from anything but the commands' output.

mod report;
mod semantics;
mod shell;
mod steps;

use std::path::{Component, Path, PathBuf};

use anyhow::anyhow;

use super::{GlobalArgs, OutputFormat};
use crate::error::{ExitCode, coded};
use report::{Mode, Report};
use shell::Runner;
use steps::Demo;

const EXAMPLES: &str = "\
Examples:
  Play the example in a new folder ./filka-demo (or filka-demo-2, ... if taken):
    filka demo

  Play it in a folder of your choice, then look around:
    filka demo /tmp/kafka-tour
    filka --cluster /tmp/kafka-tour describe cluster

  One line per step, or one JSON object per step for a script:
    filka demo -q
    filka demo --output json | jq -c '{step, outcome}'";

/// Play the seed's example on a fresh cluster, running each command it prints.
///
/// Creates a 3-broker cluster (ids 101, 102, 103), a `user-interactions` topic that a website
/// produces to and that an analytics and a database consumer each read in full, and a
/// `trucks_gps` topic where each truck's positions, keyed by truck id, land in one
/// partition. Then broker 101 fails and comes back, and a billing consumer that really
/// crashes (kill -9) after 3 of 10 orders and is restarted shows at-most-once, at-least-once
/// and exactly-once delivery, counting the orders processed, lost and repeated.
///
/// Each step prints its commands (`$ filka --cluster DIR ...`, ready to paste into a shell)
/// and runs exactly those, with this binary as `filka`; what it concludes comes from their
/// output. Exits 1 when a command fails or a step does not behave as Kafka's semantics say.
/// -q prints one line per step; --output json one JSON object per step.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Folder for the demo cluster; must not hold a cluster yet. Default: --cluster when
    /// given, else a new folder ./filka-demo (or ./filka-demo-N).
    #[arg(value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

/// A new `./filka-demo`, or `./filka-demo-N` when taken.
fn free_dir() -> PathBuf {
    let base = PathBuf::from("filka-demo");
    if !base.exists() {
        return base;
    }
    (2..)
        .map(|n| PathBuf::from(format!("filka-demo-{n}")))
        .find(|p| !p.exists())
        .unwrap_or(base)
}

/// `p` made absolute and without `.` components, to compare two spellings of a folder.
fn normal(p: &Path) -> PathBuf {
    let abs = std::env::current_dir().map_or_else(|_| p.to_path_buf(), |cwd| cwd.join(p));
    abs.components()
        .filter(|c| *c != Component::CurDir)
        .collect()
}

/// The folder the demo plays in.
fn folder(args: &Args, global: &GlobalArgs) -> anyhow::Result<PathBuf> {
    match (&args.dir, global.cluster_given) {
        (Some(dir), true) if normal(dir) != normal(&global.cluster) => Err(coded(
            ExitCode::Usage,
            anyhow!(
                "demo: two folders given, {} and --cluster {} (or FILKA_CLUSTER): give one",
                dir.display(),
                global.cluster.display()
            ),
        )),
        (Some(dir), _) => Ok(dir.clone()),
        (None, true) => Ok(global.cluster.clone()),
        (None, false) => Ok(free_dir()),
    }
}

/// Runs the demo.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    global.accept("demo", super::global::TEXT_JSON, super::global::VERBOSE)?;
    let mode = match global.output {
        OutputFormat::Text if global.quiet => Mode::Quiet,
        OutputFormat::Json => Mode::Json,
        _ => Mode::Text,
    };
    let dir = folder(args, global)?;
    if let Some(found) = crate::cluster::snapshot::cluster_part(&dir) {
        return Err(anyhow!(
            "demo: {} already holds a filka cluster ({} exists); give the demo a new folder: \
             filka demo DIR",
            dir.display(),
            found.display()
        ));
    }
    let runner = Runner::new(&dir, global.verbose > 0)?;
    let mut report = Report::new(mode);
    report.header(&format!(
        "filka demo: a 3-broker Kafka cluster in {}/, made and explored by the commands below \
         (filka in them is {})",
        runner.dir(),
        runner.exe().display()
    ))?;
    let mut demo = Demo::new(runner, report);
    demo.brokers()?;
    demo.website_topic()?;
    demo.website_produces()?;
    demo.analytics()?;
    demo.database()?;
    demo.trucks()?;
    demo.broker_down()?;
    demo.broker_up()?;
    let orders = demo.at_most_once()?;
    demo.at_least_once(&orders)?;
    demo.exactly_once(&orders)?;
    demo.describe()?;
    let look = demo.look_around();
    let Demo { run, report, .. } = demo;
    let problems = report.finish(run.dir(), &look)?;
    if problems.is_empty() {
        Ok(ExitCode::Success)
    } else {
        Err(coded(
            ExitCode::Failure,
            anyhow!("demo: {}", problems.join("; ")),
        ))
    }
}
