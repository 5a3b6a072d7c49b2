//! kcat-style output templates for `consume --format`: `%k=%v\n` and friends, compiled once
//! into a list of parts and rendered per record without allocating.
//!
//! | token      | writes                                                              |
//! |------------|---------------------------------------------------------------------|
//! | `%t`       | topic                                                               |
//! | `%p`       | partition                                                           |
//! | `%o`       | offset                                                              |
//! | `%k`       | key bytes as they are (nothing for a null key)                      |
//! | `%v`, `%s` | value bytes as they are (nothing for a null value)                  |
//! | `%h`       | headers as `k1=v1,k2=v2` (a null header value writes `k=`)          |
//! | `%T`       | timestamp, ms since the epoch                                       |
//! | `%d`       | timestamp as RFC 3339 in UTC, milliseconds (`2024-05-01T12:00:00.000Z`) |
//! | `%K`       | key size in bytes, -1 for null                                      |
//! | `%V`, `%S` | value size in bytes, -1 for null                                    |
//! | `%%`       | a literal `%`                                                       |
//!
//! Escapes in the literal text: `\n`, `\t`, `\r`, `\0`, `\\` and `\xHH` (one byte). `%s`
//! and `%S` are kcat's names for the value and its size.
//!
//! Owns: template parsing and rendering. Must not: know where records come from.

use std::io::{self, Write};
use std::str::FromStr;

/// The default template: each value on its own line.
pub const DEFAULT_TEMPLATE: &str = "%v\\n";

/// One piece of a compiled template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Bytes `start..end` of [`Template::literals`].
    Literal(u32, u32),
    /// A one-byte literal such as `\n`, written without a `memcpy` call.
    Byte(u8),
    Topic,
    Partition,
    Offset,
    Key,
    Value,
    Headers,
    Timestamp,
    Date,
    KeySize,
    ValueSize,
}

/// A compiled `--format` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
    literals: Vec<u8>,
}

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid template {template:?}: {reason}")]
pub struct TemplateError {
    /// The template as given.
    pub template: String,
    /// What is wrong and what is accepted.
    pub reason: String,
}

/// The record fields a template can show.
#[derive(Debug, Clone, Copy)]
pub struct TemplateRecord<'a, H> {
    /// Topic.
    pub topic: &'a str,
    /// Partition.
    pub partition: u32,
    /// Offset.
    pub offset: i64,
    /// Timestamp in ms.
    pub timestamp: i64,
    /// Key (`None`: null).
    pub key: Option<&'a [u8]>,
    /// Value (`None`: null).
    pub value: Option<&'a [u8]>,
    /// The headers, iterated only when the template shows them.
    pub headers: H,
    /// `%K`/`%V`: the stored key and value sizes (-1 for null), which differ from the
    /// shown bytes' when a key or value format decodes them.
    pub sizes: Option<(i64, i64)>,
}

const TOKENS: &str = "%t %p %o %k %v %h %T %d %K %V %%";

impl FromStr for Template {
    type Err = TemplateError;

    fn from_str(template: &str) -> Result<Self, Self::Err> {
        Template::parse(template)
    }
}

impl Default for Template {
    fn default() -> Self {
        Template {
            parts: vec![Part::Value, Part::Byte(b'\n')],
            literals: b"\n".to_vec(),
        }
    }
}

