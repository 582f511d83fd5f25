//! End-to-end tests (THEORY.md §3.6, layer E): each starts from a simulated network and ends at a law
//! the paper claims, and is a prediction that may come out either way.

pub mod duality;
pub mod einstein;
pub mod geodesics;
pub mod lorentz;
pub mod madelung;
pub mod quantization;

/// Register the end-to-end tests.
pub fn register(reg: &mut crate::Registry) {
    madelung::register(reg);
    lorentz::register(reg);
    geodesics::register(reg);
    einstein::register(reg);
    duality::register(reg);
    quantization::register(reg);
}
