//! `filka completions SHELL`: print a completion script for a shell to stdout.
//!
//! Needs no cluster. The same scripts are committed under completions/ (see
//! [`super::generated`]).

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, GlobalArgs};
use crate::error::ExitCode;
use crate::output::Printer;

const EXAMPLES: &str = "\
Examples:
  bash (current shell, then for every new shell):
    source <(filka completions bash)
    filka completions bash > ~/.local/share/bash-completion/completions/filka

  zsh (a directory in $fpath):
    filka completions zsh > ~/.zfunc/_filka

  fish:
    filka completions fish > ~/.config/fish/completions/filka.fish";

/// Print a shell completion script.
///
/// Prints the script for SHELL to stdout; install it where your shell loads completions.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The completion script for `shell`, as bytes.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    // clap_complete panics on write errors; a Vec cannot fail, and the real output goes
    // through the Printer, which returns errors (a broken pipe must exit 0, not panic).
    clap_complete::generate(shell, &mut Cli::command(), "filka", &mut buf);
    buf
}

/// Prints the completion script.
pub fn run(args: &Args, _global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let mut out = Printer::stdout();
    std::io::Write::write_all(&mut out, &script(args.shell))?;
    out.finish()?;
    Ok(ExitCode::Success)
}
