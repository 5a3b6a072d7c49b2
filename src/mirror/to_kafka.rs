//! Local topics into a Kafka cluster.
//!
//! Each source topic is read with the client layer's consumer from where the mirror's group
//! committed (from the beginning the first time), read_committed as MirrorMaker reads: the
//! records of aborted transactions are not copied, and those of an open one wait for its
//! commit (a transaction whose holder died is aborted first, as `consume` does). Records
//! go to librdkafka's producer with their key, value, headers and timestamp; every `batch`
//! records (and whenever the source has nothing more right now) the producer is flushed,
//! every delivery must have succeeded, and only then are the source positions committed to
//! the local `__consumer_offsets`.
//!
//! Owns: target topic planning (existing, created, or auto-created by the broker) and the
//! send/flush/commit loop. Must not: commit a position whose records the target has not
//! acknowledged.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer as _};

use super::framing::Framing;
use super::kafka::{self, Creation, Ctx, Subject};
use super::route::Route;
use super::{
    Event, FramedSchema, KAFKA_TOPIC_CONFIGS, MirrorError, Options, Summary, Tally, Topics,
    check_targets, clamp_min_insync, lock_group,
};
use crate::client::consumer::{Consumer, Fetched, Isolation, Poll, StartOffset};
use crate::cluster::Cluster;
use crate::cluster::topic::is_internal;
use crate::group::offsets;
use crate::txn::coordinator;

/// The longest a record waits in an open batch before it is flushed and committed.
const COMMIT_EVERY: Duration = Duration::from_secs(1);
/// How often follow mode checks for source topics that gained partitions and, while an
/// open transaction holds a partition's last stable offset back, whether its holder died or
/// its timeout passed (then aborts it).
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// Sleeps while the source has nothing new (follow mode), doubling up to the longest.
const IDLE_MIN: Duration = Duration::from_millis(1);
const IDLE_MAX: Duration = Duration::from_millis(100);

/// One source topic being mirrored.
struct Plan {
    source: String,
    target: String,
    route: Route,
    consumer: Consumer,
}

/// What has been sent and committed for one [`Plan`]; apart from it, so a commit can
/// happen while the plan's consumer is handing out a batch.
struct Track {
    source: String,
    /// Per partition: the position last committed.
    committed: Vec<i64>,
    /// Per partition: the position after the last record sent.
    next: Vec<i64>,
    /// Per partition: records sent since the last commit.
    pending: Vec<u64>,
    framing: Framing,
}

