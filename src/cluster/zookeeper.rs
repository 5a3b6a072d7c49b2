//! ZooKeeper, as history: the znode tree this cluster would have had in ZooKeeper had it
//! been an Apache Kafka 3.x cluster in ZooKeeper mode, each znode's data byte for byte as
//! Kafka 3.9's ZooKeeper-mode code wrote it (the encoders of `kafka.zk.ZkData`, called by
//! `KafkaZkClient`), and which znodes were ephemeral: those live only as long as the
//! ZooKeeper session of the process that created them, so a broker that is down has no
//! `/brokers/ids/N`, and a controller that is stopped no `/controller`.
//!
//! The values come from the metadata image and, for what the image does not keep, from the
//! metadata log ([`facts`]: registration and election times, the controller epoch that last
//! wrote each partition state, leader recovery states, the broker of the last producer-id
//! block); the controller from the quorum ([`Quorum`]). What is unknown (older than the
//! log's first record) is stood in for and said in a [`Note`], never invented silently.
//!
//! Key order. Kafka encodes every payload with a plain Jackson `ObjectMapper`
//! (`kafka.utils.Json.encodeAsBytes`), which writes a map's entries in the map's own
//! iteration order, so the order is whatever the Scala or Java map Kafka built iterates in:
//! - a Scala immutable `Map` of at most 4 entries (`Map1`..`Map4`): the order written
//!   (ControllerZNode, ClusterIdZNode, ProducerIdBlockZNode, ConfigEntityZNode, and
//!   BrokerIdZNode's `"listener_security_protocol_map"` of up to 4 listeners);
//! - a Scala immutable `Map` of 5 or more entries (a CHAMP hash trie): its trie order,
//!   [`order::scala_immutable_map_order`] (TopicPartitionStateZNode; more listeners);
//! - a Scala `mutable.Map` (a hash table): its bucket order, [`order::scala_hash_map_order`]
//!   (BrokerIdZNode, TopicZNode and its `"partitions"`, FeatureZNode);
//! - ConfigEntityZNode's `"config"`: a `java.util.Properties`, which since Java 9 iterates as
//!   the `ConcurrentHashMap` inside it: [`order::properties_order`] of the keys put in key
//!   order.
//!
//! That is Kafka built for Scala 2.13 (the `kafka_2.13` download Kafka recommends) on Java 11
//! or newer; Scala 2.12's hash tables and Java 8's `Properties` iterate in other orders. Every
//! payload below was checked against Kafka 3.9.0's `ZkData` called from Java 17 (the unit
//! tests hold those strings).
//!
//! Must not: print, or know the CLI. Only [`facts`] reads files.

use std::collections::BTreeMap;

use serde::Serialize;

use super::layout::Layout;
use super::metadata::{ClusterState, PartitionState};
use super::{ClusterError, kraft};
use crate::record::kraft::records::Endpoint;
use facts::LogFacts;
use order::{properties_order, scala_hash_map_order, scala_immutable_map_order};

pub mod facts;
mod order;

/// The controller quorum, as the tree needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quorum {
    /// Its leader, the active controller (-1: none).
    pub leader: i32,
    /// Its epoch (0: no controller was ever elected).
    pub epoch: i32,
    /// Whether the leader's controller runs.
    pub leader_running: bool,
}

/// What the tree needs beyond the image.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The controller quorum: `/controller` and `/controller_epoch`.
    pub quorum: Quorum,
    /// What the metadata log says beyond the image.
    pub facts: &'a LogFacts,
}

/// Producer ids per block: Kafka's `ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE`, the size filka
/// hands out too.
pub const PRODUCER_ID_BLOCK_SIZE: i64 = super::producer_ids::BLOCK_SIZE;

/// The dynamic cluster-wide broker config entity (`ConfigEntityName.DEFAULT`).
pub const DEFAULT_ENTITY: &str = "<default>";

/// `"version"` of a broker registration Kafka 2.7 and later wrote (IBP 2.7+).
pub const BROKER_VERSION: i32 = 5;

