//! `filka group`: list, describe, commit, reset and delete consumer groups, like
//! `kafka-consumer-groups.sh`.
//!
//! Spec:
//! - `group list`: every group (with committed offsets or members) and its state (Stable
//!   with live members, Empty with offsets only);
//! - `group describe G [--members] [--state]`: Kafka's columns GROUP TOPIC PARTITION
//!   CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID LOG-START-OFFSET;
//! - `group commit G -t T -p P -o OFFSET`: a commit by a script (refused while the group has
//!   live members, as Kafka's admin client is);
//! - `group reset-offsets G (--to-earliest | --to-latest | --to-offset N | --shift-by N |
//!   --to-datetime T | --by-duration D | --to-current | --from-file CSV) [-t T] [--execute]
//!   [--export]`: a plan (dry run by default), refused while the group has live members;
//!   targets outside the log are clamped with a warning;
//! - `group delete G`, `group delete-offsets G -t T`.
//!
//! Offsets live in `__consumer_offsets` (group/offsets.rs); this file only renders and
//! checks flags. Exit codes (also in each subcommand's help): 4 unknown group or topic, 1
//! refused because the group has live members.

use std::collections::BTreeMap;

use anyhow::{Context, anyhow};
use clap::Subcommand;
use serde_json::json;

use super::consume_group::group_error;
use super::describe::check_output;
use super::{GlobalArgs, OutputFormat, open_cluster};
use crate::cluster::Cluster;
use crate::cluster::replica::PartitionView;
use crate::error::{ExitCode, ResultExt, coded};
use crate::format::offset_spec::OffsetSpec;
use crate::group::coordinator::{self, GroupError, GroupState};
use crate::group::offsets::{self, GroupOffsets};
use crate::group::schema::OffsetValue;
use crate::output::{Printer, Table};

const EXAMPLES: &str = "\
Examples:
  Groups and their state, then where one group stands on every partition:
    filka group list
    filka group describe my-group

  Commit from a script that tracks its own progress:
    filka group commit my-group -t demo -p 0 -o 42

  Rewind a stopped group to the beginning (prints the plan; --execute applies it):
    filka group reset-offsets my-group -t demo --to-earliest
    filka group reset-offsets my-group -t demo --to-earliest --execute

  Forget a group, or its offsets for one topic:
    filka group delete-offsets my-group -t demo
    filka group delete my-group";

/// Consumer groups: members, committed offsets and lag (kafka-consumer-groups.sh).
///
/// Offsets are records in the internal topic __consumer_offsets, in Kafka's binary schema,
/// in partition abs(hash(group)) % 50; the latest commit per partition wins. Members are
/// `filka consume --group` processes.
///
/// commit, reset-offsets --execute, delete and delete-offsets are refused while the group
/// has live members (exit 1), as Kafka's tools refuse them for an active group; an unknown
/// group or topic exits 4.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The `group` subcommands. Variants carry no doc comment: the help is on each struct.
#[allow(missing_docs)]
#[derive(Debug, Subcommand)]
pub enum Action {
    List(ListArgs),
    Describe(DescribeArgs),
    Commit(CommitArgs),
    ResetOffsets(ResetArgs),
    Delete(DeleteArgs),
    DeleteOffsets(DeleteOffsetsArgs),
}

/// Every group and its state.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:\n  filka group list\n  filka group list --output json")]
pub struct ListArgs {}

/// Where a group stands on each partition: committed offset, log end, lag, owner.
///
/// With --members, a member given no partition (more members than partitions: Kafka's
/// inactive consumer) shows #PARTITIONS 0 and ASSIGNMENT "- (idle)" (json: "idle": true),
/// and stderr says why; it waits until a partition frees.
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = "Examples:\n  filka group describe my-group\n  filka group describe my-group --members\n  filka describe group my-group --output json"
)]
pub struct DescribeArgs {
    /// The group.
    pub group: String,
    /// One row per member instead (CONSUMER-ID HOST CLIENT-ID #PARTITIONS ASSIGNMENT).
    #[arg(long, conflicts_with = "state")]
    pub members: bool,
    /// The group's state instead (ASSIGNMENT-STRATEGY STATE GENERATION #MEMBERS).
    #[arg(long)]
    pub state: bool,
}

