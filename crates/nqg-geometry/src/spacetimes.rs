//! Standard spacetimes as typed structs with validated constructors (THEORY.md S-CURV, S-GEO).
//!
//! Units $G = c = 1$, signature $(-,+,\dots,+)$.
//!
//! * [`Minkowski`]: $ds^2 = -dt^2 + d\vec x^2$ in any dimension.
//! * [`Schwarzschild`] (Schwarzschild coordinates $t,r,\theta,\phi$):
//!   $ds^2 = -f dt^2 + dr^2/f + r^2 d\Omega^2$, $f = 1 - 2M/r$, domain $r > 2M$, $0<\theta<\pi$.
//! * [`SchwarzschildEf`] (ingoing Eddington-Finkelstein $v,r,\theta,\phi$):
//!   $ds^2 = -f dv^2 + 2 dv\\,dr + r^2 d\Omega^2$, regular across $r = 2M$.
//! * [`Kerr`] (Boyer-Lindquist): $\Sigma = r^2 + a^2\cos^2\theta$, $\Delta = r^2 - 2Mr + a^2$,
//!   $ds^2 = -(1-2Mr/\Sigma)dt^2 - \frac{4Mar\sin^2\theta}{\Sigma}dt\\,d\phi + \frac{\Sigma}{\Delta}dr^2
//!   \+ \Sigma d\theta^2 + (r^2 + a^2 + \frac{2Ma^2r\sin^2\theta}{\Sigma})\sin^2\theta\\,d\phi^2$,
//!   domain $r > r_+ = M + \sqrt{M^2-a^2}$.
//! * [`KerrSchild`] (Cartesian Kerr-Schild $t,x,y,z$): $g = \eta + f\\,k\otimes k$,
//!   $f = 2Mr^3/(r^4 + a^2z^2)$, $k = (1, \frac{rx+ay}{r^2+a^2}, \frac{ry-ax}{r^2+a^2}, \frac{z}{r})$,
//!   $r^4 - (\rho^2 - a^2) r^2 - a^2 z^2 = 0$; horizon-penetrating, $a = 0$ gives Schwarzschild.
//! * [`SchwarzschildDeSitter`] in $n = N$ dimensions (static patch, hyperspherical angles):
//!   $f = 1 - 2M/r^{n-3} - \frac{2\Lambda r^2}{(n-1)(n-2)}$, $ds^2 = -f dt^2 + dr^2/f + r^2 d\Omega_{n-2}^2$;
//!   it solves $G_{\mu\nu} + \Lambda g_{\mu\nu} = 0$ and $R_{\mu\nu} = \frac{2\Lambda}{n-2} g_{\mu\nu}$.
//!   [`DeSitter`] is the $M = 0$ case.
//! * [`Flrw`]: flat FLRW $ds^2 = -dt^2 + a(t)^2 d\vec x^2$ with a user [`ScaleFactor`] written generically.
//! * [`Optical`]: $ds^2 = -c(x)^2 dt^2 + d\vec x^2$ from a user [`SpeedField`].

use num_dual::DualNum;

use crate::GeometryError;
use crate::metric::Metric;

fn param(name: &'static str, value: f64, ok: bool, reason: &'static str) -> Result<(), GeometryError> {
    if !value.is_finite() {
        return Err(GeometryError::NonFiniteValue {
            what: name,
            index: 0,
            value,
        });
    }
    if ok {
        Ok(())
    } else {
        Err(GeometryError::InvalidParameter { name, value, reason })
    }
}

fn outside(metric: &'static str, reason: &'static str, x: &[f64]) -> GeometryError {
    GeometryError::OutsideDomain {
        metric,
        reason,
        point: x.to_vec(),
    }
}

fn zeros<D: DualNum<Primitive = f64> + Copy, const N: usize>() -> [[D; N]; N] {
    [[D::from(0.0); N]; N]
}

/// Minkowski space $\eta = \mathrm{diag}(-1, 1, \dots, 1)$ in Cartesian coordinates.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Minkowski<const N: usize>;

impl<const N: usize> Metric<N> for Minkowski<N> {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, _x: &[D; N]) -> [[D; N]; N] {
        let mut g = zeros::<D, N>();
        for (i, row) in g.iter_mut().enumerate() {
            row[i] = D::from(if i == 0 { -1.0 } else { 1.0 });
        }
        g
    }
    fn inverse_components<D: DualNum<Primitive = f64> + Copy>(
        &self,
        x: &[D; N],
    ) -> Result<[[D; N]; N], GeometryError> {
        Ok(self.components(x))
    }
    fn name(&self) -> &'static str {
        "Minkowski"
    }
}

