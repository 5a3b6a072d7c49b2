//! KRaft's control records: the records of control batches (attributes bit 5) in the metadata
//! log and its snapshots, beside the transaction markers of [`crate::record::control`].
//!
//! A control record's key is Kafka's `ControlRecordTypeSchema` prefixed by its version: int16
//! version (0), int16 type. Its value is a message of the type's spec, written at the type's
//! current version (0 for all in Kafka 4.4: `ControlRecordUtils.*_CURRENT_VERSION`), and each
//! message repeats a version of its own in its first field, `Version`, which is what
//! `kafka-dump-log` renders it at. Types: LEADER_CHANGE (2, [`LeaderChangeMessage`], the first
//! record of every new leader epoch), SNAPSHOT_HEADER (3) and SNAPSHOT_FOOTER (4) around a
//! snapshot's records, KRAFT_VERSION (5) and KRAFT_VOTERS (6) for dynamic quorums (KIP-853).
//!
//! Pure functions on bytes; building the batch is the caller's ([`crate::record::BatchBuilder`]
//! with `control: true`).

use super::message::{
    JsonObject, Message, MessageError, RawTaggedField, Reader, TaggedFields, ToJson, Uuid, Writer,
    ZERO_UUID, absent,
};

const FLEX: bool = true;

/// The version of the control record key Kafka writes.
pub const CONTROL_KEY_VERSION: i16 = 0;
/// The version Kafka writes and reads every KRaft control record value at
/// (`ControlRecordUtils.LEADER_CHANGE_CURRENT_VERSION` and its siblings).
pub const CONTROL_VALUE_VERSION: i16 = 0;

/// The type of a control record (Kafka's `ControlRecordType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlRecordType {
    /// A transaction abort marker (0).
    Abort,
    /// A transaction commit marker (1).
    Commit,
    /// A new leader and its epoch (2).
    LeaderChange,
    /// The first record of a snapshot (3).
    SnapshotHeader,
    /// The last record of a snapshot (4).
    SnapshotFooter,
    /// The `kraft.version` in force (5).
    KRaftVersion,
    /// The voter set (6).
    KRaftVoters,
    /// A type Kafka 4.4 does not know (its id).
    Unknown(i16),
}

impl ControlRecordType {
    /// The type's id.
    pub fn id(self) -> i16 {
        match self {
            ControlRecordType::Abort => 0,
            ControlRecordType::Commit => 1,
            ControlRecordType::LeaderChange => 2,
            ControlRecordType::SnapshotHeader => 3,
            ControlRecordType::SnapshotFooter => 4,
            ControlRecordType::KRaftVersion => 5,
            ControlRecordType::KRaftVoters => 6,
            ControlRecordType::Unknown(id) => id,
        }
    }

    /// The type of an id.
    pub fn from_id(id: i16) -> ControlRecordType {
        match id {
            0 => ControlRecordType::Abort,
            1 => ControlRecordType::Commit,
            2 => ControlRecordType::LeaderChange,
            3 => ControlRecordType::SnapshotHeader,
            4 => ControlRecordType::SnapshotFooter,
            5 => ControlRecordType::KRaftVersion,
            6 => ControlRecordType::KRaftVoters,
            id => ControlRecordType::Unknown(id),
        }
    }

    /// Kafka's name (`LEADER_CHANGE`...; `UNKNOWN` for the others).
    pub fn name(self) -> &'static str {
        match self {
            ControlRecordType::Abort => "ABORT",
            ControlRecordType::Commit => "COMMIT",
            ControlRecordType::LeaderChange => "LEADER_CHANGE",
            ControlRecordType::SnapshotHeader => "SNAPSHOT_HEADER",
            ControlRecordType::SnapshotFooter => "SNAPSHOT_FOOTER",
            ControlRecordType::KRaftVersion => "KRAFT_VERSION",
            ControlRecordType::KRaftVoters => "KRAFT_VOTERS",
            ControlRecordType::Unknown(_) => "UNKNOWN",
        }
    }

    /// The record key: int16 version 0, int16 type.
    pub fn key(self) -> [u8; 4] {
        let [v0, v1] = CONTROL_KEY_VERSION.to_be_bytes();
        let [t0, t1] = self.id().to_be_bytes();
        [v0, v1, t0, t1]
    }

    /// Reads a record key as Kafka's `ControlRecordType.parseTypeId` does: a negative key
    /// version is an error, a newer one is read as version 0 (its type comes next), bytes
    /// after the type are ignored.
    pub fn parse_key(key: &[u8]) -> Result<ControlRecordType, MessageError> {
        let mut r = Reader::new(key);
        let version = r.i16()?;
        if version < 0 {
            return Err(MessageError::UnsupportedVersion {
                message: "ControlRecordTypeSchema",
                version,
                max: 0,
            });
        }
        Ok(ControlRecordType::from_id(r.i16()?))
    }
}

