//! `network.lattice`: lattice networks have light cones (THEORY.md §5, N-5).
//!
//! - Permutation network on a ring of $L$ sites: state $x = (u, v)$, $\hat w = P \oplus P^T$, $b = 0$, so
//!   $\phi = u + v$ obeys $\phi(t, s) = u_0(s - t) + v_0(s + t)$ exactly and its support grows by one
//!   site per step on each side.
//! - Leapfrog network $\phi^{t+1} = 2\phi^t - \phi^{t-1} + C^2\Delta\phi^t$: the lattice dispersion
//!   $\cos\omega\Delta t = 1 - 2C^2\sin^2(k\Delta s/2)$, linear at $C = 1$ (the permutation limit).

use nqg_network::lattice::{PermutationRing, measure_dispersion};
use rand::RngExt;
use serde::Serialize;

use crate::{CheckResult, Criterion, Evidence, Figure, Provenance, Registry, Role, RunContext};

/// Register `network.lattice`.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "network.lattice",
        "Lattice networks have light cones: the permutation network propagates exactly one site per \
         step, and the leapfrog network has the lattice wave dispersion (§5, N-5)",
        Provenance::Reconstruction,
    )
    .check(
        "network.lattice.permutation_light_cone",
        "N-5: on a ring of L = 512 with w = P ⊕ Pᵀ, the support of a localized random excitation (width 5) \
         grows by exactly one site per step on each side and φ(t,s) = u0(s-t) + v0(s+t) holds exactly",
        Role::Solver,
        permutation_light_cone,
    )
    .theory("N-5")
    .check(
        "network.lattice.dispersion",
        "N-5: the peak frequency of the space-time FFT of the leapfrog network against \
         cos(ωΔt) = 1 - 2C² sin²(kΔs/2) for C ∈ {0.5, 0.9, 1.0}, in frequency bins (FFT resolution), for \
         every resolvable k",
        Role::Solver,
        dispersion,
    )
    .theory("N-5");
}

#[derive(Serialize)]
struct ConeParams {
    sites: usize,
    steps: usize,
    width: usize,
}

fn permutation_light_cone(ctx: &RunContext) -> CheckResult {
    // The support must not wrap around the ring: at most L/2 - 3 steps.
    let p = ConeParams {
        sites: 512,
        steps: ctx.pick(200usize, 250),
        width: 5,
    };
    let (l, steps) = (p.sites, p.steps);
    let ring = PermutationRing::new(l)?;
    let net = ring.to_network()?;
    let mut rng = ctx.rng();
    let c = l / 2;
    let half = p.width / 2;
    // Width-5 random excitation, values bounded away from 0 so the support is exactly sites c-2..c+2.
    let mut u0 = vec![0.0; l];
    let mut v0 = vec![0.0; l];
    for s in c - half..=c + half {
        u0[s] = 0.5 + rng.random::<f64>();
        v0[s] = 0.5 + rng.random::<f64>();
    }
    let mut x: Vec<f64> = u0.iter().chain(&v0).copied().collect();
    let (mut max_dev, mut support_dev) = (0.0f64, 0usize);
    let (mut ts, mut left, mut right) = (Vec::new(), Vec::new(), Vec::new());
    for t in 1..=steps {
        x = net.step(&x, &[])?;
        let phi: Vec<f64> = (0..l).map(|s| x[s] + x[l + s]).collect();
        for s in 0..l {
            let exact = u0[(s + l - t % l) % l] + v0[(s + t) % l];
            max_dev = max_dev.max((phi[s] - exact).abs());
        }
        let lo = phi.iter().position(|&v| v != 0.0).unwrap_or(0);
        let hi = phi.iter().rposition(|&v| v != 0.0).unwrap_or(0);
        support_dev = support_dev
            .max(lo.abs_diff(c - half - t))
            .max(hi.abs_diff(c + half + t));
        ts.push(t as f64);
        left.push(lo as f64);
        right.push(hi as f64);
    }
    let fig = Figure::new(
        "Light cone of the permutation network (N-5)",
        "step t",
        "support edge (site)",
    )
    .markers("left edge", ts.clone(), left)
    .markers("right edge", ts.clone(), right)
    .line(
        "s = c - 2 - t",
        ts.clone(),
        ts.iter().map(|t| (c - half) as f64 - t).collect(),
    )
    .line(
        "s = c + 2 + t",
        ts.clone(),
        ts.iter().map(|t| (c + half) as f64 + t).collect(),
    );
    Ok(Evidence::new(
        "max |φ(t,s) - u0(s-t) - v0(s+t)| + |support edge - (edge0 ± t)|",
        max_dev + support_dev as f64,
        0.0,
        Criterion::AbsDiff(0.0),
    )
    .params_from(&p)
    .detail("max |φ - (u0(s-t) + v0(s+t))|", max_dev, Some(0.0))
    .detail(
        "max support-edge deviation (sites)",
        support_dev as f64,
        Some(0.0),
    )
    .figure(fig)
    .into())
}

#[derive(Serialize)]
struct DispersionParams {
    sites: usize,
    steps: usize,
    courant: [f64; 3],
    excluded_bins: f64,
    bound_bins: f64,
}

fn dispersion(ctx: &RunContext) -> CheckResult {
    let p = DispersionParams {
        sites: 256,
        steps: ctx.pick(1024usize, 4096),
        courant: [0.5, 0.9, 1.0],
        excluded_bins: 3.0,
        bound_bins: 0.5,
    };
    let mut worst = 0.0f64;
    let mut fig = Figure::new("Leapfrog network dispersion (N-5)", "k Δs", "ω Δt");
    let mut details = Vec::new();
    let mut dw_used = 0.0;
    for (idx, &c) in p.courant.iter().enumerate() {
        let (pts, dw) = measure_dispersion(c, 0.0, p.sites, p.steps, ctx.substream(idx as u64))?;
        dw_used = dw;
        // Modes whose ±ω peaks are resolvable: 3 bins away from ω = 0 and ω = π.
        let used: Vec<_> = pts
            .iter()
            .filter(|q| {
                q.omega_theory > p.excluded_bins * dw
                    && q.omega_theory < std::f64::consts::PI - p.excluded_bins * dw
            })
            .collect();
        let err = used
            .iter()
            .map(|q| (q.omega_measured - q.omega_theory).abs() / dw)
            .fold(0.0, f64::max);
        worst = worst.max(err);
        details.push((c, err, used.len()));
        fig = fig
            .markers(
                format!("measured C = {c}"),
                used.iter().map(|q| q.k).collect(),
                used.iter().map(|q| q.omega_measured).collect(),
            )
            .line(
                format!("cos ω = 1 - 2C² sin²(k/2), C = {c}"),
                pts.iter().map(|q| q.k).collect(),
                pts.iter().map(|q| q.omega_theory).collect(),
            );
    }
    let mut ev = Evidence::new(
        "max |ω_FFT(k) - ω(k)| in frequency bins (2π/T), over C ∈ {0.5, 0.9, 1.0}",
        worst,
        p.bound_bins,
        Criterion::AtMost,
    )
    .params_from(&p)
    .param("bin_width", dw_used)
    .note("agreement to FFT resolution: peak located by parabolic interpolation of the Hann-windowed spectrum; modes within 3 bins of ω = 0 or π are excluded (±ω peaks merge)")
    .figure(fig);
    for (c, err, n) in details {
        ev = ev.detail(format!("C = {c}: max error in bins ({n} modes)"), err, Some(0.0));
    }
    Ok(ev.into())
}
