//! Residuals of the continuity and quantum Hamilton-Jacobi equations on a computed evolution.

use super::decompose;
use num_complex::Complex64;

use crate::error::{QuantumError, Result, check_dt};
use crate::grid::Units;
use crate::wavefunction::Wavefunction;

/// Residuals of the Madelung equations at the middle of five snapshots.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Residuals {
    /// $\max|\partial_t\rho + \nabla\cdot(\rho\mathbf v)|$ over the mask.
    pub continuity: f64,
    /// $\max|\partial_t S + m|\mathbf v|^2/2 + V + Q|$ over the mask.
    pub hamilton_jacobi: f64,
    /// $\max|\partial_t\rho|$ over the mask (scale of the continuity terms).
    pub rho_rate_scale: f64,
    /// $\max|\partial_t S|$ over the mask (scale of the HJ terms).
    pub phase_rate_scale: f64,
    /// Number of unmasked points.
    pub points: usize,
}

/// Residuals of the continuity and quantum Hamilton-Jacobi equations from five snapshots
/// $\psi(t + j\delta)$, $j = -2..2$ (4th-order central differences in time, spectral in space), with
/// the potential values `v` at the middle time and the mask $\rho > \epsilon\max\rho$.
///
/// # Errors
/// [`QuantumError::SizeMismatch`] if the snapshots or `v` do not match, [`QuantumError::InvalidTimeStep`]
/// for $\delta \le 0$, plus the errors of [`decompose`].
pub fn residuals<const D: usize>(
    snapshots: &[Wavefunction<D>; 5],
    delta: f64,
    v: &[f64],
    units: Units,
    eps: f64,
) -> Result<Residuals> {
    check_dt(delta)?;
    let mid = &snapshots[2];
    let n = mid.grid().len();
    for s in snapshots {
        if s.grid().shape() != mid.grid().shape() {
            return Err(QuantumError::SizeMismatch {
                expected: n,
                got: s.grid().len(),
            });
        }
        s.check_finite()?;
    }
    mid.grid().check_len(v.len())?;
    let f = decompose(mid, units, eps)?;
    let w = [1.0, -8.0, 0.0, 8.0, -1.0];
    let d12 = 12.0 * delta;
    let rhos: Vec<Vec<f64>> = snapshots.iter().map(|s| s.density()).collect();
    // Divergence of the current j = rho v, spectrally.
    let mut div = vec![0.0; n];
    for a in 0..D {
        let j: Vec<Complex64> = mid
            .values()
            .iter()
            .zip(&mid.derivative(a, 0.0))
            .map(|(p, dp)| Complex64::new(units.hbar / units.mass * (p.conj() * dp).im, 0.0))
            .collect();
        let jw = Wavefunction::from_vec(mid.grid().clone(), j)?;
        for (d, z) in div.iter_mut().zip(jw.derivative(a, 0.0)) {
            *d += z.re;
        }
    }
    // Laplacian of |psi|.
    let amp: Vec<Complex64> = mid
        .values()
        .iter()
        .map(|z| Complex64::new(z.norm(), 0.0))
        .collect();
    let ampw = Wavefunction::from_vec(mid.grid().clone(), amp)?;
    let mut lap = vec![0.0; n];
    for a in 0..D {
        let d1 = Wavefunction::from_vec(mid.grid().clone(), ampw.derivative(a, 0.0))?;
        for (l, z) in lap.iter_mut().zip(d1.derivative(a, 0.0)) {
            *l += z.re;
        }
    }
    let mut out = Residuals {
        continuity: 0.0,
        hamilton_jacobi: 0.0,
        rho_rate_scale: 0.0,
        phase_rate_scale: 0.0,
        points: 0,
    };
    let c = units.hbar * units.hbar / (2.0 * units.mass);
    for i in 0..n {
        if !f.mask[i] {
            continue;
        }
        out.points += 1;
        let drho: f64 = (0..5).map(|k| w[k] * rhos[k][i]).sum::<f64>() / d12;
        let z0 = mid.values()[i];
        let ds: f64 = (0..5)
            .map(|k| w[k] * units.hbar * (snapshots[k].values()[i] * z0.conj()).arg())
            .sum::<f64>()
            / d12;
        let v2: f64 = (0..D).map(|a| f.velocity[a][i] * f.velocity[a][i]).sum();
        let q = -c * lap[i] / z0.norm();
        let hj = ds + 0.5 * units.mass * v2 + v[i] + q;
        let cont = drho + div[i];
        out.continuity = out.continuity.max(cont.abs());
        out.hamilton_jacobi = out.hamilton_jacobi.max(hj.abs());
        out.rho_rate_scale = out.rho_rate_scale.max(drho.abs());
        out.phase_rate_scale = out.phase_rate_scale.max(ds.abs());
    }
    Ok(out)
}
