//! The Lorentz group $O(1, N-1)$ acting on $N$-dimensional Minkowski space.
//!
//! With $\eta = \mathrm{diag}(-1, 1, \dots, 1)$ a matrix $\Lambda$ is a Lorentz transformation iff
//! $\Lambda^T \eta \Lambda = \eta$. A pure boost with velocity $\vec v = \beta \hat n$ (units of $c$),
//! $\gamma = 1/\sqrt{1-\beta^2}$, is
//!
//! $$\Lambda^0{}\_0 = \gamma,\quad \Lambda^0{}\_i = \Lambda^i{}\_0 = -\gamma \beta n_i,\quad
//! \Lambda^i{}\_j = \delta_{ij} + (\gamma - 1) n_i n_j .$$
//!
//! It preserves the interval $s^2 = -\Delta t^2 + |\Delta \vec x|^2$ (checked as
//! `geometry.lorentz.interval_invariance`). Collinear boosts compose by adding rapidities
//! $\eta = \operatorname{artanh}\beta$ (`geometry.lorentz.rapidity_addition`):
//! $\beta_{12} = (\beta_1 + \beta_2)/(1 + \beta_1\beta_2)$. Two non-collinear boosts compose to a boost
//! times a rotation (polar decomposition $\Lambda = B(\vec v)\\,R$ with $v^i = \Lambda^i{}\_0/\Lambda^0{}\_0$);
//! the Wigner angle $\varepsilon$ of $R$ obeys $\tan(\varepsilon/2) = \sin\theta/(k + \cos\theta)$,
//! $k^2 = \frac{(\gamma_1+1)(\gamma_2+1)}{(\gamma_1-1)(\gamma_2-1)}$, $\theta$ the angle between the velocities.

use nalgebra::SMatrix;

use crate::GeometryError;

