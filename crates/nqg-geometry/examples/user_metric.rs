//! A user-defined spacetime in a few lines: its curvature at a point and one geodesic.
//!
//! The metric is Schwarzschild in isotropic coordinates, written once and generic over the dual
//! scalar; no derivative is written by hand:
//! $ds^2 = -\left(\frac{1 - M/2\rho}{1 + M/2\rho}\right)^2 dt^2 + (1 + M/2\rho)^4 (d\rho^2 + \rho^2 d\Omega^2)$.
//!
//! Run: `cargo run --release -p nqg-geometry --example user_metric`.

use nqg_geometry::GeometryError;
use nqg_geometry::curvature::Curvature;
use nqg_geometry::geodesic::{Event, GeodesicKind, GeodesicOptions, complete_momentum, integrate};
use nqg_geometry::metric::Metric;
use num_dual::DualNum;

/// Schwarzschild in isotropic coordinates $(t, \rho, \theta, \phi)$.
struct Isotropic {
    m: f64,
}

impl Metric<4> for Isotropic {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 4]) -> [[D; 4]; 4] {
        let q = x[1].recip() * (0.5 * self.m);
        let lapse = (-q + 1.0) / (q + 1.0);
        let psi4 = (q + 1.0).powi(4);
        let s = x[2].sin();
        let z = D::from(0.0);
        let r2 = x[1] * x[1] * psi4;
        [
            [-(lapse * lapse), z, z, z],
            [z, psi4, z, z],
            [z, z, r2, z],
            [z, z, z, r2 * s * s],
        ]
    }
    fn domain(&self, x: &[f64; 4]) -> Result<(), GeometryError> {
        if x[1] <= 0.5 * self.m {
            return Err(GeometryError::OutsideDomain {
                metric: "isotropic Schwarzschild",
                reason: "rho <= M/2 (inside the horizon)",
                point: x.to_vec(),
            });
        }
        Ok(())
    }
    fn cyclic_coordinates(&self) -> &'static [usize] {
        &[0, 3]
    }
}

fn main() -> Result<(), GeometryError> {
    let metric = Isotropic { m: 1.0 };
    let rho = 5.0;
    let c = Curvature::at(&metric, &[0.0, rho, 1.0, 0.0])?;
    // Areal radius r = rho (1 + M/2rho)^2; Kretschmann is a scalar: 48 M^2 / r^6.
    let r = rho * (1.0 + 0.5 / rho).powi(2);
    println!(
        "Kretschmann at rho = {rho}: {:.15e} (closed form {:.15e})",
        c.kretschmann,
        48.0 / r.powi(6)
    );
    let ricci_max = c.ricci.iter().flatten().fold(0.0_f64, |s, v| s.max(v.abs()));
    println!("max |R_ab| = {ricci_max:.2e} (vacuum)");

    // A bound equatorial orbit: start at rho = 15 with p_phi = 4.2, p_rho = 0, and complete p_t.
    let x0 = [0.0, 15.0, std::f64::consts::FRAC_PI_2, 0.0];
    let p0 = complete_momentum(&metric, &x0, &[0.0, 0.0, 0.0, 4.2], GeodesicKind::Timelike)?;
    let opts = GeodesicOptions::dopri(1e-12, 5_000.0)
        .with_event(Event::periapsis())
        .with_event(Event::capture(0.6));
    let t = integrate(&metric, GeodesicKind::Timelike, &x0, &p0, &opts)?;
    println!(
        "orbit: {} steps, {} periapsis passages, max |2H + 1| = {:.2e}, E drift {:.1e}, L drift {:.1e}",
        t.steps,
        t.events.len(),
        t.max_shell_drift,
        t.max_momentum_drift[0],
        t.max_momentum_drift[1]
    );
    for h in t.events.iter().take(3) {
        println!(
            "  periapsis at tau = {:.6}, rho = {:.12}, phi = {:.12}",
            h.lambda, h.x[1], h.x[3]
        );
    }
    Ok(())
}
