//! Running checks: sizes, seeds, parallel execution and the resulting report model.
//!
//! Every check gets its own seed derived from the run seed and the check id (FNV-1a of the id mixed
//! with SplitMix64), so a check's numbers do not depend on which other checks run, in which order,
//! or on how many threads run them.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rayon::prelude::*;
use serde::Serialize;

use crate::model::{CheckError, CheckResult, Evidence, Kind, Outcome, Provenance, Status, Verdict, judge};
use crate::registry::Registry;

/// Problem sizes: quick for CI, full for paper-scale runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    /// Minutes on 2 cores for the whole suite.
    Quick,
    /// Paper-scale sizes and tighter error bars.
    Full,
}

/// What a check function receives.
#[derive(Debug, Clone, Copy)]
pub struct RunContext {
    /// Problem size.
    pub size: Size,
    /// This check's seed (derived from the run seed and the check id).
    pub seed: u64,
}

impl RunContext {
    /// A context for running one check directly (tests, examples).
    pub fn new(size: Size, run_seed: u64, check_id: &str) -> Self {
        Self {
            size,
            seed: derive_seed(run_seed, check_id),
        }
    }

    /// `quick` or `full` depending on the size.
    pub fn pick<T>(&self, quick: T, full: T) -> T {
        match self.size {
            Size::Quick => quick,
            Size::Full => full,
        }
    }

    /// A reproducible RNG seeded with this check's seed.
    pub fn rng(&self) -> StdRng {
        StdRng::seed_from_u64(self.seed)
    }
}

/// SplitMix64 finaliser: a bijective mix of 64 bits.
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of check `id` in a run with seed `run_seed` (stable across platforms and releases).
pub fn derive_seed(run_seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    splitmix64(run_seed ^ splitmix64(h))
}

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
    /// What it verifies.
    pub statement: &'static str,
    /// The status it earns when it holds.
    pub kind: Kind,
    /// Computed status and reason.
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

/// The report of one claim: its checks and the weakest of their statuses.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimReport {
    /// Claim id.
    pub id: &'static str,
    /// The claim.
    pub statement: &'static str,
    /// Provenance tag.
    pub provenance: Provenance,
    /// The weakest status of its checks.
    pub verdict: Status,
    /// Its checks.
    pub checks: Vec<CheckReport>,
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Summary {
    /// EXACT, CONVERGED, STAT or QUALITATIVE.
    pub passed: usize,
    /// FAIL (including checks that could not run).
    pub failed: usize,
    /// NOT-TESTABLE.
    pub not_testable: usize,
}

impl Summary {
    /// The closing line: `N passed, N failed` plus `, N skipped` when some are not testable.
    pub fn line(&self) -> String {
        if self.not_testable > 0 {
            format!(
                "{} passed, {} failed, {} skipped",
                self.passed, self.failed, self.not_testable
            )
        } else {
            format!("{} passed, {} failed", self.passed, self.failed)
        }
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
    /// Per claim, its checks.
    pub claims: Vec<ClaimReport>,
}

impl Report {
    /// Every check report, in order.
    pub fn checks(&self) -> impl Iterator<Item = &CheckReport> {
        self.claims.iter().flat_map(|c| c.checks.iter())
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
}

fn selected(id: &str, filters: &[String]) -> bool {
    filters.is_empty() || filters.iter().any(|f| id.starts_with(f.as_str()))
}

/// Run one check, catching panics (reported as FAIL), and judge it.
pub fn run_check(check: &crate::model::Check, ctx: RunContext) -> CheckReport {
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
    let verdict = judge(check.kind, &result);
    let (evidence, not_testable, error) = match result {
        Ok(Outcome::Measured(e)) => (Some(*e), None, None),
        Ok(Outcome::NotTestable { reason }) => (None, Some(reason), None),
        Err(e) => (None, None, Some(e.0)),
    };
    CheckReport {
        id: check.id,
        statement: check.statement,
        kind: check.kind,
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
/// [`RunError::NoMatch`] if the filters select nothing.
pub fn run(
    registry: &Registry,
    opts: &RunOptions,
    on_done: &(dyn Fn(&CheckReport) + Sync),
) -> Result<Report, RunError> {
    let jobs: Vec<(usize, &crate::model::Check)> = registry
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
    let mut claims: Vec<ClaimReport> = Vec::new();
    let mut summary = Summary::default();
    for (ci, r) in results {
        match r.verdict.status {
            Status::Fail => summary.failed += 1,
            Status::NotTestable => summary.not_testable += 1,
            _ => summary.passed += 1,
        }
        let claim = &registry.claims()[ci];
        match claims.last_mut() {
            Some(last) if last.id == claim.id => last.checks.push(r),
            _ => claims.push(ClaimReport {
                id: claim.id,
                statement: claim.statement,
                provenance: claim.provenance,
                verdict: Status::Exact,
                checks: vec![r],
            }),
        }
    }
    for c in &mut claims {
        c.verdict = c
            .checks
            .iter()
            .map(|k| k.verdict.status)
            .min()
            .unwrap_or(Status::Fail);
    }
    Ok(Report {
        schema: "nqg-verify/1",
        version: env!("CARGO_PKG_VERSION"),
        git_commit: None,
        seed: opts.seed,
        size: opts.size,
        filters: opts.filters.clone(),
        generated_at: String::new(),
        summary,
        claims,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_depend_on_run_seed_and_id_only() {
        assert_eq!(derive_seed(1, "a.b.c"), derive_seed(1, "a.b.c"));
        assert_ne!(derive_seed(1, "a.b.c"), derive_seed(2, "a.b.c"));
        assert_ne!(derive_seed(1, "a.b.c"), derive_seed(1, "a.b.d"));
    }

    #[test]
    fn unknown_prefix_is_an_error() {
        let reg = Registry::all();
        let opts = RunOptions {
            size: Size::Quick,
            seed: 0,
            filters: vec!["nonexistent".into()],
        };
        assert!(matches!(run(&reg, &opts, &|_| {}), Err(RunError::NoMatch { .. })));
    }

    #[test]
    fn summary_line_format() {
        let s = Summary {
            passed: 3,
            failed: 1,
            not_testable: 0,
        };
        assert_eq!(s.line(), "3 passed, 1 failed");
        let s = Summary { not_testable: 2, ..s };
        assert_eq!(s.line(), "3 passed, 1 failed, 2 skipped");
    }
}
