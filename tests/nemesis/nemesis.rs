//! The nemesis: faults at random times, from the seed's generator, and the final heal.
//!
//! Default mix: at most one broker down at a time (with or without `--power-loss`), so every
//! partition of a min.insync.replicas=2 topic keeps an in-sync majority; replication paused
//! and resumed; SIGKILL of any client; SIGSTOP then SIGCONT of a client; a torn write (the
//! unflushed tail of a replica cut mid-batch). Apart, rarely: the unclean case, both replicas
//! of the unclean topic's partition down, the in-sync one last, and the other back first, so
//! it is elected uncleanly; its losses are counted, not failed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::cluster::Ctx;
use crate::history::{Outcome, op};
use crate::rng::Rng;

/// Heals due later.
enum Heal {
    BrokerUp(i32),
    Resume(i32),
}

/// The nemesis's state: what is broken now, and counts per fault.
pub struct Nemesis {
    rng: Rng,
    brokers: Vec<i32>,
    /// Topics whose partitions get torn writes.
    torn_topics: Vec<String>,
    /// The topic of the unclean case (replication factor 2), if any.
    unclean_topic: Option<String>,
    down: Option<i32>,
    /// Brokers with a failed replica (offline until the broker restarts).
    failed: Vec<i32>,
    /// A `broker-up` running in a thread of its own (it can take tens of seconds under load:
    /// every partition's recovery and catch-up); its broker counts as down until it ends.
    coming_up: Option<JoinHandle<()>>,
    paused: Vec<i32>,
    /// Clients stopped now, each with the thread that continues it.
    stopped: Vec<(String, JoinHandle<()>)>,
    due: Vec<(Instant, Heal)>,
    last_unclean: Instant,
    /// Faults injected, per kind.
    pub counts: BTreeMap<&'static str, u64>,
}

impl Nemesis {
    pub fn new(
        rng: Rng,
        brokers: Vec<i32>,
        torn_topics: Vec<String>,
        unclean_topic: Option<String>,
    ) -> Nemesis {
        Nemesis {
            rng,
            brokers,
            torn_topics,
            unclean_topic,
            down: None,
            failed: Vec::new(),
            coming_up: None,
            paused: Vec::new(),
            stopped: Vec::new(),
            due: Vec::new(),
            last_unclean: Instant::now(),
            counts: BTreeMap::new(),
        }
    }

    /// Runs a fault command, recorded in the history as an operation of `nemesis`.
    fn fault(&mut self, ctx: &Ctx, kind: &'static str, args: &[&str]) -> bool {
        *self.counts.entry(kind).or_default() += 1;
        let (ok, out) = run_fault(ctx, kind, args);
        // A replica that failed (a torn write left a leader below the high watermark) stays
        // offline until its broker restarts, as a Kafka log dir that failed: the heal restarts
        // that broker.
        for b in &self.brokers {
            if out.contains(&format!("the replica on broker {b} failed"))
                && !self.failed.contains(b)
            {
                self.failed.push(*b);
            }
        }
        ok
    }

    fn signal(&mut self, ctx: &Ctx, kind: &'static str, name: &str, sig: &str) -> bool {
        if !ctx.signal(name, sig) {
            return false;
        }
        *self.counts.entry(kind).or_default() += 1;
        let mut o = op("nemesis", 0, "fault", kind, Outcome::Ok);
        o.detail = format!("{sig} {name}");
        ctx.history.record(o);
        true
    }

    fn heal(&mut self, ctx: &Arc<Ctx>, h: Heal) {
        match h {
            Heal::BrokerUp(b) => {
                *self.counts.entry("broker-up").or_default() += 1;
                let ctx = ctx.clone();
                self.coming_up = Some(std::thread::spawn(move || {
                    run_fault(
                        &ctx,
                        "broker-up",
                        &["simulate-failure", "broker-up", &b.to_string()],
                    );
                }));
            }
            Heal::Resume(b) => {
                let id = b.to_string();
                self.fault(
                    ctx,
                    "resume-replication",
                    &["simulate-failure", "resume-replication", &id],
                );
                self.paused.retain(|x| *x != b);
            }
        }
    }

