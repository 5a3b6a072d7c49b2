//! Steps 1 to 8 and 12 of the demo: the cluster, the website's topic and its two consumers,
//! the trucks, broker 101 down and up, and the cluster at the end (9 to 11 are in
//! semantics.rs). Each step runs real command lines and concludes only from what they
//! printed.
//!
//! Must not: call the library to find out what happened; what a step says comes from the
//! output of the commands it printed.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::anyhow;
use serde_json::json;

use super::report::Report;
use super::shell::{Line, Ran, Runner};

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

/// The trucks, and the positions each reports (two rounds).
const TRUCKS: std::ops::Range<u32> = 120..126;
const ROUNDS: u32 = 2;

/// The broker that fails in step 7.
const FAILING: i32 = 101;

/// The demo in progress: its runner, its teller, and what earlier steps established.
pub(super) struct Demo {
    pub(super) run: Runner,
    pub(super) report: Report,
    /// The leader of each partition created in steps 2 and 6 (`TOPIC-P` -> broker), as
    /// `topic create` printed it.
    leaders: BTreeMap<String, i32>,
    /// Records produced to trucks_gps.
    truck_records: usize,
    /// The partition of trucks_gps holding the most trucks' records.
    busiest_truck_partition: u32,
    /// Partitions that lost broker 101 from their ISR in step 7.
    shrunk: usize,
    /// Partitions whose leader moved away from broker 101 in step 7.
    moved: usize,
}

/// `COUNT WHAT`, with WHAT in the plural (an `s` added) unless COUNT is 1.
pub(super) fn plural(count: usize, what: &str) -> String {
    format!("{count} {what}{}", if count == 1 { "" } else { "s" })
}

/// The numbers of a comma-separated broker list (`102,101,103`).
fn brokers(list: &str) -> Vec<i32> {
    list.split(',').filter_map(|b| b.parse().ok()).collect()
}

/// The rows of a `Partition Leader Replicas Isr` table: (partition, leader, replicas, isr).
fn partition_rows(stdout: &[String]) -> Vec<(u32, i32, Vec<i32>, Vec<i32>)> {
    stdout
        .iter()
        .filter_map(|l| {
            let t: Vec<&str> = l.split_whitespace().collect();
            match t.as_slice() {
                [p, leader, replicas, isr] => Some((
                    p.parse().ok()?,
                    leader.parse().ok()?,
                    brokers(replicas),
                    brokers(isr),
                )),
                _ => None,
            }
        })
        .collect()
}

impl Demo {
    /// A demo that runs with `run` and tells with `report`.
    pub(super) fn new(run: Runner, report: Report) -> Demo {
        Demo {
            run,
            report,
            leaders: BTreeMap::new(),
            truck_records: 0,
            busiest_truck_partition: 0,
            shrunk: 0,
            moved: 0,
        }
    }

    /// Tells `line`, runs it, tells what it printed, and fails the demo unless it exited
    /// with one of `codes`.
    pub(super) fn exec(&mut self, line: &Line, codes: &[i32]) -> anyhow::Result<Ran> {
        self.report.command(line)?;
        let ran = self.run.run(line)?;
        self.report.output(&ran)?;
        self.check_status(line, &ran, codes)?;
        Ok(ran)
    }

    /// Fails the demo unless `ran` exited with one of `codes`.
    pub(super) fn check_status(
        &mut self,
        line: &Line,
        ran: &Ran,
        codes: &[i32],
    ) -> anyhow::Result<()> {
        if ran.code().is_some_and(|c| codes.contains(&c)) {
            return Ok(());
        }
        let (step, title) = self.report.failed();
        let text = line.text();
        let first = text.lines().next().unwrap_or_default();
        let more = if text.contains('\n') { " ..." } else { "" };
        Err(anyhow!(
            "demo: step {step} ({title}): `{first}{more}` ended with {}",
            ran.status
        ))
    }

