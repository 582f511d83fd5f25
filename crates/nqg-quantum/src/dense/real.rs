//! The real-symmetric fast path of [`super::DenseHamiltonian`]: when every entry of $H$ is real (the
//! oscillator in the Fock basis, tight-binding chains, spin chains in the $z$ basis) the eigenvectors
//! can be chosen real, $H = V\Lambda V^{\mathsf T}$, and every dense product of the propagation is a
//! real matrix times the real and imaginary parts of a complex vector. All output times are batched
//! into one matrix–matrix product per quantity,
//! $$\Psi = V\\,C, \qquad C_{kj} = e^{-i\lambda_k t_j}\\,(V^{\mathsf T}\psi_0)_k,$$
//! with $\Psi$ stored as one real $N\times 2T$ matrix (the real parts of the $T$ states, then their
//! imaginary parts), and $H\Psi$ likewise, so the norm $\\|\psi(t_j)\\|^2$ and the energy
//! $\langle\psi(t_j)|H|\psi(t_j)\rangle$ are still measured on the propagated states (not taken from
//! the eigenbasis, where they would be conserved by construction). Banded $H$, $V$ and observables are
//! multiplied by their diagonals ([`super::sparse`]), and the phases come from [`super::phases`].

use nalgebra::{DMatrix, DVector, SymmetricEigen};
use num_complex::Complex64;

use super::phases;
use super::sparse::{RealOp, form_complex};

/// The real matrix, its eigenvalues and real orthogonal eigenvectors.
#[derive(Debug, Clone)]
pub(super) struct RealEig {
    pub(super) h: RealOp,
    pub(super) values: DVector<f64>,
    pub(super) vectors: RealOp,
}

/// The decomposition of the symmetric part $\tfrac12(H + H^{\mathsf T})$ of the row-major real `h`.
pub(super) fn real_eig(n: usize, h: &[Complex64]) -> RealEig {
    let m = DMatrix::from_fn(n, n, |i, j| 0.5 * (h[i * n + j].re + h[j * n + i].re));
    let eig = SymmetricEigen::new(m.clone());
    RealEig {
        h: RealOp::new(m),
        values: eig.eigenvalues,
        vectors: RealOp::new(eig.eigenvectors),
    }
}

/// The $T$ `states` as one $N\times 2T$ matrix: real parts in columns $0..T$, imaginary in $T..2T$.
pub(super) fn split_columns(n: usize, states: &[Vec<Complex64>]) -> DMatrix<f64> {
    let t = states.len();
    DMatrix::from_fn(n, 2 * t, |i, j| {
        if j < t {
            states[j][i].re
        } else {
            states[j - t][i].im
        }
    })
}

/// The columns of [`split_columns`]' layout back as complex state vectors.
pub(super) fn join_columns(psi: &DMatrix<f64>) -> Vec<Vec<Complex64>> {
    let (n, t) = (psi.nrows(), psi.ncols() / 2);
    let s = psi.as_slice();
    (0..t)
        .map(|j| {
            let (x, y) = (&s[j * n..(j + 1) * n], &s[(t + j) * n..(t + j + 1) * n]);
            x.iter().zip(y).map(|(a, b)| Complex64::new(*a, *b)).collect()
        })
        .collect()
}

/// $\\|\psi_j\\|^2$ for every state of the [`split_columns`] layout.
pub(super) fn norms(psi: &DMatrix<f64>) -> Vec<f64> {
    let (n, t) = (psi.nrows(), psi.ncols() / 2);
    let s = psi.as_slice();
    let sq = |c: &[f64]| c.iter().map(|v| v * v).sum::<f64>();
    (0..t)
        .map(|j| sq(&s[j * n..(j + 1) * n]) + sq(&s[(t + j) * n..(t + j + 1) * n]))
        .collect()
}

/// $\psi(t_j) = V e^{-i\Lambda t_j} V^{\mathsf T}\psi_0$ for all `times` at once, in the
/// [`split_columns`] layout.
pub(super) fn propagate_all(r: &RealEig, psi0: &[Complex64], times: &[f64]) -> DMatrix<f64> {
    let (n, t) = (psi0.len(), times.len());
    let c = coefficients(&r.vectors.dense, psi0);
    let mut cm = DMatrix::zeros(n, 2 * t);
    let s = cm.as_mut_slice();
    phases::for_each_time(r.values.as_slice(), times, |j, z| {
        let (re, im) = s.split_at_mut(t * n);
        let (re, im) = (&mut re[j * n..(j + 1) * n], &mut im[j * n..(j + 1) * n]);
        for (((a, b), ck), zk) in re.iter_mut().zip(im).zip(&c).zip(z) {
            let w = ck * zk;
            (*a, *b) = (w.re, w.im);
        }
    });
    r.vectors.mul(&cm)
}

/// Norms, energies and states of [`propagate_all`] one time at a time when $V$ and $H$ are banded:
/// $\psi(t_j) = V(c \odot e^{-i\lambda t_j})$ and $H\psi(t_j)$ by their diagonals, with no $N\times 2T$
/// intermediate matrices. `None` if either is not banded.
#[allow(clippy::type_complexity)]
pub(super) fn propagate_banded(
    r: &RealEig,
    psi0: &[Complex64],
    times: &[f64],
) -> Option<(Vec<f64>, Vec<f64>, Vec<Vec<Complex64>>)> {
    if !(r.vectors.is_banded() && r.h.is_banded()) {
        return None;
    }
    let (n, t) = (psi0.len(), times.len());
    let c = coefficients(&r.vectors.dense, psi0);
    let (mut norms, mut energies, mut states) = (
        Vec::with_capacity(t),
        Vec::with_capacity(t),
        Vec::with_capacity(t),
    );
    let (mut cz, mut hpsi) = (
        vec![Complex64::new(0.0, 0.0); n],
        vec![Complex64::new(0.0, 0.0); n],
    );
    phases::for_each_time(r.values.as_slice(), times, |_, z| {
        for ((o, ck), zk) in cz.iter_mut().zip(&c).zip(z) {
            *o = ck * zk;
        }
        let mut psi = vec![Complex64::new(0.0, 0.0); n];
        r.vectors.apply_banded(&cz, &mut psi);
        r.h.apply_banded(&psi, &mut hpsi);
        norms.push(psi.iter().map(|z| z.re * z.re + z.im * z.im).sum());
        energies.push(form_complex(&psi, &hpsi).re);
        states.push(psi);
    });
    Some((norms, energies, states))
}

/// $c = V^{\mathsf T}\psi_0$ (real and imaginary parts transformed alike).
fn coefficients(v: &DMatrix<f64>, psi0: &[Complex64]) -> Vec<Complex64> {
    let n = psi0.len();
    let p_re = DVector::from_iterator(n, psi0.iter().map(|z| z.re));
    let p_im = DVector::from_iterator(n, psi0.iter().map(|z| z.im));
    v.tr_mul(&p_re)
        .iter()
        .zip(v.tr_mul(&p_im).iter())
        .map(|(a, b)| Complex64::new(*a, *b))
        .collect()
}
