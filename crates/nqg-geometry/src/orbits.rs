//! Closed forms and numerical locators for orbits (THEORY.md S-GEO2-4).
//!
//! * Bound Schwarzschild orbit with semi-latus rectum $p$ and eccentricity $e$ ($M = 1$ units scaled by
//!   $M$): $E^2 = \frac{(p-2-2e)(p-2+2e)}{p(p-3-e^2)}$, $L^2 = \frac{p^2 M^2}{p-3-e^2}$ (in units of $M$).
//! * Exact periapsis advance per radial period: with $u_1 = (1-e)/p$, $u_2 = (1+e)/p$,
//!   $u_3 = 1/(2M) - 2/p$, $k^2 = (u_2-u_1)/(u_3-u_1)$,
//!   $\Delta\phi = \frac{4K(k^2)}{\sqrt{2M(u_3-u_1)}} - 2\pi$, with $K(m) = \frac{\pi}{2\\,\mathrm{AGM}(1, \sqrt{1-m})}$.
//! * Kerr ISCO (Bardeen-Press-Teukolsky): $Z_1 = 1 + (1-\chi^2)^{1/3}[(1+\chi)^{1/3} + (1-\chi)^{1/3}]$,
//!   $Z_2 = \sqrt{3\chi^2 + Z_1^2}$, $r = M(3 + Z_2 \mp \sqrt{(3-Z_1)(3+Z_1+2Z_2)})$ (upper sign prograde).
//! * [`isco_numerical`]: the ISCO of any stationary, axisymmetric, equatorially symmetric metric (chart
//!   $t, r, \theta, \phi$) located numerically: circular equatorial orbits have
//!   $\Omega = \frac{-\partial_r g_{t\phi} \pm \sqrt{(\partial_r g_{t\phi})^2 - \partial_r g_{tt}\\,\partial_r g_{\phi\phi}}}{\partial_r g_{\phi\phi}}$,
//!   $E = -(g_{tt} + \Omega g_{t\phi})/\sqrt{-(g_{tt} + 2\Omega g_{t\phi} + \Omega^2 g_{\phi\phi})}$, and the
//!   ISCO is the minimum of $E(r)$: the root of $dE/dr$, with $\partial_r g$ and $dE/dr$ from nested
//!   duals, bracketed and solved by bisection-secant (Brent-style) iteration.
//! * [`isco`] and [`photon_orbit`]: the same without a bracket: a geometric scan inwards from
//!   $r = 10^6$ finds the first sign change of $dE/dr$ and the outermost zero of
//!   $-(g_{tt} + 2\Omega g_{t\phi} + \Omega^2 g_{\phi\phi})$ (where $E \to \infty$); inside the photon orbit
//!   [`circular_orbit_energy`] and [`isco_numerical`] return [`GeometryError::InsidePhotonOrbit`].
//! * Kerr photon orbit (BPT): $r_{ph} = 2M\\{1 + \cos[\tfrac23\arccos(\mp\chi)]\\}$ ([`bpt_photon_orbit`]).

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

/// The radius at which the bracket-free scans start, and the ratio between successive scan radii
/// (inwards). $10^6$ is far outside any orbit of interest in units of the metric's mass; the ratio
/// $0.95$ resolves features of relative width 5% (the photon orbit and ISCO are then refined to
/// round-off by bisection).
const SCAN_START: f64 = 1e6;
const SCAN_RATIO: f64 = 0.95;
const SCAN_MIN: f64 = 1e-8;

/// $-(g_{tt} + 2\Omega g_{t\phi} + \Omega^2 g_{\phi\phi})$ on the circular equatorial geodesic at `r`: positive
/// where a timelike circular orbit exists, zero on the photon orbit. `None` if `r` is outside the
/// chart's domain or the circular-orbit condition has no real $\Omega$.
fn circular_norm<M: Metric<4> + ?Sized>(metric: &M, r: f64, prograde: bool) -> Option<f64> {
    let x = [0.0, r, std::f64::consts::FRAC_PI_2, 0.0];
    crate::metric::check_point(metric, &x).ok()?;
    let xd = [
        Dual::from(0.0),
        Dual::new(r, 1.0),
        Dual::from(x[2]),
        Dual::from(0.0),
    ];
    let g = metric.components(&xd);
    let (gtt, gtp, gpp) = (g[0][0], g[0][3], g[3][3]);
    let disc = gtp.eps * gtp.eps - gtt.eps * gpp.eps;
    if disc.is_nan() || disc < 0.0 || gpp.eps == 0.0 {
        return None;
    }
    let sign = if prograde { 1.0 } else { -1.0 };
    let omega = (-gtp.eps + sign * disc.sqrt()) / gpp.eps;
    let n = -(gtt.re + 2.0 * omega * gtp.re + omega * omega * gpp.re);
    n.is_finite().then_some(n)
}

