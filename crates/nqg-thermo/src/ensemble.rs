//! Parallel ensembles with one seed-derived RNG stream per member and streaming moments.
//!
//! Member $i$ draws from [`member_rng`]`(seed, i)`. Members are processed in fixed chunks of
//! [`CHUNK`] and chunk results are merged in chunk order, so every number is independent of the
//! thread count. Moments are [`nqg_stats::Moments`] (Welford's update $\mu \leftarrow \mu + \delta/n$,
//! $M_2 \leftarrow M_2 + \delta (x - \mu)^\top$ and Chan's merge
//! $M_2 = M_2^a + M_2^b + \delta\delta^\top n_a n_b / n$), so $10^6$ members need no trajectory storage.
//! Components declared noise-free ([`Sde::is_noise_free`]) draw no normals. For moments of functions of
//! the state and the initial state (displacements, energies) see [`crate::observe`].

use rayon::prelude::*;

pub use nqg_stats::Moments;

use crate::error::{Result, ThermoError, check_dt, check_size};
use crate::noise::{draw_masked, noise_mask};
use crate::rng::{StreamRng, member_rng};
use crate::sde::{Scheme, Sde, Workspace, step_raw};

/// Members per chunk (the unit of parallel work and of the deterministic merge order).
pub const CHUNK: usize = 1024;

/// An empty [`Moments`] accumulator for dimension `d` (it holds $d + d^2$ numbers), within the
/// allocation budget.
///
/// # Errors
/// [`ThermoError::TooLarge`] if $d^2$ overflows or exceeds [`crate::error::MAX_ELEMENTS`].
pub fn new_moments(d: usize) -> Result<Moments> {
    check_size("moments (d²)", &[d, d])?;
    Ok(Moments::new(d))
}

/// Merge `b` into `a` (same dimension by construction: the merge cannot fail).
pub(crate) fn merge_all(a: &mut [Moments], b: &[Moments]) {
    for (x, y) in a.iter_mut().zip(b) {
        let merged = x.merge(y);
        debug_assert!(merged.is_ok());
    }
}

/// Run `f(member, rng, acc)` for members `0..members` in parallel, one [`member_rng`] stream each,
/// accumulating into per-chunk accumulators created by `init` and merged in chunk order by `merge`.
/// The first error (lowest member) is returned.
///
/// # Errors
/// [`ThermoError::TooFewSamples`] if `members == 0`, [`ThermoError::TooLarge`] beyond
/// [`crate::error::MAX_ELEMENTS`] members, or the first error returned by `f`.
pub fn par_members<A, I, F, M>(members: usize, seed: u64, init: I, f: F, merge: M) -> Result<A>
where
    A: Send,
    I: Fn() -> A + Sync,
    F: Fn(usize, &mut StreamRng, &mut A) -> Result<()> + Sync,
    M: Fn(&mut A, A),
{
    if members == 0 {
        return Err(ThermoError::TooFewSamples { needed: 1, got: 0 });
    }
    check_size("ensemble members", &[members])?;
    let chunks = members.div_ceil(CHUNK);
    let parts: Vec<Result<A>> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut acc = init();
            for m in c * CHUNK..((c + 1) * CHUNK).min(members) {
                let mut rng = member_rng(seed, m as u64);
                f(m, &mut rng, &mut acc)?;
            }
            Ok(acc)
        })
        .collect();
    let mut out: Option<A> = None;
    for p in parts {
        let p = p?;
        match out.as_mut() {
            None => out = Some(p),
            Some(o) => merge(o, p),
        }
    }
    out.ok_or(ThermoError::TooFewSamples { needed: 1, got: 0 })
}

/// What to simulate: scheme, step, number of steps, members and when to record moments.
#[derive(Debug, Clone, PartialEq)]
pub struct EnsembleSpec {
    /// Integration scheme.
    pub scheme: Scheme,
    /// Time step.
    pub dt: f64,
    /// Number of steps.
    pub steps: usize,
    /// Number of members.
    pub members: usize,
    /// Initial time.
    pub t0: f64,
    /// Step indices (in `1..=steps`) after which moments are recorded; empty means the last only.
    pub observe: Vec<usize>,
}

/// Moments of an ensemble at the observation times.
#[derive(Debug, Clone, PartialEq)]
pub struct EnsembleStats {
    /// Observation times.
    pub times: Vec<f64>,
    /// Moments at each observation time.
    pub moments: Vec<Moments>,
}

