//! $G_{ab}$ at an `f64` point by a contraction plan that only visits the terms that can be non-zero,
//! for [`super::Curvature::einstein_at`].
//!
//! The dense contractions of [`super::contract`] are, term for term,
//!
//! $$\Gamma_{abc} = \tfrac12(g_{ab,c} + g_{ac,b} - g_{bc,a}),\qquad
//! \Gamma^a{}\_{bc} = \sum_d g^{ad}\Gamma_{dbc},$$
//! $$R_{abcd} = \tfrac12(g_{ad,bc} + g_{bc,ad} - g_{ac,bd} - g_{bd,ac}) +
//!   \sum_e \left(\Gamma_{ebc}\Gamma^e{}\_{ad} - \Gamma_{ebd}\Gamma^e{}\_{ac}\right),$$
//! $$R_{bd} = \sum_{a \ne b}\sum_{c \ne d} g^{ac}R_{abcd},\qquad R = g^{bd}R_{bd},\qquad
//! G_{ab} = R_{ab} - \tfrac12 R\\,g_{ab}$$
//!
//! (THEORY.md S-CURV1-3), with $R_{abcd}$ computed on the 21 independent bivector pairs
//! ($a<b$, $c<d$, $(ab) \le (cd)$) only. A [`Plan`] is these sums with every product dropped whose
//! factor is, by the *input pattern*, an exact zero: the pattern is the set of inputs (metric
//! derivatives along the differentiated coordinates, and $g^{ab}$) that may be non-zero, and the zeros
//! propagate symbolically through $\Gamma_{abc}$, $\Gamma^a{}\_{bc}$ and $R_{abcd}$. Nothing is assumed
//! about a metric: the pattern is read off the values at each call, and a call whose non-zero inputs
//! are not all in the plan's pattern widens the pattern (union) and rebuilds the plan first. The plans
//! are cached per thread and per (dimension, differentiated coordinates); a widening only adds
//! terms, so the cache converges after a few points (one, for Kerr).
//!
//! **Same numbers as the dense path.** The kept terms are summed in the dense order, and a term that
//! is dropped is an exact zero ($0\cdot y$ with $y$ finite) whose addition changes no bit of a sum
//! (at most the sign of an exact zero); inside a fixed-shape group
//! ($\Gamma_{abc}$, the $\partial^2 g$ part of $R_{abcd}$, one $e$ of the $\Gamma\Gamma$ sum) a missing
//! factor reads a stored $0$ and the dense expression is evaluated as is. So the result is the dense
//! one to the last bit, which the tests check. A call with a non-finite input ($0\cdot\infty$ is NaN in
//! the dense sum but would be dropped here) is handed back to the dense path.

use std::cell::RefCell;

use nalgebra::Const;
use num_dual::Dual2Vec;

/// Where the inputs of a plan sit in its buffer, for dimension `n` and `k` differentiated
/// coordinates (free slot $s$ = the $s$-th of them): $g_{ab}$, $\partial_s g_{ab}$,
/// $\partial_s\partial_t g_{ab}$ and $g^{ab}$, each for all $(a, b)$.
#[derive(Debug, Clone, Copy)]
struct Layout {
    n: usize,
    k: usize,
}

impl Layout {
    #[inline(always)]
    fn g(self, a: usize, b: usize) -> usize {
        a * self.n + b
    }
    #[inline(always)]
    fn dg(self, s: usize, a: usize, b: usize) -> usize {
        self.n * self.n + (s * self.n + a) * self.n + b
    }
    #[inline(always)]
    fn ddg(self, s: usize, t: usize, a: usize, b: usize) -> usize {
        self.n * self.n * (1 + self.k) + ((s * self.k + t) * self.n + a) * self.n + b
    }
    #[inline(always)]
    fn ginv(self, a: usize, b: usize) -> usize {
        self.n * self.n * (1 + self.k + self.k * self.k) + a * self.n + b
    }
    #[inline(always)]
    fn inputs(self) -> usize {
        self.n * self.n * (2 + self.k + self.k * self.k)
    }
}

