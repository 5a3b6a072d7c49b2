//! Protobuf schemas for the serializers: a `.proto` file compiled at run time (protox, so users
//! need no protoc) or a FileDescriptorSet, one message type of it, and what `produce`,
//! `consume` and the schema registry need from that message:
//!
//! - JSON in the canonical proto3 mapping to binary and back ([`ProtoSchema::encode_json`],
//!   [`ProtoSchema::decode_json`]; the rules are in `json.rs`),
//! - the message's fields as CSV [`Column`]s,
//! - Confluent's message-index path of the message inside its file, and its framing
//!   ([`write_message_indexes`], [`read_message_indexes`]),
//! - the source text a registry stores ([`ProtoSource`]) and compiles again without a file
//!   system, and Confluent's compatibility rules between two schemas ([`can_read`]).
//!
//! Owns: [`ProtoSchema`], [`ProtoSource`], [`ProtoError`] and the JSON options.
//! Must not: write the magic byte and schema id of Confluent's wire format (the framing layer
//! does, calling [`write_message_indexes`]), store schemas or assign ids (the registry does),
//! read stdin or print. Everything per record (encode, decode) works from descriptors resolved
//! once at compile time.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use prost_reflect::{DescriptorPool, FieldDescriptor, FileDescriptor, Kind, MessageDescriptor};
use protox::file::{File, FileResolver, GoogleFileResolver, IncludeFileResolver};

use crate::format::columns::{CellType, Column};

mod compat;
mod framing;
mod json;
#[cfg(test)]
mod tests;
mod wire;

pub use compat::can_read;
pub use framing::{read_message_indexes, write_message_indexes};

/// A schema's source as a registry stores it: the main .proto file's name and text, and the
/// name and text of every file it imports, transitively, dependencies before the files that
/// import them (google/protobuf/* well-known types excluded: protox supplies them).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProtoSource {
    /// The main file's name: its path relative to the directory it was compiled from.
    pub name: String,
    /// The main file's text.
    pub text: String,
    /// Every imported file, transitively (Confluent's schema references).
    pub dependencies: Vec<ProtoFile>,
}

/// One imported .proto file of a [`ProtoSource`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProtoFile {
    /// The import path, exactly as `import "..."` names it.
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// How [`ProtoSchema::decode_json`] prints a message (and how [`ProtoSchema::columns`] names
/// fields). Input accepts both field spellings whatever these say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonOptions {
    /// Print the names as the .proto file spells them (`truck_id`) instead of the proto3 JSON
    /// mapping's lowerCamelCase (`truckId`, or the field's `json_name` option).
    pub proto_field_names: bool,
    /// Print fields that have no presence even when they hold their default value: implicit
    /// proto3 scalars as `0`/`""`/`false`/first enum value, repeated fields as `[]`, maps as
    /// `{}`. Unset message, oneof, proto3 `optional` and proto2 fields are never printed.
    pub emit_defaults: bool,
}

impl Default for JsonOptions {
    /// lowerCamelCase names (the proto3 JSON mapping's printer default) and defaults printed:
    /// what Confluent's `kafka-protobuf-console-consumer` prints (its `ProtobufSchemaUtils.toJson`
    /// uses `JsonFormat.printer().includingDefaultValueFields()`), and every line of a topic
    /// keeps the same keys.
    fn default() -> Self {
        JsonOptions {
            proto_field_names: false,
            emit_defaults: true,
        }
    }
}

/// One message type of a compiled file set, ready for per-record work.
#[derive(Clone)]
pub struct ProtoSchema {
    /// The message; it holds the whole descriptor pool (an `Arc`), so cloning is cheap.
    desc: MessageDescriptor,
    /// Confluent's index path of `desc` in its file, computed once.
    indexes: Vec<i32>,
    /// The source text, when compiled from source (not from a descriptor set).
    source: Option<Arc<ProtoSource>>,
    json: JsonOptions,
}

impl fmt::Debug for ProtoSchema {
    // The descriptor's own Debug prints the whole pool; a name is what a reader wants.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProtoSchema")
            .field("message", &self.desc.full_name())
            .field("file", &self.desc.parent_file().name())
            .field("indexes", &self.indexes)
            .field("has_source", &self.source.is_some())
            .field("json", &self.json)
            .finish()
    }
}

