//! Path entropy production of linear Gaussian second-order chains (THEORY.md E-2).
//!
//! The chain is $x_{t+1} = \alpha x_t + \beta x_{t-1} + \xi_t$, $\xi_t \sim N(0, \sigma^2)$ i.i.d.; for a
//! field on a ring it is $\phi_{t+1} = A\phi_t + \mathrm{diag}(\beta)\phi_{t-1} + \xi_t$ with i.i.d. noise
//! per site. The state of the Markov chain is the pair $(x_t, x_{t-1})$.
//!
//! **Time reversal.** $x$ is even: the reversed path of $x_0, \dots, x_N$ is $\tilde x_t = x_{N-t}$. The
//! pair $(x_t, x_{t-1})$ becomes $(x_{t-1}, x_t)$, so the discrete velocity $x_t - x_{t-1}$ is odd, as a
//! momentum is. The medium entropy production of a path is the log ratio of the forward and reversed
//! path probabilities *conditional on their first pair* (the transition kernels only):
//! $$\Sigma_m = \ln\frac{\prod_u K(x_{u+1}\mid x_u, x_{u-1})}{\prod_u K(x_{u-1}\mid x_u, x_{u+1})}
//! = \sum_{u=1}^{N-1}\sigma_u,\qquad
//! \sigma_u = \frac{\tilde r_u^2 - r_u^2}{2\sigma^2},$$
//! with the forward residual $r_u = x_{u+1} - \alpha x_u - \beta x_{u-1}$ and the reversed one
//! $\tilde r_u = x_{u-1} - \alpha x_u - \beta x_{u+1}$. Factored (no cancellation),
//! $$\sigma_u = \frac{1+\beta}{2\sigma^2}\\,(x_{u-1} - x_{u+1})\big[(1-\beta)(x_{u+1} + x_{u-1}) - 2\alpha x_u\big].$$
//! Consequences used by the tests:
//!
//! - $\beta = -1$ (the leapfrog / wave network): $\sigma_u \equiv 0$ for *every* path and every
//!   $\alpha$ (or coupling matrix $A$): the chain is exactly time-reversible.
//! - $|\beta| < 1$, stable: the stationary Gaussian process is reversible (its covariance is even in the
//!   lag), so path by path $\Sigma_m = \ln p_\text{st}(x_N, x_{N-1}) - \ln p_\text{st}(x_0, x_1)$: the
//!   medium entropy is a boundary term $-\Delta E/T$ with $E$ the stationary quadratic form. For small
//!   $\eta = 1 + \beta$, $\Sigma_m \approx -\frac{\eta}{\sigma^2}\Delta[(x_t - x_{t-1})^2 + (2-\alpha)x_tx_{t-1}]$.
//!
//! A translation-invariant (circulant) ring chain decouples into real Fourier modes
//! ([`CirculantChain`]), each a scalar chain with $\alpha_j = a_0 + 2a_1\cos k_j$; with the orthonormal
//! real transform the noise stays i.i.d. $N(0, \sigma^2)$ per mode, so the per-mode productions add up to
//! the real-space one exactly.

use crate::error::{Result, ThermoError};

fn check_sigma(sigma: f64) -> Result<()> {
    if sigma.is_finite() && sigma > 0.0 {
        Ok(())
    } else {
        Err(ThermoError::InvalidParameter {
            name: "sigma",
            value: sigma,
            reason: "noise amplitude must be finite and > 0",
        })
    }
}

fn check_finite(name: &'static str, v: f64) -> Result<()> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(ThermoError::InvalidParameter {
            name,
            value: v,
            reason: "must be finite",
        })
    }
}

fn check_len(what: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(ThermoError::DimensionMismatch {
            what,
            expected,
            found,
        })
    }
}

