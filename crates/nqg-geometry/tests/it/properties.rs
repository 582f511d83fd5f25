//! Property tests: Riemann symmetries and the first Bianchi identity on random smooth metrics,
//! autodiff Christoffels against finite differences, interval invariance, and "never panics" on
//! random (including non-finite) input to the public API.

use nqg_geometry::curvature::Curvature;
use nqg_geometry::einstein::{ConstantDensityStar, Cosmology, Fluid};
use nqg_geometry::geodesic::{Event, GeodesicKind, GeodesicOptions, complete_momentum, integrate};
use nqg_geometry::lorentz::{Lorentz, interval};
use nqg_geometry::metric::Metric;
use nqg_geometry::orbits::isco_numerical;
use nqg_geometry::spacetimes::*;
use proptest::prelude::*;

fn metric_from(c: &[f64]) -> PerturbedMinkowski<4> {
    // Two modes, amplitudes <= 0.1 so the metric stays Lorentzian and invertible.
    let mut k = 0;
    let mut next = || {
        k += 1;
        c[(k - 1) % c.len()]
    };
    let modes = (0..2)
        .map(|_| Mode {
            amplitude: std::array::from_fn(|_| std::array::from_fn(|_| 0.1 * next())),
            wavevector: std::array::from_fn(|_| next()),
            phase: 3.0 * next(),
        })
        .collect();
    PerturbedMinkowski::new(modes).expect("finite coefficients")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn riemann_symmetries_and_first_bianchi(c in prop::collection::vec(-1.0f64..1.0, 44), x in prop::array::uniform4(-2.0f64..2.0)) {
        let m = metric_from(&c);
        let cv = Curvature::at(&m, &x).unwrap();
        let r = &cv.riemann;
        let scale = r.iter().flatten().flatten().flatten().fold(1e-300_f64, |s, v| s.max(v.abs()));
        for a in 0..4 { for b in 0..4 { for cc in 0..4 { for d in 0..4 {
            // Round-off: every entry is a sum of O(10) terms of size <= scale.
            prop_assert!((r[a][b][cc][d] + r[b][a][cc][d]).abs() <= 1e-13 * scale);
            prop_assert!((r[a][b][cc][d] - r[cc][d][a][b]).abs() <= 1e-13 * scale);
            let bianchi = r[a][b][cc][d] + r[a][cc][d][b] + r[a][d][b][cc];
            prop_assert!(bianchi.abs() <= 1e-13 * scale, "first Bianchi {bianchi:e} vs {scale:e}");
        }}}}
        // Ricci is symmetric.
        for a in 0..4 { for b in 0..4 {
            prop_assert!((cv.ricci[a][b] - cv.ricci[b][a]).abs() <= 1e-13 * scale);
        }}
    }

    #[test]
    fn christoffels_match_finite_differences(c in prop::collection::vec(-1.0f64..1.0, 44), x in prop::array::uniform4(-2.0f64..2.0)) {
        let m = metric_from(&c);
        let cv = Curvature::at(&m, &x).unwrap();
        // Central differences with h = 1e-5: truncation ~h² |∂³g| ~ 1e-10, round-off ~1e-16/h ~ 1e-11.
        let h = 1e-5;
        let mut dg = [[[0.0; 4]; 4]; 4];
        for k in 0..4 {
            let (mut xp, mut xm) = (x, x);
            xp[k] += h;
            xm[k] -= h;
            let (gp, gm) = (m.components(&xp), m.components(&xm));
            for a in 0..4 { for b in 0..4 { dg[k][a][b] = (gp[a][b] - gm[a][b]) / (2.0 * h); } }
        }
        for a in 0..4 { for b in 0..4 { for cc in 0..4 {
            let mut g = 0.0;
            for d in 0..4 {
                g += 0.5 * cv.g_inv[a][d] * (dg[b][d][cc] + dg[cc][d][b] - dg[d][b][cc]);
            }
            prop_assert!((g - cv.christoffel[a][b][cc]).abs() < 1e-8, "{g} vs {}", cv.christoffel[a][b][cc]);
        }}}
    }

    #[test]
    fn boosts_preserve_interval_in_3_and_5_dimensions(v in prop::array::uniform4(-0.49f64..0.49), x in prop::array::uniform5(-10.0f64..10.0)) {
        let b5 = Lorentz::<5>::boost(&v).unwrap();
        let y = b5.apply(&x);
        let sc = x.iter().chain(y.iter()).map(|c| c * c).sum::<f64>();
        prop_assert!((interval(&y) - interval(&x)).abs() <= 1e-14 * sc);
        let b3 = Lorentz::<3>::boost(&v[..2]).unwrap();
        let x3 = [x[0], x[1], x[2]];
        let y3 = b3.apply(&x3);
        prop_assert!((interval(&y3) - interval(&x3)).abs() <= 1e-14 * sc);
    }

    #[test]
    fn curvature_never_panics(x in prop::array::uniform4(any::<f64>()), m in any::<f64>(), a in any::<f64>()) {
        if let Ok(k) = Kerr::new(m, a) { let _ = Curvature::at(&k, &x); }
        if let Ok(k) = KerrSchild::new(m, a) { let _ = Curvature::at(&k, &x); }
        if let Ok(s) = SchwarzschildDeSitter::<4>::new(m, a) { let _ = Curvature::at(&s, &x); }
        let _ = Curvature::at(&Minkowski::<4>, &x);
        let _ = Curvature::at(&Flrw::new(PowerLaw { p: 2.0 / 3.0, t0: 1.0 }), &x);
        let _ = Lorentz::<4>::boost(&x[1..]);
        let _ = Lorentz::<4>::rotation(1, 2, x[0]);
    }

    #[test]
    fn geodesics_never_panic(x in prop::array::uniform4(-50.0f64..50.0), p in prop::array::uniform4(any::<f64>()), tol in any::<f64>(), end in any::<f64>()) {
        let k = Kerr::new(1.0, 0.7).unwrap();
        let mut o = GeodesicOptions::dopri(tol, end.clamp(-50.0, 50.0)).with_event(Event::periapsis()).with_event(Event::capture(2.0));
        o.max_steps = 2_000;
        let _ = integrate(&k, GeodesicKind::Timelike, &x, &p, &o);
        let _ = complete_momentum(&k, &x, &p, GeodesicKind::Null);
        let mut g = GeodesicOptions::gauss(3, tol, end.clamp(-20.0, 20.0));
        g.max_steps = 200;
        let _ = integrate(&k, GeodesicKind::Null, &x, &p, &g);
    }

    #[test]
    fn valid_geodesics_run_or_fail_typed(r in 1.5f64..30.0, th in 0.1f64..3.0, ps in prop::array::uniform3(-5.0f64..5.0), tol in prop_oneof![Just(f64::NAN), 1e-14f64..1e-2], end in -200.0f64..200.0, a in -1.0f64..1.0, stages in 0usize..10, h in prop_oneof![Just(0.0), 0.01f64..20.0]) {
        let k = Kerr::new(1.0, a).unwrap();
        let x = [0.0, r, th, 0.0];
        if let Ok(p) = complete_momentum(&k, &x, &[0.0, ps[0], ps[1], ps[2]], GeodesicKind::Timelike) {
            let mut o = GeodesicOptions::dopri(tol, end).with_event(Event::periapsis()).with_event(Event::apoapsis()).with_event(Event::capture(k.outer_horizon() + 0.01)).with_event(Event::escape(100.0));
            o.max_steps = 500;
            let _ = integrate(&k, GeodesicKind::Timelike, &x, &p, &o);
            let mut g = GeodesicOptions::gauss(stages, h, end);
            g.max_steps = 100;
            let _ = integrate(&k, GeodesicKind::Timelike, &x, &p, &g);
        }
    }

    #[test]
    fn solvers_never_panic(lo in any::<f64>(), hi in any::<f64>(), rho in any::<f64>(), w in any::<f64>()) {
        let s = Schwarzschild::new(1.0).unwrap();
        let _ = isco_numerical(&s, lo, hi, true);
        let c = Cosmology { lambda: w, fluids: vec![Fluid { w, rho0: rho }] };
        let _ = c.constraint_velocity(1.0, rho, w);
        let star = ConstantDensityStar { rho };
        let _ = star.rhs(lo, hi, w);
    }
}
