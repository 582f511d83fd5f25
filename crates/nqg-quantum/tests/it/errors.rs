//! Bad input gives typed errors, never panics.

use nqg_quantum::madelung::{MadelungSolver1D, compose_1d, decompose, residuals};
use nqg_quantum::potential::{Free, StaticFn};
use nqg_quantum::ring::Ring;
use nqg_quantum::{EigenOptions, Grid, Hamiltonian, QuantumError, Scheme, SplitStep, Units, Wavefunction};
use num_complex::Complex64;

#[test]
fn grid_errors() {
    assert!(matches!(
        Grid::new([0], [0.0], [1.0]),
        Err(QuantumError::GridTooSmall { axis: 0, .. })
    ));
    assert!(matches!(
        Grid::new([4, 1], [0.0; 2], [1.0; 2]),
        Err(QuantumError::GridTooSmall { axis: 1, .. })
    ));
    assert!(matches!(
        Grid::new([4], [0.0], [-1.0]),
        Err(QuantumError::InvalidLength { .. })
    ));
    assert!(matches!(
        Grid::new([4], [0.0], [f64::NAN]),
        Err(QuantumError::InvalidLength { .. })
    ));
    assert!(matches!(
        Grid::new([4], [f64::INFINITY], [1.0]),
        Err(QuantumError::InvalidParameter { .. })
    ));
    assert!(matches!(
        Grid::<4>::new([4; 4], [0.0; 4], [1.0; 4]),
        Err(QuantumError::UnsupportedDimension { dim: 4 })
    ));
    assert!(matches!(
        Units::new(0.0, 1.0),
        Err(QuantumError::InvalidParameter { name: "hbar", .. })
    ));
    assert!(matches!(
        Units::new(1.0, -1.0),
        Err(QuantumError::InvalidParameter { name: "mass", .. })
    ));
}

#[test]
fn state_errors() {
    let g = Grid::centered([8], [4.0]).unwrap();
    let g2 = Grid::centered([16], [4.0]).unwrap();
    let z = Complex64::new(0.0, 0.0);
    assert!(matches!(
        Wavefunction::from_vec(g.clone(), vec![z; 7]),
        Err(QuantumError::SizeMismatch { expected: 8, got: 7 })
    ));
    let mut bad = vec![Complex64::new(1.0, 0.0); 8];
    bad[3] = Complex64::new(f64::NAN, 0.0);
    assert!(matches!(
        Wavefunction::from_vec(g.clone(), bad),
        Err(QuantumError::NonFiniteState { index: 3 })
    ));
    let mut zero = Wavefunction::from_vec(g.clone(), vec![z; 8]).unwrap();
    assert!(matches!(zero.normalize(), Err(QuantumError::ZeroNorm { .. })));
    assert!(matches!(
        Wavefunction::gaussian(g.clone(), [0.0], [0.0], [0.0]),
        Err(QuantumError::InvalidParameter { name: "sigma", .. })
    ));
    // Mismatched grids in the stepper and the Hamiltonian.
    let mut p = SplitStep::new(g.clone(), Units::default(), Free, 0.1, Scheme::Strang).unwrap();
    let mut psi2 = Wavefunction::gaussian(g2.clone(), [0.0], [0.5], [0.0]).unwrap();
    assert!(matches!(
        p.step(&mut psi2),
        Err(QuantumError::GridMismatch { what: "points", .. })
    ));
    let psi = Wavefunction::gaussian(g.clone(), [0.0], [0.5], [0.0]).unwrap();
    assert!(matches!(psi.inner(&psi2), Err(QuantumError::GridMismatch { .. })));
    assert!(matches!(
        psi.potential_energy(&[0.0; 3]),
        Err(QuantumError::SizeMismatch { .. })
    ));
    let mut h = Hamiltonian::new(g.clone(), Units::default(), &Free, 0.0).unwrap();
    assert!(matches!(
        h.rayleigh(&psi2),
        Err(QuantumError::GridMismatch { .. })
    ));
    assert!(matches!(h.rayleigh(&zero), Err(QuantumError::ZeroNorm { .. })));
    assert!(matches!(
        h.eigenstates(0, EigenOptions::default()),
        Err(QuantumError::InvalidParameter { .. })
    ));
    assert!(matches!(
        h.eigenstates(8, EigenOptions::default()),
        Err(QuantumError::InvalidParameter { .. })
    ));
    zero.values_mut()[0] = Complex64::new(f64::INFINITY, 0.0);
    assert!(matches!(
        zero.check_finite(),
        Err(QuantumError::NonFiniteState { index: 0 })
    ));
}

