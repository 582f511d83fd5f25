//! E-6: one network seen from both sides, and the entropy budget between the two descriptions.
//!
//! **Network.** A ring of $L$ neurons $\phi_x$ (non-trainable, fast) with one trainable coupling $w$
//! (the squared Courant number, i.e. $c^2$ in lattice units). The neurons follow the damped thermal
//! leapfrog
//! $$\phi^{t+1}\_x = 2\phi^t_x - \phi^{t-1}\_x + w\\,\Delta\phi^t_x - \eta(\phi^t_x - \phi^{t-1}\_x) + \xi^t_x,
//!   \qquad \xi \sim \mathcal N(0, \sigma_\xi^2),$$
//! and are read out with noise, $\psi = \phi + \varepsilon$, $\varepsilon\sim\mathcal N(0, \sigma^2)$.
//! The coupling learns by SGD (N2.3) on the bulk loss (N2.2) of all $L$ neurons (mini-batch $M = L$):
//! $$w \leftarrow w + \gamma\\,\bar g,\qquad \bar g = \frac1L\sum_x (y_x - w u_x)u_x,\quad
//!   u = \Delta\psi^t,\ y = \psi^{t+1} - 2\psi^t + \psi^{t-1}$$
//! (the E-3b rule with one global weight). An ensemble of $R$ replicas gives the distribution $p(w)$.
//!
//! **Quantum description (the $w$ ensemble, THEORY.md §3, N3.7).** From the stationary ensemble:
//! variance $P$, lag-one autocorrelation $\rho$; for the AR(1) process $w' - \bar w = \rho(w - \bar w) +
//! \text{noise}$ the relaxation per step is $\gamma\kappa_W = 1 - \rho$ and the diffusion constant
//! (N2.6, one step as time unit) $D_W = P(1 - \rho^2)/2$. Then $m_\text{eff} = 1/(2\gamma)$, and with the
//! multiplier $\mu$ of (N3.1) fixed by E0.1, $\mu = (\sqrt5 - 2)\gamma/D_W$ (the value at which plain
//! learning satisfies the Madelung pair), $\hbar_\text{eff}^2 = (4D_W\mu - \gamma)/(\gamma\mu^2) =
//! -(D_W/\gamma)^2$. The existence condition of a real $\mu$ for a given $\hbar$ in (N3.7) is
//! $\hbar \le 2D_W/\gamma$.
//!
//! **Gravitational description (the field $\phi$ on the learned $w$, §5-§8).** The dispersion of $\phi$:
//! per Fourier mode the lag-one and lag-two autocorrelations give the AR(2) coefficients
//! $a_1 = 2 - \eta - 4c^2\sin^2(k/2)$, $a_2 = -(1 - \eta)$ (Yule-Walker), hence $c^2(k)$; and the
//! neuron-number bookkeeping (V-M6): the multiplier of the neuron number, $\tilde\Lambda =
//! \partial\langle H\rangle/\partial N$, from frozen-$w$ rings of $L$ and $2L$ neurons.
//!
//! **Budget (N2.8, term by term).** At learning equilibrium the $w$ ensemble's stochastic production
//! $D/P$ equals its learning destruction $\gamma\kappa$. Each term has a counterpart measured from the
//! neurons alone:
//! * production: (N2.6) $D_\phi = \gamma^2\\,\mathrm{Var}(\bar g)/2$ from the gradient noise of the neurons
//!   at fixed $w$ (white-noise form), and the coloured form
//!   $D_\phi^{(\ell)} = \tfrac{\gamma^2}{2}\sum_{|j|\le\ell}\mathrm{Cov}(\bar g_t, \bar g_{t+j})$;
//! * destruction: $\kappa_\phi = -\partial\langle\bar g\rangle/\partial w$, the response of the mean
//!   gradient of frozen-$w$ neurons (the Hessian of their free energy in the sense of N2.5), against the
//!   naive $\langle\partial^2h/\partial w^2\rangle = \langle\bar u^2\rangle$.
//!
//! The lag-one estimates of the $w$ side assume white gradient noise; the read-out noise gives $\bar g$ a
//! memory of two steps, which biases them. The long-lag relaxation
//! $\gamma\kappa_W = 1 - \rho(\tau)^{1/\tau}$ (lag [`DualityConfig::relaxation_lag`]) and the stationary
//! spread of the discrete AR(1) balance, $P = 2D/(1 - (1 - \gamma\kappa)^2)$, do not.
//!
//! Determinism: replica $r$ uses [`member_rng`]`(seed, r)`; rayon runs replicas in parallel.

