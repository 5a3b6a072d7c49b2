//! Reading records' raw input for `produce`: [`LineReader`] splits a byte stream into lines
//! in bounded memory, and the small parsers for what users type on the command line (the
//! `-K` separator with its escapes, `-H KEY=VALUE` headers).
//!
//! Owns: line splitting (`\n`, with a `\r` before it stripped), line numbers, the cap on a
//! line's length, and reporting whether a read came back short (no more input waiting right
//! now, so a producer should not hold records back).
//!
//! Must not: know about topics, producers or the terminal. Bytes are bytes: a line that is
//! not UTF-8 is still a line.

use std::io::{self, Read};

/// Bytes asked of the input per read (and the line buffer's starting size).
pub const READ_CHUNK: usize = 256 * 1024;

/// One item of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item<'a> {
    /// A line without its `\n` or `\r\n`.
    Line(&'a [u8]),
    /// A line longer than the cap; its bytes were dropped. Carries its length.
    TooLong(u64),
}

/// What one [`LineReader::fill`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fill {
    /// Bytes read.
    pub read: usize,
    /// The read returned less than was asked for: the input had nothing more ready (a
    /// terminal, a slow pipe) or it ended.
    pub short: bool,
    /// The input has ended.
    pub eof: bool,
}

/// Splits a byte stream into lines, reading it in chunks into one reused buffer.
///
/// Memory stays bounded by the larger of [`READ_CHUNK`] and the line cap, whatever the input
/// size: a line longer than the cap is skipped (reported as [`Item::TooLong`]) without
/// being held. Use it as: `fill`, then `next_line` until it returns `None`, repeat until a
/// fill reports `eof` (and `next_line` has returned `None` once more).
#[derive(Debug)]
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// First byte not handed out yet.
    start: usize,
    /// End of the bytes read.
    end: usize,
    /// Bytes from `start` known to hold no `\n`.
    scanned: usize,
    max_line: usize,
    eof: bool,
    line: u64,
    /// Bytes of an over-long line dropped so far.
    skipping: Option<u64>,
    bytes_read: u64,
}

impl<R: Read> LineReader<R> {
    /// A reader of `inner` whose lines may hold at most `max_line` bytes (without the line
    /// ending).
    pub fn new(inner: R, max_line: usize) -> Self {
        LineReader {
            inner,
            buf: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
            scanned: 0,
            max_line,
            eof: false,
            line: 0,
            skipping: None,
            bytes_read: 0,
        }
    }

    /// The number (1-based) of the line [`LineReader::next_line`] returned last.
    pub fn line_number(&self) -> u64 {
        self.line
    }

    /// Bytes read from the input so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// True once the input has ended.
    pub fn is_eof(&self) -> bool {
        self.eof
    }

    /// The largest buffer a line may need: the cap, a `\r\n`, and one byte more to see that
    /// a line is too long.
    fn buffer_cap(&self) -> usize {
        self.max_line.saturating_add(3)
    }

    /// Reads once from the input (retrying on EINTR). Call it when `next_line` returned
    /// `None`.
    pub fn fill(&mut self) -> io::Result<Fill> {
        if self.eof {
            return Ok(Fill {
                read: 0,
                short: true,
                eof: true,
            });
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            if self.scanned < self.end {
                // The caller has not taken every line yet; nothing to read into.
                return Ok(Fill {
                    read: 0,
                    short: false,
                    eof: false,
                });
            }
            if self.buf.len() < self.buffer_cap() {
                let grown = self.buf.len().saturating_mul(2).min(self.buffer_cap());
                self.buf.resize(grown, 0);
            } else {
                // A line longer than any record can be: drop what we hold of it and the
                // rest as it comes, keeping only its length.
                self.skipping = Some(self.skipping.unwrap_or(0) + self.end as u64);
                self.end = 0;
                self.scanned = 0;
            }
        }
        let want = self.buf.len() - self.end;
        let n = loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.end += n;
        self.bytes_read += n as u64;
        self.eof = n == 0;
        Ok(Fill {
            read: n,
            short: n < want,
            eof: self.eof,
        })
    }

