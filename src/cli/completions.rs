//! `filka completions SHELL`: print a completion script for a shell to stdout.
//!
//! Needs no cluster. The script asks filka itself for candidates on every TAB (see
//! [`super::complete`]); the same scripts are committed under completions/ (see
//! [`super::generated`]).

use clap_complete::Shell;

use super::GlobalArgs;
use crate::error::ExitCode;
use crate::output::Printer;

const EXAMPLES: &str = "\
Examples:
  bash (this shell; add the line to ~/.bashrc for every new one):
    source <(filka completions bash)

  zsh (in ~/.zshrc, after compinit):
    source <(filka completions zsh)

  fish:
    filka completions fish > ~/.config/fish/completions/filka.fish

  elvish (in ~/.config/elvish/rc.elv):
    eval (filka completions elvish | slurp)

  PowerShell (in $PROFILE):
    filka completions powershell | Out-String | Invoke-Expression";

/// Print a shell completion script.
///
/// Prints the script for SHELL to stdout; install it where your shell loads completions.
/// On TAB the script runs `filka` (found on PATH) to ask for candidates, so they come from
/// the cluster the command line names (--cluster, then FILKA_CLUSTER, then ./filka-data):
/// topics (internal ones once `__` is typed), partitions of the -t topic, brokers and
/// controllers with their state, group ids, transactional ids, schema subjects, topic config
/// keys with their defaults, -o forms, and the files dump, --value-schema and --proto read.
/// Completing never creates a cluster, takes no lock, writes nothing, and completes nothing
/// when there is no cluster.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The completion script for `shell`, as bytes.
pub fn script(shell: Shell) -> Vec<u8> {
    super::complete::script(shell)
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
            "a bash script; `source` it from ~/.bashrc, or bash-completion loads it from \
             ~/.local/share/bash-completion/completions/filka"
        }
        Shell::Zsh => "a zsh script; `source` it from ~/.zshrc, after compinit",
        Shell::Fish => "a fish script; fish loads it from ~/.config/fish/completions/filka.fish",
        Shell::Elvish => "an elvish script; `eval` it from ~/.config/elvish/rc.elv",
        Shell::PowerShell => "a PowerShell script; dot-source it from your $PROFILE",
        _ => "a completion script for this shell",
    }
}
