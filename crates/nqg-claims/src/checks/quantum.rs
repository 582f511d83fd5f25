//! Layer S quantum checks (S-QM, S-MAD): the Schrodinger/Madelung solver of `nqg-quantum`.
//!
//! Units are $\hbar = m = \omega = 1$ unless a check says otherwise (THEORY.md §3 default units); the
//! ring and residual checks also use non-unit $\hbar$, $m$ because the paper's $\hbar_\text{eff}$ and
//! $m_\text{eff}$ (N3.7) are not 1.

use nqg_quantum::bohm::trajectories;
use nqg_quantum::circulation::{circulation_1d, loop_circulation_2d, winding_number};
use nqg_quantum::madelung::{MadelungSolver1D, compose_1d, residuals};
use nqg_quantum::potential::{Free, Harmonic};
use nqg_quantum::ring::Ring;
use nqg_quantum::{
    EigenOptions, Grid, Hamiltonian, ImaginaryTimeOptions, Scheme, SplitStep, Units, Wavefunction,
};
use num_complex::Complex64;

use crate::{
    CheckError, CheckResult, Criterion, Evidence, Figure, Order, Provenance, Registry, Role, RunContext,
};

type R<T> = Result<T, CheckError>;

fn e<E: std::fmt::Display>(err: E) -> CheckError {
    CheckError::from_display(err)
}

/// Register this layer's claims.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "quantum.schrodinger",
        "The grid Schrodinger solver (split-step Fourier, Fourier-grid eigen-solver) reproduces textbook \
         quantum mechanics to the stated accuracy (S-QM, the equation N4.4 the paper's adaptive networks \
         are said to obey)",
        Provenance::Textbook,
    )
    .check(
        "quantum.schrodinger.ho_spectrum",
        "Harmonic oscillator on [-20, 20) with 1024 points: the 11 lowest eigenvalues equal ħω(n + 1/2), \
         relative error ≤ 1e-8 (Chebyshev-filtered subspace iteration with the exact grid H)",
        Role::Solver,
        ho_spectrum,
    )
    .check(
        "quantum.schrodinger.gaussian_spreading",
        "A free Gaussian (σ0 = 1) spreads as σ0 √(1 + (ħt/2mσ0²)²) up to t = 4 (σ(4) = √5), ≤ 1e-8 \
         relative: the split step is exact in time for V = 0",
        Role::Solver,
        gaussian_spreading,
    )
    .check(
        "quantum.schrodinger.coherent_state",
        "A coherent state (ground state displaced by 3) in the oscillator follows <x> = 3 cos t with \
         constant width 1/√2 over 3 periods, ≤ 1e-8 at the finest step of a 4th-order refinement study",
        Role::Solver,
        coherent_state,
    )
    .check(
        "quantum.schrodinger.unitarity",
        "Split-step Strang is unitary to round-off: the norm drifts by ≤ 1e-10 after 1e5 steps (THEORY S-QM4 \
         asks this over 1e4; the stricter 1e-12 of issue 4 is below the FFT round-off floor and is reported, \
         not met), and the energy stays bounded with no secular drift",
        Role::Solver,
        unitarity,
    )
    .check(
        "quantum.schrodinger.strang_order",
        "Halving dt divides the Strang global error (against the exact coherent state) by 4: fitted \
         order 2.0 ± 0.1",
        Role::Solver,
        strang_order,
    )
    .check(
        "quantum.schrodinger.yoshida_order",
        "The 4th-order Yoshida composition has fitted global order 4.0 ± 0.2 against the exact \
         coherent state",
        Role::Solver,
        yoshida_order,
    )
    .check(
        "quantum.schrodinger.ring_flux",
        "Particle on a ring with Aharonov-Bohm flux Φ: E_n = (n - Φ/2π)² ħ²/(2mR²) for several fluxes, \
         and non-degenerate eigenstates wind n times",
        Role::Solver,
        ring_flux,
    );

    reg.claim(
        "quantum.madelung",
        "Where ρ > 0 the Schrodinger evolution satisfies the Madelung equations (N3.5-N3.7: continuity \
         and quantum Hamilton-Jacobi with Q = -(ħ²/2m)∇²√ρ/√ρ); a direct Madelung solver agrees for \
         nodeless states and breaks down at nodes",
        Provenance::Reconstruction,
    )
    .check(
        "quantum.madelung.residuals",
        "Continuity and quantum-HJ residuals of a split-step evolution of a nodeless Gaussian in a trap \
         (ħ = 0.7, m = 1.3) are ≤ 1e-8 where ρ > 1e-6 max ρ, and fall at 4th order in the time stencil",
        Role::Solver,
        madelung_residuals,
    )
    .check(
        "quantum.madelung.nodeless_agreement",
        "The direct Madelung solver (ln ρ, v; 5-point FD; RK4) reproduces |ψ|² of a split-step run for \
         the displaced Gaussian (x0 = 3) in a harmonic trap to t = 2π on 1024 points, L1 ≤ 1e-3; the \
         resolution study against the exact density is reported",
        Role::Solver,
        madelung_nodeless,
    )
    .check(
        "quantum.madelung.node_breakdown",
        "Two colliding packets form interference nodes: the Schrodinger run stays regular and unitary \
         while the direct Madelung run breaks down (reported, not fixed: the node/Wallstrom issue, §3-§4)",
        Role::Solver,
        madelung_breakdown,
    );

    reg.claim(
        "quantum.bohm",
        "Bohmian trajectories follow the Madelung velocity ∇S/m (N3.5)",
        Provenance::Textbook,
    )
    .check(
        "quantum.bohm.free_gaussian",
        "For a free Gaussian the Bohmian paths are x(t) = x0 σ(t)/σ0: ≤ 1e-8 at t = 4 at the finest RK4 \
         step, with the error falling at 4th order",
        Role::Solver,
        bohm_free_gaussian,
    );

    reg.claim(
        "quantum.quantization",
        "Single-valued ψ quantises the phase circulation, m∮v·dl ∈ 2πħℤ (the Wallstrom condition that \
         separates Schrodinger from Madelung, §3-§4, N4.1-N4.2)",
        Provenance::Reconstruction,
    )
    .check(
        "quantum.quantization.circulation",
        "The circulation m∮v·dl/2πħ of evolved states (a 1D ring state with flux, a 2D vortex in a trap) \
         stays equal to the integer winding number (≤ 1e-8), while a Madelung state with circulation \
         0.3 has no single-valued ψ: defect |e^{2πi·0.3} - 1| = 2 sin(0.3π)",
        Role::Identity,
        circulation,
    );
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// The exact coherent state in the oscillator with ħ = m = ω = 1, displaced by `x0` at t = 0:
/// ψ = π^{-1/4} exp(-(x-q)²/2 + i p (x-q) - i x0² sin(2t)/4 - i t/2), q = x0 cos t, p = -x0 sin t.
fn coherent_exact(x: f64, t: f64, x0: f64) -> Complex64 {
    let q = x0 * t.cos();
    let p = -x0 * t.sin();
    let u = x - q;
    let phase = p * u - x0 * x0 * (2.0 * t).sin() / 4.0 - t / 2.0;
    Complex64::new(-u * u / 2.0, phase).exp() * std::f64::consts::PI.powf(-0.25)
}

