//! Entropy estimators: grid (Shannon), Gaussian (from a covariance), Kozachenko-Leonenko
//! $k$-nearest-neighbour (from samples) and the Kullback-Leibler divergence on a grid.
//!
//! * Shannon, differential, on cells of volume $\Delta V$: $S = -\Delta V\sum_i p_i \ln p_i$.
//! * Gaussian: $S = \tfrac12 \ln\big((2\pi e)^d \det\Sigma\big)$.
//! * Kozachenko-Leonenko in the bias-corrected (Kraskov) form: with $\varepsilon_i$ the distance from
//!   sample $i$ to its $k$-th neighbour and $V_d = \pi^{d/2}/\Gamma(d/2+1)$,
//!   $\hat S = \psi(N) - \psi(k) + \ln V_d + \frac dN \sum_i \ln\varepsilon_i$. The error estimate is the
//!   standard error of the mean of the terms $d\ln\varepsilon_i$, $\sqrt{\mathrm{Var}(d\ln\varepsilon)/N}$.
//!   The weighted form $\sum_k w_k \hat S_k$ (Berrett-Samworth-Yuan) removes the $O((k/N)^{2/d})$ bias
//!   that dominates the error for $d \ge 4$.
//! * KL divergence: $D(p\\|q) = \Delta V\sum_i (p_i \ln(p_i/q_i) - p_i + q_i) \ge 0$ (termwise).
//!
//! These measure the $S$ of THEORY.md N2.8 from a density or from an ensemble.

use rayon::prelude::*;

use crate::error::{Result, ThermoError, check_len};

/// Digamma $\psi(x)$ for $x > 0$ (recurrence to $x \ge 10$, then the asymptotic series; error < 1e-13).
/// Returns NaN for $x \le 0$ or non-finite $x$ ($+\infty$ for $x = +\infty$).
pub fn digamma(mut x: f64) -> f64 {
    if x == f64::INFINITY {
        return x;
    }
    if !(x > 0.0 && x.is_finite()) {
        return f64::NAN;
    }
    let mut r = 0.0;
    while x < 10.0 {
        r -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + x.ln()
        - 0.5 / x
        - f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f / 132.0))))
}

/// $\ln\Gamma(x)$ for $x > 0$ (recurrence to $x \ge 10$, then Stirling's series; error < 1e-13).
/// Returns NaN for $x \le 0$ or NaN ($+\infty$ for $x = +\infty$).
pub fn ln_gamma(mut x: f64) -> f64 {
    if x == f64::INFINITY {
        return x;
    }
    if !(x > 0.0 && x.is_finite()) {
        return f64::NAN;
    }
    let mut r = 0.0;
    while x < 10.0 {
        r -= x.ln();
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + (x - 0.5) * x.ln() - x
        + 0.5 * (2.0 * std::f64::consts::PI).ln()
        + (1.0 / 12.0 - f * (1.0 / 360.0 - f * (1.0 / 1260.0 - f * (1.0 / 1680.0 - f / 1188.0)))) / x
}

/// $\ln V_d$, the log volume of the unit ball in $d$ dimensions.
pub fn ln_unit_ball_volume(d: usize) -> f64 {
    let h = d as f64 / 2.0;
    h * std::f64::consts::PI.ln() - ln_gamma(h + 1.0)
}

/// Shannon entropy $-\Delta V \sum p_i\ln p_i$ of a density on cells of volume `cell_volume`
/// (cells with $p_i = 0$ contribute 0).
///
/// # Errors
/// Negative or non-finite density values, a non-positive or non-finite cell volume.
pub fn shannon(p: &[f64], cell_volume: f64) -> Result<f64> {
    check_cell_volume(cell_volume)?;
    let mut s = 0.0;
    for (i, &v) in p.iter().enumerate() {
        if !(v.is_finite() && v >= 0.0) {
            return Err(ThermoError::NonFiniteValue {
                what: "density",
                index: i,
                value: v,
            });
        }
        if v > 0.0 {
            s -= v * v.ln();
        }
    }
    finite_result("entropy", s * cell_volume)
}

/// An overflowed result is an error, not a number.
fn finite_result(what: &'static str, v: f64) -> Result<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(ThermoError::NonFiniteValue {
            what,
            index: 0,
            value: v,
        })
    }
}

