//! The local schema registry: Confluent Schema Registry's model (subjects, versions, global
//! schema ids, compatibility modes) kept in one file of the cluster directory,
//! `schemas/registry.json`, instead of a server.
//!
//! - A schema gets one id for its content (type, text and references): registering the same
//!   schema under another subject gives the same id, registering it again under the same
//!   subject gives the existing version. Ids start at 1, as Confluent's do.
//! - Each subject has versions 1, 2, ... and a compatibility mode (or the registry's default,
//!   BACKWARD). A new version is refused when it breaks the mode against the latest version
//!   (or every version, for the `_TRANSITIVE` modes).
//! - A Protobuf schema is its `.proto` text; each file it imports is registered under its
//!   own subject, named by its import path, and referenced (`name`, `subject`, `version`), as
//!   Confluent's serializers register references.
//!
//! The bytes live in a [`Store`] the caller hands over: the cluster keeps them in
//! `schemas/registry.json`, written under `locks/schemas.lock` (cli/registry_store.rs), so
//! this module is pure and knows nothing of clusters or locks. A change re-reads the stored
//! state under the store's lock, changes it and stores it whole.
//!
//! Owns: the registry's state, ids, versions, modes, the compatibility rule. Must not: frame
//! or encode values (format::serializer does), touch files itself, or print.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::avro::{self, AvroSchema};
use super::protobuf::{self, ProtoFile, ProtoSchema, ProtoSource};

/// Where the registry's state is kept, as bytes (JSON): a file of the cluster directory,
/// or memory in tests.
pub trait Store: fmt::Debug + Send + Sync {
    /// Where the state is, for messages (a file's path).
    fn location(&self) -> &Path;
    /// The stored bytes; `None` when nothing was stored yet.
    fn read(&self) -> std::io::Result<Option<Vec<u8>>>;
    /// Holding the writers' lock: reads the stored bytes, calls `change` with them and
    /// stores what it returns, if anything (all at once: a reader sees the old bytes or the
    /// new, never a mix).
    fn update(
        &self,
        change: &mut dyn FnMut(Option<Vec<u8>>) -> Result<Option<Vec<u8>>, RegistryError>,
    ) -> Result<(), RegistryError>;
}

/// A [`Store`] in memory (tests, and tools that want a throwaway registry).
#[derive(Debug, Default)]
pub struct MemoryStore(std::sync::Mutex<Option<Vec<u8>>>);

impl Store for MemoryStore {
    fn location(&self) -> &Path {
        Path::new("(memory)")
    }
    fn read(&self) -> std::io::Result<Option<Vec<u8>>> {
        Ok(self.0.lock().map_err(|_| poisoned())?.clone())
    }
    fn update(
        &self,
        change: &mut dyn FnMut(Option<Vec<u8>>) -> Result<Option<Vec<u8>>, RegistryError>,
    ) -> Result<(), RegistryError> {
        let mut held = self.0.lock().map_err(|_| RegistryError::Io {
            path: self.location().to_path_buf(),
            source: poisoned(),
        })?;
        if let Some(new) = change(held.clone())? {
            *held = Some(new);
        }
        Ok(())
    }
}

fn poisoned() -> std::io::Error {
    std::io::Error::other("a writer panicked while holding the registry")
}

/// The schema languages the registry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SchemaType {
    /// Apache Avro (`.avsc`).
    Avro,
    /// Protocol Buffers (`.proto`).
    Protobuf,
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SchemaType::Avro => "AVRO",
            SchemaType::Protobuf => "PROTOBUF",
        })
    }
}

/// A subject's compatibility mode, with Confluent's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Compatibility {
    /// Any change is accepted.
    None,
    /// The new schema reads data written with the latest one (the default).
    #[default]
    Backward,
    /// The new schema reads data written with every earlier one.
    BackwardTransitive,
    /// The latest schema reads data written with the new one.
    Forward,
    /// Every earlier schema reads data written with the new one.
    ForwardTransitive,
    /// Backward and forward against the latest.
    Full,
    /// Backward and forward against every earlier one.
    FullTransitive,
}

