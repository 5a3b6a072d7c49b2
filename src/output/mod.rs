//! Writing command output: a buffered [`Printer`] over stdout, [`Table`]s for people, JSON
//! lines for scripts, and [`escape_control`] for names that come from disk.
//!
//! Owns: how bytes reach stdout (buffered, flushed once at the end, every error returned as
//! `io::Error` so `main` can recognise a broken pipe) and the table styles.
//!
//! Must not: decide what a command prints, or print to stderr (diagnostics are `main`'s).

mod table;

pub use table::{Table, TableStyle};

use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};

/// Buffered output for one command run.
///
/// Write through it (it implements [`Write`]), or use [`Printer::table`],
/// [`Printer::json_line`] and [`Printer::line`]. Call [`Printer::finish`] at the end: a
/// `BufWriter` dropped without it loses the error of the last flush, and with it a broken
/// pipe. Commands that stream (e.g. `consume --follow`) call [`Printer::flush`] after each
/// batch so a reader sees records promptly.
pub struct Printer<W: Write = StdoutLock<'static>> {
    out: BufWriter<W>,
    tty: bool,
}

impl Printer {
    /// A printer over the locked stdout; tables are pretty when stdout is a terminal.
    pub fn stdout() -> Self {
        let stdout = io::stdout();
        let tty = stdout.is_terminal();
        Printer::new(stdout.lock(), tty)
    }
}

impl<W: Write> Printer<W> {
    /// A printer over any writer; `tty` says whether a person is watching (pretty tables).
    pub fn new(out: W, tty: bool) -> Self {
        Printer {
            out: BufWriter::with_capacity(64 * 1024, out),
            tty,
        }
    }

    /// Whether output goes to a terminal.
    pub fn is_tty(&self) -> bool {
        self.tty
    }

    /// The table style for this output: [`TableStyle::Pretty`] on a terminal, else
    /// [`TableStyle::Plain`].
    pub fn table_style(&self) -> TableStyle {
        if self.tty {
            TableStyle::Pretty
        } else {
            TableStyle::Plain
        }
    }

    /// Writes a table in [`Printer::table_style`], ending with a newline.
    pub fn table(&mut self, table: &Table) -> io::Result<()> {
        let text = table.render(self.table_style());
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Writes one value as one line of JSON.
    pub fn json_line<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        write_json_line(&mut self.out, value)
    }

    /// Writes `text` and a newline, as is (escape names from disk first when a person reads
    /// them: [`escape_control`]).
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Flushes everything written so far to the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Flushes everything. Call it once at the end of a command.
    pub fn finish(self) -> io::Result<()> {
        self.into_inner().map(drop)
    }

    /// Flushes and returns the underlying writer (tests render into a `Vec<u8>`).
    pub fn into_inner(self) -> io::Result<W> {
        self.out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
    }
}

impl<W: Write> Write for Printer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Writes `value` as JSON followed by `\n` (one JSON object per line, for scripts).
///
/// I/O errors come back as the original `io::Error`, so a broken pipe stays recognisable.
pub fn write_json_line<W: Write + ?Sized, T: serde::Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// `s` with every control character escaped, so a name read from disk cannot break a line,
/// move the cursor or recolour a terminal.
///
/// `\n`, `\r` and `\t` become those two-character escapes; other C0/C1 controls and DEL become
/// `\x1b`-style escapes; Unicode bidirectional and line/paragraph separator characters become
/// `\u{202e}`-style escapes. Everything else, backslashes included, is kept as is.
pub fn escape_control(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_control_leaves_plain_text_alone() {
        assert_eq!(
            escape_control("demo-0/00000000000000000000.log"),
            "demo-0/00000000000000000000.log"
        );
        assert_eq!(escape_control("tëst \\ ünïcode ✓"), "tëst \\ ünïcode ✓");
        assert_eq!(escape_control(""), "");
    }

    #[test]
    fn escape_control_escapes_controls() {
        assert_eq!(escape_control("a\nb\rc\td"), "a\\nb\\rc\\td");
        assert_eq!(escape_control("\u{1b}[31mred"), "\\x1b[31mred");
        assert_eq!(escape_control("\0\u{7f}\u{85}"), "\\x00\\x7f\\x85");
        assert_eq!(escape_control("abc\u{202e}def"), "abc\\u{202e}def");
        assert_eq!(escape_control("x\u{2028}y"), "x\\u{2028}y");
    }

    #[test]
    fn json_lines_are_one_object_per_line() {
        let mut p = Printer::new(Vec::new(), false);
        p.json_line(&serde_json::json!({"topic": "demo", "partition": 0}))
            .unwrap();
        p.json_line(&serde_json::json!({"topic": "a\nb"})).unwrap();
        let out = String::from_utf8(p.into_inner().unwrap()).unwrap();
        assert_eq!(
            out,
            "{\"topic\":\"demo\",\"partition\":0}\n{\"topic\":\"a\\nb\"}\n"
        );
    }

    #[test]
    fn printer_writes_lines_and_tables() {
        let mut p = Printer::new(Vec::new(), false);
        p.line("hello").unwrap();
        let mut t = Table::new(["TOPIC", "PARTITION"]);
        t.row(["demo", "0"]);
        p.table(&t).unwrap();
        write!(p, "raw").unwrap();
        let out = String::from_utf8(p.into_inner().unwrap()).unwrap();
        assert_eq!(out, "hello\nTOPIC  PARTITION\ndemo   0\nraw");
    }

    /// A writer whose reader went away.
    struct ClosedPipe;
    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn broken_pipe_surfaces_from_finish_and_json() {
        let mut p = Printer::new(ClosedPipe, false);
        p.line("buffered, so no error yet").unwrap();
        let err = p.finish().err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);

        let err = write_json_line(&mut ClosedPipe, &serde_json::json!({"a": 1})).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    }
}
