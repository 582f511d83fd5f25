//! E-6, claim 6 on one network: the quantum description of the trainable coupling and the
//! gravitational description of the non-trainable field, and the entropy budget between them.
//!
//! The network ([`nqg_network::duality`]): a ring of $L$ neurons $\phi$ (damped thermal leapfrog, read
//! out with noise) and one trainable coupling $w = c^2$ learned by SGD (N2.3, $M = L$) on the bulk loss
//! (N2.2) of the read-out neurons; an ensemble of replicas gives $p(w)$.
//!
//! * Quantum side, from the $w$ ensemble alone: variance $P$, lag-one autocorrelation $\rho$, hence
//!   $D_W = P(1-\rho^2)/2$, the destruction rate $\gamma\kappa_W = 1 - \rho$, $m_\text{eff} = 1/2\gamma$ and
//!   (N3.7) $\hbar^2_\text{eff} = (4D_W\mu - \gamma)/(\gamma\mu^2)$ with $\mu$ fixed by E0.1,
//!   $\mu = (\sqrt5 - 2)\gamma/D_W$ (the multiplier at which plain learning satisfies the Madelung pair),
//!   which makes $\hbar^2_\text{eff} = -(D_W/\gamma)^2$: the Euclidean branch.
//! * Gravitational side, from the neurons alone: $c^2$ from the Yule-Walker dispersion of $\phi$,
//!   $\tilde\Lambda = \partial\langle H\rangle/\partial N$ from frozen rings of $L$ and $2L$ neurons (the
//!   neuron-number bookkeeping of V-M6), and the two budget counterparts: the gradient noise
//!   $D_\phi = \gamma^2\mathrm{Var}(\bar g)/2$ (N2.6) and the response $\kappa_\phi = -\partial\langle\bar
//!   g\rangle/\partial w$ of frozen neurons.
//! * Budget (N2.8): at learning equilibrium production $D/P$ balances destruction $\gamma\kappa$; the
//!   checks compare each $w$-side term with its neuron-side counterpart. The pre-registered criteria
//!   are in notes/issue-13-einstein-duality.md (written before the first run).
//!
//! The verdict of claim 6 stays interpretive: these are measured relations between the two
//! descriptions, not an observable map (`paper.duality.observable_map` stays NOT-TESTABLE). The budget
//! checks therefore have the role of premises (that both descriptions share one budget is what a
//! duality presupposes), so they cannot decide claim 6; only a tested map, an end-to-end test, could.

use std::sync::{Arc, Mutex};

use nqg_network::duality::{DualityConfig, DualityRun, GroupStats, QuantumSide, run_duality};
use serde::Serialize;

use crate::{CheckError, CheckResult, Criterion, Evidence, Figure, Provenance, Registry, Role, RunContext};

