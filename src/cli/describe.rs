//! `filka describe`: show the cluster as Kafka's tools show theirs, from the metadata snapshot
//! and the replicas' files, read-only.
//!
//! Spec:
//! - `describe cluster [--internal]`: cluster id, counts, and per broker the partitions it
//!   leads and follows (a small picture per broker); internal topics (`__consumer_offsets`,
//!   `__transaction_state`) are one summary line each, and only counted in the brokers'
//!   lists, unless --internal. "Topics" counts what `topic list` lists;
//! - `describe brokers`: Id, State, Paused, Replicas, Leads, Follows, Bytes; then each
//!   broker's own dynamic configs (the replication throttle's rates);
//! - `describe topics [--internal]`: one row per partition of every topic (Topic, Partition,
//!   Leader, Replicas, Isr, LogStartOffset, HighWatermark, LogEndOffset, Size; CleanedTo and DirtyRatio for a compacted topic);
//! - `describe topic T` (also `topic describe T`): the same rows for one topic, after its id,
//!   counts and configs (each key's effective value, and whether it is an override); with
//!   Adding Replicas, Removing Replicas and Progress columns while a partition moves;
//! - `describe partition T P`: one row per replica (Broker, State, Role, InSync,
//!   LogStartOffset, LogEndOffset, Lag, Size, Dir) after the leader, epoch and high watermark;
//! - `describe history [--topic T]`: the metadata log in order (Offset, Time, Type, Details);
//! - `describe group G`: the same as `filka group describe G` (src/cli/group.rs);
//! - `describe zookeeper [PATH]`: the znode tree of this cluster in ZooKeeper-mode Kafka
//!   (src/cli/describe/zookeeper.rs).
//!
//! Text is tables (plain and deterministic when stdout is not a terminal). `--output json`
//! prints one JSON object per line for each thing described (the cluster, a broker, a topic,
//! a partition, a metadata record); field names are snake_case and stable. Like every
//! command that needs a cluster, it creates the default one when there is none (and says
//! so on stderr), as SQLite creates its file.

use std::collections::BTreeMap;

use anyhow::Context;
use clap::Subcommand;
use serde::Serialize;
use serde_json::{Value, json};

use super::{GlobalArgs, OutputFormat, open_cluster};
use crate::cluster::clean::{CompactionState, compaction_state};
use crate::cluster::metadata::{BrokerStatus, TopicState};
use crate::cluster::replica::PartitionView;
use crate::cluster::topic::{CONFIG_KEYS, TopicConfig, is_internal};
use crate::cluster::{Cluster, ClusterError};
use crate::error::ExitCode;
use crate::output::{Printer, Table, escape_control};

mod zookeeper;

const EXAMPLES: &str = "\
Examples:
  The brokers and the partitions each leads and follows:
    filka describe cluster

  Every partition of every topic, then one topic with its configs:
    filka describe topics
    filka describe topic demo

  Where each replica of demo-0 stands, and how far it lags the leader:
    filka describe partition demo 0

  What happened to the cluster, in order (topics created, leaders elected, ISR changes):
    filka describe history --topic demo

  For scripts, one JSON object per line:
    filka describe topics --output json | jq -c '.partitions[] | select(.leader == -1)'";

/// Show brokers, topics, partitions, replicas, the metadata history and the controller
/// quorum.
///
/// Reads the metadata image (the latest snapshot of the KRaft metadata log plus the
/// committed records after it) and the replicas' files without taking locks and without
/// changing anything. The columns use Kafka's words: Leader, Replicas, Isr
/// (in-sync replicas), LogStartOffset, HighWatermark (what consumers may read),
/// LogEndOffset (where the next record goes), Size (bytes of segment data). A compacted
/// topic (cleanup.policy compact) adds CleanedTo (the offset the leader's last clean
/// reached, from its broker's cleaner-offset-checkpoint) and DirtyRatio (the share of the
/// log written since, below the active segment; "(due)" when `filka clean` would compact
/// it now).
///
/// --output json prints one JSON object per line for each thing described.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// What to describe.
    #[command(subcommand)]
    pub what: What,
}

/// The things `describe` shows. Variants carry no doc comment: the help is on each `Args`.
#[allow(missing_docs)]
#[derive(Debug, Subcommand)]
pub enum What {
    Cluster(ClusterArgs),
    Brokers(BrokersArgs),
    Topics(TopicsArgs),
    Topic(TopicArgs),
    Partition(PartitionArgs),
    History(HistoryArgs),
    Quorum(QuorumArgs),
    // The same arguments as `filka group describe`, so both accept the same flags.
    Group(super::group::DescribeArgs),
    Zookeeper(zookeeper::ZookeeperArgs),
}

/// The cluster: its id, counts, and the partitions each broker leads and follows.
///
/// Under-replicated partitions have fewer in-sync replicas than replicas; offline ones have no
/// leader on an online broker (Kafka's UnderReplicatedPartitions and OfflinePartitionsCount).
///
/// Topics and Partitions count the topics `filka topic list` lists. Internal topics (names
/// starting with '__': __consumer_offsets, made by the first consumer group, and
/// __transaction_state, by the first transaction) get one line each with their own counts;
/// the brokers' lists only say how many of their partitions each broker leads and follows,
/// unless --internal lists them too. --output json does the same (internal_topics, and each
/// broker's internal counts).
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka describe cluster
  filka describe cluster --internal
  filka --cluster filka-data/broker-102 describe cluster
  filka describe cluster --output json | jq .offline")]
pub struct ClusterArgs {
    /// List internal topics' partitions in the brokers' lists too.
    #[arg(short, long, visible_alias = "include-internal")]
    pub internal: bool,
}

