//! Wavefunctions on a grid and their observables.
//!
//! With $dV$ the cell volume (THEORY.md N4.4 for the equation these states obey):
//! - norm $\mathcal N = \sum_j |\psi_j|^2\\,dV$ and density $\rho = |\psi|^2$;
//! - $\langle x_a\rangle = \sum_j x_{a,j}\\,\rho_j\\,dV / \mathcal N$, width
//!   $\sigma_a = (\langle x_a^2\rangle - \langle x_a\rangle^2)^{1/2}$;
//! - spectral derivative $\partial_a\psi = \mathcal F_a^{-1}[i k_a \hat\psi]$ (exact for band-limited
//!   periodic data);
//! - $\langle p_a\rangle = \hbar\\,\mathrm{Re}\sum_j \psi_j^\* (-i\partial_a\psi)\_j\\,dV / \mathcal N$;
//! - probability current $j_a = (\hbar/m)\\,\mathrm{Im}(\psi^\*\partial_a\psi)$;
//! - kinetic energy $\langle T\rangle = \frac{\hbar^2}{2m}\sum_a \\|\partial_a\psi\\|^2$, evaluated in
//!   Fourier space through Parseval, and potential energy $\langle V\rangle = \sum_j V_j\rho_j\\,dV$.

use num_complex::Complex64;

use crate::error::{QuantumError, Result};
use crate::grid::{Grid, Units};
use crate::spectral::Spectral;

/// A wavefunction: complex values on a [`Grid`], row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Wavefunction<const D: usize> {
    grid: Grid<D>,
    data: Vec<Complex64>,
}

/// Index of the first non-finite complex entry, if any.
pub(crate) fn first_non_finite(data: &[Complex64]) -> Option<usize> {
    // Fast path: finite values times 0 sum to 0; a NaN or an infinity makes the sum NaN.
    let probe: f64 = data.iter().map(|z| z.re * 0.0 + z.im * 0.0).sum();
    if probe == 0.0 {
        return None;
    }
    data.iter().position(|z| !(z.re.is_finite() && z.im.is_finite()))
}

impl<const D: usize> Wavefunction<D> {
    /// Wrap values on `grid`.
    ///
    /// # Errors
    /// [`QuantumError::SizeMismatch`] if `data.len()` differs from the grid size,
    /// [`QuantumError::NonFiniteState`] for a non-finite entry.
    pub fn from_vec(grid: Grid<D>, data: Vec<Complex64>) -> Result<Self> {
        grid.check_len(data.len())?;
        if let Some(index) = first_non_finite(&data) {
            return Err(QuantumError::NonFiniteState { index });
        }
        Ok(Self { grid, data })
    }

    /// Sample `f` on the grid.
    ///
    /// # Errors
    /// [`QuantumError::NonFiniteState`] if `f` returns a non-finite value.
    pub fn from_fn(grid: Grid<D>, f: impl FnMut(&[f64; D]) -> Complex64) -> Result<Self> {
        let data = grid.map(f);
        Self::from_vec(grid, data)
    }

