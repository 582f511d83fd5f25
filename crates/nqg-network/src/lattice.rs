//! Lattice networks of the gravity side: the permutation ring (N-5), leapfrog wave/Klein-Gordon
//! networks in 1D and 2D (N-5, N-6), dispersion measurement, and learning banded couplings (N-7).
//!
//! * Permutation ring: state $x = (u, v)$ on $L$ sites, $\hat w = P \oplus P^T$ with $P$ the right
//!   shift, $b = 0$, identity activation. Then $\phi = u + v$ obeys
//!   $\phi(t, s) = u_0(s - t) + v_0(s + t)$ exactly: a light cone of one site per step.
//! * Leapfrog network: state $x = (\phi^t, \phi^{t-1})$ and
//!   $\phi^{t+1}\_s = (2 - 2C_s^2 - \mu^2)\phi^t_s + C_s^2(\phi^t_{s+1} + \phi^t_{s-1}) - \phi^{t-1}\_s$
//!   with Courant number $C_s = c(s)\\,\Delta t/\Delta s$ and $\mu = m\\,\Delta t$ (Klein-Gordon for
//!   $\mu > 0$). For uniform $C$ and $\mu = 0$ a mode $e^{iks}$ oscillates with
//!   $\cos\omega\Delta t = 1 - 2C^2\sin^2(k\Delta s/2)$; $C = 1$ is the permutation limit $\omega = k$.
//!   Stability needs $4C^2 + \mu^2 \le 4$. The 2D network uses the 5-point Laplacian.
//! * Learning (N-7): a banded $\hat w$ minimising $\tfrac12|x(t+1) - \hat w x(t)|^2$ over trajectories,
//!   by exact least squares per row ([`fit_pattern_least_squares`]) or SGD ([`fit_pattern_sgd`]); the
//!   speed field is read back as $c(s) = \sqrt{(w_{s,s-1} + w_{s,s+1})/2}\\,\Delta s/\Delta t$.

use rand::RngExt;
use rustfft::FftPlanner;
use rustfft::num_complex::Complex64;

use crate::error::{
    NetworkError, Result, check_finite, check_len, check_non_negative, check_positive, check_size,
};
use crate::network::{Act, Network, Weights};
use crate::rng::member_rng;

/// The frequency bin of the largest spectral line among bins `0..=half` of `series`, refined by a
/// parabola through the log-magnitudes of its neighbours (fractional bin; multiply by the bin width).
pub(crate) fn spectral_peak(series: &[Complex64], half: usize) -> f64 {
    let mag: Vec<f64> = series.iter().map(|c| c.norm().max(1e-300).ln()).collect();
    let (mut best, mut arg) = (f64::NEG_INFINITY, 0usize);
    for (b, &m) in mag.iter().enumerate().take(half + 1) {
        if m > best {
            best = m;
            arg = b;
        }
    }
    let delta = if arg > 0 && arg < half && arg + 1 < mag.len() {
        let (a, b, c) = (mag[arg - 1], mag[arg], mag[arg + 1]);
        let den = a - 2.0 * b + c;
        if den.abs() > 0.0 { 0.5 * (a - c) / den } else { 0.0 }
    } else {
        0.0
    };
    arg as f64 + delta
}

/// The permutation network on a ring of $L$ sites (N-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermutationRing {
    l: usize,
}

impl PermutationRing {
    /// A ring of `l >= 1` sites.
    pub fn new(l: usize) -> Result<Self> {
        if l == 0 {
            return Err(NetworkError::InvalidParameter {
                name: "ring size L",
                value: 0.0,
                reason: "must be >= 1",
            });
        }
        Ok(Self { l })
    }

    /// Ring size.
    pub fn len(&self) -> usize {
        self.l
    }

    /// Whether the ring is empty (never: `l >= 1`).
    pub fn is_empty(&self) -> bool {
        self.l == 0
    }