/// Commit an offset for a group (a script that tracks its own progress).
///
/// Refused while the group has live members (exit 1): stop them first.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:\n  filka group commit my-group -t demo -p 0 -o 42")]
pub struct CommitArgs {
    /// The group.
    pub group: String,
    /// Topic.
    #[arg(short, long)]
    pub topic: String,
    /// Partition.
    #[arg(short, long)]
    pub partition: u32,
    /// The next offset to read.
    #[arg(short, long)]
    pub offset: i64,
}

/// Move a group's committed offsets (dry run unless --execute).
///
/// --execute is refused while the group has live members (exit 1): stop them first.
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = "Examples:\n  filka group reset-offsets g -t demo --to-earliest\n  filka group reset-offsets g -t demo --shift-by -10 --execute\n  filka group reset-offsets g --to-datetime 2024-05-01T12:00:00Z --export > plan.csv\n  filka group reset-offsets g --from-file plan.csv --execute"
)]
#[command(group(clap::ArgGroup::new("spec").required(true).args([
    "to_earliest", "to_latest", "to_offset", "shift_by", "to_datetime", "by_duration",
    "to_current", "from_file"])))]
pub struct ResetArgs {
    /// The group.
    pub group: String,
    /// Topics to reset (repeatable); default: every topic the group has offsets for.
    #[arg(short, long)]
    pub topic: Vec<String>,
    /// To the log start offset.
    #[arg(long)]
    pub to_earliest: bool,
    /// To the high watermark.
    #[arg(long)]
    pub to_latest: bool,
    /// To offset N.
    #[arg(long, value_name = "N")]
    pub to_offset: Option<i64>,
    /// By N from the committed offset (negative goes back).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub shift_by: Option<i64>,
    /// To the first record at or after TIME (RFC 3339, a date, or epoch ms).
    #[arg(long, value_name = "TIME")]
    pub to_datetime: Option<String>,
    /// To the first record at or after now minus DURATION (30m, 1h, PT1H30M).
    #[arg(long, value_name = "DURATION")]
    pub by_duration: Option<String>,
    /// To the committed offset (no change; useful with --export).
    #[arg(long)]
    pub to_current: bool,
    /// From a CSV plan of topic,partition,offset lines (what --export prints).
    #[arg(long, value_name = "CSV")]
    pub from_file: Option<std::path::PathBuf>,
    /// Apply the plan (without it, only print it).
    #[arg(long)]
    pub execute: bool,
    /// Print the plan as CSV (topic,partition,offset).
    #[arg(long)]
    pub export: bool,
}

/// Delete a group: its committed offsets and its folder.
///
/// Refused while the group has live members (exit 1): stop them first.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:\n  filka group delete my-group")]
pub struct DeleteArgs {
    /// The group.
    pub group: String,
}

/// Delete a group's committed offsets for a topic.
///
/// Refused while the group has live members (exit 1): stop them first.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:\n  filka group delete-offsets my-group -t demo")]
pub struct DeleteOffsetsArgs {
    /// The group.
    pub group: String,
    /// Topic (repeatable).
    #[arg(short, long, required = true)]
    pub topic: Vec<String>,
}

/// Runs the command.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    check_output(global, "group")?;
    let group = match &args.action {
        Action::List(_) => None,
        Action::Describe(a) => Some(&a.group),
        Action::Commit(a) => Some(&a.group),
        Action::ResetOffsets(a) => Some(&a.group),
        Action::Delete(a) => Some(&a.group),
        Action::DeleteOffsets(a) => Some(&a.group),
    };
    if let Some(g) = group {
        coordinator::check_group_id(g).map_err(group_error)?;
    }
    match &args.action {
        Action::List(_) => list(global),
        Action::Describe(a) => describe(&a.group, a.members, a.state, global),
        Action::Commit(a) => commit(a, global),
        Action::ResetOffsets(a) => reset(a, global),
        Action::Delete(a) => delete(&a.group, None, global),
        Action::DeleteOffsets(a) => delete(&a.group, Some(&a.topic), global),
    }
}

