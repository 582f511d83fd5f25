//! Bound timelike geodesics of Kerr in closed form: constants of motion, turning points and fundamental
//! frequencies from the orbital elements $(a, p, e, x)$ (units $G = c = M = 1$, per unit rest mass).
//!
//! **Elements.** Radial turning points $r_1 = r_a = p/(1-e)$, $r_2 = r_p = p/(1+e)$; inclination
//! $x = \cos\iota$ with $z_- = 1 - x^2$ the turning value of $z = \cos^2\theta$; $x > 0$ prograde
//! ($L_z > 0$), $x < 0$ retrograde, $x = \pm1$ equatorial, $x = 0$ polar (the conventions of
//! kerrgeopy and the Black Hole Perturbation Toolkit's KerrGeodesics).
//!
//! **Constants** (Schmidt 2002, gr-qc/0202090, App. B). With $\Delta = r^2 - 2r + a^2$ and
//! $f(r) = r^4 + a^2[r(r+2) + z_-\Delta]$, $g(r) = 2ar$, $h(r) = r(r-2) + \frac{z_-}{1-z_-}\Delta$,
//! $d(r) = (r^2 + a^2z_-)\Delta$, evaluated at $r_1, r_2$ (at $r_0 = p$ with $f', g', h', d'$ in place
//! of the second row for circular orbits), $\kappa = d_1h_2 - h_1d_2$, $\rho = f_1h_2 - h_1f_2$,
//! $\sigma = g_1h_2 - h_1g_2$, $\epsilon = d_1g_2 - g_1d_2$, $\eta = f_1g_2 - g_1f_2$:
//! $$E^2 = \frac{\kappa\rho + 2\epsilon\sigma - 2\\,\mathrm{sgn}(x)\sqrt{\sigma(\sigma\epsilon^2 + \rho\epsilon\kappa -
//!   \eta\kappa^2)}}{\rho^2 + 4\eta\sigma},\qquad
//! L_z = \frac{-Eg_1 + \mathrm{sgn}(x)\sqrt{-d_1h_1 + E^2(g_1^2 + f_1h_1)}}{h_1},\qquad
//! Q = z_-\Big[a^2(1-E^2) + \frac{L_z^2}{1-z_-}\Big].$$
//! Polar orbits ($x = 0$, $L_z = 0$) use KerrGeodesics' closed forms for $E, Q$; Schwarzschild
//! ($a = 0$) the exact $E^2 = \frac{(p-2)^2 - 4e^2}{p(p-3-e^2)}$, $L^2 = \frac{p^2}{p-3-e^2}$,
//! $L_z = xL$, $Q = (1-x^2)L^2$.
//!
//! **Roots.** $R(r) = [E(r^2+a^2) - aL_z]^2 - \Delta[r^2 + (L_z - aE)^2 + Q]
//! = (1-E^2)(r_1-r)(r-r_2)(r-r_3)(r-r_4)$ with $r_3 + r_4 = \frac{2}{1-E^2} - r_1 - r_2$,
//! $r_3r_4 = \frac{a^2Q}{(1-E^2)r_1r_2}$; $\Theta(z) \propto \beta(z_+ - z)(z_- - z)$, $\beta = a^2(1-E^2)$,
//! $z_-z_+ = Q/\beta$. We use $\beta z_+ = Q/z_-$ (or $\beta + L_z^2/(1-z_-)$ near the equator), which stays
//! finite for $a \to 0$.
//!
//! **Mino-time frequencies** (Fujita & Hikida 2009, arXiv:0906.1420, eqs. 15, 21, 27, 28), with
//! $k_r^2 = \frac{(r_1-r_2)(r_3-r_4)}{(r_1-r_3)(r_2-r_4)}$, $k_\theta^2 = z_-/z_+$,
//! $h_r = \frac{r_1-r_2}{r_1-r_3}$, $h_\pm = h_r\frac{r_3 - r_\pm}{r_2 - r_\pm}$, $r_\pm = 1 \pm \sqrt{1-a^2}$,
//! $\Upsilon_r = \frac{\pi\sqrt{(1-E^2)(r_1-r_3)(r_2-r_4)}}{2K(k_r^2)}$,
//! $\Upsilon_\theta = \frac{\pi\sqrt{\beta z_+}}{2K(k_\theta^2)}$,
//! $\Upsilon_\phi = \frac{2\Upsilon_\theta L_z}{\pi\sqrt{\beta z_+}}\Pi(z_-|k_\theta^2) + \Upsilon_\phi^{(r)}$,
//! $\Upsilon_t = 4E + \frac{2E\Upsilon_\theta\sqrt{\beta z_+}}{\pi(1-E^2)}[K(k_\theta^2) - E(k_\theta^2)] +
//!   \Upsilon_t^{(r)}$, the radial parts written out in [`KerrGeoOrbit::mino_frequencies`]'s source
//! (as in kerrgeopy's `frequencies.py`). Boyer-Lindquist-time frequencies $\Omega_i = \Upsilon_i/\Upsilon_t$.
//! For a polar orbit $\Pi(z_-|\cdot)$ diverges while $L_z \to 0$; the $\theta$ part of $\Upsilon_\phi$ is
//! given its limit $x \to 0^+$, $+\Upsilon_\theta$ (each pole passage adds $\pi$ to $\phi$).
//!
//! **Separatrix** $p_s(a, e, x)$: the root of Stein & Warburton's (2020, arXiv:1912.07609) polynomial
//! $S(p; a, e, x)$ (their eq. A1; eqs. 23 and 37 for equatorial and polar orbits), bracketed as they
//! prescribe: polar in $[1+\sqrt3+\sqrt{3+2\sqrt3}, 8]$, prograde equatorial in $[1+e, 6+2e]$,
//! retrograde equatorial in $[6+2e, 5+e+4\sqrt{1+e}]$, then $x > 0$ between the prograde and polar
//! roots and $x < 0$ between the polar root and 12.

