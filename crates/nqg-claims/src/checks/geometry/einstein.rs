//! `geometry.einstein`: Einstein's equations with a cosmological constant (THEORY.md §8, §3.1 S-CURV3),
//! $E_{ab} \equiv G_{ab} + \Lambda g_{ab} - 8\pi T_{ab} = 0$, formed from the autodiff Einstein tensor of
//! an ansatz and solved numerically.
//!
//! - FLRW: $ds^2 = -dt^2 + a(t)^2 d\vec x^2$; $\ddot a$ from $E_{11} = 0$ and $\dot a(t_0)$ from the
//!   constraint $E_{00} = 0$, i.e. $H^2 = \frac{8\pi}{3}\sum\rho_i + \frac{\Lambda}{3}$ with
//!   $\rho_i \propto a^{-3(1+w_i)}$, against the closed forms $t^{2/3}$, $t^{1/2}$, $e^{Ht}$ and ΛCDM.
//! - Static star: $m' = 4\pi r^2\rho$ from $E_{tt}$, $\Phi'$ from $E_{rr}$, $p' = -(\rho + p)\Phi'$ from
//!   $\nabla_\mu T^{\mu r} = 0$; for constant density the central pressure is Schwarzschild's
//!   $p_c = \rho\\,(1 - \sqrt{1 - C})/(3\sqrt{1-C} - 1)$, $C = 2M/R$, diverging at Buchdahl's $C = 8/9$.

use std::f64::consts::PI;

use nqg_geometry::einstein::{ConstantDensityStar, Cosmology, Fluid, schwarzschild_interior_pressure};
use serde::Serialize;

use crate::{CheckResult, Criterion, Evidence, Figure, Provenance, Registry, Role, RunContext, Study};

/// Register `geometry.einstein`.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "geometry.einstein",
        "Einstein's equations with a cosmological constant (§8), formed from the autodiff Einstein tensor \
         of an ansatz and solved numerically, reproduce the textbook cosmologies and stars",
        Provenance::Textbook,
    )
    .check(
        "geometry.einstein.flrw_solver",
        "a(t) solved from the FLRW ansatz (a'' from E_11 = 0, a'(t0) from the constraint E_00 = 0, both \
         from the autodiff Einstein tensor) for matter, radiation, Λ and ΛCDM matches the closed forms, \
         error falling with the integrator tolerance",
        Role::Solver,
        flrw_solver,
    )
    .theory("S-CURV3")
    .check(
        "geometry.einstein.tov_constant_density",
        "The static-star solver (m' from E_tt, Φ' from E_rr, p' from ∇_μT^μr = 0, central pressure by \
         shooting) reproduces Schwarzschild's interior solution (profile and central pressure), with p_c \
         diverging as 2M/R → 8/9 (Buchdahl), error falling with the integrator tolerance",
        Role::Solver,
        tov_constant_density,
    )
    .theory("S-CURV3");
}

