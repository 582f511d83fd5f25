//! nqg-thermo cases.

use nqg_thermo::ensemble::{EnsembleSpec, Moments, new_moments, run_ensemble};
use nqg_thermo::entropy::{gaussian_entropy, kl_divergence, knn_entropy, knn_weights, shannon};
use nqg_thermo::fp::{Boundary, FokkerPlanck1d, Grid1d, Method, Stepper1d, entropy_balance};
use nqg_thermo::fp2d::{FokkerPlanck2d, Stepper2d};
use nqg_thermo::gaussian::LinearGaussian;
use nqg_thermo::observe::Observable;
use nqg_thermo::passage::mean_first_passage_time;
use nqg_thermo::path_entropy::{CirculantChain, SecondOrderChain};
use nqg_thermo::rng::member_rng;
use nqg_thermo::sde::{BrownianPath, LinearOu, Scheme, Workspace, step};
use nqg_thermo::stochastic::{DraggedTrap, ou_stationary_covariance};
use nqg_thermo::tridiag::{CyclicTridiag, Tridiag};

use super::{B, BAD_POSITIVE, HUGE, INF, NAN, SPECIAL, accepted, er, finite, judge};
use crate::census::CaseResult;

const T: &str = "nqg-thermo";

fn grid(n: usize) -> Result<Grid1d, String> {
    Grid1d::new(-1.0, 1.0, n).map_err(er)
}

fn check_grid(g: Grid1d) -> CaseResult {
    let h = g.h();
    judge(
        h.is_finite() && h > 0.0 && g.centres().iter().all(|c| c.is_finite()),
        || format!("grid with cell width {h}"),
    )
}

/// A stationary state: finite and of unit mass.
fn check_stationary(op: &FokkerPlanck1d) -> CaseResult {
    let p = op.stationary().map_err(er)?;
    let m = op.grid().mass(&p);
    if !p.iter().all(|v| v.is_finite()) || (m - 1.0).abs() > 1e-8 {
        return Ok(super::Verdict::Silent(format!("stationary state with mass {m}")));
    }
    Ok(super::Verdict::Clean)
}

/// Three steps from the uniform density conserve its mass (reflecting walls).
fn check_steps(op: &FokkerPlanck1d, dt: f64, method: Method) -> CaseResult {
    let mut st = Stepper1d::new(op, dt, method).map_err(er)?;
    let mut p = vec![0.5; op.grid().n()];
    st.run(&mut p, 3).map_err(er)?;
    let m = op.grid().mass(&p);
    if !p.iter().all(|v| v.is_finite()) || (m - 1.0).abs() > 1e-9 {
        return Ok(super::Verdict::Silent(format!("mass {m} after three steps")));
    }
    Ok(super::Verdict::Clean)
}

fn ou2() -> Result<LinearOu, String> {
    LinearOu::new(vec![1.0, 0.0, 0.0, 1.0], 0.5, vec![0.0; 2], vec![0.0; 2]).map_err(er)
}

fn spec() -> EnsembleSpec {
    EnsembleSpec {
        scheme: Scheme::EulerMaruyama,
        dt: 0.01,
        steps: 10,
        members: 8,
        t0: 0.0,
        observe: vec![],
    }
}

fn run_spec(s: EnsembleSpec) -> CaseResult {
    let ou = ou2()?;
    let st = run_ensemble(&ou, &s, 1, |_, _, x| x.fill(0.1)).map_err(er)?;
    let ok = st.times.iter().all(|t| t.is_finite())
        && st.moments.iter().all(|m| {
            m.mean()
                .iter()
                .chain(m.covariance().iter())
                .all(|v| v.is_finite())
        });
    judge(ok, || "non-finite ensemble moments".into())
}

fn tri() -> Result<Tridiag, String> {
    Tridiag::new(&[0.0, -1.0, -1.0], &[2.0, 2.0, 2.0], &[-1.0, -1.0, 0.0]).map_err(er)
}

fn trap(k: f64) -> DraggedTrap {
    DraggedTrap {
        k,
        friction: 1.0,
        temperature: 1.0,
        v: 0.5,
    }
}

fn check_trap(t: DraggedTrap, dt: f64, members: usize) -> CaseResult {
    let s = t
        .simulate(Scheme::EulerMaruyama, dt, 20, members, 1)
        .map_err(er)?;
    let (r, e) = s.production_rate().map_err(er)?;
    finite("production rate", &[r, e, s.tau])
}

