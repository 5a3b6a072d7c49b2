//! `filka mirror`: copy topics between the local cluster and a real Kafka cluster.
//!
//! Spec:
//! - `mirror --to-kafka BOOTSTRAP[,..] (-t TOPIC... | --all-topics) [--rename OLD=NEW]...
//!   [-X key=value]... [--group G] [--follow] [--batch N] [--timeout-ms MS]`: local topics
//!   into Kafka. `mirror --from-kafka BOOTSTRAP -t TOPIC... [--rename ...] [-X ...]
//!   [--group G] [--follow]`: Kafka topics into the local cluster.
//! - Keys, values (bytes as they are), headers and timestamps are kept. A record keeps its
//!   partition when the target topic has at least as many partitions; otherwise it goes by
//!   the murmur2 hash of its key (mirror/route.rs). A missing target topic is created with
//!   the source's partition count and configs when the target allows it; a config the
//!   target refuses (Kafka 4: segment.bytes under 1 MiB) is left out and named.
//! - Progress goes to stderr: topic and partition, records mirrored, the committed offset,
//!   the lag. Where each partition got to is committed to a consumer group on the source
//!   side (`--group`, default filka-mirror) after the target acknowledged the batch, so a
//!   killed mirror resumes with nothing lost and at most one batch sent twice.
//! - Confluent-framed keys and values stay framed; the schema ids they carry are printed
//!   on stdout with the local registry's subject and version for each, so the user can
//!   register them on the target's Schema Registry (`--schema-registry-url` is not done).
//! - `-X` passes librdkafka settings through, as kcat does; with none, librdkafka's defaults.
//!
//! Exit codes: 11 the Kafka side failed (one line naming the broker and the setting to
//! check), 2 bad flags or a `-X` setting librdkafka refuses (and every run of a filka built
//! without the `kafka` feature), 4 unknown local topic or no cluster (with --to-kafka), 5 a
//! record Kafka cannot carry.
//!
//! Owns: flags, rendering progress and schema ids, mapping mirror errors to exit codes.
//! Must not: talk to Kafka (src/mirror does, and only in builds with the `kafka` feature).
//! The flags are the same in every build, so help, man pages and completions are too.

use clap::ArgGroup;

use super::GlobalArgs;
use crate::error::ExitCode;

const EXAMPLES: &str = "\
Examples:
  Build filka with Kafka support first (librdkafka is compiled from source):
    cargo build --release --features kafka

  Copy one local topic into a Kafka cluster, then every local topic into another one
  (a group per target: each keeps its own progress):
    filka mirror --to-kafka kafka1:9092,kafka2:9092 -t demo
    filka mirror --to-kafka prod1:9092 --all-topics --group to-prod

  The same topic under another name, compressed, with SASL over TLS:
    filka mirror --to-kafka kafka1:9093 -t demo --rename demo=filka.demo \\
      -X compression.type=zstd -X security.protocol=SASL_SSL \\
      -X sasl.mechanism=PLAIN -X sasl.username=me -X sasl.password=secret

  Keep mirroring new records until stopped (Ctrl-C; the next run resumes):
    filka mirror --to-kafka kafka1:9092 -t demo --follow

  Copy a topic from Kafka into the local cluster, then check and read it:
    filka mirror --from-kafka kafka1:9092 -t orders --group filka-copy
    filka describe topic orders
    filka consume -t orders --output json | head

  Where the mirror stands (local to Kafka: a local group):
    filka group describe filka-mirror";

