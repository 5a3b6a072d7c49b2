//! What `filka produce` reports about the records it wrote, apart from reading and sending
//! them (produce.rs): `--print-offsets` in input order ([`Unprinted`]), and the records
//! retention deleted as soon as they were written ([`Written`]).

use std::collections::VecDeque;
use std::io::{self, Write};

use crate::client::producer::{Ack, ProducerRecord};
use crate::cluster::Cluster;
use crate::cluster::now_ms;
use crate::cluster::replica::PartitionView;
use crate::cluster::topic::TopicConfig;
use crate::record::TimestampType;

/// Runs of unprinted records after which `--print-offsets` sends every open batch (16 bytes
/// each: the backlog stays around 1 MiB).
const MAX_UNPRINTED_RUNS: usize = 65_536;

/// What `--print-offsets` still owes, so that it prints in input order (a script pastes the
/// offsets beside its input lines) although partitions' batches are acknowledged in their
/// own order. Memory is bounded by the records in flight: those in batches not yet
/// acknowledged, and acknowledged ones waiting for an earlier record's batch.
pub(super) struct Unprinted {
    /// The partitions of records sent and not printed, in input order, as runs
    /// (partition, count): sticky partitioning makes long runs.
    order: VecDeque<(u32, u64)>,
    /// Per partition, acknowledged records not printed yet, as runs (fate, count).
    acked: Vec<VecDeque<(Fate, u64)>>,
    /// `--output json`: `{"partition":P,"offset":O}` per record instead of `P<TAB>O`.
    json: bool,
}

/// What a run of acknowledged records prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Their offsets, dense from this one.
    At(i64),
    /// acks=0: handed to the leader, offset not known: `-1` each, as Kafka's callback
    /// reports.
    Unknown,
    /// acks=0: the leader could not take them: nothing (stderr counts them).
    Dropped,
}

impl Unprinted {
    pub(super) fn new(partitions: u32, json: bool) -> Unprinted {
        Unprinted {
            order: VecDeque::new(),
            acked: (0..partitions).map(|_| VecDeque::new()).collect(),
            json,
        }
    }

    pub(super) fn sent(&mut self, partition: u32) {
        match self.order.back_mut() {
            Some((p, n)) if *p == partition => *n += 1,
            _ => self.order.push_back((partition, 1)),
        }
    }

    pub(super) fn acked(&mut self, ack: &Ack) {
        let Some(q) = self.acked.get_mut(ack.partition as usize) else {
            return;
        };
        let count = ack.count as u64;
        let fate = if ack.dropped {
            Fate::Dropped
        } else if ack.base_offset < 0 {
            Fate::Unknown
        } else {
            Fate::At(ack.base_offset)
        };
        match q.back_mut() {
            // Batches of a partition are acknowledged in order and dense: one range.
            Some((Fate::At(offset), n)) if fate == Fate::At(*offset + *n as i64) => *n += count,
            Some((f @ (Fate::Unknown | Fate::Dropped), n)) if *f == fate => *n += count,
            _ if count > 0 => q.push_back((fate, count)),
            _ => {}
        }
    }

    /// True when so much waits for one partition's batch (a rare key among frequent ones)
    /// that the batches should go out now rather than keep growing this backlog.
    pub(super) fn backlogged(&self) -> bool {
        self.order.len() > MAX_UNPRINTED_RUNS
    }

    /// Writes, in input order, every offset whose record and all records before it are
    /// acknowledged.
    pub(super) fn print_ready(&mut self, out: &mut impl Write) -> io::Result<()> {
        let json = self.json;
        while let Some((p, n)) = self.order.front_mut() {
            let Some((fate, count)) = self.acked.get_mut(*p as usize).and_then(|q| q.front_mut())
            else {
                return Ok(());
            };
            let k = (*n).min(*count);
            let partition = *p;
            let line = |out: &mut dyn Write, offset: i64| {
                if json {
                    writeln!(out, "{{\"partition\":{partition},\"offset\":{offset}}}")
                } else {
                    writeln!(out, "{partition}\t{offset}")
                }
            };
            match fate {
                Fate::At(offset) => {
                    for i in 0..k as i64 {
                        line(out, *offset + i)?;
                    }
                    *offset += k as i64;
                }
                Fate::Unknown => {
                    for _ in 0..k {
                        line(out, -1)?;
                    }
                }
                Fate::Dropped => {}
            }
            *count -= k;
            *n -= k;
            if *count == 0 {
                self.acked[*p as usize].pop_front();
            }
            if *n == 0 {
                self.order.pop_front();
            }
        }
        Ok(())
    }

    /// Forgets everything (nobody reads the offsets any more).
    pub(super) fn clear(&mut self) {
        self.order.clear();
        self.acked.iter_mut().for_each(VecDeque::clear);
    }
}

/// The offsets this run wrote, and how many of its records were stamped before the topic's
/// retention.ms: Kafka deletes records older than retention.ms at its next retention check,
/// and so does `Producer::close` at once, which without a word looks like data loss.
pub(super) struct Written {
    /// Per partition, the offset ranges `[start, end)` acknowledged, adjacent ones merged.
    ranges: Vec<Vec<(i64, i64)>>,
    /// retention.ms (-1: forever).
    retention_ms: i64,
    /// Records stamped before this (ms) are already past retention.ms; `None` when nothing
    /// is (no retention.ms, or LogAppendTime, which stamps records with the append time).
    cutoff: Option<i64>,
    /// Records sent with such a timestamp.
    stale: u64,
}

