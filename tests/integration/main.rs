//! Integration tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod kafka_python;
mod oracle;