/// A voter of a [`LeaderChangeMessage`] (its common struct `Voter`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voter {
    /// The voter's node id.
    pub voter_id: i32,
    /// v1+: the voter's metadata log directory id (default zero).
    pub voter_directory_id: Uuid,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Voter {
    /// A voter of id `voter_id` (no directory id).
    pub fn new(voter_id: i32) -> Voter {
        Voter {
            voter_id,
            voter_directory_id: ZERO_UUID,
            unknown_tags: Vec::new(),
        }
    }

    fn read(r: &mut Reader<'_>, v: i16) -> Result<Self, MessageError> {
        let mut m = Voter::new(r.i32()?);
        if v >= 1 {
            m.voter_directory_id = r.uuid()?;
        }
        m.unknown_tags = r.tagged_fields(|_, _| Ok(false))?;
        Ok(m)
    }

    fn write(&self, w: &mut Writer, v: i16) -> Result<(), MessageError> {
        w.i32(self.voter_id);
        if v >= 1 {
            w.uuid(&self.voter_directory_id);
        } else {
            absent("voterDirectoryId", &self.voter_directory_id, &ZERO_UUID, v)?;
        }
        TaggedFields::new().write(w, &self.unknown_tags, &[])
    }
}

impl ToJson for Voter {
    fn write_json(&self, out: &mut String, v: i16) {
        let mut o = JsonObject::new(out, v);
        o.field("voterId", &self.voter_id);
        if v >= 1 {
            o.field("voterDirectoryId", &self.voter_directory_id);
        }
        o.end();
    }
}

/// LeaderChangeMessage (versions 0-1): the value of a LEADER_CHANGE control record. v1 adds
/// the voters' directory ids.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LeaderChangeMessage {
    /// The version field (Kafka writes 0).
    pub version: i16,
    /// The new leader.
    pub leader_id: i32,
    /// The voters of the quorum in this epoch.
    pub voters: Vec<Voter>,
    /// The voters that voted for the leader.
    pub granting_voters: Vec<Voter>,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Message for LeaderChangeMessage {
    const NAME: &'static str = "LeaderChangeMessage";
    const MAX_VERSION: i16 = 1;

    fn read(r: &mut Reader<'_>, v: i16) -> Result<Self, MessageError> {
        Ok(LeaderChangeMessage {
            version: r.i16()?,
            leader_id: r.i32()?,
            voters: r.array_of(FLEX, "voters", |r| Voter::read(r, v))?,
            granting_voters: r.array_of(FLEX, "grantingVoters", |r| Voter::read(r, v))?,
            unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
        })
    }

    fn write(&self, w: &mut Writer, v: i16) -> Result<(), MessageError> {
        w.i16(self.version);
        w.i32(self.leader_id);
        w.array_of(FLEX, "voters", &self.voters, |w, e| e.write(w, v))?;
        w.array_of(FLEX, "grantingVoters", &self.granting_voters, |w, e| {
            e.write(w, v)
        })?;
        TaggedFields::new().write(w, &self.unknown_tags, &[])
    }

    fn write_json(&self, out: &mut String, v: i16) {
        JsonObject::new(out, v)
            .field("version", &self.version)
            .field("leaderId", &self.leader_id)
            .field("voters", &self.voters)
            .field("grantingVoters", &self.granting_voters)
            .end();
    }
}

