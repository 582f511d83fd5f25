//! End-to-end tests (THEORY.md §3.6, layer E): each starts from a simulated network and ends at a law
//! the paper claims, and is a prediction that may come out either way.

pub mod madelung;
pub mod quantization;

/// Register the end-to-end tests.
pub fn register(reg: &mut crate::Registry) {
    madelung::register(reg);
    quantization::register(reg);
}
