//! Kafka topics into the local cluster.
//!
//! One librdkafka consumer per source topic (its end-of-partition events carry only a
//! partition number), assigned every partition at the offset the mirror's Kafka consumer
//! group committed, or at `auto.offset.reset` (earliest unless `-X` says otherwise) where it
//! has none. Records are written with the client layer's producer (acks=all) with their key,
//! value, headers and timestamp; every `batch` records (and whenever Kafka has nothing more
//! right now) the local producer is flushed, and only then are the next offsets committed
//! to the Kafka group.
//!
//! The mirror assigns partitions itself instead of subscribing: it needs every partition,
//! starts at once without waiting for a rebalance, and commits as a group without members
//! (Kafka accepts such commits, generation -1, while no member is active).
//!
//! Owns: local topic planning and the poll/write/commit loop. Must not: commit an offset
//! whose record is not in the local log.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::Offset;
use rdkafka::TopicPartitionList;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer as _};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;

use super::framing::Framing;
use super::kafka::{self, Ctx, Subject};
use super::route::Route;
use super::{
    Event, FramedSchema, MirrorError, Options, Summary, Tally, Topics, check_targets,
    clamp_min_insync, lock_group,
};
use crate::client::producer::{Producer, ProducerConfig, ProducerRecord};
use crate::cluster::topic::TopicConfig;
use crate::cluster::{Cluster, ClusterError};

/// How long one poll waits for a record when there is one source topic.
const POLL: Duration = Duration::from_millis(100);
/// The longest a record waits in an open batch before it is flushed and committed.
const COMMIT_EVERY: Duration = Duration::from_secs(1);

/// One Kafka topic being mirrored.
struct Plan {
    source: String,
    target: String,
    route: Route,
    consumer: BaseConsumer<Ctx>,
    producer: Producer,
    /// Per partition: the next offset to commit (-1: nothing seen yet).
    next: Vec<i64>,
    /// Per partition: the offset last committed.
    committed: Vec<i64>,
    /// Per partition: records written since the last commit.
    pending: Vec<u64>,
    /// Per partition: reached the end (no record since its end-of-partition event).
    at_end: Vec<bool>,
    /// Per partition: the high watermark when the mirror started. Without --follow a
    /// partition is done once its next offset gets there: waiting for the end-of-partition
    /// event would cost a fetch that the broker holds for fetch.wait.max.ms (500 ms) when
    /// there is nothing more. The event still ends partitions whose last offsets hold no
    /// record for the consumer (transaction markers).
    end: Vec<i64>,
    framing: Framing,
}

impl Plan {
    fn done(&self) -> bool {
        (0..self.next.len()).all(|i| {
            self.at_end.get(i).is_some_and(|&e| e)
                || matches!((self.next.get(i), self.end.get(i)), (Some(n), Some(e)) if n >= e)
        })
    }
}

