//! Kafka's `SkimpyOffsetMap`: the cleaner's map of key -> latest offset in a fixed number of
//! bytes (`log.cleaner.dedupe.buffer.size`). Each slot holds a 16-byte hash of the key and
//! an 8-byte offset; keys themselves are never stored, so memory does not depend on key
//! sizes or counts. Open addressing with linear probing; the caller stops putting at
//! `slots * load factor` (Kafka's `log.cleaner.io.buffer.load.factor`, 0.9) and cleans up
//! to the last offset it managed to map, leaving the rest for the next pass.
//!
//! The hash is 128 bits of SipHash-1-3 under two random keys (Kafka uses MD5, also 128
//! bits): two keys sharing a hash would make the older key's latest record look superseded,
//! so the hash must be wide enough for that never to happen in practice.

use std::hash::{BuildHasher, RandomState};

/// Bytes of a slot: 16 of hash, 8 of offset.
pub const SLOT_BYTES: usize = 24;
const HASH_BYTES: usize = 16;

/// A fixed-size map from key hashes to offsets.
pub struct OffsetMap {
    bytes: Vec<u8>,
    slots: usize,
    entries: usize,
    latest_offset: i64,
    h1: RandomState,
    h2: RandomState,
}

impl std::fmt::Debug for OffsetMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OffsetMap")
            .field("slots", &self.slots)
            .field("entries", &self.entries)
            .field("latest_offset", &self.latest_offset)
            .finish()
    }
}

impl OffsetMap {
    /// A map in `memory` bytes (at least one slot). The bytes are zeroed lazily by the OS
    /// (a zeroed allocation): only the pages keys land on become resident.
    pub fn new(memory: usize) -> OffsetMap {
        let slots = (memory / SLOT_BYTES).max(1);
        OffsetMap {
            bytes: vec![0; slots * SLOT_BYTES],
            slots,
            entries: 0,
            latest_offset: -1,
            h1: RandomState::new(),
            h2: RandomState::new(),
        }
    }

    /// Number of slots.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Keys in the map.
    pub fn len(&self) -> usize {
        self.entries
    }

    /// True when no key is mapped.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// The largest offset put or recorded (-1 when none): the map covers every record up to
    /// it.
    pub fn latest_offset(&self) -> i64 {
        self.latest_offset
    }

    /// Raises the latest offset (a batch or segment read to its end without keys to put).
    pub fn update_latest_offset(&mut self, offset: i64) {
        self.latest_offset = self.latest_offset.max(offset);
    }

    /// Empties the map for another pass (the pages stay resident: same memory).
    pub fn clear(&mut self) {
        if self.entries > 0 {
            self.bytes.fill(0);
        }
        self.entries = 0;
        self.latest_offset = -1;
    }

    /// Fraction of slots in use.
    pub fn utilization(&self) -> f64 {
        self.entries as f64 / self.slots as f64
    }

    fn hash(&self, key: &[u8]) -> [u8; HASH_BYTES] {
        let mut h = [0u8; HASH_BYTES];
        h[..8].copy_from_slice(&self.h1.hash_one(key).to_le_bytes());
        h[8..].copy_from_slice(&self.h2.hash_one(key).to_le_bytes());
        // An all-zero hash marks an empty slot: move the one key that hashes to it aside.
        if h == [0; HASH_BYTES] {
            h[0] = 1;
        }
        h
    }

    fn start(&self, hash: &[u8; HASH_BYTES]) -> usize {
        let mut a = [0u8; 8];
        a.copy_from_slice(&hash[..8]);
        (u64::from_le_bytes(a) % self.slots as u64) as usize
    }

    /// Maps `key` to `offset` (the later of two puts of a key wins: the log is read in
    /// offset order). The caller keeps the map below its load factor, so a free slot is
    /// always found.
    pub fn put(&mut self, key: &[u8], offset: i64) {
        let hash = self.hash(key);
        let mut slot = self.start(&hash);
        for _ in 0..self.slots {
            let at = slot * SLOT_BYTES;
            let stored = &self.bytes[at..at + HASH_BYTES];
            if stored == [0; HASH_BYTES] {
                self.bytes[at..at + HASH_BYTES].copy_from_slice(&hash);
                self.entries += 1;
                self.bytes[at + HASH_BYTES..at + SLOT_BYTES].copy_from_slice(&offset.to_be_bytes());
                break;
            }
            if stored == hash {
                self.bytes[at + HASH_BYTES..at + SLOT_BYTES].copy_from_slice(&offset.to_be_bytes());
                break;
            }
            slot = (slot + 1) % self.slots;
        }
        self.latest_offset = self.latest_offset.max(offset);
    }

    /// The offset mapped for `key`, or -1.
    pub fn get(&self, key: &[u8]) -> i64 {
        let hash = self.hash(key);
        let mut slot = self.start(&hash);
        for _ in 0..self.slots {
            let at = slot * SLOT_BYTES;
            let stored = &self.bytes[at..at + HASH_BYTES];
            if stored == [0; HASH_BYTES] {
                return -1;
            }
            if stored == hash {
                let mut o = [0u8; 8];
                o.copy_from_slice(&self.bytes[at + HASH_BYTES..at + SLOT_BYTES]);
                return i64::from_be_bytes(o);
            }
            slot = (slot + 1) % self.slots;
        }
        -1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_puts_win_and_absent_keys_are_minus_one() {
        let mut m = OffsetMap::new(24 * 100);
        assert_eq!(m.slots(), 100);
        for i in 0..80i64 {
            m.put(format!("k{}", i % 40).as_bytes(), i);
        }
        assert_eq!(m.len(), 40);
        for k in 0..40i64 {
            assert_eq!(m.get(format!("k{k}").as_bytes()), 40 + k);
        }
        assert_eq!(m.get(b"other"), -1);
        assert_eq!(m.latest_offset(), 79);
        m.clear();
        assert_eq!(m.get(b"k1"), -1);
        assert_eq!(m.latest_offset(), -1);
        assert!(m.is_empty());
    }
}
