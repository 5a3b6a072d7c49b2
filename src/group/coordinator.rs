//! The consumer-group coordinator, done by the members themselves through files (DESIGN.md,
//! concurrency model):
//!
//! ```text
//! groups/<group>/state/<version>.json  generation, assignor, members, assignment: changed
//!                                      without a lock (compare-and-swap, see super::state)
//! groups/<group>/commit.lock           held from the fence check to the end of the
//!                                      __consumer_offsets append of one commit
//! groups/<group>/members/<id>.lock     held (flock) by the live member; mtime = heartbeat
//! groups/<group>/members/<id>.json     the member's client id, host, topics
//! ```
//!
//! The member lock only says who is alive. A member whose lock can be taken is dead (its
//! process exited or was killed): the next heartbeat of any member removes it and starts a
//! new generation at once. A member that has not touched its lock file for its session
//! timeout (a stopped process) is expelled too; when it resumes it finds itself out of the
//! group and its commits are refused ([`GroupError::Fenced`]).
//!
//! Who reads a partition is recorded in the state ([`GroupState::owned`]), never in a lock a
//! stopped process could keep: a partition is taken by a member of the current generation
//! it is assigned to once nobody holds it, and given back by its holder after committing
//! (a new owner waits for that during a rebalance, so no two members read it at once).
//! Removing a member from the generation takes its partitions from it in the same change:
//! a stopped member's partitions go to the live members at once, and its commits are
//! refused when it resumes, since it is no longer a member (Kafka's generation check).
//!
//! Heartbeats take no lock at all, so a member stopped anywhere, even in the middle of a
//! commit, holds up no other member's heartbeat. Commits are serialized by the commit lock,
//! and a member that cannot take it at once does not wait ([`Member::try_commit`] says so):
//! its read loop goes on and tries again.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::assignor::{self, Assignor, Tp};
use super::names::checked_group_dir;
pub use super::names::{check_group_id, group_dir, group_dirs};
use super::offsets;
use super::schema::OffsetValue;
use super::state;
pub use super::state::{GroupState, MemberInfo};
use crate::cluster::lock::FileLock;
use crate::cluster::{Cluster, ClusterError, now_ms, random_uuid};

const HEARTBEAT_REFUSED: &str = "its heartbeat was refused: it must leave";

/// Kafka's default `session.timeout.ms`.
pub const DEFAULT_SESSION_TIMEOUT_MS: u64 = 45_000;