use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use rustfft::FftPlanner;
use rustfft::num_complex::Complex64;

use crate::error::{NetworkError, Result, check_gamma, check_non_negative, check_positive};
use crate::rng::member_rng;

/// Lags of the gradient autocovariance recorded for the coloured diffusion constant.
pub const GRADIENT_LAGS: usize = 4;

/// Configuration of an E-6 ensemble.
#[derive(Debug, Clone, PartialEq)]
pub struct DualityConfig {
    /// Ring size $L$.
    pub l: usize,
    /// Replicas $R$.
    pub replicas: usize,
    /// Groups of replicas for batch-mean errors ($R$ divisible by it).
    pub groups: usize,
    /// Damping $\eta$.
    pub damping: f64,
    /// Thermal noise $\sigma_\xi$ of the neuron dynamics.
    pub thermal: f64,
    /// Read-out noise $\sigma$.
    pub readout: f64,
    /// Learning rate $\gamma$ (ignored when frozen).
    pub gamma: f64,
    /// Initial coupling $w_0$.
    pub w0: f64,
    /// Whether $w$ learns (false: frozen at $w_0$).
    pub learning: bool,
    /// Burn-in steps.
    pub burn_in: usize,
    /// Measured steps.
    pub steps: usize,
    /// Lag $\tau$ (steps) of the long-lag autocorrelation of $w$, $\gamma\kappa = 1 - \rho(\tau)^{1/\tau}$
    /// (insensitive to the short memory of the gradient noise, unlike the lag-one estimate).
    pub relaxation_lag: usize,
    /// Seed.
    pub seed: u64,
}

/// Per-group statistics of one ensemble run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupStats {
    /// Mean of $w$.
    pub w_mean: f64,
    /// Variance of $w$ (pooled over replicas and time, about the group mean).
    pub w_var: f64,
    /// Lag-one autocorrelation of $w$.
    pub w_rho: f64,
    /// Autocorrelation of $w$ at the lag [`DualityConfig::relaxation_lag`].
    pub w_rho_lag: f64,
    /// Mean gradient $\langle\bar g\rangle$.
    pub g_mean: f64,
    /// Autocovariances $\mathrm{Cov}(\bar g_t, \bar g_{t+j})$, $j = 0..=$[`GRADIENT_LAGS`].
    pub g_cov: Vec<f64>,
    /// $\langle\bar u^2\rangle$ (mean over sites of $u^2$).
    pub u2: f64,
    /// Mean bulk loss per neuron $\langle\bar h\rangle$.
    pub h_mean: f64,
}

/// What an E-6 ensemble measured.
#[derive(Debug, Clone, PartialEq)]
pub struct DualityRun {
    /// Statistics per replica group.
    pub groups: Vec<GroupStats>,
    /// Mode numbers $m$ ($k = 2\pi m/L$) of the dispersion.
    pub modes: Vec<usize>,
    /// $c^2(k)$ from the Yule-Walker fit of each mode (pooled over all replicas); empty without thermal
    /// noise (the field is then identically zero and has no dispersion).
    pub c2_of_k: Vec<f64>,
    /// $-a_2$ per mode, expected $1 - \eta$.
    pub minus_a2: Vec<f64>,
    /// $c^2$ from the dispersion per group (mode-averaged).
    pub c2_groups: Vec<f64>,
}

/// Quantum-side constants from a $w$ ensemble (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantumSide {
    /// $D_W = P(1 - \rho^2)/2$.
    pub diffusion: f64,
    /// $\gamma\kappa_W = 1 - \rho$.
    pub destruction_rate: f64,
    /// $D_W/P$.
    pub production_rate: f64,
    /// $m_\text{eff} = 1/(2\gamma)$.
    pub mass: f64,
    /// $\mu = (\sqrt5 - 2)\gamma/D_W$ (E0.1).
    pub mu: f64,
    /// $\hbar_\text{eff}^2 = (4D_W\mu - \gamma)/(\gamma\mu^2)$.
    pub hbar2: f64,
}