/// The local medium entropy $\sigma_u$ of one step of a scalar second-order chain (module docs, E-2):
/// $\frac{1+\beta}{2\sigma^2}(x_{u-1} - x_{u+1})[(1-\beta)(x_{u+1} + x_{u-1}) - 2\\,a_u]$ with
/// $a_u = \alpha x_u$ (or $(A\phi_u)\_s$ for a field). No input validation (the hot loop).
#[inline]
pub fn step_entropy(x_prev: f64, a_cur: f64, x_next: f64, beta: f64, sigma2: f64) -> f64 {
    (1.0 + beta) / (2.0 * sigma2) * (x_prev - x_next) * ((1.0 - beta) * (x_next + x_prev) - 2.0 * a_cur)
}

/// A scalar linear Gaussian second-order chain $x_{t+1} = \alpha x_t + \beta x_{t-1} + \xi_t$,
/// $\xi_t \sim N(0, \sigma^2)$ (THEORY.md E-2, one Fourier mode of the learned ring).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SecondOrderChain {
    alpha: f64,
    beta: f64,
    sigma: f64,
}

impl SecondOrderChain {
    /// A chain with coefficients `alpha`, `beta` and noise amplitude `sigma > 0`.
    pub fn new(alpha: f64, beta: f64, sigma: f64) -> Result<Self> {
        check_finite("alpha", alpha)?;
        check_finite("beta", beta)?;
        check_sigma(sigma)?;
        Ok(Self { alpha, beta, sigma })
    }

    /// $\alpha$.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// $\beta$.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// $\sigma$.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// Whether the chain is exactly time-reversible for every path ($\beta = -1$).
    pub fn is_reversible(&self) -> bool {
        self.beta == -1.0
    }

    /// The local medium entropy $\sigma_u$ of the step $x_{u-1}, x_u \to x_{u+1}$ (module docs).
    pub fn step_entropy(&self, x_prev: f64, x: f64, x_next: f64) -> f64 {
        step_entropy(x_prev, self.alpha * x, x_next, self.beta, self.sigma * self.sigma)
    }

    /// The medium entropy production $\Sigma_m = \sum_{u=1}^{N-1}\sigma_u$ of the path $x_0..x_N$
    /// (the log ratio of forward to reversed transition probabilities, module docs).
    pub fn path_entropy(&self, path: &[f64]) -> Result<f64> {
        if path.len() < 3 {
            return Err(ThermoError::TooFewSamples {
                needed: 3,
                got: path.len(),
            });
        }
        if let Some(&v) = path.iter().find(|v| !v.is_finite()) {
            return Err(ThermoError::InvalidParameter {
                name: "path value",
                value: v,
                reason: "must be finite",
            });
        }
        Ok(path.windows(3).map(|w| self.step_entropy(w[0], w[1], w[2])).sum())
    }

    /// The stationary covariance $(\gamma_0, \gamma_1) = (\langle x_t^2\rangle, \langle x_tx_{t-1}\rangle)$
    /// of a stable chain (Yule-Walker): $\gamma_0 = \frac{\sigma^2(1-\beta)}{(1+\beta)((1-\beta)^2 -
    /// \alpha^2)}$, $\gamma_1 = \frac{\alpha\gamma_0}{1-\beta}$. Requires $|\beta| < 1$,
    /// $|\alpha| < 1 - \beta$.
    pub fn stationary_covariance(&self) -> Result<(f64, f64)> {
        let (a, b) = (self.alpha, self.beta);
        if b.abs() >= 1.0 || a.abs() >= 1.0 - b {
            return Err(ThermoError::InvalidParameter {
                name: "beta",
                value: b,
                reason: "no stationary state: need |beta| < 1 and |alpha| < 1 - beta",
            });
        }
        let g0 = self.sigma * self.sigma * (1.0 - b) / ((1.0 + b) * ((1.0 - b) * (1.0 - b) - a * a));
        Ok((g0, a * g0 / (1.0 - b)))
    }

    /// $\ln p_\text{st}(x_0, x_1)$ of the stationary bivariate Gaussian of a pair of successive values
    /// (symmetric in its arguments).
    pub fn stationary_log_density(&self, x0: f64, x1: f64) -> Result<f64> {
        let (g0, g1) = self.stationary_covariance()?;
        let det = g0 * g0 - g1 * g1;
        let q = (g0 * x0 * x0 - 2.0 * g1 * x0 * x1 + g0 * x1 * x1) / det;
        Ok(-0.5 * q - 0.5 * det.ln() - (2.0 * std::f64::consts::PI).ln())
    }
}

