//! Layer S geometry checks (S-GEO, S-CURV) and the Lorentz group: the GR toolkit of `nqg-geometry`.

use nqg_geometry::lorentz::{Lorentz, interval};
use rand::RngExt;

use crate::{CheckError, CheckResult, Criterion, Evidence, Figure, Kind, Provenance, Registry, RunContext};

/// Register this layer's claims.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "geometry.lorentz",
        "Lorentz transformations are the isometries of Minkowski space: boosts preserve the interval \
         s² = -Δt² + |Δx|² (the symmetry group the paper says emerges, §5)",
        Provenance::Textbook,
    )
    .check(
        "geometry.lorentz.interval_invariance",
        "Random boosts (any direction, |v| up to 0.99) preserve the Minkowski interval of random events \
         to round-off, and satisfy Λᵀ η Λ = η",
        Kind::Exact,
        interval_invariance,
    );
}

/// Boost random separations with random velocities and compare intervals.
fn interval_invariance(ctx: &RunContext) -> CheckResult {
    let mut rng = ctx.rng();
    let n_boosts = ctx.pick(200, 5_000);
    let events_per_boost = 20;
    let mut worst_rel = 0.0_f64;
    let mut worst_defect = 0.0_f64;
    let (mut speeds, mut errs) = (Vec::new(), Vec::new());
    for _ in 0..n_boosts {
        // Direction uniform on the sphere, speed uniform in [0, 0.99).
        let dir: [f64; 3] = std::array::from_fn(|_| rng.random::<f64>() * 2.0 - 1.0);
        let norm = dir.iter().map(|d| d * d).sum::<f64>().sqrt().max(1e-12);
        let speed = 0.99 * rng.random::<f64>();
        let v: Vec<f64> = dir.iter().map(|d| d / norm * speed).collect();
        let b = Lorentz::<4>::boost(&v).map_err(CheckError::from_display)?;
        // Group defect relative to the size of the entries (~γ²) that cancel in Λᵀ η Λ.
        let gamma2 = b.matrix()[(0, 0)] * b.matrix()[(0, 0)];
        worst_defect = worst_defect.max(b.defect() / gamma2);
        let mut boost_worst = 0.0_f64;
        for _ in 0..events_per_boost {
            let x: [f64; 4] = std::array::from_fn(|_| rng.random::<f64>() * 20.0 - 10.0);
            let y = b.apply(&x);
            // Relative to the scale of the terms that cancel in s², so round-off is ~1e-16.
            let scale = x.iter().map(|c| c * c).sum::<f64>() + y.iter().map(|c| c * c).sum::<f64>();
            let rel = (interval(&y) - interval(&x)).abs() / scale;
            boost_worst = boost_worst.max(rel);
        }
        worst_rel = worst_rel.max(boost_worst);
        speeds.push(speed);
        errs.push(boost_worst.max(1e-18));
    }
    let fig = Figure::new(
        "Interval invariance under random boosts",
        "boost speed |v| (c = 1)",
        "max |Δs²| / (|x|² + |x'|²)",
    )
    .log(false, true)
    .markers("worst of 20 events per boost", speeds, errs)
    .line("round-off scale 1e-16", vec![0.0, 0.99], vec![1e-16, 1e-16]);
    let measured = worst_rel.max(worst_defect);
    Ok(Evidence::new(
        "max relative change of s² or of Λᵀ η Λ",
        measured,
        0.0,
        Criterion::AbsDiff(1e-14),
    )
    .param("boosts", n_boosts)
    .param("events_per_boost", events_per_boost)
    .param("dimension", 4)
    .detail("max relative |Δs²|", worst_rel, Some(0.0))
    .detail("max |Λᵀ η Λ - η| / γ²", worst_defect, Some(0.0))
    .figure(fig)
    .into())
}
