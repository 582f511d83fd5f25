"""Case `schwarzschild_periapsis`: Schwarzschild M = 1, p = 20, e = 0.5, start at apoapsis (p_r = 0),
integrate the proper-time span of the nqg case, locate the first 21 periapsis passages (p_r from - to +)
and print the advance per orbit, (phi_21 - phi_1)/20 - 2 pi. The harness measures it against
4 sqrt(p/(p-6+2e)) K(4e/(p-6+2e)) - 2 pi.
"""
import math

from common import serve, threads_note

P, E_ECC = 20.0, 0.5
R0 = P / (1.0 - E_ECC)  # apoapsis
SPAN = 20.0 * 2.0 * math.pi * (20.0 / 0.75) ** 1.5 * 1.13
EVENTS = 21


def constants():
    en = math.sqrt(((P - 2.0) ** 2 - 4.0 * E_ECC**2) / (P * (P - 3.0 - E_ECC**2)))
    ang = P / math.sqrt(P - 3.0 - E_ECC**2)
    return en, ang


def y0():
    en, ang = constants()
    return [0.0, R0, math.pi / 2, 0.0, -en, 0.0, 0.0, ang]


def advance(phis):
    if len(phis) < EVENTS:
        raise RuntimeError(f"only {len(phis)} periapsis passages found")
    return (phis[EVENTS - 1] - phis[0]) / (EVENTS - 1) - 2.0 * math.pi


def diffrax_dopri8():
    from common import enable_x64

    jax = enable_x64()
    import diffrax
    import jax.numpy as jnp

    tol = 1e-10  # 3.16e-10 (ANCHORS.md §J) misses 1e-10 with this event location (1.05e-10)

    def ginv(x):
        r, th = x[1], x[2]
        f = 1.0 - 2.0 / r
        return jnp.diag(jnp.array([-1.0 / f, f, 1.0 / r**2, 1.0 / (r * jnp.sin(th)) ** 2]))

    def ham(x, p):
        return 0.5 * p @ ginv(x) @ p

    gx, gp = jax.grad(ham, 0), jax.grad(ham, 1)

    def rhs(t, y, args):
        x, p = y[:4], y[4:]
        return jnp.concatenate([gp(x, p), -gx(x, p)])

    max_steps = 4096

    @jax.jit
    def solve(y):
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(rhs), diffrax.Dopri8(), 0.0, SPAN, 1.0, y,
            stepsize_controller=diffrax.PIDController(rtol=tol, atol=tol),
            saveat=diffrax.SaveAt(steps=True, dense=True), max_steps=max_steps,
        )
        pr = sol.ys[:, 5]
        ok = jnp.isfinite(pr[:-1]) & jnp.isfinite(pr[1:])
        idx = jnp.nonzero(ok & (pr[:-1] < 0) & (pr[1:] >= 0), size=EVENTS, fill_value=0)[0]
        lo, hi = sol.ts[idx], sol.ts[idx + 1]

        def bisect(_, b):
            lo, hi = b
            mid = 0.5 * (lo + hi)
            neg = jax.vmap(sol.evaluate)(mid)[:, 5] < 0
            return jnp.where(neg, mid, lo), jnp.where(neg, hi, mid)

        lo, hi = jax.lax.fori_loop(0, 60, bisect, (lo, hi))
        phis = jax.vmap(sol.evaluate)(0.5 * (lo + hi))[:, 3]
        return phis, sol.stats["num_accepted_steps"]

    y = jnp.array(y0())

    def run():
        phis, steps = solve(y)
        phis = [float(v) for v in phis]
        return {"value": advance(phis), "steps": int(steps)}

    run()
    return run, {"version": f"jax {jax.__version__}, diffrax {diffrax.__version__}",
                 "threads": threads_note("xla"), "setting": f"Dopri8, jit, rtol = atol = {tol:g}"}


def scipy_dop853():
    import numpy as np
    import scipy
    import sympy as sp
    from scipy.integrate import solve_ivp

    tol = 1e-12
    syms = sp.symbols("t r th ph pt pr pth pph")
    t, r, th, ph, pt, pr, pth, pph = syms
    f = 1 - 2 / r
    h = sp.Rational(1, 2) * (-pt**2 / f + f * pr**2 + pth**2 / r**2 + pph**2 / (r * sp.sin(th)) ** 2)
    xs, ps = (t, r, th, ph), (pt, pr, pth, pph)
    exprs = [sp.diff(h, q) for q in ps] + [-sp.diff(h, q) for q in xs]
    f_rhs = sp.lambdify(syms, exprs, modules="math", cse=True)

    def fun(_lam, y):
        return np.array(f_rhs(*y))

    def peri(_lam, y):
        return y[5]

    peri.direction = 1.0

    def run():
        sol = solve_ivp(fun, (0.0, SPAN), y0(), method="DOP853", rtol=tol, atol=tol, events=peri)
        phis = [float(v) for v in sol.y_events[0][:, 3]]
        return {"value": advance(phis), "steps": int(sol.t.size - 1), "rhs_evals": int(sol.nfev)}

    return run, {"version": f"scipy {scipy.__version__}, sympy {sp.__version__}",
                 "threads": threads_note("numpy"),
                 "setting": f"solve_ivp DOP853, rtol = atol = {tol:g}, lambdified RHS, events"}


def einsteinpy_fantasy():
    import einsteinpy
    import numpy as np
    from einsteinpy.geodesic import Timelike

    _, ang = constants()
    delta = 1.0
    steps = int(SPAN / delta)

    def run():
        g = Timelike(metric="Schwarzschild", metric_params=(), position=[R0, math.pi / 2, 0.0],
                     momentum=[0.0, 0.0, ang], return_cartesian=False, steps=steps, delta=delta,
                     omega=1.0, order=2, suppress_warnings=True)
        _, v = g.trajectory
        pr, phi = v[:, 5], v[:, 3]
        k = np.nonzero((pr[:-1] < 0) & (pr[1:] >= 0))[0]
        w = -pr[k] / (pr[k + 1] - pr[k])
        phis = list(phi[k] + w * (phi[k + 1] - phi[k]))
        return {"value": advance(phis), "steps": steps}

    return run, {"version": f"einsteinpy {einsteinpy.__version__}", "threads": threads_note("numpy"),
                 "setting": "Timelike, FANTASY order 2, step 1 M", "max_reps": 1}


CASES = {"schwarzschild_periapsis": {
    "diffrax": diffrax_dopri8, "scipy": scipy_dop853, "einsteinpy": einsteinpy_fantasy}}

if __name__ == "__main__":
    serve(CASES)