pub(super) fn thermo(b: &mut B) {
    grids(b);
    fokker_planck(b);
    tridiagonal(b);
    entropies(b);
    sde(b);
    ensembles(b);
    chains(b);
    passage_and_observables(b);
}

fn grids(b: &mut B) {
    b.f(T, "Grid1d::new(x_min, 1, 16): x_min", &SPECIAL, |v| {
        check_grid(Grid1d::new(v, 1.0, 16).map_err(er)?)
    });
    b.f(
        T,
        "Grid1d::new(0, x_max, 16): x_max",
        &[NAN, INF, -INF, 0.0, -1.0],
        |v| check_grid(Grid1d::new(0.0, v, 16).map_err(er)?),
    );
    b.one(T, "Grid1d::new(-MAX, MAX, 16) (width overflows)", || {
        check_grid(Grid1d::new(-f64::MAX, f64::MAX, 16).map_err(er)?)
    });
    b.u(
        T,
        "Grid1d::new(-1, 1, n): n",
        &[0, 1, 2, 1 << 40, usize::MAX],
        |n| check_grid(grid(n)?),
    );
}

fn fokker_planck(b: &mut B) {
    b.f(T, "FokkerPlanck1d::from_potential(D)", &SPECIAL, |d| {
        let op = FokkerPlanck1d::from_potential(grid(16)?, d, Boundary::Reflecting, |x| x * x).map_err(er)?;
        check_stationary(&op)
    });
    b.f(
        T,
        "FokkerPlanck1d::from_potential(U = c x^2): c",
        &[NAN, INF, -INF, 1e308, -1e308],
        |c| {
            let op = FokkerPlanck1d::from_potential(grid(16)?, 1.0, Boundary::Reflecting, move |x| c * x * x)
                .map_err(er)?;
            check_stationary(&op)
        },
    );
    b.f(
        T,
        "FokkerPlanck1d::from_drift(periodic, a = c): c",
        &[NAN, INF, 1e308],
        |c| {
            let op =
                FokkerPlanck1d::from_drift(grid(16)?, 1.0, Boundary::Periodic, move |_| c).map_err(er)?;
            check_stationary(&op)
        },
    );
    b.f(T, "Stepper1d::new(BackwardEuler, dt)", &SPECIAL, |dt| {
        let op =
            FokkerPlanck1d::from_potential(grid(16)?, 1.0, Boundary::Reflecting, |x| x * x).map_err(er)?;
        check_steps(&op, dt, Method::BackwardEuler)
    });
    b.f(
        T,
        "Stepper1d::new(BackwardEuler, stiffness dt D / h^2)",
        &[1e9, 1e16, 1e26],
        |s| {
            let g = grid(14)?;
            let op = FokkerPlanck1d::from_potential(g, 1.0, Boundary::Reflecting, |x| x * x).map_err(er)?;
            check_steps(&op, s * g.h() * g.h(), Method::BackwardEuler)
        },
    );
    b.f(T, "Stepper1d::new(CrankNicolson, dt)", &BAD_POSITIVE, |dt| {
        let op =
            FokkerPlanck1d::from_potential(grid(16)?, 1.0, Boundary::Reflecting, |x| x * x).map_err(er)?;
        check_steps(&op, dt, Method::CrankNicolson)
    });
    b.f(T, "Stepper1d::run(p[3] = v)", &[NAN, INF, -INF, f64::MAX], |v| {
        let op =
            FokkerPlanck1d::from_potential(grid(16)?, 1.0, Boundary::Reflecting, |x| x * x).map_err(er)?;
        let mut st = Stepper1d::new(&op, 1e-3, Method::CrankNicolson).map_err(er)?;
        let mut p = vec![0.5; 16];
        p[3] = v;
        st.run(&mut p, 3).map_err(er)?;
        finite("p", &p)
    });
    b.u(
        T,
        "Stepper1d::run(p of length n) on 16 cells: n",
        &[0, 15, 17],
        |n| {
            let op = FokkerPlanck1d::from_potential(grid(16)?, 1.0, Boundary::Reflecting, |x| x * x)
                .map_err(er)?;
            let mut st = Stepper1d::new(&op, 1e-3, Method::BackwardEuler).map_err(er)?;
            st.run(&mut vec![0.5; n], 3).map_err(er)?;
            accepted("a density of the wrong length")
        },
    );
    b.u(
        T,
        "FokkerPlanck1d::apply(out of length n): n",
        &[0, 15, 17],
        |n| {
            let op = FokkerPlanck1d::from_potential(grid(16)?, 1.0, Boundary::Reflecting, |x| x * x)
                .map_err(er)?;
            op.apply(&[0.5; 16], &mut vec![0.0; n]).map_err(er)?;
            accepted("an output of the wrong length")
        },
    );
    b.u(T, "FokkerPlanck1d::current(p of length n): n", &[0, 1000], |n| {
        let op =
            FokkerPlanck1d::from_potential(grid(16)?, 1.0, Boundary::Reflecting, |x| x * x).map_err(er)?;
        op.current(&vec![0.5; n]).map_err(er)?;
        accepted("a density of the wrong length")
    });
    b.u(T, "entropy_balance(laplacian of length n): n", &[0, 15], |n| {
        let g = grid(16)?;
        entropy_balance(&g, &[0.5; 16], 0.5, 1.0, &vec![1.0; n]).map_err(er)?;
        accepted("a laplacian of the wrong length")
    });
    b.f(T, "FokkerPlanck2d::from_potential(D)", &BAD_POSITIVE, |d| {
        let op =
            FokkerPlanck2d::from_potential(grid(8)?, grid(8)?, d, Boundary::Reflecting, |x, y| x * x + y * y)
                .map_err(er)?;
        judge(
            op.boltzmann().is_some_and(|p| p.iter().all(|v| v.is_finite())),
            || "non-finite Boltzmann".into(),
        )
    });
    b.f(T, "Stepper2d::new(dt)", &BAD_POSITIVE, |dt| {
        let op = FokkerPlanck2d::from_potential(grid(8)?, grid(8)?, 1.0, Boundary::Reflecting, |x, y| {
            x * x + y * y
        })
        .map_err(er)?;
        let mut st = Stepper2d::new(&op, dt).map_err(er)?;
        let mut p = vec![0.25; 64];
        st.step(&mut p).map_err(er)?;
        finite("p", &p)
    });
}

