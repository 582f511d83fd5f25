//! The driver against the hand-written steps it replaced: the Dormand-Prince 5(4) step as it was
//! unrolled (`h * p / q` per term), and the DOP853 / RK8(7)13M stage loops and error norms as they were
//! written per method. Equality is asserted bit for bit (`to_bits`), because the driver is meant to
//! perform the same floating-point operations in the same order; any reordering would show here.

use super::*;
use crate::dop853::{self, Dop853Step, dop853_step_in_place};
use crate::ode::rk87::{self, Rk87Step, rk87_step_in_place};
use crate::ode::{Dopri5Step, DopriStep, dopri5_step, dopri5_step_dense, dopri5_step_in_place};

type Y = ([f64; 2], [f64; 2]);

/// A non-autonomous Kepler problem (the node offsets c_i h matter).
fn kepler(t: f64, y: &Y) -> Y {
    let (q, p) = y;
    let r3 = (q[0] * q[0] + q[1] * q[1]).powf(1.5);
    let s = 1.0 + 0.1 * t.sin();
    (*p, [-s * q[0] / r3, -s * q[1] / r3])
}

fn lin(y: &Y, terms: &[(f64, &Y)]) -> Y {
    let mut out = *y;
    for (c, k) in terms {
        if *c != 0.0 {
            out.axpy(*c, k);
        }
    }
    out
}

/// The Dormand-Prince 5(4) step as it was written before the driver: (y5, k7, err, dense).
fn dopri5_reference(t: f64, y: &Y, h: f64, rtol: f64, atol: f64) -> (Y, Y, f64, [Y; 5]) {
    let f = kepler;
    let k1 = f(t, y);
    let k2 = f(t + h / 5.0, &lin(y, &[(h / 5.0, &k1)]));
    let k3 = f(
        t + 0.3 * h,
        &lin(y, &[(h * 3.0 / 40.0, &k1), (h * 9.0 / 40.0, &k2)]),
    );
    let k4 = f(
        t + 0.8 * h,
        &lin(
            y,
            &[
                (h * 44.0 / 45.0, &k1),
                (h * -56.0 / 15.0, &k2),
                (h * 32.0 / 9.0, &k3),
            ],
        ),
    );
    let k5 = f(
        t + h * 8.0 / 9.0,
        &lin(
            y,
            &[
                (h * 19372.0 / 6561.0, &k1),
                (h * -25360.0 / 2187.0, &k2),
                (h * 64448.0 / 6561.0, &k3),
                (h * -212.0 / 729.0, &k4),
            ],
        ),
    );
    let k6 = f(
        t + h,
        &lin(
            y,
            &[
                (h * 9017.0 / 3168.0, &k1),
                (h * -355.0 / 33.0, &k2),
                (h * 46732.0 / 5247.0, &k3),
                (h * 49.0 / 176.0, &k4),
                (h * -5103.0 / 18656.0, &k5),
            ],
        ),
    );
    let y5 = lin(
        y,
        &[
            (h * 35.0 / 384.0, &k1),
            (h * 500.0 / 1113.0, &k3),
            (h * 125.0 / 192.0, &k4),
            (h * -2187.0 / 6784.0, &k5),
            (h * 11.0 / 84.0, &k6),
        ],
    );
    let k7 = f(t + h, &y5);
    let e = lin(
        &Y::zero(),
        &[
            (h * 71.0 / 57600.0, &k1),
            (h * -71.0 / 16695.0, &k3),
            (h * 71.0 / 1920.0, &k4),
            (h * -17253.0 / 339200.0, &k5),
            (h * 22.0 / 525.0, &k6),
            (-h / 40.0, &k7),
        ],
    );
    let mut err = 0.0_f64;
    for ((ei, yi), ni) in e.components().zip(y.components()).zip(y5.components()) {
        err = err.max(ei.abs() / (atol + rtol * yi.abs().max(ni.abs())));
    }
    let mut ydiff = y5;
    ydiff.axpy(-1.0, y);
    let mut bspl = Y::zero();
    bspl.axpy(h, &k1);
    bspl.axpy(-1.0, &ydiff);
    let mut r4 = ydiff;
    r4.axpy(-h, &k7);
    r4.axpy(-1.0, &bspl);
    let r5 = lin(
        &Y::zero(),
        &[
            (h * -12715105075.0 / 11282082432.0, &k1),
            (h * 87487479700.0 / 32700410799.0, &k3),
            (h * -10690763975.0 / 1880347072.0, &k4),
            (h * 701980252875.0 / 199316789632.0, &k5),
            (h * -1453857185.0 / 822651844.0, &k6),
            (h * 69997945.0 / 29380423.0, &k7),
        ],
    );
    (y5, k7, err, [*y, ydiff, bspl, r4, r5])
}

