//! E0.1: plain learning with a static free energy is the Euclidean branch of the reconstructed
//! Madelung pair (THEORY.md §3.6).
//!
//! The learning Fokker-Planck flow (N2.7) $\partial_t p = \partial_q(\gamma p\\,\partial_q F + D\\,\partial_q p)$
//! with a static $F$ satisfies (N3.5)-(N3.6),
//! $$\partial_t p + \partial_q(p\\,2\gamma\\,\partial_q\tilde F) = 0,\qquad
//! \partial_t\tilde F + \gamma(\partial_q\tilde F)^2 + V - \gamma\hbar^2\\,\frac{\partial_q^2\sqrt p}{\sqrt p} = 0,$$
//! exactly, with $\tilde F = -(F + T_L\ln p)/2$, $T_L = D/\gamma$,
//! $V = \tfrac D2\\,\partial_q^2F - \tfrac\gamma4(\partial_q F)^2$ and $\hbar^2 = -T_L^2$, i.e.
//! $\mu = (\sqrt5 - 2)\gamma/D$ in (N3.7), so that $4D\mu < \gamma$. The continuity equation holds by
//! construction ($2\gamma\partial_q\tilde F$ is the learning velocity $-\gamma\partial_qF - D\partial_q\ln p$);
//! the content is the Hamilton-Jacobi equation and the sign of $\hbar^2$, which the checks *fit*
//! rather than assume:
//!
//! - `analytic.madelung.euclidean_branch`: at random points of random smooth $F$, $p$ and random
//!   $(\gamma, D)$, with spatial derivatives by dual numbers and $\partial_t p$ from (N2.7), the
//!   least-squares $\gamma\hbar^2$ of (N3.6) equals $-D^2/\gamma$ and the residual with it is round-off;
//! - `analytic.madelung.euclidean_branch_grid`: the same on a density evolved by the Scharfetter-Gummel
//!   Fokker-Planck solver of nqg-thermo (periodic, Crank-Nicolson), with $\partial_t p = Lp$ of the
//!   discrete generator and centred differences: the residual falls at second order in the cell size.

use nqg_thermo::fp::{Boundary, FokkerPlanck1d, Grid1d, Method, Stepper1d};
use num_dual::{DualNum, second_derivative};
use rand::RngExt;
use serde::Serialize;

use crate::{CheckError, CheckResult, Criterion, Evidence, Provenance, Registry, Role, RunContext, Study};

/// Register E0.1.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "analytic.madelung",
        "E0.1: plain learning with a static free energy F is exactly the Euclidean branch of the \
         reconstructed Madelung pair (N3.5)-(N3.6): F̃ = -(F + T_L ln p)/2, V = (D/2)F'' - (γ/4)F'², \
         ħ² = -T_L² (μ = (√5-2)γ/D, 4Dμ < γ)",
        Provenance::Reconstruction,
    )
    .check(
        "analytic.madelung.euclidean_branch",
        "identity (E0.1): with ∂_t p from the learning Fokker-Planck flow (N2.7) and F̃ = -(F + T_L ln p)/2, \
         the coefficient γħ² of the quantum potential in (N3.6), fitted by least squares at random points \
         of random smooth F and p, equals -D²/γ (ħ² = -T_L²: the Euclidean branch); the (N3.6) residual \
         with it is round-off",
        Role::Identity,
        euclidean_branch,
    )
    .theory("E0.1")
    .check(
        "analytic.madelung.euclidean_branch_grid",
        "identity (E0.1) on a density evolved by the Fokker-Planck grid solver (periodic, Scharfetter-Gummel, \
         Crank-Nicolson) under a static F: the (N3.6) residual with ħ² = -T_L² vanishes at second order in \
         the cell size",
        Role::Identity,
        euclidean_branch_grid,
    )
    .theory("E0.1");
}

/// A random smooth free energy $F(q) = a_0\sin(a_1 q) + a_2 q^2$.
fn field_f<D: DualNum<Primitive = f64> + Copy>(q: D, a: &[f64; 6]) -> D {
    (q * a[1]).sin() * a[0] + q * q * a[2]
}

/// A random smooth positive density (unnormalised) $p(q) = e^{-a_3 (q - a_4)^2}(1 + a_5\cos 2q)$, $|a_5| < 1$.
fn field_p<D: DualNum<Primitive = f64> + Copy>(q: D, a: &[f64; 6]) -> D {
    let s = q - a[4];
    (-(s * s) * a[3]).exp() * ((q * 2.0).cos() * a[5] + 1.0)
}

