//! One driver for the explicit embedded Runge-Kutta pairs of this crate: Dormand-Prince 5(4)
//! ([`crate::ode::DOPRI5`]), DOP853 ([`crate::dop853::TABLEAU`]) and RK8(7)13M
//! ([`crate::ode::rk87::TABLEAU`]), each given as a [`Tableau`].
//!
//! One step of size $h$ from $(t, y)$ with $k_1 = f(t, y)$ and $s$ = `b.len()` stages:
//!
//! $$k_i = f\Big(t + c_i h,\\; y + \sum_{j<i} (h a_{ij})\\,k_j\Big),\quad i = 2..s,\qquad
//!   y_1 = y + \sum_{i=1}^{s} (h b_i)\\,k_i,\qquad k_{s+1} = f(t + h, y_1),$$
//!
//! where $k_{s+1}$ is the first stage of the next step (FSAL). A product $h a_{ij}$ is formed by the
//! coefficient's own rule ([`Coef`]): $h \cdot a$ for an `f64`, $(h p)/q$ for a [`Ratio`] $p/q$ (the
//! way the Dormand-Prince 5(4) tableau is written out), and an absent (zero) term is skipped, so each
//! method performs the floating-point operations it always did. The error norm ([`Estimate`]) uses the
//! scale $s_m = \mathrm{atol} + \mathrm{rtol}\max(|y_m|, |y_{1,m}|)$ per component; a non-finite norm
//! is returned as $+\infty$ (a rejection). The continuous extension ([`Dense`]) is either Hairer's
//! form (the Hermite terms and rows $d$ over the stages, with extra stages $s+2..$ of the tableau) or
//! per-stage polynomials in $\theta$.
//!
//! The driver itself (`pair_step_in_place`) is crate-private: it indexes the stage buffer by the
//! tableau, and each public step function pairs a tableau with a buffer of the right size.

use crate::ode::State;

/// A tableau coefficient: how $h \cdot a$ (a stage weight) and $c h$ (a node offset) are formed.
pub trait Coef: Copy + 'static {
    /// $h a$ when the coefficient is present, `None` when the term is absent (a structural zero, or a
    /// product that is exactly zero).
    fn times(self, h: f64) -> Option<f64>;
    /// The node offset $c\\,h$.
    fn node(self, h: f64) -> f64;
}

impl Coef for f64 {
    /// `h * a`, skipped when $a = 0$ (the DOP853 and RK8(7)13M tables).
    #[inline(always)]
    fn times(self, h: f64) -> Option<f64> {
        if self != 0.0 { Some(h * self) } else { None }
    }
    /// `c * h`.
    #[inline(always)]
    fn node(self, h: f64) -> f64 {
        self * h
    }
}

/// A rational coefficient $p/q$ applied as $(h p)/q$, the order of operations of the
/// Dormand-Prince 5(4) code (`h * 3.0 / 40.0`); $q = 1$ makes it a plain product ($0.3\\,h$).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio(pub f64, pub f64);

impl Coef for Ratio {
    /// $(h p)/q$, skipped when $p = 0$ or when the product is exactly zero.
    #[inline(always)]
    fn times(self, h: f64) -> Option<f64> {
        if self.0 == 0.0 {
            return None;
        }
        let w = h * self.0 / self.1;
        if w != 0.0 { Some(w) } else { None }
    }
    /// $(h p)/q$.
    #[inline(always)]
    fn node(self, h: f64) -> f64 {
        h * self.0 / self.1
    }
}

