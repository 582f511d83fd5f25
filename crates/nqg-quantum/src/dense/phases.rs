//! The phase factors $e^{-i\lambda_k t_j}$ of the exact propagation for all eigenvalues and output
//! times, without one `sin_cos` per pair when the times are (nearly) evenly spaced.
//!
//! For times $t_j \approx t_a + (j-a)h$ the factor is advanced from an anchor $a$ by the recurrence
//! $z_{k,j} = z_{k,j-1}\\,w_k$, $w_k = e^{-i\lambda_k h}$, and corrected to first order for the
//! offset $\varepsilon_j = t_j - t_a - (j-a)h$ (a few ulps of $t_j$ for times computed as $j h$):
//! $$e^{-i\lambda_k t_j} = e^{-i\lambda_k t_a}\\,w_k^{\\,j-a}\\,e^{-i\lambda_k\varepsilon_j},\qquad
//! e^{-i\lambda_k\varepsilon_j} = 1 - i\lambda_k\varepsilon_j + O\big((\lambda_k\varepsilon_j)^2\big).$$
//! $w_k$ is the floating-point neighbour of $(\cos, -\sin)(\lambda_k h)$ with the smallest modulus
//! error (as the split-step phases), so $|w_k^m|$ does not drift systematically. Each recurrence step
//! adds at most about $3\epsilon$ of phase and modulus error, so the anchor is
//! re-evaluated directly every [`ANCHOR_EVERY`] times ($\le 8\cdot 3\epsilon \approx 5\cdot 10^{-15}$), and a
//! time whose offset is not negligible ($|\lambda|_{\max}|\varepsilon_j| > $ [`MAX_OFFSET_PHASE`], where the
//! dropped second-order term could exceed $10^{-18}$) is evaluated directly and becomes the new anchor.
//! Arbitrary (uneven) times therefore fall back to direct evaluation, time by time.

use num_complex::Complex64;

/// Times between two direct evaluations of the anchor phases.
pub(super) const ANCHOR_EVERY: usize = 8;

/// Largest $|\lambda|_{\max}|\varepsilon_j|$ corrected to first order instead of evaluated directly
/// (the neglected $(\lambda\varepsilon)^2/2$ is then below $5\cdot 10^{-19}$).
pub(super) const MAX_OFFSET_PHASE: f64 = 1e-9;

/// Call `sink(j, z)` with `z[k]` $= e^{-i\lambda_k t_j}$ for every time `j` in order (`z` has the
/// length of `values`). Times must be finite (checked by the caller).
pub(super) fn for_each_time<F>(values: &[f64], times: &[f64], mut sink: F)
where
    F: FnMut(usize, &[Complex64]),
{
    let n = values.len();
    let direct = |t: f64, z: &mut Vec<Complex64>| {
        z.clear();
        z.extend(values.iter().map(|lam| Complex64::from_polar(1.0, -lam * t)));
    };
    let mut z = Vec::with_capacity(n);
    let mut out = vec![Complex64::new(0.0, 0.0); n];
    let h = match times {
        [first, .., last] => (last - first) / (times.len() - 1) as f64,
        _ => 0.0,
    };
    // The step factor with the smallest modulus error among its floating-point neighbours, so the
    // recurrence's modulus does not drift systematically (crate::split_step::phase).
    let w: Vec<Complex64> = values
        .iter()
        .map(|lam| crate::split_step::phase(lam * h))
        .collect();
    let lam_max = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut anchor = 0;
    for (j, &t) in times.iter().enumerate() {
        let m = j - anchor;
        let eps = if j == 0 {
            f64::INFINITY
        } else {
            (-(m as f64)).mul_add(h, t - times[anchor])
        };
        if m == 0 || m >= ANCHOR_EVERY || lam_max * eps.abs() > MAX_OFFSET_PHASE {
            anchor = j;
            direct(t, &mut z);
            sink(j, &z);
            continue;
        }
        for ((o, zk), (wk, lam)) in out.iter_mut().zip(z.iter_mut()).zip(w.iter().zip(values)) {
            *zk *= wk;
            let d = lam * eps;
            // zk (1 - i d); plain products (mul_add is a library call without the fma target feature).
            *o = Complex64::new(zk.re + d * zk.im, zk.im - d * zk.re);
        }
        sink(j, &out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worst_vs_direct(values: &[f64], times: &[f64]) -> f64 {
        let mut worst = 0.0f64;
        for_each_time(values, times, |j, z| {
            for (zk, lam) in z.iter().zip(values) {
                let exact = Complex64::from_polar(1.0, -lam * times[j]);
                worst = worst.max((zk - exact).norm());
            }
        });
        worst
    }

    /// The oscillator case's times $t_j = 0.01j$ (not exactly $jh$ in floating point) and eigenvalues
    /// $k + 1/2$ up to 99.5, so phases up to $\approx 10^3$. `from_polar` itself rounds the argument
    /// $\lambda t$ to $\epsilon\lambda t \approx 10^{-13}$ there, so the comparison is against that
    /// evaluation's own error: the recurrence plus correction must agree to $2\cdot 10^{-13}$, and to
    /// $2\cdot 10^{-14}$ for phases below 50 (where `from_polar`'s rounding is $\le 6\cdot 10^{-15}$).
    #[test]
    fn uniform_times_match_direct_evaluation() {
        let times: Vec<f64> = (0..=1000).map(|k| k as f64 * 0.01).collect();
        let big: Vec<f64> = (0..100).map(|k| k as f64 + 0.5).collect();
        let w = worst_vs_direct(&big, &times);
        assert!(w < 2e-13, "{w:e}");
        let small: Vec<f64> = (0..5).map(|k| k as f64 + 0.5).collect();
        let w = worst_vs_direct(&small, &times);
        assert!(w < 2e-14, "{w:e}");
        // Negative eigenvalues and a shifted, backwards time grid.
        let mixed = [-3.25, 0.0, 1.0 / 3.0, 7.0];
        let back: Vec<f64> = (0..500).map(|k| 2.0 - k as f64 * 0.003).collect();
        let w = worst_vs_direct(&mixed, &back);
        assert!(w < 2e-14, "{w:e}");
    }

    /// Uneven times fall back to direct evaluation: bit-identical to `from_polar`.
    #[test]
    fn uneven_times_are_evaluated_directly() {
        let times: Vec<f64> = (0..200).map(|k| (k as f64 * 0.37).sin() * 5.0).collect();
        let values = [0.5, 1.5, -2.0, 40.0];
        let mut count = 0;
        for_each_time(&values, &times, |j, z| {
            count += 1;
            for (zk, lam) in z.iter().zip(&values) {
                assert_eq!(*zk, Complex64::from_polar(1.0, -lam * times[j]));
            }
        });
        assert_eq!(count, times.len());
        assert_eq!(worst_vs_direct(&values, &[]), 0.0);
        assert_eq!(worst_vs_direct(&values, &[1.5]), 0.0);
    }
}