    /// The next complete line in the buffer with its number (after the input ended, also a
    /// last line with no `\n`), or `None` when a [`LineReader::fill`] is needed (or
    /// everything was read).
    pub fn next_line(&mut self) -> Option<(u64, Item<'_>)> {
        let from = self.start + self.scanned;
        let newline = memchr::memchr(b'\n', &self.buf[from..self.end]).map(|i| from + i);
        if let Some(skipped) = self.skipping {
            let (len, consumed_to) = match newline {
                Some(nl) => (skipped + (nl - self.start) as u64, nl + 1),
                None if self.eof => (skipped + (self.end - self.start) as u64, self.end),
                None => {
                    self.skipping = Some(skipped + (self.end - self.start) as u64);
                    self.start = self.end;
                    self.scanned = 0;
                    return None;
                }
            };
            self.skipping = None;
            self.start = consumed_to;
            self.scanned = 0;
            self.line += 1;
            return Some((self.line, Item::TooLong(len)));
        }
        let (line_end, next) = match newline {
            Some(nl) => (nl, nl + 1),
            None if self.eof && self.start < self.end => (self.end, self.end),
            None => {
                self.scanned = self.end - self.start;
                return None;
            }
        };
        let begin = self.start;
        self.start = next;
        self.scanned = 0;
        self.line += 1;
        let mut line = &self.buf[begin..line_end];
        if newline.is_some()
            && let [rest @ .., b'\r'] = line
        {
            line = rest;
        }
        if line.len() > self.max_line {
            return Some((self.line, Item::TooLong(line.len() as u64)));
        }
        Some((self.line, Item::Line(line)))
    }
}

/// Turns the escapes `\t`, `\n`, `\r` and `\\` of a `-K` separator into their bytes (a
/// shell passes `'\t'` as a backslash and a `t`). Any other backslash is kept as it is.
pub fn unescape_separator(s: &str) -> Result<Vec<u8>, String> {
    if s.is_empty() {
        return Err("the separator must not be empty".into());
    }
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes().peekable();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.peek() {
            Some(b't') => out.push(b'\t'),
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            Some(b'\\') => out.push(b'\\'),
            _ => {
                out.push(b'\\');
                continue;
            }
        }
        bytes.next();
    }
    Ok(out)
}

/// Parses a `-H KEY=VALUE` header: split at the first `=`; the value may be empty or hold
/// more `=`.
pub fn parse_header(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some(("", _)) => Err(format!(
            "header {s:?} has an empty key (expected KEY=VALUE)"
        )),
        Some((k, v)) => Ok((k.to_string(), v.to_string())),
        None => Err(format!("header {s:?} has no '=' (expected KEY=VALUE)")),
    }
}

