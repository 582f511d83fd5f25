//! The one place where evidence becomes a verdict (THEORY.md §3.7).
//!
//! [`judge`] derives two things from what a check returned:
//!
//! - the **label**, from the criterion alone: CONVERGED when the evidence carries a fitted order, STAT
//!   when the criterion is a σ band, EXACT when the tolerance is at round-off
//!   ($\le 10^3\\,\varepsilon$ times the scale of the compared terms, [`crate::ROUND_OFF`]), BOUND for
//!   any other tolerance or bound;
//! - the **outcome**, from whether the criterion (and the order, if any) is met and from the check's
//!   stakes: PASS or FAIL for a must-hold check, CONFIRMED or REFUTED for a prediction, NOT-TESTABLE
//!   with its reason, or ERROR when the check could not run or returned a non-finite number.
//!
//! [`thesis_verdict`] computes the verdict of one of the six abstract claims from the roles and
//! outcomes of its checks: supported only by a confirmed end-to-end test with none refuting it.

use std::fmt;

use serde::Serialize;

use crate::check::{CheckResult, Finding, Role, Stakes};
use crate::fmt_num;
use crate::model::{Criterion, Evidence, ROUND_OFF};

/// How strong the criterion of a check is, derived from the criterion itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Label {
    /// A plain tolerance or bound.
    #[serde(rename = "BOUND")]
    Bound,
    /// A σ band on a measured statistical error.
    #[serde(rename = "STAT")]
    Stat,
    /// Agreement plus a fitted convergence order.
    #[serde(rename = "CONVERGED")]
    Converged,
    /// A tolerance at round-off.
    #[serde(rename = "EXACT")]
    Exact,
}

impl Label {
    /// The label as printed.
    pub fn label(self) -> &'static str {
        match self {
            Self::Bound => "BOUND",
            Self::Stat => "STAT",
            Self::Converged => "CONVERGED",
            Self::Exact => "EXACT",
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What the judgement of one check came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Outcome {
    /// A must-hold check holds.
    #[serde(rename = "PASS")]
    Pass,
    /// A must-hold check does not hold: a bug.
    #[serde(rename = "FAIL")]
    Fail,
    /// A prediction came out as predicted.
    #[serde(rename = "CONFIRMED")]
    Confirmed,
    /// A prediction came out otherwise: a result, reported with its numbers.
    #[serde(rename = "REFUTED")]
    Refuted,
    /// Cannot be tested; the reason is reported.
    #[serde(rename = "NOT-TESTABLE")]
    NotTestable,
    /// The check could not run, or returned a non-finite number: a bug whatever the stakes.
    #[serde(rename = "ERROR")]
    Error,
}

impl Outcome {
    /// The outcome as printed.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Confirmed => "CONFIRMED",
            Self::Refuted => "REFUTED",
            Self::NotTestable => "NOT-TESTABLE",
            Self::Error => "ERROR",
        }
    }