/// Register `e2e.duality`.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "e2e.duality",
        "Claim 6 on one network (E-6): the quantum description of a trainable coupling (its SGD ensemble) \
         and the gravitational description of the non-trainable field (its dispersion and neuron-number \
         bookkeeping) share one entropy budget, term by term",
        Provenance::Reconstruction,
    )
    .check(
        "e2e.duality.production_exchange",
        "E-6 budget, production: the diffusion constant D_W = P(1-ρ²)/2 of the coupling's SGD ensemble \
         (quantum side) against its counterpart from the neurons at the frozen mean coupling, the N2.6 \
         white-noise form D_φ = γ²Var(ḡ)/2 of the bulk-loss gradient (close to an identity: the lag-one \
         increment of w is γḡ, so P(1-ρ²)/2 ≈ γ²Var(ḡ)/2 up to O(γκ) and the difference between the \
         learning and the frozen neurons; the budget content is in the two refinements)",
        Role::Premise,
        production_exchange,
    )
    .theory("E-6, N2.6")
    .check(
        "e2e.duality.production_exchange_coloured",
        "E-6 budget, production (refinement): D_W against the coloured-noise form γ²/2 Σ_{|j|≤4} \
         Cov(ḡ_t, ḡ_{t+j}) of the same neuron gradient, which keeps the memory of the read-out noise and \
         of the field",
        Role::Premise,
        production_exchange_coloured,
    )
    .theory("E-6, N2.6")
    .refines("e2e.duality.production_exchange")
    .check(
        "e2e.duality.destruction_exchange",
        "E-6 budget, destruction: the learning destruction rate γκ_W = 1 - ρ of the coupling's ensemble \
         (quantum side) against γκ_φ = -γ ∂⟨ḡ⟩/∂w, the response of the mean bulk-loss gradient of frozen \
         neurons to the coupling (gravitational side)",
        Role::Premise,
        destruction_exchange,
    )
    .theory("E-6, N2.8")
    .check(
        "e2e.duality.destruction_exchange_long_lag",
        "E-6 budget, destruction (refinement): the relaxation rate of the coupling ensemble from its \
         long-lag autocorrelation, 1 - ρ(τ)^{1/τ} with τ = 50 steps (beyond the memory of the gradient \
         noise), against γκ_φ of the frozen neurons",
        Role::Premise,
        destruction_exchange_long_lag,
    )
    .theory("E-6, N2.8")
    .refines("e2e.duality.destruction_exchange")
    .check(
        "e2e.duality.budget_closure",
        "E-6 budget closed across the descriptions (refinement): the stationary spread P of the coupling \
         ensemble (quantum side) against the spread the neurons alone predict from production = destruction \
         (N2.8), P = 2D_φ/(1 - (1 - γκ_φ)²) with the coloured D_φ and the frozen response γκ_φ",
        Role::Premise,
        budget_closure,
    )
    .theory("E-6, N2.8")
    .refines("e2e.duality.production_exchange")
    .check(
        "e2e.duality.light_speed",
        "E-6 solver: the light speed c² of the field, from the Yule-Walker dispersion of φ on the learned \
         coupling, against the ensemble mean of the learned coupling w̄ (the dispersion of the leapfrog \
         with coupling w is c² = w)",
        Role::Solver,
        light_speed,
    )
    .theory("E-6, N-5");
}

/// Parameters of the E-6 runs.
#[derive(Debug, Clone, Serialize)]
struct DualParams {
    l: usize,
    replicas: usize,
    groups: usize,
    damping: f64,
    thermal: f64,
    readout: f64,
    gamma: f64,
    w0: f64,
    burn_in: usize,
    steps: usize,
    frozen_offset: f64,
    relaxation_lag: usize,
    seed: u64,
}

fn params(ctx: &RunContext) -> DualParams {
    let replicas = ctx.pick(128, 512);
    DualParams {
        l: 32,
        replicas,
        groups: 16,
        damping: 0.1,
        thermal: 0.1,
        readout: 1.0,
        gamma: 0.002,
        w0: 0.6,
        burn_in: 2000,
        steps: 20_000,
        frozen_offset: 0.05,
        relaxation_lag: 50,
        seed: nqg_network::rng::member_seed(0xE6, replicas as u64),
    }
}

impl DualParams {
    fn config(&self, learning: bool, w0: f64, l: usize, stream: u64) -> DualityConfig {
        DualityConfig {
            l,
            replicas: self.replicas,
            groups: self.groups,
            damping: self.damping,
            thermal: self.thermal,
            readout: self.readout,
            gamma: self.gamma,
            w0,
            learning,
            burn_in: self.burn_in,
            steps: self.steps,
            relaxation_lag: self.relaxation_lag,
            seed: nqg_network::rng::member_seed(self.seed, stream),
        }
    }
}

/// A value with its batch-mean error over groups.
#[derive(Debug, Clone, Copy)]
struct Est {
    mean: f64,
    err: f64,
}

fn est(v: &[f64]) -> Est {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Est {
        mean,
        err: (var / n).sqrt(),
    }
}

