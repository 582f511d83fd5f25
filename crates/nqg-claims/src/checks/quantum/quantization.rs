//! Claim `quantum.quantization` (THEORY.md V-M4, N4.1-N4.2): single-valued $\psi = \sqrt\rho\\,e^{iS/\hbar}$
//! quantises the phase circulation, $m\oint v\cdot dl = \oint\nabla S\cdot dl \in 2\pi\hbar\mathbb Z$ (the
//! Wallstrom condition that separates Schrödinger from Madelung); a Madelung pair $(\rho, v)$ with a
//! non-integer circulation $\nu$ rebuilt as $\sqrt\rho\\,e^{iS/\hbar}$ misses its own value after one
//! turn by $|e^{2\pi i\nu} - 1| = 2\sin(\pi\nu)$.
//!
//! The check is an identity of the representation: the winding number of a single-valued $\psi$ on a
//! closed loop is an integer by construction. The quantisation of the paper's $\mu_c$ (whether
//! $\hbar = \mu_c/2\pi$ emerges from a network) is tested elsewhere.

use nqg_quantum::circulation::{circulation_1d, loop_circulation_2d, winding_number};
use nqg_quantum::madelung::compose_1d;
use nqg_quantum::potential::Harmonic;
use nqg_quantum::ring::Ring;
use nqg_quantum::{Grid, Scheme, SplitStep, Units, Wavefunction};
use num_complex::Complex64;

use crate::{CheckResult, Evidence, Figure, Provenance, Registry, Role, RunContext};

/// Register claim `quantum.quantization`.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "quantum.quantization",
        "Single-valued ψ quantises the phase circulation, m∮v·dl ∈ 2πħℤ (the Wallstrom condition that \
         separates Schrodinger from Madelung, §3-§4, N4.1-N4.2)",
        Provenance::Reconstruction,
    )
    .check(
        "quantum.quantization.circulation",
        "Identity: holds by construction, because the phase of a single-valued ψ on a closed loop winds \
         an integer number of times; the circulation m∮v·dl/2πħ of evolved states (a 1D ring state with \
         flux, a 2D vortex in a trap) equals that integer winding number, while a Madelung state with \
         circulation 0.3 has no single-valued ψ: defect |e^{2πi·0.3} - 1| = 2 sin(0.3π)",
        Role::Identity,
        circulation,
    )
    .theory("V-M4");
}

fn circulation(_ctx: &RunContext) -> CheckResult {
    let two_pi = 2.0 * std::f64::consts::PI;
    // (a) Ring with flux: a nodeless state of winding 2, evolved.
    let units = Units::new(0.9, 1.1)?;
    let ring = Ring::new(1.0, 0.7, units)?;
    let grid = ring.grid(128)?;
    let mut psi = Wavefunction::from_fn(grid, |x| {
        let th = x[0];
        Complex64::from_polar(
            1.0 + 0.3 * th.cos() + 0.2 * (3.0 * th).sin(),
            2.0 * th + 0.4 * (th).sin(),
        )
    })?;
    let mut p = ring.propagator(128, 1e-3, Scheme::Strang)?;
    let mut worst = 0.0_f64;
    let (mut ts, mut cs) = (Vec::new(), Vec::new());
    let mut wind_ring = Vec::new();
    for _ in 0..20 {
        let c = circulation_1d(&psi, units)?;
        let (w, _) = winding_number(psi.values())?;
        worst = worst.max((c - w as f64).abs());
        ts.push(p.time());
        cs.push(c);
        wind_ring.push(w);
        p.run(&mut psi, 100)?;
    }
    // (b) 2D vortex in an isotropic trap: ψ = ((x - 0.5) + i y) e^{-r²/2}, evolved; loop radius 2.
    let g2 = Grid::centered([64, 64], [16.0, 16.0])?;
    let mut v2 = Wavefunction::from_fn(g2.clone(), |x| {
        Complex64::new(x[0] - 0.5, x[1]) * (-(x[0] * x[0] + x[1] * x[1]) / 2.0).exp()
    })?;
    v2.normalize()?;
    let mut p2 = SplitStep::new(
        g2,
        Units::default(),
        Harmonic::<2>::isotropic(1.0, 1.0),
        0.01,
        Scheme::Strang,
    )?;
    let (mut t2, mut c2) = (Vec::new(), Vec::new());
    let mut wind_2d = Vec::new();
    for _ in 0..6 {
        let lc = loop_circulation_2d(&v2, [0.0, 0.0], 2.0, 256, Units::default())?;
        worst = worst.max((lc.circulation - lc.winding as f64).abs());
        t2.push(p2.time());
        c2.push(lc.circulation);
        wind_2d.push(lc.winding);
        p2.run(&mut v2, 50)?;
    }
    // (c) A Madelung pair with non-quantised circulation 0.3: no single-valued ψ.
    let rg = ring.grid(128)?;
    let rho: Vec<f64> = rg
        .axis(0)
        .iter()
        .map(|t| (1.0 + 0.3 * t.cos()) / two_pi)
        .collect();
    let frac = 0.3;
    // m ∮ v = 2πħ · 0.3 with v uniform on the circumference 2πR.
    let vel = vec![frac * units.hbar / (units.mass * ring.radius); 128];
    let (_psi, defect) = compose_1d(&rg, &rho, &vel, units)?;
    let defect_exact = 2.0 * (std::f64::consts::PI * frac).sin();
    let defect_err = (defect - defect_exact).abs();
    // The compared terms: circulations of the size of the winding numbers, and the defect.
    let scale = wind_ring
        .iter()
        .chain(&wind_2d)
        .map(|w| w.abs() as f64)
        .fold(defect_exact, f64::max);
    let fig = Figure::new("Circulation m∮v·dl / 2πħ of evolved states", "t", "circulation")
        .markers("ring, flux 0.7 (winding 2)", ts, cs)
        .markers("2D vortex in a trap, loop r = 2 (winding 1)", t2, c2);
    let mean = |w: &[i64]| w.iter().sum::<i64>() as f64 / w.len() as f64;
    Ok(Evidence::round_off(
        "max |circulation - winding| over evolved states, and |defect - 2 sin(0.3π)|",
        worst.max(defect_err),
        0.0,
        scale,
    )
    .param("ring", "R = 1, Φ = 0.7, ħ = 0.9, m = 1.1, 128 points, Strang dt = 1e-3")
    .param("vortex", "64 × 64 on [-8, 8)², trap ω = 1, loop radius 2, 256 samples")
    .detail("ring winding numbers (mean)", mean(&wind_ring), Some(2.0))
    .detail("2D winding numbers (mean)", mean(&wind_2d), Some(1.0))
    .detail("max |circulation - winding|", worst, Some(0.0))
    .detail("single-valuedness defect for circulation 0.3", defect, Some(defect_exact))
    .note("a Madelung state with m∮v = 2πħ·0.3 rebuilt as √ρ e^{iS/ħ} misses its own value by |e^{2πi·0.3} - 1| after one turn: it is not a wavefunction")
    .figure(fig)
    .into())
}