/// One row per broker: Id, State, Paused, Replicas, Leads, Follows, Bytes.
///
/// State is online or down; `down (unfenced)` when the broker stopped while the controller
/// quorum was lost, so that no controller could fence it yet; `fenced` when its process was
/// not stopped by simulate-failure but the metadata holds it fenced (a folder a real Kafka
/// stopped: broker-up starts it). Replicas counts the partitions with a replica on it (a
/// move's adding and removing replicas included), Leads and Follows split them, and Bytes is
/// the segment data its replicas hold; --output json lists the partitions (topic-partition
/// names), with those where the broker has fallen out of the ISR under out_of_sync, and the
/// bytes. A broker with dynamic configs of its own (the replication throttle's rates that
/// `topic reassign --throttle` sets) gets a `Broker ID configs: k=v,...` line under the
/// table (`configs` in JSON).
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka describe brokers
  filka describe brokers --output json | jq -r 'select(.state == \"down\") | .id'")]
pub struct BrokersArgs {}

/// One row per partition of every topic.
///
/// Internal topics (names starting with '__') are left out unless --internal is given.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka describe topics
  filka describe topics --internal
  filka describe topics --output json | jq -r .name")]
pub struct TopicsArgs {
    /// Include internal topics (names starting with '__').
    #[arg(short, long)]
    pub internal: bool,
}

/// One topic: a row per partition, then every config with its value and source.
///
/// The header line gives the topic id, partition count, replication factor and config
/// overrides, as kafka-topics.sh --describe does. While a reassignment moves a partition
/// (`filka topic reassign`), the partition table has Kafka's Adding Replicas and Removing
/// Replicas columns and a Progress column (each adding replica's share of the leader's
/// bytes). The config table lists every key filka knows with its effective value, and
/// whether it is an override or the default.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka describe topic demo
  filka topic describe demo
  filka describe topic demo --output json | jq '.configs[\"retention.ms\"].value'")]
pub struct TopicArgs {
    /// The topic.
    #[arg(value_name = "TOPIC")]
    pub topic: String,
}

/// One partition: leader, leader epoch, ISR, high watermark, and one row per replica.
///
/// Lag is how many records a replica is behind the leader's log end offset (0 for the
/// leader). Dir is the replica's folder: pass its segment files to `filka dump`. While a
/// reassignment moves the partition, the header names its Adding and Removing Replicas and
/// their rows say `adding` or `removing` as Role. With --output json the rows are under
/// replica_details (replicas is the list of broker ids, as everywhere).
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka describe partition demo 0
  filka describe partition demo 0 --output json | jq -c '.replica_details[] | {broker, lag}'")]
pub struct PartitionArgs {
    /// The topic.
    #[arg(value_name = "TOPIC")]
    pub topic: String,
    /// The partition number.
    #[arg(value_name = "PARTITION")]
    pub partition: u32,
}

/// The metadata log in order: every change to brokers, topics and partitions.
///
/// Brokers registered and fenced, topics created, altered and deleted, leaders elected, ISRs
/// shrunk and expanded: each is a record of the KRaft metadata log
/// (broker-N/__cluster_metadata-0, in Kafka's format), told in words with names resolved;
/// a run of PartitionRecords of one topic is one row. Type is Kafka's record class; Time is
/// when the record was appended, in RFC 3339 (UTC).
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka describe history
  filka describe history --topic demo
  filka describe history --output json | jq -c 'select(.type == \"PartitionChangeRecord\")'")]
pub struct HistoryArgs {
    /// Only the records about this topic (including a deleted one).
    #[arg(long, value_name = "TOPIC")]
    pub topic: Option<String>,
}

/// The KRaft controller quorum, as `kafka-metadata-quorum describe --status` prints it.
///
/// ClusterId, LeaderId (the active controller), LeaderEpoch, HighWatermark (the end of the
/// metadata log a majority of the voters hold: what is committed), MaxFollowerLag (records
/// the furthest-behind voter lacks), MaxFollowerLagTimeMs, CurrentVoters and
/// CurrentObservers (the brokers that are not voters: they read the metadata, and have no
/// vote). filka keeps no fetch times: MaxFollowerLagTimeMs is 0 when no voter lags, else -1
/// (Kafka's value when it does not know).
///
/// --replication prints one row per voter, as `kafka-metadata-quorum describe
/// --replication` does: NodeId, DirectoryId, LogEndOffset, Lag (behind the leader),
/// LastFetchTimestamp and LastCaughtUpTimestamp (when its copy last grew, from the file;
/// -1 while it lags), Status (Leader or Follower), and filka's Running column (a stopped
/// controller keeps its copy, which lags until it comes back). Observers have no copy of
/// their own in filka (they read the voters'), so they get no row.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  filka describe quorum
  filka describe quorum --replication
  filka simulate-failure controller-down 101 && filka describe quorum")]
pub struct QuorumArgs {
    /// One row per voter: its log end offset, lag and status.
    #[arg(long)]
    pub replication: bool,
}

/// Runs the command.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    check_output(global, "describe")?;
    match &args.what {
        What::Cluster(a) => cluster(a, global),
        What::Brokers(_) => brokers(global),
        What::Topics(a) => topics(a, global),
        What::Topic(a) => run_topic(a, global),
        What::Partition(a) => partition(a, global),
        What::History(a) => history(a, global),
        What::Quorum(a) => quorum(a, global),
        What::Group(a) => super::group::describe(&a.group, a.members, a.state, global),
        What::Zookeeper(a) => zookeeper::run(a, global),
    }
}

