//! Small fixed-size ODE integrators used by the geodesic and Einstein-equation solvers.
//!
//! * [`dopri5_step`]: the Dormand-Prince 5(4) pair (FSAL, 6 new right-hand sides per step) with
//!   Shampine's 4th-order continuous extension ([`DopriStep::interpolate`]), local
//!   error estimate $\mathrm{err} = \max_i |y^{(5)}\_i - y^{(4)}\_i| / (\mathrm{atol} + \mathrm{rtol}\\,|y_i|)$,
//!   step control $h \leftarrow h\\,\min(5, \max(0.2, 0.9\\,\mathrm{err}^{-1/5}))$.
//! * [`GaussLegendre`]: the $s$-stage Gauss-Legendre collocation method (order $2s$, symplectic and
//!   symmetric). Its tableau is computed, not typed in: $c_i = (1 + x_i)/2$ with $x_i$ the roots of
//!   $P_s$, $b_j = \int_0^1 \ell_j$, $a_{ij} = \int_0^{c_i} \ell_j$ for the Lagrange basis $\ell_j$ on the
//!   nodes. Stages are solved by fixed-point iteration to round-off.
//!
//! * [`rk87`]: the Prince-Dormand 8(7) pair RK8(7)13M with its continuous extension.
//! * [`pair`]: the one driver of the explicit embedded pairs (stages, error norm, continuous
//!   extension), generic over a [`Tableau`]: Dormand-Prince 5(4) ([`DOPRI5`]), DOP853
//!   ([`crate::dop853::TABLEAU`]) and RK8(7)13M ([`rk87::TABLEAU`]) are each a table for it.
//! * [`control`]: their step-size controllers behind one interface, [`control::StepControl`].
//!
//! States implement [`State`] (fixed-size arrays and phase-space pairs), so nothing allocates per step.

pub mod control;
pub mod pair;
pub mod rk87;

use pair::{Dense, Estimate, PairStep, Ratio, Tableau};

/// A fixed-size state vector.
pub trait State: Copy {
    /// The zero state.
    fn zero() -> Self;
    /// `self += a * x`.
    fn axpy(&mut self, a: f64, x: &Self);
    /// All components.
    fn components(&self) -> impl Iterator<Item = f64>;
}

impl<const S: usize> State for [f64; S] {
    fn zero() -> Self {
        [0.0; S]
    }
    fn axpy(&mut self, a: f64, x: &Self) {
        for (s, v) in self.iter_mut().zip(x) {
            *s += a * v;
        }
    }
    fn components(&self) -> impl Iterator<Item = f64> {
        self.iter().copied()
    }
}

impl<const N: usize> State for ([f64; N], [f64; N]) {
    fn zero() -> Self {
        ([0.0; N], [0.0; N])
    }
    fn axpy(&mut self, a: f64, x: &Self) {
        self.0.axpy(a, &x.0);
        self.1.axpy(a, &x.1);
    }
    fn components(&self) -> impl Iterator<Item = f64> {
        self.0.iter().chain(self.1.iter()).copied()
    }
}

/// The result of one Dormand-Prince step.
#[derive(Debug, Clone, Copy)]
pub struct DopriStep<S> {
    /// The 5th-order solution at $t + h$.
    pub y: S,
    /// $f(t + h, y)$ (first stage of the next step, FSAL).
    pub f_new: S,
    /// The scaled error norm (accept if $\le 1$).
    pub err: f64,
    /// Coefficients of the continuous extension (Shampine's 4th-order dense output), present when the
    /// step was taken with [`dopri5_step_dense`]; see [`DopriStep::interpolate`].
    pub dense: Option<[S; 5]>,
}

impl<S: State> DopriStep<S> {
    /// The dense-output state at fraction $0 \le \theta \le 1$ of the step:
    /// $y(\theta) = r_1 + \theta(r_2 + (1-\theta)(r_3 + \theta(r_4 + (1-\theta)r_5)))$.
    /// `None` if the step carries no dense output.
    pub fn interpolate(&self, theta: f64) -> Option<S> {
        let [r1, rest @ ..] = self.dense.as_ref()?;
        Some(pair::hermite_at(r1, rest, theta))
    }
}

/// One Dormand-Prince 5(4) step from `(t, y)` with `f0 = f(t, y)`.
///
/// # Errors
/// Whatever the right-hand side returns.
pub fn dopri5_step<S: State, E>(
    f: &mut impl FnMut(f64, &S) -> Result<S, E>,
    t: f64,
    y: &S,
    f0: &S,
    h: f64,
    rtol: f64,
    atol: f64,
) -> Result<DopriStep<S>, E> {
    dopri5_core(f, t, y, f0, h, rtol, atol, false)
}

