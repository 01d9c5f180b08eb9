//! Choosing an encoding and splitting a text into parts (SMPP-REFERENCE §8.4, §9), into the
//! caller's buffers.
//!
//! Limits with an 8-bit reference UDH: 153 GSM septets, 134 octets or 67 UCS-2 code units per
//! part (fewer with a 16-bit reference or shift-table IEs). An escape sequence or a surrogate
//! pair is never split; at most 255 parts.

use core::fmt;

use super::gsm7::{self, Language, Septets, Tables, Unrepresentable};
use super::udh::{Concat, Udh};
use crate::DataCoding;

/// User data octets in one SMS.
pub const USER_DATA_OCTETS: usize = 140;
/// Most parts a concatenated message can have.
pub const MAX_PARTS: usize = 255;

/// How the text is encoded.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Encoding {
    /// GSM 03.38, with the default tables or national shift tables (data_coding 0).
    Gsm7(Tables),
    /// UTF-16BE (data_coding 8).
    Ucs2,
    /// Latin-1 (data_coding 3).
    Latin1,
    /// IA5 / ASCII (data_coding 1).
    Ascii,
}

impl Encoding {
    /// The data_coding value to send with it.
    pub const fn data_coding(self) -> DataCoding {
        match self {
            Encoding::Gsm7(_) => DataCoding::DEFAULT,
            Encoding::Ucs2 => DataCoding::UCS2,
            Encoding::Latin1 => DataCoding::LATIN1,
            Encoding::Ascii => DataCoding::IA5,
        }
    }

    const fn tables(self) -> Tables {
        match self {
            Encoding::Gsm7(t) => t,
            _ => Tables::DEFAULT,
        }
    }

    /// Units (septets, code units or octets) `c` takes, or `None` if it cannot be written.
    fn cost(self, c: char) -> Option<usize> {
        match self {
            Encoding::Gsm7(t) => gsm7::lookup(c, t).map(Septets::len),
            Encoding::Ucs2 => Some(c.len_utf16()),
            Encoding::Latin1 => (u32::from(c) <= 0xFF).then_some(1),
            Encoding::Ascii => (u32::from(c) <= 0x7F).then_some(1),
        }
    }

    /// Units that fit in `octets` octets of user data.
    const fn units_in(self, octets: usize) -> usize {
        match self {
            Encoding::Gsm7(_) => octets * 8 / 7,
            Encoding::Ucs2 => octets / 2,
            Encoding::Latin1 | Encoding::Ascii => octets,
        }
    }
}

/// How the parts of a long message are tied together.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Concatenation {
    /// A UDH with IE 0x00 (8-bit reference) in each part; set UDHI in esm_class.
    Udh8,
    /// A UDH with IE 0x08 (16-bit reference) in each part; set UDHI in esm_class.
    Udh16,
    /// sar_msg_ref_num / sar_total_segments / sar_segment_seqnum TLVs on each part; the SMSC
    /// builds the UDH. Parts keep the 8-bit UDH limits to stay safe.
    Sar,
    /// The whole text in one message_payload TLV (one PDU, up to 65 535 octets).
    Payload,
}

/// Why a text cannot be split as asked.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SegmentError {
    /// A character the chosen encoding cannot write.
    Unrepresentable(Unrepresentable),
    /// The text needs more than 255 parts.
    TooManyParts {
        /// Parts it would need.
        parts: usize,
    },
    /// The text is longer than one message_payload TLV can carry.
    TooLong,
    /// The output buffer is too small for the part.
    BufferTooSmall {
        /// Octets needed.
        needed: usize,
    },
}

impl fmt::Display for SegmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SegmentError::Unrepresentable(u) => u.fmt(f),
            SegmentError::TooManyParts { parts } => write!(f, "text needs {parts} parts; at most 255 are possible"),
            SegmentError::TooLong => f.write_str("text is longer than a message_payload TLV can carry"),
            SegmentError::BufferTooSmall { needed } => write!(f, "output buffer too small: {needed} octets needed"),
        }
    }
}

impl core::error::Error for SegmentError {}

/// What a text costs in an encoding: what a phone shows while typing.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Plan {
    /// The encoding.
    pub encoding: Encoding,
    /// Number of parts (1 for a text that fits one SMS, or for message_payload).
    pub parts: usize,
    /// Units the whole text takes (septets, UTF-16 code units or octets).
    pub units: usize,
    /// Units one part holds.
    pub per_part: usize,
    /// Units still free in the last part.
    pub remaining: usize,
}