fn tridiagonal(b: &mut B) {
    b.u(
        T,
        "Tridiag::new(lower of length n, diag of 3): n",
        &[0, 2, 4],
        |n| {
            Tridiag::new(&vec![-1.0; n], &[2.0; 3], &[-1.0; 3]).map_err(er)?;
            accepted("mismatched bands")
        },
    );
    b.f(T, "Tridiag::new(diag = v)", &[NAN, INF, 0.0], |v| {
        let t = Tridiag::new(&[0.0, -1.0, -1.0], &[v; 3], &[-1.0, -1.0, 0.0]).map_err(er)?;
        let mut x = [1.0, 2.0, 3.0];
        t.solve(&mut x).map_err(er)?;
        finite("x", &x)
    });
    b.u(T, "Tridiag::solve(rhs of length n) for 3: n", &[0, 2, 4], |n| {
        tri()?.solve(&mut vec![1.0; n]).map_err(er)?;
        accepted("a right-hand side of the wrong length")
    });
    b.f(T, "Tridiag::solve(rhs[1] = v)", &[NAN, INF], |v| {
        let mut x = [1.0, v, 3.0];
        tri()?.solve(&mut x).map_err(er)?;
        finite("x", &x)
    });
    b.f(T, "CyclicTridiag::new(top_right = v)", &[NAN, INF], |v| {
        let t = CyclicTridiag::new(&[-1.0; 4], &[2.5; 4], &[-1.0; 4], v, -1.0).map_err(er)?;
        let mut x = [1.0; 4];
        t.solve(&mut x).map_err(er)?;
        finite("x", &x)
    });
    b.u(
        T,
        "CyclicTridiag::solve(rhs of length n) for 4: n",
        &[0, 3, 5],
        |n| {
            let t = CyclicTridiag::new(&[-1.0; 4], &[2.5; 4], &[-1.0; 4], -1.0, -1.0).map_err(er)?;
            t.solve(&mut vec![1.0; n]).map_err(er)?;
            accepted("a right-hand side of the wrong length")
        },
    );
}