/// A Lorentz transformation of $N$-dimensional Minkowski space, $x'^\mu = \Lambda^\mu{}\_\nu x^\nu$.
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
    /// [`GeometryError::DimensionMismatch`] if `v.len() != N - 1`, [`GeometryError::NonFiniteValue`] for
    /// a non-finite component, [`GeometryError::Superluminal`] if $|v| \ge 1$.
    pub fn boost(v: &[f64]) -> Result<Self, GeometryError> {
        if N < 2 || v.len() != N - 1 {
            return Err(GeometryError::DimensionMismatch {
                expected: N.saturating_sub(1),
                found: v.len(),
            });
        }
        crate::error::check_finite_values("velocity", v)?;
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

    /// The matrix $\Lambda^\mu{}\_\nu$.
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

    /// A rotation by `angle` in the spatial plane of axes `i`, `j` (1-based spatial indices $1..N-1$).
    ///
    /// # Errors
    /// [`GeometryError::DimensionMismatch`] for a bad axis, [`GeometryError::NonFiniteValue`] for the angle.
    pub fn rotation(i: usize, j: usize, angle: f64) -> Result<Self, GeometryError> {
        if i == 0 || j == 0 || i >= N || j >= N || i == j {
            return Err(GeometryError::DimensionMismatch {
                expected: N.saturating_sub(1),
                found: i.max(j),
            });
        }
        crate::error::check_finite_values("angle", &[angle])?;
        let (s, c) = angle.sin_cos();
        let mut m = SMatrix::<f64, N, N>::identity();
        m[(i, i)] = c;
        m[(j, j)] = c;
        m[(i, j)] = -s;
        m[(j, i)] = s;
        Ok(Self { matrix: m })
    }

    /// Wrap a matrix after checking $\Lambda^T\eta\Lambda = \eta$ to `tol` (relative to $|\Lambda|^2$).
    ///
    /// # Errors
    /// [`GeometryError::NonFiniteValue`], or [`GeometryError::InvalidParameter`] with the defect, or
    /// for a tolerance that is not positive and finite (an infinite one would turn the check off).
    pub fn from_matrix(m: SMatrix<f64, N, N>, tol: f64) -> Result<Self, GeometryError> {
        crate::error::check_finite_values("matrix (column-major)", m.as_slice())?;
        if !(tol.is_finite() && tol > 0.0) {
            return Err(GeometryError::InvalidParameter {
                name: "tol",
                value: tol,
                reason: "the tolerance must be positive and finite",
            });
        }
        let l = Self { matrix: m };
        if !is_lorentz(&m, tol) {
            return Err(GeometryError::InvalidParameter {
                name: "defect",
                value: l.defect(),
                reason: "matrix is not in O(1, N-1)",
            });
        }
        Ok(l)
    }

    /// The inverse $\Lambda^{-1} = \eta\Lambda^T\eta$.
    pub fn inverse(&self) -> Self {
        let eta = minkowski_eta::<N>();
        Self {
            matrix: eta * self.matrix.transpose() * eta,
        }
    }

    /// The velocity of the boost part: $v^i = \Lambda^i{}\_0/\Lambda^0{}\_0$ (the frame velocity seen from the
    /// original frame, up to sign convention of [`Lorentz::boost`]: `boost(v)` has `velocity() = -v`).
    pub fn velocity(&self) -> Vec<f64> {
        (1..N)
            .map(|i| self.matrix[(i, 0)] / self.matrix[(0, 0)])
            .collect()
    }

    /// The rapidity $\eta = \operatorname{arsinh}|\Lambda^i{}\_0|$ of the boost part (round-off friendly
    /// compared with $\operatorname{arcosh}\Lambda^0{}\_0$).
    pub fn rapidity(&self) -> f64 {
        let s: f64 = (1..N).map(|i| self.matrix[(i, 0)].powi(2)).sum::<f64>().sqrt();
        s.asinh()
    }

    /// Polar decomposition $\Lambda = B\\,R$ into a pure boost and a rotation (for orthochronous $\Lambda$).
    ///
    /// # Errors
    /// As [`Lorentz::boost`] if the boost part is not a valid velocity.
    pub fn polar(&self) -> Result<(Self, Self), GeometryError> {
        let v: Vec<f64> = self.velocity().iter().map(|c| -c).collect();
        let b = Self::boost(&v)?;
        // Here boost(v) maps the rest frame so that B^{-1} = boost(-v); R = B^{-1} Lambda.
        let binv = b.inverse();
        let r = Self {
            matrix: binv.matrix * self.matrix,
        };
        Ok((binv.inverse(), r))
    }

    /// $\max_{\mu\nu} |(\Lambda^T \eta \Lambda - \eta)\_{\mu\nu}|$: zero (to round-off) iff $\Lambda \in O(1,N-1)$.
    pub fn defect(&self) -> f64 {
        let eta = minkowski_eta::<N>();
        (self.matrix.transpose() * eta * self.matrix - eta).amax()
    }
}

/// Is `m` in $O(1, N-1)$: $\max|\Lambda^T\eta\Lambda - \eta| \le$ `tol` $\cdot \max(1, \max|\Lambda|^2)$?
pub fn is_lorentz<const N: usize>(m: &SMatrix<f64, N, N>, tol: f64) -> bool {
    if m.iter().any(|v| !v.is_finite()) {
        return false;
    }
    let eta = minkowski_eta::<N>();
    let d = (m.transpose() * eta * m - eta).amax();
    d <= tol * m.amax().powi(2).max(1.0)
}

/// The Wigner rotation angle of the composition `boost(v1).then(boost(v2))` (spatial dimension 3),
/// measured from the rotation part of the polar decomposition: $\cos\varepsilon = (\mathrm{tr}R_s - 1)/2$.
///
/// # Errors
/// As [`Lorentz::boost`].
pub fn wigner_angle(v1: &[f64], v2: &[f64]) -> Result<f64, GeometryError> {
    let l = Lorentz::<4>::boost(v1)?.then(&Lorentz::<4>::boost(v2)?);
    let (_, r) = l.polar()?;
    let m = r.matrix();
    let tr = m[(1, 1)] + m[(2, 2)] + m[(3, 3)];
    // sin from the antisymmetric part for accuracy at small angles.
    let ax = [
        m[(3, 2)] - m[(2, 3)],
        m[(1, 3)] - m[(3, 1)],
        m[(2, 1)] - m[(1, 2)],
    ];
    let s = 0.5 * (ax[0] * ax[0] + ax[1] * ax[1] + ax[2] * ax[2]).sqrt();
    Ok(s.atan2(0.5 * (tr - 1.0)))
}

