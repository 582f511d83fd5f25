//! The [`Metric`] trait: a spacetime is one function of the coordinates, generic over the dual scalar.
//!
//! A metric on an $N$-dimensional chart is $g_{\mu\nu}(x)$, $\mu,\nu = 0..N-1$, signature
//! $(-,+,\dots,+)$. Implementors write the components once, generic over
//! `D: DualNum<Primitive = f64> + Copy`; every derivative (Christoffels $\partial g$, Riemann $\partial^2 g$,
//! the Bianchi identity $\partial^3 g$, geodesic forces $\partial g^{-1}$) then comes from automatic
//! differentiation (THEORY.md S-CURV, S-GEO). A chart may declare its domain with
//! [`Metric::domain`]; evaluation outside it is a typed [`GeometryError::OutsideDomain`].
//!
//! ```
//! use nqg_geometry::metric::Metric;
//! use nqg_geometry::curvature::Curvature;
//! use num_dual::DualNum;
//!
//! /// A 2-sphere of radius r0 times time: ds^2 = -dt^2 + r0^2 (dθ^2 + sin^2θ dφ^2).
//! struct SphereTime { r0: f64 }
//! impl Metric<3> for SphereTime {
//!     fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 3]) -> [[D; 3]; 3] {
//!         let z = D::from(0.0);
//!         let r2 = D::from(self.r0 * self.r0);
//!         [[D::from(-1.0), z, z], [z, r2, z], [z, z, r2 * x[1].sin().powi(2)]]
//!     }
//! }
//! let c = Curvature::at(&SphereTime { r0: 2.0 }, &[0.0, 1.0, 0.3]).unwrap();
//! // The Ricci scalar of a 2-sphere of radius r0 is 2 / r0^2.
//! assert!((c.ricci_scalar - 0.5).abs() < 1e-14);
//! ```

use num_dual::DualNum;

use crate::GeometryError;

/// A pseudo-Riemannian metric on an $N$-dimensional chart.
pub trait Metric<const N: usize> {
    /// The components $g_{\mu\nu}(x)$, symmetric, generic over the (dual) scalar type.
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; N]) -> [[D; N]; N];

    /// The inverse $g^{\mu\nu}(x)$. The default inverts [`Metric::components`] by Gauss-Jordan
    /// elimination (which works for nested duals); override it with a closed form for speed.
    ///
    /// # Errors
    /// [`GeometryError::SingularMetric`] if a pivot vanishes.
    fn inverse_components<D: DualNum<Primitive = f64> + Copy>(
        &self,
        x: &[D; N],
    ) -> Result<[[D; N]; N], GeometryError> {
        invert_checked(&self.components(x)).map_err(|pivot| GeometryError::SingularMetric {
            point: x.iter().map(|v| v.re()).collect(),
            pivot,
        })
    }

    /// Check that `x` lies in the chart's domain (default: every point does).
    ///
    /// # Errors
    /// [`GeometryError::OutsideDomain`] describing the violated condition.
    fn domain(&self, x: &[f64; N]) -> Result<(), GeometryError> {
        let _ = x;
        Ok(())
    }

    /// A short name used in error messages.
    fn name(&self) -> &'static str {
        "user metric"
    }

    /// Indices of cyclic coordinates ($\partial_k g_{\mu\nu} = 0$): their momenta $p_k$ are conserved
    /// along geodesics (Killing vectors $\partial_k$; e.g. $E = -p_t$, $L = p_\phi$). Default: none.
    /// The geodesic right-hand side skips these directions, so the declaration must be exact.
    fn cyclic_coordinates(&self) -> &'static [usize] {
        &[]
    }

    /// A further conserved quantity quadratic in the momenta (a Killing tensor invariant, e.g. Carter's
    /// $Q$ for Kerr), given $\mu^2 = -g^{\mu\nu}p_\mu p_\nu$. Default: none.
    fn killing_tensor_invariant(&self, x: &[f64; N], p: &[f64; N], mu2: f64) -> Option<f64> {
        let _ = (x, p, mu2);
        None
    }
}

/// Check a point is finite and inside the metric's domain.
///
/// # Errors
/// [`GeometryError::NonFinite`] or the metric's [`GeometryError::OutsideDomain`].
pub fn check_point<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    x: &[f64; N],
) -> Result<(), GeometryError> {
    crate::error::check_finite_values("coordinates", x)?;
    metric.domain(x)
}

