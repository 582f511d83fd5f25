//! E0.2, the curl obstruction: does the stationary state of a learning network admit a Madelung phase?
//!
//! With the scalar mass of the dictionary (N3.7), a Madelung velocity is a gradient,
//! $v = 2\gamma\,\partial_q\tilde F$, so its curl vanishes. In the stationary state of online SGD on the
//! teacher-student problem of N-1/N-3 the current velocity is linear, $v(e) = Be$ with
//! $B = \Omega P^{-1}$ and $\Omega = \langle v\,e^T\rangle = -\tfrac\gamma2[\Sigma, P]$
//! ([`nqg_network::learning::TeacherStudent::stationary_velocity`]); $\Omega$ is the antisymmetric part of
//! the lag-one correlation $\langle e_{t+1}e_t^T\rangle$, which the ensemble measures directly. In two
//! dimensions, with $\Omega = \omega\,\epsilon$, the curl is
//! $$\partial_1 v_2 - \partial_2 v_1 = B_{10} - B_{01} = \omega\,\mathrm{tr}\,P^{-1}.$$
//! With anisotropic injected noise ($\Sigma C \ne C\Sigma$, N-3) the curl is non-zero and no phase
//! $\tilde F$ exists: the Madelung form with a scalar mass is refuted for that network. With label noise
//! alone ($P$ commutes with $\Sigma$: detailed balance) the curl vanishes, a necessary condition only.

use nalgebra::DMatrix;
use nqg_network::ensemble::Ensemble;
use nqg_network::learning::{SgdConfig, TeacherStudent, TeacherStudentSgd, ornstein_uhlenbeck_stationary};
use serde::Serialize;

use crate::{CheckResult, Criterion, Evidence, Provenance, Registry, Role, RunContext};

/// Register E0.2.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "e2e.madelung",
        "Claim 1 from a network: the stationary velocity J/p of a learning network is a gradient, as a \
         Madelung phase with the scalar mass of (N3.7) requires (E0.2)",
        Provenance::Reconstruction,
    )
    .check(
        "e2e.madelung.curl_obstruction",
        "E0.2: online SGD on the N-3 teacher-student network with anisotropic injected noise \
         (C = R(30°) diag(0.1, 0.01) R(30°)ᵀ, γ = 0.1, M = 4): the curl of the stationary velocity J/p, \
         measured from the replica ensemble's lag-one correlation, is zero as a Madelung phase requires",
        Role::EndToEnd,
        curl_obstruction,
    )
    .theory("E0.2")
    .check(
        "e2e.madelung.curl_control",
        "E0.2 control (a necessary condition only, so a premise): with label noise alone (detailed balance) \
         the curl of the stationary velocity of the same network is zero",
        Role::Premise,
        curl_control,
    )
    .theory("E0.2");
}

/// Parameters of the E0.2 runs.
#[derive(Debug, Clone, Serialize)]
struct CurlParams {
    /// SGD step γ.
    gamma: f64,
    /// Mini-batch M.
    batch: usize,
    /// Independent replicas.
    replicas: usize,
    /// Lag-one samples per replica, one relaxation time apart.
    samples: usize,
    /// Injected noise covariance (row-major), zero for the control.
    injected: Vec<f64>,
    /// Input covariance Σ (row-major).
    sigma: Vec<f64>,
    /// Label noise s.
    label_noise: f64,
}

/// What one E0.2 run measured.
struct Curl {
    /// ω = Ω_10 measured, and its one-sigma error (from the scatter of the replicas' means).
    omega: (f64, f64),
    /// tr P⁻¹ of the ensemble covariance.
    tr_p_inv: f64,
    /// tr P of the ensemble covariance.
    tr_p: f64,
    /// Exact discrete-time curl B_10 - B_01 from the moment map.
    exact: f64,
    /// Continuum Ornstein-Uhlenbeck curl with the leading-order D.
    continuum: f64,
}

