//! TLVs (optional parameters, SMPP-REFERENCE §5): tags, values, and a PDU's TLV stream.
//!
//! A parsed PDU keeps its TLV stream as the borrowed wire bytes ([`Tlvs`]); iterating it or
//! asking for one tag walks those bytes without allocating. A PDU to be sent borrows a caller's
//! `&[Tlv]`. Unknown tags are kept and re-emitted byte for byte.
//!
//! A TLV of a known tag must have a length its tag allows, the one its typed accessor reads
//! (SMPP-REFERENCE §5.2; 1 or 2 octets where sources disagree): `parse` checks it
//! ([`Error::InvalidTlvLength`], answered with ESME_RINVTLVLEN), and so does `emit` for a list
//! the application built. The typed accessor of a parsed PDU's TLV therefore fails only on the
//! content of a C-Octet String (a NUL inside it, or no NUL at its maximum length).

use core::fmt;

use crate::wire::{Encode, Sink};
use crate::{COctetStr, Error, Field, MessageState};

open_enum! {
    /// A TLV tag. Open: vendor tags (0x1400–0x3FFF) and unknown tags are kept as their number
    /// ([`TlvTag::from_raw`], [`TlvTag::is_known`]).
    pub enum TlvTag: u16 {
        DEST_ADDR_SUBUNIT = 0x0005, "dest_addr_subunit", "Destination subunit (I1).";
        DEST_NETWORK_TYPE = 0x0006, "dest_network_type", "Destination network type (I1).";
        DEST_BEARER_TYPE = 0x0007, "dest_bearer_type", "Destination bearer type (I1).";
        DEST_TELEMATICS_ID = 0x0008, "dest_telematics_id", "Destination telematics id (I2).";
        SOURCE_ADDR_SUBUNIT = 0x000D, "source_addr_subunit", "Source subunit (I1).";
        SOURCE_NETWORK_TYPE = 0x000E, "source_network_type", "Source network type (I1).";
        SOURCE_BEARER_TYPE = 0x000F, "source_bearer_type", "Source bearer type (I1).";
        SOURCE_TELEMATICS_ID = 0x0010, "source_telematics_id", "Source telematics id (I1 or I2).";
        QOS_TIME_TO_LIVE = 0x0017, "qos_time_to_live", "Time to live in seconds (I4).";
        PAYLOAD_TYPE = 0x0019, "payload_type", "Payload type (I1).";
        ADDITIONAL_STATUS_INFO_TEXT = 0x001D, "additional_status_info_text", "Free-text status (C, max 256).";
        RECEIPTED_MESSAGE_ID = 0x001E, "receipted_message_id", "Id of the receipted message (C, max 65).";
        MS_MSG_WAIT_FACILITIES = 0x0030, "ms_msg_wait_facilities", "Message waiting indicator (I1).";
        PRIVACY_INDICATOR = 0x0201, "privacy_indicator", "Privacy level (I1).";
        SOURCE_SUBADDRESS = 0x0202, "source_subaddress", "Source subaddress (O, 2-23).";
        DEST_SUBADDRESS = 0x0203, "dest_subaddress", "Destination subaddress (O, 2-23).";
        USER_MESSAGE_REFERENCE = 0x0204, "user_message_reference", "ESME reference (I2).";
        USER_RESPONSE_CODE = 0x0205, "user_response_code", "User response code (I1).";
        SOURCE_PORT = 0x020A, "source_port", "Source application port (I2).";
        DESTINATION_PORT = 0x020B, "destination_port", "Destination application port (I2).";
        SAR_MSG_REF_NUM = 0x020C, "sar_msg_ref_num", "Concatenation reference (I2).";
        LANGUAGE_INDICATOR = 0x020D, "language_indicator", "Language (I1).";
        SAR_TOTAL_SEGMENTS = 0x020E, "sar_total_segments", "Concatenation: number of parts (I1).";
        SAR_SEGMENT_SEQNUM = 0x020F, "sar_segment_seqnum", "Concatenation: part number from 1 (I1).";
        SC_INTERFACE_VERSION = 0x0210, "sc_interface_version", "SMSC's SMPP version (I1).";
        CALLBACK_NUM_PRES_IND = 0x0302, "callback_num_pres_ind", "Callback number presentation (I1).";
        CALLBACK_NUM_ATAG = 0x0303, "callback_num_atag", "Callback number alphanumeric tag (O, max 65).";
        NUMBER_OF_MESSAGES = 0x0304, "number_of_messages", "Number of messages waiting (I1).";
        CALLBACK_NUM = 0x0381, "callback_num", "Callback number (O, 4-19).";
        DPF_RESULT = 0x0420, "dpf_result", "Delivery pending flag result (I1).";
        SET_DPF = 0x0421, "set_dpf", "Delivery pending flag requested (I1).";
        MS_AVAILABILITY_STATUS = 0x0422, "ms_availability_status", "Mobile availability (I1).";
        NETWORK_ERROR_CODE = 0x0423, "network_error_code", "Network type and error code (O, 3).";
        MESSAGE_PAYLOAD = 0x0424, "message_payload", "User data instead of short_message (O, max 65535).";
        DELIVERY_FAILURE_REASON = 0x0425, "delivery_failure_reason", "Why a transaction delivery failed (I1).";
        MORE_MESSAGES_TO_SEND = 0x0426, "more_messages_to_send", "More messages follow (I1).";
        MESSAGE_STATE = 0x0427, "message_state", "Message state (I1).";
        CONGESTION_STATE = 0x0428, "congestion_state", "Peer congestion 0-100 (I1, 5.0).";
        USSD_SERVICE_OP = 0x0501, "ussd_service_op", "USSD operation (I1).";
        BROADCAST_CHANNEL_INDICATOR = 0x0600, "broadcast_channel_indicator", "Broadcast channel (I1, 5.0).";
        BROADCAST_CONTENT_TYPE = 0x0601, "broadcast_content_type", "Broadcast content type (O, 3, 5.0).";
        BROADCAST_CONTENT_TYPE_INFO = 0x0602, "broadcast_content_type_info", "Broadcast content type info (O, max 255, 5.0).";
        BROADCAST_MESSAGE_CLASS = 0x0603, "broadcast_message_class", "Broadcast message class (I1, 5.0).";
        BROADCAST_REP_NUM = 0x0604, "broadcast_rep_num", "Broadcast repetitions (I1 or I2, 5.0).";
        BROADCAST_FREQUENCY_INTERVAL = 0x0605, "broadcast_frequency_interval", "Broadcast interval (O, 3, 5.0).";
        BROADCAST_AREA_IDENTIFIER = 0x0606, "broadcast_area_identifier", "Broadcast area (O, 5.0).";
        BROADCAST_ERROR_STATUS = 0x0607, "broadcast_error_status", "Broadcast error status (I4, 5.0).";
        BROADCAST_AREA_SUCCESS = 0x0608, "broadcast_area_success", "Broadcast area success 0-100 (I1, 5.0).";
        BROADCAST_END_TIME = 0x0609, "broadcast_end_time", "Broadcast end time (C, 17, 5.0).";
        BROADCAST_SERVICE_GROUP = 0x060A, "broadcast_service_group", "Broadcast service group (O, 1-255, 5.0).";
        BILLING_IDENTIFICATION = 0x060B, "billing_identification", "Billing id (O, max 1024, 5.0).";
        SOURCE_NETWORK_ID = 0x060D, "source_network_id", "Source network id (C, 7-66, 5.0).";
        DEST_NETWORK_ID = 0x060E, "dest_network_id", "Destination network id (C, 7-66, 5.0).";
        SOURCE_NODE_ID = 0x060F, "source_node_id", "Source node id (O, 6, 5.0).";
        DEST_NODE_ID = 0x0610, "dest_node_id", "Destination node id (O, 6, 5.0).";
        DEST_ADDR_NP_RESOLUTION = 0x0611, "dest_addr_np_resolution", "Number portability query result (I1, 5.0).";
        DEST_ADDR_NP_INFORMATION = 0x0612, "dest_addr_np_information", "Number portability information (O, max 10, 5.0).";
        DEST_ADDR_NP_COUNTRY = 0x0613, "dest_addr_np_country", "Number portability country (O, 1-5, 5.0).";
        DISPLAY_TIME = 0x1201, "display_time", "Display time (I1).";
        SMS_SIGNAL = 0x1203, "sms_signal", "Alerting tone (I2).";
        MS_VALIDITY = 0x1204, "ms_validity", "Validity on the mobile (I1; 5.0 also 4 octets).";
        ALERT_ON_MESSAGE_DELIVERY = 0x130C, "alert_on_message_delivery", "Alert the user on delivery (length 0, or I1 in 5.0).";
        ITS_REPLY_TYPE = 0x1380, "its_reply_type", "ITS reply type (I1).";
        ITS_SESSION_INFO = 0x1383, "its_session_info", "ITS session info (O, 2).";
    }
}