impl Compatibility {
    /// Every mode, for help texts and errors.
    pub const ALL: [Compatibility; 7] = [
        Compatibility::None,
        Compatibility::Backward,
        Compatibility::BackwardTransitive,
        Compatibility::Forward,
        Compatibility::ForwardTransitive,
        Compatibility::Full,
        Compatibility::FullTransitive,
    ];

    /// Confluent's name (`BACKWARD_TRANSITIVE`).
    pub fn name(self) -> &'static str {
        match self {
            Compatibility::None => "NONE",
            Compatibility::Backward => "BACKWARD",
            Compatibility::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Compatibility::Forward => "FORWARD",
            Compatibility::ForwardTransitive => "FORWARD_TRANSITIVE",
            Compatibility::Full => "FULL",
            Compatibility::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    fn backward(self) -> bool {
        matches!(
            self,
            Compatibility::Backward
                | Compatibility::BackwardTransitive
                | Compatibility::Full
                | Compatibility::FullTransitive
        )
    }

    fn forward(self) -> bool {
        matches!(
            self,
            Compatibility::Forward
                | Compatibility::ForwardTransitive
                | Compatibility::Full
                | Compatibility::FullTransitive
        )
    }

    /// Whether a new version is checked against every earlier one (else the latest only).
    pub fn transitive(self) -> bool {
        matches!(
            self,
            Compatibility::BackwardTransitive
                | Compatibility::ForwardTransitive
                | Compatibility::FullTransitive
        )
    }
}

impl fmt::Display for Compatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Compatibility {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_uppercase().replace('-', "_");
        Compatibility::ALL
            .into_iter()
            .find(|m| m.name() == wanted)
            .ok_or_else(|| {
                let names: Vec<_> = Compatibility::ALL.iter().map(|m| m.name()).collect();
                format!("unknown compatibility {s:?} (one of {})", names.join(", "))
            })
    }
}

/// A reference from a Protobuf schema to a file it imports, registered as its own subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The import path, as the `import` statement spells it.
    pub name: String,
    /// The subject holding that file.
    pub subject: String,
    /// Its version.
    pub version: u32,
}

/// One schema, as stored under its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredSchema {
    /// AVRO or PROTOBUF.
    pub schema_type: SchemaType,
    /// The schema text (Avro JSON, or the `.proto` source).
    pub schema: String,
    /// Files a Protobuf schema imports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
}

/// One version of a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// 1, 2, ...
    pub version: u32,
    /// The schema's id.
    pub id: u32,
}

/// A subject: its versions, oldest first, and its own mode if it has one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The subject's own mode; `None` follows the registry's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility: Option<Compatibility>,
    /// Versions, oldest first.
    #[serde(default)]
    pub versions: Vec<Version>,
}

/// What `schemas/registry.json` holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    /// The default mode of subjects without their own.
    #[serde(default)]
    compatibility: Compatibility,
    /// Schemas by id.
    #[serde(default)]
    schemas: BTreeMap<u32, StoredSchema>,
    /// Subjects by name.
    #[serde(default)]
    subjects: BTreeMap<String, Subject>,
}

/// A schema to register: parsed already, so a broken file is refused before the lock.
#[derive(Debug, Clone)]
pub enum Candidate {
    /// An Avro schema.
    Avro(AvroSchema),
    /// A `.proto` file with the files it imports.
    Protobuf(ProtoSource),
}

/// A schema from the registry, parsed.
#[derive(Debug, Clone)]
pub enum Parsed {
    /// An Avro schema.
    Avro(AvroSchema),
    /// A compiled `.proto` file; the message is its first one (pick others by index path).
    Protobuf(ProtoSchema),
}

/// The outcome of a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registered {
    /// The schema's id.
    pub id: u32,
    /// Its version in the subject.
    pub version: u32,
    /// False when the subject already had this schema (nothing was written).
    pub created: bool,
}

