//! Experiments that belong to no single toolkit: the reconstructed equations of the paper itself.
//! The leaf crates stay paper-agnostic; what is specific to the reconstruction lives here.

pub mod action_flow;
