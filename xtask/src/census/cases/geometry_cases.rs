//! nqg-geometry cases.

use nqg_geometry::curvature::Curvature;
use nqg_geometry::einstein::{ConstantDensityStar, Cosmology, Fluid};
use nqg_geometry::geodesic::{GeodesicKind, GeodesicOptions, Method, complete_momentum, integrate};
use nqg_geometry::lorentz::{Lorentz, wigner_angle};
use nqg_geometry::metric::{Metric, metric_at};
use nqg_geometry::spacetimes::{
    DeSitter, Kerr, Mode, PerturbedMinkowski, Schwarzschild, SchwarzschildDeSitter, SchwarzschildEf,
};
use num_dual::DualNum;

use super::{B, BAD_POSITIVE, INF, NAN, SPECIAL, accepted, er, finite, judge};
use crate::census::CaseResult;

const G: &str = "nqg-geometry";
const HALF_PI: f64 = std::f64::consts::FRAC_PI_2;

/// A user metric with an adjustable asymmetry `eps` and scale `s` of $g_{11}$.
struct Skewed {
    eps: f64,
    s: f64,
}

impl Metric<2> for Skewed {
    fn components<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D; 2]) -> [[D; 2]; 2] {
        let one = D::from(1.0);
        let off = x[0] * 0.1;
        [[-one, off + self.eps], [off, one * self.s + x[1] * x[1] * 0.01]]
    }
}

fn check_curv<const N: usize>(c: Curvature<N>) -> CaseResult {
    let mut v: Vec<f64> = c.einstein.iter().flatten().copied().collect();
    v.push(c.ricci_scalar);
    finite("curvature", &v)
}

fn schw_curv(x: [f64; 4]) -> CaseResult {
    check_curv(Curvature::at(&Schwarzschild::new(1.0).map_err(er)?, &x).map_err(er)?)
}

fn cosmo() -> Cosmology {
    Cosmology {
        lambda: 0.1,
        fluids: vec![Fluid { w: 0.0, rho0: 0.05 }],
    }
}

fn solve(c: &Cosmology, a0: f64, t_out: &[f64], tol: f64) -> CaseResult {
    let (a, res) = c.solve(0.0, a0, 0.5, t_out, tol).map_err(er)?;
    if a.len() != t_out.len() {
        return accepted("output times that were not all reported");
    }
    finite("a(t)", &[a, vec![res]].concat())
}

/// A radial timelike geodesic in Schwarzschild from r = 6 with the given options.
fn radial(opts: GeodesicOptions<4>, x0: [f64; 4], pr: f64) -> CaseResult {
    let s = Schwarzschild::new(1.0).map_err(er)?;
    let p0 = complete_momentum(&s, &x0, &[0.0, pr, 0.0, 0.0], GeodesicKind::Timelike).map_err(er)?;
    let tr = integrate(&s, GeodesicKind::Timelike, &x0, &p0, &opts).map_err(er)?;
    judge(
        tr.max_shell_drift.is_finite() && tr.max_shell_drift < 1e-6,
        || format!("shell drift {}", tr.max_shell_drift),
    )
}

fn capture() -> GeodesicOptions<4> {
    GeodesicOptions::<4>::dopri(1e-10, 50.0).with_event(nqg_geometry::geodesic::Event::capture(2.5))
}

const X6: [f64; 4] = [0.0, 6.0, HALF_PI, 0.0];

pub(super) fn geometry(b: &mut B) {
    spacetimes(b);
    curvature(b);
    cosmology(b);
    lorentz(b);
    geodesics(b);
}

