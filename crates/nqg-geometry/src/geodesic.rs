//! Geodesics in Hamiltonian form with autodiff forces (THEORY.md §7, S-GEO1-4).
//!
//! With $H(x, p) = \tfrac12 g^{\mu\nu}(x)p_\mu p_\nu$ the geodesic equation is
//!
//! $$\frac{dx^\mu}{d\lambda} = g^{\mu\nu}p_\nu,\qquad \frac{dp_\mu}{d\lambda} = -\tfrac12\,\partial_\mu g^{\alpha\beta}\,p_\alpha p_\beta,$$
//!
//! with $H = -\tfrac12$ for timelike geodesics ($\lambda$ = proper time) and $H = 0$ for null ones
//! (affine parameter). $\partial_\mu g^{\alpha\beta}$ comes from one gradient-dual evaluation of
//! [`Metric::inverse_components`]; nothing is differentiated by hand.
//!
//! Integrators: adaptive Dormand-Prince 5(4) ([`Method::Dopri5`]) and the symplectic, symmetric
//! $s$-stage Gauss-Legendre method ([`Method::GaussLegendre`], order $2s$) for long runs.
//! Events are located by re-stepping from the start of the step with the secant/Illinois method on the
//! step fraction, so an event is as accurate as the integrator. Monitors: the mass shell $2H + \mu^2$,
//! the momenta of cyclic coordinates ($E = -p_t$, $L = p_\phi$) and a Killing-tensor invariant (Carter's
//! $Q$ for Kerr); leaving `constraint_tol` is [`GeodesicError::ConstraintViolated`] unless the policy says
//! to record only.

use nalgebra::SVector;
use num_dual::{Derivative, Dual64, DualVec};

use crate::metric::{Metric, check_point};
use crate::ode::{GaussLegendre, dopri5_next_h, dopri5_step, dopri5_step_dense};
use crate::{GeodesicError, GeometryError};

/// Timelike ($\mu^2 = 1$) or null ($\mu^2 = 0$).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeodesicKind {
    /// Massive particle, parameter = proper time.
    Timelike,
    /// Light ray, affine parameter.
    Null,
}

impl GeodesicKind {
    /// $\mu^2$.
    pub fn mu2(self) -> f64 {
        match self {
            Self::Timelike => 1.0,
            Self::Null => 0.0,
        }
    }
}

/// Which integrator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Adaptive Dormand-Prince 5(4).
    Dopri5 {
        /// Relative tolerance.
        rtol: f64,
        /// Absolute tolerance.
        atol: f64,
        /// Initial step.
        h0: f64,
    },
    /// Fixed-step implicit Gauss-Legendre with `stages` stages (order `2 * stages`).
    GaussLegendre {
        /// Number of stages (1..=8).
        stages: usize,
        /// Step size.
        h: f64,
    },
}

/// What to do when a monitored constraint exceeds its tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ViolationPolicy {
    /// Stop with [`GeodesicError::ConstraintViolated`] (default).
    #[default]
    Error,
    /// Only record the drift in the trajectory.
    Record,
}

/// The direction of a zero crossing that triggers an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From negative to positive.
    Rising,
    /// From positive to negative.
    Falling,
    /// Either.
    Either,
}

/// The scalar function whose zeros are events.
#[derive(Debug, Clone, Copy)]
pub enum EventFn<const N: usize> {
    /// $x^i - v$.
    Coordinate {
        /// Coordinate index.
        index: usize,
        /// Value.
        value: f64,
    },
    /// $dx^i/d\lambda$ (turning points: periapsis = `Rising` in $r$, apoapsis = `Falling`).
    Velocity {
        /// Coordinate index.
        index: usize,
    },
    /// A user function of $(x, p)$.
    User(fn(&[f64; N], &[f64; N]) -> f64),
}

/// An event: a function, a direction and whether it stops the integration.
#[derive(Debug, Clone, Copy)]
pub struct Event<const N: usize> {
    /// Name reported in hits.
    pub name: &'static str,
    /// The function.
    pub func: EventFn<N>,
    /// Crossing direction.
    pub direction: Direction,
    /// Stop at the first hit.
    pub terminal: bool,
}

