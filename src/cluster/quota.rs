//! The inter-broker replication throttle, as Kafka's `ReplicationQuotaManager` has it, shared
//! by every process of the cluster.
//!
//! `topic reassign --execute --throttle R` stores Kafka's configs: per broker involved, the
//! dynamic broker configs `leader.replication.throttled.rate` and
//! `follower.replication.throttled.rate` (= R bytes/s), and per topic
//! `leader.replication.throttled.replicas` (`partition:broker` of the replicas copied from)
//! and `follower.replication.throttled.replicas` (those copied to). A copy from a leader to a
//! follower that is not in the ISR is throttled (Kafka's `shouldLeaderThrottle` /
//! `shouldFollowerThrottle`) by the leader broker's leader quota when the leader's entry is
//! listed, and by the follower broker's follower quota when the follower's entry is.
//!
//! A quota is a small record in the broker's folder ([`QUOTA_FILE`], under its own lock):
//! per kind, the start of the current window ([`WINDOW_MS`]) and the bytes taken in it
//! beyond what the windows since allowed, so bytes copied past a window's allowance (a whole
//! batch always goes) are paid off in the next ones and the rate holds on average. Every
//! process copying (a producer's replication pass, `topic reassign`, a `broker-up`'s
//! catch-up) reserves bytes before it copies ([`reserve`]) and settles what it copied
//! ([`settle`]); a quota spent grants nothing, and the copy leaves the replica for a later
//! pass (as Kafka leaves throttled partitions out of a fetch), never waiting for it.
//!
//! Must not: sleep, or know CLI flags.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use super::lock::FileLock;
use super::{ClusterError, Layout, io_err, now_ms};
use crate::log;

/// Broker config: the bytes per second leaders on the broker send to throttled replicas.
pub const LEADER_THROTTLED_RATE: &str = "leader.replication.throttled.rate";
/// Broker config: the bytes per second followers on the broker take for throttled replicas.
pub const FOLLOWER_THROTTLED_RATE: &str = "follower.replication.throttled.rate";
/// Kafka's third broker-level throttle (log dir moves): filka has one log dir per broker, so
/// it never sets it, but clears it as Kafka's tool does.
pub const ALTER_LOG_DIRS_RATE: &str = "replica.alter.log.dirs.io.max.bytes.per.second";
/// Topic config: the replicas whose leader-side copying is throttled.
pub const LEADER_THROTTLED_REPLICAS: &str = "leader.replication.throttled.replicas";
/// Topic config: the replicas whose follower-side copying is throttled.
pub const FOLLOWER_THROTTLED_REPLICAS: &str = "follower.replication.throttled.replicas";
/// Kafka's `BROKER_LEVEL_THROTTLES`, in its order.
pub const BROKER_LEVEL_THROTTLES: [&str; 3] = [
    LEADER_THROTTLED_RATE,
    FOLLOWER_THROTTLED_RATE,
    ALTER_LOG_DIRS_RATE,
];
/// Kafka's `TOPIC_LEVEL_THROTTLES`.
pub const TOPIC_LEVEL_THROTTLES: [&str; 2] =
    [LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS];

/// The quota record's file, in the broker's folder.
pub const QUOTA_FILE: &str = "replication-quota";
/// A quota window (Kafka's `replication.quota.window.size.seconds`, 1 s).
pub const WINDOW_MS: i64 = 1000;

/// A topic's throttled replica list: `*` or `partition:broker` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThrottledReplicas {
    /// `*`: every replica.
    All,
    /// These (partition, broker) pairs.
    Some(BTreeSet<(u32, i32)>),
}