/// `"jmx_port"` of a broker without `com.sun.management.jmxremote.port`: filka has no JMX.
pub const NO_JMX_PORT: i32 = -1;

/// What a broker registered under `/brokers/ids/N`, beyond its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerInfo {
    /// Its advertised listeners, in order.
    pub endpoints: Vec<Endpoint>,
    /// `broker.rack`, when set.
    pub rack: Option<String>,
    /// When it registered, in ms since the Unix epoch (`"timestamp"`).
    pub timestamp_ms: i64,
}

/// One znode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Znode {
    /// Full path (`/brokers/ids/101`).
    pub path: String,
    /// Its data as Kafka wrote it, `None` when it was created without data (null).
    pub data: Option<String>,
    /// Ephemeral (gone with its creator's session) or persistent.
    pub ephemeral: bool,
    /// Children, in the order shown: names alphabetically, ids and partitions by number.
    pub children: Vec<Znode>,
}

impl Znode {
    fn persistent(path: impl Into<String>, data: Option<String>) -> Znode {
        Znode {
            path: path.into(),
            data,
            ephemeral: false,
            children: Vec::new(),
        }
    }

    fn ephemeral(path: impl Into<String>, data: String) -> Znode {
        Znode {
            path: path.into(),
            data: Some(data),
            ephemeral: true,
            children: Vec::new(),
        }
    }

    fn with(mut self, children: Vec<Znode>) -> Znode {
        self.children = children;
        self
    }

    /// The znode at `path` in this subtree.
    pub fn find(&self, path: &str) -> Option<&Znode> {
        if self.path == path {
            return Some(self);
        }
        self.children
            .iter()
            .find(|c| is_within(path, &c.path))
            .and_then(|c| c.find(path))
    }

    /// This znode and all below it, parents before children.
    pub fn walk(&self) -> Vec<&Znode> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.walk());
        }
        out
    }
}

/// True when `path` is `root` or below it (by whole path segments).
pub fn is_within(path: &str, root: &str) -> bool {
    root == "/"
        || path == root
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Something the tree leaves out, stands in for, or cannot show as Kafka had it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The znodes it is about (each with what is below it).
    pub about: Vec<String>,
    /// What and why, in one line.
    pub text: String,
}

/// A znode Kafka would have had that the tree does not show, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absent {
    /// Its path.
    pub path: String,
    /// Why it is not there.
    pub why: String,
}

/// The tree, and what it leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZkTree {
    /// `/`.
    pub root: Znode,
    /// What is left out, stood in for or shown without its data, and why.
    pub notes: Vec<Note>,
    /// Znodes left out: brokers that are down, the controller when none runs.
    pub absent: Vec<Absent>,
}

impl ZkTree {
    /// The notes about `path`, about what is below it, or about what it is below.
    pub fn notes_for(&self, path: &str) -> Vec<&Note> {
        self.notes
            .iter()
            .filter(|n| {
                n.about
                    .iter()
                    .any(|a| is_within(a, path) || is_within(path, a))
            })
            .collect()
    }

    /// Why `path` is not in the tree, when it is a znode Kafka would have had.
    pub fn absent(&self, path: &str) -> Option<&Absent> {
        self.absent.iter().find(|a| is_within(path, &a.path))
    }
}

/// What stands in for a fact the metadata log holds no record of (one older than its first
/// record, when a snapshot holds what lies below): its first record's time and epoch.
struct BeforeLog {
    /// "the metadata log's first record (offset N)".
    what: String,
    timestamp: i64,
    epoch: i32,
}

impl BeforeLog {
    fn new(facts: &LogFacts, quorum: &Quorum) -> BeforeLog {
        match facts.first {
            Some(f) => BeforeLog {
                what: format!("the metadata log's first record (offset {})", f.offset),
                timestamp: f.timestamp,
                epoch: f.epoch,
            },
            None => BeforeLog {
                what: "the metadata log's first record (it has none: a snapshot holds all of \
                       it, without times)"
                    .into(),
                timestamp: 0,
                epoch: quorum.epoch,
            },
        }
    }
}