impl Template {
    /// Compiles `template`.
    pub fn parse(template: &str) -> Result<Template, TemplateError> {
        let fail = |reason: String| TemplateError {
            template: template.to_string(),
            reason,
        };
        let mut t = Template {
            parts: Vec::new(),
            literals: Vec::new(),
        };
        let mut lit_start = 0usize;
        let b = template.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'%' => {
                    let Some(&c) = b.get(i + 1) else {
                        return Err(fail(format!(
                            "a lone % at the end (write %% for a literal %; tokens: {TOKENS})"
                        )));
                    };
                    let part = match c {
                        b'%' => None,
                        b't' => Some(Part::Topic),
                        b'p' => Some(Part::Partition),
                        b'o' => Some(Part::Offset),
                        b'k' => Some(Part::Key),
                        b'v' | b's' => Some(Part::Value),
                        b'h' => Some(Part::Headers),
                        b'T' => Some(Part::Timestamp),
                        b'd' => Some(Part::Date),
                        b'K' => Some(Part::KeySize),
                        b'V' | b'S' => Some(Part::ValueSize),
                        _ => {
                            let tok: String = template[i..].chars().take(2).collect();
                            return Err(fail(format!(
                                "unknown token {tok} at byte {i} (tokens: {TOKENS})"
                            )));
                        }
                    };
                    match part {
                        None => t.literals.push(b'%'),
                        Some(p) => {
                            t.close_literal(lit_start);
                            t.parts.push(p);
                            lit_start = t.literals.len();
                        }
                    }
                    i += 2;
                }
                b'\\' => {
                    let (byte, len) = match b.get(i + 1) {
                        Some(b'n') => (b'\n', 2),
                        Some(b't') => (b'\t', 2),
                        Some(b'r') => (b'\r', 2),
                        Some(b'0') => (0, 2),
                        Some(b'\\') => (b'\\', 2),
                        Some(b'x') => {
                            let hex = b
                                .get(i + 2..i + 4)
                                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                                .and_then(|h| std::str::from_utf8(h).ok())
                                .and_then(|h| u8::from_str_radix(h, 16).ok());
                            match hex {
                                Some(v) => (v, 4),
                                None => {
                                    return Err(fail(format!(
                                        "\\x at byte {i} needs two hex digits (e.g. \\x1f)"
                                    )));
                                }
                            }
                        }
                        _ => {
                            let esc: String = template[i..].chars().take(2).collect();
                            return Err(fail(format!(
                                "unknown escape {esc} at byte {i} (escapes: \\n \\t \\r \\0 \
                                 \\\\ \\xHH)"
                            )));
                        }
                    };
                    t.literals.push(byte);
                    i += len;
                }
                c => {
                    t.literals.push(c);
                    i += 1;
                }
            }
        }
        t.close_literal(lit_start);
        if t.literals.len() > u32::MAX as usize {
            return Err(fail("too long".into()));
        }
        Ok(t)
    }

    /// Ends the literal run that started at `start`, if it is not empty.
    fn close_literal(&mut self, start: usize) {
        let end = self.literals.len();
        match self.literals.get(start..end) {
            Some(&[b]) => self.parts.push(Part::Byte(b)),
            Some([_, ..]) => self.parts.push(Part::Literal(start as u32, end as u32)),
            _ => {}
        }
    }

    /// Whether the template shows headers (so callers can skip iterating them).
    pub fn uses_headers(&self) -> bool {
        self.parts.contains(&Part::Headers)
    }

    /// Writes one record. Nothing is allocated.
    #[inline]
    pub fn render<'h, W, H>(&self, out: &mut W, r: &TemplateRecord<'_, H>) -> io::Result<()>
    where
        W: Write + ?Sized,
        H: Iterator<Item = (&'h [u8], Option<&'h [u8]>)> + Clone,
    {
        // The default template (`%v\n`) and its kin (`%v\0`, ...): the hot path of `consume`,
        // inlined into the caller, without the general loop's per-record setup.
        if let [Part::Value, Part::Byte(b)] = self.parts[..] {
            out.write_all(r.value.unwrap_or_default())?;
            return out.write_all(&[b]);
        }
        self.render_parts(out, r)
    }

    /// [`Template::render`] for any template.
    fn render_parts<'h, W, H>(&self, out: &mut W, r: &TemplateRecord<'_, H>) -> io::Result<()>
    where
        W: Write + ?Sized,
        H: Iterator<Item = (&'h [u8], Option<&'h [u8]>)> + Clone,
    {
        for part in &self.parts {
            match *part {
                Part::Literal(s, e) => out.write_all(&self.literals[s as usize..e as usize])?,
                Part::Byte(b) => out.write_all(&[b])?,
                Part::Topic => out.write_all(r.topic.as_bytes())?,
                Part::Partition => write_int(out, i64::from(r.partition))?,
                Part::Offset => write_int(out, r.offset)?,
                Part::Key => out.write_all(r.key.unwrap_or_default())?,
                Part::Value => out.write_all(r.value.unwrap_or_default())?,
                Part::Headers => {
                    for (i, (k, v)) in r.headers.clone().enumerate() {
                        if i > 0 {
                            out.write_all(b",")?;
                        }
                        out.write_all(k)?;
                        out.write_all(b"=")?;
                        out.write_all(v.unwrap_or_default())?;
                    }
                }
                Part::Timestamp => write_int(out, r.timestamp)?,
                Part::Date => write_rfc3339_ms(out, r.timestamp)?,
                Part::KeySize => write_int(
                    out,
                    r.sizes
                        .map_or_else(|| r.key.map_or(-1, |k| k.len() as i64), |s| s.0),
                )?,
                Part::ValueSize => write_int(
                    out,
                    r.sizes
                        .map_or_else(|| r.value.map_or(-1, |v| v.len() as i64), |s| s.1),
                )?,
            }
        }
        Ok(())
    }
}

