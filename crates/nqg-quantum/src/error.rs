//! The one error type of the crate.
//!
//! Every public constructor and solver validates its input (grid sizes, finiteness of potentials and
//! states, time steps, norms) and returns a [`QuantumError`] instead of panicking. The Madelung solver
//! reports the breakdown of the hydrodynamic description at a node of $\psi$ (THEORY.md §3-§4, the
//! Wallstrom/node issue) as data ([`crate::madelung::Breakdown`]); [`QuantumError::MadelungBreakdown`]
//! is the error form of the same event for callers that want to treat it as a failure.

/// Errors of `nqg-quantum`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum QuantumError {
    /// A grid axis has zero (or too few) points.
    #[error("grid axis {axis} has {points} points (at least {min} needed)")]
    GridTooSmall {
        /// The axis.
        axis: usize,
        /// Its number of points.
        points: usize,
        /// The minimum allowed.
        min: usize,
    },
    /// The grid dimension is not 1, 2 or 3.
    #[error("unsupported grid dimension {dim} (1, 2 or 3 supported)")]
    UnsupportedDimension {
        /// The requested dimension.
        dim: usize,
    },
    /// A box length is not finite and positive.
    #[error("grid axis {axis} has invalid length {length}")]
    InvalidLength {
        /// The axis.
        axis: usize,
        /// The offending length.
        length: f64,
    },
    /// Two objects live on different grids, or an array has the wrong length.
    #[error("size mismatch: expected {expected} values, got {got}")]
    SizeMismatch {
        /// The size the grid requires.
        expected: usize,
        /// The size supplied.
        got: usize,
    },
    /// The potential is not finite at a grid point.
    #[error("potential is not finite at grid index {index} (value {value})")]
    NonFinitePotential {
        /// Flat grid index.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// A state (wavefunction, density, phase or trajectory position) has a non-finite entry.
    #[error("state is not finite at index {index}")]
    NonFiniteState {
        /// Flat index of the first non-finite entry.
        index: usize,
    },
    /// A time step is not finite and positive.
    #[error("time step must be finite and > 0, got {dt}")]
    InvalidTimeStep {
        /// The offending step.
        dt: f64,
    },
    /// A physical or numerical parameter is out of range.
    #[error("parameter `{name}` = {value} is invalid: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Its value.
        value: f64,
        /// What is required.
        reason: &'static str,
    },
    /// Two objects live on grids of the same size but different geometry (points per axis, origin or
    /// box length), e.g. a state built on a box of 40 given to a propagator for a box of 10.
    #[error("grid mismatch on axis {axis}: {what} is {found}, expected {expected}")]
    GridMismatch {
        /// The axis that differs.
        axis: usize,
        /// What differs: `"points"`, `"origin"` or `"length"`.
        what: &'static str,
        /// The value on the operator's grid.
        expected: f64,
        /// The value on the state's grid.
        found: f64,
    },
    /// An integrator produced a non-finite value.
    #[error("the state diverged: entry {index} is {value} after step {step} (t = {time})")]
    Diverged {
        /// The step (1-based, counted from the start of the call) after which it was detected.
        step: usize,
        /// The time reached.
        time: f64,
        /// Flat index of the first non-finite entry.
        index: usize,
        /// Its value (real part if finite, else the non-finite part).
        value: f64,
    },
    /// A requested size exceeds the allocation budget or overflows.
    #[error("{what}: {requested} elements requested, the limit is {limit}")]
    TooLarge {
        /// What would be allocated.
        what: &'static str,
        /// Elements requested (saturated at `usize::MAX` on overflow).
        requested: usize,
        /// The limit ([`MAX_POINTS`]).
        limit: usize,
    },
    /// The state has zero (or non-finite) norm and cannot be normalised.
    #[error("state has zero or non-finite norm ({norm})")]
    ZeroNorm {
        /// The norm found.
        norm: f64,
    },
    /// An iterative solver did not reach its tolerance.
    #[error("{what} did not converge after {iterations} iterations (residual {residual:e})")]
    NotConverged {
        /// Which solver.
        what: &'static str,
        /// Iterations performed.
        iterations: usize,
        /// Residual reached.
        residual: f64,
    },
    /// A matrix that must be Hermitian is not: the worst pair of entries and its asymmetry.
    #[error("matrix is not Hermitian: |H[{row}][{col}] - conj(H[{col}][{row}])| = {asymmetry:e}")]
    NotHermitian {
        /// Row of the worst entry.
        row: usize,
        /// Column of the worst entry.
        col: usize,
        /// $|H_{ij} - \overline{H_{ji}}|$.
        asymmetry: f64,
    },
    /// The direct Madelung solver broke down (a node formed, or the fields became singular).
    #[error("Madelung description broke down at t = {time}: {reason}")]
    MadelungBreakdown {
        /// Time of the breakdown.
        time: f64,
        /// What was detected.
        reason: String,
    },
}

/// The allocation budget: at most $2^{30}$ grid points (16 GiB of `Complex64`) per grid or basis.
pub const MAX_POINTS: usize = 1 << 30;

/// Result alias of the crate.
pub type Result<T> = std::result::Result<T, QuantumError>;

/// Check that `dt` is finite and positive.
pub(crate) fn check_dt(dt: f64) -> Result<()> {
    if dt.is_finite() && dt > 0.0 {
        Ok(())
    } else {
        Err(QuantumError::InvalidTimeStep { dt })
    }
}

/// Check that a parameter is finite and strictly positive.
pub(crate) fn check_positive(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(QuantumError::InvalidParameter {
            name,
            value,
            reason: "must be finite and > 0",
        })
    }
}

/// Check that a parameter is finite.
pub(crate) fn check_finite(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(QuantumError::InvalidParameter {
            name,
            value,
            reason: "must be finite",
        })
    }
}
