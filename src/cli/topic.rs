//! `filka topic`: create, list, describe, alter and delete topics, as `kafka-topics.sh` and
//! `rpk topic` do.
//!
//! Spec:
//! - `topic create NAME [-p N] [-r N] [-c KEY=VALUE]... [--if-not-exists]`: defaults 3
//!   partitions and replication factor min(3, online brokers), and min.insync.replicas=2 when
//!   the replication factor is 3 or more (the settings of auto-created topics, DESIGN.md);
//!   prints the topic and where its replicas went. Kafka's naming rule, checked before the
//!   cluster is opened or created, so a refused name changes nothing on disk.
//! - `topic list [--internal]`: names, one per line (`__` topics only with --internal).
//! - `topic describe NAME`: the same as `describe topic NAME`.
//! - `topic alter NAME [--partitions N] [-c KEY=VALUE]...`: add partitions, set overrides.
//! - `topic delete NAME... [--if-exists]`: checks every name first, then deletes.
//! - `topic partition-for NAME KEY [--key-format F]`: where produce would put a record with
//!   that key: the key's bytes, murmur2, toPositive(murmur2) % partitions, and the
//!   partition's current leader; writes nothing.
//!
//! Exit codes: bad name, config, count, replication factor or key 2; unknown topic 4; a topic
//! that already exists 1 (unless --if-not-exists). JSON output gives topic objects (see
//! `describe::topic_json`).

use std::collections::BTreeMap;

use anyhow::Context;
use clap::{ArgGroup, Subcommand};
use serde_json::{Value, json};

use super::describe::{self, check_output};
use super::formats::FormatArg;
use super::{GlobalArgs, OutputFormat};
use crate::cluster::ClusterError;
use crate::cluster::topic::{self, TopicConfig, parse_assignment};
use crate::error::{ExitCode, ResultExt};
use crate::format::serializer::{Encoder, Format, hex};
use crate::output::{Printer, Table, escape_control};
use crate::record::hash::{murmur2, partition_for_key, to_positive};

const EXAMPLES: &str = "\
Examples:
  Create a topic with the defaults (3 partitions, replication factor 3), then see it:
    filka topic create demo
    filka topic describe demo

  Choose partitions, replication and configs, as with kafka-topics.sh:
    filka topic create trucks_gps -p 10 -r 2 --config retention.ms=3600000

  Scripts: list names, or objects with --output json:
    for t in $(filka topic list); do filka describe topic \"$t\"; done
    filka topic list --output json | jq -r 'select(.partition_count > 1) | .name'

  Which partition a key goes to (and its leader), without producing:
    filka topic partition-for trucks_gps truckID123

  Grow a topic and change a config, then delete it:
    filka topic alter demo --partitions 6 --config cleanup.policy=compact
    filka topic delete demo";

/// Create, list, describe, alter and delete topics.
///
/// Topic names are 1 to 249 ASCII letters, digits, '.', '_' and '-' (Kafka's rule); '.' and
/// '_' count as the same character when checking for collisions, and names starting with
/// '__' are Kafka's internal topics.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The topic subcommands. Variants carry no doc comment: the help is on each `Args`.
#[allow(missing_docs)]
#[derive(Debug, Subcommand)]
pub enum Action {
    Create(CreateArgs),
    List(ListArgs),
    Describe(describe::TopicArgs),
    Alter(AlterArgs),
    Delete(DeleteArgs),
    ElectLeaders(ElectLeadersArgs),
    Reassign(super::reassign::Args),
    PartitionFor(PartitionForArgs),
}

/// Create a topic and its replicas' folders, spreading leaders and followers over the
/// brokers as Kafka does.
///
/// Without -p and -r, a topic gets 3 partitions and a replication factor of 3 (fewer when
/// fewer brokers are online), like filka's auto-created topics, so partitions and
/// replication are there to see. With a replication factor of 3 or more, min.insync.replicas
/// defaults to 2 (set it with --config to override). Creates the default cluster when there
/// is none; a refused name or config changes nothing.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka topic create demo
  filka topic create trucks_gps --partitions 10 --replication-factor 2
  filka topic create audit -r 3 -c min.insync.replicas=3 -c retention.ms=-1
  filka topic create demo --if-not-exists")]
