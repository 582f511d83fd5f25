//! Two-dimensional Fokker-Planck equation: Scharfetter-Gummel finite volume with split implicit steps.
//!
//! $\partial_t p = -\partial_x J_x - \partial_y J_y$, $J = a\\,p - D\nabla p$, on an $n_x\times n_y$ grid.
//! Each direction uses the 1D Scharfetter-Gummel flux of [`crate::fp`] along every grid line
//! ($P = a_{x,i+1/2,j}h_x/D$, resp. $a_{y,i,j+1/2}h_y/D$). A step is the Lie splitting
//! $p^{n+1} = (I - \Delta t L_y)^{-1}(I - \Delta t L_x)^{-1} p^n$ of backward Euler: each factor is a set of
//! independent tridiagonal solves (ADI-like, $O(n_x n_y)$), each is a stochastic matrix (so the step is
//! unconditionally stable, positive and conserves $h_xh_y\sum p$ to round-off; each solve is done in
//! increment form $(I - \Delta tL)\delta = \Delta t\\,Lp$ with $Lp$ in flux form, so the mass round-off
//! scales with the change $\delta$, not with $p$), and for a potential drift
//! each factor fixes the discrete Boltzmann state $e^{-U_{ij}/D}/Z$ exactly. For non-gradient drifts the
//! splitting perturbs the stationary state at $O(\Delta t)$.

use crate::error::{Result, ThermoError, check_diffusion, check_dt, check_len};
use crate::fp::{Boundary, FokkerPlanck1d, Grid1d, Method, Stepper1d};

/// Interface currents of a 2D density: $J_x$ per row, $J_y$ per column.
pub type Currents2d = (Vec<Vec<f64>>, Vec<Vec<f64>>);

/// A 2D Fokker-Planck problem with split backward-Euler stepping.
#[derive(Debug, Clone)]
pub struct FokkerPlanck2d {
    gx: Grid1d,
    gy: Grid1d,
    x_lines: Vec<FokkerPlanck1d>,
    y_lines: Vec<FokkerPlanck1d>,
    potential: Option<Vec<f64>>,
}

impl FokkerPlanck2d {
    /// Drift field `a(x, y) -> (a_x, a_y)` evaluated at the interfaces, one diffusion constant $D$ in
    /// both directions.
    ///
    /// # Errors
    /// $D \le 0$ or non-finite drift.
    pub fn from_drift(
        gx: Grid1d,
        gy: Grid1d,
        diffusion: f64,
        boundary: Boundary,
        a: impl Fn(f64, f64) -> (f64, f64),
    ) -> Result<Self> {
        Self::from_drift_anisotropic(gx, gy, (diffusion, diffusion), boundary, a)
    }

    /// Drift field `a(x, y) -> (a_x, a_y)` evaluated at the interfaces, with a diffusion constant per
    /// direction, $J = (a_xp - D_x\partial_xp,\ a_yp - D_y\partial_yp)$ (e.g. a fast neuron at
    /// temperature $\eta/\beta$ and a slow weight with bare noise $D_0$).
    ///
    /// # Errors
    /// $D_x \le 0$, $D_y \le 0$ or non-finite drift.
    pub fn from_drift_anisotropic(
        gx: Grid1d,
        gy: Grid1d,
        (dx, dy): (f64, f64),
        boundary: Boundary,
        a: impl Fn(f64, f64) -> (f64, f64),
    ) -> Result<Self> {
        check_diffusion(dx)?;
        check_diffusion(dy)?;
        let (nx, ny) = (gx.n(), gy.n());
        let (hx, hy) = (gx.h(), gy.h());
        let mx = boundary.flux_faces(nx);
        let my = boundary.flux_faces(ny);
        let mut x_lines = Vec::with_capacity(ny);
        for j in 0..ny {
            let y = gy.centre(j);
            let pe = (0..mx)
                .map(|i| a(gx.x_min() + (i + 1) as f64 * hx, y).0 * hx / dx)
                .collect();
            x_lines.push(FokkerPlanck1d::build(gx, dx, boundary, pe, None)?);
        }
        let mut y_lines = Vec::with_capacity(nx);
        for i in 0..nx {
            let x = gx.centre(i);
            let pe = (0..my)
                .map(|j| a(x, gy.x_min() + (j + 1) as f64 * hy).1 * hy / dy)
                .collect();
            y_lines.push(FokkerPlanck1d::build(gy, dy, boundary, pe, None)?);
        }
        Ok(Self {
            gx,
            gy,
            x_lines,
            y_lines,
            potential: None,
        })
    }

