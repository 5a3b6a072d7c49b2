//! The librdkafka side of the mirror: client settings (`-X`), a client context that keeps
//! what librdkafka reported (its last error, delivery outcomes), metadata, topic creation,
//! and the mapping of Kafka's error codes to [`MirrorError::Remote`], whose line names the
//! broker and the setting to check.
//!
//! Owns: every use of `rdkafka` outside the two loops. Must not: be visible outside
//! `mirror` (its items are `pub(super)`).

use std::collections::BTreeMap;
use std::ffi::CStr;
use std::future::Future;
use std::pin::pin;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake};
use std::time::Instant;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::bindings as rdsys;
use rdkafka::client::{Client, ClientContext};
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::ConsumerContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::producer::{DeliveryResult, ProducerContext};
use rdkafka::statistics::Statistics;

use super::{MirrorError, Remote};
use crate::record::HeaderRef;

/// Settings the mirror decides itself: a user's `-X` for them would break the guarantees
/// (a second committer, or offsets stored by someone else).
const OWNED: &[(&str, &str)] = &[
    ("group.id", "use --group"),
    (
        "enable.auto.commit",
        "the mirror commits after the target acknowledged",
    ),
    (
        "enable.auto.offset.store",
        "the mirror commits after the target acknowledged",
    ),
];

/// A client configuration: `bootstrap.servers`, then `defaults` (filka's choices the user
/// may override), then the user's `-X` settings in order, then `forced`.
pub(super) fn config(
    remote: &Remote,
    defaults: &[(&str, &str)],
    forced: &[(&str, &str)],
) -> Result<ClientConfig, MirrorError> {
    let mut cfg = ClientConfig::new();
    if remote.log {
        cfg.set_log_level(RDKafkaLogLevel::Debug);
    }
    cfg.set("bootstrap.servers", &remote.bootstrap);
    cfg.set("client.id", "filka-mirror");
    for (k, v) in defaults {
        cfg.set(*k, *v);
    }
    for (k, v) in &remote.settings {
        if let Some((_, why)) = OWNED.iter().find(|(o, _)| o == k) {
            return Err(MirrorError::Setting {
                key: format!("-X {k}"),
                reason: format!("set by the mirror itself ({why})"),
            });
        }
        cfg.set(k, v);
    }
    for (k, v) in forced {
        cfg.set(*k, *v);
    }
    Ok(cfg)
}

/// Turns the error librdkafka gives when a client cannot be created into a [`MirrorError`]:
/// a refused `-X` setting is a usage error naming the setting.
pub(super) fn creation_error(remote: &Remote, e: KafkaError) -> MirrorError {
    match e {
        KafkaError::ClientConfig(_, desc, key, _) => MirrorError::Setting {
            key: format!("-X {key}"),
            reason: desc,
        },
        KafkaError::ClientCreation(msg) => {
            // librdkafka checks combinations only at creation ("`acks` must be set to `all`
            // when `enable.idempotence` is true"): the text names the setting.
            MirrorError::Setting {
                key: remote
                    .settings
                    .iter()
                    .find(|(k, _)| msg.contains(k.as_str()))
                    .map_or_else(|| "-X".to_string(), |(k, v)| format!("-X {k}={v}")),
                reason: msg,
            }
        }
        other => remote_error(remote, code_of(&other), other.to_string(), None),
    }
}

/// What librdkafka told a client's context: the last global error (a refused connection, a
/// failed authentication) and the outcome of deliveries.
#[derive(Debug, Default)]
pub(super) struct Ctx {
    /// Whether librdkafka's log lines go to stderr ([`Remote::log`]).
    log: bool,
    last_error: Mutex<Option<(RDKafkaErrorCode, String)>>,
    /// Messages the target acknowledged.
    pub(super) acked: AtomicU64,
    failed: Mutex<Option<DeliveryFailure>>,
    /// Since when every broker has been down (librdkafka's AllBrokersDown) with no delivery
    /// succeeding since: deliveries wait for message.timeout.ms (five minutes by default),
    /// the mirror gives up after its --timeout-ms of this.
    down_since: Mutex<Option<Instant>>,
    /// (topic, partition) -> high watermark, from librdkafka's statistics (consumers set
    /// statistics.interval.ms): the lag without a request, which would queue behind the
    /// long-polling fetch on the same connection for up to fetch.wait.max.ms.
    high: Mutex<BTreeMap<(String, i32), i64>>,
}

