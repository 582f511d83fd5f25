//! The explicit Runge-Kutta pair RK8(7)13M of Prince & Dormand (*High order embedded Runge-Kutta
//! formulae*, J. Comput. Appl. Math. 7 (1981) 67-75) with the continuous extension of Bogacki
//! & Shampine (*Interpolating high-order Runge-Kutta formulas*, Comput. Math. Appl. 20 (1990) 15-24): the
//! method of diffrax's `Dopri8`.
//!
//! One step of size $h$ from $(t, y)$ with $k_1 = f(t, y)$:
//!
//! $$k_i = f\Big(t + c_i h,\\; y + h\sum_{j<i} a_{ij}k_j\Big),\quad i = 2..13,\qquad
//!   y_1 = y + h\sum_{i=1}^{13} b_i k_i \quad(\text{order } 8),$$
//!
//! and $k_{14} = f(t + h, y_1)$ (first stage of the next step, FSAL): 13 new right-hand sides per step.
//! The error estimate is the difference to the embedded 7th-order solution,
//! $e = h\sum_i (b_i - \hat b_i)k_i$, in the root-mean-square norm
//!
//! $$\mathrm{err} = \Big(\frac1n\sum_{m=1}^n \Big(\frac{e_m}{\mathrm{atol} + \mathrm{rtol}\max(|y_m|, |y_{1,m}|)}\Big)^2\Big)^{1/2},$$
//!
//! accepted when $\mathrm{err} \le 1$ (step control: [`crate::dop853::Dop853Controller`] with its
//! exponent 1/8, which is $1/(\hat p + 1)$ for the 7th-order estimate here too).
//!
//! The continuous extension uses the 14 stages only (no further right-hand side):
//! $y(t + \theta h) = y + h\sum_{i=1}^{14} \theta\\,q_i(\theta)\\,k_i$ with the quintic $q_i$ of
//! [`DENSE`]; $\theta\\,q_i(1) = b_i$.
//!
//! Coefficients: the rational approximations of the published tables (to about 18 digits), as printed
//! in diffrax's `_solver/dopri8.py`; the continuous extension to 20 digits from the same file. The tests
//! verify them: the row sums, all 200 rooted-tree conditions up to order 8 for $b$, the 85 up to order 7
//! for $\hat b$ (and that $\hat b$ is not of order 8), the interpolant's end value and observed orders.

use crate::ode::State;
use crate::ode::pair::{Dense, Estimate, PairStep, Tableau, pair_step_in_place, stages_at};

/// Nodes $c_1..c_{14}$ ($c_{14} = 1$ is the FSAL stage).
pub const C: [f64; 14] = [
    0.0,
    1.0 / 18.0,
    1.0 / 12.0,
    1.0 / 8.0,
    5.0 / 16.0,
    3.0 / 8.0,
    59.0 / 400.0,
    93.0 / 200.0,
    5490023248.0 / 9719169821.0,
    13.0 / 20.0,
    1201146811.0 / 1299019798.0,
    1.0,
    1.0,
    1.0,
];

/// Weights $b_1..b_{13}$ of the 8th-order solution (row 14 of $a$).
pub const B: [f64; 13] = [
    14005451.0 / 335480064.0,
    0.0,
    0.0,
    0.0,
    0.0,
    -59238493.0 / 1068277825.0,
    181606767.0 / 758867731.0,
    561292985.0 / 797845732.0,
    -1041891430.0 / 1371343529.0,
    760417239.0 / 1151165299.0,
    118820643.0 / 751138087.0,
    -528747749.0 / 2220607170.0,
    1.0 / 4.0,
];

/// Weights $\hat b_1..\hat b_{13}$ of the embedded 7th-order solution.
pub const BHAT7: [f64; 13] = [
    13451932.0 / 455176623.0,
    0.0,
    0.0,
    0.0,
    0.0,
    -808719846.0 / 976000145.0,
    1757004468.0 / 5645159321.0,
    656045339.0 / 265891186.0,
    -3867574721.0 / 1518517206.0,
    465885868.0 / 322736535.0,
    53011238.0 / 667516719.0,
    2.0 / 45.0,
    0.0,
];