/// Slots per plan (inputs and intermediate values). Indices are masked with `CAP - 1`, which lets the
/// compiler drop the bounds checks; a plan that would need more (dimension 6 and up without cyclic
/// coordinates) is not used, and the dense path runs instead.
const CAP: usize = 2048;

/// A slot index, reduced into the buffer.
#[inline(always)]
fn at(i: u32) -> usize {
    i as usize & (CAP - 1)
}

/// The sparse contraction from the inputs to $G_{ab}$ for one input pattern (see the module docs):
/// flat lists of fixed-shape operations on slots of `buf`, run in order, with no inner loops (a sum
/// of $m$ products is $m$ operations that accumulate into one slot, the first from the 0 slot).
#[derive(Debug, Clone)]
pub(super) struct Plan {
    n: usize,
    free: Vec<usize>,
    /// Inputs that may be non-zero.
    allowed: Box<[bool; CAP]>,
    /// Per input, `!0 >> 1` (the bits of $|v|$) if it is outside the pattern, else 0.
    forbidden: Box<[u64; CAP]>,
    /// Inputs, one slot holding 0, then the intermediate values.
    buf: Box<[f64; CAP]>,
    /// Whether the plan fits in [`CAP`] slots.
    fits: bool,
    /// `[o, x, y, z, w]`: `buf[o] = (buf[x] + buf[y] - buf[z] - buf[w]) * 0.5` ($\Gamma_{abc}$ with
    /// `w` the 0 slot, then the $\partial^2 g$ part of each $R_{abcd}$).
    lin: Vec<[u32; 5]>,
    /// `[o, s, i, j]`: `buf[o] = buf[s] + buf[i] * buf[j]` ($\Gamma^a{}\_{bc}$).
    chr: Vec<[u32; 4]>,
    /// `[o, pi, pj, qi, qj]`: `buf[o] += buf[pi] * buf[pj] - buf[qi] * buf[qj]` ($R_{abcd}$).
    quads: Vec<[u32; 5]>,
    /// `[o, v]`: `buf[o] = -buf[v]` ($R_{bacd} = -R_{abcd}$).
    negs: Vec<[u32; 2]>,
    /// As `chr`: $R_{bd}$ ($b \le d$).
    ricci: Vec<[u32; 4]>,
    /// The slot of $R_{ab}$ for each $(a, b)$ (the 0 slot if it has no term).
    ricci_at: Vec<u32>,
    /// `[i, j]`: $R = \sum$ `buf[i] * buf[j]`.
    scalar: Vec<[u32; 2]>,
}

impl Plan {
    /// An empty pattern (every input assumed zero but $g_{ab}$): the first call widens it.
    fn new(n: usize, free: &[usize]) -> Self {
        let lay = Layout { n, k: free.len() };
        let mut p = Self {
            n,
            free: free.to_vec(),
            allowed: Box::new([false; CAP]),
            forbidden: Box::new([0; CAP]),
            buf: Box::new([0.0; CAP]),
            fits: lay.inputs() < CAP,
            lin: Vec::new(),
            chr: Vec::new(),
            quads: Vec::new(),
            negs: Vec::new(),
            ricci: Vec::new(),
            ricci_at: Vec::new(),
            scalar: Vec::new(),
        };
        for a in 0..n {
            for b in 0..n {
                // g_ab is read by G_ab = R_ab - R g_ab / 2 directly, never through the pattern.
                p.allowed[lay.g(a, b) & (CAP - 1)] = true;
            }
        }
        if p.fits {
            p.build();
        }
        p
    }

    fn layout(&self) -> Layout {
        Layout {
            n: self.n,
            k: self.free.len(),
        }
    }

    /// The input slot if the pattern allows it to be non-zero.
    fn input(&self, i: usize) -> Option<u32> {
        self.allowed[i].then_some(i as u32)
    }

    /// $\partial_c g_{ab}$ (`None`: zero by the pattern or because $x^c$ is not differentiated).
    fn dg(&self, c: usize, a: usize, b: usize) -> Option<u32> {
        let s = self.free.iter().position(|&f| f == c)?;
        self.input(self.layout().dg(s, a, b))
    }

