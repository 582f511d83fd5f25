//! Learn the speed field of a leapfrog ring by online SGD from noisy trajectories (THEORY.md N-7, E-5)
//! and watch the error fall as 1/√n in the number of samples n.
//!
//! Run with `cargo run --release -p nqg-network --example noisy_sgd_speed`.

use nqg_network::lattice::{Leapfrog1D, speed_from_couplings};
use nqg_network::noisy_fit::{fit_pattern_online, noisy_leapfrog_pairs};
use nqg_network::rng::member_rng;

fn main() -> nqg_network::Result<()> {
    let l = 64;
    let c: Vec<f64> = (0..l)
        .map(|s| 1.0 + 0.3 * (2.0 * std::f64::consts::PI * s as f64 / l as f64).sin())
        .collect();
    let dt = 0.9 / 1.3;
    let truth = Leapfrog1D::from_speed(&c, dt, 1.0, 0.0)?;
    let start = Leapfrog1D::from_speed(&vec![1.0; l], dt, 1.0, 0.0)?
        .to_network()?
        .weights()
        .clone();
    println!(
        "{:>10} {:>14} {:>14}",
        "samples n", "rms rel error", "error * sqrt(n)"
    );
    for trajectories in [256, 1024, 4096] {
        let mut rng = member_rng(7, trajectories as u64);
        let mut pairs = Vec::new();
        for _ in 0..trajectories {
            pairs.extend(noisy_leapfrog_pairs(&truth, 16, 0.01, &mut rng)?);
        }
        let n = pairs.len();
        let fit = fit_pattern_online(&start, pairs, 0.2, n / 2)?;
        let learned = speed_from_couplings(&fit.averaged, dt, 1.0)?;
        let err = (learned
            .iter()
            .zip(&c)
            .map(|(a, b)| ((a - b) / b).powi(2))
            .sum::<f64>()
            / l as f64)
            .sqrt();
        println!("{n:>10} {err:>14.3e} {:>14.4}", err * (n as f64).sqrt());
    }
    Ok(())
}
