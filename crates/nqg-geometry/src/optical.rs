//! Ray tracing in static optical metrics: null and timelike geodesics in coordinate time
//! (THEORY.md §7, N-7, E-5).
//!
//! For a static metric ($\partial_t g_{\mu\nu} = 0$) the momentum $p_0 = -\omega$ is conserved, and a
//! geodesic is a ray of the coordinate-time Hamiltonian $\omega(\vec x, \vec k)$ defined by the mass shell
//! $g^{\mu\nu}p_\mu p_\nu = -\mu^2$ ($\mu^2 = 0$ null, $1$ timelike per unit mass). Dividing Hamilton's
//! equations of $H = \tfrac12 g^{\mu\nu}p_\mu p_\nu$ (autodiff, [`crate::geodesic::hamiltonian_rhs`]) by
//! $dt/d\lambda$ gives
//! $$\frac{dx^\mu}{dt} = \frac{\dot x^\mu}{\dot x^0}, \qquad \frac{dp_\mu}{dt} = \frac{\dot p_\mu}{\dot x^0},$$
//! integrated here by classical RK4 at a fixed step in $t$ ([`trace_in_time`]), so that a ray can be
//! compared with a lattice wave packet at the lattice's time steps.
//!
//! * For the optical metric $ds^2 = -c(\vec x)^2dt^2 + d\vec x^2$ ([`crate::spacetimes::Optical`]) the
//!   null rays are Fermat rays in the index $n = 1/c$: $\omega = c|\vec k|$, $\dot{\vec x} = c\hat k$,
//!   $\dot{\vec k} = -|\vec k|\nabla c$.
//! * [`Ultrastatic`] is the conformally related metric $ds^2 = -dt^2 + c^{-2}d\vec x^2 = g/c^2$: the same
//!   null rays, but timelike geodesics with the mass shell $\omega^2 = c^2k^2 + m^2$, which is the
//!   continuum dispersion of the Klein-Gordon leapfrog $\phi_{tt} = c^2\Delta\phi - m^2\phi$ (whereas
//!   $-c^2dt^2 + d\vec x^2$ gives $\omega^2 = c^2(k^2 + M^2)$).
//! * [`GaussianLens`]: $c = 1 - A e^{-|\vec x - \vec x_0|^2/R^2}$ in two dimensions (THEORY N-7, E-5), and
//!   [`born_deflection_gaussian`] its weak-lens Born angle.
//! * [`gauss_hermite`]: quadrature nodes for bundles of rays sampling a Gaussian packet's phase-space
//!   (Wigner) distribution.

use num_dual::DualNum;

use crate::GeometryError;
use crate::geodesic::{GeodesicKind, complete_momentum, hamiltonian_rhs};
use crate::metric::Metric;
use crate::spacetimes::SpeedField;

/// The coordinate-time right-hand side $(dx^\mu/dt, dp_\mu/dt)$ of a geodesic of a metric (module docs).
///
/// # Errors
/// As [`hamiltonian_rhs`]; [`GeometryError::InvalidParameter`] if $dt/d\lambda \le 0$ (the ray does
/// not move forward in coordinate time).
pub fn rhs_in_time<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    x: &[f64; N],
    p: &[f64; N],
) -> Result<([f64; N], [f64; N]), GeometryError> {
    let (dx, dp, _) = hamiltonian_rhs(metric, x, p)?;
    let u0 = dx[0];
    if !(u0.is_finite() && u0 > 0.0) {
        return Err(GeometryError::InvalidParameter {
            name: "dt/dlambda",
            value: u0,
            reason: "the geodesic must be future-directed in the coordinate time",
        });
    }
    Ok((dx.map(|v| v / u0), dp.map(|v| v / u0)))
}

