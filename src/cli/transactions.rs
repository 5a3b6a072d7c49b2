//! `filka transactions`: what Kafka's kafka-transactions.sh shows and does.
//!
//! Spec:
//! - `transactions list`: TransactionalId, Coordinator (the `__transaction_state` partition),
//!   ProducerId, ProducerEpoch, TransactionState, and whether its holder is alive. Open
//!   transactions whose holder died or whose timeout passed are aborted first (the
//!   coordinator's check), unless `--no-abort`.
//! - `transactions describe ID`: the id's state record: producer id and epoch, state,
//!   timeout, start time and duration of the open transaction, its partitions.
//! - `transactions describe-producers -t T -p P`: the producer state of a partition's
//!   leader: ProducerId, ProducerEpoch, LatestCoordinatorEpoch, LastSequence, LastTimestamp,
//!   CurrentTransactionStartOffset.
//! - `transactions abort --transactional-id ID`, or `abort -t T -p P --start-offset O` (the
//!   transaction open in that partition since that offset): aborts it whatever its holder
//!   does; a live holder is fenced.
//!
//! Exit codes: 4 unknown id, topic or partition, or nothing open to abort.

use anyhow::{Context, anyhow};
use clap::Subcommand;
use serde_json::json;

use super::{GlobalArgs, OutputFormat, open_cluster};
use crate::cluster::replica::PartitionView;
use crate::error::{ExitCode, coded};
use crate::output::{Printer, Table, escape_control};
use crate::txn::coordinator::{self, Completed};
use crate::txn::schema::TxnValue;

const EXAMPLES: &str = "\
Examples:
  Every transactional id and its state; then one of them:
    filka transactions list
    filka transactions describe my-pipe

  Which producers wrote to a partition, and the transaction each has open there:
    filka transactions describe-producers -t out -p 0

  Abort a hanging transaction (its producer, if alive, is fenced):
    filka transactions abort --transactional-id my-pipe
    filka transactions abort -t out -p 0 --start-offset 1200";

/// Transactions: their state in __transaction_state, producers of a partition, aborting
/// (kafka-transactions.sh).
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The `transactions` subcommands. Variants carry no doc comment: the help is on each
/// struct.
#[allow(missing_docs)]
#[derive(Debug, Subcommand)]
pub enum Action {
    List(ListArgs),
    Describe(DescribeArgs),
    DescribeProducers(ProducersArgs),
    Abort(AbortArgs),
}

/// Every transactional id and its state.
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = "Examples:\n  filka transactions list\n  filka transactions list --output json"
)]
pub struct ListArgs {
    /// Do not abort transactions whose holder died or timed out before listing.
    #[arg(long)]
    pub no_abort: bool,
}

/// One transactional id's state: producer id, epoch, state, partitions.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:\n  filka transactions describe my-pipe")]
pub struct DescribeArgs {
    /// The transactional id.
    pub transactional_id: String,
}

/// The producers a partition's leader knows: epochs, sequences, open transactions.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:\n  filka transactions describe-producers -t out -p 0")]
pub struct ProducersArgs {
    /// Topic.
    #[arg(short, long)]
    pub topic: String,
    /// Partition.
    #[arg(short, long)]
    pub partition: u32,
}

/// Abort an open transaction, by transactional id or by where it started.
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = "Examples:\n  filka transactions abort --transactional-id my-pipe\n  filka transactions abort -t out -p 0 --start-offset 1200"
)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["transactional_id", "topic"])))]
pub struct AbortArgs {
    /// The transactional id whose open transaction to abort.
    #[arg(long, value_name = "ID", conflicts_with_all = ["topic", "partition", "start_offset"])]
    pub transactional_id: Option<String>,
    /// The topic of a partition the transaction holds.
    #[arg(short, long, requires_all = ["partition", "start_offset"])]
    pub topic: Option<String>,
    /// That partition.
    #[arg(short, long)]
    pub partition: Option<u32>,
    /// The offset where the transaction started in it (describe-producers'
    /// CurrentTransactionStartOffset).
    #[arg(long, value_name = "OFFSET")]
    pub start_offset: Option<i64>,
}

