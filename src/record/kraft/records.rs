//! The metadata records of the KRaft log that filka writes and reads, field for field as
//! Kafka's JSON specs (`metadata/src/main/resources/common/metadata/*.json`) define them, all
//! flexible at every version; the [`MetadataRecord`] enum over them; and the value framing
//! Kafka's `MetadataRecordSerde` puts around each one in a record of the metadata log
//! ([`ApiMessageAndVersion`]: frame version 1, api key and version as unsigned varints, then
//! the message).
//!
//! Every struct holds every field of its spec at its latest version; decoding an older
//! version leaves the fields it lacks at their spec defaults, and encoding at a version that
//! lacks a field refuses a non-default value ([`MessageError::NonDefault`]), as Kafka does.
//! `to_json` prints what `kafka-dump-log --cluster-metadata-decoder` prints after `payload: `.
//!
//! Pure functions on bytes; what the records mean (the metadata image) lives elsewhere.

use super::message::{
    JsonObject, Message, MessageError, RawTaggedField, Reader, TaggedFields, Uuid, Writer,
    ZERO_UUID,
};

/// The `metadata.version` whose record versions filka writes: 3.9-IV0 (feature level 21):
/// PartitionRecord and PartitionChangeRecord v1 (directories), RegisterBrokerRecord v3 (log
/// dirs), BrokerRegistrationChangeRecord v0 to v2 (by what it changes), no eligible leader
/// replicas.
pub const METADATA_VERSION_LEVEL: i16 = 21;
/// The name of [`METADATA_VERSION_LEVEL`].
pub const METADATA_VERSION_NAME: &str = "3.9-IV0";
/// The frame version of `MetadataRecordSerde` (0 was KRaft's 2.8 preview, refused).
pub const FRAME_VERSION: u32 = 1;

mod broker;
mod partition;

pub use broker::{
    BrokerRegistrationChangeRecord, Endpoint, Feature, RegisterBrokerRecord,
    RegisterControllerRecord,
};
pub use partition::{PartitionChangeRecord, PartitionRecord};

const FLEX: bool = true;

fn put_i32(w: &mut Writer, v: &i32) -> Result<(), MessageError> {
    w.i32(*v);
    Ok(())
}

fn put_uuid(w: &mut Writer, v: &Uuid) -> Result<(), MessageError> {
    w.uuid(v);
    Ok(())
}

fn not_valid(tag: u32, version: i16) -> MessageError {
    MessageError::TagNotValid {
        tag,
        version,
        pos: 0,
    }
}

/// The default of a field whose spec gives none: 0, false, "", the zero uuid.
trait Zero {
    fn zero() -> Self;
}

macro_rules! zero {
    ($($t:ty = $v:expr),*) => {$(
        impl Zero for $t {
            fn zero() -> Self {
                $v
            }
        }
    )*};
}
zero!(
    i8 = 0,
    i16 = 0,
    i32 = 0,
    i64 = 0,
    bool = false,
    String = String::new(),
    Uuid = ZERO_UUID
);

