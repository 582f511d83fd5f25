//! The evidence model: provenance tags, criteria, convergence orders and the [`Evidence`] a check
//! returns.
//!
//! A check measures something and returns [`Evidence`]: the measured value (with its one-sigma error
//! when statistical), the expected value (computed independently of the measurement), the
//! [`Criterion`] that compares them (typed once, here, and quoted by every report), optionally a fitted
//! convergence [`Order`], parameters, sub-measurements and a figure. What the evidence *means* (its
//! label and outcome) is decided by [`crate::judge()`] alone.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::figure::Figure;

/// Where a statement or equation comes from (THEORY.md §0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Provenance {
    /// Recovered from the paper itself (abstract, headings, Section 2 notation, introduction).
    #[serde(rename = "[S]")]
    Paper,
    /// Second-hand: a public note citing the paper's equation numbers.
    #[serde(rename = "[S2]")]
    SecondHand,
    /// From the precursor "The world as a neural network" (arXiv:2008.01540).
    #[serde(rename = "[P-WNN]")]
    WorldAsNeuralNetwork,
    /// From "Emergent quantumness in neural networks" (arXiv:2012.05082).
    #[serde(rename = "[P-EQ]")]
    EmergentQuantumness,
    /// From "Towards a theory of machine learning" (arXiv:2004.09280).
    #[serde(rename = "[P-TML]")]
    TheoryOfMachineLearning,
    /// From "Entropic mechanics" (arXiv:1901.07369).
    #[serde(rename = "[P-EM]")]
    EntropicMechanics,
    /// A reconstruction from standard physics (not the paper's published equation).
    #[serde(rename = "[R]")]
    Reconstruction,
    /// A textbook result, used as a solver test.
    #[serde(rename = "[T]")]
    Textbook,
}

impl Provenance {
    /// The tag as written in THEORY.md, e.g. `[R]`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Paper => "[S]",
            Self::SecondHand => "[S2]",
            Self::WorldAsNeuralNetwork => "[P-WNN]",
            Self::EmergentQuantumness => "[P-EQ]",
            Self::TheoryOfMachineLearning => "[P-TML]",
            Self::EntropicMechanics => "[P-EM]",
            Self::Reconstruction => "[R]",
            Self::Textbook => "[T]",
        }
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// The round-off threshold of THEORY.md §3.7: a tolerance of at most $10^3\\,\varepsilon$ times the
/// scale of the compared terms is an identity at round-off (EXACT); anything looser is a BOUND.
pub const ROUND_OFF: f64 = 1e3 * f64::EPSILON;

/// How a measured value is compared with the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Criterion {
    /// $|m - e| \le \text{tol}$.
    AbsDiff(f64),
    /// $|m - e| \le \text{tol}\\,|e|$.
    RelDiff(f64),
    /// $|m - e| \le k\\,\sigma$ with $\sigma$ the evidence's uncertainty (which must be present).
    Sigmas(f64),
    /// $m \le e$: the expected value is an upper bound (e.g. a residual bound).
    AtMost,
    /// $m \ge e$: the expected value is a lower bound (e.g. a detection threshold).
    AtLeast,
}

impl Criterion {
    /// Human-readable form, e.g. `|Δ| ≤ 1e-12`.
    pub fn describe(&self) -> String {
        match *self {
            Self::AbsDiff(t) => format!("abs ≤ {}", crate::fmt_num(t)),
            Self::RelDiff(t) => format!("rel ≤ {}", crate::fmt_num(t)),
            Self::Sigmas(k) => format!("≤ {k}σ"),
            Self::AtMost => "measured ≤ bound".to_string(),
            Self::AtLeast => "measured ≥ bound".to_string(),
        }
    }
}

/// An observed convergence order: $\text{err} \approx C h^p$ fitted by least squares in log-log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Order {
    /// The fitted order $p$.
    pub observed: f64,
    /// The scheme's theoretical order.
    pub expected: f64,
    /// Allowed $|p_\text{obs} - p|$.
    pub tolerance: f64,
    /// Step sizes (or resolutions $h$) used.
    pub steps: Vec<f64>,
    /// Errors at those steps.
    pub errors: Vec<f64>,
}

impl Order {
    /// Fit the order from `(h, err)` pairs. Non-positive or non-finite pairs make the fit NaN, which
    /// the judge turns into an ERROR.
    pub fn fit(steps: Vec<f64>, errors: Vec<f64>, expected: f64, tolerance: f64) -> Self {
        let observed = fit_loglog_slope(&steps, &errors);
        Self {
            observed,
            expected,
            tolerance,
            steps,
            errors,
        }
    }
}

