//! The reassignment's decisions against Kafka's rules (ReplicationControlManager,
//! PartitionChangeBuilder, PartitionReassignmentReplicas/Revert), and the records' meaning
//! both ways (filka's fold and Kafka's records through the image).

use std::collections::BTreeMap;

use super::*;
use crate::cluster::kraft::image::Image;
use crate::cluster::kraft::translate::{Outside, place, translate};
use crate::cluster::metadata::NewPartition;
use crate::record::uuid::Uuid;

fn cluster() -> ClusterState {
    let mut s = ClusterState::new("c".into());
    for id in [101, 102, 103, 104, 105] {
        s.apply(&MetadataRecord::RegisterBroker { id });
    }
    s.apply(&MetadataRecord::CreateTopic {
        name: "t".into(),
        topic_id: Uuid([5; 16]).to_base64(),
        configs: BTreeMap::new(),
        partitions: vec![
            NewPartition {
                partition: 0,
                replicas: vec![101, 102, 103],
            },
            NewPartition {
                partition: 1,
                replicas: vec![102, 103, 101],
            },
        ],
    });
    s
}

fn p(s: &ClusterState, n: usize) -> PartitionState {
    s.topics["t"].partitions[n].clone()
}

struct Fixed;

impl Outside for Fixed {
    fn log_dir(&self, id: i32) -> Uuid {
        Uuid([id as u8; 16])
    }
    fn random_id(&self) -> Uuid {
        Uuid([9; 16])
    }
    fn controller(&self) -> i32 {
        101
    }
}

/// Applies `r` to `s` by filka's fold, and checks Kafka's records of it fold the same.
fn apply(s: &mut ClusterState, r: &MetadataRecord) {
    let mut records: Vec<_> = translate(s, std::slice::from_ref(r), &Fixed)
        .into_iter()
        .map(|t| t.record)
        .collect();
    place(&mut records, 0);
    let mut image = Image::new(s.clone());
    for k in &records {
        image.apply(k);
    }
    s.apply(r);
    assert_eq!(image.into_state().topics, s.topics, "{r:?}");
}

#[test]
fn a_move_adds_then_completes_when_the_adding_replicas_are_in_sync() {
    let mut s = cluster();
    let r = start_record(&s, "t", &p(&s, 0), &[104, 102, 105]).unwrap();
    apply(&mut s, &r);
    let now = p(&s, 0);
    // Kafka's order: the target, then the replicas leaving.
    assert_eq!(now.replicas, vec![104, 102, 105, 101, 103]);
    assert_eq!(now.adding_replicas, vec![104, 105]);
    assert_eq!(now.removing_replicas, vec![101, 103]);
    assert_eq!(now.isr, vec![101, 102, 103]);
    assert_eq!((now.leader, now.leader_epoch), (101, 0), "the leader stays");
    assert!(completion(&s, "t", &now, "").is_none(), "not caught up yet");

    // 104 joins the ISR: not yet complete.
    let r = isr_change(&s, "t", &now, vec![104, 102, 101, 103], "x".into());
    assert_eq!(r.kind(), "PartitionChange");
    apply(&mut s, &r);
    // 105 joins: the same record completes the move; leader 101 leaves, 104 (the first
    // target replica in the ISR) leads with a new epoch.
    let now = p(&s, 0);
    let r = isr_change(&s, "t", &now, vec![104, 102, 105, 101, 103], "x".into());
    apply(&mut s, &r);
    let done = p(&s, 0);
    assert_eq!(done.replicas, vec![104, 102, 105]);
    assert_eq!(done.isr, vec![104, 102, 105]);
    assert!(!done.is_reassigning());
    assert_eq!((done.leader, done.leader_epoch), (104, 1));
}

#[test]
fn a_move_that_only_removes_or_reorders_completes_at_once() {
    let mut s = cluster();
    let r = start_record(&s, "t", &p(&s, 0), &[102, 103]).unwrap();
    apply(&mut s, &r);
    let now = p(&s, 0);
    assert_eq!(now.replicas, vec![102, 103]);
    assert_eq!(now.isr, vec![102, 103]);
    assert!(!now.is_reassigning());
    assert_eq!((now.leader, now.leader_epoch), (102, 1));

    let r = start_record(&s, "t", &p(&s, 1), &[101, 102, 103]).unwrap();
    apply(&mut s, &r);
    let now = p(&s, 1);
    assert_eq!(now.replicas, vec![101, 102, 103]);
    assert_eq!(
        (now.leader, now.leader_epoch),
        (102, 0),
        "a reorder keeps the leader"
    );
    assert!(start_record(&s, "t", &now, &[101, 102, 103]).is_none());
}

#[test]
fn a_removal_keeping_the_leader_bumps_its_epoch_as_kafka_does() {
    let mut s = cluster();
    let r = start_record(&s, "t", &p(&s, 0), &[101, 102]).unwrap();
    apply(&mut s, &r);
    let now = p(&s, 0);
    assert_eq!((now.leader, now.leader_epoch), (101, 1));
}