use std::f64::consts::PI;

use crate::GeometryError;
use crate::elliptic::{ellip_e, ellip_k, ellip_pi};

/// A bound Kerr geodesic in closed form, built from its elements $(a, p, e, x)$ ($M = 1$).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KerrGeoOrbit {
    a: f64,
    p: f64,
    e: f64,
    x: f64,
    energy: f64,
    l: f64,
    q: f64,
    r: [f64; 4],
    z_minus: f64,
    /// $\beta z_+$ (finite for $a = 0$).
    beta_zp: f64,
}

fn invalid(name: &'static str, value: f64, reason: &'static str) -> GeometryError {
    GeometryError::InvalidParameter { name, value, reason }
}

fn check_elements(a: f64, e: f64, x: f64) -> Result<(), GeometryError> {
    if !(a.is_finite() && (0.0..1.0).contains(&a)) {
        return Err(invalid(
            "a",
            a,
            "spin must be in [0, 1) (x < 0 encodes retrograde; a = 1 has r+ = r- and the closed forms divide by r+ - r-)",
        ));
    }
    if !(e.is_finite() && (0.0..1.0).contains(&e)) {
        return Err(invalid("e", e, "eccentricity of a bound orbit must be in [0, 1)"));
    }
    if !(x.is_finite() && (-1.0..=1.0).contains(&x)) {
        return Err(invalid(
            "x",
            x,
            "inclination parameter x = cos(iota) must be in [-1, 1]",
        ));
    }
    Ok(())
}

impl KerrGeoOrbit {
    /// The bound orbit with spin $a \in [0, 1)$, semi-latus rectum $p > p_s(a, e, x)$, eccentricity
    /// $e \in [0, 1)$ and inclination $x = \cos\iota \in [-1, 1]$, with $E, L_z, Q$ (Schmidt 2002) and
    /// the turning points (see the module docs for the formulas).
    ///
    /// # Errors
    /// [`GeometryError::InvalidParameter`] for $a$, $e$, $x$ (or a non-finite $p$) out of range;
    /// [`GeometryError::InsideSeparatrix`] for $p \le p_s$; [`GeometryError::NonFiniteResult`] if the
    /// constants come out non-finite (round-off within ~1e-12 of the separatrix).
    pub fn new(a: f64, p: f64, e: f64, x: f64) -> Result<Self, GeometryError> {
        check_elements(a, e, x)?;
        if !p.is_finite() {
            return Err(invalid("p", p, "semi-latus rectum must be finite"));
        }
        let p_s = separatrix(a, e, x)?;
        if p <= p_s {
            return Err(GeometryError::InsideSeparatrix { p, p_s, a, e, x });
        }
        let (energy, l, q) = constants(a, p, e, x);
        let z_minus = 1.0 - x * x;
        let beta = a * a * (1.0 - energy * energy);
        let beta_zp = if z_minus > 0.5 {
            q / z_minus
        } else {
            beta + l * l / (1.0 - z_minus)
        };
        let r1 = p / (1.0 - e);
        let r2 = p / (1.0 + e);
        let sum = 2.0 / (1.0 - energy * energy) - r1 - r2;
        let prod = a * a * q / (r1 * r2 * (1.0 - energy * energy));
        let r3 = 0.5 * (sum + (sum * sum - 4.0 * prod).max(0.0).sqrt());
        let r4 = if r3 > 0.0 { prod / r3 } else { 0.0 };
        let orbit = Self {
            a,
            p,
            e,
            x,
            energy,
            l,
            q,
            r: [r1, r2, r3, r4],
            z_minus,
            beta_zp,
        };
        let finite = [energy, l, q, r3, r4, beta_zp].iter().all(|v| v.is_finite());
        if !finite || energy >= 1.0 || r3 > r2 {
            return Err(GeometryError::NonFiniteResult {
                what: "Kerr orbit constants (not a stable bound orbit to round-off)",
                point: vec![a, p, e, x],
            });
        }
        Ok(orbit)
    }