fn l2_error(psi: &Wavefunction<1>, t: f64, x0: f64) -> f64 {
    let g = psi.grid();
    let dx = g.spacing()[0];
    g.axis(0)
        .iter()
        .zip(psi.values())
        .map(|(x, z)| (z - coherent_exact(*x, t, x0)).norm_sqr())
        .sum::<f64>()
        .sqrt()
        * dx.sqrt()
}

fn ho_units() -> Units {
    Units::default()
}

// ---------------------------------------------------------------------------------------------
// Checks

fn ho_spectrum(ctx: &RunContext) -> CheckResult {
    let n = ctx.pick(1024, 2048);
    let grid = Grid::centered([n], [40.0]).map_err(e)?;
    let omega = 1.0;
    let mut h = Hamiltonian::new(grid, ho_units(), &Harmonic::<1>::isotropic(1.0, omega), 0.0).map_err(e)?;
    let pairs = h.eigenstates(11, EigenOptions::default()).map_err(e)?;
    let mut worst = 0.0_f64;
    let (mut ns, mut errs, mut ests) = (Vec::new(), Vec::new(), Vec::new());
    let mut ev = Evidence::new("max_n≤10 |E_n - (n+1/2)| / (n+1/2)", 0.0, 1e-8, Criterion::AtMost);
    for (k, p) in pairs.iter().enumerate() {
        let exact = omega * (k as f64 + 0.5);
        let rel = (p.energy - exact).abs() / exact;
        worst = worst.max(rel);
        ev = ev.detail(format!("E_{k}"), p.energy, Some(exact));
        ns.push(k as f64);
        errs.push(rel.max(1e-17));
        ests.push((p.error_estimate / exact).max(1e-17));
    }
    // Independent route for E_0: imaginary-time split-step with exact-H Rayleigh quotient.
    let g = h.ground_state(None, ImaginaryTimeOptions::default()).map_err(e)?;
    ev = ev.detail("E_0 by imaginary time", g.energy, Some(0.5 * omega));
    worst = worst.max((g.energy - 0.5 * omega).abs() / (0.5 * omega));
    ev.measured = worst;
    let fig = Figure::new("Oscillator spectrum on 1024 points", "n", "relative error")
        .log(false, true)
        .markers("|E_n - (n+1/2)|/(n+1/2)", ns.clone(), errs)
        .markers("solver error estimate / E_n", ns, ests)
        .line("target 1e-8", vec![0.0, 10.0], vec![1e-8, 1e-8]);
    Ok(ev
        .param("grid", format!("[-20, 20), {n} points"))
        .param("hbar", 1.0)
        .param("mass", 1.0)
        .param("omega", omega)
        .param(
            "solver",
            "Chebyshev-filtered subspace iteration, degree 30, 6 guard vectors",
        )
        .note("the Fourier-grid discretisation converges exponentially; errors are at round-off")
        .figure(fig)
        .into())
}

fn gaussian_spreading(ctx: &RunContext) -> CheckResult {
    let n = ctx.pick(1024, 4096);
    let grid = Grid::centered([n], [80.0]).map_err(e)?;
    let sigma0 = 1.0;
    let mut psi = Wavefunction::gaussian(grid.clone(), [0.0], [sigma0], [0.0]).map_err(e)?;
    let dt = 0.01;
    let mut p = SplitStep::new(grid, ho_units(), Free, dt, Scheme::Strang).map_err(e)?;
    let (mut ts, mut num, mut exact) = (vec![0.0], vec![psi.width()[0]], vec![sigma0]);
    let mut worst = 0.0_f64;
    for _ in 0..40 {
        p.run(&mut psi, 10).map_err(e)?;
        let t = p.time();
        let s = psi.width()[0];
        let ex = sigma0 * (1.0 + (t / (2.0 * sigma0 * sigma0)).powi(2)).sqrt();
        worst = worst.max((s - ex).abs() / ex);
        ts.push(t);
        num.push(s);
        exact.push(ex);
    }
    let s4 = *num.last().unwrap_or(&f64::NAN);
    let fig = Figure::new("Free Gaussian spreading", "t", "σ(t)")
        .line("σ0 √(1 + (t/2σ0²)²)", ts.clone(), exact)
        .markers("split step", ts, num);
    Ok(Evidence::new(
        "max_t |σ(t) - σ_exact(t)| / σ_exact(t), t ≤ 4",
        worst,
        1e-8,
        Criterion::AtMost,
    )
    .param("grid", format!("[-40, 40), {n} points"))
    .param("dt", dt)
    .param("sigma0", sigma0)
    .detail("σ(4)", s4, Some(5f64.sqrt()))
    .figure(fig)
    .into())
}

