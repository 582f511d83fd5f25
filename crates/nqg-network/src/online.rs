//! Online SGD of the banded couplings of a second-order ring network under noise (THEORY.md E-2, N-7).
//!
//! The network is the $\phi$-row pattern of the lattice leapfrog network ([`crate::lattice`]): on a ring
//! of $L$ sites,
//! $$\phi^{t+1}\_s = l_s\\,\phi^t_{s-1} + c_s\\,\phi^t_s + r_s\\,\phi^t_{s+1} + p_s\\,\phi^{t-1}\_s \\;(+\\,\xi),$$
//! four couplings per site. The leapfrog (Klein-Gordon) teacher has $l_s = r_s = C^2$,
//! $c_s = 2 - 2C^2 - \mu^2$, $p_s = -1$ ([`RingCouplings::leapfrog`]).
//!
//! [`OnlineRingSgd`] learns the couplings from a stream of observed triples
//! $(\phi^t, \phi^{t-1}) \to \phi^{t+1}$ by plain online SGD on the per-step loss
//! $h_t = \tfrac12\sum_s(\phi^{t+1}\_s - \theta_s\cdot f_s)^2$, $f_s = (\phi^t_{s-1}, \phi^t_s,
//! \phi^t_{s+1}, \phi^{t-1}\_s)$: $\theta_s \leftarrow \theta_s - \gamma(\theta_s\cdot f_s - \phi^{t+1}\_s)f_s$,
//! with Polyak-Ruppert averaging of the iterates after a burn-in (the averaged iterate's error falls as
//! $1/\sqrt n$ for label noise). Observation noise on the *inputs* biases the fit towards zero
//! (errors in variables); that bias is part of what E-2 measures.
//!
//! **Learning contraction.** The update of site $s$ is the affine map
//! $\theta_s \mapsto (1 - \gamma f_sf_s^T)\theta_s + \gamma\phi^{t+1}\_sf_s$, whose Jacobian determinant is
//! $1 - \gamma|f_s|^2$ (rank-one update). Any ensemble of learners driven by the same data (a posterior, a
//! cloud of replicas) therefore changes its differential entropy by exactly $\sum_s\ln|1 - \gamma|f_s|^2|$
//! per step, independently of $\theta$: the entropy destroyed by learning is
//! $$C_t = -\sum_s \ln\left|1 - \gamma|f_s|^2\right|,\qquad |f_s|^2 = (\phi^t_{s-1})^2 + (\phi^t_s)^2 +
//! (\phi^t_{s+1})^2 + (\phi^{t-1}\_s)^2$$
//! ([`learning_contraction`]), local in space and time.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};
use rustfft::FftPlanner;
use rustfft::num_complex::Complex64;

use crate::error::{NetworkError, Result, check_finite, check_gamma, check_len, check_non_negative};
use crate::lattice::DispersionPoint;

/// The four banded couplings per site of a second-order ring network (module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct RingCouplings {
    /// $l_s$: coupling to $\phi^t_{s-1}$.
    pub left: Vec<f64>,
    /// $c_s$: coupling to $\phi^t_s$.
    pub centre: Vec<f64>,
    /// $r_s$: coupling to $\phi^t_{s+1}$.
    pub right: Vec<f64>,
    /// $p_s$: coupling to $\phi^{t-1}\_s$ ($-1$ for the leapfrog).
    pub prev: Vec<f64>,
}

impl RingCouplings {
    /// Uniform couplings on `l ≥ 3` sites.
    pub fn uniform(l: usize, left: f64, centre: f64, right: f64, prev: f64) -> Result<Self> {
        if l < 3 {
            return Err(NetworkError::ShapeMismatch {
                what: "ring (at least 3 sites)",
                expected: 3,
                got: l,
            });
        }
        crate::error::check_size("ring couplings (4 per site)", &[l, 4])?;
        for (name, v) in [
            ("left", left),
            ("centre", centre),
            ("right", right),
            ("prev", prev),
        ] {
            if !v.is_finite() {
                return Err(NetworkError::InvalidParameter {
                    name,
                    value: v,
                    reason: "coupling must be finite",
                });
            }
        }
        Ok(Self {
            left: vec![left; l],
            centre: vec![centre; l],
            right: vec![right; l],
            prev: vec![prev; l],
        })
    }

