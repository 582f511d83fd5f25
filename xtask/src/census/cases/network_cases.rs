//! nqg-network cases.

use std::sync::Arc;

use nqg_network::ensemble::Ensemble;
use nqg_network::fast_slow::GaussianEnsemble;
use nqg_network::lattice::{Leapfrog1D, Leapfrog2D, PermutationRing};
use nqg_network::learning::{Dataset, Dynamics, Langevin, SgdConfig, TeacherStudent, TeacherStudentSgd};
use nqg_network::moments::{MomentsExt, with_budget};
use nqg_network::network::{Act, Network, QuadraticLoss, Weights};
use nqg_network::online::{RingCouplings, smooth_random_field};
use nqg_network::rng::member_rng;
use nqg_network::train::{sgd_step, train_on_states};

use super::{B, BAD_POSITIVE, HUGE, INF, NAN, SPECIAL, accepted, er, finite, judge};
use crate::census::CaseResult;

const N: &str = "nqg-network";

fn problem() -> Result<TeacherStudent, String> {
    nqg_network::testcases::teacher_student_correlated().map_err(er)
}

fn sgd(gamma: f64) -> Result<TeacherStudentSgd, String> {
    TeacherStudentSgd::online(problem()?, SgdConfig::new(gamma, 1).map_err(er)?).map_err(er)
}

fn net3() -> Result<Network<Act>, String> {
    Network::new(Weights::zeros(3).map_err(er)?, vec![0.0; 3], vec![0], Act::Tanh).map_err(er)
}

/// Ensemble of 4 replicas at q = (1, -0.5) advanced `steps`; Ok needs finite states.
fn check_ensemble<D: Dynamics>(d: &D, steps: usize) -> CaseResult {
    let mut ens = Ensemble::new(d, 4, 1, |_, _, q| q.iter_mut().for_each(|v| *v = 0.5)).map_err(er)?;
    ens.advance(d, steps).map_err(er)?;
    finite("replica states", ens.states())
}

fn problem_with(q_star: Vec<f64>, sigma: &[f64], noise: f64) -> CaseResult {
    let p = TeacherStudent::new(q_star, sigma, noise).map_err(er)?;
    let c = p.stationary_covariance(0.05, 1).map_err(er)?;
    finite("stationary covariance", c.as_slice())
}

pub(super) fn network(b: &mut B) {
    weights(b);
    networks(b);
    learning(b);
    ensembles(b);
    lattices(b);
}

fn weights(b: &mut B) {
    b.u(N, "Weights::zeros(n)", &[0, 1 << 20, 1 << 40, usize::MAX], |n| {
        let w = Weights::zeros(n).map_err(er)?;
        judge(w.values().len() == n * n, || "wrong size".into())
    });
    b.u(N, "Weights::dense(3, values of length n)", &[0, 8, 10], |n| {
        Weights::dense(3, vec![0.0; n]).map_err(er)?;
        accepted("values of the wrong length")
    });
    b.f(N, "Weights::dense(2, [v, 0, 0, 0])", &[NAN, INF], |v| {
        Weights::dense(2, vec![v, 0.0, 0.0, 0.0]).map_err(er)?;
        accepted("a non-finite weight")
    });
    b.u(N, "Weights::dense(n, [])", &[usize::MAX, 1 << 40], |n| {
        Weights::dense(n, vec![]).map_err(er)?;
        accepted("a huge size")
    });
    b.u(N, "Weights::sparse(3, [(i, 0, 1)]): i", &[3, usize::MAX], |i| {
        Weights::sparse(3, &[(i, 0, 1.0)]).map_err(er)?;
        accepted("an index out of range")
    });
    b.f(N, "Weights::sparse(3, [(0, 1, v)])", &[NAN, INF], |v| {
        Weights::sparse(3, &[(0, 1, v)]).map_err(er)?;
        accepted("a non-finite weight")
    });
    b.u(
        N,
        "Weights::sparse(n, [(0, 1, 1)])",
        &[usize::MAX, 1 << 40],
        |n| {
            let w = Weights::sparse(n, &[(0, 1, 1.0)]).map_err(er)?;
            judge(w.n() == n, || "wrong size".into())
        },
    );
    for (n, h, periodic) in [
        (5, 1usize << 40, true),
        (5, 1 << 40, false),
        (5, usize::MAX, false),
        (usize::MAX, 1, false),
        (1 << 40, 1, false),
        (1 << 30, 2, true),
        (5, 3, true),
        (0, 0, false),
    ] {
        b.add(
            N,
            format!("Weights::banded({n}, {h}, periodic {periodic})"),
            move || {
                let w = Weights::banded(n, h, periodic, |_, _| 1.0).map_err(er)?;
                judge(w.n() == n, || "wrong size".into())
            },
        );
    }
    b.f(N, "Weights::banded(5, 1, g = v)", &[NAN, INF], |v| {
        Weights::banded(5, 1, false, move |_, _| v).map_err(er)?;
        accepted("a non-finite coupling")
    });
}