/// The value of a [`Tlv`] to be sent. Parsed TLVs always hold [`TlvValue::Octets`].
#[derive(Copy, Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TlvValue<'a> {
    /// The value's octets exactly as on the wire.
    Octets(&'a [u8]),
    /// A C-Octet String; the NUL is added on the wire.
    CStr(COctetStr<'a>),
    /// An integer of `len` octets (1, 2 or 4), big-endian.
    Int {
        /// Octets on the wire.
        len: u8,
        /// The value; it must fit in `len` octets.
        value: u32,
    },
}

/// One TLV: a tag and its value.
#[derive(Copy, Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Tlv<'a> {
    /// The tag.
    pub tag: TlvTag,
    /// The value.
    pub value: TlvValue<'a>,
}

/// Largest value a TLV can carry (its length field is 16 bits).
pub const TLV_MAX_VALUE_LEN: usize = u16::MAX as usize;

/// Octets of a TLV's tag and length.
pub const TLV_HEADER_LEN: usize = 4;

impl<'a> Tlv<'a> {
    /// A TLV with raw value octets.
    pub const fn octets(tag: TlvTag, value: &'a [u8]) -> Self {
        Tlv { tag, value: TlvValue::Octets(value) }
    }

    /// A TLV holding a C-Octet String (the NUL is added on the wire).
    pub fn cstr(tag: TlvTag, value: impl Into<COctetStr<'a>>) -> Self {
        Tlv { tag, value: TlvValue::CStr(value.into()) }
    }