/// Schwarzschild in Schwarzschild coordinates $(t, r, \theta, \phi)$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schwarzschild {
    m: f64,
}

impl Schwarzschild {
    /// Mass $M > 0$.
    ///
    /// # Errors
    /// [`GeometryError::InvalidParameter`] / [`GeometryError::NonFiniteValue`] for a bad mass.
    pub fn new(m: f64) -> Result<Self, GeometryError> {
        param("M", m, m > 0.0, "mass must be positive")?;
        Ok(Self { m })
    }
    /// The mass.
    pub fn mass(&self) -> f64 {
        self.m
    }
}

fn polar_ok(theta: f64) -> bool {
    // Away from the axis by more than 1e-12 rad (no trigonometry: this runs in every geodesic RHS).
    theta > 1e-12 && theta < std::f64::consts::PI - 1e-12
}

impl Metric<4> for Schwarzschild {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> [[D; 4]; 4] {
        let r = x[1];
        let f = -(r.recip() * (2.0 * self.m)) + 1.0;
        let s = x[2].sin();
        let mut g = zeros::<D, 4>();
        g[0][0] = -f;
        g[1][1] = f.recip();
        g[2][2] = r * r;
        g[3][3] = r * r * s * s;
        g
    }
    fn inverse_components<D: DualNum<Primitive = f64> + Copy>(
        &self,
        x: &[D; 4],
    ) -> Result<[[D; 4]; 4], GeometryError> {
        let r = x[1];
        let f = -(r.recip() * (2.0 * self.m)) + 1.0;
        let s = x[2].sin();
        let ir2 = (r * r).recip();
        let mut g = zeros::<D, 4>();
        g[0][0] = -f.recip();
        g[1][1] = f;
        g[2][2] = ir2;
        g[3][3] = ir2 / (s * s);
        Ok(g)
    }
    fn domain(&self, x: &[f64; 4]) -> Result<(), GeometryError> {
        if x[1] <= 2.0 * self.m {
            return Err(outside("Schwarzschild", "r <= 2M (at or inside the horizon)", x));
        }
        if !polar_ok(x[2]) {
            return Err(outside(
                "Schwarzschild",
                "theta not in (0, pi) (coordinate axis)",
                x,
            ));
        }
        Ok(())
    }
    fn name(&self) -> &'static str {
        "Schwarzschild"
    }
    fn cyclic_coordinates(&self) -> &'static [usize] {
        &[0, 3]
    }
}

/// Schwarzschild in ingoing Eddington-Finkelstein coordinates $(v, r, \theta, \phi)$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SchwarzschildEf {
    m: f64,
}

impl SchwarzschildEf {
    /// Mass $M > 0$.
    ///
    /// # Errors
    /// As [`Schwarzschild::new`].
    pub fn new(m: f64) -> Result<Self, GeometryError> {
        param("M", m, m > 0.0, "mass must be positive")?;
        Ok(Self { m })
    }
}

impl Metric<4> for SchwarzschildEf {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> [[D; 4]; 4] {
        let r = x[1];
        let f = -(r.recip() * (2.0 * self.m)) + 1.0;
        let s = x[2].sin();
        let mut g = zeros::<D, 4>();
        g[0][0] = -f;
        g[0][1] = D::from(1.0);
        g[1][0] = D::from(1.0);
        g[2][2] = r * r;
        g[3][3] = r * r * s * s;
        g
    }
    fn domain(&self, x: &[f64; 4]) -> Result<(), GeometryError> {
        if x[1] <= 0.0 {
            return Err(outside("Schwarzschild (ingoing EF)", "r <= 0 (singularity)", x));
        }
        if !polar_ok(x[2]) {
            return Err(outside("Schwarzschild (ingoing EF)", "theta not in (0, pi)", x));
        }
        Ok(())
    }
    fn name(&self) -> &'static str {
        "Schwarzschild (ingoing EF)"
    }
    fn cyclic_coordinates(&self) -> &'static [usize] {
        &[0, 3]
    }
}

/// Kerr in Boyer-Lindquist coordinates $(t, r, \theta, \phi)$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kerr {
    m: f64,
    a: f64,
}

