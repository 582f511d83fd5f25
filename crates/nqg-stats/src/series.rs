//! Error bars of a time average: correlated and heavy-tailed samples.
//!
//! For a stationary series $x_1..x_n$ with variance $\sigma^2$ and normalised autocorrelation
//! $\rho(t)$, the mean has variance $\mathrm{Var}\\,\bar x \simeq 2\tau_\text{int}\sigma^2/n$ with
//! $\tau_\text{int} = \tfrac12 + \sum_{t\ge1}\rho(t)$; the naive $\sigma/\sqrt n$ understates it by
//! $\sqrt{2\tau_\text{int}}$. Three estimators that do not assume independence:
//! - [`batch_means`]: the scatter of the means of $B$ consecutive batches, $s_B/\sqrt B$;
//! - [`autocorrelation`]: $\tau_\text{int}$ summed up to Sokal's automatic window (the smallest
//!   $M \ge c\\,\tau(M)$, $c = 6$), and $\sqrt{2\tau_\text{int}\sigma^2/n}$;
//! - [`block_bootstrap`]: the moving-block bootstrap (Künsch 1989) with blocks much longer than
//!   $\tau_\text{int}$.
//!
//! All three assume a finite variance. [`hill_tail_index`] estimates the tail exponent $\alpha$ of
//! $P(|x - \tilde x| > u) \sim u^{-\alpha}$; for $\alpha \le 2$ the variance is infinite and no
//! $1/\sqrt n$ error bar means anything (the time average of SGD at a large step is an example:
//! its stationary law has power-law tails), for $2 < \alpha \le 4$ the error bar itself converges
//! slowly.

use rand::{RngExt, SeedableRng};

use crate::error::{Result, StatsError, check_count, check_finite};

/// The naive standard error $s/\sqrt n$ of the mean of independent samples.
///
/// # Errors
/// [`StatsError::TooFewSamples`] below two samples, [`StatsError::NonFinite`].
pub fn naive_sem(xs: &[f64]) -> Result<f64> {
    check_count("naive standard error", xs.len(), 2)?;
    check_finite("series", xs)?;
    let (_, var) = mean_var(xs);
    Ok((var / xs.len() as f64).sqrt())
}

fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, v)
}

/// The result of [`batch_means`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchMeans {
    /// The mean of the samples used (the first `batches * batch_len`).
    pub mean: f64,
    /// Its standard error $s_B/\sqrt B$ from the scatter of the batch means.
    pub sem: f64,
    /// The number of batches $B$.
    pub batches: usize,
    /// Samples per batch.
    pub batch_len: usize,
}

/// The batch-means standard error of the mean with `batches` consecutive batches (the remainder
/// of `n / batches` at the end is dropped). Valid when a batch is much longer than
/// $\tau_\text{int}$; 20-100 batches is the usual choice.
///
/// # Errors
/// [`StatsError::InvalidParameter`] for fewer than 2 batches, [`StatsError::TooFewSamples`] if a
/// batch would be empty, [`StatsError::NonFinite`].
pub fn batch_means(xs: &[f64], batches: usize) -> Result<BatchMeans> {
    if batches < 2 {
        return Err(StatsError::InvalidParameter {
            name: "batches",
            value: batches as f64,
            reason: "need at least 2 batches",
        });
    }
    check_count("batch means", xs.len(), batches)?;
    check_finite("series", xs)?;
    let len = xs.len() / batches;
    let means: Vec<f64> = xs
        .chunks_exact(len)
        .take(batches)
        .map(|c| c.iter().sum::<f64>() / len as f64)
        .collect();
    let (mean, var) = mean_var(&means);
    Ok(BatchMeans {
        mean,
        sem: (var / batches as f64).sqrt(),
        batches,
        batch_len: len,
    })
}

/// The result of [`autocorrelation`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Autocorrelation {
    /// $\tau_\text{int} = \tfrac12 + \sum_{t=1}^{M}\rho(t)$ (1/2 for independent samples).
    pub tau_int: f64,
    /// The window $M$.
    pub window: usize,
    /// The sample variance $\sigma^2$.
    pub variance: f64,
    /// The standard error of the mean, $\sqrt{2\tau_\text{int}\sigma^2/n}$.
    pub sem: f64,
    /// Sokal's estimate of the standard error of $\tau_\text{int}$,
    /// $\tau_\text{int}\sqrt{2(2M+1)/n}$.
    pub tau_err: f64,
}

/// Sokal's window constant $c$: the sum stops at the first $M \ge c\\,\tau_\text{int}(M)$.
pub const SOKAL_C: f64 = 6.0;

