//! Potentials $V(\mathbf x, t)$: a trait, closure adapters, and ready-made potentials.
//!
//! Ready potentials (THEORY.md §3.1 S-QM set-ups):
//! - [`Harmonic`]: $V = \tfrac12 m\sum_a\omega_a^2(x_a - c_a)^2$, spectrum $\hbar\omega(n+\tfrac12)$ in 1D;
//! - [`Free`]: $V = 0$;
//! - [`Barrier`]: $V = V_0$ for $|x_0 - c| < w/2$ (axis 0), else 0;
//! - [`DoubleWell`]: $V = b\\,(x_0^2 - a^2)^2$;
//! - [`TwoSlit`]: a screen of height $V_0$ and thickness $t$ at $x_0 = x_s$ with two openings of width
//!   $w$ centred at $x_1 = \pm d/2$ (2D and 3D grids).
//!
//! The smooth ones ([`Free`], [`Harmonic`], [`DoubleWell`]) are written once for any dual scalar
//! ([`SmoothPotential`]), so their forces and Hessians come from automatic differentiation
//! ([`crate::smooth`]). Time-dependent potentials report `time_dependent() == true`; the stepper then re-evaluates them at
//! each sub-step time (THEORY.md N4.4 allows $V(t, q)$).

use num_dual::DualNum;

use crate::error::{QuantumError, Result};
use crate::smooth::SmoothPotential;

/// A potential $V(\mathbf x, t)$ on a `D`-dimensional grid.
pub trait Potential<const D: usize>: Send + Sync {
    /// $V(\mathbf x, t)$.
    fn value(&self, x: &[f64; D], t: f64) -> f64;
    /// Whether $V$ depends on $t$ (if false it is sampled once).
    fn time_dependent(&self) -> bool {
        false
    }
    /// Check the potential's own parameters before it is sampled (called by [`crate::Hamiltonian`]
    /// and [`crate::SplitStep`]; the default accepts everything). The ready-made potentials have
    /// public fields, so a struct literal can hold e.g. a NaN width that would silently give $V = 0$.
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] with the offending parameter.
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// `value` finite (and, if `positive`, > 0), else [`QuantumError::InvalidParameter`].
fn param(name: &'static str, value: f64, positive: bool) -> Result<()> {
    if value.is_finite() && (!positive || value > 0.0) {
        Ok(())
    } else {
        Err(QuantumError::InvalidParameter {
            name,
            value,
            reason: if positive {
                "must be finite and > 0"
            } else {
                "must be finite"
            },
        })
    }
}

/// A static potential from a closure `Fn(&[f64; D]) -> f64`.
#[derive(Debug, Clone, Copy)]
pub struct StaticFn<F>(pub F);

impl<const D: usize, F: Fn(&[f64; D]) -> f64 + Send + Sync> Potential<D> for StaticFn<F> {
    fn value(&self, x: &[f64; D], _t: f64) -> f64 {
        (self.0)(x)
    }
}

/// A time-dependent potential from a closure `Fn(&[f64; D], f64) -> f64`.
#[derive(Debug, Clone, Copy)]
pub struct TimeFn<F>(pub F);

impl<const D: usize, F: Fn(&[f64; D], f64) -> f64 + Send + Sync> Potential<D> for TimeFn<F> {
    fn value(&self, x: &[f64; D], t: f64) -> f64 {
        (self.0)(x, t)
    }
    fn time_dependent(&self) -> bool {
        true
    }
}

/// $V = 0$.
#[derive(Debug, Clone, Copy, Default)]
pub struct Free;

impl<const D: usize> SmoothPotential<D> for Free {
    fn eval<S: DualNum<Primitive = f64> + Copy>(&self, _x: [S; D], _t: f64) -> S {
        S::zero()
    }
}

/// Harmonic trap $V = \tfrac12 m\sum_a\omega_a^2(x_a - c_a)^2$.
#[derive(Debug, Clone, Copy)]
pub struct Harmonic<const D: usize> {
    /// Mass $m$ in the potential (use the same as in [`crate::Units`]).
    pub mass: f64,
    /// Angular frequencies per axis.
    pub omega: [f64; D],
    /// Centre.
    pub center: [f64; D],
}

impl<const D: usize> Harmonic<D> {
    /// An isotropic trap centred at the origin.
    pub fn isotropic(mass: f64, omega: f64) -> Self {
        Self {
            mass,
            omega: [omega; D],
            center: [0.0; D],
        }
    }
}

impl<const D: usize> SmoothPotential<D> for Harmonic<D> {
    fn eval<S: DualNum<Primitive = f64> + Copy>(&self, x: [S; D], _t: f64) -> S {
        let mut v = S::zero();
        for a in 0..D {
            let d = x[a] - self.center[a];
            v += d * d * (self.omega[a] * self.omega[a]);
        }
        v * (0.5 * self.mass)
    }
    fn validate(&self) -> Result<()> {
        param("mass", self.mass, true)?;
        self.omega.iter().try_for_each(|&w| param("omega", w, false))?;
        self.center.iter().try_for_each(|&c| param("center", c, false))
    }
}

