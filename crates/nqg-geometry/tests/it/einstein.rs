//! Einstein-equation solvers against closed forms (THEORY.md S-CURV3, §8).

use nqg_geometry::einstein::*;

#[test]
fn flrw_matter_from_autodiff_einstein_tensor() {
    // a = t^(2/3): (8π/3) ρ0 = 4/9.
    let rho0 = 4.0 / 9.0 * 3.0 / (8.0 * std::f64::consts::PI);
    let c = Cosmology {
        lambda: 0.0,
        fluids: vec![Fluid { w: 0.0, rho0 }],
    };
    let (a, res) = c.solve(1.0, 1.0, 0.5, &[2.0, 5.0], 1e-12).unwrap();
    assert!((a[1] - 5.0_f64.powf(2.0 / 3.0)).abs() < 1e-9 * a[1], "{a:?}");
    assert!(res < 1e-10, "{res}");
}

#[test]
fn tov_constant_density_matches_schwarzschild_interior() {
    let (radius, compactness): (f64, f64) = (1.0, 0.5);
    let m = compactness * radius / 2.0;
    let rho = 3.0 * m / (4.0 * std::f64::consts::PI * radius.powi(3));
    let star = ConstantDensityStar { rho };
    let exact_pc = schwarzschild_interior_pressure(rho, radius, 0.0);
    let pc = star.central_pressure(radius, 0.5 * exact_pc, 1e-12).unwrap();
    assert!((pc - exact_pc).abs() < 1e-8 * exact_pc, "{pc} vs {exact_pc}");
    let prof = star.integrate(pc, radius, &[0.5 * radius], 1e-12).unwrap();
    let ex = schwarzschild_interior_pressure(rho, radius, 0.5 * radius);
    assert!((prof[0][1] - ex).abs() < 1e-8 * exact_pc);
}
