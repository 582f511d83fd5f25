//! Seed-derived random streams: one independent generator per ensemble member.
//!
//! Member $i$ of an ensemble with seed $s$ uses Xoshiro256++ seeded (through SplitMix64) with
//! $\mathrm{mix}(s \oplus \mathrm{mix}(i + 1))$ so results depend only on $(s, i)$ and never on the
//! thread count or on the order in which members are simulated.

/// The one generator type of nqg ([`nqg_stats::seed::StreamRng`], xoshiro256++).
pub use nqg_stats::seed::StreamRng;
/// SplitMix64 finaliser (one definition for all nqg crates: [`nqg_stats::seed::splitmix64`]).
pub use nqg_stats::seed::splitmix64;

/// The generator of ensemble member `member` for ensemble seed `seed`:
/// [`nqg_stats::seed::stream_rng`]`(seed, domain::THERMO, member)`.
pub fn member_rng(seed: u64, member: u64) -> StreamRng {
    nqg_stats::seed::stream_rng(seed, nqg_stats::seed::domain::THERMO, member)
}

/// A standard normal deviate (ziggurat, `rand_distr::StandardNormal`).
#[inline]
pub fn normal<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    use rand_distr::Distribution;
    rand_distr::StandardNormal.sample(rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        use rand::Rng;
        let a = member_rng(7, 3).next_u64();
        assert_eq!(a, member_rng(7, 3).next_u64());
        assert_ne!(a, member_rng(7, 4).next_u64());
        assert_ne!(a, member_rng(8, 3).next_u64());
    }
}
