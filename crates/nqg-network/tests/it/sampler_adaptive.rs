//! MALA sampling of the fast variables, adaptive runs, and never-panic properties of the learning
//! and lattice APIs.

use std::sync::Arc;

use nqg_network::adaptive::{
    ExactFreeEnergy, HbarController, HyperParams, IndependentNeurons, NeuronLedger, Schedule, run_adaptive,
};
use nqg_network::ensemble::Ensemble;
use nqg_network::fast_slow::GaussianEnsemble;
use nqg_network::lattice::{Leapfrog1D, Leapfrog2D, measure_dispersion};
use nqg_network::learning::{Sampling, SgdConfig, TeacherStudent, TeacherStudentSgd};
use nqg_network::network::{Act, Network, QuadraticLoss, Weights};
use nqg_network::sampler::{integrated_autocorrelation_time, mala};
use proptest::prelude::*;

#[test]
fn mala_reproduces_the_exact_gaussian_ensemble() {
    // Linear network: MALA must reproduce the exact mean and <dH/dq> = dF/dq of the Gaussian toy.
    let n = 3;
    let w = vec![0.1, -0.2, 0.05, 0.3, 0.0, -0.1, 0.2, 0.1, -0.3];
    let b = vec![0.5, -0.4, 0.2];
    let beta = 2.0;
    let net = Network::new(
        Weights::dense(n, w.clone()).unwrap(),
        b.clone(),
        vec![],
        Act::Identity,
    )
    .unwrap();
    let loss = QuadraticLoss::all(n, 0.5).unwrap();
    let g = GaussianEnsemble::from_network(&net, &loss, beta).unwrap();
    let run = mala(&net, &loss, beta, 0.2, &[0.0; 3], 2_000, 40_000, 1, 17).unwrap();
    assert!(run.acceptance > 0.5 && run.acceptance < 1.0, "{}", run.acceptance);
    let ns = run.samples.len() as f64;
    // Effective sample size n/tau with tau from H (a conservative proxy for the other observables).
    let ess = ns / run.tau_energy.max(1.0);
    let cov = g.covariance();
    for i in 0..n {
        let m = run.samples.iter().map(|x| x[i]).sum::<f64>() / ns;
        let se = (cov[(i, i)] / ess).sqrt();
        assert!(
            (m - g.mean()[i]).abs() < 6.0 * se,
            "mean {i}: {m} vs {}",
            g.mean()[i]
        );
    }
    // Mean energy against <H> over exact Gaussian samples; Var H = N/(2 beta^2) for a Gaussian.
    let mut rng = nqg_network::rng::member_rng(3, 0);
    let exact_h: f64 = (0..200_000)
        .map(|_| g.energy(&g.sample(&mut rng)).unwrap())
        .sum::<f64>()
        / 200_000.0;
    let var_h = n as f64 / (2.0 * beta * beta);
    assert!((run.mean_energy - exact_h).abs() < 6.0 * (var_h / ess).sqrt() + 6.0 * (var_h / 2e5).sqrt());
}

#[test]
fn autocorrelation_time_of_an_ar1_series() {
    // AR(1) with coefficient a has tau = (1 + a)/(1 - a) = 3 for a = 0.5.
    let mut rng = nqg_network::rng::member_rng(5, 0);
    let mut x = 0.0;
    let v: Vec<f64> = (0..200_000)
        .map(|_| {
            let z: f64 = rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut rng);
            x = 0.5 * x + z;
            x
        })
        .collect();
    let tau = integrated_autocorrelation_time(&v);
    assert!((tau - 3.0).abs() < 0.15, "{tau}");
}

