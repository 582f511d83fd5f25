//! The Euler-Lagrange flow of the entropy-production action on a finite, non-periodic box
//! (THEORY.md N3.1-N3.3, V-M2 numeric, V-M3 classical regime).
//!
//! With $u = \ln p$ the reconstructed equations (N3.2)-(N3.3) read
//! $$\partial_t u = -2\gamma\\,(F'' + u'F') + \frac\gamma\mu\\,(u'' + u'^2),\qquad
//! \partial_t F = -\gamma F'^2 - V - \frac\gamma\mu F'' + \frac{4D}\mu\Big(\frac{u''}2 + \frac{u'^2}4\Big),$$
//! using $\partial_q^2\sqrt p/\sqrt p = u''/2 + u'^2/4$. Working with $\ln p$ removes the
//! $0/0$ of the quantum potential in the tails of $p$. [`BoxActionFlow`] discretises both with
//! second-order central differences in the interior, extrapolates the right-hand side quadratically
//! to the two end points (no periodicity, no boundary condition), and integrates with classical RK4. The stencils are exact on quadratics, so Gaussian $p$ with quadratic $F$ — the case of a
//! harmonic trap — is propagated with no spatial error at all; the time error is $O(\Delta t^4)$.
//!
//! For Gaussian data in $V = \tfrac12 k q^2$ the flow closes on the six coefficients of
//! $u = a + bq + cq^2$, $F = \alpha + \beta q + \kappa q^2$ ([`GaussianAction`]), an independent ODE
//! reference. In the classical regime $4D\mu = \gamma$ ($\hbar_\text{eff} = 0$, N3.7) the shifted
//! phase $\tilde F = F - u/2\mu$ obeys pure Hamilton-Jacobi and $p$ is transported by the classical
//! flow of mass $m = 1/2\gamma$ (V-M3); from $p_0 = N(0, \sigma_0^2)$, $F_0 = 0$ the width is
//! $\sigma(t) = \sigma_0|\cos\omega t + \tfrac{\gamma}{\mu\sigma_0^2\omega}\sin\omega t|$ with
//! $\omega = \sqrt{2\gamma k}$ ([`classical_width`]), until the caustic.

use crate::error::{QuantumError, Result, check_dt, check_finite, check_positive};

/// The coefficients $(\gamma, D, \mu)$ of the action (N3.1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActionCoefficients {
    /// Learning rate $\gamma$.
    pub gamma: f64,
    /// Diffusion $D$.
    pub diffusion: f64,
    /// Lagrange multiplier $\mu$.
    pub mu: f64,
}

impl ActionCoefficients {
    /// Validated coefficients.
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] unless all three are finite and positive.
    pub fn new(gamma: f64, diffusion: f64, mu: f64) -> Result<Self> {
        check_positive("gamma", gamma)?;
        check_positive("diffusion", diffusion)?;
        check_positive("mu", mu)?;
        Ok(Self { gamma, diffusion, mu })
    }

    /// $\hbar_\text{eff}^2 = (4D\mu - \gamma)/(\gamma\mu^2)$ (N3.7).
    pub fn hbar_squared(&self) -> f64 {
        (4.0 * self.diffusion * self.mu - self.gamma) / (self.gamma * self.mu * self.mu)
    }

    /// $m_\text{eff} = 1/(2\gamma)$ (N3.7).
    pub fn mass(&self) -> f64 {
        0.5 / self.gamma
    }
}

/// The state $(u = \ln p, F)$ on the grid at time `time`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionState {
    /// $\ln p$ at the grid points.
    pub log_p: Vec<f64>,
    /// $F$ at the grid points.
    pub f: Vec<f64>,
    /// Time.
    pub time: f64,
}

impl ActionState {
    /// $p = e^u$.
    pub fn density(&self) -> Vec<f64> {
        self.log_p.iter().map(|u| u.exp()).collect()
    }
}

/// Finite-difference RK4 solver of (N3.2)-(N3.3) in $\ln p$ on `n` points $q_j = q_0 + jh$.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxActionFlow {
    coef: ActionCoefficients,
    origin: f64,
    spacing: f64,
    v: Vec<f64>,
}

