//! Stationary states: the grid Hamiltonian, a Chebyshev-filtered subspace eigen-solver, and
//! imaginary-time propagation for the ground state.
//!
//! The grid Hamiltonian is the Fourier-grid operator
//! $H = \mathcal F^{-1}\frac{\hbar^2}{2m}|\mathbf k-\boldsymbol\kappa|^2\mathcal F + \mathrm{diag}(V)$,
//! Hermitian, with spectrum inside $[V_\min, T_\max + V_\max]$. Its eigenvalues converge
//! exponentially in the grid spacing for smooth potentials (THEORY.md §3.1 S-QM1).
//!
//! **Eigen-solver.** Block filtering with the Chebyshev polynomial $p(H) = T_d((H - c)/e)$,
//! $c = (a+b)/2$, $e = (b-a)/2$, amplifies the part of the spectrum below the cut $a$ (the largest
//! Ritz value of the block) relative to $[a, b]$ by $\cosh(d\\,\mathrm{arccosh}|(\lambda-c)/e|)$: it is a
//! polynomial stand-in for the imaginary-time filter $e^{-\tau H}$ that uses the exact $H$, so no
//! splitting bias enters. Each sweep filters, orthonormalises (modified Gram-Schmidt, twice) and
//! performs a Rayleigh-Ritz projection. The reported error estimate of a Ritz pair $(\theta, \psi)$ with
//! residual $r = \\|H\psi - \theta\psi\\|$ is $\min(r, r^2/g)$ ($g$ the gap to the nearest other Ritz
//! value): $r$ bounds the distance to the spectrum (Weinstein) and $r^2/g$ is the Kato-Temple estimate.
//!
//! **Imaginary time.** $\psi \leftarrow e^{-Vh/2\hbar}\mathcal F^{-1}e^{-Th/\hbar}\mathcal F e^{-Vh/2\hbar}\psi$,
//! renormalised, converges to the ground state of the split operator, which differs from that of $H$
//! by $O(h^2)$; the energy is the Rayleigh quotient $\langle\psi|H|\psi\rangle$ of the exact $H$ (bias
//! $O(h^4)$), and $h$ is divided by 4 between stages until two stages agree to the tolerance.

use nalgebra::{DMatrix, SymmetricEigen};
use nqg_stats::seed::splitmix64 as splitmix;
use num_complex::Complex64;

use crate::error::{QuantumError, Result, check_positive};
use crate::grid::{Grid, Units};
use crate::potential::Potential;
use crate::spectral::Spectral;
use crate::split_step::kick_and_sum;
use crate::split_step::sample;
use crate::wavefunction::{Wavefunction, first_non_finite};

const ZERO: Complex64 = Complex64 { re: 0.0, im: 0.0 };

/// The grid Hamiltonian $H = T + V$ with a frozen potential.
#[derive(Debug, Clone)]
pub struct Hamiltonian<const D: usize> {
    grid: Grid<D>,
    units: Units,
    kappa: [f64; D],
    v: Vec<f64>,
    tmult: Vec<Vec<Complex64>>,
    tmax: f64,
    spectral: Spectral<D>,
    tmp: Vec<Complex64>,
}

/// An eigenpair with its error estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Eigenpair<const D: usize> {
    /// The energy (Ritz value / Rayleigh quotient with the exact grid $H$).
    pub energy: f64,
    /// The solver's algebraic error: the distance of `energy` to the spectrum of the *grid*
    /// Hamiltonian ($\min(r, r^2/g)$, or the change between imaginary-time stages). It says nothing
    /// about the grid spacing or the box; [`crate::accuracy::spectrum_accuracy`] estimates those.
    pub algebraic_error: f64,
    /// Residual $\\|H\psi - E\psi\\|$ (normalised $\psi$).
    pub residual: f64,
    /// The normalised state.
    pub state: Wavefunction<D>,
}

