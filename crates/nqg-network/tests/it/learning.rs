//! SGD, Langevin learner and ensembles on the teacher-student problem (N-1): exact moments,
//! determinism, data sets and errors.

use std::sync::Arc;

use nalgebra::{DMatrix, DVector};
use nqg_network::NetworkError;
use nqg_network::ensemble::Ensemble;
use nqg_network::learning::{Dataset, Dynamics, Sampling, SgdConfig, TeacherStudent, TeacherStudentSgd};
use nqg_network::moments::MomentsExt;
use nqg_network::rng::member_rng;

fn problem() -> TeacherStudent {
    nqg_network::testcases::teacher_student().unwrap()
}

#[test]
fn stationary_covariance_is_the_fixed_point_of_the_moment_map() {
    let p = problem();
    for &(gamma, m) in &[(0.005, 1), (0.05, 4), (0.2, 16)] {
        let cov = p.stationary_covariance(gamma, m).unwrap();
        let (mean2, next) = p.moment_step(gamma, m, &DVector::zeros(2), &cov);
        assert!(mean2.norm() == 0.0);
        // Round-off of a 4x4 solve on O(T_L) entries.
        assert!((next - &cov).abs().max() < 1e-15, "gamma={gamma}");
        // Leading order T_L = gamma s^2/(2M), isotropic; corrections are O(gamma * lambda_max).
        let tl = p.learning_temperature(gamma, m);
        let rel = (&cov - DMatrix::identity(2, 2) * tl).abs().max() / tl;
        assert!(rel < 2.0 * gamma, "gamma={gamma}: rel {rel}");
    }
}

#[test]
fn ensemble_matches_exact_stationary_covariance() {
    let p = problem();
    let (gamma, m) = (0.05, 2);
    let sgd = TeacherStudentSgd::online(p.clone(), SgdConfig::new(gamma, m).unwrap()).unwrap();
    let qs = p.teacher().to_vec();
    let mut ens = Ensemble::new(&sgd, 20_000, 11, |_, _, q| q.copy_from_slice(&qs)).unwrap();
    // 800 steps = 10 relaxation times of the slow direction (1/(gamma * 0.25) = 80), so the
    // memory of the start is e^-20 of the signal.
    let rec = ens.run(&sgd, &[1600]).unwrap();
    let mom = &rec.moments[0];
    let exact = p.stationary_covariance(gamma, m).unwrap();
    let c = mom.covariance_matrix();
    let se = mom.covariance_std_err();
    for i in 0..2 {
        for j in 0..2 {
            assert!(
                (c[(i, j)] - exact[(i, j)]).abs() < 5.0 * se[(i, j)],
                "{i}{j}: {} vs {}",
                c[(i, j)],
                exact[(i, j)]
            );
        }
        let sem = mom.mean_std_err()[i];
        assert!((mom.mean()[i] - qs[i]).abs() < 5.0 * sem);
    }
}

#[test]
fn transient_mean_and_second_moment_follow_the_exact_map() {
    let p = problem();
    let (gamma, m) = (0.02, 1);
    let sgd = TeacherStudentSgd::online(p.clone(), SgdConfig::new(gamma, m).unwrap()).unwrap();
    let e0 = [0.6, -0.4];
    let qs = p.teacher().to_vec();
    let mut ens = Ensemble::new(&sgd, 20_000, 5, |_, _, q| {
        q[0] = qs[0] + e0[0];
        q[1] = qs[1] + e0[1];
    })
    .unwrap();
    let rec = ens.run(&sgd, &[50]).unwrap();
    let mut mean = DVector::from_column_slice(&e0);
    let mut second = &mean * mean.transpose();
    for _ in 0..50 {
        let (a, b) = p.moment_step(gamma, m, &mean, &second);
        mean = a;
        second = b;
    }
    let cov = second - &mean * mean.transpose();
    let mom = &rec.moments[0];
    for i in 0..2 {
        let d = mom.mean()[i] - qs[i] - mean[i];
        assert!(d.abs() < 5.0 * mom.mean_std_err()[i]);
        let dc = mom.covariance_matrix()[(i, i)] - cov[(i, i)];
        assert!(dc.abs() < 5.0 * mom.covariance_std_err()[(i, i)]);
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let p = problem();
    let sgd =
        TeacherStudentSgd::online(p, SgdConfig::new(0.05, 3).unwrap().with_momentum(0.5).unwrap()).unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut ens = Ensemble::new(&sgd, 3000, 9, |r, _, q| q[0] = r as f64 * 1e-3).unwrap();
            let rec = ens.run(&sgd, &[10, 30]).unwrap();
            (ens.states().to_vec(), rec.moments[1].covariance_matrix())
        })
    };
    let (a, ca) = run(1);
    let (b, cb) = run(2);
    assert_eq!(a, b);
    assert_eq!(ca, cb);
}