/// Defines a record of fixed fields only, no tagged fields of its own (version 0 only).
macro_rules! plain_record {
    (
        $(#[$doc:meta])*
        $name:ident = $kname:literal {
            $( $(#[$fdoc:meta])* $field:ident : $ty:ty = $json:literal, $read:ident, $write:ident; )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$fdoc])* pub $field: $ty, )*
            /// Tagged fields this version of filka does not know.
            pub unknown_tags: Vec<RawTaggedField>,
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    $( $field: Zero::zero(), )*
                    unknown_tags: Vec::new(),
                }
            }
        }

        impl Message for $name {
            const NAME: &'static str = $kname;
            const MAX_VERSION: i16 = 0;

            #[allow(unused_variables)]
            fn read(r: &mut Reader<'_>, _v: i16) -> Result<Self, MessageError> {
                Ok($name {
                    $( $field: plain_record!(@read r, $read, $json), )*
                    unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
                })
            }

            #[allow(unused_variables)]
            fn write(&self, w: &mut Writer, _v: i16) -> Result<(), MessageError> {
                $( plain_record!(@write w, $write, $json, &self.$field); )*
                TaggedFields::new().write(w, &self.unknown_tags, &[])
            }

            #[allow(unused_mut)]
            fn write_json(&self, out: &mut String, v: i16) {
                let mut o = JsonObject::new(out, v);
                $( o.field($json, &self.$field); )*
                o.end();
            }
        }
    };
    (@read $r:ident, string, $json:literal) => { $r.string(FLEX, $json)? };
    (@read $r:ident, nullable_string, $json:literal) => { $r.nullable_string(FLEX, $json)? };
    (@read $r:ident, $read:ident, $json:literal) => { $r.$read()? };
    (@write $w:ident, string, $json:literal, $v:expr) => { $w.string(FLEX, $json, $v)? };
    (@write $w:ident, nullable_string, $json:literal, $v:expr) => {
        $w.nullable_string(FLEX, $json, $v.as_deref())?
    };
    (@write $w:ident, uuid, $json:literal, $v:expr) => { $w.uuid($v) };
    (@write $w:ident, $write:ident, $json:literal, $v:expr) => { $w.$write(*$v) };
}

plain_record! {
    /// UnregisterBrokerRecord (api key 1): a broker's registration removed.
    UnregisterBrokerRecord = "UnregisterBrokerRecord" {
        /// The broker id.
        broker_id: i32 = "brokerId", i32, i32;
        /// The broker epoch.
        broker_epoch: i64 = "brokerEpoch", i64, i64;
    }
}

plain_record! {
    /// TopicRecord (api key 2): a topic created (its partitions follow as PartitionRecords).
    TopicRecord = "TopicRecord" {
        /// The topic name.
        name: String = "name", string, string;
        /// The topic id.
        topic_id: Uuid = "topicId", uuid, uuid;
    }
}

plain_record! {
    /// FenceBrokerRecord (api key 7): a broker fenced (removed from every ISR). Kafka 3.7+
    /// writes BrokerRegistrationChangeRecord instead; still read.
    FenceBrokerRecord = "FenceBrokerRecord" {
        /// The broker id.
        id: i32 = "id", i32, i32;
        /// Its broker epoch.
        epoch: i64 = "epoch", i64, i64;
    }
}

plain_record! {
    /// UnfenceBrokerRecord (api key 8): a broker unfenced (older form, still read).
    UnfenceBrokerRecord = "UnfenceBrokerRecord" {
        /// The broker id.
        id: i32 = "id", i32, i32;
        /// Its broker epoch.
        epoch: i64 = "epoch", i64, i64;
    }
}

plain_record! {
    /// RemoveTopicRecord (api key 9): a topic and all its partitions deleted.
    RemoveTopicRecord = "RemoveTopicRecord" {
        /// The topic id.
        topic_id: Uuid = "topicId", uuid, uuid;
    }
}

plain_record! {
    /// FeatureLevelRecord (api key 12): a finalized feature level (`metadata.version` first
    /// in every log and snapshot). Stays at version 0 for good.
    FeatureLevelRecord = "FeatureLevelRecord" {
        /// The feature name.
        name: String = "name", string, string;
        /// The level (0: the feature is off).
        feature_level: i16 = "featureLevel", i16, i16;
    }
}

plain_record! {
    /// ClearElrRecord (api key 28): the eligible leader replicas of a topic cleared (of every
    /// topic when the name is empty), e.g. when its min.insync.replicas changes.
    ClearElrRecord = "ClearElrRecord" {
        /// The topic name (empty: every topic).
        topic_name: String = "topicName", string, string;
    }
}

plain_record! {
    /// NoOpRecord (api key 20): written by the active controller to advance the committed
    /// offset.
    NoOpRecord = "NoOpRecord" {}
}

plain_record! {
    /// EndTransactionRecord (api key 24): the end of a metadata transaction.
    EndTransactionRecord = "EndTransactionRecord" {}
}

/// ConfigRecord (api key 4): a config set (or deleted, with a null value) for a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigRecord {
    /// The resource type (2 TOPIC, 4 BROKER, 8 BROKER_LOGGER, 16 CLIENT_METRICS, 32 GROUP).
    pub resource_type: i8,
    /// The resource name (a topic; a broker id; empty for the cluster's broker defaults).
    pub resource_name: String,
    /// The config key.
    pub name: String,
    /// The value, or null to delete it (default: the empty string, as Kafka's).
    pub value: Option<String>,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Default for ConfigRecord {
    fn default() -> Self {
        ConfigRecord {
            resource_type: 0,
            resource_name: String::new(),
            name: String::new(),
            value: Some(String::new()),
            unknown_tags: Vec::new(),
        }
    }
}

impl Message for ConfigRecord {
    const NAME: &'static str = "ConfigRecord";
    const MAX_VERSION: i16 = 0;

    fn read(r: &mut Reader<'_>, _v: i16) -> Result<Self, MessageError> {
        Ok(ConfigRecord {
            resource_type: r.i8()?,
            resource_name: r.string(FLEX, "resourceName")?,
            name: r.string(FLEX, "name")?,
            value: r.nullable_string(FLEX, "value")?,
            unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
        })
    }

    fn write(&self, w: &mut Writer, _v: i16) -> Result<(), MessageError> {
        w.i8(self.resource_type);
        w.string(FLEX, "resourceName", &self.resource_name)?;
        w.string(FLEX, "name", &self.name)?;
        w.nullable_string(FLEX, "value", self.value.as_deref())?;
        TaggedFields::new().write(w, &self.unknown_tags, &[])
    }

    fn write_json(&self, out: &mut String, v: i16) {
        JsonObject::new(out, v)
            .field("resourceType", &self.resource_type)
            .field("resourceName", &self.resource_name)
            .field("name", &self.name)
            .field("value", &self.value)
            .end();
    }
}

/// ProducerIdsRecord (api key 15): a block of producer ids handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerIdsRecord {
    /// The broker that asked.
    pub broker_id: i32,
    /// Its epoch (default -1).
    pub broker_epoch: i64,
    /// The first producer id of the next block.
    pub next_producer_id: i64,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Default for ProducerIdsRecord {
    fn default() -> Self {
        ProducerIdsRecord {
            broker_id: 0,
            broker_epoch: -1,
            next_producer_id: 0,
            unknown_tags: Vec::new(),
        }
    }
}

impl Message for ProducerIdsRecord {
    const NAME: &'static str = "ProducerIdsRecord";
    const MAX_VERSION: i16 = 0;

    fn read(r: &mut Reader<'_>, _v: i16) -> Result<Self, MessageError> {
        Ok(ProducerIdsRecord {
            broker_id: r.i32()?,
            broker_epoch: r.i64()?,
            next_producer_id: r.i64()?,
            unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
        })
    }

    fn write(&self, w: &mut Writer, _v: i16) -> Result<(), MessageError> {
        w.i32(self.broker_id);
        w.i64(self.broker_epoch);
        w.i64(self.next_producer_id);
        TaggedFields::new().write(w, &self.unknown_tags, &[])
    }

    fn write_json(&self, out: &mut String, v: i16) {
        JsonObject::new(out, v)
            .field("brokerId", &self.broker_id)
            .field("brokerEpoch", &self.broker_epoch)
            .field("nextProducerId", &self.next_producer_id)
            .end();
    }
}

/// BeginTransactionRecord (api key 23) and AbortTransactionRecord (api key 25): one nullable
/// tagged string (tag 0, default null).
macro_rules! txn_record {
    ($(#[$doc:meta])* $name:ident = $kname:literal, $field:ident, $json:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name {
            /// Tag 0: an optional description (default null).
            pub $field: Option<String>,
            /// Tagged fields this version of filka does not know.
            pub unknown_tags: Vec<RawTaggedField>,
        }

        impl Message for $name {
            const NAME: &'static str = $kname;
            const MAX_VERSION: i16 = 0;

            fn read(r: &mut Reader<'_>, _v: i16) -> Result<Self, MessageError> {
                let mut value = None;
                let unknown_tags = r.tagged_fields(|tag, r| {
                    if tag != 0 {
                        return Ok(false);
                    }
                    value = r.nullable_string(FLEX, $json)?;
                    Ok(true)
                })?;
                Ok($name {
                    $field: value,
                    unknown_tags,
                })
            }

            fn write(&self, w: &mut Writer, _v: i16) -> Result<(), MessageError> {
                let mut tags = TaggedFields::new();
                if let Some(s) = &self.$field {
                    tags.add(0, |w| w.string(FLEX, $json, s))?;
                }
                tags.write(w, &self.unknown_tags, &[0])
            }

            fn write_json(&self, out: &mut String, v: i16) {
                JsonObject::new(out, v)
                    .field_if(self.$field.is_some(), $json, &self.$field)
                    .end();
            }
        }
    };
}

txn_record! {
    /// BeginTransactionRecord (api key 23): the start of a metadata transaction (records up to
    /// the EndTransactionRecord apply together).
    BeginTransactionRecord = "BeginTransactionRecord", name, "name"
}

txn_record! {
    /// AbortTransactionRecord (api key 25): a metadata transaction abandoned.
    AbortTransactionRecord = "AbortTransactionRecord", reason, "reason"
}

/// Kafka's type name of a metadata record's api key (`MetadataRecordType`), for every key
/// Kafka 4.4 defines, including the ones filka does not decode.
pub fn kafka_type_name(api_key: i16) -> Option<&'static str> {
    Some(match api_key {
        0 => "REGISTER_BROKER_RECORD",
        1 => "UNREGISTER_BROKER_RECORD",
        2 => "TOPIC_RECORD",
        3 => "PARTITION_RECORD",
        4 => "CONFIG_RECORD",
        5 => "PARTITION_CHANGE_RECORD",
        7 => "FENCE_BROKER_RECORD",
        8 => "UNFENCE_BROKER_RECORD",
        9 => "REMOVE_TOPIC_RECORD",
        10 => "DELEGATION_TOKEN_RECORD",
        11 => "USER_SCRAM_CREDENTIAL_RECORD",
        12 => "FEATURE_LEVEL_RECORD",
        14 => "CLIENT_QUOTA_RECORD",
        15 => "PRODUCER_IDS_RECORD",
        17 => "BROKER_REGISTRATION_CHANGE_RECORD",
        18 => "ACCESS_CONTROL_ENTRY_RECORD",
        19 => "REMOVE_ACCESS_CONTROL_ENTRY_RECORD",
        20 => "NO_OP_RECORD",
        21 => "ZK_MIGRATION_STATE_RECORD",
        22 => "REMOVE_USER_SCRAM_CREDENTIAL_RECORD",
        23 => "BEGIN_TRANSACTION_RECORD",
        24 => "END_TRANSACTION_RECORD",
        25 => "ABORT_TRANSACTION_RECORD",
        26 => "REMOVE_DELEGATION_TOKEN_RECORD",
        27 => "REGISTER_CONTROLLER_RECORD",
        28 => "CLEAR_ELR_RECORD",
        29 => "UNREGISTER_CONTROLLER_RECORD",
        _ => return None,
    })
}