/// The largest Chebyshev degree per sweep [`Hamiltonian::eigenstates`] accepts (a degree of $10^5$
/// already resolves spectral gaps of $10^{-10}$ of the spectral width; beyond it a sweep would run
/// for hours).
pub const MAX_DEGREE: usize = 100_000;

/// Options of [`Hamiltonian::eigenstates`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EigenOptions {
    /// Stop when every wanted residual is below `tol * max(1, |E|)`.
    pub tol: f64,
    /// Maximum filter sweeps.
    pub max_sweeps: usize,
    /// Chebyshev degree per sweep.
    pub degree: usize,
    /// Extra block vectors beyond the wanted ones (guard states).
    pub guard: usize,
    /// Seed of the deterministic start block.
    pub seed: u64,
}

impl Default for EigenOptions {
    fn default() -> Self {
        Self {
            tol: 1e-10,
            max_sweeps: 200,
            degree: 30,
            guard: 6,
            seed: 1,
        }
    }
}

/// Options of [`Hamiltonian::ground_state`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImaginaryTimeOptions {
    /// First imaginary-time step.
    pub dt0: f64,
    /// Target: two successive stages agree to this (absolute energy).
    pub tol: f64,
    /// Maximum steps in total.
    pub max_steps: usize,
    /// Maximum number of stages (each divides the step by 4).
    pub max_stages: usize,
}

impl Default for ImaginaryTimeOptions {
    fn default() -> Self {
        Self {
            dt0: 0.02,
            tol: 1e-10,
            max_steps: 200_000,
            max_stages: 6,
        }
    }
}

fn dot(a: &[Complex64], b: &[Complex64]) -> Complex64 {
    a.iter().zip(b).map(|(x, y)| x.conj() * y).sum()
}

fn norm2(a: &[Complex64]) -> f64 {
    a.iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt()
}

/// Modified Gram-Schmidt (applied twice); drops nothing but returns the smallest norm seen before
/// normalisation relative to the input norm.
fn orthonormalize(vs: &mut [Vec<Complex64>]) -> f64 {
    let mut worst = f64::INFINITY;
    for _pass in 0..2 {
        for i in 0..vs.len() {
            let (done, rest) = vs.split_at_mut(i);
            let v = &mut rest[0];
            let before = norm2(v);
            for u in done.iter() {
                let c = dot(u, v);
                for (x, y) in v.iter_mut().zip(u) {
                    *x -= c * y;
                }
            }
            let n = norm2(v);
            worst = worst.min(if before > 0.0 { n / before } else { 0.0 });
            if n > 0.0 {
                let s = 1.0 / n;
                v.iter_mut().for_each(|z| *z *= s);
            }
        }
    }
    worst
}

impl<const D: usize> Hamiltonian<D> {
    /// $H$ with potential values `v` on `grid`.
    ///
    /// # Errors
    /// [`QuantumError::SizeMismatch`], [`QuantumError::NonFinitePotential`], or bad units.
    pub fn from_values(grid: Grid<D>, units: Units, v: Vec<f64>) -> Result<Self> {
        units.validate()?;
        grid.check_len(v.len())?;
        if let Some(i) = v.iter().position(|x| !x.is_finite()) {
            return Err(QuantumError::NonFinitePotential {
                index: i,
                value: v[i],
            });
        }
        let spectral = Spectral::new(grid.shape());
        let n = grid.len();
        let mut h = Self {
            grid,
            units,
            kappa: [0.0; D],
            v,
            tmult: Vec::new(),
            tmax: 0.0,
            spectral,
            tmp: vec![ZERO; n],
        };
        h.rebuild();
        Ok(h)
    }

    /// $H$ with `potential` sampled at time `t`.
    ///
    /// # Errors
    /// As [`Hamiltonian::from_values`].
    pub fn new(grid: Grid<D>, units: Units, potential: &dyn Potential<D>, t: f64) -> Result<Self> {
        let points = grid.map(|x| *x);
        let mut v = vec![0.0; grid.len()];
        sample(potential, &points, t, &mut v)?;
        Self::from_values(grid, units, v)
    }

