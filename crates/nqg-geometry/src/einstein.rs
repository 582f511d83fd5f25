//! Einstein-equation solvers whose field equations come from the autodiff Einstein tensor of an ansatz
//! (THEORY.md §8, S-CURV3), not from typed-in reduced equations.
//!
//! **Cosmology.** Ansatz $ds^2 = -dt^2 + a(t)^2 d\vec x^2$, source $\Lambda$ plus perfect fluids with
//! $p_i = w_i\rho_i$, $\rho_i \propto a^{-3(1+w_i)}$ (each fluid's own conservation law). At each time the
//! scale factor is replaced by its local quadratic $a + \dot a\tau + \tfrac12\ddot a\tau^2$ (exact to the
//! second order that $G_{\mu\nu}$ needs) and the residual $E_{\mu\nu} = G_{\mu\nu} + \Lambda g_{\mu\nu} - 8\pi T_{\mu\nu}$
//! is evaluated by [`Curvature::at`]. $E_{11}$ is affine in $\ddot a$, so two evaluations give $\ddot a$ exactly
//! (one Newton step); $E_{00} = 0$ (the constraint) fixes $\dot a(t_0)$ by Newton iteration and is monitored.
//!
//! **Static stars.** Ansatz $ds^2 = -e^{2\Phi(r)}dt^2 + \frac{dr^2}{1 - 2m(r)/r} + r^2 d\Omega^2$ with a fluid
//! at rest of density $\rho$ and pressure $p(r)$. $E_{tt} = 0$ (affine in $m'$) gives $m'$, $E_{rr} = 0$
//! (affine in $\Phi'$) gives $\Phi'$, and the radial component of $\nabla_\mu T^{\mu\nu} = 0$ (the Bianchi
//! identity, evaluated with autodiff Christoffels and a gradient dual for $\partial_\mu T^{\mu\nu}$; affine
//! in $p'$) gives $p'$. Integrating outwards from a regular centre and shooting the central pressure so
//! that $p(R) = 0$ reproduces the TOV solution; for constant density it is Schwarzschild's interior
//! solution $p(r) = \rho\frac{\sqrt{1 - 2Mr^2/R^3} - \sqrt{1-2M/R}}{3\sqrt{1-2M/R} - \sqrt{1-2Mr^2/R^3}}$,
//! whose central pressure diverges at the Buchdahl limit $2M/R = 8/9$.

use nalgebra::SVector;
use num_dual::{Derivative, DualNum, DualVec};

use crate::GeometryError;
use crate::curvature::Curvature;
use crate::metric::Metric;
use crate::ode::{dopri5_next_h, dopri5_step};
use crate::spacetimes::{Flrw, ScaleFactor};

const PI8: f64 = 8.0 * std::f64::consts::PI;

/// $a(t_0 + \tau) = a + \dot a\tau + \tfrac12\ddot a\tau^2$ about $t_0$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalQuadratic {
    /// Expansion point $t_0$.
    pub t0: f64,
    /// $a(t_0)$.
    pub a: f64,
    /// $\dot a(t_0)$.
    pub ad: f64,
    /// $\ddot a(t_0)$.
    pub add: f64,
}

impl ScaleFactor for LocalQuadratic {
    fn a<D: DualNum<Primitive = f64> + Copy>(&self, t: D) -> D {
        let tau = t - self.t0;
        tau * tau * (0.5 * self.add) + tau * self.ad + self.a
    }
}

/// A perfect fluid with $p = w\rho$ and $\rho = \rho_0 a^{-3(1+w)}$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fluid {
    /// Equation of state $w$.
    pub w: f64,
    /// Density at $a = 1$.
    pub rho0: f64,
}

/// A homogeneous cosmology: $\Lambda$ and fluids.
#[derive(Debug, Clone, PartialEq)]
pub struct Cosmology {
    /// Cosmological constant.
    pub lambda: f64,
    /// Fluids.
    pub fluids: Vec<Fluid>,
}

