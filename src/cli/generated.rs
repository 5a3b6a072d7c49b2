//! The generated files committed in the repository: man pages (man/) and shell completions
//! (completions/), rendered from [`Cli`]'s clap definition, the one source of help text.
//!
//! Rendering happens in memory; tests/integration/generated_docs.rs diffs the result against
//! the committed copies and rewrites them with `UPDATE_GENERATED=1`. There is no build.rs.
//! Output is deterministic: man pages carry no date.

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// Directory of the man pages, relative to the repository root.
pub const MAN_DIR: &str = "man";

/// Directory of the completion scripts, relative to the repository root.
pub const COMPLETIONS_DIR: &str = "completions";

/// The shells completion scripts are generated for.
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Elvish,
    Shell::PowerShell,
];

/// Every generated file: (path relative to the repository root, contents), sorted by path.
pub fn render_all() -> std::io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut files = man_pages()?;
    for shell in SHELLS {
        let name = clap_complete::Generator::file_name(&shell, "filka");
        files.push((
            PathBuf::from(COMPLETIONS_DIR).join(name),
            super::completions::script(shell),
        ));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// One page per command and subcommand: man/filka.1, man/filka-dump.1, ...
fn man_pages() -> std::io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut cmd = Cli::command();
    // Builds display names ("filka-dump") that name the pages and their titles.
    cmd.build();
    let mut pages = Vec::new();
    add_pages(cmd, &mut pages)?;
    Ok(pages)
}

fn add_pages(cmd: clap::Command, pages: &mut Vec<(PathBuf, Vec<u8>)>) -> std::io::Result<()> {
    for sub in cmd.get_subcommands() {
        // clap's own `help` subcommand is disabled; hidden commands get no page.
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        add_pages(sub.clone(), pages)?;
    }
    // clap_mangen puts after-help text in an EXTRA section as filled paragraphs, which
    // reflows the exit-code table and the examples; render it ourselves, preformatted.
    let after = cmd
        .get_after_long_help()
        .or_else(|| cmd.get_after_help())
        .map(|s| s.to_string());
    let man = clap_mangen::Man::new(cmd.after_help(None::<&str>).after_long_help(None::<&str>));
    let mut page = Vec::new();
    man.render(&mut page)?;
    if let Some(after) = after {
        let section = preformatted_section(&after);
        // Before VERSION (root page only), like clap_mangen's own EXTRA section.
        let at = find(&page, b"\n.SH VERSION").map_or(page.len(), |i| i + 1);
        page.splice(at..at, section.into_bytes());
    }
    pages.push((PathBuf::from(MAN_DIR).join(man.get_filename()), page));
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A man page section from help text whose first line is its heading ("Examples:" becomes
/// EXAMPLES, "Exit codes:" EXIT CODES); the rest is kept line for line, indentation included.
fn preformatted_section(text: &str) -> String {
    let mut lines = text.lines();
    let heading = lines
        .next()
        .unwrap_or_default()
        .trim_end_matches(':')
        .to_uppercase();
    let mut out = format!(".SH \"{}\"\n.nf\n", roff_escape(&heading));
    for line in lines {
        // `\&` keeps a line starting with `.` or `'` from being read as a request.
        out.push_str("\\&");
        out.push_str(&roff_escape(line));
        out.push('\n');
    }
    out.push_str(".fi\n");
    out
}

/// Escapes text for roff: backslash, hyphen (a plain `-` may render as a typographic hyphen,
/// which breaks copy-pasted flags), apostrophe and backquote.
fn roff_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            '\'' => out.push_str("\\(aq"),
            '`' => out.push_str("\\(ga"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_page_per_command_and_one_script_per_shell() {
        let files = render_all().unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|(p, _)| p.to_string_lossy().into_owned())
            .collect();
        for expected in [
            "man/filka.1",
            "man/filka-dump.1",
            "man/filka-completions.1",
            "completions/filka.bash",
            "completions/_filka",
            "completions/filka.fish",
            "completions/filka.elv",
            "completions/_filka.ps1",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} not in {names:?}"
            );
        }
        assert!(!names.iter().any(|n| n.contains("help")), "{names:?}");
    }

    #[test]
    fn after_help_becomes_a_preformatted_section() {
        let files = render_all().unwrap();
        let page = |name: &str| {
            let (_, bytes) = files.iter().find(|(p, _)| p.ends_with(name)).unwrap();
            String::from_utf8(bytes.clone()).unwrap()
        };
        let root = page("filka.1");
        assert!(!root.contains(".SH EXTRA"), "{root}");
        let codes = root.find(".SH \"EXIT CODES\"\n.nf\n").unwrap();
        assert!(codes < root.find(".SH VERSION").unwrap(), "{root}");
        assert!(root.contains("\\&   6  NotEnoughReplicas"), "{root}");
        let dump = page("filka-dump.1");
        assert!(dump.contains(".SH \"EXAMPLES\"\n.nf\n"), "{dump}");
        assert!(dump.contains(r"\-\-print\-data"), "{dump}");
    }

    #[test]
    fn roff_escaping() {
        assert_eq!(
            preformatted_section("Examples:\n.x it's `a-b` \\"),
            ".SH \"EXAMPLES\"\n.nf\n\\&.x it\\(aqs \\(gaa\\-b\\(ga \\e\n.fi\n"
        );
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(render_all().unwrap(), render_all().unwrap());
    }
}