    /// The ring as a [`Network`] of $2L$ neurons: $\hat w = P \oplus P^T$, $b = 0$, identity, no boundary.
    pub fn to_network(&self) -> Result<Network<Act>> {
        let l = self.l;
        let mut t = Vec::with_capacity(2 * l);
        for s in 0..l {
            t.push((s, (s + l - 1) % l, 1.0));
            t.push((l + s, l + (s + 1) % l, 1.0));
        }
        Network::new(
            Weights::sparse(2 * l, &t)?,
            vec![0.0; 2 * l],
            vec![],
            Act::Identity,
        )
    }

    /// One step in place: $u_s \leftarrow u_{s-1}$, $v_s \leftarrow v_{s+1}$.
    pub fn step(&self, u: &mut [f64], v: &mut [f64]) -> Result<()> {
        check_len("u", self.l, u.len())?;
        check_len("v", self.l, v.len())?;
        u.rotate_right(1);
        v.rotate_left(1);
        Ok(())
    }
}

/// Check a Courant field and mass for stability ($4C^2 + \mu^2 \le 4$).
fn check_courant(c: &[f64], mu: f64) -> Result<()> {
    check_finite("Courant numbers", c)?;
    check_non_negative("mass*dt", mu)?;
    for &ci in c {
        if ci < 0.0 || 4.0 * ci * ci + mu * mu > 4.0 + 1e-12 {
            return Err(NetworkError::InvalidParameter {
                name: "Courant number C",
                value: ci,
                reason: "leapfrog needs C >= 0 and 4C^2 + (m dt)^2 <= 4",
            });
        }
    }
    Ok(())
}

/// A 1D periodic leapfrog (wave / Klein-Gordon) network with a site-dependent Courant number.
#[derive(Debug, Clone, PartialEq)]
pub struct Leapfrog1D {
    c2: Vec<f64>,
    mu2: f64,
}

impl Leapfrog1D {
    /// From Courant numbers $C_s$ (one per site) and $\mu = m\\,\Delta t$.
    pub fn new(courant: &[f64], mass_dt: f64) -> Result<Self> {
        if courant.is_empty() {
            return Err(NetworkError::ShapeMismatch {
                what: "Courant field (at least one site)",
                expected: 1,
                got: 0,
            });
        }
        check_courant(courant, mass_dt)?;
        Ok(Self {
            c2: courant.iter().map(|c| c * c).collect(),
            mu2: mass_dt * mass_dt,
        })
    }

    /// From a speed field $c(s)$, steps $\Delta t$, $\Delta s$ and mass $m$.
    pub fn from_speed(speed: &[f64], dt: f64, ds: f64, mass: f64) -> Result<Self> {
        check_positive("dt", dt)?;
        check_positive("ds", ds)?;
        let c: Vec<f64> = speed.iter().map(|c| c * dt / ds).collect();
        Self::new(&c, mass * dt)
    }

    /// Number of sites $L$.
    pub fn len(&self) -> usize {
        self.c2.len()
    }

    /// Whether there are no sites (never).
    pub fn is_empty(&self) -> bool {
        self.c2.is_empty()
    }

    /// $C_s^2$.
    pub fn courant_squared(&self) -> &[f64] {
        &self.c2
    }

    /// One step in place: `prev` becomes $\phi^{t+1}$; then swap the roles of the buffers.
    pub fn step(&self, cur: &[f64], prev: &mut [f64]) -> Result<()> {
        let l = self.len();
        check_len("phi^t", l, cur.len())?;
        check_len("phi^{t-1}", l, prev.len())?;
        for s in 0..l {
            let left = cur[(s + l - 1) % l];
            let right = cur[(s + 1) % l];
            let c2 = self.c2[s];
            prev[s] = (2.0 - 2.0 * c2 - self.mu2) * cur[s] + c2 * (left + right) - prev[s];
        }
        Ok(())
    }

