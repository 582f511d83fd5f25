//! Null rays through the Gaussian lens c = 1 - A e^{-r²/R²} (THEORY.md N-7, E-5): the ray-traced
//! deflection angle against the first-order Born integral α(b) = -2√π A (b/R) e^{-b²/R²}.
//!
//! Run with `cargo run --release -p nqg-geometry --example lens_rays`.

use nqg_geometry::geodesic::GeodesicKind;
use nqg_geometry::optical::{GaussianLens, born_deflection_gaussian, trace_in_time};
use nqg_geometry::spacetimes::Optical;

fn main() -> Result<(), nqg_geometry::GeometryError> {
    let r = 8.0;
    println!(
        "{:>6} {:>10} {:>14} {:>14} {:>14}",
        "A", "b / R", "ray angle", "Born angle", "ray / Born"
    );
    for a in [0.01, 0.2] {
        let lens = Optical::new(GaussianLens::new(a, r, [0.0, 0.0])?);
        for b in [0.5, 1.0, 1.5, 2.0, 3.0] {
            // From x = -10R along +x for a time 20R (well outside the lens at both ends).
            let ray = trace_in_time(
                &lens,
                GeodesicKind::Null,
                &[0.0, -10.0 * r, b * r],
                &[0.0, 1.0, 0.0],
                0.1,
                1600,
                1600,
            )?;
            let p = ray.p.last().expect("recorded end point");
            let alpha = p[2].atan2(p[1]);
            let born = born_deflection_gaussian(a, r, b * r);
            println!(
                "{a:>6} {b:>10} {alpha:>14.6e} {born:>14.6e} {:>14.4}",
                alpha / born
            );
        }
    }
    Ok(())
}
