//! A partitioned (SPIKE) tridiagonal solve: $P$ blocks eliminated as $P$ interleaved, independent
//! recurrences, so the CPU overlaps $P$ latency chains instead of the two of [`crate::tridiag::Tridiag`].
//!
//! The rows are split into $P$ blocks $T_j$ of $b = \lfloor n/P\rfloor$ rows (the last block takes the
//! $n - Pb$ left-over rows). With $v = T_j^{-1} r_j$ and the spikes $\alpha = T_j^{-1}(l_{s_j} e_0)$,
//! $\beta = T_j^{-1}(u_{e_j - 1} e_{\mathrm{last}})$ (both factorised once), the solution in block $j$ is
//!
//! $$x_i = v_i - \alpha_i\\,x_{s_j - 1} - \beta_i\\,x_{e_j},$$
//!
//! where $x_{s_j - 1}$ is the last row of block $j-1$ and $x_{e_j}$ the first row of block $j+1$. Those
//! $2(P-1)$ interface values solve the reduced system (Polizzi and Sameh, *Parallel Computing* 32 (2006)
//! 177), for $z_j = (b_j, t_{j+1})$ ($b_j$ the last row of block $j$, $t_{j+1}$ the first of block $j+1$):
//!
//! $$b_j + \beta^{(j)}\_{L} t_{j+1} + \alpha^{(j)}\_{L} b_{j-1} = v^{(j)}\_{L},\qquad
//!   t_{j+1} + \alpha^{(j+1)}\_{F} b_j + \beta^{(j+1)}\_{F} t_{j+2} = v^{(j+1)}\_{F},$$
//!
//! a block-tridiagonal system of $2\times2$ blocks, factorised once by block elimination. A solve is
//! three passes: the $P$ forward chains, the $P$ backward chains (both on lane-interleaved storage),
//! and the interface correction, which has no recurrence at all. It differs from the serial Thomas
//! solve by round-off only.

use crate::error::{Result, ThermoError, check_len};

/// The partitioned factorisation of $\mathrm{tridiag}(l, d, u)$ with $P \in \\{2, 4, 8\\}$ blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitTridiag {
    n: usize,
    lanes: usize,
    /// Rows per block; the last block has `tail` more.
    b: usize,
    tail: usize,
    /// Lane-interleaved (`[k * P + j]`, row `k` of block `j`): inverse pivot, $a_k = l_k/\mathrm{den}\_k$,
    /// $c_k = u_k/\mathrm{den}\_k$; the spikes in natural order (block `j` at `j b ..(j+1) b`).
    inv: Vec<f64>,
    a: Vec<f64>,
    c: Vec<f64>,
    alpha: Vec<f64>,
    beta: Vec<f64>,
    /// The same for the last block's extra rows `P b ..n` (no right spike there).
    tail_inv: Vec<f64>,
    tail_a: Vec<f64>,
    tail_c: Vec<f64>,
    tail_alpha: Vec<f64>,
    reduced: Reduced,
    /// Scratch for $v$ (lane-interleaved, then the tail).
    work: Vec<f64>,
}

/// The factorised reduced system: per interface $j$, the inverse of the eliminated $2\times2$ pivot
/// block $D'_j$ and the couplings $\alpha^{(j)}\_L$ (to $b_{j-1}$) and $\beta^{(j+1)}\_F$ (to $t_{j+2}$).
#[derive(Debug, Clone, PartialEq)]
struct Reduced {
    dinv: Vec<[f64; 4]>,
    alpha_l: Vec<f64>,
    beta_f: Vec<f64>,
}

/// One block factorised serially: pivots and spikes, natural row order.
struct Block {
    inv: Vec<f64>,
    a: Vec<f64>,
    c: Vec<f64>,
    alpha: Vec<f64>,
    beta: Vec<f64>,
}

