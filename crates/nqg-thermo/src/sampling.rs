//! Initial states drawn from a density on a grid (a Fokker-Planck solution, a stationary state).
//!
//! The density is read as **cell-constant**, the finite-volume meaning of the cell values $p_k$
//! (cell averages) of [`crate::fp`] and [`crate::fp2d`]: $p(x) = p_k$ on cell $k$. Its CDF is then
//! piecewise linear, $F(x) = C_{k-1} + (C_k - C_{k-1})\\,(x - x_k)/h$ on cell $k = [x_k, x_k + h)$
//! with $C_k = \sum_{i\le k} p_i / \sum_i p_i$, and the inverse-CDF draw $x = F^{-1}(u)$,
//! $u \sim U[0,1)$, is exact: the cell $k$ with $C_{k-1} \le u < C_k$, then
//! $x = x_k + h\\,(u - C_{k-1})/(C_k - C_{k-1})$ (one uniform per draw; cells of zero mass are never
//! drawn). In two dimensions the cell is drawn from the flattened CDF and the point uniformly in it.
//!
//! ```
//! use nqg_thermo::fp::Grid1d;
//! use nqg_thermo::sampling::DensitySampler1d;
//! let g = Grid1d::new(-8.0, 8.0, 800).unwrap();
//! let p = g.density(|x| (-0.5 * x * x).exp());
//! let s = DensitySampler1d::new(&g, &p).unwrap();
//! assert!((s.cdf(0.0) - 0.5).abs() < 1e-12); // symmetric density
//! let mut rng = nqg_thermo::rng::member_rng(1, 0);
//! let x = s.sample(&mut rng);
//! assert!(x.abs() < 8.0);
//! ```

use rand::RngExt;

use crate::error::{Result, ThermoError, check_len};
use crate::fp::Grid1d;

/// Normalised cumulative masses $C_k$ of non-negative finite cell values (last entry exactly 1).
fn cumulative(p: &[f64]) -> Result<Vec<f64>> {
    if let Some(k) = p.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(ThermoError::NonFiniteValue {
            what: "density (must be finite and non-negative)",
            index: k,
            value: p[k],
        });
    }
    let mut c = Vec::with_capacity(p.len());
    let mut acc = 0.0;
    for v in p {
        acc += v;
        c.push(acc);
    }
    if !(acc.is_finite() && acc > 0.0) {
        return Err(ThermoError::InvalidParameter {
            name: "density mass",
            value: acc,
            reason: "must be positive and finite",
        });
    }
    c.iter_mut().for_each(|v| *v /= acc);
    if let Some(last) = c.last_mut() {
        *last = 1.0;
    }
    Ok(c)
}

/// The cell $k$ with $C_{k-1} \le u < C_k$ and the fraction $(u - C_{k-1})/(C_k - C_{k-1})$.
fn invert(c: &[f64], u: f64) -> (usize, f64) {
    let k = c.partition_point(|v| *v <= u).min(c.len() - 1);
    let lo = if k == 0 { 0.0 } else { c[k - 1] };
    let frac = ((u - lo) / (c[k] - lo)).clamp(0.0, 1.0);
    (k, frac)
}

/// Inverse-CDF sampler of a cell-constant density on a [`Grid1d`].
#[derive(Debug, Clone, PartialEq)]
pub struct DensitySampler1d {
    grid: Grid1d,
    cdf: Vec<f64>,
}

impl DensitySampler1d {
    /// The sampler of the cell values `p` on `grid` (any positive total mass: it is normalised).
    ///
    /// # Errors
    /// [`ThermoError::DimensionMismatch`] unless `p` has one value per cell,
    /// [`ThermoError::NonFiniteValue`] for a negative or non-finite value,
    /// [`ThermoError::InvalidParameter`] for zero (or overflowing) mass.
    pub fn new(grid: &Grid1d, p: &[f64]) -> Result<Self> {
        check_len("density", grid.n(), p.len())?;
        Ok(Self {
            grid: *grid,
            cdf: cumulative(p)?,
        })
    }

    /// The density's own CDF $F(x)$ (piecewise linear; 0 left of the grid, 1 right of it).
    pub fn cdf(&self, x: f64) -> f64 {
        let g = &self.grid;
        let r = (x - g.x_min()) / g.h();
        if r.is_nan() {
            return f64::NAN;
        }
        if r <= 0.0 {
            return 0.0;
        }
        if r >= g.n() as f64 {
            return 1.0;
        }
        let k = (r.floor() as usize).min(g.n() - 1);
        let lo = if k == 0 { 0.0 } else { self.cdf[k - 1] };
        lo + (self.cdf[k] - lo) * (r - k as f64)
    }

    /// The inverse CDF $F^{-1}(u)$ for $u \in [0, 1)$ (clamped into it).
    pub fn quantile(&self, u: f64) -> f64 {
        let (k, frac) = invert(&self.cdf, u.clamp(0.0, 1.0 - f64::EPSILON / 2.0));
        self.grid.x_min() + (k as f64 + frac) * self.grid.h()
    }

