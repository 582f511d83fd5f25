//! Pre-factorised tridiagonal and cyclic-tridiagonal solvers (Thomas algorithm, Sherman-Morrison).
//!
//! For $M = \mathrm{tridiag}(l, d, u)$ the factorisation stores $c'\_i = u_i/(d_i - l_i c'\_{i-1})$ and the
//! inverse pivots, so each solve is $O(n)$ with no divisions. The cyclic case (corners $M_{0,n-1} = \beta$,
//! $M_{n-1,0} = \alpha$) uses the Sherman-Morrison correction of Numerical Recipes §2.7 with the
//! correction vector solved once at factorisation.

use crate::error::{Result, ThermoError, check_len};

/// A factorised tridiagonal matrix (twisted factorisation: elimination runs from both ends towards the
/// middle row $m = n/2$, so every pass carries two independent recurrences and the solve is limited by
/// half the latency chain of the classic Thomas algorithm).
#[derive(Debug, Clone, PartialEq)]
pub struct Tridiag {
    n: usize,
    m: usize,
    /// Top rows $i < m$: $y_i = r_i\\,\mathrm{inv}\_i - a_i y_{i-1}$, $x_i = y_i - c_i x_{i+1}$.
    inv_t: Vec<f64>,
    a_t: Vec<f64>,
    c_t: Vec<f64>,
    /// Bottom rows $i > m$: $z_i = r_i\\,\mathrm{inv}\_i - a_i z_{i+1}$, $x_i = z_i - c_i x_{i-1}$.
    inv_b: Vec<f64>,
    a_b: Vec<f64>,
    c_b: Vec<f64>,
    /// Middle row: $x_m = (r_m - l_m y_{m-1} - u_m z_{m+1})\\,\mathrm{inv}\_m$.
    l_m: f64,
    u_m: f64,
    inv_m: f64,
}

impl Tridiag {
    /// Factorise $\mathrm{tridiag}(l, d, u)$ (`lower[0]` and `upper[n-1]` are ignored).
    ///
    /// # Errors
    /// [`ThermoError::NonFiniteValue`] for a non-finite band entry; [`ThermoError::Singular`] with
    /// the row and the pivot on a zero or non-finite pivot; mismatched lengths.
    pub fn new(lower: &[f64], diag: &[f64], upper: &[f64]) -> Result<Self> {
        let n = diag.len();
        crate::error::check_len("lower", n, lower.len())?;
        crate::error::check_len("upper", n, upper.len())?;
        crate::error::check_all_finite("diag", diag)?;
        // lower[0] and upper[n-1] are ignored, so only the used entries must be finite.
        crate::error::check_all_finite("lower", lower.get(1..).unwrap_or(&[]))
            .map_err(|e| shift_index(e, 1))?;
        crate::error::check_all_finite("upper", &upper[..n.saturating_sub(1)])?;
        let bad = |v: f64| v == 0.0 || !v.is_finite();
        let singular = |index: usize, value: f64| ThermoError::Singular {
            what: "tridiagonal pivot",
            index,
            value,
        };
        if n == 0 {
            return Err(ThermoError::TooFewSamples { needed: 1, got: 0 });
        }
        let m = n / 2;
        let (mut inv_t, mut a_t, mut c_t) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for i in 0..m {
            let den = if i == 0 {
                diag[0]
            } else {
                diag[i] - lower[i] * c_t[i - 1]
            };
            if bad(den) {
                return Err(singular(i, den));
            }
            inv_t[i] = 1.0 / den;
            a_t[i] = if i == 0 { 0.0 } else { lower[i] * inv_t[i] };
            c_t[i] = upper[i] * inv_t[i];
        }
        let (mut inv_b, mut a_b, mut c_b) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for i in (m + 1..n).rev() {
            let den = if i == n - 1 {
                diag[i]
            } else {
                diag[i] - upper[i] * c_b[i + 1]
            };
            if bad(den) {
                return Err(singular(i, den));
            }
            inv_b[i] = 1.0 / den;
            a_b[i] = if i == n - 1 { 0.0 } else { upper[i] * inv_b[i] };
            c_b[i] = lower[i] * inv_b[i];
        }
        let mut den = diag[m];
        if m > 0 {
            den -= lower[m] * c_t[m - 1];
        }
        if m + 1 < n {
            den -= upper[m] * c_b[m + 1];
        }
        if bad(den) {
            return Err(singular(m, den));
        }
        Ok(Self {
            n,
            m,
            inv_t,
            a_t,
            c_t,
            inv_b,
            a_b,
            c_b,
            l_m: lower[m],
            u_m: upper[m],
            inv_m: 1.0 / den,
        })
    }

