//! Euler-Maruyama Ornstein-Uhlenbeck ensemble, $10^5$ members $\times$ $10^3$ steps ($dt = 0.005$).
//!
//! Target (issue 5): $\le 0.25$ s on 2 cores, i.e. $\ge 400$ M member-steps/s. The regression guard of
//! the peer case `ou_ensemble` in docs/benchmarks.md (plain JAX lax.scan, numpy and diffrax, measured
//! side by side by `cargo xtask peers`).

use criterion::{Criterion, criterion_group, criterion_main};
use nqg_thermo::ensemble::{EnsembleSpec, run_ensemble};
use nqg_thermo::sde::{LinearOu, Scheme};

fn bench(c: &mut Criterion) {
    let ou = LinearOu::new(vec![1.0], 0.125, vec![0.0], vec![0.0]).expect("valid OU");
    let spec = EnsembleSpec {
        scheme: Scheme::EulerMaruyama,
        dt: 0.005,
        steps: 1000,
        members: 100_000,
        t0: 0.0,
        observe: vec![],
    };
    let mut g = c.benchmark_group("ensemble");
    g.sample_size(10);
    g.bench_function("em_ou_1e5x1e3", |b| {
        b.iter(|| run_ensemble(&ou, &spec, 1, |_, _, x| x[0] = 0.0).expect("runs"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
