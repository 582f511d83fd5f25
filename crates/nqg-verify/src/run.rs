//! Running checks: the parallel runner and the report model it produces.
//!
//! The runner runs the selected checks on the current rayon pool, catches panics (an ERROR), judges
//! each result ([`crate::judge()`]), groups the checks by claim and computes the six theses' verdicts
//! ([`crate::thesis_verdict`]). Nothing in a [`Report`] depends on the number of threads.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::check::{Check, CheckError, CheckResult, Finding, Role, Stakes};
use crate::context::{RunContext, Size, derive_seed};
use crate::judge::{Bearing, Outcome, ThesisVerdict, Verdict, judge, thesis_verdict};
use crate::model::{Evidence, Provenance};
use crate::registry::Registry;

/// Options of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Problem size.
    pub size: Size,
    /// Run seed.
    pub seed: u64,
    /// Only checks whose id starts with one of these prefixes (all checks if empty).
    pub filters: Vec<String>,
}

/// The report of one check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Check id.
    pub id: &'static str,
    /// THEORY.md ids it implements.
    pub theory: &'static str,
    /// What it verifies.
    pub statement: &'static str,
    /// What it is for.
    pub role: Role,
    /// Must it hold, or is it a prediction?
    pub stakes: Stakes,
    /// The pre-registered check it refines, if any.
    pub refines: Option<&'static str>,
    /// Derived label, outcome and reason.
    pub verdict: Verdict,
    /// The check's derived seed.
    pub seed: u64,
    /// The measurement, if any.
    pub evidence: Option<Evidence>,
    /// Why it is not testable, if so.
    pub not_testable: Option<String>,
    /// The error, if it could not run.
    pub error: Option<String>,
    /// Wall time in seconds (not part of `report.json`, which must be reproducible).
    #[serde(skip)]
    pub seconds: f64,
}

/// The report of one claim (a group of checks).
#[derive(Debug, Clone, Serialize)]
pub struct ClaimReport {
    /// Claim id.
    pub id: &'static str,
    /// The claim.
    pub statement: &'static str,
    /// Provenance tag.
    pub provenance: Provenance,
    /// Its checks.
    pub checks: Vec<CheckReport>,
}

/// The verdict on one of the six theses of the abstract.
#[derive(Debug, Clone, Serialize)]
pub struct ThesisReport {
    /// Its number in the abstract.
    pub number: u8,
    /// Short id.
    pub id: &'static str,
    /// The claim as the abstract states it.
    pub statement: &'static str,
    /// The selected checks bearing on it, with their roles and outcomes: `(id, role, outcome)`.
    pub checks: Vec<(String, Role, Outcome)>,
    /// The computed verdict.
    pub verdict: ThesisVerdict,
}

/// Counts of a run, kept on the two axes of THEORY.md §3.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Summary {
    /// Must-hold checks that hold.
    pub passed: usize,
    /// Must-hold checks that fail.
    pub failed: usize,
    /// Checks of any stakes that could not run or returned a non-finite number.
    pub errors: usize,
    /// Predictions confirmed.
    pub confirmed: usize,
    /// Predictions refuted.
    pub refuted: usize,
    /// Predictions that cannot be tested.
    pub not_testable: usize,
}

impl Summary {
    /// The closing line: `N passed, N failed` for the must-hold checks (errors counted as failures).
    pub fn line(&self) -> String {
        format!("{} passed, {} failed", self.passed, self.failed + self.errors)
    }

    /// The prediction tally, printed above the closing line.
    pub fn predictions_line(&self) -> String {
        format!(
            "predictions: {} confirmed, {} refuted, {} not testable",
            self.confirmed, self.refuted, self.not_testable
        )
    }
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Schema identifier of `report.json`.
    pub schema: &'static str,
    /// nqg version.
    pub version: &'static str,
    /// Git commit of the working tree, if known.
    pub git_commit: Option<String>,
    /// Run seed.
    pub seed: u64,
    /// Problem size.
    pub size: Size,
    /// Id prefixes selected (empty: all).
    pub filters: Vec<String>,
    /// Creation time (RFC 3339, UTC); the only field that differs between identical runs.
    pub generated_at: String,
    /// Counts.
    pub summary: Summary,
    /// The six theses of the abstract, with their computed verdicts.
    pub theses: Vec<ThesisReport>,
    /// Per claim, its checks.
    pub claims: Vec<ClaimReport>,
}

impl Report {
    /// Every check report, in order.
    pub fn checks(&self) -> impl Iterator<Item = &CheckReport> {
        self.claims.iter().flat_map(|c| c.checks.iter())
    }

    /// The check report with this id.
    pub fn check(&self, id: &str) -> Option<&CheckReport> {
        self.checks().find(|c| c.id == id)
    }
}

/// Errors of a run request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The filters matched nothing.
    #[error("no check matches {filters:?}; `cargo xtask list` shows the ids")]
    NoMatch {
        /// The prefixes given.
        filters: Vec<String>,
    },
    /// The registry is inconsistent (a bug in the registration).
    #[error("the registry is inconsistent: {problems:?}")]
    BadRegistry {
        /// What is wrong.
        problems: Vec<String>,
    },
}