    /// Solve in place: `x` holds the right-hand side on entry and the solution on exit.
    ///
    /// # Errors
    /// [`ThermoError::DimensionMismatch`] if `x` is not of the system's size,
    /// [`ThermoError::NonFiniteValue`] for a non-finite right-hand side (then `x` is unchanged) or a
    /// solution that overflowed.
    pub fn solve(&self, x: &mut [f64]) -> Result<()> {
        check_len("right-hand side", self.n, x.len())?;
        crate::error::check_all_finite("right-hand side", x)?;
        self.solve_unchecked(x)?;
        crate::error::check_all_finite("solution", x)
    }

    /// [`Tridiag::solve`] without the finiteness checks, for integrators that check their state.
    #[inline]
    pub(crate) fn solve_unchecked(&self, x: &mut [f64]) -> Result<()> {
        let (n, m) = (self.n, self.m);
        check_len("right-hand side", n, x.len())?;
        let (inv_t, a_t) = (&self.inv_t[..n], &self.a_t[..n]);
        let (inv_b, a_b) = (&self.inv_b[..n], &self.a_b[..n]);
        // Elimination from both ends: rows k (top) and n-1-k (bottom) are independent chains.
        let (mut yt, mut zb) = (0.0, 0.0);
        let nb = n - 1 - m; // rows below the middle
        let common = m.min(nb);
        for k in 0..common {
            let j = n - 1 - k;
            yt = x[k] * inv_t[k] - a_t[k] * yt;
            zb = x[j] * inv_b[j] - a_b[j] * zb;
            x[k] = yt;
            x[j] = zb;
        }
        for k in common..m {
            yt = x[k] * inv_t[k] - a_t[k] * yt;
            x[k] = yt;
        }
        for k in common..nb {
            let j = n - 1 - k;
            zb = x[j] * inv_b[j] - a_b[j] * zb;
            x[j] = zb;
        }
        let mut r = x[m];
        if m > 0 {
            r -= self.l_m * x[m - 1];
        }
        if m + 1 < n {
            r -= self.u_m * x[m + 1];
        }
        let xm = r * self.inv_m;
        x[m] = xm;
        self.substitute_outwards(x, xm);
        Ok(())
    }

    /// The substitution from the middle row outwards, two independent chains
    /// ($x_i = y_i - c_i x_{i+1}$ above the middle, $x_i = z_i - c_i x_{i-1}$ below); `x` holds the
    /// eliminated values and $x_m$ on entry, the solution on exit.
    #[inline]
    fn substitute_outwards(&self, x: &mut [f64], xm: f64) {
        let (n, m) = (self.n, self.m);
        let (c_t, c_b) = (&self.c_t[..n], &self.c_b[..n]);
        let nb = n - 1 - m;
        let common = m.min(nb);
        let (mut up, mut down) = (xm, xm);
        for k in 0..common {
            let i = m - 1 - k;
            let j = m + 1 + k;
            up = x[i] - c_t[i] * up;
            down = x[j] - c_b[j] * down;
            x[i] = up;
            x[j] = down;
        }
        for k in common..m {
            let i = m - 1 - k;
            up = x[i] - c_t[i] * up;
            x[i] = up;
        }
        for k in common..nb {
            let j = m + 1 + k;
            down = x[j] - c_b[j] * down;
            x[j] = down;
        }
    }