impl Cosmology {
    fn rho_p(&self, a: f64) -> (f64, f64) {
        let mut rho = 0.0;
        let mut p = 0.0;
        for f in &self.fluids {
            let r = f.rho0 * a.powf(-3.0 * (1.0 + f.w));
            rho += r;
            p += f.w * r;
        }
        (rho, p)
    }

    /// The residual $E_{\mu\nu}$ of the ansatz with local data $(a, \dot a, \ddot a)$ at time `t`.
    ///
    /// # Errors
    /// As [`Curvature::at`].
    pub fn residual(&self, t: f64, a: f64, ad: f64, add: f64) -> Result<[[f64; 4]; 4], GeometryError> {
        let m = Flrw::new(LocalQuadratic { t0: t, a, ad, add });
        let c = Curvature::at(&m, &[t, 0.0, 0.0, 0.0])?;
        let (rho, p) = self.rho_p(a);
        let tmn = crate::curvature::perfect_fluid(&c.g, rho, p, &[1.0, 0.0, 0.0, 0.0]);
        let mut e = [[0.0; 4]; 4];
        for i in 0..4 {
            for j in 0..4 {
                e[i][j] = c.einstein[i][j] + self.lambda * c.g[i][j] - PI8 * tmn[i][j];
            }
        }
        Ok(e)
    }

    /// $\ddot a$ from $E_{11} = 0$ (affine in $\ddot a$: exact from two evaluations).
    ///
    /// # Errors
    /// As [`Curvature::at`]; [`GeometryError::NoConvergence`] if $E_{11}$ does not depend on $\ddot a$.
    pub fn acceleration(&self, t: f64, a: f64, ad: f64) -> Result<f64, GeometryError> {
        let e0 = self.residual(t, a, ad, 0.0)?[1][1];
        let e1 = self.residual(t, a, ad, 1.0)?[1][1];
        let slope = e1 - e0;
        if slope == 0.0 || !slope.is_finite() {
            return Err(GeometryError::NoConvergence {
                what: "E_11 independent of a''",
                residual: e0,
                iterations: 0,
            });
        }
        Ok(-e0 / slope)
    }

    /// The expanding $\dot a$ solving the constraint $E_{00} = 0$ at $(t, a)$, by Newton iteration
    /// (derivative by a secant on the residual) from `guess`.
    ///
    /// # Errors
    /// [`GeometryError::NoConvergence`].
    pub fn constraint_velocity(&self, t: f64, a: f64, guess: f64) -> Result<f64, GeometryError> {
        let mut v = guess;
        let mut res = f64::INFINITY;
        for it in 0..100 {
            res = self.residual(t, a, v, 0.0)?[0][0];
            let hstep = 1e-6 * v.abs().max(1e-3);
            let r2 = self.residual(t, a, v + hstep, 0.0)?[0][0];
            let d = (r2 - res) / hstep;
            if d == 0.0 || !d.is_finite() {
                break;
            }
            let dv = res / d;
            v -= dv;
            if dv.abs() <= 1e-15 * v.abs() {
                return Ok(v);
            }
            if it > 95 {
                break;
            }
        }
        Err(GeometryError::NoConvergence {
            what: "Friedmann constraint E_00 = 0",
            residual: res,
            iterations: 100,
        })
    }

