//! The benchmark cases: their parameters (shared with `bench/peers/*.py`, which state the same
//! numbers), the closed forms both sides are measured against, and the table the harness runs.

use serde_json::Value;

use super::nqg::{self, NqgCase};

/// What one repetition measured: the error against the case's closed form and named extras.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// Error against the closed form (see [`Case::error_label`]).
    pub error: f64,
    /// Further measured quantities (drifts, step counts, partial timings).
    pub extra: Vec<(String, f64)>,
    /// Seconds the run spent on diagnostics outside the case (e.g. the FFT pairs or the normals
    /// alone), subtracted from the timed figure by the harness.
    pub untimed: f64,
}

impl Measured {
    /// A measurement with error `error`.
    pub fn new(error: f64) -> Self {
        Self {
            error,
            extra: Vec::new(),
            untimed: 0.0,
        }
    }
    /// Add a named extra.
    pub fn with(mut self, name: &str, v: f64) -> Self {
        self.extra.push((name.to_string(), v));
        self
    }
    /// Add a diagnostic timing (an extra, in seconds) that is *not* part of the case: the harness
    /// subtracts it from the run's wall time.
    pub fn with_untimed(mut self, name: &str, seconds: f64) -> Self {
        self.untimed += seconds;
        self.with(name, seconds)
    }
}

/// One case.
pub struct Case {
    /// Identifier (`--case NAME`, JSON `case`).
    pub name: &'static str,
    /// One line for the table.
    pub title: &'static str,
    /// The peer script in `bench/peers/`.
    pub script: &'static str,
    /// Peer names known to the script.
    pub peers: &'static [&'static str],
    /// The nqg side.
    pub nqg: fn(usize) -> Result<NqgCase, String>,
    /// A peer's reply → error against the closed form (and extras).
    pub peer_error: fn(&Value) -> Result<Measured, String>,
    /// What the error is.
    pub error_label: &'static str,
    /// The run time is also shown per `per.1`, dividing by `per.0`.
    pub per: (f64, &'static str),
}

/// Message of a case whose nqg side is not written yet.
pub const NOT_YET: &str = "nqg: not yet available";

// (a) Schwarzschild geodesic.
/// Proper-time span integrated by every side: 20 × 2π a^{3/2} × 1.13 with a = p/(1 − e²) (≥ 21 periapses).
pub const GEODESIC_SPAN: f64 =
    20.0 * 2.0 * std::f64::consts::PI * 26.666_666_666_666_668 * 5.163_977_794_943_222 * 1.13;
/// Periapsis passages used: the advance per orbit is (φ₂₁ − φ₁)/20 − 2π.
pub const GEODESIC_EVENTS: usize = 21;

/// (φ_{21} − φ_1)/20 − 2π from the periapsis longitudes.
pub fn periapsis_advance(phis: &[f64]) -> Result<f64, String> {
    if phis.len() < GEODESIC_EVENTS {
        return Err(format!("only {} periapsis passages", phis.len()));
    }
    Ok((phis[GEODESIC_EVENTS - 1] - phis[0]) / (GEODESIC_EVENTS - 1) as f64 - 2.0 * std::f64::consts::PI)
}

/// Relative error against 4√(p/(p−6+2e)) K(4e/(p−6+2e)) − 2π (THEORY S-GEO2).
pub fn geodesic_error(advance: f64) -> f64 {
    let exact = nqg_geometry::orbits::schwarzschild_precession(20.0, 0.5);
    (advance - exact).abs() / exact
}

// (b) Kerr curvature.
/// Kerr spin (M = 1).
pub const KERR_SPIN: f64 = 0.9;

