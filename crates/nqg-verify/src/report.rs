//! Report writers: `report.json` (the whole evidence), `report.md` (the six theses first, then the
//! predictions against THEORY.md's criteria, the analytic findings, one line of solver health, and
//! every check), the terminal summary, and for each check with figure data an SVG and the CSV behind
//! it. The set is staged and published as one unit ([`crate::publish`]), so it never mixes two runs.
//!
//! ## `report.json` schema (`nqg-verify/2`)
//!
//! ```text
//! { schema, version, git_commit|null, seed, size: "quick"|"full", filters: [..], generated_at,
//!   summary: { passed, failed, errors, confirmed, refuted, not_testable },
//!   theses: [ { number, id, statement, checks: [[id, role, outcome], ..],
//!               verdict: { status: SUPPORTED|REFUTED|PREMISES-ONLY|UNTESTED|INTERPRETIVE|BROKEN,
//!                          decided_by: id|null, reason } } ],
//!   claims: [ { id, statement, provenance: "[T]"|"[R]"|..,
//!               checks: [ { id, theory, statement, role: solver|identity|premise|end_to_end,
//!                           stakes: must_hold|prediction, refines: id|null,
//!                           verdict: { label: EXACT|CONVERGED|STAT|BOUND|null,
//!                                      outcome: PASS|FAIL|CONFIRMED|REFUTED|NOT-TESTABLE|ERROR, reason },
//!                           seed,
//!                           evidence: { quantity, measured, uncertainty|null, expected,
//!                                       criterion: { kind, value? }, order|null, params: {..},
//!                                       details: [ { label, measured, expected|null } ], note|null,
//!                                       scale|null }
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

use crate::baseline::Gate;
use crate::check::{Role, Stakes};
use crate::fmt_num;
use crate::judge::Outcome;
use crate::model::Criterion;
use crate::run::{CheckReport, Report, ThesisReport};

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

/// The criterion cell of a check (including the convergence order where there is one): the one place
/// a check's tolerance is printed, quoted from its evidence.
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

/// What was actually tested for a thesis, e.g. `2 identities, 3 premises, no end-to-end test`.
pub fn tested_cell(t: &ThesisReport) -> String {
    let n = |r: Role| t.checks.iter().filter(|c| c.1 == r).count();
    let plural = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    let mut parts = Vec::new();
    for (role, one, many) in [
        (Role::Solver, "solver fact", "solver facts"),
        (Role::Identity, "identity", "identities"),
        (Role::Premise, "premise", "premises"),
    ] {
        if n(role) > 0 {
            parts.push(plural(n(role), one, many));
        }
    }
    let e2e = n(Role::EndToEnd);
    let measured_e2e = t
        .checks
        .iter()
        .filter(|c| c.1 == Role::EndToEnd && c.2 != Outcome::NotTestable)
        .count();
    parts.push(match (e2e, measured_e2e) {
        (0, _) => "no end-to-end test".into(),
        (k, 0) => format!(
            "{} (not testable)",
            plural(k, "end-to-end test", "end-to-end tests")
        ),
        (k, m) if k == m => plural(m, "end-to-end test", "end-to-end tests"),
        (k, m) => format!(
            "{} (+{} not testable)",
            plural(m, "end-to-end test", "end-to-end tests"),
            k - m
        ),
    });
    parts.join(", ")
}

/// The deciding number of a thesis: the deciding check's measurement and outcome.
pub fn deciding_cell(report: &Report, t: &ThesisReport) -> String {
    let Some(c) = t.verdict.decided_by.as_deref().and_then(|id| report.check(id)) else {
        return "-".into();
    };
    match &c.evidence {
        Some(_) => format!(
            "`{}` {}: {} (expected {}, {})",
            c.id,
            c.verdict.outcome,
            measured_cell(c),
            expected_cell(c),
            tolerance_cell(c)
        ),
        None => format!("`{}` {}", c.id, c.verdict.outcome),
    }
}

/// A link to the deciding check's figure, if it has one.
fn figure_link(report: &Report, t: &ThesisReport) -> String {
    match t.verdict.decided_by.as_deref().and_then(|id| report.check(id)) {
        Some(c) if c.evidence.as_ref().is_some_and(|e| e.figure.is_some()) => {
            format!(" ([figure](figures/{}.svg))", c.id)
        }
        _ => String::new(),
    }
}

