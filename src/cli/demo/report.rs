//! How the demo tells what happened: as a transcript (text), one line per step (`-q`), or one
//! JSON object per step (`--output json`).
//!
//! Text: `== Step N: TITLE`, then each command as `$ LINE` (printed before it runs), what it
//! printed (stdout and stderr, indented by two spaces), and what the demo concludes from it
//! as `# ...` lines. A heredoc's lines follow its command unindented, so the whole command
//! can be pasted. `-q`: `Step N: TITLE: SUMMARY`. JSON: `{"step", "title", "commands",
//! "outcome", "as_expected"}`. With `-q` and JSON the commands' stderr is kept and shown
//! (on stderr) only for a step that failed or did not behave as expected.
//!
//! Must not: run anything, or compute outcomes (steps/ does, from the commands' output).

use serde_json::{Value, json};

use super::shell::{Line, Ran};
use crate::output::Printer;

/// The three ways of telling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// The transcript.
    Text,
    /// One line per step.
    Quiet,
    /// One JSON object per step.
    Json,
}

/// The step being told.
struct Step {
    n: usize,
    title: String,
    commands: Vec<String>,
    /// Every line its commands printed on stderr, for -q and JSON when it fails.
    stderr: Vec<String>,
    /// What did not behave as Kafka's semantics say.
    problems: Vec<String>,
}

/// The teller of the demo.
pub(super) struct Report {
    mode: Mode,
    out: Printer,
    steps: usize,
    step: Option<Step>,
    /// One entry per step that did not behave as expected: `step N (TITLE): WHAT`.
    problems: Vec<String>,
}

impl Report {
    /// A teller writing to stdout.
    pub(super) fn new(mode: Mode) -> Report {
        Report {
            mode,
            out: Printer::stdout(),
            steps: 0,
            step: None,
            problems: Vec::new(),
        }
    }

    /// The line before the first step (text only).
    pub(super) fn header(&mut self, text: &str) -> std::io::Result<()> {
        if self.mode == Mode::Text {
            self.out.line(text)?;
        }
        Ok(())
    }

    /// Starts step N+1.
    pub(super) fn step(&mut self, title: &str) -> std::io::Result<()> {
        self.steps += 1;
        self.step = Some(Step {
            n: self.steps,
            title: title.to_string(),
            commands: Vec::new(),
            stderr: Vec::new(),
            problems: Vec::new(),
        });
        if self.mode == Mode::Text {
            self.out.line("")?;
            self.out.line(&format!("== Step {}: {title}", self.steps))?;
        }
        Ok(())
    }

    /// Tells the command about to run (and flushes, so the transcript keeps up with it).
    pub(super) fn command(&mut self, line: &Line) -> std::io::Result<()> {
        let text = line.text();
        if let Some(s) = self.step.as_mut() {
            s.commands.push(text.clone());
        }
        if self.mode == Mode::Text {
            self.out.line(&format!("$ {text}"))?;
            self.out.flush()?;
        }
        Ok(())
    }

    /// Tells what a command printed (all of it: stdout and stderr as they arrived).
    pub(super) fn output(&mut self, ran: &Ran) -> std::io::Result<()> {
        self.lines(&ran.shown, &ran.stderr)
    }

    /// Tells lines a command printed, of which `stderr` were on stderr.
    pub(super) fn lines(&mut self, shown: &[String], stderr: &[String]) -> std::io::Result<()> {
        if let Some(s) = self.step.as_mut() {
            s.stderr.extend(stderr.iter().cloned());
        }
        if self.mode == Mode::Text {
            for l in shown {
                self.out.line(&format!("  {l}"))?;
            }
            self.out.flush()?;
        }
        Ok(())
    }

    /// Says what the demo concludes (text only).
    pub(super) fn say(&mut self, text: &str) -> std::io::Result<()> {
        if self.mode == Mode::Text {
            for l in text.lines() {
                self.out.line(&format!("# {l}"))?;
            }
        }
        Ok(())
    }

    /// Records that the step did not behave as Kafka's semantics say when `ok` is false:
    /// `what` says how (the truth has been told already; the demo exits 1 at the end).
    pub(super) fn expect(
        &mut self,
        ok: bool,
        what: impl FnOnce() -> String,
    ) -> std::io::Result<()> {
        if ok {
            return Ok(());
        }
        let what = what();
        if self.mode == Mode::Text {
            self.out.line(&format!("# NOT AS EXPECTED: {what}"))?;
        }
        if let Some(s) = self.step.as_mut() {
            s.problems.push(what);
        }
        Ok(())
    }

    /// Ends the step: `summary` is its -q line's end, `outcome` its JSON outcome.
    pub(super) fn end(&mut self, summary: &str, outcome: Value) -> std::io::Result<()> {
        let Some(step) = self.step.take() else {
            return Ok(());
        };
        let as_expected = step.problems.is_empty();
        match self.mode {
            Mode::Text => {}
            Mode::Quiet => {
                self.out
                    .line(&format!("Step {}: {}: {summary}", step.n, step.title))?;
            }
            Mode::Json => {
                self.out.json_line(&json!({
                    "step": step.n,
                    "title": step.title,
                    "commands": step.commands,
                    "outcome": outcome,
                    "as_expected": as_expected,
                }))?;
            }
        }
        self.out.flush()?;
        if !as_expected {
            self.show_stderr(&step);
            self.problems.push(format!(
                "step {} ({}) did not behave as expected: {}",
                step.n,
                step.title,
                step.problems.join("; ")
            ));
        }
        Ok(())
    }

    /// A command of the current step failed and the demo stops: with -q and JSON, what the
    /// step's commands printed on stderr is shown now. Returns the step's number and title.
    pub(super) fn failed(&mut self) -> (usize, String) {
        let _ = self.out.flush();
        match self.step.take() {
            Some(step) => {
                self.show_stderr(&step);
                (step.n, step.title)
            }
            None => (self.steps, String::new()),
        }
    }

    fn show_stderr(&self, step: &Step) {
        if self.mode != Mode::Text {
            for l in &step.stderr {
                eprintln!("  {l}");
            }
        }
    }

    /// The end of the demo: the commands to look around with (text), or the summary object
    /// (JSON). Returns one line per step that did not behave as expected.
    pub(super) fn finish(
        mut self,
        dir: &str,
        look_around: &[Line],
    ) -> std::io::Result<Vec<String>> {
        let lines: Vec<String> = look_around.iter().map(Line::text).collect();
        match self.mode {
            Mode::Text => {
                self.out.line("")?;
                self.out.line("Look around next:")?;
                for l in &lines {
                    self.out.line(&format!("$ {l}"))?;
                }
            }
            Mode::Quiet => {}
            Mode::Json => {
                self.out.json_line(&json!({
                    "cluster": dir,
                    "steps": self.steps,
                    "as_expected": self.problems.is_empty(),
                    "look_around": lines,
                }))?;
            }
        }
        self.out.finish()?;
        Ok(self.problems)
    }
}