impl Kerr {
    /// Mass $M > 0$ and spin $a$ with $|a| \le M$.
    ///
    /// # Errors
    /// [`GeometryError::InvalidParameter`] for $M \le 0$ or $|a| > M$; [`GeometryError::NonFiniteValue`].
    pub fn new(m: f64, a: f64) -> Result<Self, GeometryError> {
        param("M", m, m > 0.0, "mass must be positive")?;
        param("a", a, a.abs() <= m, "|a| must not exceed M")?;
        Ok(Self { m, a })
    }
    /// The mass $M$.
    pub fn mass(&self) -> f64 {
        self.m
    }
    /// The spin $a$.
    pub fn spin(&self) -> f64 {
        self.a
    }
    /// Outer horizon $r_+ = M + \sqrt{M^2 - a^2}$.
    pub fn outer_horizon(&self) -> f64 {
        self.m + (self.m * self.m - self.a * self.a).sqrt()
    }
    /// Carter constant $Q = p_\theta^2 + \cos^2\theta\\,(a^2(\mu^2 - E^2) + L^2/\sin^2\theta)$ with
    /// $E = -p_t$, $L = p_\phi$, $\mu^2 = -g^{\mu\nu}p_\mu p_\nu$.
    pub fn carter_q(&self, x: &[f64; 4], p: &[f64; 4], mu2: f64) -> f64 {
        let (s, c) = x[2].sin_cos();
        let e = -p[0];
        let l = p[3];
        p[2] * p[2] + c * c * (self.a * self.a * (mu2 - e * e) + l * l / (s * s))
    }
}

impl Metric<4> for Kerr {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> [[D; 4]; 4] {
        let (m, a) = (self.m, self.a);
        let r = x[1];
        let (s, c) = (x[2].sin(), x[2].cos());
        let (s2, c2) = (s * s, c * c);
        let r2 = r * r;
        let sigma = r2 + c2 * (a * a);
        let delta = r2 - r * (2.0 * m) + a * a;
        let isig = sigma.recip();
        let mut g = zeros::<D, 4>();
        g[0][0] = -(-(r * isig * (2.0 * m)) + 1.0);
        let gtp = -(r * s2 * isig * (2.0 * m * a));
        g[0][3] = gtp;
        g[3][0] = gtp;
        g[1][1] = sigma / delta;
        g[2][2] = sigma;
        g[3][3] = (r2 + a * a + r * s2 * isig * (2.0 * m * a * a)) * s2;
        g
    }
    fn inverse_components<D: DualNum<Primitive = f64> + Copy>(
        &self,
        x: &[D; 4],
    ) -> Result<[[D; 4]; 4], GeometryError> {
        let (m, a) = (self.m, self.a);
        let r = x[1];
        let (s, c) = (x[2].sin(), x[2].cos());
        let (s2, c2) = (s * s, c * c);
        let r2 = r * r;
        let sigma = r2 + c2 * (a * a);
        let delta = r2 - r * (2.0 * m) + a * a;
        let isd = (sigma * delta).recip();
        let ra = r2 + a * a;
        let mut g = zeros::<D, 4>();
        g[0][0] = -((ra * ra - delta * s2 * (a * a)) * isd);
        let gtp = -(r * isd * (2.0 * m * a));
        g[0][3] = gtp;
        g[3][0] = gtp;
        g[1][1] = delta / sigma;
        g[2][2] = sigma.recip();
        g[3][3] = (delta - s2 * (a * a)) * isd / s2;
        Ok(g)
    }
    fn domain(&self, x: &[f64; 4]) -> Result<(), GeometryError> {
        if x[1] <= self.outer_horizon() {
            return Err(outside(
                "Kerr (Boyer-Lindquist)",
                "r <= r+ (at or inside the outer horizon)",
                x,
            ));
        }
        if !polar_ok(x[2]) {
            return Err(outside(
                "Kerr (Boyer-Lindquist)",
                "theta not in (0, pi) (coordinate axis)",
                x,
            ));
        }
        Ok(())
    }
    fn name(&self) -> &'static str {
        "Kerr (Boyer-Lindquist)"
    }
    fn cyclic_coordinates(&self) -> &'static [usize] {
        &[0, 3]
    }
    fn killing_tensor_invariant(&self, x: &[f64; 4], p: &[f64; 4], mu2: f64) -> Option<f64> {
        Some(self.carter_q(x, p, mu2))
    }
}

/// Kerr in Cartesian Kerr-Schild coordinates $(t, x, y, z)$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KerrSchild {
    m: f64,
    a: f64,
}

