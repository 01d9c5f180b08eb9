//! submit_sm and deliver_sm, which share one layout (SMPP-REFERENCE §3.5).

use super::fields::{self, DEST, SOURCE, put_address, put_short_message, put_time};
use crate::wire::{Encode, Reader, Sink};
use crate::{Address, COctetStr, DataCoding, Error, EsmClass, Field, Priority, RegisteredDelivery, Tlvs};

/// The body of submit_sm and deliver_sm (§3.5).
///
/// User data is in `short_message` (at most 254 octets in a body the application builds, 255 in
/// a decoded one) or in a `message_payload` TLV with an empty `short_message`; [`Sm::message`]
/// returns whichever is used. A decoded body may carry both (the short_message wins).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Sm<'a> {
    /// Service type; empty for the SMSC default.
    pub service_type: COctetStr<'a>,
    /// Originator (for a receipt: the handset).
    pub source: Address<'a>,
    /// Recipient (for a receipt: the original sender).
    pub dest: Address<'a>,
    /// Messaging mode, message type, UDHI.
    pub esm_class: EsmClass,
    /// GSM TP-PID; 0 normally.
    pub protocol_id: u8,
    /// Priority 0–3.
    pub priority_flag: Priority,
    /// Empty for immediate delivery, or an SMPP time.
    pub schedule_delivery_time: COctetStr<'a>,
    /// Empty for the SMSC default, or an SMPP time.
    pub validity_period: COctetStr<'a>,
    /// Receipt and acknowledgement requests.
    pub registered_delivery: RegisteredDelivery,
    /// 1 to replace a pending message with the same source, destination and service type.
    pub replace_if_present_flag: u8,
    /// Alphabet of the user data.
    pub data_coding: DataCoding,
    /// Canned message id; 0 when not used.
    pub sm_default_msg_id: u8,
    /// User data (may start with a UDH when `esm_class` has UDHI).
    pub short_message: &'a [u8],
    /// Optional parameters.
    pub tlvs: Tlvs<'a>,
}

/// The body of submit_sm (§3.5).
pub type SubmitSm<'a> = Sm<'a>;
/// The body of deliver_sm (§3.5).
pub type DeliverSm<'a> = Sm<'a>;

impl<'a> Sm<'a> {
    /// A message from `source` to `dest` with `short_message`, every other field at its default.
    pub fn new(source: Address<'a>, dest: Address<'a>, short_message: &'a [u8]) -> Self {
        Sm { source, dest, short_message, ..Sm::default() }
    }

    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or a corrupt TLV stream.
    // Called on bare metal (smaller), copied into each caller on hosts (faster); see
    // smpp-codec/BENCHMARKS.md, "Inlining by target".
    #[cfg_attr(target_os = "none", inline)]
    #[cfg_attr(not(target_os = "none"), inline(always))]
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        Ok(Sm {
            service_type: r.cstr(Field::ServiceType, fields::SERVICE_TYPE_MAX)?,
            source: r.address(SOURCE, fields::ADDR_MAX)?,
            dest: r.address(DEST, fields::ADDR_MAX)?,
            esm_class: EsmClass(r.u8(Field::EsmClass)?),
            protocol_id: r.u8(Field::ProtocolId)?,
            priority_flag: Priority(r.u8(Field::PriorityFlag)?),
            schedule_delivery_time: r.cstr(Field::ScheduleDeliveryTime, fields::TIME_MAX)?,
            validity_period: r.cstr(Field::ValidityPeriod, fields::TIME_MAX)?,
            registered_delivery: RegisteredDelivery(r.u8(Field::RegisteredDelivery)?),
            replace_if_present_flag: r.u8(Field::ReplaceIfPresentFlag)?,
            data_coding: DataCoding(r.u8(Field::DataCoding)?),
            sm_default_msg_id: r.u8(Field::SmDefaultMsgId)?,
            short_message: r.short_message()?,
            tlvs: Tlvs::parse(r.rest())?,
        })
    }

    /// The user data: `short_message`, or the `message_payload` TLV when `short_message` is
    /// empty.
    pub fn message(&self) -> &'a [u8] {
        if self.short_message.is_empty() {
            if let Ok(Some(p)) = self.tlvs.message_payload() {
                return p;
            }
        }
        self.short_message
    }
}

impl Encode for Sm<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr(Field::ServiceType, self.service_type, fields::SERVICE_TYPE_MAX);
        put_address(s, &self.source, SOURCE, fields::ADDR_MAX);
        put_address(s, &self.dest, DEST, fields::ADDR_MAX);
        s.u8(self.esm_class.0);
        s.u8(self.protocol_id);
        s.u8(self.priority_flag.0);
        put_time(s, Field::ScheduleDeliveryTime, self.schedule_delivery_time);
        put_time(s, Field::ValidityPeriod, self.validity_period);
        s.u8(self.registered_delivery.0);
        s.u8(self.replace_if_present_flag);
        s.u8(self.data_coding.0);
        s.u8(self.sm_default_msg_id);
        put_short_message(s, self.short_message, &self.tlvs);
        self.tlvs.encode(s);
    }
}

/// The body of submit_sm_resp, deliver_sm_resp, data_sm_resp, broadcast_sm_resp and
/// query_broadcast_sm_resp: a message_id and TLVs (§3.6, §3.13).
///
/// The body may be absent (error responses, OpenMarket's deliver_sm_resp): `message_id` is then
/// [absent](COctetStr::is_absent) and the response re-emits header-only.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MessageIdResp<'a> {
    /// The SMSC's id for the message (unused in deliver_sm_resp: empty).
    pub message_id: COctetStr<'a>,
    /// Optional parameters (5.0 responses may carry some).
    pub tlvs: Tlvs<'a>,
}

/// The body of submit_sm_resp.
pub type SubmitSmResp<'a> = MessageIdResp<'a>;
/// The body of deliver_sm_resp.
pub type DeliverSmResp<'a> = MessageIdResp<'a>;
/// The body of data_sm_resp.
pub type DataSmResp<'a> = MessageIdResp<'a>;
/// The body of broadcast_sm_resp (5.0).
pub type BroadcastSmResp<'a> = MessageIdResp<'a>;
/// The body of query_broadcast_sm_resp (5.0).
pub type QueryBroadcastSmResp<'a> = MessageIdResp<'a>;

impl<'a> MessageIdResp<'a> {
    /// A response with this message id and no TLVs.
    pub fn new(message_id: &'a str) -> Self {
        MessageIdResp { message_id: message_id.into(), tlvs: Tlvs::EMPTY }
    }

    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A bad `message_id` or a corrupt TLV stream.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        Ok(MessageIdResp {
            message_id: r.cstr_last(Field::MessageId, fields::MESSAGE_ID_MAX)?,
            tlvs: Tlvs::parse(r.rest())?,
        })
    }
}

impl Encode for MessageIdResp<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr_last(Field::MessageId, self.message_id, fields::MESSAGE_ID_MAX, self.tlvs.is_empty());
        self.tlvs.encode(s);
    }
}

body_codec!(Sm, MessageIdResp);
