//! The constraint monitors of [`crate::geodesic::integrate`]: the mass shell $2H + \mu^2$ (with
//! $2H = p_\mu\\,dx^\mu/d\lambda$ from the right-hand side already computed), the cyclic momenta and the
//! Killing-tensor invariant, and the diagnosis of a chart that degenerates along the orbit.

use crate::GeodesicError;
use crate::geodesic::{GeodesicKind, Trajectory, ViolationPolicy};
use crate::geodesic_stepper::Phase;
use crate::metric::Metric;

/// Initial values and tolerances of the monitored quantities.
pub(crate) struct Monitors {
    mu2: f64,
    cyc: Vec<usize>,
    q0: Vec<f64>,
    inv0: Option<f64>,
    tol: f64,
    policy: ViolationPolicy,
}

impl Monitors {
    pub fn new<M: Metric<N> + ?Sized, const N: usize>(
        metric: &M,
        kind: GeodesicKind,
        x0: &[f64; N],
        p0: &[f64; N],
        tol: f64,
        policy: ViolationPolicy,
    ) -> Self {
        let cyc: Vec<usize> = metric
            .cyclic_coordinates()
            .iter()
            .copied()
            .filter(|&k| k < N)
            .collect();
        let q0 = cyc.iter().map(|&k| p0[k]).collect();
        Self {
            mu2: kind.mu2(),
            inv0: metric.killing_tensor_invariant(x0, p0, kind.mu2()),
            cyc,
            q0,
            tol,
            policy,
        }
    }

    /// An empty trajectory starting at `(x0, p0)`.
    pub fn start<const N: usize>(&self, x0: &[f64; N], p0: &[f64; N], shell0: f64) -> Trajectory<N> {
        Trajectory {
            lambda: vec![0.0],
            x: vec![*x0],
            p: vec![*p0],
            events: Vec::new(),
            stopped_by: None,
            max_shell_drift: shell0.abs(),
            max_momentum_drift: vec![0.0; self.cyc.len()],
            max_invariant_drift: self.inv0.map(|_| 0.0),
            steps: 0,
            rejected: 0,
            rhs_evals: 0,
            dense: Vec::new(),
        }
    }

    /// Update the drifts at the accepted state `y` (with `f = (dx/dλ, dp/dλ)` there); a violation
    /// under [`ViolationPolicy::Error`] is returned as an error (see [`chart_degenerates`]).
    pub fn check<M: Metric<N> + ?Sized, const N: usize>(
        &self,
        metric: &M,
        traj: &mut Trajectory<N>,
        lambda: f64,
        y: &Phase<N>,
        f: &Phase<N>,
    ) -> Result<(), GeodesicError> {
        // 2H = g^{μν} p_μ p_ν = p_μ (dx^μ/dλ).
        let two_h: f64 = (0..N).map(|a| f.0[a] * y.1[a]).sum();
        let shell = (two_h + self.mu2).abs();
        traj.max_shell_drift = traj.max_shell_drift.max(shell);
        let mut violation: Option<(&'static str, f64)> = (shell > self.tol).then_some(("mass shell", shell));
        for (i, &k) in self.cyc.iter().enumerate() {
            let d = (y.1[k] - self.q0[i]).abs() / self.q0[i].abs().max(1.0);
            traj.max_momentum_drift[i] = traj.max_momentum_drift[i].max(d);
            if d > self.tol && violation.is_none() {
                violation = Some((if k == 0 { "E" } else { "L" }, d));
            }
        }
        if let (Some(q0), Some(qn)) = (self.inv0, metric.killing_tensor_invariant(&y.0, &y.1, self.mu2)) {
            let d = (qn - q0).abs() / q0.abs().max(1.0);
            let m = traj.max_invariant_drift.get_or_insert(0.0);
            *m = m.max(d);
            if d > self.tol && violation.is_none() {
                violation = Some(("Q", d));
            }
        }
        match (violation, self.policy) {
            (Some((which, drift)), ViolationPolicy::Error) => {
                if let Some(e) = chart_degenerates(metric, lambda, y, f) {
                    return Err(e);
                }
                Err(GeodesicError::ConstraintViolated {
                    which,
                    lambda,
                    drift,
                    tolerance: self.tol,
                })
            }
            _ => Ok(()),
        }
    }
}

/// Fraction of its own size (plus one) by which the straight continuation of the orbit may move a
/// spatial coordinate in the domain probe of [`chart_degenerates`].
const PROBE_FRACTION: f64 = 0.25;

/// Whether a failure at `(x, p)` is the orbit running into the boundary of the chart's domain (a
/// Boyer-Lindquist horizon) rather than an integration error: the straight continuation
/// $x + u\\,\Delta\lambda$, $u = dx/d\lambda$, leaves [`Metric::domain`] within
/// $\Delta\lambda = 0.25\\,\min_{i \ge 1} (1 + |x^i|)/|u^i|$, the span in which no spatial coordinate moves
/// by more than a quarter of its own size plus one. For Schwarzschild this flags an inward-moving orbit
/// inside $r = 3M$ (where $0.75 r - 0.25 < 2M$), so a plunge that loses the mass shell near the horizon
/// (the terms $|g^{\mu\nu}p_\mu p_\nu|$ grow as $1/(1 - 2M/r)$) is reported as what it is. Returns the
/// documented [`GeodesicError::InvalidState`] with the position, the momentum and the domain's reason.
pub(crate) fn chart_degenerates<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    lambda: f64,
    y: &Phase<N>,
    f: &Phase<N>,
) -> Option<GeodesicError> {
    let (x, u) = (&y.0, &f.0);
    let span = (1..N)
        .filter(|&i| u[i] != 0.0)
        .map(|i| PROBE_FRACTION * (1.0 + x[i].abs()) / u[i].abs())
        .fold(f64::INFINITY, f64::min);
    if !span.is_finite() {
        return None;
    }
    let probe: [f64; N] = std::array::from_fn(|i| x[i] + span * u[i]);
    match metric.domain(&probe) {
        Err(e) => Some(GeodesicError::InvalidState {
            lambda,
            reason: format!(
                "the orbit runs out of the chart's domain from x = {x:?} (p = {:?}, dx/dlambda = {u:?}): {e}",
                y.1
            ),
        }),
        Ok(()) => None,
    }
}
