//! SDE integrators for $dX = a(X,t)\\,dt + b(X,t)\\,dW$ with diagonal noise in $d$ dimensions.
//!
//! Noise is diagonal: component $i$ is driven by its own Wiener process, $dX_i = a_i\\,dt + b_i\\,dW_i$
//! (this covers additive noise, the Langevin equation of THEORY.md N2.6 with isotropic $D$, and GBM).
//! Schemes, with step $h$, increments $\Delta W \sim N(0,h)$ and $I_{(1,0)} = \int_t^{t+h}(t+h-s)\\,dW_s$:
//!
//! * Euler-Maruyama (Itô, strong 0.5, weak 1): $X' = X + a h + b\\,\Delta W$.
//! * Milstein (Itô, diagonal noise, strong 1; $\partial_x b$ from [`Sde::diffusion_derivative`], a
//!   required method: by automatic differentiation for a [`DualSde`], zero for additive noise, never
//!   by finite differences): $X' = X + a h + b\\,\Delta W + \tfrac12 b\\,\partial_{x}b\\,(\Delta W^2 - h)$.
//! * Stochastic Heun (Stratonovich, strong 1 for commutative noise): predictor
//!   $\tilde X = X + a h + b\\,\Delta W$, then $X' = X + \tfrac12(a + \tilde a)h + \tfrac12(b + \tilde b)\\,\Delta W$.
//! * SRA1 (Rößler 2010, additive noise $b = b(t)$, strong 1.5, weak 2): with $\chi = I_{(1,0)}/h$,
//!   $H = X + \tfrac34 a(t,X) h + \tfrac32 b(t+h)\chi$,
//!   $X' = X + \tfrac{h}{3}\big(a(t,X) + 2a(t+\tfrac34 h, H)\big) + b(t+h)\\,\Delta W + (b(t) - b(t+h))\chi$.
//!
//! [`BrownianPath`] stores $(\Delta W, I_{(1,0)})$ on the finest grid and coarsens exactly
//! ($\Delta W$ adds; over $(a, c)$ split at $b$: $I_{(1,0)}(a,c) = I_{(1,0)}(a,b) + (c-b)\Delta W(a,b) + I_{(1,0)}(b,c)$), so the same path
//! is replayed at several step sizes for strong-convergence studies (the `SDETestProblem` pattern of
//! ANCHORS.md §C1).

use crate::error::{Result, ThermoError, check_all_finite, check_dt, check_len, check_size};
use num_dual::{Dual64, DualNum};

use crate::rng::normal;

/// A stochastic differential equation with diagonal noise.
pub trait Sde: Sync {
    /// State dimension $d$.
    fn dim(&self) -> usize;
    /// Drift $a(x, t)$ written into `out` (length $d$).
    fn drift(&self, t: f64, x: &[f64], out: &mut [f64]);
    /// Diagonal noise amplitudes $b_i(x, t)$ written into `out`.
    fn diffusion(&self, t: f64, x: &[f64], out: &mut [f64]);
    /// $\partial b_i / \partial x_i$, Milstein's correction, written into `out`.
    ///
    /// There is no default (and no finite differences anywhere in the crate): a [`DualSde`] gets it by
    /// forward-mode autodiff through [`AutoDiff`] or [`dual_diffusion_derivative`]; an additive
    /// problem writes zeros; closures ([`FnSde`]) cannot be differentiated, so a multiplicative
    /// [`FnSde`] reports [`Sde::has_diffusion_derivative`] `= false` and [`Scheme::check`] refuses
    /// Milstein for it.
    fn diffusion_derivative(&self, t: f64, x: &[f64], out: &mut [f64]);
    /// Whether [`Sde::diffusion_derivative`] returns the true derivative (`false` only for an
    /// [`FnSde`] with multiplicative noise, which Milstein then refuses).
    fn has_diffusion_derivative(&self) -> bool {
        true
    }
    /// Whether the noise is additive ($b$ independent of $x$); required by [`Scheme::Sra1`].
    fn is_additive(&self) -> bool {
        false
    }
    /// Whether component `i` carries no noise at all ($b_i \equiv 0$ for every $t, x$, e.g. the
    /// positions of underdamped Langevin dynamics). The ensembles draw no normals for such components,
    /// so each member's stream feeds only the noisy ones. Default: every component is noisy.
    fn is_noise_free(&self, i: usize) -> bool {
        let _ = i;
        false
    }
}

