//! Pre-factorised tridiagonal and cyclic-tridiagonal solvers (Thomas algorithm, Sherman-Morrison).
//!
//! For $M = \mathrm{tridiag}(l, d, u)$ the factorisation stores $c'_i = u_i/(d_i - l_i c'_{i-1})$ and the
//! inverse pivots, so each solve is $O(n)$ with no divisions. The cyclic case (corners $M_{0,n-1} = \beta$,
//! $M_{n-1,0} = \alpha$) uses the Sherman-Morrison correction of Numerical Recipes §2.7 with the
//! correction vector solved once at factorisation.

use crate::error::{Result, ThermoError};

/// A factorised tridiagonal matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Tridiag {
    lower: Vec<f64>,
    cp: Vec<f64>,
    inv: Vec<f64>,
}

impl Tridiag {
    /// Factorise $\mathrm{tridiag}(l, d, u)$ (`lower[0]` and `upper[n-1]` are ignored).
    ///
    /// # Errors
    /// [`ThermoError::Singular`] on a zero or non-finite pivot; mismatched lengths.
    pub fn new(lower: &[f64], diag: &[f64], upper: &[f64]) -> Result<Self> {
        let n = diag.len();
        crate::error::check_len("lower", n, lower.len())?;
        crate::error::check_len("upper", n, upper.len())?;
        let mut cp = vec![0.0; n];
        let mut inv = vec![0.0; n];
        for i in 0..n {
            let den = if i == 0 {
                diag[0]
            } else {
                diag[i] - lower[i] * cp[i - 1]
            };
            if den == 0.0 || !den.is_finite() {
                return Err(ThermoError::Singular("zero pivot in tridiagonal solve"));
            }
            inv[i] = 1.0 / den;
            cp[i] = if i + 1 < n { upper[i] * inv[i] } else { 0.0 };
        }
        Ok(Self {
            lower: lower.to_vec(),
            cp,
            inv,
        })
    }

    /// Solve in place: `x` holds the right-hand side on entry and the solution on exit.
    #[inline]
    pub fn solve(&self, x: &mut [f64]) {
        let n = x.len();
        if n == 0 {
            return;
        }
        x[0] *= self.inv[0];
        for i in 1..n {
            x[i] = (x[i] - self.lower[i] * x[i - 1]) * self.inv[i];
        }
        for i in (0..n - 1).rev() {
            x[i] -= self.cp[i] * x[i + 1];
        }
    }
}

/// A factorised cyclic tridiagonal matrix (periodic boundaries).
#[derive(Debug, Clone, PartialEq)]
pub struct CyclicTridiag {
    t: Tridiag,
    z: Vec<f64>,
    gamma: f64,
    beta: f64,
}

impl CyclicTridiag {
    /// Factorise the matrix with tridiagonal part $(l, d, u)$ and corners `top_right` $= M_{0,n-1}$,
    /// `bottom_left` $= M_{n-1,0}$ ($n \ge 3$).
    ///
    /// # Errors
    /// Singular matrix or $n < 3$.
    pub fn new(lower: &[f64], diag: &[f64], upper: &[f64], top_right: f64, bottom_left: f64) -> Result<Self> {
        let n = diag.len();
        if n < 3 {
            return Err(ThermoError::TooFewSamples { needed: 3, got: n });
        }
        let gamma = -diag[0];
        let mut dd = diag.to_vec();
        dd[0] -= gamma;
        dd[n - 1] -= bottom_left * top_right / gamma;
        let t = Tridiag::new(lower, &dd, upper)?;
        let mut z = vec![0.0; n];
        z[0] = gamma;
        z[n - 1] = bottom_left;
        t.solve(&mut z);
        let den = 1.0 + z[0] + top_right * z[n - 1] / gamma;
        if den == 0.0 || !den.is_finite() {
            return Err(ThermoError::Singular("cyclic tridiagonal matrix is singular"));
        }
        Ok(Self {
            t,
            z,
            gamma,
            beta: top_right,
        })
    }

    /// Solve in place.
    #[inline]
    pub fn solve(&self, x: &mut [f64]) {
        let n = x.len();
        self.t.solve(x);
        let z = &self.z;
        let fact =
            (x[0] + self.beta * x[n - 1] / self.gamma) / (1.0 + z[0] + self.beta * z[n - 1] / self.gamma);
        for i in 0..n {
            x[i] -= fact * z[i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_match_matvec() {
        let n = 7;
        let l: Vec<f64> = (0..n).map(|i| -1.0 - 0.1 * i as f64).collect();
        let u: Vec<f64> = (0..n).map(|i| -0.5 + 0.05 * i as f64).collect();
        let d: Vec<f64> = (0..n).map(|i| 4.0 + i as f64).collect();
        let xs: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        let mv = |x: &[f64], tr: f64, bl: f64| -> Vec<f64> {
            (0..n)
                .map(|i| {
                    let mut s = d[i] * x[i];
                    if i > 0 {
                        s += l[i] * x[i - 1]
                    } else {
                        s += tr * x[n - 1]
                    }
                    if i + 1 < n {
                        s += u[i] * x[i + 1]
                    } else {
                        s += bl * x[0]
                    }
                    s
                })
                .collect()
        };
        let mut r = mv(&xs, 0.0, 0.0);
        Tridiag::new(&l, &d, &u).unwrap().solve(&mut r);
        // Well-conditioned (diagonally dominant) 7x7 system: round-off only.
        assert!(r.iter().zip(&xs).all(|(a, b)| (a - b).abs() < 1e-14));
        let mut r = mv(&xs, 0.3, -0.7);
        CyclicTridiag::new(&l, &d, &u, 0.3, -0.7).unwrap().solve(&mut r);
        assert!(r.iter().zip(&xs).all(|(a, b)| (a - b).abs() < 1e-14));
        assert!(Tridiag::new(&[0.0], &[0.0], &[0.0]).is_err());
    }
}
