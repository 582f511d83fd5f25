//! A real square matrix used in batched products, stored by its diagonals when it is banded.
//!
//! Operators in a finite basis are often banded (the oscillator's $H = a^\dagger a + \tfrac12$ is
//! diagonal in the Fock basis, $x = (a + a^\dagger)/\sqrt2$ tridiagonal, tight-binding chains
//! tridiagonal; the eigenvectors of a diagonal $H$ are the unit vectors). With bandwidth $b$
//! ($A_{ij} = 0$ for $|i - j| > b$),
//! $$(Ax)_i = \sum_{d=-b}^{b} A_{i,i+d}\\,x_{i+d},$$
//! so a product with $T$ columns costs $(2b+1)NT$ multiply-adds in contiguous, vectorisable runs
//! instead of $N^2T$. The terms of a row are added in ascending column order, as in a dense row sum.

use nalgebra::DMatrix;
use num_complex::Complex64;

/// The banded product is used for $2b + 1 \le N/4$ diagonals: a dense product runs at several
/// multiply-adds per cycle (matrixmultiply's packed SIMD kernel), a diagonal pass at about one to two.
const BAND_FRACTION: usize = 4;

/// A real $N\times N$ matrix, dense, plus its diagonals when it is banded narrowly enough.
#[derive(Debug, Clone)]
pub(super) struct RealOp {
    pub(super) dense: DMatrix<f64>,
    band: Option<Band>,
}

/// Diagonals $d = -b..=b$: `diag[d + b][i]` $= A_{i,i+d}$ (zero where $i + d$ is outside).
#[derive(Debug, Clone)]
struct Band {
    b: usize,
    diag: Vec<Vec<f64>>,
}

impl Band {
    /// `out = A x` for one column, real or complex (a real $A$ acts on both parts alike).
    fn apply<T>(&self, x: &[T], out: &mut [T])
    where
        T: Copy + Default + std::ops::AddAssign + std::ops::Mul<f64, Output = T>,
    {
        let n = x.len();
        out.iter_mut().for_each(|o| *o = T::default());
        for (k, dg) in self.diag.iter().enumerate() {
            // d = k - b: rows i with 0 <= i + d < n.
            let (lo, shift_up) = if k < self.b {
                (self.b - k, false)
            } else {
                (k - self.b, true)
            };
            if lo >= n {
                continue;
            }
            let m = n - lo;
            let (o, a, xs) = if shift_up {
                (&mut out[..m], &dg[..m], &x[lo..])
            } else {
                (&mut out[lo..], &dg[lo..], &x[..m])
            };
            for ((o, a), x) in o.iter_mut().zip(a).zip(xs) {
                *o += *x * *a;
            }
        }
    }
}

/// $\sum_i (x_i - iy_i)(a_i + ib_i)$ as (real, imaginary) parts.
fn form(x: &[f64], y: &[f64], a: &[f64], b: &[f64]) -> (f64, f64) {
    let (mut re, mut im) = (0.0, 0.0);
    for i in 0..x.len() {
        re += x[i] * a[i] + y[i] * b[i];
        im += x[i] * b[i] - y[i] * a[i];
    }
    (re, im)
}

/// $\langle\psi|A\psi\rangle = \sum_i \overline{\psi_i}(A\psi)_i$ with the same operations as [`form`].
pub(super) fn form_complex(psi: &[Complex64], apsi: &[Complex64]) -> Complex64 {
    let (mut re, mut im) = (0.0, 0.0);
    for (p, a) in psi.iter().zip(apsi) {
        re += p.re * a.re + p.im * a.im;
        im += p.re * a.im - p.im * a.re;
    }
    Complex64::new(re, im)
}

/// Column `j` of a column-major matrix.
fn col(m: &DMatrix<f64>, j: usize) -> &[f64] {
    let n = m.nrows();
    &m.as_slice()[j * n..(j + 1) * n]
}

impl RealOp {
    /// Wrap the square `dense`, keeping its diagonals if it is banded narrowly enough.
    pub(super) fn new(dense: DMatrix<f64>) -> Self {
        let n = dense.nrows();
        let mut b = 0;
        for ((i, j), v) in (0..n).flat_map(|j| (0..n).map(move |i| (i, j))).zip(dense.iter()) {
            if *v != 0.0 {
                b = b.max(i.abs_diff(j));
            }
        }
        let band = ((2 * b + 1) * BAND_FRACTION <= n).then(|| Band {
            b,
            diag: (0..=2 * b)
                .map(|k| {
                    (0..n)
                        .map(|i| match (i + k).checked_sub(b) {
                            Some(j) if j < n => dense[(i, j)],
                            _ => 0.0,
                        })
                        .collect()
                })
                .collect(),
        });
        Self { dense, band }
    }

