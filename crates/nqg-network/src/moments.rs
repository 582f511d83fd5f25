//! Network views of the shared streaming moments [`nqg_stats::Moments`] (Welford, mergeable):
//! the covariance as a [`DMatrix`], the standard errors of the mean and of the covariance, and the
//! Gaussian entropy of N-2.
//!
//! For samples $q^{(r)} \in \mathbb R^K$: mean $\bar q$ and covariance
//! $P = \frac{1}{n-1}\sum_r (q^{(r)} - \bar q)(q^{(r)} - \bar q)^T$, accumulated in one pass and merged
//! exactly across chunks (Chan et al.), so ensembles reduce in a fixed chunk order independent of the
//! thread count. Standard errors: $\sqrt{P_{ii}/n}$ for the mean and the Gaussian (Isserlis) formula
//! $\mathrm{Var}\\,\hat P_{ij} \approx (P_{ii}P_{jj} + P_{ij}^2)/(n-1)$ for the covariance.
//!
//! ```
//! use nqg_network::moments::{Moments, MomentsExt, with_budget};
//! let mut m: Moments = with_budget(2)?;
//! for q in [[1.0, 0.0], [3.0, 2.0]] {
//!     m.try_push(&q)?;
//! }
//! // P = [[2, 2], [2, 2]] (two samples, n - 1 = 1).
//! assert_eq!(m.covariance_matrix()[(0, 1)], 2.0);
//! # Ok::<(), nqg_network::NetworkError>(())
//! ```

use nalgebra::DMatrix;

/// The one streaming-moments type of nqg ([`nqg_stats::Moments`]).
pub use nqg_stats::Moments;

/// An empty [`Moments`] of dimension `k`, checked against the allocation budget ($K + K^2$ numbers).
///
/// # Errors
/// [`crate::NetworkError::TooLarge`] if $K^2$ overflows or exceeds [`crate::error::MAX_ELEMENTS`].
pub fn with_budget(k: usize) -> crate::Result<Moments> {
    crate::error::check_size("moments (K²)", &[k, k])?;
    Ok(Moments::new(k))
}

/// The network-side views of [`Moments`].
pub trait MomentsExt {
    /// [`Moments::push`] with the crate's error type.
    ///
    /// # Errors
    /// [`crate::NetworkError::ShapeMismatch`] if the sample's length differs from $K$,
    /// [`crate::NetworkError::NonFinite`] (with the value) for a non-finite component; the moments
    /// are then unchanged.
    fn try_push(&mut self, q: &[f64]) -> crate::Result<()>;

    /// The unbiased sample covariance $P$ as a $K\times K$ matrix (zero with fewer than two samples).
    fn covariance_matrix(&self) -> DMatrix<f64>;

    /// Standard errors of the mean, $\sqrt{P_{ii}/n}$ (zeros with fewer than two samples).
    fn mean_std_err(&self) -> Vec<f64>;

    /// Standard errors of the covariance entries for Gaussian samples,
    /// $\sqrt{(P_{ii}P_{jj} + P_{ij}^2)/(n-1)}$.
    fn covariance_std_err(&self) -> DMatrix<f64>;

    /// Gaussian entropy $S = \tfrac12\ln\det(2\pi e P)$ of the sample covariance (N-2); NaN when
    /// $\det P \le 0$ (fewer than $K + 1$ samples, or degenerate samples).
    fn gaussian_entropy(&self) -> f64;
}

impl MomentsExt for Moments {
    fn try_push(&mut self, q: &[f64]) -> crate::Result<()> {
        Ok(self.push(q)?)
    }

    fn covariance_matrix(&self) -> DMatrix<f64> {
        // `Moments::covariance` is row-major; the Welford co-moment it accumulates is the transpose
        // (to round-off) of the one this crate accumulated before, so read it column-major to keep
        // every entry's accumulation order.
        let k = self.dim();
        DMatrix::from_column_slice(k, k, &self.covariance())
    }

    fn mean_std_err(&self) -> Vec<f64> {
        let p = self.covariance_matrix();
        (0..self.dim())
            .map(|i| (p[(i, i)] / self.count().max(1) as f64).sqrt())
            .collect()
    }

    fn covariance_std_err(&self) -> DMatrix<f64> {
        let p = self.covariance_matrix();
        let n = (self.count().max(2) - 1) as f64;
        DMatrix::from_fn(self.dim(), self.dim(), |i, j| {
            ((p[(i, i)] * p[(j, j)] + p[(i, j)] * p[(i, j)]) / n).sqrt()
        })
    }