    /// Evolve `steps` steps from $(\phi^0, \phi^{-1})$; returns $\phi^t$ for $t = 0..=$ `steps`.
    pub fn evolve(&self, phi0: &[f64], phi_prev: &[f64], steps: usize) -> Result<Vec<Vec<f64>>> {
        check_finite("phi^0", phi0)?;
        check_finite("phi^{-1}", phi_prev)?;
        let mut cur = phi0.to_vec();
        let mut prev = phi_prev.to_vec();
        let mut out = vec![cur.clone()];
        for _ in 0..steps {
            self.step(&cur, &mut prev)?;
            std::mem::swap(&mut cur, &mut prev);
            out.push(cur.clone());
        }
        Ok(out)
    }

    /// Initial data $(\phi^0, \phi^{-1})$ of a Gaussian wave packet
    /// $\phi(t, s) = e^{-(s - c - v_g t)^2/2w^2}\cos(k(s - c) - \omega t)$ moving right (`direction` = +1)
    /// or left (-1), with $\omega$ and $v_g = d\omega/dk$ from the dispersion at the Courant number of
    /// site `center` (periodic distance on the ring).
    pub fn packet(&self, center: f64, width: f64, k: f64, direction: f64) -> Result<(Vec<f64>, Vec<f64>)> {
        check_positive("packet width", width)?;
        if !(center.is_finite() && k.is_finite() && direction.is_finite()) {
            return Err(NetworkError::NonFinite {
                what: "packet parameters",
                index: 0,
                value: center + k + direction,
            });
        }
        let l = self.len();
        let site = (center.rem_euclid(l as f64) as usize).min(l - 1);
        let c = self.c2[site].sqrt();
        let mu = self.mu2.sqrt();
        let omega = leapfrog_omega(c, k, mu);
        // v_g = d omega/dk = C^2 sin k / sin omega (exact for the discrete relation).
        let vg = if omega.sin().abs() > 1e-12 {
            c * c * k.sin() / omega.sin()
        } else {
            0.0
        };
        let dir = direction.signum();
        let wrap = |d: f64| {
            let lf = l as f64;
            (d + lf / 2.0).rem_euclid(lf) - lf / 2.0
        };
        let field = |t: f64| -> Vec<f64> {
            (0..l)
                .map(|s| {
                    let d = wrap(s as f64 - center - dir * vg * t);
                    let phase = wrap(s as f64 - center);
                    (-(d * d) / (2.0 * width * width)).exp() * (k * phase - dir * omega * t).cos()
                })
                .collect()
        };
        Ok((field(0.0), field(-1.0)))
    }

    /// The network of $2L$ neurons on $x = (\phi^t, \phi^{t-1})$ whose $\hat w$ implements the step.
    pub fn to_network(&self) -> Result<Network<Act>> {
        let l = self.len();
        let mut t = Vec::with_capacity(5 * l);
        for s in 0..l {
            let c2 = self.c2[s];
            t.push((s, s, 2.0 - 2.0 * c2 - self.mu2));
            t.push((s, (s + l - 1) % l, c2));
            t.push((s, (s + 1) % l, c2));
            t.push((s, l + s, -1.0));
            t.push((l + s, s, 1.0));
        }
        Network::new(
            Weights::sparse(2 * l, &t)?,
            vec![0.0; 2 * l],
            vec![],
            Act::Identity,
        )
    }
}

/// A 2D periodic leapfrog network on an $n_x \times n_y$ grid (5-point Laplacian), row-major fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Leapfrog2D {
    nx: usize,
    ny: usize,
    c2: Vec<f64>,
    mu2: f64,
}

