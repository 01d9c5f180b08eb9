//! Field-level reading and writing shared by every PDU.
//!
//! Reading goes through [`Reader`] (plain slice splitting, which inlines to a bounds check and a
//! load on the hot path; the TLV stream is split the same way in `tlv.rs`). Writing goes
//! through one description per PDU, `Encode::encode`, run against two sinks: [`Measure`] counts
//! octets and validates, [`Writer`] writes. `emit` measures first, so it writes nothing unless
//! every field is valid and the buffer is large enough.

use core::fmt;

use crate::{Error, Field};

/// A C-Octet String without its terminating NUL, borrowed from the input or from the caller.
///
/// SMPP C-strings are nominally ASCII; the bytes are kept as they are.
///
/// A string also knows the form it came in, which only `emit` looks at (equality, ordering and
/// hashing compare the octets alone):
/// - built by the application ([`new`](Self::new), `From`): on encode it must not contain NUL
///   and must fit the field's maximum (which counts the NUL);
/// - decoded by `parse`: it is checked against the field's decode limit, which may be wider
///   (a cancel_sm destination_addr, a time field of another length), so that what was parsed
///   is written back as it came;
/// - [absent](Self::ABSENT): the body stopped before this field (see the crate's leniency rule);
///   it reads as empty and nothing is written for it.
#[derive(Copy, Clone, Default)]
pub struct COctetStr<'a>(
    // The form is told by how the octets end, so that a string stays a slice (two words, as
    // many as there are strings in every PDU): a built string never ends with NUL (`new` drops
    // trailing NULs); a decoded one is the wire's C-string, NUL included, with no NUL before
    // it; the absent one is two NULs, which neither of the others can be.
    &'a [u8],
);

/// Where a [`COctetStr`] came from, for the encoder.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) enum Form {
    /// Built by the application: encode limits apply.
    Built,
    /// Cut from a parsed body at its NUL: decode limits apply, and it holds no NUL.
    Decoded,
    /// Missing at the end of a parsed body: written as nothing.
    Absent,
}

/// The octets of [`COctetStr::ABSENT`].
const ABSENT_MARK: &[u8] = &[0, 0];

impl<'a> COctetStr<'a> {
    /// The empty string (encoded as a single NUL).
    pub const EMPTY: COctetStr<'static> = COctetStr(&[]);

    /// A field the body stops before: it reads as empty and `emit` writes nothing for it. Only
    /// the fields the leniency rule lets a body stop before may be absent (the last mandatory
    /// C-string of a body; a response's message_id or system_id, for a header-only response).
    pub const ABSENT: COctetStr<'static> = COctetStr(ABSENT_MARK);

    /// Wraps bytes. Trailing NULs are not part of the value (a C-string's terminator) and are
    /// dropped.
    pub const fn new(bytes: &'a [u8]) -> Self {
        let mut value = bytes;
        while let [rest @ .., 0] = value {
            value = rest;
        }
        COctetStr(value)
    }

    /// A string cut from a parsed body: the octets up to and including the first NUL.
    #[inline(always)]
    pub(crate) const fn decoded(with_nul: &'a [u8]) -> Self {
        COctetStr(with_nul)
    }

    /// Wraps a `str` (trailing NULs dropped, as by [`new`](Self::new)).
    pub const fn from_str(s: &'a str) -> Self {
        COctetStr::new(s.as_bytes())
    }

    /// The bytes, without the NUL.
    #[inline]
    pub const fn as_bytes(&self) -> &'a [u8] {
        match self.0 {
            [0, 0] => &[],
            [value @ .., 0] => value,
            value => value,
        }
    }

    /// The bytes as UTF-8 text.
    ///
    /// # Errors
    /// When the bytes are not valid UTF-8.
    pub fn to_str(&self) -> Result<&'a str, core::str::Utf8Error> {
        core::str::from_utf8(self.as_bytes())
    }

    /// Length in octets, without the NUL.
    pub const fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether the string is empty (NULL in SMPP terms), absent or not.
    pub const fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }

    /// Whether the field was missing: the parsed body stopped before it (or the application
    /// built a body that stops there with [`COctetStr::ABSENT`]).
    pub const fn is_absent(&self) -> bool {
        matches!(self.0, [0, 0])
    }

    /// Octets on the wire, NUL included (0 when absent).
    pub const fn wire_len(&self) -> usize {
        match self.form() {
            Form::Built => self.0.len() + 1,
            Form::Decoded => self.0.len(),
            Form::Absent => 0,
        }
    }

    #[inline(always)]
    pub(crate) const fn form(&self) -> Form {
        match self.0 {
            [0, 0] => Form::Absent,
            [.., 0] => Form::Decoded,
            _ => Form::Built,
        }
    }
}