    /// The Klein-Gordon leapfrog teacher: $l = r = C^2$, $c = 2 - 2C^2 - \mu^2$, $p = -1$ (N-5, N-6).
    pub fn leapfrog(l: usize, courant: f64, mass_dt: f64) -> Result<Self> {
        check_non_negative("courant", courant)?;
        check_non_negative("mass_dt", mass_dt)?;
        let c2 = courant * courant;
        Self::uniform(l, c2, 2.0 - 2.0 * c2 - mass_dt * mass_dt, c2, -1.0)
    }

    /// Number of sites.
    pub fn len(&self) -> usize {
        self.centre.len()
    }

    /// Whether there are no sites (never, for a constructed value).
    pub fn is_empty(&self) -> bool {
        self.centre.is_empty()
    }

    fn check(&self) -> Result<usize> {
        let l = self.len();
        check_len("left couplings", l, self.left.len())?;
        check_len("right couplings", l, self.right.len())?;
        check_len("prev couplings", l, self.prev.len())?;
        if l < 3 {
            return Err(NetworkError::ShapeMismatch {
                what: "ring (at least 3 sites)",
                expected: 3,
                got: l,
            });
        }
        Ok(l)
    }

    /// `out` $= A\phi$, the current-level part $l_s\phi_{s-1} + c_s\phi_s + r_s\phi_{s+1}$.
    pub fn apply_current(&self, cur: &[f64], out: &mut [f64]) -> Result<()> {
        let l = self.check()?;
        check_len("phi^t", l, cur.len())?;
        check_len("output", l, out.len())?;
        for s in 0..l {
            out[s] = self.left[s] * cur[(s + l - 1) % l]
                + self.centre[s] * cur[s]
                + self.right[s] * cur[(s + 1) % l];
        }
        Ok(())
    }

    /// One noisy step in place: `prev` becomes $\phi^{t+1} = A\phi^t + p\\,\phi^{t-1} + \sigma\xi$ (then swap
    /// the buffers); `sigma = 0` is the deterministic network.
    pub fn step<R: Rng + ?Sized>(
        &self,
        cur: &[f64],
        prev: &mut [f64],
        sigma: f64,
        rng: &mut R,
    ) -> Result<()> {
        let l = self.check()?;
        check_non_negative("sigma", sigma)?;
        check_len("phi^t", l, cur.len())?;
        check_len("phi^{t-1}", l, prev.len())?;
        for s in 0..l {
            let a = self.left[s] * cur[(s + l - 1) % l]
                + self.centre[s] * cur[s]
                + self.right[s] * cur[(s + 1) % l];
            let xi = if sigma > 0.0 {
                let z: f64 = StandardNormal.sample(rng);
                sigma * z
            } else {
                0.0
            };
            prev[s] = a + self.prev[s] * prev[s] + xi;
        }
        Ok(())
    }

    /// The translation-invariant projection: every coupling replaced by its ring average, with the
    /// left and right couplings averaged together (a symmetric circulant).
    pub fn ring_average(&self) -> Result<Self> {
        let l = self.check()? as f64;
        let mean = |v: &[f64]| v.iter().sum::<f64>() / l;
        let side = 0.5 * (mean(&self.left) + mean(&self.right));
        Self::uniform(self.len(), side, mean(&self.centre), side, mean(&self.prev))
    }

