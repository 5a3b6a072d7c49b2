//! Hostile input: random bytes, and valid batches with flipped bits, overwritten, inserted
//! or removed bytes, truncations, and length/count/varint fields set to values such as
//! 0x7FFFFFFF, -1 or i32::MIN. Every reader entry point must return `Ok` or `Err`, never
//! panic, and never allocate beyond what the decompression cap allows. Also: every
//! single-bit flip under the CRC is detected, truncation at any length is refused, and
//! decompression bombs of every codec are refused.

use proptest::collection::vec;
use proptest::prelude::*;

use super::{alloc_track, config, model_batch};
use crate::record::batch::{
    BATCH_HEADER_LEN, BATCH_PREFIX_LEN, BatchBuilder, BatchIter, BatchOptions, BatchRef,
    Corruption, MAX_BATCH_BYTES, MAX_DECOMPRESSED_BYTES,
};
use crate::record::compression::{self, Compression};
use crate::record::{control, varint};

/// Most bytes decoding `buf` may allocate. Without compression the reader is zero-copy, so
/// only owned copies of what was decoded count (a record or header struct per 2+ bytes);
/// a compressed batch adds up to the decompressed cap, which a growing Vec may double.
fn allocation_limit(buf: &[u8]) -> usize {
    let copies = 64 * buf.len() + (64 << 10);
    let compressed = BatchIter::new(buf, 0, MAX_BATCH_BYTES)
        .map_while(Result::ok)
        .any(|b| b.compression() != Compression::None);
    if compressed {
        copies + 2 * MAX_DECOMPRESSED_BYTES
    } else {
        copies
    }
}

/// Drives every reader entry point over `buf`; must not panic whatever `buf` holds.
/// Returns the number of records decoded without error.
fn exercise(buf: &[u8]) -> usize {
    let mut records = 0;
    let mut iter = BatchIter::new(buf, 0, MAX_BATCH_BYTES);
    let mut end = 0;
    for b in iter.by_ref() {
        let Ok(b) = b else { break };
        assert_eq!(b.position() as usize, end);
        assert_eq!(b.bytes(), &buf[end..end + b.header().size()]);
        end += b.bytes().len();
        records += exercise_batch(&b);
    }
    assert_eq!(iter.consumed(), end);
    assert!(
        iter.next().is_none(),
        "BatchIter is fused after an error or the end"
    );
    // Direct parses, with tight caps too.
    for cap in [BATCH_HEADER_LEN, 4096, MAX_BATCH_BYTES] {
        if let Ok(b) = BatchRef::parse(buf, 7, cap) {
            assert!(b.bytes().len() <= cap);
            let _ = b.verify_crc();
        }
    }
    records
}

fn exercise_batch(b: &BatchRef<'_>) -> usize {
    let h = b.header();
    let _ = (
        h.last_offset(),
        h.next_offset(),
        h.size(),
        h.last_sequence(),
    );
    let _ = (h.attributes.timestamp_type(), h.attributes.is_control());
    let _ = b.verify_crc();
    let _ = b.computed_crc();
    let mut ok = 0;
    if let Ok(data) = b.records_data()
        && let Ok(iter) = b.records(&data)
    {
        for r in iter {
            let Ok(r) = r else { break };
            assert!(r.headers().count() == r.header_count());
            let _ = r.to_owned();
            let _ = control::end_txn_marker(r.key, r.value);
            ok += 1;
        }
    }
    if let Ok(all) = b.to_records() {
        assert_eq!(all.len(), h.records_count as usize);
    }
    ok
}

/// `exercise`, asserting the allocation bound.
fn exercise_bounded(buf: &[u8]) {
    let (_, peak) = alloc_track::peak_during(|| exercise(buf));
    assert!(
        peak <= allocation_limit(buf),
        "decoding {} bytes allocated {peak} bytes",
        buf.len()
    );
}

/// Writes the 61-byte header for `records` (a records section, uncompressed) the way
/// BatchBuilder would, compressed with `codec`, with a correct length and CRC.
fn wrap(header: &[u8], codec: Compression, records: &[u8]) -> Vec<u8> {
    let mut out = header[..BATCH_HEADER_LEN].to_vec();
    let attrs = (i16::from_be_bytes([out[21], out[22]]) & !7) | i16::from(codec.id());
    out[21..23].copy_from_slice(&attrs.to_be_bytes());
    out.extend_from_slice(&compression::compress(codec, records).unwrap());
    fix_length(&mut out);
    fix_crc(&mut out);
    out
}

