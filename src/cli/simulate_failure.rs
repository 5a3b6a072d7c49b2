//! `filka simulate-failure`: take brokers down and up (with power loss), pause followers,
//! flip bytes and tear writes, and print what the cluster did about it: leaders elected,
//! ISRs shrunk and expanded, replicas recovered and truncated.

use anyhow::Context;

use super::{GlobalArgs, OutputFormat};
use crate::cluster::failover::{self, Report};
use crate::cluster::failure::{self, Damage};
use crate::cluster::lock::FileLock;
use crate::cluster::metadata::MetadataRecord;
use crate::cluster::writer::ReplicaEvent;
use crate::error::ExitCode;
use crate::output::Printer;

const EXAMPLES: &str = "\
Examples:
  Kill the leader of a partition and watch the election:
    filka describe partition demo 0
    filka simulate-failure broker-down 101
    filka describe partition demo 0

  Power loss: the broker also loses every byte written since its last flush:
    filka simulate-failure broker-down 102 --power-loss
    filka simulate-failure broker-up 102

  The controller quorum: stop its leader and watch the election:
    filka describe quorum
    filka simulate-failure controller-down 101
    filka simulate-failure controller-up 101

  A slow follower: it stops copying and leaves the ISR after replica.lag.time.max.ms:
    filka simulate-failure pause-replication 103
    filka simulate-failure resume-replication 103

  Damage a replica's segment, then see it found:
    filka simulate-failure corrupt --broker 101 --topic demo --partition 0 --count 3 --seed 7
    filka simulate-failure torn-write --broker 101 --topic demo --partition 0";

/// Make brokers fail in the ways Kafka brokers fail, and see how the cluster copes.
///
/// Every subcommand prints what changed: brokers fenced or back, leaders elected (with
/// their new leader epoch), ISRs shrunk or expanded, replicas recovered after an unclean
/// stop, truncated to agree with their leader (KIP-101/279), or caught up.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// What to break.
    #[command(subcommand)]
    pub what: What,
}

/// The failures.
#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// Stop a broker: it leaves every ISR and the partitions it led elect new leaders.
    #[command(
        after_long_help = "Examples:\n  filka simulate-failure broker-down 101\n  filka simulate-failure broker-down 101 --power-loss"
    )]
    BrokerDown {
        /// Broker id.
        id: i32,
        /// Also lose every byte its replicas wrote after their last flush (the recovery
        /// point; flush.messages decides how often that is), plus a torn tail.
        #[arg(long)]
        power_loss: bool,
    },
    /// Start a broker again: recovery, truncation by leader epoch, catch-up, ISR rejoin.
    #[command(after_long_help = "Examples:\n  filka simulate-failure broker-up 101")]
    BrokerUp {
        /// Broker id.
        id: i32,
    },
    /// Stop a controller alone (a voter of the KRaft quorum); when it led, the others elect
    /// a new leader with a higher epoch. A combined node's broker keeps running (its
    /// broker-down stops both). Without a majority of voters, no metadata change is made
    /// (exit 14).
    #[command(after_long_help = "Examples:
  filka describe quorum
  filka simulate-failure controller-down 101
  filka describe quorum")]
    ControllerDown {
        /// Controller (voter) id.
        id: i32,
    },
    /// Start a stopped controller again: it catches up from the leader; if it restores a
    /// majority, the quorum elects a leader and fences brokers that stopped meanwhile.
    #[command(after_long_help = "Examples:
  filka simulate-failure controller-up 101")]
    ControllerUp {
        /// Controller (voter) id.
        id: i32,
    },
    /// Stop a broker's followers from copying (a slow or cut-off follower).
    #[command(after_long_help = "Examples:\n  filka simulate-failure pause-replication 103")]
    PauseReplication {
        /// Broker id.
        id: i32,
    },
    /// Let a paused broker's followers copy again; they catch up and rejoin the ISR.
    #[command(after_long_help = "Examples:\n  filka simulate-failure resume-replication 103")]
    ResumeReplication {
        /// Broker id.
        id: i32,
    },
    /// Flip bytes in a replica's segment data, then do what Kafka does about it: a damaged
    /// leader goes offline (its log dir failed) and an in-sync replica leads; a damaged
    /// follower is cut and fetched again from the leader. Nothing acknowledged is lost
    /// while a healthy in-sync replica holds it. An offline replica is tried again when
    /// its broker restarts (broker-down, then broker-up).
    #[command(
        after_long_help = "Examples:\n  filka simulate-failure corrupt --broker 101 --topic demo --partition 0 --count 3 --seed 7"
    )]
    Corrupt {
        /// Broker holding the replica.
        #[arg(long)]
        broker: i32,
        /// Topic.
        #[arg(long)]
        topic: String,
        /// Partition.
        #[arg(long)]
        partition: u32,
        /// How many bytes to flip.
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// Seed choosing the bytes (the same seed flips the same bytes).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Cut a replica's active segment in the middle of its last batch, as a crash during
    /// a write leaves it, then recover it as Kafka does after an unclean stop: the torn
    /// batch is cut; a leader left below the high watermark its in-sync replicas reached
    /// has lost acknowledged records, so it goes offline and an in-sync replica leads.
    #[command(
        after_long_help = "Examples:\n  filka simulate-failure torn-write --broker 101 --topic demo --partition 0"
    )]
    TornWrite {
        /// Broker holding the replica.
        #[arg(long)]
        broker: i32,
        /// Topic.
        #[arg(long)]
        topic: String,
        /// Partition.
        #[arg(long)]
        partition: u32,
    },
}

