//! Mean first-passage times of one-dimensional overdamped diffusion, by quadrature.
//!
//! For $dX = -U'(X)\\,dt + \sqrt{2D}\\,dW$ on $[x_r, \infty)$, reflecting at $x_r$, the mean time to
//! reach $b$ from $a$ ($x_r \le a < b$) is the classical double integral (Gardiner, *Stochastic
//! Methods*, §5.5; Pontryagin's equation $D\\,T'' - U' T' = -1$ with $T'(x_r) = 0$, $T(b) = 0$)
//! $$T(a \to b) = \frac1D \int_a^b dy\\, e^{U(y)/D} \int_{x_r}^{y} dz\\, e^{-U(z)/D}.$$
//! It is independent of any Fokker-Planck grid or ensemble, which makes it the cross-check of the
//! spectral escape rate $\lambda_1/2$ of a double well (THEORY.md S-FP, Kramers): for a high
//! barrier $1/T$ approaches the escape rate.
//!
//! ```
//! use nqg_thermo::passage::mean_first_passage_time;
//! // Free diffusion (U = 0), reflecting at 0, from 1 to 3: T = (b² - a²)/(2D) = 8/(2·0.5) = 8.
//! let t = mean_first_passage_time(|_| 0.0, 0.5, 0.0, 1.0, 3.0, 2000).unwrap();
//! assert!((t - 8.0).abs() < 1e-12);
//! ```

use crate::error::{Result, ThermoError};

/// The largest number of quadrature intervals (a work budget: about a second of evaluations).
pub const MAX_INTERVALS: usize = 1 << 28;

/// $T(a \to b)$ of overdamped diffusion in the potential `u` with diffusion coefficient `d`,
/// reflecting at `reflecting` $= x_r$ (the formula of the module doc), by the composite trapezoid
/// rule on `intervals` intervals split between $[x_r, a]$ and $[a, b]$ in proportion to their lengths
/// (so $a$ is a node; each part has at least one interval). The error is $O(h^2)$ for smooth `u`.
///
/// # Errors
/// [`ThermoError::NegativeDiffusion`] for `d` not positive and finite;
/// [`ThermoError::InvalidParameter`] for a non-finite end point, for the order
/// $x_r \le a < b$ violated, for fewer than 2 or more than [`MAX_INTERVALS`] intervals;
/// [`ThermoError::NonFiniteValue`] (what: `"potential"` with the node index, or `"first-passage
/// integral"`) if `u` is not finite at a node or $e^{\pm U/D}$ overflows.
pub fn mean_first_passage_time(
    u: impl Fn(f64) -> f64,
    d: f64,
    reflecting: f64,
    start: f64,
    target: f64,
    intervals: usize,
) -> Result<f64> {
    check_setup(d, reflecting, start, target, intervals)?;
    let frac = (start - reflecting) / (target - reflecting);
    let n1 = ((intervals as f64 * frac).round() as usize).clamp(0, intervals - 1);
    let n2 = intervals - n1;
    let boltzmann = |i: usize, x: f64| -> Result<(f64, f64)> {
        let ux = u(x);
        if !ux.is_finite() {
            return Err(ThermoError::NonFiniteValue {
                what: "potential",
                index: i,
                value: ux,
            });
        }
        Ok(((-ux / d).exp(), (ux / d).exp()))
    };
    // Inner integral I(y) = ∫_{x_r}^y e^{-U/D} up to a (zero intervals when a = x_r).
    let h1 = if n1 == 0 {
        0.0
    } else {
        (start - reflecting) / n1 as f64
    };
    let (mut inner, mut prev) = (0.0, boltzmann(0, reflecting)?.0);
    for i in 1..=n1 {
        let e = boltzmann(i, reflecting + i as f64 * h1)?.0;
        inner += 0.5 * h1 * (prev + e);
        prev = e;
    }
    // Outer integral over [a, b], the inner one carried along.
    let h2 = (target - start) / n2 as f64;
    let (e_a, w_a) = boltzmann(n1, start)?;
    let (mut prev_inner_e, mut prev_outer) = (e_a, w_a * inner);
    let mut outer = 0.0;
    for j in 1..=n2 {
        let y = start + j as f64 * h2;
        let (e, w) = boltzmann(n1 + j, y)?;
        inner += 0.5 * h2 * (prev_inner_e + e);
        prev_inner_e = e;
        let o = w * inner;
        outer += 0.5 * h2 * (prev_outer + o);
        prev_outer = o;
    }
    let t = outer / d;
    if !t.is_finite() {
        return Err(ThermoError::NonFiniteValue {
            what: "first-passage integral",
            index: intervals,
            value: t,
        });
    }
    Ok(t)
}