impl QuantumSide {
    /// From the variance $P$ and lag-one autocorrelation $\rho$ of $w$ and the learning rate.
    pub fn from_ensemble(var: f64, rho: f64, gamma: f64) -> Result<Self> {
        check_positive("Var(w)", var)?;
        check_gamma(gamma)?;
        if !(rho.is_finite() && rho.abs() < 1.0) {
            return Err(NetworkError::InvalidParameter {
                name: "lag-one autocorrelation rho",
                value: rho,
                reason: "must satisfy |rho| < 1",
            });
        }
        let diffusion = var * (1.0 - rho * rho) / 2.0;
        let mu = (5f64.sqrt() - 2.0) * gamma / diffusion;
        Ok(Self {
            diffusion,
            destruction_rate: 1.0 - rho,
            production_rate: diffusion / var,
            mass: 1.0 / (2.0 * gamma),
            mu,
            hbar2: (4.0 * diffusion * mu - gamma) / (gamma * mu * mu),
        })
    }
}

/// Run one E-6 ensemble.
pub fn run_duality(cfg: &DualityConfig) -> Result<DualityRun> {
    check_duality(cfg)?;
    let l = cfg.l;
    let nmodes = l / 2 - 1;
    let per = cfg.replicas / cfg.groups;
    let replicas: Vec<Replica> = (0..cfg.replicas)
        .into_par_iter()
        .map(|r| run_replica(cfg, r as u64, nmodes))
        .collect::<Result<Vec<_>>>()?;
    let mut groups = Vec::with_capacity(cfg.groups);
    let mut c2_groups = Vec::with_capacity(cfg.groups);
    for g in 0..cfg.groups {
        let reps = &replicas[g * per..(g + 1) * per];
        groups.push(group_stats(cfg, reps));
        if cfg.thermal > 0.0 {
            let (_, c2k) = yule_walker(reps, nmodes)?;
            c2_groups.push(c2k.iter().sum::<f64>() / c2k.len() as f64);
        }
    }
    let (minus_a2, c2_of_k) = if cfg.thermal > 0.0 {
        yule_walker(&replicas, nmodes)?
    } else {
        (vec![], vec![])
    };
    Ok(DualityRun {
        groups,
        modes: (1..=nmodes).collect(),
        c2_of_k,
        minus_a2,
        c2_groups,
    })
}

/// Validate a [`DualityConfig`].
fn check_duality(cfg: &DualityConfig) -> Result<()> {
    if cfg.l < 4 {
        return Err(NetworkError::InvalidParameter {
            name: "ring size L",
            value: cfg.l as f64,
            reason: "must be >= 4",
        });
    }
    if cfg.groups == 0 || cfg.replicas < 2 * cfg.groups || !cfg.replicas.is_multiple_of(cfg.groups) {
        return Err(NetworkError::InvalidParameter {
            name: "replicas",
            value: cfg.replicas as f64,
            reason: "must be a multiple of groups with >= 2 replicas per group",
        });
    }
    check_non_negative("damping", cfg.damping)?;
    check_non_negative("thermal noise", cfg.thermal)?;
    check_positive("read-out noise", cfg.readout)?;
    check_gamma(cfg.gamma)?;
    if !(cfg.w0.is_finite() && cfg.w0 > 0.0 && cfg.w0 <= 1.0) {
        return Err(NetworkError::InvalidParameter {
            name: "w0",
            value: cfg.w0,
            reason: "1D leapfrog needs 0 < w <= 1",
        });
    }
    if cfg.relaxation_lag == 0 || cfg.steps <= (GRADIENT_LAGS + 2).max(2 * cfg.relaxation_lag) {
        return Err(NetworkError::InvalidParameter {
            name: "steps",
            value: cfg.steps as f64,
            reason: "too few measured steps",
        });
    }
    Ok(())
}

/// The statistics of one group of replicas (`reps`, each run for `cfg.steps` measured steps).
fn group_stats(cfg: &DualityConfig, reps: &[Replica]) -> GroupStats {
    let per = reps.len();
    let n = (per * cfg.steps) as f64;
    let w_mean = reps.iter().map(|r| r.w_sum).sum::<f64>() / n;
    let w_sq = reps.iter().map(|r| r.w_sq).sum::<f64>() / n;
    let w_var = w_sq - w_mean * w_mean;
    // Lag one: pairs (t, t+1), steps-1 per replica.
    let n1 = (per * (cfg.steps - 1)) as f64;
    let lag = reps.iter().map(|r| r.w_lag).sum::<f64>() / n1;
    let w_rho = (lag - w_mean * w_mean) / w_var;
    let nt = (per * (cfg.steps - cfg.relaxation_lag)) as f64;
    let lag_t = reps.iter().map(|r| r.w_lag_tau).sum::<f64>() / nt;
    let w_rho_lag = (lag_t - w_mean * w_mean) / w_var;
    let g_mean = reps.iter().map(|r| r.g_sum).sum::<f64>() / n;
    let g_cov = (0..=GRADIENT_LAGS)
        .map(|j| {
            let nj = (per * (cfg.steps - j)) as f64;
            reps.iter().map(|r| r.g_lag[j]).sum::<f64>() / nj - g_mean * g_mean
        })
        .collect();
    GroupStats {
        w_mean,
        w_var,
        w_rho,
        w_rho_lag,
        g_mean,
        g_cov,
        u2: reps.iter().map(|r| r.u2_sum).sum::<f64>() / n,
        h_mean: reps.iter().map(|r| r.h_sum).sum::<f64>() / n,
    }
}

