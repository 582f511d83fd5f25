//! A 3D leapfrog wave network whose local couplings are learned online (THEORY.md §5-§8, E-3b).
//!
//! * Network (N5.2 on a lattice, the 3D analogue of [`crate::lattice::Leapfrog2D`]): neurons
//!   $\phi_x$ on a periodic $n^3$ grid, state $(\phi^t, \phi^{t-1})$,
//!   $$\phi^{t+1}\_x = 2\phi^t_x - \phi^{t-1}\_x + w_x(\Delta\phi^t)\_x - \mu^2\phi^t_x - \eta(\phi^t_x - \phi^{t-1}\_x) + J^t_x,$$
//!   with the 7-point Laplacian $\Delta$, local coupling $w_x = C_x^2$ (the local Courant number
//!   squared, i.e. the local light speed $c_x = C_x\\,\Delta s/\Delta t$), mass $\mu = m\Delta t$, damping
//!   $\eta$ and a source $J$. For uniform $C$, $\mu = \eta = J = 0$ a plane wave $e^{ik\cdot x}$ oscillates
//!   with $\cos\omega = 1 - 2C^2\sum_i\sin^2(k_i/2) - \mu^2/2$ ([`leapfrog3d_omega`]); stability needs
//!   $12C^2 + \mu^2 \le 4$.
//! * Learning rule (E-3b): each coupling $w_x$ is one trainable weight of neuron $x$, trained by online
//!   SGD (N2.3, batch 1) on that neuron's bulk loss (N2.2),
//!   $$h_x = \tfrac12\bigl(\psi^{t+1}\_x - 2\psi^t_x + \psi^{t-1}\_x - w_x(\Delta\psi^t)\_x\bigr)^2,\qquad w_x \leftarrow w_x + \gamma\\,(y_x - w_x u_x)\\,u_x,$$
//!   with $u = \Delta\psi^t$, $y = \psi^{t+1} - 2\psi^t + \psi^{t-1}$, on observed states
//!   $\psi = \phi + \varepsilon$ carrying independent observation noise of variance $\sigma^2$
//!   ([`LocalCouplingSgd`]). Its fixed point is the local least-squares coupling
//!   $w^\* = \langle uy\rangle/\langle u^2\rangle$; for a field with local moments
//!   $\langle\Delta\phi\\,r\rangle$, $\langle(\Delta\phi)^2\rangle$ ($r$ the true second difference)
//!   $$w^\* = \frac{\langle\Delta\phi\\,r\rangle + 12\sigma^2}{\langle(\Delta\phi)^2\rangle + 42\sigma^2},$$
//!   since the noise part of $y$ and of $u$ share $-2\varepsilon^t_x\cdot(-6\varepsilon^t_x)$ and
//!   $\mathrm{Var}(\Delta\varepsilon) = (36 + 6)\sigma^2$; in a field-free region $w^\* = 2/7$.
//!   It is local: $w_x$ sees only neuron $x$ and its six neighbours.
//! * Experiment ([`run_newtonian`]): a teacher field (uniform $C_0$, damping $\eta$, a Gaussian source
//!   $J = a\\,g(x)\sin\Omega t$ at the centre, a persistent localized excitation of energy $E \propto a^2$)
//!   is learned by one student per amplitude, all seeing the same observation noise (common random
//!   numbers), plus a vacuum student ($a = 0$). The response $\delta w(r)$ is shell-averaged around the
//!   source, per time batch. Profile fits ([`fit_profile`]): Newtonian $1/r$ with the periodic-box
//!   correction, Yukawa, contact.
//!
//! Determinism: the noise of plane $z$ at step $t$ comes from [`member_rng`]`(seed, t n + z)`, so the
//! result does not depend on the number of rayon threads.

use rand::RngExt;
use rayon::prelude::*;

use crate::error::{
    NetworkError, Result, check_finite, check_gamma, check_len, check_non_negative, check_positive,
};
use crate::rng::member_rng;

/// Dispersion of the uniform 3D leapfrog network: $\omega$ with
/// $\cos\omega\Delta t = 1 - 2C^2\sum_i\sin^2(k_i/2) - \mu^2/2$ (THEORY.md N-5 in 3D). NaN outside the
/// stable band.
pub fn leapfrog3d_omega(courant: f64, k: [f64; 3], mass_dt: f64) -> f64 {
    let s: f64 = k.iter().map(|ki| (ki / 2.0).sin().powi(2)).sum();
    let c = 1.0 - 2.0 * courant * courant * s - mass_dt * mass_dt / 2.0;
    if (-1.0..=1.0).contains(&c) {
        c.acos()
    } else {
        f64::NAN
    }
}

/// A periodic 3D leapfrog (wave / Klein-Gordon) network with a per-site coupling $w_x = C_x^2$;
/// fields are stored with index $(z n + y) n + x$.
#[derive(Debug, Clone, PartialEq)]
pub struct Leapfrog3D {
    n: usize,
    w: Vec<f64>,
    mu2: f64,
}