fn entropies(b: &mut B) {
    b.f(T, "shannon(p = [0.5, v], 1)", &[NAN, INF, -1.0, f64::MAX], |v| {
        let s = shannon(&[0.5, v], 1.0).map_err(er)?;
        finite("entropy", &[s])
    });
    b.f(
        T,
        "shannon(uniform, cell volume)",
        &[NAN, INF, -INF, 0.0, -1.0, 5e-324],
        |v| {
            let s = shannon(&[0.5, 0.5], v).map_err(er)?;
            finite("entropy", &[s])
        },
    );
    b.one(T, "shannon(empty)", || {
        finite("entropy", &[shannon(&[], 1.0).map_err(er)?])
    });
    b.f(T, "kl_divergence(p, q = [0.5, v])", &[NAN, INF, 0.0, -1.0], |v| {
        let s = kl_divergence(&[0.5, 0.5], &[0.5, v], 1.0).map_err(er)?;
        finite("KL", &[s])
    });
    b.one(T, "kl_divergence(mismatched lengths)", || {
        kl_divergence(&[0.5, 0.5], &[1.0], 1.0).map_err(er)?;
        accepted("mismatched lengths")
    });
    b.f(T, "kl_divergence(cell volume)", &[NAN, 0.0, -1.0], |v| {
        finite("KL", &[kl_divergence(&[0.5, 0.5], &[0.4, 0.6], v).map_err(er)?])
    });
    b.one(T, "gaussian_entropy(not positive definite)", || {
        finite("H", &[gaussian_entropy(&[1.0, 2.0, 2.0, 1.0], 2).map_err(er)?])
    });
    b.f(T, "gaussian_entropy(cov[0] = v)", &[NAN, INF, 0.0], |v| {
        finite("H", &[gaussian_entropy(&[v, 0.0, 0.0, 1.0], 2).map_err(er)?])
    });
    b.u(T, "gaussian_entropy(cov of 4, d)", &[0, 3, usize::MAX], |d| {
        finite("H", &[gaussian_entropy(&[1.0, 0.0, 0.0, 1.0], d).map_err(er)?])
    });
    b.one(T, "knn_entropy(empty)", || {
        let e = knn_entropy(&[], 1, 1).map_err(er)?;
        finite("H", &[e.entropy, e.std_error])
    });
    b.u(T, "knn_entropy(8 points in 1D, k)", &[0, 8, usize::MAX], |k| {
        let s: Vec<f64> = (0..8).map(|i| i as f64).collect();
        let e = knn_entropy(&s, 1, k).map_err(er)?;
        finite("H", &[e.entropy, e.std_error])
    });
    b.u(T, "knn_entropy(8 values, d)", &[0, 3, usize::MAX], |d| {
        let s: Vec<f64> = (0..8).map(|i| i as f64).collect();
        let e = knn_entropy(&s, d, 1).map_err(er)?;
        finite("H", &[e.entropy, e.std_error])
    });
    b.f(T, "knn_entropy(sample[2] = v)", &[NAN, INF], |v| {
        let mut s: Vec<f64> = (0..8).map(|i| i as f64).collect();
        s[2] = v;
        let e = knn_entropy(&s, 1, 1).map_err(er)?;
        finite("H", &[e.entropy, e.std_error])
    });
    b.one(T, "knn_entropy(all samples equal)", || {
        let e = knn_entropy(&[1.0; 8], 1, 1).map_err(er)?;
        finite("H", &[e.entropy, e.std_error])
    });
    b.u(T, "knn_weights(d, 3): d", &[0, usize::MAX], |d| {
        finite("w", &knn_weights(d, 3).map_err(er)?)
    });
    b.u(
        T,
        "knn_weights(2, k_max): k_max",
        &[0, 1 << 40, usize::MAX],
        |k| finite("w", &knn_weights(2, k).map_err(er)?),
    );
}

