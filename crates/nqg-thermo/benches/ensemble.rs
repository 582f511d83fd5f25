//! Euler-Maruyama Ornstein-Uhlenbeck ensemble, $10^5$ members $\times$ $10^3$ steps ($dt = 0.005$),
//! [`nqg_thermo::testcases::OU_BENCH`].
//!
//! The regression guard of the peer case `ou_ensemble` in docs/benchmarks.md (plain JAX lax.scan,
//! numpy and diffrax, measured side by side by `cargo xtask peers`). Two more groups say where the
//! time goes: `normals_1e6` ($10^6$ ziggurat normals from one member stream, one thread: ns per
//! normal) and `em_steps_1e6_no_rng` ($10^6$ lane-interleaved OU steps on stored normals, one
//! thread: the step loop alone).

use criterion::{Criterion, criterion_group, criterion_main};
use nqg_thermo::ensemble::{EnsembleSpec, run_ensemble};
use nqg_thermo::rng::{member_rng, normal};
use nqg_thermo::sde::Scheme;
use nqg_thermo::testcases::OU_BENCH;

fn bench(c: &mut Criterion) {
    let (case, dt, steps, members) = OU_BENCH;
    let ou = case.sde().expect("valid OU");
    let spec = EnsembleSpec {
        scheme: Scheme::EulerMaruyama,
        dt,
        steps,
        members,
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

fn parts(c: &mut Criterion) {
    let (case, dt, _, _) = OU_BENCH;
    let mut g = c.benchmark_group("ensemble_parts");
    g.sample_size(20);
    g.bench_function("normals_1e6", |b| {
        let mut rng = member_rng(1, 0);
        b.iter(|| {
            let mut s = 0.0;
            for _ in 0..1_000_000 {
                s += normal(&mut rng);
            }
            s
        })
    });
    g.bench_function("em_steps_1e6_no_rng", |b| {
        // 8 lanes x 64 stored normals, the shape of the ensemble's scalar path, 1e6 steps in all.
        let mut rng = member_rng(2, 0);
        let z: Vec<[f64; 8]> = (0..64)
            .map(|_| std::array::from_fn(|_| dt.sqrt() * normal(&mut rng)))
            .collect();
        let (th, bn) = (case.theta, (2.0 * case.d).sqrt());
        b.iter(|| {
            let mut x = [0.0f64; 8];
            for _ in 0..(1_000_000 / (8 * 64)) {
                for zj in &z {
                    for l in 0..8 {
                        x[l] += -th * x[l] * dt + bn * zj[l];
                    }
                }
            }
            x
        })
    });
    g.finish();
}

criterion_group!(benches, bench, parts);
criterion_main!(benches);