/// The per-method stage loop as it was written for DOP853 (`s = 12`) and RK8(7)13M (`s = 13`).
fn stages_reference<const K: usize>(
    a: &[&[f64]],
    c: &[f64],
    b: &[f64],
    t: f64,
    y: &Y,
    h: f64,
) -> (Y, [Y; K]) {
    let comb = |y: &Y, coef: &[f64], k: &[Y]| {
        let mut out = *y;
        for (c, ki) in coef.iter().zip(k) {
            if *c != 0.0 {
                out.axpy(h * c, ki);
            }
        }
        out
    };
    let s = K - 1;
    let mut k = [Y::zero(); K];
    k[0] = kepler(t, y);
    for i in 1..s {
        let yi = comb(y, a[i], &k[..i]);
        k[i] = kepler(t + c[i] * h, &yi);
    }
    let y1 = comb(y, b, &k[..s]);
    k[s] = kepler(t + h, &y1);
    (y1, k)
}

fn bits(y: &Y) -> [u64; 4] {
    [y.0[0], y.0[1], y.1[0], y.1[1]].map(f64::to_bits)
}

const STARTS: [(f64, Y, f64); 3] = [
    (0.0, ([1.0, 0.0], [0.0, 1.2]), 0.05),
    (0.7, ([0.3, -0.9], [1.1, 0.2]), 0.31),
    (-2.0, ([-1.5, 0.4], [-0.1, -0.7]), -0.2),
];

#[test]
fn dopri5_through_the_driver_is_the_unrolled_step() {
    let mut f = |t: f64, y: &Y| -> Result<Y, ()> { Ok(kepler(t, y)) };
    for (t, y, h) in STARTS {
        for tol in [1e-6, 1e-10, 1e-13] {
            let (y5, k7, err, dense) = dopri5_reference(t, &y, h, tol, tol);
            let f0 = kepler(t, &y);
            let s: DopriStep<Y> = dopri5_step_dense(&mut f, t, &y, &f0, h, tol, tol).unwrap();
            assert_eq!(bits(&s.y), bits(&y5));
            assert_eq!(bits(&s.f_new), bits(&k7));
            assert_eq!(s.err.to_bits(), err.to_bits());
            assert!(err > 0.0 && err.is_finite());
            let d = s.dense.unwrap();
            for (a, b) in d.iter().zip(&dense) {
                assert_eq!(bits(a), bits(b));
            }
            assert!(
                dopri5_step(&mut f, t, &y, &f0, h, tol, tol)
                    .unwrap()
                    .dense
                    .is_none()
            );
            // The in-place form used by the geodesic integrator: the same step and coefficients.
            let mut g = |t: f64, y: &Y, k: &mut Y| -> Result<(), ()> {
                *k = kepler(t, y);
                Ok(())
            };
            let mut w = Dopri5Step::zero();
            dopri5_step_in_place(&mut g, t, &y, &f0, h, tol, tol, &mut w).unwrap();
            assert_eq!(bits(&w.y), bits(&y5));
            assert_eq!(bits(w.f_new()), bits(&k7));
            assert_eq!(w.err.to_bits(), err.to_bits());
            for (a, b) in w.dense_coeffs().iter().zip(&dense) {
                assert_eq!(bits(a), bits(b));
            }
        }
    }
}

#[test]
fn dop853_and_rk87_through_the_driver_are_the_per_method_loops() {
    let mut g = |t: f64, y: &Y, k: &mut Y| -> Result<(), ()> {
        *k = kepler(t, y);
        Ok(())
    };
    for (t, y, h) in STARTS {
        let f0 = kepler(t, &y);
        let (y1, k) = stages_reference::<13>(&dop853::A, &dop853::C, &dop853::B, t, &y, h);
        let mut w = Dop853Step::zero();
        dop853_step_in_place(&mut g, t, &y, &f0, h, 1e-9, 1e-9, &mut w).unwrap();
        assert_eq!(bits(&w.y), bits(&y1));
        for (a, b) in w.k.iter().zip(&k) {
            assert_eq!(bits(a), bits(b));
        }
        let (y1, k) = stages_reference::<14>(&rk87::A, &rk87::C, &rk87::B, t, &y, h);
        let mut w = Rk87Step::zero();
        rk87_step_in_place(&mut g, t, &y, &f0, h, 1e-9, 1e-9, &mut w).unwrap();
        assert_eq!(bits(&w.y), bits(&y1));
        for (a, b) in w.k.iter().zip(&k) {
            assert_eq!(bits(a), bits(b));
        }
        // The RK8(7)13M norm as it was written: e = Σ h (b - b̂) k, RMS of e / scale.
        let mut e = Y::zero();
        for ((b, bh), ki) in rk87::B.iter().zip(&rk87::BHAT7).zip(&w.k) {
            if b - bh != 0.0 {
                e.axpy(h * (b - bh), ki);
            }
        }
        let mut s = 0.0_f64;
        for ((ei, u), v) in e.components().zip(y.components()).zip(w.y.components()) {
            s += (ei / (1e-9 + 1e-9 * u.abs().max(v.abs()))).powi(2);
        }
        assert_eq!(w.err.to_bits(), (s / 4.0).sqrt().to_bits());
    }
}

