//! `consume -o/--offset SPEC`: where reading starts, written the way kcat users write it.
//!
//! | SPEC                        | meaning                                                  |
//! |-----------------------------|----------------------------------------------------------|
//! | `beginning` (`earliest`)    | the log start offset of each partition (the default)     |
//! | `end` (`latest`)            | the high watermark: only records produced from now on    |
//! | `N`                         | offset N of each partition (clamped into the log)        |
//! | `-N`                        | the last N records of each partition                     |
//! | `@2024-05-01T12:00:00Z`     | the first record at or after that time (RFC 3339)        |
//! | `@2024-05-01T12:00:00`      | the same, a datetime without offset being UTC            |
//! | `@2024-05-01`               | midnight UTC of that day                                 |
//! | `@1714564800000`            | milliseconds since the Unix epoch                        |
//! | `@-1h`, `@-90s`, `@-PT1H30M`| that long before now (jiff's friendly or ISO 8601 spans) |
//!
//! Owns: parsing a SPEC into an [`OffsetSpec`], and turning one into the consumer's
//! [`StartOffset`] at a given "now". Must not: open a cluster or read logs.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::{Span, Timestamp};

use crate::client::consumer::StartOffset;

/// A parsed `-o/--offset` value. Relative times stay relative until [`OffsetSpec::resolve`].
#[derive(Debug, Clone, Copy)]
pub enum OffsetSpec {
    /// `beginning`: the log start offset.
    Beginning,
    /// `end`: the high watermark.
    End,
    /// `N`: an absolute offset.
    Offset(i64),
    /// `-N`: the last N records of each partition.
    Last(u64),
    /// `@TIME`: the first record at or after this many ms since the epoch.
    Timestamp(i64),
    /// `@-DURATION`: the first record at or after now minus this span.
    Ago(Span),
}

/// Why a SPEC was refused; the message says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid offset {spec:?}: {reason}")]
pub struct OffsetSpecError {
    /// The SPEC as given.
    pub spec: String,
    /// What is wrong and what to write instead.
    pub reason: String,
}

/// The forms, for error messages.
const ACCEPTED: &str = "use beginning, end, N (an offset), -N (the last N), @TIME \
                       (e.g. @2024-05-01T12:00:00Z or epoch ms) or @-DURATION (e.g. @-1h)";

fn err(spec: &str, reason: impl Into<String>) -> OffsetSpecError {
    OffsetSpecError {
        spec: spec.to_string(),
        reason: reason.into(),
    }
}

/// Parses `@TIME` (without the `@`) into ms since the epoch.
fn parse_time(spec: &str, t: &str) -> Result<i64, OffsetSpecError> {
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<i64>()
            .map_err(|_| err(spec, "epoch milliseconds out of range"));
    }
    let ts = if let Ok(ts) = Timestamp::from_str(t) {
        ts
    } else if let Ok(dt) = DateTime::from_str(t) {
        // A datetime without an offset means UTC (documented; scripts should not depend on
        // the machine's zone).
        Offset::UTC
            .to_timestamp(dt)
            .map_err(|e| err(spec, e.to_string()))?
    } else if let Ok(d) = Date::from_str(t) {
        Offset::UTC
            .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .map_err(|e| err(spec, e.to_string()))?
    } else {
        return Err(err(
            spec,
            "expected an RFC 3339 time such as @2024-05-01T12:00:00Z, a date such as \
             @2024-05-01, epoch milliseconds, or @-DURATION such as @-1h",
        ));
    };
    Ok(ts.as_millisecond())
}

/// Parses `-DURATION` (without the `@-`) into a positive span.
fn parse_ago(spec: &str, d: &str) -> Result<Span, OffsetSpecError> {
    let span = Span::from_str(d).map_err(|_| {
        err(
            spec,
            "expected a duration after @-, such as @-90s, @-30m, @-1h, @-2d, @-1h30m or \
             @-PT1H30M",
        )
    })?;
    if span.is_negative() {
        return Err(err(
            spec,
            "the duration after @- is already \"ago\"; write it without a sign",
        ));
    }
    Ok(span)
}

