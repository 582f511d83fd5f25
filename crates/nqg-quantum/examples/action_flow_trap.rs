//! V-M2 numeric (THEORY.md §3.2): the Euler-Lagrange flow (N3.2)-(N3.3) of a Gaussian in the trap
//! V = q²/2 (γ = 0.5, D = 1, μ = 2, F = 0) against |ψ|² of the split-step Schrödinger solver with
//! m = 1, ħ² = 3.75, on 1024 points; and V-M3's classical regime (4Dμ = γ) against Liouville.
//!
//! Run with `cargo run --release -p nqg-quantum --example action_flow_trap`.

use nqg_quantum::action_flow::{ActionCoefficients, BoxActionFlow, classical_width};
use nqg_quantum::potential::Harmonic;
use nqg_quantum::{Grid, Scheme, SplitStep, Units, Wavefunction};
use num_complex::Complex64;

fn main() -> Result<(), nqg_quantum::QuantumError> {
    let n = 1024;
    let grid = Grid::centered([n], [40.0])?;
    let q = grid.axis(0);
    let h = 40.0 / n as f64;
    let coef = ActionCoefficients::new(0.5, 1.0, 2.0)?;
    let hbar = coef.hbar_squared().sqrt();
    let ln_p: Vec<f64> = q
        .iter()
        .map(|x| -0.5 * (2.0 * std::f64::consts::PI).ln() - x * x / 2.0)
        .collect();
    // The flow lives on the Schrödinger grid's points with |q| <= 6 (p >= 1e-8 there): in ln p the
    // far tails amplify round-off spread from the bulk (a relative perturbation of a tiny p).
    let inner: Vec<usize> = (0..n).filter(|&j| q[j].abs() <= 6.0).collect();
    let (j0, m) = (inner[0], inner.len());
    for dt in [4e-4f64, 2e-4, 1e-4] {
        let flow = BoxActionFlow::new(coef, q[j0], h, m, |x| 0.5 * x * x)?;
        let mut s = flow.state(ln_p[j0..j0 + m].to_vec(), vec![0.0; m])?;
        let psi0: Vec<Complex64> = ln_p
            .iter()
            .map(|u| Complex64::from_polar((0.5 * u).exp(), -u / (2.0 * coef.mu) / hbar))
            .collect();
        let mut psi = Wavefunction::from_vec(grid.clone(), psi0)?;
        let mut prop = SplitStep::new(
            grid.clone(),
            Units::new(hbar, 1.0)?,
            Harmonic::isotropic(1.0, 1.0),
            dt,
            Scheme::Strang,
        )?;
        let per = (1.0 / dt).round() as usize;
        let mut worst = 0.0f64;
        for _ in 0..5 {
            if let Err(e) = flow.run(&mut s, dt, per) {
                println!("V-M2 dt = {dt:e}: {e} at t = {}", s.time);
                break;
            }
            prop.run(&mut psi, per)?;
            let rho = psi.density();
            let inside: f64 = s
                .density()
                .iter()
                .zip(&rho[j0..j0 + m])
                .map(|(a, b)| (a - b).abs())
                .sum::<f64>();
            let outside: f64 = rho.iter().sum::<f64>() - rho[j0..j0 + m].iter().sum::<f64>();
            let l1 = (inside + outside) * h;
            worst = worst.max(l1);
        }
        println!("V-M2 dt = {dt:e}: max L1 over t = 1..5 = {worst:.3e}");
    }
    let cl = ActionCoefficients::new(0.5, 1.0 / 16.0, 2.0)?;
    for dt in [4e-3f64, 2e-3, 1e-3, 5e-4] {
        let flow = BoxActionFlow::new(cl, q[0], h, n, |x| 0.5 * x * x)?;
        let mut s = flow.state(ln_p.clone(), vec![0.0; n])?;
        let per = (0.25 / dt).round() as usize;
        let mut worst = 0.0f64;
        for _ in 0..6 {
            if let Err(e) = flow.run(&mut s, dt, per) {
                println!("V-M3 dt = {dt:e}: {e} at t = {}", s.time);
                break;
            }
            let p = s.density();
            let m0: f64 = p.iter().sum::<f64>() * h;
            let var: f64 = p.iter().zip(&q).map(|(p, x)| p * x * x).sum::<f64>() * h / m0;
            let ex = classical_width(1.0, 0.5, 2.0, 1.0, s.time);
            worst = worst.max((var.sqrt() / ex - 1.0).abs());
        }
        println!("V-M3 dt = {dt:e}: max relative width error to t = 1.5: {worst:.3e}");
    }
    Ok(())
}
