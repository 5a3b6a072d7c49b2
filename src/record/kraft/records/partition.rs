//! The records of partitions: PartitionRecord (a partition's whole state) and
//! PartitionChangeRecord (what changed, in tagged fields).

use super::super::message::{
    JsonObject, Message, MessageError, RawTaggedField, Reader, TaggedFields, Uuid, Writer,
    ZERO_UUID, absent,
};
use super::{FLEX, not_valid, put_i32, put_uuid};

/// Adds tagged field `tag`, a nullable int32 array, unless it is null (its default).
fn add_ints(
    tags: &mut TaggedFields,
    tag: u32,
    field: &'static str,
    value: &Option<Vec<i32>>,
) -> Result<(), MessageError> {
    match value {
        Some(list) => tags.add(tag, |w| w.array_of(FLEX, field, list, put_i32)),
        None => Ok(()),
    }
}

/// PartitionRecord (api key 3, versions 0-2): a partition created, or its whole state in a
/// snapshot. v1 adds Directories, v2 the eligible leader replicas (tags 1 and 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionRecord {
    /// The partition id (default -1).
    pub partition_id: i32,
    /// The topic id.
    pub topic_id: Uuid,
    /// The replicas, preferred leader first.
    pub replicas: Vec<i32>,
    /// The in-sync replicas.
    pub isr: Vec<i32>,
    /// Replicas being removed by a reassignment.
    pub removing_replicas: Vec<i32>,
    /// Replicas being added by a reassignment.
    pub adding_replicas: Vec<i32>,
    /// The leader, or -1 (default -1).
    pub leader: i32,
    /// Tag 0: 1 while recovering from an unclean election (default 0).
    pub leader_recovery_state: i8,
    /// The leader epoch (default -1).
    pub leader_epoch: i32,
    /// The partition epoch, bumped at every change (default -1).
    pub partition_epoch: i32,
    /// v1+: the log directory of each replica, in the order of `replicas`.
    pub directories: Vec<Uuid>,
    /// v2+, tag 1: the eligible leader replicas, or null (default).
    pub eligible_leader_replicas: Option<Vec<i32>>,
    /// v2+, tag 2: the last known eligible leader replicas, or null (default).
    pub last_known_elr: Option<Vec<i32>>,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Default for PartitionRecord {
    fn default() -> Self {
        PartitionRecord {
            partition_id: -1,
            topic_id: ZERO_UUID,
            replicas: Vec::new(),
            isr: Vec::new(),
            removing_replicas: Vec::new(),
            adding_replicas: Vec::new(),
            leader: -1,
            leader_recovery_state: 0,
            leader_epoch: -1,
            partition_epoch: -1,
            directories: Vec::new(),
            eligible_leader_replicas: None,
            last_known_elr: None,
            unknown_tags: Vec::new(),
        }
    }
}

impl Message for PartitionRecord {
    const NAME: &'static str = "PartitionRecord";
    const MAX_VERSION: i16 = 2;

