//! One implicit Fokker-Planck step on 4096 cells (Scharfetter-Gummel finite volume, Crank-Nicolson and
//! backward Euler, factorisation reused across steps; `*_split*`: the partitioned solve of
//! `Stepper1d::with_split`).
//!
//! Target (issue 5): $\le 25$ µs per step. The regression guard of the peer case `fokker_planck_4096`
//! in docs/benchmarks.md (scipy.sparse `splu` Crank-Nicolson on the same 4096 cells, measured side by
//! side by `cargo xtask peers`).

use criterion::{Criterion, criterion_group, criterion_main};
use nqg_thermo::fp::{Boundary, FokkerPlanck1d, Grid1d, Method, Stepper1d};

fn bench(c: &mut Criterion) {
    let g = Grid1d::new(-3.0, 3.0, 4096).expect("grid");
    let op = FokkerPlanck1d::from_potential(g, 0.25, Boundary::Reflecting, |x| (x * x - 1.0).powi(2))
        .expect("operator");
    let mut grp = c.benchmark_group("fokker_planck");
    for (name, m) in [
        ("cn_4096", Method::CrankNicolson),
        ("be_4096", Method::BackwardEuler),
    ] {
        let mut st = Stepper1d::new(&op, 1e-3, m).expect("stepper");
        let mut p = g.density(|x| (-(x - 0.5f64).powi(2) / 0.05).exp());
        grp.bench_function(name, |b| b.iter(|| st.step(&mut p).expect("step")));
    }
    // The opt-in partitioned solve (`Stepper1d::with_split`), P = 4 and 8 blocks.
    for (name, m, lanes) in [
        ("cn_4096_split4", Method::CrankNicolson, 4),
        ("cn_4096_split8", Method::CrankNicolson, 8),
        ("be_4096_split8", Method::BackwardEuler, 8),
    ] {
        let mut st = Stepper1d::with_split(&op, 1e-3, m, lanes).expect("stepper");
        let mut p = g.density(|x| (-(x - 0.5f64).powi(2) / 0.05).exp());
        grp.bench_function(name, |b| b.iter(|| st.step(&mut p).expect("step")));
    }
    grp.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
