//! The two hashes Kafka clients and brokers partition by: murmur2 (keyed records, Java
//! client's `Utils.murmur2`) and Java's `String.hashCode` (group and transactional ids to
//! `__consumer_offsets` / `__transaction_state` partitions). Both written by hand: no crate
//! reproduces Kafka's exact variants.

/// Kafka's `Utils.murmur2`: seed 0x9747b28c, 4-byte little-endian words, signed result.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let len = data.len();
    let mut h: u32 = SEED ^ (len as u32);
    let mut chunks = data.chunks_exact(4);
    for w in &mut chunks {
        let mut k = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = chunks.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (not `abs`).
pub fn to_positive(v: i32) -> i32 {
    v & 0x7fff_ffff
}

/// The partition a keyed record goes to, as Kafka's built-in partitioner computes it.
pub fn partition_for_key(key: &[u8], partitions: u32) -> u32 {
    debug_assert!(partitions > 0);
    (to_positive(murmur2(key)) as u32) % partitions.max(1)
}

/// Java's `String.hashCode`: `h = 31*h + c` over UTF-16 code units, wrapping.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// Kafka's `Utils.abs`, which maps `i32::MIN` to 0 rather than to itself.
pub fn kafka_abs(v: i32) -> i32 {
    if v == i32::MIN { 0 } else { v.abs() }
}

/// The coordinator partition for a group or transactional id (50 partitions by default).
pub fn coordinator_partition(id: &str, partitions: u32) -> u32 {
    (kafka_abs(java_string_hash(id)) as u32) % partitions.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kafka UtilsTest.testMurmur2 and the table in kafka-format.md §8.
    #[test]
    fn murmur2_vectors() {
        let cases: &[(&[u8], i32)] = &[
            (b"21", -973_932_308),
            (b"foobar", -790_332_482),
            (b"a-little-bit-long-string", -985_981_536),
            (b"a-little-bit-longer-string", -1_486_304_829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58_897_971,
            ),
            (b"abc", 479_470_107),
            (b"truckID123", -1_321_292_915),
            (b"a", -1_563_381_124),
            (b"", 275_646_681),
            (b"user-42", 1_459_644_460),
            (b"key-0", 29_210_041),
            (b"hello", 2_132_663_229),
            (b"k1", 1_684_045_097),
            (b"foo", 597_841_616),
            (&[0xff, 0xfe, 0xfd], 998_637_092),
        ];
        for &(key, want) in cases {
            assert_eq!(
                murmur2(key),
                want,
                "murmur2({:?})",
                String::from_utf8_lossy(key)
            );
        }
        assert_eq!(partition_for_key(b"truckID123", 10), 3);
        assert_eq!(partition_for_key(b"truckID123", 3), 0);
        assert_eq!(partition_for_key(b"a", 50), 24);
        assert_eq!(partition_for_key(&[0xff, 0xfe, 0xfd], 50), 42);
    }

    /// kafka-python's partitioner test with 1000 partitions.
    #[test]
    fn kafka_python_partitions() {
        for (key, want) in [
            (&b""[..], 681),
            (b"a", 524),
            (b"ab", 434),
            (b"abc", 107),
            (b"123456789", 566),
            (&[0x00, 0x20], 742),
        ] {
            assert_eq!(partition_for_key(key, 1000), want);
        }
    }

    /// kafka-format.md §7 vectors for group id to `__consumer_offsets` partition.
    #[test]
    fn coordinator_vectors() {
        assert_eq!(java_string_hash("my-group"), -1_906_497_762);
        assert_eq!(java_string_hash("grüppe"), -1_233_264_812);
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
        for (id, p) in [
            ("my-group", 12),
            ("foo", 24),
            ("group", 47),
            ("a", 47),
            ("", 0),
            ("grüppe", 12),
            ("polygenelubricants", 0),
            ("GydZG_", 0),
        ] {
            assert_eq!(coordinator_partition(id, 50), p, "{id}");
        }
    }
}