    /// Integrate $a(t)$ from $(t_0, a_0)$ to each time in `t_out` (increasing) with adaptive
    /// Dormand-Prince at tolerance `tol`. Returns $a$ at the output times and the largest constraint
    /// residual $|E_{00}|/(3H^2)$ seen at them.
    ///
    /// # Errors
    /// [`GeometryError::InvalidParameter`] for a tolerance that is not positive and finite or output
    /// times that are not finite, $\ge t_0$ and non-decreasing; solver failures.
    pub fn solve(
        &self,
        t0: f64,
        a0: f64,
        ad_guess: f64,
        t_out: &[f64],
        tol: f64,
    ) -> Result<(Vec<f64>, f64), GeometryError> {
        if !(tol.is_finite() && tol > 0.0) {
            return Err(GeometryError::InvalidParameter {
                name: "tol",
                value: tol,
                reason: "the integration tolerance must be positive and finite",
            });
        }
        if !t0.is_finite() {
            return Err(GeometryError::NonFiniteValue {
                what: "t0",
                index: 0,
                value: t0,
            });
        }
        let mut prev = t0;
        for &t in t_out {
            // An output time before the previous one used to be reported as the state at the later time.
            if !(t.is_finite() && t >= prev) {
                return Err(GeometryError::InvalidParameter {
                    name: "t_out",
                    value: t,
                    reason: "output times must be finite, >= t0 and non-decreasing",
                });
            }
            prev = t;
        }
        let ad0 = self.constraint_velocity(t0, a0, ad_guess)?;
        let mut f = |t: f64, y: &[f64; 2]| -> Result<[f64; 2], GeometryError> {
            Ok([y[1], self.acceleration(t, y[0], y[1])?])
        };
        let mut y = [a0, ad0];
        let mut t = t0;
        let mut f0 = f(t, &y)?;
        let mut h = 1e-3 * (t_out.last().copied().unwrap_or(t0) - t0).abs().max(1e-6);
        let mut out = Vec::with_capacity(t_out.len());
        let mut worst = 0.0_f64;
        for &target in t_out {
            let mut guard = 0usize;
            while t < target {
                guard += 1;
                if guard > 1_000_000 {
                    return Err(GeometryError::NoConvergence {
                        what: "FLRW integration steps",
                        residual: t,
                        iterations: guard,
                    });
                }
                let hh = h.min(target - t);
                if hh.is_nan() || hh <= 1e-14 * (1.0 + t.abs()) {
                    return Err(GeometryError::NoConvergence {
                        what: "FLRW step size underflow",
                        residual: hh,
                        iterations: guard,
                    });
                }
                let s = dopri5_step(&mut f, t, &y, &f0, hh, tol, tol * 1e-3)?;
                if s.err <= 1.0 {
                    t += hh;
                    y = s.y;
                    f0 = s.f_new;
                }
                h = dopri5_next_h(hh, s.err);
            }
            let e00 = self.residual(t, y[0], y[1], 0.0)?[0][0];
            worst = worst.max(e00.abs() / (3.0 * (y[1] / y[0]).powi(2)));
            out.push(y[0]);
        }
        Ok((out, worst))
    }
}

/// Local static spherical ansatz about $r_0$: $m(r) = m_0 + m_1(r-r_0)$, $\Phi(r) = \Phi_1 (r - r_0)$.
#[derive(Debug, Clone, Copy, PartialEq)]
struct StaticLocal {
    r0: f64,
    m0: f64,
    m1: f64,
    phi1: f64,
}

impl Metric<4> for StaticLocal {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> [[D; 4]; 4] {
        let r = x[1];
        let dr = r - self.r0;
        let m = dr * self.m1 + self.m0;
        let phi = dr * self.phi1;
        let s = x[2].sin();
        let z = D::from(0.0);
        let mut g = [[z; 4]; 4];
        g[0][0] = -(phi * 2.0).exp();
        g[1][1] = (-(m * 2.0 / r) + 1.0).recip();
        g[2][2] = r * r;
        g[3][3] = r * r * s * s;
        g
    }
}

/// A constant-density star: the TOV system formed from the autodiff Einstein tensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConstantDensityStar {
    /// Density $\rho$.
    pub rho: f64,
}

impl ConstantDensityStar {
    fn e_comp(&self, st: &StaticLocal, r: f64, p: f64, i: usize) -> Result<f64, GeometryError> {
        let x = [0.0, r, std::f64::consts::FRAC_PI_2, 0.0];
        let c = Curvature::at(st, &x)?;
        let u0 = 1.0 / (-c.g[0][0]).sqrt();
        let t = crate::curvature::perfect_fluid(&c.g, self.rho, p, &[u0, 0.0, 0.0, 0.0]);
        Ok(c.einstein[i][i] - PI8 * t[i][i])
    }