fn outcome_rank(o: Outcome) -> u8 {
    match o {
        Outcome::Error | Outcome::Fail => 0,
        Outcome::Refuted => 1,
        Outcome::Confirmed => 2,
        Outcome::NotTestable => 3,
        Outcome::Pass => 4,
    }
}

/// The predictions, refuted first, each refined check right after the check it refines.
pub fn predictions(report: &Report) -> Vec<&CheckReport> {
    let mut originals: Vec<&CheckReport> = report
        .checks()
        .filter(|c| c.stakes == Stakes::Prediction && c.refines.is_none_or(|r| report.check(r).is_none()))
        .collect();
    originals.sort_by_key(|c| outcome_rank(c.verdict.outcome));
    let mut out = Vec::new();
    for c in originals {
        out.push(c);
        out.extend(report.checks().filter(|r| r.refines == Some(c.id)));
    }
    out
}

/// Must-hold checks of `role` that hold, and how many there are.
pub fn health(report: &Report, role: Role) -> (usize, usize) {
    let all: Vec<&CheckReport> = report
        .checks()
        .filter(|c| c.role == role && c.stakes == Stakes::MustHold)
        .collect();
    (
        all.iter().filter(|c| c.verdict.outcome == Outcome::Pass).count(),
        all.len(),
    )
}

/// The solver-health line, e.g. `41/41 solver checks and 9/9 identities hold`.
pub fn health_line(report: &Report) -> String {
    let (sp, sn) = health(report, Role::Solver);
    let (ip, in_) = health(report, Role::Identity);
    let verb = if sp == sn && ip == in_ {
        "hold"
    } else {
        "hold (see the failures below)"
    };
    format!("{sp}/{sn} solver checks and {ip}/{in_} identities {verb}")
}

fn theory_tag(c: &CheckReport) -> String {
    if c.theory.is_empty() {
        "-".into()
    } else {
        c.theory.to_string()
    }
}

/// Render `report.md`: the theses first, then the predictions, the analytic findings, solver health,
/// and every check.
pub fn to_markdown(report: &Report, gate: Option<&Gate>) -> String {
    let mut md = String::new();
    header(&mut md, report);
    theses_table(&mut md, report);
    predictions_section(&mut md, report, gate);
    analytic_findings(&mut md, report);
    solver_health(&mut md, report);
    every_check(&mut md, report);
    claims_and_evidence(&mut md, report);
    md
}

/// Title, run identity and provenance.
fn header(md: &mut String, report: &Report) {
    let _ = writeln!(md, "# nqg verification report\n");
    let _ = writeln!(
        md,
        "Claims of V. Vanchurin, *Towards a theory of quantum gravity from neural networks* \
         (arXiv:2111.00903), put to numerical tests. Size `{}`, seed `{}`, commit `{}`, generated {}.\n",
        report.size.name(),
        report.seed,
        report.git_commit.as_deref().unwrap_or("unknown"),
        report.generated_at
    );
    let _ = writeln!(
        md,
        "**Provenance.** The paper's own equations were not recovered (THEORY.md §0, §4): rows tagged \
         `[R]` test a *reconstruction* consistent with the paper's claim, not its published equation; \
         `[T]` rows are textbook solver checks.\n"
    );
}

/// The six claims of the abstract, one row each.
fn theses_table(md: &mut String, report: &Report) {
    let _ = writeln!(md, "## The six claims of the abstract\n");
    let _ = writeln!(
        md,
        "A claim is SUPPORTED only when an end-to-end test (from a simulated network to the claimed law) \
         confirms it and none refutes it; REFUTED when one refutes it; PREMISES-ONLY when only its \
         premises and the identities of the reconstruction were tested (THEORY.md §3.7).\n"
    );
    let _ = writeln!(
        md,
        "| # | claim | what was tested | verdict | the number that decides it | why |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for t in &report.theses {
        let _ = writeln!(
            md,
            "| {} | {} | {} | **{}** | {} | {} |",
            t.number,
            md_escape(t.statement),
            md_escape(&tested_cell(t)),
            t.verdict.status,
            md_escape(&deciding_cell(report, t)) + &figure_link(report, t),
            md_escape(&t.verdict.reason)
        );
    }
}