    /// Spin $a$.
    pub fn spin(&self) -> f64 {
        self.a
    }
    /// Semi-latus rectum $p$.
    pub fn semi_latus_rectum(&self) -> f64 {
        self.p
    }
    /// Eccentricity $e$.
    pub fn eccentricity(&self) -> f64 {
        self.e
    }
    /// Inclination parameter $x = \cos\iota$.
    pub fn inclination(&self) -> f64 {
        self.x
    }
    /// Energy per unit mass $E = -p_t$.
    pub fn energy(&self) -> f64 {
        self.energy
    }
    /// Axial angular momentum per unit mass $L_z = p_\phi$.
    pub fn angular_momentum(&self) -> f64 {
        self.l
    }
    /// Carter constant $Q = p_\theta^2 + \cos^2\theta\\,[a^2(1-E^2) + L_z^2/\sin^2\theta]$.
    pub fn carter_constant(&self) -> f64 {
        self.q
    }
    /// The roots of $R(r)$, $r_1 = r_a \ge r_2 = r_p \ge r_3 \ge r_4$.
    pub fn radial_roots(&self) -> [f64; 4] {
        self.r
    }
    /// The roots $(z_-, z_+)$ of $\Theta$ in $z = \cos^2\theta$, $z_- = 1 - x^2$; $z_+ = \infty$ for $a = 0$.
    pub fn polar_roots(&self) -> (f64, f64) {
        let beta = self.a * self.a * (1.0 - self.energy * self.energy);
        let zp = if beta > 0.0 {
            self.beta_zp / beta
        } else {
            f64::INFINITY
        };
        (self.z_minus, zp)
    }
    /// Periapsis $r_p = p/(1+e)$.
    pub fn periapsis(&self) -> f64 {
        self.r[1]
    }
    /// Apoapsis $r_a = p/(1-e)$.
    pub fn apoapsis(&self) -> f64 {
        self.r[0]
    }
    /// $z_{\max} = \max|\cos\theta| = \sqrt{z_-} = \sqrt{1-x^2}$.
    pub fn z_max(&self) -> f64 {
        self.z_minus.sqrt()
    }

