//! Ensembles of learning replicas run in parallel (rayon) with one seed-derived RNG stream each,
//! and streaming moments of $q$ at chosen times.
//!
//! Replica $r$ uses [`member_rng`]`(seed, r)`; replicas are processed in fixed chunks and the
//! per-chunk [`Moments`] are merged in chunk order, so every number is independent of the thread
//! count. Memory is $O(R(K + \text{aux}))$ plus one small RNG state per replica (32 bytes), so
//! $10^5$ replicas of a $K = 2$ model take a few MB.

use rayon::prelude::*;

use crate::error::{NetworkError, Result};
use crate::learning::Dynamics;
use crate::moments::Moments;
use crate::rng::{FastRng, member_rng};

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
    rngs: Vec<FastRng>,
    time: usize,
}

impl Ensemble {
    /// `replicas >= 1` replicas of `dynamics`; replica $r$'s initial $q$ is set by
    /// `init(r, rng_r, q_r)` using its own stream.
    pub fn new<D: Dynamics>(
        dynamics: &D,
        replicas: usize,
        seed: u64,
        init: impl Fn(usize, &mut FastRng, &mut [f64]) + Sync,
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
        let mut q = vec![0.0; replicas * k];
        let mut rngs: Vec<FastRng> = (0..replicas).map(|r| member_rng(seed, r as u64)).collect();
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

    /// Current ensemble moments.
    pub fn moments(&self) -> Moments {
        let k = self.k;
        let parts: Vec<Moments> = self
            .q
            .par_chunks(CHUNK * k.max(1))
            .map(|c| {
                let mut m = Moments::new(k);
                c.chunks(k.max(1)).for_each(|q| m.push(q));
                m
            })
            .collect();
        let mut total = Moments::new(k);
        parts.iter().for_each(|p| total.merge(p));
        total
    }

    /// Advance every replica by `steps` steps of `dynamics` (which must have this ensemble's
    /// dimensions; hyper-parameters may differ from the construction's, e.g. under a controller).
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
        self.q
            .par_chunks_mut(k)
            .zip(self.rngs.par_iter_mut())
            .zip(aux_chunks.into_par_iter())
            .with_min_len(64)
            .for_each(|((q, rng), aux)| dynamics.advance(q, aux, rng, steps));
        self.time += steps;
        Ok(())
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
}
