//! Split-step Fourier propagation of $i\hbar\partial_t\psi = H\psi$, $H = T + V$ (THEORY.md N4.4).
//!
//! With $T = \frac{\hbar^2}{2m}|\mathbf k - \boldsymbol\kappa|^2$ diagonal in Fourier space
//! ($\boldsymbol\kappa = q\mathbf A/\hbar$ is a uniform vector potential, used for the Aharonov-Bohm ring)
//! and $V$ diagonal in position space, the Strang step is
//! $$S(h) = e^{-iVh/2\hbar}\\,\mathcal F^{-1} e^{-iTh/\hbar}\mathcal F\\, e^{-iVh/2\hbar},$$
//! second order: $S(h) = e^{-iHh/\hbar} + O(h^3)$ per step, $O(h^2)$ globally, and exactly unitary
//! (each factor is a diagonal unitary or a unitary FFT pair). The fourth-order scheme is Yoshida's
//! symmetric triple jump $S_4(h) = S(w_1h)S(w_0h)S(w_1h)$ with $w_1 = 1/(2-2^{1/3})$,
//! $w_0 = -2^{1/3}/(2-2^{1/3})$. For a time-dependent $V$ the two half kicks of $S(h)$ use $V(t)$ and
//! $V(t+h)$, which keeps second order. The kinetic factor is separable, so it is applied one axis at a
//! time with planned FFTs and reused buffers: a step allocates nothing.
//!
//! An optional absorbing layer multiplies $\psi$ after each step by
//! $e^{-\eta h\\,s(\mathbf x)}$ with $s = \max_a ((w - d_a)/w)^2$ inside a layer of width $w$ at the box
//! edges ($d_a$ the distance to the nearest edge along axis $a$); it is not unitary by design.

use num_complex::Complex64;

use crate::error::{QuantumError, Result, check_dt, check_positive};
use crate::grid::{Grid, Units};
use crate::potential::Potential;
use crate::spectral::{Parallel2, Spectral};
use crate::wavefunction::{Wavefunction, first_non_finite};

/// Time-stepping scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheme {
    /// Strang splitting, second order.
    #[default]
    Strang,
    /// Yoshida's fourth-order composition of three Strang steps.
    Yoshida4,
}

impl Scheme {
    /// The formal global order.
    pub fn order(self) -> u32 {
        match self {
            Self::Strang => 2,
            Self::Yoshida4 => 4,
        }
    }

    /// Sub-step weights $w_i$ (a step of size $h$ is $S(w_1 h)\cdots S(w_n h)$).
    pub fn weights(self) -> Vec<f64> {
        match self {
            Self::Strang => vec![1.0],
            Self::Yoshida4 => {
                let c = 2f64.cbrt();
                let w1 = 1.0 / (2.0 - c);
                let w0 = -c / (2.0 - c);
                vec![w1, w0, w1]
            }
        }
    }
}

/// One Strang sub-step: its size, kinetic factors per axis and (static case) half-kick factors.
#[derive(Debug, Clone)]
struct Sub {
    h: f64,
    kin: Vec<Vec<Complex64>>,
    vhalf: Vec<Complex64>,
}

/// A unit-modulus $e^{-i\theta}$: among the floating-point neighbours of $(\cos\theta, -\sin\theta)$ the
/// pair with $|c^2 + s^2 - 1|$ smallest (evaluated with fused multiply-adds) is taken, which removes the
/// systematic part of the modulus error that would otherwise make the norm drift linearly in time.
pub(crate) fn phase(theta: f64) -> Complex64 {
    if !theta.is_finite() {
        // An overflowing V dt / ħ: the propagation then reports `Diverged` at the first step
        // (found by fuzzing: the bit arithmetic below overflowed on NaN).
        return Complex64::new(f64::NAN, f64::NAN);
    }
    let (s, c) = theta.sin_cos();
    let next = |x: f64, d: i64| -> f64 {
        if x == 0.0 {
            return x;
        }
        let b = (x.to_bits() as i64).wrapping_add(d);
        f64::from_bits(b as u64)
    };
    let mut best = (c, s);
    let mut best_err = f64::INFINITY;
    for dc in -2..=2 {
        for ds in -2..=2 {
            let (cc, ss) = (next(c, dc), next(s, ds));
            let err = cc.mul_add(cc, ss.mul_add(ss, -1.0)).abs();
            if err < best_err {
                best_err = err;
                best = (cc, ss);
            }
        }
    }
    Complex64::new(best.0, -best.1)
}

