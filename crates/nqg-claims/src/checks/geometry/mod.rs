//! Layer S geometry checks: the GR toolkit of `nqg-geometry` (THEORY.md §3.1, S-GEO1-4 and S-CURV1-4)
//! and the Lorentz group of §5.
//!
//! - [`lorentz`]: boosts are the isometries of $\eta_{ab}$, $\Lambda^T\eta\Lambda = \eta$; rapidities add.
//! - [`curvature`]: the autodiff curvature engine ($\Gamma$, $R_{abcd}$, $R_{ab}$, $G_{ab}$, $K$) on the
//!   textbook spacetimes and the contracted Bianchi identity $\nabla_a G^{ab} = 0$ (S-CURV1-4).
//! - [`geodesic`]: $\dot x^\mu = \partial H/\partial p_\mu$, $\dot p_\mu = -\partial H/\partial x^\mu$ with
//!   $H = \tfrac12 g^{\mu\nu}p_\mu p_\nu$: orbits, precession, ISCO and photon sphere (S-GEO1-4).
//! - [`einstein`]: $G_{ab} + \Lambda g_{ab} = 8\pi T_{ab}$ solved from an ansatz (FLRW, static stars).
//!
//! Shared here: `TermScale`, the magnitude of the terms the curvature engine sums into each component,
//! used to judge curvature identities at round-off.

pub mod curvature;
pub mod einstein;
pub mod geodesic;
pub mod lorentz;

use nqg_geometry::curvature::{Curvature, jets};
use nqg_geometry::metric::Metric;

use crate::Registry;

/// Register this layer's claims.
pub fn register(reg: &mut Registry) {
    lorentz::register(reg);
    curvature::register(reg);
    geodesic::register(reg);
    einstein::register(reg);
}

/// The largest entry of a square matrix, in absolute value.
pub(crate) fn max_abs<const N: usize>(m: &[[f64; N]; N]) -> f64 {
    m.iter().flatten().fold(0.0_f64, |s, v| s.max(v.abs()))
}

/// The magnitudes of the terms summed by the curvature engine at one point, the scales a round-off
/// error of each component is relative to (THEORY.md §3.7).
///
/// The engine forms $R_{abcd} = \tfrac12(\partial_b\partial_c g_{ad} + \partial_a\partial_d g_{bc} -
/// \partial_b\partial_d g_{ac} - \partial_a\partial_c g_{bd}) + \Gamma_{ebc}\Gamma^e{}\_{ad} -
/// \Gamma_{ebd}\Gamma^e{}\_{ac}$ and $R_{bd} = g^{ac}R_{abcd}$, $G_{ab} = R_{ab} - \tfrac12 g_{ab} R$. The
/// scale of a component is the sum of the absolute values of the terms that form it:
/// $T_{abcd} = \tfrac12\sum|\partial\partial g| + \sum_e(|\Gamma_{ebc}\Gamma^e{}\_{ad}| +
/// |\Gamma_{ebd}\Gamma^e{}\_{ac}|)$, $S_{bd} = \sum_{ac}|g^{ac}|\\,T_{abcd}$ and
/// $E_{ab} = S_{ab} + \tfrac12|g_{ab}|\sum_{cd}|g^{cd}|S_{cd}$.
pub(crate) struct TermScale<const N: usize> {
    /// $T_{abcd}$, the scale of $R_{abcd}$.
    pub riemann: [[[[f64; N]; N]; N]; N],
    /// $S_{ab}$, the scale of $R_{ab}$.
    pub ricci: [[f64; N]; N],
    /// $\sum_{ab}|g^{ab}|S_{ab}$, the scale of $R$.
    pub ricci_scalar: f64,
    /// $E_{ab}$, the scale of $G_{ab}$.
    pub einstein: [[f64; N]; N],
}

impl<const N: usize> TermScale<N> {
    /// The term scales of the curvature `c` of `metric` at `x` (the metric's jets are recomputed).
    pub fn at<M: Metric<N> + ?Sized>(metric: &M, x: &[f64; N], c: &Curvature<N>) -> Self {
        let j = jets(metric, x);
        let gam = &c.christoffel;
        let mut gam1 = [[[0.0; N]; N]; N];
        for a in 0..N {
            for b in 0..N {
                for cc in 0..N {
                    gam1[a][b][cc] = 0.5 * (j.dg[cc][a][b] + j.dg[b][a][cc] - j.dg[a][b][cc]);
                }
            }
        }
        let mut t = [[[[0.0; N]; N]; N]; N];
        for a in 0..N {
            for b in 0..N {
                for cc in 0..N {
                    for d in 0..N {
                        let mut v = 0.5
                            * (j.ddg[b][cc][a][d].abs()
                                + j.ddg[a][d][b][cc].abs()
                                + j.ddg[b][d][a][cc].abs()
                                + j.ddg[a][cc][b][d].abs());
                        for e in 0..N {
                            v +=
                                (gam1[e][b][cc] * gam[e][a][d]).abs() + (gam1[e][b][d] * gam[e][a][cc]).abs();
                        }
                        t[a][b][cc][d] = v;
                    }
                }
            }
        }
        let mut s = [[0.0; N]; N];
        for b in 0..N {
            for d in 0..N {
                for a in 0..N {
                    for cc in 0..N {
                        s[b][d] += c.g_inv[a][cc].abs() * t[a][b][cc][d];
                    }
                }
            }
        }
        let rs: f64 = (0..N)
            .flat_map(|a| (0..N).map(move |b| (a, b)))
            .map(|(a, b)| c.g_inv[a][b].abs() * s[a][b])
            .sum();
        let mut e = [[0.0; N]; N];
        for a in 0..N {
            for b in 0..N {
                e[a][b] = s[a][b] + 0.5 * c.g[a][b].abs() * rs;
            }
        }
        Self {
            riemann: t,
            ricci: s,
            ricci_scalar: rs,
            einstein: e,
        }
    }

    /// The largest scale of a Ricci or Einstein component.
    pub fn ricci_einstein(&self) -> f64 {
        max_abs(&self.ricci).max(max_abs(&self.einstein))
    }

    /// The scale of $K = R_{abcd}R^{abcd}$ given the curvature: $2\sum|R^{abcd}|\\,T_{abcd}$.
    pub fn kretschmann(&self, c: &Curvature<N>) -> f64 {
        // Raise the four indices one at a time.
        let mut up = c.riemann;
        for slot in 0..4 {
            let mut next = [[[[0.0; N]; N]; N]; N];
            for a in 0..N {
                for b in 0..N {
                    for cc in 0..N {
                        for d in 0..N {
                            let idx = [a, b, cc, d];
                            let mut v = 0.0;
                            for k in 0..N {
                                let mut src = idx;
                                src[slot] = k;
                                v += c.g_inv[idx[slot]][k] * up[src[0]][src[1]][src[2]][src[3]];
                            }
                            next[a][b][cc][d] = v;
                        }
                    }
                }
            }
            up = next;
        }
        let mut k = 0.0;
        for a in 0..N {
            for b in 0..N {
                for cc in 0..N {
                    for d in 0..N {
                        k += 2.0 * up[a][b][cc][d].abs() * self.riemann[a][b][cc][d];
                    }
                }
            }
        }
        k
    }
}