/// An SDE built from closures (drift, diffusion), optionally marked additive.
pub struct FnSde<A, B> {
    dim: usize,
    drift: A,
    diffusion: B,
    additive: bool,
    noise_free: Vec<usize>,
}

impl<A, B> FnSde<A, B>
where
    A: Fn(f64, &[f64], &mut [f64]) + Sync,
    B: Fn(f64, &[f64], &mut [f64]) + Sync,
{
    /// A $d$-dimensional SDE with drift `drift(t, x, out)` and diagonal noise `diffusion(t, x, out)`.
    ///
    /// # Errors
    /// [`ThermoError::InvalidParameter`] if `dim == 0`.
    pub fn new(dim: usize, drift: A, diffusion: B) -> Result<Self> {
        if dim == 0 {
            return Err(ThermoError::InvalidParameter {
                name: "dim",
                value: 0.0,
                reason: "must be >= 1",
            });
        }
        Ok(Self {
            dim,
            drift,
            diffusion,
            additive: false,
            noise_free: Vec::new(),
        })
    }

    /// Declare the noise additive (the diffusion closure must not depend on `x`).
    pub fn additive(mut self) -> Self {
        self.additive = true;
        self
    }

    /// Declare the components `quiet` noise-free ($b_i \equiv 0$; the diffusion closure must write
    /// zero there): ensembles then draw no normals for them (see [`Sde::is_noise_free`]).
    ///
    /// # Errors
    /// [`ThermoError::InvalidParameter`] for a component index $\ge d$.
    pub fn noise_free(mut self, quiet: &[usize]) -> Result<Self> {
        for &i in quiet {
            if i >= self.dim {
                return Err(ThermoError::InvalidParameter {
                    name: "noise-free component",
                    value: i as f64,
                    reason: "must be below the dimension",
                });
            }
            if !self.noise_free.contains(&i) {
                self.noise_free.push(i);
            }
        }
        Ok(self)
    }
}

impl<A, B> Sde for FnSde<A, B>
where
    A: Fn(f64, &[f64], &mut [f64]) + Sync,
    B: Fn(f64, &[f64], &mut [f64]) + Sync,
{
    fn dim(&self) -> usize {
        self.dim
    }
    fn drift(&self, t: f64, x: &[f64], out: &mut [f64]) {
        (self.drift)(t, x, out)
    }
    fn diffusion(&self, t: f64, x: &[f64], out: &mut [f64]) {
        (self.diffusion)(t, x, out)
    }
    /// Zeros for additive noise (exact); NaN otherwise, where [`Scheme::check`] refuses Milstein
    /// (closures cannot be differentiated: write a [`DualSde`] for multiplicative Milstein).
    fn diffusion_derivative(&self, _t: f64, _x: &[f64], out: &mut [f64]) {
        out.fill(if self.additive { 0.0 } else { f64::NAN });
    }
    fn has_diffusion_derivative(&self) -> bool {
        self.additive
    }
    fn is_additive(&self) -> bool {
        self.additive
    }
    fn is_noise_free(&self, i: usize) -> bool {
        self.noise_free.contains(&i)
    }
}

/// An SDE whose drift and diffusion are written once, generically over dual numbers
/// (`D: DualNum<Primitive = f64> + Copy`), so Milstein's $\partial b_i/\partial x_i$ comes from forward-mode
/// automatic differentiation (num-dual `Dual64`) instead of finite differences. Wrap it in [`AutoDiff`]
/// to use it as an [`Sde`].
pub trait DualSde: Sync {
    /// State dimension.
    fn dim(&self) -> usize;
    /// Drift $a(x, t)$.
    fn drift<D: DualNum<Primitive = f64> + Copy>(&self, t: f64, x: &[D], out: &mut [D]);
    /// Diagonal noise amplitudes $b_i(x, t)$.
    fn diffusion<D: DualNum<Primitive = f64> + Copy>(&self, t: f64, x: &[D], out: &mut [D]);
    /// Whether the noise is additive.
    fn is_additive(&self) -> bool {
        false
    }
    /// Whether component `i` is noise-free (see [`Sde::is_noise_free`]).
    fn is_noise_free(&self, i: usize) -> bool {
        let _ = i;
        false
    }
}