/// Mirror topics to or from a real Kafka cluster.
///
/// --to-kafka copies local topics into a Kafka cluster; --from-kafka copies Kafka topics
/// into the local cluster. Keys, values (bytes as they are), headers and timestamps are
/// kept; each record keeps its partition when the target topic has enough partitions, and
/// otherwise goes by the murmur2 hash of its key. A missing target topic is created with the
/// source's partition count and configs, when the target allows it; a config the target
/// refuses is left out, and named.
///
/// The mirror commits where each partition got to in a consumer group on the source side
/// (--group) only after the target acknowledged the records, so a stopped or killed mirror
/// resumes where it left off: nothing is lost, and at most one batch is sent twice. Progress
/// (topic, partition, records, offset, lag) goes to stderr.
///
/// Confluent-framed values stay framed; the schema ids they carry are printed with the local
/// registry's subjects so you can register them on the target's Schema Registry.
///
/// Needs a filka built with `--features kafka`; other builds exit 2 saying so.
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = EXAMPLES,
    group(ArgGroup::new("direction").required(true).args(["to_kafka", "from_kafka"])),
    group(ArgGroup::new("which").required(true).args(["topic", "all_topics"])),
)]
pub struct Args {
    /// Copy local topics into the Kafka cluster at BOOTSTRAP (host:port[,host:port...]).
    #[arg(long, value_name = "BOOTSTRAP")]
    pub to_kafka: Option<String>,

    /// Copy topics of the Kafka cluster at BOOTSTRAP into the local cluster.
    #[arg(long, value_name = "BOOTSTRAP")]
    pub from_kafka: Option<String>,

    /// A topic to mirror (repeatable), named as on the source side.
    #[arg(short, long, value_name = "TOPIC", action = clap::ArgAction::Append)]
    pub topic: Vec<String>,

    /// Every local topic but the internal ones (with --to-kafka).
    #[arg(long, conflicts_with = "from_kafka")]
    pub all_topics: bool,

    /// Mirror source topic OLD into target topic NEW (repeatable).
    #[arg(long, value_name = "OLD=NEW", value_parser = parse_pair, action = clap::ArgAction::Append)]
    pub rename: Vec<(String, String)>,

    /// A librdkafka setting, as with kcat (repeatable): security.protocol, sasl.*, ssl.*,
    /// acks, compression.type, linger.ms, message.timeout.ms, auto.offset.reset, ...
    ///
    /// Applied after filka's few own settings (client.id=filka-mirror; with --from-kafka
    /// auto.offset.reset=earliest), so they can be changed too; group.id and the
    /// auto-commit settings belong to the mirror. With -X debug=... (or -vv), librdkafka's
    /// log lines go to stderr.
    #[arg(short = 'X', value_name = "KEY=VALUE", value_parser = parse_pair, action = clap::ArgAction::Append)]
    pub settings: Vec<(String, String)>,

    /// The consumer group on the source side that holds where each partition got to.
    ///
    /// With --to-kafka a local group (`filka group describe`), with --from-kafka a group on
    /// the Kafka cluster. Use one group per target: a second target with the same group
    /// would only get what the first has not.
    #[arg(short, long, value_name = "GROUP", default_value = "filka-mirror")]
    pub group: String,

    /// Keep mirroring new records until stopped, instead of stopping at the end. Ctrl-C (or
    /// SIGTERM) stops cleanly: what was read is sent, acknowledged and committed, then the
    /// summary is printed and the exit code is 0; a second Ctrl-C ends it at once.
    #[arg(short, long)]
    pub follow: bool,

    /// Records sent between two commits: the target acknowledges them all before the source
    /// offsets move, and a killed mirror sends at most this many again.
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch: u64,

    /// How long a metadata, topic creation or commit request to Kafka may take, and how long
    /// the mirror waits with every broker down before it gives up (exit 11).
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout_ms: u64,
}

/// `KEY=VALUE` (`-X`, `--rename`): split at the first `=`; the key must not be empty.
fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

/// Runs `filka mirror`.
#[cfg(not(feature = "kafka"))]
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let _ = (args, global);
    Err(crate::error::coded(
        ExitCode::Usage,
        anyhow::anyhow!(
            "mirror: this filka was built without Kafka support; build it with `cargo build \
             --release --features kafka`"
        ),
    ))
}

/// Runs `filka mirror`.
#[cfg(feature = "kafka")]
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    // -v: where each partition starts and why; -vv: librdkafka's own log.
    global.accept(
        "mirror",
        super::global::TEXT_JSON,
        super::global::VERBOSE_BATCHES,
    )?;
    with_kafka::run(args, global)
}

#[cfg(feature = "kafka")]
mod with_kafka {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use serde_json::json;

