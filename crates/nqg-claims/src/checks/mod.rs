//! The registered checks, one module per layer, one file per claim id (`checks/<layer>/<topic>.rs`).

pub mod geometry;
pub mod network;
// Temporary: `paper.rs` and `paper/mod.rs` both exist until `paper.rs` moves under `paper/`; the
// explicit paths keep the two apart until the merge into one `paper` module.
#[path = "paper.rs"]
pub mod paper;
/// Temporary name of `checks/paper/mod.rs` while `paper.rs` still exists beside it (the two are merged
/// into one `paper` module when `paper.rs` moves under `paper/`).
#[path = "paper/mod.rs"]
pub mod paper_layer;
pub mod paper_sgd;
pub mod quantum;
pub mod thermo;

/// Register every check.
pub fn register(reg: &mut crate::Registry) {
    geometry::register(reg);
    quantum::register(reg);
    thermo::register(reg);
    network::register(reg);
    paper_sgd::register(reg);
    paper::register(reg);
    paper_layer::register(reg);
}