    /// A 1-octet integer TLV.
    pub const fn u8(tag: TlvTag, value: u8) -> Self {
        Tlv { tag, value: TlvValue::Int { len: 1, value: value as u32 } }
    }

    /// A 2-octet integer TLV.
    pub const fn u16(tag: TlvTag, value: u16) -> Self {
        Tlv { tag, value: TlvValue::Int { len: 2, value: value as u32 } }
    }

    /// A 4-octet integer TLV.
    pub const fn u32(tag: TlvTag, value: u32) -> Self {
        Tlv { tag, value: TlvValue::Int { len: 4, value } }
    }

    /// A TLV with an empty value (a flag such as alert_on_message_delivery).
    pub const fn flag(tag: TlvTag) -> Self {
        Tlv { tag, value: TlvValue::Octets(&[]) }
    }

    /// The value's parts on the wire: the first slice, then an optional NUL or integer octets.
    fn wire_parts(&self) -> (&[u8], [u8; 4], usize) {
        match self.value {
            TlvValue::Octets(v) => (v, [0; 4], 0),
            TlvValue::CStr(s) => (s.as_bytes(), [0; 4], 1),
            TlvValue::Int { len, value } => {
                let n = usize::from(len).min(4);
                let be = value.to_be_bytes();
                let mut out = [0u8; 4];
                for (o, b) in out.iter_mut().zip(be.iter().skip(4 - n)) {
                    *o = *b;
                }
                (&[], out, n)
            }
        }
    }

    /// Octets of the value on the wire (the length field).
    pub fn value_len(&self) -> usize {
        let (a, _, n) = self.wire_parts();
        a.len() + n
    }

    /// Octets of the whole TLV on the wire.
    pub fn encoded_len(&self) -> usize {
        TLV_HEADER_LEN + self.value_len()
    }

    /// The raw value octets, for a parsed TLV (or one built with [`Tlv::octets`]).
    pub const fn as_octets(&self) -> Option<&'a [u8]> {
        match self.value {
            TlvValue::Octets(v) => Some(v),
            _ => None,
        }
    }

    /// The value as an integer of 1, 2 or 4 octets (big-endian, right-aligned).
    ///
    /// # Errors
    /// [`Error::InvalidTlvLength`] for any other length.
    pub fn as_int(&self) -> Result<u32, Error> {
        match self.value {
            TlvValue::Int { value, .. } => Ok(value),
            TlvValue::Octets(v) if matches!(v.len(), 1 | 2 | 4) => {
                Ok(v.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
            }
            _ => Err(Error::InvalidTlvLength { tag: self.tag.raw() }),
        }
    }

    /// The value as an integer of exactly `len` octets.
    fn int_exact(&self, len: usize) -> Result<u32, Error> {
        if self.value_len() == len { self.as_int() } else { Err(Error::InvalidTlvLength { tag: self.tag.raw() }) }
    }

    /// The value as a C-Octet String of at most `max` octets including the NUL.
    ///
    /// Lenient on decode: a missing final NUL is accepted (some SMSCs omit it).
    ///
    /// # Errors
    /// [`Error::InvalidTlvLength`] when too long or when a NUL appears before the end.
    pub fn as_cstr(&self, max: usize) -> Result<COctetStr<'a>, Error> {
        let err = Error::InvalidTlvLength { tag: self.tag.raw() };
        let value = match self.value {
            TlvValue::CStr(s) => s.as_bytes(),
            TlvValue::Octets(v) => v.strip_suffix(&[0]).unwrap_or(v),
            TlvValue::Int { .. } => return Err(err),
        };
        if value.len() >= max || crate::wire::has_nul(value) { Err(err) } else { Ok(COctetStr::new(value)) }
    }

    /// The value as octets whose length lies in `min..=max`.
    fn octets_within(&self, min: usize, max: usize) -> Result<&'a [u8], Error> {
        match self.as_octets() {
            Some(v) if (min..=max).contains(&v.len()) => Ok(v),
            _ => Err(Error::InvalidTlvLength { tag: self.tag.raw() }),
        }
    }
}

impl PartialEq for Tlv<'_> {
    fn eq(&self, other: &Self) -> bool {
        if self.tag != other.tag || self.value_len() != other.value_len() {
            return false;
        }
        let (a1, a2, an) = self.wire_parts();
        let (b1, b2, bn) = other.wire_parts();
        let a = a1.iter().chain(a2.iter().take(an));
        let b = b1.iter().chain(b2.iter().take(bn));
        a.eq(b)
    }
}

impl Eq for Tlv<'_> {}

