//! Network checks (V-M1, N-1, N-5 to N-7): the microscopic learning system of `nqg-network`.
//!
//! * `network.fast_slow.*`: the fast/slow identity $\langle\partial H/\partial w_{ij}\rangle = \partial F/\partial w_{ij}$
//!   (N2.5) on the Gaussian toy of THEORY.md V-M1, and the closed form of $\partial F$.
//! * `network.learning.*`: the exact stationary covariance of teacher-student SGD (N-1) and recovery
//!   of planted couplings from trajectories (N-7).
//! * `network.lattice.*`: the light cone of the permutation network and the leapfrog dispersion (N-5).

use nqg_network::ensemble::Ensemble;
use nqg_network::fast_slow::GaussianEnsemble;
use nqg_network::lattice::{
    Leapfrog1D, PermutationRing, fit_pattern_least_squares, fit_pattern_sgd, measure_dispersion,
    speed_from_couplings,
};
use nqg_network::learning::{SgdConfig, TeacherStudent, TeacherStudentSgd};
use nqg_network::rng::member_rng;
use rand::RngExt;
use rand_distr::{Distribution, Normal, StandardNormal};

use crate::{CheckError, CheckResult, Criterion, Evidence, Figure, Role, Provenance, Registry, RunContext};

/// Register this layer's claims.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "network.fast_slow",
        "For fast neuron states in the canonical ensemble p(x|q) = exp(-βH)/Z, the averaged learning \
         gradient equals the free-energy gradient, <∂H/∂q> = ∂F/∂q with F = -ln Z/β (N2.5)",
        Provenance::Reconstruction,
    )
    .check(
        "network.fast_slow.free_energy_gradient",
        "V-M1 Gaussian toy (N = 4, linear f, ε = 0.5, β = 2, w ~ N(0, 0.3²)): the mean of ∂H/∂w_ij over \
         exact samples of p(x|q) agrees with the finite-difference ∂F/∂w_ij of the closed-form F, every \
         entry within 4σ (the worst entry is reported)",
        Role::Solver,
        free_energy_gradient,
    )
    .check(
        "network.fast_slow.free_energy_closed_form",
        "V-M1 Gaussian toy: the analytic ∂F/∂w_ij from the Gaussian moments, -[(1-w)C - b μᵀ]_ij, equals \
         the central finite difference of the closed-form F = -ln Z/β to 1e-8 and forward-mode autodiff \
         of F to round-off",
        Role::Solver,
        free_energy_closed_form,
    );
    reg.claim(
        "network.learning",
        "SGD on a quadratic loss has an exactly computable stationary distribution of the trainable \
         variables, and a network's couplings can be learned from its own trajectories (N2.6-N2.7, N-1, N-7)",
        Provenance::Reconstruction,
    )
    .check(
        "network.learning.sgd_stationary_covariance",
        "N-1 teacher-student SGD (K = 2, Σ = diag(1, 0.25), s = 0.5, γ = 0.05, M = 4): the ensemble \
         covariance of q matches the exact discrete-time (Isserlis) stationary covariance within 4σ \
         (worst entry reported); leading order is T_L = γs²/(2M)",
        Role::Solver,
        sgd_stationary_covariance,
    )
    .check(
        "network.learning.coupling_recovery",
        "N-7: banded couplings fitted to noise-free trajectories of a leapfrog network with speed \
         c(s) = 1 + 0.3 sin(2πs/L) (L = 256, C_max = 0.9) recover c(s) with max relative error ≤ 1e-3 \
         (exact least squares and SGD; the worse of the two is reported)",
        Role::Solver,
        coupling_recovery,
    );
    reg.claim(
        "network.lattice",
        "Lattice networks have light cones: the permutation network propagates exactly one site per \
         step, and the leapfrog network has the lattice wave dispersion (§5, N-5)",
        Provenance::Reconstruction,
    )
    .check(
        "network.lattice.permutation_light_cone",
        "N-5: on a ring of L = 512 with w = P ⊕ Pᵀ, the support of a localized random excitation (width 5) \
         grows by exactly one site per step on each side and φ(t,s) = u0(s-t) + v0(s+t) holds exactly",
        Role::Solver,
        permutation_light_cone,
    )
    .check(
        "network.lattice.dispersion",
        "N-5: the peak frequency of the space-time FFT of the leapfrog network agrees with \
         cos(ωΔt) = 1 - 2C² sin²(kΔs/2) for C ∈ {0.5, 0.9, 1.0} to within half a frequency bin \
         (FFT resolution), for every resolvable k",
        Role::Solver,
        dispersion,
    );
}

