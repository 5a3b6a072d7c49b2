//! Shell completion that knows the cluster.
//!
//! `filka completions SHELL` prints a small script (clap_complete's dynamic completion):
//! on TAB the shell runs `FILKA_COMPLETE=SHELL filka -- WORDS...`, and [`answer_if_asked`]
//! answers with candidates before anything else runs. Flags, subcommands and listed values
//! come from the clap definitions; the values that live in the cluster named on the command
//! line (`--cluster`, then FILKA_CLUSTER, then the default) come from
//! [`super::complete_sources`]: topics (internal ones only once `__` is typed), partitions
//! of the topic given with `-t`, brokers and controller voters with their state, group ids,
//! transactional ids, schema subjects, znode paths of `describe zookeeper`; also topic config keys with their defaults, `-o`
//! forms, and files by extension for `dump`, `--value-schema` and `--proto`.
//!
//! Which argument completes to what is decided in one table, [`kind_of`], by command path
//! and argument id, so the command files stay as they are.
//!
//! Must not: create a cluster, take a lock, write, or print anything but candidates (a
//! missing or broken cluster completes nothing; a panic is silenced).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::CommandFactory;
use clap_complete::Shell;
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate, PathCompleter};
use clap_complete::env::{Bash, CompleteEnv, Elvish, EnvCompleter, Fish, Powershell, Zsh};

use super::complete_sources::{Described, Snapshot};
use super::{CLUSTER_ENV, Cli, DEFAULT_CLUSTER_DIR};

/// The environment variable that turns a run of filka into a completion request; its value
/// names the shell. (Not clap's usual `COMPLETE`: a variable that common could be set for
/// something else and silently turn every filka command into a completion.)
pub const COMPLETE_ENV: &str = "FILKA_COMPLETE";

/// The command completed, and the one the scripts call for candidates (found on PATH).
const BIN: &str = "filka";

/// What an argument's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A topic name.
    Topic,
    /// A partition of the topic given with `-t`/`--topic` (or `describe partition TOPIC`).
    Partition,
    /// A broker id.
    Broker,
    /// A controller (voter) id.
    Voter,
    /// A consumer group id.
    Group,
    /// A transactional id.
    TransactionalId,
    /// A schema subject.
    Subject,
    /// A znode path of `describe zookeeper`'s tree.
    Znode,
    /// A topic config `KEY=`.
    ConfigKey,
    /// A cluster-wide setting `KEY=` (`config set`, `init -c`).
    ClusterConfigKey,
    /// A cluster-wide setting's name (`config unset`).
    ClusterConfigName,
    /// An `-o/--offset` SPEC.
    Offset,
    /// A file `dump` reads, or a folder.
    DumpFile,
    /// An Avro schema file (`.avsc`).
    AvroSchema,
    /// A Protobuf file (`.proto`).
    ProtoFile,
}

/// The kind of argument `id` of the command at `path` (subcommand names joined by spaces,
/// e.g. `group describe`), or `None` for one the clap definition completes alone.
pub fn kind_of(path: &str, id: &str) -> Option<Kind> {
    const BROKER_CMDS: &[&str] = &[
        "broker remove",
        "simulate-failure broker-down",
        "simulate-failure broker-up",
        "simulate-failure pause-replication",
        "simulate-failure resume-replication",
    ];
    const TOPIC_NAME_CMDS: &[&str] = &[
        "topic alter",
        "topic delete",
        "topic elect-leaders",
        "topic partition-for",
    ];
    Some(match (path, id) {
        // -t/--topic everywhere; `topic describe TOPIC`, `describe topic|partition TOPIC`.
        (_, "topic") => Kind::Topic,
        ("pipe", "from" | "to") => Kind::Topic,
        (p, "name" | "names") if TOPIC_NAME_CMDS.contains(&p) => Kind::Topic,
        (_, "partition" | "partitions") => Kind::Partition,
        (_, "group") => Kind::Group,
        (p, "id") if BROKER_CMDS.contains(&p) => Kind::Broker,
        ("simulate-failure controller-down" | "simulate-failure controller-up", "id") => {
            Kind::Voter
        }
        ("simulate-failure corrupt" | "simulate-failure torn-write", "broker") => Kind::Broker,
        (_, "transactional_id") => Kind::TransactionalId,
        (p, "subject") if p.starts_with("schema ") => Kind::Subject,
        ("describe zookeeper", "path") => Kind::Znode,
        ("topic create" | "topic alter", "configs") => Kind::ConfigKey,
        ("init", "configs") | ("config set", "pairs") => Kind::ClusterConfigKey,
        ("config unset", "keys") => Kind::ClusterConfigName,
        ("consume" | "pipe", "offset") => Kind::Offset,
        ("dump", "files") => Kind::DumpFile,
        (_, "value_schema" | "key_schema" | "reader_schema") => Kind::AvroSchema,
        (_, "proto" | "key_proto") => Kind::ProtoFile,
        _ => return None,
    })
}

