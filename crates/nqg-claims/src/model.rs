//! The claim model: claims, checks, evidence, and the status computed from the evidence.
//!
//! A [`Claim`] is one statement of the paper (or a solver fact its chain relies on), tagged with where
//! the statement comes from ([`Provenance`], THEORY.md §0). It owns one or more [`Check`]s. A check runs
//! an experiment and returns an [`Outcome`]: either measured [`Evidence`] (value with optional
//! uncertainty, expected value, a [`Criterion`], parameters, seed, optional figure) or an explicit
//! not-testable statement. The [`Status`] is **computed** from the evidence by [`judge`], never written
//! by hand.

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

/// The status a check earns when its criterion holds: declared by the check, confirmed by the evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
pub enum Kind {
    /// An identity that must hold to round-off.
    Exact,
    /// Agreement with an analytic value plus an observed convergence order.
    Converged,
    /// Agreement within a quoted statistical error.
    Stat,
    /// The claimed structure appears; no quantitative prediction exists.
    Qualitative,
    /// Interpretive, or its equations are not recoverable.
    NotTestable,
}

/// The verdict of a check, computed by [`judge`]. Ordered from weakest to strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Status {
    /// A check that should hold does not (or could not run).
    #[serde(rename = "FAIL")]
    Fail,
    /// Interpretive, or the equations are not recoverable; the reason is reported.
    #[serde(rename = "NOT-TESTABLE")]
    NotTestable,
    /// The claimed structure appears; no quantitative prediction exists.
    #[serde(rename = "QUALITATIVE")]
    Qualitative,
    /// Agrees within the quoted statistical error.
    #[serde(rename = "STAT")]
    Stat,
    /// Agrees with the analytic value and the error falls at the scheme's order.
    #[serde(rename = "CONVERGED")]
    Converged,
    /// Holds to round-off.
    #[serde(rename = "EXACT")]
    Exact,
}

impl Status {
    /// The status as printed in reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::Fail => "FAIL",
            Self::NotTestable => "NOT-TESTABLE",
            Self::Qualitative => "QUALITATIVE",
            Self::Stat => "STAT",
            Self::Converged => "CONVERGED",
            Self::Exact => "EXACT",
        }
    }

    /// Whether the status counts as passed (EXACT, CONVERGED, STAT, QUALITATIVE).
    pub fn is_pass(self) -> bool {
        self > Self::NotTestable
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How a measured value is compared with the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Criterion {
    /// $|m - e| \le \text{tol}$.
    AbsDiff(f64),
    /// $|m - e| \le \text{tol}\,|e|$.
    RelDiff(f64),
    /// $|m - e| \le k\,\sigma$ with $\sigma$ the evidence's uncertainty (which must be present).
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
    /// [`judge`] turns into FAIL.
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

/// Least-squares slope of $\log y$ against $\log x$; NaN if fewer than two valid points or any point
/// is non-positive or non-finite.
pub fn fit_loglog_slope(x: &[f64], y: &[f64]) -> f64 {
    if x.len() != y.len() || x.len() < 2 {
        return f64::NAN;
    }
    if x.iter().chain(y).any(|v| !v.is_finite() || *v <= 0.0) {
        return f64::NAN;
    }
    let n = x.len() as f64;
    let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let mx = lx.iter().sum::<f64>() / n;
    let my = ly.iter().sum::<f64>() / n;
    let sxy: f64 = lx.iter().zip(&ly).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = lx.iter().map(|a| (a - mx) * (a - mx)).sum();
    if sxx == 0.0 { f64::NAN } else { sxy / sxx }
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
            figure: None,
        }
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

/// What a check returns when it ran.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A measurement.
    Measured(Box<Evidence>),
    /// The claim cannot be tested; the reason says exactly why.
    NotTestable {
        /// Why (e.g. "the paper's equations for X were not recovered").
        reason: String,
    },
}

impl From<Evidence> for Outcome {
    fn from(e: Evidence) -> Self {
        Self::Measured(Box::new(e))
    }
}

/// A check that could not run to completion (a solver error, a panic, invalid setup).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CheckError(pub String);

impl CheckError {
    /// Wrap any displayable error.
    pub fn from_display(e: impl fmt::Display) -> Self {
        Self(e.to_string())
    }
}

/// The result type of a check function.
pub type CheckResult = Result<Outcome, CheckError>;

/// A verdict: the computed status and the reason for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The computed status.
    pub status: Status,
    /// Why, in one sentence.
    pub reason: String,
}

fn fail(reason: impl Into<String>) -> Verdict {
    Verdict {
        status: Status::Fail,
        reason: reason.into(),
    }
}