/// The UDH of one part: the concatenation IE when the message has several parts (8- or 16-bit
/// reference; none for SAR or message_payload), and the encoding's national-language IEs.
fn part_udh(encoding: Encoding, concat: Concatenation, multipart: bool, reference: u16, total: u8, seq: u8) -> Udh {
    let concat = match (concat, multipart) {
        (Concatenation::Udh8, true) => Some(Concat { reference: reference & 0xFF, total, seq, wide: false }),
        (Concatenation::Udh16, true) => Some(Concat { reference, total, seq, wide: true }),
        _ => None,
    };
    let tables = encoding.tables();
    Udh { concat, single_shift: tables.single_id(), locking_shift: tables.locking_id(), ..Udh::default() }
}

/// UDH octets (UDHL included) each part has room for: what [`part_udh`] writes, except that SAR
/// parts keep room for the 8-bit UDH the SMSC builds from the TLVs.
fn udh_octets(encoding: Encoding, concat: Concatenation, multipart: bool) -> usize {
    let room = if concat == Concatenation::Sar { Concatenation::Udh8 } else { concat };
    part_udh(encoding, room, multipart, 0, 0, 0).encoded_len()
}

fn units_per_part(encoding: Encoding, concat: Concatenation, multipart: bool) -> usize {
    encoding.units_in(USER_DATA_OCTETS - udh_octets(encoding, concat, multipart))
}

/// Counts parts the way [`Segmenter`] cuts them (a character never straddles two parts).
fn count_parts(text: &str, encoding: Encoding, per_part: usize) -> usize {
    let mut parts = 1;
    let mut used = 0;
    for c in text.chars() {
        let cost = encoding.cost(c).unwrap_or(1);
        if used + cost > per_part {
            parts += 1;
            used = 0;
        }
        used += cost;
    }
    parts
}

/// The plan of `text` in `encoding`.
///
/// # Errors
/// A character the encoding cannot write; more than 255 parts; a text too long for
/// message_payload.
pub fn plan(text: &str, encoding: Encoding, concat: Concatenation) -> Result<Plan, SegmentError> {
    let mut units = 0;
    for (position, ch) in text.chars().enumerate() {
        units += encoding.cost(ch).ok_or(SegmentError::Unrepresentable(Unrepresentable { ch, position }))?;
    }
    if concat == Concatenation::Payload {
        let octets = match encoding {
            Encoding::Gsm7(_) | Encoding::Latin1 | Encoding::Ascii => units,
            Encoding::Ucs2 => units * 2,
        } + udh_octets(encoding, concat, false);
        if octets > usize::from(u16::MAX) {
            return Err(SegmentError::TooLong);
        }
        return Ok(Plan { encoding, parts: 1, units, per_part: units, remaining: 0 });
    }
    let single = units_per_part(encoding, concat, false);
    if units <= single {
        return Ok(Plan { encoding, parts: 1, units, per_part: single, remaining: single - units });
    }
    let per_part = units_per_part(encoding, concat, true);
    let parts = count_parts(text, encoding, per_part);
    if parts > MAX_PARTS {
        return Err(SegmentError::TooManyParts { parts });
    }
    let last = last_part_units(text, encoding, per_part);
    Ok(Plan { encoding, parts, units, per_part, remaining: per_part - last })
}

fn last_part_units(text: &str, encoding: Encoding, per_part: usize) -> usize {
    let mut used = 0;
    for c in text.chars() {
        let cost = encoding.cost(c).unwrap_or(1);
        if used + cost > per_part {
            used = 0;
        }
        used += cost;
    }
    used
}

/// The cheapest encoding that writes `text` exactly: GSM 7-bit; else GSM with the shift tables
/// of one of the allowed languages (single shift, locking shift, or both), when that needs fewer
/// parts than UCS-2; else UCS-2. Among shift-table choices with as many parts, the one with the
/// shorter UDH wins (a single shift before a locking shift before both).
///
/// With no language allowed the national tables cost nothing: `choose` is inlined, the empty
/// slice ends it after the default alphabet, and the search over languages is never linked.
///
/// # Example
/// ```
/// use smpp_codec::text::gsm7::Language;
/// use smpp_codec::text::segment::{choose, Concatenation, Encoding};
/// use smpp_codec::text::gsm7::Tables;
/// assert_eq!(choose("Hello", &[], Concatenation::Udh8), Encoding::Gsm7(Tables::DEFAULT));
/// assert_eq!(choose("Canción", &[Language::Spanish], Concatenation::Udh8), Encoding::Gsm7(Tables::single(Language::Spanish)));
/// // Every ğ and ş costs two septets with the single shift, one with the locking shift.
/// assert_eq!(choose(&"ğş".repeat(60), &[Language::Turkish], Concatenation::Udh8), Encoding::Gsm7(Tables::locking(Language::Turkish)));
/// assert_eq!(choose("Canción", &[], Concatenation::Udh8), Encoding::Ucs2);
/// assert_eq!(choose("Hi 👋", &[Language::Spanish], Concatenation::Udh8), Encoding::Ucs2);
/// ```
#[inline(always)]
pub fn choose(text: &str, languages: &[Language], concat: Concatenation) -> Encoding {
    if gsm7::is_representable(text, Tables::DEFAULT) {
        return Encoding::Gsm7(Tables::DEFAULT);
    }
    if languages.is_empty() {
        return Encoding::Ucs2;
    }
    choose_national(text, languages, concat)
}

