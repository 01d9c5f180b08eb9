//! The SMPP 5.0 broadcast family (SMPP-REFERENCE §3.13). broadcast_sm_resp and
//! query_broadcast_sm_resp are [`MessageIdResp`](super::MessageIdResp); cancel_broadcast_sm_resp
//! is header-only.

use super::fields::{self, SOURCE, put_address, put_address_last, put_time};
use crate::wire::{Encode, Reader, Sink};
use crate::{Address, COctetStr, DataCoding, Error, Field, Priority, Tlvs};

/// The body of broadcast_sm (5.0). The broadcast parameters (area, content type, repetitions,
/// frequency) travel as TLVs.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BroadcastSm<'a> {
    /// Service type.
    pub service_type: COctetStr<'a>,
    /// Originator.
    pub source: Address<'a>,
    /// Empty unless replacing an earlier broadcast.
    pub message_id: COctetStr<'a>,
    /// Priority 0–3.
    pub priority_flag: Priority,
    /// Empty for immediate, or an SMPP time.
    pub schedule_delivery_time: COctetStr<'a>,
    /// Empty for the default, or an SMPP time.
    pub validity_period: COctetStr<'a>,
    /// Replace an earlier broadcast.
    pub replace_if_present_flag: u8,
    /// Alphabet of the user data.
    pub data_coding: DataCoding,
    /// Canned message id.
    pub sm_default_msg_id: u8,
    /// Broadcast parameters and the message_payload.
    pub tlvs: Tlvs<'a>,
}

impl<'a> BroadcastSm<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or a corrupt TLV stream.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        Ok(BroadcastSm {
            service_type: r.cstr(Field::ServiceType, fields::SERVICE_TYPE_MAX)?,
            source: r.address(SOURCE, fields::ADDR_MAX)?,
            message_id: r.cstr(Field::MessageId, fields::MESSAGE_ID_MAX)?,
            priority_flag: Priority(r.u8(Field::PriorityFlag)?),
            schedule_delivery_time: r.cstr(Field::ScheduleDeliveryTime, fields::TIME_MAX)?,
            validity_period: r.cstr(Field::ValidityPeriod, fields::TIME_MAX)?,
            replace_if_present_flag: r.u8(Field::ReplaceIfPresentFlag)?,
            data_coding: DataCoding(r.u8(Field::DataCoding)?),
            sm_default_msg_id: r.u8(Field::SmDefaultMsgId)?,
            tlvs: Tlvs::parse(r.rest())?,
        })
    }
}

impl Encode for BroadcastSm<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr(Field::ServiceType, self.service_type, fields::SERVICE_TYPE_MAX);
        put_address(s, &self.source, SOURCE, fields::ADDR_MAX);
        s.cstr(Field::MessageId, self.message_id, fields::MESSAGE_ID_MAX);
        s.u8(self.priority_flag.0);
        put_time(s, Field::ScheduleDeliveryTime, self.schedule_delivery_time);
        put_time(s, Field::ValidityPeriod, self.validity_period);
        s.u8(self.replace_if_present_flag);
        s.u8(self.data_coding.0);
        s.u8(self.sm_default_msg_id);
        self.tlvs.encode(s);
    }
}

/// The body of query_broadcast_sm (5.0).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QueryBroadcastSm<'a> {
    /// The broadcast's id.
    pub message_id: COctetStr<'a>,
    /// Its source address.
    pub source: Address<'a>,
    /// Optional parameters (user_message_reference).
    pub tlvs: Tlvs<'a>,
}

impl<'a> QueryBroadcastSm<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or a corrupt TLV stream.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        Ok(QueryBroadcastSm {
            message_id: r.cstr(Field::MessageId, fields::MESSAGE_ID_MAX)?,
            source: r.address_last(SOURCE, fields::ADDR_MAX)?,
            tlvs: Tlvs::parse(r.rest())?,
        })
    }
}

impl Encode for QueryBroadcastSm<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr(Field::MessageId, self.message_id, fields::MESSAGE_ID_MAX);
        let max = (fields::ADDR_MAX, fields::ADDR_MAX);
        put_address_last(s, &self.source, SOURCE, max, self.tlvs.is_empty());
        self.tlvs.encode(s);
    }
}

/// The body of cancel_broadcast_sm (5.0).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CancelBroadcastSm<'a> {
    /// Service type.
    pub service_type: COctetStr<'a>,
    /// The broadcast's id.
    pub message_id: COctetStr<'a>,
    /// Its source address.
    pub source: Address<'a>,
    /// Optional parameters (broadcast_content_type, user_message_reference).
    pub tlvs: Tlvs<'a>,
}

impl<'a> CancelBroadcastSm<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or a corrupt TLV stream.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        Ok(CancelBroadcastSm {
            service_type: r.cstr(Field::ServiceType, fields::SERVICE_TYPE_MAX)?,
            message_id: r.cstr(Field::MessageId, fields::MESSAGE_ID_MAX)?,
            source: r.address_last(SOURCE, fields::ADDR_MAX)?,
            tlvs: Tlvs::parse(r.rest())?,
        })
    }
}

impl Encode for CancelBroadcastSm<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr(Field::ServiceType, self.service_type, fields::SERVICE_TYPE_MAX);
        s.cstr(Field::MessageId, self.message_id, fields::MESSAGE_ID_MAX);
        let max = (fields::ADDR_MAX, fields::ADDR_MAX);
        put_address_last(s, &self.source, SOURCE, max, self.tlvs.is_empty());
        self.tlvs.encode(s);
    }
}

body_codec!(BroadcastSm, QueryBroadcastSm, CancelBroadcastSm);
