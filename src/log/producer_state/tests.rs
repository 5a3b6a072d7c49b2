//! The rules of Kafka's `ProducerAppendInfo`/`ProducerStateEntry`/`ProducerStateManager`,
//! one test each, and the `.snapshot` bytes checked against kafka-format.md §1 by hand.

use super::snapshot::{
    self, SNAPSHOT_ENTRY_LEN, decode_snapshot, encode_snapshot, scan_snapshot_bytes,
    snapshots_to_delete,
};
use super::*;
use crate::record::Attributes;

const TS: i64 = 1_700_000_000_000;
const PID: i64 = 1000;

/// A data batch header: `count` records from sequence `seq` at `offset`.
fn data(pid: i64, epoch: i16, seq: i32, count: i32, offset: i64, txn: bool) -> BatchHeader {
    BatchHeader {
        base_offset: offset,
        length: 100,
        partition_leader_epoch: 0,
        magic: 2,
        crc: 0,
        attributes: Attributes(if txn { 0x10 } else { 0 }),
        last_offset_delta: count - 1,
        base_timestamp: TS,
        max_timestamp: TS + offset,
        producer_id: pid,
        producer_epoch: epoch,
        base_sequence: seq,
        records_count: count,
    }
}

/// A COMMIT or ABORT marker at `offset`.
fn marker(
    pid: i64,
    epoch: i16,
    offset: i64,
    commit: bool,
    coordinator_epoch: i32,
) -> (BatchHeader, EndTxnMarker) {
    let mut h = data(pid, epoch, -1, 1, offset, true);
    h.attributes = Attributes(0x30);
    (
        h,
        EndTxnMarker {
            kind: if commit {
                ControlType::Commit
            } else {
                ControlType::Abort
            },
            coordinator_epoch,
        },
    )
}

/// Checks then applies, as a leader does.
fn append(s: &mut ProducerState, h: &BatchHeader) -> Result<Verdict, ProducerStateError> {
    let v = s.check(h)?;
    if v == Verdict::Append {
        s.apply(h, None);
    }
    Ok(v)
}

fn end(
    s: &mut ProducerState,
    (h, m): (BatchHeader, EndTxnMarker),
) -> Result<Option<CompletedTxn>, ProducerStateError> {
    s.check_marker(&h, &m)?;
    Ok(s.apply(&h, Some(&m)))
}

#[test]
fn sequences_wrap_like_kafkas_decrement_sequence() {
    assert_eq!(decrement_sequence(10, 3), 7);
    assert_eq!(decrement_sequence(1, 3), i32::MAX - 1);
    assert_eq!(decrement_sequence(0, 0), 0);
    assert_eq!(
        decrement_sequence(-1, i32::MAX),
        0,
        "no overflow on hostile values"
    );
    assert!(in_sequence(4, 5));
    assert!(in_sequence(i32::MAX, 0));
    assert!(in_sequence(-1, 0));
    assert!(!in_sequence(4, 6));
    assert!(!in_sequence(i32::MAX, i32::MIN));
}

#[test]
fn non_idempotent_batches_are_always_appended_and_leave_no_state() {
    let mut s = ProducerState::empty(0);
    let h = data(-1, -1, -1, 3, 0, false);
    assert_eq!(append(&mut s, &h), Ok(Verdict::Append));
    assert_eq!(append(&mut s, &h), Ok(Verdict::Append));
    assert!(s.is_empty());
    assert_eq!(s.end_offset(), 3);
}

