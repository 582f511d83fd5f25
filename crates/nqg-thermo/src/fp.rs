//! One-dimensional Fokker-Planck equation, finite volume with Scharfetter-Gummel fluxes.
//!
//! Solves $\partial_t p = -\partial_x J$, $J = a(x)\\,p - D\\,\partial_x p$ (THEORY.md N2.7 with
//! $a = -\gamma\\,\partial_x F$). Cells of width $h$ carry densities $p_i$; the flux through the interface
//! between cells $i$ and $i+1$ is the Scharfetter-Gummel (exponential-fitting) flux
//! $$J_{i+1/2} = \frac{D}{h}\big[B(-P_i)\\,p_i - B(P_i)\\,p_{i+1}\big],\qquad P_i = \frac{a_{i+1/2}h}{D},
//! \qquad B(z) = \frac{z}{e^z - 1}.$$
//! Since $B(-z) = e^z B(z)$, a zero flux means $p_{i+1}/p_i = e^{P_i}$. For a potential drift
//! ([`FokkerPlanck1d::from_potential`], $a_{i+1/2} = -(U_{i+1} - U_i)/h$ with $U = \gamma F$) the discrete
//! stationary state is therefore **exactly** the discrete Boltzmann distribution $p_i \propto e^{-U_i/D}$.
//! The semi-discrete generator $L$ ($\dot p = Lp$) has zero column sums, so every implicit step
//! $(I - \theta\\,\Delta t\\,L)p^{n+1} = (I + (1-\theta)\Delta t\\,L)p^n$ conserves $h\sum_i p_i$ to round-off.
//! Backward Euler ($\theta = 1$) is unconditionally stable and positivity preserving (its step is a
//! stochastic matrix, so relative entropy to the stationary state decreases monotonically: the discrete
//! H-theorem); Crank-Nicolson ($\theta = \tfrac12$) is second order in time.
//!
//! The entropy balance (THEORY.md N2.8) is computed term by term by [`entropy_balance`]:
//! production $D\int \partial_x p\\,\partial_x \ln p\\,dx = 4D\int(\partial_x\sqrt p)^2$ and the learning term
//! $-\gamma\int p\\,\partial_x^2 F$.

use crate::error::{Result, ThermoError, check_diffusion, check_dt, check_len, check_size};
use crate::tridiag::{CyclicTridiag, Explicit, Tridiag};
use crate::tridiag_split::SplitTridiag;

/// Bernoulli function $B(z) = z/(e^z - 1)$, with $B(0) = 1$, accurate for all $z$.
#[inline]
pub fn bernoulli(z: f64) -> f64 {
    if z.abs() < 1e-8 {
        1.0 - 0.5 * z
    } else {
        z / z.exp_m1()
    }
}

/// Boundary conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boundary {
    /// Zero flux through the outer faces.
    Reflecting,
    /// The last cell's right face is the first cell's left face.
    Periodic,
}

impl Boundary {
    /// Number of faces that carry a flux on a line of `n` cells: the `n - 1` interior faces, plus the
    /// wrap-around face when periodic.
    pub fn flux_faces(self, n: usize) -> usize {
        match self {
            Self::Periodic => n,
            Self::Reflecting => n.saturating_sub(1),
        }
    }
}

/// A uniform 1D grid of `n` cells on $[x_{\min}, x_{\max}]$.
///
/// The fields are private: every grid comes from [`Grid1d::new`], so $n \ge 3$, finite edges with
/// $x_{\max} > x_{\min}$ and $n$ within the allocation budget hold for every value of the type.
/// A struct literal does not compile:
///
/// ```compile_fail
/// let bad = nqg_thermo::fp::Grid1d { x_min: 0.0, x_max: 1.0, n: 0 };
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid1d {
    x_min: f64,
    x_max: f64,
    n: usize,
}

impl Grid1d {
    /// A grid of `n >= 3` cells.
    ///
    /// # Errors
    /// Fewer than 3 cells, an empty/non-finite interval, or one whose width $x_{\max} - x_{\min}$ or
    /// cell width overflows or underflows to zero ([`ThermoError::InvalidParameter`] with the width).
    pub fn new(x_min: f64, x_max: f64, n: usize) -> Result<Self> {
        if n < 3 {
            return Err(ThermoError::TooFewSamples { needed: 3, got: n });
        }
        if !(x_min.is_finite() && x_max.is_finite() && x_max > x_min) {
            return Err(ThermoError::InvalidParameter {
                name: "x_max",
                value: x_max,
                reason: "need finite x_max > x_min",
            });
        }
        check_size("grid cells", &[n])?;
        let width = x_max - x_min;
        let h = width / n as f64;
        if !(width.is_finite() && h.is_normal()) {
            return Err(ThermoError::InvalidParameter {
                name: "x_max - x_min",
                value: width,
                reason: "the width and the cell width must be finite and non-zero",
            });
        }
        Ok(Self { x_min, x_max, n })
    }
    /// Left edge $x_{\min}$.
    pub fn x_min(&self) -> f64 {
        self.x_min
    }
    /// Right edge $x_{\max}$.
    pub fn x_max(&self) -> f64 {
        self.x_max
    }
    /// Number of cells $n$.
    pub fn n(&self) -> usize {
        self.n
    }
    /// Cell width $h$.
    pub fn h(&self) -> f64 {
        (self.x_max - self.x_min) / self.n as f64
    }
    /// Centre of cell `i`.
    pub fn centre(&self, i: usize) -> f64 {
        self.x_min + (i as f64 + 0.5) * self.h()
    }
    /// All cell centres.
    pub fn centres(&self) -> Vec<f64> {
        (0..self.n).map(|i| self.centre(i)).collect()
    }
    /// Cell densities of a function sampled at the centres, normalised to unit mass.
    pub fn density(&self, f: impl Fn(f64) -> f64) -> Vec<f64> {
        let mut p: Vec<f64> = (0..self.n).map(|i| f(self.centre(i))).collect();
        let m = self.mass(&p);
        if m > 0.0 {
            p.iter_mut().for_each(|v| *v /= m);
        }
        p
    }
    /// Mass $h\sum_i p_i$.
    pub fn mass(&self, p: &[f64]) -> f64 {
        self.h() * p.iter().sum::<f64>()
    }
    /// Mean and variance $(\langle x\rangle, \langle x^2\rangle - \langle x\rangle^2)$ of a density.
    ///
    /// # Errors
    /// `p` does not have one value per cell.
    pub fn moments(&self, p: &[f64]) -> Result<(f64, f64)> {
        check_len("density", self.n, p.len())?;
        let h = self.h();
        let m: f64 = (0..self.n).map(|i| self.centre(i) * p[i]).sum::<f64>() * h;
        let v: f64 = (0..self.n)
            .map(|i| (self.centre(i) - m).powi(2) * p[i])
            .sum::<f64>()
            * h;
        Ok((m, v))
    }
}

