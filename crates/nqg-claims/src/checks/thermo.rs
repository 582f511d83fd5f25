//! Layer S thermodynamics checks (S-FP, ANCHORS.md §C4): SDEs, Fokker-Planck, entropy and stochastic
//! thermodynamics in `nqg-thermo`.

use nqg_thermo::ThermoError;
use nqg_thermo::ensemble::{EnsembleSpec, run_ensemble};
use nqg_thermo::entropy::{gaussian_entropy, kl_divergence, knn_entropy_weighted, shannon};
use nqg_thermo::fp::{Boundary, FokkerPlanck1d, Grid1d, Method, Stepper1d, entropy_balance};
use nqg_thermo::fp2d::{FokkerPlanck2d, Stepper2d};
use nqg_thermo::rng::normal;
use nqg_thermo::sde::{BrownianPath, FnSde, Gbm, LinearOu, Scheme, integrate_path};
use nqg_thermo::stochastic::{DraggedTrap, ou_current_analytic, ou_current_ensemble};

use crate::{
    CheckError, CheckResult, Criterion, Evidence, Figure, Role, Order, Provenance, Registry, RunContext,
};

fn err(e: ThermoError) -> CheckError {
    CheckError::from_display(e)
}

/// Register this layer's claims.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "thermo.sde",
        "The SDE integrators converge at their theoretical strong and weak orders on problems with an \
         exact solution tied to the same Brownian path (GBM; additive-noise test problem)",
        Provenance::Textbook,
    )
    .check(
        "thermo.sde.strong_order.em",
        "Euler-Maruyama on GBM (mu = 1, sigma = 1): E|X_h(1) - X(1)| falls as h^0.5 (fitted slope within 0.1)",
        Role::Solver,
        |ctx| strong_order(ctx, Scheme::EulerMaruyama),
    )
    .check(
        "thermo.sde.strong_order.milstein",
        "Milstein on GBM: strong error falls as h^1 (within 0.1)",
        Role::Solver,
        |ctx| strong_order(ctx, Scheme::Milstein),
    )
    .check(
        "thermo.sde.strong_order.heun",
        "Stochastic Heun on Stratonovich GBM (X = X0 exp(mu t + sigma W)): strong error falls as h^1 (within 0.1)",
        Role::Solver,
        |ctx| strong_order(ctx, Scheme::Heun),
    )
    .check(
        "thermo.sde.strong_order.sra1",
        "SRA1 on the nonlinear additive-noise problem dX = (-X + sin 2X) dt + 1.5 dW (reference: SRA1 at \
         h = 2^-14 on the same path): strong error falls as h^1.5 (within 0.1)",
        Role::Solver,
        |ctx| strong_order(ctx, Scheme::Sra1),
    )
    .check(
        "thermo.sde.weak_order.em",
        "Euler-Maruyama on GBM: |E X_h(1) - E X(1)| falls as h^1 (within 0.1)",
        Role::Solver,
        |ctx| weak_order(ctx, Scheme::EulerMaruyama),
    )
    .check(
        "thermo.sde.weak_order.milstein",
        "Milstein on GBM: weak error falls as h^1 (within 0.1)",
        Role::Solver,
        |ctx| weak_order(ctx, Scheme::Milstein),
    );

    reg.claim(
        "thermo.fp",
        "The Scharfetter-Gummel Fokker-Planck solver (N2.7) reproduces the Ornstein-Uhlenbeck moments, the \
         N2.8 entropy balance term by term, relaxation to the exact discrete Boltzmann state and Kramers' rate",
        Provenance::Textbook,
    )
    .check(
        "thermo.fp.ou_moments",
        "OU (gamma = k = 1, D = 1/2, delta at q0 = 2): grid variance at t = 1 equals 0.432332358 to <= 1e-5 \
         relative; the error falls at second order in h (dt proportional to h, Crank-Nicolson)",
        Role::Solver,
        ou_moments_grid,
    )
    .check(
        "thermo.fp.ou_moments_ensemble",
        "OU ensemble (SRA1, dt = 0.01): mean 2e^-1 and variance 0.432332358 at t = 1 within 4 sigma",
        Role::Solver,
        ou_moments_ensemble,
    )
    .check(
        "thermo.fp.entropy_split",
        "N2.8 on the OU grid at t = 1: production 4D int (d sqrt p)^2 and learning term -gamma int p F'' \
         computed separately sum to the measured dS/dt, and equal D/Var = 1.156518 and -gamma k = -1 (<= 1e-4)",
        Role::Solver,
        entropy_split,
    )
    .check(
        "thermo.fp.boltzmann_relaxation",
        "Double well F = (q^2-1)^2, gamma = 1, D = 0.25: the discrete stationary state is exactly the discrete \
         Boltzmann state with zero current, and KL(p || p_eq) never increases under backward Euler (all to round-off)",
        Role::Solver,
        boltzmann_relaxation,
    )
    .check(
        "thermo.fp.boltzmann_relaxation_kl",
        "The same relaxation: KL(p || p_eq) falls to <= 1e-8 (H-theorem), at the slowest rate 2 lambda_1 of the spectrum",
        Role::Solver,
        boltzmann_relaxation_kl,
    )
    .check(
        "thermo.fp.kramers_rate",
        "Double-well escape rate lambda_1/2 of the FP operator vs Kramers (omega_a omega_b / 2 pi) e^{-gamma dF/D} \
         at dF/D = 5 (within 10 %), second-order grid convergence",
        Role::Solver,
        kramers_rate,
    );

    reg.claim(
        "thermo.entropy",
        "The Kozachenko-Leonenko kNN estimator measures the entropy of an ensemble within its error estimate",
        Provenance::Textbook,
    )
    .check(
        "thermo.entropy.knn_gaussian",
        "Weighted kNN (k = 1..8) entropy of correlated Gaussian samples in d = 1, 2, 5 equals 1/2 ln((2 pi e)^d det C): \
         worst |z| = |S_kNN - S| / (error estimate) <= 4",
        Role::Solver,
        knn_gaussian,
    );

    reg.claim(
        "thermo.fluctuation",
        "Trajectory entropy production (Sekimoto heat + Seifert system entropy) obeys the integral fluctuation \
         theorem and the dragged-trap production rate",
        Provenance::Textbook,
    )
    .check(
        "thermo.fluctuation.integral_ft",
        "Dragged trap (k = zeta = T = v = 1, tau = 1, Heun dt = 1e-3, steady-state start): <exp(-Delta s_tot)> = 1 within 4 sigma",
        Role::Solver,
        integral_ft,
    )
    .check(
        "thermo.fluctuation.dragged_trap",
        "Same ensemble: <Delta s_tot>/tau = zeta v^2 / T = 1 within 4 sigma",
        Role::Solver,
        dragged_trap,
    );

    reg.claim(
        "thermo.noneq",
        "A non-symmetric Ornstein-Uhlenbeck process has a stationary probability current equal to the analytic one",
        Provenance::Textbook,
    )
    .check(
        "thermo.noneq.ou_current",
        "dx = -A x dt + sqrt(2D) dW, A = [[1,-1],[2,3]], D = 1/2: the antisymmetric part of <dx o x^T>/dt \
         (Stratonovich) equals that of D I - A Sigma within 4 sigma",
        Role::Solver,
        ou_current,
    )
    .check(
        "thermo.noneq.ou_current_grid",
        "The same process on the 2D Scharfetter-Gummel grid (split backward Euler, reflecting box [-4.5, 4.5]^2): \
         the antisymmetric part of int J x^T equals that of D I - A Sigma (<= 1 %), second order in h",
        Role::Solver,
        ou_current_grid,
    )
    .check(
        "thermo.noneq.tur",
        "Thermodynamic uncertainty relation for the angular current J of the same steady state: \
         Var(J)/<J>^2 >= 2/<Sigma>",
        Role::Solver,
        ou_tur,
    );
}