/// Writes `n` in decimal without going through `fmt` (the hot path of `%o`, `%p`, `%T`).
fn write_int<W: Write + ?Sized>(out: &mut W, n: i64) -> io::Result<()> {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut u = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if n < 0 {
        out.write_all(b"-")?;
    }
    out.write_all(&buf[i..])
}

/// Writes `n` zero-padded to `width` digits (`n` is never negative here).
fn write_padded<W: Write + ?Sized>(out: &mut W, n: i64, width: usize) -> io::Result<()> {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    let mut u = n.unsigned_abs();
    while u > 0 && i > 0 {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
    }
    let start = i.min(buf.len() - width.min(buf.len()));
    out.write_all(&buf[start..])
}

/// Writes `ms` as `YYYY-MM-DDTHH:MM:SS.mmmZ`; a timestamp outside the years jiff handles
/// (±9999) is written as its number.
///
/// Never inlined: inlined into [`Template::render`], the compiler hoisted the (pure) date
/// arithmetic out of the per-part loop and ran it for every record, `%d` or not.
#[inline(never)]
fn write_rfc3339_ms<W: Write + ?Sized>(out: &mut W, ms: i64) -> io::Result<()> {
    let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
        return write_int(out, ms);
    };
    let dt = jiff::tz::Offset::UTC.to_datetime(ts);
    let year = i64::from(dt.year());
    if year < 0 {
        out.write_all(b"-")?;
    }
    write_padded(out, year.abs(), 4)?;
    out.write_all(b"-")?;
    write_padded(out, i64::from(dt.month()), 2)?;
    out.write_all(b"-")?;
    write_padded(out, i64::from(dt.day()), 2)?;
    out.write_all(b"T")?;
    write_padded(out, i64::from(dt.hour()), 2)?;
    out.write_all(b":")?;
    write_padded(out, i64::from(dt.minute()), 2)?;
    out.write_all(b":")?;
    write_padded(out, i64::from(dt.second()), 2)?;
    out.write_all(b".")?;
    write_padded(out, i64::from(dt.millisecond()), 3)?;
    out.write_all(b"Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    type H<'a> = std::iter::Copied<std::slice::Iter<'a, (&'a [u8], Option<&'a [u8]>)>>;

    fn rec<'a>(
        key: Option<&'a [u8]>,
        value: Option<&'a [u8]>,
        headers: &'a [(&'a [u8], Option<&'a [u8]>)],
    ) -> TemplateRecord<'a, H<'a>> {
        TemplateRecord {
            topic: "demo",
            partition: 2,
            offset: 42,
            timestamp: 1_714_564_800_123,
            key,
            value,
            headers: headers.iter().copied(),
            sizes: None,
        }
    }

    fn render(t: &str, r: &TemplateRecord<'_, H<'_>>) -> Vec<u8> {
        let t = Template::parse(t).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        t.render(&mut out, r).unwrap();
        out
    }

    #[test]
    fn default_is_value_newline() {
        assert_eq!(
            Template::parse(DEFAULT_TEMPLATE).unwrap(),
            Template::default()
        );
        let r = rec(Some(b"k"), Some(b"hello"), &[]);
        assert_eq!(render(DEFAULT_TEMPLATE, &r), b"hello\n");
    }

    #[test]
    fn every_token() {
        let h: &[(&[u8], Option<&[u8]>)] = &[(b"a", Some(b"1")), (b"b", None), (b"c", Some(b""))];
        let r = rec(Some(b"key"), Some(b"value"), h);
        assert_eq!(
            render("%t|%p|%o|%k|%v|%s|%h|%T|%d|%K|%V|%S|%%|100%%", &r),
            b"demo|2|42|key|value|value|a=1,b=,c=|1714564800123|2024-05-01T12:00:00.123Z|3|5|5|%|100%"
        );
    }

    #[test]
    fn nulls_print_empty_and_size_minus_one() {
        let r = rec(None, None, &[]);
        assert_eq!(render("[%k][%v][%K][%V][%h]", &r), b"[][][-1][-1][]");
        let r = rec(Some(b""), Some(b""), &[]);
        assert_eq!(render("[%k][%v][%K][%V]", &r), b"[][][0][0]");
    }

    #[test]
    fn binary_is_written_as_is() {
        let bin: Vec<u8> = (0..=255).collect();
        let r = rec(Some(&[0xff, 0, b'\n']), Some(&bin), &[]);
        let mut want = vec![0xff, 0, b'\n', b'\t'];
        want.extend_from_slice(&bin);
        assert_eq!(render("%k\\t%v", &r), want);
    }

    #[test]
    fn escapes() {
        let r = rec(None, Some(b"v"), &[]);
        assert_eq!(
            render("a\\nb\\tc\\rd\\0e\\\\f\\x1fg", &r),
            b"a\nb\tc\rd\0e\\f\x1fg"
        );
        assert_eq!(render("\\x41%v\\xfF", &r), b"Av\xff");
        // Literal text around tokens, unicode kept.
        assert_eq!(render("→ %v ←", &r), "→ v ←".as_bytes());
        assert_eq!(render("", &r), b"");
    }

    #[test]
    fn numbers() {
        let mut r = rec(None, None, &[]);
        for (n, s) in [
            (0, "0"),
            (-1, "-1"),
            (9, "9"),
            (10, "10"),
            (i64::MAX, "9223372036854775807"),
            (i64::MIN, "-9223372036854775808"),
        ] {
            r.offset = n;
            assert_eq!(render("%o", &r), s.as_bytes());
        }
    }

    #[test]
    fn dates() {
        let mut r = rec(None, None, &[]);
        for (ms, s) in [
            (0, "1970-01-01T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (1_714_564_800_005, "2024-05-01T12:00:00.005Z"),
            (253_402_200_000_000, "9999-12-30T20:00:00.000Z"),
            (i64::MAX, "9223372036854775807"),
            (i64::MIN, "-9223372036854775808"),
        ] {
            r.timestamp = ms;
            assert_eq!(String::from_utf8(render("%d", &r)).unwrap(), s, "{ms}");
        }
    }

    #[test]
    fn headers_only_when_asked() {
        assert!(Template::parse("%h").unwrap().uses_headers());
        assert!(!Template::parse("%k %v").unwrap().uses_headers());
    }

    #[test]
    fn bad_templates_are_refused_clearly() {
        for (t, want) in [
            ("%", "lone %"),
            ("abc%", "lone %"),
            ("%x", "unknown token %x at byte 0"),
            ("ab%é", "unknown token %é at byte 2"),
            ("\\q", "unknown escape \\q"),
            ("\\", "unknown escape \\"),
            ("\\x", "two hex digits"),
            ("\\x1", "two hex digits"),
            ("\\xzz", "two hex digits"),
            ("\\x+1", "two hex digits"),
            ("\\xé", "two hex digits"),
        ] {
            let e = Template::parse(t).unwrap_err().to_string();
            assert!(e.contains(want), "{t:?}: {e}");
        }
    }
}
