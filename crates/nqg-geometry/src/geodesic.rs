//! Geodesics in Hamiltonian form with autodiff forces (THEORY.md §7, S-GEO1-4).
//!
//! With $H(x, p) = \tfrac12 g^{\mu\nu}(x)p_\mu p_\nu$ the geodesic equation is
//!
//! $$\frac{dx^\mu}{d\lambda} = g^{\mu\nu}p_\nu,\qquad \frac{dp_\mu}{d\lambda} = -\tfrac12\\,\partial_\mu g^{\alpha\beta}\\,p_\alpha p_\beta,$$
//!
//! with $H = -\tfrac12$ for timelike geodesics ($\lambda$ = proper time) and $H = 0$ for null ones
//! (affine parameter). $\partial_\mu g^{\alpha\beta}$ comes from one gradient-dual evaluation of
//! [`Metric::inverse_components`]; nothing is differentiated by hand.
//!
//! Integrators: the adaptive 8th-order Dormand-Prince pair DOP853 ([`Method::Dop853`],
//! [`crate::dop853`]), the Prince-Dormand 8(7) pair ([`Method::Rk87`], [`crate::ode::rk87`], the fastest
//! at tight tolerances), adaptive Dormand-Prince 5(4) ([`Method::Dopri5`]) and the
//! symplectic, symmetric $s$-stage Gauss-Legendre method ([`Method::GaussLegendre`], order $2s$) for long
//! runs. Events ([`crate::events`]) are located on the continuous extension of the step (DOP853's
//! 7th-order interpolant, RK8(7)13M's of order ≥ 7; re-stepping from the start of the step with the other methods), so an event
//! is as accurate as the integrator. Monitors: the mass shell $2H + \mu^2$, the momenta of cyclic
//! coordinates ($E = -p_t$, $L = p_\phi$) and a Killing-tensor invariant (Carter's $Q$ for Kerr);
//! leaving `constraint_tol` is [`GeodesicError::ConstraintViolated`] unless the policy says to record
//! only. An orbit that runs into the boundary of the chart's domain (a Boyer-Lindquist horizon) is
//! [`GeodesicError::InvalidState`] with the position.

use nalgebra::SVector;
use num_dual::{Derivative, Dual64, DualVec};

pub use crate::events::{Direction, Event, EventClosure, EventFn, EventHit, EventId};
use crate::geodesic_monitor::{Monitors, chart_degenerates};
use crate::geodesic_stepper::{Accepted, Interp, Phase, Scheme, Stepper, invalid};
use crate::metric::{Metric, check_point};
use crate::ode::{GaussLegendre, dopri5_step};
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
    /// Adaptive Dormand-Prince 8(5,3) (DOP853, [`crate::dop853`]) with Hairer's error norm and step
    /// controller; events from its 7th-order dense output.
    Dop853 {
        /// Relative tolerance.
        rtol: f64,
        /// Absolute tolerance.
        atol: f64,
        /// Initial step.
        h0: f64,
    },
    /// Adaptive Prince-Dormand 8(7) (RK8(7)13M, [`crate::ode::rk87`], diffrax's `Dopri8`): 13 right-hand
    /// sides per step, a 7th-order error estimate in the RMS norm, the DOP853 step controller with
    /// $\beta = 0.04$ and safety 0.8; events from its continuous extension (order ≥ 7, no extra right-hand side).
    Rk87 {
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

/// Integration options; build with [`GeodesicOptions::dop853`], [`GeodesicOptions::dopri`] or
/// [`GeodesicOptions::gauss`] and the `with_*` methods.
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
    /// Keep the continuous extension of every accepted step (Dormand-Prince methods), so that
    /// [`Trajectory::interpolate`] works at any parameter value (order 4 with Dopri5, 7 with DOP853, at
    /// least 7 with RK8(7)13M).
    pub dense: bool,
    /// Events.
    pub events: Vec<Event<N>>,
}

