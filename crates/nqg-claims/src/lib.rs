//! # nqg-claims: the claims of the paper as experiments
//!
//! The bridge of the workspace: each claim of V. Vanchurin, "Towards a theory of quantum gravity from
//! neural networks" (arXiv:2111.00903), and each solver fact its chain relies on, becomes a registered
//! [`Claim`] with [`Check`]s that run an experiment on the leaf crates (`nqg-network`, `nqg-thermo`,
//! `nqg-quantum`, `nqg-geometry`) and return [`Evidence`]. The [`Status`] of each check is computed from
//! that evidence by [`judge`]; `cargo xtask verify` runs the [`Registry`] and writes the report.
//!
//! ```
//! use nqg_claims::{Registry, RunOptions, Size, run};
//! let reg = Registry::all();
//! let opts = RunOptions { size: Size::Quick, seed: 1, filters: vec!["geometry.lorentz".into()] };
//! let report = run(&reg, &opts, &|_| {}).unwrap();
//! assert_eq!(report.summary.failed, 0);
//! ```

pub mod checks;
pub mod experiments;
pub mod figure;
pub mod model;
pub mod registry;
pub mod report;
pub mod run;

pub use figure::{Figure, Series, Style};
pub use model::{
    Check, CheckError, CheckFn, CheckResult, Claim, Criterion, Detail, Evidence, Kind, Order, Outcome,
    Provenance, Status, Verdict, fit_loglog_slope, judge,
};
pub use registry::Registry;
pub use run::{CheckReport, ClaimReport, Report, RunContext, RunError, RunOptions, Size, Summary, run};

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
