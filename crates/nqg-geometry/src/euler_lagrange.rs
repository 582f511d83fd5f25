//! Euler-Lagrange tensors of first-order metric Lagrangians $\mathcal L(g, \partial g)$ by nested dual
//! numbers (THEORY.md V-M5c-d, E-3a).
//!
//! A [`MetricLagrangian`] is a density $\mathcal L(g_{\mu\nu}, \partial_\lambda g_{\mu\nu})$ written once,
//! generic over the dual scalar. Its Euler-Lagrange tensor at a point $x$ of a metric $g(x)$ is
//!
//! $$E^{\mu\nu} = \frac{\partial\mathcal L}{\partial g_{\mu\nu}} -
//!   \partial_\lambda\frac{\partial\mathcal L}{\partial(\partial_\lambda g_{\mu\nu})},
//!   \qquad \delta S = \int E^{\mu\nu}\\,\delta g_{\mu\nu}\ (\text{up to boundary terms}),$$
//!
//! with the derivatives along a *symmetric* variation $\delta g_{\mu\nu} = \tfrac12(\delta^a_\mu\delta^b_\nu +
//! \delta^b_\mu\delta^a_\nu)$, so that $E^{\mu\nu}$ is symmetric and $\delta S$ counts each off-diagonal
//! pair once per ordering. Three dual layers give it exactly (no finite differences): a gradient dual
//! in $x$ (for the total derivative $\partial_\lambda$), a gradient dual in $x$ inside it (for
//! $\partial g(x)$ as a function of $x$), and a scalar dual along one variable of $\mathcal L$.
//! [`euler_lagrange`] is generic over the scalar of $x$, so one more gradient dual gives
//! $\partial_\kappa E^{\mu\nu}$ and the covariant divergence [`euler_lagrange_divergence`]
//! $\nabla_\mu E^{\mu\nu} = \partial_\mu E^{\mu\nu} + \Gamma^\nu{}\_{\mu\kappa}E^{\mu\kappa}$ (the form for a
//! symmetric tensor density of weight one, which $E^{\mu\nu}$ is when the action is diffeomorphism
//! invariant; then this divergence vanishes identically, the Noether identity of diffeomorphisms).
//!
//! The Lagrangians provided are [`QuadraticInvariants`], $\sqrt{|g|}\sum_i c_i I_i$ over the five
//! quadratic invariants of $\partial g$ (THEORY.md N8.2), and [`GammaGamma`], the Landau-Lifshitz
//! $\Gamma\Gamma$ Lagrangian $\sqrt{|g|}\\,g^{\mu\nu}(\Gamma^\alpha_{\beta\mu}\Gamma^\beta_{\alpha\nu} -
//! \Gamma^\alpha_{\mu\nu}\Gamma^\beta_{\alpha\beta})$, which differs from $\sqrt{|g|}R$ by a total
//! divergence, so its Euler-Lagrange tensor is $-\sqrt{|g|}\\,G^{\mu\nu}$.
//!
//! For the linearised theory, [`plane_wave_kinetic_matrix`] gives the quadratic form of
//! $\mathcal L(g_0, \partial_\lambda g = k_\lambda h)$ in the independent components of $h$ (the symbol of
//! the kinetic operator at wave covector $k$).
//!
//! ```
//! use nqg_geometry::euler_lagrange::{euler_lagrange, GammaGamma};
//! use nqg_geometry::curvature::Curvature;
//! use nqg_geometry::metric::Metric;
//! use num_dual::DualNum;
//!
//! /// A 2-sphere of radius 2 times time.
//! struct SphereTime;
//! impl Metric<3> for SphereTime {
//!     fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 3]) -> [[D; 3]; 3] {
//!         let z = D::from(0.0);
//!         [[D::from(-1.0), z, z], [z, D::from(4.0), z], [z, z, x[1].sin().powi(2) * 4.0]]
//!     }
//! }
//! let x = [0.0, 1.0, 0.3];
//! let e = euler_lagrange(&SphereTime, &GammaGamma, &x).tensor();
//! let c = Curvature::at(&SphereTime, &x).unwrap();
//! let gu = c.einstein_upper();
//! let sqrt_g = 4.0 * 1.0_f64.sin(); // √|det g| = r0² sin θ
//! for a in 0..3 {
//!     for b in 0..3 {
//!         assert!((e[a][b] + sqrt_g * gu[a][b]).abs() < 1e-13);
//!     }
//! }
//! ```