fn check_cell_volume(cell_volume: f64) -> Result<()> {
    if cell_volume.is_finite() && cell_volume > 0.0 {
        Ok(())
    } else {
        Err(ThermoError::InvalidParameter {
            name: "cell_volume",
            value: cell_volume,
            reason: "must be positive and finite",
        })
    }
}

/// KL divergence $\Delta V \sum_i \big(p_i\ln(p_i/q_i) - p_i + q_i\big)$: for normalised densities this is
/// $\Delta V\sum_i p_i\ln(p_i/q_i)$; the extra terms (zero in exact arithmetic) make every summand
/// non-negative, so the round-off in the masses does not leak into a tiny divergence.
///
/// # Errors
/// Mismatched lengths; $q_i = 0$ where $p_i > 0$ (infinite divergence is reported as an error).
pub fn kl_divergence(p: &[f64], q: &[f64], cell_volume: f64) -> Result<f64> {
    check_len("q", p.len(), q.len())?;
    for (what, v) in [("p", p), ("q", q)] {
        if let Some(i) = v.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
            return Err(ThermoError::NonFiniteValue {
                what,
                index: i,
                value: v[i],
            });
        }
    }
    check_cell_volume(cell_volume)?;
    let mut s = 0.0;
    for i in 0..p.len() {
        if p[i] > 0.0 {
            if q[i] <= 0.0 {
                return Err(ThermoError::InvalidParameter {
                    name: "q",
                    value: q[i],
                    reason: "q must be > 0 where p > 0",
                });
            }
            s += p[i] * (p[i] / q[i]).ln() - p[i] + q[i];
        } else {
            s += q[i];
        }
    }
    finite_result("KL divergence", s * cell_volume)
}

/// Entropy of a Gaussian with covariance `cov` (row-major $d\times d$): $\tfrac12\ln((2\pi e)^d\det\Sigma)$.
///
/// # Errors
/// Not square ([`ThermoError::DimensionMismatch`]), a non-finite entry
/// ([`ThermoError::NonFiniteValue`]), or not positive definite ([`ThermoError::Singular`] with the
/// smallest eigenvalue).
pub fn gaussian_entropy(cov: &[f64], d: usize) -> Result<f64> {
    crate::error::check_square("covariance", d, cov.len())?;
    crate::error::check_all_finite("covariance", cov)?;
    let m = nalgebra::DMatrix::from_row_slice(d, d, cov);
    let ch = nalgebra::Cholesky::new(m.clone()).ok_or_else(|| ThermoError::Singular {
        what: "covariance (smallest eigenvalue; must be positive definite)",
        index: 0,
        value: crate::error::min_eigenvalue(&m),
    })?;
    let logdet: f64 = 2.0 * ch.l().diagonal().iter().map(|v| v.ln()).sum::<f64>();
    Ok(0.5 * (d as f64 * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln() + logdet))
}

/// A kNN entropy estimate with its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KnnEstimate {
    /// The estimate $\hat S$ (nats).
    pub entropy: f64,
    /// Its standard error.
    pub std_error: f64,
}

