//! The cleaner's light read of a batch's records: each record's offset, key and whether it
//! is a tombstone, borrowed from the batch's records section, values and headers skipped by
//! the record's length, as Kafka's cleaner reads what it needs of a record and no more.
//! Nothing is copied or allocated per record.
//!
//! Checked: every length within the records section (and within its record), offset deltas
//! increasing and within the batch's last offset delta, the record count, no trailing
//! bytes; what a record holds past its value (its headers) is not decoded. The full decoder
//! ([`crate::record::BatchRef::records`]) reads the batches the cleaner rebuilds.

use crate::record::batch::{BatchHeader, CorruptBatch, Corruption};

/// One record, as the cleaner needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRef<'a> {
    /// Absolute offset.
    pub offset: i64,
    /// Key, `None` when null.
    pub key: Option<&'a [u8]>,
    /// The value is null.
    pub tombstone: bool,
}

/// Iterates the [`KeyRef`]s of a batch's records section (decompressed when the batch is).
/// After the first error it yields nothing more.
#[derive(Debug)]
pub struct KeyWalk<'a> {
    data: &'a [u8],
    pos: usize,
    index: i32,
    count: i32,
    base_offset: i64,
    last_offset_delta: i32,
    previous_delta: i32,
    batch_position: u64,
    failed: bool,
}

/// The records of the batch `h` (read at byte `position`) in its records section `data`.
pub fn keys<'a>(h: &BatchHeader, position: u64, data: &'a [u8]) -> KeyWalk<'a> {
    KeyWalk {
        data,
        pos: 0,
        index: 0,
        count: h.records_count,
        base_offset: h.base_offset,
        last_offset_delta: h.last_offset_delta,
        previous_delta: -1,
        batch_position: position,
        failed: false,
    }
}

/// A zigzag varint (at most 5 bytes) at `at` in `buf`: (value, bytes), `None` when it
/// runs past the end or is too long.
#[inline(always)]
fn varint(buf: &[u8], at: usize) -> Option<(i32, usize)> {
    let mut u: u32 = 0;
    for i in 0..5 {
        let b = *buf.get(at + i)?;
        u |= u32::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((((u >> 1) as i32) ^ -((u & 1) as i32), i + 1));
        }
    }
    None
}

/// The length of a zigzag varlong (at most 10 bytes) at `at`, its value unread.
#[inline(always)]
fn varlong_len(buf: &[u8], at: usize) -> Option<usize> {
    for i in 0..10 {
        if *buf.get(at + i)? & 0x80 == 0 {
            return Some(i + 1);
        }
    }
    None
}

impl<'a> KeyWalk<'a> {
    fn fail(&mut self, kind: Corruption) -> CorruptBatch {
        self.failed = true;
        CorruptBatch {
            position: self.batch_position,
            base_offset: self.base_offset,
            kind,
        }
    }

    fn bad(&mut self, at: usize, reason: &'static str) -> CorruptBatch {
        let index = self.index;
        self.fail(Corruption::BadRecord { index, at, reason })
    }

    #[inline]
    fn walk_one(&mut self) -> Result<KeyRef<'a>, CorruptBatch> {
        let start = self.pos;
        let data = self.data;
        let Some((len, n)) = varint(data, start) else {
            return Err(self.bad(start, "bad length varint"));
        };
        let body_start = start + n;
        if len < 0 || len as usize > data.len() - body_start {
            return Err(self.bad(start, "length runs past the end of the batch"));
        }
        let body = &data[body_start..body_start + len as usize];
        let bad = "field runs past the record's length";
        // Attributes (1 byte), then the timestamp delta.
        let Some(ts_len) = varlong_len(body, 1) else {
            return Err(self.bad(start, bad));
        };
        let mut at = 1 + ts_len;
        let Some((offset_delta, n)) = varint(body, at) else {
            return Err(self.bad(start, bad));
        };
        at += n;
        let Some((key_len, n)) = varint(body, at) else {
            return Err(self.bad(start, "bad key length"));
        };
        at += n;
        let key = match key_len {
            -1 => None,
            l if l >= 0 && l as usize <= body.len() - at => {
                let k = &body[at..at + l as usize];
                at += l as usize;
                Some(k)
            }
            _ => return Err(self.bad(start, "bad key length")),
        };
        let Some((value_len, _)) = varint(body, at) else {
            return Err(self.bad(start, "bad value length"));
        };
        if value_len < -1 || (value_len > 0 && value_len as usize > body.len() - at) {
            return Err(self.bad(start, "bad value length"));
        }
        if offset_delta <= self.previous_delta || offset_delta > self.last_offset_delta {
            return Err(self.bad(
                start,
                "offset delta out of order or past the batch's last offset delta",
            ));
        }
        self.previous_delta = offset_delta;
        self.pos = body_start + len as usize;
        Ok(KeyRef {
            offset: self.base_offset.wrapping_add(i64::from(offset_delta)),
            key,
            tombstone: value_len == -1,
        })
    }
}

impl<'a> Iterator for KeyWalk<'a> {
    type Item = Result<KeyRef<'a>, CorruptBatch>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if self.count < 0 {
            let (count, bytes) = (self.count, self.data.len());
            return Some(Err(self.fail(Corruption::BadCount { count, bytes })));
        }
        if self.index >= self.count {
            if self.pos != self.data.len() {
                let left = self.data.len() - self.pos;
                return Some(Err(self.fail(Corruption::TrailingBytes(left))));
            }
            self.failed = true;
            return None;
        }
        let r = self.walk_one();
        self.index += 1;
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{BatchBuilder, BatchOptions, BatchRef};

    #[test]
    fn keys_offsets_and_tombstones_match_the_full_decoder_and_damage_is_refused() {
        let mut b = BatchBuilder::new(BatchOptions::default());
        b.append(
            1,
            Some(b"a"),
            Some(b"v1"),
            &[(b"h".as_slice(), Some(b"x".as_slice()))],
        );
        b.append(2, None, Some(&[7u8; 300]), &[]);
        b.append(3, Some(b"b"), None, &[]);
        let batch = b.build(0, 0).unwrap();
        let r = BatchRef::parse(&batch, 0, 1 << 20).unwrap();
        let data = r.records_data().unwrap();
        let walked: Vec<KeyRef<'_>> = keys(r.header(), 0, &data)
            .collect::<Result<_, _>>()
            .unwrap();
        let full: Vec<KeyRef<'_>> = r
            .records(&data)
            .unwrap()
            .map(|x| {
                let x = x.unwrap();
                KeyRef {
                    offset: x.offset,
                    key: x.key,
                    tombstone: x.value.is_none(),
                }
            })
            .collect();
        assert_eq!(walked, full);
        assert_eq!(walked.len(), 3);
        // Every cut of the records section, and a count past the records, are errors.
        for cut in 0..data.len() {
            assert!(
                keys(r.header(), 0, &data[..cut]).any(|x| x.is_err()),
                "cut at {cut}"
            );
        }
        let mut h = *r.header();
        h.records_count = 4;
        assert!(keys(&h, 0, &data).any(|x| x.is_err()));
        h.records_count = 2;
        assert!(keys(&h, 0, &data).any(|x| x.is_err()), "trailing bytes");
    }
}