/// The V-M1 toy with weights drawn from the check's RNG.
fn vm1_toy(ctx: &RunContext) -> Result<GaussianEnsemble, CheckError> {
    let mut rng = ctx.rng();
    let n = 4;
    let wd = Normal::new(0.0, 0.3).map_err(CheckError::from_display)?;
    let w: Vec<f64> = (0..n * n).map(|_| wd.sample(&mut rng)).collect();
    let b: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
    GaussianEnsemble::new(n, &w, &b, &[1.0; 4], 0.5, 2.0).map_err(CheckError::from_display)
}

/// Central finite difference of the closed-form F in each w_ij (h = 1e-5).
fn fd_gradient(g: &GaussianEnsemble) -> Result<Vec<f64>, CheckError> {
    let w = g.weights_row_major();
    let b = g.bias();
    let h = 1e-5;
    (0..w.len())
        .map(|k| {
            let mut wp = w.clone();
            wp[k] += h;
            let fp = g
                .with_params(&wp, &b)
                .map_err(CheckError::from_display)?
                .free_energy();
            wp[k] -= 2.0 * h;
            let fm = g
                .with_params(&wp, &b)
                .map_err(CheckError::from_display)?
                .free_energy();
            Ok((fp - fm) / (2.0 * h))
        })
        .collect()
}

fn free_energy_gradient(ctx: &RunContext) -> CheckResult {
    let g = vm1_toy(ctx)?;
    let fd = fd_gradient(&g)?;
    let samples = ctx.pick(1_000_000usize, 10_000_000);
    let mut rng = member_rng(ctx.seed, 1);
    let k = fd.len();
    let (mut s1, mut s2, mut buf) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    for _ in 0..samples {
        let x = g.sample(&mut rng);
        g.energy_gradient_w(&x, &mut buf)
            .map_err(CheckError::from_display)?;
        for i in 0..k {
            s1[i] += buf[i];
            s2[i] += buf[i] * buf[i];
        }
    }
    let nf = samples as f64;
    let mean: Vec<f64> = s1.iter().map(|s| s / nf).collect();
    let se: Vec<f64> = (0..k)
        .map(|i| ((s2[i] / nf - mean[i] * mean[i]) / nf).sqrt())
        .collect();
    let z: Vec<f64> = (0..k).map(|i| (mean[i] - fd[i]) / se[i]).collect();
    let worst = (0..k)
        .max_by(|&a, &b| z[a].abs().total_cmp(&z[b].abs()))
        .unwrap_or(0);
    let (gw, _) = g.free_energy_gradient();
    let analytic_vs_fd = (0..k).map(|i| (gw[i] - fd[i]).abs()).fold(0.0, f64::max);
    let chi2: f64 = z.iter().map(|v| v * v).sum();
    let lo = fd.iter().chain(&mean).copied().fold(f64::INFINITY, f64::min);
    let hi = fd.iter().chain(&mean).copied().fold(f64::NEG_INFINITY, f64::max);
    let fig = Figure::new(
        "Fast/slow identity: sampled <∂H/∂w_ij> vs finite-difference ∂F/∂w_ij",
        "∂F/∂w_ij (finite difference of closed-form F)",
        "<∂H/∂w_ij> over exact samples",
    )
    .markers("16 weights", fd.clone(), mean.clone())
    .line("identity", vec![lo, hi], vec![lo, hi]);
    let mut ev = Evidence::new(
        format!(
            "sampled <∂H/∂w_{}{}> (worst |z| of 16 entries)",
            worst / 4,
            worst % 4
        ),
        mean[worst],
        fd[worst],
        Criterion::Sigmas(4.0),
    )
    .with_uncertainty(se[worst])
    .param("N", 4)
    .param("epsilon", 0.5)
    .param("beta", 2.0)
    .param("w_std", 0.3)
    .param("samples", samples)
    .param("fd_step", 1e-5)
    .detail("worst |z|", z[worst].abs(), None)
    .detail("chi² over 16 entries (expected 16 ± 5.7)", chi2, Some(16.0))
    .detail("max |analytic ∂F/∂w - FD| (≤ 1e-8)", analytic_vs_fd, Some(0.0))
    .detail("F(q)", g.free_energy(), None)
    .figure(fig);
    for i in 0..k {
        ev = ev.detail(format!("<∂H/∂w_{}{}>", i / 4, i % 4), mean[i], Some(fd[i]));
    }
    Ok(ev.into())
}

