//! Parallel ensembles with one seed-derived RNG stream per member and streaming moments.
//!
//! Member $i$ draws from [`member_rng`]`(seed, i)`. Members are processed in fixed chunks of
//! [`CHUNK`] and chunk results are merged in chunk order, so every number is independent of the
//! thread count. Moments stream with Welford's update $\mu \leftarrow \mu + \delta/n$,
//! $M_2 \leftarrow M_2 + \delta (x - \mu)^\top$ and Chan's merge
//! $M_2 = M_2^a + M_2^b + \delta\delta^\top n_a n_b / n$, so $10^6$ members need no trajectory storage.

use rayon::prelude::*;

use crate::error::{Result, ThermoError, check_dt, check_len, check_size};
use crate::rng::{MemberRng, member_rng, normal};
use crate::sde::{Scheme, Sde, Workspace, draw_increments_scaled, step_raw};

/// Members per chunk (the unit of parallel work and of the deterministic merge order).
pub const CHUNK: usize = 1024;

/// Streaming mean and covariance of $d$-dimensional samples (Welford / Chan).
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    n: u64,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Moments {
    /// Empty accumulator for dimension `d` (it holds $d + d^2$ numbers).
    ///
    /// # Errors
    /// [`ThermoError::TooLarge`] if $d^2$ overflows or exceeds [`crate::error::MAX_ELEMENTS`].
    pub fn new(d: usize) -> Result<Self> {
        check_size("moments (d²)", &[d, d])?;
        Ok(Self::with_dim(d))
    }
    /// [`Moments::new`] for a dimension already checked against the budget.
    pub(crate) fn with_dim(d: usize) -> Self {
        Self {
            n: 0,
            mean: vec![0.0; d],
            m2: vec![0.0; d * d],
        }
    }
    /// Dimension.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }
    /// Add one sample.
    ///
    /// # Errors
    /// [`ThermoError::DimensionMismatch`] if `x` does not have the accumulator's dimension,
    /// [`ThermoError::NonFiniteValue`] for a non-finite component (the moments are then unchanged).
    pub fn push(&mut self, x: &[f64]) -> Result<()> {
        check_len("sample", self.mean.len(), x.len())?;
        crate::error::check_all_finite("sample", x)?;
        self.push_unchecked(x);
        Ok(())
    }

    /// Add one sample of the right length (internal hot path).
    #[inline]
    pub(crate) fn push_unchecked(&mut self, x: &[f64]) {
        let d = self.mean.len();
        self.n += 1;
        let inv = 1.0 / self.n as f64;
        if d == 1 {
            let delta = x[0] - self.mean[0];
            self.mean[0] += delta * inv;
            self.m2[0] += delta * (x[0] - self.mean[0]);
            return;
        }
        let mut delta = [0.0; 8];
        let mut dv = if d > 8 { vec![0.0; d] } else { Vec::new() };
        let del: &mut [f64] = if d > 8 { &mut dv } else { &mut delta[..d] };
        for i in 0..d {
            del[i] = x[i] - self.mean[i];
            self.mean[i] += del[i] * inv;
        }
        for i in 0..d {
            for j in 0..d {
                self.m2[i * d + j] += del[i] * (x[j] - self.mean[j]);
            }
        }
    }
    /// Merge another accumulator (Chan et al.).
    ///
    /// # Errors
    /// [`ThermoError::DimensionMismatch`] if the dimensions differ.
    pub fn merge(&mut self, o: &Moments) -> Result<()> {
        check_len("merged moments", self.mean.len(), o.mean.len())?;
        self.merge_same(o);
        Ok(())
    }

    /// Merge an accumulator of the same dimension (internal).
    pub(crate) fn merge_same(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o.clone();
            return;
        }
        let d = self.mean.len();
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = na + nb;
        let delta: Vec<f64> = (0..d).map(|i| o.mean[i] - self.mean[i]).collect();
        for i in 0..d {
            for j in 0..d {
                self.m2[i * d + j] += o.m2[i * d + j] + delta[i] * delta[j] * na * nb / n;
            }
        }
        for i in 0..d {
            self.mean[i] += delta[i] * nb / n;
        }
        self.n += o.n;
    }
    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.n
    }
    /// Sample mean.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }
    /// Unbiased sample covariance (row-major $d\times d$); zeros if fewer than two samples.
    pub fn covariance(&self) -> Vec<f64> {
        if self.n < 2 {
            return vec![0.0; self.m2.len()];
        }
        self.m2.iter().map(|v| v / (self.n - 1) as f64).collect()
    }
    /// Standard error of the mean of component `i` (NaN if `i` is out of range).
    pub fn sem(&self, i: usize) -> f64 {
        let d = self.dim();
        if i >= d {
            return f64::NAN;
        }
        (self.covariance()[i * d + i] / self.n as f64).sqrt()
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
    F: Fn(usize, &mut MemberRng, &mut A) -> Result<()> + Sync,
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
///
/// # Errors
/// `dt <= 0`, empty ensemble, scheme not applicable, an observation index out of range,
/// [`ThermoError::TooLarge`] beyond the member or work budgets ([`crate::error::MAX_WORK`]), or
/// [`ThermoError::NonFinite`] naming the first member (lowest index) and step that blew up.
pub fn run_ensemble<S, F>(sde: &S, spec: &EnsembleSpec, seed: u64, init: F) -> Result<EnsembleStats>
where
    S: Sde + ?Sized,
    F: Fn(usize, &mut MemberRng, &mut [f64]) + Sync,
{
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
    let nobs = observe.len();
    check_size("ensemble moments (observations × dim²)", &[nobs, d, d])?;
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
    let want = spec.scheme.needs_i10();
    let h = spec.dt;
    let sqrt_h = h.sqrt();
    if spec.scheme == Scheme::EulerMaruyama {
        let moments = em_lanes(sde, spec, seed, &init, &observe, d)?;
        let times = observe.iter().map(|&o| spec.t0 + o as f64 * h).collect();
        return Ok(EnsembleStats { times, moments });
    }
    let moments = par_members(
        spec.members,
        seed,
        || {
            (
                vec![Moments::with_dim(d); nobs],
                Workspace::new(d),
                vec![0.0; 3 * d],
            )
        },
        |m, rng, (acc, ws, buf)| {
            let (x, rest) = buf.split_at_mut(d);
            let (dw, i10) = rest.split_at_mut(d);
            init(m, rng, x);
            check_len("initial state", d, x.len())?;
            let mut k = 0;
            let mut s = 0;
            while s < spec.steps {
                // Run to the next observation (or the end) without per-step bookkeeping.
                let stop = if k < nobs { observe[k] } else { spec.steps };
                {
                    while s < stop {
                        let t = spec.t0 + s as f64 * h;
                        draw_increments_scaled(rng, h, sqrt_h, want, dw, i10);
                        if !step_raw(spec.scheme, sde, t, h, x, dw, i10, ws) {
                            return Err(ThermoError::NonFinite {
                                member: m,
                                step: s,
                                t,
                            });
                        }
                        s += 1;
                    }
                }
                if k < nobs {
                    acc[k].push_unchecked(x);
                    k += 1;
                }
            }
            Ok(())
        },
        |a, b| {
            for (x, y) in a.0.iter_mut().zip(&b.0) {
                x.merge_same(y);
            }
        },
    )?
    .0;
    let times = observe.iter().map(|&o| spec.t0 + o as f64 * h).collect();
    Ok(EnsembleStats { times, moments })
}

/// Members advanced together by the Euler-Maruyama path: independent dependency chains that the CPU
/// overlaps (a single member is latency-bound).
const LANES: usize = 8;

/// Steps of normals drawn ahead per lane in the scalar Euler-Maruyama path.
const BLOCK: usize = 64;

/// Euler-Maruyama ensemble, [`LANES`] members at a time. Each member still draws from its own stream
/// in the same order, and moments are pushed in member order, so the numbers equal those of the
/// one-member-at-a-time loop; a blow-up reports the lowest failing member.
fn em_lanes<S, F>(
    sde: &S,
    spec: &EnsembleSpec,
    seed: u64,
    init: &F,
    observe: &[usize],
    d: usize,
) -> Result<Vec<Moments>>
where
    S: Sde + ?Sized,
    F: Fn(usize, &mut MemberRng, &mut [f64]) + Sync,
{
    let h = spec.dt;
    let sqrt_h = h.sqrt();
    let nobs = observe.len();
    let chunks = spec.members.div_ceil(CHUNK);
    let parts: Vec<Result<Vec<Moments>>> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut acc = vec![Moments::with_dim(d); nobs];
            let (lo, hi) = (c * CHUNK, ((c + 1) * CHUNK).min(spec.members));
            let mut x = vec![0.0; LANES * d];
            let mut a = vec![0.0; LANES * d];
            let mut b = vec![0.0; LANES * d];
            let mut g = lo;
            while g < hi {
                let lanes = LANES.min(hi - g);
                let mut rngs: Vec<MemberRng> = (0..lanes).map(|l| member_rng(seed, (g + l) as u64)).collect();
                for l in 0..lanes {
                    init(g + l, &mut rngs[l], &mut x[l * d..(l + 1) * d]);
                }
                let mut failed: [Option<(usize, f64)>; LANES] = [None; LANES];
                let mut s = 0;
                for (k, &stop) in observe.iter().enumerate() {
                    // Scalar fast path (d = 1, full group): normals are drawn per lane in blocks (the
                    // draws are independent of the state, so they pipeline), then the lanes advance
                    // together. Same draws, order and arithmetic as the general loop below; failed
                    // lanes stop drawing and stepping exactly as there.
                    if d == 1
                        && let (Ok(xa), Ok(ra)) = (
                            <&mut [f64; LANES]>::try_from(&mut x[..]),
                            <&mut [MemberRng; LANES]>::try_from(&mut rngs[..]),
                        )
                    {
                        let mut z = [[0.0f64; BLOCK]; LANES];
                        while s < stop {
                            let nb = BLOCK.min(stop - s);
                            for l in 0..LANES {
                                if failed[l].is_none() {
                                    for zj in z[l][..nb].iter_mut() {
                                        *zj = sqrt_h * normal(&mut ra[l]);
                                    }
                                }
                            }
                            for j in 0..nb {
                                let t = spec.t0 + (s + j) as f64 * h;
                                for l in 0..LANES {
                                    if failed[l].is_some() {
                                        continue;
                                    }
                                    let (mut al, mut bl) = (0.0, 0.0);
                                    sde.drift(t, std::slice::from_ref(&xa[l]), std::slice::from_mut(&mut al));
                                    sde.diffusion(
                                        t,
                                        std::slice::from_ref(&xa[l]),
                                        std::slice::from_mut(&mut bl),
                                    );
                                    xa[l] += al * h + bl * z[l][j];
                                    if !xa[l].is_finite() {
                                        failed[l] = Some((s + j, t));
                                    }
                                }
                            }
                            s += nb;
                        }
                    }
                    while s < stop {
                        let t = spec.t0 + s as f64 * h;
                        for l in 0..lanes {
                            if failed[l].is_some() {
                                continue;
                            }
                            let r = l * d..(l + 1) * d;
                            sde.drift(t, &x[r.clone()], &mut a[r.clone()]);
                            sde.diffusion(t, &x[r.clone()], &mut b[r.clone()]);
                            let mut ok = true;
                            for i in r {
                                x[i] += a[i] * h + b[i] * (sqrt_h * normal(&mut rngs[l]));
                                ok &= x[i].is_finite();
                            }
                            if !ok {
                                failed[l] = Some((s, t));
                            }
                        }
                        s += 1;
                    }
                    if failed.iter().all(|f| f.is_none()) {
                        for l in 0..lanes {
                            acc[k].push_unchecked(&x[l * d..(l + 1) * d]);
                        }
                    }
                }
                if let Some(l) = (0..lanes).find(|&l| failed[l].is_some()) {
                    let (step, t) = failed[l].unwrap_or((0, 0.0));
                    return Err(ThermoError::NonFinite {
                        member: g + l,
                        step,
                        t,
                    });
                }
                g += lanes;
            }
            Ok(acc)
        })
        .collect();
    let mut out: Option<Vec<Moments>> = None;
    for p in parts {
        let p = p?;
        match out.as_mut() {
            None => out = Some(p),
            Some(o) => o.iter_mut().zip(&p).for_each(|(x, y)| x.merge_same(y)),
        }
    }
    out.ok_or(ThermoError::TooFewSamples { needed: 1, got: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sde::LinearOu;

    #[test]
    fn welford_matches_two_pass_and_merge_is_exact() {
        let xs: Vec<[f64; 2]> = (0..1000)
            .map(|i| [(i as f64).sin() * 3.0 + 1.0, (i as f64 * 0.37).cos()])
            .collect();
        assert!(Moments::with_dim(2).push(&[1.0]).is_err());
        let mut all = Moments::with_dim(2);
        let (mut a, mut b) = (Moments::with_dim(2), Moments::with_dim(2));
        for (i, x) in xs.iter().enumerate() {
            all.push(x).unwrap();
            if i < 377 {
                a.push(x).unwrap()
            } else {
                b.push(x).unwrap()
            }
        }
        a.merge(&b).unwrap();
        assert!(a.merge(&Moments::with_dim(3)).is_err());
        assert!(a.sem(5).is_nan());
        let n = xs.len() as f64;
        let m0 = xs.iter().map(|x| x[0]).sum::<f64>() / n;
        let m1 = xs.iter().map(|x| x[1]).sum::<f64>() / n;
        let c01 = xs.iter().map(|x| (x[0] - m0) * (x[1] - m1)).sum::<f64>() / (n - 1.0);
        // Both are exact algorithms in real arithmetic: only round-off (1e-13) separates them.
        assert!((all.mean()[0] - m0).abs() < 1e-13 && (a.mean()[1] - m1).abs() < 1e-13);
        assert!((all.covariance()[1] - c01).abs() < 1e-13 && (a.covariance()[2] - c01).abs() < 1e-13);
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
        let (mut m50, mut m137) = (Moments::with_dim(1), Moments::with_dim(1));
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