impl Leapfrog3D {
    /// From per-site Courant numbers (length $n^3$) and $\mu = m\Delta t$; needs $n \ge 3$ and
    /// $12C^2 + \mu^2 \le 4$.
    pub fn new(n: usize, courant: &[f64], mass_dt: f64) -> Result<Self> {
        if n < 3 {
            return Err(NetworkError::InvalidParameter {
                name: "grid size n",
                value: n as f64,
                reason: "must be >= 3",
            });
        }
        check_len("Courant field (n^3)", n * n * n, courant.len())?;
        check_finite("Courant numbers", courant)?;
        check_non_negative("mass*dt", mass_dt)?;
        for &c in courant {
            if c < 0.0 || 12.0 * c * c + mass_dt * mass_dt > 4.0 + 1e-12 {
                return Err(NetworkError::InvalidParameter {
                    name: "Courant number C",
                    value: c,
                    reason: "3D leapfrog needs C >= 0 and 12C^2 + (m dt)^2 <= 4",
                });
            }
        }
        Ok(Self {
            n,
            w: courant.iter().map(|c| c * c).collect(),
            mu2: mass_dt * mass_dt,
        })
    }

    /// A uniform Courant number.
    pub fn uniform(n: usize, courant: f64, mass_dt: f64) -> Result<Self> {
        Self::new(n, &vec![courant; n.max(1).pow(3)], mass_dt)
    }

    /// Edge length $n$.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of sites $n^3$.
    pub fn sites(&self) -> usize {
        self.w.len()
    }

    /// The couplings $w_x = C_x^2$.
    pub fn couplings(&self) -> &[f64] {
        &self.w
    }

    /// One step $\phi^{t+1} = 2\phi^t - \phi^{t-1} + w\Delta\phi^t - \mu^2\phi^t$ written into `prev`.
    pub fn step(&self, cur: &[f64], prev: &mut [f64]) -> Result<()> {
        self.step_driven(cur, prev, 0.0, None)
    }

    /// One damped, driven step: `prev` becomes
    /// $\phi^{t+1} = 2\phi^t - \phi^{t-1} + w\Delta\phi^t - \mu^2\phi^t - \eta(\phi^t - \phi^{t-1}) + J$
    /// (`source` = $J^t$, or none).
    pub fn step_driven(
        &self,
        cur: &[f64],
        prev: &mut [f64],
        damping: f64,
        source: Option<&[f64]>,
    ) -> Result<()> {
        let n = self.n;
        check_len("phi^t", n * n * n, cur.len())?;
        check_len("phi^{t-1}", n * n * n, prev.len())?;
        check_non_negative("damping eta", damping)?;
        if let Some(j) = source {
            check_len("source J", n * n * n, j.len())?;
        }
        let (w, mu2) = (&self.w, self.mu2);
        prev.par_chunks_mut(n * n).enumerate().for_each(|(z, plane)| {
            let mut lap = vec![0.0; n * n];
            laplacian_plane(n, cur, z, &mut lap);
            let base = z * n * n;
            for (i, p) in plane.iter_mut().enumerate() {
                let g = base + i;
                let c = cur[g];
                let j = source.map_or(0.0, |s| s[g]);
                *p = 2.0 * c - *p + w[g] * lap[i] - mu2 * c - damping * (c - *p) + j;
            }
        });
        Ok(())
    }

    /// The conserved leapfrog energy of $(\phi^t, \phi^{t-1})$ for $\mu = \eta = J = 0$ and uniform $w$:
    /// $E = \tfrac12\sum_x(\phi^t_x - \phi^{t-1}\_x)^2 + \tfrac12\sum_{\langle xy\rangle} w_x
    /// (\phi^t_x - \phi^t_y)(\phi^{t-1}\_x - \phi^{t-1}\_y) + \tfrac12\mu^2\sum_x\phi^t_x\phi^{t-1}\_x$
    /// (links counted once).
    pub fn energy(&self, cur: &[f64], prev: &[f64]) -> Result<f64> {
        let n = self.n;
        check_len("phi^t", n * n * n, cur.len())?;
        check_len("phi^{t-1}", n * n * n, prev.len())?;
        let mut e = 0.0;
        for z in 0..n {
            for y in 0..n {
                for x in 0..n {
                    let g = idx(n, x, y, z);
                    let d = cur[g] - prev[g];
                    e += 0.5 * d * d + 0.5 * self.mu2 * cur[g] * prev[g];
                    for h in [
                        idx(n, (x + 1) % n, y, z),
                        idx(n, x, (y + 1) % n, z),
                        idx(n, x, y, (z + 1) % n),
                    ] {
                        e += 0.5 * self.w[g] * (cur[g] - cur[h]) * (prev[g] - prev[h]);
                    }
                }
            }
        }
        Ok(e)
    }
}

#[inline]
fn idx(n: usize, x: usize, y: usize, z: usize) -> usize {
    (z * n + y) * n + x
}

/// The 7-point periodic Laplacian of `f` on plane `z`, written into `out` (length $n^2$).
fn laplacian_plane(n: usize, f: &[f64], z: usize, out: &mut [f64]) {
    let zp = (z + 1) % n;
    let zm = (z + n - 1) % n;
    for y in 0..n {
        let yp = (y + 1) % n;
        let ym = (y + n - 1) % n;
        for x in 0..n {
            let xp = (x + 1) % n;
            let xm = (x + n - 1) % n;
            let c = f[idx(n, x, y, z)];
            out[y * n + x] = f[idx(n, xp, y, z)]
                + f[idx(n, xm, y, z)]
                + f[idx(n, x, yp, z)]
                + f[idx(n, x, ym, z)]
                + f[idx(n, x, y, zp)]
                + f[idx(n, x, y, zm)]
                - 6.0 * c;
        }
    }
}