impl<const N: usize> Event<N> {
    /// Periapsis: $dr/d\lambda$ crossing zero upwards (coordinate index 1 is $r$).
    pub fn periapsis() -> Self {
        Self {
            name: "periapsis",
            func: EventFn::Velocity { index: 1 },
            direction: Direction::Rising,
            terminal: false,
        }
    }
    /// Apoapsis: $dr/d\lambda$ crossing zero downwards.
    pub fn apoapsis() -> Self {
        Self {
            name: "apoapsis",
            func: EventFn::Velocity { index: 1 },
            direction: Direction::Falling,
            terminal: false,
        }
    }
    /// Terminal event when $r$ falls below `r_stop` (horizon approach / capture).
    pub fn capture(r_stop: f64) -> Self {
        Self {
            name: "capture",
            func: EventFn::Coordinate {
                index: 1,
                value: r_stop,
            },
            direction: Direction::Falling,
            terminal: true,
        }
    }
    /// Terminal event when $r$ rises above `r_escape`.
    pub fn escape(r_escape: f64) -> Self {
        Self {
            name: "escape",
            func: EventFn::Coordinate {
                index: 1,
                value: r_escape,
            },
            direction: Direction::Rising,
            terminal: true,
        }
    }
}

/// Integration options.
#[derive(Debug, Clone)]
pub struct GeodesicOptions<const N: usize> {
    /// The integrator.
    pub method: Method,
    /// Integrate to this parameter value (may be negative for backwards integration).
    pub lambda_end: f64,
    /// Step limit.
    pub max_steps: usize,
    /// Tolerance for the monitors (absolute for $2H + \mu^2$, relative to $\max(1, |q_0|)$ for
    /// conserved quantities).
    pub constraint_tol: f64,
    /// Policy on violation.
    pub on_violation: ViolationPolicy,
    /// Tolerance on the initial normalisation of $p$.
    pub norm_tol: f64,
    /// Keep every step in the trajectory (otherwise only the endpoints and events).
    pub record: bool,
    /// Keep the Dormand-Prince continuous extension of every accepted step, so that
    /// [`Trajectory::interpolate`] works at any parameter value (4th-order dense output).
    pub dense: bool,
    /// Events.
    pub events: Vec<Event<N>>,
}

impl<const N: usize> GeodesicOptions<N> {
    /// Dormand-Prince at `rtol = atol = tol` to `lambda_end`, constraint tolerance `1e-8`.
    pub fn dopri(tol: f64, lambda_end: f64) -> Self {
        Self {
            method: Method::Dopri5 {
                rtol: tol,
                atol: tol,
                h0: 1e-2,
            },
            lambda_end,
            max_steps: 10_000_000,
            constraint_tol: 1e-8,
            on_violation: ViolationPolicy::Error,
            norm_tol: 1e-10,
            record: false,
            dense: false,
            events: Vec::new(),
        }
    }
    /// Gauss-Legendre with `stages` stages and step `h`.
    pub fn gauss(stages: usize, h: f64, lambda_end: f64) -> Self {
        Self {
            method: Method::GaussLegendre { stages, h },
            ..Self::dopri(1e-10, lambda_end)
        }
    }
    /// Add an event (builder style).
    pub fn with_event(mut self, e: Event<N>) -> Self {
        self.events.push(e);
        self
    }
}

/// One located event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventHit<const N: usize> {
    /// Index into `options.events`.
    pub event: usize,
    /// Name of the event.
    pub name: &'static str,
    /// Parameter value.
    pub lambda: f64,
    /// Position.
    pub x: [f64; N],
    /// Momentum.
    pub p: [f64; N],
}