    /// Step 1: `init`.
    pub(super) fn brokers(&mut self) -> anyhow::Result<()> {
        self.report
            .step("three brokers, each a folder of Kafka log files")?;
        let line = self
            .run
            .filka(&["init", "--brokers", "3", "--first-id", "101"]);
        let ran = self.exec(&line, &[0])?;
        // `DIR/broker-101/meta.properties   broker 101`
        let ids: Vec<i32> = ran
            .stdout
            .iter()
            .filter(|l| l.contains("meta.properties"))
            .filter_map(|l| {
                let t: Vec<&str> = l.split_whitespace().collect();
                match t.as_slice() {
                    [.., "broker", id] => id.parse().ok(),
                    _ => None,
                }
            })
            .collect();
        let list: Vec<String> = ids.iter().map(i32::to_string).collect();
        self.report.say(&format!(
            "{}: {}, each a folder holding meta.properties and checkpoint files",
            plural(ids.len(), "broker"),
            list.join(", ")
        ))?;
        self.report.expect(ids == [101, 102, 103], || {
            format!("init made brokers [{}], not 101, 102, 103", list.join(", "))
        })?;
        let summary = format!("cluster in {}, brokers {}", self.run.dir(), list.join(", "));
        self.report.end(&summary, json!({ "brokers": ids }))?;
        Ok(())
    }

    /// Remembers the leaders of the partitions a `topic create` printed; returns its rows.
    fn created(&mut self, topic: &str, ran: &Ran) -> Vec<(u32, i32, Vec<i32>, Vec<i32>)> {
        let rows = partition_rows(&ran.stdout);
        for (p, leader, _, _) in &rows {
            self.leaders.insert(format!("{topic}-{p}"), *leader);
        }
        rows
    }

    /// Step 2: `topic create user-interactions`.
    pub(super) fn website_topic(&mut self) -> anyhow::Result<()> {
        self.report
            .step("a topic for the website's events: 3 partitions, each on 3 brokers")?;
        let line = self
            .run
            .filka(&["topic", "create", "user-interactions", "-p", "3", "-r", "3"]);
        let ran = self.exec(&line, &[0])?;
        let rows = self.created("user-interactions", &ran);
        let replicas: Vec<usize> = rows.iter().map(|r| r.2.len()).collect();
        let in_sync: Vec<usize> = rows.iter().map(|r| r.3.len()).collect();
        let leaders: BTreeSet<i32> = rows.iter().map(|r| r.1).collect();
        let distinct = rows
            .iter()
            .all(|r| r.2.iter().collect::<BTreeSet<_>>().len() == r.2.len());
        let all_in_sync = rows.iter().all(|r| r.3.len() == r.2.len());
        self.report.say(&format!(
            "{}, with {} replicas each, {}, {}; {} different leaders",
            plural(rows.len(), "partition"),
            replicas
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join("/"),
            if distinct {
                "on distinct brokers"
            } else {
                "some on the same broker"
            },
            if all_in_sync {
                "all in sync"
            } else {
                "not all in sync"
            },
            leaders.len()
        ))?;
        self.report.expect(
            rows.len() == 3 && distinct && replicas == [3, 3, 3] && in_sync == [3, 3, 3],
            || format!("partitions with replicas {replicas:?} and in-sync replicas {in_sync:?}"),
        )?;
        self.report.end(
            &format!(
                "{}, replicas {replicas:?}, in sync {in_sync:?}",
                plural(rows.len(), "partition")
            ),
            json!({"partitions": rows.len(), "replicas": replicas, "in_sync": in_sync}),
        )?;
        Ok(())
    }

