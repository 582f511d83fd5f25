//! `geometry.lorentz`: Lorentz transformations are the isometries of Minkowski space (THEORY.md §5, the
//! symmetry group the paper says emerges).
//!
//! - Interval invariance: $s^2 = -\Delta t^2 + |\Delta\vec x|^2$ is unchanged by any boost $\Lambda$, and
//!   $\Lambda^T\eta\Lambda = \eta$.
//! - Rapidity addition: collinear boosts compose by $\eta_{12} = \eta_1 + \eta_2$, i.e.
//!   $v_{12} = (v_1 + v_2)/(1 + v_1 v_2)$; two non-collinear boosts compose to a boost times a Wigner
//!   rotation of angle $\varepsilon(\gamma_1, \gamma_2, \theta)$ (closed form).

use std::f64::consts::PI;

use nqg_geometry::lorentz::{Lorentz, interval, wigner_angle, wigner_angle_closed};
use rand::RngExt;
use serde::Serialize;

use crate::{CheckResult, Criterion, Evidence, Figure, Provenance, Registry, Role, RunContext};

/// Register `geometry.lorentz`.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "geometry.lorentz",
        "Lorentz transformations are the isometries of Minkowski space: boosts preserve the interval \
         s² = -Δt² + |Δx|² (the symmetry group the paper says emerges, §5)",
        Provenance::Textbook,
    )
    .check(
        "geometry.lorentz.interval_invariance",
        "Random boosts (any direction, |v| up to 0.99) preserve the Minkowski interval of random events \
         and satisfy Λᵀ η Λ = η, to round-off relative to the size of the terms that cancel",
        Role::Solver,
        interval_invariance,
    )
    .theory("§5")
    .check(
        "geometry.lorentz.rapidity_addition",
        "Collinear boosts compose by adding rapidities (velocity addition (v1+v2)/(1+v1 v2)); two \
         perpendicular boosts compose to a boost times a Wigner rotation of the closed-form angle",
        Role::Solver,
        rapidity_addition,
    )
    .theory("§5");
}

#[derive(Serialize)]
struct IntervalParams {
    boosts: usize,
    events_per_boost: usize,
    dimension: usize,
    max_speed: f64,
}

/// Boost random separations with random velocities and compare intervals.
fn interval_invariance(ctx: &RunContext) -> CheckResult {
    let p = IntervalParams {
        boosts: ctx.pick(200, 5_000),
        events_per_boost: 20,
        dimension: 4,
        max_speed: 0.99,
    };
    let mut rng = ctx.rng();
    let mut worst_rel = 0.0_f64;
    let mut worst_defect = 0.0_f64;
    let (mut speeds, mut errs) = (Vec::new(), Vec::new());
    for _ in 0..p.boosts {
        // Direction uniform in the cube, speed uniform in [0, 0.99).
        let dir: [f64; 3] = std::array::from_fn(|_| rng.random::<f64>() * 2.0 - 1.0);
        let norm = dir.iter().map(|d| d * d).sum::<f64>().sqrt().max(1e-12);
        let speed = p.max_speed * rng.random::<f64>();
        let v: Vec<f64> = dir.iter().map(|d| d / norm * speed).collect();
        let b = Lorentz::<4>::boost(&v)?;
        // Group defect relative to the size of the entries (~γ²) that cancel in Λᵀ η Λ.
        let gamma2 = b.matrix()[(0, 0)] * b.matrix()[(0, 0)];
        worst_defect = worst_defect.max(b.defect() / gamma2);
        let mut boost_worst = 0.0_f64;
        for _ in 0..p.events_per_boost {
            let x: [f64; 4] = std::array::from_fn(|_| rng.random::<f64>() * 20.0 - 10.0);
            let y = b.apply(&x);
            // Relative to the scale of the terms that cancel in s², so round-off is ~1e-16.
            let scale = x.iter().map(|c| c * c).sum::<f64>() + y.iter().map(|c| c * c).sum::<f64>();
            let rel = (interval(&y) - interval(&x)).abs() / scale;
            boost_worst = boost_worst.max(rel);
        }
        worst_rel = worst_rel.max(boost_worst);
        speeds.push(speed);
        errs.push(boost_worst.max(1e-18));
    }
    let fig = Figure::new(
        "Interval invariance under random boosts",
        "boost speed |v| (c = 1)",
        "max |Δs²| / (|x|² + |x'|²)",
    )
    .log(false, true)
    .markers("worst of 20 events per boost", speeds, errs)
    .line("round-off scale 1e-16", vec![0.0, 0.99], vec![1e-16, 1e-16]);
    let measured = worst_rel.max(worst_defect);
    // Both numbers are already divided by the size of the terms that cancel: scale 1.
    Ok(Evidence::new(
        "max relative change of s² or of Λᵀ η Λ",
        measured,
        0.0,
        Criterion::AbsDiff(1e-14),
    )
    .at_scale(1.0)
    .params_from(&p)
    .detail("max relative |Δs²|", worst_rel, Some(0.0))
    .detail("max |Λᵀ η Λ - η| / γ²", worst_defect, Some(0.0))
    .figure(fig)
    .into())
}

