//! `thermo.sde`: the SDE integrators converge at their theoretical orders (THEORY.md S-FP, the Langevin
//! ensembles; ANCHORS.md §C4).
//!
//! Test problems with an exact solution on the same Brownian path:
//!
//! - Itô GBM $dX = \mu X\\,dt + \sigma X\\,dW$: $X(t) = X_0 e^{(\mu - \sigma^2/2)t + \sigma W(t)}$
//!   (Euler-Maruyama, Milstein); Stratonovich GBM $X(t) = X_0 e^{\mu t + \sigma W(t)}$ (stochastic Heun);
//! - additive noise $dX = (-X + \sin 2X)\\,dt + 1.5\\,dW$ against SRA1 at a $2^{-5}$ times finer step.
//!
//! Strong error $E|X_h(1) - X(1)| \propto h^{p_s}$ with $p_s = 0.5, 1, 1, 1.5$; weak error
//! $|E X_h(1) - E X(1)| \propto h^{p_w}$, $p_w = 1$, where for GBM $E X_h(1) = (1 + \mu h)^{1/h}$.

use nqg_thermo::sde::{BrownianPath, FnSde, Gbm, Scheme, integrate_path};
use serde::Serialize;

use crate::{CheckError, CheckResult, Criterion, Evidence, Provenance, Registry, Role, RunContext, Study};

/// Register `thermo.sde`.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "thermo.sde",
        "The SDE integrators converge at their theoretical strong and weak orders on problems with an \
         exact solution tied to the same Brownian path (GBM; additive-noise test problem)",
        Provenance::Textbook,
    )
    .check(
        "thermo.sde.strong_order.em",
        "Euler-Maruyama on GBM (mu = 1, sigma = 1): the fitted slope of E|X_h(1) - X(1)| against h is 0.5",
        Role::Solver,
        |ctx| strong_order(ctx, Scheme::EulerMaruyama),
    )
    .theory("S-FP")
    .check(
        "thermo.sde.strong_order.milstein",
        "Milstein on GBM: the fitted strong order is 1",
        Role::Solver,
        |ctx| strong_order(ctx, Scheme::Milstein),
    )
    .theory("S-FP")
    .check(
        "thermo.sde.strong_order.heun",
        "Stochastic Heun on Stratonovich GBM (X = X0 exp(mu t + sigma W)): the fitted strong order is 1",
        Role::Solver,
        |ctx| strong_order(ctx, Scheme::Heun),
    )
    .theory("S-FP")
    .check(
        "thermo.sde.strong_order.sra1",
        "SRA1 on the nonlinear additive-noise problem dX = (-X + sin 2X) dt + 1.5 dW (reference: SRA1 at \
         h = 2^-14 on the same path): the fitted strong order is 1.5",
        Role::Solver,
        |ctx| strong_order(ctx, Scheme::Sra1),
    )
    .theory("S-FP")
    .check(
        "thermo.sde.weak_order.em",
        "Euler-Maruyama on GBM: the fitted slope of |E X_h(1) - E X(1)| against h is 1",
        Role::Solver,
        |ctx| weak_order(ctx, Scheme::EulerMaruyama),
    )
    .theory("S-FP")
    .check(
        "thermo.sde.weak_order.milstein",
        "Milstein on GBM: the fitted weak order is 1",
        Role::Solver,
        |ctx| weak_order(ctx, Scheme::Milstein),
    )
    .theory("S-FP");
}

/// Errors of one ladder of step sizes, finest first: (h, strong, signed weak).
struct Ladder {
    hs: Vec<f64>,
    strong: Vec<f64>,
    weak: Vec<f64>,
}

/// Errors of `scheme` on its test problem for a ladder of step sizes.
fn sde_ladder(
    ctx: &RunContext,
    scheme: Scheme,
    paths: usize,
    finest_log2: u32,
    levels: u32,
) -> Result<Ladder, CheckError> {
    let mut rng = ctx.rng();
    let t_end = 1.0;
    let n_fine = 1usize << finest_log2;
    let h_fine = t_end / n_fine as f64;
    // SRA1: a nonlinear drift is needed to see order 1.5 (for a linear drift the leading error term
    // b^2 a'' I_(1,1,0) vanishes and the error falls at order 2), so the reference is SRA1 itself on the
    // same path with a step 2^-5 times the finest compared step (its error is ~180x smaller).
    let offset = if scheme == Scheme::Sra1 { 5 } else { 0 };
    let factors: Vec<usize> = (0..levels).map(|l| (1usize << l) << offset).collect();
    let mut strong = vec![0.0; factors.len()];
    let mut weak = vec![0.0; factors.len()];
    let gbm = Gbm { mu: 1.0, sigma: 1.0 };
    let nonlinear = FnSde::new(
        1,
        |_t, x: &[f64], o: &mut [f64]| o[0] = -x[0] + (2.0 * x[0]).sin(),
        |_t, _x: &[f64], o: &mut [f64]| o[0] = 1.5,
    )?
    .additive();
    for _ in 0..paths {
        let fine = BrownianPath::sample(&mut rng, 1, n_fine, h_fine)?;
        let w = fine.w_end(0);
        let exact = match scheme {
            Scheme::Sra1 => {
                let mut x = [1.0];
                integrate_path(&nonlinear, scheme, 0.0, &mut x, &fine)?;
                x[0]
            }
            Scheme::Heun => gbm.exact_stratonovich(1.0, t_end, w),
            _ => gbm.exact(1.0, t_end, w),
        };
        for (l, &f) in factors.iter().enumerate() {
            let path = fine.coarsen(f)?;
            let mut x = [1.0];
            if scheme == Scheme::Sra1 {
                integrate_path(&nonlinear, scheme, 0.0, &mut x, &path)?;
            } else {
                integrate_path(&gbm, scheme, 0.0, &mut x, &path)?;
            }
            strong[l] += (x[0] - exact).abs() / paths as f64;
            weak[l] += (x[0] - exact) / paths as f64;
        }
    }
    let hs = factors.iter().map(|&f| h_fine * f as f64).collect();
    Ok(Ladder { hs, strong, weak })
}

