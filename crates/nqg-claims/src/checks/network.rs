//! Network checks (V-M1, N-5 to N-7): the microscopic learning system of `nqg-network`.

use crate::Registry;

/// Register this layer's claims.
pub fn register(_reg: &mut Registry) {}
