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
    /// A linear solve broke down (zero pivot) or a matrix was not positive definite.
    #[error("linear algebra failure: {0}")]
    Singular(&'static str),
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