impl FromStr for OffsetSpec {
    type Err = OffsetSpecError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let s = spec.trim();
        match s.to_ascii_lowercase().as_str() {
            "beginning" | "earliest" | "start" => return Ok(OffsetSpec::Beginning),
            "end" | "latest" => return Ok(OffsetSpec::End),
            "" => return Err(err(spec, ACCEPTED)),
            _ => {}
        }
        if let Some(t) = s.strip_prefix('@') {
            return match t.strip_prefix('-') {
                Some(d) => parse_ago(spec, d).map(OffsetSpec::Ago),
                None => parse_time(spec, t).map(OffsetSpec::Timestamp),
            };
        }
        if let Some(n) = s.strip_prefix('-') {
            if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
                return n
                    .parse::<u64>()
                    .map(OffsetSpec::Last)
                    .map_err(|_| err(spec, "count out of range"));
            }
            return Err(err(spec, ACCEPTED));
        }
        let digits = s.strip_prefix('+').unwrap_or(s);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return digits
                .parse::<i64>()
                .map(OffsetSpec::Offset)
                .map_err(|_| err(spec, "offset out of range"));
        }
        Err(err(spec, ACCEPTED))
    }
}

impl PartialEq for OffsetSpec {
    fn eq(&self, other: &Self) -> bool {
        use OffsetSpec as O;
        match (self, other) {
            (O::Beginning, O::Beginning) | (O::End, O::End) => true,
            (O::Offset(a), O::Offset(b)) | (O::Timestamp(a), O::Timestamp(b)) => a == b,
            (O::Last(a), O::Last(b)) => a == b,
            // Spans compare field by field: 60m is not the same spelling as 1h.
            (O::Ago(a), O::Ago(b)) => a.fieldwise() == b.fieldwise(),
            _ => false,
        }
    }
}

impl OffsetSpec {
    /// The consumer's start position, `@-DURATION` taken back from `now` (calendar units
    /// such as months are counted in UTC).
    pub fn resolve(self, now: Timestamp) -> Result<StartOffset, OffsetSpecError> {
        Ok(match self {
            OffsetSpec::Beginning => StartOffset::Beginning,
            OffsetSpec::End => StartOffset::End,
            OffsetSpec::Offset(n) => StartOffset::Offset(n),
            OffsetSpec::Last(n) => StartOffset::Last(n),
            OffsetSpec::Timestamp(ms) => StartOffset::Timestamp(ms),
            OffsetSpec::Ago(span) => {
                let then = now
                    .to_zoned_datetime(TimeZone::UTC)
                    .checked_sub(span)
                    .map_err(|e| err(&format!("@-{span:#}"), e.to_string()))?;
                StartOffset::Timestamp(then.timestamp().as_millisecond())
            }
        })
    }
}

