//! The standard problems of the geometry toolkit, with their closed-form facts: the ones the tests,
//! benches, examples, the peers harness and nqg-claims all use, written once.
//!
//! - [`SchwarzschildOrbit`]: a bound equatorial timelike orbit of Schwarzschild ($M = 1$) with
//!   semi-latus rectum $p$ and eccentricity $e$, started at apoapsis $r_a = p/(1-e)$ with
//!   $p_a = (-E, 0, 0, L)$ from [`crate::orbits::schwarzschild_orbit_constants`]; its periapsis advance
//!   per radial period is the closed form [`crate::orbits::schwarzschild_precession`]
//!   (THEORY.md S-GEO2). [`SchwarzschildOrbit::reference`] is the case $p = 20$, $e = 0.5$ of the
//!   geodesic bench and the peer case `schwarzschild_periapsis` in docs/benchmarks.md.
//! - [`random_perturbed_minkowski`]: $g_{ab} = \eta_{ab} + \sum_m A^{(m)}\_{ab}\sin(k^{(m)}\cdot x +
//!   \varphi^{(m)})$ with every coefficient drawn from a caller's uniform stream, the generic metric
//!   with no symmetry on which the Bianchi identities and the Riemann symmetries are tested
//!   (THEORY.md S-GEO1); [`perturbed_minkowski_fixed`] is one such metric with fixed coefficients.

use std::f64::consts::{FRAC_PI_2, PI};

use crate::error::GeometryError;
use crate::geodesic::Trajectory;
use crate::orbits::{schwarzschild_orbit_constants, schwarzschild_precession};
use crate::spacetimes::{Mode, PerturbedMinkowski, Schwarzschild};

/// A bound equatorial timelike orbit of Schwarzschild with mass $M = 1$, started at apoapsis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SchwarzschildOrbit {
    /// The spacetime ($M = 1$).
    pub metric: Schwarzschild,
    /// Semi-latus rectum $p$ (in $M$).
    pub p: f64,
    /// Eccentricity $e$.
    pub e: f64,
    /// Energy $E = -p_t$.
    pub energy: f64,
    /// Angular momentum $L = p_\phi$.
    pub angular_momentum: f64,
}

impl SchwarzschildOrbit {
    /// The orbit $(p, e)$.
    ///
    /// # Errors
    /// Those of [`schwarzschild_orbit_constants`]: no bound orbit for $p < 6 + 2e$ (inside the
    /// separatrix), $e \notin [0, 1)$, non-finite input.
    pub fn new(p: f64, e: f64) -> Result<Self, GeometryError> {
        let (energy, angular_momentum) = schwarzschild_orbit_constants(p, e, 1.0)?;
        Ok(Self {
            metric: Schwarzschild::new(1.0)?,
            p,
            e,
            energy,
            angular_momentum,
        })
    }

    /// The reference orbit $p = 20$, $e = 0.5$ (apoapsis $r = 40$, periapsis $r = 40/3$).
    pub fn reference() -> Self {
        Self::new(20.0, 0.5).expect("p = 20, e = 0.5 is a bound orbit")
    }

    /// Apoapsis radius $r_a = p/(1-e)$.
    pub fn apoapsis(&self) -> f64 {
        self.p / (1.0 - self.e)
    }

    /// Periapsis radius $r_p = p/(1+e)$.
    pub fn periapsis(&self) -> f64 {
        self.p / (1.0 + self.e)
    }

    /// The start at apoapsis: $x = (0, r_a, \pi/2, 0)$, $p_a = (-E, 0, 0, L)$.
    pub fn start(&self) -> ([f64; 4], [f64; 4]) {
        (
            [0.0, self.apoapsis(), FRAC_PI_2, 0.0],
            [-self.energy, 0.0, 0.0, self.angular_momentum],
        )
    }

    /// The closed-form periapsis advance per radial period, $\Delta\phi - 2\pi$
    /// ([`schwarzschild_precession`]).
    pub fn advance(&self) -> f64 {
        schwarzschild_precession(self.p, self.e)
    }

    /// The Newtonian radial period $2\pi a^{3/2}$ with $a = p/(1-e^2)$: a proper-time span of
    /// $n$ periods is about `n * 1.2 * newtonian_period()` for the relativistic orbits used here.
    pub fn newtonian_period(&self) -> f64 {
        2.0 * PI * (self.p / (1.0 - self.e * self.e)).powf(1.5)
    }
}

/// The measured periapsis advance per orbit from the trajectory's events named `"periapsis"`:
/// $(\phi_n - \phi_0)/n - 2\pi$ over the $n + 1$ hits; `None` with fewer than two hits.
pub fn measured_advance<const N: usize>(traj: &Trajectory<N>) -> Option<f64> {
    let phis: Vec<f64> = traj
        .events
        .iter()
        .filter(|h| h.name == "periapsis")
        .map(|h| h.x[N - 1])
        .collect();
    let n = phis.len().checked_sub(1).filter(|&n| n > 0)?;
    Some((phis[n] - phis[0]) / n as f64 - 2.0 * PI)
}