/// (name, cosmology, t0, a(t0), t_end, closed form a(t)).
type CosmologyCase = (&'static str, Cosmology, f64, f64, f64, Box<dyn Fn(f64) -> f64>);

fn flrw_cases() -> Vec<CosmologyCase> {
    let k = 3.0 / (8.0 * PI);
    let h: f64 = 0.7;
    let (om, ol, h0): (f64, f64, f64) = (0.3, 0.7, 1.0);
    let kap = 1.5 * ol.sqrt() * h0;
    let pre = (om / ol).cbrt();
    let lcdm = move |t: f64| pre * (kap * t).sinh().powf(2.0 / 3.0);
    vec![
        (
            "matter a = t^(2/3)",
            Cosmology {
                lambda: 0.0,
                fluids: vec![Fluid {
                    w: 0.0,
                    rho0: k * 4.0 / 9.0,
                }],
            },
            1.0,
            1.0,
            10.0,
            Box::new(|t: f64| t.powf(2.0 / 3.0)),
        ),
        (
            "radiation a = t^(1/2)",
            Cosmology {
                lambda: 0.0,
                fluids: vec![Fluid {
                    w: 1.0 / 3.0,
                    rho0: k * 0.25,
                }],
            },
            1.0,
            1.0,
            10.0,
            Box::new(|t: f64| t.sqrt()),
        ),
        (
            "Λ a = e^(Ht)",
            Cosmology {
                lambda: 3.0 * h * h,
                fluids: vec![],
            },
            0.0,
            1.0,
            5.0,
            Box::new(move |t: f64| (h * t).exp()),
        ),
        (
            "ΛCDM (Ω_m = 0.3)",
            Cosmology {
                lambda: 3.0 * ol * h0 * h0,
                fluids: vec![Fluid {
                    w: 0.0,
                    rho0: k * om * h0 * h0,
                }],
            },
            0.5,
            lcdm(0.5),
            3.0,
            Box::new(lcdm),
        ),
    ]
}

#[derive(Serialize)]
struct FlrwParams {
    integrator: &'static str,
    final_tolerance: f64,
    study_tolerances: [f64; 5],
    output_times: usize,
    relative_tolerance: f64,
}

fn flrw_solver(ctx: &RunContext) -> CheckResult {
    let p = FlrwParams {
        integrator: "adaptive Dormand-Prince 5(4) on (a, a')",
        final_tolerance: 1e-12,
        study_tolerances: [1e-6, 1e-7, 1e-8, 1e-9, 1e-10],
        output_times: ctx.pick(5, 20),
        relative_tolerance: 1e-8,
    };
    let n_out = p.output_times;
    let mut worst = 0.0_f64;
    let mut worst_constraint = 0.0_f64;
    let mut study_err = [0.0_f64; 5];
    let mut rows = Vec::new();
    let mut fig = Figure::new(
        "FLRW solver (autodiff Einstein tensor) vs closed forms",
        "t",
        "a(t)",
    );
    for (name, cosmo, t0, a0, t1, exact) in flrw_cases() {
        let ts: Vec<f64> = (1..=n_out)
            .map(|i| t0 + (t1 - t0) * i as f64 / n_out as f64)
            .collect();
        // Initial guess for a'(t0): a crude positive value; the constraint fixes it.
        let (a, cres) = cosmo.solve(t0, a0, 0.5 * a0, &ts, p.final_tolerance)?;
        let mut w = 0.0_f64;
        for (ti, ai) in ts.iter().zip(&a) {
            w = w.max((ai - exact(*ti)).abs() / exact(*ti));
        }
        worst = worst.max(w);
        worst_constraint = worst_constraint.max(cres);
        rows.push((format!("{name}: max relative error of a(t)"), w));
        fig = fig
            .markers(format!("{name} (solver)"), ts.clone(), a.clone())
            .line(
                format!("{name} (closed form)"),
                ts.clone(),
                ts.iter().map(|t| exact(*t)).collect(),
            );
        for (k, &tol) in p.study_tolerances.iter().enumerate() {
            let (a, _) = cosmo.solve(t0, a0, 0.5 * a0, &[t1], tol)?;
            study_err[k] = study_err[k].max((a[0] - exact(t1)).abs() / exact(t1));
        }
    }
    let mut study = Study::new(
        "FLRW solver: worst error at t_end vs integrator tolerance",
        "rtol",
        "max relative error of a(t_end)",
    );
    for (&t, &e) in p.study_tolerances.iter().zip(&study_err) {
        study.push(t, e);
    }
    let mut e = Evidence::new(
        "max relative error of a(t), all four cosmologies (tol 1e-12)",
        worst,
        0.0,
        Criterion::AbsDiff(p.relative_tolerance),
    )
    .with_order(study.order(1.0, 0.35))
    .params_from(&p);
    for (l, w) in rows {
        e = e.detail(l, w, Some(0.0));
    }
    e = e.detail(
        "max constraint residual |E_00| / 3H²",
        worst_constraint,
        Some(0.0),
    );
    e.details.extend(study.details());
    // The figure shows the solutions a(t); the study's errors are in the details and the order.
    Ok(e.figure(fig)
        .note("order = slope of the worst error vs the integrator tolerance (expected ≈ 1)")
        .into())
}

#[derive(Serialize)]
struct TovParams {
    radius: f64,
    profile_compactness: f64,
    final_tolerance: f64,
    study_tolerances: [f64; 5],
    compactness_ladder: [f64; 7],
    profile_points: usize,
    relative_tolerance: f64,
}

fn tov_constant_density(ctx: &RunContext) -> CheckResult {
    let pr = TovParams {
        radius: 1.0,
        profile_compactness: 0.5,
        final_tolerance: 1e-12,
        study_tolerances: [1e-6, 1e-7, 1e-8, 1e-9, 1e-10],
        compactness_ladder: [0.5, 0.7, 0.8, 0.85, 0.87, 0.88, 0.885],
        profile_points: ctx.pick(10, 40),
        relative_tolerance: 1e-8,
    };
    let radius = pr.radius;
    let star_for = |c: f64| {
        let m = c * radius / 2.0;
        ConstantDensityStar {
            rho: 3.0 * m / (4.0 * PI * radius.powi(3)),
        }
    };
    let tol = pr.final_tolerance;
    // Profile at 2M/R = 0.5, shooting from the Newtonian central pressure.
    let star = star_for(pr.profile_compactness);
    let rho = star.rho;
    let newton_guess = 2.0 * PI / 3.0 * rho * rho * radius * radius;
    let pc = star.central_pressure(radius, newton_guess, tol)?;
    let pc_exact = schwarzschild_interior_pressure(rho, radius, 0.0);
    let n_prof = pr.profile_points;
    let rs: Vec<f64> = (1..=n_prof)
        .map(|i| radius * i as f64 / (n_prof as f64 + 1.0))
        .collect();
    let prof = star.integrate(pc, radius, &rs, tol)?;
    let mut w_prof = 0.0_f64;
    for (r, y) in rs.iter().zip(&prof) {
        w_prof = w_prof.max((y[1] - schwarzschild_interior_pressure(rho, radius, *r)).abs() / pc_exact);
    }
    let mut worst = w_prof.max((pc - pc_exact).abs() / pc_exact);
    // Tolerance study on the central pressure.
    let mut study = Study::new(
        "Constant-density star: central-pressure error vs integrator tolerance",
        "rtol",
        "relative error of p_c",
    );
    for &t in &pr.study_tolerances {
        let p = star.central_pressure(radius, newton_guess, t)?;
        study.push(t, ((p - pc_exact).abs() / pc_exact).max(1e-17));
    }
    // Approach to the Buchdahl limit, by continuation in the compactness.
    let cs = pr.compactness_ladder;
    let mut guess = pc / rho;
    let (mut xs, mut ys, mut ye) = (Vec::new(), Vec::new(), Vec::new());
    let mut rows = Vec::new();
    for &c in &cs {
        let s = star_for(c);
        let p = s.central_pressure(radius, guess * s.rho, tol)?;
        let ex = schwarzschild_interior_pressure(s.rho, radius, 0.0);
        let rel = (p - ex).abs() / ex;
        worst = worst.max(rel);
        guess = p / s.rho;
        xs.push(c);
        ys.push(p / s.rho);
        ye.push(ex / s.rho);
        rows.push((format!("p_c/ρ at 2M/R = {c}"), p / s.rho, ex / s.rho));
    }
    // Divergence: p_c/ρ × (3√(1-C) - 1) stays finite → (1 - √(1-C)) as C → 8/9.
    let c_last = *cs.last().unwrap_or(&0.885);
    let p_last = *ys.last().unwrap_or(&f64::NAN);
    let b = (1.0 - c_last).sqrt();
    let fig = Figure::new(
        "Central pressure of a constant-density star",
        "compactness 2M/R",
        "p_c / ρ",
    )
    .log(false, true)
    .markers("solver (autodiff Einstein tensor, shooting)", xs, ys)
    .line("Schwarzschild interior", cs.to_vec(), ye);
    let mut e = Evidence::new(
        "max relative error of p(r) and p_c (2M/R from 0.5 to 0.885)",
        worst,
        0.0,
        Criterion::AbsDiff(pr.relative_tolerance),
    )
    .with_order(study.order(1.0, 0.35))
    .params_from(&pr);
    for (l, m, x) in rows {
        e = e.detail(l, m, Some(x));
    }
    e = e
        .detail("profile max |p - p_exact| / p_c at 2M/R = 0.5", w_prof, Some(0.0))
        .detail(
            "p_c (3√(1-C) - 1)/ρ at C = 0.885 (finite residue of the pole at 8/9)",
            p_last * (3.0 * b - 1.0),
            Some(1.0 - b),
        );
    e.details.extend(study.details());
    Ok(e.figure(fig)
        .note("order = slope of the central-pressure error vs the integrator tolerance (expected ≈ 1)")
        .into())
}
