//! Confluent's message-index prefix: which message of the schema's file a framed Protobuf
//! value holds. It sits between the schema id and the message bytes:
//! `0x00 | schema id (4 bytes, big-endian) | message indexes | message`.
//!
//! Read from confluentinc/schema-registry (commit 794611bd): `MessageIndexes.toByteArray` and
//! `SchemaId.SchemaMessageIndexes` write the count and then each index with Kafka's
//! `ByteUtils.writeVarint`, which is a zigzag varint of a 32-bit int
//! (`writeUnsignedVarint((value << 1) ^ (value >> 31))` in apache/kafka); the path `[0]` is
//! written as the single byte `0x00` (count 0, an "optimization"), and `readFrom` turns a count
//! of 0 back into `[0]`. `AbstractKafkaProtobufSerializer` writes `[0]` for the first
//! top-level message.
//!
//! Owns: [`write_message_indexes`], [`read_message_indexes`].
//! Must not: write or read the magic byte and schema id.

use super::ProtoError;

/// Confluent's framing of the index path: zigzag varint count then each index as zigzag
/// varint, except [0] which is written as the single byte 0 (count 0). An empty path is
/// written the same way (Confluent's serializer replaces it with [0]).
pub fn write_message_indexes(indexes: &[i32], out: &mut Vec<u8>) {
    if indexes.is_empty() || indexes == [0] {
        out.push(0);
        return;
    }
    // A path longer than i32::MAX cannot be built in memory; saturating keeps this total.
    write_zigzag(i32::try_from(indexes.len()).unwrap_or(i32::MAX), out);
    for &index in indexes {
        write_zigzag(index, out);
    }
}

/// Reads it back from the start of `bytes`: (indexes, bytes consumed). A count of 0 is [0].
/// Hostile counts and varints are errors (a count is bounded by the bytes remaining, as every
/// index takes at least one byte), never a panic.
pub fn read_message_indexes(bytes: &[u8]) -> Result<(Vec<i32>, usize), ProtoError> {
    let (count, mut pos) = read_zigzag(bytes, 0)?;
    if count == 0 {
        return Ok((vec![0], pos));
    }
    let remaining = bytes.len().saturating_sub(pos);
    let count = usize::try_from(count)
        .map_err(|_| ProtoError::Framing(format!("negative index count {count}")))?;
    if count > remaining {
        return Err(ProtoError::Framing(format!(
            "{count} indexes announced but only {remaining} byte(s) follow"
        )));
    }
    let mut indexes = Vec::with_capacity(count);
    for _ in 0..count {
        let (index, next) = read_zigzag(bytes, pos)?;
        indexes.push(index);
        pos = next;
    }
    Ok((indexes, pos))
}

fn write_zigzag(value: i32, out: &mut Vec<u8>) {
    let mut v = ((value << 1) ^ (value >> 31)) as u32;
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A zigzag varint of a 32-bit int at `pos`: (value, position after it). Like Kafka's reader
/// it takes at most 5 bytes; unlike it, bits beyond 32 are an error, not silently dropped
/// (no writer produces them).
fn read_zigzag(bytes: &[u8], pos: usize) -> Result<(i32, usize), ProtoError> {
    let mut v: u32 = 0;
    for i in 0..5 {
        let Some(&b) = bytes.get(pos + i) else {
            return Err(ProtoError::Framing(format!(
                "varint at byte {pos} runs past the end of the value"
            )));
        };
        if i == 4 && b > 0x0f {
            return Err(ProtoError::Framing(format!(
                "varint at byte {pos} does not fit in 32 bits"
            )));
        }
        v |= u32::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            let value = ((v >> 1) as i32) ^ -((v & 1) as i32);
            return Ok((value, pos + i + 1));
        }
    }
    // Unreachable: the fifth byte is at most 0x0f, so it ends the varint.
    Err(ProtoError::Framing(format!(
        "varint at byte {pos} is longer than 5 bytes"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(indexes: &[i32]) -> Vec<u8> {
        let mut out = Vec::new();
        write_message_indexes(indexes, &mut out);
        out
    }

    #[test]
    fn confluent_vectors() {
        // [0] is the single byte 0 (Confluent's DEFAULT_MSG_INDEXES).
        assert_eq!(written(&[0]), [0x00]);
        assert_eq!(written(&[]), [0x00]);
        // Count 2 -> zigzag 4; 1 -> 2; 0 -> 0.
        assert_eq!(written(&[1, 0]), [0x04, 0x02, 0x00]);
        // Count 1, index 1.
        assert_eq!(written(&[1]), [0x02, 0x02]);
        // [2, 1]: count 2 -> 4, 2 -> 4, 1 -> 2.
        assert_eq!(written(&[2, 1]), [0x04, 0x04, 0x02]);
        // 64 -> zigzag 128 -> two varint bytes 0x80 0x01.
        assert_eq!(written(&[64]), [0x02, 0x80, 0x01]);
        // A negative index (no writer makes one, but the encoding is total): -1 -> 1.
        assert_eq!(written(&[-1]), [0x02, 0x01]);
    }

    #[test]
    fn round_trip_and_consumed_length() {
        for path in [
            vec![0],
            vec![1],
            vec![0, 0],
            vec![1, 0],
            vec![2, 1],
            vec![5, 3, 64, 1000],
            vec![i32::MAX, i32::MIN],
        ] {
            let mut bytes = written(&path);
            let len = bytes.len();
            bytes.extend_from_slice(b"\x0a\x03abc");
            assert_eq!(read_message_indexes(&bytes).unwrap(), (path.clone(), len));
        }
        assert_eq!(read_message_indexes(&[0x00, 0x0a]).unwrap(), (vec![0], 1));
    }

    #[test]
    fn hostile_prefixes_are_errors() {
        for bytes in [
            &[][..],
            &[0x80],
            &[0x80, 0x80, 0x80, 0x80],
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
            &[0xff, 0xff, 0xff, 0xff, 0x1f],
            // count 1 (zigzag 2) with nothing after it
            &[0x02],
            // count -1 (zigzag 1)
            &[0x01, 0x00],
            // count 2^30 announced, two bytes follow
            &[0x80, 0x80, 0x80, 0x80, 0x08, 0x00, 0x00],
            // count 2, second index truncated
            &[0x04, 0x02, 0x80],
        ] {
            assert!(read_message_indexes(bytes).is_err(), "{bytes:02x?}");
        }
    }

    #[test]
    fn every_short_input_is_handled() {
        // Exhaustive over two bytes, plus a third byte of each kind: no panic, and a
        // success consumes no more than it was given.
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                for c in [0x00u8, 0x7f, 0x80, 0xff] {
                    let bytes = [a, b, c];
                    if let Ok((_, used)) = read_message_indexes(&bytes) {
                        assert!(used <= bytes.len());
                    }
                }
            }
        }
    }
}
