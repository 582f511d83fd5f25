"""Case `ho_fock_50`: the harmonic oscillator H = a^dag a + 1/2 truncated to N = 50 Fock states, the
coherent state |alpha>, alpha = (x0 + i p0)/sqrt(2) with x0 = 3, p0 = 0, 1001 output times on [0, 10].
Prints <x>(t), <H>(t) and the norm(t) = <psi|psi> at every output time (the harness measures them
against <x> = x0 cos t + p0 sin t, <H> = |alpha|^2 + 1/2 and 1).
"""
import math

from common import serve, threads_note

N, X0, P0, T1, NT = 50, 3.0, 0.0, 10.0, 1001
ALPHA = complex(X0, P0) / math.sqrt(2.0)


def coherent(np):
    n = np.arange(N)
    logf = np.array([math.lgamma(k + 1) for k in range(N)])
    c = np.exp(-abs(ALPHA) ** 2 / 2 + n * np.log(abs(ALPHA)) - 0.5 * logf) * np.exp(1j * n * np.angle(ALPHA))
    return c


def dynamiqs_tsit5():
    from common import enable_x64

    jax = enable_x64()
    import dynamiqs as dq
    import jax.numpy as jnp
    import numpy as np

    a = dq.destroy(N)
    ad = a.dag()
    h = ad @ a + 0.5 * dq.eye(N)
    x = (a + ad) / math.sqrt(2.0)
    psi0 = jnp.asarray(coherent(np)).reshape(N, 1)
    ts = jnp.linspace(0.0, T1, NT)

    def solve():
        res = dq.sesolve(h, psi0, ts, exp_ops=[x, h], method=dq.method.Tsit5(), progress_meter=False)
        states = np.asarray(res.states.to_jax())
        norm = np.sum(np.abs(states) ** 2, axis=(-2, -1))
        e = np.asarray(res.expects)
        return {"x": e[0].real.tolist(), "energy": e[1].real.tolist(), "norm": norm.tolist()}

    solve()

    def run():
        return solve()

    return run, {"version": f"dynamiqs {dq.__version__}, jax {jax.__version__}", "threads": threads_note("xla"),
                 "setting": "sesolve, Tsit5 with default tolerances, jit"}


def qutip_sesolve():
    import numpy as np
    import qutip as qt

    a = qt.destroy(N)
    h = a.dag() * a + 0.5
    x = (a + a.dag()) / math.sqrt(2.0)
    psi0 = qt.Qobj(coherent(np).reshape(N, 1))
    ts = np.linspace(0.0, T1, NT)

    def run():
        res = qt.sesolve(h, psi0, ts, e_ops=[x, h], options={"store_states": True, "normalize_output": False})
        norm = [float(s.norm() ** 2) for s in res.states]
        return {"x": [float(v) for v in res.expect[0]], "energy": [float(v) for v in res.expect[1]], "norm": norm}

    return run, {"version": f"qutip {qt.__version__}", "threads": threads_note("numpy"),
                 "setting": "sesolve, default tolerances (adams), normalize_output off to expose drift"}


CASES = {"ho_fock_50": {"dynamiqs": dynamiqs_tsit5, "qutip": qutip_sesolve}}

if __name__ == "__main__":
    serve(CASES)
