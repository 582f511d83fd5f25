//! Online SGD of lattice couplings from noisy trajectories (THEORY.md N-7, E-5).
//!
//! * Data: a *noisy* leapfrog network (process noise, the stochastic network of E-2),
//!   $\phi^{t+1} = \hat w_\text{step}(\phi^t, \phi^{t-1}) + \sigma\xi^t$, $\xi^t_s \sim N(0, 1)$ i.i.d.,
//!   from random initial data; each step gives one training pair $(x_t, x_{t+1})$ with
//!   $x_t = (\phi^t, \phi^{t-1})$ ([`noisy_leapfrog_pairs`]).
//! * Learning: single-pass SGD on the per-sample loss $h = \tfrac12|x_{t+1} - \hat w x_t|^2$ over the
//!   stored entries of a banded pattern, $w_{ij} \leftarrow w_{ij} - \gamma\\,(\hat w x_t - x_{t+1})\_i\\,x_{t,j}$,
//!   with Polyak-Ruppert tail averaging $\bar w = \frac{1}{n - n_0}\sum_{t > n_0} w_t$
//!   ([`fit_pattern_online`]). For a linear model with additive target noise of variance $\sigma^2$ the
//!   averaged iterate reaches the statistical rate $E|\bar w - w^\*|^2 = O(\sigma^2 d / n)$ (Bach and
//!   Moulines 2013), i.e. an error $\propto 1/\sqrt n$ in the number of samples $n$; the last iterate
//!   of constant-step SGD instead stalls at a noise floor $O(\sqrt{\gamma}\\,\sigma)$.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};

use crate::error::{NetworkError, Result, check_finite, check_gamma, check_len, check_non_negative};
use crate::lattice::{Leapfrog1D, Leapfrog2D};
use crate::network::Weights;

/// One training pair $(x_t, x_{t+1})$ of a leapfrog network, $x_t = (\phi^t, \phi^{t-1})$.
pub type Pair = (Vec<f64>, Vec<f64>);

/// A trajectory of the noisy leapfrog network (THEORY.md E-2, E-5) as `steps` training pairs.
///
/// Initial data $\phi^0_s \sim U(-\tfrac12, \tfrac12)$, $\phi^{-1}\_s = \phi^0_s + 0.1\\,U(-\tfrac12, \tfrac12)$;
/// then $\phi^{t+1} = (2 - 2C_s^2 - \mu^2)\phi^t_s + C_s^2(\phi^t_{s+1} + \phi^t_{s-1}) - \phi^{t-1}\_s + \sigma\xi^t_s$
/// with $\xi \sim N(0, 1)$. `noise` $= \sigma \ge 0$ ($\sigma = 0$: the deterministic network).
///
/// # Errors
/// [`NetworkError::InvalidParameter`] for a negative or non-finite `noise`.
pub fn noisy_leapfrog_pairs<R: Rng + ?Sized>(
    net: &Leapfrog1D,
    steps: usize,
    noise: f64,
    rng: &mut R,
) -> Result<Vec<Pair>> {
    check_non_negative("process noise sigma", noise)?;
    let l = net.len();
    let mut cur: Vec<f64> = (0..l).map(|_| rng.random::<f64>() - 0.5).collect();
    let mut prev: Vec<f64> = cur
        .iter()
        .map(|v| v + 0.1 * (rng.random::<f64>() - 0.5))
        .collect();
    let mut out = Vec::with_capacity(steps);
    for _ in 0..steps {
        let x: Vec<f64> = cur.iter().chain(&prev).copied().collect();
        net.step(&cur, &mut prev)?;
        for v in prev.iter_mut() {
            let xi: f64 = StandardNormal.sample(rng);
            *v += noise * xi;
        }
        std::mem::swap(&mut cur, &mut prev);
        let y: Vec<f64> = cur.iter().chain(&prev).copied().collect();
        out.push((x, y));
    }
    Ok(out)
}

