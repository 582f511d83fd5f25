//! Curvature-bundle benchmarks (issue 3 performance targets). The regression guard of the peer case
//! `kerr_einstein_1e4` in docs/benchmarks.md (sympy lambdify(cse) numpy, JAX jacfwd/vmap/jit and
//! EinsteinPy, measured side by side by `cargo xtask peers`; the figures live there, not here).
//!
//! * `kerr_bundle_one_point`: Christoffel, Riemann, Ricci, Einstein, Kretschmann of Kerr (a = 0.9, BL)
//!   at one point from one Hessian pass. Target ≤ 1 µs single core, no preparation step.
//! * `kerr_jets_only` (all 4 directions) / `kerr_jets_at_reduced` (only r, θ: t and φ are cyclic),
//!   `kerr_inverse_only`, `kerr_contractions_only`: the parts of one `Curvature::at` (issue 14 profile).
//! * `kerr_bundle_1e4/serial` / `einstein_at_serial` / `batch_map_2_threads`: 10⁴ points end to end
//!   (the full bundle, $G_{ab}$ alone as the peer case times it, and the bundle on 2 threads).
//!   `einstein_at` contracts on the per-thread sparse plan (`curvature/sparse.rs`), the bundle on the
//!   dense contractions; `kerr_contractions_only` is the dense one.
//!
//! Run: `cargo bench -p nqg-geometry --bench curvature -- --warm-up-time 1 --measurement-time 3`.

use criterion::{Criterion, criterion_group, criterion_main};
use nqg_geometry::curvature::Curvature;
use nqg_geometry::metric::Metric;
use nqg_geometry::spacetimes::Kerr;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let k = Kerr::new(1.0, 0.9).expect("valid Kerr");
    let x = [0.0, 3.7, 1.1, 0.4];
    c.bench_function("kerr_bundle_one_point", |b| {
        b.iter(|| Curvature::at(black_box(&k), black_box(&x)).map(|c| c.kretschmann))
    });
    // The Hessian pass alone (metric, 4 first and 16 second derivatives of all 16 components).
    c.bench_function("kerr_jets_only", |b| {
        b.iter(|| nqg_geometry::curvature::jets(black_box(&k), black_box(&x)).ddg[1][1][1][1])
    });
    // The reduced pass `Curvature::at` uses: only r and theta differentiated (t, phi are cyclic).
    c.bench_function("kerr_jets_at_reduced", |b| {
        b.iter(|| nqg_geometry::curvature::jets_at(black_box(&k), black_box(&x)).ddg[1][1][1][1])
    });
    // The closed-form inverse, and the contractions alone (Christoffel, Riemann, Ricci, Einstein,
    // Kretschmann) from precomputed jets.
    c.bench_function("kerr_inverse_only", |b| {
        b.iter(|| black_box(&k).inverse_components(black_box(&x)).map(|g| g[3][3]))
    });
    let j = nqg_geometry::curvature::jets_at(&k, &x);
    let gi = k.inverse_components(&x).expect("inverse");
    c.bench_function("kerr_contractions_only", |b| {
        b.iter(|| Curvature::from_jets_and_inverse(black_box(&j), black_box(gi)).kretschmann)
    });
    let pts: Vec<[f64; 4]> = (0..10_000)
        .map(|i| {
            let f = i as f64 / 10_000.0;
            [
                0.0,
                2.0 + 40.0 * f,
                0.1 + 2.9 * ((i * 7919) % 10_000) as f64 / 10_000.0,
                0.3,
            ]
        })
        .collect();
    let mut g = c.benchmark_group("kerr_bundle_1e4");
    g.sample_size(20);
    g.bench_function("serial", |b| {
        b.iter(|| {
            pts.iter()
                .map(|p| Curvature::at(&k, p).map_or(0.0, |c| c.kretschmann))
                .sum::<f64>()
        })
    });
    // The Einstein tensor alone (what the peers compute), serial.
    g.bench_function("einstein_at_serial", |b| {
        b.iter(|| {
            pts.iter()
                .map(|p| Curvature::einstein_at(&k, p).map_or(0.0, |e| e[1][1]))
                .sum::<f64>()
        })
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool");
    g.bench_function("batch_map_2_threads", |b| {
        b.iter(|| {
            pool.install(|| Curvature::batch_map(&k, &pts, |c| c.map_or(f64::NAN, |c| c.kretschmann)).len())
        })
    });
    g.bench_function("batch_full_bundles_2_threads", |b| {
        b.iter(|| pool.install(|| Curvature::batch(&k, &pts).len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
