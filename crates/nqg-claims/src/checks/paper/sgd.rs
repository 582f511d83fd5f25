//! `paper.sgd` (THEORY.md §3.3, N-1 to N-3): mini-batch SGD on the teacher-student network of
//! `nqg-network` as a Langevin system, the premise of the paper's §2-§4.
//!
//! - N-1 `temperature_scaling_{gamma,batch}`: the learning temperature $T_L = \mathrm{tr}\\,P/K$ of the
//!   stationary SGD ensemble scales as $\gamma^1$ and $M^{-1}$ (leading order
//!   $D = \gamma^2 s^2\Sigma/2M$, $T_L = \gamma s^2/2M$, N2.6-N2.7). THEORY's criterion is judged as
//!   written (exponents $1$ and $-1$ within $\pm 0.02$); the refined `temperature_scaling_gamma_exact`
//!   compares the measured exponent with the one the exact discrete-time covariance predicts, and
//!   `stationary_covariance` compares $T_L$ on the grid with the exact discrete-time (Isserlis)
//!   stationary covariance
//!   $\Sigma P + P\Sigma = \gamma[(1 + 1/M)\Sigma P\Sigma + \Sigma\\,\mathrm{tr}(P\Sigma)/M + s^2\Sigma/M]$.
//! - N-2 `entropy_balance*`: along the relaxation of an ensemble displaced from $q^\*$ the Gaussian
//!   entropy $S = \tfrac12\ln\det(2\pi e P)$ changes at the rate
//!   $dS/dt = \mathrm{tr}(D P^{-1}) - \gamma\\,\mathrm{tr}\\,\Sigma$ (N2.8, leading-order $D$); the
//!   refined check compares with the exact rate of the discrete-time moment map, the continuum check
//!   shows N2.8 is its $\gamma \to 0$ limit, and the late-time check tests that the net rate vanishes.
//! - N-3 `detailed_balance`: with anisotropic injected noise the stationary state carries a rotational
//!   probability current $\propto \gamma[\Sigma, P]$, so the near-equilibrium (Onsager-symmetric)
//!   premise is not generic.

use nalgebra::{DMatrix, DVector};
use nqg_network::ensemble::Ensemble;
use nqg_network::learning::{SgdConfig, TeacherStudent, TeacherStudentSgd};
use nqg_network::moments::MomentsExt;
use nqg_stats::fit::loglog_slope;
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

use super::{mean_and_sem, n1_problem};
use crate::{
    CheckError, CheckResult, Criterion, Evidence, Figure, Provenance, Registry, Role, RunContext, Study,
};

/// Register `paper.sgd`.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "paper.sgd",
        "Mini-batch SGD makes the trainable variables a Langevin system: drift -γ∇F and diffusion \
         D = γ²σ²/(2M), so the learning temperature T_L = D/γ = γσ²/(2M) is set by the step size and the \
         mini-batch (N2.6-N2.7), the knobs the paper's §4 says the system tunes",
        Provenance::Reconstruction,
    )
    .check(
        "paper.sgd.temperature_scaling_gamma",
        "N-1: teacher-student SGD (K = 2, Σ = diag(1, 0.25), s = 0.5, M = 2): the fitted exponent of the \
         measured learning temperature tr P/K in γ ∈ {0.005, 0.01, 0.02, 0.05} is compared with the \
         leading-order exponent 1 (THEORY's tolerance; the σ distance from 1 is reported)",
        Role::Premise,
        scaling_gamma,
    )
    .theory("N-1")
    .check(
        "paper.sgd.temperature_scaling_gamma_exact",
        "N-1 refined: the same fitted exponent in γ (an independent ensemble) is compared with the \
         exponent that the exact discrete-time stationary covariance (Isserlis) predicts for the same fit, \
         which carries the finite-γ correction",
        Role::Premise,
        scaling_gamma_exact,
    )
    .theory("N-1")
    .refines("paper.sgd.temperature_scaling_gamma")
    .check(
        "paper.sgd.temperature_scaling_batch",
        "N-1: same network at γ = 0.02: the fitted exponent of tr P/K in M is compared with the \
         leading-order exponent -1 (THEORY's tolerance; σ distance reported); full mode scans THEORY's \
         M ∈ {1, 4, 16, 64}, quick mode M ∈ {1, 4, 16} (M = 64 alone costs three times the other three)",
        Role::Premise,
        scaling_batch,
    )
    .theory("N-1")
    .check(
        "paper.sgd.stationary_covariance",
        "N-1: the measured stationary learning temperature tr P/K is compared with the exact discrete-time \
         stationary covariance (Isserlis) at every point of the grid (worst |z|); full mode: THEORY's grid \
         M ∈ {1, 4, 16, 64} × γ ∈ {0.005, 0.01, 0.02, 0.05}; quick mode: M ∈ {1, 4} × γ ∈ {0.02, 0.05}",
        Role::Premise,
        stationary_covariance,
    )
    .theory("N-1")
    .check(
        "paper.sgd.entropy_balance",
        "N-2: an SGD ensemble started narrow (0.3 P) and displaced by 3σ: the measured rate dS/dt of its \
         Gaussian entropy is compared at every logged time (worst |z|) with N2.8, stochastic production \
         tr(D P⁻¹) with the leading-order D minus learning destruction γ tr Σ, along the exact P(t)",
        Role::Premise,
        entropy_balance,
    )
    .theory("N-2")
    .check(
        "paper.sgd.entropy_balance_exact",
        "N-2 refined: the same measured dS/dt (an independent ensemble) is compared at every logged time \
         (worst |z|) with the exact entropy rate of the discrete-time moment map of SGD",
        Role::Premise,
        entropy_balance_exact,
    )
    .theory("N-2")
    .refines("paper.sgd.entropy_balance")
    .check(
        "paper.sgd.entropy_balance_late",
        "N-2: at learning equilibrium the two N2.8 terms balance: production tr(D P⁻¹) (leading-order D, P \
         the measured ensemble covariance over the last sixth of the relaxation) minus destruction γ tr Σ \
         is compared with 0 (net → 0 ± error); the production/destruction ratio and the measured dS/dt \
         there are reported",
        Role::Premise,
        entropy_balance_late,
    )
    .theory("N-2")
    .check(
        "paper.sgd.entropy_balance_continuum",
        "N-2: the gap between the N2.8 rate tr(D P⁻¹) - γ tr Σ and the exact entropy rate of SGD (moment \
         map) over the whole relaxation closes linearly as γ → 0 (the continuum limit of N2.6-N2.8)",
        Role::Premise,
        entropy_balance_continuum,
    )
    .theory("N-2")
    .check(
        "paper.sgd.detailed_balance",
        "N-3: with anisotropic injected gradient noise (C_inj rotated by 30° against Σ) the stationary SGD \
         ensemble carries a rotational probability current: the antisymmetric part of <e_t e_{t+1}ᵀ> is \
         compared with the exact γ[Σ, P]-driven value ≠ 0 (detailed balance, the Onsager-symmetric premise, \
         fails); with label noise only it vanishes",
        Role::Premise,
        detailed_balance,
    )
    .theory("N-3");
}

