//! Ensembles with user observables, noise-free components and initial states sampled from a grid
//! density, against closed forms (nqg_thermo::testcases) and against run_ensemble bit for bit.

use nqg_thermo::ThermoError;
use nqg_thermo::ensemble::{EnsembleSpec, run_ensemble};
use nqg_thermo::fp::{Boundary, FokkerPlanck1d, Grid1d};
use nqg_thermo::observe::{Observable, run_observed};
use nqg_thermo::rng::{member_rng, normal};
use nqg_thermo::sampling::DensitySampler1d;
use nqg_thermo::sde::{BrownianPath, FnSde, LinearOu, Scheme, integrate_path};
use nqg_thermo::testcases::{DoubleWell, OuCase};

fn spec(scheme: Scheme, dt: f64, steps: usize, members: usize, observe: Vec<usize>) -> EnsembleSpec {
    EnsembleSpec {
        scheme,
        dt,
        steps,
        members,
        t0: 0.0,
        observe,
    }
}

#[test]
fn ou_displacement_variance_from_a_stationary_start() {
    // EM chain started in its own stationary law: <(X_n - X_0)^2> = 2 v_h (1 - rho^n) exactly, so
    // the only error is sampling: 4 standard errors (computed from the members) is a 6e-5 two-sided
    // false-alarm rate per comparison. Against the continuous closed form 2 (D/θ)(1 - e^{-θt}) the
    // EM bias O(θh) = 1% of the value is added to the band.
    let ou = OuCase { theta: 1.0, d: 0.5 };
    let (h, members) = (0.01, 20_000);
    let sd0 = ou.em_stationary_variance(h).sqrt();
    let obs = [
        Observable::squared_displacement(1).unwrap(),
        Observable::new("energy", 1, |x, _, o| o[0] = 0.5 * x[0] * x[0]).unwrap(),
        Observable::displacement(1).unwrap(),
    ];
    let sp = spec(Scheme::EulerMaruyama, h, 200, members, vec![10, 50, 200]);
    let st = run_observed(
        &ou.sde().unwrap(),
        &sp,
        11,
        |_, rng, x| x[0] = sd0 * normal(rng),
        &obs,
    )
    .unwrap();
    let msd = st.mean_series(0, 0).unwrap();
    let sem = st.sem_series(0, 0).unwrap();
    for (i, &n) in [10usize, 50, 200].iter().enumerate() {
        let exact_em = ou.em_stationary_displacement_variance(h, n);
        let exact = ou.stationary_displacement_variance(n as f64 * h);
        assert!(
            (msd[i] - exact_em).abs() < 4.0 * sem[i],
            "n = {n}: {} vs {exact_em} ± {}",
            msd[i],
            sem[i]
        );
        assert!((msd[i] - exact).abs() < 4.0 * sem[i] + 0.01 * exact, "n = {n}");
        // The displacement's own variance is the same number minus its squared mean (≈ 0).
        let disp = &st.moments(2).unwrap()[i];
        let m = disp.mean()[0];
        assert!((disp.covariance()[0] - (msd[i] - m * m)).abs() < 1e-3 * exact);
    }
    // Energy <x^2/2> stays at v_h / 2 (stationary), sd of the mean = v_h / sqrt(2 N).
    let e = st.mean_series(st.index("energy").unwrap(), 0).unwrap();
    let vh = ou.em_stationary_variance(h);
    for ei in e {
        assert!((ei - 0.5 * vh).abs() < 4.0 * vh / (2.0 * members as f64).sqrt());
    }
    assert_eq!(st.times.len(), 3);
    assert!((st.times[2] - 2.0).abs() < 1e-14);
}

#[test]
fn brownian_mean_squared_displacement_is_2dt_per_component() {
    // Free 2-D Brownian motion: EM is exact, so <|X_t - X_0|^2> = 4 D t and each component's
    // displacement variance 2 D t up to sampling error (4 standard errors).
    let d: f64 = 0.3;
    let s = (2.0 * d).sqrt();
    let bm = FnSde::new(
        2,
        |_, _: &[f64], o: &mut [f64]| o.fill(0.0),
        move |_, _: &[f64], o: &mut [f64]| o.fill(s),
    )
    .unwrap()
    .additive();
    let obs = [
        Observable::squared_displacement(2).unwrap(),
        Observable::displacement(2).unwrap(),
    ];
    let sp = spec(Scheme::EulerMaruyama, 0.02, 100, 10_000, vec![25, 100]);
    let st = run_observed(&bm, &sp, 3, |m, _, x| x.fill(m as f64), &obs).unwrap();
    for (i, &t) in st.times.iter().enumerate() {
        let m = &st.moments(0).unwrap()[i];
        assert!(
            (m.mean()[0] - 4.0 * d * t).abs() < 4.0 * m.sem(0).unwrap(),
            "t = {t}"
        );
        let disp = &st.moments(1).unwrap()[i];
        let cov = disp.covariance();
        // sd of a sample variance of N Gaussians: var sqrt(2/(N-1)).
        let band = 4.0 * 2.0 * d * t * (2.0 / 9_999.0f64).sqrt();
        assert!((cov[0] - 2.0 * d * t).abs() < band && (cov[3] - 2.0 * d * t).abs() < band);
        assert!(cov[1].abs() < band);
    }
}