/// Relative asymmetry above which a metric is rejected as non-symmetric (a user's components must be
/// symmetric by construction; round-off in symmetric formulas stays far below this).
pub const SYMMETRY_TOL: f64 = 1e-12;

/// [`check_point`], then the symmetry of the components at `x` (one evaluation of the metric).
///
/// # Errors
/// As [`check_point`], or [`GeometryError::NonSymmetricMetric`] with the relative asymmetry.
pub fn check_point_and_symmetry<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    x: &[f64; N],
) -> Result<[[f64; N]; N], GeometryError> {
    check_point(metric, x)?;
    let g = metric.components(x);
    if g.iter().flatten().any(|v| !v.is_finite()) {
        return Err(GeometryError::NonFiniteResult {
            what: "metric components",
            point: x.to_vec(),
        });
    }
    let a = asymmetry(&g);
    if a > SYMMETRY_TOL {
        return Err(GeometryError::NonSymmetricMetric {
            point: x.to_vec(),
            asymmetry: a,
        });
    }
    Ok(g)
}

/// The metric components at an `f64` point, after [`check_point_and_symmetry`].
///
/// # Errors
/// As [`check_point_and_symmetry`].
pub fn metric_at<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    x: &[f64; N],
) -> Result<[[f64; N]; N], GeometryError> {
    check_point_and_symmetry(metric, x)
}

/// Invert an $N\times N$ matrix of (possibly nested) dual numbers by Gauss-Jordan elimination with
/// partial pivoting on the real parts. Returns `None` if a pivot is zero or non-finite, or is below
/// $10^{-14}$ times the largest entry (numerically singular); [`invert_checked`] says which pivot.
pub fn invert<D: DualNum<Primitive = f64> + Copy, const N: usize>(m: &[[D; N]; N]) -> Option<[[D; N]; N]> {
    invert_checked(m).ok()
}

/// [`invert`], with the failing pivot relative to the largest entry as the error (0 for a zero matrix,
/// NaN for non-finite entries), which [`GeometryError::SingularMetric`] reports.
///
/// # Errors
/// The relative pivot at which the elimination stopped.
pub fn invert_checked<D: DualNum<Primitive = f64> + Copy, const N: usize>(
    m: &[[D; N]; N],
) -> Result<[[D; N]; N], f64> {
    let mut a = *m;
    let mut inv = [[D::from(0.0); N]; N];
    for (i, row) in inv.iter_mut().enumerate() {
        row[i] = D::from(1.0);
    }
    let scale = m.iter().flatten().fold(0.0_f64, |s, v| s.max(v.re().abs()));
    if !(scale.is_finite() && scale > 0.0) {
        return Err(if scale.is_finite() { 0.0 } else { f64::NAN });
    }
    for col in 0..N {
        let mut piv = col;
        for r in col + 1..N {
            if a[r][col].re().abs() > a[piv][col].re().abs() {
                piv = r;
            }
        }
        let p = a[piv][col].re();
        if !p.is_finite() || p.abs() <= 1e-14 * scale {
            return Err(p / scale);
        }
        a.swap(col, piv);
        inv.swap(col, piv);
        let pinv = a[col][col].recip();
        for k in 0..N {
            a[col][k] *= pinv;
            inv[col][k] *= pinv;
        }
        for r in 0..N {
            if r != col {
                let f = a[r][col];
                if f.re() != 0.0 || D::NDERIV > 0 {
                    for k in 0..N {
                        let ack = a[col][k];
                        let ick = inv[col][k];
                        a[r][k] -= f * ack;
                        inv[r][k] -= f * ick;
                    }
                }
            }
        }
    }
    Ok(inv)
}

/// $\max_{\mu\nu} |g_{\mu\nu} - g_{\nu\mu}|$ relative to the largest entry: a sanity check on a user metric.
pub fn asymmetry<const N: usize>(g: &[[f64; N]; N]) -> f64 {
    let scale = g
        .iter()
        .flatten()
        .fold(0.0_f64, |s, v| s.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    let mut worst = 0.0_f64;
    for i in 0..N {
        for j in 0..N {
            worst = worst.max((g[i][j] - g[j][i]).abs() / scale);
        }
    }
    worst
}