impl BoxActionFlow {
    /// A solver on `n >= 4` points from `origin` with `spacing`, potential `potential(q)`.
    ///
    /// # Errors
    /// [`QuantumError::GridTooSmall`], [`QuantumError::InvalidParameter`] for a bad origin, spacing or
    /// coefficients (a struct literal is re-validated), [`QuantumError::TooLarge`] beyond
    /// [`crate::error::MAX_POINTS`] points,
    /// [`QuantumError::NonFinitePotential`] where $V$ is not finite.
    pub fn new(
        coef: ActionCoefficients,
        origin: f64,
        spacing: f64,
        n: usize,
        potential: impl Fn(f64) -> f64,
    ) -> Result<Self> {
        if n < 4 {
            return Err(QuantumError::GridTooSmall {
                axis: 0,
                points: n,
                min: 4,
            });
        }
        check_finite("origin", origin)?;
        check_positive("spacing", spacing)?;
        // The fields of `coef` are public: re-validate a struct literal.
        let coef = ActionCoefficients::new(coef.gamma, coef.diffusion, coef.mu)?;
        if n > crate::error::MAX_POINTS {
            return Err(QuantumError::TooLarge {
                what: "action-flow grid points",
                requested: n,
                limit: crate::error::MAX_POINTS,
            });
        }
        let mut v = Vec::with_capacity(n);
        for j in 0..n {
            let x = potential(origin + j as f64 * spacing);
            if !x.is_finite() {
                return Err(QuantumError::NonFinitePotential { index: j, value: x });
            }
            v.push(x);
        }
        Ok(Self {
            coef,
            origin,
            spacing,
            v,
        })
    }

    /// The grid points.
    pub fn points(&self) -> Vec<f64> {
        (0..self.v.len())
            .map(|j| self.origin + j as f64 * self.spacing)
            .collect()
    }

    /// The coefficients.
    pub fn coefficients(&self) -> ActionCoefficients {
        self.coef
    }

    /// A state from $\ln p$ and $F$ sampled at the grid points.
    ///
    /// # Errors
    /// [`QuantumError::SizeMismatch`] or [`QuantumError::NonFiniteState`].
    pub fn state(&self, log_p: Vec<f64>, f: Vec<f64>) -> Result<ActionState> {
        for w in [&log_p, &f] {
            if w.len() != self.v.len() {
                return Err(QuantumError::SizeMismatch {
                    expected: self.v.len(),
                    got: w.len(),
                });
            }
            if let Some(index) = w.iter().position(|x| !x.is_finite()) {
                return Err(QuantumError::NonFiniteState { index });
            }
        }
        Ok(ActionState { log_p, f, time: 0.0 })
    }

    /// First and second derivatives (second order; one-sided at the ends).
    fn derivatives(&self, w: &[f64], d1: &mut [f64], d2: &mut [f64]) {
        let n = w.len();
        let h = self.spacing;
        for j in 1..n - 1 {
            d1[j] = (w[j + 1] - w[j - 1]) / (2.0 * h);
            d2[j] = (w[j + 1] - 2.0 * w[j] + w[j - 1]) / (h * h);
        }
        d1[0] = (-3.0 * w[0] + 4.0 * w[1] - w[2]) / (2.0 * h);
        d2[0] = (2.0 * w[0] - 5.0 * w[1] + 4.0 * w[2] - w[3]) / (h * h);
        d1[n - 1] = (3.0 * w[n - 1] - 4.0 * w[n - 2] + w[n - 3]) / (2.0 * h);
        d2[n - 1] = (2.0 * w[n - 1] - 5.0 * w[n - 2] + 4.0 * w[n - 3] - w[n - 4]) / (h * h);
    }

