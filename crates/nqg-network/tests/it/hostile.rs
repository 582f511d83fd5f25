//! Hostile input (issue 15): a typed error carrying the offending value, or a finite answer.

use nqg_network::NetworkError;
use nqg_network::ensemble::Ensemble;
use nqg_network::learning::{Dynamics, Langevin};
use nqg_network::learning::{SgdConfig, TeacherStudent, TeacherStudentSgd};
use nqg_network::network::{QuadraticLoss, Weights};
use nqg_network::rng::member_rng;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

fn sgd(gamma: f64) -> TeacherStudentSgd {
    let p = nqg_network::testcases::teacher_student_correlated().unwrap();
    TeacherStudentSgd::online(p, SgdConfig::new(gamma, 1).unwrap()).unwrap()
}

#[test]
fn the_cases_of_the_issue_are_typed_errors() {
    // Sizes: no allocation abort, no endless loop.
    assert!(matches!(
        Weights::zeros(1 << 20),
        Err(NetworkError::TooLarge { .. })
    ));
    assert!(matches!(
        Weights::zeros(usize::MAX),
        Err(NetworkError::TooLarge {
            requested: usize::MAX,
            ..
        })
    ));
    assert!(matches!(
        Weights::banded(5, 1 << 40, true, |_, _| 1.0),
        Err(NetworkError::InvalidParameter {
            name: "half_width",
            ..
        })
    ));
    // A non-periodic band wider than the matrix is the dense matrix, built at once.
    let w = Weights::banded(5, 1 << 40, false, |_, _| 1.0).unwrap();
    assert_eq!(w.values().len(), 25);
    assert!(matches!(
        Ensemble::new(&sgd(0.1), 1 << 40, 1, |_, _, _| {}),
        Err(NetworkError::TooLarge { .. })
    ));
    // A learning rate that passes validation but is far beyond the stability limit of SGD
    // (gamma λ_max ≫ 2) diverges: reported with the replica, not as NaN moments and Ok.
    let s = sgd(50.0);
    let mut ens = Ensemble::new(&s, 8, 3, |_, _, q| q.copy_from_slice(&[1.0, -0.5])).unwrap();
    let e = ens.advance(&s, 2000).unwrap_err();
    assert!(matches!(e, NetworkError::Diverged { .. }), "{e:?}");
    // A loss naming an out-of-range boundary neuron cannot be built (its fields are private, so
    // no struct literal can bypass the check either).
    let e = QuadraticLoss::all(3, 0.1)
        .unwrap()
        .with_boundary_term(1.0, vec![7], vec![0.0])
        .unwrap_err();
    assert!(
        matches!(e, NetworkError::IndexOutOfRange { index: 7, len: 3, .. }),
        "{e:?}"
    );
}