/// The clap command with the cluster-aware completers attached (what the completion engine
/// walks); parsing uses [`Cli::command`] as before.
pub fn command() -> clap::Command {
    attach(Cli::command(), "")
}

fn attach(mut cmd: clap::Command, path: &str) -> clap::Command {
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(&name, |s| attach(s, &sub_path));
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        if let Some(kind) = kind_of(path, &id) {
            cmd = cmd.mut_arg(&id, |a| a.add(completer(kind)));
        }
    }
    cmd
}

fn completer(kind: Kind) -> ArgValueCompleter {
    match kind {
        Kind::DumpFile => ArgValueCompleter::new(PathCompleter::any().filter(is_dump_file)),
        Kind::AvroSchema => {
            ArgValueCompleter::new(PathCompleter::any().filter(|p| has_extension(p, "avsc")))
        }
        Kind::ProtoFile => {
            ArgValueCompleter::new(PathCompleter::any().filter(|p| has_extension(p, "proto")))
        }
        _ => ArgValueCompleter::new(move |current: &OsStr| candidates(kind, current)),
    }
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.is_file() && path.extension().is_some_and(|e| e == ext)
}

/// The files `dump` reads: segments, indexes, producer snapshots, transaction indexes,
/// KRaft snapshots (`.checkpoint`) and checkpoint files (`leader-epoch-checkpoint`, ...).
fn is_dump_file(path: &Path) -> bool {
    const EXTENSIONS: &[&str] = &["log", "index", "timeindex", "snapshot", "txnindex"];
    path.is_file()
        && (path
            .extension()
            .and_then(OsStr::to_str)
            .is_some_and(|e| EXTENSIONS.contains(&e))
            || path
                .file_name()
                .and_then(OsStr::to_str)
                .is_some_and(|n| n.ends_with("checkpoint")))
}

/// The candidates of `kind` that start with `current`.
fn candidates(kind: Kind, current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(prefix) = current.to_str() else {
        return Vec::new();
    };
    let list = match kind {
        Kind::ConfigKey if prefix.contains('=') => Vec::new(),
        Kind::ConfigKey => config_keys(),
        Kind::ClusterConfigKey if prefix.contains('=') => Vec::new(),
        Kind::ClusterConfigKey => cluster_settings("="),
        Kind::ClusterConfigName => cluster_settings(""),
        Kind::Offset => offset_specs(),
        _ => match snapshot() {
            Some(s) => from_cluster(s, kind, prefix),
            None => Vec::new(),
        },
    };
    list.into_iter()
        .filter(|(value, _)| value.starts_with(prefix))
        .map(|(value, help)| CompletionCandidate::new(value).help(help.map(Into::into)))
        .collect()
}

fn from_cluster(s: &Snapshot, kind: Kind, prefix: &str) -> Vec<Described> {
    match kind {
        Kind::Topic => {
            let internal = prefix.starts_with("__");
            let mut topics = s.topics();
            topics.retain(|(name, _)| internal || !name.starts_with("__"));
            topics
        }
        Kind::Partition => match &context().topic {
            Some(topic) => s.partitions(topic),
            None => Vec::new(),
        },
        Kind::Broker => s.brokers(),
        Kind::Voter => s.voters(),
        Kind::Group => s.groups(),
        Kind::TransactionalId => s.transactional_ids(),
        Kind::Subject => s.subjects(),
        // One level at a time, as a file path completes: `/brokers/` offers `/brokers/ids`,
        // `/brokers/seqid` and `/brokers/topics`, not the thousands of znodes below.
        Kind::Znode => {
            let depth = prefix.matches('/').count().max(1);
            let mut znodes = s.znodes();
            znodes.retain(|(path, _)| path.matches('/').count() == depth && path != "/");
            znodes
        }
        _ => Vec::new(),
    }
}