fn ids(v: &[i32]) -> String {
    let v: Vec<String> = v.iter().map(i32::to_string).collect();
    format!("[{}]", v.join(","))
}

fn change_line(r: &MetadataRecord) -> String {
    match r {
        MetadataRecord::FenceBroker { id } => format!("broker {id} is down"),
        MetadataRecord::UnfenceBroker { id } => format!("broker {id} is up"),
        MetadataRecord::SetReplicationPaused { id, paused: true } => {
            format!("broker {id}: replication paused (its followers stop copying)")
        }
        MetadataRecord::SetReplicationPaused { id, paused: false } => {
            format!("broker {id}: replication resumed")
        }
        MetadataRecord::PartitionChange {
            topic,
            partition,
            leader,
            leader_epoch,
            isr,
            reason,
            offline_replicas,
        } => {
            let leader = if *leader < 0 {
                "none (offline)".to_string()
            } else {
                leader.to_string()
            };
            let offline = match offline_replicas {
                Some(o) if !o.is_empty() => format!(", offline replicas {}", ids(o)),
                _ => String::new(),
            };
            format!(
                "{topic}-{partition}: leader {leader}, epoch {leader_epoch}, isr {}{offline} \
                 ({reason})",
                ids(isr)
            )
        }
        other => format!("{other:?}"),
    }
}

fn damage_line(d: &Damage) -> String {
    let tp = format!("{}-{} on broker {}", d.topic, d.partition, d.broker);
    if !d.flipped.is_empty() {
        let at: Vec<String> = d
            .flipped
            .iter()
            .map(|(seg, pos)| format!("{seg:020}.log byte {pos}"))
            .collect();
        return format!(
            "{tp}: flipped {} byte(s): {}",
            d.flipped.len(),
            at.join(", ")
        );
    }
    match d.lost_from {
        Some(from) => format!(
            "{tp}: {} no longer whole on disk ({} bytes gone, {} torn bytes left at the end)",
            // A batch whose header was already damaged has no trusted end.
            if d.log_end_before > from {
                format!("offsets {from}..{}", d.log_end_before - 1)
            } else {
                format!("offsets from {from} on")
            },
            d.bytes_removed,
            d.torn_bytes
        ),
        None => format!("{tp}: nothing lost (everything was flushed)"),
    }
}

pub(crate) fn event_line(topic: &str, partition: u32, e: &ReplicaEvent) -> String {
    let tp = format!("{topic}-{partition}");
    match e {
        ReplicaEvent::Recovered {
            broker,
            bytes,
            reason,
        } => {
            format!("{tp}: broker {broker} recovered, cut {bytes} bytes ({reason})")
        }
        ReplicaEvent::Truncated { broker, from, to } => format!(
            "{tp}: broker {broker} truncated offsets {from}..{} to agree with the leader (dropped {} records)",
            to - 1,
            to - from
        ),
        ReplicaEvent::Repaired { broker, detail } => {
            format!("{tp}: broker {broker} repaired: {detail}")
        }
        ReplicaEvent::Failed {
            broker,
            reason,
            leader,
            leader_epoch,
        } => format!(
            "{tp}: the replica on broker {broker} failed and is offline until its broker \
             restarts ({reason}); {}",
            if *leader < 0 {
                "the partition has no leader now (offline)".to_string()
            } else {
                format!("leader {leader}, epoch {leader_epoch}")
            }
        ),
        ReplicaEvent::CaughtUp { broker, from, to } => {
            format!("{tp}: broker {broker} caught up from offset {from} to {to}")
        }
        ReplicaEvent::Isr {
            before,
            after,
            reason,
        } => {
            format!("{tp}: isr {} -> {} ({reason})", ids(before), ids(after))
        }
    }
}