    /// Mino-time frequencies $[\Upsilon_t, \Upsilon_r, \Upsilon_\theta, \Upsilon_\phi]$ (Fujita-Hikida
    /// 2009), $\Upsilon_t = \Gamma$ the mean rate $\langle dt/d\lambda\rangle$ in Mino time
    /// $d\lambda = d\tau/\Sigma$.
    pub fn mino_frequencies(&self) -> [f64; 4] {
        let (en, l, a) = (self.energy, self.l, self.a);
        let [r1, r2, r3, r4] = self.r;
        let one_e2 = 1.0 - en * en;
        let kr2 = (r1 - r2) * (r3 - r4) / ((r1 - r3) * (r2 - r4));
        let kt2 = if self.beta_zp > 0.0 {
            self.z_minus * a * a * one_e2 / self.beta_zp
        } else {
            0.0
        };
        // All arguments are in range for a stable bound orbit (checked in `new`): m < 1, n < 1.
        let kk = |m: f64| ellip_k(m).unwrap_or(f64::NAN);
        let ee = |m: f64| ellip_e(m).unwrap_or(f64::NAN);
        let pp = |n: f64, m: f64| ellip_pi(n, m).unwrap_or(f64::NAN);
        let srt = (one_e2 * (r1 - r3) * (r2 - r4)).sqrt();
        let (k_r, e_r) = (kk(kr2), ee(kr2));
        let up_r = PI * srt / (2.0 * k_r);
        let sbz = self.beta_zp.sqrt();
        let (k_t, e_t) = (kk(kt2), ee(kt2));
        let up_th = PI * sbz / (2.0 * k_t);
        let theta_phi = if self.z_minus < 1.0 {
            2.0 * up_th * l / (PI * sbz) * pp(self.z_minus, kt2)
        } else {
            up_th
        };
        let rp = 1.0 + (1.0 - a * a).sqrt();
        let rm = 1.0 - (1.0 - a * a).sqrt();
        let hr = (r1 - r2) / (r1 - r3);
        let hp = hr * (r3 - rp) / (r2 - rp);
        let hm = hr * (r3 - rm) / (r2 - rm);
        let (pi_r, pi_p, pi_m) = (pp(hr, kr2), pp(hp, kr2), pp(hm, kr2));
        // K - (r2 - r3)/(r2 - r±) Π(h±): the horizon terms of both φ and t.
        let hor_p = (k_r - (r2 - r3) / (r2 - rp) * pi_p) / (r3 - rp);
        let hor_m = (k_r - (r2 - r3) / (r2 - rm) * pi_m) / (r3 - rm);
        let r_phi = 2.0 * a * up_r / (PI * (rp - rm) * srt)
            * ((2.0 * en * rp - a * l) * hor_p - (2.0 * en * rm - a * l) * hor_m);
        let up_phi = theta_phi + r_phi;
        let t_theta = 2.0 * en * up_th * sbz * (k_t - e_t) / (PI * one_e2);
        let t_r_inner = en / 2.0
            * ((r3 * (r1 + r2 + r3) - r1 * r2) * k_r
                + (r2 - r3) * (r1 + r2 + r3 + r4) * pi_r
                + (r1 - r3) * (r2 - r4) * e_r)
            + 2.0 * en * (r3 * k_r + (r2 - r3) * pi_r)
            + 2.0 / (rp - rm)
                * (((4.0 * en - a * l) * rp - 2.0 * a * a * en) * hor_p
                    - ((4.0 * en - a * l) * rm - 2.0 * a * a * en) * hor_m);
        let t_r = 2.0 * up_r / (PI * srt) * t_r_inner;
        [4.0 * en + t_theta + t_r, up_r, up_th, up_phi]
    }

    /// Boyer-Lindquist-time frequencies $[\Omega_r, \Omega_\theta, \Omega_\phi] = [\Upsilon_r,
    /// \Upsilon_\theta, \Upsilon_\phi]/\Upsilon_t$ (radians per unit coordinate time $t$, units of $1/M$).
    pub fn boyer_lindquist_frequencies(&self) -> [f64; 3] {
        let [ut, ur, uth, uph] = self.mino_frequencies();
        [ur / ut, uth / ut, uph / ut]
    }

    /// A Boyer-Lindquist initial state $(x^\mu, p_\mu)$ on this orbit: at periapsis $r = r_p$ on the
    /// equator ($\theta = \pi/2$, $t = \phi = 0$) with $p_t = -E$, $p_r = 0$, $p_\theta = -\sqrt{Q}$ (moving
    /// towards $\theta < \pi/2$), $p_\phi = L_z$. For an equatorial orbit ($Q = 0$) $p_\theta = 0$.
    pub fn boyer_lindquist_initial_state(&self) -> ([f64; 4], [f64; 4]) {
        (
            [0.0, self.r[1], std::f64::consts::FRAC_PI_2, 0.0],
            [-self.energy, 0.0, -self.q.max(0.0).sqrt(), self.l],
        )
    }
}

