//! The command line: [`Cli`] (global flags) and [`Command`] (one variant per subcommand), and
//! [`run`], which dispatches to the command's file.
//!
//! Owns: flag definitions, the one source of help text, man pages and completions. Every
//! command lives in its own file here: an `Args` struct whose doc comments are its help text
//! (with an Examples section in `after_long_help`), and
//! `pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode>`.
//!
//! Must not: open the cluster while parsing (so `--help`, `--version` and `completions` work
//! with no cluster present), hold storage logic, or parse bytes.
//!
//! Adding a command `foo`:
//! 1. `src/cli/foo.rs` with `Args` (+ `EXAMPLES`) and `run`;
//! 2. `pub mod foo;` below;
//! 3. a variant `Foo(foo::Args)` in [`Command`] (no doc comment: the help is on `Args`);
//! 4. an arm `Command::Foo(args) => foo::run(args, &cli.global)` in [`run`];
//! 5. `UPDATE_GENERATED=1 cargo test generated` to regenerate man/ and completions/.

pub mod broker;
pub mod clean;
pub mod complete;
mod complete_sources;
pub mod completions;
pub mod config;
pub mod consume;
mod consume_group;
pub mod demo;
pub mod describe;
pub mod dump;
mod dump_json;
pub mod formats;
pub mod generated;
mod global;
pub mod group;
pub mod init;
pub mod mirror;
pub mod pipe;
pub mod produce;
mod produce_input;
mod produce_report;
mod produce_sink;
pub mod reassign;
pub mod schema;
pub mod schema_store;
mod shutdown;
pub mod simulate_failure;
pub mod topic;
pub mod transactions;

use std::path::PathBuf;

use clap::{ArgAction, Parser, Subcommand, ValueEnum};

use crate::error::{ExitCode, exit_codes_help};

/// Where the cluster lives when neither `--cluster` nor `FILKA_CLUSTER` says.
pub const DEFAULT_CLUSTER_DIR: &str = "./filka-data";

/// The environment variable naming the cluster directory.
pub const CLUSTER_ENV: &str = "FILKA_CLUSTER";

/// filka: a whole Kafka-like cluster in a local directory.
///
/// Every command is a short-lived process that opens the cluster directory, locks what it
/// changes, does its work and exits. Partitions are stored in Apache Kafka's own on-disk
/// format, so Kafka's tools can read what filka writes and filka can inspect segment files
/// copied from a real broker.
#[derive(Debug, Parser)]
#[command(
    name = "filka",
    version,
    disable_help_subcommand = true,
    subcommand_required = true,
    arg_required_else_help = true,
    after_help = exit_codes_help(),
)]
pub struct Cli {
    /// Flags every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts, before or after the command name.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The cluster directory, created on first use by every command that needs one.
    ///
    /// When it holds no cluster, the default one (brokers 101, 102, 103) is created and
    /// stderr says so, as SQLite creates its file; only dump (which reads files) and
    /// completions never create one.
    ///
    /// It may also name one broker folder of a cluster (e.g. filka-data/broker-101), used like a
    /// bootstrap broker: filka finds the cluster from it. Any other path inside a cluster (a
    /// broker folder that does not exist, a partition folder, locks/) is refused (exit 2): a
    /// cluster is never created inside another.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = CLUSTER_ENV,
        hide_env_values = true,
        default_value = DEFAULT_CLUSTER_DIR,
        value_hint = clap::ValueHint::DirPath,
    )]
    pub cluster: PathBuf,

    /// Output format: text for people, json for scripts.
    ///
    /// text: tables/templates for people; json: one JSON object per line for scripts; csv and
    /// avro where a command supports them.
    #[arg(
        long,
        global = true,
        value_name = "FORMAT",
        value_enum,
        default_value_t = OutputFormat::Text
    )]
    pub output: OutputFormat,

    /// Print nothing on stderr but errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say on stderr what the command does, in Kafka's words (-vv: every batch too).
    ///
    /// -v: the metadata the command acts on, which leader broker each partition is read from
    /// or written to, where a group resumes and why, the metadata records a change wrote.
    /// -vv adds one line per batch, for the commands that read or write batches (produce,
    /// consume, pipe, mirror); the others refuse it (exit 2) rather than ignore it.
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    /// Whether --cluster (or FILKA_CLUSTER) was given, rather than its default: set by
    /// [`GlobalArgs::note_sources`] (`demo` plays in it only when given).
    #[arg(skip)]
    pub cluster_given: bool,
}