#[test]
fn each_of_the_last_five_batches_is_a_duplicate_and_the_sixth_is_not() {
    let mut s = ProducerState::empty(0);
    for i in 0..6 {
        let h = data(PID, 0, i * 2, 2, i64::from(i) * 2, false);
        assert_eq!(append(&mut s, &h), Ok(Verdict::Append));
    }
    assert_eq!(s.entry(PID).unwrap().batches().len(), NUM_BATCHES_TO_RETAIN);
    // Batches 1..=5 are retained: a retry of any is answered with its original offsets.
    for i in 1..6 {
        let retry = data(PID, 0, i * 2, 2, 99, false);
        assert_eq!(
            s.check(&retry),
            Ok(Verdict::Duplicate {
                base_offset: i64::from(i) * 2,
                last_offset: i64::from(i) * 2 + 1,
                timestamp: TS + i64::from(i) * 2,
            }),
            "batch {i}"
        );
    }
    // Batch 0 was forgotten: its retry is out of order now.
    assert!(matches!(
        s.check(&data(PID, 0, 0, 2, 99, false)),
        Err(ProducerStateError::OutOfOrderSequence {
            first_sequence: 0,
            current_last_sequence: 11,
            expected: 12,
            ..
        })
    ));
    // Same first sequence but another last one is not a duplicate.
    assert!(s.check(&data(PID, 0, 10, 3, 99, false)).is_err());
    // Another epoch's batch with the same sequences is not a duplicate.
    assert!(matches!(
        s.check(&data(PID, 1, 10, 2, 99, false)),
        Err(ProducerStateError::InvalidNewEpochSequence { .. })
    ));
}

#[test]
fn out_of_order_sequences_are_refused_with_the_numbers() {
    let mut s = ProducerState::empty(0);
    append(&mut s, &data(PID, 0, 0, 5, 0, false)).unwrap();
    let gap = s.check(&data(PID, 0, 6, 1, 5, false)).unwrap_err();
    assert_eq!(
        gap,
        ProducerStateError::OutOfOrderSequence {
            producer_id: PID,
            epoch: 0,
            first_sequence: 6,
            last_sequence: 6,
            current_last_sequence: 4,
            expected: 5,
        }
    );
    assert!(gap.to_string().contains("producer 1000"), "{gap}");
    assert!(s.check(&data(PID, 0, 3, 1, 5, false)).is_err());
    assert_eq!(s.check(&data(PID, 0, 5, 1, 5, false)), Ok(Verdict::Append));
}

#[test]
fn sequences_wrap_at_int32_max() {
    let mut s = ProducerState::empty(0);
    append(&mut s, &data(PID, 0, i32::MAX - 2, 3, 0, false)).unwrap();
    assert_eq!(s.entry(PID).unwrap().last_sequence(), i32::MAX);
    // The next batch starts at 0 and spans nothing special.
    assert_eq!(
        append(&mut s, &data(PID, 0, 0, 2, 3, false)),
        Ok(Verdict::Append)
    );
    // A batch crossing the wrap: MAX-1, MAX, 0.
    let mut t = ProducerState::empty(0);
    append(&mut t, &data(PID, 0, i32::MAX - 1, 3, 0, false)).unwrap();
    assert_eq!(t.entry(PID).unwrap().last_sequence(), 0);
    assert_eq!(t.entry(PID).unwrap().first_sequence(), i32::MAX - 1);
    assert_eq!(
        t.check(&data(PID, 0, i32::MAX - 1, 3, 9, false)),
        Ok(Verdict::Duplicate {
            base_offset: 0,
            last_offset: 2,
            timestamp: TS
        })
    );
    assert_eq!(
        append(&mut t, &data(PID, 0, 1, 1, 3, false)),
        Ok(Verdict::Append)
    );
    assert!(t.check(&data(PID, 0, 0, 1, 4, false)).is_err());
}

#[test]
fn an_unknown_producer_may_start_anywhere_and_a_new_epoch_starts_at_zero() {
    let mut s = ProducerState::empty(0);
    assert_eq!(
        append(&mut s, &data(PID, 3, 42, 1, 0, false)),
        Ok(Verdict::Append)
    );
    assert_eq!(
        s.check(&data(PID, 4, 7, 1, 1, false)),
        Err(ProducerStateError::InvalidNewEpochSequence {
            producer_id: PID,
            epoch: 4,
            current_epoch: 3,
            first_sequence: 7,
        })
    );
    assert_eq!(
        append(&mut s, &data(PID, 4, 0, 1, 1, false)),
        Ok(Verdict::Append)
    );
    // The new epoch forgot the old epoch's batches.
    assert_eq!(s.entry(PID).unwrap().batches().len(), 1);
    assert_eq!(s.entry(PID).unwrap().epoch(), 4);
}