/// The periodic 7-point Laplacian of a field on an $n^3$ grid.
pub fn laplacian3d(n: usize, f: &[f64]) -> Result<Vec<f64>> {
    check_len("field (n^3)", n * n * n, f.len())?;
    let mut out = vec![0.0; n * n * n];
    out.par_chunks_mut(n * n)
        .enumerate()
        .for_each(|(z, plane)| laplacian_plane(n, f, z, plane));
    Ok(out)
}

/// The E-3b learning rule: online SGD (N2.3, batch 1) of one coupling $w_x$ on its neuron's bulk loss
/// $h_x = \tfrac12(y_x - w_xu_x)^2$ (N2.2), $w \leftarrow w + \gamma(y - wu)u$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalCouplingSgd {
    gamma: f64,
}

impl LocalCouplingSgd {
    /// Learning rate $\gamma > 0$.
    pub fn new(gamma: f64) -> Result<Self> {
        check_gamma(gamma)?;
        Ok(Self { gamma })
    }

    /// The learning rate.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// One update of `w` from the input $u = (\Delta\psi^t)\_x$ and the target
    /// $y = \psi^{t+1}\_x - 2\psi^t_x + \psi^{t-1}\_x$.
    #[inline]
    pub fn update(&self, w: f64, u: f64, y: f64) -> f64 {
        w + self.gamma * (y - w * u) * u
    }

    /// The fixed point of the averaged drift, $w^\* = \langle uy\rangle/\langle u^2\rangle$.
    pub fn fixed_point(uy: f64, uu: f64) -> Result<f64> {
        check_positive("<u^2>", uu)?;
        if !uy.is_finite() {
            return Err(NetworkError::NonFinite {
                what: "<u y>",
                index: 0,
                value: uy,
            });
        }
        Ok(uy / uu)
    }

    /// The fixed point for a field with true moments $\langle\Delta\phi\\,r\rangle$ and
    /// $\langle(\Delta\phi)^2\rangle$ observed with independent noise of variance $\sigma^2$:
    /// $w^\* = (\langle\Delta\phi\\,r\rangle + 12\sigma^2)/(\langle(\Delta\phi)^2\rangle + 42\sigma^2)$;
    /// $2/7$ for a uniform (or absent) field.
    pub fn noisy_fixed_point(lap_r: f64, lap_lap: f64, noise_var: f64) -> Result<f64> {
        check_non_negative("<(Delta phi)^2>", lap_lap)?;
        check_non_negative("noise variance", noise_var)?;
        Self::fixed_point(lap_r + 12.0 * noise_var, lap_lap + 42.0 * noise_var)
    }
}

/// Configuration of the E-3b experiment ([`run_newtonian`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewtonianConfig {
    /// Edge length $n$ of the periodic lattice.
    pub n: usize,
    /// Teacher Courant number $C_0$ (uniform).
    pub courant: f64,
    /// Teacher damping $\eta$.
    pub damping: f64,
    /// Source width $a$ (sites) of $g(x) = e^{-|x - x_0|^2/2a^2}$.
    pub source_width: f64,
    /// Source frequency $\Omega$ (rad per step).
    pub frequency: f64,
    /// Source amplitudes $a_i$ (one student each; the vacuum student is added).
    pub amplitudes: Vec<f64>,
    /// Observation-noise standard deviation $\sigma$ (uniform distribution of variance $\sigma^2$).
    pub noise: f64,
    /// Learning rate $\gamma$.
    pub gamma: f64,
    /// Initial coupling of every student.
    pub w0: f64,
    /// Burn-in steps (teacher to its periodic state, students to their fixed point).
    pub burn_in: usize,
    /// Number of time batches.
    pub batches: usize,
    /// Steps per batch.
    pub batch_len: usize,
    /// Seed of the observation noise.
    pub seed: u64,
}

/// What [`run_newtonian`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct NewtonianRun {
    /// Mean distance of each shell (shell $k$ holds sites with $\mathrm{round}(r) = k$, $r \le n/2$).
    pub shell_r: Vec<f64>,
    /// Sites per shell.
    pub shell_count: Vec<usize>,
    /// `profiles[s][b][k]`: shell mean of the time-averaged coupling of student `s` (0 = vacuum, then
    /// one per amplitude) over batch `b`.
    pub profiles: Vec<Vec<Vec<f64>>>,
    /// `fixed_points[s][k]`: shell mean of the local least-squares fixed point
    /// $\langle uy\rangle_x/\langle u^2\rangle_x$ of the moments student `s` saw after burn-in.
    pub fixed_points: Vec<Vec<f64>>,
    /// Time-averaged teacher energy per unit amplitude squared (energy of amplitude $a$ is $a^2$ times
    /// this, by linearity of the teacher).
    pub energy_per_amplitude2: f64,
    /// `signal[k]`: shell mean of the time-averaged $\langle(\Delta\phi)^2\rangle$ of the unit-amplitude
    /// teacher field.
    pub signal: Vec<f64>,
    /// `predicted[s][k]`: shell mean of the local fixed point predicted from the teacher's own moments,
    /// [`LocalCouplingSgd::noisy_fixed_point`]$(a_s^2\langle\Delta\phi\\,r\rangle_x,
    /// a_s^2\langle(\Delta\phi)^2\rangle_x, \sigma^2)$, independent of the students.
    pub predicted: Vec<Vec<f64>>,
}

