//! The 2D separable multiplier $\mathcal F_1^{-1} m_1 \mathcal F_1\\,\mathcal F_0^{-1} m_0 \mathcal F_0$ on
//! several threads, bit-identical to [`super::Spectral::apply_separable_then`].
//!
//! The FFTs of different lines are independent, so the work splits without changing any arithmetic:
//! 1. **columns** (axis 0, strided): each thread takes a range of [`TILE`]-column tiles, gathers them
//!    from the shared input, transforms, multiplies by $m_0$, transforms back, and writes the columns
//!    contiguously into a column-major buffer (disjoint per thread);
//! 2. **rows** (axis 1, contiguous): each thread takes a range of rows, gathers [`TILE`] of them at a
//!    time from the column buffer (the transpose happens here), transforms, multiplies by $m_1$,
//!    transforms back into its rows of the output, and runs the pointwise `post` pass on them while
//!    they are in cache.
//!
//! Every line goes through the same planned FFT, the same multiply and the same inverse FFT as in the
//! serial call, so the result is the same to the last bit; only the grouping of lines differs.

use std::sync::Arc;

use num_complex::Complex64;
use rayon::prelude::*;
use rustfft::{Fft, FftPlanner};

use super::{TILE, gather_tile, multiply_lines};

/// Per-thread buffers: FFT scratch and a gathered tile with its out-of-place partner.
#[derive(Clone)]
struct Work {
    scratch: Vec<Complex64>,
    tile: Vec<Complex64>,
    tile_out: Vec<Complex64>,
}

/// Planned FFTs of both axes of an $n_0\times n_1$ grid, a thread pool and per-thread buffers.
#[derive(Clone)]
pub(crate) struct Parallel2 {
    shape: [usize; 2],
    fwd: [Arc<dyn Fft<f64>>; 2],
    inv: [Arc<dyn Fft<f64>>; 2],
    /// The result of the column pass, column-major (column $c$ at `c * n0`).
    cols: Vec<Complex64>,
    work: Vec<Work>,
    pool: Arc<rayon::ThreadPool>,
}

impl std::fmt::Debug for Parallel2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parallel2")
            .field("shape", &self.shape)
            .field("threads", &self.work.len())
            .finish()
    }
}

/// Columns `c0..c0 + w` of the row-major `src` (rows of length `inner`) as `w` lines of length `n`.
fn gather(src: &[Complex64], inner: usize, c0: usize, w: usize, buf: &mut [Complex64], n: usize) {
    if w == TILE {
        gather_tile(src, inner, c0, buf, n);
        return;
    }
    for (r, row) in src.chunks_exact(inner).enumerate().take(n) {
        for (j, z) in row[c0..c0 + w].iter().enumerate() {
            buf[j * n + r] = *z;
        }
    }
}

