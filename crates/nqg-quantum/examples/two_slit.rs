//! Two-slit interference: a 2D Gaussian packet hits a screen with two slits; the density after the
//! screen is written as an SVG heat map (`two_slit.svg`, or the path given as the first argument).
//!
//! Run: `cargo run -p nqg-quantum --release --example two_slit [out.svg]`.

use nqg_quantum::potential::TwoSlit;
use nqg_quantum::{Grid, Scheme, SplitStep, Units, Wavefunction};
use plotters::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "two_slit.svg".to_string());
    let (nx, ny) = (256, 256);
    let grid = Grid::centered([nx, ny], [40.0, 40.0])?;
    // Packet moving along +x (axis 0) towards the screen at x = 0.
    let mut psi = Wavefunction::gaussian(grid.clone(), [-6.0, 0.0], [1.5, 3.5], [5.0, 0.0])?;
    let screen = TwoSlit {
        height: 200.0,
        position: 0.0,
        thickness: 0.6,
        separation: 4.0,
        slit_width: 1.0,
    };
    let mut prop = SplitStep::new(grid.clone(), Units::default(), screen, 0.005, Scheme::Strang)?
        .with_absorbing_boundary(3.0, 30.0)?;
    prop.run(&mut psi, 560)?;
    let rho_all = psi.density();
    let transmitted: f64 = (0..nx * ny)
        .filter(|i| grid.point(*i)[0] > 0.5)
        .map(|i| rho_all[i])
        .sum::<f64>()
        * grid.cell_volume();
    println!(
        "t = {:.2}: norm in the box {:.4} (absorbing layer on), transmitted through the slits {:.4}",
        prop.time(),
        psi.norm(),
        transmitted
    );
    // Heat map of sqrt(density) (to show the fringes), down-sampled by 4.
    let rho = psi.density();
    let xs = grid.axis(0);
    let ys = grid.axis(1);
    let step = 4;
    let max = rho.iter().cloned().fold(0.0f64, f64::max).sqrt().max(1e-300);
    let root = SVGBackend::new(&out, (640, 640)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Two-slit interference: sqrt |psi|^2", ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(-20.0..20.0, -20.0..20.0)?;
    chart.configure_mesh().x_desc("x").y_desc("y").draw()?;
    let dx = xs[1] - xs[0];
    let dy = ys[1] - ys[0];
    chart.draw_series((0..nx).step_by(step).flat_map(|i| {
        let rho = &rho;
        let (xs, ys) = (&xs, &ys);
        (0..ny).step_by(step).map(move |j| {
            let v = (rho[i * ny + j].sqrt() / max).clamp(0.0, 1.0);
            let c = RGBColor((255.0 * (1.0 - v)) as u8, (255.0 * (1.0 - v)) as u8, 255);
            Rectangle::new(
                [
                    (xs[i], ys[j]),
                    (xs[i] + step as f64 * dx, ys[j] + step as f64 * dy),
                ],
                c.filled(),
            )
        })
    }))?;
    // The screen.
    chart.draw_series(std::iter::once(Rectangle::new(
        [(-0.3, -20.0), (0.3, 20.0)],
        BLACK.mix(0.15).filled(),
    )))?;
    root.present()?;
    println!("wrote {out}");
    Ok(())
}