/// Max |<x> - x0 cos t| and |σ - 1/√2| over 3 periods with the given scheme and step.
/// Max |<x> - x0 cos t|, max |σ - 1/√2|, and the (t, <x>) trace.
type CoherentRun = (f64, f64, Vec<(f64, f64)>);

fn coherent_run(dt: f64, scheme: Scheme, n: usize, samples: usize) -> R<CoherentRun> {
    let x0 = 3.0;
    let grid = Grid::centered([n], [30.0]).map_err(e)?;
    let mut psi = Wavefunction::gaussian(grid.clone(), [x0], [0.5f64.sqrt()], [0.0]).map_err(e)?;
    let mut p =
        SplitStep::new(grid, ho_units(), Harmonic::<1>::isotropic(1.0, 1.0), dt, scheme).map_err(e)?;
    let t_end = 6.0 * std::f64::consts::PI;
    let total = (t_end / dt).round() as usize;
    let per = (total / samples).max(1);
    let (mut ex, mut ew) = (0.0_f64, 0.0_f64);
    let mut trace = Vec::new();
    let mut done = 0;
    while done < total {
        let k = per.min(total - done);
        p.run(&mut psi, k).map_err(e)?;
        done += k;
        let t = done as f64 * dt;
        let x = psi.mean_position()[0];
        ex = ex.max((x - x0 * t.cos()).abs());
        ew = ew.max((psi.width()[0] - 0.5f64.sqrt()).abs());
        trace.push((t, x));
    }
    Ok((ex, ew, trace))
}

fn coherent_state(ctx: &RunContext) -> CheckResult {
    let steps = ctx.pick(
        vec![0.04, 0.02, 0.01, 0.005],
        vec![0.04, 0.02, 0.01, 0.005, 0.0025],
    );
    let n = 256;
    let mut errs = Vec::new();
    let mut last = (0.0, 0.0, Vec::new());
    for &dt in &steps {
        let r = coherent_run(dt, Scheme::Yoshida4, n, 60)?;
        errs.push(r.0.max(r.1));
        last = r;
    }
    let measured = *errs.last().unwrap_or(&f64::NAN);
    let order = Order::fit(steps.clone(), errs.clone(), 4.0, 0.3);
    let (ts, xs): (Vec<f64>, Vec<f64>) = last.2.iter().cloned().unzip();
    let cl: Vec<f64> = ts.iter().map(|t| 3.0 * t.cos()).collect();
    let fig = Figure::new("Coherent state: <x>(t) against 3 cos t", "t", "<x>")
        .line("3 cos t", ts.clone(), cl)
        .markers("split step (Yoshida 4)", ts, xs);
    let mut ev = Evidence::new(
        "max over 3 periods of |<x> - 3cos t| and |σ - 1/√2| (finest dt)",
        measured,
        1e-8,
        Criterion::AtMost,
    )
    .with_order(order)
    .param("grid", format!("[-15, 15), {n} points"))
    .param("scheme", "Yoshida4")
    .param("dt", steps.clone())
    .detail("max |<x> - 3 cos t| (finest)", last.0, Some(0.0))
    .detail("max |σ - 1/√2| (finest)", last.1, Some(0.0));
    for (dt, err) in steps.iter().zip(&errs) {
        ev = ev.detail(format!("error at dt = {dt}"), *err, None);
    }
    Ok(ev.figure(fig).into())
}

