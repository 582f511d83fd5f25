//! The error type of `nqg-thermo`: every bad input to the public API returns a [`ThermoError`].
//!
//! Errors carry the offending data (the value, the member and step of a blow-up, the expected and
//! found dimensions) so a failure can be reproduced from its message alone.

/// Errors of the SDE, Fokker-Planck, entropy and stochastic-thermodynamics routines.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ThermoError {
    /// A diffusion coefficient (or temperature) was negative, zero where it must be positive, or
    /// not finite.
    #[error("diffusion coefficient must be positive and finite, got {value}")]
    NegativeDiffusion {
        /// The value given.
        value: f64,
    },
    /// A time step was not positive and finite.
    #[error("time step must be positive and finite, got dt = {dt}")]
    InvalidTimeStep {
        /// The step given.
        dt: f64,
    },
    /// A drift or diffusion evaluation (or the state) became non-finite.
    #[error("non-finite state or drift in member {member} at step {step} (t = {t})")]
    NonFinite {
        /// Ensemble member (0 for a single path).
        member: usize,
        /// Step index at which the state became non-finite.
        step: usize,
        /// Time of the step.
        t: f64,
    },
    /// An ensemble or sample set was empty (or too small for the estimator).
    #[error("need at least {needed} members/samples, got {got}")]
    TooFewSamples {
        /// Minimum required.
        needed: usize,
        /// Number given.
        got: usize,
    },
    /// Array dimensions do not match.
    #[error("dimension mismatch in {what}: expected {expected}, found {found}")]
    DimensionMismatch {
        /// Which argument.
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// A parameter was outside its valid range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Value given.
        value: f64,
        /// What is required.
        reason: &'static str,
    },
    /// A scheme was used on a problem it does not support (e.g. SRA1 with multiplicative noise).
    #[error("scheme {scheme} requires {requirement}")]
    UnsupportedScheme {
        /// Scheme name.
        scheme: &'static str,
        /// What the problem must satisfy.
        requirement: &'static str,
    },
    /// A non-finite (or out-of-domain) input value, with where it was.
    #[error("{what}[{index}] = {value} is not a finite value in its domain")]
    NonFiniteValue {
        /// Which input.
        what: &'static str,
        /// Its index (cell, component or sample).
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A grid integrator produced a non-finite value.
    #[error("non-finite {what} in cell {cell} after step {step} (t = {t}): {value}")]
    NonFiniteCell {
        /// Which field.
        what: &'static str,
        /// The first offending cell.
        cell: usize,
        /// The step after which it appeared (0: the input).
        step: usize,
        /// The time reached.
        t: f64,
        /// The value found there.
        value: f64,
    },
    /// An iteration did not reach its stated tolerance.
    #[error("{what} did not converge: residual {residual} after {iterations} iterations")]
    NotConverged {
        /// What was iterated.
        what: &'static str,
        /// The residual reached.
        residual: f64,
        /// Iterations used.
        iterations: usize,
    },
    /// A requested size exceeds the allocation budget (or overflows).
    #[error("{what}: {requested} elements requested, the limit is {limit}")]
    TooLarge {
        /// What would be allocated.
        what: &'static str,
        /// Elements requested (saturated at `usize::MAX` on overflow).
        requested: usize,
        /// The limit ([`MAX_ELEMENTS`]).
        limit: usize,
    },
    /// A linear solve broke down (zero or non-finite pivot) or a matrix was not positive definite,
    /// with the offending number (`what` says which: a pivot, a smallest eigenvalue, ...).
    #[error("linear algebra failure in {what} at index {index}: {value}")]
    Singular {
        /// What failed and which number `value` is.
        what: &'static str,
        /// Row / pivot index (0 where there is none).
        index: usize,
        /// The offending pivot or eigenvalue.
        value: f64,
    },
    /// A statistics routine of `nqg-stats` (streaming moments, error bars) rejected its input; the
    /// source error carries the offending value (a non-finite sample, a wrong length, ...).
    #[error("statistics: {0}")]
    Statistics(#[from] nqg_stats::StatsError),
}

/// The allocation budget: no single buffer of more than $2^{31}$ elements (16 GiB of `f64`) is
/// requested; bigger requests return [`ThermoError::TooLarge`] instead of aborting the process.
pub const MAX_ELEMENTS: usize = 1 << 31;

/// The work budget of an ensemble: members × steps × dimension at most $2^{40}$ (about an hour of
/// Euler-Maruyama steps on one core); bigger requests return [`ThermoError::TooLarge`] instead of
/// running for days.
pub const MAX_WORK: usize = 1 << 40;

/// The product of `factors` checked against [`MAX_WORK`] (overflow-checked).
pub(crate) fn check_work(what: &'static str, factors: &[usize]) -> Result<usize> {
    let n = factors.iter().try_fold(1usize, |acc, &f| acc.checked_mul(f));
    match n {
        Some(n) if n <= MAX_WORK => Ok(n),
        _ => Err(ThermoError::TooLarge {
            what,
            requested: n.unwrap_or(usize::MAX),
            limit: MAX_WORK,
        }),
    }
}

/// `a × b × ...` elements for `what`, checked against [`MAX_ELEMENTS`] with overflow-checked arithmetic.
pub(crate) fn check_size(what: &'static str, factors: &[usize]) -> Result<usize> {
    let n = factors.iter().try_fold(1usize, |acc, &f| acc.checked_mul(f));
    match n {
        Some(n) if n <= MAX_ELEMENTS => Ok(n),
        _ => Err(ThermoError::TooLarge {
            what,
            requested: n.unwrap_or(usize::MAX),
            limit: MAX_ELEMENTS,
        }),
    }
}

/// `d × d` entries for a square matrix of dimension `d`, overflow-checked, compared with `len`.
pub(crate) fn check_square(what: &'static str, d: usize, len: usize) -> Result<()> {
    match d.checked_mul(d) {
        Some(n) if n == len => Ok(()),
        _ => Err(ThermoError::DimensionMismatch {
            what,
            expected: d.saturating_mul(d),
            found: len,
        }),
    }
}

/// The smallest eigenvalue of a symmetric matrix (the value a failed Cholesky factorisation reports).
pub(crate) fn min_eigenvalue(m: &nalgebra::DMatrix<f64>) -> f64 {
    if m.iter().any(|v| !v.is_finite()) {
        return f64::NAN;
    }
    let s = (m + m.transpose()) * 0.5;
    s.symmetric_eigenvalues()
        .iter()
        .fold(f64::INFINITY, |a, &b| a.min(b))
}

/// The first non-finite value of `v`, as [`ThermoError::NonFiniteValue`].
pub(crate) fn check_all_finite(what: &'static str, v: &[f64]) -> Result<()> {
    match v.iter().position(|x| !x.is_finite()) {
        None => Ok(()),
        Some(index) => Err(ThermoError::NonFiniteValue {
            what,
            index,
            value: v[index],
        }),
    }
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, ThermoError>;

/// Check that a time step is positive and finite.
pub(crate) fn check_dt(dt: f64) -> Result<()> {
    if dt.is_finite() && dt > 0.0 {
        Ok(())
    } else {
        Err(ThermoError::InvalidTimeStep { dt })
    }
}

/// Check that a diffusion coefficient is positive and finite.
pub(crate) fn check_diffusion(d: f64) -> Result<()> {
    if d.is_finite() && d > 0.0 {
        Ok(())
    } else {
        Err(ThermoError::NegativeDiffusion { value: d })
    }
}

/// Check a length.
pub(crate) fn check_len(what: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(ThermoError::DimensionMismatch {
            what,
            expected,
            found,
        })
    }
}
