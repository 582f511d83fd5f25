//! [`SplitStep::with_threads`]: the multi-threaded 2D step is the serial step, bit for bit.

use super::*;
use crate::potential::Harmonic;
use crate::testcases::TrapPacket;

fn bits(psi: &Wavefunction<2>) -> Vec<(u64, u64)> {
    psi.values()
        .iter()
        .map(|z| (z.re.to_bits(), z.im.to_bits()))
        .collect()
}

/// A packet in the unit trap (the peer case at 256² would be slow in a test; 64 × 48 has partial
/// tiles on neither axis, 50 × 36 on both): 1 step, 37 fused steps, and the Yoshida path, on 2 and 3 threads.
#[test]
fn threads_are_bit_identical_to_serial() {
    for n in [[64, 48], [50, 36]] {
        let grid = Grid::centered(n, [20.0, 16.0]).unwrap();
        let psi0 = Wavefunction::gaussian(grid.clone(), [3.0, 0.0], [0.7, 0.7], [0.0, 2.0]).unwrap();
        let pot = Harmonic::<2>::isotropic(1.0, 1.0);
        for scheme in [Scheme::Strang, Scheme::Yoshida4] {
            for steps in [1, 37] {
                let mut serial = psi0.clone();
                let mut p = SplitStep::new(grid.clone(), Units::default(), pot, 0.01, scheme).unwrap();
                p.run(&mut serial, steps).unwrap();
                for threads in [2, 3] {
                    let mut par = psi0.clone();
                    let mut q = SplitStep::new(grid.clone(), Units::default(), pot, 0.01, scheme)
                        .unwrap()
                        .with_threads(threads)
                        .unwrap();
                    assert_eq!(q.threads(), threads);
                    q.run(&mut par, steps).unwrap();
                    assert_eq!(
                        bits(&par),
                        bits(&serial),
                        "{n:?} {scheme:?} {steps} steps, {threads} threads"
                    );
                    assert_eq!(q.time(), p.time());
                }
            }
        }
    }
}

/// `threads = 0` is a typed error carrying the value; 1 is serial; a 1D grid stays serial.
#[test]
fn thread_count_is_checked() {
    let case = TrapPacket::<2>::new(16, 20.0, [3.0, 0.0], [0.0, 2.0]).unwrap();
    let p = case.propagator(0.01, Scheme::Strang).unwrap();
    match p.with_threads(0) {
        Err(QuantumError::InvalidParameter { name, value, .. }) => {
            assert_eq!((name, value), ("threads", 0.0))
        }
        other => panic!("{other:?}"),
    }
    let p = case
        .propagator(0.01, Scheme::Strang)
        .unwrap()
        .with_threads(1)
        .unwrap();
    assert_eq!(p.threads(), 1);
    let one = TrapPacket::<1>::new(64, 20.0, [3.0], [0.0]).unwrap();
    let p = one
        .propagator(0.01, Scheme::Strang)
        .unwrap()
        .with_threads(2)
        .unwrap();
    assert_eq!(p.threads(), 1);
}

/// A diverging 2D state on 2 threads reports `Diverged` like the serial step.
#[test]
fn threaded_divergence_is_reported() {
    let grid = Grid::centered([32, 32], [20.0, 20.0]).unwrap();
    let mut psi = Wavefunction::gaussian(grid.clone(), [0.0, 0.0], [1.0, 1.0], [0.0, 0.0]).unwrap();
    psi.values_mut()[5] = Complex64::new(f64::MAX, f64::MAX);
    let mut p = SplitStep::new(
        grid,
        Units::default(),
        Harmonic::<2>::isotropic(1.0, 1.0),
        0.01,
        Scheme::Strang,
    )
    .unwrap()
    .with_threads(2)
    .unwrap();
    assert!(matches!(
        p.run(&mut psi, 3),
        Err(QuantumError::Diverged { step: 1, .. })
    ));
}