    /// The root-mean-square difference of all $4L$ couplings from `other`.
    pub fn rms_diff(&self, other: &Self) -> Result<f64> {
        let l = self.check()?;
        check_len("other couplings", l, other.check()?)?;
        let mut acc = 0.0;
        for (a, b) in [
            (&self.left, &other.left),
            (&self.centre, &other.centre),
            (&self.right, &other.right),
            (&self.prev, &other.prev),
        ] {
            acc += a
                .iter()
                .zip(b.iter())
                .map(|(x, y)| (x - y) * (x - y))
                .sum::<f64>();
        }
        Ok((acc / (4 * l) as f64).sqrt())
    }

    /// For uniform couplings: the mode coefficient $\alpha(k) = c + (l + r)\cos k$ and $\beta = p$ of
    /// $\hat\phi^{t+1} = \alpha\hat\phi^t + \beta\hat\phi^{t-1}$ (site 0's couplings).
    pub fn mode_coefficients(&self, k: f64) -> (f64, f64) {
        (
            self.centre[0] + (self.left[0] + self.right[0]) * k.cos(),
            self.prev[0],
        )
    }

    /// For uniform couplings: the oscillation frequency of mode $k$ from the roots $z = \rho e^{\pm i\omega}$
    /// of $z^2 - \alpha z - \beta = 0$, $\cos\omega = \alpha/(2\sqrt{-\beta})$ (NaN if $\beta \ge 0$).
    pub fn omega(&self, k: f64) -> f64 {
        let (a, b) = self.mode_coefficients(k);
        if b >= 0.0 {
            return f64::NAN;
        }
        (a / (2.0 * (-b).sqrt())).clamp(-1.0, 1.0).acos()
    }
}

/// The entropy destroyed by one online-SGD step at learning rate `gamma` on the input
/// $(\phi^t, \phi^{t-1})$: `out[s]` $= -\ln|1 - \gamma|f_s|^2|$ (module docs); returns the sum $C_t$.
pub fn learning_contraction(cur: &[f64], prev: &[f64], gamma: f64, out: &mut [f64]) -> Result<f64> {
    check_gamma(gamma)?;
    let l = cur.len();
    check_len("phi^{t-1}", l, prev.len())?;
    check_len("output", l, out.len())?;
    if l < 3 {
        return Err(NetworkError::ShapeMismatch {
            what: "ring (at least 3 sites)",
            expected: 3,
            got: l,
        });
    }
    let mut total = 0.0;
    for s in 0..l {
        let f2 = cur[(s + l - 1) % l].powi(2) + cur[s].powi(2) + cur[(s + 1) % l].powi(2) + prev[s].powi(2);
        let j = (1.0 - gamma * f2).abs();
        if j == 0.0 {
            return Err(NetworkError::InvalidParameter {
                name: "gamma |f|^2",
                value: gamma * f2,
                reason: "the SGD update map is singular (gamma |f|^2 = 1)",
            });
        }
        out[s] = -j.ln();
        total += out[s];
    }
    Ok(total)
}

/// Online SGD of [`RingCouplings`] with Polyak-Ruppert iterate averaging (module docs).
#[derive(Debug, Clone)]
pub struct OnlineRingSgd {
    current: RingCouplings,
    sum: RingCouplings,
    gamma: f64,
    burn_in: usize,
    steps: usize,
    averaged: usize,
    contraction: f64,
    scratch: Vec<f64>,
}

impl OnlineRingSgd {
    /// Start from `init` with step `gamma`; iterates after the first `burn_in` updates are averaged.
    pub fn new(init: RingCouplings, gamma: f64, burn_in: usize) -> Result<Self> {
        check_gamma(gamma)?;
        let l = init.check()?;
        for v in [&init.left, &init.centre, &init.right, &init.prev] {
            check_finite("initial couplings", v)?;
        }
        Ok(Self {
            sum: RingCouplings::uniform(l, 0.0, 0.0, 0.0, 0.0)?,
            current: init,
            gamma,
            burn_in,
            steps: 0,
            averaged: 0,
            contraction: 0.0,
            scratch: vec![0.0; l],
        })
    }

