//! Physics tests of nqg-thermo against closed forms, and proptests of the public API.

use nqg_thermo::ThermoError;
use nqg_thermo::ensemble::{EnsembleSpec, run_ensemble};
use nqg_thermo::entropy::{gaussian_entropy, knn_entropy, knn_entropy_weighted, shannon};
use nqg_thermo::fp::{Boundary, FokkerPlanck1d, Grid1d, Method, Stepper1d, entropy_balance};
use nqg_thermo::fp2d::{FokkerPlanck2d, Stepper2d};
use nqg_thermo::rng::{member_rng, normal};
use nqg_thermo::sde::{BrownianPath, Gbm, LinearOu, Scheme, integrate_path};
use nqg_thermo::stochastic::{DraggedTrap, ou_current_analytic, ou_current_ensemble};
use proptest::prelude::*;

#[test]
fn ou_grid_matches_reference_values() {
    // THEORY.md S-FP: Var(1) = 0.432332358 and dS/dt = 0.156517643 at gamma = k = 1, D = 1/2, q0 = 2.
    // 2400 cells and dt = 3.1e-4 (CN): the refinement study in the claims check shows ~2e-6 error here.
    let g = Grid1d::new(-5.0, 7.0, 2400).unwrap();
    let op = FokkerPlanck1d::from_potential(g, 0.5, Boundary::Reflecting, |x| 0.5 * x * x).unwrap();
    let t0: f64 = 0.25;
    let (m0, v0) = (2.0 * (-t0).exp(), 0.5 * (1.0 - (-2.0 * t0).exp()));
    let mut p = g.density(|x| (-(x - m0).powi(2) / (2.0 * v0)).exp());
    let mut st = Stepper1d::new(&op, 0.75 / 1200.0, Method::CrankNicolson).unwrap();
    st.run(&mut p, 1200).unwrap();
    let (m, v) = g.moments(&p).unwrap();
    assert!((v / 0.432_332_358 - 1.0).abs() < 1e-5, "{v}");
    assert!((m / (2.0 * (-1f64).exp()) - 1.0).abs() < 1e-5, "{m}");
    let b = entropy_balance(&g, &p, 0.5, 1.0, &vec![1.0; g.n()]).unwrap();
    assert!((b.rate() - 0.156_517_643).abs() < 1e-4);
    assert!(
        (b.learning + 1.0).abs() < 1e-12,
        "learning term is -gamma k times the mass"
    );
}

#[test]
fn em_ensemble_variance_matches_discrete_closed_form() {
    // EM for dx = -x dt + sqrt(2D) dW has E x_n^2 recursion v' = (1-h)^2 v + 2Dh exactly; compare at
    // n = 200 with 5 sigma, sigma = v sqrt(2/N).
    let ou = LinearOu::new(vec![1.0], 0.5, vec![0.0], vec![0.0]).unwrap();
    let (h, n, members) = (0.01, 200, 100_000);
    let spec = EnsembleSpec {
        scheme: Scheme::EulerMaruyama,
        dt: h,
        steps: n,
        members,
        t0: 0.0,
        observe: vec![],
    };
    let st = run_ensemble(&ou, &spec, 42, |_, _, x| x[0] = 0.0).unwrap();
    let mut v = 0.0;
    for _ in 0..n {
        v = (1.0 - h) * (1.0 - h) * v + 2.0 * 0.5 * h;
    }
    let var = st.moments[0].covariance()[0];
    let sigma = v * (2.0 / members as f64).sqrt();
    assert!((var - v).abs() < 5.0 * sigma, "{var} vs {v} +- {sigma}");
    assert!(st.moments[0].mean()[0].abs() < 5.0 * st.moments[0].sem(0).unwrap());
}

#[test]
fn gbm_milstein_beats_euler_on_the_same_path() {
    // Strong errors at h = 2^-8 averaged over 200 paths: Milstein O(h) vs EM O(sqrt h).
    let g = Gbm { mu: 0.5, sigma: 0.8 };
    let mut rng = member_rng(3, 0);
    let (mut e_em, mut e_mil) = (0.0, 0.0);
    for _ in 0..200 {
        let p = BrownianPath::sample(&mut rng, 1, 256, 1.0 / 256.0).unwrap();
        let exact = g.exact(1.0, 1.0, p.w_end(0));
        let mut x = [1.0];
        integrate_path(&g, Scheme::EulerMaruyama, 0.0, &mut x, &p).unwrap();
        e_em += (x[0] - exact).abs();
        let mut y = [1.0];
        integrate_path(&g, Scheme::Milstein, 0.0, &mut y, &p).unwrap();
        e_mil += (y[0] - exact).abs();
    }
    assert!(e_mil * 5.0 < e_em, "{e_mil} {e_em}");
}