    /// Heals what is due, then waits a random while and injects one fault.
    pub fn step(&mut self, ctx: &Arc<Ctx>) {
        if self.coming_up.as_ref().is_some_and(|h| h.is_finished()) {
            self.finish_up();
        }
        self.stopped.retain(|(_, h)| !h.is_finished());
        let now = Instant::now();
        let (ready, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.due)
            .into_iter()
            .partition(|(t, _)| *t <= now);
        self.due = later;
        for (_, h) in ready {
            self.heal(ctx, h);
        }
        std::thread::sleep(Duration::from_millis(self.rng.range(100, 600)));
        let r = self.rng.range(0, 100);
        let later =
            |rng: &mut Rng, lo, hi| Instant::now() + Duration::from_millis(rng.range(lo, hi));
        match r {
            0..=19 if self.down.is_none() => {
                let b = *self.rng.pick(&self.brokers).unwrap_or(&0);
                let id = b.to_string();
                let power = self.rng.chance(0.5);
                let ok = if power {
                    self.fault(
                        ctx,
                        "broker-down --power-loss",
                        &["simulate-failure", "broker-down", &id, "--power-loss"],
                    )
                } else {
                    self.fault(
                        ctx,
                        "broker-down",
                        &["simulate-failure", "broker-down", &id],
                    )
                };
                if ok {
                    self.down = Some(b);
                    self.failed.retain(|x| *x != b);
                    let t = later(&mut self.rng, 500, 4000);
                    self.due.push((t, Heal::BrokerUp(b)));
                }
            }
            20..=34 => {
                let b = *self.rng.pick(&self.brokers).unwrap_or(&0);
                if !self.paused.contains(&b) {
                    let id = b.to_string();
                    if self.fault(
                        ctx,
                        "pause-replication",
                        &["simulate-failure", "pause-replication", &id],
                    ) {
                        self.paused.push(b);
                        let t = later(&mut self.rng, 500, 5000);
                        self.due.push((t, Heal::Resume(b)));
                    }
                }
            }
            35..=59 => {
                let running = ctx.running();
                if let Some(name) = self.rng.pick(&running).cloned()
                    && !self.stopped.iter().any(|(n, _)| *n == name)
                {
                    self.signal(ctx, "sigkill", &name, "-KILL");
                }
            }
            60..=74 => {
                let running = ctx.running();
                if let Some(name) = self.rng.pick(&running).cloned()
                    && !self.stopped.iter().any(|(n, _)| *n == name)
                    && self.signal(ctx, "sigstop", &name, "-STOP")
                {
                    // SIGCONT on a timer of its own: a fault command of the nemesis may wait
                    // for a lock the stopped process holds (README: a stopped process makes
                    // other writers wait until it resumes).
                    *self.counts.entry("sigcont").or_default() += 1;
                    let pause = Duration::from_millis(self.rng.range(200, 2000));
                    let ctx = ctx.clone();
                    let n = name.clone();
                    let h = std::thread::spawn(move || {
                        std::thread::sleep(pause);
                        ctx.signal(&n, "-CONT");
                        let mut o = op("nemesis", 0, "fault", "sigcont", Outcome::Ok);
                        o.detail = format!("-CONT {n}");
                        ctx.history.record(o);
                    });
                    self.stopped.push((name, h));
                }
            }
            75..=84 => {
                let b = *self.rng.pick(&self.brokers).unwrap_or(&0);
                // A torn write is a crash of that broker's write: a second fault while a
                // broker is down or a follower paused, when an in-sync replica set may be
                // below min.insync.replicas, where Kafka loses acknowledged records too (seed
                // 439984917: 101 lost power, then the torn write cut safe-0's only in-sync
                // replica, of a partition the admin had moved to 2 replicas).
                if self.down.is_none()
                    && self.paused.is_empty()
                    && let Some(topic) = self.rng.pick(&self.torn_topics).cloned()
                {
                    let parts = ctx.replicas(&topic).len() as u64;
                    let p = self.rng.range(0, parts.max(1)).to_string();
                    let id = b.to_string();
                    self.fault(
                        ctx,
                        "torn-write",
                        &[
                            "simulate-failure",
                            "torn-write",
                            "--broker",
                            &id,
                            "--topic",
                            &topic,
                            "--partition",
                            &p,
                        ],
                    );
                }
            }
            85..=89 => self.unclean_case(ctx),
            _ => {}
        }
    }