/// What went wrong with a schema or a value.
#[derive(Debug, thiserror::Error)]
pub enum ProtoError {
    /// A schema file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A .proto file does not compile: `file:line:col: message` when protox knows where.
    #[error("{0}")]
    Compile(String),
    /// A file is not a valid FileDescriptorSet.
    #[error("{}: not a valid FileDescriptorSet: {cause}", path.display())]
    DescriptorSet {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: String,
    },
    /// No such message, or the file defines none; the text lists what the file defines.
    #[error("{0}")]
    Message(String),
    /// A message-index path that names no message of the schema's file.
    #[error("message indexes {indexes:?}: {reason}")]
    Indexes {
        /// The path asked for.
        indexes: Vec<i32>,
        /// Why it names no message.
        reason: String,
    },
    /// The message-index prefix of a framed value is malformed.
    #[error("malformed message indexes: {0}")]
    Framing(String),
    /// A JSON value does not fit the message; `path` is the field path (`position.lat`,
    /// `points[2].x`), empty for the top-level value.
    #[error("{}", json_error_text(.path, .reason))]
    Json {
        /// Where in the value, as the input spelled the field names.
        path: String,
        /// What is wrong there.
        reason: String,
    },
    /// Bytes are not a valid encoding of the message (or hold a value its JSON cannot show,
    /// such as a Timestamp out of range).
    #[error("not a valid {message} value: {cause}")]
    Decode {
        /// The message's full name.
        message: String,
        /// Why.
        cause: String,
    },
}

fn json_error_text(path: &str, reason: &str) -> String {
    if path.is_empty() {
        reason.to_owned()
    } else {
        format!("field {path}: {reason}")
    }
}

impl ProtoSchema {
    /// Compiles FILE.proto with import dirs `includes` (the file's own dir is searched first;
    /// like protoc's -I). The file's name (in [`ProtoSource::name`]) is its path relative to its
    /// own dir; imports are looked up in its dir, then in each include in order. Well-known
    /// types (`google/protobuf/*.proto`) always come from protox, never from disk, so that
    /// [`ProtoSchema::from_source`] compiles exactly the same files.
    ///
    /// `message`: full name ("io.filka.trucks.TruckPosition") or, if unambiguous, the short
    /// name; None = the first message of the file. Parse errors are rendered
    /// `file:line:col: message` with the file's path on disk; an unknown message lists the
    /// file's messages.
    pub fn compile(
        proto: &Path,
        includes: &[PathBuf],
        message: Option<&str>,
    ) -> Result<ProtoSchema, ProtoError> {
        // protox reports a missing main file as "not in any include path": say what it is.
        std::fs::metadata(proto).map_err(|source| ProtoError::Read {
            path: proto.to_path_buf(),
            source,
        })?;
        let own_dir = match proto.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut dirs = vec![own_dir];
        dirs.extend(includes.iter().cloned());
        let resolver = DiskResolver::new(dirs);
        let seen = Rc::clone(&resolver.seen);
        let mut compiler = protox::Compiler::with_file_resolver(resolver);
        if let Err(e) = compiler.open_file(proto) {
            let seen = seen.borrow();
            return Err(compile_error(&e, |name| {
                seen.get(name).map(|f| f.path.clone())
            }));
        }
        let Some(main) = compiler.files().find(|f| !f.is_import()) else {
            return Err(ProtoError::Compile(format!(
                "{}: protox compiled no file",
                proto.display()
            )));
        };
        let main = main.name().to_owned();
        let seen = seen.borrow();
        let text_of = |name: &str| seen.get(name).map(|f| f.text.clone());
        let source = ProtoSource {
            name: main.clone(),
            text: text_of(&main).unwrap_or_default(),
            dependencies: compiler
                .files()
                .filter(|f| f.is_import())
                .filter_map(|f| {
                    // Files without recorded text came from protox's well-known types.
                    text_of(f.name()).map(|text| ProtoFile {
                        name: f.name().to_owned(),
                        text,
                    })
                })
                .collect(),
        };
        let pool = compiler.descriptor_pool();
        let file = file_by_name(&pool, &main)?;
        Self::select(&file, message, false, Some(Arc::new(source)))
    }