/// For each sample, $\tfrac d2\ln r^2_{(j)}$ for its $j$-th nearest neighbour, $j = 1..k$ (row-major $n\times k$).
fn neighbour_logs(samples: &[f64], d: usize, k: usize) -> Result<(usize, Vec<f64>)> {
    if d == 0 || k == 0 {
        return Err(ThermoError::InvalidParameter {
            name: "k or d",
            value: 0.0,
            reason: "must be >= 1",
        });
    }
    if !samples.len().is_multiple_of(d) {
        return Err(ThermoError::DimensionMismatch {
            what: "samples",
            expected: d * (samples.len() / d),
            found: samples.len(),
        });
    }
    let n = samples.len() / d;
    if n < k.saturating_add(2) {
        return Err(ThermoError::TooFewSamples {
            needed: k.saturating_add(2),
            got: n,
        });
    }
    let rows: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let xi = &samples[i * d..(i + 1) * d];
            // Keep the k smallest squared distances (insertion into a sorted buffer).
            let mut best = vec![f64::INFINITY; k];
            for j in 0..n {
                if j == i {
                    continue;
                }
                let xj = &samples[j * d..(j + 1) * d];
                let mut r2 = 0.0;
                for c in 0..d {
                    let t = xi[c] - xj[c];
                    r2 += t * t;
                }
                if r2 < best[k - 1] {
                    let mut p = k - 1;
                    while p > 0 && best[p - 1] > r2 {
                        best[p] = best[p - 1];
                        p -= 1;
                    }
                    best[p] = r2;
                }
            }
            best.iter().map(|r2| 0.5 * d as f64 * r2.ln()).collect()
        })
        .collect();
    let logs: Vec<f64> = rows.into_iter().flatten().collect();
    if let Some(i) = logs.iter().position(|v| !v.is_finite()) {
        return Err(ThermoError::InvalidParameter {
            name: "samples",
            value: (i / k) as f64,
            reason: "duplicate or non-finite points",
        });
    }
    Ok((n, logs))
}

fn mean_and_se(terms: &[f64]) -> (f64, f64) {
    let nf = terms.len() as f64;
    let mean = terms.iter().sum::<f64>() / nf;
    let var = terms.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (nf - 1.0);
    (mean, (var / nf).sqrt())
}

/// Kozachenko-Leonenko entropy of `samples` (row-major, `n` points in `d` dimensions), $k$-th neighbour.
/// Brute-force neighbour search, parallel over query points: $O(N^2 d)$.
///
/// # Errors
/// Fewer than $k + 2$ samples, $k = 0$, $d = 0$, length not a multiple of $d$, duplicate points
/// (zero neighbour distance).
pub fn knn_entropy(samples: &[f64], d: usize, k: usize) -> Result<KnnEstimate> {
    let (n, logs) = neighbour_logs(samples, d, k)?;
    let terms: Vec<f64> = (0..n).map(|i| logs[i * k + k - 1]).collect();
    let (mean, se) = mean_and_se(&terms);
    let entropy = digamma(n as f64) - digamma(k as f64) + ln_unit_ball_volume(d) + mean;
    Ok(KnnEstimate {
        entropy,
        std_error: se,
    })
}

/// Weights $w_1..w_K$ of the weighted Kozachenko-Leonenko estimator (Berrett, Samworth & Yuan, Ann.
/// Stat. 47, 2019): minimal $\\|w\\|\_2$ subject to $\sum_k w_k = 1$ and
/// $\sum_k w_k\\,\Gamma(k + 2l/d)/\Gamma(k) = 0$ for $l = 1..\lfloor d/4\rfloor$, which cancels the
/// leading bias terms $\propto (k/N)^{2l/d}$.
///
/// # Errors
/// `k_max` too small for the number of constraints, or a singular constraint system.
pub fn knn_weights(d: usize, k_max: usize) -> Result<Vec<f64>> {
    let l = d / 4;
    if k_max < l + 1 || k_max == 0 {
        return Err(ThermoError::InvalidParameter {
            name: "k_max",
            value: k_max as f64,
            reason: "need k_max > floor(d/4)",
        });
    }
    crate::error::check_size("kNN weight constraint matrix", &[l + 1, k_max])?;
    let rows = l + 1;
    let g = nalgebra::DMatrix::from_fn(rows, k_max, |r, c| {
        let k = (c + 1) as f64;
        if r == 0 {
            1.0
        } else {
            (ln_gamma(k + 2.0 * r as f64 / d as f64) - ln_gamma(k)).exp()
        }
    });
    let ggt = &g * g.transpose();
    let mut e1 = nalgebra::DVector::zeros(rows);
    e1[0] = 1.0;
    let det = ggt.determinant();
    let lam = ggt.lu().solve(&e1).ok_or(ThermoError::Singular {
        what: "kNN weight constraints (Gram determinant)",
        index: 0,
        value: det,
    })?;
    Ok((g.transpose() * lam).iter().cloned().collect())
}

