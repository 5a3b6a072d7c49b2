//! The controller's decisions, as Kafka's KRaft controller makes them: which broker leads a
//! partition after a failure, who is in sync, what an unclean election loses. Pure
//! functions from the current [`ClusterState`] to the metadata records that change it;
//! [`super::Cluster::update`] appends and applies them under the controller lock.

use super::epochs;
use super::metadata::{ClusterState, MetadataRecord, PartitionState};
use super::topic::TopicConfig;
use crate::log::checkpoint::EpochEntry;

/// What a replica's files hold, as an unclean election needs it to say what is lost.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplicaLog {
    /// Log start offset.
    pub log_start: i64,
    /// Log end offset.
    pub log_end: i64,
    /// Leader-epoch history (`leader-epoch-checkpoint`).
    pub epochs: Vec<EpochEntry>,
}

/// A partition's replica on a broker, read from its files (for unclean elections).
pub type ReplicaFn<'a> = &'a dyn Fn(&str, u32, i32) -> ReplicaLog;

/// The offsets an unclean election of `leader` loses: what the old in-sync replicas hold
/// from where their epoch history diverges from the new leader's (where they will
/// truncate when they return, KIP-101/279) to their log end. `None` when nothing is lost.
fn lost_offsets(
    topic: &str,
    p: &PartitionState,
    leader: i32,
    replica: ReplicaFn<'_>,
) -> Option<(i64, i64)> {
    let new = replica(topic, p.partition, leader);
    let mut lost: Option<(i64, i64)> = None;
    for &b in p.isr.iter().filter(|&&b| b != leader) {
        let old = replica(topic, p.partition, b);
        let from = epochs::truncation_offset(
            &old.epochs,
            old.log_end,
            &new.epochs,
            new.log_end,
            new.log_start,
        );
        if old.log_end > from {
            let (lo, hi) = lost.unwrap_or((from, old.log_end - 1));
            lost = Some((lo.min(from), hi.max(old.log_end - 1)));
        }
    }
    lost
}

fn change(
    topic: &str,
    p: &PartitionState,
    leader: i32,
    leader_epoch: i32,
    isr: Vec<i32>,
    reason: String,
) -> MetadataRecord {
    MetadataRecord::PartitionChange {
        topic: topic.to_string(),
        partition: p.partition,
        leader,
        leader_epoch,
        isr,
        reason,
        offline_replicas: None,
    }
}

/// The same change, also setting the partition's offline replicas.
fn with_offline(record: MetadataRecord, offline: Vec<i32>) -> MetadataRecord {
    match record {
        MetadataRecord::PartitionChange {
            topic,
            partition,
            leader,
            leader_epoch,
            isr,
            reason,
            ..
        } => MetadataRecord::PartitionChange {
            topic,
            partition,
            leader,
            leader_epoch,
            isr,
            reason,
            offline_replicas: Some(offline),
        },
        other => other,
    }
}

fn unclean_allowed(state: &ClusterState, topic: &str) -> bool {
    state
        .topics
        .get(topic)
        .and_then(|t| TopicConfig::resolve_with(&state.configs, &t.configs).ok())
        .is_some_and(|c| c.unclean_leader_election)
}