impl Leapfrog2D {
    /// From a Courant field (row-major, index $y n_x + x$) and $\mu = m\\,\Delta t$; stability needs
    /// $8C^2 + \mu^2 \le 4$.
    pub fn new(nx: usize, ny: usize, courant: &[f64], mass_dt: f64) -> Result<Self> {
        if nx < 3 || ny < 3 {
            return Err(NetworkError::InvalidParameter {
                name: "grid size",
                value: nx.min(ny) as f64,
                reason: "2D leapfrog needs nx, ny >= 3",
            });
        }
        let cells = check_size("2D lattice sites (nx × ny)", &[nx, ny])?;
        check_len("Courant field (nx*ny)", cells, courant.len())?;
        check_finite("Courant numbers", courant)?;
        check_non_negative("mass*dt", mass_dt)?;
        if let Some(&c) = courant
            .iter()
            .find(|&&c| c < 0.0 || 8.0 * c * c + mass_dt * mass_dt > 4.0 + 1e-12)
        {
            return Err(NetworkError::InvalidParameter {
                name: "Courant number C",
                value: c,
                reason: "2D leapfrog needs C >= 0 and 8C^2 + (m dt)^2 <= 4",
            });
        }
        Ok(Self {
            nx,
            ny,
            c2: courant.iter().map(|c| c * c).collect(),
            mu2: mass_dt * mass_dt,
        })
    }

    /// Uniform Courant number.
    pub fn uniform(nx: usize, ny: usize, courant: f64, mass_dt: f64) -> Result<Self> {
        let cells = check_size("2D lattice sites (nx × ny)", &[nx, ny])?;
        Self::new(nx, ny, &vec![courant; cells], mass_dt)
    }

    /// Grid shape $(n_x, n_y)$.
    pub fn shape(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }

    /// One step in place: `prev` becomes $\phi^{t+1}$ (then swap buffers).
    pub fn step(&self, cur: &[f64], prev: &mut [f64]) -> Result<()> {
        let (nx, ny) = (self.nx, self.ny);
        check_len("phi^t", nx * ny, cur.len())?;
        check_len("phi^{t-1}", nx * ny, prev.len())?;
        let mu2 = self.mu2;
        for y in 0..ny {
            let up = ((y + ny - 1) % ny) * nx;
            let dn = ((y + 1) % ny) * nx;
            let row = y * nx;
            let c = &cur[row..row + nx];
            let cu = &cur[up..up + nx];
            let cd = &cur[dn..dn + nx];
            let c2 = &self.c2[row..row + nx];
            let p = &mut prev[row..row + nx];
            let upd = |x: usize, left: f64, right: f64, p: &mut f64| {
                let lap = left + right + cu[x] + cd[x] - 4.0 * c[x];
                *p = (2.0 - mu2) * c[x] + c2[x] * lap - *p;
            };
            upd(0, c[nx - 1], c[1], &mut p[0]);
            for x in 1..nx - 1 {
                let lap = c[x - 1] + c[x + 1] + cu[x] + cd[x] - 4.0 * c[x];
                p[x] = (2.0 - mu2) * c[x] + c2[x] * lap - p[x];
            }
            upd(nx - 1, c[nx - 2], c[0], &mut p[nx - 1]);
        }
        Ok(())
    }
}

/// The leapfrog dispersion relation $\omega(k)$ from $\cos\omega = 1 - 2C^2\sin^2(k/2) - \mu^2/2$
/// (units $\Delta t = \Delta s = 1$).
pub fn leapfrog_omega(courant: f64, k: f64, mass_dt: f64) -> f64 {
    let s = (k / 2.0).sin();
    (1.0 - 2.0 * courant * courant * s * s - 0.5 * mass_dt * mass_dt)
        .clamp(-1.0, 1.0)
        .acos()
}

/// One measured dispersion point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DispersionPoint {
    /// Wavenumber $k$ (per site).
    pub k: f64,
    /// $\omega$ from the peak of the space-time FFT (per step).
    pub omega_measured: f64,
    /// $\omega$ of the closed form.
    pub omega_theory: f64,
}