#[test]
fn knn_entropy_of_standard_normal() {
    // d = 2, N = 3000: exact 1 + ln(2 pi) = 2.8379; 5 sigma of the reported error (plus the known
    // O((k/N)^{2/d}) bias, small at d = 2).
    let mut rng = member_rng(9, 0);
    let xs: Vec<f64> = (0..6000).map(|_| normal(&mut rng)).collect();
    let exact = gaussian_entropy(&[1.0, 0.0, 0.0, 1.0], 2).unwrap();
    for est in [
        knn_entropy(&xs, 2, 3).unwrap(),
        knn_entropy_weighted(&xs, 2, 6).unwrap(),
    ] {
        assert!(
            (est.entropy - exact).abs() < 5.0 * est.std_error,
            "{est:?} vs {exact}"
        );
    }
}

#[test]
fn dragged_trap_entropy_production() {
    // <s_tot>/tau = zeta v^2 / T = 2 for v = sqrt 2; 5 sigma.
    let trap = DraggedTrap {
        k: 2.0,
        friction: 1.0,
        temperature: 1.0,
        v: 2f64.sqrt(),
    };
    let st = trap.simulate(Scheme::Heun, 2e-3, 500, 8000, 11).unwrap();
    let (r, se) = st.production_rate().unwrap();
    assert!((r - 2.0).abs() < 5.0 * se, "{r} +- {se}");
    let (ift, se) = st.ift().unwrap();
    assert!((ift - 1.0).abs() < 5.0 * se, "{ift} +- {se}");
}

#[test]
fn rotational_ou_current_and_entropy_production() {
    // A = I + w J, D = 1/2: M12 = D w, sigma = 2 w^2 (ANCHORS.md §I: exact 8 for w = 2).
    let a = vec![1.0, -2.0, 2.0, 1.0];
    let ou = LinearOu::new(a.clone(), 0.5, vec![0.0; 2], vec![0.0; 2]).unwrap();
    let mo = ou_current_ensemble(&ou, Scheme::Heun, 1e-3, 1000, 4000, 5).unwrap();
    let (m, sigma) = ou_current_analytic(&a, 2, 0.5).unwrap();
    assert!(
        (mo.mean()[1] - m[1]).abs() < 5.0 * mo.sem(1).unwrap() + 0.01,
        "{} vs {}",
        mo.mean()[1],
        m[1]
    );
    assert!(
        (mo.mean()[4] - sigma).abs() < 5.0 * mo.sem(4).unwrap() + 0.05 * sigma,
        "{} vs {sigma}",
        mo.mean()[4]
    );
}

#[test]
fn fp2d_relaxes_to_boltzmann_and_conserves_mass() {
    let g = Grid1d::new(-4.0, 4.0, 48).unwrap();
    let op = FokkerPlanck2d::from_potential(g, g, 1.0, Boundary::Reflecting, |x, y| {
        0.5 * (x * x + 2.0 * y * y)
    })
    .unwrap();
    let peq = op.boltzmann().unwrap();
    let mut p = vec![0.0; 48 * 48];
    p[20 * 48 + 30] = 1.0 / op.cell_area();
    let mut st = Stepper2d::new(&op, 0.05).unwrap();
    for _ in 0..600 {
        st.step(&mut p).unwrap();
    }
    assert!((op.mass(&p) - 1.0).abs() < 1e-12);
    let s = shannon(&p, op.cell_area()).unwrap();
    let s_eq = shannon(&peq, op.cell_area()).unwrap();
    assert!((s - s_eq).abs() < 1e-9, "{s} {s_eq}");
}

