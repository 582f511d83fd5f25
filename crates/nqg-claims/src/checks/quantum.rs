//! Layer S quantum checks (S-QM, S-MAD): the Schrodinger/Madelung solver of `nqg-quantum`.

use crate::Registry;

/// Register this layer's claims.
pub fn register(_reg: &mut Registry) {}