    fn read(r: &mut Reader<'_>, v: i16) -> Result<Self, MessageError> {
        let mut m = Self {
            partition_id: r.i32()?,
            topic_id: r.uuid()?,
            replicas: r.array_of(FLEX, "replicas", Reader::i32)?,
            isr: r.array_of(FLEX, "isr", Reader::i32)?,
            removing_replicas: r.array_of(FLEX, "removingReplicas", Reader::i32)?,
            adding_replicas: r.array_of(FLEX, "addingReplicas", Reader::i32)?,
            leader: r.i32()?,
            leader_epoch: r.i32()?,
            partition_epoch: r.i32()?,
            ..Self::default()
        };
        if v >= 1 {
            m.directories = r.array_of(FLEX, "directories", Reader::uuid)?;
        }
        let unknown = r.tagged_fields(|tag, r| {
            match tag {
                0 => m.leader_recovery_state = r.i8()?,
                1 if v >= 2 => {
                    m.eligible_leader_replicas =
                        r.nullable_array(FLEX, "eligibleLeaderReplicas", Reader::i32)?
                }
                2 if v >= 2 => {
                    m.last_known_elr = r.nullable_array(FLEX, "lastKnownElr", Reader::i32)?
                }
                1 | 2 => return Err(not_valid(tag, v)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        m.unknown_tags = unknown;
        Ok(m)
    }

    fn write(&self, w: &mut Writer, v: i16) -> Result<(), MessageError> {
        w.i32(self.partition_id);
        w.uuid(&self.topic_id);
        w.array_of(FLEX, "replicas", &self.replicas, put_i32)?;
        w.array_of(FLEX, "isr", &self.isr, put_i32)?;
        w.array_of(FLEX, "removingReplicas", &self.removing_replicas, put_i32)?;
        w.array_of(FLEX, "addingReplicas", &self.adding_replicas, put_i32)?;
        w.i32(self.leader);
        let mut tags = TaggedFields::new();
        if self.leader_recovery_state != 0 {
            let lrs = self.leader_recovery_state;
            tags.add(0, |w| {
                w.i8(lrs);
                Ok(())
            })?;
        }
        w.i32(self.leader_epoch);
        w.i32(self.partition_epoch);
        if v >= 1 {
            w.array_of(FLEX, "directories", &self.directories, put_uuid)?;
        } else {
            absent("directories", &self.directories.is_empty(), &true, v)?;
        }
        if v >= 2 {
            if let Some(e) = &self.eligible_leader_replicas {
                tags.add(1, |w| {
                    w.array_of(FLEX, "eligibleLeaderReplicas", e, put_i32)
                })?;
            }
            if let Some(e) = &self.last_known_elr {
                tags.add(2, |w| w.array_of(FLEX, "lastKnownElr", e, put_i32))?;
            }
        } else {
            absent(
                "eligibleLeaderReplicas",
                &self.eligible_leader_replicas,
                &None,
                v,
            )?;
            absent("lastKnownElr", &self.last_known_elr, &None, v)?;
        }
        tags.write(w, &self.unknown_tags, &[0, 1, 2])
    }

    fn write_json(&self, out: &mut String, v: i16) {
        let mut o = JsonObject::new(out, v);
        o.field("partitionId", &self.partition_id)
            .field("topicId", &self.topic_id)
            .field("replicas", &self.replicas)
            .field("isr", &self.isr)
            .field("removingReplicas", &self.removing_replicas)
            .field("addingReplicas", &self.adding_replicas)
            .field("leader", &self.leader)
            .field_if(
                self.leader_recovery_state != 0,
                "leaderRecoveryState",
                &self.leader_recovery_state,
            )
            .field("leaderEpoch", &self.leader_epoch)
            .field("partitionEpoch", &self.partition_epoch);
        if v >= 1 {
            o.field("directories", &self.directories);
        }
        if v >= 2 {
            o.field_if(
                self.eligible_leader_replicas.is_some(),
                "eligibleLeaderReplicas",
                &self.eligible_leader_replicas,
            )
            .field_if(
                self.last_known_elr.is_some(),
                "lastKnownElr",
                &self.last_known_elr,
            );
        }
        o.end();
    }
}

/// PartitionChangeRecord (api key 5, versions 0-2): a change to a partition; every field but
/// the ids is tagged and written only when it changed. v1 adds Directories (tag 8), v2 the
/// eligible leader replicas (tags 6 and 7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionChangeRecord {
    /// The partition id (default -1).
    pub partition_id: i32,
    /// The topic id.
    pub topic_id: Uuid,
    /// Tag 0: the new ISR, or null if unchanged (default).
    pub isr: Option<Vec<i32>>,
    /// Tag 1: the new leader, -1 for none, -2 if unchanged (default -2).
    pub leader: i32,
    /// Tag 2: the new replicas, or null if unchanged (default).
    pub replicas: Option<Vec<i32>>,
    /// Tag 3: the new removing replicas, or null if unchanged (default).
    pub removing_replicas: Option<Vec<i32>>,
    /// Tag 4: the new adding replicas, or null if unchanged (default).
    pub adding_replicas: Option<Vec<i32>>,
    /// Tag 5: the new leader recovery state, -1 if unchanged (default -1).
    pub leader_recovery_state: i8,
    /// v1+, tag 8: the new log directory of each replica, or null if unchanged (default).
    pub directories: Option<Vec<Uuid>>,
    /// v2+, tag 6: the new eligible leader replicas, or null if unchanged (default).
    pub eligible_leader_replicas: Option<Vec<i32>>,
    /// v2+, tag 7: the new last known eligible leader replicas, or null (default).
    pub last_known_elr: Option<Vec<i32>>,
    /// Tagged fields this version of filka does not know.
    pub unknown_tags: Vec<RawTaggedField>,
}

impl Default for PartitionChangeRecord {
    fn default() -> Self {
        PartitionChangeRecord {
            partition_id: -1,
            topic_id: ZERO_UUID,
            isr: None,
            leader: -2,
            replicas: None,
            removing_replicas: None,
            adding_replicas: None,
            leader_recovery_state: -1,
            directories: None,
            eligible_leader_replicas: None,
            last_known_elr: None,
            unknown_tags: Vec::new(),
        }
    }
}

impl Message for PartitionChangeRecord {
    const NAME: &'static str = "PartitionChangeRecord";
    const MAX_VERSION: i16 = 2;

    fn read(r: &mut Reader<'_>, v: i16) -> Result<Self, MessageError> {
        let mut m = Self {
            partition_id: r.i32()?,
            topic_id: r.uuid()?,
            ..Self::default()
        };
        let ints = |r: &mut Reader<'_>, f| r.nullable_array(FLEX, f, Reader::i32);
        let unknown = r.tagged_fields(|tag, r| {
            match tag {
                0 => m.isr = ints(r, "isr")?,
                1 => m.leader = r.i32()?,
                2 => m.replicas = ints(r, "replicas")?,
                3 => m.removing_replicas = ints(r, "removingReplicas")?,
                4 => m.adding_replicas = ints(r, "addingReplicas")?,
                5 => m.leader_recovery_state = r.i8()?,
                6 if v >= 2 => m.eligible_leader_replicas = ints(r, "eligibleLeaderReplicas")?,
                7 if v >= 2 => m.last_known_elr = ints(r, "lastKnownElr")?,
                8 if v >= 1 => {
                    m.directories = r.nullable_array(FLEX, "directories", Reader::uuid)?
                }
                6..=8 => return Err(not_valid(tag, v)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        m.unknown_tags = unknown;
        Ok(m)
    }

    fn write(&self, w: &mut Writer, v: i16) -> Result<(), MessageError> {
        w.i32(self.partition_id);
        w.uuid(&self.topic_id);
        // Fields of versions that lack them are checked in the spec's order, as Kafka does.
        if v < 1 {
            absent("directories", &self.directories, &None, v)?;
        }
        if v < 2 {
            absent(
                "eligibleLeaderReplicas",
                &self.eligible_leader_replicas,
                &None,
                v,
            )?;
            absent("lastKnownElr", &self.last_known_elr, &None, v)?;
        }
        let mut tags = TaggedFields::new();
        add_ints(&mut tags, 0, "isr", &self.isr)?;
        if self.leader != -2 {
            let leader = self.leader;
            tags.add(1, |w| {
                w.i32(leader);
                Ok(())
            })?;
        }
        add_ints(&mut tags, 2, "replicas", &self.replicas)?;
        add_ints(&mut tags, 3, "removingReplicas", &self.removing_replicas)?;
        add_ints(&mut tags, 4, "addingReplicas", &self.adding_replicas)?;
        if self.leader_recovery_state != -1 {
            let lrs = self.leader_recovery_state;
            tags.add(5, |w| {
                w.i8(lrs);
                Ok(())
            })?;
        }
        if v >= 2 {
            add_ints(
                &mut tags,
                6,
                "eligibleLeaderReplicas",
                &self.eligible_leader_replicas,
            )?;
            add_ints(&mut tags, 7, "lastKnownElr", &self.last_known_elr)?;
        }
        if v >= 1
            && let Some(d) = &self.directories
        {
            tags.add(8, |w| w.array_of(FLEX, "directories", d, put_uuid))?;
        }
        tags.write(w, &self.unknown_tags, &[0, 1, 2, 3, 4, 5, 6, 7, 8])
    }

    fn write_json(&self, out: &mut String, v: i16) {
        let mut o = JsonObject::new(out, v);
        o.field("partitionId", &self.partition_id)
            .field("topicId", &self.topic_id)
            .field_if(self.isr.is_some(), "isr", &self.isr)
            .field_if(self.leader != -2, "leader", &self.leader)
            .field_if(self.replicas.is_some(), "replicas", &self.replicas)
            .field_if(
                self.removing_replicas.is_some(),
                "removingReplicas",
                &self.removing_replicas,
            )
            .field_if(
                self.adding_replicas.is_some(),
                "addingReplicas",
                &self.adding_replicas,
            )
            .field_if(
                self.leader_recovery_state != -1,
                "leaderRecoveryState",
                &self.leader_recovery_state,
            );
        if v >= 1 {
            o.field_if(self.directories.is_some(), "directories", &self.directories);
        }
        if v >= 2 {
            o.field_if(
                self.eligible_leader_replicas.is_some(),
                "eligibleLeaderReplicas",
                &self.eligible_leader_replicas,
            )
            .field_if(
                self.last_known_elr.is_some(),
                "lastKnownElr",
                &self.last_known_elr,
            );
        }
        o.end();
    }
}
