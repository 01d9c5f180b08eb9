//! GSM 03.38 (3GPP TS 23.038): the default alphabet, the extension table, national language
//! single-shift and locking-shift tables ([`Tables`]), and septet packing (SMPP-REFERENCE §8).
//!
//! Over SMPP, GSM text is normally sent unpacked (one septet per octet); [`pack`] and
//! [`unpack`] exist for SMSCs that want packed septets.

use core::fmt;

/// The escape septet that introduces an extension-table character.
pub const ESCAPE: u8 = 0x1B;

/// The default alphabet, indexed by septet. 0x1B is the escape (shown as a space here; it never
/// decodes on its own). Only read at compile time, to build [`DEFAULT`].
const DEFAULT_CHARS: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', //
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', ' ', 'Æ', 'æ', 'ß', 'É', //
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', //
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', //
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', //
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', //
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', //
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', //
];

/// [`DEFAULT_CHARS`] as UTF-16 code units: every character of the default alphabet is in the
/// BMP, and half the size of `char`s matters in firmware (256 bytes).
// Evaluated at compile time: an out-of-range index would be a build error, not a panic.
#[allow(clippy::indexing_slicing)]
static DEFAULT: [u16; 128] = {
    let mut t = [0u16; 128];
    let mut i = 0;
    while i < 128 {
        assert!((DEFAULT_CHARS[i] as u32) < 0x1_0000);
        t[i] = DEFAULT_CHARS[i] as u32 as u16;
        i += 1;
    }
    t
};

/// The extension table shared by the default alphabet and every single-shift table.
///
/// Every shift table here was checked position by position against three independent
/// transcriptions of 23.038 (of versions 8.1, 9.1.1 and 18.0); each national single-shift table
/// holds these ten entries at the same positions, plus its own.
const EXTENSION: &[(u8, char)] = &[
    (0x0A, '\u{0C}'),
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x65, '€'),
];

/// Spanish single shift (23.038 A.2.2): the entries beyond the default extension table.
static SPANISH_SINGLE: [(u8, char); 9] = [
    (0x09, 'ç'),
    (0x41, 'Á'),
    (0x49, 'Í'),
    (0x4F, 'Ó'),
    (0x55, 'Ú'),
    (0x61, 'á'),
    (0x69, 'í'),
    (0x6F, 'ó'),
    (0x75, 'ú'),
];

/// Turkish single shift (23.038 A.2.1): the entries beyond the default extension table.
static TURKISH_SINGLE: [(u8, char); 7] =
    [(0x47, 'Ğ'), (0x49, 'İ'), (0x53, 'Ş'), (0x63, 'ç'), (0x67, 'ğ'), (0x69, 'ı'), (0x73, 'ş')];

/// Portuguese single shift (23.038 A.2.3): the entries beyond the default extension table.
static PORTUGUESE_SINGLE: [(u8, char); 27] = [
    (0x05, 'ê'),
    (0x09, 'ç'),
    (0x0B, 'Ô'),
    (0x0C, 'ô'),
    (0x0E, 'Á'),
    (0x0F, 'á'),
    (0x12, 'Φ'),
    (0x13, 'Γ'),
    (0x15, 'Ω'),
    (0x16, 'Π'),
    (0x17, 'Ψ'),
    (0x18, 'Σ'),
    (0x19, 'Θ'),
    (0x1F, 'Ê'),
    (0x41, 'À'),
    (0x49, 'Í'),
    (0x4F, 'Ó'),
    (0x55, 'Ú'),
    (0x5B, 'Ã'),
    (0x5C, 'Õ'),
    (0x61, 'Â'),
    (0x69, 'í'),
    (0x6F, 'ó'),
    (0x75, 'ú'),
    (0x7B, 'ã'),
    (0x7C, 'õ'),
    (0x7F, 'â'),
];

/// Turkish locking shift (23.038 A.3.1): the positions where it differs from the default
/// alphabet (four transcriptions agree).
static TURKISH_LOCKING: [(u8, char); 8] =
    [(0x04, '€'), (0x07, 'ı'), (0x0B, 'Ğ'), (0x0C, 'ğ'), (0x1C, 'Ş'), (0x1D, 'ş'), (0x40, 'İ'), (0x60, 'ç')];