/// `-v`: where the group's coordinator keeps its offsets (Kafka's FindCoordinator).
pub(crate) fn say_coordinator(global: &GlobalArgs, c: &Cluster, group: &str) {
    if !global.verbose_at(1) {
        return;
    }
    let partition = offsets::partition_for(group);
    let leader = c.partition(offsets::OFFSETS_TOPIC, partition).map_or_else(
        |_| "not created yet".to_string(),
        |p| format!("led by broker {}", p.leader),
    );
    global.detail(
        1,
        format!(
            "group {}: its coordinator is partition {}-{partition} (abs(hashCode) % {}), \
             {leader}; committed offsets are records there",
            crate::output::escape_control(group),
            offsets::OFFSETS_TOPIC,
            offsets::OFFSETS_PARTITIONS
        ),
    );
}

fn finish(out: Printer) -> anyhow::Result<ExitCode> {
    out.finish().context("writing to stdout")?;
    Ok(ExitCode::Success)
}

fn state_name(st: &GroupState, offsets: &GroupOffsets) -> &'static str {
    if !st.members.is_empty() {
        "Stable"
    } else if !offsets.is_empty() {
        "Empty"
    } else {
        "Dead"
    }
}

fn list(global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let c = open_cluster(global)?;
    let mut names = offsets::groups_with_offsets(&c)?;
    names.extend(coordinator::group_dirs(c.layout()));
    let mut out = Printer::stdout();
    let mut table = Table::new(["GROUP", "STATE", "MEMBERS"]);
    for g in names {
        let st = coordinator::describe_state(&c, &g).map_err(group_error)?;
        let offs = offsets::read(&c, &g)?;
        let state = state_name(&st, &offs);
        if state == "Dead" {
            continue;
        }
        if global.output == OutputFormat::Json {
            out.json_line(&json!({"group": g, "state": state, "members": st.members.len()}))?;
        } else {
            table.row([g, state.to_string(), st.members.len().to_string()]);
        }
    }
    if global.output == OutputFormat::Text {
        out.table(&table)?;
    }
    finish(out)
}

/// One row of `group describe`.
#[derive(Debug, serde::Serialize)]
struct Row {
    group: String,
    topic: String,
    partition: u32,
    current_offset: Option<i64>,
    log_end_offset: i64,
    lag: Option<i64>,
    consumer_id: Option<String>,
    host: Option<String>,
    client_id: Option<String>,
    log_start_offset: i64,
}

fn rows(
    c: &Cluster,
    group: &str,
    st: &GroupState,
    offs: &GroupOffsets,
) -> anyhow::Result<Vec<Row>> {
    let mut owner: BTreeMap<(String, u32), &String> = BTreeMap::new();
    for (m, tps) in &st.assignment {
        for tp in tps {
            owner.insert(tp.clone(), m);
        }
    }
    let mut tps: Vec<(String, u32)> = offs.keys().cloned().collect();
    tps.extend(owner.keys().cloned());
    tps.sort();
    tps.dedup();
    let mut out = Vec::new();
    for (t, p) in tps {
        let Ok(view) = PartitionView::read(c, &t, p) else {
            continue;
        };
        let current = offs.get(&(t.clone(), p)).map(|v| v.offset);
        let m = owner.get(&(t.clone(), p)).copied();
        let info = m.and_then(|m| st.members.get(m));
        out.push(Row {
            group: group.to_string(),
            topic: t.clone(),
            partition: p,
            current_offset: current,
            log_end_offset: view.high_watermark,
            lag: current.map(|o| (view.high_watermark - o).max(0)),
            consumer_id: m.cloned(),
            host: info.map(|i| i.host.clone()),
            client_id: info.map(|i| i.client_id.clone()),
            log_start_offset: view.log_start_offset,
        });
    }
    Ok(out)
}

fn dash<T: ToString>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "-".to_string(), ToString::to_string)
}

