//! `filka consume --group G`: the read loop of a consumer-group member. Joins the group,
//! reads only the partitions the group state records as its own, resumes from committed
//! offsets (or `--offset`, default latest), commits as `--commit` says, and follows
//! rebalances: revoked partitions are committed and given back before their new owner may
//! read them. A member removed from the group (stopped past its session timeout) exits 9:
//! its partitions were handed over and its commit is refused. A partition without a leader
//! does not stop the member: it reads the others and, with -f, waits for it (without -f it
//! exits 7 once the others are read and committed). A member asking for another
//! `--assignor` than the group's is refused, exit 2 (Kafka: INCONSISTENT_GROUP_PROTOCOL).
//!
//! Says on stderr (unless -q) what a user would otherwise not see: that a partition without a
//! committed offset starts at the end by default and so skips the records already there
//! (how many, and the flag that reads them), and that a member was given no partition
//! (more members than partitions: Kafka's inactive consumer) and why.
//!
//! Owns: the member's loop and commit timing. Must not: decide membership (group/).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};

use super::consume::{
    Args, CommitMode, JANITOR_EVERY, OUT_BUFFER, Output, Say, stdout_writer, write_error,
    write_record,
};
use super::{GlobalArgs, open_cluster};
use crate::client::consumer::{Consumer, Isolation, Poll, StartOffset};
use crate::cluster::replica::PartitionView;
use crate::cluster::topic::CleanupPolicy;
use crate::cluster::{Cluster, ClusterError};
use crate::error::{ExitCode, ResultExt, coded};
use crate::format::offset_spec::OffsetSpec;
use crate::group::assignor::Assignor;
use crate::group::coordinator::{GroupError, Member};
use crate::group::offsets;
use crate::output::escape_control;

/// How often a member proves it is alive and looks for rebalances.
const HEARTBEAT: Duration = Duration::from_millis(100);
const IDLE_MIN: Duration = Duration::from_millis(1);
const IDLE_MAX: Duration = Duration::from_millis(100);
/// How long a commit that must happen (at exit, before output, on revocation) waits for
/// the group's commit lock.
const COMMIT_WAIT: Duration = Duration::from_secs(10);
const COMMIT_RETRY: Duration = Duration::from_millis(5);
/// How long a commit refused for want of in-sync replicas is retried when it must happen:
/// Kafka's `default.api.timeout.ms` (commitSync's bound).
const RETRIABLE_COMMIT_WAIT: Duration = Duration::from_secs(60);
/// The pause between those tries (Kafka's `retry.backoff.ms` is 100).
const RETRIABLE_COMMIT_RETRY: Duration = Duration::from_millis(100);
/// How long a member removed from its group tries its last commit (to hear it refused).
const FENCED_COMMIT_WAIT: Duration = Duration::from_secs(2);

/// Maps a group error to its exit code (a stale member is `Fenced`).
pub(crate) fn group_error(e: GroupError) -> anyhow::Error {
    match e {
        GroupError::Fenced { .. } | GroupError::NotOwner { .. } => coded(ExitCode::Fenced, e),
        GroupError::InvalidGroupId { .. } | GroupError::InconsistentProtocol { .. } => {
            coded(ExitCode::Usage, e)
        }
        GroupError::Cluster(c) => anyhow::Error::new(c),
        e => anyhow::Error::new(e),
    }
}

/// A topic-partition.
type Tp = (String, u32);

struct Loop {
    cluster: Cluster,
    member: Member,
    /// --commit auto.
    auto_commit: bool,
    /// Next offset after what was written out, per owned partition.
    written: BTreeMap<Tp, i64>,
    /// What was last committed, per partition.
    committed: BTreeMap<Tp, i64>,
    last_hb: Instant,
    /// Partitions whose start at the reset policy was already told on stderr.
    told_reset: BTreeSet<Tp>,
    /// The last commit refused for want of in-sync replicas of `__consumer_offsets`, kept
    /// while it is retried: Kafka's coordinator answers COORDINATOR_NOT_AVAILABLE, which a
    /// consumer retries, and reads on meanwhile.
    retrying: Option<ClusterError>,
}