/// The pre-registered predictions, refinements right below what they refine.
fn predictions_section(md: &mut String, report: &Report, gate: Option<&Gate>) {
    let s = report.summary;
    let _ = writeln!(md, "\n## Pre-registered predictions\n");
    let _ = writeln!(
        md,
        "Premises, end-to-end tests and every criterion THEORY.md writes down, judged exactly as written. \
         CONFIRMED and REFUTED are both results; a refined check (a narrower regime, an exact finite-γ \
         formula) sits right below the check it refines, which is never relaxed. {}.\n",
        s.predictions_line()
    );
    if let Some(g) = gate {
        let _ = writeln!(md, "{}\n", gate_line(g));
    }
    let _ = writeln!(
        md,
        "| THEORY | check | role | outcome | measured | expected | criterion |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for c in predictions(report) {
        let id = match c.refines {
            Some(r) => format!("↳ `{}` (refines `{r}`)", c.id),
            None => format!("`{}`", c.id),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | **{}** | {} | {} | {} |",
            theory_tag(c),
            id,
            c.role,
            c.verdict.short(),
            md_escape(&measured_cell(c)),
            md_escape(&expected_cell(c)),
            md_escape(&tolerance_cell(c))
        );
    }
}

/// The analytic facts E0.x.
fn analytic_findings(md: &mut String, report: &Report) {
    let _ = writeln!(md, "\n## Analytic findings (THEORY.md E0.x)\n");
    let findings: Vec<&CheckReport> = report.checks().filter(|c| c.theory.contains("E0.")).collect();
    if findings.is_empty() {
        let _ = writeln!(md, "None of the E0.x facts is checked in this run.");
    }
    for c in findings {
        let _ = writeln!(
            md,
            "- **{}** `{}`: {} ({})",
            c.theory,
            c.id,
            c.verdict.short(),
            md_escape(&c.verdict.reason)
        );
    }
}

/// Must-hold failures and checks that could not run.
fn solver_health(md: &mut String, report: &Report) {
    let s = report.summary;
    let _ = writeln!(md, "\n## Solver health\n");
    let _ = writeln!(
        md,
        "{} ({} must-hold failures, {} checks that could not run); the tables are [below](#every-check).\n",
        health_line(report),
        s.failed,
        s.errors
    );
    for c in report.checks().filter(|c| c.verdict.outcome.is_defect()) {
        let _ = writeln!(
            md,
            "- **{}** `{}`: {}",
            c.verdict.outcome,
            c.id,
            md_escape(&c.verdict.reason)
        );
    }
}

/// The table of every check.
fn every_check(md: &mut String, report: &Report) {
    let _ = writeln!(md, "\n## Every check\n");
    let _ = writeln!(
        md,
        "Labels are derived from the criterion: EXACT only at round-off (≤ 10³ε × scale), STAT only with a \
         σ band, CONVERGED only with a fitted order, BOUND for any other tolerance.\n"
    );
    let _ = writeln!(
        md,
        "| id | THEORY | role | statement | verdict | measured | expected | criterion |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    for claim in &report.claims {
        for c in &claim.checks {
            let _ = writeln!(
                md,
                "| `{}` | {} | {} | {} | **{}** | {} | {} | {} |",
                c.id,
                theory_tag(c),
                c.role,
                md_escape(c.statement),
                c.verdict.short(),
                md_escape(&measured_cell(c)),
                md_escape(&expected_cell(c)),
                md_escape(&tolerance_cell(c))
            );
        }
    }
}

/// Per claim, every check with its evidence.
fn claims_and_evidence(md: &mut String, report: &Report) {
    let _ = writeln!(md, "\n## Claims and evidence\n");
    for claim in &report.claims {
        let _ = writeln!(
            md,
            "### `{}` {}\n\n{}\n",
            claim.id, claim.provenance, claim.statement
        );
        for c in &claim.checks {
            let _ = writeln!(
                md,
                "- **`{}`** ({}, {}): {} (seed {})",
                c.id,
                c.role,
                theory_tag(c),
                c.verdict.short(),
                c.seed
            );
            let _ = writeln!(md, "  - verdict: {}", md_escape(&c.verdict.reason));
            if let Some(r) = c.refines {
                let _ = writeln!(md, "  - refines `{r}` (which is judged as written)");
            }
            if let Some(r) = &c.not_testable {
                let _ = writeln!(md, "  - not testable: {}", md_escape(r));
            }
            evidence_lines(md, c);
        }
        md.push('\n');
    }
}

