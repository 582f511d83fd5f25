//! The fast/slow structure for a linear network with quadratic loss: the exact Gaussian ensemble.
//!
//! For $f(y) = y$ and $H = \tfrac12 (x - \hat w x - b)^T \hat m (x - \hat w x - b) + \tfrac\varepsilon2 |x|^2$
//! (residual weights $\hat m = \mathrm{diag}(m_i)$; $\hat m = 1$ is THEORY.md V-M1) the canonical ensemble
//! $p(x|q) = e^{-\beta H}/Z$ (N2.4) is Gaussian. With $B = 1 - \hat w$:
//!
//! * $A = B^T \hat m B + \varepsilon 1$, $c = B^T \hat m b$, mean $\mu = A^{-1} c$, covariance $A^{-1}/\beta$;
//! * $H = \tfrac12 (x-\mu)^T A (x-\mu) + \tfrac12 (b^T \hat m b - c^T \mu)$;
//! * $Z = (2\pi/\beta)^{N/2} \det A^{-1/2} e^{-\beta (b^T \hat m b - c^T\mu)/2}$ and
//!   $F = -\beta^{-1}\ln Z = -\tfrac{N}{2\beta}\ln\tfrac{2\pi}{\beta} + \tfrac1{2\beta}\ln\det A +
//!   \tfrac12 (b^T \hat m b - c^T \mu)$.
//! * N2.5, $\langle \partial H/\partial q\rangle = \partial F/\partial q$, with the Gaussian second moment
//!   $C = A^{-1}/\beta + \mu\mu^T$: $\partial F/\partial w_{ij} = -[\hat m (B C - b \mu^T)]\_{ij}$ and
//!   $\partial F/\partial b_i = -[\hat m (B\mu - b)]\_i$ ([`GaussianEnsemble::free_energy_gradient`]).
//!
//! [`GaussianEnsemble::free_energy_with`] writes $F$ once, generic over dual numbers (LU from
//! `num_dual::linalg`), so the moment formula can be checked against autodiff and finite differences.

use nalgebra::{DMatrix, DVector};
use num_dual::linalg::LU;
use num_dual::{Dual64, DualNum};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::error::{NetworkError, Result, check_finite, check_len, check_non_negative, check_positive};
use crate::network::{Activation, Network, QuadraticLoss};

/// The exact canonical ensemble of a linear network with quadratic loss.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianEnsemble {
    n: usize,
    w: DMatrix<f64>,
    b: DVector<f64>,
    m: DVector<f64>,
    epsilon: f64,
    beta: f64,
    // Derived.
    a_chol_l: DMatrix<f64>,
    mean: DVector<f64>,
}

impl GaussianEnsemble {
    /// The ensemble for weights `w` (row-major $N\times N$), bias `b`, residual weights `m`,
    /// confinement $\varepsilon \ge 0$ and inverse temperature $\beta > 0$.
    pub fn new(n: usize, w: &[f64], b: &[f64], m: &[f64], epsilon: f64, beta: f64) -> Result<Self> {
        check_len("weights (n*n)", n * n, w.len())?;
        check_len("bias", n, b.len())?;
        check_len("residual weights", n, m.len())?;
        check_finite("weights", w)?;
        check_finite("bias", b)?;
        check_finite("residual weights", m)?;
        check_non_negative("epsilon", epsilon)?;
        check_positive("beta", beta)?;
        if let Some(i) = m.iter().position(|&v| v < 0.0) {
            return Err(NetworkError::InvalidParameter {
                name: "residual weight",
                value: m[i],
                reason: "must be >= 0",
            });
        }
        let wm = DMatrix::from_row_slice(n, n, w);
        let bv = DVector::from_column_slice(b);
        let mv = DVector::from_column_slice(m);
        let bm = DMatrix::identity(n, n) - &wm;
        let a = bm.transpose() * DMatrix::from_diagonal(&mv) * &bm + DMatrix::identity(n, n) * epsilon;
        let chol = a
            .clone()
            .cholesky()
            .ok_or_else(|| NetworkError::NotPositiveDefinite {
                what: "precision A",
                value: crate::error::min_eigenvalue(&a),
            })?;
        let c = bm.transpose() * mv.component_mul(&bv);
        let mean = chol.solve(&c);
        Ok(Self {
            n,
            w: wm,
            b: bv,
            m: mv,
            epsilon,
            beta,
            a_chol_l: chol.l(),
            mean,
        })
    }

