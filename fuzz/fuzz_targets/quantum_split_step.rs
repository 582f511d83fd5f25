//! Split-step propagation from arbitrary numbers: a typed error, or a finite state of conserved norm.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nqg_quantum::potential::StaticFn;
use nqg_quantum::{Grid, Scheme, SplitStep, Units, Wavefunction};

#[path = "input.rs"]
mod input;

fuzz_target!(|data: &[u8]| {
    let mut inp = input::Input(data);
    let (n, len, hbar, mass) = (inp.size(512), inp.f64(), inp.f64(), inp.f64());
    let (k, dt, x0, s0) = (inp.f64(), inp.f64(), inp.f64(), inp.f64());
    let scheme = if inp.bool() { Scheme::Yoshida4 } else { Scheme::Strang };
    let Ok(g) = Grid::centered([n], [len]) else { return };
    let Ok(units) = Units::new(hbar, mass) else { return };
    let v = StaticFn(move |x: &[f64; 1]| 0.5 * k * x[0] * x[0]);
    let Ok(mut p) = SplitStep::new(g.clone(), units, v, dt, scheme) else { return };
    let Ok(mut psi) = Wavefunction::gaussian(g, [x0], [s0], [0.0]) else { return };
    if psi.normalize().is_err() {
        return;
    }
    if p.run(&mut psi, 3).is_ok() {
        assert!(psi.values().iter().all(|z| z.re.is_finite() && z.im.is_finite()));
        assert!((psi.norm() - 1.0).abs() < 1e-9);
    }
});
