//! The opt-in partitioned solve of the Fokker-Planck stepper (`Stepper1d::with_split`) against the
//! closed forms the serial stepper is tested on, and against the serial stepper itself.

use nqg_thermo::ThermoError;
use nqg_thermo::fp::{Boundary, FokkerPlanck1d, Grid1d, Method, Stepper1d};

/// THEORY.md S-FP (the reference values of `ou_grid_matches_reference_values`): Var(1) = 0.432332358,
/// mean 2/e, for every block count; and the split run differs from the serial one by round-off only.
/// Per step both solves are backward stable (relative error a few ulp, the system is column diagonally
/// dominant) and CN is a contraction in the discrete norm, so the per-step differences (~1e-16
/// relative) add up at most linearly: 1200 steps give ≲ 1e-13. Measured 4.2e-14 to 4.5e-14 for
/// P = 2, 4, 8; the bound 1e-12 leaves a factor of 20.
#[test]
fn split_ou_grid_matches_the_closed_form_and_the_serial_run() {
    let g = Grid1d::new(-5.0, 7.0, 2400).unwrap();
    let op = FokkerPlanck1d::from_potential(g, 0.5, Boundary::Reflecting, |x| 0.5 * x * x).unwrap();
    let t0: f64 = 0.25;
    let (m0, v0) = (2.0 * (-t0).exp(), 0.5 * (1.0 - (-2.0 * t0).exp()));
    let p0 = g.density(|x| (-(x - m0).powi(2) / (2.0 * v0)).exp());
    let dt = 0.75 / 1200.0;
    let mut serial = p0.clone();
    Stepper1d::new(&op, dt, Method::CrankNicolson)
        .unwrap()
        .run(&mut serial, 1200)
        .unwrap();
    let top = serial.iter().fold(0.0f64, |m, v| m.max(*v));
    for lanes in [2usize, 4, 8] {
        let mut p = p0.clone();
        let mut st = Stepper1d::with_split(&op, dt, Method::CrankNicolson, lanes).unwrap();
        st.run(&mut p, 1200).unwrap();
        let (m, v) = g.moments(&p).unwrap();
        assert!((v / 0.432_332_358 - 1.0).abs() < 1e-5, "P = {lanes}: {v}");
        assert!((m / (2.0 * (-1f64).exp()) - 1.0).abs() < 1e-5, "P = {lanes}: {m}");
        let diff = p
            .iter()
            .zip(&serial)
            .fold(0.0f64, |a, (x, y)| a.max((x - y).abs()));
        assert!(diff / top < 1e-12, "P = {lanes}: {:e}", diff / top);
        assert!(
            (g.mass(&p) - 1.0).abs() < 1e-12,
            "P = {lanes}: mass {}",
            g.mass(&p)
        );
    }
}

/// Mass conservation over the parameter range of the serial proptest (`fp_conserves_probability`,
/// bound 1e-9 after 20 steps), including the stiff corner (dt = 10, strong tilt), both methods; backward
/// Euler keeps p ≥ 0 up to round-off.
#[test]
fn split_conserves_probability_on_stiff_and_tilted_grids() {
    for &(n, d, amp, tilt, dt) in &[
        (16usize, 0.05, 50.0, 20.0, 10.0),
        (17, 10.0, -50.0, -20.0, 1e-5),
        (199, 0.3, 5.0, 2.0, 0.1),
        (4096, 0.25, 1.0, 0.0, 1e-3),
    ] {
        let g = Grid1d::new(-1.0, 2.0, n).unwrap();
        let op =
            FokkerPlanck1d::from_drift(g, d, Boundary::Reflecting, |x| amp * (3.0 * x).sin() + tilt).unwrap();
        for m in [Method::CrankNicolson, Method::BackwardEuler] {
            let mut st = Stepper1d::with_split(&op, dt, m, 8).unwrap();
            let mut p = g.density(|x| (-(x - 0.5f64).powi(2)).exp());
            st.run(&mut p, 20).unwrap();
            assert!(
                (g.mass(&p) - 1.0).abs() < 1e-9,
                "n = {n}, {m:?}: mass {}",
                g.mass(&p)
            );
            if m == Method::BackwardEuler {
                assert!(
                    p.iter().all(|v| *v >= -1e-12),
                    "n = {n}: backward Euler keeps p >= 0"
                );
            }
        }
    }
}

#[test]
fn split_bad_input_is_a_typed_error() {
    let g = Grid1d::new(-1.0, 1.0, 64).unwrap();
    let per = FokkerPlanck1d::from_potential(g, 0.5, Boundary::Periodic, |x| x * x).unwrap();
    assert!(matches!(
        Stepper1d::with_split(&per, 1e-3, Method::CrankNicolson, 4),
        Err(ThermoError::UnsupportedScheme { .. })
    ));
    let op = FokkerPlanck1d::from_potential(g, 0.5, Boundary::Reflecting, |x| x * x).unwrap();
    assert!(matches!(
        Stepper1d::with_split(&op, 1e-3, Method::CrankNicolson, 5),
        Err(ThermoError::InvalidParameter { value, .. }) if value == 5.0
    ));
    assert!(matches!(
        Stepper1d::with_split(&op, -1.0, Method::CrankNicolson, 4),
        Err(ThermoError::InvalidTimeStep { .. })
    ));
    let small = Grid1d::new(-1.0, 1.0, 15).unwrap();
    let op = FokkerPlanck1d::from_potential(small, 0.5, Boundary::Reflecting, |x| x * x).unwrap();
    assert!(matches!(
        Stepper1d::with_split(&op, 1e-3, Method::BackwardEuler, 8),
        Err(ThermoError::TooFewSamples { needed: 16, got: 15 })
    ));
    // A non-finite density is refused as by the serial stepper.
    let op = FokkerPlanck1d::from_potential(g, 0.5, Boundary::Reflecting, |x| x * x).unwrap();
    let mut st = Stepper1d::with_split(&op, 1e-3, Method::CrankNicolson, 4).unwrap();
    let mut p = vec![1.0; 64];
    p[7] = f64::NAN;
    assert!(matches!(
        st.step(&mut p),
        Err(ThermoError::NonFiniteCell { cell: 7, step: 0, .. })
    ));
}