/// `group describe G` (also `describe group G`).
pub fn describe(
    group: &str,
    members: bool,
    state: bool,
    global: &GlobalArgs,
) -> anyhow::Result<ExitCode> {
    check_output(global, "group describe")?;
    // Also reached from `describe group`.
    coordinator::check_group_id(group).map_err(group_error)?;
    let c = open_cluster(global)?;
    say_coordinator(global, &c, group);
    let st = coordinator::describe_state(&c, group).map_err(group_error)?;
    let offs = offsets::read(&c, group)?;
    let sname = state_name(&st, &offs);
    if sname == "Dead" {
        return Err(coded(
            ExitCode::NotFound,
            anyhow!("consumer group {group:?} does not exist (no members, no committed offsets)"),
        ));
    }
    let mut out = Printer::stdout();
    let json = global.output == OutputFormat::Json;
    if state {
        let v = json!({"group": group, "assignment_strategy": st.protocol.name(), "state": sname,
            "generation": st.generation, "members": st.members.len()});
        if json {
            out.json_line(&v)?;
        } else {
            let mut t = Table::new([
                "GROUP",
                "ASSIGNMENT-STRATEGY",
                "STATE",
                "GENERATION",
                "#MEMBERS",
            ]);
            t.row([
                group.to_string(),
                st.protocol.name().to_string(),
                sname.to_string(),
                st.generation.to_string(),
                st.members.len().to_string(),
            ]);
            out.table(&t)?;
        }
        return finish(out);
    }
    if members {
        let mut t = Table::new([
            "GROUP",
            "CONSUMER-ID",
            "HOST",
            "CLIENT-ID",
            "#PARTITIONS",
            "ASSIGNMENT",
        ]);
        let mut idle = 0usize;
        for (id, info) in &st.members {
            let tps = st.assignment.get(id).cloned().unwrap_or_default();
            let list: Vec<String> = tps.iter().map(|(t, p)| format!("{t}-{p}")).collect();
            idle += usize::from(tps.is_empty());
            if json {
                // "owned": what it reads now (during a rebalance, its assignment and what it
                // still holds or does not hold yet differ).
                let owned: Vec<String> = st
                    .owned
                    .get(id)
                    .into_iter()
                    .flatten()
                    .map(|(t, p)| format!("{t}-{p}"))
                    .collect();
                out.json_line(
                    &json!({"group": group, "consumer_id": id, "host": info.host,
                    "client_id": info.client_id, "partitions": list, "owned": owned,
                    "idle": tps.is_empty()}),
                )?;
            } else {
                t.row([
                    group.to_string(),
                    id.clone(),
                    info.host.clone(),
                    info.client_id.clone(),
                    tps.len().to_string(),
                    if tps.is_empty() {
                        "- (idle)".to_string()
                    } else {
                        list.join(",")
                    },
                ]);
            }
        }
        if !json {
            out.table(&t)?;
        }
        if idle > 0 && !global.quiet {
            let topics: Vec<String> = st
                .members
                .values()
                .flat_map(|m| m.topics.iter().cloned())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let why = super::consume_group::idle_reason(
                st.members.len(),
                super::consume_group::partition_count(&c, &topics),
                st.protocol,
            );
            eprintln!(
                "filka: {idle} member{} of group {} {} idle: {why}; a partition is read by one \
                 member of a group at a time, so an idle member waits until one frees",
                if idle == 1 { "" } else { "s" },
                crate::output::escape_control(group),
                if idle == 1 { "is" } else { "are" },
            );
        }
        return finish(out);
    }
    let rows = rows(&c, group, &st, &offs)?;
    if json {
        for r in &rows {
            out.json_line(r)?;
        }
        return finish(out);
    }
    let mut t = Table::new([
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
        "LOG-START-OFFSET",
    ]);
    for r in &rows {
        t.row([
            r.group.clone(),
            r.topic.clone(),
            r.partition.to_string(),
            dash(&r.current_offset),
            r.log_end_offset.to_string(),
            dash(&r.lag),
            dash(&r.consumer_id),
            dash(&r.host),
            dash(&r.client_id),
            r.log_start_offset.to_string(),
        ]);
    }
    out.table(&t)?;
    finish(out)
}