pub(super) fn run(
    mut cluster: Cluster,
    opts: &Options,
    events: &mut dyn FnMut(Event<'_>),
) -> Result<Summary, MirrorError> {
    let names: Vec<String> = match &opts.topics {
        Topics::Named(v) => v.clone(),
        Topics::All => cluster
            .state()
            .topics
            .keys()
            .filter(|t| !is_internal(t))
            .cloned()
            .collect(),
    };
    for n in &names {
        cluster.topic(n)?;
    }
    check_targets(opts, &names)?;
    let _lock = lock_group(&cluster, &opts.group)?;
    if names.is_empty() {
        events(Event::Note("no topics to mirror".into()));
        return Ok(Summary::default());
    }

    let remote = &opts.remote;
    let producer: BaseProducer<Ctx> = kafka::config(remote, &[], &[])?
        .create_with_context(Ctx::new(remote))
        .map_err(|e| kafka::creation_error(remote, e))?;
    let ctx = producer.context().clone();
    let serve = || producer.poll(Duration::from_millis(100));
    let meta = kafka::metadata(producer.client(), &ctx, remote, None, &serve)?;
    let mock = kafka::is_mock(producer.client(), remote);

    offsets::ensure_topic(&mut cluster)?;
    abort_stale(&mut cluster, events)?;
    let committed = offsets::read(&cluster, &opts.group)?;
    let registry = opts.registry.as_ref();
    let mut plans = Vec::with_capacity(names.len());
    let mut tracks = Vec::with_capacity(names.len());
    let mut tally = Tally::default();
    for source in &names {
        let t = cluster.topic(source)?.clone();
        let parts = t.partitions.len() as u32;
        let replication = t.partitions.first().map_or(1, |p| p.replicas.len() as u32);
        let target = opts.target_of(source).to_string();
        let target_parts = target_partitions(
            &producer,
            &ctx,
            opts,
            &meta,
            (source, &target),
            (parts, replication),
            &t.configs,
            mock,
            events,
        )?;
        let route = Route::new(parts, target_parts);
        if !route.keeps_partitions() {
            events(Event::Note(format!(
                "{target} has {target_parts} partitions on Kafka, {source} has {parts}: \
                 keyed records go by murmur2 of the key, null-keyed ones to partition % \
                 {target_parts}"
            )));
        }
        let starts: Vec<(u32, StartOffset)> = (0..parts)
            .map(|p| {
                let start = committed
                    .get(&(source.clone(), p))
                    .map_or(StartOffset::Beginning, |v| StartOffset::Offset(v.offset));
                (p, start)
            })
            .collect();
        let consumer = Consumer::with_isolation(
            cluster.clone(),
            source,
            &starts,
            opts.follow,
            Isolation::ReadCommitted,
        )?;
        let mut at = vec![0; parts as usize];
        for (p, pos) in consumer.positions() {
            events(Event::Detail(format!(
                "{source}-{p} -> kafka {target}: from offset {pos} ({}), read_committed",
                if committed.contains_key(&(source.clone(), p)) {
                    format!("committed in local group {}", opts.group)
                } else {
                    format!(
                        "no offset committed in local group {}: the log start",
                        opts.group
                    )
                }
            )));
            tally.add(source, p, &target, pos);
            if let Some(slot) = at.get_mut(p as usize) {
                *slot = pos;
            }
        }
        plans.push(Plan {
            source: source.clone(),
            target,
            route,
            consumer,
        });
        tracks.push(Track {
            source: source.clone(),
            next: at.clone(),
            committed: at,
            pending: vec![0; parts as usize],
            framing: Framing::default(),
        });
    }
    set_lags(&plans, &mut tally);
    events(Event::Progress(&tally.sorted()));

    let mut schemas: Vec<FramedSchema> = Vec::new();
    let mut in_batch = 0usize;
    let mut last_commit = Instant::now();
    let mut last_report = Instant::now();
    let mut idle = IDLE_MIN;
    let mut last_check = Instant::now();
    loop {
        let mut delivered = 0usize;
        let mut ended = 0usize;
        let mut committed = false;
        for (i, plan) in plans.iter_mut().enumerate() {
            let mut failed: Option<MirrorError> = None;
            let (target, route, source) = (&plan.target, plan.route, &plan.source);
            let polled = plan.consumer.poll(&mut |f: &Fetched<'_>| {
                if failed.is_some() {
                    return Ok(());
                }
                let sent = send(&producer, opts, source, target, route, f).and_then(|()| {
                    let Some(t) = tracks.get_mut(i) else {
                        return Ok(());
                    };
                    t.framing.see(f.record.key, f.record.value);
                    let p = f.partition as usize;
                    if let (Some(n), Some(next)) = (t.pending.get_mut(p), t.next.get_mut(p)) {
                        *n += 1;
                        *next = f.record.offset + 1;
                    }
                    in_batch += 1;
                    // A full batch is committed at once, even in the middle of a source
                    // batch: so a kill repeats at most --batch records.
                    if in_batch >= opts.batch {
                        commit(&producer, &ctx, &mut cluster, opts, &mut tracks, &mut tally)?;
                        in_batch = 0;
                        committed = true;
                    }
                    Ok(())
                });
                if let Err(e) = sent {
                    failed = Some(e);
                }
                Ok(())
            })?;
            if let Some(e) = failed {
                return Err(e);
            }
            // Everything below the position has been sent (or was a control record).
            if let Some(t) = tracks.get_mut(i) {
                for (p, pos) in plan.consumer.positions() {
                    if let Some(next) = t.next.get_mut(p as usize) {
                        *next = (*next).max(pos);
                    }
                }
            }
            match polled {
                Poll::Records(n) => delivered += n,
                Poll::End => ended += 1,
                Poll::Idle => {}
            }
        }
        // Serves delivery reports as they come, so librdkafka's queue never fills up.
        producer.poll(Duration::ZERO);
        let all_ended = ended == plans.len() || (opts.stop)();
        let due = (in_batch > 0 && (delivered == 0 || last_commit.elapsed() >= COMMIT_EVERY))
            || all_ended;
        if due {
            commit(&producer, &ctx, &mut cluster, opts, &mut tracks, &mut tally)?;
            in_batch = 0;
        }
        if due || committed {
            last_commit = Instant::now();
            let mut fresh = Vec::new();
            for t in &mut tracks {
                fresh.extend(t.framing.new_schemas(&t.source, registry));
            }
            if !fresh.is_empty() {
                events(Event::Schemas(&fresh));
                schemas.extend(fresh);
            }
        }
        if all_ended || ((due || committed) && last_report.elapsed() >= super::REPORT_EVERY) {
            set_lags(&plans, &mut tally);
            events(Event::Progress(&tally.sorted()));
            last_report = Instant::now();
        }
        if all_ended {
            break;
        }
        if delivered == 0 {
            std::thread::sleep(idle);
            idle = (idle * 2).min(IDLE_MAX);
            if opts.follow {
                // Once a second: transactions left open by dead holders, and partitions
                // added to a source topic.
                let checks_due = last_check.elapsed() >= CHECK_EVERY;
                if checks_due {
                    last_check = Instant::now();
                    let mut blocked = false;
                    for plan in &plans {
                        blocked |= plan.consumer.blocked_by_open_transactions()?;
                    }
                    if blocked {
                        abort_stale(&mut cluster, events)?;
                    }
                }
                for plan in &mut plans {
                    plan.consumer.refresh()?;
                }
                if checks_due {
                    let (plans, tracks) = (&mut plans, &mut tracks);
                    grow(
                        &producer,
                        &ctx,
                        &mut cluster,
                        opts,
                        plans,
                        tracks,
                        &mut tally,
                    )?;
                }
            }
        } else {
            idle = IDLE_MIN;
        }
    }
    Ok(Summary {
        partitions: tally.sorted(),
        schemas,
    })
}