/// The first delivery that failed.
#[derive(Debug, Clone)]
pub(super) struct DeliveryFailure {
    pub(super) code: RDKafkaErrorCode,
    pub(super) detail: String,
    pub(super) topic: String,
    pub(super) partition: i32,
}

impl Ctx {
    /// A context for a client of `remote`.
    pub(super) fn new(remote: &Remote) -> Ctx {
        Ctx {
            log: remote.log,
            ..Ctx::default()
        }
    }

    /// The last global error librdkafka reported, if any.
    pub(super) fn last_error(&self) -> Option<(RDKafkaErrorCode, String)> {
        self.last_error.lock().ok().and_then(|g| g.clone())
    }

    /// The high watermark of a partition as the last statistics saw it.
    pub(super) fn high_watermark(&self, topic: &str, partition: i32) -> Option<i64> {
        let g = self.high.lock().ok()?;
        g.get(&(topic.to_string(), partition)).copied()
    }

    /// Since when every broker has been down with nothing delivered, if they are.
    pub(super) fn down_since(&self) -> Option<Instant> {
        self.down_since.lock().ok().and_then(|g| *g)
    }

    /// The first failed delivery, if any.
    pub(super) fn failure(&self) -> Option<DeliveryFailure> {
        self.failed.lock().ok().and_then(|g| g.clone())
    }
}

impl ClientContext for Ctx {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, message: &str) {
        // Asked for with -X debug=... or -vv: librdkafka's own words, as kcat shows them
        // (called on librdkafka's threads, so straight to stderr).
        if self.log {
            eprintln!("librdkafka: {level:?} {fac}: {message}");
        }
    }

    fn stats(&self, stats: Statistics) {
        let Ok(mut g) = self.high.lock() else { return };
        for (name, t) in stats.topics {
            for (p, part) in t.partitions {
                if p >= 0 && part.hi_offset >= 0 {
                    g.insert((name.clone(), p), part.hi_offset);
                }
            }
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        let code = code_of(&error);
        if code == RDKafkaErrorCode::AllBrokersDown
            && let Ok(mut g) = self.down_since.lock()
        {
            g.get_or_insert_with(Instant::now);
        }
        if let Ok(mut g) = self.last_error.lock() {
            // "1/1 brokers are down" follows the error that says why ("Connect to
            // ipv4#127.0.0.1:9092 failed: Connection refused"): keep the why.
            if code != RDKafkaErrorCode::AllBrokersDown || g.is_none() {
                *g = Some((code, reason.to_string()));
            }
        }
    }
}

impl ConsumerContext for Ctx {}

impl ProducerContext for Ctx {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.acked.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut g) = self.down_since.lock() {
                    *g = None;
                }
            }
            Err((e, msg)) => {
                if let Ok(mut g) = self.failed.lock()
                    && g.is_none()
                {
                    *g = Some(DeliveryFailure {
                        code: code_of(e),
                        detail: e.to_string(),
                        topic: msg.topic().to_string(),
                        partition: msg.partition(),
                    });
                }
            }
        }
    }
}

/// The error code inside a [`KafkaError`], [`RDKafkaErrorCode::Fail`] when it has none.
pub(super) fn code_of(e: &KafkaError) -> RDKafkaErrorCode {
    e.rdkafka_error_code().unwrap_or(RDKafkaErrorCode::Fail)
}

