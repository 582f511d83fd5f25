//! The Euler-Maruyama path of [`crate::ensemble::run_ensemble`]: [`LANES`] members advanced together.
//!
//! $X' = X + a\\,h + b\\,\sqrt h\\,Z$ with $Z \sim N(0,1)$ from each member's own stream. Members are
//! independent dependency chains that the CPU overlaps (a single member is latency-bound). Each
//! member still draws from its own stream in the same order, and moments are pushed in member order,
//! so the numbers equal those of a one-member-at-a-time loop; a blow-up reports the lowest failing
//! member. Noise-free components ([`Sde::is_noise_free`]) draw nothing.

use rayon::prelude::*;

use crate::ensemble::{CHUNK, EnsembleSpec, Moments, merge_all};
use crate::error::{Result, ThermoError};
use crate::rng::{StreamRng, member_rng, normal};
use crate::sde::Sde;

/// Members advanced together.
const LANES: usize = 8;

/// Steps of normals drawn ahead per lane in the scalar path.
const BLOCK: usize = 64;

/// Where a lane blew up: (step, time).
type Failed = [Option<(usize, f64)>; LANES];

/// The fixed inputs of one Euler-Maruyama ensemble.
struct Em<'a, S: ?Sized, F> {
    sde: &'a S,
    spec: &'a EnsembleSpec,
    seed: u64,
    init: &'a F,
    observe: &'a [usize],
    noisy: &'a [bool],
    d: usize,
    h: f64,
    sqrt_h: f64,
}

/// Euler-Maruyama moments of `sde` at the steps `observe` (validated by the caller), in parallel
/// chunks of [`CHUNK`] members merged in chunk order.
pub(crate) fn em_lanes<S, F>(
    sde: &S,
    spec: &EnsembleSpec,
    seed: u64,
    init: &F,
    observe: &[usize],
    noisy: &[bool],
) -> Result<Vec<Moments>>
where
    S: Sde + ?Sized,
    F: Fn(usize, &mut StreamRng, &mut [f64]) + Sync,
{
    let em = Em {
        sde,
        spec,
        seed,
        init,
        observe,
        noisy,
        d: sde.dim(),
        h: spec.dt,
        sqrt_h: spec.dt.sqrt(),
    };
    let chunks = spec.members.div_ceil(CHUNK);
    let parts: Vec<Result<Vec<Moments>>> = (0..chunks)
        .into_par_iter()
        .map(|c| em.chunk(c * CHUNK, ((c + 1) * CHUNK).min(spec.members)))
        .collect();
    let mut out: Option<Vec<Moments>> = None;
    for p in parts {
        let p = p?;
        match out.as_mut() {
            None => out = Some(p),
            Some(o) => merge_all(o, &p),
        }
    }
    out.ok_or(ThermoError::TooFewSamples { needed: 1, got: 0 })
}

