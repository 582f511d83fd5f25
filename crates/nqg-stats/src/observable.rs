//! The one user-observable type of the ensemble toolkits: a named function $g(x, x_0) \in \mathbb R^k$
//! of a member's state $x$ and its reference state $x_0$ (its state when the recording starts).
//!
//! `nqg_thermo::observe::run_observed` (SDE ensembles) and `nqg_network::ensemble::Ensemble::observe`
//! (learning replicas) both take a slice of [`Observable`]s and return the streaming [`crate::Moments`]
//! of every observable at every observation time. The common ones are built in
//! ([`Observable::state`], [`Observable::displacement`], [`Observable::squared_displacement`],
//! [`Observable::overlap`]); anything else is one closure:
//!
//! ```
//! use nqg_stats::observable::Observable;
//! let energy = Observable::new("energy", 1, |x, _, out| out[0] = 0.5 * x[0] * x[0]).unwrap();
//! let dx = Observable::displacement(2).unwrap();
//! let mut out = [0.0; 2];
//! dx.eval(&[3.0, 1.0], &[1.0, 1.5], &mut out);
//! assert_eq!(out, [2.0, -0.5]);
//! energy.eval(&[2.0], &[0.0], &mut out[..1]);
//! assert_eq!(out[0], 2.0);
//! ```

use std::sync::Arc;

use crate::error::{Result, StatsError};

/// The largest number of components $k$ of one observable: its covariance has $k^2 \le 2^{31}$
/// entries (16 GiB of `f64`), the allocation budget of the leaf crates.
pub const MAX_DIM: usize = 46_340;

/// The function of an [`Observable`]: `f(x, x0, out)` writes $g(x, x_0)$ into `out` (length $k$,
/// zeroed before each call by [`Observable::eval`]).
pub type ObservableFn<'a> = dyn Fn(&[f64], &[f64], &mut [f64]) + Send + Sync + 'a;

/// A named observable $g(x, x_0) \in \mathbb R^k$ of a state $x$ and a reference state $x_0$.
///
/// Cheap to clone (the function is shared).
#[derive(Clone)]
pub struct Observable<'a> {
    name: String,
    dim: usize,
    f: Arc<ObservableFn<'a>>,
}

impl std::fmt::Debug for Observable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observable")
            .field("name", &self.name)
            .field("dim", &self.dim)
            .finish_non_exhaustive()
    }
}

/// `Ok(d)` for a state dimension $d \ge 1$.
fn state_dim(d: usize) -> Result<usize> {
    if d == 0 {
        return Err(StatsError::InvalidParameter {
            name: "state dimension",
            value: 0.0,
            reason: "must be >= 1",
        });
    }
    Ok(d)
}

impl<'a> Observable<'a> {
    /// The observable `f(x, x0, out)` with `dim` components (`out` has length `dim`).
    ///
    /// # Errors
    /// [`StatsError::InvalidParameter`] for `dim == 0`; [`StatsError::TooLarge`] for `dim` beyond
    /// [`MAX_DIM`] (its $k^2$ covariance entries would exceed the allocation budget).
    pub fn new(
        name: impl Into<String>,
        dim: usize,
        f: impl Fn(&[f64], &[f64], &mut [f64]) + Send + Sync + 'a,
    ) -> Result<Self> {
        if dim == 0 {
            return Err(StatsError::InvalidParameter {
                name: "observable dimension",
                value: 0.0,
                reason: "must be >= 1",
            });
        }
        if dim > MAX_DIM {
            return Err(StatsError::TooLarge {
                what: "observable moments (k²)",
                requested: dim.saturating_mul(dim),
                limit: MAX_DIM * MAX_DIM,
            });
        }
        Ok(Self {
            name: name.into(),
            dim,
            f: Arc::new(f),
        })
    }

    /// The state itself, $g = x$ ($d$ components).
    ///
    /// # Errors
    /// As [`Observable::new`].
    pub fn state(d: usize) -> Result<Self> {
        Self::new("state", d, |x, _, o| o.copy_from_slice(x))
    }

    /// The displacement $g = x - x_0$ ($d$ components; its covariance is the displacement covariance).
    ///
    /// # Errors
    /// As [`Observable::new`].
    pub fn displacement(d: usize) -> Result<Self> {
        Self::new("displacement", d, |x, x0, o| {
            for ((oi, xi), x0i) in o.iter_mut().zip(x).zip(x0) {
                *oi = xi - x0i;
            }
        })
    }

    /// The squared displacement $g = |x - x_0|^2$ of a $d$-dimensional state (one component; its mean
    /// is the mean squared displacement).
    ///
    /// # Errors
    /// [`StatsError::InvalidParameter`] for `d == 0`.
    pub fn squared_displacement(d: usize) -> Result<Self> {
        state_dim(d)?;
        Self::new("squared displacement", 1, |x, x0, o| {
            o[0] = x.iter().zip(x0).map(|(a, b)| (a - b) * (a - b)).sum();
        })
    }

    /// The overlap $g = x\cdot x_0$ (one component).
    pub fn overlap() -> Self {
        Self {
            name: "overlap".into(),
            dim: 1,
            f: Arc::new(|x, x0, o| o[0] = x.iter().zip(x0).map(|(a, b)| a * b).sum()),
        }
    }

    /// The observable's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its number of components $k$.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// $g(x, x_0)$ written into `out`, which is zeroed first; `out` must have length [`Self::dim`]
    /// (the ensembles pass a slice of exactly that length).
    pub fn eval(&self, x: &[f64], x0: &[f64], out: &mut [f64]) {
        debug_assert_eq!(out.len(), self.dim);
        out.fill(0.0);
        (self.f)(x, x0, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_observables_match_their_formulas() {
        let (x, x0) = ([3.0, -1.0, 0.5], [1.0, 1.0, 1.0]);
        let mut o = [9.0; 3];
        Observable::state(3).unwrap().eval(&x, &x0, &mut o);
        assert_eq!(o, x);
        Observable::displacement(3).unwrap().eval(&x, &x0, &mut o);
        assert_eq!(o, [2.0, -2.0, -0.5]);
        let mut s = [9.0];
        Observable::squared_displacement(3).unwrap().eval(&x, &x0, &mut s);
        assert_eq!(s[0], 4.0 + 4.0 + 0.25);
        Observable::overlap().eval(&x, &x0, &mut s);
        assert_eq!(s[0], 3.0 - 1.0 + 0.5);
        // `eval` zeroes the output: a closure that writes nothing reads 0, not the old contents.
        let lazy = Observable::new("nothing", 2, |_, _, _| {}).unwrap();
        let mut two = [7.0, 7.0];
        lazy.eval(&x, &x0, &mut two);
        assert_eq!(two, [0.0, 0.0]);
        assert_eq!(lazy.clone().name(), "nothing");
    }

    #[test]
    fn bad_sizes_are_typed_errors_with_their_value() {
        assert!(matches!(
            Observable::new("empty", 0, |_, _, _| {}),
            Err(StatsError::InvalidParameter { value, .. }) if value == 0.0
        ));
        assert!(matches!(
            Observable::state(usize::MAX),
            Err(StatsError::TooLarge {
                requested: usize::MAX,
                ..
            })
        ));
        assert!(matches!(
            Observable::state(MAX_DIM + 1),
            Err(StatsError::TooLarge { requested, .. }) if requested == (MAX_DIM + 1) * (MAX_DIM + 1)
        ));
        assert!(Observable::state(MAX_DIM).is_ok());
        assert!(Observable::displacement(0).is_err());
        assert!(Observable::squared_displacement(0).is_err());
    }
}