/// One Kafka-side failure as [`MirrorError::Remote`]: what happened, and which setting or
/// permission to check for that kind of failure.
pub(super) fn remote_error(
    remote: &Remote,
    code: RDKafkaErrorCode,
    what: String,
    subject: Option<Subject<'_>>,
) -> MirrorError {
    use RDKafkaErrorCode as C;
    let topic = match subject {
        Some(Subject::Topic(t)) => format!("topic {t:?}"),
        Some(Subject::Group(g)) => format!("group {g:?}"),
        None => "the topic".to_string(),
    };
    let check = match code {
        C::BrokerTransportFailure
        | C::AllBrokersDown
        | C::Resolve
        | C::OperationTimedOut
        | C::MessageTimedOut
        | C::RequestTimedOut
        | C::TimedOutQueue
        | C::NetworkException => {
            "bootstrap.servers (a reachable host:port of a listener) and security.protocol"
                .to_string()
        }
        C::Authentication
        | C::SaslAuthenticationFailed
        | C::UnsupportedSASLMechanism
        | C::IllegalSASLState
        | C::SSL => {
            "security.protocol, sasl.mechanism, sasl.username and sasl.password (-X)".to_string()
        }
        C::TopicAuthorizationFailed => format!(
            "the ACLs of this principal (sasl.username) on {topic}: the mirror needs READ and \
             DESCRIBE on sources, WRITE and DESCRIBE on targets"
        ),
        C::GroupAuthorizationFailed => format!(
            "the ACLs of this principal (sasl.username) on {topic} (READ, to commit offsets)"
        ),
        C::ClusterAuthorizationFailed => format!(
            "the ACLs of this principal (sasl.username): CREATE on the cluster, or create \
             {topic} on the target first"
        ),
        C::UnknownTopicOrPartition | C::UnknownTopic | C::UnknownPartition | C::InvalidTopic => {
            format!("-t and --rename ({topic} as named on that cluster)")
        }
        C::MessageSizeTooLarge | C::InvalidMessageSize | C::MessageBatchTooLarge => {
            format!("message.max.bytes (-X) and max.message.bytes of {topic} on the target")
        }
        C::NotEnoughReplicas | C::NotEnoughReplicasAfterAppend | C::InvalidRequiredAcks => {
            format!("acks (-X) and min.insync.replicas of {topic} on the target")
        }
        C::PolicyViolation
        | C::InvalidConfig
        | C::InvalidReplicationFactor
        | C::InvalidPartitions => format!(
            "the target's topic policy: create {topic} there yourself, then run the mirror again"
        ),
        // Kafka 4 refuses timestamps more than an hour ahead of the broker's clock (its
        // default message.timestamp.after.max.ms), which filka's topics keep.
        C::InvalidTimestamp => format!(
            "the records' timestamps against message.timestamp.after.max.ms (an hour ahead \
             by default since Kafka 4) and message.timestamp.before.max.ms of {topic} on \
             the target"
        ),
        // E.g. a record without a key in a topic compacted on the target but not in filka.
        C::InvalidRecord => format!(
            "the broker's log for the record it refused (a record without a key cannot go \
             to {topic} if its cleanup.policy is compact)"
        ),
        C::UnsupportedCompressionType | C::BadCompression => {
            "compression.type (-X): the target does not take this codec".to_string()
        }
        C::UnknownMemberId | C::IllegalGeneration | C::RebalanceInProgress => format!(
            "that no other consumer is a member of {topic}: the mirror commits as a group \
             without members"
        ),
        _ => "the broker's log".to_string(),
    };
    MirrorError::Remote {
        broker: remote.bootstrap.clone(),
        what,
        check,
    }
}

