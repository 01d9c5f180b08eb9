//! query_sm and query_sm_resp (SMPP-REFERENCE §3.9).

use super::fields::{self, SOURCE, put_address_last, put_time_last};
use crate::wire::{Encode, Reader, Sink};
use crate::{Address, COctetStr, Error, Field, MessageState};

/// The body of query_sm (§3.9).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QuerySm<'a> {
    /// The SMSC's id of the message.
    pub message_id: COctetStr<'a>,
    /// The message's original source address.
    pub source: Address<'a>,
}

impl<'a> QuerySm<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or octets after the last field.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let v = QuerySm {
            message_id: r.cstr(Field::MessageId, fields::MESSAGE_ID_MAX)?,
            source: r.address_last(SOURCE, fields::ADDR_MAX)?,
        };
        r.finish()?;
        Ok(v)
    }
}

impl Encode for QuerySm<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        s.cstr(Field::MessageId, self.message_id, fields::MESSAGE_ID_MAX);
        put_address_last(s, &self.source, SOURCE, (fields::ADDR_MAX, fields::ADDR_MAX), true);
    }
}

/// The body of query_sm_resp (§3.9).
///
/// Like every response it may stop early, whatever its status: header-only (`message_id` and
/// `final_date` [absent](COctetStr::is_absent)) or after the message_id (`final_date` absent).
/// The fields it lacks read as empty and zero, so check [`COctetStr::is_absent`] on `final_date`
/// before trusting `message_state`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QuerySmResp<'a> {
    /// The SMSC's id of the message.
    pub message_id: COctetStr<'a>,
    /// When the message reached a final state; empty if it has not, absent if the response
    /// stopped before it.
    pub final_date: COctetStr<'a>,
    /// The message's state.
    pub message_state: MessageState,
    /// Network error code (e.g. GSM), 0 if none.
    pub error_code: u8,
}

impl<'a> QuerySmResp<'a> {
    /// Parses the body (header excluded).
    ///
    /// # Errors
    /// A field that is truncated, unterminated or too long, or octets after the last field.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let message_id = r.cstr_last(Field::MessageId, fields::MESSAGE_ID_MAX)?;
        if r.is_empty() {
            // A response that stops before its second field.
            return Ok(QuerySmResp { message_id, final_date: COctetStr::ABSENT, ..QuerySmResp::default() });
        }
        let v = QuerySmResp {
            message_id,
            final_date: r.cstr(Field::FinalDate, fields::TIME_MAX)?,
            message_state: r.u8(Field::MessageState)?.into(),
            error_code: r.u8(Field::ErrorCode)?,
        };
        r.finish()?;
        Ok(v)
    }
}

impl Encode for QuerySmResp<'_> {
    fn encode<S: Sink>(&self, s: &mut S) {
        let rest_empty = self.message_state.raw() == 0 && self.error_code == 0;
        let all_empty = self.final_date.is_empty() && rest_empty;
        s.cstr_last(Field::MessageId, self.message_id, fields::MESSAGE_ID_MAX, all_empty);
        if self.message_id.is_absent() {
            return;
        }
        put_time_last(s, Field::FinalDate, self.final_date, rest_empty);
        if !self.final_date.is_absent() {
            s.u8(self.message_state.raw());
            s.u8(self.error_code);
        }
    }
}

body_codec!(QuerySm, QuerySmResp);