impl GlobalArgs {
    /// Records which global flags came from the command line or the environment rather than
    /// their defaults (clap's derive keeps only the values).
    pub fn note_sources(&mut self, matches: &clap::ArgMatches) {
        use clap::parser::ValueSource;
        self.cluster_given = matches!(
            matches.value_source("cluster"),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        );
    }
}

/// What `--output` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Tables and templates for people.
    Text,
    /// One JSON object per line, for scripts.
    Json,
    /// Comma-separated values, where a command supports it.
    Csv,
    /// Avro, where a command supports it.
    Avro,
}

/// The commands, in the order `filka --help` lists them.
///
/// Variants carry no doc comment on purpose: clap would take it as the command's help and
/// drop the long help written on the command's `Args`, in the command's own file.
#[allow(missing_docs)]
#[derive(Debug, Subcommand)]
pub enum Command {
    Init(init::Args),
    Topic(topic::Args),
    Config(config::Args),
    Broker(broker::Args),
    Produce(produce::Args),
    Consume(consume::Args),
    Group(group::Args),
    Schema(schema::Args),
    Transactions(transactions::Args),
    Pipe(pipe::Args),
    Describe(describe::Args),
    Clean(clean::Args),
    SimulateFailure(simulate_failure::Args),
    Dump(dump::Args),
    Mirror(mirror::Args),
    Demo(demo::Args),
    Completions(completions::Args),
}

/// Runs the parsed command line and returns the exit code it chose.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Init(args) => init::run(args, &cli.global),
        Command::Topic(args) => topic::run(args, &cli.global),
        Command::Config(args) => config::run(args, &cli.global),
        Command::Broker(args) => broker::run(args, &cli.global),
        Command::Produce(args) => produce::run(args, &cli.global),
        Command::Consume(args) => consume::run(args, &cli.global),
        Command::Group(args) => group::run(args, &cli.global),
        Command::Schema(args) => schema::run(args, &cli.global),
        Command::Transactions(args) => transactions::run(args, &cli.global),
        Command::Pipe(args) => pipe::run(args, &cli.global),
        Command::Describe(args) => describe::run(args, &cli.global),
        Command::Clean(args) => clean::run(args, &cli.global),
        Command::SimulateFailure(args) => simulate_failure::run(args, &cli.global),
        Command::Dump(args) => dump::run(args, &cli.global),
        Command::Mirror(args) => mirror::run(args, &cli.global),
        Command::Demo(args) => demo::run(args, &cli.global),
        Command::Completions(args) => completions::run(args, &cli.global),
    }
}

/// Opens the cluster `--cluster` names (the root or one broker folder of it). When there is
/// none, creates the default one (brokers 101, 102, 103) and says so on stderr, as SQLite
/// creates its database file on first use; a snapshot rebuilt from the metadata log is
/// reported the same way. A path inside a cluster that is neither its root nor one of its
/// broker folders is refused (exit 2): a cluster is never created inside another.
pub fn open_cluster(global: &GlobalArgs) -> anyhow::Result<crate::cluster::Cluster> {
    let (cluster, opened) = crate::cluster::Cluster::open_or_create_reporting(&global.cluster)?;
    report_opened(global, &cluster, &opened);
    if let Some(node) = cluster.layout().kafka_node() {
        global.note(format!(
            "{} is the log dir of Kafka node {node}: opened read-only, as a one-broker view (the \
             other brokers' disks are not here: they show as down, and partitions without a \
             replica here as offline)",
            crate::output::escape_control(&cluster.layout().root().display().to_string())
        ));
    }
    if global.verbose_at(1) {
        // What a Kafka client learns from its first metadata request: who is there.
        let state = cluster.state();
        let online = state
            .brokers
            .keys()
            .filter(|&&b| state.is_online(b))
            .count();
        global.detail(
            1,
            format!(
                "cluster {} (id {}): metadata as of offset {} of the metadata log: {} brokers \
                 ({online} online), {} topics",
                crate::output::escape_control(&cluster.layout().root().display().to_string()),
                state.cluster_id,
                state.metadata_offset,
                state.brokers.len(),
                state.topics.len()
            ),
        );
    }
    Ok(cluster)
}

