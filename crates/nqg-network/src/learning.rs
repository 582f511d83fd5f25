//! Learning: SGD with step $\gamma$ and mini-batch $M$ (N2.3), the Langevin learner (N2.6), and the
//! teacher-student linear regression of N-1 with its exact discrete-time moments.
//!
//! * SGD (N2.3): $q \leftarrow q - \gamma\\,v$, $v \leftarrow \rho v + \frac1M\sum_{m=1}^M \nabla h(x^{(m)}, q) +
//!   \xi$, with momentum $\rho \in [0, 1)$ ($\rho = 0$ is plain SGD) and optional injected noise
//!   $\xi \sim N(0, C_\text{inj})$ (N-3).
//! * Teacher-student (N-1): inputs $x \sim N(0, \Sigma)$, labels $y = q^\*\cdot x + \varepsilon$,
//!   $\varepsilon \sim N(0, s^2)$, per-sample loss $h = \tfrac12 (y - q\cdot x)^2$, so $F(q) =
//!   \tfrac12 (q - q^\*)^T\Sigma(q - q^\*) + s^2/2$ and $\nabla F = \Sigma(q - q^\*)$.
//!   With fresh samples each step and $e = q - q^\*$, the exact moment map is (Isserlis)
//!   $\bar e' = (1 - \gamma\Sigma)\bar e$ and
//!   $S' = S - \gamma(\Sigma S + S\Sigma) + \gamma^2[(1 + \tfrac1M)\Sigma S\Sigma + \tfrac1M\Sigma\\,\mathrm{tr}(S\Sigma) +
//!   \tfrac{s^2}{M}\Sigma + C_\text{inj}]$ for $S = \langle e e^T\rangle$; its fixed point $P$ solves
//!   $\Sigma P + P\Sigma = \gamma[(1 + \tfrac1M)\Sigma P\Sigma + \Sigma\\,\mathrm{tr}(P\Sigma)/M + s^2\Sigma/M +
//!   C_\text{inj}]$, to leading order $P = T_L 1$ with $T_L = \gamma s^2/(2M)$.
//! * Langevin learner (N2.6): $dq = -\gamma\nabla F\\,dt + \sqrt{2D}\\,dW$ by Euler-Maruyama, with
//!   $D = \gamma^2 C/(2M)$.
//! * Finite data sets: mini-batches drawn with replacement ($M$ i.i.d. indices) or without
//!   replacement ($M$ distinct indices per step, Floyd's algorithm); $1 \le M \le$ data-set size.

use std::sync::Arc;

use nalgebra::{DMatrix, DVector};
use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};

use crate::error::{
    NetworkError, Result, check_advance_args, check_finite, check_gamma, check_len, check_non_negative,
    check_positive, check_state,
};
use crate::rng::{StreamRng, member_rng};

/// A stochastic learning dynamics on $q \in \mathbb R^K$ with an auxiliary state (e.g. momentum).
pub trait Dynamics: Sync {
    /// $K$.
    fn dim(&self) -> usize;
    /// Size of the auxiliary state (0 by default).
    fn aux_dim(&self) -> usize {
        0
    }
    /// Advance `steps` steps in place using `rng`.
    ///
    /// # Errors
    /// [`NetworkError::ShapeMismatch`] when `q` or `aux` do not have the lengths [`Dynamics::dim`]
    /// and [`Dynamics::aux_dim`]; [`NetworkError::NonFinite`] for a non-finite input state (both
    /// checked before any step, the state is then untouched); [`NetworkError::NonFiniteState`] with
    /// the step, component and value at the first step after which the state is not finite (the
    /// state is left as it was after that step); [`NetworkError::TooLarge`] beyond the work budget
    /// [`crate::error::MAX_WORK`] (e.g. an online mini-batch of `usize::MAX` samples per step).
    fn advance(&self, q: &mut [f64], aux: &mut [f64], rng: &mut StreamRng, steps: usize) -> Result<()>;
}