/// Split-step Fourier propagator with planned FFTs and reused buffers.
pub struct SplitStep<const D: usize> {
    grid: Grid<D>,
    units: Units,
    dt: f64,
    scheme: Scheme,
    kappa: [f64; D],
    potential: Box<dyn Potential<D>>,
    time_dependent: bool,
    v: Vec<f64>,
    points: Vec<[f64; D]>,
    subs: Vec<Sub>,
    spectral: Spectral<D>,
    /// The multi-threaded 2D kinetic factor ([`SplitStep::with_threads`]).
    parallel: Option<Parallel2>,
    absorb: Option<Vec<f64>>,
    time: f64,
    kick: Vec<Complex64>,
    vfull: Vec<Complex64>,
}

impl<const D: usize> std::fmt::Debug for SplitStep<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SplitStep")
            .field("shape", &self.grid.shape())
            .field("dt", &self.dt)
            .field("scheme", &self.scheme)
            .field("time", &self.time)
            .finish()
    }
}

/// Sample a potential on the grid, checking its parameters ([`Potential::validate`]) and finiteness.
pub(crate) fn sample<const D: usize>(
    pot: &dyn Potential<D>,
    points: &[[f64; D]],
    t: f64,
    out: &mut [f64],
) -> Result<()> {
    pot.validate()?;
    for (i, (x, o)) in points.iter().zip(out.iter_mut()).enumerate() {
        let v = pot.value(x, t);
        if !v.is_finite() {
            return Err(QuantumError::NonFinitePotential { index: i, value: v });
        }
        *o = v;
    }
    Ok(())
}

impl<const D: usize> SplitStep<D> {
    /// A propagator for `potential` on `grid` with step `dt` (the potential's clock starts at 0).
    ///
    /// # Errors
    /// [`QuantumError::InvalidTimeStep`] for `dt <= 0` or non-finite, [`QuantumError::InvalidParameter`]
    /// for bad units, [`QuantumError::NonFinitePotential`] if $V$ is not finite on the grid.
    pub fn new(
        grid: Grid<D>,
        units: Units,
        potential: impl Potential<D> + 'static,
        dt: f64,
        scheme: Scheme,
    ) -> Result<Self> {
        check_dt(dt)?;
        units.validate()?;
        let points = grid.map(|x| *x);
        let mut v = vec![0.0; grid.len()];
        sample(&potential, &points, 0.0, &mut v)?;
        let time_dependent = potential.time_dependent();
        let spectral = Spectral::new(grid.shape());
        let n = grid.len();
        let mut s = Self {
            grid,
            units,
            dt,
            scheme,
            kappa: [0.0; D],
            potential: Box::new(potential),
            time_dependent,
            v,
            points,
            subs: Vec::new(),
            spectral,
            parallel: None,
            absorb: None,
            time: 0.0,
            kick: vec![Complex64::new(0.0, 0.0); n],
            vfull: Vec::new(),
        };
        s.rebuild();
        Ok(s)
    }

