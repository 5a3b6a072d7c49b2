//! man/ and completions/ are rendered from the clap definitions and committed; this test fails
//! when they are out of date. `UPDATE_GENERATED=1 cargo test generated` rewrites them.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use filka::cli::generated::{COMPLETIONS_DIR, MAN_DIR, render_all};

const HOW_TO_FIX: &str = "man/ or completions/ is out of date: run `UPDATE_GENERATED=1 cargo test generated` to regenerate";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file currently in man/ and completions/, relative to the repository root.
fn committed_files() -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    for dir in [MAN_DIR, COMPLETIONS_DIR] {
        let Ok(entries) = fs::read_dir(root().join(dir)) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                found.insert(Path::new(dir).join(entry.file_name()));
            }
        }
    }
    found
}

#[test]
fn generated_docs_are_up_to_date() {
    let rendered = render_all().unwrap();
    let wanted: BTreeSet<PathBuf> = rendered.iter().map(|(p, _)| p.clone()).collect();

    if std::env::var_os("UPDATE_GENERATED").is_some_and(|v| v == "1") {
        for (path, bytes) in &rendered {
            let path = root().join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, bytes).unwrap();
        }
        // Pages of removed commands go too.
        for stale in committed_files().difference(&wanted) {
            fs::remove_file(root().join(stale)).unwrap();
        }
        return;
    }

    let mut problems = Vec::new();
    for (path, bytes) in &rendered {
        match fs::read(root().join(path)) {
            Ok(committed) if committed == *bytes => {}
            Ok(_) => problems.push(format!("{} differs", path.display())),
            Err(e) => problems.push(format!("{} cannot be read: {e}", path.display())),
        }
    }
    for stale in committed_files().difference(&wanted) {
        problems.push(format!("{} is not generated any more", stale.display()));
    }
    assert!(
        problems.is_empty(),
        "{HOW_TO_FIX}\n  {}",
        problems.join("\n  ")
    );
}

/// README.md repeats the exit-code table for readers on the web; it must match the enum.
#[test]
fn readme_exit_codes_match_the_enum() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    for code in filka::error::ExitCode::ALL {
        let row = format!(
            "| {} | {} | {} |",
            code.code(),
            code.name(),
            code.description()
        );
        assert!(
            readme.contains(&row),
            "README.md lacks the exit-code row `{row}`"
        );
    }
}