impl ThrottledReplicas {
    /// Parses Kafka's form (`ThrottledReplicaListValidator`): empty, `*`, or
    /// `partition:broker` entries separated by commas (spaces around them allowed).
    pub fn parse(value: &str) -> Result<ThrottledReplicas, String> {
        let v = value.trim();
        if v == "*" {
            return Ok(ThrottledReplicas::All);
        }
        let mut set = BTreeSet::new();
        for entry in v.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (p, b) = entry
                .split_once(':')
                .ok_or_else(|| format!("{entry:?} is not partition:broker"))?;
            let p: u32 = p
                .trim()
                .parse()
                .map_err(|_| format!("{entry:?}: bad partition"))?;
            let b: i32 = b
                .trim()
                .parse()
                .map_err(|_| format!("{entry:?}: bad broker id"))?;
            set.insert((p, b));
        }
        Ok(ThrottledReplicas::Some(set))
    }

    /// Whether the replica of `partition` on `broker` is listed.
    pub fn contains(&self, partition: u32, broker: i32) -> bool {
        match self {
            ThrottledReplicas::All => true,
            ThrottledReplicas::Some(s) => s.contains(&(partition, broker)),
        }
    }
}

/// Kafka's text of a throttled replica list: `partition:broker` entries in a Java
/// `TreeSet<String>`'s order (string order: `10:101` before `1:101`), joined by commas.
pub fn format_replicas(entries: impl IntoIterator<Item = (u32, i32)>) -> String {
    let set: BTreeSet<String> = entries
        .into_iter()
        .map(|(p, b)| format!("{p}:{b}"))
        .collect();
    set.into_iter().collect::<Vec<_>>().join(",")
}

/// Which side of a copy a quota limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The broker the bytes are copied from (its leader quota).
    Leader,
    /// The broker the bytes are copied to (its follower quota).
    Follower,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Leader => "leader",
            Side::Follower => "follower",
        }
    }

    /// The broker config holding this side's rate.
    pub fn rate_config(self) -> &'static str {
        match self {
            Side::Leader => LEADER_THROTTLED_RATE,
            Side::Follower => FOLLOWER_THROTTLED_RATE,
        }
    }
}

/// One quota: a broker's side, at `rate` bytes per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Broker.
    pub broker: i32,
    /// Side.
    pub side: Side,
    /// Bytes per second.
    pub rate: u64,
}

/// The quotas a copy of `partition` from `leader` to `follower` is subject to (none when
/// the follower is in the ISR, as in Kafka): a side counts when the topic lists the
/// replica for it and that broker has a rate.
pub fn quotas_for(
    state: &super::metadata::ClusterState,
    topic_configs: &std::collections::BTreeMap<String, String>,
    partition: u32,
    leader: i32,
    follower: i32,
) -> Vec<Quota> {
    let listed = |key: &str, broker: i32| {
        topic_configs
            .get(key)
            .and_then(|v| ThrottledReplicas::parse(v).ok())
            .is_some_and(|l| l.contains(partition, broker))
    };
    let rate = |broker: i32, side: Side| {
        state
            .broker_configs
            .get(&broker)
            .and_then(|c| c.get(side.rate_config()))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let mut out = Vec::new();
    for (side, broker, key) in [
        (Side::Leader, leader, LEADER_THROTTLED_REPLICAS),
        (Side::Follower, follower, FOLLOWER_THROTTLED_REPLICAS),
    ] {
        if listed(key, broker)
            && let Some(rate) = rate(broker, side)
        {
            out.push(Quota { broker, side, rate });
        }
    }
    out
}

/// One side's record: the current window's start and the bytes owed in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sample {
    /// Start of the current window (ms since the epoch).
    pub window_start: i64,
    /// Bytes taken and not yet paid off by the windows since.
    pub used: u64,
}

impl Sample {
    /// This sample moved on to `now`: each window passed pays off a window's allowance.
    fn at(self, now: i64, allowance: u64) -> Sample {
        if now < self.window_start {
            // The clock went back: the window starts now, owing at most one allowance (a
            // window far ahead would hold the quota spent until the clock got there).
            return Sample {
                window_start: now,
                used: self.used.min(allowance),
            };
        }
        if now < self.window_start + WINDOW_MS {
            return self;
        }
        let windows = ((now - self.window_start) / WINDOW_MS).max(0) as u64;
        Sample {
            window_start: now - (now - self.window_start) % WINDOW_MS,
            used: self
                .used
                .saturating_sub(allowance.saturating_mul(windows.max(1))),
        }
    }
}

/// The bytes a window allows at `rate` bytes per second (at least one).
pub fn allowance(rate: u64) -> u64 {
    (rate.saturating_mul(WINDOW_MS as u64) / 1000).max(1)
}