    /// The right-hand side $(\partial_t u, \partial_t F)$: central differences at the interior points;
    /// at the two end points the right-hand side is extrapolated quadratically from the three nearest
    /// interior points (exact when the right-hand side is quadratic in $q$, as for Gaussian data in a
    /// harmonic trap; one-sided derivative stencils at the ends are unstable for this dispersive
    /// system).
    pub fn rhs(&self, u: &[f64], f: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let n = u.len();
        let (g, d, mu) = (self.coef.gamma, self.coef.diffusion, self.coef.mu);
        let (mut u1, mut u2, mut f1, mut f2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        self.derivatives(u, &mut u1, &mut u2);
        self.derivatives(f, &mut f1, &mut f2);
        let mut du: Vec<f64> = (0..n)
            .map(|j| -2.0 * g * (f2[j] + u1[j] * f1[j]) + g / mu * (u2[j] + u1[j] * u1[j]))
            .collect();
        let mut df: Vec<f64> = (0..n)
            .map(|j| {
                -g * f1[j] * f1[j] - self.v[j] - g / mu * f2[j]
                    + 4.0 * d / mu * (0.5 * u2[j] + 0.25 * u1[j] * u1[j])
            })
            .collect();
        for w in [&mut du, &mut df] {
            w[0] = 3.0 * w[1] - 3.0 * w[2] + w[3];
            w[n - 1] = 3.0 * w[n - 2] - 3.0 * w[n - 3] + w[n - 4];
        }
        // The potential is not quadratic in general: restore its exact contribution at the ends.
        df[0] += -self.v[0] + 3.0 * self.v[1] - 3.0 * self.v[2] + self.v[3];
        df[n - 1] += -self.v[n - 1] + 3.0 * self.v[n - 2] - 3.0 * self.v[n - 3] + self.v[n - 4];
        (du, df)
    }

    /// `steps` RK4 steps of size `dt`.
    ///
    /// # Errors
    /// [`QuantumError::InvalidTimeStep`]; [`QuantumError::NonFiniteState`] if the solution blows up
    /// (e.g. an unstable step or the Euclidean regime).
    pub fn run(&self, s: &mut ActionState, dt: f64, steps: usize) -> Result<()> {
        check_dt(dt)?;
        let n = s.log_p.len();
        let axpy =
            |a: &[f64], k: &[f64], c: f64| -> Vec<f64> { a.iter().zip(k).map(|(x, y)| x + c * y).collect() };
        for _ in 0..steps {
            let (k1u, k1f) = self.rhs(&s.log_p, &s.f);
            let (k2u, k2f) = self.rhs(&axpy(&s.log_p, &k1u, 0.5 * dt), &axpy(&s.f, &k1f, 0.5 * dt));
            let (k3u, k3f) = self.rhs(&axpy(&s.log_p, &k2u, 0.5 * dt), &axpy(&s.f, &k2f, 0.5 * dt));
            let (k4u, k4f) = self.rhs(&axpy(&s.log_p, &k3u, dt), &axpy(&s.f, &k3f, dt));
            for j in 0..n {
                s.log_p[j] += dt / 6.0 * (k1u[j] + 2.0 * k2u[j] + 2.0 * k3u[j] + k4u[j]);
                s.f[j] += dt / 6.0 * (k1f[j] + 2.0 * k2f[j] + 2.0 * k3f[j] + k4f[j]);
            }
            s.time += dt;
            if let Some(index) = s.log_p.iter().chain(&s.f).position(|x| !x.is_finite()) {
                return Err(QuantumError::NonFiniteState { index: index % n });
            }
        }
        Ok(())
    }
}

/// Gaussian data in $V = \tfrac12 kq^2$: $u = a + bq + cq^2$, $F = \alpha + \beta q + \kappa q^2$
/// evolve by the six ODEs obtained by inserting the quadratics into (N3.2)-(N3.3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianAction {
    /// The coefficients of the action.
    pub coef: ActionCoefficients,
    /// Trap stiffness $k$.
    pub stiffness: f64,
    /// $(a, b, c, \alpha, \beta, \kappa)$.
    pub y: [f64; 6],
}

impl GaussianAction {
    fn rhs(&self, y: &[f64; 6]) -> [f64; 6] {
        let (g, d, mu) = (self.coef.gamma, self.coef.diffusion, self.coef.mu);
        let [_, b, c, _, be, ka] = *y;
        [
            -2.0 * g * (2.0 * ka + b * be) + g / mu * (2.0 * c + b * b),
            -2.0 * g * (2.0 * c * be + 2.0 * ka * b) + g / mu * 4.0 * b * c,
            -8.0 * g * c * ka + g / mu * 4.0 * c * c,
            -g * be * be - g / mu * 2.0 * ka + 4.0 * d / mu * (c + 0.25 * b * b),
            -4.0 * g * be * ka + 4.0 * d / mu * b * c,
            -4.0 * g * ka * ka - 0.5 * self.stiffness + 4.0 * d / mu * c * c,
        ]
    }

