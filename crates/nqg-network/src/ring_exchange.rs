//! A rotation weight on the ring with grand-canonical neuron exchange: the microscopic model of the
//! quantisation step (THEORY.md N4.1-N4.2, E-4, E0.3).
//!
//! # The model
//! One trainable weight $q$ is an angle; its learning trajectory lives on the universal cover
//! $Q \in \mathbb R$ (the winding is kept). The hidden layer holds $N(Q) = N_0 + \lfloor Q/2\pi\rfloor$
//! fully active independent Gaussian neurons, $H_i = \tfrac a2 x_i^2$ (N-8), plus one neuron being
//! born, with stiffness $a(s)$ ramped over the loop fraction $s = Q/2\pi - \lfloor Q/2\pi\rfloor$:
//! $$H(x, Q) = \sum_{i=1}^{N(Q)} \tfrac a2 x_i^2 + \tfrac12 a(s)\\,x_0^2,\qquad
//! a(0) = a_\text{ref} = 2\pi/\beta,\quad a(1) = a.$$
//! At $a_\text{ref}$ a neuron has $Z = \int dx\\, e^{-\beta a_\text{ref} x^2/2} = 1$ in the unit of $x$:
//! it is indistinguishable from the reservoir's measure $dx$, so it can be created or removed at no
//! cost. Completing a loop forward turns the partial neuron into a full one and starts a new one
//! (birth); going back removes one (death). The free energy on the cover,
//! $$F(Q) = N(Q)\\,\mu_c + F_0(s),\qquad \mu_c = F(N+1) - F(N) = \tfrac1{2\beta}\ln\tfrac{\beta a}{2\pi},$$
//! with $F_0(s) = \tfrac1{2\beta}\ln\tfrac{\beta a(s)}{2\pi}$, is continuous and jumps by $\mu_c$ per
//! loop (N4.1): $F$ is multivalued on the ring. Two ramps ([`BirthRamp`]):
//! * geometric, $a(s) = a_\text{ref}(a/a_\text{ref})^s$: $F_0 = s\mu_c$, a constant force
//!   $\partial_Q F = \mu_c/2\pi$, and the sampled gradient $\partial_Q H = (\mu_c/2\pi)\\,z^2$ with
//!   $z \sim N(0,1)$, independent of $Q$ (the free ring with a uniform tilt);
//! * linear, $a(s) = a_\text{ref} + s(a - a_\text{ref})$: a non-uniform force with the same jump.
//!
//! # The learning dynamics
//! SGD on $Q$ with the fast neuron equilibrated (N2.5): each step draws $M$ samples
//! $x_{0,j} \sim p(x_0|Q)$ and, optionally, a per-sample injected gradient noise $\sigma_x\xi_j$ (data
//! noise, as in N-3), and moves
//! $Q \leftarrow Q - \tfrac\gamma M\sum_j\big[\partial_Q H(x_{0,j}, Q) + \sigma_x\xi_j\big]$.
//! For the geometric ramp the increments are i.i.d., so the Fourier modes of $p(t, q)$,
//! $c_n(t) = \langle e^{inQ}\rangle$, evolve exactly as $c_n(t) = c_n(0)\\,\varphi_n^t$ with
//! $$\varphi_n = \Big(1 + \tfrac{2in\gamma\mu_c}{2\pi M}\Big)^{-M/2} e^{-n^2\gamma^2\sigma_x^2/2M}$$
//! ([`RingExchange::mode_factor`]); in the continuum $-\ln\varphi_n \approx inv + Dn^2$ with drift
//! $v = \gamma\mu_c/2\pi$ and $D = \gamma^2(2(\mu_c/2\pi)^2 + \sigma_x^2)/2M$ (N2.6). The
//! Schrödinger reading (N4.2, N4.4) would instead have modes oscillating at $E_n/\hbar = \hbar n^2/2m$
//! with $\hbar = |\mu_c|/2\pi$, $m = 1/2\gamma$ and no decay.
//!
//! # Units (E0.3)
//! Measuring $x$ in a unit $\lambda$ times larger ([`RingExchange::in_unit`]) gives the numbers
//! $x' = x/\lambda$ and the stiffness $a' = a\lambda^2$, while the reservoir's reference measure is
//! $dx'$ (so $a_\text{ref} = 2\pi/\beta$ in the new unit): $\mu_c' = \mu_c + \beta^{-1}\ln\lambda$, and
//! the neuron-exchange $\hbar = |\mu_c|/2\pi$ depends on the unit.
//!
//! # Self-tuning
//! [`DiffusionController`] measures $D$ from the displacement of the replicas over a segment and
//! adapts $\gamma$ and $M$ so that the dictionary's $\hbar^2 = (4D\mu - \gamma)/(\gamma\mu^2)$ (N3.7)
//! meets the neuron-exchange $\hbar = |\mu_c(N)|/2\pi$ (N4.3) with the current $N$;
//! [`run_self_tuning`] runs an [`Ensemble`] under it while the ring dynamics exchanges neurons.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use rustfft::num_complex::Complex64;

