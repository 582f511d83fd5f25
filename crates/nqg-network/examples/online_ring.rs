//! Learn the couplings of a Klein-Gordon leapfrog ring by online SGD from noisy observations
//! (THEORY.md E-2): the learned lag-two coupling, c² of the measured dispersion and the learning
//! contraction, for a few observation-noise levels.
//!
//! `cargo run --release -p nqg-network --example online_ring [corr_len gamma trajectories]`

use nqg_network::online::{
    OnlineRingSgd, RingCouplings, fit_leapfrog_dispersion, measure_ring_dispersion, smooth_random_field,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<f64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let corr_len = args.first().copied().unwrap_or(1.0);
    let gamma = args.get(1).copied().unwrap_or(0.05);
    let trajectories = args.get(2).copied().unwrap_or(200.0) as usize;
    let amplitude = args.get(3).copied().unwrap_or(0.5);
    let (l, courant, mass_dt, steps) = (256, 0.5, 0.1, 64);
    let teacher = RingCouplings::leapfrog(l, courant, mass_dt)?;
    println!(
        "sigma_obs  beta     a1(C²=0.25)  a0(1.49)  rms_err   c²_disp  m²_disp  contraction/update/site"
    );
    for sigma_obs in [0.0, 0.01, 0.1] {
        let mut rng = StdRng::seed_from_u64(1);
        let total = trajectories * steps;
        let init = RingCouplings::uniform(l, 0.0, 0.0, 0.0, 0.0)?;
        let mut sgd = OnlineRingSgd::new(init, gamma, total / 5)?;
        for _ in 0..trajectories {
            let phi0: Vec<f64> = smooth_random_field(l, corr_len, &mut rng)?
                .iter()
                .map(|x| amplitude * x)
                .collect();
            let (mut cur, mut prev) = (phi0.clone(), phi0);
            let obs = |f: &[f64], rng: &mut StdRng| -> Vec<f64> {
                f.iter()
                    .map(|x| {
                        let z: f64 = StandardNormal.sample(rng);
                        x + sigma_obs * z
                    })
                    .collect()
            };
            let (mut o_prev, mut o_cur) = (obs(&prev, &mut rng), obs(&cur, &mut rng));
            for _ in 0..steps {
                teacher.step(&cur, &mut prev, 0.0, &mut rng)?;
                std::mem::swap(&mut cur, &mut prev);
                let o_next = obs(&cur, &mut rng);
                sgd.update(&o_cur, &o_prev, &o_next)?;
                o_prev = std::mem::replace(&mut o_cur, o_next);
            }
        }
        let w = sgd.averaged();
        let avg = w.ring_average()?;
        let (pts, _) = measure_ring_dispersion(&w, 1024, &mut rng)?;
        let (c2, m2) = fit_leapfrog_dispersion(&pts, std::f64::consts::FRAC_PI_4)?;
        println!(
            "{sigma_obs:<9}  {:.5}  {:.5}      {:.5}   {:.2e}  {c2:.4}   {m2:.4}   {:.4}",
            avg.prev[0],
            avg.left[0],
            avg.centre[0],
            w.rms_diff(&teacher)?,
            sgd.contraction() / (sgd.steps() * l) as f64
        );
    }
    Ok(())
}