    /// One update from an observed triple $(\phi^t, \phi^{t-1}) \to \phi^{t+1}$; returns the step's
    /// learning contraction $C_t$ ([`learning_contraction`]).
    pub fn update(&mut self, cur: &[f64], prev: &[f64], target: &[f64]) -> Result<f64> {
        let l = self.current.len();
        check_len("phi^t", l, cur.len())?;
        check_len("phi^{t-1}", l, prev.len())?;
        check_len("phi^{t+1}", l, target.len())?;
        check_finite("phi^t", cur)?;
        check_finite("phi^{t-1}", prev)?;
        check_finite("phi^{t+1}", target)?;
        let c = learning_contraction(cur, prev, self.gamma, &mut self.scratch)?;
        let w = &mut self.current;
        for s in 0..l {
            let (xl, xc, xr, xp) = (cur[(s + l - 1) % l], cur[s], cur[(s + 1) % l], prev[s]);
            let pred = w.left[s] * xl + w.centre[s] * xc + w.right[s] * xr + w.prev[s] * xp;
            let g = self.gamma * (pred - target[s]);
            w.left[s] -= g * xl;
            w.centre[s] -= g * xc;
            w.right[s] -= g * xr;
            w.prev[s] -= g * xp;
        }
        if let Some(s) = w.centre.iter().chain(&w.prev).position(|v| !v.is_finite()) {
            return Err(NetworkError::NonFinite {
                what: "SGD couplings (diverged: gamma too large)",
                index: s,
                value: f64::NAN,
            });
        }
        self.steps += 1;
        self.contraction += c;
        if self.steps > self.burn_in {
            self.averaged += 1;
            for (acc, v) in [
                (&mut self.sum.left, &w.left),
                (&mut self.sum.centre, &w.centre),
                (&mut self.sum.right, &w.right),
                (&mut self.sum.prev, &w.prev),
            ] {
                for (a, x) in acc.iter_mut().zip(v.iter()) {
                    *a += x;
                }
            }
        }
        Ok(c)
    }

    /// The last iterate.
    pub fn current(&self) -> &RingCouplings {
        &self.current
    }

    /// The Polyak-Ruppert average of the iterates after the burn-in (the last iterate if none yet).
    pub fn averaged(&self) -> RingCouplings {
        if self.averaged == 0 {
            return self.current.clone();
        }
        let n = self.averaged as f64;
        let scale = |v: &[f64]| v.iter().map(|x| x / n).collect::<Vec<f64>>();
        RingCouplings {
            left: scale(&self.sum.left),
            centre: scale(&self.sum.centre),
            right: scale(&self.sum.right),
            prev: scale(&self.sum.prev),
        }
    }

    /// Number of updates so far.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The total learning contraction $\sum_t C_t$ so far.
    pub fn contraction(&self) -> f64 {
        self.contraction
    }
}

/// A smooth random field on a ring: white noise convolved with a periodic Gaussian of width
/// `corr_len` sites (`0` for white noise), normalised to unit mean square.
pub fn smooth_random_field<R: Rng + ?Sized>(l: usize, corr_len: f64, rng: &mut R) -> Result<Vec<f64>> {
    check_non_negative("corr_len", corr_len)?;
    if l == 0 {
        return Err(NetworkError::ShapeMismatch {
            what: "ring",
            expected: 1,
            got: 0,
        });
    }
    crate::error::check_size("random field sites", &[l])?;
    let white: Vec<f64> = (0..l).map(|_| StandardNormal.sample(rng)).collect();
    let field: Vec<f64> = if corr_len == 0.0 {
        white
    } else {
        let half = (4.0 * corr_len).ceil() as i64;
        let kernel: Vec<f64> = (-half..=half)
            .map(|d| (-(d * d) as f64 / (2.0 * corr_len * corr_len)).exp())
            .collect();
        (0..l as i64)
            .map(|s| {
                (-half..=half)
                    .zip(&kernel)
                    .map(|(d, k)| k * white[(s + d).rem_euclid(l as i64) as usize])
                    .sum()
            })
            .collect()
    };
    let ms = (field.iter().map(|x| x * x).sum::<f64>() / l as f64).sqrt();
    Ok(field.iter().map(|x| x / ms.max(f64::MIN_POSITIVE)).collect())
}