impl<const N: usize> GeodesicOptions<N> {
    /// Dormand-Prince 5(4) at `rtol = atol = tol` to `lambda_end`, constraint tolerance `1e-8`.
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
    /// DOP853 at `rtol = atol = tol` to `lambda_end`, constraint tolerance `1e-8`.
    pub fn dop853(tol: f64, lambda_end: f64) -> Self {
        Self {
            method: Method::Dop853 {
                rtol: tol,
                atol: tol,
                h0: 1e-2,
            },
            ..Self::dopri(tol, lambda_end)
        }
    }
    /// RK8(7)13M ([`Method::Rk87`]) at `rtol = atol = tol` to `lambda_end`, constraint tolerance `1e-8`.
    pub fn rk87(tol: f64, lambda_end: f64) -> Self {
        Self {
            method: Method::Rk87 {
                rtol: tol,
                atol: tol,
                h0: 1e-2,
            },
            ..Self::dopri(tol, lambda_end)
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
    /// Add an event and return its handle (for [`Trajectory::hits`]).
    pub fn add_event(&mut self, e: Event<N>) -> EventId {
        self.events.push(e);
        EventId(self.events.len() - 1)
    }
    /// Keep every accepted step (`record`).
    pub fn with_record(mut self, record: bool) -> Self {
        self.record = record;
        self
    }
    /// Keep the continuous extension of every step (`dense`).
    pub fn with_dense(mut self, dense: bool) -> Self {
        self.dense = dense;
        self
    }
    /// Monitor tolerance (`constraint_tol`).
    pub fn with_constraint_tol(mut self, tol: f64) -> Self {
        self.constraint_tol = tol;
        self
    }
    /// What a monitor violation does (`on_violation`).
    pub fn with_policy(mut self, policy: ViolationPolicy) -> Self {
        self.on_violation = policy;
        self
    }
    /// Step limit (`max_steps`).
    pub fn with_max_steps(mut self, max_steps: usize) -> Self {
        self.max_steps = max_steps;
        self
    }
    /// Tolerance on the initial normalisation (`norm_tol`).
    pub fn with_norm_tol(mut self, tol: f64) -> Self {
        self.norm_tol = tol;
        self
    }
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
    /// Dense-output segments (only with `options.dense` and a Dormand-Prince method).
    pub dense: Vec<DenseSegment<N>>,
}

/// The continuous extension of one accepted step, by method.
#[derive(Debug, Clone, PartialEq)]
enum DensePoly<const N: usize> {
    /// Shampine's coefficients $(r_1, \dots, r_5)$ (Dopri5, order 4).
    Dopri5([Phase<N>; 5]),
    /// The DOP853 interpolant (order 7).
    Dop853(Box<crate::dop853::Dop853Dense<Phase<N>>>),
    /// The RK8(7)13M step with its stages (continuous extension of order ≥ 7).
    Rk87(Box<crate::ode::rk87::Rk87Step<Phase<N>>>),
}

/// One accepted step with its continuous extension; evaluate with [`DenseSegment::at`].
#[derive(Debug, Clone, PartialEq)]
pub struct DenseSegment<const N: usize> {
    /// Parameter at the start of the step.
    pub lambda0: f64,
    /// Step size (signed).
    pub h: f64,
    poly: DensePoly<N>,
}

impl<const N: usize> DenseSegment<N> {
    /// The state $(x, p)$ at fraction $0 \le \theta \le 1$ of the step.
    pub fn at(&self, theta: f64) -> ([f64; N], [f64; N]) {
        match &self.poly {
            DensePoly::Dopri5(c) => {
                let step = crate::ode::DopriStep {
                    y: c[0],
                    f_new: c[0],
                    err: 0.0,
                    dense: Some(*c),
                };
                step.interpolate(theta).unwrap_or(c[0])
            }
            DensePoly::Dop853(d) => d.at(theta),
            DensePoly::Rk87(d) => d.at(theta),
        }
    }
}

impl<const N: usize> Trajectory<N> {
    /// The state at parameter `lambda` from the dense output (error comparable to the integration
    /// tolerance); `None` outside the integrated range or without `options.dense`.
    pub fn interpolate(&self, lambda: f64) -> Option<([f64; N], [f64; N])> {
        let first = self.dense.first()?;
        let sign = first.h.signum();
        let i = self.dense.partition_point(|s| (lambda - s.lambda0) * sign >= 0.0);
        let seg = self.dense.get(i.checked_sub(1)?)?;
        let theta = (lambda - seg.lambda0) / seg.h;
        if !(0.0..=1.0 + 1e-12).contains(&theta) {
            return None;
        }
        Some(seg.at(theta.min(1.0)))
    }

    /// The last state.
    pub fn last(&self) -> Option<(f64, [f64; N], [f64; N])> {
        let i = self.lambda.len().checked_sub(1)?;
        Some((self.lambda[i], self.x[i], self.p[i]))
    }

    /// The hits of one event, by the handle [`GeodesicOptions::add_event`] returned (or
    /// `EventId(index)` for the index in `options.events`), in order.
    pub fn hits(&self, id: EventId) -> impl Iterator<Item = &EventHit<N>> + '_ {
        self.events.iter().filter(move |h| h.event == id.0)
    }

    /// The hits of the events named `name`, in order.
    pub fn hits_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a EventHit<N>> + 'a {
        self.events.iter().filter(move |h| h.name == name)
    }
}

