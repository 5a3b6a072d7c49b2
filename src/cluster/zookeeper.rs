//! ZooKeeper, as history: the znode tree this cluster would have had in ZooKeeper had it
//! been an Apache Kafka 2.x/3.x cluster in ZooKeeper mode, each znode's data byte for byte
//! as Kafka 3.9's ZooKeeper-mode code wrote it (the encoders of `kafka.zk.ZkData`, called by
//! `KafkaZkClient`), and which znodes were ephemeral: those live only as long as the
//! ZooKeeper session of the process that created them, so a broker that is down has no
//! `/brokers/ids/N`.
//!
//! What the cluster state does not hold comes in as [`Inputs`] (the controller, each
//! broker's listener and registration time, the broker that took the last producer-id
//! block, which leaders are still recovering from an unclean election); what is unknown is
//! left out and said in a [`Note`], never invented.
//!
//! Key order. Kafka encodes every payload with a plain Jackson `ObjectMapper`
//! (`kafka.utils.Json.encodeAsBytes`), which writes a map's entries in the map's own
//! iteration order, so the order is whatever the Scala or Java map Kafka built iterates in:
//! - a Scala `Map(...)` of at most 4 entries (`Map1`..`Map4`): the order written
//!   (ControllerZNode, ClusterIdZNode, ProducerIdBlockZNode, ConfigEntityZNode);
//! - a Scala immutable `Map(...)` of 5 or more entries (a CHAMP hash trie) and a
//!   `mutable.Map(...)` (a hash table): hash order. For a fixed key set that order is fixed,
//!   and the constants below are the order Kafka's own encoders printed (BrokerIdZNode,
//!   TopicZNode, TopicPartitionStateZNode, FeatureZNode);
//! - TopicZNode's `"partitions"`: a `mutable.HashMap` keyed by the partition number as a
//!   string: hash order, which [`order::scala_hash_map_order`] computes;
//! - ConfigEntityZNode's `"config"`: a `java.util.Properties`, which since Java 9 iterates as
//!   the `ConcurrentHashMap` inside it: [`order::properties_order`] computes that order.
//!
//! That is Kafka built for Scala 2.13 (the `kafka_2.13` download Kafka recommends) on Java 11
//! or newer; Scala 2.12's hash tables and Java 8's `Properties` iterate in other orders. Every
//! payload below was checked against Kafka 3.9.0's `ZkData` called from Java (the unit tests
//! hold those strings).
//!
//! Must not: print, read files, or know the CLI.

use std::collections::BTreeMap;

use serde::Serialize;

use super::metadata::{ClusterState, PartitionState};
use order::{properties_order, scala_hash_map_order};

mod order;

/// The active controller, as ZooKeeper-mode Kafka recorded it (in KRaft: the quorum's leader
/// and its epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Controller {
    /// Its broker id: `/controller`'s `"brokerid"`.
    pub id: i32,
    /// Its epoch: `/controller_epoch`, and `"controller_epoch"` of every partition state.
    pub epoch: i32,
    /// When it became controller, in ms since the Unix epoch: `/controller`'s `"timestamp"`.
    pub elected_ms: i64,
}

/// What a broker registered under `/brokers/ids/N`, beyond its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerInfo {
    /// Host of its one PLAINTEXT listener.
    pub host: String,
    /// Port of that listener.
    pub port: i32,
    /// `broker.rack`, when set.
    pub rack: Option<String>,
    /// When it registered, in ms since the Unix epoch (`"timestamp"`).
    pub timestamp_ms: i64,
}

/// What the tree needs beyond the cluster state.
pub struct Inputs<'a> {
    /// The active controller, `None` when unknown: `/controller` and `/controller_epoch` are
    /// then left out, and each partition state's `"controller_epoch"` is
    /// [`UNKNOWN_CONTROLLER_EPOCH`].
    pub controller: Option<Controller>,
    /// Each broker's listener, rack and registration time, by broker id (called for the
    /// brokers that are up).
    pub broker: &'a dyn Fn(i32) -> BrokerInfo,
    /// The broker that took the last block of producer ids (KRaft's ProducerIdsRecord
    /// `BrokerId`), `None` when unknown: `/latest_producer_id_block` is then shown without
    /// its data.
    pub producer_id_block_broker: Option<i32>,
    /// Whether a partition's leader is still RECOVERING from an unclean election (KIP-704;
    /// KRaft's `LeaderRecoveryState` of the partition), by topic and partition: its state
    /// then has `"leader_recovery_state":1`.
    pub leader_recovering: &'a dyn Fn(&str, u32) -> bool,
}