    /// From a FileDescriptorSet file (protoc --descriptor_set_out, --include_imports). No
    /// source text. `message` is looked up in every file of the set; None = the first message
    /// of the last file (protoc writes the files it was asked for after their imports).
    pub fn from_descriptor_set(
        path: &Path,
        message: Option<&str>,
    ) -> Result<ProtoSchema, ProtoError> {
        let bytes = std::fs::read(path).map_err(|source| ProtoError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let pool = DescriptorPool::decode(bytes.as_slice()).map_err(|e| {
            let mut cause = format!("{e:?}");
            if cause.contains("import") {
                // protoc leaves imports out unless asked.
                cause.push_str(" (write the set with protoc --include_imports)");
            }
            ProtoError::DescriptorSet {
                path: path.to_path_buf(),
                cause,
            }
        })?;
        let Some(file) = pool.files().last() else {
            return Err(ProtoError::DescriptorSet {
                path: path.to_path_buf(),
                cause: "it holds no file".to_owned(),
            });
        };
        Self::select(&file, message, true, None)
    }

    /// Compiles a registry's stored source in memory (no file system).
    pub fn from_source(
        src: &ProtoSource,
        message: Option<&str>,
    ) -> Result<ProtoSchema, ProtoError> {
        let mut files: HashMap<String, String> = src
            .dependencies
            .iter()
            .map(|f| (f.name.clone(), f.text.clone()))
            .collect();
        files.insert(src.name.clone(), src.text.clone());
        let mut compiler = protox::Compiler::with_file_resolver(MemoryResolver {
            google: GoogleFileResolver::new(),
            files,
        });
        compiler
            .open_file(&src.name)
            .map_err(|e| compile_error(&e, |_| None))?;
        let pool = compiler.descriptor_pool();
        let file = file_by_name(&pool, &src.name)?;
        Self::select(&file, message, false, Some(Arc::new(src.clone())))
    }

    /// The same schema, printing JSON (and naming columns) per `options`.
    pub fn with_json_options(mut self, options: JsonOptions) -> ProtoSchema {
        self.json = options;
        self
    }

    /// How this schema prints JSON.
    pub fn json_options(&self) -> JsonOptions {
        self.json
    }

    /// The source as a registry should store it (None when built from a descriptor set).
    pub fn source(&self) -> Option<&ProtoSource> {
        self.source.as_deref()
    }

    /// The message's full name, e.g. `io.filka.trucks.TruckPosition`.
    pub fn full_name(&self) -> &str {
        self.desc.full_name()
    }

    /// The message's descriptor, for callers that need more than this API offers.
    pub fn descriptor(&self) -> &MessageDescriptor {
        &self.desc
    }

    /// Confluent's message-index path of this message inside its file: [0] for the first
    /// top-level message, [2, 1] for the second message nested in the third top-level one.
    /// Only declared messages count: not the entry types protoc makes for map fields, and not
    /// proto2 group types (Confluent numbers the messages of the .proto text, as its
    /// `ProtobufSchema.toMessageIndexes` walks them).
    pub fn message_indexes(&self) -> Vec<i32> {
        self.indexes.clone()
    }

    /// The message at a Confluent message-index path in the same file (for decoding framed
    /// values). An empty path means [0], as Confluent's reader takes a count of 0.
    pub fn at_indexes(&self, indexes: &[i32]) -> Result<ProtoSchema, ProtoError> {
        let path: &[i32] = if indexes.is_empty() { &[0] } else { indexes };
        let file = self.desc.parent_file();
        let mut current: Option<MessageDescriptor> = None;
        for &index in path {
            let level = counted_messages(&file, current.as_ref());
            let found = usize::try_from(index)
                .ok()
                .and_then(|i| level.get(i).cloned());
            let Some(next) = found else {
                let within = match &current {
                    None => format!("{} has {} top-level", file.name(), level.len()),
                    Some(m) => format!("{} has {} nested", m.full_name(), level.len()),
                };
                return Err(ProtoError::Indexes {
                    indexes: indexes.to_vec(),
                    reason: format!("{within} message(s), no index {index}"),
                });
            };
            current = Some(next);
        }
        let Some(desc) = current else {
            // `path` is never empty, so the loop ran at least once.
            return Err(ProtoError::Indexes {
                indexes: indexes.to_vec(),
                reason: "empty path".to_owned(),
            });
        };
        Ok(ProtoSchema {
            indexes: path.to_vec(),
            desc,
            source: self.source.clone(),
            json: self.json,
        })
    }

    /// JSON in the canonical proto3 JSON mapping (camelCase or original field names accepted,
    /// int64 as string or number, enums by name or number, well-known types such as Timestamp
    /// as their JSON forms, `null` = field unset) -> binary appended to `out`. Unknown fields
    /// and type errors are errors naming the field path as the input spelled it (e.g.
    /// `field speedKmh: expected a number, found "fast"`; nested: `position.lat`). On error
    /// `out` is left as it was.
    pub fn encode_json(
        &self,
        value: &serde_json::Value,
        out: &mut Vec<u8>,
    ) -> Result<(), ProtoError> {
        json::encode(&self.desc, value, out)
    }

    /// Binary -> JSON in the proto3 mapping, printed per [`JsonOptions`] (by default:
    /// lowerCamelCase names, fields without presence printed with their defaults), fields in
    /// declaration order, map entries sorted by key, int64/uint64 as strings, enums by name
    /// (numbers the schema does not know as numbers), bytes as base64, NaN/Infinity as
    /// strings, floats in the shortest form that reads back as the same f32. Fields the
    /// schema does not know are skipped. Malformed bytes are an error, never a panic.
    pub fn decode_json(&self, bytes: &[u8]) -> Result<serde_json::Value, ProtoError> {
        json::decode(&self.desc, bytes, self.json)
    }

    /// The message's fields as CSV columns, in field-declaration order, named as
    /// [`decode_json`](Self::decode_json) names them. Integer kinds -> Integer, float/double ->
    /// Float, bool -> Boolean, string/bytes/enum -> Text, messages/repeated/maps -> Json,
    /// except well-known types whose JSON is a scalar (Timestamp, Duration, FieldMask ->
    /// Text; the wrappers -> their scalar's type). Fields with presence (proto3 `optional`,
    /// messages, oneof members, proto2 singular fields) and repeated fields and maps are
    /// nullable: an empty cell leaves the field unset (or empty).
    pub fn columns(&self) -> Vec<Column> {
        self.desc
            .fields()
            .map(|f| Column {
                name: self.field_name(&f).to_owned(),
                ty: cell_type(&f),
                nullable: f.supports_presence() || f.is_list() || f.is_map(),
            })
            .collect()
    }

    fn field_name<'a>(&self, f: &'a FieldDescriptor) -> &'a str {
        if self.json.proto_field_names {
            f.name()
        } else {
            f.json_name()
        }
    }

    /// Picks the message `wanted` names in `file` (or, with `whole_pool`, in any file).
    fn select(
        file: &FileDescriptor,
        wanted: Option<&str>,
        whole_pool: bool,
        source: Option<Arc<ProtoSource>>,
    ) -> Result<ProtoSchema, ProtoError> {
        let desc = match wanted {
            None => file.messages().next().ok_or_else(|| {
                ProtoError::Message(format!("{} defines no message", file.name()))
            })?,
            Some(name) => find_message(file, name, whole_pool)?,
        };
        let indexes = indexes_of(&desc);
        Ok(ProtoSchema {
            desc,
            indexes,
            source,
            json: JsonOptions::default(),
        })
    }
}