    /// Potential drift $a = -\nabla U$ with differences of $U$ at cell centres: the stationary state is
    /// exactly $e^{-U_{ij}/D}/Z$.
    ///
    /// # Errors
    /// $D \le 0$ or non-finite potential.
    pub fn from_potential(
        gx: Grid1d,
        gy: Grid1d,
        diffusion: f64,
        boundary: Boundary,
        u: impl Fn(f64, f64) -> f64,
    ) -> Result<Self> {
        check_diffusion(diffusion)?;
        Self::from_scaled_potential(gx, gy, (diffusion, diffusion), boundary, |x, y| {
            u(x, y) / diffusion
        })
    }

    /// Anisotropic diffusion with the drifts scaled to a dimensionless potential $\Phi$,
    /// $a_x = -D_x\partial_x\Phi$, $a_y = -D_y\partial_y\Phi$ (differences of $\Phi$ at cell centres):
    /// the stationary state is exactly the discrete $e^{-\Phi_{ij}}/Z$ ([`Self::boltzmann`]). With
    /// $D_x \ne D_y$ a plain potential drift $a = -\nabla U$ has a non-Boltzmann stationary state; this is
    /// the anisotropic problem that keeps detailed balance.
    ///
    /// ```
    /// use nqg_thermo::fp::{Boundary, Grid1d};
    /// use nqg_thermo::fp2d::{FokkerPlanck2d, Stepper2d};
    /// // A fast x (D_x = 2) and a slow y (D_y = 0.1) in the same landscape Φ.
    /// let g = Grid1d::new(-3.0, 3.0, 32).unwrap();
    /// let phi = |x: f64, y: f64| 0.5 * (x - y).powi(2) + 0.25 * (x * x - 1.0).powi(2);
    /// let op = FokkerPlanck2d::from_scaled_potential(g, g, (2.0, 0.1), Boundary::Reflecting, phi).unwrap();
    /// let peq = op.boltzmann().unwrap();
    /// let mut p = peq.clone();
    /// Stepper2d::new(&op, 0.1).unwrap().step(&mut p).unwrap();
    /// assert!(p.iter().zip(&peq).all(|(a, b)| (a - b).abs() <= 1e-12 * b.max(1e-6)));
    /// // Its marginal in y carries no current, and x's free energy at fixed y is -ln Z(y).
    /// assert!(op.marginal_current_y(&peq).unwrap().iter().all(|j| j.abs() < 1e-14));
    /// let f = op.conditional_free_energy_x(&peq, 1.0, phi).unwrap();
    /// let z0: f64 = (0..32).map(|i| g.h() * (-phi(g.centre(i), g.centre(0))).exp()).sum();
    /// assert!((f[0] + z0.ln()).abs() < 1e-12);
    /// ```
    ///
    /// # Errors
    /// $D_x \le 0$, $D_y \le 0$ or non-finite $\Phi$.
    pub fn from_scaled_potential(
        gx: Grid1d,
        gy: Grid1d,
        (dx, dy): (f64, f64),
        boundary: Boundary,
        phi: impl Fn(f64, f64) -> f64,
    ) -> Result<Self> {
        check_diffusion(dx)?;
        check_diffusion(dy)?;
        let (nx, ny) = (gx.n(), gy.n());
        let us: Vec<f64> = (0..nx * ny)
            .map(|k| phi(gx.centre(k % nx), gy.centre(k / nx)))
            .collect();
        if let Some(k) = us.iter().position(|v| !v.is_finite()) {
            return Err(ThermoError::NonFiniteValue {
                what: "potential / D",
                index: k,
                value: us[k],
            });
        }
        let mx = boundary.flux_faces(nx);
        let my = boundary.flux_faces(ny);
        let mut x_lines = Vec::with_capacity(ny);
        for j in 0..ny {
            let pe = (0..mx)
                .map(|i| -(us[j * nx + (i + 1) % nx] - us[j * nx + i]))
                .collect();
            x_lines.push(FokkerPlanck1d::build(gx, dx, boundary, pe, None)?);
        }
        let mut y_lines = Vec::with_capacity(nx);
        for i in 0..nx {
            let pe = (0..my)
                .map(|j| -(us[((j + 1) % ny) * nx + i] - us[j * nx + i]))
                .collect();
            y_lines.push(FokkerPlanck1d::build(gy, dy, boundary, pe, None)?);
        }
        Ok(Self {
            gx,
            gy,
            x_lines,
            y_lines,
            potential: Some(us),
        })
    }