/// The `"controller_epoch"` of partition states when the controller is unknown: -1, a
/// value no Kafka controller wrote (epochs start at 1), so it cannot pass for a real one.
pub const UNKNOWN_CONTROLLER_EPOCH: i32 = -1;

/// Producer ids per block: Kafka's `ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE`, the size filka
/// hands out too.
pub const PRODUCER_ID_BLOCK_SIZE: i64 = super::producer_ids::BLOCK_SIZE;

/// The dynamic cluster-wide broker config entity (`ConfigEntityName.DEFAULT`).
pub const DEFAULT_ENTITY: &str = "<default>";

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

/// Something the tree leaves out or cannot show as Kafka had it, and why.
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
    /// What is left out or shown without its data, and why.
    pub notes: Vec<Note>,
    /// Znodes left out: brokers that are down, the controller when unknown.
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

/// The tree for `state`.
pub fn tree(state: &ClusterState, inputs: &Inputs) -> ZkTree {
    let mut notes = Vec::new();
    let mut absent = Vec::new();
    let controller_epoch = inputs
        .controller
        .map_or(UNKNOWN_CONTROLLER_EPOCH, |c| c.epoch);
    if inputs.controller.is_none() {
        let why = "the controller's id and epoch are not known to filka yet";
        for path in ["/controller", "/controller_epoch"] {
            absent.push(Absent {
                path: path.to_string(),
                why: why.to_string(),
            });
        }
        notes.push(Note {
            about: vec![
                "/controller".into(),
                "/controller_epoch".into(),
                "/brokers/topics".into(),
            ],
            text: format!(
                "/controller and /controller_epoch are not shown, and every partition state \
                 has \"controller_epoch\":{UNKNOWN_CONTROLLER_EPOCH}: {why}"
            ),
        });
    }

    let mut ids = Vec::new();
    for &id in state.brokers.keys() {
        if state.is_online(id) {
            ids.push(Znode {
                path: format!("/brokers/ids/{id}"),
                data: Some(broker_json(&(inputs.broker)(id))),
                ephemeral: true,
                children: Vec::new(),
            });
        } else {
            absent.push(Absent {
                path: format!("/brokers/ids/{id}"),
                why: format!(
                    "broker {id} is down: its ZooKeeper session ended, and its ephemeral \
                     znode with it"
                ),
            });
        }
    }

    let mut topics = Vec::new();
    let mut topic_configs = Vec::new();
    let mut broker_only = Vec::new();
    for (name, t) in &state.topics {
        let path = format!("/brokers/topics/{name}");
        let partitions = t
            .partitions
            .iter()
            .map(|p| {
                let pp = format!("{path}/partitions/{}", p.partition);
                Znode::persistent(&pp, None).with(vec![Znode::persistent(
                    format!("{pp}/state"),
                    Some(partition_state_json(
                        controller_epoch,
                        p.leader,
                        p.leader_epoch,
                        &p.isr,
                        (inputs.leader_recovering)(name, p.partition),
                    )),
                )])
            })
            .collect();
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
        match inputs.producer_id_block_broker {
            Some(b) => Some(producer_id_block_json(b, start, end)),
            None => {
                notes.push(Note {
                    about: vec!["/latest_producer_id_block".into()],
                    text: format!(
                        "/latest_producer_id_block is shown without its data: the last block \
                         (producer ids {start} to {end}) went to a broker filka does not record"
                    ),
                });
                None
            }
        }
    };

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
    if let Some(c) = inputs.controller {
        top.push(Znode {
            path: "/controller".into(),
            data: Some(controller_json(c.id, c.elected_ms)),
            ephemeral: true,
            children: Vec::new(),
        });
        top.push(Znode::persistent(
            "/controller_epoch",
            Some(c.epoch.to_string()),
        ));
    }
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

/// filka's topic configs that are broker settings in Kafka, and no dynamic ones: Kafka
/// refuses them on a topic, so `/config/topics/T` cannot hold them.
pub const BROKER_ONLY_CONFIGS: &[&str] = &["replica.lag.time.max.ms"];

/// The broker config a cluster-wide default of topic config `key` is in Kafka, when that is
/// a dynamic one (kept in `/config/brokers/<default>`): Kafka's ServerTopicConfigSynonyms.
fn dynamic_broker_config(key: &str) -> Option<&'static str> {
    Some(match key {
        "flush.messages" => "log.flush.interval.messages",
        "cleanup.policy" => "log.cleanup.policy",
        "compression.type" => "compression.type",
        "index.interval.bytes" => "log.index.interval.bytes",
        "max.message.bytes" => "message.max.bytes",
        "message.timestamp.type" => "log.message.timestamp.type",
        "min.insync.replicas" => "min.insync.replicas",
        "retention.bytes" => "log.retention.bytes",
        "retention.ms" => "log.retention.ms",
        "segment.bytes" => "log.segment.bytes",
        "segment.ms" => "log.roll.ms",
        "unclean.leader.election.enable" => "unclean.leader.election.enable",
        _ => return None,
    })
}

