//! Typed errors of `nqg-network`: every bad input to the public API maps to one variant.
//!
//! The rule of the crate: no panic is reachable from the public API on bad input; shapes, ranges,
//! hyper-parameters ($\gamma > 0$, $1 \le M \le$ data-set size) and finiteness of weights are checked and
//! reported here with the offending values.

/// Errors of the network crate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// Two objects that must agree in size do not.
    #[error("shape mismatch in {what}: expected {expected}, got {got}")]
    ShapeMismatch {
        /// What was being matched (e.g. `state vector`).
        what: &'static str,
        /// The size required.
        expected: usize,
        /// The size supplied.
        got: usize,
    },
    /// A neuron index (boundary set, coupling) is outside `0..n`.
    #[error("index {index} out of range for {what} of size {len}")]
    IndexOutOfRange {
        /// What the index refers to.
        what: &'static str,
        /// The offending index.
        index: usize,
        /// The valid range is `0..len`.
        len: usize,
    },
    /// The same boundary neuron was listed twice.
    #[error("boundary neuron {0} listed more than once")]
    DuplicateIndex(usize),
    /// The learning rate must be positive and finite.
    #[error("learning rate gamma must be finite and > 0, got {0}")]
    InvalidLearningRate(f64),
    /// The mini-batch size must satisfy `1 <= M <= data-set size`.
    #[error("mini-batch size M = {batch} invalid (must be 1 <= M <= {max})")]
    InvalidBatchSize {
        /// The requested batch size.
        batch: usize,
        /// The largest allowed batch size (data-set size, or `usize::MAX` for online data).
        max: usize,
    },
    /// A weight, bias or other input that must be finite is not.
    #[error("non-finite value in {what} at position {index}: {value}")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// Flattened position.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// A scalar parameter is outside its admissible range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Supplied value.
        value: f64,
        /// Why it is invalid.
        reason: &'static str,
    },
    /// A requested size exceeds the allocation budget ([`MAX_ELEMENTS`]) or overflows.
    #[error("{what}: {requested} elements requested, the limit is {limit}")]
    TooLarge {
        /// What would be allocated.
        what: &'static str,
        /// Elements requested (saturated at `usize::MAX` on overflow).
        requested: usize,
        /// The limit.
        limit: usize,
    },
    /// A learning run diverged: a replica's state became non-finite.
    #[error("replica {replica} diverged at step {step}: component {index} is {value}")]
    Diverged {
        /// The first replica (lowest index) that diverged.
        replica: usize,
        /// The step after which it was detected.
        step: usize,
        /// The component.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// A single trajectory ([`crate::learning::Dynamics::advance`]) produced a non-finite state.
    #[error("state became non-finite at step {step} of the call: component {index} is {value}")]
    NonFiniteState {
        /// The step of the call (1-based) after which the state was first non-finite.
        step: usize,
        /// The component.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// A matrix that must be positive definite is not (e.g. the Gaussian precision $A$): `value` is
    /// the offending Cholesky pivot or the smallest eigenvalue.
    #[error("{what} is not symmetric positive definite (pivot or smallest eigenvalue {value})")]
    NotPositiveDefinite {
        /// Which matrix.
        what: &'static str,
        /// The offending pivot / smallest eigenvalue.
        value: f64,
    },
    /// A linear system could not be solved (singular matrix): `value` is its determinant (or the
    /// quantity named in `what`).
    #[error("singular linear system in {what} (determinant {value})")]
    Singular {
        /// Which system.
        what: &'static str,
        /// Its determinant.
        value: f64,
    },
    /// An operation needs a feature the object does not have (e.g. dense weights).
    #[error("unsupported operation: {0}")]
    Unsupported(&'static str),
}

/// Errors of the shared statistics ([`nqg_stats`], e.g. [`crate::moments::Moments`]) as network
/// errors, each carrying the offending value.
impl From<nqg_stats::StatsError> for NetworkError {
    fn from(e: nqg_stats::StatsError) -> Self {
        use nqg_stats::StatsError as S;
        match e {
            S::DimensionMismatch {
                what,
                expected,
                found,
            } => NetworkError::ShapeMismatch {
                what,
                expected,
                got: found,
            },
            S::NonFinite { what, index, value } => NetworkError::NonFinite { what, index, value },
            S::TooFewSamples { what, found, .. } => NetworkError::InvalidParameter {
                name: what,
                value: found as f64,
                reason: "too few samples for the estimate",
            },
            S::SeriesTooShort { samples, .. } => NetworkError::InvalidParameter {
                name: "series length",
                value: samples as f64,
                reason: "too short for its autocorrelation time (need about 50 tau_int)",
            },
            S::InvalidParameter { name, value, reason } => {
                NetworkError::InvalidParameter { name, value, reason }
            }
            S::TooLarge {
                what,
                requested,
                limit,
            } => NetworkError::TooLarge {
                what,
                requested,
                limit,
            },
        }
    }
}

/// The allocation budget: no single buffer of more than $2^{31}$ elements (16 GiB of `f64`).
pub const MAX_ELEMENTS: usize = 1 << 31;

/// The work budget of one call: steps × mini-batch × dimension at most $2^{40}$ (hours of SGD on one
/// core); beyond it [`NetworkError::TooLarge`] instead of a call that never returns.
pub const MAX_WORK: usize = 1 << 40;

/// The product of `factors` checked against [`MAX_WORK`] (overflow-checked).
pub(crate) fn check_work(what: &'static str, factors: &[usize]) -> Result<usize> {
    let n = factors.iter().try_fold(1usize, |acc, &f| acc.checked_mul(f));
    match n {
        Some(n) if n <= MAX_WORK => Ok(n),
        _ => Err(NetworkError::TooLarge {
            what,
            requested: n.unwrap_or(usize::MAX),
            limit: MAX_WORK,
        }),
    }
}

/// The product of `factors`, checked for overflow and against [`MAX_ELEMENTS`].
pub(crate) fn check_size(what: &'static str, factors: &[usize]) -> Result<usize> {
    let n = factors.iter().try_fold(1usize, |acc, &f| acc.checked_mul(f));
    match n {
        Some(n) if n <= MAX_ELEMENTS => Ok(n),
        _ => Err(NetworkError::TooLarge {
            what,
            requested: n.unwrap_or(usize::MAX),
            limit: MAX_ELEMENTS,
        }),
    }
}

/// Result alias of the crate.
pub type Result<T> = std::result::Result<T, NetworkError>;

/// Check that `got == expected`.
pub(crate) fn check_len(what: &'static str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(NetworkError::ShapeMismatch { what, expected, got })
    }
}

/// Check that every value is finite.
pub(crate) fn check_finite(what: &'static str, v: &[f64]) -> Result<()> {
    match v.iter().position(|x| !x.is_finite()) {
        None => Ok(()),
        Some(index) => Err(NetworkError::NonFinite {
            what,
            index,
            value: v[index],
        }),
    }
}

/// The first non-finite component of a state after `step` steps, as [`NetworkError::NonFiniteState`].
pub(crate) fn check_state(step: usize, q: &[f64]) -> Result<()> {
    match q.iter().position(|x| !x.is_finite()) {
        None => Ok(()),
        Some(index) => Err(NetworkError::NonFiniteState {
            step,
            index,
            value: q[index],
        }),
    }
}

/// Check the arguments of [`crate::learning::Dynamics::advance`]: lengths `dim` and `aux_dim`,
/// finite values.
pub(crate) fn check_advance_args(dim: usize, aux_dim: usize, q: &[f64], aux: &[f64]) -> Result<()> {
    check_len("state q", dim, q.len())?;
    check_len("auxiliary state", aux_dim, aux.len())?;
    check_finite("state q", q)?;
    check_finite("auxiliary state", aux)
}

/// The smallest eigenvalue of the symmetric part of `m` (NaN if `m` is not finite).
pub(crate) fn min_eigenvalue(m: &nalgebra::DMatrix<f64>) -> f64 {
    if m.iter().any(|v| !v.is_finite()) {
        return f64::NAN;
    }
    let s = (m + m.transpose()) * 0.5;
    s.symmetric_eigenvalues()
        .iter()
        .fold(f64::INFINITY, |a, &b| a.min(b))
}

/// Check a learning rate.
pub(crate) fn check_gamma(gamma: f64) -> Result<()> {
    if gamma.is_finite() && gamma > 0.0 {
        Ok(())
    } else {
        Err(NetworkError::InvalidLearningRate(gamma))
    }
}

/// Check that a scalar is finite and positive.
pub(crate) fn check_positive(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(NetworkError::InvalidParameter {
            name,
            value,
            reason: "must be finite and > 0",
        })
    }
}

/// Check that a scalar is finite and non-negative.
pub(crate) fn check_non_negative(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(NetworkError::InvalidParameter {
            name,
            value,
            reason: "must be finite and >= 0",
        })
    }
}
