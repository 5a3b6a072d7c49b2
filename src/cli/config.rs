//! `filka config`: the cluster-wide settings (Kafka's broker settings filka honours), as
//! `kafka-configs --bootstrap-server ... --entity-type brokers --entity-default` shows and
//! changes them.
//!
//! Spec:
//! - `config list`: every setting, its value and its source (`cluster`: set cluster-wide;
//!   `default`: Kafka's default), and the topic config it is the default of, if any.
//! - `config set KEY=VALUE...` (`--add-config`): validates every pair first, then records
//!   them in one metadata change (ConfigRecords of the cluster-default broker resource);
//!   prints what changed.
//! - `config unset KEY...` (`--delete-config`): back to Kafka's default.
//!
//! Why a command of its own: these are not a topic's configs (`topic alter` changes those)
//! and `init -c` only sets them once; Kafka users change them with kafka-configs on the
//! brokers' default entity, whose vocabulary (set = add-config, unset = delete-config) this
//! follows. A topic's own override still beats the cluster-wide value (`describe topic`
//! shows each config's effective value and its source).
//!
//! Exit codes: an unknown key or a bad value 2, nothing changed.

use std::collections::BTreeMap;

use anyhow::Context;
use clap::Subcommand;
use serde_json::json;

use super::global::{TEXT_JSON, VERBOSE};
use super::{GlobalArgs, OutputFormat};
use crate::cluster::ClusterError;
use crate::cluster::settings::{self, SETTINGS};
use crate::cluster::topic::parse_assignment;
use crate::error::ExitCode;
use crate::output::{Printer, Table, escape_control};

const EXAMPLES: &str = "\
Examples:
  What is set cluster-wide, and Kafka's defaults:
    filka config list

  Keep records 1 hour in every topic that does not say otherwise, and check retention
  every 10 s (kafka-configs --entity-type brokers --entity-default --alter --add-config):
    filka config set log.retention.ms=3600000 log.retention.check.interval.ms=10000

  Back to Kafka's default (--delete-config):
    filka config unset log.retention.ms";

/// Show and change the cluster-wide settings (Kafka's broker settings).
///
/// These are the settings Kafka reads from each broker (server.properties, or the
/// cluster-wide dynamic default kafka-configs --entity-type brokers --entity-default sets):
/// the topic defaults log.retention.ms, log.retention.bytes, log.segment.bytes, log.roll.ms,
/// log.cleanup.policy (a topic's own config overrides them), and the cleaner's settings
/// log.retention.check.interval.ms, log.segment.delete.delay.ms and log.cleaner.*. They are
/// recorded in the metadata log as Kafka records them (a ConfigRecord of the cluster-default
/// broker resource), and every command reads them from there.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The config subcommands. Variants carry no doc comment: the help is on each `Args`.
#[allow(missing_docs)]
#[derive(Debug, Subcommand)]
pub enum Action {
    List(ListArgs),
    Set(SetArgs),
    Unset(UnsetArgs),
}

/// List every cluster-wide setting: its value and source (cluster: set cluster-wide;
/// default: Kafka's default).
///
/// With --output json, one object per setting: name, value, source, topic_config (the
/// topic config it is the default of, or null), description.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka config list
  filka config list --output json | jq -r 'select(.source == \"cluster\") | .name'")]
pub struct ListArgs {}

/// Set cluster-wide settings, as kafka-configs --entity-type brokers --entity-default
/// --alter --add-config K=V does.
///
/// Every pair is checked first (a known name, a valid value): one refused changes nothing
/// (exit 2). A topic's own config still overrides a topic default set here.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka config set log.retention.ms=86400000
  filka config set log.retention.check.interval.ms=1000 log.segment.delete.delay.ms=0
  filka config set log.cleanup.policy=compact,delete")]
pub struct SetArgs {
    /// KEY=VALUE pairs (`filka config list` shows the keys).
    #[arg(value_name = "KEY=VALUE", required = true)]
    pub pairs: Vec<String>,
}

/// Remove cluster-wide settings: they go back to Kafka's defaults, as kafka-configs
/// --entity-type brokers --entity-default --alter --delete-config K does.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka config unset log.retention.ms
  filka config unset log.retention.check.interval.ms log.segment.delete.delay.ms")]