#[test]
fn cancel_goes_back_to_the_original_replicas() {
    let mut s = cluster();
    let r = start_record(&s, "t", &p(&s, 0), &[104, 105, 103]).unwrap();
    apply(&mut s, &r);
    let now = p(&s, 0);
    let r = isr_change(&s, "t", &now, vec![104, 101, 102, 103], "x".into());
    apply(&mut s, &r);
    let r = revert_record(&s, "t", &p(&s, 0)).unwrap();
    apply(&mut s, &r);
    let back = p(&s, 0);
    // Kafka's PartitionReassignmentRevert: the replicas in their order during the move,
    // without the adding ones.
    assert_eq!(back.replicas, vec![103, 101, 102]);
    assert_eq!(back.isr, vec![101, 102, 103]);
    assert!(!back.is_reassigning());
    assert_eq!(back.leader, 101);
    assert!(revert_record(&s, "t", &back).is_none());
}

#[test]
fn a_new_target_while_moving_starts_from_the_original_replicas() {
    let mut s = cluster();
    let r = start_record(&s, "t", &p(&s, 0), &[104, 102, 103]).unwrap();
    apply(&mut s, &r);
    let r = start_record(&s, "t", &p(&s, 0), &[105, 102, 103]).unwrap();
    apply(&mut s, &r);
    let now = p(&s, 0);
    assert_eq!(now.replicas, vec![105, 102, 103, 101]);
    assert_eq!(now.adding_replicas, vec![105]);
    assert_eq!(now.removing_replicas, vec![101]);
    // The same target again changes nothing.
    assert!(start_record(&s, "t", &now, &[105, 102, 103]).is_none());
}

#[test]
fn generate_spreads_over_the_broker_list_and_drains_a_broker_left_out() {
    let s = cluster();
    let (current, proposed) = generate(&s, &["t".into()], &[102, 103, 104, 105]).unwrap();
    assert_eq!(current.len(), 2);
    assert_eq!(current[0].replicas, vec![101, 102, 103]);
    for t in &proposed {
        assert_eq!(t.replicas.len(), 3);
        assert!(!t.replicas.contains(&101), "{t:?}");
    }
    assert!(matches!(
        generate(&s, &["nope".into()], &[101]),
        Err(ClusterError::UnknownTopic(_))
    ));
    assert!(
        generate(&s, &["t".into()], &[101, 102]).is_err(),
        "RF 3 on 2 brokers"
    );
    assert!(
        generate(&s, &["t".into()], &[101, 102, 109]).is_err(),
        "unknown broker"
    );
}

#[test]
fn a_plan_is_checked_before_anything_moves() {
    let s = cluster();
    let t = |topic: &str, partition, replicas: &[i32]| Target {
        topic: topic.into(),
        partition,
        replicas: replicas.to_vec(),
    };
    assert!(validate(&s, &[t("t", 0, &[101, 104])]).is_ok());
    for bad in [
        vec![t("t", 0, &[])],
        vec![t("t", 0, &[101, 101])],
        vec![t("t", 0, &[101, 109])],
        vec![t("t", 2, &[101])],
        vec![t("u", 0, &[101])],
        vec![t("t", 0, &[101]), t("t", 0, &[102])],
    ] {
        assert!(validate(&s, &bad).is_err(), "{bad:?}");
    }
}

#[test]
fn a_target_replica_out_of_the_isr_holds_the_completion_as_in_kafka() {
    // Kafka's maybeCompleteReassignment: every target replica in the ISR, not only the
    // adding ones.
    let mut s = cluster();
    let r = MetadataRecord::PartitionChange {
        topic: "t".into(),
        partition: 0,
        leader: 101,
        leader_epoch: 0,
        isr: vec![101, 103],
        reason: "102 lagged".into(),
        offline_replicas: None,
    };
    apply(&mut s, &r);
    // 102 stays, 103 leaves, 104 comes: 104 catches up, 102 has not.
    let r = start_record(&s, "t", &p(&s, 0), &[101, 102, 104]).unwrap();
    apply(&mut s, &r);
    let r = isr_change(&s, "t", &p(&s, 0), vec![101, 104, 103], "x".into());
    assert_eq!(r.kind(), "PartitionChange", "102 is out of the ISR");
    apply(&mut s, &r);
    assert!(p(&s, 0).is_reassigning());
    let r = isr_change(&s, "t", &p(&s, 0), vec![101, 102, 104, 103], "x".into());
    apply(&mut s, &r);
    let done = p(&s, 0);
    assert_eq!(done.replicas, vec![101, 102, 104]);
    assert_eq!(done.isr, vec![101, 102, 104]);
    // A removal-only move waits too.
    let mut s = cluster();
    let r = MetadataRecord::PartitionChange {
        topic: "t".into(),
        partition: 1,
        leader: 102,
        leader_epoch: 0,
        isr: vec![102, 101],
        reason: "103 lagged".into(),
        offline_replicas: None,
    };
    apply(&mut s, &r);
    let r = start_record(&s, "t", &p(&s, 1), &[102, 103]).unwrap();
    apply(&mut s, &r);
    assert_eq!(p(&s, 1).removing_replicas, vec![101]);
}