impl PartialEq for COctetStr<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for COctetStr<'_> {}

impl core::hash::Hash for COctetStr<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl PartialOrd for COctetStr<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for COctetStr<'_> {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl<'a> From<&'a str> for COctetStr<'a> {
    fn from(s: &'a str) -> Self {
        COctetStr::new(s.as_bytes())
    }
}

impl<'a> From<&'a [u8]> for COctetStr<'a> {
    fn from(b: &'a [u8]) -> Self {
        COctetStr::new(b)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for COctetStr<'a> {
    fn from(b: &'a [u8; N]) -> Self {
        COctetStr::new(b)
    }
}

impl PartialEq<str> for COctetStr<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for COctetStr<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl fmt::Debug for COctetStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.form() {
            Form::Absent => f.write_str("absent"),
            _ => write!(f, "\"{}\"", self.as_bytes().escape_ascii()),
        }
    }
}

impl fmt::Display for COctetStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_bytes().escape_ascii())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for COctetStr<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self.form() {
            Form::Absent => defmt::write!(f, "absent"),
            _ => defmt::write!(f, "{=[u8]:a}", self.as_bytes()),
        }
    }
}

/// A cursor over a PDU body.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) const fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    /// `N` octets as an array (integers are read this way: it inlines to a bounds check and a
    /// load, which matters on the decode hot path).
    #[inline(always)]
    fn array<const N: usize>(&mut self, field: Field) -> Result<[u8; N], Error> {
        let (head, tail) = self.rest.split_first_chunk::<N>().ok_or(Error::Truncated { field })?;
        self.rest = tail;
        Ok(*head)
    }

    #[inline(always)]
    pub(crate) fn u8(&mut self, field: Field) -> Result<u8, Error> {
        self.array::<1>(field).map(|[b]| b)
    }

    #[inline(always)]
    pub(crate) fn u32(&mut self, field: Field) -> Result<u32, Error> {
        self.array(field).map(u32::from_be_bytes)
    }

    /// `n` raw octets.
    #[inline]
    pub(crate) fn octets(&mut self, n: usize, field: Field) -> Result<&'a [u8], Error> {
        let (head, tail) = self.rest.split_at_checked(n).ok_or(Error::Truncated { field })?;
        self.rest = tail;
        Ok(head)
    }

    /// A C-Octet String of at most `max` octets including the NUL.
    #[inline]
    pub(crate) fn cstr(&mut self, field: Field, max: usize) -> Result<COctetStr<'a>, Error> {
        let window = self.rest.get(..max).unwrap_or(self.rest);
        match window.iter().position(|&b| b == 0) {
            Some(nul) => {
                let (with_nul, tail) = self.rest.split_at(nul + 1);
                self.rest = tail;
                Ok(COctetStr::decoded(with_nul))
            }
            None if window.is_empty() => Err(Error::Truncated { field }),
            None if window.len() == max => Err(Error::TooLong { field, max: max as u16 }),
            None => Err(Error::Unterminated { field }),
        }
    }

    /// The last mandatory field of a body, a C-Octet String: [absent](COctetStr::ABSENT) when
    /// the body ends where it would start (the leniency rule's one missing trailing C-string).
    // Called on bare metal (smaller), copied into each caller on hosts (faster); see
    // smpp-codec/BENCHMARKS.md, "Inlining by target".
    #[cfg_attr(target_os = "none", inline)]
    #[cfg_attr(not(target_os = "none"), inline(always))]
    pub(crate) fn cstr_last(&mut self, field: Field, max: usize) -> Result<COctetStr<'a>, Error> {
        if self.rest.is_empty() { Ok(COctetStr::ABSENT) } else { self.cstr(field, max) }
    }

    /// Everything not read yet, without consuming it.
    pub(crate) fn peek_rest(&self) -> &'a [u8] {
        self.rest
    }

    /// Everything not read yet.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.rest)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Fails when octets are left (for PDUs that carry no TLVs).
    pub(crate) fn finish(&self) -> Result<(), Error> {
        if self.rest.is_empty() { Ok(()) } else { Err(Error::TrailingBytes) }
    }
}