    /// The ensemble of a [`Network`] with identity activation and dense weights under a
    /// [`QuadraticLoss`] without boundary term.
    pub fn from_network<A: Activation>(net: &Network<A>, loss: &QuadraticLoss, beta: f64) -> Result<Self> {
        if !net.activation().is_identity() {
            return Err(NetworkError::Unsupported(
                "exact Gaussian ensemble needs the identity activation",
            ));
        }
        if !net.weights().is_dense() {
            return Err(NetworkError::Unsupported(
                "exact Gaussian ensemble needs dense weights",
            ));
        }
        if loss.boundary().is_some() {
            return Err(NetworkError::Unsupported(
                "exact Gaussian ensemble without boundary term",
            ));
        }
        check_len("loss size", net.n(), loss.residual_weight().len())?;
        Self::new(
            net.n(),
            net.weights().values(),
            net.bias(),
            loss.residual_weight(),
            loss.epsilon(),
            beta,
        )
    }

    /// Number of neurons.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Inverse temperature.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// Mean $\mu = A^{-1} B^T \hat m b$ of $x$.
    pub fn mean(&self) -> &DVector<f64> {
        &self.mean
    }

    /// Covariance $A^{-1}/\beta$ of $x$.
    pub fn covariance(&self) -> DMatrix<f64> {
        let l_inv = self
            .a_chol_l
            .clone()
            .try_inverse()
            .unwrap_or_else(|| DMatrix::zeros(self.n, self.n));
        l_inv.transpose() * l_inv / self.beta
    }

    /// The loss $H(x)$ at the ensemble's parameters.
    pub fn energy(&self, x: &[f64]) -> Result<f64> {
        check_len("state vector x", self.n, x.len())?;
        let xv = DVector::from_column_slice(x);
        let r = &xv - &self.w * &xv - &self.b;
        Ok(0.5 * r.component_mul(&self.m).dot(&r) + 0.5 * self.epsilon * xv.dot(&xv))
    }

    /// $\partial H/\partial w_{ij} = -[\hat m (x - \hat w x - b)]\_i x_j$, row-major.
    pub fn energy_gradient_w(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        check_len("state vector x", self.n, x.len())?;
        check_len("gradient buffer", self.n * self.n, out.len())?;
        let n = self.n;
        for i in 0..n {
            let mut r = x[i] - self.b[i];
            for j in 0..n {
                r -= self.w[(i, j)] * x[j];
            }
            let d = -self.m[i] * r;
            for j in 0..n {
                out[i * n + j] = d * x[j];
            }
        }
        Ok(())
    }