// ---------------------------------------------------------------------------------------------
// SDE convergence

/// (step sizes, strong errors, signed weak errors).
type Study = (Vec<f64>, Vec<f64>, Vec<f64>);

/// Errors of `scheme` on its test problem for a ladder of step sizes: (h, strong, signed weak).
fn sde_study(
    ctx: &RunContext,
    scheme: Scheme,
    paths: usize,
    finest_log2: u32,
    levels: u32,
) -> Result<Study, CheckError> {
    let mut rng = ctx.rng();
    let t_end = 1.0;
    let n_fine = 1usize << finest_log2;
    let h_fine = t_end / n_fine as f64;
    let factors: Vec<usize> = (0..levels).map(|l| 1usize << l).collect();
    let mut strong = vec![0.0; factors.len()];
    let mut weak = vec![0.0; factors.len()];
    let gbm = Gbm { mu: 1.0, sigma: 1.0 };
    // SRA1: a nonlinear drift is needed to see order 1.5 (for a linear drift the leading error term
    // b^2 a'' I_(1,1,0) vanishes and the error falls at order 2), so the reference is SRA1 itself on the
    // same path with a step 2^-5 times the finest compared step (its error is ~180x smaller).
    let nonlinear = FnSde::new(
        1,
        |_t, x: &[f64], o: &mut [f64]| o[0] = -x[0] + (2.0 * x[0]).sin(),
        |_t, _x: &[f64], o: &mut [f64]| o[0] = 1.5,
    )
    .map_err(err)?
    .additive();
    let offset = if scheme == Scheme::Sra1 { 5 } else { 0 };
    let factors: Vec<usize> = factors.iter().map(|f| f << offset).collect();
    for _ in 0..paths {
        let fine = BrownianPath::sample(&mut rng, 1, n_fine, h_fine).map_err(err)?;
        let w = fine.w_end(0);
        let exact = match scheme {
            Scheme::Sra1 => {
                let mut x = [1.0];
                integrate_path(&nonlinear, scheme, 0.0, &mut x, &fine).map_err(err)?;
                x[0]
            }
            Scheme::Heun => gbm.exact_stratonovich(1.0, t_end, w),
            _ => gbm.exact(1.0, t_end, w),
        };
        for (l, &f) in factors.iter().enumerate() {
            let path = fine.coarsen(f).map_err(err)?;
            let mut x = [1.0];
            if scheme == Scheme::Sra1 {
                integrate_path(&nonlinear, scheme, 0.0, &mut x, &path).map_err(err)?;
            } else {
                integrate_path(&gbm, scheme, 0.0, &mut x, &path).map_err(err)?;
            }
            strong[l] += (x[0] - exact).abs() / paths as f64;
            weak[l] += (x[0] - exact) / paths as f64;
        }
    }
    let hs = factors.iter().map(|&f| h_fine * f as f64).collect();
    Ok((hs, strong, weak))
}

