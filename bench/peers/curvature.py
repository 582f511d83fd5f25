"""Case `kerr_einstein_1e4`: the Einstein tensor G_ab of Kerr (M = 1, a = 0.9, Boyer-Lindquist) at
10^4 points, r = r_+ + 0.5 + (20 - r_+ - 0.5) frac((i + 1/2) 0.618...), theta = 0.05 + (pi - 0.1)
frac((i + 1/2) 0.7548...). Prints max |G_ab| over points and components (vacuum: exactly 0).
"""
import math

from common import serve, threads_note

A = 0.9
NPTS = 10_000
U_STEP, V_STEP = 0.6180339887498949, 0.7548776662466927


def points():
    rp = 1.0 + math.sqrt(1.0 - A * A)
    lo = rp + 0.5
    rs, ths = [], []
    for i in range(NPTS):
        u = ((i + 0.5) * U_STEP) % 1.0
        v = ((i + 0.5) * V_STEP) % 1.0
        rs.append(lo + (20.0 - lo) * u)
        ths.append(0.05 + (math.pi - 0.1) * v)
    return rs, ths


def sympy_lambdify():
    import numpy as np
    import sympy as sp

    r, th = sp.symbols("r theta", positive=True)
    a = sp.Float(A)
    sig = r**2 + a**2 * sp.cos(th) ** 2
    dlt = r**2 - 2 * r + a**2
    s2 = sp.sin(th) ** 2
    g = sp.zeros(4, 4)
    g[0, 0] = -(1 - 2 * r / sig)
    g[0, 3] = g[3, 0] = -2 * a * r * s2 / sig
    g[1, 1] = sig / dlt
    g[2, 2] = sig
    g[3, 3] = (r**2 + a**2 + 2 * a**2 * r * s2 / sig) * s2
    det = -dlt * s2  # g_tt g_pp - g_tp^2 in closed form
    gi = sp.zeros(4, 4)
    gi[0, 0] = g[3, 3] / det
    gi[0, 3] = gi[3, 0] = -g[0, 3] / det
    gi[3, 3] = g[0, 0] / det
    gi[1, 1] = 1 / g[1, 1]
    gi[2, 2] = 1 / g[2, 2]
    crd = [None, r, th, None]

    def d(e, k):
        return 0 if crd[k] is None else sp.diff(e, crd[k])

    dg = [[[d(g[i, j], k) for k in range(4)] for j in range(4)] for i in range(4)]
    gam = [[[sum(gi[i, m] * (dg[m][j][k] + dg[m][k][j] - dg[j][k][m]) for m in range(4)) / 2
             for k in range(4)] for j in range(4)] for i in range(4)]
    ric = sp.zeros(4, 4)
    for b in range(4):
        for dd in range(b, 4):
            s = 0
            for c in range(4):
                s += d(gam[c][b][dd], c) - d(gam[c][b][c], dd)
                for e in range(4):
                    s += gam[c][c][e] * gam[e][b][dd] - gam[c][dd][e] * gam[e][b][c]
            ric[b, dd] = ric[dd, b] = s
    rs = sum(gi[i, j] * ric[i, j] for i in range(4) for j in range(4))
    gten = [ric[i, j] - g[i, j] * rs / 2 for i in range(4) for j in range(i, 4)]
    f = sp.lambdify((r, th), gten, modules="numpy", cse=True)
    rr, tt = (np.array(v) for v in points())

    def run():
        out = f(rr, tt)
        return {"value": float(max(np.max(np.abs(np.broadcast_to(c, rr.shape))) for c in out))}

    return run, {"version": f"sympy {sp.__version__}, numpy {np.__version__}",
                 "threads": threads_note("numpy"), "setting": "hand-written sympy, lambdify(cse=True), numpy"}


def jax_jacfwd():
    from common import enable_x64

    jax = enable_x64()
    import jax.numpy as jnp

    def metric(x):
        r, th = x[1], x[2]
        sig = r**2 + A**2 * jnp.cos(th) ** 2
        dlt = r**2 - 2 * r + A**2
        s2 = jnp.sin(th) ** 2
        gtp = -2 * A * r * s2 / sig
        z = 0.0 * r
        return jnp.array([[-(1 - 2 * r / sig), z, z, gtp], [z, sig / dlt, z, z], [z, z, sig, z],
                          [gtp, z, z, (r**2 + A**2 + 2 * A**2 * r * s2 / sig) * s2]])

    dmet = jax.jacfwd(metric)
    ddmet = jax.jacfwd(jax.jacfwd(metric))

    def einstein(x):
        g = metric(x)
        gi = jnp.linalg.inv(g)
        dg = dmet(x)  # dg[a, b, c] = d_c g_ab
        ddg = ddmet(x)  # ddg[a, b, c, d] = d_c d_d g_ab
        low = 0.5 * (jnp.einsum("abc->abc", dg) + jnp.einsum("acb->abc", dg) - jnp.einsum("bca->abc", dg))
        gam = jnp.einsum("ad,dbc->abc", gi, low)  # Gamma^a_bc
        riem = 0.5 * (jnp.einsum("adbc->abcd", ddg) + jnp.einsum("bcad->abcd", ddg)
                      - jnp.einsum("bdac->abcd", ddg) - jnp.einsum("acbd->abcd", ddg))
        riem = riem + jnp.einsum("ef,ebc,fad->abcd", g, gam, gam) - jnp.einsum("ef,ebd,fac->abcd", g, gam, gam)
        ric = jnp.einsum("ac,abcd->bd", gi, riem)
        rs = jnp.einsum("bd,bd->", gi, ric)
        return ric - 0.5 * g * rs

    rr, tt = (jnp.array(v) for v in points())
    xs = jnp.stack([0.0 * rr, rr, tt, 0.0 * rr], axis=1)
    f = jax.jit(lambda xs: jnp.max(jnp.abs(jax.vmap(einstein)(xs))))
    f(xs).block_until_ready()

    def run():
        return {"value": float(f(xs))}

    return run, {"version": f"jax {jax.__version__}", "threads": threads_note("xla"),
                 "setting": "jacfwd + jacfwd(jacfwd), vmap, jit"}


def einsteinpy_symbolic():
    import einsteinpy
    import numpy as np
    import sympy as sp
    from einsteinpy.symbolic import EinsteinTensor
    from einsteinpy.symbolic.predefined import Kerr

    m = Kerr()
    G = EinsteinTensor.from_metric(m)
    syms = sorted(G.tensor().free_symbols, key=str)
    rr, tt = (np.array(v) for v in points())

    def run():
        subs = {s: {"a": A, "M": 1.0, "G": 1.0, "c": 1.0}.get(str(s)) for s in syms}
        args = [s for s in syms if subs[s] is None]
        f = sp.lambdify(args, G.tensor().subs({k: v for k, v in subs.items() if v is not None}), "numpy")
        vals = np.array(f(*(rr if "r" in str(s) else tt for s in args)))
        return {"value": float(np.max(np.abs(vals)))}

    return run, {"version": f"einsteinpy {einsteinpy.__version__}", "threads": threads_note("numpy"),
                 "setting": "EinsteinTensor.from_metric(Kerr())", "max_reps": 1}


CASES = {"kerr_einstein_1e4": {"sympy": sympy_lambdify, "jax": jax_jacfwd, "einsteinpy": einsteinpy_symbolic}}

if __name__ == "__main__":
    serve(CASES)
