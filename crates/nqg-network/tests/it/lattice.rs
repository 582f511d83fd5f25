//! Lattice networks (N-5 to N-7): light cone, leapfrog as a network, dispersion, learning couplings.

use nqg_network::NetworkError;
use nqg_network::adaptive::{ExactFreeEnergy, IndependentNeurons, NeuronLedger, SelfTuning};
use nqg_network::lattice::{
    Leapfrog1D, Leapfrog2D, PermutationRing, fit_pattern_least_squares, fit_pattern_sgd, leapfrog_omega,
    measure_dispersion, speed_from_couplings,
};

#[test]
fn permutation_network_is_exactly_left_plus_right_movers() {
    let l = 64;
    let ring = PermutationRing::new(l).unwrap();
    let net = ring.to_network().unwrap();
    let u0: Vec<f64> = (0..l)
        .map(|s| {
            if (30..35).contains(&s) {
                (s as f64).sin()
            } else {
                0.0
            }
        })
        .collect();
    let v0: Vec<f64> = (0..l)
        .map(|s| {
            if (30..35).contains(&s) {
                (s as f64).cos()
            } else {
                0.0
            }
        })
        .collect();
    let mut x: Vec<f64> = u0.iter().chain(&v0).copied().collect();
    for t in 1..40usize {
        x = net.step(&x, &[]).unwrap();
        for s in 0..l {
            let phi = x[s] + x[l + s];
            let exact = u0[(s + l - t % l) % l] + v0[(s + t) % l];
            assert_eq!(phi, exact);
        }
    }
}

#[test]
fn leapfrog_network_equals_direct_stepper() {
    let l = 32;
    let c: Vec<f64> = (0..l).map(|s| 0.5 + 0.3 * (s as f64 * 0.2).sin()).collect();
    let lf = Leapfrog1D::new(&c, 0.1).unwrap();
    let net = lf.to_network().unwrap();
    let phi0: Vec<f64> = (0..l).map(|s| (-(s as f64 - 16.0).powi(2) / 8.0).exp()).collect();
    let hist = lf.evolve(&phi0, &phi0, 20).unwrap();
    let mut x: Vec<f64> = phi0.iter().chain(&phi0).copied().collect();
    for t in 1..=20 {
        x = net.step(&x, &[]).unwrap();
        for s in 0..l {
            // Same three-term sums in a different order.
            assert!((x[s] - hist[t][s]).abs() < 1e-13);
        }
    }
}

#[test]
fn single_mode_obeys_the_dispersion_relation_exactly() {
    // For a single Fourier mode, phi^{t+1} + phi^{t-1} = 2 cos(omega) phi^t holds to round-off.
    for &c in &[0.5, 0.9, 1.0] {
        let l = 64;
        let lf = Leapfrog1D::new(&vec![c; l], 0.0).unwrap();
        let k = 2.0 * std::f64::consts::PI * 5.0 / l as f64;
        let phi0: Vec<f64> = (0..l).map(|s| (k * s as f64).cos()).collect();
        let hist = lf.evolve(&phi0, &phi0, 30).unwrap();
        let cw = leapfrog_omega(c, k, 0.0).cos();
        for t in 1..30 {
            for s in 0..l {
                assert!((hist[t + 1][s] + hist[t - 1][s] - 2.0 * cw * hist[t][s]).abs() < 1e-12);
            }
        }
    }
}

#[test]
fn fft_dispersion_within_half_a_bin() {
    for &c in &[0.5, 0.9, 1.0] {
        let (pts, dw) = measure_dispersion(c, 0.0, 128, 512, 3).unwrap();
        for p in pts
            .iter()
            .filter(|p| p.omega_theory > 3.0 * dw && p.omega_theory < std::f64::consts::PI - 3.0 * dw)
        {
            assert!(
                (p.omega_measured - p.omega_theory).abs() < 0.5 * dw,
                "C={c} k={}",
                p.k
            );
        }
    }
}