fn free_energy_closed_form(ctx: &RunContext) -> CheckResult {
    let g = vm1_toy(ctx)?;
    let fd = fd_gradient(&g)?;
    let (gw, _) = g.free_energy_gradient();
    let ad = g
        .free_energy_gradient_autodiff()
        .map_err(CheckError::from_display)?;
    let vs_fd = (0..gw.len()).map(|i| (gw[i] - fd[i]).abs()).fold(0.0, f64::max);
    let vs_ad = (0..gw.len()).map(|i| (gw[i] - ad[i]).abs()).fold(0.0, f64::max);
    let w = g.weights_row_major();
    let f_lu = g
        .free_energy_with::<f64>(&w, &g.bias())
        .map_err(CheckError::from_display)?;
    Ok(Evidence::new(
        "max |analytic ∂F/∂w_ij - finite difference|",
        vs_fd,
        0.0,
        Criterion::AbsDiff(1e-8),
    )
    .param("fd_step", 1e-5)
    .param("N", 4)
    .detail("max |analytic - autodiff (num-dual LU)|", vs_ad, Some(0.0))
    .detail("|F(Cholesky) - F(LU)|", (g.free_energy() - f_lu).abs(), Some(0.0))
    .note(
        "finite-difference truncation ~h² F''' ≈ 1e-10 bounds the first number; autodiff agrees to round-off",
    )
    .into())
}

fn sgd_stationary_covariance(ctx: &RunContext) -> CheckResult {
    let p = TeacherStudent::new(vec![1.0, -0.5], &[1.0, 0.0, 0.0, 0.25], 0.5)
        .map_err(CheckError::from_display)?;
    let (gamma, m) = (0.05, 4);
    let sgd =
        TeacherStudentSgd::online(p.clone(), SgdConfig::new(gamma, m)).map_err(CheckError::from_display)?;
    let replicas = ctx.pick(20_000usize, 100_000);
    let steps = 1600; // 20 relaxation times 1/(γ λ_min) = 80 steps
    let qs = p.teacher().to_vec();
    let mut ens = Ensemble::new(&sgd, replicas, ctx.seed, |_, _, q| q.copy_from_slice(&qs))
        .map_err(CheckError::from_display)?;
    let log: Vec<usize> = (1..=16).map(|i| i * steps / 16).collect();
    let rec = ens.run(&sgd, &log).map_err(CheckError::from_display)?;
    let exact = p
        .stationary_covariance(gamma, m)
        .map_err(CheckError::from_display)?;
    let last = rec
        .moments
        .last()
        .ok_or_else(|| CheckError("no moments".into()))?;
    let c = last.covariance();
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
    let var0: Vec<f64> = rec.moments.iter().map(|mm| mm.covariance()[(0, 0)]).collect();
    let var1: Vec<f64> = rec.moments.iter().map(|mm| mm.covariance()[(1, 1)]).collect();
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
        Criterion::Sigmas(4.0),
    )
    .with_uncertainty(se[worst])
    .param("gamma", gamma)
    .param("M", m)
    .param("replicas", replicas)
    .param("steps", steps)
    .param("label_noise", 0.5)
    .detail("P_00", c[(0, 0)], Some(exact[(0, 0)]))
    .detail("P_01", c[(0, 1)], Some(exact[(0, 1)]))
    .detail("P_11", c[(1, 1)], Some(exact[(1, 1)]))
    .detail("leading-order T_L = γs²/(2M)", tl, None)
    .detail("measured P_00 / T_L", c[(0, 0)] / tl, None)
    .detail("measured P_11 / T_L", c[(1, 1)] / tl, None)
    .figure(fig)
    .into())
}

/// One training pair (x(t), x(t+1)).
pub(crate) type Pair = (Vec<f64>, Vec<f64>);

/// Pairs (x(t), x(t+1)) with x = (φᵗ, φᵗ⁻¹) of one leapfrog trajectory from random initial data
/// (φ⁻¹ = φ⁰ + small velocity, which avoids the 1/ω amplification of long waves).
pub(crate) fn leapfrog_pairs(
    lf: &Leapfrog1D,
    steps: usize,
    rng: &mut rand::rngs::StdRng,
) -> Result<Vec<Pair>, CheckError> {
    let l = lf.len();
    let a: Vec<f64> = (0..l).map(|_| rng.random::<f64>() - 0.5).collect();
    let b: Vec<f64> = a.iter().map(|v| v + 0.1 * (rng.random::<f64>() - 0.5)).collect();
    let hist = lf.evolve(&a, &b, steps).map_err(CheckError::from_display)?;
    let mut prev = b;
    let mut out = Vec::with_capacity(steps);
    for t in 0..steps {
        let x: Vec<f64> = hist[t].iter().chain(&prev).copied().collect();
        let y: Vec<f64> = hist[t + 1].iter().chain(&hist[t]).copied().collect();
        prev = hist[t].clone();
        out.push((x, y));
    }
    Ok(out)
}