// ---------------------------------------------------------------------------------------------------
// N-1

/// Independent sub-ensembles per grid point (the error of T_L is their scatter).
const SUB_ENSEMBLES: usize = 20;

/// The stationary learning temperature at one grid point.
#[derive(Debug, Clone, Copy)]
struct Temperature {
    gamma: f64,
    batch: usize,
    /// Measured tr P / K.
    measured: f64,
    /// Its standard error (scatter of the sub-ensembles).
    sem: f64,
    /// tr P / K of the exact discrete-time stationary covariance.
    exact: f64,
    /// Leading order γ s²/(2M).
    leading: f64,
}

impl Temperature {
    fn z(&self) -> f64 {
        (self.measured - self.exact) / self.sem
    }
}

/// Measure tr P / K of the stationary SGD ensemble at (γ, M) with `replicas` replicas split into
/// [`SUB_ENSEMBLES`] independent sub-ensembles (substreams `stream·64 + b`). Each starts at the
/// leading-order stationary law N(q*, T_L 1) (independent of the exact formula), relaxes two slow
/// times τ = 1/(γ λ_min) (the covariance mismatch decays as e^{-2t/τ}), then averages tr P/K over six
/// more (every τ/16 steps).
fn measured_temperature(
    ctx: &RunContext,
    stream: u64,
    problem: &TeacherStudent,
    gamma: f64,
    batch: usize,
    replicas: usize,
) -> Result<Temperature, CheckError> {
    let sgd = TeacherStudentSgd::online(problem.clone(), SgdConfig::new(gamma, batch)?)?;
    let k = problem.dim();
    let lambda_min = 0.25;
    let tau = (1.0 / (gamma * lambda_min)).ceil() as usize;
    let qs = problem.teacher().to_vec();
    let leading = problem.learning_temperature(gamma, batch);
    let per = (replicas / SUB_ENSEMBLES).max(2);
    let mut temps = Vec::with_capacity(SUB_ENSEMBLES);
    for b in 0..SUB_ENSEMBLES as u64 {
        let mut ens = Ensemble::new(&sgd, per, ctx.substream(stream * 64 + b), |_, rng, q| {
            for (qi, si) in q.iter_mut().zip(&qs) {
                let z: f64 = StandardNormal.sample(rng);
                *qi = si + leading.sqrt() * z;
            }
        })?;
        ens.advance(&sgd, 2 * tau)?;
        let m = ens.time_average(&sgd, 6 * tau, (tau / 16).max(1))?;
        temps.push(m.covariance_matrix().trace() / k as f64);
    }
    let (measured, sem) = mean_and_sem(&temps);
    let exact = problem.stationary_covariance(gamma, batch)?.trace() / k as f64;
    Ok(Temperature {
        gamma,
        batch,
        measured,
        sem,
        exact,
        leading,
    })
}