fn strong_order(ctx: &RunContext, scheme: Scheme) -> CheckResult {
    let paths = ctx.pick(1000, 10_000);
    let (finest, levels) = if scheme == Scheme::Sra1 { (14, 7) } else { (12, 7) };
    let (hs, strong, _) = sde_study(ctx, scheme, paths, finest, levels)?;
    let expected = scheme.strong_order();
    let order = Order::fit(hs.clone(), strong.clone(), expected, 0.1);
    let fig = Figure::new(
        format!("{} strong convergence", scheme.name()),
        "step h",
        "E|X_h(1) - X(1)|",
    )
    .log(true, true)
    .markers("measured", hs.clone(), strong.clone())
    .line(
        format!("slope {expected}"),
        hs.clone(),
        hs.iter()
            .map(|h| strong[0] * (h / hs[0]).powf(expected))
            .collect(),
    );
    let mut ev = Evidence::new(
        "fitted strong order",
        order.observed,
        expected,
        Criterion::AbsDiff(0.1),
    )
    .param("scheme", scheme.name())
    .param("paths", paths)
    .param("finest_h", hs[0])
    .param("levels", levels)
    .param(
        "problem",
        if scheme == Scheme::Sra1 {
            "dX = (-X + sin 2X) dt + 1.5 dW, reference SRA1 at h = 2^-14 on the same path"
        } else {
            "GBM mu = sigma = 1, exact solution on the same path"
        },
    );
    for (h, e) in hs.iter().zip(&strong) {
        ev = ev.detail(format!("strong error at h = {h:.3e}"), *e, None);
    }
    Ok(ev.with_order(order).figure(fig).into())
}

fn weak_order(ctx: &RunContext, scheme: Scheme) -> CheckResult {
    // Weak error E[X_h] - E[X] estimated by the mean of X_h - X on shared paths: unbiased, and its
    // Monte-Carlo noise is the strong error / sqrt(paths), far below the weak error at these h.
    let paths = ctx.pick(100_000, 1_000_000);
    let (finest, levels) = (8, 5);
    let (hs, _, weak) = sde_study(ctx, scheme, paths, finest, levels)?;
    let abs: Vec<f64> = weak.iter().map(|w| w.abs()).collect();
    let expected = scheme.weak_order();
    let order = Order::fit(hs.clone(), abs.clone(), expected, 0.1);
    // Closed form for both schemes on GBM: E X_n = (1 + mu h)^n (the Milstein correction has mean 0).
    let closed: Vec<f64> = hs.iter().map(|h| (1.0 + h).powf(1.0 / h) - 1f64.exp()).collect();
    let fig = Figure::new(
        format!("{} weak convergence", scheme.name()),
        "step h",
        "|E X_h(1) - E X(1)|",
    )
    .log(true, true)
    .markers("measured", hs.clone(), abs.clone())
    .line(
        "closed form |(1+h)^(1/h) - e|",
        hs.clone(),
        closed.iter().map(|c| c.abs()).collect(),
    );
    let mut ev = Evidence::new(
        "fitted weak order",
        order.observed,
        expected,
        Criterion::AbsDiff(0.1),
    )
    .param("scheme", scheme.name())
    .param("paths", paths)
    .param("problem", "GBM mu = sigma = 1, X0 = 1, T = 1");
    for ((h, e), c) in hs.iter().zip(&weak).zip(&closed) {
        ev = ev.detail(format!("E X_h - E X at h = {h:.3e}"), *e, Some(*c));
    }
    Ok(ev.with_order(order).figure(fig).into())
}

// ---------------------------------------------------------------------------------------------
// Fokker-Planck

const OU_VAR_T1: f64 = 0.432_332_358;
const OU_DSDT_T1: f64 = 0.156_517_643;

fn ou_exact(t: f64) -> (f64, f64) {
    (2.0 * (-t).exp(), 0.5 * (1.0 - (-2.0 * t).exp()))
}

/// The OU grid problem on `n` cells: grid, Crank-Nicolson stepper with `steps` steps from t0 = 0.25 to
/// t = 1, the exact Gaussian at t0, and dt.
fn ou_grid_start(n: usize, steps: usize) -> Result<(Grid1d, Stepper1d, Vec<f64>, f64), CheckError> {
    let g = Grid1d::new(-5.0, 7.0, n).map_err(err)?;
    let op = FokkerPlanck1d::from_potential(g, 0.5, Boundary::Reflecting, |x| 0.5 * x * x).map_err(err)?;
    let t0 = 0.25;
    let dt = (1.0 - t0) / steps as f64;
    let st = Stepper1d::new(&op, dt, Method::CrankNicolson).map_err(err)?;
    let (m0, v0) = ou_exact(t0);
    let p = g.density(|x| (-(x - m0).powi(2) / (2.0 * v0)).exp());
    Ok((g, st, p, dt))
}

fn ou_moments_grid(ctx: &RunContext) -> CheckResult {
    let ns: Vec<usize> = ctx.pick(vec![300, 600, 1200, 2400], vec![600, 1200, 2400, 4800, 9600]);
    let (mut hs, mut errs) = (Vec::new(), Vec::new());
    let (mut var_f, mut mean_f) = (0.0, 0.0);
    let (me, ve) = ou_exact(1.0);
    for &n in &ns {
        let (g, mut st, mut p, _) = ou_grid_start(n, n / 2)?;
        st.run(&mut p, n / 2).map_err(err)?;
        let (m, v) = g.moments(&p).map_err(err)?;
        hs.push(g.h());
        errs.push(((v - OU_VAR_T1) / OU_VAR_T1).abs().max(((m - me) / me).abs()));
        var_f = v;
        mean_f = m;
    }
    let order = Order::fit(hs.clone(), errs.clone(), 2.0, 0.3);
    let fig = Figure::new(
        "OU moments on the grid: relative error at t = 1",
        "cell width h",
        "relative error",
    )
    .log(true, true)
    .markers("max(rel err mean, rel err var)", hs.clone(), errs.clone());
    let mut ev = Evidence::new(
        "grid variance at t = 1",
        var_f,
        OU_VAR_T1,
        Criterion::RelDiff(1e-5),
    )
    .param("cells", ns.clone())
    .param("domain", [-5.0, 7.0])
    .param(
        "start",
        "exact Gaussian at t0 = 0.25 (delta at q0 = 2 evolved analytically)",
    )
    .param("time_stepping", "Crank-Nicolson, dt = 1.5/cells")
    .detail("mean at t = 1", mean_f, Some(me))
    .detail("variance at t = 1", var_f, Some(ve));
    for (h, e) in hs.iter().zip(&errs) {
        ev = ev.detail(format!("relative error at h = {h:.3e}"), *e, None);
    }
    Ok(ev.with_order(order).figure(fig).into())
}

