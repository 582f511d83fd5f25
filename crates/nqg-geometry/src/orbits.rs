//! Closed forms and numerical locators for orbits (THEORY.md S-GEO2-4).
//!
//! * Bound Schwarzschild orbit with semi-latus rectum $p$ and eccentricity $e$ ($M = 1$ units scaled by
//!   $M$): $E^2 = \frac{(p-2-2e)(p-2+2e)}{p(p-3-e^2)}$, $L^2 = \frac{p^2 M^2}{p-3-e^2}$ (in units of $M$).
//! * Exact periapsis advance per radial period: with $u_1 = (1-e)/p$, $u_2 = (1+e)/p$,
//!   $u_3 = 1/(2M) - 2/p$, $k^2 = (u_2-u_1)/(u_3-u_1)$,
//!   $\Delta\phi = \frac{4K(k^2)}{\sqrt{2M(u_3-u_1)}} - 2\pi$, with $K(m) = \frac{\pi}{2\,\mathrm{AGM}(1, \sqrt{1-m})}$.
//! * Kerr ISCO (Bardeen-Press-Teukolsky): $Z_1 = 1 + (1-\chi^2)^{1/3}[(1+\chi)^{1/3} + (1-\chi)^{1/3}]$,
//!   $Z_2 = \sqrt{3\chi^2 + Z_1^2}$, $r = M(3 + Z_2 \mp \sqrt{(3-Z_1)(3+Z_1+2Z_2)})$ (upper sign prograde).
//! * [`isco_numerical`]: the ISCO of any stationary, axisymmetric, equatorially symmetric metric (chart
//!   $t, r, \theta, \phi$) located numerically: circular equatorial orbits have
//!   $\Omega = \frac{-\partial_r g_{t\phi} \pm \sqrt{(\partial_r g_{t\phi})^2 - \partial_r g_{tt}\,\partial_r g_{\phi\phi}}}{\partial_r g_{\phi\phi}}$,
//!   $E = -(g_{tt} + \Omega g_{t\phi})/\sqrt{-(g_{tt} + 2\Omega g_{t\phi} + \Omega^2 g_{\phi\phi})}$, and the
//!   ISCO is the minimum of $E(r)$: the root of $dE/dr$, with $\partial_r g$ and $dE/dr$ from nested
//!   duals, bracketed and solved by bisection-secant (Brent-style) iteration.

use num_dual::{Dual, DualNum};

use crate::GeometryError;
use crate::metric::Metric;

/// Complete elliptic integral of the first kind $K(m)$, $m = k^2 < 1$, by the arithmetic-geometric mean.
pub fn elliptic_k(m: f64) -> f64 {
    let (mut a, mut b) = (1.0_f64, (1.0 - m).sqrt());
    for _ in 0..64 {
        if (a - b).abs() <= 1e-17 * a {
            break;
        }
        let an = 0.5 * (a + b);
        b = (a * b).sqrt();
        a = an;
    }
    std::f64::consts::PI / (2.0 * a)
}

/// Energy and angular momentum per unit mass of the bound Schwarzschild geodesic $(p, e)$, mass $M$
/// ($p$ in units of $M$).
///
/// # Errors
/// [`GeometryError::InvalidParameter`] unless $0 \le e < 1$ and $p > 6 + 2e$ (stable bound orbit).
pub fn schwarzschild_orbit_constants(p: f64, e: f64, m: f64) -> Result<(f64, f64), GeometryError> {
    if !(0.0..1.0).contains(&e) {
        return Err(GeometryError::InvalidParameter {
            name: "e",
            value: e,
            reason: "eccentricity must be in [0, 1)",
        });
    }
    if p.is_nan() || p <= 6.0 + 2.0 * e || !p.is_finite() {
        return Err(GeometryError::InvalidParameter {
            name: "p",
            value: p,
            reason: "need p > 6 + 2e for a stable bound orbit",
        });
    }
    let e2 = ((p - 2.0 - 2.0 * e) * (p - 2.0 + 2.0 * e)) / (p * (p - 3.0 - e * e));
    let l2 = p * p / (p - 3.0 - e * e);
    Ok((e2.sqrt(), l2.sqrt() * m))
}

/// Exact periapsis advance per radial period of the Schwarzschild orbit $(p, e)$ (THEORY.md S-GEO2),
/// $p$ in units of $M$.
pub fn schwarzschild_precession(p: f64, e: f64) -> f64 {
    let u1 = (1.0 - e) / p;
    let u2 = (1.0 + e) / p;
    let u3 = 0.5 - 2.0 / p;
    let k2 = (u2 - u1) / (u3 - u1);
    4.0 * elliptic_k(k2) / (2.0 * (u3 - u1)).sqrt() - 2.0 * std::f64::consts::PI
}