/// Lower Cholesky factor (row-major) of a symmetric positive semi-definite matrix; tiny negative
/// pivots (round-off) are clamped to zero.
fn cholesky_psd(a: &DMatrix<f64>, what: &'static str) -> Result<Vec<f64>> {
    let k = a.nrows();
    let mut l = vec![0.0; k * k];
    let scale = a
        .diagonal()
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(1e-300);
    for i in 0..k {
        for j in 0..=i {
            let mut s = a[(i, j)];
            for p in 0..j {
                s -= l[i * k + p] * l[j * k + p];
            }
            if i == j {
                if s < -1e-12 * scale {
                    return Err(NetworkError::NotPositiveDefinite { what, value: s });
                }
                l[i * k + i] = s.max(0.0).sqrt();
            } else if l[j * k + j] > 0.0 {
                l[i * k + j] = s / l[j * k + j];
            }
        }
    }
    Ok(l)
}

fn symmetric(k: usize, v: &[f64], what: &'static str) -> Result<DMatrix<f64>> {
    check_len(what, k * k, v.len())?;
    check_finite(what, v)?;
    let m = DMatrix::from_row_slice(k, k, v);
    if (0..k).any(|i| (0..k).any(|j| (m[(i, j)] - m[(j, i)]).abs() > 1e-12 * (1.0 + m[(i, j)].abs()))) {
        return Err(NetworkError::InvalidParameter {
            name: what,
            value: 0.0,
            reason: "must be symmetric",
        });
    }
    Ok(m)
}

/// A finite data set of $n$ input/label pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    k: usize,
    xs: Vec<f64>,
    ys: Vec<f64>,
}

impl Dataset {
    /// From row-major inputs ($n \times K$) and labels.
    pub fn new(k: usize, xs: Vec<f64>, ys: Vec<f64>) -> Result<Self> {
        check_len("inputs (n*K)", ys.len() * k, xs.len())?;
        check_finite("inputs", &xs)?;
        check_finite("labels", &ys)?;
        Ok(Self { k, xs, ys })
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.ys.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.ys.is_empty()
    }

    /// Input $i$ (`None` out of range).
    pub fn input(&self, i: usize) -> Option<&[f64]> {
        self.xs.get(i * self.k..(i + 1) * self.k)
    }

    /// Label $i$ (`None` out of range).
    pub fn label(&self, i: usize) -> Option<f64> {
        self.ys.get(i).copied()
    }

    #[inline]
    fn pair(&self, i: usize) -> (&[f64], f64) {
        (&self.xs[i * self.k..(i + 1) * self.k], self.ys[i])
    }
}

/// Teacher-student linear regression with planted input covariance and label noise (N-1).
#[derive(Debug, Clone, PartialEq)]
pub struct TeacherStudent {
    q_star: Vec<f64>,
    sigma: DMatrix<f64>,
    sigma_l: Vec<f64>,
    noise: f64,
    injected: Option<(DMatrix<f64>, Vec<f64>)>,
}

impl TeacherStudent {
    /// Teacher $q^\*$, input covariance $\Sigma$ (row-major $K\times K$, symmetric PSD) and label-noise
    /// standard deviation $s \ge 0$.
    pub fn new(q_star: Vec<f64>, sigma: &[f64], label_noise: f64) -> Result<Self> {
        let k = q_star.len();
        if k == 0 {
            return Err(NetworkError::ShapeMismatch {
                what: "teacher q* (K >= 1)",
                expected: 1,
                got: 0,
            });
        }
        check_finite("teacher q*", &q_star)?;
        check_non_negative("label noise s", label_noise)?;
        let s = symmetric(k, sigma, "input covariance")?;
        let sigma_l = cholesky_psd(&s, "input covariance")?;
        Ok(Self {
            q_star,
            sigma: s,
            sigma_l,
            noise: label_noise,
            injected: None,
        })
    }