fn ou_moments_ensemble(ctx: &RunContext) -> CheckResult {
    let members = ctx.pick(200_000, 1_000_000);
    let ou = LinearOu::new(vec![1.0], 0.5, vec![0.0], vec![0.0]).map_err(err)?;
    let spec = EnsembleSpec {
        scheme: Scheme::Sra1,
        dt: 0.01,
        steps: 101,
        members,
        t0: 0.0,
        observe: vec![25, 50, 99, 100, 101],
    };
    let st = run_ensemble(&ou, &spec, ctx.seed, |_, _, x| x[0] = 2.0).map_err(err)?;
    let last = st
        .moments
        .get(3)
        .ok_or_else(|| CheckError("no observation at t = 1".into()))?;
    // Langevin entropy rate (S-FP1): S = ln(2 pi e Var)/2, so dS/dt = Var'/(2 Var); the central difference
    // of the variance over the same members at t = 0.99 and 1.01 is nearly noise-free.
    let (v_lo, v_hi) = (st.moments[2].covariance()[0], st.moments[4].covariance()[0]);
    let dsdt_ens = (v_hi - v_lo) / 0.02 / (2.0 * last.covariance()[0]);
    // Its noise is dominated by the 2 x dW cross term: sd(Var(1.01) - Var(0.99)) ~ sqrt(4 Var 2D 0.02 / N).
    let dsdt_se = (4.0 * last.covariance()[0] * 2.0 * 0.5 * 0.02 / members as f64).sqrt()
        / 0.02
        / (2.0 * last.covariance()[0]);
    let (me, ve) = ou_exact(1.0);
    let n = last.count() as f64;
    let mean = last.mean()[0];
    let var = last.covariance()[0];
    let sem = last.sem(0);
    // Var of the sample variance of a Gaussian: 2 sigma^4 / (n - 1).
    let sv = var * (2.0 / (n - 1.0)).sqrt();
    let z_mean = (mean - me) / sem;
    let z_var = (var - ve) / sv;
    let worst = if z_mean.abs() > z_var.abs() { z_mean } else { z_var };
    let ts: Vec<f64> = st.times.clone();
    let fig = Figure::new("OU ensemble variance", "t", "Var q")
        .markers(
            "ensemble (SRA1)",
            ts.clone(),
            st.moments.iter().map(|m| m.covariance()[0]).collect(),
        )
        .line(
            "0.5 (1 - e^{-2t})",
            (0..=50).map(|i| i as f64 / 50.0).collect(),
            (0..=50).map(|i| ou_exact(i as f64 / 50.0).1).collect(),
        );
    Ok(Evidence::new(
        "worst z-score of (mean, variance) at t = 1",
        worst,
        0.0,
        Criterion::Sigmas(4.0),
    )
    .with_uncertainty(1.0)
    .param("members", members)
    .param("scheme", "SRA1")
    .param("dt", 0.01)
    .detail("mean", mean, Some(me))
    .detail("mean standard error", sem, None)
    .detail("variance", var, Some(ve))
    .detail("variance standard error", sv, None)
    .detail(
        "entropy rate dS/dt = Var'/(2 Var) at t = 1",
        dsdt_ens,
        Some(OU_DSDT_T1),
    )
    .detail("entropy rate standard error (approximate)", dsdt_se, None)
    .figure(fig)
    .into())
}

fn entropy_split(ctx: &RunContext) -> CheckResult {
    let ns: Vec<usize> = ctx.pick(vec![300, 600, 1200, 2400], vec![600, 1200, 2400, 4800, 9600]);
    let (mut hs, mut devs) = (Vec::new(), Vec::new());
    let mut last = (0.0, 0.0, 0.0, 0.0);
    for &n in &ns {
        // Solver states at t = 1 - 2dt, ..., 1 + 2dt; dS/dt at t = 1 by the fourth-order central difference.
        let steps = n / 2;
        let (g, mut st, mut q, dt) = ou_grid_start(n, steps)?;
        st.run(&mut q, steps - 2).map_err(err)?;
        let mut s_vals = Vec::new();
        let mut p1 = Vec::new();
        for k in 0..5 {
            if k > 0 {
                st.step(&mut q).map_err(err)?;
            }
            if k == 2 {
                p1 = q.clone();
            }
            s_vals.push(shannon(&q, g.h()).map_err(err)?);
        }
        let dsdt = (s_vals[0] - 8.0 * s_vals[1] + 8.0 * s_vals[3] - s_vals[4]) / (12.0 * dt);
        let lap_f = vec![1.0; g.n];
        let b = entropy_balance(&g, &p1, 0.5, 1.0, &lap_f).map_err(err)?;
        let (_, var) = g.moments(&p1).map_err(err)?;
        let dev = (b.rate() - dsdt)
            .abs()
            .max((b.production - 0.5 / OU_VAR_T1).abs())
            .max((b.learning + 1.0).abs());
        hs.push(g.h());
        devs.push(dev);
        last = (b.production, b.learning, dsdt, var);
    }
    let (prod, learn, dsdt, var) = last;
    let order = Order::fit(hs.clone(), devs.clone(), 2.0, 0.3);
    let fig = Figure::new(
        "N2.8 entropy balance on the grid: worst deviation",
        "cell width h",
        "deviation",
    )
    .log(true, true)
    .markers(
        "max(|prod+learn-dS/dt|, |prod-D/Var|, |learn+gamma k|)",
        hs.clone(),
        devs.clone(),
    );
    let measured = *devs.last().unwrap_or(&f64::NAN);
    Ok(Evidence::new(
        "worst deviation of the N2.8 terms at t = 1",
        measured,
        0.0,
        Criterion::AbsDiff(1e-4),
    )
    .param("cells", ns)
    .param("gamma", 1.0)
    .param("k", 1.0)
    .param("D", 0.5)
    .detail("production 4D int (d sqrt p)^2", prod, Some(0.5 / OU_VAR_T1))
    .detail("learning term -gamma int p F''", learn, Some(-1.0))
    .detail("sum of the two terms", prod + learn, Some(OU_DSDT_T1))
    .detail("measured dS/dt (time difference of S)", dsdt, Some(OU_DSDT_T1))
    .detail("grid variance", var, Some(OU_VAR_T1))
    .with_order(order)
    .figure(fig)
    .into())
}