fn timelike_circular_exists<M: Metric<4> + ?Sized>(metric: &M, r: f64, prograde: bool) -> bool {
    circular_norm(metric, r, prograde).is_some_and(|n| n > 0.0)
}

/// Bisection on a predicate true at `good` and false at `bad`: the boundary to the last bit.
fn bisect_boundary(pred: impl Fn(f64) -> bool, mut good: f64, mut bad: f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (good + bad);
        if mid == good || mid == bad {
            break;
        }
        if pred(mid) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    good
}

/// The circular equatorial photon orbit of a stationary, axisymmetric, equatorially symmetric metric
/// (chart $t, r, \theta, \phi$), with no bracket: the outermost radius where
/// $g_{tt} + 2\Omega g_{t\phi} + \Omega^2 g_{\phi\phi} = 0$ on the circular geodesic ($\Omega$ as in
/// [`circular_energy`]), i.e. where the energy of timelike circular orbits diverges. Found by a
/// geometric scan inwards from $r = 10^6$ (ratio 0.95) and bisection to round-off. For Kerr it is
/// [`bpt_photon_orbit`]; for Schwarzschild $3M$.
///
/// # Errors
/// [`GeometryError::NoConvergence`] if no timelike circular orbit exists at the scan start or none
/// ends above $r = 10^{-8}$ (no photon orbit, e.g. flat space).
pub fn photon_orbit<M: Metric<4> + ?Sized>(metric: &M, prograde: bool) -> Result<f64, GeometryError> {
    let ok = |r: f64| timelike_circular_exists(metric, r, prograde);
    if !ok(SCAN_START) {
        return Err(GeometryError::NoConvergence {
            what: "photon-orbit scan: no timelike circular orbit at the scan start r = 1e6",
            residual: f64::NAN,
            iterations: 0,
        });
    }
    let mut r = SCAN_START;
    let mut steps = 0;
    while r > SCAN_MIN {
        let next = r * SCAN_RATIO;
        steps += 1;
        if !ok(next) {
            return Ok(bisect_boundary(ok, r, next));
        }
        r = next;
    }
    Err(GeometryError::NoConvergence {
        what: "photon-orbit scan: timelike circular orbits down to r = 1e-8 (no photon orbit)",
        residual: f64::NAN,
        iterations: steps,
    })
}

/// Energy per unit mass of the circular equatorial orbit at `r`, checked: $E$ is finite only outside
/// the photon orbit.
///
/// # Errors
/// [`GeometryError::InsidePhotonOrbit`] (with the photon-orbit radius) where no timelike circular orbit
/// exists; [`GeometryError::NonFinite`] for a non-finite `r`; the errors of [`photon_orbit`].
pub fn circular_orbit_energy<M: Metric<4> + ?Sized>(
    metric: &M,
    r: f64,
    prograde: bool,
) -> Result<f64, GeometryError> {
    if !r.is_finite() {
        return Err(GeometryError::NonFinite { what: "r" });
    }
    if !timelike_circular_exists(metric, r, prograde) {
        return Err(GeometryError::InsidePhotonOrbit {
            r,
            r_photon: photon_orbit(metric, prograde)?,
        });
    }
    Ok(circular_energy(metric, r, prograde))
}