/// Weighted (bias-corrected) Kozachenko-Leonenko estimator: $\hat S_w = \sum_{k=1}^{K} w_k \hat S_k$ with
/// the weights of [`knn_weights`]. For $d \le 3$ the weights are uniform (no bias constraint is needed);
/// for $d \ge 4$ they cancel the leading $O((k/N)^{2/d})$ bias that dominates the unweighted estimator.
/// The error estimate is the standard error of the per-sample weighted terms.
///
/// # Errors
/// As [`knn_entropy`] and [`knn_weights`].
pub fn knn_entropy_weighted(samples: &[f64], d: usize, k_max: usize) -> Result<KnnEstimate> {
    let w = knn_weights(d, k_max)?;
    let (n, logs) = neighbour_logs(samples, d, k_max)?;
    let terms: Vec<f64> = (0..n)
        .map(|i| (0..k_max).map(|k| w[k] * logs[i * k_max + k]).sum())
        .collect();
    let (mean, se) = mean_and_se(&terms);
    let offset: f64 = (0..k_max).map(|k| w[k] * -digamma((k + 1) as f64)).sum();
    let entropy = digamma(n as f64) + offset + ln_unit_ball_volume(d) + mean;
    Ok(KnnEstimate {
        entropy,
        std_error: se,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_functions() {
        // psi(1) = -Euler gamma; ln Gamma(0.5) = ln sqrt(pi); V_2 = pi, V_3 = 4 pi / 3.
        assert!((digamma(1.0) + 0.577_215_664_901_532_9).abs() < 1e-13);
        assert!((digamma(100.5) - (100.5f64.ln() - 1.0 / 201.0 - 1.0 / (12.0 * 100.5 * 100.5))).abs() < 1e-8);
        assert!((ln_gamma(0.5) - 0.5 * std::f64::consts::PI.ln()).abs() < 1e-13);
        assert!((ln_gamma(7.0) - 720f64.ln()).abs() < 1e-12);
        assert!((ln_unit_ball_volume(2).exp() - std::f64::consts::PI).abs() < 1e-12);
        assert!((ln_unit_ball_volume(3).exp() - 4.0 / 3.0 * std::f64::consts::PI).abs() < 1e-12);
        // Outside the domain: NaN, no endless recurrence.
        for x in [0.0, -1.0, -1e300, f64::NEG_INFINITY, f64::NAN] {
            assert!(digamma(x).is_nan() && ln_gamma(x).is_nan(), "{x}");
        }
    }

    #[test]
    fn gaussian_and_grid_entropy_agree() {
        // Var 2 Gaussian: 0.5 ln(2 pi e 2); the midpoint sum is spectrally accurate for a Gaussian.
        let g = crate::fp::Grid1d::new(-15.0, 15.0, 3000).unwrap();
        let p = g.density(|x| (-x * x / 4.0).exp());
        let s = shannon(&p, g.h()).unwrap();
        let e = gaussian_entropy(&[2.0], 1).unwrap();
        assert!((s - e).abs() < 1e-10, "{s} {e}");
        assert!(gaussian_entropy(&[1.0, 2.0, 2.0, 1.0], 2).is_err());
        assert!(kl_divergence(&p, &p, g.h()).unwrap().abs() < 1e-15);
        assert!(shannon(&[-1.0], 1.0).is_err());
    }

    #[test]
    fn knn_errors() {
        assert!(knn_entropy(&[0.0, 1.0, 2.0], 2, 1).is_err());
        assert!(knn_entropy(&[0.0, 1.0], 1, 1).is_err());
        assert!(knn_entropy(&[0.0, 0.0, 1.0, 2.0], 1, 1).is_err());
        assert!(knn_entropy(&[0.0, 1.0, 2.0, 4.0], 1, 0).is_err());
    }
}
