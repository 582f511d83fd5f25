//! Error bars of a time average of a correlated series, against the closed form.
//!
//! An AR(1) series $x_{t+1} = \phi x_t + \xi_t$ ($\xi_t$ standard normal) has
//! $\sigma^2 = 1/(1-\phi^2)$ and $\tau_\text{int} = \tfrac12 (1+\phi)/(1-\phi)$, so the standard
//! error of its mean over $n$ samples is $\sqrt{2\tau_\text{int}\sigma^2/n}$ (to $O(1/n)$). This
//! example estimates it from ONE series with batch means, Sokal's autocorrelation time and the
//! block bootstrap, and shows how far the naive $\sigma/\sqrt n$ is off; then it reads the tail
//! index of a Pareto sample with [`nqg_stats::series::hill_tail_index`].
//!
//! ```sh
//! cargo run --release -p nqg-stats --example error_bars
//! ```
//!
//! It exits non-zero if an estimator is more than 3 of its own standard deviations off the closed
//! form: batch means $1/\sqrt{2(B-1)}$ relative (10 % at $B = 50$), Sokal half the relative error
//! of $\tau_\text{int}$, the block bootstrap $\sqrt{(4/3)\\,\ell/n}/2$ (Künsch) and the resampling
//! scatter $1/\sqrt{2R}$ in quadrature; or if the Hill index is more than 3 of its
//! $\alpha/\sqrt k$ off.

use nqg_stats::series::{autocorrelation, batch_means, block_bootstrap, hill_tail_index, naive_sem};
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

/// A standard normal deviate.
fn normal(rng: &mut rand::rngs::Xoshiro256PlusPlus) -> f64 {
    StandardNormal.sample(rng)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let phi: f64 = 0.95;
    let n = 400_000;
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(2021);
    let sigma2 = 1.0 / (1.0 - phi * phi);
    let mut x = normal(&mut rng);
    x *= sigma2.sqrt();
    let series: Vec<f64> = (0..n)
        .map(|_| {
            x = phi * x + normal(&mut rng);
            x
        })
        .collect();

    let tau_exact = 0.5 * (1.0 + phi) / (1.0 - phi);
    let sem_exact = (2.0 * tau_exact * sigma2 / n as f64).sqrt();
    let bm = batch_means(&series, 50)?;
    let ac = autocorrelation(&series)?;
    let boot = block_bootstrap(&series, 2000, 400, 7)?;
    let naive = naive_sem(&series)?;

    println!("AR(1), phi = {phi}, n = {n}: closed form tau_int = {tau_exact:.2}, sem = {sem_exact:.5}");
    println!("{:<34} {:>10} {:>10}", "estimator", "sem", "/ exact");
    let rows = [
        ("batch means (50 batches)", bm.sem),
        ("Sokal autocorrelation time", ac.sem),
        ("block bootstrap (l = 2000)", boot),
        ("naive sigma/sqrt(n)", naive),
    ];
    for (name, sem) in rows {
        println!("{name:<34} {sem:>10.5} {:>10.3}", sem / sem_exact);
    }
    println!(
        "tau_int (Sokal) = {:.2} ± {:.2}   (exact {tau_exact:.2}); naive is off by sqrt(2 tau) = {:.2}",
        ac.tau_int,
        ac.tau_err,
        (2.0 * tau_exact).sqrt()
    );

    // A Pareto tail P(X > u) = u^-alpha: the variance is infinite for alpha <= 2, and no 1/sqrt(n)
    // error bar of the mean means anything. Hill reads alpha from the k largest samples.
    let alpha = 1.5;
    let pareto: Vec<f64> = (0..200_000)
        .map(|_| (1.0 - rng.random::<f64>()).powf(-1.0 / alpha))
        .collect();
    let hill = hill_tail_index(&pareto, 2000)?;
    println!(
        "Pareto alpha = {alpha}: Hill (k = 2000) reads {hill:.3} (its sd is alpha/sqrt(k) = {:.3})",
        alpha / 2000f64.sqrt()
    );

    let band_bm = 3.0 / (2.0 * 49.0f64).sqrt();
    let band_ac = 3.0 * 0.5 * ac.tau_err / ac.tau_int;
    let band_boot = 3.0 * ((4.0 / 3.0 * 2000.0 / n as f64) / 4.0 + 1.0 / 800.0).sqrt();
    let bands = [band_bm, band_ac, band_boot];
    let ok = rows[..3]
        .iter()
        .zip(bands)
        .all(|((_, s), band)| (s / sem_exact - 1.0).abs() < band)
        && (hill - alpha).abs() < 3.0 * alpha / 2000f64.sqrt();
    if !ok {
        return Err("an estimator is off its closed form".into());
    }
    Ok(())
}
