//! # nqg-network: the microscopic learning system
//!
//! This crate will own the one microscopic system every claim of the paper is about (THEORY.md §1-§2):
//! a neural network with fast non-trainable neuron states $x$ and slow trainable variables
//! $q = (b, \hat w)$; its activation dynamics (N2.1) and loss $H(x, q)$ (N2.2); the canonical ensemble of
//! the fast variables and its free energy $F(q)$ (N2.4-N2.5); SGD and Langevin learning (N2.3, N2.6) with
//! exactly controlled randomness; adaptive learning systems that tune $\gamma$, $M$ and $N$ (N4.1-N4.3);
//! and the lattice networks of the gravity side (N-5 to N-7).
//!
//! It depends on no other nqg crate.