    use super::Args;
    use crate::cli::describe::check_output;
    use crate::cli::{GlobalArgs, OutputFormat, open_cluster};
    use crate::error::{ExitCode, coded};
    use crate::mirror::{self, Event, FramedSchema, MirrorError, Options, PartitionProgress};
    use crate::output::{Printer, escape_control};

    pub(super) fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
        check_output(global, "mirror")?;
        let (bootstrap, to_kafka) = match (&args.to_kafka, &args.from_kafka) {
            (Some(b), _) => (b.clone(), true),
            (None, Some(b)) => (b.clone(), false),
            (None, None) => unreachable_direction()?,
        };
        let mut renames = BTreeMap::new();
        for (old, new) in &args.rename {
            if renames.insert(old.clone(), new.clone()).is_some() {
                return Err(coded(
                    ExitCode::Usage,
                    anyhow::anyhow!("--rename {old}=...: given twice"),
                ));
            }
        }
        let opts = Options {
            remote: mirror::Remote {
                bootstrap: bootstrap.clone(),
                settings: args.settings.clone(),
                timeout: Duration::from_millis(args.timeout_ms),
                log: global.verbose >= 2 || args.settings.iter().any(|(k, _)| k == "debug"),
            },
            topics: if args.all_topics {
                mirror::Topics::All
            } else {
                mirror::Topics::Named(args.topic.clone())
            },
            renames,
            group: args.group.clone(),
            follow: args.follow,
            batch: usize::try_from(args.batch).unwrap_or(usize::MAX),
            // Ctrl-C or SIGTERM: send what was read, commit it, print the summary, exit 0.
            stop: crate::cli::shutdown::requested,
            registry: None,
        };
        crate::cli::shutdown::install()?;
        // Every command that needs a cluster creates the default one (mirroring from an
        // empty one then says its topics do not exist).
        let cluster = open_cluster(global)?;
        // A damaged registry only costs the subjects' names in the report of schema ids.
        let opts = Options {
            registry: crate::cli::schema_store::open_registry(cluster.layout()).ok(),
            ..opts
        };

