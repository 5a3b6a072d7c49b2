//! The clients: each a thread that runs one kind of `filka` process again and again (a new
//! one when the last ended or was killed) and records what it did in the history.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::cluster::{Ctx, Input, nap, parse_pov};
use crate::history::{Outcome, op};
use crate::rng::Rng;

/// What a client does.
#[derive(Clone, Debug)]
pub enum Role {
    /// Idempotent producer, acks=all (`all`) or acks=1, of small batches of unique values.
    Produce { topic: String, acks: &'static str },
    /// Transactional producer: each invocation one transaction, committed or aborted (an
    /// invalid line after the records makes filka abort what it wrote).
    Txn { topic: String },
    /// A reader from the beginning, following (`consume -f`), read_committed or not.
    Reader { topic: String, committed: bool },
    /// A member of a consumer group (`--commit before` or `auto`).
    Group {
        topic: String,
        group: String,
        commit: &'static str,
    },
    /// `filka pipe` (exactly once) in a group, copying `from` to `to`.
    Pipe {
        from: String,
        to: String,
        group: String,
    },
    /// Admin commands that change the cluster: elections, partition growth.
    Admin { grow: String, max_partitions: u32 },
}

impl Role {
    /// The history's `kind` for this client.
    pub fn kind(&self) -> &'static str {
        match self {
            Role::Produce { acks: "all", .. } => "produce-all",
            Role::Produce { .. } => "produce-1",
            Role::Txn { .. } => "txn",
            Role::Reader {
                committed: true, ..
            } => "read-rc",
            Role::Reader { .. } => "read-ru",
            Role::Group {
                commit: "before", ..
            } => "group-before",
            Role::Group { .. } => "group-auto",
            Role::Pipe { .. } => "pipe",
            Role::Admin { .. } => "admin",
        }
    }

    /// Whether its process runs until stopped (then it gets SIGTERM to end).
    pub fn streaming(&self) -> bool {
        matches!(
            self,
            Role::Reader { .. } | Role::Group { .. } | Role::Pipe { .. }
        )
    }
}

