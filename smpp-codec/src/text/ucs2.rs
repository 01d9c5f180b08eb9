//! UCS-2 as SMSCs use it: UTF-16BE, surrogate pairs included (data_coding 8).

use core::fmt;

use super::BufferTooSmall;

/// UTF-16 code units `text` takes (a character outside the BMP takes two).
pub fn unit_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// Writes `text` as UTF-16BE and returns the octets written (2 × [`unit_len`]).
///
/// # Errors
/// [`BufferTooSmall`] with the octets needed, when `out` is too small; `out` is untouched then.
///
/// # Example
/// ```
/// use smpp_codec::text::ucs2;
/// let mut out = [0u8; 8];
/// assert_eq!(ucs2::encode("Hi👋", &mut out), Ok(8));
/// assert_eq!(out, [0x00, 0x48, 0x00, 0x69, 0xD8, 0x3D, 0xDC, 0x4B]);
/// ```
pub fn encode(text: &str, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
    let needed = unit_len(text) * 2;
    let out = out.get_mut(..needed).ok_or(BufferTooSmall { needed })?;
    for (pair, unit) in out.chunks_exact_mut(2).zip(text.encode_utf16()) {
        pair.copy_from_slice(&unit.to_be_bytes());
    }
    Ok(needed)
}

/// Malformed UTF-16BE input.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DecodeError {
    /// An odd number of octets.
    OddLength,
    /// A lone surrogate at this code unit index.
    LoneSurrogate {
        /// The index, in code units.
        position: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::OddLength => f.write_str("UCS-2 data has an odd number of octets"),
            DecodeError::LoneSurrogate { position } => write!(f, "lone UTF-16 surrogate at code unit {position}"),
        }
    }
}

impl core::error::Error for DecodeError {}

/// Decodes UTF-16BE into characters; each item is a character or the error at that place
/// (callers that prefer replacement map errors to U+FFFD).
pub fn decode(octets: &[u8]) -> impl Iterator<Item = Result<char, DecodeError>> + '_ {
    let units = octets
        .chunks_exact(2)
        .map(|p| u16::from_be_bytes([p.first().copied().unwrap_or(0), p.get(1).copied().unwrap_or(0)]));
    let mut position = 0usize;
    let odd = (octets.len() % 2 == 1).then_some(Err(DecodeError::OddLength));
    char::decode_utf16(units)
        .map(move |r| {
            let here = position;
            let item = r.map_err(|_| DecodeError::LoneSurrogate { position: here });
            position += item.map_or(1, char::len_utf16);
            item
        })
        .chain(odd)
}