    /// $\partial_c\partial_d g_{ab}$.
    fn ddg(&self, c: usize, d: usize, a: usize, b: usize) -> Option<u32> {
        let s = self.free.iter().position(|&f| f == c)?;
        let t = self.free.iter().position(|&f| f == d)?;
        self.input(self.layout().ddg(s, t, a, b))
    }

    /// Append $\sum_m$ `buf[i_m] * buf[j_m]` (in order) into a new slot; `None` for an empty sum.
    fn dot(
        list: &mut Vec<[u32; 4]>,
        terms: &[(u32, u32)],
        zero: u32,
        alloc: &mut impl FnMut(usize) -> u32,
    ) -> Option<u32> {
        let o = (!terms.is_empty()).then(|| alloc(1))?;
        for (m, &(i, j)) in terms.iter().enumerate() {
            list.push([o, if m == 0 { zero } else { o }, i, j]);
        }
        Some(o)
    }

    /// Rebuild the operation lists for the current pattern (the input part of `buf` is kept).
    fn build(&mut self) {
        let (n, lay) = (self.n, self.layout());
        for i in 0..lay.inputs().min(CAP) {
            self.forbidden[i] = if self.allowed[i] { 0 } else { !0 >> 1 };
        }
        let zero = lay.inputs() as u32;
        let mut next = lay.inputs() + 1;
        let mut alloc = |k: usize| {
            let s = next as u32;
            next += k;
            s
        };
        let idx3 = |a: usize, b: usize, c: usize| (a * n + b) * n + c;
        // Gamma_abc (first kind), mirrored in (b, c).
        let mut gam1 = vec![None; n * n * n];
        self.lin.clear();
        for a in 0..n {
            for b in 0..n {
                for c in b..n {
                    let t = [self.dg(c, a, b), self.dg(b, a, c), self.dg(a, b, c)];
                    if t.iter().any(Option::is_some) {
                        let o = alloc(1);
                        let [x, y, z] = t.map(|v| v.unwrap_or(zero));
                        self.lin.push([o, x, y, z, zero]);
                        gam1[idx3(a, b, c)] = Some(o);
                        gam1[idx3(a, c, b)] = Some(o);
                    }
                }
            }
        }
        // Gamma^a_bc = g^ad Gamma_dbc, d ascending.
        let mut chr = vec![None; n * n * n];
        self.chr.clear();
        for a in 0..n {
            for b in 0..n {
                for c in b..n {
                    let terms: Vec<(u32, u32)> = (0..n)
                        .filter_map(|d| self.input(lay.ginv(a, d)).zip(gam1[idx3(d, b, c)]))
                        .collect();
                    if let Some(o) = Self::dot(&mut self.chr, &terms, zero, &mut alloc) {
                        chr[idx3(a, b, c)] = Some(o);
                        chr[idx3(a, c, b)] = Some(o);
                    }
                }
            }
        }
        let riem = self.build_riemann(&gam1, &chr, zero, &mut alloc);
        self.build_ricci(&riem, zero, &mut alloc);
        interleave(&mut self.chr);
        interleave(&mut self.quads);
        interleave(&mut self.ricci);
        self.fits = next <= CAP;
        self.buf[at(zero)] = 0.0;
    }

