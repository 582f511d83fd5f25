//! The exact Gaussian ensemble (V-M1): closed forms against quadrature, autodiff, finite differences
//! and exact sampling.

use nqg_network::NetworkError;
use nqg_network::fast_slow::GaussianEnsemble;
use nqg_network::network::{Act, Network, QuadraticLoss, Weights};
use nqg_network::rng::member_rng;

fn toy() -> GaussianEnsemble {
    let n = 4;
    let w: Vec<f64> = (0..n * n).map(|k| 0.3 * ((k as f64) * 2.3 + 0.4).sin()).collect();
    let b = [0.5, -0.2, 0.8, 0.1];
    GaussianEnsemble::new(n, &w, &b, &[1.0; 4], 0.5, 2.0).unwrap()
}

#[test]
fn partition_function_matches_quadrature_in_one_dimension() {
    let (w, b, eps, beta) = (0.3, 0.7, 0.5, 2.0);
    let g = GaussianEnsemble::new(1, &[w], &[b], &[1.0], eps, beta).unwrap();
    // Trapezoid on [-12, 12] with 2e5 points: the Gaussian tails are < e^-100 and the rule is
    // spectrally accurate for smooth decaying integrands, so 1e-12 relative.
    let (lo, hi, m) = (-12.0, 12.0, 200_000);
    let h = (hi - lo) / m as f64;
    let z: f64 = (0..=m)
        .map(|i| {
            let x = lo + i as f64 * h;
            let e = 0.5 * ((1.0 - w) * x - b).powi(2) + 0.5 * eps * x * x;
            let wt = if i == 0 || i == m { 0.5 } else { 1.0 };
            wt * (-beta * e).exp()
        })
        .sum::<f64>()
        * h;
    assert!((g.log_partition() - z.ln()).abs() < 1e-12);
}

#[test]
fn free_energy_gradient_three_ways() {
    let g = toy();
    let (gw, gb) = g.free_energy_gradient();
    let ad = g.free_energy_gradient_autodiff().unwrap();
    // Moment formula vs autodiff of the LU-based F: round-off of 4x4 solves.
    for k in 0..16 {
        assert!((gw[k] - ad[k]).abs() < 1e-12, "k={k}");
    }
    // Closed form F via Cholesky vs the generic LU version.
    let w = g.weights_row_major();
    let b = g.bias();
    assert!((g.free_energy() - g.free_energy_with::<f64>(&w, &b).unwrap()).abs() < 1e-13);
    // Central differences of F, h = 1e-5: truncation ~h^2 F''' ~ 1e-10, round-off ~1e-16/1e-5.
    let h = 1e-5;
    for k in 0..16 {
        let mut wp = w.clone();
        wp[k] += h;
        let fp = g.with_params(&wp, &b).unwrap().free_energy();
        wp[k] -= 2.0 * h;
        let fm = g.with_params(&wp, &b).unwrap().free_energy();
        assert!(((fp - fm) / (2.0 * h) - gw[k]).abs() < 1e-8, "w{k}");
    }
    for i in 0..4 {
        let mut bp = b.clone();
        bp[i] += h;
        let fp = g.with_params(&w, &bp).unwrap().free_energy();
        bp[i] -= 2.0 * h;
        let fm = g.with_params(&w, &bp).unwrap().free_energy();
        assert!(((fp - fm) / (2.0 * h) - gb[i]).abs() < 1e-8, "b{i}");
    }
}

#[test]
fn sampled_mean_gradient_equals_free_energy_gradient() {
    // N2.5 with 2e5 exact samples; every entry within 5 sigma (fixed seed).
    let g = toy();
    let (gw, _) = g.free_energy_gradient();
    let mut rng = member_rng(42, 0);
    let n = 200_000;
    let mut sum = [0.0; 16];
    let mut sum2 = [0.0; 16];
    let mut buf = [0.0; 16];
    let mut cov = [0.0; 16];
    for _ in 0..n {
        let x = g.sample(&mut rng);
        g.energy_gradient_w(&x, &mut buf).unwrap();
        for k in 0..16 {
            sum[k] += buf[k];
            sum2[k] += buf[k] * buf[k];
        }
        for i in 0..4 {
            for j in 0..4 {
                cov[i * 4 + j] += (x[i] - g.mean()[i]) * (x[j] - g.mean()[j]);
            }
        }
    }
    let nf = n as f64;
    for k in 0..16 {
        let mean = sum[k] / nf;
        let se = ((sum2[k] / nf - mean * mean) / nf).sqrt();
        assert!(
            (mean - gw[k]).abs() < 5.0 * se,
            "k={k}: {mean} vs {} (se {se})",
            gw[k]
        );
    }
    // Sample covariance (known mean) against A^{-1}/beta: relative error ~ sqrt(2/n) ~ 3e-3.
    let c = g.covariance();
    for i in 0..4 {
        for j in 0..4 {
            let s = cov[i * 4 + j] / nf;
            let se = ((c[(i, i)] * c[(j, j)] + c[(i, j)].powi(2)) / nf).sqrt();
            assert!((s - c[(i, j)]).abs() < 5.0 * se);
        }
    }
}