/// $(E, L_z, Q)$ by the closed forms of the module docs (elements already validated).
fn constants(a: f64, p: f64, e: f64, x: f64) -> (f64, f64, f64) {
    if a == 0.0 {
        let l2 = p * p / (p - 3.0 - e * e);
        let en = (((p - 2.0) * (p - 2.0) - 4.0 * e * e) / (p * (p - 3.0 - e * e))).sqrt();
        return (en, x * l2.sqrt(), (1.0 - x * x) * l2);
    }
    if x == 0.0 {
        return polar_constants(a, p, e);
    }
    let zm = 1.0 - x * x;
    let coeffs = |r: f64| {
        let delta = r * r - 2.0 * r + a * a;
        [
            r.powi(4) + a * a * (r * (r + 2.0) + zm * delta),
            2.0 * a * r,
            r * (r - 2.0) + zm / (1.0 - zm) * delta,
            (r * r + a * a * zm) * delta,
        ]
    };
    let r1 = if e == 0.0 { p } else { p / (1.0 - e) };
    let [f1, g1, h1, d1] = coeffs(r1);
    let [f2, g2, h2, d2] = if e == 0.0 {
        let r = p;
        [
            4.0 * r.powi(3) + 2.0 * a * a * ((1.0 + zm) * r + (1.0 - zm)),
            2.0 * a,
            2.0 * (r - 1.0) / (1.0 - zm),
            2.0 * (2.0 * r - 3.0) * r * r + 2.0 * a * a * ((1.0 + zm) * r - zm),
        ]
    } else {
        coeffs(p / (1.0 + e))
    };
    let kappa = d1 * h2 - h1 * d2;
    let rho = f1 * h2 - h1 * f2;
    let sigma = g1 * h2 - h1 * g2;
    let eps = d1 * g2 - g1 * d2;
    let eta = f1 * g2 - g1 * f2;
    let sx = x.signum();
    let disc = (sigma * (sigma * eps * eps + rho * eps * kappa - eta * kappa * kappa)).max(0.0);
    let en =
        ((kappa * rho + 2.0 * eps * sigma - sx * 2.0 * disc.sqrt()) / (rho * rho + 4.0 * eta * sigma)).sqrt();
    let l = (-en * g1 + sx * (-d1 * h1 + en * en * (g1 * g1 + f1 * h1)).max(0.0).sqrt()) / h1;
    let q = zm * (a * a * (1.0 - en * en) + l * l / (1.0 - zm));
    (en, l, q)
}

/// Polar ($x = 0$, $L_z = 0$) $E$ and $Q$: the closed forms of KerrGeodesics' `ConstantsOfMotion.m`.
fn polar_constants(a: f64, p: f64, e: f64) -> (f64, f64, f64) {
    let (a2, e2) = (a * a, e * e);
    let den = a2 * a2 * (e2 - 1.0).powi(2) * (e2 - 1.0 - p) + (3.0 + e2 - p) * p.powi(4)
        - 2.0 * a2 * p * p * (-1.0 - e2 * e2 + p + e2 * (2.0 + p));
    let num_e = p
        * (a2 * a2 * (e2 - 1.0).powi(2)
            + (-4.0 * e2 + (p - 2.0).powi(2)) * p * p
            + 2.0 * a2 * p * (p - 2.0 + e2 * (2.0 + p)));
    let num_q =
        p * p * (a2 * a2 * (e2 - 1.0).powi(2) + p.powi(4) + 2.0 * a2 * p * (p - 2.0 + e2 * (2.0 + p)));
    ((-num_e / den).sqrt(), 0.0, -num_q / den)
}

/// Stein-Warburton separatrix polynomial, polar case (their eq. 37).
fn s_polar(p: f64, a: f64, e: f64) -> f64 {
    let a2 = a * a;
    p.powi(5) * (p - 6.0 - 2.0 * e)
        + a2 * p.powi(3) * (-4.0 * (e - 1.0) * (1.0 + e).powi(2) + (3.0 + e * (2.0 + 3.0 * e)) * p)
        - a2 * a2
            * (1.0 + e).powi(2)
            * p
            * (6.0 + 2.0 * e.powi(3) + 2.0 * e * (p - 1.0) - 3.0 * p - 3.0 * e * e * (2.0 + p))
        + a2.powi(3) * (e - 1.0).powi(2) * (1.0 + e).powi(4)
}

/// Stein-Warburton separatrix polynomial, equatorial case (their eq. 23).
fn s_equatorial(p: f64, a: f64, e: f64) -> f64 {
    let a2 = a * a;
    a2 * a2 * (e * e - 2.0 * e - 3.0).powi(2) + p * p * (p - 6.0 - 2.0 * e).powi(2)
        - 2.0 * a2 * (1.0 + e) * p * (14.0 + 2.0 * e * e + 3.0 * p - e * p)
}