fn double_well(d: f64, n: usize) -> Result<(Grid1d, FokkerPlanck1d), CheckError> {
    let g = Grid1d::new(-2.5, 2.5, n).map_err(err)?;
    let op =
        FokkerPlanck1d::from_potential(g, d, Boundary::Reflecting, |x| (x * x - 1.0).powi(2)).map_err(err)?;
    Ok((g, op))
}

/// Relaxation of the double well: (times, KL values, op, grid, stationary).
type Relax = (Vec<f64>, Vec<f64>, FokkerPlanck1d, Grid1d, Vec<f64>);

fn relax(ctx: &RunContext) -> Result<Relax, CheckError> {
    let n = ctx.pick(400, 1600);
    let (g, op) = double_well(0.25, n)?;
    let peq = op.stationary().map_err(err)?;
    let dt = 0.05;
    let mut st = Stepper1d::new(&op, dt, Method::BackwardEuler).map_err(err)?;
    let mut p = g.density(|x| (-(x - 0.7f64).powi(2) / 0.02).exp());
    let (mut ts, mut kl) = (vec![0.0], vec![kl_divergence(&p, &peq, g.h()).map_err(err)?]);
    let steps = 16_000;
    for s in 1..=steps {
        st.step(&mut p).map_err(err)?;
        ts.push(s as f64 * dt);
        kl.push(kl_divergence(&p, &peq, g.h()).map_err(err)?);
    }
    Ok((ts, kl, op, g, peq))
}

fn boltzmann_relaxation(ctx: &RunContext) -> CheckResult {
    let (_, kl, op, g, peq) = relax(ctx)?;
    let increase = kl.windows(2).map(|w| (w[1] - w[0]).max(0.0)).fold(0.0, f64::max);
    let jmax = op
        .current(&peq)
        .map_err(err)?
        .iter()
        .fold(0.0_f64, |a, v| a.max(v.abs()));
    let pmax = peq.iter().cloned().fold(0.0, f64::max);
    let boltz = g.density(|x| (-(x * x - 1.0f64).powi(2) / 0.25).exp());
    let dev = peq
        .iter()
        .zip(&boltz)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
        / pmax;
    let mut lp = vec![0.0; g.n];
    op.apply(&peq, &mut lp).map_err(err)?;
    // Relative to the operator scale 2D/h^2 times max p: the size of the terms that cancel in L p.
    let lscale = 2.0 * 0.25 / (g.h() * g.h());
    let resid = lp.iter().fold(0.0_f64, |a, v| a.max(v.abs())) / (pmax * lscale);
    let measured = increase.max(jmax / pmax).max(dev).max(resid);
    Ok(Evidence::new(
        "worst of: largest KL increase, max |J| and max |L p| at p_eq, |p_eq - Boltzmann| (relative)",
        measured,
        0.0,
        Criterion::AbsDiff(1e-12),
    )
    .param("cells", g.n)
    .param("D", 0.25)
    .param("dt", 0.05)
    .param("method", "backward Euler")
    .detail("largest KL increase over 16000 steps", increase, Some(0.0))
    .detail("max |J| at stationary state / max p", jmax / pmax, Some(0.0))
    .detail("max |L p_eq| / (max p 2D/h^2)", resid, Some(0.0))
    .detail("max |p_eq - e^{-F/D}/Z| / max p", dev, Some(0.0))
    .into())
}

fn boltzmann_relaxation_kl(ctx: &RunContext) -> CheckResult {
    let (ts, kl, op, g, _) = relax(ctx)?;
    let lambda1 = op.relaxation_rate().map_err(err)?;
    let kl_end = *kl.last().unwrap_or(&f64::NAN);
    let increases = kl.windows(2).filter(|w| w[1] > w[0]).count();
    // Late-time decay rate of KL (~ e^{-2 lambda_1 t}), fitted between KL = 1e-4 and 1e-9.
    let idx: Vec<usize> = (0..kl.len()).filter(|&i| kl[i] < 1e-4 && kl[i] > 1e-9).collect();
    let rate = match (idx.first(), idx.last()) {
        (Some(&a), Some(&b)) if b > a => -(kl[b].ln() - kl[a].ln()) / (ts[b] - ts[a]),
        _ => f64::NAN,
    };
    // The backward-Euler decay per step is 1/(1 + lambda dt); compare with its exact discrete rate.
    let dt = ts[1] - ts[0];
    let rate_be = 2.0 * (1.0 + lambda1 * dt).ln() / dt;
    let stride = 80;
    let fig = Figure::new("H-theorem: KL(p || p_eq) in the double well", "t", "KL")
        .log(false, true)
        .line(
            "KL (backward Euler, dt = 0.05)",
            ts.iter().step_by(stride).cloned().collect(),
            kl.iter().step_by(stride).map(|v| v.max(1e-300)).collect(),
        );
    Ok(Evidence::new("KL(p || p_eq) at t = 800", kl_end, 1e-8, Criterion::AtMost)
        .param("cells", g.n)
        .param("D", 0.25)
        .detail("number of steps where KL increased", increases as f64, Some(0.0))
        .detail("late-time KL decay rate", rate, Some(rate_be))
        .detail("lambda_1 of the operator", lambda1, None)
        .note(format!(
            "KL fell monotonically ({increases} increases in {} steps) from {:.3e} to {:.3e}; late decay rate \
             {rate:.5} vs 2 ln(1 + lambda_1 dt)/dt = {rate_be:.5} from the spectrum",
            kl.len() - 1,
            kl[0],
            kl_end
        ))
        .figure(fig)
        .into())
}