/// Tells the user (unless -q) what opening the cluster had to do, and when the broker folder
/// given as the bootstrap is a broker that is down (a Kafka client would have failed over
/// to another bootstrap broker without a word; here the user should know).
pub fn report_opened(
    global: &GlobalArgs,
    cluster: &crate::cluster::Cluster,
    opened: &crate::cluster::Opened,
) {
    use crate::cluster::Opened;
    use crate::output::escape_control;
    if global.quiet {
        return;
    }
    let root = escape_control(&cluster.layout().root().display().to_string());
    match opened {
        Opened::Existing => {}
        Opened::Created => {
            eprintln!("filka: no cluster at {root}; created one with brokers 101, 102, 103")
        }
        Opened::Converted(c) => {
            let n = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
            eprintln!(
                "filka: converted the cluster's metadata ({}, {}) from filka's earlier JSON \
                 metadata (cluster.json) to a KRaft metadata log in the controllers' folders \
                 (broker-N/__cluster_metadata-0); the old files are kept in {}",
                n(c.brokers, "broker"),
                n(c.topics, "topic"),
                escape_control(&c.kept_in.display().to_string())
            )
        }
    }
    if let crate::cluster::Location::Broker { id, .. } = crate::cluster::locate(&global.cluster) {
        let folder = escape_control(&global.cluster.display().to_string());
        match cluster.state().brokers.get(&id).map(|b| b.is_online()) {
            Some(true) => {}
            Some(false) => eprintln!(
                "filka: broker {id} (the bootstrap folder {folder}) is down; using the \
                 cluster's metadata from {root}, as a Kafka client would from another \
                 bootstrap broker"
            ),
            None => eprintln!(
                "filka: {folder} is not a broker of the cluster at {root} (its metadata has no \
                 broker {id}); using the cluster's metadata from {root}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_work_after_the_command() {
        let cli = Cli::try_parse_from([
            "filka",
            "dump",
            "x.log",
            "--cluster",
            "/tmp/c",
            "--output",
            "json",
            "-vv",
        ])
        .unwrap();
        assert_eq!(cli.global.cluster, PathBuf::from("/tmp/c"));
        assert_eq!(cli.global.output, OutputFormat::Json);
        assert_eq!(cli.global.verbose, 2);
        assert!(!cli.global.quiet);
    }

    #[test]
    fn quiet_and_verbose_conflict() {
        let err = Cli::try_parse_from(["filka", "-q", "-v", "completions", "bash"]).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::Usage.code());
    }

    #[test]
    fn command_help_comes_from_its_args() {
        let cmd = Cli::command();
        let dump = cmd.find_subcommand("dump").unwrap();
        let long = dump
            .get_long_about()
            .map(|s| s.to_string())
            .unwrap_or_default();
        assert!(long.contains("never repaired"), "{long}");
    }

    /// Every command and subcommand, at every level, has an Examples section.
    #[test]
    fn every_command_has_examples() {
        fn walk(cmd: &clap::Command, path: &str) {
            for sub in cmd.get_subcommands() {
                let path = format!("{path} {}", sub.get_name());
                let examples = sub
                    .get_after_long_help()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                assert!(
                    examples.starts_with("Examples:\n"),
                    "`{path}` has no Examples section in after_long_help"
                );
                walk(sub, &path);
            }
        }
        walk(&Cli::command(), "filka");
    }
}
