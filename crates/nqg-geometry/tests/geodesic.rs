//! Geodesic integrators against closed forms (THEORY.md S-GEO1-4).

use nqg_geometry::geodesic::*;
use nqg_geometry::orbits::*;
use nqg_geometry::spacetimes::{Kerr, Schwarzschild};
use nqg_geometry::{GeodesicError, GeometryError};
use std::f64::consts::{FRAC_PI_2, PI};

/// Start at apoapsis r = p/(1-e) of the Schwarzschild orbit (p, e).
fn apo_start(p: f64, e: f64) -> ([f64; 4], [f64; 4]) {
    let (en, l) = schwarzschild_orbit_constants(p, e, 1.0).unwrap();
    ([0.0, p / (1.0 - e), FRAC_PI_2, 0.0], [-en, 0.0, 0.0, l])
}

fn measured_advance(traj: &Trajectory<4>) -> f64 {
    let peri: Vec<f64> = traj
        .events
        .iter()
        .filter(|h| h.name == "periapsis")
        .map(|h| h.x[3])
        .collect();
    let n = peri.len() - 1;
    (peri[n] - peri[0]) / n as f64 - 2.0 * PI
}

#[test]
fn dopri_perihelion_p20_e05() {
    let s = Schwarzschild::new(1.0).unwrap();
    let (x, p) = apo_start(20.0, 0.5);
    let period = 2.0 * PI * (20.0_f64 / 0.75).powf(1.5) * 1.2;
    let opts = GeodesicOptions::dopri(1e-12, 6.0 * period).with_event(Event::periapsis());
    let t = integrate(&s, GeodesicKind::Timelike, &x, &p, &opts).unwrap();
    let adv = measured_advance(&t);
    let exact = schwarzschild_precession(20.0, 0.5);
    assert!((adv - exact).abs() < 1e-8 * exact, "{adv} vs {exact}");
    assert!(t.max_shell_drift < 1e-9);
}

#[test]
fn gauss_legendre_conserves_shell() {
    let s = Schwarzschild::new(1.0).unwrap();
    let (x, p) = apo_start(20.0, 0.5);
    let opts = GeodesicOptions::gauss(4, 4.0, 3000.0);
    let t = integrate(&s, GeodesicKind::Timelike, &x, &p, &opts).unwrap();
    assert!(t.max_shell_drift < 1e-11, "{}", t.max_shell_drift);
    assert!(t.max_momentum_drift.iter().all(|d| *d < 1e-13));
}

#[test]
fn isco_numerical_matches_bpt() {
    let s = Schwarzschild::new(1.0).unwrap();
    let r = isco_numerical(&s, 4.0, 12.0, true).unwrap();
    assert!((r - 6.0).abs() < 1e-10, "{r}");
    let k = Kerr::new(1.0, 0.9).unwrap();
    let rp = isco_numerical(&k, 1.9, 8.0, true).unwrap();
    let rr = isco_numerical(&k, 5.0, 14.0, false).unwrap();
    assert!((rp - bpt_isco(0.9, true)).abs() < 1e-9, "{rp}");
    assert!((rr - bpt_isco(0.9, false)).abs() < 1e-9, "{rr}");
}

#[test]
fn bad_initial_data_are_typed_errors() {
    let s = Schwarzschild::new(1.0).unwrap();
    let (x, mut p) = apo_start(20.0, 0.5);
    p[0] *= 1.01;
    let opts = GeodesicOptions::dopri(1e-10, 100.0);
    assert!(matches!(
        integrate(&s, GeodesicKind::Timelike, &x, &p, &opts),
        Err(GeometryError::Geodesic(GeodesicError::NotNormalised { .. }))
    ));
    // A radial plunge in Boyer-Lindquist Kerr without a capture event cannot cross the horizon.
    let k = Kerr::new(1.0, 0.5).unwrap();
    let x0 = [0.0, 6.0, FRAC_PI_2, 0.0];
    let p0 = complete_momentum(&k, &x0, &[0.0, -0.5, 0.0, 0.0], GeodesicKind::Timelike).unwrap();
    let mut o = GeodesicOptions::dopri(1e-10, 100.0);
    o.on_violation = ViolationPolicy::Record;
    let r = integrate(&k, GeodesicKind::Timelike, &x0, &p0, &o);
    // The BL chart degenerates at r+: the run stops with a typed error (the state left the domain, or
    // the step collapsed against the coordinate singularity), never with a silent wrong answer.
    assert!(
        matches!(
            r,
            Err(GeometryError::Geodesic(
                GeodesicError::InvalidState { .. } | GeodesicError::StepUnderflow { .. }
            ))
        ),
        "{r:?}"
    );
    // With a tight constraint tolerance and a loose integrator the monitor trips.
    let (x, p) = apo_start(20.0, 0.5);
    let mut o = GeodesicOptions::dopri(1e-4, 5000.0);
    o.constraint_tol = 1e-12;
    assert!(matches!(
        integrate(&s, GeodesicKind::Timelike, &x, &p, &o),
        Err(GeometryError::Geodesic(GeodesicError::ConstraintViolated { .. }))
    ));
    assert!(matches!(
        integrate(&s, GeodesicKind::Timelike, &[0.0, f64::NAN, 1.0, 0.0], &p, &o),
        Err(GeometryError::NonFiniteValue { what: "coordinates", index: 1, value }) if value.is_nan()
    ));
}

