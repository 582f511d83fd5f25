//! A particle on a ring of radius $R$ threaded by an Aharonov-Bohm flux (THEORY.md §3.1 S-QM5).
//!
//! With arc length $s = R\theta \in [0, 2\pi R)$ and flux phase $\Phi$ (the Aharonov-Bohm phase
//! $q\Phi_B/\hbar$), $H = \frac{\hbar^2}{2m}(-i\partial_s - \kappa)^2$ with $\kappa = \Phi/(2\pi R)$.
//! The exact spectrum is $E_n = \frac{\hbar^2}{2mR^2}\left(n - \frac{\Phi}{2\pi}\right)^2$,
//! $n \in \mathbb Z$, with eigenstates $e^{in\theta}$ of winding number $n$: the flux shifts the
//! spectrum while single-valuedness keeps $n$ an integer (the Wallstrom condition).

use crate::eigen::Hamiltonian;
use crate::error::{Result, check_finite, check_positive};
use crate::grid::{Grid, Units};
use crate::potential::Free;
use crate::split_step::{Scheme, SplitStep};

/// A ring of radius `radius` with flux phase `flux` ($\Phi$ in radians).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ring {
    /// Radius $R$.
    pub radius: f64,
    /// Flux phase $\Phi$.
    pub flux: f64,
    /// Units.
    pub units: Units,
}

impl Ring {
    /// A ring.
    ///
    /// # Errors
    /// [`crate::QuantumError::InvalidParameter`] for a non-positive radius or non-finite flux.
    pub fn new(radius: f64, flux: f64, units: Units) -> Result<Self> {
        check_positive("radius", radius)?;
        check_finite("flux", flux)?;
        units.validate()?;
        Ok(Self { radius, flux, units })
    }

    /// The arc-length grid with `n` points.
    ///
    /// # Errors
    /// As [`Grid::new`].
    pub fn grid(&self, n: usize) -> Result<Grid<1>> {
        Grid::new([n], [0.0], [2.0 * std::f64::consts::PI * self.radius])
    }

    /// $\kappa = \Phi/(2\pi R)$.
    pub fn kappa(&self) -> f64 {
        self.flux / (2.0 * std::f64::consts::PI * self.radius)
    }

    /// $E_n$ for the angular quantum number $n$.
    pub fn level(&self, n: i64) -> f64 {
        let s = n as f64 - self.flux / (2.0 * std::f64::consts::PI);
        self.units.hbar * self.units.hbar / (2.0 * self.units.mass * self.radius * self.radius) * s * s
    }

    /// The `count` lowest exact levels with their quantum numbers, ascending.
    ///
    /// # Errors
    /// [`crate::QuantumError::TooLarge`] for more than [`crate::error::MAX_POINTS`] levels.
    pub fn levels(&self, count: usize) -> Result<Vec<(i64, f64)>> {
        if count > crate::error::MAX_POINTS {
            return Err(crate::QuantumError::TooLarge {
                what: "ring levels",
                requested: count,
                limit: crate::error::MAX_POINTS,
            });
        }
        let c = (self.flux / (2.0 * std::f64::consts::PI)).round() as i64;
        let span = count as i64 + 2;
        let mut v: Vec<(i64, f64)> = (c - span..=c + span).map(|n| (n, self.level(n))).collect();
        v.sort_by(|a, b| a.1.total_cmp(&b.1));
        v.truncate(count);
        Ok(v)
    }

    /// The grid Hamiltonian on `n` points.
    ///
    /// # Errors
    /// As [`Grid::new`].
    pub fn hamiltonian(&self, n: usize) -> Result<Hamiltonian<1>> {
        Hamiltonian::new(self.grid(n)?, self.units, &Free, 0.0)?.with_kappa([self.kappa()])
    }

    /// A split-step propagator on `n` points.
    ///
    /// # Errors
    /// As [`SplitStep::new`].
    pub fn propagator(&self, n: usize, dt: f64, scheme: Scheme) -> Result<SplitStep<1>> {
        SplitStep::new(self.grid(n)?, self.units, Free, dt, scheme)?.with_kappa([self.kappa()])
    }
}
