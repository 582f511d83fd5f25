//! SGD on the trainable variables of a [`Network`] (N2.3):
//! $q(t+1) = q(t) - \tfrac{\gamma}{M}\sum_{m=1}^{M} \partial H(x^{(m)}, q)/\partial q$
//! (with optional momentum as in [`crate::learning`]), where the states $x^{(m)}$ are drawn either
//! from a finite set of states (with or without replacement) or from a user sampler, e.g. exact
//! samples of $p(x|q)$ ([`crate::fast_slow::GaussianEnsemble::sample`]) or MALA
//! ([`crate::sampler::mala`]), which realises the fast/slow loop of N2.4-N2.5.

use rand::RngExt;

use crate::error::{NetworkError, Result, check_len};
use crate::learning::{Sampling, SgdConfig};
use crate::network::{Activation, Loss, Network};
use crate::rng::{StreamRng, member_rng};

/// Per-step record of network training.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainRecord {
    /// Mini-batch mean loss $\frac1M\sum_m H(x^{(m)}, q)$ before each step.
    pub batch_loss: Vec<f64>,
}

fn validate(cfg: &SgdConfig, max: usize) -> Result<()> {
    cfg.validate(Some(max))
}

/// One SGD step of `net` on the mini-batch `batch` of states; returns the batch-mean loss before
/// the step. Errors (and leaves `net` unchanged) if the step would produce non-finite weights.
pub fn sgd_step<A: Activation + Clone, L: Loss>(
    net: &mut Network<A>,
    loss: &L,
    batch: &[&[f64]],
    gamma: f64,
    momentum: f64,
    velocity: &mut [f64],
) -> Result<f64> {
    crate::error::check_gamma(gamma)?;
    if batch.is_empty() {
        return Err(NetworkError::InvalidBatchSize {
            batch: 0,
            max: usize::MAX,
        });
    }
    let k = net.num_params();
    check_len("velocity", k, velocity.len())?;
    let inv_m = 1.0 / batch.len() as f64;
    let mut g = vec![0.0; k];
    let mut mean_loss = 0.0;
    for x in batch {
        mean_loss += net.loss(loss, x)? * inv_m;
        let (_, gq) = net.gradients(loss, x)?;
        g.iter_mut().zip(&gq).for_each(|(a, b)| *a += b * inv_m);
    }
    let mut q = net.params();
    let mut v = velocity.to_vec();
    for i in 0..k {
        v[i] = momentum * v[i] + g[i];
        q[i] -= gamma * v[i];
    }
    net.set_params(&q)?;
    velocity.copy_from_slice(&v);
    Ok(mean_loss)
}

/// Train `net` for `steps` SGD steps on a finite set of states (mini-batches drawn per `config`,
/// $1 \le M \le$ `states.len()`), with a seed-derived stream.
pub fn train_on_states<A: Activation + Clone, L: Loss>(
    net: &mut Network<A>,
    loss: &L,
    states: &[Vec<f64>],
    config: SgdConfig,
    steps: usize,
    seed: u64,
) -> Result<TrainRecord> {
    validate(&config, states.len())?;
    for s in states {
        check_len("state vector x", net.n(), s.len())?;
    }
    let mut rng = member_rng(seed, 0);
    let n = states.len();
    let m = config.batch();
    let mut velocity = vec![0.0; net.num_params()];
    let mut rec = TrainRecord {
        batch_loss: Vec::with_capacity(steps),
    };
    let mut idx: Vec<usize> = Vec::with_capacity(m);
    for _ in 0..steps {
        idx.clear();
        match config.sampling() {
            Sampling::WithReplacement => idx.extend((0..m).map(|_| rng.random_range(0..n))),
            Sampling::WithoutReplacement => {
                for j in n - m..n {
                    let t = rng.random_range(0..=j);
                    idx.push(if idx.contains(&t) { j } else { t });
                }
            }
        }
        let batch: Vec<&[f64]> = idx.iter().map(|&i| states[i].as_slice()).collect();
        rec.batch_loss.push(sgd_step(
            net,
            loss,
            &batch,
            config.gamma(),
            config.momentum(),
            &mut velocity,
        )?);
    }
    Ok(rec)
}

/// Train `net` for `steps` SGD steps with states drawn by `sample(net, rng)` at the current
/// parameters (the fast/slow loop: $x^{(m)} \sim p(x|q(t))$).
pub fn train_with_sampler<A: Activation + Clone, L: Loss>(
    net: &mut Network<A>,
    loss: &L,
    mut sample: impl FnMut(&Network<A>, &mut StreamRng) -> Result<Vec<f64>>,
    config: SgdConfig,
    steps: usize,
    seed: u64,
) -> Result<TrainRecord> {
    validate(&config, usize::MAX)?;
    let mut rng = member_rng(seed, 0);
    let mut velocity = vec![0.0; net.num_params()];
    let mut rec = TrainRecord {
        batch_loss: Vec::with_capacity(steps),
    };
    for _ in 0..steps {
        let xs: Vec<Vec<f64>> = (0..config.batch())
            .map(|_| sample(net, &mut rng))
            .collect::<Result<_>>()?;
        let batch: Vec<&[f64]> = xs.iter().map(|v| v.as_slice()).collect();
        rec.batch_loss.push(sgd_step(
            net,
            loss,
            &batch,
            config.gamma(),
            config.momentum(),
            &mut velocity,
        )?);
    }
    Ok(rec)
}
