//! Ensembles that record user observables $g(x_t, x_0)$: displacements, energies, any function of the
//! state and the initial state, with streaming moments at every observation time.
//!
//! For observables $g_1, \dots, g_m$ ($g_j: \mathbb R^d \times \mathbb R^d \to \mathbb R^{k_j}$) and
//! observation times $t_1 < \dots < t_n$, [`run_observed`] returns the mean and covariance over
//! members of $g_j(X_{t_i}, X_0)$ for every $(j, i)$, e.g. the mean squared displacement
//! $\langle |X_t - X_0|^2\rangle$ ([`Observable::squared_displacement`]), which moments of $X_t$ alone
//! cannot give. The trajectories are those of [`crate::ensemble::run_ensemble`] with the same seed,
//! bit for bit (same streams, same draws, same arithmetic); the member loop, the chunked merge and
//! thus the thread-count independence are the same too.
//!
//! ```
//! use nqg_thermo::ensemble::EnsembleSpec;
//! use nqg_thermo::observe::{Observable, run_observed};
//! use nqg_thermo::sde::{LinearOu, Scheme};
//! // Free diffusion (A = 0 is not an OU, so a tiny restoring rate): MSD = 2 D t.
//! let bm = LinearOu::new(vec![1e-12], 0.5, vec![0.0], vec![0.0]).unwrap();
//! let spec = EnsembleSpec { scheme: Scheme::EulerMaruyama, dt: 0.01, steps: 100, members: 4000,
//!                           t0: 0.0, observe: vec![] };
//! let obs = [Observable::squared_displacement(1).unwrap()];
//! let st = run_observed(&bm, &spec, 1, |_, _, x| x[0] = 3.0, &obs).unwrap();
//! let msd = st.moments(0).unwrap()[0].mean()[0];
//! assert!((msd - 1.0).abs() < 5.0 * st.moments(0).unwrap()[0].sem(0).unwrap());
//! ```

use crate::ensemble::{
    EnsembleSpec, MemberBuf, Moments, checked_observations, merge_all, observation_times, par_members,
};
use crate::error::{Result, ThermoError};
use crate::noise::noise_mask;
use crate::rng::StreamRng;
use crate::sde::Sde;

pub use nqg_stats::observable::{Observable, ObservableFn};

/// Moments of every observable at every observation time.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedStats {
    /// Observation times $t_i$.
    pub times: Vec<f64>,
    names: Vec<String>,
    moments: Vec<Vec<Moments>>,
}

impl ObservedStats {
    /// The moments of observable `j` at each observation time (`None` for `j` out of range).
    pub fn moments(&self, j: usize) -> Option<&[Moments]> {
        self.moments.get(j).map(|v| v.as_slice())
    }

    /// The index of the observable called `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The time series of the mean of component `c` of observable `j`, $\langle g_{j,c}(t_i)\rangle$.
    ///
    /// # Errors
    /// [`ThermoError::InvalidParameter`] for `j` or `c` out of range.
    pub fn mean_series(&self, j: usize, c: usize) -> Result<Vec<f64>> {
        let ms = self.checked(j, c)?;
        Ok(ms.iter().map(|m| m.mean()[c]).collect())
    }

    /// The time series of the standard error of that mean, $\sqrt{\mathrm{Var}\\,g_{j,c}(t_i)/N}$.
    ///
    /// # Errors
    /// As [`ObservedStats::mean_series`]; [`ThermoError::Statistics`] below two members.
    pub fn sem_series(&self, j: usize, c: usize) -> Result<Vec<f64>> {
        let ms = self.checked(j, c)?;
        Ok(ms.iter().map(|m| m.sem(c)).collect::<nqg_stats::Result<_>>()?)
    }

    fn checked(&self, j: usize, c: usize) -> Result<&[Moments]> {
        let ms = self.moments(j).ok_or(ThermoError::InvalidParameter {
            name: "observable index",
            value: j as f64,
            reason: "must be below the number of observables",
        })?;
        if ms.first().is_none_or(|m| c >= m.dim()) {
            return Err(ThermoError::InvalidParameter {
                name: "observable component",
                value: c as f64,
                reason: "must be below the observable's dimension",
            });
        }
        Ok(ms)
    }
}

/// Simulate an ensemble of `sde` as [`crate::ensemble::run_ensemble`] does (same `spec`, `seed` and
/// `init`, hence the same trajectories) and record the moments of each of `observables` at the
/// observation steps.
///
/// # Errors
/// Those of [`crate::ensemble::run_ensemble`]; [`ThermoError::TooFewSamples`] for no observables,
/// [`ThermoError::TooLarge`] if the accumulators ($\sum_j k_j^2$ per time) exceed the budget, and
/// [`ThermoError::NonFiniteValue`] (what: `"observable"`) for a non-finite observable value.
pub fn run_observed<S, F>(
    sde: &S,
    spec: &EnsembleSpec,
    seed: u64,
    init: F,
    observables: &[Observable<'_>],
) -> Result<ObservedStats>
where
    S: Sde + ?Sized,
    F: Fn(usize, &mut StreamRng, &mut [f64]) + Sync,
{
    if observables.is_empty() {
        return Err(ThermoError::TooFewSamples { needed: 1, got: 0 });
    }
    let per_obs = observables
        .iter()
        .fold(0usize, |a, o| a.saturating_add(o.dim().saturating_mul(o.dim())));
    let observe = checked_observations(sde, spec, per_obs)?;
    let (d, nobs) = (sde.dim(), observe.len());
    let noisy = noise_mask(sde);
    let kmax = observables.iter().map(|o| o.dim()).max().unwrap_or(1);
    let empty = || -> Vec<Vec<Moments>> {
        let per = |o: &Observable<'_>| vec![Moments::new(o.dim()); nobs];
        observables.iter().map(per).collect()
    };
    let (moments, _, _) = par_members(
        spec.members,
        seed,
        || (empty(), MemberBuf::new(d), vec![0.0; kmax]),
        |m, rng, (acc, buf, g)| {
            buf.run(sde, spec, &observe, &noisy, m, rng, &init, |k, x, x0| {
                record(observables, &mut acc[..], k, x, x0, g)
            })
        },
        |a, b| {
            for (x, y) in a.0.iter_mut().zip(&b.0) {
                merge_all(x, y);
            }
        },
    )?;
    Ok(ObservedStats {
        times: observation_times(spec, &observe),
        names: observables.iter().map(|o| o.name().to_string()).collect(),
        moments,
    })
}

/// Evaluate every observable at observation `k` and push its value.
fn record(
    observables: &[Observable<'_>],
    acc: &mut [Vec<Moments>],
    k: usize,
    x: &[f64],
    x0: &[f64],
    g: &mut [f64],
) -> Result<()> {
    for (o, a) in observables.iter().zip(acc) {
        let out = &mut g[..o.dim()];
        o.eval(x, x0, out);
        crate::error::check_all_finite("observable", out)?;
        a[k].push(out)?;
    }
    Ok(())
}