/// The 10⁴ points (r, θ) of `bench/peers/curvature.py`: golden-ratio and plastic-number sequences.
pub fn kerr_points() -> Vec<(f64, f64)> {
    let rp = 1.0 + (1.0 - KERR_SPIN * KERR_SPIN).sqrt();
    let lo = rp + 0.5;
    (0..10_000)
        .map(|i| {
            let u = ((i as f64 + 0.5) * 0.618_033_988_749_894_9).rem_euclid(1.0);
            let v = ((i as f64 + 0.5) * 0.754_877_666_246_692_7).rem_euclid(1.0);
            (lo + (20.0 - lo) * u, 0.05 + (std::f64::consts::PI - 0.1) * v)
        })
        .collect()
}

// (c) Split-step.
/// Strang step.
pub const STRANG_DT: f64 = 0.01;
/// Steps per run.
pub const STRANG_STEPS: usize = 1000;

/// One split-step setup.
#[derive(Debug, Clone, Copy)]
pub struct StrangSetup {
    /// Dimension (1 or 2).
    pub dim: usize,
    /// Points per axis.
    pub n: usize,
    /// Box length.
    pub length: f64,
    /// Initial centre.
    pub x0: [f64; 2],
    /// Initial momentum.
    pub p0: [f64; 2],
}

/// The setup of a split-step case.
pub fn strang_setup(case: &str) -> Result<StrangSetup, String> {
    Ok(match case {
        "strang_1d_1024" => StrangSetup {
            dim: 1,
            n: 1024,
            length: 40.0,
            x0: [3.0, 0.0],
            p0: [0.0, 0.0],
        },
        "strang_1d_4096" => StrangSetup {
            dim: 1,
            n: 4096,
            length: 40.0,
            x0: [3.0, 0.0],
            p0: [0.0, 0.0],
        },
        "strang_2d_256" => StrangSetup {
            dim: 2,
            n: 256,
            length: 20.0,
            x0: [3.0, 0.0],
            p0: [0.0, 2.0],
        },
        _ => return Err(format!("no split-step case {case}")),
    })
}

/// max_a |⟨x_a⟩(10) − (x0_a cos 10 + p0_a sin 10)|.
pub fn strang_error(s: &StrangSetup, centre: &[f64]) -> f64 {
    let t = STRANG_DT * STRANG_STEPS as f64;
    (0..s.dim)
        .map(|a| (centre.get(a).copied().unwrap_or(f64::NAN) - (s.x0[a] * t.cos() + s.p0[a] * t.sin())).abs())
        .fold(0.0, f64::max)
}

// (d) OU ensemble and (e) Fokker-Planck.
/// θ.
pub const OU_THETA: f64 = 1.0;
/// D.
pub const OU_D: f64 = 0.5;
/// dt.
pub const OU_DT: f64 = 0.005;
/// Steps.
pub const OU_STEPS: usize = 1000;
/// Members.
pub const OU_MEMBERS: usize = 100_000;
/// Initial mean.
pub const OU_MEAN0: f64 = 2.0;
/// Initial variance.
pub const OU_VAR0: f64 = 0.1;

/// Relative error of the variance at t = 5 against the exact Euler-Maruyama recursion
/// s_{n+1} = (1 − θdt)² s_n + 2D dt.
pub fn ou_error(var: f64) -> f64 {
    let mut s = OU_VAR0;
    for _ in 0..OU_STEPS {
        s = (1.0 - OU_THETA * OU_DT).powi(2) * s + 2.0 * OU_D * OU_DT;
    }
    (var - s).abs() / s
}

/// Cells.
pub const FP_N: usize = 4096;
/// Left wall.
pub const FP_XMIN: f64 = -6.0;
/// Right wall.
pub const FP_XMAX: f64 = 6.0;
/// Step.
pub const FP_DT: f64 = 1e-3;
/// Steps (to t = 1).
pub const FP_STEPS: usize = 1000;

