//! The nemesis run (issue 17): every kind of client at once against one cluster, faults
//! injected at random times from a seed, every operation recorded in a history, and a checker
//! that judges the history against the final logs and replicas.
//!
//! `cargo test --test nemesis -- --seconds 120 --seed 42`; with no arguments (plain
//! `cargo test`), a short run with a fixed seed. A test target without libtest
//! (`harness = false`) so it takes arguments; it accepts libtest's own and acts on a filter as
//! libtest would.

mod checker;
mod clients;
mod cluster;
mod history;
mod nemesis;
mod rng;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clients::Role;
use cluster::{Ctx, Rec, log_bytes};
use history::{History, Outcome};
use rng::Rng;

/// The seed of a run without `--seed` in plain `cargo test` (no arguments at all).
const DEFAULT_SEED: u64 = 1;
const DEFAULT_SECONDS: u64 = 20;
const DEFAULT_PIPES: usize = 2;

struct Opts {
    seconds: u64,
    seed: u64,
    /// False when libtest's arguments say not to run this test.
    run: bool,
    list: bool,
    /// How many `filka pipe`s share the pipe's group (`--pipes N`, default 2), each under its
    /// own transactional id: members that fence, hand over and take back partitions.
    pipes: usize,
}

fn parse_args() -> Opts {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seconds = DEFAULT_SECONDS;
    let mut pipes = DEFAULT_PIPES;
    let mut seed = None;
    let mut run = true;
    let mut list = false;
    let mut filters = Vec::new();
    let mut exact = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => seconds = it.next().and_then(|s| s.parse().ok()).unwrap_or(seconds),
            "--pipes" => pipes = it.next().and_then(|s| s.parse().ok()).unwrap_or(pipes),
            "--seed" => seed = it.next().and_then(|s| s.parse().ok()),
            "--list" => list = true,
            // Only #[ignore]d tests: this one is not.
            "--ignored" => run = false,
            "--exact" => exact = true,
            "--skip" => {
                if it.next().is_some_and(|s| "nemesis".contains(s.as_str())) {
                    run = false;
                }
            }
            // libtest options with a value in the next argument.
            "--test-threads" | "--color" | "--format" | "--logfile" | "-Z" | "--shuffle-seed" => {
                it.next();
            }
            s if s.starts_with('-') => {}
            s => filters.push(s.to_string()),
        }
    }
    if !filters.is_empty()
        && !filters.iter().any(|f| {
            if exact {
                f == "nemesis"
            } else {
                "nemesis".contains(f.as_str())
            }
        })
    {
        run = false;
    }
    let seed = seed.unwrap_or_else(|| {
        if args.is_empty() {
            DEFAULT_SEED
        } else {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64 % 1_000_000_007)
                .unwrap_or(DEFAULT_SEED)
        }
    });
    Opts {
        seconds,
        seed,
        run,
        list,
        pipes,
    }
}

fn main() {
    let o = parse_args();
    if o.list {
        println!("nemesis: test");
        return;
    }
    if !o.run {
        println!("\nrunning 0 tests (nemesis filtered out)");
        return;
    }
    println!(
        "nemesis: seed {} (rerun: {})",
        o.seed,
        rerun(o.seconds, o.seed, o.pipes)
    );
    let missed = checker::self_test();
    if !missed.is_empty() {
        println!(
            "nemesis: FAILED: the checker's self-test did not catch: {}",
            missed.join("; ")
        );
        std::process::exit(1);
    }
    let code = run(o.seconds, o.seed, o.pipes);
    std::process::exit(code);
}

const SAFE: &str = "safe";
const FAST: &str = "fast";
const UNCLEAN: &str = "unclean";
const TXN: &str = "txn";
const PIPED: &str = "piped";
const G_AUTO: &str = "g-auto";
const G_BEFORE: &str = "g-before";
const PIPE_GROUP: &str = "piper";

/// The command that replays a run's choices.
fn rerun(seconds: u64, seed: u64, pipes: usize) -> String {
    let extra = if pipes == DEFAULT_PIPES {
        String::new()
    } else {
        format!(" --pipes {pipes}")
    };
    format!("cargo test --test nemesis -- --seconds {seconds} --seed {seed}{extra}")
}

