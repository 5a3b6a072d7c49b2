//! The key and value format flags `produce` and `consume` share (`--key-format`,
//! `--value-format`, the schema files, `--registry`), and how they become encoders and
//! decoders (format::serializer).
//!
//! A schema file implies its format: `--value-schema x.avsc` means `--value-format avro`,
//! `--proto x.proto` means protobuf. With `--registry`, `produce` registers the schema
//! given (or, with none, takes the latest one) under Confluent's topic-name strategy,
//! `<topic>-value` and `<topic>-key`, and frames every value in Confluent's wire format;
//! `consume` decodes framed values with the schema their id names, and does so without
//! `--registry` too whenever an Avro or Protobuf side has no schema file.

use std::path::PathBuf;

use anyhow::anyhow;
use clap::ValueEnum;

use crate::cluster::layout::Layout;
use crate::error::{ExitCode, coded};
use crate::format::avro::AvroSchema;
use crate::format::registry::{Candidate, Parsed};
use crate::format::serializer::{Decoder, Encoder, Format, Schema, SchemaFiles};

/// What `--key-format` and `--value-format` accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Raw bytes, as they are (the default).
    Bytes,
    /// UTF-8 text (consume prints invalid bytes as U+FFFD and says how many values had
    /// them).
    String,
    /// Bytes, written as base64 text outside the record.
    Base64,
    /// Bytes, written as hex text outside the record.
    Hex,
    /// A 32-bit big-endian integer (Kafka's IntegerSerializer).
    Int,
    /// A 64-bit big-endian integer (Kafka's LongSerializer).
    Long,
    /// A 64-bit big-endian IEEE 754 float (Kafka's DoubleSerializer).
    Double,
    /// JSON text.
    Json,
    /// Avro binary, with --value-schema/--key-schema or the registry.
    Avro,
    /// Protobuf binary, with --proto/--descriptor-set or the registry.
    Protobuf,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Bytes => Format::Bytes,
            FormatArg::String => Format::String,
            FormatArg::Base64 => Format::Base64,
            FormatArg::Hex => Format::Hex,
            FormatArg::Int => Format::Int,
            FormatArg::Long => Format::Long,
            FormatArg::Double => Format::Double,
            FormatArg::Json => Format::Json,
            FormatArg::Avro => Format::Avro,
            FormatArg::Protobuf => Format::Protobuf,
        }
    }
}

/// The format flags of `produce` and `consume`.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Key and value formats")]
pub struct FormatArgs {
    /// The keys' format [default: bytes, or what a key schema implies].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub key_format: Option<FormatArg>,

    /// The values' format [default: bytes, or what a value schema implies].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub value_format: Option<FormatArg>,

    /// The values' Avro schema (.avsc); implies --value-format avro.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub value_schema: Option<PathBuf>,

    /// The keys' Avro schema (.avsc); implies --key-format avro.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub key_schema: Option<PathBuf>,

    /// The values' .proto file, compiled at run time (no protoc needed); implies
    /// --value-format protobuf.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub proto: Option<PathBuf>,

    /// The keys' .proto file; implies --key-format protobuf.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub key_proto: Option<PathBuf>,

    /// A directory to search for imported .proto files (repeatable), like protoc's -I.
    #[arg(short = 'I', long = "proto-path", value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub includes: Vec<PathBuf>,

    /// The values' message type (e.g. io.filka.trucks.TruckPosition) [default: the file's
    /// first message].
    #[arg(long, value_name = "TYPE")]
    pub message: Option<String>,

    /// The keys' message type [default: the key file's first message].
    #[arg(long, value_name = "TYPE")]
    pub key_message: Option<String>,

    /// The values' types as a FileDescriptorSet (protoc --descriptor_set_out) instead of
    /// --proto; implies --value-format protobuf.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath, conflicts_with = "proto")]
    pub descriptor_set: Option<PathBuf>,