pub struct CreateArgs {
    /// The topic name.
    #[arg(value_name = "NAME")]
    pub name: String,

    /// Number of partitions [default: 3].
    #[arg(
        short,
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..),
    )]
    pub partitions: Option<u32>,

    /// Replicas of each partition, on distinct brokers [default: 3, or the number of online
    /// brokers if fewer].
    #[arg(
        short,
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..),
    )]
    pub replication_factor: Option<u32>,

    /// A topic config override, KEY=VALUE (repeat for more). Known keys: retention.ms,
    /// retention.bytes, segment.bytes, segment.ms, min.insync.replicas, compression.type,
    /// cleanup.policy, unclean.leader.election.enable, message.timestamp.type,
    /// max.message.bytes (at most 16777216: filka reads no batch larger than 16 MiB), and
    /// others (`filka describe topic NAME` lists them all).
    #[arg(short, long = "config", value_name = "KEY=VALUE")]
    pub configs: Vec<String>,

    /// Succeed without changing anything when the topic already exists.
    #[arg(long)]
    pub if_not_exists: bool,
}

/// List topic names, one per line.
///
/// Internal topics (names starting with '__') are listed only with --internal. With
/// --output json, one object per topic: name, topic_id, internal, partition_count,
/// replication_factor.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka topic list
  filka topic list --internal
  filka topic list --output json")]
pub struct ListArgs {
    /// Include internal topics (names starting with '__').
    #[arg(short, long)]
    pub internal: bool,
}

/// Add partitions to a topic or set its config overrides.
///
/// Partitions can only be added, never removed (as in Kafka). Adding partitions changes which
/// partition a key maps to, so records with the same key may land in a new partition from
/// now on.
#[derive(Debug, clap::Args)]
#[command(
    group(ArgGroup::new("change").required(true).multiple(true).args(["partitions", "configs"])),
    after_long_help = "\
Examples:
  filka topic alter demo --partitions 6
  filka topic alter demo --config retention.ms=60000 --config segment.bytes=1048576"
)]
pub struct AlterArgs {
    /// The topic.
    #[arg(value_name = "NAME")]
    pub name: String,

    /// The new total number of partitions (at least the current count).
    #[arg(
        short,
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..),
    )]
    pub partitions: Option<u32>,

    /// A config override to set, KEY=VALUE (repeat for more); the keys of `topic create
    /// --config` (max.message.bytes at most 16777216, 16 MiB).
    #[arg(short, long = "config", value_name = "KEY=VALUE")]
    pub configs: Vec<String>,
}

/// Delete topics: their metadata first, then every replica's folder.
///
/// Every name is checked before anything is deleted. Internal topics cannot be deleted.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka topic delete demo
  filka topic delete demo trucks_gps
  filka topic delete demo --if-exists")]
pub struct DeleteArgs {
    /// The topics.
    #[arg(value_name = "NAME", required = true)]
    pub names: Vec<String>,

    /// Succeed when a topic does not exist.
    #[arg(long)]
    pub if_exists: bool,
}

/// Preferred leader election: move leadership back to each partition's first replica.
///
/// A partition whose first (preferred) replica is up and in the ISR but not leading gets it
/// back as leader, with a new leader epoch, as kafka-leader-election.sh --election-type
/// PREFERRED does. Leaders pile up on the survivors after failures; this spreads them again.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka topic elect-leaders
  filka topic elect-leaders demo")]
pub struct ElectLeadersArgs {
    /// Only this topic's partitions (default: every topic).
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
}

/// Which partition a key goes to, as Kafka's default partitioner computes it; writes nothing.
///
/// The key is encoded as --key-format says (as produce encodes keys: bytes, the default, takes
/// it as it is), then hashed with murmur2 (Kafka's Utils.murmur2), and the partition is
/// toPositive(murmur2) % partitions (toPositive clears the sign bit). Every number is
/// printed, with the partition's current leader. The answer holds while the partition count
/// stays: `topic alter --partitions` moves keys. A topic that does not exist exits 4 (this
/// command never creates one).
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka topic partition-for trucks_gps truckID123
  filka topic partition-for orders 42 --key-format long
  filka topic partition-for orders 0a1b2c --key-format hex --output json")]
