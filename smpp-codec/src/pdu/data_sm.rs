//! data_sm (SMPP-REFERENCE §3.8). Its response is [`MessageIdResp`](super::MessageIdResp).

use super::fields::{self, DEST, SOURCE, put_address};
use crate::wire::{Encode, Reader, Sink};
use crate::{Address, COctetStr, DataCoding, Error, EsmClass, Field, RegisteredDelivery, Tlvs};

/// The body of data_sm (§3.8): user data travels in the `message_payload` TLV.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DataSm<'a> {
    /// Service type.
    pub service_type: COctetStr<'a>,
    /// Originator (address up to 64 characters).
    pub source: Address<'a>,
    /// Recipient (address up to 64 characters).
    pub dest: Address<'a>,
    /// Messaging mode, message type, UDHI.
    pub esm_class: EsmClass,
    /// Receipt and acknowledgement requests.
    pub registered_delivery: RegisteredDelivery,
    /// Alphabet of the user data.
    pub data_coding: DataCoding,
    /// Optional parameters, normally with `message_payload`.
    pub tlvs: Tlvs<'a>,
}

impl<'a> DataSm<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or a corrupt TLV stream.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        Ok(DataSm {
            service_type: r.cstr(Field::ServiceType, fields::SERVICE_TYPE_MAX)?,
            source: r.address(SOURCE, fields::ADDR_WIDE_MAX)?,
            dest: r.address(DEST, fields::ADDR_WIDE_MAX)?,
            esm_class: EsmClass(r.u8(Field::EsmClass)?),
            registered_delivery: RegisteredDelivery(r.u8(Field::RegisteredDelivery)?),
            data_coding: DataCoding(r.u8(Field::DataCoding)?),
            tlvs: Tlvs::parse(r.rest())?,
        })
    }
}

impl Encode for DataSm<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr(Field::ServiceType, self.service_type, fields::SERVICE_TYPE_MAX);
        put_address(s, &self.source, SOURCE, fields::ADDR_WIDE_MAX);
        put_address(s, &self.dest, DEST, fields::ADDR_WIDE_MAX);
        s.u8(self.esm_class.0);
        s.u8(self.registered_delivery.0);
        s.u8(self.data_coding.0);
        self.tlvs.encode(s);
    }
}

body_codec!(DataSm);
