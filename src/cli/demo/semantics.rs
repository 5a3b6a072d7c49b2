//! Steps 9 to 11: the three delivery semantics, each with a billing process that really
//! crashes after the 3rd of 10 orders and is started again.
//!
//! - at-most-once: `consume -g billing-amo --commit before -f`, whose stdout the demo reads
//!   as the billing process; after the 3rd order it runs `kill -9 PID`, then the same
//!   consume without -f (it stops at the end of the log).
//! - at-least-once: the same with `--commit auto` and an auto-commit interval far longer
//!   than the run, so nothing is committed before the kill.
//! - exactly-once: `filka pipe` whose processing command dies after the 3rd order, then the
//!   pipe again with a command that works; the invoices are counted from
//!   `consume --isolation read_committed`.
//!
//! processed = distinct orders billed (in either run), lost = orders never billed, repeated =
//! orders billed more than once: all counted from what the commands printed.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;

use super::steps::{Demo, plural};

/// Orders produced for billing.
const ORDERS: u32 = 10;
/// The billing process crashes after this many orders.
const CRASH_AFTER: usize = 3;
/// The longest wait for a consumer's first orders before it is killed anyway.
const READ_LIMIT: Duration = Duration::from_secs(30);
/// --auto-commit-interval-ms of the at-least-once consumer: far longer than the demo, so
/// that it commits only at exit, which the kill prevents.
const AUTO_COMMIT_MS: &str = "60000";

/// What billing did with the orders.
struct Counts {
    /// The group's committed offset when billing crashed (steps 9 and 10).
    committed: Option<i64>,
    processed: usize,
    lost: Vec<String>,
    repeated: Vec<String>,
}

impl Counts {
    /// Counts `billed` (each line one billing of an order, `order-N`) against the orders
    /// produced.
    fn of<'a>(produced: &[String], billed: impl IntoIterator<Item = &'a String>) -> Counts {
        let mut times: BTreeMap<&str, usize> = BTreeMap::new();
        for b in billed {
            *times.entry(b.as_str()).or_default() += 1;
        }
        let mut order: Vec<&String> = produced.iter().collect();
        order.sort_by_key(|o| number(o));
        Counts {
            committed: None,
            processed: times.len(),
            lost: order
                .iter()
                .filter(|o| !times.contains_key(o.as_str()))
                .map(|o| o.to_string())
                .collect(),
            repeated: order
                .iter()
                .filter(|o| times.get(o.as_str()).is_some_and(|&t| t > 1))
                .map(|o| o.to_string())
                .collect(),
        }
    }

    fn summary(&self) -> String {
        format!(
            "processed {}, lost {}, repeated {}",
            self.processed,
            self.lost.len(),
            self.repeated.len()
        )
    }

    /// The summary with the orders lost and repeated named.
    fn detailed(&self) -> String {
        format!(
            "processed {}, lost {}{}, repeated {}{}",
            self.processed,
            self.lost.len(),
            listed(&self.lost),
            self.repeated.len(),
            listed(&self.repeated)
        )
    }

    fn json(&self) -> serde_json::Value {
        json!({
            "processed": self.processed,
            "lost": self.lost.len(),
            "repeated": self.repeated.len(),
        })
    }
}

/// The number in `order-N` (for ordering lists), 0 when there is none.
fn number(s: &str) -> u32 {
    s.rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// `(a b c)`, or nothing for an empty list.
fn listed(items: &[String]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!(" ({})", items.join(" "))
    }
}

/// A consumer-group mode of billing: at-most-once or at-least-once.
struct GroupMode {
    group: &'static str,
    /// --commit and its options.
    commit: &'static [&'static str],
}

