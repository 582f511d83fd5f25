//! The network: neurons, boundary projection, weights, bias, activation, dynamics and loss.
//!
//! State $x \in \mathbb R^N$ splits into boundary (input/output) neurons, selected by the projection
//! $\hat P$, and bulk (hidden) neurons, selected by $1 - \hat P$ (THEORY.md §1). The trainable variables
//! are $q = (b, \hat w)$, flattened as `[b_0 .. b_{N-1}, w_k ..]` with the weights in the storage order of
//! [`Weights`] (row-major for dense, row by row for sparse/banded).
//!
//! * Dynamics (N2.1): $x(t+1) = (1 - \hat P) f(\hat w x(t) + b) + \hat P x_\partial(t)$.
//! * Loss (N2.2): $H(x, q) = L(x, z)$ with the network output $z = f(\hat w x + b)$; the built-in
//!   [`QuadraticLoss`] is $\tfrac12 \sum_i m_i (x_i - z_i)^2 + \tfrac{\varepsilon}{2}|x|^2 +
//!   \tfrac{\kappa}{2}|\hat P x - x^\*\_\partial|^2$ (bulk loss plus a confining term and a boundary term).
//! * Gradients (chain rule, hand-written): with $y = \hat w x + b$, $\delta_i = \partial_{z_i} L\\, f'(y_i)$,
//!   $\partial H/\partial b_i = \delta_i$, $\partial H/\partial w_{ij} = \delta_i x_j$,
//!   $\partial H/\partial x_k = \partial_{x_k} L + \sum_i \delta_i w_{ik}$.
//!
//! Everything that needs derivatives is written once, generic over
//! `D: DualNum<Primitive = f64> + Copy`; the `*_autodiff` methods differentiate that single definition
//! with forward-mode duals and are what the hand-written gradients are tested against.

use num_dual::{Dual64, DualNum};

use crate::error::{NetworkError, Result, check_finite, check_len, check_size};

/// An activation map $f$, written once for real and dual scalars.
pub trait Activation: Send + Sync {
    /// $f(y)$, generic so autodiff sees through it.
    fn eval<D: DualNum<Primitive = f64> + Copy>(&self, y: D) -> D;
    /// $f'(y)$, hand-written (used by the fast gradients).
    fn derivative(&self, y: f64) -> f64;
    /// Whether $f$ is the identity (enables the exact Gaussian ensemble).
    fn is_identity(&self) -> bool {
        false
    }
}

/// The built-in activations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// $f(y) = y$.
    Identity,
    /// $f(y) = \tanh y$.
    Tanh,
    /// $f(y) = 1/(1 + e^{-y})$.
    Sigmoid,
}

impl Activation for Act {
    fn eval<D: DualNum<Primitive = f64> + Copy>(&self, y: D) -> D {
        match self {
            Act::Identity => y,
            Act::Tanh => y.tanh(),
            Act::Sigmoid => ((-y).exp() + 1.0).recip(),
        }
    }
    fn derivative(&self, y: f64) -> f64 {
        match self {
            Act::Identity => 1.0,
            Act::Tanh => {
                let t = y.tanh();
                1.0 - t * t
            }
            Act::Sigmoid => {
                let s = 1.0 / (1.0 + (-y).exp());
                s * (1.0 - s)
            }
        }
    }
    fn is_identity(&self) -> bool {
        matches!(self, Act::Identity)
    }
}

/// A user-supplied activation from two plain functions $f$ and $f'$.
///
/// On dual numbers it is lifted to first order, $f(y) \to f(y_0) + f'(y_0)(y - y_0)$, which is exact
/// for first derivatives (the only ones the crate takes of the activation). For full autodiff of a
/// custom activation implement [`Activation`] generically instead.
#[derive(Debug, Clone, Copy)]
pub struct FnActivation {
    /// $f$.
    pub f: fn(f64) -> f64,
    /// $f'$.
    pub df: fn(f64) -> f64,
}

impl Activation for FnActivation {
    fn eval<D: DualNum<Primitive = f64> + Copy>(&self, y: D) -> D {
        let y0 = y.re();
        D::from((self.f)(y0)) + (y - D::from(y0)) * (self.df)(y0)
    }
    fn derivative(&self, y: f64) -> f64 {
        (self.df)(y)
    }
}

