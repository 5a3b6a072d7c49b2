//! Leader-epoch history and the truncation rule of KIP-101 / KIP-279: a follower that
//! comes back does not truncate to its high watermark (which loses acknowledged records or
//! leaves replicas diverging); it asks the leader where its own latest epoch ends and cuts
//! there, repeating with the largest epoch both histories share.
//!
//! Pure functions over the `leader-epoch-checkpoint` entries; no I/O.

use crate::log::checkpoint::EpochEntry;

/// Kafka's `OffsetsForLeaderEpoch` answer: for `epoch`, the largest epoch in `history`
/// that is `<= epoch`, and the offset where it ends (the start of the next epoch, or the
/// log end offset for the latest). `None` when the history has no such epoch.
pub fn end_offset_for_epoch(
    history: &[EpochEntry],
    log_end: i64,
    epoch: i32,
) -> Option<(i32, i64)> {
    let i = history.partition_point(|e| e.epoch <= epoch);
    let found = history.get(i.checked_sub(1)?)?;
    let end = history.get(i).map_or(log_end, |next| next.start_offset);
    Some((found.epoch, end.min(log_end)))
}

/// Where a follower must truncate to agree with its leader (KIP-279): take the follower's
/// latest epoch E; the leader answers (E', end) with E' <= E; the follower cuts at
/// `min(end, the follower's own end of E')`. Returns the follower's log end when nothing
/// diverges, and the leader's log start when the two share no epoch at all.
pub fn truncation_offset(
    follower: &[EpochEntry],
    follower_end: i64,
    leader: &[EpochEntry],
    leader_end: i64,
    leader_start: i64,
) -> i64 {
    let Some(latest) = follower.last() else {
        // No history (an empty replica): nothing to keep that the leader cannot vouch for.
        return follower_end.min(leader_start.max(0));
    };
    match end_offset_for_epoch(leader, leader_end, latest.epoch) {
        None => leader_start.min(follower_end),
        Some((shared, leader_epoch_end)) => {
            let own_end = end_offset_for_epoch(follower, follower_end, shared)
                .map_or(follower_end, |(_, e)| e);
            leader_epoch_end.min(own_end).min(follower_end)
        }
    }
}

/// The history cut at `offset`: entries starting at or after it are dropped.
pub fn truncate_history(history: &[EpochEntry], offset: i64) -> Vec<EpochEntry> {
    history
        .iter()
        .copied()
        .filter(|e| e.start_offset < offset)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(entries: &[(i32, i64)]) -> Vec<EpochEntry> {
        entries
            .iter()
            .map(|&(epoch, start_offset)| EpochEntry {
                epoch,
                start_offset,
            })
            .collect()
    }

    #[test]
    fn end_offsets_answer_like_the_leader() {
        let leader = h(&[(0, 0), (2, 5), (3, 9)]);
        assert_eq!(end_offset_for_epoch(&leader, 12, 0), Some((0, 5)));
        assert_eq!(end_offset_for_epoch(&leader, 12, 1), Some((0, 5)));
        assert_eq!(end_offset_for_epoch(&leader, 12, 2), Some((2, 9)));
        assert_eq!(end_offset_for_epoch(&leader, 12, 7), Some((3, 12)));
        assert_eq!(end_offset_for_epoch(&h(&[(4, 3)]), 12, 2), None);
    }

    /// KIP-101 scenario 1: the follower's log is ahead of its stale high watermark but
    /// agrees with the leader: truncating to the HW would lose an acknowledged record.
    /// The epoch rule keeps everything.
    #[test]
    fn kip101_scenario_one_keeps_acknowledged_records() {
        let leader = h(&[(0, 0)]);
        let follower = h(&[(0, 0)]);
        assert_eq!(truncation_offset(&follower, 2, &leader, 2, 0), 2);
    }

    /// KIP-101 scenario 2: the old leader wrote offset 1 in epoch 0, the new leader wrote a
    /// different record at offset 1 in epoch 1. The old leader must drop its offset 1.
    #[test]
    fn kip101_scenario_two_truncates_the_divergent_suffix() {
        let new_leader = h(&[(0, 0), (1, 1)]);
        let old_leader = h(&[(0, 0)]);
        assert_eq!(truncation_offset(&old_leader, 2, &new_leader, 2, 0), 1);
    }

    /// KIP-279: the follower's latest epoch is one the leader never had; the answer for the
    /// largest shared epoch decides.
    #[test]
    fn kip279_unknown_epoch_falls_back_to_the_largest_shared_one() {
        let leader = h(&[(0, 0), (2, 6)]);
        let follower = h(&[(0, 0), (1, 4)]);
        // Leader: epoch <= 1 is 0, ending at 6. Follower's own end of epoch 0 is 4.
        assert_eq!(truncation_offset(&follower, 8, &leader, 10, 0), 4);
        assert_eq!(truncate_history(&follower, 4), h(&[(0, 0)]));
    }

    #[test]
    fn no_shared_epoch_truncates_to_the_leader_start() {
        assert_eq!(truncation_offset(&h(&[(0, 0)]), 5, &h(&[(3, 0)]), 9, 0), 0);
        assert_eq!(truncation_offset(&h(&[(5, 0)]), 5, &h(&[(3, 0)]), 9, 0), 5);
    }
}