impl Encode for Tlv<'_> {
    #[inline]
    fn encode<S: Sink>(&self, s: &mut S) {
        let len = self.value_len();
        if S::CHECK {
            if len > TLV_MAX_VALUE_LEN {
                s.fail(Error::TooLong { field: Field::TlvValue, max: u16::MAX });
            }
            match self.value {
                TlvValue::Int { len, value } => {
                    let fits = match len {
                        1 => value <= 0xFF,
                        2 => value <= 0xFFFF,
                        3 => value <= 0xFF_FFFF,
                        4 => true,
                        _ => false,
                    };
                    if !fits {
                        s.fail(Error::InvalidTlvLength { tag: self.tag.raw() });
                    }
                }
                TlvValue::CStr(v) if crate::wire::has_nul(v.as_bytes()) => {
                    s.fail(Error::ContainsNul { field: Field::TlvValue })
                }
                _ => {}
            }
            if !self.tag.allows_len(len) {
                s.fail(Error::InvalidTlvLength { tag: self.tag.raw() });
            }
        }
        s.u16(self.tag.raw());
        s.u16(len as u16);
        let (a, b, n) = self.wire_parts();
        s.bytes(a);
        s.bytes(b.get(..n).unwrap_or(&[]));
    }
}

/// The TLVs of a PDU: the wire bytes of a parsed PDU, or a caller's list for one to be sent.
#[derive(Copy, Clone)]
pub struct Tlvs<'a>(Repr<'a>);

#[derive(Copy, Clone)]
enum Repr<'a> {
    /// A validated TLV stream.
    Wire(&'a [u8]),
    List(&'a [Tlv<'a>]),
}

impl Default for Tlvs<'_> {
    fn default() -> Self {
        Tlvs::EMPTY
    }
}

impl<'a> Tlvs<'a> {
    /// No TLVs.
    pub const EMPTY: Tlvs<'static> = Tlvs(Repr::List(&[]));

    /// TLVs to be sent, in this order.
    pub const fn from_slice(list: &'a [Tlv<'a>]) -> Self {
        Tlvs(Repr::List(list))
    }

    /// Checks a TLV stream (each TLV's length within the bytes, no stray octets, each known
    /// tag with a length it allows) and wraps it.
    ///
    /// # Errors
    /// [`Error::InvalidTlvStream`], or [`Error::InvalidTlvLength`] naming the tag.
    #[inline(always)]
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        // Most PDUs carry no TLVs: that case costs one test in every body's parser, and the walk
        // stays out of line.
        if !bytes.is_empty() {
            check_stream(bytes)?;
        }
        Ok(Tlvs(Repr::Wire(bytes)))
    }

    /// Iterates the TLVs in order.
    pub fn iter(&self) -> TlvIter<'a> {
        TlvIter(self.0)
    }

    /// Whether these are the wire bytes of a parsed PDU (its body is then re-emitted with the
    /// decode limits).
    pub(crate) const fn is_decoded(&self) -> bool {
        matches!(self.0, Repr::Wire(_))
    }

    /// Whether there are no TLVs.
    pub fn is_empty(&self) -> bool {
        match self.0 {
            Repr::Wire(b) => b.is_empty(),
            Repr::List(l) => l.is_empty(),
        }
    }

    /// The first TLV with this tag.
    pub fn get(&self, tag: TlvTag) -> Option<Tlv<'a>> {
        self.iter().find(|t| t.tag == tag)
    }

    /// Octets of all TLVs on the wire.
    pub fn encoded_len(&self) -> usize {
        match self.0 {
            Repr::Wire(b) => b.len(),
            Repr::List(l) => l.iter().map(Tlv::encoded_len).sum(),
        }
    }

    fn typed<T>(&self, tag: TlvTag, f: impl FnOnce(&Tlv<'a>) -> Result<T, Error>) -> Result<Option<T>, Error> {
        self.get(tag).map(|t| f(&t)).transpose()
    }
}

impl Encode for Tlvs<'_> {
    #[inline(always)]
    fn encode<S: Sink>(&self, s: &mut S) {
        match self.0 {
            Repr::Wire(b) => s.bytes(b),
            Repr::List(l) => l.iter().for_each(|t| t.encode(s)),
        }
    }
}

impl PartialEq for Tlvs<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Tlvs<'_> {}

impl fmt::Debug for Tlvs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Tlvs<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "[");
        for t in self.iter() {
            defmt::write!(f, "{} ", t);
        }
        defmt::write!(f, "]");
    }
}

impl<'a> IntoIterator for Tlvs<'a> {
    type Item = Tlv<'a>;
    type IntoIter = TlvIter<'a>;
    fn into_iter(self) -> TlvIter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &Tlvs<'a> {
    type Item = Tlv<'a>;
    type IntoIter = TlvIter<'a>;
    fn into_iter(self) -> TlvIter<'a> {
        self.iter()
    }
}

/// Iterator over [`Tlvs`].
#[derive(Clone, Debug)]
pub struct TlvIter<'a>(Repr<'a>);

impl fmt::Debug for Repr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repr::Wire(b) => write!(f, "Wire({} octets)", b.len()),
            Repr::List(l) => write!(f, "List({} TLVs)", l.len()),
        }
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Tlv<'a>;

    fn next(&mut self) -> Option<Tlv<'a>> {
        match &mut self.0 {
            Repr::List(l) => {
                let (first, rest) = l.split_first()?;
                *l = rest;
                Some(*first)
            }
            Repr::Wire(b) => {
                // The stream was validated by `Tlvs::parse`; stop quietly if it were not.
                let (tag, value, rest) = split_tlv(b)?;
                *b = rest;
                Some(Tlv::octets(TlvTag::from_raw(tag), value))
            }
        }
    }
}