/// A JSON string as Jackson writes it: `"` and `\` escaped, control characters as `\b`,
/// `\t`, `\n`, `\f`, `\r` or `\u00XX` (upper-case hex), everything else as is.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A `java.util.List<Integer>`: `[101,102]`.
fn json_ints(ids: &[i32]) -> String {
    let items: Vec<String> = ids.iter().map(i32::to_string).collect();
    format!("[{}]", items.join(","))
}

/// `/brokers/ids/N`: `BrokerIdZNode.encode` of a version 5 `BrokerInfo` (IBP 2.7 and later)
/// with one PLAINTEXT listener, no JMX port (-1, `com.sun.management.jmxremote.port` unset)
/// and no supported features (a ZooKeeper-mode `KafkaServer` registers
/// `BrokerFeatures.createEmpty()`). `"rack"` only when set; `"timestamp"` a string. Key order:
/// Kafka's `mutable.Map` of these keys.
pub fn broker_json(b: &BrokerInfo) -> String {
    // EndPoint.connectionString: Utils.formatAddress puts an IPv6 host in brackets.
    let hostport = if b.host.contains(':') {
        format!("[{}]:{}", b.host, b.port)
    } else {
        format!("{}:{}", b.host, b.port)
    };
    let endpoint = json_string(&format!("PLAINTEXT://{hostport}"));
    let rack = b
        .rack
        .as_ref()
        .map(|r| format!("\"rack\":{},", json_string(r)))
        .unwrap_or_default();
    format!(
        "{{\"features\":{{}},\"listener_security_protocol_map\":{{\"PLAINTEXT\":\"PLAINTEXT\"}},\
         \"endpoints\":[{endpoint}],{rack}\"jmx_port\":-1,\"port\":{},\"host\":{},\"version\":5,\
         \"timestamp\":\"{}\"}}",
        b.port,
        json_string(&b.host),
        b.timestamp_ms
    )
}

/// `/brokers/topics/T`: `TopicZNode.encode` (version 3): the topic id, each partition's
/// replicas, and no reassignment under way (empty `"adding_replicas"` and
/// `"removing_replicas"`: filka reassigns nothing). Key order: Kafka's `mutable.Map` of these
/// keys; the partitions in [`order::scala_hash_map_order`].
pub fn topic_json(topic_id: &str, partitions: &[PartitionState]) -> String {
    let by_number: BTreeMap<String, &PartitionState> = partitions
        .iter()
        .map(|p| (p.partition.to_string(), p))
        .collect();
    let keys: Vec<String> = by_number.keys().cloned().collect();
    let entries: Vec<String> = scala_hash_map_order(&keys)
        .into_iter()
        .filter_map(|k| {
            by_number
                .get(k)
                .map(|p| format!("{}:{}", json_string(k), json_ints(&p.replicas)))
        })
        .collect();
    format!(
        "{{\"partitions\":{{{}}},\"topic_id\":{},\"adding_replicas\":{{}},\
         \"removing_replicas\":{{}},\"version\":3}}",
        entries.join(","),
        json_string(topic_id)
    )
}

/// `/brokers/topics/T/partitions/P/state`: `TopicPartitionStateZNode.encode` (version 1),
/// with `"leader_recovery_state":1` only while `recovering` (Kafka leaves the key out when
/// the state is RECOVERED). Key order: Kafka's immutable `Map` of these 5 or 6 keys.
pub fn partition_state_json(
    controller_epoch: i32,
    leader: i32,
    leader_epoch: i32,
    isr: &[i32],
    recovering: bool,
) -> String {
    let recovery = if recovering {
        "\"leader_recovery_state\":1,"
    } else {
        ""
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