fn networks(b: &mut B) {
    b.u(N, "Network::new(bias of length n) for 3", &[0, 2, 4], |n| {
        Network::new(Weights::zeros(3).map_err(er)?, vec![0.0; n], vec![], Act::Tanh).map_err(er)?;
        accepted("a bias of the wrong length")
    });
    b.u(N, "Network::new(boundary [i]) for 3", &[3, usize::MAX], |i| {
        Network::new(Weights::zeros(3).map_err(er)?, vec![0.0; 3], vec![i], Act::Tanh).map_err(er)?;
        accepted("a boundary index out of range")
    });
    b.one(N, "Network::new(boundary [1, 1])", || {
        Network::new(
            Weights::zeros(3).map_err(er)?,
            vec![0.0; 3],
            vec![1, 1],
            Act::Tanh,
        )
        .map_err(er)?;
        accepted("a duplicate boundary index")
    });
    b.f(N, "Network::new(bias[0] = v)", &[NAN, INF], |v| {
        Network::new(
            Weights::zeros(3).map_err(er)?,
            vec![v, 0.0, 0.0],
            vec![],
            Act::Tanh,
        )
        .map_err(er)?;
        accepted("a non-finite bias")
    });
    b.u(N, "Network::step(x of length n) for 3", &[0, 2, 4], |n| {
        net3()?.step(&vec![0.1; n], &[0.0]).map_err(er)?;
        accepted("a state of the wrong length")
    });
    b.u(
        N,
        "Network::step(x_boundary of length n) for 1 boundary neuron",
        &[0, 2],
        |n| {
            net3()?.step(&[0.1; 3], &vec![0.0; n]).map_err(er)?;
            accepted("boundary values of the wrong length")
        },
    );
    b.f(N, "Network::step(x[1] = v)", &[NAN, INF], |v| {
        finite("x'", &net3()?.step(&[0.1, v, 0.1], &[0.0]).map_err(er)?)
    });
    b.one(N, "Network::loss(loss for 4 neurons, network of 3)", || {
        net3()?
            .loss(&QuadraticLoss::all(4, 0.1).map_err(er)?, &[0.0; 3])
            .map_err(er)?;
        accepted("a loss of another size")
    });
    b.f(N, "QuadraticLoss::all(3, epsilon)", &[NAN, -1.0, INF], |e| {
        finite(
            "loss",
            &[net3()?
                .loss(&QuadraticLoss::all(3, e).map_err(er)?, &[0.1; 3])
                .map_err(er)?],
        )
    });
    b.u(N, "QuadraticLoss::all(n, 0.1)", &[1 << 40, usize::MAX], |n| {
        QuadraticLoss::all(n, 0.1).map_err(er)?;
        accepted("a huge size")
    });
    b.f(N, "QuadraticLoss::with_boundary_term(kappa)", &[NAN, INF], |k| {
        QuadraticLoss::all(3, 0.1)
            .map_err(er)?
            .with_boundary_term(k, vec![0], vec![0.0])
            .map_err(er)?;
        accepted("a non-finite kappa")
    });
    b.u(
        N,
        "QuadraticLoss::with_boundary_term(index i) for 3",
        &[3, usize::MAX],
        |i| {
            QuadraticLoss::all(3, 0.1)
                .map_err(er)?
                .with_boundary_term(1.0, vec![i], vec![0.0])
                .map_err(er)?;
            accepted("an index out of range")
        },
    );
    b.one(
        N,
        "QuadraticLoss::with_boundary_term(2 indices, 1 target)",
        || {
            QuadraticLoss::all(3, 0.1)
                .map_err(er)?
                .with_boundary_term(1.0, vec![0, 1], vec![0.0])
                .map_err(er)?;
            accepted("mismatched lengths")
        },
    );
    b.f(N, "QuadraticLoss::with_weights([1, v, 1])", &[NAN, INF], |v| {
        QuadraticLoss::with_weights(vec![1.0, v, 1.0], 0.1).map_err(er)?;
        accepted("a non-finite weight")
    });
    b.u(N, "sgd_step(velocity of length n)", &[0, 100], |n| {
        let mut net = net3()?;
        let loss = QuadraticLoss::all(3, 0.1).map_err(er)?;
        let x = [0.1; 3];
        sgd_step(&mut net, &loss, &[&x[..]], 0.1, 0.0, &mut vec![0.0; n]).map_err(er)?;
        accepted("a velocity of the wrong length")
    });
    b.f(N, "sgd_step(gamma)", &BAD_POSITIVE, |g| {
        let mut net = net3()?;
        let loss = QuadraticLoss::all(3, 0.1).map_err(er)?;
        let x = [0.1; 3];
        let k = net.num_params();
        let l = sgd_step(&mut net, &loss, &[&x[..]], g, 0.0, &mut vec![0.0; k]).map_err(er)?;
        finite("params", &[vec![l], net.params()].concat())
    });
    b.one(N, "train_on_states(no states)", || {
        let mut net = net3()?;
        let loss = QuadraticLoss::all(3, 0.1).map_err(er)?;
        train_on_states(&mut net, &loss, &[], SgdConfig::new(0.1, 1).map_err(er)?, 3, 0).map_err(er)?;
        accepted("an empty set of states")
    });
    b.f(N, "GaussianEnsemble::new(beta)", &BAD_POSITIVE, |beta| {
        let g =
            GaussianEnsemble::new(2, &[0.0, 0.1, 0.1, 0.0], &[0.0; 2], &[1.0; 2], 0.5, beta).map_err(er)?;
        finite("free energy", &[g.free_energy()])
    });
    b.one(N, "GaussianEnsemble::new(non-symmetric W)", || {
        let g =
            GaussianEnsemble::new(2, &[0.0, 0.3, 0.1, 0.0], &[0.0; 2], &[1.0; 2], 0.5, 1.0).map_err(er)?;
        finite("free energy", &[g.free_energy()])
    });
    b.one(N, "GaussianEnsemble::new(W of the wrong length)", || {
        GaussianEnsemble::new(2, &[0.0; 3], &[0.0; 2], &[1.0; 2], 0.5, 1.0).map_err(er)?;
        accepted("weights of the wrong length")
    });
}