/// AR(2) Yule-Walker per mode from pooled lag-0/1/2 autocovariances: returns $(-a_2, c^2(k))$ with
/// $c^2 = (1 - a_2 - a_1)/(4\sin^2(k/2))$.
fn yule_walker(reps: &[Replica], nmodes: usize) -> Result<(Vec<f64>, Vec<f64>)> {
    let l = 2 * (nmodes + 1);
    let mut ma2 = Vec::with_capacity(nmodes);
    let mut c2 = Vec::with_capacity(nmodes);
    for m in 0..nmodes {
        let c0: f64 = reps.iter().map(|r| r.mode_c[m][0]).sum();
        let c1: f64 = reps.iter().map(|r| r.mode_c[m][1]).sum();
        let c2v: f64 = reps.iter().map(|r| r.mode_c[m][2]).sum();
        let (r1, r2) = (c1 / c0, c2v / c0);
        let det = 1.0 - r1 * r1;
        if !(det.is_finite() && det > 0.0) {
            return Err(NetworkError::Singular {
                what: "Yule-Walker system of a mode",
                value: det,
            });
        }
        let a1 = r1 * (1.0 - r2) / det;
        let a2 = (r2 - r1 * r1) / det;
        let k = std::f64::consts::TAU * (m + 1) as f64 / l as f64;
        ma2.push(-a2);
        c2.push((1.0 - a2 - a1) / (4.0 * (k / 2.0).sin().powi(2)));
    }
    Ok((ma2, c2))
}

struct Replica {
    w_sum: f64,
    w_sq: f64,
    w_lag: f64,
    w_lag_tau: f64,
    g_sum: f64,
    g_lag: Vec<f64>,
    u2_sum: f64,
    h_sum: f64,
    /// Per mode: lag-0, lag-1, lag-2 autocovariance sums (real parts).
    mode_c: Vec<[f64; 3]>,
}

fn run_replica(cfg: &DualityConfig, r: u64, nmodes: usize) -> Result<Replica> {
    let l = cfg.l;
    let mut rng = member_rng(cfg.seed, r);
    let mut phi_prev = vec![0.0; l];
    let mut phi = vec![0.0; l];
    let mut e_prev: Vec<f64> = (0..l).map(|_| gauss(&mut rng, cfg.readout)).collect();
    let mut e_cur: Vec<f64> = (0..l).map(|_| gauss(&mut rng, cfg.readout)).collect();
    let mut next = vec![0.0; l];
    let mut e_next = vec![0.0; l];
    let mut w = cfg.w0;
    let fft = FftPlanner::<f64>::new().plan_fft_forward(l);
    let mut buf = vec![Complex64::new(0.0, 0.0); l];
    // The last three spectra (t-2, t-1, t) of the modes 1..=nmodes.
    let mut hist: Vec<Vec<Complex64>> = vec![vec![Complex64::new(0.0, 0.0); nmodes]; 3];
    let mut out = Replica::new(nmodes);
    let mut g_hist = [0.0; GRADIENT_LAGS + 1];
    let mut w_last = f64::NAN;
    let mut w_ring = vec![0.0; cfg.relaxation_lag];
    for t in 0..cfg.burn_in + cfg.steps {
        // Neuron step with the current coupling.
        for x in 0..l {
            next[x] = 2.0 * phi[x] - phi_prev[x] + w * ring_laplacian(&phi, x)
                - cfg.damping * (phi[x] - phi_prev[x])
                + gauss(&mut rng, cfg.thermal);
            e_next[x] = gauss(&mut rng, cfg.readout);
        }
        let ghu = bulk_gradient(w, [&phi_prev, &phi, &next], [&e_prev, &e_cur, &e_next]);
        let measuring = t >= cfg.burn_in;
        if measuring {
            out.record_weight(t - cfg.burn_in, w, w_last, &mut w_ring, ghu, &mut g_hist);
        }
        w_last = w;
        if cfg.learning {
            w += cfg.gamma * ghu.0;
            if !(w.is_finite() && w > 0.0 && w <= 1.0) {
                return Err(NetworkError::InvalidParameter {
                    name: "learned coupling w",
                    value: w,
                    reason: "left the stable band 0 < w <= 1 of the 1D leapfrog",
                });
            }
        }
        // Rotate the field and the noise.
        std::mem::swap(&mut phi_prev, &mut phi);
        std::mem::swap(&mut phi, &mut next);
        std::mem::swap(&mut e_prev, &mut e_cur);
        std::mem::swap(&mut e_cur, &mut e_next);
        if measuring {
            // Spectrum of phi^{t+1} (now in `phi`).
            for (b, v) in buf.iter_mut().zip(&phi) {
                *b = Complex64::new(*v, 0.0);
            }
            fft.process(&mut buf);
            hist.rotate_left(1);
            hist[2].copy_from_slice(&buf[1..=nmodes]);
            out.record_spectrum(t - cfg.burn_in, &hist);
        }
    }
    Ok(out)
}

