//! Adaptive learning systems: controllers that change $\gamma$, $M$ and $N$ during learning, with
//! exact free-energy bookkeeping per neuron (N4.1-N4.3, N-8).
//!
//! * Chemical potential (N4.1): $\mu_c(N) = F(N+1) - F(N)$ for models with exact $F$
//!   ([`ExactFreeEnergy`]); for independent Gaussian neurons $H = \sum_i \tfrac a2 (x_i - b_i)^2$,
//!   $F = \tfrac{N}{2\beta}\ln\tfrac{\beta a}{2\pi}$ and $\mu_c = \tfrac1{2\beta}\ln\tfrac{\beta a}{2\pi}$.
//! * Self-tuning (N4.2-N4.3): $\hbar_\text{eff} = |\mu_c|/2\pi$ and
//!   $(4D\mu - \gamma)/(\gamma\mu^2) = \hbar^2$, i.e. $D = \gamma(1 + \mu^2\hbar^2)/(4\mu)$; with
//!   $D = \gamma^2\sigma^2/(2M)$ (N2.6) the mini-batch is $M = \gamma^2\sigma^2/(2D)$, rounded to an
//!   integer $\ge 1$ ([`SelfTuning`]).
//! * A [`NeuronLedger`] records every change of $N$ with its exact $\Delta F = \sum \mu_c$.

use crate::ensemble::Ensemble;
use crate::error::{NetworkError, Result, check_gamma, check_positive};
use crate::learning::Dynamics;
use crate::moments::Moments;

/// A model whose free energy is known exactly as a function of the number of neurons.
pub trait ExactFreeEnergy {
    /// $F(N)$.
    fn free_energy(&self, neurons: usize) -> f64;

    /// $\mu_c(N) = F(N+1) - F(N)$.
    fn chemical_potential(&self, neurons: usize) -> f64 {
        self.free_energy(neurons + 1) - self.free_energy(neurons)
    }
}

/// Independent Gaussian neurons $H = \sum_i \tfrac a2 (x_i - b_i)^2$ at inverse temperature $\beta$ (N-8).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndependentNeurons {
    a: f64,
    beta: f64,
}

impl IndependentNeurons {
    /// Stiffness $a > 0$, inverse temperature $\beta > 0$.
    pub fn new(a: f64, beta: f64) -> Result<Self> {
        check_positive("stiffness a", a)?;
        check_positive("beta", beta)?;
        Ok(Self { a, beta })
    }

    /// Closed form $\mu_c = \tfrac1{2\beta}\ln\tfrac{\beta a}{2\pi}$.
    pub fn chemical_potential_closed_form(&self) -> f64 {
        (self.beta * self.a / (2.0 * std::f64::consts::PI)).ln() / (2.0 * self.beta)
    }
}

impl ExactFreeEnergy for IndependentNeurons {
    /// $F(N) = -\beta^{-1}\ln\int d^Nx\\,e^{-\beta H}$, computed as a sum of per-neuron Gaussian
    /// integrals $-\beta^{-1}\ln\sqrt{2\pi/(\beta a)}$ (independent of $b$).
    fn free_energy(&self, neurons: usize) -> f64 {
        let per = -(2.0 * std::f64::consts::PI / (self.beta * self.a)).sqrt().ln() / self.beta;
        (0..neurons).map(|_| per).sum()
    }
}

/// Bookkeeping of the number of neurons and the free energy exchanged with the reservoir.
#[derive(Debug, Clone, PartialEq)]
pub struct NeuronLedger {
    neurons: usize,
    transferred: f64,
    history: Vec<(usize, f64)>,
}

impl NeuronLedger {
    /// Start with `neurons` neurons.
    pub fn new(neurons: usize) -> Self {
        Self {
            neurons,
            transferred: 0.0,
            history: vec![(neurons, 0.0)],
        }
    }

    /// Current $N$.
    pub fn neurons(&self) -> usize {
        self.neurons
    }

    /// Total $\sum \mu_c$ over all changes so far ($= F(N) - F(N_0)$ exactly).
    pub fn transferred(&self) -> f64 {
        self.transferred
    }

