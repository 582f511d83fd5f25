//! The direct Madelung solver in $(\ln\rho, v)$ for nodeless 1D states, with breakdown detection.

use num_complex::Complex64;

use crate::error::{QuantumError, Result, check_dt, check_positive};
use crate::grid::{Grid, Units};
use crate::potential::Potential;

/// Why the direct Madelung solver stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    /// Time of detection.
    pub time: f64,
    /// What was detected.
    pub reason: String,
    /// $\min\rho/\max\rho$ inside the support at detection.
    pub min_density_ratio: f64,
}

/// The result of [`MadelungSolver1D::evolve`].
#[derive(Debug, Clone, PartialEq)]
pub struct MadelungOutcome {
    /// Time reached.
    pub time: f64,
    /// Steps taken.
    pub steps: usize,
    /// `Some` if the description broke down (the state is then the last regular one).
    pub breakdown: Option<Breakdown>,
}

impl MadelungOutcome {
    /// The breakdown as an error, for callers that treat it as a failure.
    ///
    /// # Errors
    /// [`QuantumError::MadelungBreakdown`] if the solver broke down.
    pub fn into_result(self) -> Result<Self> {
        match &self.breakdown {
            Some(b) => Err(QuantumError::MadelungBreakdown {
                time: b.time,
                reason: b.reason.clone(),
            }),
            None => Ok(self),
        }
    }
}

/// 5-point finite-difference weights (derivative order 1 and 2) at node `p` of a window of 5 points.
fn fd_weights(p: usize) -> ([f64; 5], [f64; 5]) {
    // Lagrange basis on nodes 0..5 evaluated at node p (unit spacing), derivatives via exact formulas.
    let nodes = [0.0, 1.0, 2.0, 3.0, 4.0];
    let x = p as f64;
    let mut d1 = [0.0; 5];
    let mut d2 = [0.0; 5];
    for j in 0..5 {
        let denom: f64 = (0..5).filter(|&m| m != j).map(|m| nodes[j] - nodes[m]).product();
        let others: Vec<f64> = (0..5).filter(|&m| m != j).map(|m| nodes[m]).collect();
        // d/dx prod (x - o_i) and d2/dx2.
        let mut s1 = 0.0;
        let mut s2 = 0.0;
        for a in 0..4 {
            let mut prod_a = 1.0;
            for b in 0..4 {
                if b != a {
                    prod_a *= x - others[b];
                }
            }
            s1 += prod_a;
            for b in 0..4 {
                if b == a {
                    continue;
                }
                let mut prod_ab = 1.0;
                for c in 0..4 {
                    if c != a && c != b {
                        prod_ab *= x - others[c];
                    }
                }
                s2 += prod_ab;
            }
        }
        d1[j] = s1 / denom;
        d2[j] = s2 / denom;
    }
    (d1, d2)
}

/// $\ln$ of the density ratio below which fields are continued, not evolved.
const WINDOW_LOG: f64 = 20.0;
/// Points in the least-squares continuation fit.
const FIT: usize = 12;

/// Direct solver of the 1D Madelung equations in $(L = \ln\rho, v)$ form (see the module docs).
#[derive(Debug, Clone)]
pub struct MadelungSolver1D {
    x: Vec<f64>,
    dx: f64,
    units: Units,
    dvdx: Vec<f64>,
    l: Vec<f64>,
    u: Vec<f64>,
    time: f64,
    dt: f64,
    node_ratio: f64,
    support_ratio: f64,
    w1: [[f64; 5]; 5],
    w2: [[f64; 5]; 5],
    filter: f64,
    mass0: f64,
    mass_tol: f64,
}

/// Fourth-difference (Shapiro) filter $f_i \leftarrow f_i - \frac{\alpha}{16}\delta^4 f_i$ on the
/// interior: damps the grid-scale mode by $1-\alpha$ per application and leaves cubic polynomials
/// (hence the quadratic $\ln\rho$ and linear $v$ of any Gaussian) unchanged.
fn shapiro(f: &mut [f64], alpha: f64) {
    if alpha == 0.0 || f.len() < 5 {
        return;
    }
    let g = f.to_vec();
    for i in 2..f.len() - 2 {
        let d4 = g[i - 2] - 4.0 * g[i - 1] + 6.0 * g[i] - 4.0 * g[i + 1] + g[i + 2];
        f[i] = g[i] - alpha / 16.0 * d4;
    }
}