/// The local medium entropy of one step of a field chain
/// $\phi_{u+1} = A\phi_u + \mathrm{diag}(\beta)\phi_{u-1} + \xi_u$ with i.i.d. $N(0, \sigma^2)$ noise per
/// site: `out[s]` $= \sigma_{u,s}$ (module docs), given $\phi_{u-1}$, $A\phi_u$ and $\phi_{u+1}$. The
/// log ratio of the path probabilities is the sum over sites and steps, exact for any matrix $A$.
pub fn field_step_entropy(
    prev: &[f64],
    a_cur: &[f64],
    next: &[f64],
    beta: &[f64],
    sigma: f64,
    out: &mut [f64],
) -> Result<()> {
    check_sigma(sigma)?;
    let n = prev.len();
    check_len("A phi_u", n, a_cur.len())?;
    check_len("phi_{u+1}", n, next.len())?;
    check_len("beta", n, beta.len())?;
    check_len("output", n, out.len())?;
    let s2 = sigma * sigma;
    for s in 0..n {
        out[s] = step_entropy(prev[s], a_cur[s], next[s], beta[s], s2);
    }
    Ok(())
}

/// A translation-invariant second-order ring chain
/// $\phi^{t+1}\_s = a_0\phi^t_s + a_1(\phi^t_{s-1} + \phi^t_{s+1}) + \beta\phi^{t-1}\_s + \xi$ on $L$ sites,
/// decoupled into real Fourier modes: mode $j$ is a [`SecondOrderChain`] with
/// $\alpha_j = a_0 + 2a_1\cos(2\pi j/L)$ and the same $\beta$, $\sigma$ (THEORY.md E-2).
#[derive(Debug, Clone, PartialEq)]
pub struct CirculantChain {
    l: usize,
    a0: f64,
    a1: f64,
    beta: f64,
    sigma: f64,
    cos_table: Vec<f64>,
    sin_table: Vec<f64>,
}

impl CirculantChain {
    /// A ring of `l ≥ 3` sites with on-site coupling `a0`, nearest-neighbour coupling `a1`, lag-two
    /// coupling `beta` and noise `sigma > 0`.
    pub fn new(l: usize, a0: f64, a1: f64, beta: f64, sigma: f64) -> Result<Self> {
        if l < 3 {
            return Err(ThermoError::TooFewSamples { needed: 3, got: l });
        }
        crate::error::check_size("circulant chain sites (two tables)", &[l, 2])?;
        check_finite("a0", a0)?;
        check_finite("a1", a1)?;
        check_finite("beta", beta)?;
        check_sigma(sigma)?;
        let th = 2.0 * std::f64::consts::PI / l as f64;
        Ok(Self {
            l,
            a0,
            a1,
            beta,
            sigma,
            cos_table: (0..l).map(|i| (th * i as f64).cos()).collect(),
            sin_table: (0..l).map(|i| (th * i as f64).sin()).collect(),
        })
    }

    /// Number of sites.
    pub fn len(&self) -> usize {
        self.l
    }

    /// Whether the ring is empty (never).
    pub fn is_empty(&self) -> bool {
        self.l == 0
    }

    /// The wavenumber $k$ of real mode `m` in the order of [`CirculantChain::real_modes`].
    pub fn mode_wavenumber(&self, m: usize) -> f64 {
        let j = m.div_ceil(2);
        2.0 * std::f64::consts::PI * j as f64 / self.l as f64
    }

    /// The scalar chain of real mode `m`.
    pub fn mode_chain(&self, m: usize) -> Result<SecondOrderChain> {
        let alpha = self.a0 + 2.0 * self.a1 * self.mode_wavenumber(m).cos();
        SecondOrderChain::new(alpha, self.beta, self.sigma)
    }