/// A metadata record's api key (its spec's `apiKey`).
pub trait MetadataMessage: Message {
    /// The api key.
    const API_KEY: i16;
}

macro_rules! metadata_records {
    ($($variant:ident($ty:ident) = $key:literal;)*) => {
        /// A metadata record: one of the types filka knows, or the bytes of one it does not.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum MetadataRecord {
            $(
                #[doc = concat!("A ", stringify!($ty), " (api key ", stringify!($key), ").")]
                $variant($ty),
            )*
            /// A record of an api key filka does not decode, or of a version newer than filka
            /// knows: kept as its message bytes (after the frame).
            Unknown {
                /// Its api key.
                api_key: i16,
                /// Its version.
                version: i16,
                /// The message bytes.
                bytes: Vec<u8>,
            },
        }

        $(
            impl MetadataMessage for $ty {
                const API_KEY: i16 = $key;
            }

            impl From<$ty> for MetadataRecord {
                fn from(m: $ty) -> MetadataRecord {
                    MetadataRecord::$variant(m)
                }
            }
        )*

        impl MetadataRecord {
            /// The api key.
            pub fn api_key(&self) -> i16 {
                match self {
                    $(MetadataRecord::$variant(_) => $key,)*
                    MetadataRecord::Unknown { api_key, .. } => *api_key,
                }
            }

            /// The highest version filka knows of the record's type (`None` if unknown).
            pub fn max_version(api_key: i16) -> Option<i16> {
                match api_key {
                    $($key => Some(<$ty as Message>::MAX_VERSION),)*
                    _ => None,
                }
            }

            /// Decodes the message bytes (after the frame) of `api_key` at `version`: an
            /// [`MetadataRecord::Unknown`] for a type or version filka does not know.
            pub fn decode(api_key: i16, version: i16, bytes: &[u8]) -> Result<Self, MessageError> {
                match api_key {
                    $($key if (0..=<$ty as Message>::MAX_VERSION).contains(&version) => {
                        Ok(MetadataRecord::$variant(<$ty as Message>::decode(bytes, version)?))
                    })*
                    _ => Ok(MetadataRecord::Unknown {
                        api_key,
                        version,
                        bytes: bytes.to_vec(),
                    }),
                }
            }

            /// Appends the message bytes at `version` (an unknown record: its bytes; its own
            /// version is what the frame carries).
            pub fn write(&self, w: &mut Writer, version: i16) -> Result<(), MessageError> {
                match self {
                    $(MetadataRecord::$variant(m) => {
                        <$ty as Message>::check_version(version)?;
                        m.write(w, version)
                    })*
                    MetadataRecord::Unknown { bytes, .. } => {
                        w.bytes(bytes);
                        Ok(())
                    }
                }
            }

            /// The message as Kafka's JSON converter renders it at `version` (`None` for an
            /// unknown record).
            pub fn data_json(&self, version: i16) -> Option<String> {
                match self {
                    $(MetadataRecord::$variant(m) => Some(m.to_json(version)),)*
                    MetadataRecord::Unknown { .. } => None,
                }
            }
        }
    };
}