impl KerrSchild {
    /// Mass $M > 0$ and spin $|a| \le M$.
    ///
    /// # Errors
    /// As [`Kerr::new`].
    pub fn new(m: f64, a: f64) -> Result<Self, GeometryError> {
        param("M", m, m > 0.0, "mass must be positive")?;
        param("a", a, a.abs() <= m, "|a| must not exceed M")?;
        Ok(Self { m, a })
    }

    /// The Kerr-Schild radius $r(x,y,z)$ (positive root of $r^4 - (\rho^2-a^2)r^2 - a^2z^2 = 0$).
    pub fn radius<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> D {
        let a2 = self.a * self.a;
        let rho2 = x[1] * x[1] + x[2] * x[2] + x[3] * x[3];
        let b = (rho2 - a2) * 0.5;
        let r2 = b + (b * b + x[3] * x[3] * a2).sqrt();
        r2.sqrt()
    }

    fn null_vector<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> (D, [D; 4]) {
        let (m, a) = (self.m, self.a);
        let r = self.radius(x);
        let r2 = r * r;
        let ira = (r2 + a * a).recip();
        let z = x[3];
        let f = r2 * r * (2.0 * m) / (r2 * r2 + z * z * (a * a));
        let k = [
            D::from(1.0),
            (r * x[1] + x[2] * a) * ira,
            (r * x[2] - x[1] * a) * ira,
            z / r,
        ];
        (f, k)
    }
}

impl Metric<4> for KerrSchild {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> [[D; 4]; 4] {
        let (f, k) = self.null_vector(x);
        let mut g = Minkowski::<4>.components(x);
        for i in 0..4 {
            for j in 0..4 {
                g[i][j] += f * k[i] * k[j];
            }
        }
        g
    }
    fn inverse_components<D: DualNum<Primitive = f64> + Copy>(
        &self,
        x: &[D; 4],
    ) -> Result<[[D; 4]; 4], GeometryError> {
        // k is null for both eta and g, so g^{-1} = eta - f k^up k^up with k^up = eta k.
        let (f, mut k) = self.null_vector(x);
        k[0] = -k[0];
        let mut g = Minkowski::<4>.components(x);
        for i in 0..4 {
            for j in 0..4 {
                g[i][j] -= f * k[i] * k[j];
            }
        }
        Ok(g)
    }
    fn domain(&self, x: &[f64; 4]) -> Result<(), GeometryError> {
        let r = self.radius(x);
        if r.is_nan() || r <= 1e-8 * self.m {
            return Err(outside("Kerr (Kerr-Schild)", "r = 0 (ring singularity)", x));
        }
        Ok(())
    }
    fn name(&self) -> &'static str {
        "Kerr (Kerr-Schild)"
    }
}

/// Static patch of (Schwarzschild-)de Sitter in $n = N \ge 3$ dimensions,
/// coordinates $(t, r, \theta_1, \dots, \theta_{n-2})$ with
/// $d\Omega^2 = d\theta_1^2 + \sin^2\theta_1 d\theta_2^2 + \dots$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SchwarzschildDeSitter<const N: usize> {
    m: f64,
    lambda: f64,
}

impl<const N: usize> SchwarzschildDeSitter<N> {
    /// Mass parameter $M \ge 0$ and cosmological constant $\Lambda \ge 0$, dimension $N \ge 3$.
    ///
    /// # Errors
    /// [`GeometryError::InvalidParameter`] for negative values or $N < 3$.
    pub fn new(m: f64, lambda: f64) -> Result<Self, GeometryError> {
        param("N", N as f64, N >= 3, "dimension must be at least 3")?;
        param("M", m, m >= 0.0, "mass must be non-negative")?;
        param("Lambda", lambda, lambda >= 0.0, "Lambda must be non-negative")?;
        Ok(Self { m, lambda })
    }
    /// $\Lambda$.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }
    /// The lapse $f(r) = 1 - 2M/r^{n-3} - 2\Lambda r^2/((n-1)(n-2))$.
    pub fn f<D: DualNum<Primitive = f64> + Copy>(&self, r: D) -> D {
        let n = N as f64;
        let c = 2.0 * self.lambda / ((n - 1.0) * (n - 2.0));
        -(r.powi(N as i32 - 3).recip() * (2.0 * self.m)) - r * r * c + 1.0
    }
}

