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

/// Where a follower must truncate to agree with its leader (KIP-279), as Kafka's follower
/// finds it with repeated `OffsetsForLeaderEpoch` requests: it asks for its latest epoch
/// E; the leader answers (E', end) with E' the largest epoch it has `<= E`. When the
/// follower has E' too, it cuts at `min(end, its own end of E')` and is done. When it does
/// not, it cuts at the end of its own largest epoch below E' and asks again with that one,
/// which is smaller: each round drops at least one epoch, so this ends. Returns the
/// follower's log end when nothing diverges, and the leader's log start when the two share
/// no epoch at all.
pub fn truncation_offset(
    follower: &[EpochEntry],
    follower_end: i64,
    leader: &[EpochEntry],
    leader_end: i64,
    leader_start: i64,
) -> i64 {
    let mut history = follower.to_vec();
    let mut end = follower_end;
    loop {
        let Some(latest) = history.last() else {
            // No history (an empty replica): nothing to keep that the leader cannot vouch for.
            return end.min(leader_start.max(0));
        };
        let Some((shared, leader_epoch_end)) =
            end_offset_for_epoch(leader, leader_end, latest.epoch)
        else {
            return leader_start.min(end);
        };
        match end_offset_for_epoch(&history, end, shared) {
            Some((own, own_end)) if own == shared => {
                return leader_epoch_end.min(own_end).min(end);
            }
            // The follower never had the epoch the leader answered with: what it holds
            // from its next epoch on is not the leader's. Cut there and ask again.
            Some((_, own_end)) => {
                end = own_end.min(end);
                history = truncate_history(&history, end);
            }
            // The follower has no epoch that old (it was not tracking epochs then): the
            // leader's answer is all there is, as in Kafka.
            None => return leader_epoch_end.min(end),
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

    /// Regression: two unclean elections. B led epoch 1 from offset 3 (n3..n6); A, which had
    /// m3, m4 in epoch 0, was elected uncleanly (epoch 2 from 5); then B again (epoch 3
    /// from 7). A asks for epoch 2: B answers epoch 1, which A never had. One round cut A
    /// at 5, keeping its m3, m4 where B has n3, n4, and the next fetch was refused for
    /// good; the second round (epoch 0, which B ends at 3) finds the real divergence.
    #[test]
    fn kip279_repeats_until_the_follower_has_the_answered_epoch() {
        let leader = h(&[(0, 0), (1, 3), (3, 7)]);
        let follower = h(&[(0, 0), (2, 5)]);
        assert_eq!(truncation_offset(&follower, 8, &leader, 10, 0), 3);
        // And the other way round: B, when A leads with (0,0),(2,5),(5,8).
        let a = h(&[(0, 0), (2, 5), (5, 8)]);
        assert_eq!(truncation_offset(&leader, 10, &a, 9, 0), 3);
    }

    #[test]
    fn no_shared_epoch_truncates_to_the_leader_start() {
        assert_eq!(truncation_offset(&h(&[(0, 0)]), 5, &h(&[(3, 0)]), 9, 0), 0);
        assert_eq!(truncation_offset(&h(&[(5, 0)]), 5, &h(&[(3, 0)]), 9, 0), 5);
    }
}
