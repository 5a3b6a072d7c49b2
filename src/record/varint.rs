//! Kafka's zigzag varints (`varint` = 32-bit, `varlong` = 64-bit), written by hand because
//! no crate matches Kafka's exact rules: zigzag, then unsigned LEB128, at most 5 bytes for a
//! varint and 10 for a varlong, longer encodings rejected. Also the *unsigned* varint used by
//! flexible-version coordinator messages.

/// Why a varint could not be read. The caller adds the position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarintError {
    /// The bytes ended before the last byte of the varint.
    Truncated,
    /// More than 5 (varint) or 10 (varlong) bytes, or bits beyond the type's width.
    TooLong,
}

impl std::fmt::Display for VarintError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VarintError::Truncated => f.write_str("varint runs past the end of the data"),
            VarintError::TooLong => f.write_str("varint is longer than its type allows"),
        }
    }
}

/// Reads an unsigned LEB128 value of at most `max_bytes` bytes.
/// Returns the value and the number of bytes consumed.
#[inline]
fn read_uleb(buf: &[u8], max_bytes: usize, bits: u32) -> Result<(u64, usize), VarintError> {
    // Fast paths: one and two bytes (values below 16384) cover record lengths, deltas and the
    // sizes of small keys and values; they always fit both types.
    match *buf {
        [b0, ..] if b0 & 0x80 == 0 => return Ok((u64::from(b0), 1)),
        [b0, b1, ..] if b1 & 0x80 == 0 => {
            return Ok((u64::from(b0 & 0x7f) | (u64::from(b1) << 7), 2));
        }
        _ => {}
    }
    let mut value: u64 = 0;
    for i in 0..max_bytes {
        let Some(&b) = buf.get(i) else {
            return Err(VarintError::Truncated);
        };
        let shift = 7 * i as u32;
        let part = u64::from(b & 0x7f);
        // The last allowed byte may only carry the bits that still fit the type.
        if i == max_bytes - 1 && (part >> (bits - shift)) != 0 {
            return Err(VarintError::TooLong);
        }
        value |= part << shift;
        if b & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    Err(VarintError::TooLong)
}

/// Decodes a zigzag varint (Kafka `ByteUtils.readVarint`). Returns (value, bytes consumed).
#[inline]
pub fn read_varint(buf: &[u8]) -> Result<(i32, usize), VarintError> {
    // Fast path: one byte covers -64..=63, the common case for deltas and short lengths.
    if let Some(&b) = buf.first()
        && b & 0x80 == 0
    {
        let u = u32::from(b);
        return Ok((((u >> 1) as i32) ^ -((u & 1) as i32), 1));
    }
    let (u, n) = read_uleb(buf, 5, 32)?;
    let u = u as u32;
    Ok((((u >> 1) as i32) ^ -((u & 1) as i32), n))
}

/// Decodes a zigzag varlong (Kafka `ByteUtils.readVarlong`). Returns (value, bytes consumed).
#[inline]
pub fn read_varlong(buf: &[u8]) -> Result<(i64, usize), VarintError> {
    let (u, n) = read_uleb(buf, 10, 64)?;
    Ok((((u >> 1) as i64) ^ -((u & 1) as i64), n))
}

/// Decodes an unsigned varint (flexible versions' compact lengths). Returns (value, bytes).
pub fn read_unsigned_varint(buf: &[u8]) -> Result<(u32, usize), VarintError> {
    let (u, n) = read_uleb(buf, 5, 32)?;
    Ok((u as u32, n))
}

/// Appends `v` as a zigzag varint.
#[inline]
pub fn write_varint(out: &mut Vec<u8>, v: i32) {
    write_uleb(out, u64::from(((v << 1) ^ (v >> 31)) as u32));
}

/// Appends `v` as a zigzag varlong.
#[inline]
pub fn write_varlong(out: &mut Vec<u8>, v: i64) {
    write_uleb(out, ((v << 1) ^ (v >> 63)) as u64);
}

/// Appends `v` as an unsigned varint.
pub fn write_unsigned_varint(out: &mut Vec<u8>, v: u32) {
    write_uleb(out, u64::from(v));
}

#[inline]
fn write_uleb(out: &mut Vec<u8>, mut u: u64) {
    while u >= 0x80 {
        out.push((u as u8) | 0x80);
        u >>= 7;
    }
    out.push(u as u8);
}

/// Number of bytes `write_varint(v)` produces (Kafka `ByteUtils.sizeOfVarint`).
#[inline]
pub fn varint_size(v: i32) -> usize {
    uleb_size(u64::from(((v << 1) ^ (v >> 31)) as u32))
}

/// Number of bytes `write_varlong(v)` produces.
#[inline]
pub fn varlong_size(v: i64) -> usize {
    uleb_size(((v << 1) ^ (v >> 63)) as u64)
}

#[inline]
fn uleb_size(u: u64) -> usize {
    let bits = 64 - (u | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc32(v: i32) -> Vec<u8> {
        let mut out = Vec::new();
        write_varint(&mut out, v);
        out
    }

    /// Vectors from Kafka's ByteUtilsTest, as listed in kafka-format.md §3.
    #[test]
    fn kafka_vectors() {
        let cases: &[(i32, &[u8])] = &[
            (0, &[0x00]),
            (-1, &[0x01]),
            (1, &[0x02]),
            (63, &[0x7e]),
            (-64, &[0x7f]),
            (64, &[0x80, 0x01]),
            (-65, &[0x81, 0x01]),
            (8191, &[0xfe, 0x7f]),
            (8192, &[0x80, 0x80, 0x01]),
            (i32::MAX, &[0xfe, 0xff, 0xff, 0xff, 0x0f]),
            (i32::MIN, &[0xff, 0xff, 0xff, 0xff, 0x0f]),
        ];
        for &(v, bytes) in cases {
            assert_eq!(enc32(v), bytes, "encode {v}");
            assert_eq!(read_varint(bytes), Ok((v, bytes.len())), "decode {v}");
            assert_eq!(varint_size(v), bytes.len());
        }
        let mut out = Vec::new();
        write_varlong(&mut out, 2_199_023_255_552);
        assert_eq!(out, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
        assert_eq!(read_varlong(&out), Ok((2_199_023_255_552, 7)));
        assert_eq!(varlong_size(2_199_023_255_552), 7);
    }

    #[test]
    fn extremes_round_trip() {
        for v in [i64::MIN, i64::MAX, 0, -1, 1 << 40] {
            let mut out = Vec::new();
            write_varlong(&mut out, v);
            assert_eq!(out.len(), varlong_size(v));
            assert_eq!(read_varlong(&out), Ok((v, out.len())));
        }
    }

    #[test]
    fn rejects_truncated_and_overlong() {
        assert_eq!(read_varint(&[]), Err(VarintError::Truncated));
        assert_eq!(read_varint(&[0x80, 0x80]), Err(VarintError::Truncated));
        assert_eq!(
            read_varint(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
            Err(VarintError::TooLong)
        );
        // Fifth byte carrying bits beyond 32.
        assert_eq!(
            read_varint(&[0xff, 0xff, 0xff, 0xff, 0x1f]),
            Err(VarintError::TooLong)
        );
        assert_eq!(read_varlong(&[0xff; 11]), Err(VarintError::TooLong));
        assert_eq!(
            read_varlong(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]),
            Err(VarintError::TooLong)
        );
    }
}
