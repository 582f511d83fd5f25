//! The integration tests of nqg-quantum, one test binary (`cargo test -p nqg-quantum --test it`): each file is
//! a module, so `cargo test -p nqg-quantum --test it hostile::` runs one of them.

mod errors;
mod hostile;
mod proptests;
mod schrodinger;
