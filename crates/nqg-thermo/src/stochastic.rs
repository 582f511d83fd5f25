//! Stochastic thermodynamics along trajectories (Sekimoto, Seifert): entropy production, fluctuation
//! theorems, the thermodynamic uncertainty relation and non-equilibrium Ornstein-Uhlenbeck currents.
//!
//! For $dx = \mu F(x,t)\\,dt + \sqrt{2D}\\,dW$ with $D = \mu T$ (here the Langevin equation N2.6 with
//! $T = T_L$), the medium entropy is the Stratonovich heat over temperature,
//! $\Delta s_m = \frac1T\int F\circ dx$ (discretised at the midpoint), the system entropy is
//! $\Delta s = -\ln p(x_\tau,\tau) + \ln p(x_0, 0)$, and $\Delta s_{tot} = \Delta s_m + \Delta s$ obeys the
//! integral fluctuation theorem $\langle e^{-\Delta s_{tot}}\rangle = 1$ (ANCHORS.md §C4).
//!
//! * Dragged trap $U = \tfrac k2(x - vt)^2$, friction $\zeta$: in the steady state the lag
//!   $y = x - vt \sim N(-\zeta v/k, T/k)$ and $\langle\dot s_{tot}\rangle = \zeta v^2/T$.
//! * TUR: for a current $J$, $\mathrm{Var}(J)/\langle J\rangle^2 \ge 2/\langle\Delta s_{tot}\rangle$.
//! * Linear OU $dx = -Ax\\,dt + \sqrt{2D}\\,dW$: stationary covariance from the Lyapunov equation
//!   $A\Sigma + \Sigma A^\top = 2D\\,I$; local mean velocity $v(x) = J/p = -(A - D\Sigma^{-1})x$; the
//!   Stratonovich average $M = \langle \dot x\circ x^\top\rangle = DI - A\Sigma$ is antisymmetric and
//!   non-zero iff the steady state carries a current; entropy production rate
//!   $\sigma = \langle v^\top v\rangle/D = \mathrm{tr}\big((A - D\Sigma^{-1})\Sigma(A - D\Sigma^{-1})^\top\big)/D$.

use nalgebra::DMatrix;

use crate::ensemble::{Moments, par_members};
use crate::error::{Result, ThermoError, check_diffusion, check_dt};
use crate::rng::normal;
use crate::sde::{LinearOu, Scheme, Sde, Workspace, draw_increments, step_raw};

/// Parameters of the dragged harmonic trap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DraggedTrap {
    /// Stiffness $k$.
    pub k: f64,
    /// Friction $\zeta$ (mobility $1/\zeta$).
    pub friction: f64,
    /// Temperature $T$.
    pub temperature: f64,
    /// Speed $v$.
    pub v: f64,
}

/// Per-trajectory statistics of a dragged-trap ensemble over time $\tau$.
#[derive(Debug, Clone, PartialEq)]
pub struct TrapStats {
    /// Moments of $(\Delta s_{tot}, e^{-\Delta s_{tot}}, \Delta s_m, \Delta s, J = x_\tau - x_0)$.
    pub moments: Moments,
    /// Duration $\tau$.
    pub tau: f64,
}

impl TrapStats {
    /// $\langle\Delta s_{tot}\rangle/\tau$ and its standard error.
    ///
    /// # Errors
    /// [`ThermoError::Statistics`] (with the count) for fewer than two members: no error bar.
    pub fn production_rate(&self) -> Result<(f64, f64)> {
        let sem = self.moments.sem(0)?;
        Ok((self.moments.mean()[0] / self.tau, sem / self.tau))
    }
    /// $\langle e^{-\Delta s_{tot}}\rangle$ and its standard error.
    ///
    /// # Errors
    /// [`ThermoError::Statistics`] (with the count) for fewer than two members: no error bar.
    pub fn ift(&self) -> Result<(f64, f64)> {
        Ok((self.moments.mean()[1], self.moments.sem(1)?))
    }
    /// TUR ratio $\mathrm{Var}(J)\langle\Delta s_{tot}\rangle / (2\langle J\rangle^2)$ (must be $\ge 1$).
    pub fn tur_ratio(&self) -> f64 {
        let c = self.moments.covariance();
        let mj = self.moments.mean()[4];
        c[4 * 5 + 4] * self.moments.mean()[0] / (2.0 * mj * mj)
    }
}

