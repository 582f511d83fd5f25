//! The crate's error type: every failure on bad input is a typed value, never a panic.

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
}