    /// `out` $= A\psi$ for one complex vector, by the diagonals; `false` (and `out` untouched) if $A$
    /// is not banded.
    pub(super) fn apply_banded(&self, psi: &[Complex64], out: &mut [Complex64]) -> bool {
        match &self.band {
            Some(band) => {
                band.apply(psi, out);
                true
            }
            None => false,
        }
    }

    /// Whether $A$ is kept by its diagonals.
    pub(super) fn is_banded(&self) -> bool {
        self.band.is_some()
    }

    /// $A X$ for a matrix $X$ with $N$ rows.
    pub(super) fn mul(&self, x: &DMatrix<f64>) -> DMatrix<f64> {
        let Some(band) = &self.band else {
            return &self.dense * x;
        };
        let n = self.dense.nrows();
        let mut out = DMatrix::zeros(n, x.ncols());
        let cols = x.as_slice().chunks_exact(n.max(1));
        for (xc, oc) in cols.zip(out.as_mut_slice().chunks_exact_mut(n.max(1))) {
            band.apply(xc, oc);
        }
        out
    }

    /// $\langle\psi_j|A|\psi_j\rangle = \sum_i (x_i - iy_i)\big((Ax)_i + i(Ay)_i\big)$ for every column
    /// pair $\psi_j = x_j + iy_j$, where `psi` holds the $T$ real parts in columns $0..T$ and the
    /// imaginary parts in columns $T..2T$; returned as (real, imaginary) parts.
    pub(super) fn quadratic_forms(&self, psi: &DMatrix<f64>) -> Vec<(f64, f64)> {
        let (n, t) = (psi.nrows(), psi.ncols() / 2);
        match &self.band {
            Some(band) => {
                let (mut ax, mut ay) = (vec![0.0; n], vec![0.0; n]);
                (0..t)
                    .map(|j| {
                        let (x, y) = (col(psi, j), col(psi, t + j));
                        band.apply(x, &mut ax);
                        band.apply(y, &mut ay);
                        form(x, y, &ax, &ay)
                    })
                    .collect()
            }
            None => {
                let apsi = &self.dense * psi;
                (0..t)
                    .map(|j| form(col(psi, j), col(psi, t + j), col(&apsi, j), col(&apsi, t + j)))
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The banded product and quadratic forms equal the dense ones up to the order of the
    /// additions: a few ulps of the row sums of $|A||X|$ (entries here are $O(1)$, rows of $\le 3$
    /// terms and $N = 40$ terms per form), so $10^{-13}$.
    #[test]
    fn sparse_products_match_dense() {
        let n = 40;
        let tri = DMatrix::from_fn(n, n, |i, j| match i.abs_diff(j) {
            0 => 2.0 + i as f64 * 0.1,
            1 => -((i + j) as f64).sqrt(),
            _ => 0.0,
        });
        let x = DMatrix::from_fn(n, 14, |i, j| ((i * 3 + j * 7) as f64 * 0.3).sin());
        let s = RealOp::new(tri.clone());
        let d = RealOp::new(DMatrix::from_fn(n, n, |i, j| tri[(i, j)] + 1e-3));
        assert!(s.is_banded() && !d.is_banded());
        // One entry far off the diagonal widens the band beyond N/4 (dense path).
        let mut wide = tri.clone();
        wide[(0, 9)] = 1.0;
        assert!(!RealOp::new(wide).is_banded());
        // Diagonal (b = 0) and a band with an empty row at the edge.
        let diag = DMatrix::from_fn(n, n, |i, j| if i == j { i as f64 - 3.5 } else { 0.0 });
        assert!((RealOp::new(diag.clone()).mul(&x) - &diag * &x).abs().max() < 1e-13);
        let exact = &tri * &x;
        assert!((s.mul(&x) - exact).abs().max() < 1e-13);
        let full = RealOp {
            dense: tri.clone(),
            band: None,
        };
        for (a, b) in s.quadratic_forms(&x).iter().zip(full.quadratic_forms(&x)) {
            assert!(
                (a.0 - b.0).abs() < 1e-13 && (a.1 - b.1).abs() < 1e-13,
                "{a:?} {b:?}"
            );
        }
        // A symmetric A gives real forms: the imaginary part is x·Ay − y·Ax = 0 up to round-off.
        assert!(s.quadratic_forms(&x).iter().all(|q| q.1.abs() < 1e-13));
    }
}