impl SplitTridiag {
    /// Factorise $\mathrm{tridiag}(l, d, u)$ (`lower[0]` and `upper[n-1]` are ignored) in `lanes`
    /// blocks.
    ///
    /// # Errors
    /// [`ThermoError::InvalidParameter`] unless `lanes` is 2, 4 or 8; [`ThermoError::TooFewSamples`]
    /// if $n < 2P$; mismatched lengths; [`ThermoError::NonFiniteValue`] for a non-finite band entry;
    /// [`ThermoError::Singular`] with the row and pivot on a zero block pivot, or the interface and
    /// determinant of a singular reduced block.
    pub fn new(lower: &[f64], diag: &[f64], upper: &[f64], lanes: usize) -> Result<Self> {
        let n = diag.len();
        if !matches!(lanes, 2 | 4 | 8) {
            return Err(ThermoError::InvalidParameter {
                name: "lanes (blocks of the partitioned solve)",
                value: lanes as f64,
                reason: "must be 2, 4 or 8",
            });
        }
        check_len("lower", n, lower.len())?;
        check_len("upper", n, upper.len())?;
        if n < 2 * lanes {
            return Err(ThermoError::TooFewSamples {
                needed: 2 * lanes,
                got: n,
            });
        }
        crate::error::check_all_finite("diag", diag)?;
        crate::error::check_all_finite("lower", &lower[1..])
            .map_err(|e| crate::tridiag::shift_index(e, 1))?;
        crate::error::check_all_finite("upper", &upper[..n - 1])?;
        let (b, tail) = (n / lanes, n % lanes);
        let len = lanes * b;
        let mut s = Self {
            n,
            lanes,
            b,
            tail,
            inv: vec![0.0; len],
            a: vec![0.0; len],
            c: vec![0.0; len],
            alpha: vec![0.0; len],
            beta: vec![0.0; len],
            tail_inv: Vec::new(),
            tail_a: Vec::new(),
            tail_c: Vec::new(),
            tail_alpha: Vec::new(),
            reduced: Reduced {
                dinv: Vec::new(),
                alpha_l: Vec::new(),
                beta_f: Vec::new(),
            },
            work: vec![0.0; n],
        };
        let mut ends = Vec::with_capacity(lanes);
        for j in 0..lanes {
            let (lo, hi) = (j * b, if j + 1 == lanes { n } else { (j + 1) * b });
            let blk = factor_block(
                &lower[lo..hi],
                &diag[lo..hi],
                &upper[lo..hi],
                lo,
                j == 0,
                j + 1 == lanes,
            )?;
            ends.push([
                blk.alpha[0],
                blk.beta[0],
                blk.alpha[hi - lo - 1],
                blk.beta[hi - lo - 1],
            ]);
            s.place(j, blk);
        }
        s.reduced = Reduced::new(&ends)?;
        Ok(s)
    }

    /// Store block `j`'s factors interleaved (rows `< b`) and in the tail arrays (the last block's
    /// extra rows).
    fn place(&mut self, j: usize, blk: Block) {
        let (p, b) = (self.lanes, self.b);
        for k in 0..b {
            self.inv[k * p + j] = blk.inv[k];
            self.a[k * p + j] = blk.a[k];
            self.c[k * p + j] = blk.c[k];
        }
        self.alpha[j * b..(j + 1) * b].copy_from_slice(&blk.alpha[..b]);
        self.beta[j * b..(j + 1) * b].copy_from_slice(&blk.beta[..b]);
        if j + 1 == p {
            self.tail_inv = blk.inv[b..].to_vec();
            self.tail_a = blk.a[b..].to_vec();
            self.tail_c = blk.c[b..].to_vec();
            self.tail_alpha = blk.alpha[b..].to_vec();
        }
    }

    /// The number of rows.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The number of blocks $P$.
    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// Solve $Mx = r$ in place: `x` holds $r$ on entry and $x$ on exit.
    ///
    /// # Errors
    /// [`ThermoError::DimensionMismatch`] if `x` is not of the system's size,
    /// [`ThermoError::NonFiniteValue`] for a non-finite right-hand side (then `x` is unchanged) or a
    /// solution that overflowed.
    pub fn solve(&mut self, x: &mut [f64]) -> Result<()> {
        check_len("right-hand side", self.n, x.len())?;
        crate::error::check_all_finite("right-hand side", x)?;
        self.solve_unchecked(x, false);
        crate::error::check_all_finite("solution", x)
    }

    /// The Cayley transform in place, $x \leftarrow (2M^{-1} - I)\\,x = M^{-1}(2I - M)\\,x$. With
    /// $M = I - \tfrac12\Delta t\\,L$ this is the Crank-Nicolson step
    /// $(I - \tfrac12\Delta t L)^{-1}(I + \tfrac12\Delta t L)x$ with no explicit product.
    ///
    /// # Errors
    /// As [`SplitTridiag::solve`].
    pub fn cayley(&mut self, x: &mut [f64]) -> Result<()> {
        check_len("right-hand side", self.n, x.len())?;
        crate::error::check_all_finite("right-hand side", x)?;
        self.solve_unchecked(x, true);
        crate::error::check_all_finite("solution", x)
    }