/// Chooses a leader for `p` among live brokers, excluding `gone`: the first live ISR member
/// in replica order; else, when the topic allows it, the first live replica (unclean).
/// Returns the record, or `None` when nothing changes.
fn elect(
    state: &ClusterState,
    topic: &str,
    p: &PartitionState,
    gone: Option<i32>,
    replica: ReplicaFn<'_>,
    why: &str,
) -> MetadataRecord {
    let live = |b: &i32| Some(*b) != gone && p.replica_up(state, *b);
    let isr: Vec<i32> = p.isr.iter().copied().filter(live).collect();
    if let Some(&leader) = p.replicas.iter().find(|b| isr.contains(b)) {
        return change(
            topic,
            p,
            leader,
            p.leader_epoch + 1,
            isr,
            format!("{why}: {leader} elected from the ISR"),
        );
    }
    if unclean_allowed(state, topic)
        && let Some(&leader) = p.replicas.iter().find(|b| live(b))
    {
        let lost = match lost_offsets(topic, p, leader, replica) {
            Some((from, to)) => format!("offsets {from}..{to} lost"),
            None => "no offsets lost".to_string(),
        };
        return change(
            topic,
            p,
            leader,
            p.leader_epoch + 1,
            vec![leader],
            format!(
                "{why}: UNCLEAN election of {leader}, not in the ISR {:?}: {lost}",
                p.isr
            ),
        );
    }
    // Offline. Like Kafka, the ISR keeps its last member (brokers that went down before
    // left it one by one), so that broker leads again when it returns.
    change(
        topic,
        p,
        -1,
        p.leader_epoch + 1,
        p.isr.clone(),
        format!("{why}: no live in-sync replica, partition offline"),
    )
}

/// A broker stops: it is fenced, leaves every ISR at once, and each partition it led gets
/// a new leader (or goes offline).
pub fn broker_down(
    state: &ClusterState,
    broker: i32,
    replica: ReplicaFn<'_>,
) -> Vec<MetadataRecord> {
    let mut out = vec![MetadataRecord::FenceBroker { id: broker }];
    for (topic, t) in &state.topics {
        for p in &t.partitions {
            if !p.replicas.contains(&broker) {
                continue;
            }
            if p.leader == broker {
                out.push(elect(
                    state,
                    topic,
                    p,
                    Some(broker),
                    replica,
                    &format!("leader {broker} went down"),
                ));
            // An offline partition keeps its ISR, the last replicas known to be in sync,
            // so that one of them leads again when it returns.
            } else if p.isr.contains(&broker) && p.leader >= 0 {
                let isr: Vec<i32> = p.isr.iter().copied().filter(|&b| b != broker).collect();
                out.push(change(
                    topic,
                    p,
                    p.leader,
                    p.leader_epoch,
                    isr,
                    format!("ISR shrink: {broker} went down"),
                ));
            }
        }
    }
    out
}

/// A replica's files are damaged, missing or cannot be written: Kafka's failed log dir, for
/// this partition. The replica goes offline (until its broker restarts) and leaves the ISR;
/// when it led, a clean election gives the partition to a live in-sync replica (or, when
/// the topic allows it, uncleanly to a live one; else it is offline). `None` when the
/// replica is offline already.
pub fn replica_failed(
    state: &ClusterState,
    topic: &str,
    partition: u32,
    broker: i32,
    why: &str,
    replica: ReplicaFn<'_>,
) -> Option<MetadataRecord> {
    let p = state
        .topics
        .get(topic)?
        .partitions
        .get(partition as usize)?;
    if p.offline_replicas.contains(&broker) || !p.replicas.contains(&broker) {
        return None;
    }
    let mut offline = p.offline_replicas.clone();
    offline.push(broker);
    offline.sort_by_key(|b| p.replicas.iter().position(|r| r == b));
    let why = format!("replica on {broker} failed ({why})");
    let record = if p.leader == broker {
        elect(state, topic, p, Some(broker), replica, &why)
    } else {
        let isr: Vec<i32> = p.isr.iter().copied().filter(|&b| b != broker).collect();
        change(
            topic,
            p,
            p.leader,
            p.leader_epoch,
            isr,
            format!("ISR shrink: {why}"),
        )
    };
    Some(with_offline(record, offline))
}

