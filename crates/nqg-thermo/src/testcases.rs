//! Standard problems with closed forms, shared by the tests, benches and examples of this crate.
//!
//! * [`OuCase`]: the Ornstein-Uhlenbeck process $dX = -\theta X\\,dt + \sqrt{2D}\\,dW$ with its
//!   Gaussian transition law, its stationary displacement variance, and the exact moments of its
//!   Euler-Maruyama chain;
//! * [`DoubleWell`]: overdamped motion in $U(x) = \Delta U\\,(x^2 - 1)^2$, with the Kramers escape
//!   rate;
//! * [`OU_BENCH`]: the OU ensemble of the `ou_ensemble` peer case ($10^5$ members $\times$ $10^3$
//!   Euler-Maruyama steps).

use crate::error::Result;
use crate::sde::{LinearOu, Sde};

/// The Ornstein-Uhlenbeck process $dX = -\theta X\\,dt + \sqrt{2D}\\,dW$ in one dimension.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OuCase {
    /// Relaxation rate $\theta > 0$.
    pub theta: f64,
    /// Diffusion constant $D > 0$.
    pub d: f64,
}

/// The OU ensemble of the peer case `ou_ensemble` (docs/benchmarks.md): $\theta = 1$,
/// $D = 1/8$, $h = 0.005$, $10^3$ steps, $10^5$ members, $x_0 = 0$.
pub const OU_BENCH: (OuCase, f64, usize, usize) = (OuCase { theta: 1.0, d: 0.125 }, 0.005, 1000, 100_000);

impl OuCase {
    /// The process as a [`LinearOu`] ($A = \theta$, trap at 0).
    ///
    /// # Errors
    /// [`LinearOu::new`]'s: $D \le 0$ or a non-finite parameter.
    pub fn sde(&self) -> Result<LinearOu> {
        LinearOu::new(vec![self.theta], self.d, vec![0.0], vec![0.0])
    }

    /// The stationary variance $D/\theta$.
    pub fn stationary_variance(&self) -> f64 {
        self.d / self.theta
    }

    /// The mean $\mathbb E[X_t \mid X_0 = x_0] = x_0 e^{-\theta t}$.
    pub fn mean(&self, x0: f64, t: f64) -> f64 {
        x0 * (-self.theta * t).exp()
    }

    /// The variance from a start of variance $v_0$:
    /// $\mathrm{Var}\\,X_t = \tfrac D\theta + (v_0 - \tfrac D\theta)e^{-2\theta t}$.
    pub fn variance(&self, v0: f64, t: f64) -> f64 {
        let s = self.stationary_variance();
        s + (v0 - s) * (-2.0 * self.theta * t).exp()
    }

    /// The displacement variance for a stationary start,
    /// $\langle (X_t - X_0)^2\rangle = 2\tfrac D\theta(1 - e^{-\theta t})$ (it grows as $2Dt$ for
    /// $\theta t \ll 1$, free diffusion, and saturates at twice the stationary variance).
    pub fn stationary_displacement_variance(&self, t: f64) -> f64 {
        2.0 * self.stationary_variance() * (1.0 - (-self.theta * t).exp())
    }

    /// The same for the Euler-Maruyama chain $X_{n+1} = \rho X_n + \sqrt{2Dh}\\,Z_n$,
    /// $\rho = 1 - \theta h$, started from its own stationary law (variance
    /// $v_h = 2Dh/(1 - \rho^2)$): $\langle (X_n - X_0)^2\rangle = 2 v_h (1 - \rho^n)$, the exact
    /// target of an EM ensemble (no time-step bias).
    pub fn em_stationary_displacement_variance(&self, h: f64, n: usize) -> f64 {
        let rho = 1.0 - self.theta * h;
        let vh = self.em_stationary_variance(h);
        2.0 * vh * (1.0 - rho.powi(n as i32))
    }

    /// The stationary variance of the Euler-Maruyama chain, $2Dh/(1 - (1 - \theta h)^2)$
    /// $= D/(\theta(1 - \theta h/2))$.
    pub fn em_stationary_variance(&self, h: f64) -> f64 {
        self.d / (self.theta * (1.0 - 0.5 * self.theta * h))
    }
}