impl Loop {
    fn heartbeat(&mut self) -> anyhow::Result<()> {
        self.last_hb = Instant::now();
        // Metadata as a Kafka consumer refreshes it: the heartbeat sees a subscribed topic
        // grow (a rebalance then assigns its new partitions). Cheap when nothing changed.
        self.cluster.refresh()?;
        match self.member.heartbeat(&self.cluster) {
            Ok(_) => Ok(()),
            Err(fenced @ GroupError::Fenced { .. }) => {
                // Removed from the group (stopped past its session timeout): what it wrote
                // since its last commit is now the new owners' to read again. Its commit is
                // tried, as a Kafka consumer's next auto-commit would be, so that the error
                // says the commit was refused rather than leaving it unsaid.
                // The commit lock may be busy with the new owners' commits: wait for it a
                // little (a flaky test showed the refusal going unsaid when it was).
                if self.auto_commit {
                    let start = Instant::now();
                    while !self.try_commit()? && start.elapsed() < FENCED_COMMIT_WAIT {
                        std::thread::sleep(if self.retrying.is_some() {
                            RETRIABLE_COMMIT_RETRY
                        } else {
                            COMMIT_RETRY
                        });
                    }
                }
                Err(group_error(fenced))
            }
            Err(e) => Err(group_error(e)),
        }
    }

    /// One try at committing the written positions of owned partitions that moved: false
    /// when the group's commit lock was busy (nothing was done).
    fn try_commit(&mut self) -> anyhow::Result<bool> {
        let owned = self.member.owned();
        let offs: Vec<_> = self
            .written
            .iter()
            .filter(|(tp, o)| self.committed.get(*tp) != Some(o) && owned.contains(tp))
            .map(|(tp, o)| (tp.clone(), *o))
            .collect();
        if offs.is_empty() {
            return Ok(true);
        }
        match self.member.try_commit(&mut self.cluster, &offs) {
            Ok(true) => {}
            Ok(false) => {
                self.retrying = None;
                return Ok(false);
            }
            Err(GroupError::Cluster(e)) if e.is_replica_shortfall() => {
                self.retrying = Some(e);
                return Ok(false);
            }
            Err(e) => return Err(group_error(e)),
        }
        self.retrying = None;
        for (tp, o) in offs {
            self.committed.insert(tp, o);
        }
        Ok(true)
    }

    /// Commits, waiting up to `limit` for the commit lock (another member may be in the
    /// middle of a commit, or stopped there) while going on heartbeating: false when the
    /// lock never came free. A commit refused for want of in-sync replicas is retried for
    /// [`RETRIABLE_COMMIT_WAIT`], less often: each try is a write to the partition.
    fn commit_within(&mut self, limit: Duration) -> anyhow::Result<bool> {
        let start = Instant::now();
        loop {
            if self.try_commit()? {
                return Ok(true);
            }
            let (limit, pause) = match self.retrying {
                Some(_) => (limit.max(RETRIABLE_COMMIT_WAIT), RETRIABLE_COMMIT_RETRY),
                None => (limit, COMMIT_RETRY),
            };
            if start.elapsed() >= limit {
                return Ok(false);
            }
            if self.last_hb.elapsed() >= HEARTBEAT {
                self.heartbeat()?;
            }
            std::thread::sleep(pause);
        }
    }

    /// Commits before going on (at exit, or before output with --commit before).
    fn commit(&mut self, group: &str, when: &str) -> anyhow::Result<()> {
        if self.commit_within(COMMIT_WAIT)? {
            return Ok(());
        }
        if let Some(e) = self.retrying.take() {
            return Err(group_error(GroupError::Cluster(e)).context(format!(
                "committing {when}: retried for {RETRIABLE_COMMIT_WAIT:?}"
            )));
        }
        Err(anyhow!(
            "committing {when}: group {group}'s commit lock was held by another process for \
             {COMMIT_WAIT:?} (a member stopped in the middle of a commit?); nothing was committed"
        ))
    }
}