/// A ray sampled at equal coordinate times.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeRay<const N: usize> {
    /// Positions $x^\mu$ at $t_j = t_0 + j\\,\Delta t\cdot$`record_every`, $j = 0, 1, \dots$
    pub x: Vec<[f64; N]>,
    /// Covariant momenta at the same times.
    pub p: Vec<[f64; N]>,
    /// Largest drift of the mass shell $|g^{\mu\nu}p_\mu p_\nu + \mu^2|$ relative to $\max(1, |p_0|^2)$.
    pub max_shell_drift: f64,
}

/// Trace a geodesic of a static metric in coordinate time (THEORY.md §7, E-5): complete the momentum
/// from its spatial components `p_spatial` (index 0 ignored) on the mass shell of `kind`, then take
/// `steps` RK4 steps of size `dt` in $t$ of [`rhs_in_time`], recording every `record_every` steps.
///
/// # Errors
/// [`GeometryError::InvalidParameter`] for a non-positive or non-finite `dt`, `record_every = 0`, or a
/// momentum with no future-directed completion; the metric's errors at any visited point.
pub fn trace_in_time<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    kind: GeodesicKind,
    x0: &[f64; N],
    p_spatial: &[f64; N],
    dt: f64,
    steps: usize,
    record_every: usize,
) -> Result<TimeRay<N>, GeometryError> {
    if !(dt.is_finite() && dt > 0.0) {
        return Err(GeometryError::InvalidParameter {
            name: "dt",
            value: dt,
            reason: "must be finite and > 0",
        });
    }
    if record_every == 0 {
        return Err(GeometryError::InvalidParameter {
            name: "record_every",
            value: 0.0,
            reason: "must be >= 1",
        });
    }
    let mut x = *x0;
    let mut p = complete_momentum(metric, x0, p_spatial, kind)?;
    let shell = |x: &[f64; N], p: &[f64; N]| -> Result<f64, GeometryError> {
        let gi = metric.inverse_components(x)?;
        let mut s = kind.mu2();
        for a in 0..N {
            for b in 0..N {
                s += gi[a][b] * p[a] * p[b];
            }
        }
        Ok(s.abs() / (p[0] * p[0]).max(1.0))
    };
    let mut out = TimeRay {
        x: vec![x],
        p: vec![p],
        max_shell_drift: 0.0,
    };
    let add = |a: &[f64; N], b: &[f64; N], h: f64| -> [f64; N] { std::array::from_fn(|i| a[i] + h * b[i]) };
    for step in 1..=steps {
        let (k1x, k1p) = rhs_in_time(metric, &x, &p)?;
        let (k2x, k2p) = rhs_in_time(metric, &add(&x, &k1x, 0.5 * dt), &add(&p, &k1p, 0.5 * dt))?;
        let (k3x, k3p) = rhs_in_time(metric, &add(&x, &k2x, 0.5 * dt), &add(&p, &k2p, 0.5 * dt))?;
        let (k4x, k4p) = rhs_in_time(metric, &add(&x, &k3x, dt), &add(&p, &k3p, dt))?;
        for i in 0..N {
            x[i] += dt / 6.0 * (k1x[i] + 2.0 * k2x[i] + 2.0 * k3x[i] + k4x[i]);
            p[i] += dt / 6.0 * (k1p[i] + 2.0 * k2p[i] + 2.0 * k3p[i] + k4p[i]);
        }
        if step % record_every == 0 {
            out.max_shell_drift = out.max_shell_drift.max(shell(&x, &p)?);
            out.x.push(x);
            out.p.push(p);
        }
    }
    Ok(out)
}

/// The metric $ds^2 = -dt^2 + c(\vec x)^{-2}d\vec x^2$, conformal to the optical metric
/// $-c^2dt^2 + d\vec x^2$ by the factor $c^{-2}$: identical null rays, timelike geodesics with the mass
/// shell $\omega^2 = c^2|\vec k|^2 + m^2$ (module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ultrastatic<C> {
    speed: C,
}

impl<C> Ultrastatic<C> {
    /// Wrap a speed field.
    pub fn new(speed: C) -> Self {
        Self { speed }
    }
}