    /// Whether this outcome is a defect of the code (a must-hold failure or an error).
    pub fn is_defect(self) -> bool {
        matches!(self, Self::Fail | Self::Error)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The judgement of one check: its derived label, its outcome and the reason, in one sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The label derived from the criterion (absent when nothing was measured).
    pub label: Option<Label>,
    /// The outcome.
    pub outcome: Outcome,
    /// Why, with the numbers.
    pub reason: String,
}

impl Verdict {
    /// `LABEL OUTCOME`, e.g. `STAT CONFIRMED`, or the outcome alone.
    pub fn short(&self) -> String {
        match self.label {
            Some(l) => format!("{l} {}", self.outcome),
            None => self.outcome.to_string(),
        }
    }
}

fn error(reason: impl Into<String>) -> Verdict {
    Verdict {
        label: None,
        outcome: Outcome::Error,
        reason: reason.into(),
    }
}

/// The label the evidence's criterion earns (see the module docs).
pub fn label_of(e: &Evidence) -> Label {
    if e.order.is_some() {
        return Label::Converged;
    }
    let scale = e.effective_scale();
    match e.criterion {
        Criterion::Sigmas(_) => Label::Stat,
        Criterion::AbsDiff(t) if t <= ROUND_OFF * scale => Label::Exact,
        Criterion::RelDiff(t) if t <= ROUND_OFF => Label::Exact,
        // A bound at round-off (e.g. residual ≤ 1e-14) is an identity at round-off.
        Criterion::AtMost if e.expected.abs() <= ROUND_OFF * e.scale.unwrap_or(1.0) => Label::Exact,
        _ => Label::Bound,
    }
}

/// Does the evidence meet its criterion (not its order)? `Err` carries the reason when not.
pub fn criterion_holds(e: &Evidence) -> Result<String, String> {
    let (m, x) = (e.measured, e.expected);
    let diff = (m - x).abs();
    let crit = e.criterion.describe();
    let ok = match e.criterion {
        Criterion::AbsDiff(t) => diff <= t,
        Criterion::RelDiff(t) => diff <= t * x.abs(),
        Criterion::Sigmas(k) => match e.uncertainty {
            Some(s) if s.is_finite() && s > 0.0 => {
                let z = diff / s;
                let msg = format!("{z:.2}σ from expected (band {k}σ)");
                return if diff <= k * s { Ok(msg) } else { Err(msg) };
            }
            _ => return Err("a σ criterion needs a finite, positive uncertainty".into()),
        },
        Criterion::AtMost => m <= x,
        Criterion::AtLeast => m >= x,
    };
    let msg = format!("measured {}, expected {}, {crit}", fmt_num(m), fmt_num(x));
    if ok { Ok(msg) } else { Err(msg) }
}

/// Judge what a check returned, given its stakes. This is the only place verdicts are made.
pub fn judge(stakes: Stakes, result: &CheckResult) -> Verdict {
    let e = match result {
        Err(e) => return error(format!("could not run: {e}")),
        Ok(Finding::NotTestable { reason }) => {
            return match stakes {
                Stakes::Prediction => Verdict {
                    label: None,
                    outcome: Outcome::NotTestable,
                    reason: reason.clone(),
                },
                Stakes::MustHold => error(format!("a must-hold check returned not-testable: {reason}")),
            };
        }
        Ok(Finding::Measured(e)) => e,
    };
    if !e.measured.is_finite() {
        return error(format!("measured value is not finite ({})", e.measured));
    }
    if !e.expected.is_finite() {
        return error(format!("expected value is not finite ({})", e.expected));
    }
    if let Some(u) = e.uncertainty
        && (!u.is_finite() || u < 0.0)
    {
        return error(format!("uncertainty is not a finite non-negative number ({u})"));
    }
    if matches!(e.criterion, Criterion::Sigmas(_)) && !e.uncertainty.is_some_and(|s| s > 0.0) {
        return error("a σ criterion needs a finite, positive uncertainty");
    }
    let label = label_of(e);
    let mut met = criterion_holds(e);
    if let (Some(o), true) = (&e.order, met.is_ok()) {
        let text = format!(
            "order {:.3} (expected {} ± {})",
            o.observed, o.expected, o.tolerance
        );
        if !o.observed.is_finite() {
            met = Err("the convergence order could not be fitted".into());
        } else if (o.observed - o.expected).abs() > o.tolerance {
            met = Err(text);
        } else if let Ok(m) = &met {
            met = Ok(format!("{m}; {text}"));
        }
    }
    let (outcome, reason) = match (stakes, met) {
        (Stakes::MustHold, Ok(r)) => (Outcome::Pass, r),
        (Stakes::MustHold, Err(r)) => (Outcome::Fail, r),
        (Stakes::Prediction, Ok(r)) => (Outcome::Confirmed, r),
        (Stakes::Prediction, Err(r)) => (Outcome::Refuted, r),
    };
    Verdict {
        label: Some(label),
        outcome,
        reason,
    }
}

/// The verdict of one of the six abstract claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ThesisStatus {
    /// An end-to-end test confirms it and none refutes it.
    #[serde(rename = "SUPPORTED")]
    Supported,
    /// An end-to-end test refutes it (in the setting that test names).
    #[serde(rename = "REFUTED")]
    Refuted,
    /// Only premises and identities were tested; nothing from a network to the claimed law.
    #[serde(rename = "PREMISES-ONLY")]
    PremisesOnly,
    /// Nothing bearing on it was measured.
    #[serde(rename = "UNTESTED")]
    Untested,
    /// Interpretive: no observable map exists to test.
    #[serde(rename = "INTERPRETIVE")]
    Interpretive,
    /// A check it rests on could not run or a must-hold check failed: no verdict until fixed.
    #[serde(rename = "BROKEN")]
    Broken,
}

