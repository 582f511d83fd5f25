//! Layer `quantum` (THEORY.md §3.1 S-QM, S-MAD; V-M4): the Schrödinger and Madelung solvers of
//! `nqg-quantum`.
//!
//! One file per claim id: `schrodinger.rs` (`quantum.schrodinger`, S-QM1-S-QM6), `madelung.rs`
//! (`quantum.madelung`, S-MAD1-S-MAD2), `bohm.rs` (`quantum.bohm`), `quantization.rs`
//! (`quantum.quantization`, V-M4).
//!
//! Units are $\hbar = m = \omega = 1$ unless a check says otherwise (THEORY.md §3 default units). The
//! shared helpers here are the exact coherent state of the oscillator,
//! $\psi(x, t) = \pi^{-1/4}\exp(-(x-q)^2/2 + ip(x-q) - ix_0^2\sin 2t/4 - it/2)$ with $q = x_0\cos t$,
//! $p = -x_0\sin t$, used as the reference by `schrodinger.rs` and `madelung.rs`.

use nqg_quantum::Units;
use num_complex::Complex64;

pub mod bohm;
pub mod madelung;
pub mod quantization;
pub mod schrodinger;

/// Register the claims of this layer.
pub fn register(reg: &mut crate::Registry) {
    schrodinger::register(reg);
    madelung::register(reg);
    bohm::register(reg);
    quantization::register(reg);
}

/// The result type of the helpers of this layer.
pub(crate) type R<T> = Result<T, crate::CheckError>;

/// $\hbar = m = 1$.
pub(crate) fn ho_units() -> Units {
    Units::default()
}

/// The exact coherent state in the oscillator with $\hbar = m = \omega = 1$, displaced by `x0` at
/// $t = 0$ (see the module docs).
pub(crate) fn coherent_exact(x: f64, t: f64, x0: f64) -> Complex64 {
    let q = x0 * t.cos();
    let p = -x0 * t.sin();
    let u = x - q;
    let phase = p * u - x0 * x0 * (2.0 * t).sin() / 4.0 - t / 2.0;
    Complex64::new(-u * u / 2.0, phase).exp() * std::f64::consts::PI.powf(-0.25)
}