/// SnapshotHeaderRecord: the value of a SNAPSHOT_HEADER control record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SnapshotHeaderRecord {
    /// The version field (Kafka writes 0).
    pub version: i16,
    /// The append time of the last log record the snapshot contains.
    pub last_contained_log_timestamp: i64,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Message for SnapshotHeaderRecord {
    const NAME: &'static str = "SnapshotHeaderRecord";
    const MAX_VERSION: i16 = 0;

    fn read(r: &mut Reader<'_>, _v: i16) -> Result<Self, MessageError> {
        Ok(SnapshotHeaderRecord {
            version: r.i16()?,
            last_contained_log_timestamp: r.i64()?,
            unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
        })
    }

    fn write(&self, w: &mut Writer, _v: i16) -> Result<(), MessageError> {
        w.i16(self.version);
        w.i64(self.last_contained_log_timestamp);
        TaggedFields::new().write(w, &self.unknown_tags, &[])
    }

    fn write_json(&self, out: &mut String, v: i16) {
        JsonObject::new(out, v)
            .field("version", &self.version)
            .field(
                "lastContainedLogTimestamp",
                &self.last_contained_log_timestamp,
            )
            .end();
    }
}

/// SnapshotFooterRecord: the value of a SNAPSHOT_FOOTER control record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SnapshotFooterRecord {
    /// The version field (Kafka writes 0).
    pub version: i16,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Message for SnapshotFooterRecord {
    const NAME: &'static str = "SnapshotFooterRecord";
    const MAX_VERSION: i16 = 0;

    fn read(r: &mut Reader<'_>, _v: i16) -> Result<Self, MessageError> {
        Ok(SnapshotFooterRecord {
            version: r.i16()?,
            unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
        })
    }

    fn write(&self, w: &mut Writer, _v: i16) -> Result<(), MessageError> {
        w.i16(self.version);
        TaggedFields::new().write(w, &self.unknown_tags, &[])
    }

    fn write_json(&self, out: &mut String, v: i16) {
        JsonObject::new(out, v)
            .field("version", &self.version)
            .end();
    }
}

/// KRaftVersionRecord: the value of a KRAFT_VERSION control record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KRaftVersionRecord {
    /// The version field (Kafka writes 0).
    pub version: i16,
    /// The `kraft.version` (0 static voters, 1 dynamic).
    pub kraft_version: i16,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Message for KRaftVersionRecord {
    const NAME: &'static str = "KRaftVersionRecord";
    const MAX_VERSION: i16 = 0;

    fn read(r: &mut Reader<'_>, _v: i16) -> Result<Self, MessageError> {
        Ok(KRaftVersionRecord {
            version: r.i16()?,
            kraft_version: r.i16()?,
            unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
        })
    }

    fn write(&self, w: &mut Writer, _v: i16) -> Result<(), MessageError> {
        w.i16(self.version);
        w.i16(self.kraft_version);
        TaggedFields::new().write(w, &self.unknown_tags, &[])
    }

    fn write_json(&self, out: &mut String, v: i16) {
        // Kafka's camelCase of "KRaftVersion" lowers only the first letter.
        JsonObject::new(out, v)
            .field("version", &self.version)
            .field("kRaftVersion", &self.kraft_version)
            .end();
    }
}

/// A listener of a voter ([`VotersRecord`]'s `Endpoint`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VoterEndpoint {
    /// The listener name.
    pub name: String,
    /// The host name.
    pub host: String,
    /// The port.
    pub port: u16,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl ToJson for VoterEndpoint {
    fn write_json(&self, out: &mut String, v: i16) {
        JsonObject::new(out, v)
            .field("name", &self.name)
            .field("host", &self.host)
            .field("port", &self.port)
            .end();
    }
}

/// The `kraft.version` range a voter supports ([`VotersRecord`]'s `KRaftVersionFeature`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KRaftVersionFeature {
    /// The lowest supported version.
    pub min_supported_version: i16,
    /// The highest supported version.
    pub max_supported_version: i16,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl ToJson for KRaftVersionFeature {
    fn write_json(&self, out: &mut String, v: i16) {
        JsonObject::new(out, v)
            .field("minSupportedVersion", &self.min_supported_version)
            .field("maxSupportedVersion", &self.max_supported_version)
            .end();
    }
}