/// Residual (current spread over the one-way flux scale) to which the periodic stationary state is
/// iterated ([`FokkerPlanck1d::stationary_state`]).
pub const STATIONARY_TOL: f64 = 1e-12;

/// Upper bound on the inverse-iteration sweeps of [`FokkerPlanck1d::stationary_state`].
pub const STATIONARY_MAX_SWEEPS: usize = 100_000;

/// A stationary density with the residual it was solved to (N2.7 with $\partial_t p = 0$).
#[derive(Debug, Clone, PartialEq)]
pub struct StationaryState {
    /// The density, unit mass.
    pub density: Vec<f64>,
    /// The current spread over the one-way flux scale (see [`FokkerPlanck1d::stationary_state`]).
    pub residual: f64,
    /// Inverse-iteration sweeps used (0 for the closed forms).
    pub sweeps: usize,
}

/// The 1D Fokker-Planck operator on a grid.
#[derive(Debug, Clone, PartialEq)]
pub struct FokkerPlanck1d {
    grid: Grid1d,
    diffusion: f64,
    boundary: Boundary,
    /// Flux coefficients per interface: $J_{i+1/2} = \alpha_i p_i - \beta_i p_{i+1}$.
    alpha: Vec<f64>,
    beta: Vec<f64>,
    /// $U_i/D$ at cell centres when built from a potential.
    potential: Option<Vec<f64>>,
}

impl FokkerPlanck1d {
    pub(crate) fn build(
        grid: Grid1d,
        diffusion: f64,
        boundary: Boundary,
        pe: Vec<f64>,
        potential: Option<Vec<f64>>,
    ) -> Result<Self> {
        let c = diffusion / grid.h();
        if let Some(i) = pe.iter().position(|v| !v.is_finite()) {
            return Err(ThermoError::NonFiniteValue {
                what: "Péclet number a h / D at face",
                index: i,
                value: pe[i],
            });
        }
        let alpha: Vec<f64> = pe.iter().map(|&z| c * bernoulli(-z)).collect();
        let beta: Vec<f64> = pe.iter().map(|&z| c * bernoulli(z)).collect();
        // The one-way rates of a valid operator are positive and finite; extreme D/h or Péclet
        // numbers can overflow or underflow them (found by fuzzing: D = 3e-319 on a box of 1e247).
        for (i, &r) in alpha.iter().chain(&beta).enumerate() {
            if !(r.is_finite() && r > 0.0) {
                return Err(ThermoError::NonFiniteValue {
                    what: "one-way rate D B(±P)/h at face (out of floating-point range)",
                    index: i % alpha.len().max(1),
                    value: r,
                });
            }
        }
        Ok(Self {
            grid,
            diffusion,
            boundary,
            alpha,
            beta,
            potential,
        })
    }

    /// Drift $a = -\partial_x U$ from a potential $U$ (e.g. $U = \gamma F$), evaluated at cell centres:
    /// $P_i = -(U_{i+1} - U_i)/D$. The stationary state is exactly $e^{-U_i/D}/Z$.
    ///
    /// # Errors
    /// $D \le 0$, an invalid grid, or a non-finite potential value ([`ThermoError::NonFiniteValue`] with
    /// the cell).
    pub fn from_potential(
        grid: Grid1d,
        diffusion: f64,
        boundary: Boundary,
        u: impl Fn(f64) -> f64,
    ) -> Result<Self> {
        check_diffusion(diffusion)?;
        let n = grid.n;
        let us: Vec<f64> = (0..n).map(|i| u(grid.centre(i)) / diffusion).collect();
        if let Some(i) = us.iter().position(|v| !v.is_finite()) {
            return Err(ThermoError::NonFiniteValue {
                what: "potential / D",
                index: i,
                value: us[i],
            });
        }
        let m = boundary.flux_faces(n);
        let pe = (0..m).map(|i| -(us[(i + 1) % n] - us[i])).collect();
        Self::build(grid, diffusion, boundary, pe, Some(us))
    }