/// The tree of the cluster at `layout` whose image is `state`: from the image, the
/// controller quorum, and what the metadata log says beyond the image. Reads only (shell
/// completion uses it too).
pub fn read(layout: &Layout, state: &ClusterState) -> Result<ZkTree, ClusterError> {
    let view = kraft::raft::QuorumView::read(layout)?
        .ok_or_else(|| ClusterError::NotFound(layout.root().to_path_buf()))?;
    let source = view.source();
    let facts = facts::read(&source.dir, view.high_watermark, source.log_end)?;
    // A leader the quorum-state files do not name (a Kafka log dir without them): the
    // one the log's LeaderChangeMessage of the epoch names, if any.
    let leader = match view.leader {
        -1 => facts.elections.get(&view.epoch).map_or(-1, |e| e.leader),
        l => l,
    };
    let quorum = Quorum {
        leader,
        epoch: view.epoch,
        leader_running: kraft::raft::live_voters(&view, state).contains(&leader),
    };
    let inputs = Inputs {
        quorum,
        facts: &facts,
    };
    Ok(tree(state, &inputs))
}

/// The tree for `state`.
pub fn tree(state: &ClusterState, inputs: &Inputs) -> ZkTree {
    let facts = inputs.facts;
    let quorum = inputs.quorum;
    let before = BeforeLog::new(facts, &quorum);
    let mut notes = Vec::new();
    let mut absent = Vec::new();

    let mut ids = Vec::new();
    let mut came_up_before = Vec::new();
    for (&id, b) in &state.brokers {
        let path = format!("/brokers/ids/{id}");
        if !state.is_online(id) {
            absent.push(Absent {
                path,
                why: format!(
                    "broker {id} is down: its ZooKeeper session ended, and its ephemeral \
                     znode with it"
                ),
            });
            continue;
        }
        let timestamp_ms = facts.broker_up_ms.get(&id).copied().unwrap_or_else(|| {
            came_up_before.push(path.clone());
            before.timestamp
        });
        let info = BrokerInfo {
            endpoints: b.registration.endpoints.clone(),
            rack: b.registration.rack.clone(),
            timestamp_ms,
        };
        ids.push(Znode::ephemeral(path, broker_json(&info)));
    }
    if !came_up_before.is_empty() {
        notes.push(Note {
            text: format!(
                "{}: \"timestamp\" is the time of {}: the log holds no record of the broker \
                 registering or being unfenced",
                came_up_before.join(", "),
                before.what
            ),
            about: came_up_before,
        });
    }

    let mut topics = Vec::new();
    let mut topic_configs = Vec::new();
    let mut broker_only = Vec::new();
    let mut written_before = Vec::new();
    for (name, t) in &state.topics {
        let path = format!("/brokers/topics/{name}");
        let mut partitions = Vec::new();
        for p in &t.partitions {
            let pp = format!("{path}/partitions/{}", p.partition);
            let (epoch, recovery) = match facts.partitions.get(&(t.topic_id.clone(), p.partition)) {
                Some(f) => (f.epoch, f.leader_recovery_state),
                None => {
                    written_before.push(format!("{pp}/state"));
                    (before.epoch, 0)
                }
            };
            partitions.push(Znode::persistent(&pp, None).with(vec![Znode::persistent(
                format!("{pp}/state"),
                Some(partition_state_json(
                    epoch,
                    p.leader,
                    p.leader_epoch,
                    &p.isr,
                    recovery,
                )),
            )]));
        }
        topics.push(
            Znode::persistent(&path, Some(topic_json(&t.topic_id, &t.partitions))).with(vec![
                Znode::persistent(format!("{path}/partitions"), None).with(partitions),
            ]),
        );
        let mut configs = t.configs.clone();
        for key in BROKER_ONLY_CONFIGS {
            if configs.remove(*key).is_some() {
                broker_only.push(format!("/config/topics/{name}"));
            }
        }
        topic_configs.push(Znode::persistent(
            format!("/config/topics/{name}"),
            Some(config_json(&configs)),
        ));
    }
    if !written_before.is_empty() {
        notes.push(Note {
            text: format!(
                "{}: the log holds no record that set the leader or ISR: \"controller_epoch\" is \
                 the epoch of {}, {}, and the leader taken as recovered",
                written_before.join(", "),
                before.what,
                before.epoch
            ),
            about: written_before,
        });
    }
    if !broker_only.is_empty() {
        notes.push(Note {
            text: format!(
                "{} left out of {}: a broker setting in Kafka (server.properties), not a \
                 topic config",
                BROKER_ONLY_CONFIGS.join(", "),
                broker_only.join(", ")
            ),
            about: broker_only,
        });
    }

    let mut broker_configs = Vec::new();
    let mut cluster = BTreeMap::new();
    for (key, value) in &state.configs {
        match dynamic_broker_config(key) {
            Some(name) => {
                cluster.insert(name.to_string(), value.clone());
            }
            None => notes.push(Note {
                about: vec!["/config/brokers".into()],
                text: format!(
                    "the cluster-wide {key}={value} is not in ZooKeeper: Kafka reads it from \
                     each broker's server.properties (it is not a dynamic broker config)"
                ),
            }),
        }
    }
    if !cluster.is_empty() {
        broker_configs.push(Znode::persistent(
            format!("/config/brokers/{DEFAULT_ENTITY}"),
            Some(config_json(&cluster)),
        ));
    }

    let block = if state.next_producer_id <= 0 {
        None
    } else {
        let start = state.next_producer_id - PRODUCER_ID_BLOCK_SIZE;
        let end = state.next_producer_id - 1;
        match facts.producer_ids_broker {
            Some(b) => Some(producer_id_block_json(b, start, end)),
            None => {
                notes.push(Note {
                    about: vec!["/latest_producer_id_block".into()],
                    text: format!(
                        "/latest_producer_id_block is shown without its data: the metadata \
                         log names no broker for the last block (producer ids {start} to {end})"
                    ),
                });
                None
            }
        }
    };

    let (controller, controller_epoch) = controller_znodes(&quorum, facts, &before, &mut notes);
    for (path, z) in [
        ("/controller", &controller),
        ("/controller_epoch", &controller_epoch),
    ] {
        if let Err(why) = z {
            absent.push(Absent {
                path: path.into(),
                why: why.clone(),
            });
        }
    }

    let mut top = vec![
        Znode::persistent("/admin", None).with(vec![
            // filka deletes a topic at once: none is ever waiting here to be deleted.
            Znode::persistent("/admin/delete_topics", None),
        ]),
        Znode::persistent("/brokers", None).with(vec![
            Znode::persistent("/brokers/ids", None).with(ids),
            Znode::persistent("/brokers/seqid", None),
            Znode::persistent("/brokers/topics", None).with(topics),
        ]),
        Znode::persistent("/cluster", None).with(vec![Znode::persistent(
            "/cluster/id",
            Some(cluster_id_json(&state.cluster_id)),
        )]),
        Znode::persistent("/config", None).with(vec![
            Znode::persistent("/config/brokers", None).with(broker_configs),
            Znode::persistent("/config/changes", None),
            Znode::persistent("/config/clients", None),
            Znode::persistent("/config/ips", None),
            Znode::persistent("/config/topics", None).with(topic_configs),
            Znode::persistent("/config/users", None),
        ]),
        Znode::persistent("/consumers", None),
    ];
    top.extend(controller.ok());
    top.extend(controller_epoch.ok());
    top.extend([
        Znode::persistent("/feature", Some(FEATURE_JSON.to_string())),
        Znode::persistent("/isr_change_notification", None),
        Znode::persistent("/latest_producer_id_block", block),
        Znode::persistent("/log_dir_event_notification", None),
    ]);
    ZkTree {
        root: Znode::persistent("/", None).with(top),
        notes,
        absent,
    }
}