/// Runs `consume` as a group member.
pub(crate) fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let group = args.group.clone().unwrap_or_default();
    crate::group::coordinator::check_group_id(&group).map_err(group_error)?;
    if !args.partitions.is_empty() {
        return Err(coded(
            ExitCode::Usage,
            anyhow!("-p cannot be combined with --group: the group assigns the partitions"),
        ));
    }
    let reset = args
        .offset
        .unwrap_or(OffsetSpec::End)
        .resolve(jiff::Timestamp::now())
        .exit_code(ExitCode::Usage)?;
    let mut cluster = open_cluster(global)?;
    super::group::say_coordinator(global, &cluster, &group);
    let mut output = super::consume::output(args, global, cluster.layout())?;
    if Isolation::from(args.isolation) == Isolation::ReadCommitted {
        super::consume::abort_stale_transactions(&mut cluster, Say::from(global))?;
    }
    // Create `__consumer_offsets` before joining, not in the middle of the first commit,
    // where members starting together raced over it.
    crate::group::offsets::ensure_topic(&mut cluster).context("creating __consumer_offsets")?;
    for t in &args.topic {
        if cluster.topic(t).is_err() {
            return Err(coded(
                ExitCode::NotFound,
                anyhow!(
                    "topic {t:?} does not exist in {} (consume never creates topics)",
                    cluster.layout().root().display()
                ),
            ));
        }
    }
    let mut topics = args.topic.clone();
    topics.sort();
    topics.dedup();
    let member = Member::join(
        &cluster,
        &group,
        &topics,
        args.assignor,
        args.session_timeout_ms,
    )
    .map_err(group_error)
    .with_context(|| format!("joining group {group}"))?;
    let mut st = Loop {
        cluster,
        member,
        auto_commit: args.commit == CommitMode::Auto,
        written: BTreeMap::new(),
        committed: BTreeMap::new(),
        last_hb: Instant::now(),
        told_reset: BTreeSet::new(),
        retrying: None,
    };
    let result = read_loop(&mut st, args, global, &mut output, reset, &group);
    let out = match result {
        Ok(ended) => {
            if args.commit == CommitMode::Auto {
                st.commit(&group, "at exit")?;
            }
            match ended.offline.first() {
                None if ended.timed_out => Err(super::consume::timed_out(
                    args.timeout_ms.unwrap_or(0),
                    ended.records,
                )),
                None => Ok(ExitCode::Success),
                Some((t, p)) => Err(coded(
                    ExitCode::Offline,
                    anyhow!(
                        "consume {t}: {t}-{p} is offline: no leader (the group's other \
                         partitions were read and committed; -f waits for it)"
                    ),
                )),
            }
        }
        Err(e) => Err(e),
    };
    st.member.leave();
    out
}