/// Does the evidence meet its criterion? Returns the reason when not.
pub fn criterion_holds(e: &Evidence) -> Result<(), String> {
    let (m, x) = (e.measured, e.expected);
    if !m.is_finite() {
        return Err(format!("measured value is not finite ({m})"));
    }
    if !x.is_finite() {
        return Err(format!("expected value is not finite ({x})"));
    }
    let diff = (m - x).abs();
    let ok = match e.criterion {
        Criterion::AbsDiff(t) => diff <= t,
        Criterion::RelDiff(t) => diff <= t * x.abs(),
        Criterion::Sigmas(k) => match e.uncertainty {
            Some(s) if s.is_finite() && s > 0.0 => diff <= k * s,
            _ => return Err("a sigma criterion needs a finite, positive uncertainty".into()),
        },
        Criterion::AtMost => m <= x,
        Criterion::AtLeast => m >= x,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "criterion not met: measured {}, expected {}, {}",
            crate::fmt_num(m),
            crate::fmt_num(x),
            e.criterion.describe()
        ))
    }
}

/// Compute a check's status from what it returned. This is the only place statuses are made.
///
/// Rules: an error, a non-finite value or an unmet criterion is FAIL; a check declared
/// [`Kind::Converged`] also needs an observed order within its tolerance of the expected order; a
/// [`Kind::Stat`] check needs a finite uncertainty; a [`Kind::NotTestable`] check must return
/// [`Outcome::NotTestable`] (and only such a check may).
pub fn judge(kind: Kind, result: &CheckResult) -> Verdict {
    let outcome = match result {
        Err(e) => return fail(format!("check could not run: {e}")),
        Ok(o) => o,
    };
    let e = match (kind, outcome) {
        (Kind::NotTestable, Outcome::NotTestable { reason }) => {
            return Verdict {
                status: Status::NotTestable,
                reason: reason.clone(),
            };
        }
        (Kind::NotTestable, Outcome::Measured(_)) => {
            return fail("declared not testable but returned a measurement");
        }
        (_, Outcome::NotTestable { reason }) => {
            return fail(format!("expected a measurement but got not-testable: {reason}"));
        }
        (_, Outcome::Measured(e)) => e,
    };
    if let Err(r) = criterion_holds(e) {
        return fail(r);
    }
    match kind {
        Kind::Exact => Verdict {
            status: Status::Exact,
            reason: "holds to round-off".into(),
        },
        Kind::Converged => match &e.order {
            None => fail("CONVERGED needs an observed convergence order"),
            Some(o) if !o.observed.is_finite() => fail("observed order could not be fitted"),
            Some(o) if (o.observed - o.expected).abs() > o.tolerance => fail(format!(
                "observed order {:.3} differs from {} by more than {}",
                o.observed, o.expected, o.tolerance
            )),
            Some(o) => Verdict {
                status: Status::Converged,
                reason: format!(
                    "agrees; observed order {:.3} (expected {})",
                    o.observed, o.expected
                ),
            },
        },
        Kind::Stat => match e.uncertainty {
            Some(s) if s.is_finite() && s >= 0.0 => Verdict {
                status: Status::Stat,
                reason: "agrees within the statistical error".into(),
            },
            _ => fail("STAT needs a finite statistical uncertainty"),
        },
        Kind::Qualitative => Verdict {
            status: Status::Qualitative,
            reason: e
                .note
                .clone()
                .unwrap_or_else(|| "the claimed structure appears".into()),
        },
        Kind::NotTestable => unreachable_not_testable(),
    }
}

// Kept as a function so `judge` has no reachable panic: the NotTestable kind returned above.
fn unreachable_not_testable() -> Verdict {
    fail("internal: not-testable kind reached the measurement branch")
}

/// A check function: runs one experiment.
pub type CheckFn = fn(&crate::RunContext) -> CheckResult;

/// One check of a claim.
#[derive(Debug, Clone)]
pub struct Check {
    /// Stable id `layer.topic.name`, starting with its claim's id.
    pub id: &'static str,
    /// What the check verifies, in a sentence a physicist reads without the code.
    pub statement: &'static str,
    /// The status it earns when it holds.
    pub kind: Kind,
    /// The experiment.
    pub run: CheckFn,
}

/// One statement of the paper, or a solver fact the paper's chain relies on.
#[derive(Debug, Clone)]
pub struct Claim {
    /// Stable id, a prefix of its checks' ids (e.g. `geometry.lorentz`).
    pub id: &'static str,
    /// The statement.
    pub statement: &'static str,
    /// Where the statement comes from.
    pub provenance: Provenance,
    /// Its checks.
    pub checks: Vec<Check>,
}

