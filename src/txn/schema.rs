//! Kafka's `__transaction_state` record schemas: TransactionLogKey (version 0: the
//! transactional id) and TransactionLogValue (version 0, what brokers write for clients of
//! transaction version 0/1; version 1, flexible, is read too), each behind an i16 version
//! as Kafka's coordinator records are. A null value (tombstone) means the transactional id
//! expired. Sources: apache/kafka transaction-coordinator/src/main/resources/common/message/
//! TransactionLog{Key,Value}.json and TransactionState.java (state ids).
//!
//! Pure functions over bytes (record::protocol checks every length).

use crate::record::protocol::{ProtocolError, Reader, put_string};

/// The key version filka writes.
pub const KEY_VERSION: i16 = 0;
/// The value version filka writes.
pub const VALUE_VERSION: i16 = 0;

/// A transaction's state, with Kafka's ids (TransactionState.java).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum TxnStatus {
    /// No transaction open (0).
    Empty,
    /// A transaction has written to partitions (1).
    Ongoing,
    /// Commit decided; markers being written (2).
    PrepareCommit,
    /// Abort decided; markers being written (3).
    PrepareAbort,
    /// Committed, markers written (4).
    CompleteCommit,
    /// Aborted, markers written (5).
    CompleteAbort,
    /// The id expired (6).
    Dead,
    /// Fencing a producer (7).
    PrepareEpochFence,
}

impl TxnStatus {
    /// Kafka's id.
    pub fn id(self) -> i8 {
        match self {
            TxnStatus::Empty => 0,
            TxnStatus::Ongoing => 1,
            TxnStatus::PrepareCommit => 2,
            TxnStatus::PrepareAbort => 3,
            TxnStatus::CompleteCommit => 4,
            TxnStatus::CompleteAbort => 5,
            TxnStatus::Dead => 6,
            TxnStatus::PrepareEpochFence => 7,
        }
    }

    /// The state for Kafka's id.
    pub fn from_id(id: i8) -> Option<TxnStatus> {
        Some(match id {
            0 => TxnStatus::Empty,
            1 => TxnStatus::Ongoing,
            2 => TxnStatus::PrepareCommit,
            3 => TxnStatus::PrepareAbort,
            4 => TxnStatus::CompleteCommit,
            5 => TxnStatus::CompleteAbort,
            6 => TxnStatus::Dead,
            7 => TxnStatus::PrepareEpochFence,
            _ => return None,
        })
    }

    /// Kafka's name, as kafka-transactions.sh prints it.
    pub fn name(self) -> &'static str {
        match self {
            TxnStatus::Empty => "Empty",
            TxnStatus::Ongoing => "Ongoing",
            TxnStatus::PrepareCommit => "PrepareCommit",
            TxnStatus::PrepareAbort => "PrepareAbort",
            TxnStatus::CompleteCommit => "CompleteCommit",
            TxnStatus::CompleteAbort => "CompleteAbort",
            TxnStatus::Dead => "Dead",
            TxnStatus::PrepareEpochFence => "PrepareEpochFence",
        }
    }

    /// True while a transaction holds partitions open (its markers are not all written).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            TxnStatus::Ongoing
                | TxnStatus::PrepareCommit
                | TxnStatus::PrepareAbort
                | TxnStatus::PrepareEpochFence
        )
    }
}

/// One topic's partitions in a transaction.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TxnPartitions {
    /// Topic.
    pub topic: String,
    /// Partition ids.
    pub partitions: Vec<i32>,
}

/// A TransactionLogValue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TxnValue {
    /// The producer id the transactional id uses.
    pub producer_id: i64,
    /// Its epoch.
    pub producer_epoch: i16,
    /// transaction.timeout.ms.
    pub timeout_ms: i32,
    /// The state.
    pub status: TxnStatus,
    /// Partitions in the transaction (empty when none is open).
    pub partitions: Vec<TxnPartitions>,
    /// Last change (ms).
    pub last_update_ms: i64,
    /// When the open transaction started (ms), -1 when none.
    pub start_ms: i64,
}

/// Why a record could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("__transaction_state record: {0}")]
pub struct TxnSchemaError(pub String);

impl From<ProtocolError> for TxnSchemaError {
    fn from(e: ProtocolError) -> Self {
        TxnSchemaError(e.to_string())
    }
}

/// Encodes a TransactionLogKey (version 0).
pub fn encode_key(transactional_id: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + transactional_id.len());
    out.extend_from_slice(&KEY_VERSION.to_be_bytes());
    put_string(&mut out, transactional_id);
    out
}

/// Decodes a TransactionLogKey: the transactional id.
pub fn decode_key(buf: &[u8]) -> Result<String, TxnSchemaError> {
    let mut r = Reader::new(buf);
    match r.i16()? {
        0 => {
            let id = r.string()?;
            r.finish()?;
            Ok(id)
        }
        v => Err(TxnSchemaError(format!("unknown key version {v}"))),
    }
}