use crate::adaptive::{Controller, ExactFreeEnergy, HyperParams, IndependentNeurons};
use crate::ensemble::Ensemble;
use crate::error::{NetworkError, Result, check_gamma, check_non_negative, check_positive};
use crate::learning::Dynamics;
use crate::moments::Moments;
use crate::rng::{StreamRng, member_rng};

const TAU: f64 = 2.0 * std::f64::consts::PI;

/// How the stiffness of the neuron being born is ramped over one loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthRamp {
    /// $a(s) = a_\text{ref}(a/a_\text{ref})^s$: $F_0(s) = s\mu_c$, uniform force.
    Geometric,
    /// $a(s) = a_\text{ref} + s(a - a_\text{ref})$: non-uniform force, same loop jump.
    Linear,
}

/// The rotation weight with neuron exchange (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RingExchange {
    neurons: IndependentNeurons,
    a: f64,
    beta: f64,
    ramp: BirthRamp,
    base_neurons: usize,
    gamma: f64,
    batch: usize,
    injected: f64,
}

impl RingExchange {
    /// Neuron stiffness `a > 0`, inverse temperature `beta > 0`, `base_neurons` $N_0$ full neurons at
    /// $Q \in [0, 2\pi)$, learning rate `gamma`, mini-batch `batch >= 1`, injected per-sample gradient
    /// noise `injected` $= \sigma_x \ge 0$.
    ///
    /// # Errors
    /// [`NetworkError::InvalidParameter`], [`NetworkError::InvalidLearningRate`] or
    /// [`NetworkError::InvalidBatchSize`] with the offending value.
    pub fn new(
        a: f64,
        beta: f64,
        ramp: BirthRamp,
        base_neurons: usize,
        gamma: f64,
        batch: usize,
        injected: f64,
    ) -> Result<Self> {
        let neurons = IndependentNeurons::new(a, beta)?;
        check_gamma(gamma)?;
        check_non_negative("injected noise sigma_x", injected)?;
        if batch == 0 {
            return Err(NetworkError::InvalidBatchSize {
                batch,
                max: usize::MAX,
            });
        }
        Ok(Self {
            neurons,
            a,
            beta,
            ramp,
            base_neurons,
            gamma,
            batch,
            injected,
        })
    }

    /// The same network with new learning hyper-parameters $(\gamma, M)$.
    ///
    /// # Errors
    /// As [`RingExchange::new`].
    pub fn with_learning(&self, gamma: f64, batch: usize) -> Result<Self> {
        Self::new(
            self.a,
            self.beta,
            self.ramp,
            self.base_neurons,
            gamma,
            batch,
            self.injected,
        )
    }

    /// The same network described with $x$ measured in a unit `lambda` times larger (E0.3): the
    /// numerical stiffness becomes $a\lambda^2$, while the reservoir reference $2\pi/\beta$ is a
    /// number in whatever unit is used; $\mu_c \to \mu_c + \beta^{-1}\ln\lambda$.
    ///
    /// # Errors
    /// [`NetworkError::InvalidParameter`] for `lambda <= 0` or non-finite.
    pub fn in_unit(&self, lambda: f64) -> Result<Self> {
        check_positive("unit lambda", lambda)?;
        Self::new(
            self.a * lambda * lambda,
            self.beta,
            self.ramp,
            self.base_neurons,
            self.gamma,
            self.batch,
            self.injected,
        )
    }

    /// Stiffness $a$ of a full neuron.
    pub fn stiffness(&self) -> f64 {
        self.a
    }

    /// $\beta$.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// $\gamma$.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// $M$.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// $\sigma_x$.
    pub fn injected(&self) -> f64 {
        self.injected
    }

    /// The ramp.
    pub fn ramp(&self) -> BirthRamp {
        self.ramp
    }

    /// The neuron model (exact $F(N)$).
    pub fn neuron_model(&self) -> IndependentNeurons {
        self.neurons
    }

    /// $a_\text{ref} = 2\pi/\beta$: the stiffness at which a neuron has $Z = 1$.
    pub fn reference_stiffness(&self) -> f64 {
        TAU / self.beta
    }

    /// $\mu_c = F(N_0 + 1) - F(N_0)$ from the exact free energy (N4.1).
    pub fn chemical_potential(&self) -> f64 {
        self.neurons.chemical_potential(self.base_neurons)
    }