/// $\partial b_i/\partial x_i$ of a [`DualSde`] by forward-mode automatic differentiation (one `Dual64`
/// pass per component).
pub fn dual_diffusion_derivative<S: DualSde + ?Sized>(sde: &S, t: f64, x: &[f64], out: &mut [f64]) {
    let d = x.len().min(out.len());
    let mut xd: Vec<Dual64> = x.iter().map(|&v| Dual64::from_re(v)).collect();
    let mut bd = vec![Dual64::from_re(0.0); x.len()];
    for i in 0..d {
        xd[i].eps = 1.0;
        sde.diffusion(t, &xd, &mut bd);
        out[i] = bd[i].eps;
        xd[i].eps = 0.0;
    }
}

/// Adapter: a [`DualSde`] used as an [`Sde`] (values in `f64`, Milstein derivative by autodiff).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutoDiff<S>(pub S);

impl<S: DualSde> Sde for AutoDiff<S> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    #[inline]
    fn drift(&self, t: f64, x: &[f64], out: &mut [f64]) {
        self.0.drift(t, x, out)
    }
    #[inline]
    fn diffusion(&self, t: f64, x: &[f64], out: &mut [f64]) {
        self.0.diffusion(t, x, out)
    }
    fn diffusion_derivative(&self, t: f64, x: &[f64], out: &mut [f64]) {
        dual_diffusion_derivative(&self.0, t, x, out)
    }
    fn is_additive(&self) -> bool {
        self.0.is_additive()
    }
    fn is_noise_free(&self, i: usize) -> bool {
        self.0.is_noise_free(i)
    }
}

/// Geometric Brownian motion $dX = \mu X\\,dt + \sigma X\\,dW$ (Itô), exact solution
/// $X_t = X_0 \exp((\mu - \sigma^2/2)t + \sigma W_t)$ (ANCHORS.md §C4).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gbm {
    /// Growth rate $\mu$.
    pub mu: f64,
    /// Volatility $\sigma$.
    pub sigma: f64,
}

impl Gbm {
    /// The exact Itô solution on the path with $W_t = $ `w`.
    pub fn exact(&self, x0: f64, t: f64, w: f64) -> f64 {
        x0 * ((self.mu - 0.5 * self.sigma * self.sigma) * t + self.sigma * w).exp()
    }
    /// The exact solution of the Stratonovich reading $dX = \mu X dt + \sigma X \circ dW$:
    /// $X_0 e^{\mu t + \sigma W_t}$.
    pub fn exact_stratonovich(&self, x0: f64, t: f64, w: f64) -> f64 {
        x0 * (self.mu * t + self.sigma * w).exp()
    }
}

impl DualSde for Gbm {
    fn dim(&self) -> usize {
        1
    }
    fn drift<D: DualNum<Primitive = f64> + Copy>(&self, _t: f64, x: &[D], out: &mut [D]) {
        out[0] = x[0] * self.mu;
    }
    fn diffusion<D: DualNum<Primitive = f64> + Copy>(&self, _t: f64, x: &[D], out: &mut [D]) {
        out[0] = x[0] * self.sigma;
    }
}

/// GBM as an [`Sde`]: the [`DualSde`] physics evaluated in `f64`, Milstein's derivative by autodiff.
impl Sde for Gbm {
    fn dim(&self) -> usize {
        1
    }
    fn drift(&self, t: f64, x: &[f64], out: &mut [f64]) {
        DualSde::drift(self, t, x, out)
    }
    fn diffusion(&self, t: f64, x: &[f64], out: &mut [f64]) {
        DualSde::diffusion(self, t, x, out)
    }
    fn diffusion_derivative(&self, t: f64, x: &[f64], out: &mut [f64]) {
        dual_diffusion_derivative(self, t, x, out)
    }
}

/// The additive-noise test problem of Kloeden-Platen (used by StochasticDiffEq.jl):
/// $dX = (\beta/\sqrt{1+t} - X/(2(1+t)))\\,dt + \alpha\beta/\sqrt{1+t}\\,dW$, exact solution
/// $X_t = X_0/\sqrt{1+t} + \beta(t + \alpha W_t)/\sqrt{1+t}$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdditiveTest {
    /// $\alpha$.
    pub alpha: f64,
    /// $\beta$.
    pub beta: f64,
}