fn read_loop(
    st: &mut Loop,
    args: &Args,
    global: &GlobalArgs,
    output: &mut Output,
    reset: StartOffset,
    group: &str,
) -> anyhow::Result<Ended> {
    let mut out = BufWriter::with_capacity(OUT_BUFFER, stdout_writer());
    // One consumer per topic with owned partitions; rebuilt when ownership changes.
    let mut consumers: Option<Vec<Consumer>> = None;
    // The partitions `consumers` were built for.
    let mut reading: Vec<Tp> = Vec::new();
    // Those of them that have no leader (not in `consumers`), and when they were last looked
    // at.
    let mut offline: Vec<Tp> = Vec::new();
    let mut waited_offline = Instant::now();
    let mut stopped = false;
    // Whether this member's having no partition was told (once per time it has none).
    let mut told_idle = false;
    let mut count = 0u64;
    let mut last_commit = Instant::now();
    let mut idle = IDLE_MIN;
    let mut last_janitor = Instant::now();
    let mut sink: Vec<u8> = Vec::with_capacity(OUT_BUFFER);
    let interval = Duration::from_millis(args.auto_commit_interval_ms);
    let max = args.max_messages;
    // --timeout-ms waits as -f does, until nothing arrived for that long.
    let follow = args.follow || args.timeout_ms.is_some();
    let timeout = args.timeout_ms.map(Duration::from_millis);
    let mut last_record = Instant::now();
    let mut timed_out = false;
    let flush = |out: &mut BufWriter<Box<dyn Write>>| out.flush().context("writing to stdout");
    loop {
        if max.is_some_and(|m| count >= m) {
            break;
        }
        // Ctrl-C or SIGTERM: stop reading; the caller commits what was written out and
        // leaves the group (Kafka's close()).
        if super::shutdown::requested() {
            stopped = true;
            break;
        }
        if st.last_hb.elapsed() >= HEARTBEAT {
            st.heartbeat()?;
        }
        // The assignor gives a member only topics it subscribed to.
        let target: Vec<Tp> = st.member.target().to_vec();
        // Revoke: commit what was written out, then give back so the new owner may start.
        let revoked: Vec<Tp> = st
            .member
            .owned()
            .into_iter()
            .filter(|tp| !target.contains(tp))
            .collect();
        if !revoked.is_empty() {
            flush(&mut out)?;
            if args.commit == CommitMode::Auto && !st.commit_within(COMMIT_WAIT)? && !global.quiet {
                // The new owner reads these records again: duplicates, never a loss.
                let names: Vec<String> = revoked.iter().map(|(t, p)| format!("{t}-{p}")).collect();
                let why = match st.retrying.take() {
                    Some(e) => format!("{e}, retried for {RETRIABLE_COMMIT_WAIT:?}"),
                    None => format!("the commit lock was busy for {COMMIT_WAIT:?}"),
                };
                eprintln!(
                    "filka: warning: group {group}: could not commit {} before handing them \
                     over ({}); their new owner reads the records since the last commit again",
                    names.join(","),
                    escape_control(&why)
                );
            }
            st.member.release(&revoked).map_err(group_error)?;
            for tp in &revoked {
                st.written.remove(tp);
            }
        }
        // Partitions are taken by the heartbeat (when their previous owner gave them back).
        let owned = st.member.owned();
        if owned != reading {
            consumers = None;
            reading = owned;
        }
        let all_owned = target.iter().all(|tp| reading.contains(tp));
        if target.is_empty() {
            if !told_idle && !global.quiet {
                say_idle(st, group, args);
            }
            told_idle = true;
            if !follow {
                break;
            }
        } else {
            told_idle = false;
        }
        if consumers.is_none() && !reading.is_empty() {
            st.cluster.reload()?;
            let committed = offsets::read(&st.cluster, group)?;
            let mut by_topic: BTreeMap<String, Vec<(u32, StartOffset)>> = BTreeMap::new();
            // Partitions started at the reset policy (no position, no committed offset).
            let mut reset_at: BTreeMap<Tp, i64> = BTreeMap::new();
            // Why each partition starts where it does, for -v.
            let mut why: BTreeMap<Tp, String> = BTreeMap::new();
            for tp in reading.iter().cloned() {
                let start = match st.written.get(&tp) {
                    Some(&o) => {
                        why.insert(tp.clone(), "where this member had got to".into());
                        StartOffset::Offset(o)
                    }
                    None => match committed.get(&tp) {
                        Some(v) => {
                            why.insert(tp.clone(), "the group's committed offset".into());
                            StartOffset::Offset(v.offset)
                        }
                        None => {
                            reset_at.insert(tp.clone(), -1);
                            why.insert(
                                tp.clone(),
                                format!(
                                    "no committed offset: auto.offset.reset, {}",
                                    super::consume::start_reason(reset)
                                ),
                            );
                            reset
                        }
                    },
                };
                by_topic.entry(tp.0).or_default().push((tp.1, start));
            }
            let mut list = Vec::with_capacity(by_topic.len());
            let mut now_offline = Vec::new();
            for (topic, starts) in by_topic {
                let Some(mut c) = consumer_of_online(
                    &st.cluster,
                    &topic,
                    starts,
                    (follow, args.isolation.into()),
                    &mut now_offline,
                )
                .with_context(|| format!("consume {topic}"))?
                else {
                    continue;
                };
                for (p, o) in c.positions() {
                    if let Some(at) = reset_at.get_mut(&(topic.clone(), p)) {
                        *at = o;
                    }
                    st.written.entry((topic.clone(), p)).or_insert(o);
                    if global.verbose_at(1) {
                        let leader = st.cluster.partition(&topic, p).map_or(-1, |x| x.leader);
                        global.detail(
                            1,
                            format!(
                                "group {group} generation {}: reading {topic}-{p} from its \
                                 leader, broker {leader}, at offset {o} ({})",
                                st.member.generation(),
                                why.get(&(topic.clone(), p)).map_or("", String::as_str)
                            ),
                        );
                    }
                }
                c.on_notice(global.notice_sink("consume"));
                if global.verbose_at(2) {
                    let t = crate::output::escape_control(&topic);
                    c.on_batch(Box::new(move |b| {
                        eprintln!("filka: {}", super::consume::batch_line(&t, b));
                    }));
                }
                list.push(c);
            }
            if !global.quiet {
                for (t, p) in now_offline.iter().filter(|tp| !offline.contains(tp)) {
                    eprintln!(
                        "filka: warning: group {group}: {t}-{p} is offline (no leader); reading \
                         the other partitions{}",
                        if follow { " and waiting for it" } else { "" }
                    );
                }
            }
            offline = now_offline;
            consumers = Some(list);
            // Only the default (latest) skips silently what is there: -o said otherwise.
            if args.offset.is_none() && !global.quiet {
                reset_at.retain(|tp, at| *at >= 0 && st.told_reset.insert(tp.clone()));
                let any = !committed
                    .keys()
                    .any(|(t, _)| st.member.topics().contains(t));
                say_reset(st, group, args, &reset_at, any);
            }
        }
        // A partition that was offline and has a leader again: read it too (positions are
        // kept in `written`).
        if follow && !offline.is_empty() && waited_offline.elapsed() >= HEARTBEAT {
            waited_offline = Instant::now();
            st.cluster.reload()?;
            if offline.iter().any(|(t, p)| has_leader(&st.cluster, t, *p)) {
                consumers = None;
                continue;
            }
        }
        let Some(list) = consumers.as_mut() else {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        let mut delivered = false;
        let mut ended = true;
        for c in list.iter_mut() {
            sink.clear();
            let topic = c.topic().to_string();
            let mut positions: BTreeMap<Tp, i64> = BTreeMap::new();
            let mut n = count;
            let mut write_err = None;
            let polled = c.poll(&mut |f| {
                if max.is_some_and(|m| n >= m) {
                    return Ok(());
                }
                if let Err(e) = write_record(&mut sink, output, &topic, f) {
                    write_err = Some(e);
                    // Any error stops the poll; the real one is in write_err.
                    return Err(ClusterError::Invalid("output failed".into()));
                }
                positions.insert((topic.clone(), f.partition), f.record.offset + 1);
                n += 1;
                Ok(())
            });
            if let Some(e) = write_err.take() {
                return Err(write_error(e));
            }
            let polled = polled.with_context(|| format!("reading {topic}"))?;
            count = n;
            if args.commit == CommitMode::Before && !positions.is_empty() {
                // At-most-once: the offsets are committed before the records are written.
                st.written.extend(positions.clone());
                st.commit(group, "before writing the records")?;
            }
            out.write_all(&sink).context("writing to stdout")?;
            st.written.extend(positions);
            match polled {
                Poll::Records(_) => delivered = true,
                Poll::End => {}
                Poll::Idle => ended = false,
            }
        }
        if delivered {
            idle = IDLE_MIN;
            last_record = Instant::now();
        } else if ended && all_owned && !follow {
            break;
        } else if timeout.is_some_and(|t| last_record.elapsed() >= t) {
            timed_out = true;
            break;
        } else {
            flush(&mut out)?;
            std::thread::sleep(idle);
            idle = (idle * 2).min(IDLE_MAX);
            // read_committed: a transaction a dead producer left open must not hold the
            // group back (the coordinator's check, run by whoever needs it).
            if last_janitor.elapsed() >= JANITOR_EVERY {
                last_janitor = Instant::now();
                let mut blocked = false;
                for c in list.iter() {
                    blocked |= c.blocked_by_open_transactions()?;
                }
                if blocked {
                    super::consume::abort_stale_transactions(&mut st.cluster, Say::from(global))?;
                }
            }
            for c in list.iter_mut() {
                c.refresh()
                    .with_context(|| format!("reading {}", c.topic()))?;
            }
        }
        if args.commit == CommitMode::Auto && last_commit.elapsed() >= interval {
            flush(&mut out)?;
            // A busy commit lock: go on reading and try again next time round. Too few
            // in-sync replicas: again at the next interval (each try is a write).
            if st.try_commit()? || st.retrying.is_some() {
                last_commit = Instant::now();
            }
        }
    }
    std::mem::replace(output, Output::Json).finish(&mut out, global.quiet)?;
    out.into_inner()
        .map_err(std::io::IntoInnerError::into_error)
        .context("writing to stdout")?;
    // Without -f: what could not be read because it had no leader (nothing, when asked to
    // stop).
    Ok(Ended {
        offline: if follow || stopped {
            Vec::new()
        } else {
            offline
        },
        timed_out,
        records: count,
    })
}

/// How the read loop ended.
struct Ended {
    /// Without -f: what could not be read because it had no leader.
    offline: Vec<Tp>,
    /// Nothing arrived within --timeout-ms.
    timed_out: bool,
    /// Records written out.
    records: u64,
}

/// Why a member has no partition: more members than partitions (Kafka's inactive consumer),
/// or an assignor that gave every partition to the others.
pub(crate) fn idle_reason(members: usize, partitions: usize, assignor: Assignor) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    if members > partitions {
        format!(
            "{members} members share {partitions} partition{}",
            s(partitions)
        )
    } else {
        format!(
            "the {} assignor gave the {partitions} partition{} to the other {} member{}",
            assignor.name(),
            s(partitions),
            members.saturating_sub(1),
            s(members.saturating_sub(1))
        )
    }
}