/// A centred normal deviate of standard deviation `s` (drawn even for `s = 0`, so the stream does
/// not depend on which noises are switched on).
fn gauss(rng: &mut crate::rng::StreamRng, s: f64) -> f64 {
    let z: f64 = StandardNormal.sample(rng);
    s * z
}

/// The ring Laplacian $f_{x+1} + f_{x-1} - 2f_x$ (periodic).
#[inline]
fn ring_laplacian(f: &[f64], x: usize) -> f64 {
    let l = f.len();
    f[(x + 1) % l] + f[(x + l - 1) % l] - 2.0 * f[x]
}

/// The site means $(g, \langle u^2\rangle, H)$ of the bulk loss $H = \tfrac12(y - w u)^2$ on the
/// read-out states $\psi = \phi + \epsilon$ at $t-1, t, t+1$: $u = \Delta\psi_t$,
/// $y = \psi_{t+1} - 2\psi_t + \psi_{t-1}$, $g = (y - w u) u$ (`phi`, `eps` = levels $t-1, t, t+1$).
fn bulk_gradient(w: f64, phi: [&[f64]; 3], eps: [&[f64]; 3]) -> (f64, f64, f64) {
    let ([phi_prev, phi_cur, next], [e_prev, e_cur, e_next]) = (phi, eps);
    let l = phi_cur.len();
    let (mut g, mut u2, mut h) = (0.0, 0.0, 0.0);
    for x in 0..l {
        let u = ring_laplacian(phi_cur, x) + ring_laplacian(e_cur, x);
        let y = (next[x] - 2.0 * phi_cur[x] + phi_prev[x]) + (e_next[x] - 2.0 * e_cur[x] + e_prev[x]);
        let res = y - w * u;
        g += res * u;
        u2 += u * u;
        h += 0.5 * res * res;
    }
    let lf = l as f64;
    (g / lf, u2 / lf, h / lf)
}

impl Replica {
    fn new(nmodes: usize) -> Self {
        Self {
            w_sum: 0.0,
            w_sq: 0.0,
            w_lag: 0.0,
            w_lag_tau: 0.0,
            g_sum: 0.0,
            g_lag: vec![0.0; GRADIENT_LAGS + 1],
            u2_sum: 0.0,
            h_sum: 0.0,
            mode_c: vec![[0.0; 3]; nmodes],
        }
    }

    /// Accumulate measured step `i`: the coupling `w` (lag 1 against `w_last`, lag $\tau$ through the
    /// ring buffer `w_ring`), and the gradient, $u^2$ and loss `(g, u2, h)` with the gradient lags.
    fn record_weight(
        &mut self,
        i: usize,
        w: f64,
        w_last: f64,
        w_ring: &mut [f64],
        (g, u2, h): (f64, f64, f64),
        g_hist: &mut [f64; GRADIENT_LAGS + 1],
    ) {
        let tau = w_ring.len();
        self.w_sum += w;
        self.w_sq += w * w;
        if i > 0 {
            self.w_lag += w * w_last;
        }
        if i >= tau {
            self.w_lag_tau += w * w_ring[i % tau];
        }
        w_ring[i % tau] = w;
        self.g_sum += g;
        self.u2_sum += u2;
        self.h_sum += h;
        g_hist.rotate_right(1);
        g_hist[0] = g;
        for j in 0..=GRADIENT_LAGS.min(i) {
            self.g_lag[j] += g * g_hist[j];
        }
    }