/// (L1 error against the exact OU Gaussian at t = 1, mass drift) of a density on the cell centres.
pub fn fp_errors(p: &[f64]) -> (f64, f64) {
    let h = (FP_XMAX - FP_XMIN) / FP_N as f64;
    let t = FP_DT * FP_STEPS as f64;
    let m = OU_MEAN0 * (-OU_THETA * t).exp();
    let v = OU_VAR0 * (-2.0 * OU_THETA * t).exp() + OU_D / OU_THETA * (1.0 - (-2.0 * OU_THETA * t).exp());
    let l1 = p
        .iter()
        .enumerate()
        .map(|(i, pi)| {
            let x = FP_XMIN + h * (i as f64 + 0.5);
            (pi - (-(x - m).powi(2) / (2.0 * v)).exp() / (2.0 * std::f64::consts::PI * v).sqrt()).abs()
        })
        .sum::<f64>()
        * h;
    let mass = (h * p.iter().sum::<f64>() - 1.0).abs();
    if p.len() == FP_N {
        (l1, mass)
    } else {
        (f64::NAN, f64::NAN)
    }
}

// (f) Oscillator in a Fock basis.
/// Fock states.
pub const FOCK_N: usize = 50;
/// x0 of the coherent state.
pub const FOCK_X0: f64 = 3.0;
/// p0 of the coherent state.
pub const FOCK_P0: f64 = 0.0;

/// The 1001 output times on [0, 10].
pub fn fock_times() -> Vec<f64> {
    (0..=1000).map(|k| k as f64 * 0.01).collect()
}

/// max_k |⟨x⟩(t_k) − (x0 cos t_k + p0 sin t_k)|.
pub fn fock_x_error(xs: &[f64]) -> f64 {
    let ts = fock_times();
    if xs.len() != ts.len() {
        return f64::NAN;
    }
    xs.iter()
        .zip(&ts)
        .map(|(x, t)| (x - (FOCK_X0 * t.cos() + FOCK_P0 * t.sin())).abs())
        .fold(0.0, f64::max)
}

/// (max |⟨ψ|ψ⟩ − 1|, max |⟨H⟩ − (|α|² + 1/2)|) over the output times.
pub fn fock_drifts(norms: &[f64], energies: &[f64]) -> (f64, f64) {
    let e0 = 0.5 * (FOCK_X0 * FOCK_X0 + FOCK_P0 * FOCK_P0) + 0.5;
    let n = norms.iter().map(|v| (v - 1.0).abs()).fold(0.0, f64::max);
    let e = energies.iter().map(|v| (v - e0).abs()).fold(0.0, f64::max);
    (n, e)
}

// (g) Inclined Kerr orbit.
/// (a, p, e, x = cos ι) of `bench/peers/kerr_orbit.py`.
pub const KERR_ORBIT: (f64, f64, f64, f64) = (0.9, 8.0, 0.3, 0.8);

/// Residual of the constants in their defining closed form: max of |R(r_p)|/r_p⁴, |R(r_a)|/r_a⁴ with
/// R(r) = [E(r² + a²) − aL]² − Δ[r² + (L − aE)² + Q], and |Θ(z₋)| with
/// Θ = Q − (1 − x²)[a²(1 − E²) + L²/x²] at the turning point z² = 1 − x².
pub fn kerr_orbit_error(e: f64, l: f64, q: f64) -> f64 {
    let (a, p, ecc, x) = KERR_ORBIT;
    let r_of = |r: f64| {
        let d = r * r - 2.0 * r + a * a;
        ((e * (r * r + a * a) - a * l).powi(2) - d * (r * r + (l - a * e).powi(2) + q)) / r.powi(4)
    };
    let theta = q - (1.0 - x * x) * (a * a * (1.0 - e * e) + l * l / (x * x));
    [r_of(p / (1.0 + ecc)), r_of(p / (1.0 - ecc)), theta]
        .iter()
        .map(|v| v.abs())
        .fold(0.0, f64::max)
}

// (h) Teacher-student SGD.
/// q*.
pub const SGD_QSTAR: [f64; 2] = [1.0, -0.5];
/// Σ (row-major).
pub const SGD_SIGMA: [f64; 4] = [1.0, 0.0, 0.0, 0.25];
/// Label noise s.
pub const SGD_NOISE: f64 = 0.5;
/// γ.
pub const SGD_GAMMA: f64 = 0.05;
/// Replicas.
pub const SGD_REPLICAS: usize = 100_000;
/// Steps.
pub const SGD_STEPS: usize = 100;

