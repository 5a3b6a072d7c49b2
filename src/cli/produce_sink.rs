//! Where `produce`'s records go: the producer, acknowledgements printed in input order
//! with `--print-offsets`, malformed lines counted or refused, and the transactions of
//! `--transactional-id` (offsets printed only once their transaction commits).
//!
//! Must not: read the input.

use std::fmt::Display;
use std::io;

use anyhow::{Context, anyhow};

use super::produce_report::{Unprinted, Written};
use crate::client::producer::{Ack, Producer, ProducerRecord};
use crate::cluster::ClusterError;
use crate::error::{ExitCode, coded};
use crate::output::Printer;

/// The producer, and what happens to acknowledgements and bad lines.
pub(super) struct Sink {
    pub(super) producer: Producer,
    /// Where `--print-offsets` writes; `None` without it (or once stdout's reader left).
    pub(super) out: Option<Printer>,
    /// With `--print-offsets`: records sent, and offsets acknowledged, not printed yet.
    pub(super) unprinted: Unprinted,
    pub(super) acked: u64,
    pub(super) used: Vec<bool>,
    pub(super) skip_invalid: bool,
    pub(super) skipped: u64,
    /// What errors call an input item: `line`, or `row` for CSV.
    pub(super) unit: &'static str,
    /// What was written, to tell what retention deleted at once.
    pub(super) written: Written,
    /// With --transactional-id: where the open transaction stands.
    pub(super) txn: Option<TxnBatches>,
    /// `-vv`: each acknowledged batch is said on stderr.
    pub(super) batches_said: bool,
}

/// The transactions of `produce --transactional-id`.
pub(super) struct TxnBatches {
    /// Commit every this many records (`None`: at the end of the input).
    pub(super) every: Option<u64>,
    /// Records in the open transaction.
    pub(super) open: u64,
    /// Acknowledgements of the open transaction: its offsets are printed once it commits
    /// (a printed offset is a promise; an aborted one would be a broken one).
    pub(super) held: Vec<Ack>,
}

impl Sink {
    /// Sends a record read from line `n`; one too large for the topic is a bad line.
    pub(super) fn send(&mut self, n: u64, r: &ProducerRecord<'_>) -> anyhow::Result<()> {
        let (partition, acks) = match self.producer.send_partitioned(r) {
            Ok(sent) => sent,
            Err(
                e @ (ClusterError::RecordTooLarge { .. } | ClusterError::KeylessOnCompacted(_)),
            ) => {
                return self.bad_line(n, e);
            }
            Err(e) => return Err(e.into()),
        };
        self.written.sent(r);
        if self.out.is_some() {
            self.unprinted.sent(partition);
        }
        for ack in acks {
            self.acknowledged(ack)?;
        }
        if let Some(t) = &mut self.txn {
            t.open += 1;
            if t.every.is_some_and(|n| t.open >= n) {
                self.commit()?;
            }
        }
        // A transaction's offsets wait for its commit however many they are; flushing would
        // not print them sooner.
        if self.unprinted.backlogged() && self.txn.is_none() {
            self.flush()?;
        }
        Ok(())
    }

    /// Line `n` is malformed: stop (exit 5), or report it and go on with --skip-invalid.
    pub(super) fn bad_line(&mut self, n: u64, what: impl Display) -> anyhow::Result<()> {
        if self.skip_invalid {
            self.skipped += 1;
            eprintln!("filka: produce: {} {n}: {what} (skipped)", self.unit);
            return Ok(());
        }
        Err(coded(
            ExitCode::InvalidInput,
            anyhow!("{} {n}: {what}", self.unit),
        ))
    }

    /// Commits the open transaction and prints its offsets.
    pub(super) fn commit(&mut self) -> anyhow::Result<()> {
        let acks = self
            .producer
            .commit_transaction()
            .context("committing the transaction")?;
        let Some(t) = &mut self.txn else {
            return Ok(());
        };
        t.open = 0;
        let mut held = std::mem::take(&mut t.held);
        held.extend(acks);
        for ack in held {
            self.deliver(ack)?;
        }
        Ok(())
    }

    /// Aborts the open transaction: what it sent is never visible to read_committed, and
    /// its offsets are never printed. Returns true when it was committed instead (its
    /// commit had been decided before the failure that led here).
    pub(super) fn abort(&mut self) -> anyhow::Result<bool> {
        let committed = self.producer.abort_transaction()?;
        if let Some(t) = &mut self.txn {
            t.open = 0;
            t.held.clear();
        }
        Ok(committed)
    }

    /// An acknowledged batch: now, or held until its transaction commits.
    pub(super) fn acknowledged(&mut self, ack: Ack) -> anyhow::Result<()> {
        match &mut self.txn {
            Some(t) => {
                t.held.push(ack);
                Ok(())
            }
            None => self.deliver(ack),
        }
    }

    /// Counts an acknowledged batch and prints its offsets with --print-offsets (a batch
    /// acks=0 dropped is not counted, and prints nothing).
    pub(super) fn deliver(&mut self, ack: Ack) -> anyhow::Result<()> {
        if self.batches_said {
            eprintln!(
                "filka: produce: {}-{}: batch of {} record{} {}",
                self.producer.topic(),
                ack.partition,
                ack.count,
                if ack.count == 1 { "" } else { "s" },
                if ack.dropped {
                    "dropped (the leader could not take it)".to_string()
                } else if ack.base_offset < 0 {
                    "handed to the leader (acks=0: offsets not known)".to_string()
                } else {
                    format!(
                        "acknowledged at offsets {}..{}",
                        ack.base_offset,
                        ack.base_offset + ack.count as i64 - 1
                    )
                }
            );
        }
        if !ack.dropped {
            self.acked += ack.count as u64;
            self.written.acked(&ack);
            if let Some(used) = self.used.get_mut(ack.partition as usize) {
                *used = true;
            }
        }
        if let Some(out) = &mut self.out {
            self.unprinted.acked(&ack);
            let written = self.unprinted.print_ready(out);
            self.wrote(written)?;
        }
        Ok(())
    }

    /// Takes the result of writing offsets: once stdout's reader has gone (`| head`),
    /// printing stops but producing goes on, so no input is silently dropped.
    pub(super) fn wrote(&mut self, r: io::Result<()>) -> anyhow::Result<()> {
        match r {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.out = None;
                self.unprinted.clear();
                Ok(())
            }
            r => r.context("writing offsets to stdout"),
        }
    }

    /// Sends every pending batch and pushes printed offsets out.
    pub(super) fn flush(&mut self) -> anyhow::Result<()> {
        for ack in self.producer.flush()? {
            self.acknowledged(ack)?;
        }
        if let Some(out) = &mut self.out {
            let r = out.flush();
            self.wrote(r)?;
        }
        Ok(())
    }

    /// Sends what is pending, makes every written partition durable, prints the last
    /// offsets.
    pub(super) fn close(&mut self) -> anyhow::Result<()> {
        if self.txn.is_some() {
            self.commit()?;
        }
        for ack in self.producer.close()? {
            self.acknowledged(ack)?;
        }
        if let Some(out) = &mut self.out {
            let r = out.flush();
            self.wrote(r)?;
        }
        Ok(())
    }
}