/// The strictly lower triangle of $a_{ij}$: row $i$ holds $a_{i,1..i-1}$ (row 14 is $b$).
pub const A: [&[f64]; 14] = [
    &[],
    &[1.0 / 18.0],
    &[1.0 / 48.0, 1.0 / 16.0],
    &[1.0 / 32.0, 0.0, 3.0 / 32.0],
    &[5.0 / 16.0, 0.0, -75.0 / 64.0, 75.0 / 64.0],
    &[3.0 / 80.0, 0.0, 0.0, 3.0 / 16.0, 3.0 / 20.0],
    &[
        29443841.0 / 614563906.0,
        0.0,
        0.0,
        77736538.0 / 692538347.0,
        -28693883.0 / 1125000000.0,
        23124283.0 / 1800000000.0,
    ],
    &[
        16016141.0 / 946692911.0,
        0.0,
        0.0,
        61564180.0 / 158732637.0,
        22789713.0 / 633445777.0,
        545815736.0 / 2771057229.0,
        -180193667.0 / 1043307555.0,
    ],
    &[
        39632708.0 / 573591083.0,
        0.0,
        0.0,
        -433636366.0 / 683701615.0,
        -421739975.0 / 2616292301.0,
        100302831.0 / 723423059.0,
        790204164.0 / 839813087.0,
        800635310.0 / 3783071287.0,
    ],
    &[
        246121993.0 / 1340847787.0,
        0.0,
        0.0,
        -37695042795.0 / 15268766246.0,
        -309121744.0 / 1061227803.0,
        -12992083.0 / 490766935.0,
        6005943493.0 / 2108947869.0,
        393006217.0 / 1396673457.0,
        123872331.0 / 1001029789.0,
    ],
    &[
        -1028468189.0 / 846180014.0,
        0.0,
        0.0,
        8478235783.0 / 508512852.0,
        1311729495.0 / 1432422823.0,
        -10304129995.0 / 1701304382.0,
        -48777925059.0 / 3047939560.0,
        15336726248.0 / 1032824649.0,
        -45442868181.0 / 3398467696.0,
        3065993473.0 / 597172653.0,
    ],
    &[
        185892177.0 / 718116043.0,
        0.0,
        0.0,
        -3185094517.0 / 667107341.0,
        -477755414.0 / 1098053517.0,
        -703635378.0 / 230739211.0,
        5731566787.0 / 1027545527.0,
        5232866602.0 / 850066563.0,
        -4093664535.0 / 808688257.0,
        3962137247.0 / 1805957418.0,
        65686358.0 / 487910083.0,
    ],
    &[
        403863854.0 / 491063109.0,
        0.0,
        0.0,
        -5068492393.0 / 434740067.0,
        -411421997.0 / 543043805.0,
        652783627.0 / 914296604.0,
        11173962825.0 / 925320556.0,
        -13158990841.0 / 6184727034.0,
        3936647629.0 / 1978049680.0,
        -160528059.0 / 685178525.0,
        248638103.0 / 1413531060.0,
        0.0,
    ],
    &B,
];

