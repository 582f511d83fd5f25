//! The Euler-Lagrange flow of the five-term entropy-production action (THEORY.md N3.1-N3.3).
//!
//! On a periodic interval of length $L$ the reconstructed equations are
//!
//! $$\partial_t p = -2\gamma\\,\partial_q(p\\,\partial_q F) + \frac{\gamma}{\mu}\partial_q^2 p, \qquad
//! \partial_t F = -\gamma(\partial_q F)^2 - V - \frac{\gamma}{\mu}\partial_q^2 F
//!   + \frac{4D}{\mu}\frac{\partial_q^2\sqrt p}{\sqrt p}. \tag{N3.2-N3.3}$$
//!
//! They are solved pseudo-spectrally (FFT derivatives, with a sharp Galerkin filter keeping the modes
//! $|k| \le k_\text{max}$, needed because the Euclidean regime amplifies short waves at a rate
//! $\propto k^2$) and integrated in time with classical RK4.
//!
//! Linearised about $p = p_0$, $F = 0$, $V = 0$, a mode $e^{ikq}$ obeys $\dot u = M u$,
//! $u = (\delta p, \delta F)$, with
//! $M = k^2 \begin{pmatrix} -\gamma/\mu & 2\gamma p_0 \\\\ -2D/(\mu p_0) & \gamma/\mu \end{pmatrix}$,
//! $\operatorname{tr} M = 0$, $\det M = k^4\gamma(4D\mu-\gamma)/\mu^2$. Hence (V-M3): oscillation at
//! $\omega = \gamma\hbar k^2 = \hbar k^2/2m$ in the quantum regime $4D\mu > \gamma$; linear (secular)
//! growth at $4D\mu = \gamma$ (classical, $\hbar = 0$); exponential growth at rate
//! $k^2\sqrt{\gamma(\gamma-4D\mu)}/\mu$ in the Euclidean regime $4D\mu < \gamma$.

use std::sync::Arc;

use num_complex::Complex64;
use rustfft::{Fft, FftPlanner};

/// Parameters of the action: learning rate $\gamma$, diffusion $D$, multiplier $\mu$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActionParams {
    /// Learning rate $\gamma$.
    pub gamma: f64,
    /// Diffusion coefficient $D$.
    pub d: f64,
    /// Lagrange multiplier $\mu$.
    pub mu: f64,
}

impl ActionParams {
    /// $\hbar_\text{eff}^2 = (4D\mu-\gamma)/(\gamma\mu^2)$ (N3.7); negative in the Euclidean regime.
    pub fn hbar_squared(&self) -> f64 {
        (4.0 * self.d * self.mu - self.gamma) / (self.gamma * self.mu * self.mu)
    }

    /// The exact linear propagator $e^{Mt}$ of mode `k` about $p = p_0$ (2x2, row-major).
    pub fn linear_propagator(&self, k: f64, p0: f64, t: f64) -> [[f64; 2]; 2] {
        let (g, d, mu) = (self.gamma, self.d, self.mu);
        let k2 = k * k;
        let m = [
            [-g / mu * k2, 2.0 * g * p0 * k2],
            [-2.0 * d / (mu * p0) * k2, g / mu * k2],
        ];
        // Traceless: M^2 = -det(M) I = s I.
        let s = -(m[0][0] * m[1][1] - m[0][1] * m[1][0]);
        let (c, sh) = if s > 0.0 {
            let l = s.sqrt();
            ((l * t).cosh(), (l * t).sinh() / l)
        } else if s < 0.0 {
            let w = (-s).sqrt();
            ((w * t).cos(), (w * t).sin() / w)
        } else {
            (1.0, t)
        };
        [[c + sh * m[0][0], sh * m[0][1]], [sh * m[1][0], c + sh * m[1][1]]]
    }
}

/// Pseudo-spectral RK4 solver of (N3.2)-(N3.3) on a periodic grid.
pub struct ActionFlow {
    params: ActionParams,
    n: usize,
    length: f64,
    kmax: f64,
    fwd: Arc<dyn Fft<f64>>,
    inv: Arc<dyn Fft<f64>>,
}

impl std::fmt::Debug for ActionFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionFlow")
            .field("params", &self.params)
            .field("n", &self.n)
            .field("length", &self.length)
            .field("kmax", &self.kmax)
            .finish()
    }
}

impl ActionFlow {
    /// A solver on `n` points of a periodic interval of length `length`, keeping wavenumbers
    /// $|k| \le k_\text{max}$.
    pub fn new(params: ActionParams, n: usize, length: f64, kmax: f64) -> Self {
        let mut planner = FftPlanner::new();
        Self {
            params,
            n,
            length,
            kmax,
            fwd: planner.plan_fft_forward(n),
            inv: planner.plan_fft_inverse(n),
        }
    }