/// A random perturbed Minkowski metric in 4D with `modes` modes: each amplitude entry is
/// `amplitude * (2u - 1)` (row-major), each wave-vector component `2u - 1`, each phase $2\pi u$, with
/// $u$ drawn in that order from `uniform` (values in $[0, 1)$; pass e.g. `|| rng.random::<f64>()`).
/// The constructor symmetrises the amplitudes.
///
/// # Errors
/// [`GeometryError::NonFiniteValue`] if `uniform` or `amplitude` gives a non-finite coefficient.
pub fn random_perturbed_minkowski(
    modes: usize,
    amplitude: f64,
    mut uniform: impl FnMut() -> f64,
) -> Result<PerturbedMinkowski<4>, GeometryError> {
    let ms = (0..modes)
        .map(|_| Mode {
            amplitude: std::array::from_fn(|_| std::array::from_fn(|_| amplitude * (2.0 * uniform() - 1.0))),
            wavevector: std::array::from_fn(|_| 2.0 * uniform() - 1.0),
            phase: 2.0 * PI * uniform(),
        })
        .collect();
    PerturbedMinkowski::new(ms)
}

/// One perturbed Minkowski metric with fixed coefficients (amplitudes ≤ 0.05, no symmetry), for
/// tests that compare two code paths on a generic metric.
pub fn perturbed_minkowski_fixed() -> PerturbedMinkowski<4> {
    PerturbedMinkowski::new(vec![Mode {
        amplitude: [
            [0.05, 0.01, 0.0, 0.02],
            [0.01, -0.03, 0.01, 0.0],
            [0.0, 0.01, 0.04, 0.0],
            [0.02, 0.0, 0.0, 0.01],
        ],
        wavevector: [0.3, 0.7, -0.5, 0.2],
        phase: 0.4,
    }])
    .expect("finite coefficients")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curvature::Curvature;
    use crate::geodesic::{Event, GeodesicKind, GeodesicOptions, integrate};
    use crate::metric::Metric;

    #[test]
    fn reference_orbit_starts_on_the_mass_shell_and_advances_as_the_closed_form() {
        let o = SchwarzschildOrbit::reference();
        assert_eq!((o.apoapsis(), o.periapsis()), (40.0, 40.0 / 3.0));
        let (x, p) = o.start();
        // g^ab p_a p_b = -1 at the start: g^tt = -1/(1 - 2/r), g^φφ = 1/r² at θ = π/2.
        let r = x[1];
        let shell = -p[0] * p[0] / (1.0 - 2.0 / r) + p[3] * p[3] / (r * r);
        assert!((shell + 1.0).abs() < 1e-14, "{shell}");
        let opts =
            GeodesicOptions::dopri(1e-12, 6.0 * 1.2 * o.newtonian_period()).with_event(Event::periapsis());
        let t = integrate(&o.metric, GeodesicKind::Timelike, &x, &p, &opts).unwrap();
        let adv = measured_advance(&t).unwrap();
        // Dopri5 at 1e-12 over ~6 orbits: the advance to 1e-8 relative (as in tests/it/geodesic.rs).
        assert!(
            (adv - o.advance()).abs() < 1e-8 * o.advance(),
            "{adv} vs {}",
            o.advance()
        );
        for h in t.events.iter().filter(|h| h.name == "periapsis") {
            assert!((h.x[1] - o.periapsis()).abs() < 1e-7, "r_p {}", h.x[1]);
        }
    }

    #[test]
    fn a_plunging_orbit_is_refused_and_too_few_hits_give_none() {
        assert!(SchwarzschildOrbit::new(6.5, 0.5).is_err());
        assert!(SchwarzschildOrbit::new(f64::NAN, 0.5).is_err());
        let o = SchwarzschildOrbit::reference();
        let (x, p) = o.start();
        let opts = GeodesicOptions::dopri(1e-10, 10.0).with_event(Event::periapsis());
        let t = integrate(&o.metric, GeodesicKind::Timelike, &x, &p, &opts).unwrap();
        assert_eq!(measured_advance(&t), None);
    }

    #[test]
    fn random_metric_draws_in_order_and_satisfies_the_first_bianchi_identity() {
        let mut k = 0u32;
        let m = random_perturbed_minkowski(2, 0.05, || {
            k += 1;
            // A fixed, non-trivial sequence in [0, 1).
            (f64::from(k) * 0.618_033_988_749_895).fract()
        })
        .unwrap();
        assert_eq!(k, 2 * (16 + 4 + 1));
        let x = [0.1, 0.2, -0.3, 0.4];
        let g = m.components(&x);
        for a in 0..4 {
            for b in 0..4 {
                assert_eq!(g[a][b], g[b][a]);
            }
        }
        let c = Curvature::at(&m, &x).unwrap();
        let r = &c.riemann;
        let mut worst = 0.0f64;
        for a in 0..4 {
            for b in 0..4 {
                for cc in 0..4 {
                    for d in 0..4 {
                        worst = worst.max((r[a][b][cc][d] + r[a][cc][d][b] + r[a][d][b][cc]).abs());
                    }
                }
            }
        }
        // R_a[bcd] = 0 holds to round-off of the O(0.05) curvature terms.
        assert!(worst < 1e-15, "{worst}");
        assert!(random_perturbed_minkowski(1, f64::NAN, || 0.5).is_err());
    }
}
