//! Seed streams: the SplitMix64 finaliser (Steele, Lea & Flood 2014), the one derivation of a
//! member's generator seed from a master seed, and the one generator type of nqg.
//!
//! Member $i$ of a family with master seed $s$ in domain $c$ draws from xoshiro256++
//! ([`StreamRng`]) seeded with
//! $$ \mathrm{seed}(s, c, i) = \mathrm{sm}\big(s \oplus \mathrm{sm}(i + c)\big) \pmod{2^{64}}, $$
//! where $\mathrm{sm}$ is [`splitmix64`] (a bijection of `u64`), so results depend only on
//! $(s, c, i)$ and never on the thread count or the order in which members run.
//!
//! The domain $c$ separates the crates: [`domain::THERMO`] ($c = 1$) and [`domain::NETWORK`]
//! ($c$ = `0x2545F4914F6CDD1D`) are the offsets
//! the two crates used before this module existed, so their streams are bit-for-bit unchanged. Because
//! $\mathrm{sm}$ is a bijection, a thermo member $i$ and a network member $j$ of the same master seed
//! share a seed only if $i + 1 \equiv j + c_\text{net} \pmod{2^{64}}$, i.e. only for member indices of
//! order $2.7\times 10^{18}$: for every realistic ensemble the same master seed gives disjoint,
//! independent thermo and network streams.

use rand::SeedableRng;

/// The generator of every nqg stream: xoshiro256++ (Blackman & Vigna), 256 bits of state, period
/// $2^{256} - 1$, seeded from one `u64` through SplitMix64 ([`SeedableRng::seed_from_u64`]).
pub type StreamRng = rand::rngs::Xoshiro256PlusPlus;

/// Documented domain constants $c$ of [`stream_seed`]: one per crate that derives member streams.
pub mod domain {
    /// nqg-thermo's ensembles and paths: $c = 1$ (member $i$ mixes $i + 1$).
    pub const THERMO: u64 = 1;
    /// nqg-network's replicas, planes and samplers: $c$ = `0x2545F4914F6CDD1D` (Vigna's xorshift64\*
    /// multiplier, an odd constant with no relation to the SplitMix64 increment).
    pub const NETWORK: u64 = 0x2545_F491_4F6C_DD1D;
}

/// SplitMix64 finaliser: $z \leftarrow z + \phi$, then three xor-shift-multiply rounds; a bijection
/// of `u64` with good avalanche, used to turn (seed, index) pairs into independent generator seeds.
#[inline]
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator seed of member `index` of the family with master seed `seed` in domain `domain`:
/// $\mathrm{sm}(s \oplus \mathrm{sm}(i + c))$ (wrapping addition; see the module doc).
#[inline]
pub fn stream_seed(seed: u64, domain: u64, index: u64) -> u64 {
    splitmix64(seed ^ splitmix64(index.wrapping_add(domain)))
}

/// The generator of member `index` of the family with master seed `seed` in domain `domain`:
/// [`StreamRng`] seeded with [`stream_seed`]`(seed, domain, index)`.
#[inline]
pub fn stream_rng(seed: u64, domain: u64, index: u64) -> StreamRng {
    StreamRng::seed_from_u64(stream_seed(seed, domain, index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn reference_values_of_the_published_generator() {
        // Vigna's splitmix64.c from state 0 outputs mix(k φ) for k = 1, 2, 3, i.e. splitmix64((k-1) φ):
        // E220A8397B1DCDAF, 6E789E6AA1B965F4, 06C45D188009454F.
        let g = 0x9E37_79B9_7F4A_7C15u64;
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(g), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(splitmix64(g.wrapping_mul(2)), 0x06C4_5D18_8009_454F);
    }

    /// The derivations the two crates wrote before `stream_seed` existed, verbatim.
    fn old_thermo(seed: u64, member: u64) -> u64 {
        splitmix64(seed ^ splitmix64(member.wrapping_add(1)))
    }
    fn old_network(seed: u64, index: u64) -> u64 {
        splitmix64(seed ^ splitmix64(index.wrapping_add(0x2545_F491_4F6C_DD1D)))
    }

    #[test]
    fn stream_seed_reproduces_both_old_derivations_bit_for_bit() {
        let seeds = [0, 1, 7, 42, 0xE6, 0xE3B, 0x5EED, u64::MAX, u64::MAX - 1, 1 << 63];
        let indices = [0, 1, 2, 3, 15, 1000, 1 << 32, u64::MAX, u64::MAX - 1];
        for &s in &seeds {
            for &i in &indices {
                assert_eq!(
                    stream_seed(s, domain::THERMO, i),
                    old_thermo(s, i),
                    "thermo ({s}, {i})"
                );
                assert_eq!(
                    stream_seed(s, domain::NETWORK, i),
                    old_network(s, i),
                    "network ({s}, {i})"
                );
                // The generator too: the first draws of the old and new construction agree.
                let mut a = stream_rng(s, domain::NETWORK, i);
                let mut b = StreamRng::seed_from_u64(old_network(s, i));
                assert_eq!([a.next_u64(), a.next_u64()], [b.next_u64(), b.next_u64()]);
            }
        }
        // Pinned values, so a change of the mixer itself (not only of the call) is caught.
        assert_eq!(stream_seed(0, domain::THERMO, 0), splitmix64(splitmix64(1)));
        assert_eq!(
            stream_seed(0, domain::NETWORK, 0),
            splitmix64(splitmix64(domain::NETWORK))
        );
    }

    #[test]
    fn domains_separate_the_streams_of_one_master_seed() {
        // For realistic ensembles no thermo member shares a seed with a network member (the module
        // doc's argument: equality needs i + 1 = j + c_net mod 2^64).
        let thermo: std::collections::HashSet<u64> =
            (0..4096).map(|i| stream_seed(7, domain::THERMO, i)).collect();
        assert_eq!(thermo.len(), 4096);
        assert!((0..4096).all(|j| !thermo.contains(&stream_seed(7, domain::NETWORK, j))));
        assert_ne!(
            stream_rng(7, domain::THERMO, 3).next_u64(),
            stream_rng(7, domain::NETWORK, 3).next_u64()
        );
        assert_eq!(
            stream_rng(7, domain::THERMO, 3).next_u64(),
            stream_rng(7, domain::THERMO, 3).next_u64()
        );
    }
}
