//! `thermo.noneq`: the stationary probability current of a non-equilibrium Ornstein-Uhlenbeck process
//! (the OU formula THEORY.md N-3 compares SGD against) and the thermodynamic uncertainty relation.
//!
//! For $dx = -Ax\\,dt + \sqrt{2D}\\,dW$ with stationary covariance $\Sigma$ ($A\Sigma + \Sigma A^T = 2D\\,1$) the
//! current is $J = (D\\,1 - A\Sigma)\Sigma^{-1}x\\,p$, so $M = \langle dx\circ x^T\rangle/dt = \int J x^T =
//! D\\,1 - A\Sigma$, whose antisymmetric part is non-zero iff detailed balance fails. The entropy
//! production rate is $\sigma = \int J^T D^{-1} J/p$, and any current $J_\tau$ obeys the TUR
//! $\mathrm{Var}(J_\tau)/\langle J_\tau\rangle^2 \ge 2/\langle\Sigma_\tau\rangle$.

use nqg_thermo::ensemble::Moments;
use nqg_thermo::fp::{Boundary, Grid1d};
use nqg_thermo::fp2d::{FokkerPlanck2d, Stepper2d};
use nqg_thermo::sde::{LinearOu, Scheme};
use nqg_thermo::stochastic::{ou_current_analytic, ou_current_ensemble, ou_stationary_covariance};
use serde::Serialize;

use crate::{CheckError, CheckResult, Criterion, Evidence, Provenance, Registry, Role, RunContext, Study};

/// Register `thermo.noneq`.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "thermo.noneq",
        "A non-symmetric Ornstein-Uhlenbeck process has a stationary probability current equal to the analytic one",
        Provenance::Textbook,
    )
    .check(
        "thermo.noneq.ou_current",
        "dx = -A x dt + sqrt(2D) dW, A = [[1,-1],[2,3]], D = 1/2: the antisymmetric part of <dx o x^T>/dt \
         (Stratonovich) against that of D I - A Sigma, in units of its standard error",
        Role::Solver,
        ou_current,
    )
    .theory("N-3")
    .check(
        "thermo.noneq.ou_current_grid",
        "The same process on the 2D Scharfetter-Gummel grid (split backward Euler, reflecting box [-4.5, 4.5]^2): \
         the antisymmetric part of int J x^T against that of D I - A Sigma (relative), second order in h",
        Role::Solver,
        ou_current_grid,
    )
    .theory("N-3")
    .check(
        "thermo.noneq.tur",
        "Thermodynamic uncertainty relation for the angular current J of the same steady state: \
         Var(J)/<J>^2 >= 2/<Sigma>",
        Role::Solver,
        ou_tur,
    )
    .theory("N-3");
}

#[derive(Serialize)]
struct OuParams {
    a: [f64; 4],
    diffusion: f64,
    members: usize,
    dt: f64,
    steps: usize,
    scheme: &'static str,
}

/// The non-equilibrium OU ensemble and the analytic M and entropy production rate.
struct OuRun {
    params: OuParams,
    moments: Moments,
    m_exact: Vec<f64>,
    sigma_exact: f64,
}

fn ou_run(ctx: &RunContext) -> Result<OuRun, CheckError> {
    // The midpoint estimator has an O(dt) bias ~ dt (A^2 S - S A^T^2)/4 (about 1 % at dt = 2e-3): use 5e-4.
    let params = OuParams {
        a: [1.0, -1.0, 2.0, 3.0],
        diffusion: 0.5,
        members: ctx.pick(20_000, 200_000),
        dt: 5e-4,
        steps: 2000,
        scheme: "stochastic Heun, Stratonovich midpoint products",
    };
    let ou = LinearOu::new(
        params.a.to_vec(),
        params.diffusion,
        vec![0.0, 0.0],
        vec![0.0, 0.0],
    )?;
    let moments = ou_current_ensemble(
        &ou,
        Scheme::Heun,
        params.dt,
        params.steps,
        params.members,
        ctx.seed,
    )?;
    let (m_exact, sigma_exact) = ou_current_analytic(&params.a, 2, params.diffusion)?;
    Ok(OuRun {
        params,
        moments,
        m_exact,
        sigma_exact,
    })
}

fn ou_current(ctx: &RunContext) -> CheckResult {
    let r = ou_run(ctx)?;
    let mo = &r.moments;
    let cov = mo.covariance();
    let nn = mo.count() as f64;
    let dd = mo.dim();
    // Antisymmetric part w = (M12 - M21)/2 and its standard error from the member covariance.
    let w = 0.5 * (mo.mean()[1] - mo.mean()[2]);
    let var_w = 0.25 * (cov[dd + 1] + cov[2 * dd + 2] - 2.0 * cov[dd + 2]) / nn;
    let w_exact = 0.5 * (r.m_exact[1] - r.m_exact[2]);
    let sym = 0.5 * (mo.mean()[1] + mo.mean()[2]);
    Ok(Evidence::new(
        "antisymmetric part of <dx o x^T>/dt",
        w,
        w_exact,
        Criterion::Sigmas(4.0),
    )
    .with_uncertainty(var_w.sqrt())
    .params_from(&r.params)
    .param("tau", r.params.dt * r.params.steps as f64)
    .detail("M11", mo.mean()[0], Some(r.m_exact[0]))
    .detail("M22", mo.mean()[3], Some(r.m_exact[3]))
    .detail("symmetric part (M12 + M21)/2", sym, Some(0.0))
    .detail("entropy production rate", mo.mean()[4], Some(r.sigma_exact))
    .detail("entropy production rate standard error", mo.sem(4)?, None)
    .into())
}