/// Portuguese locking shift (23.038 A.3.3): the positions where it differs from the default
/// alphabet (four transcriptions agree).
static PORTUGUESE_LOCKING: [(u8, char); 30] = [
    (0x04, 'ê'),
    (0x06, 'ú'),
    (0x07, 'í'),
    (0x08, 'ó'),
    (0x09, 'ç'),
    (0x0B, 'Ô'),
    (0x0C, 'ô'),
    (0x0E, 'Á'),
    (0x0F, 'á'),
    (0x12, 'ª'),
    (0x13, 'Ç'),
    (0x14, 'À'),
    (0x15, '∞'),
    (0x16, '^'),
    (0x17, '\\'),
    (0x18, '€'),
    (0x19, 'Ó'),
    (0x1A, '|'),
    (0x1C, 'Â'),
    (0x1D, 'â'),
    (0x1E, 'Ê'),
    (0x24, 'º'),
    (0x40, 'Í'),
    (0x5B, 'Ã'),
    (0x5C, 'Õ'),
    (0x5D, 'Ú'),
    (0x60, '~'),
    (0x7B, 'ã'),
    (0x7C, 'õ'),
    (0x7D, '`'),
];

/// A national language whose shift tables this crate knows: a single-shift table (UDH IE 0x24)
/// for each, a locking-shift table (IE 0x25) for Turkish and Portuguese (23.038 defines none for
/// Spanish).
///
/// A language is a reference to its tables, so a program links the tables of the languages it
/// names and no others: a firmware that allows no national language (`choose(text, &[], ..)`)
/// carries none. Naming [`Language::ALL`] or calling [`Language::from_id`] (as
/// [`Tables::from_ids`] does when decoding a UDH) links all three. Compare languages with `==`.
///
/// # Example
/// ```
/// use smpp_codec::text::gsm7::Language;
/// assert_eq!(Language::Spanish.id(), 2);
/// assert_eq!(Language::from_id(2), Some(Language::Spanish));
/// assert!(!Language::Spanish.has_locking_shift());
/// assert_eq!(format!("{:?}", Language::Turkish), "Turkish");
/// ```
#[derive(Copy, Clone)]
pub struct Language(&'static National);

/// What a [`Language`] refers to.
struct National {
    id: u8,
    name: &'static str,
    single: &'static [(u8, char)],
    locking: Option<&'static [(u8, char)]>,
}

static TURKISH: National =
    National { id: 1, name: "Turkish", single: &TURKISH_SINGLE, locking: Some(&TURKISH_LOCKING) };
static SPANISH: National = National { id: 2, name: "Spanish", single: &SPANISH_SINGLE, locking: None };
static PORTUGUESE: National =
    National { id: 3, name: "Portuguese", single: &PORTUGUESE_SINGLE, locking: Some(&PORTUGUESE_LOCKING) };

#[allow(non_upper_case_globals)]
impl Language {
    /// Turkish (identifier 1): single and locking shift.
    pub const Turkish: Language = Language(&TURKISH);
    /// Spanish (identifier 2): single shift only.
    pub const Spanish: Language = Language(&SPANISH);
    /// Portuguese (identifier 3): single and locking shift.
    pub const Portuguese: Language = Language(&PORTUGUESE);

    /// Every language known here, in identifier order.
    pub const ALL: [Language; 3] = [Language::Turkish, Language::Spanish, Language::Portuguese];

    /// The national language identifier carried in the UDH IE.
    pub const fn id(self) -> u8 {
        self.0.id
    }

    /// The language for an identifier, if known here.
    pub const fn from_id(id: u8) -> Option<Language> {
        match id {
            1 => Some(Language::Turkish),
            2 => Some(Language::Spanish),
            3 => Some(Language::Portuguese),
            _ => None,
        }
    }

    /// Whether 23.038 defines a locking-shift table for the language (not for Spanish).
    pub const fn has_locking_shift(self) -> bool {
        self.0.locking.is_some()
    }

    /// The language's name in English.
    pub const fn name(self) -> &'static str {
        self.0.name
    }
}

impl PartialEq for Language {
    fn eq(&self, other: &Language) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for Language {}

impl core::hash::Hash for Language {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.0.id.hash(state);
    }
}

impl fmt::Debug for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Language {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.0.name)
    }
}

/// The two tables GSM 7-bit text is written with (23.038 §6.2.1, Annex A): the base alphabet,
/// which is the default one or a national locking-shift table (UDH IE 0x25), and the table the
/// escape reaches, which is the default extension or a national single-shift table (IE 0x24).
///
/// A `locking` language without a locking-shift table (Spanish) means the default alphabet, as
/// a receiver that lacks the table would read it; no IE is written for it.
///
/// # Example
/// ```
/// use smpp_codec::text::gsm7::{self, Language, Tables};
/// // "ğ" is one septet in the Turkish locking table, an escape pair with the single shift.
/// let mut out = [0u8; 4];
/// assert_eq!(gsm7::encode("ğ", Tables::locking(Language::Turkish), &mut out), Ok(1));
/// assert_eq!(gsm7::encode("ğ", Tables::single(Language::Turkish), &mut out), Ok(2));
/// assert_eq!(&out[..2], &[0x1B, 0x67]);
/// assert_eq!(Tables::both(Language::Turkish).ie_octets(), 6);
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Tables {
    /// The locking-shift language, if any.
    pub locking: Option<Language>,
    /// The single-shift language, if any.
    pub single: Option<Language>,
}