/// Closed-form Wigner angle for boosts of Lorentz factors $\gamma_1, \gamma_2$ at angle $\theta$:
/// $\tan(\varepsilon/2) = \sin\theta/(k + \cos\theta)$, $k = \sqrt{\frac{(\gamma_1+1)(\gamma_2+1)}{(\gamma_1-1)(\gamma_2-1)}}$.
pub fn wigner_angle_closed(gamma1: f64, gamma2: f64, theta: f64) -> f64 {
    let k = (((gamma1 + 1.0) * (gamma2 + 1.0)) / ((gamma1 - 1.0) * (gamma2 - 1.0))).sqrt();
    2.0 * theta.sin().atan2(k + theta.cos())
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
    fn rapidities_add_and_wigner_angle_matches_closed_form() {
        let (b1, b2) = (0.6_f64, 0.7_f64);
        let l = Lorentz::<4>::boost(&[b1, 0.0, 0.0])
            .unwrap()
            .then(&Lorentz::<4>::boost(&[b2, 0.0, 0.0]).unwrap());
        assert!((l.rapidity() - (b1.atanh() + b2.atanh())).abs() < 1e-14);
        let (v1, v2) = ([0.8, 0.0, 0.0], [0.0, 0.9, 0.0]);
        let g1 = 1.0 / (1.0 - 0.64_f64).sqrt();
        let g2 = 1.0 / (1.0 - 0.81_f64).sqrt();
        let eps = wigner_angle(&v1, &v2).unwrap();
        // Perpendicular boosts: cos(eps) = (g1 + g2) / (1 + g1 g2).
        assert!((eps.cos() - (g1 + g2) / (1.0 + g1 * g2)).abs() < 1e-13);
        assert!((eps.abs() - wigner_angle_closed(g1, g2, std::f64::consts::FRAC_PI_2)).abs() < 1e-13);
        let r = Lorentz::<4>::rotation(1, 2, 0.3).unwrap();
        assert!(is_lorentz(r.matrix(), 1e-15));
        assert!(Lorentz::<4>::from_matrix(SMatrix::<f64, 4, 4>::identity() * 2.0, 1e-12).is_err());
    }

    #[test]
    fn polar_decomposition_reconstructs_the_transformation() {
        let l = Lorentz::<4>::boost(&[0.5, 0.2, 0.0])
            .unwrap()
            .then(&Lorentz::<4>::rotation(1, 3, 0.7).unwrap())
            .then(&Lorentz::<4>::boost(&[0.0, -0.4, 0.3]).unwrap());
        let (b, r) = l.polar().unwrap();
        // Λ = B R, R a pure rotation (R^0_0 = 1, no boost part), both in O(1,3).
        let rebuilt = b.matrix() * r.matrix();
        assert!((rebuilt - l.matrix()).amax() < 1e-14);
        assert!((r.matrix()[(0, 0)] - 1.0).abs() < 1e-14);
        assert!(is_lorentz(b.matrix(), 1e-14) && is_lorentz(r.matrix(), 1e-14));
        assert!((l.then(&l.inverse()).matrix() - SMatrix::<f64, 4, 4>::identity()).amax() < 1e-14);
    }

    #[test]
    fn bad_velocities_are_typed_errors() {
        assert!(matches!(
            Lorentz::<4>::boost(&[1.0, 0.0, 0.0]),
            Err(GeometryError::Superluminal { .. })
        ));
        assert!(matches!(
            Lorentz::<4>::boost(&[f64::NAN, 0.0, 0.0]),
            Err(GeometryError::NonFiniteValue { .. })
        ));
        assert!(matches!(
            Lorentz::<3>::boost(&[0.1, 0.0, 0.0]),
            Err(GeometryError::DimensionMismatch { .. })
        ));
    }
}