fn unitarity(ctx: &RunContext) -> CheckResult {
    let n_steps: usize = ctx.pick(100_000, 100_000);
    let n = 256;
    let dt = 0.01;
    let grid = Grid::centered([n], [30.0]).map_err(e)?;
    let mut psi = Wavefunction::gaussian(grid.clone(), [3.0], [0.5f64.sqrt()], [0.0]).map_err(e)?;
    let mut p = SplitStep::new(
        grid,
        ho_units(),
        Harmonic::<1>::isotropic(1.0, 1.0),
        dt,
        Scheme::Strang,
    )
    .map_err(e)?;
    let n0 = psi.norm();
    let e0 = p.energy(&psi).map_err(e)?;
    let chunk = 1000;
    let (mut ts, mut drift, mut de) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n_steps / chunk {
        p.run(&mut psi, chunk).map_err(e)?;
        ts.push(p.time());
        drift.push((psi.norm() - n0).abs().max(1e-17));
        de.push(p.energy(&psi).map_err(e)? - e0);
    }
    let norm_drift = (psi.norm() - n0).abs();
    let max_de = de.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    // Secular drift: least-squares slope of E(t), times the run length, against the oscillation size.
    let nt = ts.len() as f64;
    let mt = ts.iter().sum::<f64>() / nt;
    let me = de.iter().sum::<f64>() / nt;
    let slope = ts.iter().zip(&de).map(|(t, d)| (t - mt) * (d - me)).sum::<f64>()
        / ts.iter().map(|t| (t - mt).powi(2)).sum::<f64>();
    let secular = slope * (n_steps as f64 * dt);
    let fig = Figure::new("Unitarity of Strang split step (1e5 steps)", "t", "|N(t) - N(0)|")
        .log(false, true)
        .line("norm drift", ts.clone(), drift)
        .line(
            "1e-10 bound (S-QM4)",
            vec![0.0, n_steps as f64 * dt],
            vec![1e-10, 1e-10],
        )
        .line(
            "1e-12 (issue 4, not met)",
            vec![0.0, n_steps as f64 * dt],
            vec![1e-12, 1e-12],
        );
    let measured = norm_drift;
    Ok(Evidence::new(
        "|N(T) - N(0)| after 1e5 Strang steps",
        measured,
        1e-10,
        Criterion::AtMost,
    )
    .detail(
        "norm drift per step (rustfft f64 forward+inverse pair; numpy measured 3e-16)",
        measured / n_steps as f64,
        None,
    )
    .detail(
        "issue 4's stricter target after 1e5 steps (not met: below the FFT round-off floor)",
        measured,
        Some(1e-12),
    )
    .param("grid", format!("[-15, 15), {n} points"))
    .param("dt", dt)
    .param("steps", n_steps)
    .param("state", "coherent state x0 = 3 in the oscillator")
    .detail("max |E(t) - E(0)| (bounded O(dt²) oscillation)", max_de, None)
    .detail("secular energy change (fitted slope × T)", secular, Some(0.0))
    .detail("E(0)", e0, Some(5.0))
    .note(format!(
        "energy error stays bounded (max {max_de:.2e}, secular part {secular:.2e} over T = {}); the \
             norm drift is FFT round-off accumulating over 1e5 steps",
        n_steps as f64 * dt
    ))
    .figure(fig)
    .into())
}

fn order_study(scheme: Scheme, steps: &[f64], t_end: f64) -> R<Vec<f64>> {
    let x0 = 3.0;
    let n = 256;
    let mut errs = Vec::new();
    for &dt in steps {
        let grid = Grid::centered([n], [30.0]).map_err(e)?;
        let mut psi = Wavefunction::from_fn(grid.clone(), |x| coherent_exact(x[0], 0.0, x0)).map_err(e)?;
        let mut p =
            SplitStep::new(grid, ho_units(), Harmonic::<1>::isotropic(1.0, 1.0), dt, scheme).map_err(e)?;
        let k = (t_end / dt).round() as usize;
        p.run(&mut psi, k).map_err(e)?;
        errs.push(l2_error(&psi, k as f64 * dt, x0));
    }
    Ok(errs)
}

fn order_evidence(scheme: Scheme, steps: Vec<f64>, t_end: f64, expected: f64, tol: f64) -> CheckResult {
    let errs = order_study(scheme, &steps, t_end)?;
    let order = Order::fit(steps.clone(), errs.clone(), expected, tol);
    let fig = Figure::new(
        format!("{scheme:?}: global error against dt"),
        "dt",
        "‖ψ - ψ_exact‖₂ at t = 2",
    )
    .log(true, true)
    .markers("measured", steps.clone(), errs.clone())
    .line(
        format!("slope {expected}"),
        steps.clone(),
        steps
            .iter()
            .map(|h| errs[0] * (h / steps[0]).powf(expected))
            .collect(),
    );
    let observed = order.observed;
    let mut ev = Evidence::new("fitted global order", observed, expected, Criterion::AbsDiff(tol))
        .with_order(order)
        .param("t_end", t_end)
        .param("dt", steps.clone())
        .param("state", "coherent state x0 = 3, exact solution as reference");
    for (dt, err) in steps.iter().zip(&errs) {
        ev = ev.detail(format!("error at dt = {dt}"), *err, None);
    }
    Ok(ev.figure(fig).into())
}

fn strang_order(_ctx: &RunContext) -> CheckResult {
    order_evidence(Scheme::Strang, vec![0.04, 0.02, 0.01, 0.005], 2.0, 2.0, 0.1)
}

fn yoshida_order(_ctx: &RunContext) -> CheckResult {
    order_evidence(Scheme::Yoshida4, vec![0.2, 0.1, 0.05, 0.025], 2.0, 4.0, 0.2)
}

