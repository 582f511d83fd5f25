//! The standard problems of nqg-network, shared by its tests, benches, examples and nqg-claims,
//! each with the closed form it is checked against.
//!
//! | problem | closed form |
//! |---|---|
//! | [`teacher_student`] (N-1, N-2): $q^\* = (1, -\tfrac12)$, $\Sigma = \mathrm{diag}(1, \tfrac14)$, $s = \tfrac12$ | $P \to T_L\\,I$, $T_L = \gamma s^2/2M$ (leading order in $\gamma$) |
//! | [`teacher_student_correlated`]: $\Sigma = \begin{pmatrix}1 & 0.2\\\\ 0.2 & 0.5\end{pmatrix}$, $s = 0.3$ | the same, with an off-diagonal $\Sigma$ |
//! | [`sine_speed`]: $c(s) = 1 + 0.3\sin(2\pi s/L)$ | the planted speed field a leapfrog fit must recover |
//! | [`leapfrog_pairs`]: pairs $(x_t, x_{t+1})$, $x_t = (\phi^t, \phi^{t-1})$ | $x_{t+1} = W x_t$ exactly; a plane wave is $\cos(kx - \omega t)$ with the discrete $\omega$ of [`crate::lattice::leapfrog_omega`] |

use crate::Result;
use crate::lattice::Leapfrog1D;
use crate::learning::TeacherStudent;

/// The N-1/N-2 teacher-student problem: linear teacher $q^\* = (1, -\tfrac12)$, input covariance
/// $\Sigma = \mathrm{diag}(1, \tfrac14)$, label noise $s = \tfrac12$. Online SGD at step $\gamma$ and
/// mini-batch $M$ has the stationary covariance $P = T_L I + O(\gamma^2)$ with $T_L = \gamma s^2/(2M)$
/// (the Lyapunov equation $\gamma(\Sigma P + P\Sigma) = \gamma^2 s^2\Sigma/M$ at leading order).
///
/// # Errors
/// None in practice (the constants are valid); the [`TeacherStudent::new`] result is passed on.
pub fn teacher_student() -> Result<TeacherStudent> {
    TeacherStudent::new(vec![1.0, -0.5], &[1.0, 0.0, 0.0, 0.25], 0.5)
}

/// The correlated teacher-student problem of the hostile tests and the census: $q^\* = (1, -\tfrac12)$,
/// $\Sigma = \begin{pmatrix}1 & 0.2\\\\ 0.2 & 0.5\end{pmatrix}$ (positive definite), $s = 0.3$.
///
/// # Errors
/// None in practice (the constants are valid); the [`TeacherStudent::new`] result is passed on.
pub fn teacher_student_correlated() -> Result<TeacherStudent> {
    TeacherStudent::new(vec![1.0, -0.5], &[1.0, 0.2, 0.2, 0.5], 0.3)
}

/// The planted speed field $c(s) = 1 + 0.3\sin(2\pi s/L)$ on $L$ sites (between 0.7 and 1.3).
pub fn sine_speed(l: usize) -> Vec<f64> {
    (0..l)
        .map(|s| 1.0 + 0.3 * (2.0 * std::f64::consts::PI * s as f64 / l as f64).sin())
        .collect()
}

/// The training pairs $(x_t, x_{t+1})$, $x_t = (\phi^t, \phi^{t-1})$, $t = 0..$`steps`, of the leapfrog
/// trajectory of `lf` from $\phi^0$ = `phi0`, $\phi^{-1}$ = `phi_prev`: the data from which the
/// network's couplings are learned ($x_{t+1} = W x_t$ exactly for the leapfrog weights $W$).
///
/// # Errors
/// As [`Leapfrog1D::evolve`] (lengths, finiteness).
pub fn leapfrog_pairs(
    lf: &Leapfrog1D,
    phi0: &[f64],
    phi_prev: &[f64],
    steps: usize,
) -> Result<Vec<(Vec<f64>, Vec<f64>)>> {
    let hist = lf.evolve(phi0, phi_prev, steps)?;
    let mut prev = phi_prev.to_vec();
    let mut out = Vec::with_capacity(steps);
    for t in 0..steps {
        let x: Vec<f64> = hist[t].iter().chain(&prev).copied().collect();
        let y: Vec<f64> = hist[t + 1].iter().chain(&hist[t]).copied().collect();
        prev = hist[t].clone();
        out.push((x, y));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::leapfrog_omega;

    #[test]
    fn teacher_student_stationary_covariance_is_the_learning_temperature() {
        // P = T_L I + O(γ²): at γ = 1e-3 the relative correction is O(γ tr Σ) ≈ 1e-3; 5e-3 bounds it.
        for p in [teacher_student().unwrap(), teacher_student_correlated().unwrap()] {
            let (gamma, m) = (1e-3, 2);
            let tl = p.learning_temperature(gamma, m);
            let cov = p.stationary_covariance(gamma, m).unwrap();
            for i in 0..2 {
                for j in 0..2 {
                    let want = if i == j { tl } else { 0.0 };
                    assert!(
                        (cov[(i, j)] - want).abs() < 5e-3 * tl,
                        "{i}{j}: {} vs {want}",
                        cov[(i, j)]
                    );
                }
            }
        }
        assert!((teacher_student().unwrap().learning_temperature(0.02, 2) - 0.02 * 0.25 / 4.0).abs() < 1e-18);
    }

    #[test]
    fn leapfrog_pairs_of_a_plane_wave_follow_the_discrete_dispersion() {
        // φ^t = cos(k x - ω t) solves the uniform leapfrog exactly for cos ω = 1 - 2C² sin²(k/2);
        // 16 steps of O(1) updates keep the round-off below 1e-13.
        let (l, c) = (32usize, 0.6);
        let lf = Leapfrog1D::new(&vec![c; l], 0.0).unwrap();
        let k = 2.0 * std::f64::consts::PI * 3.0 / l as f64;
        let om = leapfrog_omega(c, k, 0.0);
        let wave = |t: f64| -> Vec<f64> { (0..l).map(|x| (k * x as f64 - om * t).cos()).collect() };
        let pairs = leapfrog_pairs(&lf, &wave(0.0), &wave(-1.0), 16).unwrap();
        assert_eq!(pairs.len(), 16);
        for (t, (x, y)) in pairs.iter().enumerate() {
            let (now, next) = (wave(t as f64), wave(t as f64 + 1.0));
            for i in 0..l {
                assert!((x[i] - now[i]).abs() < 1e-13 && (y[i] - next[i]).abs() < 1e-13);
                // The second half of y is the first half of x: x_{t+1} = (φ^{t+1}, φ^t).
                assert_eq!(y[l + i], x[i]);
            }
        }
        assert!(leapfrog_pairs(&lf, &[0.0; 3], &[0.0; 3], 4).is_err());
    }

    #[test]
    fn the_sine_speed_field_spans_its_band() {
        let c = sine_speed(64);
        assert_eq!(c[0], 1.0);
        assert!((c[16] - 1.3).abs() < 1e-15 && (c[48] - 0.7).abs() < 1e-15);
    }
}
