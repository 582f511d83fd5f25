//! Layer `paper`: the paper's claims tested in networks (THEORY.md layers N and E).
//!
//! One file per claim id: `lorentz.rs` (`paper.lorentz`, N-6), `gravity.rs` (`paper.gravity`, N-7).

pub mod gravity;
pub mod lorentz;

/// Register the claims of this layer.
pub fn register(reg: &mut crate::Registry) {
    lorentz::register(reg);
    gravity::register(reg);
}
