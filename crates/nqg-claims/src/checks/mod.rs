//! The registered checks, one module per layer, one file per claim id (`checks/<layer>/<topic>.rs`).

pub mod analytic;
pub mod e2e;
pub mod geometry;
pub mod network;
pub mod paper;
pub mod paper_gravity;
pub mod quantum;
pub mod thermo;

/// Register every check.
pub fn register(reg: &mut crate::Registry) {
    geometry::register(reg);
    quantum::register(reg);
    thermo::register(reg);
    network::register(reg);
    paper::register(reg);
    paper_gravity::register(reg);
    analytic::register(reg);
    e2e::register(reg);
}
