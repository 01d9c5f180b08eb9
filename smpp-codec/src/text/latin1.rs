//! Latin-1 (ISO-8859-1, data_coding 3) and IA5/ASCII (data_coding 1).

use super::gsm7::Unrepresentable;

/// Writes `text` as Latin-1 (or as ASCII when `ascii_only`), one octet per character.
///
/// # Errors
/// The first character outside the set, with its position; or, when `out` is shorter than
/// [`encoded_len`], the first character that does not fit. `out` is untouched on error.
pub fn encode(text: &str, ascii_only: bool, out: &mut [u8]) -> Result<usize, Unrepresentable> {
    let limit = if ascii_only { 0x7F } else { 0xFF };
    // One pass checks every character and finds the first that does not fit, the second writes:
    // no separate count (and no second walk to find that character).
    let mut n = 0;
    let mut overflow = None;
    for (position, ch) in text.chars().enumerate() {
        if u32::from(ch) > limit {
            return Err(Unrepresentable { ch, position });
        }
        if position == out.len() {
            overflow = Some(Unrepresentable { ch, position });
        }
        n = position + 1;
    }
    if let Some(e) = overflow {
        return Err(e);
    }
    for (d, c) in out.iter_mut().zip(text.chars()) {
        *d = u32::from(c) as u8;
    }
    Ok(n)
}

/// Octets [`encode`] writes: one per character.
pub fn encoded_len(text: &str) -> usize {
    text.chars().count()
}

/// Decodes Latin-1 octets (every octet is a character).
pub fn decode(octets: &[u8]) -> impl Iterator<Item = char> + '_ {
    octets.iter().map(|&b| char::from(b))
}