    /// $\hbar = |\mu_c|/2\pi$ (N4.2).
    pub fn hbar(&self) -> f64 {
        self.chemical_potential().abs() / TAU
    }

    /// Drift per step of the mean, $-\gamma\mu_c/2\pi$ (geometric ramp; the loop average otherwise).
    pub fn drift(&self) -> f64 {
        -self.gamma * self.chemical_potential() / TAU
    }

    /// Continuum diffusion per step of the geometric ramp, $D = \gamma^2(2(\mu_c/2\pi)^2 + \sigma_x^2)/2M$.
    pub fn diffusion(&self) -> f64 {
        let h = self.chemical_potential() / TAU;
        self.gamma * self.gamma * (2.0 * h * h + self.injected * self.injected) / (2.0 * self.batch as f64)
    }

    /// Loop fraction $s = Q/2\pi - \lfloor Q/2\pi\rfloor \in [0, 1)$.
    pub fn loop_fraction(q: f64) -> f64 {
        let w = q / TAU;
        (w - w.floor()).clamp(0.0, 1.0 - f64::EPSILON)
    }

    /// Winding $\lfloor Q/2\pi\rfloor$.
    pub fn winding(q: f64) -> i64 {
        (q / TAU).floor() as i64
    }

    /// Stiffness $a(s)$ of the neuron being born.
    pub fn partial_stiffness(&self, s: f64) -> f64 {
        let r = self.reference_stiffness();
        match self.ramp {
            BirthRamp::Geometric => r * (self.a / r).powf(s),
            BirthRamp::Linear => r + s * (self.a - r),
        }
    }

    fn partial_stiffness_derivative(&self, s: f64) -> f64 {
        let r = self.reference_stiffness();
        match self.ramp {
            BirthRamp::Geometric => self.partial_stiffness(s) * (self.a / r).ln(),
            BirthRamp::Linear => self.a - r,
        }
    }

    /// $N(Q) = N_0 + \lfloor Q/2\pi\rfloor$.
    ///
    /// # Errors
    /// [`NetworkError::InvalidParameter`] if $Q$ is not finite or more neurons died than existed.
    pub fn neurons_at(&self, q: f64) -> Result<usize> {
        if !q.is_finite() {
            return Err(NetworkError::InvalidParameter {
                name: "Q",
                value: q,
                reason: "must be finite",
            });
        }
        let n = self.base_neurons as i64 + Self::winding(q);
        usize::try_from(n).map_err(|_| NetworkError::InvalidParameter {
            name: "Q",
            value: q,
            reason: "more neurons removed than the network had (N < 0)",
        })
    }

    /// Exact free energy on the cover, $F(Q) = F(N(Q)) + \tfrac1{2\beta}\ln\tfrac{\beta a(s)}{2\pi}$.
    ///
    /// # Errors
    /// As [`RingExchange::neurons_at`].
    pub fn free_energy_at(&self, q: f64) -> Result<f64> {
        let n = self.neurons_at(q)?;
        let s = Self::loop_fraction(q);
        Ok(self.neurons.free_energy(n)
            + (self.beta * self.partial_stiffness(s) / TAU).ln() / (2.0 * self.beta))
    }

    /// $\langle\partial_Q H\rangle_{p(x|Q)} = \partial_Q F = a'(s)/(4\pi\beta a(s))$ (N2.5).
    pub fn mean_force(&self, q: f64) -> f64 {
        let s = Self::loop_fraction(q);
        self.partial_stiffness_derivative(s) / (2.0 * TAU * self.beta * self.partial_stiffness(s))
    }