fn ring_flux(_ctx: &RunContext) -> CheckResult {
    let cases = [(1.0, 1.0, 1.0), (1.5, 0.8, 1.2)];
    let fluxes = [0.0, 0.7, std::f64::consts::PI, 4.0];
    let mut worst = 0.0_f64;
    let mut ev = Evidence::new(
        "max |E - E_exact| / (ħ²/2mR²) over fluxes and levels",
        0.0,
        1e-10,
        Criterion::AtMost,
    );
    let mut fig = Figure::new("Ring with Aharonov-Bohm flux (R = 1, ħ = m = 1)", "Φ / 2π", "E");
    let (mut fx, mut fy, mut gx, mut gy) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut windings_ok = 0usize;
    let mut windings_total = 0usize;
    for &(radius, hbar, mass) in &cases {
        let units = Units::new(hbar, mass).map_err(e)?;
        let scale = hbar * hbar / (2.0 * mass * radius * radius);
        for &flux in &fluxes {
            let ring = Ring::new(radius, flux, units).map_err(e)?;
            let mut h = ring.hamiltonian(64).map_err(e)?;
            let pairs = h.eigenstates(7, EigenOptions::default()).map_err(e)?;
            let exact = ring.levels(7);
            // One more level so that a degenerate partner just above the 7th is seen.
            let exact8 = ring.levels(8);
            for (k, (p, (nq, ex))) in pairs.iter().zip(&exact).enumerate() {
                worst = worst.max((p.energy - ex).abs() / scale);
                if radius == 1.0 {
                    fx.push(flux / (2.0 * std::f64::consts::PI));
                    fy.push(p.energy);
                }
                // Winding of non-degenerate states must be the quantum number n.
                let degenerate = exact8
                    .iter()
                    .enumerate()
                    .any(|(j, (_, e2))| j != k && (e2 - ex).abs() < 1e-9 * scale);
                if !degenerate {
                    windings_total += 1;
                    if let Ok((w, _)) = winding_number(p.state.values())
                        && w == *nq
                    {
                        windings_ok += 1;
                    }
                }
            }
            if radius == 1.0 {
                for (_, ex) in &exact {
                    gx.push(flux / (2.0 * std::f64::consts::PI));
                    gy.push(*ex);
                }
            }
        }
        ev = ev.detail(
            format!("R = {radius}, ħ = {hbar}, m = {mass}: levels checked"),
            28.0,
            Some(28.0),
        );
    }
    fig = fig
        .markers("exact (n - Φ/2π)²/2", gx, gy)
        .markers("grid eigenvalues", fx, fy);
    let bad = (windings_total - windings_ok) as f64;
    ev.measured = worst.max(bad);
    Ok(ev
        .param("fluxes", fluxes.to_vec())
        .param("grid points", 64)
        .detail(
            "non-degenerate states winding n times",
            windings_ok as f64,
            Some(windings_total as f64),
        )
        .note("measured is the worst scaled level error, or the number of winding mismatches if any")
        .figure(fig)
        .into())
}

fn madelung_residuals(ctx: &RunContext) -> CheckResult {
    let units = Units::new(0.7, 1.3).map_err(e)?;
    let n = ctx.pick(256, 512);
    let grid = Grid::centered([n], [24.0]).map_err(e)?;
    let pot = Harmonic::<1>::isotropic(1.3, 1.0);
    let deltas = [0.02, 0.01, 0.005, 0.0025, 0.00125];
    let t0 = 1.0;
    let (mut rc, mut rh) = (Vec::new(), Vec::new());
    let mut last = None;
    for &delta in &deltas {
        let mut psi = Wavefunction::gaussian(grid.clone(), [2.0], [0.8], [0.5]).map_err(e)?;
        // Sub-steps of delta/4 with the 4th-order scheme: the modified-Hamiltonian error is ~1e-12.
        let sub = 4;
        let mut p =
            SplitStep::new(grid.clone(), units, pot, delta / sub as f64, Scheme::Yoshida4).map_err(e)?;
        // Evolve to t0 - 2δ, then take five snapshots δ apart centred on t0.
        p.run(&mut psi, ((t0 / delta).round() as usize - 2) * sub)
            .map_err(e)?;
        let mut snaps = Vec::new();
        for k in 0..5 {
            if k > 0 {
                p.run(&mut psi, sub).map_err(e)?;
            }
            snaps.push(psi.clone());
        }
        let snaps: [Wavefunction<1>; 5] = snaps.try_into().map_err(|_| CheckError("snapshots".into()))?;
        let v = grid.map(|x| 0.5 * 1.3 * x[0] * x[0]);
        let r = residuals(&snaps, delta, &v, units, 1e-6).map_err(e)?;
        rc.push(r.continuity);
        rh.push(r.hamilton_jacobi);
        last = Some(r);
    }
    let r = last.ok_or_else(|| CheckError("no run".into()))?;
    let errs: Vec<f64> = rc.iter().zip(&rh).map(|(a, b)| a.max(*b)).collect();
    let measured = r.continuity.max(r.hamilton_jacobi);
    let order = Order::fit(deltas.to_vec(), errs.clone(), 4.0, 0.5);
    let fig = Figure::new(
        "Madelung residuals of a split-step evolution",
        "δ (time stencil)",
        "max residual",
    )
    .log(true, true)
    .markers("continuity", deltas.to_vec(), rc.clone())
    .markers("quantum Hamilton-Jacobi", deltas.to_vec(), rh.clone())
    .line("1e-8", deltas.to_vec(), vec![1e-8; 5]);
    Ok(Evidence::new(
        "max(continuity, HJ) residual where ρ > 1e-6 max ρ (finest δ)",
        measured,
        1e-8,
        Criterion::AtMost,
    )
    .with_order(order)
    .param("hbar", 0.7)
    .param("mass", 1.3)
    .param("grid", format!("[-12, 12), {n} points"))
    .param(
        "state",
        "Gaussian σ = 0.8, x0 = 2, k = 0.5 in the trap ω = 1, snapshots centred on t = 1",
    )
    .detail("continuity residual", r.continuity, Some(0.0))
    .detail("HJ residual", r.hamilton_jacobi, Some(0.0))
    .detail("scale max |∂tρ|", r.rho_rate_scale, None)
    .detail("scale max |∂tS|", r.phase_rate_scale, None)
    .detail("unmasked points", r.points as f64, None)
    .figure(fig)
    .into())
}

/// Closed-form coherent state and its x-derivative at t = 0 (x0 displacement).
fn coherent0(x: f64, x0: f64) -> (Complex64, Complex64) {
    let p = coherent_exact(x, 0.0, x0);
    (p, p * (-(x - x0)))
}