fn ou_tur(ctx: &RunContext) -> CheckResult {
    let r = ou_run(ctx)?;
    let mo = &r.moments;
    let tau = r.params.dt * r.params.steps as f64;
    let cov = mo.covariance();
    let dd = mo.dim();
    // Per-trajectory angular current J = tau w; Var(J)/<J>^2 = Var(w)/<w>^2 >= 2/(sigma tau).
    let w = 0.5 * (mo.mean()[1] - mo.mean()[2]);
    let var_w = 0.25 * (cov[dd + 1] + cov[2 * dd + 2] - 2.0 * cov[dd + 2]);
    let sigma = mo.mean()[4];
    let ratio = var_w * sigma * tau / (2.0 * w * w);
    Ok(Evidence::new("TUR ratio Var(J) <Sigma> / (2 <J>^2)", ratio, 1.0, Criterion::AtLeast)
        .params_from(&r.params)
        .param("tau", tau)
        .detail("<J>/tau", w, None)
        .detail("Var(J)/tau^2", var_w, None)
        .detail("<Sigma>/tau", sigma, Some(r.sigma_exact))
        .note(format!(
            "the angular current of the non-equilibrium OU steady state satisfies the TUR with ratio {ratio:.3} >= 1 \
             (tau = {tau})"
        ))
        .into())
}

#[derive(Serialize)]
struct GridParams {
    a: [f64; 4],
    diffusion: f64,
    cells_per_side: Vec<usize>,
    box_half_width: f64,
    dt: f64,
    t_end: f64,
    stepping: &'static str,
    relative_tolerance: f64,
}

fn ou_current_grid(ctx: &RunContext) -> CheckResult {
    // The Lie splitting perturbs the stationary state at O(dt): keep it below the O(h^2) error.
    let p = GridParams {
        a: [1.0, -1.0, 2.0, 3.0],
        diffusion: 0.5,
        cells_per_side: ctx.pick(vec![24, 48, 96], vec![24, 48, 96, 192]),
        box_half_width: 4.5,
        dt: ctx.pick(1e-3, 2.5e-4),
        t_end: 3.0,
        stepping: "Lie-split backward Euler (O(dt) splitting error in the stationary state)",
        relative_tolerance: 1e-2,
    };
    let (a, dcoef, dt) = (p.a, p.diffusion, p.dt);
    let (m_exact, _) = ou_current_analytic(&a, 2, dcoef)?;
    let w_exact = 0.5 * (m_exact[1] - m_exact[2]);
    let sig = ou_stationary_covariance(&a, 2, dcoef)?;
    let det = sig[0] * sig[3] - sig[1] * sig[2];
    let inv = [sig[3] / det, -sig[1] / det, -sig[2] / det, sig[0] / det];
    let mut study = Study::new(
        "Non-equilibrium OU current on the 2D grid",
        "h",
        "|w_grid - w_exact|",
    );
    let (mut ws, mut masses) = (Vec::new(), Vec::new());
    for &n in &p.cells_per_side {
        let g = Grid1d::new(-p.box_half_width, p.box_half_width, n)?;
        let op = FokkerPlanck2d::from_drift(g, g, dcoef, Boundary::Reflecting, |x, y| {
            (-(a[0] * x + a[1] * y), -(a[2] * x + a[3] * y))
        })?;
        // Start from the exact stationary Gaussian sampled at the centres; relax the O(h^2, dt) remainder.
        let mut pd: Vec<f64> = (0..n * n)
            .map(|k| {
                let (x, y) = (g.centre(k % n), g.centre(k / n));
                (-0.5 * (inv[0] * x * x + 2.0 * inv[1] * x * y + inv[3] * y * y)).exp()
            })
            .collect();
        let m = op.mass(&pd);
        pd.iter_mut().for_each(|v| *v /= m);
        let mut st = Stepper2d::new(&op, dt)?;
        for _ in 0..(p.t_end / dt) as usize {
            st.step(&mut pd)?;
        }
        let (jx, jy) = op.current(&pd)?;
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
        study.push(h, (w - w_exact).abs());
        ws.push((h, w));
        masses.push((op.mass(&pd) - 1.0).abs());
    }
    let w_f = ws.last().map_or(f64::NAN, |v| v.1);
    let mut ev = Evidence::new(
        "grid antisymmetric part of int J x^T",
        w_f,
        w_exact,
        Criterion::RelDiff(p.relative_tolerance),
    )
    .params_from(&p)
    .detail(
        "max |mass - 1|",
        masses.iter().cloned().fold(0.0, f64::max),
        Some(0.0),
    );
    for (h, w) in ws {
        ev = ev.detail(format!("w at h = {}", crate::fmt_num(h)), w, Some(w_exact));
    }
    Ok(ev
        .with_order(study.order(2.0, 0.3))
        .figure(study.figure(2.0))
        .into())
}