fn sde(b: &mut B) {
    b.u(T, "BrownianPath::sample(dim 1, steps, 0.1): steps", &HUGE, |s| {
        BrownianPath::sample(&mut member_rng(1, 0), 1, s, 0.1).map_err(er)?;
        accepted("a path beyond the allocation budget")
    });
    b.u(
        T,
        "BrownianPath::sample(dim, 8 steps, 0.1): dim",
        &[0, 1 << 40, usize::MAX],
        |d| {
            let p = BrownianPath::sample(&mut member_rng(1, 0), d, 8, 0.1).map_err(er)?;
            finite("w_end", &(0..d.min(4)).map(|i| p.w_end(i)).collect::<Vec<_>>())
        },
    );
    b.f(T, "BrownianPath::sample(h)", &BAD_POSITIVE, |h| {
        let p = BrownianPath::sample(&mut member_rng(1, 0), 1, 8, h).map_err(er)?;
        finite("w_end", &[p.w_end(0), p.h()])
    });
    b.u(
        T,
        "BrownianPath::coarsen(factor) of 8 steps",
        &[0, 3, usize::MAX],
        |f| {
            let p = BrownianPath::sample(&mut member_rng(1, 0), 1, 8, 0.1).map_err(er)?;
            let c = p.coarsen(f).map_err(er)?;
            judge(c.steps() * f == 8, || {
                format!("{} steps after coarsening 8 by {f}", c.steps())
            })
        },
    );
    b.f(T, "sde::step(h)", &BAD_POSITIVE, |h| {
        let mut x = [0.1, 0.2];
        step(
            Scheme::EulerMaruyama,
            &ou2()?,
            0.0,
            h,
            &mut x,
            &[0.1, 0.1],
            &[],
            &mut Workspace::new(2),
        )
        .map_err(er)?;
        finite("x", &x)
    });
    b.u(T, "sde::step(2-D, noise of length n): n", &[0, 1, 3], |n| {
        let mut x = [0.1, 0.2];
        step(
            Scheme::EulerMaruyama,
            &ou2()?,
            0.0,
            0.01,
            &mut x,
            &vec![0.1; n],
            &[],
            &mut Workspace::new(2),
        )
        .map_err(er)?;
        accepted("noise of the wrong length")
    });
    b.u(T, "sde::step(2-D, state of length n): n", &[0, 1, 3], |n| {
        let mut x = vec![0.1; n];
        step(
            Scheme::EulerMaruyama,
            &ou2()?,
            0.0,
            0.01,
            &mut x,
            &[0.1, 0.1],
            &[],
            &mut Workspace::new(2),
        )
        .map_err(er)?;
        accepted("a state of the wrong length")
    });
    b.u(T, "sde::step(2-D, workspace of dim n): n", &[0, 1, 5], |n| {
        let mut x = [0.1, 0.2];
        step(
            Scheme::Heun,
            &ou2()?,
            0.0,
            0.01,
            &mut x,
            &[0.1, 0.1],
            &[],
            &mut Workspace::new(n),
        )
        .map_err(er)?;
        finite("x", &x)
    });
    b.f(T, "sde::step(x[0] = v)", &[NAN, INF, f64::MAX], |v| {
        let mut x = [v, 0.2];
        step(
            Scheme::EulerMaruyama,
            &ou2()?,
            0.0,
            0.01,
            &mut x,
            &[0.1, 0.1],
            &[],
            &mut Workspace::new(2),
        )
        .map_err(er)?;
        finite("x", &x)
    });
    b.one(T, "sde::step(SRA1 without I10)", || {
        let mut x = [0.1, 0.2];
        step(
            Scheme::Sra1,
            &ou2()?,
            0.0,
            0.01,
            &mut x,
            &[0.1, 0.1],
            &[],
            &mut Workspace::new(2),
        )
        .map_err(er)?;
        finite("x", &x)
    });
    b.u(
        T,
        "LinearOu::new(matrix of length n, dim 2): n",
        &[0, 3, 5],
        |n| {
            LinearOu::new(vec![1.0; n], 0.5, vec![0.0; 2], vec![0.0; 2]).map_err(er)?;
            accepted("a non-square drift matrix")
        },
    );
    b.f(T, "LinearOu::new(diffusion)", &[NAN, INF, -1.0], |d| {
        let ou = LinearOu::new(vec![1.0, 0.0, 0.0, 1.0], d, vec![0.0; 2], vec![0.0; 2]).map_err(er)?;
        finite("D", &[ou.diffusion_constant()])
    });
    b.f(T, "LinearOu::new(a[0] = v)", &[NAN, INF], |v| {
        LinearOu::new(vec![v, 0.0, 0.0, 1.0], 0.5, vec![0.0; 2], vec![0.0; 2]).map_err(er)?;
        accepted("a non-finite drift matrix")
    });
    b.one(T, "LinearOu::new(c0 of the wrong length)", || {
        LinearOu::new(vec![1.0, 0.0, 0.0, 1.0], 0.5, vec![0.0; 3], vec![0.0; 2]).map_err(er)?;
        accepted("a c0 of the wrong length")
    });
    b.u(T, "LinearGaussian::new(dim)", &[0, 3, usize::MAX], |d| {
        LinearGaussian::new(d, vec![1.0, 0.0, 0.0, 1.0], vec![1.0, 0.0, 0.0, 1.0]).map_err(er)?;
        accepted("a dimension that does not match the matrices")
    });
    b.one(T, "LinearGaussian::new(non-symmetric D)", || {
        LinearGaussian::new(2, vec![1.0, 0.0, 0.0, 1.0], vec![1.0, 0.5, 0.0, 1.0]).map_err(er)?;
        accepted("a non-symmetric diffusion matrix")
    });
    b.f(T, "LinearGaussian::evolve(dt)", &BAD_POSITIVE, |dt| {
        let g = LinearGaussian::new(1, vec![1.0], vec![1.0]).map_err(er)?;
        let (m, c) = g.evolve(&[1.0], &[1.0], 1.0, dt).map_err(er)?;
        finite("moments", &[m, c].concat())
    });
    b.f(T, "LinearGaussian::evolve(t)", &[NAN, INF, -1.0], |t| {
        let g = LinearGaussian::new(1, vec![1.0], vec![1.0]).map_err(er)?;
        let (m, c) = g.evolve(&[1.0], &[1.0], t, 0.01).map_err(er)?;
        finite("moments", &[m, c].concat())
    });
    b.one(T, "ou_stationary_covariance(unstable A)", || {
        finite(
            "cov",
            &ou_stationary_covariance(&[-1.0, 0.0, 0.0, 1.0], 2, 1.0).map_err(er)?,
        )
    });
    b.f(T, "ou_stationary_covariance(D)", &[NAN, -1.0, 0.0], |d| {
        finite(
            "cov",
            &ou_stationary_covariance(&[1.0, 0.0, 0.0, 1.0], 2, d).map_err(er)?,
        )
    });
    b.u(T, "ou_stationary_covariance(A of 4, d)", &[0, 3, 1 << 40], |d| {
        finite(
            "cov",
            &ou_stationary_covariance(&[1.0, 0.0, 0.0, 1.0], d, 1.0).map_err(er)?,
        )
    });
}

