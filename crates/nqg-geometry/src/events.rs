//! Events of the geodesic integrators: scalar functions $g(x, p)$ whose zero crossings are located
//! during an integration (THEORY.md §7, S-GEO1-4).
//!
//! An [`Event`] is a function, a crossing [`Direction`] and whether it stops the run. The function is a
//! coordinate level $x^i - v$, a velocity component $dx^i/d\lambda = g^{i\nu}p_\nu$ (turning points), or
//! any closure of $(x, p)$, which may capture parameters:
//!
//! ```
//! use nqg_geometry::events::{Direction, Event};
//! let r0 = 12.0;
//! let e = Event::<4>::new("r = r0", move |x, _p| x[1] - r0, Direction::Falling).stopping();
//! assert!(e.terminal);
//! ```
//!
//! A crossing is bracketed on an accepted step by the sign change of $g$ between its ends, and its
//! parameter is the root of $g$ along the step's continuous extension (the 7th-order interpolant with
//! [`crate::geodesic::Method::Dop853`], re-stepping from the start of the step with the other methods),
//! found by the Illinois false-position method to $|\Delta\lambda| \le 10^{-13}(1 + |\lambda|)$.

use std::fmt;
use std::sync::Arc;

use crate::metric::Metric;

/// The direction of a zero crossing that triggers an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From negative to positive.
    Rising,
    /// From positive to negative.
    Falling,
    /// Either.
    Either,
}

/// A user event function $g(x, p)$; shared so that options stay cheap to clone.
pub type EventClosure<const N: usize> = Arc<dyn Fn(&[f64; N], &[f64; N]) -> f64 + Send + Sync>;

/// The scalar function whose zeros are events.
#[derive(Clone)]
pub enum EventFn<const N: usize> {
    /// $x^i - v$.
    Coordinate {
        /// Coordinate index.
        index: usize,
        /// Value.
        value: f64,
    },
    /// $dx^i/d\lambda = g^{i\nu}p_\nu$ (turning points: periapsis = `Rising` in $r$, apoapsis = `Falling`).
    Velocity {
        /// Coordinate index.
        index: usize,
    },
    /// A user function of $(x, p)$ (a closure; it may capture parameters).
    User(EventClosure<N>),
}

impl<const N: usize> fmt::Debug for EventFn<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Coordinate { index, value } => write!(f, "Coordinate {{ index: {index}, value: {value} }}"),
            Self::Velocity { index } => write!(f, "Velocity {{ index: {index} }}"),
            Self::User(_) => f.write_str("User(<closure>)"),
        }
    }
}

/// An event: a function, a direction and whether it stops the integration.
#[derive(Debug, Clone)]
pub struct Event<const N: usize> {
    /// Name reported in hits.
    pub name: &'static str,
    /// The function.
    pub func: EventFn<N>,
    /// Crossing direction.
    pub direction: Direction,
    /// Stop at the first hit.
    pub terminal: bool,
}

/// The handle of an event added with [`crate::geodesic::GeodesicOptions::add_event`]: its index in
/// `options.events`, used to select its hits with [`crate::geodesic::Trajectory::hits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(pub usize);

/// One located event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventHit<const N: usize> {
    /// Index into `options.events` (see [`EventHit::id`]).
    pub event: usize,
    /// Name of the event.
    pub name: &'static str,
    /// Parameter value.
    pub lambda: f64,
    /// Position.
    pub x: [f64; N],
    /// Momentum.
    pub p: [f64; N],
}

impl<const N: usize> EventHit<N> {
    /// The handle of the event that produced this hit.
    pub fn id(&self) -> EventId {
        EventId(self.event)
    }
}

