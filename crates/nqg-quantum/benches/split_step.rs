//! Split-step and ground-state benchmarks. The regression guard of the peer cases `strang_1d_1024`,
//! `strang_1d_4096` and `strang_2d_256` in docs/benchmarks.md (JAX jnp.fft jit, scipy.fft, numpy.fft,
//! measured side by side by `cargo xtask peers`; the figures live there). Issue 14 targets: 1D N = 4096
//! <= 14 us/step, 2D 256² <= 290 us/step, within 1.2x of the FFT pair's own time.
//!
//! The `floor/*` groups measure where a step's time goes: the rustfft forward + inverse pair alone
//! (in place, and out of place as the propagator uses it), one pointwise complex multiply pass, and in
//! 2D the four row-FFT batches and the blocked transposes a step needs. `strang_2d_256x256_10_steps_2_threads`
//! is the same run with `SplitStep::with_threads(2)`.
//!
//! Run: `cargo bench -p nqg-quantum --bench split_step -- --warm-up-time 1 --measurement-time 3`.

use criterion::{Criterion, criterion_group, criterion_main};
use nqg_quantum::potential::Harmonic;
use nqg_quantum::testcases::TrapPacket;
use nqg_quantum::{Grid, Hamiltonian, ImaginaryTimeOptions, Scheme, Units};
use num_complex::Complex64;

fn floor_1d(c: &mut Criterion, n: usize) {
    let mut planner = rustfft::FftPlanner::<f64>::new();
    let f = planner.plan_fft_forward(n);
    let i = planner.plan_fft_inverse(n);
    let mut buf = vec![Complex64::new(1.0, 0.5); n];
    let mut out = buf.clone();
    let mult = vec![Complex64::new(0.6, 0.8) / n as f64; n];
    let len = [
        f.get_inplace_scratch_len(),
        i.get_inplace_scratch_len(),
        f.get_outofplace_scratch_len(),
        i.get_outofplace_scratch_len(),
    ];
    let mut scratch = vec![Complex64::new(0.0, 0.0); len.into_iter().max().unwrap_or(0)];
    c.bench_function(&format!("floor/fft_pair_inplace_{n}"), |b| {
        b.iter(|| {
            f.process_with_scratch(&mut buf, &mut scratch);
            i.process_with_scratch(&mut buf, &mut scratch);
        })
    });
    c.bench_function(&format!("floor/fft_pair_outofplace_{n}"), |b| {
        b.iter(|| {
            f.process_outofplace_with_scratch(&mut buf, &mut out, &mut scratch);
            i.process_outofplace_with_scratch(&mut out, &mut buf, &mut scratch);
        })
    });
    c.bench_function(&format!("floor/pointwise_mult_{n}"), |b| {
        b.iter(|| buf.iter_mut().zip(&mult).for_each(|(z, m)| *z *= m))
    });
}

fn floor_2d(c: &mut Criterion, n: usize) {
    let mut planner = rustfft::FftPlanner::<f64>::new();
    let f = planner.plan_fft_forward(n);
    let i = planner.plan_fft_inverse(n);
    let mut buf = vec![Complex64::new(1.0, 0.5); n * n];
    let mut tr = buf.clone();
    let len = f.get_inplace_scratch_len().max(i.get_inplace_scratch_len());
    let mut scratch = vec![Complex64::new(0.0, 0.0); len];
    // A 2D kinetic step needs 2n forward and 2n inverse FFTs of length n: four batches of n rows.
    c.bench_function(&format!("floor/fft_rows_x4_{n}x{n}"), |b| {
        b.iter(|| {
            f.process_with_scratch(&mut buf, &mut scratch);
            i.process_with_scratch(&mut buf, &mut scratch);
            f.process_with_scratch(&mut buf, &mut scratch);
            i.process_with_scratch(&mut buf, &mut scratch);
        })
    });
    c.bench_function(&format!("floor/transpose_x2_{n}x{n}"), |b| {
        b.iter(|| {
            transpose(&buf, &mut tr, n, n);
            transpose(&tr, &mut buf, n, n);
        })
    });
}

fn transpose(src: &[Complex64], dst: &mut [Complex64], rows: usize, cols: usize) {
    const T: usize = 16;
    for r0 in (0..rows).step_by(T) {
        for c0 in (0..cols).step_by(T) {
            for r in r0..(r0 + T).min(rows) {
                for c in c0..(c0 + T).min(cols) {
                    dst[c * rows + r] = src[r * cols + c];
                }
            }
        }
    }
}

fn strang_1d(c: &mut Criterion, n: usize, length: f64) {
    // The peer cases strang_1d_1024 / strang_1d_4096: the coherent packet at x0 = 3, dt = 0.01.
    let case = TrapPacket::<1>::new(n, length, [3.0], [0.0]).unwrap();
    let mut psi = case.psi0.clone();
    let mut p = case.propagator(1e-2, Scheme::Strang).unwrap();
    if n == 4096 {
        c.bench_function("strang_1d_n4096_step", |b| b.iter(|| p.step(&mut psi).unwrap()));
    }
    // 100 fused steps per iteration (consecutive half kicks merged): divide the time by 100.
    c.bench_function(&format!("strang_1d_n{n}_100_steps"), |b| {
        b.iter(|| p.run(&mut psi, 100).unwrap())
    });
}

fn bench(c: &mut Criterion) {
    floor_1d(c, 1024);
    floor_1d(c, 4096);
    floor_2d(c, 256);
    strang_1d(c, 1024, 40.0);
    strang_1d(c, 4096, 40.0);

    // The peer case strang_2d_256: box 20, x0 = (3, 0), k0 = (0, 2), dt = 0.01.
    let case2 = TrapPacket::<2>::new(256, 20.0, [3.0, 0.0], [0.0, 2.0]).unwrap();
    let mut psi2 = case2.psi0.clone();
    let mut p2 = case2.propagator(1e-2, Scheme::Strang).unwrap();
    c.bench_function("strang_2d_256x256_step", |b| {
        b.iter(|| p2.step(&mut psi2).unwrap())
    });
    c.bench_function("strang_2d_256x256_10_steps", |b| {
        b.iter(|| p2.run(&mut psi2, 10).unwrap())
    });
    // The same 10 fused steps with the kinetic factor on 2 threads (bit-identical to the serial step).
    let mut p2t = case2
        .propagator(1e-2, Scheme::Strang)
        .unwrap()
        .with_threads(2)
        .unwrap();
    c.bench_function("strang_2d_256x256_10_steps_2_threads", |b| {
        b.iter(|| p2t.run(&mut psi2, 10).unwrap())
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
