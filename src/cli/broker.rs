//! `filka broker`: grow and shrink the cluster.
//!
//! Spec:
//! - `broker add [--id N]`: a new, empty broker folder (`broker-N/`, with `meta.properties`
//!   and empty checkpoint files), registered in the metadata log (Kafka's
//!   RegisterBrokerRecord, unfenced). Default id: one more than the highest node id. It holds
//!   no replica until a topic is created or `topic reassign` moves some to it. Prints
//!   `Added broker N (...)`.
//! - `broker remove N`: unregisters a broker that holds no replica (Kafka's
//!   UnregisterBrokerRecord) and deletes its folder; refused, naming the partitions, while it
//!   holds any (exit 2), and for a voter of the controller quorum (exit 2).
//!
//! Exit codes: an unknown broker, a taken id, a broker holding replicas 2.

use anyhow::Context;
use clap::Subcommand;
use serde_json::json;

use super::GlobalArgs;
use super::OutputFormat;
use super::describe::check_output;
use crate::cluster::membership;
use crate::error::ExitCode;
use crate::output::Printer;

const EXAMPLES: &str = "\
Examples:
  Grow a 3-broker cluster by two brokers, then spread a topic over all five:
    filka broker add
    filka broker add
    echo '{\"topics\":[{\"topic\":\"demo\"}],\"version\":1}' > topics.json
    filka topic reassign --generate --topics-to-move-json-file topics.json \\
        --broker-list 101,102,103,104,105 | tail -1 > plan.json
    filka topic reassign --execute --reassignment-json-file plan.json

  Drain broker 101 (a plan without it), then remove it:
    filka topic reassign --generate --topics-to-move-json-file topics.json \\
        --broker-list 102,103,104,105 | tail -1 > drain.json
    filka topic reassign --execute --reassignment-json-file drain.json
    filka broker remove 101

  See each broker's replicas, leaders and bytes:
    filka describe brokers";

/// Add brokers to the cluster or remove empty ones.
///
/// A new broker is an empty folder registered in the metadata log, as a Kafka broker joining
/// a cluster: new topics use it at once, and `filka topic reassign` moves existing
/// partitions to it. A broker can be removed once it holds no replica (drain it with
/// `topic reassign` first); the voters of the controller quorum stay.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The broker subcommands. Variants carry no doc comment: the help is on each `Args`.
#[allow(missing_docs)]
#[derive(Debug, Subcommand)]
pub enum Action {
    Add(AddArgs),
    Remove(RemoveArgs),
}

/// Register a new, empty broker (its folder broker-N/ and a RegisterBrokerRecord).
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka broker add
  filka broker add --id 110")]
pub struct AddArgs {
    /// The new broker's node id [default: one more than the highest node id].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(0..))]
    pub id: Option<i32>,
}

/// Unregister a broker that holds no replica, and delete its folder.
///
/// Refused, naming the partitions, while any partition has a replica on it: move them away
/// first with `filka topic reassign` (`--generate` with a broker list without it). A voter
/// of the controller quorum cannot be removed.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka broker remove 104")]
pub struct RemoveArgs {
    /// The broker's node id.
    #[arg(value_name = "ID")]
    pub id: i32,
}

/// Runs the command.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        Action::Add(a) => add(a, global),
        Action::Remove(a) => remove(a, global),
    }
}

fn add(args: &AddArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    check_output(global, "broker add")?;
    let mut c = super::open_cluster(global)?;
    let from = c.state().metadata_offset;
    let id = membership::add_broker(&mut c, args.id).context("cannot add a broker")?;
    let dir = c.layout().broker_dir(id);
    let mut out = Printer::stdout();
    if global.output == OutputFormat::Json {
        out.json_line(&json!({"added": id, "folder": dir.display().to_string()}))?;
    } else {
        out.line(&format!(
            "Added broker {id} ({}): it holds no replica yet; new topics use it, and `filka \
             topic reassign` moves partitions to it.",
            crate::output::escape_control(&dir.display().to_string())
        ))?;
    }
    out.finish().context("writing to stdout")?;
    global.metadata_written("broker add", &c, from);
    Ok(ExitCode::Success)
}

fn remove(args: &RemoveArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    check_output(global, "broker remove")?;
    let mut c = super::open_cluster(global)?;
    let from = c.state().metadata_offset;
    let id = args.id;
    membership::remove_broker(&mut c, id).with_context(|| format!("cannot remove broker {id}"))?;
    let mut out = Printer::stdout();
    if global.output == OutputFormat::Json {
        out.json_line(&json!({"removed": id}))?;
    } else {
        out.line(&format!(
            "Removed broker {id}: unregistered, and its folder deleted."
        ))?;
    }
    out.finish().context("writing to stdout")?;
    global.metadata_written("broker remove", &c, from);
    Ok(ExitCode::Success)
}
