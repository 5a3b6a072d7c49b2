//! Confluent's wire format, which its serializers (and every client that talks to a Schema
//! Registry) put around a key or value: magic byte `0`, the schema id as a 4-byte big-endian
//! integer, then, for Protobuf only, the message-index path of the record's type in its
//! file, then the encoded record.
//!
//! ```text
//! 00 | 00 00 00 07 | [protobuf: message indexes] | Avro or Protobuf binary
//! ```
//!
//! Owns: adding and recognising that prefix. Must not: look schemas up or decode payloads.

/// The first byte of a framed value.
pub const MAGIC: u8 = 0;
/// Magic byte plus schema id.
pub const HEADER_LEN: usize = 5;

/// The prefix for schema `id`: append it, then the payload.
pub fn header(id: u32) -> [u8; HEADER_LEN] {
    let b = id.to_be_bytes();
    [MAGIC, b[0], b[1], b[2], b[3]]
}

/// The schema id and the bytes after the 5-byte header, when `bytes` starts with one.
///
/// A value that merely begins with a zero byte cannot be told apart from a framed one by its
/// bytes alone; callers decide by whether the id is registered.
pub fn split(bytes: &[u8]) -> Option<(u32, &[u8])> {
    match bytes {
        [MAGIC, a, b, c, d, rest @ ..] => Some((u32::from_be_bytes([*a, *b, *c, *d]), rest)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips() {
        assert_eq!(header(7), [0, 0, 0, 0, 7]);
        assert_eq!(header(0x01020304), [0, 1, 2, 3, 4]);
        let mut framed = header(258).to_vec();
        framed.extend_from_slice(b"payload");
        assert_eq!(split(&framed), Some((258, &b"payload"[..])));
        assert_eq!(split(&[0, 0, 0, 0, 1]), Some((1, &[][..])));
    }

    #[test]
    fn unframed_bytes_are_not_split() {
        assert_eq!(split(b""), None);
        assert_eq!(split(&[0, 0, 0, 1]), None);
        assert_eq!(split(&[1, 0, 0, 0, 1, 9]), None);
        assert_eq!(split(b"{\"a\":1}"), None);
    }
}
