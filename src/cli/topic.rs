//! `filka topic`: not built yet.

use super::GlobalArgs;
use crate::error::ExitCode;

const EXAMPLES: &str = "\
Examples:
  filka topic";

/// Not built yet.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: &Args, _global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("topic: not implemented yet")
}
