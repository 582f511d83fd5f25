//! `cargo xtask doc`: the API docs with rendered equations.
//!
//! The doc comments write equations in `$...$` (inline) and `$$...$$` (display); rustdoc renders no
//! math, so the pages load KaTeX through `docs/katex-header.html` (`--html-in-header`, the same header
//! docs.rs gets from each crate's `[package.metadata.docs.rs]`). Markdown runs before KaTeX and eats
//! the backslash of `\,`, `\|`, `\{` ... (a thin space would render as a comma, a norm as an absolute
//! value), so in doc comments those are written `\\,`, `\\|`, `\\{`; [`unescaped_math`] finds the ones
//! that are not, and `cargo xtask doc` refuses to build until they are fixed. Markdown also reads a
//! `_` after punctuation (`G^a{}_b`) or a `*` (`q^*`) as emphasis: in math those are written `\_`
//! and `\*`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// ASCII punctuation that LaTeX puts after a backslash and Markdown would unescape.
/// (`_` and `*` are not here: in doc math they are written `\_` / `\*` where Markdown would read them
/// as emphasis, and Markdown is meant to drop that backslash.)
const ESCAPED: &[char] = &[',', ';', ':', '!', '|', '{', '}', '#', '%', '&', '<', '>'];

/// One doc-comment line whose math would lose a backslash in Markdown.
#[derive(Debug, PartialEq, Eq)]
pub struct Unescaped {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// The offending `\x` sequence.
    pub sequence: String,
}

/// The `\x` sequences (x one of [`ESCAPED`]) in the doc-comment text `text` that are outside code
/// spans and not already written `\\x`.
pub fn unescaped_in_line(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut in_code = false;
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '`' => in_code = !in_code,
            '\\' if !in_code => {
                // Count the run of backslashes: an even run followed by punctuation is escaped.
                let start = i;
                while i < chars.len() && chars[i] == '\\' {
                    i += 1;
                }
                let run = i - start;
                if let Some(&c) = chars.get(i)
                    && run == 1
                    && ESCAPED.contains(&c)
                {
                    found.push(format!("\\{c}"));
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Every doc-comment line (`///` or `//!`) under `dirs` with an unescaped math sequence.
pub fn unescaped_math(dirs: &[PathBuf]) -> std::io::Result<Vec<Unescaped>> {
    let mut out = Vec::new();
    let mut files = Vec::new();
    for d in dirs {
        collect_rs(d, &mut files)?;
    }
    files.sort();
    for path in files {
        let src = std::fs::read_to_string(&path)?;
        for (n, line) in src.lines().enumerate() {
            let t = line.trim_start();
            let Some(doc) = t.strip_prefix("///").or_else(|| t.strip_prefix("//!")) else {
                continue;
            };
            for sequence in unescaped_in_line(doc) {
                out.push(Unescaped {
                    path: path.clone(),
                    line: n + 1,
                    sequence,
                });
            }
        }
    }
    Ok(out)
}

fn collect_rs(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            collect_rs(&p, files)?;
        } else if p.extension().is_some_and(|e| e == "rs") {
            files.push(p);
        }
    }
    Ok(())
}

/// Lint the doc math, then run `cargo doc --workspace --no-deps` with the KaTeX header (appended to
/// any `RUSTDOCFLAGS` already set, e.g. `-D warnings`) and the extra cargo arguments `extra`.
pub fn run(root: &Path, extra: &[String]) -> ExitCode {
    let dirs = [root.join("crates"), root.join("src"), root.join("xtask")];
    match unescaped_math(&dirs) {
        Ok(bad) if bad.is_empty() => {}
        Ok(bad) => {
            for u in &bad {
                let shown = u.path.strip_prefix(root).unwrap_or(&u.path);
                eprintln!(
                    "{}:{}: `{}` in a doc comment: Markdown drops the backslash; write `\\{}`",
                    shown.display(),
                    u.line,
                    u.sequence,
                    u.sequence
                );
            }
            eprintln!("error: {} unescaped math sequence(s) in doc comments", bad.len());
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("error: cannot read the sources: {e}");
            return ExitCode::from(2);
        }
    }
    let header = root.join("docs/katex-header.html");
    let mut flags = std::env::var("RUSTDOCFLAGS").unwrap_or_default();
    flags.push_str(&format!(" --html-in-header {}", header.display()));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(root)
        .env("RUSTDOCFLAGS", flags.trim())
        .args(["doc", "--workspace", "--no-deps"])
        .args(extra)
        .status();
    match status {
        Ok(s) if s.success() => {
            eprintln!("docs: {}", root.join("target/doc/nqg/index.html").display());
            ExitCode::SUCCESS
        }
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: cannot run cargo doc: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unescaped_in_line;

    #[test]
    fn finds_markdown_eaten_backslashes_outside_code_spans() {
        assert_eq!(
            unescaped_in_line(r" $a\,b$ and $\|x\|$"),
            vec![r"\,", r"\|", r"\|"]
        );
        assert!(unescaped_in_line(r" $a\\,b$ $\\|x\\|$ $\partial_x$").is_empty());
        assert!(unescaped_in_line(r" `a\,b` is code").is_empty());
        // A LaTeX line break written for Markdown (`\\\\`) is fine, so is `\+` (Markdown's own escape).
        assert!(unescaped_in_line(r" $a \\\\ b$").is_empty());
    }
}