impl Claim {
    /// Add a check (builder style).
    pub fn check(
        &mut self,
        id: &'static str,
        statement: &'static str,
        kind: Kind,
        run: CheckFn,
    ) -> &mut Self {
        self.checks.push(Check {
            id,
            statement,
            kind,
            run,
        });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(m: f64, x: f64, c: Criterion) -> Evidence {
        Evidence::new("q", m, x, c)
    }

    #[test]
    fn outside_tolerance_is_fail_for_every_kind() {
        for kind in [Kind::Exact, Kind::Converged, Kind::Stat, Kind::Qualitative] {
            let e = ev(1.0 + 1e-6, 1.0, Criterion::AbsDiff(1e-12))
                .with_uncertainty(1e-9)
                .with_order(Order::fit(vec![1.0, 0.5], vec![4.0, 1.0], 2.0, 0.1));
            assert_eq!(judge(kind, &Ok(e.into())).status, Status::Fail, "{kind:?}");
        }
    }

    #[test]
    fn exact_inside_tolerance() {
        let e = ev(1.0 + 1e-15, 1.0, Criterion::AbsDiff(1e-12));
        assert_eq!(judge(Kind::Exact, &Ok(e.into())).status, Status::Exact);
        let e = ev(2.0 + 1e-13, 2.0, Criterion::RelDiff(1e-12));
        assert_eq!(judge(Kind::Exact, &Ok(e.into())).status, Status::Exact);
        // Relative tolerance scales with |expected|: 1e-11 off 2.0 is 5e-12 relative, outside 1e-12.
        let e = ev(2.0 + 1e-11, 2.0, Criterion::RelDiff(1e-12));
        assert_eq!(judge(Kind::Exact, &Ok(e.into())).status, Status::Fail);
    }

    #[test]
    fn stat_uses_its_uncertainty() {
        // 3 sigma away with a 4 sigma band passes; 5 sigma fails.
        let e = ev(1.3, 1.0, Criterion::Sigmas(4.0)).with_uncertainty(0.1);
        assert_eq!(judge(Kind::Stat, &Ok(e.into())).status, Status::Stat);
        let e = ev(1.5 + 1e-9, 1.0, Criterion::Sigmas(4.0)).with_uncertainty(0.1);
        assert_eq!(judge(Kind::Stat, &Ok(e.into())).status, Status::Fail);
        // Without an uncertainty a sigma criterion cannot hold.
        let e = ev(1.0, 1.0, Criterion::Sigmas(4.0));
        assert_eq!(judge(Kind::Stat, &Ok(e.into())).status, Status::Fail);
        // A STAT check with another criterion still needs an uncertainty.
        let e = ev(1.0, 1.0, Criterion::RelDiff(0.01));
        assert_eq!(judge(Kind::Stat, &Ok(e.into())).status, Status::Fail);
    }

    #[test]
    fn converged_needs_an_observed_order() {
        let e = ev(1.0, 1.0, Criterion::AbsDiff(1e-8));
        assert_eq!(judge(Kind::Converged, &Ok(e.clone().into())).status, Status::Fail);
        // err = h^2 exactly: fitted order 2.
        let o = Order::fit(vec![0.1, 0.05, 0.025], vec![1e-2, 2.5e-3, 6.25e-4], 2.0, 0.1);
        assert!((o.observed - 2.0).abs() < 1e-12);
        let good = e.clone().with_order(o);
        assert_eq!(judge(Kind::Converged, &Ok(good.into())).status, Status::Converged);
        // err = h: order 1, outside 2 +- 0.1.
        let o = Order::fit(vec![0.1, 0.05], vec![0.1, 0.05], 2.0, 0.1);
        assert_eq!(
            judge(Kind::Converged, &Ok(e.clone().with_order(o).into())).status,
            Status::Fail
        );
        // A zero error cannot be fitted.
        let o = Order::fit(vec![0.1, 0.05], vec![0.0, 0.0], 2.0, 0.1);
        assert_eq!(
            judge(Kind::Converged, &Ok(e.with_order(o).into())).status,
            Status::Fail
        );
    }

    #[test]
    fn non_finite_errors_and_kind_mismatch_fail() {
        let e = ev(f64::NAN, 0.0, Criterion::AtMost);
        assert_eq!(judge(Kind::Exact, &Ok(e.into())).status, Status::Fail);
        let r: CheckResult = Err(CheckError("boom".into()));
        assert_eq!(judge(Kind::Exact, &r).status, Status::Fail);
        let nt: CheckResult = Ok(Outcome::NotTestable { reason: "why".into() });
        assert_eq!(judge(Kind::NotTestable, &nt).status, Status::NotTestable);
        assert_eq!(judge(Kind::Exact, &nt).status, Status::Fail);
        let m: CheckResult = Ok(ev(0.0, 0.0, Criterion::AbsDiff(0.0)).into());
        assert_eq!(judge(Kind::NotTestable, &m).status, Status::Fail);
    }

    #[test]
    fn bounds_and_qualitative() {
        let e = ev(0.7, 0.5, Criterion::AtLeast).note("fringes seen");
        let v = judge(Kind::Qualitative, &Ok(e.into()));
        assert_eq!(v.status, Status::Qualitative);
        assert_eq!(v.reason, "fringes seen");
        let e = ev(0.3, 0.5, Criterion::AtLeast);
        assert_eq!(judge(Kind::Qualitative, &Ok(e.into())).status, Status::Fail);
        let e = ev(0.3, 0.5, Criterion::AtMost);
        assert_eq!(judge(Kind::Exact, &Ok(e.into())).status, Status::Exact);
    }

    #[test]
    fn status_order_weakest_first() {
        assert!(Status::Fail < Status::NotTestable);
        assert!(Status::Qualitative < Status::Stat);
        assert!(Status::Converged < Status::Exact);
        assert!(!Status::NotTestable.is_pass() && Status::Qualitative.is_pass());
    }
}