/// Bardeen-Press-Teukolsky ISCO radius of Kerr (units of $M$) for spin $\chi = a/M$.
pub fn bpt_isco(chi: f64, prograde: bool) -> f64 {
    let z1 = 1.0 + (1.0 - chi * chi).cbrt() * ((1.0 + chi).cbrt() + (1.0 - chi).cbrt());
    let z2 = (3.0 * chi * chi + z1 * z1).sqrt();
    let s = ((3.0 - z1) * (3.0 + z1 + 2.0 * z2)).sqrt();
    if prograde { 3.0 + z2 - s } else { 3.0 + z2 + s }
}

/// Energy per unit mass of the circular equatorial orbit at radius `r` (generic in `r` so that
/// $dE/dr$ follows by autodiff). `prograde` picks the co-rotating branch ($\Omega > 0$ for $a > 0$).
pub fn circular_energy<M: Metric<4> + ?Sized, D: DualNum<Primitive = f64> + Copy>(
    metric: &M,
    r: D,
    prograde: bool,
) -> D {
    // Inner dual: derivative of the metric along r.
    let x = [
        Dual::<D>::from(0.0),
        Dual::new(r, D::from(1.0)),
        Dual::<D>::from(std::f64::consts::FRAC_PI_2),
        Dual::<D>::from(0.0),
    ];
    let g = metric.components(&x);
    let (gtt, gtp, gpp) = (g[0][0], g[0][3], g[3][3]);
    let (dtt, dtp, dpp) = (gtt.eps, gtp.eps, gpp.eps);
    let disc = (dtp * dtp - dtt * dpp).sqrt();
    let omega = if prograde {
        (-dtp + disc) / dpp
    } else {
        (-dtp - disc) / dpp
    };
    let norm = -(gtt.re + omega * gtp.re * 2.0 + omega * omega * gpp.re);
    -(gtt.re + omega * gtp.re) / norm.sqrt()
}

/// The ISCO radius found numerically as the root of $dE/dr$ for circular equatorial orbits, searched
/// in `[r_lo, r_hi]` (the bracket must contain exactly one sign change).
///
/// # Errors
/// [`GeometryError::NoConvergence`] if the bracket has no sign change or the iteration fails.
pub fn isco_numerical<M: Metric<4> + ?Sized>(
    metric: &M,
    r_lo: f64,
    r_hi: f64,
    prograde: bool,
) -> Result<f64, GeometryError> {
    let de = |r: f64| circular_energy(metric, Dual::new(r, 1.0), prograde).eps;
    let (mut a, mut b) = (r_lo, r_hi);
    let (mut fa, mut fb) = (de(a), de(b));
    if !(fa.is_finite() && fb.is_finite()) || fa.signum() == fb.signum() {
        return Err(GeometryError::NoConvergence {
            what: "ISCO bracket (dE/dr has no sign change)",
            residual: fa.abs().min(fb.abs()),
            iterations: 0,
        });
    }
    for it in 0..200 {
        // Secant step guarded by bisection.
        let mut c = b - fb * (b - a) / (fb - fa);
        if !(c > a.min(b) && c < a.max(b)) || it % 3 == 2 {
            c = 0.5 * (a + b);
        }
        let fc = de(c);
        if fc == 0.0 || (b - a).abs() < 1e-15 * c.abs() {
            return Ok(c);
        }
        if fc.signum() == fa.signum() {
            a = c;
            fa = fc;
        } else {
            b = c;
            fb = fc;
        }
        if (b - a).abs() < 4e-16 * c.abs() {
            return Ok(0.5 * (a + b));
        }
    }
    Err(GeometryError::NoConvergence {
        what: "ISCO root of dE/dr",
        residual: fa.abs().min(fb.abs()),
        iterations: 200,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precession_matches_theory_table() {
        // THEORY.md S-GEO2 reference values (12 digits).
        for &(p, e, v) in &[
            (100.0, 0.5, 0.197563039959),
            (1000.0, 0.2, 0.018934996630),
            (50.0, 0.3, 0.414946285920),
            (20.0, 0.5, 1.2338618062654358),
        ] {
            assert!((schwarzschild_precession(p, e) - v).abs() < 1e-11, "{p} {e}");
        }
    }

    #[test]
    fn elliptic_k_at_half() {
        // K(1/2) = Gamma(1/4)^2 / (4 sqrt(pi)) = 1.8540746773013719.
        assert!((elliptic_k(0.5) - 1.854_074_677_301_372).abs() < 1e-15);
    }

    #[test]
    fn bpt_limits() {
        assert!((bpt_isco(0.0, true) - 6.0).abs() < 1e-14);
        assert!((bpt_isco(1.0, true) - 1.0).abs() < 1e-12);
        assert!((bpt_isco(1.0, false) - 9.0).abs() < 1e-12);
    }
}