/// As [`dopri5_step`], also returning the continuous extension ([`DopriStep::interpolate`]).
///
/// # Errors
/// Whatever the right-hand side returns.
pub fn dopri5_step_dense<S: State, E>(
    f: &mut impl FnMut(f64, &S) -> Result<S, E>,
    t: f64,
    y: &S,
    f0: &S,
    h: f64,
    rtol: f64,
    atol: f64,
) -> Result<DopriStep<S>, E> {
    dopri5_core(f, t, y, f0, h, rtol, atol, true)
}

/// The Dormand-Prince 5(4) pair as a [`Tableau`]: Dormand & Prince (1980), with Shampine's
/// continuous extension (Hairer-Nørsett-Wanner, `contd5` of DOPRI5) as its one [`Dense::Hermite`] row.
/// Each coefficient $p/q$ is applied as $(h p)/q$ ([`Ratio`]), the order of operations of the code.
pub const DOPRI5: Tableau<Ratio> = Tableau {
    c: &[
        Ratio(0.0, 1.0),
        Ratio(1.0, 5.0),
        Ratio(0.3, 1.0),
        Ratio(0.8, 1.0),
        Ratio(8.0, 9.0),
        Ratio(1.0, 1.0),
    ],
    a: &[
        &[],
        &[Ratio(1.0, 5.0)],
        &[Ratio(3.0, 40.0), Ratio(9.0, 40.0)],
        &[Ratio(44.0, 45.0), Ratio(-56.0, 15.0), Ratio(32.0, 9.0)],
        &[
            Ratio(19372.0, 6561.0),
            Ratio(-25360.0, 2187.0),
            Ratio(64448.0, 6561.0),
            Ratio(-212.0, 729.0),
        ],
        &[
            Ratio(9017.0, 3168.0),
            Ratio(-355.0, 33.0),
            Ratio(46732.0, 5247.0),
            Ratio(49.0, 176.0),
            Ratio(-5103.0, 18656.0),
        ],
    ],
    b: &[
        Ratio(35.0, 384.0),
        Ratio(0.0, 1.0),
        Ratio(500.0, 1113.0),
        Ratio(125.0, 192.0),
        Ratio(-2187.0, 6784.0),
        Ratio(11.0, 84.0),
    ],
    // e = y5 - y4 = h Σ (b - b̂) k over the seven stages (k7 = f(t + h, y5)).
    estimate: Estimate::Max(&[
        Ratio(71.0, 57600.0),
        Ratio(0.0, 1.0),
        Ratio(-71.0, 16695.0),
        Ratio(71.0, 1920.0),
        Ratio(-17253.0, 339200.0),
        Ratio(22.0, 525.0),
        Ratio(-1.0, 40.0),
    ]),
    dense: Dense::Hermite(DOPRI5_DENSE),
};

/// Shampine's row $d$ of the Dormand-Prince 5(4) continuous extension (the $r_4$ of
/// [`Dense::Hermite`], order 4).
const DOPRI5_DENSE: &[&[Ratio]] = &[&[
    Ratio(-12715105075.0, 11282082432.0),
    Ratio(0.0, 1.0),
    Ratio(87487479700.0, 32700410799.0),
    Ratio(-10690763975.0, 1880347072.0),
    Ratio(701980252875.0, 199316789632.0),
    Ratio(-1453857185.0, 822651844.0),
    Ratio(69997945.0, 29380423.0),
]];

/// One Dormand-Prince 5(4) step in a work buffer: the 7 stages ($k_7 = f(t + h, y_5)$), $y_5$ and the
/// error norm; Shampine's coefficients on demand with [`Dopri5Step::dense_coeffs`].
pub type Dopri5Step<S> = PairStep<S, 7>;

impl<S: State> Dopri5Step<S> {
    /// Shampine's dense-output coefficients $(y, r_2, r_3, r_4, r_5)$ of the step, as in
    /// [`DopriStep::dense`] (evaluate with [`DopriStep::interpolate`]).
    pub fn dense_coeffs(&self) -> [S; 5] {
        let [r1, r2, r3, r4] = pair::hermite_coeffs(DOPRI5_DENSE, self.h, &self.y0, &self.y, &self.k, 6);
        [self.y0, r1, r2, r3, r4]
    }
}

/// As [`dopri5_step`], into the work buffer `out`, with a right-hand side that writes $f(t, y)$ into
/// its third argument (the stage slot itself): no stage is returned by value or copied.
///
/// # Errors
/// Whatever the right-hand side returns.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn dopri5_step_in_place<S: State, E>(
    f: &mut impl FnMut(f64, &S, &mut S) -> Result<(), E>,
    t: f64,
    y: &S,
    f0: &S,
    h: f64,
    rtol: f64,
    atol: f64,
    out: &mut Dopri5Step<S>,
) -> Result<(), E> {
    pair::pair_step_in_place(&DOPRI5, f, t, y, f0, h, rtol, atol, out)
}