/// `KEY=` for every topic config filka knows, described by its default and meaning.
fn config_keys() -> Vec<Described> {
    let defaults = crate::cluster::topic::TopicConfig::default();
    crate::cluster::topic::CONFIG_KEYS
        .iter()
        .map(|(key, what)| {
            // Descriptions that name their default already keep their own words;
            // min.insync.replicas' default depends on the replication factor.
            let help = match defaults.value(key) {
                _ if *key == "min.insync.replicas" => {
                    format!("{what}; default 2 with 3 or more replicas, else 1")
                }
                Some(_) if what.contains("default") => (*what).to_string(),
                Some(v) => format!("{what}; default {v}"),
                None => (*what).to_string(),
            };
            (format!("{key}="), Some(help))
        })
        .collect()
}

/// Every cluster-wide setting's name followed by `suffix`, described by its meaning and
/// Kafka's default.
fn cluster_settings(suffix: &str) -> Vec<Described> {
    crate::cluster::settings::SETTINGS
        .iter()
        .map(|s| {
            (
                format!("{}{suffix}", s.name),
                Some(format!("{}; default {}", s.doc, s.default)),
            )
        })
        .collect()
}

/// The `-o` forms, each with what it means.
fn offset_specs() -> Vec<Described> {
    let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    [
        ("beginning".to_string(), "the log start offset"),
        (
            "end".to_string(),
            "the high watermark: only records produced from now on",
        ),
        (
            "-10".to_string(),
            "the last 10 records of each partition (-N)",
        ),
        (
            "@-1h".to_string(),
            "records of the last hour (@-DURATION: 90s, 30m, 2d, PT1H30M)",
        ),
        ("@-1d".to_string(), "records of the last day (@-DURATION)"),
        (
            format!("@{today}"),
            "records since midnight UTC today (@TIME: RFC 3339, a date or epoch ms)",
        ),
    ]
    .into_iter()
    .map(|(v, h)| (v, Some(h.to_string())))
    .collect()
}

/// What the command line being completed says beyond the word under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The cluster it names (`--cluster`, else FILKA_CLUSTER, else the default).
    pub cluster: PathBuf,
    /// The topic it names (`-t`/`--topic`, or `describe partition TOPIC`).
    pub topic: Option<String>,
}

impl Context {
    /// Reads `words` (the command name first) before index `current`, the word completed;
    /// `env_cluster` is FILKA_CLUSTER.
    pub fn parse(words: &[String], current: usize, env_cluster: Option<OsString>) -> Context {
        let before = words.get(1..current.min(words.len())).unwrap_or_default();
        let mut cluster = None;
        let mut topic = None;
        let mut i = 0;
        while let Some(w) = before.get(i) {
            let next = before.get(i + 1).cloned();
            match w.as_str() {
                "--cluster" => cluster = next.map(PathBuf::from),
                "-t" | "--topic" => topic = next.or(topic),
                "partition" if i > 0 && before.get(i - 1).is_some_and(|p| p == "describe") => {
                    topic = next.or(topic)
                }
                w => {
                    if let Some(v) = w.strip_prefix("--cluster=") {
                        cluster = Some(PathBuf::from(v));
                    } else if let Some(v) = w.strip_prefix("--topic=") {
                        topic = Some(v.to_string());
                    } else if let Some(v) = w.strip_prefix("-t").filter(|v| !v.is_empty()) {
                        topic = Some(v.trim_start_matches('=').to_string());
                    }
                }
            }
            i += 1;
        }
        let cluster = cluster
            .or_else(|| env_cluster.filter(|v| !v.is_empty()).map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CLUSTER_DIR));
        Context { cluster, topic }
    }
}