pub(super) fn run(
    mut cluster: Cluster,
    opts: &Options,
    events: &mut dyn FnMut(Event<'_>),
) -> Result<Summary, MirrorError> {
    let names = match &opts.topics {
        Topics::Named(v) => v.clone(),
        Topics::All => {
            return Err(MirrorError::Setting {
                key: "--all-topics".into(),
                reason: "only with --to-kafka; name the Kafka topics with -t".into(),
            });
        }
    };
    check_targets(opts, &names)?;
    if names.is_empty() {
        events(Event::Note("no topics to mirror".into()));
        return Ok(Summary::default());
    }
    let _lock = lock_group(&cluster, &opts.group)?;
    let remote = &opts.remote;
    let registry = opts.registry.as_ref();
    let mut plans = Vec::with_capacity(names.len());
    let mut tally = Tally::default();
    for source in &names {
        let consumer: BaseConsumer<Ctx> = kafka::config(
            remote,
            &[
                ("auto.offset.reset", "earliest"),
                // High watermarks for the lag (Ctx::high_watermark), once a second.
                ("statistics.interval.ms", "1000"),
            ],
            &[
                ("group.id", &opts.group),
                ("enable.auto.commit", "false"),
                ("enable.auto.offset.store", "false"),
                ("enable.partition.eof", "true"),
            ],
        )?
        .create_with_context(Ctx::new(remote))
        .map_err(|e| kafka::creation_error(remote, e))?;
        let ctx = consumer.context().clone();
        // A consumer hands librdkafka's error events to poll's caller, not to the context:
        // nothing to serve here.
        let meta = kafka::metadata(consumer.client(), &ctx, remote, Some(source), &|| {})?;
        let mock = kafka::is_mock(consumer.client(), remote);
        let parts = match meta.topics.get(source) {
            Some(Ok(t)) if t.partitions > 0 => t.partitions,
            Some(Err(code)) => {
                return Err(kafka::remote_error(
                    remote,
                    *code,
                    format!("topic {source:?}: {}", kafka::code_text(*code)),
                    Some(Subject::Topic(source)),
                ));
            }
            _ => {
                return Err(kafka::remote_error(
                    remote,
                    RDKafkaErrorCode::UnknownTopicOrPartition,
                    format!("there is no topic {source:?}"),
                    Some(Subject::Topic(source)),
                ));
            }
        };
        let target = opts.target_of(source).to_string();
        events(Event::Detail(format!(
            "kafka {source} ({parts} partitions) -> local {target}: read as Kafka consumer \
             group {} from its committed offsets (auto.offset.reset=earliest where it has none)",
            opts.group
        )));
        let local_parts = local_topic(&mut cluster, opts, (source, &target), parts, mock, events)?;
        let route = Route::new(parts, local_parts);
        if !route.keeps_partitions() {
            events(Event::Note(format!(
                "local {target} has {local_parts} partitions, {source} on Kafka has {parts}: \
                 keyed records go by murmur2 of the key, null-keyed ones to partition % \
                 {local_parts}"
            )));
        }

        let mut tpl = TopicPartitionList::new();
        for p in 0..parts {
            tpl.add_partition(source, p as i32);
        }
        let committed = consumer
            .committed_offsets(tpl, remote.timeout)
            .map_err(|e| {
                kafka::request_error(
                    remote,
                    &ctx,
                    "reading the group's offsets",
                    &e,
                    Some(Subject::Group(&opts.group)),
                )
            })?;
        // The ends first: asked while nothing is assigned, no fetch is in flight for the
        // answers to queue behind.
        let mut end = Vec::with_capacity(parts as usize);
        let mut empty = Vec::with_capacity(parts as usize);
        for p in 0..parts {
            let (low, high) = consumer
                .fetch_watermarks(source, p as i32, remote.timeout)
                .map_err(|e| {
                    kafka::request_error(remote, &ctx, "asking for the offsets", &e, None)
                })?;
            end.push(high);
            empty.push(low >= high);
        }
        let mut assign = TopicPartitionList::new();
        let mut at = vec![-1i64; parts as usize];
        for e in committed.elements_for_topic(source) {
            let (p, offset) = (e.partition(), e.offset());
            let i = p as usize;
            let start = match offset {
                Offset::Offset(o) if o >= 0 => {
                    if let Some(slot) = at.get_mut(i) {
                        *slot = o;
                    }
                    Offset::Offset(o)
                }
                // No commit yet: auto.offset.reset decides (earliest by default).
                _ => Offset::Stored,
            };
            // Without --follow, a partition with nothing left is not read at all: its fetch
            // would be held by the broker for fetch.wait.max.ms, and closing waits for it.
            let finished = empty.get(i).is_some_and(|&e| e)
                || matches!((at.get(i), end.get(i)), (Some(n), Some(e)) if n >= e);
            if opts.follow || !finished {
                assign
                    .add_partition_offset(source, p, start)
                    .map_err(|e| kafka::request_error(remote, &ctx, "assigning", &e, None))?;
            }
        }
        consumer
            .assign(&assign)
            .map_err(|e| kafka::request_error(remote, &ctx, "assigning", &e, None))?;
        for (p, &pos) in at.iter().enumerate() {
            tally.add(source, p as u32, &target, pos);
        }
        let producer = Producer::new(cluster.clone(), &target, ProducerConfig::default())?;
        plans.push(Plan {
            source: source.clone(),
            target,
            route,
            consumer,
            producer,
            next: at.clone(),
            committed: at,
            pending: vec![0; parts as usize],
            at_end: empty,
            end,
            framing: Framing::default(),
        });
    }
    set_lags(&plans, &mut tally);
    events(Event::Progress(&tally.sorted()));

    let mut schemas: Vec<FramedSchema> = Vec::new();
    let mut in_batch = 0usize;
    let mut last_commit = Instant::now();
    let mut last_report = Instant::now();
    // Since when Kafka has looked unreachable (all brokers down) with nothing arriving.
    let mut down_since: Option<Instant> = None;
    let wait = if plans.len() == 1 {
        POLL
    } else {
        Duration::ZERO
    };
    // Each topic's turn takes at most its share of a batch, starting with another topic each
    // round, so a busy topic does not starve the others.
    let share = opts.batch.div_ceil(plans.len()).max(1);
    let mut round = 0usize;
    loop {
        let mut received = 0usize;
        let first = round % plans.len();
        round = round.wrapping_add(1);
        let (later, earlier) = plans.split_at_mut(first);
        for plan in earlier.iter_mut().chain(later.iter_mut()) {
            let turn_ends = in_batch + share;
            while in_batch < opts.batch && in_batch < turn_ends {
                let Some(polled) = plan.consumer.poll(wait) else {
                    break;
                };
                let msg = match polled {
                    Ok(m) => m,
                    Err(KafkaError::PartitionEOF(p)) => {
                        if let Some(e) = plan.at_end.get_mut(p as usize) {
                            *e = true;
                        }
                        continue;
                    }
                    Err(e) => {
                        consume_error(opts, plan, &e, &mut down_since, events)?;
                        break;
                    }
                };
                down_since = None;
                let p = u32::try_from(msg.partition()).unwrap_or(0);
                let (key, value) = (msg.key(), msg.payload());
                let Some(headers) = kafka::headers_of(&msg) else {
                    return Err(MirrorError::Unsendable {
                        topic: plan.source.clone(),
                        partition: p,
                        offset: msg.offset(),
                        reason: "librdkafka could not parse its headers".into(),
                    });
                };
                plan.producer.send(&ProducerRecord {
                    key,
                    value,
                    headers: &headers,
                    timestamp: msg.timestamp().to_millis(),
                    partition: Some(plan.route.partition(p, key)),
                })?;
                plan.framing.see(key, value);
                let i = p as usize;
                if let Some(n) = plan.next.get_mut(i) {
                    *n = msg.offset() + 1;
                }
                if let Some(n) = plan.pending.get_mut(i) {
                    *n += 1;
                }
                if let Some(e) = plan.at_end.get_mut(i) {
                    *e = false;
                }
                in_batch += 1;
                received += 1;
            }
        }
        let all_ended = (!opts.follow && plans.iter().all(Plan::done)) || (opts.stop)();
        let due = in_batch >= opts.batch
            || (in_batch > 0 && (received == 0 || last_commit.elapsed() >= COMMIT_EVERY))
            || all_ended;
        if due {
            commit(opts, &mut plans, &mut tally)?;
            in_batch = 0;
            last_commit = Instant::now();
            let mut fresh = Vec::new();
            for plan in &mut plans {
                fresh.extend(plan.framing.new_schemas(&plan.target, registry));
            }
            if !fresh.is_empty() {
                events(Event::Schemas(&fresh));
                schemas.extend(fresh);
            }
        }
        if all_ended || (due && last_report.elapsed() >= super::REPORT_EVERY) {
            set_lags(&plans, &mut tally);
            events(Event::Progress(&tally.sorted()));
            last_report = Instant::now();
        }
        if all_ended {
            break;
        }
        if received == 0 && plans.len() > 1 {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    for plan in &mut plans {
        plan.producer.close()?;
    }
    Ok(Summary {
        partitions: tally.sorted(),
        schemas,
    })
}

/// A consumer error: fatal ones (authorisation, an unknown topic, a fatal client error)
/// stop the mirror; transport errors are retried by librdkafka, until Kafka has looked
/// unreachable for the request timeout.
fn consume_error(
    opts: &Options,
    plan: &Plan,
    e: &KafkaError,
    down_since: &mut Option<Instant>,
    events: &mut dyn FnMut(Event<'_>),
) -> Result<(), MirrorError> {
    use RDKafkaErrorCode as C;
    let code = kafka::code_of(e);
    let subject = Some(Subject::Topic(&plan.source));
    let what = format!("reading {}: {}", plan.source, kafka::code_text(code));
    let fatal = matches!(e, KafkaError::MessageConsumptionFatal(_))
        || matches!(
            code,
            C::TopicAuthorizationFailed
                | C::GroupAuthorizationFailed
                | C::ClusterAuthorizationFailed
                | C::UnknownTopicOrPartition
                | C::UnknownTopic
                | C::Authentication
                | C::SaslAuthenticationFailed
                | C::SSL
                | C::OffsetOutOfRange
                | C::AutoOffsetReset
        );
    if fatal {
        return Err(kafka::remote_error(&opts.remote, code, what, subject));
    }
    if code == C::AllBrokersDown {
        let since = *down_since.get_or_insert_with(Instant::now);
        if since.elapsed() >= opts.remote.timeout {
            return Err(kafka::remote_error(&opts.remote, code, what, subject));
        }
    }
    events(Event::Note(format!("{what} (retrying)")));
    std::thread::sleep(Duration::from_millis(100));
    Ok(())
}

/// Flushes every local producer (acks=all: the records are in all in-sync replicas), then
/// commits the next offsets to the Kafka group.
fn commit(opts: &Options, plans: &mut [Plan], tally: &mut Tally) -> Result<(), MirrorError> {
    for plan in plans.iter_mut() {
        plan.producer.flush()?;
        let mut tpl = TopicPartitionList::new();
        for (i, (&next, last)) in plan.next.iter().zip(plan.committed.iter_mut()).enumerate() {
            let sent = plan.pending.get_mut(i).map_or(0, std::mem::take);
            if let Some(row) = tally.get(&plan.source, i as u32) {
                row.records += sent;
                if next >= 0 {
                    row.position = next;
                }
            }
            if next >= 0 && next != *last {
                tpl.add_partition_offset(&plan.source, i as i32, Offset::Offset(next))
                    .map_err(|e| {
                        kafka::request_error(
                            &opts.remote,
                            plan.consumer.context(),
                            "committing",
                            &e,
                            None,
                        )
                    })?;
                *last = next;
            }
        }
        if tpl.count() == 0 {
            continue;
        }
        plan.consumer.commit(&tpl, CommitMode::Sync).map_err(|e| {
            kafka::request_error(
                &opts.remote,
                plan.consumer.context(),
                "committing the group's offsets",
                &e,
                Some(Subject::Group(&opts.group)),
            )
        })?;
    }
    Ok(())
}

/// Lag per partition: the high watermark (the later of the one at the start and the one
/// librdkafka's statistics last saw) minus the position; unknown before a first record or
/// commit says where the partition is.
fn set_lags(plans: &[Plan], tally: &mut Tally) {
    for plan in plans {
        let ctx = plan.consumer.context();
        for (p, &end) in plan.end.iter().enumerate() {
            let high = ctx
                .high_watermark(&plan.source, p as i32)
                .unwrap_or(end)
                .max(end);
            if let Some(row) = tally.get(&plan.source, p as u32) {
                row.lag = (row.position >= 0).then(|| (high - row.position).max(0));
            }
        }
    }
}

/// The local topic's partition count: as it is, or as created now with the source's count
/// and those of its Kafka configs that filka has.
fn local_topic(
    cluster: &mut Cluster,
    opts: &Options,
    (source, target): (&str, &str),
    parts: u32,
    mock: bool,
    events: &mut dyn FnMut(Event<'_>),
) -> Result<u32, MirrorError> {
    match cluster.topic(target) {
        Ok(t) => return Ok(t.partitions.len() as u32),
        Err(ClusterError::UnknownTopic(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let mut configs = BTreeMap::new();
    match kafka::topic_configs(&opts.remote, source, mock) {
        Ok(found) => {
            let mut check = TopicConfig::default();
            for (k, v) in found {
                if check.set(&k, &v).is_ok() {
                    configs.insert(k, v);
                } else {
                    events(Event::Note(format!(
                        "{source}: {k}={v} not copied (filka does not have it)"
                    )));
                }
            }
        }
        Err(why) => events(Event::Note(format!(
            "{source}: topic configs not read from Kafka ({why}); {target} gets filka's defaults"
        ))),
    }
    let (_, rf) = cluster.topic_defaults(Some(parts), None, &mut configs);
    clamp_min_insync(&mut configs, rf);
    match cluster.create_topic(target, parts, rf, configs.clone(), false) {
        Ok(()) => {
            let shown: Vec<String> = configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            events(Event::Note(format!(
                "created local topic {target}: {parts} partitions, replication factor {rf}{}",
                if shown.is_empty() {
                    String::new()
                } else {
                    format!(", {}", shown.join(", "))
                }
            )));
        }
        // Created meanwhile by another process: use it as it is.
        Err(ClusterError::TopicExists(_)) => {}
        Err(e) => return Err(e.into()),
    }
    cluster.reload()?;
    Ok(cluster.topic(target)?.partitions.len() as u32)
}