    /// Add injected gradient noise $\xi \sim N(0, C_\text{inj})$ per step (N-3); row-major $K\times K$.
    pub fn with_injected_noise(mut self, cov: &[f64]) -> Result<Self> {
        let c = symmetric(self.dim(), cov, "injected noise covariance")?;
        let l = cholesky_psd(&c, "injected noise covariance")?;
        self.injected = Some((c, l));
        Ok(self)
    }

    /// $K$.
    pub fn dim(&self) -> usize {
        self.q_star.len()
    }

    /// Teacher $q^\*$.
    pub fn teacher(&self) -> &[f64] {
        &self.q_star
    }

    /// Input covariance $\Sigma$ (= Hessian of $F$).
    pub fn input_covariance(&self) -> &DMatrix<f64> {
        &self.sigma
    }

    /// Label-noise standard deviation $s$.
    pub fn label_noise(&self) -> f64 {
        self.noise
    }

    /// Injected noise covariance (zero if none).
    pub fn injected_covariance(&self) -> DMatrix<f64> {
        self.injected
            .as_ref()
            .map_or_else(|| DMatrix::zeros(self.dim(), self.dim()), |(c, _)| c.clone())
    }

    /// Draw one input/label pair into `x`, returning the label.
    #[inline]
    pub fn sample_pair<R: Rng + ?Sized>(&self, rng: &mut R, x: &mut [f64]) -> f64 {
        let k = self.dim();
        let mut z = [0.0f64; 16];
        let mut zv;
        let z: &mut [f64] = if k <= 16 {
            &mut z[..k]
        } else {
            zv = vec![0.0; k];
            &mut zv
        };
        for zi in z.iter_mut() {
            *zi = StandardNormal.sample(rng);
        }
        let mut y = 0.0;
        for i in 0..k {
            let mut s = 0.0;
            for j in 0..=i {
                s += self.sigma_l[i * k + j] * z[j];
            }
            x[i] = s;
            y += self.q_star[i] * s;
        }
        if self.noise > 0.0 {
            let e: f64 = StandardNormal.sample(rng);
            y += self.noise * e;
        }
        y
    }

    /// A finite data set of `n` pairs drawn with `seed`.
    pub fn dataset(&self, n: usize, seed: u64) -> Dataset {
        let k = self.dim();
        let mut rng = member_rng(seed, 0);
        let mut xs = vec![0.0; n * k];
        let mut ys = vec![0.0; n];
        for i in 0..n {
            ys[i] = self.sample_pair(&mut rng, &mut xs[i * k..(i + 1) * k]);
        }
        Dataset { k, xs, ys }
    }

    /// $F(q) = \tfrac12 (q - q^\*)^T\Sigma(q - q^\*) + s^2/2$, the expected per-sample loss.
    pub fn free_energy(&self, q: &[f64]) -> Result<f64> {
        check_len("q", self.dim(), q.len())?;
        let e = DVector::from_fn(self.dim(), |i, _| q[i] - self.q_star[i]);
        Ok(0.5 * e.dot(&(&self.sigma * &e)) + 0.5 * self.noise * self.noise)
    }

    /// Leading-order learning temperature $T_L = \gamma s^2/(2M)$ (N2.7).
    pub fn learning_temperature(&self, gamma: f64, batch: usize) -> f64 {
        gamma * self.noise * self.noise / (2.0 * batch.max(1) as f64)
    }

    /// One step of the exact moment map of online SGD (no momentum): $(\bar e, S) \mapsto
    /// (\bar e', S')$ with $S = \langle e e^T\rangle$ the second moment of $e = q - q^\*$.
    pub fn moment_step(
        &self,
        gamma: f64,
        batch: usize,
        mean: &DVector<f64>,
        second: &DMatrix<f64>,
    ) -> (DVector<f64>, DMatrix<f64>) {
        let k = self.dim();
        let m = batch.max(1) as f64;
        let s = &self.sigma;
        let id = DMatrix::<f64>::identity(k, k);
        let mean2 = (&id - s * gamma) * mean;
        let sps = s * second * s;
        let tr = (second * s).trace();
        let noise =
            s * (tr / m + self.noise * self.noise / m) + sps * (1.0 + 1.0 / m) + self.injected_covariance();
        let second2 = second - (s * second + second * s) * gamma + noise * (gamma * gamma);
        (mean2, second2)
    }

