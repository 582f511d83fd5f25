"""Cases `strang_1d_1024`, `strang_1d_4096`, `strang_2d_256`: H = p^2/2 + |x|^2/2 (hbar = m = 1),
Strang split-step, dt = 0.01, 1000 steps on a periodic box [-L/2, L/2)^D. 1D: L = 40, coherent state
x0 = 3, p0 = 0; 2D: 256^2, L = 20, x0 = (3, 0), p0 = (0, 2). Prints <x> at t = 10 and the norm drift.
"""
from common import serve, threads_note

DT, STEPS = 0.01, 1000
SETUPS = {
    "strang_1d_1024": (1, 1024, 40.0, (3.0,), (0.0,)),
    "strang_1d_4096": (1, 4096, 40.0, (3.0,), (0.0,)),
    "strang_2d_256": (2, 256, 20.0, (3.0, 0.0), (0.0, 2.0)),
}


def setup(case, np):
    dim, n, length, x0, p0 = SETUPS[case]
    dx = length / n
    x = -0.5 * length + dx * np.arange(n)
    k = 2 * np.pi * np.fft.fftfreq(n, dx)
    if dim == 1:
        xs, ks = (x,), (k,)
    else:
        xs = np.meshgrid(x, x, indexing="ij")
        ks = np.meshgrid(k, k, indexing="ij")
    v = sum(0.5 * xi**2 for xi in xs)
    k2 = sum(ki**2 for ki in ks)
    psi = np.exp(sum(-0.5 * (xi - c) ** 2 + 1j * q * xi for xi, c, q in zip(xs, x0, p0)))
    psi = psi / np.sqrt(np.sum(np.abs(psi) ** 2) * dx**dim)
    return dim, dx, xs, np.exp(-0.5j * DT * v), np.exp(-0.5j * DT * k2), psi


def observe(np, psi, xs, dx, dim):
    rho = np.abs(psi) ** 2 * dx**dim
    return {"centre": [float(np.sum(rho * xi)) for xi in xs], "norm_drift": float(abs(np.sum(rho) - 1.0))}


def make_numpy(case, module):
    def factory():
        import numpy as np

        if module == "scipy":
            import scipy
            import scipy.fft as F

            version = f"scipy {scipy.__version__}"
        else:
            F = np.fft
            version = f"numpy {np.__version__}"
        dim, dx, xs, vhalf, kin, psi0 = setup(case, np)
        fwd, inv = (F.fft, F.ifft) if dim == 1 else (F.fft2, F.ifft2)

        def run():
            psi = psi0.copy()
            for _ in range(STEPS):
                psi *= vhalf
                psi = inv(kin * fwd(psi))
                psi *= vhalf
            return observe(np, psi, xs, dx, dim)

        return run, {"version": version, "threads": threads_note("numpy"), "setting": f"{module} fft, plain loop"}

    return factory


def make_jax(case):
    def factory():
        import numpy as np

        from common import enable_x64

        jax = enable_x64()
        import jax.numpy as jnp

        dim, dx, xs, vhalf, kin, psi0 = setup(case, np)
        fwd, inv = (jnp.fft.fft, jnp.fft.ifft) if dim == 1 else (jnp.fft.fft2, jnp.fft.ifft2)
        vh, kn = jnp.asarray(vhalf), jnp.asarray(kin)

        @jax.jit
        def evolve(psi):
            def body(_, p):
                return vh * inv(kn * fwd(vh * p))

            return jax.lax.fori_loop(0, STEPS, body, psi)

        p0 = jnp.asarray(psi0)
        evolve(p0).block_until_ready()

        def run():
            return observe(np, np.asarray(evolve(p0)), xs, dx, dim)

        return run, {"version": f"jax {jax.__version__}", "threads": threads_note("xla"),
                     "setting": "jnp.fft in fori_loop, jit"}

    return factory


CASES = {c: {"jax": make_jax(c), "scipy": make_numpy(c, "scipy"), "numpy": make_numpy(c, "numpy")} for c in SETUPS}

if __name__ == "__main__":
    serve(CASES)