impl DraggedTrap {
    /// Closed-form steady-state production rate $\zeta v^2/T$.
    pub fn production_rate(&self) -> f64 {
        self.friction * self.v * self.v / self.temperature
    }

    fn validate(&self) -> Result<()> {
        check_diffusion(self.temperature)?;
        for (name, v) in [("k", self.k), ("friction", self.friction)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(ThermoError::InvalidParameter {
                    name,
                    value: v,
                    reason: "must be positive",
                });
            }
        }
        if !self.v.is_finite() {
            return Err(ThermoError::InvalidParameter {
                name: "v",
                value: self.v,
                reason: "must be finite",
            });
        }
        Ok(())
    }

    /// Simulate `members` trajectories of `steps` steps from the steady state, accumulating the
    /// entropy productions per trajectory.
    ///
    /// # Errors
    /// Invalid parameters, `dt <= 0`, empty ensemble, SRA1 with non-additive noise (never here), or a
    /// non-finite state.
    pub fn simulate(
        &self,
        scheme: Scheme,
        dt: f64,
        steps: usize,
        members: usize,
        seed: u64,
    ) -> Result<TrapStats> {
        self.validate()?;
        check_dt(dt)?;
        crate::error::check_work("dragged-trap work (members × steps)", &[members, steps])?;
        let (k, z, t_, v) = (self.k, self.friction, self.temperature, self.v);
        let ou = LinearOu::new(vec![k / z], t_ / z, vec![0.0], vec![v])?;
        let var = t_ / k;
        let lag = -z * v / k;
        let ln_p = |x: f64, t: f64| {
            -0.5 * (x - v * t - lag).powi(2) / var - 0.5 * (2.0 * std::f64::consts::PI * var).ln()
        };
        let want = scheme.needs_i10();
        let moments = par_members(
            members,
            seed,
            || (Moments::new(5), Workspace::new(1)),
            |m, rng, (acc, ws)| {
                let x0 = lag + var.sqrt() * normal(rng);
                let mut x = [x0];
                let (mut dw, mut i10) = ([0.0], [0.0]);
                let mut heat = 0.0;
                for s in 0..steps {
                    let t = s as f64 * dt;
                    let xo = x[0];
                    draw_increments(rng, dt, want, &mut dw, &mut i10);
                    if !step_raw(scheme, &ou, t, dt, &mut x, &dw, &i10, ws) {
                        return Err(ThermoError::NonFinite {
                            member: m,
                            step: s,
                            t,
                        });
                    }
                    // Stratonovich heat: force at the midpoint in space and time.
                    let xm = 0.5 * (xo + x[0]);
                    let f = -k * (xm - v * (t + 0.5 * dt));
                    heat += f * (x[0] - xo);
                }
                let tau = steps as f64 * dt;
                let sm = heat / t_;
                let ss = -ln_p(x[0], tau) + ln_p(x0, 0.0);
                let st = sm + ss;
                acc.push(&[st, (-st).exp(), sm, ss, x[0] - x0])?;
                Ok(())
            },
            |a, b| crate::ensemble::merge_all(std::slice::from_mut(&mut a.0), std::slice::from_ref(&b.0)),
        )?
        .0;
        Ok(TrapStats {
            moments,
            tau: steps as f64 * dt,
        })
    }
}