/// The error estimate of a pair: weights $w$ on the stages $k_1..k_{s+1}$ and a norm.
#[derive(Debug, Clone, Copy)]
pub enum Estimate<C: 'static> {
    /// $\max_m |e_m|/s_m$ with $e = \sum_i (h w_i)\\,k_i$ (Dormand-Prince 5(4): $w = b - \hat b$).
    Max(&'static [C]),
    /// $\big(\frac1n\sum_m (e_m/s_m)^2\big)^{1/2}$ with $e = \sum_i (h w_i)\\,k_i$ (RK8(7)13M).
    Rms(&'static [C]),
    /// Hairer's DOP853 norm
    /// $\\|e^{(5)}/s\\|\_2^2 / \sqrt{n\\,(\\|e^{(5)}/s\\|\_2^2 + 0.01\\,\\|e^{(3)}/s\\|\_2^2)}$ (0 when both
    /// vanish) with $e^{(5)} = \sum_i (h E^{(5)}\_i)\\,k_i$ and
    /// $e^{(3)} = (y_1 - y) + \sum_i ((-h)\hat b^{(3)}\_i)\\,k_i$.
    Hairer {
        /// $E^{(5)} = b - \hat b^{(5)}$.
        e5: &'static [C],
        /// The 3rd-order weights $\hat b^{(3)}$.
        bhat3: &'static [C],
    },
}

/// The continuous extension of a pair.
#[derive(Debug, Clone, Copy)]
pub enum Dense<C: 'static> {
    /// Hairer's form (`contd5`, `contd8`):
    /// $y(t + \theta h) = y + \theta(r_1 + (1-\theta)(r_2 + \theta(r_3 + (1-\theta)(r_4 + \dots))))$ with
    /// $r_1 = y_1 - y$, $r_2 = h k_1 - r_1$, $r_3 = r_1 - h k_{s+1} - r_2$ and
    /// $r_{3+m} = \sum_i (h d_{m,i})\\,k_i$ over all stages, including the extra stages $s+2..$ of the
    /// tableau (rows `a[s+1..]`, which cost one right-hand side each).
    Hermite(&'static [&'static [C]]),
    /// $y(t + \theta h) = y + \sum_i (h\\,\theta\\,q_i(\theta))\\,k_i$ with
    /// $q_i(\theta) = \sum_{m=0}^{5} d_{i,m}\\,\theta^{5-m}$ (no extra stage).
    Stages(&'static [[f64; 6]]),
}

/// An explicit embedded pair: nodes, the strictly lower triangle, weights, error estimate, dense
/// output. `a[i]` holds $a_{i+1, 1..i}$; `a[s]`, when present, is $b$ (the FSAL stage) and rows past it
/// are extra stages of the continuous extension, as are the nodes past `c[s]`.
#[derive(Debug, Clone, Copy)]
pub struct Tableau<C: 'static> {
    /// Nodes $c_1..$ (at least $s$ of them).
    pub c: &'static [C],
    /// Rows of $a$ (at least $s$ of them).
    pub a: &'static [&'static [C]],
    /// Weights $b_1..b_s$ of the propagated solution.
    pub b: &'static [C],
    /// The error estimate.
    pub estimate: Estimate<C>,
    /// The continuous extension.
    pub dense: Dense<C>,
}

/// One attempted step of an embedded pair with `K` = $s + 1$ stage slots: the new state, its error
/// norm and the stages (kept for the continuous extension).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairStep<S, const K: usize> {
    /// Start of the step.
    pub t: f64,
    /// Step size (signed).
    pub h: f64,
    /// State at the start.
    pub y0: S,
    /// The propagated solution at $t + h$.
    pub y: S,
    /// The scaled error norm (accept if $\le 1$).
    pub err: f64,
    /// Stages $k_1..k_K$; $k_K = f(t + h, y_1)$ is the first stage of the next step.
    pub k: [S; K],
}

impl<S: State, const K: usize> PairStep<S, K> {
    /// A zeroed step (a work buffer).
    pub fn zero() -> Self {
        Self {
            t: 0.0,
            h: 0.0,
            y0: S::zero(),
            y: S::zero(),
            err: 0.0,
            k: [S::zero(); K],
        }
    }

    /// $f(t + h, y_1)$, the first stage of the next step.
    pub fn f_new(&self) -> &S {
        &self.k[K - 1]
    }
}

/// $y + \sum_i (h w_i)\\,k_i$ over the present terms, in stage order.
#[inline(always)]
pub(crate) fn combine<S: State, C: Coef>(y: &S, h: f64, w: &[C], k: &[S]) -> S {
    let mut out = *y;
    for (c, ki) in w.iter().zip(k) {
        if let Some(v) = c.times(h) {
            out.axpy(v, ki);
        }
    }
    out
}