    /// $\nabla_\mu T^{\mu r}$ for pressure $p + p_1 (r' - r)$ near $r$ (gradient dual for the divergence).
    fn div_t(&self, st: &StaticLocal, r: f64, p: f64, p1: f64) -> Result<f64, GeometryError> {
        let x = [0.0, r, std::f64::consts::FRAC_PI_2, 0.0];
        let c = Curvature::at(st, &x)?;
        type D4 = DualVec<f64, nalgebra::Const<4>>;
        let xd: [D4; 4] = std::array::from_fn(|i| {
            D4::new(
                x[i],
                Derivative::some(SVector::<f64, 4>::from_fn(|k, _| if k == i { 1.0 } else { 0.0 })),
            )
        });
        let gi = st.inverse_components(&xd)?;
        let g = st.components(&xd);
        let pd = (xd[1] - r) * p1 + p;
        let u0 = (-g[0][0]).sqrt().recip();
        let tu = |a: usize, b: usize| -> D4 {
            let uu = if a == 0 && b == 0 { u0 * u0 } else { D4::from(0.0) };
            (pd + self.rho) * uu + pd * gi[a][b]
        };
        let mut div = 0.0;
        let nu = 1;
        for mu in 0..4 {
            div += tu(mu, nu).eps.0.as_ref().map_or(0.0, |e| e[mu]);
            for l in 0..4 {
                div += c.christoffel[mu][mu][l] * tu(l, nu).re + c.christoffel[nu][mu][l] * tu(mu, l).re;
            }
        }
        Ok(div)
    }

    /// $(m', p')$ at $(r, m, p)$ from the field equations and $\nabla_\mu T^{\mu r} = 0$.
    ///
    /// # Errors
    /// As [`Curvature::at`].
    pub fn rhs(&self, r: f64, m: f64, p: f64) -> Result<[f64; 2], GeometryError> {
        let mk = |m1: f64, phi1: f64| StaticLocal {
            r0: r,
            m0: m,
            m1,
            phi1,
        };
        // E_tt affine in m'.
        let a0 = self.e_comp(&mk(0.0, 0.0), r, p, 0)?;
        let a1 = self.e_comp(&mk(1.0, 0.0), r, p, 0)?;
        let m1 = -a0 / (a1 - a0);
        // E_rr affine in Φ'.
        let b0 = self.e_comp(&mk(m1, 0.0), r, p, 1)?;
        let b1 = self.e_comp(&mk(m1, 1.0), r, p, 1)?;
        let phi1 = -b0 / (b1 - b0);
        // ∇_μ T^{μ r} affine in p'.
        let st = mk(m1, phi1);
        let c0 = self.div_t(&st, r, p, 0.0)?;
        let c1 = self.div_t(&st, r, p, 1.0)?;
        let p1 = -c0 / (c1 - c0);
        let out = [m1, p1];
        if out.iter().all(|v| v.is_finite()) {
            Ok(out)
        } else {
            Err(GeometryError::NoConvergence {
                what: "TOV right-hand side",
                residual: f64::NAN,
                iterations: 0,
            })
        }
    }

