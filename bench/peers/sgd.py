"""Case `sgd_teacher_student`: online SGD on the teacher-student linear regression (N-1 setting:
K = 2, M = 1, q* = (1, -0.5), Sigma = diag(1, 0.25), label noise s = 0.5, gamma = 0.05), 10^5
replicas x 100 steps from q = q*. Prints the replica second moment S = <e e^T> of e = q - q* (the
harness measures it against the exact moment map and reports replica-steps per second).
"""
from common import serve, threads_note

QSTAR, SIG_DIAG, NOISE, GAMMA, REPLICAS, STEPS = (1.0, -0.5), (1.0, 0.25), 0.5, 0.05, 100_000, 100


def numpy_vectorised():
    import numpy as np

    rng = np.random.default_rng(7)
    qs = np.array(QSTAR)
    scale = np.sqrt(np.array(SIG_DIAG))

    def run():
        q = np.tile(qs, (REPLICAS, 1))
        for _ in range(STEPS):
            x = rng.standard_normal((REPLICAS, 2)) * scale
            y = x @ qs + NOISE * rng.standard_normal(REPLICAS)
            r = np.einsum("ij,ij->i", q, x) - y
            q -= GAMMA * r[:, None] * x
        e = q - qs
        return {"second_moment": (e.T @ e / REPLICAS).ravel().tolist()}

    return run, {"version": f"numpy {np.__version__}", "threads": threads_note("numpy"),
                 "setting": "vectorised over replicas"}


def jax_scan():
    from common import enable_x64

    jax = enable_x64()
    import jax.numpy as jnp

    qs = jnp.array(QSTAR)
    scale = jnp.sqrt(jnp.array(SIG_DIAG))

    @jax.jit
    def simulate(key):
        def body(q, k):
            k1, k2 = jax.random.split(k)
            x = jax.random.normal(k1, (REPLICAS, 2)) * scale
            y = x @ qs + NOISE * jax.random.normal(k2, (REPLICAS,))
            r = jnp.sum(q * x, axis=1) - y
            return q - GAMMA * r[:, None] * x, None

        q, _ = jax.lax.scan(body, jnp.tile(qs, (REPLICAS, 1)), jax.random.split(key, STEPS))
        e = q - qs
        return e.T @ e / REPLICAS

    state = {"key": jax.random.PRNGKey(3)}
    simulate(state["key"]).block_until_ready()

    def run():
        state["key"], k = jax.random.split(state["key"])
        return {"second_moment": [float(v) for v in simulate(k).ravel()]}

    return run, {"version": f"jax {jax.__version__}", "threads": threads_note("xla"),
                 "setting": "lax.scan over steps, vectorised over replicas, jit"}


CASES = {"sgd_teacher_student": {"jax": jax_scan, "numpy": numpy_vectorised}}

if __name__ == "__main__":
    serve(CASES)