/// A voter of a [`VotersRecord`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VotersRecordVoter {
    /// The voter's node id.
    pub voter_id: i32,
    /// Its metadata log directory id.
    pub voter_directory_id: Uuid,
    /// Its listeners.
    pub endpoints: Vec<VoterEndpoint>,
    /// The `kraft.version` range it supports.
    pub kraft_version_feature: KRaftVersionFeature,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl VotersRecordVoter {
    fn read(r: &mut Reader<'_>) -> Result<Self, MessageError> {
        Ok(VotersRecordVoter {
            voter_id: r.i32()?,
            voter_directory_id: r.uuid()?,
            endpoints: r.array_of(FLEX, "endpoints", |r| {
                Ok(VoterEndpoint {
                    name: r.string(FLEX, "name")?,
                    host: r.string(FLEX, "host")?,
                    port: r.u16()?,
                    unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
                })
            })?,
            kraft_version_feature: KRaftVersionFeature {
                min_supported_version: r.i16()?,
                max_supported_version: r.i16()?,
                unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
            },
            unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
        })
    }

    fn write(&self, w: &mut Writer) -> Result<(), MessageError> {
        w.i32(self.voter_id);
        w.uuid(&self.voter_directory_id);
        w.array_of(FLEX, "endpoints", &self.endpoints, |w, e| {
            w.string(FLEX, "name", &e.name)?;
            w.string(FLEX, "host", &e.host)?;
            w.u16(e.port);
            TaggedFields::new().write(w, &e.unknown_tags, &[])
        })?;
        let f = &self.kraft_version_feature;
        w.i16(f.min_supported_version);
        w.i16(f.max_supported_version);
        TaggedFields::new().write(w, &f.unknown_tags, &[])?;
        TaggedFields::new().write(w, &self.unknown_tags, &[])
    }
}

impl ToJson for VotersRecordVoter {
    fn write_json(&self, out: &mut String, v: i16) {
        // As for KRaftVersionRecord: "KRaftVersionFeature" becomes "kRaftVersionFeature".
        JsonObject::new(out, v)
            .field("voterId", &self.voter_id)
            .field("voterDirectoryId", &self.voter_directory_id)
            .field("endpoints", &self.endpoints)
            .field("kRaftVersionFeature", &self.kraft_version_feature)
            .end();
    }
}

/// VotersRecord: the value of a KRAFT_VOTERS control record, the voter set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VotersRecord {
    /// The version field (Kafka writes 0).
    pub version: i16,
    /// The voters.
    pub voters: Vec<VotersRecordVoter>,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Message for VotersRecord {
    const NAME: &'static str = "VotersRecord";
    const MAX_VERSION: i16 = 0;

    fn read(r: &mut Reader<'_>, _v: i16) -> Result<Self, MessageError> {
        Ok(VotersRecord {
            version: r.i16()?,
            voters: r.array_of(FLEX, "voters", VotersRecordVoter::read)?,
            unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
        })
    }

    fn write(&self, w: &mut Writer, _v: i16) -> Result<(), MessageError> {
        w.i16(self.version);
        w.array_of(FLEX, "voters", &self.voters, |w, e| e.write(w))?;
        TaggedFields::new().write(w, &self.unknown_tags, &[])
    }

    fn write_json(&self, out: &mut String, v: i16) {
        JsonObject::new(out, v)
            .field("version", &self.version)
            .field("voters", &self.voters)
            .end();
    }
}

/// A KRaft control record (the transaction markers ABORT and COMMIT are
/// [`crate::record::control`]'s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlRecord {
    /// LEADER_CHANGE.
    LeaderChange(LeaderChangeMessage),
    /// SNAPSHOT_HEADER.
    SnapshotHeader(SnapshotHeaderRecord),
    /// SNAPSHOT_FOOTER.
    SnapshotFooter(SnapshotFooterRecord),
    /// KRAFT_VERSION.
    KRaftVersion(KRaftVersionRecord),
    /// KRAFT_VOTERS.
    KRaftVoters(VotersRecord),
}

impl ControlRecord {
    /// The record's type.
    pub fn control_type(&self) -> ControlRecordType {
        match self {
            ControlRecord::LeaderChange(_) => ControlRecordType::LeaderChange,
            ControlRecord::SnapshotHeader(_) => ControlRecordType::SnapshotHeader,
            ControlRecord::SnapshotFooter(_) => ControlRecordType::SnapshotFooter,
            ControlRecord::KRaftVersion(_) => ControlRecordType::KRaftVersion,
            ControlRecord::KRaftVoters(_) => ControlRecordType::KRaftVoters,
        }
    }

