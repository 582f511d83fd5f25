//! Planned FFTs along each grid axis, reused buffers, and separable spectral multipliers.
//!
//! For a separable Fourier multiplier $M(\mathbf k) = \prod_a m_a(k_a)$ (the kinetic propagator
//! $e^{-i\hbar|\mathbf k-\boldsymbol\kappa|^2 h/2m} = \prod_a e^{-i\hbar(k_a-\kappa_a)^2 h/2m}$ is one) the
//! operator $\mathcal F^{-1} M \mathcal F$ is applied one axis at a time: forward FFT along axis $a$,
//! multiply by $m_a$, inverse FFT along $a$. Axes other than the contiguous last one are transposed
//! tile by tile (16 columns) into a reused buffer, so a step allocates nothing. rustfft is unnormalised, so each
//! axis multiplier carries the factor $1/n_a$.

use std::sync::Arc;

use num_complex::Complex64;
use rustfft::{Fft, FftPlanner};

/// Columns gathered per tile for the strided axes: four complex values are one 64-byte cache line of a
/// source row, and the four destination lines of the gather share one L1 set at most four ways deep
/// even when the row stride is a power of two (16 columns thrashed the 8-way L1 through 4 KiB aliasing
/// at 256², measured by the `floor/*` benches).
const TILE: usize = 4;

/// Points of the contiguous axis transformed per chunk (64 KiB of `Complex64`: an L2-resident
/// working set with its out-of-place partner).
const CHUNK: usize = 4096;

/// FFT plans and scratch space for one grid shape.
pub(crate) struct Spectral<const D: usize> {
    shape: [usize; D],
    fwd: Vec<Arc<dyn Fft<f64>>>,
    inv: Vec<Arc<dyn Fft<f64>>>,
    scratch: Vec<Complex64>,
    /// Out-of-place target of the contiguous axis (the whole array).
    block: Vec<Complex64>,
    /// A gathered tile of the strided axes and its out-of-place partner (`TILE` lines each).
    tile: Vec<Complex64>,
    tile_out: Vec<Complex64>,
}

impl<const D: usize> std::fmt::Debug for Spectral<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spectral").field("shape", &self.shape).finish()
    }
}

impl<const D: usize> Clone for Spectral<D> {
    fn clone(&self) -> Self {
        Self {
            shape: self.shape,
            fwd: self.fwd.clone(),
            inv: self.inv.clone(),
            scratch: self.scratch.clone(),
            block: self.block.clone(),
            tile: self.tile.clone(),
            tile_out: self.tile_out.clone(),
        }
    }
}

/// `line *= mult` for every line of length `mult.len()` in `data`.
fn multiply_lines(data: &mut [Complex64], mult: &[Complex64]) {
    for line in data.chunks_exact_mut(mult.len()) {
        for (z, m) in line.iter_mut().zip(mult) {
            *z *= m;
        }
    }
}

/// The four lines of length `n` of a full tile.
fn tile_lines(buf: &mut [Complex64], n: usize) -> [&mut [Complex64]; TILE] {
    let (l0, rest) = buf.split_at_mut(n);
    let (l1, rest) = rest.split_at_mut(n);
    let (l2, l3) = rest.split_at_mut(n);
    [l0, l1, l2, &mut l3[..n]]
}

/// Columns `c0..c0 + TILE` of the `n x inner` row-major `src` into the lines of `buf` (one per column).
fn gather_tile(src: &[Complex64], inner: usize, c0: usize, buf: &mut [Complex64], n: usize) {
    let [l0, l1, l2, l3] = tile_lines(buf, n);
    let rows = src.chunks_exact(inner).map(|row| &row[c0..c0 + TILE]);
    for ((((row, a), b), c), d) in rows.zip(l0).zip(l1).zip(l2).zip(l3) {
        (*a, *b, *c, *d) = (row[0], row[1], row[2], row[3]);
    }
}