use nalgebra::{Const, SVector};
use num_dual::{Derivative, Dual, DualNum, DualVec, HyperDual};

use crate::GeometryError;
use crate::curvature::Curvature;
use crate::metric::{Metric, check_point, invert};

/// A first-order Lagrangian density $\mathcal L(g_{\mu\nu}, \partial_\lambda g_{\mu\nu})$ of the metric,
/// generic over the (dual) scalar. `dg[l][m][n]` $= \partial_l g_{mn}$.
pub trait MetricLagrangian<const N: usize> {
    /// The density at one $(g, \partial g)$.
    fn density<D: DualNum<Primitive = f64> + Copy>(&self, g: &[[D; N]; N], dg: &[[[D; N]; N]; N]) -> D;
}

/// The determinant of an $N\times N$ matrix of (possibly dual) numbers, by Gaussian elimination with
/// partial pivoting on the real parts.
pub fn determinant<D: DualNum<Primitive = f64> + Copy, const N: usize>(m: &[[D; N]; N]) -> D {
    let mut a = *m;
    let mut det = D::from(1.0);
    for col in 0..N {
        let mut piv = col;
        for r in col + 1..N {
            if a[r][col].re().abs() > a[piv][col].re().abs() {
                piv = r;
            }
        }
        if a[piv][col].re() == 0.0 && D::NDERIV == 0 {
            return D::from(0.0);
        }
        if piv != col {
            a.swap(col, piv);
            det = -det;
        }
        let p = a[col][col];
        det *= p;
        let pinv = p.recip();
        for r in col + 1..N {
            let f = a[r][col] * pinv;
            for k in col..N {
                let v = a[col][k];
                a[r][k] -= f * v;
            }
        }
    }
    det
}

/// $\sqrt{|\det g|}$ and $g^{\mu\nu}$; `None` if $g$ is singular.
fn volume_and_inverse<D: DualNum<Primitive = f64> + Copy, const N: usize>(
    g: &[[D; N]; N],
) -> Option<(D, [[D; N]; N])> {
    let gi = invert(g)?;
    let det = determinant(g);
    let vol = if det.re() < 0.0 { (-det).sqrt() } else { det.sqrt() };
    Some((vol, gi))
}