/// Starts client `name` in a thread of its own.
pub fn start(ctx: Arc<Ctx>, name: String, role: Role, rng: Rng) -> JoinHandle<()> {
    std::thread::spawn(move || run(&ctx, &name, &role, rng))
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn run(ctx: &Ctx, name: &str, role: &Role, mut rng: Rng) {
    let kind = role.kind();
    let mut n = 0u64;
    let mut inv = 0u64;
    while !ctx.stopping() {
        inv += 1;
        match role {
            Role::Produce { topic, acks } => {
                let values: Vec<String> = (0..rng.range(1, 6))
                    .map(|_| {
                        n += 1;
                        format!("{name}-{n:06}")
                    })
                    .collect();
                let mut o = op(name, inv, kind, "produce", Outcome::Invoke);
                o.topic = topic.clone();
                o.values = values.clone();
                ctx.history.record(o.clone());
                let mut args = s(&["produce", "-t", topic, "--acks", acks, "--print-offsets"]);
                args.extend(s(&["--delivery-timeout-ms", "8000"]));
                if rng.chance(0.5) {
                    args.extend(s(&["--batch-size", "1"]));
                }
                let mut offsets = Vec::new();
                let code = ctx.invoke(
                    name,
                    &args,
                    Input::Lines {
                        lines: values,
                        pause: Duration::ZERO,
                        tail: None,
                    },
                    &mut |l| {
                        let mut it = l.split('\t');
                        if let (Some(p), Some(off)) = (it.next(), it.next())
                            && let (Ok(p), Ok(off)) = (p.parse(), off.parse())
                        {
                            offsets.push((p, off));
                        }
                    },
                );
                o.outcome = match code {
                    0 if offsets.len() == o.values.len() => Outcome::Ok,
                    6 => Outcome::Fail,
                    _ => Outcome::Info,
                };
                o.offsets = offsets;
                o.detail = format!("exit {code}");
                ctx.history.record(o);
                nap(ctx, Duration::from_millis(rng.range(0, 60)));
            }
            Role::Txn { topic } => {
                let values: Vec<String> = (0..rng.range(1, 8))
                    .map(|_| {
                        n += 1;
                        format!("{name}-{n:06}")
                    })
                    .collect();
                let abort = rng.chance(0.3);
                let mut o = op(
                    name,
                    inv,
                    kind,
                    if abort { "abort" } else { "commit" },
                    Outcome::Invoke,
                );
                o.topic = topic.clone();
                o.values = values.clone();
                ctx.history.record(o.clone());
                let args = s(&[
                    "produce",
                    "-t",
                    topic,
                    "--transactional-id",
                    name,
                    "--input-format",
                    "json",
                    "--print-offsets",
                    "--delivery-timeout-ms",
                    "8000",
                ]);
                let lines = values.iter().map(|v| format!("\"{v}\"")).collect();
                let pause = Duration::from_millis(rng.range(50, 250));
                let tail = abort.then(|| "{abort".to_string());
                let mut offsets = Vec::new();
                let code = ctx.invoke(name, &args, Input::Lines { lines, pause, tail }, &mut |l| {
                    let mut it = l.split('\t');
                    if let (Some(p), Some(off)) = (it.next(), it.next())
                        && let (Ok(p), Ok(off)) = (p.parse(), off.parse())
                    {
                        offsets.push((p, off));
                    }
                });
                // A commit is known by exit 0; an abort by exit 5 (the invalid line aborted
                // the open transaction). Anything else: unknown.
                o.outcome = match (abort, code) {
                    (false, 0) | (true, 5) => Outcome::Ok,
                    _ => Outcome::Info,
                };
                o.offsets = offsets;
                o.detail = format!("exit {code}");
                ctx.history.record(o);
                nap(ctx, Duration::from_millis(rng.range(0, 100)));
            }
            Role::Reader { topic, committed } => {
                let mut args = s(&[
                    "consume",
                    "-t",
                    topic,
                    "-o",
                    "beginning",
                    "-f",
                    "--format",
                    "%p %o %v\\n",
                ]);
                if *committed {
                    args.extend(s(&["--isolation", "read_committed"]));
                }
                stream(ctx, name, inv, kind, topic, "", &args);
            }
            Role::Group {
                topic,
                group,
                commit,
            } => {
                let args = s(&[
                    "consume",
                    "-t",
                    topic,
                    "-g",
                    group,
                    "--commit",
                    commit,
                    "-o",
                    "beginning",
                    "-f",
                    "--session-timeout-ms",
                    "3000",
                    "--auto-commit-interval-ms",
                    "200",
                    "--format",
                    "%p %o %v\\n",
                ]);
                stream(ctx, name, inv, kind, topic, group, &args);
            }
            Role::Pipe { from, to, group } => {
                let batch = rng.range(1, 30).to_string();
                let args = s(&[
                    "-v",
                    "pipe",
                    "--from",
                    from,
                    "--to",
                    to,
                    "--group",
                    group,
                    // One transactional id per running pipe (pipe --help): two pipes of a
                    // group under the default id, filka-pipe-GROUP, fence each other.
                    "--transactional-id",
                    name,
                    "--batch",
                    &batch,
                    "-f",
                    "--session-timeout-ms",
                    "3000",
                    "--",
                    "cat",
                ]);
                stream(ctx, name, inv, kind, from, group, &args);
            }
            Role::Admin {
                grow,
                max_partitions,
            } => {
                nap(ctx, Duration::from_millis(rng.range(1000, 4000)));
                if ctx.stopping() {
                    break;
                }
                let plan = ctx.dir.join("plan.json");
                let plan_arg = plan.to_string_lossy().into_owned();
                let moving = ctx.moving(grow);
                let (what, args) = if moving {
                    // A move a killed or refused --execute left started: carry it on.
                    (
                        "reassign-verify",
                        s(&[
                            "topic",
                            "reassign",
                            "--verify",
                            "--reassignment-json-file",
                            &plan_arg,
                        ]),
                    )
                } else if rng.chance(0.3) {
                    // Move one partition: drop a replica (RF 3 -> 2) or add the missing one
                    // back (its data copied from the leader).
                    let parts = ctx.replicas(grow);
                    let Some((p, r)) = rng.pick(&parts).cloned() else {
                        continue;
                    };
                    let mut new = r.clone();
                    if r.len() >= 3 {
                        new.remove(rng.range(0, r.len() as u64) as usize);
                    } else if let Some(b) = [101, 102, 103].into_iter().find(|b| !r.contains(b)) {
                        new.push(b);
                    }
                    let text = format!(
                        r#"{{"version":1,"partitions":[{{"topic":"{grow}","partition":{p},"replicas":{new:?}}}]}}"#
                    );
                    if std::fs::write(&plan, text).is_err() {
                        continue;
                    }
                    (
                        "reassign",
                        s(&[
                            "topic",
                            "reassign",
                            "--execute",
                            "--reassignment-json-file",
                            &plan_arg,
                        ]),
                    )
                } else if rng.chance(0.25) {
                    let now = ctx.replicas(grow).len() as u32;
                    if now >= *max_partitions {
                        continue;
                    }
                    (
                        "grow",
                        s(&[
                            "topic",
                            "alter",
                            grow,
                            "--partitions",
                            &(now + 1).to_string(),
                        ]),
                    )
                } else {
                    ("elect", s(&["topic", "elect-leaders"]))
                };
                let mut o = op(name, inv, kind, what, Outcome::Invoke);
                o.topic = grow.clone();
                ctx.history.record(o.clone());
                let code = ctx.invoke(name, &args, Input::None, &mut |_| {});
                o.outcome = if code == 0 {
                    Outcome::Ok
                } else {
                    Outcome::Info
                };
                o.detail = format!("exit {code}");
                ctx.history.record(o);
            }
        }
        if role.streaming() && !ctx.stopping() {
            nap(ctx, Duration::from_millis(rng.range(50, 300)));
        }
    }
}

/// One run of a process that goes on until it is stopped: its open, every record it printed
/// (`%p %o %v`), its end.
fn stream(ctx: &Ctx, name: &str, inv: u64, kind: &str, topic: &str, group: &str, args: &[String]) {
    let mut o = op(name, inv, kind, "open", Outcome::Invoke);
    o.topic = topic.to_string();
    o.detail = group.to_string();
    ctx.history.record(o.clone());
    let code = ctx.invoke(name, args, Input::None, &mut |l| {
        if let Some(r) = parse_pov(l) {
            let mut rd = op(name, inv, kind, "read", Outcome::Ok);
            rd.topic = topic.to_string();
            rd.values = vec![r.value];
            rd.offsets = vec![(r.partition, r.offset)];
            rd.detail = group.to_string();
            ctx.history.record(rd);
        }
    });
    o.op = "close".to_string();
    o.outcome = if code == 0 {
        Outcome::Ok
    } else {
        Outcome::Info
    };
    o.detail = format!("{group} exit {code}").trim().to_string();
    ctx.history.record(o);
}