/// Refuses `--output` formats other than text and json, and -vv (exit 2), before anything
/// is opened: what the describe commands read is said at -v by `open_cluster`.
pub fn check_output(global: &GlobalArgs, command: &str) -> anyhow::Result<()> {
    global.accept(command, super::global::TEXT_JSON, super::global::VERBOSE)
}

fn finish(out: Printer) -> anyhow::Result<ExitCode> {
    out.finish().context("writing to stdout")?;
    Ok(ExitCode::Success)
}

/// `online` or `down`.
fn status_name(c: &Cluster, broker: i32) -> &'static str {
    match c
        .state()
        .brokers
        .get(&broker)
        .map(|b| (b.status, b.running))
    {
        Some((BrokerStatus::Online, true)) => "online",
        // Stopped while the controller quorum was lost: not fenced yet.
        Some((BrokerStatus::Online, false)) => "down (unfenced)",
        Some((BrokerStatus::Down, false)) => "down",
        // Not stopped by simulate-failure, but fenced in the metadata (a folder a real Kafka
        // stopped, or a start whose unfence could not be committed): broker-up starts it.
        Some((BrokerStatus::Down, true)) => "fenced",
        None => "unknown",
    }
}

fn join(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn or_dash<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// One partition as `describe topic(s)` shows it. Offsets and size are those of the leader's
/// replica; `None` (json null, text `-`) when the partition has no leader.
#[derive(Debug, Clone, Serialize)]
pub struct PartitionInfo {
    /// Partition number.
    pub partition: u32,
    /// Leader broker, -1 when there is none.
    pub leader: i32,
    /// Leader epoch.
    pub leader_epoch: i32,
    /// Replica brokers, preferred leader first.
    pub replicas: Vec<i32>,
    /// In-sync replicas.
    pub isr: Vec<i32>,
    /// Replicas on a failed log dir (offline until their broker restarts).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub offline_replicas: Vec<i32>,
    /// While a reassignment moves the partition: the replicas being added (KIP-455).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub adding_replicas: Vec<i32>,
    /// While a reassignment moves the partition: the replicas to be removed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removing_replicas: Vec<i32>,
    /// Per adding replica: the bytes it holds of the leader's (the move's progress).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reassignment_progress: Vec<MoveProgress>,
    /// First readable offset.
    pub log_start_offset: Option<i64>,
    /// Offsets below it are on every in-sync replica: what consumers may read.
    pub high_watermark: Option<i64>,
    /// The offset the next record gets.
    pub log_end_offset: Option<i64>,
    /// Bytes of segment data in the leader's replica.
    pub size: Option<u64>,
    /// For a compacted topic: where the leader's cleaner stands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compaction: Option<CompactionState>,
}

/// How far one adding replica has copied its partition.
#[derive(Debug, Clone, Serialize)]
pub struct MoveProgress {
    /// The adding replica's broker.
    pub broker: i32,
    /// Bytes it holds.
    pub bytes: u64,
    /// Bytes the leader holds.
    pub of: u64,
}

fn partition_infos(c: &Cluster, name: &str, t: &TopicState) -> anyhow::Result<Vec<PartitionInfo>> {
    let mut out = Vec::with_capacity(t.partitions.len());
    let cfg = c.topic_config(name)?;
    let now = crate::cluster::now_ms();
    for p in &t.partitions {
        let view = PartitionView::read(c, name, p.partition)
            .with_context(|| format!("reading {name}-{}", p.partition))?;
        let leader = view.replicas.iter().find(|r| r.broker == p.leader);
        // Advisory, read without a lock: a segment a clean or retention removes while it is
        // read shows as "-" here rather than failing the whole describe (the next describe
        // reads the new segments).
        let compaction = match leader {
            Some(_) => compaction_state(c, &view, &cfg, now).ok().flatten(),
            None => None,
        };
        out.push(PartitionInfo {
            partition: p.partition,
            leader: p.leader,
            leader_epoch: p.leader_epoch,
            replicas: p.replicas.clone(),
            isr: p.isr.clone(),
            offline_replicas: p.offline_replicas.clone(),
            adding_replicas: p.adding_replicas.clone(),
            removing_replicas: p.removing_replicas.clone(),
            reassignment_progress: p
                .adding_replicas
                .iter()
                .map(|&b| MoveProgress {
                    broker: b,
                    bytes: view
                        .replicas
                        .iter()
                        .find(|r| r.broker == b)
                        .map_or(0, |r| r.size),
                    of: leader.map_or(0, |l| l.size),
                })
                .collect(),
            log_start_offset: leader.map(|_| view.log_start_offset),
            high_watermark: leader.map(|_| view.high_watermark),
            log_end_offset: leader.map(|_| view.log_end_offset),
            size: leader.map(|l| l.size),
            compaction,
        });
    }
    Ok(out)
}

/// Kafka's replication factor of a topic: the replica count of its first partition, less
/// the replicas a move is adding (Kafka's `TopicCommand.getReplicationFactor`).
pub fn replication_factor(t: &TopicState) -> usize {
    t.partitions.first().map_or(0, |p| {
        p.replicas.len().saturating_sub(p.adding_replicas.len())
    })
}

/// The fields every topic object has (`topic list`, `topic create`, `describe topic`).
pub fn topic_summary(name: &str, t: &TopicState) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("name".into(), json!(name));
    m.insert("topic_id".into(), json!(t.topic_id));
    m.insert("internal".into(), json!(is_internal(name)));
    m.insert("partition_count".into(), json!(t.partitions.len()));
    m.insert("replication_factor".into(), json!(replication_factor(t)));
    m
}