    /// Advance by `steps` RK4 steps of `dt`.
    ///
    /// # Errors
    /// [`QuantumError::InvalidTimeStep`], [`QuantumError::NonFiniteState`].
    pub fn run(&mut self, dt: f64, steps: usize) -> Result<()> {
        check_dt(dt)?;
        // The fields are public: re-validate a struct literal before integrating.
        ActionCoefficients::new(self.coef.gamma, self.coef.diffusion, self.coef.mu)?;
        crate::error::check_finite("stiffness", self.stiffness)?;
        if let Some(index) = self.y.iter().position(|x| !x.is_finite()) {
            return Err(QuantumError::NonFiniteState { index });
        }
        for _ in 0..steps {
            let y = self.y;
            let k1 = self.rhs(&y);
            let k2 = self.rhs(&std::array::from_fn(|i| y[i] + 0.5 * dt * k1[i]));
            let k3 = self.rhs(&std::array::from_fn(|i| y[i] + 0.5 * dt * k2[i]));
            let k4 = self.rhs(&std::array::from_fn(|i| y[i] + dt * k3[i]));
            for i in 0..6 {
                self.y[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
            }
            if let Some(index) = self.y.iter().position(|x| !x.is_finite()) {
                return Err(QuantumError::NonFiniteState { index });
            }
        }
        Ok(())
    }

    /// Width $\sigma = (-2c)^{-1/2}$ of $p$ (NaN if $c \ge 0$).
    pub fn width(&self) -> f64 {
        (-2.0 * self.y[2]).powf(-0.5)
    }
}

/// The classical-regime width (V-M3): $p_0 = N(0, \sigma_0^2)$, $F_0 = 0$, $4D\mu = \gamma$,
/// $V = \tfrac12kq^2$: $\sigma(t) = \sigma_0|\cos\omega t + \tfrac{\gamma}{\mu\sigma_0^2\omega}\sin\omega t|$,
/// $\omega = \sqrt{2\gamma k}$ (Liouville transport by the flow of mass $1/2\gamma$ with initial
/// velocity $2\gamma\partial_q\tilde F_0 = \gamma q/\mu\sigma_0^2$).
pub fn classical_width(sigma0: f64, gamma: f64, mu: f64, stiffness: f64, t: f64) -> f64 {
    let w = (2.0 * gamma * stiffness).sqrt();
    sigma0 * ((w * t).cos() + gamma / (mu * sigma0 * sigma0 * w) * (w * t).sin()).abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gaussian_state(flow: &BoxActionFlow, sigma: f64) -> ActionState {
        let q = flow.points();
        let lnorm = -0.5 * (2.0 * std::f64::consts::PI * sigma * sigma).ln();
        let u = q.iter().map(|x| lnorm - x * x / (2.0 * sigma * sigma)).collect();
        flow.state(u, vec![0.0; q.len()]).unwrap()
    }

    #[test]
    fn classical_regime_follows_liouville() {
        // 4Dμ = γ: γ = 0.5, μ = 2, D = 1/16.
        let coef = ActionCoefficients::new(0.5, 1.0 / 16.0, 2.0).unwrap();
        assert!(coef.hbar_squared().abs() < 1e-15);
        let flow = BoxActionFlow::new(coef, -10.0, 20.0 / 256.0, 257, |q| 0.5 * q * q).unwrap();
        let mut s = gaussian_state(&flow, 1.0);
        flow.run(&mut s, 1e-3, 1200).unwrap();
        let p = s.density();
        let q = flow.points();
        let h = 20.0 / 256.0;
        let m0: f64 = p.iter().sum::<f64>() * h;
        let var: f64 = p.iter().zip(&q).map(|(p, q)| p * q * q).sum::<f64>() * h / m0;
        let exact = classical_width(1.0, 0.5, 2.0, 1.0, s.time);
        assert!((var.sqrt() - exact).abs() < 1e-8, "{} {}", var.sqrt(), exact);
    }

    #[test]
    fn grid_flow_matches_gaussian_odes() {
        let coef = ActionCoefficients::new(0.5, 1.0, 2.0).unwrap();
        let flow = BoxActionFlow::new(coef, -8.0, 16.0 / 128.0, 129, |q| 0.5 * q * q).unwrap();
        let mut s = gaussian_state(&flow, 1.0);
        let lnorm = -0.5 * (2.0 * std::f64::consts::PI).ln();
        let mut g = GaussianAction {
            coef,
            stiffness: 1.0,
            y: [lnorm, 0.0, -0.5, 0.0, 0.0, 0.0],
        };
        flow.run(&mut s, 1e-3, 500).unwrap();
        g.run(1e-3, 500).unwrap();
        for (q, u) in flow.points().iter().zip(&s.log_p) {
            let ug = g.y[0] + g.y[1] * q + g.y[2] * q * q;
            assert!((u - ug).abs() < 1e-9 * (1.0 + ug.abs()), "{q} {u} {ug}");
        }
        assert!(g.width().is_finite());
    }

    #[test]
    fn bad_input_is_rejected() {
        assert!(ActionCoefficients::new(0.0, 1.0, 1.0).is_err());
        let coef = ActionCoefficients::new(0.5, 1.0, 2.0).unwrap();
        assert!(BoxActionFlow::new(coef, 0.0, 0.1, 3, |_| 0.0).is_err());
        assert!(BoxActionFlow::new(coef, 0.0, 0.1, 8, |_| f64::NAN).is_err());
        let flow = BoxActionFlow::new(coef, 0.0, 0.1, 8, |_| 0.0).unwrap();
        assert!(flow.state(vec![0.0; 7], vec![0.0; 8]).is_err());
        let mut s = flow.state(vec![0.0; 8], vec![0.0; 8]).unwrap();
        assert!(flow.run(&mut s, -1.0, 1).is_err());
    }
}