impl Tables {
    /// The default alphabet and the default extension table.
    pub const DEFAULT: Tables = Tables { locking: None, single: None };

    /// A national single-shift table over the default alphabet.
    pub const fn single(language: Language) -> Tables {
        Tables { locking: None, single: Some(language) }
    }

    /// A national locking-shift table with the default extension table.
    pub const fn locking(language: Language) -> Tables {
        Tables { locking: Some(language), single: None }
    }

    /// Both tables of one language.
    pub const fn both(language: Language) -> Tables {
        Tables { locking: Some(language), single: Some(language) }
    }

    /// The tables named by a UDH's IEs (identifiers as carried); an identifier not known here
    /// means the default table, as 23.038 tells a receiver without the table to do.
    pub const fn from_ids(locking: Option<u8>, single: Option<u8>) -> Tables {
        let locking = match locking {
            Some(id) => Language::from_id(id),
            None => None,
        };
        let single = match single {
            Some(id) => Language::from_id(id),
            None => None,
        };
        Tables { locking, single }
    }

    /// The locking-shift identifier to put in a UDH (IE 0x25), if one is needed.
    pub const fn locking_id(self) -> Option<u8> {
        match self.locking {
            Some(l) if l.has_locking_shift() => Some(l.id()),
            _ => None,
        }
    }

    /// The single-shift identifier to put in a UDH (IE 0x24), if one is needed.
    pub const fn single_id(self) -> Option<u8> {
        match self.single {
            Some(l) => Some(l.id()),
            None => None,
        }
    }

    /// Whether these tables read exactly as the default ones, so that no IE is written (true for
    /// [`Tables::DEFAULT`] and for a locking language without a locking table).
    pub const fn is_default(self) -> bool {
        self.locking_id().is_none() && self.single.is_none()
    }

    /// UDH octets the national-language IEs take (3 per IE, UDHL not included).
    pub const fn ie_octets(self) -> usize {
        (self.locking_id().is_some() as usize + self.single_id().is_some() as usize) * 3
    }

    /// The overlay of the locking-shift table on the default alphabet, if any.
    fn overlay(self) -> Option<&'static [(u8, char)]> {
        match self.locking {
            Some(l) => l.0.locking,
            None => None,
        }
    }
}

/// Maps ASCII to its default-alphabet septet; 0xFE = extension table, 0xFF = not in GSM.
// Evaluated at compile time: an out-of-range index would be a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const ASCII: [u8; 128] = {
    let mut t = [0xFFu8; 128];
    let mut i = 0;
    while i < 128 {
        let c = DEFAULT_CHARS[i] as u32;
        if c < 128 && i != ESCAPE as usize {
            t[c as usize] = i as u8;
        }
        i += 1;
    }
    let mut j = 0;
    while j < EXTENSION.len() {
        let c = EXTENSION[j].1 as u32;
        if c < 128 {
            t[c as usize] = 0xFE;
        }
        j += 1;
    }
    t
};

/// How a character is written in GSM 7-bit: one septet, or the escape and a septet.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Septets {
    One(u8),
    Escaped(u8),
}

impl Septets {
    pub(crate) const fn len(self) -> usize {
        match self {
            Septets::One(_) => 1,
            Septets::Escaped(_) => 2,
        }
    }
}

/// The septets for `c` in `tables`, or `None` when GSM cannot write it.
#[inline]
pub(crate) fn lookup(c: char, tables: Tables) -> Option<Septets> {
    let overlay = tables.overlay();
    // A character of the locking-shift table, where it differs from the default alphabet.
    if let Some(&(s, _)) = overlay.and_then(|o| o.iter().find(|(_, e)| *e == c)) {
        return Some(Septets::One(s));
    }
    let code = c as u32;
    if code < 128 {
        // No locking-shift table replaces an ASCII character of the default alphabet, so the
        // ASCII map holds for every base table.
        match ASCII.get(code as usize).copied() {
            Some(0xFF | 0xFE) | None => {}
            Some(s) => return Some(Septets::One(s)),
        }
    } else if let Some(i) = u16::try_from(code).ok().and_then(|c| DEFAULT.iter().position(|&d| d == c)) {
        let replaced = overlay.is_some_and(|o| o.iter().any(|(s, _)| usize::from(*s) == i));
        if i != usize::from(ESCAPE) && !replaced {
            return Some(Septets::One(i as u8));
        }
    }
    // ç is drawn at 0x09 as a capital in 23.038; encode both Ç and ç there (§12 #15).
    if c == 'ç' && tables.is_default() {
        return Some(Septets::One(0x09));
    }
    let ext = match tables.single {
        None => EXTENSION.iter().find(|(_, e)| *e == c),
        Some(l) => l.0.single.iter().chain(EXTENSION).find(|(_, e)| *e == c),
    };
    ext.map(|(s, _)| Septets::Escaped(*s))
}

