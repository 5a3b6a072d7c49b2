//! The records of brokers and controllers: registrations (RegisterBrokerRecord,
//! RegisterControllerRecord, with their endpoints and features) and changes to a registered
//! broker (BrokerRegistrationChangeRecord).

use super::super::message::{
    JsonObject, Message, MessageError, RawTaggedField, Reader, TaggedFields, ToJson, Uuid, Writer,
    ZERO_UUID, absent,
};
use super::{FLEX, not_valid, put_uuid};

/// Implements [`ToJson`] for sub-structs through their `json` method.
macro_rules! json_via {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn write_json(&self, out: &mut String, version: i16) {
                self.json(out, version);
            }
        }
    )*};
}

/// A listener of a broker or controller (`BrokerEndpoint` of RegisterBrokerRecord,
/// `ControllerEndpoint` of RegisterControllerRecord: the same fields).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Endpoint {
    /// The listener name (`PLAINTEXT`, `CONTROLLER`...).
    pub name: String,
    /// The host name.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The security protocol id (0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT, 3 SASL_SSL).
    pub security_protocol: i16,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Endpoint {
    fn read(r: &mut Reader<'_>) -> Result<Self, MessageError> {
        Ok(Endpoint {
            name: r.string(FLEX, "name")?,
            host: r.string(FLEX, "host")?,
            port: r.u16()?,
            security_protocol: r.i16()?,
            unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
        })
    }

    fn write(&self, w: &mut Writer) -> Result<(), MessageError> {
        w.string(FLEX, "name", &self.name)?;
        w.string(FLEX, "host", &self.host)?;
        w.u16(self.port);
        w.i16(self.security_protocol);
        TaggedFields::new().write(w, &self.unknown_tags, &[])
    }

    fn json(&self, out: &mut String, version: i16) {
        JsonObject::new(out, version)
            .field("name", &self.name)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("securityProtocol", &self.security_protocol)
            .end();
    }
}

/// A feature's supported range (`BrokerFeature`, `ControllerFeature`: the same fields).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Feature {
    /// The feature name (`metadata.version`, `kraft.version`...).
    pub name: String,
    /// The lowest supported level.
    pub min_supported_version: i16,
    /// The highest supported level.
    pub max_supported_version: i16,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Feature {
    fn read(r: &mut Reader<'_>) -> Result<Self, MessageError> {
        Ok(Feature {
            name: r.string(FLEX, "name")?,
            min_supported_version: r.i16()?,
            max_supported_version: r.i16()?,
            unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
        })
    }

    fn write(&self, w: &mut Writer) -> Result<(), MessageError> {
        w.string(FLEX, "name", &self.name)?;
        w.i16(self.min_supported_version);
        w.i16(self.max_supported_version);
        TaggedFields::new().write(w, &self.unknown_tags, &[])
    }

    fn json(&self, out: &mut String, version: i16) {
        JsonObject::new(out, version)
            .field("name", &self.name)
            .field("minSupportedVersion", &self.min_supported_version)
            .field("maxSupportedVersion", &self.max_supported_version)
            .end();
    }
}

json_via!(Endpoint, Feature);

fn read_endpoints(r: &mut Reader<'_>) -> Result<Vec<Endpoint>, MessageError> {
    r.array_of(FLEX, "endPoints", Endpoint::read)
}

fn write_endpoints(w: &mut Writer, v: &[Endpoint]) -> Result<(), MessageError> {
    w.array_of(FLEX, "endPoints", v, |w, e| e.write(w))
}

fn read_features(r: &mut Reader<'_>) -> Result<Vec<Feature>, MessageError> {
    r.array_of(FLEX, "features", Feature::read)
}

fn write_features(w: &mut Writer, v: &[Feature]) -> Result<(), MessageError> {
    w.array_of(FLEX, "features", v, |w, e| e.write(w))
}

