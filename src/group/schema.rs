//! Kafka's `__consumer_offsets` record schemas (kafka-format.md §7): OffsetCommitKey
//! (record type 0/1: group, topic, partition) and OffsetCommitValue (v0-v4; filka writes v3
//! as brokers >= 2.1 do). Other record types (group metadata, KIP-848, share groups) are
//! recognised by their type and skipped.
//!
//! Pure functions over bytes: every length is checked against the bytes remaining, so no
//! input panics.

/// Record type of an offset commit key as brokers write it.
pub const OFFSET_COMMIT_KEY_TYPE: i16 = 1;
/// The OffsetCommitValue version filka writes.
pub const OFFSET_COMMIT_VALUE_VERSION: i16 = 3;

/// A key of `__consumer_offsets` that is an offset commit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OffsetKey {
    /// Group id.
    pub group: String,
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
}

/// A committed offset (OffsetCommitValue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetValue {
    /// The next offset to read.
    pub offset: i64,
    /// Leader epoch of the last consumed record, -1 when unknown.
    pub leader_epoch: i32,
    /// Free-form metadata the committer attached.
    pub metadata: String,
    /// When the commit happened (ms).
    pub commit_timestamp: i64,
}

/// Why a key or value could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("__consumer_offsets record: {0}")]
pub struct SchemaError(pub String);

fn put_string(out: &mut Vec<u8>, s: &str) {
    // Kafka's non-flexible string: i16 length. Longer strings are cut at a char boundary
    // (names are validated far below this size).
    let mut end = s.len().min(i16::MAX as usize);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    out.extend_from_slice(&(end as i16).to_be_bytes());
    out.extend_from_slice(&s.as_bytes()[..end]);
}

/// Encodes an OffsetCommitKey (type 1).
pub fn encode_key(key: &OffsetKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(10 + key.group.len() + key.topic.len());
    out.extend_from_slice(&OFFSET_COMMIT_KEY_TYPE.to_be_bytes());
    put_string(&mut out, &key.group);
    put_string(&mut out, &key.topic);
    out.extend_from_slice(&key.partition.to_be_bytes());
    out
}

/// Encodes an OffsetCommitValue v3.
pub fn encode_value(v: &OffsetValue) -> Vec<u8> {
    let mut out = Vec::with_capacity(24 + v.metadata.len());
    out.extend_from_slice(&OFFSET_COMMIT_VALUE_VERSION.to_be_bytes());
    out.extend_from_slice(&v.offset.to_be_bytes());
    out.extend_from_slice(&v.leader_epoch.to_be_bytes());
    put_string(&mut out, &v.metadata);
    out.extend_from_slice(&v.commit_timestamp.to_be_bytes());
    out
}

/// A bounds-checked big-endian reader.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SchemaError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| SchemaError(format!("truncated at byte {}", self.pos)))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], SchemaError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn i16(&mut self) -> Result<i16, SchemaError> {
        Ok(i16::from_be_bytes(self.array()?))
    }
    fn i32(&mut self) -> Result<i32, SchemaError> {
        Ok(i32::from_be_bytes(self.array()?))
    }
    fn i64(&mut self) -> Result<i64, SchemaError> {
        Ok(i64::from_be_bytes(self.array()?))
    }
    fn string(&mut self) -> Result<String, SchemaError> {
        let len = self.i16()?;
        if len < 0 {
            return Err(SchemaError(format!("null string at byte {}", self.pos - 2)));
        }
        let b = self.take(len as usize)?;
        String::from_utf8(b.to_vec()).map_err(|_| SchemaError("string is not UTF-8".into()))
    }
    /// Flexible (compact) string: unsigned varint length + 1.
    fn compact_string(&mut self) -> Result<String, SchemaError> {
        let mut len: u64 = 0;
        for shift in (0..35).step_by(7) {
            let [b] = self.array::<1>()?;
            len |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                let n = len
                    .checked_sub(1)
                    .ok_or_else(|| SchemaError("null compact string".into()))?;
                let b = self.take(n as usize)?;
                return String::from_utf8(b.to_vec())
                    .map_err(|_| SchemaError("string is not UTF-8".into()));
            }
        }
        Err(SchemaError("varint too long".into()))
    }
}

/// Decodes a key: `Ok(Some)` for an offset commit key (type 0 or 1), `Ok(None)` for the
/// other record types (group metadata and newer protocols), an error for garbage.
pub fn decode_key(buf: &[u8]) -> Result<Option<OffsetKey>, SchemaError> {
    let mut r = Reader { buf, pos: 0 };
    match r.i16()? {
        0 | 1 => Ok(Some(OffsetKey {
            group: r.string()?,
            topic: r.string()?,
            partition: r.i32()?,
        })),
        t if t >= 2 => Ok(None),
        t => Err(SchemaError(format!("unknown key type {t}"))),
    }
}