/// `/controller` and `/controller_epoch`, or why each is not there.
fn controller_znodes(
    quorum: &Quorum,
    facts: &LogFacts,
    before: &BeforeLog,
    notes: &mut Vec<Note>,
) -> (Result<Znode, String>, Result<Znode, String>) {
    let Quorum {
        leader,
        epoch,
        leader_running,
    } = *quorum;
    if epoch <= 0 {
        let why = "no controller was ever elected".to_string();
        return (Err(why.clone()), Err(why));
    }
    let epoch_znode = Znode::persistent("/controller_epoch", Some(epoch.to_string()));
    if leader < 0 {
        let why = format!(
            "the controller quorum has no leader in epoch {epoch} (an election is under way)"
        );
        return (Err(why), Ok(epoch_znode));
    }
    if !leader_running {
        let why = format!(
            "controller {leader}, the last one elected (epoch {epoch}), is stopped and no other \
             has been elected: its ephemeral znode went with its session"
        );
        return (Err(why), Ok(epoch_znode));
    }
    let elected = match facts.elections.get(&epoch) {
        Some(e) if e.leader == leader => e.timestamp,
        _ => {
            notes.push(Note {
                about: vec!["/controller".into()],
                text: format!(
                    "/controller: \"timestamp\" is the time of {}: the log holds no \
                     LeaderChangeMessage of controller {leader} in epoch {epoch}",
                    before.what
                ),
            });
            before.timestamp
        }
    };
    (
        Ok(Znode::ephemeral(
            "/controller",
            controller_json(leader, elected),
        )),
        Ok(epoch_znode),
    )
}

