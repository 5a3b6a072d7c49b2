//! The `filka` binary: a switchboard over the library.
//!
//! Parses the command line (clap prints usage errors itself and exits 2), runs the command,
//! and turns an error into one line on stderr, `filka: <what>: <cause>`, and an exit code from
//! the one table in `filka::error`. A broken pipe on stdout (`filka consume | head`) exits 0
//! silently.
//!
//! SIGPIPE: the Rust runtime sets SIGPIPE to "ignore" before `main`, so writing to a closed
//! pipe returns an `EPIPE` error instead of killing the process; that error reaches
//! `is_broken_pipe` below. Nothing to reset here (and `unsafe` is denied in this crate).

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use filka::cli::{self, Cli};
use filka::error::{self, error_chain_message, exit_code_for, is_broken_pipe};
use filka::output::escape_control;

fn main() -> ExitCode {
    // A TAB in a shell: print the candidates and exit before anything else runs.
    cli::complete::answer_if_asked();
    let matches = Cli::command().get_matches();
    let mut cli =
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut Cli::command()).exit());
    cli.global.note_sources(&matches);
    let code = match cli::run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => error::ExitCode::Success,
        Err(err) => {
            let line = escape_control(&error_chain_message(&err));
            // If stderr is gone too there is no one left to tell.
            let _ = writeln!(std::io::stderr().lock(), "filka: {line}");
            exit_code_for(&err)
        }
    };
    code.into()
}