#[test]
fn full_batch_without_replacement_is_gradient_descent() {
    let p = problem();
    let data = Arc::new(p.dataset(8, 3));
    let cfg = SgdConfig::new(0.1, 8)
        .unwrap()
        .with_sampling(Sampling::WithoutReplacement);
    let sgd = TeacherStudentSgd::on_dataset(p, cfg, data.clone()).unwrap();
    let mut q = vec![0.2, 0.3];
    let mut rng = member_rng(1, 0);
    sgd.advance(&mut q, &mut [], &mut rng, 1).unwrap();
    // Full-batch gradient by hand.
    let mut g = [0.0; 2];
    for i in 0..8 {
        let x = data.input(i).unwrap();
        let r = 0.2 * x[0] + 0.3 * x[1] - data.label(i).unwrap();
        g[0] += r * x[0] / 8.0;
        g[1] += r * x[1] / 8.0;
    }
    // Same sum in another order: round-off.
    assert!((q[0] - (0.2 - 0.1 * g[0])).abs() < 1e-14);
    assert!((q[1] - (0.3 - 0.1 * g[1])).abs() < 1e-14);
}

#[test]
fn langevin_learner_reaches_the_learning_temperature() {
    // Euler-Maruyama OU: stationary variance along eigen-direction lambda is
    // D/(gamma lambda (1 - gamma lambda dt/2)) exactly, with D = gamma^2 s^2 lambda/(2M).
    let p = problem();
    let (gamma, m, dt) = (0.05, 1, 1.0);
    let lv = p.langevin(gamma, m, dt).unwrap();
    let mut ens = Ensemble::new(&lv, 20_000, 2, |_, _, q| q.copy_from_slice(&[1.0, -0.5])).unwrap();
    let rec = ens.run(&lv, &[1600]).unwrap();
    let c = rec.moments[0].covariance_matrix();
    let se = rec.moments[0].covariance_std_err();
    for (i, lam) in [(0, 1.0), (1, 0.25)] {
        let d = gamma * gamma * 0.25 * lam / (2.0 * m as f64);
        let exact = d / (gamma * lam * (1.0 - gamma * lam * dt / 2.0));
        assert!(
            (c[(i, i)] - exact).abs() < 5.0 * se[(i, i)],
            "{i}: {} vs {exact}",
            c[(i, i)]
        );
    }
}

