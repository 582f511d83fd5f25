//! E-6: one ring with a trainable coupling; the coupling ensemble's budget terms against the neurons'.
//! Run: `cargo run --release -p nqg-network --example duality_budget`.

use nqg_network::duality::{DualityConfig, QuantumSide, run_duality};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = DualityConfig {
        l: 32,
        replicas: 64,
        groups: 8,
        damping: 0.1,
        thermal: 0.1,
        readout: 1.0,
        gamma: 0.002,
        w0: 0.6,
        learning: true,
        burn_in: 2000,
        steps: 10_000,
        relaxation_lag: 50,
        seed: 1,
    };
    let learn = run_duality(&base)?;
    let n = learn.groups.len() as f64;
    let w_bar = learn.groups.iter().map(|g| g.w_mean).sum::<f64>() / n;
    let var = learn.groups.iter().map(|g| g.w_var).sum::<f64>() / n;
    let rho = learn.groups.iter().map(|g| g.w_rho).sum::<f64>() / n;
    let rho_tau = learn.groups.iter().map(|g| g.w_rho_lag).sum::<f64>() / n;
    let q = QuantumSide::from_ensemble(var, rho, base.gamma)?;
    println!(
        "w ensemble: w̄ = {w_bar:.4}, P = {var:.3e}, 1-ρ = {:.4e}, 1-ρ(50)^(1/50) = {:.4e}",
        1.0 - rho,
        1.0 - rho_tau.powf(1.0 / 50.0)
    );
    println!(
        "quantum side: m = {:.1}, D_W = {:.3e}, ħ² = {:.3e}",
        q.mass, q.diffusion, q.hbar2
    );
    let frozen = |w0: f64, seed: u64| {
        run_duality(&DualityConfig {
            learning: false,
            w0,
            seed,
            ..base.clone()
        })
    };
    let (mid, lo, hi) = (
        frozen(w_bar, 2)?,
        frozen(w_bar - 0.05, 3)?,
        frozen(w_bar + 0.05, 4)?,
    );
    let mean = |r: &nqg_network::duality::DualityRun,
                f: &dyn Fn(&nqg_network::duality::GroupStats) -> f64| {
        r.groups.iter().map(f).sum::<f64>() / r.groups.len() as f64
    };
    let g2 = base.gamma * base.gamma / 2.0;
    let d_white = g2 * mean(&mid, &|g| g.g_cov[0]);
    let d_col = g2 * mean(&mid, &|g| g.g_cov[0] + 2.0 * g.g_cov[1..].iter().sum::<f64>());
    let gk = -base.gamma * (mean(&hi, &|g| g.g_mean) - mean(&lo, &|g| g.g_mean)) / 0.1;
    println!("neurons: D white = {d_white:.3e}, D coloured = {d_col:.3e}, γκ = {gk:.4e}");
    println!(
        "budget: P = {var:.3e} vs 2D/(1-(1-γκ)²) = {:.3e}",
        2.0 * d_col / (1.0 - (1.0 - gk).powi(2))
    );
    let c2 = learn.c2_of_k.iter().sum::<f64>() / learn.c2_of_k.len() as f64;
    println!("gravity side: c² from the dispersion = {c2:.4} (learned w̄ = {w_bar:.4})");
    Ok(())
}
