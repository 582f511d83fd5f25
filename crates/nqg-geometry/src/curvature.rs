//! Curvature at a point from one automatic-differentiation pass (THEORY.md S-CURV1-4).
//!
//! One num-dual `hessian` over the metric components gives $g_{ab}$, $\partial_c g_{ab}$ and
//! $\partial_c\partial_d g_{ab}$. From them, with $\Gamma_{abc} = \tfrac12(g_{ab,c} + g_{ac,b} - g_{bc,a})$:
//!
//! $$\Gamma^a{}\_{bc} = g^{ad}\Gamma_{dbc},\qquad
//! R_{abcd} = \tfrac12(g_{ad,bc} + g_{bc,ad} - g_{ac,bd} - g_{bd,ac})
//!   + \Gamma_{ebc}\Gamma^e{}\_{ad} - \Gamma_{ebd}\Gamma^e{}\_{ac},$$
//!
//! $R_{bd} = g^{ac}R_{abcd}$, $R = g^{bd}R_{bd}$, $G_{ab} = R_{ab} - \tfrac12 R g_{ab}$ and the
//! Kretschmann scalar $K = R_{abcd}R^{abcd}$, contracted on antisymmetric index pairs (bivectors),
//! $K = 4\sum_{A,B} R_{AB} (\mathcal G R \mathcal G)^{AB}$ with
//! $\mathcal G^{(ab)(cd)} = g^{ac}g^{bd} - g^{ad}g^{bc}$. Sign conventions: a round 2-sphere of radius
//! $r_0$ has $R = 2/r_0^2$.
//!
//! Field-equation residuals $E_{ab} = G_{ab} + \Lambda g_{ab} - 8\pi T_{ab}$ are formed against
//! [`perfect_fluid`] ($T_{ab} = (\rho + p)u_a u_b + p g_{ab}$) or [`scalar_field`]
//! ($T_{ab} = \partial_a\phi\partial_b\phi - g_{ab}(\tfrac12 g^{cd}\partial_c\phi\partial_d\phi + V)$)
//! stress tensors. The contracted Bianchi identity $\nabla_a G^{ab} = 0$ is evaluated by
//! [`einstein_divergence`], which nests a gradient dual around the Hessian pass to get $\partial^3 g$.
//!
//! Mixed components: [`Curvature::einstein_mixed`] $G^a{}\_b$, [`Curvature::ricci_mixed`] $R^a{}\_b$,
//! [`Curvature::riemann_mixed`] $R^a{}\_{bcd} = g^{ae}R_{ebcd}$, [`Curvature::einstein_upper`] $G^{ab}$;
//! general index moves in [`crate::indices`].
//!
//! Everything is generic over the scalar `T`, so the same code runs on `f64` and on dual numbers.

use nalgebra::SVector;
use num_dual::{Derivative, Dual2Vec, DualNum, DualVec};
use rayon::prelude::*;

use crate::GeometryError;
use crate::indices::{Slot, raise2};
use crate::metric::{
    Metric, SYMMETRY_TOL, asymmetry, check_point, check_point_and_symmetry, invert, invert_checked,
};

mod contract;
mod sparse;

/// The metric and its first and second derivatives at a point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Jets<T, const N: usize> {
    /// $g_{ab}$.
    pub g: [[T; N]; N],
    /// `dg[c][a][b]` $= \partial_c g_{ab}$.
    pub dg: [[[T; N]; N]; N],
    /// `ddg[c][d][a][b]` $= \partial_c\partial_d g_{ab}$.
    pub ddg: [[[[T; N]; N]; N]; N],
}