/// The (N3.6) terms at one point: $A = \partial_t\tilde F + \gamma(\partial_q\tilde F)^2 + V$ and
/// $Q = \partial_q^2\sqrt p/\sqrt p$, so that (N3.6) reads $A - \gamma\hbar^2 Q = 0$; also the largest
/// magnitude among the terms (the round-off scale).
fn hj_terms(q: f64, a: &[f64; 6], gamma: f64, d: f64) -> (f64, f64, f64) {
    let [f, p, sp] = second_derivative(|x| [field_f(x, a), field_p(x, a), field_p(x, a).sqrt()], q);
    let (_, f1, f2) = f;
    let (p0, p1, p2) = p;
    let (sp0, _, sp2) = sp;
    let tl = d / gamma;
    // N2.7: p_t = γ(p F')' + D p''.
    let p_t = gamma * (p1 * f1 + p0 * f2) + d * p2;
    let ft_t = -0.5 * tl * p_t / p0;
    let ft_q = -0.5 * (f1 + tl * p1 / p0);
    let v = 0.5 * d * f2 - 0.25 * gamma * f1 * f1;
    let terms = [ft_t, gamma * ft_q * ft_q, v];
    let scale = terms.iter().fold(0.0f64, |m, t| m.max(t.abs()));
    (terms.iter().sum(), sp2 / sp0, scale)
}

/// Parameters of `analytic.madelung.euclidean_branch`.
#[derive(Debug, Clone, Serialize)]
struct PointParams {
    /// Random (F, p, γ, D) draws.
    draws: usize,
    /// Points per draw, uniform in [-2, 2].
    points: usize,
}

fn euclidean_branch(ctx: &RunContext) -> CheckResult {
    let params = PointParams {
        draws: 20,
        points: 50,
    };
    let mut rng = ctx.rng();
    let (mut worst_rel, mut worst_res, mut scale) = (0.0f64, 0.0f64, 0.0f64);
    let mut sample_hbar2 = (0.0, 0.0);
    for draw in 0..params.draws {
        let a = [
            rng.random_range(0.2..1.5),
            rng.random_range(0.5..2.0),
            rng.random_range(0.05..0.5),
            rng.random_range(0.2..1.0),
            rng.random_range(-0.5..0.5),
            rng.random_range(-0.6..0.6),
        ];
        let gamma = rng.random_range(0.1..2.0);
        let d = rng.random_range(0.05..1.0);
        let pts: Vec<(f64, f64, f64)> = (0..params.points)
            .map(|_| hj_terms(rng.random_range(-2.0..2.0), &a, gamma, d))
            .collect();
        // Least-squares coefficient c = γħ² of A - c Q = 0 over the points.
        let num: f64 = pts.iter().map(|(a, q, _)| a * q).sum();
        let den: f64 = pts.iter().map(|(_, q, _)| q * q).sum();
        let c_fit = num / den;
        let hbar2_fit = c_fit / gamma;
        let tl = d / gamma;
        let expected = -tl * tl; // computed from (γ, D) alone
        worst_rel = worst_rel.max((hbar2_fit - expected).abs() / expected.abs());
        for (av, qv, s) in &pts {
            // Residual of (N3.6) with the predicted ħ² = -T_L².
            worst_res = worst_res.max((av - gamma * expected * qv).abs());
            scale = scale.max(*s).max((gamma * expected * qv).abs());
        }
        if draw == 0 {
            sample_hbar2 = (hbar2_fit, expected);
        }
    }
    // μ of (N3.7) that gives this ħ²: (4Dμ - γ)/(γμ²) = -T_L² at μ = (√5 - 2)γ/D, for any (γ, D).
    let (gamma, d) = (0.7, 0.3);
    let mu = (5f64.sqrt() - 2.0) * gamma / d;
    let hbar2_mu = (4.0 * d * mu - gamma) / (gamma * mu * mu);
    Ok(Evidence::round_off(
        "max relative |ħ²_fit + T_L²| over the draws",
        worst_rel,
        0.0,
        1.0,
    )
    .params_from(&params)
    .detail("max |(N3.6) residual| with ħ² = -T_L²", worst_res, Some(0.0))
    .detail("largest (N3.6) term (the round-off scale of the residual)", scale, None)
    .detail("first draw: fitted ħ²", sample_hbar2.0, Some(sample_hbar2.1))
    .detail("(4Dμ-γ)/(γμ²) at μ = (√5-2)γ/D, γ = 0.7, D = 0.3", hbar2_mu, Some(-(d / gamma).powi(2)))
    .detail("4Dμ/γ at that μ (< 1: Euclidean)", 4.0 * d * mu / gamma, None)
    .note("the fitted coefficient of the quantum potential is negative: ħ² = -T_L², the Euclidean branch")
    .into())
}