/// Every known config of a topic: (key, effective value, "override", "cluster" (a
/// cluster-wide default, `init --config` or `config set`, e.g. log.retention.ms for
/// retention.ms) or "default").
fn config_rows(
    c: &Cluster,
    name: &str,
    t: &TopicState,
) -> anyhow::Result<Vec<(String, String, &'static str)>> {
    let cluster = &c.state().configs;
    let cfg = TopicConfig::resolve_with(cluster, &t.configs)
        .map_err(ClusterError::from)
        .with_context(|| format!("the stored configs of topic {name:?}"))?;
    Ok(CONFIG_KEYS
        .iter()
        .map(|(key, _)| {
            let source = if t.configs.contains_key(*key) {
                "override"
            } else if crate::cluster::settings::names_for_topic_key(key)
                .any(|n| cluster.contains_key(n))
            {
                "cluster"
            } else {
                "default"
            };
            let value = cfg.value(key).unwrap_or_default();
            ((*key).to_string(), value, source)
        })
        .collect())
}

/// The JSON object `describe topic` prints (and `topic create` / `topic alter`).
pub fn topic_json(c: &Cluster, name: &str) -> anyhow::Result<Value> {
    let t = c.topic(name)?;
    let mut m = topic_summary(name, t);
    let configs: serde_json::Map<String, Value> = config_rows(c, name, t)?
        .into_iter()
        .map(|(k, v, s)| (k, json!({"value": v, "source": s})))
        .collect();
    m.insert("configs".into(), Value::Object(configs));
    m.insert(
        "partitions".into(),
        serde_json::to_value(partition_infos(c, name, t)?)?,
    );
    Ok(Value::Object(m))
}

const PARTITION_COLUMNS: [&str; 8] = [
    "Partition",
    "Leader",
    "Replicas",
    "Isr",
    "LogStartOffset",
    "HighWatermark",
    "LogEndOffset",
    "Size",
];

/// Which optional columns a partition table has.
#[derive(Debug, Clone, Copy)]
struct Extra {
    /// `Offline` after `Isr`, when some replica is offline (Kafka's offline replicas).
    offline: bool,
    /// `Adding Replicas`, `Removing Replicas` (Kafka's columns) and `Progress`, when some
    /// partition is being moved.
    moving: bool,
    /// `CleanedTo` and `DirtyRatio` after `Size`, for a compacted topic.
    compacted: bool,
}

impl Extra {
    fn of<'a>(infos: impl IntoIterator<Item = &'a PartitionInfo>) -> Extra {
        let mut e = Extra {
            offline: false,
            moving: false,
            compacted: false,
        };
        for p in infos {
            e.compacted |= p.compaction.is_some();
            e.offline |= !p.offline_replicas.is_empty();
            e.moving |= !p.adding_replicas.is_empty() || !p.removing_replicas.is_empty();
        }
        e
    }
}

/// The partition table's columns: the optional ones only when some partition needs them,
/// so a healthy cluster's table stays as Kafka's.
fn partition_columns(extra: Extra) -> Vec<&'static str> {
    let mut cols = PARTITION_COLUMNS.to_vec();
    let mut at = 4;
    if extra.offline {
        cols.insert(at, "Offline");
        at += 1;
    }
    if extra.moving {
        for c in ["Adding Replicas", "Removing Replicas", "Progress"] {
            cols.insert(at, c);
            at += 1;
        }
    }
    if extra.compacted {
        cols.extend(["CleanedTo", "DirtyRatio"]);
    }
    cols
}

fn dash_or_join(ids: &[i32]) -> String {
    if ids.is_empty() {
        "-".to_string()
    } else {
        join(ids)
    }
}