    /// Exact stationary covariance $P$ of online SGD (the fixed point of [`TeacherStudent::moment_step`];
    /// the mean is $q^\*$), from the $K^2$ linear system.
    pub fn stationary_covariance(&self, gamma: f64, batch: usize) -> Result<DMatrix<f64>> {
        check_gamma(gamma)?;
        if batch == 0 {
            return Err(NetworkError::InvalidBatchSize {
                batch,
                max: usize::MAX,
            });
        }
        let k = self.dim();
        let kk = k * k;
        let m = batch as f64;
        // Linear operator on vec(P): L(P) = S P + P S - gamma[(1+1/M) S P S + S tr(P S)/M].
        let mut op = DMatrix::<f64>::zeros(kk, kk);
        for c in 0..kk {
            let mut e = DMatrix::<f64>::zeros(k, k);
            e[(c / k, c % k)] = 1.0;
            let s = &self.sigma;
            let l = s * &e + &e * s
                - (s * &e * s) * (gamma * (1.0 + 1.0 / m))
                - s * (gamma * (&e * s).trace() / m);
            for r in 0..kk {
                op[(r, c)] = l[(r / k, r % k)];
            }
        }
        let rhs_m = (&self.sigma * (self.noise * self.noise / m) + self.injected_covariance()) * gamma;
        let rhs = DVector::from_fn(kk, |r, _| rhs_m[(r / k, r % k)]);
        let det = op.determinant();
        let sol = op.lu().solve(&rhs).ok_or(NetworkError::Singular {
            what: "stationary covariance (moment fixed-point system)",
            value: det,
        })?;
        let p = DMatrix::from_fn(k, k, |i, j| 0.5 * (sol[i * k + j] + sol[j * k + i]));
        if !p.iter().all(|v| v.is_finite()) || (0..k).any(|i| p[(i, i)] < 0.0) {
            return Err(NetworkError::InvalidParameter {
                name: "gamma",
                value: gamma,
                reason: "no stationary state (SGD unstable at this step size)",
            });
        }
        Ok(p)
    }

    /// The stationary current velocity of online SGD (no momentum), $v(e) = B e$ (THEORY.md E0.2).
    ///
    /// In a stationary chain $e_{t+1} = \Phi e_t + \xi_t$ with $\Phi = 1 - \gamma\Sigma$ and
    /// $\langle e e^T\rangle = P$, the mean local velocity is the time-symmetric displacement
    /// $v(e) = \tfrac12\\,\mathbb E[e_{t+1} - e_{t-1} \mid e_t = e]$ (in its best linear form, exact for a
    /// Gaussian chain), whose continuum limit is the current velocity $J/p$. Since
    /// $\mathbb E[e_{t+1}\mid e_t] = \Phi e_t$ and $\mathrm{Cov}(e_{t-1}, e_t) = P\Phi^T$,
    /// $$B = \tfrac12(\Phi - P\Phi^T P^{-1}) = \Omega P^{-1},\qquad
    /// \Omega = \langle v\\,e^T\rangle = -\tfrac{\gamma}{2}\\,[\Sigma, P].$$
    /// $\Omega$ is antisymmetric, so $v$ carries no net flux; a Madelung velocity $2\gamma\nabla\tilde F$ with a
    /// scalar mass needs $B$ symmetric, i.e. zero curl $B - B^T$, which holds iff $[\Sigma, P] = 0$
    /// (detailed balance). Returns $B$ ($K\times K$).
    ///
    /// # Errors
    /// As [`TeacherStudent::stationary_covariance`].
    pub fn stationary_velocity(&self, gamma: f64, batch: usize) -> Result<DMatrix<f64>> {
        let p = self.stationary_covariance(gamma, batch)?;
        let omega = (&self.sigma * &p - &p * &self.sigma) * (-0.5 * gamma);
        let det = p.determinant();
        let p_inv = p.try_inverse().ok_or(NetworkError::Singular {
            what: "stationary covariance",
            value: det,
        })?;
        Ok(omega * p_inv)
    }