impl<const N: usize, C: SpeedField<N>> Metric<N> for Ultrastatic<C> {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; N]) -> [[D; N]; N] {
        let c = self.speed.c(x);
        let z = D::from(0.0);
        let mut g = [[z; N]; N];
        g[0][0] = D::from(-1.0);
        let inv = (c * c).recip();
        for (i, row) in g.iter_mut().enumerate().skip(1) {
            row[i] = inv;
        }
        g
    }
    fn domain(&self, x: &[f64; N]) -> Result<(), GeometryError> {
        let c = self.speed.c(x);
        if !(c.is_finite() && c > 0.0) {
            return Err(GeometryError::OutsideDomain {
                metric: "ultrastatic",
                reason: "c(x) not finite and positive",
                point: x.to_vec(),
            });
        }
        Ok(())
    }
    fn name(&self) -> &'static str {
        "ultrastatic"
    }
    fn cyclic_coordinates(&self) -> &'static [usize] {
        &[0]
    }
}

/// The Gaussian lens $c(x, y) = 1 - A\\,e^{-((x - x_0)^2 + (y - y_0)^2)/R^2}$ on coordinates
/// $(t, x, y)$ (THEORY.md N-7, E-5: $A = 0.2$, $R = 8$).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianLens {
    amplitude: f64,
    radius: f64,
    center: [f64; 2],
}

impl GaussianLens {
    /// A lens of depth `amplitude` $\in [0, 1)$ and radius `radius` $> 0$ centred at `center`.
    ///
    /// # Errors
    /// [`GeometryError::InvalidParameter`] outside those ranges, [`GeometryError::NonFinite`] for a
    /// non-finite centre.
    pub fn new(amplitude: f64, radius: f64, center: [f64; 2]) -> Result<Self, GeometryError> {
        if !(amplitude.is_finite() && (0.0..1.0).contains(&amplitude)) {
            return Err(GeometryError::InvalidParameter {
                name: "lens amplitude A",
                value: amplitude,
                reason: "must lie in [0, 1) so that c > 0",
            });
        }
        if !(radius.is_finite() && radius > 0.0) {
            return Err(GeometryError::InvalidParameter {
                name: "lens radius R",
                value: radius,
                reason: "must be finite and > 0",
            });
        }
        if center.iter().any(|v| !v.is_finite()) {
            return Err(GeometryError::NonFinite { what: "lens centre" });
        }
        Ok(Self {
            amplitude,
            radius,
            center,
        })
    }

    /// $c$ at a spatial point (plain `f64`, e.g. to sample a lattice).
    pub fn speed_at(&self, x: f64, y: f64) -> f64 {
        self.c(&[0.0, x, y])
    }
}

impl SpeedField<3> for GaussianLens {
    fn c<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 3]) -> D {
        let dx = x[1] - self.center[0];
        let dy = x[2] - self.center[1];
        let r2 = (dx * dx + dy * dy) / (self.radius * self.radius);
        D::from(1.0) - (-r2).exp() * self.amplitude
    }
}

/// A speed field sampled on a periodic 2D grid (unit spacing, node $(i, j)$ at $x = i$, $y = j$,
/// row-major `values[j n_x + i]`) and interpolated by Catmull-Rom cubic convolution on coordinates
/// $(t, x, y)$, generic over the dual scalar (so ray forces $\nabla c$ come by autodiff): with
/// $u = x - \lfloor x\rfloor$ the weights of the nodes $-1, 0, 1, 2$ are
/// $\tfrac12(-u^3 + 2u^2 - u)$, $\tfrac12(3u^3 - 5u^2 + 2)$, $\tfrac12(-3u^3 + 4u^2 + u)$,
/// $\tfrac12(u^3 - u^2)$; the tensor product in $x$ and $y$. Interpolating ($c$ at the nodes), $C^1$,
/// exact for quadratics, error $O(h^3)$. Used for a learned speed field (E-5).
#[derive(Debug, Clone, PartialEq)]
pub struct GridSpeed {
    nx: usize,
    ny: usize,
    values: Vec<f64>,
}

