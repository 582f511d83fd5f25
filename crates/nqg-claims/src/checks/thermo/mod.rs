//! Layer S thermodynamics checks (THEORY.md §3.1 S-FP1-4, ANCHORS.md §C4): the SDE integrators,
//! Fokker-Planck solvers, entropy estimators and stochastic thermodynamics of `nqg-thermo`.
//!
//! - [`sde`]: strong and weak orders of the integrators of $dX = a(X)\\,dt + b(X)\\,dW$.
//! - [`fp`]: the Scharfetter-Gummel solver of $\partial_t p = \partial_q(\gamma p\\,\partial_q F + D\\,\partial_q p)$
//!   (N2.7) and the entropy balance (N2.8) $\dot S = 4D\int(\partial_q\sqrt p)^2 - \gamma\int p\\,F''$.
//! - [`entropy`]: the Kozachenko-Leonenko kNN entropy estimator.
//! - [`fluctuation`]: trajectory entropy production, $\langle e^{-\Delta s_\text{tot}}\rangle = 1$.
//! - [`noneq`]: the stationary current of a non-equilibrium Ornstein-Uhlenbeck process (N-3) and the TUR.

pub mod entropy;
pub mod fluctuation;
pub mod fp;
pub mod noneq;
pub mod sde;

use crate::Registry;

/// Register this layer's claims.
pub fn register(reg: &mut Registry) {
    sde::register(reg);
    fp::register(reg);
    entropy::register(reg);
    fluctuation::register(reg);
    noneq::register(reg);
}