    /// A general (possibly non-gradient) drift $a(x)$ evaluated at the interfaces. With periodic
    /// boundaries a tilted potential gives a non-equilibrium steady state with constant current.
    ///
    /// # Errors
    /// $D \le 0$ or a non-finite drift value.
    pub fn from_drift(
        grid: Grid1d,
        diffusion: f64,
        boundary: Boundary,
        a: impl Fn(f64) -> f64,
    ) -> Result<Self> {
        check_diffusion(diffusion)?;
        let n = grid.n;
        let h = grid.h();
        let m = boundary.flux_faces(n);
        let pe = (0..m)
            .map(|i| a(grid.x_min + (i + 1) as f64 * h) * h / diffusion)
            .collect();
        Self::build(grid, diffusion, boundary, pe, None)
    }

    /// The grid.
    pub fn grid(&self) -> &Grid1d {
        &self.grid
    }
    /// The diffusion constant $D$.
    pub fn diffusion(&self) -> f64 {
        self.diffusion
    }
    /// The boundary condition.
    pub fn boundary(&self) -> Boundary {
        self.boundary
    }

    /// Probability current at the interfaces: $J_{i+1/2}$ for $i = 0..n-1$ (reflecting: $n-1$ values,
    /// the outer faces carry zero flux; periodic: $n$ values, the last is the wrapping face).
    ///
    /// # Errors
    /// `p` does not have one value per cell.
    pub fn current(&self, p: &[f64]) -> Result<Vec<f64>> {
        let n = self.grid.n;
        check_len("density", n, p.len())?;
        Ok((0..self.alpha.len())
            .map(|i| self.alpha[i] * p[i] - self.beta[i] * p[(i + 1) % n])
            .collect())
    }

    /// $\dot p = L p$ written into `out`.
    ///
    /// # Errors
    /// `p` or `out` does not have one value per cell.
    pub fn apply(&self, p: &[f64], out: &mut [f64]) -> Result<()> {
        let n = self.grid.n;
        check_len("density", n, p.len())?;
        check_len("output", n, out.len())?;
        let h = self.grid.h();
        out.fill(0.0);
        for i in 0..self.alpha.len() {
            let j = self.alpha[i] * p[i] - self.beta[i] * p[(i + 1) % n];
            out[i] -= j / h;
            out[(i + 1) % n] += j / h;
        }
        Ok(())
    }

    /// Tridiagonal parts of $L$: (lower, diag, upper, $L_{0,n-1}$, $L_{n-1,0}$).
    fn generator(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>, f64, f64) {
        let n = self.grid.n;
        let h = self.grid.h();
        let (mut l, mut d, mut u) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for i in 0..n - 1 {
            // J_{i+1/2} leaves cell i and enters cell i+1.
            d[i] -= self.alpha[i] / h;
            u[i] += self.beta[i] / h;
            l[i + 1] += self.alpha[i] / h;
            d[i + 1] -= self.beta[i] / h;
        }
        let (mut tr, mut bl) = (0.0, 0.0);
        if self.boundary == Boundary::Periodic {
            let k = n - 1;
            d[k] -= self.alpha[k] / h;
            bl += self.beta[k] / h; // row n-1, column 0
            tr += self.alpha[k] / h; // row 0, column n-1
            d[0] -= self.beta[k] / h;
        }
        (l, d, u, tr, bl)
    }

    /// The stationary density (unit mass). Reflecting: the zero-flux product $p_{i+1} = p_i e^{P_i}$
    /// (for a potential exactly $e^{-U_i/D}/Z$). Periodic: inverse iteration on $L$ to the residual
    /// [`STATIONARY_TOL`] (see [`FokkerPlanck1d::stationary_state`], which also reports it).
    ///
    /// # Errors
    /// A singular solve, or [`ThermoError::NotConverged`] if the periodic iteration stalls.
    pub fn stationary(&self) -> Result<Vec<f64>> {
        self.stationary_state().map(|s| s.density)
    }

    /// The stationary density with its residual $r = \max_f |J_f - \bar J| / \max_f(\alpha_f p_f + \beta_f
    /// p_{f+1})$, the spread of the face currents against the one-way flux scale ($\bar J$ = 0 with
    /// reflecting walls; 0 to round-off for the closed forms of the reflecting and potential cases). Periodic, non-gradient
    /// drift: inverse iteration $(I - \tau L)p_{k+1} = p_k$ with $\tau = 10^8/\max|L_{ii}|$, repeated
    /// until $r \le$ [`STATIONARY_TOL`]. Each sweep contracts the slowest mode by $1/(1 + \tau\lambda_1)$,
    /// and $\tau\lambda_1 \propto 10^8/n^2$, so fine grids need more sweeps, not a looser answer.
    ///
    /// # Errors
    /// A singular solve; [`ThermoError::NotConverged`] with the residual reached if it stalls above the
    /// tolerance or exceeds [`STATIONARY_MAX_SWEEPS`].
    pub fn stationary_state(&self) -> Result<StationaryState> {
        if let Some(p) = self.closed_form_stationary() {
            let residual = self.stationary_residual(&p)?;
            return Ok(StationaryState {
                density: p,
                residual,
                sweeps: 0,
            });
        }
        self.stationary_by_inverse_iteration()
    }

