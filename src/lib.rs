//! # nqg: numerical experiments on "Towards a theory of quantum gravity from neural networks"
//!
//! A facade over the workspace: each crate is re-exported under a short name. See the README for the
//! crate map and `cargo xtask verify` for the report.

pub use nqg_claims as claims;
pub use nqg_geometry as geometry;
pub use nqg_network as network;
pub use nqg_quantum as quantum;
pub use nqg_thermo as thermo;