/// The character of a septet of the base table.
fn base(septet: u8, tables: Tables) -> Option<char> {
    let own = tables.overlay().and_then(|o| o.iter().find(|(s, _)| *s == septet));
    own.map(|(_, c)| *c).or_else(|| DEFAULT.get(usize::from(septet)).and_then(|&u| char::from_u32(u32::from(u))))
}

/// The character of an extension septet (after the escape).
fn extension(septet: u8, tables: Tables) -> Option<char> {
    let own = tables.single.and_then(|l| l.0.single.iter().find(|(s, _)| *s == septet));
    own.or_else(|| EXTENSION.iter().find(|(s, _)| *s == septet)).map(|(_, c)| *c)
}

/// A character GSM 7-bit cannot write.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Unrepresentable {
    /// The character.
    pub ch: char,
    /// Its index in the text, in characters.
    pub position: usize,
}

impl fmt::Display for Unrepresentable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "character {:?} at position {} has no GSM 03.38 encoding", self.ch, self.position)
    }
}

impl core::error::Error for Unrepresentable {}

/// Septets needed to write `text` (extension characters count 2).
///
/// # Errors
/// The first character GSM cannot write, with its position.
pub fn septet_len(text: &str, tables: Tables) -> Result<usize, Unrepresentable> {
    text.chars().enumerate().try_fold(0usize, |n, (position, ch)| match lookup(ch, tables) {
        Some(s) => Ok(n + s.len()),
        None => Err(Unrepresentable { ch, position }),
    })
}

/// Whether every character of `text` has a GSM encoding.
pub fn is_representable(text: &str, tables: Tables) -> bool {
    septet_len(text, tables).is_ok()
}

/// Why encoding failed.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EncodeError {
    /// A character has no encoding (see [`encode_lossy`] to replace it with '?').
    Unrepresentable(Unrepresentable),
    /// The output buffer is too small.
    BufferTooSmall {
        /// Octets needed.
        needed: usize,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Unrepresentable(u) => u.fmt(f),
            EncodeError::BufferTooSmall { needed } => write!(f, "output buffer too small: {needed} octets needed"),
        }
    }
}

impl core::error::Error for EncodeError {}

fn write_septets(text: &str, tables: Tables, lossy: bool, out: &mut [u8]) -> Result<usize, EncodeError> {
    let mut n = 0;
    for (position, ch) in text.chars().enumerate() {
        let s = match lookup(ch, tables) {
            Some(s) => s,
            None if lossy => Septets::One(0x3F),
            None => return Err(EncodeError::Unrepresentable(Unrepresentable { ch, position })),
        };
        let (a, b) = match s {
            Septets::One(x) => (x, None),
            Septets::Escaped(x) => (ESCAPE, Some(x)),
        };
        for v in core::iter::once(a).chain(b) {
            if let Some(slot) = out.get_mut(n) {
                *slot = v;
            }
            n += 1;
        }
    }
    Ok(n)
}

/// Writes `text` as unpacked septets (one per octet, what SMSCs expect with data_coding 0) and
/// returns the octets written, which equal [`septet_len`].
///
/// # Errors
/// A character GSM cannot write (nothing is replaced silently), or a buffer too small; `out`
/// is untouched on error.
///
/// # Example
/// ```
/// use smpp_codec::text::gsm7;
/// let mut out = [0u8; 16];
/// let n = gsm7::encode("@£€", gsm7::Tables::DEFAULT, &mut out).unwrap();
/// assert_eq!(&out[..n], &[0x00, 0x01, 0x1B, 0x65]);
/// ```
pub fn encode(text: &str, tables: Tables, out: &mut [u8]) -> Result<usize, EncodeError> {
    let needed = septet_len(text, tables).map_err(EncodeError::Unrepresentable)?;
    let out = out.get_mut(..needed).ok_or(EncodeError::BufferTooSmall { needed })?;
    write_septets(text, tables, false, out)
}