    /// The spread of the face currents against the one-way flux scale (0 in a stationary state):
    /// $\max_i |J_i - \bar J| / \max_i(\alpha_i|p_i| + \beta_i|p_{i+1}|)$, with $\bar J$ the mean
    /// current on a periodic grid and 0 on a reflecting one.
    fn stationary_residual(&self, p: &[f64]) -> Result<f64> {
        let n = self.grid.n;
        let j = self.current(p)?;
        let m = self.alpha.len();
        let jbar = j.iter().sum::<f64>() / m as f64;
        let jbar = if self.boundary == Boundary::Periodic {
            jbar
        } else {
            0.0
        };
        let flux = (0..m).fold(0.0_f64, |a, i| {
            a.max(self.alpha[i] * p[i].abs() + self.beta[i] * p[(i + 1) % n].abs())
        });
        let spread = j.iter().fold(0.0_f64, |a, v| a.max((v - jbar).abs()));
        Ok(if flux > 0.0 { spread / flux } else { 0.0 })
    }

    /// The normalised stationary density in closed form where there is one: $p \propto e^{-U}$ for an
    /// operator built from a potential, and the detailed-balance product
    /// $p_{i+1}/p_i = \alpha_i/\beta_i$ on a reflecting grid; `None` otherwise (periodic drift).
    fn closed_form_stationary(&self) -> Option<Vec<f64>> {
        if let Some(us) = &self.potential {
            let umin = us.iter().cloned().fold(f64::INFINITY, f64::min);
            return Some(self.normalised(us.iter().map(|u| (-(u - umin)).exp()).collect()));
        }
        if self.boundary == Boundary::Reflecting {
            let n = self.grid.n;
            let mut lp = vec![0.0; n];
            for i in 0..n - 1 {
                lp[i + 1] = lp[i] + (self.alpha[i] / self.beta[i]).ln();
            }
            let mx = lp.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            return Some(self.normalised(lp.iter().map(|v| (v - mx).exp()).collect()));
        }
        None
    }

    /// Inverse iteration with a huge step: $(I - \tau L)p_{k+1} = p_k$, $\tau = 10^8/\max|L_{ii}|$,
    /// converges to the null vector of $L$ (the periodic stationary state).
    fn stationary_by_inverse_iteration(&self) -> Result<StationaryState> {
        let n = self.grid.n;
        let (l, d, u, tr, bl) = self.generator();
        let scale = d.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
        let tau = 1e8 / scale;
        let dd: Vec<f64> = d.iter().map(|v| 1.0 - tau * v).collect();
        let ll: Vec<f64> = l.iter().map(|v| -tau * v).collect();
        let uu: Vec<f64> = u.iter().map(|v| -tau * v).collect();
        let solver = CyclicTridiag::new(&ll, &dd, &uu, -tau * tr, -tau * bl)?;
        let mut p = vec![1.0; n];
        let (mut best, mut since_best) = (f64::INFINITY, 0usize);
        for sweep in 1..=STATIONARY_MAX_SWEEPS {
            solver.solve(&mut p)?;
            p = self.normalised(p);
            let residual = self.stationary_residual(&p)?;
            if !residual.is_finite() {
                return Err(ThermoError::NotConverged {
                    what: "periodic stationary state",
                    residual,
                    iterations: sweep,
                });
            }
            // Below the tolerance, keep sweeping while it still halves the residual: the answer is
            // then at the round-off floor, not just at the tolerance.
            if residual <= STATIONARY_TOL && residual >= 0.5 * best {
                return Ok(StationaryState {
                    density: p,
                    residual,
                    sweeps: sweep,
                });
            }
            if residual < 0.5 * best {
                (best, since_best) = (residual, 0);
            } else {
                since_best += 1;
                if since_best > 200 {
                    return Err(ThermoError::NotConverged {
                        what: "periodic stationary state (stalled)",
                        residual,
                        iterations: sweep,
                    });
                }
            }
        }
        Err(ThermoError::NotConverged {
            what: "periodic stationary state",
            residual: self.stationary_residual(&p)?,
            iterations: STATIONARY_MAX_SWEEPS,
        })
    }

    fn normalised(&self, mut p: Vec<f64>) -> Vec<f64> {
        let m = self.grid.mass(&p);
        p.iter_mut().for_each(|v| *v /= m);
        p
    }

