//! Paper-level gravity experiments (THEORY.md §6-§7, N-7): localized neuron states in a network whose
//! couplings were *learned* follow the null geodesics of the emergent optical metric.
//!
//! The couplings of a banded leapfrog network are fitted (least squares, `nqg-network`) to trajectories
//! generated with the speed field $c(s) = 1 + 0.3\sin(2\pi s/L)$; the learned $c(s)$ defines the metric
//! $ds^2 = -c(s)^2dt^2 + ds^2$, whose null geodesics $\dot s = \pm c(s)$ are integrated by
//! `nqg-geometry` (Gauss-Legendre, autodiff Christoffels) from a smooth trigonometric interpolant of the
//! learned field. A wave packet launched in the learned network is tracked by its energy centroid.

use nqg_geometry::geodesic::{GeodesicKind, GeodesicOptions, complete_momentum, integrate};
use nqg_geometry::spacetimes::{Optical, SpeedField};
use nqg_network::lattice::{Leapfrog1D, fit_pattern_least_squares, packet_centroid, speed_from_couplings};
use num_dual::DualNum;

use crate::checks::network::leapfrog_pairs;
use crate::{CheckError, CheckResult, Criterion, Evidence, Figure, Provenance, Registry, Role, RunContext};

/// Register this layer's claims.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "paper.lorentz",
        "Lorentz symmetry emerges from the interplay of stochastic entropy production and entropy \
         destruction by learning (§5; the wave/Klein-Gordon network of N5.1-N5.2 as its realisation)",
        Provenance::Reconstruction,
    )
    .check(
        "paper.lorentz.klein_gordon_covariance",
        "N-6: a Klein-Gordon network packet (m = 0.1, C = 0.5) started from the continuum boost to v = 0.6 \
         agrees with the Lorentz-transformed rest packet to ≤ 1 % for widths w ≥ 20, and the violation \
         falls as (Δs/w)² (fitted order 2.0 ± 0.1); THEORY's guess of ≤ 1 % already at w = 10 is reported \
         (measured 1.2 %)",
        Role::Premise,
        klein_gordon_covariance,
    );
    reg.claim(
        "paper.gravity",
        "Learning produces an effective metric, and localized states of neurons follow its geodesics \
         (§6-§7, N7.1)",
        Provenance::Reconstruction,
    )
    .check(
        "paper.gravity.learned_geodesics",
        "N-7: wave packets (width 8, carrier k) launched in a leapfrog network whose couplings were LEARNED \
         from trajectories (c(s) = 1 + 0.3 sin(2πs/L), L = 256, C_max = 0.9) approach the null geodesic \
         ds/dt = c(s) of the learned optical metric as k → 0 (deviation over 5 crossings ∝ k², within one \
         packet width at k = 1/8); THEORY's k = 1 packet is reported",
        Role::Premise,
        learned_geodesics,
    );
}

/// A periodic speed field given by a trigonometric series, evaluable on dual numbers.
#[derive(Debug, Clone)]
struct FourierSpeed {
    length: f64,
    a0: f64,
    cos: Vec<f64>,
    sin: Vec<f64>,
}

impl FourierSpeed {
    /// Trigonometric interpolant (modes |k| <= `modes`) of samples at s = 0..L-1.
    fn fit(samples: &[f64], modes: usize) -> Self {
        let l = samples.len() as f64;
        let a0 = samples.iter().sum::<f64>() / l;
        let coef = |k: usize, f: fn(f64) -> f64| {
            2.0 / l
                * samples
                    .iter()
                    .enumerate()
                    .map(|(s, v)| v * f(2.0 * std::f64::consts::PI * (k * s) as f64 / l))
                    .sum::<f64>()
        };
        Self {
            length: l,
            a0,
            cos: (1..=modes).map(|k| coef(k, f64::cos)).collect(),
            sin: (1..=modes).map(|k| coef(k, f64::sin)).collect(),
        }
    }
}

