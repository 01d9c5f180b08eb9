//! Field groups shared by several PDUs: addresses, time fields, the short message.

use crate::wire::{Reader, Sink};
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
/// Largest `short_message` accepted on decode (SMPP 5.0 allows 255).
pub const SHORT_MESSAGE_DECODE_MAX: usize = 255;
/// Largest `short_message` emitted (SMPP 3.4 allows 254).
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
    #[inline(always)]
    pub(crate) fn address(&mut self, f: AddrFields, max: usize) -> Result<Address<'a>, Error> {
        Ok(Address { ton: self.u8(f.ton)?.into(), npi: self.u8(f.npi)?.into(), addr: self.cstr(f.addr, max)? })
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

/// A time field: empty, or exactly 16 characters on encode.
pub(crate) fn put_time<S: Sink>(s: &mut S, field: Field, v: COctetStr<'_>) {
    if S::CHECK && !(v.is_empty() || v.len() == crate::time::TIME_LEN) {
        s.fail(Error::InvalidValue { field });
    }
    s.cstr(field, v, TIME_MAX);
}

/// `sm_length` and `short_message`, refusing more than 254 octets or a message_payload TLV
/// beside a non-empty short_message.
pub(crate) fn put_short_message<S: Sink>(s: &mut S, sm: &[u8], tlvs: &Tlvs<'_>) {
    if S::CHECK {
        if sm.len() > SHORT_MESSAGE_MAX {
            s.fail(Error::TooLong { field: Field::ShortMessage, max: SHORT_MESSAGE_MAX as u16 });
        } else if !sm.is_empty() && !tlvs.is_empty() && tlvs.get(TlvTag::MESSAGE_PAYLOAD).is_some() {
            s.fail(Error::PayloadConflict);
        }
    }
    s.u8(sm.len() as u8);
    s.bytes(sm);
}
