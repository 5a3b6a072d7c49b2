//! The values of KRaft's control records (types 2-6: LeaderChange, SnapshotHeader,
//! SnapshotFooter, KRaftVersion, KRaftVoters), as Kafka's `ControlRecordUtils` reads them:
//! each value is one flexible message at version 0 whose first field is its own `Version`
//! (Kafka's LeaderChangeMessage.json, SnapshotHeaderRecord.json, SnapshotFooterRecord.json,
//! KRaftVersionRecord.json, VotersRecord.json). Kafka's metadata log and its snapshots hold
//! them; `filka dump` prints them as kafka-dump-log does.
//!
//! Pure functions over bytes: every length is checked ([`Reader`]). Bytes after the message
//! are ignored, as Kafka's message readers ignore them.

use super::protocol::{ProtocolError, Reader};

/// A KRaft control record's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KraftControl {
    /// Type 2: a leader was elected (LeaderChangeMessage).
    LeaderChange {
        /// The message's own version field.
        version: i16,
        /// The new leader.
        leader_id: i32,
        /// The voters at the time.
        voters: Vec<i32>,
        /// The voters that granted the leader their vote.
        granting_voters: Vec<i32>,
    },
    /// Type 3: the first record of a snapshot (SnapshotHeaderRecord).
    SnapshotHeader {
        /// The message's own version field.
        version: i16,
        /// The append time of the last record the snapshot covers.
        last_contained_log_timestamp: i64,
    },
    /// Type 4: the last record of a snapshot (SnapshotFooterRecord).
    SnapshotFooter {
        /// The message's own version field.
        version: i16,
    },
    /// Type 5: the `kraft.version` in force (KRaftVersionRecord).
    KraftVersion {
        /// The message's own version field.
        version: i16,
        /// The kraft.version feature level.
        kraft_version: i16,
    },
    /// Type 6: the voter set of a dynamic quorum (VotersRecord).
    Voters {
        /// The message's own version field.
        version: i16,
        /// Every voter.
        voters: Vec<Voter>,
    },
}

/// One voter of a [`KraftControl::Voters`] record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voter {
    /// Its node id.
    pub voter_id: i32,
    /// Its metadata log directory's id (a Kafka Uuid).
    pub voter_directory_id: [u8; 16],
    /// Where it listens.
    pub endpoints: Vec<Endpoint>,
    /// The lowest kraft.version it supports.
    pub min_supported_version: i16,
    /// The highest kraft.version it supports.
    pub max_supported_version: i16,
}

/// A listener of a [`Voter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The listener name.
    pub name: String,
    /// The host name.
    pub host: String,
    /// The port.
    pub port: u16,
}

impl KraftControl {
    /// The control record type it is the value of.
    pub fn type_id(&self) -> i16 {
        match self {
            KraftControl::LeaderChange { .. } => LEADER_CHANGE,
            KraftControl::SnapshotHeader { .. } => SNAPSHOT_HEADER,
            KraftControl::SnapshotFooter { .. } => SNAPSHOT_FOOTER,
            KraftControl::KraftVersion { .. } => KRAFT_VERSION,
            KraftControl::Voters { .. } => KRAFT_VOTERS,
        }
    }
}

/// Kafka's control record type ids of KRaft (ControlRecordType).
pub const LEADER_CHANGE: i16 = 2;
/// See [`LEADER_CHANGE`].
pub const SNAPSHOT_HEADER: i16 = 3;
/// See [`LEADER_CHANGE`].
pub const SNAPSHOT_FOOTER: i16 = 4;
/// See [`LEADER_CHANGE`].
pub const KRAFT_VERSION: i16 = 5;
/// See [`LEADER_CHANGE`].
pub const KRAFT_VOTERS: i16 = 6;

/// Decodes the value of a control record of `type_id` 2-6. `Ok(None)` for other types; an
/// error for a missing value or bytes Kafka could not read either.
pub fn decode(type_id: i16, value: Option<&[u8]>) -> Result<Option<KraftControl>, ProtocolError> {
    if !(LEADER_CHANGE..=KRAFT_VOTERS).contains(&type_id) {
        return Ok(None);
    }
    let Some(value) = value else {
        return Err(ProtocolError {
            what: "a KRaft control record without a value".into(),
            position: 0,
        });
    };
    let mut r = Reader::new(value);
    let version = r.i16()?;
    let control = match type_id {
        LEADER_CHANGE => {
            let leader_id = r.i32()?;
            let voters = voter_ids(&mut r)?;
            let granting_voters = voter_ids(&mut r)?;
            KraftControl::LeaderChange {
                version,
                leader_id,
                voters,
                granting_voters,
            }
        }
        SNAPSHOT_HEADER => KraftControl::SnapshotHeader {
            version,
            last_contained_log_timestamp: r.i64()?,
        },
        SNAPSHOT_FOOTER => KraftControl::SnapshotFooter { version },
        KRAFT_VERSION => KraftControl::KraftVersion {
            version,
            kraft_version: r.i16()?,
        },
        _ => {
            // A voter takes at least id, directory id, endpoint count, feature and tags.
            let n = r.compact_array_len(4 + 16 + 1 + 5 + 1)?.unwrap_or(0);
            let mut voters = Vec::with_capacity(n);
            for _ in 0..n {
                voters.push(voter(&mut r)?);
            }
            KraftControl::Voters { version, voters }
        }
    };
    r.skip_tagged_fields()?;
    Ok(Some(control))
}