#[test]
fn typed_errors() {
    let g = Grid1d::new(0.0, 1.0, 8).unwrap();
    assert!(matches!(
        FokkerPlanck1d::from_potential(g, -0.1, Boundary::Periodic, |x| x),
        Err(ThermoError::NegativeDiffusion { .. })
    ));
    assert!(matches!(
        FokkerPlanck2d::from_drift(g, g, 0.0, Boundary::Reflecting, |_, _| (0.0, 0.0)),
        Err(ThermoError::NegativeDiffusion { .. })
    ));
    assert!(matches!(
        FokkerPlanck2d::from_potential(g, g, 1.0, Boundary::Reflecting, |_, _| f64::INFINITY),
        Err(ThermoError::NonFiniteValue { index: 0, .. })
    ));
    assert!(matches!(
        knn_entropy(&[], 1, 1),
        Err(ThermoError::TooFewSamples { .. })
    ));
    assert!(matches!(
        gaussian_entropy(&[1.0, 0.0], 2),
        Err(ThermoError::DimensionMismatch { .. })
    ));
    let op = FokkerPlanck2d::from_potential(g, g, 1.0, Boundary::Reflecting, |x, y| x * y).unwrap();
    assert!(matches!(
        Stepper2d::new(&op, f64::NAN),
        Err(ThermoError::InvalidTimeStep { .. })
    ));
    let mut st = Stepper2d::new(&op, 0.1).unwrap();
    assert!(matches!(
        st.step(&mut [0.0; 10]),
        Err(ThermoError::DimensionMismatch { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fp_conserves_probability(
        n in 3usize..200,
        d in 1e-3f64..10.0,
        amp in -50.0f64..50.0,
        tilt in -20.0f64..20.0,
        dt in 1e-5f64..10.0,
        periodic in any::<bool>(),
        cn in any::<bool>(),
    ) {
        let g = Grid1d::new(-1.0, 2.0, n).unwrap();
        let bc = if periodic { Boundary::Periodic } else { Boundary::Reflecting };
        let op = FokkerPlanck1d::from_drift(g, d, bc, |x| amp * (3.0 * x).sin() + tilt).unwrap();
        let m = if cn { Method::CrankNicolson } else { Method::BackwardEuler };
        let mut st = Stepper1d::new(&op, dt, m).unwrap();
        let mut p = g.density(|x| (-(x - 0.5f64).powi(2)).exp());
        st.run(&mut p, 20).unwrap();
        // Round-off bound: 20 steps of an n-term solve whose entries may be ~|amp| n / d large.
        prop_assert!((g.mass(&p) - 1.0).abs() < 1e-9, "mass {}", g.mass(&p));
        if !cn {
            prop_assert!(p.iter().all(|v| *v >= -1e-12), "backward Euler keeps p >= 0");
        }
    }

    #[test]
    fn fp_constructors_never_panic(
        n in 0usize..20,
        lo in prop::num::f64::ANY,
        hi in prop::num::f64::ANY,
        d in prop::num::f64::ANY,
        c in prop::num::f64::ANY,
        dt in prop::num::f64::ANY,
    ) {
        if let Ok(g) = Grid1d::new(lo, hi, n) {
            for bc in [Boundary::Reflecting, Boundary::Periodic] {
                if let Ok(op) = FokkerPlanck1d::from_drift(g, d, bc, |x| c * x) {
                    let _ = op.stationary();
                    if let Ok(mut st) = Stepper1d::new(&op, dt, Method::CrankNicolson) {
                        let mut p = vec![1.0; n];
                        let _ = st.step(&mut p);
                    }
                }
                let _ = FokkerPlanck1d::from_potential(g, d, bc, |x| c * x * x);
            }
        }
    }

    #[test]
    fn sde_api_never_panics(
        dt in prop::num::f64::ANY,
        steps in 0usize..50,
        members in 0usize..20,
        dim in 0usize..3,
        x0 in prop::num::f64::ANY,
        scheme in 0usize..4,
    ) {
        let scheme = [Scheme::EulerMaruyama, Scheme::Milstein, Scheme::Heun, Scheme::Sra1][scheme];
        let mut rng = member_rng(0, 0);
        if let Ok(p) = BrownianPath::sample(&mut rng, dim.max(1), steps, dt) {
            let g = Gbm { mu: 1.0, sigma: 1.0 };
            let mut x = vec![x0; dim];
            let _ = integrate_path(&g, scheme, 0.0, &mut x, &p);
            let _ = p.coarsen(steps.max(1));
        }
        if let Ok(ou) = LinearOu::new(vec![1.0; dim * dim], 0.5, vec![0.0; dim], vec![0.0; dim]) {
            let spec = EnsembleSpec { scheme, dt, steps, members, t0: 0.0, observe: vec![] };
            let _ = run_ensemble(&ou, &spec, 1, |_, _, x| x.fill(x0));
        }
    }

    #[test]
    fn entropy_api_never_panics(xs in prop::collection::vec(prop::num::f64::ANY, 0..40), d in 0usize..4, k in 0usize..5) {
        let _ = knn_entropy(&xs, d, k);
        let _ = knn_entropy_weighted(&xs, d, k);
        let _ = shannon(&xs, 1.0);
        let _ = gaussian_entropy(&xs, d);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tridiagonal_solves_invert_the_matrix(
        vals in prop::collection::vec((-1.0f64..1.0, -1.0f64..1.0, 0.1f64..2.0, -3.0f64..3.0), 1..60),
        tr in -0.5f64..0.5,
        bl in -0.5f64..0.5,
    ) {
        use nqg_thermo::tridiag::{CyclicTridiag, Tridiag};
        let n = vals.len();
        let l: Vec<f64> = vals.iter().map(|v| v.0).collect();
        let u: Vec<f64> = vals.iter().map(|v| v.1).collect();
        // Strict diagonal dominance (|d| > |l| + |u| + corners): Thomas without pivoting is stable.
        let d: Vec<f64> = vals.iter().map(|v| 3.0 + v.2).collect();
        let x: Vec<f64> = vals.iter().map(|v| v.3).collect();
        let matvec = |cyc: bool| -> Vec<f64> {
            (0..n)
                .map(|i| {
                    let mut s = d[i] * x[i];
                    if i > 0 { s += l[i] * x[i - 1]; } else if cyc { s += tr * x[n - 1]; }
                    if i + 1 < n { s += u[i] * x[i + 1]; } else if cyc { s += bl * x[0]; }
                    s
                })
                .collect()
        };
        let mut r = matvec(false);
        Tridiag::new(&l, &d, &u).unwrap().solve(&mut r).unwrap();
        prop_assert!(r.iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-12));
        if n >= 3 {
            let mut r = matvec(true);
            CyclicTridiag::new(&l, &d, &u, tr, bl).unwrap().solve(&mut r).unwrap();
            prop_assert!(r.iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-12));
        }
    }
}