/// Walks a TLV stream: each TLV's length within the bytes, no stray octets, each known tag with
/// a length it allows.
#[inline]
fn check_stream(mut rest: &[u8]) -> Result<(), Error> {
    while !rest.is_empty() {
        let (tag, value, tail) = split_tlv(rest).ok_or(Error::InvalidTlvStream)?;
        if !TlvTag::from_raw(tag).allows_len(value.len()) {
            return Err(Error::InvalidTlvLength { tag });
        }
        rest = tail;
    }
    Ok(())
}

/// Splits the first TLV off a stream: its tag, its value, and the rest.
///
/// Written out rather than with nom's `(be_u16, length_data(be_u16))`, which took about 19 more
/// instructions per TLV for the same code size (smpp-codec/BENCHMARKS.md, "nom").
#[inline]
fn split_tlv(stream: &[u8]) -> Option<(u16, &[u8], &[u8])> {
    let (&[t0, t1, l0, l1], rest) = stream.split_first_chunk::<4>()?;
    let (value, rest) = rest.split_at_checked(usize::from(u16::from_be_bytes([l0, l1])))?;
    Some((u16::from_be_bytes([t0, t1]), value, rest))
}

/// A network_error_code TLV value: the network type and its error code.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NetworkErrorCode {
    /// 1 ANSI-136, 2 IS-95, 3 GSM; 5.0 adds 4–8.
    pub network_type: u8,
    /// The network's error code.
    pub error_code: u16,
}

impl NetworkErrorCode {
    /// The three value octets.
    pub const fn to_bytes(self) -> [u8; 3] {
        let [hi, lo] = self.error_code.to_be_bytes();
        [self.network_type, hi, lo]
    }
}

