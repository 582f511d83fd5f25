//! `network.fast_slow`: the fast/slow identity (N2.5) on the Gaussian toy of THEORY.md V-M1.
//!
//! Loss $H = \tfrac12|x - \hat wx - b|^2 + \tfrac\varepsilon2|x|^2$ with $N = 4$ neurons, linear $f$,
//! $\varepsilon = 0.5$, $\beta = 2$ and $\hat w_{ij} \sim N(0, 0.3^2)$. The fast neurons are canonical,
//! $p(x|q) = e^{-\beta H}/Z$, with $A = (1-\hat w)^T(1-\hat w) + \varepsilon 1$,
//! $Z = (2\pi/\beta)^{N/2}\det A^{-1/2}e^{-\beta(b^Tb - m^TAm)/2}$, $m = A^{-1}(1-\hat w)^Tb$, and
//! $F = -\ln Z/\beta$. The identity: $\langle\partial H/\partial\hat w_{ij}\rangle_{p(x|q)} =
//! \partial F/\partial\hat w_{ij} = -[(1-\hat w)C - b\mu^T]\_{ij}$ (C the second moment, μ the mean).

use nqg_network::fast_slow::GaussianEnsemble;
use nqg_network::rng::StreamRng;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal, StandardNormal};
use serde::Serialize;

use crate::{CheckError, CheckResult, Criterion, Evidence, Figure, Provenance, Registry, Role, RunContext};

/// Register `network.fast_slow`.
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
         exact samples of p(x|q) against the finite-difference ∂F/∂w_ij of the closed-form F, the worst of \
         the 16 entries in units of its standard error",
        Role::Solver,
        free_energy_gradient,
    )
    .theory("V-M1")
    .check(
        "network.fast_slow.free_energy_gradient_3sigma",
        "V-M1 as written: 10⁶ exact Gaussian samples of the same toy; every one of the 16 sampled \
         <∂H/∂w_ij> against the finite-difference ∂F/∂w_ij, the worst in units of its standard error",
        Role::Solver,
        free_energy_gradient_3sigma,
    )
    .theory("V-M1")
    .prediction()
    .check(
        "network.fast_slow.free_energy_closed_form",
        "V-M1 Gaussian toy: the analytic ∂F/∂w_ij from the Gaussian moments, -[(1-w)C - b μᵀ]_ij, against \
         the central finite difference of the closed-form F = -ln Z/β (truncation-limited) and \
         forward-mode autodiff of F",
        Role::Solver,
        free_energy_closed_form,
    )
    .theory("V-M1");
}

#[derive(Serialize)]
struct ToyParams {
    n: usize,
    epsilon: f64,
    beta: f64,
    w_std: f64,
    fd_step: f64,
}

const TOY: ToyParams = ToyParams {
    n: 4,
    epsilon: 0.5,
    beta: 2.0,
    w_std: 0.3,
    fd_step: 1e-5,
};

/// The V-M1 toy with weights drawn from the check's RNG.
fn vm1_toy(ctx: &RunContext) -> Result<GaussianEnsemble, CheckError> {
    let mut rng = ctx.rng();
    let n = TOY.n;
    let wd = Normal::new(0.0, TOY.w_std)?;
    let w: Vec<f64> = (0..n * n).map(|_| wd.sample(&mut rng)).collect();
    let b: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
    Ok(GaussianEnsemble::new(
        n,
        &w,
        &b,
        &[1.0; 4],
        TOY.epsilon,
        TOY.beta,
    )?)
}

/// Central finite difference of the closed-form F in each w_ij.
fn fd_gradient(g: &GaussianEnsemble) -> Result<Vec<f64>, CheckError> {
    let w = g.weights_row_major();
    let b = g.bias();
    let h = TOY.fd_step;
    (0..w.len())
        .map(|k| {
            let mut wp = w.clone();
            wp[k] += h;
            let fp = g.with_params(&wp, &b)?.free_energy();
            wp[k] -= 2.0 * h;
            let fm = g.with_params(&wp, &b)?.free_energy();
            Ok((fp - fm) / (2.0 * h))
        })
        .collect()
}

#[derive(Serialize)]
struct SampleParams {
    #[serde(flatten)]
    toy: &'static ToyParams,
    samples: usize,
    sigmas: f64,
}

fn free_energy_gradient(ctx: &RunContext) -> CheckResult {
    let p = SampleParams {
        toy: &TOY,
        samples: ctx.pick(1_000_000usize, 10_000_000),
        sigmas: 4.0,
    };
    sampled_gradient(ctx, &p)
}

fn free_energy_gradient_3sigma(ctx: &RunContext) -> CheckResult {
    let p = SampleParams {
        toy: &TOY,
        samples: 1_000_000,
        sigmas: 3.0,
    };
    sampled_gradient(ctx, &p)
}

/// Sample <∂H/∂w_ij> over exact samples of p(x|q) and compare every entry with the FD ∂F/∂w_ij.
fn sampled_gradient(ctx: &RunContext, p: &SampleParams) -> CheckResult {
    let g = vm1_toy(ctx)?;
    let fd = fd_gradient(&g)?;
    let n = TOY.n;
    let mut rng = StreamRng::seed_from_u64(ctx.substream(1));
    let k = fd.len();
    let (mut s1, mut s2, mut buf) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    for _ in 0..p.samples {
        let x = g.sample(&mut rng);
        g.energy_gradient_w(&x, &mut buf)?;
        for i in 0..k {
            s1[i] += buf[i];
            s2[i] += buf[i] * buf[i];
        }
    }
    let nf = p.samples as f64;
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
            worst / n,
            worst % n
        ),
        mean[worst],
        fd[worst],
        Criterion::Sigmas(p.sigmas),
    )
    .with_uncertainty(se[worst])
    .params_from(p)
    .detail("worst |z|", z[worst].abs(), None)
    .detail("chi² over 16 entries (expected 16 ± 5.7)", chi2, Some(16.0))
    .detail("max |analytic ∂F/∂w - FD|", analytic_vs_fd, Some(0.0))
    .detail("F(q)", g.free_energy(), None)
    .figure(fig);
    for i in 0..k {
        ev = ev.detail(format!("<∂H/∂w_{}{}>", i / n, i % n), mean[i], Some(fd[i]));
    }
    Ok(ev.into())
}

fn free_energy_closed_form(ctx: &RunContext) -> CheckResult {
    let g = vm1_toy(ctx)?;
    let fd = fd_gradient(&g)?;
    let (gw, _) = g.free_energy_gradient();
    let ad = g.free_energy_gradient_autodiff()?;
    let vs_fd = (0..gw.len()).map(|i| (gw[i] - fd[i]).abs()).fold(0.0, f64::max);
    let vs_ad = (0..gw.len()).map(|i| (gw[i] - ad[i]).abs()).fold(0.0, f64::max);
    let w = g.weights_row_major();
    let f_lu = g.free_energy_with::<f64>(&w, &g.bias())?;
    Ok(Evidence::new(
        "max |analytic ∂F/∂w_ij - finite difference|",
        vs_fd,
        0.0,
        Criterion::AbsDiff(1e-8),
    )
    .params_from(&TOY)
    .detail("max |analytic - autodiff (num-dual LU)|", vs_ad, Some(0.0))
    .detail("|F(Cholesky) - F(LU)|", (g.free_energy() - f_lu).abs(), Some(0.0))
    .note(
        "finite-difference truncation ~h² F''' ≈ 1e-10 bounds the first number; autodiff agrees to round-off",
    )
    .into())
}
