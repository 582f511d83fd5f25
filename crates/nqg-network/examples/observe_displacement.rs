//! Displacement statistics of a Langevin learner through [`Ensemble::observe`], against the exact
//! discrete-time closed form.
//!
//! The learner $dq = -\gamma a q\\,dt + \sqrt{2D}\\,dW$ (Euler-Maruyama, $\rho = 1 - \gamma a\\,dt$)
//! from $q_0 \sim N(0, s_0^2)$ has
//! $\mathrm{Var}(q_t - q_0) = (1 - \rho^t)^2 s_0^2 + 2D\\,dt\\,(1 - \rho^{2t})/(1 - \rho^2)$ and
//! $\langle q_t q_0\rangle = \rho^t s_0^2$.
//!
//! Run: `cargo run --release -p nqg-network --example observe_displacement`

use std::sync::Arc;

use nqg_network::ensemble::Ensemble;
use nqg_network::learning::{GradFn, Langevin};
use nqg_network::moments::MomentsExt;
use nqg_network::observe::Observable;
use rand_distr::{Distribution, StandardNormal};

fn main() -> Result<(), nqg_network::NetworkError> {
    let (a, gamma, d, dt, s0) = (1.0, 1.0, 0.5, 0.05, 1.0);
    let rho: f64 = 1.0 - gamma * a * dt;
    let grad: GradFn = Arc::new(move |q: &[f64], g: &mut [f64]| g[0] = a * q[0]);
    let learner = Langevin::new(1, grad, gamma, &[d], dt)?;
    let replicas = 100_000;
    let mut ens = Ensemble::new(&learner, replicas, 2026, |_, rng, q| {
        let z: f64 = StandardNormal.sample(rng);
        q[0] = s0 * z;
    })?;
    let times = [1, 10, 100, 1000];
    let rec = ens.observe(
        &learner,
        &times,
        &[Observable::displacement(1)?, Observable::overlap()],
    )?;
    println!("{replicas} replicas, rho = {rho}");
    println!("     t | Var(q_t - q_0) measured ± se | exact     | <q_t q_0> measured ± se | exact");
    for (j, &t) in times.iter().enumerate() {
        let rt = rho.powi(t as i32);
        let var = (1.0 - rt).powi(2) * s0 * s0 + 2.0 * d * dt * (1.0 - rt * rt) / (1.0 - rho * rho);
        let disp = rec
            .moments(0, j)
            .ok_or(nqg_network::NetworkError::Unsupported("no record"))?;
        let ov = rec
            .moments(1, j)
            .ok_or(nqg_network::NetworkError::Unsupported("no record"))?;
        println!(
            "{t:>6} | {:.5} ± {:.5}            | {var:.5}   | {:+.5} ± {:.5}       | {:+.5}",
            disp.covariance_matrix()[(0, 0)],
            disp.covariance_std_err()[(0, 0)],
            ov.mean()[0],
            ov.mean_std_err()[0],
            rt * s0 * s0
        );
    }
    Ok(())
}
