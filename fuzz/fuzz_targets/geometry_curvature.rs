//! Curvature of an arbitrary 2D user metric (possibly non-symmetric, singular or overflowing) at an
//! arbitrary point: a typed error or finite curvature.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nqg_geometry::curvature::Curvature;
use nqg_geometry::metric::Metric;
use num_dual::DualNum;

#[path = "input.rs"]
mod input;

struct Fuzzed([f64; 6]);

impl Metric<2> for Fuzzed {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 2]) -> [[D; 2]; 2] {
        let c = &self.0;
        let g00 = x[0] * c[0] - 1.0;
        let g01 = x[1] * c[1] + c[2];
        let g10 = x[1] * c[1] + c[3];
        let g11 = x[0] * x[0] * c[4] + c[5];
        [[g00, g01], [g10, g11]]
    }
}

fuzz_target!(|data: &[u8]| {
    let mut inp = input::Input(data);
    let c = std::array::from_fn(|_| inp.f64());
    let x = [inp.f64(), inp.f64()];
    if let Ok(k) = Curvature::at(&Fuzzed(c), &x) {
        assert!(k.kretschmann.is_finite());
        assert!(k.einstein.iter().flatten().all(|v| v.is_finite()));
    }
});