#[test]
fn stale_epochs_are_refused() {
    let mut s = ProducerState::empty(0);
    append(&mut s, &data(PID, 5, 0, 1, 0, false)).unwrap();
    assert_eq!(
        s.check(&data(PID, 4, 1, 1, 1, false)),
        Err(ProducerStateError::InvalidProducerEpoch {
            producer_id: PID,
            epoch: 4,
            current_epoch: 5,
        })
    );
    assert_eq!(
        s.check(&data(PID, 4, 1, 1, 1, true)),
        Err(ProducerStateError::ProducerFenced {
            producer_id: PID,
            epoch: 4,
            current_epoch: 5,
        })
    );
    let (h, m) = marker(PID, 4, 1, true, 0);
    assert_eq!(
        s.check_marker(&h, &m),
        Err(ProducerStateError::StaleMarkerEpoch {
            producer_id: PID,
            epoch: 4,
            current_epoch: 5,
        })
    );
    assert_eq!(s.check(&h), s.check_marker(&h, &m));
}

#[test]
fn a_marker_with_a_bumped_epoch_fences_the_old_transactional_producer() {
    let mut s = ProducerState::empty(0);
    append(&mut s, &data(PID, 0, 0, 2, 0, true)).unwrap();
    // A new holder of the transactional id: its coordinator aborts the open transaction
    // with the bumped epoch.
    let done = end(&mut s, marker(PID, 1, 2, false, 0)).unwrap().unwrap();
    assert!(done.is_aborted);
    let zombie = s.check(&data(PID, 0, 2, 1, 3, true)).unwrap_err();
    assert!(
        matches!(
            zombie,
            ProducerStateError::ProducerFenced {
                epoch: 0,
                current_epoch: 1,
                ..
            }
        ),
        "{zombie}"
    );
    // The new holder starts its epoch at sequence 0.
    assert_eq!(
        append(&mut s, &data(PID, 1, 0, 1, 3, true)),
        Ok(Verdict::Append)
    );
}

#[test]
fn an_older_coordinator_is_fenced() {
    let mut s = ProducerState::empty(0);
    append(&mut s, &data(PID, 0, 0, 1, 0, true)).unwrap();
    end(&mut s, marker(PID, 0, 1, true, 7)).unwrap();
    append(&mut s, &data(PID, 0, 1, 1, 2, true)).unwrap();
    assert_eq!(
        end(&mut s, marker(PID, 0, 3, true, 6)),
        Err(ProducerStateError::CoordinatorFenced {
            producer_id: PID,
            coordinator_epoch: 6,
            current_coordinator_epoch: 7,
        })
    );
    assert!(end(&mut s, marker(PID, 0, 3, true, 7)).unwrap().is_some());
}

#[test]
fn a_non_transactional_batch_inside_a_transaction_is_refused() {
    let mut s = ProducerState::empty(0);
    append(&mut s, &data(PID, 0, 0, 1, 0, true)).unwrap();
    assert_eq!(
        s.check(&data(PID, 0, 1, 1, 1, false)),
        Err(ProducerStateError::NotTransactional {
            producer_id: PID,
            txn_first_offset: 0,
        })
    );
}

#[test]
fn coordinator_batches_without_sequences_are_checked_for_epoch_only() {
    let mut s = ProducerState::empty(0);
    append(&mut s, &data(PID, 2, 0, 1, 0, true)).unwrap();
    assert_eq!(
        append(&mut s, &data(PID, 2, -1, 1, 1, true)),
        Ok(Verdict::Append)
    );
    assert!(s.check(&data(PID, 1, -1, 1, 2, true)).is_err());
}