/// Metric jets by one num-dual `hessian` pass over the components (no finite differences).
pub fn jets<M, T, const N: usize>(metric: &M, x: &[T; N]) -> Jets<T, N>
where
    M: Metric<N> + ?Sized,
    T: DualNum<Primitive = f64> + Copy,
    Dual2Vec<T, nalgebra::Const<N>>: DualNum<Primitive = f64> + Copy,
{
    // Seed x_i = x_i + e_i (first-order part); the second-order part starts at zero. This is what
    // num-dual's `hessian` does, inlined so the output type stays concrete in generic code.
    let xd: [Dual2Vec<T, nalgebra::Const<N>>; N] = std::array::from_fn(|i| {
        Dual2Vec::new(
            x[i],
            Derivative::some(nalgebra::SMatrix::<T, 1, N>::from_fn(|_, k| {
                T::from(if k == i { 1.0 } else { 0.0 })
            })),
            Derivative::none(),
        )
    });
    let h = metric.components(&xd);
    let z = T::from(0.0);
    let mut out = Jets {
        g: [[z; N]; N],
        dg: [[[z; N]; N]; N],
        ddg: [[[[z; N]; N]; N]; N],
    };
    for a in 0..N {
        for b in 0..N {
            let e = &h[a][b];
            out.g[a][b] = e.re;
            if let Some(grad) = e.v1.0.as_ref() {
                for c in 0..N {
                    out.dg[c][a][b] = grad[c];
                }
            }
            if let Some(hess) = e.v2.0.as_ref() {
                for c in 0..N {
                    for d in 0..N {
                        out.ddg[c][d][a][b] = hess[(c, d)];
                    }
                }
            }
        }
    }
    out
}

/// Metric jets at an `f64` point by one Hessian pass that differentiates only along the coordinates
/// the metric does not declare cyclic ([`Metric::cyclic_coordinates`], $\partial_k g_{ab} = 0$
/// exactly): with $K$ such coordinates the dual numbers carry $K$ first and $K^2$ second derivatives
/// instead of $N$ and $N^2$ (Kerr in Boyer-Lindquist coordinates: 2 and 4 instead of 4 and 16). The
/// entries along cyclic directions are exact zeros; the others are those of [`jets`], computed by the
/// same operations (equal to the last bit for a metric whose cyclic coordinates do not enter its
/// formulas).
pub fn jets_at<M: Metric<N> + ?Sized, const N: usize>(metric: &M, x: &[f64; N]) -> Jets<f64, N> {
    let (free, k) = free_coordinates(metric);
    match k {
        1 if N > 1 => jets_along::<M, N, 1>(metric, x, &free),
        2 if N > 2 => jets_along::<M, N, 2>(metric, x, &free),
        3 if N > 3 => jets_along::<M, N, 3>(metric, x, &free),
        _ => jets(metric, x),
    }
}

/// The coordinates the metric does not declare cyclic, ascending, in `free[..k]`, and `k`.
fn free_coordinates<M: Metric<N> + ?Sized, const N: usize>(metric: &M) -> ([usize; N], usize) {
    let cyclic = metric.cyclic_coordinates();
    let mut free = [0usize; N];
    let mut k = 0;
    for i in 0..N {
        if !cyclic.contains(&i) {
            free[k] = i;
            k += 1;
        }
    }
    (free, k)
}

/// [`jets_at`] with the `K` coordinates `free[..K]` seeded as dual directions, the others constant.
fn jets_along<M: Metric<N> + ?Sized, const N: usize, const K: usize>(
    metric: &M,
    x: &[f64; N],
    free: &[usize; N],
) -> Jets<f64, N> {
    scatter(&metric.components(&seed_along::<N, K>(x, free)), free)
}

/// The point `x` as second-order duals: $x^{f_s} + \varepsilon_s$ for the `K` coordinates
/// $f_s$ = `free[s]`, the others constant (no derivative parts).
fn seed_along<const N: usize, const K: usize>(
    x: &[f64; N],
    free: &[usize; N],
) -> [Dual2Vec<f64, nalgebra::Const<K>>; N] {
    std::array::from_fn(|i| match free[..K].iter().position(|&f| f == i) {
        Some(s) => Dual2Vec::new(
            x[i],
            Derivative::some(nalgebra::SMatrix::<f64, 1, K>::from_fn(|_, k| {
                if k == s { 1.0 } else { 0.0 }
            })),
            Derivative::none(),
        ),
        None => Dual2Vec::new(x[i], Derivative::none(), Derivative::none()),
    })
}