/// The continuous extension: stage $i$ enters $y(t + \theta h)$ with weight $h\\,\theta\\,q_i(\theta)$,
/// $q_i(\theta) = \sum_{m=0}^{5} d_{i,m}\\,\theta^{5-m}$ (row $i$ holds $d_{i,0..5}$, highest power first).
#[allow(clippy::excessive_precision)]
pub const DENSE: [[f64; 6]; 14] = [
    [
        -6.3448349392860401388,
        22.1396504998094068976,
        -30.0610568289666450593,
        19.9990069333683970610,
        -6.6910181737837595697,
        1.0,
    ],
    [0.0; 6],
    [0.0; 6],
    [0.0; 6],
    [0.0; 6],
    [
        -39.6107919852202505218,
        116.4422149550342161651,
        -121.4999627731334642623,
        52.2273532792945524050,
        -7.6142658045872677172,
        0.0,
    ],
    [
        20.3761213808791436958,
        -67.1451318825957197185,
        83.1721004639847717481,
        -46.8919164181093621583,
        10.7281392630428866124,
        0.0,
    ],
    [
        7.3347098826795362023,
        -16.5672243527496524646,
        9.5724507555993664382,
        -0.1890893225010595467,
        0.5526637063753648783,
        0.0,
    ],
    [
        32.8801774352459155182,
        -89.9916014847245016028,
        87.8406057677205645007,
        -35.7075975946222072821,
        4.2186562625665153803,
        0.0,
    ],
    [
        -10.1588990526426760954,
        22.6237489648532849093,
        -17.4152107770762969005,
        6.2736448083240352160,
        -0.6627209125361597559,
        0.0,
    ],
    [
        -12.5401268098782561200,
        32.2362340167355370113,
        -28.5903289514790976966,
        10.3160881272450748458,
        -1.2636789001135462218,
        0.0,
    ],
    [
        29.5553001484516038033,
        -82.1020315488359848644,
        81.6630950584341412934,
        -34.7650769866611817349,
        5.4106037898590422230,
        0.0,
    ],
    [
        -41.7923486424390588923,
        116.2662185791119533462,
        -114.9375291377009418170,
        47.7457971078225540396,
        -7.0321379067945741781,
        0.0,
    ],
    [
        20.3006925822100825485,
        -53.9020777466385396792,
        50.2558364226176017553,
        -19.0082099341608028453,
        2.3537586759714983486,
        0.0,
    ],
];

/// $b - \hat b$, the error weights of the 7th-order estimate (stages 1..13).
pub const E7: [f64; 13] = {
    let mut w = [0.0; 13];
    let mut i = 0;
    while i < 13 {
        w[i] = B[i] - BHAT7[i];
        i += 1;
    }
    w
};

/// RK8(7)13M as a [`Tableau`]: [`C`], [`A`], [`B`], the root-mean-square norm of
/// $e = h\sum_i (b_i - \hat b_i)k_i$ ([`E7`]) and the per-stage continuous extension [`DENSE`].
pub const TABLEAU: Tableau<f64> = Tableau {
    c: &C,
    a: &A,
    b: &B,
    estimate: Estimate::Rms(&E7),
    dense: Dense::Stages(&DENSE),
};

/// One RK8(7)13M step: the new state, its root-mean-square error norm and the 14 stages (kept for the
/// continuous extension [`Rk87Step::at`], which needs no further right-hand side);
/// $k_{14} = f(t + h, y_1)$ is the first stage of the next step.
pub type Rk87Step<S> = PairStep<S, 14>;

impl<S: State> Rk87Step<S> {
    /// $y(t + \theta h)$ from the continuous extension (module formula), $0 \le \theta \le 1$.
    pub fn at(&self, theta: f64) -> S {
        stages_at(&DENSE, self.h, &self.y0, &self.k, theta)
    }
}