/// The integrated autocorrelation time with Sokal's automatic window, and the standard error of the
/// mean it implies.
///
/// # Errors
/// [`StatsError::TooFewSamples`] below 10 samples, [`StatsError::NonFinite`],
/// [`StatsError::SeriesTooShort`] if no window is found below `n / 2`, or if
/// $n < 50\\,\tau_\text{int}$.
pub fn autocorrelation(xs: &[f64]) -> Result<Autocorrelation> {
    check_count("autocorrelation time", xs.len(), 10)?;
    check_finite("series", xs)?;
    let n = xs.len();
    let (m, var) = mean_var(xs);
    if var == 0.0 {
        return Ok(Autocorrelation {
            tau_int: 0.5,
            window: 0,
            variance: 0.0,
            sem: 0.0,
            tau_err: 0.0,
        });
    }
    let c0 = var * (n - 1) as f64 / n as f64;
    let mut tau = 0.5;
    for t in 1..n / 2 {
        let ct = xs[..n - t]
            .iter()
            .zip(&xs[t..])
            .map(|(a, b)| (a - m) * (b - m))
            .sum::<f64>()
            / n as f64;
        tau += ct / c0;
        if t as f64 >= SOKAL_C * tau {
            if (n as f64) < 50.0 * tau {
                return Err(StatsError::SeriesTooShort { tau, samples: n });
            }
            let sem = (2.0 * tau * var / n as f64).sqrt();
            let tau_err = tau * (2.0 * (2 * t + 1) as f64 / n as f64).sqrt();
            return Ok(Autocorrelation {
                tau_int: tau,
                window: t,
                variance: var,
                sem,
                tau_err,
            });
        }
    }
    Err(StatsError::SeriesTooShort { tau, samples: n })
}

/// The moving-block bootstrap standard error of the mean: `resamples` series built from
/// $\lceil n/\ell\rceil$ blocks of length $\ell$ = `block` drawn with replacement among the
/// $n - \ell + 1$ overlapping blocks (seeded by `seed`, so reproducible). Choose
/// $\ell \gg \tau_\text{int}$.
///
/// # Errors
/// [`StatsError::InvalidParameter`] for `block` of 0 or longer than the series, or fewer than 2
/// resamples; [`StatsError::TooFewSamples`], [`StatsError::NonFinite`].
pub fn block_bootstrap(xs: &[f64], block: usize, resamples: usize, seed: u64) -> Result<f64> {
    check_count("block bootstrap", xs.len(), 2)?;
    check_finite("series", xs)?;
    if block == 0 || block > xs.len() {
        return Err(StatsError::InvalidParameter {
            name: "block",
            value: block as f64,
            reason: "block length must be in 1..=n",
        });
    }
    if resamples < 2 {
        return Err(StatsError::InvalidParameter {
            name: "resamples",
            value: resamples as f64,
            reason: "need at least 2 resamples",
        });
    }
    let n = xs.len();
    let starts = n - block + 1;
    let blocks = n.div_ceil(block);
    // Prefix sums make each block sum O(1).
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for x in xs {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + x);
    }
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(crate::seed::splitmix64(seed));
    let means: Vec<f64> = (0..resamples)
        .map(|_| {
            let total: f64 = (0..blocks)
                .map(|_| {
                    let s = rng.random_range(0..starts);
                    prefix[s + block] - prefix[s]
                })
                .sum();
            total / (blocks * block) as f64
        })
        .collect();
    Ok(mean_var(&means).1.sqrt())
}

