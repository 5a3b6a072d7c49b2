//! `filka describe zookeeper [PATH]`: the znode tree this cluster would have had in
//! ZooKeeper as a Kafka 3.x cluster in ZooKeeper mode (the model, and where each value comes
//! from, is `cluster::zookeeper`; this file prints).
//!
//! Spec:
//! - text: one line per znode, parents first, `PATH  (ephemeral|persistent)  DATA` (DATA
//!   left out when the znode has none), as `zookeeper-shell ls -R` lists and `get` shows;
//! - `--output json`: one JSON object, the tree: `path`, `ephemeral`, `data` (parsed as
//!   JSON, null when none) and `children`;
//! - PATH (default `/`) shows that znode and what is below it; a PATH the tree does not have
//!   is one error line (saying why, for a znode Kafka would have had: a broker that is down,
//!   a controller that is stopped) and exit 4 (NotFound);
//! - what the tree leaves out, stands in for, or shows without data, is said in notes on
//!   stderr (`-q` silences them), only those about PATH's subtree.

use anyhow::{Context, anyhow};
use serde_json::{Map, Value, json};

use super::super::{GlobalArgs, OutputFormat, open_cluster};
use crate::cluster::zookeeper::Znode;
use crate::error::{ExitCode, coded};
use crate::output::{Printer, escape_control};

/// The znode tree this cluster would have had in ZooKeeper (Kafka before KRaft).
///
/// Until Kafka 4.0, a Kafka cluster could keep its metadata in ZooKeeper. Each broker
/// registered under /brokers/ids/N with an ephemeral znode, one that lives only as long as
/// the broker's ZooKeeper session: a broker that is down has none (that is how the controller
/// noticed). The controller held the ephemeral /controller and counted elections in
/// /controller_epoch; /brokers/topics/T held a topic's replica assignment,
/// .../partitions/P/state each partition's leader, leader epoch and ISR, and /config/topics/T
/// its config overrides.
///
/// This shows that tree for this cluster, one line per znode: its path, ephemeral or
/// persistent, and its data byte for byte as Kafka 3.9's ZooKeeper-mode code wrote it
/// (kafka.zk.ZkData), keys in the order Kafka printed them (built for Scala 2.13, on Java 11
/// or newer). Znodes Kafka created without data show none. Where the values come from:
///
/// - /brokers/ids/N, for each broker that is up: its registration in the metadata log, with
///   its listeners (filka's brokers listen nowhere: they register PLAINTEXT://localhost:9092,
///   9093, ... in the order they joined, as a local Kafka would), "host" and "port" of the
///   first PLAINTEXT one, and its rack. "timestamp" is when the log recorded the broker
///   coming up (registered or unfenced). "jmx_port":-1, as Kafka wrote when
///   com.sun.management.jmxremote.port was not set (filka has no JMX), and "features":{}, as
///   every ZooKeeper-mode broker registered.
///
/// - /controller and /controller_epoch: the controller quorum's leader and epoch, with the
///   time of its LeaderChangeMessage, as a ZooKeeper-mode controller wrote them
///   ("kraftControllerEpoch":-1). In isolated mode the id is a controller node's, where
///   ZooKeeper-mode Kafka's controller was always one of the brokers. No /controller while
///   that leader is stopped and no other has been elected (no majority of the voters runs).
///
/// - /brokers/topics/T: the topic id and each partition's replicas; "adding_replicas" and
///   "removing_replicas" list, per partition being moved (`filka topic reassign`), the
///   replicas it is adding and removing, as Kafka's TopicZNode wrote them; both are empty
///   when no move is under way.
///
/// - Partition states: "controller_epoch" is the quorum epoch of the metadata record that
///   last set the partition's leader or ISR. "leader_recovery_state" is there only while the
///   log says the leader is recovering from an unclean election (as Kafka 3.2 and later
///   wrote); filka's own elections never record that.
///
/// - /latest_producer_id_block: the last block of producer ids handed out, with the broker
///   the log's ProducerIdsRecord names (filka names the controller that handed it out); no
///   data before the first block.
///
/// - /admin/delete_topics has no children: filka deletes a topic at once. The notification
///   znodes (/config/changes, /isr_change_notification, /log_dir_event_notification) are
///   shown without their short-lived sequential children, and ZooKeeper's own /zookeeper is
///   left out.
///
/// - Configs, in the order Kafka's Properties iterates them when put in key order:
///   /config/topics/T holds a topic's overrides, without replica.lag.time.max.ms (a broker
///   setting in Kafka, not a topic config: said on stderr). Of the cluster-wide defaults
///   (filka init --config), flush.messages is in /config/brokers/<default> under its broker
///   name, log.flush.interval.messages; replica.lag.time.max.ms is not a dynamic config in
///   Kafka, so not in ZooKeeper (said on stderr).
///
/// A value the metadata log holds no record of (one older than its first record, when a
/// snapshot holds what lies below) is not known: the first record's time or epoch stands
/// in, and a note on stderr says where.
///
/// PATH shows only that znode and those below it; a PATH the tree does not have exits 4.
/// --output json prints the tree as one JSON object: path, ephemeral, data (parsed as JSON,
/// null when the znode has none) and children.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  The whole tree:
    filka describe zookeeper

  One topic's assignment and partition states:
    filka describe zookeeper /brokers/topics/demo

  The brokers registered: a broker that is down has no znode (its session is gone):
    filka simulate-failure broker-down 102
    filka describe zookeeper /brokers/ids

  Every ephemeral znode, for scripts:
    filka describe zookeeper --output json | jq -r '.. | objects | select(.ephemeral) | .path'")]
