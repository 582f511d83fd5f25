//! Curvature engine against closed forms (THEORY.md S-CURV1-4).

use nqg_geometry::GeometryError;
use nqg_geometry::curvature::{Curvature, einstein_divergence, kerr_kretschmann};
use nqg_geometry::metric::Metric;
use nqg_geometry::spacetimes::*;

fn max_abs<const N: usize>(m: &[[f64; N]; N]) -> f64 {
    m.iter().flatten().fold(0.0_f64, |s, v| s.max(v.abs()))
}

#[test]
fn schwarzschild_is_vacuum_with_known_kretschmann() {
    let s = Schwarzschild::new(1.0).unwrap();
    for &(r, th) in &[(2.5, 0.3), (6.0, 1.2), (40.0, 2.9)] {
        let c = Curvature::at(&s, &[0.0, r, th, 0.7]).unwrap();
        // Round-off: entries of R_ab are sums of terms of size ~ M/r^3.
        assert!(max_abs(&c.ricci) < 1e-14, "{:?}", c.ricci);
        let k = 48.0 / r.powi(6);
        assert!((c.kretschmann - k).abs() < 1e-13 * k);
    }
}

#[test]
fn ef_and_kerr_schild_charts_agree_on_invariants() {
    let ef = SchwarzschildEf::new(1.0).unwrap();
    let ks = KerrSchild::new(1.0, 0.0).unwrap();
    // Inside the horizon too: both charts are regular there.
    for &r in &[1.5, 3.0, 10.0] {
        let c1 = Curvature::at(&ef, &[0.0, r, 1.0, 0.2]).unwrap();
        let c2 = Curvature::at(
            &ks,
            &[
                0.0,
                r * 1.0_f64.sin() * 0.2_f64.cos(),
                r * 1.0_f64.sin() * 0.2_f64.sin(),
                r * 1.0_f64.cos(),
            ],
        )
        .unwrap();
        let k = 48.0 / r.powi(6);
        assert!((c1.kretschmann - k).abs() < 1e-12 * k);
        assert!((c2.kretschmann - k).abs() < 1e-12 * k);
        assert!(max_abs(&c1.ricci) < 1e-13 && max_abs(&c2.ricci) < 1e-13);
    }
}

#[test]
fn kerr_bl_and_ks_match_closed_kretschmann() {
    let a = 0.9;
    let k = Kerr::new(1.0, a).unwrap();
    let c = Curvature::at(&k, &[0.0, 3.0, 0.8, 0.0]).unwrap();
    let kk = kerr_kretschmann(1.0, a, 3.0, 0.8);
    assert!((c.kretschmann - kk).abs() < 1e-12 * kk.abs());
    assert!(max_abs(&c.einstein) < 1e-13);
    let ks = KerrSchild::new(1.0, a).unwrap();
    let x = [0.3, 2.0, -1.5, 1.1];
    let cs = Curvature::at(&ks, &x).unwrap();
    let r = ks.radius(&x);
    let th = (x[3] / r).acos();
    let kk = kerr_kretschmann(1.0, a, r, th);
    assert!((cs.kretschmann - kk).abs() < 1e-11 * kk.abs());
    assert!(max_abs(&cs.ricci) < 1e-12);
}

#[test]
fn de_sitter_in_3_4_5_dimensions() {
    fn check<const N: usize>(lambda: f64) {
        let ds = DeSitter::<N>::new(lambda).unwrap();
        let mut x = [0.9; N];
        x[1] = 0.5;
        let c = Curvature::at(&ds, &x).unwrap();
        let n = N as f64;
        let mut worst = 0.0_f64;
        for a in 0..N {
            for b in 0..N {
                worst = worst.max((c.einstein[a][b] + lambda * c.g[a][b]).abs());
                worst = worst.max((c.ricci[a][b] - 2.0 * lambda / (n - 2.0) * c.g[a][b]).abs());
            }
        }
        assert!(worst < 1e-13, "N = {N}: {worst}");
    }
    check::<3>(0.7);
    check::<4>(0.7);
    check::<5>(0.7);
}