impl AdditiveTest {
    /// Exact solution on the path with $W_t = $ `w`.
    pub fn exact(&self, x0: f64, t: f64, w: f64) -> f64 {
        let s = (1.0 + t).sqrt();
        x0 / s + self.beta * (t + self.alpha * w) / s
    }
}

impl Sde for AdditiveTest {
    fn dim(&self) -> usize {
        1
    }
    fn drift(&self, t: f64, x: &[f64], out: &mut [f64]) {
        out[0] = self.beta / (1.0 + t).sqrt() - x[0] / (2.0 * (1.0 + t));
    }
    fn diffusion(&self, t: f64, _x: &[f64], out: &mut [f64]) {
        out[0] = self.alpha * self.beta / (1.0 + t).sqrt();
    }
    fn diffusion_derivative(&self, _t: f64, _x: &[f64], out: &mut [f64]) {
        out[0] = 0.0;
    }
    fn is_additive(&self) -> bool {
        true
    }
}

/// Linear SDE $dX = -A(X - c(t))\\,dt + \sqrt{2D}\\,dW$ with $c(t) = c_0 + v t$ (an Ornstein-Uhlenbeck
/// process; with non-symmetric $A$ a non-equilibrium steady state, with $v \ne 0$ a dragged trap).
#[derive(Debug, Clone, PartialEq)]
pub struct LinearOu {
    dim: usize,
    a: Vec<f64>,
    noise: f64,
    c0: Vec<f64>,
    v: Vec<f64>,
}

impl LinearOu {
    /// $A$ row-major ($d \times d$), isotropic diffusion $D$, trap centre $c_0 + v t$.
    ///
    /// # Errors
    /// Mismatched lengths, $d = 0$, $D \le 0$ or a non-finite entry.
    pub fn new(a: Vec<f64>, diffusion: f64, c0: Vec<f64>, v: Vec<f64>) -> Result<Self> {
        let dim = c0.len();
        if dim == 0 {
            return Err(ThermoError::TooFewSamples { needed: 1, got: 0 });
        }
        check_len("A", check_size("A (d²)", &[dim, dim])?, a.len())?;
        check_len("v", dim, v.len())?;
        crate::error::check_diffusion(diffusion)?;
        check_all_finite("A", &a)?;
        check_all_finite("c0", &c0)?;
        check_all_finite("v", &v)?;
        Ok(Self {
            dim,
            a,
            noise: (2.0 * diffusion).sqrt(),
            c0,
            v,
        })
    }
    #[inline(never)]
    fn drift_general(&self, t: f64, x: &[f64], out: &mut [f64]) {
        let d = self.dim;
        for i in 0..d {
            let mut s = 0.0;
            for j in 0..d {
                s += self.a[i * d + j] * (x[j] - self.c0[j] - self.v[j] * t);
            }
            out[i] = -s;
        }
    }

    /// The drift matrix $A$ (row-major).
    pub fn matrix(&self) -> &[f64] {
        &self.a
    }
    /// The diffusion constant $D$.
    pub fn diffusion_constant(&self) -> f64 {
        0.5 * self.noise * self.noise
    }
}

impl Sde for LinearOu {
    fn dim(&self) -> usize {
        self.dim
    }
    #[inline(always)]
    fn drift(&self, t: f64, x: &[f64], out: &mut [f64]) {
        if self.dim == 1 {
            out[0] = -self.a[0] * (x[0] - self.c0[0] - self.v[0] * t);
        } else {
            self.drift_general(t, x, out);
        }
    }
    #[inline(always)]
    fn diffusion(&self, _t: f64, _x: &[f64], out: &mut [f64]) {
        out.fill(self.noise);
    }
    fn diffusion_derivative(&self, _t: f64, _x: &[f64], out: &mut [f64]) {
        out.fill(0.0);
    }
    fn is_additive(&self) -> bool {
        true
    }
}

/// An integration scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// Euler-Maruyama (Itô).
    EulerMaruyama,
    /// Milstein for diagonal noise (Itô).
    Milstein,
    /// Stochastic Heun (Stratonovich).
    Heun,
    /// Rößler SRA1 for additive noise.
    Sra1,
}

