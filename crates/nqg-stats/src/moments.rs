//! Streaming mean and covariance of $d$-dimensional samples.
//!
//! Welford's update $\mu \leftarrow \mu + \delta/n$, $M_2 \leftarrow M_2 + \delta\\,(x - \mu)^\top$
//! ($\delta = x - \mu_\text{old}$) and Chan's exact merge
//! $M_2 = M_2^a + M_2^b + \delta\delta^\top n_a n_b / n$: a million samples need no storage, and
//! accumulators filled in parallel chunks and merged in chunk order give the same bits whatever the
//! thread count.

use crate::error::{Result, StatsError, check_finite};

/// Streaming mean and covariance (Welford / Chan) of samples in $\mathbb R^d$.
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    n: u64,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Moments {
    /// An empty accumulator for dimension `d`.
    pub fn new(d: usize) -> Self {
        Self {
            n: 0,
            mean: vec![0.0; d],
            m2: vec![0.0; d * d],
        }
    }

    /// The dimension $d$.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// The number of samples.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Add one sample.
    ///
    /// # Errors
    /// [`StatsError::DimensionMismatch`] for a sample of the wrong length, [`StatsError::NonFinite`]
    /// for a NaN or infinite component (the accumulator is then unchanged).
    pub fn push(&mut self, x: &[f64]) -> Result<()> {
        let d = self.dim();
        if x.len() != d {
            return Err(StatsError::DimensionMismatch {
                what: "sample",
                expected: d,
                found: x.len(),
            });
        }
        check_finite("sample", x)?;
        self.n += 1;
        let inv = 1.0 / self.n as f64;
        if d == 1 {
            let delta = x[0] - self.mean[0];
            self.mean[0] += delta * inv;
            self.m2[0] += delta * (x[0] - self.mean[0]);
            return Ok(());
        }
        let mut small = [0.0; 8];
        let mut large = Vec::new();
        let delta: &mut [f64] = if d <= 8 {
            &mut small[..d]
        } else {
            large.resize(d, 0.0);
            &mut large
        };
        for i in 0..d {
            delta[i] = x[i] - self.mean[i];
            self.mean[i] += delta[i] * inv;
        }
        for i in 0..d {
            for j in 0..d {
                self.m2[i * d + j] += delta[i] * (x[j] - self.mean[j]);
            }
        }
        Ok(())
    }

    /// Merge another accumulator (Chan et al.): the result is that of pushing both sample sets.
    ///
    /// # Errors
    /// [`StatsError::DimensionMismatch`] if the dimensions differ.
    pub fn merge(&mut self, o: &Moments) -> Result<()> {
        let d = self.dim();
        if o.dim() != d {
            return Err(StatsError::DimensionMismatch {
                what: "merged moments",
                expected: d,
                found: o.dim(),
            });
        }
        if o.n == 0 {
            return Ok(());
        }
        if self.n == 0 {
            *self = o.clone();
            return Ok(());
        }
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = na + nb;
        let delta: Vec<f64> = (0..d).map(|i| o.mean[i] - self.mean[i]).collect();
        for i in 0..d {
            for j in 0..d {
                self.m2[i * d + j] += o.m2[i * d + j] + delta[i] * delta[j] * na * nb / n;
            }
        }
        for i in 0..d {
            self.mean[i] += delta[i] * nb / n;
        }
        self.n += o.n;
        Ok(())
    }

    /// The sample mean $\bar x$.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// The unbiased sample covariance $M_2/(n-1)$, row-major $d\times d$ (zeros below two samples).
    pub fn covariance(&self) -> Vec<f64> {
        if self.n < 2 {
            return vec![0.0; self.m2.len()];
        }
        // A division per entry (not a multiplication by 1/(n-1)): the same bits as the accumulators
        // it replaced in nqg-thermo and nqg-network, so their reported numbers do not move.
        let n1 = (self.n - 1) as f64;
        self.m2.iter().map(|v| v / n1).collect()
    }

    /// The standard error of the mean of component `i`, $\sqrt{P_{ii}/n}$, for independent samples
    /// (for a time series use [`crate::series`]).
    ///
    /// # Errors
    /// [`StatsError::InvalidParameter`] for `i >= d`, [`StatsError::TooFewSamples`] below two samples.
    pub fn sem(&self, i: usize) -> Result<f64> {
        let d = self.dim();
        if i >= d {
            return Err(StatsError::InvalidParameter {
                name: "component",
                value: i as f64,
                reason: "must be below the dimension",
            });
        }
        crate::error::check_count("standard error of the mean", self.n as usize, 2)?;
        Ok((self.m2[i * d + i] / (self.n - 1) as f64 / self.n as f64).sqrt())
    }

    /// The standard errors of all components' means.
    ///
    /// # Errors
    /// [`StatsError::TooFewSamples`] below two samples.
    pub fn sems(&self) -> Result<Vec<f64>> {
        (0..self.dim()).map(|i| self.sem(i)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_pass(xs: &[[f64; 2]]) -> ([f64; 2], [f64; 4]) {
        let n = xs.len() as f64;
        let m = [0, 1].map(|a| xs.iter().map(|x| x[a]).sum::<f64>() / n);
        let mut c = [0.0; 4];
        for x in xs {
            for a in 0..2 {
                for b in 0..2 {
                    c[a * 2 + b] += (x[a] - m[a]) * (x[b] - m[b]) / (n - 1.0);
                }
            }
        }
        (m, c)
    }

    #[test]
    fn streaming_and_merged_moments_equal_the_two_pass_formulas() {
        let xs: Vec<[f64; 2]> = (0..1000)
            .map(|i| {
                let t = i as f64;
                [1e3 + (0.37 * t).sin(), (0.11 * t).cos() * 2.0 + 0.01 * t]
            })
            .collect();
        let (m, c) = two_pass(&xs);
        let mut all = Moments::new(2);
        let (mut a, mut b) = (Moments::new(2), Moments::new(2));
        for (i, x) in xs.iter().enumerate() {
            all.push(x).unwrap();
            if i < 377 {
                a.push(x).unwrap()
            } else {
                b.push(x).unwrap()
            }
        }
        a.merge(&b).unwrap();
        // Welford is backward stable: relative agreement to ~1e-13 with a mean of 1e3 on top of
        // unit-size fluctuations (cancellation of 1e3 relative, times n round-offs).
        for s in [&all, &a] {
            for k in 0..2 {
                assert!((s.mean()[k] - m[k]).abs() <= 1e-12 * m[k].abs().max(1.0));
            }
            for (got, want) in s.covariance().iter().zip(&c) {
                assert!(
                    (got - want).abs() <= 1e-11 * want.abs().max(1.0),
                    "{got} vs {want}"
                );
            }
        }
        assert_eq!(a.count(), 1000);
        let sem = (c[0] / 1000.0).sqrt();
        assert!((all.sem(0).unwrap() - sem).abs() <= 1e-12 * sem);
    }

    #[test]
    fn bad_samples_are_typed_errors_and_leave_the_accumulator_unchanged() {
        let mut m = Moments::new(2);
        m.push(&[1.0, 2.0]).unwrap();
        let before = m.clone();
        assert_eq!(
            m.push(&[1.0]),
            Err(StatsError::DimensionMismatch {
                what: "sample",
                expected: 2,
                found: 1
            })
        );
        assert!(matches!(
            m.push(&[1.0, f64::NAN]),
            Err(StatsError::NonFinite { index: 1, .. })
        ));
        assert_eq!(m, before);
        assert!(matches!(m.sem(0), Err(StatsError::TooFewSamples { .. })));
        assert!(matches!(m.sem(2), Err(StatsError::InvalidParameter { .. })));
        assert!(m.merge(&Moments::new(3)).is_err());
    }
}