/// `Dynamics::advance` called directly (second pass of issue 15): wrong lengths and non-finite
/// inputs are typed errors before any step; a trajectory that leaves the floating-point range is
/// reported at its first non-finite step, not returned as `Ok`.
#[test]
fn dynamics_advance_checks_lengths_and_finiteness() {
    let s = sgd(0.1);
    let mut rng = member_rng(1, 0);
    let mut q = vec![0.0; 3];
    assert_eq!(
        s.advance(&mut q, &mut [], &mut rng, 5),
        Err(NetworkError::ShapeMismatch {
            what: "state q",
            expected: 2,
            got: 3
        })
    );
    let mut aux = vec![0.0; 2];
    assert_eq!(
        s.advance(&mut [0.0, 0.0], &mut aux, &mut rng, 5),
        Err(NetworkError::ShapeMismatch {
            what: "auxiliary state",
            expected: 0,
            got: 2
        })
    );
    let mut q = vec![0.0, f64::NAN];
    let e = s.advance(&mut q, &mut [], &mut rng, 5).unwrap_err();
    assert!(
        matches!(
            e,
            NetworkError::NonFinite {
                what: "state q",
                index: 1,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(q[0], 0.0, "the state is untouched when the input is rejected");
    // gamma = 50 is far beyond 2/λ_max: |e| grows by ~|1 - γλ| per step and overflows within a few
    // hundred steps; the error names that step, and the reported value is the state's.
    let s = sgd(50.0);
    let mut q = vec![1.0, -0.5];
    let e = s.advance(&mut q, &mut [], &mut rng, 100_000).unwrap_err();
    let NetworkError::NonFiniteState { step, index, value } = e else {
        panic!("{e:?}")
    };
    assert!(step > 1 && step < 100_000, "step {step}");
    assert!(!value.is_finite() && !q[index].is_finite());
    // A gradient returning NaN is caught at the first step.
    let grad = std::sync::Arc::new(|_: &[f64], g: &mut [f64]| g.fill(f64::NAN));
    let l = Langevin::new(1, grad, 1.0, &[0.5], 0.01).unwrap();
    let e = l.advance(&mut [0.0], &mut [], &mut rng, 10).unwrap_err();
    assert!(
        matches!(
            e,
            NetworkError::NonFiniteState {
                step: 1,
                index: 0,
                ..
            }
        ),
        "{e:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("NQG_HOSTILE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        rng_seed: RngSeed::Fixed(20_211_028),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// SGD at an arbitrary step size and batch: a typed error, or finite replica states.
    #[test]
    fn sgd_is_an_error_or_finite(
        gamma in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(0.0), Just(50.0), 1e-4..10.0f64, any::<f64>()],
        batch in 0usize..4, steps in 0usize..300,
    ) {
        let p = nqg_network::testcases::teacher_student_correlated().unwrap();
        let Ok(cfg) = SgdConfig::new(gamma, batch) else { return Ok(()) };
        let s = TeacherStudentSgd::online(p, cfg).unwrap();
        let mut ens = Ensemble::new(&s, 4, 1, |_, _, q| q.copy_from_slice(&[1.0, -0.5])).unwrap();
        if ens.advance(&s, steps).is_ok() {
            prop_assert!(ens.states().iter().all(|v| v.is_finite()));
        }
    }

    /// Weight constructors at arbitrary sizes: a typed error or a matrix of the promised size.
    #[test]
    fn weights_are_errors_or_the_promised_size(
        n in prop_oneof![0usize..50, Just(1usize << 20), Just(usize::MAX)],
        h in prop_oneof![0usize..60, Just(1usize << 40), Just(usize::MAX)],
        periodic in any::<bool>(),
    ) {
        if let Ok(w) = Weights::banded(n, h, periodic, |_, _| 1.0) {
            prop_assert_eq!(w.n(), n);
        }
        if let Ok(w) = Weights::zeros(n) {
            prop_assert_eq!(w.values().len(), n * n);
        }
    }
}

/// Second pass of issue 15: what `cargo xtask census` found in nqg-network, one assertion per fix.
#[test]
fn census_findings_are_typed_errors_with_their_values() {
    use nqg_network::lattice::Leapfrog2D;
    use nqg_network::moments::{Moments, MomentsExt, with_budget};
    use nqg_network::online::{RingCouplings, smooth_random_field};
    // n² wrapped to 0 in release builds, so an empty value vector passed for n = 2^40.
    assert!(matches!(
        Weights::dense(1 << 40, vec![]),
        Err(NetworkError::TooLarge { .. })
    ));
    // The sparse row pointers (n + 1) overflowed / aborted.
    assert!(matches!(
        Weights::sparse(usize::MAX, &[(0, 1, 1.0)]),
        Err(NetworkError::TooLarge { .. })
    ));
    assert!(matches!(
        Leapfrog2D::uniform(1 << 40, 1 << 40, 0.5, 0.1),
        Err(NetworkError::TooLarge { .. })
    ));
    assert!(matches!(
        Leapfrog2D::uniform(1 << 20, 1 << 20, 0.5, 0.1),
        Err(NetworkError::TooLarge { .. })
    ));
    assert!(matches!(
        RingCouplings::uniform(1 << 40, 0.25, 1.5, 0.25, -1.0),
        Err(NetworkError::TooLarge { .. })
    ));
    assert!(matches!(
        smooth_random_field(1 << 40, 2.0, &mut member_rng(1, 0)),
        Err(NetworkError::TooLarge { .. })
    ));
    assert!(matches!(
        with_budget(usize::MAX),
        Err(NetworkError::TooLarge { .. })
    ));
    // Not positive definite now carries the failed Cholesky pivot: 1 - 2²/1 = -3.
    let e = TeacherStudent::new(vec![1.0, 0.0], &[1.0, 2.0, 2.0, 1.0], 0.3).unwrap_err();
    assert!(
        matches!(e, NetworkError::NotPositiveDefinite { value, .. } if (value + 3.0).abs() < 1e-12),
        "{e:?}"
    );
    // A sampling interval longer than the run took no sample and returned empty moments as Ok.
    let s = sgd(0.1);
    let mut ens = Ensemble::new(&s, 4, 1, |_, _, _| {}).unwrap();
    assert!(matches!(
        ens.time_average(&s, 100, 1000),
        Err(NetworkError::InvalidParameter { name: "every", .. })
    ));
    assert!(matches!(
        ens.time_average(&s, 100, 0),
        Err(NetworkError::InvalidParameter { name: "every", .. })
    ));
    // One replica has no lag covariance (it was returned as zeros).
    let mut one = Ensemble::new(&s, 1, 1, |_, _, _| {}).unwrap();
    assert!(matches!(
        one.lag_covariance(&s, 3),
        Err(NetworkError::InvalidParameter { name: "replicas", .. })
    ));
    // Moments::push no longer folds a NaN into the mean.
    let mut m = Moments::new(2);
    assert!(matches!(
        m.try_push(&[f64::NAN, 0.0]),
        Err(NetworkError::NonFinite { index: 0, .. })
    ));
    assert_eq!(m.count(), 0);
    // Found by `cargo xtask fuzz` (network_learning, second pass): an online mini-batch of
    // usize::MAX samples per step passes validation (any M >= 1 for online data) and a step never
    // returned; the work budget refuses it.
    let cfg = SgdConfig::new(0.1, usize::MAX).unwrap();
    let p = nqg_network::testcases::teacher_student_correlated().unwrap();
    let s = TeacherStudentSgd::online(p, cfg).unwrap();
    let mut q = [0.0, 0.0];
    assert!(matches!(
        s.advance(&mut q, &mut [], &mut member_rng(1, 0), 1),
        Err(NetworkError::TooLarge { limit, .. }) if limit == nqg_network::error::MAX_WORK
    ));
    assert_eq!(q, [0.0, 0.0]);
}