    /// The orthonormal real Fourier coefficients of a field: index 0 the mean mode, then for
    /// $j = 1, 2, \dots$ the cosine and sine modes $\sqrt{2/L}\cos(k_js)$, $\sqrt{2/L}\sin(k_js)$, and for
    /// even $L$ the last index the alternating mode $(-1)^s/\sqrt L$. $O(L^2)$.
    pub fn real_modes(&self, phi: &[f64]) -> Result<Vec<f64>> {
        check_len("field", self.l, phi.len())?;
        let l = self.l;
        let mut out = vec![0.0; l];
        let (n0, n2) = (1.0 / (l as f64).sqrt(), (2.0 / l as f64).sqrt());
        out[0] = phi.iter().sum::<f64>() * n0;
        for m in 1..l {
            let j = m.div_ceil(2);
            let nyquist = l.is_multiple_of(2) && j == l / 2;
            let mut acc = 0.0;
            for (s, v) in phi.iter().enumerate() {
                let idx = (j * s) % l;
                let basis = if nyquist {
                    self.cos_table[idx] * n0
                } else if m % 2 == 1 {
                    self.cos_table[idx] * n2
                } else {
                    self.sin_table[idx] * n2
                };
                acc += basis * v;
            }
            out[m] = acc;
        }
        Ok(out)
    }