fn learning(b: &mut B) {
    b.f(N, "SgdConfig::new(gamma, 1)", &SPECIAL, |g| {
        check_ensemble(&sgd(g)?, 50)
    });
    b.u(N, "SgdConfig::new(0.1, batch)", &[0], |m| {
        check_ensemble(
            &TeacherStudentSgd::online(problem()?, SgdConfig::new(0.1, m).map_err(er)?).map_err(er)?,
            10,
        )
    });
    b.f(
        N,
        "SgdConfig::with_momentum(rho)",
        &[NAN, 1.0, -0.1, INF],
        |rho| {
            let cfg = SgdConfig::new(0.05, 1)
                .map_err(er)?
                .with_momentum(rho)
                .map_err(er)?;
            check_ensemble(&TeacherStudentSgd::online(problem()?, cfg).map_err(er)?, 50)
        },
    );
    b.one(N, "TeacherStudent::new(non-symmetric sigma)", || {
        problem_with(vec![1.0, 0.0], &[1.0, 0.5, 0.0, 1.0], 0.3)
    });
    b.one(N, "TeacherStudent::new(indefinite sigma)", || {
        problem_with(vec![1.0, 0.0], &[1.0, 2.0, 2.0, 1.0], 0.3)
    });
    b.f(N, "TeacherStudent::new(sigma[0] = v)", &[NAN, INF], |v| {
        problem_with(vec![1.0, 0.0], &[v, 0.0, 0.0, 1.0], 0.3)
    });
    b.one(N, "TeacherStudent::new(sigma of the wrong length)", || {
        problem_with(vec![1.0, 0.0], &[1.0, 0.0, 0.0], 0.3)
    });
    b.f(N, "TeacherStudent::new(label noise)", &[NAN, -1.0, INF], |s| {
        problem_with(vec![1.0, 0.0], &[1.0, 0.0, 0.0, 1.0], s)
    });
    b.one(N, "TeacherStudent::new(empty teacher)", || {
        problem_with(vec![], &[], 0.3)
    });
    b.f(N, "TeacherStudent::new(q_star[0] = v)", &[NAN, INF], |v| {
        problem_with(vec![v, 0.0], &[1.0, 0.0, 0.0, 1.0], 0.3)
    });
    b.one(N, "TeacherStudent::with_injected_noise(indefinite)", || {
        problem()?
            .with_injected_noise(&[1.0, 2.0, 2.0, 1.0])
            .map_err(er)?;
        accepted("an indefinite noise covariance")
    });
    b.f(
        N,
        "TeacherStudent::stationary_covariance(gamma, 1)",
        &[NAN, 0.0, -1.0, 1e3],
        |g| {
            finite(
                "P",
                problem()?.stationary_covariance(g, 1).map_err(er)?.as_slice(),
            )
        },
    );
    b.one(N, "TeacherStudent::stationary_covariance(0.05, batch 0)", || {
        finite(
            "P",
            problem()?.stationary_covariance(0.05, 0).map_err(er)?.as_slice(),
        )
    });
    b.u(
        N,
        "TeacherStudentSgd::on_dataset(batch M) on 5 pairs",
        &[6, usize::MAX],
        |m| {
            let p = problem()?;
            let data = Arc::new(p.dataset(5, 1));
            TeacherStudentSgd::on_dataset(p, SgdConfig::new(0.1, m).map_err(er)?, data).map_err(er)?;
            accepted("a batch larger than the data set")
        },
    );
    b.one(
        N,
        "TeacherStudentSgd::on_dataset(3-D data for a 2-D problem)",
        || {
            let data = Arc::new(Dataset::new(3, vec![0.0; 6], vec![0.0; 2]).map_err(er)?);
            TeacherStudentSgd::on_dataset(problem()?, SgdConfig::new(0.1, 1).map_err(er)?, data)
                .map_err(er)?;
            accepted("data of another dimension")
        },
    );
    b.u(
        N,
        "Dataset::new(k = 2, inputs of length n, 3 labels)",
        &[0, 5, 7],
        |n| {
            Dataset::new(2, vec![0.0; n], vec![0.0; 3]).map_err(er)?;
            accepted("inputs of the wrong length")
        },
    );
    b.f(N, "Dataset::new(label = v)", &[NAN, INF], |v| {
        Dataset::new(1, vec![0.0], vec![v]).map_err(er)?;
        accepted("a non-finite label")
    });
    b.f(N, "Langevin::new(dt)", &BAD_POSITIVE, |dt| {
        let l = Langevin::new(
            1,
            Arc::new(|q: &[f64], g: &mut [f64]| g[0] = q[0]),
            1.0,
            &[0.5],
            dt,
        )
        .map_err(er)?;
        check_ensemble(&l, 20)
    });
    b.one(N, "Langevin::new(non-symmetric D)", || {
        let grad = Arc::new(|q: &[f64], g: &mut [f64]| g.copy_from_slice(q));
        let l = Langevin::new(2, grad, 1.0, &[0.5, 0.1, 0.0, 0.5], 0.01).map_err(er)?;
        check_ensemble(&l, 20)
    });
    b.one(N, "Langevin::new(indefinite D)", || {
        let grad = Arc::new(|q: &[f64], g: &mut [f64]| g.copy_from_slice(q));
        let l = Langevin::new(2, grad, 1.0, &[0.5, 2.0, 2.0, 0.5], 0.01).map_err(er)?;
        check_ensemble(&l, 20)
    });
    b.f(N, "Langevin with a gradient returning v", &[NAN, INF], |v| {
        let grad = Arc::new(move |_: &[f64], g: &mut [f64]| g.fill(v));
        check_ensemble(&Langevin::new(1, grad, 1.0, &[0.5], 0.01).map_err(er)?, 20)
    });
}