#[test]
fn coefficients_form_their_products_in_the_written_order() {
    for h in [0.37, -1.3e-3, 17.0] {
        // Ratio(p, q) is (h p)/q; q = 1 is the plain product.
        assert_eq!(Ratio(3.0, 40.0).times(h), Some(h * 3.0 / 40.0));
        assert_eq!(Ratio(1.0, 5.0).node(h).to_bits(), (h / 5.0).to_bits());
        assert_eq!(Ratio(0.3, 1.0).node(h).to_bits(), (0.3 * h).to_bits());
        assert_eq!(Ratio(-1.0, 40.0).times(h), Some(-h / 40.0));
        assert_eq!(0.25_f64.times(h), Some(h * 0.25));
    }
    // Absent terms: structural zeros, and a product that underflows to zero.
    assert_eq!(Ratio(0.0, 1.0).times(2.0), None);
    assert_eq!(0.0_f64.times(2.0), None);
    assert_eq!(Ratio(1.0, 1e300).times(1e-300), None);
    // A failing stage comes back as the right-hand side's error, with no norm formed.
    let mut calls = 0;
    let mut bad = |_t: f64, _y: &Y, _k: &mut Y| -> Result<(), i32> {
        calls += 1;
        if calls == 4 { Err(-4) } else { Ok(()) }
    };
    let mut w = PairStep::<Y, 7>::zero();
    let r = pair_step_in_place(
        &crate::ode::DOPRI5,
        &mut bad,
        0.0,
        &Y::zero(),
        &Y::zero(),
        0.1,
        1e-9,
        1e-9,
        &mut w,
    );
    assert_eq!(r, Err(-4));
    assert_eq!(calls, 4);
}

#[test]
fn hermite_form_reduces_to_its_ends_and_a_non_finite_norm_is_a_rejection() {
    // θ = 0 gives y0 and θ = 1 gives y0 + r1 whatever r2.. are (every inner term carries 1 - θ).
    let y0: Y = ([1.0, 2.0], [3.0, 4.0]);
    let r: [Y; 3] = [
        ([0.5, -1.0], [0.25, 2.0]),
        ([9.0, 9.0], [9.0, 9.0]),
        ([-7.0, 3.0], [1.0, 1.0]),
    ];
    assert_eq!(hermite_at(&y0, &r, 0.0), y0);
    assert_eq!(hermite_at(&y0, &r, 1.0), ([1.5, 1.0], [3.25, 6.0]));
    assert_eq!(hermite_at(&y0, &[], 0.4), y0);
    // A stage that overflows to infinity (e = ∞ - ∞ = NaN in the Dormand-Prince 5(4) estimate, whose
    // weights change sign) or is NaN: the norm is +∞, a rejection, for each estimate kind.
    for bad in [f64::INFINITY, f64::NAN] {
        let k = [([bad, 0.0], [0.0, 0.0]); 14];
        assert_eq!(
            error_norm(
                &crate::ode::DOPRI5.estimate,
                &Y::zero(),
                &Y::zero(),
                0.1,
                &k,
                1e-9,
                1e-9
            ),
            f64::INFINITY
        );
        for est in [dop853::TABLEAU.estimate, rk87::TABLEAU.estimate] {
            assert_eq!(
                error_norm(&est, &Y::zero(), &Y::zero(), 0.1, &k, 1e-9, 1e-9),
                f64::INFINITY
            );
        }
    }
    // All stages zero: an exact step, norm 0.
    let k = [Y::zero(); 14];
    assert_eq!(
        error_norm(&dop853::TABLEAU.estimate, &y0, &y0, 0.1, &k, 1e-9, 1e-9),
        0.0
    );
    assert_eq!(
        error_norm(&crate::ode::DOPRI5.estimate, &y0, &y0, 0.1, &k, 1e-9, 1e-9),
        0.0
    );
}
