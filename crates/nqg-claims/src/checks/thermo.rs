//! Layer S thermodynamics checks (S-FP): SDEs, Fokker-Planck and entropy in `nqg-thermo`.

use crate::Registry;

/// Register this layer's claims.
pub fn register(_reg: &mut Registry) {}
