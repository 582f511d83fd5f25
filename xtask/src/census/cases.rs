//! The census cases, one family of bad values per public call (see [`super`]).

use std::fmt::Debug;

use super::{Case, CaseResult, Verdict};

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;
/// Special floats: not-a-number, infinities, negative, zeros, the smallest subnormal, the largest.
const SPECIAL: [f64; 8] = [NAN, INF, -INF, -1.0, 0.0, -0.0, 5e-324, f64::MAX];
/// Steps and tolerances: every one of these is invalid (must be finite and > 0).
const BAD_POSITIVE: [f64; 5] = [NAN, INF, -INF, -1.0, 0.0];
/// Huge sizes.
const HUGE: [usize; 3] = [1 << 36, 1 << 40, usize::MAX];

/// `Err(debug)` of any error.
fn er<E: Debug>(e: E) -> String {
    format!("{e:?}")
}

/// Bad input that must be rejected was accepted.
fn accepted(what: &str) -> CaseResult {
    Ok(Verdict::Silent(format!("accepted {what}")))
}

/// Clean if `ok`, else silent with `why`.
fn judge(ok: bool, why: impl FnOnce() -> String) -> CaseResult {
    Ok(if ok {
        Verdict::Clean
    } else {
        Verdict::Silent(why())
    })
}

/// Clean if every value is finite.
fn finite(what: &str, v: &[f64]) -> CaseResult {
    match v.iter().position(|x| !x.is_finite()) {
        None => Ok(Verdict::Clean),
        Some(i) => Ok(Verdict::Silent(format!("{what}[{i}] = {} returned as Ok", v[i]))),
    }
}

/// Collects the cases.
#[derive(Default)]
struct B(Vec<Case>);

impl B {
    fn add(&mut self, krate: &'static str, name: String, f: impl Fn() -> CaseResult + 'static) {
        self.0.push(Case {
            krate,
            name,
            known: None,
            run: Box::new(f),
        });
    }
    fn one(&mut self, krate: &'static str, name: &str, f: fn() -> CaseResult) {
        self.add(krate, name.to_string(), f);
    }
    fn f(&mut self, krate: &'static str, name: &str, vals: &[f64], f: fn(f64) -> CaseResult) {
        for &v in vals {
            self.add(krate, format!("{name} = {v:?}"), move || f(v));
        }
    }
    fn u(&mut self, krate: &'static str, name: &str, vals: &[usize], f: fn(usize) -> CaseResult) {
        for &v in vals {
            self.add(krate, format!("{name} = {v}"), move || f(v));
        }
    }
}

/// Every census case, in a fixed order (the case number is the index).
pub fn cases() -> Vec<Case> {
    let mut b = B::default();
    thermo(&mut b);
    quantum(&mut b);
    network(&mut b);
    geometry(&mut b);
    b.0
}

mod geometry_cases;
mod network_cases;
mod quantum_cases;
mod thermo_cases;

use geometry_cases::geometry;
use network_cases::network;
use quantum_cases::quantum;
use thermo_cases::thermo;
