//! Exact propagation in a finite basis: a dense Hermitian Hamiltonian matrix $H$ (e.g. an oscillator
//! truncated to $N$ Fock states, a spin, a few-level atom).
//!
//! With the eigendecomposition $H = V\Lambda V^\dagger$ ($V$ unitary, $\Lambda$ real diagonal),
//! $$\psi(t) = e^{-iHt/\hbar}\psi(0) = V\\,e^{-i\Lambda t/\hbar}\\,V^\dagger\psi(0),$$
//! exact up to round-off at every $t$ (no time stepping, no tolerance): the norm and the energy
//! $\langle\psi|H|\psi\rangle$ are conserved to the unitarity of the computed $V$, which
//! [`Evolution`] reports as the measured drifts. Units: $\hbar = 1$ (scale $H$ or $t$ otherwise).
//!
//! Matrices are row-major slices of length $N^2$, entry $(i, j)$ at `i * n + j`.

use nalgebra::{DMatrix, DVector, SymmetricEigen};
use num_complex::Complex64;

use crate::error::{MAX_POINTS, QuantumError, Result};

/// Relative tolerance of the Hermitian check: $|H_{ij} - \overline{H_{ji}}| \le 10^{-12}\max(1, \max|H|)$
/// (a matrix assembled in floating point from a Hermitian formula is Hermitian to a few ulps of its
/// largest entry; anything larger is a wrong matrix, not round-off).
pub const HERMITIAN_TOL: f64 = 1e-12;

/// A dense Hermitian Hamiltonian with its eigendecomposition, ready to propagate any state.
#[derive(Debug, Clone)]
pub struct DenseHamiltonian {
    n: usize,
    h: DMatrix<Complex64>,
    values: DVector<f64>,
    vectors: DMatrix<Complex64>,
    /// The real-symmetric decomposition when $H$ is real (then `values` and `vectors` are its copies).
    real: Option<real::RealEig>,
}

/// States at the requested times and the measured conservation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evolution {
    /// The times.
    pub times: Vec<f64>,
    /// $\psi(t_k)$, one vector of length $N$ per time.
    pub states: Vec<Vec<Complex64>>,
    /// $\langle\psi(t_k)|\psi(t_k)\rangle$ per time.
    pub norms: Vec<f64>,
    /// $\langle\psi(t_k)|H|\psi(t_k)\rangle$ per time (measured on the propagated state).
    pub energies: Vec<f64>,
    /// $\max_k |\langle\psi(t_k)|\psi(t_k)\rangle - \langle\psi_0|\psi_0\rangle|$.
    pub norm_drift: f64,
    /// $\max_k |\langle H\rangle(t_k) - \langle H\rangle(0)|$ with $\langle H\rangle = \langle\psi|H|\psi\rangle$.
    pub energy_drift: f64,
}

/// Check a row-major $n\times n$ matrix: length, finiteness, size budget.
fn check_matrix(n: usize, m: &[Complex64]) -> Result<()> {
    if n == 0 {
        return Err(QuantumError::GridTooSmall {
            axis: 0,
            points: 0,
            min: 1,
        });
    }
    let len = n.saturating_mul(n);
    if len > MAX_POINTS {
        return Err(QuantumError::TooLarge {
            what: "dense matrix",
            requested: len,
            limit: MAX_POINTS,
        });
    }
    if m.len() != len {
        return Err(QuantumError::SizeMismatch {
            expected: len,
            got: m.len(),
        });
    }
    if let Some(index) = m.iter().position(|z| !z.re.is_finite() || !z.im.is_finite()) {
        let z = m[index];
        return Err(QuantumError::InvalidParameter {
            name: "matrix entry",
            value: if z.re.is_finite() { z.im } else { z.re },
            reason: "must be finite",
        });
    }
    Ok(())
}

fn check_state(n: usize, psi: &[Complex64]) -> Result<()> {
    if psi.len() != n {
        return Err(QuantumError::SizeMismatch {
            expected: n,
            got: psi.len(),
        });
    }
    match psi.iter().position(|z| !z.re.is_finite() || !z.im.is_finite()) {
        Some(index) => Err(QuantumError::NonFiniteState { index }),
        None => Ok(()),
    }
}

/// $\langle\psi|A|\psi\rangle = \sum_{ij}\overline{\psi_i}A_{ij}\psi_j$ for a row-major $n\times n$ matrix
/// $A$ (real for Hermitian $A$; not divided by $\langle\psi|\psi\rangle$).
///
/// # Errors
/// [`QuantumError::SizeMismatch`] if `op` is not $n^2$ or `psi` not $n$ long,
/// [`QuantumError::InvalidParameter`] / [`QuantumError::NonFiniteState`] for a non-finite entry.
pub fn expectation(op: &[Complex64], psi: &[Complex64]) -> Result<Complex64> {
    let n = psi.len();
    check_matrix(n, op)?;
    check_state(n, psi)?;
    Ok(expect_unchecked(op, psi))
}

