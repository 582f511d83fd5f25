//! Decoding fuzzer bytes into the whole range of inputs: raw f64 bit patterns (every NaN, infinity,
//! subnormal and huge value is reachable) and sizes from small to `usize::MAX`.

pub struct Input<'a>(pub &'a [u8]);

impl Input<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut b = [0u8; N];
        let n = N.min(self.0.len());
        b[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        b
    }
    /// Any f64 bit pattern.
    pub fn f64(&mut self) -> f64 {
        f64::from_le_bytes(self.take::<8>())
    }
    /// A size: mostly small, sometimes huge.
    pub fn size(&mut self, small: usize) -> usize {
        let [tag] = self.take::<1>();
        match tag % 8 {
            0 => usize::MAX,
            // Beyond every allocation budget (a typed TooLarge), never a slow-but-legal size.
            1 => 1 << (40 + tag as usize % 24),
            _ => u16::from_le_bytes(self.take::<2>()) as usize % small.max(1),
        }
    }
    pub fn bool(&mut self) -> bool {
        self.take::<1>()[0] & 1 == 1
    }
}