fn run(seconds: u64, seed: u64, pipes: usize) -> i32 {
    let tmp = match tempfile::Builder::new().prefix("filka-nemesis-").tempdir() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("nemesis: temp dir: {e}");
            return 1;
        }
    };
    let dir = tmp.path().to_path_buf();
    let _ = std::fs::create_dir_all(dir.join("clients"));
    let ctx = Arc::new(Ctx {
        history: History::create(&dir.join("history.jsonl")),
        dir: dir.clone(),
        procs: Default::default(),
        stop: AtomicBool::new(false),
    });

    // A watchdog: a run that has not finished long after its time is a hang, reported with
    // the seed and what was in flight, its processes killed.
    {
        let ctx = ctx.clone();
        let limit = Duration::from_secs(seconds + 300);
        std::thread::spawn(move || {
            std::thread::sleep(limit);
            println!(
                "nemesis: FAILED, seed {seed}: the run did not end within {} s (a hang); in flight:",
                limit.as_secs()
            );
            let ops = ctx.history.ops();
            let mut last: BTreeMap<&str, &history::Op> = BTreeMap::new();
            for o in &ops {
                last.insert(o.process.as_str(), o);
            }
            for o in last.values().filter(|o| o.outcome == Outcome::Invoke) {
                println!("    {}", history::show(o));
            }
            for name in ctx.running() {
                ctx.signal(&name, "-KILL");
            }
            println!(
                "nemesis: the run's directory is kept: {}",
                ctx.dir.display()
            );
            println!("nemesis: rerun: {}", rerun(seconds, seed, pipes));
            std::process::exit(1);
        });
    }

    // The cluster: 3 brokers, controllers of their own (two brokers down leave the quorum up).
    ctx.run_ok(&["init", "--isolated", "-c", "replica.lag.time.max.ms=2000"]);
    ctx.run_ok(&[
        "topic",
        "create",
        SAFE,
        "-p",
        "3",
        "-r",
        "3",
        "-c",
        "min.insync.replicas=2",
    ]);
    ctx.run_ok(&[
        "topic",
        "create",
        FAST,
        "-p",
        "2",
        "-r",
        "3",
        "-c",
        "min.insync.replicas=2",
    ]);
    ctx.run_ok(&[
        "topic",
        "create",
        TXN,
        "-p",
        "2",
        "-r",
        "3",
        "-c",
        "min.insync.replicas=2",
    ]);
    ctx.run_ok(&[
        "topic",
        "create",
        PIPED,
        "-p",
        "2",
        "-r",
        "3",
        "-c",
        "min.insync.replicas=2",
    ]);
    ctx.run_ok(&[
        "topic",
        "create",
        UNCLEAN,
        "-p",
        "1",
        "-r",
        "2",
        "-c",
        "unclean.leader.election.enable=true",
        "-c",
        "min.insync.replicas=1",
    ]);

    let t = |s: &str| s.to_string();
    let roles: Vec<(&str, Role)> = vec![
        (
            "p0",
            Role::Produce {
                topic: t(SAFE),
                acks: "all",
            },
        ),
        (
            "p1",
            Role::Produce {
                topic: t(SAFE),
                acks: "all",
            },
        ),
        (
            "q0",
            Role::Produce {
                topic: t(FAST),
                acks: "1",
            },
        ),
        (
            "u0",
            Role::Produce {
                topic: t(UNCLEAN),
                acks: "all",
            },
        ),
        ("t0", Role::Txn { topic: t(TXN) }),
        ("t1", Role::Txn { topic: t(TXN) }),
        (
            "rc0",
            Role::Reader {
                topic: t(TXN),
                committed: true,
            },
        ),
        (
            "ru0",
            Role::Reader {
                topic: t(SAFE),
                committed: false,
            },
        ),
        (
            "ga0",
            Role::Group {
                topic: t(SAFE),
                group: t(G_AUTO),
                commit: "auto",
            },
        ),
        (
            "ga1",
            Role::Group {
                topic: t(SAFE),
                group: t(G_AUTO),
                commit: "auto",
            },
        ),
        (
            "gb0",
            Role::Group {
                topic: t(SAFE),
                group: t(G_BEFORE),
                commit: "before",
            },
        ),
        (
            "gb1",
            Role::Group {
                topic: t(SAFE),
                group: t(G_BEFORE),
                commit: "before",
            },
        ),
        (
            "admin",
            Role::Admin {
                grow: t(SAFE),
                max_partitions: 5,
            },
        ),
    ];
    let pipe_ids: Vec<String> = (0..pipes).map(|i| format!("pipe{i}")).collect();
    let mut roles = roles;
    for id in &pipe_ids {
        roles.push((
            id.as_str(),
            Role::Pipe {
                from: t(SAFE),
                to: t(PIPED),
                group: t(PIPE_GROUP),
            },
        ));
    }
    let streaming: Vec<String> = roles
        .iter()
        .filter(|(_, r)| r.streaming())
        .map(|(n, _)| n.to_string())
        .collect();
    let handles: Vec<_> = roles
        .into_iter()
        .enumerate()
        .map(|(i, (name, role))| {
            clients::start(
                ctx.clone(),
                name.to_string(),
                role,
                Rng::fork(seed, i as u64 + 1),
            )
        })
        .collect();

    // Faults until the time is up, then heal everything.
    let mut nem = nemesis::Nemesis::new(
        Rng::fork(seed, 0),
        vec![101, 102, 103],
        vec![t(SAFE), t(TXN), t(FAST)],
        Some(t(UNCLEAN)),
    );
    let end = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < end {
        nem.step(&ctx);
    }
    nem.heal_all(&ctx);

    // Clients stop: producers finish the invocation they are in, followers get SIGTERM (a
    // group member commits and leaves), SIGKILL after 30 s.
    ctx.stop.store(true, Ordering::SeqCst);
    let stop_start = Instant::now();
    while handles.iter().any(|h| !h.is_finished()) {
        for name in &streaming {
            ctx.signal(name, "-CONT");
            ctx.signal(
                name,
                if stop_start.elapsed() < Duration::from_secs(30) {
                    "-TERM"
                } else {
                    "-KILL"
                },
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    for h in handles {
        let _ = h.join();
    }

    // A transaction a killed client left open is aborted by the next holder of its id: each
    // transactional producer's id is taken once more (an empty input commits nothing), and
    // each pipe's id runs the group to the end of its input (no --follow).
    for id in ["t0", "t1"] {
        ctx.run(&["produce", "-t", TXN, "--transactional-id", id]);
    }
    for id in &pipe_ids {
        for _ in 0..5 {
            let (code, _, _) = ctx.run(&[
                "pipe",
                "--from",
                SAFE,
                "--to",
                PIPED,
                "--group",
                PIPE_GROUP,
                "--transactional-id",
                id,
                "--",
                "cat",
            ]);
            if code == 0 {
                break;
            }
        }
    }

    // A move the admin left started is carried to its end.
    let plan = dir.join("plan.json").to_string_lossy().into_owned();
    for _ in 0..20 {
        if !ctx.moving(SAFE) {
            break;
        }
        ctx.run(&[
            "topic",
            "reassign",
            "--verify",
            "--reassignment-json-file",
            &plan,
        ]);
        std::thread::sleep(Duration::from_millis(500));
    }

    // Settle: every replica of every partition identical, a record written where they differ.
    let topics = [SAFE, FAST, UNCLEAN, TXN, PIPED];
    let mut replicas = Vec::new();
    for attempt in 0..40 {
        replicas = compare_replicas(&ctx, &topics);
        if replicas.iter().all(|r| r.2) {
            break;
        }
        for (topic, p, same, _) in &replicas {
            if !same && attempt % 5 == 4 {
                let _ = ctx
                    .cmd(&[
                        "produce",
                        "-t",
                        topic,
                        "-p",
                        &p.to_string(),
                        "--acks",
                        "all",
                    ])
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .and_then(|mut c| {
                        use std::io::Write;
                        if let Some(mut i) = c.stdin.take() {
                            let _ = writeln!(i, "settle-{attempt}");
                        }
                        c.wait()
                    });
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }

    let mut finals = checker::Finals {
        ru: BTreeMap::new(),
        rc: BTreeMap::new(),
        replicas,
        committed: BTreeMap::new(),
    };
    for topic in topics {
        finals
            .ru
            .insert(topic.to_string(), read_all(&ctx, topic, false));
        finals
            .rc
            .insert(topic.to_string(), read_all(&ctx, topic, true));
    }
    for g in [G_AUTO, G_BEFORE] {
        let (_, out, _) = ctx.run(&["group", "describe", g, "--output", "json"]);
        let mut m = BTreeMap::new();
        for l in out.lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(l)
                && let (Some(topic), Some(p), Some(c)) = (
                    v["topic"].as_str(),
                    v["partition"].as_u64(),
                    v["current_offset"].as_i64(),
                )
            {
                m.insert((topic.to_string(), p as u32), c);
            }
        }
        finals.committed.insert(g.to_string(), m);
    }

    let ops = ctx.history.ops();
    let tp = checker::Topics {
        strict: vec![t(SAFE)],
        acks1: t(FAST),
        unclean: t(UNCLEAN),
        txn: t(TXN),
        pipe: (t(SAFE), t(PIPED)),
        group_auto: t(G_AUTO),
        group_before: t(G_BEFORE),
    };
    let lines = checker::check(&ops, &finals, &tp);

    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for o in ops
        .iter()
        .filter(|o| o.outcome != Outcome::Invoke && o.kind != "fault")
    {
        *kinds.entry(format!("{} {}", o.kind, o.op)).or_default() += 1;
    }
    println!(
        "nemesis: {seconds} s, {} history lines ({})",
        ops.len(),
        dir.join("history.jsonl").display()
    );
    println!("operations:");
    for (k, n) in &kinds {
        println!("  {n:>8}  {k}");
    }
    println!("faults injected:");
    for (k, n) in &nem.counts {
        println!("  {n:>8}  {k}");
    }
    println!("checker:");
    for l in &lines {
        if l.of.is_empty() {
            println!("  {}  {}: {}", l.verdict, l.name, l.count);
        } else {
            println!("  {}  {}: {} ({})", l.verdict, l.name, l.count, l.of);
        }
    }
    if let Some(l) = lines.iter().find(|l| l.verdict == "FAIL") {
        println!(
            "nemesis: FAILED, seed {seed}: first violated property: {}",
            l.name
        );
        if let Some(i) = l.first {
            for s in checker::around(&ops, i) {
                println!("{s}");
            }
        }
        let kept = tmp.keep();
        println!("nemesis: the run's directory is kept: {}", kept.display());
        println!("nemesis: rerun: {}", rerun(seconds, seed, pipes));
        return 1;
    }
    println!("nemesis: ok (seed {seed})");
    if std::env::var_os("NEMESIS_KEEP").is_some() {
        println!(
            "nemesis: the run's directory is kept (NEMESIS_KEEP): {}",
            tmp.keep().display()
        );
    }
    0
}

/// Every replica of every partition of `topics`: identical segment bytes or not.
fn compare_replicas(ctx: &Ctx, topics: &[&str]) -> Vec<(String, u32, bool, String)> {
    let data = ctx.data();
    let mut out = Vec::new();
    for topic in topics {
        for (p, brokers) in ctx.replicas(topic) {
            let sizes: Vec<(i32, Vec<u8>)> = brokers
                .iter()
                .map(|b| (*b, log_bytes(&data.join(format!("broker-{b}/{topic}-{p}")))))
                .collect();
            let same = sizes.windows(2).all(|w| w[0].1 == w[1].1);
            let what = sizes
                .iter()
                .map(|(b, bytes)| format!("{b}: {} bytes", bytes.len()))
                .collect::<Vec<_>>()
                .join(", ");
            out.push((topic.to_string(), p, same, what));
        }
    }
    out
}

/// A topic read from the beginning to its end (`consume --output json`).
fn read_all(ctx: &Ctx, topic: &str, committed: bool) -> Vec<Rec> {
    let mut args = vec![
        "consume",
        "-t",
        topic,
        "-o",
        "beginning",
        "--output",
        "json",
    ];
    if committed {
        args.extend(["--isolation", "read_committed"]);
    }
    let (code, out, err) = ctx.run(&args);
    if code != 0 {
        eprintln!("nemesis: final read of {topic}: exit {code}: {err}");
    }
    out.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| Rec {
            partition: v["partition"].as_u64().unwrap_or(0) as u32,
            offset: v["offset"].as_i64().unwrap_or(-1),
            value: cluster::plain(v["value"].as_str().unwrap_or("")),
        })
        .collect()
}
