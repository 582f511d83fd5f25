//! # nqg-quantum: grid Schrodinger and Madelung solver
//!
//! The quantum side of nqg (THEORY.md §3-§4). The Schrodinger equation (N4.4)
//! $$i\hbar\\,\partial_t\psi = -\frac{\hbar^2}{2m}\nabla^2\psi + V\psi$$
//! is solved on uniform periodic grids in 1, 2 and 3 dimensions ([`Grid`]) by split-step Fourier
//! ([`SplitStep`], Strang and 4th-order Yoshida), with $\hbar$ and $m$ as parameters ([`Units`]).
//! Stationary states come from a Chebyshev-filtered eigen-solver or imaginary time ([`Hamiltonian`]).
//! The Madelung form (N3.5-N3.6, with the dictionary N3.7)
//! $$\partial_t\rho + \nabla\cdot(\rho\nabla S/m) = 0,\qquad
//! \partial_t S + \frac{|\nabla S|^2}{2m} + V + Q = 0,\qquad Q = -\frac{\hbar^2}{2m}\frac{\nabla^2\sqrt\rho}{\sqrt\rho}$$
//! is available as a decomposition $\psi \leftrightarrow (\rho, S)$, as residuals evaluated on a
//! computed evolution, and as a direct solver that reports its breakdown at nodes ([`madelung`]).
//! Bohmian trajectories follow $\dot{\mathbf x} = \nabla S/m$ ([`bohm`]); the phase circulation
//! $\oint\nabla S\cdot d\mathbf l \in 2\pi\hbar\mathbb Z$ (the Wallstrom condition that separates
//! Schrodinger from Madelung, THEORY.md §3-§4) is measured in [`circulation`], and [`ring`] has the
//! Aharonov-Bohm ring.
//!
//! It depends on no other nqg crate.
//!
//! ```
//! use nqg_quantum::{Grid, Units, Wavefunction, SplitStep, Scheme, potential::Free};
//! let grid = Grid::centered([256], [40.0]).unwrap();
//! let mut psi = Wavefunction::gaussian(grid.clone(), [0.0], [1.0], [0.0]).unwrap();
//! let mut prop = SplitStep::new(grid, Units::default(), Free, 0.01, Scheme::Strang).unwrap();
//! prop.run(&mut psi, 400).unwrap();
//! // Free spreading: sigma(t) = sigma0 sqrt(1 + (hbar t / 2 m sigma0^2)^2) with t = 4.
//! assert!((psi.width()[0] - 5f64.sqrt()).abs() < 1e-10);
//! ```

pub mod accuracy;
pub mod action_flow;
pub mod bohm;
pub mod circulation;
pub mod dense;
pub mod eigen;
pub mod error;
pub mod grid;
pub mod madelung;
pub mod potential;
pub mod ring;
pub mod smooth;
mod spectral;
pub mod split_step;
pub mod testcases;
pub mod wavefunction;

pub use eigen::{EigenOptions, Eigenpair, Hamiltonian, ImaginaryTimeOptions};
pub use error::{QuantumError, Result};
pub use grid::{Grid, Units};
pub use potential::Potential;
pub use split_step::{Scheme, SplitStep};
pub use wavefunction::Wavefunction;