/// The inverse of [`gather_tile`].
fn scatter_tile(buf: &mut [Complex64], n: usize, dst: &mut [Complex64], inner: usize, c0: usize) {
    let [l0, l1, l2, l3] = tile_lines(buf, n);
    let rows = dst.chunks_exact_mut(inner).map(|row| &mut row[c0..c0 + TILE]);
    for ((((row, a), b), c), d) in rows.zip(l0).zip(l1).zip(l2).zip(l3) {
        row.copy_from_slice(&[*a, *b, *c, *d]);
    }
}

impl<const D: usize> Spectral<D> {
    /// Plan forward and inverse FFTs for every axis.
    pub(crate) fn new(shape: [usize; D]) -> Self {
        let mut planner = FftPlanner::<f64>::new();
        let fwd: Vec<_> = shape.iter().map(|&n| planner.plan_fft_forward(n)).collect();
        let inv: Vec<_> = shape.iter().map(|&n| planner.plan_fft_inverse(n)).collect();
        let scratch_len = fwd
            .iter()
            .chain(&inv)
            .map(|p| p.get_inplace_scratch_len().max(p.get_outofplace_scratch_len()))
            .max()
            .unwrap_or(0);
        let total: usize = shape.iter().product();
        let longest = shape.iter().copied().max().unwrap_or(0);
        let zero = Complex64::new(0.0, 0.0);
        let tile_len = if D > 1 { TILE * longest } else { 0 };
        Self {
            shape,
            fwd,
            inv,
            scratch: vec![zero; scratch_len],
            block: vec![zero; total],
            tile: vec![zero; tile_len],
            tile_out: vec![zero; tile_len],
        }
    }

    fn layout(&self, axis: usize) -> (usize, usize, usize) {
        let n = self.shape[axis];
        let inner: usize = self.shape[axis + 1..].iter().product();
        let outer: usize = self.shape[..axis].iter().product();
        (outer, n, inner)
    }

    /// Apply $\mathcal F_a^{-1}\\,\mathrm{diag}(m)\\,\mathcal F_a$ along `axis` (`mult` has $n_a$ entries
    /// in FFT order and must include the $1/n_a$ normalisation). The transforms run out of place
    /// (rustfft's in-place call copies through its scratch), into reused buffers.
    pub(crate) fn apply_axis(&mut self, data: &mut [Complex64], axis: usize, mult: &[Complex64]) {
        let (outer, n, inner) = self.layout(axis);
        let fwd = &self.fwd[axis];
        let inv = &self.inv[axis];
        if inner == 1 {
            let out = &mut self.block[..data.len()];
            fwd.process_outofplace_with_scratch(data, out, &mut self.scratch);
            multiply_lines(out, mult);
            inv.process_outofplace_with_scratch(out, data, &mut self.scratch);
            return;
        }
        // Columns are gathered TILE at a time into a cache-resident buffer, transformed as contiguous
        // lines, multiplied, transformed back and scattered.
        let block_len = n * inner;
        for o in 0..outer {
            let src = &mut data[o * block_len..(o + 1) * block_len];
            let mut c0 = 0;
            while c0 < inner {
                let w = TILE.min(inner - c0);
                let buf = &mut self.tile[..w * n];
                let out = &mut self.tile_out[..w * n];
                if w == TILE {
                    gather_tile(src, inner, c0, buf, n);
                } else {
                    for r in 0..n {
                        let row = &src[r * inner + c0..r * inner + c0 + w];
                        for (j, z) in row.iter().enumerate() {
                            buf[j * n + r] = *z;
                        }
                    }
                }
                fwd.process_outofplace_with_scratch(buf, out, &mut self.scratch);
                multiply_lines(out, mult);
                inv.process_outofplace_with_scratch(out, buf, &mut self.scratch);
                if w == TILE {
                    scatter_tile(buf, n, src, inner, c0);
                } else {
                    for r in 0..n {
                        let row = &mut src[r * inner + c0..r * inner + c0 + w];
                        for (j, z) in row.iter_mut().enumerate() {
                            *z = buf[j * n + r];
                        }
                    }
                }
                c0 += w;
            }
        }
    }