#[test]
fn stepper_errors() {
    let g = Grid::centered([8], [4.0]).unwrap();
    for dt in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            SplitStep::new(g.clone(), Units::default(), Free, dt, Scheme::Strang),
            Err(QuantumError::InvalidTimeStep { .. })
        ));
    }
    let inf = StaticFn(|x: &[f64; 1]| if x[0] > 1.0 { f64::INFINITY } else { 0.0 });
    assert!(matches!(
        SplitStep::new(g.clone(), Units::default(), inf, 0.1, Scheme::Strang),
        Err(QuantumError::NonFinitePotential { .. })
    ));
    assert!(matches!(
        Hamiltonian::from_values(g.clone(), Units::default(), vec![f64::NAN; 8]),
        Err(QuantumError::NonFinitePotential { index: 0, .. })
    ));
    assert!(matches!(
        Hamiltonian::from_values(g.clone(), Units::default(), vec![0.0; 5]),
        Err(QuantumError::SizeMismatch { .. })
    ));
    // A time-dependent potential that becomes non-finite later.
    let late = nqg_quantum::potential::TimeFn(|_x: &[f64; 1], t: f64| if t > 0.25 { f64::NAN } else { 0.0 });
    let mut p = SplitStep::new(g.clone(), Units::default(), late, 0.1, Scheme::Strang).unwrap();
    let mut psi = Wavefunction::gaussian(g.clone(), [0.0], [0.5], [0.0]).unwrap();
    assert!(matches!(
        p.run(&mut psi, 10),
        Err(QuantumError::NonFinitePotential { .. })
    ));
    let p = SplitStep::new(g.clone(), Units::default(), Free, 0.1, Scheme::Strang).unwrap();
    assert!(matches!(
        p.with_absorbing_boundary(0.0, 1.0),
        Err(QuantumError::InvalidParameter { .. })
    ));
    assert!(matches!(
        Ring::new(-1.0, 0.0, Units::default()),
        Err(QuantumError::InvalidParameter { .. })
    ));
}

#[test]
fn madelung_errors_and_breakdown_error() {
    let g = Grid::centered([8], [4.0]).unwrap();
    let psi = Wavefunction::gaussian(g.clone(), [0.0], [0.5], [0.0]).unwrap();
    assert!(matches!(
        decompose(&psi, Units::default(), 1.5),
        Err(QuantumError::InvalidParameter { .. })
    ));
    assert!(matches!(
        compose_1d(&g, &[1.0; 8], &[f64::NAN; 8], Units::default()),
        Err(QuantumError::NonFiniteState { .. })
    ));
    assert!(matches!(
        compose_1d(&g, &[1.0; 7], &[0.0; 8], Units::default()),
        Err(QuantumError::SizeMismatch { .. })
    ));
    let snaps = [psi.clone(), psi.clone(), psi.clone(), psi.clone(), psi.clone()];
    assert!(matches!(
        residuals(&snaps, 0.0, &[0.0; 8], Units::default(), 1e-6),
        Err(QuantumError::InvalidTimeStep { .. })
    ));
    // A node in the initial data: ln rho is -inf there.
    let node = |x: f64| (Complex64::new(x, 0.0), Complex64::new(1.0, 0.0));
    let g9 = Grid::new([9], [-2.0], [4.5]).unwrap();
    assert!(matches!(
        MadelungSolver1D::from_closed_form(&g9, Units::default(), &Free, node, 0.01),
        Err(QuantumError::NonFiniteState { .. })
    ));
    let small = Grid::centered([4], [4.0]).unwrap();
    assert!(matches!(
        MadelungSolver1D::new(&small, Units::default(), &Free, vec![0.0; 4], vec![0.0; 4], 0.1),
        Err(QuantumError::GridTooSmall { .. })
    ));
    // A deep interior minimum is reported as a breakdown, and into_result turns it into the error.
    let g64 = Grid::centered([64], [16.0]).unwrap();
    let dip = |x: f64| {
        let a = (-(x * x) / 4.0).exp() * (x * x + 1e-6);
        (Complex64::new(a, 0.0), Complex64::new(0.0, 0.0))
    };
    let mut s = MadelungSolver1D::from_closed_form(&g64, Units::default(), &Free, dip, 1e-3).unwrap();
    let out = s.evolve(0.01).unwrap();
    assert!(out.breakdown.is_some());
    assert!(matches!(
        out.into_result(),
        Err(QuantumError::MadelungBreakdown { .. })
    ));
}
