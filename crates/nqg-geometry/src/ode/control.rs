//! Step-size control of the explicit embedded pairs: one interface ([`StepControl`]) and the two
//! controllers behind it, the I-controller of the Dormand-Prince 5(4) code ([`Dopri5Controller`]) and
//! the stabilised controller of `dop853.f` ([`Dop853Controller`], also used by RK8(7)13M).

use crate::ode::dopri5_next_h;

/// Accept or reject a step from its scaled error norm and propose the next step size.
pub trait StepControl {
    /// Whether the step of size `h` with error norm `err` is accepted, and the next step size.
    fn next(&mut self, h: f64, err: f64) -> (bool, f64);
}

/// The controller of [`crate::ode::dopri5_step`]: accept when $\mathrm{err} \le 1$ and propose
/// $h\\,\min(5, \max(0.2, 0.9\\,\mathrm{err}^{-1/5}))$ ([`dopri5_next_h`]) either way.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Dopri5Controller;

impl StepControl for Dopri5Controller {
    fn next(&mut self, h: f64, err: f64) -> (bool, f64) {
        (err <= 1.0, dopri5_next_h(h, err))
    }
}

/// The step-size controller of `dop853.f` (Hairer & Wanner; HNW I §II.4 and §IV.2 for the
/// stabilised variant): with $f_{11} = \mathrm{err}^{1/8 - 0.2\beta}$ and
/// $f = \operatorname{clamp}(f_{11}/(0.9\\,\mathrm{err}\_{\rm old}^{\beta}),\ 1/6,\ 3)$ the proposal is
/// $h/f$ after an accepted step (not larger than $h$ right after a rejection) and
/// $h/\min(3, f_{11}/0.9)$ after a rejected one; $\mathrm{err}\_{\rm old} = \max(\mathrm{err}, 10^{-4})$ of
/// the last accepted step. $\beta = 0$ is the code's default; $\beta \le 0.04$ damps the step-size
/// sequence (a PI controller).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dop853Controller {
    /// The stabilisation parameter $\beta$.
    pub beta: f64,
    safety: f64,
    err_old: f64,
    after_reject: bool,
}

impl Dop853Controller {
    /// A controller with stabilisation `beta` (`dop853.f` default: 0) and safety factor 0.9.
    pub fn new(beta: f64) -> Self {
        Self::with_safety(beta, 0.9)
    }

    /// As [`Dop853Controller::new`] with the safety factor `safety` in place of 0.9 (the proposal is
    /// $h \cdot \mathrm{safety} / (\mathrm{err}^{1/8 - 0.2\beta}\\,\mathrm{err}\_{\rm old}^{-\beta})$).
    pub fn with_safety(beta: f64, safety: f64) -> Self {
        Self {
            beta,
            safety,
            err_old: 1e-4,
            after_reject: false,
        }
    }

    /// Whether the step of size `h` with error norm `err` is accepted, and the next step size.
    pub fn next(&mut self, h: f64, err: f64) -> (bool, f64) {
        let fac11 = err.powf(0.125 - 0.2 * self.beta);
        if err <= 1.0 {
            let fac = (fac11 / self.err_old.powf(self.beta) / self.safety).clamp(1.0 / 6.0, 3.0);
            let mut hnew = h / fac;
            if self.after_reject {
                hnew = hnew.abs().min(h.abs()).copysign(h);
            }
            self.err_old = err.max(1e-4);
            self.after_reject = false;
            (true, hnew)
        } else {
            self.after_reject = true;
            let f = (fac11 / self.safety).min(3.0);
            (false, h / if f.is_finite() { f } else { 3.0 })
        }
    }
}

impl StepControl for Dop853Controller {
    fn next(&mut self, h: f64, err: f64) -> (bool, f64) {
        Dop853Controller::next(self, h, err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dopri5_controller_is_the_i_controller() {
        let mut c = Dopri5Controller;
        // err = 0.5: accepted, h 0.9 · 0.5^(-1/5) = 1.0338...; err = 0: the cap 5; err = 1e12: the
        // floor 0.2, rejected. Exact comparisons: the same expression as dopri5_next_h.
        assert_eq!(c.next(1.0, 0.5), (true, 0.9 * 0.5_f64.powf(-0.2)));
        assert_eq!(StepControl::next(&mut c, 2.0, 0.0), (true, 10.0));
        assert_eq!(c.next(1.0, 1e12), (false, 0.2));
        assert_eq!(c.next(1.0, f64::INFINITY), (false, 0.2));
        // Through the trait, the DOP853 controller is its inherent method.
        let (mut a, mut b) = (Dop853Controller::new(0.04), Dop853Controller::new(0.04));
        for (h, e) in [(1.0, 0.3), (0.5, 2.0), (0.4, 0.01), (0.3, 0.9)] {
            assert_eq!(
                StepControl::next(&mut a, h, e),
                Dop853Controller::next(&mut b, h, e)
            );
        }
    }
}
