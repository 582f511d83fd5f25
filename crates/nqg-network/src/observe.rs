//! Ensembles that record user observables: any function $f(q, q_0) \in \mathbb R^m$ of a replica's
//! state $q$ and its reference state $q_0$ (its state when the recording starts), with streaming
//! moments over the replicas at the observation times.
//!
//! This is how displacement statistics $\langle (q_t - q_0)(q_t - q_0)^T\rangle$, overlaps
//! $\langle q_t\cdot q_0\rangle$, losses or generalisation errors of every replica are measured
//! without copying the initial state into extra state components. Replicas are reduced in fixed
//! chunks merged in chunk order, so every number is independent of the thread count, as in
//! [`Ensemble::moments`].
//!
//! ```
//! use std::sync::Arc;
//! use nqg_network::ensemble::Ensemble;
//! use nqg_network::learning::{GradFn, Langevin};
//! use nqg_network::moments::MomentsExt;
//! use nqg_network::observe::Observable;
//! // Free diffusion dq = √(2D) dW (D = 0.5, dt = 0.1): Var(q_t - q_0) = 2 D t dt exactly.
//! let grad: GradFn = Arc::new(|_q: &[f64], g: &mut [f64]| g[0] = 0.0);
//! let free = Langevin::new(1, grad, 1.0, &[0.5], 0.1)?;
//! let mut ens = Ensemble::new(&free, 4000, 7, |_, _, q| q[0] = 3.0)?;
//! let rec = ens.observe(&free, &[50], &[Observable::displacement(1)?])?;
//! let var = rec.moments(0, 0).unwrap().covariance_matrix()[(0, 0)];
//! assert!((var - 5.0).abs() < 5.0 * 5.0 * (2.0f64 / 4000.0).sqrt());
//! # Ok::<(), nqg_network::NetworkError>(())
//! ```

use rayon::prelude::*;

use crate::ensemble::Ensemble;
use crate::error::{NetworkError, Result, check_finite};
use crate::learning::Dynamics;
use crate::moments::{Moments, merge_in_order};

/// Replicas per reduction chunk (fixed, so the merge order does not depend on the threads).
const CHUNK: usize = 512;

pub use nqg_stats::observable::{Observable, ObservableFn};

/// What [`Ensemble::observe`] recorded: the moments over replicas of every observable at every
/// observation time.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservationRecord {
    /// The ensemble times (steps) of the observations.
    pub times: Vec<usize>,
    /// The observables' names, in the order given.
    pub names: Vec<String>,
    /// `moments[t][o]`: moments of observable `o` over the replicas at `times[t]`.
    pub moments: Vec<Vec<Moments>>,
}

impl ObservationRecord {
    /// The moments of observable `observable` at the `time`-th observation (`None` out of range).
    pub fn moments(&self, observable: usize, time: usize) -> Option<&Moments> {
        self.moments.get(time)?.get(observable)
    }

    /// The time series of the mean of component `i` of observable `observable`.
    pub fn mean_series(&self, observable: usize, i: usize) -> Option<Vec<f64>> {
        self.moments
            .iter()
            .map(|row| row.get(observable).and_then(|m| m.mean().get(i).copied()))
            .collect()
    }
}