impl MadelungSolver1D {
    /// A solver on the points of `grid` (used as a non-periodic interval) for `potential` (static),
    /// from $L = \ln\rho$ and $v$ at the grid points, with RK4 step `dt`.
    ///
    /// # Errors
    /// [`QuantumError::SizeMismatch`], [`QuantumError::NonFiniteState`] for non-finite fields,
    /// [`QuantumError::NonFinitePotential`], [`QuantumError::InvalidTimeStep`], bad units, or a grid
    /// with fewer than 5 points ([`QuantumError::GridTooSmall`]).
    pub fn new(
        grid: &Grid<1>,
        units: Units,
        potential: &dyn Potential<1>,
        log_rho: Vec<f64>,
        velocity: Vec<f64>,
        dt: f64,
    ) -> Result<Self> {
        units.validate()?;
        check_dt(dt)?;
        let n = grid.len();
        if n < 5 {
            return Err(QuantumError::GridTooSmall {
                axis: 0,
                points: n,
                min: 5,
            });
        }
        grid.check_len(log_rho.len())?;
        grid.check_len(velocity.len())?;
        if let Some(index) = log_rho.iter().chain(&velocity).position(|v| !v.is_finite()) {
            return Err(QuantumError::NonFiniteState { index: index % n });
        }
        let x = grid.axis(0);
        let mut vpot = Vec::with_capacity(n);
        for (i, xi) in x.iter().enumerate() {
            let v = potential.value(&[*xi], 0.0);
            if !v.is_finite() {
                return Err(QuantumError::NonFinitePotential { index: i, value: v });
            }
            vpot.push(v);
        }
        let mut w1 = [[0.0; 5]; 5];
        let mut w2 = [[0.0; 5]; 5];
        for p in 0..5 {
            let (a, b) = fd_weights(p);
            w1[p] = a;
            w2[p] = b;
        }
        let dx = grid.spacing()[0];
        let mut s = Self {
            x,
            dx,
            units,
            dvdx: Vec::new(),
            l: log_rho,
            u: velocity,
            time: 0.0,
            dt,
            node_ratio: 1e-8,
            support_ratio: 1e-6,
            w1,
            w2,
            filter: 0.5,
            mass0: 0.0,
            mass_tol: 1e-6,
        };
        s.dvdx = s.d1(&vpot);
        s.mass0 = s.mass(&s.l);
        Ok(s)
    }

    /// A solver initialised from $\psi$ and $\psi'$ given in closed form: $L = \ln|\psi|^2$,
    /// $v = (\hbar/m)\\,\mathrm{Im}(\psi'/\psi)$.
    ///
    /// # Errors
    /// As [`MadelungSolver1D::new`]; [`QuantumError::NonFiniteState`] where $\psi = 0$ (a node: the
    /// Madelung fields do not exist there).
    pub fn from_closed_form(
        grid: &Grid<1>,
        units: Units,
        potential: &dyn Potential<1>,
        psi: impl Fn(f64) -> (Complex64, Complex64),
        dt: f64,
    ) -> Result<Self> {
        units.validate()?;
        let (mut l, mut u) = (Vec::new(), Vec::new());
        for x in grid.axis(0) {
            let (p, dp) = psi(x);
            l.push(p.norm_sqr().ln());
            u.push(units.hbar / units.mass * (dp / p).im);
        }
        Self::new(grid, units, potential, l, u, dt)
    }