/// The five quadratic invariants of $\partial g$ (THEORY.md N8.2), with $\partial^\lambda g^{\mu\nu}$
/// meaning all indices raised by $g^{-1}$:
/// $I_1 = \partial_\lambda g_{\mu\nu}\partial^\lambda g^{\mu\nu}$,
/// $I_2 = \partial_\lambda g\\,\partial^\lambda g$ (traces $g^{\mu\nu}\partial_\lambda g_{\mu\nu}$),
/// $I_3 = \partial_\lambda g_{\mu\nu}\partial^\mu g^{\lambda\nu}$,
/// $I_4 = \partial^\mu g_{\mu\nu}\\,\partial_\lambda g^{\lambda\nu}$,
/// $I_5 = \partial^\mu g_{\mu\nu}\\,\partial^\nu g$.
pub fn quadratic_invariants<D: DualNum<Primitive = f64> + Copy, const N: usize>(
    gi: &[[D; N]; N],
    dg: &[[[D; N]; N]; N],
) -> [D; 5] {
    let z = D::from(0.0);
    // up[l][m][n] = g^{lr} g^{ma} g^{nb} ∂_r g_{ab}
    let mut low_l = [[[z; N]; N]; N]; // g^{lr} ∂_r g_{mn}
    for l in 0..N {
        for m in 0..N {
            for n in 0..N {
                let mut s = z;
                for r in 0..N {
                    s += gi[l][r] * dg[r][m][n];
                }
                low_l[l][m][n] = s;
            }
        }
    }
    let mut up = [[[z; N]; N]; N];
    for l in 0..N {
        let mut half = [[z; N]; N]; // g^{ma} X_{an}
        for m in 0..N {
            for n in 0..N {
                let mut s = z;
                for a in 0..N {
                    s += gi[m][a] * low_l[l][a][n];
                }
                half[m][n] = s;
            }
        }
        for m in 0..N {
            for n in 0..N {
                let mut s = z;
                for b in 0..N {
                    s += half[m][b] * gi[b][n];
                }
                up[l][m][n] = s;
            }
        }
    }
    let tr_lo: [D; N] = std::array::from_fn(|l| {
        let mut s = z;
        for m in 0..N {
            for n in 0..N {
                s += gi[m][n] * dg[l][m][n];
            }
        }
        s
    });
    let tr_up: [D; N] = std::array::from_fn(|l| {
        let mut s = z;
        for r in 0..N {
            s += gi[l][r] * tr_lo[r];
        }
        s
    });
    let div_lo: [D; N] = std::array::from_fn(|n| {
        let mut s = z;
        for m in 0..N {
            for l in 0..N {
                s += gi[m][l] * dg[l][m][n];
            }
        }
        s
    });
    let div_up: [D; N] = std::array::from_fn(|n| {
        let mut s = z;
        for b in 0..N {
            s += gi[n][b] * div_lo[b];
        }
        s
    });
    let (mut i1, mut i2, mut i3, mut i4, mut i5) = (z, z, z, z, z);
    for l in 0..N {
        for m in 0..N {
            for n in 0..N {
                i1 += dg[l][m][n] * up[l][m][n];
                i3 += dg[l][m][n] * up[m][l][n];
            }
        }
        i2 += tr_lo[l] * tr_up[l];
        i4 += div_lo[l] * div_up[l];
        i5 += div_lo[l] * tr_up[l];
    }
    [i1, i2, i3, i4, i5]
}

/// The coefficients of the $\Gamma\Gamma$ (Einstein-Hilbert) combination,
/// $L_{\Gamma\Gamma}/\sqrt{|g|} = -\tfrac14 I_1 + \tfrac14 I_2 + \tfrac12 I_3 + 0\\,I_4 - \tfrac12 I_5$.
pub const EINSTEIN_HILBERT_RAY: [f64; 5] = [-0.25, 0.25, 0.5, 0.0, -0.5];

/// $\mathcal L = \sqrt{|g|}\sum_i c_i I_i$ over the five [`quadratic_invariants`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuadraticInvariants {
    /// The coefficients $c_1..c_5$.
    pub c: [f64; 5],
}

impl<const N: usize> MetricLagrangian<N> for QuadraticInvariants {
    fn density<D: DualNum<Primitive = f64> + Copy>(&self, g: &[[D; N]; N], dg: &[[[D; N]; N]; N]) -> D {
        let Some((vol, gi)) = volume_and_inverse(g) else {
            return D::from(f64::NAN);
        };
        let inv = quadratic_invariants(&gi, dg);
        let mut s = D::from(0.0);
        for (c, i) in self.c.iter().zip(inv) {
            if *c != 0.0 {
                s += i * *c;
            }
        }
        vol * s
    }
}

/// The Landau-Lifshitz $\Gamma\Gamma$ Lagrangian
/// $\sqrt{|g|}\\,g^{\mu\nu}(\Gamma^\alpha_{\beta\mu}\Gamma^\beta_{\alpha\nu} - \Gamma^\alpha_{\mu\nu}\Gamma^\beta_{\alpha\beta})$,
/// written from the Christoffel symbols (not from the invariants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GammaGamma;