    /// The per-mode medium entropy of the step $\phi_{u-1}, \phi_u \to \phi_{u+1}$, one value per real
    /// mode; their sum equals the real-space [`field_step_entropy`] summed over sites.
    pub fn mode_step_entropy(&self, prev: &[f64], cur: &[f64], next: &[f64]) -> Result<Vec<f64>> {
        let (p, c, n) = (
            self.real_modes(prev)?,
            self.real_modes(cur)?,
            self.real_modes(next)?,
        );
        (0..self.l)
            .map(|m| Ok(self.mode_chain(m)?.step_entropy(p[m], c[m], n[m])))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_distr::StandardNormal;

    fn random_path(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        (0..n).map(|_| rng.sample::<f64, _>(StandardNormal)).collect()
    }

    #[test]
    fn leapfrog_chain_is_exactly_reversible_for_any_path() {
        for alpha in [1.9, 0.3, -1.2, 5.0] {
            let c = SecondOrderChain::new(alpha, -1.0, 0.1).unwrap();
            assert!(c.is_reversible());
            assert_eq!(c.path_entropy(&random_path(200, 1)).unwrap(), 0.0);
        }
    }

    #[test]
    fn stationary_chain_entropy_is_a_boundary_term() {
        // Reversibility of the stationary Gaussian process: Σ_m = ln p(x_N, x_{N-1}) - ln p(x_0, x_1)
        // for an arbitrary path, by hand from the Yule-Walker covariance.
        for (alpha, beta) in [(1.6, -0.9), (0.5, 0.2), (-0.3, -0.5)] {
            let c = SecondOrderChain::new(alpha, beta, 0.7).unwrap();
            let x = random_path(64, 7);
            let n = x.len() - 1;
            let lhs = c.path_entropy(&x).unwrap();
            let rhs = c.stationary_log_density(x[n], x[n - 1]).unwrap()
                - c.stationary_log_density(x[0], x[1]).unwrap();
            let scale: f64 = x.windows(3).map(|w| c.step_entropy(w[0], w[1], w[2]).abs()).sum();
            assert!((lhs - rhs).abs() <= 1e-12 * scale.max(1.0), "{lhs} vs {rhs}");
        }
    }

    #[test]
    fn stationary_covariance_closed_form() {
        // AR(1) limit β = 0: γ0 = σ²/(1 - α²), γ1 = α γ0.
        let c = SecondOrderChain::new(0.5, 0.0, 1.0).unwrap();
        let (g0, g1) = c.stationary_covariance().unwrap();
        assert!((g0 - 1.0 / 0.75).abs() < 1e-15);
        assert!((g1 - 0.5 / 0.75).abs() < 1e-15);
        assert!(
            SecondOrderChain::new(1.9, -1.0, 1.0)
                .unwrap()
                .stationary_covariance()
                .is_err()
        );
    }

    #[test]
    fn small_damping_medium_entropy_is_minus_energy_change() {
        // η = 1 + β small: Σ_m = -(η/σ²) ΔE + O(η²), E = x_t² + x_{t-1}² - α x_t x_{t-1}.
        let (alpha, eta, sigma) = (1.8, 1e-6, 0.3);
        let c = SecondOrderChain::new(alpha, -1.0 + eta, sigma).unwrap();
        let x = random_path(50, 3);
        let n = x.len() - 1;
        let e = |a: f64, b: f64| a * a + b * b - alpha * a * b;
        let pred = -(eta / (sigma * sigma)) * (e(x[n], x[n - 1]) - e(x[1], x[0]));
        let got = c.path_entropy(&x).unwrap();
        assert!((got - pred).abs() <= 1e-5 * pred.abs(), "{got} vs {pred}");
    }

    #[test]
    fn modes_add_up_to_real_space_and_are_orthonormal() {
        let (l, a0, a1, beta, sigma) = (12, 1.4, 0.3, -0.97, 0.2);
        let chain = CirculantChain::new(l, a0, a1, beta, sigma).unwrap();
        let (p, c, n) = (random_path(l, 1), random_path(l, 2), random_path(l, 3));
        let ac: Vec<f64> = (0..l)
            .map(|s| a0 * c[s] + a1 * (c[(s + l - 1) % l] + c[(s + 1) % l]))
            .collect();
        let mut out = vec![0.0; l];
        field_step_entropy(&p, &ac, &n, &vec![beta; l], sigma, &mut out).unwrap();
        let real: f64 = out.iter().sum();
        let modes: f64 = chain.mode_step_entropy(&p, &c, &n).unwrap().iter().sum();
        let scale: f64 = out.iter().map(|v| v.abs()).sum();
        assert!((real - modes).abs() <= 1e-12 * scale, "{real} vs {modes}");
        let m = chain.real_modes(&c).unwrap();
        let norm2 = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>();
        assert!((norm2(&m) - norm2(&c)).abs() <= 1e-12 * norm2(&c));
    }

    #[test]
    fn field_entropy_equals_residual_definition() {
        // σ_{u,s} = (r̃² - r²)/2σ² with a dense non-symmetric A.
        let l = 5;
        let a: Vec<f64> = random_path(l * l, 9);
        let beta = random_path(l, 10);
        let (p, c, n) = (random_path(l, 11), random_path(l, 12), random_path(l, 13));
        let ac: Vec<f64> = (0..l)
            .map(|i| (0..l).map(|j| a[i * l + j] * c[j]).sum())
            .collect();
        let mut out = vec![0.0; l];
        field_step_entropy(&p, &ac, &n, &beta, 0.4, &mut out).unwrap();
        for s in 0..l {
            let r = n[s] - ac[s] - beta[s] * p[s];
            let rt = p[s] - ac[s] - beta[s] * n[s];
            let direct = (rt * rt - r * r) / (2.0 * 0.16);
            assert!((out[s] - direct).abs() <= 1e-12 * (rt * rt + r * r) / 0.32);
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(SecondOrderChain::new(1.0, -1.0, 0.0).is_err());
        assert!(SecondOrderChain::new(f64::NAN, -1.0, 1.0).is_err());
        let c = SecondOrderChain::new(1.0, -1.0, 1.0).unwrap();
        assert!(c.path_entropy(&[1.0, 2.0]).is_err());
        assert!(c.path_entropy(&[1.0, f64::NAN, 2.0]).is_err());
        assert!(CirculantChain::new(2, 1.0, 0.0, -1.0, 1.0).is_err());
        let mut out = vec![0.0; 2];
        assert!(field_step_entropy(&[0.0; 2], &[0.0; 3], &[0.0; 2], &[0.0; 2], 1.0, &mut out).is_err());
    }
}