/// Parameters of an N-1 scan.
#[derive(Debug, Clone, Serialize)]
struct ScanParams {
    /// Scanned variable, `gamma` or `M`.
    scanned: &'static str,
    /// Its values.
    values: Vec<f64>,
    /// The fixed step size (M scan) or mini-batch (γ scan).
    fixed: f64,
    /// Replicas per grid point.
    replicas: usize,
    /// Independent sub-ensembles per point.
    sub_ensembles: usize,
}

/// One N-1 scan: the measured temperatures and the fitted exponents.
struct Scan {
    params: ScanParams,
    points: Vec<Temperature>,
    /// Fitted exponent of the measured T_L and its σ.
    slope: f64,
    slope_sigma: f64,
    /// The same fit applied to the exact discrete-time T_L.
    exact_slope: f64,
}

fn scan(ctx: &RunContext, vary_gamma: bool) -> Result<Scan, CheckError> {
    let problem = n1_problem()?;
    let params = if vary_gamma {
        ScanParams {
            scanned: "gamma",
            values: vec![0.005, 0.01, 0.02, 0.05],
            fixed: 2.0,
            replicas: ctx.pick(8_000usize, 80_000),
            sub_ensembles: SUB_ENSEMBLES,
        }
    } else {
        ScanParams {
            scanned: "M",
            values: ctx.pick(vec![1.0, 4.0, 16.0], vec![1.0, 4.0, 16.0, 64.0]),
            fixed: 0.02,
            replicas: ctx.pick(6_000usize, 30_000),
            sub_ensembles: SUB_ENSEMBLES,
        }
    };
    let mut points = Vec::new();
    for (i, &v) in params.values.iter().enumerate() {
        let (gamma, batch) = if vary_gamma {
            (v, params.fixed as usize)
        } else {
            (params.fixed, v as usize)
        };
        points.push(measured_temperature(
            ctx,
            i as u64,
            &problem,
            gamma,
            batch,
            params.replicas,
        )?);
    }
    let t: Vec<f64> = points.iter().map(|p| p.measured).collect();
    let ex: Vec<f64> = points.iter().map(|p| p.exact).collect();
    let rel: Vec<f64> = points.iter().map(|p| p.sem / p.measured).collect();
    let (slope, slope_sigma) = loglog_slope(&params.values, &t, &rel)?;
    let (exact_slope, _) = loglog_slope(&params.values, &ex, &rel)?;
    Ok(Scan {
        params,
        points,
        slope,
        slope_sigma,
        exact_slope,
    })
}

impl Scan {
    fn name(&self) -> &'static str {
        if self.params.scanned == "gamma" { "γ" } else { "M" }
    }

    fn figure(&self) -> Figure {
        let name = self.name();
        let x = self.params.values.clone();
        Figure::new(
            format!("N-1: learning temperature against {name}"),
            name,
            "T_L = tr P / K",
        )
        .log(true, true)
        .markers(
            "SGD ensemble",
            x.clone(),
            self.points.iter().map(|p| p.measured).collect(),
        )
        .line(
            "exact discrete-time P (Isserlis)",
            x.clone(),
            self.points.iter().map(|p| p.exact).collect(),
        )
        .line(
            "leading order γs²/(2M)",
            x,
            self.points.iter().map(|p| p.leading).collect(),
        )
    }

    /// Evidence with the per-point rows and the fit details.
    fn evidence(&self, quantity: String, expected: f64, criterion: Criterion, leading: f64) -> Evidence {
        let name = self.name();
        let mut ev = Evidence::new(quantity, self.slope, expected, criterion)
            .with_uncertainty(self.slope_sigma)
            .params_from(&self.params)
            .detail(
                format!("σ distance of the exponent from the leading order {leading}"),
                (self.slope - leading).abs() / self.slope_sigma,
                None,
            )
            .detail(
                "exponent of the exact discrete-time formula (same fit)",
                self.exact_slope,
                None,
            )
            .detail(
                "σ distance of the exponent from the exact discrete-time one",
                (self.slope - self.exact_slope).abs() / self.slope_sigma,
                None,
            )
            .figure(self.figure());
        for (v, p) in self.params.values.iter().zip(&self.points) {
            ev = ev.detail(
                format!("T_L at {name} = {v} (± {:.1e})", p.sem),
                p.measured,
                Some(p.exact),
            );
        }
        ev
    }
}

fn scaling_gamma(ctx: &RunContext) -> CheckResult {
    let s = scan(ctx, true)?;
    // THEORY.md N-1: "scaling exponents of T_L in γ and M: 1 and -1, ±0.02".
    Ok(s.evidence(
        "fitted exponent of T_L in γ".into(),
        1.0,
        Criterion::AbsDiff(0.02),
        1.0,
    )
    .into())
}

