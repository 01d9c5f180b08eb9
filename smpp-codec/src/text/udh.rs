//! User data headers (SMPP-REFERENCE §9): reading the IEs of a short message and writing the
//! concatenation and national-language IEs.

use super::BufferTooSmall;
use super::gsm7::Tables;

/// IE: concatenated message, 8-bit reference.
pub const IE_CONCAT_8: u8 = 0x00;
/// IE: concatenated message, 16-bit reference.
pub const IE_CONCAT_16: u8 = 0x08;
/// IE: application port addressing, 8-bit.
pub const IE_PORTS_8: u8 = 0x04;
/// IE: application port addressing, 16-bit.
pub const IE_PORTS_16: u8 = 0x05;
/// IE: national language single shift.
pub const IE_SINGLE_SHIFT: u8 = 0x24;
/// IE: national language locking shift.
pub const IE_LOCKING_SHIFT: u8 = 0x25;

/// A part of a concatenated message.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Concat {
    /// The message's reference (8 or 16 bits).
    pub reference: u16,
    /// Parts in the message, 1–255.
    pub total: u8,
    /// This part's number, from 1.
    pub seq: u8,
    /// Whether the reference is the 16-bit form (IE 0x08).
    pub wide: bool,
}

/// What a UDH says, as far as this crate uses it.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Udh {
    /// Concatenation, if present.
    pub concat: Option<Concat>,
    /// Destination and originator ports, if present.
    pub ports: Option<(u16, u16)>,
    /// National language single shift identifier, if present.
    pub single_shift: Option<u8>,
    /// National language locking shift identifier, if present.
    pub locking_shift: Option<u8>,
}

/// A UDH that does not fit its own length fields.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MalformedUdh;

impl core::fmt::Display for MalformedUdh {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("user data header overruns the short message")
    }
}

impl core::error::Error for MalformedUdh {}

impl Udh {
    /// Splits a short message whose esm_class has UDHI into its header and the rest, reading the
    /// IEs. Unknown IEs are skipped by their length.
    ///
    /// # Errors
    /// [`MalformedUdh`] when UDHL or an IE length runs past the end.
    ///
    /// # Example
    /// ```
    /// use smpp_codec::text::udh::{Udh, Concat};
    /// let sm = [0x05, 0x00, 0x03, 0x2A, 0x02, 0x01, b'h', b'i'];
    /// let (udh, rest) = Udh::split(&sm).unwrap();
    /// assert_eq!(udh.concat, Some(Concat { reference: 0x2A, total: 2, seq: 1, wide: false }));
    /// assert_eq!(rest, b"hi");
    /// ```
    pub fn split(short_message: &[u8]) -> Result<(Udh, &[u8]), MalformedUdh> {
        let (&udhl, rest) = short_message.split_first().ok_or(MalformedUdh)?;
        let (mut ies, payload) = rest.split_at_checked(usize::from(udhl)).ok_or(MalformedUdh)?;
        let mut udh = Udh::default();
        while let Some((&iei, rest)) = ies.split_first() {
            let (&len, rest) = rest.split_first().ok_or(MalformedUdh)?;
            let (data, rest) = rest.split_at_checked(usize::from(len)).ok_or(MalformedUdh)?;
            ies = rest;
            match (iei, data) {
                (IE_CONCAT_8, &[r, total, seq]) => {
                    udh.concat = Some(Concat { reference: u16::from(r), total, seq, wide: false })
                }
                (IE_CONCAT_16, &[r1, r2, total, seq]) => {
                    udh.concat = Some(Concat { reference: u16::from_be_bytes([r1, r2]), total, seq, wide: true })
                }
                (IE_PORTS_8, &[d, o]) => udh.ports = Some((u16::from(d), u16::from(o))),
                (IE_PORTS_16, &[d1, d2, o1, o2]) => {
                    udh.ports = Some((u16::from_be_bytes([d1, d2]), u16::from_be_bytes([o1, o2])))
                }
                (IE_SINGLE_SHIFT, &[l]) => udh.single_shift = Some(l),
                (IE_LOCKING_SHIFT, &[l]) => udh.locking_shift = Some(l),
                _ => {}
            }
        }
        Ok((udh, payload))
    }

    /// The GSM tables the national-language IEs select (the default ones for identifiers this
    /// crate does not know).
    pub const fn tables(&self) -> Tables {
        Tables::from_ids(self.locking_shift, self.single_shift)
    }

    /// Octets [`write`](Self::write) takes (UDHL included); 0 when there is nothing to write.
    pub fn encoded_len(&self) -> usize {
        let ies = self.concat.map_or(0, |c| if c.wide { 6 } else { 5 })
            + self.ports.map_or(0, |_| 6)
            + self.single_shift.map_or(0, |_| 3)
            + self.locking_shift.map_or(0, |_| 3);
        if ies == 0 { 0 } else { ies + 1 }
    }

    /// Writes UDHL and the IEs (ports always in the 16-bit form) and returns the octets written.
    ///
    /// # Errors
    /// [`BufferTooSmall`] with the octets needed when `out` is too small; `out` is untouched
    /// then.
    pub fn write(&self, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let needed = self.encoded_len();
        let out = out.get_mut(..needed).ok_or(BufferTooSmall { needed })?;
        let mut w = OctetWriter { out, pos: 0 };
        if needed > 0 {
            w.put(&[(needed - 1) as u8]);
        }
        if let Some(c) = self.concat {
            if c.wide {
                let [a, b] = c.reference.to_be_bytes();
                w.put(&[IE_CONCAT_16, 4, a, b, c.total, c.seq]);
            } else {
                w.put(&[IE_CONCAT_8, 3, c.reference as u8, c.total, c.seq]);
            }
        }
        if let Some((d, o)) = self.ports {
            let ([d1, d2], [o1, o2]) = (d.to_be_bytes(), o.to_be_bytes());
            w.put(&[IE_PORTS_16, 4, d1, d2, o1, o2]);
        }
        if let Some(l) = self.single_shift {
            w.put(&[IE_SINGLE_SHIFT, 1, l]);
        }
        if let Some(l) = self.locking_shift {
            w.put(&[IE_LOCKING_SHIFT, 1, l]);
        }
        Ok(w.pos)
    }
}

struct OctetWriter<'a> {
    out: &'a mut [u8],
    pos: usize,
}

impl OctetWriter<'_> {
    fn put(&mut self, bytes: &[u8]) {
        if let Some(dst) = self.out.get_mut(self.pos..self.pos + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
        self.pos += bytes.len();
    }
}