/// How many partitions `topics` have (those that exist).
pub(crate) fn partition_count(cluster: &Cluster, topics: &[String]) -> usize {
    topics
        .iter()
        .filter_map(|t| cluster.topic(t).ok())
        .map(|t| t.partitions.len())
        .sum()
}

/// Tells that this member was given no partition, and why.
fn say_idle(st: &Loop, group: &str, args: &Args) {
    let why = idle_reason(
        st.member.peers(),
        partition_count(&st.cluster, st.member.topics()),
        args.assignor,
    );
    let then = if args.follow || args.timeout_ms.is_some() {
        "it waits for one (a partition frees when a member leaves)"
    } else {
        "nothing to read, so it exits (with -f it would wait for one)"
    };
    eprintln!(
        "filka: member {} of group {} has no partition: {why}; {then}",
        st.member.id(),
        escape_control(group)
    );
}

/// Tells which partitions started at the end for want of a committed offset, when that
/// skipped records already there: how many, and how to read them. `reset_at` holds their
/// start positions; `any` says the group had no committed offset for any partition of the
/// member's topics (a new group).
fn say_reset(st: &Loop, group: &str, args: &Args, reset_at: &BTreeMap<Tp, i64>, any: bool) {
    let mut skipped = 0i64;
    let mut compacted = false;
    for ((t, p), &at) in reset_at {
        if let Ok(view) = PartitionView::read(&st.cluster, t, *p) {
            skipped += (at - view.log_start_offset).max(0);
        }
        compacted |= st
            .cluster
            .topic_config(t)
            .is_ok_and(|c| c.cleanup_policy != CleanupPolicy::Delete);
    }
    if skipped == 0 {
        return;
    }
    let group = escape_control(group);
    let which = if any {
        format!("any partition of {}", st.member.topics().join(", "))
    } else {
        let names: Vec<String> = reset_at.keys().map(|(t, p)| format!("{t}-{p}")).collect();
        names.join(", ")
    };
    // Offsets count records (control records included); a compacted log has gaps.
    let count = if compacted {
        format!("up to {skipped}")
    } else {
        skipped.to_string()
    };
    let records = if skipped == 1 { "record" } else { "records" };
    let hint = match (args.commit, any) {
        (CommitMode::None, _) => "-o beginning reads them".to_string(),
        (_, true) => format!(
            "-o beginning reads them until this member commits its position; then `filka group \
             reset-offsets {group} --to-earliest --execute` does"
        ),
        (_, false) => "-o beginning reads them until this member commits its position; then \
                       `filka group reset-offsets` does"
            .to_string(),
    };
    eprintln!(
        "filka: group {group} has no committed offset for {}: starting at the end \
         (auto.offset.reset=latest) skips {count} {records}; {hint}",
        escape_control(&which)
    );
}

fn has_leader(cluster: &Cluster, topic: &str, partition: u32) -> bool {
    cluster
        .partition(topic, partition)
        .is_ok_and(|p| p.leader >= 0 && cluster.state().is_online(p.leader))
}

/// A consumer of `starts`' partitions of `topic` that have a leader; those that have none
/// go to `offline` (the group reads the others and waits for them, as a Kafka consumer
/// does, instead of failing as a whole). None when every partition is offline.
fn consumer_of_online(
    cluster: &Cluster,
    topic: &str,
    mut starts: Vec<(u32, StartOffset)>,
    (follow, isolation): (bool, Isolation),
    offline: &mut Vec<Tp>,
) -> Result<Option<Consumer>, ClusterError> {
    while !starts.is_empty() {
        match Consumer::with_isolation(cluster.clone(), topic, &starts, follow, isolation) {
            Ok(c) => return Ok(Some(c)),
            // Checked by trying: the leader may go away between a look and the open.
            Err(ClusterError::Offline {
                topic: t,
                partition,
            }) if t == topic && starts.iter().any(|(p, _)| *p == partition) => {
                starts.retain(|(p, _)| *p != partition);
                offline.push((t, partition));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}
