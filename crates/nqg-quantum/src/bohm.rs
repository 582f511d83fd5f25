//! Bohmian trajectories $\dot{\mathbf x} = \mathbf v(\mathbf x, t) = \nabla S/m =
//! (\hbar/m)\\,\mathrm{Im}(\nabla\psi/\psi)$ (THEORY.md §3, the Madelung velocity of N3.5).
//!
//! The wavefunction is advanced by a [`SplitStep`] with step $h/2$; positions are advanced by
//! classical RK4 with step $h$ using $\psi$ at $t$, $t + h/2$ and $t + h$. $\psi$ and $\nabla\psi$ are
//! evaluated off-grid by the trigonometric interpolant
//! $\psi(\mathbf x) = \frac1N\sum_{\mathbf k}\hat\psi_{\mathbf k}e^{i\mathbf k\cdot(\mathbf x - \mathbf x_0)}$
//! (spectrally accurate for band-limited states). For a free Gaussian centred at 0 the exact paths are
//! $x(t) = x_0\\,\sigma(t)/\sigma_0$.

use num_complex::Complex64;
use rustfft::FftPlanner;

use crate::error::{QuantumError, Result};
use crate::split_step::SplitStep;
use crate::wavefunction::Wavefunction;

/// Fourier coefficients of a state, ready for off-grid evaluation.
#[derive(Debug, Clone)]
pub struct Interpolant<const D: usize> {
    shape: [usize; D],
    origin: [f64; D],
    ks: Vec<Vec<f64>>,
    coef: Vec<Complex64>,
}

impl<const D: usize> Interpolant<D> {
    /// The interpolant of `psi` (one D-dimensional FFT).
    pub fn new(psi: &Wavefunction<D>) -> Self {
        let g = psi.grid();
        let shape = g.shape();
        let mut coef = psi.values().to_vec();
        let mut planner = FftPlanner::<f64>::new();
        // Forward FFT along each axis (strided lines copied out).
        let total = coef.len();
        for a in 0..D {
            let n = shape[a];
            let inner: usize = shape[a + 1..].iter().product();
            let fft = planner.plan_fft_forward(n);
            let mut line = vec![Complex64::new(0.0, 0.0); n];
            for base in 0..total {
                let idx_a = (base / inner) % n;
                if idx_a != 0 {
                    continue;
                }
                for j in 0..n {
                    line[j] = coef[base + j * inner];
                }
                fft.process(&mut line);
                for j in 0..n {
                    coef[base + j * inner] = line[j];
                }
            }
        }
        let scale = 1.0 / total as f64;
        coef.iter_mut().for_each(|z| *z *= scale);
        Self {
            shape,
            origin: g.origin(),
            ks: (0..D).map(|a| g.wavenumbers(a)).collect(),
            coef,
        }
    }

    /// $\psi(\mathbf x)$ and $\nabla\psi(\mathbf x)$.
    pub fn eval(&self, x: &[f64; D]) -> (Complex64, [Complex64; D]) {
        let phases: Vec<Vec<Complex64>> = (0..D)
            .map(|a| {
                self.ks[a]
                    .iter()
                    .map(|k| Complex64::new(0.0, k * (x[a] - self.origin[a])).exp())
                    .collect()
            })
            .collect();
        let mut val = Complex64::new(0.0, 0.0);
        let mut grad = [Complex64::new(0.0, 0.0); D];
        for (i, c) in self.coef.iter().enumerate() {
            let mut rem = i;
            let mut idx = [0usize; D];
            for a in (0..D).rev() {
                idx[a] = rem % self.shape[a];
                rem /= self.shape[a];
            }
            let mut e = *c;
            for a in 0..D {
                e *= phases[a][idx[a]];
            }
            val += e;
            for a in 0..D {
                grad[a] += e * Complex64::new(0.0, self.ks[a][idx[a]]);
            }
        }
        (val, grad)
    }

    /// The Bohmian velocity $(\hbar/m)\\,\mathrm{Im}(\nabla\psi/\psi)$ at $\mathbf x$.
    ///
    /// # Errors
    /// [`QuantumError::NonFiniteState`] if $\psi(\mathbf x) = 0$ (a node: no velocity).
    pub fn velocity(&self, x: &[f64; D], hbar_over_m: f64) -> Result<[f64; D]> {
        let (p, g) = self.eval(x);
        if p.norm_sqr() == 0.0 || !p.re.is_finite() {
            return Err(QuantumError::NonFiniteState { index: 0 });
        }
        Ok(std::array::from_fn(|a| hbar_over_m * (g[a] / p).im))
    }
}

/// Trajectories: `paths[i][s]` is particle `i` at time `times[s]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectories<const D: usize> {
    /// Sample times.
    pub times: Vec<f64>,
    /// Positions per particle.
    pub paths: Vec<Vec<[f64; D]>>,
}

/// Integrate Bohmian trajectories from `starts` for `n_steps` RK4 steps of size $h = 2\\,$`prop.dt()`,
/// advancing `psi` with `prop` along the way.
///
/// # Errors
/// [`QuantumError::NonFiniteState`] for a non-finite start or a particle reaching a node; propagator
/// errors.
pub fn trajectories<const D: usize>(
    prop: &mut SplitStep<D>,
    psi: &mut Wavefunction<D>,
    starts: &[[f64; D]],
    n_steps: usize,
) -> Result<Trajectories<D>> {
    if let Some(i) = starts.iter().position(|x| x.iter().any(|c| !c.is_finite())) {
        return Err(QuantumError::NonFiniteState { index: i });
    }
    let u = prop.units();
    let hm = u.hbar / u.mass;
    let h = 2.0 * prop.dt();
    let mut pos: Vec<[f64; D]> = starts.to_vec();
    let mut out = Trajectories {
        times: vec![prop.time()],
        paths: pos.iter().map(|p| vec![*p]).collect(),
    };
    let mut i0 = Interpolant::new(psi);
    for _ in 0..n_steps {
        prop.step(psi)?;
        let ih = Interpolant::new(psi);
        prop.step(psi)?;
        let i1 = Interpolant::new(psi);
        for (pi, x) in pos.iter_mut().enumerate() {
            let add =
                |x: &[f64; D], k: &[f64; D], c: f64| -> [f64; D] { std::array::from_fn(|a| x[a] + c * k[a]) };
            let k1 = i0.velocity(x, hm)?;
            let k2 = ih.velocity(&add(x, &k1, 0.5 * h), hm)?;
            let k3 = ih.velocity(&add(x, &k2, 0.5 * h), hm)?;
            let k4 = i1.velocity(&add(x, &k3, h), hm)?;
            *x = std::array::from_fn(|a| x[a] + h / 6.0 * (k1[a] + 2.0 * k2[a] + 2.0 * k3[a] + k4[a]));
            if x.iter().any(|c| !c.is_finite()) {
                return Err(QuantumError::NonFiniteState { index: pi });
            }
            out.paths[pi].push(*x);
        }
        out.times.push(prop.time());
        i0 = i1;
    }
    Ok(out)
}
