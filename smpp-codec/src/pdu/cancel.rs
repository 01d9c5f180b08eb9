//! cancel_sm and replace_sm (SMPP-REFERENCE §3.10, §3.11). Their responses are header-only.

use super::fields::{self, DEST, SOURCE, put_address, put_address_last, put_short_message, put_time};
use crate::wire::{Encode, Reader, Sink};
use crate::{Address, COctetStr, Error, Field, RegisteredDelivery, Tlvs};

/// The body of cancel_sm (§3.10).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CancelSm<'a> {
    /// Service type of the message(s) to cancel.
    pub service_type: COctetStr<'a>,
    /// The message's id; empty to cancel every message matching source, destination and
    /// service type.
    pub message_id: COctetStr<'a>,
    /// The original source address.
    pub source: Address<'a>,
    /// The original destination: up to 20 characters when the application builds it, up to 64
    /// when decoded (Kannel's limit; SMPP-REFERENCE §12 #8), and written back as it came.
    pub dest: Address<'a>,
}

impl<'a> CancelSm<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or octets after the last field.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let v = CancelSm {
            service_type: r.cstr(Field::ServiceType, fields::SERVICE_TYPE_MAX)?,
            message_id: r.cstr(Field::MessageId, fields::MESSAGE_ID_MAX)?,
            source: r.address(SOURCE, fields::ADDR_MAX)?,
            dest: r.address_last(DEST, fields::ADDR_WIDE_MAX)?,
        };
        r.finish()?;
        Ok(v)
    }
}

impl Encode for CancelSm<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr(Field::ServiceType, self.service_type, fields::SERVICE_TYPE_MAX);
        s.cstr(Field::MessageId, self.message_id, fields::MESSAGE_ID_MAX);
        put_address(s, &self.source, SOURCE, fields::ADDR_MAX);
        put_address_last(s, &self.dest, DEST, (fields::ADDR_MAX, fields::ADDR_WIDE_MAX), true);
    }
}

/// The body of replace_sm (§3.11): message_id first (Kannel's leading service_type is
/// non-standard and not followed).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReplaceSm<'a> {
    /// The message to replace.
    pub message_id: COctetStr<'a>,
    /// Its original source address.
    pub source: Address<'a>,
    /// New schedule; empty keeps the original.
    pub schedule_delivery_time: COctetStr<'a>,
    /// New validity; empty keeps the original.
    pub validity_period: COctetStr<'a>,
    /// Receipt and acknowledgement requests.
    pub registered_delivery: RegisteredDelivery,
    /// Canned message id.
    pub sm_default_msg_id: u8,
    /// The new user data.
    pub short_message: &'a [u8],
    /// Optional parameters (5.0: message_payload).
    pub tlvs: Tlvs<'a>,
}

impl<'a> ReplaceSm<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or a corrupt TLV stream.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        Ok(ReplaceSm {
            message_id: r.cstr(Field::MessageId, fields::MESSAGE_ID_MAX)?,
            source: r.address(SOURCE, fields::ADDR_MAX)?,
            schedule_delivery_time: r.cstr(Field::ScheduleDeliveryTime, fields::TIME_MAX)?,
            validity_period: r.cstr(Field::ValidityPeriod, fields::TIME_MAX)?,
            registered_delivery: RegisteredDelivery(r.u8(Field::RegisteredDelivery)?),
            sm_default_msg_id: r.u8(Field::SmDefaultMsgId)?,
            short_message: r.short_message()?,
            tlvs: Tlvs::parse(r.rest())?,
        })
    }
}

impl Encode for ReplaceSm<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr(Field::MessageId, self.message_id, fields::MESSAGE_ID_MAX);
        put_address(s, &self.source, SOURCE, fields::ADDR_MAX);
        put_time(s, Field::ScheduleDeliveryTime, self.schedule_delivery_time);
        put_time(s, Field::ValidityPeriod, self.validity_period);
        s.u8(self.registered_delivery.0);
        s.u8(self.sm_default_msg_id);
        put_short_message(s, self.short_message, &self.tlvs);
        self.tlvs.encode(s);
    }
}

body_codec!(CancelSm, ReplaceSm);