impl Written {
    pub(super) fn new(cfg: &TopicConfig, partitions: u32) -> Written {
        let cutoff = (cfg.retention_ms >= 0 && cfg.timestamp_type == TimestampType::CreateTime)
            .then(|| now_ms().saturating_sub(cfg.retention_ms));
        Written {
            ranges: vec![Vec::new(); partitions as usize],
            retention_ms: cfg.retention_ms,
            cutoff,
            stale: 0,
        }
    }

    pub(super) fn sent(&mut self, r: &ProducerRecord<'_>) {
        if let (Some(cut), Some(ts)) = (self.cutoff, r.timestamp)
            && ts < cut
        {
            self.stale += 1;
        }
    }

    pub(super) fn acked(&mut self, ack: &Ack) {
        // acks=0 reports no offsets.
        if ack.base_offset < 0 {
            return;
        }
        let Some(ranges) = self.ranges.get_mut(ack.partition as usize) else {
            return;
        };
        let (start, end) = (ack.base_offset, ack.base_offset + ack.count as i64);
        match ranges.last_mut() {
            Some(last) if last.1 == start => last.1 = end,
            _ => ranges.push((start, end)),
        }
    }

    /// The stderr note when retention deleted records of this run as soon as they were
    /// written (checked against each written partition's log start offset now).
    pub(super) fn retention_note(
        &self,
        cluster: &Cluster,
        topic: &str,
    ) -> anyhow::Result<Option<String>> {
        let mut deleted = 0;
        for (p, ranges) in self.ranges.iter().enumerate() {
            if ranges.is_empty() {
                continue;
            }
            let view = PartitionView::read(cluster, topic, p as u32)?;
            deleted += self.below(p as u32, view.log_start_offset);
        }
        if deleted == 0 {
            return Ok(None);
        }
        let what = count(deleted, "record");
        Ok(Some(match self.cutoff {
            Some(cut) if self.stale > 0 => format!(
                "retention.ms ({}) deleted {what} just written: timestamps from the input \
                 before {} are past it, and Kafka's next retention check deletes such \
                 records too",
                duration_words(self.retention_ms),
                super::describe::rfc3339_ms(cut)
            ),
            _ => format!("retention (retention.ms, retention.bytes) deleted {what} just written"),
        }))
    }

    /// Per partition written, the offset ranges `[start, end)` this run had acknowledged.
    pub(super) fn ranges(&self) -> impl Iterator<Item = (u32, &[(i64, i64)])> {
        self.ranges
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.is_empty())
            .map(|(p, r)| (p as u32, r.as_slice()))
    }

    /// Records of this run below `log_start` in `partition` (deleted).
    fn below(&self, partition: u32, log_start: i64) -> u64 {
        self.ranges.get(partition as usize).map_or(0, |r| {
            r.iter()
                .map(|&(s, e)| (e.min(log_start) - s).max(0) as u64)
                .sum()
        })
    }
}

/// `7 days`, `1 hour`, `90 minutes`, `1500 ms`: a retention.ms value in words.
fn duration_words(ms: i64) -> String {
    for (unit, name) in [
        (86_400_000, "day"),
        (3_600_000, "hour"),
        (60_000, "minute"),
        (1_000, "second"),
    ] {
        if ms >= unit && ms % unit == 0 {
            let n = ms / unit;
            return format!("{n} {name}{}", if n == 1 { "" } else { "s" });
        }
    }
    format!("{ms} ms")
}

/// `1 record`, `2 records`.
fn count(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration_words(604_800_000), "7 days");
        assert_eq!(duration_words(3_600_000), "1 hour");
        assert_eq!(duration_words(5_400_000), "90 minutes");
        assert_eq!(duration_words(1_500), "1500 ms");
        assert_eq!(duration_words(0), "0 ms");
    }

    fn ack(partition: u32, base_offset: i64, count: usize) -> Ack {
        Ack {
            partition,
            base_offset,
            count,
            dropped: false,
        }
    }

    /// Offsets come out in the order records went in, whatever order partitions' batches
    /// are acknowledged in.
    #[test]
    fn offsets_print_in_input_order() {
        let mut u = Unprinted::new(3, false);
        for p in [2, 0, 2, 2, 1] {
            u.sent(p);
        }
        let mut out = Vec::new();
        u.acked(&ack(2, 10, 3));
        u.print_ready(&mut out).unwrap();
        assert_eq!(out, b"2\t10\n", "record 2 waits for record 1 (partition 0)");
        u.acked(&ack(1, 5, 1));
        u.acked(&ack(0, 7, 1));
        u.print_ready(&mut out).unwrap();
        assert_eq!(out, b"2\t10\n0\t7\n2\t11\n2\t12\n1\t5\n");
        assert!(u.order.is_empty() && u.acked.iter().all(VecDeque::is_empty));
    }

    /// acks=0: each record handed to the leader prints `-1` (no offset is known, as in
    /// Kafka's callback), still in input order; a dropped one prints nothing.
    #[test]
    fn acks_0_prints_minus_one_and_nothing_for_dropped() {
        let mut u = Unprinted::new(2, false);
        for p in [1, 1, 0, 1] {
            u.sent(p);
        }
        let mut out = Vec::new();
        u.acked(&ack(1, -1, 2));
        u.acked(&Ack {
            dropped: true,
            ..ack(0, -1, 1)
        });
        u.acked(&ack(1, -1, 1));
        u.print_ready(&mut out).unwrap();
        assert_eq!(out, b"1\t-1\n1\t-1\n1\t-1\n");
        assert!(u.order.is_empty() && u.acked.iter().all(VecDeque::is_empty));
    }
}