#[test]
fn two_sphere_has_positive_curvature() {
    struct S2;
    impl Metric<2> for S2 {
        fn components<D: num_dual::DualNum<Primitive = f64> + Copy>(&self, x: &[D; 2]) -> [[D; 2]; 2] {
            [[D::from(1.0), D::from(0.0)], [D::from(0.0), x[0].sin().powi(2)]]
        }
    }
    let c = Curvature::at(&S2, &[1.0, 0.0]).unwrap();
    assert!((c.ricci_scalar - 2.0).abs() < 1e-14);
}

#[test]
fn bianchi_identity_schwarzschild() {
    let s = Schwarzschild::new(1.0).unwrap();
    let (div, _) = einstein_divergence(&s, &[0.0, 5.0, 1.0, 0.0]).unwrap();
    assert!(div.iter().all(|v| v.abs() < 1e-13));
}

#[test]
fn bad_points_are_typed_errors() {
    let k = Kerr::new(1.0, 0.9).unwrap();
    assert!(matches!(
        Curvature::at(&k, &[0.0, 1.2, 1.0, 0.0]),
        Err(GeometryError::OutsideDomain { .. })
    ));
    assert!(matches!(
        Curvature::at(&k, &[0.0, f64::NAN, 1.0, 0.0]),
        Err(GeometryError::NonFiniteValue { what: "coordinates", index: 1, value }) if value.is_nan()
    ));
    assert!(matches!(
        Curvature::at(&k, &[0.0, 3.0, 0.0, 0.0]),
        Err(GeometryError::OutsideDomain { .. })
    ));
    struct Degenerate;
    impl Metric<2> for Degenerate {
        fn components<D: num_dual::DualNum<Primitive = f64> + Copy>(&self, x: &[D; 2]) -> [[D; 2]; 2] {
            [[-x[0], x[0]], [x[0], -x[0]]]
        }
    }
    assert!(matches!(
        Curvature::at(&Degenerate, &[1.0, 0.0]),
        Err(GeometryError::SingularMetric { .. })
    ));
    assert!(matches!(
        Kerr::new(1.0, 1.5),
        Err(GeometryError::InvalidParameter { .. })
    ));
    assert!(matches!(
        Schwarzschild::new(f64::NAN),
        Err(GeometryError::NonFiniteValue { value, .. }) if value.is_nan()
    ));
}

#[test]
fn flrw_with_dust_and_with_a_scalar_field_solve_einstein() {
    use nqg_geometry::curvature::{perfect_fluid, scalar_field};
    use std::f64::consts::PI;
    // Dust: a = t^(2/3), rho = 1 / (6 pi t^2).
    let m = Flrw::new(PowerLaw {
        p: 2.0 / 3.0,
        t0: 1.0,
    });
    let t = 1.7;
    let c = Curvature::at(&m, &[t, 0.1, 0.2, 0.3]).unwrap();
    let tm = perfect_fluid(&c.g, 1.0 / (6.0 * PI * t * t), 0.0, &[1.0, 0.0, 0.0, 0.0]);
    assert!(c.field_equation_residual(0.0, &tm) < 1e-14);
    // Massless scalar (stiff matter): a = t^(1/3), phi' = 1 / sqrt(12 pi) / t.
    let m = Flrw::new(PowerLaw {
        p: 1.0 / 3.0,
        t0: 1.0,
    });
    let c = Curvature::at(&m, &[t, 0.1, 0.2, 0.3]).unwrap();
    let dphi = [1.0 / (12.0 * PI).sqrt() / t, 0.0, 0.0, 0.0];
    let ts = scalar_field(&c.g, &c.g_inv, &dphi, 0.0);
    assert!(c.field_equation_residual(0.0, &ts) < 1e-14);
    // de Sitter with Lambda and no matter.
    let ds = DeSitter::<4>::new(0.6).unwrap();
    let c = Curvature::at(&ds, &[0.0, 1.0, 1.0, 0.0]).unwrap();
    assert!(c.field_equation_residual(0.6, &[[0.0; 4]; 4]) < 1e-14);
    assert!((ds.hubble() - 0.2_f64.sqrt()).abs() < 1e-15);
}

