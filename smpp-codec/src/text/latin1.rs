//! Latin-1 (ISO-8859-1, data_coding 3) and IA5/ASCII (data_coding 1).

use super::gsm7::Unrepresentable;

/// Writes `text` as Latin-1 (or as ASCII when `ascii_only`), one octet per character.
///
/// # Errors
/// The first character outside the set, with its position; or, when `out` is shorter than
/// [`encoded_len`], the first character that does not fit. `out` is untouched on error.
pub fn encode(text: &str, ascii_only: bool, out: &mut [u8]) -> Result<usize, Unrepresentable> {
    let limit = if ascii_only { 0x7F } else { 0xFF };
    if let Some((position, ch)) = text.chars().enumerate().find(|(_, c)| u32::from(*c) > limit) {
        return Err(Unrepresentable { ch, position });
    }
    let n = text.chars().count();
    if let Some(dst) = out.get_mut(..n) {
        for (d, c) in dst.iter_mut().zip(text.chars()) {
            *d = u32::from(c) as u8;
        }
        Ok(n)
    } else {
        Err(Unrepresentable { ch: text.chars().nth(out.len()).unwrap_or('\0'), position: out.len() })
    }
}

/// Octets [`encode`] writes: one per character.
pub fn encoded_len(text: &str) -> usize {
    text.chars().count()
}

/// Decodes Latin-1 octets (every octet is a character).
pub fn decode(octets: &[u8]) -> impl Iterator<Item = char> + '_ {
    octets.iter().map(|&b| char::from(b))
}