/// Why the registry refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The registry file could not be read or written.
    #[error("schema registry {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The registry file is not what filka writes.
    #[error("schema registry {path} is damaged: {reason}")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// No such subject.
    #[error("subject {0:?} is not registered (see `filka schema list`)")]
    UnknownSubject(String),
    /// No such version of a subject.
    #[error("subject {subject:?} has no version {version} (it has {have})")]
    UnknownVersion {
        /// The subject.
        subject: String,
        /// The version asked for.
        version: u32,
        /// What it has, e.g. `1-3`.
        have: String,
    },
    /// No schema with that id.
    #[error("schema id {0} is not in the local registry")]
    UnknownId(u32),
    /// The new schema breaks the subject's mode.
    #[error(
        "schema is not {mode} compatible with version {version} of subject {subject:?}: {reason}"
    )]
    Incompatible {
        /// The subject.
        subject: String,
        /// Its mode.
        mode: Compatibility,
        /// The version it was checked against.
        version: u32,
        /// Why.
        reason: String,
    },
    /// A stored schema no longer parses (edited by hand?).
    #[error("schema id {id}: {reason}")]
    Unparsable {
        /// The id.
        id: u32,
        /// Why.
        reason: String,
    },
}

/// A local registry, as read when opened.
#[derive(Debug, Clone)]
pub struct Registry {
    store: Arc<dyn Store>,
    state: State,
}

impl Registry {
    /// Reads the registry kept in `store` (empty when it holds nothing yet).
    pub fn open(store: Arc<dyn Store>) -> Result<Registry, RegistryError> {
        let state = read_state(store.as_ref())?;
        Ok(Registry { store, state })
    }

    /// Where the registry's state is kept (for messages).
    pub fn location(&self) -> &Path {
        self.store.location()
    }