fn expect_unchecked(op: &[Complex64], psi: &[Complex64]) -> Complex64 {
    let n = psi.len().max(1);
    let mut s = Complex64::new(0.0, 0.0);
    for (row, p) in op.chunks_exact(n).zip(psi) {
        let hpsi: Complex64 = row.iter().zip(psi).map(|(a, b)| a * b).sum();
        s += p.conj() * hpsi;
    }
    s
}

/// The annihilation operator $a$ on $N$ Fock states, $a|n\rangle = \sqrt n\\,|n-1\rangle$, row-major
/// ($a_{n-1,n} = \sqrt n$). With it $x = (a + a^\dagger)/\sqrt2$ and $H = a^\dagger a + \tfrac12$ for the
/// oscillator ($\hbar = m = \omega = 1$).
pub fn annihilation(n: usize) -> Vec<Complex64> {
    let mut a = vec![Complex64::new(0.0, 0.0); n * n];
    for k in 1..n {
        a[(k - 1) * n + k] = Complex64::new((k as f64).sqrt(), 0.0);
    }
    a
}

/// The coherent state $|\alpha\rangle = e^{-|\alpha|^2/2}\sum_{k<N}\frac{\alpha^k}{\sqrt{k!}}|k\rangle$
/// truncated to $N$ Fock states (not renormalised: the missing weight is the truncation error).
pub fn coherent_state(n: usize, alpha: Complex64) -> Vec<Complex64> {
    let mut out = Vec::with_capacity(n);
    let mut c = Complex64::new((-0.5 * alpha.norm_sqr()).exp(), 0.0);
    for k in 0..n {
        if k > 0 {
            c *= alpha / (k as f64).sqrt();
        }
        out.push(c);
    }
    out
}

impl DenseHamiltonian {
    /// Validate the row-major $n\times n$ matrix `h` and diagonalise it.
    ///
    /// # Errors
    /// [`QuantumError::SizeMismatch`] if `h.len() != n²`, [`QuantumError::GridTooSmall`] for `n = 0`,
    /// [`QuantumError::TooLarge`] beyond [`MAX_POINTS`] entries, [`QuantumError::InvalidParameter`] for a
    /// non-finite entry, [`QuantumError::NotHermitian`] with the worst pair $(i, j)$ and its asymmetry
    /// $|H_{ij} - \overline{H_{ji}}|$ beyond [`HERMITIAN_TOL`].
    pub fn new(n: usize, h: &[Complex64]) -> Result<Self> {
        check_matrix(n, h)?;
        let scale = h.iter().fold(1.0f64, |m, z| m.max(z.norm()));
        let mut worst = (0, 0, 0.0f64);
        for i in 0..n {
            for j in i..n {
                let d = (h[i * n + j] - h[j * n + i].conj()).norm();
                if d > worst.2 {
                    worst = (i, j, d);
                }
            }
        }
        if worst.2 > HERMITIAN_TOL * scale {
            return Err(QuantumError::NotHermitian {
                row: worst.0,
                col: worst.1,
                asymmetry: worst.2,
            });
        }
        let m = DMatrix::from_row_slice(n, n, h);
        // Symmetrise exactly (the check above bounds what this changes).
        let m = (&m + m.adjoint()) * Complex64::new(0.5, 0.0);
        if let Some(r) = real::real_eig(n, m.as_slice()) {
            return Ok(Self {
                n,
                h: m,
                values: r.values.clone(),
                vectors: r.vectors.map(|v| Complex64::new(v, 0.0)),
                real: Some(r),
            });
        }
        let eig = SymmetricEigen::new(m.clone());
        Ok(Self {
            n,
            h: m,
            values: eig.eigenvalues,
            vectors: eig.eigenvectors,
            real: None,
        })
    }

    /// $N$.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// The eigenvalues of $H$ (in nalgebra's order, not sorted).
    pub fn eigenvalues(&self) -> &[f64] {
        self.values.as_slice()
    }

    /// $\langle\psi|H|\psi\rangle$ (not divided by the norm).
    ///
    /// # Errors
    /// [`QuantumError::SizeMismatch`] or [`QuantumError::NonFiniteState`] for a bad `psi`.
    pub fn energy(&self, psi: &[Complex64]) -> Result<f64> {
        check_state(self.n, psi)?;
        let v = DVector::from_column_slice(psi);
        Ok(v.dotc(&(&self.h * &v)).re)
    }