/// Everything measured, per side.
struct Dual {
    params: DualParams,
    learning: DualityRun,
    w_bar: Est,
    d_w: Est,
    destruction_w: Est,
    destruction_w_long: Est,
    spread: Est,
    spread_phi: Est,
    d_phi: Est,
    d_phi_coloured: Est,
    kappa_phi: Est,
    u2_naive: Est,
    lambda: Est,
    c2: Est,
    quantum: QuantumSide,
}

static CACHE: Mutex<Vec<(usize, Arc<Dual>)>> = Mutex::new(Vec::new());

/// The runs for this size, computed once on a private rayon pool (see `e2e.einstein`).
fn experiment(ctx: &RunContext) -> Result<Arc<Dual>, CheckError> {
    let p = params(ctx);
    let mut cache = CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, hit)) = cache.iter().find(|(r, _)| *r == p.replicas) {
        return Ok(hit.clone());
    }
    let threads = rayon::current_num_threads();
    let out = std::thread::scope(|s| {
        s.spawn(|| -> Result<Dual, CheckError> {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|e| CheckError::msg(e.to_string()))?;
            pool.install(|| measure(p))
        })
        .join()
        .map_err(|_| CheckError::msg("the E-6 run panicked"))
    })??;
    let out = Arc::new(out);
    cache.push((out.params.replicas, out.clone()));
    Ok(out)
}

fn per_group(run: &DualityRun, f: impl Fn(&GroupStats) -> f64) -> Vec<f64> {
    run.groups.iter().map(f).collect()
}

fn measure(p: DualParams) -> Result<Dual, CheckError> {
    let learning = run_duality(&p.config(true, p.w0, p.l, 0))?;
    let w_bar = est(&per_group(&learning, |g| g.w_mean));
    let d_w = est(&per_group(&learning, |g| {
        g.w_var * (1.0 - g.w_rho * g.w_rho) / 2.0
    }));
    let destruction_w = est(&per_group(&learning, |g| 1.0 - g.w_rho));
    let tau = p.relaxation_lag as f64;
    let destruction_w_long = est(&per_group(&learning, |g| {
        1.0 - g.w_rho_lag.max(0.0).powf(1.0 / tau)
    }));
    let spread = est(&per_group(&learning, |g| g.w_var));
    let pooled_var = learning.groups.iter().map(|g| g.w_var).sum::<f64>() / learning.groups.len() as f64;
    let pooled_rho = learning.groups.iter().map(|g| g.w_rho).sum::<f64>() / learning.groups.len() as f64;
    let quantum = QuantumSide::from_ensemble(pooled_var, pooled_rho, p.gamma)?;
    let wb = w_bar.mean;
    let frozen = run_duality(&p.config(false, wb, p.l, 1))?;
    let lo = run_duality(&p.config(false, wb - p.frozen_offset, p.l, 2))?;
    let hi = run_duality(&p.config(false, wb + p.frozen_offset, p.l, 3))?;
    let double = run_duality(&p.config(false, wb, 2 * p.l, 4))?;
    let g2 = p.gamma * p.gamma / 2.0;
    let d_phi = est(&per_group(&frozen, |g| g2 * g.g_cov[0]));
    let d_phi_coloured = est(&per_group(&frozen, |g| {
        g2 * (g.g_cov[0] + 2.0 * g.g_cov[1..].iter().sum::<f64>())
    }));
    let kappa_phi = est(&lo
        .groups
        .iter()
        .zip(&hi.groups)
        .map(|(a, b)| -p.gamma * (b.g_mean - a.g_mean) / (2.0 * p.frozen_offset))
        .collect::<Vec<_>>());
    // Neuron-side spread per group pair: P = 2D/(1 - (1 - γκ)²).
    let spread_phi = est(&frozen
        .groups
        .iter()
        .zip(lo.groups.iter().zip(&hi.groups))
        .map(|(f, (a, b))| {
            let d = g2 * (f.g_cov[0] + 2.0 * f.g_cov[1..].iter().sum::<f64>());
            let gk = -p.gamma * (b.g_mean - a.g_mean) / (2.0 * p.frozen_offset);
            2.0 * d / (1.0 - (1.0 - gk).powi(2))
        })
        .collect::<Vec<_>>());
    let u2_naive = est(&per_group(&frozen, |g| p.gamma * g.u2));
    // Λ̃ = ∂⟨H⟩/∂N with ⟨H⟩ = N⟨h̄⟩: (2L⟨h̄⟩_{2L} - L⟨h̄⟩_L)/L.
    let lambda = est(&frozen
        .groups
        .iter()
        .zip(&double.groups)
        .map(|(a, b)| 2.0 * b.h_mean - a.h_mean)
        .collect::<Vec<_>>());
    let c2 = est(&learning.c2_groups);
    Ok(Dual {
        params: p,
        learning,
        w_bar,
        d_w,
        destruction_w,
        destruction_w_long,
        spread,
        spread_phi,
        d_phi,
        d_phi_coloured,
        kappa_phi,
        u2_naive,
        lambda,
        c2,
        quantum,
    })
}