/// Splits `line` at the first `sep` into key and value; `None` when `sep` is not in it.
pub fn split_key<'a>(
    line: &'a [u8],
    sep: &memchr::memmem::Finder<'_>,
) -> Option<(&'a [u8], &'a [u8])> {
    let i = sep.find(line)?;
    Some((&line[..i], &line[i + sep.needle().len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out its data in the given pieces, one per read.
    struct Pieces(Vec<Vec<u8>>);
    impl Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some(first) = self.0.first_mut() else {
                return Ok(0);
            };
            let n = first.len().min(buf.len());
            buf[..n].copy_from_slice(&first[..n]);
            first.drain(..n);
            if first.is_empty() {
                self.0.remove(0);
            }
            Ok(n)
        }
    }

    fn collect<R: Read>(mut r: LineReader<R>) -> Vec<(u64, Result<Vec<u8>, u64>)> {
        let mut out = Vec::new();
        loop {
            while let Some((n, item)) = r.next_line() {
                let item = match item {
                    Item::Line(l) => Ok(l.to_vec()),
                    Item::TooLong(n) => Err(n),
                };
                out.push((n, item));
            }
            if r.fill().unwrap().eof {
                while let Some((n, item)) = r.next_line() {
                    let item = match item {
                        Item::Line(l) => Ok(l.to_vec()),
                        Item::TooLong(n) => Err(n),
                    };
                    out.push((n, item));
                }
                return out;
            }
        }
    }

    fn lines(input: &[u8], max: usize) -> Vec<Result<Vec<u8>, u64>> {
        collect(LineReader::new(input, max))
            .into_iter()
            .map(|(_, l)| l)
            .collect()
    }

    #[test]
    fn splits_lines_and_strips_endings() {
        let got = lines(b"a\nb\r\n\nlast", 100);
        let want: Vec<Result<Vec<u8>, u64>> = vec![
            Ok(b"a".to_vec()),
            Ok(b"b".to_vec()),
            Ok(b"".to_vec()),
            Ok(b"last".to_vec()),
        ];
        assert_eq!(got, want);
        assert!(lines(b"", 100).is_empty());
        assert_eq!(lines(b"x\n", 100), vec![Ok(b"x".to_vec())]);
        // A lone \r at the very end without \n is part of the line: it was not a line ending.
        assert_eq!(lines(b"x\r", 100), vec![Ok(b"x\r".to_vec())]);
        // Bytes are bytes.
        assert_eq!(lines(b"\xff\xfe\n", 100), vec![Ok(vec![0xff, 0xfe])]);
    }

    #[test]
    fn numbers_lines() {
        let got = collect(LineReader::new(&b"a\nb\nc"[..], 100));
        let numbers: Vec<u64> = got.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, vec![1, 2, 3]);
    }

    #[test]
    fn lines_across_reads_and_buffer_growth() {
        // A 600 KiB line (bigger than the first buffer) between short ones, in odd pieces.
        let long = vec![b'x'; 600 * 1024];
        let mut input = b"first\n".to_vec();
        input.extend_from_slice(&long);
        input.extend_from_slice(b"\r\nlast\n");
        let pieces: Vec<Vec<u8>> = input.chunks(7919).map(<[u8]>::to_vec).collect();
        let got = collect(LineReader::new(Pieces(pieces), 1 << 20));
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].1, Ok(b"first".to_vec()));
        assert_eq!(got[1].1.as_ref().map(Vec::len), Ok(long.len()));
        assert_eq!(got[2], (3, Ok(b"last".to_vec())));
    }

    #[test]
    fn too_long_lines_are_reported_and_skipped_in_bounded_memory() {
        let max = 1000;
        for len in [1001usize, 5000, 3 * READ_CHUNK + 17] {
            let mut input = b"ok\n".to_vec();
            input.extend(std::iter::repeat_n(b'y', len));
            input.extend_from_slice(b"\nafter\n");
            let pieces: Vec<Vec<u8>> = input.chunks(4096).map(<[u8]>::to_vec).collect();
            let mut r = LineReader::new(Pieces(pieces), max);
            let mut got = Vec::new();
            loop {
                while let Some((_, item)) = r.next_line() {
                    got.push(match item {
                        Item::Line(l) => Ok(l.to_vec()),
                        Item::TooLong(n) => Err(n),
                    });
                }
                assert!(r.buf.len() <= READ_CHUNK.max(max + 3), "buffer grew");
                if r.fill().unwrap().eof && r.start == r.end && r.skipping.is_none() {
                    break;
                }
            }
            assert_eq!(
                got,
                vec![Ok(b"ok".to_vec()), Err(len as u64), Ok(b"after".to_vec())],
                "len {len}"
            );
        }
        // Exactly at the cap is fine, with or without \r\n; one more is not.
        assert_eq!(lines(&[b'z'; 10], 10).len(), 1);
        assert!(lines(&[b'z'; 10], 10)[0].is_ok());
        let mut crlf = vec![b'z'; 10];
        crlf.extend_from_slice(b"\r\n");
        assert!(lines(&crlf, 10)[0].is_ok());
        assert_eq!(lines(&[b'z'; 11], 10), vec![Err(11)]);
        // An over-long last line without \n.
        let big = vec![b'q'; 2 * READ_CHUNK];
        assert_eq!(lines(&big, 10), vec![Err(big.len() as u64)]);
    }

    #[test]
    fn short_reads_are_reported() {
        let mut r = LineReader::new(Pieces(vec![b"a\n".to_vec(), b"b\n".to_vec()]), 100);
        let f = r.fill().unwrap();
        assert_eq!((f.read, f.short, f.eof), (2, true, false));
        assert_eq!(r.next_line(), Some((1, Item::Line(b"a"))));
        assert_eq!(r.next_line(), None);
        let f = r.fill().unwrap();
        assert_eq!((f.read, f.short, f.eof), (2, true, false));
        assert_eq!(r.next_line(), Some((2, Item::Line(b"b"))));
        assert_eq!(r.next_line(), None);
        assert!(r.fill().unwrap().eof);
        assert_eq!(r.next_line(), None);
        assert_eq!(r.bytes_read(), 4);
    }

    #[test]
    fn separator_escapes() {
        assert_eq!(unescape_separator("\\t").unwrap(), b"\t");
        assert_eq!(unescape_separator("\t").unwrap(), b"\t");
        assert_eq!(unescape_separator("a\\nb").unwrap(), b"a\nb");
        assert_eq!(unescape_separator("\\\\").unwrap(), b"\\");
        assert_eq!(unescape_separator("\\r\\n").unwrap(), b"\r\n");
        assert_eq!(unescape_separator("\\").unwrap(), b"\\");
        assert_eq!(unescape_separator("\\x").unwrap(), b"\\x");
        assert_eq!(unescape_separator(":=").unwrap(), b":=");
        assert!(unescape_separator("").is_err());
    }

    #[test]
    fn headers() {
        assert_eq!(parse_header("a=b").unwrap(), ("a".into(), "b".into()));
        assert_eq!(parse_header("a=").unwrap(), ("a".into(), "".into()));
        assert_eq!(parse_header("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert!(parse_header("ab").unwrap_err().contains("no '='"));
        assert!(parse_header("=b").unwrap_err().contains("empty key"));
    }

    #[test]
    fn key_split_at_first_separator() {
        let tab = memchr::memmem::Finder::new(b"\t");
        assert_eq!(split_key(b"k\tv\tw", &tab), Some((&b"k"[..], &b"v\tw"[..])));
        assert_eq!(split_key(b"\tv", &tab), Some((&b""[..], &b"v"[..])));
        assert_eq!(split_key(b"kv", &tab), None);
        let multi = memchr::memmem::Finder::new(b"::");
        assert_eq!(split_key(b"a:b::c", &multi), Some((&b"a:b"[..], &b"c"[..])));
    }
}