    /// [`SplitTridiag::solve`] (`cayley = false`) or [`SplitTridiag::cayley`] without the checks;
    /// `x.len()` must be `n` (it is a no-op otherwise).
    pub(crate) fn solve_unchecked(&mut self, x: &mut [f64], cayley: bool) {
        if x.len() != self.n {
            return;
        }
        match self.lanes {
            2 => self.run::<2>(x, cayley),
            4 => self.run::<4>(x, cayley),
            _ => self.run::<8>(x, cayley),
        }
    }

    fn run<const P: usize>(&mut self, x: &mut [f64], cayley: bool) {
        let mut work = std::mem::take(&mut self.work);
        self.forward::<P>(x, &mut work);
        let ends = self.backward::<P>(&mut work);
        let (xl, xr) = self.reduced.solve::<P>(&ends);
        if cayley {
            self.correct::<P, true>(x, &work, &xl, &xr);
        } else {
            self.correct::<P, false>(x, &work, &xl, &xr);
        }
        self.work = work;
    }

    /// The $P$ forward chains $y_k = r_k\\,\mathrm{inv}\_k - a_k y_{k-1}$ (then the last block's tail),
    /// from `x` (natural order) into `w` (interleaved). The lanes are updated in pairs, the shape the
    /// SSE2 vectoriser packs.
    fn forward<const P: usize>(&self, x: &[f64], w: &mut [f64]) {
        let b = self.b;
        let (inv, a) = (&self.inv[..P * b], &self.a[..P * b]);
        let (w, wt) = w.split_at_mut(P * b);
        let (x, xt) = x.split_at(P * b);
        let xs: [&[f64]; P] = std::array::from_fn(|j| &x[j * b..][..b]);
        let mut y = [[0.0; 2]; P];
        let h = P / 2;
        for (k, ((wk, ik), ak)) in w
            .chunks_exact_mut(P)
            .zip(inv.chunks_exact(P))
            .zip(a.chunks_exact(P))
            .enumerate()
        {
            for q in 0..h {
                let r = [xs[2 * q][k], xs[2 * q + 1][k]];
                let (i2, a2) = ([ik[2 * q], ik[2 * q + 1]], [ak[2 * q], ak[2 * q + 1]]);
                y[q] = [r[0] * i2[0] - a2[0] * y[q][0], r[1] * i2[1] - a2[1] * y[q][1]];
                wk[2 * q] = y[q][0];
                wk[2 * q + 1] = y[q][1];
            }
        }
        let mut yt = y[h - 1][1];
        for (t, (wv, xv)) in wt.iter_mut().zip(xt).enumerate() {
            yt = xv * self.tail_inv[t] - self.tail_a[t] * yt;
            *wv = yt;
        }
    }

    /// The $P$ backward chains $v_k = y_k - c_k v_{k+1}$ in `w` (the tail first); returns per block
    /// $(v_F, v_L)$, its first and last row.
    fn backward<const P: usize>(&self, w: &mut [f64]) -> [[f64; 2]; P] {
        let b = self.b;
        let c = &self.c[..P * b];
        let (w, wt) = w.split_at_mut(P * b);
        let h = P / 2;
        let mut v = [[0.0; 2]; P];
        let mut last_tail = None;
        for (t, wv) in wt.iter_mut().enumerate().rev() {
            v[h - 1][1] = *wv - self.tail_c[t] * v[h - 1][1];
            *wv = v[h - 1][1];
            last_tail.get_or_insert(v[h - 1][1]);
        }
        let last: [f64; P] = std::array::from_fn(|j| w[(b - 1) * P + j]);
        for (wk, ck) in w.chunks_exact_mut(P).zip(c.chunks_exact(P)).rev() {
            for q in 0..h {
                let c2 = [ck[2 * q], ck[2 * q + 1]];
                v[q] = [wk[2 * q] - c2[0] * v[q][0], wk[2 * q + 1] - c2[1] * v[q][1]];
                wk[2 * q] = v[q][0];
                wk[2 * q + 1] = v[q][1];
            }
        }
        let mut ends = [[0.0; 2]; P];
        for j in 0..P {
            // The last row of a block is its y (v_L = y_L - c_L * 0) except for the last block's.
            ends[j] = [v[j / 2][j % 2], last[j]];
        }
        ends[P - 1][1] = last_tail.unwrap_or(w[(b - 1) * P + P - 1]);
        ends
    }