#[test]
fn from_network_matches_and_rejects_nonlinear() {
    let g = toy();
    let w = g.weights_row_major();
    let net = Network::new(Weights::dense(4, w).unwrap(), g.bias(), vec![], Act::Identity).unwrap();
    let loss = QuadraticLoss::all(4, 0.5).unwrap();
    let h = GaussianEnsemble::from_network(&net, &loss, 2.0).unwrap();
    assert!((h.free_energy() - g.free_energy()).abs() < 1e-14);
    // The network loss and the ensemble energy are the same function.
    let x = [0.1, 0.2, -0.3, 0.4];
    assert!((net.loss(&loss, &x).unwrap() - g.energy(&x).unwrap()).abs() < 1e-14);
    let tanh = Network::new(Weights::zeros(4).unwrap(), vec![0.0; 4], vec![], Act::Tanh).unwrap();
    assert!(matches!(
        GaussianEnsemble::from_network(&tanh, &loss, 2.0),
        Err(NetworkError::Unsupported(_))
    ));
}

#[test]
fn bad_parameters_are_rejected() {
    assert!(matches!(
        GaussianEnsemble::new(1, &[0.0], &[0.0], &[1.0], 0.5, 0.0),
        Err(NetworkError::InvalidParameter { name: "beta", .. })
    ));
    // w = 1 and eps = 0 make A = 0: not positive definite, smallest eigenvalue 0.
    assert_eq!(
        GaussianEnsemble::new(1, &[1.0], &[0.0], &[1.0], 0.0, 1.0).unwrap_err(),
        NetworkError::NotPositiveDefinite {
            what: "precision A",
            value: 0.0
        }
    );
    assert!(matches!(
        GaussianEnsemble::new(2, &[0.0; 3], &[0.0; 2], &[1.0; 2], 0.5, 1.0),
        Err(NetworkError::ShapeMismatch { .. })
    ));
}

mod never_panics {
    use nqg_network::adaptive::{IndependentNeurons, SelfTuning};
    use nqg_network::fast_slow::GaussianEnsemble;
    use nqg_network::lattice::packet_centroid;
    use nqg_network::moments::{Moments, MomentsExt};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn gaussian_and_adaptive_api(
            n in 0usize..4,
            w in proptest::collection::vec(proptest::num::f64::ANY, 0..17),
            b in proptest::collection::vec(-3.0f64..3.0, 0..5),
            eps in proptest::num::f64::ANY,
            beta in proptest::num::f64::ANY,
            samples in proptest::collection::vec(proptest::num::f64::ANY, 0..9),
            g in proptest::num::f64::ANY,
            mu in proptest::num::f64::ANY,
            hbar in proptest::num::f64::ANY,
        ) {
            let m = vec![1.0; b.len()];
            if let Ok(e) = GaussianEnsemble::new(n, &w, &b, &m, eps, beta) {
                let _ = e.free_energy();
                let _ = e.free_energy_gradient();
                let _ = e.free_energy_gradient_autodiff();
                let _ = e.energy(&samples);
                let _ = e.with_params(&samples, &b);
                let mut rng = nqg_network::rng::member_rng(1, 0);
                let _ = e.sample(&mut rng);
            }
            let mut mo = Moments::new(n);
            // A sample of the wrong length or with a non-finite component is a typed error and
            // leaves the moments unchanged.
            match mo.try_push(&samples) {
                Ok(()) => assert_eq!(mo.count(), 1),
                Err(e) => {
                    assert!(
                        matches!(
                            e,
                            nqg_network::NetworkError::ShapeMismatch { .. } | nqg_network::NetworkError::NonFinite { .. }
                        ),
                        "{e:?}"
                    );
                    assert_eq!(mo.count(), 0);
                }
            }
            let _ = mo.covariance_matrix();
            let _ = mo.gaussian_entropy();
            if let Ok(t) = SelfTuning::new(g, mu, 1.0) {
                let _ = t.batch_for(hbar);
            }
            let _ = IndependentNeurons::new(g, beta);
            let _ = packet_centroid(&samples, &samples, g);
        }
    }
}