#[test]
fn hyper_parameter_errors() {
    let p = problem();
    let e = SgdConfig::new(0.1, 0).unwrap_err();
    assert!(matches!(e, NetworkError::InvalidBatchSize { batch: 0, .. }));
    let e = SgdConfig::new(0.0, 1).unwrap_err();
    assert_eq!(e, NetworkError::InvalidLearningRate(0.0));
    let e = SgdConfig::new(f64::NAN, 1).unwrap_err();
    assert!(matches!(e, NetworkError::InvalidLearningRate(_)));
    let data = Arc::new(p.dataset(5, 1));
    let e =
        TeacherStudentSgd::on_dataset(p.clone(), SgdConfig::new(0.1, 6).unwrap(), data.clone()).unwrap_err();
    assert_eq!(e, NetworkError::InvalidBatchSize { batch: 6, max: 5 });
    let e = SgdConfig::new(0.1, 1).unwrap().with_momentum(1.0).unwrap_err();
    assert!(matches!(
        e,
        NetworkError::InvalidParameter { name: "momentum", .. }
    ));
    assert!(matches!(
        TeacherStudent::new(vec![1.0, 0.0], &[1.0, 0.5, 0.0, 1.0], 0.1),
        Err(NetworkError::InvalidParameter { .. })
    ));
    assert!(matches!(
        TeacherStudent::new(vec![1.0], &[-1.0], 0.1),
        Err(NetworkError::NotPositiveDefinite { .. })
    ));
    assert!(matches!(
        Dataset::new(2, vec![0.0; 3], vec![0.0; 2]),
        Err(NetworkError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        p.stationary_covariance(-1.0, 1),
        Err(NetworkError::InvalidLearningRate(_))
    ));
}

#[test]
fn entropy_balance_cancels_at_the_continuum_stationary_state() {
    // Continuum limit: P = T_L 1 with T_L = gamma s^2/(2M) gives tr(D P^-1) = gamma tr(Sigma).
    let p = problem();
    let (gamma, m) = (0.01, 2);
    let tl = p.learning_temperature(gamma, m);
    let (prod, dest) = p
        .entropy_balance(gamma, m, &(DMatrix::identity(2, 2) * tl))
        .unwrap();
    assert!((prod - dest).abs() < 1e-15 * dest.abs().max(1.0));
    // Gradient-noise covariance at q*: s^2 Sigma.
    let c = p.gradient_noise_covariance(p.teacher()).unwrap();
    assert!((c - p.input_covariance() * 0.25).abs().max() < 1e-15);
}

#[test]
fn ou_current_vanishes_iff_detailed_balance() {
    use nqg_network::learning::ornstein_uhlenbeck_stationary;
    let a = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 0.25]);
    // Isotropic-in-Hessian noise (D ∝ A): detailed balance, zero current.
    let (pcov, om) = ornstein_uhlenbeck_stationary(&a, &(a.clone() * 0.3)).unwrap();
    assert!(om.abs().max() < 1e-14);
    assert!((pcov - DMatrix::identity(2, 2) * 0.3).abs().max() < 1e-14);
    // Rotated noise: AD != DA, non-zero current; Lyapunov residual is round-off.
    let (c, s) = (30f64.to_radians().cos(), 30f64.to_radians().sin());
    let r = DMatrix::from_row_slice(2, 2, &[c, -s, s, c]);
    let d = &r * DMatrix::from_row_slice(2, 2, &[0.5, 0.0, 0.0, 0.05]) * r.transpose();
    let (pcov, om) = ornstein_uhlenbeck_stationary(&a, &d).unwrap();
    assert!((&a * &pcov + &pcov * a.transpose() - &d * 2.0).abs().max() < 1e-14);
    assert!(om.abs().max() > 1e-2);
    // The current is divergence-free in the Gaussian state: Omega P is antisymmetric.
    let op = &om * &pcov;
    assert!((&op + op.transpose()).abs().max() < 1e-14);
}

#[test]
fn time_average_and_lag_covariance_match_exact_forms() {
    let p = problem();
    let (gamma, m) = (0.05, 1);
    let sgd = TeacherStudentSgd::online(p.clone(), SgdConfig::new(gamma, m).unwrap()).unwrap();
    let exact = p.stationary_covariance(gamma, m).unwrap();
    let qs = p.teacher().to_vec();
    let mut ens = Ensemble::new(&sgd, 20_000, 21, |_, _, q| q.copy_from_slice(&qs)).unwrap();
    ens.advance(&sgd, 1600).unwrap();
    // Lag covariance: <e(t+l) e(t)^T> = (1 - gamma Sigma)^l P exactly; Sigma diagonal here.
    let lag = 10;
    let c = ens.lag_covariance(&sgd, lag).unwrap();
    for (i, lam) in [(0usize, 1.0f64), (1, 0.25)] {
        let expect = (1.0 - gamma * lam).powi(lag as i32) * exact[(i, i)];
        // One-sigma error of a cross-covariance of 2e4 Gaussian pairs ~ P_ii/sqrt(2e4); 5 sigma.
        let se = exact[(i, i)] / (20_000f64).sqrt();
        assert!(
            (c[i * 2 + i] - expect).abs() < 5.0 * se,
            "{i}: {} vs {expect}",
            c[i * 2 + i]
        );
    }
    // Pooled time average over 200 steps x 2e4 replicas, every 100 steps (roughly 1-2 relaxation times):
    // the effective sample count is >= 2e4, so 4% relative (> 5 sigma) is a safe band.
    let tav = ens.time_average(&sgd, 200, 100).unwrap();
    assert_eq!(tav.count(), 40_000);
    let ct = tav.covariance_matrix();
    for i in 0..2 {
        assert!((ct[(i, i)] / exact[(i, i)] - 1.0).abs() < 0.04);
    }
}