/// Hamilton's equations at a point: returns $(\dot x, \dot p, H)$.
///
/// $\partial_\mu H$ comes from one dual pass of [`Metric::inverse_components`]: a gradient dual over
/// all $N$ directions, or, when the metric declares cyclic coordinates (where $\partial_k H = 0$
/// exactly), over the remaining ones only (one pass with a 2-component gradient dual in the common
/// case of two, e.g. $r, \theta$ for Schwarzschild and Kerr).
///
/// # Errors
/// Non-finite input, outside the domain, or a singular metric.
pub fn hamiltonian_rhs<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    x: &[f64; N],
    p: &[f64; N],
) -> Result<([f64; N], [f64; N], f64), GeometryError> {
    rhs_inline(metric, x, p)
}

/// [`hamiltonian_rhs`], inlined into the integrators' stage loops (the result then stays in
/// registers instead of being returned through memory).
#[inline(always)]
pub(crate) fn rhs_inline<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    x: &[f64; N],
    p: &[f64; N],
) -> Result<([f64; N], [f64; N], f64), GeometryError> {
    check_point(metric, x)?;
    crate::error::check_finite_values("momentum", p)?;
    let cyclic = metric.cyclic_coordinates();
    let free = || (0..N).filter(|k| !cyclic.contains(k));
    let (dx, dp, h) = match free().count() {
        2 => {
            let mut it = free();
            let dirs = [it.next().unwrap_or(0), it.next().unwrap_or(0)];
            rhs_dual::<_, N, 2>(metric, x, p, &dirs)?
        }
        _ if cyclic.is_empty() => {
            let dirs: [usize; N] = std::array::from_fn(|i| i);
            rhs_dual::<_, N, N>(metric, x, p, &dirs)?
        }
        _ => rhs_scalar_passes(metric, x, p, cyclic)?,
    };
    if !(h.is_finite() && dx.iter().chain(dp.iter()).all(|v| v.is_finite())) {
        return Err(GeometryError::SingularMetric {
            point: x.to_vec(),
            pivot: f64::NAN,
        });
    }
    Ok((dx, dp, h))
}