/// The rest of [`choose`], for a text the default tables cannot write.
fn choose_national(text: &str, languages: &[Language], concat: Concatenation) -> Encoding {
    let ucs2_parts = plan(text, Encoding::Ucs2, concat).map_or(usize::MAX, |p| p.parts);
    languages
        .iter()
        .flat_map(|&l| {
            let locking = l.has_locking_shift();
            [Some(Tables::single(l)), locking.then_some(Tables::locking(l)), locking.then_some(Tables::both(l))]
        })
        .flatten()
        .filter_map(|t| plan(text, Encoding::Gsm7(t), concat).ok())
        .filter(|p| p.parts < ucs2_parts || (p.parts == ucs2_parts && ucs2_parts == 1))
        .min_by_key(|p| (p.parts, p.encoding.tables().ie_octets()))
        .map_or(Encoding::Ucs2, |p| p.encoding)
}

/// The plan for `text` in the encoding [`choose`] picks, without encoding anything.
///
/// # Example
/// ```
/// use smpp_codec::text::segment::{preview, Concatenation, Encoding};
/// let p = preview(&"a".repeat(161), &[], Concatenation::Udh8);
/// assert_eq!((p.encoding, p.parts, p.remaining), (Encoding::Gsm7(Default::default()), 2, 145));
/// ```
pub fn preview(text: &str, languages: &[Language], concat: Concatenation) -> Plan {
    let encoding = choose(text, languages, concat);
    // UCS-2 writes every text; only the 255-part limit can fail, which the plan still reports.
    plan(text, encoding, concat).unwrap_or(Plan { encoding, parts: MAX_PARTS + 1, units: 0, per_part: 0, remaining: 0 })
}

/// One part written by [`Segmenter::next_part`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Part {
    /// Octets written into the caller's buffer (UDH included): the short_message, or the
    /// message_payload value with [`Concatenation::Payload`].
    pub len: usize,
    /// This part's number, from 1.
    pub index: u8,
    /// Parts in the message.
    pub total: u8,
    /// Whether the data starts with a UDH: set UDHI (0x40) in esm_class.
    pub udhi: bool,
    /// With [`Concatenation::Sar`] on a multi-part message: (sar_msg_ref_num,
    /// sar_total_segments, sar_segment_seqnum) for the TLVs.
    pub sar: Option<(u16, u8, u8)>,
    /// Characters of the text in this part.
    pub chars: usize,
}

/// Splits a text into parts, each written into a caller's buffer.
///
/// ```
/// use smpp_codec::text::segment::{Concatenation, Encoding, Segmenter};
/// let text = "x".repeat(200);
/// let mut s = Segmenter::new(&text, Encoding::Gsm7(Default::default()), Concatenation::Udh8, 0x2A).unwrap();
/// assert_eq!(s.total(), 2);
/// let mut buf = [0u8; 160];
/// let first = s.next_part(&mut buf).unwrap().unwrap();
/// assert_eq!(&buf[..6], &[0x05, 0x00, 0x03, 0x2A, 0x02, 0x01]);
/// assert_eq!(first.len, 6 + 153);
/// let second = s.next_part(&mut buf).unwrap().unwrap();
/// assert_eq!((second.index, second.len), (2, 6 + 47));
/// assert!(s.next_part(&mut buf).is_none());
/// ```
#[derive(Clone, Debug)]
pub struct Segmenter<'t> {
    rest: &'t str,
    encoding: Encoding,
    concat: Concatenation,
    reference: u16,
    total: u8,
    next: u8,
    per_part: usize,
    packed: bool,
}