fn fix_length(batch: &mut [u8]) {
    if batch.len() >= 12 {
        let len = (batch.len() - 12) as i32;
        batch[8..12].copy_from_slice(&len.to_be_bytes());
    }
}

fn fix_crc(batch: &mut [u8]) {
    if batch.len() >= BATCH_HEADER_LEN {
        let crc = crc32c::crc32c(&batch[21..]);
        batch[17..21].copy_from_slice(&crc.to_be_bytes());
    }
}

/// Positions, sizes and kinds (true = varlong) of every varint in a well-formed,
/// uncompressed records section.
fn varint_fields(records: &[u8], count: usize) -> Vec<(usize, usize, bool)> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut int = |pos: &mut usize, long: bool| -> i64 {
        let (v, n) = if long {
            varint::read_varlong(&records[*pos..]).unwrap()
        } else {
            let (v, n) = varint::read_varint(&records[*pos..]).unwrap();
            (i64::from(v), n)
        };
        out.push((*pos, n, long));
        *pos += n;
        v
    };
    for _ in 0..count {
        int(&mut pos, false); // length
        pos += 1; // attributes
        int(&mut pos, true); // timestamp delta
        int(&mut pos, false); // offset delta
        for _ in 0..2 {
            let len = int(&mut pos, false); // key, value
            pos += len.max(0) as usize;
        }
        let headers = int(&mut pos, false);
        for _ in 0..headers {
            for _ in 0..2 {
                let len = int(&mut pos, false);
                pos += len.max(0) as usize;
            }
        }
    }
    assert_eq!(pos, records.len());
    out
}

/// Values that break naive length and count handling.
fn hostile_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        prop::sample::select(vec![
            0,
            1,
            -1,
            -2,
            7,
            48,
            49,
            61,
            0x7FFF_FFFF,
            0x7FFF_FFFE,
            i64::from(i32::MIN),
            i64::from(i32::MIN) + 1,
            0xFFFF_FFFF,
            i64::MAX,
            i64::MIN,
        ]),
        any::<i64>(),
        -300i64..300,
    ]
}

/// A fixed-width header field of a v2 batch (kafka-format.md §2): position and width.
const HEADER_FIELDS: [(usize, usize); 13] = [
    (0, 8),  // baseOffset
    (8, 4),  // length
    (12, 4), // partitionLeaderEpoch
    (16, 1), // magic
    (17, 4), // crc
    (21, 2), // attributes
    (23, 4), // lastOffsetDelta
    (27, 8), // baseTimestamp
    (35, 8), // maxTimestamp
    (43, 8), // producerId
    (51, 2), // producerEpoch
    (53, 4), // baseSequence
    (57, 4), // recordsCount
];

#[derive(Debug, Clone)]
enum RecordsMutation {
    None,
    /// Replace the `which`-th varint (modulo their number) with `value`'s encoding.
    Varint {
        which: usize,
        value: i64,
    },
    /// Replace the `which`-th varint with raw bytes (overlong, unterminated encodings).
    RawVarint {
        which: usize,
        raw: Vec<u8>,
    },
    /// Overwrite one byte.
    Byte {
        at: usize,
        byte: u8,
    },
    /// Append garbage after the last record.
    Trailing(Vec<u8>),
}