fn scaling_gamma_exact(ctx: &RunContext) -> CheckResult {
    let s = scan(ctx, true)?;
    let expected = s.exact_slope;
    Ok(s.evidence(
        "fitted exponent of T_L in γ against the exact discrete-time exponent".into(),
        expected,
        Criterion::Sigmas(3.0),
        1.0,
    )
    .into())
}

fn scaling_batch(ctx: &RunContext) -> CheckResult {
    let s = scan(ctx, false)?;
    // THEORY.md N-1: "scaling exponents of T_L in γ and M: 1 and -1, ±0.02".
    Ok(s.evidence(
        "fitted exponent of T_L in M".into(),
        -1.0,
        Criterion::AbsDiff(0.02),
        -1.0,
    )
    .into())
}

/// Parameters of the N-1 grid comparison.
#[derive(Debug, Clone, Serialize)]
struct GridParams {
    gammas: Vec<f64>,
    batches: Vec<usize>,
    replicas: usize,
    sub_ensembles: usize,
}

fn stationary_covariance(ctx: &RunContext) -> CheckResult {
    let problem = n1_problem()?;
    let p = GridParams {
        gammas: ctx.pick(vec![0.02, 0.05], vec![0.005, 0.01, 0.02, 0.05]),
        batches: ctx.pick(vec![1, 4], vec![1, 4, 16, 64]),
        replicas: 10_000,
        sub_ensembles: SUB_ENSEMBLES,
    };
    let mut points = Vec::new();
    let mut stream = 0;
    for &batch in &p.batches {
        for &gamma in &p.gammas {
            points.push(measured_temperature(
                ctx, stream, &problem, gamma, batch, p.replicas,
            )?);
            stream += 1;
        }
    }
    let worst = points.iter().map(|t| t.z().abs()).fold(0.0, f64::max);
    // THEORY.md N-1: "Pass: exact formula within 3σ".
    let mut ev = Evidence::new(
        "worst |z| of the measured T_L against the exact discrete-time covariance over the grid",
        worst,
        0.0,
        Criterion::Sigmas(3.0),
    )
    .with_uncertainty(1.0)
    .params_from(&p);
    let worst_leading = points
        .iter()
        .map(|t| (t.measured - t.leading).abs() / t.leading)
        .fold(0.0, f64::max);
    for t in &points {
        ev = ev.detail(
            format!("T_L at γ = {}, M = {} (z = {:.2})", t.gamma, t.batch, t.z()),
            t.measured,
            Some(t.exact),
        );
    }
    ev = ev.detail(
        "worst relative gap to the leading order γs²/2M (O(γλ_max))",
        worst_leading,
        None,
    );
    Ok(ev.into())
}

// ---------------------------------------------------------------------------------------------------
// N-2

/// Gaussian entropy $\tfrac12\ln\det(2\pi e P)$ of a covariance.
fn gaussian_entropy(c: &DMatrix<f64>) -> f64 {
    let k = c.nrows() as i32;
    0.5 * (c.determinant() * (2.0 * std::f64::consts::PI * std::f64::consts::E).powi(k)).ln()
}

/// Exact covariance P(t) of online SGD for t = 0..=horizon (moment map), from mean `e0` (relative to
/// q*) and covariance `p0`.
fn exact_covariances(
    problem: &TeacherStudent,
    gamma: f64,
    batch: usize,
    e0: &DVector<f64>,
    p0: &DMatrix<f64>,
    horizon: usize,
) -> Vec<DMatrix<f64>> {
    let mut mean = e0.clone();
    let mut second = p0 + &mean * mean.transpose();
    let mut out = Vec::with_capacity(horizon + 1);
    for _ in 0..=horizon {
        out.push(&second - &mean * mean.transpose());
        let (m2, s2) = problem.moment_step(gamma, batch, &mean, &second);
        mean = m2;
        second = s2;
    }
    out
}

/// The start of the N-2 relaxation: mean q* + 3σ, covariance `width` × P_stat (diagonal part).
fn n2_start(p_stat: &DMatrix<f64>, width: f64) -> (DVector<f64>, DMatrix<f64>) {
    let sd = [p_stat[(0, 0)].sqrt(), p_stat[(1, 1)].sqrt()];
    let e0 = DVector::from_vec(vec![3.0 * sd[0], 3.0 * sd[1]]);
    let p0 = DMatrix::from_diagonal(&DVector::from_vec(vec![
        width * sd[0] * sd[0],
        width * sd[1] * sd[1],
    ]));
    (e0, p0)
}

/// Parameters of the N-2 relaxation.
#[derive(Debug, Clone, Serialize)]
struct RelaxParams {
    gamma: f64,
    #[serde(rename = "M")]
    batch: usize,
    /// Initial covariance in units of P_stat (diagonal part).
    width: f64,
    /// Initial displacement of the mean, in stationary standard deviations.
    displacement_sigmas: f64,
    /// Independent sub-ensembles (the error of each rate is their scatter).
    sub_ensembles: usize,
    replicas_per_sub_ensemble: usize,
    /// Last logged step: three slow relaxation times 1/(γ λ_min).
    horizon: usize,
}