fn madelung_nodeless(ctx: &RunContext) -> CheckResult {
    let units = ho_units();
    let pot = Harmonic::<1>::isotropic(1.0, 1.0);
    let x0 = 3.0;
    let t_end = 2.0 * std::f64::consts::PI;
    // RK4 with dt = 0.25 dx² (the dispersive part needs dt ∝ dx²).
    let dt_for = |dx: f64| 0.25 * dx * dx;
    let len = 16.0;
    // (a) The set-up: 1024 points, against split-step |ψ|² on the same points.
    let n = 1024;
    let grid = Grid::centered([n], [len]).map_err(e)?;
    let dx = grid.spacing()[0];
    let mut mad = MadelungSolver1D::from_closed_form(&grid, units, &pot, |x| coherent0(x, x0), dt_for(dx))
        .map_err(e)?;
    let out = mad.evolve(t_end).map_err(e)?;
    if let Some(b) = &out.breakdown {
        return Err(CheckError(format!(
            "direct Madelung solver broke down on a nodeless state at t = {}: {}",
            b.time, b.reason
        )));
    }
    let mut psi = Wavefunction::from_fn(grid.clone(), |x| coherent_exact(x[0], 0.0, x0)).map_err(e)?;
    let h = 1e-3;
    let mut p = SplitStep::new(grid.clone(), units, pot, h, Scheme::Yoshida4).map_err(e)?;
    p.run(&mut psi, (t_end / h).round() as usize).map_err(e)?;
    let rho_s = psi.density();
    let rho_m = mad.density();
    let l1_split: f64 = rho_s.iter().zip(&rho_m).map(|(a, b)| (a - b).abs()).sum::<f64>() * dx;
    // (b) Resolution study against the exact density π^{-1/2} exp(-(x - x0 cos t)²).
    let ns = ctx.pick(vec![192usize, 384], vec![192, 384, 768, 1536]);
    let mut ev = Evidence::new(
        "L1(ρ_Madelung - |ψ|²_split) at t = 2π, 1024 points",
        l1_split,
        1e-3,
        Criterion::AtMost,
    );
    let mut errs = Vec::new();
    for &m in &ns {
        let g = Grid::centered([m], [len]).map_err(e)?;
        let d = g.spacing()[0];
        let mut s = MadelungSolver1D::from_closed_form(&g, units, &pot, |x| coherent0(x, x0), dt_for(d))
            .map_err(e)?;
        let o = s.evolve(t_end).map_err(e)?;
        let q = x0 * o.time.cos();
        let err: f64 = s
            .x()
            .iter()
            .zip(s.density())
            .map(|(x, r)| (r - (-(x - q) * (x - q)).exp() / std::f64::consts::PI.sqrt()).abs())
            .sum::<f64>()
            * d;
        let label = match &o.breakdown {
            Some(b) => format!(
                "L1 vs exact, {m} points (broke down at t = {:.3}: {})",
                b.time, b.reason
            ),
            None => format!("L1 vs exact density, {m} points"),
        };
        ev = ev.detail(label, err, Some(0.0));
        errs.push(err);
    }
    let decreasing = errs.windows(2).all(|w| w[1] < w[0]);
    let xs = grid.axis(0);
    let fig = Figure::new("Direct Madelung solver vs split step at t = 2π", "x", "ρ")
        .line("|ψ|² split step", xs.clone(), rho_s)
        .line("ρ Madelung (ln ρ, v)", xs, rho_m);
    Ok(ev
        .param("x0", x0)
        .param("grid", "[-8, 8), 1024 points")
        .param(
            "Madelung",
            "ln ρ and v, 5-point FD, RK4 dt = 0.25 dx², Shapiro filter 0.5",
        )
        .param("split-step", "Yoshida4, dt = 1e-3")
        .detail(
            "error decreasing with resolution (1 = yes)",
            f64::from(u8::from(decreasing)),
            Some(1.0),
        )
        .note(format!(
            "L1 = {l1_split:.2e} against split step. The 5-point differences are exact on the quadratic ln ρ \
             and linear v of a Gaussian, so there is no spatial discretisation error to refine away: the \
             L1 errors against the exact density ({}) sit at a round-off/filter floor and are {}decreasing \
             with resolution",
            errs.iter()
                .map(|v| format!("{v:.1e}"))
                .collect::<Vec<_>>()
                .join(", "),
            if decreasing { "" } else { "not " }
        ))
        .figure(fig)
        .into())
}

