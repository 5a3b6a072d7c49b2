//! Kafka's `SkimpyOffsetMap`: the cleaner's map of key -> latest offset in a fixed number of
//! bytes (`log.cleaner.dedupe.buffer.size`). Each slot holds a 16-byte hash of the key and
//! an 8-byte offset; keys themselves are never stored, so memory does not depend on key
//! sizes or counts. Open addressing with linear probing; the caller stops putting at
//! `slots * load factor` (Kafka's `log.cleaner.io.buffer.load.factor`, 0.9) and cleans up
//! to the last offset it managed to map, leaving the rest for the next pass.
//!
//! The hash is 128 bits (Kafka uses MD5, also 128): two keys sharing a hash would make the
//! older key's latest record look superseded, so it must be wide enough for that never to
//! happen in practice. Two lanes of 64 bits, each absorbing the key 8 bytes at a time with
//! a multiply and rotate under its own random seed (drawn per map), then finished with
//! MurmurHash3's fmix64: fast (a clean hashes every key twice), and not predictable from
//! outside the process.

use std::hash::{BuildHasher, RandomState};

const K1: u64 = 0x87c3_7b91_1142_53d5;
const K2: u64 = 0x4cf5_ad43_2745_937f;

/// Bytes of a slot: 16 of hash, 8 of offset.
pub const SLOT_BYTES: usize = 24;
/// Bytes of a key's hash.
pub const HASH_BYTES: usize = 16;

/// Slots of a new map: small, so a clean of few keys touches few pages (a table spread
/// over all of the buffer costs a TLB miss per lookup).
const FIRST_SLOTS: usize = 1 << 12;
/// A table doubles when this much of it is used (below Kafka's 0.9 load factor, which
/// bounds the largest table: probes stay short while it grows).
const GROW_AT: f64 = 0.7;

/// A bounded map from key hashes to offsets.
pub struct OffsetMap {
    bytes: Vec<u8>,
    slots: usize,
    max_slots: usize,
    entries: usize,
    latest_offset: i64,
    seed1: u64,
    seed2: u64,
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
    /// A map in at most `memory` bytes. It starts small and doubles as keys come, as long
    /// as the new table and the old one (both live while the hashes move over) fit in
    /// `memory`: a clean never holds more, whatever the keys, and few keys stay in few
    /// pages. [`OffsetMap::max_slots`] is its final size (at least one slot).
    pub fn new(memory: usize) -> OffsetMap {
        let fit = (memory / SLOT_BYTES).max(1);
        let mut max_slots = FIRST_SLOTS.min(fit);
        while max_slots * 3 <= fit {
            max_slots *= 2;
        }
        let slots = FIRST_SLOTS.min(max_slots);
        OffsetMap {
            bytes: vec![0; slots * SLOT_BYTES],
            slots,
            max_slots,
            entries: 0,
            latest_offset: -1,
            seed1: RandomState::new().hash_one(1u8),
            seed2: RandomState::new().hash_one(2u8),
        }
    }

    /// Number of slots now.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Number of slots the map may grow to.
    pub fn max_slots(&self) -> usize {
        self.max_slots
    }

    /// Doubles the table (up to [`OffsetMap::max_slots`]) when `load` of it is used.
    fn grow_if_loaded(&mut self, load: f64) {
        if self.slots >= self.max_slots || (self.entries as f64) < self.slots as f64 * load {
            return;
        }
        let old = std::mem::take(&mut self.bytes);
        self.slots = (self.slots * 2).min(self.max_slots);
        self.bytes = vec![0; self.slots * SLOT_BYTES];
        for slot in old.chunks_exact(SLOT_BYTES) {
            let mut hash = [0u8; HASH_BYTES];
            hash.copy_from_slice(&slot[..HASH_BYTES]);
            if hash == [0; HASH_BYTES] {
                continue;
            }
            let mut at = self.start(&hash);
            while self.bytes[at * SLOT_BYTES..at * SLOT_BYTES + HASH_BYTES] != [0; HASH_BYTES] {
                at = self.next_slot(at);
            }
            self.bytes[at * SLOT_BYTES..(at + 1) * SLOT_BYTES].copy_from_slice(slot);
        }
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

    /// Empties the map for another pass (its table keeps its size).
    pub fn clear(&mut self) {
        if self.entries > 0 {
            self.bytes.fill(0);
        }
        self.entries = 0;
        self.latest_offset = -1;
    }

    /// Fraction of the largest table in use.
    pub fn utilization(&self) -> f64 {
        self.entries as f64 / self.max_slots as f64
    }

    /// The hash a key is stored under (for [`OffsetMap::warm`] and the `_hashed` calls).
    pub fn hash(&self, key: &[u8]) -> [u8; HASH_BYTES] {
        let (mut a, mut b) = (
            self.seed1 ^ key.len() as u64,
            self.seed2 ^ (key.len() as u64).rotate_left(32),
        );
        let mut chunks = key.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            let w = u64::from_le_bytes(w);
            a = (a ^ w).wrapping_mul(K1).rotate_left(31);
            b = (b ^ w).wrapping_mul(K2).rotate_left(29);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // The last 8 bytes of the key, overlapping the chunks before when it is that long
            // (one load; copying the tail into a zeroed word stalled on the store), else its
            // bytes shifted in. With the length in the seeds, keys stay apart either way.
            let w = if key.len() >= 8 {
                let mut w = [0u8; 8];
                w.copy_from_slice(&key[key.len() - 8..]);
                u64::from_le_bytes(w)
            } else {
                rest.iter()
                    .rev()
                    .fold(0u64, |w, &byte| (w << 8) | u64::from(byte))
            } ^ 0x80;
            a = (a ^ w).wrapping_mul(K1).rotate_left(31);
            b = (b ^ w).wrapping_mul(K2).rotate_left(29);
        }
        let mut h = [0u8; HASH_BYTES];
        h[..8].copy_from_slice(&fmix64(a ^ b.rotate_left(17)).to_le_bytes());
        h[8..].copy_from_slice(&fmix64(b ^ a.rotate_left(41)).to_le_bytes());
        // An all-zero hash marks an empty slot: move the one key that hashes to it aside.
        if h == [0; HASH_BYTES] {
            h[0] = 1;
        }
        h
    }