/// One N-2 relaxation: the measured rates at the logged times, with the N2.8 and exact rates.
struct Relaxation {
    params: RelaxParams,
    /// Logged steps.
    logs: Vec<usize>,
    /// Per sub-ensemble Gaussian entropies at the logged steps.
    entropies: Vec<Vec<f64>>,
    /// Per sub-ensemble covariances at the logged steps.
    covariances: Vec<Vec<DMatrix<f64>>>,
    /// Exact P(t) for t = 0..=horizon.
    exact: Vec<DMatrix<f64>>,
    /// Rates at the interior logged times (centred differences).
    ts: Vec<f64>,
    rate: Vec<f64>,
    rate_err: Vec<f64>,
    exact_rate: Vec<f64>,
    production: Vec<f64>,
    destruction: Vec<f64>,
}

fn relaxation(ctx: &RunContext) -> Result<Relaxation, CheckError> {
    let problem = n1_problem()?;
    let params = RelaxParams {
        gamma: 0.02,
        batch: 4,
        width: 0.3,
        displacement_sigmas: 3.0,
        sub_ensembles: 40,
        replicas_per_sub_ensemble: ctx.pick(500usize, 5_000),
        horizon: 600,
    };
    let (gamma, batch, horizon) = (params.gamma, params.batch, params.horizon);
    // Dense logs early, where S(t) changes fastest, so the centred difference has a negligible O(h²) error.
    let logs: Vec<usize> = (0..=horizon)
        .filter(|t| (*t < 100 && t % 2 == 0) || t % 20 == 0)
        .collect();
    let p_stat = problem.stationary_covariance(gamma, batch)?;
    let (e0, p0) = n2_start(&p_stat, params.width);
    let exact = exact_covariances(&problem, gamma, batch, &e0, &p0, horizon);
    let qs = problem.teacher().to_vec();
    let sgd = TeacherStudentSgd::online(problem.clone(), SgdConfig::new(gamma, batch)?)?;
    let mut entropies: Vec<Vec<f64>> = Vec::new();
    let mut covariances: Vec<Vec<DMatrix<f64>>> = Vec::new();
    for b in 0..params.sub_ensembles {
        let mut ens = Ensemble::new(
            &sgd,
            params.replicas_per_sub_ensemble,
            ctx.substream(b as u64),
            |_, rng, q| {
                for i in 0..2 {
                    let z: f64 = StandardNormal.sample(rng);
                    q[i] = qs[i] + e0[i] + p0[(i, i)].sqrt() * z;
                }
            },
        )?;
        let rec = ens.run(&sgd, &logs)?;
        entropies.push(rec.moments.iter().map(|m| m.gaussian_entropy()).collect());
        covariances.push(rec.moments.iter().map(|m| m.covariance_matrix()).collect());
    }
    let mut r = Relaxation {
        params,
        logs: logs.clone(),
        entropies,
        covariances,
        exact,
        ts: vec![],
        rate: vec![],
        rate_err: vec![],
        exact_rate: vec![],
        production: vec![],
        destruction: vec![],
    };
    for j in 1..logs.len() - 1 {
        let h = (logs[j + 1] - logs[j - 1]) as f64;
        let per: Vec<f64> = r.entropies.iter().map(|s| (s[j + 1] - s[j - 1]) / h).collect();
        let (m, err) = mean_and_sem(&per);
        let ex = (gaussian_entropy(&r.exact[logs[j + 1]]) - gaussian_entropy(&r.exact[logs[j - 1]])) / h;
        let (pr, de) = problem.entropy_balance(gamma, batch, &r.exact[logs[j]])?;
        r.ts.push(logs[j] as f64);
        r.rate.push(m);
        r.rate_err.push(err);
        r.exact_rate.push(ex);
        r.production.push(pr);
        r.destruction.push(de);
    }
    Ok(r)
}

impl Relaxation {
    fn n28(&self) -> Vec<f64> {
        self.production
            .iter()
            .zip(&self.destruction)
            .map(|(a, b)| a - b)
            .collect()
    }

    /// Worst |z| of the measured rate against `predicted`, and the index where it occurs.
    fn worst_z(&self, predicted: &[f64]) -> (f64, usize) {
        self.rate
            .iter()
            .zip(predicted)
            .zip(&self.rate_err)
            .map(|((m, p), e)| ((m - p) / e).abs())
            .enumerate()
            .fold((0.0, 0), |acc, (i, z)| if z > acc.0 { (z, i) } else { acc })
    }

    fn figure(&self) -> Figure {
        Figure::new(
            "N-2: entropy production vs destruction in an SGD ensemble",
            "learning step t",
            "rate per step",
        )
        .markers(
            "measured dS/dt (40 sub-ensembles)",
            self.ts.clone(),
            self.rate.clone(),
        )
        .line(
            "exact discrete-time dS/dt (moment map)",
            self.ts.clone(),
            self.exact_rate.clone(),
        )
        .line(
            "production tr(D P⁻¹) (N2.8)",
            self.ts.clone(),
            self.production.clone(),
        )
        .line(
            "destruction γ tr Σ (N2.8)",
            self.ts.clone(),
            self.destruction.clone(),
        )
        .line("production - destruction (N2.8)", self.ts.clone(), self.n28())
    }