    /// Every $(N, \text{cumulative } \Delta F)$ after each change.
    pub fn history(&self) -> &[(usize, f64)] {
        &self.history
    }

    /// Change $N$ to `target`, one neuron at a time, booking $\mu_c$ of each step; returns the
    /// $\Delta F$ of this change.
    pub fn set_neurons<M: ExactFreeEnergy>(&mut self, model: &M, target: usize) -> f64 {
        let mut df = 0.0;
        while self.neurons < target {
            df += model.chemical_potential(self.neurons);
            self.neurons += 1;
        }
        while self.neurons > target {
            self.neurons -= 1;
            df -= model.chemical_potential(self.neurons);
        }
        self.transferred += df;
        self.history.push((self.neurons, self.transferred));
        df
    }
}

/// The self-tuning relation (N4.3) between $\gamma$, $\mu$, $D$, $\hbar$ and $M$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SelfTuning {
    /// Learning rate $\gamma$.
    pub gamma: f64,
    /// Lagrange multiplier $\mu$ of the free-energy-production constraint.
    pub mu: f64,
    /// Per-sample gradient-noise variance $\sigma^2$ (isotropic $C = \sigma^2 1$).
    pub sigma2: f64,
}

/// The outcome of solving (N4.3) for an integer mini-batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TunedBatch {
    /// Target $\hbar$.
    pub hbar: f64,
    /// Required $D = \gamma(1 + \mu^2\hbar^2)/(4\mu)$.
    pub diffusion: f64,
    /// Real-valued $M^\* = \gamma^2\sigma^2/(2D)$.
    pub batch_real: f64,
    /// Integer $M = \max(1, \mathrm{round}(M^\*))$.
    pub batch: usize,
    /// $D$ realised by the integer $M$.
    pub diffusion_realised: f64,
    /// $\hbar$ realised by the integer $M$ (NaN if $4D\mu < \gamma$).
    pub hbar_realised: f64,
}

impl SelfTuning {
    /// Validated parameters.
    pub fn new(gamma: f64, mu: f64, sigma2: f64) -> Result<Self> {
        check_gamma(gamma)?;
        check_positive("mu", mu)?;
        check_positive("sigma^2", sigma2)?;
        Ok(Self { gamma, mu, sigma2 })
    }

    /// $D$ that yields $\hbar$: $D = \gamma(1 + \mu^2\hbar^2)/(4\mu)$.
    pub fn diffusion_for(&self, hbar: f64) -> f64 {
        self.gamma * (1.0 + self.mu * self.mu * hbar * hbar) / (4.0 * self.mu)
    }

    /// $\hbar$ implied by $D$: $\sqrt{(4D\mu - \gamma)/(\gamma\mu^2)}$ (NaN in the Euclidean regime).
    pub fn hbar_for(&self, diffusion: f64) -> f64 {
        ((4.0 * diffusion * self.mu - self.gamma) / (self.gamma * self.mu * self.mu)).sqrt()
    }

    /// $D = \gamma^2\sigma^2/(2M)$ (N2.6).
    pub fn diffusion_of_batch(&self, batch: usize) -> f64 {
        self.gamma * self.gamma * self.sigma2 / (2.0 * batch.max(1) as f64)
    }

    /// Solve for the integer mini-batch giving $\hbar$ (e.g. $\hbar = |\mu_c|/2\pi$).
    pub fn batch_for(&self, hbar: f64) -> Result<TunedBatch> {
        check_positive("hbar", hbar)?;
        let d = self.diffusion_for(hbar);
        let m_real = self.gamma * self.gamma * self.sigma2 / (2.0 * d);
        let rounded = m_real.round();
        if !(rounded.is_finite() && rounded < 1e15) {
            return Err(NetworkError::InvalidParameter {
                name: "required mini-batch",
                value: m_real,
                reason: "not representable",
            });
        }
        let batch = (rounded as usize).max(1);
        let d_real = self.diffusion_of_batch(batch);
        Ok(TunedBatch {
            hbar,
            diffusion: d,
            batch_real: m_real,
            batch,
            diffusion_realised: d_real,
            hbar_realised: self.hbar_for(d_real),
        })
    }
}

