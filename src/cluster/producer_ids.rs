//! Producer ids for idempotent and transactional producers, as Kafka's controller hands
//! them out: in blocks of [`BLOCK_SIZE`], each block one `ProducerIds` record in the
//! metadata log (KRaft's ProducerIdsRecord), so the log grows by one record per thousand
//! producers, not per producer.
//!
//! The block in use lives in the lock file `locks/producer-ids.lock` (next id, block end),
//! changed under that lock. A process that dies after taking a block wastes the rest of it,
//! as a Kafka broker that restarts does: ids stay unique, never reused.
//!
//! Must not: know what a producer does with its id.

use super::lock::FileLock;
use super::metadata::MetadataRecord;
use super::{Cluster, ClusterError, io_err};
use crate::log;

/// Ids per block (Kafka's ProducerIdManager block size).
pub const BLOCK_SIZE: i64 = 1000;

/// The lock file holding the current block.
pub const LOCK_FILE: &str = "producer-ids.lock";

/// A new producer id, unique in the cluster.
pub fn allocate(cluster: &mut Cluster) -> Result<i64, ClusterError> {
    let path = cluster.layout().locks().join(LOCK_FILE);
    let lock = FileLock::exclusive(&path)?;
    let mut b = [0u8; 16];
    let n = log::io::read_at(lock.file(), &mut b, 0).map_err(io_err(&path))?;
    let (mut next, mut end) = if n == 16 {
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[i..i + 8]);
            i64::from_le_bytes(w)
        };
        (word(0), word(8))
    } else {
        (0, 0)
    };
    if next >= end || next < 0 {
        let start = cluster.update(|s| {
            let start = s.next_producer_id;
            Ok((
                vec![MetadataRecord::ProducerIds {
                    next_producer_id: start + BLOCK_SIZE,
                }],
                start,
            ))
        })?;
        next = start;
        end = start + BLOCK_SIZE;
    }
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&(next + 1).to_le_bytes());
    out[8..].copy_from_slice(&end.to_le_bytes());
    log::io::write_at(lock.file(), &out, 0).map_err(io_err(&path))?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_across_processes_and_blocks_cost_one_record_each() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("c");
        let mut c = Cluster::init(&root, 1, 101).unwrap();
        let before = c.history().unwrap().len();
        let mut seen = BTreeSet::new();
        for _ in 0..(BLOCK_SIZE + 5) {
            assert!(seen.insert(allocate(&mut c).unwrap()));
        }
        assert_eq!(seen.first(), Some(&0));
        assert_eq!(
            c.history().unwrap().len(),
            before + 2,
            "two blocks, two records"
        );
        // Another "process" (its own Cluster) shares the block through the lock file.
        let mut other = Cluster::open(&root).unwrap();
        let id = allocate(&mut other).unwrap();
        assert!(seen.insert(id), "{id} handed out twice");
        // A lost lock file loses its block, never an id: the next block starts above.
        std::fs::remove_file(root.join("locks").join(LOCK_FILE)).unwrap();
        let id = allocate(&mut other).unwrap();
        assert_eq!(id, 2 * BLOCK_SIZE);
    }
}