fn madelung_breakdown(_ctx: &RunContext) -> CheckResult {
    let units = ho_units();
    let (a, k, s) = (4.0, 3.0, 0.7);
    let packet = |x: f64, c: f64, kk: f64| -> (Complex64, Complex64) {
        let g = Complex64::new(-(x - c) * (x - c) / (4.0 * s * s), kk * x).exp();
        (g, g * Complex64::new(-(x - c) / (2.0 * s * s), kk))
    };
    let psi0 = |x: f64| {
        let (p1, d1) = packet(x, -a, k);
        let (p2, d2) = packet(x, a, -k);
        (p1 + p2, d1 + d2)
    };
    let n = 512;
    let grid = Grid::centered([n], [24.0]).map_err(e)?;
    let dx = grid.spacing()[0];
    let dt = 0.1 * dx * dx;
    let t_end = 2.0;
    let mut mad = MadelungSolver1D::from_closed_form(&grid, units, &Free, psi0, dt).map_err(e)?;
    let out = mad.evolve(t_end).map_err(e)?;
    // Schrodinger run to the breakdown time (or t_end) and to t_end.
    let t_b = out.breakdown.as_ref().map(|b| b.time).unwrap_or(t_end);
    let mut psi = Wavefunction::from_fn(grid.clone(), |x| psi0(x[0]).0).map_err(e)?;
    psi.normalize().map_err(e)?;
    let scale = {
        let raw = Wavefunction::from_fn(grid.clone(), |x| psi0(x[0]).0).map_err(e)?;
        raw.norm()
    };
    let h = 1e-3;
    let mut p = SplitStep::new(grid.clone(), units, Free, h, Scheme::Strang).map_err(e)?;
    let n0 = psi.norm();
    p.run(&mut psi, (out.time / h).floor() as usize).map_err(e)?;
    let rho_s: Vec<f64> = psi.density().iter().map(|r| r * scale).collect();
    let rho_m = mad.density();
    // How deep the interference minima of the Schrodinger density are when the Madelung run stops.
    let smax = rho_s.iter().cloned().fold(0.0, f64::max);
    let min_at_break = grid
        .axis(0)
        .iter()
        .zip(&rho_s)
        .filter(|(x, _)| x.abs() < 1.5)
        .map(|(_, r)| r / smax)
        .fold(f64::INFINITY, f64::min);
    let l1: f64 = rho_s.iter().zip(&rho_m).map(|(x, y)| (x - y).abs()).sum::<f64>() * dx / scale;
    // Continue Schrodinger through the collision.
    let rest = ((t_end - p.time()) / h).round().max(0.0) as usize;
    p.run(&mut psi, rest).map_err(e)?;
    let norm_drift = (psi.norm() - n0).abs();
    // Depth of the interference minima of the Schrodinger density at the collision time t = a/k.
    let mut psi_c = Wavefunction::from_fn(grid.clone(), |x| psi0(x[0]).0).map_err(e)?;
    psi_c.normalize().map_err(e)?;
    let mut pc = SplitStep::new(grid.clone(), units, Free, h, Scheme::Strang).map_err(e)?;
    pc.run(&mut psi_c, (a / k / h).round() as usize).map_err(e)?;
    let rc = psi_c.density();
    let rmax = rc.iter().cloned().fold(0.0, f64::max);
    let xs = grid.axis(0);
    let central: Vec<f64> = xs
        .iter()
        .zip(&rc)
        .filter(|(x, _)| x.abs() < 1.0)
        .map(|(_, r)| *r / rmax)
        .collect();
    let min_ratio = central.iter().cloned().fold(f64::INFINITY, f64::min);
    let broke = out.breakdown.is_some();
    let measured = if broke && norm_drift < 1e-10 && psi.check_finite().is_ok() {
        1.0
    } else {
        0.0
    };
    let reason = out
        .breakdown
        .as_ref()
        .map(|b| b.reason.clone())
        .unwrap_or_else(|| "no breakdown detected".into());
    let fig = Figure::new(
        format!("Colliding packets at t = {:.3} (Madelung stopped)", out.time),
        "x",
        "ρ",
    )
    .line(
        "|ψ|² Schrodinger",
        xs.clone(),
        rho_s.iter().map(|r| r / scale).collect(),
    )
    .line(
        "ρ Madelung (last regular state)",
        xs.clone(),
        rho_m.iter().map(|r| r / scale).collect(),
    )
    .line("|ψ|² Schrodinger at collision t = a/k", xs, rc);
    Ok(Evidence::new(
        "1 if the Madelung run breaks down while the Schrodinger run stays finite and unitary",
        measured,
        1.0,
        Criterion::AtLeast,
    )
    .param("packets", "σ = 0.7 at ±4 with k = ∓3 (free), ħ = m = 1")
    .param("grid", "[-12, 12), 512 points")
    .param("Madelung dt", dt)
    .detail("Madelung breakdown time", t_b, Some(a / k))
    .detail(
        "L1(ρ_Mad - |ψ|²) at the last regular Madelung state (normalised)",
        l1,
        None,
    )
    .detail(
        "Schrodinger min ρ/max ρ for |x| < 1.5 at that time",
        min_at_break,
        None,
    )
    .detail(
        "Schrodinger min ρ/max ρ for |x| < 1 at t = a/k",
        min_ratio,
        Some(0.0),
    )
    .detail("Schrodinger norm drift to t = 2", norm_drift, Some(0.0))
    .note(format!(
        "Madelung: {reason} at t = {t_b:.4} (collision t = a/k = {:.4}), when the Schrodinger density \
         between the packets already dips to ρ/ρmax = {min_at_break:.1e} (L1 difference up to then \
         {l1:.1e}); Schrodinger stays regular (norm drift {norm_drift:.1e}) through the collision, with \
         interference minima down to ρ/ρmax = {min_ratio:.1e} on the grid at t = a/k. The hydrodynamic \
         form cannot pass the nodes; this is reported, not fixed.",
        a / k
    ))
    .figure(fig)
    .into())
}

fn bohm_free_gaussian(_ctx: &RunContext) -> CheckResult {
    let units = ho_units();
    let grid = Grid::centered([512], [60.0]).map_err(e)?;
    let sigma0 = 1.0;
    let starts = [[-2.0], [-1.0], [0.5], [1.0], [2.5]];
    let t_end = 4.0;
    let hs = vec![0.2, 0.1, 0.05, 0.025];
    let sig = |t: f64| sigma0 * (1.0 + (t / (2.0 * sigma0 * sigma0)).powi(2)).sqrt();
    let mut errs = Vec::new();
    let mut paths = None;
    for &h in &hs {
        let mut psi = Wavefunction::gaussian(grid.clone(), [0.0], [sigma0], [0.0]).map_err(e)?;
        let mut p = SplitStep::new(grid.clone(), units, Free, h / 2.0, Scheme::Strang).map_err(e)?;
        let tr = trajectories(&mut p, &mut psi, &starts, (t_end / h).round() as usize).map_err(e)?;
        let mut worst = 0.0_f64;
        for (path, x0) in tr.paths.iter().zip(&starts) {
            for (x, t) in path.iter().zip(&tr.times) {
                worst = worst.max((x[0] - x0[0] * sig(*t) / sigma0).abs());
            }
        }
        errs.push(worst);
        paths = Some(tr);
    }
    let measured = *errs.last().unwrap_or(&f64::NAN);
    let order = Order::fit(hs.clone(), errs.clone(), 4.0, 0.3);
    let tr = paths.ok_or_else(|| CheckError("no run".into()))?;
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
        measured,
        1e-8,
        Criterion::AtMost,
    )
    .with_order(order)
    .param("h (RK4)", hs.clone())
    .param("grid", "[-30, 30), 512 points")
    .param("starts", starts.iter().map(|s| s[0]).collect::<Vec<_>>());
    for (h, err) in hs.iter().zip(&errs) {
        ev = ev.detail(format!("error at h = {h}"), *err, None);
    }
    Ok(ev.figure(fig).into())
}