impl Scheme {
    /// Name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::EulerMaruyama => "Euler-Maruyama",
            Self::Milstein => "Milstein",
            Self::Heun => "stochastic Heun",
            Self::Sra1 => "SRA1",
        }
    }
    /// Theoretical strong order (for the noise class the scheme is meant for).
    pub fn strong_order(self) -> f64 {
        match self {
            Self::EulerMaruyama => 0.5,
            Self::Milstein | Self::Heun => 1.0,
            Self::Sra1 => 1.5,
        }
    }
    /// Theoretical weak order.
    pub fn weak_order(self) -> f64 {
        match self {
            Self::EulerMaruyama | Self::Milstein => 1.0,
            Self::Heun | Self::Sra1 => 2.0,
        }
    }
    /// Whether the scheme uses the iterated integral $I_{(1,0)}$.
    pub fn needs_i10(self) -> bool {
        matches!(self, Self::Sra1)
    }
    /// Check that the scheme applies to `sde`.
    ///
    /// # Errors
    /// [`ThermoError::UnsupportedScheme`] for SRA1 on non-additive noise, and for Milstein on an
    /// [`Sde`] without $\partial b_i/\partial x_i$ (a multiplicative [`FnSde`]).
    pub fn check<S: Sde + ?Sized>(self, sde: &S) -> Result<()> {
        if self == Self::Sra1 && !sde.is_additive() {
            return Err(ThermoError::UnsupportedScheme {
                scheme: "SRA1",
                requirement: "additive noise",
            });
        }
        if self == Self::Milstein && !sde.has_diffusion_derivative() {
            return Err(ThermoError::UnsupportedScheme {
                scheme: "Milstein",
                requirement: "the derivative of the noise amplitude: a DualSde (AutoDiff) or additive noise",
            });
        }
        Ok(())
    }
}

/// Scratch buffers for one stepping thread.
#[derive(Debug, Clone)]
pub struct Workspace {
    a: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
    a2: Vec<f64>,
    b2: Vec<f64>,
    xt: Vec<f64>,
}

impl Workspace {
    /// Buffers for dimension `d`.
    pub fn new(d: usize) -> Self {
        Self {
            a: vec![0.0; d],
            b: vec![0.0; d],
            c: vec![0.0; d],
            a2: vec![0.0; d],
            b2: vec![0.0; d],
            xt: vec![0.0; d],
        }
    }
}

/// One step of `scheme` from $(t, x)$ with step `h`, increments `dw` and (for SRA1) `i10`, checked:
/// the lengths of `x`, `dw`, `i10` (SRA1 only) and the workspace against `sde.dim()`, the step size,
/// and the finiteness of the new state.
///
/// # Errors
/// [`ThermoError::DimensionMismatch`], [`ThermoError::InvalidTimeStep`], or
/// [`ThermoError::NonFiniteValue`] naming the first non-finite component of the new state.
pub fn step<S: Sde + ?Sized>(
    scheme: Scheme,
    sde: &S,
    t: f64,
    h: f64,
    x: &mut [f64],
    dw: &[f64],
    i10: &[f64],
    ws: &mut Workspace,
) -> Result<()> {
    let d = sde.dim();
    check_dt(h)?;
    check_len("state", d, x.len())?;
    check_len("Brownian increments", d, dw.len())?;
    if scheme == Scheme::Sra1 {
        check_len("iterated integrals I10", d, i10.len())?;
    }
    check_len("workspace", d, ws.a.len())?;
    scheme.check(sde)?;
    if !step_raw(scheme, sde, t, h, x, dw, i10, ws) {
        check_all_finite("state after the step", x)?;
    }
    Ok(())
}

