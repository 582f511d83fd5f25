//! # nqg-thermo: SDEs, Fokker-Planck, entropy and stochastic thermodynamics
//!
//! The paper's engine is stochastic entropy production versus entropy destruction by learning
//! (THEORY.md §2, eq. N2.8): for the Langevin dynamics $dq = -\gamma\nabla F\\,dt + \sqrt{2D}\\,dW$ (N2.6)
//! and its Fokker-Planck equation $\partial_t p = \nabla\cdot(\gamma p\nabla F) + D\Delta p$ (N2.7),
//! $$\frac{dS}{dt} = 4D\int|\nabla\sqrt p|^2 - \gamma\int p\\,\Delta F.$$
//! This crate measures both sides, from a density on a grid and from an ensemble of trajectories:
//!
//! * [`sde`]: Euler-Maruyama, Milstein, stochastic Heun and SRA1 with replayable Brownian paths;
//! * [`ensemble`]: parallel ensembles, one seed-derived stream per member, streaming moments
//!   ([`nqg_stats::Moments`]); no normals drawn for noise-free components;
//! * [`observe`]: ensembles that record user observables $g(x_t, x_0)$ (displacements, energies);
//! * [`sampling`]: initial states drawn from a density on a grid (inverse CDF);
//! * [`testcases`]: the standard problems with closed forms (OU, double well);
//! * [`fp`] and [`fp2d`]: finite-volume Scharfetter-Gummel Fokker-Planck solvers (exact discrete
//!   Boltzmann stationary states, round-off probability conservation, implicit steps);
//! * [`gaussian`]: exact Gaussian moments of linear diffusions (the moment ODE);
//! * [`entropy`]: Shannon, Gaussian, Kozachenko-Leonenko kNN and KL estimators;
//! * [`path_entropy`]: per-path and per-Fourier-mode entropy production of linear Gaussian
//!   second-order chains (the learned neuron field of E-2);
//! * [`stochastic`]: trajectory entropy production (Sekimoto/Seifert), fluctuation theorems, TUR and
//!   non-equilibrium Ornstein-Uhlenbeck currents.
//!
//! ```
//! use nqg_thermo::fp::{Boundary, FokkerPlanck1d, Grid1d, Method, Stepper1d};
//! let g = Grid1d::new(-6.0, 6.0, 400).unwrap();
//! let op = FokkerPlanck1d::from_potential(g, 0.5, Boundary::Reflecting, |x| 0.5 * x * x).unwrap();
//! let mut p = g.density(|x| (-(x - 2.0f64).powi(2) / 0.1).exp());
//! let mut st = Stepper1d::new(&op, 0.01, Method::CrankNicolson).unwrap();
//! st.run(&mut p, 100).unwrap();
//! assert!((g.mass(&p) - 1.0).abs() < 1e-13);
//! ```
//!
//! It depends on no other nqg crate. Bad input returns [`ThermoError`].

mod em_lanes;
pub mod ensemble;
pub mod entropy;
pub mod error;
pub mod fp;
pub mod fp2d;
pub mod gaussian;
mod noise;
pub mod observe;
pub mod passage;
pub mod path_entropy;
pub mod rng;
pub mod sampling;
pub mod sde;
pub mod stochastic;
pub mod testcases;
pub mod tridiag;
pub mod tridiag_split;

pub use error::{Result, ThermoError};
