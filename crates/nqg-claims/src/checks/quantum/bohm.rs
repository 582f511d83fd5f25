//! Claim `quantum.bohm`: Bohmian trajectories follow the Madelung velocity, $\dot x = v(x, t) =
//! (\hbar/m)\\,\mathrm{Im}(\partial_x\psi/\psi)$ (N3.5). For a free Gaussian of width $\sigma_0$ the paths
//! are $x(t) = x_0\\,\sigma(t)/\sigma_0$ with $\sigma(t) = \sigma_0\sqrt{1 + (\hbar t/2m\sigma_0^2)^2}$.

use nqg_quantum::bohm::trajectories;
use nqg_quantum::potential::Free;
use nqg_quantum::{Grid, Scheme, SplitStep, Wavefunction};

use super::ho_units;
use crate::{
    CheckError, CheckResult, Criterion, Evidence, Figure, Provenance, Registry, Role, RunContext, Study,
};

/// Register claim `quantum.bohm`.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "quantum.bohm",
        "Bohmian trajectories follow the Madelung velocity ∇S/m (N3.5)",
        Provenance::Textbook,
    )
    .check(
        "quantum.bohm.free_gaussian",
        "For a free Gaussian the Bohmian paths are x(t) = x0 σ(t)/σ0 up to t = 4 at the finest RK4 step, \
         with the error falling at 4th order",
        Role::Solver,
        bohm_free_gaussian,
    );
}

fn bohm_free_gaussian(_ctx: &RunContext) -> CheckResult {
    let units = ho_units();
    let grid = Grid::centered([512], [60.0])?;
    let sigma0 = 1.0;
    let starts = [[-2.0], [-1.0], [0.5], [1.0], [2.5]];
    let t_end = 4.0;
    let hs = vec![0.2, 0.1, 0.05, 0.025];
    let sig = |t: f64| sigma0 * (1.0 + (t / (2.0 * sigma0 * sigma0)).powi(2)).sqrt();
    let mut study = Study::new(
        "Bohmian paths of a free Gaussian: RK4 error",
        "h",
        "max |x(t) - x0 σ(t)/σ0|",
    );
    let mut paths = None;
    for &h in &hs {
        let mut psi = Wavefunction::gaussian(grid.clone(), [0.0], [sigma0], [0.0])?;
        let mut p = SplitStep::new(grid.clone(), units, Free, h / 2.0, Scheme::Strang)?;
        let tr = trajectories(&mut p, &mut psi, &starts, (t_end / h).round() as usize)?;
        let mut worst = 0.0_f64;
        for (path, x0) in tr.paths.iter().zip(&starts) {
            for (x, t) in path.iter().zip(&tr.times) {
                worst = worst.max((x[0] - x0[0] * sig(*t) / sigma0).abs());
            }
        }
        study.push(h, worst);
        paths = Some(tr);
    }
    let tr = paths.ok_or_else(|| CheckError::msg("no run"))?;
    let mut fig = Figure::new("Bohmian paths of a free Gaussian", "t", "x(t)");
    for (i, (path, x0)) in tr.paths.iter().zip(&starts).enumerate() {
        fig = fig.markers(
            format!("path {i}"),
            tr.times.clone(),
            path.iter().map(|x| x[0]).collect(),
        );
        fig = fig.line(
            format!("x0 σ(t)/σ0, x0 = {}", x0[0]),
            tr.times.clone(),
            tr.times.iter().map(|t| x0[0] * sig(*t)).collect(),
        );
    }
    let mut ev = Evidence::new(
        "max |x(t) - x0 σ(t)/σ0| for t ≤ 4 (finest h)",
        study.finest_error(),
        1e-8,
        Criterion::AtMost,
    )
    .with_order(study.order(4.0, 0.3))
    .param("h (RK4)", hs.clone())
    .param("grid", "[-30, 30), 512 points")
    .param("starts", starts.iter().map(|s| s[0]).collect::<Vec<_>>());
    ev.details.extend(study.details());
    Ok(ev.figure(fig).into())
}