impl ThesisStatus {
    /// The verdict as printed.
    pub fn label(self) -> &'static str {
        match self {
            Self::Supported => "SUPPORTED",
            Self::Refuted => "REFUTED",
            Self::PremisesOnly => "PREMISES-ONLY",
            Self::Untested => "UNTESTED",
            Self::Interpretive => "INTERPRETIVE",
            Self::Broken => "BROKEN",
        }
    }
}

impl fmt::Display for ThesisStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One check as seen by [`thesis_verdict`]: its id, role and outcome.
#[derive(Debug, Clone, Copy)]
pub struct Bearing<'a> {
    /// Check id.
    pub id: &'a str,
    /// Its role.
    pub role: Role,
    /// Its outcome.
    pub outcome: Outcome,
}

/// A thesis's computed verdict: status, the deciding check, and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThesisVerdict {
    /// The status.
    pub status: ThesisStatus,
    /// The check whose number decides it, if any.
    pub decided_by: Option<String>,
    /// Why, in one line.
    pub reason: String,
}

/// Compute a thesis's verdict from the checks that bear on it (THEORY.md §3.7).
///
/// In order: any defect (must-hold FAIL or ERROR) makes it BROKEN; a refuted end-to-end test makes it
/// REFUTED; a confirmed one SUPPORTED; otherwise measured premises or identities leave it
/// PREMISES-ONLY, except for an interpretive thesis, which stays INTERPRETIVE (with the measured
/// relations counted) until an end-to-end test of an observable map exists; with nothing measured an
/// interpretive thesis is INTERPRETIVE, any other UNTESTED.
pub fn thesis_verdict(interpretive: bool, checks: &[Bearing<'_>]) -> ThesisVerdict {
    if let Some(v) = defect_verdict(checks).or_else(|| end_to_end_verdict(checks)) {
        return v;
    }
    if checks.iter().any(|c| c.role != Role::EndToEnd && measured(c)) {
        return if interpretive {
            interpretive_relations(checks)
        } else {
            premises_only(checks)
        };
    }
    let decided_by = checks.first().map(|c| c.id.to_string());
    if interpretive {
        ThesisVerdict {
            status: ThesisStatus::Interpretive,
            decided_by,
            reason: "interpretive: no observable map between the two descriptions is stated".into(),
        }
    } else {
        ThesisVerdict {
            status: ThesisStatus::Untested,
            decided_by,
            reason: "nothing bearing on it was measured".into(),
        }
    }
}

/// The id of the first bearing check that satisfies `pred`.
fn first_id(checks: &[Bearing<'_>], pred: impl Fn(&Bearing<'_>) -> bool) -> Option<String> {
    checks.iter().find(|c| pred(c)).map(|c| c.id.to_string())
}

/// How many bearing checks satisfy `pred`.
fn count(checks: &[Bearing<'_>], pred: impl Fn(&Bearing<'_>) -> bool) -> usize {
    checks.iter().filter(|c| pred(c)).count()
}

/// Whether the check produced a measurement (anything but NOT TESTABLE).
fn measured(c: &Bearing<'_>) -> bool {
    c.outcome != Outcome::NotTestable
}

/// BROKEN if any bearing check is a defect (must-hold FAIL or ERROR).
fn defect_verdict(checks: &[Bearing<'_>]) -> Option<ThesisVerdict> {
    let id = first_id(checks, |c| c.outcome.is_defect())?;
    Some(ThesisVerdict {
        status: ThesisStatus::Broken,
        decided_by: Some(id.clone()),
        reason: format!("`{id}` failed or could not run; fix it before reading a verdict"),
    })
}

/// REFUTED by the first refuted end-to-end test, else SUPPORTED by the first confirmed one.
fn end_to_end_verdict(checks: &[Bearing<'_>]) -> Option<ThesisVerdict> {
    let e2e = |o: Outcome| move |c: &Bearing<'_>| c.role == Role::EndToEnd && c.outcome == o;
    let e2e_refuted = count(checks, e2e(Outcome::Refuted));
    let e2e_confirmed = count(checks, e2e(Outcome::Confirmed));
    if let Some(id) = first_id(checks, e2e(Outcome::Refuted)) {
        return Some(ThesisVerdict {
            status: ThesisStatus::Refuted,
            decided_by: Some(id.clone()),
            reason: format!(
                "refuted in the setting of `{id}`: {e2e_refuted} end-to-end test(s) refute it, {e2e_confirmed} confirm it"
            ),
        });
    }
    let id = first_id(checks, e2e(Outcome::Confirmed))?;
    Some(ThesisVerdict {
        status: ThesisStatus::Supported,
        decided_by: Some(id),
        reason: format!("{e2e_confirmed} end-to-end test(s) confirm it, none refutes it"),
    })
}

/// An interpretive thesis stays interpretive until an observable map is tested end to end
/// (THEORY.md E-6): measured relations between the descriptions are reported, not promoted.
fn interpretive_relations(checks: &[Bearing<'_>]) -> ThesisVerdict {
    let refuted = count(checks, |c| c.outcome == Outcome::Refuted);
    let confirmed = count(checks, |c| c.outcome == Outcome::Confirmed);
    let decided_by = first_id(checks, |c| c.outcome == Outcome::Refuted)
        .or_else(|| first_id(checks, |c| c.outcome == Outcome::Confirmed))
        .or_else(|| first_id(checks, measured));
    ThesisVerdict {
        status: ThesisStatus::Interpretive,
        decided_by,
        reason: format!(
            "interpretive: no observable map between the two descriptions is stated or tested; \
             measured relations: {confirmed} confirmed, {refuted} refuted"
        ),
    }
}

/// PREMISES-ONLY: premises or identities measured, no end-to-end test. The number that decides it: a
/// refuted prediction, else a confirmed premise, else anything measured.
fn premises_only(checks: &[Bearing<'_>]) -> ThesisVerdict {
    let refuted = count(checks, |c| c.outcome == Outcome::Refuted);
    let confirmed = count(checks, |c| c.outcome == Outcome::Confirmed);
    let holds = count(checks, |c| c.outcome == Outcome::Pass);
    let decided_by = first_id(checks, |c| c.outcome == Outcome::Refuted)
        .or_else(|| {
            first_id(checks, |c| {
                c.role == Role::Premise && c.outcome == Outcome::Confirmed
            })
        })
        .or_else(|| first_id(checks, measured));
    let untested = count(checks, |c| !measured(c));
    ThesisVerdict {
        status: ThesisStatus::PremisesOnly,
        decided_by,
        reason: format!(
            "no end-to-end test yet; predictions {confirmed} confirmed, {refuted} refuted; {holds} identities hold{}",
            if untested > 0 {
                format!("; {untested} not testable")
            } else {
                String::new()
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckError;
    use crate::model::Order;

    fn ev(m: f64, x: f64, c: Criterion) -> Evidence {
        Evidence::new("q", m, x, c)
    }
    fn judged(s: Stakes, e: Evidence) -> Verdict {
        judge(s, &Ok(e.into()))
    }

    #[test]
    fn labels_come_from_the_criterion() {
        // Round-off tolerance: EXACT; a looser one: BOUND, whatever the check meant.
        assert_eq!(label_of(&ev(0.0, 0.0, Criterion::AbsDiff(1e-14))), Label::Exact);
        assert_eq!(label_of(&ev(0.0, 0.0, Criterion::AbsDiff(1e-3))), Label::Bound);
        assert_eq!(label_of(&ev(1.0, 1.0, Criterion::RelDiff(1e-3))), Label::Bound);
        assert_eq!(label_of(&ev(1.0, 1.0, Criterion::RelDiff(1e-14))), Label::Exact);
        // The scale of the compared terms widens round-off.
        assert_eq!(
            label_of(&ev(0.0, 0.0, Criterion::AbsDiff(1e-10)).at_scale(1e4)),
            Label::Exact
        );
        assert_eq!(label_of(&Evidence::round_off("r", 0.0, 0.0, 50.0)), Label::Exact);
        // σ band: STAT; fitted order: CONVERGED.
        assert_eq!(label_of(&ev(1.0, 1.0, Criterion::Sigmas(4.0))), Label::Stat);
        let o = Order::fit(vec![0.1, 0.05], vec![1e-2, 2.5e-3], 2.0, 0.1);
        assert_eq!(
            label_of(&ev(1.0, 1.0, Criterion::AbsDiff(1e-3)).with_order(o)),
            Label::Converged
        );
        // Bounds: at round-off EXACT, else BOUND.
        assert_eq!(label_of(&ev(1e-16, 1e-14, Criterion::AtMost)), Label::Exact);
        assert_eq!(label_of(&ev(1e-16, 1e-6, Criterion::AtMost)), Label::Bound);
        assert_eq!(label_of(&ev(0.7, 0.5, Criterion::AtLeast)), Label::Bound);
    }

    #[test]
    fn outcome_follows_the_stakes() {
        let good = ev(1.0, 1.0, Criterion::RelDiff(1e-3));
        let bad = ev(1.1, 1.0, Criterion::RelDiff(1e-3));
        assert_eq!(judged(Stakes::MustHold, good.clone()).outcome, Outcome::Pass);
        assert_eq!(judged(Stakes::MustHold, bad.clone()).outcome, Outcome::Fail);
        assert_eq!(judged(Stakes::Prediction, good).outcome, Outcome::Confirmed);
        let v = judged(Stakes::Prediction, bad);
        assert_eq!((v.label, v.outcome), (Some(Label::Bound), Outcome::Refuted));
        assert!(v.reason.contains("1.1"), "{}", v.reason);
    }

    #[test]
    fn sigma_band_reports_the_distance() {
        let e = ev(1.3, 1.0, Criterion::Sigmas(4.0)).with_uncertainty(0.1);
        let v = judged(Stakes::Prediction, e);
        assert_eq!((v.label, v.outcome), (Some(Label::Stat), Outcome::Confirmed));
        assert!(v.reason.starts_with("3.00σ"), "{}", v.reason);
        let e = ev(1.5 + 1e-9, 1.0, Criterion::Sigmas(4.0)).with_uncertainty(0.1);
        assert_eq!(judged(Stakes::Prediction, e).outcome, Outcome::Refuted);
        // Without an uncertainty a σ criterion cannot be judged: an error, not a refutation.
        let e = ev(1.0, 1.0, Criterion::Sigmas(4.0));
        assert_eq!(judged(Stakes::Prediction, e).outcome, Outcome::Error);
    }

    #[test]
    fn convergence_needs_the_order() {
        let e = ev(1.0, 1.0, Criterion::AbsDiff(1e-8));
        let o = Order::fit(vec![0.1, 0.05, 0.025], vec![1e-2, 2.5e-3, 6.25e-4], 2.0, 0.1);
        assert!((o.observed - 2.0).abs() < 1e-12);
        let v = judged(Stakes::MustHold, e.clone().with_order(o));
        assert_eq!((v.label, v.outcome), (Some(Label::Converged), Outcome::Pass));
        let o = Order::fit(vec![0.1, 0.05], vec![0.1, 0.05], 2.0, 0.1);
        assert_eq!(
            judged(Stakes::MustHold, e.clone().with_order(o)).outcome,
            Outcome::Fail
        );
        let o = Order::fit(vec![0.1, 0.05], vec![0.0, 0.0], 2.0, 0.1);
        assert_eq!(
            judged(Stakes::Prediction, e.with_order(o)).outcome,
            Outcome::Refuted
        );
    }

    #[test]
    fn errors_and_not_testable() {
        let r: CheckResult = Err(CheckError::msg("boom"));
        assert_eq!(judge(Stakes::Prediction, &r).outcome, Outcome::Error);
        let nan = ev(f64::NAN, 0.0, Criterion::AtMost);
        assert_eq!(judged(Stakes::Prediction, nan).outcome, Outcome::Error);
        let nt: CheckResult = Ok(Finding::NotTestable { reason: "why".into() });
        assert_eq!(judge(Stakes::Prediction, &nt).outcome, Outcome::NotTestable);
        assert_eq!(judge(Stakes::MustHold, &nt).outcome, Outcome::Error);
    }

    #[test]
    fn error_source_chain_is_kept() {
        #[derive(Debug)]
        struct Inner;
        impl fmt::Display for Inner {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("root cause")
            }
        }
        impl std::error::Error for Inner {}
        #[derive(Debug)]
        struct Outer(Inner);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("outer")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e: CheckError = Outer(Inner).into();
        assert_eq!(e.0, "outer: root cause");
    }

    fn b(id: &str, role: Role, outcome: Outcome) -> Bearing<'_> {
        Bearing { id, role, outcome }
    }

    #[test]
    fn thesis_verdicts() {
        use Outcome::*;
        use Role::*;
        let v = thesis_verdict(false, &[b("a", Identity, Pass), b("b", Premise, Confirmed)]);
        assert_eq!(v.status, ThesisStatus::PremisesOnly);
        let v = thesis_verdict(false, &[b("a", Premise, Refuted), b("b", EndToEnd, Confirmed)]);
        assert_eq!(
            (v.status, v.decided_by.as_deref()),
            (ThesisStatus::Supported, Some("b"))
        );
        let v = thesis_verdict(false, &[b("a", EndToEnd, Confirmed), b("b", EndToEnd, Refuted)]);
        assert_eq!(
            (v.status, v.decided_by.as_deref()),
            (ThesisStatus::Refuted, Some("b"))
        );
        let v = thesis_verdict(false, &[b("a", EndToEnd, NotTestable)]);
        assert_eq!(v.status, ThesisStatus::Untested);
        let v = thesis_verdict(true, &[b("a", EndToEnd, NotTestable)]);
        assert_eq!(v.status, ThesisStatus::Interpretive);
        // Measured relations do not promote an interpretive thesis to PREMISES-ONLY.
        let v = thesis_verdict(true, &[b("a", EndToEnd, NotTestable), b("p", Premise, Refuted)]);
        assert_eq!(
            (v.status, v.decided_by.as_deref()),
            (ThesisStatus::Interpretive, Some("p"))
        );
        let v = thesis_verdict(false, &[b("a", Solver, Fail), b("b", EndToEnd, Confirmed)]);
        assert_eq!(v.status, ThesisStatus::Broken);
        let v = thesis_verdict(false, &[b("p", Premise, Confirmed), b("q", Premise, Refuted)]);
        assert_eq!(
            (v.status, v.decided_by.as_deref()),
            (ThesisStatus::PremisesOnly, Some("q"))
        );
    }
}
