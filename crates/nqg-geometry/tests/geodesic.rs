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
        Err(GeometryError::NonFinite { .. })
    ));
}
