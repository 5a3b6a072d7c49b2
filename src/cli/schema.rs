//! `filka schema`: the cluster's local schema registry, Confluent Schema Registry's model
//! without the server (format/registry.rs holds the rules).
//!
//! Spec:
//! - `schema register SUBJECT --file F [--type avro|protobuf] [-I DIR]...`: a new version
//!   (or the existing one, for a schema the subject has), checked against the subject's
//!   compatibility mode; prints the id and version. The type follows the file's extension
//!   (.avsc, .proto) unless `--type` says. A .proto file's imports are registered as their
//!   own subjects and referenced.
//! - `schema list`: SUBJECT VERSIONS LATEST-VERSION ID TYPE COMPATIBILITY.
//! - `schema show SUBJECT [--version N]`: the schema text (latest by default); `--output
//!   json` as Confluent's REST API answers (`subject`, `version`, `id`, `schemaType`,
//!   `schema`, `references`).
//! - `schema compatibility [SUBJECT] [--set MODE]`: shows or sets the mode (NONE, BACKWARD,
//!   BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE); without
//!   SUBJECT, the registry's default (BACKWARD).
//!
//! Exit codes: 12 a schema breaks the mode, 4 unknown subject or version, 2 a schema file
//! that does not parse, 3 a damaged registry file.

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use clap::{Subcommand, ValueEnum};
use serde_json::json;

use super::{GlobalArgs, OutputFormat, open_cluster};
use crate::error::{ExitCode, coded};
use crate::format::avro::AvroSchema;
use crate::format::protobuf::ProtoSchema;
use crate::format::registry::{Candidate, Compatibility};
use crate::output::{Printer, Table, escape_control};

const EXAMPLES: &str = "\
Examples:
  Register a truck position schema for the values of topic trucks_gps, then use it:
    filka schema register trucks_gps-value --file fixtures/schemas/truck_position.avsc
    filka produce -t trucks_gps --input-format csv --value-format avro --registry < trucks_gps.csv
    filka consume -t trucks_gps --value-format avro --output json

  What is registered, and one subject's latest schema:
    filka schema list
    filka schema show trucks_gps-value

  Require every new version to read all data written so far:
    filka schema compatibility trucks_gps-value --set BACKWARD_TRANSITIVE";

/// The local schema registry: subjects, versions, ids and compatibility modes.
///
/// Schemas live in the cluster directory (schemas/registry.json) and follow Confluent
/// Schema Registry's rules: one global id per distinct schema, versions 1, 2, ... per
/// subject, and a compatibility mode per subject (default BACKWARD) checked when a new
/// version is registered. `produce --registry` registers under <topic>-value and
/// <topic>-key and frames values as Confluent's serializers do; `consume` decodes them.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The `schema` subcommands. Variants carry no doc comment: the help is on each struct.
#[allow(missing_docs)]
#[derive(Debug, Subcommand)]
pub enum Action {
    Register(RegisterArgs),
    List(ListArgs),
    Show(ShowArgs),
    Compatibility(CompatibilityArgs),
}

/// What `--type` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TypeArg {
    /// An Avro schema (.avsc, JSON).
    Avro,
    /// A Protocol Buffers file (.proto).
    Protobuf,
}

/// Register a schema under a subject (a new version, checked for compatibility).
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = "Examples:\n  filka schema register trucks_gps-value --file truck_position.avsc\n  filka schema register trucks_gps-value --file truck_position.proto -I protos/"
)]
pub struct RegisterArgs {
    /// The subject, e.g. <topic>-value.
    pub subject: String,
    /// The schema file.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub file: PathBuf,
    /// The schema language [default: by extension, .proto is protobuf, else avro].
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub schema_type: Option<TypeArg>,
    /// A directory to search for imported .proto files (repeatable).
    #[arg(short = 'I', long = "proto-path", value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub includes: Vec<PathBuf>,
}

/// Every subject: versions, latest id, type and compatibility mode.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "Examples:\n  filka schema list\n  filka schema list --output json")]
pub struct ListArgs {}

/// A subject's schema (the latest version by default).
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = "Examples:\n  filka schema show trucks_gps-value\n  filka schema show trucks_gps-value --version 1 --output json"
)]
pub struct ShowArgs {
    /// The subject.
    pub subject: String,
    /// Which version.
    #[arg(long, value_name = "N")]
    pub version: Option<u32>,
}

/// Show or set a subject's compatibility mode (or the registry's default).
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = "Examples:\n  filka schema compatibility trucks_gps-value\n  filka schema compatibility trucks_gps-value --set FULL\n  filka schema compatibility --set NONE    # the default for every subject"
)]
pub struct CompatibilityArgs {
    /// The subject; without it, the registry's default mode.
    pub subject: Option<String>,
    /// The mode to set: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE,
    /// FULL or FULL_TRANSITIVE.
    #[arg(long, value_name = "MODE")]
    pub set: Option<Compatibility>,
}