impl<const N: usize> Metric<N> for SchwarzschildDeSitter<N> {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; N]) -> [[D; N]; N] {
        let r = x[1];
        let f = self.f(r);
        let mut g = zeros::<D, N>();
        g[0][0] = -f;
        g[1][1] = f.recip();
        let mut w = r * r;
        for k in 2..N {
            g[k][k] = w;
            w *= x[k].sin() * x[k].sin();
        }
        g
    }
    fn domain(&self, x: &[f64; N]) -> Result<(), GeometryError> {
        if x[1] <= 0.0 {
            return Err(outside("Schwarzschild-de Sitter", "r <= 0", x));
        }
        if self.f(x[1]) <= 0.0 {
            return Err(outside(
                "Schwarzschild-de Sitter",
                "f(r) <= 0 (outside the static patch)",
                x,
            ));
        }
        for k in 2..N.saturating_sub(1) {
            if !polar_ok(x[k]) {
                return Err(outside(
                    "Schwarzschild-de Sitter",
                    "polar angle not in (0, pi)",
                    x,
                ));
            }
        }
        Ok(())
    }
    fn name(&self) -> &'static str {
        "Schwarzschild-de Sitter"
    }
}

/// de Sitter static patch in $N$ dimensions: [`SchwarzschildDeSitter`] with $M = 0$,
/// $f = 1 - r^2/\ell^2$, $\Lambda = (n-1)(n-2)/(2\ell^2)$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeSitter<const N: usize>(SchwarzschildDeSitter<N>);

impl<const N: usize> DeSitter<N> {
    /// Cosmological constant $\Lambda > 0$.
    ///
    /// # Errors
    /// As [`SchwarzschildDeSitter::new`], and $\Lambda = 0$ is rejected.
    pub fn new(lambda: f64) -> Result<Self, GeometryError> {
        param("Lambda", lambda, lambda > 0.0, "Lambda must be positive")?;
        Ok(Self(SchwarzschildDeSitter::new(0.0, lambda)?))
    }
    /// $\Lambda$.
    pub fn lambda(&self) -> f64 {
        self.0.lambda
    }
    /// The Hubble rate of the flat slicing, $H^2 = 2\Lambda/((n-1)(n-2))$.
    pub fn hubble(&self) -> f64 {
        let n = N as f64;
        (2.0 * self.0.lambda / ((n - 1.0) * (n - 2.0))).sqrt()
    }
}

impl<const N: usize> Metric<N> for DeSitter<N> {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; N]) -> [[D; N]; N] {
        self.0.components(x)
    }
    fn domain(&self, x: &[f64; N]) -> Result<(), GeometryError> {
        self.0.domain(x)
    }
    fn name(&self) -> &'static str {
        "de Sitter"
    }
}

/// A scale factor $a(t)$ written once, generic over the dual scalar (its derivatives come from autodiff).
pub trait ScaleFactor {
    /// $a(t)$.
    fn a<D: DualNum<Primitive = f64> + Copy>(&self, t: D) -> D;
}

/// Power law $a = (t/t_0)^p$ (matter $p = 2/3$, radiation $p = 1/2$).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerLaw {
    /// Exponent $p$.
    pub p: f64,
    /// Normalisation time $t_0$.
    pub t0: f64,
}

impl ScaleFactor for PowerLaw {
    fn a<D: DualNum<Primitive = f64> + Copy>(&self, t: D) -> D {
        (t / self.t0).powf(self.p)
    }
}

/// Exponential (de Sitter) expansion $a = e^{H t}$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exponential {
    /// Hubble rate $H$.
    pub h: f64,
}

impl ScaleFactor for Exponential {
    fn a<D: DualNum<Primitive = f64> + Copy>(&self, t: D) -> D {
        (t * self.h).exp()
    }
}

/// Flat $\Lambda$CDM: $a = (\Omega_m/\Omega_\Lambda)^{1/3}\sinh^{2/3}(\tfrac32\sqrt{\Omega_\Lambda}H_0 t)$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LambdaCdm {
    /// $\Omega_m$.
    pub omega_m: f64,
    /// $\Omega_\Lambda = 1 - \Omega_m$.
    pub omega_l: f64,
    /// $H_0$.
    pub h0: f64,
}

impl ScaleFactor for LambdaCdm {
    fn a<D: DualNum<Primitive = f64> + Copy>(&self, t: D) -> D {
        let pre = (self.omega_m / self.omega_l).cbrt();
        (t * (1.5 * self.omega_l.sqrt() * self.h0)).sinh().powf(2.0 / 3.0) * pre
    }
}

/// Flat FLRW $ds^2 = -dt^2 + a(t)^2(dx^2 + dy^2 + dz^2)$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flrw<A> {
    scale: A,
}