impl Parallel2 {
    /// Plans for `shape` and a pool of `threads` threads.
    ///
    /// # Errors
    /// The pool builder's message if the threads cannot be started.
    pub(crate) fn new(shape: [usize; 2], threads: usize) -> Result<Self, String> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| e.to_string())?;
        let mut planner = FftPlanner::<f64>::new();
        let fwd = shape.map(|n| planner.plan_fft_forward(n));
        let inv = shape.map(|n| planner.plan_fft_inverse(n));
        let scratch_len = fwd
            .iter()
            .chain(&inv)
            .map(|p| p.get_outofplace_scratch_len())
            .max()
            .unwrap_or(0);
        let zero = Complex64::new(0.0, 0.0);
        let tile_len = TILE * shape[0].max(shape[1]);
        let work = Work {
            scratch: vec![zero; scratch_len],
            tile: vec![zero; tile_len],
            tile_out: vec![zero; tile_len],
        };
        Ok(Self {
            shape,
            fwd,
            inv,
            cols: vec![zero; shape[0] * shape[1]],
            work: vec![work; threads],
            pool: Arc::new(pool),
        })
    }

    /// The number of threads.
    pub(crate) fn threads(&self) -> usize {
        self.work.len()
    }

    /// Lines per thread: whole tiles, as evenly as possible.
    fn per_thread(&self, lines: usize) -> usize {
        let tiles = lines.div_ceil(TILE);
        tiles.div_ceil(self.work.len()).max(1) * TILE
    }

    /// [`super::Spectral::apply_separable_then`] for $D = 2$ on the pool, with `post(offset, rows)`
    /// returning a number per call; returns their sum (in an unspecified order of additions).
    pub(crate) fn apply_then<F>(&mut self, data: &mut [Complex64], mults: &[Vec<Complex64>], post: F) -> f64
    where
        F: Fn(usize, &mut [Complex64]) -> f64 + Sync,
    {
        let [n0, n1] = self.shape;
        let (fwd, inv) = (&self.fwd, &self.inv);
        let (m0, m1) = (&mults[0], &mults[1]);
        let per_col = self.per_thread(n1);
        let per_row = self.per_thread(n0);
        let (cols, work) = (&mut self.cols, &mut self.work);
        self.pool.install(|| {
            let src: &[Complex64] = data;
            cols.par_chunks_mut(per_col * n0)
                .zip(work.par_iter_mut())
                .enumerate()
                .for_each(|(part, (out, wk))| {
                    for (t, dst) in out.chunks_mut(TILE * n0).enumerate() {
                        let (c0, w) = (part * per_col + t * TILE, dst.len() / n0);
                        let (buf, tmp) = (&mut wk.tile[..w * n0], &mut wk.tile_out[..w * n0]);
                        gather(src, n1, c0, w, buf, n0);
                        fwd[0].process_outofplace_with_scratch(buf, tmp, &mut wk.scratch);
                        multiply_lines(tmp, m0);
                        inv[0].process_outofplace_with_scratch(tmp, dst, &mut wk.scratch);
                    }
                });
            let cols: &[Complex64] = cols;
            data.par_chunks_mut(per_row * n1)
                .zip(work.par_iter_mut())
                .enumerate()
                .map(|(part, (rows, wk))| {
                    let mut sum = 0.0;
                    for (t, dst) in rows.chunks_mut(TILE * n1).enumerate() {
                        let (r0, w) = (part * per_row + t * TILE, dst.len() / n1);
                        let (buf, tmp) = (&mut wk.tile[..w * n1], &mut wk.tile_out[..w * n1]);
                        gather(cols, n0, r0, w, buf, n1);
                        fwd[1].process_outofplace_with_scratch(buf, tmp, &mut wk.scratch);
                        multiply_lines(tmp, m1);
                        inv[1].process_outofplace_with_scratch(tmp, dst, &mut wk.scratch);
                        sum += post(r0 * n1, dst);
                    }
                    sum
                })
                .sum()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Spectral;
    use super::*;

    /// Bit-identical to the serial call on shapes with partial tiles and uneven thread shares, for 1,
    /// 2 and 3 threads, with a non-trivial `post`.
    #[test]
    fn parallel_matches_serial_bit_for_bit() {
        for shape in [[16, 16], [13, 10], [7, 33], [64, 20]] {
            let len = shape[0] * shape[1];
            let data: Vec<Complex64> = (0..len)
                .map(|i| Complex64::new((i as f64 * 0.7).sin(), (i as f64 * 0.3).cos()))
                .collect();
            let mults: Vec<Vec<Complex64>> = shape
                .iter()
                .map(|&n| {
                    (0..n)
                        .map(|k| Complex64::from_polar(1.0 / n as f64, k as f64 * 0.9))
                        .collect()
                })
                .collect();
            let kick: Vec<Complex64> = (0..len)
                .map(|i| Complex64::from_polar(1.0, i as f64 * 0.01))
                .collect();
            let mut serial = data.clone();
            Spectral::<2>::new(shape).apply_separable_then(&mut serial, &mults, |off, chunk| {
                for (z, k) in chunk.iter_mut().zip(&kick[off..]) {
                    *z *= k;
                }
            });
            for threads in 1..=3 {
                let mut par = data.clone();
                let mut p = Parallel2::new(shape, threads).unwrap();
                let sum = p.apply_then(&mut par, &mults, |off, chunk| {
                    let mut s = 0.0;
                    for (z, k) in chunk.iter_mut().zip(&kick[off..]) {
                        *z *= k;
                        s += z.re;
                    }
                    s
                });
                let bits = |v: &[Complex64]| -> Vec<(u64, u64)> {
                    v.iter().map(|z| (z.re.to_bits(), z.im.to_bits())).collect()
                };
                assert_eq!(bits(&par), bits(&serial), "shape {shape:?}, {threads} threads");
                let exact: f64 = serial.iter().map(|z| z.re).sum();
                // The sum's additions are grouped differently: equal to round-off of len terms.
                assert!((sum - exact).abs() < 1e-12 * len as f64, "{sum} {exact}");
            }
        }
    }
}