impl fmt::Display for OffsetSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OffsetSpec::Beginning => f.write_str("beginning"),
            OffsetSpec::End => f.write_str("end"),
            OffsetSpec::Offset(n) => write!(f, "{n}"),
            OffsetSpec::Last(n) => write!(f, "-{n}"),
            OffsetSpec::Timestamp(ms) => write!(f, "@{ms}"),
            OffsetSpec::Ago(span) => write!(f, "@-{span:#}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> OffsetSpec {
        s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    const MAY_1_NOON: i64 = 1_714_564_800_000;

    #[test]
    fn keywords_offsets_and_last_n() {
        assert_eq!(p("beginning"), OffsetSpec::Beginning);
        assert_eq!(p("earliest"), OffsetSpec::Beginning);
        assert_eq!(p("END"), OffsetSpec::End);
        assert_eq!(p("latest"), OffsetSpec::End);
        assert_eq!(p("0"), OffsetSpec::Offset(0));
        assert_eq!(p("42"), OffsetSpec::Offset(42));
        assert_eq!(p("+42"), OffsetSpec::Offset(42));
        assert_eq!(p("-10"), OffsetSpec::Last(10));
        assert_eq!(p("-0"), OffsetSpec::Last(0));
    }

    #[test]
    fn absolute_times() {
        assert_eq!(
            p("@2024-05-01T12:00:00Z"),
            OffsetSpec::Timestamp(MAY_1_NOON)
        );
        assert_eq!(
            p("@2024-05-01T14:00:00+02:00"),
            OffsetSpec::Timestamp(MAY_1_NOON)
        );
        // No offset: UTC.
        assert_eq!(p("@2024-05-01T12:00:00"), OffsetSpec::Timestamp(MAY_1_NOON));
        assert_eq!(
            p("@2024-05-01T12:00:00.250Z"),
            OffsetSpec::Timestamp(MAY_1_NOON + 250)
        );
        assert_eq!(
            p("@2024-05-01"),
            OffsetSpec::Timestamp(MAY_1_NOON - 12 * 3_600_000)
        );
        assert_eq!(p("@1714564800000"), OffsetSpec::Timestamp(MAY_1_NOON));
        assert_eq!(p("@0"), OffsetSpec::Timestamp(0));
    }

    #[test]
    fn relative_times() {
        let now = Timestamp::from_millisecond(MAY_1_NOON).unwrap();
        let at = |s: &str| match p(s).resolve(now).unwrap() {
            StartOffset::Timestamp(ms) => MAY_1_NOON - ms,
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(at("@-1h"), 3_600_000);
        assert_eq!(at("@-30m"), 1_800_000);
        assert_eq!(at("@-90s"), 90_000);
        assert_eq!(at("@-2d"), 2 * 86_400_000);
        assert_eq!(at("@-1h30m"), 5_400_000);
        assert_eq!(at("@-PT1H30M"), 5_400_000);
        assert_eq!(at("@-P1D"), 86_400_000);
        assert_eq!(at("@-500ms"), 500);
        // April has 30 days.
        assert_eq!(at("@-1mo"), 30 * 86_400_000);
    }

    #[test]
    fn resolves_to_start_offsets() {
        let now = Timestamp::UNIX_EPOCH;
        for (s, want) in [
            ("beginning", StartOffset::Beginning),
            ("end", StartOffset::End),
            ("7", StartOffset::Offset(7)),
            ("-3", StartOffset::Last(3)),
            ("@5", StartOffset::Timestamp(5)),
        ] {
            assert_eq!(p(s).resolve(now).unwrap(), want, "{s}");
        }
    }

    #[test]
    fn bad_specs_say_what_is_accepted() {
        for (s, want) in [
            ("", "use beginning"),
            ("begin", "use beginning"),
            ("x", "use beginning"),
            ("-", "use beginning"),
            ("-x", "use beginning"),
            ("1.5", "use beginning"),
            ("99999999999999999999", "out of range"),
            ("-99999999999999999999", "out of range"),
            ("@", "RFC 3339"),
            ("@yesterday", "RFC 3339"),
            ("@2024-13-01T00:00:00Z", "RFC 3339"),
            ("@1h", "RFC 3339"),
            ("@-", "duration"),
            ("@-soon", "duration"),
            ("@-1h ago", "without a sign"),
            ("@99999999999999999999", "out of range"),
        ] {
            let e = s.parse::<OffsetSpec>().unwrap_err().to_string();
            assert!(e.contains(want), "{s:?}: {e}");
            assert!(e.contains(&format!("{s:?}")), "{s:?}: {e}");
        }
    }

    #[test]
    fn resolve_out_of_range_is_an_error_not_a_panic() {
        let now = Timestamp::MIN;
        assert!(p("@-1h").resolve(now).is_err());
        assert!(p("@-P7000000D").resolve(Timestamp::UNIX_EPOCH).is_err());
    }

    #[test]
    fn display_round_trips() {
        for s in ["beginning", "end", "5", "-5", "@1714564800000"] {
            assert_eq!(p(s).to_string(), s);
            assert_eq!(p(&p(s).to_string()), p(s));
        }
    }
}