    /// Grids $(x, y)$.
    pub fn grids(&self) -> (&Grid1d, &Grid1d) {
        (&self.gx, &self.gy)
    }
    /// Cell area $h_xh_y$.
    pub fn cell_area(&self) -> f64 {
        self.gx.h() * self.gy.h()
    }
    /// Mass $h_xh_y\sum p$.
    pub fn mass(&self, p: &[f64]) -> f64 {
        self.cell_area() * p.iter().sum::<f64>()
    }
    /// The discrete Boltzmann state of a potential problem (`None` for a general drift).
    pub fn boltzmann(&self) -> Option<Vec<f64>> {
        let us = self.potential.as_ref()?;
        let umin = us.iter().cloned().fold(f64::INFINITY, f64::min);
        let mut p: Vec<f64> = us.iter().map(|u| (-(u - umin)).exp()).collect();
        let m = self.mass(&p);
        p.iter_mut().for_each(|v| *v /= m);
        Some(p)
    }
    /// Currents: $J_x$ on x-interfaces (per row $j$, as [`FokkerPlanck1d::current`]) and $J_y$
    /// on y-interfaces (per column $i$).
    ///
    /// # Errors
    /// `p` does not have one value per cell.
    pub fn current(&self, p: &[f64]) -> Result<Currents2d> {
        let (nx, ny) = (self.gx.n(), self.gy.n());
        check_len("density", nx * ny, p.len())?;
        let jx = (0..ny)
            .map(|j| self.x_lines[j].current(&p[j * nx..(j + 1) * nx]))
            .collect::<Result<_>>()?;
        let jy = (0..nx)
            .map(|i| {
                let col: Vec<f64> = (0..ny).map(|j| p[j * nx + i]).collect();
                self.y_lines[i].current(&col)
            })
            .collect::<Result<_>>()?;
        Ok((jx, jy))
    }

    /// Marginal density of $y$, $p(y_j) = h_x\sum_i P_{ij}$ (one value per y-cell).
    ///
    /// # Errors
    /// `p` does not have one value per cell.
    pub fn marginal_y(&self, p: &[f64]) -> Result<Vec<f64>> {
        let nx = self.gx.n();
        check_len("density", nx * self.gy.n(), p.len())?;
        let hx = self.gx.h();
        Ok(p.chunks_exact(nx)
            .map(|row| hx * row.iter().sum::<f64>())
            .collect())
    }

    /// Marginal current of $y$ on the y-interfaces, $J(y_{j+1/2}) = h_x\sum_i J_{y,i,j+1/2}$ (reflecting:
    /// $n_y - 1$ interior faces; periodic: $n_y$, the last wrapping). The x-fluxes of a row cancel in the
    /// sum (its outer faces carry none), so the marginal obeys the 1D continuity equation
    /// $\dot p_j = -(J_{j+1/2} - J_{j-1/2})/h_y$ of the semi-discrete scheme exactly.
    ///
    /// # Errors
    /// `p` does not have one value per cell.
    pub fn marginal_current_y(&self, p: &[f64]) -> Result<Vec<f64>> {
        let (_, jy) = self.current(p)?;
        let hx = self.gx.h();
        let faces = jy.first().map_or(0, Vec::len);
        Ok((0..faces)
            .map(|f| hx * jy.iter().map(|col| col[f]).sum::<f64>())
            .collect())
    }

    /// Conditional average over $x$ at fixed $y$, $\langle f\rangle(y_j) = \sum_i P_{ij}f(x_i, y_j) /
    /// \sum_i P_{ij}$ (NaN on an empty row).
    ///
    /// # Errors
    /// `p` does not have one value per cell.
    pub fn conditional_mean_x(&self, p: &[f64], f: impl Fn(f64, f64) -> f64) -> Result<Vec<f64>> {
        let nx = self.gx.n();
        check_len("density", nx * self.gy.n(), p.len())?;
        Ok(p.chunks_exact(nx)
            .enumerate()
            .map(|(j, row)| {
                let y = self.gy.centre(j);
                let z: f64 = row.iter().sum();
                row.iter()
                    .enumerate()
                    .map(|(i, &v)| v * f(self.gx.centre(i), y))
                    .sum::<f64>()
                    / z
            })
            .collect())
    }

