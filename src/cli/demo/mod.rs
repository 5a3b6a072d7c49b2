//! `filka demo [DIR]`: plays the seed's example end to end on a fresh cluster and says what
//! happens at each step, with the command that does the same by hand:
//! a website produces `user-interactions`, an analytics and a database consumer each read
//! all of it, trucks keyed by id land in fixed partitions of `trucks_gps`, a broker fails
//! and comes back without losing anything, and a consumer that crashes shows the three
//! delivery semantics: at-most-once, at-least-once, exactly-once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::GlobalArgs;
use crate::client::consumer::{Consumer, Poll, StartOffset};
use crate::client::producer::{Producer, ProducerConfig, ProducerRecord};
use crate::cluster::Cluster;
use crate::error::ExitCode;
use crate::output::{Printer, Table};

const EXAMPLES: &str = "\
Examples:
  Play the example in a new folder ./filka-demo (or filka-demo-2, ... if taken):
    filka demo

  Play it in a folder of your choice, then look around:
    filka demo /tmp/kafka-tour
    filka --cluster /tmp/kafka-tour describe cluster";

/// Play the seed's example end to end on a fresh cluster, step by step.
///
/// Creates a 3-broker cluster (ids 101, 102, 103), a `user-interactions` topic that a website
/// produces to and that an analytics and a database consumer each read in full, and a
/// `trucks_gps` topic where each truck's positions, keyed by truck id, land in one fixed
/// partition. Then broker 101 fails (leaders move, nothing is lost) and comes back (it catches
/// up and leads again), and a billing consumer that crashes after 3 of 10 orders shows
/// at-most-once, at-least-once and exactly-once delivery. Each step prints the filka command
/// that does the same by hand.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Folder for the demo cluster; must not hold a cluster yet. Default: a new folder
    /// ./filka-demo (or ./filka-demo-N).
    #[arg(value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

/// The website's page views: (user, page).
const INTERACTIONS: &[(&str, &str)] = &[
    ("user-42", "viewed /pricing"),
    ("user-7", "viewed /"),
    ("user-42", "clicked 'Start trial'"),
    ("user-13", "viewed /docs"),
    ("user-7", "searched 'kafka partitions'"),
    ("user-8", "viewed /blog/acks"),
    ("user-13", "clicked 'Download'"),
    ("user-42", "signed up"),
    ("user-8", "viewed /pricing"),
    ("user-7", "logged out"),
];

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

fn consume_all(cluster: &Cluster, topic: &str) -> anyhow::Result<Vec<(u32, i64, String, String)>> {
    let mut c = Consumer::new(cluster.clone(), topic, None, StartOffset::Beginning, false)?;
    let mut out = Vec::new();
    loop {
        let poll = c.poll(&mut |f| {
            out.push((
                f.partition,
                f.record.offset,
                String::from_utf8_lossy(f.record.key.unwrap_or_default()).into_owned(),
                String::from_utf8_lossy(f.record.value.unwrap_or_default()).into_owned(),
            ));
            Ok(())
        })?;
        if poll == Poll::End {
            break;
        }
    }
    out.sort_by_key(|r| (r.0, r.1));
    Ok(out)
}

struct Narrator<'a> {
    out: Printer,
    cluster_flag: String,
    step: u32,
    _dir: &'a Path,
}

impl Narrator<'_> {
    fn step(&mut self, title: &str, command: &str) -> std::io::Result<()> {
        self.step += 1;
        self.out.line("")?;
        self.out.line(&format!("== Step {}: {title}", self.step))?;
        if !command.is_empty() {
            self.out.line(&format!(
                "   $ filka --cluster {} {command}",
                self.cluster_flag
            ))?;
        }
        Ok(())
    }
    fn say(&mut self, text: &str) -> std::io::Result<()> {
        self.out.line(&format!("   {text}"))
    }
}