    /// One sample of $\partial_Q H(x_0, Q)$ with $x_0 \sim p(x_0|Q) = N(0, 1/\beta a(s))$.
    pub fn sample_force<R: Rng + ?Sized>(&self, q: f64, rng: &mut R) -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        self.mean_force(q) * z * z
    }

    /// One SGD step of $Q$ (see the module docs).
    pub fn step<R: Rng + ?Sized>(&self, q: &mut f64, rng: &mut R) {
        let mut g = 0.0;
        for _ in 0..self.batch {
            g += self.sample_force(*q, rng);
            if self.injected > 0.0 {
                let e: f64 = StandardNormal.sample(rng);
                g += self.injected * e;
            }
        }
        *q -= self.gamma * g / self.batch as f64;
    }

    /// The exact one-step factor $\varphi_n = \langle e^{in\Delta Q}\rangle$ of the geometric ramp,
    /// $(1 + 2in\gamma\mu_c/2\pi M)^{-M/2} e^{-n^2\gamma^2\sigma_x^2/2M}$, so that
    /// $c_n(t) = c_n(0)\varphi_n^t$.
    ///
    /// # Errors
    /// [`NetworkError::Unsupported`] for the linear ramp (its increments depend on $Q$).
    pub fn mode_factor(&self, n: i64) -> Result<Complex64> {
        if self.ramp != BirthRamp::Geometric {
            return Err(NetworkError::Unsupported(
                "closed-form mode factor needs the geometric ramp",
            ));
        }
        let m = self.batch as f64;
        let nf = n as f64;
        let base = Complex64::new(1.0, 2.0 * nf * self.gamma * self.chemical_potential() / (TAU * m));
        let gauss = (-nf * nf * self.gamma * self.gamma * self.injected * self.injected / (2.0 * m)).exp();
        Ok(base.powf(-m / 2.0) * gauss)
    }

    /// The exact complex rate $z_n = -\ln\varphi_n$ per step (principal branch; $|\arg\varphi_n| < \pi$
    /// for the step sizes of interest).
    ///
    /// # Errors
    /// As [`RingExchange::mode_factor`].
    pub fn mode_rate(&self, n: i64) -> Result<Complex64> {
        let m = self.batch as f64;
        let nf = n as f64;
        if self.ramp != BirthRamp::Geometric {
            return self.mode_factor(n).map(|f| -f.ln());
        }
        // -ln φ_n = (M/2) ln(1 + 2inγμ_c/2πM) + n²γ²σ_x²/2M, without the branch cut of φ_n^t.
        let base = Complex64::new(1.0, 2.0 * nf * self.gamma * self.chemical_potential() / (TAU * m));
        Ok(base.ln() * (m / 2.0)
            + Complex64::new(
                nf * nf * self.gamma * self.gamma * self.injected * self.injected / (2.0 * m),
                0.0,
            ))
    }

    /// The free-energy jump over `loops` loops by thermodynamic integration of the *sampled* force,
    /// $\Delta F = \int_0^{2\pi\\,\text{loops}} \langle\partial_Q H\rangle\\,dQ$, with a `nodes`-point
    /// Gauss-Legendre rule per loop and `samples` independent neuron samples per node (stream
    /// `member_rng(seed, node)`). The exact value is $\text{loops}\cdot\mu_c$ (N4.1).
    ///
    /// # Errors
    /// [`NetworkError::InvalidParameter`] for zero loops, nodes or samples.
    pub fn loop_jump(&self, loops: usize, nodes: usize, samples: usize, seed: u64) -> Result<LoopJump> {
        for (name, v) in [("loops", loops), ("nodes", nodes), ("samples", samples)] {
            if v == 0 {
                return Err(NetworkError::InvalidParameter {
                    name,
                    value: 0.0,
                    reason: "must be >= 1",
                });
            }
        }
        let (x, w) = gauss_legendre(nodes);
        let points: Vec<(f64, f64)> = (0..loops)
            .flat_map(|l| {
                x.iter()
                    .zip(&w)
                    .map(move |(xi, wi)| (TAU * (l as f64 + 0.5 * (xi + 1.0)), 0.5 * TAU * wi))
            })
            .collect();
        let parts: Vec<(f64, f64)> = points
            .par_iter()
            .enumerate()
            .map(|(i, &(q, wq))| {
                let mut rng = member_rng(seed, i as u64);
                let (mut s1, mut s2) = (0.0, 0.0);
                for _ in 0..samples {
                    let g = self.sample_force(q, &mut rng);
                    s1 += g;
                    s2 += g * g;
                }
                let n = samples as f64;
                let mean = s1 / n;
                let var = if samples > 1 {
                    (s2 / n - mean * mean).max(0.0) * n / (n - 1.0)
                } else {
                    0.0
                };
                (wq * mean, wq * wq * var / n)
            })
            .collect();
        let estimate = parts.iter().map(|p| p.0).sum();
        let var: f64 = parts.iter().map(|p| p.1).sum();
        let quadrature = points.iter().map(|&(q, wq)| wq * self.mean_force(q)).sum();
        Ok(LoopJump {
            loops,
            estimate,
            std_err: var.sqrt(),
            quadrature,
            exact: loops as f64 * self.chemical_potential(),
        })
    }
}

impl Dynamics for RingExchange {
    fn dim(&self) -> usize {
        1
    }

    fn advance(&self, q: &mut [f64], aux: &mut [f64], rng: &mut StreamRng, steps: usize) -> Result<()> {
        crate::error::check_advance_args(1, 0, q, aux)?;
        for step in 1..=steps {
            self.step(&mut q[0], rng);
            crate::error::check_state(step, q)?;
        }
        Ok(())
    }
}

