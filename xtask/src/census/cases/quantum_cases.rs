//! nqg-quantum cases.

use nqg_quantum::action_flow::{ActionCoefficients, BoxActionFlow};
use nqg_quantum::circulation::winding_number;
use nqg_quantum::madelung::decompose;
use nqg_quantum::potential::{Barrier, DoubleWell, Free, Harmonic, StaticFn};
use nqg_quantum::ring::Ring;
use nqg_quantum::{
    EigenOptions, Grid, Hamiltonian, ImaginaryTimeOptions, Scheme, SplitStep, Units, Wavefunction,
};
use num_complex::Complex64;

use super::{B, BAD_POSITIVE, HUGE, INF, NAN, SPECIAL, accepted, er, finite, judge};
use crate::census::CaseResult;

const Q: &str = "nqg-quantum";

fn g64() -> Result<Grid<1>, String> {
    Grid::centered([64], [10.0]).map_err(er)
}

fn gauss(g: Grid<1>) -> Result<Wavefunction<1>, String> {
    let mut p = Wavefunction::gaussian(g, [0.0], [1.0], [0.0]).map_err(er)?;
    p.normalize().map_err(er)?;
    Ok(p)
}

/// Finite values and unit norm after the run.
fn check_psi(psi: &Wavefunction<1>) -> CaseResult {
    let ok = psi.values().iter().all(|z| z.re.is_finite() && z.im.is_finite());
    let n = psi.norm();
    judge(ok && (n - 1.0).abs() < 1e-9, || {
        format!("norm {n} (finite values: {ok})")
    })
}

fn run_split(p: Result<SplitStep<1>, String>) -> CaseResult {
    let mut p = p?;
    let mut psi = gauss(p.grid().clone())?;
    p.run(&mut psi, 3).map_err(er)?;
    check_psi(&psi)
}

fn check_eigen(h: &mut Hamiltonian<1>, k: usize, opts: EigenOptions) -> CaseResult {
    let e = h.eigenstates(k, opts).map_err(er)?;
    let v: Vec<f64> = e
        .iter()
        .flat_map(|p| [p.energy, p.residual, p.algebraic_error])
        .collect();
    if e.len() != k {
        return accepted(&format!("k = {k}, got {} states", e.len()));
    }
    finite("eigenpairs", &v)
}

fn check_ground(opts: ImaginaryTimeOptions, guess: Option<Wavefunction<1>>) -> CaseResult {
    let mut h =
        Hamiltonian::new(g64()?, Units::default(), &Harmonic::<1>::isotropic(1.0, 1.0), 0.0).map_err(er)?;
    let e = h.ground_state(guess, opts).map_err(er)?;
    judge((e.energy - 0.5).abs() < 1e-3, || {
        format!("ground energy {} (0.5 exact)", e.energy)
    })
}

fn coef() -> Result<ActionCoefficients, String> {
    ActionCoefficients::new(0.5, 0.5, 1.0).map_err(er)
}

pub(super) fn quantum(b: &mut B) {
    grids(b);
    propagators(b);
    spectra(b);
    others(b);
}

fn grids(b: &mut B) {
    b.u(
        Q,
        "Grid::new([n], [0], [1]): n",
        &[0, 1, 2, 1 << 36, 1 << 40, usize::MAX],
        |n| {
            let g = Grid::new([n], [0.0], [1.0]).map_err(er)?;
            finite("spacing", &g.spacing())
        },
    );
    b.one(Q, "Grid::new([2^20, 2^20]) (product beyond the budget)", || {
        Grid::new([1 << 20, 1 << 20], [0.0; 2], [1.0; 2]).map_err(er)?;
        accepted("2^40 points")
    });
    b.f(Q, "Grid::centered([64], [L]): L", &SPECIAL, |l| {
        let g = Grid::centered([64], [l]).map_err(er)?;
        let s = g.spacing()[0];
        judge(s.is_finite() && s > 0.0 && g.origin()[0].is_finite(), || {
            format!("spacing {s}")
        })
    });
    b.f(
        Q,
        "Grid::new([64], [origin], [1]): origin",
        &[NAN, INF, -INF, f64::MAX],
        |o| {
            let g = Grid::new([64], [o], [1.0]).map_err(er)?;
            finite("axis", &g.axis(0))
        },
    );
    b.f(Q, "Units::new(hbar, 1)", &BAD_POSITIVE, |h| {
        finite("hbar", &[Units::new(h, 1.0).map_err(er)?.hbar])
    });
    b.f(Q, "Units::new(1, mass)", &BAD_POSITIVE, |m| {
        finite("mass", &[Units::new(1.0, m).map_err(er)?.mass])
    });
    b.f(
        Q,
        "SplitStep::new(Units { hbar } literal)",
        &[NAN, 0.0, -1.0],
        |h| {
            run_split(
                SplitStep::new(g64()?, Units { hbar: h, mass: 1.0 }, Free, 0.01, Scheme::Strang).map_err(er),
            )
        },
    );
}

