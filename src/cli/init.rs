//! `filka init`: create a cluster directory with N brokers, like formatting the log dirs of a
//! new KRaft cluster (`kafka-storage.sh format`) and starting its brokers.
//!
//! Spec: `filka init [--brokers N] [--first-id ID] [--controllers N] [-c KEY=VALUE]...`
//! (defaults 3, 101, and the largest odd number up to 5) creates one folder per broker (a
//! Kafka log.dir with `meta.properties` and empty checkpoint files); the first N brokers are
//! also controllers (combined mode), each with its copy of the KRaft metadata log
//! (`__cluster_metadata-0`: quorum-state, bootstrap records, a RegisterBrokerRecord per
//! broker, a ConfigRecord per `-c`), then prints what it created. `-c` sets cluster-wide settings (Kafka's broker settings, such as
//! `log.retention.ms` or `replica.lag.time.max.ms`: `cluster::settings`; `filka config`
//! changes them later), a topic's own config overriding a topic default; any other key is a
//! usage error, checked before anything is created. It refuses to touch a
//! directory that already holds a cluster or any part of one (a metadata log, a broker's
//! meta.properties, filka's earlier cluster.json), or is a broker folder of one: exit 1,
//! nothing changed.
//!
//! Owns only flag parsing and the report; the cluster layer creates the files.

use std::collections::BTreeMap;

use anyhow::Context;
use serde_json::json;

use super::{GlobalArgs, OutputFormat};
use crate::cluster::topic::{TopicConfig, parse_assignment};
use crate::cluster::{self, Cluster, ClusterError, layout};
use crate::error::{ExitCode, ResultExt};
use crate::output::{Printer, escape_control};

const EXAMPLES: &str = "\
Examples:
  Create the default cluster (brokers 101, 102, 103) in ./filka-data:
    filka init

  A single-broker cluster elsewhere, for a quick experiment:
    filka --cluster /tmp/one init --brokers 1

  Five brokers numbered 1 to 5, as in Kafka's quickstart configs:
    filka --cluster lab init --brokers 5 --first-id 1

  Five brokers, of which the first three form the controller quorum:
    filka --cluster lab init --brokers 5 --controllers 3

  Three brokers and three controllers of their own (isolated mode), so that two brokers
  can go down and the quorum still stands:
    filka --cluster lab init --isolated

  Followers leave the ISR after 5 s, and every record is flushed, unless a topic says
  otherwise (cluster-wide defaults, as Kafka's broker settings):
    filka init -c replica.lag.time.max.ms=5000 -c flush.messages=1

  Start over (init never overwrites a cluster):
    rm -r filka-data && filka init";

/// Create a cluster: broker folders and the controller quorum's metadata log.
///
/// Each broker is a folder named broker-<id> (a Kafka log.dir) holding meta.properties (node
/// id, cluster id, directory id) and empty checkpoint files. The first --controllers brokers
/// are also KRaft controllers (Kafka's combined mode): each holds a copy of the metadata log,
/// broker-<id>/__cluster_metadata-0, in Kafka's format, with its quorum-state. The log starts
/// with Kafka's bootstrap records (metadata.version, features), then one
/// RegisterBrokerRecord per broker; a change is committed once a majority of the controllers
/// hold it. All brokers start online.
///
/// Every command that needs a cluster creates the default one on first use, so `init` is only
/// needed for another broker count, other ids or another quorum. It never overwrites an
/// existing cluster: on a directory that holds one, or any part of one (a metadata log, a
/// broker's meta.properties), or on one of its broker folders, it changes nothing and exits
/// 1.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Number of brokers (1 to 1000).
    #[arg(
        long,
        value_name = "N",
        default_value_t = cluster::DEFAULT_BROKERS,
        value_parser = clap::value_parser!(u32).range(1..=i64::from(cluster::MAX_BROKERS)),
    )]
    pub brokers: u32,

    /// Id of the first broker; the others follow in order (Kafka's node.id).
    #[arg(
        long,
        value_name = "ID",
        default_value_t = cluster::DEFAULT_FIRST_BROKER_ID,
        value_parser = clap::value_parser!(i32).range(0..),
    )]
    pub first_id: i32,

    /// How many of the brokers (the first ones) are also controllers, voters of the KRaft
    /// quorum; a change needs a majority of them running. Default: the largest odd number up
    /// to 5 and the broker count.
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..=i64::from(cluster::MAX_BROKERS)),
    )]
    pub controllers: Option<u32>,

    /// The controllers are nodes of their own (Kafka's isolated mode,
    /// process.roles=controller): folders controller-<id>, ids 1 to N (or after the last
    /// broker's when those are taken), each with its copy of the metadata log. Brokers then
    /// go down without touching the quorum. Default count with it: 3.
    #[arg(long)]
    pub isolated: bool,

    /// A cluster-wide setting, KEY=VALUE (repeat for more): Kafka's broker settings, such as
    /// log.retention.ms, log.retention.check.interval.ms, replica.lag.time.max.ms or
    /// flush.messages (`filka config list` shows them all, `filka config set` changes them
    /// later). A topic's own --config overrides a topic default.
    #[arg(short, long = "config", value_name = "KEY=VALUE")]
    pub configs: Vec<String>,
}

