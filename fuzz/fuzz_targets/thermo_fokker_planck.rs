//! Fokker-Planck grid, operator and stepper from arbitrary numbers: a typed error, or a finite density
//! with conserved mass.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nqg_thermo::fp::{Boundary, FokkerPlanck1d, Grid1d, Method, Stepper1d};

#[path = "input.rs"]
mod input;

fuzz_target!(|data: &[u8]| {
    let mut inp = input::Input(data);
    let (lo, width, n) = (inp.f64(), inp.f64(), inp.size(256));
    let (d, amp, dt) = (inp.f64(), inp.f64(), inp.f64());
    let bc = if inp.bool() { Boundary::Periodic } else { Boundary::Reflecting };
    let method = if inp.bool() { Method::CrankNicolson } else { Method::BackwardEuler };
    let Ok(g) = Grid1d::new(lo, lo + width, n) else { return };
    let Ok(op) = FokkerPlanck1d::from_drift(g, d, bc, |x| amp * (x - lo).sin()) else { return };
    if let Ok(p) = op.stationary() {
        assert!(p.iter().all(|v| v.is_finite()));
    }
    let Ok(mut st) = Stepper1d::new(&op, dt, method) else { return };
    let mut p = g.density(|x| (-(x - lo).powi(2)).exp() + 1e-3);
    let m0 = g.mass(&p);
    if st.run(&mut p, 4).is_ok() {
        assert!(p.iter().all(|v| v.is_finite()));
        assert!((g.mass(&p) - m0).abs() <= 1e-8 * m0.abs().max(1.0));
    }
});