/// Declares typed accessors on [`Tlvs`] and constructors on [`Tlv`] for each known tag.
macro_rules! tlv_accessors {
    ($( $kind:ident $name:ident = $tag:ident $( ($($arg:tt)*) )?; )+) => {
        impl<'a> Tlvs<'a> {
            $( tlv_accessors!(@get $kind $name $tag $( ($($arg)*) )?); )+
        }
        impl<'a> Tlv<'a> {
            $( tlv_accessors!(@new $kind $name $tag $( ($($arg)*) )?); )+
        }
        /// Every known tag and the lengths its typed accessor reads.
        const KNOWN_LENGTHS: &[(TlvTag, u32)] = &[
            $( (TlvTag::$tag, tlv_accessors!(@len $kind $( ($($arg)*) )?)), )+
            (TlvTag::MESSAGE_STATE, LEN_1),
            (TlvTag::NETWORK_ERROR_CODE, range(3, 3)),
        ];
        /// Every typed accessor, by tag, for the test that parse and the accessors agree.
        #[cfg(test)]
        pub(crate) fn read_typed(t: &Tlvs<'_>, tag: TlvTag) -> Option<Result<(), Error>> {
            match tag {
                $( TlvTag::$tag => Some(t.$name().map(|_| ())), )+
                TlvTag::MESSAGE_STATE => Some(t.message_state().map(|_| ())),
                TlvTag::NETWORK_ERROR_CODE => Some(t.network_error_code().map(|_| ())),
                _ => None,
            }
        }
    };
    // The lengths each kind allows (see `range`).
    (@len u8) => { LEN_1 };
    (@len u16) => { 1 << 2 };
    (@len u32) => { 1 << 4 };
    (@len u8or16) => { (1 << 1) | (1 << 2) };
    (@len u8or4) => { (1 << 1) | (1 << 4) };
    (@len flag) => { (1 << 0) | (1 << 1) };
    // The NUL is counted in the maximum, and may be missing.
    (@len cstr ($max:expr)) => { range(0, $max) };
    (@len octets ($min:expr, $max:expr)) => { range($min, $max) };
    (@get u8 $name:ident $tag:ident) => {
        #[doc = concat!("The `", stringify!($name), "` TLV (1 octet).\n\n# Errors\n[`Error::InvalidTlvLength`] when present with another length.")]
        pub fn $name(&self) -> Result<Option<u8>, Error> {
            self.typed(TlvTag::$tag, |t| t.int_exact(1).map(|v| v as u8))
        }
    };
    (@get u16 $name:ident $tag:ident) => {
        #[doc = concat!("The `", stringify!($name), "` TLV (2 octets).\n\n# Errors\n[`Error::InvalidTlvLength`] when present with another length.")]
        pub fn $name(&self) -> Result<Option<u16>, Error> {
            self.typed(TlvTag::$tag, |t| t.int_exact(2).map(|v| v as u16))
        }
    };
    (@get u32 $name:ident $tag:ident) => {
        #[doc = concat!("The `", stringify!($name), "` TLV (4 octets).\n\n# Errors\n[`Error::InvalidTlvLength`] when present with another length.")]
        pub fn $name(&self) -> Result<Option<u32>, Error> {
            self.typed(TlvTag::$tag, |t| t.int_exact(4))
        }
    };
    (@get u8or16 $name:ident $tag:ident) => {
        #[doc = concat!("The `", stringify!($name), "` TLV, 1 or 2 octets (sources disagree; decoded by its length).\n\n# Errors\n[`Error::InvalidTlvLength`] when present with another length.")]
        pub fn $name(&self) -> Result<Option<u16>, Error> {
            self.typed(TlvTag::$tag, |t| match t.value_len() {
                1 | 2 => t.as_int().map(|v| v as u16),
                _ => Err(Error::InvalidTlvLength { tag: TlvTag::$tag.raw() }),
            })
        }
    };
    (@get cstr $name:ident $tag:ident ($max:expr)) => {
        #[doc = concat!("The `", stringify!($name), "` TLV (C-Octet String, max ", stringify!($max), " with the NUL).\n\n# Errors\n[`Error::InvalidTlvLength`] when too long or with an inner NUL.")]
        pub fn $name(&self) -> Result<Option<COctetStr<'a>>, Error> {
            self.typed(TlvTag::$tag, |t| t.as_cstr($max))
        }
    };
    (@get octets $name:ident $tag:ident ($min:expr, $max:expr)) => {
        #[doc = concat!("The `", stringify!($name), "` TLV (", stringify!($min), " to ", stringify!($max), " octets).\n\n# Errors\n[`Error::InvalidTlvLength`] when outside that range.")]
        pub fn $name(&self) -> Result<Option<&'a [u8]>, Error> {
            self.typed(TlvTag::$tag, |t| t.octets_within($min, $max))
        }
    };
    (@get flag $name:ident $tag:ident) => {
        #[doc = concat!("The `", stringify!($name), "` TLV: length 0 (3.4 flag, read as 0) or 1 (5.0 value).\n\n# Errors\n[`Error::InvalidTlvLength`] for any other length.")]
        pub fn $name(&self) -> Result<Option<u8>, Error> {
            self.typed(TlvTag::$tag, |t| match t.value_len() {
                0 => Ok(0),
                1 => t.as_int().map(|v| v as u8),
                _ => Err(Error::InvalidTlvLength { tag: TlvTag::$tag.raw() }),
            })
        }
    };
    (@get u8or4 $name:ident $tag:ident) => {
        #[doc = concat!("The `", stringify!($name), "` TLV: 1 octet, or the 5.0 4-octet form (returned whole, big-endian).\n\n# Errors\n[`Error::InvalidTlvLength`] for any other length.")]
        pub fn $name(&self) -> Result<Option<u32>, Error> {
            self.typed(TlvTag::$tag, |t| match t.value_len() {
                1 | 4 => t.as_int(),
                _ => Err(Error::InvalidTlvLength { tag: TlvTag::$tag.raw() }),
            })
        }
    };
    (@new u8 $name:ident $tag:ident) => {
        #[doc = concat!("A `", stringify!($name), "` TLV.")]
        pub const fn $name(value: u8) -> Tlv<'static> { Tlv::u8(TlvTag::$tag, value) }
    };
    (@new u8or4 $name:ident $tag:ident) => {
        #[doc = concat!("A `", stringify!($name), "` TLV (1-octet form).")]
        pub const fn $name(value: u8) -> Tlv<'static> { Tlv::u8(TlvTag::$tag, value) }
    };
    (@new u16 $name:ident $tag:ident) => {
        #[doc = concat!("A `", stringify!($name), "` TLV.")]
        pub const fn $name(value: u16) -> Tlv<'static> { Tlv::u16(TlvTag::$tag, value) }
    };
    (@new u32 $name:ident $tag:ident) => {
        #[doc = concat!("A `", stringify!($name), "` TLV.")]
        pub const fn $name(value: u32) -> Tlv<'static> { Tlv::u32(TlvTag::$tag, value) }
    };
    (@new u8or16 $name:ident $tag:ident) => {
        #[doc = concat!("A `", stringify!($name), "` TLV in its 1-octet form (what 3.4 peers expect).")]
        pub const fn $name(value: u8) -> Tlv<'static> { Tlv::u8(TlvTag::$tag, value) }
    };
    (@new cstr $name:ident $tag:ident ($max:expr)) => {
        #[doc = concat!("A `", stringify!($name), "` TLV (the NUL is added on the wire).")]
        pub fn $name(value: impl Into<COctetStr<'a>>) -> Tlv<'a> { Tlv::cstr(TlvTag::$tag, value) }
    };
    (@new octets $name:ident $tag:ident ($min:expr, $max:expr)) => {
        #[doc = concat!("A `", stringify!($name), "` TLV.")]
        pub const fn $name(value: &'a [u8]) -> Tlv<'a> { Tlv::octets(TlvTag::$tag, value) }
    };
    (@new flag $name:ident $tag:ident) => {
        #[doc = concat!("A `", stringify!($name), "` TLV in its 3.4 form (length 0).")]
        pub const fn $name() -> Tlv<'static> { Tlv::flag(TlvTag::$tag) }
    };
}

// The lengths a tag allows, in one word: with the `RANGE` bit, the lengths `min..=max` (min in
// bits 16–30, max in bits 0–15); without it, the set of lengths below 8 whose bits are set.
const RANGE: u32 = 1 << 31;
const LEN_1: u32 = 1 << 1;
const ANY_LEN: u32 = range(0, TLV_MAX_VALUE_LEN);

const fn range(min: usize, max: usize) -> u32 {
    RANGE | (min as u32) << 16 | max as u32
}

/// The known tags' length rules, found by tag in a few instructions (every TLV of a parsed PDU
/// is looked up): a table of 128 slots indexed by a multiplicative hash of the tag that puts
/// each known tag in a slot of its own, and the distinct rules they use.
struct LengthTable {
    tags: [u16; SLOTS],
    rule_of: [u8; SLOTS],
    rules: [u32; 32],
}

const SLOTS: usize = 128;

/// The hash multiplier: any odd number that gives each known tag its own slot (building the
/// table fails to compile otherwise; a new tag may need another one, found by trying).
const MULTIPLIER: u32 = 0x13FD_8F65;

const fn slot(tag: u16) -> usize {
    ((tag as u32).wrapping_mul(MULTIPLIER) >> 25) as usize
}

#[allow(clippy::indexing_slicing)] // Evaluated at compile time only: an index out of range is a build error.
const LENGTHS: LengthTable = {
    // Rule 0 is any length: empty slots (tag 0 is unassigned) and unknown tags.
    let mut t = LengthTable { tags: [0; SLOTS], rule_of: [0; SLOTS], rules: [ANY_LEN; 32] };
    let mut distinct = 1;
    let mut i = 0;
    while i < KNOWN_LENGTHS.len() {
        let (tag, rule) = KNOWN_LENGTHS[i];
        let s = slot(tag.raw());
        assert!(t.tags[s] == 0, "two known TLV tags share a slot: choose another MULTIPLIER");
        let mut r = 0;
        while r < distinct && t.rules[r] != rule {
            r += 1;
        }
        if r == distinct {
            t.rules[r] = rule;
            distinct += 1;
        }
        t.tags[s] = tag.raw();
        t.rule_of[s] = r as u8;
        i += 1;
    }
    t
};

impl TlvTag {
    /// Whether a value of `len` octets is one this tag's typed accessor reads (any length for an
    /// unknown tag).
    #[inline]
    pub fn allows_len(self, len: usize) -> bool {
        let s = slot(self.raw());
        let known = LENGTHS.tags.get(s) == Some(&self.raw());
        let rule = match LENGTHS.rule_of.get(s) {
            Some(&r) if known => LENGTHS.rules.get(usize::from(r)).copied().unwrap_or(ANY_LEN),
            _ => ANY_LEN,
        };
        if rule & RANGE == 0 {
            len < 8 && rule & (1 << len) != 0
        } else {
            (rule >> 16 & 0x7FFF) as usize <= len && len <= (rule & 0xFFFF) as usize
        }
    }
}

tlv_accessors! {
    u8 dest_addr_subunit = DEST_ADDR_SUBUNIT;
    u8 dest_network_type = DEST_NETWORK_TYPE;
    u8 dest_bearer_type = DEST_BEARER_TYPE;
    u16 dest_telematics_id = DEST_TELEMATICS_ID;
    u8 source_addr_subunit = SOURCE_ADDR_SUBUNIT;
    u8 source_network_type = SOURCE_NETWORK_TYPE;
    u8 source_bearer_type = SOURCE_BEARER_TYPE;
    u8or16 source_telematics_id = SOURCE_TELEMATICS_ID;
    u32 qos_time_to_live = QOS_TIME_TO_LIVE;
    u8 payload_type = PAYLOAD_TYPE;
    cstr additional_status_info_text = ADDITIONAL_STATUS_INFO_TEXT (256);
    cstr receipted_message_id = RECEIPTED_MESSAGE_ID (65);
    u8 ms_msg_wait_facilities = MS_MSG_WAIT_FACILITIES;
    u8 privacy_indicator = PRIVACY_INDICATOR;
    octets source_subaddress = SOURCE_SUBADDRESS (2, 23);
    octets dest_subaddress = DEST_SUBADDRESS (2, 23);
    u16 user_message_reference = USER_MESSAGE_REFERENCE;
    u8 user_response_code = USER_RESPONSE_CODE;
    u16 source_port = SOURCE_PORT;
    u16 destination_port = DESTINATION_PORT;
    u16 sar_msg_ref_num = SAR_MSG_REF_NUM;
    u8 language_indicator = LANGUAGE_INDICATOR;
    u8 sar_total_segments = SAR_TOTAL_SEGMENTS;
    u8 sar_segment_seqnum = SAR_SEGMENT_SEQNUM;
    u8 sc_interface_version = SC_INTERFACE_VERSION;
    u8 callback_num_pres_ind = CALLBACK_NUM_PRES_IND;
    octets callback_num_atag = CALLBACK_NUM_ATAG (0, 65);
    u8 number_of_messages = NUMBER_OF_MESSAGES;
    octets callback_num = CALLBACK_NUM (4, 19);
    u8 dpf_result = DPF_RESULT;
    u8 set_dpf = SET_DPF;
    u8 ms_availability_status = MS_AVAILABILITY_STATUS;
    octets message_payload = MESSAGE_PAYLOAD (0, TLV_MAX_VALUE_LEN);
    u8 delivery_failure_reason = DELIVERY_FAILURE_REASON;
    u8 more_messages_to_send = MORE_MESSAGES_TO_SEND;
    u8 congestion_state = CONGESTION_STATE;
    u8 ussd_service_op = USSD_SERVICE_OP;
    u8 broadcast_channel_indicator = BROADCAST_CHANNEL_INDICATOR;
    octets broadcast_content_type = BROADCAST_CONTENT_TYPE (3, 3);
    octets broadcast_content_type_info = BROADCAST_CONTENT_TYPE_INFO (0, 255);
    u8 broadcast_message_class = BROADCAST_MESSAGE_CLASS;
    u8or16 broadcast_rep_num = BROADCAST_REP_NUM;
    octets broadcast_frequency_interval = BROADCAST_FREQUENCY_INTERVAL (3, 3);
    octets broadcast_area_identifier = BROADCAST_AREA_IDENTIFIER (1, TLV_MAX_VALUE_LEN);
    u32 broadcast_error_status = BROADCAST_ERROR_STATUS;
    u8 broadcast_area_success = BROADCAST_AREA_SUCCESS;
    cstr broadcast_end_time = BROADCAST_END_TIME (17);
    octets broadcast_service_group = BROADCAST_SERVICE_GROUP (1, 255);
    octets billing_identification = BILLING_IDENTIFICATION (0, 1024);
    cstr source_network_id = SOURCE_NETWORK_ID (66);
    cstr dest_network_id = DEST_NETWORK_ID (66);
    octets source_node_id = SOURCE_NODE_ID (6, 6);
    octets dest_node_id = DEST_NODE_ID (6, 6);
    u8 dest_addr_np_resolution = DEST_ADDR_NP_RESOLUTION;
    octets dest_addr_np_information = DEST_ADDR_NP_INFORMATION (0, 10);
    octets dest_addr_np_country = DEST_ADDR_NP_COUNTRY (1, 5);
    u8 display_time = DISPLAY_TIME;
    u16 sms_signal = SMS_SIGNAL;
    u8or4 ms_validity = MS_VALIDITY;
    flag alert_on_message_delivery = ALERT_ON_MESSAGE_DELIVERY;
    u8 its_reply_type = ITS_REPLY_TYPE;
    octets its_session_info = ITS_SESSION_INFO (2, 2);
}

impl<'a> Tlvs<'a> {
    /// The `message_state` TLV (1 octet).
    ///
    /// # Errors
    /// [`Error::InvalidTlvLength`] when present with another length.
    pub fn message_state(&self) -> Result<Option<MessageState>, Error> {
        self.typed(TlvTag::MESSAGE_STATE, |t| t.int_exact(1).map(|v| MessageState::from_raw(v as u8)))
    }

    /// The `network_error_code` TLV (3 octets: network type, error code).
    ///
    /// # Errors
    /// [`Error::InvalidTlvLength`] when present with another length.
    pub fn network_error_code(&self) -> Result<Option<NetworkErrorCode>, Error> {
        self.typed(TlvTag::NETWORK_ERROR_CODE, |t| match t.as_octets() {
            Some(&[network_type, hi, lo]) => {
                Ok(NetworkErrorCode { network_type, error_code: u16::from_be_bytes([hi, lo]) })
            }
            _ => Err(Error::InvalidTlvLength { tag: TlvTag::NETWORK_ERROR_CODE.raw() }),
        })
    }
}

impl Tlv<'static> {
    /// A `message_state` TLV.
    pub const fn message_state(state: MessageState) -> Self {
        Tlv::u8(TlvTag::MESSAGE_STATE, state.raw())
    }

    /// A `network_error_code` TLV.
    pub const fn network_error_code(code: NetworkErrorCode) -> Self {
        Tlv {
            tag: TlvTag::NETWORK_ERROR_CODE,
            value: TlvValue::Int { len: 3, value: ((code.network_type as u32) << 16) | code.error_code as u32 },
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;

    /// For every known tag and many lengths, `parse` accepts a value exactly when the tag's
    /// typed accessor reads it (values are C-string shaped: no NUL inside, one at the end).
    #[test]
    fn parse_checks_the_lengths_the_typed_accessors_read() {
        let lengths = (0..=70).chain(254..=258).chain(1023..=1026);
        let mut checked = 0;
        for len in lengths {
            let value: [u8; 1026] = core::array::from_fn(|i| if i + 1 == len { 0 } else { b'a' });
            let value = &value[..len];
            for raw in 0..=u16::MAX {
                let tag = TlvTag::from_raw(raw);
                let list = [Tlv::octets(tag, value)];
                let Some(typed) = read_typed(&Tlvs::from_slice(&list), tag) else { continue };
                let mut wire = [0u8; 4 + 1026];
                wire[..2].copy_from_slice(&raw.to_be_bytes());
                wire[2..4].copy_from_slice(&(len as u16).to_be_bytes());
                wire[4..4 + len].copy_from_slice(value);
                let parsed = Tlvs::parse(&wire[..4 + len]);
                assert_eq!(parsed.is_ok(), typed.is_ok(), "tag {tag:?}, {len} octets");
                if let Ok(t) = parsed {
                    assert_eq!(read_typed(&t, tag), Some(Ok(())));
                } else {
                    assert_eq!(parsed, Err(Error::InvalidTlvLength { tag: raw }));
                }
                checked += 1;
            }
        }
        assert!(checked > 60 * 80, "{checked}");
    }
}
