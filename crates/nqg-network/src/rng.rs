//! Seed-derived random streams: one independent, reproducible stream per ensemble member.
//!
//! Member $r$ of an ensemble with seed $s$ uses xoshiro256++ seeded with
//! $\mathrm{sm}(s \oplus \mathrm{sm}(r + \phi))$, where $\mathrm{sm}$ is the SplitMix64 finaliser and
//! $\phi$ the golden-ratio constant. Results therefore depend only on $(s, r)$, never on the number of
//! threads or the scheduling order.

use rand::SeedableRng;
pub use rand::rngs::Xoshiro256PlusPlus as FastRng;

/// SplitMix64 finaliser (one definition for all nqg crates: [`nqg_stats::seed::splitmix64`]).
pub use nqg_stats::seed::splitmix64;

/// The seed of member `index` of a family with seed `seed`.
pub fn member_seed(seed: u64, index: u64) -> u64 {
    splitmix64(seed ^ splitmix64(index.wrapping_add(0x2545_F491_4F6C_DD1D)))
}

/// The RNG of member `index` of a family with seed `seed`.
pub fn member_rng(seed: u64, index: u64) -> FastRng {
    FastRng::seed_from_u64(member_seed(seed, index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| member_rng(7, 3).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(member_rng(7, 3).next_u64(), member_rng(7, 4).next_u64());
        assert_ne!(member_rng(7, 3).next_u64(), member_rng(8, 3).next_u64());
    }
}