#[derive(Debug, Clone)]
enum BatchMutation {
    None,
    FlipBit {
        at: usize,
        bit: u8,
    },
    Overwrite {
        at: usize,
        byte: u8,
    },
    Truncate {
        len: usize,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    Remove {
        at: usize,
        n: usize,
    },
    /// Set a header field (index into HEADER_FIELDS) to a value, truncated to its width.
    Field {
        field: usize,
        value: i64,
    },
}

fn records_mutation() -> impl Strategy<Value = RecordsMutation> {
    prop_oneof![
        1 => Just(RecordsMutation::None),
        4 => (any::<usize>(), hostile_i64())
            .prop_map(|(which, value)| RecordsMutation::Varint { which, value }),
        1 => (
            any::<usize>(),
            prop::sample::select(vec![
                vec![0xffu8; 5],
                vec![0xff; 6],
                vec![0x80; 11],
                vec![0xff, 0xff, 0xff, 0xff, 0x1f],
                vec![0x80],
                vec![],
            ]),
        )
            .prop_map(|(which, raw)| RecordsMutation::RawVarint { which, raw }),
        2 => (any::<usize>(), any::<u8>())
            .prop_map(|(at, byte)| RecordsMutation::Byte { at, byte }),
        1 => vec(any::<u8>(), 1..12).prop_map(RecordsMutation::Trailing),
    ]
}

fn batch_mutation() -> impl Strategy<Value = BatchMutation> {
    prop_oneof![
        1 => Just(BatchMutation::None),
        3 => (any::<usize>(), 0u8..8).prop_map(|(at, bit)| BatchMutation::FlipBit { at, bit }),
        2 => (any::<usize>(), any::<u8>())
            .prop_map(|(at, byte)| BatchMutation::Overwrite { at, byte }),
        2 => any::<usize>().prop_map(|len| BatchMutation::Truncate { len }),
        1 => (any::<usize>(), vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| BatchMutation::Insert { at, bytes }),
        1 => (any::<usize>(), 1usize..16).prop_map(|(at, n)| BatchMutation::Remove { at, n }),
        4 => (0..HEADER_FIELDS.len(), hostile_i64())
            .prop_map(|(field, value)| BatchMutation::Field { field, value }),
    ]
}

fn mutate_records(records: &mut Vec<u8>, count: usize, m: &RecordsMutation) {
    let fields = varint_fields(records, count);
    let replace = |records: &mut Vec<u8>, which: usize, new: &[u8]| {
        let (pos, len, _) = fields[which % fields.len()];
        records.splice(pos..pos + len, new.iter().copied());
    };
    match m {
        RecordsMutation::None => {}
        RecordsMutation::Varint { which, value } => {
            let (_, _, long) = fields[which % fields.len()];
            let mut enc = Vec::new();
            if long {
                varint::write_varlong(&mut enc, *value);
            } else {
                varint::write_varint(&mut enc, *value as i32);
            }
            replace(records, *which, &enc);
        }
        RecordsMutation::RawVarint { which, raw } => replace(records, *which, raw),
        RecordsMutation::Byte { at, byte } => {
            if !records.is_empty() {
                let at = at % records.len();
                records[at] = *byte;
            }
        }
        RecordsMutation::Trailing(extra) => records.extend_from_slice(extra),
    }
}

fn mutate_batch(b: &mut Vec<u8>, m: &BatchMutation) {
    let len = b.len();
    match m {
        BatchMutation::None => {}
        BatchMutation::FlipBit { at, bit } => b[at % len] ^= 1 << bit,
        BatchMutation::Overwrite { at, byte } => b[at % len] = *byte,
        BatchMutation::Truncate { len: keep } => b.truncate(keep % (len + 1)),
        BatchMutation::Insert { at, bytes } => {
            let at = at % (len + 1);
            b.splice(at..at, bytes.iter().copied());
        }
        BatchMutation::Remove { at, n } => {
            let at = at % len;
            b.drain(at..(at + n).min(len));
        }
        BatchMutation::Field { field, value } => {
            let (pos, width) = HEADER_FIELDS[*field];
            let be = value.to_be_bytes();
            b[pos..pos + width].copy_from_slice(&be[8 - width..]);
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Random byte strings.
    #[test]
    fn random_bytes_never_panic(buf in vec(any::<u8>(), 0..600)) {
        exercise_bounded(&buf);
    }

    /// Random bytes behind a plausible header: magic 2, a length that fits, a known codec,
    /// optionally a correct CRC, so the reader gets past the framing into the records.
    #[test]
    fn random_bodies_never_panic(
        header in vec(any::<u8>(), BATCH_HEADER_LEN),
        body in vec(any::<u8>(), 0..400),
        codec in 0u8..8,
        count in prop_oneof![0i32..8, any::<i32>()],
        good_crc in any::<bool>(),
        tail in vec(any::<u8>(), 0..40),
    ) {
        let mut b = header;
        b[16] = 2;
        b[22] = (b[22] & !7) | codec;
        b[57..61].copy_from_slice(&count.to_be_bytes());
        b.extend_from_slice(&body);
        fix_length(&mut b);
        if good_crc {
            fix_crc(&mut b);
        }
        b.extend_from_slice(&tail);
        exercise_bounded(&b);
    }
}

proptest! {
    #![proptest_config(config(384))]

    /// Valid batches, mutated inside the records (before compression, with the CRC fixed,
    /// so the record decoder sees the damage behind every codec) and then in the batch.
    #[test]
    fn mutated_batches_never_panic(
        m in model_batch(12),
        rm in records_mutation(),
        bm in batch_mutation(),
        recompute_crc in any::<bool>(),
    ) {
        // The same records uncompressed, to reach the records section.
        let mut plain = m.builder_with(Compression::None).build(5, m.leader_epoch).unwrap();
        let mut records = plain.split_off(BATCH_HEADER_LEN);
        mutate_records(&mut records, m.records.len(), &rm);
        let mut batch = wrap(&plain, m.opts.compression, &records);
        mutate_batch(&mut batch, &bm);
        if recompute_crc {
            fix_crc(&mut batch);
        }
        exercise_bounded(&batch);
        // Behind a valid batch, and followed by one.
        let good = m.builder().build(0, 0).unwrap();
        let mut log = good.clone();
        log.extend_from_slice(&batch);
        log.extend_from_slice(&good);
        exercise_bounded(&log);
    }
}

// ---------------------------------------------------------------------------------------
// Deterministic checks.

const TS0: i64 = 1_700_000_000_000;

/// A fixed batch with a bit of everything: keys, nulls, headers, a negative delta.
fn sample_batch(codec: Compression, records: usize) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions {
        compression: codec,
        producer_id: 77,
        producer_epoch: 1,
        base_sequence: 5,
        transactional: true,
        ..BatchOptions::default()
    });
    for i in 0..records {
        let key = format!("key-{i}");
        let value = format!("value {i} value {i} value {i}");
        let ts = TS0 + (i as i64 % 3) * 10 - 5;
        match i % 3 {
            0 => b.append(ts, Some(key.as_bytes()), Some(value.as_bytes()), &[]),
            1 => b.append(ts, None, Some(value.as_bytes()), &[(b"dup", None)]),
            _ => b.append(
                ts,
                Some(key.as_bytes()),
                None,
                &[(b"dup", Some(b"a")), (b"dup", Some(b""))],
            ),
        }
    }
    b.build(100, 3).unwrap()
}

/// Every single-bit flip in the CRC field or the bytes it covers (byte 17 to the end) is
/// caught: by `parse` when it breaks a checked field, otherwise by `verify_crc`.
fn assert_every_flip_detected(good: &[u8]) {
    BatchRef::parse(good, 0, MAX_BATCH_BYTES)
        .unwrap()
        .verify_crc()
        .unwrap();
    let mut b = good.to_vec();
    for at in 17..b.len() {
        for bit in 0..8 {
            b[at] ^= 1 << bit;
            if let Ok(r) = BatchRef::parse(&b, 0, MAX_BATCH_BYTES) {
                let e = r.verify_crc().unwrap_err();
                assert!(
                    matches!(e.kind, Corruption::BadCrc { .. }),
                    "byte {at} bit {bit}: {e}"
                );
            }
            b[at] ^= 1 << bit;
        }
    }
    // Flips before the CRC field (base offset, length, leader epoch, magic) are outside
    // the CRC by design; they must still not panic.
    for at in 0..17 {
        for bit in 0..8 {
            b[at] ^= 1 << bit;
            exercise(&b);
            b[at] ^= 1 << bit;
        }
    }
}

#[test]
fn every_bit_flip_under_the_crc_is_detected() {
    for codec in Compression::ALL {
        assert_every_flip_detected(&sample_batch(codec, 9));
    }
    assert_every_flip_detected(
        &control::end_txn_batch(true, 1000, 0, 0, TS0)
            .build(2, 0)
            .unwrap(),
    );
}

proptest! {
    #![proptest_config(config(12))]

    #[test]
    fn every_bit_flip_in_random_batches_is_detected(m in model_batch(6)) {
        assert_every_flip_detected(&m.builder().build(0, m.leader_epoch).unwrap());
    }
}

/// A batch cut at any length is refused as too short, and a log cut anywhere yields the
/// complete batches before the cut and then an error (a torn tail), never a partial batch.
#[test]
fn truncation_at_every_length_is_refused() {
    for codec in Compression::ALL {
        let first = sample_batch(codec, 5);
        let second = sample_batch(codec, 2);
        for len in 0..first.len() {
            let e = BatchRef::parse(&first[..len], 0, MAX_BATCH_BYTES).unwrap_err();
            let need = if len < BATCH_PREFIX_LEN {
                BATCH_PREFIX_LEN
            } else {
                first.len()
            };
            assert_eq!(e.kind, Corruption::TooShort { have: len, need });
        }
        let mut log = first.clone();
        log.extend_from_slice(&second);
        for len in 0..=log.len() {
            let results: Vec<_> = BatchIter::new(&log[..len], 0, MAX_BATCH_BYTES).collect();
            let complete = usize::from(len >= first.len()) + usize::from(len == log.len());
            let torn = len != 0 && len != first.len() && len != log.len();
            assert_eq!(results.len(), complete + usize::from(torn), "len {len}");
            assert!(results[..complete].iter().all(Result::is_ok));
            if torn {
                let e = results[complete].as_ref().unwrap_err();
                assert!(matches!(e.kind, Corruption::TooShort { .. }), "{e}");
                let start = if complete == 1 { first.len() } else { 0 };
                assert_eq!(e.position, start as u64);
            }
            exercise_bounded(&log[..len]);
        }
    }
}

/// Length, count and last-offset-delta fields set to hostile values (CRC recomputed, so
/// only the field itself is wrong) are refused without panicking or allocating for them.
#[test]
fn hostile_header_fields_are_refused() {
    let good = sample_batch(Compression::None, 4);
    let hostile = [0x7FFF_FFFFi32, 0x7FFF_FFFE, -1, -2, i32::MIN, 0, 1, 48];
    for (pos, name) in [(8, "length"), (57, "count"), (23, "lastOffsetDelta")] {
        for v in hostile {
            let mut b = good.clone();
            b[pos..pos + 4].copy_from_slice(&v.to_be_bytes());
            fix_crc(&mut b);
            exercise_bounded(&b);
            let parsed = BatchRef::parse(&b, 0, MAX_BATCH_BYTES);
            match (name, v) {
                ("length", _) => {
                    assert!(parsed.is_err(), "length {v} accepted");
                }
                ("count", v) if v < 0 => assert!(matches!(
                    parsed.unwrap_err().kind,
                    Corruption::BadCount { .. }
                )),
                // More records than the 4 offsets the batch spans.
                ("count", v) if v > 4 => assert!(matches!(
                    parsed.unwrap_err().kind,
                    Corruption::CountPastOffsets { .. }
                )),
                ("count", _) => {
                    // Too many or too few records: an error while iterating, never success.
                    let r = parsed.unwrap();
                    let data = r.records_data().unwrap();
                    let all: Result<Vec<_>, _> = r.records(&data).and_then(|it| it.collect());
                    assert!(all.is_err(), "count {v} accepted");
                }
                (_, v) if v < 0 => assert!(matches!(
                    parsed.unwrap_err().kind,
                    Corruption::BadLastOffsetDelta(_)
                )),
                // Fewer offsets than the 4 records need.
                (_, v) if v < 3 => assert!(matches!(
                    parsed.unwrap_err().kind,
                    Corruption::CountPastOffsets { .. }
                )),
                _ => {
                    // More offsets than records is fine (compaction leaves gaps), as in
                    // Kafka; the records still decode.
                    parsed.unwrap().to_records().unwrap();
                }
            }
        }
    }
}

/// Record-level varints (record length, offset delta, key/value lengths, header count,
/// header key/value lengths) set to hostile values with a valid CRC make the batch fail to
/// decode, behind any codec. A timestamp delta may hold any value: that batch decodes when
/// the new encoding has the old size, and fails on the record length otherwise.
#[test]
fn hostile_record_fields_are_refused() {
    let good = sample_batch(Compression::None, 3);
    let records = &good[BATCH_HEADER_LEN..];
    for (pos, len, long) in varint_fields(records, 3) {
        for v in [0x7FFF_FFFFi64, 0x7FFF_FFFE, -2, i64::from(i32::MIN)] {
            let mut enc = Vec::new();
            if long {
                varint::write_varlong(&mut enc, v);
            } else {
                varint::write_varint(&mut enc, v as i32);
            }
            let same_size = enc.len() == len;
            let mut r = records.to_vec();
            r.splice(pos..pos + len, enc);
            for codec in [Compression::None, Compression::Lz4] {
                let b = wrap(&good, codec, &r);
                exercise_bounded(&b);
                let decoded = BatchRef::parse(&b, 0, MAX_BATCH_BYTES)
                    .unwrap()
                    .to_records();
                if long && same_size {
                    decoded.unwrap();
                } else {
                    assert!(
                        decoded.is_err(),
                        "{codec}: varint at {pos} set to {v} was accepted"
                    );
                }
            }
        }
    }
}

/// Builds a batch around an already-compressed records section.
fn batch_with_raw_records(codec: Compression, compressed: &[u8]) -> Vec<u8> {
    let mut b = sample_batch(Compression::None, 1)[..BATCH_HEADER_LEN].to_vec();
    b[22] = (b[22] & !7) | codec.id();
    b.extend_from_slice(compressed);
    fix_length(&mut b);
    fix_crc(&mut b);
    b
}

/// Compressed records sections that inflate past MAX_DECOMPRESSED_BYTES, made cheaply by
/// repeating one compressed block (no 32 MiB compression in a debug build).
fn bombs() -> Vec<(Compression, Vec<u8>)> {
    use std::io::Write;
    const BLOCK: usize = 64 << 10;
    let copies = MAX_DECOMPRESSED_BYTES / BLOCK + 8;
    let zeros = vec![0u8; BLOCK];
    let mut out = Vec::new();

    // gzip: a deflate stream whose middle (between two sync flushes, byte aligned) is one
    // 64 KiB run of zeros; repeating it keeps the stream valid.
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&zeros).unwrap();
    enc.flush().unwrap();
    let a = enc.get_ref().len();
    enc.write_all(&zeros).unwrap();
    enc.flush().unwrap();
    let b = enc.get_ref().len();
    let deflate = enc.finish().unwrap();
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    gz.extend_from_slice(&deflate[..a]);
    for _ in 0..copies {
        gz.extend_from_slice(&deflate[a..b]);
    }
    gz.extend_from_slice(&deflate[b..]);
    gz.extend_from_slice(&[0; 8]); // CRC and size: never reached
    out.push((Compression::Gzip, gz));

