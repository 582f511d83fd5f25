//! `network.learning`: SGD on a quadratic loss has an exactly computable stationary distribution (N-1),
//! and a network's couplings can be learned from its own trajectories (N-7).
//!
//! - N-1: teacher-student regression, $h = \tfrac12(y - q\cdot x)^2$, $x \sim N(0, \Sigma)$,
//!   $y = q^\*\cdot x + \epsilon$, $\epsilon \sim N(0, s^2)$, mini-batch $M$, step $\gamma$. The exact
//!   discrete-time stationary covariance solves (Isserlis)
//!   $\Sigma P + P\Sigma = \gamma\left[(1 + \tfrac1M)\Sigma P\Sigma + \Sigma\\,\mathrm{tr}(P\Sigma)/M + s^2\Sigma/M\right]$;
//!   to leading order $P = T_L 1$ with $T_L = \gamma s^2/(2M)$.
//! - N-7: a leapfrog network $\phi^{t+1}\_s = 2\phi^t_s - \phi^{t-1}\_s + C_s^2\Delta\phi^t_s$ with speed
//!   $c(s) = 1 + 0.3\sin(2\pi s/L)$; the banded $\hat w$ fitted to $\tfrac12|x(t+1) - \hat wx(t)|^2$ returns
//!   $c(s) = \sqrt{(w_{s,s-1} + w_{s,s+1})/2}\\,\Delta s/\Delta t$.

use nqg_network::ensemble::Ensemble;
use nqg_network::lattice::{Leapfrog1D, fit_pattern_least_squares, fit_pattern_sgd, speed_from_couplings};
use nqg_network::learning::{SgdConfig, TeacherStudent, TeacherStudentSgd};
use nqg_network::moments::MomentsExt;
use serde::Serialize;

use super::leapfrog_pairs;
use crate::{CheckError, CheckResult, Criterion, Evidence, Figure, Provenance, Registry, Role, RunContext};

/// Register `network.learning`.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "network.learning",
        "SGD on a quadratic loss has an exactly computable stationary distribution of the trainable \
         variables, and a network's couplings can be learned from its own trajectories (N2.6-N2.7, N-1, N-7)",
        Provenance::Reconstruction,
    )
    .check(
        "network.learning.sgd_stationary_covariance",
        "N-1 teacher-student SGD (K = 2, Σ = diag(1, 0.25), s = 0.5, γ = 0.05, M = 4): the ensemble \
         covariance of q against the exact discrete-time (Isserlis) stationary covariance, the worst entry \
         in units of its standard error; leading order is T_L = γs²/(2M)",
        Role::Solver,
        sgd_stationary_covariance,
    )
    .theory("N-1")
    .check(
        "network.learning.coupling_recovery",
        "N-7: banded couplings fitted to noise-free trajectories of a leapfrog network with speed \
         c(s) = 1 + 0.3 sin(2πs/L) (L = 256, C_max = 0.9) recover c(s): the max relative error of the \
         worse of exact least squares and SGD",
        Role::Solver,
        coupling_recovery,
    )
    .theory("N-7")
    .check(
        "network.learning.coupling_recovery_sgd",
        "N-7 as written: plain SGD with γ = 10⁻³ on the loss ½|x(t+1) - ŵx(t)|² over 10⁴ random-initial-data \
         trajectories of 64 steps (noise-free), from zero couplings: the max relative error of the learned c(s)",
        Role::Solver,
        coupling_recovery_sgd,
    )
    .theory("N-7")
    .prediction();
}

#[derive(Serialize)]
struct SgdParams {
    teacher: [f64; 2],
    input_covariance_diagonal: [f64; 2],
    label_noise: f64,
    gamma: f64,
    batch: usize,
    replicas: usize,
    steps: usize,
    sigmas: f64,
}