pub struct PartitionForArgs {
    /// The topic.
    #[arg(value_name = "NAME")]
    pub name: String,

    /// The key, as it would be given to produce (-k, or the part -K splits off).
    #[arg(value_name = "KEY", allow_hyphen_values = true)]
    pub key: String,

    /// The key's format: bytes (as it is), string, base64, hex, int, long, double or json.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = FormatArg::Bytes)]
    pub key_format: FormatArg,
}

/// How many encoded key bytes the text output shows in hex.
const SHOWN_KEY_BYTES: usize = 32;

fn partition_for(a: &PartitionForArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    check_output(global, "topic partition-for")?;
    let format = Format::from(a.key_format);
    if format.has_schema() {
        return Err(anyhow::anyhow!(
            "--key-format {format} needs a schema, which partition-for does not take; give the \
             key's encoded bytes with --key-format hex or base64"
        ))
        .exit_code(ExitCode::Usage);
    }
    let mut key = Vec::new();
    Encoder::new(format, None)
        .and_then(|e| e.encode_text(a.key.as_bytes(), &mut key))
        .map_err(|e| anyhow::anyhow!("key {:?} as {format}: {e}", a.key))
        .exit_code(ExitCode::Usage)?;
    let c = super::open_cluster(global)?;
    let name = a.name.as_str();
    let t = c
        .topic(name)
        .with_context(|| format!("partition-for {name}"))?;
    let count = t.partitions.len() as u32;
    let hash = murmur2(&key);
    let positive = to_positive(hash);
    let partition = partition_for_key(&key, count);
    let leader = c
        .partition(name, partition)
        .ok()
        .map(|p| p.leader)
        .filter(|&l| l >= 0 && c.state().is_online(l));
    let mut out = Printer::stdout();
    if global.output == OutputFormat::Json {
        out.json_line(&json!({
            "topic": name,
            "key": a.key,
            "key_format": format.name(),
            "key_bytes_hex": hex(&key),
            "key_size": key.len(),
            "murmur2": hash,
            "to_positive": positive,
            "partition_count": count,
            "partition": partition,
            "leader": leader.unwrap_or(-1),
        }))?;
    } else {
        let bytes = match format {
            Format::Bytes | Format::String => format!("{} bytes", key.len()),
            _ if key.len() > SHOWN_KEY_BYTES => format!(
                "{format}, {} bytes: {}...",
                key.len(),
                hex(&key[..SHOWN_KEY_BYTES])
            ),
            _ => format!("{format}, {} bytes: {}", key.len(), hex(&key)),
        };
        let leader = leader.map_or_else(
            || "no leader (offline)".to_string(),
            |l| format!("leader {l}"),
        );
        out.line(&escape_control(&format!(
            "key {:?} ({bytes}): murmur2 = {hash} (0x{:08x}), toPositive = {positive}, \
             {positive} % {count} = {partition}: partition {partition}, {leader}",
            a.key, hash as u32
        )))?;
    }
    out.finish().context("writing to stdout")?;
    Ok(ExitCode::Success)
}

fn elect_leaders(a: &ElectLeadersArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    check_output(global, "topic elect-leaders")?;
    let mut c = super::open_cluster(global)?;
    let from = c.state().metadata_offset;
    let report = crate::cluster::failover::elect_leaders(&mut c, a.name.as_deref())
        .context("elect-leaders")?;
    let mut out = crate::output::Printer::stdout();
    if global.output == super::OutputFormat::Json {
        out.json_line(&report)?;
    } else if report.changes.is_empty() {
        out.line("every partition is led by its preferred replica (or it is not in sync yet)")?;
    }
    for r in &report.changes {
        if global.output == super::OutputFormat::Json {
            break;
        }
        if let crate::cluster::MetadataRecord::PartitionChange {
            topic,
            partition,
            leader,
            leader_epoch,
            ..
        } = r
        {
            out.line(&format!(
                "{topic}-{partition}: leader {leader} (its preferred replica), epoch {leader_epoch}"
            ))?;
        }
    }
    out.finish()?;
    global.metadata_written("topic elect-leaders", &c, from);
    Ok(ExitCode::Success)
}

