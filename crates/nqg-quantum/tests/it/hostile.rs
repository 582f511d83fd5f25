//! Hostile input (issue 15): a typed error, or an `Ok` whose every number is finite and satisfies the
//! documented invariant (norm conservation for the unitary propagators).

use nqg_quantum::potential::{Free, StaticFn};
use nqg_quantum::{EigenOptions, Grid, Hamiltonian, QuantumError, Scheme, SplitStep, Units, Wavefunction};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(f64::MIN_POSITIVE),
        Just(f64::MAX),
        Just(-1.0),
        -1e3..1e3f64,
        any::<f64>(),
    ]
}

#[test]
fn the_cases_of_the_issue_are_typed_errors() {
    // An overflowing potential used to come back from the fused Strang path as Ok with an all-NaN psi.
    let g = Grid::centered([64], [10.0]).unwrap();
    let huge = StaticFn(|x: &[f64; 1]| 1e306 * (1.0 + x[0] * x[0]));
    for scheme in [Scheme::Strang, Scheme::Yoshida4] {
        let mut p =
            SplitStep::new(g.clone(), Units::default(), huge, 1e3, scheme).unwrap_or_else(|e| panic!("{e}"));
        let mut psi = Wavefunction::gaussian(g.clone(), [0.0], [1.0], [0.0]).unwrap();
        match p.run(&mut psi, 5) {
            Err(QuantumError::Diverged { step, .. }) => assert!((1..=5).contains(&step)),
            Err(QuantumError::NonFinitePotential { .. }) => {}
            other => panic!("{scheme:?}: {other:?}"),
        }
    }
    // A state built on a box of 40 is refused by a propagator for a box of 10 (same number of points).
    let g40 = Grid::centered([64], [40.0]).unwrap();
    let mut p = SplitStep::new(g.clone(), Units::default(), Free, 0.01, Scheme::Strang).unwrap();
    let mut psi = Wavefunction::gaussian(g40, [0.0], [1.0], [0.0]).unwrap();
    let e = p.step(&mut psi).unwrap_err();
    assert!(
        matches!(e, QuantumError::GridMismatch { axis: 0, what: "length", expected, found } if expected == 10.0 && found == 40.0),
        "{e:?}"
    );
    // A state on the transposed 2D grid is refused by the Hamiltonian.
    let a = Grid::centered([8, 16], [4.0, 8.0]).unwrap();
    let b = Grid::centered([16, 8], [8.0, 4.0]).unwrap();
    let mut h = Hamiltonian::new(a, Units::default(), &Free, 0.0).unwrap();
    let psi = Wavefunction::gaussian(b, [0.0, 0.0], [1.0, 1.0], [0.0, 0.0]).unwrap();
    assert!(matches!(
        h.rayleigh(&psi),
        Err(QuantumError::GridMismatch { what: "points", .. })
    ));
    // Sizes: no overflow panic, no allocation abort.
    let mut h = Hamiltonian::new(g.clone(), Units::default(), &Free, 0.0).unwrap();
    assert!(matches!(
        h.eigenstates(usize::MAX, EigenOptions::default()),
        Err(QuantumError::InvalidParameter { name: "k", .. })
    ));
    assert!(matches!(
        Grid::new([1 << 36], [0.0], [1.0]),
        Err(QuantumError::TooLarge { requested, .. }) if requested == 1 << 36
    ));
    assert!(matches!(
        Grid::new([usize::MAX, 4], [0.0, 0.0], [1.0, 1.0]),
        Err(QuantumError::TooLarge {
            requested: usize::MAX,
            ..
        })
    ));
}