/// `-v`: where the transaction coordinator of `id` lives, as Kafka's FindCoordinator says.
fn verbose_coordinator(global: &GlobalArgs, cluster: &crate::cluster::Cluster, id: &str) {
    if !global.verbose_at(1) {
        return;
    }
    let partition = coordinator::partition_for(id);
    let leader = cluster
        .partition(coordinator::TXN_TOPIC, partition)
        .map_or_else(
            |_| "not created yet".to_string(),
            |p| format!("led by broker {}", p.leader),
        );
    global.detail(
        1,
        format!(
            "transactional id {:?}: its coordinator is partition {}-{partition} (abs(hashCode) % {}), {leader}",
            escape_control(id),
            coordinator::TXN_TOPIC,
            coordinator::TXN_PARTITIONS
        ),
    );
}

fn not_found(msg: String) -> anyhow::Error {
    coded(ExitCode::NotFound, anyhow!(msg))
}

fn partitions_text(v: &TxnValue) -> String {
    let parts: Vec<String> = v
        .partitions
        .iter()
        .flat_map(|t| t.partitions.iter().map(move |p| format!("{}-{p}", t.topic)))
        .collect();
    parts.join(",")
}

fn report(out: &mut Printer, json: bool, done: &Completed) -> anyhow::Result<()> {
    let what = if done.committed {
        "completed the commit of"
    } else {
        "aborted"
    };
    if json {
        out.json_line(&json!({"finished": done}))?;
    } else {
        out.line(&format!(
            "{what} transaction {} ({})",
            escape_control(&done.transactional_id),
            done.reason
        ))?;
    }
    Ok(())
}