/// Measure $\omega(k)$ of a (learned) second-order ring network: white-noise data at rest
/// ($\phi^{-1} = \phi^0$) evolved `steps` steps deterministically, each spatial mode's time series
/// Hann-windowed and Fourier transformed, the peak in $[0, \pi]$ located by parabolic interpolation of the
/// log-magnitude (as [`crate::lattice::measure_dispersion`], but for arbitrary couplings, damped or
/// not; no window when the ring average's decay $|\beta|^{T/2}$ is below $10^{-6}$). `omega_theory` is [`RingCouplings::omega`] of the ring average. Returns one point per
/// $k = 2\pi j/L$, $j = 1..L/2$, and the resolution $2\pi/$`steps`.
pub fn measure_ring_dispersion<R: Rng + ?Sized>(
    net: &RingCouplings,
    steps: usize,
    rng: &mut R,
) -> Result<(Vec<DispersionPoint>, f64)> {
    let l = net.check()?;
    if l < 4 || steps < 16 {
        return Err(NetworkError::InvalidParameter {
            name: "lattice size / steps",
            value: l.min(steps) as f64,
            reason: "need L >= 4 and steps >= 16",
        });
    }
    let avg = net.ring_average()?;
    let mut cur: Vec<f64> = (0..l).map(|_| rng.random::<f64>() - 0.5).collect();
    let mut prev = cur.clone();
    let mut planner = FftPlanner::<f64>::new();
    let fft_s = planner.plan_fft_forward(l);
    let fft_t = planner.plan_fft_forward(steps);
    let mut modes: Vec<Vec<Complex64>> = Vec::with_capacity(steps);
    for _ in 0..steps {
        let mut m: Vec<Complex64> = cur.iter().map(|&v| Complex64::new(v, 0.0)).collect();
        fft_s.process(&mut m);
        modes.push(m);
        net.step(&cur, &mut prev, 0.0, rng)?;
        std::mem::swap(&mut cur, &mut prev);
    }
    if let Some(i) = cur.iter().position(|v| !v.is_finite()) {
        return Err(NetworkError::NonFinite {
            what: "dispersion run (unstable network)",
            index: i,
            value: cur[i],
        });
    }
    let dw = 2.0 * std::f64::consts::PI / steps as f64;
    let half = steps / 2;
    // A damped network (|β| < 1) whose modes decay within the run needs no window (the series ends at
    // zero); the Hann window would suppress the early, informative part.
    let decayed = avg.prev[0].abs().sqrt().powi(steps as i32) < 1e-6;
    let mut out = Vec::new();
    for j in 1..=l / 2 {
        let mut series: Vec<Complex64> = (0..steps)
            .map(|t| {
                let w = if decayed {
                    1.0
                } else {
                    0.5 - 0.5 * (2.0 * std::f64::consts::PI * t as f64 / steps as f64).cos()
                };
                modes[t][j] * w
            })
            .collect();
        fft_t.process(&mut series);
        let peak = crate::lattice::spectral_peak(&series, half);
        let k = 2.0 * std::f64::consts::PI * j as f64 / l as f64;
        out.push(DispersionPoint {
            k,
            omega_measured: peak * dw,
            omega_theory: avg.omega(k),
        });
    }
    Ok((out, dw))
}

/// For uniform couplings with $\beta < 0$: $(c^2, m^2)$ of the closed-form dispersion of the roots,
/// $2(1 - \cos\omega) = 2 - (c + l + r)/\rho + \tfrac{l + r}{2\rho}\\,4\sin^2(k/2)$, $\rho = \sqrt{-\beta}$
/// (the leapfrog form with $c^2 = (l+r)/2\rho$), NaN if $\beta \ge 0$.
pub fn root_dispersion(avg: &RingCouplings) -> (f64, f64) {
    let (side, centre, beta) = (0.5 * (avg.left[0] + avg.right[0]), avg.centre[0], avg.prev[0]);
    if beta >= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let rho = (-beta).sqrt();
    (side / rho, 2.0 - (centre + 2.0 * side) / rho)
}