/// [`step`] without the checks, for the integrators' inner loops (lengths are validated once there).
/// Returns `false` if the new state is not finite.
#[inline]
pub(crate) fn step_raw<S: Sde + ?Sized>(
    scheme: Scheme,
    sde: &S,
    t: f64,
    h: f64,
    x: &mut [f64],
    dw: &[f64],
    i10: &[f64],
    ws: &mut Workspace,
) -> bool {
    let d = x.len();
    let Workspace { a, b, c, a2, b2, xt } = ws;
    match scheme {
        Scheme::EulerMaruyama => {
            sde.drift(t, x, a);
            sde.diffusion(t, x, b);
            for i in 0..d {
                x[i] += a[i] * h + b[i] * dw[i];
            }
        }
        Scheme::Milstein => {
            sde.drift(t, x, a);
            sde.diffusion(t, x, b);
            sde.diffusion_derivative(t, x, c);
            for i in 0..d {
                x[i] += a[i] * h + b[i] * dw[i] + 0.5 * b[i] * c[i] * (dw[i] * dw[i] - h);
            }
        }
        Scheme::Heun => {
            sde.drift(t, x, a);
            sde.diffusion(t, x, b);
            for i in 0..d {
                xt[i] = x[i] + a[i] * h + b[i] * dw[i];
            }
            sde.drift(t + h, xt, a2);
            sde.diffusion(t + h, xt, b2);
            for i in 0..d {
                x[i] += 0.5 * (a[i] + a2[i]) * h + 0.5 * (b[i] + b2[i]) * dw[i];
            }
        }
        Scheme::Sra1 => {
            sde.drift(t, x, a);
            sde.diffusion(t, x, b);
            sde.diffusion(t + h, x, b2);
            for i in 0..d {
                let chi = i10[i] / h;
                xt[i] = x[i] + 0.75 * a[i] * h + 1.5 * b2[i] * chi;
            }
            sde.drift(t + 0.75 * h, xt, a2);
            for i in 0..d {
                let chi = i10[i] / h;
                x[i] += h / 3.0 * (a[i] + 2.0 * a2[i]) + b2[i] * dw[i] + (b[i] - b2[i]) * chi;
            }
        }
    }
    x.iter().all(|v| v.is_finite())
}

/// Draw one step's increments: $\Delta W_i \sim N(0,h)$ and, if `want_i10`, $I_{(1,0)}$ with the exact
/// joint law ($I_{(1,0)} = \tfrac h2(\Delta W + \Delta Z/\sqrt3)$, $\Delta Z \sim N(0,h)$ independent).
#[inline]
pub fn draw_increments<R: rand::Rng + ?Sized>(
    rng: &mut R,
    h: f64,
    want_i10: bool,
    dw: &mut [f64],
    i10: &mut [f64],
) {
    draw_increments_scaled(rng, h, h.sqrt(), want_i10, dw, i10)
}

/// [`draw_increments`] with $\sqrt h$ precomputed (`sqrt_h`), for inner loops.
#[inline]
pub fn draw_increments_scaled<R: rand::Rng + ?Sized>(
    rng: &mut R,
    h: f64,
    sqrt_h: f64,
    want_i10: bool,
    dw: &mut [f64],
    i10: &mut [f64],
) {
    let sq = sqrt_h;
    for i in 0..dw.len() {
        dw[i] = sq * normal(rng);
        if want_i10 {
            let dz = sq * normal(rng);
            i10[i] = 0.5 * h * (dw[i] + dz / 3f64.sqrt());
        }
    }
}

/// A stored Brownian path on a uniform grid: increments $\Delta W$ and iterated integrals
/// $I_{(1,0)}$ per step and component, replayable at coarser steps.
#[derive(Debug, Clone, PartialEq)]
pub struct BrownianPath {
    dim: usize,
    h: f64,
    dw: Vec<f64>,
    i10: Vec<f64>,
}