#[test]
fn batch_matches_pointwise_and_optical_metric_has_expected_curvature() {
    let k = Kerr::new(1.0, 0.5).unwrap();
    let pts = [[0.0, 3.0, 1.0, 0.0], [0.0, 0.5, 1.0, 0.0], [0.0, 9.0, 2.0, 1.0]];
    let b = Curvature::batch(&k, &pts);
    assert!(b[1].is_err());
    assert_eq!(
        b[0].as_ref().unwrap().kretschmann,
        Curvature::at(&k, &pts[0]).unwrap().kretschmann
    );
    // Optical metric with c = 1 + 0.1 x: static, R_00 = c Δc, R_ij = -∂_i∂_j c / c (here ∂²c = 0).
    struct Lin;
    impl SpeedField<4> for Lin {
        fn c<D: num_dual::DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> D {
            x[1] * 0.1 + 1.0
        }
    }
    let o = Optical::new(Lin);
    let c = Curvature::at(&o, &[0.0, 0.7, 0.0, 0.0]).unwrap();
    assert!(
        max_abs(
            &c.riemann
                .map(|a| a.map(|b| b.iter().flatten().fold(0.0_f64, |s, v| s.max(v.abs()))))
        ) < 1e-15
    );
    assert!(Curvature::at(&o, &[0.0, -20.0, 0.0, 0.0]).is_err());
}

#[test]
fn scalar_field_stress_is_conserved_on_shell_only() {
    use nqg_geometry::curvature::{ScalarField, scalar_field_divergence};
    // Massless field on stiff FLRW a = t^(1/3): phi = c ln t solves phi'' + 3H phi' = 0.
    struct Log;
    impl ScalarField<4> for Log {
        fn phi<D: num_dual::DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> D {
            x[0].ln() * 0.3
        }
    }
    // phi = c t does not solve the Klein-Gordon equation there.
    struct Lin;
    impl ScalarField<4> for Lin {
        fn phi<D: num_dual::DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> D {
            x[0] * 0.3
        }
    }
    let m = Flrw::new(PowerLaw {
        p: 1.0 / 3.0,
        t0: 1.0,
    });
    let x = [1.7, 0.2, -0.4, 0.9];
    let (div, scale) = scalar_field_divergence(&m, &Log, &x).unwrap();
    assert!(div.iter().all(|v| v.abs() < 1e-15 * scale.max(1.0)), "{div:?}");
    let (div, _) = scalar_field_divergence(&m, &Lin, &x).unwrap();
    // ∇_μ T^{μ0} = -φ̇ (φ̈ + 3Hφ̇) = -0.3 * (0 + 0.3/t) here... up to the sign convention of T^{μ0}.
    assert!((div[0].abs() - 0.09 / 1.7).abs() < 1e-14, "{}", div[0]);
}

/// Mixed components (issue 16): the identities they must satisfy, on metrics with known curvature.
mod mixed_index {
    use super::*;
    use nqg_geometry::indices::{Slot, lower2, raise, raise2};

    #[test]
    fn kerr_mixed_einstein_vanishes_and_riemann_mixed_has_its_symmetries() {
        let k = Kerr::new(1.0, 0.9).unwrap();
        let c = Curvature::at(&k, &[0.0, 3.0, 1.1, 0.4]).unwrap();
        // Vacuum: G^a_b = 0 to round-off (entries of R_abcd are ~M/r^3 ~ 0.04 here).
        assert!(max_abs(&c.einstein_mixed()) < 1e-14, "{:?}", c.einstein_mixed());
        let rm = c.riemann_mixed();
        let scale = rm
            .iter()
            .flatten()
            .flatten()
            .flatten()
            .fold(0.0_f64, |s, v| s.max(v.abs()));
        assert!(scale > 1e-3, "non-trivial curvature");
        let mut worst = 0.0_f64;
        for a in 0..4 {
            for b in 0..4 {
                for cc in 0..4 {
                    for d in 0..4 {
                        // Antisymmetry in the last pair and the first Bianchi identity R^a_[bcd] = 0.
                        worst = worst.max((rm[a][b][cc][d] + rm[a][b][d][cc]).abs());
                        worst = worst.max((rm[a][b][cc][d] + rm[a][cc][d][b] + rm[a][d][b][cc]).abs());
                        // Lowering the first index gives R_abcd back.
                        let low: f64 = (0..4).map(|e| c.g[a][e] * rm[e][b][cc][d]).sum();
                        worst = worst.max((low - c.riemann[a][b][cc][d]).abs());
                    }
                }
            }
        }
        assert!(worst < 1e-14 * scale.max(1.0), "{worst:e}");
        // R_bd = R^a_bad (= 0 here, and equal to the stored Ricci tensor).
        for b in 0..4 {
            for d in 0..4 {
                let tr: f64 = (0..4).map(|a| rm[a][b][a][d]).sum();
                assert!((tr - c.ricci[b][d]).abs() < 1e-14);
            }
        }
    }

