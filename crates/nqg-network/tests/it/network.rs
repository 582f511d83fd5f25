//! Network dynamics, loss and gradients: hand-written chain rule against autodiff, and errors.

use nqg_network::network::{Act, Activation, FnActivation, Loss, Network, QuadraticLoss, Weights};
use nqg_network::{NetworkError, Result};
use num_dual::DualNum;
use proptest::prelude::*;

fn dense_net(n: usize, seed: f64, act: Act, boundary: Vec<usize>) -> Network<Act> {
    let w: Vec<f64> = (0..n * n)
        .map(|k| 0.4 * ((k as f64 + seed) * 1.7).sin())
        .collect();
    let b: Vec<f64> = (0..n).map(|i| 0.3 * ((i as f64 + seed) * 0.9).cos()).collect();
    Network::new(Weights::dense(n, w).unwrap(), b, boundary, act).unwrap()
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

/// A user loss: quartic residual, written once generically; gradient from the default autodiff.
struct Quartic;
impl Loss for Quartic {
    fn eval<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D], z: &[D]) -> D {
        x.iter()
            .zip(z)
            .map(|(&a, &b)| (a - b).powi(4) * 0.25 + a * a * 0.1)
            .sum()
    }
}

/// A user activation implemented generically (softplus).
struct Softplus;
impl Activation for Softplus {
    fn eval<D: DualNum<Primitive = f64> + Copy>(&self, y: D) -> D {
        (y.exp() + 1.0).ln()
    }
    fn derivative(&self, y: f64) -> f64 {
        1.0 / (1.0 + (-y).exp())
    }
}

#[test]
fn hand_gradients_match_autodiff_for_all_activations() {
    let x = [0.3, -1.2, 0.7, 0.05, 1.1];
    for act in [Act::Identity, Act::Tanh, Act::Sigmoid] {
        let net = dense_net(5, 0.3, act, vec![0, 4]);
        let loss = QuadraticLoss::bulk(&net, 0.5)
            .unwrap()
            .with_boundary_term(2.0, vec![0, 4], vec![0.1, -0.2])
            .unwrap();
        let (gx, gq) = net.gradients(&loss, &x).unwrap();
        // Same arithmetic in a different order: agreement to a few ulps of O(1) numbers.
        assert!(
            max_diff(&gq, &net.grad_q_autodiff(&loss, &x).unwrap()) < 1e-13,
            "{act:?}"
        );
        assert!(
            max_diff(&gx, &net.grad_x_autodiff(&loss, &x).unwrap()) < 1e-13,
            "{act:?}"
        );
    }
}

#[test]
fn user_loss_and_activations_differentiate() {
    let x = [0.3, -1.2, 0.7, 0.05];
    let w: Vec<f64> = (0..16).map(|k| 0.2 * (k as f64).cos()).collect();
    let sp = Network::new(
        Weights::dense(4, w.clone()).unwrap(),
        vec![0.1; 4],
        vec![1],
        Softplus,
    )
    .unwrap();
    let (gx, gq) = sp.gradients(&Quartic, &x).unwrap();
    assert!(max_diff(&gq, &sp.grad_q_autodiff(&Quartic, &x).unwrap()) < 1e-13);
    assert!(max_diff(&gx, &sp.grad_x_autodiff(&Quartic, &x).unwrap()) < 1e-13);
    // A plain-function activation (first-order lift) agrees with the generic tanh network.
    let f = FnActivation {
        f: f64::tanh,
        df: |y| 1.0 - y.tanh().powi(2),
    };
    let a = Network::new(Weights::dense(4, w.clone()).unwrap(), vec![0.1; 4], vec![], f).unwrap();
    let b = Network::new(Weights::dense(4, w).unwrap(), vec![0.1; 4], vec![], Act::Tanh).unwrap();
    let loss = QuadraticLoss::all(4, 0.2).unwrap();
    let ga = a.grad_q_autodiff(&loss, &x).unwrap();
    let gb = b.grad_q_autodiff(&loss, &x).unwrap();
    assert!(max_diff(&ga, &gb) < 1e-14);
}

