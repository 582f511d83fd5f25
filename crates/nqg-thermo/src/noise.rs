//! Brownian increments for the ensembles, drawn only for the components that carry noise.
//!
//! A component with $b_i \equiv 0$ ([`Sde::is_noise_free`]) gets $\Delta W_i = I_{(1,0),i} = 0$ and
//! consumes no random numbers, so a member's stream feeds its noisy components in order. With every
//! component noisy the draws are those of [`crate::sde::draw_increments_scaled`], bit for bit.

use crate::rng::normal;
use crate::sde::Sde;

/// `true` for each component of `sde` that carries noise (not [`Sde::is_noise_free`]).
pub(crate) fn noise_mask<S: Sde + ?Sized>(sde: &S) -> Vec<bool> {
    (0..sde.dim()).map(|i| !sde.is_noise_free(i)).collect()
}

/// One step's increments $\Delta W_i \sim N(0, h)$ (and $I_{(1,0)}$ if `want_i10`, with the joint law
/// of [`crate::sde::draw_increments`]) for the components with `noisy[i]`, zeros elsewhere.
#[inline]
pub(crate) fn draw_masked<R: rand::Rng + ?Sized>(
    rng: &mut R,
    h: f64,
    sqrt_h: f64,
    want_i10: bool,
    noisy: &[bool],
    dw: &mut [f64],
    i10: &mut [f64],
) {
    for i in 0..dw.len() {
        if !noisy[i] {
            dw[i] = 0.0;
            if want_i10 {
                i10[i] = 0.0;
            }
            continue;
        }
        dw[i] = sqrt_h * normal(rng);
        if want_i10 {
            let dz = sqrt_h * normal(rng);
            i10[i] = 0.5 * h * (dw[i] + dz / 3f64.sqrt());
        }
    }
}
