"""Case `fokker_planck_4096`: the OU relaxation of `ou.py` (theta = 1, D = 0.5) as a Fokker-Planck
equation on 4096 finite-volume cells of [-6, 6] with zero-flux walls, Crank-Nicolson dt = 1e-3,
1000 steps from N(2, 0.1). Prints the density at t = 1 (the harness measures the L1 error against the
exact Gaussian and the mass drift).
"""
from common import serve, threads_note

N, XMIN, XMAX, THETA, DIFF, DT, STEPS = 4096, -6.0, 6.0, 1.0, 0.5, 1e-3, 1000


def scipy_splu():
    import numpy as np
    import scipy
    import scipy.sparse as sps
    from scipy.sparse.linalg import splu

    h = (XMAX - XMIN) / N
    xc = XMIN + h * (np.arange(N) + 0.5)
    xf = XMIN + h * np.arange(1, N)  # interior faces
    a = -THETA * xf
    # flux J_{i+1/2} = a (p_i + p_{i+1}) / 2 - D (p_{i+1} - p_i) / h; dp_i/dt = -(J_{i+1/2} - J_{i-1/2}) / h
    cl = (a / 2 + DIFF / h) / h  # coefficient of p_i in J_{i+1/2}, over h
    cr = (a / 2 - DIFF / h) / h  # coefficient of p_{i+1}
    main = np.zeros(N)
    main[:-1] -= cl
    main[1:] += cr
    gen = sps.diags([cl, main, -cr], [-1, 0, 1], format="csc")
    eye = sps.identity(N, format="csc")
    lu = splu((eye - 0.5 * DT * gen).tocsc())
    rhs_op = (eye + 0.5 * DT * gen).tocsr()
    p0 = np.exp(-((xc - 2.0) ** 2) / (2 * 0.1))
    p0 /= p0.sum() * h

    def run():
        p = p0.copy()
        for _ in range(STEPS):
            p = lu.solve(rhs_op @ p)
        return {"density": p.tolist()}

    return run, {"version": f"scipy {scipy.__version__}", "threads": threads_note("numpy"),
                 "setting": "central finite volume, Crank-Nicolson, splu factorised once"}


CASES = {"fokker_planck_4096": {"scipy": scipy_splu}}

if __name__ == "__main__":
    serve(CASES)
