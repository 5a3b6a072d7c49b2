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
pub fn run(args: &Args, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    global.accept(
        "completions",
        super::global::TEXT_ONLY,
        super::global::VERBOSE,
    )?;
    let mut out = Printer::stdout();
    std::io::Write::write_all(&mut out, &script(args.shell))?;
    out.finish()?;
    global.detail(1, format!("completions: {}", install_hint(args.shell)));
    Ok(ExitCode::Success)
}

/// Where `shell` loads completion scripts from, for `-v`.
fn install_hint(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => {
            "a bash script; bash-completion loads it from \
             ~/.local/share/bash-completion/completions/filka, or `source` it"
        }
        Shell::Zsh => "a zsh script; zsh loads it as _filka from a directory in $fpath",
        Shell::Fish => "a fish script; fish loads it from ~/.config/fish/completions/filka.fish",
        Shell::Elvish => "an elvish script; `eval` it from ~/.config/elvish/rc.elv",
        Shell::PowerShell => "a PowerShell script; dot-source it from your $PROFILE",
        _ => "a completion script for this shell",
    }
}