#[test]
fn an_overflowing_phase_is_reported_not_a_panic() {
    // Found by `cargo xtask fuzz` (quantum_split_step): V dt / 2ħ = inf made the phase's bit arithmetic
    // overflow (a panic with overflow checks on) instead of a typed error.
    let g = Grid::centered([16], [4.0]).unwrap();
    let v = StaticFn(|_: &[f64; 1]| f64::MAX);
    let mut p = SplitStep::new(g.clone(), Units::default(), v, 1e10, Scheme::Strang).unwrap();
    let mut psi = Wavefunction::gaussian(g, [0.0], [1.0], [0.0]).unwrap();
    assert!(matches!(
        p.run(&mut psi, 2),
        Err(QuantumError::Diverged { step: 1, .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("NQG_HOSTILE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(128),
        rng_seed: RngSeed::Fixed(20_211_028),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Arbitrary grid, units, potential strength, time step and scheme: a typed error, or a finite state
    /// whose norm is conserved (both schemes are unitary).
    #[test]
    fn split_step_is_an_error_or_finite_and_unitary(
        n in 0usize..70, len in any_f64(), hbar in any_f64(), mass in any_f64(), k in any_f64(),
        dt in any_f64(), yoshida in any::<bool>(), x0 in any_f64(), s0 in any_f64(),
    ) {
        let Ok(g) = Grid::centered([n], [len]) else { return Ok(()) };
        let Ok(units) = Units::new(hbar, mass) else { return Ok(()) };
        let scheme = if yoshida { Scheme::Yoshida4 } else { Scheme::Strang };
        let v = StaticFn(move |x: &[f64; 1]| 0.5 * k * x[0] * x[0]);
        let Ok(mut p) = SplitStep::new(g.clone(), units, v, dt, scheme) else { return Ok(()) };
        let Ok(mut psi) = Wavefunction::gaussian(g, [x0], [s0], [0.0]) else { return Ok(()) };
        if psi.normalize().is_err() { return Ok(()) }
        match p.run(&mut psi, 4) {
            Ok(()) => {
                prop_assert!(psi.values().iter().all(|z| z.re.is_finite() && z.im.is_finite()));
                let norm = psi.norm();
                prop_assert!((norm - 1.0).abs() < 1e-9, "norm {norm}");
            }
            Err(e) => prop_assert!(
                matches!(e, QuantumError::Diverged { .. } | QuantumError::NonFinitePotential { .. }),
                "{e:?}"
            ),
        }
    }
}

/// Second pass of issue 15: what `cargo xtask census` found in nqg-quantum, one assertion per fix.
#[test]
fn census_findings_are_typed_errors_with_their_values() {
    use nqg_quantum::action_flow::{ActionCoefficients, BoxActionFlow, GaussianAction};
    use nqg_quantum::potential::{Barrier, Harmonic};
    use nqg_quantum::ring::Ring;
    // A subnormal box length gave a zero spacing.
    assert!(matches!(
        Grid::centered([64], [5e-324]),
        Err(QuantumError::InvalidLength { axis: 0, length }) if length == 5e-324
    ));
    // A Chebyshev degree of 2^40 per sweep never returned.
    let mut h = Hamiltonian::new(
        Grid::centered([64], [10.0]).unwrap(),
        Units::default(),
        &Free,
        0.0,
    )
    .unwrap();
    let opts = EigenOptions {
        degree: 1 << 40,
        ..EigenOptions::default()
    };
    assert!(matches!(
        h.eigenstates(2, opts),
        Err(QuantumError::InvalidParameter { name: "degree", .. })
    ));
    // Ring::levels(usize::MAX) returned 3 levels (overflowed span), 2^40 aborted.
    let ring = Ring::new(1.0, 0.1, Units::default()).unwrap();
    assert!(matches!(
        ring.levels(usize::MAX),
        Err(QuantumError::TooLarge { .. })
    ));
    let l = ring.levels(3).unwrap();
    // E_n = (n - Φ/2π)² / 2 for ħ = m = R = 1: n = 0, 1, -1 in that order for Φ = 0.1.
    let s = 0.1 / (2.0 * std::f64::consts::PI);
    assert_eq!(l.iter().map(|p| p.0).collect::<Vec<_>>(), vec![0, 1, -1]);
    assert!((l[1].1 - 0.5 * (1.0 - s) * (1.0 - s)).abs() < 1e-15);
    // Struct literals with bad public fields are re-validated where they are used.
    let bad = ActionCoefficients {
        gamma: 0.5,
        diffusion: f64::NAN,
        mu: 1.0,
    };
    let e = BoxActionFlow::new(bad, -5.0, 0.1, 100, |x| 0.5 * x * x).unwrap_err();
    assert!(
        matches!(
            e,
            QuantumError::InvalidParameter {
                name: "diffusion",
                ..
            }
        ),
        "{e:?}"
    );
    let mut g = GaussianAction {
        coef: bad,
        stiffness: 1.0,
        y: [0.0, 0.0, -0.5, 0.0, 0.0, 0.0],
    };
    assert!(matches!(
        g.run(0.01, 3),
        Err(QuantumError::InvalidParameter {
            name: "diffusion",
            ..
        })
    ));
    let good = ActionCoefficients::new(0.5, 0.5, 1.0).unwrap();
    assert!(matches!(
        BoxActionFlow::new(good, -5.0, 0.1, 1 << 40, |x| x),
        Err(QuantumError::TooLarge { requested, .. }) if requested == 1 << 40
    ));
    // A barrier of NaN width was V = 0 everywhere, returned as Ok.
    let g = Grid::centered([64], [10.0]).unwrap();
    let b = Barrier {
        height: 1.0,
        center: 0.0,
        width: f64::NAN,
    };
    let e = Hamiltonian::new(g.clone(), Units::default(), &b, 0.0).unwrap_err();
    assert!(
        matches!(e, QuantumError::InvalidParameter { name: "width", .. }),
        "{e:?}"
    );
    let hm = Harmonic {
        mass: 1.0,
        omega: [f64::NAN],
        center: [0.0],
    };
    assert!(matches!(
        SplitStep::new(g, Units::default(), hm, 0.01, Scheme::Strang),
        Err(QuantumError::InvalidParameter { name: "omega", .. })
    ));
}