    fn rows(&self, ev: Evidence) -> Evidence {
        let last = self.ts.len() - 1;
        let net = self.n28();
        ev.params_from(&self.params)
            .detail(
                format!("measured dS/dt at t = {}", self.ts[0]),
                self.rate[0],
                Some(self.exact_rate[0]),
            )
            .detail(
                format!("N2.8 production - destruction at t = {}", self.ts[0]),
                net[0],
                Some(self.exact_rate[0]),
            )
            .detail(
                format!("production / destruction at t = {}", self.ts[0]),
                self.production[0] / self.destruction[0],
                None,
            )
            .detail(
                format!("measured dS/dt at t = {}", self.ts[last]),
                self.rate[last],
                Some(0.0),
            )
            .detail("one-sigma error of the late-time rate", self.rate_err[last], None)
            .detail(
                format!("production / destruction at t = {}", self.ts[last]),
                self.production[last] / self.destruction[last],
                Some(1.0),
            )
            .figure(self.figure())
    }
}

fn entropy_balance(ctx: &RunContext) -> CheckResult {
    let r = relaxation(ctx)?;
    let net = r.n28();
    let (worst, at) = r.worst_z(&net);
    let (worst_exact, _) = r.worst_z(&r.exact_rate);
    let rel_gap = r
        .exact_rate
        .iter()
        .zip(&net)
        .zip(&r.production)
        .map(|((e, n), p)| (e - n).abs() / p)
        .fold(0.0, f64::max);
    // THEORY.md N-2: "within 3σ at every logged time".
    let ev = Evidence::new(
        "worst |z| of measured dS/dt against N2.8 tr(D P⁻¹) - γ tr Σ over logged times",
        worst,
        0.0,
        Criterion::Sigmas(3.0),
    )
    .with_uncertainty(1.0)
    .detail("t of the worst |z| (measured vs N2.8)", r.ts[at], None)
    .detail(
        format!("measured dS/dt at t = {}", r.ts[at]),
        r.rate[at],
        Some(net[at]),
    )
    .detail(
        "worst |z| against the exact moment-map rate (see _exact)",
        worst_exact,
        None,
    )
    .detail(
        "max |exact rate - N2.8| / production over the relaxation",
        rel_gap,
        None,
    )
    .note(
        "N2.8 is the continuum, leading-order-D rate; SGD follows the exact discrete-time rate, from \
         which N2.8 differs by O(γ) (paper.sgd.entropy_balance_exact, _continuum)",
    );
    Ok(r.rows(ev).into())
}

fn entropy_balance_exact(ctx: &RunContext) -> CheckResult {
    let r = relaxation(ctx)?;
    let (worst, at) = r.worst_z(&r.exact_rate);
    // ~60 logged times: the worst of them is judged at 5σ so that the max-over-times statistic of a
    // correct model does not flake.
    let ev = Evidence::new(
        "worst |z| of measured dS/dt against the exact SGD rate (moment map) over logged times",
        worst,
        0.0,
        Criterion::Sigmas(5.0),
    )
    .with_uncertainty(1.0)
    .detail("t of the worst |z|", r.ts[at], None);
    Ok(r.rows(ev).into())
}

