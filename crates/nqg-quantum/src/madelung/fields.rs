//! $\psi \leftrightarrow (\rho, S, \mathbf v)$: the Madelung fields of a wavefunction and back (1D).

use num_complex::Complex64;

use crate::error::{QuantumError, Result};
use crate::grid::{Grid, Units};
use crate::wavefunction::Wavefunction;

/// $(\rho, S, \mathbf v)$ of a wavefunction.
#[derive(Debug, Clone, PartialEq)]
pub struct MadelungFields<const D: usize> {
    /// $\rho = |\psi|^2$.
    pub rho: Vec<f64>,
    /// $S = \hbar\arg\psi$: unwrapped along the line in 1D (starting at the first unmasked point),
    /// wrapped to $(-\pi\hbar, \pi\hbar]$ in 2D/3D; NaN where masked.
    pub phase: Vec<f64>,
    /// Velocity components $v_a = (\hbar/m)\\,\mathrm{Im}(\psi^\*\partial_a\psi)/\rho$; NaN where masked.
    pub velocity: [Vec<f64>; D],
    /// Whether $\rho \ge \epsilon\max\rho$.
    pub mask: Vec<bool>,
}

/// Decompose $\psi$ into Madelung fields, masking $\rho < \epsilon\max\rho$.
///
/// # Errors
/// [`QuantumError::InvalidParameter`] for $\epsilon$ outside $[0, 1)$ or bad units,
/// [`QuantumError::NonFiniteState`] / [`QuantumError::ZeroNorm`] for a bad state.
pub fn decompose<const D: usize>(psi: &Wavefunction<D>, units: Units, eps: f64) -> Result<MadelungFields<D>> {
    units.validate()?;
    if !(0.0..1.0).contains(&eps) {
        return Err(QuantumError::InvalidParameter {
            name: "eps",
            value: eps,
            reason: "mask threshold must be in [0, 1)",
        });
    }
    psi.check_finite()?;
    let rho = psi.density();
    let rmax = rho.iter().cloned().fold(0.0, f64::max);
    if rmax <= 0.0 {
        return Err(QuantumError::ZeroNorm { norm: 0.0 });
    }
    let mask: Vec<bool> = rho.iter().map(|r| *r >= eps * rmax && *r > 0.0).collect();
    let vals = psi.values();
    let mut phase: Vec<f64> = vals
        .iter()
        .zip(&mask)
        .map(|(z, m)| if *m { units.hbar * z.arg() } else { f64::NAN })
        .collect();
    if D == 1 {
        let mut prev: Option<(Complex64, f64)> = None;
        for (i, z) in vals.iter().enumerate() {
            if !mask[i] {
                continue;
            }
            if let Some((zp, sp)) = prev {
                let s = sp + units.hbar * (z * zp.conj()).arg();
                phase[i] = s;
            }
            prev = Some((*z, phase[i]));
        }
    }
    let velocity = std::array::from_fn(|a| {
        let d = psi.derivative(a, 0.0);
        vals.iter()
            .zip(&d)
            .zip(&mask)
            .map(|((p, dp), m)| {
                if *m {
                    units.hbar / units.mass * (p.conj() * dp).im / p.norm_sqr()
                } else {
                    f64::NAN
                }
            })
            .collect()
    });
    Ok(MadelungFields {
        rho,
        phase,
        velocity,
        mask,
    })
}

/// Rebuild $\psi = \sqrt\rho\\,e^{iS/\hbar}$ on a 1D periodic grid from a density and a velocity field,
/// with $S(x) = m\int_{x_0}^x v$. Returns the state and its single-valuedness defect
/// $|e^{i m\oint v\\,dx/\hbar} - 1|$ (0 exactly when the circulation is quantised, $m\oint v = 2\pi\hbar n$).
/// The mean part of $v$ is integrated exactly and the periodic remainder spectrally.
///
/// # Errors
/// [`QuantumError::SizeMismatch`], [`QuantumError::NonFiniteState`] for non-finite or negative input.
pub fn compose_1d(
    grid: &Grid<1>,
    rho: &[f64],
    velocity: &[f64],
    units: Units,
) -> Result<(Wavefunction<1>, f64)> {
    units.validate()?;
    grid.check_len(rho.len())?;
    grid.check_len(velocity.len())?;
    if let Some(index) = rho.iter().position(|r| !r.is_finite() || *r < 0.0) {
        return Err(QuantumError::NonFiniteState { index });
    }
    if let Some(index) = velocity.iter().position(|r| !r.is_finite()) {
        return Err(QuantumError::NonFiniteState { index });
    }
    let n = grid.len();
    let l = grid.lengths()[0];
    let dx = grid.spacing()[0];
    let vbar = velocity.iter().sum::<f64>() / n as f64;
    // Periodic part: antiderivative in Fourier space (k = 0 mode removed).
    let mut w = vec![Complex64::new(0.0, 0.0); n];
    for (wi, vi) in w.iter_mut().zip(velocity) {
        *wi = Complex64::new(vi - vbar, 0.0);
    }
    let ks = grid.wavenumbers(0);
    let mult: Vec<Complex64> = ks
        .iter()
        .map(|k| {
            if *k == 0.0 {
                Complex64::new(0.0, 0.0)
            } else {
                Complex64::new(0.0, -1.0 / (k * n as f64))
            }
        })
        .collect();
    let mut sp = crate::spectral::Spectral::<1>::new([n]);
    sp.apply_axis(&mut w, 0, &mult);
    let s0 = w[0].re;
    let m = units.mass;
    let data: Vec<Complex64> = (0..n)
        .map(|j| {
            let s = m * (vbar * j as f64 * dx + w[j].re - s0);
            Complex64::from_polar(rho[j].sqrt(), s / units.hbar)
        })
        .collect();
    let psi = Wavefunction::from_vec(grid.clone(), data)?;
    let total = m * vbar * l / units.hbar;
    let defect = (Complex64::new(0.0, total).exp() - 1.0).norm();
    Ok((psi, defect))
}