impl Demo {
    /// Step 9: orders, then at-most-once.
    pub(super) fn at_most_once(&mut self) -> anyhow::Result<Vec<String>> {
        self.report.step(&format!(
            "at-most-once: billing commits its offsets before processing, and crashes after \
             the {} of {ORDERS} orders",
            ordinal(CRASH_AFTER)
        ))?;
        let numbers: Vec<String> = (1..=ORDERS).map(|i| i.to_string()).collect();
        let line = self.run.shell(format!(
            "{} && printf 'order-%s\\n' {} | {}",
            self.run
                .filka_text(&["topic", "create", "orders", "-p", "1", "-r", "3"]),
            numbers.join(" "),
            self.run
                .filka_text(&["produce", "-t", "orders", "--print-offsets"])
        ));
        let ran = self.exec(&line, &[0])?;
        // `PARTITION<TAB>OFFSET`, one per order, in order.
        let acked = ran.stdout.iter().filter(|l| l.contains('\t')).count();
        let produced: Vec<String> = numbers
            .iter()
            .take(acked)
            .map(|i| format!("order-{i}"))
            .collect();
        self.report.say(&format!(
            "{} written to orders",
            if acked == 1 {
                "1 order".to_string()
            } else {
                format!("{acked} orders")
            }
        ))?;
        self.report.expect(acked == ORDERS as usize, || {
            format!("{acked} of {ORDERS} orders acknowledged")
        })?;
        let mode = GroupMode {
            group: "billing-amo",
            commit: &["--commit", "before"],
        };
        let counts = self.crash_and_restart(&mode, &produced)?;
        let expected_lost = produced.len().saturating_sub(CRASH_AFTER);
        self.report.expect(
            counts.processed == CRASH_AFTER
                && counts.lost.len() == expected_lost
                && counts.repeated.is_empty(),
            || {
                format!(
                    "{}, where at-most-once processes {CRASH_AFTER}, loses {expected_lost} and \
                     repeats none",
                    counts.summary()
                )
            },
        )?;
        let mut outcome = counts.json();
        outcome["committed_at_crash"] = json!(counts.committed);
        self.report.end(&counts.summary(), outcome)?;
        Ok(produced)
    }

    /// Step 10: at-least-once.
    pub(super) fn at_least_once(&mut self, produced: &[String]) -> anyhow::Result<()> {
        self.report.step(&format!(
            "at-least-once: billing commits after processing (--commit auto), and crashes after \
             the {} order",
            ordinal(CRASH_AFTER)
        ))?;
        let mode = GroupMode {
            group: "billing-alo",
            commit: &[
                "--commit",
                "auto",
                "--auto-commit-interval-ms",
                AUTO_COMMIT_MS,
            ],
        };
        let counts = self.crash_and_restart(&mode, produced)?;
        self.report.expect(
            counts.processed == produced.len()
                && counts.lost.is_empty()
                && counts.repeated.len() == CRASH_AFTER,
            || {
                format!(
                    "{}, where at-least-once processes all {}, loses none and repeats the \
                     {CRASH_AFTER} processed before the crash",
                    counts.summary(),
                    produced.len()
                )
            },
        )?;
        let mut outcome = counts.json();
        outcome["committed_at_crash"] = json!(counts.committed);
        self.report.end(&counts.summary(), outcome)?;
        Ok(())
    }

    /// Runs billing as a group member that crashes after [`CRASH_AFTER`] orders, describes
    /// the group, restarts billing, and counts.
    fn crash_and_restart(
        &mut self,
        mode: &GroupMode,
        produced: &[String],
    ) -> anyhow::Result<Counts> {
        let mut args = vec!["consume", "-t", "orders", "-g", mode.group];
        args.extend(mode.commit);
        args.extend(["-o", "beginning"]);
        let restart = self.run.filka(&args);
        args.push("-f");
        let first = self.run.filka(&args);

        self.report.command(&first)?;
        let mut running = self.run.start(&first)?;
        running.read_stdout(CRASH_AFTER, READ_LIMIT);
        let before: Vec<String> = running.stdout().to_vec();
        let (shown, stderr) = running.drain();
        self.report.lines(&shown, &stderr)?;
        let kill = self.run.shell(format!(
            "kill -9 {}   # the billing process crashes after the {} order",
            running.pid(),
            ordinal(before.len())
        ));
        self.exec(&kill, &[0])?;
        // Nobody reads what it printed after the crash: billing is dead.
        let crashed = running.wait(false)?;
        self.report.output(&crashed)?;
        if crashed.code().is_some() {
            // It ended by itself instead of being killed.
            self.check_status(&first, &crashed, &[])?;
        }

        let describe = self.run.filka(&["describe", "group", mode.group]);
        // 4: a group with no committed offset "does not exist" yet.
        let described = self.exec(&describe, &[0, 4])?;
        let committed = committed_offset(&described.stdout, mode.group);

        let again = self.exec(&restart, &[0])?;
        let mut counts = Counts::of(produced, before.iter().chain(&again.stdout));
        counts.committed = committed;
        self.report.say(&format!(
            "before the crash billing processed {}{}. The group had {} when billing crashed, so \
             the restart read {}: {}.\n{}",
            before.len(),
            listed(&before),
            match committed {
                Some(o) => format!("committed offset {o}"),
                None => "committed no offset".to_string(),
            },
            match committed {
                Some(o) => format!("from offset {o}"),
                None => "from -o beginning".to_string(),
            },
            plural(again.stdout.len(), "order"),
            counts.detailed(),
        ))?;
        Ok(counts)
    }