/// The argument checks of [`mean_first_passage_time`].
fn check_setup(d: f64, reflecting: f64, start: f64, target: f64, intervals: usize) -> Result<()> {
    if !(d.is_finite() && d > 0.0) {
        return Err(ThermoError::NegativeDiffusion { value: d });
    }
    for (name, value) in [
        ("reflecting boundary", reflecting),
        ("start", start),
        ("target", target),
    ] {
        if !value.is_finite() {
            return Err(ThermoError::InvalidParameter {
                name,
                value,
                reason: "must be finite",
            });
        }
    }
    if start < reflecting {
        return Err(ThermoError::InvalidParameter {
            name: "start",
            value: start,
            reason: "must not lie beyond the reflecting boundary (x_r <= a)",
        });
    }
    if target <= start {
        return Err(ThermoError::InvalidParameter {
            name: "target",
            value: target,
            reason: "must exceed the start (a < b)",
        });
    }
    if !(2..=MAX_INTERVALS).contains(&intervals) {
        return Err(ThermoError::InvalidParameter {
            name: "intervals",
            value: intervals as f64,
            reason: "must be in 2..=2^28",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Free diffusion: $T = ((b - x_r)^2 - (a - x_r)^2)/(2D)$. The trapezoid rule is exact here
    /// for the inner integral (constant) and the outer one (linear), so round-off only.
    #[test]
    fn free_diffusion_is_exact() {
        let t = mean_first_passage_time(|_| 0.0, 0.25, -1.0, 0.5, 2.0, 777).unwrap();
        let want = (3.0f64.powi(2) - 1.5f64.powi(2)) / (2.0 * 0.25);
        assert!((t - want).abs() < 1e-12 * want, "{t} vs {want}");
        // Start at the reflecting wall: all intervals on [a, b].
        let t0 = mean_first_passage_time(|_| 0.0, 1.0, 0.0, 0.0, 1.0, 10).unwrap();
        assert!((t0 - 0.5).abs() < 1e-14);
    }

    /// Constant force $U = Fx$ from $x_r = a = 0$ to $b$: Pontryagin's equation gives
    /// $T = \frac{D}{F^2}(e^{Fb/D} - 1) - \frac{b}{F}$. Trapezoid error $O(h^2)$: the error falls by 4
    /// per halving of $h$ (3.9..4.1) and is below 1e-6 relative at 4000 intervals.
    #[test]
    fn constant_force_converges_at_second_order() {
        let (f, d, b) = (1.5f64, 0.7f64, 2.0f64);
        let exact = d / (f * f) * ((f * b / d).exp() - 1.0) - b / f;
        let err = |n| (mean_first_passage_time(|x| f * x, d, 0.0, 0.0, b, n).unwrap() - exact).abs();
        let (e1, e2) = (err(1000), err(2000));
        assert!((3.9..4.1).contains(&(e1 / e2)), "{e1} / {e2}");
        assert!(err(4000) < 1e-6 * exact);
    }

    #[test]
    fn bad_input_is_a_typed_error_with_its_value() {
        let ok = |_: f64| 0.0;
        assert!(matches!(
            mean_first_passage_time(ok, -1.0, 0.0, 0.5, 1.0, 10),
            Err(ThermoError::NegativeDiffusion { value }) if value == -1.0
        ));
        assert!(matches!(
            mean_first_passage_time(ok, 1.0, 0.0, -0.5, 1.0, 10),
            Err(ThermoError::InvalidParameter { name: "start", value, .. }) if value == -0.5
        ));
        assert!(matches!(
            mean_first_passage_time(ok, 1.0, 0.0, 0.5, 0.5, 10),
            Err(ThermoError::InvalidParameter { name: "target", .. })
        ));
        assert!(matches!(
            mean_first_passage_time(ok, 1.0, f64::NAN, 0.5, 1.0, 10),
            Err(ThermoError::InvalidParameter {
                name: "reflecting boundary",
                ..
            })
        ));
        assert!(matches!(
            mean_first_passage_time(ok, 1.0, 0.0, 0.5, 1.0, 1),
            Err(ThermoError::InvalidParameter { name: "intervals", value, .. }) if value == 1.0
        ));
        assert!(matches!(
            mean_first_passage_time(|x| if x > 0.7 { f64::NAN } else { 0.0 }, 1.0, 0.0, 0.5, 1.0, 10),
            Err(ThermoError::NonFiniteValue {
                what: "potential",
                ..
            })
        ));
        // e^{U/D} overflows: a typed error, not inf.
        assert!(matches!(
            mean_first_passage_time(|x| 1e3 * x, 1.0, 0.0, 0.5, 1.0, 10),
            Err(ThermoError::NonFiniteValue {
                what: "first-passage integral",
                ..
            })
        ));
    }
}