    /// Set the node detection thresholds: a node is a point between the first and last point with
    /// $\rho > $ `support_ratio` $\max\rho$ where $\rho <$ `node_ratio` $\max\rho$.
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] unless `0 < node_ratio < support_ratio < 1`.
    pub fn with_node_thresholds(mut self, node_ratio: f64, support_ratio: f64) -> Result<Self> {
        check_positive("node_ratio", node_ratio)?;
        if !(node_ratio < support_ratio && support_ratio < 1.0) {
            return Err(QuantumError::InvalidParameter {
                name: "support_ratio",
                value: support_ratio,
                reason: "need node_ratio < support_ratio < 1",
            });
        }
        self.node_ratio = node_ratio;
        self.support_ratio = support_ratio;
        Ok(self)
    }

    /// Set the strength $\alpha \in [0, 1]$ of the grid-scale filter applied after each step (default
    /// 0.5). In $\ln\rho$ variables perturbations in the tails grow at the rate
    /// $\sim\hbar|\partial_x\ln\rho|\\,k/4m$ (a small absolute error of $\psi$ is a large error of
    /// $\ln\rho$ where $\rho$ is tiny); the filter removes those grid-scale modes.
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] for $\alpha \notin [0, 1]$.
    pub fn with_filter(mut self, alpha: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&alpha) {
            return Err(QuantumError::InvalidParameter {
                name: "alpha",
                value: alpha,
                reason: "filter strength must be in [0, 1]",
            });
        }
        self.filter = alpha;
        Ok(self)
    }

    /// Set the relative mass change $|\int\rho/\int\rho_0 - 1|$ that counts as a breakdown (default
    /// $10^{-6}$; the $\ln\rho$ form is not conservative, so under-resolved fields drift in mass).
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] unless finite and positive.
    pub fn with_mass_tolerance(mut self, tol: f64) -> Result<Self> {
        check_positive("mass_tol", tol)?;
        self.mass_tol = tol;
        Ok(self)
    }

    fn deriv(&self, f: &[f64], w: &[[f64; 5]; 5], scale: f64) -> Vec<f64> {
        let n = f.len();
        (0..n)
            .map(|i| {
                let (start, p) = if i < 2 {
                    (0, i)
                } else if i + 2 >= n {
                    (n - 5, i - (n - 5))
                } else {
                    (i - 2, 2)
                };
                (0..5).map(|j| w[p][j] * f[start + j]).sum::<f64>() * scale
            })
            .collect()
    }

    fn d1(&self, f: &[f64]) -> Vec<f64> {
        self.deriv(f, &self.w1, 1.0 / self.dx)
    }

    fn d2(&self, f: &[f64]) -> Vec<f64> {
        self.deriv(f, &self.w2, 1.0 / (self.dx * self.dx))
    }

    /// Active window: points with $L > L_\max - 20$ ($\rho > 2\times10^{-9}\max\rho$), at least 24
    /// points wide; outside it $L$ is continued by the least-squares quadratic and $v$ by the least-squares line
    /// through the 12 window points nearest the edge (exact for Gaussian states). The far tails carry no
    /// probability, and one-sided dispersive stencils there are unstable.
    fn extend(&self, l: &mut [f64], u: &mut [f64]) -> (usize, usize) {
        let n = l.len();
        let lmax = l.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let thr = lmax - WINDOW_LOG;
        let mut a = l.iter().position(|v| *v > thr).unwrap_or(0);
        let mut b = l.iter().rposition(|v| *v > thr).unwrap_or(n - 1);
        a = a.saturating_sub(2);
        b = (b + 2).min(n - 1);
        if b < a + 2 * FIT {
            return (0, n - 1);
        }
        let fit = |vals: &[f64], deg: usize| -> [f64; 3] {
            // Least squares on s = 0..6 for degree 1 or 2 (normal equations, tiny and well conditioned).
            let m = vals.len();
            let k = deg + 1;
            let mut ata = [[0.0; 3]; 3];
            let mut atb = [0.0; 3];
            for (s, v) in vals.iter().enumerate() {
                let sv = s as f64;
                let basis = [1.0, sv, sv * sv];
                for r in 0..k {
                    atb[r] += basis[r] * v;
                    for c in 0..k {
                        ata[r][c] += basis[r] * basis[c];
                    }
                }
            }
            let _ = m;
            // Gaussian elimination.
            let mut x = [0.0; 3];
            for col in 0..k {
                for row in col + 1..k {
                    let f = ata[row][col] / ata[col][col];
                    for c in col..k {
                        ata[row][c] -= f * ata[col][c];
                    }
                    atb[row] -= f * atb[col];
                }
            }
            for row in (0..k).rev() {
                let mut sum = atb[row];
                for c in row + 1..k {
                    sum -= ata[row][c] * x[c];
                }
                x[row] = sum / ata[row][row];
            }
            x
        };
        let eval = |c: &[f64; 3], s: f64| c[0] + c[1] * s + c[2] * s * s;
        if a > 0 {
            let cl = fit(&l[a..a + FIT], 2);
            let cu = fit(&u[a..a + FIT], 1);
            for i in 0..a {
                let s = i as f64 - a as f64;
                l[i] = eval(&cl, s);
                u[i] = eval(&cu, s);
            }
        }
        if b < n - 1 {
            let cl = fit(&l[b + 1 - FIT..=b], 2);
            let cu = fit(&u[b + 1 - FIT..=b], 1);
            for i in b + 1..n {
                let s = i as f64 - (b + 1 - FIT) as f64;
                l[i] = eval(&cl, s);
                u[i] = eval(&cu, s);
            }
        }
        (a, b)
    }

    fn rhs(&self, l: &[f64], u: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut l = l.to_vec();
        let mut u = u.to_vec();
        let (a, b) = self.extend(&mut l, &mut u);
        let (l, u) = (&l[..], &u[..]);
        let lx = self.d1(l);
        let lxx = self.d2(l);
        let ux = self.d1(u);
        let c = self.units.hbar * self.units.hbar / (2.0 * self.units.mass);
        let q: Vec<f64> = lx
            .iter()
            .zip(&lxx)
            .map(|(a, b)| -c * (0.5 * b + 0.25 * a * a))
            .collect();
        let qx = self.d1(&q);
        let m = self.units.mass;
        let inside = |i: usize| i >= a && i <= b;
        let dl = (0..l.len())
            .map(|i| if inside(i) { -u[i] * lx[i] - ux[i] } else { 0.0 })
            .collect();
        let du = (0..l.len())
            .map(|i| {
                if inside(i) {
                    -u[i] * ux[i] - (self.dvdx[i] + qx[i]) / m
                } else {
                    0.0
                }
            })
            .collect();
        (dl, du)
    }

    /// The grid points.
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    /// The current time.
    pub fn time(&self) -> f64 {
        self.time
    }

    /// $L = \ln\rho$.
    pub fn log_density(&self) -> &[f64] {
        &self.l
    }

    /// $\rho = e^L$.
    pub fn density(&self) -> Vec<f64> {
        self.l.iter().map(|l| l.exp()).collect()
    }

    /// The velocity $v$.
    pub fn velocity(&self) -> &[f64] {
        &self.u
    }

    fn mass(&self, l: &[f64]) -> f64 {
        l.iter().map(|v| v.exp()).sum::<f64>() * self.dx
    }

    fn check(&self, l: &[f64], u: &[f64]) -> Option<(String, f64)> {
        if let Some(i) = l.iter().chain(u).position(|v| !v.is_finite()) {
            return Some((format!("non-finite field at index {}", i % l.len()), 0.0));
        }
        // The continuity equation conserves the mass; a relative change above the tolerance signals
        // singular (or unresolved) fields.
        let m = self.mass(l);
        if !(m.is_finite() && (m / self.mass0 - 1.0).abs() < self.mass_tol) {
            return Some((
                format!(
                    "mass not conserved (relative change {:.2e})",
                    m / self.mass0 - 1.0
                ),
                0.0,
            ));
        }
        let lmax = l.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let ls = lmax + self.support_ratio.ln();
        let first = l.iter().position(|v| *v > ls);
        let last = l.iter().rposition(|v| *v > ls);
        let mut ratio = 1.0;
        if let (Some(a), Some(b)) = (first, last) {
            let lmin = l[a..=b].iter().cloned().fold(f64::INFINITY, f64::min);
            ratio = (lmin - lmax).exp();
            if lmin < lmax + self.node_ratio.ln() {
                let i = a + l[a..=b].iter().position(|v| *v == lmin).unwrap_or(0);
                return Some((
                    format!(
                        "node inside the support at x = {:.4} (rho/rho_max = {:.2e})",
                        self.x[i], ratio
                    ),
                    ratio,
                ));
            }
            let umax = u[a..=b].iter().fold(0.0f64, |m, v| m.max(v.abs()));
            if umax * self.dt / self.dx > 1.0 {
                return Some((
                    format!("velocity {umax:.3e} violates the CFL bound (singular flow near a node)"),
                    ratio,
                ));
            }
        }
        None.or(if ratio.is_nan() {
            Some(("NaN density".into(), ratio))
        } else {
            None
        })
    }

    /// Integrate to `t_end` (RK4 with the fixed step; the last step is shortened to land on `t_end`).
    /// Stops early, keeping the last regular state, if the description breaks down.
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] for a non-finite `t_end`.
    pub fn evolve(&mut self, t_end: f64) -> Result<MadelungOutcome> {
        crate::error::check_finite("t_end", t_end)?;
        let mut steps = 0;
        if let Some((reason, r)) = self.check(&self.l, &self.u) {
            return Ok(MadelungOutcome {
                time: self.time,
                steps,
                breakdown: Some(Breakdown {
                    time: self.time,
                    reason,
                    min_density_ratio: r,
                }),
            });
        }
        while self.time < t_end - 1e-12 * t_end.abs().max(1.0) {
            let h = self.dt.min(t_end - self.time);
            let n = self.l.len();
            let (k1l, k1u) = self.rhs(&self.l, &self.u);
            let stage =
                |a: &[f64], k: &[f64], c: f64| -> Vec<f64> { (0..n).map(|i| a[i] + c * k[i]).collect() };
            let (k2l, k2u) = self.rhs(&stage(&self.l, &k1l, 0.5 * h), &stage(&self.u, &k1u, 0.5 * h));
            let (k3l, k3u) = self.rhs(&stage(&self.l, &k2l, 0.5 * h), &stage(&self.u, &k2u, 0.5 * h));
            let (k4l, k4u) = self.rhs(&stage(&self.l, &k3l, h), &stage(&self.u, &k3u, h));
            let mut nl: Vec<f64> = (0..n)
                .map(|i| self.l[i] + h / 6.0 * (k1l[i] + 2.0 * k2l[i] + 2.0 * k3l[i] + k4l[i]))
                .collect();
            let mut nu: Vec<f64> = (0..n)
                .map(|i| self.u[i] + h / 6.0 * (k1u[i] + 2.0 * k2u[i] + 2.0 * k3u[i] + k4u[i]))
                .collect();
            shapiro(&mut nl, self.filter);
            shapiro(&mut nu, self.filter);
            self.extend(&mut nl, &mut nu);
            if let Some((reason, r)) = self.check(&nl, &nu) {
                return Ok(MadelungOutcome {
                    time: self.time,
                    steps,
                    breakdown: Some(Breakdown {
                        time: self.time + h,
                        reason,
                        min_density_ratio: r,
                    }),
                });
            }
            self.l = nl;
            self.u = nu;
            self.time += h;
            steps += 1;
        }
        Ok(MadelungOutcome {
            time: self.time,
            steps,
            breakdown: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fd_weights_exact_on_quartics() {
        for p in 0..5 {
            let (d1, d2) = fd_weights(p);
            let f = |x: f64| 1.0 + 2.0 * x - x * x + 0.5 * x.powi(3) - 0.1 * x.powi(4);
            let df = |x: f64| 2.0 - 2.0 * x + 1.5 * x * x - 0.4 * x.powi(3);
            let ddf = |x: f64| -2.0 + 3.0 * x - 1.2 * x * x;
            let a: f64 = (0..5).map(|j| d1[j] * f(j as f64)).sum();
            let b: f64 = (0..5).map(|j| d2[j] * f(j as f64)).sum();
            // Interpolation of a quartic on 5 nodes is exact: only round-off remains.
            assert!((a - df(p as f64)).abs() < 1e-12, "{p} {a}");
            assert!((b - ddf(p as f64)).abs() < 1e-12, "{p} {b}");
        }
    }
}