/// The jets of components evaluated on [`seed_along`] duals: the derivative parts along
/// `free[..K]` put at their coordinates, zeros along the others.
fn scatter<const N: usize, const K: usize>(
    h: &[[Dual2Vec<f64, nalgebra::Const<K>>; N]; N],
    free: &[usize; N],
) -> Jets<f64, N> {
    let mut out = Jets {
        g: [[0.0; N]; N],
        dg: [[[0.0; N]; N]; N],
        ddg: [[[[0.0; N]; N]; N]; N],
    };
    for a in 0..N {
        for b in 0..N {
            let e = &h[a][b];
            out.g[a][b] = e.re;
            if let Some(grad) = e.v1.0.as_ref() {
                for (c, &fc) in free[..K].iter().enumerate() {
                    out.dg[fc][a][b] = grad[c];
                }
            }
            if let Some(hess) = e.v2.0.as_ref() {
                for (c, &fc) in free[..K].iter().enumerate() {
                    for (d, &fd) in free[..K].iter().enumerate() {
                        out.ddg[fc][fd][a][b] = hess[(c, d)];
                    }
                }
            }
        }
    }
    out
}

/// The curvature bundle at one point.
#[derive(Debug, Clone, PartialEq)]
pub struct Curvature<const N: usize, T = f64> {
    /// $g_{ab}$.
    pub g: [[T; N]; N],
    /// $g^{ab}$.
    pub g_inv: [[T; N]; N],
    /// `christoffel[a][b][c]` $= \Gamma^a{}\_{bc}$.
    pub christoffel: [[[T; N]; N]; N],
    /// `riemann[a][b][c][d]` $= R_{abcd}$ (all indices down).
    pub riemann: [[[[T; N]; N]; N]; N],
    /// $R_{ab}$.
    pub ricci: [[T; N]; N],
    /// $R$.
    pub ricci_scalar: T,
    /// $G_{ab}$.
    pub einstein: [[T; N]; N],
    /// $K = R_{abcd}R^{abcd}$.
    pub kretschmann: T,
}

impl<const N: usize> Curvature<N, f64> {
    /// The curvature of `metric` at `x` (after checking the point is finite and in the domain).
    ///
    /// # Errors
    /// [`GeometryError::NonFinite`], [`GeometryError::OutsideDomain`],
    /// [`GeometryError::NonSymmetricMetric`], [`GeometryError::SingularMetric`] if $g$ is not invertible
    /// (with the pivot), or [`GeometryError::NonFiniteResult`] if the curvature is not finite.
    pub fn at<M: Metric<N> + ?Sized>(metric: &M, x: &[f64; N]) -> Result<Self, GeometryError> {
        check_point(metric, x)?;
        let j = jets_at(metric, x);
        // The symmetry check of `check_point_and_symmetry`, on the jets' values (one metric
        // evaluation fewer).
        check_components(&j.g, x)?;
        // The metric's own inverse (closed form where it has one, else Gauss-Jordan).
        let g_inv = metric.inverse_components(x)?;
        let c = Self::from_jets_and_inverse(&j, g_inv);
        if !c.kretschmann.is_finite() || !c.einstein.iter().flatten().all(|v| v.is_finite()) {
            return Err(GeometryError::NonFiniteResult {
                what: "curvature",
                point: x.to_vec(),
            });
        }
        Ok(c)
    }

    /// The Einstein tensor $G_{ab}$ alone: the same numbers as [`Curvature::at`]`(metric, x).einstein`
    /// (equal to the last bit, up to the sign of an exact zero), without the Christoffel and Riemann
    /// arrays, the Kretschmann contraction and the ~3 kB bundle, for callers that want $G_{ab}$ at
    /// many points.
    ///
    /// The contraction runs on a plan (kept per thread) that visits only the terms that can be
    /// non-zero given which inputs ($\partial g$, $\partial^2 g$ along the non-cyclic coordinates, and
    /// $g^{ab}$) are non-zero at the point; the pattern is read off every call, never assumed for a
    /// metric (Kerr: 13 of the 21 independent $R_{abcd}$ and 20 of the 40 $\Gamma^a{}\_{bc}$, $b \le c$,
    /// are kept).
    ///
    /// # Errors
    /// As [`Curvature::at`] (a non-finite $G_{ab}$ is [`GeometryError::NonFiniteResult`]).
    pub fn einstein_at<M: Metric<N> + ?Sized>(
        metric: &M,
        x: &[f64; N],
    ) -> Result<[[f64; N]; N], GeometryError> {
        check_point(metric, x)?;
        let (free, k) = free_coordinates(metric);
        let all: [usize; N] = std::array::from_fn(|i| i);
        let einstein = match k {
            1 if N > 1 => einstein_along::<M, N, 1>(metric, x, &free),
            2 if N > 2 => einstein_along::<M, N, 2>(metric, x, &free),
            3 if N > 3 => einstein_along::<M, N, 3>(metric, x, &free),
            _ => einstein_along::<M, N, N>(metric, x, &all),
        }?;
        if !einstein.iter().flatten().all(|v| v.is_finite()) {
            return Err(GeometryError::NonFiniteResult {
                what: "Einstein tensor",
                point: x.to_vec(),
            });
        }
        Ok(einstein)
    }

