//! A generic inclined eccentric Kerr orbit, (a, p, e, x) = (0.9, 10, 0.3, 0.5), in one call: the
//! constants E, L_z, Q (Schmidt 2002) and the Mino- and Boyer-Lindquist-time frequencies
//! (Fujita-Hikida 2009) beside kerrgeopy's values for the same orbit, then the frequencies the
//! geodesic integrator measures as long-time averages over 60 radial periods.
//!
//! Run with `cargo run --release -p nqg-geometry --example kerr_orbit`.

use nqg_geometry::geodesic::{Direction, Event, EventFn, GeodesicKind, GeodesicOptions, integrate};
use nqg_geometry::kerr_orbit::{KerrGeoOrbit, separatrix};
use nqg_geometry::orbits::{bpt_isco, bpt_photon_orbit, isco, photon_orbit};
use nqg_geometry::spacetimes::Kerr;
use std::f64::consts::PI;

/// kerrgeopy 0.9.3's values for (0.9, 10, 0.3, 0.5): `constants_of_motion`, `mino_frequencies`,
/// `fundamental_frequencies` (the peer's numbers, printed by
/// crates/nqg-geometry/tests/data/kerrgeopy_reference.py).
const KERRGEOPY: [(&str, f64); 10] = [
    ("E", 0.9577064866114782),
    ("L_z", 1.80384114890811),
    ("Q", 9.811828629925033),
    ("Upsilon_t", 133.67210045099108),
    ("Upsilon_r", 2.680548732903083),
    ("Upsilon_theta", 3.6134844718409327),
    ("Upsilon_phi", 3.8067176468373094),
    ("Omega_r", 0.020053165349083947),
    ("Omega_theta", 0.027032450748133218),
    ("Omega_phi", 0.028478026708594936),
];

fn main() -> Result<(), nqg_geometry::GeometryError> {
    let (a, p, e, x) = (0.9, 10.0, 0.3, 0.5);
    let orbit = KerrGeoOrbit::new(a, p, e, x)?;
    let ups = orbit.mino_frequencies();
    let om = orbit.boyer_lindquist_frequencies();
    let mine = [
        orbit.energy(),
        orbit.angular_momentum(),
        orbit.carter_constant(),
        ups[0],
        ups[1],
        ups[2],
        ups[3],
        om[0],
        om[1],
        om[2],
    ];
    println!(
        "Kerr orbit a = {a}, p = {p}, e = {e}, x = {x} (separatrix p_s = {:.12})",
        separatrix(a, e, x)?
    );
    println!(
        "{:>14} {:>22} {:>22} {:>10}",
        "quantity", "nqg (closed form)", "kerrgeopy 0.9.3", "rel. diff"
    );
    for ((name, peer), v) in KERRGEOPY.iter().zip(mine) {
        println!(
            "{name:>14} {v:>22.16} {peer:>22.16} {:>10.1e}",
            (v - peer).abs() / peer.abs()
        );
    }
    let [r1, r2, r3, r4] = orbit.radial_roots();
    let (zm, zp) = orbit.polar_roots();
    println!("radial roots r1..r4 = {r1:.12}, {r2:.12}, {r3:.12}, {r4:.12}; z- = {zm:.12}, z+ = {zp:.12}");

    // The integrator's long-time averages: Dormand-Prince at 1e-12 from periapsis on the equator.
    let kerr = Kerr::new(1.0, a)?;
    let (x0, p0) = orbit.boyer_lindquist_initial_state();
    let n_radial = 60.0;
    let tau_end = n_radial * 2.0 * PI / om[0] / orbit.energy();
    let theta_min = Event {
        name: "theta min",
        func: EventFn::Velocity { index: 2 },
        direction: Direction::Rising,
        terminal: false,
    };
    let opts = GeodesicOptions::dopri(1e-12, tau_end)
        .with_event(Event::periapsis())
        .with_event(theta_min);
    let traj = integrate(&kerr, GeodesicKind::Timelike, &x0, &p0, &opts)?;
    let times = |name: &str| -> Vec<[f64; 4]> {
        traj.events
            .iter()
            .filter(|h| h.name == name)
            .map(|h| h.x)
            .collect()
    };
    let (peri, th) = (times("periapsis"), times("theta min"));
    let rate = |v: &[[f64; 4]]| 2.0 * PI * (v.len() - 1) as f64 / (v[v.len() - 1][0] - v[0][0]);
    let (first, last) = (peri[0], peri[peri.len() - 1]);
    let avg = [
        rate(&peri),
        rate(&th),
        (last[3] - first[3]) / (last[0] - first[0]),
    ];
    println!(
        "integrator over {} radial periods (t = {:.0} M), Carter Q drift {:.1e}:",
        peri.len() - 1,
        last[0] - first[0],
        traj.max_invariant_drift.unwrap_or(f64::NAN)
    );
    for (i, name) in ["Omega_r", "Omega_theta", "Omega_phi"].iter().enumerate() {
        println!(
            "{name:>14} {:>22.16} {:>22.16} {:>10.1e}  (closed form; averaging error ~ 1/t)",
            avg[i],
            om[i],
            (avg[i] - om[i]).abs() / om[i].abs()
        );
    }
    let rp = peri.iter().map(|x| x[1]).fold(f64::INFINITY, f64::min);
    println!(
        "periapsis from events {rp:.12} vs r_p = p/(1+e) = {:.12}",
        orbit.periapsis()
    );

    // Bracket-free ISCO and photon orbit of the same black hole against Bardeen-Press-Teukolsky.
    for pro in [true, false] {
        println!(
            "{}: ISCO {:.12} (BPT {:.12}), photon orbit {:.12} (BPT {:.12})",
            if pro { "prograde " } else { "retrograde" },
            isco(&kerr, pro)?,
            bpt_isco(a, pro),
            photon_orbit(&kerr, pro)?,
            bpt_photon_orbit(a, pro)?
        );
    }
    Ok(())
}
