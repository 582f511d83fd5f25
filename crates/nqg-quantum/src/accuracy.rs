//! How accurate a computed spectrum is: the discretisation error beside the algebraic one.
//!
//! [`Eigenpair::algebraic_error`](crate::eigen::Eigenpair::algebraic_error) is the eigen-solver's algebraic error (the
//! distance of a Ritz value to the spectrum of the *grid* Hamiltonian, often $10^{-18}$). What a user
//! needs is the distance to the spectrum of the continuum operator, which has two more parts:
//! - **spacing:** the Fourier grid converges exponentially in $1/\Delta x$ for smooth potentials
//!   (THEORY.md S-QM1), so halving the spacing leaves an error far below the original one, and
//!   $\varepsilon_h = |E_h - E_{h/2}|$ estimates the error of $E_h$;
//! - **box:** the grid is periodic, so a state that has not decayed at the box edge feels its images;
//!   enlarging the box by a factor $f$ at the same spacing gives $\varepsilon_L = |E_L - E_{fL}|$.
//!
//! [`spectrum_accuracy`] solves on the user's grid and on the two enlarged grids and reports, per
//! level, the three parts and their sum ([`LevelAccuracy::total`]), which bounds the error whenever
//! the refined solutions are much closer to the continuum than the original (the usual regime; the
//! tests check it against closed-form spectra).

use crate::eigen::{EigenOptions, Eigenpair, Hamiltonian};
use crate::error::{QuantumError, Result};
use crate::grid::{Grid, Units};
use crate::potential::Potential;

/// Options of [`spectrum_accuracy`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AccuracyOptions {
    /// Points per axis are multiplied by this for the spacing study (≥ 2).
    pub refine: usize,
    /// The box is enlarged by this factor, at the same spacing, for the box study (> 1).
    pub box_factor: f64,
    /// Eigen-solver options for all three solves.
    pub eigen: EigenOptions,
}

impl Default for AccuracyOptions {
    fn default() -> Self {
        Self {
            refine: 2,
            box_factor: 1.5,
            eigen: EigenOptions::default(),
        }
    }
}

/// The error budget of one level $E_n$ of the user's grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelAccuracy {
    /// $E_n$ on the user's grid.
    pub energy: f64,
    /// The eigen-solver's algebraic error estimate (Weinstein / Kato-Temple).
    pub algebraic: f64,
    /// $|E_h - E_{h/r}|$ with $r$ = [`AccuracyOptions::refine`].
    pub spacing: f64,
    /// $|E_L - E_{fL}|$ with $f$ = [`AccuracyOptions::box_factor`].
    pub box_size: f64,
}

impl LevelAccuracy {
    /// The estimated total error of [`LevelAccuracy::energy`] against the continuum operator.
    pub fn total(&self) -> f64 {
        self.algebraic + self.spacing + self.box_size
    }
}

/// The `k` lowest eigenpairs of $H = -\frac{\hbar^2}{2m}\nabla^2 + V$ on `grid`, each with its error
/// budget from a spacing study and a box study (three eigen-solves; the refined grid has
/// `refine^D` times the points).
///
/// # Errors
/// [`QuantumError::InvalidParameter`] for `refine < 2`, a `box_factor` that is not finite and > 1, or a
/// time-dependent potential; [`QuantumError::TooLarge`] if an enlarged grid exceeds the point budget;
/// the errors of [`Hamiltonian::new`] and [`Hamiltonian::eigenstates`].
pub fn spectrum_accuracy<const D: usize>(
    grid: &Grid<D>,
    units: Units,
    potential: &dyn Potential<D>,
    k: usize,
    opts: AccuracyOptions,
) -> Result<(Vec<Eigenpair<D>>, Vec<LevelAccuracy>)> {
    if opts.refine < 2 {
        return Err(QuantumError::InvalidParameter {
            name: "refine",
            value: opts.refine as f64,
            reason: "the spacing study needs at least twice the points per axis",
        });
    }
    if !(opts.box_factor.is_finite() && opts.box_factor > 1.0) {
        return Err(QuantumError::InvalidParameter {
            name: "box_factor",
            value: opts.box_factor,
            reason: "the box study needs a finite enlargement factor > 1",
        });
    }
    if potential.time_dependent() {
        return Err(QuantumError::InvalidParameter {
            name: "potential",
            value: f64::NAN,
            reason: "a spectrum needs a static potential (time_dependent() is true)",
        });
    }
    let solve = |g: Grid<D>| -> Result<Vec<Eigenpair<D>>> {
        Hamiltonian::new(g, units, potential, 0.0)?.eigenstates(k, opts.eigen)
    };
    let fine = solve(refined(grid, opts.refine)?)?;
    let big = solve(enlarged(grid, opts.box_factor)?)?;
    let pairs = solve(grid.clone())?;
    let levels = pairs
        .iter()
        .zip(fine.iter().zip(&big))
        .map(|(p, (f, b))| LevelAccuracy {
            energy: p.energy,
            algebraic: p.algebraic_error,
            spacing: (p.energy - f.energy).abs(),
            box_size: (p.energy - b.energy).abs(),
        })
        .collect();
    Ok((pairs, levels))
}

