//! Seed mixing: the SplitMix64 finaliser (Steele, Lea & Flood 2014) that every nqg seed stream is
//! derived with, so one bijective 64-bit mix is written once.

/// SplitMix64 finaliser: $z \leftarrow z + \phi$, then three xor-shift-multiply rounds; a bijection
/// of `u64` with good avalanche, used to turn (seed, index) pairs into independent generator seeds.
#[inline]
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::splitmix64;

    #[test]
    fn reference_values_of_the_published_generator() {
        // Vigna's splitmix64.c from state 0 outputs mix(k φ) for k = 1, 2, 3, i.e. splitmix64((k-1) φ):
        // E220A8397B1DCDAF, 6E789E6AA1B965F4, 06C45D188009454F.
        let g = 0x9E37_79B9_7F4A_7C15u64;
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(g), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(splitmix64(g.wrapping_mul(2)), 0x06C4_5D18_8009_454F);
    }
}