#[test]
fn cyclic_fast_path_matches_full_gradient() {
    use nqg_geometry::metric::Metric;
    // Kerr without its cyclic-coordinate declaration takes the full gradient-dual path.
    struct Plain(Kerr);
    impl Metric<4> for Plain {
        fn components<D: num_dual::DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> [[D; 4]; 4] {
            self.0.components(x)
        }
        fn inverse_components<D: num_dual::DualNum<Primitive = f64> + Copy>(
            &self,
            x: &[D; 4],
        ) -> Result<[[D; 4]; 4], GeometryError> {
            self.0.inverse_components(x)
        }
    }
    let k = Kerr::new(1.0, 0.7).unwrap();
    let (x, p) = ([1.0, 5.0, 1.1, 0.3], [-0.95, 0.2, 1.3, 2.9]);
    let (a, b, c) = hamiltonian_rhs(&k, &x, &p).unwrap();
    let (a2, b2, c2) = hamiltonian_rhs(&Plain(k), &x, &p).unwrap();
    for i in 0..4 {
        // Same arithmetic on the value parts; derivative parts agree to round-off.
        assert!((a[i] - a2[i]).abs() < 1e-15 && (b[i] - b2[i]).abs() < 1e-14);
    }
    assert!((c - c2).abs() < 1e-15);
    // A user event: stop when phi passes 2 pi.
    fn phi_turn(x: &[f64; 4], _p: &[f64; 4]) -> f64 {
        x[3] - 2.0 * PI
    }
    let (x0, p0) = apo_start(20.0, 0.5);
    let s = Schwarzschild::new(1.0).unwrap();
    let opts = GeodesicOptions::dopri(1e-12, 1e5).with_event(Event {
        name: "one turn",
        func: EventFn::User(phi_turn),
        direction: Direction::Rising,
        terminal: true,
    });
    let t = integrate(&s, GeodesicKind::Timelike, &x0, &p0, &opts).unwrap();
    let (_, xe, _) = t.last().unwrap();
    assert_eq!(t.stopped_by, Some("one turn"));
    assert!((xe[3] - 2.0 * PI).abs() < 1e-10);
}

#[test]
fn dense_output_matches_direct_integration() {
    let s = Schwarzschild::new(1.0).unwrap();
    let (x0, p0) = apo_start(20.0, 0.5);
    let mut o = GeodesicOptions::dopri(1e-12, 1000.0);
    o.dense = true;
    let t = integrate(&s, GeodesicKind::Timelike, &x0, &p0, &o).unwrap();
    assert!(t.interpolate(-1.0).is_none() && t.interpolate(1000.5).is_none());
    for &l in &[0.0, 123.4, 517.77, 999.9] {
        let (xi, pi) = t.interpolate(l).unwrap();
        let direct = integrate(
            &s,
            GeodesicKind::Timelike,
            &x0,
            &p0,
            &GeodesicOptions::dopri(1e-12, l),
        )
        .unwrap();
        let (_, xd, pd) = direct.last().unwrap();
        // Both are accurate to ~1e-10 (tolerance 1e-12 over ~100 steps; dense output is 4th order).
        for c in 0..4 {
            assert!(
                (xi[c] - xd[c]).abs() < 1e-8 * xd[c].abs().max(1.0),
                "{l} {c} {} {}",
                xi[c],
                xd[c]
            );
            assert!((pi[c] - pd[c]).abs() < 1e-8 * pd[c].abs().max(1.0));
        }
    }
}

#[test]
fn option_errors_are_typed() {
    let s = Schwarzschild::new(1.0).unwrap();
    let (x, p) = apo_start(20.0, 0.5);
    let bad_tol = GeodesicOptions::dopri(-1.0, 10.0);
    assert!(matches!(
        integrate(&s, GeodesicKind::Timelike, &x, &p, &bad_tol),
        Err(GeometryError::Geodesic(GeodesicError::InvalidOption {
            name: "rtol",
            ..
        }))
    ));
    let bad_stages = GeodesicOptions::gauss(0, 1.0, 10.0);
    assert!(matches!(
        integrate(&s, GeodesicKind::Timelike, &x, &p, &bad_stages),
        Err(GeometryError::Geodesic(GeodesicError::InvalidOption {
            name: "stages",
            ..
        }))
    ));
    let mut few = GeodesicOptions::dopri(1e-12, 1e5);
    few.max_steps = 10;
    assert!(matches!(
        integrate(&s, GeodesicKind::Timelike, &x, &p, &few),
        Err(GeometryError::Geodesic(GeodesicError::TooManySteps {
            max_steps: 10,
            ..
        }))
    ));
    let inf_end = GeodesicOptions::dopri(1e-12, f64::INFINITY);
    assert!(matches!(
        integrate(&s, GeodesicKind::Timelike, &x, &p, &inf_end),
        Err(GeometryError::Geodesic(GeodesicError::InvalidOption {
            name: "lambda_end",
            ..
        }))
    ));
    // Backwards integration retraces the orbit: forward then backward returns to the start.
    let fwd = integrate(
        &s,
        GeodesicKind::Timelike,
        &x,
        &p,
        &GeodesicOptions::dopri(1e-13, 300.0),
    )
    .unwrap();
    let (_, x1, p1) = fwd.last().unwrap();
    let back = integrate(
        &s,
        GeodesicKind::Timelike,
        &x1,
        &p1,
        &GeodesicOptions::dopri(1e-13, -300.0),
    )
    .unwrap();
    let (_, x2, _) = back.last().unwrap();
    // Two integrations at tolerance 1e-13 over ~40 steps: agreement to ~1e-10 of |x|.
    for c in 0..4 {
        assert!(
            (x2[c] - x[c]).abs() < 1e-9 * x[c].abs().max(1.0),
            "{c}: {} vs {}",
            x2[c],
            x[c]
        );
    }
}