    fn gaussian_entropy(&self) -> f64 {
        let k = self.dim() as f64;
        let det = self.covariance_matrix().determinant();
        0.5 * (k * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln() + det.ln())
    }
}

/// Push an ensemble state of length $K$: a non-finite one (a replica that diverged) is skipped,
/// so the count says how many replicas were finite.
pub(crate) fn push_checked(m: &mut Moments, q: &[f64]) {
    // The only possible error is a non-finite component (the length is the ensemble's K).
    let _skipped = m.push(q).is_err();
}

/// Merge accumulators of dimension `k` in order (Chan's exact pairwise update).
pub(crate) fn merge_in_order<'a>(k: usize, parts: impl IntoIterator<Item = &'a Moments>) -> Moments {
    let mut total = Moments::new(k);
    for p in parts {
        let merged = total.merge(p);
        debug_assert!(merged.is_ok(), "{merged:?}");
    }
    total
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
        let mut all = Moments::new(2);
        data.iter().for_each(|d| all.try_push(d).unwrap());
        let (mut a, mut b) = (Moments::new(2), Moments::new(2));
        data[..37].iter().for_each(|d| a.try_push(d).unwrap());
        data[37..].iter().for_each(|d| b.try_push(d).unwrap());
        let a = merge_in_order(2, [&a, &b]);
        // Two-pass reference.
        let n = data.len() as f64;
        let m0 = data.iter().map(|d| d[0]).sum::<f64>() / n;
        let m1 = data.iter().map(|d| d[1]).sum::<f64>() / n;
        let c01 = data.iter().map(|d| (d[0] - m0) * (d[1] - m1)).sum::<f64>() / (n - 1.0);
        // Round-off only: 100 O(1) terms.
        assert!((all.mean()[0] - m0).abs() < 1e-13 && (a.mean()[1] - m1).abs() < 1e-13);
        assert!((all.covariance_matrix()[(0, 1)] - c01).abs() < 1e-13);
        assert!((a.covariance_matrix()[(1, 0)] - c01).abs() < 1e-13);
    }

    #[test]
    fn views_match_their_closed_forms() {
        // Three samples of (x, 2x + 1) with x = 0, 1, 2 and one free component: P_xx = 1,
        // P_xy = 2, P_yy = 4 (exact in binary), so every view is exact.
        let mut m = with_budget(2).unwrap();
        for x in [0.0, 1.0, 2.0] {
            m.try_push(&[x, 2.0 * x + 1.0]).unwrap();
        }
        let p = m.covariance_matrix();
        assert_eq!((p[(0, 0)], p[(0, 1)], p[(1, 0)], p[(1, 1)]), (1.0, 2.0, 2.0, 4.0));
        assert_eq!(
            m.mean_std_err(),
            vec![(1.0f64 / 3.0).sqrt(), (4.0f64 / 3.0).sqrt()]
        );
        // Isserlis: sqrt((P_00 P_11 + P_01²)/(n-1)) = sqrt((4 + 4)/2) = 2.
        assert_eq!(m.covariance_std_err()[(0, 1)], 2.0);
        // Degenerate (det P = 0): the entropy is -inf (ln 0), not a number passed as finite.
        assert!(m.gaussian_entropy() == f64::NEG_INFINITY || m.gaussian_entropy().is_nan());
        // A 1-D unit variance: S = ½ ln(2πe).
        let mut u = Moments::new(1);
        for x in [-1.0, 1.0] {
            u.try_push(&[x]).unwrap();
        }
        let want = 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * 2.0).ln();
        assert!((u.gaussian_entropy() - want).abs() < 1e-15);
    }

    #[test]
    fn errors_carry_the_offending_value() {
        let mut m = Moments::new(2);
        assert_eq!(
            m.try_push(&[1.0]),
            Err(crate::NetworkError::ShapeMismatch {
                what: "sample",
                expected: 2,
                got: 1
            })
        );
        assert!(matches!(
            m.try_push(&[0.0, f64::INFINITY]),
            Err(crate::NetworkError::NonFinite { index: 1, value, .. }) if value == f64::INFINITY
        ));
        assert_eq!(m.count(), 0);
        assert!(matches!(
            with_budget(usize::MAX),
            Err(crate::NetworkError::TooLarge { .. })
        ));
    }
}