    /// The slowest relaxation rate $\lambda_1$ (smallest non-zero eigenvalue of $-L$) of a reflecting
    /// potential operator, by inverse iteration on the symmetrised operator
    /// $S = P^{-1/2} L P^{1/2}$ deflated against $\sqrt{p_{eq}}$. For a symmetric double well the
    /// escape rate out of one well is $\lambda_1/2$.
    ///
    /// # Errors
    /// Periodic or non-potential operator ([`ThermoError::UnsupportedScheme`]), singular solve.
    pub fn relaxation_rate(&self) -> Result<f64> {
        if self.potential.is_none() || self.boundary != Boundary::Reflecting {
            return Err(ThermoError::UnsupportedScheme {
                scheme: "relaxation_rate",
                requirement: "a reflecting operator built from a potential",
            });
        }
        let n = self.grid.n;
        let peq = self.stationary()?;
        let s: Vec<f64> = peq.iter().map(|v| v.sqrt()).collect();
        let (l, d, u, _, _) = self.generator();
        // Symmetrised: S_{i,i+1} = u_i s_{i+1}/s_i = S_{i+1,i} = l_{i+1} s_i/s_{i+1} (detailed balance), so
        // S_{i,i+1} = sqrt(u_i l_{i+1}): no division by the (possibly tiny) Boltzmann weights.
        let off: Vec<f64> = (0..n - 1).map(|i| -(u[i] * l[i + 1]).sqrt()).collect();
        let nd: Vec<f64> = d.iter().map(|v| -v).collect();
        // A = -S + sigma I with a small positive shift to make it definite.
        let sigma = 1e-12 * nd.iter().cloned().fold(0.0, f64::max);
        let lower: Vec<f64> = (0..n).map(|i| if i == 0 { 0.0 } else { off[i - 1] }).collect();
        let upper: Vec<f64> = (0..n).map(|i| if i + 1 < n { off[i] } else { 0.0 }).collect();
        let diag: Vec<f64> = nd.iter().map(|v| v + sigma).collect();
        let a = Tridiag::new(&lower, &diag, &upper)?;
        let snorm = s.iter().map(|v| v * v).sum::<f64>().sqrt();
        let e0: Vec<f64> = s.iter().map(|v| v / snorm).collect();
        let deflate = |v: &mut Vec<f64>| {
            let c: f64 = v.iter().zip(&e0).map(|(a, b)| a * b).sum();
            v.iter_mut().zip(&e0).for_each(|(a, b)| *a -= c * b);
            let nr = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            v.iter_mut().for_each(|a| *a /= nr);
        };
        let mut v: Vec<f64> = (0..n).map(|i| self.grid.centre(i)).collect();
        deflate(&mut v);
        for _ in 0..60 {
            a.solve(&mut v)?;
            deflate(&mut v);
        }
        // Rayleigh quotient v^T (-S) v.
        let mut rq = 0.0;
        for i in 0..n {
            let mut sv = nd[i] * v[i];
            if i > 0 {
                sv += off[i - 1] * v[i - 1];
            }
            if i + 1 < n {
                sv += off[i] * v[i + 1];
            }
            rq += v[i] * sv;
        }
        Ok(rq)
    }
}

/// The largest stiffness $\theta\\,\Delta t\max_i|L_{ii}|$ a [`Stepper1d`] accepts. The mass error of a
/// step grows as (stiffness) × (a few ulp): measured $3.5\cdot10^{-9}$-$6.6\cdot10^{-9}$ at $10^8$ and
/// $10^{-5}$-$10^{-4}$ at $10^{12}$ on 14 cells (4 steps), and at $10^{16}$ the identity in
/// $I - \theta\Delta t L$ is lost altogether (a fuzz finding: $10^{26}$ lost the whole mass). At
/// $10^8$ mass stays conserved to $10^{-8}$.
pub const MAX_STIFFNESS: f64 = 1e8;

/// Time-stepping method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Backward Euler ($\theta = 1$): first order, L-stable, positivity preserving.
    BackwardEuler,
    /// Crank-Nicolson ($\theta = 1/2$): second order.
    CrankNicolson,
}

#[derive(Debug, Clone, PartialEq)]
enum Factor {
    Plain(Tridiag),
    Cyclic(CyclicTridiag),
}

/// An implicit stepper with the matrix $I - \theta\Delta t L$ factorised once.
#[derive(Debug, Clone, PartialEq)]
pub struct Stepper1d {
    n: usize,
    dt: f64,
    theta: f64,
    factor: Factor,
    /// Explicit part $(1-\theta)\Delta t\\,L$: lower, diagonal, upper, corners.
    el: Vec<f64>,
    ed: Vec<f64>,
    eu: Vec<f64>,
    etr: f64,
    ebl: f64,
    work: Vec<f64>,
    /// The opt-in partitioned solve ([`Stepper1d::with_split`]).
    split: Option<SplitTridiag>,
}

impl Stepper1d {
    /// Factorise for step `dt`.
    ///
    /// # Errors
    /// `dt <= 0`, a singular matrix, or a stiffness $\theta\\,\Delta t\max_i|L_{ii}|$ above
    /// [`MAX_STIFFNESS`] ([`ThermoError::InvalidParameter`] with the stiffness).
    pub fn new(op: &FokkerPlanck1d, dt: f64, method: Method) -> Result<Self> {
        check_dt(dt)?;
        let theta = match method {
            Method::BackwardEuler => 1.0,
            Method::CrankNicolson => 0.5,
        };
        let (l, d, u, tr, bl) = op.generator();
        let c = theta * dt;
        let stiffness = c * d.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if stiffness.is_nan() || stiffness > MAX_STIFFNESS {
            return Err(ThermoError::InvalidParameter {
                name: "theta dt max|L_ii| (stiffness)",
                value: stiffness,
                reason: "above 1e8 the identity is lost to round-off and the mass is not conserved",
            });
        }
        let ll: Vec<f64> = l.iter().map(|v| -c * v).collect();
        let uu: Vec<f64> = u.iter().map(|v| -c * v).collect();
        let dd: Vec<f64> = d.iter().map(|v| 1.0 - c * v).collect();
        let factor = match op.boundary {
            Boundary::Reflecting => Factor::Plain(Tridiag::new(&ll, &dd, &uu)?),
            Boundary::Periodic => Factor::Cyclic(CyclicTridiag::new(&ll, &dd, &uu, -c * tr, -c * bl)?),
        };
        let e = (1.0 - theta) * dt;
        Ok(Self {
            n: op.grid.n,
            dt,
            theta,
            factor,
            el: l.iter().map(|v| e * v).collect(),
            ed: d.iter().map(|v| e * v).collect(),
            eu: u.iter().map(|v| e * v).collect(),
            etr: e * tr,
            ebl: e * bl,
            work: vec![0.0; op.grid.n],
            split: None,
        })
    }