/// Run E-3b: a teacher wave field with a persistent driven excitation at the centre, observed with
/// noise, learned by one local-coupling student per amplitude plus a vacuum student (see the module
/// docs). All students see the same noise.
pub fn run_newtonian(cfg: &NewtonianConfig) -> Result<NewtonianRun> {
    let (teacher, sgd) = check_newtonian(cfg)?;
    let n = cfg.n;
    let sites = n * n * n;
    let (shells, g) = Shells::new(n, cfg.source_width);
    let amps: Vec<f64> = std::iter::once(0.0)
        .chain(cfg.amplitudes.iter().copied())
        .collect();
    let ns = amps.len();
    // Teacher (unit amplitude) and noise at t-1, t, t+1.
    let mut ph = Levels::zeros(sites);
    let mut e = Levels::zeros(sites);
    let half_width = cfg.noise * 3f64.sqrt();
    let noise = |t: usize, out: &mut [f64]| noise_field(cfg.seed, n, half_width, t, out);
    noise(0, &mut e.prev);
    noise(1, &mut e.cur);
    let mut students = Students::new(ns, sites, cfg.w0);
    let mut sig = vec![0.0; sites];
    let mut cross = vec![0.0; sites];
    let mut profiles = vec![Vec::with_capacity(cfg.batches); ns];
    let mut energy_acc = 0.0;
    let total = cfg.burn_in + cfg.batches * cfg.batch_len;
    let mut source = vec![0.0; sites];
    for t in 0..total {
        // Teacher step t -> t+1 (source at time t).
        let j = (cfg.frequency * t as f64).sin();
        source.par_iter_mut().zip(&g).for_each(|(s, gi)| *s = j * gi);
        ph.next.copy_from_slice(&ph.prev);
        teacher.step_driven(&ph.cur, &mut ph.next, cfg.damping, Some(&source))?;
        noise(t + 2, &mut e.next);
        let lap_ph = laplacian3d(n, &ph.cur)?;
        let lap_e = laplacian3d(n, &e.cur)?;
        let measuring = t >= cfg.burn_in;
        students.learn(&amps, &sgd, [&ph, &e], [&lap_ph, &lap_e], measuring);
        if measuring {
            sig.par_iter_mut().zip(&lap_ph).for_each(|(s, l)| *s += l * l);
            cross
                .par_iter_mut()
                .enumerate()
                .for_each(|(i, c)| *c += lap_ph[i] * ph.second_difference(i));
            energy_acc += teacher.energy(&ph.next, &ph.cur)?;
            if (t + 1 - cfg.burn_in).is_multiple_of(cfg.batch_len) {
                students.close_batch(&shells, cfg.batch_len, &mut profiles);
            }
        }
        ph.rotate();
        e.rotate();
    }
    let steps = (cfg.batches * cfg.batch_len) as f64;
    let fixed_points = (0..ns)
        .map(|s| shells.mean(&|i| students.uy[s][i] / students.uu[s][i].max(1e-300)))
        .collect();
    let signal = shells.mean(&|i| sig[i] / steps);
    let predicted = predicted_profiles(&shells, &amps, &cross, &sig, steps, cfg.noise * cfg.noise)?;
    Ok(NewtonianRun {
        predicted,
        shell_r: shells.r,
        shell_count: shells.count,
        profiles,
        fixed_points,
        energy_per_amplitude2: energy_acc / steps,
        signal,
    })
}

/// Validate a [`NewtonianConfig`]: the teacher network and the students' learning rule.
fn check_newtonian(cfg: &NewtonianConfig) -> Result<(Leapfrog3D, LocalCouplingSgd)> {
    let teacher = Leapfrog3D::uniform(cfg.n, cfg.courant, 0.0)?;
    check_non_negative("damping", cfg.damping)?;
    check_positive("source width", cfg.source_width)?;
    check_positive("noise", cfg.noise)?;
    check_finite("amplitudes", &cfg.amplitudes)?;
    if !cfg.frequency.is_finite() || !cfg.w0.is_finite() {
        return Err(NetworkError::NonFinite {
            what: "frequency / w0",
            index: 0,
            value: cfg.frequency + cfg.w0,
        });
    }
    if cfg.batches < 2 || cfg.batch_len == 0 {
        return Err(NetworkError::InvalidParameter {
            name: "batches",
            value: cfg.batches as f64,
            reason: "need >= 2 batches of >= 1 step",
        });
    }
    Ok((teacher, LocalCouplingSgd::new(cfg.gamma)?))
}

/// Radial shells about the lattice centre $c_0 = \lfloor n/2\rfloor$ (periodic minimum-image
/// distance): shell $k$ holds the sites with $\mathrm{round}(r) = k \le n/2$.
struct Shells {
    /// The shell of each site (`usize::MAX` beyond $n/2$).
    of: Vec<usize>,
    /// Mean distance of each shell.
    r: Vec<f64>,
    /// Sites per shell.
    count: Vec<usize>,
}

