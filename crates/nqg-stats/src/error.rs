//! The error type of nqg-stats: every variant carries the offending value.

/// Errors of the statistics routines.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// Two lengths that must agree do not.
    #[error("{what}: expected length {expected}, found {found}")]
    DimensionMismatch {
        /// What was measured.
        what: &'static str,
        /// The required length.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// Too few samples for the estimate.
    #[error("{what}: needs at least {needed} samples, got {found}")]
    TooFewSamples {
        /// The estimate.
        what: &'static str,
        /// Samples needed.
        needed: usize,
        /// Samples given.
        found: usize,
    },
    /// A sample (or weight) is NaN or infinite.
    #[error("{what}[{index}] = {value} is not finite")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// Its index.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The series is too short for its own autocorrelation time: no window $M \ge c\\,\tau(M)$ was
    /// found below half its length.
    #[error(
        "series of {samples} samples is too short for its autocorrelation time (tau_int >= {tau}); need about 50 tau_int"
    )]
    SeriesTooShort {
        /// The last estimate of $\tau_\text{int}$ (a lower bound).
        tau: f64,
        /// Samples given.
        samples: usize,
    },
    /// A requested size exceeds its budget (an allocation that would abort instead of an error).
    #[error("{what}: {requested} elements requested, limit {limit}")]
    TooLarge {
        /// What would be allocated.
        what: &'static str,
        /// The number of elements requested (`usize::MAX` on overflow).
        requested: usize,
        /// The budget.
        limit: usize,
    },
    /// A parameter is outside its range.
    #[error("{name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Its value.
        value: f64,
        /// What is required.
        reason: &'static str,
    },
}

/// Result alias of nqg-stats.
pub type Result<T> = std::result::Result<T, StatsError>;

/// `Ok` if every entry of `xs` is finite, else the first non-finite one.
pub(crate) fn check_finite(what: &'static str, xs: &[f64]) -> Result<()> {
    match xs.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(StatsError::NonFinite {
            what,
            index,
            value: xs[index],
        }),
        None => Ok(()),
    }
}

/// `Ok` if `xs` has at least `needed` samples.
pub(crate) fn check_count(what: &'static str, found: usize, needed: usize) -> Result<()> {
    if found < needed {
        return Err(StatsError::TooFewSamples { what, needed, found });
    }
    Ok(())
}
