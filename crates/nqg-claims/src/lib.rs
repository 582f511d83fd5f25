//! # nqg-claims: the claims of the paper as experiments
//!
//! The bridge of the workspace: each claim of V. Vanchurin, "Towards a theory of quantum gravity from
//! neural networks" (arXiv:2111.00903), and each solver fact its chain relies on, becomes a registered
//! claim whose checks run an experiment on the leaf crates (`nqg-network`, `nqg-thermo`,
//! `nqg-quantum`, `nqg-geometry`) and return evidence. The harness (`nqg-verify`, re-exported here)
//! judges the evidence; [`registry()`] holds every check and the six theses of the abstract.
//!
//! ```
//! use nqg_claims::{Outcome, RunOptions, Size, registry, run};
//! let opts = RunOptions { size: Size::Quick, seed: 1, filters: vec!["geometry.lorentz".into()] };
//! let report = run(&registry(), &opts, &|_| {}).unwrap();
//! assert!(report.checks().all(|c| c.verdict.outcome == Outcome::Pass));
//! ```

pub mod checks;
pub mod experiments;
pub mod theses;

pub use nqg_verify::*;

/// Every check of nqg, and the six theses of the abstract they bear on.
pub fn registry() -> Registry {
    let mut reg = Registry::new();
    checks::register(&mut reg);
    theses::register(&mut reg);
    reg
}

/// The file holding the checks of claim `claim_id` (`layer.topic` → `checks/<layer>/<topic>.rs`).
pub fn code_path(claim_id: &str) -> String {
    let (layer, topic) = claim_id.split_once('.').unwrap_or((claim_id, ""));
    format!("crates/nqg-claims/src/checks/{layer}/{topic}.rs")
}