    /// As [`Stepper1d::new`], but every step uses the partitioned solve [`SplitTridiag`] with `lanes`
    /// blocks (2, 4 or 8) in place of the twisted Thomas solve: $P$ independent recurrences instead of
    /// two, so the step is not bound by one latency chain. Crank-Nicolson steps take the Cayley form
    /// $p \leftarrow 2(I - \tfrac12\Delta t L)^{-1}p - p$, equal to
    /// $(I - \tfrac12\Delta t L)^{-1}(I + \tfrac12\Delta t L)p$ in exact arithmetic, with no explicit
    /// product. The result differs from [`Stepper1d::new`]'s by round-off only (the tests bound it);
    /// the default stays the serial solve so that existing results keep their bits.
    ///
    /// # Errors
    /// As [`Stepper1d::new`]; [`ThermoError::UnsupportedScheme`] on a periodic grid (the cyclic
    /// corners are not partitioned); the errors of [`SplitTridiag::new`] (`lanes`, $n < 2P$).
    pub fn with_split(op: &FokkerPlanck1d, dt: f64, method: Method, lanes: usize) -> Result<Self> {
        let mut st = Self::new(op, dt, method)?;
        if op.boundary != Boundary::Reflecting {
            return Err(ThermoError::UnsupportedScheme {
                scheme: "partitioned tridiagonal solve",
                requirement: "a reflecting grid (periodic grids use Stepper1d::new)",
            });
        }
        let (l, d, u, _, _) = op.generator();
        let c = st.theta * dt;
        let ll: Vec<f64> = l.iter().map(|v| -c * v).collect();
        let uu: Vec<f64> = u.iter().map(|v| -c * v).collect();
        let dd: Vec<f64> = d.iter().map(|v| 1.0 - c * v).collect();
        st.split = Some(SplitTridiag::new(&ll, &dd, &uu, lanes)?);
        Ok(st)
    }

    /// The time step.
    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// Advance `p` by one step.
    ///
    /// # Errors
    /// [`ThermoError::DimensionMismatch`] if `p` does not fit the grid; [`ThermoError::NonFiniteCell`]
    /// (step 0) if `p` holds a non-finite value, or (step 1) if the step produced one.
    pub fn step(&mut self, p: &mut [f64]) -> Result<()> {
        check_len("density", self.n, p.len())?;
        first_non_finite(p, 0, 0.0)?;
        self.step_unchecked(p)?;
        first_non_finite(p, 1, self.dt)
    }

    fn step_unchecked(&mut self, p: &mut [f64]) -> Result<()> {
        let n = self.n;
        check_len("density", n, p.len())?;
        if let Some(s) = &mut self.split {
            // theta is 1 (solve) or 1/2 (the Cayley form of the Crank-Nicolson step).
            s.solve_unchecked(p, self.theta < 1.0);
            return Ok(());
        }
        if self.theta < 1.0 {
            if let Factor::Plain(t) = &self.factor {
                let e = Explicit {
                    l: &self.el,
                    d: &self.ed,
                    u: &self.eu,
                    tr: self.etr,
                    bl: self.ebl,
                };
                // One pass: the right-hand side p + (1 - theta) dt L p formed inside the elimination
                // (bit for bit the two-pass step below).
                if t.solve_explicit_unchecked(p, &e).is_some() {
                    return Ok(());
                }
            }
            // p + (1 - theta) dt L p, as a vectorisable tridiagonal product.
            let w = &mut self.work[..n];
            let (el, ed, eu) = (&self.el[..n], &self.ed[..n], &self.eu[..n]);
            for i in 1..n - 1 {
                w[i] = p[i] + el[i] * p[i - 1] + ed[i] * p[i] + eu[i] * p[i + 1];
            }
            w[0] = p[0] + ed[0] * p[0] + eu[0] * p[1] + self.etr * p[n - 1];
            w[n - 1] = p[n - 1] + el[n - 1] * p[n - 2] + ed[n - 1] * p[n - 1] + self.ebl * p[0];
            p.copy_from_slice(w);
        }
        match &self.factor {
            // The stepper checks its state for finiteness itself (step/run).
            Factor::Plain(t) => t.solve_unchecked(p)?,
            Factor::Cyclic(t) => t.solve_unchecked(p)?,
        }
        Ok(())
    }

    /// One backward-Euler step in increment form, $p \leftarrow p + \delta$ with
    /// $(I - \Delta t L)\delta = \Delta t\\,Lp$ and $Lp$ in flux form ([`FokkerPlanck1d::apply`]): the same
    /// step as [`Stepper1d::step`] in exact arithmetic, but the round-off of the mass is proportional to
    /// $|\delta|$ instead of $|p|$ (near a stationary state far below one ulp per step). `op` must be the
    /// operator this stepper was built from; for Crank-Nicolson it falls back to [`Stepper1d::step`].
    pub(crate) fn step_increment(
        &mut self,
        op: &FokkerPlanck1d,
        p: &mut [f64],
        work: &mut [f64],
    ) -> Result<()> {
        if self.theta < 1.0 {
            return self.step(p);
        }
        let n = self.n;
        check_len("density", n, p.len())?;
        let w = &mut work[..n];
        op.apply(p, w)?;
        w.iter_mut().for_each(|v| *v *= self.dt);
        if let Some(s) = &mut self.split {
            s.solve_unchecked(w, false);
            p.iter_mut().zip(w.iter()).for_each(|(a, d)| *a += d);
            return Ok(());
        }
        match &self.factor {
            Factor::Plain(t) => t.solve_unchecked(w)?,
            Factor::Cyclic(t) => t.solve_unchecked(w)?,
        }
        p.iter_mut().zip(w.iter()).for_each(|(a, d)| *a += d);
        Ok(())
    }

