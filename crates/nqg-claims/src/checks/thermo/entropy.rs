//! `thermo.entropy`: the Kozachenko-Leonenko kNN estimator measures the entropy of an ensemble (the
//! entropy $S = -\int p\ln p$ whose rate S-FP1 and N-2 compare; THEORY.md §3.1).
//!
//! For a Gaussian with covariance $C$ in $d$ dimensions $S = \tfrac12\ln\left((2\pi e)^d\det C\right)$; the
//! weighted estimator combines $k = 1..8$ neighbour distances (Berrett-Samworth-Yuan weights) and
//! reports its own standard error.

use nqg_thermo::entropy::{gaussian_entropy, knn_entropy_weighted};
use nqg_thermo::rng::normal;
use serde::Serialize;

use crate::{CheckResult, Criterion, Evidence, Provenance, Registry, Role, RunContext};

/// Register `thermo.entropy`.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "thermo.entropy",
        "The Kozachenko-Leonenko kNN estimator measures the entropy of an ensemble within its error estimate",
        Provenance::Textbook,
    )
    .check(
        "thermo.entropy.knn_gaussian",
        "Weighted kNN (k = 1..8) entropy of correlated Gaussian samples in d = 1, 2, 5 against \
         1/2 ln((2 pi e)^d det C): the worst z = (S_kNN - S) / (error estimate)",
        Role::Solver,
        knn_gaussian,
    )
    .theory("S-FP1");
}

#[derive(Serialize)]
struct KnnParams {
    samples: usize,
    k: usize,
    dimensions: [usize; 3],
    estimator: &'static str,
    sigmas: f64,
}

fn knn_gaussian(ctx: &RunContext) -> CheckResult {
    let p = KnnParams {
        samples: ctx.pick(4000, 20_000),
        k: 8,
        dimensions: [1, 2, 5],
        estimator: "weighted Kozachenko-Leonenko, k = 1..8 (Berrett-Samworth-Yuan weights)",
        sigmas: 4.0,
    };
    let n = p.samples;
    let mut rng = ctx.rng();
    let mut worst = 0.0_f64;
    let mut rows = Vec::new();
    for d in p.dimensions {
        // Covariance L L^T with L lower triangular: diagonal 1 + i/2, sub-diagonal 0.4.
        let mut l = vec![0.0; d * d];
        for i in 0..d {
            l[i * d + i] = 1.0 + 0.5 * i as f64;
            if i > 0 {
                l[i * d + i - 1] = 0.4;
            }
        }
        let mut cov = vec![0.0; d * d];
        for i in 0..d {
            for j in 0..d {
                cov[i * d + j] = (0..d).map(|m| l[i * d + m] * l[j * d + m]).sum();
            }
        }
        let mut xs = vec![0.0; n * d];
        let mut z = vec![0.0; d];
        for s in 0..n {
            for v in z.iter_mut() {
                *v = normal(&mut rng);
            }
            for i in 0..d {
                xs[s * d + i] = (0..=i).map(|m| l[i * d + m] * z[m]).sum();
            }
        }
        let est = knn_entropy_weighted(&xs, d, p.k)?;
        let exact = gaussian_entropy(&cov, d)?;
        let zsc = (est.entropy - exact) / est.std_error;
        if zsc.abs() > worst.abs() {
            worst = zsc;
        }
        rows.push((d, est, exact, zsc));
    }
    let mut ev = Evidence::new(
        "worst z = (S_kNN - S_exact) / error estimate",
        worst,
        0.0,
        Criterion::Sigmas(p.sigmas),
    )
    .with_uncertainty(1.0)
    .params_from(&p);
    for (d, est, exact, zsc) in rows {
        ev = ev
            .detail(format!("d = {d}: S_kNN"), est.entropy, Some(exact))
            .detail(format!("d = {d}: error estimate"), est.std_error, None)
            .detail(format!("d = {d}: z"), zsc, Some(0.0));
    }
    Ok(ev.into())
}
