//! Paper-level claims (THEORY.md §3.2-§3.3, V-M* and N-*), bridging the network to the toolkits.

use crate::Registry;

/// Register this layer's claims.
pub fn register(_reg: &mut Registry) {}