    /// Advance `p` by `n` steps.
    ///
    /// # Errors
    /// As [`Stepper1d::step`], with the step (1-based) and time after which the first non-finite cell
    /// appeared.
    pub fn run(&mut self, p: &mut [f64], n: usize) -> Result<()> {
        check_len("density", self.n, p.len())?;
        first_non_finite(p, 0, 0.0)?;
        for k in 1..=n {
            self.step_unchecked(p)?;
            first_non_finite(p, k, k as f64 * self.dt)?;
        }
        Ok(())
    }
}

/// Whether every entry is finite: $v \cdot 0 = 0$ exactly for finite $v$ and NaN for $\pm\infty$ and
/// NaN, summed in 8 independent accumulators (branch-free, so it vectorises; a NaN sticks).
#[inline]
fn all_finite(p: &[f64]) -> bool {
    let mut acc = [0.0f64; 8];
    let chunks = p.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..8 {
            acc[i] += c[i] * 0.0;
        }
    }
    acc.iter().chain(rest).all(|v| v.is_finite())
}

/// [`ThermoError::NonFiniteCell`] at the first non-finite cell of `p`.
fn first_non_finite(p: &[f64], step: usize, t: f64) -> Result<()> {
    if all_finite(p) {
        return Ok(());
    }
    match p.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(cell) => Err(ThermoError::NonFiniteCell {
            what: "density",
            cell,
            step,
            t,
            value: p[cell],
        }),
    }
}

/// The two terms of the entropy balance N2.8 on a grid and their sum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntropyBalance {
    /// Stochastic production $D\int \partial p\\,\partial\ln p = 4D\int (\partial\sqrt p)^2 \ge 0$.
    pub production: f64,
    /// Learning term $-\gamma\int p\\,\Delta F$ (negative where $\Delta F > 0$: destruction).
    pub learning: f64,
}

impl EntropyBalance {
    /// Predicted $dS/dt$ = production + learning term.
    pub fn rate(&self) -> f64 {
        self.production + self.learning
    }
}