/// Sends one record to its target partition; waits (serving delivery reports) while
/// librdkafka's queue is full.
fn send(
    producer: &BaseProducer<Ctx>,
    opts: &Options,
    source: &str,
    target: &str,
    route: Route,
    f: &Fetched<'_>,
) -> Result<(), MirrorError> {
    let r = &f.record;
    let partition = route.partition(f.partition, r.key);
    let mut rec: BaseRecord<'_, [u8], [u8], ()> =
        BaseRecord::to(target).partition(i32::try_from(partition).unwrap_or(i32::MAX));
    // librdkafka takes 0 as "now"; Kafka has no negative timestamps but -1 (none), which
    // becomes the time of sending, as with any producer that sets none.
    if r.timestamp > 0 {
        rec = rec.timestamp(r.timestamp);
    }
    if let Some(k) = r.key {
        rec = rec.key(k);
    }
    if let Some(v) = r.value {
        rec = rec.payload(v);
    }
    if r.header_count() > 0 {
        let mut headers = OwnedHeaders::new_with_capacity(r.header_count());
        for (k, v) in r.headers() {
            // Kafka's protocol defines header keys as strings; librdkafka takes only &str.
            let key = std::str::from_utf8(k).map_err(|_| MirrorError::Unsendable {
                topic: source.to_string(),
                partition: f.partition,
                offset: r.offset,
                reason: "a header key is not UTF-8, which Kafka's header keys must be".into(),
            })?;
            headers = headers.insert(Header { key, value: v });
        }
        rec = rec.headers(headers);
    }
    loop {
        match producer.send(rec) {
            Ok(()) => return Ok(()),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                rec = back;
                producer.poll(Duration::from_millis(10));
                check_down(producer.context(), opts)?;
            }
            Err((e, _)) => {
                let code = kafka::code_of(&e);
                return Err(kafka::remote_error(
                    &opts.remote,
                    code,
                    format!(
                        "sending {source}-{} offset {} to {target}-{partition}: {}",
                        f.partition,
                        r.offset,
                        kafka::code_text(code)
                    ),
                    Some(Subject::Topic(target)),
                ));
            }
        }
    }
}