/// The free-energy jump around `loops` loops from sampled neurons.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoopJump {
    /// Number of loops.
    pub loops: usize,
    /// $\Delta F$ from the sampled forces.
    pub estimate: f64,
    /// Its one-sigma statistical error.
    pub std_err: f64,
    /// The same quadrature applied to the exact mean force (quadrature error check).
    pub quadrature: f64,
    /// $\text{loops}\cdot\mu_c$ from the exact $F(N+1) - F(N)$.
    pub exact: f64,
}

/// Gauss-Legendre nodes and weights on $[-1, 1]$ (Newton on $P_n$).
fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    let nf = n as f64;
    for i in 0..n {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (nf + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, z);
            for k in 2..=n {
                let kf = k as f64;
                let p2 = ((2.0 * kf - 1.0) * z * p1 - (kf - 1.0) * p0) / kf;
                p0 = p1;
                p1 = p2;
            }
            let pn = if n == 0 {
                1.0
            } else if n == 1 {
                z
            } else {
                p1
            };
            let pm = if n == 1 { 1.0 } else { p0 };
            dp = nf * (z * pn - pm) / (z * z - 1.0);
            let dz = pn / dp;
            z -= dz;
            if dz.abs() < 1e-15 {
                break;
            }
        }
        x[i] = z;
        w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
    }
    (x, w)
}

/// The complex rate of one Fourier mode of $p(t, q)$ measured from an ensemble.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModeRate {
    /// Mode number $n$.
    pub n: i64,
    /// $z_n$ with $c_n(t) \approx c_n(t_0)e^{-z_n(t - t_0)}$: real part the relaxation rate, imaginary
    /// part the angular frequency (per step).
    pub rate: Complex64,
    /// One-sigma errors of the real and imaginary parts (from batch scatter), as `re + i im`.
    pub std_err: Complex64,
}

/// $c_n = \frac1R\sum_r e^{inQ_r}$ of a set of replica states.
pub fn mode_moment(states: &[f64], n: i64) -> Complex64 {
    let nf = n as f64;
    let s: Complex64 = states.iter().map(|q| Complex64::from_polar(1.0, nf * q)).sum();
    s / states.len().max(1) as f64
}

fn fit_rate(times: &[f64], cs: &[Complex64]) -> Complex64 {
    // Unwrap the phase along the sequence, then least-squares slopes of ln|c| and arg c against t
    // through the first point.
    let mut phase = Vec::with_capacity(cs.len());
    let mut prev = cs[0].arg();
    let mut acc = prev;
    phase.push(acc);
    for c in &cs[1..] {
        let a = c.arg();
        let mut d = a - prev;
        while d > std::f64::consts::PI {
            d -= TAU;
        }
        while d < -std::f64::consts::PI {
            d += TAU;
        }
        acc += d;
        prev = a;
        phase.push(acc);
    }
    let (t0, l0, p0) = (times[0], cs[0].norm().ln(), phase[0]);
    let (mut stt, mut stl, mut stp) = (0.0, 0.0, 0.0);
    for ((t, c), p) in times.iter().zip(cs).zip(&phase) {
        let dt = t - t0;
        stt += dt * dt;
        stl += dt * (c.norm().ln() - l0);
        stp += dt * (p - p0);
    }
    Complex64::new(-stl / stt, -stp / stt)
}

/// Fit $z_n$ for `n` in `modes` from replica snapshots `(t, states)` (at least two times, increasing;
/// the phase of $c_n$ must advance by less than $\pi$ between snapshots). The errors come from the
/// scatter of the same fit over `batches` disjoint groups of replicas.
///
/// # Errors
/// [`NetworkError::InvalidParameter`] for fewer than two snapshots, fewer than two batches, unequal
/// snapshot sizes or fewer replicas than batches.
pub fn mode_rates(snapshots: &[(f64, Vec<f64>)], modes: &[i64], batches: usize) -> Result<Vec<ModeRate>> {
    if snapshots.len() < 2 {
        return Err(NetworkError::InvalidParameter {
            name: "snapshots",
            value: snapshots.len() as f64,
            reason: "need at least two times",
        });
    }
    let r = snapshots[0].1.len();
    if batches < 2 || r < batches {
        return Err(NetworkError::InvalidParameter {
            name: "batches",
            value: batches as f64,
            reason: "need 2 <= batches <= replicas",
        });
    }
    if let Some((_, s)) = snapshots.iter().find(|(_, s)| s.len() != r) {
        return Err(NetworkError::ShapeMismatch {
            what: "snapshot replicas",
            expected: r,
            got: s.len(),
        });
    }
    let times: Vec<f64> = snapshots.iter().map(|s| s.0).collect();
    let size = r / batches;
    Ok(modes
        .iter()
        .map(|&n| {
            let all: Vec<Complex64> = snapshots.iter().map(|(_, s)| mode_moment(s, n)).collect();
            let rate = fit_rate(&times, &all);
            let per: Vec<Complex64> = (0..batches)
                .map(|b| {
                    let cs: Vec<Complex64> = snapshots
                        .iter()
                        .map(|(_, s)| mode_moment(&s[b * size..(b + 1) * size], n))
                        .collect();
                    fit_rate(&times, &cs)
                })
                .collect();
            let bf = batches as f64;
            let mean = per.iter().sum::<Complex64>() / bf;
            let (vr, vi) = per.iter().fold((0.0, 0.0), |(a, b), z| {
                (a + (z.re - mean.re).powi(2), b + (z.im - mean.im).powi(2))
            });
            // Standard error of the full-ensemble fit: batch variance / batches.
            let std_err = Complex64::new((vr / (bf - 1.0) / bf).sqrt(), (vi / (bf - 1.0) / bf).sqrt());
            ModeRate { n, rate, std_err }
        })
        .collect())
}