/// The context of the completion request this process answers: the words after `--`, the
/// current one at `_CLAP_COMPLETE_INDEX` (bash, zsh, elvish) or last (fish, PowerShell).
fn context() -> &'static Context {
    static CONTEXT: OnceLock<Context> = OnceLock::new();
    CONTEXT.get_or_init(|| {
        let args: Vec<String> = std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let words = match args.iter().position(|a| a == "--") {
            Some(i) => args.get(i + 1..).unwrap_or_default().to_vec(),
            None => Vec::new(),
        };
        let current = std::env::var("_CLAP_COMPLETE_INDEX")
            .ok()
            .and_then(|i| i.parse().ok())
            .unwrap_or(words.len().saturating_sub(1));
        Context::parse(&words, current, std::env::var_os(CLUSTER_ENV))
    })
}

/// The cluster of the request, read once.
fn snapshot() -> Option<&'static Snapshot> {
    static SNAPSHOT: OnceLock<Option<Snapshot>> = OnceLock::new();
    SNAPSHOT
        .get_or_init(|| Snapshot::read(&context().cluster))
        .as_ref()
}

fn env_shell(shell: Shell) -> Option<&'static dyn EnvCompleter> {
    Some(match shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
        Shell::Elvish => &Elvish,
        Shell::PowerShell => &Powershell,
        _ => return None,
    })
}

/// The script `filka completions SHELL` prints and completions/ holds: it registers filka
/// with the shell, calling `filka` (on PATH) for candidates.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Some(s) = env_shell(shell) {
        // Writing to a Vec cannot fail.
        let _ = s.write_registration(COMPLETE_ENV, BIN, BIN, BIN, &mut buf);
    }
    buf
}