impl GridSpeed {
    /// From `nx * ny` positive samples.
    ///
    /// # Errors
    /// [`GeometryError::DimensionMismatch`] for a wrong length, [`GeometryError::InvalidParameter`] for
    /// a grid below 4×4 or a non-positive / non-finite sample.
    pub fn new(nx: usize, ny: usize, values: Vec<f64>) -> Result<Self, GeometryError> {
        if nx < 4 || ny < 4 {
            return Err(GeometryError::InvalidParameter {
                name: "grid size",
                value: nx.min(ny) as f64,
                reason: "need nx, ny >= 4",
            });
        }
        if values.len() != nx * ny {
            return Err(GeometryError::DimensionMismatch {
                expected: nx * ny,
                found: values.len(),
            });
        }
        if let Some(&v) = values.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
            return Err(GeometryError::InvalidParameter {
                name: "grid speed sample",
                value: v,
                reason: "must be finite and > 0",
            });
        }
        Ok(Self { nx, ny, values })
    }
}

fn catmull_rom<D: DualNum<Primitive = f64> + Copy>(u: D) -> [D; 4] {
    let u2 = u * u;
    let u3 = u2 * u;
    [
        (-u3 + u2 * 2.0 - u) * 0.5,
        (u3 * 3.0 - u2 * 5.0 + 2.0) * 0.5,
        (-u3 * 3.0 + u2 * 4.0 + u) * 0.5,
        (u3 - u2) * 0.5,
    ]
}

impl SpeedField<3> for GridSpeed {
    fn c<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 3]) -> D {
        let (fx, fy) = (x[1].re().floor(), x[2].re().floor());
        let wx = catmull_rom(x[1] - fx);
        let wy = catmull_rom(x[2] - fy);
        let (ix, iy) = (fx as i64, fy as i64);
        let mut c = D::from(0.0);
        for (b, wyb) in wy.iter().enumerate() {
            let j = (iy + b as i64 - 1).rem_euclid(self.ny as i64) as usize;
            let mut row = D::from(0.0);
            for (a, wxa) in wx.iter().enumerate() {
                let i = (ix + a as i64 - 1).rem_euclid(self.nx as i64) as usize;
                row += *wxa * self.values[j * self.nx + i];
            }
            c += row * *wyb;
        }
        c
    }
}

/// The weak-lens (Born) deflection of a ray at impact parameter $b$ by the index perturbation
/// $\delta n = A e^{-r^2/R^2}$: $\alpha(b) = \int \partial_b\\,\delta n\\,dz = -2\sqrt\pi\\,A\\,(b/R)\\,e^{-b^2/R^2}$
/// (negative: towards the centre). For $c = 1 - Ae^{-r^2/R^2}$, $n = 1/c = 1 + Ae^{-r^2/R^2} + O(A^2)$.
pub fn born_deflection_gaussian(amplitude: f64, radius: f64, b: f64) -> f64 {
    -2.0 * std::f64::consts::PI.sqrt() * amplitude * (b / radius) * (-(b * b) / (radius * radius)).exp()
}