/// Runs the command.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    global.accept(
        "transactions",
        super::global::TEXT_JSON,
        super::global::VERBOSE,
    )?;
    let mut cluster = open_cluster(global)?;
    let mut out = Printer::stdout();
    let json = global.output == OutputFormat::Json;
    match &args.action {
        Action::List(a) => {
            if !a.no_abort {
                for done in coordinator::abort_stale(&mut cluster)? {
                    global.note(format!(
                        "transactions: {} {:?} first ({})",
                        if done.committed {
                            "completed"
                        } else {
                            "aborted"
                        },
                        escape_control(&done.transactional_id),
                        done.reason
                    ));
                }
            }
            global.detail(
                1,
                format!(
                    "transactions list: every transactional id's state, read from the \
                     {} partitions of {} (their leaders' replicas, up to each high watermark)",
                    coordinator::TXN_PARTITIONS,
                    coordinator::TXN_TOPIC
                ),
            );
            let mut table = Table::new([
                "TransactionalId",
                "Coordinator",
                "ProducerId",
                "ProducerEpoch",
                "TransactionState",
                "Holder",
            ]);
            for (id, v) in coordinator::list(&cluster)? {
                let alive = coordinator::holder_alive(&cluster, &id, v.producer_epoch)?;
                let holder = if alive { "alive" } else { "gone" };
                if json {
                    out.json_line(&json!({
                        "transactional_id": id,
                        "coordinator_partition": coordinator::partition_for(&id),
                        "producer_id": v.producer_id,
                        "producer_epoch": v.producer_epoch,
                        "state": v.status.name(),
                        "holder": holder,
                    }))?;
                } else {
                    table.row([
                        escape_control(&id),
                        format!(
                            "{}-{}",
                            coordinator::TXN_TOPIC,
                            coordinator::partition_for(&id)
                        ),
                        v.producer_id.to_string(),
                        v.producer_epoch.to_string(),
                        v.status.name().to_string(),
                        holder.to_string(),
                    ]);
                }
            }
            if !json {
                out.table(&table)?;
            }
        }
        Action::Describe(a) => {
            let id = &a.transactional_id;
            verbose_coordinator(global, &cluster, id);
            let v = coordinator::read(&cluster, id)?.ok_or_else(|| {
                not_found(format!(
                    "transactional id {:?} is unknown (see `filka transactions list`)",
                    escape_control(id)
                ))
            })?;
            let now = crate::cluster::now_ms();
            let duration = (v.start_ms >= 0).then(|| now - v.start_ms);
            if json {
                out.json_line(&json!({
                    "transactional_id": id,
                    "coordinator_partition": coordinator::partition_for(id),
                    "producer_id": v.producer_id,
                    "producer_epoch": v.producer_epoch,
                    "state": v.status.name(),
                    "timeout_ms": v.timeout_ms,
                    "start_ms": v.start_ms,
                    "duration_ms": duration,
                    "partitions": v.partitions,
                    "holder_alive": coordinator::holder_alive(&cluster, id, v.producer_epoch)?,
                }))?;
            } else {
                let mut table = Table::new([
                    "CoordinatorId",
                    "TransactionalId",
                    "ProducerId",
                    "ProducerEpoch",
                    "TransactionState",
                    "TransactionTimeoutMs",
                    "CurrentTransactionStartTimeMs",
                    "TransactionDurationMs",
                    "TopicPartitions",
                ]);
                table.row([
                    format!(
                        "{}-{}",
                        coordinator::TXN_TOPIC,
                        coordinator::partition_for(id)
                    ),
                    escape_control(id),
                    v.producer_id.to_string(),
                    v.producer_epoch.to_string(),
                    v.status.name().to_string(),
                    v.timeout_ms.to_string(),
                    if v.start_ms >= 0 {
                        v.start_ms.to_string()
                    } else {
                        "None".into()
                    },
                    duration.map_or_else(|| "None".into(), |d| d.to_string()),
                    partitions_text(&v),
                ]);
                out.table(&table)?;
            }
        }
        Action::DescribeProducers(a) => {
            let view = PartitionView::read(&cluster, &a.topic, a.partition)?;
            global.detail(
                1,
                format!(
                    "transactions describe-producers: the producer state of {}-{} on its \
                     leader, broker {} (epoch {}), up to the high watermark {}",
                    a.topic, a.partition, view.leader, view.leader_epoch, view.high_watermark
                ),
            );
            let reader = view.leader_reader(&cluster)?;
            let state = reader
                .producer_state(view.high_watermark)
                .with_context(|| format!("reading {}-{}", a.topic, a.partition))?;
            let mut table = Table::new([
                "ProducerId",
                "ProducerEpoch",
                "LatestCoordinatorEpoch",
                "LastSequence",
                "LastTimestamp",
                "CurrentTransactionStartOffset",
            ]);
            for e in state.entries() {
                if json {
                    out.json_line(&json!({
                        "producer_id": e.producer_id(),
                        "producer_epoch": e.epoch(),
                        "coordinator_epoch": e.coordinator_epoch(),
                        "last_sequence": e.last_sequence(),
                        "last_timestamp": e.last_timestamp(),
                        "current_transaction_start_offset": e.current_txn_first_offset(),
                    }))?;
                } else {
                    table.row([
                        e.producer_id().to_string(),
                        e.epoch().to_string(),
                        e.coordinator_epoch().to_string(),
                        e.last_sequence().to_string(),
                        e.last_timestamp().to_string(),
                        e.current_txn_first_offset()
                            .map_or_else(|| "None".into(), |o| o.to_string()),
                    ]);
                }
            }
            if !json {
                out.table(&table)?;
            }
        }
        Action::Abort(a) => {
            let id = match (&a.transactional_id, &a.topic, a.partition, a.start_offset) {
                (Some(id), ..) => id.clone(),
                (None, Some(topic), Some(p), Some(start)) => {
                    transaction_at(&cluster, topic, p, start)?
                }
                _ => {
                    return Err(coded(
                        ExitCode::Usage,
                        anyhow!("give --transactional-id, or -t, -p and --start-offset"),
                    ));
                }
            };
            verbose_coordinator(global, &cluster, &id);
            match coordinator::force_abort(&mut cluster, &id)? {
                Some(done) => report(&mut out, json, &done)?,
                None => {
                    return Err(not_found(format!(
                        "transactional id {:?} has no open transaction",
                        escape_control(&id)
                    )));
                }
            }
        }
    }
    out.finish().context("writing to stdout")?;
    Ok(ExitCode::Success)
}

/// The transactional id whose transaction has been open in `topic`-`partition` since
/// `start`: the partition's producer state names the producer, the coordinator's records
/// the id.
fn transaction_at(
    cluster: &crate::cluster::Cluster,
    topic: &str,
    partition: u32,
    start: i64,
) -> anyhow::Result<String> {
    let view = PartitionView::read(cluster, topic, partition)?;
    let state = view
        .leader_reader(cluster)?
        .producer_state(view.high_watermark)?;
    let pid = state
        .entries()
        .find(|e| e.current_txn_first_offset() == Some(start))
        .map(|e| e.producer_id())
        .ok_or_else(|| {
            not_found(format!(
                "no transaction is open in {topic}-{partition} since offset {start} (see \
                 `filka transactions describe-producers -t {topic} -p {partition}`)"
            ))
        })?;
    coordinator::list(cluster)?
        .into_iter()
        .find(|(_, v)| v.producer_id == pid && v.status.is_open())
        .map(|(id, _)| id)
        .ok_or_else(|| {
            not_found(format!(
                "producer {pid} holds {topic}-{partition} open since {start}, but no \
                 transactional id has it open"
            ))
        })
}
