//! # nqg-network: the microscopic learning system
//!
//! The one microscopic system every claim of the paper is about (THEORY.md §1-§2): a neural network
//! with fast non-trainable neuron states $x$ and slow trainable variables $q = (b, \hat w)$.
//!
//! | module | content | THEORY.md |
//! |---|---|---|
//! | [`network`] | neurons, boundary projection $\hat P$, dense/banded weights, activations (built-in and user), dynamics $x(t+1) = (1-\hat P)f(\hat w x + b) + \hat P x_\partial$, loss $H(x, q)$, hand-written and autodiff gradients | N2.1, N2.2 |
//! | [`fast_slow`] | exact Gaussian canonical ensemble of a linear network: sampling, $Z$, $F$, $\partial F/\partial q$ | N2.4, N2.5, V-M1 |
//! | [`sampler`] | Metropolis-adjusted Langevin sampling of $x$ for non-linear networks, with diagnostics | N2.4 |
//! | [`learning`] | SGD (batch $M$, with/without replacement, momentum), Langevin learner, teacher-student with exact moments | N2.3, N2.6, N2.7, N-1..N-3 |
//! | [`train`] | SGD on a [`Network`]'s $q = (b, \hat w)$ from a set of states or a sampler of $p(x|q)$ | N2.3 |
//! | [`ensemble`] | parallel replicas with per-replica seed-derived streams; streaming moments | N-1, N-2 |
//! | [`observe`] | ensembles recording user observables $f(q, q_0)$ of state and initial state at observation times | N-1, N-2 |
//! | [`testcases`] | the standard problems (teacher-student, leapfrog training pairs, planted speed field) with their closed forms | |
//! | [`moments`] | views of the shared [`nqg_stats::Moments`]: covariance matrix, standard errors, Gaussian entropy | N-2 |
//! | [`adaptive`] | controllers for $\gamma$, $M$, $N$; $\mu_c = F(N+1) - F(N)$ bookkeeping; N4.3 self-tuning | N4.1-N4.3, N-8 |
//! | [`online`] | online SGD of banded second-order ring couplings under noise, learning contraction $-\ln|1-\gamma|f|^2|$, dispersion of a learned ring | E-2, N-7 |
//! | [`ring_exchange`] | rotation weight on the ring with grand-canonical neuron exchange at $\mu_c$; mode rates of $p(t,q)$; self-tuning controller | N4.1-N4.3, E-4, E0.3 |
//! | [`lattice`] | permutation ring, leapfrog wave/Klein-Gordon networks (1D, 2D), dispersion, learning couplings | N-5..N-7 |
//! | [`noisy_fit`] | online SGD (tail-averaged) of lattice couplings from noisy leapfrog trajectories | N-7, E-5 |
//! | [`packet2d`] | Gaussian wave packets and energy centroids on the 2D leapfrog network | N-7, E-5 |
//! | [`duality`] | one ring with a trainable coupling: the $w$ ensemble (quantum side), the dispersion and neuron-number bookkeeping of $\phi$ (gravity side), the N2.8 budget term by term | E-6 |
//! | [`lattice3d`] | 3D leapfrog network, online local-coupling SGD, the Newtonian-limit experiment and its profile fits | E-3b |
//!
//! Every stochastic routine takes a seed; ensemble members derive their stream from
//! `(seed, member)` ([`rng::member_rng`]). Bad input gives a [`NetworkError`]. The crate depends on no
//! other nqg crate.

pub mod adaptive;
pub mod duality;
pub mod ensemble;
pub mod error;
pub mod fast_slow;
pub mod lattice;
pub mod lattice3d;
pub mod learning;
pub mod moments;
pub mod network;
pub mod noisy_fit;
pub mod observe;
pub mod online;
pub mod packet2d;
pub mod ring_exchange;
pub mod rng;
pub mod sampler;
pub mod testcases;
pub mod train;

pub use error::{NetworkError, Result};
pub use network::{Act, Activation, FnActivation, Loss, Network, QuadraticLoss, Weights};