    /// Step 3: the website produces, keyed by user.
    pub(super) fn website_produces(&mut self) -> anyhow::Result<()> {
        self.report
            .step("the website produces page views, keyed by user id")?;
        let input: Vec<String> = INTERACTIONS
            .iter()
            .map(|(user, page)| format!("{user}:{page}"))
            .collect();
        let line = self.run.shell(format!(
            "{} <<'EOF'\n{}\nEOF",
            self.run.filka_text(&[
                "produce",
                "-t",
                "user-interactions",
                "-K",
                ":",
                "--print-offsets"
            ]),
            input.join("\n")
        ));
        let ran = self.exec(&line, &[0])?;
        // One `PARTITION<TAB>OFFSET` line per input line, in order.
        let acks: Vec<(u32, i64)> = ran
            .stdout
            .iter()
            .filter_map(|l| {
                let (p, o) = l.split_once('\t')?;
                Some((p.parse().ok()?, o.parse().ok()?))
            })
            .collect();
        let mut partitions: BTreeMap<&str, BTreeSet<u32>> = BTreeMap::new();
        for ((user, _), (p, _)) in INTERACTIONS.iter().zip(&acks) {
            partitions.entry(user).or_default().insert(*p);
        }
        let one_each = partitions.values().all(|ps| ps.len() == 1);
        let list: Vec<String> = partitions
            .iter()
            .map(|(user, ps)| {
                let ps: Vec<String> = ps.iter().map(u32::to_string).collect();
                format!("{user} -> {}", ps.join(","))
            })
            .collect();
        self.report.say(&format!(
            "{} written (partition, offset); each user's records went to {} (murmur2(key) % 3):\n  {}",
            plural(acks.len(), "record"),
            if one_each { "one partition" } else { "several partitions" },
            list.join(", ")
        ))?;
        self.report.expect(acks.len() == INTERACTIONS.len(), || {
            format!(
                "{} of {} records acknowledged",
                acks.len(),
                INTERACTIONS.len()
            )
        })?;
        self.report.expect(one_each, || {
            "a user's records went to more than one partition".to_string()
        })?;
        let partition_of: BTreeMap<&str, Vec<u32>> = partitions
            .iter()
            .map(|(u, ps)| (*u, ps.iter().copied().collect()))
            .collect();
        self.report.end(
            &format!(
                "{} produced; {}",
                plural(acks.len(), "record"),
                list.join(", ")
            ),
            json!({"records": acks.len(), "partitions_of_user": partition_of}),
        )?;
        Ok(())
    }

    /// Step 4: the analytics consumer counts actions.
    pub(super) fn analytics(&mut self) -> anyhow::Result<()> {
        self.report
            .step("the analytics consumer reads everything and counts actions")?;
        let line = self.run.shell(format!(
            "{} | cut -d' ' -f1 | sort | uniq -c",
            self.run
                .filka_text(&["consume", "-t", "user-interactions", "--format", "%v\\n"])
        ));
        let ran = self.exec(&line, &[0])?;
        let counts: BTreeMap<String, usize> = ran
            .stdout
            .iter()
            .filter_map(|l| {
                let (count, action) = l.trim().split_once(' ')?;
                Some((action.trim().to_string(), count.parse().ok()?))
            })
            .collect();
        let read: usize = counts.values().sum();
        self.report.say(&format!(
            "{} read, {} of action",
            plural(read, "record"),
            plural(counts.len(), "kind")
        ))?;
        self.report.expect(read == INTERACTIONS.len(), || {
            format!("analytics read {read} of {} records", INTERACTIONS.len())
        })?;
        self.report.end(
            &format!("{} read", plural(read, "record")),
            json!({"records_read": read, "actions": counts}),
        )?;
        Ok(())
    }

    /// Step 5: the database consumer reads everything too.
    pub(super) fn database(&mut self) -> anyhow::Result<()> {
        self.report
            .step("the database consumer reads everything too, with partitions and offsets")?;
        let line = self.run.filka(&[
            "consume",
            "-t",
            "user-interactions",
            "--format",
            "%p:%o %k %v\\n",
        ]);
        let ran = self.exec(&line, &[0])?;
        // `PARTITION:OFFSET KEY VALUE`
        let records: Vec<(u32, i64, String)> = ran
            .stdout
            .iter()
            .filter_map(|l| {
                let (at, rest) = l.split_once(' ')?;
                let (p, o) = at.split_once(':')?;
                Some((p.parse().ok()?, o.parse().ok()?, rest.to_string()))
            })
            .collect();
        let mut last: BTreeMap<u32, i64> = BTreeMap::new();
        let in_order = records
            .iter()
            .all(|(p, o, _)| last.insert(*p, *o).is_none_or(|before| before < *o));
        let mut produced: Vec<String> = INTERACTIONS
            .iter()
            .map(|(u, page)| format!("{u} {page}"))
            .collect();
        let mut read: Vec<String> = records.iter().map(|r| r.2.clone()).collect();
        produced.sort();
        read.sort();
        let same = produced == read;
        self.report.say(&format!(
            "{} read: {}, offsets {} within each partition",
            plural(records.len(), "record"),
            if same {
                "all those the website produced, though the analytics consumer read them \
                 already: reading removes nothing"
            } else {
                "not those the website produced"
            },
            if in_order { "rising" } else { "out of order" }
        ))?;
        self.report.expect(same && in_order, || {
            format!(
                "the database consumer read {} records{}",
                records.len(),
                if in_order { "" } else { " out of order" }
            )
        })?;
        self.report.end(
            &format!(
                "{} read, {} within each partition",
                plural(records.len(), "record"),
                if in_order { "in order" } else { "out of order" }
            ),
            json!({"records_read": records.len(), "same_as_produced": same, "in_order": in_order}),
        )?;
        Ok(())
    }