/// Storage pattern of the weight matrix.
#[derive(Debug, Clone, PartialEq)]
enum Pattern {
    Dense,
    /// Compressed sparse rows.
    Sparse {
        row_ptr: Vec<usize>,
        cols: Vec<usize>,
    },
}

/// The weight matrix $\hat w$: dense (row-major) or sparse/banded (compressed rows).
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    n: usize,
    pattern: Pattern,
    vals: Vec<f64>,
}

impl Weights {
    /// Dense $n \times n$ weights from row-major values.
    ///
    /// # Errors
    /// [`NetworkError::TooLarge`] if $n^2$ overflows or exceeds the budget,
    /// [`NetworkError::ShapeMismatch`] unless there are $n^2$ values, [`NetworkError::NonFinite`].
    pub fn dense(n: usize, row_major: Vec<f64>) -> Result<Self> {
        let len = check_size("dense weights (n²)", &[n, n])?;
        check_len("dense weights (n*n)", len, row_major.len())?;
        check_finite("weights", &row_major)?;
        Ok(Self {
            n,
            pattern: Pattern::Dense,
            vals: row_major,
        })
    }

    /// All-zero dense weights.
    ///
    /// # Errors
    /// [`NetworkError::TooLarge`] if $n^2$ overflows or exceeds [`crate::error::MAX_ELEMENTS`].
    pub fn zeros(n: usize) -> Result<Self> {
        let len = check_size("dense weights (n²)", &[n, n])?;
        Ok(Self {
            n,
            pattern: Pattern::Dense,
            vals: vec![0.0; len],
        })
    }

    /// Sparse weights from `(row, col, value)` triplets (duplicates are summed; order within a row is
    /// by column).
    ///
    /// # Errors
    /// [`NetworkError::TooLarge`] if $n + 1$ row pointers exceed the budget,
    /// [`NetworkError::IndexOutOfRange`], [`NetworkError::NonFinite`].
    pub fn sparse(n: usize, triplets: &[(usize, usize, f64)]) -> Result<Self> {
        check_size("sparse row pointers (n + 1)", &[n.saturating_add(1)])?;
        let mut t: Vec<(usize, usize, f64)> = Vec::with_capacity(triplets.len());
        for (k, &(i, j, v)) in triplets.iter().enumerate() {
            for idx in [i, j] {
                if idx >= n {
                    return Err(NetworkError::IndexOutOfRange {
                        what: "weight triplet",
                        index: idx,
                        len: n,
                    });
                }
            }
            if !v.is_finite() {
                return Err(NetworkError::NonFinite {
                    what: "weights",
                    index: k,
                    value: v,
                });
            }
            t.push((i, j, v));
        }
        t.sort_by_key(|&(i, j, _)| (i, j));
        let mut row_ptr = vec![0usize; n + 1];
        let mut cols = Vec::with_capacity(t.len());
        let mut vals: Vec<f64> = Vec::with_capacity(t.len());
        let mut last: Option<(usize, usize)> = None;
        for (i, j, v) in t {
            if last == Some((i, j)) {
                if let Some(x) = vals.last_mut() {
                    *x += v;
                }
                continue;
            }
            last = Some((i, j));
            row_ptr[i + 1] += 1;
            cols.push(j);
            vals.push(v);
        }
        for i in 0..n {
            row_ptr[i + 1] += row_ptr[i];
        }
        Ok(Self {
            n,
            pattern: Pattern::Sparse { row_ptr, cols },
            vals,
        })
    }

    /// Banded weights: $w_{ij} = g(i, j)$ for $|i - j| \le h$ (with $j$ taken modulo $n$ when
    /// `periodic`), zero elsewhere.
    ///
    /// # Errors
    /// A periodic band with $2h + 1 > n$, [`NetworkError::TooLarge`] beyond the allocation budget, or
    /// a non-finite $g$.
    pub fn banded(
        n: usize,
        half_width: usize,
        periodic: bool,
        g: impl Fn(usize, usize) -> f64,
    ) -> Result<Self> {
        // A periodic band wider than the ring would wrap onto itself (entries counted twice); a
        // non-periodic one wider than the matrix is just dense. Both are settled before the loop, which
        // would otherwise run for 2h + 1 offsets per row whatever n is.
        let width = half_width.checked_mul(2).and_then(|w| w.checked_add(1));
        if periodic && width.is_none_or(|w| w > n) {
            return Err(NetworkError::InvalidParameter {
                name: "half_width",
                value: half_width as f64,
                reason: "a periodic band needs 2h + 1 <= n",
            });
        }
        let half_width = half_width.min(n.saturating_sub(1));
        check_size(
            "banded weights (n × (2h + 1))",
            // Three words per stored entry while the triplets are assembled.
            &[n, half_width.saturating_mul(2).saturating_add(1), 3],
        )?;
        let mut t = Vec::new();
        for i in 0..n {
            for d in -(half_width as i64)..=(half_width as i64) {
                let j = i as i64 + d;
                let j = if periodic {
                    j.rem_euclid(n as i64)
                } else if j < 0 || j >= n as i64 {
                    continue;
                } else {
                    j
                };
                t.push((i, j as usize, g(i, j as usize)));
            }
        }
        Self::sparse(n, &t)
    }