    /// The independent $R_{abcd}$ in the dense loop's order; returns the slot of every $R_{abcd}$
    /// that may be non-zero (the slot of $-R_{abcd}$ for the odd permutations), `None` for the others.
    fn build_riemann(
        &mut self,
        gam1: &[Option<u32>],
        chr: &[Option<u32>],
        zero: u32,
        alloc: &mut impl FnMut(usize) -> u32,
    ) -> Vec<Option<u32>> {
        let n = self.n;
        let idx3 = |a: usize, b: usize, c: usize| (a * n + b) * n + c;
        let idx4 = |a: usize, b: usize, c: usize, d: usize| ((a * n + b) * n + c) * n + d;
        let mut slots = vec![None; n * n * n * n];
        self.quads.clear();
        self.negs.clear();
        for a in 0..n {
            for b in a + 1..n {
                for c in a..n {
                    for d in (if c == a { b } else { c + 1 })..n {
                        let dd = [
                            self.ddg(b, c, a, d),
                            self.ddg(a, d, b, c),
                            self.ddg(b, d, a, c),
                            self.ddg(a, c, b, d),
                        ];
                        let quads: Vec<_> = (0..n)
                            .filter_map(|e| {
                                let p = gam1[idx3(e, b, c)].zip(chr[idx3(e, a, d)]);
                                let q = gam1[idx3(e, b, d)].zip(chr[idx3(e, a, c)]);
                                (p.is_some() || q.is_some())
                                    .then(|| (p.unwrap_or((zero, zero)), q.unwrap_or((zero, zero))))
                            })
                            .collect();
                        if quads.is_empty() && dd.iter().all(Option::is_none) {
                            continue;
                        }
                        let o = alloc(2);
                        let [x, y, z, w] = dd.map(|v| v.unwrap_or(zero));
                        self.lin.push([o, x, y, z, w]);
                        for ((pi, pj), (qi, qj)) in quads {
                            self.quads.push([o, pi, pj, qi, qj]);
                        }
                        self.negs.push([o + 1, o]);
                        let (pos, neg) = (Some(o), Some(o + 1));
                        slots[idx4(a, b, c, d)] = pos;
                        slots[idx4(b, a, c, d)] = neg;
                        slots[idx4(a, b, d, c)] = neg;
                        slots[idx4(b, a, d, c)] = pos;
                        slots[idx4(c, d, a, b)] = pos;
                        slots[idx4(d, c, a, b)] = neg;
                        slots[idx4(c, d, b, a)] = neg;
                        slots[idx4(d, c, b, a)] = pos;
                    }
                }
            }
        }
        slots
    }

    /// $R_{bd} = g^{ac}R_{abcd}$ ($a \ne b$, $c \ne d$, $a$ then $c$ ascending) and $R = g^{bd}R_{bd}$.
    fn build_ricci(&mut self, riem: &[Option<u32>], zero: u32, alloc: &mut impl FnMut(usize) -> u32) {
        let (n, lay) = (self.n, self.layout());
        let idx4 = |a: usize, b: usize, c: usize, d: usize| ((a * n + b) * n + c) * n + d;
        self.ricci.clear();
        self.ricci_at = vec![zero; n * n];
        for b in 0..n {
            for d in b..n {
                let mut terms = Vec::new();
                for a in (0..n).filter(|&a| a != b) {
                    for c in (0..n).filter(|&c| c != d) {
                        if let Some(t) = self.input(lay.ginv(a, c)).zip(riem[idx4(a, b, c, d)]) {
                            terms.push(t);
                        }
                    }
                }
                if let Some(o) = Self::dot(&mut self.ricci, &terms, zero, alloc) {
                    self.ricci_at[b * n + d] = o;
                    self.ricci_at[d * n + b] = o;
                }
            }
        }
        self.scalar = (0..n * n)
            .filter_map(|i| self.input(lay.ginv(i / n, i % n)).map(|g| [g, self.ricci_at[i]]))
            .collect();
    }

    /// Copy the inputs into the buffer. Returns `(outside, non_finite)`: whether a non-zero input lies
    /// outside the pattern, and whether an input is not finite.
    fn gather<const N: usize, const K: usize>(
        &mut self,
        h: &[[Dual2Vec<f64, Const<K>>; N]; N],
        g_inv: &[[f64; N]; N],
    ) -> (bool, bool) {
        let lay = Layout { n: N, k: K };
        let buf = &mut *self.buf;
        for a in 0..N {
            for b in 0..N {
                let e = &h[a][b];
                buf[lay.g(a, b) & (CAP - 1)] = e.re;
                buf[lay.ginv(a, b) & (CAP - 1)] = g_inv[a][b];
                let grad = e.v1.0.as_ref();
                for s in 0..K {
                    buf[lay.dg(s, a, b) & (CAP - 1)] = grad.map_or(0.0, |m| m[s]);
                }
                let hess = e.v2.0.as_ref();
                for s in 0..K {
                    for t in 0..K {
                        buf[lay.ddg(s, t, a, b) & (CAP - 1)] = hess.map_or(0.0, |m| m[(s, t)]);
                    }
                }
            }
        }
        // One pass over the contiguous inputs (vectorisable): |v| != 0 outside the pattern, and
        // non-finite values.
        let m = lay.inputs().min(CAP);
        let (mut outside, mut bad) = (0u64, false);
        for (v, f) in buf[..m].iter().zip(&self.forbidden[..m]) {
            outside |= v.to_bits() & f;
            bad |= !v.is_finite();
        }
        (outside != 0, bad)
    }