impl SpeedField<2> for FourierSpeed {
    fn c<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 2]) -> D {
        let w = x[1] * (2.0 * std::f64::consts::PI / self.length);
        let mut c = D::from(self.a0);
        for (k, (a, b)) in self.cos.iter().zip(&self.sin).enumerate() {
            let arg = w * (k + 1) as f64;
            c += arg.cos() * *a + arg.sin() * *b;
        }
        c
    }
}

fn learned_geodesics(ctx: &RunContext) -> CheckResult {
    let (l, ds, width, center) = (256usize, 1.0, 8.0, 64.0);
    let carriers = [1.0, 0.5, 0.25, 0.125];
    let planted: Vec<f64> = (0..l)
        .map(|s| 1.0 + 0.3 * (2.0 * std::f64::consts::PI * s as f64 / l as f64).sin())
        .collect();
    let dt = 0.9 * ds / planted.iter().copied().fold(0.0, f64::max);
    // Learn the couplings from noise-free trajectories of the planted network.
    let truth = Leapfrog1D::from_speed(&planted, dt, ds, 0.0).map_err(CheckError::from_display)?;
    let pattern = truth
        .to_network()
        .map_err(CheckError::from_display)?
        .weights()
        .clone();
    let mut rng = ctx.rng();
    let mut pairs = Vec::new();
    for _ in 0..ctx.pick(32, 128) {
        pairs.extend(leapfrog_pairs(&truth, 64, &mut rng)?);
    }
    let learned_w = fit_pattern_least_squares(&pattern, pairs).map_err(CheckError::from_display)?;
    let learned = speed_from_couplings(&learned_w, dt, ds).map_err(CheckError::from_display)?;
    let learned_err = learned
        .iter()
        .zip(&planted)
        .map(|(a, b)| ((a - b) / b).abs())
        .fold(0.0, f64::max);
    // The learned network, and the null geodesic of its optical metric from (t, s) = (0, center).
    let net = Leapfrog1D::from_speed(&learned, dt, ds, 0.0).map_err(CheckError::from_display)?;
    let crossing: f64 = learned.iter().map(|c| ds / c).sum();
    let t_end = 5.0 * crossing;
    let steps = (t_end / dt).ceil() as usize;
    let metric = Optical::new(FourierSpeed::fit(&learned, 16));
    let x0 = [0.0, center];
    let p0 =
        complete_momentum(&metric, &x0, &[0.0, 1.0], GeodesicKind::Null).map_err(CheckError::from_display)?;
    // Affine parameter: dλ ≈ ds/c² for p_s ≈ 1; integrate well past t_end and interpolate in t.
    let mut opts = GeodesicOptions::gauss(3, 0.25, 3.0 * t_end);
    opts.record = true;
    let traj = integrate(&metric, GeodesicKind::Null, &x0, &p0, &opts).map_err(CheckError::from_display)?;
    let geodesic_s = |t: f64| -> Option<f64> {
        let i = traj.x.partition_point(|x| x[0] < t);
        let (a, b) = (traj.x.get(i.checked_sub(1)?)?, traj.x.get(i)?);
        Some(a[1] + (b[1] - a[1]) * (t - a[0]) / (b[0] - a[0]))
    };
    let mut deviations = Vec::new();
    let (mut ts, mut gs) = (Vec::new(), Vec::new());
    let mut tracks = Vec::new();
    for (ki, &k) in carriers.iter().enumerate() {
        let (mut cur, mut prev) = net
            .packet(center, width, k, 1.0)
            .map_err(CheckError::from_display)?;
        let mut pos = center;
        let mut worst = 0.0_f64;
        let mut track = Vec::new();
        for step in 1..=steps {
            net.step(&cur, &mut prev).map_err(CheckError::from_display)?;
            std::mem::swap(&mut cur, &mut prev);
            // The centroid comes back as reference + periodic offset; accumulate the offset to unwrap.
            let reference = pos.rem_euclid(l as f64);
            let c = packet_centroid(&cur, &prev, reference)
                .ok_or_else(|| CheckError("packet vanished".into()))?;
            pos += c - reference;
            let t = step as f64 * dt;
            let g = geodesic_s(t).ok_or_else(|| CheckError(format!("geodesic does not reach t = {t}")))?;
            worst = worst.max((pos - g).abs());
            if step % 20 == 0 {
                track.push(pos);
                if ki == 0 {
                    ts.push(t);
                    gs.push(g);
                }
            }
        }
        deviations.push(worst);
        tracks.push(track);
    }
    let finest = *deviations.last().unwrap_or(&f64::NAN);
    let mut fig = Figure::new(
        "N-7: packets in the learned network vs the null geodesic",
        "t",
        "s (unwrapped)",
    )
    .line("null geodesic ds/dt = c_learned(s)", ts.clone(), gs);
    for (k, track) in carriers.iter().zip(tracks) {
        fig = fig.markers(format!("packet centroid, k = {k}"), ts.clone(), track);
    }
    let mut ev = Evidence::new(
        format!(
            "max |centroid - geodesic| over 5 crossings at k = {} (sites)",
            carriers[carriers.len() - 1]
        ),
        finest,
        width,
        Criterion::AtMost,
    )
    .with_order(crate::Order::fit(carriers.to_vec(), deviations.clone(), 2.0, 0.5))
    .param("L", l)
    .param("packet_width", width)
    .param("carriers_k", carriers)
    .param("dt", dt)
    .param("steps", steps)
    .detail("max relative error of the learned c(s)", learned_err, Some(0.0))
    .detail("crossing time", crossing, None);
    for (k, d) in carriers.iter().zip(&deviations) {
        ev = ev.detail(
            format!("max deviation at k = {k} (sites; width {width})"),
            *d,
            None,
        );
    }
    Ok(ev
        .note(format!(
            "packets follow the learned metric's null geodesic only in the eikonal (long-wavelength) limit: \
             the deviation falls as (kΔs)²; at THEORY's k = 1 it is {:.0} sites, because ω is conserved \
             so the local wavenumber grows to k c_max/c_min ≈ 1.9 in the slow region, where the lattice \
             group velocity is ~35 % below c",
            deviations[0]
        ))
        .figure(fig)
        .into())
}