#[test]
fn transactions_begin_commit_abort_and_hold_the_last_stable_offset() {
    let mut s = ProducerState::empty(0);
    let other = 2000;
    append(&mut s, &data(-1, -1, -1, 2, 0, false)).unwrap();
    assert_eq!(s.first_unstable_offset(), None);
    assert_eq!(s.last_stable_offset(2), 2);
    // Producer 1000 begins at 2, producer 2000 at 4.
    append(&mut s, &data(PID, 0, 0, 2, 2, true)).unwrap();
    append(&mut s, &data(other, 0, 0, 1, 4, true)).unwrap();
    append(&mut s, &data(PID, 0, 2, 1, 5, true)).unwrap();
    assert_eq!(
        s.ongoing().collect::<Vec<_>>(),
        [
            OngoingTxn {
                producer_id: PID,
                first_offset: 2
            },
            OngoingTxn {
                producer_id: other,
                first_offset: 4
            }
        ]
    );
    assert_eq!(s.entry(PID).unwrap().current_txn_first_offset(), Some(2));
    assert_eq!(s.first_undecided_offset(), Some(2));
    assert_eq!(s.last_stable_offset(6), 2);
    assert_eq!(s.last_stable_offset(1), 1, "never above the high watermark");
    // 1000 aborts at 6: the LSO stored with the abort is 2000's first offset.
    let done = end(&mut s, marker(PID, 0, 6, false, 0)).unwrap().unwrap();
    assert_eq!(
        done,
        CompletedTxn {
            producer_id: PID,
            first_offset: 2,
            last_offset: 6,
            is_aborted: true,
            last_stable_offset: 4,
        }
    );
    assert_eq!(s.entry(PID).unwrap().current_txn_first_offset(), None);
    assert_eq!(s.first_undecided_offset(), Some(4));
    // Until the high watermark passes the marker, the aborted transaction still counts.
    assert_eq!(s.first_unstable_offset(), Some(2));
    assert_eq!(s.last_stable_offset(6), 2);
    assert_eq!(s.last_stable_offset(7), 4);
    s.on_high_watermark(7);
    assert_eq!(s.first_unstable_offset(), Some(4));
    // 2000 commits at 7: nothing else open, so its LSO is the marker + 1.
    let done = end(&mut s, marker(other, 0, 7, true, 0)).unwrap().unwrap();
    assert_eq!(done.last_stable_offset, 8);
    assert!(!done.is_aborted);
    assert_eq!(s.last_stable_offset(8), 8);
    assert_eq!(s.last_stable_offset(7), 4);
    // A marker that ends nothing completes nothing.
    assert_eq!(end(&mut s, marker(other, 0, 8, false, 0)).unwrap(), None);
    // The next transaction begins fresh.
    append(&mut s, &data(PID, 0, 3, 1, 9, true)).unwrap();
    assert_eq!(s.first_undecided_offset(), Some(9));
}

#[test]
fn batches_appended_together_are_checked_in_order() {
    let s = ProducerState::empty(0);
    let a = data(PID, 0, 0, 2, 0, false);
    let b = data(PID, 0, 2, 2, 2, false);
    let gap = data(PID, 0, 5, 1, 4, false);
    assert_eq!(s.check_all([(&a, None), (&b, None)]), Ok(Verdict::Append));
    assert!(s.check_all([(&a, None), (&b, None), (&gap, None)]).is_err());
    let mut t = ProducerState::empty(0);
    t.apply(&a, None);
    assert_eq!(
        t.check_all([(&b, None), (&a, None)]),
        Ok(Verdict::Duplicate {
            base_offset: 0,
            last_offset: 1,
            timestamp: TS
        })
    );
}