/// Where an encode description sends its fields.
pub(crate) trait Sink {
    /// Whether this sink validates (the measuring pass) or only writes.
    const CHECK: bool;
    fn u8(&mut self, v: u8);
    fn u16(&mut self, v: u16);
    fn u32(&mut self, v: u32);
    fn bytes(&mut self, v: &[u8]);
    fn fail(&mut self, e: Error);

    /// A C-Octet String with its NUL; `max` includes the NUL. It may not be absent.
    #[inline(always)]
    fn cstr(&mut self, field: Field, v: COctetStr<'_>, max: usize) {
        self.cstr_within(field, v, max, max);
    }

    /// A C-Octet String whose maximum is `built_max` for a value the application built and
    /// `decoded_max` for a decoded one (the decode limit, when it is wider). It may not be absent.
    fn cstr_within(&mut self, field: Field, v: COctetStr<'_>, built_max: usize, decoded_max: usize);

    /// The last mandatory field of a body, a C-Octet String that may be absent: then nothing is
    /// written, and `rest_empty` must say that nothing follows it (no TLVs), as in the body it
    /// was parsed from.
    #[inline(always)]
    fn cstr_last(&mut self, field: Field, v: COctetStr<'_>, max: usize, rest_empty: bool) {
        self.cstr_last_within(field, v, max, max, rest_empty);
    }

    /// [`cstr_last`](Self::cstr_last) with the limits of [`cstr_within`](Self::cstr_within).
    #[inline(always)]
    fn cstr_last_within(
        &mut self,
        field: Field,
        v: COctetStr<'_>,
        built_max: usize,
        decoded_max: usize,
        rest_empty: bool,
    ) {
        if v.is_absent() {
            if Self::CHECK && !rest_empty {
                self.fail(Error::Absent { field });
            }
        } else {
            self.cstr_within(field, v, built_max, decoded_max);
        }
    }
}

/// Whether `b` holds a NUL: eight octets at a time (a word has a zero octet exactly when
/// `(x - 0x01..01) & !x & 0x80..80` is non-zero), then the tail one by one. SMPP strings are
/// short, and this runs on every emit.
#[inline]
#[allow(clippy::manual_contains)] // see the last line
pub(crate) fn has_nul(mut b: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while let Some((w, rest)) = b.split_first_chunk::<8>() {
        let x = u64::from_ne_bytes(*w);
        if x.wrapping_sub(LO) & !x & HI != 0 {
            return true;
        }
        b = rest;
    }
    // A plain loop: `contains` would link core's word-at-a-time search for the last 7 octets.
    b.iter().any(|&c| c == 0)
}

/// Counts octets and records the first validation error.
#[derive(Default)]
pub(crate) struct Measure {
    pub(crate) len: usize,
    pub(crate) error: Option<Error>,
}

impl Sink for Measure {
    const CHECK: bool = true;
    #[inline]
    fn cstr_within(&mut self, field: Field, v: COctetStr<'_>, built_max: usize, decoded_max: usize) {
        let octets = v.0;
        match v.form() {
            Form::Built => {
                self.len += octets.len() + 1;
                if octets.len() >= built_max {
                    self.fail(Error::TooLong { field, max: built_max as u16 });
                } else if has_nul(octets) {
                    self.fail(Error::ContainsNul { field });
                }
            }
            // Cut at its NUL by the parser (the NUL is in `octets`): only the length can be
            // wrong, when it was moved from a field with a wider limit.
            Form::Decoded => {
                self.len += octets.len();
                if octets.len() > decoded_max {
                    self.fail(Error::TooLong { field, max: decoded_max as u16 });
                }
            }
            Form::Absent => self.fail(Error::Absent { field }),
        }
    }
    #[inline(always)]
    fn u8(&mut self, _: u8) {
        self.len += 1;
    }
    #[inline]
    fn u16(&mut self, _: u16) {
        self.len += 2;
    }
    #[inline]
    fn u32(&mut self, _: u32) {
        self.len += 4;
    }
    #[inline]
    fn bytes(&mut self, v: &[u8]) {
        self.len += v.len();
    }
    // Out of line on bare metal: every field with a limit reports through it (measured smaller
    // on a Cortex-M); on hosts the compiler chooses.
    #[cfg_attr(target_os = "none", inline(never))]
    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }
}