/// A move's progress: each adding replica's share of the leader's bytes (`104:37%`).
fn progress_cell(p: &PartitionInfo) -> String {
    if p.reassignment_progress.is_empty() {
        return "-".to_string();
    }
    p.reassignment_progress
        .iter()
        .map(|m| {
            let pct = (m.bytes.min(m.of) * 100).checked_div(m.of).unwrap_or(100);
            format!("{}:{pct}%", m.broker)
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn partition_cells(p: &PartitionInfo, extra: Extra) -> Vec<String> {
    let mut cells = vec![
        p.partition.to_string(),
        if p.leader < 0 {
            "none".to_string()
        } else {
            p.leader.to_string()
        },
        join(&p.replicas),
        join(&p.isr),
        or_dash(p.log_start_offset),
        or_dash(p.high_watermark),
        or_dash(p.log_end_offset),
        or_dash(p.size),
    ];
    let mut at = 4;
    if extra.offline {
        cells.insert(at, dash_or_join(&p.offline_replicas));
        at += 1;
    }
    if extra.moving {
        for c in [
            dash_or_join(&p.adding_replicas),
            dash_or_join(&p.removing_replicas),
            progress_cell(p),
        ] {
            cells.insert(at, c);
            at += 1;
        }
    }
    if extra.compacted {
        match &p.compaction {
            Some(c) => cells.extend([
                or_dash(c.cleaned_to),
                format!("{:.2}{}", c.dirty_ratio, if c.due { " (due)" } else { "" }),
            ]),
            None => cells.extend(["-".to_string(), "-".to_string()]),
        }
    }
    cells
}

/// Kafka's header line: `Topic: demo  TopicId: ...  PartitionCount: 3  ...`.
pub fn topic_header(name: &str, t: &TopicState) -> String {
    let overrides: Vec<String> = t.configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    escape_control(&format!(
        "Topic: {name}  TopicId: {}  PartitionCount: {}  ReplicationFactor: {}  Configs: {}",
        t.topic_id,
        t.partitions.len(),
        replication_factor(t),
        overrides.join(",")
    ))
}

/// `describe topic T` (and `topic describe T`).
pub fn run_topic(args: &TopicArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    check_output(global, "describe topic")?;
    let c = open_cluster(global)?;
    let name = args.topic.as_str();
    let mut out = Printer::stdout();
    if global.output == OutputFormat::Json {
        out.json_line(&topic_json(&c, name)?)?;
        return finish(out);
    }
    let t = c.topic(name)?;
    let infos = partition_infos(&c, name, t)?;
    let extra = Extra::of(&infos);
    let mut parts = Table::new(partition_columns(extra));
    for p in infos {
        parts.row(partition_cells(&p, extra));
    }
    let mut configs = Table::new(["Config", "Value", "Source"]);
    for (k, v, s) in config_rows(&c, name, t)? {
        configs.row([k, v, s.to_string()]);
    }
    out.line(&topic_header(name, t))?;
    out.line("")?;
    out.table(&parts)?;
    out.line("")?;
    out.table(&configs)?;
    finish(out)
}

fn topics(args: &TopicsArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let c = open_cluster(global)?;
    let mut out = Printer::stdout();
    let shown = c
        .state()
        .topics
        .iter()
        .filter(|(name, _)| args.internal || !is_internal(name));
    if global.output == OutputFormat::Json {
        for (name, _) in shown {
            out.json_line(&topic_json(&c, name)?)?;
        }
        return finish(out);
    }
    out.table(&topics_table(&c, args.internal)?)?;
    finish(out)
}

/// The table `describe topics` prints: one row per partition of every topic (internal ones
/// only with `internal`). Also what `filka demo` shows as its last step.
pub fn topics_table(c: &Cluster, internal: bool) -> anyhow::Result<Table> {
    let mut rows = Vec::new();
    for (name, t) in c
        .state()
        .topics
        .iter()
        .filter(|(name, _)| internal || !is_internal(name))
    {
        for p in partition_infos(c, name, t)? {
            rows.push((name.clone(), p));
        }
    }
    let extra = Extra::of(rows.iter().map(|(_, p)| p));
    let mut table = Table::new(std::iter::once("Topic").chain(partition_columns(extra)));
    for (name, p) in rows {
        let mut cells = vec![name];
        cells.extend(partition_cells(&p, extra));
        table.row(cells);
    }
    Ok(table)
}

/// What one broker does: the partitions it leads, follows, and follows out of sync.
#[derive(Debug, Clone, Serialize)]
struct BrokerInfo {
    id: i32,
    state: &'static str,
    paused: bool,
    leads: Vec<String>,
    follows: Vec<String>,
    out_of_sync: Vec<String>,
    /// Bytes of segment data in its replicas (`describe brokers` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
    /// How many internal partitions it leads, follows and follows out of sync (in
    /// `describe cluster`, whose lists leave them out unless --internal).
    #[serde(skip_serializing_if = "Option::is_none")]
    internal: Option<RoleCounts>,
    /// Its own dynamic configs (Kafka's per-broker ConfigRecords: the replication
    /// throttle's rates).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    configs: BTreeMap<String, String>,
}

/// Partition counts per role of a broker.
#[derive(Debug, Clone, Copy, Default, Serialize)]
struct RoleCounts {
    leads: usize,
    follows: usize,
    out_of_sync: usize,
}

/// Every broker and its partitions; internal topics' partitions listed only with
/// `list_internal`, and counted apart with `count_internal`.
fn broker_infos(c: &Cluster, list_internal: bool, count_internal: bool) -> Vec<BrokerInfo> {
    let s = c.state();
    s.brokers
        .values()
        .map(|b| {
            let mut info = BrokerInfo {
                id: b.id,
                state: status_name(c, b.id),
                paused: b.paused,
                leads: Vec::new(),
                follows: Vec::new(),
                out_of_sync: Vec::new(),
                bytes: None,
                internal: count_internal.then(RoleCounts::default),
                configs: s.broker_configs.get(&b.id).cloned().unwrap_or_default(),
            };
            for (name, t) in &s.topics {
                let internal = is_internal(name);
                for p in &t.partitions {
                    let leads = p.leader == b.id;
                    let follows = !leads && p.replicas.contains(&b.id);
                    let behind = follows && !p.isr.contains(&b.id);
                    if internal && let Some(n) = info.internal.as_mut() {
                        n.leads += usize::from(leads);
                        n.follows += usize::from(follows);
                        n.out_of_sync += usize::from(behind);
                    }
                    if internal && !list_internal {
                        continue;
                    }
                    let tp = || format!("{name}-{}", p.partition);
                    if leads {
                        info.leads.push(tp());
                    }
                    if follows {
                        info.follows.push(tp());
                    }
                    if behind {
                        info.out_of_sync.push(tp());
                    }
                }
            }
            info
        })
        .collect()
}

fn brokers(global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let c = open_cluster(global)?;
    let mut out = Printer::stdout();
    let mut infos = broker_infos(&c, true, false);
    // What its replicas hold on disk: the data a drain moves away.
    let layout = c.layout();
    for b in &mut infos {
        let mut bytes = 0;
        for (name, t) in &c.state().topics {
            for p in t.partitions.iter().filter(|p| p.replicas.contains(&b.id)) {
                bytes += crate::cluster::replica::replica_info(layout, name, p.partition, b.id)
                    .map_or(0, |i| i.size);
            }
        }
        b.bytes = Some(bytes);
    }
    if global.output == OutputFormat::Json {
        for b in &infos {
            out.json_line(b)?;
        }
        return finish(out);
    }
    let mut table = Table::new([
        "Id", "State", "Paused", "Replicas", "Leads", "Follows", "Bytes",
    ]);
    for b in &infos {
        table.row([
            b.id.to_string(),
            b.state.to_string(),
            yes_no(b.paused).to_string(),
            (b.leads.len() + b.follows.len()).to_string(),
            b.leads.len().to_string(),
            b.follows.len().to_string(),
            b.bytes.unwrap_or(0).to_string(),
        ]);
    }
    out.table(&table)?;
    // Per-broker dynamic configs, as `kafka-configs --describe --entity-type brokers` lists
    // them (the replication throttle's rates).
    for b in infos.iter().filter(|b| !b.configs.is_empty()) {
        out.line(&format!(
            "Broker {} configs: {}",
            b.id,
            configs_text(&b.configs)
        ))?;
    }
    finish(out)
}

/// Partition counts of a set of topics, as `describe cluster` shows them.
#[derive(Debug, Clone, Copy, Default)]
struct Health {
    partitions: usize,
    under_replicated: usize,
    offline: usize,
}

fn health<'a>(c: &Cluster, topics: impl Iterator<Item = &'a TopicState>) -> Health {
    let s = c.state();
    let mut h = Health::default();
    for p in topics.flat_map(|t| &t.partitions) {
        h.partitions += 1;
        // Kafka's rule: a move's adding replicas do not count until they are in sync.
        h.under_replicated += usize::from(p.isr.len() < p.original_replicas().len());
        h.offline += usize::from(p.leader < 0 || !s.is_online(p.leader));
    }
    h
}

fn cluster(args: &ClusterArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let c = open_cluster(global)?;
    let s = c.state();
    let (internal, topics): (Vec<_>, Vec<_>) =
        s.topics.iter().partition(|(name, _)| is_internal(name));
    let infos = broker_infos(&c, args.internal, !internal.is_empty());
    let h = health(&c, topics.iter().map(|(_, t)| *t));
    let internal_rows: Vec<(&String, &TopicState, Health)> = internal
        .iter()
        .map(|(name, t)| (*name, *t, health(&c, std::iter::once(*t))))
        .collect();
    let online = infos.iter().filter(|b| b.state == "online").count();
    let mut out = Printer::stdout();
    if global.output == OutputFormat::Json {
        let internal_json: Vec<Value> = internal_rows
            .iter()
            .map(|(name, t, h)| {
                json!({
                    "name": name,
                    "partition_count": h.partitions,
                    "replication_factor": replication_factor(t),
                    "under_replicated": h.under_replicated,
                    "offline": h.offline,
                })
            })
            .collect();
        out.json_line(&json!({
            "cluster_id": s.cluster_id,
            "path": c.layout().root().display().to_string(),
            "metadata_offset": s.metadata_offset,
            "broker_count": infos.len(),
            "online_brokers": online,
            "topic_count": topics.len(),
            "partition_count": h.partitions,
            "under_replicated": h.under_replicated,
            "offline": h.offline,
            "internal_topics": internal_json,
            "configs": s.configs,
            "brokers": infos,
        }))?;
        return finish(out);
    }
    out.line(&format!("Cluster: {}", s.cluster_id))?;
    out.line(&escape_control(&format!(
        "Directory: {}",
        c.layout().root().display()
    )))?;
    out.line(&format!(
        "Brokers: {} ({online} online)  Topics: {}  Partitions: {} ({} under-replicated, {} offline)",
        infos.len(),
        topics.len(),
        h.partitions,
        h.under_replicated,
        h.offline,
    ))?;
    if !internal_rows.is_empty() {
        out.line(&format!(
            "Internal topics: {}{}",
            internal_rows.len(),
            if args.internal {
                ""
            } else {
                " (their partitions are listed with --internal)"
            }
        ))?;
        let width = internal_rows
            .iter()
            .map(|(n, _, _)| n.len())
            .max()
            .unwrap_or(0);
        for (name, t, h) in &internal_rows {
            out.line(&escape_control(&format!(
                "  {name:<width$}  {} partitions, replication factor {}, {} under-replicated, {} offline",
                h.partitions,
                replication_factor(t),
                h.under_replicated,
                h.offline,
            )))?;
        }
    }
    out.line(&format!(
        "Metadata: {} records (filka describe history)",
        s.metadata_offset
    ))?;
    if !s.configs.is_empty() {
        out.line(&format!(
            "Cluster-wide configs: {}",
            configs_text(&s.configs)
        ))?;
    }
    // The listed partitions, then how many internal ones were left out of the list.
    let list = |v: &[String], internal: usize| {
        let more = match internal {
            0 => None,
            1 => Some("1 internal partition".to_string()),
            n => Some(format!("{n} internal partitions")),
        };
        match (v.is_empty(), more) {
            (true, None) => "(none)".to_string(),
            (true, Some(m)) => m,
            (false, None) => v.join(", "),
            (false, Some(m)) => format!("{} and {m}", v.join(", ")),
        }
    };
    for b in &infos {
        let hidden = b.internal.filter(|_| !args.internal).unwrap_or_default();
        out.line("")?;
        let paused = if b.paused { ", replication paused" } else { "" };
        out.line(&format!("broker-{}  {}{paused}", b.id, b.state))?;
        out.line(&format!("  leads:   {}", list(&b.leads, hidden.leads)))?;
        out.line(&format!("  follows: {}", list(&b.follows, hidden.follows)))?;
        if !b.out_of_sync.is_empty() || hidden.out_of_sync > 0 {
            out.line(&format!(
                "  out of sync: {}",
                list(&b.out_of_sync, hidden.out_of_sync)
            ))?;
        }
    }
    finish(out)
}

/// One replica as `describe partition` shows it.
#[derive(Debug, Clone, Serialize)]
struct ReplicaRow {
    broker: i32,
    state: &'static str,
    role: &'static str,
    in_sync: bool,
    log_start_offset: i64,
    log_end_offset: i64,
    /// Records behind the leader's log end; `None` without a leader.
    lag: Option<i64>,
    size: u64,
    dir: String,
}

fn partition(args: &PartitionArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let c = open_cluster(global)?;
    let (topic, n) = (args.topic.as_str(), args.partition);
    let p = c.partition(topic, n)?;
    let view = PartitionView::read(&c, topic, n).with_context(|| format!("reading {topic}-{n}"))?;
    let leader = view.replicas.iter().find(|r| r.broker == p.leader);
    let leader_leo = leader.map(|l| l.log_end_offset);
    let rows: Vec<ReplicaRow> = view
        .replicas
        .iter()
        .map(|r| ReplicaRow {
            broker: r.broker,
            // A replica on a failed log dir is offline whatever its broker is.
            state: if p.offline_replicas.contains(&r.broker) {
                "failed"
            } else {
                status_name(&c, r.broker)
            },
            // A reassignment's replicas say what they are (KIP-455).
            role: match (
                r.broker == p.leader,
                p.adding_replicas.contains(&r.broker),
                p.removing_replicas.contains(&r.broker),
            ) {
                (true, _, true) => "leader (removing)",
                (true, _, _) => "leader",
                (false, true, _) => "adding",
                (false, _, true) => "removing",
                _ => "follower",
            },
            in_sync: p.isr.contains(&r.broker),
            log_start_offset: r.log_start_offset,
            log_end_offset: r.log_end_offset,
            lag: leader_leo.map(|leo| (leo - r.log_end_offset).max(0)),
            size: r.size,
            dir: c
                .layout()
                .replica_dir(r.broker, topic, n)
                .display()
                .to_string(),
        })
        .collect();
    let hw = leader.map(|_| view.high_watermark);
    // The last stable offset: what read_committed consumers may read (the first offset of
    // the oldest open transaction, else the high watermark).
    let lso = match hw {
        Some(hw) => Some(view.leader_reader(&c)?.last_stable_offset(hw)?),
        None => None,
    };
    let mut out = Printer::stdout();
    if global.output == OutputFormat::Json {
        out.json_line(&json!({
            "topic": topic,
            "partition": n,
            "leader": p.leader,
            "leader_epoch": p.leader_epoch,
            "partition_epoch": p.partition_epoch,
            "replicas": p.replicas,
            "isr": p.isr,
            "offline_replicas": p.offline_replicas,
            "adding_replicas": p.adding_replicas,
            "removing_replicas": p.removing_replicas,
            "log_start_offset": leader.map(|_| view.log_start_offset),
            "high_watermark": hw,
            "last_stable_offset": lso,
            "log_end_offset": leader_leo,
            "replica_details": rows,
        }))?;
        return finish(out);
    }
    out.line(&escape_control(&format!(
        "Topic: {topic}  Partition: {n}  Leader: {}  LeaderEpoch: {}  Isr: {}  HighWatermark: {}  LastStableOffset: {}{}{}",
        if p.leader < 0 {
            "none".to_string()
        } else {
            p.leader.to_string()
        },
        p.leader_epoch,
        join(&p.isr),
        or_dash(hw),
        or_dash(lso),
        if p.offline_replicas.is_empty() {
            String::new()
        } else {
            format!("  Offline: {}", join(&p.offline_replicas))
        },
        if p.is_reassigning() {
            format!(
                "  Adding Replicas: {}  Removing Replicas: {}",
                dash_or_join(&p.adding_replicas),
                dash_or_join(&p.removing_replicas)
            )
        } else {
            String::new()
        }
    )))?;
    out.line("")?;
    let mut table = Table::new([
        "Broker",
        "State",
        "Role",
        "InSync",
        "LogStartOffset",
        "LogEndOffset",
        "Lag",
        "Size",
        "Dir",
    ]);
    for r in &rows {
        table.row([
            r.broker.to_string(),
            r.state.to_string(),
            r.role.to_string(),
            yes_no(r.in_sync).to_string(),
            r.log_start_offset.to_string(),
            r.log_end_offset.to_string(),
            or_dash(r.lag),
            r.size.to_string(),
            r.dir.clone(),
        ]);
    }
    out.table(&table)?;
    finish(out)
}

fn configs_text(configs: &BTreeMap<String, String>) -> String {
    if configs.is_empty() {
        return "(defaults)".to_string();
    }
    let kv: Vec<String> = configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    kv.join(",")
}

fn quorum(args: &QuorumArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let c = open_cluster(global)?;
    let q = c.quorum().context("reading the controller quorum")?;
    let state = c.state();
    let live = crate::cluster::kraft::raft::live_voters(&q, state);
    // No leader known (a Kafka log dir without its quorum-state): the longest copy.
    let leader_end = q
        .copy(q.leader)
        .map(|l| l.log_end)
        .or_else(|| q.copies.iter().map(|c| c.log_end).max())
        .unwrap_or(0);
    let mut out = Printer::stdout();
    if args.replication {
        let mut rows = Vec::new();
        let order =
            std::iter::once(q.leader).chain(q.voters.iter().copied().filter(|&v| v != q.leader));
        for v in order {
            let Some(copy) = q.copy(v) else { continue };
            let lag = leader_end - copy.log_end;
            let fetched = last_write_ms(&copy.dir);
            rows.push((
                v,
                copy.log_end,
                lag,
                fetched,
                if lag == 0 { fetched } else { -1 },
                if v == q.leader { "Leader" } else { "Follower" },
                live.contains(&v),
            ));
        }
        if global.output == OutputFormat::Json {
            for (id, end, lag, fetch, caught, status, running) in &rows {
                out.json_line(&json!({
                    "node_id": id,
                    "directory_id": null,
                    "log_end_offset": end,
                    "lag": lag,
                    "last_fetch_timestamp": fetch,
                    "last_caught_up_timestamp": caught,
                    "status": status,
                    "running": running,
                }))?;
            }
            return finish(out);
        }
        let mut table = Table::new([
            "NodeId",
            "DirectoryId",
            "LogEndOffset",
            "Lag",
            "LastFetchTimestamp",
            "LastCaughtUpTimestamp",
            "Status",
            "Running",
        ]);
        for (id, end, lag, fetch, caught, status, running) in rows {
            table.row([
                id.to_string(),
                "AAAAAAAAAAAAAAAAAAAAAA".to_string(),
                end.to_string(),
                lag.to_string(),
                fetch.to_string(),
                caught.to_string(),
                status.to_string(),
                yes_no(running).to_string(),
            ]);
        }
        out.table(&table)?;
        return finish(out);
    }
    let min_end = q.copies.iter().map(|c| c.log_end).min().unwrap_or(0);
    let max_lag = leader_end - min_end;
    let lag_time: i64 = if max_lag == 0 { 0 } else { -1 };
    let observers: Vec<i32> = state
        .brokers
        .keys()
        .copied()
        .filter(|b| !q.voters.contains(b))
        .collect();
    let node = |id: &i32| format!("{{\"id\": {id}, \"directoryId\": null}}");
    let list = |ids: &[i32]| format!("[{}]", ids.iter().map(node).collect::<Vec<_>>().join(", "));
    if global.output == OutputFormat::Json {
        out.json_line(&json!({
            "cluster_id": state.cluster_id,
            "leader_id": q.leader,
            "leader_epoch": q.epoch,
            "high_watermark": q.high_watermark,
            "max_follower_lag": max_lag,
            "max_follower_lag_time_ms": lag_time,
            "current_voters": q.voters,
            "current_observers": observers,
            "running_voters": live,
        }))?;
        return finish(out);
    }
    for (k, v) in [
        ("ClusterId", state.cluster_id.clone()),
        ("LeaderId", q.leader.to_string()),
        ("LeaderEpoch", q.epoch.to_string()),
        ("HighWatermark", q.high_watermark.to_string()),
        ("MaxFollowerLag", max_lag.to_string()),
        ("MaxFollowerLagTimeMs", lag_time.to_string()),
        ("CurrentVoters", list(&q.voters)),
        ("CurrentObservers", list(&observers)),
    ] {
        out.line(&format!("{:<24}{v}", format!("{k}:")))?;
    }
    if live.len() < q.voters.len() {
        let stopped: Vec<i32> = q
            .voters
            .iter()
            .copied()
            .filter(|v| !live.contains(v))
            .collect();
        out.line(&format!(
            "Stopped voters:         {} ({} of {} run; a change needs {})",
            join(&stopped),
            live.len(),
            q.voters.len(),
            q.majority()
        ))?;
    }
    finish(out)
}

/// When the newest `.log` segment in `dir` was last written, in ms since the epoch (-1 if
/// unknown).
fn last_write_ms(dir: &std::path::Path) -> i64 {
    let newest = crate::log::partition::list_segments(dir, false)
        .ok()
        .and_then(|b| b.last().copied());
    newest
        .and_then(|b| {
            std::fs::metadata(crate::log::names::segment_path(
                dir,
                b,
                crate::log::names::LOG_SUFFIX,
            ))
            .ok()?
            .modified()
            .ok()
        })
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(-1, |d| d.as_millis() as i64)
}

/// Milliseconds since the epoch as RFC 3339 UTC with milliseconds (always 24 characters
/// for years 1000-9999); the raw number when out of range.
pub fn rfc3339_ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), |t| format!("{t:.3}"))
}