/// Waits until the target acknowledged everything sent, then commits every partition's
/// position after its last record sent to the local group.
fn commit(
    producer: &BaseProducer<Ctx>,
    ctx: &Ctx,
    cluster: &mut Cluster,
    opts: &Options,
    tracks: &mut [Track],
    tally: &mut Tally,
) -> Result<(), MirrorError> {
    // Deliveries end in success or failure within message.timeout.ms (librdkafka's own
    // bound, settable with -X): waiting for them is never forever. rdkafka's flush with a
    // timeout polls in steps that last their full 100 ms whether or not the last report
    // came, a tenth of a second per batch; so: librdkafka's flush without waiting (it sends
    // at once, past linger.ms), then 1 ms polls for the reports.
    loop {
        match producer.flush(Duration::ZERO) {
            Ok(()) => break,
            Err(KafkaError::Flush(RDKafkaErrorCode::OperationTimedOut)) => {
                producer.poll(Duration::from_millis(1));
                check_down(ctx, opts)?;
            }
            Err(e) => {
                return Err(kafka::request_error(
                    &opts.remote,
                    ctx,
                    "waiting for acknowledgements",
                    &e,
                    None,
                ));
            }
        }
    }
    if let Some(f) = ctx.failure() {
        return Err(kafka::remote_error(
            &opts.remote,
            f.code,
            format!("delivering to {}-{}: {}", f.topic, f.partition, f.detail),
            Some(Subject::Topic(&f.topic)),
        ));
    }
    let mut entries = Vec::new();
    for t in tracks.iter_mut() {
        for (p, (&next, last)) in t.next.iter().zip(t.committed.iter_mut()).enumerate() {
            if *last != next {
                entries.push(((t.source.clone(), p as u32), next));
                *last = next;
            }
            let sent = t.pending.get_mut(p).map_or(0, std::mem::take);
            if let Some(row) = tally.get(&t.source, p as u32) {
                row.records += sent;
                row.position = next;
            }
        }
    }
    offsets::commit(cluster, &opts.group, &entries)?;
    Ok(())
}