fn relations(e: Evidence, x: &Dual) -> Evidence {
    e.detail("learned coupling w̄ = c² (ensemble mean)", x.w_bar.mean, None)
        .detail("m_eff = 1/(2γ)", x.quantum.mass, None)
        .detail("μ from E0.1, (√5-2)γ/D_W", x.quantum.mu, None)
        .detail(
            "ħ²_eff = (4D_Wμ - γ)/(γμ²) (N3.7)",
            x.quantum.hbar2,
            Some(-(x.quantum.diffusion / x.params.gamma).powi(2)),
        )
        .detail("Λ̃ = ∂⟨H⟩/∂N (frozen rings of L and 2L)", x.lambda.mean, None)
        .detail("σ(Λ̃)", x.lambda.err, None)
        .detail("c² from the dispersion of φ", x.c2.mean, None)
}

fn budget_figure(x: &Dual) -> Figure {
    let xs = vec![1.0, 2.0, 3.0];
    Figure::new(
        "E-6: the N2.8 budget terms per step, coupling ensemble (quantum side) vs neurons (gravity side); \
         1 = production D/P (white), 2 = production D/P (coloured), 3 = destruction γκ",
        "budget term",
        "rate per step",
    )
    .markers(
        "w ensemble: D_W/P, D_W/P, 1-ρ",
        xs.clone(),
        vec![
            x.quantum.production_rate,
            x.quantum.production_rate,
            x.destruction_w.mean,
        ],
    )
    .markers(
        "neurons: γ²Var(ḡ)/2P, coloured/P, -γ∂⟨ḡ⟩/∂w",
        xs.clone(),
        vec![
            x.d_phi.mean / (x.d_w.mean / x.quantum.production_rate),
            x.d_phi_coloured.mean / (x.d_w.mean / x.quantum.production_rate),
            x.kappa_phi.mean,
        ],
    )
    .markers(
        "naive Hessian γ⟨ū²⟩ (destruction only)",
        vec![3.0],
        vec![x.u2_naive.mean],
    )
}

fn compare(quantity: &str, a: Est, b: Est) -> Evidence {
    Evidence::new(quantity, a.mean, b.mean, Criterion::Sigmas(3.0))
        .with_uncertainty((a.err * a.err + b.err * b.err).sqrt())
}

fn production_exchange(ctx: &RunContext) -> CheckResult {
    let x = experiment(ctx)?;
    let e = compare(
        "D_W of the coupling ensemble vs D_φ = γ²Var(ḡ)/2 of the frozen neurons",
        x.d_w,
        x.d_phi,
    )
    .params_from(&x.params)
    .detail("D_φ coloured (lags ≤ 4)", x.d_phi_coloured.mean, None)
    .detail("D_W / D_φ", x.d_w.mean / x.d_phi.mean, Some(1.0));
    Ok(relations(e, &x).figure(budget_figure(&x)).into())
}

