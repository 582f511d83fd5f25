//! Weights and SGD ensembles from arbitrary sizes and hyper-parameters: a typed error, or the promised
//! size and finite states.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nqg_network::ensemble::Ensemble;
use nqg_network::learning::{Dynamics, SgdConfig, TeacherStudent, TeacherStudentSgd};
use nqg_network::network::Weights;

#[path = "input.rs"]
mod input;

fuzz_target!(|data: &[u8]| {
    let mut inp = input::Input(data);
    let (n, h, periodic) = (inp.size(64), inp.size(64), inp.bool());
    if let Ok(w) = Weights::banded(n, h, periodic, |i, j| (i + j) as f64) {
        assert_eq!(w.n(), n);
    }
    if let Ok(w) = Weights::zeros(n) {
        assert_eq!(w.values().len(), n * n);
    }
    let (gamma, batch, replicas, steps) = (inp.f64(), inp.size(8), inp.size(16), inp.size(200));
    let (q0, noise) = (inp.f64(), inp.f64());
    let Ok(p) = TeacherStudent::new(vec![1.0, -0.5], &[1.0, 0.2, 0.2, 0.5], noise) else { return };
    let Ok(cfg) = SgdConfig::new(gamma, batch) else { return };
    let Ok(s) = TeacherStudentSgd::online(p, cfg) else { return };
    // Dynamics::advance called directly, with a state of any length and value.
    let mut q = vec![q0; inp.size(4).min(8)];
    let mut rng = nqg_network::rng::member_rng(1, 0);
    if s.advance(&mut q, &mut [], &mut rng, steps.min(2000)).is_ok() {
        assert!(q.len() == 2 && q.iter().all(|v| v.is_finite()));
    }
    let Ok(mut ens) = Ensemble::new(&s, replicas.min(64), 1, |_, _, q| q.fill(q0)) else { return };
    if ens.advance(&s, steps.min(2000)).is_ok() {
        assert!(ens.states().iter().all(|v| v.is_finite()));
    }
});