/// RegisterBrokerRecord (api key 0, versions 0-4): a broker registered (or registered again
/// with a new epoch). v1 adds InControlledShutdown, v2 IsMigratingZkBroker, v3 LogDirs
/// (tag 0), v4 CordonedLogDirs (tag 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterBrokerRecord {
    /// The broker id.
    pub broker_id: i32,
    /// v2+: a ZooKeeper broker in migration mode (default false).
    pub is_migrating_zk_broker: bool,
    /// The incarnation id of the broker process.
    pub incarnation_id: Uuid,
    /// The broker epoch the controller assigned (the record's offset).
    pub broker_epoch: i64,
    /// Its listeners.
    pub end_points: Vec<Endpoint>,
    /// Its supported features.
    pub features: Vec<Feature>,
    /// Its rack, or null.
    pub rack: Option<String>,
    /// Fenced (default true).
    pub fenced: bool,
    /// v1+: in controlled shutdown (default false).
    pub in_controlled_shutdown: bool,
    /// v3+, tag 0: the ids of its online log directories (default empty).
    pub log_dirs: Vec<Uuid>,
    /// v4+, tag 1: its cordoned log directories, or null before it reports them (default).
    pub cordoned_log_dirs: Option<Vec<Uuid>>,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Default for RegisterBrokerRecord {
    fn default() -> Self {
        RegisterBrokerRecord {
            broker_id: 0,
            is_migrating_zk_broker: false,
            incarnation_id: ZERO_UUID,
            broker_epoch: 0,
            end_points: Vec::new(),
            features: Vec::new(),
            rack: Some(String::new()),
            fenced: true,
            in_controlled_shutdown: false,
            log_dirs: Vec::new(),
            cordoned_log_dirs: None,
            unknown_tags: Vec::new(),
        }
    }
}

impl Message for RegisterBrokerRecord {
    const NAME: &'static str = "RegisterBrokerRecord";
    const MAX_VERSION: i16 = 4;