/// The root of `de` in `[a, b]` (a sign change there): secant steps guarded by bisection.
fn refine_root(de: impl Fn(f64) -> f64, mut a: f64, mut b: f64) -> Result<f64, GeometryError> {
    let (mut fa, mut fb) = (de(a), de(b));
    for it in 0..200 {
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

/// The ISCO radius found numerically as the root of $dE/dr$ for circular equatorial orbits, searched
/// in `[r_lo, r_hi]` (the bracket must contain exactly one sign change). [`isco`] needs no bracket.
///
/// # Errors
/// [`GeometryError::InsidePhotonOrbit`] if an end of the bracket lies inside the photon orbit (where
/// $E$ is not finite); [`GeometryError::NoConvergence`] if the bracket has no sign change or the
/// iteration fails.
pub fn isco_numerical<M: Metric<4> + ?Sized>(
    metric: &M,
    r_lo: f64,
    r_hi: f64,
    prograde: bool,
) -> Result<f64, GeometryError> {
    let de = |r: f64| circular_energy(metric, Dual::new(r, 1.0), prograde).eps;
    let (fa, fb) = (de(r_lo), de(r_hi));
    if !(fa.is_finite() && fb.is_finite()) {
        for r in [r_lo, r_hi] {
            if r.is_finite() && !timelike_circular_exists(metric, r, prograde) {
                return Err(GeometryError::InsidePhotonOrbit {
                    r,
                    r_photon: photon_orbit(metric, prograde)?,
                });
            }
        }
    }
    if !(fa.is_finite() && fb.is_finite()) || fa.signum() == fb.signum() {
        return Err(GeometryError::NoConvergence {
            what: "ISCO bracket (dE/dr has no sign change)",
            residual: fa.abs().min(fb.abs()),
            iterations: 0,
        });
    }
    refine_root(de, r_lo, r_hi)
}

/// The ISCO of a stationary, axisymmetric, equatorially symmetric metric with no bracket: the
/// outermost radius where circular equatorial orbits turn unstable, i.e. scanning inwards from
/// $r = 10^6$ (ratio 0.95) the first sign change of $dE/dr$ from $+$ to $-$ (by nested duals), refined
/// by [`isco_numerical`]'s secant-bisection. The scan stops at the photon orbit.
///
/// # Errors
/// [`GeometryError::NoConvergence`] if $dE/dr \le 0$ at the scan start, or if the scan reaches the
/// photon orbit (or $r = 10^{-8}$) with all circular orbits stable (no ISCO).
pub fn isco<M: Metric<4> + ?Sized>(metric: &M, prograde: bool) -> Result<f64, GeometryError> {
    let de = |r: f64| circular_energy(metric, Dual::new(r, 1.0), prograde).eps;
    let usable = |r: f64| timelike_circular_exists(metric, r, prograde) && de(r).is_finite();
    if !(usable(SCAN_START) && de(SCAN_START) > 0.0) {
        return Err(GeometryError::NoConvergence {
            what: "ISCO scan: dE/dr is not positive at the scan start r = 1e6",
            residual: de(SCAN_START),
            iterations: 0,
        });
    }
    let mut r = SCAN_START;
    let mut steps = 0;
    while r > SCAN_MIN {
        let next = r * SCAN_RATIO;
        steps += 1;
        if !usable(next) {
            // The photon orbit lies in (next, r): keep scanning just outside it.
            let r_ph = bisect_boundary(usable, r, next);
            if de(r_ph) < 0.0 {
                return refine_root(de, r_ph, r);
            }
            break;
        }
        if de(next) <= 0.0 {
            return refine_root(de, next, r);
        }
        r = next;
    }
    Err(GeometryError::NoConvergence {
        what: "ISCO scan: circular orbits stable down to the photon orbit (no ISCO)",
        residual: f64::NAN,
        iterations: steps,
    })
}

/// Kerr circular equatorial photon orbit (Bardeen-Press-Teukolsky 1972), units of $M$:
/// $r_{ph} = 2M\\{1 + \cos[\tfrac23\arccos(\mp\chi)]\\}$, upper sign prograde ($3M$ at $\chi = 0$; $M$ and
/// $4M$ at $\chi = 1$).
///
/// # Errors
/// [`GeometryError::InvalidParameter`] unless $0 \le \chi \le 1$.
pub fn bpt_photon_orbit(chi: f64, prograde: bool) -> Result<f64, GeometryError> {
    if !(chi.is_finite() && (0.0..=1.0).contains(&chi)) {
        return Err(GeometryError::InvalidParameter {
            name: "chi",
            value: chi,
            reason: "spin a/M must be in [0, 1] (the sign is the prograde flag)",
        });
    }
    let s = if prograde { -chi } else { chi };
    Ok(2.0 * (1.0 + (2.0 / 3.0 * s.acos()).cos()))
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

    /// Reissner-Nordström, a static spherically symmetric metric not in the crate:
    /// $f = 1 - 2M/r + Q^2/r^2$.
    struct ReissnerNordstrom {
        q: f64,
    }
    impl Metric<4> for ReissnerNordstrom {
        fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> [[D; 4]; 4] {
            let r = x[1];
            let f = -(r.recip() * 2.0) + r.powi(-2) * (self.q * self.q) + 1.0;
            let z = D::from(0.0);
            let s2 = x[2].sin().powi(2);
            [
                [-f, z, z, z],
                [z, f.recip(), z, z],
                [z, z, r * r, z],
                [z, z, z, r * r * s2],
            ]
        }
    }

    #[test]
    fn bracket_free_isco_and_photon_orbit_match_closed_forms() {
        use crate::spacetimes::{Kerr, Minkowski, Schwarzschild};
        // Bisection to the last bit of a simple root: a few ulps; 1e-12 relative leaves room for the
        // conditioning of dE/dr (its root is a minimum of E) and of the norm near r_ph.
        let s = Schwarzschild::new(1.0).unwrap();
        assert!((isco(&s, true).unwrap() - 6.0).abs() < 1e-12);
        assert!((photon_orbit(&s, true).unwrap() - 3.0).abs() < 1e-12);
        for &chi in &[0.5, 0.9, 0.998] {
            let k = Kerr::new(1.0, chi).unwrap();
            for pro in [true, false] {
                let (ri, rp) = (isco(&k, pro).unwrap(), photon_orbit(&k, pro).unwrap());
                let (wi, wp) = (bpt_isco(chi, pro), bpt_photon_orbit(chi, pro).unwrap());
                assert!(
                    (ri - wi).abs() < 1e-10 * wi,
                    "chi={chi} pro={pro}: isco {ri} vs {wi}"
                );
                assert!(
                    (rp - wp).abs() < 1e-12 * wp,
                    "chi={chi} pro={pro}: photon {rp} vs {wp}"
                );
            }
        }
        // Reissner-Nordström, Q = 0.5: photon sphere (3 + sqrt(9 - 8 Q^2))/2, ISCO the largest root of
        // r^3 - 6 r^2 + 9 Q^2 r - 4 Q^4 = 0 (Newton from r = 6).
        let q: f64 = 0.5;
        let rn = ReissnerNordstrom { q };
        let want_ph = 0.5 * (3.0 + (9.0 - 8.0 * q * q).sqrt());
        assert!((photon_orbit(&rn, true).unwrap() - want_ph).abs() < 1e-12 * want_ph);
        let mut r = 6.0;
        for _ in 0..50 {
            r -= (r * r * r - 6.0 * r * r + 9.0 * q * q * r - 4.0 * q.powi(4))
                / (3.0 * r * r - 12.0 * r + 9.0 * q * q);
        }
        assert!((isco(&rn, true).unwrap() - r).abs() < 1e-10 * r, "{r}");
        // Flat space has neither.
        assert!(matches!(
            photon_orbit(&Minkowski::<4>, true),
            Err(GeometryError::NoConvergence { .. })
        ));
        assert!(matches!(
            isco(&Minkowski::<4>, true),
            Err(GeometryError::NoConvergence { .. })
        ));
    }

    #[test]
    fn inside_the_photon_orbit_is_a_typed_error() {
        use crate::spacetimes::Kerr;
        let k = Kerr::new(1.0, 0.9).unwrap();
        let r_ph = bpt_photon_orbit(0.9, false).unwrap();
        // A bracket reaching inside the retrograde photon orbit (r_ph = 3.91).
        match isco_numerical(&k, 3.0, 14.0, false) {
            Err(GeometryError::InsidePhotonOrbit { r, r_photon }) => {
                assert_eq!(r, 3.0);
                assert!((r_photon - r_ph).abs() < 1e-12 * r_ph);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            circular_orbit_energy(&k, 3.5, false),
            Err(GeometryError::InsidePhotonOrbit { .. })
        ));
        // Outside: Kerr circular energy in closed form (BPT), E = (r^{3/2} - 2 r^{1/2} ± a)/(r^{3/4}
        // sqrt(r^{3/2} - 3 r^{1/2} ± 2a)), upper sign prograde.
        let r: f64 = 8.0;
        let (a, sr) = (0.9, r.sqrt());
        let want = (r * sr - 2.0 * sr - a) / (r.powf(0.75) * (r * sr - 3.0 * sr - 2.0 * a).sqrt());
        assert!((circular_orbit_energy(&k, r, false).unwrap() - want).abs() < 1e-14);
        assert!(bpt_photon_orbit(1.5, true).is_err());
        assert!((bpt_photon_orbit(1.0, true).unwrap() - 1.0).abs() < 1e-12);
        assert!((bpt_photon_orbit(1.0, false).unwrap() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn bpt_limits() {
        assert!((bpt_isco(0.0, true) - 6.0).abs() < 1e-14);
        assert!((bpt_isco(1.0, true) - 1.0).abs() < 1e-12);
        assert!((bpt_isco(1.0, false) - 9.0).abs() < 1e-12);
    }
}
