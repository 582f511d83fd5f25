//! The registered checks, one module per layer. Each module has a `register` function called by
//! [`Registry::all`](crate::Registry::all); adding a claim means adding to one of these files only.

pub mod geometry;
pub mod network;
pub mod paper;
pub mod paper_gravity;
pub mod paper_sgd;
pub mod quantum;
pub mod thermo;
