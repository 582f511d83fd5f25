//! Raising and lowering indices with the metric, generic over the (dual) scalar.
//!
//! Rank 1: $v^a = g^{ab}v_b$ ([`raise`]), $v_a = g_{ab}v^b$ ([`lower`]). Rank 2, on the slot chosen by
//! [`Slot`]: $T^a{}\_b = g^{ac}T_{cb}$ (first), $T_a{}^b = T_{ac}g^{cb}$ (second), $T^{ab} = g^{ac}T_{cd}g^{db}$
//! (both), and the same with $g_{ab}$ for lowering ([`raise2`], [`lower2`]). Pass $g^{ab}$ to the
//! raising functions and $g_{ab}$ to the lowering ones (e.g. `Curvature::g_inv` and `Curvature::g`);
//! the contraction is the same, so one routine serves both.

use num_dual::DualNum;

/// Which index of a rank-2 tensor to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The first index.
    First,
    /// The second index.
    Second,
    /// Both indices.
    Both,
}

/// $m_{ab}v^b$: contract a (symmetric) metric with a vector.
fn contract<T: DualNum<Primitive = f64> + Copy, const N: usize>(m: &[[T; N]; N], v: &[T; N]) -> [T; N] {
    std::array::from_fn(|a| {
        let mut s = T::from(0.0);
        for b in 0..N {
            s += m[a][b] * v[b];
        }
        s
    })
}

/// Move one or both indices of `t` with the symmetric matrix `m` (first: $m^{ac}t_{cb}$, second:
/// $t_{ac}m^{cb}$).
fn contract2<T: DualNum<Primitive = f64> + Copy, const N: usize>(
    m: &[[T; N]; N],
    t: &[[T; N]; N],
    slot: Slot,
) -> [[T; N]; N] {
    let first = |t: &[[T; N]; N]| -> [[T; N]; N] {
        std::array::from_fn(|a| {
            std::array::from_fn(|b| {
                let mut s = T::from(0.0);
                for c in 0..N {
                    s += m[a][c] * t[c][b];
                }
                s
            })
        })
    };
    let second = |t: &[[T; N]; N]| -> [[T; N]; N] {
        std::array::from_fn(|a| {
            std::array::from_fn(|b| {
                let mut s = T::from(0.0);
                for c in 0..N {
                    s += t[a][c] * m[c][b];
                }
                s
            })
        })
    };
    match slot {
        Slot::First => first(t),
        Slot::Second => second(t),
        Slot::Both => second(&first(t)),
    }
}

/// Raise the index of a covector: $v^a = g^{ab}v_b$ (`g_inv` $= g^{ab}$).
pub fn raise<T: DualNum<Primitive = f64> + Copy, const N: usize>(g_inv: &[[T; N]; N], v: &[T; N]) -> [T; N] {
    contract(g_inv, v)
}

/// Lower the index of a vector: $v_a = g_{ab}v^b$.
pub fn lower<T: DualNum<Primitive = f64> + Copy, const N: usize>(g: &[[T; N]; N], v: &[T; N]) -> [T; N] {
    contract(g, v)
}

/// Raise index/indices of a rank-2 tensor with all indices down at the moved slots:
/// $T^a{}\_b = g^{ac}T_{cb}$, $T_a{}^b = T_{ac}g^{cb}$ or $T^{ab} = g^{ac}T_{cd}g^{db}$.
pub fn raise2<T: DualNum<Primitive = f64> + Copy, const N: usize>(
    g_inv: &[[T; N]; N],
    t: &[[T; N]; N],
    slot: Slot,
) -> [[T; N]; N] {
    contract2(g_inv, t, slot)
}

/// Lower index/indices of a rank-2 tensor: $T_a{}^b = g_{ac}T^{cb}$, $T^a{}\_b = T^{ac}g_{cb}$ or
/// $T_{ab} = g_{ac}T^{cd}g_{db}$.
pub fn lower2<T: DualNum<Primitive = f64> + Copy, const N: usize>(
    g: &[[T; N]; N],
    t: &[[T; N]; N],
    slot: Slot,
) -> [[T; N]; N] {
    contract2(g, t, slot)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raise_then_lower_is_identity() {
        // A Kerr-like metric at a point (t-phi block off-diagonal) and its exact inverse.
        let g: [[f64; 4]; 4] = [
            [-0.8, 0.0, 0.0, -0.3],
            [0.0, 1.5, 0.0, 0.0],
            [0.0, 0.0, 4.0, 0.0],
            [-0.3, 0.0, 0.0, 9.0],
        ];
        let det_tp = -0.8 * 9.0 - 0.09;
        let gi = [
            [9.0 / det_tp, 0.0, 0.0, 0.3 / det_tp],
            [0.0, 1.0 / 1.5, 0.0, 0.0],
            [0.0, 0.0, 0.25, 0.0],
            [0.3 / det_tp, 0.0, 0.0, -0.8 / det_tp],
        ];
        let v: [f64; 4] = [1.0, -2.0, 0.5, 3.0];
        let back = lower(&g, &raise(&gi, &v));
        // Round-off of two 4-term dot products: a few ulps of the largest term (~30).
        assert!(
            back.iter().zip(&v).all(|(a, b)| (a - b).abs() < 1e-14),
            "{back:?}"
        );
        // g^a_b = g^{ac} g_cb = δ^a_b, and raising both indices of g_ab gives g^ab.
        let mixed = raise2(&gi, &g, Slot::First);
        let up = raise2(&gi, &g, Slot::Both);
        for a in 0..4 {
            for b in 0..4 {
                let d = if a == b { 1.0 } else { 0.0 };
                assert!((mixed[a][b] - d).abs() < 1e-15);
                assert!((up[a][b] - gi[a][b]).abs() < 1e-15);
            }
        }
        // Second slot on a non-symmetric tensor: T_a^b = T_ac g^cb, lowered back.
        let t: [[f64; 4]; 4] = [
            [1.0, 2.0, 0.0, 0.5],
            [0.0, 1.0, 3.0, 0.0],
            [4.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 2.0],
        ];
        let round = lower2(&g, &raise2(&gi, &t, Slot::Second), Slot::Second);
        assert!(
            round
                .iter()
                .flatten()
                .zip(t.iter().flatten())
                .all(|(a, b)| (a - b).abs() < 1e-14)
        );
    }
}