fn propagators(b: &mut B) {
    b.f(Q, "SplitStep::new(Strang, dt)", &SPECIAL, |dt| {
        run_split(SplitStep::new(g64()?, Units::default(), Free, dt, Scheme::Strang).map_err(er))
    });
    b.f(Q, "SplitStep::new(Yoshida4, dt)", &BAD_POSITIVE, |dt| {
        run_split(SplitStep::new(g64()?, Units::default(), Free, dt, Scheme::Yoshida4).map_err(er))
    });
    for scheme in [Scheme::Strang, Scheme::Yoshida4] {
        for v in [NAN, INF, 1e306] {
            b.add(
                Q,
                format!("SplitStep::new({scheme:?}, V = {v:?} (1 + x^2))"),
                move || {
                    let pot = StaticFn(move |x: &[f64; 1]| v * (1.0 + x[0] * x[0]));
                    run_split(SplitStep::new(g64()?, Units::default(), pot, 1e3, scheme).map_err(er))
                },
            );
        }
    }
    b.f(
        Q,
        "SplitStep::run(psi on a box of L, propagator box 10): L",
        &[40.0, 10.000001],
        |l| {
            let mut p = SplitStep::new(g64()?, Units::default(), Free, 0.01, Scheme::Strang).map_err(er)?;
            let mut psi = gauss(Grid::centered([64], [l]).map_err(er)?)?;
            p.run(&mut psi, 2).map_err(er)?;
            accepted("a state on another grid")
        },
    );
    b.one(
        Q,
        "SplitStep::run(psi of 32 points on a 64-point propagator)",
        || {
            let mut p = SplitStep::new(g64()?, Units::default(), Free, 0.01, Scheme::Strang).map_err(er)?;
            let mut psi = gauss(Grid::centered([32], [10.0]).map_err(er)?)?;
            p.run(&mut psi, 2).map_err(er)?;
            accepted("a state on another grid")
        },
    );
    b.f(Q, "SplitStep::with_kappa([k])", &[NAN, INF], |k| {
        run_split(
            SplitStep::new(g64()?, Units::default(), Free, 0.01, Scheme::Strang)
                .map_err(er)?
                .with_kappa([k])
                .map_err(er),
        )
    });
    b.f(
        Q,
        "SplitStep::with_absorbing_boundary(width, 1)",
        &[NAN, 0.0, -1.0, 1e9],
        |w| {
            let p = SplitStep::new(g64()?, Units::default(), Free, 0.01, Scheme::Strang).map_err(er)?;
            let mut p = p.with_absorbing_boundary(w, 1.0).map_err(er)?;
            let mut psi = gauss(g64()?)?;
            p.run(&mut psi, 3).map_err(er)?;
            let n = psi.norm();
            judge(n.is_finite() && n <= 1.0 + 1e-12, || {
                format!("norm {n} under absorption")
            })
        },
    );
    b.f(Q, "SplitStep::set_time(t)", &[NAN, INF], |t| {
        let mut p = SplitStep::new(g64()?, Units::default(), Free, 0.01, Scheme::Strang).map_err(er)?;
        p.set_time(t).map_err(er)?;
        finite("time", &[p.time()])
    });
    b.f(
        Q,
        "Wavefunction::gaussian(sigma)",
        &[NAN, INF, 0.0, -1.0, 5e-324],
        |s| {
            let mut psi = Wavefunction::gaussian(g64()?, [0.0], [s], [0.0]).map_err(er)?;
            psi.normalize().map_err(er)?;
            check_psi(&psi)
        },
    );
    b.f(Q, "Wavefunction::gaussian(center)", &[NAN, INF], |c| {
        let mut psi = Wavefunction::gaussian(g64()?, [c], [1.0], [0.0]).map_err(er)?;
        psi.normalize().map_err(er)?;
        check_psi(&psi)
    });
    b.u(
        Q,
        "Wavefunction::from_vec(data of length n) on 64",
        &[0, 63, 65],
        |n| {
            Wavefunction::from_vec(g64()?, vec![Complex64::new(1.0, 0.0); n]).map_err(er)?;
            accepted("data of the wrong length")
        },
    );
    b.f(Q, "Wavefunction::from_vec(psi[5] = v)", &[NAN, INF], |v| {
        let mut d = vec![Complex64::new(0.1, 0.0); 64];
        d[5] = Complex64::new(v, 0.0);
        Wavefunction::from_vec(g64()?, d).map_err(er)?;
        accepted("a non-finite amplitude")
    });
    b.one(Q, "Wavefunction::normalize(zero state)", || {
        let mut psi = Wavefunction::from_vec(g64()?, vec![Complex64::new(0.0, 0.0); 64]).map_err(er)?;
        psi.normalize().map_err(er)?;
        check_psi(&psi)
    });
    b.one(Q, "Wavefunction::inner(other grid)", || {
        let a = gauss(g64()?)?;
        let c = gauss(Grid::centered([64], [20.0]).map_err(er)?)?;
        a.inner(&c).map_err(er)?;
        accepted("states on different grids")
    });
    b.u(
        Q,
        "Wavefunction::potential_energy(v of length n)",
        &[0, 63],
        |n| {
            finite(
                "E",
                &[gauss(g64()?)?.potential_energy(&vec![1.0; n]).map_err(er)?],
            )
        },
    );
}