#[test]
fn stationary_velocity_is_rotational_iff_detailed_balance_fails() {
    use nqg_network::learning::ornstein_uhlenbeck_stationary;
    let (gamma, m) = (0.02, 4);
    // Label noise only: P commutes with Sigma, so the stationary velocity vanishes (detailed balance).
    let b0 = problem().stationary_velocity(gamma, m).unwrap();
    assert!(b0.abs().max() < 1e-15, "{b0}");
    // Injected noise rotated by 30 degrees: B P = Omega is antisymmetric (no net flux) and non-zero.
    let (c, s) = (30f64.to_radians().cos(), 30f64.to_radians().sin());
    let r = DMatrix::from_row_slice(2, 2, &[c, -s, s, c]);
    let cinj = &r * DMatrix::from_row_slice(2, 2, &[0.1, 0.0, 0.0, 0.01]) * r.transpose();
    let inj = problem().with_injected_noise(cinj.as_slice()).unwrap();
    let p = inj.stationary_covariance(gamma, m).unwrap();
    let b = inj.stationary_velocity(gamma, m).unwrap();
    let omega = &b * &p;
    assert!((&omega + omega.transpose()).abs().max() < 1e-15 * p.abs().max());
    assert!((b[(1, 0)] - b[(0, 1)]).abs() > 1e-3);
    // Continuum limit: the Ornstein-Uhlenbeck current matrix -A + D P^-1 with A = gamma Sigma and the
    // leading-order D; the discrete velocity differs at relative O(gamma).
    for g in [0.004, 0.002] {
        let b = inj.stationary_velocity(g, m).unwrap();
        let a = inj.input_covariance() * g;
        let d = (inj.input_covariance() * (0.25 / m as f64) + &cinj) * (0.5 * g * g);
        let (_, ou) = ornstein_uhlenbeck_stationary(&a, &d).unwrap();
        let rel = (&b - &ou).abs().max() / ou.abs().max();
        assert!(rel < 3.0 * g, "gamma {g}: rel {rel}");
    }
    // Ensemble: the antisymmetric part of <e_{t+1} e_t^T> is Omega. One-sigma error of a lag
    // covariance of R pairs ~ sqrt(P00 P11 / R); a 5 sigma band.
    // A larger step relaxes faster (10 relaxation times 1/(gamma lambda_min) = 800 steps).
    let gamma = 0.05;
    let p = inj.stationary_covariance(gamma, m).unwrap();
    let omega = inj.stationary_velocity(gamma, m).unwrap() * &p;
    let sgd = TeacherStudentSgd::online(inj.clone(), SgdConfig::new(gamma, m).unwrap()).unwrap();
    let qs = inj.teacher().to_vec();
    let reps = 100_000;
    let mut ens = Ensemble::new(&sgd, reps, 5, |_, _, q| q.copy_from_slice(&qs)).unwrap();
    ens.advance(&sgd, 800).unwrap();
    let c1 = ens.lag_covariance(&sgd, 1).unwrap();
    let measured = 0.5 * (c1[2] - c1[1]);
    let se = (p[(0, 0)] * p[(1, 1)] / reps as f64).sqrt();
    assert!(
        (measured - omega[(1, 0)]).abs() < 5.0 * se,
        "{measured} vs {}",
        omega[(1, 0)]
    );
}
