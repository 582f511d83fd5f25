//! The contractions behind [`super::Curvature::from_jets_and_inverse`], one per stage:
//! Christoffel symbols, $R_{abcd}$, Ricci and Einstein, Kretschmann.
//!
//! When the scalar is a plain float (`NDERIV == 0`) the sums skip the entries of $g^{ab}$ (and of the
//! bivector metric $\mathcal G$) that are exactly zero at the point, keeping the order of the remaining
//! terms: an exact zero term adds nothing, so the sums equal the dense ones to the last bit. For dual
//! scalars a zero real part does not imply zero derivatives, and every entry is used.

use num_dual::DualNum;

use super::Jets;

/// Per row $a$ of $g^{ab}$, the columns $b$ (ascending) that take part in the contractions.
pub(super) struct NonZero<const N: usize> {
    cols: [[usize; N]; N],
    len: [usize; N],
}

impl<const N: usize> NonZero<N> {
    /// All columns for dual scalars; the columns with $g^{ab} \ne 0$ for floats.
    pub(super) fn of<T: DualNum<Primitive = f64> + Copy>(g_inv: &[[T; N]; N]) -> Self {
        let mut cols = [[0; N]; N];
        let mut len = [0; N];
        for a in 0..N {
            for b in 0..N {
                if T::NDERIV > 0 || g_inv[a][b].re() != 0.0 {
                    cols[a][len[a]] = b;
                    len[a] += 1;
                }
            }
        }
        Self { cols, len }
    }

    /// The columns of row `a`.
    #[inline]
    fn row(&self, a: usize) -> &[usize] {
        &self.cols[a][..self.len[a]]
    }
}

/// $\Gamma_{abc} = \tfrac12(g_{ab,c} + g_{ac,b} - g_{bc,a})$ and $\Gamma^a{}\_{bc} = g^{ad}\Gamma_{dbc}$.
#[allow(clippy::type_complexity)]
pub(super) fn christoffels<T: DualNum<Primitive = f64> + Copy, const N: usize>(
    j: &Jets<T, N>,
    g_inv: &[[T; N]; N],
    nz: &NonZero<N>,
) -> ([[[T; N]; N]; N], [[[T; N]; N]; N]) {
    let z = T::from(0.0);
    let mut gam1 = [[[z; N]; N]; N];
    for a in 0..N {
        for b in 0..N {
            for c in b..N {
                let v = (j.dg[c][a][b] + j.dg[b][a][c] - j.dg[a][b][c]) * 0.5;
                gam1[a][b][c] = v;
                gam1[a][c][b] = v;
            }
        }
    }
    let mut christoffel = [[[z; N]; N]; N];
    for a in 0..N {
        for b in 0..N {
            for c in b..N {
                let mut s = z;
                for &d in nz.row(a) {
                    s += g_inv[a][d] * gam1[d][b][c];
                }
                christoffel[a][b][c] = s;
                christoffel[a][c][b] = s;
            }
        }
    }
    (gam1, christoffel)
}

/// $R_{abcd} = \tfrac12(g_{ad,bc} + g_{bc,ad} - g_{ac,bd} - g_{bd,ac}) + \Gamma_{ebc}\Gamma^e{}\_{ad} -
/// \Gamma_{ebd}\Gamma^e{}\_{ac}$ on the independent bivector pairs ($a<b$, $c<d$, $(ab) \le (cd)$),
/// the rest filled by the pair symmetries.
pub(super) fn riemann_lower<T: DualNum<Primitive = f64> + Copy, const N: usize>(
    j: &Jets<T, N>,
    gam1: &[[[T; N]; N]; N],
    christoffel: &[[[T; N]; N]; N],
) -> [[[[T; N]; N]; N]; N] {
    let z = T::from(0.0);
    let mut riemann = [[[[z; N]; N]; N]; N];
    for a in 0..N {
        for b in a + 1..N {
            for c in a..N {
                // (cd) >= (ab): for c = a start at d = b.
                for d in (if c == a { b } else { c + 1 })..N {
                    let mut v =
                        (j.ddg[b][c][a][d] + j.ddg[a][d][b][c] - j.ddg[b][d][a][c] - j.ddg[a][c][b][d]) * 0.5;
                    for e in 0..N {
                        v += gam1[e][b][c] * christoffel[e][a][d] - gam1[e][b][d] * christoffel[e][a][c];
                    }
                    riemann[a][b][c][d] = v;
                    riemann[b][a][c][d] = -v;
                    riemann[a][b][d][c] = -v;
                    riemann[b][a][d][c] = v;
                    riemann[c][d][a][b] = v;
                    riemann[d][c][a][b] = -v;
                    riemann[c][d][b][a] = -v;
                    riemann[d][c][b][a] = v;
                }
            }
        }
    }
    riemann
}