/// Measure $\omega(k)$ of a uniform 1D leapfrog network from the 2D FFT of $\phi(t, s)$.
///
/// Random white-noise initial data at rest ($\phi^{-1} = \phi^0$) on `l` sites are evolved `steps`
/// steps; each spatial mode's time series is Hann-windowed and Fourier transformed and the peak in
/// $[0, \pi]$ is located by parabolic interpolation of the log-magnitude. Returns one point per
/// $k = 2\pi j/L$, $j = 1..L/2$, with the frequency resolution $2\pi/$`steps`.
pub fn measure_dispersion(
    courant: f64,
    mass_dt: f64,
    l: usize,
    steps: usize,
    seed: u64,
) -> Result<(Vec<DispersionPoint>, f64)> {
    if l < 4 || steps < 16 {
        return Err(NetworkError::InvalidParameter {
            name: "lattice size / steps",
            value: l.min(steps) as f64,
            reason: "need L >= 4 and steps >= 16",
        });
    }
    let net = Leapfrog1D::new(&vec![courant; l], mass_dt)?;
    let mut rng = member_rng(seed, 0);
    let phi0: Vec<f64> = (0..l).map(|_| rng.random::<f64>() - 0.5).collect();
    let hist = net.evolve(&phi0, &phi0, steps - 1)?;
    let mut planner = FftPlanner::<f64>::new();
    let fft_s = planner.plan_fft_forward(l);
    let fft_t = planner.plan_fft_forward(steps);
    // a[t][k]
    let mut modes: Vec<Vec<Complex64>> = hist
        .iter()
        .map(|phi| phi.iter().map(|&v| Complex64::new(v, 0.0)).collect())
        .collect();
    for m in &mut modes {
        fft_s.process(m);
    }
    let dw = 2.0 * std::f64::consts::PI / steps as f64;
    let mut out = Vec::new();
    for j in 1..=l / 2 {
        let mut series: Vec<Complex64> = (0..steps)
            .map(|t| {
                let hann = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * t as f64 / steps as f64).cos();
                modes[t][j] * hann
            })
            .collect();
        fft_t.process(&mut series);
        let half = steps / 2;
        let peak = spectral_peak(&series, half);
        let k = 2.0 * std::f64::consts::PI * j as f64 / l as f64;
        out.push(DispersionPoint {
            k,
            omega_measured: peak * dw,
            omega_theory: leapfrog_omega(courant, k, mass_dt),
        });
    }
    Ok((out, dw))
}

/// Fit the stored entries of `pattern` to minimise $\sum_t \tfrac12|x'\_t - \hat w x_t|^2$ exactly:
/// each row solves its own normal equations (Cholesky). `pairs` are $(x_t, x'\_t)$, consumed in one
/// streaming pass (memory $O(\text{nnz})$, so arbitrarily many pairs can be generated lazily).
pub fn fit_pattern_least_squares<X: AsRef<[f64]>>(
    pattern: &Weights,
    pairs: impl IntoIterator<Item = (X, X)>,
) -> Result<Weights> {
    let n = pattern.n();
    let entries = pattern.entries();
    // Row ranges in storage order.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, &(i, _)) in entries.iter().enumerate() {
        rows[i].push(k);
    }
    let mut gram: Vec<Vec<f64>> = rows.iter().map(|r| vec![0.0; r.len() * r.len()]).collect();
    let mut rhs: Vec<Vec<f64>> = rows.iter().map(|r| vec![0.0; r.len()]).collect();
    let mut count = 0usize;
    for (x, xn) in pairs {
        let (x, xn) = (x.as_ref(), xn.as_ref());
        check_len("training input", n, x.len())?;
        check_len("training target", n, xn.len())?;
        count += 1;
        for i in 0..n {
            let r = &rows[i];
            let d = r.len();
            for a in 0..d {
                let xa = x[entries[r[a]].1];
                rhs[i][a] += xa * xn[i];
                for b in 0..d {
                    gram[i][a * d + b] += xa * x[entries[r[b]].1];
                }
            }
        }
    }
    if count == 0 {
        return Err(NetworkError::InvalidParameter {
            name: "training pairs",
            value: 0.0,
            reason: "need at least one pair",
        });
    }
    let mut vals = vec![0.0; entries.len()];
    for i in 0..n {
        let d = rows[i].len();
        if d == 0 {
            continue;
        }
        let g = nalgebra::DMatrix::from_row_slice(d, d, &gram[i]);
        let chol = g.clone().cholesky().ok_or(NetworkError::Singular {
            what: "row normal equations",
            value: g.determinant(),
        })?;
        let sol = chol.solve(&nalgebra::DVector::from_column_slice(&rhs[i]));
        for (a, &k) in rows[i].iter().enumerate() {
            vals[k] = sol[a];
        }
    }
    let mut w = pattern.clone();
    w.set_values(&vals)?;
    Ok(w)
}