    /// The record key.
    pub fn key(&self) -> [u8; 4] {
        self.control_type().key()
    }

    /// The record value, at [`CONTROL_VALUE_VERSION`] as Kafka writes it.
    pub fn value(&self) -> Result<Vec<u8>, MessageError> {
        let v = CONTROL_VALUE_VERSION;
        match self {
            ControlRecord::LeaderChange(m) => m.encode(v),
            ControlRecord::SnapshotHeader(m) => m.encode(v),
            ControlRecord::SnapshotFooter(m) => m.encode(v),
            ControlRecord::KRaftVersion(m) => m.encode(v),
            ControlRecord::KRaftVoters(m) => m.encode(v),
        }
    }

    /// Decodes a control record's key and value (read at [`CONTROL_VALUE_VERSION`], as Kafka
    /// reads them). `Ok(None)` for a transaction marker or a type Kafka does not know.
    pub fn decode(key: &[u8], value: &[u8]) -> Result<Option<ControlRecord>, MessageError> {
        let v = CONTROL_VALUE_VERSION;
        Ok(Some(match ControlRecordType::parse_key(key)? {
            ControlRecordType::LeaderChange => {
                ControlRecord::LeaderChange(LeaderChangeMessage::decode(value, v)?)
            }
            ControlRecordType::SnapshotHeader => {
                ControlRecord::SnapshotHeader(SnapshotHeaderRecord::decode(value, v)?)
            }
            ControlRecordType::SnapshotFooter => {
                ControlRecord::SnapshotFooter(SnapshotFooterRecord::decode(value, v)?)
            }
            ControlRecordType::KRaftVersion => {
                ControlRecord::KRaftVersion(KRaftVersionRecord::decode(value, v)?)
            }
            ControlRecordType::KRaftVoters => {
                ControlRecord::KRaftVoters(VotersRecord::decode(value, v)?)
            }
            ControlRecordType::Abort
            | ControlRecordType::Commit
            | ControlRecordType::Unknown(_) => return Ok(None),
        }))
    }

    /// The record as `kafka-dump-log` prints it after a control record's metadata (without
    /// the leading space): `LeaderChange: {...}`, `SnapshotHeader {...}`, `SnapshotFooter
    /// {...}`, `KRaftVersion {...}`, `KRaftVoters {...}`, each message rendered at its own
    /// version field.
    pub fn to_dump(&self) -> String {
        let label = match self {
            ControlRecord::LeaderChange(_) => "LeaderChange:",
            ControlRecord::SnapshotHeader(_) => "SnapshotHeader",
            ControlRecord::SnapshotFooter(_) => "SnapshotFooter",
            ControlRecord::KRaftVersion(_) => "KRaftVersion",
            ControlRecord::KRaftVoters(_) => "KRaftVoters",
        };
        format!("{label} {}", self.to_json())
    }

    /// The message as Kafka's JSON converter renders it at its own version field (what
    /// [`ControlRecord::to_dump`] prints after the label).
    pub fn to_json(&self) -> String {
        match self {
            ControlRecord::LeaderChange(m) => m.to_json(m.version),
            ControlRecord::SnapshotHeader(m) => m.to_json(m.version),
            ControlRecord::SnapshotFooter(m) => m.to_json(m.version),
            ControlRecord::KRaftVersion(m) => m.to_json(m.version),
            ControlRecord::KRaftVoters(m) => m.to_json(m.version),
        }
    }
}

