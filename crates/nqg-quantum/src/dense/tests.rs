//! Tests of the dense propagator against closed forms (coherent state, Rabi oscillation).

use super::*;

fn c(re: f64, im: f64) -> Complex64 {
    Complex64::new(re, im)
}

/// The oscillator $H = a^\dagger a + 1/2$ and $x = (a + a^\dagger)/\sqrt2$ on `n` Fock states.
fn oscillator(n: usize) -> (Vec<Complex64>, Vec<Complex64>) {
    let a = annihilation(n);
    let mut h = vec![c(0.0, 0.0); n * n];
    let mut x = vec![c(0.0, 0.0); n * n];
    for i in 0..n {
        h[i * n + i] = c(i as f64 + 0.5, 0.0);
        for j in 0..n {
            x[i * n + j] = (a[i * n + j] + a[j * n + i].conj()) / 2f64.sqrt();
        }
    }
    (h, x)
}

/// A coherent state follows the classical orbit: $\langle x\rangle(t) = x_0\cos t + p_0\sin t$ with
/// $\alpha = (x_0 + ip_0)/\sqrt2$. With $N = 60$ and $|\alpha|^2 = 5$ the Poisson weight beyond the
/// truncation is below $10^{-25}$, so the only error is round-off of the eigenvectors ($\sim N\epsilon$
/// times the amplitude $\approx 3$): tolerance $10^{-12}$. Norm and energy ($|\alpha|^2 + 1/2$) are
/// conserved to the same round-off.
#[test]
fn coherent_state_follows_the_classical_orbit() {
    let n = 60;
    let (h, x) = oscillator(n);
    let ham = DenseHamiltonian::new(n, &h).unwrap();
    let (x0, p0) = (3.0, 1.0);
    let psi0 = coherent_state(n, c(x0, p0) / 2f64.sqrt());
    let times: Vec<f64> = (0..=1000).map(|k| k as f64 * 0.01).collect();
    let ev = ham.evolve(&psi0, &times).unwrap();
    let mut worst = 0.0f64;
    let xs = ev.expectation(&x).unwrap();
    for ((t, psi), xt) in times.iter().zip(&ev.states).zip(&xs) {
        // The batched (real-symmetric) path sums in another order than `expectation`: the two agree
        // to N ε max|<x>| = 60 · 1.1e-16 · 4 ≈ 3e-14.
        assert!((expectation(&x, psi).unwrap() - xt).norm() < 1e-13);
        worst = worst.max((xt.re - (x0 * t.cos() + p0 * t.sin())).abs());
    }
    let e_exact = 0.5 * (x0 * x0 + p0 * p0) + 0.5;
    assert!(ev.energies.iter().all(|e| (e - e_exact).abs() < 1e-12));
    assert!(ev.norms.iter().all(|n| (n - 1.0).abs() < 1e-12));
    assert!(worst < 1e-12, "centre error {worst:e}");
    assert!(ev.norm_drift < 1e-12, "norm drift {:e}", ev.norm_drift);
    assert!(ev.energy_drift < 1e-12, "energy drift {:e}", ev.energy_drift);
    let e = ham.energy(&psi0).unwrap();
    assert!(
        (e - (0.5 * (x0 * x0 + p0 * p0) + 0.5)).abs() < 1e-12,
        "energy {e}"
    );
}

/// Rabi oscillation: $H = \tfrac12\begin{pmatrix}\Delta & \Omega\\ \Omega & -\Delta\end{pmatrix}$ from
/// $|0\rangle$ gives $P_1(t) = \frac{\Omega^2}{\Omega^2+\Delta^2}\sin^2(\sqrt{\Omega^2+\Delta^2}\\,t/2)$;
/// a 2×2 eigendecomposition is exact to a few ulps, so $10^{-13}$.
#[test]
fn two_level_rabi_oscillation() {
    let (om, de) = (1.3, 0.7);
    let h = [
        c(de / 2.0, 0.0),
        c(om / 2.0, 0.0),
        c(om / 2.0, 0.0),
        c(-de / 2.0, 0.0),
    ];
    let ham = DenseHamiltonian::new(2, &h).unwrap();
    let w = (om * om + de * de).sqrt();
    for k in 0..200 {
        let t = 0.05 * k as f64;
        let psi = ham.propagate(&[c(1.0, 0.0), c(0.0, 0.0)], t).unwrap();
        let exact = om * om / (w * w) * (w * t / 2.0).sin().powi(2);
        assert!((psi[1].norm_sqr() - exact).abs() < 1e-13, "t = {t}");
    }
}