fn sgd_stationary_covariance(ctx: &RunContext) -> CheckResult {
    let pr = SgdParams {
        teacher: [1.0, -0.5],
        input_covariance_diagonal: [1.0, 0.25],
        label_noise: 0.5,
        gamma: 0.05,
        batch: 4,
        replicas: ctx.pick(20_000usize, 100_000),
        steps: 1600, // 20 relaxation times 1/(γ λ_min) = 80 steps
        sigmas: 4.0,
    };
    let [s0, s1] = pr.input_covariance_diagonal;
    let p = TeacherStudent::new(pr.teacher.to_vec(), &[s0, 0.0, 0.0, s1], pr.label_noise)?;
    let (gamma, m, steps) = (pr.gamma, pr.batch, pr.steps);
    let sgd = TeacherStudentSgd::online(p.clone(), SgdConfig::new(gamma, m)?)?;
    let qs = p.teacher().to_vec();
    let mut ens = Ensemble::new(&sgd, pr.replicas, ctx.seed, |_, _, q| q.copy_from_slice(&qs))?;
    let log: Vec<usize> = (1..=16).map(|i| i * steps / 16).collect();
    let rec = ens.run(&sgd, &log)?;
    let exact = p.stationary_covariance(gamma, m)?;
    let last = rec.moments.last().ok_or_else(|| CheckError::msg("no moments"))?;
    let c = last.covariance_matrix();
    let se = last.covariance_std_err();
    let mut worst = (0, 0);
    let mut wz = -1.0;
    for i in 0..2 {
        for j in i..2 {
            let z = ((c[(i, j)] - exact[(i, j)]) / se[(i, j)]).abs();
            if z > wz {
                wz = z;
                worst = (i, j);
            }
        }
    }
    let tl = p.learning_temperature(gamma, m);
    let times: Vec<f64> = rec.times.iter().map(|&t| t as f64).collect();
    let var0: Vec<f64> = rec.moments.iter().map(|mm| mm.covariance()[0]).collect();
    let var1: Vec<f64> = rec.moments.iter().map(|mm| mm.covariance()[3]).collect();
    // Exact transient from the moment map, starting at q = q* (zero mean, zero second moment).
    let (mut mean_e, mut second) = (nalgebra::DVector::zeros(2), nalgebra::DMatrix::zeros(2, 2));
    let (mut tt, mut p00, mut p11) = (Vec::new(), Vec::new(), Vec::new());
    for t in 1..=steps {
        let (a, b) = p.moment_step(gamma, m, &mean_e, &second);
        mean_e = a;
        second = b;
        if t % 10 == 0 {
            tt.push(t as f64);
            p00.push(second[(0, 0)]);
            p11.push(second[(1, 1)]);
        }
    }
    let fig = Figure::new(
        "Teacher-student SGD: ensemble variances of q",
        "learning step t",
        "Var q_k",
    )
    .markers("Var q_0 (λ = 1)", times.clone(), var0)
    .markers("Var q_1 (λ = 0.25)", times.clone(), var1)
    .line("exact P_00(t) (moment map)", tt.clone(), p00)
    .line("exact P_11(t) (moment map)", tt, p11)
    .line("T_L = γs²/(2M)", vec![0.0, steps as f64], vec![tl; 2]);
    Ok(Evidence::new(
        format!("ensemble covariance P_{}{} at t = {steps}", worst.0, worst.1),
        c[worst],
        exact[worst],
        Criterion::Sigmas(pr.sigmas),
    )
    .with_uncertainty(se[worst])
    .params_from(&pr)
    .detail("P_00", c[(0, 0)], Some(exact[(0, 0)]))
    .detail("P_01", c[(0, 1)], Some(exact[(0, 1)]))
    .detail("P_11", c[(1, 1)], Some(exact[(1, 1)]))
    .detail("leading-order T_L = γs²/(2M)", tl, None)
    .detail("measured P_00 / T_L", c[(0, 0)] / tl, None)
    .detail("measured P_11 / T_L", c[(1, 1)] / tl, None)
    .figure(fig)
    .into())
}

#[derive(Serialize)]
struct RecoveryParams {
    sites: usize,
    courant_max: f64,
    trajectories: usize,
    steps_per_trajectory: usize,
    sgd_trajectories: usize,
    sgd_epochs: usize,
    bound: f64,
}