impl<const N: usize> Event<N> {
    /// A non-terminal event on the zeros of the closure $g(x, p)$ crossed in `direction`.
    pub fn new(
        name: &'static str,
        g: impl Fn(&[f64; N], &[f64; N]) -> f64 + Send + Sync + 'static,
        direction: Direction,
    ) -> Self {
        Self {
            name,
            func: EventFn::User(Arc::new(g)),
            direction,
            terminal: false,
        }
    }
    /// A non-terminal event on $x^{\rm index} = v$.
    pub fn coordinate(name: &'static str, index: usize, value: f64, direction: Direction) -> Self {
        Self {
            name,
            func: EventFn::Coordinate { index, value },
            direction,
            terminal: false,
        }
    }
    /// A non-terminal event on $dx^{\rm index}/d\lambda = 0$.
    pub fn velocity(name: &'static str, index: usize, direction: Direction) -> Self {
        Self {
            name,
            func: EventFn::Velocity { index },
            direction,
            terminal: false,
        }
    }
    /// The same event, terminal: the integration stops at its first hit.
    pub fn stopping(mut self) -> Self {
        self.terminal = true;
        self
    }
    /// Periapsis: $dr/d\lambda$ crossing zero upwards (coordinate index 1 is $r$).
    pub fn periapsis() -> Self {
        Self::velocity("periapsis", 1, Direction::Rising)
    }
    /// Apoapsis: $dr/d\lambda$ crossing zero downwards.
    pub fn apoapsis() -> Self {
        Self::velocity("apoapsis", 1, Direction::Falling)
    }
    /// Terminal event when $r$ falls below `r_stop` (horizon approach / capture).
    pub fn capture(r_stop: f64) -> Self {
        Self::coordinate("capture", 1, r_stop, Direction::Falling).stopping()
    }
    /// Terminal event when $r$ rises above `r_escape`.
    pub fn escape(r_escape: f64) -> Self {
        Self::coordinate("escape", 1, r_escape, Direction::Rising).stopping()
    }
}

/// $g(x, p)$ for an event function (`NaN` if a velocity event's metric evaluation fails).
pub(crate) fn value<M: Metric<N> + ?Sized, const N: usize>(
    metric: &M,
    f: &EventFn<N>,
    x: &[f64; N],
    p: &[f64; N],
) -> f64 {
    match f {
        EventFn::Coordinate { index, value } => x.get(*index).map_or(f64::NAN, |v| v - value),
        EventFn::Velocity { index } => {
            let i = *index;
            if i >= N {
                return f64::NAN;
            }
            match metric.inverse_components(x) {
                Ok(gi) => (0..N).map(|b| gi[i][b] * p[b]).sum(),
                Err(_) => f64::NAN,
            }
        }
        EventFn::User(u) => u(x, p),
    }
}

/// Whether $g$ crossed zero in direction `dir` between two consecutive values.
pub(crate) fn crossed(dir: Direction, g0: f64, g1: f64) -> bool {
    let rising = g0 < 0.0 && g1 >= 0.0;
    let falling = g0 > 0.0 && g1 <= 0.0;
    match dir {
        Direction::Rising => rising,
        Direction::Falling => falling,
        Direction::Either => rising || falling,
    }
}

/// The root in $\theta \in (0, 1]$ of $g(\theta)$ with $g(0) = g_0$, $g(1) = g_1$ of opposite signs, by the
/// Illinois false-position method; `g_at(θ)` returns $g$ and the state at $\theta$. Stops when the
/// bracket is below `tol_theta` or $g = 0$; returns the last evaluated point and its state.
///
/// # Errors
/// Whatever `g_at` returns.
pub(crate) fn illinois<S, E>(
    g0: f64,
    g1: f64,
    tol_theta: f64,
    first: S,
    mut g_at: impl FnMut(f64) -> Result<(f64, S), E>,
) -> Result<(f64, S), E> {
    let (mut ta, mut ga, mut tb, mut gb) = (0.0_f64, g0, 1.0_f64, g1);
    let mut side = 0i32;
    let mut best = (1.0, first);
    for _ in 0..60 {
        let t = if gb != ga {
            (ta * gb - tb * ga) / (gb - ga)
        } else {
            0.5 * (ta + tb)
        };
        let t = if t.is_finite() && t > ta && t < tb {
            t
        } else {
            0.5 * (ta + tb)
        };
        let (gt, st) = g_at(t)?;
        best = (t, st);
        if gt == 0.0 || !gt.is_finite() {
            break;
        }
        if (gt < 0.0) == (ga < 0.0) {
            ta = t;
            ga = gt;
            if side == -1 {
                gb *= 0.5;
            }
            side = -1;
        } else {
            tb = t;
            gb = gt;
            if side == 1 {
                ga *= 0.5;
            }
            side = 1;
        }
        if tb - ta < tol_theta {
            break;
        }
    }
    Ok(best)
}