    /// Curvature at many points, in parallel with rayon (one result per point, same order).
    pub fn batch<M: Metric<N> + Sync + ?Sized>(
        metric: &M,
        points: &[[f64; N]],
    ) -> Vec<Result<Self, GeometryError>> {
        points.par_iter().map(|x| Self::at(metric, x)).collect()
    }

    /// Evaluate at many points in parallel and keep only `f(result)` per point (avoids moving the
    /// ~3 kB bundle of every point through memory when only a scalar or a residual is wanted).
    pub fn batch_map<M, R, F>(metric: &M, points: &[[f64; N]], f: F) -> Vec<R>
    where
        M: Metric<N> + Sync + ?Sized,
        R: Send,
        F: Fn(Result<&Self, &GeometryError>) -> R + Sync,
    {
        points
            .par_iter()
            .map(|x| {
                let c = Self::at(metric, x);
                f(c.as_ref())
            })
            .collect()
    }

    /// $\max_{ab} |G_{ab} + \Lambda g_{ab} - 8\pi T_{ab}|$ against a stress tensor `t` (pass zeros for vacuum).
    pub fn field_equation_residual(&self, lambda: f64, t: &[[f64; N]; N]) -> f64 {
        let mut worst = 0.0_f64;
        for a in 0..N {
            for b in 0..N {
                let e = self.einstein[a][b] + lambda * self.g[a][b] - 8.0 * std::f64::consts::PI * t[a][b];
                worst = worst.max(e.abs());
            }
        }
        worst
    }
}

impl<const N: usize, T: DualNum<Primitive = f64> + Copy> Curvature<N, T> {
    /// Build the bundle from metric jets; `None` if $g$ is singular.
    pub fn from_jets(j: &Jets<T, N>) -> Option<Self> {
        let g_inv = invert(&j.g)?;
        Some(Self::from_jets_and_inverse(j, g_inv))
    }

    /// Build the bundle from metric jets and the inverse metric $g^{ab}$ (e.g. a closed form).
    ///
    /// The contractions skip the entries of $g^{ab}$ that are exactly zero at this point when `T` is a
    /// plain float (`NDERIV == 0`): the sums keep their order, so the result is the dense one to the
    /// last bit (only the sign of an exact zero can differ).
    pub fn from_jets_and_inverse(j: &Jets<T, N>, g_inv: [[T; N]; N]) -> Self {
        let nz = contract::NonZero::of(&g_inv);
        let (gam1, christoffel) = contract::christoffels(j, &g_inv, &nz);
        let riemann = contract::riemann_lower(j, &gam1, &christoffel);
        let (ricci, ricci_scalar, einstein) = contract::ricci_einstein(&j.g, &g_inv, &nz, &riemann);
        let kretschmann = contract::kretschmann(&g_inv, &riemann);
        Self {
            g: j.g,
            g_inv,
            christoffel,
            riemann,
            ricci,
            ricci_scalar,
            einstein,
            kretschmann,
        }
    }

    /// The mixed Einstein tensor $G^a{}\_b = g^{ac}G_{cb}$ (`[a][b]`); its trace is $(1 - N/2)R$, i.e.
    /// $G^a{}\_a = -R$ in four dimensions, and $G^a{}\_b = -\Lambda\delta^a{}\_b$ for a $\Lambda$-vacuum.
    pub fn einstein_mixed(&self) -> [[T; N]; N] {
        raise2(&self.g_inv, &self.einstein, Slot::First)
    }