/// filka's topic configs that are broker settings in Kafka, and no dynamic ones: Kafka
/// refuses them on a topic, so `/config/topics/T` cannot hold them.
pub const BROKER_ONLY_CONFIGS: &[&str] = &["replica.lag.time.max.ms"];

/// The dynamic broker config (kept in `/config/brokers/<default>`) a cluster-wide default
/// `key` is in Kafka: a topic config's name becomes its broker synonym (Kafka's
/// ServerTopicConfigSynonyms), any other key is a broker config's name already (as a real
/// Kafka's metadata log holds them); `None` for [`BROKER_ONLY_CONFIGS`], which are not
/// dynamic.
fn dynamic_broker_config(key: &str) -> Option<&str> {
    // log.retention.check.interval.ms is read by Kafka's LogManager at startup only.
    if BROKER_ONLY_CONFIGS.contains(&key) || key == super::settings::RETENTION_CHECK_INTERVAL {
        return None;
    }
    Some(match key {
        "flush.messages" => "log.flush.interval.messages",
        "cleanup.policy" => "log.cleanup.policy",
        "index.interval.bytes" => "log.index.interval.bytes",
        "max.message.bytes" => "message.max.bytes",
        "message.timestamp.type" => "log.message.timestamp.type",
        "retention.bytes" => "log.retention.bytes",
        "retention.ms" => "log.retention.ms",
        "segment.bytes" => "log.segment.bytes",
        "segment.ms" => "log.roll.ms",
        // compression.type, min.insync.replicas, unclean.leader.election.enable: the same
        // name.
        other => other,
    })
}

/// A JSON string as Jackson writes it (the metadata shell's escaping: see
/// [`crate::record::kraft::message::json_string`]).
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    crate::record::kraft::message::json_string(&mut out, s);
    out
}

/// A `java.util.List<Integer>`: `[101,102]`.
fn json_ints(ids: &[i32]) -> String {
    let items: Vec<String> = ids.iter().map(i32::to_string).collect();
    format!("[{}]", items.join(","))
}

