//! The Lorentz group $O(1, N-1)$ acting on $N$-dimensional Minkowski space.
//!
//! With $\eta = \mathrm{diag}(-1, 1, \dots, 1)$ a matrix $\Lambda$ is a Lorentz transformation iff
//! $\Lambda^T \eta \Lambda = \eta$. A pure boost with velocity $\vec v = \beta \hat n$ (units of $c$),
//! $\gamma = 1/\sqrt{1-\beta^2}$, is
//!
//! $$\Lambda^0{}_0 = \gamma,\quad \Lambda^0{}_i = \Lambda^i{}_0 = -\gamma \beta n_i,\quad
//! \Lambda^i{}_j = \delta_{ij} + (\gamma - 1) n_i n_j .$$
//!
//! It preserves the interval $s^2 = -\Delta t^2 + |\Delta \vec x|^2$ (checked as
//! `geometry.lorentz.interval_invariance`).

use nalgebra::SMatrix;

use crate::GeometryError;

/// A Lorentz transformation of $N$-dimensional Minkowski space, $x'^\mu = \Lambda^\mu{}_\nu x^\nu$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lorentz<const N: usize> {
    matrix: SMatrix<f64, N, N>,
}

/// The Minkowski metric $\eta = \mathrm{diag}(-1, 1, \dots, 1)$.
pub fn minkowski_eta<const N: usize>() -> SMatrix<f64, N, N> {
    let mut eta = SMatrix::<f64, N, N>::identity();
    eta[(0, 0)] = -1.0;
    eta
}

/// The Minkowski interval $s^2 = \eta_{\mu\nu} x^\mu x^\nu$ of a separation vector.
pub fn interval<const N: usize>(x: &[f64; N]) -> f64 {
    let spatial: f64 = x[1..].iter().map(|v| v * v).sum();
    spatial - x[0] * x[0]
}

impl<const N: usize> Lorentz<N> {
    /// The identity transformation.
    pub fn identity() -> Self {
        Self {
            matrix: SMatrix::identity(),
        }
    }

    /// A pure boost with velocity `v` (units of $c$, length $N-1$).
    ///
    /// # Errors
    /// [`GeometryError::DimensionMismatch`] if `v.len() != N - 1`, [`GeometryError::NonFinite`] for
    /// a non-finite component, [`GeometryError::Superluminal`] if $|v| \ge 1$.
    pub fn boost(v: &[f64]) -> Result<Self, GeometryError> {
        if N < 2 || v.len() != N - 1 {
            return Err(GeometryError::DimensionMismatch {
                expected: N.saturating_sub(1),
                found: v.len(),
            });
        }
        if v.iter().any(|c| !c.is_finite()) {
            return Err(GeometryError::NonFinite { what: "velocity" });
        }
        let beta = v.iter().map(|c| c * c).sum::<f64>().sqrt();
        if beta >= 1.0 {
            return Err(GeometryError::Superluminal { speed: beta });
        }
        let mut m = SMatrix::<f64, N, N>::identity();
        if beta == 0.0 {
            return Ok(Self { matrix: m });
        }
        let gamma = 1.0 / ((1.0 - beta) * (1.0 + beta)).sqrt();
        m[(0, 0)] = gamma;
        for i in 0..N - 1 {
            let ni = v[i] / beta;
            m[(0, i + 1)] = -gamma * v[i];
            m[(i + 1, 0)] = -gamma * v[i];
            for j in 0..N - 1 {
                let nj = v[j] / beta;
                m[(i + 1, j + 1)] += (gamma - 1.0) * ni * nj;
            }
        }
        Ok(Self { matrix: m })
    }

    /// The matrix $\Lambda^\mu{}_\nu$.
    pub fn matrix(&self) -> &SMatrix<f64, N, N> {
        &self.matrix
    }

    /// Composition: `self.then(other)` applies `self` first, then `other` ($\Lambda_o \Lambda_s$).
    pub fn then(&self, other: &Self) -> Self {
        Self {
            matrix: other.matrix * self.matrix,
        }
    }

    /// Apply the transformation to a vector.
    pub fn apply(&self, x: &[f64; N]) -> [f64; N] {
        let mut out = [0.0; N];
        for (mu, o) in out.iter_mut().enumerate() {
            *o = (0..N).map(|nu| self.matrix[(mu, nu)] * x[nu]).sum();
        }
        out
    }

    /// $\max_{\mu\nu} |(\Lambda^T \eta \Lambda - \eta)_{\mu\nu}|$: zero (to round-off) iff $\Lambda \in O(1,N-1)$.
    pub fn defect(&self) -> f64 {
        let eta = minkowski_eta::<N>();
        (self.matrix.transpose() * eta * self.matrix - eta).amax()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boost_along_x_matches_textbook_form() {
        let b = Lorentz::<4>::boost(&[0.6, 0.0, 0.0]).unwrap();
        // gamma = 1.25 exactly for beta = 0.6.
        let m = b.matrix();
        assert!((m[(0, 0)] - 1.25).abs() < 1e-15);
        assert!((m[(0, 1)] + 0.75).abs() < 1e-15);
        assert!((m[(1, 1)] - 1.25).abs() < 1e-15);
        assert!((m[(2, 2)] - 1.0).abs() < 1e-15);
        assert!(b.defect() < 1e-15);
    }

    #[test]
    fn bad_velocities_are_typed_errors() {
        assert!(matches!(
            Lorentz::<4>::boost(&[1.0, 0.0, 0.0]),
            Err(GeometryError::Superluminal { .. })
        ));
        assert!(matches!(
            Lorentz::<4>::boost(&[f64::NAN, 0.0, 0.0]),
            Err(GeometryError::NonFinite { .. })
        ));
        assert!(matches!(
            Lorentz::<3>::boost(&[0.1, 0.0, 0.0]),
            Err(GeometryError::DimensionMismatch { .. })
        ));
    }
}