/// Runs the command.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        Action::Create(a) => create(a, global),
        Action::List(a) => list(a, global),
        Action::Describe(a) => describe::run_topic(a, global),
        Action::Alter(a) => alter(a, global),
        Action::Delete(a) => delete(a, global),
        Action::ElectLeaders(a) => elect_leaders(a, global),
        Action::Reassign(a) => super::reassign::run(a, global),
        Action::PartitionFor(a) => partition_for(a, global),
    }
}

/// Parses and validates `--config KEY=VALUE` flags with the topic config rules.
fn parse_configs(flags: &[String]) -> Result<BTreeMap<String, String>, ClusterError> {
    let mut configs = BTreeMap::new();
    for flag in flags {
        let (k, v) = parse_assignment(flag)?;
        configs.insert(k, v);
    }
    TopicConfig::resolve(&configs)?;
    Ok(configs)
}

/// A config and its value for the report lines.
fn configs_line(configs: &BTreeMap<String, String>) -> String {
    let kv: Vec<String> = configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    kv.join(", ")
}

fn create(args: &CreateArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    check_output(global, "topic create")?;
    let name = args.name.as_str();
    let context = || format!("cannot create topic {name:?}");
    // Everything that can be refused without the cluster is, before it is opened (or
    // created): a refused name must leave the directory untouched.
    topic::validate_name(name)
        .map_err(ClusterError::from)
        .with_context(context)?;
    if topic::is_internal(name) {
        return Err(ClusterError::InternalTopic(name.to_string())).with_context(context);
    }
    let mut configs = parse_configs(&args.configs).with_context(context)?;
    let mut c = super::open_cluster(global)?;
    let from = c.state().metadata_offset;
    let (partitions, rf) = c.topic_defaults(args.partitions, args.replication_factor, &mut configs);
    match c.create_topic(name, partitions, rf, configs.clone(), false) {
        Ok(()) => {}
        Err(ClusterError::TopicExists(_)) if args.if_not_exists => {
            global.note(format!("topic {name:?} already exists; nothing changed"));
            return Ok(ExitCode::Success);
        }
        Err(e) => return Err(e).with_context(context),
    }
    if let Ok(cfg) = TopicConfig::resolve(&configs)
        && cfg.min_insync_replicas > rf
        && !global.quiet
    {
        eprintln!(
            "filka: warning: min.insync.replicas={} is more than the {rf} replicas: producing with acks=all will always fail",
            cfg.min_insync_replicas
        );
    }
    let mut out = Printer::stdout();
    if global.output == OutputFormat::Json {
        out.json_line(&describe::topic_json(&c, name)?)?;
    } else {
        let t = c.topic(name)?;
        let mut line = format!(
            "Created topic {name} with {} partitions, replication factor {}, topic id {}.",
            t.partitions.len(),
            describe::replication_factor(t),
            t.topic_id
        );
        if !t.configs.is_empty() {
            line.push_str(&format!(" Configs: {}.", configs_line(&t.configs)));
        }
        out.line(&line)?;
        let mut table = Table::new(["Partition", "Leader", "Replicas", "Isr"]);
        let ids = |v: &[i32]| v.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
        for p in &t.partitions {
            table.row([
                p.partition.to_string(),
                p.leader.to_string(),
                ids(&p.replicas),
                ids(&p.isr),
            ]);
        }
        out.table(&table)?;
    }
    out.finish().context("writing to stdout")?;
    global.metadata_written("topic create", &c, from);
    Ok(ExitCode::Success)
}