fn entropy_balance_late(ctx: &RunContext) -> CheckResult {
    let r = relaxation(ctx)?;
    let problem = n1_problem()?;
    let (gamma, batch) = (r.params.gamma, r.params.batch);
    // The late window: the last sixth of the relaxation (t ≥ 5/2 slow relaxation times).
    let horizon = r.params.horizon;
    let start = horizon - horizon / 6;
    let ja = r
        .logs
        .iter()
        .position(|&t| t >= start)
        .ok_or_else(|| CheckError::msg("no logged time in the late window"))?;
    let jb = r.logs.len() - 1;
    // N2.8 net rate tr(D P⁻¹) - γ tr Σ on each sub-ensemble's measured covariance, averaged over the
    // window. P̂⁻¹ is biased by (n-1)/(n-K-2) for n Gaussian samples: P̂ is rescaled by that factor.
    let n = r.params.replicas_per_sub_ensemble as f64;
    let k = 2.0;
    let unbias = (n - 1.0) / (n - k - 2.0);
    let (mut nets, mut ratios) = (Vec::new(), Vec::new());
    for covs in &r.covariances {
        let (mut net, mut ratio) = (0.0, 0.0);
        for c in &covs[ja..=jb] {
            let (pr, de) = problem.entropy_balance(gamma, batch, &(c * unbias))?;
            net += pr - de;
            ratio += pr / de;
        }
        let w = (jb - ja + 1) as f64;
        nets.push(net / w);
        ratios.push(ratio / w);
    }
    let (net, net_err) = mean_and_sem(&nets);
    let (ratio, ratio_err) = mean_and_sem(&ratios);
    // The measured entropy rate over the same window, per sub-ensemble: (S(T) - S(T_a)) / (T - T_a).
    let span = (r.logs[jb] - r.logs[ja]) as f64;
    let per: Vec<f64> = r.entropies.iter().map(|s| (s[jb] - s[ja]) / span).collect();
    let (rate, rate_err) = mean_and_sem(&per);
    let exact_rate = (gaussian_entropy(&r.exact[r.logs[jb]]) - gaussian_entropy(&r.exact[r.logs[ja]])) / span;
    let (pr_x, de_x) = problem.entropy_balance(gamma, batch, &r.exact[r.logs[jb]])?;
    let p_stat = problem.stationary_covariance(gamma, batch)?;
    let (pr_s, de_s) = problem.entropy_balance(gamma, batch, &p_stat)?;
    // THEORY.md N-2: "both terms → equal magnitude as t → ∞; net → 0 ± error"; the band of N-2, 3σ.
    let ev = Evidence::new(
        format!(
            "N2.8 net rate tr(D P⁻¹) - γ tr Σ on the measured covariance, mean over t ∈ [{}, {}]",
            r.logs[ja], r.logs[jb]
        ),
        net,
        0.0,
        Criterion::Sigmas(3.0),
    )
    .with_uncertainty(net_err)
    .detail(
        "production / destruction on the measured covariance (± below)",
        ratio,
        Some(1.0),
    )
    .detail("one-sigma error of production / destruction", ratio_err, None)
    .detail(
        format!("N2.8 net on the exact P(t = {})", r.logs[jb]),
        pr_x - de_x,
        Some(0.0),
    )
    .detail(
        "N2.8 net on the exact stationary P (t → ∞)",
        pr_s - de_s,
        Some(0.0),
    )
    .detail(
        "production / destruction on the exact stationary P",
        pr_s / de_s,
        Some(1.0),
    )
    .detail("measured mean dS/dt over the window", rate, Some(exact_rate))
    .detail("one-sigma error of the measured mean dS/dt", rate_err, None)
    .detail(
        "exact moment-map mean dS/dt over the window",
        exact_rate,
        Some(0.0),
    )
    .note(
        "at learning equilibrium dS/dt → 0 (measured), but the two N2.8 terms with the leading-order D \
         balance only to O(γ): on the exact stationary covariance production/destruction ≠ 1",
    );
    Ok(r.rows(ev).into())
}

/// N-2 in the continuum limit: the N2.8 rate approaches the exact SGD entropy rate as γ → 0.
fn entropy_balance_continuum(_ctx: &RunContext) -> CheckResult {
    let problem = n1_problem()?;
    let (batch, width) = (4, 0.3);
    let gammas = [0.04, 0.02, 0.01, 0.005];
    let mut study = Study::new(
        "N-2: N2.8 against the exact SGD entropy rate",
        "γ",
        "max |dS/dt - (prod - destr)| / prod",
    );
    for &gamma in &gammas {
        let p_stat = problem.stationary_covariance(gamma, batch)?;
        let (e0, p0) = n2_start(&p_stat, width);
        // Three slow relaxation times, in steps.
        let horizon = (3.0 / (gamma * 0.25)).ceil() as usize;
        let exact = exact_covariances(&problem, gamma, batch, &e0, &p0, horizon);
        let mut worst = 0.0_f64;
        for t in 1..horizon {
            let ex = 0.5 * (gaussian_entropy(&exact[t + 1]) - gaussian_entropy(&exact[t - 1]));
            let (pr, de) = problem.entropy_balance(gamma, batch, &exact[t])?;
            worst = worst.max((ex - (pr - de)).abs() / pr);
        }
        study.push(gamma, worst);
    }
    let mut ev = Evidence::new(
        "max relative gap between N2.8 and the exact SGD rate at γ = 0.005",
        study.finest_error(),
        0.02,
        Criterion::AtMost,
    )
    .with_order(study.order(1.0, 0.2))
    .param("M", batch)
    .param("gammas", gammas)
    .param("start", "mean q* + 3σ, covariance 0.3 P_stat")
    .figure(study.figure(1.0));
    ev.details.extend(study.details());
    Ok(ev.into())
}