    /// Step 11: exactly-once with `filka pipe`.
    pub(super) fn exactly_once(&mut self, produced: &[String]) -> anyhow::Result<()> {
        self.report.step(&format!(
            "exactly-once: filka pipe bills orders into invoices, its command dies after the \
             {} order",
            ordinal(CRASH_AFTER)
        ))?;
        let head = format!("head -n {CRASH_AFTER} | sed s/order/invoice/; exit 1");
        let pipe = |cmd: &[&str]| {
            let mut args = vec![
                "pipe",
                "--from",
                "orders",
                "--to",
                "invoices",
                "-g",
                "billing-eo",
                "--",
            ];
            args.extend(cmd);
            self.run.filka(&args)
        };
        let crash = pipe(&["sh", "-c", head.as_str()]);
        let restart = pipe(&["sed", "s/order/invoice/"]);
        // 10: the command failed, the batch's transaction was aborted.
        let crashed = self.exec(&crash, &[10])?;
        self.report.say(&format!(
            "pipe exited {}: its command failed, so the batch's transaction (invoices and the \
             group's offset) was aborted",
            crashed.code().unwrap_or_default()
        ))?;
        self.exec(&restart, &[0])?;
        let committed = self.exec(
            &self
                .run
                .filka(&["consume", "-t", "invoices", "--isolation", "read_committed"]),
            &[0],
        )?;
        let everything = self.exec(
            &self.run.filka(&[
                "consume",
                "-t",
                "invoices",
                "--isolation",
                "read_uncommitted",
            ]),
            &[0],
        )?;
        let billed: Vec<String> = committed
            .stdout
            .iter()
            .map(|l| l.replacen("invoice", "order", 1))
            .collect();
        let counts = Counts::of(produced, &billed);
        self.report.say(&format!(
            "read_committed sees {} for {} orders: {}.\nThe log holds {} (read_uncommitted): \
             the aborted transaction left {} in it.",
            plural(committed.stdout.len(), "invoice"),
            produced.len(),
            counts.detailed(),
            plural(everything.stdout.len(), "record"),
            plural(
                everything
                    .stdout
                    .len()
                    .saturating_sub(committed.stdout.len()),
                "record"
            ),
        ))?;
        self.report.expect(
            counts.processed == produced.len()
                && counts.lost.is_empty()
                && counts.repeated.is_empty(),
            || {
                format!(
                    "{}, where exactly-once processes all {} once",
                    counts.summary(),
                    produced.len()
                )
            },
        )?;
        let mut outcome = counts.json();
        outcome["in_log"] = json!(everything.stdout.len());
        self.report.end(&counts.summary(), outcome)?;
        Ok(())
    }
}

/// 1st, 2nd, 3rd, 4th, ...
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The CURRENT-OFFSET of `group`'s row in `describe group` output, if it has one.
fn committed_offset(stdout: &[String], group: &str) -> Option<i64> {
    let header: Vec<&str> = stdout.first()?.split_whitespace().collect();
    let col = header.iter().position(|h| *h == "CURRENT-OFFSET")?;
    stdout.iter().skip(1).find_map(|l| {
        let t: Vec<&str> = l.split_whitespace().collect();
        if t.first() != Some(&group) {
            return None;
        }
        t.get(col)?.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orders(n: u32) -> Vec<String> {
        (1..=n).map(|i| format!("order-{i}")).collect()
    }

    #[test]
    fn counts_say_what_was_processed_lost_and_repeated() {
        let produced = orders(10);
        let billed: Vec<String> = ["order-1", "order-2", "order-3", "order-1", "order-10"]
            .map(String::from)
            .to_vec();
        let c = Counts::of(&produced, &billed);
        assert_eq!(c.processed, 4);
        assert_eq!(
            c.lost,
            [
                "order-4", "order-5", "order-6", "order-7", "order-8", "order-9"
            ]
        );
        assert_eq!(c.repeated, ["order-1"]);
        assert_eq!(c.summary(), "processed 4, lost 6, repeated 1");
    }

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101]
            .map(ordinal)
            .to_vec();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st"
            ]
        );
    }

    #[test]
    fn the_committed_offset_is_read_from_describe_group() {
        let out: Vec<String> = [
            "GROUP        TOPIC   PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG",
            "billing-amo  orders  0          10              10              0",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(committed_offset(&out, "billing-amo"), Some(10));
        assert_eq!(committed_offset(&out, "other"), None);
        assert_eq!(committed_offset(&[], "billing-amo"), None);
    }
}