    /// $G_{ab}$ from the inputs in the buffer.
    fn eval<const N: usize>(&mut self) -> [[f64; N]; N] {
        let b = &mut *self.buf;
        for &[o, x, y, z, w] in &self.lin {
            b[at(o)] = (b[at(x)] + b[at(y)] - b[at(z)] - b[at(w)]) * 0.5;
        }
        for &[o, s, i, j] in &self.chr {
            b[at(o)] = b[at(s)] + b[at(i)] * b[at(j)];
        }
        for &[o, pi, pj, qi, qj] in &self.quads {
            b[at(o)] += b[at(pi)] * b[at(pj)] - b[at(qi)] * b[at(qj)];
        }
        for &[o, v] in &self.negs {
            b[at(o)] = -b[at(v)];
        }
        for &[o, s, i, j] in &self.ricci {
            b[at(o)] = b[at(s)] + b[at(i)] * b[at(j)];
        }
        let mut r = 0.0;
        for &[i, j] in &self.scalar {
            r += b[at(i)] * b[at(j)];
        }
        let ra = &self.ricci_at[..N * N];
        std::array::from_fn(|i| {
            std::array::from_fn(|j| b[at(ra[i * N + j])] - b[(i * N + j) & (CAP - 1)] * r * 0.5)
        })
    }

    /// $G_{ab}$ for the components `h` (on [`super::seed_along`] duals) and $g^{ab}$; the pattern is
    /// widened first if needed. `None` if an input is not finite.
    fn einstein<const N: usize, const K: usize>(
        &mut self,
        h: &[[Dual2Vec<f64, Const<K>>; N]; N],
        g_inv: &[[f64; N]; N],
    ) -> Option<[[f64; N]; N]> {
        if !self.fits {
            return None;
        }
        let (outside, bad) = self.gather(h, g_inv);
        if bad {
            return None;
        }
        if outside {
            let lay = self.layout();
            for i in 0..lay.inputs() {
                self.allowed[i] |= self.buf[i] != 0.0;
            }
            self.build();
            if !self.fits {
                return None;
            }
        }
        Some(self.eval::<N>())
    }
}

/// Reorder accumulating operations (each sum is a run of consecutive operations on one output slot,
/// `op[0]`) by their position inside their sum, stably: every sum keeps its order (the same bits),
/// while consecutive operations now belong to different sums, so the store-to-load chains of the
/// sums run side by side instead of one after another.
fn interleave<const L: usize>(ops: &mut Vec<[u32; L]>) {
    let mut rank = 0u32;
    let mut ranked: Vec<(u32, [u32; L])> = Vec::with_capacity(ops.len());
    for (m, op) in ops.iter().enumerate() {
        rank = if m > 0 && ops[m - 1][0] == op[0] {
            rank + 1
        } else {
            0
        };
        ranked.push((rank, *op));
    }
    ranked.sort_by_key(|&(r, _)| r);
    *ops = ranked.into_iter().map(|(_, op)| op).collect();
}

/// Plans kept per thread (a few metrics in turn; the oldest is dropped beyond this).
const MAX_PLANS: usize = 8;

thread_local! {
    static PLANS: RefCell<Vec<Plan>> = const { RefCell::new(Vec::new()) };
}