    /// Integrate from the centre (regular series start at $r_0 = 10^{-4}R$) with central pressure `pc`
    /// to radius `r_end`; returns $(m, p)$ at each of `r_out` (increasing, $\le$ `r_end`).
    ///
    /// # Errors
    /// [`GeometryError::InvalidParameter`] for a tolerance or `r_end` that is not positive and
    /// finite, or output radii that are not finite, increasing and in $(0, r_\text{end}]$;
    /// [`GeometryError::NonFiniteValue`] for a non-finite density or central pressure; solver
    /// failures (e.g. the pressure diverging).
    pub fn integrate(
        &self,
        pc: f64,
        r_end: f64,
        r_out: &[f64],
        tol: f64,
    ) -> Result<Vec<[f64; 2]>, GeometryError> {
        crate::error::check_finite_values("density and central pressure (rho, pc)", &[self.rho, pc])?;
        for (name, value) in [("tol", tol), ("r_end", r_end)] {
            if !(value.is_finite() && value > 0.0) {
                return Err(GeometryError::InvalidParameter {
                    name,
                    value,
                    reason: "must be positive and finite",
                });
            }
        }
        let mut prev = 0.0;
        for &r in r_out {
            if !(r.is_finite() && r > prev && r <= r_end) {
                return Err(GeometryError::InvalidParameter {
                    name: "r_out",
                    value: r,
                    reason: "output radii must be finite, increasing and in (0, r_end]",
                });
            }
            prev = r;
        }
        let pi = std::f64::consts::PI;
        let r0 = 1e-4 * r_end;
        let rho = self.rho;
        // Series about the centre: m = 4πρr³/3, p = pc - (2π/3)(ρ+pc)(ρ+3pc) r².
        let mut y = [
            4.0 * pi * rho * r0.powi(3) / 3.0,
            pc - 2.0 * pi / 3.0 * (rho + pc) * (rho + 3.0 * pc) * r0 * r0,
        ];
        let mut r = r0;
        let mut f = |r: f64, y: &[f64; 2]| self.rhs(r, y[0], y[1]);
        let mut f0 = f(r, &y)?;
        let mut h = 1e-3 * r_end;
        let mut out = Vec::with_capacity(r_out.len());
        for &target in r_out {
            let mut guard = 0usize;
            while r < target {
                guard += 1;
                if guard > 200_000 {
                    return Err(GeometryError::NoConvergence {
                        what: "TOV integration steps",
                        residual: r,
                        iterations: guard,
                    });
                }
                let hh = h.min(target - r);
                if hh.is_nan() || hh <= 1e-14 * (1.0 + r.abs()) {
                    return Err(GeometryError::NoConvergence {
                        what: "TOV step size underflow",
                        residual: hh,
                        iterations: guard,
                    });
                }
                let s = dopri5_step(&mut f, r, &y, &f0, hh, tol, tol * 1e-6 * pc.abs().max(rho))?;
                if s.err <= 1.0 {
                    r += hh;
                    y = s.y;
                    f0 = s.f_new;
                }
                h = dopri5_next_h(hh, s.err);
            }
            out.push(y);
        }
        Ok(out)
    }

    /// Shoot the central pressure so that $p(R) = 0$ (secant iteration on $\ln p_c$).
    ///
    /// # Errors
    /// [`GeometryError::NoConvergence`].
    pub fn central_pressure(&self, radius: f64, guess: f64, tol: f64) -> Result<f64, GeometryError> {
        let pr = |lpc: f64| -> Result<f64, GeometryError> {
            Ok(self.integrate(lpc.exp(), radius, &[radius], tol)?[0][1] / lpc.exp())
        };
        let (mut x0, mut x1) = (guess.ln(), guess.ln() + 0.05);
        let (mut f0, mut f1) = (pr(x0)?, pr(x1)?);
        for it in 0..60 {
            if f1 == f0 {
                break;
            }
            let x2 = x1 - f1 * (x1 - x0) / (f1 - f0);
            x0 = x1;
            f0 = f1;
            x1 = x2;
            f1 = pr(x1)?;
            if (x1 - x0).abs() < 1e-14 || f1 == 0.0 {
                return Ok(x1.exp());
            }
            if it == 59 {
                break;
            }
        }
        Err(GeometryError::NoConvergence {
            what: "TOV shooting p(R) = 0",
            residual: f1,
            iterations: 60,
        })
    }
}

/// Schwarzschild's interior pressure for constant density $\rho$, radius $R$, at radius $r$.
pub fn schwarzschild_interior_pressure(rho: f64, radius: f64, r: f64) -> f64 {
    let m = 4.0 * std::f64::consts::PI * rho * radius.powi(3) / 3.0;
    let a = (1.0 - 2.0 * m * r * r / radius.powi(3)).sqrt();
    let b = (1.0 - 2.0 * m / radius).sqrt();
    rho * (a - b) / (3.0 * b - a)
}