fn kramers_formula(d: f64) -> f64 {
    // F = (q^2 - 1)^2: F''(+-1) = 8, F''(0) = -4, barrier 1.
    let (wa, wb) = (8f64.sqrt(), 4f64.sqrt());
    wa * wb / (2.0 * std::f64::consts::PI) * (-1.0 / d).exp()
}

fn kramers_rate(ctx: &RunContext) -> CheckResult {
    let d = 0.2; // barrier / T = 5
    let ns: Vec<usize> = ctx.pick(vec![100, 200, 400, 800, 3200], vec![200, 400, 800, 1600, 12800]);
    let mut rates = Vec::new();
    for &n in &ns {
        let (_, op) = double_well(d, n)?;
        rates.push(op.relaxation_rate().map_err(err)? / 2.0);
    }
    let reference = *rates.last().unwrap_or(&f64::NAN);
    let k = rates.len() - 1;
    let hs: Vec<f64> = ns[..k].iter().map(|n| 5.0 / *n as f64).collect();
    let errs: Vec<f64> = rates[..k].iter().map(|r| (r - reference).abs()).collect();
    let order = Order::fit(hs.clone(), errs.clone(), 2.0, 0.3);
    let expected = kramers_formula(d);
    // Independent cross-check: 1 / mean first-passage time from the left minimum to the right one,
    // tau = (1/D) int_{-1}^{1} dy e^{U(y)/D} int_{-2.5}^{y} e^{-U(z)/D} dz (reflecting at -2.5), by the
    // trapezoid rule on 20001 points; for a high barrier 1/tau approaches the escape rate lambda_1/2.
    let mfpt_rate = {
        let u = |x: f64| (x * x - 1.0f64).powi(2);
        let (lo, a, b, m) = (-2.5f64, -1.0f64, 1.0f64, 20_000usize);
        let hh = (b - lo) / m as f64;
        let (mut inner, mut tau) = (0.0, 0.0);
        let mut prev_e = (-u(lo) / d).exp();
        let mut prev_outer: Option<f64> = None;
        for i in 1..=m {
            let y = lo + i as f64 * hh;
            let e = (-u(y) / d).exp();
            inner += 0.5 * hh * (prev_e + e);
            prev_e = e;
            if y >= a {
                let outer = (u(y) / d).exp() * inner;
                if let Some(p) = prev_outer {
                    tau += 0.5 * hh * (p + outer);
                }
                prev_outer = Some(outer);
            }
        }
        // tau above is D times the mean first-passage time.
        d / tau
    };
    let mut ev = Evidence::new(
        "escape rate lambda_1/2 at dF/D = 5",
        reference,
        expected,
        Criterion::RelDiff(0.1),
    )
    .param("D", d)
    .param("cells", ns.clone())
    .param("convergence reference", "finest grid")
    .detail(
        "1 / MFPT(-1 -> +1), quadrature (independent)",
        mfpt_rate,
        Some(reference),
    );
    let mut ratios = (Vec::new(), Vec::new());
    for bt in [3.0, 5.0, 8.0, 12.0] {
        let (_, op) = double_well(1.0 / bt, 1600)?;
        let r = op.relaxation_rate().map_err(err)? / 2.0;
        ev = ev.detail(format!("rate at dF/D = {bt}"), r, Some(kramers_formula(1.0 / bt)));
        ratios.0.push(bt);
        ratios.1.push(r / kramers_formula(1.0 / bt));
    }
    let fig = Figure::new(
        "Kramers rate: FP spectrum / Kramers formula",
        "barrier dF/D",
        "ratio",
    )
    .markers("lambda_1 / 2 / k_Kramers", ratios.0, ratios.1)
    .line("1", vec![3.0, 12.0], vec![1.0, 1.0]);
    Ok(ev.with_order(order).figure(fig).into())
}

// ---------------------------------------------------------------------------------------------
// Entropy estimators