fn coupling_recovery(ctx: &RunContext) -> CheckResult {
    let pr = RecoveryParams {
        sites: 256,
        courant_max: 0.9,
        trajectories: ctx.pick(32usize, 10_000),
        steps_per_trajectory: 64,
        sgd_trajectories: 32,
        sgd_epochs: ctx.pick(6, 12),
        bound: 1e-3,
    };
    let l = pr.sites;
    let ds = 1.0;
    let speed = nqg_network::testcases::sine_speed(l);
    let c_max = speed.iter().copied().fold(0.0, f64::max);
    let dt = pr.courant_max * ds / c_max;
    let lf = Leapfrog1D::from_speed(&speed, dt, ds, 0.0)?;
    let pattern = lf.to_network()?.weights().clone();
    let steps = pr.steps_per_trajectory;
    let mut rng = ctx.rng();
    let trajectory = |rng: &mut rand::rngs::StdRng| leapfrog_pairs(&lf, steps, rng);
    // SGD uses the first 32 trajectories (2048 pairs); least squares streams all of them.
    let mut sgd_pairs = Vec::new();
    for _ in 0..pr.sgd_trajectories {
        sgd_pairs.extend(trajectory(&mut rng)?);
    }
    let mut failure = None;
    let streamed = (0..pr.trajectories.saturating_sub(pr.sgd_trajectories))
        .map_while(|_| match trajectory(&mut rng) {
            Ok(p) => Some(p),
            Err(e) => {
                failure = Some(e);
                None
            }
        })
        .flatten();
    let ls = fit_pattern_least_squares(&pattern, sgd_pairs.iter().cloned().chain(streamed))?;
    if let Some(e) = failure {
        return Err(e);
    }
    let c_ls = speed_from_couplings(&ls, dt, ds)?;
    // SGD from zero couplings on the first 2048 pairs.
    let sgd_pairs = &sgd_pairs[..];
    let mut zero = pattern.clone();
    zero.set_values(&vec![0.0; pattern.len()])?;
    // Step scaled to the data: gamma * (mean squared regressor norm of a phi-row, 4 entries) = 0.2,
    // well inside the SGD stability range gamma * lambda_max < 2.
    let msq = sgd_pairs
        .iter()
        .map(|(x, _)| x.iter().map(|v| v * v).sum::<f64>())
        .sum::<f64>()
        / (sgd_pairs.len() as f64 * 2.0 * l as f64);
    let gamma = 0.2 / (4.0 * msq);
    let sgd = fit_pattern_sgd(&zero, sgd_pairs, gamma, pr.sgd_epochs, ctx.substream(1))?;
    let c_sgd = speed_from_couplings(&sgd, dt, ds)?;
    let rel = |c: &[f64]| {
        c.iter()
            .zip(&speed)
            .map(|(a, b)| ((a - b) / b).abs())
            .fold(0.0, f64::max)
    };
    let (e_ls, e_sgd) = (rel(&c_ls), rel(&c_sgd));
    let s: Vec<f64> = (0..l).map(|i| i as f64).collect();
    let fig = Figure::new(
        "Learned speed field from leapfrog trajectories (N-7)",
        "site s",
        "c(s)",
    )
    .line("planted c(s)", s.clone(), speed.clone())
    .markers("least squares", s.clone(), c_ls)
    .markers("SGD", s, c_sgd);
    Ok(Evidence::new(
        "max_s |c_learned(s) - c(s)| / c(s) (worse of least squares and SGD)",
        e_ls.max(e_sgd),
        pr.bound,
        Criterion::AtMost,
    )
    .params_from(&pr)
    .param("sgd_gamma", gamma)
    .param("sgd_pairs", sgd_pairs.len())
    .detail("least squares max rel err", e_ls, Some(0.0))
    .detail("SGD max rel err", e_sgd, Some(0.0))
    .figure(fig)
    .note("SGD uses a step scaled to the data and, in quick mode, 32 trajectories; THEORY.md N-7 as written (γ = 10⁻³, 10⁴ trajectories) is network.learning.coupling_recovery_sgd")
    .into())
}

#[derive(Serialize)]
struct SgdRecoveryParams {
    sites: usize,
    courant_max: f64,
    trajectories: usize,
    steps_per_trajectory: usize,
    gamma: f64,
    /// Trajectories per shuffled chunk (SGD streams the data: one pass, shuffled within a chunk).
    chunk: usize,
    bound: f64,
}

fn coupling_recovery_sgd(ctx: &RunContext) -> CheckResult {
    let pr = SgdRecoveryParams {
        sites: 256,
        courant_max: 0.9,
        trajectories: 10_000,
        steps_per_trajectory: 64,
        gamma: 1e-3,
        chunk: 100,
        bound: 1e-3,
    };
    let l = pr.sites;
    let ds = 1.0;
    let speed = nqg_network::testcases::sine_speed(l);
    let c_max = speed.iter().copied().fold(0.0, f64::max);
    let dt = pr.courant_max * ds / c_max;
    let lf = Leapfrog1D::from_speed(&speed, dt, ds, 0.0)?;
    let pattern = lf.to_network()?.weights().clone();
    let mut w = pattern.clone();
    w.set_values(&vec![0.0; pattern.len()])?;
    let mut rng = ctx.rng();
    let mut history = (Vec::new(), Vec::new());
    for chunk in 0..pr.trajectories.div_ceil(pr.chunk) {
        let mut pairs = Vec::with_capacity(pr.chunk * pr.steps_per_trajectory);
        for _ in 0..pr.chunk.min(pr.trajectories - chunk * pr.chunk) {
            pairs.extend(leapfrog_pairs(&lf, pr.steps_per_trajectory, &mut rng)?);
        }
        w = fit_pattern_sgd(&w, &pairs, pr.gamma, 1, ctx.substream(chunk as u64))?;
        if (chunk + 1) % 10 == 0 {
            let c = speed_from_couplings(&w, dt, ds)?;
            history.0.push(((chunk + 1) * pr.chunk) as f64);
            history.1.push(max_rel(&c, &speed));
        }
    }
    let c = speed_from_couplings(&w, dt, ds)?;
    let err = max_rel(&c, &speed);
    let fig = Figure::new(
        "N-7 as written: SGD (γ = 10⁻³) recovery of c(s)",
        "trajectories seen",
        "max relative error of c(s)",
    )
    .log(true, true)
    .markers("SGD", history.0, history.1)
    .line("bound 10⁻³", vec![1e3, 1e4], vec![pr.bound; 2]);
    Ok(Evidence::new(
        "max_s |c_SGD(s) - c(s)| / c(s) after one pass over 10⁴ trajectories",
        err,
        pr.bound,
        Criterion::AtMost,
    )
    .params_from(&pr)
    .figure(fig)
    .into())
}

/// max_s |c(s) - c_true(s)| / c_true(s).
fn max_rel(c: &[f64], truth: &[f64]) -> f64 {
    c.iter()
        .zip(truth)
        .map(|(a, b)| ((a - b) / b).abs())
        .fold(0.0, f64::max)
}