#[test]
fn idle_producers_expire_unless_in_a_transaction() {
    let mut s = ProducerState::empty(0);
    append(&mut s, &data(1, 0, 0, 1, 0, false)).unwrap();
    append(&mut s, &data(2, 0, 0, 1, 1, true)).unwrap();
    assert_eq!(s.remove_expired(TS + 10, 5), 1);
    assert!(s.entry(1).is_none());
    assert!(s.entry(2).is_some());
    // An expired producer is unknown again: any sequence is accepted.
    assert_eq!(s.check(&data(1, 0, 77, 1, 2, false)), Ok(Verdict::Append));
}

// ---------------------------------------------------------------------------------------
// Snapshots (kafka-format.md §1).

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn the_empty_snapshot_is_kafkas_ten_bytes() {
    let bytes = encode_snapshot(&ProducerState::empty(0).snapshot_entries());
    assert_eq!(
        bytes,
        [0x00, 0x01, 0x48, 0x67, 0x4b, 0xc7, 0x00, 0x00, 0x00, 0x00]
    );
    assert_eq!(decode_snapshot(&bytes), Ok(vec![]));
}

/// One producer, every field laid out by hand from ProducerSnapshot.json v1.
#[test]
fn a_one_producer_snapshot_byte_for_byte() {
    let mut s = ProducerState::empty(0);
    append(&mut s, &data(PID, 3, 5, 4, 10, true)).unwrap();
    let entries = s.snapshot_entries();
    let bytes = encode_snapshot(&entries);
    let body = concat!(
        "00000001",         // entry count 1
        "00000000000003e8", // producerId 1000
        "0003",             // epoch 3
        "00000008",         // lastSequence 5 + 3
        "000000000000000d", // lastOffset 13
        "00000003",         // offsetDelta 3
        "0000018bcfe5680a", // timestamp TS + 10
        "ffffffff",         // coordinatorEpoch -1
        "000000000000000a", // currentTxnFirstOffset 10
    );
    let body_bytes: Vec<u8> = (0..body.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&body[i..i + 2], 16).unwrap())
        .collect();
    // CRC-32C (Castagnoli) of bytes 6.., computed bit by bit here, not by the crc32c crate.
    let mut crc = 0xffff_ffffu32;
    for &b in &body_bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x82f6_3b78
            } else {
                crc >> 1
            };
        }
    }
    let crc = !crc;
    assert_eq!(hex(&bytes), format!("0001{crc:08x}{body}"));
    assert_eq!(bytes.len(), 10 + SNAPSHOT_ENTRY_LEN);
    let back = decode_snapshot(&bytes).unwrap();
    assert_eq!(back, entries);
    assert_eq!(back[0].first_sequence(), Some(5));
}

#[test]
fn snapshots_round_trip_what_kafka_keeps() {
    let mut s = ProducerState::empty(0);
    append(&mut s, &data(1, 0, 0, 3, 0, false)).unwrap();
    append(&mut s, &data(1, 0, 3, 3, 3, false)).unwrap();
    append(&mut s, &data(2, 7, 0, 1, 6, true)).unwrap();
    append(&mut s, &data(3, 0, 0, 1, 7, true)).unwrap();
    end(&mut s, marker(3, 1, 8, false, 4)).unwrap();
    let entries = s.snapshot_entries();
    let loaded =
        ProducerState::from_snapshot(9, &decode_snapshot(&encode_snapshot(&entries)).unwrap());
    assert_eq!(loaded.snapshot_entries(), entries);
    assert_eq!(loaded.end_offset(), 9);
    assert_eq!(loaded.first_undecided_offset(), Some(6));
    assert_eq!(loaded.as_snapshot_would_load().snapshot_entries(), entries);
    // Only the last batch is kept: the second is a duplicate after loading, the first not.
    assert!(matches!(
        loaded.check(&data(1, 0, 3, 3, 99, false)),
        Ok(Verdict::Duplicate { base_offset: 3, .. })
    ));
    assert!(loaded.check(&data(1, 0, 0, 3, 99, false)).is_err());
    // Producer 3's marker bumped its epoch and left it without batches.
    let e3 = entries.iter().find(|e| e.producer_id == 3).unwrap();
    assert_eq!((e3.epoch, e3.last_offset, e3.last_sequence), (1, -1, -1));
    assert_eq!(e3.coordinator_epoch, 4);
    assert_eq!(e3.first_sequence(), None);
}