/// Parameters of `analytic.madelung.euclidean_branch_grid`.
#[derive(Debug, Clone, Serialize)]
struct GridParams {
    /// Learning rate γ.
    gamma: f64,
    /// Diffusion D.
    diffusion: f64,
    /// Evolution time.
    t: f64,
    /// Cells per run (periodic box [0, 2π)).
    cells: Vec<usize>,
    /// Time steps per run.
    steps: usize,
    /// F(q) = f_cos cos q + f_sin2 sin 2q.
    f_cos: f64,
    /// See `f_cos`.
    f_sin2: f64,
}

/// Max |(N3.6) residual| / max |term| on the grid after evolving to `t`.
fn grid_residual(p: &GridParams, n: usize) -> Result<f64, CheckError> {
    let two_pi = std::f64::consts::TAU;
    let grid = Grid1d::new(0.0, two_pi, n)?;
    let f = |q: f64| p.f_cos * q.cos() + p.f_sin2 * (2.0 * q).sin();
    let f1 = |q: f64| -p.f_cos * q.sin() + 2.0 * p.f_sin2 * (2.0 * q).cos();
    let f2 = |q: f64| -p.f_cos * q.cos() - 4.0 * p.f_sin2 * (2.0 * q).sin();
    let op = FokkerPlanck1d::from_potential(grid, p.diffusion, Boundary::Periodic, |q| p.gamma * f(q))?;
    let mut dens = grid.density(|q| (1.5 * (q - 1.0).cos()).exp());
    let mut stepper = Stepper1d::new(&op, p.t / p.steps as f64, Method::CrankNicolson)?;
    stepper.run(&mut dens, p.steps)?;
    let mut p_t = vec![0.0; n];
    op.apply(&dens, &mut p_t)?;
    let h = grid.h();
    let tl = p.diffusion / p.gamma;
    let ln: Vec<f64> = dens.iter().map(|v| v.ln()).collect();
    let sq: Vec<f64> = dens.iter().map(|v| v.sqrt()).collect();
    let (mut worst, mut scale) = (0.0f64, 0.0f64);
    for i in 0..n {
        let (im, ip) = ((i + n - 1) % n, (i + 1) % n);
        let q = grid.centre(i);
        let ln_q = (ln[ip] - ln[im]) / (2.0 * h);
        let sq_qq = (sq[ip] - 2.0 * sq[i] + sq[im]) / (h * h);
        let ft_t = -0.5 * tl * p_t[i] / dens[i];
        let ft_q = -0.5 * (f1(q) + tl * ln_q);
        let v = 0.5 * p.diffusion * f2(q) - 0.25 * p.gamma * f1(q) * f1(q);
        let quantum = -p.gamma * tl * tl * sq_qq / sq[i];
        let terms = [ft_t, p.gamma * ft_q * ft_q, v, quantum];
        // (N3.6) with γħ² = -γT_L²: A - γħ²Q = A + γT_L² Q.
        let res = ft_t + p.gamma * ft_q * ft_q + v - quantum;
        worst = worst.max(res.abs());
        scale = terms.iter().fold(scale, |m, t| m.max(t.abs()));
    }
    Ok(worst / scale)
}

fn euclidean_branch_grid(ctx: &RunContext) -> CheckResult {
    let params = GridParams {
        gamma: 0.8,
        diffusion: 0.3,
        t: 0.5,
        cells: ctx.pick(vec![64, 128, 256, 512], vec![64, 128, 256, 512, 1024]),
        steps: 400,
        f_cos: 1.0,
        f_sin2: 0.4,
    };
    let mut study = Study::new(
        "E0.1 on a Fokker-Planck-evolved density: (N3.6) residual with ħ² = -T_L²",
        "cell size h",
        "max |residual| / max |term|",
    );
    for &n in &params.cells {
        study.push(std::f64::consts::TAU / n as f64, grid_residual(&params, n)?);
    }
    // A second-order scheme leaves a relative residual C h² with C = O(1); the bound allows C ≤ 10 at
    // the finest h (the order, not this bound, is the real test).
    let h_min = std::f64::consts::TAU / *params.cells.last().unwrap_or(&1) as f64;
    Ok(Evidence::new(
        "max relative (N3.6) residual at the finest grid",
        study.finest_error(),
        10.0 * h_min * h_min,
        Criterion::AtMost,
    )
    .with_order(study.order(2.0, 0.3))
    .params_from(&params)
    .figure(study.figure(2.0))
    .into())
}