/// Whether `id` is selected by the prefixes (all ids when there are none).
pub fn selected(id: &str, filters: &[String]) -> bool {
    filters.is_empty() || filters.iter().any(|f| id.starts_with(f.as_str()))
}

/// Run one check, catching panics (reported as ERROR), and judge it.
pub fn run_check(check: &Check, ctx: RunContext) -> CheckReport {
    let start = Instant::now();
    let result: CheckResult = match catch_unwind(AssertUnwindSafe(|| (check.run)(&ctx))) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(CheckError(format!("panicked: {msg}")))
        }
    };
    let verdict = judge(check.stakes, &result);
    let (evidence, not_testable, error) = match result {
        Ok(Finding::Measured(e)) => (Some(*e), None, None),
        Ok(Finding::NotTestable { reason }) => (None, Some(reason), None),
        Err(e) => (None, None, Some(e.0)),
    };
    CheckReport {
        id: check.id,
        theory: check.theory,
        statement: check.statement,
        role: check.role,
        stakes: check.stakes,
        refines: check.refines,
        verdict,
        seed: ctx.seed,
        evidence,
        not_testable,
        error,
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// Run the selected checks in parallel on the current rayon pool; `on_done` is called as each ends.
///
/// # Errors
/// [`RunError::NoMatch`] if the filters select nothing, [`RunError::BadRegistry`] if the registry has
/// id problems ([`Registry::id_problems`]).
pub fn run(
    registry: &Registry,
    opts: &RunOptions,
    on_done: &(dyn Fn(&CheckReport) + Sync),
) -> Result<Report, RunError> {
    let problems = registry.id_problems();
    if !problems.is_empty() {
        return Err(RunError::BadRegistry { problems });
    }
    let jobs: Vec<(usize, &Check)> = registry
        .claims()
        .iter()
        .enumerate()
        .flat_map(|(ci, c)| c.checks.iter().map(move |k| (ci, k)))
        .filter(|(_, k)| selected(k.id, &opts.filters))
        .collect();
    if jobs.is_empty() {
        return Err(RunError::NoMatch {
            filters: opts.filters.clone(),
        });
    }
    let results: Vec<(usize, CheckReport)> = jobs
        .par_iter()
        .with_max_len(1)
        .map(|&(ci, k)| {
            let ctx = RunContext {
                size: opts.size,
                seed: derive_seed(opts.seed, k.id),
            };
            let r = run_check(k, ctx);
            on_done(&r);
            (ci, r)
        })
        .collect();
    let (claims, summary) = group_by_claim(registry, results);
    let mut report = Report {
        schema: "nqg-verify/2",
        version: env!("CARGO_PKG_VERSION"),
        git_commit: None,
        seed: opts.seed,
        size: opts.size,
        filters: opts.filters.clone(),
        generated_at: String::new(),
        summary,
        theses: Vec::new(),
        claims,
    };
    report.theses = judge_theses(registry, &report);
    Ok(report)
}

/// Collect the reports in registry order under their claims, and tally the outcomes.
fn group_by_claim(registry: &Registry, results: Vec<(usize, CheckReport)>) -> (Vec<ClaimReport>, Summary) {
    let mut claims: Vec<ClaimReport> = Vec::new();
    let mut summary = Summary::default();
    for (ci, r) in results {
        match r.verdict.outcome {
            Outcome::Pass => summary.passed += 1,
            Outcome::Fail => summary.failed += 1,
            Outcome::Error => summary.errors += 1,
            Outcome::Confirmed => summary.confirmed += 1,
            Outcome::Refuted => summary.refuted += 1,
            Outcome::NotTestable => summary.not_testable += 1,
        }
        let claim = &registry.claims()[ci];
        match claims.last_mut() {
            Some(last) if last.id == claim.id => last.checks.push(r),
            _ => claims.push(ClaimReport {
                id: claim.id,
                statement: claim.statement,
                provenance: claim.provenance,
                checks: vec![r],
            }),
        }
    }
    (claims, summary)
}

/// The six theses' verdicts from the outcomes of the checks that bear on each (THEORY.md §3.7).
fn judge_theses(registry: &Registry, report: &Report) -> Vec<ThesisReport> {
    registry
        .theses()
        .iter()
        .map(|t| {
            let checks: Vec<(String, Role, Outcome)> = t
                .checks
                .iter()
                .filter_map(|id| report.check(id))
                .map(|c| (c.id.to_string(), c.role, c.verdict.outcome))
                .collect();
            let bearings: Vec<Bearing<'_>> = checks
                .iter()
                .map(|(id, role, outcome)| Bearing {
                    id,
                    role: *role,
                    outcome: *outcome,
                })
                .collect();
            let verdict = thesis_verdict(t.interpretive, &bearings);
            ThesisReport {
                number: t.number,
                id: t.id,
                statement: t.statement,
                checks,
                verdict,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines() {
        let s = Summary {
            passed: 3,
            failed: 1,
            errors: 1,
            confirmed: 4,
            refuted: 2,
            not_testable: 1,
        };
        assert_eq!(s.line(), "3 passed, 2 failed");
        assert_eq!(
            s.predictions_line(),
            "predictions: 4 confirmed, 2 refuted, 1 not testable"
        );
    }
}
