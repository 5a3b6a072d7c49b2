//! Property tests for the batch codec (kafka-format.md §2-3), with fixed seeds so every run
//! tries the same cases:
//!
//! - random batches (every codec, both timestamp types, idempotent and transactional
//!   producers, null/empty/binary keys and values, null header values, duplicate header keys,
//!   negative timestamp deltas) written by [`BatchBuilder`] read back identically through
//!   [`BatchIter`] and [`BatchRef`], CRC and header fields included;
//! - in [`hostile`]: hostile bytes (random strings, and valid batches with flipped bits, overwritten,
//!   inserted or removed bytes, truncations, and length/count/varint fields set to values such
//!   as 0x7FFFFFFF, -1 or i32::MIN) give `Ok` or `Err`, never a panic, and never allocate
//!   more than the decompression cap allows (measured by [`alloc_track`]);
//!   every single-bit flip in the CRC field or the bytes it covers is detected, a batch
//!   truncated at any length is refused, decompression bombs are refused.
//!
//! Run them with `cargo test --lib record::proptests` (about 5 s in a debug build).

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use super::Compression;
use super::batch::{
    BatchBuilder, BatchIter, BatchOptions, BatchRef, Header, MAX_BATCH_BYTES, Record, TimestampType,
};

/// Deterministic runs: a fixed seed, no regression files written into the source tree.
fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x66_696c_6b61),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

mod alloc_track;
mod hostile;

// ---------------------------------------------------------------------------------------
// The model: what a batch should contain.

#[derive(Debug, Clone)]
struct ModelRecord {
    timestamp: i64,
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    headers: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

#[derive(Debug, Clone)]
struct ModelBatch {
    opts: BatchOptions,
    leader_epoch: i32,
    records: Vec<ModelRecord>,
}

impl ModelBatch {
    fn builder(&self) -> BatchBuilder {
        self.builder_with(self.opts.compression)
    }

    fn builder_with(&self, compression: Compression) -> BatchBuilder {
        let mut b = BatchBuilder::new(BatchOptions {
            compression,
            ..self.opts
        });
        for r in &self.records {
            let headers: Vec<(&[u8], Option<&[u8]>)> = r
                .headers
                .iter()
                .map(|(k, v)| (k.as_slice(), v.as_deref()))
                .collect();
            let predicted =
                b.record_size(r.timestamp, r.key.as_deref(), r.value.as_deref(), &headers);
            let before = b.uncompressed_size();
            b.append(r.timestamp, r.key.as_deref(), r.value.as_deref(), &headers);
            assert_eq!(b.uncompressed_size() - before, predicted, "record_size");
        }
        b
    }

    fn max_timestamp(&self) -> i64 {
        self.records.iter().map(|r| r.timestamp).max().unwrap_or(-1)
    }

    /// Kafka's rule: base sequence + offset delta, wrapping from i32::MAX to 0; -1 when the
    /// batch has no sequence.
    fn sequence(&self, delta: i32) -> i32 {
        let base = self.opts.base_sequence;
        if base < 0 {
            return -1;
        }
        let s = i64::from(base) + i64::from(delta);
        if s > i64::from(i32::MAX) {
            (s - i64::from(i32::MAX) - 1) as i32
        } else {
            s as i32
        }
    }

    /// The records a reader must return when the batch starts at `base_offset`.
    fn expected(&self, base_offset: i64) -> Vec<Record> {
        let lat = self.opts.timestamp_type == TimestampType::LogAppendTime;
        self.records
            .iter()
            .enumerate()
            .map(|(i, r)| Record {
                offset: base_offset + i as i64,
                timestamp: if lat {
                    self.max_timestamp()
                } else {
                    r.timestamp
                },
                key: r.key.clone(),
                value: r.value.clone(),
                headers: r
                    .headers
                    .iter()
                    .map(|(k, v)| Header {
                        key: k.clone(),
                        value: v.clone(),
                    })
                    .collect(),
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Strategies.

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => vec(any::<u8>(), 0..24),
        // Across the one/two-byte varint length boundary (64).
        1 => vec(any::<u8>(), 60..140),
    ]
}

fn nullable_bytes() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(Vec::new())),
        4 => bytes().prop_map(Some),
    ]
}

fn header_key() -> impl Strategy<Value = Vec<u8>> {
    // A small alphabet makes duplicate keys common.
    prop_oneof![
        3 => Just(b"dup".to_vec()),
        1 => Just(Vec::new()),
        1 => Just("clé".as_bytes().to_vec()),
        2 => vec(any::<u8>(), 0..8),
    ]
}

fn timestamp_near(base: i64) -> impl Strategy<Value = i64> {
    prop_oneof![
        // Small deltas, negative ones included.
        8 => (-5_000i64..5_000).prop_map(move |d| base.saturating_add(d)),
        // Deltas that need long varlongs, and extremes.
        1 => any::<i64>(),
        1 => Just(-1i64),
    ]
}

fn record(base_ts: i64) -> impl Strategy<Value = ModelRecord> {
    (
        timestamp_near(base_ts),
        nullable_bytes(),
        nullable_bytes(),
        vec((header_key(), nullable_bytes()), 0..=4),
    )
        .prop_map(|(timestamp, key, value, headers)| ModelRecord {
            timestamp,
            key,
            value,
            headers,
        })
}

fn producer() -> impl Strategy<Value = (i64, i16, i32)> {
    prop_oneof![
        Just((-1i64, -1i16, -1i32)),
        (any::<i64>(), any::<i16>(), any::<i32>()),
        // Sequences that wrap from i32::MAX to 0 inside the batch.
        (0..i64::MAX, 0..=i16::MAX, (i32::MAX - 250)..=i32::MAX),
    ]
}