/// $H$, $\dot x$ and $\dot p_k = -\partial_k H$ for the `K` directions `dirs` from one pass with a
/// `K`-component gradient dual (the other $\dot p$ are zero).
fn rhs_dual<M: Metric<N> + ?Sized, const N: usize, const K: usize>(
    metric: &M,
    x: &[f64; N],
    p: &[f64; N],
    dirs: &[usize; K],
) -> Result<([f64; N], [f64; N], f64), GeometryError> {
    type D<const K: usize> = DualVec<f64, nalgebra::Const<K>>;
    let xd: [D<K>; N] = std::array::from_fn(|i| match dirs.iter().position(|&d| d == i) {
        Some(j) => D::<K>::new(
            x[i],
            Derivative::some(SVector::<f64, K>::from_fn(|k, _| if k == j { 1.0 } else { 0.0 })),
        ),
        None => D::<K>::from(x[i]),
    });
    let gi = metric.inverse_components(&xd)?;
    // The contraction in plain f64 (real parts and derivative rows; an absent derivative is a
    // structural zero and skipped), in the same order of operations as the dual arithmetic.
    let mut dx = [0.0; N];
    let mut h = 0.0;
    let mut dh = [0.0; K];
    for a in 0..N {
        let mut row = 0.0;
        let mut drow = [0.0; K];
        for b in 0..N {
            let g = &gi[a][b];
            row += g.re * p[b];
            if let Some(e) = g.eps.0.as_ref() {
                for k in 0..K {
                    drow[k] += e[k] * p[b];
                }
            }
        }
        dx[a] = row;
        let w = 0.5 * p[a];
        h += row * w;
        for k in 0..K {
            dh[k] += drow[k] * w;
        }
    }
    // Select rather than scatter: stores at run-time indices followed by whole-array loads would stall
    // store-to-load forwarding.
    let dp: [f64; N] = std::array::from_fn(|i| {
        let mut v = 0.0;
        for j in 0..K {
            v = if dirs[j] == i { -dh[j] } else { v };
        }
        v
    });
    Ok((dx, dp, h))
}

/// As [`rhs_dual`] with one scalar-dual pass per non-cyclic direction (any number of them).
fn rhs_scalar_passes<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    x: &[f64; N],
    p: &[f64; N],
    cyclic: &[usize],
) -> Result<([f64; N], [f64; N], f64), GeometryError> {
    let mut dx = [0.0; N];
    let mut dp = [0.0; N];
    let mut first = true;
    let mut hr = 0.0;
    for k in (0..N).filter(|k| !cyclic.contains(k)) {
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
    Ok((dx, dp, hr))
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
/// $g^{\mu\nu}p_\mu p_\nu = -\mu^2$, i.e. $a p_0^2 + 2 b p_0 + c = 0$ with $a = g^{00}$,
/// $b = g^{0i}p_i$, $c = g^{ij}p_ip_j + \mu^2$, for $p_0$, choosing the future-directed root
/// ($dx^0/d\lambda = a p_0 + b > 0$). The roots are taken in the cancellation-free form
/// $q = -(b + \operatorname{sgn}(b)\sqrt{b^2 - ac})$, $p_0 \in \\{q/a,\ c/q\\}$, so that $g^{00} = 0$ (a null
/// coordinate $x^0$, e.g. ingoing Eddington-Finkelstein $v$) gives the linear root $p_0 = -c/(2b)$.
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
    crate::error::check_finite_values("momentum", p_spatial)?;
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
    if disc.is_nan() || disc < 0.0 || (a == 0.0 && b == 0.0) {
        return Err(GeometryError::InvalidParameter {
            name: "p",
            value: disc,
            reason: "no real p_0 solves the mass shell",
        });
    }
    let q = -(b + b.signum() * disc.sqrt());
    let roots = [
        if a != 0.0 { q / a } else { f64::NAN },
        if q != 0.0 { c / q } else { f64::NAN },
    ];
    for p0 in roots {
        if p0.is_finite() && a * p0 + b > 0.0 {
            let mut p = *p_spatial;
            p[0] = p0;
            return Ok(p);
        }
    }
    Err(GeometryError::InvalidParameter {
        name: "p",
        value: b,
        reason: "no future-directed root (dx^0/dlambda = g^00 p_0 + g^0i p_i <= 0 at both roots)",
    })
}

/// Stabilisation $\beta$ of the DOP853 step-size controller (`dop853.f` allows $0 \le \beta \le 0.04$).
const DOP853_BETA: f64 = 0.04;
/// Controller of [`Method::Rk87`]: $\beta = 0.04$ and safety 0.8. On the 20-orbit perihelion case
/// they cut the rejected steps from 231 (diffrax's defaults: pure I-controller, safety 0.9) to 10-26 and
/// the work at equal error by a tenth (notes/issue-14-geodesics-speed.md).
const RK87_BETA: f64 = 0.04;
/// See [`RK87_BETA`].
const RK87_SAFETY: f64 = 0.8;

/// The validated method and its initial step.
fn validate_options<const N: usize>(opts: &GeodesicOptions<N>) -> Result<(Scheme, f64), GeodesicError> {
    if !opts.lambda_end.is_finite() {
        return Err(GeodesicError::InvalidOption {
            name: "lambda_end",
            value: opts.lambda_end,
        });
    }
    for (name, value) in [
        ("constraint_tol", opts.constraint_tol),
        ("norm_tol", opts.norm_tol),
    ] {
        // A NaN tolerance would silently turn its check off.
        if value.is_nan() || value <= 0.0 {
            return Err(GeodesicError::InvalidOption { name, value });
        }
    }
    let positive = |name: &'static str, v: f64| {
        if v > 0.0 && v.is_finite() {
            Ok(v)
        } else {
            Err(GeodesicError::InvalidOption { name, value: v })
        }
    };
    match opts.method {
        Method::Dopri5 { rtol, atol, h0 }
        | Method::Dop853 { rtol, atol, h0 }
        | Method::Rk87 { rtol, atol, h0 } => {
            let (rtol, atol, h0) = (
                positive("rtol", rtol)?,
                positive("atol", atol)?,
                positive("h0", h0)?,
            );
            use crate::dop853::Dop853Controller as Ctl;
            let scheme = match opts.method {
                Method::Dop853 { .. } => Scheme::Dop853 {
                    rtol,
                    atol,
                    ctl: Ctl::new(DOP853_BETA),
                },
                Method::Rk87 { .. } => Scheme::Rk87 {
                    rtol,
                    atol,
                    ctl: Ctl::with_safety(RK87_BETA, RK87_SAFETY),
                },
                _ => Scheme::Dopri5 {
                    rtol,
                    atol,
                    ctl: crate::ode::control::Dopri5Controller,
                },
            };
            Ok((scheme, h0))
        }
        Method::GaussLegendre { stages, h } => {
            let h = positive("h", h)?;
            if !(1..=8).contains(&stages) {
                return Err(GeodesicError::InvalidOption {
                    name: "stages",
                    value: stages as f64,
                });
            }
            Ok((Scheme::Gauss(GaussLegendre::new(stages)), h))
        }
    }
}

