//! Uniform periodic grids in 1, 2 and 3 dimensions, and the units $(\hbar, m)$.
//!
//! A [`Grid<D>`] covers the box $\prod_a [x_{0,a}, x_{0,a} + L_a)$ with $n_a$ points per axis,
//! $x_{a,j} = x_{0,a} + j\\,\Delta x_a$, $\Delta x_a = L_a / n_a$, and is periodic: the Fourier
//! wave numbers are $k_{a,j} = 2\pi\\,\mathrm{fftfreq}(n_a)\_j / \Delta x_a$. Arrays on the grid are stored
//! row-major (the last axis is contiguous). The volume element is $dV = \prod_a \Delta x_a$.
//!
//! [`Units`] carries $\hbar$ and $m$: the paper's $\hbar_\text{eff}$ and $m_\text{eff}$ (THEORY.md
//! N3.7, N4.4) are not 1, so nothing in the crate assumes $\hbar = m = 1$.

use crate::error::{MAX_POINTS, QuantumError, Result, check_finite, check_positive};

/// $\hbar$ and the mass $m$ of the Schrodinger equation $i\hbar\partial_t\psi = -\frac{\hbar^2}{2m}\nabla^2\psi + V\psi$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Units {
    /// Planck's constant $\hbar$ (the paper's $\hbar_\text{eff}$).
    pub hbar: f64,
    /// The mass $m$ (the paper's $m_\text{eff} = 1/(2\gamma)$).
    pub mass: f64,
}

impl Default for Units {
    fn default() -> Self {
        Self { hbar: 1.0, mass: 1.0 }
    }
}

impl Units {
    /// Units with the given $\hbar$ and $m$.
    ///
    /// # Errors
    /// [`QuantumError::InvalidParameter`] unless both are finite and positive.
    pub fn new(hbar: f64, mass: f64) -> Result<Self> {
        check_positive("hbar", hbar)?;
        check_positive("mass", mass)?;
        Ok(Self { hbar, mass })
    }

    pub(crate) fn validate(&self) -> Result<()> {
        Self::new(self.hbar, self.mass).map(|_| ())
    }
}

/// A uniform periodic grid in `D` dimensions (`D` = 1, 2 or 3).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid<const D: usize> {
    shape: [usize; D],
    origin: [f64; D],
    lengths: [f64; D],
}

impl<const D: usize> Grid<D> {
    /// A grid with `shape[a]` points on $[\text{origin}\_a, \text{origin}\_a + \text{lengths}\_a)$.
    ///
    /// # Errors
    /// [`QuantumError::UnsupportedDimension`] for `D` outside 1..=3, [`QuantumError::GridTooSmall`] for
    /// an axis with fewer than 2 points, [`QuantumError::InvalidLength`] for a non-positive or non-finite
    /// length or one whose spacing underflows, [`QuantumError::InvalidParameter`] for a non-finite origin, [`QuantumError::TooLarge`] for
    /// more than [`crate::error::MAX_POINTS`] points.
    pub fn new(shape: [usize; D], origin: [f64; D], lengths: [f64; D]) -> Result<Self> {
        if !(1..=3).contains(&D) {
            return Err(QuantumError::UnsupportedDimension { dim: D });
        }
        for a in 0..D {
            if shape[a] < 2 {
                return Err(QuantumError::GridTooSmall {
                    axis: a,
                    points: shape[a],
                    min: 2,
                });
            }
            // The spacing L/n must be a normal number too (a subnormal length underflows it to 0).
            if !(lengths[a].is_finite() && lengths[a] > 0.0 && (lengths[a] / shape[a] as f64).is_normal()) {
                return Err(QuantumError::InvalidLength {
                    axis: a,
                    length: lengths[a],
                });
            }
            check_finite("origin", origin[a])?;
        }
        let total = shape.iter().try_fold(1usize, |acc, &n| acc.checked_mul(n));
        match total {
            Some(t) if t <= MAX_POINTS => {}
            _ => {
                return Err(QuantumError::TooLarge {
                    what: "grid points",
                    requested: total.unwrap_or(usize::MAX),
                    limit: MAX_POINTS,
                });
            }
        }
        Ok(Self {
            shape,
            origin,
            lengths,
        })
    }