/// Gauss-Hermite quadrature for the standard normal: nodes $z_i$ and weights $w_i$ (summing to 1)
/// with $\sum_i w_i f(z_i) = E[f(Z)]$, $Z \sim N(0, 1)$, exact for polynomials of degree $\le 2n - 1$
/// (Golub-Welsch: eigenvalues of the Jacobi matrix with off-diagonal $\sqrt{i}$).
///
/// # Errors
/// [`GeometryError::InvalidParameter`] for `n = 0`.
pub fn gauss_hermite(n: usize) -> Result<(Vec<f64>, Vec<f64>), GeometryError> {
    if n == 0 {
        return Err(GeometryError::InvalidParameter {
            name: "quadrature order n",
            value: 0.0,
            reason: "must be >= 1",
        });
    }
    let mut j = nalgebra::DMatrix::<f64>::zeros(n, n);
    for i in 1..n {
        let b = (i as f64).sqrt();
        j[(i, i - 1)] = b;
        j[(i - 1, i)] = b;
    }
    let eig = nalgebra::SymmetricEigen::new(j);
    let mut pairs: Vec<(f64, f64)> = (0..n)
        .map(|i| (eig.eigenvalues[i], eig.eigenvectors[(0, i)].powi(2)))
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(pairs.into_iter().unzip())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spacetimes::Optical;

    #[derive(Clone, Copy)]
    struct Uniform(f64);
    impl<const N: usize> SpeedField<N> for Uniform {
        fn c<D: DualNum<Primitive = f64> + Copy>(&self, _x: &[D; N]) -> D {
            D::from(self.0)
        }
    }

    #[test]
    fn uniform_medium_gives_straight_rays_at_speed_c() {
        let m = Optical::new(Uniform(0.7));
        let ray = trace_in_time(
            &m,
            GeodesicKind::Null,
            &[0.0, 1.0, 2.0],
            &[0.0, 3.0, 4.0],
            0.1,
            100,
            10,
        )
        .unwrap();
        let end = ray.x.last().unwrap();
        // Direction (3, 4)/5 at speed 0.7 for t = 10.
        assert!((end[0] - 10.0).abs() < 1e-12);
        assert!((end[1] - (1.0 + 0.7 * 10.0 * 0.6)).abs() < 1e-12);
        assert!((end[2] - (2.0 + 0.7 * 10.0 * 0.8)).abs() < 1e-12);
        assert!(ray.max_shell_drift < 1e-14);
    }

    #[test]
    fn massive_group_velocities_in_a_uniform_medium() {
        // Optical: ω = c sqrt(k² + M²) per unit mass (M = 1): v = c k / sqrt(k² + 1).
        // Ultrastatic: ω = sqrt(c² k² + 1): v = c² k / sqrt(c² k² + 1).
        let (c, k) = (0.8, 0.6);
        let t = 5.0;
        let opt = trace_in_time(
            &Optical::new(Uniform(c)),
            GeodesicKind::Timelike,
            &[0.0, 0.0],
            &[0.0, k],
            0.05,
            100,
            100,
        )
        .unwrap();
        let ult = trace_in_time(
            &Ultrastatic::new(Uniform(c)),
            GeodesicKind::Timelike,
            &[0.0, 0.0],
            &[0.0, k],
            0.05,
            100,
            100,
        )
        .unwrap();
        let v_opt = c * k / (k * k + 1.0).sqrt();
        let v_ult = c * c * k / (c * c * k * k + 1.0).sqrt();
        assert!((opt.x[1][1] - v_opt * t).abs() < 1e-12, "{:?}", opt.x[1]);
        assert!((ult.x[1][1] - v_ult * t).abs() < 1e-12, "{:?}", ult.x[1]);
    }

    #[test]
    fn weak_gaussian_lens_matches_the_born_integral() {
        // A = 1e-4: the O(A²) corrections are ~1e-4 relative.
        let (a, r) = (1e-4, 8.0);
        let lens = Optical::new(GaussianLens::new(a, r, [0.0, 0.0]).unwrap());
        for b in [4.0, 8.0, 12.0] {
            let ray = trace_in_time(
                &lens,
                GeodesicKind::Null,
                &[0.0, -80.0, b],
                &[0.0, 1.0, 0.0],
                0.1,
                1600,
                1600,
            )
            .unwrap();
            let p = ray.p.last().unwrap();
            let alpha = p[2].atan2(p[1]);
            let born = born_deflection_gaussian(a, r, b);
            assert!(((alpha - born) / born).abs() < 1e-3, "b = {b}: {alpha} vs {born}");
        }
    }

    #[test]
    fn null_rays_of_the_conformal_metric_coincide() {
        let lens = GaussianLens::new(0.2, 8.0, [0.0, 0.0]).unwrap();
        let a = trace_in_time(
            &Optical::new(lens),
            GeodesicKind::Null,
            &[0.0, -30.0, 8.0],
            &[0.0, 1.0, 0.0],
            0.05,
            1200,
            1200,
        )
        .unwrap();
        let b = trace_in_time(
            &Ultrastatic::new(lens),
            GeodesicKind::Null,
            &[0.0, -30.0, 8.0],
            &[0.0, 1.0, 0.0],
            0.05,
            1200,
            1200,
        )
        .unwrap();
        for i in 0..3 {
            assert!(
                (a.x[1][i] - b.x[1][i]).abs() < 1e-9,
                "{:?} vs {:?}",
                a.x[1],
                b.x[1]
            );
        }
    }

    #[test]
    fn grid_speed_interpolates_quadratics_exactly_and_a_lens_closely() {
        let (nx, ny) = (32, 32);
        let q = |x: f64, y: f64| 2.0 + 0.001 * (x - 10.0) * (y - 12.0) + 0.002 * (x - 16.0).powi(2);
        let vals: Vec<f64> = (0..nx * ny)
            .map(|i| q((i % nx) as f64, (i / nx) as f64))
            .collect();
        let g = GridSpeed::new(nx, ny, vals).unwrap();
        for (x, y) in [(10.3, 12.7), (15.5, 15.5), (20.9, 8.1)] {
            let c: f64 = g.c(&[0.0, x, y]);
            assert!((c - q(x, y)).abs() < 1e-12, "{c} vs {}", q(x, y));
        }
        // The Gaussian lens sampled at unit spacing, R = 8: O(h³) interpolation error.
        let lens = GaussianLens::new(0.2, 8.0, [16.0, 16.0]).unwrap();
        let vals: Vec<f64> = (0..nx * ny)
            .map(|i| lens.speed_at((i % nx) as f64, (i / nx) as f64))
            .collect();
        let g = GridSpeed::new(nx, ny, vals).unwrap();
        for (x, y) in [(10.3, 12.7), (15.5, 15.5), (20.9, 8.1)] {
            let c: f64 = g.c(&[0.0, x, y]);
            assert!(
                (c - lens.speed_at(x, y)).abs() < 2e-4,
                "{c} vs {}",
                lens.speed_at(x, y)
            );
        }
        assert!(GridSpeed::new(4, 4, vec![1.0; 15]).is_err());
        assert!(GridSpeed::new(4, 4, vec![0.0; 16]).is_err());
    }

    #[test]
    fn gauss_hermite_moments() {
        let (z, w) = gauss_hermite(6).unwrap();
        let m = |p: i32| z.iter().zip(&w).map(|(z, w)| w * z.powi(p)).sum::<f64>();
        assert!((m(0) - 1.0).abs() < 1e-13);
        assert!(m(1).abs() < 1e-13);
        assert!((m(2) - 1.0).abs() < 1e-12);
        assert!((m(4) - 3.0).abs() < 1e-11);
        assert!((m(10) - 945.0).abs() < 1e-8);
        assert!(gauss_hermite(0).is_err());
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        assert!(GaussianLens::new(1.0, 8.0, [0.0, 0.0]).is_err());
        assert!(GaussianLens::new(0.2, 0.0, [0.0, 0.0]).is_err());
        let m = Optical::new(Uniform(1.0));
        assert!(trace_in_time(&m, GeodesicKind::Null, &[0.0, 0.0], &[0.0, 1.0], 0.0, 1, 1).is_err());
        assert!(trace_in_time(&m, GeodesicKind::Null, &[0.0, 0.0], &[0.0, 1.0], 0.1, 1, 0).is_err());
    }
}