impl BrownianPath {
    /// Sample a path of `steps` steps of size `h` in `dim` dimensions.
    ///
    /// # Errors
    /// `h` not positive, `steps == 0` or `dim == 0`.
    pub fn sample<R: rand::Rng + ?Sized>(rng: &mut R, dim: usize, steps: usize, h: f64) -> Result<Self> {
        check_dt(h)?;
        if steps == 0 || dim == 0 {
            return Err(ThermoError::TooFewSamples {
                needed: 1,
                got: steps.min(dim),
            });
        }
        let len = check_size("Brownian path (dim × steps)", &[dim, steps, 2])? / 2;
        let mut dw = vec![0.0; len];
        let mut i10 = vec![0.0; len];
        for s in 0..steps {
            let r = s * dim..(s + 1) * dim;
            draw_increments(rng, h, true, &mut dw[r.clone()], &mut i10[r]);
        }
        Ok(Self { dim, h, dw, i10 })
    }
    /// Number of steps.
    pub fn steps(&self) -> usize {
        self.dw.len() / self.dim
    }
    /// Step size.
    pub fn h(&self) -> f64 {
        self.h
    }
    /// Dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// $W$ at the end of the path (component `i`).
    pub fn w_end(&self, i: usize) -> f64 {
        self.dw.iter().skip(i).step_by(self.dim).sum()
    }
    /// Increments of step `s`: $(\Delta W, I_{(1,0)})$, or `None` past the end.
    pub fn increment(&self, s: usize) -> Option<(&[f64], &[f64])> {
        let r = s * self.dim..(s + 1) * self.dim;
        Some((self.dw.get(r.clone())?, self.i10.get(r)?))
    }
    /// The same path with steps merged in groups of `factor` (exact for $\Delta W$ and $I_{(1,0)}$).
    ///
    /// # Errors
    /// `factor == 0` or not dividing the number of steps.
    pub fn coarsen(&self, factor: usize) -> Result<Self> {
        let n = self.steps();
        if factor == 0 || !n.is_multiple_of(factor) {
            return Err(ThermoError::InvalidParameter {
                name: "factor",
                value: factor as f64,
                reason: "must be >= 1 and divide the number of steps",
            });
        }
        let m = n / factor;
        let d = self.dim;
        let mut dw = vec![0.0; d * m];
        let mut i10 = vec![0.0; d * m];
        for k in 0..m {
            for i in 0..d {
                let (mut w, mut z) = (0.0, 0.0);
                for s in 0..factor {
                    let idx = (k * factor + s) * d + i;
                    // I[a,c] = I[a,b] + (c - b) dW[a,b] + I[b,c], accumulated left to right.
                    z += self.h * w + self.i10[idx];
                    w += self.dw[idx];
                }
                // z accumulated as sum_s (I_s + h * W_before_s); convert to the (c-b) form:
                // I[0,H] = sum_s I_s + sum_s (H - (s+1)h) dW_s = sum_s I_s + h * sum_s W_before_s.
                dw[k * d + i] = w;
                i10[k * d + i] = z;
            }
        }
        Ok(Self {
            dim: d,
            h: self.h * factor as f64,
            dw,
            i10,
        })
    }
}