impl<const N: usize> MetricLagrangian<N> for GammaGamma {
    fn density<D: DualNum<Primitive = f64> + Copy>(&self, g: &[[D; N]; N], dg: &[[[D; N]; N]; N]) -> D {
        let Some((vol, gi)) = volume_and_inverse(g) else {
            return D::from(f64::NAN);
        };
        let z = D::from(0.0);
        let mut gam = [[[z; N]; N]; N];
        for a in 0..N {
            for m in 0..N {
                for n in 0..N {
                    let mut s = z;
                    for b in 0..N {
                        s += gi[a][b] * (dg[m][b][n] + dg[n][b][m] - dg[b][m][n]);
                    }
                    gam[a][m][n] = s * 0.5;
                }
            }
        }
        let trace: [D; N] = std::array::from_fn(|b| {
            let mut s = z;
            for a in 0..N {
                s += gam[a][a][b];
            }
            s
        });
        let mut l = z;
        for m in 0..N {
            for n in 0..N {
                let mut t = z;
                for a in 0..N {
                    for b in 0..N {
                        t += gam[a][b][m] * gam[b][a][n];
                    }
                    t -= gam[a][m][n] * trace[a];
                }
                l += gi[m][n] * t;
            }
        }
        vol * l
    }
}

/// The two pieces of an Euler-Lagrange tensor at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EulerLagrange<T, const N: usize> {
    /// $\partial\mathcal L/\partial g_{\mu\nu}$.
    pub explicit: [[T; N]; N],
    /// $\partial_\lambda(\partial\mathcal L/\partial(\partial_\lambda g_{\mu\nu}))$ (total derivative along $x^\lambda$).
    pub flux_divergence: [[T; N]; N],
}

impl<T: DualNum<Primitive = f64> + Copy, const N: usize> EulerLagrange<T, N> {
    /// $E^{\mu\nu}$ = `explicit - flux_divergence`.
    pub fn tensor(&self) -> [[T; N]; N] {
        std::array::from_fn(|a| std::array::from_fn(|b| self.explicit[a][b] - self.flux_divergence[a][b]))
    }
}

fn unit_vec<T: DualNum<Primitive = f64> + Copy, const N: usize>(
    i: usize,
) -> Derivative<T, Const<N>, Const<1>> {
    Derivative::some(SVector::<T, N>::from_fn(|k, _| {
        T::from(if k == i { 1.0 } else { 0.0 })
    }))
}

fn eps_of<T: DualNum<Primitive = f64> + Copy, const N: usize>(v: &DualVec<T, Const<N>>, k: usize) -> T {
    v.eps.0.as_ref().map_or(T::from(0.0), |e| e[k])
}

/// The symmetric seed $\tfrac12(\delta^a_\mu\delta^b_\nu + \delta^b_\mu\delta^a_\nu)$ at $(\mu, \nu)$.
fn seed(a: usize, b: usize, m: usize, n: usize) -> f64 {
    let mut s = 0.0;
    if m == a && n == b {
        s += 0.5;
    }
    if m == b && n == a {
        s += 0.5;
    }
    s
}