fn ensembles(b: &mut B) {
    b.u(T, "run_ensemble(members)", &[0, 1 << 40, usize::MAX], |m| {
        run_spec(EnsembleSpec { members: m, ..spec() })
    });
    b.f(T, "run_ensemble(dt)", &BAD_POSITIVE, |dt| {
        run_spec(EnsembleSpec { dt, ..spec() })
    });
    b.f(T, "run_ensemble(t0)", &[NAN, INF], |t0| {
        run_spec(EnsembleSpec { t0, ..spec() })
    });
    b.one(T, "run_ensemble(steps = 2^40, 8 members)", || {
        run_spec(EnsembleSpec {
            steps: 1 << 40,
            ..spec()
        })
    });
    b.u(
        T,
        "run_ensemble(observe = [k]) of 10 steps: k",
        &[0, 11, usize::MAX],
        |k| {
            run_spec(EnsembleSpec {
                observe: vec![k],
                ..spec()
            })
        },
    );
    b.one(T, "run_ensemble(observe = [5, 2]) (not increasing)", || {
        run_spec(EnsembleSpec {
            observe: vec![5, 2],
            ..spec()
        })
    });
    b.one(T, "run_ensemble(init writes NaN)", || {
        let st = run_ensemble(&ou2()?, &spec(), 1, |_, _, x| x.fill(NAN)).map_err(er)?;
        finite("mean", st.moments.last().map_or(&[][..], |m| m.mean()))
    });
    b.one(T, "Moments::new(usize::MAX)", || {
        let m = new_moments(usize::MAX).map_err(er)?;
        judge(m.dim() == usize::MAX, || "wrong dimension".into())
    });
    b.u(T, "Moments::push(x of length n) into dim 2: n", &[0, 3], |n| {
        Moments::new(2).push(&vec![1.0; n]).map_err(er)?;
        accepted("a sample of the wrong length")
    });
    b.f(T, "Moments::push([v, 0])", &[NAN, INF], |v| {
        let mut m = Moments::new(2);
        m.push(&[v, 0.0]).map_err(er)?;
        finite("mean", m.mean())
    });
    b.f(
        T,
        "DraggedTrap{k} (struct literal).simulate",
        &[NAN, INF, -1.0, 0.0],
        |k| check_trap(trap(k), 0.01, 16),
    );
    b.f(T, "DraggedTrap.simulate(dt)", &[NAN, -1.0, 0.0], |dt| {
        check_trap(trap(1.0), dt, 16)
    });
    b.u(T, "DraggedTrap.simulate(members)", &[0, 1, 1 << 40], |m| {
        check_trap(trap(1.0), 0.01, m)
    });
}

