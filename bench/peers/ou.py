"""Case `ou_ensemble`: dX = -theta X dt + sqrt(2D) dW, theta = 1, D = 0.5, X0 ~ N(2, 0.1),
10^5 members x 1000 Euler-Maruyama steps of dt = 0.005. Prints the ensemble variance at t = 5.
"""
from common import serve, threads_note

THETA, DIFF, DT, STEPS, MEMBERS = 1.0, 0.5, 0.005, 1000, 100_000
MEAN0, VAR0 = 2.0, 0.1


def numpy_em():
    import numpy as np

    rng = np.random.default_rng(20211028)
    s = (2 * DIFF * DT) ** 0.5

    def run():
        x = MEAN0 + VAR0**0.5 * rng.standard_normal(MEMBERS)
        for _ in range(STEPS):
            x += -THETA * x * DT + s * rng.standard_normal(MEMBERS)
        return {"value": float(np.var(x))}

    return run, {"version": f"numpy {np.__version__}", "threads": threads_note("numpy"),
                 "setting": "vectorised over members, default_rng normals"}


def jax_scan():
    from common import enable_x64

    jax = enable_x64()
    import jax.numpy as jnp

    s = (2 * DIFF * DT) ** 0.5

    @jax.jit
    def simulate(key):
        k0, k1 = jax.random.split(key)
        x = MEAN0 + VAR0**0.5 * jax.random.normal(k0, (MEMBERS,))

        def body(x, k):
            return x - THETA * x * DT + s * jax.random.normal(k, (MEMBERS,)), None

        x, _ = jax.lax.scan(body, x, jax.random.split(k1, STEPS))
        return jnp.var(x)

    state = {"key": jax.random.PRNGKey(1)}
    simulate(state["key"]).block_until_ready()

    def run():
        state["key"], k = jax.random.split(state["key"])
        return {"value": float(simulate(k))}

    return run, {"version": f"jax {jax.__version__}", "threads": threads_note("xla"),
                 "setting": "Euler-Maruyama in lax.scan, threefry normals, jit"}


def diffrax_euler():
    from common import enable_x64

    jax = enable_x64()
    import diffrax
    import jax.numpy as jnp

    t1 = DT * STEPS

    def one(key):
        k0, k1 = jax.random.split(key)
        x0 = MEAN0 + VAR0**0.5 * jax.random.normal(k0, ())
        bm = diffrax.UnsafeBrownianPath(shape=(), key=k1)
        terms = diffrax.MultiTerm(diffrax.ODETerm(lambda t, x, a: -THETA * x),
                                  diffrax.ControlTerm(lambda t, x, a: (2 * DIFF) ** 0.5, bm))
        sol = diffrax.diffeqsolve(terms, diffrax.Euler(), 0.0, t1, DT, x0, saveat=diffrax.SaveAt(t1=True),
                                  adjoint=diffrax.ForwardMode(), max_steps=STEPS + 8)
        return sol.ys[0]

    simulate = jax.jit(lambda key: jnp.var(jax.vmap(one)(jax.random.split(key, MEMBERS))))
    state = {"key": jax.random.PRNGKey(2)}
    simulate(state["key"]).block_until_ready()

    def run():
        state["key"], k = jax.random.split(state["key"])
        return {"value": float(simulate(k))}

    return run, {"version": f"jax {jax.__version__}, diffrax {diffrax.__version__}",
                 "threads": threads_note("xla"), "setting": "Euler, UnsafeBrownianPath, vmap over members, jit",
                 "max_reps": 2}


CASES = {"ou_ensemble": {"jax": jax_scan, "numpy": numpy_em, "diffrax": diffrax_euler}}

if __name__ == "__main__":
    serve(CASES)