/// The result of an integration.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory<const N: usize> {
    /// Parameter values of the recorded states.
    pub lambda: Vec<f64>,
    /// Positions.
    pub x: Vec<[f64; N]>,
    /// Covariant momenta.
    pub p: Vec<[f64; N]>,
    /// Located events, in order.
    pub events: Vec<EventHit<N>>,
    /// Name of the terminal event that stopped the run, if any.
    pub stopped_by: Option<&'static str>,
    /// $\max |2H + \mu^2|$ over accepted steps.
    pub max_shell_drift: f64,
    /// $\max$ relative drift of each cyclic momentum (same order as `Metric::cyclic_coordinates`).
    pub max_momentum_drift: Vec<f64>,
    /// $\max$ relative drift of the Killing-tensor invariant (Carter $Q$), if the metric has one.
    pub max_invariant_drift: Option<f64>,
    /// Accepted steps.
    pub steps: usize,
    /// Rejected steps (adaptive method).
    pub rejected: usize,
    /// Right-hand-side evaluations.
    pub rhs_evals: usize,
    /// Dense-output segments (only with `options.dense` and the Dormand-Prince method).
    pub dense: Vec<DenseSegment<N>>,
}

/// One accepted Dormand-Prince step with its continuous extension.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DenseSegment<const N: usize> {
    /// Parameter at the start of the step.
    pub lambda0: f64,
    /// Step size (signed).
    pub h: f64,
    /// Shampine's dense-output coefficients $(r_1, \dots, r_5)$ of the phase-space state.
    pub coeffs: [([f64; N], [f64; N]); 5],
}

impl<const N: usize> Trajectory<N> {
    /// The state at parameter `lambda` from the dense output (4th order, error comparable to the
    /// integration tolerance); `None` outside the integrated range or without `options.dense`.
    pub fn interpolate(&self, lambda: f64) -> Option<([f64; N], [f64; N])> {
        let first = self.dense.first()?;
        let sign = first.h.signum();
        let i = self.dense.partition_point(|s| (lambda - s.lambda0) * sign >= 0.0);
        let seg = self.dense.get(i.checked_sub(1)?)?;
        let theta = (lambda - seg.lambda0) / seg.h;
        if !(0.0..=1.0 + 1e-12).contains(&theta) {
            return None;
        }
        let step = crate::ode::DopriStep {
            y: seg.coeffs[0],
            f_new: seg.coeffs[0],
            err: 0.0,
            dense: Some(seg.coeffs),
        };
        step.interpolate(theta.min(1.0))
    }

    /// The last state.
    pub fn last(&self) -> Option<(f64, [f64; N], [f64; N])> {
        let i = self.lambda.len().checked_sub(1)?;
        Some((self.lambda[i], self.x[i], self.p[i]))
    }
}

/// Hamilton's equations at a point: returns $(\dot x, \dot p, H)$.
///
/// # Errors
/// Non-finite input, outside the domain, or a singular metric.
pub fn hamiltonian_rhs<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    x: &[f64; N],
    p: &[f64; N],
) -> Result<([f64; N], [f64; N], f64), GeometryError> {
    check_point(metric, x)?;
    if p.iter().any(|v| !v.is_finite()) {
        return Err(GeometryError::NonFinite { what: "momentum" });
    }
    let cyclic = metric.cyclic_coordinates();
    let mut dx = [0.0; N];
    let mut dp = [0.0; N];
    let h_re;
    if cyclic.is_empty() {
        // One gradient-dual pass gives every ∂_μ H.
        let xd: [DualVec<f64, nalgebra::Const<N>>; N] = std::array::from_fn(|i| {
            DualVec::new(
                x[i],
                Derivative::some(SVector::<f64, N>::from_fn(|k, _| if k == i { 1.0 } else { 0.0 })),
            )
        });
        let gi = metric.inverse_components(&xd)?;
        let mut h = DualVec::<f64, nalgebra::Const<N>>::from(0.0);
        for a in 0..N {
            let mut row = DualVec::<f64, nalgebra::Const<N>>::from(0.0);
            for b in 0..N {
                row += gi[a][b] * p[b];
            }
            dx[a] = row.re;
            h += row * (0.5 * p[a]);
        }
        if let Some(e) = h.eps.0.as_ref() {
            for k in 0..N {
                dp[k] = -e[k];
            }
        }
        h_re = h.re;
    } else {
        // The metric declares cyclic coordinates (∂_k g = 0 exactly), so ∂_k H = 0 there: one scalar
        // dual pass per remaining direction is cheaper than a full gradient dual.
        let mut first = true;
        let mut hr = 0.0;
        for k in 0..N {
            if cyclic.contains(&k) {
                continue;
            }
            let xd: [Dual64; N] = std::array::from_fn(|i| Dual64::new(x[i], if i == k { 1.0 } else { 0.0 }));
            let gi = metric.inverse_components(&xd)?;
            let mut h = Dual64::from(0.0);
            for a in 0..N {
                let mut row = Dual64::from(0.0);
                for b in 0..N {
                    row += gi[a][b] * p[b];
                }
                if first {
                    dx[a] = row.re;
                }
                h += row * (0.5 * p[a]);
            }
            first = false;
            hr = h.re;
            dp[k] = -h.eps;
        }
        if first {
            let gi = metric.inverse_components(x)?;
            for a in 0..N {
                dx[a] = (0..N).map(|b| gi[a][b] * p[b]).sum();
                hr += 0.5 * dx[a] * p[a];
            }
        }
        h_re = hr;
    }
    if !(h_re.is_finite() && dx.iter().chain(dp.iter()).all(|v| v.is_finite())) {
        return Err(GeometryError::SingularMetric {
            point: x.to_vec(),
            pivot: f64::NAN,
        });
    }
    Ok((dx, dp, h_re))
}