/// The hyper-parameters an adaptive learning system controls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HyperParams {
    /// Step $\gamma$.
    pub gamma: f64,
    /// Mini-batch $M$.
    pub batch: usize,
    /// Number of neurons $N$.
    pub neurons: usize,
}

/// A controller: looks at the ensemble after a segment and chooses the next hyper-parameters.
pub trait Controller {
    /// New hyper-parameters given the current ones, the step count and the ensemble moments.
    fn control(&mut self, step: usize, moments: &Moments, current: HyperParams) -> HyperParams;
}

/// A fixed schedule: `(from_step, params)` entries, the last one not after `step` applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule(pub Vec<(usize, HyperParams)>);

impl Controller for Schedule {
    fn control(&mut self, step: usize, _m: &Moments, current: HyperParams) -> HyperParams {
        self.0
            .iter()
            .rev()
            .find(|(s, _)| *s <= step)
            .map_or(current, |(_, p)| *p)
    }
}

/// Self-tuning to a target $\hbar$: keeps $\gamma$, chooses $N$ so that $|\mu_c(N)|/2\pi$ is closest
/// to the target among `1..=max_neurons`, then $M$ from (N4.3).
#[derive(Debug, Clone)]
pub struct HbarController<Mo> {
    /// The model with exact $F(N)$.
    pub model: Mo,
    /// $\mu$ and $\sigma^2$ of the tuning relation ($\gamma$ is taken from the current parameters).
    pub mu: f64,
    /// Gradient-noise variance $\sigma^2$.
    pub sigma2: f64,
    /// Target $\hbar$.
    pub hbar: f64,
    /// Largest $N$ considered.
    pub max_neurons: usize,
    /// Free-energy bookkeeping of the $N$ changes.
    pub ledger: NeuronLedger,
}

impl<Mo: ExactFreeEnergy> Controller for HbarController<Mo> {
    fn control(&mut self, _step: usize, _m: &Moments, current: HyperParams) -> HyperParams {
        let target = self.hbar;
        let best_n = (1..=self.max_neurons.max(1))
            .min_by(|&a, &b| {
                let da =
                    (self.model.chemical_potential(a).abs() / (2.0 * std::f64::consts::PI) - target).abs();
                let db =
                    (self.model.chemical_potential(b).abs() / (2.0 * std::f64::consts::PI) - target).abs();
                da.total_cmp(&db)
            })
            .unwrap_or(current.neurons);
        self.ledger.set_neurons(&self.model, best_n);
        let hbar = self.model.chemical_potential(best_n).abs() / (2.0 * std::f64::consts::PI);
        let batch = SelfTuning::new(current.gamma, self.mu, self.sigma2)
            .and_then(|t| t.batch_for(hbar))
            .map_or(current.batch, |t| t.batch);
        HyperParams {
            gamma: current.gamma,
            batch,
            neurons: best_n,
        }
    }
}

/// One segment of an adaptive run.
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptiveSegment {
    /// Step at the end of the segment.
    pub step: usize,
    /// Hyper-parameters used during the segment.
    pub params: HyperParams,
    /// Ensemble moments at the end of the segment.
    pub moments: Moments,
}

/// Run `ensemble` in segments of `segment_steps`; before each segment the controller picks the
/// hyper-parameters and `build` turns them into a dynamics.
pub fn run_adaptive<D: Dynamics, C: Controller>(
    ensemble: &mut Ensemble,
    build: impl Fn(HyperParams) -> Result<D>,
    controller: &mut C,
    initial: HyperParams,
    segment_steps: &[usize],
) -> Result<Vec<AdaptiveSegment>> {
    let mut params = initial;
    let mut out = Vec::with_capacity(segment_steps.len());
    for &steps in segment_steps {
        params = controller.control(ensemble.time(), &ensemble.moments(), params);
        let dy = build(params)?;
        ensemble.advance(&dy, steps)?;
        out.push(AdaptiveSegment {
            step: ensemble.time(),
            params,
            moments: ensemble.moments(),
        });
    }
    Ok(out)
}
