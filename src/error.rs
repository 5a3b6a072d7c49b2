//! The one exit-code table, and how an error finds its exit code.
//!
//! Owns: [`ExitCode`] (every code filka exits with, documented once and shown in
//! `filka --help` and the man page), the [`Coded`] wrapper commands use to attach a code to an
//! error, and [`exit_code_for`], which `main` calls to turn an error chain into a code.
//!
//! Must not: print anything, or know about clap. Library layers keep their own typed errors
//! (thiserror); [`classify`] is the single place where those types are mapped to codes.

use std::fmt;

/// Declares [`ExitCode`] from one list so the doc comment of each variant, its number, its
/// name and the text in `filka --help` cannot drift apart.
macro_rules! exit_codes {
    ($( $name:ident = $code:literal, $desc:literal; )*) => {
        /// Every exit code of `filka`, with what it means. Scripts branch on these numbers,
        /// so a number never changes meaning once released.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ExitCode {
            $(
                #[doc = $desc]
                $name = $code,
            )*
        }

        impl ExitCode {
            /// All codes, in numeric order.
            pub const ALL: &[ExitCode] = &[$(ExitCode::$name),*];

            /// The variant's name, as written in the help table (e.g. `NotFound`).
            pub fn name(self) -> &'static str {
                match self {
                    $(ExitCode::$name => stringify!($name),)*
                }
            }

            /// One line saying when filka exits with this code.
            pub fn description(self) -> &'static str {
                match self {
                    $(ExitCode::$name => $desc,)*
                }
            }
        }
    };
}

exit_codes! {
    Success = 0, "The command did what was asked.";
    Failure = 1, "A runtime failure not listed below (I/O, locks, ...).";
    Usage = 2, "Bad arguments or flags (clap's own code too).";
    Corrupt = 3, "Corrupt or missing replica data, or a symlink.";
    NotFound = 4, "A topic, partition, group or file does not exist.";
    InvalidInput = 5, "A malformed input record; all before it were written.";
    NotEnoughReplicas = 6, "acks=all refused: ISR smaller than min.insync.replicas.";
    Offline = 7, "The partition has no leader.";
    Timeout = 8, "Nothing arrived within the timeout.";
    Fenced = 9, "Producer fenced, or stale consumer-group generation.";
    CommandFailed = 10, "A child command failed (filka pipe).";
    Remote = 11, "A remote Kafka cluster returned an error.";
    Incompatible = 12, "A schema breaks its subject's compatibility mode.";
    NotAcknowledged = 13, "acks=all: on the leader, not acknowledged by the ISR.";
    NoQuorum = 14, "Metadata change refused: no controller quorum.";
    InProgress = 15, "A reassignment is started but cannot complete now.";
}

impl ExitCode {
    /// The process exit status.
    pub fn code(self) -> i32 {
        self as i32
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        // Every code is in 0..=255 (checked by a test), so the cast cannot truncate.
        std::process::ExitCode::from(code as u8)
    }
}

impl fmt::Display for ExitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.name())
    }
}

/// The exit-code table as shown after `filka --help` and in the EXIT CODES section of
/// `filka(1)`.
pub fn exit_codes_help() -> String {
    let width = ExitCode::ALL
        .iter()
        .map(|c| c.name().len())
        .max()
        .unwrap_or(0);
    let mut text = String::from("Exit codes:\n");
    for code in ExitCode::ALL {
        text.push_str(&format!(
            "  {:>2}  {:<width$}  {}\n",
            code.code(),
            code.name(),
            code.description()
        ));
    }
    text.push_str("  A broken pipe on stdout (`filka consume ... | head`) exits 0.");
    text
}

/// An error carrying the exit code a command chose for it.
///
/// `Display` is the wrapped error's own message and `source()` continues with the wrapped
/// error's causes, so wrapping adds no text to the line `main` prints.
#[derive(Debug)]
pub struct Coded {
    /// The code to exit with.
    pub code: ExitCode,
    /// The wrapped error.
    pub source: anyhow::Error,
}

impl fmt::Display for Coded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.source, f)
    }
}

impl std::error::Error for Coded {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // Skip the wrapped error itself: Display already showed its message.
        self.source.chain().nth(1)
    }
}

/// Attaches `code` to `err`: `return Err(coded(ExitCode::NotFound, anyhow!("no topic {t}")))`.
pub fn coded(code: ExitCode, err: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(Coded {
        code,
        source: err.into(),
    })
}

