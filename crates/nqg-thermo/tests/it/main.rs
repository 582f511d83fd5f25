//! The integration tests of nqg-thermo, one test binary (`cargo test -p nqg-thermo --test it`): each file is
//! a module, so `cargo test -p nqg-thermo --test it hostile::` runs one of them.

mod ensembles;
mod hostile;
mod physics;
mod split_fp;
