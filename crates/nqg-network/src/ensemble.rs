//! Ensembles of learning replicas run in parallel (rayon) with one seed-derived RNG stream each,
//! and streaming moments of $q$ at chosen times.
//!
//! Besides ensemble moments at chosen times it offers time-averaged moments pooled over replicas
//! and trajectories ([`Ensemble::time_average`], the N-1 "long run after burn-in" estimator) and
//! the lag covariance $\langle (q(t+\ell) - \bar q)(q(t) - \bar q)^T\rangle$
//! ([`Ensemble::lag_covariance`]), whose antisymmetric part measures probability currents (N-3).
//!
//! Replica $r$ uses [`member_rng`]`(seed, r)`; replicas are processed in fixed chunks and the
//! per-chunk [`Moments`] are merged in chunk order, so every number is independent of the thread
//! count. Memory is $O(R(K + \text{aux}))$ plus one small RNG state per replica (32 bytes), so
//! $10^5$ replicas of a $K = 2$ model take a few MB.

use rayon::prelude::*;

use crate::error::{NetworkError, Result, check_size};
use crate::learning::Dynamics;
use crate::moments::{Moments, merge_in_order, push_checked};
use crate::rng::{StreamRng, member_rng};

const CHUNK: usize = 512;

/// Moments of the ensemble at the requested times.
#[derive(Debug, Clone, PartialEq)]
pub struct EnsembleRecord {
    /// Learning steps at which moments were taken.
    pub times: Vec<usize>,
    /// Ensemble moments of $q$ at each time.
    pub moments: Vec<Moments>,
}

/// An ensemble of replicas of a learning dynamics.
#[derive(Debug, Clone)]
pub struct Ensemble {
    k: usize,
    aux_dim: usize,
    seed: u64,
    q: Vec<f64>,
    aux: Vec<f64>,
    rngs: Vec<StreamRng>,
    time: usize,
}