metadata_records! {
    RegisterBroker(RegisterBrokerRecord) = 0;
    UnregisterBroker(UnregisterBrokerRecord) = 1;
    Topic(TopicRecord) = 2;
    Partition(PartitionRecord) = 3;
    Config(ConfigRecord) = 4;
    PartitionChange(PartitionChangeRecord) = 5;
    FenceBroker(FenceBrokerRecord) = 7;
    UnfenceBroker(UnfenceBrokerRecord) = 8;
    RemoveTopic(RemoveTopicRecord) = 9;
    FeatureLevel(FeatureLevelRecord) = 12;
    ProducerIds(ProducerIdsRecord) = 15;
    BrokerRegistrationChange(BrokerRegistrationChangeRecord) = 17;
    NoOp(NoOpRecord) = 20;
    BeginTransaction(BeginTransactionRecord) = 23;
    EndTransaction(EndTransactionRecord) = 24;
    AbortTransaction(AbortTransactionRecord) = 25;
    RegisterController(RegisterControllerRecord) = 27;
    ClearElr(ClearElrRecord) = 28;
}

impl MetadataRecord {
    /// Kafka's type name (`REGISTER_BROKER_RECORD`...), `None` for an api key Kafka 4.4 does
    /// not define.
    pub fn type_name(&self) -> Option<&'static str> {
        kafka_type_name(self.api_key())
    }

    /// The version filka writes the record at, Kafka's at [`METADATA_VERSION_NAME`]. A
    /// BrokerRegistrationChangeRecord's depends on what it changes, as in Kafka's controller:
    /// 0 to fence or unfence, 1 for a controlled shutdown, 2 for log directories.
    pub fn filka_version(&self) -> i16 {
        match self {
            MetadataRecord::RegisterBroker(_) => 3,
            MetadataRecord::Partition(_) | MetadataRecord::PartitionChange(_) => 1,
            MetadataRecord::BrokerRegistrationChange(m) => {
                if !m.log_dirs.is_empty() || m.cordoned_log_dirs.is_some() {
                    2
                } else if m.in_controlled_shutdown != 0 {
                    1
                } else {
                    0
                }
            }
            MetadataRecord::Unknown { version, .. } => *version,
            _ => 0,
        }
    }
}

