//! # nqg-geometry: an autodiff general-relativity toolkit
//!
//! This crate owns the gravity side of nqg (THEORY.md §5-§8): metrics written once, generic over the
//! [`num_dual`] scalar, with curvature, geodesics and Einstein-equation residuals obtained by automatic
//! differentiation; the standard spacetimes; and the Lorentz group.
//!
//! Conventions: signature $(-,+,\dots,+)$, coordinates $x^0 = t$, units $G = c = 1$.
//!
//! It depends on no other nqg crate.

pub mod error;
pub mod lorentz;

pub use error::GeometryError;