fn ensembles(b: &mut B) {
    b.u(N, "Ensemble::new(replicas)", &[0, 1 << 40, usize::MAX], |r| {
        let s = sgd(0.1)?;
        let e = Ensemble::new(&s, r, 1, |_, _, _| {}).map_err(er)?;
        judge(e.replicas() == r, || "wrong count".into())
    });
    b.f(N, "Ensemble::new(init writes v)", &[NAN, INF], |v| {
        let s = sgd(0.1)?;
        let e = Ensemble::new(&s, 4, 1, move |_, _, q| q.fill(v)).map_err(er)?;
        finite("states", e.states())
    });
    b.f(N, "Ensemble::advance(SGD at gamma)", &[50.0, 1e3, 1e300], |g| {
        check_ensemble(&sgd(g)?, 2000)
    });
    b.u(
        N,
        "Ensemble::advance(online SGD, batch M, 10 steps)",
        &[1 << 40, usize::MAX],
        |m| {
            let s = TeacherStudentSgd::online(problem()?, SgdConfig::new(0.1, m).map_err(er)?).map_err(er)?;
            check_ensemble(&s, 10)
        },
    );
    b.u(N, "Dynamics::advance(q of length n) for K = 2", &[0, 1, 3], |n| {
        let s = sgd(0.1)?;
        let mut q = vec![0.0; n];
        s.advance(&mut q, &mut [], &mut member_rng(1, 0), 5).map_err(er)?;
        accepted("a state of the wrong length")
    });
    b.one(N, "Dynamics::advance(aux of length 2, aux_dim 0)", || {
        let s = sgd(0.1)?;
        s.advance(&mut [0.0, 0.0], &mut [0.0, 0.0], &mut member_rng(1, 0), 5)
            .map_err(er)?;
        accepted("an auxiliary state of the wrong length")
    });
    b.f(N, "Dynamics::advance(q = [v, 0])", &[NAN, INF], |v| {
        let mut q = [v, 0.0];
        sgd(0.1)?
            .advance(&mut q, &mut [], &mut member_rng(1, 0), 5)
            .map_err(er)?;
        finite("q", &q)
    });
    b.f(
        N,
        "Dynamics::advance(SGD at gamma, 5000 steps)",
        &[50.0, 1e300],
        |g| {
            let mut q = [1.0, -0.5];
            sgd(g)?
                .advance(&mut q, &mut [], &mut member_rng(1, 0), 5000)
                .map_err(er)?;
            finite("q", &q)
        },
    );
    b.one(N, "Ensemble::advance(dynamics of another dimension)", || {
        let s = sgd(0.1)?;
        let mut e = Ensemble::new(&s, 4, 1, |_, _, _| {}).map_err(er)?;
        let l = Langevin::new(
            1,
            Arc::new(|q: &[f64], g: &mut [f64]| g[0] = q[0]),
            1.0,
            &[0.5],
            0.01,
        )
        .map_err(er)?;
        e.advance(&l, 3).map_err(er)?;
        accepted("dynamics of another dimension")
    });
    b.one(N, "Ensemble::run(log times [5, 2])", || {
        let s = sgd(0.1)?;
        let mut e = Ensemble::new(&s, 4, 1, |_, _, _| {}).map_err(er)?;
        e.run(&s, &[5, 2]).map_err(er)?;
        accepted("decreasing log times")
    });
    b.u(
        N,
        "Ensemble::time_average(100 steps, every)",
        &[0, 1000],
        |every| {
            let s = sgd(0.1)?;
            let mut e = Ensemble::new(&s, 4, 1, |_, _, _| {}).map_err(er)?;
            let m = e.time_average(&s, 100, every).map_err(er)?;
            judge(m.count() > 0 && m.mean().iter().all(|v| v.is_finite()), || {
                format!("{} samples", m.count())
            })
        },
    );
    b.one(N, "Ensemble::time_average(SGD at gamma 50)", || {
        let s = sgd(50.0)?;
        let mut e = Ensemble::new(&s, 4, 1, |_, _, q| q.fill(0.5)).map_err(er)?;
        let m = e.time_average(&s, 2000, 10).map_err(er)?;
        finite("mean", m.mean())
    });
    b.one(N, "Ensemble::lag_covariance(1 replica)", || {
        let s = sgd(0.1)?;
        let mut e = Ensemble::new(&s, 1, 1, |_, _, _| {}).map_err(er)?;
        finite("C", &e.lag_covariance(&s, 3).map_err(er)?)
    });
    b.u(N, "Moments::try_push(q of length n) into K = 2", &[0, 3], |n| {
        with_budget(2).map_err(er)?.try_push(&vec![0.0; n]).map_err(er)?;
        accepted("a sample of the wrong length")
    });
    b.f(N, "Moments::try_push([v, 0])", &[NAN, INF], |v| {
        let mut m = with_budget(2).map_err(er)?;
        m.try_push(&[v, 0.0]).map_err(er)?;
        finite("mean", m.mean())
    });
    b.one(N, "moments::with_budget(usize::MAX)", || {
        judge(with_budget(usize::MAX).map_err(er)?.dim() == usize::MAX, || {
            "wrong".into()
        })
    });
}

