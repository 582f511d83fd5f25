//! The analytic facts of THEORY.md §3.6 (E0.x), derived by hand and checked here before anything
//! relies on them. They are identities of the reconstruction: a failure is a bug in the derivation or
//! in the code.

pub mod madelung;

/// Register the analytic facts.
pub fn register(reg: &mut crate::Registry) {
    madelung::register(reg);
}