    /// The keys' types as a FileDescriptorSet instead of --key-proto.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath, conflicts_with = "key_proto")]
    pub key_descriptor_set: Option<PathBuf>,

    /// Use the cluster's schema registry and Confluent's wire format.
    ///
    /// produce: registers the schema given under <topic>-value / <topic>-key (checked
    /// against the subject's compatibility mode), or takes the subject's latest schema when
    /// none is given, and frames each Avro/Protobuf key and value (magic byte 0, schema id).
    /// consume: framed values are decoded with the schema their id names (also the default
    /// for an Avro/Protobuf format without a schema file).
    #[arg(long)]
    pub registry: bool,
}

/// Key or value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Key,
    Value,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Key => "key",
            Side::Value => "value",
        }
    }
}

fn usage(msg: impl std::fmt::Display) -> anyhow::Error {
    coded(ExitCode::Usage, anyhow!("{msg}"))
}

impl FormatArgs {
    /// The format and schema files of one side, the format inferred from the files.
    fn side(&self, side: Side) -> anyhow::Result<(Format, SchemaFiles)> {
        let (format, files, flags) = match side {
            Side::Key => (
                self.key_format,
                SchemaFiles {
                    avro: self.key_schema.clone(),
                    proto: self.key_proto.clone(),
                    descriptor_set: self.key_descriptor_set.clone(),
                    includes: self.includes.clone(),
                    message: self.key_message.clone(),
                },
                (
                    "--key-schema",
                    "--key-proto/--key-descriptor-set",
                    "--key-format",
                ),
            ),
            Side::Value => (
                self.value_format,
                SchemaFiles {
                    avro: self.value_schema.clone(),
                    proto: self.proto.clone(),
                    descriptor_set: self.descriptor_set.clone(),
                    includes: self.includes.clone(),
                    message: self.message.clone(),
                },
                (
                    "--value-schema",
                    "--proto/--descriptor-set",
                    "--value-format",
                ),
            ),
        };
        let implied = if files.avro.is_some() {
            if files.proto.is_some() || files.descriptor_set.is_some() {
                return Err(usage(format!(
                    "{} (Avro) and {} (Protobuf) cannot both be given",
                    flags.0, flags.1
                )));
            }
            Some(Format::Avro)
        } else if files.proto.is_some() || files.descriptor_set.is_some() {
            Some(Format::Protobuf)
        } else {
            None
        };
        let format = match (format.map(Format::from), implied) {
            (Some(f), Some(i)) if f != i => {
                return Err(usage(format!(
                    "{} {f} does not match the {i} schema given with {}",
                    flags.2,
                    if i == Format::Avro { flags.0 } else { flags.1 }
                )));
            }
            (Some(f), _) => f,
            (None, Some(i)) => i,
            (None, None) => Format::Bytes,
        };
        Ok((format, files))
    }

    /// The schema of one side, from its files.
    fn load(&self, side: Side, files: &SchemaFiles) -> anyhow::Result<Option<Schema>> {
        files.load().map_err(|e| {
            let path = files
                .path()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            usage(format!("{} schema {path}: {e}", side.name()))
        })
    }

    /// True when any side needs the registry on the produce side.
    fn formats(&self) -> anyhow::Result<[(Side, Format, SchemaFiles); 2]> {
        let (kf, ks) = self.side(Side::Key)?;
        let (vf, vs) = self.side(Side::Value)?;
        Ok([(Side::Key, kf, ks), (Side::Value, vf, vs)])
    }