    /// Grid points $q_j = jL/n$.
    pub fn grid(&self) -> Vec<f64> {
        (0..self.n)
            .map(|j| j as f64 * self.length / self.n as f64)
            .collect()
    }

    fn wavenumber(&self, j: usize) -> f64 {
        let jj = if j <= self.n / 2 {
            j as f64
        } else {
            j as f64 - self.n as f64
        };
        2.0 * std::f64::consts::PI * jj / self.length
    }

    /// Filtered first and second derivatives of a real field.
    fn derivatives(&self, u: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let n = self.n;
        let mut spec: Vec<Complex64> = u.iter().map(|&x| Complex64::new(x, 0.0)).collect();
        self.fwd.process(&mut spec);
        for (j, c) in spec.iter_mut().enumerate() {
            if self.wavenumber(j).abs() > self.kmax + 1e-12 {
                *c = Complex64::new(0.0, 0.0);
            }
        }
        let mut d0 = spec.clone();
        let mut d1 = spec.clone();
        let mut d2 = spec;
        for j in 0..n {
            let k = self.wavenumber(j);
            d1[j] *= Complex64::new(0.0, k);
            d2[j] *= -k * k;
        }
        let scale = 1.0 / n as f64;
        let back = |mut v: Vec<Complex64>| {
            self.inv.process(&mut v);
            v.iter().map(|c| c.re * scale).collect::<Vec<f64>>()
        };
        (back(std::mem::take(&mut d0)), back(d1), back(d2))
    }

    /// Right-hand sides $(\partial_t p, \partial_t F)$; `v` is the potential on the grid.
    pub fn rhs(&self, p: &[f64], f: &[f64], v: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let ActionParams { gamma, d, mu } = self.params;
        let (p0, _, p2) = self.derivatives(p);
        let (_, f1, f2) = self.derivatives(f);
        let sqrt_p: Vec<f64> = p0.iter().map(|x| x.max(0.0).sqrt()).collect();
        let (s0, _, s2) = self.derivatives(&sqrt_p);
        let flux: Vec<f64> = p0.iter().zip(&f1).map(|(a, b)| a * b).collect();
        let (_, flux1, _) = self.derivatives(&flux);
        let dp = (0..self.n)
            .map(|j| -2.0 * gamma * flux1[j] + gamma / mu * p2[j])
            .collect();
        let df = (0..self.n)
            .map(|j| -gamma * f1[j] * f1[j] - v[j] - gamma / mu * f2[j] + 4.0 * d / mu * s2[j] / s0[j])
            .collect();
        (dp, df)
    }

    /// One classical RK4 step of length `dt`.
    pub fn step(&self, p: &mut [f64], f: &mut [f64], v: &[f64], dt: f64) {
        let axpy =
            |x: &[f64], k: &[f64], h: f64| x.iter().zip(k).map(|(a, b)| a + h * b).collect::<Vec<f64>>();
        let (k1p, k1f) = self.rhs(p, f, v);
        let (k2p, k2f) = self.rhs(&axpy(p, &k1p, dt / 2.0), &axpy(f, &k1f, dt / 2.0), v);
        let (k3p, k3f) = self.rhs(&axpy(p, &k2p, dt / 2.0), &axpy(f, &k2f, dt / 2.0), v);
        let (k4p, k4f) = self.rhs(&axpy(p, &k3p, dt), &axpy(f, &k3f, dt), v);
        for j in 0..self.n {
            p[j] += dt / 6.0 * (k1p[j] + 2.0 * k2p[j] + 2.0 * k3p[j] + k4p[j]);
            f[j] += dt / 6.0 * (k1f[j] + 2.0 * k2f[j] + 2.0 * k3f[j] + k4f[j]);
        }
    }

    /// Cosine amplitude of mode `k` (an integer multiple of $2\pi/L$) of a field: $\frac{2}{n}\sum_j
    /// u_j \cos(k q_j)$.
    pub fn cos_amplitude(&self, u: &[f64], k: f64) -> f64 {
        let q = self.grid();
        2.0 / self.n as f64 * u.iter().zip(&q).map(|(a, x)| a * (k * x).cos()).sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn propagator_is_exp_of_m_at_small_t() {
        // e^{Mt} = I + Mt + O(t^2) in every regime.
        for d in [0.1, 0.125, 1.0] {
            let p = ActionParams {
                gamma: 0.5,
                d,
                mu: 1.0,
            };
            let t = 1e-6;
            let e = p.linear_propagator(2.0, 1.0, t);
            let k2 = 4.0;
            assert!((e[0][0] - (1.0 - 0.5 * k2 * t)).abs() < 1e-10);
            assert!((e[0][1] - 2.0 * 0.5 * k2 * t).abs() < 1e-10);
            assert!((e[1][0] + 2.0 * d * k2 * t).abs() < 1e-10);
        }
    }
}