/// A metadata record and its version, framed as Kafka's `MetadataRecordSerde` frames the
/// value of each record of the metadata log: unsigned varints of the frame version (1), the
/// api key and the version, then the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiMessageAndVersion {
    /// The record.
    pub record: MetadataRecord,
    /// Its version (for [`MetadataRecord::Unknown`], the same as its own).
    pub version: i16,
}

impl ApiMessageAndVersion {
    /// `record` at `version`.
    pub fn new(record: impl Into<MetadataRecord>, version: i16) -> Self {
        ApiMessageAndVersion {
            record: record.into(),
            version,
        }
    }

    /// `record` at the version filka writes it ([`MetadataRecord::filka_version`]).
    pub fn filka(record: impl Into<MetadataRecord>) -> Self {
        let record = record.into();
        let version = record.filka_version();
        ApiMessageAndVersion { record, version }
    }

    /// The framed value bytes.
    pub fn encode(&self) -> Result<Vec<u8>, MessageError> {
        let mut w = Writer::new();
        let version = match &self.record {
            MetadataRecord::Unknown { version, .. } => *version,
            _ => self.version,
        };
        w.unsigned_varint(FRAME_VERSION);
        w.unsigned_varint(self.record.api_key() as u16 as u32);
        w.unsigned_varint(version as u16 as u32);
        self.record.write(&mut w, version)?;
        Ok(w.into_bytes())
    }