    #[test]
    fn schwarzschild_de_sitter_mixed_einstein_is_minus_lambda_delta() {
        // G_ab + Λ g_ab = 0, so G^a_b = -Λ δ^a_b; trace G^a_a = -R = -4Λ in 4D.
        let lam = 0.03;
        let m = SchwarzschildDeSitter::<4>::new(1.0, lam).unwrap();
        let c = Curvature::at(&m, &[0.0, 4.0, 0.9, 0.2]).unwrap();
        let gm = c.einstein_mixed();
        for a in 0..4 {
            for b in 0..4 {
                let want = if a == b { -lam } else { 0.0 };
                // Λ-terms ~ 0.03 against M/r^3 ~ 0.016 terms: round-off ~1e-16 each.
                assert!((gm[a][b] - want).abs() < 1e-14, "G^{a}_{b} = {}", gm[a][b]);
            }
        }
        let tr: f64 = (0..4).map(|a| gm[a][a]).sum();
        assert!((tr + c.ricci_scalar).abs() < 1e-14 && (c.ricci_scalar - 4.0 * lam).abs() < 1e-14);
        // R^a_b = Λ δ^a_b too.
        let rm = c.ricci_mixed();
        assert!((rm[1][1] - lam).abs() < 1e-14 && rm[0][1].abs() < 1e-14);
    }

    #[test]
    fn flrw_trace_identity_and_index_helpers() {
        // Matter-dominated FLRW has R != 0: check G^a_a = -R and that the helpers reproduce the
        // bundle's own G^ab and G^a_b.
        let m = Flrw::new(PowerLaw {
            p: 2.0 / 3.0,
            t0: 1.0,
        });
        let c = Curvature::at(&m, &[1.7, 0.1, 0.2, 0.3]).unwrap();
        let gm = c.einstein_mixed();
        let tr: f64 = (0..4).map(|a| gm[a][a]).sum();
        assert!(c.ricci_scalar.abs() > 0.1);
        assert!((tr + c.ricci_scalar).abs() < 1e-14 * c.ricci_scalar.abs().max(1.0));
        let up = raise2(&c.g_inv, &c.einstein, Slot::Both);
        let eu = c.einstein_upper();
        assert!(
            up.iter()
                .flatten()
                .zip(eu.iter().flatten())
                .all(|(a, b)| (a - b).abs() < 1e-15)
        );
        let back = lower2(&c.g, &gm, Slot::First);
        assert!(
            back.iter()
                .flatten()
                .zip(c.einstein.iter().flatten())
                .all(|(a, b)| (a - b).abs() < 1e-14)
        );
        // G^a_b u^b for the comoving observer u = (1,0,0,0): -8π ρ u^a with ρ = 1/(6π t^2).
        let rho = 1.0 / (6.0 * std::f64::consts::PI * 1.7 * 1.7);
        let ul = nqg_geometry::indices::lower(&c.g, &[1.0, 0.0, 0.0, 0.0]);
        let u_up = raise(&c.g_inv, &ul);
        assert!((u_up[0] - 1.0).abs() < 1e-15);
        assert!((gm[0][0] + 8.0 * std::f64::consts::PI * rho).abs() < 1e-14);
    }
}

/// The fast float path of [`Curvature::at`] (jets along the non-cyclic coordinates only, exact zeros of
/// $g^{ab}$ skipped in the sums) against the dense path, which a dual scalar with zero derivative
/// takes (every direction differentiated, every entry of $g^{ab}$ used), and the reduced Hessian pass
/// against the full one, which must agree to the last bit.
mod fast_path {
    use super::*;
    use nqg_geometry::curvature::{jets, jets_at};
    use num_dual::Dual64;

    fn dense<M: Metric<4>>(m: &M, x: &[f64; 4]) -> Curvature<4, Dual64> {
        let xd = x.map(Dual64::from);
        let j = jets(m, &xd);
        Curvature::from_jets_and_inverse(&j, m.inverse_components(&xd).unwrap())
    }

