//! Streaming moments of vectors (Welford, mergeable): mean, covariance and their standard errors.
//!
//! For samples $q^{(r)} \in \mathbb R^K$: mean $\bar q$ and covariance
//! $P = \frac{1}{n-1}\sum_r (q^{(r)} - \bar q)(q^{(r)} - \bar q)^T$, accumulated in one pass and merged
//! exactly across chunks (Chan et al.), so ensembles reduce in a fixed chunk order independent of the
//! thread count. Standard errors: $\sqrt{P_{ii}/n}$ for the mean and the Gaussian (Isserlis) formula
//! $\mathrm{Var}\\,\hat P_{ij} \approx (P_{ii}P_{jj} + P_{ij}^2)/(n-1)$ for the covariance.

use nalgebra::DMatrix;

/// Mergeable running mean and co-moment matrix of $K$-vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    n: u64,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Moments {
    /// Empty accumulator for dimension `k` (it holds $K + K^2$ numbers).
    ///
    /// # Errors
    /// [`crate::NetworkError::TooLarge`] if $K^2$ overflows or exceeds [`crate::error::MAX_ELEMENTS`].
    pub fn new(k: usize) -> crate::Result<Self> {
        crate::error::check_size("moments (K²)", &[k, k])?;
        Ok(Self::with_dim(k))
    }

    /// [`Moments::new`] for a dimension already checked against the budget.
    pub(crate) fn with_dim(k: usize) -> Self {
        Self {
            n: 0,
            mean: vec![0.0; k],
            m2: vec![0.0; k * k],
        }
    }

    /// Dimension $K$.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Add one sample.
    ///
    /// # Errors
    /// [`crate::NetworkError::ShapeMismatch`] if its length differs from $K$,
    /// [`crate::NetworkError::NonFinite`] for a non-finite component (the moments are then unchanged).
    pub fn push(&mut self, q: &[f64]) -> crate::Result<()> {
        crate::error::check_len("sample", self.dim(), q.len())?;
        crate::error::check_finite("sample", q)?;
        self.push_unchecked(q);
        Ok(())
    }

    /// [`Moments::push`] for a sample known to have length $K$ (the ensembles' inner loop).
    pub(crate) fn push_unchecked(&mut self, q: &[f64]) {
        let k = self.dim();
        self.n += 1;
        let inv = 1.0 / self.n as f64;
        let mut d = [0.0f64; 16];
        let mut dv;
        let delta: &mut [f64] = if k <= 16 {
            &mut d[..k]
        } else {
            dv = vec![0.0; k];
            &mut dv
        };
        for i in 0..k {
            delta[i] = q[i] - self.mean[i];
            self.mean[i] += delta[i] * inv;
        }
        for i in 0..k {
            let di = q[i] - self.mean[i];
            for j in 0..k {
                self.m2[i * k + j] += delta[j] * di;
            }
        }
    }

    /// Merge another accumulator of the same dimension (exact pairwise update).
    pub fn merge(&mut self, other: &Moments) {
        let k = self.dim();
        if other.dim() != k || other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = other.clone();
            return;
        }
        let (na, nb) = (self.n as f64, other.n as f64);
        let n = na + nb;
        let delta: Vec<f64> = (0..k).map(|i| other.mean[i] - self.mean[i]).collect();
        for i in 0..k {
            for j in 0..k {
                self.m2[i * k + j] += other.m2[i * k + j] + delta[i] * delta[j] * na * nb / n;
            }
        }
        for i in 0..k {
            self.mean[i] += delta[i] * nb / n;
        }
        self.n += other.n;
    }

    /// Sample mean.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// Unbiased sample covariance ($K\times K$; zero with fewer than two samples).
    pub fn covariance(&self) -> DMatrix<f64> {
        let k = self.dim();
        if self.n < 2 {
            return DMatrix::zeros(k, k);
        }
        DMatrix::from_row_slice(k, k, &self.m2) / (self.n as f64 - 1.0)
    }

    /// Standard errors of the mean, $\sqrt{P_{ii}/n}$.
    pub fn mean_std_err(&self) -> Vec<f64> {
        let p = self.covariance();
        (0..self.dim())
            .map(|i| (p[(i, i)] / self.n.max(1) as f64).sqrt())
            .collect()
    }

    /// Standard errors of the covariance entries for Gaussian samples,
    /// $\sqrt{(P_{ii}P_{jj} + P_{ij}^2)/(n-1)}$.
    pub fn covariance_std_err(&self) -> DMatrix<f64> {
        let p = self.covariance();
        let n = (self.n.max(2) - 1) as f64;
        DMatrix::from_fn(self.dim(), self.dim(), |i, j| {
            ((p[(i, i)] * p[(j, j)] + p[(i, j)] * p[(i, j)]) / n).sqrt()
        })
    }

    /// Gaussian entropy $S = \tfrac12\ln\det(2\pi e P)$ of the sample covariance (N-2).
    pub fn gaussian_entropy(&self) -> f64 {
        let k = self.dim() as f64;
        let det = self.covariance().determinant();
        0.5 * (k * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln() + det.ln())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_equals_single_pass() {
        let data: Vec<[f64; 2]> = (0..100)
            .map(|i| {
                let t = i as f64;
                [t.sin() * 3.0 + 1.0, (0.7 * t).cos() - t * 0.01]
            })
            .collect();
        let mut all = Moments::with_dim(2);
        data.iter().for_each(|d| all.push(d).unwrap());
        let (mut a, mut b) = (Moments::with_dim(2), Moments::with_dim(2));
        data[..37].iter().for_each(|d| a.push(d).unwrap());
        data[37..].iter().for_each(|d| b.push(d).unwrap());
        a.merge(&b);
        // Two-pass reference.
        let n = data.len() as f64;
        let m0 = data.iter().map(|d| d[0]).sum::<f64>() / n;
        let m1 = data.iter().map(|d| d[1]).sum::<f64>() / n;
        let c01 = data.iter().map(|d| (d[0] - m0) * (d[1] - m1)).sum::<f64>() / (n - 1.0);
        // Round-off only: 100 O(1) terms.
        assert!((all.mean()[0] - m0).abs() < 1e-13 && (a.mean()[1] - m1).abs() < 1e-13);
        assert!((all.covariance()[(0, 1)] - c01).abs() < 1e-13);
        assert!((a.covariance()[(0, 1)] - c01).abs() < 1e-13);
    }
}