/// Stationary covariance of $dx = -Ax\\,dt + \sqrt{2D}\\,dW$: the solution of $A\Sigma + \Sigma A^\top = 2DI$
/// (Kronecker form, $d \le 10$).
///
/// # Errors
/// Wrong length, $D \le 0$, or $A$ not stable (singular Lyapunov system / non-positive $\Sigma$).
pub fn ou_stationary_covariance(a: &[f64], d: usize, diffusion: f64) -> Result<Vec<f64>> {
    crate::error::check_square("A", d, a.len())?;
    crate::error::check_all_finite("A", a)?;
    if d > 10 {
        return Err(ThermoError::InvalidParameter {
            name: "d",
            value: d as f64,
            reason: "the Kronecker-form Lyapunov solve is for d <= 10",
        });
    }
    check_diffusion(diffusion)?;
    let am = DMatrix::from_row_slice(d, d, a);
    let id = DMatrix::<f64>::identity(d, d);
    // vec(A S + S A^T) = (I kron A + A kron I) vec(S) for column-major vec.
    let k = id.kronecker(&am) + am.kronecker(&id);
    let rhs = DMatrix::from_fn(
        d * d,
        1,
        |r, _| if r % d == r / d { 2.0 * diffusion } else { 0.0 },
    );
    let lu = k.lu();
    let s = lu.solve(&rhs).ok_or_else(|| {
        // The Lyapunov operator is singular iff two eigenvalues of A sum to zero: report its
        // smallest pivot.
        let u = lu.u();
        let (index, value) = (0..u.nrows())
            .map(|i| (i, u[(i, i)]))
            .fold(
                (0, f64::INFINITY),
                |b, c| if c.1.abs() < b.1.abs() { c } else { b },
            );
        ThermoError::Singular {
            what: "Lyapunov system (smallest LU pivot)",
            index,
            value,
        }
    })?;
    let sig = DMatrix::from_column_slice(d, d, s.as_slice());
    if sig.clone().cholesky().is_none() {
        return Err(ThermoError::Singular {
            what: "stationary covariance (smallest eigenvalue): A is not stable",
            index: 0,
            value: crate::error::min_eigenvalue(&sig),
        });
    }
    Ok(sig.transpose().as_slice().to_vec())
}

/// Analytic $M = \langle\dot x\circ x^\top\rangle = DI - A\Sigma$ (row-major) and entropy production rate
/// $\sigma$ of the stationary linear OU process.
///
/// # Errors
/// As [`ou_stationary_covariance`].
pub fn ou_current_analytic(a: &[f64], d: usize, diffusion: f64) -> Result<(Vec<f64>, f64)> {
    let s = ou_stationary_covariance(a, d, diffusion)?;
    let am = DMatrix::from_row_slice(d, d, a);
    let sm = DMatrix::from_row_slice(d, d, &s);
    let id = DMatrix::<f64>::identity(d, d);
    let m = &id * diffusion - &am * &sm;
    let sinv = sm.clone().try_inverse().ok_or_else(|| ThermoError::Singular {
        what: "stationary covariance (smallest eigenvalue)",
        index: 0,
        value: crate::error::min_eigenvalue(&sm),
    })?;
    let b = &am - &sinv * diffusion;
    let sigma = (&b * &sm * b.transpose()).trace() / diffusion;
    Ok((m.transpose().as_slice().to_vec(), sigma))
}

