//! Ensembles with user observables, started from a Fokker-Planck density on a grid.
//!
//! 1. OU $dX = -\theta X\\,dt + \sqrt{2D}\\,dW$ from its stationary law: the displacement variance
//!    $\langle (X_t - X_0)^2\rangle = 2(D/\theta)(1 - e^{-\theta t})$ (closed form) from one
//!    [`run_observed`] call, next to the exact Euler-Maruyama value.
//! 2. The double well $U = \Delta U (x^2 - 1)^2$: initial states drawn from the Fokker-Planck
//!    stationary state (inverse CDF), then evolved: the ensemble stays stationary, so
//!    $\langle x^2\rangle$ stays at the grid's value.
//!
//! Run with `cargo run --release -p nqg-thermo --example observables`.

use nqg_thermo::ensemble::EnsembleSpec;
use nqg_thermo::fp::{Boundary, FokkerPlanck1d, Grid1d};
use nqg_thermo::observe::{Observable, run_observed};
use nqg_thermo::rng::normal;
use nqg_thermo::sampling::DensitySampler1d;
use nqg_thermo::sde::Scheme;
use nqg_thermo::testcases::{DoubleWell, OuCase};

fn main() -> Result<(), nqg_thermo::ThermoError> {
    let ou = OuCase { theta: 1.0, d: 0.5 };
    let h = 0.005;
    let spec = EnsembleSpec {
        scheme: Scheme::EulerMaruyama,
        dt: h,
        steps: 400,
        members: 100_000,
        t0: 0.0,
        observe: vec![40, 100, 200, 400],
    };
    let sd0 = ou.em_stationary_variance(h).sqrt();
    let obs = [Observable::squared_displacement(1)?];
    let st = run_observed(&ou.sde()?, &spec, 1, |_, rng, x| x[0] = sd0 * normal(rng), &obs)?;
    let (msd, sem) = (st.mean_series(0, 0)?, st.sem_series(0, 0)?);
    println!("OU displacement variance, 1e5 members, h = {h}");
    println!(
        "{:>6} {:>12} {:>10} {:>12} {:>12}",
        "t", "ensemble", "sem", "EM exact", "closed form"
    );
    for (i, &t) in st.times.iter().enumerate() {
        let n = spec.observe[i];
        println!(
            "{t:>6.2} {:>12.6} {:>10.2e} {:>12.6} {:>12.6}",
            msd[i],
            sem[i],
            ou.em_stationary_displacement_variance(h, n),
            ou.stationary_displacement_variance(t)
        );
    }

    let w = DoubleWell { barrier: 1.0, d: 0.3 };
    let g = Grid1d::new(-2.5, 2.5, 500)?;
    let op = FokkerPlanck1d::from_potential(g, w.d, Boundary::Reflecting, |x| w.potential(x))?;
    let p = op.stationary()?;
    let (_, var_grid) = g.moments(&p)?;
    let sampler = DensitySampler1d::new(&g, &p)?;
    let spec = EnsembleSpec {
        scheme: Scheme::EulerMaruyama,
        dt: 1e-3,
        steps: 1000,
        members: 50_000,
        t0: 0.0,
        observe: vec![1, 1000],
    };
    let x2 = [Observable::new("x^2", 1, |x, _, o| o[0] = x[0] * x[0])?];
    let st = run_observed(&w, &spec, 2, |_, rng, x| x[0] = sampler.sample(rng), &x2)?;
    let (m, s) = (st.mean_series(0, 0)?, st.sem_series(0, 0)?);
    println!("\ndouble well (ΔU = 1, D = 0.3), 5e4 members drawn from the FP stationary state");
    println!("grid <x²> (mean ≈ 0) = {var_grid:.5}");
    for (i, &t) in st.times.iter().enumerate() {
        println!("t = {t:>5.3}: ensemble <x²> = {:.5} ± {:.5}", m[i], s[i]);
    }
    Ok(())
}