fn quota_path(layout: &Layout, broker: i32) -> PathBuf {
    layout.broker_dir(broker).join(QUOTA_FILE)
}

const LINE: usize = 64;

/// Reads the record of both sides (a missing, short or unreadable one counts as fresh: it
/// is a rate sample, not data).
fn read(f: &File, path: &Path) -> Result<[Sample; 2], ClusterError> {
    let mut b = [0u8; 2 * LINE];
    let n = log::io::read_at(f, &mut b, 0).map_err(io_err(path))?;
    let text = String::from_utf8_lossy(&b[..n]);
    let mut out = [Sample::default(); 2];
    for line in text.lines() {
        let mut w = line.split_whitespace();
        let (Some(kind), Some(start), Some(used)) = (w.next(), w.next(), w.next()) else {
            continue;
        };
        let i = match kind {
            "leader" => 0,
            "follower" => 1,
            _ => continue,
        };
        if let (Ok(window_start), Ok(used)) = (start.parse(), used.parse()) {
            out[i] = Sample { window_start, used };
        }
    }
    Ok(out)
}

fn write(f: &File, path: &Path, s: &[Sample; 2]) -> Result<(), ClusterError> {
    let mut text = String::with_capacity(2 * LINE);
    for (side, x) in [Side::Leader, Side::Follower].iter().zip(s) {
        // Fixed width: an overwrite in place leaves nothing of a longer record behind.
        let line = format!("{} {:>20} {:>20}", side.name(), x.window_start, x.used);
        text.push_str(&format!("{line:<width$}\n", width = LINE - 1));
    }
    log::io::write_at(f, text.as_bytes(), 0).map_err(io_err(path))
}

/// Reads one side of a broker's quota record as it stands now (for tests and reports).
pub fn sample(layout: &Layout, broker: i32, side: Side) -> Result<Sample, ClusterError> {
    let path = quota_path(layout, broker);
    if !path.exists() {
        return Ok(Sample::default());
    }
    let lock = FileLock::exclusive(&path)?;
    Ok(read(lock.file(), &path)?[side as usize])
}

/// Runs `f` on the quotas' samples (moved on to now) with every quota's lock held (taken
/// in the order of the brokers, so processes never wait on each other in a circle), and
/// writes back what it leaves in them.
fn with_quotas<T>(
    layout: &Layout,
    quotas: &[Quota],
    f: impl FnOnce(&[Quota], &mut [Sample]) -> T,
) -> Result<T, ClusterError> {
    let mut qs: Vec<Quota> = quotas
        .iter()
        .filter(|q| layout.broker_dir(q.broker).exists())
        .copied()
        .collect();
    qs.sort_by_key(|q| (q.broker, q.side as u8));
    let now = now_ms();
    let mut held: Vec<(i32, PathBuf, FileLock, [Sample; 2])> = Vec::new();
    for q in &qs {
        if held.iter().any(|h| h.0 == q.broker) {
            continue;
        }
        let path = quota_path(layout, q.broker);
        let lock = FileLock::exclusive(&path)?;
        let all = read(lock.file(), &path)?;
        held.push((q.broker, path, lock, all));
    }
    let mut samples: Vec<Sample> = qs
        .iter()
        .map(|q| {
            let h = held.iter().find(|h| h.0 == q.broker);
            h.map_or_else(Sample::default, |h| h.3[q.side as usize])
                .at(now, allowance(q.rate))
        })
        .collect();
    let out = f(&qs, &mut samples);
    for (q, s) in qs.iter().zip(&samples) {
        if let Some(h) = held.iter_mut().find(|h| h.0 == q.broker) {
            h.3[q.side as usize] = *s;
        }
    }
    for (_, path, lock, all) in &held {
        write(lock.file(), path, all)?;
    }
    Ok(out)
}

/// Reserves up to `want` bytes from every quota of `quotas` at once: what all of them can
/// give now (0 when one is spent: the copy waits for a later pass). Settle what is
/// actually copied with [`settle`].
pub fn reserve(layout: &Layout, quotas: &[Quota], want: u64) -> Result<u64, ClusterError> {
    if quotas.is_empty() {
        return Ok(want);
    }
    with_quotas(layout, quotas, |qs, samples| {
        let grant = qs
            .iter()
            .zip(samples.iter())
            .map(|(q, s)| allowance(q.rate).saturating_sub(s.used))
            .min()
            .unwrap_or(want)
            .min(want);
        for s in samples.iter_mut() {
            s.used = s.used.saturating_add(grant);
        }
        grant
    })
}