#[test]
fn two_d_plane_wave_has_the_2d_dispersion() {
    let (nx, ny) = (32, 16);
    let c = 0.6;
    let lf = Leapfrog2D::uniform(nx, ny, c, 0.0).unwrap();
    let (kx, ky) = (
        2.0 * std::f64::consts::PI * 3.0 / nx as f64,
        2.0 * std::f64::consts::PI * 2.0 / ny as f64,
    );
    let phi: Vec<f64> = (0..nx * ny)
        .map(|i| (kx * (i % nx) as f64 + ky * (i / nx) as f64).cos())
        .collect();
    let cw = 1.0 - 2.0 * c * c * ((kx / 2.0).sin().powi(2) + (ky / 2.0).sin().powi(2));
    let mut prev = phi.clone();
    let cur = phi.clone();
    lf.step(&cur, &mut prev).unwrap();
    // prev now holds phi^1 = (2 cos w - 1) phi^0 for phi^{-1} = phi^0.
    for i in 0..nx * ny {
        assert!((prev[i] - (2.0 * cw - 1.0) * phi[i]).abs() < 1e-13);
    }
}

#[test]
fn least_squares_recovers_planted_speed_field() {
    let l = 64;
    let (dt, ds) = (0.5, 1.0);
    let speed = nqg_network::testcases::sine_speed(l);
    let lf = Leapfrog1D::from_speed(&speed, dt, ds, 0.0).unwrap();
    let pattern = lf.to_network().unwrap().weights().clone();
    let mut pairs = Vec::new();
    let mut seed = 1u64;
    for _ in 0..8 {
        let mut next = || {
            seed = nqg_network::rng::splitmix64(seed);
            (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let a: Vec<f64> = (0..l).map(|_| next()).collect();
        let b: Vec<f64> = (0..l).map(|_| next()).collect();
        pairs.extend(nqg_network::testcases::leapfrog_pairs(&lf, &a, &b, 16).unwrap());
    }
    let fitted =
        fit_pattern_least_squares(&pattern, pairs.iter().map(|(a, b)| (a.as_slice(), b.as_slice()))).unwrap();
    let c = speed_from_couplings(&fitted, dt, ds).unwrap();
    let err = c
        .iter()
        .zip(&speed)
        .map(|(a, b)| ((a - b) / b).abs())
        .fold(0.0, f64::max);
    // Noise-free data: the normal equations are exact, so only conditioning-limited round-off.
    assert!(err < 1e-9, "{err}");
    // SGD from zero moves towards the planted couplings.
    let zero = {
        let mut z = pattern.clone();
        z.set_values(&vec![0.0; pattern.len()]).unwrap();
        z
    };
    let before: f64 = zero
        .values()
        .iter()
        .zip(pattern.values())
        .map(|(a, b)| (a - b).powi(2))
        .sum();
    let sgd = fit_pattern_sgd(&zero, &pairs, 0.02, 20, 4).unwrap();
    let after: f64 = sgd
        .values()
        .iter()
        .zip(pattern.values())
        .map(|(a, b)| (a - b).powi(2))
        .sum();
    assert!(after < 0.1 * before, "{after} vs {before}");
}

#[test]
fn chemical_potential_and_self_tuning() {
    let m = IndependentNeurons::new(3.0, 2.0).unwrap();
    for n in [0, 1, 7, 100] {
        // F is a sum of N equal terms: F(N+1) - F(N) is one term, up to round-off of the sum.
        assert!((m.chemical_potential(n) - m.chemical_potential_closed_form()).abs() < 1e-12);
    }
    let mut ledger = NeuronLedger::new(4);
    ledger.set_neurons(&m, 9);
    ledger.set_neurons(&m, 6);
    assert!((ledger.transferred() - (m.free_energy(6) - m.free_energy(4))).abs() < 1e-12);
    let t = SelfTuning::new(0.5, 2.0, 4.0).unwrap();
    let hbar = 0.3;
    let d = t.diffusion_for(hbar);
    assert!((t.hbar_for(d) - hbar).abs() < 1e-14);
    let tb = t.batch_for(hbar).unwrap();
    assert!(tb.batch >= 1 && (tb.batch as f64 - tb.batch_real).abs() <= 0.5 + 1e-12);
    assert!(matches!(
        SelfTuning::new(0.0, 1.0, 1.0),
        Err(NetworkError::InvalidLearningRate(_))
    ));
}

#[test]
fn lattice_errors() {
    assert!(PermutationRing::new(0).is_err());
    assert!(matches!(
        Leapfrog1D::new(&[1.2], 0.0),
        Err(NetworkError::InvalidParameter { .. })
    ));
    assert!(matches!(
        Leapfrog1D::new(&[0.5, f64::NAN], 0.0),
        Err(NetworkError::NonFinite { .. })
    ));
    assert!(matches!(
        Leapfrog2D::uniform(8, 8, 0.8, 0.0),
        Err(NetworkError::InvalidParameter { .. })
    ));
    assert!(matches!(
        Leapfrog2D::new(8, 8, &[0.1; 10], 0.0),
        Err(NetworkError::ShapeMismatch { .. })
    ));
    let lf = Leapfrog1D::new(&[0.5; 4], 0.0).unwrap();
    assert!(matches!(
        lf.step(&[0.0; 4], &mut [0.0; 3]),
        Err(NetworkError::ShapeMismatch { .. })
    ));
    assert!(speed_from_couplings(&nqg_network::Weights::zeros(5).unwrap(), 1.0, 1.0).is_err());
}

#[test]
fn klein_gordon_mode_has_the_massive_dispersion() {
    // cos(omega) = 1 - 2C^2 sin^2(k/2) - mu^2/2 exactly for a single mode.
    let (l, c, mu) = (64, 0.5, 0.1);
    let lf = Leapfrog1D::new(&vec![c; l], mu).unwrap();
    let k = 2.0 * std::f64::consts::PI * 3.0 / l as f64;
    let phi0: Vec<f64> = (0..l).map(|s| (k * s as f64).sin()).collect();
    let hist = lf.evolve(&phi0, &phi0, 20).unwrap();
    let cw = leapfrog_omega(c, k, mu).cos();
    assert!((cw - (1.0 - 2.0 * c * c * (k / 2.0).sin().powi(2) - mu * mu / 2.0)).abs() < 1e-15);
    for t in 1..20 {
        for s in 0..l {
            assert!((hist[t + 1][s] + hist[t - 1][s] - 2.0 * cw * hist[t][s]).abs() < 1e-12);
        }
    }
    // The k = 0 mode oscillates at the mass gap: omega(0) = acos(1 - mu^2/2) ~ mu.
    assert!((leapfrog_omega(c, 0.0, mu) - mu).abs() < mu.powi(3));
}

#[test]
fn packet_moves_at_the_group_velocity() {
    use nqg_network::lattice::packet_centroid;
    let (l, c) = (512, 0.5);
    let lf = Leapfrog1D::new(&vec![c; l], 0.0).unwrap();
    let k = 1.0;
    let (a, b) = lf.packet(100.0, 12.0, k, 1.0).unwrap();
    let hist = lf.evolve(&a, &b, 200).unwrap();
    let omega = leapfrog_omega(c, k, 0.0);
    let vg = c * c * k.sin() / omega.sin();
    let x = packet_centroid(&hist[200], &hist[199], 100.0 + vg * 200.0).unwrap();
    // Dispersion spreads the packet but its centroid moves at v_g; allow 1 site over 200 steps.
    assert!(
        (x - (100.0 + vg * 200.0)).abs() < 1.0,
        "{x} vs {}",
        100.0 + vg * 200.0
    );
}
