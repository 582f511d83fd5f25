//! The explicit Runge-Kutta pair DOP853: Dormand-Prince 8(5,3) with its 7th-order continuous extension
//! (Hairer, Nørsett & Wanner, *Solving Ordinary Differential Equations I*, 2nd ed., §II.10; the code
//! `dop853.f` of E. Hairer and G. Wanner).
//!
//! One step of size $h$ from $(t, y)$ with $k_1 = f(t, y)$:
//!
//! $$k_i = f\Big(t + c_i h,\\; y + h\sum_{j<i} a_{ij}k_j\Big),\quad i = 2..12,\qquad
//!   y_1 = y + h\sum_{i=1}^{12} b_i k_i \quad(\text{order } 8),$$
//!
//! and $k_{13} = f(t + h, y_1)$ (first stage of the next step). The error estimate combines the
//! embedded 5th- and 3rd-order differences $e^{(5)} = h\sum_i E^{(5)}\_i k_i$, $e^{(3)} = h\sum_i E^{(3)}\_i k_i$,
//! scaled per component by $s_i = \mathrm{atol} + \mathrm{rtol}\max(|y_i|, |y_{1,i}|)$, as in `dop853.f`:
//!
//! $$\mathrm{err} = \frac{\\|e^{(5)}/s\\|\_2^2}{\sqrt{n\\,(\\|e^{(5)}/s\\|\_2^2 + 0.01\\,\\|e^{(3)}/s\\|\_2^2)}},$$
//!
//! accepted when $\mathrm{err} \le 1$, with the step controller of `dop853.f` (safety 0.9, exponent
//! 1/8, step ratio in $[1/3, 6]$, no growth right after a rejection): [`Dop853Controller`].
//!
//! The continuous extension ([`Dop853Step::dense`], 3 more right-hand sides $k_{14..16}$) is
//!
//! $$y(t + \theta h) = y + \theta\big(r_1 + (1-\theta)(r_2 + \theta(r_3 + (1-\theta)(r_4 + \theta(r_5 + (1-\theta)(r_6 + \theta r_7))))))\big),$$
//!
//! with $r_1 = y_1 - y$, $r_2 = h k_1 - r_1$, $r_3 = r_1 - h k_{13} - r_2$ (Hermite conditions at both ends)
//! and $r_{4..7} = h\sum_i d_{\cdot i} k_i$ (order 7).
//!
//! Coefficients: the table of `dop853.f` (Hairer's site, `unige.ch/~hairer/software.html`), as
//! transcribed to 30 digits in SciPy's `scipy/integrate/_ivp/dop853_coefficients.py`. They are
//! verified in the tests by all 200 rooted-tree order conditions up to order 8 for the weights $b$,
//! the order-5 and order-3 conditions for the embedded weights, the row sums $c_i = \sum_j a_{ij}$, and
//! the observed convergence orders of the step (8) and of the dense output (7).

// The coefficients are kept at the 30 digits of the published table, so that they can be compared with
// it digit by digit; f64 rounds them.
#![allow(clippy::excessive_precision)]

use crate::ode::State;
pub use crate::ode::control::Dop853Controller;
use crate::ode::pair::{
    Dense, Estimate, PairStep, Tableau, extra_stages, hermite_at, hermite_coeffs, pair_step_in_place,
};

/// Nodes $c_1..c_{16}$ (stages 14-16 serve the dense output only).
pub const C: [f64; 16] = [
    0.0,
    0.526001519587677318785587544488e-1,
    0.789002279381515978178381316732e-1,
    0.118350341907227396726757197510,
    0.281649658092772603273242802490,
    1.0 / 3.0,
    0.25,
    4.0 / 13.0,
    127.0 / 195.0,
    0.6,
    6.0 / 7.0,
    1.0,
    1.0,
    0.1,
    0.2,
    7.0 / 9.0,
];

