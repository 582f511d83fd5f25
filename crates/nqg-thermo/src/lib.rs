//! # nqg-thermo: SDEs, Fokker-Planck, entropy and stochastic thermodynamics
//!
//! This crate will own the paper's engine, stochastic entropy production versus entropy destruction by
//! learning (THEORY.md §2, eq. N2.8): SDE integrators and ensembles, finite-volume Fokker-Planck solvers
//! (N2.7), entropy estimators, the production/destruction balance, and trajectory-level stochastic
//! thermodynamics (fluctuation theorems).
//!
//! It depends on no other nqg crate.