/// Kafka's name of a security protocol id (`SecurityProtocol.forId`).
fn security_protocol(id: i16) -> String {
    match id {
        0 => "PLAINTEXT".into(),
        1 => "SSL".into(),
        2 => "SASL_PLAINTEXT".into(),
        3 => "SASL_SSL".into(),
        other => format!("UNKNOWN_{other}"),
    }
}

/// `EndPoint.connectionString`: `LISTENER://host:port`, an IPv6 host in brackets
/// (`Utils.formatAddress`).
fn connection_string(e: &Endpoint) -> String {
    if e.host.contains(':') {
        format!("{}://[{}]:{}", e.name, e.host, e.port)
    } else {
        format!("{}://{}:{}", e.name, e.host, e.port)
    }
}

/// `/brokers/ids/N`: `BrokerIdZNode.encode` of a version 5 `BrokerInfo` (IBP 2.7 and later):
/// `"host"` and `"port"` of the first PLAINTEXT listener (null and -1 when there is none),
/// every listener in `"endpoints"` and `"listener_security_protocol_map"`, `"rack"` only when
/// set, no JMX port (-1), and no supported features (a ZooKeeper-mode `KafkaServer`
/// registers `BrokerFeatures.createEmpty()`); `"timestamp"` a string. Key order: Kafka's
/// `mutable.Map` of these keys; the listener map a Scala immutable `Map`.
pub fn broker_json(b: &BrokerInfo) -> String {
    let plaintext = b.endpoints.iter().find(|e| e.security_protocol == 0);
    let (host, port) = plaintext.map_or(("null".to_string(), -1), |e| {
        (json_string(&e.host), i32::from(e.port))
    });
    let endpoints: Vec<String> = b
        .endpoints
        .iter()
        .map(|e| json_string(&connection_string(e)))
        .collect();
    // `endpoints.map(e => name -> protocol).toMap`: a later listener of the same name wins.
    let mut protocols: BTreeMap<&str, String> = BTreeMap::new();
    for e in &b.endpoints {
        protocols.insert(&e.name, security_protocol(e.security_protocol));
    }
    let names: Vec<String> = b.endpoints.iter().map(|e| e.name.clone()).collect();
    let map: Vec<String> = scala_immutable_map_order(&names)
        .into_iter()
        .filter_map(|n| {
            protocols
                .get(n.as_str())
                .map(|p| format!("{}:{}", json_string(n), json_string(p)))
        })
        .collect();
    let rack = b
        .rack
        .as_ref()
        .map(|r| format!("\"rack\":{},", json_string(r)))
        .unwrap_or_default();
    format!(
        "{{\"features\":{{}},\"listener_security_protocol_map\":{{{}}},\"endpoints\":[{}],\
         {rack}\"jmx_port\":{NO_JMX_PORT},\"port\":{port},\"host\":{host},\
         \"version\":{BROKER_VERSION},\"timestamp\":\"{}\"}}",
        map.join(","),
        endpoints.join(","),
        b.timestamp_ms
    )
}

/// `/brokers/topics/T`: `TopicZNode.encode` (version 3): the topic id, each partition's
/// replicas, and the replicas a reassignment adds and removes, for the partitions being
/// moved (empty maps when none is). Key order: Kafka's `mutable.Map` of these keys; the
/// partitions in [`order::scala_hash_map_order`].
pub fn topic_json(topic_id: &str, partitions: &[PartitionState]) -> String {
    let by_number: BTreeMap<String, &PartitionState> = partitions
        .iter()
        .map(|p| (p.partition.to_string(), p))
        .collect();
    // One of Kafka's mutable maps: the partitions `pick` gives a list for, in its order.
    let map = |pick: &dyn Fn(&PartitionState) -> Option<&[i32]>| {
        let keys: Vec<String> = by_number
            .iter()
            .filter(|(_, p)| pick(p).is_some())
            .map(|(k, _)| k.clone())
            .collect();
        let entries: Vec<String> = scala_hash_map_order(&keys)
            .into_iter()
            .filter_map(|k| {
                let ids = by_number.get(k).and_then(|p| pick(p))?;
                Some(format!("{}:{}", json_string(k), json_ints(ids)))
            })
            .collect();
        entries.join(",")
    };
    let nonempty = |v: &[i32]| -> bool { !v.is_empty() };
    format!(
        "{{\"partitions\":{{{}}},\"topic_id\":{},\"adding_replicas\":{{{}}},\
         \"removing_replicas\":{{{}}},\"version\":3}}",
        map(&|p| Some(p.replicas.as_slice())),
        json_string(topic_id),
        map(&|p| Some(p.adding_replicas.as_slice()).filter(|v| nonempty(v))),
        map(&|p| Some(p.removing_replicas.as_slice()).filter(|v| nonempty(v))),
    )
}

