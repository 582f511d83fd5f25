//! The real-symmetric fast path of [`super::DenseHamiltonian`]: when every entry of $H$ is real (the
//! oscillator in the Fock basis, tight-binding chains, spin chains in the $z$ basis) the eigenvectors
//! can be chosen real, $H = V\Lambda V^{\mathsf T}$, and every dense product of the propagation is a
//! real matrix times the real and imaginary parts of a complex vector. All output times are batched
//! into one matrix–matrix product per quantity,
//! $$\Psi = V\\,C(t), \qquad C_{kj} = e^{-i\lambda_k t_j}\\,(V^{\mathsf T}\psi_0)_k,$$
//! and $H\Psi$ likewise, so the norm $\\|\psi(t_j)\\|^2$ and the energy $\langle\psi(t_j)|H|\psi(t_j)\rangle$
//! are still measured on the propagated states (not taken from the eigenbasis, where they would be
//! conserved by construction).

use nalgebra::{DMatrix, DVector, SymmetricEigen};
use num_complex::Complex64;

/// The real matrix, its eigenvalues and real orthogonal eigenvectors.
#[derive(Debug, Clone)]
pub(super) struct RealEig {
    pub(super) h: DMatrix<f64>,
    pub(super) values: DVector<f64>,
    pub(super) vectors: DMatrix<f64>,
}

/// The decomposition if every entry of the (already symmetrised) row-major `h` is real.
pub(super) fn real_eig(n: usize, h: &[Complex64]) -> Option<RealEig> {
    if h.iter().any(|z| z.im != 0.0) {
        return None;
    }
    let m = DMatrix::from_fn(n, n, |i, j| 0.5 * (h[i * n + j].re + h[j * n + i].re));
    let eig = SymmetricEigen::new(m.clone());
    Some(RealEig {
        h: m,
        values: eig.eigenvalues,
        vectors: eig.eigenvectors,
    })
}

/// The real and imaginary parts of `states` as the columns of two $N\times T$ matrices.
pub(super) fn split_columns(n: usize, states: &[Vec<Complex64>]) -> (DMatrix<f64>, DMatrix<f64>) {
    let re = DMatrix::from_fn(n, states.len(), |i, j| states[j][i].re);
    let im = DMatrix::from_fn(n, states.len(), |i, j| states[j][i].im);
    (re, im)
}

/// $\langle\psi_j|A|\psi_j\rangle$ for every column $\psi_j = x_j + iy_j$ of the pair, real symmetric or
/// not: $\sum_i (x_i - iy_i)\big((Ax)_i + i(Ay)_i\big)$.
pub(super) fn quadratic_forms(a: &DMatrix<f64>, re: &DMatrix<f64>, im: &DMatrix<f64>) -> Vec<Complex64> {
    let (ar, ai) = (a * re, a * im);
    (0..re.ncols())
        .map(|j| {
            let (x, y) = (re.column(j), im.column(j));
            let (ax, ay) = (ar.column(j), ai.column(j));
            Complex64::new(x.dot(&ax) + y.dot(&ay), x.dot(&ay) - y.dot(&ax))
        })
        .collect()
}

/// $\psi(t_j) = V e^{-i\Lambda t_j} V^{\mathsf T}\psi_0$ for all `times` at once: the states as the
/// real and imaginary column matrices.
pub(super) fn propagate_all(r: &RealEig, psi0: &[Complex64], times: &[f64]) -> (DMatrix<f64>, DMatrix<f64>) {
    let n = psi0.len();
    let p_re = DVector::from_iterator(n, psi0.iter().map(|z| z.re));
    let p_im = DVector::from_iterator(n, psi0.iter().map(|z| z.im));
    let (c_re, c_im) = (r.vectors.tr_mul(&p_re), r.vectors.tr_mul(&p_im));
    let mut cr = DMatrix::zeros(n, times.len());
    let mut ci = DMatrix::zeros(n, times.len());
    for (j, &t) in times.iter().enumerate() {
        for k in 0..n {
            let z = Complex64::new(c_re[k], c_im[k]) * Complex64::from_polar(1.0, -r.values[k] * t);
            cr[(k, j)] = z.re;
            ci[(k, j)] = z.im;
        }
    }
    (&r.vectors * cr, &r.vectors * ci)
}