/// The strictly lower triangle of $a_{ij}$, row $i$ holds $a_{i,1..i-1}$ (row 13 is $b$, rows 14-16
/// the dense-output stages).
pub const A: [&[f64]; 16] = [
    &[],
    &[5.26001519587677318785587544488e-2],
    &[
        1.97250569845378994544595329183e-2,
        5.91751709536136983633785987549e-2,
    ],
    &[
        2.95875854768068491816892993775e-2,
        0.0,
        8.87627564304205475450678981324e-2,
    ],
    &[
        2.41365134159266685502369798665e-1,
        0.0,
        -8.84549479328286085344864962717e-1,
        9.24834003261792003115737966543e-1,
    ],
    &[
        3.7037037037037037037037037037e-2,
        0.0,
        0.0,
        1.70828608729473871279604482173e-1,
        1.25467687566822425016691814123e-1,
    ],
    &[
        3.7109375e-2,
        0.0,
        0.0,
        1.70252211019544039314978060272e-1,
        6.02165389804559606850219397283e-2,
        -1.7578125e-2,
    ],
    &[
        3.70920001185047927108779319836e-2,
        0.0,
        0.0,
        1.70383925712239993810214054705e-1,
        1.07262030446373284651809199168e-1,
        -1.53194377486244017527936158236e-2,
        8.27378916381402288758473766002e-3,
    ],
    &[
        6.24110958716075717114429577812e-1,
        0.0,
        0.0,
        -3.36089262944694129406857109825,
        -8.68219346841726006818189891453e-1,
        2.75920996994467083049415600797e1,
        2.01540675504778934086186788979e1,
        -4.34898841810699588477366255144e1,
    ],
    &[
        4.77662536438264365890433908527e-1,
        0.0,
        0.0,
        -2.48811461997166764192642586468,
        -5.90290826836842996371446475743e-1,
        2.12300514481811942347288949897e1,
        1.52792336328824235832596922938e1,
        -3.32882109689848629194453265587e1,
        -2.03312017085086261358222928593e-2,
    ],
    &[
        -9.3714243008598732571704021658e-1,
        0.0,
        0.0,
        5.18637242884406370830023853209,
        1.09143734899672957818500254654,
        -8.14978701074692612513997267357,
        -1.85200656599969598641566180701e1,
        2.27394870993505042818970056734e1,
        2.49360555267965238987089396762,
        -3.0467644718982195003823669022,
    ],
    &[
        2.27331014751653820792359768449,
        0.0,
        0.0,
        -1.05344954667372501984066689879e1,
        -2.00087205822486249909675718444,
        -1.79589318631187989172765950534e1,
        2.79488845294199600508499808837e1,
        -2.85899827713502369474065508674,
        -8.87285693353062954433549289258,
        1.23605671757943030647266201528e1,
        6.43392746015763530355970484046e-1,
    ],
    &B,
    &[
        5.61675022830479523392909219681e-2,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        2.53500210216624811088794765333e-1,
        -2.46239037470802489917441475441e-1,
        -1.24191423263816360469010140626e-1,
        1.5329179827876569731206322685e-1,
        8.20105229563468988491666602057e-3,
        7.56789766054569976138603589584e-3,
        -8.298e-3,
    ],
    &[
        3.18346481635021405060768473261e-2,
        0.0,
        0.0,
        0.0,
        0.0,
        2.83009096723667755288322961402e-2,
        5.35419883074385676223797384372e-2,
        -5.49237485713909884646569340306e-2,
        0.0,
        0.0,
        -1.08347328697249322858509316994e-4,
        3.82571090835658412954920192323e-4,
        -3.40465008687404560802977114492e-4,
        1.41312443674632500278074618366e-1,
    ],
    &[
        -4.28896301583791923408573538692e-1,
        0.0,
        0.0,
        0.0,
        0.0,
        -4.69762141536116384314449447206,
        7.68342119606259904184240953878,
        4.06898981839711007970213554331,
        3.56727187455281109270669543021e-1,
        0.0,
        0.0,
        0.0,
        -1.39902416515901462129418009734e-3,
        2.9475147891527723389556272149,
        -9.15095847217987001081870187138,
    ],
];