/// $R_{bd} = g^{ac}R_{abcd}$, $R = g^{bd}R_{bd}$ and $G_{ab} = R_{ab} - \tfrac12 R g_{ab}$. The terms
/// with $a = b$ or $c = d$ are exact zeros of $R_{abcd}$ and are skipped.
#[allow(clippy::type_complexity)]
pub(super) fn ricci_einstein<T: DualNum<Primitive = f64> + Copy, const N: usize>(
    g: &[[T; N]; N],
    g_inv: &[[T; N]; N],
    nz: &NonZero<N>,
    riemann: &[[[[T; N]; N]; N]; N],
) -> ([[T; N]; N], T, [[T; N]; N]) {
    let z = T::from(0.0);
    let mut ricci = [[z; N]; N];
    for b in 0..N {
        for d in b..N {
            let mut s = z;
            for a in 0..N {
                if a == b {
                    continue;
                }
                for &c in nz.row(a) {
                    if c != d {
                        s += g_inv[a][c] * riemann[a][b][c][d];
                    }
                }
            }
            ricci[b][d] = s;
            ricci[d][b] = s;
        }
    }
    let mut ricci_scalar = z;
    for b in 0..N {
        for &d in nz.row(b) {
            ricci_scalar += g_inv[b][d] * ricci[b][d];
        }
    }
    let mut einstein = [[z; N]; N];
    for a in 0..N {
        for b in 0..N {
            einstein[a][b] = ricci[a][b] - g[a][b] * ricci_scalar * 0.5;
        }
    }
    (ricci, ricci_scalar, einstein)
}

/// $K = 4\sum R_{AB}(\mathcal G R \mathcal G)^{AB}$ over bivector pairs $A = (ab)$, $a<b$, with
/// $\mathcal G^{(ab)(cd)} = g^{ac}g^{bd} - g^{ad}g^{bc}$ (exact zeros of $\mathcal G$ skipped for floats).
pub(super) fn kretschmann<T: DualNum<Primitive = f64> + Copy, const N: usize>(
    g_inv: &[[T; N]; N],
    riemann: &[[[[T; N]; N]; N]; N],
) -> T {
    let z = T::from(0.0);
    let mut gb = [[[[z; N]; N]; N]; N];
    for a in 0..N {
        for b in a + 1..N {
            for c in 0..N {
                for d in c + 1..N {
                    gb[a][b][c][d] = g_inv[a][c] * g_inv[b][d] - g_inv[a][d] * g_inv[b][c];
                }
            }
        }
    }
    let dense = T::NDERIV > 0;
    let mut m = [[[[z; N]; N]; N]; N];
    for a in 0..N {
        for b in a + 1..N {
            for c in 0..N {
                for d in c + 1..N {
                    let mut s = z;
                    for e in 0..N {
                        for f in e + 1..N {
                            if dense || gb[e][f][c][d].re() != 0.0 {
                                s += riemann[a][b][e][f] * gb[e][f][c][d];
                            }
                        }
                    }
                    m[a][b][c][d] = s;
                }
            }
        }
    }
    let mut kret = z;
    for a in 0..N {
        for b in a + 1..N {
            for c in 0..N {
                for d in c + 1..N {
                    kret += m[a][b][c][d] * m[c][d][a][b];
                }
            }
        }
    }
    kret * 4.0
}