    /// Solve $M x = p + E p$ in place in `p`, where $E$ is the explicit band `e` (a θ-scheme step):
    /// each right-hand-side row is formed inside the elimination from the original neighbours, kept
    /// in registers, so the step makes one pass over memory fewer than forming $p + Ep$ first and
    /// calling [`Tridiag::solve`]. Every row is the same expression in the same order
    /// ($p_i + l_i p_{i-1} + d_i p_i + u_i p_{i+1}$, the corners on rows 0 and $n-1$), so the result is
    /// that of the two-pass step to the last bit. Needs $n \ge 8$ (`None` otherwise: use two passes).
    #[inline]
    pub(crate) fn solve_explicit_unchecked(&self, p: &mut [f64], e: &Explicit<'_>) -> Option<()> {
        let (n, m) = (self.n, self.m);
        if n < 8 || p.len() != n || e.l.len() < n || e.d.len() < n || e.u.len() < n {
            return None;
        }
        let (el, ed, eu) = (&e.l[..n], &e.d[..n], &e.u[..n]);
        let (inv_t, a_t) = (&self.inv_t[..n], &self.a_t[..n]);
        let (inv_b, a_b) = (&self.inv_b[..n], &self.a_b[..n]);
        let row = |i: usize, lo: f64, mid: f64, hi: f64| mid + el[i] * lo + ed[i] * mid + eu[i] * hi;
        // Rows whose neighbours are overwritten before they are reached: 0, n-1 (corners) and m.
        let w0 = p[0] + ed[0] * p[0] + eu[0] * p[1] + e.tr * p[n - 1];
        let wn = p[n - 1] + el[n - 1] * p[n - 2] + ed[n - 1] * p[n - 1] + e.bl * p[0];
        let wm = row(m, p[m - 1], p[m], p[m + 1]);
        let nb = n - 1 - m;
        let common = m.min(nb);
        let (mut yt, mut zb) = (0.0, 0.0);
        // Original p_{k-1} (top chain) and p_{j+1} (bottom chain), overwritten in the step before.
        let (mut lo_t, mut hi_b) = (p[0], p[n - 1]);
        yt = w0 * inv_t[0] - a_t[0] * yt;
        zb = wn * inv_b[n - 1] - a_b[n - 1] * zb;
        p[0] = yt;
        p[n - 1] = zb;
        for k in 1..common {
            let j = n - 1 - k;
            let (mid_t, mid_b) = (p[k], p[j]);
            yt = row(k, lo_t, mid_t, p[k + 1]) * inv_t[k] - a_t[k] * yt;
            zb = row(j, p[j - 1], mid_b, hi_b) * inv_b[j] - a_b[j] * zb;
            (lo_t, hi_b) = (mid_t, mid_b);
            p[k] = yt;
            p[j] = zb;
        }
        for k in common..m {
            let mid_t = p[k];
            yt = row(k, lo_t, mid_t, p[k + 1]) * inv_t[k] - a_t[k] * yt;
            lo_t = mid_t;
            p[k] = yt;
        }
        for k in common..nb {
            let j = n - 1 - k;
            let mid_b = p[j];
            zb = row(j, p[j - 1], mid_b, hi_b) * inv_b[j] - a_b[j] * zb;
            hi_b = mid_b;
            p[j] = zb;
        }
        let r = wm - self.l_m * p[m - 1] - self.u_m * p[m + 1];
        let xm = r * self.inv_m;
        p[m] = xm;
        self.substitute_outwards(p, xm);
        Some(())
    }
}

/// The explicit band $E$ of a θ-scheme step, $w = p + Ep$: sub-, main and super-diagonal, and the
/// corners $E_{0,n-1}$ (`tr`) and $E_{n-1,0}$ (`bl`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Explicit<'a> {
    /// Sub-diagonal ($E_{i,i-1}$, entry 0 unused).
    pub l: &'a [f64],
    /// Diagonal.
    pub d: &'a [f64],
    /// Super-diagonal ($E_{i,i+1}$, entry $n-1$ unused).
    pub u: &'a [f64],
    /// $E_{0,n-1}$.
    pub tr: f64,
    /// $E_{n-1,0}$.
    pub bl: f64,
}

/// A factorised cyclic tridiagonal matrix (periodic boundaries).
#[derive(Debug, Clone, PartialEq)]
pub struct CyclicTridiag {
    t: Tridiag,
    z: Vec<f64>,
    gamma: f64,
    beta: f64,
}