/// Stein-Warburton full separatrix polynomial $S(p; a, e, x)$ (their eq. A1), split in two halves.
fn s_full(p: f64, a: f64, e: f64, x: f64) -> f64 {
    s_full_low(p, a, e, x) + s_full_high(p, a, e, x)
}

fn s_full_low(p: f64, a: f64, e: f64, x: f64) -> f64 {
    let x2 = x * x;
    let w = x2 - 1.0;
    -4.0 * (3.0 + e) * p.powi(11)
        + p.powi(12)
        + a.powi(12) * (e - 1.0).powi(4) * (1.0 + e).powi(8) * w.powi(4)
        - 4.0 * a.powi(10) * (e - 3.0) * (e - 1.0).powi(3) * (1.0 + e).powi(7) * p * w.powi(4)
        - 4.0
            * a.powi(8)
            * (e - 1.0)
            * (1.0 + e).powi(5)
            * p.powi(3)
            * w.powi(3)
            * (7.0 - 7.0 * x2 - e * e * (x2 - 13.0) + e.powi(3) * (x2 - 5.0) + 7.0 * e * w)
        + 8.0
            * a.powi(6)
            * (e - 1.0)
            * (1.0 + e).powi(3)
            * p.powi(5)
            * w
            * w
            * (3.0 + e + 12.0 * x2 + 4.0 * e * x2 + e.powi(3) * (2.0 * x2 - 5.0) + e * e * (1.0 + 2.0 * x2))
        - 8.0
            * a.powi(4)
            * (1.0 + e).powi(2)
            * p.powi(7)
            * w
            * (-3.0 + e + 15.0 * x2 - 5.0 * e * x2 + e.powi(3) * (3.0 * x2 - 5.0) + e * e * (3.0 * x2 - 1.0))
        + 4.0
            * a
            * a
            * p.powi(9)
            * (-7.0 - 7.0 * e + e.powi(3) * (4.0 * x2 - 5.0) + e * e * (12.0 * x2 - 13.0))
        + 2.0
            * a.powi(8)
            * (e - 1.0).powi(2)
            * (1.0 + e).powi(6)
            * p
            * p
            * w.powi(3)
            * (2.0 * (e - 3.0).powi(2) * w
                + a * a * (e * e * (x2 - 3.0) - 3.0 * (1.0 + x2) + 2.0 * e * (1.0 + x2)))
        - 2.0
            * p.powi(10)
            * (-2.0 * (3.0 + e).powi(2)
                + a * a * (-3.0 + 6.0 * x2 + e * e * (2.0 * x2 - 3.0) + e * (4.0 * x2 - 2.0)))
}

fn s_full_high(p: f64, a: f64, e: f64, x: f64) -> f64 {
    let x2 = x * x;
    let x4 = x2 * x2;
    let w = x2 - 1.0;
    let (e2, e3, e4) = (e * e, e.powi(3), e.powi(4));
    a.powi(6)
        * (1.0 + e).powi(4)
        * p.powi(4)
        * w
        * w
        * (-16.0 * (e - 1.0).powi(2) * (e2 - 2.0 * e - 3.0) * w
            + a * a
                * (15.0
                    + 6.0 * x2
                    + 9.0 * x4
                    + e2 * (26.0 + 20.0 * x2 - 2.0 * x4)
                    + e4 * (15.0 - 10.0 * x2 + x4)
                    + 4.0 * e3 * (-5.0 - 2.0 * x2 + x4)
                    - 4.0 * e * (5.0 + 2.0 * x2 + 3.0 * x4)))
        - 4.0
            * a.powi(4)
            * (1.0 + e).powi(2)
            * p.powi(6)
            * w
            * (-2.0 * (11.0 - 14.0 * e2 + 3.0 * e4) * w
                + a * a
                    * (5.0 - 5.0 * x2 - 9.0 * x4
                        + 4.0 * e3 * x2 * (x2 - 2.0)
                        + e4 * (5.0 - 5.0 * x2 + x4)
                        + e2 * (6.0 - 6.0 * x2 + 4.0 * x4)))
        + a * a
            * p.powi(8)
            * (-16.0 * (1.0 + e).powi(2) * (e2 + 2.0 * e - 3.0) * w
                + a * a
                    * (15.0 - 36.0 * x2
                        + 30.0 * x4
                        + e4 * (15.0 - 20.0 * x2 + 6.0 * x4)
                        + 4.0 * e3 * (5.0 - 12.0 * x2 + 6.0 * x4)
                        + 4.0 * e * (5.0 - 12.0 * x2 + 10.0 * x4)
                        + e2 * (26.0 - 72.0 * x2 + 44.0 * x4)))
}

