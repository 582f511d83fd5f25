//! Tests of the closed forms the harness measures every side against, and of the statistics.

use super::cases;
use super::report::Side;

/// The exact advance has zero error; the 21-periapsis rule uses the first and the 21st passage.
#[test]
fn geodesic_closed_form() {
    let exact = nqg_geometry::orbits::schwarzschild_precession(20.0, 0.5);
    assert!((exact - 1.233_861_806_265_4).abs() < 1e-12, "{exact}");
    assert_eq!(cases::geodesic_error(exact), 0.0);
    let phis: Vec<f64> = (0..25)
        .map(|k| k as f64 * (2.0 * std::f64::consts::PI + exact))
        .collect();
    assert!((cases::periapsis_advance(&phis).unwrap() - exact).abs() < 1e-12);
    assert!(cases::periapsis_advance(&phis[..20]).is_err());
}

/// kerrgeopy 0.9.3's constants for (a, p, e, x) = (0.9, 8, 0.3, 0.8), printed by
/// `bench/peers/kerr_orbit.py`, satisfy R(r_p) = R(r_a) = Θ(z₋) = 0 to round-off (an independent check
/// of the residual formula); perturbing E by 1e-8 is seen.
#[test]
fn kerr_orbit_residual_vanishes_on_kerrgeopy_constants() {
    let (e, l, q) = (0.946864106673442, 2.57863439499595, 3.7704279232637754);
    assert!(cases::kerr_orbit_error(e, l, q) < 1e-13);
    assert!(cases::kerr_orbit_error(e + 1e-8, l, q) > 1e-9);
}

/// The exact Euler-Maruyama variance has zero error; the exact OU density sampled on the grid has an
/// L1 error at the midpoint-rule level (≤ 1e-12) and unit mass.
#[test]
fn ou_and_fokker_planck_closed_forms() {
    let mut s = cases::OU_VAR0;
    for _ in 0..cases::OU_STEPS {
        s = (1.0 - cases::OU_THETA * cases::OU_DT).powi(2) * s + 2.0 * cases::OU_D * cases::OU_DT;
    }
    assert_eq!(cases::ou_error(s), 0.0);
    let t = 1.0f64;
    let m = cases::OU_MEAN0 * (-t).exp();
    let v = cases::OU_VAR0 * (-2.0 * t).exp() + 0.5 * (1.0 - (-2.0 * t).exp());
    let h = (cases::FP_XMAX - cases::FP_XMIN) / cases::FP_N as f64;
    let p: Vec<f64> = (0..cases::FP_N)
        .map(|i| {
            let x = cases::FP_XMIN + h * (i as f64 + 0.5);
            (-(x - m).powi(2) / (2.0 * v)).exp() / (2.0 * std::f64::consts::PI * v).sqrt()
        })
        .collect();
    let (l1, mass) = cases::fp_errors(&p);
    assert!(l1 < 1e-12 && mass < 1e-10, "{l1:e} {mass:e}");
    assert!(cases::fp_errors(&p[..10]).0.is_nan());
}

/// The classical orbit has zero centre error; a wrong length is NaN, never a number.
#[test]
fn fock_and_strang_closed_forms() {
    let xs: Vec<f64> = cases::fock_times()
        .iter()
        .map(|t| cases::FOCK_X0 * t.cos())
        .collect();
    assert_eq!(cases::fock_x_error(&xs), 0.0);
    assert!(cases::fock_x_error(&xs[..3]).is_nan());
    let s = cases::strang_setup("strang_2d_256").unwrap();
    let c = [3.0 * 10f64.cos(), 2.0 * 10f64.sin()];
    assert!(cases::strang_error(&s, &c) < 1e-15);
    assert!(cases::strang_setup("nope").is_err());
}

/// Median of an odd and an even number of repetitions; NaN repetitions are ignored.
#[test]
fn medians() {
    let mut s = Side::new("x");
    for t in [3.0, 1.0, 2.0] {
        s.push(t, cases::Measured::new(t * 10.0));
    }
    assert_eq!(s.median(), Some(2.0));
    assert_eq!(s.error(), Some(20.0));
    s.push(f64::NAN, cases::Measured::new(f64::NAN));
    s.push(4.0, cases::Measured::new(40.0));
    assert_eq!(s.median(), Some(2.5));
    assert_eq!(Side::new("y").median(), None);
}