/// Simulate an ensemble of `sde` in parallel. Each member's initial state is written by
/// `init(member, rng, x)` using the member's own stream (so random initial data is reproducible).
/// Components with [`Sde::is_noise_free`] draw no normals; members are simulated up to the last
/// observation step (steps after it would feed no moment).
///
/// # Errors
/// `dt <= 0`, empty ensemble, scheme not applicable, an observation index out of range,
/// [`ThermoError::TooLarge`] beyond the member or work budgets ([`crate::error::MAX_WORK`]), or
/// [`ThermoError::NonFinite`] naming the first member (lowest index) and step that blew up.
pub fn run_ensemble<S, F>(sde: &S, spec: &EnsembleSpec, seed: u64, init: F) -> Result<EnsembleStats>
where
    S: Sde + ?Sized,
    F: Fn(usize, &mut StreamRng, &mut [f64]) + Sync,
{
    let d = sde.dim();
    let observe = checked_observations(sde, spec, d.saturating_mul(d))?;
    let nobs = observe.len();
    let noisy = noise_mask(sde);
    let moments = if spec.scheme == Scheme::EulerMaruyama {
        crate::em_lanes::em_lanes(sde, spec, seed, &init, &observe, &noisy)?
    } else {
        par_members(
            spec.members,
            seed,
            || (vec![Moments::new(d); nobs], MemberBuf::new(d)),
            |m, rng, (acc, buf)| {
                buf.run(sde, spec, &observe, &noisy, m, rng, &init, |k, x, _| {
                    Ok(acc[k].push(x)?)
                })
            },
            |a, b| merge_all(&mut a.0, &b.0),
        )?
        .0
    };
    Ok(EnsembleStats {
        times: observation_times(spec, &observe),
        moments,
    })
}

/// The times $t_0 + k\\,h$ of the observation steps $k$.
pub(crate) fn observation_times(spec: &EnsembleSpec, observe: &[usize]) -> Vec<f64> {
    observe.iter().map(|&o| spec.t0 + o as f64 * spec.dt).collect()
}

/// Check `spec` against `sde` and the budgets (`per_obs` accumulator numbers per observation time)
/// and return its observation steps, sorted and deduplicated (the last step if none are given).
///
/// # Errors
/// As [`run_ensemble`].
pub(crate) fn checked_observations<S: Sde + ?Sized>(
    sde: &S,
    spec: &EnsembleSpec,
    per_obs: usize,
) -> Result<Vec<usize>> {
    check_dt(spec.dt)?;
    spec.scheme.check(sde)?;
    if spec.members == 0 {
        return Err(ThermoError::TooFewSamples { needed: 1, got: 0 });
    }
    let mut observe = if spec.observe.is_empty() {
        vec![spec.steps]
    } else {
        spec.observe.clone()
    };
    observe.sort_unstable();
    observe.dedup();
    if let Some(&o) = observe.iter().find(|&&o| o == 0 || o > spec.steps) {
        return Err(ThermoError::InvalidParameter {
            name: "observe",
            value: o as f64,
            reason: "observation steps must lie in 1..=steps",
        });
    }
    let d = sde.dim();
    check_size(
        "ensemble moments (observations × dim²)",
        &[observe.len(), per_obs],
    )?;
    check_size("ensemble members", &[spec.members])?;
    crate::error::check_work(
        "ensemble work (members × steps × dim)",
        &[spec.members, spec.steps, d.max(1)],
    )?;
    if !spec.t0.is_finite() {
        return Err(ThermoError::InvalidParameter {
            name: "t0",
            value: spec.t0,
            reason: "must be finite",
        });
    }
    Ok(observe)
}

/// One member's buffers for the general-scheme loop: state, initial state, increments, workspace.
pub(crate) struct MemberBuf {
    x: Vec<f64>,
    x0: Vec<f64>,
    dw: Vec<f64>,
    i10: Vec<f64>,
    ws: Workspace,
}

impl MemberBuf {
    /// Buffers for dimension `d`.
    pub(crate) fn new(d: usize) -> Self {
        Self {
            x: vec![0.0; d],
            x0: vec![0.0; d],
            dw: vec![0.0; d],
            i10: vec![0.0; d],
            ws: Workspace::new(d),
        }
    }