    /// Number of neurons.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of stored (trainable) weights.
    pub fn len(&self) -> usize {
        self.vals.len()
    }

    /// Whether no weight is stored.
    pub fn is_empty(&self) -> bool {
        self.vals.is_empty()
    }

    /// Whether the storage is dense.
    pub fn is_dense(&self) -> bool {
        matches!(self.pattern, Pattern::Dense)
    }

    /// Stored values in storage order.
    pub fn values(&self) -> &[f64] {
        &self.vals
    }

    /// Replace the stored values (same pattern).
    pub fn set_values(&mut self, v: &[f64]) -> Result<()> {
        check_len("weight values", self.vals.len(), v.len())?;
        check_finite("weights", v)?;
        self.vals.copy_from_slice(v);
        Ok(())
    }

    /// `(row, col)` of stored entry `k`, in storage order.
    pub fn entries(&self) -> Vec<(usize, usize)> {
        match &self.pattern {
            Pattern::Dense => (0..self.n * self.n).map(|k| (k / self.n, k % self.n)).collect(),
            Pattern::Sparse { row_ptr, cols } => {
                let mut out = Vec::with_capacity(cols.len());
                for i in 0..self.n {
                    for k in row_ptr[i]..row_ptr[i + 1] {
                        out.push((i, cols[k]));
                    }
                }
                out
            }
        }
    }

    /// Entry $w_{ij}$ (zero if not stored or out of range).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        if i >= self.n || j >= self.n {
            return 0.0;
        }
        match &self.pattern {
            Pattern::Dense => self.vals[i * self.n + j],
            Pattern::Sparse { row_ptr, cols } => (row_ptr[i]..row_ptr[i + 1])
                .find(|&k| cols[k] == j)
                .map_or(0.0, |k| self.vals[k]),
        }
    }

    /// $y = \hat w x$ with the weight values `vals` (storage order), generic over the scalar.
    pub fn apply_with<D: DualNum<Primitive = f64> + Copy>(
        &self,
        vals: &[D],
        x: &[D],
        out: &mut [D],
    ) -> Result<()> {
        let n = self.n;
        check_len("weight values", self.vals.len(), vals.len())?;
        check_len("input vector", n, x.len())?;
        check_len("output vector", n, out.len())?;
        match &self.pattern {
            Pattern::Dense => {
                for i in 0..n {
                    let row = &vals[i * n..(i + 1) * n];
                    let mut acc = D::from(0.0);
                    for j in 0..n {
                        acc += row[j] * x[j];
                    }
                    out[i] = acc;
                }
            }
            Pattern::Sparse { row_ptr, cols } => {
                for i in 0..n {
                    let mut acc = D::from(0.0);
                    for k in row_ptr[i]..row_ptr[i + 1] {
                        acc += vals[k] * x[cols[k]];
                    }
                    out[i] = acc;
                }
            }
        }
        Ok(())
    }

    /// $y = \hat w x$ in `f64`.
    pub fn apply(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        self.apply_with(&self.vals, x, out)
    }

    /// $g = \hat w^T \delta$ in `f64`.
    pub fn apply_transpose(&self, d: &[f64], out: &mut [f64]) -> Result<()> {
        let n = self.n;
        check_len("input vector", n, d.len())?;
        check_len("output vector", n, out.len())?;
        out.iter_mut().for_each(|o| *o = 0.0);
        match &self.pattern {
            Pattern::Dense => {
                for i in 0..n {
                    for j in 0..n {
                        out[j] += self.vals[i * n + j] * d[i];
                    }
                }
            }
            Pattern::Sparse { row_ptr, cols } => {
                for i in 0..n {
                    for k in row_ptr[i]..row_ptr[i + 1] {
                        out[cols[k]] += self.vals[k] * d[i];
                    }
                }
            }
        }
        Ok(())
    }

    /// $\partial H/\partial w_k = \delta_{i(k)} x_{j(k)}$ for every stored entry, in storage order.
    fn outer_into(&self, delta: &[f64], x: &[f64], out: &mut [f64]) {
        let n = self.n;
        match &self.pattern {
            Pattern::Dense => {
                for i in 0..n {
                    for j in 0..n {
                        out[i * n + j] = delta[i] * x[j];
                    }
                }
            }
            Pattern::Sparse { row_ptr, cols } => {
                for i in 0..n {
                    for k in row_ptr[i]..row_ptr[i + 1] {
                        out[k] = delta[i] * x[cols[k]];
                    }
                }
            }
        }
    }
}

