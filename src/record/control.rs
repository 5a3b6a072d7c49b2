//! Control records: the transaction markers (COMMIT/ABORT) a transaction coordinator writes
//! into every partition of a transaction (kafka-format.md §2.1). A control batch has
//! attributes bit 5 set, one record, key = version i16 + type i16, and for COMMIT/ABORT a
//! value = version i16 + coordinator epoch i32.

use super::batch::{BatchBuilder, BatchOptions, TimestampType};

/// The type of a control record (its key's second field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlType {
    /// Transaction aborted (0).
    Abort,
    /// Transaction committed (1).
    Commit,
    /// KRaft-only types (2-6) and anything unknown.
    Other(i16),
}

impl ControlType {
    /// Kafka's name (`endTxnMarker: COMMIT` in kafka-dump-log).
    pub fn name(self) -> String {
        match self {
            ControlType::Abort => "ABORT".into(),
            ControlType::Commit => "COMMIT".into(),
            ControlType::Other(t) => format!("UNKNOWN({t})"),
        }
    }
}

/// A decoded transaction marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndTxnMarker {
    /// COMMIT or ABORT.
    pub kind: ControlType,
    /// The coordinator epoch that wrote it.
    pub coordinator_epoch: i32,
}

/// Reads a control record's type from its key; `None` if the key is malformed.
pub fn control_type(key: Option<&[u8]>) -> Option<ControlType> {
    let key = key?;
    let [_, _, t0, t1, ..] = *key else {
        return None;
    };
    Some(match i16::from_be_bytes([t0, t1]) {
        0 => ControlType::Abort,
        1 => ControlType::Commit,
        t => ControlType::Other(t),
    })
}

/// Decodes a COMMIT/ABORT marker from a control record's key and value.
pub fn end_txn_marker(key: Option<&[u8]>, value: Option<&[u8]>) -> Option<EndTxnMarker> {
    let kind = control_type(key)?;
    if matches!(kind, ControlType::Other(_)) {
        return None;
    }
    let [_, _, e0, e1, e2, e3, ..] = *value? else {
        return None;
    };
    Some(EndTxnMarker {
        kind,
        coordinator_epoch: i32::from_be_bytes([e0, e1, e2, e3]),
    })
}

/// A builder holding the single marker record of an end-transaction control batch.
pub fn end_txn_batch(
    commit: bool,
    producer_id: i64,
    producer_epoch: i16,
    coordinator_epoch: i32,
    timestamp: i64,
) -> BatchBuilder {
    let mut b = BatchBuilder::new(BatchOptions {
        producer_id,
        producer_epoch,
        base_sequence: -1,
        transactional: true,
        control: true,
        timestamp_type: TimestampType::CreateTime,
        ..BatchOptions::default()
    });
    let key = [0u8, 0, 0, u8::from(commit)];
    let mut value = [0u8; 6];
    value[2..].copy_from_slice(&coordinator_epoch.to_be_bytes());
    b.append(timestamp, Some(&key), Some(&value), &[]);
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::BatchRef;

    /// kafka-format.md §9.3, identical to Kafka's `writeEndTransactionalMarker`.
    #[test]
    fn commit_marker_is_byte_exact() {
        let bytes = end_txn_batch(true, 1000, 0, 0, 1_700_000_000_010)
            .build(2, 0)
            .unwrap();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "000000000000000200000042000000000291a367630030000000000000018bcfe5680a0000018bcfe5680a\
             00000000000003e80000ffffffff00000001\
             2000000008000000010c00000000000000"
        );
        let b = BatchRef::parse(&bytes, 0, 1 << 20).unwrap();
        assert!(b.header().attributes.is_control());
        let r = &b.to_records().unwrap()[0];
        let m = end_txn_marker(r.key.as_deref(), r.value.as_deref()).unwrap();
        assert_eq!(m.kind, ControlType::Commit);
        assert_eq!(m.coordinator_epoch, 0);
    }

    #[test]
    fn malformed_keys_are_none() {
        assert_eq!(control_type(None), None);
        assert_eq!(control_type(Some(&[0, 0, 0])), None);
        assert_eq!(end_txn_marker(Some(&[0, 0, 0, 0]), Some(&[0])), None);
    }
}
