//! A user potential written once, generic over the dual scalar: its force and Hessian come from
//! automatic differentiation (checked here against the hand derivatives), and the same function runs
//! on the grid eigensolver, which reproduces a published number.
//!
//! The quartic oscillator $H = p^2/2 + x^4$ ($\hbar = m = 1$). Scaling $x = 2^{-1/6}y$ turns it into
//! $2^{-2/3}(p_y^2 + y^4)$, whose ground energy is $1.0603620904841829$ (Hioe & Montroll, J. Math. Phys.
//! 16, 1945 (1975); Banerjee et al., Proc. R. Soc. A 360, 575 (1978)), so
//! $E_0 = 2^{-2/3}\cdot 1.0603620904841829 = 0.667986259155777$.
//!
//! `cargo run --release -p nqg-quantum --example smooth_potential`

use nqg_quantum::smooth::{SmoothPotential, force, hessian};
use nqg_quantum::{EigenOptions, Grid, Hamiltonian, Units};
use num_dual::DualNum;

/// $V = g x^4$.
struct Quartic {
    g: f64,
}

impl SmoothPotential<1> for Quartic {
    fn eval<S: DualNum<Primitive = f64> + Copy>(&self, x: [S; 1], _t: f64) -> S {
        x[0].powi(4) * self.g
    }
}

/// The published ground energy of $p^2/2 + x^4$.
const E0_PUBLISHED: f64 = 0.667986259155777;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pot = Quartic { g: 1.0 };
    println!("autodiff against the hand derivatives F = -4 g x^3, V'' = 12 g x^2:");
    let mut worst = 0.0f64;
    for x in [-1.7, -0.4, 0.0, 0.9, 2.3] {
        let (f, h) = (force(&pot, &[x], 0.0)[0], hessian(&pot, &[x], 0.0)[0][0]);
        let (f_hand, h_hand) = (-4.0 * x * x * x, 12.0 * x * x);
        worst = worst.max((f - f_hand).abs()).max((h - h_hand).abs());
        println!("  x = {x:5.2}: F = {f:12.6} (hand {f_hand:12.6}), V'' = {h:10.6} (hand {h_hand:10.6})");
    }
    println!("  largest difference {worst:.1e}");
    println!("ground state of p^2/2 + x^4 (published {E0_PUBLISHED}):");
    let mut last = f64::NAN;
    for n in [32, 64, 128] {
        // The ground state decays like exp(-0.94 |x|^3): a box of 12 holds it far below round-off.
        let grid = Grid::centered([n], [12.0])?;
        let mut h = Hamiltonian::new(grid, Units::default(), &pot, 0.0)?;
        let e = h.eigenstates(1, EigenOptions::default())?[0].energy;
        println!(
            "  {n:4} points: E0 = {e:.15}, error {:.1e}",
            (e - E0_PUBLISHED).abs()
        );
        last = e;
    }
    if (last - E0_PUBLISHED).abs() > 1e-12 {
        return Err(format!("E0 = {last} does not reproduce {E0_PUBLISHED}").into());
    }
    Ok(())
}