/// `result.exit_code(ExitCode::NotFound)?`: [`coded`] as a method on results.
pub trait ResultExt<T> {
    /// Attaches `code` to the error, if any.
    fn exit_code(self, code: ExitCode) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> ResultExt<T> for Result<T, E> {
    fn exit_code(self, code: ExitCode) -> anyhow::Result<T> {
        self.map_err(|e| coded(code, e))
    }
}

/// The exit code for an error: the first [`Coded`] in the chain wins; otherwise the first
/// error [`classify`] recognises; otherwise [`ExitCode::Failure`].
pub fn exit_code_for(err: &anyhow::Error) -> ExitCode {
    if let Some(c) = err.chain().find_map(|e| e.downcast_ref::<Coded>()) {
        return c.code;
    }
    err.chain().find_map(classify).unwrap_or(ExitCode::Failure)
}

/// The exit code implied by a library error type, if it implies one.
///
/// This is the one place where typed errors of the library layers are mapped to exit codes:
/// add an arm here when a layer gains an error scripts should branch on (for example a
/// `log::` corruption error -> [`ExitCode::Corrupt`], a `cluster::` "not enough replicas"
/// error -> [`ExitCode::NotEnoughReplicas`], an unknown topic -> [`ExitCode::NotFound`]).
/// Prefer this over [`coded`] when the error type alone decides the code.
pub fn classify(err: &(dyn std::error::Error + 'static)) -> Option<ExitCode> {
    if err.is::<crate::record::CorruptBatch>() {
        return Some(ExitCode::Corrupt);
    }
    if let Some(e) = err.downcast_ref::<crate::cluster::ClusterError>() {
        use crate::cluster::ClusterError as C;
        return match e {
            C::NotFound(_) | C::UnknownTopic(_) | C::UnknownPartition { .. } => {
                Some(ExitCode::NotFound)
            }
            C::BadName(_)
            | C::BadConfig(_)
            | C::Invalid(_)
            | C::InternalTopic(_)
            | C::TopicCollision { .. }
            | C::InsideCluster { .. } => Some(ExitCode::Usage),
            C::NotEnoughReplicas { .. } => Some(ExitCode::NotEnoughReplicas),
            // Not 6: the batch was written and may be visible, so a script that retries
            // on 6 (nothing was written) must not retry this blindly.
            C::NotEnoughReplicasAfterAppend { .. } | C::AckTimeout { .. } => {
                Some(ExitCode::NotAcknowledged)
            }
            C::NoReplica { .. } => Some(ExitCode::NotFound),
            C::KeylessOnCompacted(_) => Some(ExitCode::InvalidInput),
            // Runtime conditions, not bad arguments: exit 1.
            C::BrokerState { .. }
            | C::ControllerState { .. }
            | C::NothingToDamage { .. }
            | C::TransactionState(_) => Some(ExitCode::Failure),
            C::Offline { .. } => Some(ExitCode::Offline),
            C::NoQuorum { .. } => Some(ExitCode::NoQuorum),
            C::ProducerFenced(_) => Some(ExitCode::Fenced),
            C::BadSnapshot { .. } => Some(ExitCode::Corrupt),
            // A damaged replica that no failover could take the place of.
            C::ReplicaDamaged { .. } | C::ReplicaFailedRetry { .. } => Some(ExitCode::Corrupt),
            // Transparent wrappers: their inner error is not in the chain on its own.
            C::Log(inner) => classify(inner),
            C::Replica { source, .. } | C::AfterCommit { source, .. } => classify(source.as_ref()),
            _ => None,
        };
    }
    if let Some(e) = err.downcast_ref::<crate::txn::coordinator::TxnError>() {
        use crate::txn::coordinator::TxnError as T;
        return match e {
            T::Fenced { .. } => Some(ExitCode::Fenced),
            T::Invalid(_) => Some(ExitCode::Usage),
            T::Concurrent(_) => Some(ExitCode::Failure),
            T::Cluster(inner) => classify(inner),
            T::Lock(_) => None,
        };
    }
    if let Some(crate::log::LogError::Producer(e)) = err.downcast_ref::<crate::log::LogError>() {
        use crate::log::ProducerStateError as P;
        // A stale epoch means another holder of the producer's identity took over.
        if matches!(
            e,
            P::InvalidProducerEpoch { .. } | P::ProducerFenced { .. } | P::StaleMarkerEpoch { .. }
        ) {
            return Some(ExitCode::Fenced);
        }
    }
    if let Some(e) = err.downcast_ref::<crate::log::LogError>() {
        if e.is_corruption() {
            return Some(ExitCode::Corrupt);
        }
        if let crate::log::LogError::OffsetOutOfRange { .. } = e {
            return Some(ExitCode::NotFound);
        }
    }
    if let Some(e) = err.downcast_ref::<crate::format::registry::RegistryError>() {
        use crate::format::registry::RegistryError as R;
        return match e {
            R::Incompatible { .. } => Some(ExitCode::Incompatible),
            R::UnknownSubject(_) | R::UnknownVersion { .. } | R::UnknownId(_) => {
                Some(ExitCode::NotFound)
            }
            R::Damaged { .. } | R::Unparsable { .. } => Some(ExitCode::Corrupt),
            R::Io { .. } => None,
        };
    }
    if let Some(io) = err.downcast_ref::<std::io::Error>() {
        return match io.kind() {
            std::io::ErrorKind::NotFound => Some(ExitCode::NotFound),
            _ => None,
        };
    }
    None
}

/// Whether the error is (or was caused by) a broken pipe: the reader of our stdout went away,
/// as in `filka consume | head`. That is how such a pipeline ends, not a failure.
///
/// An error carrying a [`Coded`] is never a silent broken pipe: the command chose its code
/// (e.g. `filka pipe` whose child closed its stdin early exits with
/// [`ExitCode::CommandFailed`]).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let mut broken = false;
    for e in err.chain() {
        if e.is::<Coded>() {
            return false;
        }
        broken |= e
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe);
    }
    broken
}

