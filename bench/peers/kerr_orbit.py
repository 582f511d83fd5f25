"""Case `kerr_orbit_inclined`: a bound inclined Kerr orbit, a = 0.9, p = 8, e = 0.3, x = cos(inclination)
= 0.8 (M = 1). Prints E, L, Q, the Mino-time frequencies (Upsilon_r, Upsilon_theta, Upsilon_phi,
Gamma) and the Boyer-Lindquist frequencies (Omega_r, Omega_theta, Omega_phi). The harness measures
the constants against the defining closed form: R(r_p) = R(r_a) = 0 and Theta(z_-) = 0.
"""
from common import serve, threads_note

A, P, E, X = 0.9, 8.0, 0.3, 0.8


def kerrgeopy_analytic():
    import kerrgeopy as kg
    from importlib.metadata import version

    def run():
        en, el, q = kg.constants_of_motion(A, P, E, X)
        mino = kg.mino_frequencies(A, P, E, X)
        bl = kg.fundamental_frequencies(A, P, E, X)
        return {"energy": float(en), "angular_momentum": float(el), "carter": float(q),
                "mino": [float(v) for v in mino], "bl": [float(v) for v in bl]}

    run()
    return run, {"version": f"kerrgeopy {version('kerrgeopy')}", "threads": threads_note("numpy"),
                 "setting": "constants_of_motion + mino_frequencies + fundamental_frequencies"}


CASES = {"kerr_orbit_inclined": {"kerrgeopy": kerrgeopy_analytic}}

if __name__ == "__main__":
    serve(CASES)
