//! The step machinery behind [`crate::geodesic::integrate`]: one attempted step of the chosen method
//! with its step-size control, and the state at a fraction of an accepted step (for event location).

use crate::GeodesicError;
use crate::GeometryError;
use crate::dop853::{Dop853Controller, Dop853Dense, Dop853Step, dop853_step, dop853_step_in_place};
use crate::geodesic::{hamiltonian_rhs, rhs_inline};
use crate::metric::Metric;
use crate::ode::{GaussLegendre, dopri5_next_h, dopri5_step, dopri5_step_dense};

/// A phase-space state $(x, p)$.
pub(crate) type Phase<const N: usize> = ([f64; N], [f64; N]);

/// The method with its validated parameters.
pub(crate) enum Scheme {
    Dopri5 {
        rtol: f64,
        atol: f64,
    },
    Dop853 {
        rtol: f64,
        atol: f64,
        ctl: Dop853Controller,
    },
    Gauss(GaussLegendre),
}

/// Interpolation data of an accepted step, by method.
pub(crate) enum Interp<const N: usize> {
    /// Shampine's coefficients (Dopri5 with dense output requested).
    Dopri5([Phase<N>; 5]),
    /// The DOP853 stages, kept in the stepper's work buffer; the continuous extension is formed on
    /// first use.
    Dop853,
    /// None: re-step from the start.
    None,
}

/// An accepted step from `lam0` to `lam0 + h`.
pub(crate) struct Accepted<const N: usize> {
    pub lam0: f64,
    pub h: f64,
    pub y0: Phase<N>,
    pub f0: Phase<N>,
    pub y1: Phase<N>,
    pub f1: Phase<N>,
    pub interp: Interp<N>,
}

pub(crate) struct Stepper<'m, M: ?Sized, const N: usize> {
    pub metric: &'m M,
    pub evals: usize,
    pub rejected: usize,
    scheme: Scheme,
    gl_guess: Option<Vec<Phase<N>>>,
    after_reject: bool,
    /// The last DOP853 step and, once formed, its continuous extension.
    work: Box<Dop853Step<Phase<N>>>,
    dense: Option<Dop853Dense<Phase<N>>>,
}

/// A right-hand-side error inside a step, as the integrator's typed error with the position.
pub(crate) fn invalid<const N: usize>(lambda: f64, x: &[f64; N], e: &GeometryError) -> GeodesicError {
    GeodesicError::InvalidState {
        lambda,
        reason: format!("{e} (state at x = {x:?})"),
    }
}

impl<'m, M: Metric<N> + ?Sized, const N: usize> Stepper<'m, M, N> {
    pub fn new(metric: &'m M, scheme: Scheme) -> Self {
        Self {
            metric,
            evals: 0,
            rejected: 0,
            scheme,
            gl_guess: None,
            after_reject: false,
            work: Box::new(Dop853Step {
                t: 0.0,
                h: 0.0,
                y0: ([0.0; N], [0.0; N]),
                y: ([0.0; N], [0.0; N]),
                err: 0.0,
                k: [([0.0; N], [0.0; N]); 13],
            }),
            dense: None,
        }
    }

    pub fn rhs(&mut self, y: &Phase<N>) -> Result<Phase<N>, GeometryError> {
        self.evals += 1;
        let (dx, dp, _) = hamiltonian_rhs(self.metric, &y.0, &y.1)?;
        Ok((dx, dp))
    }

