//! The error budget of a computed spectrum: algebraic, grid spacing and box size, against the
//! closed form of the harmonic oscillator, $E_n = \hbar\omega(n + \tfrac12)$.
//!
//! `cargo run --release -p nqg-quantum --example spectrum_accuracy`

use nqg_quantum::accuracy::{AccuracyOptions, spectrum_accuracy};
use nqg_quantum::potential::Harmonic;
use nqg_quantum::{Grid, Units};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pot = Harmonic::<1>::isotropic(1.0, 1.0);
    for (label, n, box_len) in [
        ("coarse spacing", 16, 12.0),
        ("small box", 96, 5.0),
        ("converged", 128, 20.0),
    ] {
        let grid = Grid::centered([n], [box_len])?;
        let (_, levels) = spectrum_accuracy(&grid, Units::default(), &pot, 3, AccuracyOptions::default())?;
        println!("{label}: {n} points on a box of {box_len}");
        println!("  n  E_n              true error  estimate    (algebraic, spacing, box)");
        for (k, l) in levels.iter().enumerate() {
            let err = (l.energy - (k as f64 + 0.5)).abs();
            println!(
                "  {k}  {:<16.12} {err:<11.3e} {:<11.3e} ({:.1e}, {:.1e}, {:.1e})",
                l.energy,
                l.total(),
                l.algebraic,
                l.spacing,
                l.box_size
            );
        }
    }
    Ok(())
}