fn history(args: &HistoryArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let c = open_cluster(global)?;
    let entries: Vec<_> = c
        .history()
        .context("reading the metadata log")?
        .into_iter()
        .filter(|e| {
            args.topic
                .as_deref()
                .is_none_or(|t| e.topic.as_deref() == Some(t))
        })
        .collect();
    if let Some(t) = &args.topic
        && entries.is_empty()
    {
        // Not even a deleted topic of that name: most likely a typo.
        c.topic(t)?;
    }
    let mut out = Printer::stdout();
    if global.output == OutputFormat::Json {
        for e in &entries {
            out.json_line(&json!({
                "offset": e.offset,
                "last_offset": e.last_offset,
                "timestamp": e.timestamp,
                "time": rfc3339_ms(e.timestamp),
                "type": e.kind,
                "topic": e.topic,
                "details": e.details,
                "record": e.data,
            }))?;
        }
        return finish(out);
    }
    let mut table = Table::new(["Offset", "Time", "Type", "Details"]);
    for e in &entries {
        let offsets = if e.last_offset > e.offset {
            format!("{}-{}", e.offset, e.last_offset)
        } else {
            e.offset.to_string()
        };
        table.row([
            offsets,
            rfc3339_ms(e.timestamp),
            e.kind.clone(),
            e.details.clone(),
        ]);
    }
    out.table(&table)?;
    finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(rfc3339_ms(1_717_245_296_789), "2024-06-01T12:34:56.789Z");
        assert_eq!(rfc3339_ms(1_717_245_296_000), "2024-06-01T12:34:56.000Z");
        assert_eq!(rfc3339_ms(i64::MAX), i64::MAX.to_string());
    }
}
