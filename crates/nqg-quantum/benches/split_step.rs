//! Split-step and ground-state benchmarks (issue 4 targets). The regression guard of the peer cases
//! `strang_1d_1024`, `strang_1d_4096` and `strang_2d_256` in docs/benchmarks.md (JAX jnp.fft jit,
//! scipy.fft, numpy.fft, measured side by side by `cargo xtask peers`; the figures live there):
//!
//! - 1D harmonic oscillator, N = 4096, one Strang step: target <= 25 us.
//! - 2D harmonic oscillator, 256 x 256, one Strang step: target <= 1.0 ms.
//! - imaginary-time ground state of the 1D oscillator on 1024 points to 1e-10: target <= 50 ms.
//!
//! Run: `cargo bench -p nqg-quantum --bench split_step -- --warm-up-time 1 --measurement-time 3`.

use criterion::{Criterion, criterion_group, criterion_main};
use nqg_quantum::potential::Harmonic;
use nqg_quantum::{Grid, Hamiltonian, ImaginaryTimeOptions, Scheme, SplitStep, Units, Wavefunction};

fn bench(c: &mut Criterion) {
    // The floor: one forward + inverse rustfft pair of the same size (a Strang step is this plus three
    // pointwise complex multiplications).
    {
        use num_complex::Complex64;
        let mut planner = rustfft::FftPlanner::<f64>::new();
        let f = planner.plan_fft_forward(4096);
        let i = planner.plan_fft_inverse(4096);
        let mut buf = vec![Complex64::new(1.0, 0.5); 4096];
        let mut scratch =
            vec![Complex64::new(0.0, 0.0); f.get_inplace_scratch_len().max(i.get_inplace_scratch_len())];
        c.bench_function("rustfft_4096_forward_inverse", |b| {
            b.iter(|| {
                f.process_with_scratch(&mut buf, &mut scratch);
                i.process_with_scratch(&mut buf, &mut scratch);
                buf.iter_mut().for_each(|z| *z /= 4096.0);
            })
        });
    }
    let grid = Grid::centered([4096], [60.0]).unwrap();
    let mut psi = Wavefunction::gaussian(grid.clone(), [3.0], [0.5f64.sqrt()], [0.0]).unwrap();
    let mut p = SplitStep::new(
        grid,
        Units::default(),
        Harmonic::<1>::isotropic(1.0, 1.0),
        1e-3,
        Scheme::Strang,
    )
    .unwrap();
    c.bench_function("strang_1d_n4096_step", |b| b.iter(|| p.step(&mut psi).unwrap()));
    // 100 fused steps per iteration (consecutive half kicks merged): divide the time by 100.
    c.bench_function("strang_1d_n4096_100_steps", |b| {
        b.iter(|| p.run(&mut psi, 100).unwrap())
    });

    let grid2 = Grid::centered([256, 256], [30.0, 30.0]).unwrap();
    let mut psi2 = Wavefunction::gaussian(grid2.clone(), [3.0, 0.0], [0.7, 0.7], [0.0, 1.0]).unwrap();
    let mut p2 = SplitStep::new(
        grid2,
        Units::default(),
        Harmonic::<2>::isotropic(1.0, 1.0),
        1e-3,
        Scheme::Strang,
    )
    .unwrap();
    c.bench_function("strang_2d_256x256_step", |b| {
        b.iter(|| p2.step(&mut psi2).unwrap())
    });

    let grid3 = Grid::centered([1024], [40.0]).unwrap();
    let h = Hamiltonian::new(grid3, Units::default(), &Harmonic::<1>::isotropic(1.0, 1.0), 0.0).unwrap();
    c.bench_function("imag_time_ground_state_1024_tol1e-10", |b| {
        b.iter(|| {
            let mut h = h.clone();
            let g = h.ground_state(None, ImaginaryTimeOptions::default()).unwrap();
            assert!((g.energy - 0.5).abs() < 1e-10);
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