    /// The normalised Gaussian packet $\psi \propto \prod_a \exp(-(x_a-c_a)^2/4\sigma_a^2 + i k_a x_a)$,
    /// whose density has standard deviation $\sigma_a$ and whose mean momentum is $\hbar k_a$.
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] for a non-positive width or non-finite centre or wave number;
    /// [`QuantumError::ZeroNorm`] if the packet lies entirely outside the box (underflow).
    pub fn gaussian(grid: Grid<D>, center: [f64; D], sigma: [f64; D], k: [f64; D]) -> Result<Self> {
        for a in 0..D {
            crate::error::check_positive("sigma", sigma[a])?;
            crate::error::check_finite("center", center[a])?;
            crate::error::check_finite("k", k[a])?;
        }
        let data = grid.map(|x| {
            let mut e = Complex64::new(0.0, 0.0);
            for a in 0..D {
                let d = x[a] - center[a];
                e += Complex64::new(-d * d / (4.0 * sigma[a] * sigma[a]), k[a] * x[a]);
            }
            e.exp()
        });
        let mut psi = Self::from_vec(grid, data)?;
        psi.normalize()?;
        Ok(psi)
    }

    /// The grid.
    pub fn grid(&self) -> &Grid<D> {
        &self.grid
    }

    /// The values.
    pub fn values(&self) -> &[Complex64] {
        &self.data
    }

    /// Mutable access to the values (the caller keeps them finite).
    pub fn values_mut(&mut self) -> &mut [Complex64] {
        &mut self.data
    }

    /// Consume into the values.
    pub fn into_values(self) -> Vec<Complex64> {
        self.data
    }

    /// Check that every entry is finite.
    ///
    /// # Errors
    /// [`QuantumError::NonFiniteState`] at the first non-finite entry.
    pub fn check_finite(&self) -> Result<()> {
        match first_non_finite(&self.data) {
            Some(index) => Err(QuantumError::NonFiniteState { index }),
            None => Ok(()),
        }
    }

    /// $\mathcal N = \int|\psi|^2\\,dV$ (the total probability; 1 after [`normalize`](Self::normalize)).
    pub fn norm(&self) -> f64 {
        self.data.iter().map(|z| z.norm_sqr()).sum::<f64>() * self.grid.cell_volume()
    }

    /// Scale to $\mathcal N = 1$.
    ///
    /// # Errors
    /// [`QuantumError::ZeroNorm`] if the norm is zero or not finite.
    pub fn normalize(&mut self) -> Result<()> {
        let n = self.norm();
        if !(n.is_finite() && n > 0.0) {
            return Err(QuantumError::ZeroNorm { norm: n });
        }
        let s = 1.0 / n.sqrt();
        self.data.iter_mut().for_each(|z| *z *= s);
        Ok(())
    }

    /// $\langle\phi|\psi\rangle = \sum_j \phi_j^\*\psi_j\\,dV$ with `self` as $\phi$.
    ///
    /// # Errors
    /// [`QuantumError::GridMismatch`] if the grids differ.
    pub fn inner(&self, other: &Self) -> Result<Complex64> {
        self.grid.check_same(&other.grid)?;
        let s: Complex64 = self.data.iter().zip(&other.data).map(|(a, b)| a.conj() * b).sum();
        Ok(s * self.grid.cell_volume())
    }

    /// The density $\rho = |\psi|^2$.
    pub fn density(&self) -> Vec<f64> {
        self.data.iter().map(|z| z.norm_sqr()).collect()
    }

    /// $\langle x_a\rangle$ per axis (normalised by the norm).
    pub fn mean_position(&self) -> [f64; D] {
        let (m1, _) = self.moments();
        m1
    }

    /// Standard deviation $\sigma_a$ of the density per axis.
    pub fn width(&self) -> [f64; D] {
        let (m1, m2) = self.moments();
        std::array::from_fn(|a| (m2[a] - m1[a] * m1[a]).max(0.0).sqrt())
    }

    fn moments(&self) -> ([f64; D], [f64; D]) {
        let mut s0 = 0.0;
        let mut s1 = [0.0; D];
        let mut s2 = [0.0; D];
        for (i, z) in self.data.iter().enumerate() {
            let r = z.norm_sqr();
            let x = self.grid.point(i);
            s0 += r;
            for a in 0..D {
                s1[a] += r * x[a];
                s2[a] += r * x[a] * x[a];
            }
        }
        let s0 = if s0 > 0.0 { s0 } else { f64::NAN };
        (
            std::array::from_fn(|a| s1[a] / s0),
            std::array::from_fn(|a| s2[a] / s0),
        )
    }

    /// The spectral derivative $(\partial_a - i\kappa)\psi$ along `axis` (zero vector if `axis >= D`).
    pub fn derivative(&self, axis: usize, kappa: f64) -> Vec<Complex64> {
        let mut out = self.data.clone();
        if axis >= D {
            out.iter_mut().for_each(|z| *z = Complex64::new(0.0, 0.0));
            return out;
        }
        let n = self.grid.shape()[axis] as f64;
        let mult: Vec<Complex64> = self
            .grid
            .wavenumbers(axis)
            .iter()
            .map(|k| Complex64::new(0.0, (k - kappa) / n))
            .collect();
        let mut sp = Spectral::new(self.grid.shape());
        sp.apply_axis(&mut out, axis, &mult);
        out
    }

    /// $\langle p_a\rangle$ per axis, $\hbar\\,\mathrm{Re}\langle\psi|-i\partial_a\psi\rangle/\mathcal N$.
    pub fn mean_momentum(&self, units: Units) -> [f64; D] {
        let n = self.norm();
        std::array::from_fn(|a| {
            let d = self.derivative(a, 0.0);
            let s: Complex64 = self.data.iter().zip(&d).map(|(p, dp)| p.conj() * dp).sum();
            units.hbar * s.im * self.grid.cell_volume() / n
        })
    }

    /// The probability current $j_a = (\hbar/m)\\,\mathrm{Im}(\psi^\*\partial_a\psi)$ along `axis`.
    pub fn current(&self, axis: usize, units: Units) -> Vec<f64> {
        let d = self.derivative(axis, 0.0);
        self.data
            .iter()
            .zip(&d)
            .map(|(p, dp)| units.hbar / units.mass * (p.conj() * dp).im)
            .collect()
    }

    /// Kinetic energy $\frac{\hbar^2}{2m}\sum_a\\|(\partial_a - i\kappa_a)\psi\\|^2$ (Fourier space, Parseval),
    /// divided by the norm.
    pub fn kinetic_energy(&self, units: Units, kappa: [f64; D]) -> f64 {
        let n = self.norm();
        let dv = self.grid.cell_volume();
        let mut t = 0.0;
        for a in 0..D {
            let d = self.derivative(a, kappa[a]);
            t += d.iter().map(|z| z.norm_sqr()).sum::<f64>() * dv;
        }
        units.hbar * units.hbar / (2.0 * units.mass) * t / n
    }

    /// Potential energy $\sum_j V_j|\psi_j|^2 dV/\mathcal N$ for potential values `v` on the grid.
    ///
    /// # Errors
    /// [`QuantumError::SizeMismatch`] if `v` has the wrong length.
    pub fn potential_energy(&self, v: &[f64]) -> Result<f64> {
        self.grid.check_len(v.len())?;
        let s: f64 = self.data.iter().zip(v).map(|(z, v)| z.norm_sqr() * v).sum();
        Ok(s * self.grid.cell_volume() / self.norm())
    }
}