/// What a remote failure was about, for the setting it names.
#[derive(Debug, Clone, Copy)]
pub(super) enum Subject<'a> {
    /// A topic.
    Topic(&'a str),
    /// A consumer group.
    Group(&'a str),
}

/// A failed request as [`MirrorError::Remote`], with librdkafka's last global error (which
/// names the broker and the OS error, e.g. "Connect to ipv4#127.0.0.1:9092 failed:
/// Connection refused") when the request itself says only that it timed out.
pub(super) fn request_error(
    remote: &Remote,
    ctx: &Ctx,
    doing: &str,
    e: &KafkaError,
    subject: Option<Subject<'_>>,
) -> MirrorError {
    let code = code_of(e);
    let generic = matches!(
        code,
        RDKafkaErrorCode::OperationTimedOut
            | RDKafkaErrorCode::BrokerTransportFailure
            | RDKafkaErrorCode::AllBrokersDown
            | RDKafkaErrorCode::TimedOutQueue
    );
    match ctx.last_error() {
        Some((last, reason)) if generic => remote_error(
            remote,
            last,
            format!("{doing}: {} ({reason})", code_text(code)),
            subject,
        ),
        _ => remote_error(
            remote,
            code,
            format!("{doing}: {}", code_text(code)),
            subject,
        ),
    }
}

/// librdkafka's own words for an error code ("Broker: Topic authorization failed").
pub(super) fn code_text(code: RDKafkaErrorCode) -> String {
    code.to_string()
}

/// A topic as the Kafka cluster describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TopicMeta {
    pub(super) partitions: u32,
}

/// Topics and brokers of the Kafka cluster.
#[derive(Debug, Clone, Default)]
pub(super) struct ClusterMeta {
    pub(super) brokers: usize,
    /// Topic -> its partitions, or the error the cluster gave for it.
    pub(super) topics: BTreeMap<String, Result<TopicMeta, RDKafkaErrorCode>>,
}

/// Metadata for `topic`, or for every topic (which never creates one, whatever
/// `allow.auto.create.topics` says).
///
/// `serve` polls the client's queue: librdkafka reports why it cannot connect as events
/// there, which only a poll hands to [`Ctx`].
pub(super) fn metadata<C: ClientContext>(
    client: &Client<C>,
    ctx: &Ctx,
    remote: &Remote,
    topic: Option<&str>,
    serve: &dyn Fn(),
) -> Result<ClusterMeta, MirrorError> {
    let md = client.fetch_metadata(topic, remote.timeout).map_err(|e| {
        serve();
        request_error(
            remote,
            ctx,
            "metadata request",
            &e,
            topic.map(Subject::Topic),
        )
    })?;
    let mut out = ClusterMeta {
        brokers: md.brokers().len(),
        topics: BTreeMap::new(),
    };
    for t in md.topics() {
        let entry = match t.error() {
            Some(e) => Err(RDKafkaErrorCode::from(e)),
            None => Ok(TopicMeta {
                partitions: t.partitions().len() as u32,
            }),
        };
        out.topics.insert(t.name().to_string(), entry);
    }
    Ok(out)
}

/// The prefix of the cluster id of librdkafka's mock cluster (rdkafka_mock.c).
const MOCK_CLUSTER_ID: &str = "mockCluster";

/// Whether the cluster is librdkafka's mock cluster. It announces no controller (its
/// ControllerId is a broker that does not exist), so admin requests that go to the
/// controller (CreateTopics, DescribeConfigs) would wait out their whole timeout there.
pub(super) fn is_mock<C: ClientContext>(client: &Client<C>, remote: &Remote) -> bool {
    client
        .fetch_cluster_id(remote.timeout)
        .is_some_and(|id| id.starts_with(MOCK_CLUSTER_ID))
}

/// Why a topic is not created (or described) on the mock cluster.
pub(super) const MOCK_ADMIN: &str =
    "librdkafka's mock cluster has no controller for admin requests";

/// What a request to create a topic came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Creation {
    /// Created (or created meanwhile by someone else), without the `refused` configs: the
    /// target refused each of them (InvalidConfig), e.g. Kafka 4's `segment.bytes` under
    /// 1 MiB, which filka takes.
    Created {
        /// The configs left out, with the target's answer for each.
        refused: Vec<(String, String, String)>,
    },
    /// CreateTopics is not offered (librdkafka's mock cluster, old brokers) or did not
    /// answer in time: the caller may fall back on the broker's auto-creation.
    NotDone(String),
}