/// A loss $L(x, z)$ of the state $x$ and the network output $z = f(\hat w x + b)$ (N2.2); user losses
/// implement this trait once, generically.
pub trait Loss: Send + Sync {
    /// The loss, generic over the scalar.
    fn eval<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D], z: &[D]) -> D;

    /// Number of neurons the loss expects, if it is tied to a size.
    fn size(&self) -> Option<usize> {
        None
    }

    /// Check the loss's own data before use (called by every [`Network`] method that evaluates it;
    /// the default accepts everything). Losses with public fields re-validate them here, since a
    /// struct literal bypasses their constructors.
    ///
    /// # Errors
    /// Whatever is inconsistent, with the offending value.
    fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// $(\partial L/\partial x, \partial L/\partial z)$. The default differentiates [`Loss::eval`] with
    /// forward-mode duals ($2N$ passes); override with a hand-written gradient where speed matters.
    fn grad(&self, x: &[f64], z: &[f64], gx: &mut [f64], gz: &mut [f64]) {
        let n = x.len();
        let xd: Vec<Dual64> = x.iter().map(|&v| Dual64::from(v)).collect();
        let zd: Vec<Dual64> = z.iter().map(|&v| Dual64::from(v)).collect();
        for k in 0..n {
            let mut a = xd.clone();
            a[k].eps = 1.0;
            gx[k] = self.eval(&a, &zd).eps;
            let mut b = zd.clone();
            b[k].eps = 1.0;
            gz[k] = self.eval(&xd, &b).eps;
        }
    }
}

/// The quadratic loss $\tfrac12 \sum_i m_i (x_i - z_i)^2 + \tfrac{\varepsilon}{2}|x|^2
/// + \tfrac{\kappa}{2}\sum_{b \in \partial} (x_b - t_b)^2$ (N2.2 with a confining and a boundary term).
///
/// The fields are private: every value comes from a validated constructor (finite weights,
/// $\varepsilon \ge 0$ finite, boundary indices in range, finite $\kappa$ and targets), so a struct
/// literal cannot smuggle an out-of-range boundary index into [`Network::loss`]:
///
/// ```compile_fail
/// let bad = nqg_network::QuadraticLoss { residual_weight: vec![1.0], epsilon: 0.0, boundary: None };
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct QuadraticLoss {
    residual_weight: Vec<f64>,
    epsilon: f64,
    boundary: Option<(f64, Vec<usize>, Vec<f64>)>,
}

impl QuadraticLoss {
    /// Residual weights $m_i$ (finite) and confinement $\varepsilon \ge 0$, no boundary term.
    ///
    /// # Errors
    /// [`NetworkError::NonFinite`] for a non-finite weight, [`NetworkError::InvalidParameter`] for
    /// $\varepsilon$ negative or non-finite.
    pub fn with_weights(residual_weight: Vec<f64>, epsilon: f64) -> Result<Self> {
        check_finite("residual weights", &residual_weight)?;
        crate::error::check_non_negative("epsilon", epsilon)?;
        Ok(Self {
            residual_weight,
            epsilon,
            boundary: None,
        })
    }