/// When this run is a completion request (FILKA_COMPLETE names a shell), prints the
/// candidates and exits: 0, or 1 without a word on any error. Returns otherwise.
pub fn answer_if_asked() {
    let Some(shell) = std::env::var_os(COMPLETE_ENV) else {
        return;
    };
    // Only a shell's name: any other value runs filka as usual.
    if Shell::from_shell_path(&shell).is_none() {
        return;
    }
    // Completion must never print on the terminal: a panic ends with no message.
    std::panic::set_hook(Box::new(|_| {}));
    let cwd = std::env::current_dir().ok();
    let env = CompleteEnv::with_factory(command)
        .var(COMPLETE_ENV)
        .bin(BIN)
        .completer(BIN);
    let code = match env.try_complete(std::env::args_os(), cwd.as_deref()) {
        Ok(true) => 0,
        Ok(false) => return,
        Err(_) => 1,
    };
    std::process::exit(code);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn context_reads_cluster_and_topic_before_the_cursor() {
        let w = words("filka --cluster c1 consume -t demo -p x");
        let ctx = Context::parse(&w, 6, None);
        assert_eq!(ctx.cluster, PathBuf::from("c1"));
        assert_eq!(ctx.topic.as_deref(), Some("demo"));
        // The word under the cursor and after it are not read.
        assert_eq!(Context::parse(&w, 5, None).topic, None);
        let w = words("filka --cluster=c2 describe partition orders x");
        let ctx = Context::parse(&w, 5, Some("env".into()));
        assert_eq!(ctx.cluster, PathBuf::from("c2"));
        assert_eq!(ctx.topic.as_deref(), Some("orders"));
        let w = words("filka produce --topic=t1 -tt2 -p");
        assert_eq!(Context::parse(&w, 5, None).topic.as_deref(), Some("t2"));
        let w = words("filka consume -p");
        let ctx = Context::parse(&w, 2, Some("from-env".into()));
        assert_eq!(ctx.cluster, PathBuf::from("from-env"));
        assert_eq!(
            Context::parse(&w, 2, None).cluster,
            PathBuf::from(DEFAULT_CLUSTER_DIR)
        );
    }

    /// Every place the issue names gets its completer: a renamed argument would silently
    /// fall back to completing files.
    #[test]
    fn the_table_reaches_every_argument_it_names() {
        let mut found: Vec<(String, String, Kind)> = Vec::new();
        fn walk(cmd: &clap::Command, path: &str, found: &mut Vec<(String, String, Kind)>) {
            for a in cmd.get_arguments() {
                if let Some(k) = kind_of(path, a.get_id().as_str()) {
                    found.push((path.to_string(), a.get_id().to_string(), k));
                }
            }
            for s in cmd.get_subcommands() {
                let p = if path.is_empty() {
                    s.get_name().to_string()
                } else {
                    format!("{path} {}", s.get_name())
                };
                walk(s, &p, found);
            }
        }
        walk(&Cli::command(), "", &mut found);
        let has = |path: &str, id: &str, kind: Kind| {
            assert!(
                found
                    .iter()
                    .any(|(p, i, k)| p == path && i == id && *k == kind),
                "{path} {id} is not completed as {kind:?}: {found:?}"
            );
        };
        has("consume", "topic", Kind::Topic);
        has("consume", "partitions", Kind::Partition);
        has("consume", "group", Kind::Group);
        has("consume", "offset", Kind::Offset);
        has("produce", "topic", Kind::Topic);
        has("pipe", "from", Kind::Topic);
        has("pipe", "to", Kind::Topic);
        has("mirror", "topic", Kind::Topic);
        has("topic describe", "topic", Kind::Topic);
        has("topic alter", "name", Kind::Topic);
        has("topic delete", "names", Kind::Topic);
        has("topic create", "configs", Kind::ConfigKey);
        has("topic alter", "configs", Kind::ConfigKey);
        has("init", "configs", Kind::ClusterConfigKey);
        has("config set", "pairs", Kind::ClusterConfigKey);
        has("config unset", "keys", Kind::ClusterConfigName);
        has("clean", "topic", Kind::Topic);
        has("describe topic", "topic", Kind::Topic);
        has("describe partition", "partition", Kind::Partition);
        has("describe group", "group", Kind::Group);
        for g in ["describe", "delete", "reset-offsets", "commit"] {
            has(&format!("group {g}"), "group", Kind::Group);
        }
        for b in [
            "broker-down",
            "broker-up",
            "pause-replication",
            "resume-replication",
        ] {
            has(&format!("simulate-failure {b}"), "id", Kind::Broker);
        }
        has("broker remove", "id", Kind::Broker);
        has("simulate-failure controller-down", "id", Kind::Voter);
        has("simulate-failure controller-up", "id", Kind::Voter);
        has(
            "transactions describe",
            "transactional_id",
            Kind::TransactionalId,
        );
        has(
            "transactions abort",
            "transactional_id",
            Kind::TransactionalId,
        );
        has("schema show", "subject", Kind::Subject);
        has("describe zookeeper", "path", Kind::Znode);
        has("dump", "files", Kind::DumpFile);
        has("produce", "value_schema", Kind::AvroSchema);
        has("produce", "proto", Kind::ProtoFile);
    }

    #[test]
    fn dump_files_by_name() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "00000000000000000000.log",
            "00000000000000000000.index",
            "00000000000000000000.timeindex",
            "00000000000000000000.snapshot",
            "00000000000000000000.txnindex",
            "00000000000000000100-0000000002.checkpoint",
            "leader-epoch-checkpoint",
            "partition.metadata",
            "notes.txt",
        ] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let wanted: Vec<bool> = ["a.log", "partition.metadata", "notes.txt"]
            .iter()
            .map(|n| is_dump_file(&dir.path().join(n)))
            .collect();
        assert_eq!(wanted, [false, false, false]); // a.log does not exist
        assert!(is_dump_file(
            &dir.path().join("00000000000000000000.txnindex")
        ));
        assert!(is_dump_file(&dir.path().join("leader-epoch-checkpoint")));
        assert!(is_dump_file(
            &dir.path()
                .join("00000000000000000100-0000000002.checkpoint")
        ));
    }

    #[test]
    fn config_keys_end_with_equals_and_say_their_default() {
        let keys = config_keys();
        let (k, help) = keys
            .iter()
            .find(|(k, _)| k == "retention.ms=")
            .expect("retention.ms");
        assert_eq!(k, "retention.ms=");
        assert_eq!(
            help.as_deref(),
            Some("milliseconds records are kept (-1 = forever); default 604800000")
        );
    }
}
