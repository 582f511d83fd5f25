//! What a check receives: the problem size and its own seed, with independent random substreams.
//!
//! Every check gets its own seed derived from the run seed and the check id (FNV-1a of the id mixed
//! with SplitMix64), so a check's numbers do not depend on which other checks run, in which order,
//! or on how many threads run them. Inside a check, [`RunContext::substream`] derives one independent
//! stream per index (an ensemble member, a sweep point), so no check mixes seeds by hand.

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;

/// Problem sizes: quick for CI, full for paper-scale runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    /// Minutes on 2 cores for the whole suite.
    Quick,
    /// Paper-scale sizes and tighter error bars.
    Full,
}

impl Size {
    /// `quick` or `full`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Quick => "quick",
            Self::Full => "full",
        }
    }
}

/// What a check function receives.
#[derive(Debug, Clone, Copy)]
pub struct RunContext {
    /// Problem size.
    pub size: Size,
    /// This check's seed (derived from the run seed and the check id).
    pub seed: u64,
}

impl RunContext {
    /// A context for running one check directly (tests, examples).
    pub fn new(size: Size, run_seed: u64, check_id: &str) -> Self {
        Self {
            size,
            seed: derive_seed(run_seed, check_id),
        }
    }

    /// `quick` or `full` depending on the size.
    pub fn pick<T>(&self, quick: T, full: T) -> T {
        match self.size {
            Size::Quick => quick,
            Size::Full => full,
        }
    }

    /// A reproducible RNG seeded with this check's seed.
    pub fn rng(&self) -> StdRng {
        StdRng::seed_from_u64(self.seed)
    }

    /// The seed of independent substream `index` of this check (a member, a sweep point).
    pub fn substream(&self, index: u64) -> u64 {
        splitmix64(splitmix64(self.seed ^ 0x5EED_0F5E_ED0F_5EED).wrapping_add(splitmix64(index)))
    }

    /// An RNG on substream `index` (see [`RunContext::substream`]).
    pub fn substream_rng(&self, index: u64) -> StdRng {
        StdRng::seed_from_u64(self.substream(index))
    }
}

/// SplitMix64 finaliser (one definition for all nqg crates: [`nqg_stats::seed::splitmix64`]).
pub use nqg_stats::seed::splitmix64;

/// The seed of check `id` in a run with seed `run_seed` (stable across platforms and releases).
pub fn derive_seed(run_seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    splitmix64(run_seed ^ splitmix64(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_depend_on_run_seed_and_id_only() {
        assert_eq!(derive_seed(1, "a.b.c"), derive_seed(1, "a.b.c"));
        assert_ne!(derive_seed(1, "a.b.c"), derive_seed(2, "a.b.c"));
        assert_ne!(derive_seed(1, "a.b.c"), derive_seed(1, "a.b.d"));
    }

    #[test]
    fn substreams_are_distinct_and_stable() {
        let ctx = RunContext::new(Size::Quick, 1, "a.b.c");
        let seeds: std::collections::BTreeSet<u64> = (0..1000).map(|i| ctx.substream(i)).collect();
        assert_eq!(seeds.len(), 1000);
        assert_eq!(
            ctx.substream(3),
            RunContext::new(Size::Full, 1, "a.b.c").substream(3)
        );
        assert!(!seeds.contains(&ctx.seed));
    }
}