impl Ensemble {
    /// Run to each time in `log_times` (non-decreasing, relative to the current time) and record the
    /// moments over replicas of every observable $f(q, q_0)$, with $q_0$ each replica's state at
    /// this call.
    ///
    /// # Errors
    /// As [`Ensemble::advance`]; [`NetworkError::InvalidParameter`] for decreasing `log_times` or no
    /// observable; [`NetworkError::NonFinite`] (`what = "observable value"`, with the component and
    /// value) when an observable returns a non-finite value.
    pub fn observe<D: Dynamics>(
        &mut self,
        dynamics: &D,
        log_times: &[usize],
        observables: &[Observable<'_>],
    ) -> Result<ObservationRecord> {
        if log_times.windows(2).any(|w| w[1] < w[0]) {
            return Err(NetworkError::InvalidParameter {
                name: "log times",
                value: 0.0,
                reason: "must be non-decreasing",
            });
        }
        if observables.is_empty() {
            return Err(NetworkError::InvalidParameter {
                name: "observables",
                value: 0.0,
                reason: "need at least one",
            });
        }
        let q0 = self.states().to_vec();
        let k = (q0.len() / self.replicas()).max(1);
        let start = self.time();
        let mut rec = ObservationRecord {
            times: Vec::with_capacity(log_times.len()),
            names: observables.iter().map(|o| o.name().to_string()).collect(),
            moments: Vec::with_capacity(log_times.len()),
        };
        for &t in log_times {
            let target = start + t;
            self.advance(dynamics, target - self.time())?;
            rec.times.push(target);
            rec.moments.push(observe_now(self.states(), &q0, k, observables)?);
        }
        Ok(rec)
    }
}

/// The moments of every observable over the replicas of `states` (replica-major, $K$ each) against
/// the reference states `q0`.
fn observe_now(states: &[f64], q0: &[f64], k: usize, observables: &[Observable<'_>]) -> Result<Vec<Moments>> {
    let width = observables.iter().map(|o| o.dim()).max().unwrap_or(1);
    let parts: Vec<Result<Vec<Moments>>> = states
        .par_chunks(CHUNK * k)
        .zip(q0.par_chunks(CHUNK * k))
        .map(|(qs, q0s)| {
            let mut ms: Vec<Moments> = observables.iter().map(|o| Moments::new(o.dim())).collect();
            let mut buf = vec![0.0; width];
            for (q, q0) in qs.chunks(k).zip(q0s.chunks(k)) {
                for (o, m) in observables.iter().zip(ms.iter_mut()) {
                    let out = &mut buf[..o.dim()];
                    o.eval(q, q0, out);
                    check_finite("observable value", out)?;
                    m.push(out)?;
                }
            }
            Ok(ms)
        })
        .collect();
    let parts: Vec<Vec<Moments>> = parts.into_iter().collect::<Result<_>>()?;
    Ok(observables
        .iter()
        .enumerate()
        .map(|(j, o)| merge_in_order(o.dim(), parts.iter().map(|p| &p[j])))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::learning::{GradFn, Langevin};
    use crate::moments::MomentsExt;
    use rand_distr::{Distribution, StandardNormal};

    /// The Ornstein-Uhlenbeck learner $F = a q^2/2$: Euler-Maruyama gives the exact AR(1)
    /// $q_{t+1} = \rho q_t + \sqrt{2D\\,dt}\\,\xi$, $\rho = 1 - \gamma a\\,dt$.
    fn ou(a: f64, gamma: f64, d: f64, dt: f64) -> Langevin {
        let grad: GradFn = Arc::new(move |q: &[f64], g: &mut [f64]| g[0] = a * q[0]);
        Langevin::new(1, grad, gamma, &[d], dt).unwrap()
    }

    #[test]
    fn langevin_displacement_variance_and_overlap_match_the_closed_form() {
        let (a, gamma, d, dt, s0) = (1.0, 1.0, 0.5, 0.05, 1.0);
        let rho: f64 = 1.0 - gamma * a * dt;
        let l = ou(a, gamma, d, dt);
        let r = 20_000;
        let mut ens = Ensemble::new(&l, r, 11, |_, rng, q| {
            let z: f64 = StandardNormal.sample(rng);
            q[0] = s0 * z;
        })
        .unwrap();
        let times = [1, 10, 100];
        let obs = [Observable::displacement(1).unwrap(), Observable::overlap()];
        let rec = ens.observe(&l, &times, &obs).unwrap();
        assert_eq!(rec.times, times);
        for (j, &t) in times.iter().enumerate() {
            let rt = rho.powi(t as i32);
            // Var(q_t - q_0) = (1 - ρ^t)² s0² + 2 D dt (1 - ρ^{2t})/(1 - ρ²); E[q_t q_0] = ρ^t s0².
            let var = (1.0 - rt).powi(2) * s0 * s0 + 2.0 * d * dt * (1.0 - rt * rt) / (1.0 - rho * rho);
            let disp = rec.moments(0, j).unwrap();
            let got = disp.covariance_matrix()[(0, 0)];
            // Δ is Gaussian, so the Isserlis standard error is exact; 5σ (a false alarm ~1e-6 per
            // assertion) with R = 2e4 is a 3.5 % band.
            let se = disp.covariance_std_err()[(0, 0)];
            assert!((got - var).abs() < 5.0 * se, "t = {t}: {got} vs {var} ± {se}");
            assert!(disp.mean()[0].abs() < 5.0 * disp.mean_std_err()[0]);
            let ov = rec.moments(1, j).unwrap();
            let want = rt * s0 * s0;
            assert!(
                (ov.mean()[0] - want).abs() < 5.0 * ov.mean_std_err()[0],
                "t = {t}: {} vs {want}",
                ov.mean()[0]
            );
        }
        assert_eq!(rec.mean_series(1, 0).unwrap().len(), 3);
    }

    #[test]
    fn noiseless_displacement_is_the_contracted_initial_spread() {
        // D = 0: q_t = ρ^t q_0 exactly, so Var(q_t - q_0) = (1 - ρ^t)² Var(q_0) of the same sample;
        // both sides are computed from the same numbers, equal to round-off (1e-12 relative).
        let (a, gamma, dt) = (2.0, 1.0, 0.1);
        let rho: f64 = 1.0 - gamma * a * dt;
        let l = ou(a, gamma, 0.0, dt);
        let mut ens = Ensemble::new(&l, 1000, 3, |_, rng, q| {
            let z: f64 = StandardNormal.sample(rng);
            q[0] = 2.0 * z;
        })
        .unwrap();
        let initial = ens.moments().covariance_matrix()[(0, 0)];
        let rec = ens
            .observe(&l, &[0, 7], &[Observable::displacement(1).unwrap()])
            .unwrap();
        assert_eq!(rec.moments(0, 0).unwrap().covariance_matrix()[(0, 0)], 0.0);
        let got = rec.moments(0, 1).unwrap().covariance_matrix()[(0, 0)];
        let want = (1.0 - rho.powi(7)).powi(2) * initial;
        assert!((got - want).abs() < 1e-12 * want, "{got} vs {want}");
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        let l = ou(1.0, 1.0, 0.5, 0.05);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut ens = Ensemble::new(&l, 3000, 5, |_, _, q| q[0] = 1.0).unwrap();
                ens.observe(
                    &l,
                    &[20],
                    &[Observable::displacement(1).unwrap(), Observable::overlap()],
                )
                .unwrap()
            })
        };
        assert_eq!(run(1), run(3));
    }