    /// Residual on every neuron ($m_i = 1$) plus $(\varepsilon/2)|x|^2$ (the loss of THEORY.md V-M1).
    ///
    /// # Errors
    /// As [`QuadraticLoss::with_weights`]; [`NetworkError::TooLarge`] for $n$ beyond the allocation budget.
    pub fn all(n: usize, epsilon: f64) -> Result<Self> {
        crate::error::check_non_negative("epsilon", epsilon)?;
        check_size("loss weights", &[n])?;
        Self::with_weights(vec![1.0; n], epsilon)
    }

    /// The bulk loss of N2.2: residuals on the bulk neurons of `net` only ($m_i = 0$ on the boundary).
    ///
    /// # Errors
    /// As [`QuadraticLoss::with_weights`].
    pub fn bulk<A: Activation>(net: &Network<A>, epsilon: f64) -> Result<Self> {
        let w = net
            .boundary_mask()
            .iter()
            .map(|&b| if b { 0.0 } else { 1.0 })
            .collect();
        Self::with_weights(w, epsilon)
    }

    /// Add the boundary term $\tfrac{\kappa}{2}\sum_b (x_b - t_b)^2$.
    ///
    /// # Errors
    /// [`NetworkError::ShapeMismatch`] for targets and indices of different lengths,
    /// [`NetworkError::IndexOutOfRange`] for an index $\ge n$, [`NetworkError::NonFinite`] for a
    /// non-finite target or $\kappa$.
    pub fn with_boundary_term(mut self, kappa: f64, indices: Vec<usize>, targets: Vec<f64>) -> Result<Self> {
        check_len("boundary targets", indices.len(), targets.len())?;
        let n = self.residual_weight.len();
        if let Some(&i) = indices.iter().find(|&&i| i >= n) {
            return Err(NetworkError::IndexOutOfRange {
                what: "boundary term",
                index: i,
                len: n,
            });
        }
        check_finite("boundary targets", &targets)?;
        check_finite("boundary strength", &[kappa])?;
        self.boundary = Some((kappa, indices, targets));
        Ok(self)
    }

    /// The residual weights $m_i$.
    pub fn residual_weight(&self) -> &[f64] {
        &self.residual_weight
    }

    /// The confinement $\varepsilon$.
    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }

    /// The boundary term $(\kappa, \text{indices}, t_b)$, if any.
    pub fn boundary(&self) -> Option<(f64, &[usize], &[f64])> {
        self.boundary
            .as_ref()
            .map(|(k, i, t)| (*k, i.as_slice(), t.as_slice()))
    }
}

impl Loss for QuadraticLoss {
    fn eval<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D], z: &[D]) -> D {
        let mut h = D::from(0.0);
        for i in 0..x.len() {
            let r = x[i] - z[i];
            h += r * r * (0.5 * self.residual_weight[i]) + x[i] * x[i] * (0.5 * self.epsilon);
        }
        if let Some((kappa, idx, t)) = &self.boundary {
            for (&i, &ti) in idx.iter().zip(t) {
                let r = x[i] - ti;
                h += r * r * (0.5 * kappa);
            }
        }
        h
    }

    fn size(&self) -> Option<usize> {
        Some(self.residual_weight.len())
    }

    fn validate(&self) -> Result<()> {
        let n = self.residual_weight.len();
        check_finite("residual weights", &self.residual_weight)?;
        if !(self.epsilon.is_finite() && self.epsilon >= 0.0) {
            return Err(NetworkError::InvalidParameter {
                name: "epsilon",
                value: self.epsilon,
                reason: "must be finite and >= 0",
            });
        }
        if let Some((kappa, idx, t)) = &self.boundary {
            check_len("boundary targets", idx.len(), t.len())?;
            check_finite("boundary targets", t)?;
            check_finite("boundary strength", &[*kappa])?;
            if let Some(&i) = idx.iter().find(|&&i| i >= n) {
                return Err(NetworkError::IndexOutOfRange {
                    what: "boundary term",
                    index: i,
                    len: n,
                });
            }
        }
        Ok(())
    }

    fn grad(&self, x: &[f64], z: &[f64], gx: &mut [f64], gz: &mut [f64]) {
        for i in 0..x.len() {
            let r = self.residual_weight[i] * (x[i] - z[i]);
            gx[i] = r + self.epsilon * x[i];
            gz[i] = -r;
        }
        if let Some((kappa, idx, t)) = &self.boundary {
            for (&i, &ti) in idx.iter().zip(t) {
                gx[i] += kappa * (x[i] - ti);
            }
        }
    }
}