/// A complex Hermitian matrix, $H = \tfrac\Omega2\sigma_y$: $P_1(t) = \sin^2(\Omega t/2)$ and the
/// amplitude is real, $\psi_1 = \sin(\Omega t/2)$ (since $e^{-i\theta\sigma_y} = \cos\theta - i\sin\theta\\,\sigma_y$).
#[test]
fn complex_hermitian_sigma_y() {
    let om = 2.0;
    let h = [c(0.0, 0.0), c(0.0, -om / 2.0), c(0.0, om / 2.0), c(0.0, 0.0)];
    let ham = DenseHamiltonian::new(2, &h).unwrap();
    let t = 0.9;
    let psi = ham.propagate(&[c(1.0, 0.0), c(0.0, 0.0)], t).unwrap();
    assert!(
        (psi[1] - c((om * t / 2.0).sin(), 0.0)).norm() < 1e-13,
        "{:?}",
        psi[1]
    );
    assert!(
        (psi[0] - c((om * t / 2.0).cos(), 0.0)).norm() < 1e-13,
        "{:?}",
        psi[0]
    );
}

/// $e^{iHt}e^{-iHt} = 1$: forward then backward returns the start to round-off ($10^{-13}$ for $N = 20$).
#[test]
fn forward_then_backward_is_identity() {
    let n = 20;
    let mut h = vec![c(0.0, 0.0); n * n];
    for i in 0..n {
        for j in 0..n {
            let v = c(((i * 7 + j * 3) % 11) as f64 * 0.1, 0.0);
            let w = if i == j {
                c(v.re, 0.0)
            } else if i < j {
                v + c(0.0, 0.05 * (i + j) as f64)
            } else {
                c(0.0, 0.0)
            };
            h[i * n + j] = w;
        }
    }
    for i in 0..n {
        for j in 0..i {
            h[i * n + j] = h[j * n + i].conj();
        }
    }
    let ham = DenseHamiltonian::new(n, &h).unwrap();
    let psi0: Vec<Complex64> = (0..n).map(|k| c(1.0 / (k + 1) as f64, 0.1 * k as f64)).collect();
    let fwd = ham.propagate(&psi0, 3.7).unwrap();
    let back = ham.propagate(&fwd, -3.7).unwrap();
    let err = back
        .iter()
        .zip(&psi0)
        .map(|(a, b)| (a - b).norm())
        .fold(0.0, f64::max);
    assert!(err < 1e-13, "round trip error {err:e}");
}

#[test]
fn bad_input_is_a_typed_error() {
    let h = [c(1.0, 0.0), c(0.5, 0.0), c(0.0, 0.0), c(1.0, 0.0)];
    match DenseHamiltonian::new(2, &h) {
        Err(QuantumError::NotHermitian {
            row: 0,
            col: 1,
            asymmetry,
        }) => assert!((asymmetry - 0.5).abs() < 1e-15),
        other => panic!("{other:?}"),
    }
    // An imaginary diagonal is not Hermitian either.
    let h = [c(1.0, 1e-3), c(0.0, 0.0), c(0.0, 0.0), c(1.0, 0.0)];
    assert!(matches!(
        DenseHamiltonian::new(2, &h),
        Err(QuantumError::NotHermitian { row: 0, col: 0, .. })
    ));
    assert!(matches!(
        DenseHamiltonian::new(2, &[c(1.0, 0.0); 3]),
        Err(QuantumError::SizeMismatch { expected: 4, got: 3 })
    ));
    assert!(matches!(
        DenseHamiltonian::new(0, &[]),
        Err(QuantumError::GridTooSmall { .. })
    ));
    let nan = [c(f64::NAN, 0.0), c(0.0, 0.0), c(0.0, 0.0), c(1.0, 0.0)];
    assert!(matches!(
        DenseHamiltonian::new(2, &nan),
        Err(QuantumError::InvalidParameter { .. })
    ));
    let ham = DenseHamiltonian::new(1, &[c(2.0, 0.0)]).unwrap();
    assert!(matches!(
        ham.evolve(&[c(1.0, 0.0); 2], &[0.0]),
        Err(QuantumError::SizeMismatch { expected: 1, got: 2 })
    ));
    assert!(matches!(
        ham.evolve(&[c(f64::INFINITY, 0.0)], &[0.0]),
        Err(QuantumError::NonFiniteState { index: 0 })
    ));
    match ham.evolve(&[c(1.0, 0.0)], &[0.0, f64::INFINITY]) {
        Err(QuantumError::InvalidParameter { name: "t", value, .. }) => assert!(value.is_infinite()),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        expectation(&[c(1.0, 0.0); 3], &[c(1.0, 0.0); 2]),
        Err(QuantumError::SizeMismatch { .. })
    ));
}

/// A one-level system only picks up the phase $e^{-iEt}$.
#[test]
fn one_level_phase() {
    let ham = DenseHamiltonian::new(1, &[c(2.0, 0.0)]).unwrap();
    let psi = ham.propagate(&[c(1.0, 0.0)], 0.3).unwrap();
    assert!((psi[0] - Complex64::from_polar(1.0, -0.6)).norm() < 1e-15);
}
