//! Layer "paper": the claims of arXiv:2111.00903 itself (THEORY.md §3.2-§3.3, V-M* and N-*), one file
//! per claim id:
//!
//! - [`sgd`] `paper.sgd`: SGD as a Langevin system, $D = \gamma^2\sigma^2/2M$ (N-1, N-2, N-3);
//! - [`selftuning`] `paper.selftuning`: the self-tuning relation (N4.1-N4.3, N-8);
//! - [`madelung`] `paper.madelung`: action → Madelung → Schrödinger (V-M2, V-M3, N-4);
//! - [`einstein`] `paper.einstein`: Onsager → Einstein-Hilbert, $\Lambda$ as a multiplier (V-M5, V-M6);
//! - [`duality`] `paper.duality`: the quantum/gravity duality (§9, interpretive);
//! - [`lorentz`] `paper.lorentz`: Lorentz covariance of the Klein-Gordon network (N-6);
//! - [`gravity`] `paper.gravity`: learned metric and geodesics (N-7).
//!
//! Shared helpers of the layer (no check ids) live here: the N-1 teacher-student network
//! (`n1_problem`) and the standard error of independent estimates (`mean_and_sem`).

pub mod duality;
pub mod einstein;
pub mod gravity;
pub mod lorentz;
pub mod madelung;
pub mod selftuning;
pub mod sgd;

use nqg_network::learning::TeacherStudent;

use crate::{CheckError, Registry};

/// Register the claims of this layer.
pub fn register(reg: &mut Registry) {
    sgd::register(reg);
    selftuning::register(reg);
    madelung::register(reg);
    einstein::register(reg);
    duality::register(reg);
    lorentz::register(reg);
    gravity::register(reg);
}

/// The N-1 network of THEORY.md §3.3: $K = 2$, $q^\* = (1, -0.5)$, inputs $x \sim N(0, \Sigma)$ with
/// $\Sigma = \mathrm{diag}(1, 0.25)$, label noise $s = 0.5$.
pub(crate) fn n1_problem() -> Result<TeacherStudent, CheckError> {
    Ok(nqg_network::testcases::teacher_student()?)
}

/// Mean of independent estimates and its standard error (sample standard deviation / $\sqrt n$).
pub(crate) fn mean_and_sem(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sem_of_a_known_sample() {
        let (m, s) = mean_and_sem(&[1.0, 2.0, 3.0, 4.0]);
        assert!((m - 2.5).abs() < 1e-15);
        // sample variance 5/3, sem = sqrt(5/12)
        assert!((s - (5.0f64 / 12.0).sqrt()).abs() < 1e-15);
    }
}