/// A network of $N$ neurons (THEORY.md §1): weights, bias, activation and boundary set.
#[derive(Debug, Clone, PartialEq)]
pub struct Network<A = Act> {
    weights: Weights,
    bias: Vec<f64>,
    boundary: Vec<usize>,
    mask: Vec<bool>,
    act: A,
}

impl<A: Activation> Network<A> {
    /// A network with the given weights, bias, boundary neuron indices (inputs/outputs, any order,
    /// no duplicates) and activation.
    pub fn new(weights: Weights, bias: Vec<f64>, boundary: Vec<usize>, act: A) -> Result<Self> {
        let n = weights.n();
        check_len("bias", n, bias.len())?;
        check_finite("bias", &bias)?;
        check_finite("weights", weights.values())?;
        let mut mask = vec![false; n];
        for &i in &boundary {
            if i >= n {
                return Err(NetworkError::IndexOutOfRange {
                    what: "boundary set",
                    index: i,
                    len: n,
                });
            }
            if mask[i] {
                return Err(NetworkError::DuplicateIndex(i));
            }
            mask[i] = true;
        }
        Ok(Self {
            weights,
            bias,
            boundary,
            mask,
            act,
        })
    }

    /// Number of neurons $N$.
    pub fn n(&self) -> usize {
        self.weights.n()
    }

    /// Boundary neuron indices, in the order boundary data are supplied.
    pub fn boundary(&self) -> &[usize] {
        &self.boundary
    }

    /// `mask[i]` is true for boundary neurons ($\hat P$ as a diagonal 0/1 mask).
    pub fn boundary_mask(&self) -> &[bool] {
        &self.mask
    }

    /// The weights.
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// The bias.
    pub fn bias(&self) -> &[f64] {
        &self.bias
    }

    /// The activation.
    pub fn activation(&self) -> &A {
        &self.act
    }

    /// Number of trainable variables $K = N + $ (stored weights).
    pub fn num_params(&self) -> usize {
        self.n() + self.weights.len()
    }

    /// $q = (b, w)$ flattened.
    pub fn params(&self) -> Vec<f64> {
        let mut q = self.bias.clone();
        q.extend_from_slice(self.weights.values());
        q
    }

    /// Set $q = (b, w)$ (rejects wrong length and non-finite values).
    pub fn set_params(&mut self, q: &[f64]) -> Result<()> {
        check_len("parameter vector q", self.num_params(), q.len())?;
        check_finite("parameter vector q", q)?;
        let n = self.n();
        self.bias.copy_from_slice(&q[..n]);
        self.weights.set_values(&q[n..])
    }

    fn check_state(&self, x: &[f64]) -> Result<()> {
        check_len("state vector x", self.n(), x.len())?;
        check_finite("state vector x", x)
    }

    /// Pre-activation $y = \hat w x + b$.
    pub fn preactivation(&self, x: &[f64]) -> Result<Vec<f64>> {
        self.check_state(x)?;
        let mut y = vec![0.0; self.n()];
        self.weights.apply(x, &mut y)?;
        y.iter_mut().zip(&self.bias).for_each(|(y, b)| *y += b);
        Ok(y)
    }