pub struct UnsetArgs {
    /// Setting names.
    #[arg(value_name = "KEY", required = true)]
    pub keys: Vec<String>,
}

/// Runs `filka config`.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    global.accept("config", TEXT_JSON, VERBOSE)?;
    match &args.action {
        Action::List(_) => list(global),
        Action::Set(a) => set(a, global),
        Action::Unset(a) => unset(a, global),
    }
}

/// (name, value, source) of every setting.
fn rows(configs: &BTreeMap<String, String>) -> Vec<(&'static settings::Setting, String, &str)> {
    SETTINGS
        .iter()
        .map(|s| match configs.get(s.name) {
            Some(v) => (s, v.clone(), "cluster"),
            None => (s, s.default.to_string(), "default"),
        })
        .collect()
}

fn list(global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let c = super::open_cluster(global)?;
    let mut out = Printer::stdout();
    let rows = rows(&c.state().configs);
    if global.output == OutputFormat::Json {
        for (s, value, source) in rows {
            out.json_line(&json!({
                "name": s.name,
                "value": value,
                "source": source,
                "topic_config": s.topic_key,
                "description": s.doc,
            }))?;
        }
    } else {
        let mut t = Table::new(["Name", "Value", "Source", "Description"]);
        for (s, value, source) in rows {
            t.row([s.name, &escape_control(&value), source, s.doc]);
        }
        out.table(&t)?;
    }
    out.finish().context("writing to stdout")?;
    Ok(ExitCode::Success)
}

fn set(args: &SetArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let context = "cannot set the cluster-wide configs";
    let mut pairs = BTreeMap::new();
    for p in &args.pairs {
        let (k, v) = parse_assignment(p)
            .map_err(ClusterError::from)
            .context(context)?;
        settings::validate(&k, &v)
            .map_err(ClusterError::from)
            .context(context)?;
        pairs.insert(k, v);
    }
    let mut c = super::open_cluster(global)?;
    let before = c.state().configs.clone();
    let from = c.state().metadata_offset;
    c.set_cluster_configs(pairs.clone()).context(context)?;
    report(global, &before, &c.state().configs, pairs.keys())?;
    global.metadata_written("config set", &c, from);
    Ok(ExitCode::Success)
}

fn unset(args: &UnsetArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let context = "cannot unset the cluster-wide configs";
    for k in &args.keys {
        if settings::setting(k).is_none() {
            settings::validate(k, "")
                .map_err(ClusterError::from)
                .context(context)?;
        }
    }
    let mut c = super::open_cluster(global)?;
    let before = c.state().configs.clone();
    let from = c.state().metadata_offset;
    c.unset_cluster_configs(&args.keys).context(context)?;
    report(global, &before, &c.state().configs, args.keys.iter())?;
    global.metadata_written("config unset", &c, from);
    Ok(ExitCode::Success)
}

/// One line (or JSON object) per named setting: before -> after, with sources.
fn report<'a>(
    global: &GlobalArgs,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
    names: impl Iterator<Item = &'a String>,
) -> anyhow::Result<()> {
    let mut out = Printer::stdout();
    let shown = |m: &BTreeMap<String, String>, name: &str| -> (String, &'static str) {
        match m.get(name) {
            Some(v) => (v.clone(), "cluster"),
            None => (
                settings::setting(name)
                    .map_or("", |s| s.default)
                    .to_string(),
                "default",
            ),
        }
    };
    let mut seen = Vec::new();
    for name in names {
        if seen.contains(name) {
            continue;
        }
        seen.push(name.clone());
        let (old, old_src) = shown(before, name);
        let (new, new_src) = shown(after, name);
        if global.output == OutputFormat::Json {
            out.json_line(&json!({
                "name": name,
                "value": new,
                "source": new_src,
                "previous": {"value": old, "source": old_src},
            }))?;
        } else if (&old, old_src) == (&new, new_src) {
            out.line(&escape_control(&format!(
                "{name} unchanged: {new} ({new_src})."
            )))?;
        } else {
            out.line(&escape_control(&format!(
                "{name}: {old} ({old_src}) -> {new} ({new_src})."
            )))?;
        }
    }
    out.finish().context("writing to stdout")?;
    Ok(())
}
