//! The `filka` binary: a switchboard over the library.
fn main() {}