    /// $x_i = v_i - \alpha_i x_{s_j-1} - \beta_i x_{e_j}$ (or $2(\ldots) - x_i$ for the Cayley
    /// transform), a pass with no recurrence, block by block (contiguous in `x` and the spikes).
    fn correct<const P: usize, const CAYLEY: bool>(
        &self,
        x: &mut [f64],
        w: &[f64],
        xl: &[f64; P],
        xr: &[f64; P],
    ) {
        let b = self.b;
        let (w, wt) = w.split_at(P * b);
        let (x, xt) = x.split_at_mut(P * b);
        for (j, ((xj, aj), bj)) in x
            .chunks_exact_mut(b)
            .zip(self.alpha.chunks_exact(b))
            .zip(self.beta.chunks_exact(b))
            .enumerate()
        {
            let (l, r) = (xl[j], xr[j]);
            for k in 0..b {
                let v = w[k * P + j] - aj[k] * l - bj[k] * r;
                xj[k] = if CAYLEY { 2.0 * v - xj[k] } else { v };
            }
        }
        for (t, (wv, xv)) in wt.iter().zip(xt.iter_mut()).enumerate() {
            let v = wv - self.tail_alpha[t] * xl[P - 1];
            *xv = if CAYLEY { 2.0 * v - *xv } else { v };
        }
    }
}

/// Thomas factorisation of one block (rows `lo..lo + len` of the whole system), with its spikes: the
/// left spike is zero for the first block, the right one for the last, and the last block's last $c$
/// is zero (`upper[n-1]` is ignored).
fn factor_block(l: &[f64], d: &[f64], u: &[f64], lo: usize, first: bool, last: bool) -> Result<Block> {
    let m = d.len();
    let (mut inv, mut a, mut c) = (vec![0.0; m], vec![0.0; m], vec![0.0; m]);
    for k in 0..m {
        let den = if k == 0 { d[0] } else { d[k] - l[k] * c[k - 1] };
        if den == 0.0 || !den.is_finite() {
            return Err(ThermoError::Singular {
                what: "partitioned tridiagonal block pivot",
                index: lo + k,
                value: den,
            });
        }
        inv[k] = 1.0 / den;
        a[k] = if k == 0 { 0.0 } else { l[k] * inv[k] };
        c[k] = if last && k + 1 == m { 0.0 } else { u[k] * inv[k] };
    }
    // alpha = T^{-1}(l_0 e_0): forward y_0 = l_0 inv_0, y_k = -a_k y_{k-1}; then back-substitute.
    let mut alpha = vec![0.0; m];
    if !first {
        alpha[0] = l[0] * inv[0];
        for k in 1..m {
            alpha[k] = -a[k] * alpha[k - 1];
        }
        for k in (0..m - 1).rev() {
            alpha[k] -= c[k] * alpha[k + 1];
        }
    }
    // beta = T^{-1}(u_{m-1} e_{m-1}): forward gives c_{m-1} in the last row only.
    let mut beta = vec![0.0; m];
    if !last {
        beta[m - 1] = c[m - 1];
        for k in (0..m - 1).rev() {
            beta[k] = -c[k] * beta[k + 1];
        }
    }
    Ok(Block {
        inv,
        a,
        c,
        alpha,
        beta,
    })
}