#[test]
fn gradients_match_finite_differences_of_the_loss() {
    // Independent of the dual machinery: central differences, h = 1e-6, error O(h^2) ~ 1e-12 plus
    // round-off 1e-16/1e-6 ~ 1e-10.
    let net = dense_net(4, 1.1, Act::Sigmoid, vec![2]);
    let loss = QuadraticLoss::all(4, 0.3).unwrap();
    let x = [0.4, -0.3, 0.9, -1.0];
    let (_, gq) = net.gradients(&loss, &x).unwrap();
    let q0 = net.params();
    for k in 0..q0.len() {
        let h = 1e-6;
        let mut a = net.clone();
        let mut qp = q0.clone();
        qp[k] += h;
        a.set_params(&qp).unwrap();
        let lp = a.loss(&loss, &x).unwrap();
        qp[k] -= 2.0 * h;
        a.set_params(&qp).unwrap();
        let lm = a.loss(&loss, &x).unwrap();
        assert!(((lp - lm) / (2.0 * h) - gq[k]).abs() < 1e-8, "param {k}");
    }
}

#[test]
fn sparse_and_dense_agree() {
    let n = 6;
    let trip: Vec<(usize, usize, f64)> = (0..n)
        .flat_map(|i| [(i, i, 0.5), (i, (i + 1) % n, -0.3), (i, (i + n - 1) % n, 0.2)])
        .collect();
    let sp = Weights::sparse(n, &trip).unwrap();
    let mut dense = vec![0.0; n * n];
    for &(i, j, v) in &trip {
        dense[i * n + j] += v;
    }
    let dn = Weights::dense(n, dense).unwrap();
    let b = Weights::banded(n, 1, true, |i, j| {
        if i == j {
            0.5
        } else if j == (i + 1) % n {
            -0.3
        } else {
            0.2
        }
    })
    .unwrap();
    let x: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
    let (mut y1, mut y2, mut y3) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    sp.apply(&x, &mut y1).unwrap();
    dn.apply(&x, &mut y2).unwrap();
    b.apply(&x, &mut y3).unwrap();
    assert!(max_diff(&y1, &y2) < 1e-15 && max_diff(&y1, &y3) < 1e-15);
    let nets = Network::new(sp, vec![0.0; n], vec![0], Act::Tanh).unwrap();
    let loss = QuadraticLoss::bulk(&nets, 0.1).unwrap();
    let (_, g) = nets.gradients(&loss, &x).unwrap();
    assert!(max_diff(&g, &nets.grad_q_autodiff(&loss, &x).unwrap()) < 1e-13);
}

#[test]
fn dynamics_clamps_boundary_and_updates_bulk() {
    let net = dense_net(4, 0.0, Act::Tanh, vec![3, 0]);
    let x = [0.1, 0.2, 0.3, 0.4];
    let next = net.step(&x, &[7.0, -7.0]).unwrap();
    // Boundary values in the order of the boundary list: neuron 3 -> 7, neuron 0 -> -7.
    assert_eq!(next[3], 7.0);
    assert_eq!(next[0], -7.0);
    let y = net.preactivation(&x).unwrap();
    assert_eq!(next[1], y[1].tanh());
    assert_eq!(next[2], y[2].tanh());
    let traj = net
        .run(&x, 5, |t, buf| buf.iter_mut().for_each(|b| *b = t as f64))
        .unwrap();
    assert_eq!(traj.len(), 6);
    assert_eq!(traj[5][0], 4.0);
}

