//! # nqg-verify: the verification harness
//!
//! Everything `cargo xtask verify` needs except the physics: the check model ([`Check`], [`Claim`],
//! [`Thesis`], [`Role`], [`Stakes`]), the [`Evidence`] a check returns, the one function that judges it
//! ([`judge()`]: a label derived from the criterion and an outcome on the two axes of THEORY.md §3.7),
//! the verdict of each of the paper's six claims ([`thesis_verdict`]), the parallel runner ([`run()`]),
//! the committed baseline of prediction outcomes and the gate on it ([`baseline`]), convergence studies
//! ([`Study`]), figures, the report writers ([`report`]) and the generated theory map ([`theory_map`]).
//! The checks themselves live in `nqg-claims`.
//!
//! ```
//! use nqg_verify::{Criterion, Evidence, Outcome, Registry, Role, RunOptions, Size, run};
//! fn one_plus_one(_: &nqg_verify::RunContext) -> nqg_verify::CheckResult {
//!     Ok(Evidence::round_off("1 + 1 - 2", 1.0 + 1.0 - 2.0, 0.0, 2.0).into())
//! }
//! let mut reg = Registry::new();
//! reg.claim("demo.arith", "Arithmetic", nqg_verify::Provenance::Textbook)
//!     .check("demo.arith.sum", "1 + 1 = 2", Role::Solver, one_plus_one);
//! let opts = RunOptions { size: Size::Quick, seed: 1, filters: vec![] };
//! let report = run(&reg, &opts, &|_| {}).unwrap();
//! assert_eq!(report.checks().next().unwrap().verdict.outcome, Outcome::Pass);
//! assert_eq!(report.summary.line(), "1 passed, 0 failed");
//! ```

pub mod baseline;
pub mod check;
pub mod context;
pub mod figure;
pub mod judge;
pub mod map;
pub mod model;
pub mod publish;
pub mod registry;
pub mod report;
pub mod run;
pub mod study;

pub use baseline::{Baseline, BaselineError, Drift, Gate, gate};
pub use check::{Check, CheckError, CheckFn, CheckResult, Claim, Finding, Role, Stakes, Thesis};
pub use context::{RunContext, Size, derive_seed, splitmix64};
pub use figure::{Figure, Series, Style};
pub use judge::{
    Bearing, Label, Outcome, ThesisStatus, ThesisVerdict, Verdict, criterion_holds, judge, label_of,
    thesis_verdict,
};
pub use map::theory_map;
pub use model::{Criterion, Detail, Evidence, Order, Provenance, ROUND_OFF, fit_loglog_slope};
pub use registry::Registry;
pub use run::{CheckReport, ClaimReport, Report, RunError, RunOptions, Summary, ThesisReport, run};
pub use study::Study;

/// Format a number for reports: 6 significant digits, scientific outside $[10^{-3}, 10^{6})$.
pub fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if !x.is_finite() {
        format!("{x}")
    } else if (1e-3..1e6).contains(&x.abs()) {
        let s = format!("{x:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        format!("{x:.3e}")
    }
}
