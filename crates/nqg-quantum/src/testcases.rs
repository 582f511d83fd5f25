//! The standard problems that the tests, benches, examples and the peer cases of this crate share, each
//! with its closed form, so that one setup is written once.
//!
//! - [`TrapPacket`]: a coherent Gaussian packet in the isotropic harmonic trap $V = \tfrac12|\mathbf x|^2$
//!   ($\hbar = m = \omega = 1$). With density width $\sigma = 1/\sqrt2$ it is a displaced ground state,
//!   so its shape never changes and its centre follows the classical orbit
//!   $\langle x_a\rangle(t) = x_{0,a}\cos t + k_{0,a}\sin t$ (THEORY.md N4.4; Schrödinger 1926).
//! - [`FreePacket`]: a free Gaussian packet in 1D, spreading as
//!   $\sigma(t) = \sigma_0\sqrt{1 + (\hbar t/2m\sigma_0^2)^2}$ while its centre moves at $\hbar k_0/m$.
//!
//! Both are periodic-box approximations of the infinite-line problems: the box must hold the packet
//! (the tails at the edges are below round-off for the sizes used here).

use crate::error::Result;
use crate::grid::{Grid, Units};
use crate::potential::{Free, Harmonic};
use crate::split_step::{Scheme, SplitStep};
use crate::wavefunction::Wavefunction;

/// The coherent density width $\sigma = \sqrt{\hbar/2m\omega} = 1/\sqrt2$ of the unit trap.
pub const COHERENT_WIDTH: f64 = std::f64::consts::FRAC_1_SQRT_2;

/// A coherent packet in the isotropic unit trap (see the module docs).
#[derive(Debug, Clone)]
pub struct TrapPacket<const D: usize> {
    /// The grid, centred on the origin.
    pub grid: Grid<D>,
    /// $\psi(0)$: the ground state displaced to $\mathbf x_0$ with wave number $\mathbf k_0$.
    pub psi0: Wavefunction<D>,
    /// $V = \tfrac12|\mathbf x|^2$.
    pub potential: Harmonic<D>,
    /// The initial centre $\mathbf x_0$.
    pub x0: [f64; D],
    /// The initial wave number $\mathbf k_0$ (mean momentum $\hbar\mathbf k_0$).
    pub k0: [f64; D],
}

impl<const D: usize> TrapPacket<D> {
    /// `points` per axis on a box of side `length` centred on the origin.
    ///
    /// # Errors
    /// The errors of [`Grid::centered`] and [`Wavefunction::gaussian`].
    pub fn new(points: usize, length: f64, x0: [f64; D], k0: [f64; D]) -> Result<Self> {
        let grid = Grid::centered([points; D], [length; D])?;
        let psi0 = Wavefunction::gaussian(grid.clone(), x0, [COHERENT_WIDTH; D], k0)?;
        Ok(Self {
            grid,
            psi0,
            potential: Harmonic::isotropic(1.0, 1.0),
            x0,
            k0,
        })
    }

    /// The exact centre $\langle\mathbf x\rangle(t) = \mathbf x_0\cos t + \mathbf k_0\sin t$.
    pub fn centre(&self, t: f64) -> [f64; D] {
        std::array::from_fn(|a| self.x0[a] * t.cos() + self.k0[a] * t.sin())
    }

    /// The split-step propagator of this problem with step `dt`.
    ///
    /// # Errors
    /// The errors of [`SplitStep::new`].
    pub fn propagator(&self, dt: f64, scheme: Scheme) -> Result<SplitStep<D>> {
        SplitStep::new(self.grid.clone(), Units::default(), self.potential, dt, scheme)
    }
}

/// A free Gaussian packet in 1D (see the module docs).
#[derive(Debug, Clone)]
pub struct FreePacket {
    /// The grid, centred on the origin.
    pub grid: Grid<1>,
    /// $\psi(0)$.
    pub psi0: Wavefunction<1>,
    /// The initial centre.
    pub x0: f64,
    /// The initial density width $\sigma_0$.
    pub sigma0: f64,
    /// The wave number $k_0$.
    pub k0: f64,
}

impl FreePacket {
    /// `points` on a box of `length` centred on the origin.
    ///
    /// # Errors
    /// The errors of [`Grid::centered`] and [`Wavefunction::gaussian`].
    pub fn new(points: usize, length: f64, x0: f64, sigma0: f64, k0: f64) -> Result<Self> {
        let grid = Grid::centered([points], [length])?;
        let psi0 = Wavefunction::gaussian(grid.clone(), [x0], [sigma0], [k0])?;
        Ok(Self {
            grid,
            psi0,
            x0,
            sigma0,
            k0,
        })
    }

    /// The exact density width $\sigma(t) = \sigma_0\sqrt{1 + (\hbar t/2m\sigma_0^2)^2}$.
    pub fn width(&self, units: Units, t: f64) -> f64 {
        let s = units.hbar * t / (2.0 * units.mass * self.sigma0 * self.sigma0);
        self.sigma0 * (1.0 + s * s).sqrt()
    }

    /// The exact centre $x_0 + \hbar k_0 t/m$ (on the infinite line).
    pub fn centre(&self, units: Units, t: f64) -> f64 {
        self.x0 + units.hbar * self.k0 * t / units.mass
    }

    /// The split-step propagator of this problem with step `dt`.
    ///
    /// # Errors
    /// The errors of [`SplitStep::new`].
    pub fn propagator(&self, units: Units, dt: f64, scheme: Scheme) -> Result<SplitStep<1>> {
        SplitStep::new(self.grid.clone(), units, Free, dt, scheme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The trap packet's centre after 1000 Strang steps of 0.01 matches the orbit to the Strang error:
    /// the phase error of the O(dt²) splitting is $\approx \omega^3 h^2 t/24$ per radian, times the
    /// amplitude 3: $3\cdot 10^{-4}\cdot 10/24 \approx 1.3\cdot 10^{-4}$; bound $2\cdot 10^{-4}$.
    #[test]
    fn trap_packet_follows_its_orbit() {
        let case = TrapPacket::<1>::new(1024, 40.0, [3.0], [0.0]).unwrap();
        let mut p = case.propagator(0.01, Scheme::Strang).unwrap();
        let mut psi = case.psi0.clone();
        p.run(&mut psi, 1000).unwrap();
        let err = (psi.mean_position()[0] - case.centre(10.0)[0]).abs();
        assert!(err < 2e-4, "{err}");
        // The coherent width is kept (to the same splitting error).
        assert!((psi.width()[0] - COHERENT_WIDTH).abs() < 1e-4);
    }

    /// The free packet spreads as the closed form; Yoshida-4 with dt = 0.01 on a fine grid leaves only
    /// round-off and the (spectrally small) discretisation: tolerance 1e-9 on σ(2) ≈ 1.41.
    #[test]
    fn free_packet_spreads_as_the_closed_form() {
        let case = FreePacket::new(1024, 80.0, -2.0, 0.5, 1.0).unwrap();
        let units = Units::default();
        let mut p = case.propagator(units, 0.01, Scheme::Yoshida4).unwrap();
        let mut psi = case.psi0.clone();
        p.run(&mut psi, 200).unwrap();
        let w = psi.width()[0];
        assert!(
            (w - case.width(units, 2.0)).abs() < 1e-9,
            "{w} vs {}",
            case.width(units, 2.0)
        );
        assert!((psi.mean_position()[0] - case.centre(units, 2.0)).abs() < 1e-9);
    }
}