    /// Output $z = f(\hat w x + b)$ with parameters `q` (flattened $(b, w)$), generic over the scalar.
    pub fn output_with<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D], q: &[D]) -> Result<Vec<D>> {
        let n = self.n();
        check_len("parameter vector q", self.num_params(), q.len())?;
        let mut y = vec![D::from(0.0); n];
        self.weights.apply_with(&q[n..], x, &mut y)?;
        Ok((0..n).map(|i| self.act.eval(y[i] + q[i])).collect())
    }

    /// One activation step (N2.1): bulk neurons take $f(\hat w x + b)$, boundary neurons take
    /// `x_boundary` (one value per boundary neuron, in the order of [`Network::boundary`]).
    pub fn step(&self, x: &[f64], x_boundary: &[f64]) -> Result<Vec<f64>> {
        check_len("boundary data", self.boundary.len(), x_boundary.len())?;
        check_finite("boundary data", x_boundary)?;
        let y = self.preactivation(x)?;
        let mut out: Vec<f64> = y.iter().map(|&v| self.act.eval(v)).collect();
        for (&i, &v) in self.boundary.iter().zip(x_boundary) {
            out[i] = v;
        }
        Ok(out)
    }

    /// Run `steps` activation steps from `x0`; `drive(t, buf)` fills the boundary data of step `t`
    /// (e.g. by sampling $p_\partial$). Returns the trajectory including `x0`.
    pub fn run(
        &self,
        x0: &[f64],
        steps: usize,
        mut drive: impl FnMut(usize, &mut [f64]),
    ) -> Result<Vec<Vec<f64>>> {
        self.check_state(x0)?;
        let mut traj = vec![x0.to_vec()];
        let mut buf = vec![0.0; self.boundary.len()];
        for t in 0..steps {
            drive(t, &mut buf);
            let next = self.step(&traj[t], &buf)?;
            traj.push(next);
        }
        Ok(traj)
    }

    fn check_loss<L: Loss>(&self, loss: &L) -> Result<()> {
        loss.validate()?;
        match loss.size() {
            Some(s) => check_len("loss size", self.n(), s),
            None => Ok(()),
        }
    }

    /// The loss $H(x, q) = L(x, f(\hat w x + b))$ at explicit parameters, generic over the scalar.
    pub fn loss_with<D: DualNum<Primitive = f64> + Copy, L: Loss>(
        &self,
        loss: &L,
        x: &[D],
        q: &[D],
    ) -> Result<D> {
        self.check_loss(loss)?;
        let z = self.output_with(x, q)?;
        Ok(loss.eval(x, &z))
    }

    /// The loss $H(x, q)$ at the current parameters.
    pub fn loss<L: Loss>(&self, loss: &L, x: &[f64]) -> Result<f64> {
        self.check_state(x)?;
        self.check_loss(loss)?;
        self.loss_with(loss, x, &self.params())
    }

    /// Hand-written gradients $(\partial H/\partial x, \partial H/\partial q)$ by the chain rule.
    pub fn gradients<L: Loss>(&self, loss: &L, x: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
        self.check_state(x)?;
        self.check_loss(loss)?;
        let n = self.n();
        let y = self.preactivation(x)?;
        let z: Vec<f64> = y.iter().map(|&v| self.act.eval(v)).collect();
        let (mut gx, mut gz) = (vec![0.0; n], vec![0.0; n]);
        loss.grad(x, &z, &mut gx, &mut gz);
        let delta: Vec<f64> = (0..n).map(|i| gz[i] * self.act.derivative(y[i])).collect();
        let mut back = vec![0.0; n];
        self.weights.apply_transpose(&delta, &mut back)?;
        gx.iter_mut().zip(&back).for_each(|(g, b)| *g += b);
        let mut gq = vec![0.0; self.num_params()];
        gq[..n].copy_from_slice(&delta);
        self.weights.outer_into(&delta, x, &mut gq[n..]);
        Ok((gx, gq))
    }

    /// $\partial H/\partial q$ by forward-mode autodiff of [`Network::loss_with`] ($K$ dual passes;
    /// for tests and small networks).
    pub fn grad_q_autodiff<L: Loss>(&self, loss: &L, x: &[f64]) -> Result<Vec<f64>> {
        self.check_state(x)?;
        self.check_loss(loss)?;
        let xd: Vec<Dual64> = x.iter().map(|&v| Dual64::from(v)).collect();
        let q: Vec<Dual64> = self.params().iter().map(|&v| Dual64::from(v)).collect();
        (0..q.len())
            .map(|k| {
                let mut qk = q.clone();
                qk[k].eps = 1.0;
                Ok(self.loss_with(loss, &xd, &qk)?.eps)
            })
            .collect()
    }

    /// $\partial H/\partial x$ by forward-mode autodiff of [`Network::loss_with`].
    pub fn grad_x_autodiff<L: Loss>(&self, loss: &L, x: &[f64]) -> Result<Vec<f64>> {
        self.check_state(x)?;
        self.check_loss(loss)?;
        let xd: Vec<Dual64> = x.iter().map(|&v| Dual64::from(v)).collect();
        let q: Vec<Dual64> = self.params().iter().map(|&v| Dual64::from(v)).collect();
        (0..xd.len())
            .map(|k| {
                let mut xk = xd.clone();
                xk[k].eps = 1.0;
                Ok(self.loss_with(loss, &xk, &q)?.eps)
            })
            .collect()
    }
}