fn spectra(b: &mut B) {
    b.u(
        Q,
        "Hamiltonian::eigenstates(k) on 64 points",
        &[0, 64, 65, usize::MAX],
        |k| {
            let mut h = Hamiltonian::new(g64()?, Units::default(), &Free, 0.0).map_err(er)?;
            check_eigen(&mut h, k, EigenOptions::default())
        },
    );
    b.f(Q, "EigenOptions { tol } literal", &[NAN, 0.0, -1.0, INF], |tol| {
        let mut h = Hamiltonian::new(g64()?, Units::default(), &Free, 0.0).map_err(er)?;
        check_eigen(
            &mut h,
            2,
            EigenOptions {
                tol,
                ..EigenOptions::default()
            },
        )
    });
    b.u(Q, "EigenOptions { max_sweeps } literal", &[0], |m| {
        let mut h = Hamiltonian::new(g64()?, Units::default(), &Free, 0.0).map_err(er)?;
        check_eigen(
            &mut h,
            2,
            EigenOptions {
                max_sweeps: m,
                ..EigenOptions::default()
            },
        )
    });
    b.u(
        Q,
        "EigenOptions { degree } literal",
        &[0, 1 << 40, usize::MAX],
        |d| {
            let mut h = Hamiltonian::new(g64()?, Units::default(), &Free, 0.0).map_err(er)?;
            check_eigen(
                &mut h,
                2,
                EigenOptions {
                    degree: d,
                    ..EigenOptions::default()
                },
            )
        },
    );
    b.u(Q, "EigenOptions { guard } literal", &[1 << 40, usize::MAX], |g| {
        let mut h = Hamiltonian::new(g64()?, Units::default(), &Free, 0.0).map_err(er)?;
        check_eigen(
            &mut h,
            2,
            EigenOptions {
                guard: g,
                ..EigenOptions::default()
            },
        )
    });
    b.f(Q, "ImaginaryTimeOptions { dt0 } literal", &BAD_POSITIVE, |dt0| {
        check_ground(
            ImaginaryTimeOptions {
                dt0,
                ..ImaginaryTimeOptions::default()
            },
            None,
        )
    });
    b.f(
        Q,
        "ImaginaryTimeOptions { tol } literal",
        &[NAN, 0.0, -1.0],
        |tol| {
            check_ground(
                ImaginaryTimeOptions {
                    tol,
                    ..ImaginaryTimeOptions::default()
                },
                None,
            )
        },
    );
    b.u(Q, "ImaginaryTimeOptions { max_steps } literal", &[0, 1], |m| {
        check_ground(
            ImaginaryTimeOptions {
                max_steps: m,
                ..ImaginaryTimeOptions::default()
            },
            None,
        )
    });
    b.u(
        Q,
        "ImaginaryTimeOptions { max_stages } literal",
        &[0, usize::MAX],
        |m| {
            check_ground(
                ImaginaryTimeOptions {
                    max_stages: m,
                    ..ImaginaryTimeOptions::default()
                },
                None,
            )
        },
    );
    b.one(Q, "Hamiltonian::ground_state(guess on another grid)", || {
        check_ground(
            ImaginaryTimeOptions::default(),
            Some(gauss(Grid::centered([64], [12.0]).map_err(er)?)?),
        )
    });
    b.f(Q, "Hamiltonian::new(t)", &[NAN, INF], |t| {
        let pot = nqg_quantum::potential::TimeFn(|x: &[f64; 1], t: f64| x[0] * x[0] * t.cos());
        let h = Hamiltonian::new(g64()?, Units::default(), &pot, t).map_err(er)?;
        finite("V", h.potential())
    });
    b.u(
        Q,
        "Hamiltonian::from_values(v of length n) on 64",
        &[0, 63],
        |n| {
            Hamiltonian::from_values(g64()?, Units::default(), vec![0.0; n]).map_err(er)?;
            accepted("a potential of the wrong length")
        },
    );
    b.f(Q, "Hamiltonian::from_values(v[3] = x)", &[NAN, INF], |x| {
        let mut v = vec![0.0; 64];
        v[3] = x;
        Hamiltonian::from_values(g64()?, Units::default(), v).map_err(er)?;
        accepted("a non-finite potential")
    });
    b.one(
        Q,
        "Hamiltonian::rayleigh(state on the transposed 2D grid)",
        || {
            let a = Grid::centered([8, 16], [4.0, 8.0]).map_err(er)?;
            let c = Grid::centered([16, 8], [8.0, 4.0]).map_err(er)?;
            let mut h = Hamiltonian::new(a, Units::default(), &Free, 0.0).map_err(er)?;
            let psi = Wavefunction::gaussian(c, [0.0; 2], [1.0; 2], [0.0; 2]).map_err(er)?;
            h.rayleigh(&psi).map_err(er)?;
            accepted("a state on the transposed grid")
        },
    );
    b.one(Q, "Hamiltonian::rayleigh(zero state)", || {
        let mut h = Hamiltonian::new(g64()?, Units::default(), &Free, 0.0).map_err(er)?;
        let psi = Wavefunction::from_vec(g64()?, vec![Complex64::new(0.0, 0.0); 64]).map_err(er)?;
        let (e, r) = h.rayleigh(&psi).map_err(er)?;
        finite("rayleigh", &[e, r])
    });
    b.f(Q, "Hamiltonian::with_kappa([k])", &[NAN, INF], |k| {
        let mut h = Hamiltonian::new(g64()?, Units::default(), &Free, 0.0)
            .map_err(er)?
            .with_kappa([k])
            .map_err(er)?;
        let (e, r) = h.rayleigh(&gauss(g64()?)?).map_err(er)?;
        finite("rayleigh", &[e, r])
    });
    b.f(
        Q,
        "Harmonic { omega } literal in Hamiltonian::new",
        &[NAN, INF],
        |w| {
            let pot = Harmonic {
                mass: 1.0,
                omega: [w],
                center: [0.0],
            };
            let h = Hamiltonian::new(g64()?, Units::default(), &pot, 0.0).map_err(er)?;
            finite("V", h.potential())
        },
    );
    b.f(
        Q,
        "Barrier { width } literal in Hamiltonian::new",
        &[NAN, 0.0, -1.0],
        |w| {
            let pot = Barrier {
                height: 1.0,
                center: 0.0,
                width: w,
            };
            Hamiltonian::new(g64()?, Units::default(), &pot, 0.0).map_err(er)?;
            accepted("a barrier of non-positive width (V = 0 everywhere)")
        },
    );
    b.f(
        Q,
        "DoubleWell { b } literal in Hamiltonian::new",
        &[NAN, 1e308],
        |bb| {
            let pot = DoubleWell { a: 1.0, b: bb };
            let h = Hamiltonian::new(g64()?, Units::default(), &pot, 0.0).map_err(er)?;
            finite("V", h.potential())
        },
    );
}