impl CyclicTridiag {
    /// Factorise the matrix with tridiagonal part $(l, d, u)$ and corners `top_right` $= M_{0,n-1}$,
    /// `bottom_left` $= M_{n-1,0}$ ($n \ge 3$).
    ///
    /// # Errors
    /// Singular matrix, non-finite entries or $n < 3$.
    pub fn new(lower: &[f64], diag: &[f64], upper: &[f64], top_right: f64, bottom_left: f64) -> Result<Self> {
        let n = diag.len();
        if n < 3 {
            return Err(ThermoError::TooFewSamples { needed: 3, got: n });
        }
        crate::error::check_all_finite("corners (top right, bottom left)", &[top_right, bottom_left])?;
        crate::error::check_all_finite("diag", diag)?;
        let gamma = -diag[0];
        let mut dd = diag.to_vec();
        dd[0] -= gamma;
        dd[n - 1] -= bottom_left * top_right / gamma;
        let t = Tridiag::new(lower, &dd, upper)?;
        let mut z = vec![0.0; n];
        z[0] = gamma;
        z[n - 1] = bottom_left;
        t.solve(&mut z)?;
        let den = 1.0 + z[0] + top_right * z[n - 1] / gamma;
        if den == 0.0 || !den.is_finite() {
            return Err(ThermoError::Singular {
                what: "cyclic tridiagonal (Sherman-Morrison denominator)",
                index: 0,
                value: den,
            });
        }
        Ok(Self {
            t,
            z,
            gamma,
            beta: top_right,
        })
    }

    /// Solve in place.
    ///
    /// # Errors
    /// As [`Tridiag::solve`].
    pub fn solve(&self, x: &mut [f64]) -> Result<()> {
        check_len("right-hand side", self.z.len(), x.len())?;
        crate::error::check_all_finite("right-hand side", x)?;
        self.solve_unchecked(x)?;
        crate::error::check_all_finite("solution", x)
    }

    /// [`CyclicTridiag::solve`] without the finiteness checks.
    #[inline]
    pub(crate) fn solve_unchecked(&self, x: &mut [f64]) -> Result<()> {
        let n = x.len();
        check_len("right-hand side", self.z.len(), n)?;
        self.t.solve_unchecked(x)?;
        let z = &self.z;
        let fact =
            (x[0] + self.beta * x[n - 1] / self.gamma) / (1.0 + z[0] + self.beta * z[n - 1] / self.gamma);
        for i in 0..n {
            x[i] -= fact * z[i];
        }
        Ok(())
    }
}

