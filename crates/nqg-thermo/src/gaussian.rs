//! Exact moments of linear (Ornstein-Uhlenbeck) diffusions: the Gaussian moment ODE.
//!
//! For $dX = -A X\\,dt + \sqrt{2D}\\,dW$ in $\mathbb R^d$ ($A$ any real matrix, $D$ symmetric positive
//! semi-definite), a Gaussian initial law stays Gaussian and its mean and covariance obey
//! $$\dot m = -A m,\qquad \dot\Sigma = -A\Sigma - \Sigma A^T + 2D.$$
//! [`LinearGaussian::evolve`] integrates them with classical RK4 (the ODE is linear, so the error is
//! $O(\Delta t^4)$ with no stiffness surprise once $\Delta t\\,\\|A\\| \lesssim 1$), and
//! [`LinearGaussian::covariance_derivatives`] gives $\Sigma^{(k)}$ exactly from the ODE:
//! $\Sigma^{(1)} = -A\Sigma - \Sigma A^T + 2D$ and $\Sigma^{(k+1)} = -A\Sigma^{(k)} - \Sigma^{(k)}A^T$. This is
//! the exact engine of the two-timescale network of THEORY.md E-1 (Gaussian version), whose joint
//! density $P(t, x, q)$ is Gaussian.
//!
//! ```
//! use nqg_thermo::gaussian::LinearGaussian;
//! // 1D OU, dx = -x dt + sqrt(2 * 0.5) dW: the variance relaxes to D/a = 0.5 as 0.5 + 1.5 e^{-2t}.
//! let ou = LinearGaussian::new(1, vec![1.0], vec![0.5]).unwrap();
//! let (_, cov) = ou.evolve(&[0.0], &[2.0], 1.0, 1e-3).unwrap();
//! assert!((cov[0] - (0.5 + 1.5 * (-2.0f64).exp())).abs() < 1e-12);
//! ```

use crate::error::{Result, ThermoError, check_dt, check_len};

/// A linear diffusion $dX = -AX\\,dt + \sqrt{2D}\\,dW$ (row-major $d\times d$ matrices).
#[derive(Debug, Clone, PartialEq)]
pub struct LinearGaussian {
    dim: usize,
    a: Vec<f64>,
    d: Vec<f64>,
}

fn mat_mul(n: usize, x: &[f64], y: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            let xik = x[i * n + k];
            for j in 0..n {
                out[i * n + j] += xik * y[k * n + j];
            }
        }
    }
    out
}