/// Refuses changes to a group whose members are alive (checked again, under the group's
/// commit lock, by the write itself).
fn require_inactive(c: &Cluster, group: &str, what: &str) -> anyhow::Result<()> {
    let live = coordinator::live_members(c, group).map_err(group_error)?;
    if !live.is_empty() {
        return Err(anyhow::Error::new(GroupError::Active {
            group: group.to_string(),
            live: live.len(),
        })
        .context(format!("cannot {what}")));
    }
    Ok(())
}

/// Writes offsets of an inactive group, saying `what` was refused.
fn write_inactive(
    c: &mut Cluster,
    group: &str,
    entries: &[((String, u32), Option<OffsetValue>)],
    what: &str,
) -> anyhow::Result<()> {
    coordinator::write_offsets_inactive(c, group, entries)
        .map_err(group_error)
        .with_context(|| format!("cannot {what}"))
}

/// Commit entries for `offsets` at the current time.
fn commit_entries(offsets: &[((String, u32), i64)]) -> Vec<((String, u32), Option<OffsetValue>)> {
    let now = crate::cluster::now_ms();
    offsets
        .iter()
        .map(|(tp, o)| {
            (
                tp.clone(),
                Some(OffsetValue {
                    offset: *o,
                    leader_epoch: -1,
                    metadata: String::new(),
                    commit_timestamp: now,
                }),
            )
        })
        .collect()
}

fn commit(a: &CommitArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let mut c = open_cluster(global)?;
    say_coordinator(global, &c, &a.group);
    c.partition(&a.topic, a.partition)
        .exit_code(ExitCode::NotFound)?;
    if a.offset < 0 {
        return Err(coded(
            ExitCode::Usage,
            anyhow!("offset {} is negative", a.offset),
        ));
    }
    require_inactive(&c, &a.group, "commit")?;
    let entries = commit_entries(&[((a.topic.clone(), a.partition), a.offset)]);
    write_inactive(&mut c, &a.group, &entries, "commit")?;
    Ok(ExitCode::Success)
}