impl Reduced {
    /// Block elimination of the reduced system from the per-block end values
    /// `[alpha_F, beta_F, alpha_L, beta_L]`.
    fn new(ends: &[[f64; 4]]) -> Result<Self> {
        let q = ends.len() - 1; // interfaces
        let (mut dinv, mut alpha_l, mut beta_f) = (Vec::with_capacity(q), vec![0.0; q], vec![0.0; q]);
        for j in 0..q {
            // D'_j = [[1, beta^(j)_L], [alpha^(j+1)_F, 1]] - A_j D'_{j-1}^{-1} C_{j-1}, whose only
            // non-zero entry is (0, 1): alpha^(j)_L (D'_{j-1}^{-1})_{01} beta^(j)_F.
            let d00 = 1.0;
            let mut d01 = ends[j][3];
            if j > 0 {
                let prev: &[f64; 4] = &dinv[j - 1];
                d01 -= ends[j][2] * prev[1] * ends[j][1];
            }
            let d10 = ends[j + 1][0];
            let det = d00 - d01 * d10;
            if det == 0.0 || !det.is_finite() {
                return Err(ThermoError::Singular {
                    what: "partitioned tridiagonal reduced system (interface determinant)",
                    index: j,
                    value: det,
                });
            }
            dinv.push([1.0 / det, -d01 / det, -d10 / det, d00 / det]);
            alpha_l[j] = ends[j][2];
            beta_f[j] = ends[j + 1][1];
        }
        Ok(Self {
            dinv,
            alpha_l,
            beta_f,
        })
    }