#[test]
fn damaged_snapshots_are_refused_with_where() {
    let mut s = ProducerState::empty(0);
    append(&mut s, &data(PID, 0, 0, 1, 0, false)).unwrap();
    let good = encode_snapshot(&s.snapshot_entries());
    let cases: Vec<(&str, Vec<u8>, u64)> = vec![
        ("short", good[..9].to_vec(), 0),
        ("version", [&[0, 2][..], &good[2..]].concat(), 0),
        (
            "crc",
            {
                let mut b = good.clone();
                b[20] ^= 1;
                b
            },
            2,
        ),
        (
            "count",
            {
                let mut b = good.clone();
                b[9] = 2;
                b
            },
            6,
        ),
        (
            "negative count",
            {
                let mut b = good.clone();
                b[6] = 0xff;
                b
            },
            6,
        ),
        ("truncated entry", good[..good.len() - 1].to_vec(), 6),
        ("trailing", [&good[..], &[0][..]].concat(), 2),
    ];
    for (what, bytes, pos) in cases {
        let err = decode_snapshot(&bytes).unwrap_err();
        assert_eq!(err.position, pos, "{what}: {err}");
    }
    // A trailing byte with a matching CRC is still refused (Kafka would ignore it).
    let mut t = [&good[..], &[0][..]].concat();
    let crc = crc32c::crc32c(&t[6..]);
    t[2..6].copy_from_slice(&crc.to_be_bytes());
    let err = decode_snapshot(&t).unwrap_err();
    assert!(err.reason.contains("follow the last entry"), "{err}");
}

#[test]
fn hostile_snapshot_bytes_never_panic() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut s = ProducerState::empty(0);
    for i in 0..4 {
        append(&mut s, &data(i, 0, 0, 1, i, i % 2 == 0)).unwrap();
    }
    let good = encode_snapshot(&s.snapshot_entries());
    for round in 0..3000 {
        let mut b = if round % 3 == 0 {
            (0..(next() % 300) as usize).map(|_| next() as u8).collect()
        } else {
            good.clone()
        };
        if !b.is_empty() {
            for _ in 0..(next() % 4) {
                let i = (next() as usize) % b.len();
                b[i] = next() as u8;
            }
            if round % 5 == 0 {
                b.truncate((next() as usize) % b.len());
            }
        }
        let mut seen = 0;
        let check = scan_snapshot_bytes(&b, |_, _| seen += 1);
        assert_eq!(check.entries, seen);
        if let Ok(entries) = decode_snapshot(&b) {
            let state = ProducerState::from_snapshot(0, &entries);
            let _ = state.last_stable_offset(i64::MAX);
        }
    }
    // A count that promises gigabytes allocates nothing for it.
    let huge = [0, 1, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff];
    assert!(decode_snapshot(&huge).is_err());
}

#[test]
fn the_latest_two_snapshots_and_those_of_the_last_two_segments_are_kept() {
    // Segments at 0, 100, 200; snapshots at every roll and two closes.
    let snaps = [0, 50, 100, 150, 200, 230, 260, 300];
    let gone = snapshots_to_delete(&snaps, &[0, 100, 200], 270);
    assert_eq!(gone, [0, 50, 150, 300]);
    let gone = snapshots_to_delete(&[10, 20], &[100], 120);
    assert_eq!(gone, [10, 20], "below the first segment: useless");
    assert!(snapshots_to_delete(&[], &[0], 0).is_empty());
    let _ = snapshot::SNAPSHOT_VERSION;
}