    /// Exact per-sample gradient covariance at $q$ (Isserlis), with $e = q - q^\*$:
    /// $C(q) = \Sigma e e^T \Sigma + \Sigma\\,(e^T\Sigma e) + s^2\Sigma$ (N2.6); the mini-batch noise
    /// covariance is $C/M$ (plus $C_\text{inj}$ if injected).
    pub fn gradient_noise_covariance(&self, q: &[f64]) -> Result<DMatrix<f64>> {
        check_len("q", self.dim(), q.len())?;
        let e = DVector::from_fn(self.dim(), |i, _| q[i] - self.q_star[i]);
        let se = &self.sigma * &e;
        Ok(&se * se.transpose() + &self.sigma * (e.dot(&se) + self.noise * self.noise))
    }

    /// The two terms of the Gaussian entropy balance (N2.8, N-2) for an ensemble with covariance $P$:
    /// stochastic production $\mathrm{tr}(D P^{-1})$ with the leading-order
    /// $D = \gamma^2(s^2\Sigma/M + C_\text{inj})/2$, and learning destruction $\gamma\\,\mathrm{tr}\\,\Sigma$
    /// ($\mathrm{Hess}\\,F = \Sigma$). $dS/dt$ = production - destruction in the continuum limit.
    pub fn entropy_balance(&self, gamma: f64, batch: usize, cov: &DMatrix<f64>) -> Result<(f64, f64)> {
        check_gamma(gamma)?;
        if batch == 0 {
            return Err(NetworkError::InvalidBatchSize {
                batch,
                max: usize::MAX,
            });
        }
        check_len("covariance", self.dim() * self.dim(), cov.len())?;
        let d = (&self.sigma * (self.noise * self.noise / batch as f64) + self.injected_covariance())
            * (0.5 * gamma * gamma);
        let p_inv = cov.clone().try_inverse().ok_or(NetworkError::Singular {
            what: "ensemble covariance",
            value: cov.determinant(),
        })?;
        Ok(((d * p_inv).trace(), gamma * self.sigma.trace()))
    }

    /// The Langevin continuum model of SGD at $(\gamma, M)$ with time step `dt` (in learning steps):
    /// drift $-\gamma\Sigma(q - q^\*)$, diffusion $D = \gamma^2(s^2\Sigma + M C_\text{inj})/(2M)$.
    pub fn langevin(&self, gamma: f64, batch: usize, dt: f64) -> Result<Langevin> {
        check_gamma(gamma)?;
        if batch == 0 {
            return Err(NetworkError::InvalidBatchSize {
                batch,
                max: usize::MAX,
            });
        }
        let m = batch as f64;
        let d = (&self.sigma * (self.noise * self.noise) + self.injected_covariance() * m)
            * (gamma * gamma / (2.0 * m));
        let sigma = self.sigma.clone();
        let qs = self.q_star.clone();
        let k = self.dim();
        let grad = move |q: &[f64], g: &mut [f64]| {
            for i in 0..k {
                g[i] = (0..k).map(|j| sigma[(i, j)] * (q[j] - qs[j])).sum();
            }
        };
        let dv: Vec<f64> = d.transpose().iter().copied().collect();
        Langevin::new(k, Arc::new(grad), gamma, &dv, dt)
    }
}

/// How mini-batches are drawn from a finite data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// $M$ independent uniform indices.
    WithReplacement,
    /// $M$ distinct uniform indices per step.
    WithoutReplacement,
}