    /// Apply the separable multiplier $\prod_a m_a$ (one slice per axis).
    pub(crate) fn apply_separable(&mut self, data: &mut [Complex64], mults: &[Vec<Complex64>]) {
        self.apply_separable_then(data, mults, |_, _| {});
    }

    /// [`Spectral::apply_separable`], then `post(offset, chunk)` on consecutive chunks of the result
    /// while each is still in cache: the contiguous last axis is transformed [`CHUNK`] points at a time
    /// (whole lines), so a pointwise pass after the kinetic factor (the potential kick) costs no extra
    /// trip through memory. Every line sees the same operations as in one whole-array call.
    pub(crate) fn apply_separable_then<F>(
        &mut self,
        data: &mut [Complex64],
        mults: &[Vec<Complex64>],
        mut post: F,
    ) where
        F: FnMut(usize, &mut [Complex64]),
    {
        let Some(last) = D.checked_sub(1) else {
            return;
        };
        for (a, m) in mults.iter().enumerate().take(last) {
            self.apply_axis(data, a, m);
        }
        let n = self.shape[last].max(1);
        let len = (CHUNK / n).max(1) * n;
        let (fwd, inv) = (&self.fwd[last], &self.inv[last]);
        for (c, chunk) in data.chunks_mut(len).enumerate() {
            let out = &mut self.block[..chunk.len()];
            fwd.process_outofplace_with_scratch(chunk, out, &mut self.scratch);
            multiply_lines(out, &mults[last]);
            inv.process_outofplace_with_scratch(out, chunk, &mut self.scratch);
            post(c * len, chunk);
        }
    }
}

mod parallel;
pub(crate) use parallel::Parallel2;

#[cfg(test)]
/// Transpose a `rows x cols` row-major matrix `src` into `dst` (`cols x rows`), in cache tiles.
fn transpose(src: &[Complex64], dst: &mut [Complex64], rows: usize, cols: usize) {
    const T: usize = 16;
    let mut r0 = 0;
    while r0 < rows {
        let r1 = (r0 + T).min(rows);
        let mut c0 = 0;
        while c0 < cols {
            let c1 = (c0 + T).min(cols);
            for r in r0..r1 {
                for c in c0..c1 {
                    dst[c * rows + r] = src[r * cols + c];
                }
            }
            c0 = c1;
        }
        r0 = r1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_roundtrip() {
        let src: Vec<Complex64> = (0..35).map(|i| Complex64::new(i as f64, -(i as f64))).collect();
        let mut t = vec![Complex64::new(0.0, 0.0); 35];
        let mut back = t.clone();
        transpose(&src, &mut t, 5, 7);
        transpose(&t, &mut back, 7, 5);
        assert_eq!(back, src);
        // dst[c * rows + r] == src[r * cols + c]
        assert_eq!(t[3 * 5 + 2], src[2 * 7 + 3]);
    }

    #[test]
    fn identity_multiplier_roundtrip_2d() {
        let shape = [6, 8];
        let mut s = Spectral::new(shape);
        let data: Vec<Complex64> = (0..48)
            .map(|i| Complex64::new((i as f64).sin(), (i as f64).cos()))
            .collect();
        let mut d = data.clone();
        let m0 = vec![Complex64::new(1.0 / 6.0, 0.0); 6];
        let m1 = vec![Complex64::new(1.0 / 8.0, 0.0); 8];
        s.apply_separable(&mut d, &[m0, m1]);
        for (a, b) in d.iter().zip(&data) {
            // Round-off of two 8-point FFT pairs: a few ulps.
            assert!((a - b).norm() < 1e-14);
        }
    }
}