#[derive(Serialize)]
struct RapidityParams {
    pairs: usize,
    max_speed: f64,
}

/// Compose collinear boosts in random directions; compare rapidities and velocities; Wigner angles.
fn rapidity_addition(ctx: &RunContext) -> CheckResult {
    let p = RapidityParams {
        pairs: ctx.pick(500, 10_000),
        max_speed: 0.99,
    };
    let mut rng = ctx.rng();
    let (mut worst_eta, mut worst_v, mut worst_w) = (0.0_f64, 0.0_f64, 0.0_f64);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for _ in 0..p.pairs {
        let dir: [f64; 3] = std::array::from_fn(|_| rng.random::<f64>() * 2.0 - 1.0);
        let norm = dir.iter().map(|d| d * d).sum::<f64>().sqrt().max(1e-12);
        let (b1, b2) = (
            p.max_speed * rng.random::<f64>(),
            p.max_speed * rng.random::<f64>() - 0.495,
        );
        let v1: Vec<f64> = dir.iter().map(|d| d / norm * b1).collect();
        let v2: Vec<f64> = dir.iter().map(|d| d / norm * b2).collect();
        let l = Lorentz::<4>::boost(&v1)?.then(&Lorentz::<4>::boost(&v2)?);
        let eta_expected = (b1.atanh() + b2.atanh()).abs();
        // Absolute: near-cancelling pairs have η → 0, where a relative error is meaningless.
        let e_eta = (l.rapidity() - eta_expected).abs();
        let v_meas = l.velocity().iter().map(|c| c * c).sum::<f64>().sqrt();
        let v_exp = ((b1 + b2) / (1.0 + b1 * b2)).abs();
        let e_v = (v_meas - v_exp).abs();
        worst_eta = worst_eta.max(e_eta);
        worst_v = worst_v.max(e_v);
        xs.push(eta_expected);
        ys.push(e_eta.max(1e-18));
        // Wigner rotation of two boosts at a random angle in the x-y plane.
        let th = PI * rng.random::<f64>();
        let (g1, g2) = (1.0 / (1.0 - b1 * b1).sqrt(), 1.0 / (1.0 - b2 * b2).sqrt());
        if b1 > 0.05 && b2.abs() > 0.05 {
            let w = wigner_angle(&[b1, 0.0, 0.0], &[b2.abs() * th.cos(), b2.abs() * th.sin(), 0.0])?;
            let wc = wigner_angle_closed(g1, g2, th);
            worst_w = worst_w.max((w.abs() - wc.abs()).abs());
        }
    }
    let measured = worst_eta.max(worst_v).max(worst_w);
    let fig = Figure::new(
        "Rapidity addition of collinear boosts",
        "|η1 + η2|",
        "|η(Λ2Λ1) - (η1 + η2)|",
    )
    .log(false, true)
    .markers("random pairs", xs, ys);
    Ok(Evidence::new(
        "max error of composed rapidity, velocity and Wigner angle",
        measured,
        0.0,
        Criterion::AbsDiff(1e-13),
    )
    .params_from(&p)
    .detail("max |η12 - (η1 + η2)|", worst_eta, Some(0.0))
    .detail("max |v12 - (v1+v2)/(1+v1 v2)|", worst_v, Some(0.0))
    .detail("max |ε - ε_closed| (Wigner angle, rad)", worst_w, Some(0.0))
    .figure(fig)
    .into())
}