impl Shells {
    /// The shells of an $n^3$ lattice and the source profile $g(x) = e^{-r^2/2a^2}$ of width `width`.
    fn new(n: usize, width: f64) -> (Self, Vec<f64>) {
        let sites = n * n * n;
        let c0 = (n / 2) as f64;
        let half = n / 2;
        let mut of = vec![usize::MAX; sites];
        let mut shell_r = vec![0.0; half + 1];
        let mut count = vec![0usize; half + 1];
        let mut g = vec![0.0; sites];
        let d = |a: usize| {
            let v = a as f64 - c0;
            let nf = n as f64;
            (v + nf / 2.0).rem_euclid(nf) - nf / 2.0
        };
        for z in 0..n {
            for y in 0..n {
                for x in 0..n {
                    let r2 = d(x).powi(2) + d(y).powi(2) + d(z).powi(2);
                    let r = r2.sqrt();
                    let i = idx(n, x, y, z);
                    g[i] = (-r2 / (2.0 * width * width)).exp();
                    let k = r.round() as usize;
                    if k <= half {
                        of[i] = k;
                        shell_r[k] += r;
                        count[k] += 1;
                    }
                }
            }
        }
        for (r, &c) in shell_r.iter_mut().zip(&count) {
            *r /= c.max(1) as f64;
        }
        (
            Self {
                of,
                r: shell_r,
                count,
            },
            g,
        )
    }

    /// The shell means of the site function `f`.
    fn mean(&self, f: &dyn Fn(usize) -> f64) -> Vec<f64> {
        let mut s = vec![0.0; self.r.len()];
        for (i, &k) in self.of.iter().enumerate() {
            if k != usize::MAX {
                s[k] += f(i);
            }
        }
        s.iter()
            .zip(&self.count)
            .map(|(v, &c)| v / c.max(1) as f64)
            .collect()
    }
}

/// A field at the time levels $t-1$, $t$, $t+1$.
struct Levels {
    prev: Vec<f64>,
    cur: Vec<f64>,
    next: Vec<f64>,
}

impl Levels {
    fn zeros(sites: usize) -> Self {
        Self {
            prev: vec![0.0; sites],
            cur: vec![0.0; sites],
            next: vec![0.0; sites],
        }
    }

    /// The second time difference $f_{t+1} - 2f_t + f_{t-1}$ at site `i`.
    #[inline]
    fn second_difference(&self, i: usize) -> f64 {
        self.next[i] - 2.0 * self.cur[i] + self.prev[i]
    }

    /// Shift the levels by one step ($t \to t+1$; the old $t-1$ buffer becomes the new $t+1$).
    fn rotate(&mut self) {
        std::mem::swap(&mut self.prev, &mut self.cur);
        std::mem::swap(&mut self.cur, &mut self.next);
    }
}

/// The observation noise of step `t`: uniform on $[-h, h)$, plane $z$ drawn from
/// [`member_rng`]`(seed, t n + z)`.
fn noise_field(seed: u64, n: usize, half_width: f64, t: usize, out: &mut [f64]) {
    out.par_chunks_mut(n * n).enumerate().for_each(|(z, plane)| {
        let mut rng = member_rng(seed, (t * n + z) as u64);
        for v in plane.iter_mut() {
            *v = rng.random_range(-half_width..half_width);
        }
    });
}

/// The local-coupling students of E-3b: couplings, their batch sums and the moments they saw.
struct Students {
    w: Vec<Vec<f64>>,
    w_sum: Vec<Vec<f64>>,
    uy: Vec<Vec<f64>>,
    uu: Vec<Vec<f64>>,
}

impl Students {
    fn new(ns: usize, sites: usize, w0: f64) -> Self {
        Self {
            w: vec![vec![w0; sites]; ns],
            w_sum: vec![vec![0.0; sites]; ns],
            uy: vec![vec![0.0; sites]; ns],
            uu: vec![vec![0.0; sites]; ns],
        }
    }

    /// One SGD step of every student $s$ on $u = a_s\Delta\phi + \Delta e$,
    /// $y = a_s\delta_t^2\phi + \delta_t^2 e$ (`fields` = [teacher, noise], `laps` their Laplacians).
    fn learn(
        &mut self,
        amps: &[f64],
        sgd: &LocalCouplingSgd,
        fields: [&Levels; 2],
        laps: [&[f64]; 2],
        measuring: bool,
    ) {
        let ([ph, e], [lap_ph, lap_e]) = (fields, laps);
        for (s, &a) in amps.iter().enumerate() {
            let (uys, uus) = (&mut self.uy[s], &mut self.uu[s]);
            self.w[s]
                .par_iter_mut()
                .zip(self.w_sum[s].par_iter_mut())
                .zip(uys.par_iter_mut().zip(uus.par_iter_mut()))
                .enumerate()
                .for_each(|(i, ((wi, si), (uyi, uui)))| {
                    let u = a * lap_ph[i] + lap_e[i];
                    let y = a * ph.second_difference(i) + e.second_difference(i);
                    *wi = sgd.update(*wi, u, y);
                    if measuring {
                        *si += *wi;
                        *uyi += u * y;
                        *uui += u * u;
                    }
                });
        }
    }