/// Fit the leapfrog form $2(1 - \cos\omega) = c^2\\,4\sin^2(k/2) + m^2$ (lattice units) to the points
/// with $k \le$ `k_max` by least squares: returns $(c^2, m^2)$. Exact for a leapfrog Klein-Gordon network
/// ($c^2 = C^2$, $m^2 = \mu^2$).
pub fn fit_leapfrog_dispersion(points: &[DispersionPoint], k_max: f64) -> Result<(f64, f64)> {
    let sel: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.k <= k_max && p.omega_measured.is_finite())
        .map(|p| {
            (
                4.0 * (p.k / 2.0).sin().powi(2),
                2.0 * (1.0 - p.omega_measured.cos()),
            )
        })
        .collect();
    if sel.len() < 2 {
        return Err(NetworkError::InvalidParameter {
            name: "k_max",
            value: k_max,
            reason: "need at least two dispersion points with k <= k_max",
        });
    }
    let n = sel.len() as f64;
    let (mx, my) = (
        sel.iter().map(|p| p.0).sum::<f64>() / n,
        sel.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxx: f64 = sel.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = sel.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let c2 = sxy / sxx;
    Ok((c2, my - c2 * mx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    /// Teacher data: i.i.d. inputs, targets from the teacher plus label noise.
    fn run(teacher: &RingCouplings, n: usize, noise: f64, seed: u64) -> OnlineRingSgd {
        let l = teacher.len();
        let mut rng = StdRng::seed_from_u64(seed);
        let init = RingCouplings::uniform(l, 0.0, 0.0, 0.0, 0.0).unwrap();
        let mut sgd = OnlineRingSgd::new(init, 0.05, n / 10).unwrap();
        let mut target = vec![0.0; l];
        for _ in 0..n {
            let cur: Vec<f64> = (0..l).map(|_| StandardNormal.sample(&mut rng)).collect();
            let prev: Vec<f64> = (0..l).map(|_| StandardNormal.sample(&mut rng)).collect();
            target.copy_from_slice(&prev);
            teacher.step(&cur, &mut target, noise, &mut rng).unwrap();
            sgd.update(&cur, &prev, &target).unwrap();
        }
        sgd
    }

    #[test]
    fn recovers_teacher_with_error_falling_as_inverse_sqrt_n() {
        let teacher = RingCouplings::leapfrog(16, 0.5, 0.1).unwrap();
        let rms = |n: usize| -> f64 {
            let e: Vec<f64> = (0..6)
                .map(|i| {
                    run(&teacher, n, 0.1, 100 + i)
                        .averaged()
                        .rms_diff(&teacher)
                        .unwrap()
                })
                .collect();
            (e.iter().map(|x| x * x).sum::<f64>() / e.len() as f64).sqrt()
        };
        let (e1, e2) = (rms(1000), rms(16000));
        // 1/√n: the error ratio over a 16× longer stream is 4 (the noise of the estimate: ~1/√(6·16·4)).
        let ratio = e1 / e2;
        assert!((ratio - 4.0).abs() < 1.0, "ratio {ratio} (errors {e1}, {e2})");
        // Asymptotic size: σ/√n per coupling for unit-variance independent inputs.
        assert!(e2 < 3.0 * 0.1 / (16000.0f64 * 0.9).sqrt(), "{e2}");
    }

    #[test]
    fn noise_free_teacher_is_recovered_exactly() {
        let teacher = RingCouplings::leapfrog(8, 0.7, 0.2).unwrap();
        // Realisable noise-free data: the last iterate converges geometrically to the teacher.
        let sgd = run(&teacher, 4000, 0.0, 1);
        assert_eq!(sgd.steps(), 4000);
        assert!(sgd.current().rms_diff(&teacher).unwrap() < 1e-10);
    }

    #[test]
    fn contraction_is_the_log_det_of_the_update_map() {
        // For one site, det(I - γ f fᵀ) = 1 - γ|f|² (checked against a dense 4×4 determinant).
        let l = 5;
        let mut rng = StdRng::seed_from_u64(3);
        let cur: Vec<f64> = (0..l).map(|_| StandardNormal.sample(&mut rng)).collect();
        let prev: Vec<f64> = (0..l).map(|_| StandardNormal.sample(&mut rng)).collect();
        let gamma = 0.03;
        let mut out = vec![0.0; l];
        let total = learning_contraction(&cur, &prev, gamma, &mut out).unwrap();
        let mut sum = 0.0;
        for s in 0..l {
            let f =
                nalgebra::DVector::from_vec(vec![cur[(s + l - 1) % l], cur[s], cur[(s + 1) % l], prev[s]]);
            let j = nalgebra::DMatrix::identity(4, 4) - gamma * &f * f.transpose();
            let c = -j.determinant().abs().ln();
            assert!((out[s] - c).abs() < 1e-14);
            sum += c;
        }
        assert!((total - sum).abs() < 1e-13);
    }

    #[test]
    fn dispersion_of_teacher_matches_closed_form() {
        let teacher = RingCouplings::leapfrog(128, 0.5, 0.1).unwrap();
        let mut rng = StdRng::seed_from_u64(5);
        let (pts, dw) = measure_ring_dispersion(&teacher, 1024, &mut rng).unwrap();
        for p in &pts {
            let exact = crate::lattice::leapfrog_omega(0.5, p.k, 0.1);
            assert!((p.omega_theory - exact).abs() < 1e-12);
            assert!(
                (p.omega_measured - exact).abs() < dw,
                "k {} {} vs {}",
                p.k,
                p.omega_measured,
                exact
            );
        }
        let (c2, m2) = fit_leapfrog_dispersion(&pts, 0.8).unwrap();
        assert!((c2 - 0.25).abs() < 0.01 && (m2 - 0.01).abs() < 0.01, "{c2} {m2}");
        let (rc2, rm2) = root_dispersion(&teacher);
        assert!((rc2 - 0.25).abs() < 1e-15 && (rm2 - 0.01).abs() < 1e-14);
    }

    #[test]
    fn damped_network_dispersion_matches_roots() {
        let net = RingCouplings::uniform(128, 0.2, 1.15, 0.2, -0.7).unwrap();
        let mut rng = StdRng::seed_from_u64(6);
        let (pts, dw) = measure_ring_dispersion(&net, 256, &mut rng).unwrap();
        for p in pts.iter().filter(|p| p.k < 1.0) {
            assert!(
                (p.omega_measured - p.omega_theory).abs() < 2.0 * dw,
                "{} {} {}",
                p.k,
                p.omega_measured,
                p.omega_theory
            );
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(RingCouplings::uniform(2, 0.0, 0.0, 0.0, 0.0).is_err());
        assert!(RingCouplings::uniform(4, f64::NAN, 0.0, 0.0, 0.0).is_err());
        let w = RingCouplings::leapfrog(4, 0.5, 0.0).unwrap();
        assert!(OnlineRingSgd::new(w.clone(), 0.0, 0).is_err());
        let mut sgd = OnlineRingSgd::new(w, 0.1, 0).unwrap();
        assert!(sgd.update(&[0.0; 3], &[0.0; 4], &[0.0; 4]).is_err());
        assert!(sgd.update(&[f64::NAN; 4], &[0.0; 4], &[0.0; 4]).is_err());
        let mut out = vec![0.0; 4];
        assert!(learning_contraction(&[1.0; 4], &[0.0; 4], 1.0 / 3.0, &mut out).is_err());
    }
}