fn file_by_name(pool: &DescriptorPool, name: &str) -> Result<FileDescriptor, ProtoError> {
    pool.get_file_by_name(name)
        .ok_or_else(|| ProtoError::Compile(format!("{name}: protox compiled no such file")))
}

/// The messages a name can pick: declared ones (no map entries) of `file`, or of every file.
fn candidates(file: &FileDescriptor, whole_pool: bool) -> Vec<MessageDescriptor> {
    let mut all = Vec::new();
    let files: Vec<FileDescriptor> = if whole_pool {
        file.parent_pool().files().collect()
    } else {
        vec![file.clone()]
    };
    for f in &files {
        let mut stack: Vec<MessageDescriptor> = f.messages().collect();
        stack.reverse();
        while let Some(m) = stack.pop() {
            let mut children: Vec<MessageDescriptor> =
                m.child_messages().filter(|c| !c.is_map_entry()).collect();
            children.reverse();
            all.push(m);
            stack.extend(children);
        }
    }
    all
}

fn find_message(
    file: &FileDescriptor,
    wanted: &str,
    whole_pool: bool,
) -> Result<MessageDescriptor, ProtoError> {
    let name = wanted.strip_prefix('.').unwrap_or(wanted);
    let all = candidates(file, whole_pool);
    // A full name, or a name relative to the file's package ("Outer.Inner").
    let package = file.package_name();
    let relative = (!package.is_empty()).then(|| format!("{package}.{name}"));
    if let Some(m) = all
        .iter()
        .find(|m| m.full_name() == name || relative.as_deref() == Some(m.full_name()))
    {
        return Ok(m.clone());
    }
    let short: Vec<&MessageDescriptor> = all.iter().filter(|m| m.name() == name).collect();
    match short.as_slice() {
        [one] => Ok((*one).clone()),
        [] => {
            let names: Vec<&str> = all.iter().map(|m| m.full_name()).take(30).collect();
            let more = if all.len() > names.len() { ", ..." } else { "" };
            let place = if whole_pool {
                "the descriptor set".to_owned()
            } else {
                file.name().to_owned()
            };
            Err(ProtoError::Message(if names.is_empty() {
                format!("no message {wanted:?} in {place}: it defines no message")
            } else {
                format!(
                    "no message {wanted:?} in {place}; it defines: {}{more}",
                    names.join(", ")
                )
            }))
        }
        many => {
            let names: Vec<&str> = many.iter().map(|m| m.full_name()).collect();
            Err(ProtoError::Message(format!(
                "message name {wanted:?} is ambiguous: {}; give the full name",
                names.join(", ")
            )))
        }
    }
}