fn spacetimes(b: &mut B) {
    b.f(G, "Schwarzschild::new(m)", &SPECIAL, schw_curv_m);
    b.f(G, "Kerr::new(1, a)", &[NAN, INF, 1.5, -1.5], |a| {
        let k = Kerr::new(1.0, a).map_err(er)?;
        finite("horizon", &[k.outer_horizon()])
    });
    b.f(G, "Kerr::new(m, 0)", &[NAN, -1.0, 0.0], |m| {
        let k = Kerr::new(m, 0.0).map_err(er)?;
        finite("horizon", &[k.outer_horizon()])
    });
    b.f(G, "DeSitter::<4>::new(lambda)", &[NAN, INF, -1.0, 0.0], |l| {
        let d = DeSitter::<4>::new(l).map_err(er)?;
        finite("H", &[d.hubble()])
    });
    b.f(
        G,
        "SchwarzschildDeSitter::<4>::new(1, lambda)",
        &[NAN, INF, 1.0],
        |l| {
            let s = SchwarzschildDeSitter::<4>::new(1.0, l).map_err(er)?;
            check_curv(Curvature::at(&s, &X6).map_err(er)?)
        },
    );
    b.f(G, "SchwarzschildEf::new(m)", &[NAN, -1.0, 0.0], |m| {
        SchwarzschildEf::new(m).map_err(er)?;
        accepted("a non-positive mass")
    });
    b.f(G, "PerturbedMinkowski::new(amplitude v)", &[NAN, INF], |v| {
        let m = Mode {
            amplitude: [[v, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
            wavevector: [0.0, 1.0, 0.0],
            phase: 0.0,
        };
        let p = PerturbedMinkowski::<3>::new(vec![m]).map_err(er)?;
        check_curv(Curvature::at(&p, &[0.0, 0.3, 0.1]).map_err(er)?)
    });
    b.f(G, "PerturbedMinkowski::new(wavevector v)", &[NAN, INF], |v| {
        let m = Mode {
            amplitude: [[0.0, 0.01, 0.0], [0.01, 0.0, 0.0], [0.0, 0.0, 0.0]],
            wavevector: [0.0, v, 0.0],
            phase: 0.0,
        };
        let p = PerturbedMinkowski::<3>::new(vec![m]).map_err(er)?;
        check_curv(Curvature::at(&p, &[0.0, 0.3, 0.1]).map_err(er)?)
    });
}

fn schw_curv_m(m: f64) -> CaseResult {
    check_curv(Curvature::at(&Schwarzschild::new(m).map_err(er)?, &X6).map_err(er)?)
}

fn curvature(b: &mut B) {
    b.f(
        G,
        "Curvature::at(Schwarzschild, r)",
        &[0.0, 2.0, -1.0, NAN, INF, 1e-300],
        |r| schw_curv([0.0, r, HALF_PI, 0.0]),
    );
    b.f(G, "Curvature::at(Schwarzschild, t)", &[NAN, INF], |t| {
        schw_curv([t, 6.0, HALF_PI, 0.0])
    });
    b.f(G, "Curvature::at(Schwarzschild, theta)", &[0.0, NAN], |th| {
        schw_curv([0.0, 6.0, th, 0.0])
    });
    b.one(
        G,
        "Curvature::at(Kerr, ring singularity r = 0, theta = pi/2)",
        || {
            check_curv(
                Curvature::at(&Kerr::new(1.0, 0.5).map_err(er)?, &[0.0, 0.0, HALF_PI, 0.0]).map_err(er)?,
            )
        },
    );
    b.f(
        G,
        "Curvature::at(user metric, asymmetry eps)",
        &[1e-3, 1.0, NAN],
        |eps| check_curv(Curvature::at(&Skewed { eps, s: 1.0 }, &[0.3, 0.2]).map_err(er)?),
    );
    b.f(
        G,
        "Curvature::at(user metric, g_11 scale s)",
        &[0.0, NAN, INF, 1e-300],
        |s| check_curv(Curvature::at(&Skewed { eps: 0.0, s }, &[0.0, 0.0]).map_err(er)?),
    );
    b.f(G, "metric_at(user metric, asymmetry eps)", &[1e-3, NAN], |eps| {
        finite(
            "g",
            &metric_at(&Skewed { eps, s: 1.0 }, &[0.3, 0.2])
                .map_err(er)?
                .concat(),
        )
    });
    b.f(
        G,
        "ConstantDensityStar { rho } literal .integrate",
        &[NAN, -1.0, 0.0, INF],
        |rho| {
            let m = ConstantDensityStar { rho }
                .integrate(1e-3, 1.0, &[0.5, 1.0], 1e-8)
                .map_err(er)?;
            finite("(m, p)", &m.concat())
        },
    );
    b.f(G, "ConstantDensityStar::integrate(tol)", &BAD_POSITIVE, |tol| {
        let m = ConstantDensityStar { rho: 1e-3 }
            .integrate(1e-4, 1.0, &[0.5, 1.0], tol)
            .map_err(er)?;
        finite("(m, p)", &m.concat())
    });
    b.one(G, "ConstantDensityStar::integrate(r_out = [1.0, 0.5])", || {
        let m = ConstantDensityStar { rho: 1e-3 }
            .integrate(1e-4, 1.0, &[1.0, 0.5], 1e-8)
            .map_err(er)?;
        let _ = m;
        accepted("decreasing output radii")
    });
    b.f(
        G,
        "ConstantDensityStar::integrate(central pressure)",
        &[NAN, -1.0, INF],
        |pc| {
            let m = ConstantDensityStar { rho: 1e-3 }
                .integrate(pc, 1.0, &[0.5, 1.0], 1e-8)
                .map_err(er)?;
            finite("(m, p)", &m.concat())
        },
    );
}

fn cosmology(b: &mut B) {
    b.f(G, "Cosmology::solve(tol)", &BAD_POSITIVE, |tol| {
        solve(&cosmo(), 1.0, &[1.0, 2.0], tol)
    });
    b.one(G, "Cosmology::solve(t_out = [2, 1])", || {
        solve(&cosmo(), 1.0, &[2.0, 1.0], 1e-9)
    });
    b.f(G, "Cosmology::solve(t_out = [v])", &[NAN, INF, -1.0], |t| {
        solve(&cosmo(), 1.0, &[t], 1e-9)
    });
    b.f(G, "Cosmology::solve(a0)", &[NAN, 0.0, -1.0, INF], |a0| {
        solve(&cosmo(), a0, &[1.0], 1e-9)
    });
    b.f(G, "Cosmology { lambda } literal .solve", &[NAN, INF], |l| {
        solve(&Cosmology { lambda: l, ..cosmo() }, 1.0, &[1.0], 1e-9)
    });
    b.f(G, "Fluid { rho0 } literal .solve", &[NAN, INF, -1.0], |r| {
        solve(
            &Cosmology {
                lambda: 0.1,
                fluids: vec![Fluid { w: 0.0, rho0: r }],
            },
            1.0,
            &[1.0],
            1e-9,
        )
    });
    b.f(G, "Fluid { w } literal .solve", &[NAN, INF], |w| {
        solve(
            &Cosmology {
                lambda: 0.1,
                fluids: vec![Fluid { w, rho0: 0.05 }],
            },
            1.0,
            &[1.0],
            1e-9,
        )
    });
    b.one(G, "Cosmology::solve(t_out = [1e300])", || {
        solve(&cosmo(), 1.0, &[1e300], 1e-9)
    });
    b.f(G, "Cosmology::acceleration(a)", &[NAN, 0.0, -1.0], |a| {
        finite("a''", &[cosmo().acceleration(0.0, a, 0.5).map_err(er)?])
    });
}

fn lorentz(b: &mut B) {
    let boosts: [(&str, [f64; 3]); 5] = [
        ("[1, 0, 0]", [1.0, 0.0, 0.0]),
        ("[0.6, 0.9, 0]", [0.6, 0.9, 0.0]),
        ("[NaN, 0, 0]", [NAN, 0.0, 0.0]),
        ("[inf, 0, 0]", [INF, 0.0, 0.0]),
        ("[-1, 0, 0]", [-1.0, 0.0, 0.0]),
    ];
    for (name, v) in boosts {
        b.add(G, format!("Lorentz::<4>::boost({name})"), move || {
            let l = Lorentz::<4>::boost(&v).map_err(er)?;
            judge(l.defect() < 1e-12, || format!("defect {}", l.defect()))
        });
    }
    b.u(G, "Lorentz::<4>::boost(v of length n)", &[0, 2, 4], |n| {
        Lorentz::<4>::boost(&vec![0.1; n]).map_err(er)?;
        accepted("a velocity of the wrong length")
    });
    for (i, j) in [(1, 1), (0, 1), (1, 7)] {
        b.add(G, format!("Lorentz::<4>::rotation({i}, {j}, 0.3)"), move || {
            let l = Lorentz::<4>::rotation(i, j, 0.3).map_err(er)?;
            judge(l.defect() < 1e-12, || format!("defect {}", l.defect()))
        });
    }
    b.f(G, "Lorentz::<4>::rotation(1, 2, angle)", &[NAN, INF], |a| {
        let l = Lorentz::<4>::rotation(1, 2, a).map_err(er)?;
        judge(l.defect() < 1e-12, || format!("defect {}", l.defect()))
    });
    b.f(
        G,
        "Lorentz::from_matrix(identity, tol)",
        &[NAN, -1.0, INF],
        |tol| {
            let m = *Lorentz::<4>::identity().matrix();
            let l = Lorentz::<4>::from_matrix(m, tol).map_err(er)?;
            judge(l.defect() < 1e-12, || format!("defect {}", l.defect()))
        },
    );
    b.one(G, "Lorentz::from_matrix(not a Lorentz matrix)", || {
        let mut m = *Lorentz::<4>::identity().matrix();
        m[(0, 1)] = 0.5;
        Lorentz::<4>::from_matrix(m, 1e-9).map_err(er)?;
        accepted("a matrix that is not Lorentz")
    });
    b.one(G, "wigner_angle(superluminal v1)", || {
        finite(
            "angle",
            &[wigner_angle(&[1.2, 0.0, 0.0], &[0.0, 0.5, 0.0]).map_err(er)?],
        )
    });
    b.one(G, "wigner_angle(lengths 3 and 2)", || {
        finite(
            "angle",
            &[wigner_angle(&[0.2, 0.0, 0.0], &[0.0, 0.5]).map_err(er)?],
        )
    });
}

fn geodesics(b: &mut B) {
    b.f(
        G,
        "GeodesicOptions { norm_tol } literal",
        &[NAN, -1.0, 0.0],
        |t| {
            let o = GeodesicOptions::<4>::dopri(1e-10, 5.0);
            radial(GeodesicOptions { norm_tol: t, ..o }, X6, -0.1)
        },
    );
    b.f(
        G,
        "GeodesicOptions { constraint_tol } literal",
        &[NAN, -1.0],
        |t| {
            let o = GeodesicOptions::<4>::dopri(1e-10, 5.0);
            radial(
                GeodesicOptions {
                    constraint_tol: t,
                    ..o
                },
                X6,
                -0.1,
            )
        },
    );
    b.f(G, "GeodesicOptions::dopri(tol, 5)", &BAD_POSITIVE, |t| {
        radial(GeodesicOptions::dopri(t, 5.0), X6, -0.1)
    });
    b.f(
        G,
        "GeodesicOptions::dopri(1e-10, lambda_end)",
        &[NAN, INF, -5.0],
        |l| radial(GeodesicOptions::dopri(1e-10, l), X6, -0.1),
    );
    b.u(G, "GeodesicOptions { max_steps } literal", &[0, 1], |m| {
        radial(
            GeodesicOptions {
                max_steps: m,
                ..GeodesicOptions::dopri(1e-10, 5.0)
            },
            X6,
            -0.1,
        )
    });
    b.f(G, "Method::Dopri5 { h0 } literal", &[NAN, 0.0, -1.0], |h0| {
        let o = GeodesicOptions::<4>::dopri(1e-10, 5.0);
        radial(
            GeodesicOptions {
                method: Method::Dopri5 {
                    rtol: 1e-10,
                    atol: 1e-10,
                    h0,
                },
                ..o
            },
            X6,
            -0.1,
        )
    });
    b.u(G, "GeodesicOptions::gauss(stages, 0.1, 5)", &[0, 1 << 40], |s| {
        radial(GeodesicOptions::gauss(s, 0.1, 5.0), X6, -0.1)
    });
    b.f(
        G,
        "GeodesicOptions::gauss(2, h, 5)",
        &[NAN, 0.0, -0.1, INF],
        |h| radial(GeodesicOptions::gauss(2, h, 5.0), X6, -0.1),
    );
    b.f(G, "geodesic::integrate(x0 r = v)", &[NAN, INF, 1.0], |r| {
        radial(capture(), [0.0, r, HALF_PI, 0.0], -0.1)
    });
    b.f(G, "geodesic::integrate(p_r = v)", &[NAN, INF], |p| {
        radial(capture(), X6, p)
    });
    b.one(G, "geodesic::integrate(p0 off the mass shell)", || {
        let s = Schwarzschild::new(1.0).map_err(er)?;
        let tr = integrate(
            &s,
            GeodesicKind::Timelike,
            &X6,
            &[-0.5, 0.1, 0.0, 0.0],
            &capture(),
        )
        .map_err(er)?;
        let _ = tr;
        accepted("a momentum off the mass shell")
    });
    b.one(
        G,
        "geodesic::integrate(radial infall through the BL horizon, no capture event)",
        || match radial(GeodesicOptions::dopri(1e-10, 200.0), X6, -0.1) {
            Err(e) if e.contains("InvalidState") => Err(e),
            Err(e) => Ok(super::Verdict::Silent(format!(
                "wrong variant (InvalidState documented): {e}"
            ))),
            ok => ok,
        },
    );
    b.one(
        G,
        "complete_momentum(ingoing EF, radial at r = 3, p_r = 0.5)",
        || {
            let ef = SchwarzschildEf::new(1.0).map_err(er)?;
            // Future-directed needs dv/dλ = g^vr p_r = p_r > 0; p_0 = -(1 + f p_r²)/(2 p_r) is real, so an
            // error here is a wrong answer, not a rejection.
            match complete_momentum(
                &ef,
                &[0.0, 3.0, HALF_PI, 0.0],
                &[0.0, 0.5, 0.0, 0.0],
                GeodesicKind::Timelike,
            ) {
                Ok(p) => finite("p", &p),
                Err(e) => Ok(super::Verdict::Silent(format!("refused a solvable case: {e:?}"))),
            }
        },
    );
    b.one(
        G,
        "complete_momentum(ingoing EF, radial at r = 3, p_r = -0.5: past-directed only)",
        || {
            let ef = SchwarzschildEf::new(1.0).map_err(er)?;
            let p = complete_momentum(
                &ef,
                &[0.0, 3.0, HALF_PI, 0.0],
                &[0.0, -0.5, 0.0, 0.0],
                GeodesicKind::Timelike,
            )
            .map_err(er)?;
            let _ = p;
            accepted("a past-directed momentum")
        },
    );
    b.f(
        G,
        "complete_momentum(Schwarzschild, x r = v)",
        &[NAN, 2.0, 1.0],
        |r| {
            let s = Schwarzschild::new(1.0).map_err(er)?;
            let p = complete_momentum(
                &s,
                &[0.0, r, HALF_PI, 0.0],
                &[0.0, -0.1, 0.0, 0.0],
                GeodesicKind::Timelike,
            )
            .map_err(er)?;
            finite("p", &p)
        },
    );
    b.f(
        G,
        "complete_momentum(Schwarzschild, p_phi = v)",
        &[NAN, INF],
        |v| {
            let s = Schwarzschild::new(1.0).map_err(er)?;
            let p = complete_momentum(&s, &X6, &[0.0, 0.0, 0.0, v], GeodesicKind::Null).map_err(er)?;
            finite("p", &p)
        },
    );
}