/// A broker comes back: it is unfenced, its replicas on a failed log dir are tried again
/// (a restart is what brings a failed log dir back in Kafka; a replica still damaged fails
/// again when it is opened), and offline partitions whose last ISR member it is get it as
/// leader again. (Its replicas rejoin ISRs once caught up, which the replication pass
/// decides.)
pub fn broker_up(state: &ClusterState, broker: i32, replica: ReplicaFn<'_>) -> Vec<MetadataRecord> {
    let mut out = vec![MetadataRecord::UnfenceBroker { id: broker }];
    let mut after = state.clone();
    after.apply(&out[0]);
    for (topic, t) in &state.topics {
        for p in &t.partitions {
            if p.offline_replicas.contains(&broker) {
                let offline: Vec<i32> = p
                    .offline_replicas
                    .iter()
                    .copied()
                    .filter(|&b| b != broker)
                    .collect();
                let r = with_offline(
                    change(
                        topic,
                        p,
                        p.leader,
                        p.leader_epoch,
                        p.isr.clone(),
                        format!("broker {broker} came back: its replica is tried again"),
                    ),
                    offline,
                );
                after.apply(&r);
                out.push(r);
            }
        }
    }
    let snapshot = after.clone();
    for (topic, t) in &snapshot.topics {
        for p in &t.partitions {
            if p.leader < 0 && p.replicas.contains(&broker) {
                let r = elect(
                    &after,
                    topic,
                    p,
                    None,
                    replica,
                    &format!("broker {broker} came back"),
                );
                if let MetadataRecord::PartitionChange { leader, .. } = &r
                    && *leader >= 0
                {
                    out.push(r);
                }
            }
        }
    }
    out
}

/// Preferred leader election: each partition (of `topic`, or all) whose first replica is
/// live and in the ISR but not leading gets it back as leader.
pub fn elect_preferred(state: &ClusterState, topic: Option<&str>) -> Vec<MetadataRecord> {
    let mut out = Vec::new();
    for (name, t) in &state.topics {
        if topic.is_some_and(|want| want != name) {
            continue;
        }
        for p in &t.partitions {
            let Some(&preferred) = p.replicas.first() else {
                continue;
            };
            if p.leader != preferred && p.isr.contains(&preferred) && p.replica_up(state, preferred)
            {
                out.push(change(
                    name,
                    p,
                    preferred,
                    p.leader_epoch + 1,
                    p.isr.clone(),
                    format!("preferred leader election: {preferred} leads again"),
                ));
            }
        }
    }
    out
}

