//! Smooth potentials written once, generic over the dual scalar: $V(\mathbf x, t)$, the force
//! $\mathbf F = -\nabla V$ and the Hessian $\partial_a\partial_b V$ all come from the same function, the
//! derivatives by forward-mode automatic differentiation (num-dual), as DESIGN.md asks of every
//! derivative in nqg.
//!
//! A type that implements [`SmoothPotential`] is a [`Potential`] (blanket impl), so it runs on the
//! grid solvers unchanged; [`gradient`], [`force`] and [`hessian`] evaluate its derivatives at a point
//! (exact to round-off, no step size). The smooth ready-made potentials ([`Free`](crate::potential::Free),
//! [`Harmonic`](crate::potential::Harmonic), [`DoubleWell`](crate::potential::DoubleWell)) are
//! written this way.
//!
//! ```
//! use nqg_quantum::smooth::{force, hessian, SmoothPotential};
//! use num_dual::DualNum;
//! /// A Morse potential $V = D_e(1 - e^{-\alpha(x - r_e)})^2$.
//! struct Morse { de: f64, alpha: f64, re: f64 }
//! impl SmoothPotential<1> for Morse {
//!     fn eval<S: DualNum<Primitive = f64> + Copy>(&self, x: [S; 1], _t: f64) -> S {
//!         let u = -((x[0] - self.re) * (-self.alpha)).exp() + 1.0;
//!         u * u * self.de
//!     }
//! }
//! let m = Morse { de: 2.0, alpha: 1.5, re: 1.0 };
//! // At the minimum the force vanishes and the curvature is 2 D_e alpha^2.
//! assert!(force(&m, &[1.0], 0.0)[0].abs() < 1e-15);
//! assert!((hessian(&m, &[1.0], 0.0)[0][0] - 2.0 * 2.0 * 1.5 * 1.5).abs() < 1e-12);
//! ```

use num_dual::{Dual64, DualNum, HyperDual64};

use crate::potential::Potential;

/// A potential $V(\mathbf x, t)$ written once for any scalar `S` (f64 or a dual number), so that its
/// derivatives in $\mathbf x$ come from automatic differentiation.
pub trait SmoothPotential<const D: usize>: Send + Sync {
    /// $V(\mathbf x, t)$ for a point whose coordinates may carry derivative parts.
    fn eval<S: DualNum<Primitive = f64> + Copy>(&self, x: [S; D], t: f64) -> S;
    /// Whether $V$ depends on $t$ (if false the grid solvers sample it once).
    fn time_dependent(&self) -> bool {
        false
    }
    /// Check the potential's own parameters (as [`Potential::validate`]; the default accepts
    /// everything).
    ///
    /// # Errors
    /// [`crate::QuantumError::InvalidParameter`] with the offending parameter.
    fn validate(&self) -> crate::error::Result<()> {
        Ok(())
    }
}

impl<const D: usize, P: SmoothPotential<D>> Potential<D> for P {
    fn value(&self, x: &[f64; D], t: f64) -> f64 {
        self.eval(*x, t)
    }
    fn time_dependent(&self) -> bool {
        SmoothPotential::time_dependent(self)
    }
    fn validate(&self) -> crate::error::Result<()> {
        SmoothPotential::validate(self)
    }
}

/// $\nabla V(\mathbf x, t)$: $D$ forward passes with a first-order dual in one coordinate each.
pub fn gradient<P: SmoothPotential<D> + ?Sized, const D: usize>(p: &P, x: &[f64; D], t: f64) -> [f64; D] {
    std::array::from_fn(|a| {
        let xd: [Dual64; D] = std::array::from_fn(|b| Dual64::new(x[b], if a == b { 1.0 } else { 0.0 }));
        p.eval(xd, t).eps
    })
}

/// The force $\mathbf F = -\nabla V(\mathbf x, t)$.
pub fn force<P: SmoothPotential<D> + ?Sized, const D: usize>(p: &P, x: &[f64; D], t: f64) -> [f64; D] {
    gradient(p, x, t).map(|g| -g)
}

/// The Hessian $\partial_a\partial_b V(\mathbf x, t)$: one hyper-dual pass per pair $a \le b$
/// ($D(D+1)/2$ passes), symmetric by construction.
pub fn hessian<P: SmoothPotential<D> + ?Sized, const D: usize>(p: &P, x: &[f64; D], t: f64) -> [[f64; D]; D] {
    let mut h = [[0.0; D]; D];
    for a in 0..D {
        for b in a..D {
            let xd: [HyperDual64; D] = std::array::from_fn(|c| {
                let e1 = if c == a { 1.0 } else { 0.0 };
                let e2 = if c == b { 1.0 } else { 0.0 };
                HyperDual64::new(x[c], e1, e2, 0.0)
            });
            let v = p.eval(xd, t).eps1eps2;
            h[a][b] = v;
            h[b][a] = v;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::potential::{DoubleWell, Harmonic};

    #[test]
    fn harmonic_force_and_hessian_are_the_closed_forms() {
        let p = Harmonic {
            mass: 2.0,
            omega: [1.0, 3.0],
            center: [0.5, -1.0],
        };
        let x = [1.5, 1.0];
        // F_a = -m w_a^2 (x_a - c_a), H = diag(m w_a^2): polynomials, exact in floating point.
        assert_eq!(force(&p, &x, 0.0), [-2.0, -36.0]);
        assert_eq!(hessian(&p, &x, 0.0), [[2.0, 0.0], [0.0, 18.0]]);
        assert_eq!(Potential::value(&p, &x, 0.0), 0.5 * 2.0 * (1.0 + 9.0 * 4.0));
    }

    #[test]
    fn double_well_derivatives_match_the_polynomial() {
        let p = DoubleWell { a: 1.2, b: 0.7 };
        for &x in &[-2.0, -0.3, 0.0, 0.9, 1.7] {
            let s = x * x - 1.44;
            let dv = 4.0 * 0.7 * x * s;
            let ddv = 0.7 * (12.0 * x * x - 4.0 * 1.44);
            // Relative round-off of a few products: 1e-14 of the term sizes.
            assert!((gradient(&p, &[x], 0.0)[0] - dv).abs() <= 1e-14 * (1.0 + dv.abs()));
            assert!((hessian(&p, &[x], 0.0)[0][0] - ddv).abs() <= 1e-14 * (1.0 + ddv.abs()));
        }
    }

    #[test]
    fn mixed_second_derivatives_of_a_coupled_potential() {
        struct Coupled;
        impl SmoothPotential<3> for Coupled {
            fn eval<S: DualNum<Primitive = f64> + Copy>(&self, x: [S; 3], t: f64) -> S {
                x[0] * x[1] * x[1] + (x[2] * x[0]).sin() * t
            }
            fn time_dependent(&self) -> bool {
                true
            }
        }
        let (x, t) = ([0.3, -0.8, 1.1], 2.0);
        let h = hessian(&Coupled, &x, t);
        let c = (x[2] * x[0]).cos();
        let s = (x[2] * x[0]).sin();
        let want = [
            [-t * x[2] * x[2] * s, 2.0 * x[1], t * (c - x[0] * x[2] * s)],
            [2.0 * x[1], 2.0 * x[0], 0.0],
            [t * (c - x[0] * x[2] * s), 0.0, -t * x[0] * x[0] * s],
        ];
        for a in 0..3 {
            for b in 0..3 {
                assert!((h[a][b] - want[a][b]).abs() < 1e-14, "H[{a}][{b}]");
            }
        }
        assert!(Potential::<3>::time_dependent(&Coupled));
    }
}
