//! The controller's decisions, as Kafka's KRaft controller makes them: which broker leads a
//! partition after a failure, who is in sync, what an unclean election loses. Pure
//! functions from the current [`ClusterState`] to the metadata records that change it;
//! [`super::Cluster::update`] appends and applies them under the controller lock.

use super::metadata::{ClusterState, MetadataRecord, PartitionState};
use super::topic::TopicConfig;

/// A partition's log end offset on a broker, read from its files (for unclean elections).
pub type LeoFn<'a> = &'a dyn Fn(&str, u32, i32) -> i64;

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
    }
}

fn unclean_allowed(state: &ClusterState, topic: &str) -> bool {
    state
        .topics
        .get(topic)
        .and_then(|t| TopicConfig::resolve(&t.configs).ok())
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
    leo: LeoFn<'_>,
    why: &str,
) -> MetadataRecord {
    let live = |b: &i32| Some(*b) != gone && state.is_online(*b);
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
        let new_end = leo(topic, p.partition, leader);
        let old_end = p
            .isr
            .iter()
            .map(|&b| leo(topic, p.partition, b))
            .max()
            .unwrap_or(new_end);
        let lost = if old_end > new_end {
            format!("offsets {new_end}..{} lost", old_end - 1)
        } else {
            "no offsets lost".to_string()
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
pub fn broker_down(state: &ClusterState, broker: i32, leo: LeoFn<'_>) -> Vec<MetadataRecord> {
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
                    leo,
                    &format!("leader {broker} went down"),
                ));
            } else if p.isr.contains(&broker) {
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

/// A broker comes back: it is unfenced, and offline partitions whose last ISR member it is
/// get it as leader again. (Its replicas rejoin ISRs once caught up, which the replication
/// pass decides.)
pub fn broker_up(state: &ClusterState, broker: i32, leo: LeoFn<'_>) -> Vec<MetadataRecord> {
    let mut out = vec![MetadataRecord::UnfenceBroker { id: broker }];
    let mut after = state.clone();
    after.apply(&out[0]);
    for (topic, t) in &after.topics {
        for p in &t.partitions {
            if p.leader < 0 && p.replicas.contains(&broker) {
                let r = elect(
                    &after,
                    topic,
                    p,
                    None,
                    leo,
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
            if p.leader != preferred && p.isr.contains(&preferred) && state.is_online(preferred) {
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
        let leo = |_: &str, _: u32, _: i32| 0;
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
        let leo = |_: &str, _: u32, b: i32| if b == 101 { 9 } else { 5 };
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

    #[test]
    fn preferred_leader_returns() {
        let mut s = cluster(false);
        let leo = |_: &str, _: u32, _: i32| 0;
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