/// An ISR change decided by the replication pass (a follower lagged or caught up).
pub fn isr_change(
    topic: &str,
    p: &PartitionState,
    isr: Vec<i32>,
    reason: String,
) -> MetadataRecord {
    change(topic, p, p.leader, p.leader_epoch, isr, reason)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::cluster::metadata::NewPartition;

    fn cluster(unclean: bool) -> ClusterState {
        let mut s = ClusterState::new("c".into());
        for id in [101, 102, 103] {
            s.apply(&MetadataRecord::RegisterBroker { id });
        }
        let mut configs = BTreeMap::new();
        if unclean {
            configs.insert("unclean.leader.election.enable".into(), "true".into());
        }
        s.apply(&MetadataRecord::CreateTopic {
            name: "t".into(),
            topic_id: "x".into(),
            configs,
            partitions: vec![NewPartition {
                partition: 0,
                replicas: vec![101, 102, 103],
            }],
        });
        s
    }

    fn apply_all(s: &mut ClusterState, records: &[MetadataRecord]) {
        for r in records {
            s.apply(r);
        }
    }

    fn p(s: &ClusterState) -> PartitionState {
        s.topics["t"].partitions[0].clone()
    }

    #[test]
    fn leader_failure_elects_the_first_live_isr_member_with_a_new_epoch() {
        let mut s = cluster(false);
        let leo = |_: &str, _: u32, _: i32| ReplicaLog::default();
        let r = broker_down(&s, 101, &leo);
        apply_all(&mut s, &r);
        let part = p(&s);
        assert_eq!(
            (part.leader, part.leader_epoch, part.isr),
            (102, 1, vec![102, 103])
        );
        let r = broker_down(&s, 103, &leo);
        apply_all(&mut s, &r);
        assert_eq!(p(&s).isr, vec![102]);
        assert_eq!(p(&s).leader_epoch, 1, "a follower leaving changes no epoch");
        let r = broker_down(&s, 102, &leo);
        apply_all(&mut s, &r);
        assert_eq!(
            (p(&s).leader, p(&s).isr.clone()),
            (-1, vec![102]),
            "offline"
        );
        // 101 comes back: not in the ISR, no unclean election: still offline.
        let r = broker_up(&s, 101, &leo);
        apply_all(&mut s, &r);
        assert_eq!(p(&s).leader, -1);
        // 102, the last ISR member, comes back and leads.
        let r = broker_up(&s, 102, &leo);
        apply_all(&mut s, &r);
        assert_eq!((p(&s).leader, p(&s).leader_epoch), (102, 3));
    }

    #[test]
    fn unclean_election_records_the_lost_offsets() {
        let mut s = cluster(true);
        let leo = |_: &str, _: u32, b: i32| ReplicaLog {
            log_start: 0,
            log_end: if b == 101 { 9 } else { 5 },
            epochs: history(&[(0, 0)]),
        };
        // Followers drop out of the ISR first, then the leader dies.
        let r = broker_down(&s, 102, &leo);
        apply_all(&mut s, &r);
        let r = broker_down(&s, 103, &leo);
        apply_all(&mut s, &r);
        apply_all(&mut s, &[MetadataRecord::UnfenceBroker { id: 103 }]);
        let r = broker_down(&s, 101, &leo);
        let reason = match r.last().unwrap() {
            MetadataRecord::PartitionChange { reason, leader, .. } => {
                assert_eq!(*leader, 103);
                reason.clone()
            }
            other => panic!("{other:?}"),
        };
        assert!(
            reason.contains("UNCLEAN") && reason.contains("offsets 5..8 lost"),
            "{reason}"
        );
    }

    fn history(entries: &[(i32, i64)]) -> Vec<EpochEntry> {
        entries
            .iter()
            .map(|&(epoch, start_offset)| EpochEntry {
                epoch,
                start_offset,
            })
            .collect()
    }

    /// Regression: the lost offsets were the old leader's log end minus the new leader's,
    /// so when the new leader has other records at the same offsets (it led an epoch of
    /// its own before), offsets 3..4 went unreported. The old leader led epoch 1 from
    /// offset 3 up to 7; the new one stopped in epoch 0 at 5 (m3, m4 in place of n3, n4).
    #[test]
    fn unclean_election_reports_what_diverges_not_the_log_end_difference() {
        let mut s = cluster(true);
        let logs = |_: &str, _: u32, b: i32| match b {
            101 => ReplicaLog {
                log_start: 0,
                log_end: 7,
                epochs: history(&[(0, 0), (1, 3)]),
            },
            _ => ReplicaLog {
                log_start: 0,
                log_end: 5,
                epochs: history(&[(0, 0)]),
            },
        };
        for r in [
            broker_down(&s, 102, &logs),
            broker_down(&s, 103, &logs),
            vec![MetadataRecord::UnfenceBroker { id: 103 }],
        ] {
            apply_all(&mut s, &r);
        }
        let r = broker_down(&s, 101, &logs);
        let Some(MetadataRecord::PartitionChange { reason, leader, .. }) = r.last() else {
            panic!("{r:?}");
        };
        assert_eq!(*leader, 103);
        assert!(reason.ends_with("offsets 3..6 lost"), "{reason}");
    }

    #[test]
    fn preferred_leader_returns() {
        let mut s = cluster(false);
        let leo = |_: &str, _: u32, _: i32| ReplicaLog::default();
        let r = broker_down(&s, 101, &leo);
        apply_all(&mut s, &r);
        let r = broker_up(&s, 101, &leo);
        apply_all(&mut s, &r);
        assert!(
            elect_preferred(&s, None).is_empty(),
            "101 is not in the ISR yet"
        );
        let part = p(&s);
        apply_all(
            &mut s,
            &[isr_change(
                "t",
                &part,
                vec![102, 103, 101],
                "caught up".into(),
            )],
        );
        let r = elect_preferred(&s, Some("t"));
        apply_all(&mut s, &r);
        assert_eq!((p(&s).leader, p(&s).leader_epoch), (101, 2));
    }
}