    #[test]
    fn bad_observables_are_typed_errors_with_their_values() {
        let l = ou(1.0, 1.0, 0.5, 0.05);
        let mut ens = Ensemble::new(&l, 4, 1, |_, _, q| q[0] = 1.0).unwrap();
        let nan = Observable::new("log of -1", 1, |q, _, out| out[0] = (-q[0].abs() - 1.0).ln()).unwrap();
        assert!(matches!(
            ens.observe(&l, &[1], &[nan]),
            Err(NetworkError::NonFinite { what: "observable value", index: 0, value }) if value.is_nan()
        ));
        assert!(matches!(
            Observable::new("empty", 0, |_, _, _| {}).map_err(NetworkError::from),
            Err(NetworkError::InvalidParameter { value, .. }) if value == 0.0
        ));
        assert!(matches!(
            Observable::new("huge", usize::MAX, |_, _, _| {}).map_err(NetworkError::from),
            Err(NetworkError::TooLarge { .. })
        ));
        assert!(matches!(
            ens.observe(&l, &[3, 1], &[Observable::overlap()]),
            Err(NetworkError::InvalidParameter {
                name: "log times",
                ..
            })
        ));
        assert!(matches!(
            ens.observe(&l, &[1], &[]),
            Err(NetworkError::InvalidParameter {
                name: "observables",
                ..
            })
        ));
    }
}