    /// $\psi(t) = V e^{-i\Lambda t} V^\dagger \psi_0$ at every time in `times` (any order, any sign), with
    /// the norm and energy drift measured over them.
    ///
    /// # Errors
    /// [`QuantumError::SizeMismatch`] / [`QuantumError::NonFiniteState`] for a bad `psi0`,
    /// [`QuantumError::InvalidParameter`] for a non-finite time.
    pub fn evolve(&self, psi0: &[Complex64], times: &[f64]) -> Result<Evolution> {
        check_state(self.n, psi0)?;
        if let Some(&t) = times.iter().find(|t| !t.is_finite()) {
            return Err(QuantumError::InvalidParameter {
                name: "t",
                value: t,
                reason: "must be finite",
            });
        }
        let v0 = DVector::from_column_slice(psi0);
        let norm0 = v0.norm_squared();
        let e0 = v0.dotc(&(&self.h * &v0)).re;
        if let Some(r) = &self.real {
            return Ok(Self::evolve_real(r, psi0, times, norm0, e0));
        }
        let c = self.vectors.adjoint() * &v0;
        let mut out = Evolution {
            times: times.to_vec(),
            states: Vec::with_capacity(times.len()),
            norms: Vec::with_capacity(times.len()),
            energies: Vec::with_capacity(times.len()),
            norm_drift: 0.0,
            energy_drift: 0.0,
        };
        let mut ct = c.clone();
        for &t in times {
            for (k, (z, lam)) in ct.iter_mut().zip(self.values.iter()).enumerate() {
                *z = c[k] * Complex64::from_polar(1.0, -lam * t);
            }
            let psi = &self.vectors * &ct;
            let (norm, energy) = (psi.norm_squared(), psi.dotc(&(&self.h * &psi)).re);
            out.norm_drift = out.norm_drift.max((norm - norm0).abs());
            // <psi|H|psi> = sum_k lam_k |c_k|^2 is exact by construction; measure it on the state.
            out.energy_drift = out.energy_drift.max((energy - e0).abs());
            out.norms.push(norm);
            out.energies.push(energy);
            out.states.push(psi.as_slice().to_vec());
        }
        Ok(out)
    }

    /// The batched real-symmetric path of [`DenseHamiltonian::evolve`] (see [`real`]).
    fn evolve_real(r: &real::RealEig, psi0: &[Complex64], times: &[f64], norm0: f64, e0: f64) -> Evolution {
        let (re, im) = real::propagate_all(r, psi0, times);
        let energies: Vec<f64> = real::quadratic_forms(&r.h, &re, &im)
            .iter()
            .map(|z| z.re)
            .collect();
        let norms: Vec<f64> = (0..times.len())
            .map(|j| re.column(j).norm_squared() + im.column(j).norm_squared())
            .collect();
        let states = (0..times.len())
            .map(|j| {
                (0..psi0.len())
                    .map(|i| Complex64::new(re[(i, j)], im[(i, j)]))
                    .collect()
            })
            .collect();
        let drift = |v: &[f64], v0: f64| v.iter().fold(0.0f64, |m, x| m.max((x - v0).abs()));
        Evolution {
            times: times.to_vec(),
            states,
            norm_drift: drift(&norms, norm0),
            energy_drift: drift(&energies, e0),
            norms,
            energies,
        }
    }

    /// $\psi(t)$ at one time (see [`DenseHamiltonian::evolve`]).
    ///
    /// # Errors
    /// As [`DenseHamiltonian::evolve`].
    pub fn propagate(&self, psi0: &[Complex64], t: f64) -> Result<Vec<Complex64>> {
        let mut e = self.evolve(psi0, &[t])?;
        Ok(e.states.pop().unwrap_or_default())
    }
}

impl Evolution {
    /// $\langle\psi(t_k)|A|\psi(t_k)\rangle$ at every time for a row-major $N\times N$ operator $A$
    /// (checked once).
    ///
    /// # Errors
    /// As [`expectation`].
    pub fn expectation(&self, op: &[Complex64]) -> Result<Vec<Complex64>> {
        let Some(first) = self.states.first() else {
            return Ok(Vec::new());
        };
        let n = first.len();
        check_matrix(n, op)?;
        if let Some(bad) = self.states.iter().find(|s| s.len() != n) {
            return Err(QuantumError::SizeMismatch {
                expected: n,
                got: bad.len(),
            });
        }
        if op.iter().all(|z| z.im == 0.0) {
            // A real operator: one batched real product per part for all times.
            let a = DMatrix::from_fn(n, n, |i, j| op[i * n + j].re);
            let (re, im) = real::split_columns(n, &self.states);
            return Ok(real::quadratic_forms(&a, &re, &im));
        }
        Ok(self.states.iter().map(|psi| expect_unchecked(op, psi)).collect())
    }
}

mod real;
#[cfg(test)]
mod tests;