    /// Attempt one step of size `*h` from `(lam, y)`; on success returns the accepted step, otherwise
    /// `None` with `*h` reduced for the retry. `*h` holds the proposal for the next step on return.
    pub fn attempt(
        &mut self,
        lam: f64,
        y: &Phase<N>,
        f0: &Phase<N>,
        h: &mut f64,
        dense: bool,
    ) -> Result<Option<Accepted<N>>, GeodesicError> {
        let metric = self.metric;
        let mut count = 0;
        let mut f = |_t: f64, s: &Phase<N>| -> Result<Phase<N>, GeometryError> {
            count += 1;
            let (dx, dp, _) = rhs_inline(metric, &s.0, &s.1)?;
            Ok((dx, dp))
        };
        let h_try = *h;
        let (out, err) = match &mut self.scheme {
            Scheme::Dopri5 { rtol, atol } => {
                let res = if dense {
                    dopri5_step_dense(&mut f, lam, y, f0, h_try, *rtol, *atol)
                } else {
                    dopri5_step(&mut f, lam, y, f0, h_try, *rtol, *atol)
                };
                match res {
                    Ok(s) => {
                        *h = dopri5_next_h(h_try, s.err);
                        let interp = s.dense.map_or(Interp::None, Interp::Dopri5);
                        (Some((s.y, s.f_new, interp)), Some(s.err))
                    }
                    Err(_) => (None, None),
                }
            }
            Scheme::Dop853 { rtol, atol, ctl } => {
                self.dense = None;
                let w = &mut *self.work;
                // The right-hand side writes straight into the stage slot.
                let mut g = |_t: f64, s: &Phase<N>, k: &mut Phase<N>| -> Result<(), GeometryError> {
                    count += 1;
                    let (dx, dp, _) = rhs_inline(metric, &s.0, &s.1)?;
                    *k = (dx, dp);
                    Ok(())
                };
                match dop853_step_in_place(&mut g, lam, y, f0, h_try, *rtol, *atol, w) {
                    Ok(()) => {
                        let (ok, hn) = ctl.next(h_try, w.err);
                        *h = hn;
                        let err = if ok { 0.0 } else { f64::INFINITY };
                        (Some((w.y, w.k[12], Interp::Dop853)), Some(err))
                    }
                    Err(_) => (None, None),
                }
            }
            Scheme::Gauss(gl) => match gl.step(&mut f, lam, y, h_try, 4e-16, 60, self.gl_guess.as_deref()) {
                Ok((y1, k, _)) => {
                    self.gl_guess = Some(k);
                    (Some((y1, *f0, Interp::None)), Some(0.0))
                }
                Err(Ok(res)) => {
                    return Err(GeodesicError::ImplicitNoConvergence {
                        lambda: lam,
                        residual: res,
                    });
                }
                Err(Err(e)) => return Err(invalid(lam, &y.0, &e)),
            },
        };
        self.evals += count;
        self.finish_attempt(lam, y, f0, h_try, h, out, err)
    }

    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn finish_attempt(
        &mut self,
        lam: f64,
        y: &Phase<N>,
        f0: &Phase<N>,
        h_try: f64,
        h: &mut f64,
        out: Option<(Phase<N>, Phase<N>, Interp<N>)>,
        err: Option<f64>,
    ) -> Result<Option<Accepted<N>>, GeodesicError> {
        let floor = 1e-14 * (1.0 + lam.abs());
        match (out, err) {
            (Some((y1, f1, interp)), Some(e)) if e <= 1.0 => {
                self.after_reject = false;
                let f1 = if matches!(self.scheme, Scheme::Gauss(_)) {
                    self.rhs(&y1).map_err(|e| invalid(lam + h_try, &y1.0, &e))?
                } else {
                    f1
                };
                Ok(Some(Accepted {
                    lam0: lam,
                    h: h_try,
                    y0: *y,
                    f0: *f0,
                    y1,
                    f1,
                    interp,
                }))
            }
            (Some(_), _) => {
                self.rejected += 1;
                self.after_reject = true;
                if h.abs() < floor {
                    return Err(GeodesicError::StepUnderflow { lambda: lam, h: *h });
                }
                Ok(None)
            }
            (None, _) => {
                // A stage left the domain: shrink the step (it may be an event ahead).
                self.rejected += 1;
                self.after_reject = true;
                *h = 0.25 * h_try;
                if h.abs() < floor {
                    let e = hamiltonian_rhs(self.metric, &y.0, &y.1).err();
                    return Err(GeodesicError::InvalidState {
                        lambda: lam,
                        reason: e.map_or_else(
                            || format!("a stage leaves the domain from x = {:?}", y.0),
                            |e| e.to_string(),
                        ),
                    });
                }
                Ok(None)
            }
        }
    }

    /// The continuous extension of the last DOP853 step (formed on first use, 3 right-hand sides).
    pub fn dop853_dense(&mut self) -> Result<&Dop853Dense<Phase<N>>, GeodesicError> {
        if self.dense.is_none() {
            let metric = self.metric;
            let mut count = 0;
            let mut f = |_t: f64, s: &Phase<N>| -> Result<Phase<N>, GeometryError> {
                count += 1;
                let (dx, dp, _) = rhs_inline(metric, &s.0, &s.1)?;
                Ok((dx, dp))
            };
            let d = self
                .work
                .dense(&mut f)
                .map_err(|e| invalid(self.work.t, &self.work.y0.0, &e));
            self.evals += count;
            self.dense = Some(d?);
        }
        self.dense.as_ref().ok_or(GeodesicError::InvalidOption {
            name: "dense output",
            value: f64::NAN,
        })
    }

    /// The state at fraction `theta` of an accepted step: the DOP853 continuous extension, or one
    /// plain step of size `theta * h` from the start with the other methods.
    pub fn state_at(&mut self, acc: &Accepted<N>, theta: f64) -> Result<Phase<N>, GeodesicError> {
        if matches!(acc.interp, Interp::Dop853) {
            return Ok(self.dop853_dense()?.at(theta));
        }
        self.plain_step(acc.lam0, &acc.y0, &acc.f0, theta * acc.h)
    }

    /// One step of size `h` without error control.
    fn plain_step(
        &mut self,
        lam: f64,
        y: &Phase<N>,
        f0: &Phase<N>,
        h: f64,
    ) -> Result<Phase<N>, GeodesicError> {
        let metric = self.metric;
        let mut count = 0;
        let mut f = |_t: f64, s: &Phase<N>| -> Result<Phase<N>, GeometryError> {
            count += 1;
            let (dx, dp, _) = rhs_inline(metric, &s.0, &s.1)?;
            Ok((dx, dp))
        };
        let out = match &self.scheme {
            Scheme::Dopri5 { .. } => dopri5_step(&mut f, lam, y, f0, h, 1.0, 1.0)
                .map(|s| s.y)
                .map_err(|e| invalid(lam, &y.0, &e)),
            Scheme::Dop853 { .. } => dop853_step(&mut f, lam, y, f0, h, 1.0, 1.0)
                .map(|s| s.y)
                .map_err(|e| invalid(lam, &y.0, &e)),
            Scheme::Gauss(gl) => match gl.step(&mut f, lam, y, h, 4e-16, 60, None) {
                Ok((y1, _, _)) => Ok(y1),
                Err(Ok(res)) => Err(GeodesicError::ImplicitNoConvergence {
                    lambda: lam,
                    residual: res,
                }),
                Err(Err(e)) => Err(invalid(lam, &y.0, &e)),
            },
        };
        self.evals += count;
        out
    }
}