/// Like [`encode`], but writes '?' for characters GSM cannot write. The caller asked for the
/// replacement; the count of replaced characters is returned beside the length.
///
/// # Errors
/// A buffer too small; `out` is untouched then.
pub fn encode_lossy(text: &str, tables: Tables, out: &mut [u8]) -> Result<(usize, usize), EncodeError> {
    let (needed, replaced) = text.chars().fold((0, 0), |(n, r), c| match lookup(c, tables) {
        Some(s) => (n + s.len(), r),
        None => (n + 1, r + 1),
    });
    let out = out.get_mut(..needed).ok_or(EncodeError::BufferTooSmall { needed })?;
    Ok((write_septets(text, tables, true, out)?, replaced))
}

/// Decodes unpacked septets (one per octet; the top bit is ignored) into characters.
///
/// Tolerant as the reference advises: an escape followed by a septet not in the extension
/// (or single-shift) table decodes as the base table's character for that septet, as 23.038
/// tells a receiver to; `1B 1B` and a lone final escape decode as a space.
pub fn decode(septets: &[u8], tables: Tables) -> Decoder<'_> {
    Decoder { septets, tables }
}

/// Iterator over the characters of GSM septets, from [`decode`].
#[derive(Clone, Debug)]
pub struct Decoder<'a> {
    septets: &'a [u8],
    tables: Tables,
}

impl Iterator for Decoder<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let (&first, rest) = self.septets.split_first()?;
        self.septets = rest;
        let s = first & 0x7F;
        if s != ESCAPE {
            return base(s, self.tables);
        }
        let Some((&second, rest)) = self.septets.split_first() else { return Some(' ') };
        self.septets = rest;
        let e = second & 0x7F;
        if e == ESCAPE {
            return Some(' ');
        }
        extension(e, self.tables).or_else(|| base(e, self.tables))
    }
}

/// Octets that `septets` septets occupy when packed after `fill_bits` fill bits.
pub const fn packed_len(septets: usize, fill_bits: u8) -> usize {
    (septets * 7 + fill_bits as usize).div_ceil(8)
}

/// The fill bits that align the first septet after a UDH of `udh_octets` octets (UDHL
/// included) on a septet boundary.
pub const fn fill_bits(udh_octets: usize) -> u8 {
    ((7 - (udh_octets * 8) % 7) % 7) as u8
}

/// Packs septets LSB-first after `fill_bits` zero bits and returns the octets written.
///
/// # Errors
/// [`EncodeError::BufferTooSmall`]; `out` is untouched then.
///
/// # Example
/// ```
/// use smpp_codec::text::gsm7;
/// let mut septets = [0u8; 10];
/// gsm7::encode("hellohello", gsm7::Tables::DEFAULT, &mut septets).unwrap();
/// let mut packed = [0u8; 9];
/// assert_eq!(gsm7::pack(&septets, 0, &mut packed), Ok(9));
/// assert_eq!(packed, [0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37]);
/// ```
pub fn pack(septets: &[u8], fill_bits: u8, out: &mut [u8]) -> Result<usize, EncodeError> {
    let needed = packed_len(septets.len(), fill_bits);
    let out = out.get_mut(..needed).ok_or(EncodeError::BufferTooSmall { needed })?;
    out.fill(0);
    let mut bit = usize::from(fill_bits);
    for &s in septets {
        let v = u16::from(s & 0x7F) << (bit % 8);
        let i = bit / 8;
        if let Some(o) = out.get_mut(i) {
            *o |= v as u8;
        }
        if let Some(o) = out.get_mut(i + 1) {
            *o |= (v >> 8) as u8;
        }
        bit += 7;
    }
    Ok(needed)
}

/// Unpacks `count` septets that start after `fill_bits` bits of `packed` into `out` (one per
/// octet) and returns how many were written (fewer if `packed` is short).
pub fn unpack(packed: &[u8], fill_bits: u8, count: usize, out: &mut [u8]) -> usize {
    let mut bit = usize::from(fill_bits);
    let mut n = 0;
    for slot in out.iter_mut().take(count) {
        if bit + 7 > packed.len() * 8 {
            break;
        }
        let i = bit / 8;
        let lo = packed.get(i).copied().unwrap_or(0);
        let hi = packed.get(i + 1).copied().unwrap_or(0);
        let word = u16::from(lo) | (u16::from(hi) << 8);
        *slot = ((word >> (bit % 8)) & 0x7F) as u8;
        bit += 7;
        n += 1;
    }
    n
}