/// One explicit Dormand-Prince 5(4) step of size `h` of Hamilton's equations from $(x, p)$ (7 right-hand
/// sides, no step control): the unit of work of the adaptive integrator.
///
/// # Errors
/// As [`hamiltonian_rhs`].
pub fn dopri5_geodesic_step<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    x: &[f64; N],
    p: &[f64; N],
    h: f64,
) -> Result<([f64; N], [f64; N], f64), GeometryError> {
    let mut f = |_t: f64, s: &Phase<N>| -> Result<Phase<N>, GeometryError> {
        let (dx, dp, _) = hamiltonian_rhs(metric, &s.0, &s.1)?;
        Ok((dx, dp))
    };
    let y = (*x, *p);
    let f0 = f(0.0, &y)?;
    let s = dopri5_step(&mut f, 0.0, &y, &f0, h, 1e-12, 1e-12)?;
    Ok((s.y.0, s.y.1, s.err))
}

/// $g^{\mu\nu}p_\mu p_\nu$ at a point.
///
/// # Errors
/// As [`hamiltonian_rhs`].
pub fn mass_shell<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    x: &[f64; N],
    p: &[f64; N],
) -> Result<f64, GeometryError> {
    check_point(metric, x)?;
    let gi = metric.inverse_components(x)?;
    let mut s = 0.0;
    for a in 0..N {
        for b in 0..N {
            s += gi[a][b] * p[a] * p[b];
        }
    }
    Ok(s)
}

/// Lower a velocity: $p_\mu = g_{\mu\nu}u^\nu$.
///
/// # Errors
/// Non-finite input or outside the domain.
pub fn lower<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    x: &[f64; N],
    u: &[f64; N],
) -> Result<[f64; N], GeometryError> {
    check_point(metric, x)?;
    let g = metric.components(x);
    Ok(std::array::from_fn(|a| (0..N).map(|b| g[a][b] * u[b]).sum()))
}

/// Complete the momentum: given the spatial components $p_i$, solve the mass shell
/// $g^{\mu\nu}p_\mu p_\nu = -\mu^2$ for $p_0$, choosing the future-directed root ($dx^0/d\lambda > 0$).
///
/// # Errors
/// [`GeometryError::InvalidParameter`] if no real future-directed root exists.
pub fn complete_momentum<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    x: &[f64; N],
    p_spatial: &[f64; N],
    kind: GeodesicKind,
) -> Result<[f64; N], GeometryError> {
    check_point(metric, x)?;
    let gi = metric.inverse_components(x)?;
    let a = gi[0][0];
    let b: f64 = (1..N).map(|i| gi[0][i] * p_spatial[i]).sum();
    let mut c: f64 = kind.mu2();
    for i in 1..N {
        for j in 1..N {
            c += gi[i][j] * p_spatial[i] * p_spatial[j];
        }
    }
    let disc = b * b - a * c;
    if disc.is_nan() || disc < 0.0 || a == 0.0 {
        return Err(GeometryError::InvalidParameter {
            name: "p",
            value: disc,
            reason: "no real p_0 solves the mass shell",
        });
    }
    for sgn in [1.0, -1.0] {
        let p0 = (-b + sgn * disc.sqrt()) / a;
        let u0 = a * p0 + b;
        if u0 > 0.0 {
            let mut p = *p_spatial;
            p[0] = p0;
            return Ok(p);
        }
    }
    Err(GeometryError::InvalidParameter {
        name: "p",
        value: disc,
        reason: "no future-directed root",
    })
}