/// Fit the stored entries of `pattern` by plain SGD on $\tfrac12|x' - \hat w x|^2$: `epochs` passes
/// over `pairs` in a seed-derived random order, step `gamma`, starting from `pattern`'s values.
pub fn fit_pattern_sgd(
    pattern: &Weights,
    pairs: &[(Vec<f64>, Vec<f64>)],
    gamma: f64,
    epochs: usize,
    seed: u64,
) -> Result<Weights> {
    crate::error::check_gamma(gamma)?;
    let n = pattern.n();
    for (x, xn) in pairs {
        check_len("training input", n, x.len())?;
        check_len("training target", n, xn.len())?;
    }
    let entries = pattern.entries();
    let mut w = pattern.clone();
    let mut vals = w.values().to_vec();
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    let mut rng = member_rng(seed, 0);
    let mut y = vec![0.0; n];
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            let j = rng.random_range(0..=i);
            order.swap(i, j);
        }
        for &p in &order {
            let (x, xn) = &pairs[p];
            w.set_values(&vals)?;
            w.apply(x, &mut y)?;
            for (k, &(i, j)) in entries.iter().enumerate() {
                vals[k] -= gamma * (y[i] - xn[i]) * x[j];
            }
        }
    }
    w.set_values(&vals)?;
    Ok(w)
}

/// Read the speed field $c(s) = \sqrt{(w_{s,s-1} + w_{s,s+1})/2}\\,\Delta s/\Delta t$ from the
/// $\phi$-rows of a (learned) leapfrog network of $2L$ neurons.
pub fn speed_from_couplings(w: &Weights, dt: f64, ds: f64) -> Result<Vec<f64>> {
    check_positive("dt", dt)?;
    check_positive("ds", ds)?;
    let n = w.n();
    if !n.is_multiple_of(2) || n < 6 {
        return Err(NetworkError::ShapeMismatch {
            what: "leapfrog network (2L neurons, L >= 3)",
            expected: 2 * (n / 2).max(3),
            got: n,
        });
    }
    let l = n / 2;
    Ok((0..l)
        .map(|s| {
            let c2 = 0.5 * (w.get(s, (s + l - 1) % l) + w.get(s, (s + 1) % l));
            c2.max(0.0).sqrt() * ds / dt
        })
        .collect())
}

/// Centroid $\sum_s s\\,\epsilon_s / \sum_s \epsilon_s$ of the energy-like density
/// $\epsilon_s = (\phi^t_s)^2 + (\phi^t_s - \phi^{t-1}\_s)^2$, measured on the ring relative to `reference`
/// (periodic distance, so a packet crossing the seam is tracked continuously). Returns `None` for a
/// zero field or mismatched lengths.
pub fn packet_centroid(phi: &[f64], phi_prev: &[f64], reference: f64) -> Option<f64> {
    if phi.len() != phi_prev.len() || phi.is_empty() {
        return None;
    }
    let lf = phi.len() as f64;
    let (mut num, mut den) = (0.0, 0.0);
    for s in 0..phi.len() {
        let e = phi[s] * phi[s] + (phi[s] - phi_prev[s]).powi(2);
        let d = (s as f64 - reference + lf / 2.0).rem_euclid(lf) - lf / 2.0;
        num += d * e;
        den += e;
    }
    if den > 0.0 && den.is_finite() {
        Some(reference + num / den)
    } else {
        None
    }
}