    /// The non-equilibrium free energy of the $x$ degree of freedom at fixed $y$,
    /// $$F(y) = \int P(x|y)\\,\big[H(x, y) + \beta^{-1}\ln P(x|y)\big]\\,dx,$$
    /// on the grid: $P(x_i|y_j) = P_{ij}/(h_x\sum_k P_{kj})$ and $F_j = h_x\sum_i P(x_i|y_j)[H_{ij} +
    /// \beta^{-1}\ln P(x_i|y_j)]$ with $0\ln 0 = 0$ (NaN on an empty row). For a conditional Boltzmann
    /// state $P(x|y) \propto e^{-\beta H}$ it equals $-\beta^{-1}\ln(h_x\sum_i e^{-\beta H_{ij}})$ exactly;
    /// out of equilibrium it exceeds that by $\beta^{-1}$ times the relative entropy of $P(x|y)$.
    ///
    /// # Errors
    /// `p` does not have one value per cell, or $\beta \le 0$.
    pub fn conditional_free_energy_x(
        &self,
        p: &[f64],
        beta: f64,
        h: impl Fn(f64, f64) -> f64,
    ) -> Result<Vec<f64>> {
        let nx = self.gx.n();
        check_len("density", nx * self.gy.n(), p.len())?;
        if !(beta.is_finite() && beta > 0.0) {
            return Err(ThermoError::InvalidParameter {
                name: "beta",
                value: beta,
                reason: "must be finite and > 0",
            });
        }
        let hx = self.gx.h();
        Ok(p.chunks_exact(nx)
            .enumerate()
            .map(|(j, row)| {
                let y = self.gy.centre(j);
                let z = hx * row.iter().sum::<f64>();
                hx * row
                    .iter()
                    .enumerate()
                    .filter(|&(_, &v)| v > 0.0)
                    .map(|(i, &v)| {
                        let c = v / z;
                        c * (h(self.gx.centre(i), y) + c.ln() / beta)
                    })
                    .sum::<f64>()
            })
            .collect())
    }
}

/// Split backward-Euler stepper for [`FokkerPlanck2d`].
#[derive(Debug, Clone)]
pub struct Stepper2d {
    nx: usize,
    ny: usize,
    xs: Vec<Stepper1d>,
    ys: Vec<Stepper1d>,
    x_lines: Vec<FokkerPlanck1d>,
    y_lines: Vec<FokkerPlanck1d>,
    col: Vec<f64>,
    work: Vec<f64>,
}

impl Stepper2d {
    /// Factorise all line systems for step `dt`.
    ///
    /// # Errors
    /// `dt <= 0`.
    pub fn new(op: &FokkerPlanck2d, dt: f64) -> Result<Self> {
        check_dt(dt)?;
        let xs = op
            .x_lines
            .iter()
            .map(|l| Stepper1d::new(l, dt, Method::BackwardEuler))
            .collect::<Result<_>>()?;
        let ys = op
            .y_lines
            .iter()
            .map(|l| Stepper1d::new(l, dt, Method::BackwardEuler))
            .collect::<Result<_>>()?;
        Ok(Self {
            nx: op.gx.n(),
            ny: op.gy.n(),
            xs,
            ys,
            x_lines: op.x_lines.clone(),
            y_lines: op.y_lines.clone(),
            col: vec![0.0; op.gy.n()],
            work: vec![0.0; op.gx.n().max(op.gy.n())],
        })
    }