/// Check the initial point and the normalisation; returns $2H + \mu^2$ there.
fn check_initial<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    kind: GeodesicKind,
    x0: &[f64; N],
    p0: &[f64; N],
    norm_tol: f64,
) -> Result<f64, GeometryError> {
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
    if shell0.abs() > norm_tol * scale.max(1.0) {
        return Err(GeodesicError::NotNormalised {
            norm: 2.0 * h0val,
            expected: -kind.mu2(),
        }
        .into());
    }
    Ok(shell0)
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
    let (scheme, h_init) = validate_options(opts)?;
    let shell0 = check_initial(metric, kind, x0, p0, opts.norm_tol)?;
    let mon = Monitors::new(metric, kind, x0, p0, opts.constraint_tol, opts.on_violation);
    let mut traj = mon.start(x0, p0, shell0);
    let mut st = Stepper::new(metric, scheme);
    let sign = if opts.lambda_end >= 0.0 { 1.0 } else { -1.0 };
    let (mut lam, mut y) = (0.0_f64, (*x0, *p0));
    let mut f0 = st.rhs(&y).map_err(|e| invalid(lam, &y.0, &e))?;
    let mut h = h_init * sign;
    let mut gvals: Vec<f64> = opts
        .events
        .iter()
        .map(|e| crate::events::value(metric, &e.func, &y.0, &y.1))
        .collect();
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
        let attempt = st.attempt(lam, &y, &f0, &mut h, opts.dense);
        let Some(mut acc) = attempt.map_err(|e| match e {
            GeodesicError::StepUnderflow { .. } => chart_degenerates(metric, lam, &y, &f0).unwrap_or(e),
            e => e,
        })?
        else {
            continue;
        };
        let stop = locate_events(&mut st, opts, &mut acc, &mut gvals, sign, &mut traj.events)?;
        if opts.dense {
            push_segment(&mut st, &acc, &mut traj.dense)?;
        }
        let (lam_new, y_new, f_new) = match &stop {
            Some(s) => {
                let ys = (s.x, s.p);
                (
                    s.lambda,
                    ys,
                    st.rhs(&ys).map_err(|e| invalid(s.lambda, &s.x, &e))?,
                )
            }
            None => (acc.lam0 + acc.h, acc.y1, acc.f1),
        };
        mon.check(metric, &mut traj, lam_new, &y_new, &f_new)?;
        traj.steps += 1;
        (lam, y, f0) = (lam_new, y_new, f_new);
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
    traj.rejected = st.rejected;
    traj.rhs_evals = st.evals;
    Ok(traj)
}