#[allow(clippy::too_many_arguments)]
fn dopri5_core<S: State, E>(
    f: &mut impl FnMut(f64, &S) -> Result<S, E>,
    t: f64,
    y: &S,
    f0: &S,
    h: f64,
    rtol: f64,
    atol: f64,
    want_dense: bool,
) -> Result<DopriStep<S>, E> {
    let mut g = pair::in_place(f);
    let mut st = Dopri5Step::<S>::zero();
    dopri5_step_in_place(&mut g, t, y, f0, h, rtol, atol, &mut st)?;
    Ok(DopriStep {
        y: st.y,
        f_new: st.k[6],
        err: st.err,
        dense: want_dense.then(|| st.dense_coeffs()),
    })
}

/// The next step size after an error estimate `err` (5th-order controller with safety 0.9).
pub fn dopri5_next_h(h: f64, err: f64) -> f64 {
    let fac = if err == 0.0 {
        5.0
    } else {
        (0.9 * err.powf(-0.2)).clamp(0.2, 5.0)
    };
    h * fac
}

/// An $s$-stage Gauss-Legendre Runge-Kutta tableau (order $2s$).
#[derive(Debug, Clone, PartialEq)]
pub struct GaussLegendre {
    /// Nodes $c_i$.
    pub c: Vec<f64>,
    /// Weights $b_j$.
    pub b: Vec<f64>,
    /// Coefficients $a_{ij}$ (row-major $s\times s$).
    pub a: Vec<f64>,
}

/// Roots and weights of the Legendre polynomial $P_s$ on $[-1, 1]$ by Newton iteration.
pub fn gauss_nodes(s: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; s];
    let mut w = vec![0.0; s];
    for i in 0..s {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (s as f64 + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, z);
            for k in 2..=s {
                let kf = k as f64;
                let p2 = ((2.0 * kf - 1.0) * z * p1 - (kf - 1.0) * p0) / kf;
                p0 = p1;
                p1 = p2;
            }
            let pn = if s == 0 {
                1.0
            } else if s == 1 {
                z
            } else {
                p1
            };
            let pm = if s == 1 { 1.0 } else { p0 };
            dp = s as f64 * (z * pn - pm) / (z * z - 1.0);
            let dz = pn / dp;
            z -= dz;
            if dz.abs() < 1e-16 {
                break;
            }
        }
        x[i] = z;
        w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
    }
    (x, w)
}

impl GaussLegendre {
    /// The $s$-stage tableau, $1 \le s \le 8$ (clamped).
    pub fn new(stages: usize) -> Self {
        let s = stages.clamp(1, 8);
        let (x, _) = gauss_nodes(s);
        let mut c: Vec<f64> = x.iter().map(|xi| 0.5 * (1.0 + xi)).collect();
        c.sort_by(f64::total_cmp);
        let lag = |j: usize, t: f64| -> f64 {
            let mut v = 1.0;
            for m in 0..s {
                if m != j {
                    v *= (t - c[m]) / (c[j] - c[m]);
                }
            }
            v
        };
        // Integrate the degree s-1 Lagrange polynomials exactly with an s-point Gauss rule.
        let (gx, gw) = gauss_nodes(s);
        let integ = |j: usize, upper: f64| -> f64 {
            gx.iter()
                .zip(&gw)
                .map(|(xq, wq)| 0.5 * upper * wq * lag(j, 0.5 * upper * (1.0 + xq)))
                .sum()
        };
        let b: Vec<f64> = (0..s).map(|j| integ(j, 1.0)).collect();
        let mut a = vec![0.0; s * s];
        for i in 0..s {
            for j in 0..s {
                a[i * s + j] = integ(j, c[i]);
            }
        }
        Self { c, b, a }
    }

    /// Number of stages.
    pub fn stages(&self) -> usize {
        self.c.len()
    }