/// A right-hand side $f(t, y)$ returned by value, as one that writes into the stage slot (the form
/// the driver takes).
pub(crate) fn in_place<S, E>(
    f: &mut impl FnMut(f64, &S) -> Result<S, E>,
) -> impl FnMut(f64, &S, &mut S) -> Result<(), E> + '_ {
    move |t, s, k| {
        *k = f(t, s)?;
        Ok(())
    }
}

/// One step of the pair `tab` from `(t, y)` with `f0 = f(t, y)` into `out` (module formula; $s$ new
/// right-hand sides, the last one $f(t + h, y_1)$); the right-hand side writes $f(t, y)$ into its third
/// argument, the stage slot itself. `out.y` holds $y_1$ before the last call, and `out.err` is set when
/// all stages succeed.
///
/// Needs `K >= tab.b.len() + 1` (each public step function pairs its tableau with such a buffer).
///
/// # Errors
/// Whatever the right-hand side returns.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn pair_step_in_place<S: State, E, C: Coef, const K: usize>(
    tab: &Tableau<C>,
    f: &mut impl FnMut(f64, &S, &mut S) -> Result<(), E>,
    t: f64,
    y: &S,
    f0: &S,
    h: f64,
    rtol: f64,
    atol: f64,
    out: &mut PairStep<S, K>,
) -> Result<(), E> {
    let s = tab.b.len();
    debug_assert!(K > s, "stage buffer of {K} for {s} stages");
    out.t = t;
    out.h = h;
    out.y0 = *y;
    let k = &mut out.k;
    k[0] = *f0;
    for i in 1..s {
        let yi = combine(y, h, tab.a[i], &k[..i]);
        f(t + tab.c[i].node(h), &yi, &mut k[i])?;
    }
    out.y = combine(y, h, tab.b, &k[..s]);
    f(t + h, &out.y, &mut k[s])?;
    out.err = error_norm(&tab.estimate, y, &out.y, h, k, rtol, atol);
    Ok(())
}

/// The error norm of [`Estimate`] for the step $y \to y_1$ with stages `k`; $+\infty$ if it is not
/// finite, including a NaN anywhere in the estimate (which the plain `f64::max` of the Dormand-Prince
/// 5(4) norm and the `deno > 0` test of Hairer's norm used to turn into an accepted step).
#[inline(always)]
pub(crate) fn error_norm<S: State, C: Coef>(
    est: &Estimate<C>,
    y: &S,
    y1: &S,
    h: f64,
    k: &[S],
    rtol: f64,
    atol: f64,
) -> f64 {
    let sc = |u: f64, v: f64| atol + rtol * u.abs().max(v.abs());
    let err = match *est {
        Estimate::Max(w) => {
            let e = combine(&S::zero(), h, w, k);
            let mut m = 0.0_f64;
            for ((ei, u), v) in e.components().zip(y.components()).zip(y1.components()) {
                // max, except that a NaN component is kept (f64::max would drop it and accept).
                let q = ei.abs() / sc(u, v);
                if q > m || q.is_nan() {
                    m = q;
                }
            }
            m
        }
        Estimate::Rms(w) => {
            let e = combine(&S::zero(), h, w, k);
            let (mut sum, mut n) = (0.0_f64, 0usize);
            for ((ei, u), v) in e.components().zip(y.components()).zip(y1.components()) {
                sum += (ei / sc(u, v)).powi(2);
                n += 1;
            }
            (sum / n.max(1) as f64).sqrt()
        }
        Estimate::Hairer { e5, bhat3 } => {
            let e5 = combine(&S::zero(), h, e5, k);
            // b - b̂3 with h Σ b_i k_i = y1 - y.
            let mut e3 = *y1;
            e3.axpy(-1.0, y);
            let e3 = combine(&e3, -h, bhat3, k);
            let (mut s5, mut s3, mut n) = (0.0_f64, 0.0_f64, 0usize);
            for (((a, b), u), v) in e5
                .components()
                .zip(e3.components())
                .zip(y.components())
                .zip(y1.components())
            {
                let scale = sc(u, v);
                s5 += (a / scale).powi(2);
                s3 += (b / scale).powi(2);
                n += 1;
            }
            let deno = s5 + 0.01 * s3;
            if deno > 0.0 {
                s5 / (deno * n.max(1) as f64).sqrt()
            } else if deno == 0.0 {
                0.0
            } else {
                // NaN (a NaN stage): a rejection, not the 0 of an exact step.
                f64::NAN
            }
        }
    };
    if err.is_finite() { err } else { f64::INFINITY }
}