fn event_value<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    f: &EventFn<N>,
    x: &[f64; N],
    p: &[f64; N],
) -> f64 {
    match *f {
        EventFn::Coordinate { index, value } => x.get(index).map_or(f64::NAN, |v| v - value),
        EventFn::Velocity { index } => {
            if index >= N {
                return f64::NAN;
            }
            match metric.inverse_components(x) {
                Ok(gi) => (0..N).map(|b| gi[index][b] * p[b]).sum(),
                Err(_) => f64::NAN,
            }
        }
        EventFn::User(u) => u(x, p),
    }
}

fn crossed(dir: Direction, g0: f64, g1: f64) -> bool {
    match dir {
        Direction::Rising => g0 < 0.0 && g1 >= 0.0,
        Direction::Falling => g0 > 0.0 && g1 <= 0.0,
        Direction::Either => (g0 < 0.0 && g1 >= 0.0) || (g0 > 0.0 && g1 <= 0.0),
    }
}

type Phase<const N: usize> = ([f64; N], [f64; N]);

struct Stepper<'m, M: ?Sized, const N: usize> {
    metric: &'m M,
    evals: usize,
    gl: Option<GaussLegendre>,
}

impl<M: Metric<N> + ?Sized, const N: usize> Stepper<'_, M, N> {
    fn rhs(&mut self, y: &Phase<N>) -> Result<Phase<N>, GeometryError> {
        self.evals += 1;
        let (dx, dp, _) = hamiltonian_rhs(self.metric, &y.0, &y.1)?;
        Ok((dx, dp))
    }

    /// One step of size h without error control (used for event refinement and by GL).
    fn plain_step(
        &mut self,
        lam: f64,
        y: &Phase<N>,
        f0: &Phase<N>,
        h: f64,
    ) -> Result<Phase<N>, GeodesicError> {
        let metric = self.metric;
        let mut count = 0;
        let mut f = |_t: f64, s: &Phase<N>| -> Result<Phase<N>, GeometryError> {
            count += 1;
            let (dx, dp, _) = hamiltonian_rhs(metric, &s.0, &s.1)?;
            Ok((dx, dp))
        };
        let out = match &self.gl {
            None => dopri5_step(&mut f, lam, y, f0, h, 1.0, 1.0)
                .map(|s| s.y)
                .map_err(|e| invalid(lam, e)),
            Some(gl) => match gl.step(&mut f, lam, y, h, 4e-16, 60, None) {
                Ok((y1, _, _)) => Ok(y1),
                Err(Ok(res)) => Err(GeodesicError::ImplicitNoConvergence {
                    lambda: lam,
                    residual: res,
                }),
                Err(Err(e)) => Err(invalid(lam, e)),
            },
        };
        self.evals += count;
        out
    }
}

fn invalid(lambda: f64, e: GeometryError) -> GeodesicError {
    GeodesicError::InvalidState {
        lambda,
        reason: e.to_string(),
    }
}