fn coupling_recovery(ctx: &RunContext) -> CheckResult {
    let l = 256;
    let ds = 1.0;
    let speed: Vec<f64> = (0..l)
        .map(|s| 1.0 + 0.3 * (2.0 * std::f64::consts::PI * s as f64 / l as f64).sin())
        .collect();
    let c_max = speed.iter().copied().fold(0.0, f64::max);
    let dt = 0.9 * ds / c_max;
    let lf = Leapfrog1D::from_speed(&speed, dt, ds, 0.0).map_err(CheckError::from_display)?;
    let pattern = lf
        .to_network()
        .map_err(CheckError::from_display)?
        .weights()
        .clone();
    let trajectories = ctx.pick(32usize, 10_000);
    let steps = 64;
    let mut rng = ctx.rng();
    let trajectory = |rng: &mut rand::rngs::StdRng| leapfrog_pairs(&lf, steps, rng);
    // SGD uses the first 32 trajectories (2048 pairs); least squares streams all of them.
    let mut sgd_pairs = Vec::new();
    for _ in 0..32 {
        sgd_pairs.extend(trajectory(&mut rng)?);
    }
    let mut failure = None;
    let streamed = (0..trajectories.saturating_sub(32))
        .map_while(|_| match trajectory(&mut rng) {
            Ok(p) => Some(p),
            Err(e) => {
                failure = Some(e);
                None
            }
        })
        .flatten();
    let ls = fit_pattern_least_squares(&pattern, sgd_pairs.iter().cloned().chain(streamed))
        .map_err(CheckError::from_display)?;
    if let Some(e) = failure {
        return Err(e);
    }
    let c_ls = speed_from_couplings(&ls, dt, ds).map_err(CheckError::from_display)?;
    // SGD from zero couplings on the first 2048 pairs.
    let sgd_pairs = &sgd_pairs[..];
    let mut zero = pattern.clone();
    zero.set_values(&vec![0.0; pattern.len()])
        .map_err(CheckError::from_display)?;
    // Step scaled to the data: gamma * (mean squared regressor norm of a phi-row, 4 entries) = 0.2,
    // well inside the SGD stability range gamma * lambda_max < 2.
    let msq = sgd_pairs
        .iter()
        .map(|(x, _)| x.iter().map(|v| v * v).sum::<f64>())
        .sum::<f64>()
        / (sgd_pairs.len() as f64 * 2.0 * l as f64);
    let gamma = 0.2 / (4.0 * msq);
    let epochs = ctx.pick(6, 12);
    let sgd = fit_pattern_sgd(&zero, sgd_pairs, gamma, epochs, ctx.seed).map_err(CheckError::from_display)?;
    let c_sgd = speed_from_couplings(&sgd, dt, ds).map_err(CheckError::from_display)?;
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
        1e-3,
        Criterion::AtMost,
    )
    .param("L", l)
    .param("C_max", 0.9)
    .param("trajectories", trajectories)
    .param("steps_per_trajectory", steps)
    .param("sgd_gamma", gamma)
    .param("sgd_epochs", epochs)
    .param("sgd_pairs", sgd_pairs.len())
    .detail("least squares max rel err", e_ls, Some(0.0))
    .detail("SGD max rel err", e_sgd, Some(0.0))
    .figure(fig)
    .into())
}

