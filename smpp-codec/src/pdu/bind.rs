//! bind_transmitter / bind_receiver / bind_transceiver, their responses, and outbind
//! (SMPP-REFERENCE §3.1–§3.3).

use crate::wire::{Encode, Reader, Sink};
use crate::{COctetStr, Error, Field, Npi, Tlvs, Ton};

/// Maximum of `system_id`, NUL included.
pub const SYSTEM_ID_MAX: usize = 16;
/// Maximum of `password`, NUL included (8 characters).
pub const PASSWORD_MAX: usize = 9;
/// Maximum of `system_type`, NUL included.
pub const SYSTEM_TYPE_MAX: usize = 13;
/// Maximum of `address_range`, NUL included.
pub const ADDRESS_RANGE_MAX: usize = 41;

/// The body of bind_transmitter, bind_receiver and bind_transceiver (§3.1).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Bind<'a> {
    /// ESME identity (user name), at most 15 characters.
    pub system_id: COctetStr<'a>,
    /// Password, at most 8 characters.
    pub password: COctetStr<'a>,
    /// ESME type, often empty.
    pub system_type: COctetStr<'a>,
    /// 0x34 for SMPP 3.4, 0x50 for 5.0.
    pub interface_version: u8,
    /// TON of the addresses served.
    pub addr_ton: Ton,
    /// NPI of the addresses served.
    pub addr_npi: Npi,
    /// Addresses served (a regular expression in 3.4), often empty.
    pub address_range: COctetStr<'a>,
}

impl<'a> Bind<'a> {
    /// A bind with credentials, SMPP 3.4, and every other field empty.
    pub fn new(system_id: &'a str, password: &'a str) -> Self {
        Bind {
            system_id: system_id.into(),
            password: password.into(),
            system_type: COctetStr::EMPTY,
            interface_version: crate::interface_version::V34,
            addr_ton: Ton::UNKNOWN,
            addr_npi: Npi::UNKNOWN,
            address_range: COctetStr::EMPTY,
        }
    }

    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or octets after the last field.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let v = Bind {
            system_id: r.cstr(Field::SystemId, SYSTEM_ID_MAX)?,
            password: r.cstr(Field::Password, PASSWORD_MAX)?,
            system_type: r.cstr(Field::SystemType, SYSTEM_TYPE_MAX)?,
            interface_version: r.u8(Field::InterfaceVersion)?,
            addr_ton: r.u8(Field::AddrTon)?.into(),
            addr_npi: r.u8(Field::AddrNpi)?.into(),
            address_range: r.cstr_last(Field::AddressRange, ADDRESS_RANGE_MAX)?,
        };
        r.finish()?;
        Ok(v)
    }
}

impl Encode for Bind<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr(Field::SystemId, self.system_id, SYSTEM_ID_MAX);
        s.cstr(Field::Password, self.password, PASSWORD_MAX);
        s.cstr(Field::SystemType, self.system_type, SYSTEM_TYPE_MAX);
        s.u8(self.interface_version);
        s.u8(self.addr_ton.raw());
        s.u8(self.addr_npi.raw());
        s.cstr_last(Field::AddressRange, self.address_range, ADDRESS_RANGE_MAX, true);
    }
}

/// The body of bind_*_resp (§3.2): the SMSC's system_id and, usually, sc_interface_version.
///
/// The body may be absent (`system_id` is then [absent](COctetStr::is_absent)), a lone NUL, or
/// complete, whatever the status; all three decode and re-emit as they came.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BindResp<'a> {
    /// The SMSC's identity.
    pub system_id: COctetStr<'a>,
    /// TLVs, normally sc_interface_version.
    pub tlvs: Tlvs<'a>,
}

impl<'a> BindResp<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A bad `system_id` or a corrupt TLV stream.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        Ok(BindResp { system_id: r.cstr_last(Field::SystemId, SYSTEM_ID_MAX)?, tlvs: Tlvs::parse(r.rest())? })
    }
}

impl Encode for BindResp<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr_last(Field::SystemId, self.system_id, SYSTEM_ID_MAX, self.tlvs.is_empty());
        self.tlvs.encode(s);
    }
}

/// The body of outbind (§3.3): the SMSC asks the ESME to bind. No response PDU exists.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Outbind<'a> {
    /// The SMSC's identity.
    pub system_id: COctetStr<'a>,
    /// Password the ESME checks.
    pub password: COctetStr<'a>,
}

impl<'a> Outbind<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or octets after the last field.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let v = Outbind {
            system_id: r.cstr(Field::SystemId, SYSTEM_ID_MAX)?,
            password: r.cstr_last(Field::Password, PASSWORD_MAX)?,
        };
        r.finish()?;
        Ok(v)
    }
}

impl Encode for Outbind<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr(Field::SystemId, self.system_id, SYSTEM_ID_MAX);
        s.cstr_last(Field::Password, self.password, PASSWORD_MAX, true);
    }
}

body_codec!(Bind, BindResp, Outbind);
