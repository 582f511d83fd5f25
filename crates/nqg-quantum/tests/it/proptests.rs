//! Property tests: unitarity for random states and potentials, and no panics on arbitrary input.

use nqg_quantum::madelung::decompose;
use nqg_quantum::potential::StaticFn;
use nqg_quantum::{Grid, Scheme, SplitStep, Units, Wavefunction};
use num_complex::Complex64;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn split_step_is_unitary(
        re in prop::collection::vec(-1.0f64..1.0, 64),
        im in prop::collection::vec(-1.0f64..1.0, 64),
        v0 in -5.0f64..5.0,
        v1 in -5.0f64..5.0,
        dt in 1e-3f64..0.5,
        yoshida in any::<bool>(),
        hbar in 0.2f64..3.0,
        mass in 0.2f64..3.0,
    ) {
        let g = Grid::centered([64], [10.0]).unwrap();
        let data: Vec<Complex64> = re.iter().zip(&im).map(|(a, b)| Complex64::new(*a, *b)).collect();
        let mut psi = Wavefunction::from_vec(g.clone(), data).unwrap();
        prop_assume!(psi.norm() > 1e-3);
        let n0 = psi.norm();
        let pot = StaticFn(move |x: &[f64; 1]| v0 * x[0].sin() + v1 * x[0] * x[0] / 10.0);
        let scheme = if yoshida { Scheme::Yoshida4 } else { Scheme::Strang };
        let mut p = SplitStep::new(g, Units::new(hbar, mass).unwrap(), pot, dt, scheme).unwrap();
        p.run(&mut psi, 50).unwrap();
        // 50 (or 150) unitary FFT pairs and diagonal phases: round-off growth only, ~1e-14 relative.
        prop_assert!(((psi.norm() - n0) / n0).abs() < 1e-12);
    }

    #[test]
    fn public_api_never_panics(
        n in 0usize..40,
        len in -5.0f64..50.0,
        dt in -1.0f64..1.0,
        hbar in -1.0f64..2.0,
        val in prop::num::f64::ANY,
        eps in -1.0f64..2.0,
    ) {
        let g = Grid::centered([n], [len]);
        if let Ok(g) = g {
            let units = Units { hbar, mass: 1.0 };
            let psi = Wavefunction::from_fn(g.clone(), |x| Complex64::new(val * x[0], 1.0));
            if let Ok(mut psi) = psi {
                let _ = psi.normalize();
                let _ = decompose(&psi, units, eps);
                if let Ok(mut p) = SplitStep::new(g.clone(), units, StaticFn(move |_x: &[f64; 1]| val), dt, Scheme::Strang) {
                    let _ = p.run(&mut psi, 3);
                    let _ = p.energy(&psi);
                }
                let _ = psi.width();
                if let Ok(mut h) = nqg_quantum::Hamiltonian::from_values(g.clone(), units, vec![val; g.len()]) {
                    let opts = nqg_quantum::EigenOptions { max_sweeps: 5, ..Default::default() };
                    let _ = h.eigenstates(1, opts);
                    let it = nqg_quantum::ImaginaryTimeOptions { max_steps: 50, dt0: dt.abs(), ..Default::default() };
                    let _ = h.ground_state(Some(psi.clone()), it);
                }
                let l: Vec<f64> = g.axis(0).iter().map(|x| -x * x * eps).collect();
                let u: Vec<f64> = g.axis(0).iter().map(|x| val * x).collect();
                if let Ok(mut m) = nqg_quantum::madelung::MadelungSolver1D::new(
                    &g,
                    units,
                    &StaticFn(move |x: &[f64; 1]| x[0] * eps),
                    l,
                    u,
                    dt,
                ) {
                    let _ = m.evolve(10.0 * dt.abs());
                }
                let _ = nqg_quantum::circulation::circulation_1d(&psi, units);
                let _ = nqg_quantum::circulation::winding_number(psi.values());
            }
        }
    }
}
