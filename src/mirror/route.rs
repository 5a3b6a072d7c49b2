//! Which target partition a mirrored record goes to.
//!
//! The partition is kept when the target topic has at least as many partitions as the
//! source, so offsets, order and key placement stay as they were. With fewer, a keyed record
//! goes where Kafka's default partitioner (murmur2, [`crate::record::hash`]) would put it
//! among the target's partitions, which is also where any Kafka producer sends that key
//! later; a null-keyed record goes to `source partition % target count`, so the records of
//! one source partition stay together and in order.
//!
//! Owns: that rule. Pure: no I/O.

use crate::record::hash;

/// The partition mapping of one mirrored topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    source: u32,
    target: u32,
}

impl Route {
    /// A route from a topic of `source` partitions to one of `target` partitions.
    pub fn new(source: u32, target: u32) -> Route {
        Route {
            source,
            target: target.max(1),
        }
    }

    /// Whether every record keeps its partition.
    pub fn keeps_partitions(&self) -> bool {
        self.target >= self.source
    }

    /// The target partition of a record of source partition `partition` with `key`.
    pub fn partition(&self, partition: u32, key: Option<&[u8]>) -> u32 {
        if self.keeps_partitions() {
            return partition;
        }
        match key {
            Some(k) => hash::partition_for_key(k, self.target),
            None => partition % self.target,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enough_partitions_keep_them() {
        let r = Route::new(3, 3);
        assert!(r.keeps_partitions());
        for p in 0..3 {
            assert_eq!(r.partition(p, Some(b"k")), p);
            assert_eq!(r.partition(p, None), p);
        }
        // More target partitions: still kept (the extra ones stay empty).
        assert_eq!(Route::new(3, 8).partition(2, Some(b"foobar")), 2);
    }

    #[test]
    fn fewer_partitions_go_by_murmur2() {
        let r = Route::new(6, 4);
        assert!(!r.keeps_partitions());
        // kafka-format.md's vectors: murmur2("foobar") = -790332482, toPositive -> 1357151166.
        assert_eq!(r.partition(5, Some(b"foobar")), 1_357_151_166 % 4);
        assert_eq!(r.partition(5, None), 1);
        assert_eq!(r.partition(3, None), 3);
    }

    #[test]
    fn a_zero_count_is_taken_as_one() {
        let r = Route::new(3, 0);
        assert!(!r.keeps_partitions());
        assert_eq!(r.partition(2, Some(b"x")), 0);
        assert_eq!(r.partition(2, None), 0);
    }
}
