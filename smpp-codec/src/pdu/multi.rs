//! submit_multi and submit_multi_resp (SMPP-REFERENCE §3.7).

use super::fields::{self, DEST, SOURCE, put_address, put_short_message, put_time};
use super::list::{Item, List};
use crate::wire::{Encode, Reader, Sink};
use crate::{
    Address, COctetStr, CommandStatus, DataCoding, Error, EsmClass, Field, Priority, RegisteredDelivery, Tlvs,
};

/// Most destinations one submit_multi may carry.
pub const MAX_DESTS: usize = 254;
/// Maximum of a distribution list name, NUL included.
pub const DL_NAME_MAX: usize = 21;

/// One destination of submit_multi: an SME address (dest_flag 1) or a distribution list
/// (dest_flag 2).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DestAddress<'a> {
    /// An SME address.
    Sme(Address<'a>),
    /// A distribution list name.
    DistributionList(COctetStr<'a>),
}

impl<'a> Item<'a> for DestAddress<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        match r.u8(Field::DestFlag)? {
            1 => Ok(DestAddress::Sme(r.address(DEST, fields::ADDR_MAX)?)),
            2 => Ok(DestAddress::DistributionList(r.cstr(Field::DlName, DL_NAME_MAX)?)),
            _ => Err(Error::InvalidValue { field: Field::DestFlag }),
        }
    }

    fn write<S: Sink>(&self, s: &mut S) {
        match self {
            DestAddress::Sme(a) => {
                s.u8(1);
                put_address(s, a, DEST, fields::ADDR_MAX);
            }
            DestAddress::DistributionList(name) => {
                s.u8(2);
                s.cstr(Field::DlName, *name, DL_NAME_MAX);
            }
        }
    }
}

/// The body of submit_multi (§3.7): submit_sm's fields with a list of destinations.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SubmitMulti<'a> {
    /// Service type; empty for the SMSC default.
    pub service_type: COctetStr<'a>,
    /// Originator.
    pub source: Address<'a>,
    /// 1 to 254 destinations (0 to 255 in a decoded body, written back as they came).
    pub dests: List<'a, DestAddress<'a>>,
    /// Messaging mode, message type, UDHI.
    pub esm_class: EsmClass,
    /// GSM TP-PID.
    pub protocol_id: u8,
    /// Priority 0–3.
    pub priority_flag: Priority,
    /// Empty for immediate delivery, or an SMPP time.
    pub schedule_delivery_time: COctetStr<'a>,
    /// Empty for the SMSC default, or an SMPP time.
    pub validity_period: COctetStr<'a>,
    /// Receipt and acknowledgement requests.
    pub registered_delivery: RegisteredDelivery,
    /// Replace a pending message.
    pub replace_if_present_flag: u8,
    /// Alphabet of the user data.
    pub data_coding: DataCoding,
    /// Canned message id.
    pub sm_default_msg_id: u8,
    /// User data.
    pub short_message: &'a [u8],
    /// Optional parameters.
    pub tlvs: Tlvs<'a>,
}

impl<'a> SubmitMulti<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, an unknown dest_flag, or a corrupt
    /// TLV stream.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let service_type = r.cstr(Field::ServiceType, fields::SERVICE_TYPE_MAX)?;
        let source = r.address(SOURCE, fields::ADDR_MAX)?;
        let count = r.u8(Field::NumberOfDests)?;
        Ok(SubmitMulti {
            service_type,
            source,
            dests: List::read(&mut r, count)?,
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
}

impl Encode for SubmitMulti<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr(Field::ServiceType, self.service_type, fields::SERVICE_TYPE_MAX);
        put_address(s, &self.source, SOURCE, fields::ADDR_MAX);
        if S::CHECK && !self.dests.is_decoded() && !(1..=MAX_DESTS).contains(&self.dests.len()) {
            s.fail(Error::InvalidValue { field: Field::NumberOfDests });
        }
        s.u8(self.dests.len() as u8);
        self.dests.write(s);
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

/// A destination submit_multi could not reach, with the reason.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UnsuccessSme<'a> {
    /// The destination.
    pub dest: Address<'a>,
    /// Why it failed.
    pub error_status_code: CommandStatus,
}

impl<'a> Item<'a> for UnsuccessSme<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(UnsuccessSme {
            dest: r.address(DEST, fields::ADDR_MAX)?,
            error_status_code: CommandStatus::from_raw(r.u32(Field::ErrorStatusCode)?),
        })
    }

    fn write<S: Sink>(&self, s: &mut S) {
        put_address(s, &self.dest, DEST, fields::ADDR_MAX);
        s.u32(self.error_status_code.raw());
    }
}

/// The body of submit_multi_resp (§3.7): the message id and the destinations that failed.
///
/// Like every response it may stop early, whatever its status: header-only (`message_id`
/// [absent](COctetStr::is_absent)) or after the message_id (`unsuccess` [absent](List::is_absent)).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SubmitMultiResp<'a> {
    /// The SMSC's id for the message.
    pub message_id: COctetStr<'a>,
    /// Destinations that failed (at most 255).
    pub unsuccess: List<'a, UnsuccessSme<'a>>,
    /// Optional parameters (5.0).
    pub tlvs: Tlvs<'a>,
}

impl<'a> SubmitMultiResp<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or a corrupt TLV stream.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let message_id = r.cstr_last(Field::MessageId, fields::MESSAGE_ID_MAX)?;
        if r.is_empty() {
            // A response that stops before its second field.
            return Ok(SubmitMultiResp { message_id, unsuccess: List::absent(), tlvs: Tlvs::EMPTY });
        }
        let count = r.u8(Field::NoUnsuccess)?;
        Ok(SubmitMultiResp { message_id, unsuccess: List::read(&mut r, count)?, tlvs: Tlvs::parse(r.rest())? })
    }
}

impl Encode for SubmitMultiResp<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        let rest_empty = self.tlvs.is_empty();
        let all_empty = self.unsuccess.is_empty() && rest_empty;
        s.cstr_last(Field::MessageId, self.message_id, fields::MESSAGE_ID_MAX, all_empty);
        if self.message_id.is_absent() {
            return;
        }
        if self.unsuccess.is_absent() {
            if S::CHECK && !rest_empty {
                s.fail(Error::Absent { field: Field::NoUnsuccess });
            }
            return;
        }
        if S::CHECK && self.unsuccess.len() > usize::from(u8::MAX) {
            s.fail(Error::TooLong { field: Field::NoUnsuccess, max: 255 });
        }
        s.u8(self.unsuccess.len() as u8);
        self.unsuccess.write(s);
        self.tlvs.encode(s);
    }
}

body_codec!(SubmitMulti, SubmitMultiResp);
