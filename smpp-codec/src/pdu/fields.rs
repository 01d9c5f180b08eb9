//! Field groups shared by several PDUs: addresses, time fields, the short message.

use crate::wire::{Form, Reader, Sink};
use crate::{Address, COctetStr, Error, Field, TlvTag, Tlvs};

/// Maximum of `service_type`, NUL included.
pub const SERVICE_TYPE_MAX: usize = 6;
/// Maximum of an SME address in submit_sm, deliver_sm and most PDUs, NUL included.
pub const ADDR_MAX: usize = 21;
/// Maximum of an address in data_sm and alert_notification, NUL included.
pub const ADDR_WIDE_MAX: usize = 65;
/// Maximum of a `message_id`, NUL included.
pub const MESSAGE_ID_MAX: usize = 65;
/// Maximum of a time field, NUL included (16 characters + NUL).
pub const TIME_MAX: usize = 17;
/// Largest `short_message` accepted on decode (SMPP 5.0 allows 255), and written back when
/// re-emitting a decoded body.
pub const SHORT_MESSAGE_DECODE_MAX: usize = 255;
/// Largest `short_message` in a body the application builds (SMPP 3.4 allows 254).
pub const SHORT_MESSAGE_MAX: usize = 254;

/// Which fields an address's three parts are.
#[derive(Copy, Clone)]
pub(crate) struct AddrFields {
    pub ton: Field,
    pub npi: Field,
    pub addr: Field,
}

pub(crate) const SOURCE: AddrFields =
    AddrFields { ton: Field::SourceAddrTon, npi: Field::SourceAddrNpi, addr: Field::SourceAddr };
pub(crate) const DEST: AddrFields =
    AddrFields { ton: Field::DestAddrTon, npi: Field::DestAddrNpi, addr: Field::DestinationAddr };
pub(crate) const ESME: AddrFields =
    AddrFields { ton: Field::EsmeAddrTon, npi: Field::EsmeAddrNpi, addr: Field::EsmeAddr };

impl<'a> Reader<'a> {
    // Called on bare metal (smaller), copied into each caller on hosts (faster); see
    // smpp-codec/BENCHMARKS.md, "Inlining by target".
    #[cfg_attr(target_os = "none", inline)]
    #[cfg_attr(not(target_os = "none"), inline(always))]
    pub(crate) fn address(&mut self, f: AddrFields, max: usize) -> Result<Address<'a>, Error> {
        Ok(Address { ton: self.u8(f.ton)?.into(), npi: self.u8(f.npi)?.into(), addr: self.cstr(f.addr, max)? })
    }

    /// An address that is the last mandatory field of its body: its C-string may be absent.
    // Called on bare metal (smaller), copied into each caller on hosts (faster); see
    // smpp-codec/BENCHMARKS.md, "Inlining by target".
    #[cfg_attr(target_os = "none", inline)]
    #[cfg_attr(not(target_os = "none"), inline(always))]
    pub(crate) fn address_last(&mut self, f: AddrFields, max: usize) -> Result<Address<'a>, Error> {
        Ok(Address { ton: self.u8(f.ton)?.into(), npi: self.u8(f.npi)?.into(), addr: self.cstr_last(f.addr, max)? })
    }

    /// `sm_length` then that many octets, at most [`SHORT_MESSAGE_DECODE_MAX`].
    #[inline]
    pub(crate) fn short_message(&mut self) -> Result<&'a [u8], Error> {
        let len = self.u8(Field::SmLength)?;
        self.octets(usize::from(len), Field::ShortMessage)
    }
}

pub(crate) fn put_address<S: Sink>(s: &mut S, a: &Address<'_>, f: AddrFields, max: usize) {
    s.u8(a.ton.raw());
    s.u8(a.npi.raw());
    s.cstr(f.addr, a.addr, max);
}

/// An address that is the last mandatory field of its body (see [`Sink::cstr_last_within`]).
pub(crate) fn put_address_last<S: Sink>(
    s: &mut S,
    a: &Address<'_>,
    f: AddrFields,
    (built_max, decoded_max): (usize, usize),
    rest_empty: bool,
) {
    s.u8(a.ton.raw());
    s.u8(a.npi.raw());
    s.cstr_last_within(f.addr, a.addr, built_max, decoded_max, rest_empty);
}

/// Whether a time field the application built is well formed: empty, or exactly 16
/// characters. A decoded one is written back as it came (any C-string within [`TIME_MAX`]).
fn check_time<S: Sink>(s: &mut S, field: Field, v: COctetStr<'_>) {
    if S::CHECK && v.form() == Form::Built && !(v.is_empty() || v.len() == crate::time::TIME_LEN) {
        s.fail(Error::InvalidValue { field });
    }
}

/// A time field (never absent).
pub(crate) fn put_time<S: Sink>(s: &mut S, field: Field, v: COctetStr<'_>) {
    check_time(s, field, v);
    s.cstr(field, v, TIME_MAX);
}

/// A time field that may be absent (query_sm_resp's final_date, after which a response may
/// stop).
pub(crate) fn put_time_last<S: Sink>(s: &mut S, field: Field, v: COctetStr<'_>, rest_empty: bool) {
    check_time(s, field, v);
    s.cstr_last(field, v, TIME_MAX, rest_empty);
}

/// `sm_length` and `short_message`.
///
/// A body the application built may carry at most 254 octets, and not both a short_message and
/// a message_payload TLV. A decoded body (its TLVs are the parsed wire bytes) is written back as
/// it came: up to 255 octets, beside a message_payload or not (SMPP-REFERENCE §12 #10).
pub(crate) fn put_short_message<S: Sink>(s: &mut S, sm: &[u8], tlvs: &Tlvs<'_>) {
    if S::CHECK {
        let max = if tlvs.is_decoded() { SHORT_MESSAGE_DECODE_MAX } else { SHORT_MESSAGE_MAX };
        if sm.len() > max {
            s.fail(Error::TooLong { field: Field::ShortMessage, max: max as u16 });
        } else if !tlvs.is_decoded() && !sm.is_empty() && tlvs.get(TlvTag::MESSAGE_PAYLOAD).is_some() {
            s.fail(Error::PayloadConflict);
        }
    }
    s.u8(sm.len() as u8);
    s.bytes(sm);
}