        let mut out = Printer::stdout();
        let mut view = View {
            to_kafka,
            quiet: global.quiet,
            verbose: global.verbose_at(1),
            json: global.output == OutputFormat::Json,
            shown: BTreeMap::new(),
            out_error: None,
            schemas_explained: false,
        };
        let result = {
            let mut events = |e: Event<'_>| view.event(e, &mut out);
            if to_kafka {
                mirror::to_kafka(cluster, &opts, &mut events)
            } else {
                mirror::from_kafka(cluster, &opts, &mut events)
            }
        };
        if let Some(e) = view.out_error.take() {
            return Err(e.into());
        }
        let summary = result.map_err(into_anyhow)?;
        out.finish()?;
        if !global.quiet {
            let total: u64 = summary.partitions.iter().map(|p| p.records).sum();
            let topics: std::collections::BTreeSet<&str> = summary
                .partitions
                .iter()
                .map(|p| p.topic.as_str())
                .collect();
            let (from, to) = if to_kafka {
                (
                    "the local cluster".to_string(),
                    format!("Kafka at {bootstrap}"),
                )
            } else {
                (
                    format!("Kafka at {bootstrap}"),
                    "the local cluster".to_string(),
                )
            };
            eprintln!(
                "filka mirror: {} of {} topic(s), {} partition(s), from {from} to {to}; \
                 progress in group {}",
                records(total),
                topics.len(),
                summary.partitions.len(),
                escape_control(&args.group)
            );
        }
        Ok(ExitCode::Success)
    }

    fn records(n: u64) -> String {
        if n == 1 {
            "1 record".to_string()
        } else {
            format!("{n} records")
        }
    }

    fn unreachable_direction() -> anyhow::Result<(String, bool)> {
        // clap's required group makes this impossible; an error beats a panic all the same.
        Err(coded(
            ExitCode::Usage,
            anyhow::anyhow!("give --to-kafka or --from-kafka"),
        ))
    }

    /// Renders the mirror's events: notes and progress on stderr, schema ids on stdout.
    struct View {
        to_kafka: bool,
        quiet: bool,
        /// -v: say what the mirror does (Event::Detail).
        verbose: bool,
        json: bool,
        /// Per partition, what was printed last (nothing is printed twice).
        shown: BTreeMap<(String, u32), (u64, i64, Option<i64>)>,
        out_error: Option<std::io::Error>,
        schemas_explained: bool,
    }

    impl View {
        fn event(&mut self, e: Event<'_>, out: &mut Printer) {
            match e {
                Event::Note(n) if !self.quiet => {
                    eprintln!("filka mirror: {}", escape_control(&n));
                }
                Event::Note(_) => {}
                Event::Detail(d) if self.verbose => {
                    eprintln!("filka mirror: {}", escape_control(&d));
                }
                Event::Detail(_) => {}
                Event::Progress(rows) if !self.quiet => {
                    for r in rows {
                        self.progress(r);
                    }
                }
                Event::Progress(_) => {}
                Event::Schemas(s) => {
                    if let Err(e) = self.schemas(s, out) {
                        self.out_error.get_or_insert(e);
                    }
                }
            }
        }

        fn progress(&mut self, r: &PartitionProgress) {
            let now = (r.records, r.position, r.lag);
            let key = (r.topic.clone(), r.partition);
            if self.shown.get(&key) == Some(&now) {
                return;
            }
            self.shown.insert(key, now);
            let lag = r.lag.map_or_else(|| "?".to_string(), |l| l.to_string());
            let position = if r.position < 0 {
                "none yet".to_string()
            } else {
                r.position.to_string()
            };
            let (from, to) = if self.to_kafka {
                (
                    format!("{}-{}", r.topic, r.partition),
                    format!("kafka {}", r.target),
                )
            } else {
                (
                    format!("kafka {}-{}", r.topic, r.partition),
                    r.target.clone(),
                )
            };
            eprintln!(
                "filka mirror: {} -> {}: {}, offset {position}, lag {lag}",
                escape_control(&from),
                escape_control(&to),
                records(r.records)
            );
        }

        fn schemas(&mut self, list: &[FramedSchema], out: &mut Printer) -> std::io::Result<()> {
            if !self.schemas_explained && !self.quiet {
                self.schemas_explained = true;
                eprintln!(
                    "filka mirror: Confluent-framed records: they carry local schema ids, \
                     printed on stdout; register those schemas on the target's Schema \
                     Registry under the same ids (IMPORT mode), e.g. from `filka schema show \
                     SUBJECT --version N --output json`"
                );
            }
            for s in list {
                if self.json {
                    let subjects: Vec<_> = s
                        .subjects
                        .iter()
                        .map(|(subject, version)| json!({"subject": subject, "version": version}))
                        .collect();
                    out.json_line(&json!({
                        "topic": s.topic,
                        "part": s.part,
                        "id": s.id,
                        "schema_type": s.schema_type,
                        "subjects": subjects,
                    }))?;
                } else {
                    let held = if s.subjects.is_empty() {
                        "not in the local registry".to_string()
                    } else {
                        s.subjects
                            .iter()
                            .map(|(subject, v)| format!("{subject} version {v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    out.line(&escape_control(&format!(
                        "{} {}s: schema id {} {}: {held}",
                        s.topic,
                        s.part,
                        s.id,
                        s.schema_type.as_deref().unwrap_or("?"),
                    )))?;
                }
            }
            out.flush()
        }
    }

    /// A mirror error with the exit code scripts branch on; local errors keep their own
    /// type in the chain, so the one exit-code table classifies them.
    fn into_anyhow(e: MirrorError) -> anyhow::Error {
        match e {
            MirrorError::Remote { .. } => coded(ExitCode::Remote, e),
            MirrorError::Setting { .. } => coded(ExitCode::Usage, e),
            MirrorError::Unsendable { .. } => coded(ExitCode::InvalidInput, e),
            MirrorError::Cluster(inner) => anyhow::Error::new(inner),
            MirrorError::Registry(inner) => anyhow::Error::new(inner),
            MirrorError::Lock(inner) => anyhow::Error::new(inner),
            MirrorError::Txn(inner) => anyhow::Error::new(inner),
            MirrorError::Busy { .. } => anyhow::Error::new(e),
        }
    }
}
