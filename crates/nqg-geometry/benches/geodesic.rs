//! Geodesic-integrator benchmarks (issue 3 targets; peer figures measured on this machine's kind,
//! ANCHORS.md §A1, §I).
//!
//! * `kerr_dopri5_step`: one explicit Dormand-Prince 5(4) step (7 autodiff right-hand sides) of a Kerr
//!   (a = 0.9) geodesic. Target ≤ 1 µs. EinsteinPy FANTASY: ~2,500 µs per step (order 2).
//! * `schwarzschild_100_orbits_gl8`: 100 radial periods of p = 20M, e = 0.5 with the symplectic
//!   4-stage Gauss-Legendre (order 8, h = 8M), mass shell/E/L kept to ≤ 1e-10. Target ≤ 100 ms.
//! * `perihelion_20_orbits`: 20 orbits of p = 20M, e = 0.5 with periapsis events, advance per orbit to
//!   1e-10 relative (exact 1.2338618062654358 rad). Target ≤ 2 ms. Peers: scipy DOP853 at
//!   rtol = atol = 1e-12 with a lambdified RHS 126 ms (error 1.6e-11); EinsteinPy FANTASY order 2 50.7 s
//!   (error 4.6e-5).
//!
//! Run: `cargo bench -p nqg-geometry --bench geodesic -- --warm-up-time 1 --measurement-time 3`.

use criterion::{Criterion, criterion_group, criterion_main};
use nqg_geometry::geodesic::{
    Event, GeodesicKind, GeodesicOptions, complete_momentum, dopri5_geodesic_step, integrate,
};
use nqg_geometry::orbits::{schwarzschild_orbit_constants, schwarzschild_precession};
use nqg_geometry::spacetimes::{Kerr, Schwarzschild};
use std::f64::consts::{FRAC_PI_2, PI};
use std::hint::black_box;

fn orbit() -> ([f64; 4], [f64; 4]) {
    let (e, l) = schwarzschild_orbit_constants(20.0, 0.5, 1.0).expect("bound orbit");
    ([0.0, 40.0, FRAC_PI_2, 0.0], [-e, 0.0, 0.0, l])
}

/// Tolerance used for the perihelion benchmark (chosen so the advance is accurate to 1e-10 relative;
/// the bench asserts it once before timing).
const PERI_TOL: f64 = 3e-11;

fn advance(s: &Schwarzschild, x: &[f64; 4], p: &[f64; 4], orbits: f64) -> f64 {
    let span = orbits * 2.0 * PI * (20.0_f64 / 0.75).powf(1.5) * 1.13;
    let opts = GeodesicOptions::dopri(PERI_TOL, span).with_event(Event::periapsis());
    let t = integrate(s, GeodesicKind::Timelike, x, p, &opts).expect("orbit integrates");
    let peri: Vec<f64> = t.events.iter().map(|h| h.x[3]).collect();
    let n = peri.len() - 1;
    (peri[n] - peri[0]) / n as f64 - 2.0 * PI
}

fn bench(c: &mut Criterion) {
    let k = Kerr::new(1.0, 0.9).expect("valid Kerr");
    let xk = [0.0, 8.0, 1.2, 0.0];
    let pk = complete_momentum(&k, &xk, &[0.0, 0.1, 1.5, 3.0], GeodesicKind::Timelike).expect("momentum");
    c.bench_function("kerr_dopri5_step", |b| {
        b.iter(|| dopri5_geodesic_step(black_box(&k), black_box(&xk), black_box(&pk), 0.5))
    });
    let s = Schwarzschild::new(1.0).expect("valid");
    let (x, p) = orbit();
    let mut g = c.benchmark_group("schwarzschild");
    g.sample_size(10);
    let span = 100.0 * 2.0 * PI * (20.0_f64 / 0.75).powf(1.5) * 1.13;
    let mut opts = GeodesicOptions::gauss(4, 8.0, span);
    opts.constraint_tol = 1e-10;
    g.bench_function("schwarzschild_100_orbits_gl8", |b| {
        b.iter(|| integrate(&s, GeodesicKind::Timelike, &x, &p, &opts).map(|t| t.max_shell_drift))
    });
    let a = advance(&s, &x, &p, 20.0);
    let exact = schwarzschild_precession(20.0, 0.5);
    let rel = (a - exact).abs() / exact;
    eprintln!("perihelion_20_orbits: advance {a:.16} rad, relative error {rel:.2e} (tol {PERI_TOL:e})");
    assert!(
        rel < 1e-10,
        "perihelion bench tolerance does not reach 1e-10: {rel:e}"
    );
    g.bench_function("perihelion_20_orbits", |b| b.iter(|| advance(&s, &x, &p, 20.0)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
