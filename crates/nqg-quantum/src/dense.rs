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
    values: DVector<f64>,
    kind: Kind,
}

/// The decomposition: real orthogonal when every entry of $H$ is real, unitary otherwise.
#[derive(Debug, Clone)]
enum Kind {
    Real(real::RealEig),
    Complex {
        h: DMatrix<Complex64>,
        vectors: DMatrix<Complex64>,
    },
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

/// The Hermitian check of [`DenseHamiltonian::new`]: the worst $|H_{ij} - \overline{H_{ji}}|$ (`asym`)
/// against [`HERMITIAN_TOL`] $\max(1, \max|H|)$ (`abs`).
fn check_hermitian(
    n: usize,
    h: &[Complex64],
    abs: impl Fn(&Complex64) -> f64,
    asym: impl Fn(&Complex64, &Complex64) -> f64,
) -> Result<()> {
    let scale = h.iter().fold(1.0f64, |m, z| m.max(abs(z)));
    let mut worst = (0, 0, 0.0f64);
    for i in 0..n {
        for j in i..n {
            let d = asym(&h[i * n + j], &h[j * n + i]);
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
    Ok(())
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
        if h.iter().all(|z| z.im == 0.0) {
            // Real entries: the same checks on the real parts (|z| = |Re z| here), then the real path.
            check_hermitian(n, h, |z| z.re.abs(), |a, b| (a.re - b.re).abs())?;
            let r = real::real_eig(n, h);
            return Ok(Self {
                n,
                values: r.values.clone(),
                kind: Kind::Real(r),
            });
        }
        check_hermitian(n, h, |z| z.norm(), |a, b| (a - b.conj()).norm())?;
        let m = DMatrix::from_row_slice(n, n, h);
        // Symmetrise exactly (the check above bounds what this changes).
        let m = (&m + m.adjoint()) * Complex64::new(0.5, 0.0);
        let eig = SymmetricEigen::new(m.clone());
        Ok(Self {
            n,
            values: eig.eigenvalues,
            kind: Kind::Complex {
                h: m,
                vectors: eig.eigenvectors,
            },
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
        Ok(self.energy_unchecked(psi))
    }

    fn energy_unchecked(&self, psi: &[Complex64]) -> f64 {
        match &self.kind {
            Kind::Real(r) => r.h.quadratic_forms(&real::split_columns(self.n, &[psi.to_vec()]))[0].0,
            Kind::Complex { h, .. } => {
                let v = DVector::from_column_slice(psi);
                v.dotc(&(h * &v)).re
            }
        }
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
        let norm0: f64 = psi0.iter().map(|z| z.norm_sqr()).sum();
        let e0 = self.energy_unchecked(psi0);
        let (h, vectors) = match &self.kind {
            Kind::Real(r) => return Ok(Self::evolve_real(r, psi0, times, norm0, e0)),
            Kind::Complex { h, vectors } => (h, vectors),
        };
        let v0 = DVector::from_column_slice(psi0);
        let c = vectors.adjoint() * &v0;
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
            let psi = vectors * &ct;
            let (norm, energy) = (psi.norm_squared(), psi.dotc(&(h * &psi)).re);
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
        let (norms, energies, states) = real::propagate_banded(r, psi0, times).unwrap_or_else(|| {
            let psi = real::propagate_all(r, psi0, times);
            let energies = r.h.quadratic_forms(&psi).iter().map(|z| z.0).collect();
            (real::norms(&psi), energies, real::join_columns(&psi))
        });
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
            let a = sparse::RealOp::new(DMatrix::from_fn(n, n, |i, j| op[i * n + j].re));
            if a.is_banded() {
                let mut apsi = vec![Complex64::new(0.0, 0.0); n];
                let forms = self.states.iter().map(|psi| {
                    a.apply_banded(psi, &mut apsi);
                    sparse::form_complex(psi, &apsi)
                });
                return Ok(forms.collect());
            }
            let forms = a.quadratic_forms(&real::split_columns(n, &self.states));
            return Ok(forms.into_iter().map(|(re, im)| Complex64::new(re, im)).collect());
        }
        Ok(self.states.iter().map(|psi| expect_unchecked(op, psi)).collect())
    }
}

mod phases;
mod real;
mod sparse;
#[cfg(test)]
mod tests;