/// SGD hyper-parameters: step $\gamma$, mini-batch size $M$, momentum $\rho$ and the sampling of
/// finite data sets (N2.3).
///
/// The fields are private and every setter validates, so $\gamma$ finite and $> 0$, $M \ge 1$ and
/// $\rho \in [0, 1)$ hold for every value of the type; $M \le$ data-set size is checked where a data
/// set is attached ([`TeacherStudentSgd::on_dataset`], [`crate::train::train_on_states`]).
/// A struct literal does not compile:
///
/// ```compile_fail
/// use nqg_network::learning::{SgdConfig, Sampling};
/// let bad = SgdConfig { gamma: -1.0, batch: 0, momentum: 2.0, sampling: Sampling::WithReplacement };
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdConfig {
    gamma: f64,
    batch: usize,
    momentum: f64,
    sampling: Sampling,
}

impl SgdConfig {
    /// Plain SGD with step `gamma` and batch `batch`, with replacement, no momentum.
    ///
    /// # Errors
    /// [`NetworkError::InvalidLearningRate`] unless $\gamma$ is finite and $> 0$;
    /// [`NetworkError::InvalidBatchSize`] for $M = 0$.
    pub fn new(gamma: f64, batch: usize) -> Result<Self> {
        let c = Self {
            gamma,
            batch,
            momentum: 0.0,
            sampling: Sampling::WithReplacement,
        };
        c.validate(None)?;
        Ok(c)
    }

    /// The same configuration with momentum $\rho$.
    ///
    /// # Errors
    /// [`NetworkError::InvalidParameter`] unless $\rho \in [0, 1)$.
    pub fn with_momentum(mut self, rho: f64) -> Result<Self> {
        self.momentum = rho;
        self.validate(None)?;
        Ok(self)
    }

    /// The same configuration with sampling `s`.
    pub fn with_sampling(mut self, s: Sampling) -> Self {
        self.sampling = s;
        self
    }

    /// The step $\gamma$.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// The mini-batch size $M$.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// The momentum $\rho$.
    pub fn momentum(&self) -> f64 {
        self.momentum
    }

    /// The mini-batch sampling.
    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    /// Check against a data set of `data_len` pairs (`None`: online data, any $M \ge 1$).
    pub(crate) fn validate(&self, data_len: Option<usize>) -> Result<()> {
        check_gamma(self.gamma)?;
        let max = data_len.unwrap_or(usize::MAX);
        if self.batch == 0 || self.batch > max {
            return Err(NetworkError::InvalidBatchSize {
                batch: self.batch,
                max,
            });
        }
        if !(self.momentum.is_finite() && (0.0..1.0).contains(&self.momentum)) {
            return Err(NetworkError::InvalidParameter {
                name: "momentum",
                value: self.momentum,
                reason: "must be in [0, 1)",
            });
        }
        Ok(())
    }
}

/// SGD on the teacher-student problem, online (fresh samples) or on a finite data set.
#[derive(Debug, Clone)]
pub struct TeacherStudentSgd {
    problem: TeacherStudent,
    config: SgdConfig,
    data: Option<Arc<Dataset>>,
}

impl TeacherStudentSgd {
    /// Online SGD (a fresh mini-batch from the teacher every step).
    pub fn online(problem: TeacherStudent, config: SgdConfig) -> Result<Self> {
        config.validate(None)?;
        Ok(Self {
            problem,
            config,
            data: None,
        })
    }

    /// SGD on a finite data set (requires $M \le n$).
    pub fn on_dataset(problem: TeacherStudent, config: SgdConfig, data: Arc<Dataset>) -> Result<Self> {
        config.validate(Some(data.len()))?;
        if data.k != problem.dim() {
            return Err(NetworkError::ShapeMismatch {
                what: "data-set input dimension",
                expected: problem.dim(),
                got: data.k,
            });
        }
        Ok(Self {
            problem,
            config,
            data: Some(data),
        })
    }

    /// The problem.
    pub fn problem(&self) -> &TeacherStudent {
        &self.problem
    }

    /// The hyper-parameters.
    pub fn config(&self) -> &SgdConfig {
        &self.config
    }