    /// One split step.
    ///
    /// # Errors
    /// Wrong length of `p`.
    pub fn step(&mut self, p: &mut [f64]) -> Result<()> {
        let (nx, ny) = (self.nx, self.ny);
        check_len("density", nx * ny, p.len())?;
        for j in 0..ny {
            self.xs[j].step_increment(&self.x_lines[j], &mut p[j * nx..(j + 1) * nx], &mut self.work)?;
        }
        for i in 0..nx {
            for j in 0..ny {
                self.col[j] = p[j * nx + i];
            }
            self.ys[i].step_increment(&self.y_lines[i], &mut self.col, &mut self.work)?;
            for j in 0..ny {
                p[j * nx + i] = self.col[j];
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boltzmann_fixed_point_and_mass() {
        let g = Grid1d::new(-3.0, 3.0, 40).unwrap();
        let u = |x: f64, y: f64| (x * x - 1.0).powi(2) + 0.5 * y * y + 0.3 * x * y;
        let op = FokkerPlanck2d::from_potential(g, g, 0.5, Boundary::Reflecting, u).unwrap();
        let peq = op.boltzmann().unwrap();
        let mut st = Stepper2d::new(&op, 0.05).unwrap();
        let mut p = peq.clone();
        st.step(&mut p).unwrap();
        // Each split factor fixes the discrete Boltzmann state: only round-off changes it.
        assert!(
            p.iter()
                .zip(&peq)
                .all(|(a, b)| (a - b).abs() < 1e-12 * b.max(1e-3))
        );
        let mut q: Vec<f64> = (0..1600).map(|k| if k == 700 { 1.0 } else { 0.0 }).collect();
        let m = op.mass(&q);
        q.iter_mut().for_each(|v| *v /= m);
        for _ in 0..2000 {
            st.step(&mut q).unwrap();
        }
        assert!((op.mass(&q) - 1.0).abs() < 1e-12, "mass {}", op.mass(&q) - 1.0);
        // Relaxed to Boltzmann (slowest rate ~ Kramers at barrier 1/0.5 = 2, t = 100: converged).
        assert!(q.iter().zip(&peq).all(|(a, b)| (a - b).abs() < 1e-8));
        let (jx, jy) = op.current(&peq).unwrap();
        assert!(jx.iter().chain(&jy).flatten().all(|v| v.abs() < 1e-12));
    }

    #[test]
    fn anisotropic_scaled_potential_keeps_boltzmann_and_mass() {
        let gx = Grid1d::new(-2.5, 2.5, 48).unwrap();
        let gy = Grid1d::new(-4.0, 4.0, 40).unwrap();
        let phi = |x: f64, y: f64| 0.5 * (x - y).powi(2) + (x * x - 1.0).powi(2) + 0.1 * y * y;
        let (dx, dy) = (5.0, 0.2);
        let op = FokkerPlanck2d::from_scaled_potential(gx, gy, (dx, dy), Boundary::Reflecting, phi).unwrap();
        let peq = op.boltzmann().unwrap();
        // The discrete e^{-Φ}/Z is a fixed point of each split factor, to round-off.
        let mut st = Stepper2d::new(&op, 0.02).unwrap();
        let mut p = peq.clone();
        st.step(&mut p).unwrap();
        let worst = p
            .iter()
            .zip(&peq)
            .map(|(a, b)| (a - b).abs() / b.max(1e-300))
            .fold(0.0, f64::max);
        assert!(worst < 1e-10, "relative change {worst}");
        // From a point mass: mass conserved to 1e-12 and relaxation to e^{-Φ}/Z.
        let n = gx.n() * gy.n();
        let mut q = vec![0.0; n];
        q[20 * gx.n() + 10] = 1.0 / op.cell_area();
        let mut st = Stepper2d::new(&op, 0.5).unwrap();
        for _ in 0..1000 {
            st.step(&mut q).unwrap();
        }
        assert!((op.mass(&q) - 1.0).abs() < 1e-12, "mass {}", op.mass(&q) - 1.0);
        let dev = q.iter().zip(&peq).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(dev < 1e-8, "distance from Boltzmann {dev}");
        // The plain drift a = -∇Φ with D_x ≠ D_y is not in detailed balance with e^{-Φ}: its stationary
        // state differs (a control that the scaling matters).
        let plain = FokkerPlanck2d::from_drift_anisotropic(gx, gy, (dx, dy), Boundary::Reflecting, |x, y| {
            (-(x - y) - 4.0 * x * (x * x - 1.0), (x - y) - 0.2 * y)
        })
        .unwrap();
        let mut r = peq.clone();
        let mut sp = Stepper2d::new(&plain, 0.5).unwrap();
        for _ in 0..1000 {
            sp.step(&mut r).unwrap();
        }
        assert!((plain.mass(&r) - 1.0).abs() < 1e-12);
        let off = r.iter().zip(&peq).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(
            off > 1e-3,
            "plain-drift stationary state unexpectedly Boltzmann ({off})"
        );
    }

    #[test]
    fn free_energy_of_a_gaussian_conditional_and_of_boltzmann() {
        // P(x, y) = g(y) N(x; c y, s²): F(y) = ½a[(c-1)²y² + s²] - (1/2β) ln(2πe s²) for H = ½a(x-y)².
        let gx = Grid1d::new(-8.0, 8.0, 800).unwrap();
        let gy = Grid1d::new(-2.0, 2.0, 9).unwrap();
        let (a, beta, c, s2) = (1.3, 2.0, 0.6, 0.4);
        let h = |x: f64, y: f64| 0.5 * a * (x - y).powi(2);
        let op = FokkerPlanck2d::from_drift(gx, gy, 1.0, Boundary::Reflecting, |_, _| (0.0, 0.0)).unwrap();
        let mut p = vec![0.0; gx.n() * gy.n()];
        for j in 0..gy.n() {
            let y = gy.centre(j);
            for i in 0..gx.n() {
                let x = gx.centre(i);
                p[j * gx.n() + i] = (-0.5 * y * y).exp() * (-(x - c * y).powi(2) / (2.0 * s2)).exp();
            }
        }
        let f = op.conditional_free_energy_x(&p, beta, h).unwrap();
        let mean_dh = op.conditional_mean_x(&p, |x, y| -a * (x - y)).unwrap();
        for j in 0..gy.n() {
            let y = gy.centre(j);
            let exact = 0.5 * a * ((c - 1.0).powi(2) * y * y + s2)
                - (2.0 * std::f64::consts::PI * std::f64::consts::E * s2).ln() / (2.0 * beta);
            assert!((f[j] - exact).abs() < 1e-9, "F({y}) = {} vs {exact}", f[j]);
            assert!((mean_dh[j] - a * (1.0 - c) * y).abs() < 1e-9);
        }
        // Conditional Boltzmann: F = -β⁻¹ ln Z(y) exactly (an identity of the discrete sums).
        let hq = |x: f64, y: f64| h(x, y) + 0.25 * (x * x - 1.0).powi(2);
        for j in 0..gy.n() {
            for i in 0..gx.n() {
                p[j * gx.n() + i] =
                    (1.0 + gy.centre(j).powi(2)) * (-beta * hq(gx.centre(i), gy.centre(j))).exp();
            }
        }
        let f = op.conditional_free_energy_x(&p, beta, hq).unwrap();
        for j in 0..gy.n() {
            let z: f64 = (0..gx.n())
                .map(|i| gx.h() * (-beta * hq(gx.centre(i), gy.centre(j))).exp())
                .sum();
            assert!((f[j] + z.ln() / beta).abs() < 1e-12);
        }
        let marg = op.marginal_y(&p).unwrap();
        let row0: f64 = p[..gx.n()].iter().sum::<f64>() * gx.h();
        assert!((marg[0] - row0).abs() < 1e-15 * row0.max(1.0));
    }

    #[test]
    fn marginal_current_obeys_the_continuity_equation() {
        let gx = Grid1d::new(-2.0, 2.0, 24).unwrap();
        let gy = Grid1d::new(-3.0, 3.0, 30).unwrap();
        let op = FokkerPlanck2d::from_drift_anisotropic(gx, gy, (1.5, 0.3), Boundary::Reflecting, |x, y| {
            (-(x - y) - x * x * x, 0.7 * (x - y) + 0.2 * x * y)
        })
        .unwrap();
        let p: Vec<f64> = (0..gx.n() * gy.n())
            .map(|k| {
                let (x, y) = (gx.centre(k % gx.n()), gy.centre(k / gx.n()));
                (-(x - 0.3).powi(2) - 0.5 * (y + 0.4 * x).powi(2)).exp()
            })
            .collect();
        // dp/dt of the semi-discrete operator, x- and y-lines, summed over x.
        let (nx, ny) = (gx.n(), gy.n());
        let mut dp = vec![0.0; nx * ny];
        let mut buf = vec![0.0; nx.max(ny)];
        for j in 0..ny {
            op.x_lines[j]
                .apply(&p[j * nx..(j + 1) * nx], &mut buf[..nx])
                .unwrap();
            (0..nx).for_each(|i| dp[j * nx + i] += buf[i]);
        }
        for i in 0..nx {
            let col: Vec<f64> = (0..ny).map(|j| p[j * nx + i]).collect();
            op.y_lines[i].apply(&col, &mut buf[..ny]).unwrap();
            (0..ny).for_each(|j| dp[j * nx + i] += buf[j]);
        }
        let dmarg = op.marginal_y(&dp).unwrap();
        let jm = op.marginal_current_y(&p).unwrap();
        assert_eq!(jm.len(), ny - 1);
        let scale = jm.iter().fold(0.0f64, |m, v| m.max(v.abs())) / gy.h();
        for j in 0..ny {
            let jp = if j + 1 < ny { jm[j] } else { 0.0 };
            let jmn = if j > 0 { jm[j - 1] } else { 0.0 };
            let rhs = -(jp - jmn) / gy.h();
            assert!(
                (dmarg[j] - rhs).abs() < 1e-12 * scale,
                "row {j}: {} vs {rhs}",
                dmarg[j]
            );
        }
    }
}