/// Creates `name` with `partitions` partitions, `replication` replicas and `configs`.
///
/// When the target refuses the configs (InvalidConfig), each is tried alone with a
/// validate-only request; those refused are left out and the topic is created with the
/// rest. (rdkafka hands over only the error code of a topic result, not the broker's
/// message, so the request is what names the config.)
pub(super) fn create_topic(
    remote: &Remote,
    name: &str,
    partitions: u32,
    replication: u32,
    configs: &BTreeMap<String, String>,
    mock: bool,
) -> Result<Creation, MirrorError> {
    if mock {
        return Ok(Creation::NotDone(MOCK_ADMIN.into()));
    }
    let cfg = config(remote, &[], &[])?;
    let admin: AdminClient<Ctx> = cfg
        .create_with_context(Ctx::new(remote))
        .map_err(|e| creation_error(remote, e))?;
    let replication = i32::try_from(replication.max(1)).unwrap_or(1);
    let request = Request {
        admin: &admin,
        remote,
        name,
        partitions: i32::try_from(partitions).unwrap_or(i32::MAX),
        replication,
    };
    match request.send(configs, false)? {
        Sent::Refused(RDKafkaErrorCode::InvalidConfig) if !configs.is_empty() => {}
        other => return request.outcome(other, Vec::new()),
    }
    let mut kept = configs.clone();
    let mut refused = Vec::new();
    for (k, v) in configs {
        let alone: BTreeMap<String, String> = [(k.clone(), v.clone())].into();
        if let Sent::Refused(code @ RDKafkaErrorCode::InvalidConfig) = request.send(&alone, true)? {
            kept.remove(k);
            refused.push((k.clone(), v.clone(), code_text(code)));
        }
    }
    if refused.is_empty() {
        // No one config is refused alone: the combination is, which the user must sort out.
        return request.outcome(Sent::Refused(RDKafkaErrorCode::InvalidConfig), refused);
    }
    let result = request.send(&kept, false)?;
    request.outcome(result, refused)
}

/// What one CreateTopics request came to.
enum Sent {
    /// Created, or existing already (or, validating only, acceptable).
    Done,
    /// The target's error for the topic.
    Refused(RDKafkaErrorCode),
    /// CreateTopics is not offered or not answered in time: why.
    NotDone(String),
}

/// One topic's CreateTopics request, sent with some configs.
struct Request<'a> {
    admin: &'a AdminClient<Ctx>,
    remote: &'a Remote,
    name: &'a str,
    partitions: i32,
    replication: i32,
}

impl Request<'_> {
    /// Sends the request (`validate_only`: the target only checks it); `Err` when the
    /// request itself failed.
    fn send(
        &self,
        configs: &BTreeMap<String, String>,
        validate_only: bool,
    ) -> Result<Sent, MirrorError> {
        let mut topic = NewTopic::new(
            self.name,
            self.partitions,
            TopicReplication::Fixed(self.replication),
        );
        for (k, v) in configs {
            topic = topic.set(k, v);
        }
        let opts = AdminOptions::new()
            .request_timeout(Some(self.remote.timeout))
            .operation_timeout(Some(self.remote.timeout))
            .validate_only(validate_only);
        let results = match block_on(self.admin.create_topics([&topic], &opts)) {
            Ok(r) => r,
            Err(e) if unsupported(code_of(&e)) || timed_out(code_of(&e)) => {
                return Ok(Sent::NotDone(e.to_string()));
            }
            Err(e) => {
                return Err(request_error(
                    self.remote,
                    self.admin.inner().context(),
                    "creating the topic",
                    &e,
                    Some(Subject::Topic(self.name)),
                ));
            }
        };
        for r in results {
            match r {
                Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((_, code)) => return Ok(Sent::Refused(code)),
            }
        }
        Ok(Sent::Done)
    }

    /// What a (non-validating) request's result comes to.
    fn outcome(
        &self,
        result: Sent,
        refused: Vec<(String, String, String)>,
    ) -> Result<Creation, MirrorError> {
        let name = self.name;
        match result {
            Sent::Done => Ok(Creation::Created { refused }),
            Sent::NotDone(why) => Ok(Creation::NotDone(why)),
            Sent::Refused(code) if unsupported(code) => Ok(Creation::NotDone(code_text(code))),
            Sent::Refused(code) => Err(remote_error(
                self.remote,
                code,
                format!(
                    "creating topic {name:?} ({} partitions, replication factor {}): {}",
                    self.partitions,
                    self.replication,
                    code_text(code)
                ),
                Some(Subject::Topic(name)),
            )),
        }
    }
}