/// N-3: the stationary current of SGD with and without anisotropic injected noise.
fn detailed_balance(ctx: &RunContext) -> CheckResult {
    let (gamma, batch) = (0.1, 4);
    let replicas = ctx.pick(20_000usize, 200_000);
    let samples = ctx.pick(20usize, 40);
    let angle = 30f64.to_radians();
    let (c, s) = (angle.cos(), angle.sin());
    let rot = DMatrix::from_row_slice(2, 2, &[c, -s, s, c]);
    let cinj = &rot * DMatrix::from_row_slice(2, 2, &[0.1, 0.0, 0.0, 0.01]) * rot.transpose();
    let base = n1_problem()?;
    let injected = base.clone().with_injected_noise(cinj.as_slice())?;
    let mut rows = Vec::new();
    for (idx, problem) in [injected, base].iter().enumerate() {
        let sgd = TeacherStudentSgd::online(problem.clone(), SgdConfig::new(gamma, batch)?)?;
        let qs = problem.teacher().to_vec();
        let mut ens = Ensemble::new(&sgd, replicas, ctx.substream(idx as u64), |_, _, q| {
            q.copy_from_slice(&qs)
        })?;
        let tau = (1.0 / (gamma * 0.25)).ceil() as usize;
        ens.advance(&sgd, 6 * tau)?;
        let (mut sum, mut sum2, mut n) = (0.0, 0.0, 0.0);
        for _ in 0..samples {
            let before = ens.states().to_vec();
            ens.advance(&sgd, 1)?;
            let after = ens.states();
            for (b, a) in before.chunks_exact(2).zip(after.chunks_exact(2)) {
                let e0 = [b[0] - qs[0], b[1] - qs[1]];
                let e1 = [a[0] - qs[0], a[1] - qs[1]];
                // Antisymmetric part (01 minus 10) of e_t e_{t+1}^T, halved.
                let l = 0.5 * (e0[0] * e1[1] - e0[1] * e1[0]);
                sum += l;
                sum2 += l * l;
                n += 1.0;
            }
            ens.advance(&sgd, tau)?;
        }
        let mean = sum / n;
        let sigma = ((sum2 / n - mean * mean) / n).sqrt();
        let p = problem.stationary_covariance(gamma, batch)?;
        let sig = problem.input_covariance();
        let comm = (sig * &p - &p * sig) * gamma;
        // <e_t e_{t+1}^T> = P (1 - γΣ): antisymmetric part (01 - 10)/2 = γ (ΣP - PΣ)_{01} / 2 ... sign below.
        let predicted = 0.5
            * ((&p * (DMatrix::identity(2, 2) - sig * gamma))[(0, 1)]
                - (&p * (DMatrix::identity(2, 2) - sig * gamma))[(1, 0)]);
        let sym = 0.5 * (p[(0, 0)] + p[(1, 1)]);
        rows.push((mean, sigma, predicted, comm[(0, 1)], sym));
    }
    let (m, sg, pred, comm01, sym) = rows[0];
    let (m0, sg0, pred0, _, _) = rows[1];
    Ok(Evidence::new(
        "antisymmetric part of <e_t e_{t+1}ᵀ>, injected noise",
        m,
        pred,
        Criterion::Sigmas(4.0),
    )
    .with_uncertainty(sg)
    .param("gamma", gamma)
    .param("M", batch)
    .param("replicas", replicas)
    .param("samples_per_replica", samples)
    .param("C_inj", "R(30°) diag(0.1, 0.01) R(30°)ᵀ")
    .detail(
        "significance of the current |J|/σ (injected)",
        (m / sg).abs(),
        None,
    )
    .detail("γ[Σ, P]_01 (exact)", comm01, None)
    .detail(
        "antisymmetric / symmetric part of the correlation (injected)",
        (m / sym).abs(),
        None,
    )
    .detail("control, label noise only: antisymmetric part", m0, Some(pred0))
    .detail("control |z| against zero", (m0 / sg0).abs(), Some(0.0))
    .note(format!(
        "injected anisotropic noise drives a current at {:.1}σ, matching γ[Σ,P]; label noise alone gives \
             {:.1}σ (detailed balance holds there)",
        (m / sg).abs(),
        (m0 / sg0).abs()
    ))
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_discrete_time_exponent_in_gamma() {
        // The 2×2 diagonal Isserlis system solved by hand (independently of nqg-network) gives the
        // exponent 1.0157265 for M = 2, γ ∈ {0.005, 0.01, 0.02, 0.05}.
        let problem = n1_problem().unwrap();
        let g = [0.005, 0.01, 0.02, 0.05];
        let t: Vec<f64> = g
            .iter()
            .map(|&gamma| problem.stationary_covariance(gamma, 2).unwrap().trace() / 2.0)
            .collect();
        let (s, _) = loglog_slope(&g, &t, &[0.01; 4]).unwrap();
        assert!((s - 1.015_726_5).abs() < 1e-6, "{s}");
    }

    #[test]
    fn n2_start_is_displaced_by_three_sigma() {
        let p = DMatrix::from_diagonal(&DVector::from_vec(vec![4.0, 1.0]));
        let (e0, p0) = n2_start(&p, 0.3);
        assert_eq!((e0[0], e0[1]), (6.0, 3.0));
        assert!((p0[(0, 0)] - 1.2).abs() < 1e-15 && (p0[(1, 1)] - 0.3).abs() < 1e-15);
        assert_eq!(p0[(0, 1)], 0.0);
    }
}