/// $G_{ab}$ by this thread's plan for (`N`, `free`); `None` if an input is not finite or the cache is
/// in use (a metric that calls `einstein_at` from its own components), for the dense path to handle.
pub(super) fn einstein<const N: usize, const K: usize>(
    free: &[usize],
    h: &[[Dual2Vec<f64, Const<K>>; N]; N],
    g_inv: &[[f64; N]; N],
) -> Option<[[f64; N]; N]> {
    PLANS.with(|cell| {
        let mut plans = cell.try_borrow_mut().ok()?;
        let i = match plans.iter().position(|p| p.n == N && p.free == free) {
            Some(i) => i,
            None => {
                if plans.len() == MAX_PLANS {
                    plans.remove(0);
                }
                plans.push(Plan::new(N, free));
                plans.len() - 1
            }
        };
        plans[i].einstein(h, g_inv)
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Curvature, jets};
    use crate::GeometryError;
    use crate::metric::Metric;
    use crate::spacetimes::{Kerr, KerrSchild, PerturbedMinkowski, Schwarzschild};
    use num_dual::{Dual64, DualNum};

    /// A 3-D chart with a non-diagonal $g_{01} = 0.1(x^1)^3$ that vanishes with its first and second
    /// derivatives at $x^1 = 0$ (a smaller input pattern there), and $x^2$ cyclic.
    struct Toggle;
    impl Metric<3> for Toggle {
        fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 3]) -> [[D; 3]; 3] {
            let z = D::from(0.0);
            let g01 = x[1].powi(3) * 0.1;
            [
                [-(x[1] * x[1] * 0.3 + 1.0), g01, z],
                [g01, x[0] * x[1] * 0.2 + 1.0, z],
                [z, z, x[1] * x[1] + x[0].sin() * 0.1 + 1.0],
            ]
        }
        fn cyclic_coordinates(&self) -> &'static [usize] {
            &[2]
        }
    }

    /// Depends on $t$ only (one differentiated coordinate), with $g_{12} = 0.05\\,t$.
    struct TimeOnly;
    impl Metric<4> for TimeOnly {
        fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> [[D; 4]; 4] {
            let z = D::from(0.0);
            let (a, c) = (x[0] * x[0] * 0.1 + 1.0, x[0] * 0.05);
            [
                [D::from(-1.0), z, z, z],
                [z, a * a, c, z],
                [z, c, a * a * a, z],
                [z, z, z, (x[0] * 0.2).exp()],
            ]
        }
        fn cyclic_coordinates(&self) -> &'static [usize] {
            &[1, 2, 3]
        }
    }

    /// A perturbed Minkowski metric whose wave vectors have no $t$ part, declared static (three
    /// differentiated coordinates, every component non-zero).
    struct Static(PerturbedMinkowski<4>);
    impl Metric<4> for Static {
        fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> [[D; 4]; 4] {
            self.0.components(x)
        }
        fn cyclic_coordinates(&self) -> &'static [usize] {
            &[0]
        }
    }

    /// A deterministic uniform stream on [0, 1) (64-bit LCG, top 53 bits).
    fn lcg(seed: u64) -> impl FnMut() -> f64 {
        let mut s = seed;
        move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// `einstein_at` against the dense contractions of `Curvature::at` (the path it replaces) and
    /// against the dense path on `Dual64` scalars (all directions, every $g^{ab}$ entry, num-dual's
    /// own real-part arithmetic).
    fn check<M: Metric<N>, const N: usize>(m: &M, x: &[f64; N]) {
        let e = Curvature::einstein_at(m, x).unwrap();
        let c = Curvature::at(m, x).unwrap();
        // Equal entry by entry (`==`, so +0 and -0 are equal): the plan keeps every term that can be
        // non-zero, in the dense order, and the dropped terms are exact zeros.
        assert_eq!(e, c.einstein, "{} at {x:?}", m.name());
        let xd = x.map(Dual64::from);
        let d =
            Curvature::<N, Dual64>::from_jets_and_inverse(&jets(m, &xd), m.inverse_components(&xd).unwrap());
        // Relative 1e-12 of the largest term G_ab is summed from (a term g^ac R_abcd of R_bd, or
        // R g_ab / 2): the two paths round differently only inside num-dual's real parts (a few ulp
        // per operation, ~1e-15 relative), and G cancels terms of that size (it is 0 for vacuum), so
        // its own magnitude is no scale.
        let mut scale = f64::MIN_POSITIVE;
        for (a, b, cc, dd) in (0..N * N * N * N).map(|i| (i / (N * N * N), i / (N * N) % N, i / N % N, i % N))
        {
            scale = scale
                .max((c.g_inv[a][cc] * c.riemann[a][b][cc][dd]).abs())
                .max((c.ricci_scalar * c.g[a][b]).abs() * 0.5);
        }
        for a in 0..N {
            for b in 0..N {
                let (u, v) = (e[a][b], d.einstein[a][b].re);
                assert!(
                    (u - v).abs() <= 1e-12 * scale,
                    "{} at {x:?} [{a}][{b}]: {u:e} vs {v:e}",
                    m.name()
                );
            }
        }
    }

    #[test]
    fn equals_the_dense_path_on_kerr_schwarzschild_perturbed_minkowski_and_non_diagonal_metrics() {
        let kerr = Kerr::new(1.0, 0.9).unwrap();
        let schw = Schwarzschild::new(1.0).unwrap();
        for &(r, th) in &[
            (3.7, 1.1),
            (2.4, 0.05),
            (19.0, 3.0),
            (6.0, std::f64::consts::FRAC_PI_2),
        ] {
            check(&kerr, &[0.0, r, th, 0.4]);
            check(&schw, &[1.0, r, th, 0.0]);
        }
        let mut u = lcg(7);
        for _ in 0..3 {
            let pm = crate::testcases::random_perturbed_minkowski(3, 0.05, &mut u).unwrap();
            for _ in 0..3 {
                check(&pm, &std::array::from_fn(|_| 4.0 * u() - 2.0));
            }
        }
        // Non-diagonal: Kerr-Schild (every component depends on x, y, z) and the chart above.
        check(&KerrSchild::new(1.0, 0.7).unwrap(), &[0.0, 3.0, 1.0, 2.0]);
        check(&Toggle, &[0.3, 0.7, 0.1]);
        check(&TimeOnly, &[0.8, 0.0, 0.0, 0.0]);
        let mut u = lcg(11);
        let static_modes = (0..2)
            .map(|_| crate::spacetimes::Mode {
                amplitude: std::array::from_fn(|_| std::array::from_fn(|_| 0.05 * (2.0 * u() - 1.0))),
                wavevector: [0.0, 2.0 * u() - 1.0, 2.0 * u() - 1.0, 2.0 * u() - 1.0],
                phase: 6.0 * u(),
            })
            .collect();
        check(
            &Static(PerturbedMinkowski::new(static_modes).unwrap()),
            &[0.0, 0.3, -0.4, 0.9],
        );
    }

    /// The plan built where $g_{01}$ and its derivatives vanish exactly is widened at the next point,
    /// and the widened plan still gives the dense numbers at the first; two metrics in turn keep
    /// their own plans.
    #[test]
    fn the_pattern_widens_and_plans_are_kept_per_metric() {
        let kerr = Kerr::new(1.0, 0.5).unwrap();
        for x1 in [0.0, 0.5, 0.0, -0.25] {
            check(&Toggle, &[0.2, x1, 0.0]);
            check(&kerr, &[0.0, 4.0 + x1, 1.0, 0.0]);
        }
    }

    /// A derivative that is infinite where the value is finite ($g_{11} = 1 + \sqrt{x^1}$ at $x^1 = 0$)
    /// goes to the dense path, whose $0\cdot\infty$ makes $G_{ab}$ non-finite: a typed error naming the
    /// point, as from `Curvature::at`.
    #[test]
    fn a_non_finite_derivative_is_a_typed_error() {
        struct Root;
        impl Metric<2> for Root {
            fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 2]) -> [[D; 2]; 2] {
                let z = D::from(0.0);
                [[D::from(-1.0), z], [z, x[1].sqrt() + 1.0]]
            }
        }
        let x = [0.0, 0.0];
        match Curvature::einstein_at(&Root, &x) {
            Err(GeometryError::NonFiniteResult { what, point }) => {
                assert_eq!((what, point), ("Einstein tensor", x.to_vec()));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Curvature::at(&Root, &x),
            Err(GeometryError::NonFiniteResult { .. })
        ));
        // Away from the root both paths are finite and equal.
        check(&Root, &[0.0, 0.7]);
    }
}