pub struct ZookeeperArgs {
    /// Show only this znode and those below it (an absolute znode path).
    #[arg(value_name = "PATH", default_value = "/", value_parser = parse_path)]
    pub path: String,
}

/// Accepts a ZooKeeper path: absolute, no empty, `.` or `..` segment, no trailing `/`.
fn parse_path(s: &str) -> Result<String, String> {
    if s == "/" {
        return Ok(s.to_string());
    }
    let Some(rest) = s.strip_prefix('/') else {
        return Err("a znode path starts with '/' (e.g. /brokers/ids)".into());
    };
    if rest
        .split('/')
        .any(|seg| seg.is_empty() || seg == "." || seg == "..")
    {
        return Err("a znode path has no empty, '.' or '..' part and does not end with '/'".into());
    }
    Ok(s.to_string())
}

/// Runs `describe zookeeper`.
pub fn run(args: &ZookeeperArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    super::check_output(global, "describe zookeeper")?;
    let c = open_cluster(global)?;
    let tree = c
        .zookeeper()
        .context("reading the metadata log and the controller quorum")?;
    let path = args.path.as_str();
    let Some(node) = tree.root.find(path) else {
        let why = tree.absent(path).map_or_else(
            || "this cluster's tree has no such znode".to_string(),
            |a| {
                if a.path == path {
                    a.why.clone()
                } else {
                    format!("{} is not there: {}", a.path, a.why)
                }
            },
        );
        return Err(coded(
            ExitCode::NotFound,
            anyhow!("no znode {}: {why}", escape_control(path)),
        ));
    };
    for note in tree.notes_for(path) {
        global.note(format!("describe zookeeper: {}", note.text));
    }
    let mut out = Printer::stdout();
    if global.output == OutputFormat::Json {
        out.json_line(&node_json(node))?;
    } else {
        for z in node.walk() {
            out.line(&escape_control(&line(z)))?;
        }
    }
    out.finish().context("writing to stdout")?;
    Ok(ExitCode::Success)
}

/// `/brokers/ids/101  (ephemeral)  {"features":{},...}`.
fn line(z: &Znode) -> String {
    let kind = if z.ephemeral {
        "ephemeral"
    } else {
        "persistent"
    };
    match &z.data {
        Some(d) => format!("{}  ({kind})  {d}", z.path),
        None => format!("{}  ({kind})", z.path),
    }
}

/// The JSON object of a znode and its subtree. Data Kafka wrote is JSON (or a number, for
/// /controller_epoch); parsed, it keeps Kafka's key order.
fn node_json(z: &Znode) -> Value {
    let data = z.data.as_ref().map_or(Value::Null, |d| {
        serde_json::from_str(d).unwrap_or_else(|_| Value::String(d.clone()))
    });
    let mut m = Map::new();
    m.insert("path".into(), json!(z.path));
    m.insert("ephemeral".into(), json!(z.ephemeral));
    m.insert("data".into(), data);
    m.insert(
        "children".into(),
        Value::Array(z.children.iter().map(node_json).collect()),
    );
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_zookeepers() {
        for ok in [
            "/",
            "/brokers",
            "/brokers/ids/101",
            "/config/brokers/<default>",
        ] {
            assert_eq!(parse_path(ok).as_deref(), Ok(ok));
        }
        for bad in [
            "",
            "brokers",
            "/brokers/",
            "//brokers",
            "/brokers//ids",
            "/a/./b",
            "/..",
        ] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_line_is_path_kind_and_data() {
        let z = Znode {
            path: "/brokers/ids/101".into(),
            data: Some("{\"version\":5}".into()),
            ephemeral: true,
            children: Vec::new(),
        };
        assert_eq!(line(&z), "/brokers/ids/101  (ephemeral)  {\"version\":5}");
        let v = node_json(&z);
        assert_eq!(
            v.to_string(),
            "{\"path\":\"/brokers/ids/101\",\"ephemeral\":true,\"data\":{\"version\":5},\"children\":[]}"
        );
        let epoch = Znode {
            path: "/controller_epoch".into(),
            data: Some("4".into()),
            ephemeral: false,
            children: Vec::new(),
        };
        assert_eq!(node_json(&epoch)["data"], json!(4));
        assert_eq!(line(&epoch), "/controller_epoch  (persistent)  4");
    }
}