    /// Use the kinetic operator $\frac{\hbar^2}{2m}|\mathbf k - \boldsymbol\kappa|^2$ (uniform vector
    /// potential; on a ring of radius $R$ threaded by flux $\Phi$ in units of $\hbar/q$,
    /// $\kappa = \Phi/(2\pi R)$).
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] for a non-finite component.
    pub fn with_kappa(mut self, kappa: [f64; D]) -> Result<Self> {
        for k in kappa {
            crate::error::check_finite("kappa", k)?;
        }
        self.kappa = kappa;
        self.rebuild();
        Ok(self)
    }

    /// Run the kinetic factor of each step on `threads` threads (a pool owned by the propagator) on a
    /// 2D grid: the column FFTs are split across the threads, then the row FFTs together with the
    /// pointwise potential kick. FFTs of different lines are independent and every line sees the same
    /// operations, so the result is **bit-identical** to the serial step. `threads = 1` (the default)
    /// is the serial step; 1D and 3D grids always run serially.
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] for `threads = 0` or if the pool cannot be started.
    pub fn with_threads(mut self, threads: usize) -> Result<Self> {
        let bad = |reason| QuantumError::InvalidParameter {
            name: "threads",
            value: threads as f64,
            reason,
        };
        if threads == 0 {
            return Err(bad("need at least one thread"));
        }
        self.parallel = None;
        if D == 2 && threads > 1 {
            let shape = self.grid.shape();
            let p = Parallel2::new([shape[0], shape[1]], threads)
                .map_err(|_| bad("thread pool failed to start"))?;
            self.parallel = Some(p);
        }
        Ok(self)
    }

    /// The threads of the kinetic factor (1 unless [`SplitStep::with_threads`] set more on a 2D grid).
    pub fn threads(&self) -> usize {
        self.parallel.as_ref().map_or(1, Parallel2::threads)
    }

    /// Add an absorbing layer of width `width` and strength `eta` at every box edge.
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] unless both are finite and positive.
    pub fn with_absorbing_boundary(mut self, width: f64, eta: f64) -> Result<Self> {
        check_positive("width", width)?;
        check_positive("eta", eta)?;
        let (o, l) = (self.grid.origin(), self.grid.lengths());
        let dt = self.dt;
        let mask = self
            .points
            .iter()
            .map(|x| {
                let mut s: f64 = 0.0;
                for a in 0..D {
                    let d = (x[a] - o[a]).min(o[a] + l[a] - x[a]);
                    if d < width {
                        s = s.max(((width - d) / width).powi(2));
                    }
                }
                (-eta * dt * s).exp()
            })
            .collect();
        self.absorb = Some(mask);
        Ok(self)
    }

    fn rebuild(&mut self) {
        let (hbar, m) = (self.units.hbar, self.units.mass);
        let mut subs: Vec<Sub> = Vec::new();
        for w in self.scheme.weights() {
            let h = w * self.dt;
            let kin = (0..D)
                .map(|a| {
                    let n = self.grid.shape()[a] as f64;
                    self.grid
                        .wavenumbers(a)
                        .iter()
                        .map(|k| {
                            let q = k - self.kappa[a];
                            phase(hbar * q * q * h / (2.0 * m)) / n
                        })
                        .collect()
                })
                .collect();
            let vhalf = self.v.iter().map(|v| phase(v * h / (2.0 * hbar))).collect();
            subs.push(Sub { h, kin, vhalf });
        }
        // Two consecutive Strang half kicks fuse into one full kick (static potential).
        self.vfull = self.v.iter().map(|v| phase(v * self.dt / hbar)).collect();
        self.subs = subs;
    }

    /// The grid.
    pub fn grid(&self) -> &Grid<D> {
        &self.grid
    }

    /// The units.
    pub fn units(&self) -> Units {
        self.units
    }

    /// The step size.
    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The vector-potential shift $\boldsymbol\kappa$.
    pub fn kappa(&self) -> [f64; D] {
        self.kappa
    }

    /// The current time.
    pub fn time(&self) -> f64 {
        self.time
    }

    /// Set the clock (matters for time-dependent potentials).
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] for a non-finite time.
    pub fn set_time(&mut self, t: f64) -> Result<()> {
        crate::error::check_finite("time", t)?;
        self.time = t;
        Ok(())
    }

    /// The potential sampled at the current time.
    ///
    /// # Errors
    /// [`QuantumError::NonFinitePotential`] if it is not finite.
    pub fn potential_values(&self) -> Result<Vec<f64>> {
        let mut v = vec![0.0; self.grid.len()];
        sample(self.potential.as_ref(), &self.points, self.time, &mut v)?;
        Ok(v)
    }

    /// $\langle H\rangle$ at the current time (kinetic part in Fourier space).
    ///
    /// # Errors
    /// [`QuantumError::SizeMismatch`] for a state on another grid; potential errors as above.
    pub fn energy(&self, psi: &Wavefunction<D>) -> Result<f64> {
        self.check_state(psi)?;
        let v = self.potential_values()?;
        Ok(psi.kinetic_energy(self.units, self.kappa) + psi.potential_energy(&v)?)
    }

    fn check_state(&self, psi: &Wavefunction<D>) -> Result<()> {
        self.grid.check_same(psi.grid())
    }

    fn half_kick(&mut self, data: &mut [Complex64], sub: usize, t: f64) -> Result<()> {
        if self.time_dependent {
            sample(self.potential.as_ref(), &self.points, t, &mut self.v)?;
            let h = self.subs[sub].h;
            let hbar = self.units.hbar;
            for (k, v) in self.kick.iter_mut().zip(&self.v) {
                *k = phase(v * h / (2.0 * hbar));
            }
            for (z, k) in data.iter_mut().zip(&self.kick) {
                *z *= k;
            }
        } else {
            for (z, k) in data.iter_mut().zip(&self.subs[sub].vhalf) {
                *z *= k;
            }
        }
        Ok(())
    }

    /// Advance `psi` by one step of size `dt`.
    ///
    /// # Errors
    /// [`QuantumError::GridMismatch`] for a state on another grid, [`QuantumError::NonFiniteState`] if
    /// the input state is not finite, [`QuantumError::Diverged`] with the step, time and entry at the
    /// first non-finite value produced (every scheme checks every step), [`QuantumError::NonFinitePotential`]
    /// for a time-dependent potential that becomes non-finite.
    pub fn step(&mut self, psi: &mut Wavefunction<D>) -> Result<()> {
        self.run(psi, 1)
    }

    /// Advance `psi` by `n` steps.
    ///
    /// # Errors
    /// As [`SplitStep::step`].
    pub fn run(&mut self, psi: &mut Wavefunction<D>, n: usize) -> Result<()> {
        self.check_state(psi)?;
        psi.check_finite()?;
        let data = psi.values_mut();
        let t_start = self.time;
        if n > 0 && !self.time_dependent && self.absorb.is_none() && self.scheme == Scheme::Strang {
            // Fused Strang: V(h/2) [T(h) V(h)]^{n-1} T(h) V(h/2), the same operator with one pass fewer.
            for (z, k) in data.iter_mut().zip(&self.subs[0].vhalf) {
                *z *= k;
            }
            let (spec, par) = (&mut self.spectral, &mut self.parallel);
            let (kin, vfull, vhalf) = (&self.subs[0].kin, &self.vfull, &self.subs[0].vhalf);
            for s in 0..n {
                let f = if s + 1 < n { vfull } else { vhalf };
                // The kick is applied chunk by chunk right after the last inverse FFT (in cache).
                // The sum of all components is non-finite iff one is (or, for finite states, if it
                // overflows, which the exact scan below then rules out): a free finiteness check
                // inside a loop that is memory-bound anyway.
                let sum = kinetic_then(spec, par, kin, data, |off, chunk| {
                    kick_and_sum(chunk, &f[off..off + chunk.len()])
                });
                if !sum.is_finite()
                    && let Some(index) = first_non_finite(data)
                {
                    self.time = t_start + (s + 1) as f64 * self.dt;
                    return Err(diverged(data, index, s + 1, self.time));
                }
            }
            self.time = t_start + n as f64 * self.dt;
            return Ok(());
        }
        for s in 0..n {
            let mut t = self.time;
            for sub in 0..self.subs.len() {
                let h = self.subs[sub].h;
                self.half_kick(data, sub, t)?;
                let (spec, par, kin) = (&mut self.spectral, &mut self.parallel, &self.subs[sub].kin);
                kinetic_then(spec, par, kin, data, |_, _| 0.0);
                t += h;
                self.half_kick(data, sub, t)?;
            }
            if let Some(mask) = &self.absorb {
                for (z, m) in data.iter_mut().zip(mask) {
                    *z *= m;
                }
            }
            self.time += self.dt;
            if let Some(index) = first_non_finite(data) {
                return Err(diverged(data, index, s + 1, self.time));
            }
        }
        Ok(())
    }
}

