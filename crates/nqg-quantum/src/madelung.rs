//! The Madelung (quantum-hydrodynamic) layer: $\psi \leftrightarrow (\rho, S)$, residuals of the
//! Madelung equations on a computed Schrodinger evolution, and a direct Madelung solver that reports
//! its breakdown at nodes.
//!
//! With $\psi = \sqrt\rho\\,e^{iS/\hbar}$ the Schrodinger equation (N4.4) is equivalent, where
//! $\rho > 0$, to (THEORY.md N3.5-N3.7, standard form)
//! $$\partial_t\rho + \nabla\cdot(\rho\nabla S/m) = 0,\qquad
//! \partial_t S + \frac{|\nabla S|^2}{2m} + V + Q = 0,\qquad
//! Q = -\frac{\hbar^2}{2m}\frac{\nabla^2\sqrt\rho}{\sqrt\rho}.$$
//! The velocity $\mathbf v = \nabla S/m = (\hbar/m)\\,\mathrm{Im}(\psi^\*\nabla\psi)/\rho$ needs no phase
//! unwrapping; $\partial_t S$ is taken from phase *differences* $\hbar\arg(\psi(t')\psi^\*(t))$, so no
//! unwrapping in time either. Points with $\rho < \epsilon\max\rho$ are masked.
//!
//! **Direct solver** ([`MadelungSolver1D`]). For nodeless states it evolves $L = \ln\rho$ and $v$ on a
//! uniform non-periodic grid:
//! $$\partial_t L = -v\\,\partial_x L - \partial_x v,\qquad
//! \partial_t v = -v\\,\partial_x v - \frac1m\partial_x(V + Q),\qquad
//! Q = -\frac{\hbar^2}{2m}\Big(\tfrac12\partial_x^2 L + \tfrac14(\partial_x L)^2\Big),$$
//! the continuity and momentum (gradient of quantum Hamilton-Jacobi) equations rewritten with
//! $\sqrt\rho = e^{L/2}$, so that $Q$ stays regular in the tails where $\rho$ underflows a floored
//! finite-volume density. Derivatives are 5-point finite differences (centred in the interior,
//! one-sided at the ends; exact for polynomials of degree $\le 4$), time stepping is classical RK4.
//! At a node $\rho \to 0$ means $L \to -\infty$ and $Q$, $v$ become singular: the solver stops and
//! reports a [`Breakdown`] (a node inside the support, non-finite fields, or a velocity violating the
//! CFL bound) instead of continuing. This is the node/Wallstrom problem of THEORY.md §3-§4, reported,
//! not fixed.

mod fields;
mod residuals;
mod solver;

pub use fields::{MadelungFields, compose_1d, decompose};
pub use residuals::{Residuals, residuals};
pub use solver::{Breakdown, MadelungOutcome, MadelungSolver1D};