    /// The same learner with other hyper-parameters (validated).
    pub fn with_config(&self, config: SgdConfig) -> Result<Self> {
        config.validate(self.data.as_ref().map(|d| d.len()))?;
        Ok(Self {
            problem: self.problem.clone(),
            config,
            data: self.data.clone(),
        })
    }
}

/// Accumulate $(q\cdot x - y)x / M$ into `g`.
#[inline]
fn add_grad(q: &[f64], x: &[f64], y: f64, inv_m: f64, g: &mut [f64]) {
    let mut r = -y;
    for i in 0..q.len() {
        r += q[i] * x[i];
    }
    let r = r * inv_m;
    for i in 0..q.len() {
        g[i] += r * x[i];
    }
}

impl Dynamics for TeacherStudentSgd {
    fn dim(&self) -> usize {
        self.problem.dim()
    }

    fn aux_dim(&self) -> usize {
        if self.config.momentum > 0.0 { self.dim() } else { 0 }
    }

    fn advance(&self, q: &mut [f64], aux: &mut [f64], rng: &mut StreamRng, steps: usize) -> Result<()> {
        let k = self.dim();
        check_advance_args(k, self.aux_dim(), q, aux)?;
        let m = self.config.batch;
        crate::error::check_work("SGD work (steps × batch × K)", &[steps, m, k.max(1)])?;
        let inv_m = 1.0 / m as f64;
        let gamma = self.config.gamma;
        // Stack buffers for K <= 16 (no allocation per call), heap otherwise.
        let mut stack = [0.0f64; 48];
        let mut heap;
        let buf: &mut [f64] = if k <= 16 {
            &mut stack[..3 * k]
        } else {
            heap = vec![0.0; 3 * k];
            &mut heap
        };
        let (x, rest) = buf.split_at_mut(k);
        let (g, z) = rest.split_at_mut(k);
        let mut picked: Vec<usize> = Vec::new();
        for step in 1..=steps {
            g.iter_mut().for_each(|v| *v = 0.0);
            match &self.data {
                None => {
                    for _ in 0..m {
                        let y = self.problem.sample_pair(rng, x);
                        add_grad(q, x, y, inv_m, g);
                    }
                }
                Some(d) => {
                    let n = d.len();
                    match self.config.sampling {
                        Sampling::WithReplacement => {
                            for _ in 0..m {
                                let (x, y) = d.pair(rng.random_range(0..n));
                                add_grad(q, x, y, inv_m, g);
                            }
                        }
                        Sampling::WithoutReplacement => {
                            // Floyd's algorithm: M distinct indices.
                            picked.clear();
                            for j in n - m..n {
                                let t = rng.random_range(0..=j);
                                let pick = if picked.contains(&t) { j } else { t };
                                picked.push(pick);
                            }
                            for &i in &picked {
                                let (x, y) = d.pair(i);
                                add_grad(q, x, y, inv_m, g);
                            }
                        }
                    }
                }
            }
            if let Some((_, l)) = &self.problem.injected {
                for zi in z.iter_mut() {
                    *zi = StandardNormal.sample(rng);
                }
                for i in 0..k {
                    g[i] += (0..=i).map(|j| l[i * k + j] * z[j]).sum::<f64>();
                }
            }
            if aux.len() == k && k > 0 {
                for i in 0..k {
                    aux[i] = self.config.momentum * aux[i] + g[i];
                    q[i] -= gamma * aux[i];
                }
            } else {
                for i in 0..k {
                    q[i] -= gamma * g[i];
                }
            }
            check_state(step, q)?;
        }
        Ok(())
    }
}

/// A gradient $\nabla F(q)$ written into the second argument.
pub type GradFn = Arc<dyn Fn(&[f64], &mut [f64]) + Send + Sync>;

/// The Langevin learner $dq = -\gamma\nabla F\\,dt + \sqrt{2D}\\,dW$ (N2.6), Euler-Maruyama with step `dt`.
#[derive(Clone)]
pub struct Langevin {
    k: usize,
    grad: GradFn,
    gamma: f64,
    d_chol: Vec<f64>,
    dt: f64,
}