fn list(args: &ListArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    check_output(global, "topic list")?;
    let c = super::open_cluster(global)?;
    let mut out = Printer::stdout();
    for (name, t) in &c.state().topics {
        if topic::is_internal(name) && !args.internal {
            continue;
        }
        if global.output == OutputFormat::Json {
            out.json_line(&describe::topic_summary(name, t))?;
        } else {
            out.line(name)?;
        }
    }
    out.finish().context("writing to stdout")?;
    Ok(ExitCode::Success)
}

fn alter(args: &AlterArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    check_output(global, "topic alter")?;
    let name = args.name.as_str();
    let context = || format!("cannot alter topic {name:?}");
    let configs = parse_configs(&args.configs).with_context(context)?;
    let mut c = super::open_cluster(global)?;
    let before = c.topic(name)?.clone();
    let from = c.state().metadata_offset;
    c.alter_topic(name, args.partitions, configs.clone())
        .with_context(context)?;
    let after = c.topic(name)?.clone();
    let (had, has) = (before.partitions.len(), after.partitions.len());
    if has > had && !global.quiet {
        eprintln!(
            "filka: note: keys now map to {has} partitions instead of {had}: records with the same key may land in a different partition than before"
        );
    }
    let mut out = Printer::stdout();
    if global.output == OutputFormat::Json {
        out.json_line(&describe::topic_json(&c, name)?)?;
    } else {
        let mut changes = Vec::new();
        if has != had {
            changes.push(format!("partitions {had} -> {has}"));
        }
        for (k, v) in &configs {
            match before.configs.get(k) {
                Some(old) if old == v => {}
                Some(old) => changes.push(format!("{k} {old} -> {v}")),
                None => changes.push(format!("{k} default -> {v}")),
            }
        }
        if changes.is_empty() {
            out.line(&format!("Topic {name} unchanged."))?;
        } else {
            out.line(&format!("Altered topic {name}: {}.", changes.join(", ")))?;
        }
    }
    out.finish().context("writing to stdout")?;
    global.metadata_written("topic alter", &c, from);
    Ok(ExitCode::Success)
}

fn delete(args: &DeleteArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    check_output(global, "topic delete")?;
    for name in &args.names {
        if topic::is_internal(name) {
            return Err(ClusterError::InternalTopic(name.clone()))
                .with_context(|| format!("cannot delete topic {name:?}"));
        }
    }
    let mut c = super::open_cluster(global)?;
    let from = c.state().metadata_offset;
    // Check every name before deleting any.
    let mut doomed: Vec<(String, String)> = Vec::new();
    for name in &args.names {
        match c.topic(name) {
            Ok(t) => {
                if !doomed.iter().any(|(n, _)| n == name) {
                    doomed.push((name.clone(), t.topic_id.clone()));
                }
            }
            Err(_) if args.if_exists => {
                global.note(format!("topic {name:?} does not exist; nothing to delete"));
            }
            Err(e) => return Err(e).with_context(|| format!("cannot delete topic {name:?}")),
        }
    }
    let mut out = Printer::stdout();
    for (name, id) in &doomed {
        match c.delete_topic(name) {
            Ok(()) => {}
            // Deleted meanwhile by another process.
            Err(ClusterError::UnknownTopic(_)) if args.if_exists => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot delete topic {name:?}")),
        }
        if global.output == OutputFormat::Json {
            let v: Value = json!({"name": name, "topic_id": id, "deleted": true});
            out.json_line(&v)?;
        } else {
            out.line(&format!("Deleted topic {name}."))?;
        }
    }
    out.finish().context("writing to stdout")?;
    global.metadata_written("topic delete", &c, from);
    Ok(ExitCode::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_parse_and_validate_before_the_cluster_is_touched() {
        let ok = parse_configs(&["retention.ms=1000".into(), " segment.ms = 5 ".into()]).unwrap();
        assert_eq!(ok.get("segment.ms").map(String::as_str), Some("5"));
        for bad in ["retention.ms", "nope=1", "retention.ms=-2"] {
            let err = parse_configs(&[bad.to_string()]).unwrap_err();
            let e = anyhow::Error::from(err);
            assert_eq!(crate::error::exit_code_for(&e), ExitCode::Usage, "{bad}");
        }
    }
}