    /// One step of size `h` from `(t, y)`; stage increments solved by fixed-point iteration until
    /// the update is below `tol` (per component, relative to $1 + |y_i|$) or stops decreasing at the
    /// round-off floor (below `1e3 * tol`), at most `max_iter` sweeps. Returns the new
    /// state and the number of right-hand-side evaluations, or the last update norm if not converged.
    ///
    /// # Errors
    /// `Err(Ok(residual))` if the iteration did not converge, `Err(Err(e))` for a right-hand-side error.
    pub fn step<S: State, E>(
        &self,
        f: &mut impl FnMut(f64, &S) -> Result<S, E>,
        t: f64,
        y: &S,
        h: f64,
        tol: f64,
        max_iter: usize,
        guess: Option<&[S]>,
    ) -> Result<(S, Vec<S>, usize), Result<f64, E>> {
        let s = self.stages();
        let mut k: Vec<S> = match guess {
            Some(g) if g.len() == s => g.to_vec(),
            _ => {
                let f0 = f(t, y).map_err(Err)?;
                vec![f0; s]
            }
        };
        let mut evals = 0;
        let mut last = f64::INFINITY;
        for _ in 0..max_iter {
            let mut delta = 0.0_f64;
            let mut newk = Vec::with_capacity(s);
            for i in 0..s {
                let mut yi = *y;
                for j in 0..s {
                    yi.axpy(h * self.a[i * s + j], &k[j]);
                }
                let ki = f(t + self.c[i] * h, &yi).map_err(Err)?;
                evals += 1;
                // Per-component relative change (a large coordinate such as t must not set the scale
                // for the momenta, or round-off drifts accumulate).
                for ((u, v), w) in ki.components().zip(k[i].components()).zip(y.components()) {
                    delta = delta.max((h * (u - v)).abs() / (1.0 + w.abs()));
                }
                newk.push(ki);
            }
            k = newk;
            // Converged, or stalled at the round-off floor (no longer decreasing, within 1e3 tol).
            let stalled = delta >= last && delta <= 1e3 * tol;
            last = delta;
            if last <= tol || stalled {
                let mut out = *y;
                for j in 0..s {
                    out.axpy(h * self.b[j], &k[j]);
                }
                return Ok((out, k, evals));
            }
            if !last.is_finite() {
                break;
            }
        }
        Err(Ok(last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_legendre_tableau_matches_known_two_stage() {
        let gl = GaussLegendre::new(2);
        let r = 3.0_f64.sqrt() / 6.0;
        assert!((gl.c[0] - (0.5 - r)).abs() < 1e-15);
        assert!((gl.a[0] - 0.25).abs() < 1e-15);
        assert!((gl.a[1] - (0.25 - r)).abs() < 1e-15);
        assert!((gl.b[0] - 0.5).abs() < 1e-15);
    }

    #[test]
    fn dopri_is_fifth_order_on_exponential() {
        let mut f = |_t: f64, y: &[f64; 1]| -> Result<[f64; 1], ()> { Ok([y[0]]) };
        let errs: Vec<f64> = [0.1, 0.05]
            .iter()
            .map(|&h| {
                let s = dopri5_step(&mut f, 0.0, &[1.0], &[1.0], h, 1.0, 1.0).unwrap();
                (s.y[0] - h.exp()).abs()
            })
            .collect();
        // Local error O(h^6): halving h divides it by ~64.
        let ratio = errs[0] / errs[1];
        assert!(ratio > 50.0 && ratio < 80.0, "{ratio}");
    }

    #[test]
    fn dense_output_is_fourth_order_and_matches_endpoints() {
        let mut f = |_t: f64, y: &[f64; 1]| -> Result<[f64; 1], ()> { Ok([y[0]]) };
        let errs: Vec<f64> = [0.2, 0.1]
            .iter()
            .map(|&h| {
                let s = dopri5_step_dense(&mut f, 0.0, &[1.0], &[1.0], h, 1.0, 1.0).unwrap();
                assert!((s.interpolate(1.0).unwrap()[0] - s.y[0]).abs() < 1e-15);
                assert!((s.interpolate(0.0).unwrap()[0] - 1.0).abs() < 1e-15);
                (0..=20)
                    .map(|i| {
                        let th = i as f64 / 20.0;
                        (s.interpolate(th).unwrap()[0] - (th * h).exp()).abs()
                    })
                    .fold(0.0_f64, f64::max)
            })
            .collect();
        // Local interpolation error O(h^5): halving h divides it by ~32.
        let ratio = errs[0] / errs[1];
        assert!(ratio > 24.0 && ratio < 40.0, "{ratio} {errs:?}");
    }

    #[test]
    fn gauss_legendre_order_six_on_oscillator() {
        let gl = GaussLegendre::new(3);
        let mut f = |_t: f64, y: &[f64; 2]| -> Result<[f64; 2], ()> { Ok([y[1], -y[0]]) };
        #[allow(clippy::type_complexity)]
        let run = |n: usize, f: &mut dyn FnMut(f64, &[f64; 2]) -> Result<[f64; 2], ()>| {
            let h = 1.0 / n as f64;
            let mut y = [1.0, 0.0];
            let mut ff = |t: f64, y: &[f64; 2]| f(t, y);
            for i in 0..n {
                y = gl.step(&mut ff, i as f64 * h, &y, h, 1e-16, 50, None).unwrap().0;
            }
            (y[0] - 1.0_f64.cos()).abs()
        };
        let e1 = run(4, &mut f);
        let e2 = run(8, &mut f);
        let order = (e1 / e2).log2();
        assert!((order - 6.0).abs() < 0.3, "{order}");
    }
}