    /// The mixed Ricci tensor $R^a{}\_b = g^{ac}R_{cb}$.
    pub fn ricci_mixed(&self) -> [[T; N]; N] {
        raise2(&self.g_inv, &self.ricci, Slot::First)
    }

    /// The Riemann tensor with the first index raised, $R^a{}\_{bcd} = g^{ae}R_{ebcd}$ (`[a][b][c][d]`),
    /// (Misner-Thorne-Wheeler signs, as [`Curvature::riemann`]), so that $R_{bd} = R^a{}\_{bad}$.
    pub fn riemann_mixed(&self) -> [[[[T; N]; N]; N]; N] {
        let z = T::from(0.0);
        let mut out = [[[[z; N]; N]; N]; N];
        for (a, out_a) in out.iter_mut().enumerate() {
            for b in 0..N {
                for c in 0..N {
                    for d in 0..N {
                        let mut s = z;
                        for e in 0..N {
                            s += self.g_inv[a][e] * self.riemann[e][b][c][d];
                        }
                        out_a[b][c][d] = s;
                    }
                }
            }
        }
        out
    }

    /// $G^{ab} = g^{ac}g^{bd}G_{cd}$.
    pub fn einstein_upper(&self) -> [[T; N]; N] {
        let z = T::from(0.0);
        let mut half = [[z; N]; N];
        for a in 0..N {
            for d in 0..N {
                let mut s = z;
                for c in 0..N {
                    s += self.g_inv[a][c] * self.einstein[c][d];
                }
                half[a][d] = s;
            }
        }
        let mut up = [[z; N]; N];
        for a in 0..N {
            for b in 0..N {
                let mut s = z;
                for d in 0..N {
                    s += half[a][d] * self.g_inv[b][d];
                }
                up[a][b] = s;
            }
        }
        up
    }
}

/// [`Curvature::einstein_at`] with the Hessian pass along `free[..K]` (as [`jets_at`]): the sparse
/// plan, or the dense contractions if an input is not finite.
fn einstein_along<M: Metric<N> + ?Sized, const N: usize, const K: usize>(
    metric: &M,
    x: &[f64; N],
    free: &[usize; N],
) -> Result<[[f64; N]; N], GeometryError> {
    let h = metric.components(&seed_along::<N, K>(x, free));
    let g: [[f64; N]; N] = std::array::from_fn(|a| std::array::from_fn(|b| h[a][b].re));
    check_components(&g, x)?;
    let g_inv = metric.inverse_components(x)?;
    if let Some(e) = sparse::einstein(&free[..K], &h, &g_inv) {
        return Ok(e);
    }
    let j = scatter(&h, free);
    let nz = contract::NonZero::of(&g_inv);
    let (gam1, christoffel) = contract::christoffels(&j, &g_inv, &nz);
    let riemann = contract::riemann_lower(&j, &gam1, &christoffel);
    Ok(contract::ricci_einstein(&j.g, &g_inv, &nz, &riemann).2)
}

/// The checks of [`check_point_and_symmetry`] on components already evaluated at `x`.
fn check_components<const N: usize>(g: &[[f64; N]; N], x: &[f64; N]) -> Result<(), GeometryError> {
    if g.iter().flatten().any(|v| !v.is_finite()) {
        return Err(GeometryError::NonFiniteResult {
            what: "metric components",
            point: x.to_vec(),
        });
    }
    // An exactly symmetric g (the common case) has asymmetry 0 and needs no divisions.
    let mut worst = 0.0_f64;
    for i in 0..N {
        for j in i + 1..N {
            worst = worst.max((g[i][j] - g[j][i]).abs());
        }
    }
    if worst == 0.0 {
        return Ok(());
    }
    let a = asymmetry(g);
    if a > SYMMETRY_TOL {
        return Err(GeometryError::NonSymmetricMetric {
            point: x.to_vec(),
            asymmetry: a,
        });
    }
    Ok(())
}