#[test]
fn adaptive_run_books_free_energy_and_switches_batch() {
    let p = nqg_network::testcases::teacher_student().unwrap();
    let base = TeacherStudentSgd::online(p, SgdConfig::new(0.05, 1).unwrap()).unwrap();
    let mut ens = Ensemble::new(&base, 2000, 1, |_, _, q| q.copy_from_slice(&[1.0, -0.5])).unwrap();
    let hp = HyperParams {
        gamma: 0.05,
        batch: 1,
        neurons: 4,
    };
    let mut sched = Schedule(vec![(0, hp), (400, HyperParams { batch: 16, ..hp })]);
    let segs = run_adaptive(
        &mut ens,
        |h| base.with_config(SgdConfig::new(h.gamma, h.batch).unwrap()),
        &mut sched,
        hp,
        &[400, 800],
    )
    .unwrap();
    assert_eq!(segs[0].params.batch, 1);
    assert_eq!(segs[1].params.batch, 16);
    // Variance drops by ~16x after switching M (T_L ∝ 1/M).
    let ratio = segs[0].moments.covariance()[0] / segs[1].moments.covariance()[0];
    assert!(ratio > 10.0 && ratio < 25.0, "{ratio}");
    // The hbar controller picks N and M and books Delta F exactly.
    let model = IndependentNeurons::new(50.0, 1.0).unwrap();
    let mut ctl = HbarController {
        model,
        mu: 2.0,
        sigma2: 0.25,
        hbar: model.chemical_potential(1).abs() / (2.0 * std::f64::consts::PI),
        max_neurons: 8,
        ledger: NeuronLedger::new(4),
    };
    let segs = run_adaptive(
        &mut ens,
        |h| base.with_config(SgdConfig::new(h.gamma, h.batch).unwrap()),
        &mut ctl,
        hp,
        &[10],
    )
    .unwrap();
    assert!(segs[0].params.batch >= 1);
    let n = ctl.ledger.neurons();
    assert!((ctl.ledger.transferred() - (model.free_energy(n) - model.free_energy(4))).abs() < 1e-12);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn learning_api_never_panics(
        gamma in proptest::num::f64::ANY,
        batch in 0usize..12,
        n in 0usize..10,
        mom in -1.0f64..1.5,
        cov in proptest::collection::vec(-2.0f64..2.0, 4),
        noise in -1.0f64..1.0,
        without in proptest::bool::ANY,
    ) {
        if let Ok(p) = TeacherStudent::new(vec![1.0, 0.5], &cov, noise) {
            let _ = p.stationary_covariance(gamma, batch);
            let _ = p.langevin(gamma, batch, 0.1);
            let data = Arc::new(p.dataset(n, 1));
            let s = if without { Sampling::WithoutReplacement } else { Sampling::WithReplacement };
            let cfg = SgdConfig::new(gamma, batch).unwrap().with_momentum(mom).unwrap().with_sampling(s);
            if let Ok(sgd) = TeacherStudentSgd::on_dataset(p.clone(), cfg, data) {
                let mut ens = Ensemble::new(&sgd, 3, 0, |_, _, _| {}).unwrap();
                prop_assert!(ens.run(&sgd, &[5]).is_ok());
            }
            let _ = TeacherStudentSgd::online(p, cfg);
        }
    }

    #[test]
    fn lattice_api_never_panics(
        c in proptest::collection::vec(-2.0f64..2.0, 0..6),
        mass in -1.0f64..3.0,
        nx in 0usize..6,
        ny in 0usize..6,
        l in 0usize..20,
        steps in 0usize..40,
    ) {
        if let Ok(lf) = Leapfrog1D::new(&c, mass) {
            let _ = lf.evolve(&vec![1.0; c.len()], &vec![0.0; c.len()], 3);
            let _ = lf.to_network();
        }
        if let Ok(lf) = Leapfrog2D::new(nx, ny, &c, mass) {
            let mut p = vec![0.0; nx * ny];
            let _ = lf.step(&vec![1.0; nx * ny], &mut p);
        }
        let _ = measure_dispersion(c.first().copied().unwrap_or(0.5), mass, l, steps, 1);
    }
}