    /// Step 6: trucks keyed by id.
    pub(super) fn trucks(&mut self) -> anyhow::Result<()> {
        self.report
            .step("trucks report GPS positions into trucks_gps, keyed by truck id")?;
        let mut input = Vec::new();
        for round in 0..ROUNDS {
            for truck in TRUCKS {
                input.push(format!(
                    "truckID{truck}:{{\"lat\":{:.3},\"lon\":{:.3}}}",
                    48.85 + f64::from(truck - TRUCKS.start) * 0.01 + f64::from(round) * 0.001,
                    2.35 + f64::from(round) * 0.002
                ));
            }
        }
        let line = self.run.shell(format!(
            "{} && {} <<'EOF'\n{}\nEOF",
            self.run
                .filka_text(&["topic", "create", "trucks_gps", "-p", "10", "-r", "3"]),
            self.run
                .filka_text(&["produce", "-t", "trucks_gps", "-K", ":"]),
            input.join("\n")
        ));
        let ran = self.exec(&line, &[0])?;
        self.created("trucks_gps", &ran);
        let line = self
            .run
            .filka(&["consume", "-t", "trucks_gps", "--format", "%k %p %o\\n"]);
        let ran = self.exec(&line, &[0])?;
        // `KEY PARTITION OFFSET`
        let mut by_truck: BTreeMap<String, (BTreeSet<u32>, Vec<i64>)> = BTreeMap::new();
        let mut per_partition: BTreeMap<u32, usize> = BTreeMap::new();
        let mut read = 0;
        for l in &ran.stdout {
            let t: Vec<&str> = l.split_whitespace().collect();
            if let [k, p, o] = t.as_slice()
                && let (Ok(p), Ok(o)) = (p.parse::<u32>(), o.parse::<i64>())
            {
                read += 1;
                let e = by_truck.entry(k.to_string()).or_default();
                e.0.insert(p);
                e.1.push(o);
                *per_partition.entry(p).or_default() += 1;
            }
        }
        self.truck_records = input.len();
        // Most records first, then the lowest partition.
        self.busiest_truck_partition = per_partition
            .iter()
            .max_by_key(|(p, count)| (**count, std::cmp::Reverse(**p)))
            .map_or(0, |(p, _)| *p);
        let one_each = by_truck.values().all(|(ps, _)| ps.len() == 1);
        let in_order = by_truck
            .values()
            .all(|(_, offsets)| offsets.windows(2).all(|w| w[0] < w[1]));
        let mut table = crate::output::Table::new(["TRUCK", "PARTITION", "OFFSETS"]);
        for (truck, (ps, offsets)) in &by_truck {
            let ps: Vec<String> = ps.iter().map(u32::to_string).collect();
            let os: Vec<String> = offsets.iter().map(i64::to_string).collect();
            table.row([truck.clone(), ps.join(","), os.join(",")]);
        }
        self.report.say(&format!(
            "{} of {} read back; each truck's positions are in {}, {}:\n{}",
            plural(read, "record"),
            plural(by_truck.len(), "truck"),
            if one_each {
                "one partition"
            } else {
                "several partitions"
            },
            if in_order { "in order" } else { "out of order" },
            table.render(crate::output::TableStyle::Plain)
        ))?;
        self.report.expect(
            read == input.len() && one_each && in_order && by_truck.len() == TRUCKS.len(),
            || {
                format!(
                    "read {read} of {} records of {} trucks{}{}",
                    input.len(),
                    by_truck.len(),
                    if one_each {
                        ""
                    } else {
                        ", a truck in several partitions"
                    },
                    if in_order { "" } else { ", out of order" }
                )
            },
        )?;
        let partitions: BTreeMap<&str, Vec<u32>> = by_truck
            .iter()
            .map(|(k, (ps, _))| (k.as_str(), ps.iter().copied().collect()))
            .collect();
        self.report.end(
            &format!(
                "{} of {}, each truck in {}",
                plural(read, "record"),
                plural(by_truck.len(), "truck"),
                if one_each { "one partition" } else { "several partitions" },
            ),
            json!({"records": input.len(), "records_read": read, "partitions_of_truck": partitions}),
        )?;
        Ok(())
    }