    /// Accumulate the lag-0/1/2 mode autocovariances of measured step `i` from the last three
    /// spectra `hist` (t-2, t-1, t).
    fn record_spectrum(&mut self, i: usize, hist: &[Vec<Complex64>]) {
        for (m, c) in self.mode_c.iter_mut().enumerate() {
            let a = hist[2][m];
            c[0] += a.norm_sqr();
            if i >= 1 {
                c[1] += (a * hist[1][m].conj()).re;
            }
            if i >= 2 {
                c[2] += (a * hist[0][m].conj()).re;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantum_side_of_plain_learning_is_euclidean() {
        // With mu from E0.1 the dictionary gives hbar^2 = -(D/gamma)^2 exactly.
        let q = QuantumSide::from_ensemble(0.02, 0.9, 0.01).unwrap();
        let d = 0.02 * (1.0 - 0.81) / 2.0;
        assert!((q.diffusion - d).abs() < 1e-18);
        assert!((q.hbar2 + (d / 0.01).powi(2)).abs() < 1e-12 * (d / 0.01).powi(2));
        assert!((q.mass - 50.0).abs() < 1e-12);
        assert!((q.destruction_rate - 0.1).abs() < 1e-15);
        assert!(QuantumSide::from_ensemble(0.02, 1.0, 0.01).is_err());
    }

    #[test]
    fn frozen_dispersion_recovers_the_coupling_and_damping() {
        // A frozen ring (no learning): the Yule-Walker dispersion gives c^2 = w and -a2 = 1 - eta.
        let cfg = DualityConfig {
            l: 16,
            replicas: 8,
            groups: 2,
            damping: 0.2,
            thermal: 1.0,
            readout: 1.0,
            gamma: 1e-3,
            w0: 0.5,
            learning: false,
            burn_in: 200,
            steps: 20_000,
            relaxation_lag: 10,
            seed: 5,
        };
        let run = run_duality(&cfg).unwrap();
        for (c2, ma2) in run.c2_of_k.iter().zip(&run.minus_a2) {
            assert!((c2 - 0.5).abs() < 0.02, "c2 = {c2}");
            assert!((ma2 - 0.8).abs() < 0.02, "-a2 = {ma2}");
        }
        // Frozen: w never moves.
        assert!(run.groups.iter().all(|g| (g.w_mean - 0.5).abs() < 1e-12));
    }

    #[test]
    fn pure_readout_noise_fixes_the_gradient_mean() {
        // Without a field (thermal = 0) the mean gradient is sigma^2 (4 - 6w) exactly (1D stencil).
        let cfg = DualityConfig {
            l: 16,
            replicas: 8,
            groups: 2,
            damping: 0.1,
            thermal: 0.0,
            readout: 1.0,
            gamma: 1e-3,
            w0: 0.5,
            learning: false,
            burn_in: 10,
            steps: 20_000,
            relaxation_lag: 10,
            seed: 9,
        };
        let run = run_duality(&cfg).unwrap();
        let g = run.groups.iter().map(|g| g.g_mean).sum::<f64>() / 2.0;
        assert!((g - 1.0).abs() < 0.05, "mean gradient {g}, expected 4 - 3 = 1");
        let u2 = run.groups.iter().map(|g| g.u2).sum::<f64>() / 2.0;
        assert!((u2 - 6.0).abs() < 0.1, "<u^2> = {u2}, expected 6");
        assert!(run.c2_of_k.is_empty());
    }

    #[test]
    fn bad_input_is_rejected() {
        let mut cfg = DualityConfig {
            l: 16,
            replicas: 8,
            groups: 2,
            damping: 0.1,
            thermal: 0.1,
            readout: 1.0,
            gamma: 1e-3,
            w0: 0.5,
            learning: true,
            burn_in: 10,
            steps: 100,
            relaxation_lag: 10,
            seed: 1,
        };
        cfg.replicas = 7;
        assert!(run_duality(&cfg).is_err());
        cfg.replicas = 8;
        cfg.w0 = 1.5;
        assert!(run_duality(&cfg).is_err());
    }
}
