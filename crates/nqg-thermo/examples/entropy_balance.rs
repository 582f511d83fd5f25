//! The entropy balance (THEORY.md N2.8) of a relaxing Ornstein-Uhlenbeck ensemble, as an SVG figure.
//!
//! $dq = -\gamma k q\\,dt + \sqrt{2D}\\,dW$ with $\gamma = k = 1$, $D = 1/2$, started near $q_0 = 2$:
//! the Fokker-Planck grid gives $S(t)$, the stochastic production $4D\int(\partial\sqrt p)^2$ and the
//! learning term $-\gamma\int p\\,\Delta F$ separately; their sum is compared with the measured $dS/dt$,
//! and a Langevin ensemble ($10^5$ members, SRA1) gives $S(t)$ from its covariance.
//!
//! Run: `cargo run --release -p nqg-thermo --example entropy_balance [out.svg]`.

use nqg_thermo::ensemble::{EnsembleSpec, run_ensemble};
use nqg_thermo::entropy::{gaussian_entropy, shannon};
use nqg_thermo::fp::{Boundary, FokkerPlanck1d, Grid1d, Method, Stepper1d, entropy_balance};
use nqg_thermo::sde::{LinearOu, Scheme};
use plotters::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "entropy_balance.svg".into());
    let (gamma, k, d) = (1.0, 1.0, 0.5);
    let t0: f64 = 0.05;
    let (m0, v0) = (2.0 * (-t0).exp(), d / (gamma * k) * (1.0 - (-2.0 * t0).exp()));

    // Grid: S(t), production, learning term, and dS/dt by central differences.
    let g = Grid1d::new(-5.0, 7.0, 1200)?;
    let op = FokkerPlanck1d::from_potential(g, d, Boundary::Reflecting, |x| 0.5 * gamma * k * x * x)?;
    let dt = 1e-3;
    let mut st = Stepper1d::new(&op, dt, Method::CrankNicolson)?;
    let mut p = g.density(|x| (-(x - m0).powi(2) / (2.0 * v0)).exp());
    let lap = vec![k; g.n()];
    let (mut ts, mut s, mut prod, mut learn) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for n in 0..=3000 {
        if n > 0 {
            st.step(&mut p)?;
        }
        let b = entropy_balance(&g, &p, d, gamma, &lap)?;
        ts.push(t0 + n as f64 * dt);
        s.push(shannon(&p, g.h())?);
        prod.push(b.production);
        learn.push(b.learning);
    }
    let dsdt: Vec<(f64, f64)> = (1..ts.len() - 1)
        .map(|i| (ts[i], (s[i + 1] - s[i - 1]) / (2.0 * dt)))
        .collect();
    let worst = dsdt
        .iter()
        .enumerate()
        .map(|(i, (_, r))| (r - prod[i + 1] - learn[i + 1]).abs())
        .fold(0.0, f64::max);
    println!("max |dS/dt - (production + learning)| over t in [0.05, 3.05]: {worst:.2e}");

    // Ensemble: Gaussian entropy of the Langevin ensemble at 30 times.
    let ou = LinearOu::new(vec![gamma * k], d, vec![0.0], vec![0.0])?;
    let obs: Vec<usize> = (1..=30).map(|i| i * 10).collect();
    let spec = EnsembleSpec {
        scheme: Scheme::Sra1,
        dt: 0.01,
        steps: 300,
        members: 100_000,
        t0,
        observe: obs,
    };
    let ens = run_ensemble(&ou, &spec, 7, |_, rng, x| {
        x[0] = m0 + v0.sqrt() * nqg_thermo::rng::normal(rng)
    })?;
    let s_ens: Vec<(f64, f64)> = ens
        .times
        .iter()
        .zip(&ens.moments)
        .map(|(t, m)| Ok((*t, gaussian_entropy(&m.covariance(), 1)?)))
        .collect::<Result<_, nqg_thermo::ThermoError>>()?;

    let root = SVGBackend::new(&out, (900, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Entropy balance of a relaxing OU ensemble (N2.8)",
            ("sans-serif", 22),
        )
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..3.1, -1.6..8.0)?;
    chart
        .configure_mesh()
        .x_desc("t")
        .y_desc("nats, nats per unit time")
        .draw()?;
    let line = |v: &[f64]| ts.iter().cloned().zip(v.iter().cloned()).collect::<Vec<_>>();
    chart
        .draw_series(LineSeries::new(line(&s), &BLACK))?
        .label("S(t), grid")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
    chart
        .draw_series(s_ens.iter().map(|&(t, v)| Circle::new((t, v), 3, BLACK.filled())))?
        .label("S(t), Langevin ensemble (Gaussian)")
        .legend(|(x, y)| Circle::new((x + 10, y), 3, BLACK.filled()));
    chart
        .draw_series(LineSeries::new(line(&prod), &RED))?
        .label("production 4D ∫(∂√p)²")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
    chart
        .draw_series(LineSeries::new(line(&learn), &BLUE))?
        .label("learning term -γ∫p ΔF")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    let sum: Vec<f64> = prod.iter().zip(&learn).map(|(a, b)| a + b).collect();
    chart
        .draw_series(LineSeries::new(line(&sum), &GREEN))?
        .label("production + learning term")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], GREEN));
    chart
        .draw_series(
            dsdt.iter()
                .step_by(60)
                .map(|&(t, r)| Cross::new((t, r), 4, GREEN.stroke_width(2))),
        )?
        .label("measured dS/dt")
        .legend(|(x, y)| Cross::new((x + 10, y), 4, GREEN.stroke_width(2)));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    println!("wrote {out}");
    Ok(())
}
