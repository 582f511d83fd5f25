//! Report writers: `report.json` (the whole evidence), `report.md` (one row per check), and for each
//! check with figure data an SVG and the CSV behind it. Every file is written atomically.
//!
//! ## `report.json` schema (`nqg-verify/1`)
//!
//! ```text
//! { schema, version, git_commit|null, seed, size: "quick"|"full", filters: [..], generated_at,
//!   summary: { passed, failed, not_testable },
//!   claims: [ { id, statement, provenance: "[T]"|"[R]"|.., verdict: STATUS,
//!               checks: [ { id, statement, kind, verdict: { status, reason }, seed,
//!                           evidence: { quantity, measured, uncertainty|null, expected,
//!                                       criterion: { kind, value? }, order|null, params: {..},
//!                                       details: [ { label, measured, expected|null } ], note|null }
//!                                     | null,
//!                           not_testable: reason|null, error: message|null } ] } ] }
//! ```
//!
//! Apart from `generated_at`, two runs with the same seed and size give identical files, whatever the
//! number of threads.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::fmt_num;
use crate::model::Criterion;
use crate::run::{CheckReport, Report};

/// Write `contents` to `path` atomically: a temporary file in the same directory, then a rename.
///
/// # Errors
/// Any I/O error, with the path in the message.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let with_path = |e: io::Error, p: &Path| io::Error::new(e.kind(), format!("{}: {e}", p.display()));
    fs::write(&tmp, contents).map_err(|e| with_path(e, &tmp))?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        with_path(e, path)
    })
}

/// Current UTC time as RFC 3339 (`YYYY-MM-DDTHH:MM:SSZ`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// The measured cell of a check: `quantity = value ± sigma`.
pub fn measured_cell(c: &CheckReport) -> String {
    match (&c.evidence, &c.not_testable, &c.error) {
        (Some(e), _, _) => {
            let unc = e
                .uncertainty
                .map(|s| format!(" ± {}", fmt_num(s)))
                .unwrap_or_default();
            format!("{} = {}{}", e.quantity, fmt_num(e.measured), unc)
        }
        (None, Some(_), _) => "not measured".into(),
        (None, None, Some(err)) => format!("error: {err}"),
        _ => String::new(),
    }
}

/// The expected cell of a check.
pub fn expected_cell(c: &CheckReport) -> String {
    match &c.evidence {
        Some(e) => match e.criterion {
            Criterion::AtMost => format!("≤ {}", fmt_num(e.expected)),
            Criterion::AtLeast => format!("≥ {}", fmt_num(e.expected)),
            _ => fmt_num(e.expected),
        },
        None => "-".into(),
    }
}