/// The dictionary's $\hbar^2 = (4D\mu - \gamma)/(\gamma\mu^2)$ (N3.7), negative in the Euclidean regime.
pub fn dictionary_hbar2(diffusion: f64, gamma: f64, mu: f64) -> f64 {
    (4.0 * diffusion * mu - gamma) / (gamma * mu * mu)
}

/// One control decision of a [`DiffusionController`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlRecord {
    /// Step at which the decision was taken.
    pub step: usize,
    /// $\gamma$ and $M$ during the segment just measured.
    pub gamma: f64,
    /// Mini-batch during the segment.
    pub batch: usize,
    /// $N$ (ensemble-mean, rounded) at the decision.
    pub neurons: usize,
    /// Measured $D = \mathrm{Var}(\Delta Q)/2\Delta t$ over the segment.
    pub diffusion: f64,
    /// The dictionary's $\hbar^2$ (N3.7) from the measured $D$.
    pub hbar2: f64,
    /// The neuron-exchange target $\hbar = |\mu_c(N)|/2\pi$.
    pub target: f64,
}

/// Self-tuning by feedback (N4.3): after each segment it measures $D$ from the displacement moments
/// (the [`Moments`] passed to [`Controller::control`] must be those of $\Delta Q$ over the segment, as
/// [`run_self_tuning`] passes them), computes the learning temperature $T = D/\gamma$, and rescales
/// the ratio $\gamma/M$ (to which $T$ is proportional, N2.6) by $T^\*/T$, where
/// $T^\* = (1 + \mu^2\hbar^2)/4\mu$ makes the dictionary's $\hbar$ equal to the target
/// $\hbar = |\mu_c(N)|/2\pi$ of the current $N$. $M$ is the integer in `1..=max_batch` that brings
/// $\gamma$ closest to `gamma_ref`; $\gamma = (\gamma/M)\_\text{new}M$.
#[derive(Debug, Clone)]
pub struct DiffusionController<Mo> {
    /// The model with exact $F(N)$ (gives $\mu_c(N)$).
    pub model: Mo,
    /// Lagrange multiplier $\mu$ of the action (N3.1).
    pub mu: f64,
    /// Preferred step size.
    pub gamma_ref: f64,
    /// Largest mini-batch.
    pub max_batch: usize,
    /// Every decision so far.
    pub history: Vec<ControlRecord>,
    last_step: usize,
}

impl<Mo: ExactFreeEnergy> DiffusionController<Mo> {
    /// A controller.
    ///
    /// # Errors
    /// [`NetworkError::InvalidParameter`] for non-positive `mu`, `gamma_ref` or `max_batch`.
    pub fn new(model: Mo, mu: f64, gamma_ref: f64, max_batch: usize) -> Result<Self> {
        check_positive("mu", mu)?;
        check_gamma(gamma_ref)?;
        if max_batch == 0 {
            return Err(NetworkError::InvalidBatchSize {
                batch: 0,
                max: usize::MAX,
            });
        }
        Ok(Self {
            model,
            mu,
            gamma_ref,
            max_batch,
            history: Vec::new(),
            last_step: 0,
        })
    }

    /// The target $\hbar = |\mu_c(N)|/2\pi$.
    pub fn target(&self, neurons: usize) -> f64 {
        self.model.chemical_potential(neurons).abs() / TAU
    }

    /// The learning temperature $T^\* = (1 + \mu^2\hbar^2)/4\mu$ that gives $\hbar$ (N4.3).
    pub fn required_temperature(&self, hbar: f64) -> f64 {
        (1.0 + self.mu * self.mu * hbar * hbar) / (4.0 * self.mu)
    }
}