/// The same box with `r` times the points per axis.
fn refined<const D: usize>(grid: &Grid<D>, r: usize) -> Result<Grid<D>> {
    let mut shape = grid.shape();
    for n in &mut shape {
        *n = n.checked_mul(r).ok_or(QuantumError::TooLarge {
            what: "refined grid points per axis",
            requested: usize::MAX,
            limit: crate::error::MAX_POINTS,
        })?;
    }
    Grid::new(shape, grid.origin(), grid.lengths())
}

/// A box about the same centre, `f` times larger per axis (rounded to whole cells), same spacing.
fn enlarged<const D: usize>(grid: &Grid<D>, f: f64) -> Result<Grid<D>> {
    let (shape0, origin0, lengths0, dx) = (grid.shape(), grid.origin(), grid.lengths(), grid.spacing());
    let mut shape = shape0;
    let mut origin = origin0;
    let mut lengths = lengths0;
    for a in 0..D {
        let n = (shape0[a] as f64 * f).ceil();
        // `f` is finite (checked by the caller), so `n` is too.
        if n >= crate::error::MAX_POINTS as f64 {
            return Err(QuantumError::TooLarge {
                what: "enlarged grid points per axis",
                requested: usize::MAX,
                limit: crate::error::MAX_POINTS,
            });
        }
        // An even count keeps the Nyquist mode, as on the user's grid when it is even.
        let n = (n as usize).next_multiple_of(2);
        shape[a] = n;
        lengths[a] = n as f64 * dx[a];
        origin[a] = origin0[a] + 0.5 * lengths0[a] - 0.5 * lengths[a];
    }
    Grid::new(shape, origin, lengths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::potential::Harmonic;

    fn oscillator_levels(grid: &Grid<1>, k: usize) -> Vec<LevelAccuracy> {
        let pot = Harmonic::<1>::isotropic(1.0, 1.0);
        spectrum_accuracy(grid, Units::default(), &pot, k, AccuracyOptions::default())
            .unwrap()
            .1
    }

    #[test]
    fn coarse_spacing_error_is_estimated_by_the_refined_grid() {
        // 16 points on a box of 12: k_max = 4.2 resolves the ground state to ~1e-5 but not the upper
        // levels; the box (|x| <= 6) is ample, so the spacing part must carry the error.
        let grid = Grid::centered([16], [12.0]).unwrap();
        for (n, l) in oscillator_levels(&grid, 4).iter().enumerate() {
            let exact = n as f64 + 0.5;
            let err = (l.energy - exact).abs();
            // The refined grid's own error is exponentially smaller, so the estimate is the error to
            // within a few per cent once the error is well above the algebraic floor.
            assert!(err > 1e-9, "level {n} too accurate to test: {err:e}");
            assert!(
                (l.spacing - err).abs() <= 0.05 * err + 1e-9,
                "level {n}: estimate {:e} vs true error {err:e}",
                l.spacing
            );
            assert!(
                l.total() >= err * 0.95,
                "level {n}: total {:e} < error {err:e}",
                l.total()
            );
        }
    }

    #[test]
    fn small_box_error_is_estimated_by_the_larger_box() {
        // 96 points on a box of 5 (|x| <= 2.5): the ground-state tail e^{-x^2/2} is 0.04 at the edge,
        // so the periodic images shift E_0 by 6e-3, while halving the spacing (0.05) moves it by
        // under 1e-3 of that (measured 4.5e-6: the image overlap itself is resolved slightly better).
        let grid = Grid::centered([96], [5.0]).unwrap();
        let l = oscillator_levels(&grid, 1)[0];
        let err = (l.energy - 0.5).abs();
        assert!(err > 1e-6, "box too large to test: {err:e}");
        assert!(
            l.spacing < 1e-2 * err,
            "spacing {:e} should be negligible",
            l.spacing
        );
        // The 1.5x box has a tail e^{-(3.75)^2/2} ~ 1e-3: its own error is ~1e-5 of this one's.
        assert!(
            (l.box_size - err).abs() <= 0.01 * err,
            "box {:e} vs error {err:e}",
            l.box_size
        );
    }

    #[test]
    fn converged_grid_reports_a_tiny_budget_and_bad_options_are_typed_errors() {
        let grid = Grid::centered([128], [20.0]).unwrap();
        for (n, l) in oscillator_levels(&grid, 3).iter().enumerate() {
            let err = (l.energy - (n as f64 + 0.5)).abs();
            assert!(l.total() < 1e-8 && err < 1e-8, "level {n}: {l:?}");
        }
        let pot = Harmonic::<1>::isotropic(1.0, 1.0);
        let bad = AccuracyOptions {
            refine: 1,
            ..AccuracyOptions::default()
        };
        assert!(matches!(
            spectrum_accuracy(&grid, Units::default(), &pot, 1, bad),
            Err(QuantumError::InvalidParameter { name: "refine", .. })
        ));
        let bad = AccuracyOptions {
            box_factor: f64::NAN,
            ..AccuracyOptions::default()
        };
        assert!(matches!(
            spectrum_accuracy(&grid, Units::default(), &pot, 1, bad),
            Err(QuantumError::InvalidParameter {
                name: "box_factor",
                ..
            })
        ));
    }
}
