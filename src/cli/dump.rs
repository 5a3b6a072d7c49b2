//! `filka dump`: print what is inside Kafka's segment, index, time index and checkpoint files,
//! like Kafka's `kafka-dump-log.sh`.
//!
//! Reads the files read-only and never repairs them. Needs no cluster: the files may come from
//! a real Kafka broker.

use std::path::PathBuf;

use anyhow::Context;

use super::GlobalArgs;
use crate::error::ExitCode;

const EXAMPLES: &str = "\
Examples:
  Print the batches of a segment, then each record's key, value and headers:
    filka dump filka-data/broker-101/demo-0/00000000000000000000.log
    filka dump filka-data/broker-101/demo-0/00000000000000000000.log --print-data

  Check an offset index against its segment:
    filka dump --verify filka-data/broker-101/demo-0/00000000000000000000.index

  Read at most the first MiB of a large segment copied from a Kafka broker:
    filka dump --max-bytes 1048576 /tmp/copied/00000000000000368769.log";

/// Print the contents of Kafka segment, index, time index and checkpoint files.
///
/// The kind of each file comes from its name: .log (record batches), .index (offset index),
/// .timeindex (time index), leader-epoch-checkpoint and the broker's *-checkpoint files.
/// Files are opened read-only and never repaired; corruption is reported with its byte
/// position and makes filka exit with 3.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Files to dump, in order.
    #[arg(required = true, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub files: Vec<PathBuf>,

    /// Also print each record's offset, timestamp, key, value and headers, not just the batch
    /// headers (kafka-dump-log's --print-data-log).
    #[arg(long)]
    pub print_data: bool,

    /// Check every batch's CRC and every index entry against the segment beside it, and
    /// report each mismatch.
    #[arg(long)]
    pub verify: bool,

    /// Read at most this many bytes of each file.
    #[arg(long, value_name = "N")]
    pub max_bytes: Option<u64>,
}

/// Dumps the files.
pub fn run(args: &Args, _global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    // Until the dump itself lands, at least say which file is missing (exit 4).
    for file in &args.files {
        std::fs::metadata(file).with_context(|| format!("dump {}", file.display()))?;
    }
    anyhow::bail!("dump: not implemented yet")
}