/// Settles a reservation of `granted` bytes of which `copied` were copied (more, when a
/// whole batch went past it; fewer, when the follower caught up first).
pub fn settle(
    layout: &Layout,
    quotas: &[Quota],
    granted: u64,
    copied: u64,
) -> Result<(), ClusterError> {
    if quotas.is_empty() || granted == copied {
        return Ok(());
    }
    with_quotas(layout, quotas, |_, samples| {
        for s in samples.iter_mut() {
            s.used = if copied > granted {
                s.used.saturating_add(copied - granted)
            } else {
                s.used.saturating_sub(granted - copied)
            };
        }
    })
}

/// Milliseconds until the first of `quotas` grants bytes again (0: one grants now).
pub fn wait_ms(layout: &Layout, quotas: &[Quota]) -> Result<i64, ClusterError> {
    let now = now_ms();
    with_quotas(layout, quotas, |qs, samples| {
        qs.iter()
            .zip(samples.iter())
            .map(|(q, s)| {
                let a = allowance(q.rate);
                if s.used < a {
                    return 0;
                }
                // Windows to pay off what is owed beyond one allowance, from the window's
                // start.
                let windows = (s.used - a) / a + 1;
                (s.window_start + windows as i64 * WINDOW_MS - now).max(0)
            })
            .max()
            .unwrap_or(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_lists_parse_as_kafka_validates_them() {
        assert_eq!(
            ThrottledReplicas::parse("*").unwrap(),
            ThrottledReplicas::All
        );
        let l = ThrottledReplicas::parse("0:101, 1:102").unwrap();
        assert!(l.contains(0, 101) && l.contains(1, 102) && !l.contains(0, 102));
        assert_eq!(
            ThrottledReplicas::parse("").unwrap(),
            ThrottledReplicas::Some(BTreeSet::new())
        );
        assert!(ThrottledReplicas::parse("0-101").is_err());
        assert!(ThrottledReplicas::parse("x:101").is_err());
    }

    #[test]
    fn replica_lists_are_written_in_java_string_order() {
        // Kafka's tool collects the entries in a TreeSet<String>.
        assert_eq!(
            format_replicas([(1, 101), (10, 101), (2, 103), (1, 101)]),
            "10:101,1:101,2:103"
        );
    }

    #[test]
    fn a_window_pays_off_one_allowance_and_debt_carries_over() {
        let s = Sample {
            window_start: 1000,
            used: 2500,
        };
        assert_eq!(s.at(1999, 1000), s);
        assert_eq!(
            s.at(2000, 1000),
            Sample {
                window_start: 2000,
                used: 1500
            }
        );
        assert_eq!(
            s.at(4500, 1000),
            Sample {
                window_start: 4000,
                used: 0
            }
        );
        // Regression guard: a clock set back does not leave the quota spent until it
        // catches up with the window.
        assert_eq!(
            s.at(10, 1000),
            Sample {
                window_start: 10,
                used: 1000
            }
        );
    }

    #[test]
    fn reservations_from_several_processes_share_one_allowance() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        std::fs::create_dir_all(layout.broker_dir(101)).unwrap();
        let q = [Quota {
            broker: 101,
            side: Side::Follower,
            rate: 1000,
        }];
        // Within one window (the test is far faster than a second... unless the window
        // turns: then the second grant may be fresh, never more than the allowance).
        let a = reserve(&layout, &q, 700).unwrap();
        let b = reserve(&layout, &q, 700).unwrap();
        assert_eq!(a, 700);
        assert!(b == 300 || b == 700, "{b}");
        // A batch past the grant is owed.
        settle(&layout, &q, b, b + 500).unwrap();
        assert!(sample(&layout, 101, Side::Follower).unwrap().used >= 500);
        // No quota: everything asked for.
        assert_eq!(reserve(&layout, &[], 5).unwrap(), 5);
    }
}