    /// Draw one exact sample $x = \mu + L^{-T} \xi/\sqrt\beta$ ($A = L L^T$, $\xi \sim N(0, 1)$).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<f64> {
        let n = self.n;
        let mut z: Vec<f64> = (0..n)
            .map(|_| {
                let z: f64 = StandardNormal.sample(rng);
                z / self.beta.sqrt()
            })
            .collect();
        // Back substitution L^T y = z.
        for i in (0..n).rev() {
            let mut s = z[i];
            for k in i + 1..n {
                s -= self.a_chol_l[(k, i)] * z[k];
            }
            z[i] = s / self.a_chol_l[(i, i)];
        }
        z.iter().zip(self.mean.iter()).map(|(a, b)| a + b).collect()
    }

    /// $\ln Z$.
    pub fn log_partition(&self) -> f64 {
        -self.beta * self.free_energy()
    }

    /// The free energy $F = -\beta^{-1}\ln Z$ (closed form via the Cholesky factor).
    pub fn free_energy(&self) -> f64 {
        let n = self.n as f64;
        let logdet: f64 = 2.0 * self.a_chol_l.diagonal().iter().map(|d| d.ln()).sum::<f64>();
        let c = self.w_free_c();
        let quad = self.b.component_mul(&self.m).dot(&self.b) - c.dot(&self.mean);
        -n / (2.0 * self.beta) * (2.0 * std::f64::consts::PI / self.beta).ln()
            + logdet / (2.0 * self.beta)
            + 0.5 * quad
    }

    fn w_free_c(&self) -> DVector<f64> {
        let bm = DMatrix::identity(self.n, self.n) - &self.w;
        bm.transpose() * self.m.component_mul(&self.b)
    }

    /// $F(\hat w, b)$ written once for any scalar (so autodiff gives $\partial F/\partial q$); `w`
    /// row-major. Errors if $A$ is singular.
    pub fn free_energy_with<D: DualNum<Primitive = f64> + Copy>(&self, w: &[D], b: &[D]) -> Result<D> {
        let n = self.n;
        check_len("weights (n*n)", n * n, w.len())?;
        check_len("bias", n, b.len())?;
        let bm = DMatrix::from_fn(n, n, |i, j| {
            let id = if i == j { 1.0 } else { 0.0 };
            D::from(id) - w[i * n + j]
        });
        let mb = DVector::from_fn(n, |i, _| b[i] * self.m[i]);
        let a = DMatrix::from_fn(n, n, |i, j| {
            let mut s = D::from(if i == j { self.epsilon } else { 0.0 });
            for k in 0..n {
                s += bm[(k, i)] * bm[(k, j)] * self.m[k];
            }
            s
        });
        let c = DVector::from_fn(n, |i, _| {
            let mut s = D::from(0.0);
            for k in 0..n {
                s += bm[(k, i)] * mb[k];
            }
            s
        });
        let det = a.map(|v| v.re()).determinant();
        let lu = LU::new(a).map_err(|_| NetworkError::Singular {
            what: "precision A",
            value: det,
        })?;
        let mu = lu.solve(&c);
        let det = lu.determinant();
        let mut quad = D::from(0.0);
        for i in 0..n {
            quad += b[i] * mb[i] - c[i] * mu[i];
        }
        let beta = self.beta;
        Ok(
            D::from(-(n as f64) / (2.0 * beta) * (2.0 * std::f64::consts::PI / beta).ln())
                + det.ln() / (2.0 * beta)
                + quad * 0.5,
        )
    }

    /// Analytic $(\partial F/\partial \hat w$ row-major$, \partial F/\partial b)$ from the Gaussian
    /// moments (N2.5).
    pub fn free_energy_gradient(&self) -> (Vec<f64>, Vec<f64>) {
        let n = self.n;
        let c2 = self.covariance() + &self.mean * self.mean.transpose();
        let bm = DMatrix::identity(n, n) - &self.w;
        let g = bm * c2 - &self.b * self.mean.transpose();
        let mut gw = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                gw[i * n + j] = -self.m[i] * g[(i, j)];
            }
        }
        let bm = DMatrix::identity(n, n) - &self.w;
        let r = bm * &self.mean - &self.b;
        let gb = (0..n).map(|i| -self.m[i] * r[i]).collect();
        (gw, gb)
    }

    /// $\partial F/\partial w_{ij}$ by forward-mode autodiff of [`GaussianEnsemble::free_energy_with`].
    pub fn free_energy_gradient_autodiff(&self) -> Result<Vec<f64>> {
        let n = self.n;
        let w: Vec<Dual64> = self.w.transpose().iter().map(|&v| Dual64::from(v)).collect();
        let b: Vec<Dual64> = self.b.iter().map(|&v| Dual64::from(v)).collect();
        (0..n * n)
            .map(|k| {
                let mut wk = w.clone();
                wk[k].eps = 1.0;
                Ok(self.free_energy_with(&wk, &b)?.eps)
            })
            .collect()
    }

    /// The weights, row-major.
    pub fn weights_row_major(&self) -> Vec<f64> {
        self.w.transpose().iter().copied().collect()
    }

    /// The bias.
    pub fn bias(&self) -> Vec<f64> {
        self.b.iter().copied().collect()
    }

    /// The same ensemble with other weights (row-major) and bias.
    pub fn with_params(&self, w: &[f64], b: &[f64]) -> Result<Self> {
        let m: Vec<f64> = self.m.iter().copied().collect();
        Self::new(self.n, w, b, &m, self.epsilon, self.beta)
    }
}