/// Integrate a geodesic from `(x0, p0)` (covariant momentum).
///
/// # Errors
/// [`GeodesicError::NotNormalised`] if $|g^{\mu\nu}p_\mu p_\nu + \mu^2|$ exceeds `norm_tol` (relative to
/// the size of the terms); [`GeodesicError::ConstraintViolated`] when a monitor leaves `constraint_tol`
/// (policy [`ViolationPolicy::Error`]); [`GeodesicError::InvalidState`] if the orbit leaves the chart's
/// domain (e.g. crosses a Boyer-Lindquist horizon) without a terminal event; step-size and option errors.
pub fn integrate<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    kind: GeodesicKind,
    x0: &[f64; N],
    p0: &[f64; N],
    opts: &GeodesicOptions<N>,
) -> Result<Trajectory<N>, GeometryError> {
    if !opts.lambda_end.is_finite() {
        return Err(GeodesicError::InvalidOption {
            name: "lambda_end",
            value: opts.lambda_end,
        }
        .into());
    }
    for (name, value) in [
        ("constraint_tol", opts.constraint_tol),
        ("norm_tol", opts.norm_tol),
    ] {
        // A NaN tolerance would silently turn its check off.
        if value.is_nan() || value <= 0.0 {
            return Err(GeodesicError::InvalidOption { name, value }.into());
        }
    }
    let (gl, h_init, rtol, atol) = match opts.method {
        Method::Dopri5 { rtol, atol, h0 } => {
            for (name, v) in [("rtol", rtol), ("atol", atol), ("h0", h0)] {
                if !(v > 0.0 && v.is_finite()) {
                    return Err(GeodesicError::InvalidOption { name, value: v }.into());
                }
            }
            (None, h0, rtol, atol)
        }
        Method::GaussLegendre { stages, h } => {
            if !(h > 0.0 && h.is_finite()) {
                return Err(GeodesicError::InvalidOption { name: "h", value: h }.into());
            }
            if !(1..=8).contains(&stages) {
                return Err(GeodesicError::InvalidOption {
                    name: "stages",
                    value: stages as f64,
                }
                .into());
            }
            (Some(GaussLegendre::new(stages)), h, 0.0, 0.0)
        }
    };
    crate::metric::check_point_and_symmetry(metric, x0)?;
    let (_, _, h0val) = hamiltonian_rhs(metric, x0, p0)?;
    let gi = metric.inverse_components(x0)?;
    let mut scale = 0.0;
    for a in 0..N {
        for b in 0..N {
            scale += (gi[a][b] * p0[a] * p0[b]).abs();
        }
    }
    let shell0 = 2.0 * h0val + kind.mu2();
    if shell0.abs() > opts.norm_tol * scale.max(1.0) {
        return Err(GeodesicError::NotNormalised {
            norm: 2.0 * h0val,
            expected: -kind.mu2(),
        }
        .into());
    }
    let cyc: Vec<usize> = metric
        .cyclic_coordinates()
        .iter()
        .copied()
        .filter(|&k| k < N)
        .collect();
    let q0: Vec<f64> = cyc.iter().map(|&k| p0.get(k).copied().unwrap_or(0.0)).collect();
    let inv0 = metric.killing_tensor_invariant(x0, p0, kind.mu2());
    let sign = if opts.lambda_end >= 0.0 { 1.0 } else { -1.0 };
    let mut st = Stepper { metric, evals: 0, gl };
    let mut traj = Trajectory {
        lambda: vec![0.0],
        x: vec![*x0],
        p: vec![*p0],
        events: Vec::new(),
        stopped_by: None,
        max_shell_drift: shell0.abs(),
        max_momentum_drift: vec![0.0; cyc.len()],
        max_invariant_drift: inv0.map(|_| 0.0),
        steps: 0,
        rejected: 0,
        rhs_evals: 0,
        dense: Vec::new(),
    };
    let mut lam = 0.0_f64;
    let mut y: Phase<N> = (*x0, *p0);
    let mut f0 = st.rhs(&y).map_err(|e| invalid(lam, e))?;
    let mut h = h_init * sign;
    let mut gvals: Vec<f64> = opts
        .events
        .iter()
        .map(|e| event_value(metric, &e.func, &y.0, &y.1))
        .collect();
    let mut gl_guess: Option<Vec<Phase<N>>> = None;
    while (opts.lambda_end - lam) * sign > 0.0 {
        if traj.steps >= opts.max_steps {
            return Err(GeodesicError::TooManySteps {
                max_steps: opts.max_steps,
                lambda: lam,
            }
            .into());
        }
        let remaining = opts.lambda_end - lam;
        if h.abs() > remaining.abs() {
            h = remaining;
        }
        // Attempt a step.
        let (y1, f1, h_used) = match &st.gl {
            None => {
                let metric = st.metric;
                let mut count = 0;
                let mut f = |_t: f64, s: &Phase<N>| -> Result<Phase<N>, GeometryError> {
                    count += 1;
                    let (dx, dp, _) = hamiltonian_rhs(metric, &s.0, &s.1)?;
                    Ok((dx, dp))
                };
                let res = if opts.dense {
                    dopri5_step_dense(&mut f, lam, &y, &f0, h, rtol, atol)
                } else {
                    dopri5_step(&mut f, lam, &y, &f0, h, rtol, atol)
                };
                st.evals += count;
                match res {
                    Ok(s) if s.err <= 1.0 => {
                        let used = h;
                        if let Some(coeffs) = s.dense {
                            traj.dense.push(DenseSegment {
                                lambda0: lam,
                                h: used,
                                coeffs,
                            });
                        }
                        h = dopri5_next_h(h, s.err);
                        (s.y, s.f_new, used)
                    }
                    Ok(s) => {
                        traj.rejected += 1;
                        h = dopri5_next_h(h, s.err);
                        if h.abs() < 1e-14 * (1.0 + lam.abs()) {
                            return Err(GeodesicError::StepUnderflow { lambda: lam, h }.into());
                        }
                        continue;
                    }
                    Err(_) => {
                        // A stage left the domain: shrink the step (it may be an event ahead).
                        traj.rejected += 1;
                        h *= 0.25;
                        if h.abs() < 1e-14 * (1.0 + lam.abs()) {
                            let e = hamiltonian_rhs(metric, &y.0, &y.1).err();
                            return Err(GeodesicError::InvalidState {
                                lambda: lam,
                                reason: e.map_or("stage left the domain".into(), |e| e.to_string()),
                            }
                            .into());
                        }
                        continue;
                    }
                }
            }
            Some(gl) => {
                let metric = st.metric;
                let mut count = 0;
                let mut f = |_t: f64, s: &Phase<N>| -> Result<Phase<N>, GeometryError> {
                    count += 1;
                    let (dx, dp, _) = hamiltonian_rhs(metric, &s.0, &s.1)?;
                    Ok((dx, dp))
                };
                let res = gl.step(&mut f, lam, &y, h, 4e-16, 60, gl_guess.as_deref());
                st.evals += count;
                match res {
                    Ok((y1, k, _)) => {
                        gl_guess = Some(k);
                        let f1 = st.rhs(&y1).map_err(|e| invalid(lam + h, e))?;
                        (y1, f1, h)
                    }
                    Err(Ok(res)) => {
                        return Err(GeodesicError::ImplicitNoConvergence {
                            lambda: lam,
                            residual: res,
                        }
                        .into());
                    }
                    Err(Err(e)) => return Err(invalid(lam, e).into()),
                }
            }
        };
        let lam1 = lam + h_used;
        // Events on this step.
        let mut stop: Option<EventHit<N>> = None;
        let mut hits: Vec<EventHit<N>> = Vec::new();
        for (ei, ev) in opts.events.iter().enumerate() {
            // dx/dλ at the new state is the first half of f1 (FSAL): no extra metric evaluation.
            let g1 = match ev.func {
                EventFn::Velocity { index } if index < N => f1.0[index],
                _ => event_value(metric, &ev.func, &y1.0, &y1.1),
            };
            if crossed(ev.direction, gvals[ei], g1) {
                let hstep = lam1 - lam;
                let hit = refine(&mut st, ev, ei, lam, &y, &f0, hstep, gvals[ei], g1)?;
                if ev.terminal {
                    if stop.as_ref().is_none_or(|s| (hit.lambda - s.lambda) * sign < 0.0) {
                        stop = Some(hit);
                    }
                } else {
                    hits.push(hit);
                }
            }
            gvals[ei] = g1;
        }
        if let Some(s) = &stop {
            hits.retain(|h| (h.lambda - s.lambda) * sign <= 0.0);
        }
        hits.sort_by(|a, b| (a.lambda * sign).total_cmp(&(b.lambda * sign)));
        traj.events.extend(hits);
        let (lam_new, y_new) = match &stop {
            Some(s) => (s.lambda, (s.x, s.p)),
            None => (lam1, y1),
        };
        // Monitors.
        // 2H = g^{μν} p_μ p_ν = p_μ (dx^μ/dλ): reuse the right-hand side at the new state.
        let two_h: f64 = if stop.is_some() {
            let (dx, _, _) = hamiltonian_rhs(metric, &y_new.0, &y_new.1).map_err(|e| invalid(lam_new, e))?;
            (0..N).map(|a| dx[a] * y_new.1[a]).sum()
        } else {
            (0..N).map(|a| f1.0[a] * y_new.1[a]).sum()
        };
        let shell = (two_h + kind.mu2()).abs();
        traj.max_shell_drift = traj.max_shell_drift.max(shell);
        let mut violation: Option<(&'static str, f64)> = None;
        if shell > opts.constraint_tol {
            violation = Some(("mass shell", shell));
        }
        for (i, &k) in cyc.iter().enumerate() {
            let d = (y_new.1[k] - q0[i]).abs() / q0[i].abs().max(1.0);
            traj.max_momentum_drift[i] = traj.max_momentum_drift[i].max(d);
            if d > opts.constraint_tol && violation.is_none() {
                violation = Some((if k == 0 { "E" } else { "L" }, d));
            }
        }
        if let (Some(q0v), Some(qn)) = (
            inv0,
            metric.killing_tensor_invariant(&y_new.0, &y_new.1, kind.mu2()),
        ) {
            let d = (qn - q0v).abs() / q0v.abs().max(1.0);
            let m = traj.max_invariant_drift.get_or_insert(0.0);
            *m = m.max(d);
            if d > opts.constraint_tol && violation.is_none() {
                violation = Some(("Q", d));
            }
        }
        if let (Some((which, drift)), ViolationPolicy::Error) = (violation, opts.on_violation) {
            return Err(GeodesicError::ConstraintViolated {
                which,
                lambda: lam_new,
                drift,
                tolerance: opts.constraint_tol,
            }
            .into());
        }
        traj.steps += 1;
        lam = lam_new;
        y = y_new;
        f0 = if stop.is_some() {
            st.rhs(&y).map_err(|e| invalid(lam, e))?
        } else {
            f1
        };
        if opts.record {
            traj.lambda.push(lam);
            traj.x.push(y.0);
            traj.p.push(y.1);
        }
        if let Some(s) = stop {
            traj.stopped_by = Some(s.name);
            traj.events.push(s);
            break;
        }
    }
    if !opts.record {
        traj.lambda.push(lam);
        traj.x.push(y.0);
        traj.p.push(y.1);
    }
    traj.rhs_evals = st.evals;
    Ok(traj)
}

fn refine<M: Metric<N> + ?Sized, const N: usize>(
    st: &mut Stepper<'_, M, N>,
    ev: &Event<N>,
    ei: usize,
    lam: f64,
    y: &Phase<N>,
    f0: &Phase<N>,
    h: f64,
    g0: f64,
    g1: f64,
) -> Result<EventHit<N>, GeometryError> {
    // Illinois false position on the step fraction theta in [0, 1].
    let (mut ta, mut ga, mut tb, mut gb) = (0.0_f64, g0, 1.0_f64, g1);
    let mut side = 0i32;
    let mut best = (1.0, st.plain_step(lam, y, f0, h)?);
    for _ in 0..60 {
        let t = if gb != ga {
            (ta * gb - tb * ga) / (gb - ga)
        } else {
            0.5 * (ta + tb)
        };
        let t = if t.is_finite() && t > ta && t < tb {
            t
        } else {
            0.5 * (ta + tb)
        };
        let yt = st.plain_step(lam, y, f0, t * h)?;
        let gt = event_value(st.metric, &ev.func, &yt.0, &yt.1);
        best = (t, yt);
        if gt == 0.0 || (tb - ta) * h.abs() < 1e-13 * (1.0 + lam.abs()) {
            break;
        }
        if (gt < 0.0) == (ga < 0.0) {
            ta = t;
            ga = gt;
            if side == -1 {
                gb *= 0.5;
            }
            side = -1;
        } else {
            tb = t;
            gb = gt;
            if side == 1 {
                ga *= 0.5;
            }
            side = 1;
        }
        if (tb - ta) * h.abs() < 1e-13 * (1.0 + lam.abs()) {
            break;
        }
    }
    Ok(EventHit {
        event: ei,
        name: ev.name,
        lambda: lam + best.0 * h,
        x: best.1.0,
        p: best.1.1,
    })
}