    /// One draw $x = F^{-1}(u)$, $u \sim U[0,1)$ (one uniform from `rng`).
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.quantile(rng.random::<f64>())
    }
}

/// Sampler of a cell-constant density on a product grid, cell values row-major $p_{j n_x + i}$ (the
/// layout of [`crate::fp2d`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DensitySampler2d {
    gx: Grid1d,
    gy: Grid1d,
    cdf: Vec<f64>,
}

impl DensitySampler2d {
    /// The sampler of `p` ($n_x n_y$ values) on `gx` × `gy`.
    ///
    /// # Errors
    /// As [`DensitySampler1d::new`].
    pub fn new(gx: &Grid1d, gy: &Grid1d, p: &[f64]) -> Result<Self> {
        let n = crate::error::check_size("2-D density cells", &[gx.n(), gy.n()])?;
        check_len("density", n, p.len())?;
        Ok(Self {
            gx: *gx,
            gy: *gy,
            cdf: cumulative(p)?,
        })
    }

    /// One draw $(x, y)$: the cell from one uniform, then the point uniformly in the cell (three
    /// uniforms from `rng`).
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> [f64; 2] {
        let (k, _) = invert(&self.cdf, rng.random::<f64>());
        let (i, j) = (k % self.gx.n(), k / self.gx.n());
        let x = self.gx.x_min() + (i as f64 + rng.random::<f64>()) * self.gx.h();
        let y = self.gy.x_min() + (j as f64 + rng.random::<f64>()) * self.gy.h();
        [x, y]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::member_rng;

    #[test]
    fn bad_densities_are_typed_errors() {
        let g = Grid1d::new(0.0, 1.0, 4).unwrap();
        assert!(matches!(
            DensitySampler1d::new(&g, &[1.0; 3]),
            Err(ThermoError::DimensionMismatch { .. })
        ));
        assert!(matches!(
            DensitySampler1d::new(&g, &[1.0, -1.0, 1.0, 1.0]),
            Err(ThermoError::NonFiniteValue { index: 1, value, .. }) if value == -1.0
        ));
        assert!(matches!(
            DensitySampler1d::new(&g, &[1.0, f64::NAN, 1.0, 1.0]),
            Err(ThermoError::NonFiniteValue { index: 1, .. })
        ));
        assert!(matches!(
            DensitySampler1d::new(&g, &[0.0; 4]),
            Err(ThermoError::InvalidParameter { value, .. }) if value == 0.0
        ));
        assert!(DensitySampler2d::new(&g, &g, &[1.0; 15]).is_err());
    }

    #[test]
    fn quantile_inverts_the_cdf_and_skips_empty_cells() {
        // Mass only in cells 1 and 3 (of 4 on [0, 4)): F is flat on the empty cells, the quantile
        // never lands in them, and F(F^{-1}(u)) = u exactly up to round-off.
        let g = Grid1d::new(0.0, 4.0, 4).unwrap();
        let s = DensitySampler1d::new(&g, &[0.0, 1.0, 0.0, 3.0]).unwrap();
        for k in 0..1000 {
            let u = k as f64 / 1000.0;
            let x = s.quantile(u);
            assert!((1.0..2.0).contains(&x) || (3.0..4.0).contains(&x), "{u} -> {x}");
            assert!((s.cdf(x) - u).abs() < 1e-15);
        }
        assert_eq!(s.cdf(-1.0), 0.0);
        assert_eq!(s.cdf(2.5), 0.25);
        assert_eq!(s.cdf(9.0), 1.0);
    }

    #[test]
    fn two_d_draws_land_in_cells_with_their_masses() {
        // Masses 1 : 3 in the two cells (i, j) = (0, 1) and (2, 0) of a 3 x 2 grid: the fraction
        // in the second is 3/4 with binomial sd sqrt(3/16 / n) = 0.0031 at n = 2e4 (4 sd = 0.0125).
        let gx = Grid1d::new(0.0, 3.0, 3).unwrap();
        let gy = Grid1d::new(0.0, 2.0, 3).unwrap();
        let mut p = vec![0.0; 9];
        p[3] = 1.0;
        p[2] = 3.0;
        let s = DensitySampler2d::new(&gx, &gy, &p).unwrap();
        let mut rng = member_rng(3, 0);
        let n = 20_000;
        let mut second = 0;
        let hy = gy.h();
        for _ in 0..n {
            let [x, y] = s.sample(&mut rng);
            let in_a = (0.0..1.0).contains(&x) && (hy..2.0 * hy).contains(&y);
            let in_b = (2.0..3.0).contains(&x) && (0.0..hy).contains(&y);
            assert!(in_a || in_b, "({x}, {y})");
            second += usize::from(in_b);
        }
        assert!((second as f64 / n as f64 - 0.75).abs() < 0.0125);
    }
}