/// Integrate `sde` from $(t_0, x)$ along `path` with `scheme`; `x` holds the final state.
///
/// # Errors
/// Dimension mismatch, scheme not applicable, or [`ThermoError::NonFinite`] with the step index.
pub fn integrate_path<S: Sde + ?Sized>(
    sde: &S,
    scheme: Scheme,
    t0: f64,
    x: &mut [f64],
    path: &BrownianPath,
) -> Result<()> {
    check_len("state", sde.dim(), x.len())?;
    check_len("path", sde.dim(), path.dim())?;
    scheme.check(sde)?;
    let mut ws = Workspace::new(sde.dim());
    let h = path.h();
    for s in 0..path.steps() {
        let t = t0 + s as f64 * h;
        let (dw, i10) = path.increment(s).ok_or(ThermoError::TooFewSamples {
            needed: s + 1,
            got: s,
        })?;
        if !step_raw(scheme, sde, t, h, x, dw, i10, &mut ws) {
            return Err(ThermoError::NonFinite {
                member: 0,
                step: s,
                t,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::member_rng;

    #[test]
    fn coarsening_preserves_w_and_i10_law() {
        // I10 over [0, 2h] from two fine steps must equal the direct formula int (2h - s) dW_s, here
        // checked on a path where dW is concentrated: I_s = h dW_s / 2 for a linear W on each step.
        let mut rng = member_rng(1, 0);
        let p = BrownianPath::sample(&mut rng, 2, 64, 0.01).unwrap();
        let c = p.coarsen(8).unwrap();
        assert_eq!(c.steps(), 8);
        for i in 0..2 {
            assert!((c.w_end(i) - p.w_end(i)).abs() < 1e-14);
        }
        // Two-step merge by hand: I = I1 + h dW1 + I2.
        let c2 = p.coarsen(2).unwrap();
        let (dw1, i1) = p.increment(0).unwrap();
        let (_, i2) = p.increment(1).unwrap();
        let (_, ic) = c2.increment(0).unwrap();
        assert!(p.increment(64).is_none());
        assert!((ic[0] - (i1[0] + 0.01 * dw1[0] + i2[0])).abs() < 1e-15);
    }

    #[test]
    fn i10_has_the_exact_covariance() {
        // Var(I10) = h^3/3, Cov(I10, dW) = h^2/2; 4e5 samples give ~0.2% relative error, so 2% is > 5 sigma.
        let mut rng = member_rng(2, 0);
        let h = 0.5;
        let n = 400_000;
        let (mut vz, mut cz) = (0.0, 0.0);
        let (mut dw, mut iz) = ([0.0], [0.0]);
        for _ in 0..n {
            draw_increments(&mut rng, h, true, &mut dw, &mut iz);
            vz += iz[0] * iz[0];
            cz += iz[0] * dw[0];
        }
        assert!(((vz / n as f64) / (h * h * h / 3.0) - 1.0).abs() < 0.02);
        assert!(((cz / n as f64) / (h * h / 2.0) - 1.0).abs() < 0.02);
    }

    #[test]
    fn autodiff_derivative_matches_closed_form() {
        // b = sigma x^2 sin x written once; d b / dx = sigma (2 x sin x + x^2 cos x).
        struct S;
        impl DualSde for S {
            fn dim(&self) -> usize {
                2
            }
            fn drift<D: DualNum<Primitive = f64> + Copy>(&self, _t: f64, x: &[D], o: &mut [D]) {
                o[0] = -x[0];
                o[1] = -x[1];
            }
            fn diffusion<D: DualNum<Primitive = f64> + Copy>(&self, _t: f64, x: &[D], o: &mut [D]) {
                o[0] = x[0] * x[0] * x[0].sin() * 0.3;
                o[1] = x[1].exp();
            }
        }
        let a = AutoDiff(S);
        let x = [1.3, -0.4];
        let mut db = [0.0; 2];
        a.diffusion_derivative(0.0, &x, &mut db);
        let e0 = 0.3 * (2.0 * 1.3 * 1.3f64.sin() + 1.3 * 1.3 * 1.3f64.cos());
        assert!((db[0] - e0).abs() < 1e-15 && (db[1] - (-0.4f64).exp()).abs() < 1e-15);
        let mut gd = [0.0];
        Gbm { mu: 1.0, sigma: 0.7 }.diffusion_derivative(0.0, &[3.0], &mut gd);
        assert!((gd[0] - 0.7).abs() < 1e-15);
    }

    #[test]
    fn sra1_rejects_multiplicative_noise() {
        let mut x = [1.0];
        let p = BrownianPath::sample(&mut member_rng(0, 0), 1, 4, 0.1).unwrap();
        let g = Gbm { mu: 1.0, sigma: 1.0 };
        assert!(matches!(
            integrate_path(&g, Scheme::Sra1, 0.0, &mut x, &p),
            Err(ThermoError::UnsupportedScheme { .. })
        ));
        let mut y = [1.0, 2.0];
        assert!(matches!(
            integrate_path(&g, Scheme::EulerMaruyama, 0.0, &mut y, &p),
            Err(ThermoError::DimensionMismatch { .. })
        ));
    }

    #[test]
    fn blow_up_reports_the_step() {
        let sde = FnSde::new(
            1,
            |_t, x: &[f64], o: &mut [f64]| o[0] = x[0] * x[0] * 1e3,
            |_t, _x: &[f64], o: &mut [f64]| o[0] = 0.0,
        )
        .unwrap();
        let p = BrownianPath::sample(&mut member_rng(0, 0), 1, 100, 0.1).unwrap();
        let mut x = [10.0];
        let e = integrate_path(&sde, Scheme::EulerMaruyama, 0.0, &mut x, &p).unwrap_err();
        assert!(matches!(e, ThermoError::NonFinite { member: 0, step, .. } if step < 10));
    }

    #[test]
    fn invalid_step_and_dimension() {
        assert!(matches!(
            BrownianPath::sample(&mut member_rng(0, 0), 1, 4, -0.1),
            Err(ThermoError::InvalidTimeStep { .. })
        ));
        assert!(matches!(
            BrownianPath::sample(&mut member_rng(0, 0), 1, 4, 0.0),
            Err(ThermoError::InvalidTimeStep { .. })
        ));
        assert!(LinearOu::new(vec![1.0], -1.0, vec![0.0], vec![0.0]).is_err());
        assert!(matches!(
            LinearOu::new(vec![1.0, 0.0], 1.0, vec![0.0], vec![0.0]),
            Err(ThermoError::DimensionMismatch { .. })
        ));
    }
}