/// The kinetic factor `kin`, then `post(offset, chunk)` on consecutive chunks of the result, serially
/// or on the pool of `parallel` (bit-identical either way); returns the sum of `post`'s values.
fn kinetic_then<const D: usize, F>(
    spectral: &mut Spectral<D>,
    parallel: &mut Option<Parallel2>,
    kin: &[Vec<Complex64>],
    data: &mut [Complex64],
    post: F,
) -> f64
where
    F: Fn(usize, &mut [Complex64]) -> f64 + Sync,
{
    if let Some(p) = parallel {
        return p.apply_then(data, kin, post);
    }
    let mut sum = 0.0;
    spectral.apply_separable_then(data, kin, |off, chunk| sum += post(off, chunk));
    sum
}

/// `z *= f` pointwise (`f` complex phases or real factors), returning
/// $\sum_i (\mathrm{Re}\\,z_i + \mathrm{Im}\\,z_i)$ of the result (four independent partial sums, so the
/// additions pipeline instead of waiting on one another). The sum is non-finite iff an entry is (or,
/// for finite entries, if it overflows): a free finiteness check.
pub(crate) fn kick_and_sum<K>(data: &mut [Complex64], f: &[K]) -> f64
where
    K: Copy,
    Complex64: std::ops::MulAssign<K>,
{
    let mut acc = [0.0f64; 4];
    let mut zs = data.chunks_exact_mut(4);
    let mut ks = f.chunks_exact(4);
    for (zc, kc) in (&mut zs).zip(&mut ks) {
        for j in 0..4 {
            zc[j] *= kc[j];
            acc[j] += zc[j].re + zc[j].im;
        }
    }
    for (z, k) in zs.into_remainder().iter_mut().zip(ks.remainder()) {
        *z *= *k;
        acc[0] += z.re + z.im;
    }
    acc.iter().sum()
}

/// [`QuantumError::Diverged`] for entry `index` of `data`.
fn diverged(data: &[Complex64], index: usize, step: usize, time: f64) -> QuantumError {
    let z = data[index];
    let value = if z.re.is_finite() { z.im } else { z.re };
    QuantumError::Diverged {
        step,
        time,
        index,
        value,
    }
}

#[cfg(test)]
mod tests;