fn lattices(b: &mut B) {
    b.u(N, "PermutationRing::new(l)", &[0, 1, 1 << 40, usize::MAX], |l| {
        judge(PermutationRing::new(l).map_err(er)?.len() == l, || {
            "wrong length".into()
        })
    });
    b.f(
        N,
        "Leapfrog1D::new(courant [v; 8])",
        &[NAN, INF, -1.0, 1.5],
        |c| {
            let lf = Leapfrog1D::new(&[c; 8], 0.1).map_err(er)?;
            let out = lf.evolve(&[0.1; 8], &[0.1; 8], 50).map_err(er)?;
            finite("phi", &out.concat())
        },
    );
    b.f(N, "Leapfrog1D::new(mass_dt)", &[NAN, INF, -1.0], |m| {
        let lf = Leapfrog1D::new(&[0.5; 8], m).map_err(er)?;
        finite("phi", &lf.evolve(&[0.1; 8], &[0.1; 8], 50).map_err(er)?.concat())
    });
    b.one(N, "Leapfrog1D::new(empty)", || {
        Leapfrog1D::new(&[], 0.1).map_err(er)?;
        accepted("an empty lattice")
    });
    b.u(N, "Leapfrog1D::step(prev of length n) for 8", &[0, 7], |n| {
        Leapfrog1D::new(&[0.5; 8], 0.1)
            .map_err(er)?
            .step(&[0.1; 8], &mut vec![0.1; n])
            .map_err(er)?;
        accepted("a field of the wrong length")
    });
    b.u(N, "Leapfrog2D::uniform(n, n)", &[0, 1 << 20, 1 << 40], |n| {
        Leapfrog2D::uniform(n, n, 0.5, 0.1).map_err(er)?;
        accepted("a degenerate or huge lattice")
    });
    b.u(
        N,
        "RingCouplings::uniform(l)",
        &[0, 2, 1 << 40, usize::MAX],
        |l| {
            judge(
                RingCouplings::uniform(l, 0.25, 1.5, 0.25, -1.0)
                    .map_err(er)?
                    .len()
                    == l,
                || "wrong length".into(),
            )
        },
    );
    b.f(N, "RingCouplings::uniform(centre)", &[NAN, INF], |c| {
        RingCouplings::uniform(8, 0.25, c, 0.25, -1.0).map_err(er)?;
        accepted("a non-finite coupling")
    });
    b.u(N, "smooth_random_field(l)", &HUGE, |l| {
        smooth_random_field(l, 2.0, &mut member_rng(1, 0)).map_err(er)?;
        accepted("a huge field")
    });
    b.f(N, "smooth_random_field(corr_len)", &[NAN, INF, -1.0], |c| {
        finite(
            "field",
            &smooth_random_field(16, c, &mut member_rng(1, 0)).map_err(er)?,
        )
    });
}