fn reset(a: &ResetArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let mut c = open_cluster(global)?;
    say_coordinator(global, &c, &a.group);
    if a.execute {
        require_inactive(&c, &a.group, "reset offsets")?;
    }
    let offs = offsets::read(&c, &a.group)?;
    // The partitions to reset and their target before clamping.
    let mut plan: Vec<((String, u32), i64)> = Vec::new();
    if let Some(file) = &a.from_file {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        for (n, line) in text.lines().enumerate() {
            let cells: Vec<&str> = line.trim().split(',').collect();
            if line.trim().is_empty() {
                continue;
            }
            let parsed = match cells.as_slice() {
                [t, p, o] => p
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .zip(o.trim().parse::<i64>().ok())
                    .map(|(p, o)| ((t.trim().to_string(), p), o)),
                _ => None,
            };
            let Some(entry) = parsed else {
                return Err(coded(
                    ExitCode::InvalidInput,
                    anyhow!(
                        "{} line {}: expected topic,partition,offset",
                        file.display(),
                        n + 1
                    ),
                ));
            };
            plan.push(entry);
        }
    } else {
        let topics: Vec<String> = if a.topic.is_empty() {
            let mut t: Vec<String> = offs.keys().map(|(t, _)| t.clone()).collect();
            t.dedup();
            t
        } else {
            a.topic.clone()
        };
        if topics.is_empty() {
            return Err(coded(
                ExitCode::NotFound,
                anyhow!(
                    "group {:?} has no committed offsets; name the topics with -t",
                    a.group
                ),
            ));
        }
        let now = jiff::Timestamp::now();
        let time_spec = |s: &str| -> anyhow::Result<i64> {
            match s.parse::<OffsetSpec>().ok().map(|x| x.resolve(now)) {
                Some(Ok(crate::client::consumer::StartOffset::Timestamp(ms))) => Ok(ms),
                _ => Err(coded(ExitCode::Usage, anyhow!("invalid time {s:?}"))),
            }
        };
        let ts = match (&a.to_datetime, &a.by_duration) {
            (Some(t), _) => Some(time_spec(&format!("@{t}"))?),
            (_, Some(d)) => Some(time_spec(&format!("@-{d}"))?),
            _ => None,
        };
        for t in topics {
            let topic = c.topic(&t).exit_code(ExitCode::NotFound)?.clone();
            for p in topic.partitions.iter().map(|p| p.partition) {
                let view = PartitionView::read(&c, &t, p)?;
                let current = offs.get(&(t.clone(), p)).map(|v| v.offset);
                let target = if a.to_earliest {
                    view.log_start_offset
                } else if a.to_latest {
                    view.high_watermark
                } else if let Some(o) = a.to_offset {
                    o
                } else if let Some(s) = a.shift_by {
                    current.unwrap_or(view.log_start_offset).saturating_add(s)
                } else if let Some(ms) = ts {
                    view.leader_reader(&c)?
                        .offset_for_timestamp(ms)?
                        .unwrap_or(view.high_watermark)
                } else {
                    match current {
                        Some(o) => o,
                        None => continue,
                    }
                };
                plan.push(((t.clone(), p), target));
            }
        }
    }
    // Clamp into [log start, high watermark], as Kafka does.
    let mut clamped = Vec::with_capacity(plan.len());
    for ((t, p), target) in plan {
        let view = PartitionView::read(&c, &t, p).exit_code(ExitCode::NotFound)?;
        let o = target.clamp(
            view.log_start_offset,
            view.high_watermark.max(view.log_start_offset),
        );
        if o != target && !global.quiet {
            eprintln!(
                "filka: warning: {t}-{p}: offset {target} is outside [{}, {}]; using {o}",
                view.log_start_offset, view.high_watermark
            );
        }
        clamped.push(((t, p), o));
    }
    if a.execute {
        require_inactive(&c, &a.group, "reset offsets")?;
        write_inactive(&mut c, &a.group, &commit_entries(&clamped), "reset offsets")?;
    }
    let mut out = Printer::stdout();
    if a.export {
        for ((t, p), o) in &clamped {
            out.line(&format!("{t},{p},{o}"))?;
        }
    } else if global.output == OutputFormat::Json {
        for ((t, p), o) in &clamped {
            out.json_line(&json!({"group": a.group, "topic": t, "partition": p, "new_offset": o}))?;
        }
    } else {
        let mut tbl = Table::new(["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"]);
        for ((t, p), o) in &clamped {
            tbl.row([a.group.clone(), t.clone(), p.to_string(), o.to_string()]);
        }
        out.table(&tbl)?;
    }
    if !a.execute && !a.export && !global.quiet {
        eprintln!("filka: dry run: nothing changed; add --execute to apply");
    }
    finish(out)
}

fn delete(group: &str, topics: Option<&[String]>, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let mut c = open_cluster(global)?;
    say_coordinator(global, &c, group);
    let offs = offsets::read(&c, group)?;
    let st = coordinator::describe_state(&c, group).map_err(group_error)?;
    if state_name(&st, &offs) == "Dead"
        && coordinator::group_dirs(c.layout())
            .iter()
            .all(|g| g != group)
    {
        return Err(coded(
            ExitCode::NotFound,
            anyhow!("consumer group {group:?} does not exist"),
        ));
    }
    require_inactive(&c, group, "delete")?;
    let entries: Vec<_> = offs
        .keys()
        .filter(|(t, _)| topics.is_none_or(|list| list.contains(t)))
        .map(|tp| (tp.clone(), None))
        .collect();
    write_inactive(&mut c, group, &entries, "delete")?;
    if topics.is_none() {
        coordinator::remove_group_dir(&c, group).map_err(group_error)?;
    }
    if !global.quiet {
        eprintln!(
            "filka: deleted {} committed offset(s) of group {group}",
            entries.len()
        );
    }
    Ok(ExitCode::Success)
}