/// One RK8(7)13M step from `(t, y)` with `f0 = f(t, y)` (13 new right-hand sides including the final
/// $k_{14}$), writing into `out`; the right-hand side writes $f(t, y)$ into its third argument (the stage
/// slot itself).
///
/// # Errors
/// Whatever the right-hand side returns.
#[allow(clippy::too_many_arguments)]
pub fn rk87_step_in_place<S: State, E>(
    f: &mut impl FnMut(f64, &S, &mut S) -> Result<(), E>,
    t: f64,
    y: &S,
    f0: &S,
    h: f64,
    rtol: f64,
    atol: f64,
    out: &mut Rk87Step<S>,
) -> Result<(), E> {
    pair_step_in_place(&TABLEAU, f, t, y, f0, h, rtol, atol, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dop853::tests::worst_condition_of;

    #[test]
    fn order_conditions_hold() {
        for i in 0..14 {
            let s: f64 = A[i].iter().sum();
            // The published rationals approximate the coefficients to about 18 digits.
            assert!((s - C[i]).abs() < 1e-14, "row {i}: {s} vs {}", C[i]);
        }
        let (w8, n8) = worst_condition_of(&A, &B, 8);
        assert_eq!(n8, 200);
        assert!(w8 < 1e-12, "order 8 residual {w8:e}");
        let (w7, n7) = worst_condition_of(&A, &BHAT7, 7);
        assert_eq!(n7, 85);
        assert!(w7 < 1e-12, "order 7 residual {w7:e}");
        // The embedded solution is of order 7 exactly: the estimator sees the 8th-order term.
        assert!(worst_condition_of(&A, &BHAT7, 8).0 > 1e-6);
        // The continuous extension ends on y1 (θ q_i(1) = b_i; q_14(1) = 0) only to the accuracy of its
        // printed coefficients: the weights agree to 1.0e-12 (stage 6, relative 2e-11), a jump of
        // ~1e-12 h |f| at the step end, below any tolerance the pair is run at; the sum of the defects
        // (the consistency Σ q_i(1) = 1) to round-off.
        let mut total = 0.0;
        for (i, d) in DENSE.iter().enumerate() {
            let q1: f64 = d.iter().sum();
            total += q1;
            let b = B.get(i).copied().unwrap_or(0.0);
            assert!((q1 - b).abs() < 2e-12, "stage {i}: q(1) = {q1} vs b = {b}");
        }
        assert!((total - 1.0).abs() < 1e-13, "{total}");
    }

    fn tan_rhs(_t: f64, y: &[f64; 1], k: &mut [f64; 1]) -> Result<(), ()> {
        k[0] = 1.0 + y[0] * y[0];
        Ok(())
    }

    fn growth_rhs(t: f64, y: &[f64; 1], k: &mut [f64; 1]) -> Result<(), ()> {
        k[0] = t.cos() * y[0];
        Ok(())
    }

    /// Global error of `n` fixed steps of y' = cos(t) y, y(0) = 1 on [0, 2] (y = exp(sin t)).
    fn run_growth(n: usize) -> f64 {
        let h = 2.0 / n as f64;
        let mut y = [1.0];
        let mut st = Rk87Step::zero();
        for i in 0..n {
            let t = i as f64 * h;
            let mut f0 = [0.0];
            growth_rhs(t, &y, &mut f0).unwrap();
            rk87_step_in_place(&mut growth_rhs, t, &y, &f0, h, 1.0, 1.0, &mut st).unwrap();
            y = st.y;
        }
        (y[0] - 2.0_f64.sin().exp()).abs()
    }

    #[test]
    fn observed_orders_of_step_interpolant_and_estimate() {
        // Global order from 4 → 8 → 16 fixed steps: 8 (fitted exponents within ±0.5 of a two-point fit).
        let (e4, e8, e16) = (run_growth(4), run_growth(8), run_growth(16));
        let (p1, p2) = ((e4 / e8).log2(), (e8 / e16).log2());
        assert!(p1 > 7.5 && p2 > 7.5, "orders {p1} {p2} ({e4:e} {e8:e} {e16:e})");
        // Continuous extension: the local error at θ = 0.5 of one step from the exact y(0.3) falls as
        // h^8 or faster (measured 2^7.9 between h = 0.4 and 0.2: order ≥ 7, at least that of DOP853's).
        let local = |h: f64| {
            let y0 = [0.3_f64.tan()];
            let mut f0 = [0.0];
            tan_rhs(0.0, &y0, &mut f0).unwrap();
            let mut st = Rk87Step::zero();
            rk87_step_in_place(&mut tan_rhs, 0.3, &y0, &f0, h, 1.0, 1.0, &mut st).unwrap();
            (st.at(0.5)[0] - (0.3 + 0.5 * h).tan()).abs()
        };
        let q = (local(0.4) / local(0.2)).log2();
        assert!(q > 7.5, "interpolation order {q}");
        // The estimate shrinks with h as an 8th-power term (7th-order embedded solution).
        let err = |h: f64| {
            let mut st = Rk87Step::zero();
            rk87_step_in_place(&mut tan_rhs, 0.0, &[0.0], &[1.0], h, 1e-10, 1e-10, &mut st).unwrap();
            st.err
        };
        let pe = (err(0.4) / err(0.2)).log2();
        assert!(pe > 7.0 && pe < 9.5, "estimate order {pe}");
    }
}
