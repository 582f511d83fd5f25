//! # nqg-quantum: grid Schrodinger and Madelung solver
//!
//! This crate will own the quantum side of nqg (THEORY.md §3-§4): split-step Fourier evolution of the
//! Schrodinger equation (N4.4) on 1D/2D/3D grids with $\hbar$ and $m$ as parameters, stationary states,
//! the Madelung hydrodynamic form (N3.5-N3.6) with its residuals and a direct solver, Bohmian
//! trajectories, and phase-circulation (Wallstrom) diagnostics.
//!
//! It depends on no other nqg crate.