impl<'t> Segmenter<'t> {
    /// Plans the split. `reference` ties the parts together (the low 8 bits with
    /// [`Concatenation::Udh8`]); the caller picks it, e.g. from a counter.
    ///
    /// # Errors
    /// As [`plan`].
    pub fn new(text: &'t str, encoding: Encoding, concat: Concatenation, reference: u16) -> Result<Self, SegmentError> {
        let p = plan(text, encoding, concat)?;
        let total = u8::try_from(p.parts).map_err(|_| SegmentError::TooManyParts { parts: p.parts })?;
        Ok(Segmenter { rest: text, encoding, concat, reference, total, next: 1, per_part: p.per_part, packed: false })
    }

    /// Packs GSM septets (with fill bits after a UDH) instead of one septet per octet, for
    /// SMSCs that want packed data.
    #[must_use]
    pub fn packed(mut self, on: bool) -> Self {
        self.packed = on;
        self
    }

    /// Parts in the message.
    pub const fn total(&self) -> u8 {
        self.total
    }

    /// The encoding.
    pub const fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The data_coding to send with every part.
    pub const fn data_coding(&self) -> DataCoding {
        self.encoding.data_coding()
    }

    /// Writes the next part into `out`, or `None` after the last.
    ///
    /// # Errors
    /// [`SegmentError::BufferTooSmall`] (the part is not consumed; call again with a larger
    /// buffer). 160 octets always suffice for a part, except with message_payload.
    pub fn next_part(&mut self, out: &mut [u8]) -> Option<Result<Part, SegmentError>> {
        if self.next > self.total {
            return None;
        }
        let multipart = self.total > 1;
        let udh = part_udh(self.encoding, self.concat, multipart, self.reference, self.total, self.next);
        // The characters of this part.
        let mut used = 0;
        let mut end = self.rest.len();
        let mut chars = 0;
        for (i, c) in self.rest.char_indices() {
            let cost = self.encoding.cost(c).unwrap_or(1);
            if self.concat != Concatenation::Payload && used + cost > self.per_part {
                end = i;
                break;
            }
            used += cost;
            chars += 1;
        }
        // `end` comes from char_indices, so it is a character boundary; the checked form keeps
        // the panic path (and core's formatting of it) out of firmware.
        let (chunk, rest) = self.rest.split_at_checked(end).unwrap_or((self.rest, ""));
        let head = udh.encoded_len();
        let body = match self.encoding {
            Encoding::Gsm7(_) if self.packed => gsm7::packed_len(used, gsm7::fill_bits(head)),
            Encoding::Ucs2 => used * 2,
            _ => used,
        };
        let needed = head + body;
        let Some(out) = out.get_mut(..needed) else { return Some(Err(SegmentError::BufferTooSmall { needed })) };
        let (h, b) = out.split_at_mut(head);
        let _ = udh.write(h);
        let written = match self.encoding {
            Encoding::Gsm7(t) if self.packed => pack_text(chunk, t, gsm7::fill_bits(head), b),
            Encoding::Gsm7(t) => gsm7::encode(chunk, t, b).map_err(|_| SegmentError::BufferTooSmall { needed }),
            Encoding::Ucs2 => {
                super::ucs2::encode(chunk, b).map_err(|e| SegmentError::BufferTooSmall { needed: e.needed })
            }
            Encoding::Latin1 | Encoding::Ascii => {
                super::latin1::encode(chunk, self.encoding == Encoding::Ascii, b).map_err(SegmentError::Unrepresentable)
            }
        };
        if let Err(e) = written {
            return Some(Err(e));
        }
        let part = Part {
            len: needed,
            index: self.next,
            total: self.total,
            udhi: head > 0,
            sar: (self.concat == Concatenation::Sar && multipart).then_some((self.reference, self.total, self.next)),
            chars,
        };
        self.rest = rest;
        self.next += 1;
        Some(Ok(part))
    }
}

/// Packs the septets of `text` straight into `out` after `fill` bits.
fn pack_text(text: &str, tables: Tables, fill: u8, out: &mut [u8]) -> Result<usize, SegmentError> {
    out.fill(0);
    let mut bit = usize::from(fill);
    let mut put = |s: u8| {
        let v = u16::from(s & 0x7F) << (bit % 8);
        if let Some(o) = out.get_mut(bit / 8) {
            *o |= v as u8;
        }
        if let Some(o) = out.get_mut(bit / 8 + 1) {
            *o |= (v >> 8) as u8;
        }
        bit += 7;
    };
    for (position, ch) in text.chars().enumerate() {
        match gsm7::lookup(ch, tables) {
            Some(Septets::One(s)) => put(s),
            Some(Septets::Escaped(s)) => {
                put(gsm7::ESCAPE);
                put(s);
            }
            None => return Err(SegmentError::Unrepresentable(Unrepresentable { ch, position })),
        }
    }
    Ok(bit.div_ceil(8))
}