fn timed_out(code: RDKafkaErrorCode) -> bool {
    matches!(
        code,
        RDKafkaErrorCode::OperationTimedOut
            | RDKafkaErrorCode::Fail
            | RDKafkaErrorCode::RequestTimedOut
    )
}

fn unsupported(code: RDKafkaErrorCode) -> bool {
    matches!(
        code,
        RDKafkaErrorCode::UnsupportedFeature
            | RDKafkaErrorCode::UnsupportedVersion
            | RDKafkaErrorCode::NotImplemented
            | RDKafkaErrorCode::InvalidRequest
    )
}

/// The configs of topic `name` set on the Kafka cluster (not broker defaults), or why they
/// cannot be had (the mock cluster does not answer DescribeConfigs).
pub(super) fn topic_configs(
    remote: &Remote,
    name: &str,
    mock: bool,
) -> Result<BTreeMap<String, String>, String> {
    if mock {
        return Err(MOCK_ADMIN.into());
    }
    let cfg = config(remote, &[], &[]).map_err(|e| e.to_string())?;
    let admin: AdminClient<Ctx> = cfg
        .create_with_context(Ctx::new(remote))
        .map_err(|e| e.to_string())?;
    let opts = AdminOptions::new().request_timeout(Some(remote.timeout));
    let results = block_on(admin.describe_configs([&ResourceSpecifier::Topic(name)], &opts))
        .map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for r in results {
        let resource = r.map_err(code_text)?;
        for e in resource.entries {
            if e.is_default || e.is_sensitive {
                continue;
            }
            if e.source != rdkafka::admin::ConfigSource::DynamicTopic {
                continue;
            }
            if let Some(v) = e.value {
                out.insert(e.name, v);
            }
        }
    }
    Ok(out)
}

/// Runs a future to completion on this thread. rdkafka's admin futures are completed by its
/// own polling thread, so parking until woken is all an executor has to do here.
pub(super) fn block_on<F: Future>(f: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Arc::new(Unpark(std::thread::current())).into();
    let mut cx = Context::from_waker(&waker);
    let mut f = pin!(f);
    loop {
        match f.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            // A spurious unpark only costs one more poll.
            Poll::Pending => std::thread::park(),
        }
    }
}