impl<S, F> Em<'_, S, F>
where
    S: Sde + ?Sized,
    F: Fn(usize, &mut StreamRng, &mut [f64]) + Sync,
{
    /// Members `lo..hi`, [`LANES`] at a time.
    fn chunk(&self, lo: usize, hi: usize) -> Result<Vec<Moments>> {
        let d = self.d;
        let mut acc = vec![Moments::new(d); self.observe.len()];
        let mut x = vec![0.0; LANES * d];
        let mut ab = vec![0.0; 2 * LANES * d];
        let mut g = lo;
        while g < hi {
            let lanes = LANES.min(hi - g);
            let mut rngs: Vec<StreamRng> = (0..lanes)
                .map(|l| member_rng(self.seed, (g + l) as u64))
                .collect();
            for l in 0..lanes {
                (self.init)(g + l, &mut rngs[l], &mut x[l * d..(l + 1) * d]);
            }
            let mut failed: Failed = [None; LANES];
            let mut s = 0;
            for (k, &stop) in self.observe.iter().enumerate() {
                // Scalar fast path (d = 1, noisy, full group); the general loop finishes (nothing is
                // left for it after the fast path ran).
                if d == 1
                    && self.noisy[0]
                    && let (Ok(xa), Ok(ra)) = (
                        <&mut [f64; LANES]>::try_from(&mut x[..]),
                        <&mut [StreamRng; LANES]>::try_from(&mut rngs[..]),
                    )
                {
                    self.scalar(xa, ra, &mut failed, s, stop);
                    s = stop;
                }
                self.general(&mut x, &mut ab, &mut rngs, &mut failed, s, stop);
                s = stop;
                if failed.iter().all(|f| f.is_none()) {
                    for l in 0..lanes {
                        acc[k].push(&x[l * d..(l + 1) * d])?;
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
    }

    /// Steps `s..stop` of a full group of scalar members: normals are drawn per lane in blocks (the
    /// draws are independent of the state, so they pipeline), then the lanes advance together with
    /// no branch in the step loop (so it vectorises). Same draws, order and arithmetic as
    /// [`Em::general`]. A non-finite state is absorbing (NaN stays NaN, $\infty$ turns NaN), so a
    /// lane is checked once per block and, if it blew up, its block is replayed from the block's
    /// start to find the first non-finite step; a failed lane draws no more.
    fn scalar(
        &self,
        xa: &mut [f64; LANES],
        ra: &mut [StreamRng; LANES],
        failed: &mut Failed,
        mut s: usize,
        stop: usize,
    ) {
        let (h, sqrt_h) = (self.h, self.sqrt_h);
        let mut z = [[0.0f64; LANES]; BLOCK];
        while s < stop {
            let nb = BLOCK.min(stop - s);
            for l in 0..LANES {
                if failed[l].is_none() {
                    for zj in z[..nb].iter_mut() {
                        zj[l] = sqrt_h * normal(&mut ra[l]);
                    }
                }
            }
            let start = *xa;
            for (j, zj) in z[..nb].iter().enumerate() {
                let t = self.spec.t0 + (s + j) as f64 * h;
                for l in 0..LANES {
                    xa[l] = self.em_step(t, xa[l], zj[l]);
                }
            }
            for l in 0..LANES {
                if failed[l].is_none() && !xa[l].is_finite() {
                    failed[l] = Some(self.replay(start[l], &z[..nb], l, s));
                }
            }
            s += nb;
        }
    }

    /// One scalar Euler-Maruyama step $x + a(t, x)\\,h + b(t, x)\\,z$ ($z$ already scaled by
    /// $\sqrt h$).
    #[inline(always)]
    fn em_step(&self, t: f64, x: f64, z: f64) -> f64 {
        let (mut a, mut b) = (0.0, 0.0);
        let xl = std::slice::from_ref(&x);
        self.sde.drift(t, xl, std::slice::from_mut(&mut a));
        self.sde.diffusion(t, xl, std::slice::from_mut(&mut b));
        x + (a * self.h + b * z)
    }

    /// The first step (and its time) of lane `l`'s block from `x` at step `s` whose state is not
    /// finite.
    fn replay(&self, mut x: f64, z: &[[f64; LANES]], l: usize, s: usize) -> (usize, f64) {
        let mut last = (s, self.spec.t0 + s as f64 * self.h);
        for (j, zj) in z.iter().enumerate() {
            let t = self.spec.t0 + (s + j) as f64 * self.h;
            last = (s + j, t);
            x = self.em_step(t, x, zj[l]);
            if !x.is_finite() {
                break;
            }
        }
        last
    }

    /// Steps `s..stop` of the group's `rngs.len()` members, one lane after the other per step.
    fn general(
        &self,
        x: &mut [f64],
        ab: &mut [f64],
        rngs: &mut [StreamRng],
        failed: &mut Failed,
        mut s: usize,
        stop: usize,
    ) {
        let (d, h, sqrt_h) = (self.d, self.h, self.sqrt_h);
        let (a, b) = ab.split_at_mut(LANES * d);
        while s < stop {
            let t = self.spec.t0 + s as f64 * h;
            for (l, rng) in rngs.iter_mut().enumerate() {
                if failed[l].is_some() {
                    continue;
                }
                let r = l * d..(l + 1) * d;
                self.sde.drift(t, &x[r.clone()], &mut a[r.clone()]);
                self.sde.diffusion(t, &x[r.clone()], &mut b[r.clone()]);
                let mut ok = true;
                for (i, &noisy) in r.zip(self.noisy) {
                    if noisy {
                        x[i] += a[i] * h + b[i] * (sqrt_h * normal(rng));
                    } else {
                        x[i] += a[i] * h;
                    }
                    ok &= x[i].is_finite();
                }
                if !ok {
                    failed[l] = Some((s, t));
                }
            }
            s += 1;
        }
    }
}