    // snappy (xerial): the same block over and over; and a raw block claiming 4 GiB.
    let block = snap::raw::Encoder::new().compress_vec(&zeros).unwrap();
    let mut xerial = compression::compress(Compression::Snappy, b"").unwrap()[..16].to_vec();
    for _ in 0..copies {
        xerial.extend_from_slice(&(block.len() as u32).to_be_bytes());
        xerial.extend_from_slice(&block);
    }
    out.push((Compression::Snappy, xerial));
    out.push((
        Compression::Snappy,
        vec![0xff, 0xff, 0xff, 0xff, 0x0f, 0x00],
    ));

    // lz4: a frame of one independent 64 KiB block (no checksums), the block repeated.
    let one = compression::compress(Compression::Lz4, &zeros).unwrap();
    let (head, rest) = one.split_at(7);
    let block = &rest[..rest.len() - 4];
    let mut lz4 = head.to_vec();
    for _ in 0..copies {
        lz4.extend_from_slice(block);
    }
    lz4.extend_from_slice(&[0; 4]);
    out.push((Compression::Lz4, lz4));

    // zstd: a frame of RLE blocks, 128 KiB of zeros per 4 bytes.
    let mut zstd = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50]; // no content size, 1 MiB window
    let rle_blocks = MAX_DECOMPRESSED_BYTES / (128 << 10) + 4;
    for i in 0..rle_blocks {
        let last = u32::from(i + 1 == rle_blocks);
        let header = ((128u32 << 10) << 3) | (1 << 1) | last;
        zstd.extend_from_slice(&header.to_le_bytes()[..3]);
        zstd.push(0);
    }
    out.push((Compression::Zstd, zstd));
    out
}