/// Least-squares slope of $\log y$ against $\log x$ ([`nqg_stats::fit::loglog_slope`]); NaN if fewer
/// than two valid points or any point is non-positive or non-finite.
pub fn fit_loglog_slope(x: &[f64], y: &[f64]) -> f64 {
    nqg_stats::fit::loglog_slope(x, y, &vec![0.0; x.len()]).map_or(f64::NAN, |(slope, _)| slope)
}

/// One sub-measurement shown with a check (e.g. one energy level of a spectrum).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detail {
    /// What this row is, e.g. `E_3`.
    pub label: String,
    /// Measured value.
    pub measured: f64,
    /// Expected value (closed form or independent computation), if any.
    pub expected: Option<f64>,
}

/// What a check measured, with everything needed to judge and reproduce it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// What `measured` is, e.g. `max |R_ab| over 200 points`.
    pub quantity: String,
    /// The measured value.
    pub measured: f64,
    /// Its one-sigma statistical uncertainty, if statistical.
    pub uncertainty: Option<f64>,
    /// The expected value (closed form, independent computation, or bound).
    pub expected: f64,
    /// How measured and expected are compared.
    pub criterion: Criterion,
    /// Observed convergence order, required for CONVERGED.
    pub order: Option<Order>,
    /// Parameters of the experiment.
    pub params: BTreeMap<String, serde_json::Value>,
    /// Sub-measurements.
    pub details: Vec<Detail>,
    /// What was seen, in words (required reading for QUALITATIVE checks).
    pub note: Option<String>,
    /// The magnitude of the terms compared, for a round-off judgement (THEORY.md §3.7: EXACT only when
    /// the tolerance is at most $10^3\\,\varepsilon$ times this scale). `None` means
    /// $\max(|\text{expected}|, 1)$.
    pub scale: Option<f64>,
    /// Figure data, written as SVG and CSV.
    #[serde(skip)]
    pub figure: Option<Figure>,
}

impl Evidence {
    /// Evidence that `quantity` measured `measured` where `expected` was expected, judged by `criterion`.
    pub fn new(quantity: impl Into<String>, measured: f64, expected: f64, criterion: Criterion) -> Self {
        Self {
            quantity: quantity.into(),
            measured,
            uncertainty: None,
            expected,
            criterion,
            order: None,
            params: BTreeMap::new(),
            details: Vec::new(),
            note: None,
            scale: None,
            figure: None,
        }
    }

    /// Evidence for an identity judged at round-off: $|m - e| \le 10^3\\,\varepsilon\\,\text{scale}$,
    /// where `scale` is the magnitude of the terms that cancel (THEORY.md §3.7).
    pub fn round_off(quantity: impl Into<String>, measured: f64, expected: f64, scale: f64) -> Self {
        let mut e = Self::new(
            quantity,
            measured,
            expected,
            Criterion::AbsDiff(ROUND_OFF * scale.abs()),
        );
        e.scale = Some(scale.abs());
        e
    }

    /// Declare the magnitude of the terms compared (see [`Evidence::scale`]).
    pub fn at_scale(mut self, scale: f64) -> Self {
        self.scale = Some(scale.abs());
        self
    }

    /// Record every field of a serialisable parameter struct (the same struct the check runs with).
    /// A value that does not serialise to an object is recorded under `params`.
    pub fn params_from(mut self, params: &impl Serialize) -> Self {
        match serde_json::to_value(params) {
            Ok(serde_json::Value::Object(map)) => self.params.extend(map),
            Ok(other) => {
                self.params.insert("params".into(), other);
            }
            Err(e) => {
                self.params.insert(
                    "params".into(),
                    serde_json::Value::String(format!("unserialisable: {e}")),
                );
            }
        }
        self
    }

    /// The scale used for the round-off judgement: the declared one, else $\max(|e|, 1)$.
    pub fn effective_scale(&self) -> f64 {
        self.scale.unwrap_or_else(|| self.expected.abs().max(1.0))
    }

    /// Attach a one-sigma uncertainty.
    pub fn with_uncertainty(mut self, sigma: f64) -> Self {
        self.uncertainty = Some(sigma);
        self
    }

    /// Attach an observed convergence order.
    pub fn with_order(mut self, order: Order) -> Self {
        self.order = Some(order);
        self
    }

    /// Record a parameter.
    pub fn param(mut self, name: &str, value: impl Serialize) -> Self {
        let v = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.params.insert(name.to_string(), v);
        self
    }

    /// Add a sub-measurement row.
    pub fn detail(mut self, label: impl Into<String>, measured: f64, expected: Option<f64>) -> Self {
        self.details.push(Detail {
            label: label.into(),
            measured,
            expected,
        });
        self
    }

    /// Say what was seen.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Attach figure data.
    pub fn figure(mut self, figure: Figure) -> Self {
        self.figure = Some(figure);
        self
    }
}