impl<A: ScaleFactor> Flrw<A> {
    /// Wrap a scale factor.
    pub fn new(scale: A) -> Self {
        Self { scale }
    }
    /// The scale factor.
    pub fn scale_factor(&self) -> &A {
        &self.scale
    }
}

impl<A: ScaleFactor> Metric<4> for Flrw<A> {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> [[D; 4]; 4] {
        let a = self.scale.a(x[0]);
        let mut g = zeros::<D, 4>();
        g[0][0] = D::from(-1.0);
        for k in 1..4 {
            g[k][k] = a * a;
        }
        g
    }
    fn domain(&self, x: &[f64; 4]) -> Result<(), GeometryError> {
        let a = self.scale.a(x[0]);
        if !(a.is_finite() && a > 0.0) {
            return Err(outside("FLRW", "a(t) not finite and positive", x));
        }
        Ok(())
    }
    fn name(&self) -> &'static str {
        "FLRW"
    }
}

/// A positive speed field $c(x)$ on an $N$-dimensional static spacetime (the time coordinate $x^0$
/// is passed but should be ignored for a static metric).
pub trait SpeedField<const N: usize> {
    /// $c(x)$.
    fn c<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; N]) -> D;
}

/// The static optical metric $ds^2 = -c(x)^2 dt^2 + d\vec x^2$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Optical<C> {
    speed: C,
}

impl<C> Optical<C> {
    /// Wrap a speed field.
    pub fn new(speed: C) -> Self {
        Self { speed }
    }
}

impl<const N: usize, C: SpeedField<N>> Metric<N> for Optical<C> {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; N]) -> [[D; N]; N] {
        let c = self.speed.c(x);
        let mut g = Minkowski::<N>.components(x);
        g[0][0] = -(c * c);
        g
    }
    fn domain(&self, x: &[f64; N]) -> Result<(), GeometryError> {
        let c = self.speed.c(x);
        if !(c.is_finite() && c > 0.0) {
            return Err(outside("optical", "c(x) not finite and positive", x));
        }
        Ok(())
    }
    fn name(&self) -> &'static str {
        "optical"
    }
}

/// One Fourier mode of a [`PerturbedMinkowski`] metric: $A_{ab}\sin(k\cdot x + \varphi)$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mode<const N: usize> {
    /// Symmetric amplitude $A_{ab}$ (symmetrised by the constructor).
    pub amplitude: [[f64; N]; N],
    /// Wave vector $k_a$.
    pub wavevector: [f64; N],
    /// Phase $\varphi$.
    pub phase: f64,
}

/// A smooth, non-trivial test metric: $g_{ab} = \eta_{ab} + \sum_m A^{(m)}\_{ab}\sin(k^{(m)}\cdot x + \varphi^{(m)})$
/// (used for the Bianchi identity, Riemann symmetries and proptests).
#[derive(Debug, Clone, PartialEq)]
pub struct PerturbedMinkowski<const N: usize> {
    modes: Vec<Mode<N>>,
}

impl<const N: usize> PerturbedMinkowski<N> {
    /// Build from modes (amplitudes are symmetrised).
    ///
    /// # Errors
    /// [`GeometryError::NonFiniteValue`] for a non-finite coefficient.
    pub fn new(mut modes: Vec<Mode<N>>) -> Result<Self, GeometryError> {
        for m in &mut modes {
            crate::error::check_finite_values("mode amplitude (row-major)", m.amplitude.as_flattened())?;
            crate::error::check_finite_values("mode wave vector", &m.wavevector)?;
            crate::error::check_finite_values("mode phase", &[m.phase])?;
            for a in 0..N {
                for b in a + 1..N {
                    let s = 0.5 * (m.amplitude[a][b] + m.amplitude[b][a]);
                    m.amplitude[a][b] = s;
                    m.amplitude[b][a] = s;
                }
            }
        }
        Ok(Self { modes })
    }
}

impl<const N: usize> Metric<N> for PerturbedMinkowski<N> {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; N]) -> [[D; N]; N] {
        let mut g = Minkowski::<N>.components(x);
        for m in &self.modes {
            let mut arg = D::from(m.phase);
            for a in 0..N {
                arg += x[a] * m.wavevector[a];
            }
            let s = arg.sin();
            for a in 0..N {
                for b in 0..N {
                    g[a][b] += s * m.amplitude[a][b];
                }
            }
        }
        g
    }
    fn name(&self) -> &'static str {
        "perturbed Minkowski"
    }
}