fn print(report: &Report, global: &GlobalArgs) -> anyhow::Result<()> {
    let mut out = Printer::stdout();
    if global.output == OutputFormat::Json {
        out.json_line(report)?;
        return Ok(out.finish()?);
    }
    for d in &report.damage {
        out.line(&damage_line(d))?;
    }
    for e in &report.elections {
        out.line(&format!(
            "controller quorum: {} elected leader in epoch {}{}",
            e.leader,
            e.epoch,
            match (e.previous, e.previous_stopped) {
                (p, _) if p < 0 => String::new(),
                (p, true) => format!(" ({p} stopped)"),
                (p, false) => format!(" ({p}'s log held records no majority had: cut)"),
            }
        ))?;
    }
    for r in &report.changes {
        out.line(&change_line(r))?;
    }
    for (t, p, e) in &report.events {
        out.line(&event_line(t, *p, e))?;
    }
    for (t, p) in &report.offline {
        out.line(&format!(
            "{t}-{p}: still offline (no in-sync replica is up)"
        ))?;
    }
    if report.damage.is_empty()
        && report.elections.is_empty()
        && report.changes.is_empty()
        && report.events.is_empty()
        && report.offline.is_empty()
    {
        out.line("nothing changed")?;
    }
    Ok(out.finish()?)
}

/// Runs the command.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    global.accept(
        "simulate-failure",
        super::global::TEXT_JSON,
        super::global::VERBOSE,
    )?;
    let mut cluster = super::open_cluster(global)?;
    let metadata_before = cluster.state().metadata_offset;
    let report = match &args.what {
        What::BrokerDown { id, power_loss } => {
            failover::broker_down(&mut cluster, *id, *power_loss)
                .with_context(|| format!("broker-down {id}"))?
        }
        What::BrokerUp { id } => {
            failover::broker_up(&mut cluster, *id).with_context(|| format!("broker-up {id}"))?
        }
        What::ControllerDown { id } => failover::controller_down(&mut cluster, *id)
            .with_context(|| format!("controller-down {id}"))?,
        What::ControllerUp { id } => failover::controller_up(&mut cluster, *id)
            .with_context(|| format!("controller-up {id}"))?,
        What::PauseReplication { id } => failover::set_paused(&mut cluster, *id, true)
            .with_context(|| format!("pause-replication {id}"))?,
        What::ResumeReplication { id } => failover::set_paused(&mut cluster, *id, false)
            .with_context(|| format!("resume-replication {id}"))?,
        What::Corrupt {
            broker,
            topic,
            partition,
            count,
            seed,
        } => {
            failure::replica_dir(&cluster, topic, *partition, *broker).context("corrupt")?;
            let _lock = FileLock::exclusive(&cluster.layout().partition_lock(topic, *partition))?;
            let d = failure::corrupt(cluster.layout(), topic, *partition, *broker, *count, *seed)
                .context("corrupt")?;
            drop(_lock);
            // What Kafka does about it, now: a damaged leader goes offline and an in-sync
            // replica leads; a damaged follower is fetched again from the leader.
            let after = failover::after_damage(&mut cluster, topic, *partition, *broker, false)
                .context("corrupt")?;
            Report {
                damage: vec![d],
                ..after
            }
        }
        What::TornWrite {
            broker,
            topic,
            partition,
        } => {
            failure::replica_dir(&cluster, topic, *partition, *broker).context("torn-write")?;
            let lock = FileLock::exclusive(&cluster.layout().partition_lock(topic, *partition))?;
            let d = failure::torn_write(cluster.layout(), topic, *partition, *broker)
                .context("torn-write")?;
            crate::cluster::writer::mark_unclean(&lock)?;
            drop(lock);
            let after = failover::after_damage(&mut cluster, topic, *partition, *broker, true)
                .context("torn-write")?;
            Report {
                damage: vec![d],
                ..after
            }
        }
    };
    print(&report, global)?;
    if global.verbose_at(1) {
        cluster.reload()?;
        global.metadata_written("simulate-failure", &cluster, metadata_before);
    }
    Ok(ExitCode::Success)
}