/// One check's parameters, observations, convergence data, details and figure.
fn evidence_lines(md: &mut String, c: &CheckReport) {
    let Some(e) = &c.evidence else {
        return;
    };
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

/// One line on the baseline comparison.
pub fn gate_line(g: &Gate) -> String {
    match (&g.not_compared_reason, g.drifts.len()) {
        (Some(r), _) => format!("Outcomes not compared with the baseline: {r}."),
        (None, 0) => {
            "Every prediction's outcome matches the committed baseline (`verify/baseline.json`).".into()
        }
        (None, n) => format!(
            "**{n} prediction outcome(s) differ from the committed baseline** (`verify/baseline.json`): {}. \
             Bless a deliberate change with `cargo xtask verify --bless`.",
            g.drifts
                .iter()
                .map(|d| d.describe())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The terminal summary, in the order of `report.md`: theses, predictions, findings, solver health,
/// then every check (with `all_checks`).
pub fn to_terminal(report: &Report, gate: Option<&Gate>, all_checks: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "The six claims of the abstract");
    for t in &report.theses {
        let _ = writeln!(
            out,
            "  {} {:<12} {:<14} {}",
            t.number,
            t.id,
            t.verdict.status.label(),
            tested_cell(t)
        );
        let _ = writeln!(out, "    {:<27} {}", "", clip(&deciding_cell(report, t), 140));
    }
    let _ = writeln!(
        out,
        "\nPre-registered predictions (THEORY.md criteria as written)"
    );
    let width = report.checks().map(|c| c.id.len()).max().unwrap_or(10) + 2;
    for c in predictions(report) {
        let id = if c.refines.is_some() {
            format!("↳ {}", c.id)
        } else {
            c.id.to_string()
        };
        let _ = writeln!(
            out,
            "  {:<19} {:<8} {:<width$} {} | {} | {}",
            c.verdict.short(),
            clip(&theory_tag(c), 8),
            id,
            measured_cell(c),
            expected_cell(c),
            tolerance_cell(c)
        );
    }
    let findings: Vec<&CheckReport> = report.checks().filter(|c| c.theory.contains("E0.")).collect();
    if !findings.is_empty() {
        let _ = writeln!(out, "\nAnalytic findings");
        for c in findings {
            let _ = writeln!(out, "  {:<19} {} {}", c.verdict.short(), c.theory, c.id);
        }
    }
    let _ = writeln!(out, "\nSolver health: {}", health_line(report));
    for c in report.checks().filter(|c| c.verdict.outcome.is_defect()) {
        let _ = writeln!(
            out,
            "  {:<6} {}: {}",
            c.verdict.outcome.label(),
            c.id,
            c.verdict.reason
        );
    }
    if all_checks {
        let _ = writeln!(out, "\nEvery check");
        for c in report.checks() {
            let _ = writeln!(
                out,
                "  {:<19} {:<10} {:<width$} {:>7.2}s  {} | {} | {}",
                c.verdict.short(),
                c.role.label(),
                c.id,
                c.seconds,
                measured_cell(c),
                expected_cell(c),
                tolerance_cell(c)
            );
        }
    }
    if let Some(g) = gate {
        let _ = writeln!(out, "\n{}", gate_line(g).replace("**", ""));
    }
    out
}

/// Write `report.json`, `report.md` and the figures into `dir` as one set: staged in a fresh
/// directory and published atomically by [`crate::publish::publish_set`], so `dir` never mixes two
/// runs and an interrupted run leaves the previous set. Returns the paths written (under `dir`).
///
/// # Errors
/// The first I/O or rendering error, with the path; the previous set is then left intact.
pub fn write_all(report: &Report, gate: Option<&Gate>, dir: &Path) -> io::Result<Vec<PathBuf>> {
    crate::publish::publish_set(dir, |stage| {
        let mut written = Vec::new();
        let json = serde_json::to_string_pretty(report).map_err(io::Error::other)?;
        write_atomic(&stage.join("report.json"), json.as_bytes())?;
        written.push(PathBuf::from("report.json"));
        write_atomic(&stage.join("report.md"), to_markdown(report, gate).as_bytes())?;
        written.push(PathBuf::from("report.md"));
        let figs = stage.join("figures");
        for c in report.checks() {
            if let Some(fig) = c.evidence.as_ref().and_then(|e| e.figure.as_ref()) {
                fs::create_dir_all(&figs)
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", figs.display())))?;
                let svg = fig.to_svg().map_err(io::Error::other)?;
                write_atomic(&figs.join(format!("{}.svg", c.id)), svg.as_bytes())?;
                written.push(Path::new("figures").join(format!("{}.svg", c.id)));
                write_atomic(&figs.join(format!("{}.csv", c.id)), fig.to_csv().as_bytes())?;
                written.push(Path::new("figures").join(format!("{}.csv", c.id)));
            }
        }
        Ok(written)
    })
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
