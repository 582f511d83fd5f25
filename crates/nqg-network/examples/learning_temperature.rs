//! Train an ensemble of teacher-student SGD replicas (THEORY.md N-1) and print its learning
//! temperature: the measured stationary covariance of q against the exact discrete-time (Isserlis)
//! formula and the leading-order T_L = γ s² / (2M) of N2.7.
//!
//! Run: `cargo run --release -p nqg-network --example learning_temperature`.

use nqg_network::ensemble::Ensemble;
use nqg_network::learning::{SgdConfig, TeacherStudentSgd};
use nqg_network::moments::MomentsExt;

fn main() -> Result<(), nqg_network::NetworkError> {
    let s = 0.5;
    // q* = (1, -0.5), Σ = diag(1, 0.25), label noise s = 0.5.
    let problem = nqg_network::testcases::teacher_student()?;
    println!(
        "teacher-student, K = 2, Sigma = diag(1, 0.25), label noise s = {s}; 20000 replicas, 2000 steps"
    );
    println!(
        "{:>7} {:>4} {:>12} {:>12} {:>12} {:>12} {:>12}",
        "gamma", "M", "T_L", "P00 meas", "P00 exact", "P11 meas", "P11 exact"
    );
    for &(gamma, m) in &[(0.01, 1), (0.02, 1), (0.05, 1), (0.05, 4), (0.05, 16)] {
        let sgd = TeacherStudentSgd::online(problem.clone(), SgdConfig::new(gamma, m)?)?;
        let q_star = problem.teacher().to_vec();
        let mut ens = Ensemble::new(&sgd, 20_000, 2026, |_, _, q| q.copy_from_slice(&q_star))?;
        // Relaxation time of the slow direction is 1/(gamma * 0.25); run >= 10 of them.
        let steps = ((10.0 / (gamma * 0.25)) as usize).max(2000);
        let rec = ens.run(&sgd, &[steps])?;
        let cov = rec.moments[0].covariance_matrix();
        let exact = problem.stationary_covariance(gamma, m)?;
        println!(
            "{gamma:>7} {m:>4} {:>12.4e} {:>12.4e} {:>12.4e} {:>12.4e} {:>12.4e}",
            problem.learning_temperature(gamma, m),
            cov[(0, 0)],
            exact[(0, 0)],
            cov[(1, 1)],
            exact[(1, 1)]
        );
    }
    println!(
        "isotropic P ~ T_L 1 despite the anisotropic Sigma: fluctuation-dissipation with noise ∝ Hessian"
    );
    Ok(())
}