#[test]
fn bad_input_gives_typed_errors() {
    let e = Weights::dense(3, vec![0.0; 8]).unwrap_err();
    assert!(matches!(
        e,
        NetworkError::ShapeMismatch {
            expected: 9,
            got: 8,
            ..
        }
    ));
    let e = Weights::dense(2, vec![0.0, f64::NAN, 0.0, 0.0]).unwrap_err();
    assert!(matches!(e, NetworkError::NonFinite { index: 1, .. }));
    let e = Weights::sparse(2, &[(0, 2, 1.0)]).unwrap_err();
    assert!(matches!(
        e,
        NetworkError::IndexOutOfRange { index: 2, len: 2, .. }
    ));
    let e = Network::new(Weights::zeros(3).unwrap(), vec![0.0; 3], vec![3], Act::Tanh).unwrap_err();
    assert!(matches!(
        e,
        NetworkError::IndexOutOfRange { index: 3, len: 3, .. }
    ));
    let e = Network::new(Weights::zeros(3).unwrap(), vec![0.0; 3], vec![1, 1], Act::Tanh).unwrap_err();
    assert_eq!(e, NetworkError::DuplicateIndex(1));
    let e = Network::new(Weights::zeros(3).unwrap(), vec![0.0; 2], vec![], Act::Tanh).unwrap_err();
    assert!(matches!(e, NetworkError::ShapeMismatch { .. }));
    let mut net = Network::new(Weights::zeros(3).unwrap(), vec![0.0; 3], vec![0], Act::Tanh).unwrap();
    assert!(matches!(
        net.step(&[0.0; 3], &[]),
        Err(NetworkError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        net.step(&[0.0; 2], &[1.0]),
        Err(NetworkError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        net.set_params(&[f64::INFINITY; 12]),
        Err(NetworkError::NonFinite { .. })
    ));
    assert!(matches!(
        net.loss(&QuadraticLoss::all(4, 0.0).unwrap(), &[0.0; 3]),
        Err(NetworkError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        Weights::zeros(3).unwrap().apply(&[0.0; 2], &mut [0.0; 3]),
        Err(NetworkError::ShapeMismatch { .. })
    ));
    let r: Result<QuadraticLoss> =
        QuadraticLoss::all(3, 0.0)
            .unwrap()
            .with_boundary_term(1.0, vec![5], vec![0.0]);
    assert!(matches!(r, Err(NetworkError::IndexOutOfRange { index: 5, .. })));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn autodiff_and_hand_gradients_agree(
        n in 1usize..6,
        seed in -5.0f64..5.0,
        act in 0usize..3,
        xs in proptest::collection::vec(-2.0f64..2.0, 6),
        eps in 0.0f64..1.0,
    ) {
        let act = [Act::Identity, Act::Tanh, Act::Sigmoid][act];
        let net = dense_net(n, seed, act, vec![0]);
        let loss = QuadraticLoss::bulk(&net, eps).unwrap().with_boundary_term(1.5, vec![0], vec![0.3]).unwrap();
        let x = &xs[..n];
        let (gx, gq) = net.gradients(&loss, x).unwrap();
        let ax = net.grad_x_autodiff(&loss, x).unwrap();
        let aq = net.grad_q_autodiff(&loss, x).unwrap();
        // Entries are O(10) at most; 1e-12 absolute is round-off.
        prop_assert!(max_diff(&gx, &ax) < 1e-12);
        prop_assert!(max_diff(&gq, &aq) < 1e-12);
    }

    #[test]
    fn public_api_never_panics(
        n in 0usize..5,
        w in proptest::collection::vec(proptest::num::f64::ANY, 0..30),
        b in proptest::collection::vec(proptest::num::f64::ANY, 0..6),
        bd in proptest::collection::vec(0usize..8, 0..4),
        x in proptest::collection::vec(proptest::num::f64::ANY, 0..6),
        trip in proptest::collection::vec((0usize..7, 0usize..7, -2.0f64..2.0), 0..10),
    ) {
        let _ = Weights::sparse(n, &trip);
        if let Ok(weights) = Weights::dense(n, w)
            && let Ok(mut net) = Network::new(weights, b.clone(), bd.clone(), Act::Tanh)
        {
                let loss = QuadraticLoss::all(n, 0.1).unwrap();
                let _ = net.step(&x, &b);
                let _ = net.loss(&loss, &x);
                let _ = net.gradients(&loss, &x);
                let _ = net.grad_q_autodiff(&loss, &x);
                let _ = net.set_params(&x);
                let _ = net.run(&x, 2, |_, _| {});
        }
    }
}
