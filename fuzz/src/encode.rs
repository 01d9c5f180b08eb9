//! Writes values the way `arbitrary` 1.x reads them, so that a seed is written as the value it
//! stands for (and checked by reading it back): integers little-endian, a bool as one octet, an
//! enum variant as a `u32` scaled onto the variants, a collection as "one more element" flags
//! before each element and a final 0 (the last field of the input takes the rest: no final 0).

/// Octets being written.
#[derive(Debug, Default)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }

    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.u8(u8::from(v))
    }

    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// Variant `index` of an enum of `count` variants: the smallest `u32` that `arbitrary`
    /// scales onto it (`(x * count) >> 32 == index`).
    pub fn variant(&mut self, index: u32, count: u32) -> &mut Self {
        assert!(index < count);
        let x = (u64::from(index) << 32).div_ceil(u64::from(count));
        self.0.extend_from_slice(&u32::try_from(x).unwrap().to_le_bytes());
        self
    }

    /// A `Vec<u8>` that is not the last field.
    pub fn vec(&mut self, v: &[u8]) -> &mut Self {
        for b in v {
            self.u8(1).u8(*b);
        }
        self.u8(0)
    }

    /// One more element of the last field's collection follows.
    pub fn more(&mut self) -> &mut Self {
        self.u8(1)
    }
}