impl<Mo: ExactFreeEnergy> Controller for DiffusionController<Mo> {
    fn control(&mut self, step: usize, displacement: &Moments, current: HyperParams) -> HyperParams {
        let dt = step.saturating_sub(self.last_step);
        self.last_step = step;
        if dt == 0 || displacement.count() < 2 || displacement.dim() != 1 {
            return current;
        }
        let d = displacement.covariance()[0] / (2.0 * dt as f64);
        let target = self.target(current.neurons);
        self.history.push(ControlRecord {
            step,
            gamma: current.gamma,
            batch: current.batch,
            neurons: current.neurons,
            diffusion: d,
            hbar2: dictionary_hbar2(d, current.gamma, self.mu),
            target,
        });
        let t_meas = d / current.gamma;
        if !(t_meas.is_finite() && t_meas > 0.0) {
            return current;
        }
        let ratio = current.gamma / current.batch as f64 * self.required_temperature(target) / t_meas;
        let batch = ((self.gamma_ref / ratio).round() as usize).clamp(1, self.max_batch);
        HyperParams {
            gamma: ratio * batch as f64,
            batch,
            neurons: current.neurons,
        }
    }
}

/// One segment of a self-tuning run.
#[derive(Debug, Clone, PartialEq)]
pub struct TuningSegment {
    /// Step at the end of the segment.
    pub step: usize,
    /// Hyper-parameters used during the segment.
    pub params: HyperParams,
    /// Moments of the displacement $\Delta Q$ over the segment.
    pub displacement: Moments,
    /// Mean $N$ over the replicas at the end.
    pub neurons: f64,
}