/// Follow mode: source topics that gained partitions since the mirror started get them
/// read too (from the group's commit, or the beginning). The target must have them: when
/// it has fewer, records that kept their partition so far would start going by key, so the
/// mirror stops and says to add partitions on Kafka.
#[allow(clippy::too_many_arguments)]
fn grow(
    producer: &BaseProducer<Ctx>,
    ctx: &Ctx,
    cluster: &mut Cluster,
    opts: &Options,
    plans: &mut [Plan],
    tracks: &mut [Track],
    tally: &mut Tally,
) -> Result<(), MirrorError> {
    cluster.reload()?;
    for (plan, track) in plans.iter_mut().zip(tracks.iter_mut()) {
        let had = track.next.len() as u32;
        let now = cluster.topic(&plan.source)?.partitions.len() as u32;
        if now <= had {
            continue;
        }
        let target_parts = wait_for_topic(producer, ctx, opts, &plan.target)?;
        let route = Route::new(now, target_parts);
        if plan.route.keeps_partitions() && !route.keeps_partitions() {
            return Err(kafka::remote_error(
                &opts.remote,
                RDKafkaErrorCode::InvalidPartitions,
                format!(
                    "local topic {} grew from {had} to {now} partitions while {} has \
                     {target_parts} on Kafka",
                    plan.source, plan.target
                ),
                Some(Subject::Topic(&plan.target)),
            ))
            .map_err(|e| match e {
                MirrorError::Remote { broker, what, .. } => MirrorError::Remote {
                    broker,
                    what,
                    check: format!(
                        "the partitions of {:?} there: add them (kafka-topics.sh --alter \
                         --partitions {now}), then run the mirror again",
                        plan.target
                    ),
                },
                other => other,
            });
        }
        let committed = offsets::read(cluster, &opts.group)?;
        let starts: Vec<(u32, StartOffset)> = (had..now)
            .map(|p| {
                let start = committed
                    .get(&(plan.source.clone(), p))
                    .map_or(StartOffset::Beginning, |v| StartOffset::Offset(v.offset));
                (p, start)
            })
            .collect();
        plan.consumer.add_partitions(&starts)?;
        plan.route = route;
        let positions: BTreeMap<u32, i64> = plan.consumer.positions().into_iter().collect();
        for p in had..now {
            let pos = positions.get(&p).copied().unwrap_or(0);
            track.next.push(pos);
            track.committed.push(pos);
            track.pending.push(0);
            tally.add(&plan.source, p, &plan.target, pos);
        }
    }
    Ok(())
}

