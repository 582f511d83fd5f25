//! Phase circulation and winding numbers: the Wallstrom quantisation condition
//! $\oint\nabla S\cdot d\mathbf l = m\oint\mathbf v\cdot d\mathbf l \in 2\pi\hbar\\,\mathbb Z$
//! (THEORY.md §3 "Why only Madelung", N4.1-N4.2).
//!
//! Two independent measurements on a closed loop:
//! - the **winding number** $W = \frac1{2\pi}\sum_j \arg(\psi_{j+1}\psi_j^\*)$ over consecutive loop
//!   samples, an integer by construction when the loop is resolved (each increment below $\pi$);
//! - the **circulation** $\Gamma = \oint \mathbf v\cdot d\mathbf l$ with
//!   $\mathbf v = (\hbar/m)\\,\mathrm{Im}(\nabla\psi/\psi)$ integrated by the periodic trapezoid rule
//!   (spectrally accurate), reported as $m\Gamma/2\pi\hbar$, a real number that a single-valued
//!   $\psi$ forces to equal $W$.
//!
//! A Madelung pair $(\rho, \mathbf v)$ with $m\Gamma/2\pi\hbar \notin \mathbb Z$ has no single-valued
//! $\psi$: see [`crate::madelung::compose_1d`] for the defect $|e^{im\Gamma/\hbar} - 1|$.

use num_complex::Complex64;

use crate::bohm::Interpolant;
use crate::error::{QuantumError, Result, check_positive};
use crate::grid::Units;
use crate::wavefunction::Wavefunction;

/// The winding number of closed-loop samples `values` (the loop closes from the last back to the
/// first), and the largest phase increment $|\Delta\arg|$ seen (the loop is resolved if it is $< \pi$).
///
/// # Errors
/// [`QuantumError::GridTooSmall`] for fewer than 3 samples, [`QuantumError::NonFiniteState`] for a
/// zero or non-finite sample (the phase is undefined at a node).
pub fn winding_number(values: &[Complex64]) -> Result<(i64, f64)> {
    if values.len() < 3 {
        return Err(QuantumError::GridTooSmall {
            axis: 0,
            points: values.len(),
            min: 3,
        });
    }
    if let Some(index) = values
        .iter()
        .position(|z| !(z.re.is_finite() && z.im.is_finite()) || z.norm_sqr() == 0.0)
    {
        return Err(QuantumError::NonFiniteState { index });
    }
    let n = values.len();
    let mut total = 0.0;
    let mut worst: f64 = 0.0;
    for j in 0..n {
        let d = (values[(j + 1) % n] * values[j].conj()).arg();
        worst = worst.max(d.abs());
        total += d;
    }
    Ok(((total / (2.0 * std::f64::consts::PI)).round() as i64, worst))
}

/// $m\oint v\\,dx/2\pi\hbar$ of a 1D periodic state (spectral derivative, periodic trapezoid rule).
///
/// # Errors
/// [`QuantumError::NonFiniteState`] if $\psi$ vanishes somewhere, bad units.
pub fn circulation_1d(psi: &Wavefunction<1>, units: Units) -> Result<f64> {
    units.validate()?;
    psi.check_finite()?;
    let d = psi.derivative(0, 0.0);
    let dx = psi.grid().spacing()[0];
    let mut s = 0.0;
    for (i, (p, dp)) in psi.values().iter().zip(&d).enumerate() {
        if p.norm_sqr() == 0.0 {
            return Err(QuantumError::NonFiniteState { index: i });
        }
        s += (dp / p).im;
    }
    Ok(s * dx / (2.0 * std::f64::consts::PI))
}

/// Measurements on a circular loop in a 2D state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoopCirculation {
    /// Winding number of the loop samples.
    pub winding: i64,
    /// $m\oint\mathbf v\cdot d\mathbf l/2\pi\hbar$.
    pub circulation: f64,
    /// Largest phase increment between samples (resolved if $< \pi$).
    pub max_increment: f64,
    /// $\min|\psi|^2$ on the loop (the loop must avoid nodes).
    pub min_density: f64,
}

/// Winding number and circulation on the circle of `radius` around `center` with `samples` points,
/// using the spectral interpolant of `psi`.
///
/// # Errors
/// [`QuantumError::InvalidParameter`] for a bad radius or fewer than 8 samples,
/// [`QuantumError::NonFiniteState`] if the loop hits a node.
pub fn loop_circulation_2d(
    psi: &Wavefunction<2>,
    center: [f64; 2],
    radius: f64,
    samples: usize,
    units: Units,
) -> Result<LoopCirculation> {
    units.validate()?;
    check_positive("radius", radius)?;
    if samples < 8 {
        return Err(QuantumError::InvalidParameter {
            name: "samples",
            value: samples as f64,
            reason: "at least 8 loop samples",
        });
    }
    psi.check_finite()?;
    let interp = Interpolant::new(psi);
    let mut vals = Vec::with_capacity(samples);
    let mut circ = 0.0;
    let mut min_density = f64::INFINITY;
    let dth = 2.0 * std::f64::consts::PI / samples as f64;
    for s in 0..samples {
        let th = s as f64 * dth;
        let (c, sn) = (th.cos(), th.sin());
        let x = [center[0] + radius * c, center[1] + radius * sn];
        let (p, g) = interp.eval(&x);
        if p.norm_sqr() == 0.0 {
            return Err(QuantumError::NonFiniteState { index: s });
        }
        min_density = min_density.min(p.norm_sqr());
        // Tangent dl = R (-sin, cos) dtheta; v.dl with v = (hbar/m) Im(grad psi / psi).
        let vt = (g[0] / p).im * (-sn) + (g[1] / p).im * c;
        circ += vt * radius * dth;
        vals.push(p);
    }
    let (winding, max_increment) = winding_number(&vals)?;
    Ok(LoopCirculation {
        winding,
        circulation: circ / (2.0 * std::f64::consts::PI),
        max_increment,
        min_density,
    })
}