fn chains(b: &mut B) {
    b.f(T, "SecondOrderChain::new(alpha)", &[NAN, INF], |a| {
        let c = SecondOrderChain::new(a, 0.1, 1.0).map_err(er)?;
        finite("cov", &<[f64; 2]>::from(c.stationary_covariance().map_err(er)?))
    });
    b.f(T, "SecondOrderChain::new(sigma)", &[NAN, 0.0, -1.0, INF], |s| {
        let c = SecondOrderChain::new(0.5, 0.1, s).map_err(er)?;
        finite("cov", &<[f64; 2]>::from(c.stationary_covariance().map_err(er)?))
    });
    b.one(T, "SecondOrderChain::new(unstable alpha = 3)", || {
        let c = SecondOrderChain::new(3.0, 0.1, 1.0).map_err(er)?;
        finite("cov", &<[f64; 2]>::from(c.stationary_covariance().map_err(er)?))
    });
    b.u(
        T,
        "SecondOrderChain::path_entropy(path of length n)",
        &[0, 1, 2],
        |n| {
            let c = SecondOrderChain::new(0.5, 0.1, 1.0).map_err(er)?;
            finite("S", &[c.path_entropy(&vec![0.1; n]).map_err(er)?])
        },
    );
    b.u(T, "CirculantChain::new(l)", &[0, 1, 1 << 40, usize::MAX], |l| {
        let c = CirculantChain::new(l, 0.5, 0.1, 0.1, 1.0).map_err(er)?;
        judge(c.len() == l, || "wrong length".into())
    });
    b.f(T, "CirculantChain::new(sigma)", &[NAN, 0.0], |s| {
        CirculantChain::new(8, 0.5, 0.1, 0.1, s).map_err(er)?;
        accepted("a non-positive noise")
    });
    b.u(
        T,
        "CirculantChain::real_modes(phi of length n) for 8",
        &[0, 7],
        |n| {
            let c = CirculantChain::new(8, 0.5, 0.1, 0.1, 1.0).map_err(er)?;
            c.real_modes(&vec![0.1; n]).map_err(er)?;
            accepted("a field of the wrong length")
        },
    );
}

/// $T(a \to b)$ in the double well $(x^2 - 1)^2$, checked finite.
fn mfpt(d: f64, lo: f64, a: f64, tb: f64, n: usize) -> CaseResult {
    let t = mean_first_passage_time(|x| (x * x - 1.0).powi(2), d, lo, a, tb, n).map_err(er)?;
    finite("T", &[t])
}

fn passage_and_observables(b: &mut B) {
    b.f(T, "mean_first_passage_time(d)", &BAD_POSITIVE, |d| {
        mfpt(d, -2.5, -1.0, 1.0, 100)
    });
    b.f(T, "mean_first_passage_time(reflecting)", &[NAN, INF, 0.0], |lo| {
        mfpt(0.2, lo, -1.0, 1.0, 100)
    });
    b.f(
        T,
        "mean_first_passage_time(target)",
        &[NAN, INF, -1.0, -3.0],
        |tb| mfpt(0.2, -2.5, -1.0, tb, 100),
    );
    b.u(
        T,
        "mean_first_passage_time(intervals)",
        &[0, 1, 1 << 40, usize::MAX],
        |n| mfpt(0.2, -2.5, -1.0, 1.0, n),
    );
    b.one(
        T,
        "mean_first_passage_time(barrier 1e4 D: e^{U/D} overflows)",
        || mfpt(1e-4, -2.5, -1.0, 1.0, 100),
    );
    b.one(T, "mean_first_passage_time(potential NaN)", || {
        let t = mean_first_passage_time(|x| x.ln(), 1.0, -1.0, 0.0, 1.0, 10).map_err(er)?;
        finite("T", &[t])
    });
    b.u(T, "Observable::state(d)", &[0, 1 << 20, usize::MAX], |d| {
        let o = Observable::state(d).map_err(er)?;
        judge(o.dim() == d, || "wrong dimension".into())
    });
    b.u(T, "Observable::squared_displacement(d)", &[0], |d| {
        Observable::squared_displacement(d).map_err(er)?;
        accepted("a zero dimension")
    });
}