/// The root of `f` in `[lo, hi]` by bisection to the last bit (robust, ~60 evaluations).
fn bisect(
    f: impl Fn(f64) -> f64,
    mut lo: f64,
    mut hi: f64,
    what: &'static str,
) -> Result<f64, GeometryError> {
    let mut flo = f(lo);
    let fhi = f(hi);
    if flo == 0.0 {
        return Ok(lo);
    }
    if fhi == 0.0 {
        return Ok(hi);
    }
    if flo.signum() == fhi.signum() || !(flo.is_finite() && fhi.is_finite()) {
        return Err(GeometryError::NoConvergence {
            what,
            residual: flo.abs().min(fhi.abs()),
            iterations: 0,
        });
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        let fm = f(mid);
        if fm == 0.0 {
            return Ok(mid);
        }
        if fm.signum() == flo.signum() {
            lo = mid;
            flo = fm;
        } else {
            hi = mid;
        }
    }
    Ok(0.5 * (lo + hi))
}

/// The separatrix $p_s(a, e, x)$ between stable bound and plunging orbits (Stein & Warburton 2020;
/// the brackets of the module docs), $p_s = 6 + 2e$ for $a = 0$.
///
/// # Errors
/// [`GeometryError::InvalidParameter`] for $a \notin [0,1)$, $e \notin [0,1)$, $x \notin [-1,1]$.
pub fn separatrix(a: f64, e: f64, x: f64) -> Result<f64, GeometryError> {
    check_elements(a, e, x)?;
    if a == 0.0 {
        return Ok(6.0 + 2.0 * e);
    }
    let sq3 = 3.0_f64.sqrt();
    let p_polar = bisect(
        |p| s_polar(p, a, e),
        1.0 + sq3 + (3.0 + 2.0 * sq3).sqrt(),
        8.0,
        "polar separatrix",
    )?;
    if x == 0.0 {
        return Ok(p_polar);
    }
    if x == -1.0 {
        let hi = 5.0 + e + 4.0 * (1.0 + e).sqrt();
        return bisect(
            |p| s_equatorial(p, a, e),
            6.0 + 2.0 * e,
            hi,
            "retrograde separatrix",
        );
    }
    let p_pro = bisect(
        |p| s_equatorial(p, a, e),
        1.0 + e,
        6.0 + 2.0 * e,
        "prograde separatrix",
    )?;
    if x == 1.0 {
        return Ok(p_pro);
    }
    if x > 0.0 {
        bisect(|p| s_full(p, a, e, x), p_pro, p_polar, "inclined separatrix")
    } else {
        bisect(|p| s_full(p, a, e, x), p_polar, 12.0, "inclined separatrix")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separatrix_limits() {
        // a = 0: 6 + 2e; a -> 0 continuity of the polynomial roots; prograde equatorial circular
        // separatrix = ISCO (BPT): for a = 0.9, r_isco = 2.3208830417...
        assert_eq!(separatrix(0.0, 0.3, 0.5).unwrap(), 6.6);
        let ps = separatrix(0.9, 0.0, 1.0).unwrap();
        assert!((ps - crate::orbits::bpt_isco(0.9, true)).abs() < 1e-12, "{ps}");
        let pr = separatrix(0.9, 0.0, -1.0).unwrap();
        assert!((pr - crate::orbits::bpt_isco(0.9, false)).abs() < 1e-12, "{pr}");
        // Small a: close to 6 + 2e for every x (the shift is O(a)).
        for &x in &[-1.0, -0.5, 0.0, 0.5, 1.0] {
            let p = separatrix(1e-6, 0.2, x).unwrap();
            assert!((p - 6.4).abs() < 1e-4, "{x} {p}");
        }
    }

    #[test]
    fn schwarzschild_constants_are_exact() {
        let o = KerrGeoOrbit::new(0.0, 10.0, 0.3, 0.6).unwrap();
        let (en, l) = crate::orbits::schwarzschild_orbit_constants(10.0, 0.3, 1.0).unwrap();
        assert_eq!(o.energy(), en);
        assert!((o.angular_momentum() - 0.6 * l).abs() < 1e-15 * l);
        assert!((o.carter_constant() + o.angular_momentum().powi(2) - l * l).abs() < 1e-13 * l * l);
    }
}