    fn start(&self, hash: &[u8; HASH_BYTES]) -> usize {
        let mut a = [0u8; 8];
        a.copy_from_slice(&hash[..8]);
        let h = u64::from_le_bytes(a);
        // Tables are powers of two but for a map smaller than the first one: a mask, not a
        // division (tens of cycles, twice per record).
        if self.slots.is_power_of_two() {
            (h & (self.slots as u64 - 1)) as usize
        } else {
            (h % self.slots as u64) as usize
        }
    }

    /// The slot after `slot`, wrapping.
    fn next_slot(&self, slot: usize) -> usize {
        if slot + 1 == self.slots { 0 } else { slot + 1 }
    }

    /// Reads the first slot of each hash, all at once: the slots are spread over the whole
    /// map, so each is a cache (and TLB) miss; loads that do not depend on each other
    /// overlap, where one at a time in [`OffsetMap::get`] they would wait in turn.
    pub fn warm(&self, hashes: &[[u8; HASH_BYTES]]) {
        let mut acc = 0u8;
        for h in hashes {
            acc ^= self.bytes[self.start(h) * SLOT_BYTES];
        }
        std::hint::black_box(acc);
    }

    /// [`OffsetMap::warm`] of the hashes of (hash, offset) pairs.
    pub fn warm_pairs(&self, pairs: &[([u8; HASH_BYTES], i64)]) {
        let mut acc = 0u8;
        for (h, _) in pairs {
            acc ^= self.bytes[self.start(h) * SLOT_BYTES];
        }
        std::hint::black_box(acc);
    }

    /// Maps `key` to `offset` (the later of two puts of a key wins: the log is read in
    /// offset order). The caller keeps the map below its load factor, so a free slot is
    /// always found.
    pub fn put(&mut self, key: &[u8], offset: i64) {
        let hash = self.hash(key);
        self.put_hashed(&hash, offset);
    }

    /// [`OffsetMap::put`] of a key by its [`OffsetMap::hash`].
    pub fn put_hashed(&mut self, hash: &[u8; HASH_BYTES], offset: i64) {
        self.grow_if_loaded(GROW_AT);
        let hash = *hash;
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
            slot = self.next_slot(slot);
        }
        self.latest_offset = self.latest_offset.max(offset);
    }

    /// Every offset mapped, in no order (an empty slot is a zero hash, which
    /// [`OffsetMap::hash`] never gives).
    pub fn offsets(&self) -> impl Iterator<Item = i64> + '_ {
        self.bytes
            .chunks_exact(SLOT_BYTES)
            .filter(|slot| slot[..HASH_BYTES] != [0; HASH_BYTES])
            .map(|slot| {
                let mut o = [0u8; 8];
                o.copy_from_slice(&slot[HASH_BYTES..]);
                i64::from_be_bytes(o)
            })
    }

    /// The offset mapped for `key`, or -1.
    pub fn get(&self, key: &[u8]) -> i64 {
        self.get_hashed(&self.hash(key))
    }

    /// [`OffsetMap::get`] of a key by its [`OffsetMap::hash`].
    pub fn get_hashed(&self, hash: &[u8; HASH_BYTES]) -> i64 {
        let hash = *hash;
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
            slot = self.next_slot(slot);
        }
        -1
    }
}

/// MurmurHash3's 64-bit finalizer: every input bit affects every output bit.
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_grows_within_its_memory_and_keeps_every_key() {
        let mut m = OffsetMap::new(24 << 16);
        assert_eq!(m.slots(), FIRST_SLOTS);
        assert_eq!(
            m.max_slots(),
            1 << 15,
            "the last table and the one before fit"
        );
        let n = (m.max_slots() as f64 * 0.9) as i64;
        for i in 0..n {
            m.put(&i.to_be_bytes(), i);
        }
        assert_eq!(m.slots(), m.max_slots());
        for i in 0..n {
            assert_eq!(m.get(&i.to_be_bytes()), i);
        }
    }

    #[test]
    fn later_puts_win_and_absent_keys_are_minus_one() {
        let mut m = OffsetMap::new(24 * 100);
        assert_eq!(m.slots(), 100);
        assert_eq!(m.max_slots(), 100);
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
        // Keys differing in one byte, or only in a trailing zero or length, hash apart.
        let keys: Vec<Vec<u8>> = vec![
            vec![],
            vec![0],
            vec![0, 0],
            b"12345678".to_vec(),
            b"12345678\0".to_vec(),
            b"12345679".to_vec(),
            b"123456789abcdefgh".to_vec(),
            b"123456789abcdefgi".to_vec(),
        ];
        let hashes: std::collections::HashSet<_> = keys.iter().map(|k| m.hash(k)).collect();
        assert_eq!(hashes.len(), keys.len());
        // A million distinct keys: no two share a hash.
        let mut seen = std::collections::HashSet::new();
        for i in 0..1_000_000u32 {
            assert!(seen.insert(m.hash(format!("key-{i}").as_bytes())));
        }
        assert_eq!(m.latest_offset(), -1);
        assert!(m.is_empty());
    }
}
