//! The committed baseline of prediction outcomes, and the gate that decides the exit code.
//!
//! A prediction may come out CONFIRMED or REFUTED; both are results and neither fails CI. What fails
//! is a *silent* change: the baseline file (`verify/baseline.json`) records the outcome of every
//! prediction, per problem size, for the seed it was blessed at, and [`gate`] reports every
//! prediction whose outcome differs from it. The file changes only through an explicit
//! `cargo xtask verify --bless`, i.e. a deliberate commit. Must-hold failures and errors fail the gate
//! whatever the baseline says.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::check::Stakes;
use crate::context::Size;
use crate::judge::Outcome;
use crate::run::{Report, selected};

/// Schema of the baseline file.
pub const BASELINE_SCHEMA: &str = "nqg-baseline/1";

/// Prediction outcomes, per size, at one seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Always [`BASELINE_SCHEMA`].
    pub schema: String,
    /// The run seed the outcomes were blessed at (outcomes are compared only at this seed).
    pub seed: u64,
    /// Outcomes of the quick run, by check id.
    pub quick: BTreeMap<String, Outcome>,
    /// Outcomes of the full run, by check id.
    pub full: BTreeMap<String, Outcome>,
}

/// Errors reading, blessing or writing a baseline.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BaselineError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a baseline.
    #[error("{path} is not a baseline file ({reason})")]
    Malformed {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Blessing at another seed than the baseline's would mix two seeds in one file.
    #[error("the baseline was blessed at seed {baseline}; this run used seed {run}")]
    SeedMismatch {
        /// The baseline's seed.
        baseline: u64,
        /// The run's seed.
        run: u64,
    },
    /// A report with defects (must-hold failures or errors) cannot be blessed.
    #[error("cannot bless a run with {defects} must-hold failure(s) or error(s)")]
    Defects {
        /// How many.
        defects: usize,
    },
}

impl Baseline {
    /// An empty baseline at `seed`.
    pub fn empty(seed: u64) -> Self {
        Self {
            schema: BASELINE_SCHEMA.into(),
            seed,
            quick: BTreeMap::new(),
            full: BTreeMap::new(),
        }
    }