    /// Push each student's batch-mean coupling profile and reset the batch sums.
    fn close_batch(&mut self, shells: &Shells, batch_len: usize, profiles: &mut [Vec<Vec<f64>>]) {
        for (ws, prof) in self.w_sum.iter_mut().zip(profiles.iter_mut()) {
            let bl = batch_len as f64;
            prof.push(shells.mean(&|i| ws[i] / bl));
            ws.iter_mut().for_each(|v| *v = 0.0);
        }
    }
}

/// The shell means of the predicted fixed points [`LocalCouplingSgd::noisy_fixed_point`] of every
/// amplitude from the teacher's own time-averaged moments (`cross`, `sig` summed over `steps`).
fn predicted_profiles(
    shells: &Shells,
    amps: &[f64],
    cross: &[f64],
    sig: &[f64],
    steps: f64,
    var: f64,
) -> Result<Vec<Vec<f64>>> {
    let mut predicted = Vec::with_capacity(amps.len());
    for &a in amps {
        let mut wstar = vec![0.0; sig.len()];
        for i in 0..sig.len() {
            wstar[i] =
                LocalCouplingSgd::noisy_fixed_point(a * a * cross[i] / steps, a * a * sig[i] / steps, var)?;
        }
        predicted.push(shells.mean(&|i| wstar[i]));
    }
    Ok(predicted)
}

/// A weighted least-squares fit of a radial profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileFit {
    /// Model name.
    pub model: &'static str,
    /// Amplitude $A$ of the shape (0 for the contact model).
    pub amplitude: f64,
    /// One-sigma error of $A$.
    pub amplitude_err: f64,
    /// Offset $B$.
    pub offset: f64,
    /// Range $\lambda$ (Yukawa only; infinite otherwise).
    pub range: f64,
    /// $\chi^2$.
    pub chi2: f64,
    /// Degrees of freedom (points minus parameters).
    pub dof: usize,
    /// Akaike information criterion $\chi^2 + 2k$.
    pub aic: f64,
    /// The model at the data points.
    pub fitted: Vec<f64>,
}

/// The three E-3b profile models.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ProfileModel {
    /// Newtonian: $A(1/r + 2\pi r^2/3V) + B$, the periodic-box Green function of $-\nabla^2$ times $4\pi$
    /// near the source ($\nabla^2 G = -\delta + 1/V$, $4\pi G = 1/r + 2\pi r^2/3V + \text{const}$).
    Newtonian {
        /// Box volume $V = n^3$.
        volume: f64,
    },
    /// Yukawa $A e^{-r/\lambda}/r + B$ with $\lambda$ scanned over a log grid.
    Yukawa,
    /// Contact (zero outside the source) or absent: $B$ only.
    Contact,
}

/// Weighted linear least squares of $y \approx A f(r) + B$ (or $B$ alone if `shape` is `None`).
fn linear_fit(
    r: &[f64],
    y: &[f64],
    sigma: &[f64],
    shape: Option<&dyn Fn(f64) -> f64>,
) -> (f64, f64, f64, f64) {
    let wts: Vec<f64> = sigma.iter().map(|s| 1.0 / (s * s)).collect();
    match shape {
        None => {
            let sw: f64 = wts.iter().sum();
            let b = y.iter().zip(&wts).map(|(v, w)| v * w).sum::<f64>() / sw;
            let chi2 = y.iter().zip(&wts).map(|(v, w)| (v - b).powi(2) * w).sum();
            (0.0, 0.0, b, chi2)
        }
        Some(f) => {
            let (mut s11, mut s1, mut s0, mut t1, mut t0) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for i in 0..r.len() {
                let fi = f(r[i]);
                s11 += wts[i] * fi * fi;
                s1 += wts[i] * fi;
                s0 += wts[i];
                t1 += wts[i] * fi * y[i];
                t0 += wts[i] * y[i];
            }
            let det = s11 * s0 - s1 * s1;
            let a = (t1 * s0 - t0 * s1) / det;
            let b = (s11 * t0 - s1 * t1) / det;
            let a_err = (s0 / det).sqrt();
            let chi2 = (0..r.len())
                .map(|i| (y[i] - a * f(r[i]) - b).powi(2) * wts[i])
                .sum();
            (a, a_err, b, chi2)
        }
    }
}