/// The 8th-order weights $b_1..b_{12}$.
pub const B: [f64; 12] = [
    5.42937341165687622380535766363e-2,
    0.0,
    0.0,
    0.0,
    0.0,
    4.45031289275240888144113950566,
    1.89151789931450038304281599044,
    -5.8012039600105847814672114227,
    3.1116436695781989440891606237e-1,
    -1.52160949662516078556178806805e-1,
    2.01365400804030348374776537501e-1,
    4.47106157277725905176885569043e-2,
];

/// The 3rd-order embedded weights $\hat b^{(3)}$ (nonzero on stages 1, 9, 12); $E^{(3)} = b - \hat b^{(3)}$.
pub const BHAT3: [(usize, f64); 3] = [
    (0, 0.244094488188976377952755905512),
    (8, 0.733846688281611857341361741547),
    (11, 0.220588235294117647058823529412e-1),
];

/// $E^{(5)} = b - \hat b^{(5)}$ on stages 1..12 (the 5th-order embedded weights are $b - E^{(5)}$).
pub const E5: [f64; 12] = [
    0.1312004499419488073250102996e-1,
    0.0,
    0.0,
    0.0,
    0.0,
    -0.1225156446376204440720569753e1,
    -0.4957589496572501915214079952,
    0.1664377182454986536961530415e1,
    -0.3503288487499736816886487290,
    0.3341791187130174790297318841,
    0.8192320648511571246570742613e-1,
    -0.2235530786388629525884427845e-1,
];

/// Dense-output coefficients $d_{4..7, i}$ on stages 1..16 (stages 2-5 carry zeros).
pub const D: [[f64; 16]; 4] = [
    [
        -0.84289382761090128651353491142e1,
        0.0,
        0.0,
        0.0,
        0.0,
        0.56671495351937776962531783590,
        -0.30689499459498916912797304727e1,
        0.23846676565120698287728149680e1,
        0.21170345824450282767155149946e1,
        -0.87139158377797299206789907490,
        0.22404374302607882758541771650e1,
        0.63157877876946881815570249290,
        -0.88990336451333310820698117400e-1,
        0.18148505520854727256656404962e2,
        -0.91946323924783554000451984436e1,
        -0.44360363875948939664310572000e1,
    ],
    [
        0.10427508642579134603413151009e2,
        0.0,
        0.0,
        0.0,
        0.0,
        0.24228349177525818288430175319e3,
        0.16520045171727028198505394887e3,
        -0.37454675472269020279518312152e3,
        -0.22113666853125306036270938578e2,
        0.77334326684722638389603898808e1,
        -0.30674084731089398182061213626e2,
        -0.93321305264302278729567221706e1,
        0.15697238121770843886131091075e2,
        -0.31139403219565177677282850411e2,
        -0.93529243588444783865713862664e1,
        0.35816841486394083752465898540e2,
    ],
    [
        0.19985053242002433820987653617e2,
        0.0,
        0.0,
        0.0,
        0.0,
        -0.38703730874935176555105901742e3,
        -0.18917813819516756882830838328e3,
        0.52780815920542364900561016686e3,
        -0.11573902539959630126141871134e2,
        0.68812326946963000169666922661e1,
        -0.10006050966910838403183860980e1,
        0.77771377980534432092869265740,
        -0.27782057523535084065932004339e1,
        -0.60196695231264120758267380846e2,
        0.84320405506677161018159903784e2,
        0.11992291136182789328035130030e2,
    ],
    [
        -0.25693933462703749003312586129e2,
        0.0,
        0.0,
        0.0,
        0.0,
        -0.15418974869023643374053993627e3,
        -0.23152937917604549567536039109e3,
        0.35763911791061412378285349910e3,
        0.93405324183624310003907691704e2,
        -0.37458323136451633156875139351e2,
        0.10409964950896230045147246184e3,
        0.29840293426660503123344363579e2,
        -0.43533456590011143754432175058e2,
        0.96324553959188282948394950600e2,
        -0.39177261675615439165231486172e2,
        -0.14972683625798562581422125276e3,
    ],
];

/// One accepted-or-not DOP853 step: the new state, its error norm and the 13 stages (kept so that the
/// continuous extension can be formed later, only when it is needed, with [`Dop853Step::dense`]);
/// $k_{13} = f(t + h, y_1)$ is the first stage of the next step.
pub type Dop853Step<S> = PairStep<S, 13>;

