//! SGD on a network's trainable variables (N2.3).

use nqg_network::NetworkError;
use nqg_network::fast_slow::GaussianEnsemble;
use nqg_network::learning::{Sampling, SgdConfig};
use nqg_network::network::{Act, Network, QuadraticLoss, Weights};
use nqg_network::train::{sgd_step, train_on_states, train_with_sampler};

fn net() -> Network<Act> {
    let w: Vec<f64> = (0..9).map(|k| 0.2 * (k as f64 * 1.3).sin()).collect();
    Network::new(
        Weights::dense(3, w).unwrap(),
        vec![0.3, -0.1, 0.2],
        vec![],
        Act::Tanh,
    )
    .unwrap()
}

#[test]
fn full_batch_without_replacement_is_gradient_descent_and_decreases_the_loss() {
    let states: Vec<Vec<f64>> = (0..6)
        .map(|i| (0..3).map(|j| ((i * 3 + j) as f64).cos()).collect())
        .collect();
    let loss = QuadraticLoss::all(3, 0.1).unwrap();
    let mut a = net();
    let cfg = SgdConfig::new(0.1, 6)
        .unwrap()
        .with_sampling(Sampling::WithoutReplacement);
    let rec = train_on_states(&mut a, &loss, &states, cfg, 50, 1).unwrap();
    // Plain gradient descent by hand with the same (full) batch.
    let mut b = net();
    let mut v = vec![0.0; b.num_params()];
    let batch: Vec<&[f64]> = states.iter().map(|s| s.as_slice()).collect();
    for _ in 0..50 {
        sgd_step(&mut b, &loss, &batch, 0.1, 0.0, &mut v).unwrap();
    }
    let d = a
        .params()
        .iter()
        .zip(b.params())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    // Same sums in a different order: round-off accumulated over 50 steps.
    assert!(d < 1e-12, "{d}");
    assert!(rec.batch_loss[49] < rec.batch_loss[0]);
}

#[test]
fn fast_slow_loop_descends_the_free_energy() {
    // Linear network, states sampled exactly from p(x|q(t)): the learning drift is -gamma dF/dq (N2.5),
    // so F(q) decreases (up to noise) along the run.
    let w = vec![0.1, 0.2, -0.1, 0.0, 0.3, 0.1, -0.2, 0.1, 0.0];
    let mut n = Network::new(
        Weights::dense(3, w).unwrap(),
        vec![0.8, -0.6, 0.4],
        vec![],
        Act::Identity,
    )
    .unwrap();
    let loss = QuadraticLoss::all(3, 0.5).unwrap();
    let beta = 4.0;
    let f0 = GaussianEnsemble::from_network(&n, &loss, beta)
        .unwrap()
        .free_energy();
    let loss2 = loss.clone();
    train_with_sampler(
        &mut n,
        &loss,
        |net, rng| Ok(GaussianEnsemble::from_network(net, &loss2, beta)?.sample(rng)),
        SgdConfig::new(0.02, 8).unwrap(),
        300,
        3,
    )
    .unwrap();
    let f1 = GaussianEnsemble::from_network(&n, &loss, beta)
        .unwrap()
        .free_energy();
    assert!(f1 < f0 - 0.05, "{f0} -> {f1}");
}

#[test]
fn training_errors() {
    let loss = QuadraticLoss::all(3, 0.1).unwrap();
    let states = vec![vec![0.0; 3]; 4];
    let mut a = net();
    assert!(matches!(
        train_on_states(&mut a, &loss, &states, SgdConfig::new(0.1, 5).unwrap(), 1, 0),
        Err(NetworkError::InvalidBatchSize { batch: 5, max: 4 })
    ));
    assert!(matches!(
        SgdConfig::new(0.1, 0),
        Err(NetworkError::InvalidBatchSize { batch: 0, .. })
    ));
    assert!(matches!(
        SgdConfig::new(-0.1, 1),
        Err(NetworkError::InvalidLearningRate(_))
    ));
    let bad = vec![vec![0.0; 2]];
    assert!(matches!(
        train_on_states(&mut a, &loss, &bad, SgdConfig::new(0.1, 1).unwrap(), 1, 0),
        Err(NetworkError::ShapeMismatch { .. })
    ));
    // A step that overflows the weights is rejected and leaves the network unchanged.
    let w: Vec<f64> = (0..9).map(|k| 0.2 * (k as f64 * 1.3).sin()).collect();
    let mut a = Network::new(Weights::dense(3, w).unwrap(), vec![0.0; 3], vec![], Act::Identity).unwrap();
    let before = a.params();
    let huge = [vec![1e200; 3]];
    let batch: Vec<&[f64]> = huge.iter().map(|s| s.as_slice()).collect();
    let mut v = vec![0.0; a.num_params()];
    assert!(sgd_step(&mut a, &loss, &batch, 1.0, 0.0, &mut v).is_err());
    assert_eq!(a.params(), before);
}