/// Shift the index of a [`ThermoError::NonFiniteValue`] by `by` (for checks on a sub-slice).
pub(crate) fn shift_index(e: ThermoError, by: usize) -> ThermoError {
    match e {
        ThermoError::NonFiniteValue { what, index, value } => ThermoError::NonFiniteValue {
            what,
            index: index + by,
            value,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(n: usize) {
        let l: Vec<f64> = (0..n).map(|i| -1.0 - 0.1 * i as f64).collect();
        let u: Vec<f64> = (0..n).map(|i| -0.5 + 0.05 * i as f64).collect();
        let d: Vec<f64> = (0..n).map(|i| 4.0 + i as f64).collect();
        let xs: Vec<f64> = (0..n).map(|i| (i as f64).sin() + 0.5).collect();
        let mut r: Vec<f64> = (0..n)
            .map(|i| {
                let mut s = d[i] * xs[i];
                if i > 0 {
                    s += l[i] * xs[i - 1];
                }
                if i + 1 < n {
                    s += u[i] * xs[i + 1];
                }
                s
            })
            .collect();
        Tridiag::new(&l, &d, &u).unwrap().solve(&mut r).unwrap();
        assert!(r.iter().zip(&xs).all(|(a, b)| (a - b).abs() < 1e-14), "n = {n}");
    }

    /// The one-pass θ-step solve equals forming $p + Ep$ first and solving, to the last bit, for both
    /// parities of $n$ (the middle row and the uneven tails differ) and with corner entries.
    #[test]
    fn explicit_solve_equals_the_two_pass_step_bit_for_bit() {
        for n in [8usize, 9, 10, 13, 64, 4095, 4096] {
            let f = |i: usize, a: f64, b: f64| a + b * ((i as f64) * 0.37).sin();
            let (l, d, u): (Vec<f64>, Vec<f64>, Vec<f64>) = (0..n)
                .map(|i| (f(i, -1.0, 0.3), f(i + 7, 4.0, 0.5), f(i + 3, -0.5, 0.2)))
                .collect();
            let (el, ed, eu): (Vec<f64>, Vec<f64>, Vec<f64>) = (0..n)
                .map(|i| (f(i + 1, 0.2, 0.1), f(i + 2, -0.4, 0.1), f(i + 5, 0.2, 0.05)))
                .collect();
            let (tr, bl) = (0.013, -0.021);
            let p: Vec<f64> = (0..n).map(|i| f(i + 11, 1.0, 0.9)).collect();
            let t = Tridiag::new(&l, &d, &u).unwrap();
            let mut w = vec![0.0; n];
            for i in 1..n - 1 {
                w[i] = p[i] + el[i] * p[i - 1] + ed[i] * p[i] + eu[i] * p[i + 1];
            }
            w[0] = p[0] + ed[0] * p[0] + eu[0] * p[1] + tr * p[n - 1];
            w[n - 1] = p[n - 1] + el[n - 1] * p[n - 2] + ed[n - 1] * p[n - 1] + bl * p[0];
            t.solve(&mut w).unwrap();
            let mut q = p.clone();
            let e = Explicit {
                l: &el,
                d: &ed,
                u: &eu,
                tr,
                bl,
            };
            assert_eq!(t.solve_explicit_unchecked(&mut q, &e), Some(()));
            assert!(
                q.iter().zip(&w).all(|(a, b)| a.to_bits() == b.to_bits()),
                "n = {n}"
            );
        }
        // Below 8 rows the caller is told to take the two-pass route.
        let t = Tridiag::new(&[0.0; 5], &[2.0; 5], &[0.0; 5]).unwrap();
        let z = [0.0; 5];
        let e = Explicit {
            l: &z,
            d: &z,
            u: &z,
            tr: 0.0,
            bl: 0.0,
        };
        assert_eq!(t.solve_explicit_unchecked(&mut [1.0; 5], &e), None);
    }

    #[test]
    fn solves_match_matvec() {
        for n in [1usize, 2, 3, 4, 7, 8] {
            check(n);
        }
        let n = 7;
        let l: Vec<f64> = (0..n).map(|i| -1.0 - 0.1 * i as f64).collect();
        let u: Vec<f64> = (0..n).map(|i| -0.5 + 0.05 * i as f64).collect();
        let d: Vec<f64> = (0..n).map(|i| 4.0 + i as f64).collect();
        let xs: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        let mv = |x: &[f64], tr: f64, bl: f64| -> Vec<f64> {
            (0..n)
                .map(|i| {
                    let mut s = d[i] * x[i];
                    if i > 0 {
                        s += l[i] * x[i - 1]
                    } else {
                        s += tr * x[n - 1]
                    }
                    if i + 1 < n {
                        s += u[i] * x[i + 1]
                    } else {
                        s += bl * x[0]
                    }
                    s
                })
                .collect()
        };
        let mut r = mv(&xs, 0.0, 0.0);
        Tridiag::new(&l, &d, &u).unwrap().solve(&mut r).unwrap();
        // Well-conditioned (diagonally dominant) 7x7 system: round-off only.
        assert!(r.iter().zip(&xs).all(|(a, b)| (a - b).abs() < 1e-14));
        let mut r = mv(&xs, 0.3, -0.7);
        CyclicTridiag::new(&l, &d, &u, 0.3, -0.7)
            .unwrap()
            .solve(&mut r)
            .unwrap();
        assert!(r.iter().zip(&xs).all(|(a, b)| (a - b).abs() < 1e-14));
        assert!(Tridiag::new(&[0.0], &[0.0], &[0.0]).is_err());
    }
}
