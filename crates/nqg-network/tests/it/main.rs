//! The integration tests of nqg-network, one test binary (`cargo test -p nqg-network --test it`): each file is
//! a module, so `cargo test -p nqg-network --test it hostile::` runs one of them.

mod fast_slow;
mod hostile;
mod lattice;
mod learning;
mod network;
mod sampler_adaptive;
mod train;