fn production_exchange_coloured(ctx: &RunContext) -> CheckResult {
    let x = experiment(ctx)?;
    let e = compare(
        "D_W of the coupling ensemble vs γ²/2 Σ_{|j|≤4} Cov(ḡ_t, ḡ_{t+j}) of the frozen neurons",
        x.d_w,
        x.d_phi_coloured,
    )
    .params_from(&x.params)
    .detail(
        "D_W / D_φ (coloured)",
        x.d_w.mean / x.d_phi_coloured.mean,
        Some(1.0),
    );
    Ok(e.into())
}

fn destruction_exchange(ctx: &RunContext) -> CheckResult {
    let x = experiment(ctx)?;
    let e = compare(
        "γκ_W = 1 - ρ of the coupling ensemble vs γκ_φ = -γ∂⟨ḡ⟩/∂w of frozen neurons",
        x.destruction_w,
        x.kappa_phi,
    )
    .params_from(&x.params)
    .detail(
        "naive Hessian γ⟨ū²⟩ = γ⟨∂²h/∂w²⟩ of the frozen neurons",
        x.u2_naive.mean,
        None,
    )
    .detail(
        "production D_W/P of the ensemble (equals destruction at learning equilibrium)",
        x.quantum.production_rate,
        None,
    );
    Ok(relations(e, &x).into())
}

fn destruction_exchange_long_lag(ctx: &RunContext) -> CheckResult {
    let x = experiment(ctx)?;
    let e = compare(
        "1 - ρ(τ)^{1/τ} of the coupling ensemble (τ = 50) vs γκ_φ of frozen neurons",
        x.destruction_w_long,
        x.kappa_phi,
    )
    .params_from(&x.params)
    .detail("lag-one estimate 1 - ρ", x.destruction_w.mean, None);
    Ok(e.into())
}

fn budget_closure(ctx: &RunContext) -> CheckResult {
    let x = experiment(ctx)?;
    let e = compare(
        "stationary Var(w) of the coupling ensemble vs 2D_φ/(1 - (1 - γκ_φ)²) from the neurons alone",
        x.spread,
        x.spread_phi,
    )
    .params_from(&x.params)
    .detail(
        "Var(w) / neuron prediction",
        x.spread.mean / x.spread_phi.mean,
        Some(1.0),
    )
    .detail(
        "learning temperature T_L = D_φ/γ of the neurons (coloured)",
        x.d_phi_coloured.mean / x.params.gamma,
        None,
    );
    Ok(relations(e, &x).into())
}

fn light_speed(ctx: &RunContext) -> CheckResult {
    let x = experiment(ctx)?;
    let mut e = compare(
        "c² from the dispersion of φ vs the ensemble mean of the learned coupling",
        x.c2,
        x.w_bar,
    )
    .params_from(&x.params);
    let modes: Vec<f64> = x.learning.modes.iter().map(|&m| m as f64).collect();
    let fig = Figure::new(
        "E-6: c²(k) of the field from its Yule-Walker dispersion, on the learned coupling",
        "mode number m (k = 2πm/L)",
        "c²(k)",
    )
    .markers("Yule-Walker c²(k)", modes.clone(), x.learning.c2_of_k.clone())
    .line(
        "learned coupling w̄",
        modes,
        vec![x.w_bar.mean; x.learning.modes.len()],
    );
    let a2 = x
        .learning
        .minus_a2
        .first()
        .copied()
        .ok_or_else(|| CheckError::msg("no dispersion modes"))?;
    e = e.detail(
        "-a₂ of the lowest mode (expected 1 - η)",
        a2,
        Some(1.0 - x.params.damping),
    );
    Ok(e.figure(fig).into())
}