/// What `kafka-dump-log` prints after a control record's metadata (without the leading
/// space), for any control record: the KRaft ones as [`ControlRecord::to_dump`], transaction
/// markers as `endTxnMarker: COMMIT coordinatorEpoch: N`, other types as `controlType:
/// UNKNOWN(N)`. A record that cannot be decoded gives filka's description of why (Kafka's
/// tool stops there with a stack trace).
pub fn dump_control_record(key: Option<&[u8]>, value: Option<&[u8]>) -> String {
    let Some(key) = key else {
        return "control record without a key".to_string();
    };
    let t = match ControlRecordType::parse_key(key) {
        Ok(t) => t,
        Err(e) => return format!("control record key: {e}"),
    };
    match t {
        ControlRecordType::Abort | ControlRecordType::Commit => {
            match crate::record::control::end_txn_marker(Some(key), value) {
                Some(m) => format!(
                    "endTxnMarker: {} coordinatorEpoch: {}",
                    m.kind.name(),
                    m.coordinator_epoch
                ),
                None => format!("{} marker with a malformed value", t.name()),
            }
        }
        ControlRecordType::Unknown(id) => format!("controlType: UNKNOWN({id})"),
        _ => match ControlRecord::decode(key, value.unwrap_or_default()) {
            Ok(Some(r)) => r.to_dump(),
            Ok(None) => format!("controlType: {}({})", t.name(), t.id()),
            Err(e) => format!("{} control record: {e}", t.name()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::message::hex;
    use super::*;

    fn leader_change(version: i16) -> LeaderChangeMessage {
        let mut v = Voter::new(102);
        if version >= 1 {
            v.voter_directory_id = Uuid([9; 16]);
        }
        LeaderChangeMessage {
            version,
            leader_id: 101,
            voters: vec![Voter::new(101), v],
            granting_voters: vec![Voter::new(101)],
            unknown_tags: Vec::new(),
        }
    }

    fn voters() -> VotersRecord {
        VotersRecord {
            version: 0,
            voters: vec![VotersRecordVoter {
                voter_id: 101,
                voter_directory_id: Uuid([1; 16]),
                endpoints: vec![VoterEndpoint {
                    name: "CONTROLLER".into(),
                    host: "127.0.0.1".into(),
                    port: 9093,
                    unknown_tags: Vec::new(),
                }],
                kraft_version_feature: KRaftVersionFeature {
                    min_supported_version: 0,
                    max_supported_version: 1,
                    unknown_tags: Vec::new(),
                },
                unknown_tags: Vec::new(),
            }],
            unknown_tags: Vec::new(),
        }
    }

    /// Every KRaft control record type, as the table of the Kafka comparison test uses.
    pub(crate) fn samples() -> Vec<ControlRecord> {
        vec![
            ControlRecord::LeaderChange(leader_change(0)),
            ControlRecord::SnapshotHeader(SnapshotHeaderRecord {
                version: 0,
                last_contained_log_timestamp: 1_796_520_702_196,
                unknown_tags: Vec::new(),
            }),
            ControlRecord::SnapshotFooter(SnapshotFooterRecord {
                version: 0,
                unknown_tags: Vec::new(),
            }),
            ControlRecord::KRaftVersion(KRaftVersionRecord {
                version: 0,
                kraft_version: 1,
                unknown_tags: Vec::new(),
            }),
            ControlRecord::KRaftVoters(voters()),
        ]
    }

    #[test]
    fn keys_are_version_0_and_kafkas_type_ids() {
        assert_eq!(ControlRecordType::LeaderChange.key(), [0, 0, 0, 2]);
        assert_eq!(ControlRecordType::KRaftVoters.key(), [0, 0, 0, 6]);
        for id in -1..10 {
            let t = ControlRecordType::from_id(id);
            assert_eq!(t.id(), id);
            assert_eq!(ControlRecordType::parse_key(&t.key()).unwrap(), t);
        }
        // A newer key version is read as version 0; a negative one or a short key is refused.
        assert_eq!(
            ControlRecordType::parse_key(&[0, 1, 0, 3, 0xff]).unwrap(),
            ControlRecordType::SnapshotHeader
        );
        assert!(ControlRecordType::parse_key(&[0xff, 0xff, 0, 3]).is_err());
        assert!(ControlRecordType::parse_key(&[0, 0, 0]).is_err());
    }

    /// The bytes and dump line of the LEADER_CHANGE record at offset 0 of a real Kafka 4.4
    /// metadata log (one node, id 101), and its bootstrap snapshot's header and footer.
    #[test]
    fn kafkas_own_control_records() {
        let value = [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x65, 0x02, 0x00, 0x00, 0x00, 0x65, 0x00, 0x02, 0x00,
            0x00, 0x00, 0x65, 0x00, 0x00,
        ];
        let r = ControlRecord::decode(&[0, 0, 0, 2], &value)
            .unwrap()
            .unwrap();
        assert_eq!(
            r.to_dump(),
            r#"LeaderChange: {"version":0,"leaderId":101,"voters":[{"voterId":101}],"grantingVoters":[{"voterId":101}]}"#
        );
        assert_eq!(r.value().unwrap(), value);
        let header = SnapshotHeaderRecord {
            version: 0,
            last_contained_log_timestamp: 1_796_520_702_196,
            unknown_tags: Vec::new(),
        };
        let bytes = header.encode(0).unwrap();
        assert_eq!(bytes.len(), 11);
        assert_eq!(
            dump_control_record(Some(&[0, 0, 0, 3]), Some(&bytes)),
            r#"SnapshotHeader {"version":0,"lastContainedLogTimestamp":1796520702196}"#
        );
        assert_eq!(
            dump_control_record(Some(&[0, 0, 0, 4]), Some(&[0, 0, 0])),
            r#"SnapshotFooter {"version":0}"#
        );
    }

    #[test]
    fn every_type_round_trips() {
        for r in samples() {
            let value = r.value().unwrap();
            let back = ControlRecord::decode(&r.key(), &value).unwrap().unwrap();
            assert_eq!(back, r);
            assert_eq!(back.value().unwrap(), value);
        }
        for version in 0..=1 {
            let m = leader_change(version);
            let bytes = m.encode(version).unwrap();
            assert_eq!(LeaderChangeMessage::decode(&bytes, version).unwrap(), m);
        }
        // A directory id cannot be written at v0.
        assert!(matches!(
            leader_change(1).encode(0),
            Err(MessageError::NonDefault {
                field: "voterDirectoryId",
                version: 0
            })
        ));
    }

    #[test]
    fn voters_record_bytes_and_json() {
        let v = voters();
        let bytes = v.encode(0).unwrap();
        assert_eq!(
            hex(&bytes),
            "0000".to_string()
                + "02"
                + "00000065"
                + &"01".repeat(16)
                + "02"
                + "0b434f4e54524f4c4c4552"
                + "0a3132372e302e302e31"
                + "2385"
                + "00"
                + "00000001"
                + "00"
                + "00"
                + "00"
        );
        assert_eq!(
            ControlRecord::KRaftVoters(v).to_dump(),
            r#"KRaftVoters {"version":0,"voters":[{"voterId":101,"voterDirectoryId":"AQEBAQEBAQEBAQEBAQEBAQ","endpoints":[{"name":"CONTROLLER","host":"127.0.0.1","port":9093}],"kRaftVersionFeature":{"minSupportedVersion":0,"maxSupportedVersion":1}}]}"#
        );
    }

    #[test]
    fn other_control_records_dump_as_kafka() {
        assert_eq!(
            dump_control_record(Some(&[0, 0, 0, 1]), Some(&[0, 0, 0, 0, 0, 5])),
            "endTxnMarker: COMMIT coordinatorEpoch: 5"
        );
        assert_eq!(
            dump_control_record(Some(&[0, 0, 0, 9]), None),
            "controlType: UNKNOWN(9)"
        );
        assert_eq!(ControlRecord::decode(&[0, 0, 0, 0], &[]).unwrap(), None);
    }

    #[test]
    fn hostile_values_are_errors() {
        for r in samples() {
            let value = r.value().unwrap();
            for cut in 0..value.len() {
                assert!(ControlRecord::decode(&r.key(), &value[..cut]).is_err());
            }
            let mut long = value.clone();
            long.push(0);
            assert!(matches!(
                ControlRecord::decode(&r.key(), &long),
                Err(MessageError::Trailing { .. })
            ));
        }
        // Voters claiming 2^31 elements.
        let bad = [0, 0, 0, 0, 0, 0x65, 0xff, 0xff, 0xff, 0xff, 0x07];
        assert!(ControlRecord::decode(&[0, 0, 0, 2], &bad).is_err());
        assert!(dump_control_record(Some(&[0, 0, 0, 2]), Some(&bad)).starts_with("LEADER_CHANGE"));
    }
}