#[derive(Serialize)]
struct StrongParams {
    scheme: &'static str,
    paths: usize,
    finest_log2_steps: u32,
    levels: u32,
    problem: &'static str,
    order_tolerance: f64,
}

fn strong_order(ctx: &RunContext, scheme: Scheme) -> CheckResult {
    let sra = scheme == Scheme::Sra1;
    let p = StrongParams {
        scheme: scheme.name(),
        paths: ctx.pick(1000, 10_000),
        finest_log2_steps: if sra { 14 } else { 12 },
        levels: 7,
        problem: if sra {
            "dX = (-X + sin 2X) dt + 1.5 dW, reference SRA1 at h = 2^-14 on the same path"
        } else {
            "GBM mu = sigma = 1, exact solution on the same path"
        },
        order_tolerance: 0.1,
    };
    let lad = sde_ladder(ctx, scheme, p.paths, p.finest_log2_steps, p.levels)?;
    let mut study = Study::new(
        format!("{} strong convergence", scheme.name()),
        "h",
        "E|X_h(1) - X(1)|",
    );
    // Coarse to fine, so the study's finest point is the last.
    for (h, e) in lad.hs.iter().zip(&lad.strong).rev() {
        study.push(*h, *e);
    }
    let expected = scheme.strong_order();
    let order = study.order(expected, p.order_tolerance);
    let mut ev = Evidence::new(
        "fitted strong order",
        order.observed,
        expected,
        Criterion::AbsDiff(p.order_tolerance),
    )
    .params_from(&p);
    ev.details.extend(study.details());
    Ok(ev.with_order(order).figure(study.figure(expected)).into())
}

#[derive(Serialize)]
struct WeakParams {
    scheme: &'static str,
    paths: usize,
    finest_log2_steps: u32,
    levels: u32,
    problem: &'static str,
    order_tolerance: f64,
}

fn weak_order(ctx: &RunContext, scheme: Scheme) -> CheckResult {
    // Weak error E[X_h] - E[X] estimated by the mean of X_h - X on shared paths: unbiased, and its
    // Monte-Carlo noise is the strong error / sqrt(paths), far below the weak error at these h.
    let p = WeakParams {
        scheme: scheme.name(),
        paths: ctx.pick(100_000, 1_000_000),
        finest_log2_steps: 8,
        levels: 5,
        problem: "GBM mu = sigma = 1, X0 = 1, T = 1",
        order_tolerance: 0.1,
    };
    let lad = sde_ladder(ctx, scheme, p.paths, p.finest_log2_steps, p.levels)?;
    let mut study = Study::new(
        format!("{} weak convergence", scheme.name()),
        "h",
        "|E X_h(1) - E X(1)|",
    );
    for (h, w) in lad.hs.iter().zip(&lad.weak).rev() {
        study.push(*h, w.abs());
    }
    let expected = scheme.weak_order();
    let order = study.order(expected, p.order_tolerance);
    // Closed form for both schemes on GBM: E X_n = (1 + mu h)^n (the Milstein correction has mean 0).
    let closed = |h: f64| (1.0 + h).powf(1.0 / h) - 1f64.exp();
    let fig = study.figure(expected).line(
        "closed form |(1+h)^(1/h) - e|",
        study.steps().to_vec(),
        study.steps().iter().map(|h| closed(*h).abs()).collect(),
    );
    let mut ev = Evidence::new(
        "fitted weak order",
        order.observed,
        expected,
        Criterion::AbsDiff(p.order_tolerance),
    )
    .params_from(&p);
    for (h, e) in lad.hs.iter().zip(&lad.weak).rev() {
        ev = ev.detail(
            format!("E X_h - E X at h = {}", crate::fmt_num(*h)),
            *e,
            Some(closed(*h)),
        );
    }
    Ok(ev.with_order(order).figure(fig).into())
}