    /// Step 7: broker 101 goes down.
    pub(super) fn broker_down(&mut self) -> anyhow::Result<()> {
        self.report.step(&format!(
            "broker {FAILING} fails: its partitions elect new leaders from their ISR"
        ))?;
        let id = FAILING.to_string();
        let line = self
            .run
            .filka(&["simulate-failure", "broker-down", id.as_str()]);
        let ran = self.exec(&line, &[0])?;
        // `TOPIC-P: leader L, epoch E, isr [..] (leader 101 went down: ...)` or `(ISR shrink: 101
        // went down)`.
        let went_down = format!("{FAILING} went down");
        let changes: Vec<&String> = ran
            .stdout
            .iter()
            .filter(|l| l.contains(&went_down))
            .collect();
        self.shrunk = changes.len();
        self.moved = changes
            .iter()
            .filter(|l| l.contains(&format!("(leader {went_down}")))
            .count();
        let led = self.leaders.values().filter(|&&l| l == FAILING).count();
        // The brokers are the controllers too (combined mode): the quorum's leader, if it
        // was this broker, is replaced by an election.
        let line = self.run.filka(&["describe", "quorum"]);
        let ran = self.exec(&line, &[0])?;
        let field = |name: &str| -> i32 {
            ran.stdout
                .iter()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(-1)
        };
        let (quorum_leader, quorum_epoch) = (field("LeaderId:"), field("LeaderEpoch:"));
        let line = self.run.shell(format!(
            "{} | wc -l",
            self.run.filka_text(&["consume", "-t", "trucks_gps"])
        ));
        let ran = self.exec(&line, &[0])?;
        let readable: usize = ran
            .stdout
            .first()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0);
        self.report.say(&format!(
            "{} changed leader (broker {FAILING} led {led} of them); {FAILING} left the ISR of {}.\n\
             The controller quorum (the brokers are its voters) is led by {quorum_leader} in epoch \
             {quorum_epoch}.\n\
             Consumers still read {readable} of the {} records of trucks_gps.",
            plural(self.moved, "partition"),
            plural(self.shrunk, "partition"),
            self.truck_records
        ))?;
        self.report
            .expect(quorum_leader >= 0 && quorum_leader != FAILING, || {
                format!("the controller quorum is led by {quorum_leader}, not by a running voter")
            })?;
        self.report.expect(self.moved == led, || {
            format!("{} changed leader, broker {FAILING} led {led}", self.moved)
        })?;
        self.report.expect(readable == self.truck_records, || {
            format!(
                "{readable} of {} records of trucks_gps readable",
                self.truck_records
            )
        })?;
        self.report.end(
            &format!(
                "{} moved, {} left the ISR of {}, {readable} of {} truck records readable",
                plural(self.moved, "leader"),
                FAILING,
                plural(self.shrunk, "partition"),
                self.truck_records
            ),
            json!({
                "leaders_moved": self.moved,
                "isr_shrunk": self.shrunk,
                "quorum_leader": quorum_leader,
                "quorum_epoch": quorum_epoch,
                "records_readable": readable,
                "records": self.truck_records,
            }),
        )?;
        Ok(())
    }

    /// Step 8: broker 101 comes back and leads again.
    pub(super) fn broker_up(&mut self) -> anyhow::Result<()> {
        self.report.step(&format!(
            "broker {FAILING} comes back, catches up, and leads its preferred partitions again"
        ))?;
        let id = FAILING.to_string();
        let line = self.run.shell(format!(
            "{} && {}",
            self.run
                .filka_text(&["simulate-failure", "broker-up", id.as_str()]),
            self.run.filka_text(&["topic", "elect-leaders"])
        ));
        let ran = self.exec(&line, &[0])?;
        let rejoined = ran
            .stdout
            .iter()
            .filter(|l| l.contains(&format!("(ISR expand: {FAILING} caught up")))
            .count();
        let back = ran
            .stdout
            .iter()
            .filter(|l| l.contains(&format!(": leader {FAILING} (its preferred replica)")))
            .count();
        self.report.say(&format!(
            "{FAILING} caught up and rejoined the ISR of {}, and leads {} again.",
            plural(rejoined, "partition"),
            plural(back, "partition")
        ))?;
        self.report
            .expect(rejoined == self.shrunk && back == self.moved, || {
                format!(
                    "{rejoined} of {} ISRs rejoined, {back} of {} leaders back",
                    self.shrunk, self.moved
                )
            })?;
        self.report.end(
            &format!(
                "rejoined the ISR of {}, leads {} again",
                plural(rejoined, "partition"),
                plural(back, "partition")
            ),
            json!({"isr_rejoined": rejoined, "leaders_back": back}),
        )?;
        Ok(())
    }

    /// Step 12: `describe topics`.
    pub(super) fn describe(&mut self) -> anyhow::Result<()> {
        self.report.step("the cluster now")?;
        let line = self.run.filka(&["describe", "topics"]);
        let ran = self.exec(&line, &[0])?;
        let header: Vec<&str> = ran
            .stdout
            .first()
            .map(|l| l.split_whitespace().collect())
            .unwrap_or_default();
        let col = |name: &str| header.iter().position(|h| *h == name);
        let (Some(topic), Some(replicas), Some(isr)) = (col("Topic"), col("Replicas"), col("Isr"))
        else {
            let (step, title) = self.report.failed();
            return Err(anyhow!(
                "demo: step {step} ({title}): `{}` printed no Topic/Replicas/Isr header",
                line.text()
            ));
        };
        let mut topics = BTreeSet::new();
        let (mut partitions, mut in_sync) = (0, 0);
        for l in ran.stdout.iter().skip(1) {
            let t: Vec<&str> = l.split_whitespace().collect();
            let (Some(name), Some(r), Some(i)) = (t.get(topic), t.get(replicas), t.get(isr)) else {
                continue;
            };
            topics.insert(name.to_string());
            partitions += 1;
            if brokers(r).len() == brokers(i).len() {
                in_sync += 1;
            }
        }
        self.report.say(&format!(
            "{}, {}, {in_sync} with every replica in sync",
            plural(topics.len(), "topic"),
            plural(partitions, "partition")
        ))?;
        self.report.expect(in_sync == partitions, || {
            format!("{in_sync} of {partitions} partitions have every replica in sync")
        })?;
        self.report.end(
            &format!(
                "{}, {}, {in_sync} fully in sync",
                plural(topics.len(), "topic"),
                plural(partitions, "partition")
            ),
            json!({"topics": topics.len(), "partitions": partitions, "in_sync": in_sync}),
        )?;
        Ok(())
    }

    /// The commands to look around with after the demo.
    pub(super) fn look_around(&self) -> Vec<Line> {
        let p = self.busiest_truck_partition.to_string();
        let segment = format!(
            "{}/broker-{FAILING}/user-interactions-0/00000000000000000000.log",
            self.run.dir()
        );
        vec![
            self.run.filka(&["describe", "cluster"]),
            self.run.filka(&["describe", "history"]),
            self.run.filka(&["describe", "group", "billing-amo"]),
            self.run.filka(&[
                "consume",
                "-t",
                "trucks_gps",
                "-p",
                p.as_str(),
                "--format",
                "%k %v\\n",
            ]),
            self.run.filka(&["dump", segment.as_str(), "--print-data"]),
        ]
    }
}