    /// Solve for the interfaces from the blocks' $(v_F, v_L)$; returns per block its left neighbour
    /// value $x_{s_j - 1}$ and right neighbour value $x_{e_j}$ (zero at the ends).
    fn solve<const P: usize>(&self, ends: &[[f64; 2]; P]) -> ([f64; P], [f64; P]) {
        let q = P - 1;
        let mut g = [[0.0; 2]; P];
        for j in 0..q {
            g[j] = [ends[j][1], ends[j + 1][0]];
            if j > 0 {
                let m = &self.dinv[j - 1];
                let zb = m[0] * g[j - 1][0] + m[1] * g[j - 1][1];
                g[j][0] -= self.alpha_l[j] * zb;
            }
        }
        let mut z = [[0.0; 2]; P];
        for j in (0..q).rev() {
            let mut r = g[j];
            if j + 1 < q {
                r[1] -= self.beta_f[j] * z[j + 1][1];
            }
            let m = &self.dinv[j];
            z[j] = [m[0] * r[0] + m[1] * r[1], m[2] * r[0] + m[3] * r[1]];
        }
        let (mut xl, mut xr) = ([0.0; P], [0.0; P]);
        for j in 0..q {
            xr[j] = z[j][1];
            xl[j + 1] = z[j][0];
        }
        (xl, xr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tridiag::Tridiag;
    use rand::RngExt;

    /// A random system with $|d_i| \ge 2(|l_i| + |u_i|)$ (signs random), and a random right-hand side.
    fn system(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut r = crate::rng::member_rng(seed, n as u64);
        let mut u01 = move || r.random::<f64>();
        let (mut l, mut d, mut u, mut x) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for i in 0..n {
            l[i] = 2.0 * u01() - 1.0;
            u[i] = 2.0 * u01() - 1.0;
            let s = if u01() < 0.5 { -1.0 } else { 1.0 };
            d[i] = s * (2.0 * (l[i].abs() + u[i].abs()) + u01());
            x[i] = 2.0 * u01() - 1.0;
        }
        (l, d, u, x)
    }

    fn max_rel_diff(a: &[f64], b: &[f64]) -> f64 {
        let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        a.iter().zip(b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs())) / scale
    }

    /// Against the serial (twisted Thomas) solve on random diagonally dominant systems, every size
    /// class (n a multiple of P, with a tail, the smallest n = 2P), P = 2, 4, 8. For
    /// $|d| \ge 2(|l| + |u|)$ every recurrence is a contraction (|a|, |c| ≤ 1/2 after the first row)
    /// and cond∞ ≤ 3, so both solves have a forward error of a few ulp of max|x| that does not grow
    /// with n: 4e-15 = 18 ulp bounds the difference with room (the largest seen is 4.1e-16).
    #[test]
    fn equals_the_serial_solve_to_round_off() {
        let mut worst = 0.0f64;
        for lanes in [2usize, 4, 8] {
            for n in [2 * lanes, 2 * lanes + 1, 31, 100, 1001, 4096, 4099] {
                for seed in 0..4u64 {
                    let (l, d, u, r) = system(n, seed);
                    let mut xs = r.clone();
                    Tridiag::new(&l, &d, &u).unwrap().solve(&mut xs).unwrap();
                    let mut xp = r.clone();
                    SplitTridiag::new(&l, &d, &u, lanes)
                        .unwrap()
                        .solve(&mut xp)
                        .unwrap();
                    let e = max_rel_diff(&xp, &xs);
                    assert!(e < 4e-15, "n = {n}, P = {lanes}, seed {seed}: {e:e}");
                    worst = worst.max(e);
                }
            }
        }
        assert!(
            worst > 0.0,
            "the partitioned solve rounds differently, so it cannot be 0 everywhere"
        );
    }

    /// The residual $\\|Mx - r\\|\_\infty / (\\|M\\|\_\infty \\|x\\|\_\infty)$ is a few ulp (backward stability,
    /// independent of the serial solve), on a system that is only just diagonally dominant
    /// ($|d| = |l| + |u| + 10^{-3}$), where the spikes decay slowly across the blocks.
    #[test]
    fn residual_is_round_off_on_weakly_dominant_systems() {
        let n = 4096;
        let (l, _, u, r) = system(n, 9);
        let d: Vec<f64> = (0..n).map(|i| l[i].abs() + u[i].abs() + 1e-3).collect();
        for lanes in [2usize, 4, 8] {
            let mut x = r.clone();
            SplitTridiag::new(&l, &d, &u, lanes)
                .unwrap()
                .solve(&mut x)
                .unwrap();
            let (mut res, mut norm_m) = (0.0f64, 0.0f64);
            for i in 0..n {
                let mut s = d[i] * x[i] - r[i];
                let mut row = d[i].abs();
                if i > 0 {
                    s += l[i] * x[i - 1];
                    row += l[i].abs();
                }
                if i + 1 < n {
                    s += u[i] * x[i + 1];
                    row += u[i].abs();
                }
                res = res.max(s.abs());
                norm_m = norm_m.max(row);
            }
            let norm_x = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let rel = res / (norm_m * norm_x);
            assert!(rel < 1e-14, "P = {lanes}: {rel:e}");
        }
    }

    /// `cayley` is $2M^{-1}x - x$ with the same solve.
    #[test]
    fn cayley_is_twice_the_solve_minus_the_input() {
        let (l, d, u, r) = system(1000, 3);
        let mut s = SplitTridiag::new(&l, &d, &u, 4).unwrap();
        let mut y = r.clone();
        s.solve(&mut y).unwrap();
        let mut c = r.clone();
        s.cayley(&mut c).unwrap();
        for i in 0..r.len() {
            assert_eq!(c[i].to_bits(), (2.0 * y[i] - r[i]).to_bits(), "row {i}");
        }
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let (l, d, u, r) = system(64, 1);
        assert!(matches!(
            SplitTridiag::new(&l, &d, &u, 3),
            Err(ThermoError::InvalidParameter { value, .. }) if value == 3.0
        ));
        assert!(matches!(
            SplitTridiag::new(&l[..7], &d[..7], &u[..7], 4),
            Err(ThermoError::TooFewSamples { needed: 8, got: 7 })
        ));
        let mut bad = l.clone();
        bad[5] = f64::NAN;
        assert!(matches!(
            SplitTridiag::new(&bad, &d, &u, 4),
            Err(ThermoError::NonFiniteValue { index: 5, .. })
        ));
        // lower[0] and upper[n-1] are ignored, even when not finite.
        let (mut l0, mut u0) = (l.clone(), u.clone());
        l0[0] = f64::NAN;
        u0[63] = f64::INFINITY;
        let mut x = r.clone();
        SplitTridiag::new(&l0, &d, &u0, 4).unwrap().solve(&mut x).unwrap();
        let mut singular = d.clone();
        singular[16] = 0.0; // first row of block 1 (b = 16): pivot d_16 = 0
        assert!(matches!(
            SplitTridiag::new(&l, &singular, &u, 4),
            Err(ThermoError::Singular { index: 16, value, .. }) if value == 0.0
        ));
        let mut s = SplitTridiag::new(&l, &d, &u, 4).unwrap();
        assert!(matches!(
            s.solve(&mut [0.0; 5]),
            Err(ThermoError::DimensionMismatch { .. })
        ));
        let mut x = r.clone();
        x[9] = f64::INFINITY;
        assert!(matches!(
            s.cayley(&mut x),
            Err(ThermoError::NonFiniteValue { index: 9, .. })
        ));
        assert_eq!(x[0], r[0], "unchanged on a rejected right-hand side");
    }
}