impl LinearGaussian {
    /// The diffusion with drift matrix `a` and diffusion matrix `d` in dimension `dim`.
    ///
    /// # Errors
    /// Wrong lengths, a zero or huge dimension, non-finite entries, or a `d` that is not symmetric or
    /// has a negative diagonal entry.
    pub fn new(dim: usize, a: Vec<f64>, d: Vec<f64>) -> Result<Self> {
        if dim == 0 || dim > 1024 {
            return Err(ThermoError::InvalidParameter {
                name: "dim",
                value: dim as f64,
                reason: "must be in 1..=1024",
            });
        }
        check_len("drift matrix A", dim * dim, a.len())?;
        check_len("diffusion matrix D", dim * dim, d.len())?;
        if let Some(v) = a.iter().chain(&d).find(|v| !v.is_finite()) {
            return Err(ThermoError::InvalidParameter {
                name: "matrix entry",
                value: *v,
                reason: "must be finite",
            });
        }
        let scale = d
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()))
            .max(f64::MIN_POSITIVE);
        for i in 0..dim {
            if d[i * dim + i] < 0.0 {
                return Err(ThermoError::NegativeDiffusion {
                    value: d[i * dim + i],
                });
            }
            for j in 0..i {
                let asym = (d[i * dim + j] - d[j * dim + i]).abs();
                if asym > 1e-12 * scale {
                    return Err(ThermoError::InvalidParameter {
                        name: "D_ij - D_ji",
                        value: asym,
                        reason: "the diffusion matrix must be symmetric",
                    });
                }
            }
        }
        Ok(Self { dim, a, d })
    }

    /// The dimension $d$.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// $-AX - XA^T$.
    fn lyapunov(&self, x: &[f64]) -> Vec<f64> {
        let n = self.dim;
        let ax = mat_mul(n, &self.a, x);
        let mut out = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                out[i * n + j] = -ax[i * n + j] - ax[j * n + i];
            }
        }
        out
    }

    /// $\dot\Sigma = -A\Sigma - \Sigma A^T + 2D$ for a symmetric $\Sigma$.
    fn cov_rate(&self, cov: &[f64]) -> Vec<f64> {
        let mut r = self.lyapunov(cov);
        r.iter_mut().zip(&self.d).for_each(|(x, d)| *x += 2.0 * d);
        r
    }

    /// $\dot m = -Am$.
    fn mean_rate(&self, m: &[f64]) -> Vec<f64> {
        let n = self.dim;
        (0..n)
            .map(|i| -(0..n).map(|k| self.a[i * n + k] * m[k]).sum::<f64>())
            .collect()
    }

    /// Mean and covariance after time `t`, by RK4 with steps of at most `dt` (the last one shortened to
    /// land on `t`). Returns `(mean, covariance)`.
    ///
    /// # Errors
    /// Wrong lengths, a non-positive `dt`, a negative or non-finite `t`, more than $10^9$ steps, or a
    /// non-finite result (an unstable drift).
    pub fn evolve(&self, mean: &[f64], cov: &[f64], t: f64, dt: f64) -> Result<(Vec<f64>, Vec<f64>)> {
        let n = self.dim;
        check_len("mean", n, mean.len())?;
        check_len("covariance", n * n, cov.len())?;
        check_dt(dt)?;
        if !(t.is_finite() && t >= 0.0) {
            return Err(ThermoError::InvalidParameter {
                name: "t",
                value: t,
                reason: "must be finite and non-negative",
            });
        }
        let steps = (t / dt).ceil();
        if steps > 1e9 {
            return Err(ThermoError::InvalidParameter {
                name: "t / dt",
                value: steps,
                reason: "at most 1e9 steps",
            });
        }
        let steps = steps as usize;
        let h = if steps == 0 { 0.0 } else { t / steps as f64 };
        let (mut m, mut s) = (mean.to_vec(), cov.to_vec());
        let axpy =
            |x: &[f64], k: &[f64], c: f64| -> Vec<f64> { x.iter().zip(k).map(|(a, b)| a + c * b).collect() };
        for step in 0..steps {
            let k1 = self.cov_rate(&s);
            let k2 = self.cov_rate(&axpy(&s, &k1, 0.5 * h));
            let k3 = self.cov_rate(&axpy(&s, &k2, 0.5 * h));
            let k4 = self.cov_rate(&axpy(&s, &k3, h));
            for i in 0..s.len() {
                s[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
            }
            let l1 = self.mean_rate(&m);
            let l2 = self.mean_rate(&axpy(&m, &l1, 0.5 * h));
            let l3 = self.mean_rate(&axpy(&m, &l2, 0.5 * h));
            let l4 = self.mean_rate(&axpy(&m, &l3, h));
            for i in 0..n {
                m[i] += h / 6.0 * (l1[i] + 2.0 * l2[i] + 2.0 * l3[i] + l4[i]);
            }
            if !s.iter().chain(&m).all(|v| v.is_finite()) {
                return Err(ThermoError::NonFinite {
                    member: 0,
                    step,
                    t: step as f64 * h,
                });
            }
        }
        // Keep the covariance exactly symmetric.
        for i in 0..n {
            for j in 0..i {
                let v = 0.5 * (s[i * n + j] + s[j * n + i]);
                s[i * n + j] = v;
                s[j * n + i] = v;
            }
        }
        Ok((m, s))
    }

    /// The time derivatives $\Sigma^{(1)}, \dots, \Sigma^{(k)}$ of the covariance at `cov`, exactly from
    /// the moment ODE.
    ///
    /// # Errors
    /// A covariance of the wrong length.
    pub fn covariance_derivatives(&self, cov: &[f64], k: usize) -> Result<Vec<Vec<f64>>> {
        check_len("covariance", self.dim * self.dim, cov.len())?;
        let mut out: Vec<Vec<f64>> = Vec::with_capacity(k);
        for i in 0..k {
            let next = if i == 0 {
                self.cov_rate(cov)
            } else {
                self.lyapunov(&out[i - 1])
            };
            out.push(next);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_dimensional_ou_matches_the_closed_form() {
        let (a, d, s0, m0) = (0.7, 0.3, 2.0, 1.5);
        let ou = LinearGaussian::new(1, vec![a], vec![d]).unwrap();
        let t = 2.0;
        let (m, s) = ou.evolve(&[m0], &[s0], t, 1e-3).unwrap();
        let s_inf = d / a;
        assert!((s[0] - (s_inf + (s0 - s_inf) * (-2.0 * a * t).exp())).abs() < 1e-13);
        assert!((m[0] - m0 * (-a * t).exp()).abs() < 1e-13);
        let der = ou.covariance_derivatives(&s, 3).unwrap();
        // d^k/dt^k of s_inf + c e^{-2at} is (-2a)^k c e^{-2at}.
        let c = (s0 - s_inf) * (-2.0 * a * t).exp();
        for (k, dk) in der.iter().enumerate() {
            let want = (-2.0 * a).powi(k as i32 + 1) * c;
            assert!((dk[0] - want).abs() < 1e-12, "order {}", k + 1);
        }
    }

    #[test]
    fn free_diffusion_and_fourth_order() {
        // A = 0: Σ(t) = Σ0 + 2Dt exactly (RK4 is exact on a linear-in-t solution).
        let g = LinearGaussian::new(2, vec![0.0; 4], vec![0.5, 0.1, 0.1, 0.2]).unwrap();
        let (_, s) = g.evolve(&[0.0, 0.0], &[1.0, 0.0, 0.0, 1.0], 3.0, 0.1).unwrap();
        assert!((s[0] - 4.0).abs() < 1e-13 && (s[1] - 0.6).abs() < 1e-13 && (s[3] - 2.2).abs() < 1e-13);
        // A rotation-plus-decay drift: halving dt cuts the error by ~16.
        let g = LinearGaussian::new(2, vec![1.0, -2.0, 2.0, 0.5], vec![0.4, 0.0, 0.0, 0.1]).unwrap();
        let reference = g.evolve(&[1.0, 0.0], &[1.0, 0.2, 0.2, 0.5], 2.0, 1e-4).unwrap().1;
        let err = |dt: f64| {
            let s = g.evolve(&[1.0, 0.0], &[1.0, 0.2, 0.2, 0.5], 2.0, dt).unwrap().1;
            s.iter()
                .zip(&reference)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max)
        };
        let ratio = err(0.04) / err(0.02);
        assert!((ratio.log2() - 4.0).abs() < 0.3, "order {}", ratio.log2());
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert!(LinearGaussian::new(0, vec![], vec![]).is_err());
        assert!(LinearGaussian::new(2, vec![0.0; 3], vec![0.0; 4]).is_err());
        assert!(LinearGaussian::new(1, vec![f64::NAN], vec![1.0]).is_err());
        assert!(LinearGaussian::new(1, vec![1.0], vec![-1.0]).is_err());
        assert!(LinearGaussian::new(2, vec![0.0; 4], vec![1.0, 0.5, 0.0, 1.0]).is_err());
        let g = LinearGaussian::new(1, vec![1.0], vec![1.0]).unwrap();
        assert!(g.evolve(&[0.0], &[1.0], 1.0, 0.0).is_err());
        assert!(g.evolve(&[0.0], &[1.0], -1.0, 0.1).is_err());
        assert!(g.evolve(&[0.0, 1.0], &[1.0], 1.0, 0.1).is_err());
        assert!(g.evolve(&[0.0], &[1.0], 1e12, 1e-3).is_err());
        // An unstable drift blows up: a typed error, not NaN returned as success.
        let bad = LinearGaussian::new(1, vec![-1e3], vec![1.0]).unwrap();
        assert!(matches!(
            bad.evolve(&[1.0], &[1.0], 10.0, 0.01),
            Err(ThermoError::NonFinite { .. })
        ));
        assert!(g.covariance_derivatives(&[1.0, 2.0], 2).is_err());
    }
}