impl Ensemble {
    /// `replicas >= 1` replicas of `dynamics`; replica $r$'s initial $q$ is set by
    /// `init(r, rng_r, q_r)` using its own stream.
    pub fn new<D: Dynamics>(
        dynamics: &D,
        replicas: usize,
        seed: u64,
        init: impl Fn(usize, &mut StreamRng, &mut [f64]) + Sync,
    ) -> Result<Self> {
        if replicas == 0 {
            return Err(NetworkError::InvalidParameter {
                name: "replicas",
                value: 0.0,
                reason: "must be >= 1",
            });
        }
        let k = dynamics.dim();
        let aux_dim = dynamics.aux_dim();
        // One generator (four words) and k + aux values per replica.
        check_size(
            "replica states (replicas × dim)",
            &[replicas, k.max(aux_dim).max(4)],
        )?;
        let mut q = vec![0.0; replicas * k];
        let mut rngs: Vec<StreamRng> = (0..replicas).map(|r| member_rng(seed, r as u64)).collect();
        q.par_chunks_mut(k.max(1))
            .zip(rngs.par_iter_mut())
            .enumerate()
            .for_each(|(r, (qr, rng))| init(r, rng, qr));
        if let Some((i, v)) = q.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(NetworkError::NonFinite {
                what: "initial replica state",
                index: i,
                value: *v,
            });
        }
        Ok(Self {
            k,
            aux_dim,
            seed,
            q,
            aux: vec![0.0; replicas * aux_dim],
            rngs,
            time: 0,
        })
    }

    /// Number of replicas.
    pub fn replicas(&self) -> usize {
        self.rngs.len()
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Steps taken so far.
    pub fn time(&self) -> usize {
        self.time
    }

    /// All replica states, replica-major ($R \times K$).
    pub fn states(&self) -> &[f64] {
        &self.q
    }

    /// Current ensemble moments. A replica whose state is not finite (left so by a run that returned
    /// [`NetworkError::Diverged`]) is not counted, so then `count() < replicas()`.
    pub fn moments(&self) -> Moments {
        let k = self.k;
        let parts: Vec<Moments> = self
            .q
            .par_chunks(CHUNK * k.max(1))
            .map(|c| {
                let mut m = Moments::new(k);
                c.chunks(k.max(1)).for_each(|q| push_checked(&mut m, q));
                m
            })
            .collect();
        merge_in_order(k, &parts)
    }

    /// Advance every replica by `steps` steps of `dynamics` (which must have this ensemble's
    /// dimensions; hyper-parameters may differ from the construction's, e.g. under a controller).
    ///
    /// # Errors
    /// [`NetworkError::ShapeMismatch`] for dynamics of another dimension; [`NetworkError::Diverged`]
    /// naming the first replica whose state is not finite after the steps (e.g. SGD at a learning rate
    /// beyond its stability limit, or a gradient that returns NaN).
    pub fn advance<D: Dynamics>(&mut self, dynamics: &D, steps: usize) -> Result<()> {
        if dynamics.dim() != self.k || dynamics.aux_dim() != self.aux_dim {
            return Err(NetworkError::ShapeMismatch {
                what: "dynamics dimension",
                expected: self.k,
                got: dynamics.dim(),
            });
        }
        let (k, a) = (self.k.max(1), self.aux_dim);
        let aux_chunks: Vec<&mut [f64]> = if a == 0 {
            (0..self.rngs.len()).map(|_| Default::default()).collect()
        } else {
            self.aux.chunks_mut(a).collect()
        };
        let first_err = self
            .q
            .par_chunks_mut(k)
            .zip(self.rngs.par_iter_mut())
            .zip(aux_chunks.into_par_iter())
            .with_min_len(64)
            .enumerate()
            .filter_map(|(r, ((q, rng), aux))| dynamics.advance(q, aux, rng, steps).err().map(|e| (r, e)))
            .min_by_key(|(r, _)| *r);
        let t0 = self.time;
        self.time += steps;
        if let Some((r, e)) = first_err {
            return Err(replica_error(r, t0, e));
        }
        self.check_finite_states()
    }

    /// A learning rate that passes validation can still make SGD diverge: report the first replica
    /// (lowest index) with a non-finite state instead of returning NaN moments as success.
    fn check_finite_states(&self) -> Result<()> {
        let k = self.k.max(1);
        match self.q.iter().position(|v| !v.is_finite()) {
            None => Ok(()),
            Some(i) => Err(NetworkError::Diverged {
                replica: i / k,
                step: self.time,
                index: i % k,
                value: self.q[i],
            }),
        }
    }

    /// Run to each time in `log_times` (increasing, relative to the current time) and record the
    /// moments there.
    pub fn run<D: Dynamics>(&mut self, dynamics: &D, log_times: &[usize]) -> Result<EnsembleRecord> {
        if log_times.windows(2).any(|w| w[1] < w[0]) {
            return Err(NetworkError::InvalidParameter {
                name: "log times",
                value: 0.0,
                reason: "must be non-decreasing",
            });
        }
        let start = self.time;
        let mut rec = EnsembleRecord {
            times: Vec::with_capacity(log_times.len()),
            moments: Vec::with_capacity(log_times.len()),
        };
        for &t in log_times {
            let target = start + t;
            self.advance(dynamics, target - self.time)?;
            rec.times.push(target);
            rec.moments.push(self.moments());
        }
        Ok(rec)
    }

    /// Advance `steps` steps, pushing every replica's state into one pooled [`Moments`] every
    /// `every` steps (per-replica accumulation in fixed chunk order, so thread-count independent).
    /// With $R$ replicas this gives $R \cdot$ `steps/every` correlated samples of the stationary law.
    ///
    /// # Errors
    /// As [`Ensemble::advance`]; [`NetworkError::InvalidParameter`] unless `1 <= every <= steps`
    /// (otherwise no sample would be taken).
    pub fn time_average<D: Dynamics>(&mut self, dynamics: &D, steps: usize, every: usize) -> Result<Moments> {
        if dynamics.dim() != self.k || dynamics.aux_dim() != self.aux_dim {
            return Err(NetworkError::ShapeMismatch {
                what: "dynamics dimension",
                expected: self.k,
                got: dynamics.dim(),
            });
        }
        if every == 0 || every > steps {
            return Err(NetworkError::InvalidParameter {
                name: "every",
                value: every as f64,
                reason: "the sampling interval must be in 1..=steps",
            });
        }
        let (k, a) = (self.k.max(1), self.aux_dim);
        let kk = self.k;
        let n_rep = self.rngs.len();
        let mut aux_store = std::mem::take(&mut self.aux);
        let aux_chunks: Vec<&mut [f64]> = if a == 0 {
            (0..n_rep).map(|_| Default::default()).collect()
        } else {
            aux_store.chunks_mut(a).collect()
        };
        let per_replica: Vec<Result<Moments>> = self
            .q
            .par_chunks_mut(k)
            .zip(self.rngs.par_iter_mut())
            .zip(aux_chunks.into_par_iter())
            .with_min_len(16)
            .map(|((q, rng), aux)| {
                let mut m = Moments::new(kk);
                let mut done = 0;
                while done + every <= steps {
                    dynamics
                        .advance(q, aux, rng, every)
                        .map_err(|e| shift_step(e, done))?;
                    done += every;
                    m.push(q)?;
                }
                dynamics
                    .advance(q, aux, rng, steps - done)
                    .map_err(|e| shift_step(e, done))?;
                Ok(m)
            })
            .collect();
        self.aux = aux_store;
        let t0 = self.time;
        self.time += steps;
        if let Some((r, e)) = per_replica
            .iter()
            .enumerate()
            .find_map(|(r, m)| m.as_ref().err().map(|e| (r, e.clone())))
        {
            return Err(replica_error(r, t0, e));
        }
        let per_replica: Vec<Moments> = per_replica.into_iter().flatten().collect();
        self.check_finite_states()?;
        Ok(merge_in_order(kk, &per_replica))
    }

    /// The lag covariance $C_{ij}(\ell) = \langle (q_i(t+\ell) - \bar q_i(t+\ell))(q_j(t) - \bar q_j(t))\rangle$
    /// over replicas ($R-1$ normalisation), advancing the ensemble by `lag` steps; row-major $K\times K$.
    ///
    /// # Errors
    /// As [`Ensemble::advance`]; [`NetworkError::InvalidParameter`] for fewer than 2 replicas (the
    /// $R - 1$ normalisation needs two).
    pub fn lag_covariance<D: Dynamics>(&mut self, dynamics: &D, lag: usize) -> Result<Vec<f64>> {
        let k = self.k;
        let r = self.rngs.len();
        if r < 2 {
            return Err(NetworkError::InvalidParameter {
                name: "replicas",
                value: r as f64,
                reason: "a lag covariance over replicas needs at least 2",
            });
        }
        let before = self.q.clone();
        let m0 = self.moments();
        self.advance(dynamics, lag)?;
        let m1 = self.moments();
        let (a, b) = (m1.mean().to_vec(), m0.mean().to_vec());
        let parts: Vec<Vec<f64>> = self
            .q
            .par_chunks(CHUNK * k.max(1))
            .zip(before.par_chunks(CHUNK * k.max(1)))
            .map(|(now, then)| {
                let mut c = vec![0.0; k * k];
                for (x, y) in now.chunks(k.max(1)).zip(then.chunks(k.max(1))) {
                    for i in 0..k {
                        for j in 0..k {
                            c[i * k + j] += (x[i] - a[i]) * (y[j] - b[j]);
                        }
                    }
                }
                c
            })
            .collect();
        let mut c = vec![0.0; k * k];
        for p in &parts {
            c.iter_mut().zip(p).for_each(|(s, v)| *s += v);
        }
        let norm = (r.max(2) - 1) as f64;
        Ok(c.iter().map(|v| v / norm).collect())
    }
}

/// Add `done` earlier steps to the step of a [`NetworkError::NonFiniteState`].
fn shift_step(e: NetworkError, done: usize) -> NetworkError {
    match e {
        NetworkError::NonFiniteState { step, index, value } => NetworkError::NonFiniteState {
            step: step + done,
            index,
            value,
        },
        other => other,
    }
}

/// Replica `replica`'s error from a call that started at ensemble time `t0`: a non-finite state is
/// [`NetworkError::Diverged`] with the ensemble time of the step; other errors pass through.
fn replica_error(replica: usize, t0: usize, e: NetworkError) -> NetworkError {
    match e {
        NetworkError::NonFiniteState { step, index, value } => NetworkError::Diverged {
            replica,
            step: t0 + step,
            index,
            value,
        },
        other => other,
    }
}
