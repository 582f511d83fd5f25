//! One step of the 2D leapfrog lattice network (256 x 256 neurons, periodic, 5-point stencil).
//!
//! Target (issue 6): <= 0.5 ms per step. No peer runs this exact update; the comparably sized 2D
//! update with peers is the case `strang_2d_256` in docs/benchmarks.md (`cargo xtask peers`).
//!
//! Run: `cargo bench -p nqg-network --bench lattice -- --warm-up-time 1 --measurement-time 3`.

use criterion::{Criterion, criterion_group, criterion_main};
use nqg_network::lattice::Leapfrog2D;

fn bench(c: &mut Criterion) {
    let n = 256;
    let lf = Leapfrog2D::uniform(n, n, 0.6, 0.1).expect("stable");
    let mut cur: Vec<f64> = (0..n * n)
        .map(|i| ((i % n) as f64 * 0.1).sin() * ((i / n) as f64 * 0.07).cos())
        .collect();
    let mut prev = cur.clone();
    c.bench_function("leapfrog2d_256x256_step", |b| {
        b.iter(|| {
            lf.step(&cur, &mut prev).expect("step");
            std::mem::swap(&mut cur, &mut prev);
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