/// Exact continuum Klein-Gordon solution (c = 1, mass `m`) from a Gaussian at rest,
/// $\phi(0,s) = e^{-s^2/2w^2}$, $\partial_t\phi(0,s) = 0$: returns $(\phi, \partial_t\phi, \partial_s\phi)$ at
/// $(t, s)$ by Simpson quadrature of $\frac1\pi\int_0^\infty \hat\phi_0(k)\cos(\omega_k t)\cos(ks)\,dk$.
fn kg_rest(t: f64, s: f64, w: f64, m: f64) -> (f64, f64, f64) {
    let n = 600; // even
    let kmax = 9.0 / w;
    let h = kmax / n as f64;
    let (mut f, mut ft, mut fs) = (0.0, 0.0, 0.0);
    for i in 0..=n {
        let k = i as f64 * h;
        let weight = if i == 0 || i == n {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        let amp = w * (2.0 * std::f64::consts::PI).sqrt() * (-k * k * w * w / 2.0).exp();
        let om = (k * k + m * m).sqrt();
        let (c, sn) = ((om * t).cos(), (om * t).sin());
        f += weight * amp * c * (k * s).cos();
        ft -= weight * amp * om * sn * (k * s).cos();
        fs -= weight * amp * c * k * (k * s).sin();
    }
    let norm = h / 3.0 / std::f64::consts::PI;
    (f * norm, ft * norm, fs * norm)
}

/// The rest packet seen from a frame moving at -v (so the packet moves at +v): $\phi'(t', s') =
/// \phi(\gamma(t' - v s'), \gamma(s' - v t'))$, centred at `s0`.
fn kg_boosted(t: f64, s: f64, s0: f64, v: f64, w: f64, m: f64) -> f64 {
    let g = 1.0 / (1.0 - v * v).sqrt();
    let x = s - s0;
    kg_rest(g * (t - v * x), g * (x - v * t), w, m).0
}

fn klein_gordon_covariance(ctx: &RunContext) -> CheckResult {
    let (v, m, courant, ds) = (0.6, 0.1, 0.5, 1.0);
    let dt = courant * ds;
    // w = 80 is left out on purpose: with T = 2w the mass term's own time-discretisation error,
    // (mΔt)²/24 per unit phase (about 1.6e-3 at w = 80), overtakes the (Δs/w)² dispersion error.
    let _ = ctx;
    let widths: Vec<f64> = vec![5.0, 10.0, 20.0, 40.0];
    let mut errs = Vec::new();
    let mut fig = Figure::new(
        "N-6: lattice Klein-Gordon packet boosted to v = 0.6 vs the Lorentz-transformed rest packet",
        "s - vT",
        "φ(T, s)",
    );
    for (wi, &w) in widths.iter().enumerate() {
        let t_end = 2.0 * w;
        let steps = (t_end / dt).round() as usize;
        let l = (24.0 * w).round() as usize;
        let s0 = l as f64 / 4.0;
        let net = nqg_network::lattice::Leapfrog1D::new(&vec![courant; l], m * dt)
            .map_err(CheckError::from_display)?;
        // Two exact time levels of the boosted packet start the leapfrog.
        let mut cur: Vec<f64> = (0..l)
            .map(|s| kg_boosted(0.0, s as f64 * ds, s0, v, w, m))
            .collect();
        let mut prev: Vec<f64> = (0..l)
            .map(|s| kg_boosted(-dt, s as f64 * ds, s0, v, w, m))
            .collect();
        for _ in 0..steps {
            net.step(&cur, &mut prev).map_err(CheckError::from_display)?;
            std::mem::swap(&mut cur, &mut prev);
        }
        let t = steps as f64 * dt;
        let exact: Vec<f64> = (0..l)
            .map(|s| kg_boosted(t, s as f64 * ds, s0, v, w, m))
            .collect();
        let num: f64 = cur.iter().zip(&exact).map(|(a, b)| (a - b) * (a - b)).sum();
        let den: f64 = exact.iter().map(|b| b * b).sum();
        errs.push((num / den).sqrt());
        if wi == 1 {
            let xs: Vec<f64> = (0..l)
                .map(|s| s as f64 * ds - s0 - v * t)
                .filter(|x| x.abs() <= 4.0 * w)
                .collect();
            let pick = |f: &[f64]| -> Vec<f64> {
                (0..l)
                    .filter(|&s| (s as f64 * ds - s0 - v * t).abs() <= 4.0 * w)
                    .map(|s| f[s])
                    .collect()
            };
            fig = fig
                .markers(format!("lattice, boosted data (w = {w})"), xs.clone(), pick(&cur))
                .line("continuum rest packet, Lorentz-transformed", xs, pick(&exact));
        }
    }
    let h: Vec<f64> = widths.iter().map(|w| ds / w).collect();
    let at20 = widths
        .iter()
        .zip(&errs)
        .filter(|(w, _)| **w >= 20.0)
        .map(|(_, e)| *e)
        .fold(0.0, f64::max);
    let mut ev = Evidence::new(
        "max relative L2 difference for w ≥ 20",
        at20,
        0.01,
        Criterion::AtMost,
    )
    .with_order(crate::Order::fit(h, errs.clone(), 2.0, 0.1))
    .param("v", v)
    .param("mass", m)
    .param("courant", courant)
    .param("T", "2w");
    for (w, e) in widths.iter().zip(&errs) {
        ev = ev.detail(format!("relative L2 difference at w = {w}"), *e, None);
    }
    Ok(ev
        .note("Lorentz covariance is an infrared property of the lattice: the violation falls as (Δs/w)²")
        .figure(fig)
        .into())
}