/// A trajectory of the noisy 2D leapfrog network (THEORY.md E-5, the lens) as `steps` training pairs
/// $x_t = (\phi^t, \phi^{t-1})$ (row-major fields): initial data as [`noisy_leapfrog_pairs`], then each
/// step of [`Leapfrog2D::step`] plus $\sigma\xi$ on every site.
///
/// # Errors
/// [`NetworkError::InvalidParameter`] for a negative or non-finite `noise`.
pub fn noisy_leapfrog2d_pairs<R: Rng + ?Sized>(
    net: &Leapfrog2D,
    steps: usize,
    noise: f64,
    rng: &mut R,
) -> Result<Vec<Pair>> {
    check_non_negative("process noise sigma", noise)?;
    let (nx, ny) = net.shape();
    let n = nx * ny;
    let mut cur: Vec<f64> = (0..n).map(|_| rng.random::<f64>() - 0.5).collect();
    let mut prev: Vec<f64> = cur
        .iter()
        .map(|v| v + 0.1 * (rng.random::<f64>() - 0.5))
        .collect();
    let mut out = Vec::with_capacity(steps);
    for _ in 0..steps {
        let x: Vec<f64> = cur.iter().chain(&prev).copied().collect();
        net.step(&cur, &mut prev)?;
        for v in prev.iter_mut() {
            let xi: f64 = StandardNormal.sample(rng);
            *v += noise * xi;
        }
        std::mem::swap(&mut cur, &mut prev);
        let y: Vec<f64> = cur.iter().chain(&prev).copied().collect();
        out.push((x, y));
    }
    Ok(out)
}

/// The banded $\hat w$ of the 2D leapfrog on $x = (\phi^t, \phi^{t-1})$ ($2n_xn_y$ neurons, periodic
/// 5-point Laplacian): row $s$ holds $2 - 4C_s^2 - \mu^2$ on the diagonal, $C_s^2$ on the four
/// neighbours, $-1$ on $\phi^{t-1}\_s$; row $n_xn_y + s$ copies $\phi^t_s$. The pattern learned in E-5.
///
/// # Errors
/// [`NetworkError::InvalidParameter`] for a grid below 3×3; [`NetworkError::ShapeMismatch`] unless
/// `courant.len() == nx * ny`; non-finite values.
pub fn leapfrog2d_weights(nx: usize, ny: usize, courant: &[f64], mass_dt: f64) -> Result<Weights> {
    if nx < 3 || ny < 3 {
        return Err(NetworkError::InvalidParameter {
            name: "grid size",
            value: nx.min(ny) as f64,
            reason: "need nx, ny >= 3",
        });
    }
    check_len("Courant field (nx*ny)", nx * ny, courant.len())?;
    check_finite("Courant field", courant)?;
    check_non_negative("mass*dt", mass_dt)?;
    let n = nx * ny;
    let mut t = Vec::with_capacity(7 * n);
    for y in 0..ny {
        for x in 0..nx {
            let s = y * nx + x;
            let c2 = courant[s] * courant[s];
            t.push((s, s, 2.0 - 4.0 * c2 - mass_dt * mass_dt));
            t.push((s, y * nx + (x + nx - 1) % nx, c2));
            t.push((s, y * nx + (x + 1) % nx, c2));
            t.push((s, ((y + ny - 1) % ny) * nx + x, c2));
            t.push((s, ((y + 1) % ny) * nx + x, c2));
            t.push((s, n + s, -1.0));
            t.push((n + s, s, 1.0));
        }
    }
    Weights::sparse(2 * n, &t)
}

/// The Courant field $C_s = \sqrt{\tfrac14\sum_\text{nbrs} w_{s,\text{nbr}}}$ read from the $\phi$-rows of a
/// (learned) 2D leapfrog network of $2n_xn_y$ neurons (negative means clamp to 0).
///
/// # Errors
/// [`NetworkError::ShapeMismatch`] unless the network has $2n_xn_y$ neurons.
pub fn courant_from_couplings_2d(w: &Weights, nx: usize, ny: usize) -> Result<Vec<f64>> {
    check_len("2D leapfrog network (2 nx ny neurons)", 2 * nx * ny, w.n())?;
    Ok((0..ny)
        .flat_map(|y| (0..nx).map(move |x| (x, y)))
        .map(|(x, y)| {
            let s = y * nx + x;
            let c2 = 0.25
                * (w.get(s, y * nx + (x + nx - 1) % nx)
                    + w.get(s, y * nx + (x + 1) % nx)
                    + w.get(s, ((y + ny - 1) % ny) * nx + x)
                    + w.get(s, ((y + 1) % ny) * nx + x));
            c2.max(0.0).sqrt()
        })
        .collect())
}