/// A consumed message's headers in order, keys as the bytes the broker holds. `None` when
/// librdkafka could not parse them (the caller refuses the record rather than copy it
/// without its headers).
///
/// rdkafka's own `Headers` iterator turns each key into `&str` with an `unwrap`, so a
/// header key that is not UTF-8 (Kafka's protocol says keys are strings; a non-Java client
/// may still write any bytes) would panic. filka's header keys are bytes, so they are read
/// here through librdkafka's C accessors, which need no conversion. librdkafka keeps each
/// key as a C string: a key with a NUL byte ends at it. This is the mirror's one `unsafe`:
/// rdkafka offers no safe way to these bytes.
#[allow(unsafe_code)]
pub(super) fn headers_of<'m>(msg: &'m BorrowedMessage<'_>) -> Option<Vec<HeaderRef<'m>>> {
    use rdsys::rd_kafka_resp_err_t::{RD_KAFKA_RESP_ERR__NOENT, RD_KAFKA_RESP_ERR_NO_ERROR};
    let mut hdrs: *mut rdsys::rd_kafka_headers_t = ptr::null_mut();
    // SAFETY: `msg.ptr()` is a live message owned by `msg`; librdkafka returns a pointer to
    // the headers the message owns, NOENT when it has none, or a parse error.
    let err = unsafe { rdsys::rd_kafka_message_headers(msg.ptr(), &mut hdrs) };
    if err == RD_KAFKA_RESP_ERR__NOENT {
        return Some(Vec::new());
    }
    if err != RD_KAFKA_RESP_ERR_NO_ERROR || hdrs.is_null() {
        return None;
    }
    // SAFETY: `hdrs` stays valid while `msg` lives, which the returned slices' lifetime 'm
    // ties them to.
    let count = unsafe { rdsys::rd_kafka_header_cnt(hdrs) };
    let mut out = Vec::with_capacity(count);
    for idx in 0..count {
        let (mut name, mut value, mut size) = (ptr::null(), ptr::null(), 0usize);
        // SAFETY: idx < count; the out-pointers point at locals. librdkafka hands back a
        // NUL-terminated name and a value of `size` bytes (null for a null value), both
        // owned by the message.
        let err =
            unsafe { rdsys::rd_kafka_header_get_all(hdrs, idx, &mut name, &mut value, &mut size) };
        if err != RD_KAFKA_RESP_ERR_NO_ERROR || name.is_null() {
            return None;
        }
        // SAFETY: as above; the bytes live as long as the message.
        let key: &'m [u8] = unsafe { CStr::from_ptr(name) }.to_bytes();
        let value: Option<&'m [u8]> = (!value.is_null())
            .then(|| unsafe { std::slice::from_raw_parts(value.cast::<u8>(), size) });
        out.push((key, value));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn remote(settings: &[(&str, &str)]) -> Remote {
        Remote {
            bootstrap: "localhost:9".into(),
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            timeout: Duration::from_secs(1),
            log: false,
        }
    }

    #[test]
    fn settings_the_mirror_owns_are_refused() {
        let err = config(&remote(&[("group.id", "x")]), &[], &[]).unwrap_err();
        assert!(err.to_string().contains("use --group"), "{err}");
        assert!(err.is_setting());
    }

    #[test]
    fn an_unknown_setting_names_itself() {
        let cfg = config(&remote(&[("no.such.thing", "1")]), &[], &[]).unwrap();
        let err = cfg
            .create_with_context::<_, rdkafka::producer::BaseProducer<Ctx>>(Ctx::default())
            .map(|_| ())
            .map_err(|e| creation_error(&remote(&[]), e))
            .unwrap_err();
        assert!(err.is_setting(), "{err}");
        assert!(err.to_string().contains("no.such.thing"), "{err}");
    }

    #[test]
    fn remote_errors_name_the_broker_and_a_setting() {
        let r = remote(&[]);
        let e = remote_error(
            &r,
            RDKafkaErrorCode::TopicAuthorizationFailed,
            "producing".into(),
            Some(Subject::Topic("t")),
        );
        let line = e.to_string();
        assert!(
            line.starts_with("Kafka at localhost:9: producing; check "),
            "{line}"
        );
        assert!(
            line.contains("sasl.username") && line.contains("topic \"t\""),
            "{line}"
        );
        let e = remote_error(&r, RDKafkaErrorCode::AllBrokersDown, "x".into(), None);
        assert!(e.to_string().contains("bootstrap.servers"), "{e}");
        assert!(e.is_remote());
    }

    /// Kafka 4 refuses timestamps an hour ahead and keyless records in compacted topics,
    /// which filka takes: the line named only the broker's log.
    #[test]
    fn records_kafka_refuses_name_the_setting() {
        let r = remote(&[]);
        let t = Some(Subject::Topic("t"));
        let e = remote_error(&r, RDKafkaErrorCode::InvalidTimestamp, "x".into(), t);
        assert!(
            e.to_string().contains("message.timestamp.after.max.ms"),
            "{e}"
        );
        let e = remote_error(&r, RDKafkaErrorCode::InvalidRecord, "x".into(), t);
        assert!(e.to_string().contains("cleanup.policy is compact"), "{e}");
    }

    #[test]
    fn block_on_runs_a_ready_future() {
        assert_eq!(block_on(async { 7 }), 7);
    }
}