fn circulation(_ctx: &RunContext) -> CheckResult {
    let two_pi = 2.0 * std::f64::consts::PI;
    // (a) Ring with flux: a nodeless state of winding 2, evolved.
    let units = Units::new(0.9, 1.1).map_err(e)?;
    let ring = Ring::new(1.0, 0.7, units).map_err(e)?;
    let grid = ring.grid(128).map_err(e)?;
    let mut psi = Wavefunction::from_fn(grid, |x| {
        let th = x[0];
        Complex64::from_polar(
            1.0 + 0.3 * th.cos() + 0.2 * (3.0 * th).sin(),
            2.0 * th + 0.4 * (th).sin(),
        )
    })
    .map_err(e)?;
    let mut p = ring.propagator(128, 1e-3, Scheme::Strang).map_err(e)?;
    let mut worst = 0.0_f64;
    let (mut ts, mut cs) = (Vec::new(), Vec::new());
    let mut wind_ring = Vec::new();
    for _ in 0..20 {
        let c = circulation_1d(&psi, units).map_err(e)?;
        let (w, _) = winding_number(psi.values()).map_err(e)?;
        worst = worst.max((c - w as f64).abs());
        ts.push(p.time());
        cs.push(c);
        wind_ring.push(w);
        p.run(&mut psi, 100).map_err(e)?;
    }
    // (b) 2D vortex in an isotropic trap: ψ = ((x - 0.5) + i y) e^{-r²/2}, evolved; loop radius 2.
    let g2 = Grid::centered([64, 64], [16.0, 16.0]).map_err(e)?;
    let mut v2 = Wavefunction::from_fn(g2.clone(), |x| {
        Complex64::new(x[0] - 0.5, x[1]) * (-(x[0] * x[0] + x[1] * x[1]) / 2.0).exp()
    })
    .map_err(e)?;
    v2.normalize().map_err(e)?;
    let mut p2 = SplitStep::new(
        g2,
        Units::default(),
        Harmonic::<2>::isotropic(1.0, 1.0),
        0.01,
        Scheme::Strang,
    )
    .map_err(e)?;
    let (mut t2, mut c2) = (Vec::new(), Vec::new());
    let mut wind_2d = Vec::new();
    for _ in 0..6 {
        let lc = loop_circulation_2d(&v2, [0.0, 0.0], 2.0, 256, Units::default()).map_err(e)?;
        worst = worst.max((lc.circulation - lc.winding as f64).abs());
        t2.push(p2.time());
        c2.push(lc.circulation);
        wind_2d.push(lc.winding);
        p2.run(&mut v2, 50).map_err(e)?;
    }
    // (c) A Madelung pair with non-quantised circulation 0.3: no single-valued ψ.
    let rg = ring.grid(128).map_err(e)?;
    let rho: Vec<f64> = rg
        .axis(0)
        .iter()
        .map(|t| (1.0 + 0.3 * t.cos()) / two_pi)
        .collect();
    let frac = 0.3;
    // m ∮ v = 2πħ · 0.3 with v uniform on the circumference 2πR.
    let vel = vec![frac * units.hbar / (units.mass * ring.radius); 128];
    let (_psi, defect) = compose_1d(&rg, &rho, &vel, units).map_err(e)?;
    let defect_exact = 2.0 * (std::f64::consts::PI * frac).sin();
    let defect_err = (defect - defect_exact).abs();
    let measured = worst.max(defect_err);
    let fig = Figure::new("Circulation m∮v·dl / 2πħ of evolved states", "t", "circulation")
        .markers("ring, flux 0.7 (winding 2)", ts, cs)
        .markers("2D vortex in a trap, loop r = 2 (winding 1)", t2, c2);
    Ok(Evidence::new(
        "max |circulation - winding| over evolved states, and |defect - 2 sin(0.3π)|",
        measured,
        1e-8,
        Criterion::AtMost,
    )
    .param("ring", "R = 1, Φ = 0.7, ħ = 0.9, m = 1.1, 128 points, Strang dt = 1e-3")
    .param("vortex", "64 × 64 on [-8, 8)², trap ω = 1, loop radius 2, 256 samples")
    .detail("ring winding numbers (all)", wind_ring.iter().sum::<i64>() as f64 / wind_ring.len() as f64, Some(2.0))
    .detail("2D winding numbers (mean)", wind_2d.iter().sum::<i64>() as f64 / wind_2d.len() as f64, Some(1.0))
    .detail("max |circulation - winding|", worst, Some(0.0))
    .detail("single-valuedness defect for circulation 0.3", defect, Some(defect_exact))
    .note("a Madelung state with m∮v = 2πħ·0.3 rebuilt as √ρ e^{iS/ħ} misses its own value by |e^{2πi·0.3} - 1| after one turn: it is not a wavefunction")
    .figure(fig)
    .into())
}
