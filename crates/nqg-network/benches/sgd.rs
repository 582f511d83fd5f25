//! Teacher-student SGD ensemble throughput (N-1 setting: K = 2, M = 1, Σ = diag(1, 0.25), s = 0.5).
//!
//! Target (issue 6): >= 20 million replica-steps per second on 2 cores. The regression guard of the
//! peer case `sgd_teacher_student` in docs/benchmarks.md (vectorised numpy and JAX lax.scan, measured
//! side by side by `cargo xtask peers`).
//!
//! Run: `cargo bench -p nqg-network --bench sgd -- --warm-up-time 1 --measurement-time 3`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nqg_network::ensemble::Ensemble;
use nqg_network::learning::{SgdConfig, TeacherStudentSgd};

fn bench(c: &mut Criterion) {
    let p = nqg_network::testcases::teacher_student().expect("valid problem");
    let sgd =
        TeacherStudentSgd::online(p, SgdConfig::new(0.05, 1).expect("valid config")).expect("valid config");
    let replicas = 100_000;
    let steps = 100;
    let mut ens =
        Ensemble::new(&sgd, replicas, 1, |_, _, q| q.copy_from_slice(&[1.0, -0.5])).expect("ensemble");
    let mut g = c.benchmark_group("teacher_student_sgd");
    g.throughput(Throughput::Elements((replicas * steps) as u64));
    g.sample_size(10);
    g.bench_function("K2_M1_1e5_replicas_x_100_steps", |b| {
        b.iter(|| ens.advance(&sgd, steps).expect("advance"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
