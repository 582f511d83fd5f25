//! E-3b: the learned coupling profile around a persistent excitation in a 3D lattice, and its fits.
//! Run: `cargo run --release -p nqg-network --example newtonian_limit`.

use nqg_network::lattice3d::{NewtonianConfig, ProfileModel, fit_profile, run_newtonian};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cfg = NewtonianConfig {
        n: 32,
        courant: 0.1f64.sqrt(),
        damping: 0.05,
        source_width: 1.0,
        frequency: 0.2,
        amplitudes: vec![2.4, 4.8],
        noise: 1.0,
        gamma: 2e-4,
        w0: 2.0 / 7.0,
        burn_in: 1500,
        batches: 10,
        batch_len: 1000,
        seed: 1,
    };
    let t = std::time::Instant::now();
    let run = run_newtonian(&cfg)?;
    println!(
        "run: {:.1} s, energy per a^2 = {:.4}",
        t.elapsed().as_secs_f64(),
        run.energy_per_amplitude2
    );
    let k = run.profiles[0].len() as f64;
    let nshell = run.shell_r.len();
    for s in 1..run.profiles.len() {
        // h00 = -δw / w_vac per batch, then mean and batch-mean error.
        let mut r = vec![];
        let mut h = vec![];
        let mut e = vec![];
        for sh in 3..nshell - 1 {
            let vals: Vec<f64> = (0..run.profiles[s].len())
                .map(|b| -(run.profiles[s][b][sh] - run.profiles[0][b][sh]) / run.profiles[0][b][sh])
                .collect();
            let m = vals.iter().sum::<f64>() / k;
            let v = vals.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (k - 1.0);
            r.push(run.shell_r[sh]);
            h.push(m);
            e.push((v / k).sqrt());
            println!(
                "a={} r={:.2} h00={:.3e} ± {:.1e}  S={:.3e}",
                cfg.amplitudes[s - 1],
                run.shell_r[sh],
                m,
                (v / k).sqrt(),
                run.signal[sh]
            );
        }
        for model in [
            ProfileModel::Newtonian {
                volume: 32f64.powi(3),
            },
            ProfileModel::Yukawa,
            ProfileModel::Contact,
        ] {
            let f = fit_profile(model, &r, &h, &e)?;
            println!(
                "  {}: A = {:.3e} ± {:.1e}, λ = {:.2}, χ²/dof = {:.2}, AIC = {:.1}",
                f.model,
                f.amplitude,
                f.amplitude_err,
                f.range,
                f.chi2 / f.dof as f64,
                f.aic
            );
        }
    }
    Ok(())
}