/// The messages Confluent counts at one level of a file (top level when `parent` is None):
/// declared messages in declaration order, without map-entry types (they do not appear in the
/// .proto text Confluent numbers) and without proto2 group types (its parser keeps groups
/// apart from nested types).
fn counted_messages(
    file: &FileDescriptor,
    parent: Option<&MessageDescriptor>,
) -> Vec<MessageDescriptor> {
    match parent {
        None => file.messages().collect(),
        Some(p) => {
            let groups: Vec<String> = p
                .fields()
                .filter(|f| f.is_group())
                .filter_map(|f| match f.kind() {
                    Kind::Message(m) => Some(m.full_name().to_owned()),
                    _ => None,
                })
                .collect();
            p.child_messages()
                .filter(|c| !c.is_map_entry() && !groups.iter().any(|g| g == c.full_name()))
                .collect()
        }
    }
}

/// Confluent's index path of `desc` within its file.
fn indexes_of(desc: &MessageDescriptor) -> Vec<i32> {
    let file = desc.parent_file();
    let mut chain = vec![desc.clone()];
    while let Some(parent) = chain.last().and_then(|m| m.parent_message()) {
        chain.push(parent);
    }
    chain.reverse();
    let mut out = Vec::with_capacity(chain.len());
    let mut parent: Option<&MessageDescriptor> = None;
    for m in &chain {
        let level = counted_messages(&file, parent);
        let i = level
            .iter()
            .position(|s| s.full_name() == m.full_name())
            .unwrap_or(0);
        out.push(i32::try_from(i).unwrap_or(i32::MAX));
        parent = Some(m);
    }
    out
}