/// The tolerance cell of a check (including the convergence order where there is one).
pub fn tolerance_cell(c: &CheckReport) -> String {
    match &c.evidence {
        Some(e) => {
            let mut s = e.criterion.describe();
            if let Some(o) = &e.order {
                let _ = write!(
                    s,
                    "; order {:.3} (expect {} ± {})",
                    o.observed, o.expected, o.tolerance
                );
            }
            s
        }
        None => "-".into(),
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Render `report.md`.
pub fn to_markdown(report: &Report) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# nqg verification report\n");
    let _ = writeln!(
        md,
        "Claims of V. Vanchurin, *Towards a theory of quantum gravity from neural networks* \
         (arXiv:2111.00903), checked numerically. Size `{:?}`, seed `{}`, commit `{}`, generated {}.\n",
        report.size,
        report.seed,
        report.git_commit.as_deref().unwrap_or("unknown"),
        report.generated_at
    );
    let _ = writeln!(
        md,
        "**Provenance.** The paper's own equations were not recovered (THEORY.md §0, §4). Rows tagged \
         `[R]` test a *reconstruction* consistent with the paper's stated claim, not the paper's \
         published equation; `[T]` rows are textbook solver checks; `[S]`/`[S2]`/`[P-*]` name where the \
         statement itself comes from. A passing `[R]` row reads: \"the reconstructed step, consistent \
         with the paper's claim, is verified\".\n"
    );
    let s = report.summary;
    let _ = writeln!(
        md,
        "**Summary:** {} passed, {} failed, {} not testable.\n",
        s.passed, s.failed, s.not_testable
    );
    let _ = writeln!(md, "## Verdicts by claim\n");
    let _ = writeln!(md, "A claim's verdict is the weakest status of its checks.\n");
    let _ = writeln!(md, "| claim | statement | verdict | checks | provenance |");
    let _ = writeln!(md, "|---|---|---|---|---|");
    for claim in &report.claims {
        let mut counts: Vec<(crate::Status, usize)> = Vec::new();
        for c in &claim.checks {
            match counts.iter_mut().find(|(s, _)| *s == c.verdict.status) {
                Some((_, n)) => *n += 1,
                None => counts.push((c.verdict.status, 1)),
            }
        }
        counts.sort_by_key(|c| std::cmp::Reverse(c.0));
        let counts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let _ = writeln!(
            md,
            "| `{}` | {} | **{}** | {} | {} |",
            claim.id,
            md_escape(claim.statement),
            claim.verdict,
            counts.join(", "),
            claim.provenance
        );
    }
    let _ = writeln!(md, "\n## Checks\n");
    let _ = writeln!(
        md,
        "| id | statement | status | measured | expected | tolerance | provenance |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for claim in &report.claims {
        for c in &claim.checks {
            let _ = writeln!(
                md,
                "| `{}` | {} | **{}** | {} | {} | {} | {} |",
                c.id,
                md_escape(c.statement),
                c.verdict.status,
                md_escape(&measured_cell(c)),
                md_escape(&expected_cell(c)),
                md_escape(&tolerance_cell(c)),
                claim.provenance
            );
        }
    }
    let _ = writeln!(md, "\n## Claims and evidence\n");
    for claim in &report.claims {
        let _ = writeln!(
            md,
            "### `{}` {}: {}\n\n{}\n",
            claim.id, claim.provenance, claim.verdict, claim.statement
        );
        for c in &claim.checks {
            let _ = writeln!(md, "- **`{}`**: {} (seed {})", c.id, c.verdict.status, c.seed);
            let _ = writeln!(md, "  - verdict: {}", md_escape(&c.verdict.reason));
            if let Some(r) = &c.not_testable {
                let _ = writeln!(md, "  - not testable: {}", md_escape(r));
            }
            if let Some(e) = &c.evidence {
                if !e.params.is_empty() {
                    let p: Vec<String> = e.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                    let _ = writeln!(md, "  - parameters: {}", md_escape(&p.join(", ")));
                }
                if let Some(n) = &e.note {
                    let _ = writeln!(md, "  - observed: {}", md_escape(n));
                }
                if let Some(o) = &e.order {
                    let pairs: Vec<String> = o
                        .steps
                        .iter()
                        .zip(&o.errors)
                        .map(|(h, err)| format!("({}, {})", fmt_num(*h), fmt_num(*err)))
                        .collect();
                    let _ = writeln!(md, "  - convergence (h, error): {}", pairs.join(" "));
                }
                for d in &e.details {
                    let exp = d
                        .expected
                        .map(|x| format!(" (expected {})", fmt_num(x)))
                        .unwrap_or_default();
                    let _ = writeln!(md, "  - {}: {}{}", md_escape(&d.label), fmt_num(d.measured), exp);
                }
                if e.figure.is_some() {
                    let _ = writeln!(
                        md,
                        "  - figure: [{0}.svg](figures/{0}.svg) ([csv](figures/{0}.csv))",
                        c.id
                    );
                }
            }
        }
        md.push('\n');
    }
    md
}

/// Write `report.json`, `report.md` and the figures into `dir` (created if missing). Returns the paths
/// written.
///
/// # Errors
/// The first I/O or rendering error, with the path.
pub fn write_all(report: &Report, dir: &Path) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
    let mut written = Vec::new();
    let json = serde_json::to_string_pretty(report).map_err(io::Error::other)?;
    let p = dir.join("report.json");
    write_atomic(&p, json.as_bytes())?;
    written.push(p);
    let p = dir.join("report.md");
    write_atomic(&p, to_markdown(report).as_bytes())?;
    written.push(p);
    let figs = dir.join("figures");
    for c in report.checks() {
        if let Some(fig) = c.evidence.as_ref().and_then(|e| e.figure.as_ref()) {
            fs::create_dir_all(&figs)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", figs.display())))?;
            let svg = fig.to_svg().map_err(io::Error::other)?;
            let p = figs.join(format!("{}.svg", c.id));
            write_atomic(&p, svg.as_bytes())?;
            written.push(p);
            let p = figs.join(format!("{}.csv", c.id));
            write_atomic(&p, fig.to_csv().as_bytes())?;
            written.push(p);
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_shape() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 20);
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T');
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("nqg-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let p = dir.join("f.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }
}