fn knn_gaussian(ctx: &RunContext) -> CheckResult {
    let n = ctx.pick(4000, 20_000);
    let k = 8;
    let mut rng = ctx.rng();
    let mut worst = 0.0_f64;
    let mut ev_details = Vec::new();
    for d in [1usize, 2, 5] {
        // Covariance L L^T with L lower triangular: diagonal 1 + i/2, sub-diagonal 0.4.
        let mut l = vec![0.0; d * d];
        for i in 0..d {
            l[i * d + i] = 1.0 + 0.5 * i as f64;
            if i > 0 {
                l[i * d + i - 1] = 0.4;
            }
        }
        let mut cov = vec![0.0; d * d];
        for i in 0..d {
            for j in 0..d {
                cov[i * d + j] = (0..d).map(|m| l[i * d + m] * l[j * d + m]).sum();
            }
        }
        let mut xs = vec![0.0; n * d];
        let mut z = vec![0.0; d];
        for s in 0..n {
            for v in z.iter_mut() {
                *v = normal(&mut rng);
            }
            for i in 0..d {
                xs[s * d + i] = (0..=i).map(|m| l[i * d + m] * z[m]).sum();
            }
        }
        let est = knn_entropy_weighted(&xs, d, k).map_err(err)?;
        let exact = gaussian_entropy(&cov, d).map_err(err)?;
        let zsc = (est.entropy - exact) / est.std_error;
        if zsc.abs() > worst.abs() {
            worst = zsc;
        }
        ev_details.push((d, est, exact, zsc));
    }
    let mut ev = Evidence::new(
        "worst z = (S_kNN - S_exact) / error estimate",
        worst,
        0.0,
        Criterion::Sigmas(4.0),
    )
    .with_uncertainty(1.0)
    .param("samples", n)
    .param(
        "estimator",
        "weighted Kozachenko-Leonenko, k = 1..8 (Berrett-Samworth-Yuan weights)",
    );
    for (d, est, exact, zsc) in ev_details {
        ev = ev
            .detail(format!("d = {d}: S_kNN"), est.entropy, Some(exact))
            .detail(format!("d = {d}: error estimate"), est.std_error, None)
            .detail(format!("d = {d}: z"), zsc, Some(0.0));
    }
    Ok(ev.into())
}

// ---------------------------------------------------------------------------------------------
// Stochastic thermodynamics

fn trap_run(ctx: &RunContext) -> Result<(DraggedTrap, nqg_thermo::stochastic::TrapStats), CheckError> {
    let trap = DraggedTrap {
        k: 1.0,
        friction: 1.0,
        temperature: 1.0,
        v: 1.0,
    };
    let members = ctx.pick(40_000, 400_000);
    let st = trap
        .simulate(Scheme::Heun, 1e-3, 1000, members, ctx.seed)
        .map_err(err)?;
    Ok((trap, st))
}

fn integral_ft(ctx: &RunContext) -> CheckResult {
    let (_, st) = trap_run(ctx)?;
    let (m, se) = st.ift();
    Ok(
        Evidence::new("<exp(-Delta s_tot)>", m, 1.0, Criterion::Sigmas(4.0))
            .with_uncertainty(se)
            .param("members", st.moments.count())
            .param("tau", st.tau)
            .param("dt", 1e-3)
            .param("scheme", "stochastic Heun, Stratonovich midpoint heat")
            .detail("<Delta s_tot>", st.moments.mean()[0], Some(1.0))
            .detail("<Delta s_system>", st.moments.mean()[3], Some(0.0))
            .into(),
    )
}

fn dragged_trap(ctx: &RunContext) -> CheckResult {
    let (trap, st) = trap_run(ctx)?;
    let (r, se) = st.production_rate();
    let tur = st.tur_ratio();
    Ok(Evidence::new("<Delta s_tot> / tau", r, trap.production_rate(), Criterion::Sigmas(4.0))
        .with_uncertainty(se)
        .param("members", st.moments.count())
        .param("k, zeta, T, v", [1.0, 1.0, 1.0, 1.0])
        .param("tau", st.tau)
        .detail("medium entropy rate", st.moments.mean()[2] / st.tau, Some(1.0))
        .detail("Var(J) <Sigma> / (2 <J>^2), J = x_tau - x_0 (time-dependent driving: steady-state TUR not applicable)", tur, None)
        .detail("<J> = <x_tau - x_0>", st.moments.mean()[4], Some(trap.v * st.tau))
        .into())
}

/// The non-equilibrium OU ensemble: (A, D, members, dt, steps, moments, analytic M, analytic sigma).
type OuRun = (
    Vec<f64>,
    f64,
    usize,
    f64,
    usize,
    nqg_thermo::ensemble::Moments,
    Vec<f64>,
    f64,
);

fn ou_run(ctx: &RunContext) -> Result<OuRun, CheckError> {
    let a = vec![1.0, -1.0, 2.0, 3.0];
    let dcoef = 0.5;
    let ou = LinearOu::new(a.clone(), dcoef, vec![0.0, 0.0], vec![0.0, 0.0]).map_err(err)?;
    let members = ctx.pick(20_000, 200_000);
    // The midpoint estimator has an O(dt) bias ~ dt (A^2 S - S A^T^2)/4 (about 1 % at dt = 2e-3): use 5e-4.
    let (dt, steps) = (5e-4, 2000);
    let mo = ou_current_ensemble(&ou, Scheme::Heun, dt, steps, members, ctx.seed).map_err(err)?;
    let (m_exact, sigma_exact) = ou_current_analytic(&a, 2, dcoef).map_err(err)?;
    Ok((a, dcoef, members, dt, steps, mo, m_exact, sigma_exact))
}

fn ou_current(ctx: &RunContext) -> CheckResult {
    let (a, dcoef, members, dt, steps, mo, m_exact, sigma_exact) = ou_run(ctx)?;
    let cov = mo.covariance();
    let nn = mo.count() as f64;
    let dd = mo.dim();
    // Antisymmetric part w = (M12 - M21)/2 and its standard error from the member covariance.
    let w = 0.5 * (mo.mean()[1] - mo.mean()[2]);
    let var_w = 0.25 * (cov[dd + 1] + cov[2 * dd + 2] - 2.0 * cov[dd + 2]) / nn;
    let w_exact = 0.5 * (m_exact[1] - m_exact[2]);
    let sym = 0.5 * (mo.mean()[1] + mo.mean()[2]);
    Ok(Evidence::new(
        "antisymmetric part of <dx o x^T>/dt",
        w,
        w_exact,
        Criterion::Sigmas(4.0),
    )
    .with_uncertainty(var_w.sqrt())
    .param("A", &a)
    .param("D", dcoef)
    .param("members", members)
    .param("dt", dt)
    .param("tau", dt * steps as f64)
    .param("scheme", "stochastic Heun, Stratonovich midpoint products")
    .detail("M11", mo.mean()[0], Some(m_exact[0]))
    .detail("M22", mo.mean()[3], Some(m_exact[3]))
    .detail("symmetric part (M12 + M21)/2", sym, Some(0.0))
    .detail("entropy production rate", mo.mean()[4], Some(sigma_exact))
    .detail("entropy production rate standard error", mo.sem(4), None)
    .into())
}