/// The 3rd-order embedded weights [`BHAT3`] as a row over stages 1..12.
const BHAT3_ROW: [f64; 12] = {
    let mut w = [0.0; 12];
    let mut i = 0;
    while i < BHAT3.len() {
        w[BHAT3[i].0] = BHAT3[i].1;
        i += 1;
    }
    w
};

/// The dense-output rows [`D`] as slices.
const D_ROWS: [&[f64]; 4] = [&D[0], &D[1], &D[2], &D[3]];

/// DOP853 as a [`Tableau`]: [`C`], [`A`] (rows 14-16 are the stages of the continuous extension),
/// [`B`], Hairer's error norm on [`E5`] and [`BHAT3`], and the Hermite extension with rows [`D`].
pub const TABLEAU: Tableau<f64> = Tableau {
    c: &C,
    a: &A,
    b: &B,
    estimate: Estimate::Hairer {
        e5: &E5,
        bhat3: &BHAT3_ROW,
    },
    dense: Dense::Hermite(&D_ROWS),
};

/// The continuous extension of one step (order 7): evaluate with [`Dop853Dense::at`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dop853Dense<S> {
    /// Start of the step.
    pub t: f64,
    /// Step size (signed).
    pub h: f64,
    /// State at the start.
    pub y0: S,
    /// $r_1..r_7$ of the module formula.
    pub r: [S; 7],
}

impl<S: State> Dop853Dense<S> {
    /// $y(t + \theta h)$ for $0 \le \theta \le 1$ (module formula, Horner form).
    pub fn at(&self, theta: f64) -> S {
        hermite_at(&self.y0, &self.r, theta)
    }
}

/// One DOP853 step from `(t, y)` with `f0 = f(t, y)` (12 new right-hand sides including the final
/// $k_{13}$).
///
/// # Errors
/// Whatever the right-hand side returns.
pub fn dop853_step<S: State, E>(
    f: &mut impl FnMut(f64, &S) -> Result<S, E>,
    t: f64,
    y: &S,
    f0: &S,
    h: f64,
    rtol: f64,
    atol: f64,
) -> Result<Dop853Step<S>, E> {
    let mut out = Dop853Step {
        t,
        h,
        y0: *y,
        y: *y,
        err: 0.0,
        k: [S::zero(); 13],
    };
    dop853_step_into(f, t, y, f0, h, rtol, atol, &mut out)?;
    Ok(out)
}

/// As [`dop853_step`], writing into `out` (no copy of the stages).
///
/// # Errors
/// Whatever the right-hand side returns.
#[allow(clippy::too_many_arguments)]
pub fn dop853_step_into<S: State, E>(
    f: &mut impl FnMut(f64, &S) -> Result<S, E>,
    t: f64,
    y: &S,
    f0: &S,
    h: f64,
    rtol: f64,
    atol: f64,
    out: &mut Dop853Step<S>,
) -> Result<(), E> {
    let mut g = crate::ode::pair::in_place(f);
    dop853_step_in_place(&mut g, t, y, f0, h, rtol, atol, out)
}

/// As [`dop853_step_into`] with a right-hand side that writes $f(t, y)$ into its third argument (the
/// stage slot $k_i$ itself), so that no stage is returned by value and copied.
///
/// # Errors
/// Whatever the right-hand side returns.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn dop853_step_in_place<S: State, E>(
    f: &mut impl FnMut(f64, &S, &mut S) -> Result<(), E>,
    t: f64,
    y: &S,
    f0: &S,
    h: f64,
    rtol: f64,
    atol: f64,
    out: &mut Dop853Step<S>,
) -> Result<(), E> {
    pair_step_in_place(&TABLEAU, f, t, y, f0, h, rtol, atol, out)
}