/// Hill's estimator of the tail exponent $\alpha$ of $|x - \tilde x|$ ($\tilde x$ the median) from
/// its `k` largest values: $\hat\alpha = \big[\tfrac1k\sum_{i=1}^{k}\ln(u_{(i)}/u_{(k+1)})\big]^{-1}$,
/// with standard error $\hat\alpha/\sqrt k$. A Gaussian gives a large $\hat\alpha$ that grows as
/// `k` shrinks; $\hat\alpha \le 2$ means the variance is infinite.
///
/// # Errors
/// [`StatsError::InvalidParameter`] unless $1 \le k < n$; [`StatsError::TooFewSamples`],
/// [`StatsError::NonFinite`].
pub fn hill_tail_index(xs: &[f64], k: usize) -> Result<f64> {
    check_count("Hill estimator", xs.len(), 2)?;
    check_finite("series", xs)?;
    if k == 0 || k >= xs.len() {
        return Err(StatsError::InvalidParameter {
            name: "k",
            value: k as f64,
            reason: "need 1 <= k < n order statistics",
        });
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
    };
    let mut u: Vec<f64> = xs.iter().map(|x| (x - median).abs()).collect();
    u.sort_by(|a, b| b.total_cmp(a));
    let threshold = u[k];
    if threshold <= 0.0 {
        return Err(StatsError::InvalidParameter {
            name: "k",
            value: k as f64,
            reason: "the (k+1)-th largest deviation is zero: take fewer order statistics",
        });
    }
    let s = u[..k].iter().map(|v| (v / threshold).ln()).sum::<f64>() / k as f64;
    Ok(1.0 / s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_distr::{Distribution, StandardNormal};

    fn ar1(phi: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut x = 0.0;
        // Start in the stationary law, N(0, 1/(1 - phi^2)).
        let s: f64 = StandardNormal.sample(&mut rng);
        x += s / (1.0 - phi * phi).sqrt();
        (0..n)
            .map(|_| {
                let e: f64 = StandardNormal.sample(&mut rng);
                x = phi * x + e;
                x
            })
            .collect()
    }

    #[test]
    fn autocorrelation_time_of_ar1_is_the_closed_form() {
        // tau_int = (1 + phi) / (2 (1 - phi)) = 9.5 for phi = 0.9; Sokal's sigma(tau) is ~3 % here,
        // so 5 sigma is 15 %.
        let xs = ar1(0.9, 200_000, 7);
        let a = autocorrelation(&xs).unwrap();
        assert!((a.tau_int - 9.5).abs() < 5.0 * a.tau_err, "{a:?}");
        assert!(a.tau_err < 0.05 * 9.5);
        // Independent samples: tau = 1/2.
        let white = ar1(0.0, 50_000, 8);
        let w = autocorrelation(&white).unwrap();
        assert!((w.tau_int - 0.5).abs() < 5.0 * w.tau_err, "{w:?}");
    }

    #[test]
    fn error_bars_are_calibrated_on_independent_replicas_of_ar1() {
        // 200 independent AR(1) series: the scatter of their means is the true standard error
        // (known too: sqrt(2 tau var / n) with var = 1/(1 - phi^2)); each estimator, averaged over
        // the replicas, must match it. The scatter of 200 means is known to 1/sqrt(400) = 5 %; the
        // bands are 15 %, and the naive error bar must be off by sqrt(2 tau) = 4.4.
        let (phi, n, reps) = (0.9, 20_000, 200);
        let truth = (2.0 * 9.5 / (1.0 - phi * phi) / n as f64).sqrt();
        let (mut means, mut bm, mut ac, mut bs, mut nv) = (Vec::new(), 0.0, 0.0, 0.0, 0.0);
        for r in 0..reps {
            let xs = ar1(phi, n, 1000 + r);
            means.push(xs.iter().sum::<f64>() / n as f64);
            bm += batch_means(&xs, 40).unwrap().sem / reps as f64;
            ac += autocorrelation(&xs).unwrap().sem / reps as f64;
            if r < 40 {
                bs += block_bootstrap(&xs, 400, 200, r).unwrap() / 40.0;
            }
            nv += naive_sem(&xs).unwrap() / reps as f64;
        }
        let scatter = mean_var(&means).1.sqrt();
        assert!(
            (scatter / truth - 1.0).abs() < 0.15,
            "scatter {scatter} vs {truth}"
        );
        for (name, est) in [
            ("batch means", bm),
            ("autocorrelation", ac),
            ("block bootstrap", bs),
        ] {
            assert!((est / truth - 1.0).abs() < 0.15, "{name}: {est} vs {truth}");
        }
        assert!(
            (truth / nv - 19f64.sqrt()).abs() < 0.15 * 19f64.sqrt(),
            "naive {nv}"
        );
    }

    #[test]
    fn hill_estimator_finds_pareto_tails_and_flags_infinite_variance() {
        // |x| Pareto with alpha = 1.5 (infinite variance): k = 1000 gives sigma = alpha / sqrt(k) = 3 %.
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
        let xs: Vec<f64> = (0..100_000)
            .map(|i| {
                let u: f64 = rng.random::<f64>().max(1e-300);
                let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
                sign * u.powf(-1.0 / 1.5)
            })
            .collect();
        let a = hill_tail_index(&xs, 1000).unwrap();
        assert!((a - 1.5).abs() < 5.0 * 1.5 / 1000f64.sqrt(), "alpha {a}");
        // A Gaussian has no power tail: the estimate is well above 4 at k = n/100.
        let g: Vec<f64> = (0..100_000).map(|_| StandardNormal.sample(&mut rng)).collect();
        assert!(hill_tail_index(&g, 1000).unwrap() > 4.0);
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert!(matches!(naive_sem(&[1.0]), Err(StatsError::TooFewSamples { .. })));
        assert!(matches!(
            batch_means(&[1.0, 2.0, 3.0], 1),
            Err(StatsError::InvalidParameter { .. })
        ));
        assert!(matches!(
            batch_means(&[1.0, f64::NAN, 3.0], 2),
            Err(StatsError::NonFinite { index: 1, .. })
        ));
        assert!(matches!(
            autocorrelation(&ar1(0.999, 2000, 1)),
            Err(StatsError::SeriesTooShort { .. })
        ));
        assert!(matches!(
            block_bootstrap(&[1.0, 2.0], 3, 10, 0),
            Err(StatsError::InvalidParameter { .. })
        ));
        assert!(matches!(
            hill_tail_index(&[1.0, 2.0, 3.0], 3),
            Err(StatsError::InvalidParameter { .. })
        ));
        assert!(matches!(
            hill_tail_index(&[1.0; 10], 2),
            Err(StatsError::InvalidParameter { .. })
        ));
    }
}