/// The Euler-Lagrange tensor of `lag` on `metric` at `x`, with `x` in any dual scalar `T` (pass
/// `f64` for the value, a gradient dual for its derivatives).
pub fn euler_lagrange<M, L, T, const N: usize>(metric: &M, lag: &L, x: &[T; N]) -> EulerLagrange<T, N>
where
    M: Metric<N> + ?Sized,
    L: MetricLagrangian<N> + ?Sized,
    T: DualNum<Primitive = f64> + Copy,
    DualVec<T, Const<N>>: DualNum<Primitive = f64> + Copy,
    DualVec<DualVec<T, Const<N>>, Const<N>>: DualNum<Primitive = f64> + Copy,
    Dual<DualVec<T, Const<N>>>: DualNum<Primitive = f64> + Copy,
{
    type X<T, const N: usize> = DualVec<T, Const<N>>;
    // Outer: total derivative along x^λ. Inner: ∂g as a function of x.
    let xo: [X<T, N>; N] = std::array::from_fn(|i| X::<T, N>::new(x[i], unit_vec(i)));
    let xi: [DualVec<X<T, N>, Const<N>>; N] = std::array::from_fn(|i| DualVec::new(xo[i], unit_vec(i)));
    let comps = metric.components(&xi);
    let zx = X::<T, N>::from(0.0);
    let g: [[X<T, N>; N]; N] = std::array::from_fn(|a| std::array::from_fn(|b| comps[a][b].re));
    let dg: [[[X<T, N>; N]; N]; N] =
        std::array::from_fn(|l| std::array::from_fn(|a| std::array::from_fn(|b| eps_of(&comps[a][b], l))));
    let lift = |v: X<T, N>| Dual::new(v, zx);
    let g_z: [[Dual<X<T, N>>; N]; N] = g.map(|r| r.map(lift));
    let dg_z: [[[Dual<X<T, N>>; N]; N]; N] = dg.map(|p| p.map(|r| r.map(lift)));
    let zt = T::from(0.0);
    let mut explicit = [[zt; N]; N];
    let mut flux = [[zt; N]; N];
    for a in 0..N {
        for b in a..N {
            // ∂L/∂g_ab along the symmetric seed.
            let mut gs = g_z;
            for m in 0..N {
                for n in 0..N {
                    let s = seed(a, b, m, n);
                    if s != 0.0 {
                        gs[m][n].eps = X::<T, N>::from(s);
                    }
                }
            }
            let v = lag.density(&gs, &dg_z).eps.re;
            explicit[a][b] = v;
            explicit[b][a] = v;
            // ∂_λ (∂L/∂(∂_λ g_ab)).
            let mut f = zt;
            for l in 0..N {
                let mut ds = dg_z;
                for m in 0..N {
                    for n in 0..N {
                        let s = seed(a, b, m, n);
                        if s != 0.0 {
                            ds[l][m][n].eps = X::<T, N>::from(s);
                        }
                    }
                }
                let p = lag.density(&g_z, &ds).eps;
                f += eps_of(&p, l);
            }
            flux[a][b] = f;
            flux[b][a] = f;
        }
    }
    EulerLagrange {
        explicit,
        flux_divergence: flux,
    }
}

/// The covariant divergence of an Euler-Lagrange tensor at a point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Divergence<const N: usize> {
    /// $E^{\mu\nu}$ at the point.
    pub tensor: [[f64; N]; N],
    /// $\nabla_\mu E^{\mu\nu} = \partial_\mu E^{\mu\nu} + \Gamma^\nu{}\_{\mu\kappa}E^{\mu\kappa}$.
    pub divergence: [f64; N],
    /// The round-off scale of the divergence: $\max_\nu$ of the sum of the magnitudes of the terms that
    /// cancel, $\sum_\mu(|\partial_\mu A^{\mu\nu}| + |\partial_\mu B^{\mu\nu}|) + \sum_{\mu\kappa}
    /// |\Gamma^\nu{}\_{\mu\kappa}E^{\mu\kappa}|$ with $A$, $B$ the two pieces of [`EulerLagrange`].
    pub scale: f64,
}

/// $\nabla_\mu E^{\mu\nu}$ of `lag` on `metric` at `x`, with $\partial_\kappa E^{\mu\nu}$ from one more
/// gradient dual around [`euler_lagrange`] (fourth-order nesting; third derivatives of $g$).
///
/// # Errors
/// As [`Curvature::at`] (the Christoffel symbols come from it), or
/// [`GeometryError::SingularMetric`] if the result is not finite.
pub fn euler_lagrange_divergence<M, L, const N: usize>(
    metric: &M,
    lag: &L,
    x: &[f64; N],
) -> Result<Divergence<N>, GeometryError>
where
    M: Metric<N> + ?Sized,
    L: MetricLagrangian<N> + ?Sized,
    DualVec<f64, Const<N>>: DualNum<Primitive = f64> + Copy,
    DualVec<DualVec<f64, Const<N>>, Const<N>>: DualNum<Primitive = f64> + Copy,
    DualVec<DualVec<DualVec<f64, Const<N>>, Const<N>>, Const<N>>: DualNum<Primitive = f64> + Copy,
    Dual<DualVec<DualVec<f64, Const<N>>, Const<N>>>: DualNum<Primitive = f64> + Copy,
{
    check_point(metric, x)?;
    let c = Curvature::at(metric, x)?;
    let xd: [DualVec<f64, Const<N>>; N] = std::array::from_fn(|i| DualVec::new(x[i], unit_vec(i)));
    let el = euler_lagrange(metric, lag, &xd);
    let e = el.tensor();
    let tensor: [[f64; N]; N] = e.map(|r| r.map(|v| v.re));
    let mut divergence = [0.0; N];
    let mut scale = 0.0_f64;
    for nu in 0..N {
        let (mut s, mut mag) = (0.0, 0.0);
        for mu in 0..N {
            let da = eps_of(&el.explicit[mu][nu], mu);
            let db = eps_of(&el.flux_divergence[mu][nu], mu);
            s += da - db;
            mag += da.abs() + db.abs();
            for k in 0..N {
                let t = c.christoffel[nu][mu][k] * tensor[mu][k];
                s += t;
                mag += t.abs();
            }
        }
        divergence[nu] = s;
        scale = scale.max(mag);
    }
    if !divergence.iter().all(|v| v.is_finite()) {
        return Err(GeometryError::SingularMetric {
            point: x.to_vec(),
            pivot: f64::NAN,
        });
    }
    Ok(Divergence {
        tensor,
        divergence,
        scale,
    })
}