/// Keep the continuous extension of an accepted step (Dormand-Prince methods).
fn push_segment<M: Metric<N> + ?Sized, const N: usize>(
    st: &mut Stepper<'_, M, N>,
    acc: &Accepted<N>,
    out: &mut Vec<DenseSegment<N>>,
) -> Result<(), GeodesicError> {
    let poly = match &acc.interp {
        Interp::Dopri5(c) => DensePoly::Dopri5(*c),
        Interp::Dop853 => DensePoly::Dop853(Box::new(*st.dop853_dense()?)),
        Interp::Rk87 => DensePoly::Rk87(Box::new(*st.rk87_step())),
        Interp::None => return Ok(()),
    };
    out.push(DenseSegment {
        lambda0: acc.lam0,
        h: acc.h,
        poly,
    });
    Ok(())
}

/// Locate the events crossed on an accepted step: non-terminal hits are appended to `hits` in order,
/// the earliest terminal hit (if any) is returned; hits beyond it are dropped.
fn locate_events<M: Metric<N> + ?Sized, const N: usize>(
    st: &mut Stepper<'_, M, N>,
    opts: &GeodesicOptions<N>,
    acc: &mut Accepted<N>,
    gvals: &mut [f64],
    sign: f64,
    hits: &mut Vec<EventHit<N>>,
) -> Result<Option<EventHit<N>>, GeometryError> {
    let metric = st.metric;
    let mut stop: Option<EventHit<N>> = None;
    let mut new: Vec<EventHit<N>> = Vec::new();
    for (ei, ev) in opts.events.iter().enumerate() {
        // dx/dλ at the new state is the first half of f1 (FSAL): no extra metric evaluation.
        let g1 = match ev.func {
            EventFn::Velocity { index } if index < N => acc.f1.0[index],
            _ => crate::events::value(metric, &ev.func, &acc.y1.0, &acc.y1.1),
        };
        if crate::events::crossed(ev.direction, gvals[ei], g1) {
            let tol = 1e-13 * (1.0 + acc.lam0.abs()) / acc.h.abs();
            let (theta, ys) = crate::events::illinois(gvals[ei], g1, tol, acc.y1, |t| {
                let ys = st.state_at(acc, t)?;
                Ok::<_, GeodesicError>((crate::events::value(metric, &ev.func, &ys.0, &ys.1), ys))
            })?;
            let hit = EventHit {
                event: ei,
                name: ev.name,
                lambda: acc.lam0 + theta * acc.h,
                x: ys.0,
                p: ys.1,
            };
            if !ev.terminal {
                new.push(hit);
            } else if stop.as_ref().is_none_or(|s| (hit.lambda - s.lambda) * sign < 0.0) {
                stop = Some(hit);
            }
        }
        gvals[ei] = g1;
    }
    if let Some(s) = &stop {
        new.retain(|h| (h.lambda - s.lambda) * sign <= 0.0);
    }
    new.sort_by(|a, b| (a.lambda * sign).total_cmp(&(b.lambda * sign)));
    hits.extend(new);
    Ok(stop)
}
