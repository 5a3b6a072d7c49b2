//! What the global flags mean, in one place, so that no command accepts one and ignores it.
//!
//! - `--output`: each command says which formats it prints ([`GlobalArgs::accept_output`]);
//!   any other is refused before anything is opened, with one line and exit 2.
//! - `-q`: nothing on stderr but errors. Commands print their notes through
//!   [`GlobalArgs::note`], which `-q` silences.
//! - `-v`: what the command does, in Kafka's words (which leader a partition is read from or
//!   written to, which offset a group resumes at and why, which metadata records a change
//!   wrote); `-vv` adds per-batch detail where the command reads or writes batches. Each
//!   command says how many levels it has ([`GlobalArgs::accept_verbosity`]): asking for
//!   more is refused, exit 2. Lines go through [`GlobalArgs::detail`].

use std::fmt::Display;

use anyhow::anyhow;

use super::{GlobalArgs, OutputFormat};
use crate::error::{ExitCode, coded};

/// Text and JSON: what most commands print.
pub const TEXT_JSON: &[OutputFormat] = &[OutputFormat::Text, OutputFormat::Json];
/// Only text: for commands whose output has no other form (a shell script).
pub const TEXT_ONLY: &[OutputFormat] = &[OutputFormat::Text];

/// `-v` only: the command says what it does, and has no batches to detail.
pub const VERBOSE: u8 = 1;
/// `-v` and `-vv`: the command reads or writes batches, detailed one by one at `-vv`.
pub const VERBOSE_BATCHES: u8 = 2;

fn format_name(f: OutputFormat) -> &'static str {
    match f {
        OutputFormat::Text => "text",
        OutputFormat::Json => "json",
        OutputFormat::Csv => "csv",
        OutputFormat::Avro => "avro",
    }
}

impl GlobalArgs {
    /// Refuses an `--output` format `command` (e.g. `topic list`) does not print: exit 2.
    pub fn accept_output(&self, command: &str, formats: &[OutputFormat]) -> anyhow::Result<()> {
        if formats.contains(&self.output) {
            return Ok(());
        }
        let names: Vec<&str> = formats.iter().map(|&f| format_name(f)).collect();
        let list = match names.as_slice() {
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
            [] => "nothing".to_string(),
        };
        Err(coded(
            ExitCode::Usage,
            anyhow!(
                "`filka {command}` prints {list}, not --output {}",
                format_name(self.output)
            ),
        ))
    }

    /// Refuses more `-v` than `command` has levels for: exit 2.
    pub fn accept_verbosity(&self, command: &str, levels: u8) -> anyhow::Result<()> {
        if self.verbose <= levels {
            return Ok(());
        }
        let wanted = "v".repeat(usize::from(self.verbose));
        Err(coded(
            ExitCode::Usage,
            if levels == 0 {
                anyhow!("`filka {command}` has no -{wanted} level")
            } else {
                anyhow!(
                    "`filka {command}` has no -{wanted} level (-{} says all it has to say)",
                    "v".repeat(usize::from(levels))
                )
            },
        ))
    }

    /// Both checks, for the common case.
    pub fn accept(
        &self,
        command: &str,
        formats: &[OutputFormat],
        levels: u8,
    ) -> anyhow::Result<()> {
        self.accept_output(command, formats)?;
        self.accept_verbosity(command, levels)
    }

    /// A note on stderr, `filka: {msg}`, unless `-q`.
    pub fn note(&self, msg: impl Display) {
        if !self.quiet {
            eprintln!("filka: {msg}");
        }
    }

    /// `-v`: the metadata records a change appended from offset `from` on, as the active
    /// controller wrote them (`filka describe history` shows them in full).
    pub fn metadata_written(&self, command: &str, cluster: &crate::cluster::Cluster, from: i64) {
        if !self.verbose_at(1) {
            return;
        }
        let records: Vec<(i64, String)> = match cluster.history() {
            Ok(h) => h
                .into_iter()
                .filter(|e| e.last_offset >= from)
                .map(|e| (e.offset.max(from), e.kind))
                .collect(),
            Err(e) => {
                self.detail(
                    1,
                    format!("{command}: the metadata log could not be read: {e}"),
                );
                return;
            }
        };
        if records.is_empty() {
            self.detail(1, format!("{command}: no metadata record was written"));
        }
        for (offset, kind) in records {
            self.detail(
                1,
                format!(
                    "{command}: the controller wrote {kind} at offset {offset} of the metadata log"
                ),
            );
        }
    }

    /// What a command says of replication events on its partitions (a replica that failed
    /// and who leads now, a tail recovery cut, a follower repaired or truncated: always,
    /// unless -q; catch-ups and ISR changes: at -v), each line prefixed with `command`.
    pub fn replica_event_sink(&self, command: &'static str) -> crate::client::producer::EventSink {
        use crate::cluster::writer::ReplicaEvent as E;
        let (quiet, verbose) = (self.quiet, self.verbose_at(1));
        Box::new(move |topic, partition, e| {
            let loud = matches!(
                e,
                E::Failed { .. } | E::Recovered { .. } | E::Repaired { .. } | E::Truncated { .. }
            );
            if !quiet && (loud || verbose) {
                eprintln!(
                    "filka: {command}: {}",
                    super::simulate_failure::event_line(topic, partition, e)
                );
            }
        })
    }

    /// What a command says when reading moved to a new leader (unless -q).
    pub fn notice_sink(&self, command: &'static str) -> crate::client::consumer::NoticeSink {
        let quiet = self.quiet;
        Box::new(move |line| {
            if !quiet {
                eprintln!("filka: {command}: {line}");
            }
        })
    }

    /// Whether `-v` lines of `level` (1 or 2) are printed.
    pub fn verbose_at(&self, level: u8) -> bool {
        !self.quiet && self.verbose >= level
    }

    /// A `-v` (level 1) or `-vv` (level 2) line on stderr, `filka: {msg}`.
    pub fn detail(&self, level: u8, msg: impl Display) {
        if self.verbose_at(level) {
            eprintln!("filka: {msg}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::exit_code_for;
    use std::path::PathBuf;

    fn global(output: OutputFormat, verbose: u8) -> GlobalArgs {
        GlobalArgs {
            cluster: PathBuf::from("x"),
            cluster_given: false,
            output,
            quiet: false,
            verbose,
        }
    }

    #[test]
    fn other_formats_and_levels_are_refused_with_one_line() {
        let g = global(OutputFormat::Csv, 0);
        assert!(g.accept_output("topic list", TEXT_JSON).is_err());
        let e = g.accept_output("topic list", TEXT_JSON).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`filka topic list` prints text or json, not --output csv"
        );
        assert_eq!(exit_code_for(&e), ExitCode::Usage);
        let e = global(OutputFormat::Json, 0)
            .accept_output("completions", TEXT_ONLY)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`filka completions` prints text, not --output json"
        );

        assert!(
            global(OutputFormat::Text, 1)
                .accept_verbosity("topic list", VERBOSE)
                .is_ok()
        );
        let e = global(OutputFormat::Text, 2)
            .accept_verbosity("topic list", VERBOSE)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`filka topic list` has no -vv level (-v says all it has to say)"
        );
        assert_eq!(exit_code_for(&e), ExitCode::Usage);
    }
}