/// Runs the command.
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    global.accept("schema", super::global::TEXT_JSON, super::global::VERBOSE)?;
    let cluster = open_cluster(global)?;
    let mut registry = super::schema_store::open_registry(cluster.layout())?;
    global.detail(
        1,
        format!(
            "schema: the local registry is {} ({} subjects)",
            escape_control(&registry.location().display().to_string()),
            registry.subjects().count()
        ),
    );
    let mut out = Printer::stdout();
    let json = global.output == OutputFormat::Json;
    match &args.action {
        Action::Register(a) => {
            let candidate = candidate(a)?;
            if global.verbose_at(1) {
                let mode = registry.compatibility(Some(&a.subject));
                let versions: Vec<u32> = registry
                    .subjects()
                    .find(|(name, _)| *name == a.subject)
                    .map(|(_, s)| s.versions.iter().map(|v| v.version).collect())
                    .unwrap_or_default();
                let against = match (versions.last(), mode) {
                    (None, _) => "it has no version yet: nothing to check against".to_string(),
                    (_, Compatibility::None) => "NONE: no check".to_string(),
                    (Some(latest), m) if !m.transitive() => {
                        format!("{m}: checked against its latest version, {latest}")
                    }
                    (_, m) => format!(
                        "{m}: checked against every version ({})",
                        versions
                            .iter()
                            .map(u32::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                global.detail(
                    1,
                    format!("schema register: subject {}: {against}", a.subject),
                );
            }
            let r = registry
                .register(&a.subject, &candidate)
                .with_context(|| format!("registering {}", a.file.display()))?;
            if json {
                out.json_line(&json!({
                    "subject": a.subject, "id": r.id, "version": r.version, "created": r.created
                }))?;
            } else {
                let what = if r.created {
                    "registered"
                } else {
                    "already registered"
                };
                out.line(&format!(
                    "{what}: subject {} version {} id {}",
                    a.subject, r.version, r.id
                ))?;
            }
        }
        Action::List(_) => {
            let mut table = Table::new([
                "SUBJECT",
                "VERSIONS",
                "LATEST-VERSION",
                "ID",
                "TYPE",
                "COMPATIBILITY",
            ]);
            for (name, subject) in registry.subjects() {
                let Some(latest) = subject.versions.last() else {
                    continue;
                };
                let kind = registry.schema(latest.id)?.schema_type;
                let mode = registry.compatibility(Some(name));
                if json {
                    out.json_line(&json!({
                        "subject": name,
                        "versions": subject.versions.iter().map(|v| v.version).collect::<Vec<_>>(),
                        "latest_version": latest.version,
                        "id": latest.id,
                        "schemaType": kind.to_string(),
                        "compatibility": mode.name(),
                    }))?;
                } else {
                    table.row([
                        name.to_string(),
                        subject.versions.len().to_string(),
                        latest.version.to_string(),
                        latest.id.to_string(),
                        kind.to_string(),
                        mode.name().to_string(),
                    ]);
                }
            }
            if !json {
                out.table(&table)?;
            }
        }
        Action::Show(a) => {
            let v = registry.version(&a.subject, a.version)?;
            let s = registry.schema(v.id)?;
            if json {
                out.json_line(&json!({
                    "subject": a.subject,
                    "version": v.version,
                    "id": v.id,
                    "schemaType": s.schema_type.to_string(),
                    "schema": s.schema,
                    "references": s.references,
                }))?;
            } else {
                out.line(&format!(
                    "subject {} version {} id {} type {}",
                    a.subject, v.version, v.id, s.schema_type
                ))?;
                for r in &s.references {
                    out.line(&format!(
                        "references {} (subject {} version {})",
                        r.name, r.subject, r.version
                    ))?;
                }
                out.line(s.schema.trim_end())?;
            }
        }
        Action::Compatibility(a) => {
            if let Some(mode) = a.set {
                registry.set_compatibility(a.subject.as_deref(), mode)?;
            }
            let mode = registry.compatibility(a.subject.as_deref());
            let of = a.subject.as_deref().unwrap_or("(default)");
            if json {
                out.json_line(&json!({"subject": a.subject, "compatibility": mode.name()}))?;
            } else {
                out.line(&format!("{of}: {mode}"))?;
            }
        }
    }
    out.finish().context("writing to stdout")?;
    Ok(ExitCode::Success)
}

/// The file as a schema to register, parsed first so a broken file changes nothing.
fn candidate(a: &RegisterArgs) -> anyhow::Result<Candidate> {
    let proto = match a.schema_type {
        Some(t) => t == TypeArg::Protobuf,
        None => a.file.extension().is_some_and(|e| e == "proto"),
    };
    let bad = |e: String| coded(ExitCode::Usage, anyhow!("schema {}: {e}", a.file.display()));
    if !a.file.is_file() {
        return Err(coded(
            ExitCode::NotFound,
            anyhow!("schema file {} does not exist", a.file.display()),
        ));
    }
    if proto {
        let p = ProtoSchema::compile(&a.file, &a.includes, None).map_err(|e| bad(e.to_string()))?;
        let source = p
            .source()
            .ok_or_else(|| bad("compiled without its source text".into()))?;
        Ok(Candidate::Protobuf(source.clone()))
    } else {
        if !a.includes.is_empty() {
            return Err(coded(
                ExitCode::Usage,
                anyhow!("-I/--proto-path applies to .proto files only"),
            ));
        }
        AvroSchema::from_file(&a.file)
            .map(Candidate::Avro)
            .map_err(|e| bad(e.to_string()))
    }
}