    /// Use the kinetic operator with the vector-potential shift $\boldsymbol\kappa$.
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] for a non-finite component.
    pub fn with_kappa(mut self, kappa: [f64; D]) -> Result<Self> {
        for k in kappa {
            crate::error::check_finite("kappa", k)?;
        }
        self.kappa = kappa;
        self.rebuild();
        Ok(self)
    }

    fn rebuild(&mut self) {
        let c = self.units.hbar * self.units.hbar / (2.0 * self.units.mass);
        self.tmax = 0.0;
        self.tmult = (0..D)
            .map(|a| {
                let n = self.grid.shape()[a] as f64;
                let t: Vec<f64> = self
                    .grid
                    .wavenumbers(a)
                    .iter()
                    .map(|k| c * (k - self.kappa[a]).powi(2))
                    .collect();
                self.tmax += t.iter().cloned().fold(0.0, f64::max);
                t.iter().map(|t| Complex64::new(t / n, 0.0)).collect()
            })
            .collect();
    }

    /// The grid.
    pub fn grid(&self) -> &Grid<D> {
        &self.grid
    }

    /// The potential values.
    pub fn potential(&self) -> &[f64] {
        &self.v
    }

    /// Bounds $[V_\min, T_\max + V_\max]$ of the spectrum.
    pub fn spectral_bounds(&self) -> (f64, f64) {
        let vmin = self.v.iter().cloned().fold(f64::INFINITY, f64::min);
        let vmax = self.v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        (vmin, self.tmax + vmax)
    }

    /// `out = H psi` on raw grid values.
    ///
    /// # Errors
    /// [`QuantumError::SizeMismatch`] if a slice has the wrong length.
    pub fn apply(&mut self, psi: &[Complex64], out: &mut [Complex64]) -> Result<()> {
        self.grid.check_len(psi.len())?;
        self.grid.check_len(out.len())?;
        for ((o, p), v) in out.iter_mut().zip(psi).zip(&self.v) {
            *o = p * v;
        }
        for a in 0..D {
            self.tmp.copy_from_slice(psi);
            self.spectral.apply_axis(&mut self.tmp, a, &self.tmult[a]);
            for (o, t) in out.iter_mut().zip(&self.tmp) {
                *o += t;
            }
        }
        Ok(())
    }

    /// $\langle\psi|H|\psi\rangle/\langle\psi|\psi\rangle$ and the residual $\\|H\psi - E\psi\\|/\\|\psi\\|$.
    ///
    /// # Errors
    /// [`QuantumError::SizeMismatch`] for another grid, [`QuantumError::ZeroNorm`] for a zero state.
    pub fn rayleigh(&mut self, psi: &Wavefunction<D>) -> Result<(f64, f64)> {
        self.grid.check_same(psi.grid())?;
        let mut hp = vec![ZERO; self.grid.len()];
        self.apply(psi.values(), &mut hp)?;
        let nn = dot(psi.values(), psi.values()).re;
        if !(nn.is_finite() && nn > 0.0) {
            return Err(QuantumError::ZeroNorm { norm: nn });
        }
        let e = dot(psi.values(), &hp).re / nn;
        let r: f64 = hp
            .iter()
            .zip(psi.values())
            .map(|(h, p)| (h - p * e).norm_sqr())
            .sum::<f64>()
            .sqrt()
            / nn.sqrt();
        Ok((e, r))
    }

    fn filter(&mut self, x: &[Complex64], degree: usize, a: f64, b: f64) -> Vec<Complex64> {
        let n = x.len();
        let e = 0.5 * (b - a);
        let c = 0.5 * (b + a);
        let mut hx = vec![ZERO; n];
        // apply cannot fail here: the lengths come from the grid.
        let _ = self.apply(x, &mut hx);
        let mut prev: Vec<Complex64> = x.to_vec();
        let mut cur: Vec<Complex64> = hx.iter().zip(x).map(|(h, v)| (h - v * c) / e).collect();
        let mut next = vec![ZERO; n];
        for _ in 2..=degree {
            let _ = self.apply(&cur, &mut hx);
            for i in 0..n {
                next[i] = (hx[i] - cur[i] * c) * (2.0 / e) - prev[i];
            }
            std::mem::swap(&mut prev, &mut cur);
            std::mem::swap(&mut cur, &mut next);
        }
        cur
    }

    /// Rayleigh-Ritz on an orthonormal block: returns sorted Ritz values, rotated block and H*block.
    #[allow(clippy::type_complexity)]
    fn rayleigh_ritz(
        &mut self,
        x: &[Vec<Complex64>],
    ) -> (Vec<f64>, Vec<Vec<Complex64>>, Vec<Vec<Complex64>>) {
        let nb = x.len();
        let n = self.grid.len();
        let hx: Vec<Vec<Complex64>> = x
            .iter()
            .map(|v| {
                let mut o = vec![ZERO; n];
                let _ = self.apply(v, &mut o);
                o
            })
            .collect();
        let mut m = DMatrix::<Complex64>::zeros(nb, nb);
        for i in 0..nb {
            for j in i..nb {
                let z = dot(&x[i], &hx[j]);
                m[(i, j)] = z;
                m[(j, i)] = z.conj();
            }
        }
        for i in 0..nb {
            m[(i, i)] = Complex64::new(m[(i, i)].re, 0.0);
        }
        let eig = SymmetricEigen::new(m);
        let mut order: Vec<usize> = (0..nb).collect();
        order.sort_by(|&p, &q| eig.eigenvalues[p].total_cmp(&eig.eigenvalues[q]));
        let vals: Vec<f64> = order.iter().map(|&p| eig.eigenvalues[p]).collect();
        let rot = |vs: &[Vec<Complex64>]| -> Vec<Vec<Complex64>> {
            order
                .iter()
                .map(|&p| {
                    let mut o = vec![ZERO; n];
                    for (j, v) in vs.iter().enumerate() {
                        let c = eig.eigenvectors[(j, p)];
                        for (oi, vi) in o.iter_mut().zip(v) {
                            *oi += vi * c;
                        }
                    }
                    o
                })
                .collect()
        };
        (vals, rot(x), rot(&hx))
    }

    /// The `k` lowest eigenpairs (ascending), by Chebyshev-filtered subspace iteration.
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] for `k = 0`, a block larger than the grid, a non-positive
    /// tolerance, or a Chebyshev degree outside `2..=`[`MAX_DEGREE`]; [`QuantumError::NotConverged`] if the residuals do not reach the tolerance.
    pub fn eigenstates(&mut self, k: usize, opts: EigenOptions) -> Result<Vec<Eigenpair<D>>> {
        let n = self.grid.len();
        let nb = k.saturating_add(opts.guard.max(1));
        if k == 0 || nb > n {
            return Err(QuantumError::InvalidParameter {
                name: "k",
                value: k as f64,
                reason: "need 1 <= k and k + guard <= grid size",
            });
        }
        check_positive("tol", opts.tol)?;
        if !(2..=MAX_DEGREE).contains(&opts.degree) {
            return Err(QuantumError::InvalidParameter {
                name: "degree",
                value: opts.degree as f64,
                reason: "Chebyshev degree must be in 2..=100000",
            });
        }
        let mut x: Vec<Vec<Complex64>> = (0..nb)
            .map(|j| {
                (0..n)
                    .map(|i| {
                        let h = splitmix(opts.seed ^ splitmix((j as u64) << 32 | i as u64));
                        let u = (h >> 11) as f64 / (1u64 << 53) as f64;
                        Complex64::new(2.0 * u - 1.0, 0.0)
                    })
                    .collect()
            })
            .collect();
        orthonormalize(&mut x);
        let (_, b) = self.spectral_bounds();
        let b = b * 1.01 + 1e-12;
        let (mut vals, mut xs, mut hxs) = self.rayleigh_ritz(&x);
        let mut worst = f64::INFINITY;
        for _sweep in 0..opts.max_sweeps {
            let res: Vec<f64> = (0..nb)
                .map(|i| {
                    hxs[i]
                        .iter()
                        .zip(&xs[i])
                        .map(|(h, v)| (h - v * vals[i]).norm_sqr())
                        .sum::<f64>()
                        .sqrt()
                })
                .collect();
            worst = (0..k)
                .map(|i| res[i] / vals[i].abs().max(1.0))
                .fold(0.0, f64::max);
            if worst <= opts.tol {
                return Ok(self.package(k, &vals, &res, xs));
            }
            let a = vals[nb - 1];
            let mut y: Vec<Vec<Complex64>> = xs.iter().map(|v| self.filter(v, opts.degree, a, b)).collect();
            for v in &y {
                if let Some(index) = first_non_finite(v) {
                    return Err(QuantumError::NonFiniteState { index });
                }
            }
            orthonormalize(&mut y);
            let r = self.rayleigh_ritz(&y);
            vals = r.0;
            xs = r.1;
            hxs = r.2;
        }
        Err(QuantumError::NotConverged {
            what: "Chebyshev subspace eigen-solver",
            iterations: opts.max_sweeps,
            residual: worst,
        })
    }

    fn package(&self, k: usize, vals: &[f64], res: &[f64], xs: Vec<Vec<Complex64>>) -> Vec<Eigenpair<D>> {
        let mut out = Vec::with_capacity(k);
        for (i, v) in xs.into_iter().take(k).enumerate() {
            let gap = vals
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, w)| (w - vals[i]).abs())
                .fold(f64::INFINITY, f64::min);
            let r = res[i];
            let est = if gap > 0.0 { r.min(r * r / gap) } else { r };
            let scale = 1.0 / self.grid.cell_volume().sqrt();
            let data: Vec<Complex64> = v.iter().map(|z| z * scale).collect();
            // The block is finite (checked after each filter), so from_vec cannot fail.
            if let Ok(state) = Wavefunction::from_vec(self.grid.clone(), data) {
                out.push(Eigenpair {
                    energy: vals[i],
                    algebraic_error: est,
                    residual: r,
                    state,
                });
            }
        }
        out
    }

    /// Ground state by imaginary-time split-step propagation from `guess` (a Gaussian at the potential
    /// minimum if `None`), with the energy as the Rayleigh quotient of the exact $H$.
    ///
    /// # Errors
    /// [`QuantumError::InvalidTimeStep`], [`QuantumError::InvalidParameter`] for a bad tolerance,
    /// [`QuantumError::SizeMismatch`] for a guess on another grid, [`QuantumError::NonFiniteState`] with
    /// the first bad index if the relaxed state overflows, [`QuantumError::ZeroNorm`] if it vanishes,
    /// [`QuantumError::NotConverged`] if the step budget is exhausted.
    pub fn ground_state(
        &mut self,
        guess: Option<Wavefunction<D>>,
        opts: ImaginaryTimeOptions,
    ) -> Result<Eigenpair<D>> {
        crate::error::check_dt(opts.dt0)?;
        check_positive("tol", opts.tol)?;
        let mut psi = self.initial_guess(guess)?;
        psi.normalize()?;
        let mut dt = opts.dt0;
        let mut steps = 0usize;
        let mut e_prev_stage = f64::NAN;
        let mut last_change = f64::INFINITY;
        for _stage in 0..opts.max_stages {
            let e_stage = self.relax_stage(&mut psi, dt, &opts, &mut steps)?;
            last_change = (e_stage - e_prev_stage).abs();
            e_prev_stage = e_stage;
            if last_change < opts.tol {
                let (e, r) = self.rayleigh(&psi)?;
                return Ok(Eigenpair {
                    energy: e,
                    algebraic_error: last_change,
                    residual: r,
                    state: psi,
                });
            }
            dt *= 0.25;
        }
        Err(QuantumError::NotConverged {
            what: "imaginary-time ground state (stages)",
            iterations: steps,
            residual: last_change,
        })
    }

    /// The caller's guess (checked) or a Gaussian of width $L_a/20$ at the potential's minimum.
    fn initial_guess(&self, guess: Option<Wavefunction<D>>) -> Result<Wavefunction<D>> {
        if let Some(g) = guess {
            self.grid.check_same(g.grid())?;
            g.check_finite()?;
            return Ok(g);
        }
        let imin = (0..self.v.len())
            .min_by(|&i, &j| self.v[i].total_cmp(&self.v[j]))
            .unwrap_or(0);
        let c = self.grid.point(imin);
        let l = self.grid.lengths();
        Wavefunction::gaussian(
            self.grid.clone(),
            c,
            std::array::from_fn(|a| l[a] / 20.0),
            [0.0; D],
        )
    }

    /// The imaginary-time factors of one stage: $e^{-\hbar|\mathbf k-\boldsymbol\kappa|^2 h/2m}/n_a$ per
    /// axis and the half kick $e^{-(V - V_{\min})h/2\hbar}$.
    fn imaginary_factors(&self, dt: f64) -> (Vec<Vec<Complex64>>, Vec<f64>) {
        let (hbar, m) = (self.units.hbar, self.units.mass);
        let kin: Vec<Vec<Complex64>> = (0..D)
            .map(|a| {
                let n = self.grid.shape()[a] as f64;
                self.grid
                    .wavenumbers(a)
                    .iter()
                    .map(|k| {
                        let q = k - self.kappa[a];
                        Complex64::new((-hbar * q * q * dt / (2.0 * m)).exp() / n, 0.0)
                    })
                    .collect()
            })
            .collect();
        let vmin = self.v.iter().cloned().fold(f64::INFINITY, f64::min);
        let vh: Vec<f64> = self
            .v
            .iter()
            .map(|v| (-(v - vmin) * dt / (2.0 * hbar)).exp())
            .collect();
        (kin, vh)
    }

    /// One stage at fixed `dt`: blocks of 10 imaginary-time Strang steps, renormalised, until the
    /// Rayleigh energy changes by less than $0.05\\,$tol between blocks; returns that energy.
    fn relax_stage(
        &mut self,
        psi: &mut Wavefunction<D>,
        dt: f64,
        opts: &ImaginaryTimeOptions,
        steps: &mut usize,
    ) -> Result<f64> {
        const BLOCK: usize = 10;
        let (kin, vh) = self.imaginary_factors(dt);
        let mut e_old = f64::NAN;
        loop {
            let data = psi.values_mut();
            let mut sum = 0.0;
            for _ in 0..BLOCK {
                for (z, f) in data.iter_mut().zip(&vh) {
                    *z *= f;
                }
                self.spectral.apply_separable(data, &kin);
                // The same pointwise kick as the real-time step, with its finiteness sum.
                sum += kick_and_sum(data, &vh);
            }
            if !sum.is_finite()
                && let Some(index) = first_non_finite(data)
            {
                return Err(QuantumError::NonFiniteState { index });
            }
            *steps += BLOCK;
            psi.normalize()?;
            let (e, _) = self.rayleigh(psi)?;
            // Stop the stage when the energy has settled to well below the tolerance.
            let change = (e - e_old).abs();
            e_old = e;
            if change < 0.05 * opts.tol {
                return Ok(e);
            }
            if *steps >= opts.max_steps {
                return Err(QuantumError::NotConverged {
                    what: "imaginary-time ground state",
                    iterations: *steps,
                    residual: change,
                });
            }
        }
    }
}
