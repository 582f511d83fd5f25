//! Path entropy production of a noisy second-order chain (THEORY.md E-2): zero for the leapfrog
//! (lag-two coupling -1), a boundary term -ΔẼ for a damped chain, and the per-mode decomposition of a
//! ring.
//!
//! `cargo run --release -p nqg-thermo --example path_entropy`

use nqg_thermo::path_entropy::{CirculantChain, SecondOrderChain, field_step_entropy};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

fn simulate(c: &SecondOrderChain, n: usize, rng: &mut StdRng) -> Vec<f64> {
    let mut x = vec![1.0, 1.0];
    for t in 1..n {
        let xi: f64 = StandardNormal.sample(rng);
        x.push(c.alpha() * x[t] + c.beta() * x[t - 1] + c.sigma() * xi);
    }
    x
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = StdRng::seed_from_u64(1);
    println!("beta      Σ_m(path)     ln p_st(x_N, x_N-1) - ln p_st(x_0, x_1)");
    for beta in [-1.0f64, -0.99, -0.9, -0.5] {
        let c = SecondOrderChain::new(1.5 * (-beta).sqrt(), beta, 0.1)?;
        let x = simulate(&c, 1000, &mut rng);
        let n = x.len() - 1;
        let boundary = if c.is_reversible() {
            "(no stationary state; Σ_m ≡ 0)".to_string()
        } else {
            format!(
                "{:.6}",
                c.stationary_log_density(x[n], x[n - 1])? - c.stationary_log_density(x[0], x[1])?
            )
        };
        println!("{beta:<8}  {:<12.6}  {boundary}", c.path_entropy(&x)?);
    }
    // A ring of 16 sites: per-mode productions of one step add up to the real-space one.
    let (l, a0, a1, beta, sigma) = (16, 1.4, 0.25, -0.95, 0.1);
    let ring = CirculantChain::new(l, a0, a1, beta, sigma)?;
    let field = |rng: &mut StdRng| -> Vec<f64> { (0..l).map(|_| StandardNormal.sample(rng)).collect() };
    let (p, c, n) = (field(&mut rng), field(&mut rng), field(&mut rng));
    let ac: Vec<f64> = (0..l)
        .map(|s| a0 * c[s] + a1 * (c[(s + l - 1) % l] + c[(s + 1) % l]))
        .collect();
    let mut out = vec![0.0; l];
    field_step_entropy(&p, &ac, &n, &vec![beta; l], sigma, &mut out)?;
    let modes = ring.mode_step_entropy(&p, &c, &n)?;
    println!(
        "ring step: real space {:.12}, sum over modes {:.12}",
        out.iter().sum::<f64>(),
        modes.iter().sum::<f64>()
    );
    Ok(())
}