/// The result of [`fit_pattern_online`].
#[derive(Debug, Clone, PartialEq)]
pub struct OnlineFit {
    /// The last SGD iterate $w_n$.
    pub last: Weights,
    /// The Polyak-Ruppert tail average $\bar w$ over steps after `average_from`.
    pub averaged: Weights,
    /// Samples consumed $n$.
    pub samples: usize,
}

/// Single-pass online SGD with tail averaging on the stored entries of `start` (its values are the
/// initial weights): for each pair $(x, x')$ in order,
/// $w_{ij} \leftarrow w_{ij} - \gamma\\,(\hat w x - x')\_i\\,x_j$; the average runs over the iterates after
/// the first `average_from` samples (THEORY.md N-7, E-5; see the module docs for the $1/\sqrt n$ rate).
///
/// # Errors
/// [`NetworkError::InvalidLearningRate`] for a bad `gamma`; [`NetworkError::ShapeMismatch`] for a pair
/// of the wrong length; [`NetworkError::NonFinite`] for non-finite data or a diverging iterate (step
/// too large); [`NetworkError::InvalidParameter`] if no sample lies after `average_from`.
pub fn fit_pattern_online<X: AsRef<[f64]>>(
    start: &Weights,
    pairs: impl IntoIterator<Item = (X, X)>,
    gamma: f64,
    average_from: usize,
) -> Result<OnlineFit> {
    check_gamma(gamma)?;
    let n = start.n();
    let entries = start.entries();
    let mut vals = start.values().to_vec();
    let mut sum = vec![0.0; vals.len()];
    let mut averaged_count = 0usize;
    let mut y = vec![0.0; n];
    let mut samples = 0usize;
    for (x, xn) in pairs {
        let (x, xn) = (x.as_ref(), xn.as_ref());
        check_len("training input", n, x.len())?;
        check_len("training target", n, xn.len())?;
        check_finite("training input", x)?;
        check_finite("training target", xn)?;
        y.iter_mut().for_each(|v| *v = 0.0);
        for (k, &(i, j)) in entries.iter().enumerate() {
            y[i] += vals[k] * x[j];
        }
        for (yi, ti) in y.iter_mut().zip(xn) {
            *yi -= ti;
        }
        for (k, &(i, j)) in entries.iter().enumerate() {
            vals[k] -= gamma * y[i] * x[j];
        }
        samples += 1;
        if samples > average_from {
            for (s, v) in sum.iter_mut().zip(&vals) {
                *s += v;
            }
            averaged_count += 1;
        }
    }
    check_finite("SGD iterate (step too large?)", &vals)?;
    if averaged_count == 0 {
        return Err(NetworkError::InvalidParameter {
            name: "samples after average_from",
            value: samples as f64,
            reason: "need at least one sample after the averaging start",
        });
    }
    let mut last = start.clone();
    last.set_values(&vals)?;
    let mut averaged = start.clone();
    let avg: Vec<f64> = sum.iter().map(|s| s / averaged_count as f64).collect();
    averaged.set_values(&avg)?;
    Ok(OnlineFit {
        last,
        averaged,
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::speed_from_couplings;
    use crate::rng::member_rng;

    fn planted(l: usize) -> Vec<f64> {
        (0..l)
            .map(|s| 1.0 + 0.3 * (2.0 * std::f64::consts::PI * s as f64 / l as f64).sin())
            .collect()
    }

    fn rms_rel(a: &[f64], b: &[f64]) -> f64 {
        (a.iter().zip(b).map(|(x, y)| ((x - y) / y).powi(2)).sum::<f64>() / a.len() as f64).sqrt()
    }

    /// Learn c(s) from `trajectories` noisy trajectories; returns the rms relative error.
    fn learn(trajectories: usize, noise: f64, seed: u64) -> f64 {
        let l = 16;
        let c = planted(l);
        let dt = 0.9 / 1.3;
        let truth = Leapfrog1D::from_speed(&c, dt, 1.0, 0.0).unwrap();
        let start = Leapfrog1D::from_speed(&vec![1.0; l], dt, 1.0, 0.0)
            .unwrap()
            .to_network()
            .unwrap()
            .weights()
            .clone();
        let mut rng = member_rng(seed, 0);
        let mut pairs = Vec::new();
        for _ in 0..trajectories {
            pairs.extend(noisy_leapfrog_pairs(&truth, 16, noise, &mut rng).unwrap());
        }
        let n = pairs.len();
        let fit = fit_pattern_online(&start, pairs, 0.2, n / 2).unwrap();
        let w = if noise == 0.0 { &fit.last } else { &fit.averaged };
        rms_rel(&speed_from_couplings(w, dt, 1.0).unwrap(), &c)
    }

    #[test]
    fn noise_free_sgd_recovers_the_planted_speed() {
        // Without noise the minimiser is the planted network and SGD converges to it.
        let err = learn(1024, 0.0, 1);
        assert!(err < 1e-6, "error {err}");
    }

    #[test]
    fn error_falls_as_one_over_root_n() {
        // Mean over replicas at n and 16 n trajectories: the ratio is 4 for a 1/sqrt(n) law.
        let reps = 8;
        let mean = |m: usize| (0..reps).map(|r| learn(m, 0.01, 100 + r)).sum::<f64>() / reps as f64;
        let (e1, e2) = (mean(512), mean(8192));
        let slope = (e1 / e2).ln() / 16f64.ln();
        assert!((slope - 0.5).abs() < 0.15, "slope {slope} (errors {e1}, {e2})");
    }

    #[test]
    fn two_d_pattern_reproduces_the_step_and_sgd_recovers_it() {
        let (nx, ny) = (6, 5);
        let c: Vec<f64> = (0..nx * ny).map(|i| 0.3 + 0.01 * i as f64).collect();
        let net = Leapfrog2D::new(nx, ny, &c, 0.0).unwrap();
        let w = leapfrog2d_weights(nx, ny, &c, 0.0).unwrap();
        let mut rng = member_rng(3, 0);
        let pairs = noisy_leapfrog2d_pairs(&net, 8, 0.0, &mut rng).unwrap();
        let mut y = vec![0.0; 2 * nx * ny];
        for (x, xn) in &pairs {
            w.apply(x, &mut y).unwrap();
            let err = y.iter().zip(xn).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
            assert!(err < 1e-14, "{err}");
        }
        let back = courant_from_couplings_2d(&w, nx, ny).unwrap();
        assert!(back.iter().zip(&c).all(|(a, b)| (a - b).abs() < 1e-15));
        // Noise-free SGD from a flat start recovers the field.
        let start = leapfrog2d_weights(nx, ny, &vec![0.4; nx * ny], 0.0).unwrap();
        let mut all = Vec::new();
        for _ in 0..512 {
            all.extend(noisy_leapfrog2d_pairs(&net, 16, 0.0, &mut rng).unwrap());
        }
        let fit = fit_pattern_online(&start, all, 0.2, 0).unwrap();
        let learned = courant_from_couplings_2d(&fit.last, nx, ny).unwrap();
        let err = learned
            .iter()
            .zip(&c)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(err < 1e-5, "{err}");
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        let truth = Leapfrog1D::new(&[0.5; 8], 0.0).unwrap();
        let mut rng = member_rng(0, 0);
        assert!(noisy_leapfrog_pairs(&truth, 4, -1.0, &mut rng).is_err());
        let w = truth.to_network().unwrap().weights().clone();
        let pairs = noisy_leapfrog_pairs(&truth, 4, 0.0, &mut rng).unwrap();
        assert!(matches!(
            fit_pattern_online(&w, pairs.clone(), 0.0, 0),
            Err(NetworkError::InvalidLearningRate(_))
        ));
        assert!(fit_pattern_online(&w, pairs, 0.1, 10).is_err());
    }
}