fn permutation_light_cone(ctx: &RunContext) -> CheckResult {
    let l = 512;
    // The support must not wrap around the ring: at most L/2 - 3 steps.
    let steps = ctx.pick(200usize, 250);
    let ring = PermutationRing::new(l).map_err(CheckError::from_display)?;
    let net = ring.to_network().map_err(CheckError::from_display)?;
    let mut rng = ctx.rng();
    let c = l / 2;
    // Width-5 random excitation, values bounded away from 0 so the support is exactly sites c-2..c+2.
    let mut u0 = vec![0.0; l];
    let mut v0 = vec![0.0; l];
    for s in c - 2..=c + 2 {
        u0[s] = 0.5 + rng.random::<f64>();
        v0[s] = 0.5 + rng.random::<f64>();
    }
    let mut x: Vec<f64> = u0.iter().chain(&v0).copied().collect();
    let (mut max_dev, mut support_dev) = (0.0f64, 0usize);
    let (mut ts, mut left, mut right) = (Vec::new(), Vec::new(), Vec::new());
    for t in 1..=steps {
        x = net.step(&x, &[]).map_err(CheckError::from_display)?;
        let phi: Vec<f64> = (0..l).map(|s| x[s] + x[l + s]).collect();
        for s in 0..l {
            let exact = u0[(s + l - t % l) % l] + v0[(s + t) % l];
            max_dev = max_dev.max((phi[s] - exact).abs());
        }
        let lo = phi.iter().position(|&v| v != 0.0).unwrap_or(0);
        let hi = phi.iter().rposition(|&v| v != 0.0).unwrap_or(0);
        support_dev = support_dev
            .max(lo.abs_diff(c - 2 - t))
            .max(hi.abs_diff(c + 2 + t));
        ts.push(t as f64);
        left.push(lo as f64);
        right.push(hi as f64);
    }
    let fig = Figure::new(
        "Light cone of the permutation network (N-5)",
        "step t",
        "support edge (site)",
    )
    .markers("left edge", ts.clone(), left)
    .markers("right edge", ts.clone(), right)
    .line(
        "s = c - 2 - t",
        ts.clone(),
        ts.iter().map(|t| (c - 2) as f64 - t).collect(),
    )
    .line(
        "s = c + 2 + t",
        ts.clone(),
        ts.iter().map(|t| (c + 2) as f64 + t).collect(),
    );
    Ok(Evidence::new(
        "max |φ(t,s) - u0(s-t) - v0(s+t)| + |support edge - (edge0 ± t)|",
        max_dev + support_dev as f64,
        0.0,
        Criterion::AbsDiff(0.0),
    )
    .param("L", l)
    .param("steps", steps)
    .param("width", 5)
    .detail("max |φ - (u0(s-t) + v0(s+t))|", max_dev, Some(0.0))
    .detail(
        "max support-edge deviation (sites)",
        support_dev as f64,
        Some(0.0),
    )
    .figure(fig)
    .into())
}

fn dispersion(ctx: &RunContext) -> CheckResult {
    let l = 256;
    let steps = ctx.pick(1024usize, 4096);
    let mut worst = 0.0f64;
    let mut fig = Figure::new("Leapfrog network dispersion (N-5)", "k Δs", "ω Δt");
    let mut details = Vec::new();
    let mut dw_used = 0.0;
    for (idx, &c) in [0.5, 0.9, 1.0].iter().enumerate() {
        let (pts, dw) = measure_dispersion(c, 0.0, l, steps, ctx.seed.wrapping_add(idx as u64))
            .map_err(CheckError::from_display)?;
        dw_used = dw;
        // Modes whose ±ω peaks are resolvable: 3 bins away from ω = 0 and ω = π.
        let used: Vec<_> = pts
            .iter()
            .filter(|p| p.omega_theory > 3.0 * dw && p.omega_theory < std::f64::consts::PI - 3.0 * dw)
            .collect();
        let err = used
            .iter()
            .map(|p| (p.omega_measured - p.omega_theory).abs() / dw)
            .fold(0.0, f64::max);
        worst = worst.max(err);
        details.push((c, err, used.len()));
        fig = fig
            .markers(
                format!("measured C = {c}"),
                used.iter().map(|p| p.k).collect(),
                used.iter().map(|p| p.omega_measured).collect(),
            )
            .line(
                format!("cos ω = 1 - 2C² sin²(k/2), C = {c}"),
                pts.iter().map(|p| p.k).collect(),
                pts.iter().map(|p| p.omega_theory).collect(),
            );
    }
    let mut ev = Evidence::new(
        "max |ω_FFT(k) - ω(k)| in frequency bins (2π/T), over C ∈ {0.5, 0.9, 1.0}",
        worst,
        0.5,
        Criterion::AtMost,
    )
    .param("L", l)
    .param("T", steps)
    .param("bin_width", dw_used)
    .note("agreement to FFT resolution: peak located by parabolic interpolation of the Hann-windowed spectrum; modes within 3 bins of ω = 0 or π are excluded (±ω peaks merge)")
    .figure(fig);
    for (c, err, n) in details {
        ev = ev.detail(format!("C = {c}: max error in bins ({n} modes)"), err, Some(0.0));
    }
    Ok(ev.into())
}