/// Ensemble estimate of $M = \langle\dot x\circ x^\top\rangle$ (flattened, $d^2$ entries, Stratonovich
/// midpoint rule) and of the entropy production rate (medium entropy $\frac1D\int a\circ dx$ per unit
/// time), each trajectory started from the exact stationary Gaussian and run for `steps` steps.
/// Returns moments over members of the per-trajectory time averages: entries $0..d^2$ are $M$, entry
/// $d^2$ is the rate.
///
/// # Errors
/// Invalid parameters, unstable $A$, non-finite states.
pub fn ou_current_ensemble(
    ou: &LinearOu,
    scheme: Scheme,
    dt: f64,
    steps: usize,
    members: usize,
    seed: u64,
) -> Result<Moments> {
    check_dt(dt)?;
    scheme.check(ou)?;
    if steps == 0 {
        return Err(ThermoError::TooFewSamples { needed: 1, got: 0 });
    }
    let d = ou.dim();
    let dcoef = ou.diffusion_constant();
    let s = ou_stationary_covariance(ou.matrix(), d, dcoef)?;
    let sm = DMatrix::from_row_slice(d, d, &s);
    let chol = sm.clone().cholesky().ok_or_else(|| ThermoError::Singular {
        what: "stationary covariance (smallest eigenvalue)",
        index: 0,
        value: crate::error::min_eigenvalue(&sm),
    })?;
    let l = chol.l();
    let want = scheme.needs_i10();
    let tau = steps as f64 * dt;
    let out = par_members(
        members,
        seed,
        || {
            (
                Moments::new(d * d + 1),
                Workspace::new(d),
                vec![0.0; 6 * d + d * d + 1],
            )
        },
        |m, rng, (acc, ws, buf)| {
            let (x, rest) = buf.split_at_mut(d);
            let (xo, rest) = rest.split_at_mut(d);
            let (dw, rest) = rest.split_at_mut(d);
            let (i10, rest) = rest.split_at_mut(d);
            let (a0, rest) = rest.split_at_mut(d);
            let (a1, rest) = rest.split_at_mut(d);
            let (z, _) = rest.split_at_mut(d);
            let mut mm = vec![0.0; d * d + 1];
            for zi in z.iter_mut() {
                *zi = normal(rng);
            }
            for i in 0..d {
                x[i] = (0..=i).map(|j| l[(i, j)] * z[j]).sum();
            }
            ou.drift(0.0, x, a0);
            for s_ in 0..steps {
                let t = s_ as f64 * dt;
                xo.copy_from_slice(x);
                draw_increments(rng, dt, want, dw, i10);
                if !step_raw(scheme, ou, t, dt, x, dw, i10, ws) {
                    return Err(ThermoError::NonFinite {
                        member: m,
                        step: s_,
                        t,
                    });
                }
                ou.drift(t + dt, x, a1);
                for i in 0..d {
                    let dx = x[i] - xo[i];
                    for j in 0..d {
                        mm[i * d + j] += dx * 0.5 * (x[j] + xo[j]);
                    }
                    mm[d * d] += 0.5 * (a0[i] + a1[i]) * dx / dcoef;
                }
                a0.copy_from_slice(a1);
            }
            mm.iter_mut().for_each(|v| *v /= tau);
            acc.push(&mm)?;
            Ok(())
        },
        |a, b| crate::ensemble::merge_all(std::slice::from_mut(&mut a.0), std::slice::from_ref(&b.0)),
    )?
    .0;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lyapunov_solution() {
        // A = I + w J: Sigma = D I, M = D (I - A) = -D w J, sigma = 2 w^2 (2D, isotropic).
        let w = 2.0;
        let a = [1.0, -w, w, 1.0];
        let s = ou_stationary_covariance(&a, 2, 0.5).unwrap();
        assert!((s[0] - 0.5).abs() < 1e-14 && s[1].abs() < 1e-14 && (s[3] - 0.5).abs() < 1e-14);
        let (m, sigma) = ou_current_analytic(&a, 2, 0.5).unwrap();
        assert!((m[1] - 0.5 * w).abs() < 1e-14 && (m[2] + 0.5 * w).abs() < 1e-14);
        assert!((sigma - 2.0 * w * w).abs() < 1e-12);
        // Unstable A is an error.
        assert!(ou_stationary_covariance(&[-1.0, 0.0, 0.0, 1.0], 2, 1.0).is_err());
    }

    #[test]
    fn trap_errors() {
        let t = DraggedTrap {
            k: 1.0,
            friction: 1.0,
            temperature: -1.0,
            v: 1.0,
        };
        assert!(matches!(
            t.simulate(Scheme::Heun, 0.01, 10, 10, 0),
            Err(ThermoError::NegativeDiffusion { .. })
        ));
        let t = DraggedTrap {
            temperature: 1.0,
            ..t
        };
        assert!(matches!(
            t.simulate(Scheme::Heun, 0.01, 10, 0, 0),
            Err(ThermoError::TooFewSamples { .. })
        ));
        assert!(matches!(
            t.simulate(Scheme::Heun, -0.01, 10, 10, 0),
            Err(ThermoError::InvalidTimeStep { .. })
        ));
    }
}
