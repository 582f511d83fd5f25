"""Reference values for crates/nqg-geometry/tests/kerr_orbit.rs, computed with kerrgeopy.

Reproduce:
    python3 -m venv /tmp/venv-kerr && /tmp/venv-kerr/bin/pip install kerrgeopy==0.9.3
    /tmp/venv-kerr/bin/python crates/nqg-geometry/tests/data/kerrgeopy_reference.py

Produced with kerrgeopy 0.9.3, scipy 1.17.1, numpy 2.4.6 (Python 3.11). Prints one Rust array
literal per orbit: (a, p, e, x, E, L, Q, Upsilon_t, Upsilon_r, Upsilon_theta, Upsilon_phi,
Omega_r, Omega_theta, Omega_phi); kerrgeopy has no frequencies for polar orbits (NaN there).
"""
import math
import kerrgeopy
from kerrgeopy.constants import constants_of_motion, separatrix
from kerrgeopy.frequencies import mino_frequencies, fundamental_frequencies

ORBITS = [
    ("generic inclined", 0.9, 10.0, 0.3, 0.5),
    ("retrograde inclined", 0.7, 12.0, 0.4, -0.6),
    ("prograde equatorial", 0.5, 8.0, 0.2, 1.0),
    ("retrograde equatorial, high spin", 0.99, 15.0, 0.6, -1.0),
    ("circular (spherical) inclined", 0.6, 7.0, 0.0, 0.8),
    ("near separatrix (p = p_s + 0.01)", 0.9, None, 0.5, 0.7),
    ("Schwarzschild", 0.0, 10.0, 0.3, 0.6),
    ("polar (constants only)", 0.9, 8.0, 0.3, 0.0),
]

for name, a, p, e, x in ORBITS:
    if p is None:
        p = separatrix(a, e, x) + 0.01
    E, L, Q = constants_of_motion(a, p, e, x)
    if x != 0.0:
        ur, uth, uph, gam = mino_frequencies(a, p, e, x)
        om = fundamental_frequencies(a, p, e, x)
    else:
        ur = uth = uph = gam = math.nan
        om = (math.nan,) * 3
    vals = [a, p, e, x, E, L, Q, gam, ur, uth, uph, *om]
    body = ", ".join("f64::NAN" if math.isnan(float(v)) else repr(float(v)) for v in vals)
    print(f"    // {name}\n    [{body}],")