    /// Decodes a framed value, all of it.
    pub fn decode(value: &[u8]) -> Result<Self, MessageError> {
        let mut r = Reader::new(value);
        let frame = r.unsigned_varint()?;
        if frame != FRAME_VERSION {
            return Err(MessageError::BadFrame {
                what: "frame version",
                value: frame,
            });
        }
        let mut short = |what| {
            let v = r.unsigned_varint()?;
            i16::try_from(v).map_err(|_| MessageError::BadFrame { what, value: v })
        };
        let api_key = short("type")?;
        let version = short("version")?;
        let start = r.position();
        let record = MetadataRecord::decode(api_key, version, &value[start..]).map_err(|e| {
            // Positions in the message are made positions in the value.
            e.shifted(start)
        })?;
        Ok(ApiMessageAndVersion { record, version })
    }

    /// The record as `kafka-dump-log --cluster-metadata-decoder` prints it after `payload: `:
    /// `{"type":"TOPIC_RECORD","version":0,"data":{...}}`. `None` for an unknown record.
    pub fn to_json(&self) -> Option<String> {
        let data = self.record.data_json(self.version)?;
        let name = self.record.type_name()?;
        Some(format!(
            "{{\"type\":\"{name}\",\"version\":{},\"data\":{data}}}",
            self.version
        ))
    }

    /// Why [`ApiMessageAndVersion::to_json`] has nothing to print, in Kafka's words where
    /// filka knows them (`None` when it has).
    pub fn undecoded_reason(&self) -> Option<String> {
        if self.to_json().is_some() {
            return None;
        }
        Some(match &self.record {
            MetadataRecord::Unknown {
                api_key,
                version,
                bytes,
            } => match kafka_type_name(*api_key) {
                None => format!(
                    "org.apache.kafka.common.errors.UnsupportedVersionException: Unknown \
                     metadata id {api_key}"
                ),
                Some(name) => format!(
                    "filka does not decode {name} version {version} ({} bytes)",
                    bytes.len()
                ),
            },
            _ => "no JSON for this record".to_string(),
        })
    }

    /// What `kafka-dump-log --cluster-metadata-decoder` prints after `payload: ` for this
    /// record at `offset`: its JSON, or `Error at OFFSET, skipping. <why>`.
    pub fn to_dump(&self, offset: i64) -> String {
        match self.to_json() {
            Some(json) => json,
            None => dump_error(offset, &self.undecoded_reason().unwrap_or_default()),
        }
    }
}

/// kafka-dump-log's payload for a metadata record it cannot print: `Error at OFFSET,
/// skipping. <why>`.
pub fn dump_error(offset: i64, why: &str) -> String {
    format!("Error at {offset}, skipping. {why}")
}

/// What `kafka-dump-log --cluster-metadata-decoder` prints after `payload: ` for the value of
/// the metadata log's record at `offset`: the JSON of [`ApiMessageAndVersion::to_json`], or
/// for a value filka cannot decode a line in Kafka's form (`Error at OFFSET, skipping. ...`),
/// with Kafka's words where filka knows them.
pub fn dump_payload(offset: i64, value: &[u8]) -> String {
    match ApiMessageAndVersion::decode(value) {
        Ok(m) => m.to_dump(offset),
        Err(e) => dump_error(offset, &e.to_string()),
    }
}

#[cfg(test)]
mod tests;