/// Run `ensemble` in segments; after each segment the controller sees the moments of the
/// displacements over that segment (not of $Q$ itself) and the ensemble-mean number of neurons
/// `neurons(states)`, and picks the next hyper-parameters; `build` turns them into a dynamics.
/// The first segment runs with `initial`.
///
/// # Errors
/// Errors of `build`, of the ensemble, or of `neurons`.
pub fn run_self_tuning<D: Dynamics, C: Controller>(
    ensemble: &mut Ensemble,
    build: impl Fn(HyperParams) -> Result<D>,
    controller: &mut C,
    initial: HyperParams,
    segment_steps: &[usize],
    neurons: impl Fn(&[f64]) -> Result<f64>,
) -> Result<Vec<TuningSegment>> {
    let mut params = initial;
    let k = ensemble.states().len() / ensemble.replicas();
    let mut out = Vec::with_capacity(segment_steps.len());
    for (i, &steps) in segment_steps.iter().enumerate() {
        if i > 0 {
            let last: &TuningSegment = &out[i - 1];
            let mut p = params;
            p.neurons = last.neurons.round().max(0.0) as usize;
            params = controller.control(ensemble.time(), &last.displacement, p);
        }
        let before = ensemble.states().to_vec();
        let dy = build(params)?;
        ensemble.advance(&dy, steps)?;
        let mut m = Moments::new(k);
        let mut dq = vec![0.0; k];
        for (a, b) in ensemble.states().chunks_exact(k).zip(before.chunks_exact(k)) {
            for j in 0..k {
                dq[j] = a[j] - b[j];
            }
            m.push(&dq)?;
        }
        out.push(TuningSegment {
            step: ensemble.time(),
            params,
            displacement: m,
            neurons: neurons(ensemble.states())?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn model(ramp: BirthRamp) -> RingExchange {
        RingExchange::new(1.0, 1.0, ramp, 50, 0.1, 2, 0.0).unwrap()
    }

    #[test]
    fn free_energy_jumps_by_mu_c_per_loop_and_is_continuous() {
        for ramp in [BirthRamp::Geometric, BirthRamp::Linear] {
            let m = model(ramp);
            let mu = 0.5 * (1.0 / TAU).ln();
            assert!((m.chemical_potential() - mu).abs() < 1e-12);
            for q in [0.3, 1.7, 4.0] {
                let jump = m.free_energy_at(q + TAU).unwrap() - m.free_energy_at(q).unwrap();
                assert!((jump - mu).abs() < 1e-10, "{ramp:?} {jump}");
            }
            // Continuity across the birth at Q = 2π.
            let left = m.free_energy_at(TAU - 1e-9).unwrap();
            let right = m.free_energy_at(TAU + 1e-9).unwrap();
            assert!((left - right).abs() < 1e-8);
            // Mean force = dF/dQ (central difference).
            let h = 1e-5;
            let fd = (m.free_energy_at(2.0 + h).unwrap() - m.free_energy_at(2.0 - h).unwrap()) / (2.0 * h);
            assert!((fd - m.mean_force(2.0)).abs() < 1e-8);
        }
        assert!(model(BirthRamp::Linear).neurons_at(-60.0 * TAU).is_err());
    }

    #[test]
    fn geometric_force_is_uniform() {
        let m = model(BirthRamp::Geometric);
        let f = m.chemical_potential() / TAU;
        for q in [0.0, 1.0, 3.0, 6.0] {
            assert!((m.mean_force(q) - f).abs() < 1e-12);
        }
    }

    #[test]
    fn gauss_legendre_integrates_polynomials() {
        let (x, w) = gauss_legendre(8);
        let i: f64 = x.iter().zip(&w).map(|(x, w)| w * x.powi(14)).sum();
        assert!((i - 2.0 / 15.0).abs() < 1e-14);
        assert!((w.iter().sum::<f64>() - 2.0).abs() < 1e-14);
    }

    #[test]
    fn loop_jump_quadrature_and_estimate() {
        let m = model(BirthRamp::Linear);
        let j = m.loop_jump(2, 24, 20_000, 7).unwrap();
        assert!((j.quadrature - j.exact).abs() < 1e-10, "{j:?}");
        assert!((j.estimate - j.exact).abs() < 5.0 * j.std_err, "{j:?}");
        assert!(m.loop_jump(0, 4, 4, 1).is_err());
    }

    #[test]
    fn mode_factor_matches_continuum_and_ensemble() {
        let m = RingExchange::new(1.0, 1.0, BirthRamp::Geometric, 50, 0.05, 4, 0.3).unwrap();
        let z = m.mode_rate(1).unwrap();
        // Continuum: z ≈ -i v... with v = drift: c_1 ~ e^{i v t} so z = -i v + D.
        assert!((z.im + m.drift()).abs() < 1e-4 * m.drift().abs().max(1.0));
        assert!((z.re - m.diffusion()).abs() < 0.05 * m.diffusion());
        let phi = m.mode_factor(2).unwrap();
        assert!((phi - (-m.mode_rate(2).unwrap()).exp()).norm() < 1e-14);
        // Monte Carlo of one step.
        let mut rng = StreamRng::seed_from_u64(3);
        let n = 200_000;
        let mut c = Complex64::new(0.0, 0.0);
        for _ in 0..n {
            let mut q = 0.0;
            m.step(&mut q, &mut rng);
            c += Complex64::from_polar(1.0, 3.0 * q);
        }
        c /= n as f64;
        let exact = m.mode_factor(3).unwrap();
        assert!((c - exact).norm() < 5.0 / (n as f64).sqrt(), "{c} {exact}");
        assert!(model(BirthRamp::Linear).mode_factor(1).is_err());
    }

    #[test]
    fn unit_change_shifts_mu_c_by_log_lambda() {
        let m = model(BirthRamp::Geometric);
        let m2 = m.in_unit(3.0).unwrap();
        assert!((m2.chemical_potential() - m.chemical_potential() - 3f64.ln()).abs() < 1e-12);
        assert!(m.in_unit(0.0).is_err());
    }

    #[test]
    fn mode_rate_fit_recovers_exact_exponential() {
        let z = Complex64::new(0.01, -0.2);
        let times: Vec<f64> = (0..20).map(|i| i as f64).collect();
        let cs: Vec<Complex64> = times.iter().map(|t| (-z * t).exp()).collect();
        let fit = fit_rate(&times, &cs);
        assert!((fit - z).norm() < 1e-12);
    }

    #[test]
    fn controller_reaches_the_target_temperature() {
        let base = RingExchange::new(1.0, 1.0, BirthRamp::Geometric, 50, 0.05, 8, 2.0).unwrap();
        let mut ens = Ensemble::new(&base, 4000, 11, |_, _, q| q[0] = 0.0).unwrap();
        let mut ctl = DiffusionController::new(base.neuron_model(), 2.0, 0.05, 64).unwrap();
        let init = HyperParams {
            gamma: 0.05,
            batch: 8,
            neurons: 50,
        };
        let segs = run_self_tuning(
            &mut ens,
            |p| base.with_learning(p.gamma, p.batch),
            &mut ctl,
            init,
            &[200; 6],
            |s| {
                Ok(s.iter()
                    .map(|q| base.neurons_at(*q).map(|n| n as f64))
                    .sum::<Result<f64>>()?
                    / s.len() as f64)
            },
        )
        .unwrap();
        assert_eq!(segs.len(), 6);
        let last = ctl.history.last().unwrap();
        let t_req = ctl.required_temperature(base.hbar());
        assert!(
            (last.diffusion / last.gamma / t_req - 1.0).abs() < 0.1,
            "{last:?}"
        );
        assert!((last.hbar2.sqrt() / base.hbar() - 1.0).abs() < 0.1, "{last:?}");
    }
}