/// Overdamped motion in the double well $U(x) = \Delta U\\,(x^2 - 1)^2$:
/// $dX = -U'(X)\\,dt + \sqrt{2D}\\,dW$, minima at $\pm 1$, barrier $\Delta U$ at 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoubleWell {
    /// Barrier height $\Delta U$.
    pub barrier: f64,
    /// Diffusion constant (temperature) $D$.
    pub d: f64,
}

impl DoubleWell {
    /// The potential $U(x)$.
    pub fn potential(&self, x: f64) -> f64 {
        self.barrier * (x * x - 1.0).powi(2)
    }

    /// The force $-U'(x) = -4\Delta U\\,x(x^2 - 1)$.
    pub fn force(&self, x: f64) -> f64 {
        -4.0 * self.barrier * x * (x * x - 1.0)
    }

    /// The Kramers (Eyring-Kramers) escape rate from one well for $\Delta U \gg D$:
    /// $k = \frac{\sqrt{U''(1)\\,|U''(0)|}}{2\pi} e^{-\Delta U/D} = \frac{\sqrt{32}\\,\Delta U}{2\pi}
    /// e^{-\Delta U/D}$ ($U''(\pm1) = 8\Delta U$, $U''(0) = -4\Delta U$), with relative corrections
    /// $O(D/\Delta U)$.
    pub fn kramers_rate(&self) -> f64 {
        32f64.sqrt() * self.barrier / (2.0 * std::f64::consts::PI) * (-self.barrier / self.d).exp()
    }

    /// The unnormalised Boltzmann density $e^{-U(x)/D}$ (the stationary law).
    pub fn boltzmann(&self, x: f64) -> f64 {
        (-self.potential(x) / self.d).exp()
    }
}

/// The double well as an additive-noise [`Sde`]: drift $-U'(x)$, noise $\sqrt{2D}$.
impl Sde for DoubleWell {
    fn dim(&self) -> usize {
        1
    }
    fn drift(&self, _t: f64, x: &[f64], out: &mut [f64]) {
        out[0] = self.force(x[0]);
    }
    fn diffusion(&self, _t: f64, _x: &[f64], out: &mut [f64]) {
        out[0] = (2.0 * self.d).sqrt();
    }
    fn diffusion_derivative(&self, _t: f64, _x: &[f64], out: &mut [f64]) {
        out[0] = 0.0;
    }
    fn is_additive(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms_are_consistent() {
        let ou = OuCase { theta: 2.0, d: 0.5 };
        // The displacement variance is Var X_t + Var X_0 - 2 Cov = 2 s (1 - e^{-θt}) from the
        // covariance s e^{-θt}; its small-t slope is 2D; the EM forms tend to the exact ones as h → 0.
        let t = 0.3;
        let s = ou.stationary_variance();
        assert!((ou.stationary_displacement_variance(t) - 2.0 * s * (1.0 - (-2.0 * t).exp())).abs() < 1e-15);
        assert!((ou.stationary_displacement_variance(1e-8) / 1e-8 - 2.0 * ou.d).abs() < 1e-6);
        assert!((ou.variance(s, 5.0) - s).abs() < 1e-15);
        let h = 1e-6;
        let n = (t / h).round() as usize;
        let rel = ou.em_stationary_displacement_variance(h, n) / ou.stationary_displacement_variance(t) - 1.0;
        assert!(rel.abs() < 1e-5, "{rel}");
        let w = DoubleWell {
            barrier: 2.0,
            d: 0.25,
        };
        assert_eq!(w.force(1.0), 0.0);
        assert!((w.force(0.5) + 4.0 * 2.0 * 0.5 * (0.25 - 1.0)).abs() < 1e-15);
        assert!(
            (w.kramers_rate() - 32f64.sqrt() * 2.0 / (2.0 * std::f64::consts::PI) * (-8.0f64).exp()).abs()
                < 1e-18
        );
    }
}