#[test]
fn observed_trajectories_equal_run_ensemble_bit_for_bit() {
    // Same streams, draws and arithmetic: the state observable's moments equal run_ensemble's for the
    // lane path (EM, d = 1) and the general path (Heun), and do not depend on the thread count.
    let ou = LinearOu::new(vec![1.5], 0.4, vec![0.2], vec![0.1]).unwrap();
    for scheme in [Scheme::EulerMaruyama, Scheme::Heun] {
        let sp = spec(scheme, 0.01, 60, 2500, vec![20, 60]);
        let init = |m: usize, rng: &mut nqg_thermo::rng::StreamRng, x: &mut [f64]| {
            x[0] = 0.01 * m as f64 + normal(rng)
        };
        let a = run_ensemble(&ou, &sp, 8, init).unwrap();
        let obs = [Observable::state(1).unwrap()];
        let b = run_observed(&ou, &sp, 8, init, &obs).unwrap();
        assert_eq!(b.moments(0).unwrap(), &a.moments[..], "{scheme:?}");
        assert_eq!(b.times, a.times);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let c = pool.install(|| run_observed(&ou, &sp, 8, init, &obs).unwrap());
        assert_eq!(b, c);
    }
}

#[test]
fn noise_free_components_draw_no_normals() {
    // Underdamped free particle dx = v dt, dv = -γ v dt + sqrt(2 D) dW with x declared noise-free:
    // every draw of a member's stream goes to v, so v is bitwise the 1-D OU velocity process of the
    // same seed (moments equal exactly), for the lane path (EM) and the general path (Heun).
    let (g, dc): (f64, f64) = (0.7, 0.25);
    let s = (2.0 * dc).sqrt();
    let langevin = FnSde::new(
        2,
        move |_, y: &[f64], o: &mut [f64]| {
            o[0] = y[1];
            o[1] = -g * y[1];
        },
        move |_, _: &[f64], o: &mut [f64]| {
            o[0] = 0.0;
            o[1] = s;
        },
    )
    .unwrap()
    .additive()
    .noise_free(&[0])
    .unwrap();
    let ou_v = LinearOu::new(vec![g], dc, vec![0.0], vec![0.0]).unwrap();
    for scheme in [Scheme::EulerMaruyama, Scheme::Heun] {
        let sp = spec(scheme, 0.01, 80, 1100, vec![40, 80]);
        let two = run_ensemble(&langevin, &sp, 21, |_, _, y| {
            y[0] = 0.0;
            y[1] = 1.0
        })
        .unwrap();
        let one = run_ensemble(&ou_v, &sp, 21, |_, _, v| v[0] = 1.0).unwrap();
        for (m2, m1) in two.moments.iter().zip(&one.moments) {
            assert_eq!(m2.mean()[1], m1.mean()[0], "{scheme:?}");
            assert_eq!(m2.covariance()[3], m1.covariance()[0], "{scheme:?}");
            // The position moved (x = ∫ v dt), deterministically given v.
            assert!(m2.mean()[0] > 0.1);
        }
    }
    assert!(matches!(
        FnSde::new(2, |_, _: &[f64], _: &mut [f64]| {}, |_, _: &[f64], _: &mut [f64]| {})
            .unwrap()
            .noise_free(&[2]),
        Err(ThermoError::InvalidParameter { value, .. }) if value == 2.0
    ));
}

#[test]
fn milstein_needs_a_derivative_not_finite_differences() {
    // A multiplicative closure SDE cannot be differentiated: Milstein is refused, not approximated.
    let mult = FnSde::new(
        1,
        |_, x: &[f64], o: &mut [f64]| o[0] = x[0],
        |_, x: &[f64], o: &mut [f64]| o[0] = x[0],
    )
    .unwrap();
    let p = BrownianPath::sample(&mut member_rng(0, 0), 1, 8, 0.01).unwrap();
    let mut x = [1.0];
    assert!(matches!(
        integrate_path(&mult, Scheme::Milstein, 0.0, &mut x, &p),
        Err(ThermoError::UnsupportedScheme {
            scheme: "Milstein",
            ..
        })
    ));
    // Additive noise: the correction vanishes, Milstein equals Euler-Maruyama exactly.
    let add = FnSde::new(
        1,
        |_, x: &[f64], o: &mut [f64]| o[0] = -x[0],
        |_, _: &[f64], o: &mut [f64]| o[0] = 0.5,
    )
    .unwrap()
    .additive();
    let (mut a, mut b) = ([1.0], [1.0]);
    integrate_path(&add, Scheme::Milstein, 0.0, &mut a, &p).unwrap();
    integrate_path(&add, Scheme::EulerMaruyama, 0.0, &mut b, &p).unwrap();
    assert_eq!(a, b);
}