    /// Simulate member `m`: `init` writes its initial state (into the buffer that still holds the
    /// previous member's final state), then the scheme runs to each observation step `observe[k]`
    /// and calls `at(k, x, x0)`. Increments are drawn for the `noisy` components only.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run<S, F, O>(
        &mut self,
        sde: &S,
        spec: &EnsembleSpec,
        observe: &[usize],
        noisy: &[bool],
        m: usize,
        rng: &mut StreamRng,
        init: &F,
        mut at: O,
    ) -> Result<()>
    where
        S: Sde + ?Sized,
        F: Fn(usize, &mut StreamRng, &mut [f64]),
        O: FnMut(usize, &[f64], &[f64]) -> Result<()>,
    {
        let Self { x, x0, dw, i10, ws } = self;
        init(m, rng, x);
        x0.copy_from_slice(x);
        let (h, want) = (spec.dt, spec.scheme.needs_i10());
        let sqrt_h = h.sqrt();
        let mut s = 0;
        for (k, &stop) in observe.iter().enumerate() {
            while s < stop {
                let t = spec.t0 + s as f64 * h;
                draw_masked(rng, h, sqrt_h, want, noisy, dw, i10);
                if !step_raw(spec.scheme, sde, t, h, x, dw, i10, ws) {
                    return Err(ThermoError::NonFinite {
                        member: m,
                        step: s,
                        t,
                    });
                }
                s += 1;
            }
            at(k, x, x0)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::normal;
    use crate::sde::LinearOu;

    #[test]
    fn moments_budget_is_a_typed_error() {
        assert!(matches!(
            new_moments(usize::MAX),
            Err(ThermoError::TooLarge {
                requested: usize::MAX,
                ..
            })
        ));
        assert_eq!(new_moments(3).unwrap().dim(), 3);
        let e: ThermoError = Moments::new(2).push(&[f64::NAN, 0.0]).unwrap_err().into();
        assert!(matches!(e, ThermoError::Statistics(_)), "{e:?}");
    }

    #[test]
    fn ensemble_is_deterministic_and_thread_independent() {
        let ou = LinearOu::new(vec![1.0], 0.5, vec![0.0], vec![0.0]).unwrap();
        let spec = EnsembleSpec {
            scheme: Scheme::EulerMaruyama,
            dt: 0.01,
            steps: 50,
            members: 3000,
            t0: 0.0,
            observe: vec![],
        };
        let a = run_ensemble(&ou, &spec, 5, |_, _, x| x[0] = 1.0).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let b = pool.install(|| run_ensemble(&ou, &spec, 5, |_, _, x| x[0] = 1.0).unwrap());
        assert_eq!(a, b);
    }

    #[test]
    fn lane_paths_equal_the_one_member_loop() {
        // 20 members: two full 8-lane groups (scalar fast path) and a 4-member tail (general path),
        // against a plain per-member loop with the same streams and arithmetic: bitwise equal.
        let ou = LinearOu::new(vec![1.0], 0.5, vec![0.0], vec![0.0]).unwrap();
        let (h, n) = (0.01, 137);
        let spec = EnsembleSpec {
            scheme: Scheme::EulerMaruyama,
            dt: h,
            steps: n,
            members: 20,
            t0: 0.0,
            observe: vec![50, 137],
        };
        let st = run_ensemble(&ou, &spec, 9, |m, _, x| x[0] = m as f64 * 0.1).unwrap();
        let (mut m50, mut m137) = (Moments::new(1), Moments::new(1));
        let b = 1.0f64;
        for m in 0..20 {
            let mut rng = member_rng(9, m as u64);
            let mut x = m as f64 * 0.1;
            for s in 0..n {
                let t = s as f64 * h;
                let a = -(1.0 * (x - 0.0 - 0.0 * t));
                x += a * h + b * (h.sqrt() * normal(&mut rng));
                if s + 1 == 50 {
                    m50.push(&[x]).unwrap();
                }
            }
            m137.push(&[x]).unwrap();
        }
        assert_eq!(st.moments[0], m50);
        assert_eq!(st.moments[1], m137);
    }

    #[test]
    fn ensemble_errors() {
        let ou = LinearOu::new(vec![1.0], 0.5, vec![0.0], vec![0.0]).unwrap();
        let mut spec = EnsembleSpec {
            scheme: Scheme::EulerMaruyama,
            dt: 0.01,
            steps: 5,
            members: 0,
            t0: 0.0,
            observe: vec![],
        };
        assert!(matches!(
            run_ensemble(&ou, &spec, 1, |_, _, _| {}),
            Err(ThermoError::TooFewSamples { .. })
        ));
        spec.members = 10;
        spec.dt = -1.0;
        assert!(matches!(
            run_ensemble(&ou, &spec, 1, |_, _, _| {}),
            Err(ThermoError::InvalidTimeStep { .. })
        ));
        spec.dt = 0.1;
        spec.observe = vec![7];
        assert!(matches!(
            run_ensemble(&ou, &spec, 1, |_, _, _| {}),
            Err(ThermoError::InvalidParameter { .. })
        ));
        // A drift that explodes only for member 7 (started far out): the error names member 7.
        let sde = crate::sde::FnSde::new(
            1,
            |_t, x: &[f64], o: &mut [f64]| o[0] = if x[0] > 50.0 { x[0] * x[0] } else { -x[0] },
            |_t, _x: &[f64], o: &mut [f64]| o[0] = 0.1,
        )
        .unwrap();
        spec.observe = vec![];
        spec.steps = 200;
        let e = run_ensemble(&sde, &spec, 1, |m, _, x| x[0] = if m == 7 { 100.0 } else { -0.5 }).unwrap_err();
        assert!(matches!(e, ThermoError::NonFinite { member: 7, .. }), "{e:?}");
    }
}
