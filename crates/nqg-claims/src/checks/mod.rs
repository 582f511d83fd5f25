//! The registered checks, one module per layer, one file per claim id (`checks/<layer>/<topic>.rs`).
//!
//! Layers: `geometry`, `quantum`, `thermo`, `network` (solver checks of the toolkits, THEORY.md layer S
//! and the network facts), `paper` (identities and premises of the reconstructed chain, layers M and
//! N), `analytic` (the E0.x facts of §3.6) and `e2e` (end-to-end tests from a network, layer E).

pub mod analytic;
pub mod e2e;
pub mod geometry;
pub mod network;
pub mod paper;
pub mod quantum;
pub mod thermo;

/// Register every check.
pub fn register(reg: &mut crate::Registry) {
    geometry::register(reg);
    quantum::register(reg);
    thermo::register(reg);
    network::register(reg);
    paper::register(reg);
    analytic::register(reg);
    e2e::register(reg);
}
