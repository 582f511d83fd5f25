//! The crate's error type: every failure on bad input is a typed value, never a panic.
//!
//! Geodesic-specific failures are [`GeodesicError`]; they convert into [`GeometryError`] via
//! [`GeometryError::Geodesic`].

use thiserror::Error;

/// Errors of `nqg-geometry`.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum GeometryError {
    /// A number that must be finite was NaN or infinite.
    #[error("non-finite input: {what}")]
    NonFinite {
        /// Which input was not finite.
        what: &'static str,
    },
    /// A number that must be finite was NaN or infinite, with the value and its position (component
    /// of a point or vector; 0 for a scalar). New code reports this instead of [`GeometryError::NonFinite`].
    #[error("non-finite input: {what}[{index}] = {value}")]
    NonFiniteValue {
        /// Which input.
        what: &'static str,
        /// Component index (0 for a scalar).
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A velocity (in units of c) with norm at or above 1.
    #[error("superluminal boost velocity: |v| = {speed} >= 1")]
    Superluminal {
        /// The norm of the requested velocity.
        speed: f64,
    },
    /// An input had the wrong length for the spacetime dimension.
    #[error("dimension mismatch: expected {expected}, found {found}")]
    DimensionMismatch {
        /// The length the spacetime dimension requires.
        expected: usize,
        /// The length supplied.
        found: usize,
    },
    /// A constructor parameter outside its physical range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Value supplied.
        value: f64,
        /// The range it must lie in.
        reason: &'static str,
    },
    /// The point lies outside the chart's declared domain (e.g. inside a Boyer-Lindquist horizon).
    #[error("point {point:?} outside the domain of {metric}: {reason}")]
    OutsideDomain {
        /// The metric's name.
        metric: &'static str,
        /// Which condition failed.
        reason: &'static str,
        /// The offending point.
        point: Vec<f64>,
    },
    /// The metric matrix is (numerically) singular at the point.
    #[error("singular metric at {point:?}: pivot {pivot:e}")]
    SingularMetric {
        /// The point.
        point: Vec<f64>,
        /// The smallest pivot met in the elimination.
        pivot: f64,
    },
    /// A user metric returned non-symmetric components ($g_{\mu\nu} \ne g_{\nu\mu}$ beyond round-off).
    #[error("non-symmetric metric at {point:?}: max |g_ab - g_ba| / max |g| = {asymmetry:e}")]
    NonSymmetricMetric {
        /// The point.
        point: Vec<f64>,
        /// The relative asymmetry ([`crate::metric::asymmetry`]).
        asymmetry: f64,
    },
    /// A computed quantity came out non-finite although the inputs were finite (e.g. curvature where
    /// the metric's derivatives blow up).
    #[error("non-finite {what} at {point:?}")]
    NonFiniteResult {
        /// Which quantity.
        what: &'static str,
        /// The point.
        point: Vec<f64>,
    },
    /// A numerical solver (root finder, shooting, Newton) failed to converge.
    #[error("solver did not converge: {what} (residual {residual:e} after {iterations} iterations)")]
    NoConvergence {
        /// Which solver.
        what: &'static str,
        /// Last residual.
        residual: f64,
        /// Iterations spent.
        iterations: usize,
    },
    /// A Kerr orbit $(a, p, e, x)$ with $p$ at or inside the separatrix $p_s(a, e, x)$: no stable bound
    /// geodesic exists there ([`crate::kerr_orbit::separatrix`]).
    #[error(
        "p = {p} is inside the separatrix p_s = {p_s} (a = {a}, e = {e}, x = {x}): no stable bound orbit"
    )]
    InsideSeparatrix {
        /// Semi-latus rectum supplied.
        p: f64,
        /// The separatrix at $(a, e, x)$.
        p_s: f64,
        /// Spin.
        a: f64,
        /// Eccentricity.
        e: f64,
        /// Inclination parameter $x = \cos\iota$.
        x: f64,
    },
    /// A circular-orbit quantity was asked for inside the photon orbit, where no timelike circular
    /// orbit exists and the energy per unit mass $E(r)$ is not finite (`r_photon` is where it diverges).
    #[error(
        "no timelike circular orbit at r = {r}: inside the photon orbit r_ph = {r_photon}, where E is not finite"
    )]
    InsidePhotonOrbit {
        /// The radius asked for.
        r: f64,
        /// The photon-orbit radius.
        r_photon: f64,
    },
    /// A geodesic integration failed.
    #[error(transparent)]
    Geodesic(#[from] GeodesicError),
}

/// Errors of the geodesic integrators.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum GeodesicError {
    /// A monitored constraint (mass shell or a conserved quantity) left its tolerance.
    #[error("constraint {which} violated at lambda = {lambda}: drift {drift:e} > tolerance {tolerance:e}")]
    ConstraintViolated {
        /// `"mass shell"`, `"E"`, `"L"` or `"Q"`.
        which: &'static str,
        /// Affine parameter where it happened.
        lambda: f64,
        /// The drift seen.
        drift: f64,
        /// The tolerance.
        tolerance: f64,
    },
    /// The initial momentum is not normalised (timelike: $g^{\mu\nu}p_\mu p_\nu = -1$; null: $0$).
    #[error("initial momentum not normalised: g^(mu nu) p_mu p_nu = {norm}, expected {expected}")]
    NotNormalised {
        /// The value found.
        norm: f64,
        /// The required value.
        expected: f64,
    },
    /// The adaptive step fell below its minimum (stiffness or a singularity).
    #[error("step size underflow at lambda = {lambda} (h = {h:e})")]
    StepUnderflow {
        /// Where.
        lambda: f64,
        /// The step size.
        h: f64,
    },
    /// Too many steps.
    #[error("maximum number of steps ({max_steps}) exceeded at lambda = {lambda}")]
    TooManySteps {
        /// The limit.
        max_steps: usize,
        /// Where.
        lambda: f64,
    },
    /// The implicit (Gauss-Legendre) stage equations did not converge.
    #[error("implicit stage iteration did not converge at lambda = {lambda} (residual {residual:e})")]
    ImplicitNoConvergence {
        /// Where.
        lambda: f64,
        /// Last stage update norm.
        residual: f64,
    },
    /// The state left the metric's domain or became non-finite.
    #[error("invalid state at lambda = {lambda}: {reason}")]
    InvalidState {
        /// Where.
        lambda: f64,
        /// Why (the underlying metric error).
        reason: String,
    },
    /// Bad integrator options (non-positive tolerance, zero step, ...).
    #[error("invalid option {name} = {value}")]
    InvalidOption {
        /// Option name.
        name: &'static str,
        /// Value supplied.
        value: f64,
    },
}

/// The first non-finite entry of `v`, as [`GeometryError::NonFiniteValue`].
pub(crate) fn check_finite_values(what: &'static str, v: &[f64]) -> Result<(), GeometryError> {
    match v.iter().position(|x| !x.is_finite()) {
        None => Ok(()),
        Some(index) => Err(GeometryError::NonFiniteValue {
            what,
            index,
            value: v[index],
        }),
    }
}