/// A compact array of `{VoterId int32}` structs (LeaderChangeMessage's Voter).
fn voter_ids(r: &mut Reader<'_>) -> Result<Vec<i32>, ProtocolError> {
    let n = r.compact_array_len(5)?.unwrap_or(0);
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(r.i32()?);
        r.skip_tagged_fields()?;
    }
    Ok(ids)
}

fn voter(r: &mut Reader<'_>) -> Result<Voter, ProtocolError> {
    let voter_id = r.i32()?;
    let mut voter_directory_id = [0u8; 16];
    voter_directory_id.copy_from_slice(r.take(16)?);
    let n = r.compact_array_len(1 + 1 + 2 + 1)?.unwrap_or(0);
    let mut endpoints = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.compact_string()?;
        let host = r.compact_string()?;
        let port = r.take(2)?;
        let port = u16::from_be_bytes([port[0], port[1]]);
        r.skip_tagged_fields()?;
        endpoints.push(Endpoint { name, host, port });
    }
    let min_supported_version = r.i16()?;
    let max_supported_version = r.i16()?;
    r.skip_tagged_fields()?;
    r.skip_tagged_fields()?;
    Ok(Voter {
        voter_id,
        voter_directory_id,
        endpoints,
        min_supported_version,
        max_supported_version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Values written by Apache Kafka 4.4: a node's first LeaderChange, the header and footer
    /// of a snapshot, and the KRaftVersion and KRaftVoters records `kafka-storage format
    /// --standalone` writes (kafka-dump-log printed what the comments say).
    #[test]
    fn kafkas_own_control_values_decode() {
        // {"version":0,"leaderId":101,"voters":[{"voterId":101}],"grantingVoters":[{"voterId":101}]}
        assert_eq!(
            decode(2, Some(&hex("00000000006502000000650002000000650000"))),
            Ok(Some(KraftControl::LeaderChange {
                version: 0,
                leader_id: 101,
                voters: vec![101],
                granting_voters: vec![101],
            }))
        );
        // {"version":0,"lastContainedLogTimestamp":1796521567276}
        assert_eq!(
            decode(3, Some(&hex("0000000001a24907a42c00"))),
            Ok(Some(KraftControl::SnapshotHeader {
                version: 0,
                last_contained_log_timestamp: 1_796_521_567_276,
            }))
        );
        assert_eq!(
            decode(4, Some(&hex("000000"))),
            Ok(Some(KraftControl::SnapshotFooter { version: 0 }))
        );
        assert_eq!(
            decode(5, Some(&hex("0000000100"))),
            Ok(Some(KraftControl::KraftVersion {
                version: 0,
                kraft_version: 1,
            }))
        );
        // {"version":0,"voters":[{"voterId":101,"voterDirectoryId":"3ngQnUEmT9S4gM1i5W9VBg",
        // "endpoints":[{"name":"CONTROLLER","host":"localhost","port":9093}],
        // "kRaftVersionFeature":{"minSupportedVersion":0,"maxSupportedVersion":1}}]}
        let voters = hex(
            "00000200000065de78109d41264fd4b880cd62e56f5506020b434f4e54524f4c4c45520a6c6f63616c\
             686f737423850000000001000000",
        );
        let Ok(Some(KraftControl::Voters { version: 0, voters })) = decode(6, Some(&voters)) else {
            panic!("not a voters record");
        };
        assert_eq!(
            voters,
            [Voter {
                voter_id: 101,
                voter_directory_id: hex("de78109d41264fd4b880cd62e56f5506").try_into().unwrap(),
                endpoints: vec![Endpoint {
                    name: "CONTROLLER".into(),
                    host: "localhost".into(),
                    port: 9093,
                }],
                min_supported_version: 0,
                max_supported_version: 1,
            }]
        );
    }

    #[test]
    fn other_types_and_damage() {
        assert_eq!(decode(0, Some(&[0, 0, 0, 0, 0, 0])), Ok(None));
        assert_eq!(decode(7, None), Ok(None));
        assert!(decode(2, None).is_err());
        assert!(
            decode(2, Some(&hex("0000000000650a"))).is_err(),
            "9 voters in 0 bytes"
        );
        assert!(decode(3, Some(&hex("0000"))).is_err());
        // Every cut of a sound value is refused, never a panic.
        let v = hex(
            "00000200000065de78109d41264fd4b880cd62e56f5506020b434f4e54524f4c4c45520a6c6f63616c686f737423850000000001000000",
        );
        for n in 0..v.len() {
            assert!(decode(6, Some(&v[..n])).is_err(), "{n} bytes");
        }
    }
}