/// Name, amplitude, its error, offset, χ², range and shape of one fit.
type FitParts = (&'static str, f64, f64, f64, f64, f64, Box<dyn Fn(f64) -> f64>);

/// Fit a radial profile `y(r) ± sigma` with one of the [`ProfileModel`]s.
pub fn fit_profile(model: ProfileModel, r: &[f64], y: &[f64], sigma: &[f64]) -> Result<ProfileFit> {
    let k = check_profile(model, r, y, sigma)?;
    let (name, a, a_err, b, chi2, range, shape): FitParts = match model {
        ProfileModel::Newtonian { volume } => {
            check_positive("box volume", volume)?;
            let f = move |x: f64| 1.0 / x + 2.0 * std::f64::consts::PI * x * x / (3.0 * volume);
            let (a, ae, b, c) = linear_fit(r, y, sigma, Some(&f));
            (
                "Newtonian 1/r (periodic box)",
                a,
                ae,
                b,
                c,
                f64::INFINITY,
                Box::new(f),
            )
        }
        ProfileModel::Contact => {
            let (_, _, b, c) = linear_fit(r, y, sigma, None);
            (
                "contact / absent",
                0.0,
                0.0,
                b,
                c,
                f64::INFINITY,
                Box::new(|_| 0.0),
            )
        }
        ProfileModel::Yukawa => fit_yukawa(r, y, sigma),
    };
    let fitted = r.iter().map(|&x| a * shape(x) + b).collect();
    Ok(ProfileFit {
        model: name,
        amplitude: a,
        amplitude_err: a_err,
        offset: b,
        range,
        chi2,
        dof: r.len() - k,
        aic: chi2 + 2.0 * k as f64,
        fitted,
    })
}

/// Validate the data of [`fit_profile`]; the number of parameters $k$ of `model`.
fn check_profile(model: ProfileModel, r: &[f64], y: &[f64], sigma: &[f64]) -> Result<usize> {
    check_len("profile values", r.len(), y.len())?;
    check_len("profile sigmas", r.len(), sigma.len())?;
    check_finite("radii", r)?;
    check_finite("profile values", y)?;
    if let Some(i) = sigma.iter().position(|s| !(s.is_finite() && *s > 0.0)) {
        return Err(NetworkError::InvalidParameter {
            name: "profile sigma",
            value: sigma[i],
            reason: "must be finite and > 0",
        });
    }
    if let Some(i) = r.iter().position(|v| *v <= 0.0) {
        return Err(NetworkError::InvalidParameter {
            name: "radius",
            value: r[i],
            reason: "must be > 0",
        });
    }
    let k = match model {
        ProfileModel::Newtonian { .. } => 2,
        ProfileModel::Yukawa => 3,
        ProfileModel::Contact => 1,
    };
    if r.len() <= k {
        return Err(NetworkError::ShapeMismatch {
            what: "profile points (more than the parameters)",
            expected: k + 1,
            got: r.len(),
        });
    }
    Ok(k)
}

/// The Yukawa fit: $\lambda$ on a log grid from 0.1 to $10^4$ sites, then a golden-section
/// refinement; the better of the two.
fn fit_yukawa(r: &[f64], y: &[f64], sigma: &[f64]) -> FitParts {
    let mut best = (f64::INFINITY, 0.0, 0.0, 0.0, 0.0);
    // log grid from 0.1 to 1e4 sites, then a golden-section refinement.
    let chi = |lam: f64| {
        let f = move |x: f64| (-x / lam).exp() / x;
        linear_fit(r, y, sigma, Some(&f))
    };
    for i in 0..=200 {
        let lam = 10f64.powf(-1.0 + 5.0 * i as f64 / 200.0);
        let (a, ae, b, c) = chi(lam);
        if c < best.0 {
            best = (c, lam, a, ae, b);
        }
    }
    let (mut lo, mut hi) = (best.1 / 1.06, best.1 * 1.06);
    for _ in 0..60 {
        let m1 = lo + 0.382 * (hi - lo);
        let m2 = lo + 0.618 * (hi - lo);
        if chi(m1).3 < chi(m2).3 { hi = m2 } else { lo = m1 }
    }
    let lam = 0.5 * (lo + hi);
    let (a, ae, b, c) = chi(lam);
    let (a, ae, b, c, lam) = if c < best.0 {
        (a, ae, b, c, lam)
    } else {
        (best.2, best.3, best.4, best.0, best.1)
    };
    (
        "Yukawa e^{-r/λ}/r",
        a,
        ae,
        b,
        c,
        lam,
        Box::new(move |x: f64| (-x / lam).exp() / x),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};

    #[test]
    fn plane_wave_obeys_the_3d_dispersion() {
        // φ = cos(k·x - ωt) with the discrete ω is an exact solution of the leapfrog network.
        let n = 8;
        let courant = 0.5;
        let kv = [
            2.0 * std::f64::consts::PI * 1.0 / 8.0,
            2.0 * std::f64::consts::PI * 2.0 / 8.0,
            2.0 * std::f64::consts::PI * 3.0 / 8.0,
        ];
        let om = leapfrog3d_omega(courant, kv, 0.0);
        let s: f64 = kv.iter().map(|k| (k / 2.0).sin().powi(2)).sum();
        assert!((om.cos() - (1.0 - 2.0 * courant * courant * s)).abs() < 1e-15);
        let net = Leapfrog3D::uniform(n, courant, 0.0).unwrap();
        let field = |t: f64| -> Vec<f64> {
            let mut f = vec![0.0; n * n * n];
            for z in 0..n {
                for y in 0..n {
                    for x in 0..n {
                        f[idx(n, x, y, z)] =
                            (kv[0] * x as f64 + kv[1] * y as f64 + kv[2] * z as f64 - om * t).cos();
                    }
                }
            }
            f
        };
        let (mut cur, mut prev) = (field(0.0), field(-1.0));
        for _ in 0..20 {
            net.step(&cur, &mut prev).unwrap();
            std::mem::swap(&mut cur, &mut prev);
        }
        let exact = field(20.0);
        let err = cur
            .iter()
            .zip(&exact)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(err < 1e-11, "plane-wave error {err}");
    }

    #[test]
    fn energy_is_conserved_without_damping() {
        let n = 6;
        let net = Leapfrog3D::uniform(n, 0.4, 0.0).unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let mut cur: Vec<f64> = (0..n * n * n).map(|_| StandardNormal.sample(&mut rng)).collect();
        let mut prev = cur.clone();
        let e0 = net.energy(&cur, &prev).unwrap();
        for _ in 0..50 {
            net.step(&cur, &mut prev).unwrap();
            std::mem::swap(&mut cur, &mut prev);
        }
        let e1 = net.energy(&cur, &prev).unwrap();
        assert!((e1 - e0).abs() < 1e-10 * e0.abs(), "{e0} vs {e1}");
    }

    #[test]
    fn noise_fixed_point_of_an_empty_field_is_two_sevenths() {
        // A uniform field has Δφ = 0 = r: the fixed point is the pure-noise least-squares slope 12/42.
        let w = LocalCouplingSgd::noisy_fixed_point(0.0, 0.0, 0.7).unwrap();
        assert!((w - 2.0 / 7.0).abs() < 1e-15);
        // SGD on noisy observations of a uniform field reaches it.
        let n = 6;
        let sgd = LocalCouplingSgd::new(2e-3).unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let level = 3.0;
        let obs = |rng: &mut rand::rngs::StdRng| -> Vec<f64> {
            (0..n * n * n)
                .map(|_| {
                    let v: f64 = StandardNormal.sample(&mut *rng);
                    level + v
                })
                .collect()
        };
        let (mut a, mut b) = (obs(&mut rng), obs(&mut rng));
        let mut wsite = 0.0;
        let (mut acc, mut cnt) = (0.0, 0.0);
        for t in 0..40_000 {
            let c = obs(&mut rng);
            let lap = laplacian3d(n, &b).unwrap();
            let i = 17;
            wsite = sgd.update(wsite, lap[i], c[i] - 2.0 * b[i] + a[i]);
            if t > 5_000 {
                acc += wsite;
                cnt += 1.0;
            }
            a = b;
            b = c;
        }
        let mean = acc / cnt;
        assert!((mean - 2.0 / 7.0).abs() < 0.01, "SGD mean {mean}");
    }

    #[test]
    fn noisy_fixed_point_for_a_plane_wave() {
        // For a noise-free plane wave of the network with coupling w0 the moments are <Δφ r> = w0 S,
        // <(Δφ)^2> = S; the fixed point interpolates between w0 (no noise) and 2/7 (noise only).
        let s = 2.5;
        let w0 = 0.2;
        assert!((LocalCouplingSgd::noisy_fixed_point(w0 * s, s, 0.0).unwrap() - w0).abs() < 1e-15);
        let w = LocalCouplingSgd::noisy_fixed_point(w0 * s, s, 0.1).unwrap();
        assert!((w - (0.5 + 1.2) / (2.5 + 4.2)).abs() < 1e-15);
        assert!(LocalCouplingSgd::noisy_fixed_point(1.0, -1.0, 0.1).is_err());
    }

    #[test]
    fn profile_fits_recover_their_own_models() {
        let r: Vec<f64> = (3..15).map(|v| v as f64).collect();
        let sig = vec![1e-3; r.len()];
        let vol = 32f64.powi(3);
        let y: Vec<f64> = r
            .iter()
            .map(|x| 0.5 * (1.0 / x + 2.0 * std::f64::consts::PI * x * x / (3.0 * vol)) - 0.1)
            .collect();
        let f = fit_profile(ProfileModel::Newtonian { volume: vol }, &r, &y, &sig).unwrap();
        assert!((f.amplitude - 0.5).abs() < 1e-10 && (f.offset + 0.1).abs() < 1e-10 && f.chi2 < 1e-12);
        let yk: Vec<f64> = r.iter().map(|x| 0.3 * (-x / 4.0).exp() / x + 0.02).collect();
        let f = fit_profile(ProfileModel::Yukawa, &r, &yk, &sig).unwrap();
        assert!(
            (f.range - 4.0).abs() < 1e-4 && (f.amplitude - 0.3).abs() < 1e-5,
            "{f:?}"
        );
        let c = fit_profile(ProfileModel::Contact, &r, &vec![0.7; r.len()], &sig).unwrap();
        assert!((c.offset - 0.7).abs() < 1e-14 && c.chi2 < 1e-20 && c.aic == 2.0);
        assert!(fit_profile(ProfileModel::Contact, &r, &y, &vec![0.0; r.len()]).is_err());
    }

    #[test]
    fn bad_input_is_rejected() {
        assert!(Leapfrog3D::uniform(8, 0.6, 0.0).is_err());
        assert!(Leapfrog3D::uniform(2, 0.1, 0.0).is_err());
        assert!(LocalCouplingSgd::new(-1.0).is_err());
        let net = Leapfrog3D::uniform(4, 0.3, 0.0).unwrap();
        assert!(net.step(&[0.0; 5], &mut [0.0; 64]).is_err());
    }
}