/// The extra stages $k_{s+2}..$ of a [`Dense::Hermite`] extension: `kk` holds $k_1..k_{s+1}$ of the
/// step and receives the rest (one right-hand side each, by value).
///
/// # Errors
/// Whatever the right-hand side returns.
pub(crate) fn extra_stages<S: State, E, C: Coef>(
    tab: &Tableau<C>,
    f: &mut impl FnMut(f64, &S) -> Result<S, E>,
    t: f64,
    h: f64,
    y0: &S,
    kk: &mut [S],
) -> Result<(), E> {
    for i in tab.b.len() + 1..tab.a.len() {
        let yi = combine(y0, h, tab.a[i], &kk[..i]);
        kk[i] = f(t + tab.c[i].node(h), &yi)?;
    }
    Ok(())
}

/// The coefficients $r_1..r_R$ of [`Dense::Hermite`] from the step $y_0 \to y_1$ with stages `kk`
/// (all of them, extra stages included; $k_{s+1}$ at index `fsal`), `rows` the $R - 3$ rows $d$.
pub(crate) fn hermite_coeffs<S: State, C: Coef, const R: usize>(
    rows: &[&[C]],
    h: f64,
    y0: &S,
    y1: &S,
    kk: &[S],
    fsal: usize,
) -> [S; R] {
    let mut r1 = *y1;
    r1.axpy(-1.0, y0);
    let mut r2 = S::zero();
    r2.axpy(h, &kk[0]);
    r2.axpy(-1.0, &r1);
    let mut r3 = r1;
    r3.axpy(-h, &kk[fsal]);
    r3.axpy(-1.0, &r2);
    let zero = S::zero();
    std::array::from_fn(|m| match m {
        0 => r1,
        1 => r2,
        2 => r3,
        _ => combine(&zero, h, rows[m - 3], kk),
    })
}

/// $y_0 + \theta(r_1 + (1-\theta)(r_2 + \theta(r_3 + \dots)))$, the [`Dense::Hermite`] form in Horner
/// order: $r_{m+1}$ enters $r_m$ with the factor $1-\theta$ for odd $m$ and $\theta$ for even $m$.
pub(crate) fn hermite_at<S: State>(y0: &S, r: &[S], theta: f64) -> S {
    let t1 = 1.0 - theta;
    let Some((last, rest)) = r.split_last() else {
        return *y0;
    };
    let mut acc = *last;
    for (i, ri) in rest.iter().enumerate().rev() {
        // acc = r_{i+1} + fac * acc with fac = θ for odd i and 1 - θ for even i (0-based).
        let fac = if i % 2 == 1 { theta } else { t1 };
        let mut v = *ri;
        v.axpy(fac, &acc);
        acc = v;
    }
    let mut out = *y0;
    out.axpy(theta, &acc);
    out
}

/// $y_0 + \sum_i (h\\,\theta\\,q_i(\theta))\\,k_i$, the [`Dense::Stages`] form (stages whose polynomial
/// has zero leading and linear coefficients are skipped as absent).
pub(crate) fn stages_at<S: State>(d: &[[f64; 6]], h: f64, y0: &S, k: &[S], theta: f64) -> S {
    let mut out = *y0;
    for (q, ki) in d.iter().zip(k) {
        if q[0] == 0.0 && q[4] == 0.0 {
            continue;
        }
        let v = q.iter().fold(0.0, |acc, c| acc * theta + c);
        out.axpy(h * theta * v, ki);
    }
    out
}

#[cfg(test)]
mod tests;