/// Relative error of tr S against the exact moment map (`TeacherStudent::moment_step`) after 100 steps
/// from e = 0; the sampling error of 10⁵ replicas is about √(2/10⁵) ≈ 0.45 %.
pub fn sgd_error(s: &[f64; 4]) -> f64 {
    use nalgebra::{DMatrix, DVector};
    let Ok(p) = nqg_network::learning::TeacherStudent::new(SGD_QSTAR.to_vec(), &SGD_SIGMA, SGD_NOISE) else {
        return f64::NAN;
    };
    let mut mean = DVector::zeros(2);
    let mut second = DMatrix::zeros(2, 2);
    for _ in 0..SGD_STEPS {
        (mean, second) = p.moment_step(SGD_GAMMA, 1, &mean, &second);
    }
    let exact = second.trace();
    ((s[0] + s[3]) - exact).abs() / exact
}

fn num(v: &Value, key: &str) -> Result<f64, String> {
    v.get(key)
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("peer reply has no number `{key}`"))
}

fn nums(v: &Value, key: &str) -> Result<Vec<f64>, String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect())
        .ok_or_else(|| format!("peer reply has no array `{key}`"))
}

fn peer_geodesic(v: &Value) -> Result<Measured, String> {
    let m = Measured::new(geodesic_error(num(v, "value")?));
    Ok(match num(v, "steps") {
        Ok(s) => m.with("steps", s),
        Err(_) => m,
    })
}

fn peer_value(v: &Value) -> Result<Measured, String> {
    Ok(Measured::new(num(v, "value")?))
}

fn peer_strang(case: &str, v: &Value) -> Result<Measured, String> {
    let s = strang_setup(case)?;
    Ok(Measured::new(strang_error(&s, &nums(v, "centre")?)).with("norm drift", num(v, "norm_drift")?))
}

fn peer_ou(v: &Value) -> Result<Measured, String> {
    Ok(Measured::new(ou_error(num(v, "value")?)))
}

fn peer_fp(v: &Value) -> Result<Measured, String> {
    let (l1, mass) = fp_errors(&nums(v, "density")?);
    Ok(Measured::new(l1).with("mass drift", mass))
}

fn peer_fock(v: &Value) -> Result<Measured, String> {
    let (n, e) = fock_drifts(&nums(v, "norm")?, &nums(v, "energy")?);
    Ok(Measured::new(fock_x_error(&nums(v, "x")?))
        .with("norm drift", n)
        .with("energy drift", e))
}

fn peer_kerr_orbit(v: &Value) -> Result<Measured, String> {
    let e = kerr_orbit_error(num(v, "energy")?, num(v, "angular_momentum")?, num(v, "carter")?);
    let mut m = Measured::new(e);
    for (i, f) in nums(v, "bl")?.iter().enumerate() {
        m = m.with(
            ["Omega_r", "Omega_theta", "Omega_phi"]
                .get(i)
                .copied()
                .unwrap_or("Omega"),
            *f,
        );
    }
    Ok(m)
}

fn peer_sgd(v: &Value) -> Result<Measured, String> {
    let s = nums(v, "second_moment")?;
    if s.len() != 4 {
        return Err("second_moment must have 4 entries".into());
    }
    Ok(Measured::new(sgd_error(&[s[0], s[1], s[2], s[3]])))
}