impl std::fmt::Debug for Langevin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Langevin")
            .field("k", &self.k)
            .field("gamma", &self.gamma)
            .field("dt", &self.dt)
            .finish()
    }
}

impl Langevin {
    /// A Langevin learner in $K$ dimensions with gradient `grad`, rate $\gamma > 0$, diffusion matrix
    /// $D$ (row-major, symmetric PSD) and time step `dt > 0`.
    pub fn new(k: usize, grad: GradFn, gamma: f64, diffusion: &[f64], dt: f64) -> Result<Self> {
        check_gamma(gamma)?;
        check_positive("dt", dt)?;
        let d = symmetric(k, diffusion, "diffusion matrix D")?;
        let d_chol = cholesky_psd(&d, "diffusion matrix D")?;
        Ok(Self {
            k,
            grad,
            gamma,
            d_chol,
            dt,
        })
    }
}

impl Dynamics for Langevin {
    fn dim(&self) -> usize {
        self.k
    }

    fn advance(&self, q: &mut [f64], aux: &mut [f64], rng: &mut StreamRng, steps: usize) -> Result<()> {
        let k = self.k;
        check_advance_args(k, 0, q, aux)?;
        let mut g = vec![0.0; k];
        let mut z = vec![0.0; k];
        let amp = (2.0 * self.dt).sqrt();
        for step in 1..=steps {
            (self.grad)(q, &mut g);
            for zi in z.iter_mut() {
                *zi = StandardNormal.sample(rng);
            }
            for i in 0..k {
                let noise: f64 = (0..=i).map(|j| self.d_chol[i * k + j] * z[j]).sum();
                q[i] += -self.gamma * g[i] * self.dt + amp * noise;
            }
            check_state(step, q)?;
        }
        Ok(())
    }
}

/// Stationary state of the Ornstein-Uhlenbeck process $dq = -A q\\,dt + \sqrt{2D}\\,dW$ (the continuum
/// model of SGD near a minimum, N-3): covariance $P$ solving $AP + PA^T = 2D$ and the current matrix
/// $\Omega = -A + D P^{-1}$, so that the stationary probability current is $J(q) = \Omega q\\,p(q)$;
/// $\Omega = 0$ (detailed balance) iff $A D = D A^T$ for symmetric $A$.
pub fn ornstein_uhlenbeck_stationary(
    a: &DMatrix<f64>,
    d: &DMatrix<f64>,
) -> Result<(DMatrix<f64>, DMatrix<f64>)> {
    let k = a.nrows();
    check_len("drift matrix A (square)", k * k, a.len())?;
    check_len("diffusion matrix D", k * k, d.len())?;
    check_finite("drift matrix A", a.as_slice())?;
    check_finite("diffusion matrix D", d.as_slice())?;
    let kk = k * k;
    let mut op = DMatrix::<f64>::zeros(kk, kk);
    for c in 0..kk {
        let mut e = DMatrix::<f64>::zeros(k, k);
        e[(c / k, c % k)] = 1.0;
        let l = a * &e + &e * a.transpose();
        for r in 0..kk {
            op[(r, c)] = l[(r / k, r % k)];
        }
    }
    let rhs = DVector::from_fn(kk, |r, _| 2.0 * d[(r / k, r % k)]);
    let det = op.determinant();
    let sol = op.lu().solve(&rhs).ok_or(NetworkError::Singular {
        what: "Lyapunov equation",
        value: det,
    })?;
    let p = DMatrix::from_fn(k, k, |i, j| 0.5 * (sol[i * k + j] + sol[j * k + i]));
    let p_inv = p.clone().try_inverse().ok_or(NetworkError::NotPositiveDefinite {
        what: "stationary covariance",
        value: crate::error::min_eigenvalue(&p),
    })?;
    let omega = -a + d * p_inv;
    Ok((p, omega))
}
