//! Network checks (THEORY.md V-M1, N-1, N-5, N-7): the microscopic learning system of `nqg-network`.
//!
//! - [`fast_slow`]: the fast/slow identity $\langle\partial H/\partial w_{ij}\rangle = \partial F/\partial w_{ij}$
//!   (N2.5) on the Gaussian toy of V-M1, and the closed form of $\partial F$.
//! - [`learning`]: the exact stationary covariance of teacher-student SGD (N-1) and recovery of planted
//!   couplings from trajectories (N-7).
//! - [`lattice`]: the light cone of the permutation network and the leapfrog dispersion (N-5).
//!
//! Shared here: `leapfrog_pairs`, training pairs from one leapfrog trajectory (used by
//! `network.learning` and by the paper-level gravity checks).

pub mod fast_slow;
pub mod lattice;
pub mod learning;

use nqg_network::lattice::Leapfrog1D;
use rand::RngExt;

use crate::{CheckError, Registry};

/// Register this layer's claims.
pub fn register(reg: &mut Registry) {
    fast_slow::register(reg);
    learning::register(reg);
    lattice::register(reg);
}

/// One training pair (x(t), x(t+1)).
pub(crate) type Pair = (Vec<f64>, Vec<f64>);

/// Pairs (x(t), x(t+1)) with x = (φᵗ, φᵗ⁻¹) of one leapfrog trajectory from random initial data
/// (φ⁻¹ = φ⁰ + small velocity, which avoids the 1/ω amplification of long waves).
pub(crate) fn leapfrog_pairs(
    lf: &Leapfrog1D,
    steps: usize,
    rng: &mut rand::rngs::StdRng,
) -> Result<Vec<Pair>, CheckError> {
    let l = lf.len();
    let a: Vec<f64> = (0..l).map(|_| rng.random::<f64>() - 0.5).collect();
    let b: Vec<f64> = a.iter().map(|v| v + 0.1 * (rng.random::<f64>() - 0.5)).collect();
    Ok(nqg_network::testcases::leapfrog_pairs(lf, &a, &b, steps)?)
}