fn measure(ctx: &RunContext, p: &CurlParams) -> Result<Curl, crate::CheckError> {
    let problem =
        TeacherStudent::new(vec![1.0, -0.5], &p.sigma, p.label_noise)?.with_injected_noise(&p.injected)?;
    let sgd = TeacherStudentSgd::online(problem.clone(), SgdConfig::new(p.gamma, p.batch))?;
    let qs = problem.teacher().to_vec();
    let mut ens = Ensemble::new(&sgd, p.replicas, ctx.substream(0), |_, _, q| {
        q.copy_from_slice(&qs)
    })?;
    let lambda_min = 0.25;
    let tau = (1.0 / (p.gamma * lambda_min)).ceil() as usize;
    ens.advance(&sgd, 8 * tau)?;
    // Per replica: the mean over its samples of (e1[1] e0[0] - e1[0] e0[1]) / 2, i.e. Ω_10; replicas are
    // independent, so the standard error comes from the scatter of these means. P from the same states.
    let mut per_replica = vec![0.0; p.replicas];
    let (mut s00, mut s01, mut s11, mut n) = (0.0, 0.0, 0.0, 0.0);
    for _ in 0..p.samples {
        let before = ens.states().to_vec();
        ens.advance(&sgd, 1)?;
        for (r, (b, a)) in before
            .chunks_exact(2)
            .zip(ens.states().chunks_exact(2))
            .enumerate()
        {
            let e0 = [b[0] - qs[0], b[1] - qs[1]];
            let e1 = [a[0] - qs[0], a[1] - qs[1]];
            per_replica[r] += 0.5 * (e1[1] * e0[0] - e1[0] * e0[1]) / p.samples as f64;
            s00 += e0[0] * e0[0];
            s01 += e0[0] * e0[1];
            s11 += e0[1] * e0[1];
            n += 1.0;
        }
        ens.advance(&sgd, tau)?;
    }
    let r = p.replicas as f64;
    let mean = per_replica.iter().sum::<f64>() / r;
    let var = per_replica.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (r - 1.0);
    let pm = DMatrix::from_row_slice(2, 2, &[s00 / n, s01 / n, s01 / n, s11 / n]);
    let p_inv = pm
        .clone()
        .try_inverse()
        .ok_or_else(|| crate::CheckError::msg("singular ensemble covariance"))?;
    let b = problem.stationary_velocity(p.gamma, p.batch)?;
    let sigma = problem.input_covariance().clone();
    let d = (&sigma * (p.label_noise * p.label_noise / p.batch as f64) + problem.injected_covariance())
        * (0.5 * p.gamma * p.gamma);
    let (_, ou) = ornstein_uhlenbeck_stationary(&(sigma * p.gamma), &d)?;
    Ok(Curl {
        omega: (mean, (var / r).sqrt()),
        tr_p_inv: p_inv.trace(),
        tr_p: pm.trace(),
        exact: b[(1, 0)] - b[(0, 1)],
        continuum: ou[(1, 0)] - ou[(0, 1)],
    })
}

fn params(ctx: &RunContext, injected: Vec<f64>) -> CurlParams {
    CurlParams {
        gamma: 0.1,
        batch: 4,
        replicas: ctx.pick(20_000, 200_000),
        samples: ctx.pick(20, 40),
        injected,
        sigma: vec![1.0, 0.0, 0.0, 0.25],
        label_noise: 0.5,
    }
}

fn evidence(c: &Curl, p: &CurlParams, quantity: &str) -> Evidence {
    let curl = c.omega.0 * c.tr_p_inv;
    // The error of tr P⁻¹ (relative ~ 1/sqrt(samples)) is far below that of ω and is neglected.
    let sigma = c.omega.1 * c.tr_p_inv;
    Evidence::new(quantity, curl, 0.0, Criterion::Sigmas(4.0))
        .with_uncertainty(sigma)
        .params_from(p)
        .detail("curl / σ", curl / sigma, None)
        .detail("exact curl B_10 - B_01 of the discrete-time chain", c.exact, None)
        .detail(
            "continuum Ornstein-Uhlenbeck curl (leading-order D)",
            c.continuum,
            None,
        )
}

/// The curl in units of $|v|_\text{rms}/\ell$: for a purely rotational $v = \omega\,\epsilon P^{-1}e$ it is
/// $\sqrt{\mathrm{tr}P\,\mathrm{tr}P^{-1}} \ge 2$, i.e. the stationary velocity has no gradient part at all.
fn in_flow_units(c: &Curl) -> f64 {
    let curl = c.omega.0 * c.tr_p_inv;
    let v_rms = c.omega.0.abs() * c.tr_p_inv.sqrt();
    curl * c.tr_p.sqrt() / v_rms.max(1e-300)
}

fn curl_obstruction(ctx: &RunContext) -> CheckResult {
    let (c, s) = (30f64.to_radians().cos(), 30f64.to_radians().sin());
    let rot = DMatrix::from_row_slice(2, 2, &[c, -s, s, c]);
    let cinj = &rot * DMatrix::from_row_slice(2, 2, &[0.1, 0.0, 0.0, 0.01]) * rot.transpose();
    let p = params(ctx, cinj.as_slice().to_vec());
    let m = measure(ctx, &p)?;
    let curl = m.omega.0 * m.tr_p_inv;
    Ok(evidence(
        &m,
        &p,
        "curl of the stationary velocity J/p (anisotropic injected noise)",
    )
    .detail(
        "curl in units of |v|_rms / ℓ, ℓ = sqrt(tr P)",
        in_flow_units(&m),
        None,
    )
    .note(format!(
        "the stationary velocity is rotational ({:.1}σ from zero; exact {:.3e}): no phase F̃ with a \
             scalar mass exists, so the Madelung form fails for this network",
        (curl / (m.omega.1 * m.tr_p_inv)).abs(),
        m.exact
    ))
    .into())
}

fn curl_control(ctx: &RunContext) -> CheckResult {
    let p = params(ctx, vec![0.0; 4]);
    let m = measure(ctx, &p)?;
    Ok(evidence(&m, &p, "curl of the stationary velocity J/p (label noise only)").into())
}