fn ou_tur(ctx: &RunContext) -> CheckResult {
    let (_, _, members, dt, steps, mo, _, sigma_exact) = ou_run(ctx)?;
    let tau = dt * steps as f64;
    let cov = mo.covariance();
    let dd = mo.dim();
    // Per-trajectory angular current J = tau w; Var(J)/<J>^2 = Var(w)/<w>^2 >= 2/(sigma tau).
    let w = 0.5 * (mo.mean()[1] - mo.mean()[2]);
    let var_w = 0.25 * (cov[dd + 1] + cov[2 * dd + 2] - 2.0 * cov[dd + 2]);
    let sigma = mo.mean()[4];
    let ratio = var_w * sigma * tau / (2.0 * w * w);
    Ok(Evidence::new("TUR ratio Var(J) <Sigma> / (2 <J>^2)", ratio, 1.0, Criterion::AtLeast)
        .param("members", members)
        .param("tau", tau)
        .detail("<J>/tau", w, None)
        .detail("Var(J)/tau^2", var_w, None)
        .detail("<Sigma>/tau", sigma, Some(sigma_exact))
        .note(format!(
            "the angular current of the non-equilibrium OU steady state satisfies the TUR with ratio {ratio:.3} >= 1 \
             (tau = {tau})"
        ))
        .into())
}

fn ou_current_grid(ctx: &RunContext) -> CheckResult {
    let a = [1.0, -1.0, 2.0, 3.0];
    let dcoef = 0.5;
    let (m_exact, _) = ou_current_analytic(&a, 2, dcoef).map_err(err)?;
    let w_exact = 0.5 * (m_exact[1] - m_exact[2]);
    let sig = nqg_thermo::stochastic::ou_stationary_covariance(&a, 2, dcoef).map_err(err)?;
    let det = sig[0] * sig[3] - sig[1] * sig[2];
    let inv = [sig[3] / det, -sig[1] / det, -sig[2] / det, sig[0] / det];
    let ns: Vec<usize> = ctx.pick(vec![24, 48, 96], vec![24, 48, 96, 192]);
    // The Lie splitting perturbs the stationary state at O(dt): keep it below the O(h^2) error.
    let (dt, t_end) = (ctx.pick(1e-3, 2.5e-4), 3.0);
    let (mut hs, mut errs, mut ws, mut masses) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for &n in &ns {
        let g = Grid1d::new(-4.5, 4.5, n).map_err(err)?;
        let op = FokkerPlanck2d::from_drift(g, g, dcoef, Boundary::Reflecting, |x, y| {
            (-(a[0] * x + a[1] * y), -(a[2] * x + a[3] * y))
        })
        .map_err(err)?;
        // Start from the exact stationary Gaussian sampled at the centres; relax the O(h^2, dt) remainder.
        let mut p: Vec<f64> = (0..n * n)
            .map(|k| {
                let (x, y) = (g.centre(k % n), g.centre(k / n));
                (-0.5 * (inv[0] * x * x + 2.0 * inv[1] * x * y + inv[3] * y * y)).exp()
            })
            .collect();
        let m = op.mass(&p);
        p.iter_mut().for_each(|v| *v /= m);
        let mut st = Stepper2d::new(&op, dt).map_err(err)?;
        for _ in 0..(t_end / dt) as usize {
            st.step(&mut p).map_err(err)?;
        }
        let (jx, jy) = op.current(&p).map_err(err)?;
        let h = g.h();
        // M12 = int J_x y, M21 = int J_y x (J_x on x-faces at (x_{i+1/2}, y_j), J_y on y-faces).
        let m12: f64 = (0..n)
            .map(|j| jx[j].iter().sum::<f64>() * g.centre(j))
            .sum::<f64>()
            * h
            * h;
        let m21: f64 = (0..n)
            .map(|i| jy[i].iter().sum::<f64>() * g.centre(i))
            .sum::<f64>()
            * h
            * h;
        let w = 0.5 * (m12 - m21);
        hs.push(h);
        errs.push((w - w_exact).abs());
        ws.push(w);
        masses.push((op.mass(&p) - 1.0).abs());
    }
    let order = Order::fit(hs.clone(), errs.clone(), 2.0, 0.3);
    let w_f = *ws.last().unwrap_or(&f64::NAN);
    let fig = Figure::new(
        "Non-equilibrium OU current on the 2D grid",
        "cell width h",
        "|w_grid - w_exact|",
    )
    .log(true, true)
    .markers("antisymmetric part of int J x^T", hs.clone(), errs.clone());
    let mut ev = Evidence::new(
        "grid antisymmetric part of int J x^T",
        w_f,
        w_exact,
        Criterion::RelDiff(1e-2),
    )
    .param("A", a)
    .param("D", dcoef)
    .param("cells per side", ns.clone())
    .param("dt", dt)
    .param("t_end", t_end)
    .param(
        "stepping",
        "Lie-split backward Euler (O(dt) splitting error in the stationary state)",
    )
    .detail(
        "max |mass - 1|",
        masses.iter().cloned().fold(0.0, f64::max),
        Some(0.0),
    );
    for (h, w) in hs.iter().zip(&ws) {
        ev = ev.detail(format!("w at h = {h:.3}"), *w, Some(w_exact));
    }
    Ok(ev.with_order(order).figure(fig).into())
}