/// Runs the demo.
pub fn run(args: &Args, _global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let dir = args.dir.clone().unwrap_or_else(free_dir);
    let mut cluster = Cluster::init(&dir, 3, 101)
        .with_context(|| format!("demo: creating a cluster in {}", dir.display()))?;
    let mut n = Narrator {
        out: Printer::stdout(),
        cluster_flag: dir.display().to_string(),
        step: 0,
        _dir: &dir,
    };
    n.out.line(&format!(
        "filka demo: a 3-broker Kafka cluster in {}/ (cluster id {})",
        dir.display(),
        cluster.state().cluster_id
    ))?;

    n.step(
        "three brokers, each a folder of Kafka log files",
        "init --brokers 3 --first-id 101",
    )?;
    for id in cluster.state().broker_ids() {
        n.say(&format!(
            "broker-{id}/  (meta.properties, checkpoint files)"
        ))?;
    }

    n.step(
        "a topic for the website's events: 3 partitions, each on 3 brokers",
        "topic create user-interactions -p 3 -r 3",
    )?;
    let mut configs = BTreeMap::new();
    configs.insert("min.insync.replicas".to_string(), "2".to_string());
    cluster.create_topic("user-interactions", 3, 3, configs, false)?;
    for p in &cluster.topic("user-interactions")?.partitions {
        n.say(&format!(
            "partition {}: leader broker {}, replicas {:?}, in sync {:?}",
            p.partition, p.leader, p.replicas, p.isr
        ))?;
    }

    n.step(
        "the website produces page views, keyed by user id",
        "produce -t user-interactions -K ':'   # lines like user-42:viewed /pricing",
    )?;
    let mut producer = Producer::new(
        cluster.clone(),
        "user-interactions",
        ProducerConfig::default(),
    )?;
    for (user, action) in INTERACTIONS {
        producer.send(&ProducerRecord {
            key: Some(user.as_bytes()),
            value: Some(action.as_bytes()),
            ..Default::default()
        })?;
    }
    producer.close()?;
    n.say(&format!(
        "{} records sent; the same key always goes to the same partition (murmur2(key) % 3):",
        INTERACTIONS.len()
    ))?;
    let records = consume_all(&cluster, "user-interactions")?;
    let mut by_user: BTreeMap<&str, u32> = BTreeMap::new();
    for (p, _, k, _) in &records {
        by_user.insert(k.as_str(), *p);
    }
    for (user, p) in &by_user {
        n.say(&format!("  {user} -> partition {p}"))?;
    }

    n.step(
        "the analytics consumer reads everything and counts actions",
        "consume -t user-interactions --format '%v\\n' | cut -d' ' -f1 | sort | uniq -c",
    )?;
    let records = consume_all(&cluster, "user-interactions")?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, _, _, v) in &records {
        *counts.entry(v.split(' ').next().unwrap_or("")).or_default() += 1;
    }
    for (action, count) in &counts {
        n.say(&format!("{count:>3} {action}"))?;
    }
    n.step(
        "the database consumer reads everything too, with partitions and offsets",
        "consume -t user-interactions --format '%p:%o %k %v\\n'",
    )?;
    let records = consume_all(&cluster, "user-interactions")?;
    for (p, o, k, v) in &records {
        n.say(&format!("{p}:{o} {k} {v}"))?;
    }
    n.say(&format!(
        "{} records for each consumer: reading removes nothing, and order holds within a partition.",
        records.len()
    ))?;

    n.step(
        "trucks report GPS positions into trucks_gps, keyed by truck id",
        "topic create trucks_gps -p 10 -r 3 && produce -t trucks_gps -K '\\t'",
    )?;
    cluster.create_topic("trucks_gps", 10, 3, BTreeMap::new(), false)?;
    let mut producer = Producer::new(cluster.clone(), "trucks_gps", ProducerConfig::default())?;
    for round in 0..3 {
        for truck in 120..126 {
            let key = format!("truckID{truck}");
            let value = format!(
                "{{\"truck\":{truck},\"lat\":{:.4},\"lon\":{:.4}}}",
                48.85 + f64::from(truck - 120) * 0.01 + f64::from(round) * 0.001,
                2.35 + f64::from(round) * 0.002
            );
            producer.send(&ProducerRecord {
                key: Some(key.as_bytes()),
                value: Some(value.as_bytes()),
                ..Default::default()
            })?;
        }
    }
    producer.close()?;
    let records = consume_all(&cluster, "trucks_gps")?;
    let mut table = Table::new(["TRUCK", "PARTITION", "OFFSETS"]);
    let mut by_truck: BTreeMap<String, (u32, Vec<i64>)> = BTreeMap::new();
    for (p, o, k, _) in &records {
        let e = by_truck.entry(k.clone()).or_insert((*p, Vec::new()));
        e.1.push(*o);
    }
    for (truck, (p, offsets)) in &by_truck {
        let offsets: Vec<String> = offsets.iter().map(i64::to_string).collect();
        table.row([truck.clone(), p.to_string(), offsets.join(",")]);
    }
    n.say("each truck's positions land in one partition, in order:")?;
    for line in table.render(crate::output::TableStyle::Plain).lines() {
        n.say(line)?;
    }

    n.step(
        "broker 101 fails: its partitions elect new leaders, nothing is lost",
        "simulate-failure broker-down 101",
    )?;
    let down = crate::cluster::failover::broker_down(&mut cluster, 101, false)?;
    let mut moved = 0;
    for r in &down.changes {
        if let crate::cluster::MetadataRecord::PartitionChange {
            topic,
            partition,
            leader,
            leader_epoch,
            reason,
            ..
        } = r
            && reason.contains("went down: ")
        {
            moved += 1;
            n.say(&format!(
                "{topic}-{partition}: new leader {leader} (leader epoch {leader_epoch})"
            ))?;
        }
    }
    n.say(&format!(
        "{moved} partition{} changed leader; 101 left every ISR. Consumers still read it all: {} records in trucks_gps.",
        if moved == 1 { "" } else { "s" },
        consume_all(&cluster, "trucks_gps")?.len()
    ))?;
    n.step(
        "broker 101 comes back, catches up and rejoins the ISRs",
        "simulate-failure broker-up 101 && topic elect-leaders",
    )?;
    crate::cluster::failover::broker_up(&mut cluster, 101)?;
    let back = crate::cluster::failover::elect_leaders(&mut cluster, None)?;
    n.say(&format!(
        "101 is in sync again and leads its {} preferred partitions once more.",
        back.changes.len()
    ))?;

    delivery_semantics(&mut n, &mut cluster)?;

    n.step("the cluster now", "describe topics")?;
    // The real command's table, so what the demo shows is what the command prints.
    let table = super::describe::topics_table(&cluster, false)?;
    for line in table.render(crate::output::TableStyle::Plain).lines() {
        n.say(line)?;
    }
    n.out.line("")?;
    n.out.line("Look around next:")?;
    for cmd in [
        "describe cluster",
        "describe history",
        "consume -t trucks_gps -p 3 --format '%k %v\\n'",
        "dump broker-101/user-interactions-0/00000000000000000000.log --print-data",
    ] {
        let cmd = if cmd.starts_with("dump") {
            cmd.replace("broker-101", &format!("{}/broker-101", dir.display()))
        } else {
            cmd.to_string()
        };
        let prefix = if cmd.starts_with("dump") {
            "filka".to_string()
        } else {
            format!("filka --cluster {}", dir.display())
        };
        n.out.line(&format!("  $ {prefix} {cmd}"))?;
    }
    n.out.finish()?;
    Ok(ExitCode::Success)
}

