//! Protobuf for the serializers. So far: Confluent's message-index prefix of a framed value
//! ([`write_message_indexes`], [`read_message_indexes`]) and the error type.
//!
//! Owns: [`ProtoError`].
//! Must not: write the magic byte and schema id of Confluent's wire format (the framing layer
//! does), read stdin or print.

use std::path::PathBuf;

mod framing;

pub use framing::{read_message_indexes, write_message_indexes};

/// What went wrong with a schema or a value.
#[derive(Debug, thiserror::Error)]
pub enum ProtoError {
    /// A schema file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A .proto file does not compile: `file:line:col: message` when protox knows where.
    #[error("{0}")]
    Compile(String),
    /// A file is not a valid FileDescriptorSet.
    #[error("{}: not a valid FileDescriptorSet: {cause}", path.display())]
    DescriptorSet {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: String,
    },
    /// No such message, or the file defines none; the text lists what the file defines.
    #[error("{0}")]
    Message(String),
    /// A message-index path that names no message of the schema's file.
    #[error("message indexes {indexes:?}: {reason}")]
    Indexes {
        /// The path asked for.
        indexes: Vec<i32>,
        /// Why it names no message.
        reason: String,
    },
    /// The message-index prefix of a framed value is malformed.
    #[error("malformed message indexes: {0}")]
    Framing(String),
    /// A JSON value does not fit the message; `path` is the field path (`position.lat`,
    /// `points[2].x`), empty for the top-level value.
    #[error("{}", json_error_text(.path, .reason))]
    Json {
        /// Where in the value, as the input spelled the field names.
        path: String,
        /// What is wrong there.
        reason: String,
    },
    /// Bytes are not a valid encoding of the message (or hold a value its JSON cannot show,
    /// such as a Timestamp out of range).
    #[error("not a valid {message} value: {cause}")]
    Decode {
        /// The message's full name.
        message: String,
        /// Why.
        cause: String,
    },
}

fn json_error_text(path: &str, reason: &str) -> String {
    if path.is_empty() {
        reason.to_owned()
    } else {
        format!("field {path}: {reason}")
    }
}