/// The covariant divergence $\nabla_a G^{ab} = \partial_a G^{ab} + \Gamma^a{}\_{ac}G^{cb} + \Gamma^b{}\_{ac}G^{ac}$
/// (zero by the contracted Bianchi identity), with $\partial_a G^{ab}$ from a gradient dual nested
/// around the Hessian pass (third derivatives of $g$). Returns the divergence and the scale
/// $\max |\partial_a G^{bc}|$ it should be compared with.
///
/// # Errors
/// As [`Curvature::at`].
pub fn einstein_divergence<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    x: &[f64; N],
) -> Result<([f64; N], f64), GeometryError>
where
    Dual2Vec<DualVec<f64, nalgebra::Const<N>>, nalgebra::Const<N>>: DualNum<Primitive = f64> + Copy,
{
    check_point_and_symmetry(metric, x)?;
    let xd: [DualVec<f64, nalgebra::Const<N>>; N] = std::array::from_fn(|i| {
        DualVec::new(
            x[i],
            Derivative::some(SVector::<f64, N>::from_fn(|k, _| if k == i { 1.0 } else { 0.0 })),
        )
    });
    let j = jets(metric, &xd);
    let sing = || GeometryError::SingularMetric {
        point: x.to_vec(),
        pivot: invert_checked(&metric.components(x)).err().unwrap_or(f64::NAN),
    };
    let c = Curvature::<N, DualVec<f64, nalgebra::Const<N>>>::from_jets(&j).ok_or_else(sing)?;
    let gu = c.einstein_upper();
    let d =
        |v: &DualVec<f64, nalgebra::Const<N>>, k: usize| -> f64 { v.eps.0.as_ref().map_or(0.0, |e| e[k]) };
    let mut div = [0.0; N];
    let mut scale = 0.0_f64;
    for b in 0..N {
        let mut s = 0.0;
        for a in 0..N {
            s += d(&gu[a][b], a);
            for k in 0..N {
                scale = scale.max(d(&gu[a][b], k).abs());
            }
            for cc in 0..N {
                s += c.christoffel[a][a][cc].re * gu[cc][b].re + c.christoffel[b][a][cc].re * gu[a][cc].re;
            }
        }
        div[b] = s;
    }
    if !div.iter().all(|v| v.is_finite()) {
        return Err(sing());
    }
    Ok((div, scale))
}

/// Perfect-fluid stress tensor $T_{ab} = (\rho + p)u_a u_b + p g_{ab}$ from the 4-velocity $u^a$
/// (normalised by the caller, $g_{ab}u^au^b = -1$).
pub fn perfect_fluid<const N: usize>(g: &[[f64; N]; N], rho: f64, p: f64, u_up: &[f64; N]) -> [[f64; N]; N] {
    let mut ul = [0.0; N];
    for a in 0..N {
        ul[a] = (0..N).map(|b| g[a][b] * u_up[b]).sum();
    }
    let mut t = [[0.0; N]; N];
    for a in 0..N {
        for b in 0..N {
            t[a][b] = (rho + p) * ul[a] * ul[b] + p * g[a][b];
        }
    }
    t
}

/// Scalar-field stress tensor
/// $T_{ab} = \partial_a\phi\\,\partial_b\phi - g_{ab}(\tfrac12 g^{cd}\partial_c\phi\\,\partial_d\phi + V)$.
pub fn scalar_field<const N: usize>(
    g: &[[f64; N]; N],
    g_inv: &[[f64; N]; N],
    dphi: &[f64; N],
    potential: f64,
) -> [[f64; N]; N] {
    let mut kin = 0.0;
    for c in 0..N {
        for d in 0..N {
            kin += g_inv[c][d] * dphi[c] * dphi[d];
        }
    }
    let mut t = [[0.0; N]; N];
    for a in 0..N {
        for b in 0..N {
            t[a][b] = dphi[a] * dphi[b] - g[a][b] * (0.5 * kin + potential);
        }
    }
    t
}

/// Kretschmann scalar of Kerr in Boyer-Lindquist coordinates (closed form):
/// $K = 48M^2(r^6 - 15a^2r^4c^2 + 15a^4r^2c^4 - a^6c^6)/\Sigma^6$, $c = \cos\theta$.
pub fn kerr_kretschmann(m: f64, a: f64, r: f64, theta: f64) -> f64 {
    let c = theta.cos();
    let (a2, c2, r2) = (a * a, c * c, r * r);
    let sigma = r2 + a2 * c2;
    48.0 * m
        * m
        * (r2 * r2 * r2 - 15.0 * a2 * r2 * r2 * c2 + 15.0 * a2 * a2 * r2 * c2 * c2
            - a2 * a2 * a2 * c2 * c2 * c2)
        / sigma.powi(6)
}