/// Encodes a TransactionLogValue (version 0).
pub fn encode_value(v: &TxnValue) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&VALUE_VERSION.to_be_bytes());
    out.extend_from_slice(&v.producer_id.to_be_bytes());
    out.extend_from_slice(&v.producer_epoch.to_be_bytes());
    out.extend_from_slice(&v.timeout_ms.to_be_bytes());
    out.extend_from_slice(&v.status.id().to_be_bytes());
    // Kafka's TransactionLog.valueToBytes writes a null partition list for Empty (an id
    // just initialised) and a list, empty or not, for every other state.
    let count = if v.status == TxnStatus::Empty && v.partitions.is_empty() {
        -1
    } else {
        v.partitions.len() as i32
    };
    out.extend_from_slice(&count.to_be_bytes());
    for t in &v.partitions {
        put_string(&mut out, &t.topic);
        out.extend_from_slice(&(t.partitions.len() as i32).to_be_bytes());
        for p in &t.partitions {
            out.extend_from_slice(&p.to_be_bytes());
        }
    }
    out.extend_from_slice(&v.last_update_ms.to_be_bytes());
    out.extend_from_slice(&v.start_ms.to_be_bytes());
    out
}

/// Decodes a TransactionLogValue of version 0 or 1.
pub fn decode_value(buf: &[u8]) -> Result<TxnValue, TxnSchemaError> {
    let mut r = Reader::new(buf);
    let version = r.i16()?;
    if !(0..=1).contains(&version) {
        return Err(TxnSchemaError(format!("unknown value version {version}")));
    }
    let flexible = version >= 1;
    let producer_id = r.i64()?;
    let producer_epoch = r.i16()?;
    let timeout_ms = r.i32()?;
    let status_id = r.i8()?;
    let status = TxnStatus::from_id(status_id)
        .ok_or_else(|| TxnSchemaError(format!("unknown transaction state {status_id}")))?;
    // Each topic entry takes at least its string length (2 or 1 bytes) and its array count.
    let topics = if flexible {
        r.compact_array_len(2)?
    } else {
        r.array_len(6)?
    };
    let mut partitions = Vec::with_capacity(topics.unwrap_or(0));
    for _ in 0..topics.unwrap_or(0) {
        let topic = if flexible {
            r.compact_string()?
        } else {
            r.string()?
        };
        let count = if flexible {
            r.compact_array_len(4)?
        } else {
            r.array_len(4)?
        };
        let mut ids = Vec::with_capacity(count.unwrap_or(0));
        for _ in 0..count.unwrap_or(0) {
            ids.push(r.i32()?);
        }
        if flexible {
            r.skip_tagged_fields()?;
        }
        partitions.push(TxnPartitions {
            topic,
            partitions: ids,
        });
    }
    let last_update_ms = r.i64()?;
    let start_ms = r.i64()?;
    if flexible {
        r.skip_tagged_fields()?;
    }
    r.finish()?;
    Ok(TxnValue {
        producer_id,
        producer_epoch,
        timeout_ms,
        status,
        partitions,
        last_update_ms,
        start_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Bytes worked out by hand from TransactionLogValue.json (version 0).
    #[test]
    fn value_bytes_follow_kafkas_schema() {
        let v = TxnValue {
            producer_id: 1000,
            producer_epoch: 3,
            timeout_ms: 60_000,
            status: TxnStatus::Ongoing,
            partitions: vec![TxnPartitions {
                topic: "demo".into(),
                partitions: vec![0, 2],
            }],
            last_update_ms: 0x18b_cfe5_6800,
            start_ms: 0x18b_cfe5_6800,
        };
        let want = hex("0000 00000000000003e8 0003 0000ea60 01
             00000001 0004 64656d6f 00000002 00000000 00000002
             0000018bcfe56800 0000018bcfe56800");
        assert_eq!(encode_value(&v), want);
        assert_eq!(decode_value(&want).unwrap(), v);
        assert_eq!(encode_key("txn-1"), hex("0000 0005 74786e2d31"));
        assert_eq!(decode_key(&hex("0000 0005 74786e2d31")).unwrap(), "txn-1");
    }

    /// Version 1 (flexible): compact arrays and strings, tagged fields after each struct.
    #[test]
    fn flexible_values_decode() {
        let bytes = hex("0001 00000000000003e8 0003 0000ea60 04
             02 05 64656d6f 02 00000001 00
             0000018bcfe56800 ffffffffffffffff
             01 00 08 ffffffffffffffff");
        let v = decode_value(&bytes).unwrap();
        assert_eq!(v.status, TxnStatus::CompleteCommit);
        assert_eq!(v.partitions[0].topic, "demo");
        assert_eq!(v.partitions[0].partitions, [1]);
        assert_eq!(v.start_ms, -1);
    }

    #[test]
    fn garbage_is_refused_not_panicked_on() {
        for bad in [
            &b""[..],
            &[0, 9],
            &[0, 0, 1],
            &hex(
                "0000 00000000000003e8 0003 0000ea60 09 00000000 0000000000000000 0000000000000000",
            ),
            &hex("0000 00000000000003e8 0003 0000ea60 01 7fffffff"),
        ] {
            assert!(decode_value(bad).is_err(), "{bad:02x?}");
        }
        let mut v = encode_value(&TxnValue {
            producer_id: 1,
            producer_epoch: 0,
            timeout_ms: 1,
            status: TxnStatus::Empty,
            partitions: vec![],
            last_update_ms: 0,
            start_ms: -1,
        });
        // Empty's partition list is null (-1), as Kafka's valueToBytes writes it.
        assert_eq!(
            v,
            hex(
                "0000 0000000000000001 0000 00000001 00 ffffffff 0000000000000000 ffffffffffffffff"
            )
        );
        assert_eq!(decode_value(&v).unwrap().partitions, vec![]);
        v.push(0);
        assert!(decode_value(&v).is_err(), "trailing bytes");
        for id in 0..8 {
            assert_eq!(TxnStatus::from_id(id).unwrap().id(), id);
        }
    }
}