/// Decodes an OffsetCommitValue of any version 0-4.
pub fn decode_value(buf: &[u8]) -> Result<OffsetValue, SchemaError> {
    let mut r = Reader { buf, pos: 0 };
    match r.i16()? {
        v @ 0..=2 => {
            let offset = r.i64()?;
            let metadata = r.string()?;
            let commit_timestamp = r.i64()?;
            if v == 1 {
                r.i64()?; // expireTimestamp
            }
            Ok(OffsetValue {
                offset,
                leader_epoch: -1,
                metadata,
                commit_timestamp,
            })
        }
        3 => Ok(OffsetValue {
            offset: r.i64()?,
            leader_epoch: r.i32()?,
            metadata: r.string()?,
            commit_timestamp: r.i64()?,
        }),
        4 => Ok(OffsetValue {
            offset: r.i64()?,
            leader_epoch: r.i32()?,
            metadata: r.compact_string()?,
            commit_timestamp: r.i64()?,
        }),
        v => Err(SchemaError(format!("unknown offset value version {v}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::batch::{BatchBuilder, BatchOptions};

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    const TS0: i64 = 0x18b_cfe5_6800;

    fn vector() -> (OffsetKey, OffsetValue) {
        (
            OffsetKey {
                group: "my-group".into(),
                topic: "demo".into(),
                partition: 0,
            },
            OffsetValue {
                offset: 42,
                leader_epoch: 0,
                metadata: String::new(),
                commit_timestamp: TS0,
            },
        )
    }

    /// kafka-format.md §9.4, byte for byte.
    #[test]
    fn offset_commit_vector() {
        let (k, v) = vector();
        let key = encode_key(&k);
        let value = encode_value(&v);
        assert_eq!(
            key,
            hex("0001 0008 6d792d67726f7570 0004 64656d6f 00000000")
        );
        assert_eq!(
            value,
            hex("0003 000000000000002a 00000000 0000 0000018bcfe56800")
        );
        assert_eq!(decode_key(&key).unwrap(), Some(k.clone()));
        assert_eq!(decode_value(&value).unwrap(), v);
        assert_eq!(
            crate::record::hash::coordinator_partition("my-group", 50),
            12
        );

        let mut b = BatchBuilder::new(BatchOptions::default());
        b.append(TS0, Some(&key), Some(&value), &[]);
        assert_eq!(
            b.build(0, 0).unwrap(),
            hex(
                "00000000000000000000006600000000020f53154d0000000000000000018bcfe568000000018bcfe56800ffffffffffffffffffffffffffff00000001680000002c000100086d792d67726f7570000464656d6f00000000300003000000000000002a0000000000000000018bcfe5680000"
            )
        );
        let mut b = BatchBuilder::new(BatchOptions::default());
        b.append(TS0, Some(&key), None, &[]);
        assert_eq!(
            b.build(1, 0).unwrap(),
            hex(
                "00000000000000010000004e0000000002d00792b90000000000000000018bcfe568000000018bcfe56800ffffffffffffffffffffffffffff00000001380000002c000100086d792d67726f7570000464656d6f000000000100"
            )
        );
    }

    #[test]
    fn older_versions_and_other_types_decode() {
        let mut v1 = vec![0, 1];
        v1.extend_from_slice(&7i64.to_be_bytes());
        v1.extend_from_slice(&[0, 1, b'm']);
        v1.extend_from_slice(&5i64.to_be_bytes());
        v1.extend_from_slice(&9i64.to_be_bytes());
        let d = decode_value(&v1).unwrap();
        assert_eq!(
            (d.offset, d.leader_epoch, d.metadata.as_str()),
            (7, -1, "m")
        );
        let mut v4 = vec![0, 4];
        v4.extend_from_slice(&8i64.to_be_bytes());
        v4.extend_from_slice(&2i32.to_be_bytes());
        v4.extend_from_slice(&[3, b'a', b'b']);
        v4.extend_from_slice(&5i64.to_be_bytes());
        v4.push(0);
        assert_eq!(decode_value(&v4).unwrap().metadata, "ab");
        assert_eq!(decode_key(&[0, 2, 0, 1, b'g']).unwrap(), None);
    }

    #[test]
    fn garbage_never_panics() {
        let (k, v) = vector();
        let key = encode_key(&k);
        let value = encode_value(&v);
        for n in 0..key.len() {
            assert!(decode_key(&key[..n]).is_err());
        }
        for n in 0..value.len() {
            assert!(decode_value(&value[..n]).is_err());
        }
        assert!(decode_key(&[0xff, 0xff]).is_err());
        assert!(decode_value(&[0, 9]).is_err());
        assert!(
            decode_value(&[
                0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
            ])
            .is_err()
        );
    }
}