/// Aborts local transactions whose holder died or whose timeout passed (the coordinator's
/// check, run by whoever needs a last stable offset to move), saying so.
fn abort_stale(
    cluster: &mut Cluster,
    events: &mut dyn FnMut(Event<'_>),
) -> Result<(), MirrorError> {
    for done in coordinator::abort_stale(cluster)? {
        events(Event::Note(format!(
            "{} transaction {:?} ({})",
            if done.committed {
                "completed"
            } else {
                "aborted"
            },
            done.transactional_id,
            done.reason
        )));
    }
    Ok(())
}

/// Fails once every broker of the target has been down for the request timeout with no
/// delivery succeeding, as `--from-kafka` does: librdkafka alone would keep the messages for
/// message.timeout.ms (five minutes by default) and say nothing meanwhile. Nothing is
/// committed past what was acknowledged, so the next run sends the rest.
fn check_down(ctx: &Ctx, opts: &Options) -> Result<(), MirrorError> {
    let remote = &opts.remote;
    match ctx.down_since() {
        Some(since) if since.elapsed() >= remote.timeout => {
            let (code, reason) = ctx
                .last_error()
                .unwrap_or((RDKafkaErrorCode::AllBrokersDown, String::new()));
            Err(kafka::remote_error(
                remote,
                code,
                format!(
                    "waiting for acknowledgements: every broker down for {} ms ({reason})",
                    remote.timeout.as_millis()
                ),
                None,
            ))
        }
        _ => Ok(()),
    }
}

fn set_lags(plans: &[Plan], tally: &mut Tally) {
    for plan in plans {
        let hw: BTreeMap<u32, i64> = plan.consumer.high_watermarks().into_iter().collect();
        for (p, _) in plan.consumer.positions() {
            if let (Some(row), Some(h)) = (tally.get(&plan.source, p), hw.get(&p)) {
                row.lag = Some((h - row.position).max(0));
            }
        }
    }
}

/// The partition count of the target topic: as it is on Kafka, or as created there now.
#[allow(clippy::too_many_arguments)]
fn target_partitions(
    producer: &BaseProducer<Ctx>,
    ctx: &Ctx,
    opts: &Options,
    meta: &kafka::ClusterMeta,
    (source, target): (&str, &str),
    (parts, replication): (u32, u32),
    source_configs: &BTreeMap<String, String>,
    mock: bool,
    events: &mut dyn FnMut(Event<'_>),
) -> Result<u32, MirrorError> {
    let remote = &opts.remote;
    match meta.topics.get(target) {
        Some(Ok(t)) if t.partitions > 0 => return Ok(t.partitions),
        Some(Err(code)) if *code != RDKafkaErrorCode::UnknownTopicOrPartition => {
            return Err(kafka::remote_error(
                remote,
                *code,
                format!("topic {target:?}: {}", kafka::code_text(*code)),
                Some(Subject::Topic(target)),
            ));
        }
        _ => {}
    }
    let replication = replication.clamp(1, meta.brokers.max(1) as u32);
    let mut configs = BTreeMap::new();
    for (k, v) in source_configs {
        if KAFKA_TOPIC_CONFIGS.contains(&k.as_str()) {
            configs.insert(k.clone(), v.clone());
        } else {
            events(Event::Note(format!(
                "{source}: {k}={v} not copied to Kafka (not a Kafka topic config)"
            )));
        }
    }
    clamp_min_insync(&mut configs, replication);
    match kafka::create_topic(remote, target, parts, replication, &configs, mock)? {
        Creation::Created { refused } => {
            for (k, v, why) in refused {
                events(Event::Note(format!(
                    "{source}: {k}={v} not copied to Kafka (the target refuses it: {why})"
                )));
                configs.remove(&k);
            }
            let shown: Vec<String> = configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            events(Event::Note(format!(
                "created topic {target} on Kafka: {parts} partitions, replication factor \
                 {replication}{}",
                if shown.is_empty() {
                    String::new()
                } else {
                    format!(", {}", shown.join(", "))
                }
            )));
            wait_for_topic(producer, ctx, opts, target)
        }
        Creation::NotDone(why) => {
            // No CreateTopics (librdkafka's mock cluster, very old brokers, or no answer): a metadata
            // request for the topic lets a broker with auto.create.topics.enable create it
            // with its own defaults.
            let n = wait_for_topic(producer, ctx, opts, target).map_err(|e| match e {
                MirrorError::Remote { broker, what, .. } => MirrorError::Remote {
                    broker,
                    what: format!(
                        "topic {target:?} does not exist and cannot be created (CreateTopics: \
                         {why}; auto-creation: {what})"
                    ),
                    check: format!(
                        "that {target:?} exists there, with {parts} partitions to keep them"
                    ),
                },
                other => other,
            })?;
            events(Event::Note(format!(
                "{target} not created with CreateTopics ({why}); the broker auto-created it \
                 with {n} partitions"
            )));
            Ok(n)
        }
    }
}

/// Asks for `topic`'s metadata until it has partitions (a new topic takes a moment to
/// reach every broker), up to the request timeout.
fn wait_for_topic(
    producer: &BaseProducer<Ctx>,
    ctx: &Ctx,
    opts: &Options,
    topic: &str,
) -> Result<u32, MirrorError> {
    let deadline = Instant::now() + opts.remote.timeout;
    loop {
        let meta = kafka::metadata(producer.client(), ctx, &opts.remote, Some(topic), &|| {
            producer.poll(Duration::ZERO)
        })?;
        let code = match meta.topics.get(topic) {
            Some(Ok(t)) if t.partitions > 0 => return Ok(t.partitions),
            Some(Err(code)) => *code,
            _ => RDKafkaErrorCode::UnknownTopicOrPartition,
        };
        let retriable = matches!(
            code,
            RDKafkaErrorCode::UnknownTopicOrPartition | RDKafkaErrorCode::LeaderNotAvailable
        );
        if !retriable || Instant::now() >= deadline {
            return Err(kafka::remote_error(
                &opts.remote,
                code,
                format!("topic {topic:?}: {}", kafka::code_text(code)),
                Some(Subject::Topic(topic)),
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