/// A batch whose records section decompresses past the cap is refused (with the codec's
/// "more than <cap> bytes" error, which also shows each bomb is a valid stream up to the
/// cap), and decoding it allocates no more than the cap allows.
#[test]
fn decompression_bombs_are_refused() {
    for (codec, bomb) in bombs() {
        let b = batch_with_raw_records(codec, &bomb);
        assert!(
            b.len() <= MAX_BATCH_BYTES,
            "{codec} bomb is {} bytes",
            b.len()
        );
        let r = BatchRef::parse(&b, 0, MAX_BATCH_BYTES).unwrap();
        r.verify_crc().unwrap();
        let (res, peak) = alloc_track::peak_during(|| r.records_data().map(|d| d.len()));
        let e = res.unwrap_err();
        assert!(
            matches!(&e.kind, Corruption::Codec(m) if m.contains("more than")),
            "{codec}: {e}"
        );
        assert!(peak <= allocation_limit(&b), "{codec}: {peak} bytes");
        exercise_bounded(&b);
    }
}

/// Caps smaller than the log overhead are a caller's mistake, not a reason to panic.
#[test]
fn tiny_caps_do_not_panic() {
    let good = sample_batch(Compression::None, 2);
    for cap in 0..=BATCH_HEADER_LEN {
        assert!(BatchRef::parse(&good, 0, cap).is_err());
        assert!(BatchIter::new(&good, 0, cap).all(|r| r.is_err()));
    }
}