fn options() -> impl Strategy<Value = BatchOptions> {
    (
        prop::sample::select(Compression::ALL.to_vec()),
        any::<bool>(),
        producer(),
        any::<bool>(),
    )
        .prop_map(
            |(compression, lat, (producer_id, producer_epoch, base_sequence), transactional)| {
                BatchOptions {
                    compression,
                    timestamp_type: if lat {
                        TimestampType::LogAppendTime
                    } else {
                        TimestampType::CreateTime
                    },
                    producer_id,
                    producer_epoch,
                    base_sequence,
                    transactional,
                    control: false,
                }
            },
        )
}

fn model_batch(max_records: usize) -> impl Strategy<Value = ModelBatch> {
    let base_ts = prop_oneof![
        4 => 1_600_000_000_000i64..1_900_000_000_000,
        1 => Just(0i64),
        1 => any::<i64>(),
    ];
    (options(), any::<i32>(), base_ts).prop_flat_map(move |(opts, leader_epoch, base_ts)| {
        vec(record(base_ts), 1..=max_records).prop_map(move |records| ModelBatch {
            opts,
            leader_epoch,
            records,
        })
    })
}

// ---------------------------------------------------------------------------------------
// Round trips.

fn check_batch(b: &BatchRef<'_>, m: &ModelBatch, base_offset: i64) {
    b.verify_crc().unwrap();
    assert_eq!(b.computed_crc(), b.header().crc);
    let h = *b.header();
    let n = m.records.len() as i64;
    assert_eq!(h.base_offset, base_offset);
    assert_eq!(h.length as usize, b.bytes().len() - 12);
    assert_eq!(h.size(), b.bytes().len());
    assert_eq!(h.partition_leader_epoch, m.leader_epoch);
    assert_eq!(h.magic, 2);
    assert_eq!(h.attributes.compression(), Some(m.opts.compression));
    assert_eq!(b.compression(), m.opts.compression);
    assert_eq!(h.attributes.timestamp_type(), m.opts.timestamp_type);
    assert_eq!(h.attributes.is_transactional(), m.opts.transactional);
    assert!(!h.attributes.is_control());
    assert!(!h.attributes.has_delete_horizon());
    assert_eq!(h.attributes.0 & !0x1f, 0, "unused attribute bits are 0");
    assert_eq!(i64::from(h.last_offset_delta), n - 1);
    assert_eq!(h.last_offset(), base_offset + n - 1);
    assert_eq!(h.next_offset(), base_offset + n);
    assert_eq!(i64::from(h.records_count), n);
    assert_eq!(h.base_timestamp, m.records[0].timestamp);
    assert_eq!(h.max_timestamp, m.max_timestamp());
    assert_eq!(h.producer_id, m.opts.producer_id);
    assert_eq!(h.producer_epoch, m.opts.producer_epoch);
    assert_eq!(h.base_sequence, m.opts.base_sequence);
    assert_eq!(h.last_sequence(), m.sequence(h.last_offset_delta));

    let expected = m.expected(base_offset);
    let data = b.records_data().unwrap();
    let mut seen = 0;
    for (i, r) in b.records(&data).unwrap().enumerate() {
        let r = r.unwrap();
        let want = &expected[i];
        assert_eq!(r.offset, want.offset);
        assert_eq!(r.timestamp, want.timestamp);
        assert_eq!(r.attributes, 0);
        assert_eq!(r.key, want.key.as_deref());
        assert_eq!(r.value, want.value.as_deref());
        assert_eq!(r.sequence, m.sequence(i as i32));
        assert_eq!(r.header_count(), want.headers.len());
        let headers: Vec<(&[u8], Option<&[u8]>)> = r.headers().collect();
        let want_headers: Vec<(&[u8], Option<&[u8]>)> = want
            .headers
            .iter()
            .map(|h| (h.key.as_slice(), h.value.as_deref()))
            .collect();
        assert_eq!(headers, want_headers);
        assert_eq!(r.to_owned(), *want);
        seen += 1;
    }
    assert_eq!(seen, expected.len());
    assert_eq!(b.to_records().unwrap(), expected);
}

proptest! {
    #![proptest_config(config(48))]

    /// Several batches back to back with dense offsets read back exactly as written.
    #[test]
    fn batches_round_trip(
        models in vec(model_batch(200), 1..=3),
        first_offset in prop_oneof![Just(0i64), 0i64..(1 << 62)],
    ) {
        let mut log = Vec::new();
        let mut bases = Vec::new();
        let mut next = first_offset;
        for m in &models {
            let builder = m.builder();
            assert_eq!(builder.len(), m.records.len());
            let start = log.len();
            builder.build_into(&mut log, next, m.leader_epoch).unwrap();
            assert_eq!(builder.build(next, m.leader_epoch).unwrap(), log[start..]);
            if m.opts.compression == Compression::None {
                assert_eq!(log.len() - start, builder.uncompressed_size());
            }
            bases.push(next);
            next += m.records.len() as i64;
        }
        let mut iter = BatchIter::new(&log, 1000, MAX_BATCH_BYTES);
        let mut position = 1000u64;
        let mut count = 0;
        for (i, b) in iter.by_ref().enumerate() {
            let b = b.unwrap();
            assert_eq!(b.position(), position);
            position += b.bytes().len() as u64;
            check_batch(&b, &models[i], bases[i]);
            count += 1;
        }
        assert_eq!(count, models.len());
        assert_eq!(iter.consumed(), log.len());
    }
}