fn others(b: &mut B) {
    b.f(Q, "Ring::new(radius)", &BAD_POSITIVE, |r| {
        let ring = Ring::new(r, 0.1, Units::default()).map_err(er)?;
        finite(
            "levels",
            &ring
                .levels(4)
                .map_err(er)?
                .iter()
                .map(|l| l.1)
                .collect::<Vec<_>>(),
        )
    });
    b.f(Q, "Ring::new(flux)", &[NAN, INF], |f| {
        let ring = Ring::new(1.0, f, Units::default()).map_err(er)?;
        finite(
            "levels",
            &ring
                .levels(4)
                .map_err(er)?
                .iter()
                .map(|l| l.1)
                .collect::<Vec<_>>(),
        )
    });
    b.u(Q, "Ring::grid(n)", &[0, 1, 1 << 40], |n| {
        let g = Ring::new(1.0, 0.1, Units::default())
            .map_err(er)?
            .grid(n)
            .map_err(er)?;
        finite("spacing", &g.spacing())
    });
    b.u(Q, "Ring::levels(count)", &[usize::MAX, 1 << 40], |c| {
        let l = Ring::new(1.0, 0.1, Units::default())
            .map_err(er)?
            .levels(c)
            .map_err(er)?;
        judge(l.len() == c, || format!("{} levels for count {c}", l.len()))
    });
    b.f(Q, "madelung::decompose(eps)", &[NAN, -1.0, 1.0, INF], |eps| {
        let f = decompose(&gauss(g64()?)?, Units::default(), eps).map_err(er)?;
        finite("rho", &f.rho)
    });
    b.one(Q, "winding_number(empty)", || {
        let (w, c) = winding_number(&[]).map_err(er)?;
        finite("winding", &[w as f64, c])
    });
    b.f(Q, "winding_number(values[1] = v)", &[NAN, 0.0], |v| {
        let z = [
            Complex64::new(1.0, 0.0),
            Complex64::new(v, 0.0),
            Complex64::new(-1.0, 0.1),
        ];
        let (w, c) = winding_number(&z).map_err(er)?;
        finite("winding", &[w as f64, c])
    });
    b.f(Q, "ActionCoefficients::new(gamma)", &BAD_POSITIVE, |g| {
        finite(
            "hbar^2",
            &[ActionCoefficients::new(g, 0.5, 1.0).map_err(er)?.hbar_squared()],
        )
    });
    b.f(
        Q,
        "ActionCoefficients { diffusion } literal in BoxActionFlow::new",
        &[NAN, -1.0, 0.0],
        |d| {
            let c = ActionCoefficients {
                gamma: 0.5,
                diffusion: d,
                mu: 1.0,
            };
            let f = BoxActionFlow::new(c, -5.0, 0.1, 100, |x| 0.5 * x * x).map_err(er)?;
            finite(
                "hbar^2",
                &[f.coefficients().hbar_squared(), f.coefficients().mass()],
            )
        },
    );
    b.f(Q, "BoxActionFlow::new(spacing)", &BAD_POSITIVE, |h| {
        BoxActionFlow::new(coef()?, -5.0, h, 100, |x| 0.5 * x * x).map_err(er)?;
        accepted("a bad spacing")
    });
    b.u(Q, "BoxActionFlow::new(n)", &HUGE, |n| {
        BoxActionFlow::new(coef()?, -5.0, 0.1, n, |x| 0.5 * x * x).map_err(er)?;
        accepted("a size beyond the budget")
    });
    b.f(Q, "BoxActionFlow::run(dt)", &BAD_POSITIVE, |dt| {
        let f = BoxActionFlow::new(coef()?, -5.0, 0.1, 100, |x| 0.5 * x * x).map_err(er)?;
        let x = f.points();
        let mut s = f
            .state(x.iter().map(|x| -x * x).collect(), vec![0.0; 100])
            .map_err(er)?;
        f.run(&mut s, dt, 3).map_err(er)?;
        finite("log p", &s.log_p)
    });
}