    /// Read the baseline at `path`; a missing file is `Ok(None)`.
    ///
    /// # Errors
    /// An unreadable or malformed file.
    pub fn load(path: &Path) -> Result<Option<Self>, BaselineError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(BaselineError::Io {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        let b: Self = serde_json::from_str(&text).map_err(|e| BaselineError::Malformed {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if b.schema != BASELINE_SCHEMA {
            return Err(BaselineError::Malformed {
                path: path.display().to_string(),
                reason: format!("schema `{}`, expected `{BASELINE_SCHEMA}`", b.schema),
            });
        }
        Ok(Some(b))
    }

    /// Write the baseline to `path` (pretty JSON, one outcome per line, atomically).
    ///
    /// # Errors
    /// Any I/O error.
    pub fn save(&self, path: &Path) -> Result<(), BaselineError> {
        let io = |source| BaselineError::Io {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut json = serde_json::to_string_pretty(self).map_err(|e| io(std::io::Error::other(e)))?;
        json.push('\n');
        crate::report::write_atomic(path, json.as_bytes()).map_err(io)
    }

    /// The outcomes recorded for `size`.
    pub fn outcomes(&self, size: Size) -> &BTreeMap<String, Outcome> {
        match size {
            Size::Quick => &self.quick,
            Size::Full => &self.full,
        }
    }

    fn outcomes_mut(&mut self, size: Size) -> &mut BTreeMap<String, Outcome> {
        match size {
            Size::Quick => &mut self.quick,
            Size::Full => &mut self.full,
        }
    }

    /// Record the report's prediction outcomes. An unfiltered run replaces the size's outcomes (so
    /// removed checks leave the file); a filtered run updates only the checks it ran.
    ///
    /// # Errors
    /// [`BaselineError::SeedMismatch`] if the report's seed is not the baseline's (for a non-empty
    /// baseline), [`BaselineError::Defects`] if the report has must-hold failures or errors.
    pub fn bless(&mut self, report: &Report) -> Result<(), BaselineError> {
        let defects = report.summary.failed + report.summary.errors;
        if defects > 0 {
            return Err(BaselineError::Defects { defects });
        }
        let is_empty = self.quick.is_empty() && self.full.is_empty();
        if report.seed != self.seed && !is_empty {
            return Err(BaselineError::SeedMismatch {
                baseline: self.seed,
                run: report.seed,
            });
        }
        self.seed = report.seed;
        let map = self.outcomes_mut(report.size);
        if report.filters.is_empty() {
            map.clear();
        }
        for c in report.checks().filter(|c| c.stakes == Stakes::Prediction) {
            map.insert(c.id.to_string(), c.verdict.outcome);
        }
        Ok(())
    }
}

/// A prediction whose outcome differs from the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Check id.
    pub id: String,
    /// The baseline's outcome (`None`: not in the baseline).
    pub baseline: Option<Outcome>,
    /// This run's outcome (`None`: the check no longer exists).
    pub now: Option<Outcome>,
}

impl Drift {
    /// One line, e.g. `paper.x.y: CONFIRMED in the baseline, REFUTED now`.
    pub fn describe(&self) -> String {
        let o = |x: Option<Outcome>, none: &str| x.map_or_else(|| none.to_string(), |o| o.to_string());
        format!(
            "{}: {} in the baseline, {} now",
            self.id,
            o(self.baseline, "absent"),
            o(self.now, "not registered")
        )
    }
}

/// What the run amounts to for the exit code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gate {
    /// Must-hold failures plus errors.
    pub defects: usize,
    /// Whether outcomes were compared with a baseline (same seed, file present).
    pub compared: bool,
    /// Why not, if not.
    pub not_compared_reason: Option<String>,
    /// Predictions whose outcome differs from the baseline.
    pub drifts: Vec<Drift>,
}

impl Gate {
    /// The run passes: no defect and no drift.
    pub fn passes(&self) -> bool {
        self.defects == 0 && self.drifts.is_empty()
    }
}

/// Compare a report with the baseline and count its defects.
///
/// With no baseline file every prediction counts as a drift (the file must be committed). A baseline
/// at another seed, or with no outcomes for the run's size, is not compared, and the gate says why.
pub fn gate(report: &Report, baseline: Option<&Baseline>) -> Gate {
    let defects = report.summary.failed + report.summary.errors;
    // No baseline file: every prediction is new, so the run fails until it is blessed.
    let empty = Baseline::empty(report.seed);
    let b = baseline.unwrap_or(&empty);
    if b.seed != report.seed {
        return Gate {
            defects,
            compared: false,
            not_compared_reason: Some(format!(
                "the baseline is for seed {}; this run used seed {}",
                b.seed, report.seed
            )),
            drifts: Vec::new(),
        };
    }
    let outcomes = b.outcomes(report.size);
    if baseline.is_some() && outcomes.is_empty() {
        return Gate {
            defects,
            compared: false,
            not_compared_reason: Some(format!(
                "no {}-size outcomes have been blessed yet (`cargo xtask verify --{} --bless`)",
                report.size.name(),
                report.size.name()
            )),
            drifts: Vec::new(),
        };
    }
    let mut drifts = Vec::new();
    for c in report.checks().filter(|c| c.stakes == Stakes::Prediction) {
        if c.verdict.outcome == Outcome::Error {
            continue; // already a defect
        }
        let was = outcomes.get(c.id).copied();
        if was != Some(c.verdict.outcome) {
            drifts.push(Drift {
                id: c.id.to_string(),
                baseline: was,
                now: Some(c.verdict.outcome),
            });
        }
    }
    for (id, was) in outcomes {
        if selected(id, &report.filters) && report.check(id).is_none_or(|c| c.stakes != Stakes::Prediction) {
            drifts.push(Drift {
                id: id.clone(),
                baseline: Some(*was),
                now: None,
            });
        }
    }
    Gate {
        defects,
        compared: true,
        not_compared_reason: None,
        drifts,
    }
}
