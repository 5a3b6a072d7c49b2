//! Ctrl-C (SIGINT) and SIGTERM for commands that read until stopped (`consume -f`, group
//! members): the first one asks the command to stop at its next step, so that `consume`
//! flushes what it read and a group member commits what it wrote and leaves the group, as
//! Kafka's consumer does in `close()`, then exits 0. A second one ends the process at once,
//! by the signal's default action (something stuck, e.g. a write to a pipe nobody reads).
//!
//! Owns: the handlers and the one flag. Must not: do anything in the handler but set the
//! flag (only async-signal-safe work is allowed there).

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use signal_hook::consts::{SIGINT, SIGTERM};

static REQUESTED: AtomicBool = AtomicBool::new(false);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Installs the handlers (once per process; later calls do nothing).
pub(crate) fn install() -> anyhow::Result<()> {
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    for sig in [SIGINT, SIGTERM] {
        // Registered first, so it runs before the flag is set: it does nothing the first
        // time and ends the process the second.
        signal_hook::flag::register_conditional_default(sig, &REQUESTED)
            .context("installing the signal handlers")?;
        signal_hook::flag::register(sig, &REQUESTED).context("installing the signal handlers")?;
    }
    Ok(())
}

/// Whether SIGINT or SIGTERM arrived: stop at the next step.
pub(crate) fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}