/// Entropy balance of density `p` (THEORY.md N2.8): production
/// $D\sum_{i} (p_{i+1}-p_i)(\ln p_{i+1} - \ln p_i)/h$ (a positive discretisation of
/// $D\int (\partial_x p)^2/p$) and learning term $-\gamma h\sum_i p_i (\Delta F)\_i$, with $(\Delta F)\_i$ given.
///
/// # Errors
/// Mismatched lengths, $D \le 0$.
pub fn entropy_balance(
    grid: &Grid1d,
    p: &[f64],
    diffusion: f64,
    gamma: f64,
    lap_f: &[f64],
) -> Result<EntropyBalance> {
    check_len("density", grid.n, p.len())?;
    check_len("laplacian of F", grid.n, lap_f.len())?;
    check_diffusion(diffusion)?;
    let h = grid.h();
    let tiny = f64::MIN_POSITIVE;
    let mut prod = 0.0;
    for i in 0..grid.n - 1 {
        let (a, b) = (p[i].max(tiny), p[i + 1].max(tiny));
        prod += (b - a) * (b.ln() - a.ln());
    }
    let production = diffusion * prod / h;
    let learning = -gamma * h * p.iter().zip(lap_f).map(|(a, b)| a * b).sum::<f64>();
    Ok(EntropyBalance { production, learning })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bernoulli_identity() {
        for z in [-30.0, -2.0, -1e-9, 0.0, 1e-9, 0.3, 5.0, 40.0] {
            let lhs = bernoulli(-z);
            let rhs = z.exp() * bernoulli(z);
            assert!((lhs - rhs).abs() <= 1e-13 * lhs.abs().max(1.0), "{z}");
        }
    }

    #[test]
    fn boltzmann_is_stationary_and_current_free() {
        let g = Grid1d::new(-2.5, 2.5, 200).unwrap();
        let f = |x: f64| (x * x - 1.0).powi(2);
        let op = FokkerPlanck1d::from_potential(g, 0.3, Boundary::Reflecting, f).unwrap();
        let p = op.stationary().unwrap();
        // Discrete Boltzmann by construction: compare with exp(-U/D) normalised independently.
        let q = g.density(|x| (-f(x) / 0.3).exp());
        assert!(p.iter().zip(&q).all(|(a, b)| (a - b).abs() < 1e-13 * b.max(1.0)));
        let j = op.current(&p).unwrap();
        // Flux = difference of two O(D/h * p) terms; round-off relative to them ~1e-15.
        assert!(j.iter().all(|v| v.abs() < 1e-13));
        let mut lp = vec![0.0; g.n];
        op.apply(&p, &mut lp).unwrap();
        assert!(lp.iter().all(|v| v.abs() < 1e-11));
    }

    #[test]
    fn mass_conserved_both_methods_and_boundaries() {
        let g = Grid1d::new(0.0, 1.0, 64).unwrap();
        for bc in [Boundary::Reflecting, Boundary::Periodic] {
            let op = FokkerPlanck1d::from_drift(g, 0.05, bc, |x| (6.0 * x).sin() + 0.7).unwrap();
            for m in [Method::BackwardEuler, Method::CrankNicolson] {
                let mut st = Stepper1d::new(&op, 0.01, m).unwrap();
                let mut p = g.density(|x| (-(x - 0.3).powi(2) / 0.01).exp());
                st.run(&mut p, 500).unwrap();
                // 500 steps of O(n) round-off: 1e-12 is a generous round-off bound.
                assert!((g.mass(&p) - 1.0).abs() < 1e-12, "{bc:?} {m:?}");
            }
        }
    }

    #[test]
    fn periodic_tilted_state_has_constant_current() {
        let g = Grid1d::new(0.0, 1.0, 128).unwrap();
        let two_pi = 2.0 * std::f64::consts::PI;
        let op = FokkerPlanck1d::from_drift(g, 0.1, Boundary::Periodic, |x| {
            0.5 * two_pi * (two_pi * x).sin() + 1.0
        })
        .unwrap();
        let p = op.stationary().unwrap();
        let j = op.current(&p).unwrap();
        let j0 = j[0];
        assert!(j0 > 0.0);
        assert!(j.iter().all(|v| (v - j0).abs() < 1e-9 * j0.abs()));
        // Periodic gradient drift: stationary state is Boltzmann and current vanishes.
        let op =
            FokkerPlanck1d::from_potential(g, 0.1, Boundary::Periodic, |x| (two_pi * x).cos() * 0.3).unwrap();
        let p = op.stationary().unwrap();
        assert!(op.current(&p).unwrap().iter().all(|v| v.abs() < 1e-12));
    }

    #[test]
    fn periodic_stationary_state_keeps_its_accuracy_on_fine_grids() {
        // A constant drift on a ring: the Scharfetter-Gummel fluxes make the uniform density exactly
        // stationary with J = v/L, so any deviation is the solver's. The old fixed four sweeps gave a
        // current error of 2.6e-2 at 32,000 cells; iterating to the stated residual must not.
        for n in [2_000usize, 32_000] {
            let g = Grid1d::new(0.0, 1.0, n).unwrap();
            let two_pi = 2.0 * std::f64::consts::PI;
            let op = FokkerPlanck1d::from_drift(g, 0.1, Boundary::Periodic, |x| {
                0.5 * two_pi * (two_pi * x).sin() + 1.0
            })
            .unwrap();
            let st = op.stationary_state().unwrap();
            assert!(st.residual <= STATIONARY_TOL, "n = {n}: residual {}", st.residual);
            let j = op.current(&st.density).unwrap();
            let j0 = j.iter().sum::<f64>() / j.len() as f64;
            let spread = j.iter().fold(0.0_f64, |a, v| a.max((v - j0).abs())) / j0.abs();
            assert!(spread < 1e-6, "n = {n}: relative current spread {spread:e}");
            let flat = FokkerPlanck1d::from_drift(g, 0.1, Boundary::Periodic, |_| 0.7).unwrap();
            let p = flat.stationary().unwrap();
            assert!(p.iter().all(|v| (v - 1.0).abs() < 1e-9), "n = {n}: uniform state");
        }
    }

    #[test]
    fn non_finite_density_and_bypassed_grids_are_typed_errors() {
        let g = Grid1d::new(0.0, 1.0, 16).unwrap();
        let op = FokkerPlanck1d::from_potential(g, 0.5, Boundary::Reflecting, |x| x * x).unwrap();
        let mut st = Stepper1d::new(&op, 1e-3, Method::BackwardEuler).unwrap();
        let mut p = vec![1.0; 16];
        p[5] = f64::NAN;
        let e = st.run(&mut p, 10).unwrap_err();
        assert!(
            matches!(e, ThermoError::NonFiniteCell { cell: 5, step: 0, .. }),
            "{e:?}"
        );
        assert!(matches!(
            Grid1d::new(0.0, 1.0, usize::MAX),
            Err(ThermoError::TooLarge { .. })
        ));
    }

    #[test]
    fn errors() {
        let g = Grid1d::new(0.0, 1.0, 10).unwrap();
        assert!(matches!(
            FokkerPlanck1d::from_drift(g, -1.0, Boundary::Reflecting, |_| 0.0),
            Err(ThermoError::NegativeDiffusion { .. })
        ));
        assert!(matches!(
            FokkerPlanck1d::from_drift(g, 1.0, Boundary::Reflecting, |_| f64::NAN),
            Err(ThermoError::NonFiniteValue { .. })
        ));
        let op = FokkerPlanck1d::from_drift(g, 1.0, Boundary::Reflecting, |_| 0.0).unwrap();
        assert!(matches!(
            Stepper1d::new(&op, 0.0, Method::BackwardEuler),
            Err(ThermoError::InvalidTimeStep { .. })
        ));
        let mut st = Stepper1d::new(&op, 0.1, Method::BackwardEuler).unwrap();
        assert!(matches!(
            st.step(&mut [1.0; 3]),
            Err(ThermoError::DimensionMismatch { .. })
        ));
        assert!(Grid1d::new(0.0, 1.0, 2).is_err());
        assert!(entropy_balance(&g, &[1.0; 10], 1.0, 1.0, &[0.0; 9]).is_err());
    }

    #[test]
    fn relaxation_rate_of_ou_is_k() {
        // OU with U = k x^2/2: the spectrum of -L is {0, k, 2k, ...}; SG is second order in h.
        let g = Grid1d::new(-8.0, 8.0, 800).unwrap();
        let op = FokkerPlanck1d::from_potential(g, 1.0, Boundary::Reflecting, |x| 0.5 * 1.5 * x * x).unwrap();
        let r = op.relaxation_rate().unwrap();
        assert!((r - 1.5).abs() < 1e-3, "{r}");
    }
}