/// Every case, in the order of the page.
pub fn all() -> Vec<Case> {
    vec![
        Case {
            name: "schwarzschild_periapsis",
            title: "20 Schwarzschild orbits p = 20M, e = 0.5, periapsis advance to 1e-10",
            script: "geodesic.py",
            peers: &["diffrax", "scipy", "einsteinpy"],
            nqg: nqg::schwarzschild_periapsis,
            peer_error: peer_geodesic,
            error_label: "relative error of the advance per orbit",
            per: (1.0, "run"),
        },
        Case {
            name: "kerr_einstein_1e4",
            title: "Kerr (a = 0.9) Einstein tensor at 10^4 points",
            script: "curvature.py",
            peers: &["sympy", "jax", "einsteinpy"],
            nqg: nqg::kerr_einstein,
            peer_error: peer_value,
            error_label: "max |G_ab| (vacuum: 0)",
            per: (1e4, "point"),
        },
        Case {
            name: "strang_1d_1024",
            title: "split-step Strang 1D, N = 1024, 1000 steps",
            script: "split_step.py",
            peers: &["jax", "scipy", "numpy"],
            nqg: |t| nqg::strang("strang_1d_1024", t),
            peer_error: |v| peer_strang("strang_1d_1024", v),
            error_label: "|<x>(10) - x0 cos 10 - p0 sin 10|",
            per: (1000.0, "step"),
        },
        Case {
            name: "strang_1d_4096",
            title: "split-step Strang 1D, N = 4096, 1000 steps",
            script: "split_step.py",
            peers: &["jax", "scipy", "numpy"],
            nqg: |t| nqg::strang("strang_1d_4096", t),
            peer_error: |v| peer_strang("strang_1d_4096", v),
            error_label: "|<x>(10) - x0 cos 10 - p0 sin 10|",
            per: (1000.0, "step"),
        },
        Case {
            name: "strang_2d_256",
            title: "split-step Strang 2D, 256^2, 1000 steps",
            script: "split_step.py",
            peers: &["jax", "scipy", "numpy"],
            nqg: |t| nqg::strang("strang_2d_256", t),
            peer_error: |v| peer_strang("strang_2d_256", v),
            error_label: "max_a |<x_a>(10) - exact|",
            per: (1000.0, "step"),
        },
        Case {
            name: "ou_ensemble",
            title: "OU ensemble 10^5 x 10^3 Euler-Maruyama",
            script: "ou.py",
            peers: &["jax", "numpy", "diffrax"],
            nqg: nqg::ou_ensemble,
            peer_error: peer_ou,
            error_label: "relative error of Var X(5) vs the exact EM recursion (sampling 0.45 %)",
            per: (1.0, "run"),
        },
        Case {
            name: "fokker_planck_4096",
            title: "implicit (Crank-Nicolson) Fokker-Planck step, 4096 cells",
            script: "fokker_planck.py",
            peers: &["scipy"],
            nqg: nqg::fokker_planck,
            peer_error: peer_fp,
            error_label: "L1 error at t = 1 vs the exact OU density",
            per: (1000.0, "step"),
        },
        Case {
            name: "ho_fock_50",
            title: "oscillator superposition, N = 50 Fock states, t = 10, 1001 outputs",
            script: "fock.py",
            peers: &["dynamiqs", "qutip"],
            nqg: nqg::ho_fock,
            peer_error: peer_fock,
            error_label: "max_t |<x>(t) - x0 cos t|",
            per: (1.0, "run"),
        },
        Case {
            name: "kerr_orbit_inclined",
            title: "inclined Kerr orbit a = 0.9, p = 8, e = 0.3, x = 0.8: E, L, Q and frequencies",
            script: "kerr_orbit.py",
            peers: &["kerrgeopy"],
            nqg: nqg::kerr_orbit,
            peer_error: peer_kerr_orbit,
            error_label: "max residual of R(r_p), R(r_a) (over r^4), Theta(z_-)",
            per: (1.0, "call"),
        },
        Case {
            name: "sgd_teacher_student",
            title: "teacher-student online SGD, 10^5 replicas x 100 steps",
            script: "sgd.py",
            peers: &["jax", "numpy"],
            nqg: nqg::sgd,
            peer_error: peer_sgd,
            error_label: "relative error of tr<ee^T> vs the exact moment map (sampling 0.45 %)",
            per: (1e7, "replica-step"),
        },
    ]
}