    /// A grid on the symmetric box $[-L_a/2, L_a/2)$ per axis.
    ///
    /// # Errors
    /// As [`Grid::new`].
    pub fn centered(shape: [usize; D], lengths: [f64; D]) -> Result<Self> {
        let origin = std::array::from_fn(|a| -0.5 * lengths[a]);
        Self::new(shape, origin, lengths)
    }

    /// Points per axis.
    pub fn shape(&self) -> [usize; D] {
        self.shape
    }

    /// The lower corner of the box.
    pub fn origin(&self) -> [f64; D] {
        self.origin
    }

    /// Box lengths.
    pub fn lengths(&self) -> [f64; D] {
        self.lengths
    }

    /// Total number of points.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Always false: a valid grid has at least 2 points per axis.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Spacing $\Delta x_a$ per axis.
    pub fn spacing(&self) -> [f64; D] {
        std::array::from_fn(|a| self.lengths[a] / self.shape[a] as f64)
    }

    /// Volume element $dV = \prod_a \Delta x_a$.
    pub fn cell_volume(&self) -> f64 {
        self.spacing().iter().product()
    }

    /// Coordinates of axis `a`: $x_{a,j} = x_{0,a} + j\Delta x_a$ (empty if `a >= D`).
    pub fn axis(&self, a: usize) -> Vec<f64> {
        if a >= D {
            return Vec::new();
        }
        let dx = self.lengths[a] / self.shape[a] as f64;
        (0..self.shape[a])
            .map(|j| self.origin[a] + j as f64 * dx)
            .collect()
    }

    /// Angular wave numbers of axis `a` in FFT order: $k_j = 2\pi\\,\mathrm{fftfreq}(n)\_j/\Delta x$.
    pub fn wavenumbers(&self, a: usize) -> Vec<f64> {
        if a >= D {
            return Vec::new();
        }
        let n = self.shape[a];
        let dk = 2.0 * std::f64::consts::PI / self.lengths[a];
        (0..n)
            .map(|j| {
                let m = if j < n.div_ceil(2) {
                    j as f64
                } else {
                    j as f64 - n as f64
                };
                m * dk
            })
            .collect()
    }

    /// Multi-index of flat index `i` (row-major).
    pub fn unravel(&self, mut i: usize) -> [usize; D] {
        let mut idx = [0usize; D];
        for a in (0..D).rev() {
            idx[a] = i % self.shape[a];
            i /= self.shape[a];
        }
        idx
    }

    /// Position of flat index `i`.
    pub fn point(&self, i: usize) -> [f64; D] {
        let idx = self.unravel(i);
        let dx = self.spacing();
        std::array::from_fn(|a| self.origin[a] + idx[a] as f64 * dx[a])
    }

    /// Evaluate `f` at every grid point (row-major order).
    pub fn map<T>(&self, mut f: impl FnMut(&[f64; D]) -> T) -> Vec<T> {
        (0..self.len()).map(|i| f(&self.point(i))).collect()
    }

    /// Whether `other` is the same grid (points per axis, origin and box length, the last two to
    /// round-off).
    ///
    /// # Errors
    /// [`QuantumError::GridMismatch`] naming the first axis and property that differ.
    pub fn check_same(&self, other: &Self) -> Result<()> {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0);
        for a in 0..D {
            let (what, expected, found) = if self.shape[a] != other.shape[a] {
                ("points", self.shape[a] as f64, other.shape[a] as f64)
            } else if !close(self.lengths[a], other.lengths[a]) {
                ("length", self.lengths[a], other.lengths[a])
            } else if !close(self.origin[a], other.origin[a]) {
                ("origin", self.origin[a], other.origin[a])
            } else {
                continue;
            };
            return Err(QuantumError::GridMismatch {
                axis: a,
                what,
                expected,
                found,
            });
        }
        Ok(())
    }

    /// Whether `len` matches the number of points.
    pub(crate) fn check_len(&self, len: usize) -> Result<()> {
        if len == self.len() {
            Ok(())
        } else {
            Err(QuantumError::SizeMismatch {
                expected: self.len(),
                got: len,
            })
        }
    }
}
