//! The integration tests of nqg-geometry, one test binary (`cargo test -p nqg-geometry --test it`): each file is
//! a module, so `cargo test -p nqg-geometry --test it hostile::` runs one of them.

mod curvature;
mod einstein;
mod geodesic;
mod hostile;
mod kerr_orbit;
mod properties;
