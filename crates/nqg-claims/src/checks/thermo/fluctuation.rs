//! `thermo.fluctuation`: trajectory entropy production of a Langevin system (THEORY.md S-FP; ANCHORS.md
//! §C4).
//!
//! The total entropy production of a trajectory is the Sekimoto heat plus the Seifert system entropy,
//! $\Delta s_\text{tot} = \frac1T\int F\circ dx - \ln\frac{p(x_\tau, \tau)}{p(x_0, 0)}$. For an overdamped bead
//! in a harmonic trap dragged at speed $v$ (stiffness $k$, friction $\zeta$, temperature $T$), started in
//! its co-moving steady state:
//!
//! - integral fluctuation theorem $\langle e^{-\Delta s_\text{tot}}\rangle = 1$;
//! - production rate $\langle\Delta s_\text{tot}\rangle/\tau = \zeta v^2/T$.

use nqg_thermo::sde::Scheme;
use nqg_thermo::stochastic::{DraggedTrap, TrapStats};
use serde::Serialize;

use crate::{CheckError, CheckResult, Criterion, Evidence, Provenance, Registry, Role, RunContext};

/// Register `thermo.fluctuation`.
pub fn register(reg: &mut Registry) {
    reg.claim(
        "thermo.fluctuation",
        "Trajectory entropy production (Sekimoto heat + Seifert system entropy) obeys the integral fluctuation \
         theorem and the dragged-trap production rate",
        Provenance::Textbook,
    )
    .check(
        "thermo.fluctuation.integral_ft",
        "Dragged trap (k = zeta = T = v = 1, tau = 1, Heun dt = 1e-3, steady-state start): \
         <exp(-Delta s_tot)> against 1, in units of its standard error",
        Role::Solver,
        integral_ft,
    )
    .theory("S-FP")
    .check(
        "thermo.fluctuation.dragged_trap",
        "Same ensemble: <Delta s_tot>/tau against zeta v^2 / T = 1, in units of its standard error",
        Role::Solver,
        dragged_trap,
    )
    .theory("S-FP");
}

#[derive(Serialize)]
struct TrapParams {
    k: f64,
    friction: f64,
    temperature: f64,
    v: f64,
    dt: f64,
    steps: usize,
    members: usize,
    scheme: &'static str,
    sigmas: f64,
}

fn trap_run(ctx: &RunContext) -> Result<(TrapParams, DraggedTrap, TrapStats), CheckError> {
    let p = TrapParams {
        k: 1.0,
        friction: 1.0,
        temperature: 1.0,
        v: 1.0,
        dt: 1e-3,
        steps: 1000,
        members: ctx.pick(40_000, 400_000),
        scheme: "stochastic Heun, Stratonovich midpoint heat",
        sigmas: 4.0,
    };
    let trap = DraggedTrap {
        k: p.k,
        friction: p.friction,
        temperature: p.temperature,
        v: p.v,
    };
    let st = trap.simulate(Scheme::Heun, p.dt, p.steps, p.members, ctx.seed)?;
    Ok((p, trap, st))
}

fn integral_ft(ctx: &RunContext) -> CheckResult {
    let (p, _, st) = trap_run(ctx)?;
    let (m, se) = st.ift()?;
    Ok(
        Evidence::new("<exp(-Delta s_tot)>", m, 1.0, Criterion::Sigmas(p.sigmas))
            .with_uncertainty(se)
            .params_from(&p)
            .param("tau", st.tau)
            .detail("<Delta s_tot>", st.moments.mean()[0], Some(1.0))
            .detail("<Delta s_system>", st.moments.mean()[3], Some(0.0))
            .into(),
    )
}

fn dragged_trap(ctx: &RunContext) -> CheckResult {
    let (p, trap, st) = trap_run(ctx)?;
    let (r, se) = st.production_rate()?;
    let tur = st.tur_ratio();
    Ok(Evidence::new("<Delta s_tot> / tau", r, trap.production_rate(), Criterion::Sigmas(p.sigmas))
        .with_uncertainty(se)
        .params_from(&p)
        .param("tau", st.tau)
        .detail("medium entropy rate", st.moments.mean()[2] / st.tau, Some(1.0))
        .detail(
            "Var(J) <Sigma> / (2 <J>^2), J = x_tau - x_0 (time-dependent driving: steady-state TUR not applicable)",
            tur,
            None,
        )
        .detail("<J> = <x_tau - x_0>", st.moments.mean()[4], Some(trap.v * st.tau))
        .into())
}