/// Writes into a buffer already known to be large enough (checked by [`Measure`]).
pub(crate) struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Writer<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Writer { buf, pos: 0 }
    }
}

impl Sink for Writer<'_> {
    const CHECK: bool = false;
    #[inline]
    fn cstr_within(&mut self, _: Field, v: COctetStr<'_>, _: usize, _: usize) {
        // The value, then its NUL: empty values (common) then skip the copy.
        if !v.is_absent() {
            self.bytes(v.as_bytes());
            self.u8(0);
        }
    }
    #[inline(always)]
    fn u8(&mut self, v: u8) {
        // Measure proved the space is there; a short buffer would only truncate, never panic.
        if let Some(b) = self.buf.get_mut(self.pos) {
            *b = v;
        }
        self.pos += 1;
    }
    #[inline(always)]
    fn u16(&mut self, v: u16) {
        self.bytes(&v.to_be_bytes());
    }
    #[inline(always)]
    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_be_bytes());
    }
    // Called on bare metal (smaller), copied into each caller on hosts (faster); see
    // smpp-codec/BENCHMARKS.md, "Inlining by target".
    #[cfg_attr(target_os = "none", inline)]
    #[cfg_attr(not(target_os = "none"), inline(always))]
    fn bytes(&mut self, v: &[u8]) {
        // Empty fields (absent TLVs, NULL strings) are common: skip the call to memcpy.
        if v.is_empty() {
            return;
        }
        if let Some(dst) = self.buf.get_mut(self.pos..self.pos + v.len()) {
            dst.copy_from_slice(v);
        }
        self.pos += v.len();
    }
    fn fail(&mut self, _: Error) {}
}

/// One description of a PDU body's wire form, run against [`Measure`] and [`Writer`].
pub(crate) trait Encode {
    fn encode<S: Sink>(&self, s: &mut S);

    /// Octets the body occupies and the first validation error, in one pass.
    fn measure(&self) -> Measure {
        let mut m = Measure::default();
        self.encode(&mut m);
        m
    }

    /// Writes the body into `buf`, all or nothing.
    fn emit_into(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let m = self.measure();
        if let Some(e) = m.error {
            return Err(e);
        }
        let out = buf.get_mut(..m.len).ok_or(Error::BufferTooSmall { needed: m.len })?;
        self.encode(&mut Writer::new(out));
        Ok(m.len)
    }
}

/// Adds the public `encoded_len` and `emit` to a body type that implements [`Encode`].
macro_rules! body_codec {
    ($($ty:ident),+ $(,)?) => {$(
        impl $ty<'_> {
            /// Exact number of octets [`emit`](Self::emit) writes for this body (header excluded).
            pub fn encoded_len(&self) -> usize {
                $crate::wire::Encode::measure(self).len
            }

            /// Writes the body (header excluded) into `buf` and returns the octets written, which
            /// equal [`encoded_len`](Self::encoded_len).
            ///
            /// # Errors
            /// A field that breaks its limit ([`Error::TooLong`](crate::Error::TooLong) and the
            /// like, naming the field) or a buffer that is too small. `buf` is untouched then.
            pub fn emit(&self, buf: &mut [u8]) -> Result<usize, $crate::Error> {
                $crate::wire::Encode::emit_into(self, buf)
            }
        }
    )+};
}