/// The error chain as one message, `what: cause: cause`.
///
/// A cause whose text the previous message already contains is skipped: typed errors include
/// their cause in `Display` (a convention of this crate), which would otherwise print twice.
pub fn error_chain_message(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in err.chain() {
        let msg = e.to_string();
        if msg.is_empty() || parts.last().is_some_and(|prev| prev.contains(&msg)) {
            continue;
        }
        parts.push(msg);
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{CorruptBatch, Corruption};
    use anyhow::anyhow;
    use std::io;

    fn corrupt() -> CorruptBatch {
        CorruptBatch {
            position: 61,
            base_offset: 0,
            kind: Corruption::BadMagic(7),
        }
    }

    #[test]
    fn codes_are_the_documented_numbers() {
        let expected = [
            (ExitCode::Success, 0),
            (ExitCode::Failure, 1),
            (ExitCode::Usage, 2),
            (ExitCode::Corrupt, 3),
            (ExitCode::NotFound, 4),
            (ExitCode::InvalidInput, 5),
            (ExitCode::NotEnoughReplicas, 6),
            (ExitCode::Offline, 7),
            (ExitCode::Timeout, 8),
            (ExitCode::Fenced, 9),
            (ExitCode::CommandFailed, 10),
            (ExitCode::Remote, 11),
            (ExitCode::Incompatible, 12),
            (ExitCode::NotAcknowledged, 13),
            (ExitCode::NoQuorum, 14),
            (ExitCode::InProgress, 15),
        ];
        assert_eq!(ExitCode::ALL.len(), expected.len());
        for (code, n) in expected {
            assert_eq!(code.code(), n, "{code:?}");
        }
        for (i, code) in ExitCode::ALL.iter().enumerate() {
            assert_eq!(
                code.code(),
                i as i32,
                "ALL is in numeric order, without gaps"
            );
            assert!((0..=255).contains(&code.code()));
        }
    }

    #[test]
    fn help_lists_every_code() {
        let help = exit_codes_help();
        assert!(help.starts_with("Exit codes:\n"));
        for code in ExitCode::ALL {
            let line = help
                .lines()
                .find(|l| l.contains(code.name()))
                .unwrap_or_else(|| panic!("{} missing from {help}", code.name()));
            assert!(
                line.trim_start().starts_with(&code.code().to_string()),
                "{line}"
            );
            assert!(line.contains(code.description()), "{line}");
        }
        assert!(
            help.contains(" 6  NotEnoughReplicas  acks=all refused"),
            "{help}"
        );
        // clap wraps help at the terminal width; 80 columns must not wrap the table.
        for line in help.lines() {
            assert!(
                line.chars().count() <= 80,
                "too long for 80 columns: {line}"
            );
        }
    }

    #[test]
    fn plain_errors_are_failures() {
        assert_eq!(exit_code_for(&anyhow!("boom")), ExitCode::Failure);
        let io = io::Error::new(io::ErrorKind::PermissionDenied, "denied");
        assert_eq!(exit_code_for(&anyhow::Error::new(io)), ExitCode::Failure);
    }

    #[test]
    fn coded_wins_wherever_it_is_in_the_chain() {
        let err = coded(ExitCode::Timeout, anyhow!("no record within 5s"));
        assert_eq!(exit_code_for(&err), ExitCode::Timeout);
        let err = err.context("consuming demo");
        assert_eq!(exit_code_for(&err), ExitCode::Timeout);
        // The first Coded wins, even over a classifiable cause below it.
        let inner = anyhow::Error::new(io::Error::from(io::ErrorKind::NotFound));
        let err = coded(ExitCode::Offline, inner).context("producing");
        assert_eq!(exit_code_for(&err), ExitCode::Offline);
    }

    #[test]
    fn result_ext_attaches_a_code() {
        let r: Result<(), io::Error> = Err(io::Error::other("x"));
        let err = r.exit_code(ExitCode::Fenced).unwrap_err();
        assert_eq!(exit_code_for(&err), ExitCode::Fenced);
    }

    #[test]
    fn classify_maps_library_errors() {
        let err = anyhow::Error::new(corrupt()).context("dumping 00000000000000000000.log");
        assert_eq!(exit_code_for(&err), ExitCode::Corrupt);
        let err = anyhow::Error::new(io::Error::from(io::ErrorKind::NotFound))
            .context("opening cluster.json");
        assert_eq!(exit_code_for(&err), ExitCode::NotFound);
        assert_eq!(classify(&io::Error::other("x")), None);
        assert_eq!(classify(&corrupt()), Some(ExitCode::Corrupt));
    }

    /// Regression: runtime conditions of the cluster exited 2 (Usage).
    #[test]
    fn runtime_cluster_errors_are_not_usage_errors() {
        use crate::cluster::ClusterError as C;
        let cases = [
            (
                C::AckTimeout {
                    topic: "t".into(),
                    partition: 0,
                    waited_ms: 10_000,
                },
                ExitCode::NotAcknowledged,
            ),
            (
                C::BrokerState {
                    broker: 101,
                    state: "down",
                },
                ExitCode::Failure,
            ),
            (
                C::NoReplica {
                    broker: 101,
                    topic: "t".into(),
                    partition: 0,
                    replicas: vec![102],
                },
                ExitCode::NotFound,
            ),
            // Nemesis finding: a pipe exited 2 on a transaction whose end was decided and
            // not completed (Kafka's CONCURRENT_TRANSACTIONS).
            (
                C::from(crate::txn::coordinator::TxnError::Concurrent("x".into())),
                ExitCode::Failure,
            ),
            (
                C::Replica {
                    topic: "t".into(),
                    partition: 0,
                    broker: 102,
                    source: Box::new(C::Offline {
                        topic: "t".into(),
                        partition: 0,
                    }),
                },
                ExitCode::Offline,
            ),
            (
                C::NoQuorum {
                    live: vec![101],
                    voters: vec![101, 102, 103],
                },
                ExitCode::NoQuorum,
            ),
        ];
        for (err, code) in cases {
            let text = err.to_string();
            assert_eq!(exit_code_for(&anyhow::Error::new(err)), code, "{text}");
        }
    }

    #[test]
    fn broken_pipe_is_found_unless_coded() {
        let pipe = || io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&anyhow::Error::new(pipe())));
        assert!(is_broken_pipe(
            &anyhow::Error::new(pipe()).context("writing")
        ));
        // A code the command attached wins over the silent exit.
        let err = coded(ExitCode::CommandFailed, pipe()).context("feeding the child");
        assert!(!is_broken_pipe(&err));
        assert_eq!(exit_code_for(&err), ExitCode::CommandFailed);
        assert!(!is_broken_pipe(&anyhow!("boom")));
    }

    #[test]
    fn chain_message_joins_and_dedups() {
        let err = anyhow::Error::new(io::Error::other("disk full"))
            .context("appending to demo-0")
            .context("produce");
        assert_eq!(
            error_chain_message(&err),
            "produce: appending to demo-0: disk full"
        );

        // Coded adds no text of its own.
        let err =
            coded(ExitCode::NotFound, anyhow!("topic demo does not exist")).context("consume");
        assert_eq!(
            error_chain_message(&err),
            "consume: topic demo does not exist"
        );
        let inner = anyhow::Error::new(io::Error::other("gone")).context("reading x");
        let err = coded(ExitCode::NotFound, inner);
        assert_eq!(error_chain_message(&err), "reading x: gone");

        // A typed error whose Display already includes its cause.
        #[derive(Debug, thiserror::Error)]
        #[error("opening segment 5.log: {source}")]
        struct Opening {
            source: io::Error,
        }
        let err = anyhow::Error::new(Opening {
            source: io::Error::other("permission denied"),
        })
        .context("dump");
        assert_eq!(
            error_chain_message(&err),
            "dump: opening segment 5.log: permission denied"
        );
    }
}