impl<S: State> Dop853Step<S> {
    /// The 7th-order continuous extension (3 more right-hand sides).
    ///
    /// # Errors
    /// Whatever the right-hand side returns.
    pub fn dense<E>(&self, f: &mut impl FnMut(f64, &S) -> Result<S, E>) -> Result<Dop853Dense<S>, E> {
        let mut kk = [S::zero(); 16];
        kk[..13].copy_from_slice(&self.k);
        extra_stages(&TABLEAU, f, self.t, self.h, &self.y0, &mut kk)?;
        Ok(Dop853Dense {
            t: self.t,
            h: self.h,
            y0: self.y0,
            r: hermite_coeffs(&D_ROWS, self.h, &self.y0, &self.y, &kk, 12),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A rooted tree: its children (indices into the list, non-decreasing), order and density γ.
    struct Tree {
        children: Vec<usize>,
        order: usize,
        gamma: f64,
    }

    fn multisets(all: &[Tree], start: usize, left: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if left == 0 {
            out.push(cur.clone());
            return;
        }
        for i in start..all.len() {
            if all[i].order <= left {
                cur.push(i);
                multisets(all, i, left - all[i].order, cur, out);
                cur.pop();
            }
        }
    }

    /// All rooted trees up to `max` vertices: a tree of order n is a root with a multiset of trees
    /// whose orders sum to n - 1; γ(t) = |t| Π γ(t_k).
    fn trees(max: usize) -> Vec<Tree> {
        let mut all = vec![Tree {
            children: vec![],
            order: 1,
            gamma: 1.0,
        }];
        for n in 2..=max {
            let mut sets = Vec::new();
            multisets(&all, 0, n - 1, &mut Vec::new(), &mut sets);
            for ch in sets {
                let gamma = n as f64 * ch.iter().map(|&c| all[c].gamma).product::<f64>();
                all.push(Tree {
                    children: ch,
                    order: n,
                    gamma,
                });
            }
        }
        all
    }

    fn worst_condition(w: &[f64], p: usize) -> (f64, usize) {
        worst_condition_of(&A, w, p)
    }

    /// max over trees of order ≤ p of |Σ_i w_i Φ_i(t) - 1/γ(t)|, Φ_i(t) = Π_k (A Φ(t_k))_i, for the
    /// tableau whose strictly lower rows are `rows` (shared with the RK8(7)13M tests).
    pub(crate) fn worst_condition_of(rows: &[&[f64]], w: &[f64], p: usize) -> (f64, usize) {
        let s = w.len();
        let a: Vec<Vec<f64>> = (0..s)
            .map(|i| (0..s).map(|j| rows[i].get(j).copied().unwrap_or(0.0)).collect())
            .collect();
        let ts = trees(p);
        let mut phi: Vec<Vec<f64>> = Vec::with_capacity(ts.len());
        let mut worst = 0.0_f64;
        for t in &ts {
            let mut v = vec![1.0; s];
            for &c in &t.children {
                for i in 0..s {
                    v[i] *= (0..s).map(|j| a[i][j] * phi[c][j]).sum::<f64>();
                }
            }
            let lhs: f64 = w.iter().zip(&v).map(|(wi, vi)| wi * vi).sum();
            worst = worst.max((lhs - 1.0 / t.gamma).abs());
            phi.push(v);
        }
        (worst, ts.len())
    }

    #[test]
    fn rooted_tree_count_is_right() {
        // OEIS A000081: 1, 1, 2, 4, 9, 20, 48, 115 trees of order 1..8.
        let ts = trees(8);
        let counts: Vec<usize> = (1..=8)
            .map(|n| ts.iter().filter(|t| t.order == n).count())
            .collect();
        assert_eq!(counts, vec![1, 1, 2, 4, 9, 20, 48, 115]);
    }

    #[test]
    fn order_conditions_hold() {
        // Row sums c_i = Σ_j a_ij for all 16 stages (the tree conditions assume them).
        for i in 0..16 {
            let s: f64 = A[i].iter().sum();
            assert!((s - C[i]).abs() < 1e-14, "row {i}: {s} vs {}", C[i]);
        }
        // All 200 conditions up to order 8 for b. The coefficients are exact to 30 digits; the residual
        // is f64 round-off in sums of terms up to |a_ij| ~ 40, hence the 1e-12 bound.
        let (w8, n8) = worst_condition(&B, 8);
        assert_eq!(n8, 200);
        assert!(w8 < 1e-12, "order 8 residual {w8:e}");
        // The embedded 5th-order weights b - E5 satisfy the 17 conditions up to order 5 ...
        let b5: Vec<f64> = B.iter().zip(&E5).map(|(b, e)| b - e).collect();
        let (w5, n5) = worst_condition(&b5, 5);
        assert_eq!(n5, 17);
        assert!(w5 < 1e-12, "order 5 residual {w5:e}");
        // ... and not all of order 6 (else the estimator would not measure the 6th-order term).
        assert!(worst_condition(&b5, 6).0 > 1e-6);
        let mut b3 = vec![0.0; 12];
        for (i, w) in BHAT3 {
            b3[i] = w;
        }
        let (w3, n3) = worst_condition(&b3, 3);
        assert_eq!(n3, 4);
        assert!(w3 < 1e-12, "order 3 residual {w3:e}");
        // The test has teeth: a perturbation of one weight by 1e-9 breaks the order-1 condition.
        let mut bad = B;
        bad[5] += 1e-9;
        assert!(worst_condition(&bad, 8).0 > 5e-10);
    }

    fn tan_rhs(_t: f64, y: &[f64; 1]) -> Result<[f64; 1], ()> {
        Ok([1.0 + y[0] * y[0]])
    }

    #[test]
    fn quadrature_is_exact_to_degree_seven() {
        // y' = t^k from 0 to 1 in one step gives 1/(k+1) exactly (to round-off) for k ≤ 7.
        for k in 0..=7 {
            let mut f = |t: f64, _y: &[f64; 1]| -> Result<[f64; 1], ()> { Ok([t.powi(k)]) };
            let f0 = f(0.0, &[0.0]).unwrap();
            let s = dop853_step(&mut f, 0.0, &[0.0], &f0, 1.0, 1.0, 1.0).unwrap();
            assert!(
                (s.y[0] - 1.0 / (k + 1) as f64).abs() < 1e-14,
                "k = {k}: {}",
                s.y[0]
            );
        }
        let mut f = |t: f64, _y: &[f64; 1]| -> Result<[f64; 1], ()> { Ok([t.powi(8)]) };
        let s = dop853_step(&mut f, 0.0, &[0.0], &[0.0], 1.0, 1.0, 1.0).unwrap();
        assert!((s.y[0] - 1.0 / 9.0).abs() > 1e-8, "degree 8 should not be exact");
    }

    #[test]
    fn observed_orders_are_eight_and_seven() {
        // Global error of y' = 1 + y², y(0) = 0 (y = tan t) on [0, 1] with fixed steps.
        let global = |n: usize| {
            let h = 1.0 / n as f64;
            let mut y = [0.0];
            let mut f = tan_rhs;
            for i in 0..n {
                let f0 = f(i as f64 * h, &y).unwrap();
                y = dop853_step(&mut f, i as f64 * h, &y, &f0, h, 1.0, 1.0).unwrap().y;
            }
            (y[0] - 1.0_f64.tan()).abs()
        };
        let (e4, e8, e16) = (global(4), global(8), global(16));
        let (o1, o2) = ((e4 / e8).log2(), (e8 / e16).log2());
        assert!(
            (o1 - 8.0).abs() < 0.6 && (o2 - 8.0).abs() < 0.6,
            "orders {o1} {o2} ({e4:e} {e8:e} {e16:e})"
        );
        // Dense output on the logistic equation y' = y(1 - y), y = 1/(1 + 3e^{-t}): the maximum
        // interpolation error over one step is O(h^8) (a 7th-order interpolant), so halving h divides it
        // by ~256 (observed 2^7.9 between h = 0.4 and 0.2, where it is 4e-11 and 2e-13, far above
        // round-off).
        let exact = |t: f64| 1.0 / (1.0 + 3.0 * (-t).exp());
        let dense_err = |h: f64| {
            let y0 = [exact(0.0)];
            let mut f = |_t: f64, y: &[f64; 1]| -> Result<[f64; 1], ()> { Ok([y[0] * (1.0 - y[0])]) };
            let f0 = f(0.0, &y0).unwrap();
            let s = dop853_step(&mut f, 0.0, &y0, &f0, h, 1.0, 1.0).unwrap();
            let d = s.dense(&mut f).unwrap();
            assert!((d.at(1.0)[0] - s.y[0]).abs() < 1e-15 && (d.at(0.0)[0] - y0[0]).abs() < 1e-15);
            (1..20)
                .map(|i| {
                    let th = i as f64 / 20.0;
                    (d.at(th)[0] - exact(th * h)).abs()
                })
                .fold(0.0_f64, f64::max)
        };
        let (d1, d2) = (dense_err(0.4), dense_err(0.2));
        let od = (d1 / d2).log2();
        assert!((od - 8.0).abs() < 0.5, "dense local order {od} ({d1:e} {d2:e})");
    }

    #[test]
    fn error_estimate_and_controller() {
        let mut f = tan_rhs;
        let f0 = f(0.0, &[0.0]).unwrap();
        // The estimate shrinks with h (as h^8 for the leading err5 term once err5 dominates).
        let e1 = dop853_step(&mut f, 0.0, &[0.0], &f0, 0.4, 1e-10, 1e-10)
            .unwrap()
            .err;
        let e2 = dop853_step(&mut f, 0.0, &[0.0], &f0, 0.2, 1e-10, 1e-10)
            .unwrap()
            .err;
        assert!(e1 > e2 && e2 > 0.0, "{e1} {e2}");
        // Controller of dop853.f with beta = 0: growth capped at 6, shrink at 1/3, safety 0.9.
        let mut c = Dop853Controller::new(0.0);
        assert_eq!(c.next(1.0, 0.0), (true, 6.0));
        let (ok, h) = c.next(1.0, 1.0);
        assert!(ok && (h - 0.9).abs() < 1e-15);
        let (ok, h) = c.next(1.0, 1e12);
        assert!(!ok && (h - 1.0 / 3.0).abs() < 1e-15);
        // Right after a rejection an accepted step does not grow.
        assert_eq!(c.next(1.0, 1e-6), (true, 1.0));
        // err = 0.5: h_new = h 0.9 / 0.5^(1/8).
        let (_, h) = c.next(1.0, 0.5);
        assert!((h - 0.9 / 0.5_f64.powf(0.125)).abs() < 1e-14);
    }

    #[test]
    fn in_place_step_is_the_same_step() {
        // Kepler-like 4-component problem: the in-place right-hand side must give the same stages,
        // solution and error norm bit for bit (it is the same arithmetic, only the stage is not
        // returned by value), and an error from a stage must come back unchanged.
        let rhs = |y: &[f64; 4]| {
            let r3 = (y[0] * y[0] + y[1] * y[1]).powf(1.5);
            [y[2], y[3], -y[0] / r3, -y[1] / r3]
        };
        let mut f = |_t: f64, y: &[f64; 4]| -> Result<[f64; 4], f64> { Ok(rhs(y)) };
        let y0 = [1.0, 0.0, 0.0, 1.2];
        let f0 = rhs(&y0);
        let a = dop853_step(&mut f, 0.5, &y0, &f0, 0.3, 1e-9, 1e-9).unwrap();
        let mut b = a;
        b.k = [[0.0; 4]; 13];
        let mut g = |_t: f64, y: &[f64; 4], k: &mut [f64; 4]| -> Result<(), f64> {
            *k = rhs(y);
            Ok(())
        };
        dop853_step_in_place(&mut g, 0.5, &y0, &f0, 0.3, 1e-9, 1e-9, &mut b).unwrap();
        assert_eq!(a.y, b.y);
        assert_eq!(a.k, b.k);
        assert_eq!(a.err.to_bits(), b.err.to_bits());
        assert!(a.err > 0.0 && a.err.is_finite());
        let mut calls = 0;
        let mut bad = |_t: f64, _y: &[f64; 4], _k: &mut [f64; 4]| -> Result<(), f64> {
            calls += 1;
            if calls == 3 { Err(-7.0) } else { Ok(()) }
        };
        assert_eq!(
            dop853_step_in_place(&mut bad, 0.0, &y0, &f0, 0.3, 1e-9, 1e-9, &mut b),
            Err(-7.0)
        );
    }
}
