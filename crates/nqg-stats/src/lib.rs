//! # nqg-stats: the statistics every nqg crate shares
//!
//! The foundation below the four leaf crates (it depends on no nqg crate, and the leaves may depend
//! on it without depending on each other):
//! - [`Moments`]: streaming mean and covariance of $d$-dimensional samples (Welford, with Chan's
//!   exact merge, so parallel ensembles give the same numbers whatever the thread count);
//! - [`series`]: error bars of a time average of *correlated* samples (batch means, the integrated
//!   autocorrelation time with Sokal's window, the moving-block bootstrap) and a tail diagnostic
//!   (Hill's estimator) that says when the variance does not exist, which is when every
//!   Gaussian-style error bar is wrong;
//! - [`fit`]: weighted straight-line fits with the slope's standard error, and the log-log slope
//!   used for convergence orders and scaling exponents;
//! - [`observable`]: the one user-observable type $g(x, x_0)$ that both ensemble toolkits record;
//! - [`seed`]: the SplitMix64 finaliser, the one member-stream derivation [`seed::stream_seed`]
//!   (with per-crate domains) and the one generator type [`StreamRng`].
//!
//! ```
//! use nqg_stats::{Moments, series};
//! let mut m = Moments::new(1);
//! for x in [1.0, 2.0, 3.0, 4.0] {
//!     m.push(&[x]).unwrap();
//! }
//! assert_eq!(m.mean(), &[2.5]);
//! // An AR(1) series with strong correlation: batch means widen the naive error bar.
//! let (mut x, mut xs) = (0.0_f64, Vec::new());
//! let mut state = 1u64;
//! for _ in 0..100_000 {
//!     state = nqg_stats::seed::splitmix64(state);
//!     let u = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
//!     x = 0.95 * x + u;
//!     xs.push(x);
//! }
//! let naive = series::naive_sem(&xs).unwrap();
//! let batched = series::batch_means(&xs, 50).unwrap();
//! assert!(batched.sem > 4.0 * naive); // sqrt((1 + 0.95) / (1 - 0.95)) = 6.2
//! ```

pub mod error;
pub mod fit;
pub mod moments;
pub mod observable;
pub mod seed;
pub mod series;

pub use error::{Result, StatsError};
pub use moments::Moments;
pub use observable::Observable;
pub use seed::{StreamRng, stream_rng, stream_seed};