fn cell_type(f: &FieldDescriptor) -> CellType {
    if f.is_list() || f.is_map() {
        return CellType::Json;
    }
    match f.kind() {
        Kind::Double | Kind::Float => CellType::Float,
        Kind::Int32
        | Kind::Int64
        | Kind::Uint32
        | Kind::Uint64
        | Kind::Sint32
        | Kind::Sint64
        | Kind::Fixed32
        | Kind::Fixed64
        | Kind::Sfixed32
        | Kind::Sfixed64 => CellType::Integer,
        Kind::Bool => CellType::Boolean,
        Kind::String | Kind::Bytes | Kind::Enum(_) => CellType::Text,
        Kind::Message(m) => match m.full_name() {
            // Well-known types whose JSON is a scalar: a cell holds that scalar, unquoted.
            "google.protobuf.Timestamp"
            | "google.protobuf.Duration"
            | "google.protobuf.FieldMask"
            | "google.protobuf.StringValue"
            | "google.protobuf.BytesValue" => CellType::Text,
            "google.protobuf.Int32Value"
            | "google.protobuf.UInt32Value"
            | "google.protobuf.Int64Value"
            | "google.protobuf.UInt64Value" => CellType::Integer,
            "google.protobuf.FloatValue" | "google.protobuf.DoubleValue" => CellType::Float,
            "google.protobuf.BoolValue" => CellType::Boolean,
            _ => CellType::Json,
        },
    }
}

/// Renders a protox error. Its Debug form is `name:line:col: message` for parse and check
/// errors (protox's own `fmt_debug_parse` test pins that), where Display has only the message;
/// `path_of` turns the file's name into its path on disk when known, so the location is one
/// an editor opens.
fn compile_error(e: &protox::Error, path_of: impl Fn(&str) -> Option<PathBuf>) -> ProtoError {
    let mut text = format!("{e:?}");
    if let Some(name) = e.file()
        && let Some(rest) = text.strip_prefix(&format!("{name}:"))
        && let Some(path) = path_of(name)
    {
        text = format!("{}:{rest}", path.display());
    }
    ProtoError::Compile(text)
}

/// A file read from disk while compiling: its text for the registry, its path for errors.
struct Seen {
    text: String,
    path: PathBuf,
}

/// Resolves imports like protoc's -I (well-known types from protox first), remembering each
/// file it reads so that the caller can store the source and name paths in errors.
struct DiskResolver {
    google: GoogleFileResolver,
    dirs: Vec<(PathBuf, IncludeFileResolver)>,
    seen: Rc<RefCell<HashMap<String, Seen>>>,
}

impl DiskResolver {
    fn new(dirs: Vec<PathBuf>) -> DiskResolver {
        DiskResolver {
            google: GoogleFileResolver::new(),
            dirs: dirs
                .into_iter()
                .map(|d| (d.clone(), IncludeFileResolver::new(d)))
                .collect(),
            seen: Rc::default(),
        }
    }
}

impl FileResolver for DiskResolver {
    fn resolve_path(&self, path: &Path) -> Option<String> {
        self.dirs.iter().find_map(|(_, r)| r.resolve_path(path))
    }

    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        if let Ok(file) = self.google.open_file(name) {
            return Ok(file);
        }
        for (dir, resolver) in &self.dirs {
            let path = dir.join(name);
            match resolver.open_file(name) {
                Ok(file) => {
                    let text = file.source().unwrap_or_default().to_owned();
                    self.seen
                        .borrow_mut()
                        .insert(name.to_owned(), Seen { text, path });
                    return Ok(file);
                }
                Err(e) if e.is_file_not_found() => continue,
                Err(e) => {
                    // A parse error: keep the path so that the error can name it.
                    self.seen.borrow_mut().insert(
                        name.to_owned(),
                        Seen {
                            text: String::new(),
                            path,
                        },
                    );
                    return Err(e);
                }
            }
        }
        Err(protox::Error::file_not_found(name))
    }
}

/// Resolves imports from a registry's stored source (well-known types from protox).
struct MemoryResolver {
    google: GoogleFileResolver,
    files: HashMap<String, String>,
}

impl FileResolver for MemoryResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        if let Ok(file) = self.google.open_file(name) {
            return Ok(file);
        }
        match self.files.get(name) {
            Some(text) => File::from_source(name, text),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}