/// The independent components $(a \le b)$ of a symmetric $N\times N$ tensor, in row order.
pub fn symmetric_pairs<const N: usize>() -> Vec<(usize, usize)> {
    (0..N).flat_map(|a| (a..N).map(move |b| (a, b))).collect()
}

/// The plane-wave kinetic matrix at background $g_0$ and wave covector $k$:
/// $K_{AB}(k) = \partial^2\mathcal L(g_0, \partial_\lambda g = k_\lambda h)/\partial h_A\partial h_B$ over
/// the independent components $h_A$, $A \in$ [`symmetric_pairs`] (row-major, `n × n` with
/// $n = N(N+1)/2$), by hyper-dual numbers. For a Lagrangian quadratic in $\partial g$ this is the
/// symbol of the linearised field operator, $\mathcal L_2 = \tfrac12 h^{\mathsf T}K(k)h$ for
/// $\partial_\lambda h = k_\lambda h$.
pub fn plane_wave_kinetic_matrix<L, const N: usize>(lag: &L, g0: &[[f64; N]; N], k: &[f64; N]) -> Vec<f64>
where
    L: MetricLagrangian<N> + ?Sized,
{
    let pairs = symmetric_pairs::<N>();
    let n = pairs.len();
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in i..n {
            let h = |v1: f64, v2: f64, (a, b): (usize, usize), m: usize, nn: usize| {
                if (m == a && nn == b) || (m == b && nn == a) {
                    HyperDual::new(0.0, v1, v2, 0.0)
                } else {
                    HyperDual::from(0.0)
                }
            };
            let mut hm = [[HyperDual::from(0.0); N]; N];
            for m in 0..N {
                for nn in 0..N {
                    hm[m][nn] = h(1.0, 0.0, pairs[i], m, nn) + h(0.0, 1.0, pairs[j], m, nn);
                }
            }
            let g: [[HyperDual<f64>; N]; N] = g0.map(|r| r.map(HyperDual::from));
            let dg: [[[HyperDual<f64>; N]; N]; N] = std::array::from_fn(|l| hm.map(|r| r.map(|v| v * k[l])));
            let v = lag.density(&g, &dg).eps1eps2;
            out[i * n + j] = v;
            out[j * n + i] = v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A smooth non-diagonal Lorentzian metric in 4D.
    struct Wavy;
    impl Metric<4> for Wavy {
        fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> [[D; 4]; 4] {
            let one = D::from(1.0);
            let g00 = -(one + (x[1] + x[0] * 0.5).sin() * 0.2);
            let g11 = one + (x[2] * 0.7).cos() * 0.15;
            let g22 = one + (x[0] - x[3]).sin() * 0.1;
            let g33 = one + (x[1] * x[2] * 0.3).cos() * 0.1;
            let g01 = (x[2] + x[3]).sin() * 0.1;
            let g13 = (x[0] * 0.8).cos() * 0.05;
            let z = D::from(0.0);
            [
                [g00, g01, z, z],
                [g01, g11, z, g13],
                [z, z, g22, z],
                [z, g13, z, g33],
            ]
        }
    }

    #[test]
    fn determinant_closed_form() {
        let m: [[f64; 3]; 3] = [[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]];
        // 2(12 - 1) - 1(4 - 0) = 18
        assert!((determinant(&m) - 18.0).abs() < 1e-14);
        let p: [[f64; 2]; 2] = [[0.0, 1.0], [1.0, 0.0]];
        assert!((determinant(&p) + 1.0).abs() < 1e-15);
    }

    #[test]
    fn invariants_reproduce_gamma_gamma() {
        let x = [0.3, -0.2, 0.5, 0.1];
        let comps = Wavy.components(&x.map(|v| DualVec::<f64, Const<4>>::new(v, unit_vec(0))));
        let g = comps.map(|r| r.map(|v| v.re));
        let dg: [[[f64; 4]; 4]; 4] = std::array::from_fn(|l| {
            let xs = std::array::from_fn(|i| DualVec::<f64, Const<4>>::new(x[i], unit_vec(i)));
            Wavy.components(&xs).map(|r| r.map(|v| eps_of(&v, l)))
        });
        let a = MetricLagrangian::<4>::density(&GammaGamma, &g, &dg);
        let b = MetricLagrangian::<4>::density(
            &QuadraticInvariants {
                c: EINSTEIN_HILBERT_RAY,
            },
            &g,
            &dg,
        );
        assert!(a.abs() > 1e-3, "{a}");
        assert!((a - b).abs() < 1e-14, "{a} {b}");
    }

    #[test]
    fn gamma_gamma_euler_lagrange_is_minus_density_einstein() {
        let x = [0.3, -0.2, 0.5, 0.1];
        let e = euler_lagrange(&Wavy, &GammaGamma, &x).tensor();
        let c = Curvature::at(&Wavy, &x).unwrap();
        let vol = determinant(&c.g).abs().sqrt();
        let gu = c.einstein_upper();
        for a in 0..4 {
            for b in 0..4 {
                assert!(
                    (e[a][b] + vol * gu[a][b]).abs() < 1e-13,
                    "{a}{b}: {} {}",
                    e[a][b],
                    gu[a][b]
                );
            }
        }
    }

    #[test]
    fn divergence_vanishes_only_for_einstein_hilbert() {
        let x = [0.3, -0.2, 0.5, 0.1];
        let eh = euler_lagrange_divergence(
            &Wavy,
            &QuadraticInvariants {
                c: EINSTEIN_HILBERT_RAY,
            },
            &x,
        )
        .unwrap();
        let worst = eh.divergence.iter().fold(0.0_f64, |s, v| s.max(v.abs()));
        assert!(worst < 1e-13 * eh.scale.max(1.0), "{worst} {}", eh.scale);
        let other = euler_lagrange_divergence(
            &Wavy,
            &QuadraticInvariants {
                c: [1.0, 0.0, 0.0, 0.0, 0.0],
            },
            &x,
        )
        .unwrap();
        let w = other.divergence.iter().fold(0.0_f64, |s, v| s.max(v.abs()));
        assert!(w > 1e-3 * other.scale, "{w} {}", other.scale);
    }

    #[test]
    fn flat_background_kinetic_matrix_of_a_scalar_like_term() {
        // I_2 = (η^{mn} ∂ h_mn)² at η: for k = (0, 1) in 2D and h = (h00, h01, h11),
        // L = c₂ (−h00 + h11)² so K = 2c₂ [[1, 0, −1], [0, 0, 0], [−1, 0, 1]].
        let eta = [[-1.0, 0.0], [0.0, 1.0]];
        let k = plane_wave_kinetic_matrix(
            &QuadraticInvariants {
                c: [0.0, 1.0, 0.0, 0.0, 0.0],
            },
            &eta,
            &[0.0, 1.0],
        );
        let want = [2.0, 0.0, -2.0, 0.0, 0.0, 0.0, -2.0, 0.0, 2.0];
        for (a, b) in k.iter().zip(want) {
            assert!((a - b).abs() < 1e-15, "{k:?}");
        }
    }
}
