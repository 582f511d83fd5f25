//! A rotation weight on the ring whose hidden layer gains a neuron per loop (THEORY.md E-4, N4.1):
//! the free energy jumps by μ_c per loop, and the Fourier modes of p(t, q) rotate at n·γ|μ_c|/2π
//! and relax at ≈ n²D (a Euclidean ring), against the Schrödinger frequencies γħn², ħ = |μ_c|/2π.
//!
//! Run with `cargo run --release -p nqg-network --example ring_exchange`.

use nqg_network::ensemble::Ensemble;
use nqg_network::ring_exchange::{BirthRamp, RingExchange, mode_rates};

fn main() -> Result<(), nqg_network::NetworkError> {
    let net = RingExchange::new(1.0, 1.0, BirthRamp::Geometric, 100, 0.1, 1, 0.0)?;
    println!(
        "mu_c = {:.6}, hbar = |mu_c|/2pi = {:.6}",
        net.chemical_potential(),
        net.hbar()
    );
    let jump =
        RingExchange::new(1.0, 1.0, BirthRamp::Linear, 100, 0.1, 1, 0.0)?.loop_jump(1, 24, 20_000, 1)?;
    println!(
        "loop jump from sampled neurons: {:.5} ± {:.5} (exact {:.5})",
        jump.estimate, jump.std_err, jump.exact
    );
    let mut ens = Ensemble::new(&net, 10_000, 7, |_, _, q| q[0] = 0.0)?;
    let mut snaps = vec![(0.0, ens.states().to_vec())];
    for _ in 0..40 {
        ens.advance(&net, 10)?;
        snaps.push((ens.time() as f64, ens.states().to_vec()));
    }
    println!(" n   Re z_n (meas, exact)     |Im z_n| (meas, exact)   Schrodinger gamma*hbar*n^2");
    for r in mode_rates(&snaps, &[1, 2, 3, 4], 10)? {
        let z = net.mode_rate(r.n)?;
        println!(
            "{:2}   {:.3e} {:.3e}      {:.4e} {:.4e}     {:.4e}",
            r.n,
            r.rate.re,
            z.re,
            r.rate.im.abs(),
            z.im.abs(),
            net.gamma() * net.hbar() * (r.n * r.n) as f64
        );
    }
    Ok(())
}