/// A scalar field $\phi(x)$ with potential $V(\phi)$, written once, generic over the dual scalar.
pub trait ScalarField<const N: usize> {
    /// $\phi(x)$.
    fn phi<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; N]) -> D;
    /// $V(\phi)$ (default 0).
    fn potential<D: DualNum<Primitive = f64> + Copy>(&self, phi: D) -> D {
        phi * 0.0
    }
}

/// The covariant divergence $\nabla_\mu T^{\mu\nu}$ of the scalar-field stress tensor
/// $T^{\mu\nu} = \partial^\mu\phi\\,\partial^\nu\phi - g^{\mu\nu}(\tfrac12\partial_a\phi\\,\partial^a\phi + V)$.
/// It vanishes when $\phi$ solves $\Box\phi = V'(\phi)$ (THEORY.md S-CURV4). $\partial\phi$ and
/// $\partial_\lambda T^{\mu\nu}$ come from nested gradient duals; the Christoffels from [`Curvature::at`].
/// Returns the divergence and the scale $\max|\partial_\lambda T^{\mu\nu}|$.
///
/// # Errors
/// As [`Curvature::at`].
pub fn scalar_field_divergence<M: Metric<N> + ?Sized, F: ScalarField<N>, const N: usize>(
    metric: &M,
    field: &F,
    x: &[f64; N],
) -> Result<([f64; N], f64), GeometryError> {
    type Outer<const K: usize> = DualVec<f64, nalgebra::Const<K>>;
    let c = Curvature::at(metric, x)?;
    let unit = |i: usize| SVector::<f64, N>::from_fn(|k, _| if k == i { 1.0 } else { 0.0 });
    // Outer dual: derivative along x^λ of everything.
    let xo: [Outer<N>; N] = std::array::from_fn(|i| Outer::<N>::new(x[i], Derivative::some(unit(i))));
    // Inner dual on top: the gradient ∂_a φ, itself carrying ∂_λ ∂_a φ.
    let xi: [DualVec<Outer<N>, nalgebra::Const<N>>; N] = std::array::from_fn(|i| {
        DualVec::new(
            xo[i],
            Derivative::some(SVector::<Outer<N>, N>::from_fn(|k, _| {
                Outer::<N>::from(if k == i { 1.0 } else { 0.0 })
            })),
        )
    });
    let ph = field.phi(&xi);
    let zero = Outer::<N>::from(0.0);
    let dphi: [Outer<N>; N] = std::array::from_fn(|a| ph.eps.0.as_ref().map_or(zero, |e| e[a]));
    let phi0 = ph.re;
    let gi = metric.inverse_components(&xo)?;
    let up: [Outer<N>; N] = std::array::from_fn(|m| {
        let mut s = zero;
        for a in 0..N {
            s += gi[m][a] * dphi[a];
        }
        s
    });
    let mut kin = zero;
    for a in 0..N {
        kin += up[a] * dphi[a];
    }
    let lag = kin * 0.5 + field.potential(phi0);
    let t = |m: usize, n: usize| up[m] * up[n] - gi[m][n] * lag;
    let d = |v: &Outer<N>, k: usize| v.eps.0.as_ref().map_or(0.0, |e| e[k]);
    let mut div = [0.0; N];
    let mut scale = 0.0_f64;
    for nu in 0..N {
        let mut s = 0.0;
        for mu in 0..N {
            let tm = t(mu, nu);
            s += d(&tm, mu);
            for k in 0..N {
                scale = scale.max(d(&tm, k).abs());
            }
            for l in 0..N {
                s += c.christoffel[mu][mu][l] * t(l, nu).re + c.christoffel[nu][mu][l] * t(mu, l).re;
            }
        }
        div[nu] = s;
    }
    if !div.iter().all(|v| v.is_finite()) {
        return Err(GeometryError::NonFiniteResult {
            what: "divergence of the Einstein tensor",
            point: x.to_vec(),
        });
    }
    Ok((div, scale))
}