/// Creates the cluster and reports what it created.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    global.accept("init", super::global::TEXT_JSON, super::global::VERBOSE)?;
    let path = &global.cluster;
    // Checked before anything is created: the library would find it after the first folders.
    if i64::from(args.first_id) + i64::from(args.brokers) - 1 > i64::from(i32::MAX) {
        return Err(anyhow::anyhow!(
            "broker ids {} to {} do not fit Kafka's 32-bit node ids; choose a lower --first-id",
            args.first_id,
            i64::from(args.first_id) + i64::from(args.brokers) - 1
        ))
        .exit_code(ExitCode::Usage);
    }
    let controllers = args.controllers.unwrap_or_else(|| {
        if args.isolated {
            3
        } else {
            cluster::default_controllers(args.brokers)
        }
    });
    if !args.isolated && controllers > args.brokers {
        return Err(anyhow::anyhow!(
            "--controllers {controllers} is more than the {} brokers; in combined mode the controllers are among the brokers (--isolated gives them nodes of their own)",
            args.brokers
        ))
        .exit_code(ExitCode::Usage);
    }
    let mut configs = BTreeMap::new();
    for flag in &args.configs {
        let (k, v) = parse_assignment(flag).map_err(ClusterError::from)?;
        configs.insert(k, v);
    }
    TopicConfig::validate_cluster(&configs).map_err(ClusterError::from)?;
    let mut c = match Cluster::init_with_controllers(
        path,
        args.brokers,
        args.first_id,
        controllers,
        args.isolated,
    ) {
        Ok(c) => c,
        Err(ClusterError::AlreadyExists { path, found }) => anyhow::bail!(
            "{} already holds a filka cluster; nothing changed ({} exists: remove the directory to start over, or pass --cluster with another one)",
            path.display(),
            found.display()
        ),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot create a cluster in {}", path.display()));
        }
    };
    if !configs.is_empty() {
        c.set_cluster_configs(configs)
            .context("setting the cluster-wide configs")?;
    }
    let layout = c.layout();
    let state = c.state();
    let records = c.history().map(|h| h.len()).unwrap_or(0);
    let voters = c.quorum().map(|q| q.voters).unwrap_or_default();
    let mut out = Printer::stdout();
    if global.output == OutputFormat::Json {
        let brokers: Vec<_> = state
            .brokers
            .keys()
            .map(|&id| {
                let controller = voters.contains(&id);
                json!({
                    "id": id,
                    "dir": layout.broker_dir(id),
                    "controller": controller,
                    "metadata_log": controller.then(|| layout.metadata_copy(id)),
                })
            })
            .collect();
        let isolated: Vec<_> = voters
            .iter()
            .filter(|v| !state.brokers.contains_key(v))
            .map(|&id| json!({"id": id, "dir": layout.controller_dir(id), "metadata_log": layout.metadata_copy(id)}))
            .collect();
        out.json_line(&json!({
            "cluster_id": state.cluster_id,
            "path": layout.root(),
            "brokers": brokers,
            "controllers": voters,
            "isolated_controllers": isolated,
            "metadata_entries": records,
            "configs": state.configs,
        }))?;
    } else {
        let mut rows: Vec<(String, String)> = Vec::new();
        for &id in voters.iter().filter(|v| !state.brokers.contains_key(v)) {
            rows.push((
                layout.metadata_copy(id).display().to_string(),
                format!("controller {id} (a node of its own): its copy of the metadata log"),
            ));
        }
        for &id in state.brokers.keys() {
            let props = layout.broker_dir(id).join(layout::META_PROPERTIES);
            rows.push((props.display().to_string(), format!("broker {id}")));
            if voters.contains(&id) {
                rows.push((
                    layout.metadata_copy(id).display().to_string(),
                    format!("controller {id}: its copy of the metadata log"),
                ));
            }
        }
        let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        out.line(&format!(
            "Created cluster {} in {} with {} brokers:",
            state.cluster_id,
            escape_control(&path.display().to_string()),
            state.brokers.len()
        ))?;
        for (file, what) in rows {
            out.line(&escape_control(&format!("  {file:<width$}  {what}")))?;
        }
        let ids: Vec<String> = voters.iter().map(i32::to_string).collect();
        out.line(&format!(
            "Controller quorum: voters {} (a change is committed on {} of them); metadata log: {} entries (filka describe history)",
            ids.join(", "),
            voters.len() / 2 + 1,
            records
        ))?;
        if !state.configs.is_empty() {
            let kv: Vec<String> = state
                .configs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            out.line(&format!("Cluster-wide configs: {}", kv.join(", ")))?;
        }
    }
    out.finish().context("writing the report")?;
    global.metadata_written("init", &c, 0);
    if global.output == OutputFormat::Text {
        global.note("next: filka topic create demo, then filka describe cluster");
    }
    Ok(ExitCode::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        let mut argv = vec!["filka", "init"];
        argv.extend_from_slice(args);
        match Cli::try_parse_from(argv)?.command {
            Command::Init(a) => Ok(a),
            _ => unreachable!(),
        }
    }

    #[test]
    fn defaults_are_the_seed_cluster() {
        let a = parse(&[]).unwrap();
        assert_eq!((a.brokers, a.first_id), (3, 101));
    }

    #[test]
    fn zero_brokers_and_negative_ids_are_usage_errors() {
        for bad in [&["--brokers", "0"][..], &["--first-id", "-1"]] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.exit_code(), ExitCode::Usage.code(), "{bad:?}");
        }
    }
}