    /// The key and value encoders of `produce` to `topic`. Registry work (registering or
    /// looking up `<topic>-key`/`-value`) happens here; `registered` hears of each new
    /// version.
    pub(crate) fn encoders(
        &self,
        topic: &str,
        layout: &Layout,
        mut registered: impl FnMut(&str, u32, u32),
    ) -> anyhow::Result<(Encoder, Encoder)> {
        let mut registry = None;
        let mut out = Vec::with_capacity(2);
        for (side, format, files) in self.formats()? {
            let schema = self.load(side, &files)?;
            if !self.registry || !format.has_schema() {
                if format.has_schema() && schema.is_none() {
                    return Err(usage(format!(
                        "--{0}-format {format} needs a schema: {1}, or --registry to use the \
                         latest schema of {topic}-{0}",
                        side.name(),
                        if format == Format::Avro {
                            if side == Side::Key {
                                "--key-schema FILE.avsc"
                            } else {
                                "--value-schema FILE.avsc"
                            }
                        } else if side == Side::Key {
                            "--key-proto FILE.proto"
                        } else {
                            "--proto FILE.proto"
                        }
                    )));
                }
                out.push(Encoder::new(format, schema).map_err(usage)?);
                continue;
            }
            if registry.is_none() {
                registry = Some(super::schema_store::open_registry(layout)?);
            }
            let Some(reg) = registry.as_mut() else {
                continue;
            };
            let subject = format!("{topic}-{}", side.name());
            let (schema, id) = match schema {
                Some(schema) => {
                    let candidate = match &schema {
                        Schema::Avro(a) => Candidate::Avro(a.clone()),
                        Schema::Protobuf(p) => Candidate::Protobuf(
                            p.source()
                                .ok_or_else(|| {
                                    usage(
                                        "the registry stores .proto source: give the .proto file \
                                         (--proto) instead of a descriptor set",
                                    )
                                })?
                                .clone(),
                        ),
                    };
                    let r = reg.register(&subject, &candidate)?;
                    if r.created {
                        registered(&subject, r.id, r.version);
                    }
                    (schema, r.id)
                }
                None => {
                    let v = reg.version(&subject, None).map_err(|e| {
                        coded(
                            ExitCode::NotFound,
                            anyhow!(
                                "{e}; register one with `filka schema register {subject} --file F` \
                                 or give the schema file"
                            ),
                        )
                    })?;
                    let schema = match reg.parse(v.id, files.message.as_deref())? {
                        Parsed::Avro(a) => Schema::Avro(a),
                        Parsed::Protobuf(p) => Schema::Protobuf(p),
                    };
                    (schema, v.id)
                }
            };
            out.push(
                Encoder::new(format, Some(schema))
                    .map_err(usage)?
                    .framed(id),
            );
        }
        let value = out.pop().ok_or_else(|| anyhow!("no value encoder"))?;
        let key = out.pop().ok_or_else(|| anyhow!("no key encoder"))?;
        Ok((key, value))
    }

    /// The key and value decoders of `consume`. `reader_schema` is the values' Avro reader
    /// schema.
    pub(crate) fn decoders(
        &self,
        reader_schema: Option<&std::path::Path>,
        layout: &Layout,
    ) -> anyhow::Result<(Decoder, Decoder)> {
        let reader = reader_schema
            .map(|p| {
                AvroSchema::from_file(p)
                    .map_err(|e| usage(format!("reader schema {}: {e}", p.display())))
            })
            .transpose()?;
        let mut reader = reader;
        let mut out = Vec::with_capacity(2);
        for (side, format, files) in self.formats()? {
            let schema = self.load(side, &files)?;
            if self.registry && schema.is_some() {
                return Err(usage(format!(
                    "with --registry the {} schema comes from the registry; give the one to read \
                     with as --reader-schema",
                    side.name()
                )));
            }
            let registry = if format.has_schema() && schema.is_none() {
                Some(super::schema_store::open_registry(layout)?)
            } else {
                None
            };
            let side_reader = if side == Side::Value {
                reader.take()
            } else {
                None
            };
            if side == Side::Value && side_reader.is_some() && format != Format::Avro {
                return Err(usage(format!(
                    "--reader-schema applies to Avro values; the value format is {format}"
                )));
            }
            out.push(Decoder::new(format, schema, side_reader, registry).map_err(usage)?);
        }
        let value = out.pop().ok_or_else(|| anyhow!("no value decoder"))?;
        let key = out.pop().ok_or_else(|| anyhow!("no key decoder"))?;
        Ok((key, value))
    }
}