/// `/brokers/topics/T/partitions/P/state`: `TopicPartitionStateZNode.encode` (version 1),
/// with `"leader_recovery_state"` only when it is not 0 (RECOVERED: Kafka leaves the key
/// out). Key order: Kafka's immutable `Map` of these 5 or 6 keys (checked against
/// [`order::scala_immutable_map_order`] in the tests).
pub fn partition_state_json(
    controller_epoch: i32,
    leader: i32,
    leader_epoch: i32,
    isr: &[i32],
    leader_recovery_state: i8,
) -> String {
    let recovery = if leader_recovery_state != 0 {
        format!("\"leader_recovery_state\":{leader_recovery_state},")
    } else {
        String::new()
    };
    format!(
        "{{\"controller_epoch\":{controller_epoch},\"leader\":{leader},\"version\":1,\
         {recovery}\"leader_epoch\":{leader_epoch},\"isr\":{}}}",
        json_ints(isr)
    )
}

/// `/config/topics/T` and `/config/brokers/<default>`: `ConfigEntityZNode.encode`, version 1
/// and the config as a `java.util.Properties` (every value a string), in
/// [`order::properties_order`] of the keys put in key order.
pub fn config_json(configs: &BTreeMap<String, String>) -> String {
    let keys: Vec<String> = configs.keys().cloned().collect();
    let entries: Vec<String> = properties_order(&keys)
        .into_iter()
        .filter_map(|k| {
            configs
                .get(k)
                .map(|v| format!("{}:{}", json_string(k), json_string(v)))
        })
        .collect();
    format!("{{\"version\":1,\"config\":{{{}}}}}", entries.join(","))
}

/// `/controller`: `ControllerZNode.encode` (version 2, Kafka 3.4 and later), written by a
/// ZooKeeper-mode controller, hence `"kraftControllerEpoch":-1`.
pub fn controller_json(broker_id: i32, elected_ms: i64) -> String {
    format!(
        "{{\"version\":2,\"brokerid\":{broker_id},\"timestamp\":\"{elected_ms}\",\
         \"kraftControllerEpoch\":-1}}"
    )
}

/// `/cluster/id`: `ClusterIdZNode.toJson` (its version is a string).
pub fn cluster_id_json(id: &str) -> String {
    format!("{{\"version\":\"1\",\"id\":{}}}", json_string(id))
}

/// `/latest_producer_id_block`: `ProducerIdBlockZNode.generateProducerIdBlockJson`, the last
/// block handed out (first and last id as strings).
pub fn producer_id_block_json(broker: i32, start: i64, end: i64) -> String {
    format!(
        "{{\"version\":1,\"broker\":{broker},\"block_start\":\"{start}\",\"block_end\":\"{end}\"}}"
    )
}

/// `/feature`: `FeatureZNode.encode` as a 3.3+ controller created it for a new cluster:
/// version 2, status enabled (1), and no finalized features (ZooKeeper-mode brokers support
/// none). Key order: Kafka's `mutable.Map` of these keys.
pub const FEATURE_JSON: &str = "{\"features\":{},\"version\":2,\"status\":1}";

#[cfg(test)]
mod tests;