#[test]
fn observed_errors_are_typed() {
    let ou = OuCase { theta: 1.0, d: 0.5 }.sde().unwrap();
    let sp = spec(Scheme::EulerMaruyama, 0.01, 10, 16, vec![]);
    assert!(matches!(
        run_observed(&ou, &sp, 1, |_, _, _| {}, &[]),
        Err(ThermoError::TooFewSamples { .. })
    ));
    let nan = [Observable::new("bad", 1, |_, _, o| o[0] = f64::NAN).unwrap()];
    assert!(matches!(
        run_observed(&ou, &sp, 1, |_, _, x| x[0] = 0.0, &nan),
        Err(ThermoError::NonFiniteValue {
            what: "observable",
            ..
        })
    ));
    assert!(Observable::new("empty", 0, |_, _, _| {}).is_err());
    assert!(matches!(
        Observable::state(usize::MAX).map_err(ThermoError::from),
        Err(ThermoError::Statistics(nqg_stats::StatsError::TooLarge { .. }))
    ));
    let st = run_observed(
        &ou,
        &sp,
        1,
        |_, _, x| x[0] = 0.0,
        &[Observable::state(1).unwrap()],
    )
    .unwrap();
    assert!(st.mean_series(1, 0).is_err() && st.mean_series(0, 1).is_err());
    assert!(st.moments(1).is_none() && st.index("state") == Some(0));
}

/// Kolmogorov-Smirnov distance $\sup_x |F_n(x) - F(x)|$ of sorted samples against `cdf`.
fn ks_distance(xs: &mut [f64], cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max)
}

#[test]
fn sampled_fokker_planck_stationary_state_passes_kolmogorov_smirnov() {
    // The double-well stationary state from the Fokker-Planck operator (bimodal), 2e4 draws: for
    // exact sampling sqrt(n) D_n follows the Kolmogorov law, P(sqrt(n) D_n > 1.949) = 0.001.
    let w = DoubleWell { barrier: 1.0, d: 0.3 };
    let g = Grid1d::new(-2.5, 2.5, 500).unwrap();
    let op = FokkerPlanck1d::from_potential(g, w.d, Boundary::Reflecting, |x| w.potential(x)).unwrap();
    let p = op.stationary().unwrap();
    let s = DensitySampler1d::new(&g, &p).unwrap();
    let mut rng = member_rng(5, 0);
    let n = 20_000;
    let mut xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
    let dn = ks_distance(&mut xs, |x| s.cdf(x));
    assert!(
        (n as f64).sqrt() * dn < 1.949,
        "sqrt(n) D_n = {}",
        (n as f64).sqrt() * dn
    );
    // A wrong law is rejected by the same band: the Boltzmann density at twice the temperature.
    let hot = DensitySampler1d::new(&g, &g.density(|x| (-w.potential(x) / (2.0 * w.d)).exp())).unwrap();
    let mut ys: Vec<f64> = (0..n).map(|_| hot.sample(&mut rng)).collect();
    assert!((n as f64).sqrt() * ks_distance(&mut ys, |x| s.cdf(x)) > 1.949);
}

#[test]
fn sampled_gaussian_has_its_mean_and_variance() {
    // N(0.3, 0.7²) on cells of h = 0.02: the cell-constant law has mean 0.3 and variance
    // σ² + h²/12 (the within-cell uniform; the midpoint sum is exact to round-off for a Gaussian
    // well inside the grid). 1e5 draws: 4 sd bands, sd(mean) = σ/√n, sd(var) = σ²√(2/n).
    let (mu, sig) = (0.3, 0.7);
    let g = Grid1d::new(-6.0, 6.0, 600).unwrap();
    let p = g.density(|x| (-0.5 * ((x - mu) / sig).powi(2)).exp());
    let s = DensitySampler1d::new(&g, &p).unwrap();
    let mut rng = member_rng(9, 0);
    let n = 100_000;
    let mut m = nqg_thermo::ensemble::Moments::new(1);
    for _ in 0..n {
        m.push(&[s.sample(&mut rng)]).unwrap();
    }
    let var = sig * sig + g.h() * g.h() / 12.0;
    assert!((m.mean()[0] - mu).abs() < 4.0 * sig / (n as f64).sqrt());
    assert!((m.covariance()[0] - var).abs() < 4.0 * var * (2.0 / n as f64).sqrt());
}
