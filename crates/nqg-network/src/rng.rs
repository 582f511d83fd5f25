//! Seed-derived random streams: one independent, reproducible stream per ensemble member.
//!
//! A thin view of [`nqg_stats::seed`] in the network domain: member $r$ of a family with seed $s$
//! uses [`StreamRng`] (xoshiro256++) seeded with
//! $\mathrm{sm}(s \oplus \mathrm{sm}(r + c_\text{net}))$, [`nqg_stats::seed::stream_seed`] with
//! $c_\text{net}$ = [`nqg_stats::seed::domain::NETWORK`]. Results therefore depend only on $(s, r)$,
//! never on the number of threads or the scheduling order.

/// The one generator type of nqg ([`nqg_stats::seed::StreamRng`], xoshiro256++).
pub use nqg_stats::seed::StreamRng;
/// SplitMix64 finaliser (one definition for all nqg crates: [`nqg_stats::seed::splitmix64`]).
pub use nqg_stats::seed::splitmix64;
use nqg_stats::seed::{domain, stream_rng, stream_seed};

/// The seed of member `index` of a family with seed `seed`:
/// [`nqg_stats::seed::stream_seed`]`(seed, domain::NETWORK, index)`.
pub fn member_seed(seed: u64, index: u64) -> u64 {
    stream_seed(seed, domain::NETWORK, index)
}

/// The RNG of member `index` of a family with seed `seed` (seeded with [`member_seed`]).
pub fn member_rng(seed: u64, index: u64) -> StreamRng {
    stream_rng(seed, domain::NETWORK, index)
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

    #[test]
    fn member_seed_is_the_historical_network_derivation() {
        // The formula this crate used before nqg_stats::seed: the report's numbers depend on it.
        for (s, i) in [(0u64, 0u64), (7, 3), (0xE6, 400), (u64::MAX, 12)] {
            let old = splitmix64(s ^ splitmix64(i.wrapping_add(0x2545_F491_4F6C_DD1D)));
            assert_eq!(member_seed(s, i), old);
        }
    }
}