/// Why a group operation failed.
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    /// The member is no longer part of the group's current generation.
    #[error(
        "group {group}: member {member} is not in generation {generation} (it was removed after \
         missing session.timeout.ms, and its partitions went to the live members); {refused}"
    )]
    Fenced {
        /// Group.
        group: String,
        /// Member id.
        member: String,
        /// The group's current generation.
        generation: i32,
        /// What was refused.
        refused: &'static str,
    },
    /// The member does not own a partition it tried to commit.
    #[error("group {group}: member {member} does not own {topic}-{partition}; commit refused")]
    NotOwner {
        /// Group.
        group: String,
        /// Member id.
        member: String,
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
    },
    /// A member asked for another assignor than the group's.
    #[error(
        "group {group} uses the {protocol} assignor, and this member asked for {asked} (Kafka: \
         INCONSISTENT_GROUP_PROTOCOL); use --assignor {protocol}, or wait until the group has no \
         members"
    )]
    InconsistentProtocol {
        /// Group.
        group: String,
        /// The group's assignor.
        protocol: &'static str,
        /// The one this member asked for.
        asked: &'static str,
    },
    /// A change that needs an inactive group, refused because members are alive.
    #[error(
        "group {group:?} has {live} live member(s); stop them first (Kafka: the group must be \
         inactive)"
    )]
    Active {
        /// Group.
        group: String,
        /// How many members are alive.
        live: usize,
    },
    /// The group's commit lock stayed busy.
    #[error(
        "group {group}: its commit lock stayed held by another process for {waited:?} (a \
         member stopped in the middle of a commit?); try again"
    )]
    CommitBusy {
        /// Group.
        group: String,
        /// How long we waited.
        waited: Duration,
    },
    /// The group id cannot be used.
    #[error("invalid group id: {reason}")]
    InvalidGroupId {
        /// Why.
        reason: String,
    },
    /// A long group id's folder belongs to another id with the same hash.
    #[error(
        "{path} belongs to group {other:?}, whose long id hashes like this one; use another \
         group id"
    )]
    NameClash {
        /// The folder.
        path: PathBuf,
        /// The start of the other group's id.
        other: String,
    },
    /// A state file of the group could not be decoded.
    #[error("{path}: not a group state file: {reason}")]
    BadState {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The group's state changed under us too many times in a row.
    #[error("{path}: the group state kept changing under us; try again")]
    Contended {
        /// The state folder.
        path: PathBuf,
    },
    /// The cluster failed.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// A group file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> GroupError + '_ {
    move |source| GroupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A member found in the members folder.
#[derive(Debug, Clone)]
pub struct LiveMember {
    /// Member id.
    pub id: String,
    /// What it says about itself.
    pub info: Option<MemberInfo>,
    /// Heartbeat older than its session timeout (stopped).
    pub expired: bool,
}

/// Scans the members folder: live members (lock held by someone else), removing the files of
/// dead ones. `me` (with its lock held by this process) is never probed.
/// Without `cleanup` (an observer, who changes nothing) dead members are only left out.
fn scan_members(
    dir: &Path,
    me: Option<&str>,
    cleanup: bool,
) -> Result<Vec<LiveMember>, GroupError> {
    let mdir = dir.join("members");
    let entries = match std::fs::read_dir(&mdir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(&mdir)(e)),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(id) = name.strip_suffix(".lock") else {
            continue;
        };
        let lock_path = entry.path();
        let json_path = mdir.join(format!("{id}.json"));
        let info: Option<MemberInfo> = std::fs::read(&json_path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        if Some(id) != me
            && let Some(held) = FileLock::try_exclusive(&lock_path).map_err(ClusterError::from)?
        {
            // Dead: nobody holds its lock. Remove its files while holding it.
            if cleanup {
                let _ = std::fs::remove_file(&json_path);
                let _ = std::fs::remove_file(&lock_path);
            }
            drop(held);
            continue;
        }
        let timeout = info
            .as_ref()
            .map_or(DEFAULT_SESSION_TIMEOUT_MS, |i| i.session_timeout_ms);
        let age = std::fs::metadata(&lock_path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .unwrap_or_default();
        out.push(LiveMember {
            id: id.to_string(),
            info,
            expired: Some(id) != me && age > Duration::from_millis(timeout),
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// The members of `group` that are alive now (lock held and heartbeat recent).
pub fn live_members(cluster: &Cluster, group: &str) -> Result<Vec<LiveMember>, GroupError> {
    // Probing member locks waits for nobody: an observer is never held up by a stopped
    // member.
    let dir = checked_group_dir(cluster.layout(), group, false)?;
    Ok(scan_members(&dir, None, false)?
        .into_iter()
        .filter(|m| !m.expired)
        .collect())
}

/// The group's state with dead members (lock free) left out (for describe).
pub fn describe_state(cluster: &Cluster, group: &str) -> Result<GroupState, GroupError> {
    let dir = checked_group_dir(cluster.layout(), group, false)?;
    if !dir.exists() {
        return Ok(GroupState::default());
    }
    // The coordinator's view: members of the generation whose process still holds its
    // lock (a stopped one stays until a live member expels it).
    let live: BTreeSet<String> = scan_members(&dir, None, false)?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let (_, mut st) = state::read(&dir)?;
    st.members.retain(|id, _| live.contains(id));
    st.assignment.retain(|id, _| live.contains(id));
    st.owned.retain(|id, _| live.contains(id));
    Ok(st)
}

/// How long a change by a script ([`write_offsets_inactive`]) waits for the commit lock.
pub const ADMIN_COMMIT_WAIT: Duration = Duration::from_secs(10);

/// Writes committed offsets (or deletions) of a group that has no live member, as
/// `filka group commit`, `reset-offsets` and `delete` do; refused ([`GroupError::Active`])
/// when members are alive.
///
/// Taken under the group's commit lock: a member that passed its fence check just before
/// it was expelled (then stopped) has its commit land before this change, never after it.
pub fn write_offsets_inactive(
    cluster: &mut Cluster,
    group: &str,
    entries: &[(Tp, Option<OffsetValue>)],
) -> Result<(), GroupError> {
    let dir = checked_group_dir(cluster.layout(), group, false)?;
    // No folder: no member ever joined, so none can be in the middle of a commit.
    let _commit = if dir.is_dir() {
        let lock = FileLock::exclusive_within(&commit_lock(&dir), ADMIN_COMMIT_WAIT).map_err(
            |e| match e {
                crate::cluster::lock::LockError::Busy { waited, .. } => GroupError::CommitBusy {
                    group: group.to_string(),
                    waited,
                },
                e => GroupError::Cluster(e.into()),
            },
        )?;
        Some(lock)
    } else {
        None
    };
    let live = live_members(cluster, group)?.len();
    if live > 0 {
        return Err(GroupError::Active {
            group: group.to_string(),
            live,
        });
    }
    offsets::write(cluster, group, entries)?;
    Ok(())
}

/// Removes a group's folder (no live members: the caller checked).
pub fn remove_group_dir(cluster: &Cluster, group: &str) -> Result<(), GroupError> {
    let dir = checked_group_dir(cluster.layout(), group, false)?;
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&dir)(e)),
        _ => Ok(()),
    }
}

/// One live member of a group: holds its member lock; the partitions it reads are recorded
/// as its own in the group state.
#[derive(Debug)]
pub struct Member {
    group: String,
    dir: PathBuf,
    id: String,
    info: MemberInfo,
    assignor: Assignor,
    lock: FileLock,
    generation: i32,
    target: Vec<Tp>,
    /// What the state said this member holds, as of its last change or heartbeat.
    owned: BTreeSet<Tp>,
    /// Members of the generation (this one included) subscribed to one of this member's
    /// topics, as of its last heartbeat.
    peers: usize,
}

impl Member {
    /// Joins `group` as a new member subscribed to `topics`.
    pub fn join(
        cluster: &Cluster,
        group: &str,
        topics: &[String],
        assignor: Assignor,
        session_timeout_ms: u64,
    ) -> Result<Member, GroupError> {
        let dir = checked_group_dir(cluster.layout(), group, true)?;
        let mdir = dir.join("members");
        std::fs::create_dir_all(&mdir).map_err(io(&mdir))?;
        let client_id = format!("console-consumer-{}", std::process::id());
        let id = format!("{client_id}-{}", random_uuid());
        let info = MemberInfo {
            client_id,
            host: "/127.0.0.1".into(),
            topics: topics.to_vec(),
            session_timeout_ms,
            assignor: Some(assignor),
        };
        let json = mdir.join(format!("{id}.json"));
        std::fs::write(&json, serde_json::to_vec(&info).unwrap_or_default()).map_err(io(&json))?;
        // Lock under a name scans ignore, then rename: a scan must never find a member's
        // lock file before its owner holds it (it would take it for dead). The flock stays
        // with the file across the rename.
        let joining = mdir.join(format!("{id}.joining"));
        let lock = FileLock::exclusive(&joining).map_err(ClusterError::from)?;
        let path = mdir.join(format!("{id}.lock"));
        std::fs::rename(&joining, &path).map_err(io(&path))?;
        let mut m = Member {
            group: group.to_string(),
            dir,
            id,
            info,
            assignor,
            lock,
            generation: 0,
            target: Vec::new(),
            owned: BTreeSet::new(),
            peers: 0,
        };
        if let Err(e) = m.heartbeat(cluster) {
            // Not taken in (e.g. another assignor): leave no files that look like a member.
            m.leave();
            return Err(e);
        }
        Ok(m)
    }

    /// The member id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The generation this member last synced to.
    pub fn generation(&self) -> i32 {
        self.generation
    }

    /// The partitions assigned to this member in its generation.
    pub fn target(&self) -> &[Tp] {
        &self.target
    }

    /// How many members of its generation (itself included) subscribe to at least one of
    /// its topics: those it shares partitions with.
    pub fn peers(&self) -> usize {
        self.peers
    }

    /// The topics this member subscribed to.
    pub fn topics(&self) -> &[String] {
        &self.info.topics
    }

    /// The partitions this member holds (it reads them; nobody else does).
    pub fn owned(&self) -> Vec<Tp> {
        self.owned.iter().cloned().collect()
    }

    fn fenced_error(&self, generation: i32, refused: &'static str) -> GroupError {
        GroupError::Fenced {
            group: self.group.clone(),
            member: self.id.clone(),
            generation,
            refused,
        }
    }

    /// Proves liveness (touches the member file) and syncs with the group: removes dead or
    /// expired members and, when membership changed, starts a new generation with a new
    /// assignment. Returns true when this member's assignment changed. Takes no lock.
    pub fn heartbeat(&mut self, cluster: &Cluster) -> Result<bool, GroupError> {
        let joined = self.generation > 0;
        if joined {
            let (_, st) = state::read(&self.dir)?;
            if !st.members.contains_key(&self.id) {
                // Expelled: do not look alive again (the caller leaves).
                return Err(self.fenced_error(st.generation, HEARTBEAT_REFUSED));
            }
        }
        let _ = self.lock.file().set_modified(SystemTime::now());
        let scanned = scan_members(&self.dir, Some(&self.id), true)?;
        let mut alive: BTreeMap<String, MemberInfo> = BTreeMap::new();
        let mut expired = BTreeSet::new();
        for m in scanned {
            if m.expired {
                expired.insert(m.id);
            } else {
                let info = if m.id == self.id {
                    Some(self.info.clone())
                } else {
                    m.info
                };
                // A member whose file is unreadable still counts: it holds its lock.
                alive.insert(m.id, info.unwrap_or_else(|| self.info.clone()));
            }
        }
        alive.insert(self.id.clone(), self.info.clone());
        let mdir = self.dir.join("members");
        let (_, st) = state::update(&self.dir, |st| {
            if joined && !st.members.contains_key(&self.id) {
                return Err(self.fenced_error(st.generation, HEARTBEAT_REFUSED));
            }
            // Keep a member this scan did not see only while its lock file exists: it joined
            // after the scan listed the folder (a dead one's files are removed first).
            let mut members: BTreeMap<String, MemberInfo> = st
                .members
                .iter()
                .filter(|(id, _)| {
                    !expired.contains(*id)
                        && (alive.contains_key(*id) || mdir.join(format!("{id}.lock")).exists())
                })
                .map(|(id, info)| (id.clone(), info.clone()))
                .collect();
            for (id, info) in &alive {
                if !st.expelled.contains(id) {
                    members.entry(id.clone()).or_insert_with(|| info.clone());
                }
            }
            // The group's assignor is that of the members it has, or this member's for a
            // group forming now. A newcomer asking for another one is not taken in, and is
            // refused on its own heartbeat (Kafka: INCONSISTENT_GROUP_PROTOCOL).
            let forming = !st.members.keys().any(|id| members.contains_key(id));
            let protocol = if forming { self.assignor } else { st.protocol };
            members.retain(|id, info| {
                st.members.contains_key(id) || info.assignor.is_none_or(|a| a == protocol)
            });
            if !members.contains_key(&self.id) {
                return Err(GroupError::InconsistentProtocol {
                    group: self.group.clone(),
                    protocol: protocol.name(),
                    asked: self.assignor.name(),
                });
            }
            st.expelled.extend(
                expired
                    .iter()
                    .filter(|id| st.members.contains_key(*id))
                    .cloned(),
            );
            st.expelled
                .retain(|id| mdir.join(format!("{id}.lock")).exists());
            let ids: BTreeSet<&String> = members.keys().collect();
            let current: BTreeSet<&String> = st.members.keys().collect();
            // A subscribed topic grew (or was created) since the assignment: Kafka's group
            // leader sees the new partitions in its metadata and rebalances, so they get
            // read. Growth only: a member whose metadata is older sees fewer partitions than
            // are assigned, and must not take them away again.
            let assigned: BTreeSet<&Tp> = st.assignment.values().flatten().collect();
            let grown = members
                .values()
                .flat_map(|info| &info.topics)
                .filter_map(|t| Some((t, cluster.topic(t).ok()?.partitions.len() as u32)))
                .any(|(t, n)| (0..n).any(|p| !assigned.contains(&(t.clone(), p))));
            if ids != current || grown {
                st.protocol = protocol;
                let mut partitions = BTreeMap::new();
                for info in members.values() {
                    for t in &info.topics {
                        if let Ok(topic) = cluster.topic(t) {
                            partitions.insert(t.clone(), topic.partitions.len() as u32);
                        }
                    }
                }
                let subscriptions: assignor::Subscriptions = members
                    .iter()
                    .map(|(id, info)| (id.clone(), info.topics.clone()))
                    .collect();
                st.assignment =
                    assignor::assign(st.protocol, &subscriptions, &partitions, &st.assignment);
                st.members = members;
                st.generation = st.generation.saturating_add(1);
                st.timestamp_ms = now_ms();
            }
            // Whoever left the generation holds nothing any more.
            let members = &st.members;
            st.owned
                .retain(|id, tps| members.contains_key(id) && !tps.is_empty());
            // Take the assigned partitions nobody holds.
            let free: Vec<Tp> = st
                .assignment
                .get(&self.id)
                .into_iter()
                .flatten()
                .filter(|tp| st.owner_of(tp).is_none())
                .cloned()
                .collect();
            if !free.is_empty() {
                let mine = st.owned.entry(self.id.clone()).or_default();
                mine.extend(free);
                mine.sort();
            }
            Ok(())
        })?;
        let target = st.assignment.get(&self.id).cloned().unwrap_or_default();
        self.generation = st.generation;
        self.owned = owned_by(&st, &self.id);
        self.peers = sharing(&st, &self.info.topics);
        let changed = target != self.target;
        self.target = target;
        Ok(changed)
    }

    /// Gives partitions back (after committing what was read from them), so their new owner
    /// may take them.
    pub fn release(&mut self, tps: &[Tp]) -> Result<(), GroupError> {
        let (_, st) = state::update(&self.dir, |st| {
            if let Some(mine) = st.owned.get_mut(&self.id) {
                mine.retain(|tp| !tps.contains(tp));
            }
            st.owned.retain(|_, v| !v.is_empty());
            Ok(())
        })?;
        self.owned = owned_by(&st, &self.id);
        Ok(())
    }

    /// Commits `offsets` for partitions this member owns, refused ([`GroupError::Fenced`])
    /// when the member is no longer in the group's current generation. Returns false, having
    /// done nothing, when another process holds the group's commit lock (it may be stopped
    /// inside its commit): the caller goes on and tries again.
    ///
    /// The check and the append happen under the commit lock, so a commit that passed the
    /// check always lands before any commit of a later owner of the same partition.
    pub fn try_commit(
        &self,
        cluster: &mut Cluster,
        offsets_: &[(Tp, i64)],
    ) -> Result<bool, GroupError> {
        let tps: Vec<Tp> = offsets_.iter().map(|(tp, _)| tp.clone()).collect();
        let done = self.fenced(&tps, || offsets::commit(cluster, &self.group, offsets_))?;
        Ok(done.is_some())
    }

    /// Runs `commit` (which commits offsets of `tps`, e.g. a transaction holding them) under
    /// the group's commit lock, after checking that this member is in the current generation
    /// and owns `tps` (KIP-447's fencing of zombie members' transactional commits).
    /// `Ok(None)` without running it when another process holds the commit lock.
    pub fn fenced<T>(
        &self,
        tps: &[Tp],
        commit: impl FnOnce() -> Result<T, ClusterError>,
    ) -> Result<Option<T>, GroupError> {
        let Some(_commit) =
            FileLock::try_exclusive(&commit_lock(&self.dir)).map_err(ClusterError::from)?
        else {
            return Ok(None);
        };
        let (_, st) = state::read(&self.dir)?;
        if !st.members.contains_key(&self.id) {
            return Err(self.fenced_error(st.generation, "its commit was refused"));
        }
        // Ownership as the group sees it now, not as this member last saw it.
        let owned = owned_by(&st, &self.id);
        for tp in tps {
            if !owned.contains(tp) {
                return Err(GroupError::NotOwner {
                    group: self.group.clone(),
                    member: self.id.clone(),
                    topic: tp.0.clone(),
                    partition: tp.1,
                });
            }
        }
        Ok(Some(commit()?))
    }

    /// Leaves the group: removes the member's files; the others rebalance on their next
    /// heartbeat, which also takes this member's partitions from it.
    pub fn leave(self) {
        let mdir = self.dir.join("members");
        let _ = std::fs::remove_file(mdir.join(format!("{}.json", self.id)));
        let _ = std::fs::remove_file(mdir.join(format!("{}.lock", self.id)));
        drop(self.lock);
    }
}

/// How many members of the state subscribe to at least one of `topics`.
pub fn sharing(st: &GroupState, topics: &[String]) -> usize {
    st.members
        .values()
        .filter(|m| m.topics.iter().any(|t| topics.contains(t)))
        .count()
}

fn owned_by(st: &GroupState, id: &str) -> BTreeSet<Tp> {
    st.owned
        .get(id)
        .map(|v| v.iter().cloned().collect())
        .unwrap_or_default()
}

fn commit_lock(dir: &Path) -> PathBuf {
    dir.join("commit.lock")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(dir: &Path) -> Cluster {
        let mut c = Cluster::init(dir, 1, 101).unwrap();
        c.create_topic("t", 4, 1, BTreeMap::new(), false).unwrap();
        c
    }

    fn tp(p: u32) -> Tp {
        ("t".to_string(), p)
    }

    #[test]
    fn a_partition_changes_owner_only_after_the_old_owner_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let c = cluster(dir.path());
        let topics = ["t".to_string()];
        let mut m1 = Member::join(&c, "g", &topics, Assignor::Range, 60_000).unwrap();
        assert_eq!(m1.target().len(), 4);
        assert_eq!(m1.owned().len(), 4, "free partitions are taken at once");
        let mut m2 = Member::join(&c, "g", &topics, Assignor::Range, 60_000).unwrap();
        assert_eq!(m2.generation(), 2);
        assert!(m2.owned().is_empty(), "m1 still holds them");
        assert!(m1.heartbeat(&c).unwrap(), "m1's assignment changed");
        assert_eq!(m1.target().len() + m2.target().len(), 4);
        let moved: Vec<Tp> = m2.target().to_vec();
        m2.heartbeat(&c).unwrap();
        assert!(m2.owned().is_empty(), "not before m1 let go");
        m1.release(&moved).unwrap();
        m2.heartbeat(&c).unwrap();
        assert_eq!(m2.owned(), moved);
        // m1 may not commit what it no longer owns.
        let mut c2 = c.clone();
        let e = m1
            .try_commit(&mut c2, &[(moved[0].clone(), 1)])
            .unwrap_err();
        assert!(matches!(e, GroupError::NotOwner { .. }), "{e}");
        // m1 leaves: m2 takes everything in the next generation.
        m1.leave();
        assert!(m2.heartbeat(&c).unwrap());
        assert_eq!(m2.target().len(), 4);
        assert_eq!(m2.owned().len(), 4);
        assert_eq!(m2.generation(), 3);
    }

    /// Regression: ownership was a flock per partition, and an expelled SIGSTOPped member
    /// kept its flocks, so the new owner could not read its partitions until the stopped
    /// process resumed.
    #[test]
    fn an_expelled_member_loses_its_partitions_at_once_and_is_fenced() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = cluster(dir.path());
        let topics = ["t".to_string()];
        // m1 stands for a stopped process: after joining it never acts again until the end.
        let m1 = Member::join(&c, "g", &topics, Assignor::Sticky, 50).unwrap();
        assert_eq!(m1.owned().len(), 4);
        let mut m2 = Member::join(&c, "g", &topics, Assignor::Sticky, 60_000).unwrap();
        std::thread::sleep(Duration::from_millis(120));
        m2.heartbeat(&c).unwrap();
        assert_eq!(
            m2.target().len(),
            4,
            "m1 expelled after its session timeout"
        );
        assert_eq!(m2.owned().len(), 4, "without m1 giving anything back");
        let st = describe_state(&c, "g").unwrap();
        assert_eq!(st.owned.keys().collect::<Vec<_>>(), [m2.id()]);
        let mut m1 = m1;
        let e = m1.try_commit(&mut c, &[(tp(0), 1)]).unwrap_err();
        assert!(matches!(e, GroupError::Fenced { .. }), "{e}");
        assert!(e.to_string().contains("commit was refused"), "{e}");
        assert!(matches!(m1.heartbeat(&c), Err(GroupError::Fenced { .. })));
        assert_eq!(live_members(&c, "g").unwrap().len(), 1);
        // Resumed, it looks alive again (its lock is held, its file touched): it stays out.
        let _ = m1.lock.file().set_modified(SystemTime::now());
        m2.heartbeat(&c).unwrap();
        assert_eq!(describe_state(&c, "g").unwrap().members.len(), 1);
    }

    /// Regression: `commit` held the group lock for the whole acks=all `__consumer_offsets`
    /// append, so a member stopped (or slow) inside it blocked every other member's
    /// heartbeat, and with it the expulsion of the stopped member itself.
    #[test]
    fn a_member_stuck_inside_a_commit_blocks_no_heartbeat() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = cluster(dir.path());
        offsets::ensure_topic(&mut c).unwrap();
        let topics = ["t".to_string()];
        let m1 = Member::join(&c, "g", &topics, Assignor::Range, 300).unwrap();
        assert!(m1.owned().contains(&tp(0)));
        let mut m2 = Member::join(&c, "g", &topics, Assignor::Range, 60_000).unwrap();
        // Hold the group's __consumer_offsets partition: m1's commit stops inside its
        // append, as a SIGSTOPped member would.
        let p = offsets::partition_for("g");
        let held =
            FileLock::exclusive(&c.layout().partition_lock(offsets::OFFSETS_TOPIC, p)).unwrap();
        let mut c1 = c.clone();
        let stuck = std::thread::spawn(move || {
            let r = m1.try_commit(&mut c1, &[(tp(0), 1)]);
            (m1, r)
        });
        std::thread::sleep(Duration::from_millis(400));
        let (tx, rx) = std::sync::mpsc::channel();
        let c2 = c.clone();
        std::thread::spawn(move || {
            let mut c2 = c2;
            let r = m2.heartbeat(&c2).and_then(|_| {
                // A commit while the lock is held does not wait either.
                assert!(m2.owned().contains(&tp(1)));
                assert!(!m2.try_commit(&mut c2, &[(tp(1), 1)])?);
                Ok(m2.target().len())
            });
            let _ = tx.send(r.map_err(|e| e.to_string()));
        });
        let got = rx.recv_timeout(Duration::from_secs(10));
        drop(held);
        let (_m1, landed) = stuck.join().unwrap();
        let got = got.expect("m2's heartbeat waited for the member stuck in its commit");
        assert_eq!(got.unwrap(), 4, "the stuck member was expelled at once");
        assert!(
            landed.unwrap(),
            "its commit passed the fence check before the expulsion"
        );
    }

    /// Regression: a member with another --assignor than the group's joined silently (Kafka
    /// refuses it with INCONSISTENT_GROUP_PROTOCOL).
    #[test]
    fn a_member_asking_for_another_assignor_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let c = cluster(dir.path());
        let topics = ["t".to_string()];
        let mut m1 = Member::join(&c, "g", &topics, Assignor::Range, 60_000).unwrap();
        let e = Member::join(&c, "g", &topics, Assignor::Roundrobin, 60_000).unwrap_err();
        assert!(
            matches!(
                e,
                GroupError::InconsistentProtocol {
                    protocol: "range",
                    asked: "roundrobin",
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(
            live_members(&c, "g").unwrap().len(),
            1,
            "it left no member behind"
        );
        m1.heartbeat(&c).unwrap();
        assert_eq!(m1.generation(), 1, "no rebalance for it");
        // Once the group is empty, the next member's assignor is the group's.
        m1.leave();
        let m3 = Member::join(&c, "g", &topics, Assignor::Roundrobin, 60_000).unwrap();
        assert_eq!(
            describe_state(&c, "g").unwrap().protocol,
            Assignor::Roundrobin
        );
        assert_eq!(m3.owned().len(), 4);
    }
}
