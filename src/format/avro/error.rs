//! [`AvroError`], the one error type of the Avro layer, and [`Fail`], the cheap internal
//! error the codecs return while they unwind (the field path is collected on the way out, so
//! the success path pays nothing for it).

use std::path::PathBuf;

/// What went wrong in the Avro layer. `Display` always includes the cause and, where there
/// is one, the field path as a JSON pointer (`field /position/lat: expected a double, found
/// "north"`).
#[derive(Debug, thiserror::Error)]
pub enum AvroError {
    /// The schema text is not a valid Avro schema.
    #[error("invalid Avro schema: {0}")]
    Schema(String),
    /// A schema file could not be read.
    #[error("cannot read Avro schema {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A schema file was read but does not hold a valid schema.
    #[error("Avro schema {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with its text.
        #[source]
        source: Box<AvroError>,
    },
    /// A JSON value does not fit the schema (`encode_json`).
    #[error("{}", located(path, message))]
    Json {
        /// JSON pointer of the offending value; empty for the value itself.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// An Avro binary datum is malformed for its writer schema (truncated, trailing bytes,
    /// a bad union index, a length beyond the bytes remaining, ...).
    #[error("Avro datum, byte {offset}: {}", located(path, message))]
    Datum {
        /// JSON pointer of the value being decoded; empty for the datum itself.
        path: String,
        /// Byte position in the datum where decoding stopped.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// A well-formed datum holds a value the reader schema cannot take (an enum symbol the
    /// reader lacks, a union branch with no match in the reader, a field without default).
    #[error(
        "Avro datum, byte {offset}: cannot read with the reader schema: {}",
        located(path, message)
    )]
    Resolution {
        /// JSON pointer of the value being resolved.
        path: String,
        /// Byte position in the datum.
        offset: usize,
        /// Why the reader cannot take it.
        message: String,
    },
}

fn located(path: &str, message: &str) -> String {
    if path.is_empty() {
        message.to_string()
    } else {
        format!("field {path}: {message}")
    }
}

/// One step of a field path, innermost first while an error unwinds.
#[derive(Debug)]
pub(super) enum Seg {
    /// A record field or map key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// Which [`AvroError`] a [`Fail`] becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FailKind {
    Json,
    Datum,
    Resolution,
}

/// The internal error: boxed so that `Result<(), Fail>` stays one word on the hot path.
pub(super) type Fail = Box<FailInner>;

/// See [`Fail`].
#[derive(Debug)]
pub(super) struct FailInner {
    pub kind: FailKind,
    pub message: String,
    /// Innermost segment first (pushed while unwinding).
    pub path: Vec<Seg>,
    pub offset: usize,
}

/// A JSON-side failure with no path yet.
pub(super) fn json_fail(message: impl Into<String>) -> Fail {
    Box::new(FailInner {
        kind: FailKind::Json,
        message: message.into(),
        path: Vec::new(),
        offset: 0,
    })
}

/// A binary-side failure at byte `offset`.
pub(super) fn datum_fail(kind: FailKind, offset: usize, message: impl Into<String>) -> Fail {
    Box::new(FailInner {
        kind,
        message: message.into(),
        path: Vec::new(),
        offset,
    })
}

/// Adds path segments to a [`Fail`] as it unwinds.
pub(super) trait AtPath<T> {
    /// Inside field or map key `key`.
    fn at_key(self, key: &str) -> Result<T, Fail>;
    /// Inside array element `i`.
    fn at_index(self, i: usize) -> Result<T, Fail>;
}

impl<T> AtPath<T> for Result<T, Fail> {
    #[inline]
    fn at_key(self, key: &str) -> Result<T, Fail> {
        self.map_err(|mut f| {
            f.path.push(Seg::Key(key.to_string()));
            f
        })
    }

    #[inline]
    fn at_index(self, i: usize) -> Result<T, Fail> {
        self.map_err(|mut f| {
            f.path.push(Seg::Index(i));
            f
        })
    }
}

/// A JSON pointer (RFC 6901) for segments stored innermost first.
pub(super) fn pointer(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path.iter().rev() {
        s.push('/');
        match seg {
            Seg::Key(k) => {
                for c in k.chars() {
                    match c {
                        '~' => s.push_str("~0"),
                        '/' => s.push_str("~1"),
                        c => s.push(c),
                    }
                }
            }
            Seg::Index(i) => s.push_str(&i.to_string()),
        }
    }
    s
}

impl From<Fail> for AvroError {
    fn from(f: Fail) -> AvroError {
        let path = pointer(&f.path);
        let FailInner {
            kind,
            message,
            offset,
            ..
        } = *f;
        match kind {
            FailKind::Json => AvroError::Json { path, message },
            FailKind::Datum => AvroError::Datum {
                path,
                offset,
                message,
            },
            FailKind::Resolution => AvroError::Resolution {
                path,
                offset,
                message,
            },
        }
    }
}

/// A JSON value as an error message shows it: compact, cut after ~40 characters.
pub(super) fn shown(v: &serde_json::Value) -> String {
    const MAX: usize = 40;
    let text = v.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}