    /// Both replicas of the unclean topic's partition 0 down, the in-sync leader last, then
    /// the other back first: an unclean election whose losses the checker counts. Only when
    /// no other broker is down, at most every 10 s.
    fn unclean_case(&mut self, ctx: &Ctx) {
        let Some(topic) = self.unclean_topic.clone() else {
            return;
        };
        if self.down.is_some() || self.last_unclean.elapsed() < Duration::from_secs(10) {
            return;
        }
        self.last_unclean = Instant::now();
        let Some((_, replicas)) = ctx.replicas(&topic).into_iter().next() else {
            return;
        };
        let leader = ctx.describe_topic(&topic)["partitions"][0]["leader"]
            .as_i64()
            .unwrap_or(-1) as i32;
        let Some(&follower) = replicas.iter().find(|r| **r != leader) else {
            return;
        };
        if leader < 0 {
            return;
        }
        *self.counts.entry("unclean-case").or_default() += 1;
        let (l, f) = (leader.to_string(), follower.to_string());
        self.fault(ctx, "broker-down", &["simulate-failure", "broker-down", &f]);
        std::thread::sleep(Duration::from_millis(self.rng.range(300, 1000)));
        self.fault(ctx, "broker-down", &["simulate-failure", "broker-down", &l]);
        std::thread::sleep(Duration::from_millis(self.rng.range(100, 500)));
        self.fault(ctx, "broker-up", &["simulate-failure", "broker-up", &f]);
        std::thread::sleep(Duration::from_millis(self.rng.range(300, 1000)));
        self.fault(ctx, "broker-up", &["simulate-failure", "broker-up", &l]);
        self.failed.retain(|x| *x != leader && *x != follower);
    }

    /// Waits for a `broker-up` in flight; its broker is up.
    fn finish_up(&mut self) {
        if let Some(h) = self.coming_up.take() {
            let _ = h.join();
            self.down = None;
        }
    }

    /// Heals everything: every broker up, replication resumed, stopped clients continued.
    pub fn heal_all(&mut self, ctx: &Arc<Ctx>) {
        for (_, h) in std::mem::take(&mut self.due) {
            self.heal(ctx, h);
        }
        self.finish_up();
        for (name, h) in std::mem::take(&mut self.stopped) {
            let _ = h.join();
            ctx.signal(&name, "-CONT");
        }
        if let Some(b) = self.down {
            self.heal(ctx, Heal::BrokerUp(b));
            self.finish_up();
        }
        for b in std::mem::take(&mut self.paused) {
            self.heal(ctx, Heal::Resume(b));
        }
        // Brokers with a failed replica restart, one at a time: those a fault's output named,
        // and any `describe topic` shows offline replicas on.
        let mut failed = std::mem::take(&mut self.failed);
        for topic in self.torn_topics.iter().chain(&self.unclean_topic) {
            let v = ctx.describe_topic(topic);
            for p in v["partitions"].as_array().into_iter().flatten() {
                for b in p["offline_replicas"].as_array().into_iter().flatten() {
                    let b = b.as_i64().unwrap_or(0) as i32;
                    if !failed.contains(&b) {
                        failed.push(b);
                    }
                }
            }
        }
        for b in failed {
            let id = b.to_string();
            self.fault(
                ctx,
                "broker-down",
                &["simulate-failure", "broker-down", &id],
            );
            self.down = Some(b);
            self.heal(ctx, Heal::BrokerUp(b));
            self.finish_up();
        }
    }
}

/// Runs a fault command, recorded in the history as an operation of `nemesis`; whether it
/// succeeded.
fn run_fault(ctx: &Ctx, kind: &str, args: &[&str]) -> (bool, String) {
    let mut o = op("nemesis", 0, "fault", kind, Outcome::Invoke);
    o.detail = args.join(" ");
    ctx.history.record(o.clone());
    let (code, out, err) = ctx.run(args);
    o.outcome = if code == 0 {
        Outcome::Ok
    } else {
        Outcome::Info
    };
    let first = out
        .lines()
        .chain(err.lines())
        .take(3)
        .collect::<Vec<_>>()
        .join(" | ");
    o.detail = format!("{}: exit {code}: {first}", args.join(" "));
    ctx.history.record(o);
    (code == 0, out + &err)
}