    fn read(r: &mut Reader<'_>, v: i16) -> Result<Self, MessageError> {
        let mut m = Self {
            broker_id: r.i32()?,
            ..Self::default()
        };
        if v >= 2 {
            m.is_migrating_zk_broker = r.bool()?;
        }
        m.incarnation_id = r.uuid()?;
        m.broker_epoch = r.i64()?;
        m.end_points = read_endpoints(r)?;
        m.features = read_features(r)?;
        m.rack = r.nullable_string(FLEX, "rack")?;
        m.fenced = r.bool()?;
        if v >= 1 {
            m.in_controlled_shutdown = r.bool()?;
        }
        let unknown = r.tagged_fields(|tag, r| {
            match tag {
                0 if v >= 3 => m.log_dirs = r.array_of(FLEX, "logDirs", Reader::uuid)?,
                1 if v >= 4 => {
                    m.cordoned_log_dirs = r.nullable_array(FLEX, "cordonedLogDirs", Reader::uuid)?
                }
                0 | 1 => return Err(not_valid(tag, v)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        m.unknown_tags = unknown;
        Ok(m)
    }

    fn write(&self, w: &mut Writer, v: i16) -> Result<(), MessageError> {
        w.i32(self.broker_id);
        if v >= 2 {
            w.bool(self.is_migrating_zk_broker);
        } else {
            absent(
                "isMigratingZkBroker",
                &self.is_migrating_zk_broker,
                &false,
                v,
            )?;
        }
        w.uuid(&self.incarnation_id);
        w.i64(self.broker_epoch);
        write_endpoints(w, &self.end_points)?;
        write_features(w, &self.features)?;
        w.nullable_string(FLEX, "rack", self.rack.as_deref())?;
        w.bool(self.fenced);
        if v >= 1 {
            w.bool(self.in_controlled_shutdown);
        } else {
            absent(
                "inControlledShutdown",
                &self.in_controlled_shutdown,
                &false,
                v,
            )?;
        }
        let mut tags = TaggedFields::new();
        if v >= 3 {
            if !self.log_dirs.is_empty() {
                tags.add(0, |w| w.array_of(FLEX, "logDirs", &self.log_dirs, put_uuid))?;
            }
        } else {
            absent("logDirs", &self.log_dirs.is_empty(), &true, v)?;
        }
        if v >= 4 {
            if let Some(c) = &self.cordoned_log_dirs {
                tags.add(1, |w| w.array_of(FLEX, "cordonedLogDirs", c, put_uuid))?;
            }
        } else {
            absent("cordonedLogDirs", &self.cordoned_log_dirs, &None, v)?;
        }
        tags.write(w, &self.unknown_tags, &[0, 1])
    }

    fn write_json(&self, out: &mut String, v: i16) {
        let mut o = JsonObject::new(out, v);
        o.field("brokerId", &self.broker_id);
        if v >= 2 {
            o.field("isMigratingZkBroker", &self.is_migrating_zk_broker);
        }
        o.field("incarnationId", &self.incarnation_id)
            .field("brokerEpoch", &self.broker_epoch)
            .field("endPoints", &self.end_points)
            .field("features", &self.features)
            .field("rack", &self.rack)
            .field("fenced", &self.fenced);
        if v >= 1 {
            o.field("inControlledShutdown", &self.in_controlled_shutdown);
        }
        if v >= 3 {
            o.field_if(!self.log_dirs.is_empty(), "logDirs", &self.log_dirs);
        }
        if v >= 4 {
            o.field_if(
                self.cordoned_log_dirs.is_some(),
                "cordonedLogDirs",
                &self.cordoned_log_dirs,
            );
        }
        o.end();
    }
}

/// BrokerRegistrationChangeRecord (api key 17, versions 0-3): a change to a registered
/// broker; every field but the ids is tagged. v1 adds InControlledShutdown (tag 1), v2
/// LogDirs (tag 2), v3 CordonedLogDirs (tag 3).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BrokerRegistrationChangeRecord {
    /// The broker id.
    pub broker_id: i32,
    /// Its broker epoch.
    pub broker_epoch: i64,
    /// Tag 0: -1 unfenced, 0 no change (default), 1 fenced.
    pub fenced: i8,
    /// v1+, tag 1: 0 no change (default), 1 in controlled shutdown.
    pub in_controlled_shutdown: i8,
    /// v2+, tag 2: its online log directories (default empty: no change).
    pub log_dirs: Vec<Uuid>,
    /// v3+, tag 3: its cordoned log directories, or null if unchanged (default).
    pub cordoned_log_dirs: Option<Vec<Uuid>>,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Message for BrokerRegistrationChangeRecord {
    const NAME: &'static str = "BrokerRegistrationChangeRecord";
    const MAX_VERSION: i16 = 3;

    fn read(r: &mut Reader<'_>, v: i16) -> Result<Self, MessageError> {
        let mut m = Self {
            broker_id: r.i32()?,
            broker_epoch: r.i64()?,
            ..Self::default()
        };
        let unknown = r.tagged_fields(|tag, r| {
            match tag {
                0 => m.fenced = r.i8()?,
                1 if v >= 1 => m.in_controlled_shutdown = r.i8()?,
                2 if v >= 2 => m.log_dirs = r.array_of(FLEX, "logDirs", Reader::uuid)?,
                3 if v >= 3 => {
                    m.cordoned_log_dirs = r.nullable_array(FLEX, "cordonedLogDirs", Reader::uuid)?
                }
                1..=3 => return Err(not_valid(tag, v)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        m.unknown_tags = unknown;
        Ok(m)
    }

    fn write(&self, w: &mut Writer, v: i16) -> Result<(), MessageError> {
        w.i32(self.broker_id);
        w.i64(self.broker_epoch);
        let mut tags = TaggedFields::new();
        let byte = |w: &mut Writer, b: i8| {
            w.i8(b);
            Ok(())
        };
        if self.fenced != 0 {
            tags.add(0, |w| byte(w, self.fenced))?;
        }
        if v >= 1 {
            if self.in_controlled_shutdown != 0 {
                tags.add(1, |w| byte(w, self.in_controlled_shutdown))?;
            }
        } else {
            absent("inControlledShutdown", &self.in_controlled_shutdown, &0, v)?;
        }
        if v >= 2 {
            if !self.log_dirs.is_empty() {
                tags.add(2, |w| w.array_of(FLEX, "logDirs", &self.log_dirs, put_uuid))?;
            }
        } else {
            absent("logDirs", &self.log_dirs.is_empty(), &true, v)?;
        }
        if v >= 3 {
            if let Some(c) = &self.cordoned_log_dirs {
                tags.add(3, |w| w.array_of(FLEX, "cordonedLogDirs", c, put_uuid))?;
            }
        } else {
            absent("cordonedLogDirs", &self.cordoned_log_dirs, &None, v)?;
        }
        tags.write(w, &self.unknown_tags, &[0, 1, 2, 3])
    }

    fn write_json(&self, out: &mut String, v: i16) {
        let mut o = JsonObject::new(out, v);
        o.field("brokerId", &self.broker_id)
            .field("brokerEpoch", &self.broker_epoch)
            .field_if(self.fenced != 0, "fenced", &self.fenced);
        if v >= 1 {
            o.field_if(
                self.in_controlled_shutdown != 0,
                "inControlledShutdown",
                &self.in_controlled_shutdown,
            );
        }
        if v >= 2 {
            o.field_if(!self.log_dirs.is_empty(), "logDirs", &self.log_dirs);
        }
        if v >= 3 {
            o.field_if(
                self.cordoned_log_dirs.is_some(),
                "cordonedLogDirs",
                &self.cordoned_log_dirs,
            );
        }
        o.end();
    }
}

/// RegisterControllerRecord (api key 27): a controller registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterControllerRecord {
    /// The controller id.
    pub controller_id: i32,
    /// The incarnation id of the controller process.
    pub incarnation_id: Uuid,
    /// Configured for a ZooKeeper migration.
    pub zk_migration_ready: bool,
    /// Its listeners.
    pub end_points: Vec<Endpoint>,
    /// Its supported features.
    pub features: Vec<Feature>,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Default for RegisterControllerRecord {
    fn default() -> Self {
        RegisterControllerRecord {
            controller_id: 0,
            incarnation_id: ZERO_UUID,
            zk_migration_ready: false,
            end_points: Vec::new(),
            features: Vec::new(),
            unknown_tags: Vec::new(),
        }
    }
}

impl Message for RegisterControllerRecord {
    const NAME: &'static str = "RegisterControllerRecord";
    const MAX_VERSION: i16 = 0;

    fn read(r: &mut Reader<'_>, _v: i16) -> Result<Self, MessageError> {
        Ok(RegisterControllerRecord {
            controller_id: r.i32()?,
            incarnation_id: r.uuid()?,
            zk_migration_ready: r.bool()?,
            end_points: read_endpoints(r)?,
            features: read_features(r)?,
            unknown_tags: r.tagged_fields(|_, _| Ok(false))?,
        })
    }

    fn write(&self, w: &mut Writer, _v: i16) -> Result<(), MessageError> {
        w.i32(self.controller_id);
        w.uuid(&self.incarnation_id);
        w.bool(self.zk_migration_ready);
        write_endpoints(w, &self.end_points)?;
        write_features(w, &self.features)?;
        TaggedFields::new().write(w, &self.unknown_tags, &[])
    }

    fn write_json(&self, out: &mut String, v: i16) {
        JsonObject::new(out, v)
            .field("controllerId", &self.controller_id)
            .field("incarnationId", &self.incarnation_id)
            .field("zkMigrationReady", &self.zk_migration_ready)
            .field("endPoints", &self.end_points)
            .field("features", &self.features)
            .end();
    }
}