    /// Subjects in name order.
    pub fn subjects(&self) -> impl Iterator<Item = (&str, &Subject)> {
        self.state.subjects.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The schema with id `id`.
    pub fn schema(&self, id: u32) -> Result<&StoredSchema, RegistryError> {
        self.state
            .schemas
            .get(&id)
            .ok_or(RegistryError::UnknownId(id))
    }

    /// Version `version` of `subject` (the latest when `None`).
    pub fn version(&self, subject: &str, version: Option<u32>) -> Result<Version, RegistryError> {
        let s = self
            .state
            .subjects
            .get(subject)
            .filter(|s| !s.versions.is_empty())
            .ok_or_else(|| RegistryError::UnknownSubject(subject.to_string()))?;
        match version {
            None => s
                .versions
                .last()
                .copied()
                .ok_or_else(|| RegistryError::UnknownSubject(subject.to_string())),
            Some(v) => s.versions.iter().find(|x| x.version == v).copied().ok_or(
                RegistryError::UnknownVersion {
                    subject: subject.to_string(),
                    version: v,
                    have: version_range(&s.versions),
                },
            ),
        }
    }

    /// The mode that applies to `subject` (the registry's default for `None` or a subject
    /// without its own).
    pub fn compatibility(&self, subject: Option<&str>) -> Compatibility {
        subject
            .and_then(|s| self.state.subjects.get(s))
            .and_then(|s| s.compatibility)
            .unwrap_or(self.state.compatibility)
    }

    /// The subjects and versions that hold schema `id`.
    pub fn subjects_of(&self, id: u32) -> Vec<(&str, u32)> {
        self.subjects()
            .flat_map(|(name, s)| {
                s.versions
                    .iter()
                    .filter(move |v| v.id == id)
                    .map(move |v| (name, v.version))
            })
            .collect()
    }

    /// Parses schema `id`, resolving a Protobuf schema's references; `message` picks a
    /// Protobuf message type (by default the file's first).
    pub fn parse(&self, id: u32, message: Option<&str>) -> Result<Parsed, RegistryError> {
        let stored = self.schema(id)?;
        let unparsable = |reason: String| RegistryError::Unparsable { id, reason };
        match stored.schema_type {
            SchemaType::Avro => AvroSchema::parse(&stored.schema)
                .map(Parsed::Avro)
                .map_err(|e| unparsable(e.to_string())),
            SchemaType::Protobuf => {
                let source = self.proto_source(id)?;
                ProtoSchema::from_source(&source, message)
                    .map(Parsed::Protobuf)
                    .map_err(|e| unparsable(e.to_string()))
            }
        }
    }

    /// A Protobuf schema's file and every file it references, transitively, dependencies
    /// first.
    fn proto_source(&self, id: u32) -> Result<ProtoSource, RegistryError> {
        let stored = self.schema(id)?;
        let mut dependencies = Vec::new();
        self.collect_references(&stored.references, &mut dependencies, 0)?;
        Ok(ProtoSource {
            name: format!("schema-{id}.proto"),
            text: stored.schema.clone(),
            dependencies,
        })
    }

    fn collect_references(
        &self,
        refs: &[Reference],
        out: &mut Vec<ProtoFile>,
        depth: usize,
    ) -> Result<(), RegistryError> {
        // References form a DAG of files; a cycle (only possible in a hand-edited file) must
        // not recurse forever.
        if depth > 64 {
            return Err(RegistryError::Damaged {
                path: self.store.location().to_path_buf(),
                reason: "references nest deeper than 64 (a cycle?)".into(),
            });
        }
        for r in refs {
            if out.iter().any(|f| f.name == r.name) {
                continue;
            }
            let v = self.version(&r.subject, Some(r.version))?;
            let stored = self.schema(v.id)?;
            self.collect_references(&stored.references, out, depth + 1)?;
            out.push(ProtoFile {
                name: r.name.clone(),
                text: stored.schema.clone(),
            });
        }
        Ok(())
    }

    /// Registers `candidate` under `subject` (checked against the subject's mode) and returns
    /// its id and version. Re-registering a schema the subject has is not a change.
    pub fn register(
        &mut self,
        subject: &str,
        candidate: &Candidate,
    ) -> Result<Registered, RegistryError> {
        let mut registered = None;
        self.change(&mut |r| {
            let done = r.register_locked(subject, candidate)?;
            registered = Some(done);
            Ok(done.created)
        })?;
        registered.ok_or_else(|| RegistryError::Damaged {
            path: self.store.location().to_path_buf(),
            reason: "the store did not run the registration".into(),
        })
    }

    /// Under the store's lock: re-reads the state, applies `change` to it and stores it
    /// when `change` says it changed something. On an error nothing is stored and the
    /// state in hand is the one read.
    fn change(
        &mut self,
        change: &mut dyn FnMut(&mut Registry) -> Result<bool, RegistryError>,
    ) -> Result<(), RegistryError> {
        let store = Arc::clone(&self.store);
        let location = store.location().to_path_buf();
        store.update(&mut |bytes| {
            self.state = parse_state(&location, bytes)?;
            let read = self.state.clone();
            match change(self) {
                Ok(false) => Ok(None),
                Ok(true) => Ok(Some(state_bytes(&location, &self.state)?)),
                Err(e) => {
                    self.state = read;
                    Err(e)
                }
            }
        })
    }

    fn register_locked(
        &mut self,
        subject: &str,
        candidate: &Candidate,
    ) -> Result<Registered, RegistryError> {
        let stored = match candidate {
            Candidate::Avro(schema) => StoredSchema {
                schema_type: SchemaType::Avro,
                schema: schema.text().to_string(),
                references: Vec::new(),
            },
            Candidate::Protobuf(source) => {
                // Each imported file first, under its import path, so the references exist.
                let mut all = Vec::new();
                for (i, dep) in source.dependencies.iter().enumerate() {
                    let dep_source = ProtoSource {
                        name: dep.name.clone(),
                        text: dep.text.clone(),
                        // Dependencies come dependencies-first: what this one imports is
                        // among those before it.
                        dependencies: source.dependencies[..i].to_vec(),
                    };
                    let r = self.register_locked(&dep.name, &Candidate::Protobuf(dep_source))?;
                    all.push(Reference {
                        name: dep.name.clone(),
                        subject: dep.name.clone(),
                        version: r.version,
                    });
                }
                StoredSchema {
                    schema_type: SchemaType::Protobuf,
                    schema: source.text.clone(),
                    references: direct_imports(&source.text, all),
                }
            }
        };
        let existing_id = self
            .state
            .schemas
            .iter()
            .find(|(_, s)| same_schema(s, &stored))
            .map(|(&id, _)| id);
        if let Some(id) = existing_id
            && let Some(v) = self
                .state
                .subjects
                .get(subject)
                .and_then(|s| s.versions.iter().find(|v| v.id == id))
        {
            return Ok(Registered {
                id,
                version: v.version,
                created: false,
            });
        }
        self.check_compatible(subject, candidate)?;
        let id = existing_id.unwrap_or_else(|| self.next_id());
        self.state.schemas.entry(id).or_insert(stored);
        let s = self.state.subjects.entry(subject.to_string()).or_default();
        let version = s.versions.last().map_or(1, |v| v.version + 1);
        s.versions.push(Version { version, id });
        Ok(Registered {
            id,
            version,
            created: true,
        })
    }

    fn next_id(&self) -> u32 {
        self.state.schemas.keys().next_back().map_or(1, |id| id + 1)
    }

    /// Refuses `candidate` when it breaks `subject`'s mode.
    fn check_compatible(&self, subject: &str, candidate: &Candidate) -> Result<(), RegistryError> {
        let mode = self.compatibility(Some(subject));
        if mode == Compatibility::None {
            return Ok(());
        }
        let Some(s) = self.state.subjects.get(subject) else {
            return Ok(());
        };
        let against: Vec<Version> = if mode.transitive() {
            s.versions.iter().rev().copied().collect()
        } else {
            s.versions.last().copied().into_iter().collect()
        };
        let new = match candidate {
            Candidate::Avro(a) => Parsed::Avro(a.clone()),
            Candidate::Protobuf(src) => {
                Parsed::Protobuf(ProtoSchema::from_source(src, None).map_err(|e| {
                    RegistryError::Unparsable {
                        id: 0,
                        reason: e.to_string(),
                    }
                })?)
            }
        };
        for v in against {
            let old = self.parse(v.id, None)?;
            let incompatible = |reason: String| RegistryError::Incompatible {
                subject: subject.to_string(),
                mode,
                version: v.version,
                reason,
            };
            let mut problems = Vec::new();
            if mode.backward()
                && let Err(e) = can_read(&new, &old)
            {
                problems.push(format!("the new schema cannot read old data: {e}"));
            }
            if mode.forward()
                && let Err(e) = can_read(&old, &new)
            {
                problems.push(format!("the old schema cannot read new data: {e}"));
            }
            if !problems.is_empty() {
                return Err(incompatible(problems.join("; ")));
            }
        }
        Ok(())
    }

    /// Sets the mode of `subject`, or the registry's default for `None`.
    pub fn set_compatibility(
        &mut self,
        subject: Option<&str>,
        mode: Compatibility,
    ) -> Result<(), RegistryError> {
        self.change(&mut |r| {
            match subject {
                None => r.state.compatibility = mode,
                Some(s) => {
                    r.state
                        .subjects
                        .entry(s.to_string())
                        .or_default()
                        .compatibility = Some(mode);
                }
            }
            Ok(true)
        })
    }
}

/// The state as stored: pretty JSON and a final newline, for people who look at the file.
fn state_bytes(location: &Path, state: &State) -> Result<Vec<u8>, RegistryError> {
    let mut json = serde_json::to_vec_pretty(state).map_err(|e| RegistryError::Io {
        path: location.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    json.push(b'\n');
    Ok(json)
}

/// Can `reader` read what `writer` wrote? Different languages never can.
fn can_read(reader: &Parsed, writer: &Parsed) -> Result<(), String> {
    match (reader, writer) {
        (Parsed::Avro(r), Parsed::Avro(w)) => avro::can_read(r, w),
        (Parsed::Protobuf(r), Parsed::Protobuf(w)) => protobuf::can_read(r, w),
        _ => Err("the schema type differs (AVRO vs PROTOBUF)".into()),
    }
}

/// Two stored schemas are the same schema: same language and references, and the same text
/// (for Avro, the same JSON once whitespace is ignored).
fn same_schema(a: &StoredSchema, b: &StoredSchema) -> bool {
    if a.schema_type != b.schema_type || a.references != b.references {
        return false;
    }
    match a.schema_type {
        SchemaType::Avro => {
            let norm = |t: &str| serde_json::from_str::<serde_json::Value>(t).ok();
            match (norm(&a.schema), norm(&b.schema)) {
                (Some(x), Some(y)) => x == y,
                _ => a.schema == b.schema,
            }
        }
        SchemaType::Protobuf => a.schema.trim() == b.schema.trim(),
    }
}

/// The references a `.proto` text imports itself (its `import "name";` statements spell
/// each name quoted), out of all the files it needs. When the scan recognises none, all of
/// them: one reference too many still compiles, one too few does not.
fn direct_imports(text: &str, all: Vec<Reference>) -> Vec<Reference> {
    let direct: Vec<Reference> = all
        .iter()
        .filter(|r| text.contains(&format!("\"{}\"", r.name)))
        .cloned()
        .collect();
    if direct.is_empty() { all } else { direct }
}

/// `1-3`, or `1, 3` after deletions.
fn version_range(versions: &[Version]) -> String {
    let list: Vec<String> = versions.iter().map(|v| v.version.to_string()).collect();
    match (versions.first(), versions.last()) {
        (Some(a), Some(b)) if (b.version - a.version) as usize + 1 == versions.len() => {
            format!("versions {}-{}", a.version, b.version)
        }
        _ => format!("versions {}", list.join(", ")),
    }
}

fn read_state(store: &dyn Store) -> Result<State, RegistryError> {
    let bytes = store.read().map_err(|source| RegistryError::Io {
        path: store.location().to_path_buf(),
        source,
    })?;
    parse_state(store.location(), bytes)
}

fn parse_state(location: &Path, bytes: Option<Vec<u8>>) -> Result<State, RegistryError> {
    match bytes {
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| RegistryError::Damaged {
            path: location.to_path_buf(),
            reason: e.to_string(),
        }),
        None => Ok(State::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn avro(text: &str) -> Candidate {
        Candidate::Avro(AvroSchema::parse(text).unwrap())
    }

    const V1: &str = r#"{"type":"record","name":"T","fields":[{"name":"a","type":"int"}]}"#;
    /// Adds a field without a default: not BACKWARD compatible with V1.
    const V2: &str = r#"{"type":"record","name":"T","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}"#;

    /// The registry works on any store: it keeps no file of its own.
    #[test]
    fn registers_into_the_store_it_is_given_and_a_refusal_stores_nothing() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
        let mut r = Registry::open(Arc::clone(&store)).unwrap();
        let first = r.register("t-value", &avro(V1)).unwrap();
        assert_eq!((first.id, first.version, first.created), (1, 1, true));
        let stored = store.read().unwrap().unwrap();

        let err = r.register("t-value", &avro(V2)).unwrap_err();
        assert!(matches!(err, RegistryError::Incompatible { .. }), "{err}");
        assert_eq!(
            store.read().unwrap().unwrap(),
            stored,
            "a refusal stores nothing"
        );
        // Another registry on the same store sees what the first stored.
        let again = Registry::open(store).unwrap();
        assert_eq!(again.version("t-value", None).unwrap().id, 1);
        assert!(again.version("t-value", Some(2)).is_err());
    }
}