    fn assert_same<M: Metric<4>>(m: &M, x: &[f64; 4]) {
        let c = Curvature::at(m, x).unwrap();
        let d = dense(m, x);
        let pairs: Vec<(f64, f64)> = c
            .christoffel
            .iter()
            .flatten()
            .flatten()
            .zip(d.christoffel.iter().flatten().flatten())
            .chain(
                c.riemann
                    .iter()
                    .flatten()
                    .flatten()
                    .flatten()
                    .zip(d.riemann.iter().flatten().flatten().flatten()),
            )
            .chain(c.ricci.iter().flatten().zip(d.ricci.iter().flatten()))
            .chain(c.einstein.iter().flatten().zip(d.einstein.iter().flatten()))
            .chain([
                (&c.ricci_scalar, &d.ricci_scalar),
                (&c.kretschmann, &d.kretschmann),
            ])
            .map(|(a, b)| (*a, b.re))
            .collect();
        let scale = pairs.iter().fold(0.0f64, |w, (a, _)| w.max(a.abs()));
        for (a, b) in pairs {
            // 8 ulp of the largest entry: a few roundings inside num-dual's real parts (its sin, cos
            // and reciprocal are its own code, e.g. 1/x times y for y/x), nothing more.
            assert!(
                (a - b).abs() <= 8.0 * f64::EPSILON * scale,
                "{} at {x:?}: {a:e} vs {b:e}",
                m.name()
            );
        }
        // The reduced Hessian pass equals the full one entry by entry.
        let (jf, jr) = (jets(m, x), jets_at(m, x));
        assert_eq!(jf, jr, "{} at {x:?}", m.name());
    }

    #[test]
    fn equals_the_dense_path() {
        let k = Kerr::new(1.0, 0.9).unwrap();
        let s = Schwarzschild::new(1.0).unwrap();
        let sds = SchwarzschildDeSitter::<4>::new(1.0, 0.03).unwrap();
        let pm = nqg_geometry::testcases::perturbed_minkowski_fixed();
        for &(r, th) in &[
            (3.7, 1.1),
            (2.4, 0.05),
            (19.0, 3.0),
            (6.0, std::f64::consts::FRAC_PI_2),
        ] {
            let x = [0.3, r, th, 0.4];
            assert_same(&k, &x);
            assert_same(&s, &x);
            assert_same(&pm, &x);
            if r < 7.0 {
                // Inside the static patch of Schwarzschild-de Sitter.
                assert_same(&sds, &x);
            }
        }
        assert_same(&KerrSchild::new(1.0, 0.7).unwrap(), &[0.0, 3.0, 1.0, 2.0]);
    }
}

/// `Curvature::einstein_at` is the bundle's G_ab to the last bit, Kerr's is zero to round-off, and its
/// errors are those of `Curvature::at`.
#[test]
fn einstein_at_equals_the_bundle_and_types_its_errors() {
    let k = Kerr::new(1.0, 0.9).unwrap();
    let pm = nqg_geometry::testcases::perturbed_minkowski_fixed();
    for x in [[0.0, 3.7, 1.1, 0.4], [0.0, 2.0, 0.05, 0.0], [1.0, 15.0, 2.0, 3.0]] {
        let e = Curvature::einstein_at(&k, &x).unwrap();
        let c = Curvature::at(&k, &x).unwrap();
        assert_eq!(e, c.einstein);
        // Vacuum: G_ab vanishes to round-off relative to the terms it cancels, the second derivatives
        // of g_ab (those of g_rr = Sigma/Delta are the largest, ~1e1 at r = 2).
        let scale = nqg_geometry::curvature::jets_at(&k, &x)
            .ddg
            .iter()
            .flatten()
            .flatten()
            .flatten()
            .fold(0.0_f64, |m, v| m.max(v.abs()));
        assert!(max_abs(&e) < 1e-14 * scale.max(1.0), "{e:?} against {scale:e}");
        assert_eq!(
            Curvature::einstein_at(&pm, &x).unwrap(),
            Curvature::at(&pm, &x).unwrap().einstein
        );
    }
    assert!(matches!(
        Curvature::einstein_at(&k, &[0.0, 1.2, 1.0, 0.0]),
        Err(GeometryError::OutsideDomain { .. })
    ));
    assert!(matches!(
        Curvature::einstein_at(&k, &[0.0, f64::NAN, 1.0, 0.0]),
        Err(GeometryError::NonFiniteValue {
            what: "coordinates",
            index: 1,
            ..
        })
    ));
}