/// The three delivery semantics, with a consumer that crashes after 3 of 10 orders: its
/// group's offsets committed before processing lose 7 (at-most-once), committed after
/// deliver 3 twice (at-least-once), committed in a transaction with the output deliver each
/// once (exactly-once, what `filka pipe` does).
fn delivery_semantics(n: &mut Narrator<'_>, cluster: &mut Cluster) -> anyhow::Result<()> {
    use crate::client::consumer::Isolation;
    use crate::group::offsets;

    cluster.create_topic("orders", 1, 3, BTreeMap::new(), false)?;
    cluster.create_topic("invoices", 1, 3, BTreeMap::new(), false)?;
    let mut p = Producer::new(cluster.clone(), "orders", ProducerConfig::default())?;
    for i in 1..=10 {
        let v = format!("order-{i}");
        p.send(&ProducerRecord {
            value: Some(v.as_bytes()),
            ..Default::default()
        })?;
    }
    p.close()?;
    let tp = ("orders".to_string(), 0);
    let committed = |c: &Cluster, g: &str| -> anyhow::Result<i64> {
        let mut c = c.clone();
        c.reload()?;
        Ok(offsets::read(&c, g)?.get(&tp).map_or(0, |v| v.offset))
    };

    n.step(
        "at-most-once: commit, then process; a crash after 3 of 10 orders loses 7",
        "consume -t orders -g billing-amo --commit before",
    )?;
    offsets::commit(cluster, "billing-amo", &[(tp.clone(), 10)])?;
    n.say(&format!(
        "the group committed offset 10 before processing; it crashed after order-3; on restart \
         it resumes at {}: order-4..order-10 are never processed.",
        committed(cluster, "billing-amo")?
    ))?;

    n.step(
        "at-least-once: process, then commit; the same crash processes 3 twice",
        "consume -t orders -g billing-alo --commit auto",
    )?;
    n.say(&format!(
        "it processed order-1..order-3 and crashed before committing; on restart it resumes \
         at {}: order-1..order-3 are processed again (duplicates, nothing lost).",
        committed(cluster, "billing-alo")?
    ))?;

    n.step(
        "exactly-once: output and offsets in one transaction; the crash leaves nothing behind",
        "pipe --from orders --to invoices --group billing-eo -- sed s/order/invoice/",
    )?;
    let invoice = |i: u32| format!("invoice-{i}");
    let mut tx = Producer::new(cluster.clone(), "invoices", ProducerConfig::default())?;
    tx.init_transactions("billing-eo", 60_000)?;
    for i in 1..=3 {
        tx.send(&ProducerRecord {
            value: Some(invoice(i).as_bytes()),
            ..Default::default()
        })?;
    }
    tx.flush()?;
    tx.send_offsets("billing-eo", &[(tp.clone(), 3)])?;
    drop(tx); // The crash: no commit, and its holder lock is free.
    let mut again = Producer::new(cluster.clone(), "invoices", ProducerConfig::default())?;
    let finished = again.init_transactions("billing-eo", 60_000)?;
    let start = committed(cluster, "billing-eo")?;
    n.say(&format!(
        "it wrote invoice-1..invoice-3 and crashed before its commit; the next run {} that \
         transaction and resumes at offset {start}.",
        if finished.is_some_and(|f| !f.committed) {
            "aborted"
        } else {
            "found no"
        }
    ))?;
    for i in 1..=10 {
        again.send(&ProducerRecord {
            value: Some(invoice(i).as_bytes()),
            ..Default::default()
        })?;
    }
    again.send_offsets("billing-eo", &[(tp.clone(), 10)])?;
    again.commit_transaction()?;
    again.close()?;
    let read = |isolation: Isolation| -> anyhow::Result<usize> {
        let mut c = cluster.clone();
        c.reload()?;
        let mut consumer = Consumer::with_isolation(
            c,
            "invoices",
            &[(0, StartOffset::Beginning)],
            false,
            isolation,
        )?;
        let mut count = 0;
        while consumer.poll(&mut |_| {
            count += 1;
            Ok(())
        })? != Poll::End
        {}
        Ok(count)
    };
    n.say(&format!(
        "invoices holds {} records, the aborted 3 included; read_committed sees {}: each order \
         invoiced once.",
        read(Isolation::ReadUncommitted)?,
        read(Isolation::ReadCommitted)?
    ))?;
    Ok(())
}
