//! # nqg-geometry: an autodiff general-relativity toolkit
//!
//! This crate owns the gravity side of nqg (THEORY.md §5-§8): metrics written once, generic over the
//! [`num_dual`] scalar, with curvature, geodesics and Einstein-equation residuals obtained by automatic
//! differentiation; the standard spacetimes; and the Lorentz group.
//!
//! * [`metric`]: the [`Metric`](metric::Metric) trait (components generic over the dual scalar, optional domain).
//! * [`spacetimes`]: Minkowski, Schwarzschild (+ ingoing EF), Kerr (Boyer-Lindquist, Kerr-Schild),
//!   (Schwarzschild-)de Sitter in $n$ dimensions, flat FLRW with a generic $a(t)$, optical $c(x)$.
//! * [`curvature`]: Christoffel, Riemann, Ricci, Einstein, Kretschmann from one Hessian pass, field
//!   equation residuals, the contracted Bianchi identity and scalar-field stress conservation by nested
//!   duals, batch evaluation.
//! * [`indices`]: raising and lowering rank-1 and rank-2 indices with $g^{ab}$ and $g_{ab}$.
//! * [`geodesic`]: timelike and null geodesics in Hamiltonian form (adaptive Dormand-Prince with dense
//!   output, symplectic Gauss-Legendre), events, constraint monitors with typed violations.
//! * [`orbits`]: exact periapsis advance, Bardeen-Press-Teukolsky ISCO and photon orbit, bracket-free
//!   numerical ISCO and photon sphere by autodiff.
//! * [`kerr_orbit`]: Kerr bound geodesics from $(a, p, e, x)$: constants $E, L, Q$ (Schmidt 2002), turning
//!   points, Mino and Boyer-Lindquist fundamental frequencies (Fujita-Hikida 2009), the separatrix.
//! * [`elliptic`]: Carlson symmetric elliptic integrals $R_F, R_D, R_J, R_C$ and Legendre $K, E, \Pi$.
//! * [`euler_lagrange`]: Euler-Lagrange tensors of metric Lagrangians L(g, ∂g) by nested duals, their
//!   covariant divergence, the five quadratic invariants and the ΓΓ Lagrangian, plane-wave kinetic matrices.
//! * [`einstein`]: FLRW and constant-density TOV solvers built on the autodiff Einstein tensor.
//! * [`lorentz`]: boosts, rotations, rapidity, Wigner rotation, $O(1,N-1)$ membership.
//! * [`optical`]: ray tracing of static (optical) metrics in coordinate time: null and timelike rays,
//!   the Gaussian lens and its Born deflection, the conformal ultrastatic metric (E-5).
//! * [`ode`]: the small fixed-size integrators underneath.
//!
//! Conventions: signature $(-,+,\dots,+)$, coordinates $x^0 = t$, units $G = c = 1$.
//!
//! It depends on no other nqg crate.

pub mod curvature;
pub mod dop853;
pub mod einstein;
pub mod elliptic;
pub mod error;
pub mod euler_lagrange;
pub mod events;
pub mod geodesic;
mod geodesic_monitor;
mod geodesic_stepper;
pub mod indices;
pub mod kerr_orbit;
pub mod lorentz;
pub mod metric;
pub mod ode;
pub mod optical;
pub mod orbits;
pub mod spacetimes;
pub mod testcases;

pub use error::{GeodesicError, GeometryError};