/// Rectangular barrier along axis 0: $V_0$ for $|x_0 - c| < w/2$.
#[derive(Debug, Clone, Copy)]
pub struct Barrier {
    /// Height $V_0$.
    pub height: f64,
    /// Centre $c$.
    pub center: f64,
    /// Width $w$.
    pub width: f64,
}

impl<const D: usize> Potential<D> for Barrier {
    fn value(&self, x: &[f64; D], _t: f64) -> f64 {
        if (x[0] - self.center).abs() < 0.5 * self.width {
            self.height
        } else {
            0.0
        }
    }
    fn validate(&self) -> Result<()> {
        param("height", self.height, false)?;
        param("center", self.center, false)?;
        param("width", self.width, true)
    }
}

/// Double well along axis 0: $V = b\\,(x_0^2 - a^2)^2$ (minima at $\pm a$, barrier $b a^4$).
#[derive(Debug, Clone, Copy)]
pub struct DoubleWell {
    /// Half distance $a$ between the minima.
    pub a: f64,
    /// Strength $b$.
    pub b: f64,
}

impl<const D: usize> SmoothPotential<D> for DoubleWell {
    fn eval<S: DualNum<Primitive = f64> + Copy>(&self, x: [S; D], _t: f64) -> S {
        let s = x[0] * x[0] - self.a * self.a;
        s * s * self.b
    }
    fn validate(&self) -> Result<()> {
        param("a", self.a, false)?;
        param("b", self.b, false)
    }
}

/// Two-slit screen: height $V_0$ for $|x_0 - x_s| < t/2$ except in two slits of width $w$ centred at
/// $x_1 = \pm d/2$. On a 1D grid it is a plain wall.
#[derive(Debug, Clone, Copy)]
pub struct TwoSlit {
    /// Screen height $V_0$.
    pub height: f64,
    /// Screen position $x_s$ along axis 0.
    pub position: f64,
    /// Screen thickness $t$.
    pub thickness: f64,
    /// Slit separation $d$ (centre to centre) along axis 1.
    pub separation: f64,
    /// Slit width $w$.
    pub slit_width: f64,
}

impl<const D: usize> Potential<D> for TwoSlit {
    fn value(&self, x: &[f64; D], _t: f64) -> f64 {
        if (x[0] - self.position).abs() >= 0.5 * self.thickness {
            return 0.0;
        }
        if D < 2 {
            return self.height;
        }
        let y = x[1];
        let half = 0.5 * self.separation;
        let open = (y - half).abs() < 0.5 * self.slit_width || (y + half).abs() < 0.5 * self.slit_width;
        if open { 0.0 } else { self.height }
    }
    fn validate(&self) -> Result<()> {
        param("height", self.height, false)?;
        param("position", self.position, false)?;
        param("thickness", self.thickness, true)?;
        param("slit_width", self.slit_width, true)?;
        param("separation", self.separation, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_potentials_values() {
        let h = Harmonic::<2>::isotropic(2.0, 3.0);
        // 0.5 * 2 * 9 * (1 + 4) = 45
        assert_eq!(h.value(&[1.0, 2.0], 0.0), 45.0);
        let dw = DoubleWell { a: 1.0, b: 2.0 };
        assert_eq!(Potential::<1>::value(&dw, &[1.0], 0.0), 0.0);
        assert_eq!(Potential::<1>::value(&dw, &[0.0], 0.0), 2.0);
        let b = Barrier {
            height: 5.0,
            center: 0.0,
            width: 1.0,
        };
        assert_eq!(Potential::<1>::value(&b, &[0.4], 0.0), 5.0);
        assert_eq!(Potential::<1>::value(&b, &[0.6], 0.0), 0.0);
        let s = TwoSlit {
            height: 9.0,
            position: 0.0,
            thickness: 0.5,
            separation: 2.0,
            slit_width: 0.4,
        };
        assert_eq!(Potential::<2>::value(&s, &[0.0, 1.0], 0.0), 0.0);
        assert_eq!(Potential::<2>::value(&s, &[0.0, 0.0], 0.0), 9.0);
        assert_eq!(Potential::<2>::value(&s, &[1.0, 0.0], 0.0), 0.0);
        let f = TimeFn(|x: &[f64; 1], t: f64| x[0] * t);
        assert!(Potential::<1>::time_dependent(&f));
        assert_eq!(f.value(&[2.0], 3.0), 6.0);
        assert!(!Potential::<1>::time_dependent(&StaticFn(|x: &[f64; 1]| x[0])));
    }
}
